"""AUM and data-map figures from a margin-records folder, and the items they judge.

A records folder is read by `io.records` (numpy and srsly alone), so scoring does not
depend on the component's code. The only head-specific part is `token_items` /
`span_items`: records in, an `ItemTable` of numpy columns out.
"""

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import DataError, DynCleanError
from ..io.records import Records

KINDS = ("entity", "non_entity", "fake_pos", "fake_neg")
ENTITY, NON_ENTITY, FAKE_POS, FAKE_NEG = range(4)
ENTITY_AGGS = ("mean", "min")
STAT_COLUMNS = ("aum", "confidence", "variability", "correctness")
PREFERENCE_COLUMNS = ("preferred", "preferred_share")
# BILUO prefixes as codes; "O" (and anything unknown) is 0.
_PREFIXES = {"B": 1, "I": 2, "L": 3, "U": 4}
_OPEN = (_PREFIXES["B"], _PREFIXES["I"])  # a token that an I/L token may continue
_CONTINUING = (_PREFIXES["I"], _PREFIXES["L"])


@dataclass
class ItemTable:
    """Items (entities, non-entity tokens/spans, threshold samples) as numpy columns.

    `doc` indexes `doc_ids`; `label` (the trained type, "O" for non-entities) and
    `original` (the type in the data) index `labels`; `kind` indexes `KINDS`.
    """

    columns: dict[str, np.ndarray]
    labels: list[str]
    doc_ids: list[str]
    head: str
    fake_label: str | None = None
    notes: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.columns["doc"])

    def __getitem__(self, name: str) -> np.ndarray:
        return self.columns[name]

    def take(self, index: np.ndarray) -> "ItemTable":
        """A table of the rows in `index` (a boolean mask or integer indices)."""
        columns = {name: values[index] for name, values in self.columns.items()}
        return ItemTable(
            columns,
            self.labels,
            self.doc_ids,
            self.head,
            self.fake_label,
            list(self.notes),
        )

    @property
    def entity_types(self) -> list[str]:
        """The real entity types (not "O", not the fake type)."""
        return [name for name in self.labels if name not in ("O", self.fake_label)]


def parse_epochs(value: str | int | None) -> int | None:
    """`"all"`/None → None (all complete epochs), else a positive count of first epochs."""
    if value is None or str(value).strip().lower() == "all":
        return None
    try:
        count = int(value)
    except ValueError:
        count = 0
    if count < 1:
        raise DynCleanError(
            f"--epochs must be 'all' or a positive number, not {value!r}"
        )
    return count


def usable_epochs(records: Records, epochs: int | None, notes: list[str]) -> int:
    """How many leading epoch columns to use: complete epochs only, at most `epochs`."""
    n_columns = records.margins.shape[1]
    complete = records.meta.get("complete_epochs")
    if complete is None:
        complete = _count_complete(records.meta.get("epoch_counts"), n_columns)
    complete = min(int(complete), n_columns)
    if complete == 0:
        raise DataError(
            records.path,
            "has no complete epoch",
            hint="train the dynamics run for at least one full epoch",
        )
    if n_columns > complete:
        counts = records.meta.get("epoch_counts", [])
        _note(
            notes,
            f"{records.path}: the last {n_columns - complete} epoch(s) are partial "
            f"(samples per epoch: {counts}); using the first {complete} complete epoch(s)",
        )
    if epochs is not None and epochs > complete:
        raise DataError(
            records.path,
            f"has {complete} complete epoch(s), --epochs asks for {epochs}",
        )
    return complete if epochs is None else epochs


def sample_stats(margins: np.ndarray, probs: np.ndarray) -> dict[str, np.ndarray]:
    """Per sample: AUM (mean margin), confidence and variability (mean / std of the
    trained label's probability) and correctness (share of epochs with margin > 0).
    NaN entries (not recorded) are ignored; a sample never recorded gets NaN."""
    recorded = ~np.isnan(margins)
    n_recorded = recorded.sum(axis=1)
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        return {
            "aum": np.nanmean(margins, axis=1).astype(np.float64),
            "confidence": np.nanmean(probs, axis=1).astype(np.float64),
            "variability": np.nanstd(probs, axis=1).astype(np.float64),
            "correctness": ((margins > 0) & recorded).sum(axis=1) / n_recorded,
        }


def preference(codes: np.ndarray) -> dict[str, np.ndarray]:
    """Per sample: the runner-up label most often recorded (`codes`: samples x
    epochs, -1 = not recorded; -1 if never) and the share of recorded epochs it
    was the runner-up (NaN if never)."""
    n_recorded = (codes >= 0).sum(axis=1)
    if codes.shape[1] == 0:
        return {
            "preferred": np.full(len(codes), -1, np.int32),
            "preferred_share": np.full(len(codes), np.nan),
        }
    counts = np.where(
        codes >= 0, (codes[:, :, None] == codes[:, None, :]).sum(axis=2), 0
    )
    best = counts.argmax(axis=1)
    rows = np.arange(len(codes))
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(n_recorded > 0, counts[rows, best] / n_recorded, np.nan)
    return {
        "preferred": np.where(n_recorded > 0, codes[rows, best], -1).astype(np.int32),
        "preferred_share": share,
    }


def items_from_records(
    records: Records, epochs: int | None = None, entity_agg: str = "mean"
) -> ItemTable:
    """The item table of one run: per-sample figures over the usable epochs, turned
    into items by the head's rule."""
    if entity_agg not in ENTITY_AGGS:
        raise DynCleanError(
            f"--entity-agg must be one of {ENTITY_AGGS}, not {entity_agg!r}"
        )
    notes: list[str] = []
    n = usable_epochs(records, epochs, notes)
    stats = sample_stats(records.margins[:, :n], records.probs[:, :n])
    make = token_items if records.meta["head"] == "token" else span_items
    table = make(records, stats, records.runner_up[:, :n], entity_agg)
    table.notes = notes
    return table


def item_label_names(meta: dict[str, Any]) -> list[str]:
    """The label names items use: "O", the entity types, then the fake type."""
    names = ["O"] + [t for t in meta.get("entity_types", []) if t != "O"]
    fake = meta.get("fake_label")
    if fake and fake not in names:
        names.append(fake)
    for label in meta["labels"]:  # types only seen in the labels (defensive)
        name = label if meta["head"] == "span" else _tag_type(label)
        if name not in names:
            names.append(name)
    return names


def token_items(
    records: Records,
    stats: dict[str, np.ndarray],
    runner_up: np.ndarray,
    entity_agg: str,
) -> ItemTable:
    """Token head: entity items are maximal B-I-L runs or U tokens of the trained tags,
    non-entity items are tokens trained as O; fake negatives are items of their own.
    An item's preferred label is its first token's."""
    s, meta = records.samples, records.meta
    names = item_label_names(meta)
    code = {name: i for i, name in enumerate(names)}
    tag_prefix = np.array(
        [_PREFIXES.get(t[:1], 0) if t != "O" else 0 for t in meta["labels"]], np.int8
    )
    tag_type = np.array([code[_tag_type(t)] for t in meta["labels"]], np.int32)
    order = np.lexsort((s["start"], s["doc"]))
    doc, start, end = s["doc"][order], s["start"][order], s["end"][order]
    prefix, typ = tag_prefix[s["label"][order]], tag_type[s["label"][order]]
    continues = np.zeros(len(order), dtype=bool)
    continues[1:] = (
        np.isin(prefix[1:], _CONTINUING)
        & np.isin(prefix[:-1], _OPEN)
        & (typ[1:] == typ[:-1])
        & (doc[1:] == doc[:-1])
        & (start[1:] == end[:-1])
    )
    first = np.flatnonzero(~continues)
    last = np.append(first[1:], len(order)) - 1
    threshold = (
        np.maximum.reduceat(s["threshold"][order].astype(np.int8), first)
        if len(first)
        else first
    )
    ordinary = (s["judged"][order] == 1) & (s["threshold"][order] == 0)
    columns = {
        "doc": doc[first].astype(np.int64),
        "start": start[first].astype(np.int64),
        "end": end[last].astype(np.int64),
        "kind": _kinds(threshold, typ[first]),
        "label": typ[first].astype(np.int32),
        "original": tag_type[s["original"][order][first]].astype(np.int32),
        "judged": np.minimum.reduceat(ordinary, first) if len(first) else ordinary[:0],
        "aum": _reduce(stats["aum"][order], first, entity_agg),
    }
    for name in STAT_COLUMNS[1:]:
        columns[name] = _reduce(stats[name][order], first, "mean")
    columns.update(preference(_recode(runner_up[order][first], tag_type)))
    return ItemTable(
        columns, names, list(meta["doc_ids"]), "token", meta.get("fake_label")
    )


def span_items(
    records: Records,
    stats: dict[str, np.ndarray],
    runner_up: np.ndarray,
    entity_agg: str,
) -> ItemTable:
    """Span head: every sample row already is an item (label "O" = non-entity)."""
    s, meta = records.samples, records.meta
    names = item_label_names(meta)
    code = {name: i for i, name in enumerate(names)}
    label_code = np.array([code[name] for name in meta["labels"]], np.int32)
    label = label_code[s["label"]]
    columns = {
        "doc": s["doc"].astype(np.int64),
        "start": s["start"].astype(np.int64),
        "end": s["end"].astype(np.int64),
        "kind": _kinds(s["threshold"].astype(np.int8), label),
        "label": label,
        "original": label_code[s["original"]],
        "judged": (s["judged"] == 1) & (s["threshold"] == 0),
    }
    columns.update({name: stats[name] for name in STAT_COLUMNS})
    columns.update(preference(_recode(runner_up, label_code)))
    order = np.lexsort((columns["end"], columns["start"], columns["doc"]))
    columns = {name: values[order] for name, values in columns.items()}
    return ItemTable(
        columns, names, list(meta["doc_ids"]), "span", meta.get("fake_label")
    )


def _recode(codes: np.ndarray, lookup: np.ndarray) -> np.ndarray:
    """Head label indices → item label codes, keeping -1 (not recorded)."""
    return np.where(codes >= 0, lookup[np.maximum(codes, 0)], -1)


def _kinds(threshold: np.ndarray, label: np.ndarray) -> np.ndarray:
    kind = np.where(label == 0, NON_ENTITY, ENTITY)
    kind = np.where(threshold == 1, FAKE_POS, np.where(threshold == 2, FAKE_NEG, kind))
    return kind.astype(np.int8)


def _reduce(values: np.ndarray, first: np.ndarray, how: str) -> np.ndarray:
    """Combine runs of `values` starting at `first` by NaN-aware mean or min."""
    if len(first) == 0:
        return values[:0].astype(np.float64)
    recorded = ~np.isnan(values)
    counts = np.add.reduceat(recorded.astype(np.int64), first)
    with np.errstate(invalid="ignore", divide="ignore"):
        if how == "min":
            reduced = np.minimum.reduceat(np.where(recorded, values, np.inf), first)
        else:
            reduced = np.add.reduceat(np.where(recorded, values, 0.0), first) / counts
    return np.where(counts > 0, reduced, np.nan).astype(np.float64)


def _tag_type(tag: str) -> str:
    return "O" if tag in ("O", "", "-") or "-" not in tag else tag.split("-", 1)[1]


def _count_complete(epoch_counts: Sequence[int] | None, n_columns: int) -> int:
    if not epoch_counts:
        return n_columns
    full = max(epoch_counts)
    return next(
        (i for i, count in enumerate(epoch_counts) if count < full), len(epoch_counts)
    )


def _note(notes: list[str], text: str) -> None:
    notes.append(text)
    warnings.warn(text, UserWarning, stacklevel=3)
