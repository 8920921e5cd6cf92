"""DS-NER JSON ⇄ Doc: reading, writing, validation, and a lossless round-trip property."""

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.tokens import Doc, DocBin
from strategies import (
    dsner_records,  # tests/io is not a package: its modules import by name
)

from spacy_dynclean.errors import DataError
from spacy_dynclean.io.common import blank
from spacy_dynclean.io.docbin import read_docs
from spacy_dynclean.io.dsner import doc_to_dsner, read_dsner, record_to_doc, write_dsner
from spacy_dynclean.io.ids import get_doc_id

RECORDS = [
    {
        "tokens": ["EU", "rejects", "German", "call"],
        "entities": [[0, 0, "ORG"], [2, 2, "MISC"]],
    },
    {"tokens": ["Peter", "Blackburn"], "entities": [[0, 1, "PER"]]},
    {"tokens": ["Hello"], "entities": []},
]


def write(tmp_path: Path, content: Any, name: str = "train.json") -> Path:
    path = tmp_path / name
    path.write_bytes(
        content if isinstance(content, bytes) else json.dumps(content).encode()
    )
    return path


def read_error(tmp_path: Path, content: Any) -> DataError:
    path = write(tmp_path, content)
    with pytest.raises(DataError) as info:
        list(read_dsner(path))
    assert str(path) in str(info.value)
    return info.value


def test_read_dsner_docs(tmp_path: Path) -> None:
    docs = list(read_dsner(write(tmp_path, RECORDS)))
    assert [get_doc_id(doc) for doc in docs] == ["train:1", "train:2", "train:3"]
    first = docs[0]
    assert [t.text for t in first] == ["EU", "rejects", "German", "call"]
    assert first.has_unknown_spaces  # pre-tokenized: spaCy keeps these tokens
    assert [t.whitespace_ for t in first] == [
        " "
    ] * 4  # unknown spaces read as single spaces
    assert [(e.start, e.end, e.label_) for e in first.ents] == [
        (0, 1, "ORG"),
        (2, 3, "MISC"),
    ]
    assert [t.ent_iob_ for t in first] == ["B", "O", "B", "O"]  # no missing tokens
    assert not first.has_annotation("SENT_START")
    assert [t.ent_iob_ for t in docs[2]] == ["O"]


def test_write_dsner_round_trip(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    assert write_dsner(read_dsner(write(tmp_path, RECORDS)), out) == 3
    assert json.loads(out.read_text()) == RECORDS
    assert not list(tmp_path.glob(".*.tmp"))


def test_read_docs_dispatches_json(tmp_path: Path) -> None:
    path = write(tmp_path, RECORDS, name="data.txt")
    assert len(list(read_docs(path, format="json"))) == 3
    assert len(list(read_docs(write(tmp_path, RECORDS)))) == 3


def test_doc_to_dsner_refuses_missing_tokens() -> None:
    doc = Doc(blank("en").vocab, words=["a", "b"])  # entity labels unknown
    with pytest.raises(DataError, match="2 token\\(s\\) have missing labels"):
        doc_to_dsner(doc)
    with pytest.raises(DataError, match="no tokens"):
        doc_to_dsner(Doc(blank("en").vocab, words=[]))


BAD = [
    (
        b'[{"tokens": ["a"], "entities": []},',
        None,
        "invalid JSON at line 1, column 36 (character offset 35): Expecting value",
    ),
    (
        b'[{"tokens": ["a"]\n "entities": []}]',
        None,
        "invalid JSON at line 2, column 2 (character offset 19): Expecting ',' delimiter",
    ),
    (
        {"tokens": ["a"], "entities": []},
        None,
        "the top level must be a JSON list of records, got dict",
    ),
    ([["a"]], 1, "a record must be an object with 'tokens' and 'entities', got list"),
    ([{"entities": []}], 1, "missing field 'tokens'"),
    ([{"tokens": ["a"]}], 1, "missing field 'entities'"),
    ([{"tokens": ["a"], "entities": [], "id": 3}], 1, "unknown field(s) ['id']"),
    (
        [{"tokens": "a b", "entities": []}],
        1,
        "'tokens' must be a list of strings, got str",
    ),
    (
        [{"tokens": ["a", ""], "entities": []}],
        1,
        "token 1 must be a non-empty string, got ''",
    ),
    (
        [{"tokens": ["a", 7], "entities": []}],
        1,
        "token 1 must be a non-empty string, got 7",
    ),
    ([{"tokens": [], "entities": []}], 1, "empty sentence: 'tokens' is an empty list"),
    ([{"tokens": ["a"], "entities": {}}], 1, "'entities' must be a list, got dict"),
    (
        [{"tokens": ["a"], "entities": [[0, "PER"]]}],
        1,
        'entity [0, "PER"] must be [first, last, label]',
    ),
    (
        [{"tokens": ["a"], "entities": [[0, "0", "PER"]]}],
        1,
        "offsets must be integers, got '0'",
    ),
    (
        [{"tokens": ["a"], "entities": [[0, 0.0, "PER"]]}],
        1,
        "offsets must be integers, got 0.0",
    ),
    (
        [{"tokens": ["a"], "entities": [[True, 0, "PER"]]}],
        1,
        "offsets must be integers, got True",
    ),
    (
        [{"tokens": ["a"], "entities": [[0, 0, ""]]}],
        1,
        'entity [0, 0, ""]: label must be a non-empty string',
    ),
    (
        [{"tokens": ["a"], "entities": [[0, 0, 5]]}],
        1,
        "label must be a non-empty string",
    ),
    (
        [{"tokens": ["a", "b"], "entities": [[1, 2, "PER"]]}],
        1,
        'entity [1, 2, "PER"] is out of range for 2 tokens',
    ),
    (
        [{"tokens": ["a", "b"], "entities": [[-1, 0, "PER"]]}],
        1,
        "is out of range for 2 tokens",
    ),
    (
        [{"tokens": ["a", "b"], "entities": [[1, 0, "PER"]]}],
        1,
        'entity [1, 0, "PER"] is reversed or empty',
    ),
    (
        [
            RECORDS[0],
            {"tokens": ["a", "b"], "entities": [[0, 1, "PER"], [1, 1, "ORG"]]},
        ],
        2,
        'entity [0, 1, "PER"] and entity [1, 1, "ORG"] overlap',
    ),
    ([{"tokens": ["a"], "entities": [[0, 0, "PER"], [0, 0, "PER"]]}], 1, "overlap"),
    (
        b'[{"tokens": ["a"], "entities": []},\n {"tokens": ["caf\xe9"], "entities": []}]',
        None,
        "not UTF-8: invalid byte 0xe9 at byte offset 53, line 2",
    ),
    (b"", None, "file is empty"),
    (b"  \n", None, "file is empty"),
    ([], None, "the list is empty: no records"),
]


@pytest.mark.parametrize("content,record,problem", BAD)
def test_bad_dsner(tmp_path: Path, content: Any, record: Any, problem: str) -> None:
    err = read_error(tmp_path, content)
    assert err.record == record
    assert problem in str(err)


def test_jsonl_as_json_hint(tmp_path: Path) -> None:
    err = read_error(
        tmp_path,
        b'{"tokens": ["a"], "entities": []}\n{"tokens": ["b"], "entities": []}\n',
    )
    assert "Extra data" in str(err) and "--format jsonl" in str(err)


@settings(max_examples=60, deadline=None)
@given(st.lists(dsner_records(), min_size=1, max_size=5))
def test_dsner_round_trip_is_lossless(records: list) -> None:
    """dict → Doc → DocBin → Doc → dict, and file → Docs → file, lose nothing."""
    docs = [record_to_doc(record, n=n) for n, record in enumerate(records, start=1)]
    stored = DocBin(store_user_data=True, docs=docs).to_bytes()
    back = list(
        DocBin(store_user_data=True).from_bytes(stored).get_docs(blank("en").vocab)
    )
    assert [doc_to_dsner(doc) for doc in back] == records
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / "in.json", Path(folder) / "out.json"
        source.write_text(json.dumps(records), encoding="utf-8")
        assert write_dsner(read_dsner(source), target) == len(records)
        assert json.loads(target.read_text(encoding="utf-8")) == records
