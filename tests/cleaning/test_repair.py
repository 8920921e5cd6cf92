"""Repair: flagged items relabelled to the type the model keeps preferring."""

import math

import numpy as np
import pytest

from spacy_dynclean.cleaning.apply import clean_doc
from spacy_dynclean.cleaning.audit import Decision
from spacy_dynclean.cleaning.repair import RepairRule, place_repairs
from spacy_dynclean.cleaning.rules import AumFlags, CleaningContext
from spacy_dynclean.scoring.aum import preference

from .helpers import decision, ents_of, flag, make_doc

TYPES = ["PER", "LOC"]
WORDS = "Alice met Bob Smith in New York today".split()


def test_preference_is_the_most_frequent_recorded_runner_up():
    codes = np.array([[2, 2, 1, -1], [-1, -1, -1, -1], [0, 1, 1, 1]])
    pref = preference(codes)
    assert pref["preferred"].tolist() == [2, -1, 1]
    assert pref["preferred_share"][0] == pytest.approx(2 / 3)
    assert math.isnan(pref["preferred_share"][1])
    assert pref["preferred_share"][2] == pytest.approx(3 / 4)


@pytest.mark.parametrize(
    "row,expected",
    [
        (
            {"label": "O", "preferred": "LOC", "preferred_share": 1.0, "aum": -0.5},
            "LOC",
        ),
        (
            {"label": "O", "preferred": "LOC", "preferred_share": 0.8, "aum": -0.5},
            None,
        ),  # not every epoch
        (
            {"label": "O", "preferred": "LOC", "preferred_share": 1.0, "aum": 0.5},
            None,
        ),  # O still wins on average
        (
            {"label": "PER", "preferred": "O", "preferred_share": 1.0, "aum": -2.0},
            None,
        ),  # prefers no entity: remove
        (
            {"label": "PER", "preferred": "PER", "preferred_share": 1.0, "aum": -2.0},
            None,
        ),
        (
            {"label": "O", "preferred": "FAKE", "preferred_share": 1.0, "aum": -2.0},
            None,
        ),  # not a real type
        (
            {"label": "O", "preferred": None, "preferred_share": None, "aum": -2.0},
            None,
        ),  # never recorded
    ],
)
def test_repair_rule(row, expected):
    assert RepairRule(min_share=1.0, max_aum=0.0).label(row, TYPES) == expected


def test_lower_aum_wins_overlaps_and_entities_block():
    entities = [(0, 1, "PER")]
    candidates = [
        (0, 2, "LOC", -3.0),
        (2, 4, "PER", -1.0),
        (3, 5, "LOC", -2.0),
        (6, 7, "LOC", -0.1),
    ]
    placed_ents, placed = place_repairs(8, entities, candidates)
    assert placed == {2, 3}
    assert placed_ents == [(0, 1, "PER"), (3, 5, "LOC"), (6, 7, "LOC")]


def test_repairs_join_their_neighbours_of_the_same_type_but_entities_do_not():
    entities = [(0, 1, "PER"), (1, 2, "PER"), (5, 6, "LOC")]
    candidates = [(3, 4, "LOC", -1.0), (4, 5, "LOC", -1.0), (2, 3, "LOC", -1.0)]
    joined, _ = place_repairs(8, entities, candidates)
    # the two original PER entities stay apart; the LOC repairs join each other and the LOC entity
    assert joined == [(0, 1, "PER"), (1, 2, "PER"), (2, 6, "LOC")]


def test_clean_doc_relabels_and_adds_and_leaves_the_rest_missing():
    doc = make_doc(WORDS, [(0, 1, "LOC"), (6, 7, "LOC")], "d:1")
    decisions = [
        decision(
            "d:1", 0, 1, "entity", "LOC", aum=-1.0, repair="PER"
        ),  # wrong type → PER
        decision(
            "d:1", 2, 3, "non_entity", "O", aum=-1.0, repair="PER"
        ),  # missed "Bob" ...
        decision(
            "d:1", 3, 4, "non_entity", "O", aum=-1.0, repair="PER"
        ),  # ... "Smith": one PER
        decision(
            "d:1", 5, 6, "non_entity", "O", aum=-1.0, repair="LOC"
        ),  # "New" extends "York"
        decision(
            "d:1", 7, 8, "non_entity", "O", aum=1.0, repair=None
        ),  # flagged, not repaired: missing
    ]
    audit = clean_doc(doc, decisions)
    assert ents_of(doc) == [(0, 1, "PER"), (2, 4, "PER"), (5, 7, "LOC")]
    assert [t.ent_iob_ for t in doc] == ["B", "O", "B", "I", "O", "B", "I", ""]
    assert [line["action"] for line in map(Decision.to_line, audit)] == [
        "relabeled_entity",
        "added_entity",
        "added_entity",
        "added_entity",
        "marked_missing",
    ]
    assert [line["repair"] for line in map(Decision.to_line, audit)] == [
        "PER",
        "PER",
        "PER",
        "LOC",
        None,
    ]


def test_a_repair_that_overlaps_a_kept_entity_is_not_placed():
    doc = make_doc(WORDS, [(0, 1, "LOC")], "d:1")
    audit = clean_doc(
        doc, [decision("d:1", 0, 2, "non_entity", "O", aum=-1.0, repair="PER")]
    )
    assert ents_of(doc) == [(0, 1, "LOC")] and [t.ent_iob for t in doc][:2] == [3, 0]
    assert [(d.action, d.repair, d.n_missing) for d in audit] == [
        ("marked_missing", None, 1)
    ]


def test_the_aum_rule_applies_its_repair_rule_to_every_flag():
    rows = [
        flag(
            "d:1",
            2,
            3,
            "non_entity",
            "O",
            aum=-1.0,
            preferred="PER",
            preferred_share=1.0,
        ),
        flag(
            "d:1", 0, 1, "entity", "LOC", aum=-1.0, preferred="O", preferred_share=1.0
        ),
    ]
    doc = make_doc(["w"] * 4, [(0, 1, "LOC")], "d:1")
    context = CleaningContext({"d:1": rows}, TYPES)
    marked = AumFlags(repair=RepairRule())(doc, [], context)
    assert [d.repair for d in marked] == ["PER", None]
    assert "repair" not in rows[0]  # the input is not changed
    assert [d.repair for d in AumFlags()(doc, [], context)] == [None, None]
