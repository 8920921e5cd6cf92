"""JSONL character spans → Doc: Prodigy and doccano shapes, alignment, precise errors."""

import json
from pathlib import Path

import pytest

from spacy_dynclean.errors import DataError, DynCleanError
from spacy_dynclean.io.common import ReadNotes
from spacy_dynclean.io.dsner import doc_to_dsner
from spacy_dynclean.io.ids import get_doc_id
from spacy_dynclean.io.jsonl import read_jsonl

TEXT = "Anna lives in New York."
EXPECTED = {
    "tokens": ["Anna", "lives", "in", "New", "York", "."],
    "entities": [[0, 0, "PER"], [3, 4, "LOC"]],
}


def write(tmp_path: Path, lines: list, name: str = "ann.jsonl") -> Path:
    path = tmp_path / name
    text = "".join(
        (line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines
    )
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "record",
    [
        {
            "text": TEXT,
            "spans": [
                {"start": 0, "end": 4, "label": "PER"},
                {"start": 14, "end": 22, "label": "LOC", "token_start": 3},
            ],
            "answer": "accept",
            "_input_hash": 1,
        },
        {"id": 7, "text": TEXT, "entities": [[14, 22, "LOC"], [0, 4, "PER"]]},
        {"text": TEXT, "label": [[0, 4, "PER"], [14, 22, "LOC"]]},
        {
            "text": TEXT,
            "label": "news",
            "entities": [
                {"start_offset": 0, "end_offset": 4, "label": "PER"},
                {"start_offset": 14, "end_offset": 22, "label": "LOC"},
            ],
        },
    ],
    ids=["prodigy", "doccano-entities", "doccano-label", "doccano-objects"],
)
def test_formats(tmp_path: Path, record: dict) -> None:
    docs = list(
        read_jsonl(write(tmp_path, [record, {"text": "Nothing here", "spans": []}]))
    )
    assert [doc_to_dsner(doc) for doc in docs] == [
        EXPECTED,
        {"tokens": ["Nothing", "here"], "entities": []},
    ]
    assert [get_doc_id(doc) for doc in docs] == ["ann:1", "ann:2"]
    assert docs[0].text == TEXT
    assert [t.ent_iob_ for t in docs[0]] == ["B", "O", "O", "B", "I", "O"]


def test_lang_option(tmp_path: Path) -> None:
    docs = list(
        read_jsonl(
            write(tmp_path, [{"text": "Ich wohne in Berlin.", "spans": []}]), lang="de"
        )
    )
    assert docs[0].lang_ == "de"
    with pytest.raises(DynCleanError, match="Unknown language code 'zz'"):
        list(read_jsonl(write(tmp_path, [{"text": "a", "spans": []}]), lang="zz"))


@pytest.mark.parametrize(
    "mode,span,result",
    [
        ("expand", [1, 4, "PER"], [0, 0, "PER"]),
        ("contract", [0, 8, "PER"], [0, 0, "PER"]),
        ("expand", [0, 4, "PER"], [0, 0, "PER"]),
    ],
)
def test_alignment_modes_report_adjustments(
    tmp_path: Path, mode: str, span: list, result: list
) -> None:
    notes = ReadNotes()
    docs = list(
        read_jsonl(
            write(tmp_path, [{"text": TEXT, "entities": [span]}]),
            alignment_mode=mode,
            notes=notes,
        )
    )
    assert doc_to_dsner(docs[0])["entities"] == [result]
    adjusted = span != [0, 4, "PER"]
    assert len(notes.adjusted) == int(adjusted)
    if adjusted:
        piece = TEXT[span[0] : span[1]]
        assert notes.adjusted == [
            f"record 1: span {json.dumps(span)} {piece!r} -> 'Anna'"
        ]


def read_error(tmp_path: Path, lines: list, mode: str = "strict") -> DataError:
    path = write(tmp_path, lines)
    with pytest.raises(DataError) as info:
        list(read_jsonl(path, alignment_mode=mode))
    assert str(info.value).startswith(f"{path}, record ")
    return info.value


GOOD = {"text": "ok", "spans": []}
BAD = [
    (
        [GOOD, '{"text": "a", "spans": [}'],
        2,
        "invalid JSON at column 25: Expecting value",
    ),
    (['["a"]'], 1, "a record must be a JSON object, got list"),
    ([{"spans": []}], 1, "missing field 'text'"),
    ([{"text": 5, "spans": []}], 1, "'text' must be a string, got int"),
    ([{"text": "", "spans": []}], 1, "empty text"),
    ([{"text": "  ", "spans": []}], 1, "empty text"),
    ([GOOD, ""], 2, "blank line (JSONL needs one JSON object per line)"),
    (
        [{"text": "a b"}],
        1,
        'missing field \'spans\' (or "entities" / "label"; write "spans": [] for a text without entities)',
    ),
    ([{"text": "a b", "spans": {}}], 1, "'spans' must be a list"),
    (
        [{"text": "a b", "spans": [], "entities": []}],
        1,
        "entities given twice, in 'spans' and 'entities'",
    ),
    (
        [{"text": "a b", "spans": [{"start": 0, "label": "X"}]}],
        1,
        "span {\"start\": 0, \"label\": \"X\"} needs 'start', 'end' and 'label'",
    ),
    (
        [{"text": "a b", "spans": [[0, 1]]}],
        1,
        "span [0, 1] must be an object with start/end/label or [start, end, label]",
    ),
    (
        [{"text": "a b", "spans": [[0, "1", "X"]]}],
        1,
        'span [0, "1", "X"]: offsets must be integers, got \'1\'',
    ),
    (
        [{"text": "a b", "spans": [[0, 1, " "]]}],
        1,
        'span [0, 1, " "]: label must be a non-empty string',
    ),
    (
        [{"text": "a b", "spans": [[0, 9, "X"]]}],
        1,
        'span [0, 9, "X"] is out of range for 3 characters',
    ),
    (
        [{"text": "a b", "spans": [[2, 1, "X"]]}],
        1,
        'span [2, 1, "X"] is reversed or empty',
    ),
    (
        [{"text": "a b", "spans": [[1, 1, "X"]]}],
        1,
        'span [1, 1, "X"] is reversed or empty',
    ),
    (
        [{"text": "a b", "spans": [[0, 3, "X"], [2, 3, "Y"]]}],
        1,
        'span [0, 3, "X"] and span [2, 3, "Y"] overlap',
    ),
    (
        [{"text": TEXT, "spans": [[0, 3, "PER"]]}],
        1,
        "span [0, 3, \"PER\"] ('Ann') does not fall on token boundaries (the tokens there are ['Anna']; fix the offsets or pass --alignment-mode expand or contract)",
    ),
    (
        [{"text": TEXT, "spans": [[0, 5, "PER"]]}],
        1,
        "span [0, 5, \"PER\"] ('Anna ') does not fall on token boundaries",
    ),
    (
        [{"text": "a b", "spans": [[0, 1, "X"]], "answer": "reject"}],
        1,
        "the annotation's answer is 'reject' (export only accepted annotations)",
    ),
]


@pytest.mark.parametrize("lines,record,problem", BAD)
def test_bad_jsonl(tmp_path: Path, lines: list, record: int, problem: str) -> None:
    err = read_error(tmp_path, lines)
    assert err.record == record
    assert problem in str(err)


def test_contract_to_nothing_and_expand_overlap(tmp_path: Path) -> None:
    err = read_error(
        tmp_path, [{"text": TEXT, "spans": [[1, 3, "PER"]]}], mode="contract"
    )
    assert (
        "span [1, 3, \"PER\"] ('nn') covers no whole token, even with alignment mode 'contract'"
        in str(err)
    )
    err = read_error(
        tmp_path,
        [{"text": TEXT, "spans": [[0, 2, "PER"], [2, 4, "ORG"]]}],
        mode="expand",
    )
    assert 'span [0, 2, "PER"] and span [2, 4, "ORG"] overlap' in str(err)


def test_non_utf8_and_empty(tmp_path: Path) -> None:
    path = tmp_path / "ann.jsonl"
    path.write_bytes(b'{"text": "ok", "spans": []}\n{"text": "caf\xe9", "spans": []}\n')
    with pytest.raises(
        DataError, match="not UTF-8: invalid byte 0xe9 at byte offset 41, line 2"
    ):
        list(read_jsonl(path))
    path.write_bytes(b"")
    with pytest.raises(DataError, match="file is empty"):
        list(read_jsonl(path))


def test_unknown_alignment_mode(tmp_path: Path) -> None:
    with pytest.raises(DynCleanError, match="Unknown alignment mode 'loose'"):
        read_jsonl(write(tmp_path, [GOOD]), alignment_mode="loose")
