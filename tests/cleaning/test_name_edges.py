import pytest

from spacy_dynclean.cleaning.name_edges import (
    capitalised_runs,
    mostly_upper,
    sentence_initial,
    whole_names,
)
from spacy_dynclean.cleaning.rules import with_capitalised_decisions

from .helpers import clean_with, decision, ents_of, make_doc


def runs(words, ents):
    doc = make_doc(words.split(), ents, "d:1")
    return capitalised_runs(doc, [(start, end) for start, end, _ in ents])


def test_capitalised_words_on_both_sides_are_runs():
    # "York" of "New York City": the dictionary cut the name short
    assert runs("I flew to New York City today", [(4, 5, "LOC")]) == [(3, 4), (5, 6)]


def test_a_run_stops_at_a_lowercase_word_and_at_another_entity():
    words = "the Russian Foreign Minister Boris Yeltsin spoke"
    ents = [(1, 2, "MISC"), (4, 6, "PER")]
    assert runs(words, ents) == [(2, 4)]
    assert runs("we saw Paris in spring", [(2, 3, "LOC")]) == []


@pytest.mark.parametrize(
    "words",
    ["New York is big", '" New York is big', "It rained . New York is big"],
)
def test_the_first_word_of_a_sentence_is_no_evidence(words):
    start = words.split().index("York")
    assert runs(words, [(start, start + 1, "LOC")]) == []


def test_a_right_neighbour_at_the_sentence_start_still_counts():
    assert runs("York City is big", [(0, 1, "LOC")]) == [(1, 2)]


def test_headlines_are_skipped():
    assert runs("JAPAN GET LUCKY WIN", [(0, 1, "LOC")]) == []
    assert mostly_upper(make_doc("JAPAN GET LUCKY win".split(), [], "d:1"))
    assert not mostly_upper(make_doc("Japan get a WIN".split(), [], "d:1"))


@pytest.mark.parametrize(
    "words,whole",
    [
        ("we flew British Airways today", False),  # a capitalised word after it
        ("the Great British public", False),  # ... before it
        ("a British lorry", True),
        ("British lorries are big", True),  # at the sentence start
        ("The British said no", True),  # its neighbour starts the sentence
        ("Mr. British and A British", True),  # titles and initials are no evidence
        ("BRITISH TEAM WINS", True),  # a headline's capitals say nothing
    ],
)
def test_whole_names(words, whole):
    doc = make_doc(words.split(), [], "d:1")
    start = [i for i, t in enumerate(doc) if t.text.lower() == "british"][-1]
    span = doc[start : start + 1]
    assert whole_names([span]) == ([span] if whole else [])


def test_sentence_initial():
    doc = make_doc('" Hello , Bob . " Yes'.split(), [], "d:1")
    assert [sentence_initial(doc, i) for i in range(len(doc))] == [
        True, True, False, False, False, True, True,
    ]  # fmt: skip


WORDS = "I flew to New York today".split()


def test_the_entity_goes_missing_with_its_run():
    doc = make_doc(WORDS, [(4, 5, "LOC")], "d:1")
    ((out, decisions),) = clean_with([doc])
    assert ents_of(out) == []
    assert [t.ent_iob for t in out] == [2, 2, 2, 0, 0, 2]
    assert [(d.kind, d.start, d.end, d.source) for d in decisions] == [
        ("non_entity", 3, 4, "capitalised"),
        ("entity", 4, 5, "neighbour"),
    ]


def test_off_or_with_the_entity_winning():
    ((out, decisions),) = clean_with(
        [make_doc(WORDS, [(4, 5, "LOC")], "d:1")], capitalised=False
    )
    assert (ents_of(out), decisions) == ([(4, 5, "LOC")], [])
    ((out, _),) = clean_with(
        [make_doc(WORDS, [(4, 5, "LOC")], "d:1")], neighbours=False
    )
    assert ents_of(out) == [(4, 5, "LOC")]
    assert [t.ent_iob for t in out] == [2, 2, 2, 0, 3, 2]


def test_removed_entities_and_flagged_tokens_get_no_new_decision():
    doc = make_doc(WORDS, [(4, 5, "LOC")], "d:1")
    removed = decision("d:1", 4, 5, "entity", "LOC")
    assert with_capitalised_decisions(doc, [removed]) == [removed]
    flagged = decision("d:1", 3, 4, "non_entity", "O")
    assert with_capitalised_decisions(doc, [flagged]) == [flagged]
