"""Oracle cleaning from the gold labels, whole and by side."""

import pytest

from spacy_dynclean.cleaning.oracle import oracle_clean
from spacy_dynclean.errors import MismatchError

from .helpers import ents_of, make_doc

WORDS = "Alice met Bob Smith in Paris and the Louvre".split()
# distant: Alice right, "Bob" a wrong boundary, "the" not an entity; missed: Paris, Louvre
DISTANT = [(0, 1, "PER"), (2, 3, "PER"), (7, 8, "ORG")]
GOLD = [(0, 1, "PER"), (2, 4, "PER"), (5, 6, "LOC"), (8, 9, "LOC")]


def _clean(sides):
    distant, gold = make_doc(WORDS, DISTANT, "t:1"), make_doc(WORDS, GOLD, "t:1")
    return next(oracle_clean([distant], [gold], sides))


def _missing(doc):
    return [t.i for t in doc if t.ent_iob == 0]


def test_both_sides():
    doc = _clean(("pos", "neg"))
    assert ents_of(doc) == [(0, 1, "PER")]
    assert _missing(doc) == [2, 3, 5, 7, 8]


def test_pos_side_removes_wrong_entities_only():
    doc = _clean(("pos",))
    assert ents_of(doc) == [(0, 1, "PER")]
    assert _missing(doc) == [2, 7]


def test_neg_side_marks_missed_tokens_only():
    doc = _clean(("neg",))
    assert ents_of(doc) == DISTANT  # wrong entities stay
    assert _missing(doc) == [
        3,
        5,
        8,
    ]  # "Smith" (not covered by a distant entity), Paris, Louvre


def test_refuses_other_sentences_and_sides():
    with pytest.raises(MismatchError):
        next(
            oracle_clean(
                [make_doc(WORDS, DISTANT, "t:1")], [make_doc(WORDS[:-1], [], "t:1")]
            )
        )
    with pytest.raises(ValueError):
        _clean(("both",))
