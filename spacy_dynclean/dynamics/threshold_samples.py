"""Threshold samples: a seeded set of samples given deliberately wrong labels.

Their AUMs show how a mislabelled sample behaves, which sets the cleaning cut
without gold labels (Pleiss et al. 2020; Zhang et al. 2025). Docs are split into
folds; a run draws its threshold samples from one fold only, so with two runs and
disjoint folds every sample is judged in a run where it kept its own label.
`sample_keys` draws them for a run, relabels them in its sample layout and builds
the margin records' key table.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ..io.labels import FAKE_LABEL
from .samples import SampleLayout


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

# The most of a fold's entities the fake positives may take. With 4 types and 2 folds
# the paper's count (#entities / #types) is about half of the fold (0.45-0.56 on the
# four DS-NER benchmarks), so the cap leaves those counts as they are; with 1 or 2
# types it would be all of the fold, and the cap keeps a third of it, half of which
# "hidden_entity" hides (>= 1/6 of the fold as fake negatives).
MAX_FAKE_POS_SHARE = Fraction(2, 3)


def _cap_counts(counts: list[int], limit: int) -> list[int]:
    """Per-type counts scaled down alike to sum to `limit` if they exceed it: each
    type gets the floor of its scaled count, and the units left go to the largest
    remainders (ties: the earlier type). Unchanged if they sum to `limit` or less."""
    total = sum(counts)
    if total <= limit:
        return list(counts)
    scaled = np.asarray(counts, dtype=np.float64) * limit / total
    capped = np.floor(scaled).astype(np.int64)
    for index in np.argsort(-(scaled - capped), kind="stable")[
        : limit - int(capped.sum())
    ]:
        capped[index] += 1
    return capped.tolist()


def select_threshold_samples(
    entity_types: np.ndarray,
    entity_in_fold: np.ndarray,
    nonentity_in_fold: np.ndarray,
    n_types: int,
    seed: int,
    fake_negatives: str = "hidden_entity",
    entity_forms: np.ndarray | None = None,
    share: float = 1.0,
) -> ThresholdSamples:
    """Draw about `share` x #entities / #types fake positives, stratified by type,
    from the entities in the fold, and as many fake negatives. The fake positives
    take at most `MAX_FAKE_POS_SHARE` (2/3) of the fold's entities (each type's
    count scaled down alike, see `_cap_counts`), so that with one or two types,
    where #entities / #types is all of the fold, entities are left to hide.

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
    rng = np.random.default_rng(seed)
    n_wanted = int(round(share * len(entity_types) / max(n_types, 1)))
    candidates = np.flatnonzero(entity_in_fold)
    of_types = [
        candidates[entity_types[candidates] == type_index]
        for type_index in range(n_types)
    ]
    counts = [
        min(
            int(
                round(
                    n_wanted
                    * np.sum(entity_types == type_index)
                    / max(len(entity_types), 1)
                )
            ),
            len(of_type),
        )
        for type_index, of_type in enumerate(of_types)
    ]
    counts = _cap_counts(
        counts, int(MAX_FAKE_POS_SHARE * len(candidates))
    )  # Fraction: an exact floor
    fake_pos = [
        rng.choice(of_type, size=count, replace=False)
        for of_type, count in zip(of_types, counts)
    ]
    fake_pos = (
        np.sort(np.concatenate(fake_pos)).astype(np.int64)
        if fake_pos
        else np.zeros(0, np.int64)
    )
    if fake_negatives == "hidden_form":
        fake_neg = _hidden_forms(entity_forms, entity_in_fold, fake_pos, n_wanted, rng)
        return ThresholdSamples(
            fake_pos=fake_pos,
            fake_neg=fake_neg,
            fake_neg_types=np.zeros(len(fake_neg), np.int64),
        )
    if fake_negatives == "hidden_entity":
        neg_candidates = np.setdiff1d(candidates, fake_pos)
        n_neg = min(n_wanted, len(neg_candidates) // 2)
    else:
        neg_candidates = np.flatnonzero(nonentity_in_fold)
        n_neg = min(n_wanted, len(neg_candidates))
    fake_neg = np.sort(rng.choice(neg_candidates, size=n_neg, replace=False)).astype(
        np.int64
    )
    return ThresholdSamples(
        fake_pos=fake_pos,
        fake_neg=fake_neg,
        fake_neg_types=rng.integers(0, max(n_types, 1), size=n_neg),
    )


# A type with fewer fake positives than this in a run gets no cut of its own (the
# scoring's default --min-type-samples is the same): its entities use the global cut.
MIN_TYPE_FAKE_POS = 5


def small_types(
    entity_types: np.ndarray,
    entity_in_fold: np.ndarray,
    fake_pos: np.ndarray,
    type_names: Sequence[str],
) -> dict[str, dict[str, int]]:
    """The types with fewer than `MIN_TYPE_FAKE_POS` fake positives: per type its
    entities, its entities in the fold and its fake positives."""
    n_types = len(type_names)
    entities = np.bincount(entity_types, minlength=n_types)
    in_fold = np.bincount(entity_types[entity_in_fold], minlength=n_types)
    chosen = np.bincount(entity_types[fake_pos], minlength=n_types)
    return {
        name: {
            "entities": int(entities[t]),
            "fold_entities": int(in_fold[t]),
            "fake_pos": int(chosen[t]),
        }
        for t, name in enumerate(type_names)
        if chosen[t] < MIN_TYPE_FAKE_POS
    }


def _hidden_forms(
    forms: np.ndarray | None,
    in_fold: np.ndarray,
    fake_pos: np.ndarray,
    n_wanted: int,
    rng: np.random.Generator,
) -> np.ndarray:
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
    chosen: list[np.ndarray] = []
    total = 0
    for form in rng.permutation(np.unique(forms[eligible])):
        if total >= limit:
            break
        members = eligible[forms[eligible] == form]
        chosen.append(members)
        total += len(members)
    return (
        np.sort(np.concatenate(chosen)).astype(np.int64)
        if chosen
        else np.zeros(0, np.int64)
    )


def small_type_notes(
    small: dict[str, dict[str, int]], fold: int, n_folds: int
) -> list[str]:
    """One note on the types with fewer than MIN_TYPE_FAKE_POS fake positives."""
    none = [
        f"{name!r} ({c['fold_entities']} of its {c['entities']} entities in the fold)"
        for name, c in small.items()
        if c["fake_pos"] == 0
    ]
    few = [
        f"{name!r} ({c['fake_pos']})" for name, c in small.items() if c["fake_pos"] > 0
    ]
    parts = []
    if none:
        parts.append(
            f"no fake positives for {', '.join(none)}: their entities are still judged, against the cut "
            "set by the other types' fake positives"
        )
    if few:
        parts.append(
            f"fewer than {MIN_TYPE_FAKE_POS} fake positives for {', '.join(few)}: too few for a cut of "
            "their own, so with --per-type their entities use the global cut"
        )
    return [f"threshold fold {fold} of {n_folds}: " + "; ".join(parts)]


def sample_keys(
    layout: SampleLayout,
    doc_ids: Sequence[str],
    *,
    fold: int,
    n_folds: int,
    seed: int,
    threshold_samples: bool,
    fake_negatives: str,
    share: float,
) -> tuple[dict[str, np.ndarray], dict[str, dict[str, int]]]:
    """The records' key table of a run (one row per sample that is not missing),
    with its threshold samples (if `threshold_samples`) drawn from doc fold `fold`
    and relabelled in `layout.targets`; and the types with few fake positives."""
    original = layout.targets.copy()
    doc_in_fold = assign_folds(doc_ids, n_folds, seed) == fold
    sample_in_fold = doc_in_fold[layout.sample_doc]
    threshold = np.zeros(len(original), dtype=np.int8)
    small: dict[str, dict[str, int]] = {}
    if threshold_samples:
        threshold, small = _relabel(
            layout, doc_in_fold, sample_in_fold, seed, fake_negatives, share
        )
    judged = (threshold == 0) if n_folds == 1 else ~sample_in_fold
    keys = {
        "doc": layout.sample_doc,
        "start": layout.start,
        "end": layout.end,
        "label": layout.targets.copy(),
        "original": original,
        "threshold": threshold,
        "judged": judged.astype(np.int8),
    }
    recorded = layout.record_rows() >= 0
    return {name: column[recorded] for name, column in keys.items()}, small


def _relabel(
    layout: SampleLayout,
    doc_in_fold: np.ndarray,
    sample_in_fold: np.ndarray,
    seed: int,
    fake_negatives: str,
    share: float,
) -> tuple[np.ndarray, dict[str, dict[str, int]]]:
    """Draw the threshold samples and relabel them in `layout.targets`; returns the
    marker column (1 = fake positive, 2 = fake negative) and `small_types`."""
    entity_doc = np.array([e[0] for e in layout.entities], dtype=np.int64)
    entity_types = np.array([e[3] for e in layout.entities], dtype=np.int64)
    nonentity = layout.nonentity_samples()
    chosen = select_threshold_samples(
        entity_types,
        doc_in_fold[entity_doc],
        sample_in_fold[nonentity],
        len(layout.types),
        seed,
        fake_negatives,
        layout.entity_forms,
        share,
    )
    small = small_types(
        entity_types, doc_in_fold[entity_doc], chosen.fake_pos, layout.types
    )
    threshold = np.zeros(len(layout.targets), dtype=np.int8)
    for entity in chosen.fake_pos:
        threshold[layout.relabel_entity(entity, FAKE_LABEL)] = 1
    if fake_negatives == "random_type":
        for row, type_index in zip(nonentity[chosen.fake_neg], chosen.fake_neg_types):
            layout.relabel_sample(row, layout.types[type_index])
            threshold[row] = 2
    else:
        for entity in chosen.fake_neg:
            threshold[layout.relabel_entity(entity, None)] = 2
    return threshold, small
