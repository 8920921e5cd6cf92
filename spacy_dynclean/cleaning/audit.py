"""The cleaning decision: what the cleaning does with one flagged item, from the
scores row to the audit line and back.

Audit format (`audit.jsonl`, `dynclean clean --audit`): one JSON object per flagged
item, in data order; within a doc, the training dynamics' decisions in scores order,
then those of dictionary entries, of capitalised words, then those of neighbours:

```
{"doc_id": "train:1", "tokens": ["Paris"], "start": 3, "end": 4, "label": "LOC",
 "aum": -1.5, "threshold": 0.5, "action": "removed_entity", "kind": "entity",
 "n_missing": 1, "repair": null}
```

`start` / `end` are token offsets, end exclusive; `n_missing` counts the item's tokens
that are missing after cleaning; `repair` is the type a repaired item got (`repair.py`).
The action follows from the kind and the repair (`ACTIONS`). Optional fields (absent in
audits of older versions): `becomes`, what a removed entity's tokens became
("missing" | "outside"), and `source`, what flagged the item: "aum" (its training
dynamics), "entry" (its dictionary entry, judged on dev: `cleaning/entries.py`),
"capitalised" (capitalised words running on from a kept entity: `name_edges.py`),
"neighbour" (a kept entity touching a flagged non-entity: `rules.with_neighbour_decisions`)
or "teacher" (an entity that self-training's teachers agree on: `self_training.py`). `read_audit` reads the
file back, each line through `Decision.from_line`.
"""

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import (
    Any,
)

import srsly
from spacy.tokens import Doc

from ..errors import DataError
from ..io.common import iter_json_lines
from ..util import PathLike, atomic_output

# the kinds of item a decision is taken on
ENTITY, NON_ENTITY = "entity", "non_entity"
# what an item's tokens become, its fate: missing (unknown) or outside (O)
MISSING, OUTSIDE = "missing", "outside"
REMOVED_ENTITY = "removed_entity"
MARKED_MISSING = "marked_missing"
RELABELED_ENTITY = "relabeled_entity"
ADDED_ENTITY = "added_entity"
# action → the kind of item it is taken on
ACTIONS = {
    REMOVED_ENTITY: ENTITY,
    MARKED_MISSING: NON_ENTITY,
    RELABELED_ENTITY: ENTITY,
    ADDED_ENTITY: NON_ENTITY,
}
REPAIR_ACTIONS = (RELABELED_ENTITY, ADDED_ENTITY)
# the actions as table columns, `ACTIONS` order
ACTION_HEADERS = ("Entities removed", "Marked missing", "Relabelled", "Added")
ACTION_TITLES = {
    REMOVED_ENTITY: "Entities removed",
    MARKED_MISSING: "Non-entities marked missing",
    RELABELED_ENTITY: "Entities relabeled (repair)",
    ADDED_ENTITY: "Entities added (repair)",
}
# what the tokens of a removed entity become
ENTITY_ACTIONS = (MISSING, OUTSIDE)
# what flagged an item
SOURCES = ("aum", "entry", "capitalised", "neighbour", "teacher")
# the sources of the decisions `dynclean clean` takes itself, beyond the scores' flags
CLEANING_SOURCES = ("entry", "capitalised", "neighbour")
LINE_FIELDS = {
    "doc_id": str,
    "tokens": list,
    "start": int,
    "end": int,
    "label": str,
    "action": str,
    "kind": str,
    "n_missing": int,
}
NOT_AN_AUDIT = "is this the audit JSONL written by `dynclean clean --audit`?"
Key = tuple[str, int, int, str]
AUDIT_DAMAGED = "the file is damaged: run `dynclean clean --audit` again"


@dataclass(eq=False)
class Decision:
    """One flagged item of a doc and what the cleaning does with it. `repair`: the
    type the item is relabelled to (an entity) or added as (a non-entity), None when
    it is removed / made missing. `becomes`: what a removed entity's tokens become
    (`ENTITY_ACTIONS`; None: the cleaning's `entity_action`); `source`: what flagged
    it (`SOURCES`). `tokens` and `n_missing` are known once the item is cleaned
    (`clean.clean_doc`); `accept` is the review's. Compared and hashed by identity."""

    doc_id: str
    kind: str
    start: int
    end: int
    label: str
    aum: float | None = None
    threshold: float | None = None
    repair: str | None = None
    tokens: list[str] | None = None
    n_missing: int = 0
    accept: bool = True
    becomes: str | None = None
    source: str = "aum"

    @property
    def action(self) -> str:
        entity = self.kind == ENTITY
        if self.repair:
            return RELABELED_ENTITY if entity else ADDED_ENTITY
        return REMOVED_ENTITY if entity else MARKED_MISSING

    @property
    def key(self) -> Key:
        """(doc_id, start, end, kind): the scores item the decision is taken on."""
        return self.doc_id, self.start, self.end, self.kind

    @classmethod
    def from_row(cls, row: Mapping[str, Any], repair: str | None = None) -> "Decision":
        """The decision on a flagged scores.jsonl row, before cleaning."""
        return cls(
            row["doc_id"],
            row["kind"],
            int(row["start"]),
            int(row["end"]),
            row["label"],
            row.get("aum"),
            row.get("threshold"),
            repair,
        )

    @classmethod
    def from_line(
        cls, line: Mapping[str, Any], path: PathLike, record: int
    ) -> "Decision":
        """The decision of an audit line; a line that is not one is refused."""
        for name, kind in LINE_FIELDS.items():
            if not is_a(line.get(name), kind):
                raise DataError(
                    path,
                    f"field {name!r} must be a {kind.__name__}, got {line.get(name)!r}",
                    record=record,
                    hint=NOT_AN_AUDIT,
                )
        if ACTIONS.get(line["action"]) != line["kind"]:
            raise DataError(
                path,
                f"action {line['action']!r} does not go with kind {line['kind']!r}",
                record=record,
            )
        return cls(
            line["doc_id"],
            line["kind"],
            line["start"],
            line["end"],
            line["label"],
            number(line.get("aum")),
            number(line.get("threshold")),
            repair_of(path, record, line),
            line["tokens"],
            line["n_missing"],
            becomes=becomes_of(path, record, line),
            source=source_of(path, record, line),
        )

    def to_line(self) -> dict[str, Any]:
        """The audit line of a cleaned decision."""
        return {
            "doc_id": self.doc_id,
            "tokens": self.tokens,
            "start": self.start,
            "end": self.end,
            "label": self.label,
            "aum": self.aum,
            "threshold": self.threshold,
            "action": self.action,
            "kind": self.kind,
            "n_missing": self.n_missing,
            "repair": self.repair or None,
            "becomes": self.becomes,
            "source": self.source,
        }

    def misfit(self, doc: Doc) -> str | None:
        """Why the decision is not one on `doc`, to follow "<label> at tokens …": its
        tokens are out of range, are other words than the audit says, or (an entity)
        are not an entity of the doc. None if it fits."""
        if not 0 <= self.start < self.end <= len(doc):
            return f"is out of range (doc {self.doc_id!r} has {len(doc)} tokens)"
        words = [t.text for t in doc[self.start : self.end]]
        if self.tokens is not None and words != self.tokens:
            return f"reads {words} in doc {self.doc_id!r}, not {self.tokens}"
        if self.kind == ENTITY and not any(
            (e.start, e.end, e.label_) == (self.start, self.end, self.label)
            for e in doc.ents
        ):
            return f"is not an entity of doc {self.doc_id!r}"
        return None


# the audit's decisions by doc id, each with its line number
Audit = dict[str, list[tuple[int, Decision]]]


def read_audit(path: PathLike) -> Audit:
    """The audit's decisions grouped by doc id, each with its line number; bad lines
    are refused with the line number."""
    groups: Audit = {}
    for n, line in iter_json_lines(path, AUDIT_DAMAGED):
        decision = Decision.from_line(line, path, n)
        groups.setdefault(decision.doc_id, []).append((n, decision))
    return groups


def count_actions(decisions: Iterable[Decision]) -> dict[str, int]:
    """The number of decisions of each action, every action listed (`ACTIONS` order)."""
    counts = dict.fromkeys(ACTIONS, 0)
    for decision in decisions:
        counts[decision.action] += 1
    return counts


SOURCE_TITLES = {  # at most 30 characters: a table column
    "aum": "AUM below the cut (dynamics)",
    "entry": "dictionary entry (dev)",
    "capitalised": "capitalised word next to it",
    "neighbour": "neighbour rule",
    "teacher": "self-training teachers",
}


def count_by_source(decisions: Iterable[Decision]) -> dict[str, dict[str, int]]:
    """The number of decisions of each action, per source (`SOURCES` order; only the
    sources that took a decision)."""
    counts = {source: dict.fromkeys(ACTIONS, 0) for source in SOURCES}
    for decision in decisions:
        counts[decision.source][decision.action] += 1
    return {source: n for source, n in counts.items() if any(n.values())}


def source_summary(by_source: Mapping[str, Mapping[str, int]]) -> str:
    """One sentence: how many entities were removed and words made missing, and by
    which source (most first)."""
    parts = []
    for action, what in (
        (REMOVED_ENTITY, "entities removed"),
        (MARKED_MISSING, "non-entities made missing"),
    ):
        counts = {s: c[action] for s, c in by_source.items() if c[action]}
        shares = ", ".join(
            f"{n:,} by {SOURCE_TITLES[s]}"
            for s, n in sorted(counts.items(), key=lambda item: -item[1])
        )
        parts.append(
            f"{sum(counts.values()):,} {what}" + (f" ({shares})" if shares else "")
        )
    return "; ".join(parts)


def source_rows(by_source: Mapping[str, Mapping[str, int]]) -> list[list[Any]]:
    """One row per source: its title, then its count of every action (`ACTIONS`
    order), then a total row: the table `clean` and the report show."""
    rows = [
        [SOURCE_TITLES[source], *(counts[a] for a in ACTIONS)]
        for source, counts in by_source.items()
    ]
    totals = [sum(row[i + 1] for row in rows) for i in range(len(ACTIONS))]
    return rows + [["all", *totals]]


def entity_action_of(decisions: Iterable[Decision]) -> str:
    """The cleaning's entity action, read from its decisions: "outside" if an entity
    the training dynamics removed (source "aum", not relabelled; the other sources
    choose what their tokens become themselves) left tokens that are not missing,
    else "missing"."""
    shrunk = any(
        d.kind == ENTITY
        and d.source == "aum"
        and not d.repair
        and d.n_missing < d.end - d.start
        for d in decisions
    )
    return OUTSIDE if shrunk else MISSING


@contextmanager
def audit_writer(
    path: PathLike | None,
) -> Iterator[Callable[[Sequence[Decision]], None]]:
    """A function writing the audit lines of cleaned decisions to `path` (atomically,
    on success), or a no-op."""
    if path is None:
        yield lambda decisions: None
        return
    with atomic_output(path) as tmp, tmp.open("w", encoding="utf8") as file_:
        yield lambda decisions: file_.writelines(
            srsly.json_dumps(d.to_line()) + "\n" for d in decisions
        )


def repair_of(
    path: PathLike, record: int, value: Mapping[str, Any], where: str = "field"
) -> str | None:
    """The repair type of an audit line or review decision: a string for the repair
    actions, else None."""
    repair = value.get("repair")
    repaired = value["action"] in REPAIR_ACTIONS
    if repaired != isinstance(repair, str):
        raise DataError(
            path,
            f"{where} 'repair' must be {'a type' if repaired else 'null'} for action "
            f"{value['action']!r}, got {repair!r}",
            record=record,
        )
    return repair


def becomes_of(
    path: PathLike, record: int, value: Mapping[str, Any], where: str = "field"
) -> str | None:
    """What a removed entity's tokens became, from an audit line or review decision:
    one of `ENTITY_ACTIONS`, or None where the line does not say."""
    becomes = value.get("becomes")
    if becomes is not None and becomes not in ENTITY_ACTIONS:
        raise DataError(
            path,
            f"{where} 'becomes' must be one of {ENTITY_ACTIONS} or null, got {becomes!r}",
            record=record,
        )
    return becomes


def source_of(
    path: PathLike, record: int, value: Mapping[str, Any], where: str = "field"
) -> str:
    """What flagged the item of an audit line or review decision ("aum" if unsaid)."""
    source = value.get("source", "aum")
    if source not in SOURCES:
        raise DataError(
            path,
            f"{where} 'source' must be one of {SOURCES}, got {source!r}",
            record=record,
        )
    return source


def is_a(value: Any, kind: type) -> bool:
    """isinstance for JSON values: a bool is no int."""
    return isinstance(value, kind) and (kind is bool or not isinstance(value, bool))


def number(value: Any) -> float | None:
    """A JSON number as a float, anything else as None."""
    return (
        float(value)
        if isinstance(value, (int, float)) and not isinstance(value, bool)
        else None
    )
