"""Sample layouts: how a head's samples map onto the training docs.

The token head has one sample per token (targets: BILUO tags); the span head one
per span of up to `max_span_length` tokens (targets: entity type or "O"). A layout
holds every sample's training target as one flat array, knows each sample's doc
and token offsets, relabels threshold samples, and gives the targets and records
rows of a batch in the order the head outputs its logits.
"""

from collections.abc import Sequence

import numpy as np
from spacy.tokens import Doc
from spacy.training import Example

from ..io.tags import biluo_tags

MISSING = -1


class SampleLayout:
    """Shared bookkeeping; subclasses fill `targets`, `sample_doc`, `start`, `end`
    and `doc_offsets` (first sample of each doc, plus the total at the end)."""

    head = ""

    def __init__(self, types: Sequence[str], fake_label: str | None) -> None:
        self.types = list(types)
        self.entity_names = self.types + ([fake_label] if fake_label else [])
        self.labels: list[str] = []
        self.targets = np.zeros(0, dtype=np.int32)
        self.sample_doc = np.zeros(0, dtype=np.int32)
        self.start = np.zeros(0, dtype=np.int32)
        self.end = np.zeros(0, dtype=np.int32)
        self.doc_offsets = np.zeros(1, dtype=np.int64)
        self.doc_lengths = np.zeros(0, dtype=np.int64)
        self.entities: list[
            tuple[int, int, int, int]
        ] = []  # (doc, start, end, type index)
        self.entity_forms = np.zeros(
            0, dtype=np.int64
        )  # per entity: id of its lowercased text

    def nonentity_samples(self) -> np.ndarray:
        return np.flatnonzero(self.targets == 0)

    def record_rows(self) -> np.ndarray:
        """Per sample: its row in the margin records (samples in order, less the
        missing ones); -1 if it is missing."""
        recorded = self.targets != MISSING
        return np.where(recorded, np.cumsum(recorded) - 1, -1)

    def doc_rows(self, doc: int) -> np.ndarray:
        return np.arange(self.doc_offsets[doc], self.doc_offsets[doc + 1])

    def batch(
        self, examples: list[Example], docs: list[int]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Targets and sample rows for the head's outputs on `examples` (-1 = not trained)."""
        targets, rows = [], []
        for eg, doc in zip(examples, docs):
            ref = _one_to_one(eg)
            doc_targets, doc_rows = self._predicted_samples(eg, doc, ref)
            targets.append(doc_targets)
            rows.append(doc_rows)
        return np.concatenate(targets).astype(np.int32), np.concatenate(rows).astype(
            np.int64
        )

    def _read_entities(self, ref_docs: Sequence[Doc]) -> None:
        type_index = {t: i for i, t in enumerate(self.types)}
        self.entities = [
            (d, e.start, e.end, type_index[e.label_])
            for d, doc in enumerate(ref_docs)
            for e in doc.ents
        ]
        forms = [e.text.lower() for doc in ref_docs for e in doc.ents]
        self.entity_forms = np.unique(
            np.asarray(forms, dtype=object), return_inverse=True
        )[1].astype(np.int64)


class TokenSamples(SampleLayout):
    """One sample per token; the targets are BILUO tags."""

    head = "token"

    def build(self, ref_docs: Sequence[Doc]) -> None:
        self.labels = ["O"] + [f"{p}-{t}" for t in self.entity_names for p in "BILU"]
        tag_index = {tag: i for i, tag in enumerate(self.labels)}
        tag_index["-"] = MISSING
        lengths = np.array([len(doc) for doc in ref_docs], dtype=np.int64)
        self.doc_offsets = np.concatenate([[0], np.cumsum(lengths)])
        self.targets = np.array(
            [tag_index[t] for doc in ref_docs for t in biluo_tags(doc)], dtype=np.int32
        )
        self.sample_doc = np.repeat(np.arange(len(ref_docs)), lengths).astype(np.int32)
        self.start = (
            np.arange(len(self.targets)) - self.doc_offsets[self.sample_doc]
        ).astype(np.int32)
        self.end = self.start + 1
        self._read_entities(ref_docs)

    def relabel_entity(self, entity: int, name: str | None) -> np.ndarray:
        """Give an entity's tokens the BILUO tags of `name` (None: "O"); returns their rows."""
        doc, start, end, _ = self.entities[entity]
        rows = self.doc_offsets[doc] + np.arange(start, end)
        if name is None:
            self.targets[rows] = 0
        elif len(rows) == 1:
            self.targets[rows] = self.labels.index(f"U-{name}")
        else:
            self.targets[rows] = self.labels.index(f"I-{name}")
            self.targets[rows[0]] = self.labels.index(f"B-{name}")
            self.targets[rows[-1]] = self.labels.index(f"L-{name}")
        return rows

    def relabel_sample(self, row: int, name: str) -> None:
        self.targets[row] = self.labels.index(f"U-{name}")

    def _predicted_samples(
        self, eg: Example, doc: int, ref: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        token = self.doc_offsets[doc] + np.maximum(ref, 0)
        return np.where(ref >= 0, self.targets[token], MISSING), np.where(
            ref >= 0, token, -1
        )


class SpanSamples(SampleLayout):
    """One sample per span of up to `max_length` tokens; the targets are the entity
    type of a span that is exactly a (distant) entity, "O" for every other span,
    and missing for a span that touches a missing token."""

    head = "span"

    def __init__(
        self, types: Sequence[str], fake_label: str | None, max_length: int
    ) -> None:
        super().__init__(types, fake_label)
        self.max_length = max_length

    def build(self, ref_docs: Sequence[Doc]) -> None:
        self.labels = ["O"] + self.entity_names
        lengths = self.doc_lengths = np.array(
            [len(doc) for doc in ref_docs], dtype=np.int64
        )
        doc, start, end = enumerate_spans(lengths, self.max_length)
        self.sample_doc, self.start, self.end = (
            doc.astype(np.int32),
            start.astype(np.int32),
            end.astype(np.int32),
        )
        counts = np.bincount(doc, minlength=len(ref_docs))
        self.doc_offsets = np.concatenate([[0], np.cumsum(counts)])
        self.targets = np.zeros(len(doc), dtype=np.int32)
        self._read_entities(ref_docs)
        for entity, (d, s, e, _type) in enumerate(self.entities):
            if e - s <= self.max_length:
                self.targets[self._row(d, s, e)] = _type + 1
        # unknown: spans touching a missing token or an entity too long to be a sample
        missing = np.concatenate(
            [_unknown_tokens(doc, self.max_length) for doc in ref_docs]
        ).astype(np.int64)
        token_offsets = np.concatenate([[0], np.cumsum(lengths)])
        missing_before = np.concatenate([[0], np.cumsum(missing)])
        first = token_offsets[doc] + start
        touches_missing = (
            missing_before[first + (end - start)] - missing_before[first] > 0
        )
        self.targets[touches_missing] = MISSING

    def relabel_entity(self, entity: int, name: str | None) -> np.ndarray:
        doc, start, end, _ = self.entities[entity]
        if end - start > self.max_length:
            return np.zeros(0, dtype=np.int64)
        row = self._row(doc, start, end)
        self.targets[row] = 0 if name is None else self.labels.index(name)
        return np.array([row])

    def relabel_sample(self, row: int, name: str) -> None:
        self.targets[row] = self.labels.index(name)

    def _row(self, doc: int, start: int, end: int) -> int:
        return int(
            self.doc_offsets[doc]
            + span_position(int(self.doc_lengths[doc]), start, end)
        )

    def _predicted_samples(
        self, eg: Example, doc: int, ref: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        rows = self.doc_rows(doc)
        if not np.array_equal(ref, np.arange(len(eg.y))) or len(eg.x) != len(eg.y):
            return np.full(len(rows), MISSING), np.full(
                len(rows), -1
            )  # spans need identical tokens
        return self.targets[rows], rows


def enumerate_spans(
    lengths: np.ndarray, max_length: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(doc, start, end) of every span of up to `max_length` tokens, docs in order,
    within a doc by width, then by start. The span head outputs logits in this order."""
    docs, starts, ends = [], [], []
    for doc, n in enumerate(lengths):
        for width in range(1, min(max_length, int(n)) + 1):
            start = np.arange(int(n) - width + 1)
            docs.append(np.full(len(start), doc))
            starts.append(start)
            ends.append(start + width)
    if not docs:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    return np.concatenate(docs), np.concatenate(starts), np.concatenate(ends)


def span_position(length: int, start: int, end: int) -> int:
    """Position of span [start, end) among the spans of a doc of `length` tokens,
    in `enumerate_spans` order."""
    width = end - start
    return sum(length - w + 1 for w in range(1, width)) + start


def _unknown_tokens(doc: Doc, max_length: int) -> np.ndarray:
    unknown = np.array([t.ent_iob == 0 for t in doc], dtype=bool)
    for ent in doc.ents:
        if len(ent) > max_length:
            unknown[ent.start : ent.end] = True
    return unknown


def _one_to_one(eg: Example) -> np.ndarray:
    """Reference token index per predicted token, -1 where not aligned one-to-one."""
    x2y, y2x = eg.alignment.x2y, eg.alignment.y2x
    if (
        len(eg.x) == len(eg.y)
        and np.all(x2y.lengths == 1)
        and np.array_equal(x2y.data, np.arange(len(eg.y)))
    ):
        return np.arange(len(eg.x))
    ref = np.full(len(eg.x), -1, dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(x2y.lengths)[:-1]]).astype(np.int64)
    single = x2y.lengths == 1
    candidates = x2y.data[starts[single]]
    back = y2x.lengths[candidates] == 1
    ref[np.flatnonzero(single)[back]] = candidates[back]
    return ref
