"""`dynclean convert`: every input format to a DocBin with ids, summaries, clean failures."""

import json
import sys
from pathlib import Path

import pytest
from spacy.tokens import Doc, DocBin
from typer.testing import CliRunner, Result

import spacy_dynclean.cli  # noqa: F401  (registers every command on the app)
from spacy_dynclean.cli._util import app
from spacy_dynclean.errors import DataError, DynCleanError
from spacy_dynclean.io.common import blank
from spacy_dynclean.io.dsner import doc_to_dsner
from spacy_dynclean.io.ids import get_doc_id, set_doc_id

RECORDS = [
    {
        "tokens": ["EU", "rejects", "German", "call"],
        "entities": [[0, 0, "ORG"], [2, 2, "MISC"]],
    },
    {"tokens": ["Peter", "Blackburn"], "entities": [[0, 1, "PER"]]},
]
CONLL = "EU B-ORG\nrejects O\nGerman B-MISC\ncall O\n\nPeter B-PER\nBlackburn I-PER\n"
JSONL = (
    '{"text": "EU rejects German call", "spans": [{"start": 0, "end": 2, "label": "ORG"}, '
    '{"start": 11, "end": 17, "label": "MISC"}]}\n{"text": "Peter Blackburn", "entities": [[0, 15, "PER"]]}\n'
)


def convert(*args: object) -> Result:
    return CliRunner().invoke(app, ["convert", *map(str, args)])


def load(path: Path) -> list:
    return list(
        DocBin(store_user_data=True).from_disk(path).get_docs(blank("en").vocab)
    )


@pytest.mark.parametrize(
    "name,content",
    [("a.json", json.dumps(RECORDS)), ("a.conll", CONLL), ("a.jsonl", JSONL)],
)
def test_convert_formats(tmp_path: Path, name: str, content: str) -> None:
    source, out = tmp_path / name, tmp_path / "corpus" / "train.spacy"
    source.write_text(content, encoding="utf-8")
    result = convert(source, out)
    assert result.exit_code == 0, result.output
    docs = load(out)
    assert [get_doc_id(doc) for doc in docs] == ["a:1", "a:2"]
    assert [doc_to_dsner(doc) for doc in docs] == RECORDS
    assert "Wrote 2 docs, 6 tokens" in result.output
    for label in ("ORG", "MISC", "PER"):
        assert label in result.output
    assert ("Tag scheme: bio (detected)" in result.output) == name.endswith(".conll")
    assert [p.name for p in out.parent.iterdir()] == ["train.spacy"]


def test_format_override_and_scheme(tmp_path: Path) -> None:
    source, out = tmp_path / "tags.dat", tmp_path / "out.spacy"
    source.write_text("Peter I-PER\nBlackburn I-PER\n", encoding="utf-8")
    result = convert(source, out, "--format", "conll", "--scheme", "iob1")
    assert result.exit_code == 0, result.output
    assert "Tag scheme: iob1" in result.output and "(detected)" not in result.output
    assert doc_to_dsner(load(out)[0])["entities"] == [[0, 1, "PER"]]


def test_alignment_adjustments_are_reported(tmp_path: Path) -> None:
    source, out = tmp_path / "a.jsonl", tmp_path / "out.spacy"
    source.write_text(
        '{"text": "Peter Blackburn", "spans": [{"start": 0, "end": 3, "label": "PER"}]}\n'
    )
    result = convert(source, out, "--alignment-mode", "expand")
    assert result.exit_code == 0, result.output
    assert "Adjusted 1 spans to token boundaries (expand)" in result.output
    assert "record 1: span" in result.output and "'Pet' -> 'Peter'" in result.output


def test_docbin_input_keeps_and_assigns_ids(tmp_path: Path) -> None:
    vocab = blank("en").vocab
    docs = [
        Doc(vocab, words=["a", "b"], ents=["B-PER", "O"]),
        Doc(vocab, words=["c"], ents=["O"]),
    ]
    set_doc_id(docs[1], "kept")
    source, out = tmp_path / "old.spacy", tmp_path / "new.spacy"
    DocBin(store_user_data=True, docs=docs).to_disk(source)
    result = convert(source, out)
    assert result.exit_code == 0, result.output
    assert [get_doc_id(doc) for doc in load(out)] == ["old:1", "kept"]
    assert "Assigned sample ids to 1 docs" in result.output


def test_docbin_with_duplicate_ids_and_missing_labels(tmp_path: Path) -> None:
    vocab = blank("en").vocab
    docs = [
        set_doc_id(Doc(vocab, words=["a"]), "x"),
        set_doc_id(Doc(vocab, words=["b"]), "x"),
    ]
    source, out = tmp_path / "dup.spacy", tmp_path / "out.spacy"
    DocBin(store_user_data=True, docs=docs).to_disk(source)
    result = convert(source, out)
    assert result.exit_code != 0 and not out.exists()
    assert f"{source}, record 2: sample id 'x' is also used by record 1" in str(
        result.exception
    )
    DocBin(store_user_data=True, docs=docs[:1]).to_disk(source)
    result = convert(source, out)
    assert (
        result.exit_code == 0
        and "1 docs have tokens with missing labels" in result.output
    )


BAD = [
    (
        "bad.json",
        b'[{"tokens": ["a"], "entities": [[0, 1, "PER"]]}]',
        [],
        'bad.json, record 1: entity [0, 1, "PER"] is out of range for 1 tokens',
    ),
    (
        "bad.json",
        b"[",
        [],
        "bad.json: invalid JSON at line 1, column 2 (character offset 1): Expecting value",
    ),
    (
        "bad.conll",
        b"a O\nb I-PER\n",
        ["--scheme", "bio"],
        "bad.conll, record 1: line 2: 'I-PER' after 'O'",
    ),
    (
        "bad.jsonl",
        b'{"text": "Anna", "spans": [[0, 2, "PER"]]}\n',
        [],
        "bad.jsonl, record 1: span [0, 2, \"PER\"] ('An') does not fall on token boundaries",
    ),
    (
        "bad.jsonl",
        b'{"text": "caf\xe9", "spans": []}\n',
        [],
        "bad.jsonl: not UTF-8: invalid byte 0xe9 at byte offset 13, line 1 (re-encode the file as UTF-8)",
    ),
    ("bad.spacy", b"not a docbin", [], "bad.spacy: not a spaCy DocBin"),
    ("empty.json", b"", [], "empty.json: file is empty"),
    (
        "data.xml",
        b"<x/>",
        [],
        "data.xml: can't tell the format from the extension '.xml' (pass --format",
    ),
    (
        "ok.json",
        json.dumps(RECORDS).encode(),
        ["--scheme", "bio"],
        "--scheme only applies to CoNLL input, not json",
    ),
    (
        "ok.json",
        json.dumps(RECORDS).encode(),
        ["--alignment-mode", "expand"],
        "--alignment-mode only applies to JSONL",
    ),
    (
        "ok.json",
        json.dumps(RECORDS).encode(),
        ["--format", "xml"],
        "Unknown format 'xml'",
    ),
]


@pytest.mark.parametrize("name,content,options,message", BAD)
def test_bad_input_fails_cleanly(
    tmp_path: Path, name: str, content: bytes, options: list, message: str
) -> None:
    source, out = tmp_path / name, tmp_path / "out" / "train.spacy"
    source.write_bytes(content)
    result = convert(source, out, *options)
    assert result.exit_code != 0
    assert isinstance(result.exception, DynCleanError)
    assert message in str(result.exception)
    assert not out.exists() and not list(tmp_path.rglob("*.tmp"))


def test_failure_leaves_existing_output_untouched(tmp_path: Path) -> None:
    source, out = tmp_path / "bad.json", tmp_path / "train.spacy"
    out.write_bytes(b"previous")
    source.write_text(json.dumps([RECORDS[0], {"tokens": [], "entities": []}]))
    result = convert(source, out)
    assert isinstance(result.exception, DataError) and result.exception.record == 2
    assert out.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.json", "train.spacy"]


def test_missing_input_and_wrong_output_suffix(tmp_path: Path) -> None:
    result = convert(tmp_path / "nope.json", tmp_path / "out.spacy")
    assert result.exit_code != 0 and "nope.json: file not found" in str(
        result.exception
    )
    source = tmp_path / "ok.json"
    source.write_text(json.dumps(RECORDS))
    result = convert(source, tmp_path / "out.json")
    assert result.exit_code != 0 and "The output must be a .spacy file" in str(
        result.exception
    )
    assert not (tmp_path / "out.json").exists()


def test_main_prints_message_and_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    source = tmp_path / "bad.json"
    source.write_text("{}")
    monkeypatch.setattr(
        sys, "argv", ["dynclean", "convert", str(source), str(tmp_path / "out.spacy")]
    )
    with pytest.raises(SystemExit) as info:
        spacy_dynclean.cli.main()
    assert info.value.code == 1
    printed = " ".join(capsys.readouterr().out.split())  # wasabi wraps long lines
    assert (
        f"{source}: the top level must be a JSON list of records, got dict" in printed
    )


def test_id_prefix_gives_twin_files_the_same_ids(tmp_path):
    import spacy

    from spacy_dynclean.io.ids import get_doc_id

    records = '[{"tokens": ["Ann", "sings"], "entities": [[0, 0, "PER"]]}, {"tokens": ["Rain"], "entities": []}]'
    (tmp_path / "train-gs.json").write_text(records, encoding="utf8")
    out = tmp_path / "gs.spacy"
    result = CliRunner().invoke(
        app,
        ["convert", str(tmp_path / "train-gs.json"), str(out), "--id-prefix", "train"],
    )
    assert result.exit_code == 0, result.output
    docs = DocBin().from_disk(out).get_docs(spacy.blank("en").vocab)
    assert [get_doc_id(doc) for doc in docs] == ["train:1", "train:2"]
