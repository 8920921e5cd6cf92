"""Issue 27, item 1: a second label set (dev, gold, teacher, review) whose names
differ from the training data's is refused before anything is written, in one line
naming both sides; one that merely lacks a type of the data is noted."""

import json
from pathlib import Path

import pytest
import spacy
import srsly
from typer.testing import CliRunner

from spacy_dynclean.cleaning.clean import clean_docbin
from spacy_dynclean.cleaning.entries import score_entries
from spacy_dynclean.cleaning.recipes import load_recipe
from spacy_dynclean.cleaning.self_training import self_train_docbin
from spacy_dynclean.cli import app
from spacy_dynclean.errors import MismatchError
from spacy_dynclean.io.docbin import convert_file, iter_docbin_as_stored
from spacy_dynclean.io.labels import check_label_sets, label_set_problem
from spacy_dynclean.report import apply_review, write_report
from tests.cleaning.helpers import make_doc, write_docbin
from tests.report import build_inputs

RENAMED = {"PER": "PERSON", "LOC": "LOCATION"}


def renamed(docs, tmp_path: Path, name: str) -> Path:
    """The docs with the PER/LOC types called PERSON/LOCATION."""
    out = [
        make_doc(
            [t.text for t in d],
            [(e.start, e.end, RENAMED.get(e.label_, e.label_)) for e in d.ents],
            d.user_data["dynclean_id"],
        )
        for d in docs
    ]
    return write_docbin(out, tmp_path / name)


def test_the_rule():
    data = {"PER": 10, "LOC": 5, "MISC": 1}
    assert label_set_problem(data, {"PER": 3, "LOC": 2}) is None  # lacks a rare type
    assert label_set_problem(data, {"PER": 3, "LOC": 2, "MISC": 1, "X": 1}) is None
    assert label_set_problem(data, {"PERSON": 3, "LOC": 2}) == (
        ["PERSON"],
        ["MISC", "PER"],
    )
    assert label_set_problem(data, {"PER": 1, "X": 1}, subset=True) == (
        ["X"],
        ["LOC", "MISC"],
    )
    assert label_set_problem(data, {}) is None


def test_the_message_names_both_sides_and_the_way_out():
    with pytest.raises(MismatchError) as err:
        check_label_sets(
            {"PER": 2, "LOC": 1},
            "train.spacy",
            {"PERSON": 1, "LOCATION": 1},
            "dev.spacy",
        )
    text = str(err.value)
    assert "\n" not in text
    assert "LOCATION, PERSON only in dev.spacy, LOC, PER only in train.spacy" in text
    assert "--label-map LOCATION=LOC --label-map PERSON=PER" in text
    notes = check_label_sets({"PER": 2, "MISC": 1}, "train.spacy", {"PER": 1}, "dev")
    assert len(notes) == 1 and "no MISC entities" in notes[0]


def test_entries_refuses_a_dev_set_with_other_names(tmp_path):
    inputs = build_inputs(tmp_path)
    dev = renamed(inputs.docs, tmp_path, "dev.spacy")
    result = CliRunner().invoke(
        app, ["entries", str(inputs.data), str(dev), str(tmp_path / "s")]
    )
    assert result.exit_code == 1 and "PERSON" in str(result.exception)
    assert not (tmp_path / "s" / "entries.jsonl").exists()
    with pytest.raises(MismatchError, match="LOCATION, PERSON only in"):
        score_entries(inputs.data, dev)


def test_clean_and_report_refuse_gold_with_other_names(tmp_path):
    inputs = build_inputs(tmp_path)
    gold = renamed(list(iter_docbin_as_stored(inputs.gold)), tmp_path, "g.spacy")
    out = tmp_path / "out.spacy"
    with pytest.raises(MismatchError, match="only in .*g.spacy"):
        clean_docbin(
            inputs.data, inputs.scores, out, load_recipe("cleaned"), gold_path=gold
        )
    assert not out.exists()
    with pytest.raises(MismatchError, match="PERSON"):
        write_report(inputs.scores, inputs.audit, inputs.data, tmp_path / "r", gold)
    assert not (tmp_path / "r").exists()


def test_clean_refuses_an_entry_table_relabelling_to_a_type_the_data_lacks(tmp_path):
    inputs = build_inputs(tmp_path)
    line = {"words": ["Paris"], "label": "LOC", "n": 1, "action": "relabel"}
    srsly.write_jsonl(tmp_path / "e.jsonl", [{**line, "repair": "LOCATION"}])
    with pytest.raises(MismatchError, match="LOCATION only in"):
        clean_docbin(
            inputs.data,
            inputs.scores,
            tmp_path / "o.spacy",
            load_recipe("cleaned"),
            entries_path=tmp_path / "e.jsonl",
        )


def test_apply_review_refuses_types_the_data_lacks(tmp_path):
    inputs = build_inputs(tmp_path)
    write_report(inputs.scores, inputs.audit, inputs.data, tmp_path / "r")
    lines = list(srsly.read_jsonl(tmp_path / "r" / "review.jsonl"))
    lines[0]["spans"][0]["label"] = "PERSON"
    srsly.write_jsonl(tmp_path / "review.jsonl", lines)
    out = tmp_path / "out.spacy"
    with pytest.raises(MismatchError, match="PERSON only in"):
        apply_review(inputs.data, tmp_path / "review.jsonl", out)
    assert not out.exists()


def test_self_train_refuses_a_teacher_with_other_labels(tmp_path):
    inputs = build_inputs(tmp_path)
    nlp = spacy.blank("en")
    ner = nlp.add_pipe("ner")
    for label in ("PERSON", "LOCATION"):
        ner.add_label(label)
    nlp.initialize()
    nlp.to_disk(tmp_path / "teacher")
    out = tmp_path / "out.spacy"
    with pytest.raises(MismatchError, match="LOC, PER only in"):
        self_train_docbin(inputs.cleaned, [tmp_path / "teacher"], out)
    assert not out.exists()


def test_convert_renames_labels(tmp_path):
    src = tmp_path / "dev.json"
    src.write_text(
        json.dumps(
            [
                {
                    "tokens": ["Ann", "in", "Rome"],
                    "entities": [[0, 0, "PERSON"], [2, 2, "LOC"]],
                }
            ]
        )
    )
    stats, _ = convert_file(src, tmp_path / "dev.spacy", label_map={"PERSON": "PER"})
    assert dict(stats.entities) == {"PER": 1, "LOC": 1}
