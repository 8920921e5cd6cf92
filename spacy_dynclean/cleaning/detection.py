"""How well the flags find real label errors, measured against gold docs.

Positives: a judged distant entity is wrong when its exact span and type are not a
gold entity. Negatives: a judged non-entity token is wrong when a gold entity covers
it (token head); a judged non-entity span is wrong when it exactly is a gold entity
span (span head). Per side: precision and recall of the flags, and the AUROC of
−AUM for telling wrong from correct items.
"""

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
from spacy.tokens import Doc

from ..errors import MismatchError
from ..io.ids import sample_key
from ..scoring.aum import ENTITY, NON_ENTITY, ItemTable
from ..scoring.auroc import auroc


def side_metrics(
    flagged: np.ndarray, error: np.ndarray, aum: np.ndarray
) -> dict[str, Any]:
    """flagged / precision / recall / auroc / n_errors / n_judged of judged items."""
    n_flagged = int(flagged.sum())
    n_errors = int(error.sum())
    hits = int((flagged & error).sum())
    return {
        "flagged": n_flagged,
        "precision": hits / n_flagged if n_flagged else None,
        "recall": hits / n_errors if n_errors else None,
        "auroc": auroc(-np.asarray(aum, dtype=np.float64), error),
        "n_errors": n_errors,
        "n_judged": int(len(error)),
    }


def item_errors(items: ItemTable, gold_docs: Iterable[Doc]) -> np.ndarray:
    """Per row: whether the gold labels call the item's label an error (an entity
    whose span and type are not a gold entity; a non-entity token a gold entity
    covers, or a non-entity span that is a gold entity). False for threshold
    samples and for items no run judged."""
    kind = items["kind"]
    rows = items["judged"] & np.isin(kind, (ENTITY, NON_ENTITY))
    gold = _GoldIndex(items, gold_docs)
    gold.check(items.take(rows))
    errors = np.zeros(len(items), dtype=bool)
    pos, neg = rows & (kind == ENTITY), rows & (kind == NON_ENTITY)
    errors[pos] = ~gold.has_entity(items.take(pos), with_label=True)
    negatives = items.take(neg)
    errors[neg] = (
        gold.covers(negatives)
        if items.head == "token"
        else gold.has_entity(negatives, with_label=False)
    )
    return errors


def detection_from_errors(
    items: ItemTable, errors: np.ndarray
) -> dict[str, dict[str, Any]]:
    """`{"pos": ..., "neg": ...}` side metrics of the judged entities / non-entities."""
    out = {}
    for side, code in (("pos", ENTITY), ("neg", NON_ENTITY)):
        rows = items["judged"] & (items["kind"] == code)
        out[side] = side_metrics(
            items["flagged"][rows], errors[rows], items["aum"][rows]
        )
    return out


def detection_metrics(
    items: ItemTable, gold_docs: Iterable[Doc]
) -> dict[str, dict[str, Any]]:
    """Detection metrics of a scored item table (with `flagged`) against gold docs
    (same ids): `{"pos": {...}, "neg": {...}}`, see `side_metrics`."""
    return detection_from_errors(items, item_errors(items, gold_docs))


class _GoldIndex:
    """Gold entities and covered tokens as arrays keyed by the table's doc codes."""

    def __init__(self, items: ItemTable, gold_docs: Iterable[Doc]) -> None:
        code = {doc_id: i for i, doc_id in enumerate(items.doc_ids)}
        label_code = {name: i for i, name in enumerate(items.labels)}
        self.length = np.full(len(items.doc_ids), -1, dtype=np.int64)
        ents = []
        for doc in gold_docs:
            i = code.get(sample_key(doc))
            if i is None:
                continue
            self.length[i] = len(doc)
            ents.extend(
                (i, e.start, e.end, label_code.get(e.label_, -1)) for e in doc.ents
            )
        self.ents = np.array(ents, dtype=np.int64).reshape(-1, 4)
        self.width = int(max(self.length.max(initial=0), 1)) + 1
        self.n_labels = len(items.labels) + 1
        self.offset = np.concatenate([[0], np.cumsum(np.maximum(self.length, 0) + 1)])

    def check(self, items: ItemTable) -> None:
        """Refuse items whose doc is not in the gold data or lies past its end."""
        length = self.length[items["doc"]]
        bad = np.flatnonzero((length < 0) | (items["end"] > length))
        if len(bad):
            i = bad[0]
            doc_id = items.doc_ids[items["doc"][i]]
            problem = (
                "is not in the gold docs"
                if length[i] < 0
                else f"has {length[i]} tokens in the gold docs"
            )
            raise MismatchError(
                f"scored doc {doc_id!r} {problem} "
                f"(item tokens {items['start'][i]}-{items['end'][i]}): gold data and scores differ"
            )

    def has_entity(self, items: ItemTable, with_label: bool) -> np.ndarray:
        """Whether each item's span (and type, if `with_label`) is a gold entity."""
        gold = self._keys(
            self.ents[:, 0],
            self.ents[:, 1],
            self.ents[:, 2],
            self.ents[:, 3] if with_label else 0,
        )
        return np.isin(
            self._keys(
                items["doc"],
                items["start"],
                items["end"],
                items["label"] if with_label else 0,
            ),
            gold,
        )

    def covers(self, items: ItemTable) -> np.ndarray:
        """Whether a gold entity covers any token of each item."""
        delta = np.zeros(self.offset[-1] + 1, dtype=np.int64)
        starts = self.offset[self.ents[:, 0]]
        np.add.at(delta, starts + self.ents[:, 1], 1)
        np.add.at(delta, starts + self.ents[:, 2], -1)
        covered = np.cumsum(delta) > 0
        cumulative = np.concatenate([[0], np.cumsum(covered)])
        base = self.offset[items["doc"]]
        return cumulative[base + items["end"]] - cumulative[base + items["start"]] > 0

    def _keys(
        self, doc: np.ndarray, start: np.ndarray, end: np.ndarray, label: Any
    ) -> np.ndarray:
        return (
            ((np.asarray(doc) * self.width + start) * self.width + end) * self.n_labels
            + np.asarray(label)
            + 1
        )


EntityKey = tuple[str, int, int, str]


def entity_detection(
    data_docs: Iterable[Doc],
    gold_docs: Iterable[Doc],
    flagged: Iterable[EntityKey],
    scores: dict[EntityKey, float] | None = None,
) -> dict[str, Any]:
    """Precision / recall of a set of flagged distant entities (doc id, start, end,
    type) against gold docs of the same ids, over every distant entity; with
    `scores` (higher: more likely wrong; absent entities score 0), their AUROC."""
    keys, errors = entity_errors(data_docs, gold_docs)
    return _flag_metrics(keys, errors, flagged, scores)


def entity_detection_by_source(
    data_docs: Iterable[Doc],
    gold_docs: Iterable[Doc],
    flagged: Mapping[str, Iterable[EntityKey]],
) -> dict[str, dict[str, Any]]:
    """`entity_detection` of the entities each source flagged (`flagged`: source →
    keys), and of all of them together ("total")."""
    keys, errors = entity_errors(data_docs, gold_docs)
    by_source = {source: set(flagged_keys) for source, flagged_keys in flagged.items()}
    out = {s: _flag_metrics(keys, errors, f) for s, f in by_source.items()}
    out["total"] = _flag_metrics(keys, errors, set().union(*by_source.values()))
    return out


def entity_errors(
    data_docs: Iterable[Doc], gold_docs: Iterable[Doc]
) -> tuple[list[EntityKey], np.ndarray]:
    """Every distant entity's key and whether it is wrong: its span and type are not
    a gold entity of the doc of the same id."""
    gold = {
        sample_key(doc): {(e.start, e.end, e.label_) for e in doc.ents}
        for doc in gold_docs
    }
    keys, errors = [], []
    for doc in data_docs:
        gold_ents = gold.get(sample_key(doc), set())
        for ent in doc.ents:
            keys.append((sample_key(doc), ent.start, ent.end, ent.label_))
            errors.append(keys[-1][1:] not in gold_ents)
    return keys, np.array(errors, dtype=bool)


def _flag_metrics(
    keys: list[EntityKey],
    errors: np.ndarray,
    flagged: Iterable[EntityKey],
    scores: dict[EntityKey, float] | None = None,
) -> dict[str, Any]:
    flagged = set(flagged)
    is_flagged = np.array([key in flagged for key in keys], dtype=bool)
    score = np.array([(scores or {}).get(key, 0.0) for key in keys])
    metrics = side_metrics(is_flagged, errors, -score)
    if scores is None:
        metrics["auroc"] = None
    return metrics


def addition_detection(
    cleaned_docs: Iterable[Doc], gold_docs: Iterable[Doc], added: Iterable[EntityKey]
) -> dict[str, Any]:
    """Precision of added entities (doc id, start, end, type) against gold docs of the
    same ids (exact span and type), and their recall of the gold entities that touch
    no entity of the cleaned docs (what an addition could still supply)."""
    gold = {
        sample_key(doc): {(e.start, e.end, e.label_) for e in doc.ents}
        for doc in gold_docs
    }
    added = set(added)
    right = sum(key[1:] in gold.get(key[0], ()) for key in added)
    reachable = 0
    for doc in cleaned_docs:
        kept = {i for e in doc.ents for i in range(e.start, e.end)}
        reachable += sum(
            not kept & set(range(start, end))
            for start, end, _ in gold.get(sample_key(doc), ())
        )
    return {
        "added": len(added),
        "precision": right / len(added) if added else None,
        "recall": right / reachable if reachable else None,
        "n_reachable": reachable,
    }
