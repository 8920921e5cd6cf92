"""Applying decisions to a Doc: flagged entities removed (their tokens missing or
O), flagged non-entities made missing (never O: we only know their label is
doubtful, not what it should be), repairs relabelled or added (`repair.py`).

Missing tokens win over "outside" where a removed entity overlaps a flagged
non-entity span. `clean.clean_docs` runs a recipe's rules on each doc and this on
their decisions; the review (`report/review.py`) and self-training call it too.
"""

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
from spacy.tokens import Doc, Span

from ..errors import MismatchError
from .audit import ENTITY, ENTITY_ACTIONS, MISSING, NON_ENTITY, Decision
from .repair import place_repairs, token_mask


def clean_doc(
    doc: Doc, decisions: Sequence[Decision], entity_action: str = MISSING
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
    on_entity = {(d.start, d.end, d.label): d for d in decisions if d.kind == ENTITY}
    removed = {key for key, d in on_entity.items() if not d.repair}
    ents = [(e.start, e.end, e.label_) for e in doc.ents]
    kept = [
        key[:2] + (on_entity[key].repair,) if key in on_entity else key
        for key in ents
        if key not in removed
    ]
    adds = [d for d in decisions if d.kind == NON_ENTITY and d.repair]
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
        len(doc), [(d.start, d.end) for d in decisions if d.kind == NON_ENTITY]
    )
    missing = (flagged_neg | to_missing) & ~in_entities
    outside = to_outside & ~missing & ~in_entities
    spans = [Span(doc, start, end, label=label) for start, end, label in entities]
    doc.set_ents(
        spans,
        missing=spans_of(doc, missing),
        outside=spans_of(doc, outside),
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
            if d.kind == ENTITY
            else None,
        )
        for d in decisions
    ]


def spans_of(doc: Doc, mask: np.ndarray) -> list[Span]:
    """Maximal runs of True as spans."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(np.int8), [0]])))
    return [
        Span(doc, int(start), int(end)) for start, end in zip(edges[::2], edges[1::2])
    ]
