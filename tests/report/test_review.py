"""review.jsonl export and `dynclean apply-review`: accept some, reject some."""

import json

import pytest
import srsly
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spacy.tokens import DocBin
from typer.testing import CliRunner

import spacy_dynclean.cli.report  # noqa: F401  (registers the commands)
from spacy_dynclean.cli._util import app
from spacy_dynclean.errors import DataError, DynCleanError
from spacy_dynclean.io.docbin import iter_docbin_as_stored, write_docbin
from spacy_dynclean.report import REVIEW_FILE, apply_review, write_report

from ..cleaning.helpers import VOCAB, ents_of
from . import SCRIPT, build_inputs

runner = CliRunner()


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """Inputs and the exported review lines (built once: the tests copy them)."""
    tmp_path = tmp_path_factory.mktemp("review")
    inputs = build_inputs(tmp_path)
    write_report(inputs.scores, inputs.audit, inputs.data, tmp_path / "report")
    return inputs, list(srsly.read_jsonl(tmp_path / "report" / REVIEW_FILE))


def state(path):
    """(id, entities, missing token indices) of every doc of a DocBin."""
    return [
        (
            doc.user_data["dynclean_id"],
            ents_of(doc),
            [t.i for t in doc if t.ent_iob == 0],
        )
        for doc in DocBin().from_disk(path).get_docs(VOCAB)
    ]


def folder_state(path):
    """`state` of a .spacy file or folder of shards."""
    return [
        (
            doc.user_data["dynclean_id"],
            ents_of(doc),
            [t.i for t in doc if t.ent_iob == 0],
        )
        for doc in iter_docbin_as_stored(path, VOCAB)
    ]


def write_lines(path, lines):
    path.write_text(
        "".join(
            line if isinstance(line, str) else json.dumps(line) + "\n" for line in lines
        ),
        encoding="utf8",
    )
    return path


def copy(lines):
    return json.loads(json.dumps(lines))


def test_review_lines_follow_the_prodigy_format(exported):
    inputs, lines = exported
    assert [line["meta"]["doc_id"] for line in lines] == [
        "train:1",
        "train:2",
        "train:4",
    ]
    for line in lines:
        assert line["answer"] == "accept"
        for token in line["tokens"]:
            assert line["text"][token["start"] : token["end"]] == token["text"]
        for span in line["spans"] + line["meta"]["decisions"]:
            first, last = (
                line["tokens"][span["token_start"]],
                line["tokens"][span["token_end"]],
            )
            assert (span["start"], span["end"]) == (first["start"], last["end"])
        assert all(d["accept"] is True for d in line["meta"]["decisions"])
    first = lines[0]
    assert [(s["token_start"], s["token_end"], s["label"]) for s in first["spans"]] == [
        (0, 0, "PER")
    ]
    assert [
        (d["id"], d["action"], d["text"], d["aum"]) for d in first["meta"]["decisions"]
    ] == [
        ("train:1#0", "removed_entity", "Paris", -1.5),
        ("train:1#1", "marked_missing", "today", 2.0),
    ]
    assert first["meta"]["aum"] == -1.5 and first["meta"]["action"] == "removed_entity"
    assert lines[2]["tokens"][0]["text"] == SCRIPT


def test_all_accepted_gives_the_cleaned_data(exported, tmp_path):
    inputs, lines = exported
    out = tmp_path / "final.spacy"
    result = apply_review(inputs.data, write_lines(tmp_path / "r.jsonl", lines), out)
    assert (result.n_docs, result.n_reviewed, result.accepted, result.rejected) == (
        4,
        3,
        5,
        0,
    )
    assert state(out) == state(inputs.cleaned)


def test_accept_some_reject_some(exported, tmp_path):
    inputs, lines = exported
    lines = copy(lines)
    lines[0]["meta"]["decisions"][0]["accept"] = (
        False  # keep Paris as LOC; "today" still becomes missing
    )
    lines[0]["spans"].append(
        {"start": 0, "end": 5, "token_start": 4, "token_end": 4, "label": "LOC"}
    )  # not applied
    lines[1]["spans"].append(
        {"start": 8, "end": 13, "token_start": 2, "token_end": 2, "label": "PER"}
    )  # Carol back
    lines[2]["answer"] = "reject"  # the whole doc keeps its annotation
    out = tmp_path / "final.spacy"
    result = apply_review(inputs.data, write_lines(tmp_path / "r.jsonl", lines), out)
    assert (result.accepted, result.rejected) == (2, 3)
    assert (
        len(result.ignored_span_edits) == 1
        and "record 1" in result.ignored_span_edits[0]
    )
    assert state(out) == [
        ("train:1", [(0, 1, "PER"), (3, 4, "LOC")], [4]),
        ("train:2", [(0, 1, "PER"), (2, 3, "PER"), (4, 5, "LOC")], [3]),
        ("train:3", [], []),
        ("train:4", [(2, 3, "PER")], []),
    ]


def test_docs_not_in_the_review_are_copied_unchanged(exported, tmp_path):
    inputs, lines = exported
    out = tmp_path / "final.spacy"
    apply_review(inputs.data, write_lines(tmp_path / "r.jsonl", lines[1:2]), out)
    original, cleaned, final = state(inputs.data), state(inputs.cleaned), state(out)
    assert final == [original[0], cleaned[1], original[2], original[3]]


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(accepts=st.lists(st.booleans(), min_size=5, max_size=5))
def test_each_decision_is_applied_or_restored(exported, tmp_path, accepts):
    """Any accept pattern: an accepted removal is gone and its tokens missing, a
    rejected one is back; an accepted non-entity token is missing, a rejected one O."""
    inputs, lines = exported
    lines = copy(lines)
    decisions = [d for line in lines for d in line["meta"]["decisions"]]
    for decision, accept in zip(decisions, accepts):
        decision["accept"] = accept
    out = tmp_path / f"final-{''.join(map(str, map(int, accepts)))}.spacy"
    apply_review(inputs.data, write_lines(tmp_path / "r.jsonl", lines), out)
    final = {doc_id: (set(ents), set(missing)) for doc_id, ents, missing in state(out)}
    for line in lines:
        ents, missing = final[line["meta"]["doc_id"]]
        for d in line["meta"]["decisions"]:
            tokens = set(range(d["token_start"], d["token_end"] + 1))
            if d["kind"] == "entity":
                assert (
                    (d["token_start"], d["token_end"] + 1, d["label"]) in ents
                ) != d["accept"]
            assert tokens <= missing if d["accept"] else not tokens & missing


def _set(lines, index, **changes):
    line = copy(lines[index])
    for dotted, value in changes.items():
        target, *path = [line] + dotted.split("__")
        for key in path[:-1]:
            target = target[int(key)] if isinstance(target, list) else target[key]
        last = path[-1]
        target[int(last) if isinstance(target, list) else last] = value
    return line


@pytest.mark.parametrize(
    "make_line, problem",
    [
        (lambda lines: "{oops\n", "invalid JSON"),
        (lambda lines: "[1, 2]\n", "must be a JSON object"),
        (lambda lines: _set(lines, 1, meta__doc_id="train:99"), "'train:99' is not in"),
        (lambda lines: _set(lines, 0), "already reviewed on line 1"),
        (lambda lines: _set(lines, 1, meta={}), "meta.doc_id is missing"),
        (lambda lines: _set(lines, 1, answer="maybe"), "'answer' must be one of"),
        (
            lambda lines: _set(lines, 1, meta__decisions__0__accept="yes"),
            "meta.decisions[0].accept must be a bool",
        ),
        (
            lambda lines: _set(lines, 1, meta__decisions__0__token_end=3),
            "is not an entity of doc 'train:2'",
        ),
        (
            lambda lines: _set(lines, 1, meta__decisions__0__token_end=40),
            "out of range",
        ),
        (lambda lines: _set(lines, 1, tokens__0__text="Robert"), "the tokens differ"),
        (lambda lines: _set(lines, 1, spans="none"), "'spans' must be a list"),
    ],
)
@pytest.mark.parametrize("out_name, shard_size", [("final.spacy", None), ("final", 1)])
def test_bad_review_lines_name_file_and_line(
    exported, tmp_path, make_line, problem, out_name, shard_size
):
    inputs, lines = exported
    review = write_lines(tmp_path / "bad.jsonl", [lines[0], make_line(lines), lines[2]])
    out = tmp_path / out_name
    with pytest.raises(DataError) as err:
        apply_review(inputs.data, review, out, shard_size=shard_size)
    assert (
        err.value.record == 2
        and str(review) in str(err.value)
        and problem in str(err.value)
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "bad.jsonl"
    ]  # no output, no temp file or folder


def test_shards_in_and_out(exported, tmp_path):
    """A folder of shards reads and writes like one .spacy file: the same docs, in order."""
    inputs, lines = exported
    review = write_lines(tmp_path / "r.jsonl", lines)
    shards = tmp_path / "shards"
    write_docbin(iter_docbin_as_stored(inputs.data), shards, shard_size=3)
    result = apply_review(shards, review, tmp_path / "final", shard_size=2)
    assert (result.n_docs, result.n_reviewed, result.accepted, result.rejected) == (
        4,
        3,
        5,
        0,
    )
    assert sorted(p.name for p in (tmp_path / "final").iterdir()) == [
        "final-00000.spacy",
        "final-00001.spacy",
    ]
    assert folder_state(tmp_path / "final") == state(inputs.cleaned)


def test_a_bad_output_is_refused_before_reading(exported, tmp_path):
    inputs, lines = exported
    with pytest.raises(DynCleanError, match="must be a .spacy file or a folder"):
        apply_review(inputs.data, tmp_path / "not-read.jsonl", tmp_path / "final.json")
    with pytest.raises(DynCleanError, match="--shard-size needs an output folder"):
        apply_review(
            inputs.data,
            tmp_path / "not-read.jsonl",
            tmp_path / "final.spacy",
            shard_size=2,
        )


def test_apply_review_cli(exported, tmp_path):
    inputs, lines = exported
    lines = copy(lines)
    lines[0]["spans"].append(
        {"start": 0, "end": 5, "token_start": 4, "token_end": 4, "label": "LOC"}
    )
    review, out = write_lines(tmp_path / "r.jsonl", lines), tmp_path / "final.spacy"
    result = runner.invoke(
        app, ["apply-review", str(inputs.data), str(review), str(out)]
    )
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())
    assert "Wrote 4 docs (3 reviewed)" in output and "were not applied" in output
    assert "record 1: LOC span token_start 4, token_end 4 added" in output
    assert len(list(iter_docbin_as_stored(out))) == 4
    result = runner.invoke(
        app, ["apply-review", str(inputs.data), str(tmp_path / "nope.jsonl"), str(out)]
    )
    assert isinstance(result.exception, DataError) and "no such file" in str(
        result.exception
    )
