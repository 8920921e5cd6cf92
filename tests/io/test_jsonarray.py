"""The streamed JSON array parser agrees with `json.loads`, whatever the chunk size."""

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spacy_dynclean.errors import DataError
from spacy_dynclean.io.jsonarray import iter_json_array

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=8,
)


def parse(text: str, chunk_bytes: int) -> list:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "a.json"
        path.write_text(text, encoding="utf-8")
        return list(iter_json_array(path, chunk_bytes))


@settings(max_examples=80, deadline=None)
@given(st.lists(VALUES, max_size=5), st.sampled_from([None, 1, 2]), st.integers(1, 9))
def test_items_equal_json_loads(items: list, indent, chunk_bytes: int) -> None:
    text = json.dumps(items, indent=indent, ensure_ascii=False)
    assert parse(text, chunk_bytes) == json.loads(text)


@settings(max_examples=60, deadline=None)
@given(st.lists(VALUES, min_size=1, max_size=4), st.data(), st.integers(1, 9))
def test_truncated_file_is_a_data_error(items: list, data, chunk_bytes: int) -> None:
    text = json.dumps(items, ensure_ascii=False)
    cut = data.draw(st.integers(1, len(text) - 1))
    with pytest.raises(DataError, match="invalid JSON at line 1"):
        parse(text[:cut], chunk_bytes)


@pytest.mark.parametrize("chunk_bytes", [1, 3, 1 << 20])
@pytest.mark.parametrize(
    "text",
    ["[1,\n 2,\n x]", '[{"a": 1}\n {"b": 2}]', "[1, 2]\n3", "[1,]", "[\n\n  tru]"],
)
def test_error_position_matches_json(text: str, chunk_bytes: int) -> None:
    with pytest.raises(json.JSONDecodeError) as expected:
        json.loads(text)
    with pytest.raises(DataError) as found:
        parse(text, chunk_bytes)
    err = expected.value
    assert (
        f"line {err.lineno}, column {err.colno} (character offset {err.pos}): {err.msg}"
        in str(found.value)
    )
