"""Threshold samples: a seeded set of samples given deliberately wrong labels.

Their AUMs show how a mislabelled sample behaves, which sets the cleaning cut
without gold labels (Pleiss et al. 2020; Zhang et al. 2025). Docs are split into
folds; a run draws its threshold samples from one fold only, so with two runs and
disjoint folds every sample is judged in a run where it kept its own label.
"""
from dataclasses import dataclass
from typing import List, Optional, Sequence

import numpy as np


@dataclass
class ThresholdSamples:
    """Chosen threshold samples, as indices into the caller's tables."""

    fake_pos: np.ndarray  # indices of entities that get the fake type
    fake_neg: np.ndarray  # "random_type": non-entity samples; "hidden_entity": entities
    fake_neg_types: np.ndarray  # "random_type": the (real) type each fake negative gets


def assign_folds(doc_ids: Sequence[str], n_folds: int, seed: int) -> np.ndarray:
    """A fold per doc: balanced, seeded, and independent of the order of the docs."""
    if n_folds < 1:
        raise ValueError(f"n_folds must be at least 1, not {n_folds}")
    order = np.argsort(np.asarray(doc_ids, dtype=object), kind="stable")
    permuted = order[np.random.default_rng(seed).permutation(len(order))]
    folds = np.empty(len(order), dtype=np.int8)
    folds[permuted] = np.arange(len(order)) % n_folds
    return folds


FAKE_NEGATIVE_MODES = ("hidden_entity", "hidden_form", "random_type")


def select_threshold_samples(
    entity_types: np.ndarray,
    entity_in_fold: np.ndarray,
    nonentity_in_fold: np.ndarray,
    n_types: int,
    seed: int,
    fake_negatives: str = "hidden_entity",
    entity_forms: Optional[np.ndarray] = None,
    share: float = 1.0,
) -> ThresholdSamples:
    """Draw about `share` x #entities / #types fake positives, stratified by type,
    from the entities in the fold, and as many fake negatives:

    "random_type" (the paper): as many non-entity samples, each given a uniformly
        random real type. They simulate a spurious entity, which a model rejects
        far more easily than it accepts a missed one, so their AUMs sit far below
        those of real missed entities.
    "hidden_entity": entities of the fold (not fake positives) labelled as
        non-entities, simulating the error the negative side looks for: an entity
        the dictionary missed. At most half of the remaining fold entities, so
        the run keeps most of its positive signal.
    "hidden_form": like "hidden_entity", but whole surface forms are hidden: forms
        (lowercased entity texts, `entity_forms`) that are entities only in the
        fold's docs are drawn at random and every entity occurrence of each is
        labelled as a non-entity. This simulates a dictionary that lacks a name,
        which misses it everywhere, rather than one occurrence of a known name.
    """
    if fake_negatives not in FAKE_NEGATIVE_MODES:
        raise ValueError(f"fake_negatives must be one of {FAKE_NEGATIVE_MODES}, not {fake_negatives!r}")
    rng = np.random.default_rng(seed)
    n_wanted = int(round(share * len(entity_types) / max(n_types, 1)))
    candidates = np.flatnonzero(entity_in_fold)
    fake_pos = []
    for type_index in range(n_types):
        of_type = candidates[entity_types[candidates] == type_index]
        n_of_type = int(round(n_wanted * np.sum(entity_types == type_index) / max(len(entity_types), 1)))
        fake_pos.append(rng.choice(of_type, size=min(n_of_type, len(of_type)), replace=False))
    fake_pos = np.sort(np.concatenate(fake_pos)).astype(np.int64) if fake_pos else np.zeros(0, np.int64)
    if fake_negatives == "hidden_form":
        fake_neg = _hidden_forms(entity_forms, entity_in_fold, fake_pos, n_wanted, rng)
        return ThresholdSamples(fake_pos=fake_pos, fake_neg=fake_neg, fake_neg_types=np.zeros(len(fake_neg), np.int64))
    if fake_negatives == "hidden_entity":
        neg_candidates = np.setdiff1d(candidates, fake_pos)
        n_neg = min(n_wanted, len(neg_candidates) // 2)
    else:
        neg_candidates = np.flatnonzero(nonentity_in_fold)
        n_neg = min(n_wanted, len(neg_candidates))
    fake_neg = np.sort(rng.choice(neg_candidates, size=n_neg, replace=False)).astype(np.int64)
    return ThresholdSamples(
        fake_pos=fake_pos, fake_neg=fake_neg, fake_neg_types=rng.integers(0, max(n_types, 1), size=n_neg)
    )


def _hidden_forms(forms: Optional[np.ndarray], in_fold: np.ndarray, fake_pos: np.ndarray, n_wanted: int,
                  rng: np.random.Generator) -> np.ndarray:
    """Every entity of randomly drawn forms that occur as entities only in the fold
    (and not among the fake positives), until about `n_wanted` entities (at most
    half of the fold's other entities) are hidden."""
    if forms is None:
        raise ValueError('fake_negatives="hidden_form" needs the entity forms')
    blocked = np.zeros(int(forms.max(initial=-1)) + 1, dtype=bool)
    blocked[forms[~in_fold]] = True
    blocked[forms[fake_pos]] = True
    eligible = np.flatnonzero(in_fold & ~blocked[forms])
    limit = min(n_wanted, (int(in_fold.sum()) - len(fake_pos)) // 2)
    chosen: List[np.ndarray] = []
    total = 0
    for form in rng.permutation(np.unique(forms[eligible])):
        if total >= limit:
            break
        members = eligible[forms[eligible] == form]
        chosen.append(members)
        total += len(members)
    return np.sort(np.concatenate(chosen)).astype(np.int64) if chosen else np.zeros(0, np.int64)
