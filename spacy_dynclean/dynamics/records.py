"""Margin records as the component grows them: one row per training sample, one
column per epoch. The folder format, its reader and its writer are `io.records`; the
data fingerprint they carry is `io.fingerprint`."""

from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from ..errors import DynCleanError
from ..io.records import ARRAY_FILES, FORMAT_VERSION, KEY_COLUMNS, Records, read_records
from ..util import PathLike

_UNRECORDED = {np.float32: np.nan, np.int16: -1}


class Observed(NamedTuple):
    """What one pass saw of each sample: margin, probability of the trained class,
    and the runner-up class (largest other logit)."""

    margins: np.ndarray
    probs: np.ndarray
    runner_up: np.ndarray


class MarginRecords:
    """Per-sample margins (and trained-label probabilities), grown an epoch at a time."""

    def __init__(self, keys: dict[str, np.ndarray], meta: dict[str, Any]) -> None:
        missing = [c for c in KEY_COLUMNS if c not in keys]
        if missing:
            raise DynCleanError(f"Margin records lack the key columns {missing}")
        self.keys = keys
        self.meta = meta
        self._columns: dict[str, list[np.ndarray]] = {name: [] for name in ARRAY_FILES}
        self.docs_seen: list[int] = list(meta.get("docs_per_epoch", []))

    @property
    def n_samples(self) -> int:
        return len(self.keys["doc"])

    @property
    def n_epochs(self) -> int:
        return len(self._columns["margins.npy"])

    def add_epoch(self) -> None:
        """Start a new, empty column."""
        for name, dtype in ARRAY_FILES.items():
            self._columns[name].append(
                np.full(self.n_samples, _UNRECORDED[dtype], dtype=dtype)
            )
        self.docs_seen.append(0)

    def record(self, rows: np.ndarray, observed: Observed, n_docs: int) -> None:
        """Write what was observed of `rows` (-1 = no sample; from `n_docs` docs)
        into the last epoch's column."""
        if not self.n_epochs:
            self.add_epoch()
        keep = rows >= 0
        for name, values in zip(ARRAY_FILES, observed):
            self._columns[name][-1][rows[keep]] = values[keep]
        self.docs_seen[-1] += n_docs

    def array(self, name: str) -> np.ndarray:
        """samples x epochs of one of ARRAY_FILES."""
        return _stack(self._columns[name], self.n_samples, ARRAY_FILES[name])

    @property
    def margins(self) -> np.ndarray:
        return self.array("margins.npy")

    @property
    def probs(self) -> np.ndarray:
        return self.array("probs.npy")

    def epoch_counts(self) -> list[int]:
        return [
            int(np.count_nonzero(~np.isnan(col)))
            for col in self._columns["margins.npy"]
        ]

    def summary_meta(self) -> dict[str, Any]:
        """meta.json: an epoch is complete when every doc was seen in it."""
        n_docs = len(self.meta["doc_ids"])
        complete = 0
        while complete < len(self.docs_seen) and self.docs_seen[complete] >= n_docs:
            complete += 1
        return {
            **self.meta,
            "n_epochs": self.n_epochs,
            "epoch_counts": self.epoch_counts(),
            "docs_per_epoch": self.docs_seen,
            "complete_epochs": complete,
            "version": FORMAT_VERSION,
        }

    def to_disk(self, path: PathLike) -> None:
        """Write the records folder (`io.records`)."""
        arrays = (self.array(name) for name in ARRAY_FILES)
        Records(Path(path), *arrays, self.keys, self.summary_meta()).to_disk(path)

    @classmethod
    def from_disk(cls, path: PathLike) -> "MarginRecords":
        """Read a records folder (`io.records.read_records`) to grow it further."""
        saved = read_records(path)
        records = cls(saved.samples, saved.meta)
        for name, array in zip(
            ARRAY_FILES, (saved.margins, saved.probs, saved.runner_up)
        ):
            records._columns[name] = [array[:, i].copy() for i in range(array.shape[1])]
        return records


def _stack(columns: list[np.ndarray], n_samples: int, dtype: Any) -> np.ndarray:
    if not columns:
        return np.zeros((n_samples, 0), dtype=dtype)
    return np.stack(columns, axis=1)
