"""JSON lines (`io.common.iter_json_lines`): the one iterator over a JSON-lines file,
for scores.jsonl, the audit and the review file; errors name the file and the line."""

import subprocess
import sys
from pathlib import Path

import pytest
import srsly

from spacy_dynclean.errors import DataError
from spacy_dynclean.io.common import iter_json_lines


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_yields_line_numbers_and_objects_skipping_blank_lines(tmp_path: Path) -> None:
    path = write(tmp_path / "a.jsonl", b'{"a": 1}\n\n  \n{"b": [2]}\r\n{"c": NaN}')
    found = list(iter_json_lines(path))
    assert [n for n, _ in found] == [1, 4, 5]
    assert found[0][1] == {"a": 1} and found[1][1] == {"b": [2]}
    assert found[2][1]["c"] != found[2][1]["c"]  # json.loads reads NaN


@pytest.mark.parametrize(
    "data, problem",
    [
        (b'{"a": 1}\n{"a": \n', "invalid JSON at column 7: Expecting value"),
        (b'{"a": 1}\n{"a": 1} x\n', "invalid JSON at column 10: Extra data"),
        (b'{"a": 1}\n[1, 2]\n', "a line must be a JSON object, got list"),
    ],
)
def test_bad_lines_name_the_file_and_the_line(
    tmp_path: Path, data: bytes, problem: str
) -> None:
    path = write(tmp_path / "bad.jsonl", data)
    with pytest.raises(DataError) as err:
        list(iter_json_lines(path, hint="write it again"))
    assert err.value.record == 2
    assert str(err.value) == f"{path}, record 2: {problem} (write it again)"


def test_bad_utf8_names_the_byte_and_the_line(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.jsonl", b'\xef\xbb\xbf{"a": 1}\n{"a": "\xff"}\n')
    with pytest.raises(DataError) as err:
        list(iter_json_lines(path))  # the BOM is allowed, the 0xff is not
    assert str(err.value) == (
        f"{path}: not UTF-8: invalid byte 0xff at byte offset 19, line 2 "
        "(re-encode the file as UTF-8)"
    )


def test_another_parser_gets_the_same_messages(tmp_path: Path) -> None:
    """scores.jsonl is read with srsly's ujson; a bad line still gets json's column."""
    path = write(tmp_path / "bad.jsonl", b'{"a": 0.5}\n{"a": \n')
    rows = iter_json_lines(path, loads=srsly.json_loads)
    assert next(rows) == (1, {"a": 0.5})
    with pytest.raises(DataError, match="record 2: invalid JSON at column 7"):
        next(rows)
    nan = write(tmp_path / "nan.jsonl", b'{"a": NaN}\n')  # json.loads would take it
    with pytest.raises(DataError, match=r"record 1: invalid JSON \(Expected object"):
        list(iter_json_lines(nan, loads=srsly.json_loads))


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="nope.jsonl: no such file"):
        list(iter_json_lines(tmp_path / "nope.jsonl"))


def test_scoring_reads_json_lines_without_spacy() -> None:
    code = (
        "import sys, spacy_dynclean.scoring.scores; "
        "assert 'spacy' not in sys.modules, 'scoring imported spaCy'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
