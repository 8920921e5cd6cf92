"""Show what the cleaning did, and take a human review of it back.

`write_report` reads a scores folder, the cleaning's audit and the data (and gold
labels, optionally) and writes into one folder: the figures (`plots`), the static
HTML pages (`page`) and `review.jsonl` (`review`); `apply_review` turns a reviewed
review.jsonl into the final DocBin.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..cleaning.audit import (
    CLEANING_SOURCES,
    MARKED_MISSING,
    REMOVED_ENTITY,
    Audit,
    Decision,
    Key,
    count_by_source,
    read_audit,
    source_summary,
)
from ..cleaning.clean import NO_ENTRIES
from ..cleaning.detection import (
    detection_from_errors,
    entity_detection_by_source,
    item_errors,
)
from ..cleaning.entries import ENTRIES_FILE, KEEP, read_entries
from ..errors import MismatchError
from ..io.docbin import check_same_labels, iter_docbin_as_stored
from ..io.fingerprint import check_fingerprint
from ..io.ids import sample_key
from ..scoring.aum import KINDS, ItemTable
from ..scoring.scores import RANDOM_DRAW, read_scores, summarize
from ..training.selection import read_selection
from ..util import PathLike
from .page import PAGE_SIZE, PageData, write_pages
from .plots import Plot, write_plots
from .review import ApplyResult, apply_review, flagged_docs, write_review

__all__ = ["ReportResult", "write_report", "apply_review", "ApplyResult", "REVIEW_FILE"]

REVIEW_FILE = "review.jsonl"


@dataclass
class ReportResult:
    """The files written and what they hold."""

    index: Path
    pages: list[Path]
    plots: list[Plot]
    review: Path
    n_docs: int
    n_flagged_docs: int
    n_decisions: int
    notes: list[str] = field(default_factory=list)
    detection: dict[str, dict[str, Any]] | None = None


def write_report(
    scores_dir: PathLike,
    audit_path: PathLike,
    data_path: PathLike,
    output_dir: PathLike,
    gold_path: PathLike | None = None,
    max_items: int = 500,
    seed: int = 0,
    page_size: int = PAGE_SIZE,
    progress: Callable[[str], None] | None = None,
    entries_path: PathLike | None = None,
    teacher_audit_path: PathLike | None = None,
    selection_path: PathLike | None = None,
) -> ReportResult:
    """Write the report of one cleaning into `output_dir`: figures, index.html (+
    page-N.html, `page_size` sentences a page, at most `max_items` in all) and
    review.jsonl (every flagged doc), with the entry table `entries_path` (default: the
    scores folder's entries.jsonl, if any) and the additions of self-training
    (`teacher_audit_path`, the audit of `dynclean self-train` on the cleaned data),
    and on its first screen the recipe `dynclean select` chose (`selection_path`).
    `progress` is called with a line before each long step."""
    say = progress or (lambda text: None)
    output_dir = Path(output_dir)
    selection = read_selection(selection_path) if selection_path else None
    say(f"Reading the scores in {scores_dir}")
    scores = read_scores(scores_dir)
    table = scores.table
    notes = list(scores.notes)
    say(f"Checking {data_path} and {audit_path} against the scores")
    notes += check_fingerprint(data_path, scores_dir, scores.thresholds)
    audit = read_audit(audit_path)
    check_audit(table, audit, scores_dir, audit_path)
    if teacher_audit_path is not None:
        audit = with_teacher_audit(audit, teacher_audit_path)
    docs = list(iter_docbin_as_stored(data_path))
    items = flagged_docs(docs, audit, data_path, audit_path)
    decisions = [d for lines in audit.values() for _, d in lines]
    by_source = count_by_source(decisions)
    notes += aum_context(notes, by_source)
    errors, gold, verdicts, detection = None, None, None, None
    source_detection = None
    if gold_path is not None:
        say(f"Comparing with the gold labels in {gold_path}")
        notes += check_same_labels(data_path, gold_path)
        gold_docs = list(iter_docbin_as_stored(gold_path))
        errors = item_errors(table, gold_docs)
        detection = detection_from_errors(table, errors)
        source_detection = entity_detection_by_source(
            docs, gold_docs, entity_keys_by_source(decisions)
        )
        verdicts = dict(zip(flagged_keys(table), errors[table["flagged"]].tolist()))
        wanted = {item.doc_id for item in items}
        gold = {sample_key(doc): doc for doc in gold_docs if sample_key(doc) in wanted}
    entries_path = Path(entries_path or Path(scores_dir) / ENTRIES_FILE)
    entries = read_entries(entries_path) if entries_path.exists() else None
    if entries is None:
        notes.append(NO_ENTRIES)
    elif any(e["action"] != KEEP for e in entries) and not any(
        d.source == "entry" for lines in audit.values() for _, d in lines
    ):
        notes.append(
            f"{entries_path} flags entries, but the audit has no decision from it: "
            "the data was cleaned without it (`--no-entries`), so the table below is "
            "not what was applied"
        )
    say("Drawing the figures")
    plots = write_plots(table, scores.thresholds, output_dir, errors, seed)
    say(f"Writing {REVIEW_FILE}")
    review = output_dir / REVIEW_FILE
    write_review(items, review)
    say("Writing the HTML pages")
    inputs = {
        "scores": str(scores_dir),
        "audit": str(audit_path),
        "data": str(data_path),
        **({"gold": str(gold_path)} if gold_path is not None else {}),
        "review file": REVIEW_FILE,
    }
    data = PageData(
        inputs,
        scores.thresholds,
        summarize(table),
        len(docs),
        sorted(items, key=lambda i: i.rank),
        plots,
        notes,
        detection,
        gold,
        verdicts,
        entries,
        by_source,
        source_detection,
        selection,
    )
    pages = write_pages(data, output_dir, max_items, page_size)
    return ReportResult(
        pages[0],
        pages,
        plots,
        review,
        len(docs),
        len(items),
        sum(len(item.decisions) for item in items),
        notes,
        detection,
    )


def aum_context(notes: list[str], by_source: dict[str, dict[str, int]]) -> list[str]:
    """After the scores' warnings that AUM flags are close to a random draw, what
    they mean for this cleaning: how much of it the AUM flags are."""
    if not any(RANDOM_DRAW in note for note in notes):
        return []
    removed = {s: c[REMOVED_ENTITY] for s, c in by_source.items()}
    return [
        f"The warnings on AUM concern the AUM flags alone: here they removed "
        f"{removed.get('aum', 0):,} of the {sum(removed.values()):,} entities removed "
        f"and made {by_source.get('aum', {}).get(MARKED_MISSING, 0):,} non-entities "
        f"missing; in all: {source_summary(by_source)}"
    ]


def entity_keys_by_source(
    decisions: list[Decision],
) -> dict[str, list[tuple[str, int, int, str]]]:
    """(doc id, start, end, type) of every entity decision, by source."""
    keys: dict[str, list[tuple[str, int, int, str]]] = {}
    for d in decisions:
        if d.kind == "entity":
            keys.setdefault(d.source, []).append((d.doc_id, d.start, d.end, d.label))
    return keys


def with_teacher_audit(audit: Audit, teacher_audit_path: PathLike) -> Audit:
    """The audit with the decisions of a self-training audit after each doc's own;
    one that holds other decisions than the teachers' is refused."""
    merged = {doc_id: list(lines) for doc_id, lines in audit.items()}
    for doc_id, lines in read_audit(teacher_audit_path).items():
        for n, d in lines:
            if d.source != "teacher":
                raise MismatchError(
                    f"{teacher_audit_path}, line {n}: a {d.source!r} decision, not a "
                    "teacher's: pass the audit `dynclean self-train --audit` wrote"
                )
        merged.setdefault(doc_id, []).extend(lines)
    return merged


def flagged_keys(table: ItemTable) -> list[Key]:
    """(doc_id, start, end, kind) of the flagged rows, in table order."""
    rows = np.flatnonzero(table["flagged"])
    return [
        (
            table.doc_ids[table["doc"][i]],
            int(table["start"][i]),
            int(table["end"][i]),
            KINDS[table["kind"][i]],
        )
        for i in rows
    ]


def check_audit(
    table: ItemTable, audit: Audit, scores_dir: PathLike, audit_path: PathLike
) -> None:
    """Refuse an audit whose decisions are not exactly the flagged items of the scores
    (and the decisions the cleaning takes itself, `CLEANING_SOURCES`: flagged
    dictionary entries, capitalised words next to entities, neighbours of flagged
    non-entities)."""
    keys = {d.key for lines in audit.values() for _, d in lines}
    by_entry = {
        d.key
        for lines in audit.values()
        for _, d in lines
        if d.source in CLEANING_SOURCES
    }
    flagged = set(flagged_keys(table))
    if flagged <= keys and keys - flagged <= by_entry:
        return
    keys -= by_entry - flagged
    only_scores, only_audit = sorted(flagged - keys), sorted(keys - flagged)
    example = f"e.g. {only_scores[0]}" if only_scores else f"e.g. {only_audit[0]}"
    raise MismatchError(
        f"{audit_path} and {scores_dir} do not belong together: {len(only_scores)} flagged items "
        f"are not in the audit and {len(only_audit)} audit lines are not flagged ({example}); "
        "pass the audit `dynclean clean` wrote from these scores"
    )
