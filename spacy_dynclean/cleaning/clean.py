"""Flags → cleaned Docs and audit lines.

A flagged entity is removed and its tokens become missing (or O with
`entity_action="outside"`). A flagged non-entity token/span becomes missing, never O:
we only know its label is doubtful, not what it should be. Where a flagged
non-entity span overlaps an entity that is kept, the entity wins and only the
non-overlapping tokens become missing. Missing tokens also win over "outside" when a
removed entity overlaps a flagged non-entity span. Every doc is kept, in order.
"""
import hashlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np
import srsly
from spacy.tokens import Doc, Span

from ..dynamics.records import FINGERPRINT_VERSION, fingerprint_docs
from ..errors import DataError, MismatchError
from ..io.docbin import iter_docbin, write_docbin
from ..io.ids import get_doc_id, sample_key
from ..util import atomic_output
from ..scoring.scores import iter_score_rows, read_scores, read_thresholds
from .detection import detection_metrics
from .repair import RepairRule, mark_repairs, place_repairs, token_mask

ENTITY_ACTIONS = ("missing", "outside")
SAME_DOCS = "--gold needs the gold labels of the very docs that were cleaned, tokenised the same way"
FLAG_FIELDS = ("kind", "start", "end", "label", "aum", "threshold", "preferred", "preferred_share")
PathLike = Union[str, Path]
Flag = Mapping[str, Any]


@dataclass
class CleanReport:
    """What a cleaning pass changed."""

    n_docs: int = 0
    n_changed_docs: int = 0
    removed_entities: int = 0
    marked_missing: int = 0
    relabeled_entities: int = 0
    added_entities: int = 0
    missing_tokens: int = 0
    notes: List[str] = field(default_factory=list)

    def add(self, audit: List[Dict[str, Any]], n_missing: int) -> None:
        self.n_docs += 1
        self.n_changed_docs += bool(audit)
        self.removed_entities += sum(line["action"] == "removed_entity" for line in audit)
        self.marked_missing += sum(line["action"] == "marked_missing" for line in audit)
        self.relabeled_entities += sum(line["action"] == "relabeled_entity" for line in audit)
        self.added_entities += sum(line["action"] == "added_entity" for line in audit)
        self.missing_tokens += n_missing

    def counts(self) -> Dict[str, int]:
        """The counts, as metrics.json reports them."""
        return {"removed_entities": self.removed_entities, "marked_missing": self.marked_missing,
                "relabeled_entities": self.relabeled_entities, "added_entities": self.added_entities,
                "missing_tokens": self.missing_tokens, "docs": self.n_docs, "changed_docs": self.n_changed_docs}


def flags_by_doc(rows: Iterable[Flag]) -> Dict[str, List[Flag]]:
    """Flagged entity / non-entity rows (scores.jsonl rows), grouped by doc id,
    with only the fields cleaning uses (`FLAG_FIELDS`)."""
    groups: Dict[str, List[Flag]] = {}
    for row in rows:
        if row["flagged"] and row["kind"] in ("entity", "non_entity"):
            groups.setdefault(row["doc_id"], []).append({name: row.get(name) for name in FLAG_FIELDS})
    return groups


def clean_doc(doc: Doc, flags: Sequence[Flag], entity_action: str = "missing") -> List[Dict[str, Any]]:
    """Apply the flags of one doc in place; return its audit lines. A flag with a
    `repair` type is relabelled instead of removed / made missing (`repair.py`)."""
    doc_id = sample_key(doc)
    ents = {(e.start, e.end, e.label_): e for e in doc.ents}
    checked = [_check_flag(doc_id, len(doc), ents, flag) for flag in flags]
    on_entity = {key: flag for flag, key in zip(flags, checked) if flag["kind"] == "entity"}
    removed = {key for key, flag in on_entity.items() if not flag.get("repair")}
    kept = [key[:2] + (on_entity[key]["repair"],) if key in on_entity else key for key in ents if key not in removed]
    repairs = [flag for flag in flags if flag["kind"] == "non_entity" and flag.get("repair")]
    entities, placed = place_repairs(
        len(doc), kept, [(int(f["start"]), int(f["end"]), f["repair"], f["aum"]) for f in repairs])
    in_entities = token_mask(len(doc), [(start, end) for start, end, _ in entities])
    in_removed = token_mask(len(doc), [(start, end) for start, end, _ in removed])
    flagged_neg = token_mask(len(doc), [(f["start"], f["end"]) for f in flags if f["kind"] == "non_entity"])
    missing = (flagged_neg | (in_removed & (entity_action == "missing"))) & ~in_entities
    outside = in_removed & ~missing & ~in_entities
    spans = [Span(doc, start, end, label=label) for start, end, label in entities]
    doc.set_ents(spans, missing=_spans(doc, missing), outside=_spans(doc, outside), default="unmodified")
    repaired = {id(flag) for flag in on_entity.values() if flag.get("repair")}
    repaired |= {id(repairs[i]) for i in placed}
    return [_audit_line(doc, doc_id, flag, missing, id(flag) in repaired) for flag in flags]


def clean_docs(
    docs: Iterable[Doc], flags: Mapping[str, Sequence[Flag]], entity_action: str = "missing"
) -> Iterator[Tuple[Doc, List[Dict[str, Any]]]]:
    """Yield every doc (cleaned in place) with its audit lines, in order. After the
    last doc, refuse flags for doc ids the data does not have."""
    if entity_action not in ENTITY_ACTIONS:
        raise DataError("--entity-action", f"must be one of {ENTITY_ACTIONS}, not {entity_action!r}")
    seen = set()
    for doc in docs:
        doc_id = sample_key(doc)
        if doc_id in flags:  # only flagged ids: memory stays flat however many docs stream by
            seen.add(doc_id)
        yield doc, clean_doc(doc, flags.get(doc_id, []), entity_action)
    unseen = [doc_id for doc_id in flags if doc_id not in seen]
    if unseen:
        raise MismatchError(f"{len(unseen)} flagged doc(s) are not in the data, e.g. {unseen[0]!r}: "
                            "the data and the scores do not belong together")


def clean_docbin(
    data_path: PathLike,
    scores_dir: PathLike,
    output_path: PathLike,
    audit_path: Optional[PathLike] = None,
    entity_action: str = "missing",
    repair: Optional[RepairRule] = None,
    shard_size: Optional[int] = None,
    gold_path: Optional[PathLike] = None,
) -> CleanReport:
    """Clean a .spacy file or folder with a scores folder's flags, streamed; write the
    cleaned data (a .spacy file, or a folder of shards: see `io.docbin.write_docbin`)
    and the audit JSONL, atomically. `gold_path`: gold docs for `detection_report`,
    refused (`check_gold`) before anything is written."""
    report = CleanReport()
    thresholds = read_thresholds(scores_dir)
    report.notes.extend(check_fingerprint(data_path, scores_dir, thresholds))
    if gold_path is not None:
        check_gold(data_path, gold_path)
    flags = flags_by_doc(iter_score_rows(scores_dir))
    if repair is not None:
        flags = mark_repairs(flags, repair, thresholds["entity_types"])
    with _audit_writer(audit_path) as write_audit:
        cleaned = clean_docs(iter_docbin(data_path), flags, entity_action)
        write_docbin(_audited(cleaned, write_audit, report), output_path, shard_size)
    return report


def _audited(cleaned: Iterable[Tuple[Doc, List[Dict[str, Any]]]], write_audit: Callable[[List[Dict[str, Any]]], None],
             report: CleanReport) -> Iterator[Doc]:
    """The cleaned docs; their audit lines are written and counted on the way."""
    for doc, audit in cleaned:
        write_audit(audit)
        report.add(audit, sum(line["n_missing"] for line in audit))
        yield doc


def detection_report(scores_dir: PathLike, gold_path: PathLike, report_path: PathLike) -> Dict[str, Any]:
    """Detection metrics of a scores folder against a gold DocBin, written as JSON."""
    metrics = detection_metrics(read_scores(scores_dir).table, iter_docbin(gold_path))
    with atomic_output(report_path) as tmp:
        srsly.write_json(tmp, metrics)
    return metrics


def check_gold(data_path: PathLike, gold_path: PathLike) -> None:
    """Refuse gold docs that are not the data's docs: the same ids (in any order), each
    with the same words. Streamed: only an id, a length and a hash per data doc are held."""
    data: Dict[str, Tuple[int, int, bytes]] = {}
    for n, doc in enumerate(iter_docbin(data_path), start=1):
        data.setdefault(sample_key(doc), (n, len(doc), _words_hash(doc)))
    seen: Dict[str, int] = {}
    for n, doc in enumerate(iter_docbin(gold_path), start=1):
        doc_id = sample_key(doc)
        if doc_id in seen:
            raise DataError(gold_path, f"sample id {doc_id!r} is also used by record {seen[doc_id]}", record=n)
        seen[doc_id] = n
        if doc_id not in data:
            problem = f"doc {doc_id!r} is not a doc of the data {data_path}"
            raise DataError(gold_path, problem, record=n, hint=_id_hint(data, doc, gold_path))
        record, length, words = data[doc_id]
        where = f"{data_path} (record {record})"
        if len(doc) != length:
            problem = f"doc {doc_id!r} has {len(doc)} tokens, {length} in {where}"
            raise DataError(gold_path, problem, record=n, hint=SAME_DOCS)
        if _words_hash(doc) != words:
            data_words = [t.text for t in next(islice(iter_docbin(data_path), record - 1, None))]
            i, word = next((i, t.text) for i, t in enumerate(doc) if t.text != data_words[i])
            problem = (f"doc {doc_id!r} differs from {where} at token {i}: {word!r} in the gold file, "
                       f"{data_words[i]!r} in the data")
            raise DataError(gold_path, problem, record=n, hint=SAME_DOCS)
    missing = next((key for key in data if key not in seen), None)
    if missing is not None:
        problem = f"holds {len(seen)} of the {len(data)} docs of {data_path}; it lacks {missing!r} (record {data[missing][0]})"
        raise DataError(gold_path, problem, hint=SAME_DOCS)


def _words_hash(doc: Doc) -> bytes:
    return hashlib.blake2b("\u241f".join(t.text for t in doc).encode("utf8"), digest_size=16).digest()


def _id_hint(data: Mapping[str, Tuple[int, int, bytes]], gold_doc: Doc, gold_path: PathLike) -> str:
    """How to give the gold docs the data's ids: convert with the data's --id-prefix."""
    data_id = next(iter(data))
    prefix, sep, _ = data_id.rpartition(":")
    if not sep or not prefix:
        return f"the gold docs need the ids of the data's docs, e.g. {data_id!r}"
    gold_id = get_doc_id(gold_doc) or ""
    source = f"{gold_id.rpartition(':')[0]}.json" if ":" in gold_id else "GOLD_SOURCE"
    return (f"the data's ids look like {data_id!r}: convert the gold file with the --id-prefix of its distant twin, "
            f"e.g. `dynclean convert {source} {gold_path} --id-prefix {prefix}`")


def detection_path(output_path: PathLike, audit_path: Optional[PathLike] = None) -> Path:
    """`<audit stem>.detection.json` next to the audit, else `detection.json` next to the output."""
    if audit_path is not None:
        audit_path = Path(audit_path)
        return audit_path.with_name(f"{audit_path.stem}.detection.json")
    return Path(output_path).parent / "detection.json"


def check_fingerprint(data_path: PathLike, scores_dir: PathLike, thresholds: Mapping[str, Any]) -> List[str]:
    """Refuse data whose fingerprint differs from the scores'; returns notes."""
    expected = thresholds.get("fingerprint")
    if not expected:
        return [f"fingerprint not checked: {scores_dir} has none"]
    if len(expected) == 64 and not expected.startswith(FINGERPRINT_VERSION):  # a bare sha256: before v2
        raise MismatchError(f"{scores_dir} was scored by an older spacy-dynclean (its data fingerprint has another "
                            "format): run `dynclean dynamics` and `dynclean score` again")
    found = fingerprint_docs(iter_docbin(data_path), thresholds.get("entity_types", thresholds.get("labels")))
    if found != expected:
        raise MismatchError(f"{data_path} is not the data {scores_dir} was scored on: other docs, another "
                            f"version of them or other labels (fingerprint {found[:12]} != {expected[:12]}); "
                            "pass the data `dynclean dynamics` trained on, or run dynamics and score on this data")
    return []


def _check_flag(doc_id: str, n_tokens: int, ents: Mapping[Tuple[int, int, str], Span],
                flag: Flag) -> Tuple[int, int, str]:
    """The flag's (start, end, label), refused if out of range or (for an entity)
    not an entity of the doc."""
    start, end, label = int(flag["start"]), int(flag["end"]), flag["label"]
    if not 0 <= start < end <= n_tokens:
        raise MismatchError(f"doc {doc_id!r}: flagged {flag['kind']} at tokens {start}-{end} is out of "
                            f"range (the doc has {n_tokens} tokens): the data and the scores differ")
    if flag["kind"] == "entity" and (start, end, label) not in ents:
        raise MismatchError(f"doc {doc_id!r}: flagged entity {label} at tokens {start}-{end} is not an "
                            "entity of the data: the data and the scores differ")
    return start, end, label


def _audit_line(doc: Doc, doc_id: str, flag: Flag, missing: np.ndarray, repaired: bool) -> Dict[str, Any]:
    start, end = int(flag["start"]), int(flag["end"])
    entity = flag["kind"] == "entity"
    action = ("relabeled_entity" if entity else "added_entity") if repaired else (
        "removed_entity" if entity else "marked_missing")
    return {
        "doc_id": doc_id, "tokens": [t.text for t in doc[start:end]], "start": start, "end": end,
        "label": flag["label"], "aum": flag["aum"], "threshold": flag["threshold"],
        "action": action, "kind": flag["kind"], "n_missing": int(missing[start:end].sum()),
        "repair": flag["repair"] if repaired else None,
    }


def _spans(doc: Doc, mask: np.ndarray) -> List[Span]:
    """Maximal runs of True as spans."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(np.int8), [0]])))
    return [Span(doc, int(start), int(end)) for start, end in zip(edges[::2], edges[1::2])]


@contextmanager
def _audit_writer(path: Optional[PathLike]) -> Iterator[Callable[[List[Dict[str, Any]]], None]]:
    """A function writing audit lines to `path` (atomically, on success), or a no-op."""
    if path is None:
        yield lambda lines: None
        return
    with atomic_output(path) as tmp, tmp.open("w", encoding="utf8") as file_:
        yield lambda lines: file_.writelines(srsly.json_dumps(line) + "\n" for line in lines)
