"""`dynclean score RECORDS_DIR... OUTPUT_DIR`: AUMs, thresholds and flags from margin records."""

import warnings
from pathlib import Path

import typer
from wasabi import msg

from ..scoring.aum import parse_epochs
from ..scoring.options import ScoreOptions
from ..scoring.scores import score_runs, summarize, write_scores
from ._util import ENTITY_AGG, P_NEG, P_POS, app


@app.command("score")
def score_cli(
    records_dirs: list[Path] = typer.Argument(
        ..., metavar="RECORDS_DIR", help="Margin-records folders (one per run)"
    ),
    output_dir: Path = typer.Argument(
        ...,
        metavar="OUTPUT_DIR",
        help="Folder for scores.jsonl, thresholds.json, summary.json",
    ),
    epochs: str = typer.Option(
        "all",
        "--epochs",
        help="'all' complete epochs, or the number of first epochs to use",
    ),
    entity_agg: str = ENTITY_AGG,
    p_pos: float = P_POS,
    p_neg: float = P_NEG,
    per_type: bool = typer.Option(
        False,
        "--per-type",
        help="Thresholds per entity type (global where < 5 fake samples)",
    ),
) -> None:
    """Score the runs' samples (AUM, data map), set the thresholds from the threshold
    samples and flag the judged entities and non-entities below them."""
    options = ScoreOptions(
        epochs=parse_epochs(epochs),
        entity_agg=entity_agg,
        p_pos=p_pos,
        p_neg=p_neg,
        per_type=per_type,
    )
    with warnings.catch_warnings():  # the notes are printed below
        warnings.simplefilter("ignore", UserWarning)
        scores = score_runs(records_dirs, options)
    for note in scores.notes:
        msg.warn(note)
    paths = write_scores(scores, output_dir)
    rows = [
        (
            run["path"],
            f"{run['t_pos']:.4f}",
            f"{run['t_neg']:.4f}",
            run["n_fake_pos"],
            run["n_fake_neg"],
        )
        for run in scores.thresholds["runs"]
    ]
    msg.table(
        rows, header=("Run", "t_pos", "t_neg", "Fake pos", "Fake neg"), divider=True
    )
    kinds = summarize(scores.table)["kinds"]
    msg.table(
        [(kind, c["items"], c["judged"], c["flagged"]) for kind, c in kinds.items()],
        header=("Kind", "Items", "Judged", "Flagged"),
        divider=True,
    )
    msg.good(f"Scores written to {paths['scores.jsonl'].parent}")
