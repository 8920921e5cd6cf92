"""Margin records on disk: the folder format, its one reader and its one writer.

A records folder holds `margins.npy`, `probs.npy` (float32, samples x epochs, NaN = not
recorded), `runner_up.npy` (int16, the class with the largest other logit, -1 = not
recorded), `samples.npz` (the key table) and `meta.json` (see DESIGN.md, "Margin
records"). This module needs numpy and srsly alone, so scoring reads records without
the component's code.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import srsly

from ..errors import DataError
from ..util import (
    PathLike,
    atomic_output,
    atomic_write,
    load_array,
    load_arrays,
    read_json,
)

ARRAY_FILES = {
    "margins.npy": np.float32,
    "probs.npy": np.float32,
    "runner_up.npy": np.int16,
}
RECORD_FILES = (*ARRAY_FILES, "samples.npz", "meta.json")
KEY_COLUMNS = ("doc", "start", "end", "label", "original", "threshold", "judged")
HEADS = ("token", "span")
FORMAT_VERSION = 2


@dataclass
class Records:
    """One run's records folder, as plain arrays."""

    path: Path
    margins: np.ndarray
    probs: np.ndarray
    runner_up: np.ndarray
    samples: dict[str, np.ndarray]
    meta: dict[str, Any]

    def to_disk(self, path: PathLike) -> None:
        """Write the folder; each file is written atomically and meta.json last, so a
        reader that takes the first `meta["n_epochs"]` columns always sees one state."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        for name, array in zip(ARRAY_FILES, (self.margins, self.probs, self.runner_up)):
            with atomic_output(path / name) as tmp, tmp.open("wb") as file_:
                np.save(file_, array)
        with atomic_output(path / "samples.npz") as tmp, tmp.open("wb") as file_:
            np.savez(file_, **self.samples)
        atomic_write(
            path / "meta.json", srsly.json_dumps(self.meta, indent=2).encode("utf8")
        )


def read_records(path: PathLike) -> Records:
    """Load a records folder, checking that its files and shapes fit together."""
    path = Path(path)
    for name in RECORD_FILES:
        if not (path / name).exists():
            raise DataError(
                path,
                f"not a margin-records folder: {name} is missing",
                hint="run `dynclean dynamics` first; after `spacy train`, the records are in "
                "OUTPUT/model-last/dynclean/records",
            )
    meta = read_json(path / "meta.json")
    samples = load_arrays(path / "samples.npz")
    missing = [name for name in KEY_COLUMNS if name not in samples]
    if missing:
        raise DataError(path / "samples.npz", f"lacks the key columns {missing}")
    # meta.json is written last: its n_epochs columns are one consistent state even if
    # a run was stopped while it rewrote the arrays
    n_epochs = meta.get("n_epochs")
    margins, probs, runner_up = (
        load_array(path / name)[:, :n_epochs] for name in ARRAY_FILES
    )
    n_samples = len(samples["doc"])
    if (
        margins.ndim != 2
        or margins.shape[0] != n_samples
        or not probs.shape == runner_up.shape == margins.shape
    ):
        raise DataError(
            path,
            f"margins {margins.shape}, probs {probs.shape} and runner_up "
            f"{runner_up.shape} do not fit {n_samples} samples",
        )
    if meta.get("head") not in HEADS:
        raise DataError(
            path / "meta.json",
            f"unknown head {meta.get('head')!r} (expected 'token' or 'span')",
        )
    return Records(path, margins, probs, runner_up, samples, meta)
