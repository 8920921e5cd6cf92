"""The percentile rule: cleaning cuts from the AUMs of a run's threshold samples.

t_pos = the P_pos percentile of the fake positives' AUMs (entities given the fake
type), t_neg = the P_neg percentile of the fake negatives' AUMs (non-entities given a
real type). An entity scoring below t_pos, or a non-entity below t_neg, looks no more
like its label than a sample we know to be mislabelled.
"""

from typing import Any

import numpy as np

from ..errors import DataError
from ..util import PathLike
from .aum import ENTITY, FAKE_NEG, FAKE_POS, ItemTable
from .options import ScoreOptions


def percentile(values: np.ndarray, p: float) -> float:
    """The `p`-th percentile (linear interpolation) of the non-NaN values; NaN if none."""
    values = np.asarray(values, dtype=np.float64)
    values = values[~np.isnan(values)]
    return float(np.percentile(values, p)) if len(values) else float("nan")


def run_thresholds(
    items: ItemTable,
    options: ScoreOptions = ScoreOptions(),
    source: PathLike = "records",
) -> dict[str, Any]:
    """t_pos / t_neg of one run (and per type if asked), with the fake-sample counts."""
    p_pos, p_neg = options.p_pos, options.p_neg
    for name, p in (("--p-pos", p_pos), ("--p-neg", p_neg)):
        if not 0 <= p <= 100:
            raise DataError(source, f"{name} must be a percentile in [0, 100], not {p}")
    fake_pos, fake_neg = items["kind"] == FAKE_POS, items["kind"] == FAKE_NEG
    n_pos, n_neg = int(fake_pos.sum()), int(fake_neg.sum())
    if n_pos == 0 or n_neg == 0:
        raise DataError(
            source,
            f"has no threshold samples to set the cut from "
            f"({n_pos} fake positives, {n_neg} fake negatives)",
            hint="enable them: threshold_samples = true in the [components.dynclean] config",
        )
    result: dict[str, Any] = {
        "t_pos": percentile(items["aum"][fake_pos], p_pos),
        "t_neg": percentile(items["aum"][fake_neg], p_neg),
        "n_fake_pos": n_pos,
        "n_fake_neg": n_neg,
        "p_pos": p_pos,
        "p_neg": p_neg,
        "per_type": None,
    }
    if options.per_type:
        min_n = options.min_type_samples
        result["per_type"] = {
            "pos": _by_type(
                items, fake_pos, items["original"], p_pos, result["t_pos"], min_n
            ),
            "neg": _by_type(
                items, fake_neg, items["label"], p_neg, result["t_neg"], min_n
            ),
        }
    return result


def item_thresholds(items: ItemTable, thresholds: dict[str, Any]) -> np.ndarray:
    """The cut each item is compared with. Entities (and fake positives, by their
    original type) use t_pos, per type if computed; non-entities carry no type, so
    they use the global t_neg (fake negatives use the t_neg of their assigned type)."""
    pos = _lookup(items, thresholds, "pos", thresholds["t_pos"])
    neg = _lookup(items, thresholds, "neg", thresholds["t_neg"])
    kind = items["kind"]
    return np.select(
        [kind == ENTITY, kind == FAKE_POS, kind == FAKE_NEG],
        [pos[items["label"]], pos[items["original"]], neg[items["label"]]],
        default=thresholds["t_neg"],
    ).astype(np.float64)


def _lookup(
    items: ItemTable, thresholds: dict[str, Any], side: str, default: float
) -> np.ndarray:
    """A threshold per label code: the per-type value where there is one, else `default`."""
    table = np.full(len(items.labels), default, dtype=np.float64)
    by_type: dict[str, Any] | None = (thresholds.get("per_type") or {}).get(side)
    for code, name in enumerate(items.labels):
        if by_type and name in by_type:
            table[code] = by_type[name]["threshold"]
    return table


def _by_type(
    items: ItemTable,
    mask: np.ndarray,
    types: np.ndarray,
    p: float,
    fallback: float,
    min_n: int,
) -> dict[str, dict[str, Any]]:
    result = {}
    for name in items.entity_types:
        code = items.labels.index(name)
        aums = items["aum"][mask & (types == code)]
        n = int(np.count_nonzero(~np.isnan(aums)))
        if n >= max(min_n, 1):  # a type with no fake samples always falls back
            result[name] = {"threshold": percentile(aums, p), "n": n, "source": "type"}
        else:
            result[name] = {
                "threshold": fallback,
                "n": n,
                "source": f"global (fewer than {max(min_n, 1)} fake samples of this type)",
            }
    return result
