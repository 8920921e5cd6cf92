"""Repair: relabel a flagged item to the entity type the model keeps preferring,
instead of removing it / marking it missing.

The margin records keep, per sample and epoch, the runner-up label (largest other
logit); scoring turns it into each item's `preferred` label and `preferred_share`
(share of epochs it was the runner-up). A flagged item is repaired when its
preferred label is a real entity type other than its own, preferred in at least
`min_share` of the epochs, and its AUM is at most `max_aum` (at 0: on average the
model ranks the preferred type above the assigned label).

- a flagged entity gets the preferred type (kept, relabelled);
- a flagged non-entity token/span becomes an entity of the preferred type, unless
  it overlaps an entity or a repair with a lower AUM; adjacent repairs of one type
  join up, and a repair next to an entity of its type extends that entity.
Flagged items that are not repaired are cleaned as usual. The type is the
decision's `repair` (`audit.Decision`), applied by `clean.clean_doc`.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

Entity = tuple[int, int, str]


@dataclass(frozen=True)
class RepairRule:
    """When a flagged item is relabelled to its preferred type."""

    min_share: float = 1.0
    max_aum: float = 0.0

    def label(self, row: Mapping[str, Any], entity_types: Sequence[str]) -> str | None:
        """The type the flagged scores.jsonl row `row` is repaired to, or None."""
        preferred, share, aum = (
            row.get("preferred"),
            row.get("preferred_share"),
            row.get("aum"),
        )
        if (
            preferred not in entity_types
            or preferred == row["label"]
            or share is None
            or aum is None
        ):
            return None
        return preferred if share >= self.min_share and aum <= self.max_aum else None


def place_repairs(
    n_tokens: int,
    entities: Sequence[Entity],
    candidates: Sequence[tuple[int, int, str, float]],
) -> tuple[list[Entity], set[int]]:
    """Add the candidate entities `(start, end, label, aum)` that overlap no entity
    and no candidate with a lower AUM; join them with neighbours of their type.
    Returns the new entity list and the indices of the candidates placed."""
    taken = token_mask(n_tokens, [(start, end) for start, end, _ in entities])
    placed: set[int] = set()
    for i in sorted(range(len(candidates)), key=lambda i: candidates[i][3]):
        start, end = candidates[i][:2]
        if not taken[start:end].any():
            taken[start:end] = True
            placed.add(i)
    added = [candidates[i][:3] for i in sorted(placed)]
    return _join(entities, added), placed


def token_mask(n_tokens: int, spans: Iterable[tuple[int, int]]) -> np.ndarray:
    """True for the tokens inside any of `spans`."""
    mask = np.zeros(n_tokens, dtype=bool)
    for start, end in spans:
        mask[int(start) : int(end)] = True
    return mask


def _join(entities: Sequence[Entity], added: Sequence[Entity]) -> list[Entity]:
    """Entities in order; an added entity joins a touching neighbour of its type
    (two original entities never join)."""
    spans = sorted([(*e, False) for e in entities] + [(*e, True) for e in added])
    out: list[tuple[int, int, str, bool]] = []
    for start, end, label, new in spans:
        if out and out[-1][1] == start and out[-1][2] == label and (new or out[-1][3]):
            out[-1] = (out[-1][0], end, label, True)
        else:
            out.append((start, end, label, new))
    return [(start, end, label) for start, end, label, _ in out]
