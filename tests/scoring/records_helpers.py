"""Synthetic margin-records folders, written with numpy and srsly like the component does."""

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import srsly

TYPES = ["PER", "LOC"]
FAKE = "FAKE"
TAGS = ["O"] + [f"{p}-{t}" for t in TYPES + [FAKE] for p in "BILU"]
SPAN_LABELS = ["O"] + TYPES + [FAKE]
# The docs of `run_samples`: U-PER x5 (tokens 0-4), O x5 (5-9), B-LOC L-LOC (10-11), O (12).
REFERENCE = ["U-PER"] * 5 + ["O"] * 5 + ["B-LOC", "L-LOC", "O"]


def sample(
    doc: int,
    start: int,
    label: str,
    margins: Sequence[float],
    original: str | None = None,
    threshold: int = 0,
    judged: int = 1,
    end: int | None = None,
    probs: Sequence[float] | None = None,
    runner_up: Sequence[str] | None = None,
) -> dict[str, Any]:
    """One sample row: trained label name, margins per epoch (NaN = not recorded),
    runner-up label names per epoch (None = not recorded; default: not recorded)."""
    return {
        "doc": doc,
        "start": start,
        "end": start + 1 if end is None else end,
        "label": label,
        "original": label if original is None else original,
        "threshold": threshold,
        "judged": judged,
        "margins": list(margins),
        "probs": list(probs) if probs is not None else [0.5] * len(margins),
        "runner_up": list(runner_up)
        if runner_up is not None
        else [None] * len(margins),
    }


def write_records(
    path: Path,
    samples: list[dict[str, Any]],
    head: str = "token",
    doc_ids: list[str] | None = None,
    fold: int = 0,
    **meta: Any,
) -> Path:
    labels = TAGS if head == "token" else SPAN_LABELS
    index = {name: i for i, name in enumerate(labels)}
    path.mkdir(parents=True, exist_ok=True)
    margins = np.array([s["margins"] for s in samples], dtype=np.float32)
    probs = np.array([s["probs"] for s in samples], dtype=np.float32)
    np.save(path / "margins.npy", margins)
    np.save(path / "probs.npy", probs)
    runner_up = [
        [-1 if name is None else index[name] for name in s["runner_up"]]
        for s in samples
    ]
    np.save(
        path / "runner_up.npy",
        np.array(runner_up, dtype=np.int16).reshape(margins.shape),
    )
    keys = {
        name: np.array([s[name] for s in samples], dtype=np.int32)
        for name in ("doc", "start", "end")
    }
    keys["label"] = np.array([index[s["label"]] for s in samples], dtype=np.int32)
    keys["original"] = np.array([index[s["original"]] for s in samples], dtype=np.int32)
    keys["threshold"] = np.array([s["threshold"] for s in samples], dtype=np.int8)
    keys["judged"] = np.array([s["judged"] for s in samples], dtype=np.int8)
    np.savez(path / "samples.npz", **keys)
    n_docs = max(s["doc"] for s in samples) + 1
    counts = (~np.isnan(margins)).sum(axis=0).tolist()
    full = [c for c in counts if c == len(samples)]
    info = {
        "head": head,
        "labels": labels,
        "entity_types": TYPES,
        "fake_label": FAKE,
        "doc_ids": doc_ids or [f"train:{i + 1}" for i in range(n_docs)],
        "fold": fold,
        "n_folds": 2,
        "seed": 0,
        "record": "epoch",
        "epoch_counts": counts,
        "complete_epochs": len(full),
        "fingerprint": "abc123",
    }
    info.update(meta)
    srsly.write_json(path / "meta.json", info)
    return path


def threshold_samples(
    doc: int,
    pos_aums: Sequence[float],
    neg_aums: Sequence[float],
    epochs: int = 2,
    start: int = 0,
    pos_types: Sequence[str] | None = None,
    neg_types: Sequence[str] | None = None,
) -> list[dict[str, Any]]:
    """Fake positives (U-FAKE, originally U-<pos type>, default PER) and fake negatives
    (U-<neg type>, default LOC, originally O), one token each, in `doc`, with constant
    margins equal to the wanted AUM."""
    pos_types = pos_types or ["PER"] * len(pos_aums)
    neg_types = neg_types or ["LOC"] * len(neg_aums)
    rows = []
    for i, (aum, typ) in enumerate(zip(pos_aums, pos_types)):
        rows.append(
            sample(
                doc,
                start + i,
                "U-FAKE",
                [aum] * epochs,
                original=f"U-{typ}",
                threshold=1,
                judged=0,
            )
        )
    offset = start + len(pos_aums)
    for i, (aum, typ) in enumerate(zip(neg_aums, neg_types)):
        rows.append(
            sample(
                doc,
                offset + i,
                f"U-{typ}",
                [aum] * epochs,
                original="O",
                threshold=2,
                judged=0,
            )
        )
    return rows


def run_samples(
    threshold_doc: int,
    pos_aums: Sequence[float],
    neg_aums: Sequence[float],
    aums: dict[int, Sequence[float]],
    n_folds: int = 2,
) -> list[dict[str, Any]]:
    """One run over two docs of REFERENCE tags: `threshold_doc` gives the threshold
    samples (tokens 0-9) and is not judged; the other doc is judged. `aums[doc]` gives
    the AUM of tokens 10-12."""
    rows = threshold_samples(threshold_doc, pos_aums, neg_aums)
    for doc in (0, 1):
        judged = int(doc != threshold_doc) if n_folds == 2 else 1
        first = 10 if doc == threshold_doc else 0
        for i in range(first, 13):
            aum = aums[doc][i - 10] if i >= 10 else 1.0
            rows.append(sample(doc, i, REFERENCE[i], [aum, aum], judged=judged))
    return rows
