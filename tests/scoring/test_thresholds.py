import numpy as np
import pytest

from spacy_dynclean.errors import DataError
from spacy_dynclean.io.records import read_records
from spacy_dynclean.scoring.aum import items_from_records
from spacy_dynclean.scoring.options import ScoreOptions
from spacy_dynclean.scoring.thresholds import (
    item_thresholds,
    percentile,
    run_thresholds,
)

from .records_helpers import sample, threshold_samples


def test_percentile_on_known_values():
    assert percentile(np.array([0, 1, 2, 3, 4.0]), 100) == 4.0
    assert percentile(np.array([0, 1, 2, 3, 4.0]), 50) == 2.0
    assert percentile(np.arange(1, 11, dtype=float), 90) == pytest.approx(9.1)
    assert percentile(np.array([np.nan, 1.0, 3.0]), 50) == 2.0
    assert np.isnan(percentile(np.array([]), 50))


def items(records_factory, rows):
    return items_from_records(read_records(records_factory(rows)))


def test_run_thresholds_global(records_factory):
    rows = threshold_samples(
        0, [0.1, 0.2, 0.3, 0.4, 0.5], [-float(i) for i in range(1, 11)]
    )
    cuts = run_thresholds(
        items(records_factory, rows), ScoreOptions(p_pos=100, p_neg=90)
    )
    assert cuts["t_pos"] == pytest.approx(0.5)
    assert cuts["t_neg"] == pytest.approx(np.percentile(-np.arange(1, 11), 90))
    assert (cuts["n_fake_pos"], cuts["n_fake_neg"], cuts["per_type"]) == (5, 10, None)


def test_run_thresholds_per_type_with_fallback(records_factory):
    pos = [1.0, 2.0, 3.0, 4.0, 5.0, 10.0, 20.0]
    rows = threshold_samples(
        0,
        pos,
        [-1.0] * 6,
        pos_types=["PER"] * 5 + ["LOC"] * 2,
        neg_types=["PER"] + ["LOC"] * 5,
    )
    rows += [
        sample(1, 0, "U-PER", [0.0, 0.0]),
        sample(1, 1, "U-LOC", [0.0, 0.0]),
        sample(1, 2, "O", [0.0, 0.0]),
    ]
    table = items(records_factory, rows)
    cuts = run_thresholds(table, ScoreOptions(p_pos=50, p_neg=90, per_type=True))
    per_pos, per_neg = cuts["per_type"]["pos"], cuts["per_type"]["neg"]
    assert per_pos["PER"] == {"threshold": 3.0, "n": 5, "source": "type"}
    assert per_pos["LOC"]["threshold"] == cuts["t_pos"] == 4.0
    assert per_pos["LOC"]["n"] == 2 and per_pos["LOC"]["source"].startswith("global")
    assert per_neg["LOC"]["source"] == "type" and per_neg["PER"]["source"].startswith(
        "global"
    )
    thresholds = item_thresholds(table, cuts)
    last = {
        (int(d), int(s)): t for d, s, t in zip(table["doc"], table["start"], thresholds)
    }
    assert last[(1, 0)] == 3.0  # PER entity: PER's own cut
    assert last[(1, 1)] == 4.0  # LOC entity: global fallback
    assert last[(1, 2)] == cuts["t_neg"]  # non-entity: global t_neg


def test_no_threshold_samples_is_refused(records_factory):
    rows = [sample(0, 0, "U-PER", [1, 1]), sample(0, 1, "O", [1, 1])]
    with pytest.raises(DataError, match="threshold_samples = true"):
        run_thresholds(items(records_factory, rows), source="run0")


def test_bad_percentile_is_refused(records_factory):
    with pytest.raises(DataError, match="--p-neg"):
        run_thresholds(
            items(records_factory, threshold_samples(0, [1], [1])),
            ScoreOptions(p_neg=120),
        )
