"""Oracle cleaning: what perfect detection would give, from the gold labels.

Only for benchmarks: every wrong distant entity is removed and every token whose
distant label is wrong (a removed entity's tokens, a gold entity's tokens the
distant labels missed) is marked missing. Correct distant entities and tokens
that are O in both stay as they are. One side alone ("pos": wrong entities, "neg":
missed entities; tokens of kept distant entities are never made missing) measures
what each side of the detection is worth.
"""

from collections.abc import Iterable, Iterator, Sequence

from spacy.tokens import Doc, Span

from ..errors import MismatchError
from ..io.ids import get_doc_id

SIDES = ("pos", "neg")


def oracle_clean(
    distant: Iterable[Doc], gold: Iterable[Doc], sides: Sequence[str] = SIDES
) -> Iterator[Doc]:
    """Yield each distant doc with its errors removed/marked missing, in order.
    `sides` says which errors are fixed: "pos" (wrong distant entities) and/or "neg"
    (gold entities the distant labels missed)."""
    unknown = set(sides) - set(SIDES)
    if unknown:
        raise ValueError(f"oracle sides must be among {SIDES}, not {sorted(unknown)}")
    for doc, gold_doc in zip(distant, gold, strict=True):
        _check_same_doc(doc, gold_doc)
        gold_ents = _ent_keys(gold_doc)
        wrong = [
            ent
            for ent in doc.ents
            if (ent.start, ent.end, ent.label_) not in gold_ents and "pos" in sides
        ]
        kept = [ent for ent in doc.ents if ent not in wrong]
        kept_keys = {(ent.start, ent.end, ent.label_) for ent in kept}
        missed = [
            ent
            for ent in gold_doc.ents
            if (ent.start, ent.end, ent.label_) not in kept_keys and "neg" in sides
        ]
        covered = {i for ent in kept for i in range(ent.start, ent.end)}
        missing = sorted(
            {i for ent in wrong + missed for i in range(ent.start, ent.end)} - covered
        )
        doc.set_ents(
            kept, missing=[Span(doc, i, i + 1) for i in missing], default="outside"
        )
        yield doc


def _ent_keys(doc: Doc) -> set[tuple[int, int, str]]:
    return {(ent.start, ent.end, ent.label_) for ent in doc.ents}


def _check_same_doc(doc: Doc, gold_doc: Doc) -> None:
    if [t.text for t in doc] != [t.text for t in gold_doc]:
        raise MismatchError(
            f"Distant doc {get_doc_id(doc)!r} and gold doc {get_doc_id(gold_doc)!r} have different tokens: "
            "the gold file must hold the same sentences in the same order"
        )
