"""CoNLL columns → Doc: the three tag schemes, detection, and precise errors."""

from pathlib import Path

import pytest

from spacy_dynclean.errors import DataError, DynCleanError
from spacy_dynclean.io.common import ReadNotes
from spacy_dynclean.io.conll import detect_scheme, read_conll
from spacy_dynclean.io.dsner import doc_to_dsner
from spacy_dynclean.io.ids import get_doc_id


def write(tmp_path: Path, text: str, name: str = "train.conll") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def records(path: Path, scheme: str = "auto", notes: ReadNotes | None = None) -> list:
    return [doc_to_dsner(doc) for doc in read_conll(path, scheme=scheme, notes=notes)]


BIO = "-DOCSTART- -X- O O\n\nEU NNP B-ORG\nrejects VBZ O\nGerman JJ B-MISC\n\nPeter B-PER\nBlackburn I-PER\nLondon B-LOC\n"
EXPECTED = [
    {
        "tokens": ["EU", "rejects", "German"],
        "entities": [[0, 0, "ORG"], [2, 2, "MISC"]],
    },
    {
        "tokens": ["Peter", "Blackburn", "London"],
        "entities": [[0, 1, "PER"], [2, 2, "LOC"]],
    },
]


def test_bio(tmp_path: Path) -> None:
    notes = ReadNotes()
    path = write(tmp_path, BIO)
    assert records(path, notes=notes) == EXPECTED
    assert (notes.scheme, notes.scheme_detected) == ("bio", True)
    docs = list(read_conll(path))
    assert [get_doc_id(doc) for doc in docs] == ["train:1", "train:2"]
    assert [t.ent_iob_ for t in docs[0]] == ["B", "O", "B"]
    assert [t.text for t in docs[0]] == ["EU", "rejects", "German"]
    assert docs[0].has_unknown_spaces  # pre-tokenized: spaCy keeps these tokens


def test_iob1_and_detection(tmp_path: Path) -> None:
    text = "Peter I-PER\nBlackburn I-PER\nJohn B-PER\nin O\nParis I-LOC\nEU I-ORG\n"
    path = write(tmp_path, text)
    assert detect_scheme(path) == "iob1"
    assert records(path) == [
        {
            "tokens": ["Peter", "Blackburn", "John", "in", "Paris", "EU"],
            "entities": [[0, 1, "PER"], [2, 2, "PER"], [4, 4, "LOC"], [5, 5, "ORG"]],
        }
    ]


@pytest.mark.parametrize("prefixes", ["BILU", "BIES"])
def test_biluo_and_bioes(tmp_path: Path, prefixes: str) -> None:
    b, i, last, unit = prefixes
    text = f"New {b}-LOC\nYork {i}-LOC\nCity {last}-LOC\nis O\nBig {unit}-MISC\n"
    path = write(tmp_path, text)
    assert detect_scheme(path) == "biluo"
    assert records(path) == [
        {
            "tokens": ["New", "York", "City", "is", "Big"],
            "entities": [[0, 2, "LOC"], [4, 4, "MISC"]],
        }
    ]


def test_columns_tabs_and_plain_o(tmp_path: Path) -> None:
    text = "New York\tNNP\tB-LOC\r\nrocks\tVBZ\tO\r\n\r\n\r\nfine O\n"
    path = write(tmp_path, text, name="data.tsv")
    assert records(path) == [
        {"tokens": ["New York", "rocks"], "entities": [[0, 0, "LOC"]]},
        {"tokens": ["fine"], "entities": []},
    ]
    assert [get_doc_id(doc) for doc in read_conll(path)] == ["data:1", "data:2"]


def test_streams_sentence_by_sentence(tmp_path: Path) -> None:
    docs = read_conll(write(tmp_path, "a B-PER\n\nb O\nc I-PER\n"), scheme="bio")
    assert doc_to_dsner(next(docs)) == {"tokens": ["a"], "entities": [[0, 0, "PER"]]}
    with pytest.raises(DataError, match="line 4"):
        next(docs)


BAD = [
    # (text, scheme, record, message)
    (
        "a O\nb I-PER\n",
        "bio",
        1,
        "line 2: 'I-PER' after 'O': in BIO an entity must start with B-PER",
    ),
    (
        "a B-ORG\n\nb I-PER\n",
        "bio",
        2,
        "line 3: 'I-PER' after 'the sentence start': in BIO an entity must start with B-PER",
    ),
    (
        "a B-PER\nb I-LOC\n",
        "bio",
        1,
        "line 2: 'I-LOC' after 'B-PER': the type changes mid-entity (in BIO a LOC entity must start with B-LOC)",
    ),
    # auto: B- starts an entity elsewhere, so an I- start is a BIO error, not IOB1
    ("a B-PER\nb O\nc I-PER\n", "auto", 1, "line 3: 'I-PER' after 'O'"),
    (
        "a O\nb B-PER\n",
        "iob1",
        1,
        "line 2: 'B-PER' after 'O': in IOB1, B- only separates two adjacent PER entities",
    ),
    ("a I-LOC\nb B-PER\n", "iob1", 1, "line 2: 'B-PER' after 'I-LOC': in IOB1"),
    (
        "a O\nb L-PER\n",
        "biluo",
        1,
        "line 2: 'L-PER' after 'O' without a preceding B-PER",
    ),
    (
        "a I-PER\n",
        "biluo",
        1,
        "line 1: 'I-PER' after 'the sentence start' without a preceding B-PER",
    ),
    (
        "a B-PER\nb L-LOC\n",
        "biluo",
        1,
        "line 2: 'L-LOC' inside a PER entity: the type changes mid-entity",
    ),
    (
        "a B-PER\nb O\n",
        "biluo",
        1,
        "line 2: 'O' inside an unfinished PER entity (expected I-PER or L-PER)",
    ),
    (
        "a B-PER\nb U-LOC\n",
        "auto",
        1,
        "line 2: 'U-LOC' inside an unfinished PER entity",
    ),
    (
        "a O\n\nb B-PER\nc I-PER\n",
        "biluo",
        2,
        "line 4: sentence ends inside an unfinished PER entity (missing L-PER)",
    ),
    (
        "a B-PER\nb L-PER\n",
        "bio",
        1,
        "line 2: tag 'L-PER' is not valid in the bio scheme",
    ),
    (
        "a PER\n",
        "auto",
        1,
        "line 1: invalid tag 'PER' (expected O or B-/I-/L-/U- and a type)",
    ),
    ("a X-PER\n", "bio", 1, "line 1: invalid tag 'X-PER'"),
    ("a B-\n", "bio", 1, "line 1: invalid tag 'B-'"),
    (
        "a O\nlonely\n",
        "bio",
        1,
        "line 2: expected a token and a tag, got one column 'lonely'",
    ),
    ("a O\n\n\tO\n", "bio", 2, "line 3: the token (first column) is empty"),
    ("", "auto", None, "file is empty"),
    ("\n \n", "auto", None, "file is empty (only blank lines)"),
    ("-DOCSTART- O\n\n", "auto", None, "no sentences: only blank or -DOCSTART- lines"),
]


@pytest.mark.parametrize("text,scheme,record,problem", BAD)
def test_bad_conll(
    tmp_path: Path, text: str, scheme: str, record: int | None, problem: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(DataError) as info:
        list(read_conll(path, scheme=scheme))
    assert str(info.value).startswith(str(path))
    assert info.value.record == record
    assert problem in str(info.value)


def test_bio_error_hints_iob1(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="pass --scheme iob1"):
        list(read_conll(write(tmp_path, "a O\nb I-PER\n"), scheme="bio"))


def test_non_utf8_names_byte_offset(tmp_path: Path) -> None:
    path = tmp_path / "train.conll"
    path.write_bytes(b"a O\ncaf\xe9 O\n")
    with pytest.raises(
        DataError, match="not UTF-8: invalid byte 0xe9 at byte offset 7, line 2"
    ):
        list(read_conll(path))
    path.write_bytes(
        b"\xef\xbb\xbfa\xff O\n"
    )  # after a BOM, offsets still count from the file start
    with pytest.raises(DataError, match="invalid byte 0xff at byte offset 4, line 1"):
        list(read_conll(path))
    path.write_bytes(b"\xef\xbb\xbfa O\n")
    assert [[t.text for t in doc] for doc in read_conll(path)] == [["a"]]


def test_unknown_scheme(tmp_path: Path) -> None:
    with pytest.raises(DynCleanError, match="Unknown tag scheme 'iobes2'"):
        read_conll(write(tmp_path, "a O\n"), scheme="iobes2")
