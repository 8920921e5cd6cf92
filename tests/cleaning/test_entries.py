"""Dictionary entries: evidence from gold dev docs, the Beta test, the actions, the
table on disk, and what cleaning does with flagged entries."""

from math import comb

import pytest
import srsly
from spacy.tokens import DocBin

from spacy_dynclean.cleaning import entries as E
from spacy_dynclean.cleaning.apply import clean_doc
from spacy_dynclean.cleaning.clean import clean_docbin, flagged_entries
from spacy_dynclean.cleaning.recipes import load_recipe
from spacy_dynclean.cleaning.rules import CleaningContext, with_entry_decisions
from spacy_dynclean.errors import DataError
from tests.cleaning.helpers import (
    decision,
    ents_of,
    make_doc,
    write_docbin,
    write_scores_dir,
)


@pytest.mark.parametrize("a,b", [(1, 1), (2, 1), (1, 2), (3, 5), (7, 2), (12, 30)])
def test_prob_below_half_is_the_beta_cdf(a, b):
    # for whole a, b: I_x(a, b) = P(Binomial(a + b - 1, x) >= a)
    n = a + b - 1
    exact = sum(comb(n, j) for j in range(a, n + 1)) / 2**n
    assert E.prob_below_half(a, b) == pytest.approx(exact, abs=1e-10)


def test_prob_below_half_handles_tiny_parameters():
    assert 0.0 < E.prob_below_half(0.01, 0.3) < 1.0
    assert E.prob_below_half(0.2, 0.2) == pytest.approx(0.5)
    with pytest.raises(ValueError):
        E.prob_below_half(0, 1)


def test_gold_verdict_names_the_type_o_or_boundary():
    gold = make_doc("New York and Paris".split(), [(0, 2, "LOC"), (3, 4, "LOC")], "d:1")
    assert E.gold_verdict(gold, gold[0:2]) == "LOC"
    assert E.gold_verdict(gold, gold[1:2]) == "boundary"
    assert E.gold_verdict(gold, gold[2:3]) == "O"


def test_string_places_take_the_longest_match():
    train = [make_doc("New York York".split(), [(0, 2, "LOC"), (2, 3, "LOC")], "t:1")]
    entries = E.collect_entries(train)
    dev = [make_doc("in New York".split(), [(1, 3, "LOC")], "d:1")]
    places = [
        (span.start, span.end, labels)
        for _, span, labels in E.string_places(dev, entries)
    ]
    assert places == [(1, 3, ["LOC"])]


def entries_with(dev_counts, group="other"):
    """Entries (words, label) → their dev counts, decided with the default options."""
    entries = {}
    for (words, label), counts in dev_counts.items():
        entry = E.Entry(tuple(words.split()), label, n=3, group=group)
        entry.dev.update(counts)
        entries[entry.key] = entry
    E.decide(entries, E.EntryOptions())
    return entries


def test_the_dev_evidence_chooses_the_action():
    entries = entries_with(
        {
            ("The", "MISC"): {"O": 6},
            ("Hong Kong", "PER"): {"LOC": 5},
            ("York", "LOC"): {"boundary": 4},
            ("Paris", "LOC"): {"agree": 6},
            ("Leeds", "LOC"): {"agree": 3, "ORG": 3},
        }
    )
    got = {" ".join(w): (e.action, e.repair) for (w, _), e in entries.items()}
    assert got == {
        "The": ("outside", None),
        "Hong Kong": ("relabel", "LOC"),
        "York": ("missing", None),
        "Paris": ("keep", None),
        "Leeds": ("keep", None),  # right as often as wrong: not more likely wrong
    }
    assert entries[(("The",), "MISC")].p_wrong > 0.9
    assert entries[(("Paris",), "LOC")].p_wrong < 0.1


def test_a_relabel_type_comes_from_the_entry_own_dev_places():
    relabelled = {(f"W{i}", "PER"): {"LOC": 4} for i in range(20)}
    entries = entries_with({**relabelled, ("Unseen", "PER"): {}})
    assert entries[(("W0",), "PER")].repair == "LOC"
    # flagged from its group alone, which mostly says LOC: no type of its own
    assert entries[(("Unseen",), "PER")].action == "missing"
    assert entries[(("Unseen",), "PER")].repair is None


def test_an_unchecked_entry_needs_a_group_that_is_mostly_wrong_and_large():
    few = {(f"W{i}", "MISC"): {"O": 3} for i in range(3)}
    entries = entries_with({**few, ("Unseen", "MISC"): {}}, group="lower_attested")
    assert entries[(("Unseen",), "MISC")].p_wrong == pytest.approx(4 / 5)
    assert not entries[(("Unseen",), "MISC")].flagged  # 3 checked: still unsure
    many = {(f"W{i}", "MISC"): {"O": 3} for i in range(30)}
    entries = entries_with({**many, ("Unseen", "MISC"): {}}, group="lower_attested")
    assert entries[(("Unseen",), "MISC")].action == "outside"


def test_a_group_without_any_dev_evidence_flags_nothing():
    entries = entries_with({("A", "PER"): {}, ("B", "LOC"): {}})
    assert not any(e.flagged for e in entries.values())


def test_group_of_marks_capitalised_words_used_in_lowercase():
    lowercase = {"the", "may"}
    assert E.group_of(("The",), lowercase) == "lower_attested"
    assert E.group_of(("May",), lowercase) == "lower_attested"
    assert E.group_of(("Paris",), lowercase) == "other"
    assert E.group_of(("The", "Who"), lowercase) == "other"
    assert E.group_of(("the",), lowercase) == "other"


def test_entries_round_trip_and_bad_lines_are_refused(tmp_path):
    entries = entries_with(
        {("The", "MISC"): {"O": 6}, ("Hong Kong", "PER"): {"LOC": 5}}
    )
    path = E.write_entries(entries, tmp_path / "scores")
    lines = E.read_entries(path)
    assert [line["words"] for line in lines] == [["The"], ["Hong", "Kong"]]  # by harm
    assert flagged_entries(lines) == {
        (("The",), "MISC"): ("outside", None),
        (("Hong", "Kong"), "PER"): ("relabel", "LOC"),
    }
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"words": ["A"], "label": "PER", "action": "relabel"}\n')
    with pytest.raises(DataError, match=r"bad.jsonl, record 1: not an entry"):
        E.read_entries(bad)


WORDS = "The band met Hong Kong fans in York".split()
ENTS = [(0, 1, "MISC"), (3, 5, "PER"), (7, 8, "LOC")]
FLAGGED = {
    (("The",), "MISC"): ("outside", None),
    (("Hong", "Kong"), "PER"): ("relabel", "LOC"),
    (("York",), "LOC"): ("missing", None),
}


def test_flagged_entries_become_o_another_type_or_missing():
    doc = make_doc(WORDS, ENTS, "t:1")
    aum = decision("t:1", 7, 8, "entity", "LOC", aum=-2.0)  # AUM flagged York too
    neg = decision("t:1", 1, 2, "non_entity", "O")
    decisions = with_entry_decisions(doc, [aum, neg], CleaningContext(entries=FLAGGED))
    assert [(d.start, d.source) for d in decisions] == [
        (1, "aum"),
        (0, "entry"),
        (3, "entry"),
        (7, "entry"),
    ]
    assert decisions[-1].aum == -2.0  # the replaced decision's AUM stays on it
    audit = clean_doc(doc, decisions)
    assert ents_of(doc) == [(3, 5, "LOC")]
    assert [t.ent_iob_ for t in doc] == ["O", "", "O", "B", "I", "O", "O", ""]
    assert [(d.action, d.becomes, d.n_missing) for d in audit] == [
        ("marked_missing", None, 1),
        ("removed_entity", "outside", 0),
        ("relabeled_entity", None, 0),
        ("removed_entity", "missing", 1),
    ]


def test_clean_docbin_applies_an_entry_table_and_says_when_it_has_none(tmp_path):
    docs = [make_doc(WORDS, ENTS, "t:1"), make_doc(["Hi"], [], "t:2")]
    data = write_docbin(docs, tmp_path / "train.spacy")
    scores = write_scores_dir(tmp_path / "scores", [], docs=docs)
    entries = {}
    for (words, label), (action, repair) in FLAGGED.items():
        entry = E.Entry(words, label, n=1, action=action, repair=repair)
        entries[entry.key] = entry
    table = E.write_entries(entries, tmp_path / "table")
    report = clean_docbin(
        data, scores, tmp_path / "out.spacy", load_recipe("cleaned"), entries_path=table
    )
    assert report.actions["relabeled_entity"] == 1
    assert report.actions["removed_entity"] == 2
    assert report.notes == []  # each flagged entry occurs as often as judged
    out = list(DocBin().from_disk(tmp_path / "out.spacy").get_docs(docs[0].vocab))
    assert len(out) == 2 and ents_of(out[0]) == [(3, 5, "LOC")]
    report = clean_docbin(data, scores, tmp_path / "out2.spacy", load_recipe("cleaned"))
    assert report.actions["removed_entity"] == 0
    assert any("no entry table" in note for note in report.notes)


def test_clean_docbin_notes_an_entry_table_judged_on_other_data(tmp_path):
    docs = [make_doc(WORDS, ENTS, "t:1")]
    data = write_docbin(docs, tmp_path / "train.spacy")
    scores = write_scores_dir(tmp_path / "scores", [], docs=docs)
    york = E.Entry(("York",), "LOC", n=5, action="missing")  # once in the data
    E.write_entries(
        {york.key: york}, scores
    )  # SCORES_DIR/entries.jsonl: read by default
    report = clean_docbin(data, scores, tmp_path / "out.spacy", load_recipe("cleaned"))
    assert report.actions["removed_entity"] == 1  # still applied
    (note,) = report.notes
    assert "1 of the 1 flagged entries" in note and "'York'/LOC: 1, not 5" in note


def test_score_entries_from_docbins(tmp_path):
    train = [
        make_doc("The cat saw Paris".split(), [(0, 1, "MISC"), (3, 4, "LOC")], f"t:{i}")
        for i in range(3)
    ]
    dev = [
        make_doc("The dog left Paris".split(), [(3, 4, "LOC")], f"d:{i}")
        for i in range(4)
    ]
    data = write_docbin(train, tmp_path / "train.spacy")
    gold = write_docbin(dev, tmp_path / "dev.spacy")
    entries = E.score_entries(data, gold)
    the, paris = entries[(("The",), "MISC")], entries[(("Paris",), "LOC")]
    assert (the.n, dict(the.dev), the.group) == (3, {"O": 4}, "other")
    assert (paris.n, dict(paris.dev)) == (3, {"agree": 4})
    assert the.action == "outside" and paris.action == "keep"
    with pytest.raises(DataError, match="--model"):
        E.score_entries(data, gold, E.EntryOptions(evidence="model"))


def test_entries_cli_writes_the_table(tmp_path):
    from typer.testing import CliRunner

    from spacy_dynclean.cli import app

    train = [make_doc("The cat".split(), [(0, 1, "MISC")], f"t:{i}") for i in range(2)]
    dev = [make_doc("The dog".split(), [], f"d:{i}") for i in range(3)]
    data = write_docbin(train, tmp_path / "train.spacy")
    gold = write_docbin(dev, tmp_path / "dev.spacy")
    result = CliRunner().invoke(
        app, ["entries", str(data), str(gold), str(tmp_path / "s")]
    )
    assert result.exit_code == 0, result.output
    lines = srsly.read_jsonl(tmp_path / "s" / "entries.jsonl")
    assert [(line["words"], line["action"]) for line in lines] == [(["The"], "outside")]


def test_the_simulated_reviewer_decides_the_most_harmful_entries_from_gold():
    from spacy_dynclean.cleaning.oracle import simulated_review

    words = "The band met Hong Kong fans in Paris".split()
    distant = [make_doc(words, [(0, 1, "MISC"), (3, 5, "PER"), (7, 8, "LOC")], "t:1")]
    gold = [make_doc(words, [(3, 5, "LOC")], "t:1")]  # "Paris" is wrong too
    entries = E.collect_entries(distant)
    for key, p_wrong in (
        ((("The",), "MISC"), 0.3),
        ((("Hong", "Kong"), "PER"), 0.2),
        ((("Paris",), "LOC"), 0.1),
    ):
        entries[key].p_wrong = p_wrong
    reviewed = simulated_review(entries, distant, gold, budget=2)
    got = {" ".join(w): (e.action, e.repair) for (w, _), e in reviewed.items()}
    assert got == {
        "The": ("outside", None),
        "Hong Kong": ("relabel", "LOC"),
        "Paris": ("keep", None),  # beyond the budget: the tool's decision stands
    }
    third = simulated_review(entries, distant, gold, budget=3)
    assert third[(("Paris",), "LOC")].action == "outside"
    assert entries[(("The",), "MISC")].action == "keep"  # the input is not changed
