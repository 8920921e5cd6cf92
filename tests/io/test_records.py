"""The margin-records folder (`io.records`): one reader and one writer, numpy and srsly alone."""

import subprocess
import sys

import numpy as np
import pytest

from spacy_dynclean.dynamics.records import MarginRecords, Observed
from spacy_dynclean.errors import DataError
from spacy_dynclean.io.records import KEY_COLUMNS, RECORD_FILES, read_records


def grown_records() -> MarginRecords:
    """Three samples over two epochs, the second one partial."""
    keys = {name: np.arange(3, dtype=np.int32) for name in KEY_COLUMNS}
    meta = {"head": "token", "labels": ["O", "U-PER"], "doc_ids": ["a:1", "a:2", "a:3"]}
    records = MarginRecords(keys, meta)
    rows = np.array([0, 1, 2])
    records.record(
        rows,
        Observed(
            np.array([0.5, -1.0, 2.0]), np.array([0.6, 0.2, 0.9]), np.array([1, 0, 1])
        ),
        3,
    )
    records.add_epoch()
    records.record(
        np.array([2, -1, 0]),
        Observed(
            np.array([1.5, 9.0, 0.1]), np.array([0.8, 9.0, 0.5]), np.array([0, 9, 1])
        ),
        2,
    )
    return records


def test_reads_with_numpy_and_srsly_alone():
    code = "import sys, spacy_dynclean.io.records; assert not {'spacy', 'thinc'} & set(sys.modules)"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_not_a_records_folder(tmp_path):
    with pytest.raises(DataError, match="margins.npy is missing"):
        read_records(tmp_path)


def test_component_records_round_trip(tmp_path):
    records = grown_records()
    records.to_disk(tmp_path / "records")
    assert sorted(p.name for p in (tmp_path / "records").iterdir()) == sorted(
        RECORD_FILES
    )
    saved = read_records(tmp_path / "records")
    np.testing.assert_array_equal(saved.margins, records.margins)
    np.testing.assert_array_equal(saved.runner_up, records.array("runner_up.npy"))
    assert saved.runner_up.dtype == np.int16 and saved.margins.dtype == np.float32
    assert saved.meta["n_epochs"] == 2 and saved.meta["complete_epochs"] == 1
    back = MarginRecords.from_disk(tmp_path / "records")
    np.testing.assert_array_equal(back.probs, records.probs)
    assert back.summary_meta() == records.summary_meta()
    for name in KEY_COLUMNS:
        np.testing.assert_array_equal(back.keys[name], records.keys[name])


def test_component_reads_with_the_same_errors(tmp_path):
    grown_records().to_disk(tmp_path / "records")
    (tmp_path / "records" / "probs.npy").unlink()
    with pytest.raises(DataError, match="probs.npy is missing"):
        MarginRecords.from_disk(tmp_path / "records")
