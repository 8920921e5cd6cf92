"""Re-clean a finished `dynclean benchmark` run with other cleaning settings and train
the result: an ablation of one cleaning choice without re-running the dynamics.

    python scripts/reclean.py RUN_DIR NAME [--entries cleaned|none]
        [--neighbour-action keep] [--no-capitalised] [--entity-action outside]
        [--seed 0] [--config cnn|trf] [--transformer NAME] [--ner-set K=V]

Uses RUN_DIR's corpus (train-ds, train-gs, dev, test) and scores; `--entries` names
the recipe whose entry table to apply (`scores/<recipe>/entries.jsonl`), `none` for
none. Writes RUN_DIR/corpus/train-NAME.spacy, RUN_DIR/training/NAME and
RUN_DIR/metrics-NAME.json: the cleaning counts, the detection of the entities acted
on (against train-gs) and test / dev P, R, F, as `metrics.json` has them per variant.
"""

from pathlib import Path

import srsly
import typer

from spacy_dynclean.benchmark import (
    BenchmarkSettings,
    clean,
    cleaning_detection,
    train_variant,
)
from spacy_dynclean.cli._util import parse_overrides


def main(
    run_dir: Path = typer.Argument(..., exists=True, file_okay=False),
    name: str = typer.Argument(..., help="The variant name to write"),
    entries: str = typer.Option("cleaned", "--entries"),
    neighbour_action: str = typer.Option("missing", "--neighbour-action"),
    no_capitalised: bool = typer.Option(False, "--no-capitalised"),
    entity_action: str = typer.Option("missing", "--entity-action"),
    seed: int = typer.Option(0, "--seed"),
    config: str = typer.Option("cnn", "--config", help="The production config family"),
    transformer: str | None = typer.Option(None, "--transformer"),
    ner_set: list[str] = typer.Option([], "--ner-set"),
) -> None:
    settings = BenchmarkSettings(
        config=config,
        transformer=transformer,
        seed=seed,
        entity_action=entity_action,
        neighbour_action=neighbour_action,
        capitalised=not no_capitalised,
        ner_overrides=parse_overrides(ner_set, "--ner-set"),
    )
    corpus = run_dir / "corpus"
    splits = {n: corpus / f"{n}.spacy" for n in ("train-ds", "train-gs", "dev", "test")}
    table = (
        None if entries == "none" else run_dir / "scores" / entries / "entries.jsonl"
    )
    path, report = clean(name, splits, run_dir, settings, entries_path=table)
    metrics = {
        "settings": {
            "entries": entries,
            "neighbour_action": neighbour_action,
            "capitalised": not no_capitalised,
            "entity_action": entity_action,
            "seed": seed,
            "config": config,
        },
        "cleaning": report.counts(),
        "detection": cleaning_detection(splits, report),
        **train_variant(name, {name: path}, splits, run_dir, settings),
    }
    srsly.write_json(run_dir / f"metrics-{name}.json", metrics)
    typer.echo(f"{name}: test F1 {metrics['f']:.4f}, dev F1 {metrics['dev']['f']:.4f}")


if __name__ == "__main__":
    typer.run(main)
