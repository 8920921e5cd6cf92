"""`dynclean report` (figures, HTML pages, review.jsonl of one cleaning) and
`dynclean apply-review` (a reviewed review.jsonl → the final DocBin)."""

import sys
from pathlib import Path

import typer
from wasabi import Printer, msg

from ..report import apply_review, write_report
from ._util import app

MAX_SHOWN_EDITS = 5


@app.command("report")
def report_cli(
    scores_dir: Path = typer.Argument(
        ..., metavar="SCORES_DIR", help="Output folder of `dynclean score`"
    ),
    audit_path: Path = typer.Argument(
        ...,
        metavar="AUDIT",
        help="Audit JSONL of `dynclean clean --audit`",
        dir_okay=False,
    ),
    data_path: Path = typer.Argument(
        ...,
        metavar="DATA",
        help="The training data that was scored and cleaned: .spacy file or folder of shards",
    ),
    output_dir: Path = typer.Argument(
        ...,
        metavar="OUTPUT_DIR",
        help="Folder for index.html, the figures, review.jsonl",
    ),
    gold_path: Path | None = typer.Option(
        None,
        "--gold",
        help="Gold .spacy of the same docs: split by real error",
        dir_okay=False,
    ),
    max_items: int = typer.Option(
        500, "--max-items", help="At most this many flagged sentences in the HTML pages"
    ),
    seed: int = typer.Option(0, "--seed", help="Seed for the data map's subsample"),
    entries_path: Path | None = typer.Option(
        None,
        "--entries",
        help="The entry table the data was cleaned with (default: SCORES_DIR/entries.jsonl, if any)",
        dir_okay=False,
        exists=True,
    ),
    selection_path: Path | None = typer.Option(
        None,
        "--selection",
        help="selection.json of `dynclean select`: the recipe chosen on dev, shown first",
        dir_okay=False,
        exists=True,
    ),
    teacher_audit_path: Path | None = typer.Option(
        None,
        "--teacher-audit",
        help="The audit of `dynclean self-train` on the cleaned data: show its added "
        "entities too",
        dir_okay=False,
        exists=True,
    ),
) -> None:
    """Show what was cleaned: AUM histograms and data map (PNG), a static HTML page
    of the flagged sentences, and review.jsonl to check the decisions in an
    annotation tool (then `dynclean apply-review`)."""
    progress = Printer(no_print=not sys.stdout.isatty())
    result = write_report(
        scores_dir,
        audit_path,
        data_path,
        output_dir,
        gold_path=gold_path,
        max_items=max_items,
        seed=seed,
        progress=progress.info,
        entries_path=entries_path,
        teacher_audit_path=teacher_audit_path,
        selection_path=selection_path,
    )
    for note in result.notes:
        msg.warn(note)
    msg.good(
        f"Report of {result.n_flagged_docs} flagged docs ({result.n_decisions} decisions) written to "
        f"{result.index}"
    )
    msg.text(
        f"{len(result.pages)} page(s), {len(result.plots)} figures; review file {result.review}"
    )


@app.command("apply-review")
def apply_review_cli(
    data_path: Path = typer.Argument(
        ...,
        metavar="DATA",
        help="The training data the review was made from (DATA of `dynclean report`): .spacy file or folder of shards",
    ),
    review_path: Path = typer.Argument(
        ...,
        metavar="REVIEW",
        help="review.jsonl of `dynclean report`, after review",
        dir_okay=False,
    ),
    output_path: Path = typer.Argument(
        ...,
        metavar="OUTPUT",
        help="The final .spacy file to write, or a folder for shards",
    ),
    shard_size: int | None = typer.Option(
        None,
        "--shard-size",
        help="Docs per shard when OUTPUT is a folder (default 10000)",
    ),
) -> None:
    """Apply the accepted decisions of a reviewed review.jsonl to the original data;
    rejected ones keep the original annotation, unreviewed docs are copied unchanged.
    The data is streamed shard by shard."""
    result = apply_review(data_path, review_path, output_path, shard_size=shard_size)
    msg.good(
        f"Wrote {result.n_docs} docs ({result.n_reviewed} reviewed) to {output_path}"
    )
    msg.table(
        [
            ("Decisions accepted", result.accepted),
            ("Decisions rejected", result.rejected),
        ],
        divider=False,
    )
    edits = result.ignored_span_edits
    if edits:
        msg.warn(
            f"{len(edits)} span edits other than restoring a removed entity were not applied",
            "\n".join(edits[:MAX_SHOWN_EDITS])
            + ("\n..." if len(edits) > MAX_SHOWN_EDITS else ""),
        )
