"""The entries the dictionary lacks (or applies at some places only), proposed from
the gold dev set and added by the cleaning at their unlabelled places."""

import pytest

from spacy_dynclean.cleaning import entries as E
from spacy_dynclean.cleaning.audit import ADDED_ENTITY
from spacy_dynclean.cleaning.clean import flagged_entries
from spacy_dynclean.cleaning.recipes import load_recipe
from tests.cleaning.helpers import clean_with, ents_of, make_doc, write_docbin

# distant train data: "Budjana" never labelled; "Paris" labelled once, O once
TRAIN = [
    ("Budjana plays in Paris".split(), [(3, 4, "LOC")]),
    ("Budjana met Alice".split(), [(2, 3, "PER")]),
    ("Paris is far".split(), []),
    ("Alice Budjana sings".split(), [(0, 2, "PER")]),  # inside a kept entity
]
# gold dev data: Budjana is PER at both places; Paris LOC at all three; "Ana" PER once
# and O twice (a singleton the test must not add); Alice PER at both places
DEV = [
    ("Budjana sang".split(), [(0, 1, "PER")]),
    ("then Budjana left".split(), [(1, 2, "PER")]),
    ("Paris and Alice".split(), [(0, 1, "LOC"), (2, 3, "PER")]),
    ("in Paris".split(), [(1, 2, "LOC")]),
    ("Paris again".split(), [(0, 1, "LOC")]),
    ("Ana said".split(), [(0, 1, "PER")]),
    ("Ana Ana".split(), []),
    ("Alice left".split(), [(0, 1, "PER")]),
]


@pytest.fixture
def table(tmp_path):
    train = write_docbin(
        [make_doc(w, e, f"train:{i}") for i, (w, e) in enumerate(TRAIN, 1)],
        tmp_path / "train.spacy",
    )
    dev = write_docbin(
        [make_doc(w, e, f"dev:{i}") for i, (w, e) in enumerate(DEV, 1)],
        tmp_path / "dev.spacy",
    )
    options = E.EntryOptions(additions=True)
    return train, E.score_entries(train, dev, options)


def test_dev_strings_the_dictionary_lacks_are_added(table):
    _, entries = table
    budjana = entries[(("Budjana",), "PER")]
    assert (budjana.action, budjana.group, budjana.n) == (E.ADD, E.DEV_ADDED, 0)
    assert budjana.n_added == 2  # not the place inside "Alice Budjana"
    assert (("Ana",), "PER") not in entries  # right at one place of three


def test_a_surely_right_entry_is_added_where_the_dictionary_left_it_out(table):
    _, entries = table
    paris = entries[(("Paris",), "LOC")]
    assert (paris.action, paris.n, paris.n_added) == (E.ADD, 1, 1)
    alice = entries[(("Alice",), "PER")]  # right on dev, but labelled everywhere
    assert (alice.action, alice.n_added) == (E.KEEP, 0)


def test_no_additions_unless_asked(tmp_path, table):
    train, _ = table
    plain = E.score_entries(train, tmp_path / "dev.spacy")
    assert {e.action for e in plain.values()} == {E.KEEP}
    assert (("Budjana",), "PER") not in plain


def test_the_table_round_trips_and_cleaning_adds_at_unlabelled_places(tmp_path, table):
    train, entries = table
    path = E.write_entries(entries, tmp_path / "scores")
    flagged = flagged_entries(E.read_entries(path))
    assert flagged[(("Budjana",), "PER")] == (E.ADD, None)
    docs = [make_doc(w, e, f"train:{i}") for i, (w, e) in enumerate(TRAIN, 1)]
    cleaned = list(clean_with(docs, entries=flagged, capitalised=False))
    assert ents_of(cleaned[0][0]) == [(0, 1, "PER"), (3, 4, "LOC")]
    assert ents_of(cleaned[2][0]) == [(0, 1, "LOC")]
    assert ents_of(cleaned[3][0]) == [(0, 2, "PER")]  # the kept entity wins
    added = [d for _, ds in cleaned for d in ds]
    assert {(d.source, d.action) for d in added} == {("entry", ADDED_ENTITY)}
    assert len(added) == 3


def test_an_addition_takes_the_place_of_a_removed_entity():
    doc = make_doc("Budjana Ranu sings".split(), [(1, 2, "LOC")], "t:1")
    entries = {
        (("Budjana", "Ranu"), "PER"): (E.ADD, None),
        (("Ranu",), "LOC"): (E.OUTSIDE, None),
    }
    [(cleaned, decisions)] = clean_with([doc], entries=entries, capitalised=False)
    assert ents_of(cleaned) == [(0, 2, "PER")]
    assert {d.source for d in decisions} == {"entry"}


def test_the_recipe_with_additions():
    assert load_recipe("cleaned_added").adds_entries
    assert not load_recipe("cleaned").adds_entries


def teacher_case(tmp_path, dev_docs):
    """Distant data where "Sumatra" is never labelled and occurs 8 times, "Rio" 8
    times; a teacher predicts Sumatra/LOC at 7 of its places, Rio/PER at 1."""
    docs, predictions = [], []
    for i in range(8):
        words = ["Sumatra", "and", "Rio", "met", "Alice"]
        docs.append(make_doc(words, [(4, 5, "PER")], f"train:{i}"))
        predictions.append(
            [(4, 5, "PER")] + ([(0, 1, "LOC")] if i < 7 else [(2, 3, "PER")])
        )
    train = write_docbin(docs, tmp_path / "train.spacy")
    dev = write_docbin(dev_docs, tmp_path / "dev.spacy")
    entries = E.score_entries(train, dev, E.EntryOptions())
    return train, dev, predictions, entries


def test_a_teachers_predictions_are_aggregated_per_string(tmp_path):
    train, dev, predictions, entries = teacher_case(
        tmp_path, [make_doc(["Alice"], [(0, 1, "PER")], "dev:1")]
    )
    added = E.propose_teacher_additions(
        train, dev, predictions, entries, E.EntryOptions(additions=True)
    )
    assert list(added) == [(("Sumatra",), "LOC")]  # 7 of 8; Rio/PER 1 of 8
    sumatra = added[(("Sumatra",), "LOC")]
    assert (sumatra.group, sumatra.action) == (E.TEACHER_ADDED, E.ADD)
    assert sumatra.p_wrong < 0.1


def test_dev_places_that_disagree_veto_a_teachers_string(tmp_path):
    dev_docs = [
        make_doc(["Sumatra", "coffee"], [], f"dev:{i}") for i in range(3)
    ]  # dev says Sumatra is O
    train, dev, predictions, entries = teacher_case(tmp_path, dev_docs)
    options = E.EntryOptions(additions=True)
    assert E.propose_teacher_additions(train, dev, predictions, entries, options) == {}


def test_a_teacher_needs_additions_on(tmp_path):
    train, dev, _, _ = teacher_case(tmp_path, [make_doc(["x"], [], "dev:1")])
    with pytest.raises(E.DataError, match="recipe that adds entries"):
        E.score_entries(train, dev, E.EntryOptions(), teacher=tmp_path)


def test_a_name_cut_short_is_repaired_where_the_short_one_was_removed(tmp_path):
    """`New York` is surely LOC on dev; the distant data has `York`/LOC inside it.
    With longer_names, `New York` is an entry to add there too, and the cleaning
    labels it where the capitalisation and neighbour rules removed `York`."""
    words = "I flew to New York today".split()
    train = write_docbin(
        [make_doc(words, [(4, 5, "LOC")], "train:1")], tmp_path / "train.spacy"
    )
    dev = write_docbin(
        [make_doc(["New", "York", "!"], [(0, 2, "LOC")], f"dev:{i}") for i in range(3)],
        tmp_path / "dev.spacy",
    )
    found = {}
    for longer in (False, True):
        options = E.EntryOptions(additions=True, longer_names=longer)
        entries = E.score_entries(train, dev, options)
        found[longer] = entries.get((("New", "York"), "LOC"))
    assert found[False] is None  # no open place: the only one holds York/LOC
    assert (found[True].action, found[True].n_added) == (E.ADD, 1)
    doc = make_doc(words, [(4, 5, "LOC")], "train:1")
    flagged = {(("New", "York"), "LOC"): (E.ADD, None)}
    ((out, decisions),) = clean_with([doc], entries=flagged)
    assert ents_of(out) == [(3, 5, "LOC")]
    assert [(d.source, d.action) for d in decisions][-1] == ("entry", ADDED_ENTITY)


def test_the_long_recipe_asks_for_longer_names():
    long = load_recipe("cleaned_added_long")
    options = long.entry_options(E.EntryOptions())
    assert options.additions and options.longer_names
    assert not load_recipe("cleaned_added").entry_options(E.EntryOptions()).longer_names


def test_whole_names_judge_and_add_an_entry_only_where_it_stands_alone(tmp_path):
    """`British` is MISC on its own on dev, and inside the distant entry `British
    Airways` (ORG) at three more dev places. Judged at every place it is wrong at
    most of them, so it is not added; with whole_names it is judged at its whole
    places only and added, at the train place where it stands alone, not at the one
    inside `British Council`."""
    train_docs = [
        make_doc("flew British Airways".split(), [(1, 3, "ORG")], "train:1"),
        make_doc("a British lorry".split(), [], "train:2"),
        make_doc("the British Council".split(), [], "train:3"),
    ]
    train = write_docbin(train_docs, tmp_path / "train.spacy")
    dev = [make_doc("British cars".split(), [(0, 1, "MISC")], "dev:1")]
    dev += [make_doc("a British lorry".split(), [(1, 2, "MISC")], "dev:2")]
    dev += [
        make_doc("on British Airways".split(), [(1, 3, "ORG")], f"dev:{i}")
        for i in (3, 4, 5)
    ]
    dev_path = write_docbin(dev, tmp_path / "dev.spacy")
    british = (("British",), "MISC")
    found = {}
    for whole in (False, True):
        options = E.EntryOptions(additions=True, whole_names=whole)
        found[whole] = E.score_entries(train, dev_path, options).get(british)
    assert found[False] is None
    assert (found[True].action, found[True].n_added) == (E.ADD, 1)
    added = {}
    for whole in (False, True):
        overrides = {"rules.added_entries.whole_names": whole}
        recipe = load_recipe("cleaned_added", overrides)
        cleaned = clean_with(
            train_docs[1:], entries={british: (E.ADD, None)}, recipe=recipe
        )
        added[whole] = [ents_of(out) for out, _ in cleaned]
    assert added[False] == [[(1, 2, "MISC")], [(1, 2, "MISC")]]
    assert added[True] == [[(1, 2, "MISC")], []]


def test_whole_names_extend_a_distant_entry_judged_at_its_whole_places(tmp_path):
    """`British`/MISC is labelled at one train place and left O at another. On dev
    it agrees at its two whole places and lies inside a longer gold name at four
    more: judged at all six it is not surely right, so it is not added; at its whole
    places only, it is, and labels the O place. (`Alice` and `Bob`, right on dev,
    give the entries' prior.)"""
    train = write_docbin(
        [
            make_doc("a British car".split(), [(1, 2, "MISC")], "train:1"),
            make_doc("a British lorry".split(), [], "train:2"),
            make_doc(
                "Alice met Bob".split(), [(0, 1, "PER"), (2, 3, "PER")], "train:3"
            ),
        ],
        tmp_path / "train.spacy",
    )
    dev = [
        make_doc("a British lorry".split(), [(1, 2, "MISC")], f"dev:{i}")
        for i in (1, 2)
    ]
    dev += [
        make_doc("Alice met Bob".split(), [(0, 1, "PER"), (2, 3, "PER")], f"dev:{i}")
        for i in (7, 8)
    ]
    dev += [
        make_doc("on British Airways".split(), [(1, 3, "ORG")], f"dev:{i}")
        for i in (3, 4, 5, 6)
    ]
    dev_path = write_docbin(dev, tmp_path / "dev.spacy")
    found = {}
    for whole in (False, True):
        options = E.EntryOptions(additions=True, whole_names=whole)
        british = E.score_entries(train, dev_path, options)[(("British",), "MISC")]
        found[whole] = (british.action, british.n_added)
    assert found == {False: (E.KEEP, 0), True: (E.ADD, 1)}


def test_the_whole_recipe_asks_for_whole_names():
    options = load_recipe("cleaned_added_whole").entry_options(E.EntryOptions())
    assert options.additions and options.whole_names and not options.longer_names
    assert not load_recipe("cleaned_added").entry_options(E.EntryOptions()).whole_names


def test_a_dev_entity_inside_a_longer_candidate_is_judged_without_failing(tmp_path):
    """`York`/ORG is proposed at a place where the longer candidate `New York` is the
    longest match, so that place is not among York's counted places: York has no
    evidence but its prior and is not added (it failed with a negative Beta
    parameter)."""
    train = write_docbin(
        [make_doc("to New York and York".split(), [], "train:1")],
        tmp_path / "train.spacy",
    )
    dev_docs = [
        ("in New York".split(), [(1, 3, "LOC")]),
        ("New York again".split(), [(0, 2, "LOC")]),
        ("then New York today".split(), [(2, 3, "ORG")]),  # gold: York alone
    ]
    dev = write_docbin(
        [make_doc(w, e, f"dev:{i}") for i, (w, e) in enumerate(dev_docs, 1)],
        tmp_path / "dev.spacy",
    )
    entries = E.score_entries(train, dev, E.EntryOptions(additions=True))
    assert (("York",), "ORG") not in entries
