"""Flags → cleaned Docs and audit lines.

A flagged entity is removed and its tokens become missing (or O with
`entity_action="outside"`); a flagged dictionary entry's occurrences (source "entry")
say themselves what they become: O, missing, or another type. A flagged non-entity
token/span becomes missing, never O: we only know its label is doubtful, not what it
should be. A kept entity that touches a flagged non-entity (next to it or overlapping
it) is one unit with it (`neighbour_action="missing"`, the default): the entity is
removed and the union becomes missing, since a flagged token next to an entity most
often means the dictionary matched a name cut short (`York` in `New York`), and a kept
entity would go on teaching the wrong edge; with `neighbour_action="keep"` the entity
wins and only the other tokens become missing. With `capitalised=True` (the default),
the capitalised words running on from a kept entity's edge are flagged non-entities
too (`name_edges.py`: the text says the name was cut short). Missing tokens also win
over "outside" when a removed entity overlaps a flagged non-entity span. Every doc is
kept, in order.
What the cleaning did with each item is its `audit.Decision`.
"""

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import islice
from pathlib import Path
from typing import (
    Any,
)

import numpy as np
import srsly
from spacy.tokens import Doc, Span

from ..errors import DataError, MismatchError
from ..io.docbin import (
    check_same_labels,
    entity_labels,
    iter_docbin_as_stored,
    write_docbin,
)
from ..io.fingerprint import check_fingerprint
from ..io.ids import get_doc_id, sample_key
from ..io.labels import check_label_sets
from ..scoring.entries import (
    ADD,
    KEEP,
    OUTSIDE,
    RELABEL,
    EntryKey,
    PlaceFinder,
    read_entries,
)
from ..scoring.scores import iter_score_rows, read_scores, read_thresholds
from ..util import PathLike, atomic_output
from .audit import (
    ACTIONS,
    ADDED_ENTITY,
    ENTITY_ACTIONS,
    MARKED_MISSING,
    RELABELED_ENTITY,
    REMOVED_ENTITY,
    Decision,
    audit_writer,
    count_actions,
    count_by_source,
)
from .detection import detection_metrics, entity_detection_by_source
from .name_edges import capitalised_runs
from .repair import RepairRule, place_repairs, token_mask

NO_ENTRIES = (
    "no entry table: only the training dynamics flagged items, and they cannot see a "
    "dictionary entry that is wrong at every occurrence (`The` as MISC); with a gold "
    "dev set, run `dynclean entries DATA DEV SCORES_DIR` before cleaning"
)
# what a kept entity touching a flagged non-entity becomes (module docstring)
NEIGHBOUR_ACTIONS = ("missing", "keep")
SAME_DOCS = "--gold needs the gold labels of the very docs that were cleaned, tokenised the same way"
# the action counts' names in metrics.json
COUNT_NAMES = {
    REMOVED_ENTITY: "removed_entities",
    MARKED_MISSING: "marked_missing",
    RELABELED_ENTITY: "relabeled_entities",
    ADDED_ENTITY: "added_entities",
}


@dataclass
class CleanReport:
    """What a cleaning pass changed."""

    n_docs: int = 0
    n_changed_docs: int = 0
    actions: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ACTIONS, 0))
    # source → action → count (`audit.count_by_source`)
    by_source: dict[str, Counter] = field(default_factory=dict)
    missing_tokens: int = 0
    notes: list[str] = field(default_factory=list)
    # with `track_entities`: (doc id, start, end, type) of every entity decision, by
    # source (one tuple per occurrence: for detection against gold only)
    track_entities: bool = False
    flagged_entities: dict[str, list[tuple[str, int, int, str]]] = field(
        default_factory=dict
    )

    def add(self, decisions: Sequence[Decision]) -> None:
        """Count the cleaned decisions of one doc."""
        self.n_docs += 1
        self.n_changed_docs += bool(decisions)
        for action, n in count_actions(decisions).items():
            self.actions[action] += n
        for source, counts in count_by_source(decisions).items():
            self.by_source.setdefault(source, Counter()).update(counts)
        self.missing_tokens += sum(d.n_missing for d in decisions)
        for d in decisions if self.track_entities else ():
            if d.kind == "entity":
                key = (d.doc_id, d.start, d.end, d.label)
                self.flagged_entities.setdefault(d.source, []).append(key)

    def counts(self) -> dict[str, int]:
        """The counts, as metrics.json reports them."""
        return {
            **{COUNT_NAMES[action]: n for action, n in self.actions.items()},
            "missing_tokens": self.missing_tokens,
            "docs": self.n_docs,
            "changed_docs": self.n_changed_docs,
        }


def decisions_by_doc(
    rows: Iterable[Mapping[str, Any]],
    repair: RepairRule | None = None,
    entity_types: Sequence[str] = (),
) -> dict[str, list[Decision]]:
    """The decisions on the flagged entity / non-entity rows of scores.jsonl, grouped
    by doc id; with `repair`, each gets the type the rule repairs it to, if any."""
    groups: dict[str, list[Decision]] = {}
    for row in rows:
        if row["flagged"] and row["kind"] in ("entity", "non_entity"):
            label = repair.label(row, entity_types) if repair is not None else None
            groups.setdefault(row["doc_id"], []).append(Decision.from_row(row, label))
    return groups


def clean_doc(
    doc: Doc, decisions: Sequence[Decision], entity_action: str = "missing"
) -> list[Decision]:
    """Apply the decisions on one doc in place; return them as cleaned (tokens,
    `n_missing`, and no `repair` where a repair could not be placed). A decision
    with a `repair` type relabels / adds its item instead of removing it or making
    it missing (`repair.py`)."""
    for d in decisions:
        problem = d.misfit(doc)
        if problem is not None:
            raise MismatchError(
                f"flagged {d.kind} {d.label} at tokens {d.start}-{d.end} {problem}: "
                "the data and the scores differ"
            )
    on_entity = {(d.start, d.end, d.label): d for d in decisions if d.kind == "entity"}
    removed = {key for key, d in on_entity.items() if not d.repair}
    ents = [(e.start, e.end, e.label_) for e in doc.ents]
    kept = [
        key[:2] + (on_entity[key].repair,) if key in on_entity else key
        for key in ents
        if key not in removed
    ]
    adds = [d for d in decisions if d.kind == "non_entity" and d.repair]
    entities, placed = place_repairs(
        len(doc), kept, [(d.start, d.end, d.repair, d.aum or 0.0) for d in adds]
    )
    in_entities = token_mask(len(doc), [(start, end) for start, end, _ in entities])
    becomes = {key: on_entity[key].becomes or entity_action for key in removed}
    to_missing, to_outside = (
        token_mask(len(doc), [k[:2] for k, b in becomes.items() if b == action])
        for action in ENTITY_ACTIONS
    )
    flagged_neg = token_mask(
        len(doc), [(d.start, d.end) for d in decisions if d.kind == "non_entity"]
    )
    missing = (flagged_neg | to_missing) & ~in_entities
    outside = to_outside & ~missing & ~in_entities
    spans = [Span(doc, start, end, label=label) for start, end, label in entities]
    doc.set_ents(
        spans,
        missing=_spans(doc, missing),
        outside=_spans(doc, outside),
        default="unmodified",
    )
    unplaced = {id(d) for i, d in enumerate(adds) if i not in placed}
    return [
        replace(
            d,
            tokens=[t.text for t in doc[d.start : d.end]],
            n_missing=int(missing[d.start : d.end].sum()),
            repair=None if id(d) in unplaced else d.repair or None,
            becomes=becomes.get((d.start, d.end, d.label))
            if d.kind == "entity"
            else None,
        )
        for d in decisions
    ]


def clean_docs(
    docs: Iterable[Doc],
    decisions: Mapping[str, Sequence[Decision]],
    entity_action: str = "missing",
    entries: Mapping[EntryKey, tuple[str, str | None]] | None = None,
    neighbour_action: str = "missing",
    capitalised: bool = True,
) -> Iterator[tuple[Doc, list[Decision]]]:
    """Yield every doc (cleaned in place) with its cleaned decisions, in order; with
    `entries` (`flagged_entries`), also the decisions of its entities' flagged
    entries; with `capitalised`, those of the capitalised words running on from a
    kept entity; with `neighbour_action="missing"`, those of the kept entities
    touching a flagged non-entity; last, the places of the entries to add
    (`with_added_entries`). After the last doc, refuse decisions for doc ids the data
    does not have."""
    check_actions(entity_action, neighbour_action)
    additions = PlaceFinder(k for k, (a, _) in (entries or {}).items() if a == ADD)
    seen = set()
    for doc in docs:
        doc_id = sample_key(doc)
        if (
            doc_id in decisions
        ):  # only flagged ids: memory stays flat however many docs stream by
            seen.add(doc_id)
        doc_decisions = decisions.get(doc_id, [])
        if entries:
            doc_decisions = with_entry_decisions(doc, doc_decisions, entries)
        if capitalised:
            doc_decisions = with_capitalised_decisions(doc, doc_decisions)
        if neighbour_action == "missing":
            doc_decisions = with_neighbour_decisions(doc, doc_decisions)
        if additions.types:
            doc_decisions = with_added_entries(doc, doc_decisions, additions)
        yield doc, clean_doc(doc, doc_decisions, entity_action)
    unseen = [doc_id for doc_id in decisions if doc_id not in seen]
    if unseen:
        raise MismatchError(
            f"{len(unseen)} flagged doc(s) are not in the data, e.g. {unseen[0]!r}: "
            "the data and the scores do not belong together"
        )


def check_actions(entity_action: str, neighbour_action: str) -> None:
    """Refuse an `--entity-action` or `--neighbour-action` the cleaning does not know."""
    if entity_action not in ENTITY_ACTIONS:
        raise DataError(
            "--entity-action", f"must be one of {ENTITY_ACTIONS}, not {entity_action!r}"
        )
    if neighbour_action not in NEIGHBOUR_ACTIONS:
        raise DataError(
            "--neighbour-action",
            f"must be one of {NEIGHBOUR_ACTIONS}, not {neighbour_action!r}",
        )


def clean_docbin(
    data_path: PathLike,
    scores_dir: PathLike,
    output_path: PathLike,
    audit_path: PathLike | None = None,
    entity_action: str = "missing",
    repair: RepairRule | None = None,
    shard_size: int | None = None,
    gold_path: PathLike | None = None,
    entries_path: PathLike | None = None,
    neighbour_action: str = "missing",
    capitalised: bool = True,
) -> CleanReport:
    """Clean a .spacy file or folder with a scores folder's flags (and, with
    `entries_path`, an entry table's flagged entries), streamed; write the cleaned
    data (a .spacy file, or a folder of shards: see `io.docbin.write_docbin`) and the
    audit JSONL, atomically. `gold_path`: gold docs for `detection_report`, refused
    (`check_gold`) before anything is written; with them the report keeps every
    entity decision (`CleanReport.flagged_entities`)."""
    report = CleanReport(track_entities=gold_path is not None)
    thresholds = read_thresholds(scores_dir)
    report.notes.extend(check_fingerprint(data_path, scores_dir, thresholds))
    if gold_path is not None:
        check_gold(data_path, gold_path)
        report.notes.extend(check_same_labels(data_path, gold_path))
    decisions = decisions_by_doc(
        iter_score_rows(scores_dir),
        repair,
        thresholds["entity_types"] if repair else (),
    )
    entries = None
    if entries_path is None:
        report.notes.append(NO_ENTRIES)
    else:
        table = read_entries(entries_path)
        check_entry_labels(table, data_path, entries_path)
        entries = flagged_entries(table)
        report.notes.extend(check_entry_counts(data_path, table, entries_path))
    with audit_writer(audit_path) as write_audit:
        cleaned = clean_docs(
            iter_docbin_as_stored(data_path),
            decisions,
            entity_action,
            entries,
            neighbour_action,
            capitalised,
        )
        write_docbin(audited(cleaned, write_audit, report), output_path, shard_size)
    return report


def flagged_entries(
    table: Iterable[Mapping[str, Any]],
) -> dict[EntryKey, tuple[str, str | None]]:
    """The flagged entries of an entry table's lines: (words, type) → (action, repair)."""
    return {
        (tuple(line["words"]), line["label"]): (line["action"], line.get("repair"))
        for line in table
        if line["action"] != KEEP
    }


def check_entry_labels(
    table: Iterable[Mapping[str, Any]], data_path: PathLike, entries_path: PathLike
) -> None:
    """Refuse an entry table whose types (and relabel types) are not the data's."""
    types = Counter(
        label
        for line in table
        for label in (line["label"], line.get("repair"))
        if isinstance(label, str)
    )
    check_label_sets(
        entity_labels(data_path),
        str(data_path),
        types,
        str(entries_path),
        fix="run `dynclean entries` again on a dev set converted with the data's "
        "label names, or edit the table's types",
        subset=True,
    )


def check_entry_counts(
    data_path: PathLike, table: Sequence[Mapping[str, Any]], entries_path: PathLike
) -> list[str]:
    """A note when the flagged entries occur in the data other than as often as the
    table says (its `n`): the table was judged on other data, and it still applies,
    by words and type. Lines without `n` (written by hand) are not checked."""
    expected = {
        (tuple(line["words"]), line["label"]): line["n"]
        for line in table
        if line["action"] not in (KEEP, ADD) and isinstance(line.get("n"), int)
    }
    found = Counter(
        key
        for doc in iter_docbin_as_stored(data_path)
        for ent in doc.ents
        if (key := (tuple(t.text for t in ent), ent.label_)) in expected
    )
    stale = [key for key, n in expected.items() if found[key] != n]
    if not stale:
        return []
    words, label = stale[0]
    return [
        f"{len(stale)} of the {len(expected)} flagged entries of {entries_path} occur "
        f"in {data_path} other than as often as when they were judged (e.g. "
        f"{' '.join(words)!r}/{label}: {found[stale[0]]}, not {expected[stale[0]]}): "
        "the table applies by words and type; if the data changed, run "
        "`dynclean entries` on it again"
    ]


def with_entry_decisions(
    doc: Doc,
    decisions: Sequence[Decision],
    entries: Mapping[EntryKey, tuple[str, str | None]],
) -> list[Decision]:
    """The doc's decisions and one for each entity whose entry is flagged; where the
    training dynamics flagged the entity too, the entry's decision replaces theirs
    (it says what the tokens become) and keeps their AUM and threshold."""
    doc_id, by_entry = sample_key(doc), []
    by_key = {d.key: d for d in decisions}
    for ent in doc.ents:
        flagged = entries.get((tuple(t.text for t in ent), ent.label_))
        if flagged is not None and flagged[0] != ADD:
            action, repair = flagged
            becomes = "outside" if action == OUTSIDE else "missing"
            replaced = by_key.get((doc_id, ent.start, ent.end, "entity"))
            by_entry.append(
                _entity_decision(
                    doc_id,
                    ent,
                    aum=replaced.aum if replaced else None,
                    threshold=replaced.threshold if replaced else None,
                    repair=repair if action == RELABEL else None,
                    becomes=None if action == RELABEL else becomes,
                    source="entry",
                )
            )
    return _replacing(decisions, by_entry)


def with_capitalised_decisions(
    doc: Doc, decisions: Sequence[Decision]
) -> list[Decision]:
    """The doc's decisions and a non-entity one (source "capitalised") on every run
    of capitalised words before or after an entity that would be kept, where no
    flagged non-entity lies already (`name_edges.capitalised_runs`)."""
    removed = _removed_entities(decisions)
    kept = [
        (e.start, e.end) for e in doc.ents if (e.start, e.end, e.label_) not in removed
    ]
    flagged = token_mask(
        len(doc), [(d.start, d.end) for d in decisions if d.kind == "non_entity"]
    )
    doc_id, runs = sample_key(doc), token_mask(len(doc), capitalised_runs(doc, kept))
    return list(decisions) + [
        Decision(doc_id, "non_entity", span.start, span.end, "O", source="capitalised")
        for span in _spans(doc, runs & ~flagged)
    ]


def _removed_entities(decisions: Sequence[Decision]) -> set[tuple[int, int, str]]:
    """(start, end, type) of the entities the decisions remove (not relabel)."""
    return {
        (d.start, d.end, d.label)
        for d in decisions
        if d.kind == "entity" and not d.repair
    }


def with_neighbour_decisions(doc: Doc, decisions: Sequence[Decision]) -> list[Decision]:
    """The doc's decisions, where every entity that would be kept (no decision, or a
    relabel) but touches a flagged non-entity that is not repaired is made missing
    instead: one unit with its flagged neighbour (module docstring)."""
    flagged = [
        (d.start, d.end) for d in decisions if d.kind == "non_entity" and not d.repair
    ]
    if not flagged:
        return list(decisions)
    removed = _removed_entities(decisions)
    doc_id, by_neighbour = sample_key(doc), []
    for ent in doc.ents:
        touches = any(start <= ent.end and ent.start <= end for start, end in flagged)
        if touches and (ent.start, ent.end, ent.label_) not in removed:
            by_neighbour.append(
                _entity_decision(doc_id, ent, becomes="missing", source="neighbour")
            )
    return _replacing(decisions, by_neighbour)


def with_added_entries(
    doc: Doc, decisions: Sequence[Decision], find: PlaceFinder
) -> list[Decision]:
    """The doc's decisions and an added entity (source "entry") at every place of an
    entry to add (`find`, longest matches) that no kept entity overlaps: its tokens
    were O, missing, or an entity the decisions remove."""
    removed = _removed_entities(decisions)
    kept = token_mask(
        len(doc),
        [
            (e.start, e.end)
            for e in doc.ents
            if (e.start, e.end, e.label_) not in removed
        ],
    )
    doc_id, added = sample_key(doc), []
    for span, labels in find(doc):
        if len(labels) == 1 and not kept[span.start : span.end].any():
            added.append(
                Decision(
                    doc_id,
                    "non_entity",
                    span.start,
                    span.end,
                    "O",
                    repair=labels[0],
                    source="entry",
                )
            )
    return _replacing(decisions, added)


def _entity_decision(doc_id: str, ent: Span, **fields: Any) -> Decision:
    """A decision the cleaning takes itself on the entity `ent` of doc `doc_id`."""
    return Decision(doc_id, "entity", ent.start, ent.end, ent.label_, **fields)


def _replacing(decisions: Sequence[Decision], new: list[Decision]) -> list[Decision]:
    """`decisions` without those on the items of `new`, then `new`."""
    taken = {d.key for d in new}
    return [d for d in decisions if d.key not in taken] + new


def audited(
    cleaned: Iterable[tuple[Doc, list[Decision]]],
    write_audit: Callable[[Sequence[Decision]], None],
    report: CleanReport,
) -> Iterator[Doc]:
    """The cleaned docs; their decisions are written to the audit and counted on the way."""
    for doc, decisions in cleaned:
        write_audit(decisions)
        report.add(decisions)
        yield doc


def detection_report(
    scores_dir: PathLike, gold_path: PathLike, report_path: PathLike
) -> dict[str, Any]:
    """Detection metrics of a scores folder against a gold DocBin, written as JSON."""
    metrics = detection_metrics(
        read_scores(scores_dir).table, iter_docbin_as_stored(gold_path)
    )
    with atomic_output(report_path) as tmp:
        srsly.write_json(tmp, metrics)
    return metrics


def source_detection(
    data_path: PathLike, gold_path: PathLike, report: CleanReport
) -> dict[str, dict[str, Any]]:
    """Precision / recall against the gold docs of the entities each source removed
    or relabelled, and of all of them ("total"): what the cleaning did, whatever
    flagged it (the report of a `clean_docbin` with `gold_path`)."""
    return entity_detection_by_source(
        iter_docbin_as_stored(data_path),
        iter_docbin_as_stored(gold_path),
        report.flagged_entities,
    )


def check_gold(data_path: PathLike, gold_path: PathLike) -> None:
    """Refuse gold docs that are not the data's docs: the same ids (in any order), each
    with the same words. Streamed: only an id, a length and a hash per data doc are held."""
    data: dict[str, tuple[int, int, bytes]] = {}
    for n, doc in enumerate(iter_docbin_as_stored(data_path), start=1):
        data.setdefault(sample_key(doc), (n, len(doc), _words_hash(doc)))
    seen: dict[str, int] = {}
    for n, doc in enumerate(iter_docbin_as_stored(gold_path), start=1):
        doc_id = sample_key(doc)
        if doc_id in seen:
            raise DataError(
                gold_path,
                f"sample id {doc_id!r} is also used by record {seen[doc_id]}",
                record=n,
            )
        seen[doc_id] = n
        if doc_id not in data:
            problem = f"doc {doc_id!r} is not a doc of the data {data_path}"
            raise DataError(
                gold_path, problem, record=n, hint=_id_hint(data, doc, gold_path)
            )
        record, length, words = data[doc_id]
        where = f"{data_path} (record {record})"
        if len(doc) != length:
            problem = f"doc {doc_id!r} has {len(doc)} tokens, {length} in {where}"
            raise DataError(gold_path, problem, record=n, hint=SAME_DOCS)
        if _words_hash(doc) != words:
            data_words = [
                t.text
                for t in next(
                    islice(iter_docbin_as_stored(data_path), record - 1, None)
                )
            ]
            i, word = next(
                (i, t.text) for i, t in enumerate(doc) if t.text != data_words[i]
            )
            problem = (
                f"doc {doc_id!r} differs from {where} at token {i}: {word!r} in the gold file, "
                f"{data_words[i]!r} in the data"
            )
            raise DataError(gold_path, problem, record=n, hint=SAME_DOCS)
    missing = next((key for key in data if key not in seen), None)
    if missing is not None:
        problem = f"holds {len(seen)} of the {len(data)} docs of {data_path}; it lacks {missing!r} (record {data[missing][0]})"
        raise DataError(gold_path, problem, hint=SAME_DOCS)


def _words_hash(doc: Doc) -> bytes:
    return hashlib.blake2b(
        "\u241f".join(t.text for t in doc).encode("utf8"), digest_size=16
    ).digest()


def _id_hint(
    data: Mapping[str, tuple[int, int, bytes]], gold_doc: Doc, gold_path: PathLike
) -> str:
    """How to give the gold docs the data's ids: convert with the data's --id-prefix."""
    data_id = next(iter(data))
    prefix, sep, _ = data_id.rpartition(":")
    if not sep or not prefix:
        return f"the gold docs need the ids of the data's docs, e.g. {data_id!r}"
    gold_id = get_doc_id(gold_doc) or ""
    source = f"{gold_id.rpartition(':')[0]}.json" if ":" in gold_id else "GOLD_SOURCE"
    return (
        f"the data's ids look like {data_id!r}: convert the gold file with the --id-prefix of its distant twin, "
        f"e.g. `dynclean convert {source} {gold_path} --id-prefix {prefix}`"
    )


def detection_path(output_path: PathLike, audit_path: PathLike | None = None) -> Path:
    """`<audit stem>.detection.json` next to the audit, else `detection.json` next to the output."""
    if audit_path is not None:
        audit_path = Path(audit_path)
        return audit_path.with_name(f"{audit_path.stem}.detection.json")
    return Path(output_path).parent / "detection.json"


def _spans(doc: Doc, mask: np.ndarray) -> list[Span]:
    """Maximal runs of True as spans."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(np.int8), [0]])))
    return [
        Span(doc, int(start), int(end)) for start, end in zip(edges[::2], edges[1::2])
    ]
