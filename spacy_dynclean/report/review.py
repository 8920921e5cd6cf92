"""The cleaning decisions (`cleaning.audit.Decision`), doc by doc: read from the
audit (`cleaning.audit.read_audit`), exported for review as Prodigy-style JSONL, and applied back to the original
DocBin once reviewed.

Review format (`review.jsonl`): one JSON object per line, one line per doc with at
least one decision, in the order of the data:

```
{"text": "Alice lives in Paris ",
 "tokens": [{"text": "Alice", "start": 0, "end": 5, "id": 0, "ws": true}, ...],
 "spans": [{"start": 0, "end": 5, "token_start": 0, "token_end": 0, "label": "PER"}],
 "meta": {"doc_id": "train:1", "aum": -1.2, "threshold": 0.5, "action": "removed_entity",
          "kind": "entity", "entity_action": "missing", "n_decisions": 1,
          "decisions": [{"id": "train:1#0", "action": "removed_entity", "kind": "entity",
                         "label": "LOC", "text": "Paris", "start": 15, "end": 20,
                         "token_start": 3, "token_end": 3, "aum": -1.2, "threshold": 0.5,
                         "n_missing": 1, "accept": true}]},
 "answer": "accept"}
```

- `tokens` / `spans` follow Prodigy: character offsets with `end` exclusive, token
  indices with `token_end` *inclusive*. `spans` is the proposal: the entities the
  cleaning keeps. Missing tokens have no span form; the decisions say which they are.
- `meta.aum` / `threshold` / `action` / `kind` are those of the doc's lowest-AUM
  decision (for sorting and display); `meta.decisions` lists every decision, with the
  same offset conventions, its own `id` (`<doc_id>#<k>`) and `accept`.
- `meta.entity_action`: what the tokens of a removed entity become ("missing", or
  "outside" when the data was cleaned with `--entity-action outside`).
- Each decision may also carry `becomes` (what its removed entity's tokens become, where
  it says so itself: a dictionary entry's "outside") and `source` (what flagged it:
  "aum", "entry", "capitalised", "neighbour" or "teacher"; `cleaning.audit`). A
  decision per dictionary entry is taken in the entry table instead: edit its `action`
  in `entries.jsonl` and run `dynclean clean` again.

Applying a reviewed file (`apply_review`), per line:
- `answer` "accept": a decision with `accept: true` is applied (the entity removed,
  the non-entity tokens made missing), one with `accept: false` is rejected: that
  item keeps its original annotation. A removed entity whose span (token_start,
  token_end, label) is back in `spans` counts as rejected too: that is how a span
  editor rejects a removal.
- `answer` "reject" or "ignore": every decision of the doc is rejected.
- Other edits of `spans` (entities added, or kept entities deleted) are not applied;
  they are listed in `ApplyResult.ignored_span_edits`. A decision deleted from
  `meta.decisions` is not applied either.
Docs without a line are copied unchanged; every doc is kept, in order.
"""

import math
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import srsly
from spacy.tokens import Doc

from ..cleaning.apply import clean_doc
from ..cleaning.audit import (
    ACTIONS,
    ENTITY_ACTIONS,
    Audit,
    Decision,
    becomes_of,
    entity_action_of,
    is_a,
    number,
    repair_of,
    source_of,
)
from ..errors import DataError
from ..io.common import iter_json_lines
from ..io.docbin import (
    docbin_paths,
    entity_labels,
    iter_docbin_as_stored,
    output_shard_size,
    write_docbin,
)
from ..io.ids import sample_key
from ..io.labels import check_label_sets
from ..util import PathLike, atomic_output

ANSWERS = ("accept", "reject", "ignore")
BELONG = "the audit and the data do not belong together"
EDITED = "fix the line, or export the review again with `dynclean report`"


@dataclass
class FlaggedDoc:
    """A doc with decisions: the original annotation, the cleaned copy, the decisions."""

    doc_id: str
    index: int
    original: Doc
    cleaned: Doc
    decisions: list[Decision]

    @property
    def lowest(self) -> Decision:
        """The decision with the lowest AUM (unknown AUMs last)."""
        return min(self.decisions, key=lambda d: _sort_aum(d.aum))

    @property
    def entity_action(self) -> str:
        return entity_action_of(self.decisions)

    @property
    def rank(self) -> tuple[float, int]:
        """Sort key: lowest AUM first (unknown AUMs last), then data order."""
        return _sort_aum(self.lowest.aum), self.index


@dataclass
class ApplyResult:
    """What `apply_review` did."""

    n_docs: int = 0
    n_reviewed: int = 0
    accepted: int = 0
    rejected: int = 0
    ignored_span_edits: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- audit → flagged docs


def flagged_docs(
    docs: Iterable[Doc], audit: Audit, data_path: PathLike, audit_path: PathLike
) -> list[FlaggedDoc]:
    """The docs of the data that have audit lines, in data order, each with its
    decisions and a cleaned copy. Refuses audit lines that do not fit the data."""
    found: list[FlaggedDoc] = []
    for index, doc in enumerate(docs):
        doc_id = sample_key(doc)
        if doc_id not in audit:
            continue
        for n, d in audit[doc_id]:
            problem = d.misfit(doc)
            if problem is not None:
                raise DataError(
                    audit_path,
                    f"{d.label} at tokens {d.start}-{d.end} {problem}",
                    record=n,
                    hint=BELONG,
                )
        decisions = [d for _, d in audit[doc_id]]
        found.append(
            FlaggedDoc(
                doc_id,
                index,
                doc,
                cleaned_copy(doc, decisions, entity_action_of(decisions)),
                decisions,
            )
        )
    seen = {item.doc_id for item in found}
    for doc_id, lines in audit.items():
        if doc_id not in seen:
            raise DataError(
                audit_path,
                f"doc {doc_id!r} is not in {data_path}",
                record=lines[0][0],
                hint=BELONG,
            )
    return found


def cleaned_copy(doc: Doc, decisions: Iterable[Decision], entity_action: str) -> Doc:
    """A copy of `doc` with the accepted decisions applied."""
    copy = doc.copy()
    clean_doc(copy, [d for d in decisions if d.accept], entity_action)
    return copy


# ---------------------------------------------------------------- export


def review_task(item: FlaggedDoc) -> dict[str, Any]:
    """One review.jsonl line (see the module docstring)."""
    doc, lowest = item.original, item.lowest
    tokens = [
        {
            "text": t.text,
            "start": t.idx,
            "end": t.idx + len(t),
            "id": t.i,
            "ws": bool(t.whitespace_),
        }
        for t in doc
    ]
    spans = [_span(doc, e.start, e.end, e.label_) for e in item.cleaned.ents]
    decisions = [
        {
            "id": f"{item.doc_id}#{k}",
            "action": d.action,
            "kind": d.kind,
            "label": d.label,
            "text": doc[d.start : d.end].text,
            **_span(doc, d.start, d.end, None),
            "aum": d.aum,
            "threshold": d.threshold,
            "n_missing": d.n_missing,
            "accept": d.accept,
            "repair": d.repair,
            "becomes": d.becomes,
            "source": d.source,
        }
        for k, d in enumerate(item.decisions)
    ]
    meta = {
        "doc_id": item.doc_id,
        "aum": lowest.aum,
        "threshold": lowest.threshold,
        "action": lowest.action,
        "kind": lowest.kind,
        "entity_action": item.entity_action,
        "n_decisions": len(decisions),
        "decisions": decisions,
    }
    return {
        "text": doc.text,
        "tokens": tokens,
        "spans": spans,
        "meta": meta,
        "answer": "accept",
    }


def write_review(items: Iterable[FlaggedDoc], path: PathLike) -> int:
    """Write review.jsonl atomically; returns the number of lines."""
    lines = [review_task(item) for item in items]
    with atomic_output(path) as tmp:
        srsly.write_jsonl(tmp, lines)
    return len(lines)


def _span(doc: Doc, start: int, end: int, label: str | None) -> dict[str, Any]:
    span = doc[start:end]
    out = {
        "start": span.start_char,
        "end": span.end_char,
        "token_start": start,
        "token_end": end - 1,
    }
    return out if label is None else {**out, "label": label}


# ---------------------------------------------------------------- apply


def apply_review(
    original_path: PathLike,
    review_path: PathLike,
    output_path: PathLike,
    shard_size: int | None = None,
) -> ApplyResult:
    """Apply a reviewed review.jsonl to the original data (a .spacy file or folder of
    shards, streamed) and write the final data atomically: a .spacy file, or a folder
    of shards (see `io.docbin.write_docbin`). See the module docstring for the rules."""
    output_shard_size(
        Path(output_path), shard_size
    )  # refuse a bad output before reading
    docbin_paths(original_path)  # and missing data
    tasks: dict[str, tuple[int, dict[str, Any]]] = {}
    for n, task in iter_json_lines(review_path, EDITED):
        doc_id = _doc_id(review_path, n, task)
        if doc_id in tasks:
            raise DataError(
                review_path,
                f"doc {doc_id!r} was already reviewed on line {tasks[doc_id][0]}",
                record=n,
            )
        tasks[doc_id] = (n, task)
    check_label_sets(
        entity_labels(original_path),
        str(original_path),
        review_labels(task for _, task in tasks.values()),
        str(review_path),
        fix="a review may use the data's types only: fix the spans' and decisions' labels",
        subset=True,
    )
    result = ApplyResult()
    docs = _reviewed_docs(
        iter_docbin_as_stored(original_path), tasks, original_path, review_path, result
    )
    write_docbin(docs, output_path, shard_size)
    return result


def review_labels(tasks: Iterable[Mapping[str, Any]]) -> Counter:
    """The entity types a review's tasks name: their spans' labels and their
    decisions' labels and repair types (malformed values are left to the parser)."""
    labels: Counter = Counter()
    for task in tasks:
        meta = task.get("meta")
        decisions = meta.get("decisions") if isinstance(meta, dict) else None
        for value in _items(task.get("spans")) + _items(decisions):
            for name in ("label", "repair"):
                label = value.get(name)
                if isinstance(label, str) and label != "O":
                    labels[label] += 1
    return labels


def _items(values: Any) -> list[dict[str, Any]]:
    """The objects of a list (nothing if it is not one)."""
    return (
        [v for v in values if isinstance(v, dict)] if isinstance(values, list) else []
    )


def _reviewed_docs(
    docs: Iterable[Doc],
    tasks: Mapping[str, tuple[int, dict[str, Any]]],
    original_path: PathLike,
    review_path: PathLike,
    result: ApplyResult,
) -> Iterator[Doc]:
    """Every doc, in order, with its review line (if any) applied; counted in `result`.
    After the last doc, refuse review lines for docs the data does not have."""
    seen: set[str] = set()
    for doc in docs:
        result.n_docs += 1
        doc_id = sample_key(doc)
        if doc_id in tasks and doc_id not in seen:
            seen.add(doc_id)
            n, task = tasks[doc_id]
            entity_action = _entity_action(review_path, n, task)
            decisions = _reviewed_decisions(
                review_path, n, task, doc, entity_action, result
            )
            clean_doc(doc, [d for d in decisions if d.accept], entity_action)
            result.n_reviewed += 1
            result.accepted += sum(d.accept for d in decisions)
            result.rejected += sum(not d.accept for d in decisions)
        yield doc
    unseen = sorted(
        (n, doc_id) for doc_id, (n, _) in tasks.items() if doc_id not in seen
    )
    if unseen:
        n, doc_id = unseen[0]
        raise DataError(
            review_path,
            f"doc {doc_id!r} is not in {original_path}",
            record=n,
            hint="review files apply to the data they were exported from",
        )


def _reviewed_decisions(
    path: PathLike,
    n: int,
    task: Mapping[str, Any],
    doc: Doc,
    entity_action: str,
    result: ApplyResult,
) -> list[Decision]:
    """The line's decisions with `accept` resolved; records ignored span edits."""
    answer = task.get("answer")
    if answer not in ANSWERS:
        raise DataError(
            path, f"'answer' must be one of {ANSWERS}, got {answer!r}", record=n
        )
    words = [
        t.get("text") if isinstance(t, dict) else t
        for t in _list(path, n, task, "tokens")
    ]
    if words != [t.text for t in doc]:
        raise DataError(
            path,
            f"the tokens differ from those of doc {sample_key(doc)!r}",
            record=n,
            hint="review files apply to the data they were exported from",
        )
    raw = _list(path, n, task["meta"], "decisions", "meta.decisions")
    decisions = [_parse_decision(path, n, k, value, doc) for k, value in enumerate(raw)]
    spans = {
        _span_key(path, n, value, len(doc)) for value in _list(path, n, task, "spans")
    }
    proposal_doc = doc.copy()  # what was exported: every decision applied
    clean_doc(proposal_doc, decisions, entity_action)
    proposal = {(e.start, e.end, e.label_) for e in proposal_doc.ents}
    for d in decisions:
        restored = d.kind == "entity" and (d.start, d.end, d.label) in spans
        d.accept = d.accept and answer == "accept" and not restored
    if answer == "accept":
        removals = {(d.start, d.end, d.label) for d in decisions if d.kind == "entity"}
        for start, end, label in sorted((spans ^ proposal) - removals):
            verb = "added" if (start, end, label) in spans else "deleted"
            result.ignored_span_edits.append(
                f"{path}, record {n}: {label} span token_start {start}, "
                f"token_end {end - 1} {verb}"
            )
    return decisions


def _parse_decision(path: PathLike, n: int, k: int, value: Any, doc: Doc) -> Decision:
    where = f"meta.decisions[{k}]"
    if not isinstance(value, dict):
        raise DataError(path, f"{where} must be an object, got {value!r}", record=n)
    for name, kind in (
        ("id", str),
        ("action", str),
        ("label", str),
        ("token_start", int),
        ("token_end", int),
        ("accept", bool),
    ):
        if not is_a(value.get(name), kind):
            raise DataError(
                path,
                f"{where}.{name} must be a {kind.__name__}, got {value.get(name)!r}",
                record=n,
            )
    if value["action"] not in ACTIONS:
        raise DataError(
            path,
            f"{where}.action must be one of {tuple(ACTIONS)}, got {value['action']!r}",
            record=n,
        )
    start, end = value["token_start"], value["token_end"] + 1
    decision = Decision(
        sample_key(doc),
        ACTIONS[value["action"]],
        start,
        end,
        value["label"],
        number(value.get("aum")),
        number(value.get("threshold")),
        repair_of(path, n, value, where),
        n_missing=int(value.get("n_missing") or 0),
        accept=value["accept"],
        becomes=becomes_of(path, n, value, where),
        source=source_of(path, n, value, where),
    )
    problem = decision.misfit(doc)
    if problem is not None:
        raise DataError(
            path,
            f"{where}: {decision.label} at token_start {start} / token_end {end - 1} {problem}",
            record=n,
        )
    return decision


def _doc_id(path: PathLike, n: int, task: Mapping[str, Any]) -> str:
    meta = task.get("meta")
    if not isinstance(meta, dict) or not isinstance(meta.get("doc_id"), str):
        raise DataError(
            path,
            "meta.doc_id is missing: cannot tell which doc this line reviews",
            record=n,
        )
    return meta["doc_id"]


def _entity_action(path: PathLike, n: int, task: Mapping[str, Any]) -> str:
    action = task["meta"].get("entity_action", "missing")
    if action not in ENTITY_ACTIONS:
        raise DataError(
            path,
            f"meta.entity_action must be one of {ENTITY_ACTIONS}, got {action!r}",
            record=n,
        )
    return action


def _span_key(
    path: PathLike, n: int, value: Any, n_tokens: int
) -> tuple[int, int, str]:
    """(start, end exclusive, label) of a Prodigy span, in tokens."""
    ok = isinstance(value, dict) and all(
        isinstance(value.get(k), int) for k in ("token_start", "token_end")
    )
    if not ok or not isinstance(value.get("label"), str):
        raise DataError(
            path, f"span {value!r} needs token_start, token_end and label", record=n
        )
    start, end = value["token_start"], value["token_end"] + 1
    if not 0 <= start < end <= n_tokens:
        raise DataError(
            path,
            f"span {value!r} is out of range (the doc has {n_tokens} tokens)",
            record=n,
        )
    return start, end, value["label"]


def _list(
    path: PathLike, n: int, obj: Mapping[str, Any], key: str, name: str | None = None
) -> list[Any]:
    value = obj.get(key)
    if not isinstance(value, list):
        raise DataError(
            path, f"{name or key!r} must be a list, got {value!r}", record=n
        )
    return value


# ---------------------------------------------------------------- shared


def _sort_aum(aum: float | None) -> float:
    return math.inf if aum is None or aum != aum else aum
