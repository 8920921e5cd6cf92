"""Margin records: one row per training sample, one column per epoch.

On disk a records folder holds `margins.npy`, `probs.npy` (float32, samples x
epochs, NaN = not recorded), `samples.npz` (the key table) and `meta.json`; it
loads with numpy and srsly alone. See DESIGN.md for the fields.
"""
import hashlib
from pathlib import Path
from typing import Any, Dict, Iterable, List, Sequence, Union

import numpy as np
import srsly
from spacy.tokens import Doc

from ..errors import DynCleanError
from ..util import atomic_output, atomic_write
from ..io.ids import sample_key
from ..io.tags import biluo_tags

KEY_COLUMNS = ("doc", "start", "end", "label", "original", "threshold", "judged")
FORMAT_VERSION = 1


class MarginRecords:
    """Per-sample margins (and trained-label probabilities), grown an epoch at a time."""

    def __init__(self, keys: Dict[str, np.ndarray], meta: Dict[str, Any]) -> None:
        missing = [c for c in KEY_COLUMNS if c not in keys]
        if missing:
            raise DynCleanError(f"Margin records lack the key columns {missing}")
        self.keys = keys
        self.meta = meta
        self._margins: List[np.ndarray] = []
        self._probs: List[np.ndarray] = []
        self.docs_seen: List[int] = list(meta.get("docs_per_epoch", []))

    @property
    def n_samples(self) -> int:
        return len(self.keys["doc"])

    @property
    def n_epochs(self) -> int:
        return len(self._margins)

    def add_epoch(self) -> None:
        """Start a new, empty column."""
        self._margins.append(np.full(self.n_samples, np.nan, dtype=np.float32))
        self._probs.append(np.full(self.n_samples, np.nan, dtype=np.float32))
        self.docs_seen.append(0)

    def record(self, rows: np.ndarray, margins: np.ndarray, probs: np.ndarray, n_docs: int) -> None:
        """Write values for `rows` (from `n_docs` docs) into the last epoch's column."""
        if not self._margins:
            self.add_epoch()
        self._margins[-1][rows] = margins
        self._probs[-1][rows] = probs
        self.docs_seen[-1] += n_docs

    @property
    def margins(self) -> np.ndarray:
        return _stack(self._margins, self.n_samples)

    @property
    def probs(self) -> np.ndarray:
        return _stack(self._probs, self.n_samples)

    def epoch_counts(self) -> List[int]:
        return [int(np.count_nonzero(~np.isnan(col))) for col in self._margins]

    def summary_meta(self) -> Dict[str, Any]:
        """meta.json: an epoch is complete when every doc was seen in it."""
        n_docs = len(self.meta["doc_ids"])
        complete = 0
        while complete < len(self.docs_seen) and self.docs_seen[complete] >= n_docs:
            complete += 1
        return {
            **self.meta, "n_epochs": self.n_epochs, "epoch_counts": self.epoch_counts(),
            "docs_per_epoch": self.docs_seen, "complete_epochs": complete, "version": FORMAT_VERSION,
        }

    def to_disk(self, path: Union[str, Path]) -> None:
        """Write the folder; each file is written atomically and meta.json last, so a
        reader that takes the first `meta["n_epochs"]` columns always sees one state."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        for name, array in (("margins.npy", self.margins), ("probs.npy", self.probs)):
            with atomic_output(path / name) as tmp, tmp.open("wb") as file_:
                np.save(file_, array)
        with atomic_output(path / "samples.npz") as tmp, tmp.open("wb") as file_:
            np.savez(file_, **self.keys)
        atomic_write(path / "meta.json", srsly.json_dumps(self.summary_meta(), indent=2).encode("utf8"))

    @classmethod
    def from_disk(cls, path: Union[str, Path]) -> "MarginRecords":
        path = Path(path)
        for name in ("margins.npy", "probs.npy", "samples.npz", "meta.json"):
            if not (path / name).exists():
                raise DynCleanError(
                    f"{path} is not a margin-records folder: {name} is missing "
                    "(run `dynclean dynamics` or train a pipeline with `dynclean` first)"
                )
        with np.load(path / "samples.npz") as data:
            keys = {name: data[name] for name in data.files}
        meta = srsly.read_json(path / "meta.json")
        records = cls(keys, meta)
        n = meta.get("n_epochs")
        margins, probs = np.load(path / "margins.npy")[:, :n], np.load(path / "probs.npy")[:, :n]
        records._margins = [margins[:, i].copy() for i in range(margins.shape[1])]
        records._probs = [probs[:, i].copy() for i in range(probs.shape[1])]
        return records


def fingerprint_docs(docs: Iterable[Doc], labels: Sequence[str]) -> str:
    """sha256 over the docs' ids, words and entity tags, and the label set; the
    order of the docs does not matter."""
    digest = hashlib.sha256()
    digest.update("\u241e".join(sorted(labels)).encode("utf8"))
    parts = sorted(
        (sample_key(doc), "\u241f".join(t.text for t in doc), "\u241f".join(biluo_tags(doc)))
        for doc in docs
    )
    for part in parts:
        digest.update("\u241e".join(part).encode("utf8") + b"\x1e")
    return digest.hexdigest()


def _stack(columns: List[np.ndarray], n_samples: int) -> np.ndarray:
    if not columns:
        return np.zeros((n_samples, 0), dtype=np.float32)
    return np.stack(columns, axis=1)
