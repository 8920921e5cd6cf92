"""`dynclean clean DATA SCORES_DIR OUTPUT`: apply the flags, write the cleaned data (file or shards)."""

from pathlib import Path

import typer
from wasabi import msg

from ..cleaning.audit import ACTION_HEADERS, SOURCE_TITLES, source_rows
from ..cleaning.clean import (
    clean_docbin,
    detection_path,
    detection_report,
    source_detection,
)
from ..scoring.entries import ENTRIES_FILE
from ._util import (
    ENTITY_ACTION,
    NEIGHBOUR_ACTION,
    NO_CAPITALISED,
    REPAIR_MAX_AUM,
    REPAIR_MIN_SHARE,
    app,
    repair_option,
    repair_rule,
)


@app.command("clean")
def clean_cli(
    data_path: Path = typer.Argument(
        ...,
        metavar="DATA",
        help="The training data that was scored: .spacy file or folder of shards",
    ),
    scores_dir: Path = typer.Argument(
        ..., metavar="SCORES_DIR", help="Output folder of `dynclean score`"
    ),
    output_path: Path = typer.Argument(
        ...,
        metavar="OUTPUT",
        help="The cleaned .spacy file to write, or a folder for shards",
    ),
    audit_path: Path | None = typer.Option(
        None, "--audit", help="Write one JSON line per decision here"
    ),
    gold_path: Path | None = typer.Option(
        None, "--gold", help="Gold .spacy of the same docs: report detection quality"
    ),
    entity_action: str = ENTITY_ACTION,
    neighbour_action: str = NEIGHBOUR_ACTION,
    no_capitalised: bool = NO_CAPITALISED,
    no_entries: bool = typer.Option(
        False,
        "--no-entries",
        help="Ignore SCORES_DIR/entries.jsonl (`dynclean entries`): act on the training "
        "dynamics' flags only",
    ),
    repair: bool = repair_option(
        "Relabel flagged items to the type the model keeps preferring (see --repair-*)"
    ),
    repair_min_share: float = REPAIR_MIN_SHARE,
    repair_max_aum: float = REPAIR_MAX_AUM,
    shard_size: int | None = typer.Option(
        None,
        "--shard-size",
        help="Docs per shard when OUTPUT is a folder (default 10000)",
    ),
) -> None:
    """Remove flagged entities and mark flagged non-entities as missing (never O);
    act on flagged dictionary entries (O, another type or missing, as their dev
    evidence says); capitalised words running on from a kept entity are flagged
    (--no-capitalised turns that off); a kept entity touching a flagged non-entity is
    made missing with it (--neighbour-action); every doc is kept, in order. The data
    is streamed shard by shard."""
    rule = repair_rule(repair, repair_min_share, repair_max_aum)
    entries_path = scores_dir / ENTRIES_FILE
    report = clean_docbin(
        data_path,
        scores_dir,
        output_path,
        audit_path,
        entity_action,
        repair=rule,
        shard_size=shard_size,
        gold_path=gold_path,
        entries_path=entries_path if entries_path.exists() and not no_entries else None,
        neighbour_action=neighbour_action,
        capitalised=not no_capitalised,
    )  # a bad --gold is refused before anything is written
    for note in report.notes:
        msg.info(note)
    msg.good(
        f"Cleaned {report.n_docs} docs ({report.n_changed_docs} changed) into {output_path}"
    )
    msg.text("What removed what (every decision, by what flagged it):")
    msg.table(
        source_rows(report.by_source),
        header=("Flagged by", *ACTION_HEADERS),
        divider=True,
    )
    msg.text(f"Tokens now missing: {report.missing_tokens}")
    if audit_path is not None:
        msg.good(f"Audit written to {audit_path}")
    if gold_path is not None:
        path = detection_path(output_path, audit_path)
        metrics = detection_report(scores_dir, gold_path, path)
        by_source = source_detection(data_path, gold_path, report)
        msg.text("Entities removed or relabelled, against the gold labels:")
        msg.table(
            [
                (
                    SOURCE_TITLES.get(source, source),
                    m["flagged"],
                    _fmt(m["precision"]),
                    _fmt(m["recall"]),
                )
                for source, m in by_source.items()
            ],
            header=("Flagged by", "Entities", "Precision", "Recall"),
            divider=True,
        )
        msg.text(
            "The training dynamics' own flags (AUM below the cut; the other sources "
            "do not use it):"
        )
        rows = [
            (
                side,
                m["n_judged"],
                m["n_errors"],
                m["flagged"],
                _fmt(m["precision"]),
                _fmt(m["recall"]),
                _fmt(m["auroc"]),
            )
            for side, m in metrics.items()
        ]
        msg.table(
            rows,
            header=(
                "Side",
                "Judged",
                "Errors",
                "Flagged",
                "Precision",
                "Recall",
                "AUROC",
            ),
            divider=True,
        )
        msg.good(f"Detection report written to {path}")


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"
