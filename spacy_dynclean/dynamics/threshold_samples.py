"""Threshold samples: a seeded set of samples given deliberately wrong labels.

Their AUMs show how a mislabelled sample behaves, which sets the cleaning cut
without gold labels (Pleiss et al. 2020; Zhang et al. 2025). Docs are split into
folds; a run draws its threshold samples from one fold only, so with two runs and
disjoint folds every sample is judged in a run where it kept its own label.
"""
from dataclasses import dataclass
from typing import Sequence

import numpy as np


@dataclass
class ThresholdSamples:
    """Chosen threshold samples, as indices into the caller's tables."""

    fake_pos: np.ndarray  # indices of entities that get the fake type
    fake_neg: np.ndarray  # indices of non-entity samples that get a real type
    fake_neg_types: np.ndarray  # the (real) type index each fake negative gets


def assign_folds(doc_ids: Sequence[str], n_folds: int, seed: int) -> np.ndarray:
    """A fold per doc: balanced, seeded, and independent of the order of the docs."""
    if n_folds < 1:
        raise ValueError(f"n_folds must be at least 1, not {n_folds}")
    order = np.argsort(np.asarray(doc_ids, dtype=object), kind="stable")
    permuted = order[np.random.default_rng(seed).permutation(len(order))]
    folds = np.empty(len(order), dtype=np.int8)
    folds[permuted] = np.arange(len(order)) % n_folds
    return folds


def select_threshold_samples(
    entity_types: np.ndarray,
    entity_in_fold: np.ndarray,
    nonentity_in_fold: np.ndarray,
    n_types: int,
    seed: int,
) -> ThresholdSamples:
    """Draw about #entities / #types fake positives, stratified by type, from the
    entities in the fold, and as many fake negatives (with a uniformly random real
    type) from the non-entity samples in the fold.
    """
    rng = np.random.default_rng(seed)
    n_wanted = int(round(len(entity_types) / max(n_types, 1)))
    candidates = np.flatnonzero(entity_in_fold)
    fake_pos = []
    for type_index in range(n_types):
        of_type = candidates[entity_types[candidates] == type_index]
        share = int(round(n_wanted * np.sum(entity_types == type_index) / max(len(entity_types), 1)))
        fake_pos.append(rng.choice(of_type, size=min(share, len(of_type)), replace=False))
    neg_candidates = np.flatnonzero(nonentity_in_fold)
    n_neg = min(n_wanted, len(neg_candidates))
    fake_neg = np.sort(rng.choice(neg_candidates, size=n_neg, replace=False))
    return ThresholdSamples(
        fake_pos=np.sort(np.concatenate(fake_pos)).astype(np.int64) if fake_pos else np.zeros(0, np.int64),
        fake_neg=fake_neg.astype(np.int64),
        fake_neg_types=rng.integers(0, max(n_types, 1), size=n_neg),
    )
