"""Margin records: one row per training sample, one column per epoch.

On disk a records folder holds `margins.npy`, `probs.npy` (float32, samples x
epochs, NaN = not recorded), `runner_up.npy` (int16, the class with the largest
other logit, -1 = not recorded), `samples.npz` (the key table) and `meta.json`; it
loads with numpy and srsly alone. See DESIGN.md for the fields.
"""
import hashlib
from pathlib import Path
from typing import Any, Dict, Iterable, List, NamedTuple, Sequence, Union

import numpy as np
import srsly
from spacy.tokens import Doc

from ..errors import DynCleanError
from ..util import atomic_output, atomic_write
from ..io.ids import sample_key
from ..io.tags import biluo_tags

KEY_COLUMNS = ("doc", "start", "end", "label", "original", "threshold", "judged")
FORMAT_VERSION = 2
ARRAY_FILES = {"margins.npy": np.float32, "probs.npy": np.float32, "runner_up.npy": np.int16}
_UNRECORDED = {np.float32: np.nan, np.int16: -1}


class Observed(NamedTuple):
    """What one pass saw of each sample: margin, probability of the trained class,
    and the runner-up class (largest other logit)."""

    margins: np.ndarray
    probs: np.ndarray
    runner_up: np.ndarray


class MarginRecords:
    """Per-sample margins (and trained-label probabilities), grown an epoch at a time."""

    def __init__(self, keys: Dict[str, np.ndarray], meta: Dict[str, Any]) -> None:
        missing = [c for c in KEY_COLUMNS if c not in keys]
        if missing:
            raise DynCleanError(f"Margin records lack the key columns {missing}")
        self.keys = keys
        self.meta = meta
        self._columns: Dict[str, List[np.ndarray]] = {name: [] for name in ARRAY_FILES}
        self.docs_seen: List[int] = list(meta.get("docs_per_epoch", []))

    @property
    def n_samples(self) -> int:
        return len(self.keys["doc"])

    @property
    def n_epochs(self) -> int:
        return len(self._columns["margins.npy"])

    def add_epoch(self) -> None:
        """Start a new, empty column."""
        for name, dtype in ARRAY_FILES.items():
            self._columns[name].append(np.full(self.n_samples, _UNRECORDED[dtype], dtype=dtype))
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

    def epoch_counts(self) -> List[int]:
        return [int(np.count_nonzero(~np.isnan(col))) for col in self._columns["margins.npy"]]

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
        for name in ARRAY_FILES:
            with atomic_output(path / name) as tmp, tmp.open("wb") as file_:
                np.save(file_, self.array(name))
        with atomic_output(path / "samples.npz") as tmp, tmp.open("wb") as file_:
            np.savez(file_, **self.keys)
        atomic_write(path / "meta.json", srsly.json_dumps(self.summary_meta(), indent=2).encode("utf8"))

    @classmethod
    def from_disk(cls, path: Union[str, Path]) -> "MarginRecords":
        path = Path(path)
        for name in (*ARRAY_FILES, "samples.npz", "meta.json"):
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
        for name in ARRAY_FILES:
            array = np.load(path / name)[:, :n]
            records._columns[name] = [array[:, i].copy() for i in range(array.shape[1])]
        return records


FINGERPRINT_VERSION = "v2-"


def fingerprint_docs(docs: Iterable[Doc], labels: Sequence[str]) -> str:
    """`FINGERPRINT_VERSION` + sha256 over the label set, the number of docs and the
    sum (mod 2**256) of one sha256 per doc (id, words, entity tags): the order of the
    docs does not matter, and the docs stream through one at a time."""
    total, count = 0, 0
    for doc in docs:
        part = "\u241e".join((sample_key(doc), "\u241f".join(t.text for t in doc), "\u241f".join(biluo_tags(doc))))
        total = (total + int.from_bytes(hashlib.sha256(part.encode("utf8")).digest(), "big")) % 2**256
        count += 1
    digest = hashlib.sha256("\u241e".join(sorted(labels)).encode("utf8"))
    digest.update(total.to_bytes(32, "big") + count.to_bytes(8, "big"))
    return FINGERPRINT_VERSION + digest.hexdigest()


def _stack(columns: List[np.ndarray], n_samples: int, dtype: Any) -> np.ndarray:
    if not columns:
        return np.zeros((n_samples, 0), dtype=dtype)
    return np.stack(columns, axis=1)
