import pytest
import srsly
from spacy.tokens import DocBin

from spacy_dynclean.cleaning.apply import clean_doc
from spacy_dynclean.cleaning.audit import (
    MARKED_MISSING,
    REMOVED_ENTITY,
    Decision,
    entity_action_of,
)
from spacy_dynclean.cleaning.clean import clean_docbin
from spacy_dynclean.cleaning.gold import detection_path
from spacy_dynclean.cleaning.recipes import Recipe, load_recipe
from spacy_dynclean.cleaning.rules import with_neighbour_decisions
from spacy_dynclean.errors import DataError, MismatchError
from spacy_dynclean.io.docbin import iter_docbin_as_stored
from spacy_dynclean.io.fingerprint import check_fingerprint, fingerprint_docs
from spacy_dynclean.io.ids import get_doc_id

from .helpers import (
    VOCAB,
    clean_with,
    decision,
    ents_of,
    flag,
    make_doc,
    write_docbin,
    write_scores_dir,
)

WORDS = "Alice met Bob Smith in Paris today".split()
ENTS = [(0, 1, "PER"), (2, 4, "PER"), (5, 6, "LOC")]


def doc(doc_id="d:1", ents=ENTS, **kwargs):
    return make_doc(WORDS, ents, doc_id, **kwargs)


def iobs(d):
    return [t.ent_iob for t in d]


def test_flagged_entity_is_removed_and_its_tokens_missing():
    d = doc()
    audit = clean_doc(
        d, [decision("d:1", 2, 4, "entity", "PER", aum=-0.5, threshold=0.2)]
    )
    assert ents_of(d) == [(0, 1, "PER"), (5, 6, "LOC")]
    assert [d[i].ent_iob for i in (2, 3)] == [0, 0]
    assert iobs(d) == [3, 2, 0, 0, 2, 3, 2]
    assert [line.to_line() for line in audit] == [
        {
            "doc_id": "d:1",
            "tokens": ["Bob", "Smith"],
            "start": 2,
            "end": 4,
            "label": "PER",
            "aum": -0.5,
            "threshold": 0.2,
            "action": "removed_entity",
            "kind": "entity",
            "n_missing": 2,
            "repair": None,
            "becomes": "missing",
            "source": "aum",
        }
    ]


def test_entity_action_outside_makes_tokens_o():
    d = doc()
    audit = clean_doc(
        d, [decision("d:1", 2, 4, "entity", "PER")], entity_action="outside"
    )
    assert [d[i].ent_iob_ for i in (2, 3)] == ["O", "O"]
    assert audit[0].n_missing == 0


@pytest.mark.parametrize("entity_action", ["missing", "outside"])
def test_entity_action_is_read_back_from_the_dynamics_decisions(entity_action):
    """A relabel and an entry's own "outside" do not say what the cleaning's
    entity action was; an entity the dynamics removed does."""
    d = doc()
    entry = Decision("d:1", "entity", 5, 6, "LOC", becomes="outside", source="entry")
    decisions = [
        decision("d:1", 0, 1, "entity", "PER", repair="LOC"),
        decision("d:1", 2, 4, "entity", "PER"),
        entry,
    ]
    audit = clean_doc(d, decisions, entity_action=entity_action)
    assert entity_action_of(audit) == entity_action
    assert entity_action_of([a for a in audit if a.source != "aum" or a.repair]) == (
        "missing"
    )


def test_flagged_non_entity_is_missing_not_o():
    d = doc()
    audit = clean_doc(d, [decision("d:1", 6, 7, "non_entity", "O")])
    assert d[6].ent_iob == 0 and d[6].ent_iob_ == ""
    assert ents_of(d) == ENTS
    assert audit[0].action == "marked_missing" and audit[0].tokens == ["today"]


def test_non_entity_span_overlapping_a_kept_entity():
    d = doc()
    audit = clean_doc(
        d, [decision("d:1", 1, 5, "non_entity", "O")]
    )  # covers "Bob Smith" (kept)
    assert ents_of(d) == ENTS
    assert iobs(d) == [3, 0, 3, 1, 0, 3, 2]
    assert audit[0].n_missing == 2


def test_kept_entity_next_to_a_flagged_token_becomes_missing_with_it():
    d = doc()  # "in" (4) flagged: "Bob Smith" (2-4) and "Paris" (5-6) touch it
    decisions = with_neighbour_decisions(d, [decision("d:1", 4, 5, "non_entity", "O")])
    audit = clean_doc(d, decisions)
    assert ents_of(d) == [(0, 1, "PER")]
    assert iobs(d) == [3, 2, 0, 0, 0, 0, 2]
    by_neighbour = [a for a in audit if a.source == "neighbour"]
    assert [(a.start, a.end, a.action, a.becomes) for a in by_neighbour] == [
        (2, 4, REMOVED_ENTITY, "missing"),
        (5, 6, REMOVED_ENTITY, "missing"),
    ]


def test_neighbour_rule_spares_entities_already_removed_or_not_touching():
    d = doc()
    decisions = [
        decision("d:1", 2, 4, "entity", "PER"),
        decision("d:1", 6, 7, "non_entity", "O"),
    ]
    out = with_neighbour_decisions(d, decisions)
    # "Bob Smith" is removed already; "Paris" (5-6) touches "today" (6-7); "Alice" not
    assert [(x.start, x.end, x.source) for x in out] == [
        (2, 4, "aum"),
        (6, 7, "aum"),
        (5, 6, "neighbour"),
    ]


def test_neighbour_rule_replaces_a_relabel_and_ignores_repaired_tokens():
    d = doc()
    relabel = decision("d:1", 5, 6, "entity", "LOC", repair="ORG")
    flagged = decision("d:1", 6, 7, "non_entity", "O")
    out = with_neighbour_decisions(d, [relabel, flagged])
    assert [(x.start, x.repair, x.source) for x in out] == [
        (6, None, "aum"),
        (5, None, "neighbour"),
    ]
    added = decision("d:1", 6, 7, "non_entity", "O", repair="LOC")
    assert with_neighbour_decisions(d, [added]) == [added]


@pytest.mark.parametrize("action,ents", [("missing", [(0, 1, "PER")]), ("keep", ENTS)])
def test_clean_docs_neighbour_rule_on_and_off(action, ents):
    rows = [flag("d:1", 4, 5, "non_entity", "O")]
    ((out, _),) = clean_with([doc()], rows, neighbours=action == "missing")
    assert ents_of(out) == ents


def test_a_recipe_without_rules_changes_nothing():
    rows = [flag("d:1", 2, 4, "entity", "PER")]
    ((out, audit),) = clean_with([doc()], rows, recipe=load_recipe("raw"))
    assert ents_of(out) == ENTS and audit == []


def test_missing_wins_over_outside_where_flags_overlap():
    d = doc()
    clean_doc(
        d,
        [
            decision("d:1", 2, 4, "entity", "PER"),
            decision("d:1", 3, 5, "non_entity", "O"),
        ],
        "outside",
    )
    assert iobs(d) == [3, 2, 2, 0, 0, 3, 2]


def test_existing_missing_tokens_are_kept():
    d = doc(missing=[(6, 7)])
    clean_doc(d, [decision("d:1", 0, 1, "entity", "PER")])
    assert iobs(d) == [0, 2, 3, 1, 2, 3, 0]


@pytest.mark.parametrize(
    "bad,match",
    [
        (decision("d:1", 2, 3, "entity", "PER"), "not an entity of doc 'd:1'"),
        (decision("d:1", 2, 4, "entity", "LOC"), "not an entity of doc 'd:1'"),
        (
            decision("d:1", 6, 9, "non_entity", "O"),
            r"out of range \(doc 'd:1' has 7 tokens\)",
        ),
    ],
)
def test_flags_that_do_not_fit_the_doc_are_refused(bad, match):
    with pytest.raises(MismatchError, match=match):
        clean_doc(doc(), [bad])


def test_clean_docs_keeps_every_doc_in_order():
    docs = [doc(f"d:{i}") for i in range(1, 5)]
    rows = [
        flag("d:2", 0, 1, "entity", "PER"),
        flag("d:3", 0, 1, "entity", "PER", flagged=False),
        flag("d:4", 6, 7, "fake_neg", "LOC"),
    ]
    out = list(clean_with(docs, rows, capitalised=False))
    assert [get_doc_id(d) for d, _ in out] == ["d:1", "d:2", "d:3", "d:4"]
    assert [len(audit) for _, audit in out] == [0, 1, 0, 0]
    assert ents_of(out[0][0]) == ENTS and ents_of(out[2][0]) == ENTS


def test_flags_for_docs_not_in_the_data_are_refused():
    with pytest.raises(MismatchError, match="'d:9'"):
        list(clean_with([doc()], [flag("d:9", 0, 1, "entity", "PER")]))


def test_bad_entity_action():
    with pytest.raises(DataError, match="entity_action"):
        Recipe("mine", entity_action="drop")


def test_clean_docbin_writes_docs_and_audit(tmp_path):
    docs = [doc("d:1"), doc("d:2")]
    data = write_docbin(docs, tmp_path / "train.spacy")
    scores = write_scores_dir(
        tmp_path / "scores",
        [
            flag("d:2", 5, 6, "entity", "LOC"),
            flag("d:2", 6, 7, "non_entity", "O"),
            flag("d:1", 1, 2, "non_entity", "O", flagged=False),
        ],
        docs=docs,
    )
    out, audit = tmp_path / "clean" / "train.spacy", tmp_path / "audit.jsonl"
    report = clean_docbin(data, scores, out, load_recipe("cleaned"), audit_path=audit)
    cleaned = list(DocBin().from_disk(out).get_docs(VOCAB))
    assert [get_doc_id(d) for d in cleaned] == ["d:1", "d:2"]
    assert ents_of(cleaned[0]) == ENTS and ents_of(cleaned[1]) == ENTS[:2]
    assert iobs(cleaned[1])[5:] == [0, 0]
    lines = list(srsly.read_jsonl(audit))
    assert [(line["doc_id"], line["action"]) for line in lines] == [
        ("d:2", "removed_entity"),
        ("d:2", "marked_missing"),
    ]
    assert (
        report.n_docs,
        report.n_changed_docs,
        report.actions[REMOVED_ENTITY],
        report.actions[MARKED_MISSING],
        report.missing_tokens,
    ) == (2, 1, 1, 1, 2)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "audit.jsonl",
        "clean",
        "scores",
        "train.spacy",
    ]
    assert [p.name for p in (tmp_path / "clean").iterdir()] == ["train.spacy"]


def test_clean_docbin_writes_nothing_on_mismatch(tmp_path):
    data = write_docbin([doc("d:1")], tmp_path / "train.spacy")
    scores = write_scores_dir(
        tmp_path / "scores", [flag("d:7", 0, 1, "entity", "PER")], docs=[doc("d:1")]
    )
    with pytest.raises(MismatchError):
        clean_docbin(
            data,
            scores,
            tmp_path / "out.spacy",
            load_recipe("cleaned"),
            audit_path=tmp_path / "audit.jsonl",
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scores", "train.spacy"]


def test_fingerprint_check(tmp_path):
    data = write_docbin([doc("d:1")], tmp_path / "train.spacy")
    real = fingerprint_docs([doc("d:1")], ["PER", "LOC"])
    assert (
        check_fingerprint(
            data, tmp_path, {"fingerprint": real, "entity_types": ["PER", "LOC"]}
        )
        == []
    )
    with pytest.raises(MismatchError, match="train.spacy"):
        check_fingerprint(
            data, tmp_path, {"fingerprint": real, "entity_types": ["PER"]}
        )
    other = fingerprint_docs([doc("d:2")], ["PER", "LOC"])
    with pytest.raises(MismatchError, match="not the data"):
        check_fingerprint(
            data, tmp_path, {"fingerprint": other, "entity_types": ["PER", "LOC"]}
        )


def test_detection_path(tmp_path):
    assert (
        detection_path(tmp_path / "o.spacy", tmp_path / "a" / "audit.jsonl")
        == tmp_path / "a" / "audit.detection.json"
    )
    assert (
        detection_path(tmp_path / "out" / "o.spacy")
        == tmp_path / "out" / "detection.json"
    )


def test_unreadable_docbin(tmp_path):
    bad = tmp_path / "bad.spacy"
    bad.write_bytes(b"not a docbin")
    with pytest.raises(DataError, match="bad.spacy"):
        list(iter_docbin_as_stored(bad))
