"""Self-training: which teacher proposals become entities, and the written data."""

from collections import Counter

import pytest
import spacy
from spacy.tokens import Doc
from typer.testing import CliRunner

from spacy_dynclean.cleaning.audit import read_audit
from spacy_dynclean.cleaning.self_training import (
    TeacherOptions,
    self_train_docbin,
    teacher_decisions,
    teacher_votes,
)
from spacy_dynclean.cli import app
from spacy_dynclean.errors import DataError
from spacy_dynclean.io.docbin import iter_docbin_as_stored

from .helpers import ents_of, make_doc, write_docbin

WORDS = ["Ann", "met", "Bob", "in", "New", "York", "today"]


def ruler(patterns: list[tuple[str, str]]) -> spacy.language.Language:
    """A teacher that predicts every phrase of `patterns` (text, type)."""
    nlp = spacy.blank("en")
    nlp.add_pipe("entity_ruler").add_patterns(
        [
            {"label": label, "pattern": [{"ORTH": w} for w in text.split()]}
            for text, label in patterns
        ]
    )
    return nlp


def decided(doc: Doc, votes: dict, k: int, fill_outside: bool = False) -> list:
    return [
        (d.start, d.end, d.repair, d.source)
        for d in teacher_decisions(doc, Counter(votes), k, fill_outside)
    ]


def test_missing_tokens_get_the_entities_enough_teachers_agree_on():
    doc = make_doc(WORDS, [], "t:1", missing=[(0, 1), (4, 6)])
    votes = {(0, 1, "PER"): 1, (4, 6, "LOC"): 2}
    assert decided(doc, votes, 2) == [(4, 6, "LOC", "teacher")]
    assert decided(doc, votes, 1) == [
        (0, 1, "PER", "teacher"),
        (4, 6, "LOC", "teacher"),
    ]


def test_o_tokens_are_filled_only_with_fill_outside():
    doc = make_doc(WORDS, [], "t:1", missing=[(4, 6)])
    votes = {(2, 3, "PER"): 2, (4, 6, "LOC"): 2, (5, 7, "LOC"): 1}
    assert decided(doc, votes, 1) == [(4, 6, "LOC", "teacher")]
    assert decided(doc, votes, 1, fill_outside=True) == [
        (2, 3, "PER", "teacher"),
        (4, 6, "LOC", "teacher"),
    ]


def test_kept_entities_and_their_edges_are_left_alone():
    doc = make_doc(WORDS, [(5, 6, "LOC")], "t:1", missing=[(0, 5), (6, 7)])
    votes = {(4, 5, "LOC"): 3, (4, 6, "LOC"): 3, (6, 7, "DATE"): 3, (0, 1, "PER"): 3}
    assert decided(doc, votes, 3) == [(0, 1, "PER", "teacher")]


def test_overlapping_proposals_go_by_agreement_then_length():
    doc = make_doc(WORDS, [], "t:1", missing=[(0, 7)])
    assert decided(doc, {(4, 5, "LOC"): 2, (4, 6, "LOC"): 1}, 1) == [
        (4, 5, "LOC", "teacher")
    ]
    assert decided(doc, {(4, 5, "ORG"): 2, (4, 6, "LOC"): 2}, 1) == [
        (4, 6, "LOC", "teacher")
    ]


def test_votes_count_the_teachers_that_predict_the_exact_entity():
    docs = [make_doc(WORDS, [], "t:1")]
    teachers = [
        ruler([("New York", "LOC")]),
        ruler([("New York", "LOC"), ("Bob", "PER")]),
    ]
    assert teacher_votes(docs, teachers) == [
        Counter({(4, 6, "LOC"): 2, (2, 3, "PER"): 1})
    ]


def test_self_train_docbin_writes_every_doc_and_audits_the_additions(tmp_path):
    docs = [
        make_doc(WORDS, [(0, 1, "PER")], "t:1", missing=[(2, 3), (4, 6)]),
        make_doc(["Nothing", "here"], [], "t:2"),
    ]
    data = write_docbin(docs, tmp_path / "cleaned.spacy")
    teachers = []
    for i, patterns in enumerate(
        [[("New York", "LOC"), ("Bob", "PER")], [("New York", "LOC"), ("Bob", "ORG")]]
    ):
        ruler(patterns).to_disk(tmp_path / f"teacher{i}")
        teachers.append(tmp_path / f"teacher{i}")
    out, audit = tmp_path / "out.spacy", tmp_path / "audit.jsonl"
    report = self_train_docbin(data, teachers, out, audit)
    written = list(iter_docbin_as_stored(out))
    assert [ents_of(d) for d in written] == [[(0, 1, "PER"), (4, 6, "LOC")], []]
    assert written[0][2].ent_iob == 0  # the teachers disagree on Bob: still missing
    assert report.n_docs == 2 and report.actions["added_entity"] == 1
    ((line, added),) = read_audit(audit)["t:1"]
    assert (added.action, added.repair, added.source, added.tokens) == (
        "added_entity",
        "LOC",
        "teacher",
        ["New", "York"],
    )


@pytest.mark.parametrize("min_agree", [0, 3])
def test_an_impossible_agreement_is_refused_before_anything_is_written(
    tmp_path, min_agree
):
    data = write_docbin([make_doc(WORDS, [], "t:1")], tmp_path / "cleaned.spacy")
    ruler([]).to_disk(tmp_path / "teacher")
    out = tmp_path / "out.spacy"
    with pytest.raises(
        DataError, match="--min-agree.*between 1 and the number of teachers"
    ):
        self_train_docbin(
            data, [tmp_path / "teacher"] * 2, out, options=TeacherOptions(min_agree)
        )
    assert not out.exists()


def test_cli_self_train(tmp_path):
    data = write_docbin(
        [make_doc(WORDS, [], "t:1", missing=[(4, 6)])], tmp_path / "c.spacy"
    )
    ruler([("New York", "LOC")]).to_disk(tmp_path / "teacher")
    out = tmp_path / "out.spacy"
    result = CliRunner().invoke(
        app,
        [
            "self-train",
            str(data),
            str(out),
            "--teacher",
            str(tmp_path / "teacher"),
            "--audit",
            str(tmp_path / "a.jsonl"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Entities added: 1" in result.output
    assert [ents_of(d) for d in iter_docbin_as_stored(out)] == [[(4, 6, "LOC")]]
