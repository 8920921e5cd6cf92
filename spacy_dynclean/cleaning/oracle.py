"""Oracle cleaning: what perfect detection would give, from the gold labels.

Only for benchmarks: every wrong distant entity is removed and every token whose
distant label is wrong (a removed entity's tokens, a gold entity's tokens the
distant labels missed) is marked missing. Correct distant entities and tokens
that are O in both stay as they are. One side alone ("pos": wrong entities, "neg":
missed entities; tokens of kept distant entities are never made missing) measures
what each side of the detection is worth. `simulated_review`: what a reviewer who
decides dictionary entries from the gold labels would do with a budget of decisions.
"""

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import replace

from spacy.tokens import Doc, Span

from ..errors import MismatchError
from ..io.ids import get_doc_id
from .entries import (
    BOUNDARY,
    KEEP,
    MISSING,
    NOT_ENTITY,
    OUTSIDE,
    RELABEL,
    Entry,
    EntryKey,
    gold_verdict,
    ranked,
)

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


def simulated_review(
    entries: Mapping[EntryKey, Entry],
    distant: Iterable[Doc],
    gold: Iterable[Doc],
    budget: int,
) -> dict[EntryKey, Entry]:
    """The entry table after a reviewer who knows the gold train labels decided the
    `budget` entries ranked first by harm (the order `dynclean entries` writes), once
    each: the verdict gold gives most of the entry's train occurrences (`gold_verdict`)
    sets the action (agree → keep, O → outside, another type → relabel, boundary →
    missing). The other entries keep the tool's decision."""
    verdicts: dict[EntryKey, Counter] = {}
    for doc, gold_doc in zip(distant, gold, strict=True):
        _check_same_doc(doc, gold_doc)
        for ent in doc.ents:
            key = (tuple(t.text for t in ent), ent.label_)
            verdict = gold_verdict(gold_doc, gold_doc[ent.start : ent.end])
            verdicts.setdefault(key, Counter())[verdict] += 1
    reviewed = {key: replace(entry) for key, entry in entries.items()}
    for entry in ranked(reviewed.values())[:budget]:
        verdict = verdicts[entry.key].most_common(1)[0][0]
        entry.action, entry.repair = {
            entry.label: (KEEP, None),
            NOT_ENTITY: (OUTSIDE, None),
            BOUNDARY: (MISSING, None),
        }.get(verdict, (RELABEL, verdict))
    return reviewed
