import numpy as np
import pytest

from spacy_dynclean.errors import DataError, DynCleanError
from spacy_dynclean.io.records import read_records
from spacy_dynclean.scoring.aum import (
    KINDS,
    items_from_records,
    parse_epochs,
    sample_stats,
)

from .records_helpers import sample, threshold_samples

nan = float("nan")


def rows_of(table):
    """(doc, start, end, kind, label) tuples of an item table."""
    return [
        (int(d), int(s), int(e), KINDS[k], table.labels[lab])
        for d, s, e, k, lab in zip(
            table["doc"], table["start"], table["end"], table["kind"], table["label"]
        )
    ]


def test_sample_stats_on_hand_made_arrays():
    margins = np.array([[1, 3, nan], [-1, -3, 2], [nan, nan, nan]], dtype=np.float32)
    probs = np.array(
        [[0.2, 0.4, nan], [0.1, 0.3, 0.8], [nan, nan, nan]], dtype=np.float32
    )
    stats = sample_stats(margins, probs)
    np.testing.assert_allclose(stats["aum"][:2], [2.0, -2 / 3], rtol=1e-6)
    np.testing.assert_allclose(stats["confidence"][:2], [0.3, 0.4], rtol=1e-6)
    np.testing.assert_allclose(
        stats["variability"][:2], [0.1, np.std([0.1, 0.3, 0.8])], rtol=1e-5
    )
    np.testing.assert_allclose(stats["correctness"][:2], [1.0, 1 / 3])
    assert all(np.isnan(stats[name][2]) for name in stats)


def token_doc_samples():
    # doc 0: B-PER I-PER L-PER O U-LOC; doc 1: two adjacent LOC entities. Shuffled order.
    rows = [
        sample(0, 0, "B-PER", [1, 1]),
        sample(0, 1, "I-PER", [3, 3]),
        sample(0, 2, "L-PER", [-1, -1]),
        sample(0, 3, "O", [2, 4]),
        sample(0, 4, "U-LOC", [0.5, 0.5]),
        sample(1, 0, "B-LOC", [1, 1]),
        sample(1, 1, "L-LOC", [1, 1]),
        sample(1, 2, "B-LOC", [2, 2]),
        sample(1, 3, "L-LOC", [4, 4]),
    ]
    return [rows[i] for i in (8, 3, 0, 5, 2, 7, 1, 4, 6)]


@pytest.mark.parametrize("agg,per_aum", [("mean", 1.0), ("min", -1.0)])
def test_token_items_and_entity_aggregation(records_factory, agg, per_aum):
    table = items_from_records(
        read_records(records_factory(token_doc_samples())), entity_agg=agg
    )
    assert rows_of(table) == [
        (0, 0, 3, "entity", "PER"),
        (0, 3, 4, "non_entity", "O"),
        (0, 4, 5, "entity", "LOC"),
        (1, 0, 2, "entity", "LOC"),
        (1, 2, 4, "entity", "LOC"),
    ]
    expected_min_or_mean = {
        "mean": [1.0, 3.0, 0.5, 1.0, 3.0],
        "min": [-1.0, 3.0, 0.5, 1.0, 2.0],
    }[agg]
    np.testing.assert_allclose(table["aum"], expected_min_or_mean)
    assert table["aum"][0] == per_aum
    assert table["judged"].all()


def test_token_threshold_items(records_factory):
    rows = [
        sample(0, 0, "B-FAKE", [0.1, 0.1], original="B-PER", threshold=1, judged=0),
        sample(0, 1, "L-FAKE", [0.3, 0.3], original="L-PER", threshold=1, judged=0),
        sample(0, 2, "U-LOC", [-2, -2], original="O", threshold=2, judged=0),
        sample(0, 3, "U-LOC", [1, 1], judged=0),
        # a missing token (no sample) at 5 breaks the run: two items
        sample(0, 4, "B-PER", [1, 1], judged=0),
        sample(0, 6, "L-PER", [1, 1], judged=0),
    ]
    table = items_from_records(read_records(records_factory(rows)))
    assert rows_of(table) == [
        (0, 0, 2, "fake_pos", "FAKE"),
        (0, 2, 3, "fake_neg", "LOC"),
        (0, 3, 4, "entity", "LOC"),
        (0, 4, 5, "entity", "PER"),
        (0, 6, 7, "entity", "PER"),
    ]
    assert [table.labels[i] for i in table["original"][:3]] == ["PER", "O", "LOC"]
    np.testing.assert_allclose(table["aum"][:2], [0.2, -2.0], rtol=1e-6)
    assert not table["judged"].any()


def test_span_items(records_factory):
    rows = [
        sample(0, 0, "PER", [1, 2], end=2),
        sample(0, 0, "O", [-1, -1], end=1),
        sample(0, 2, "FAKE", [0, 0], end=3, original="LOC", threshold=1, judged=0),
        sample(1, 1, "LOC", [3, 3], end=3, original="O", threshold=2, judged=0),
    ]
    table = items_from_records(read_records(records_factory(rows, head="span")))
    assert table.head == "span"
    assert rows_of(table) == [
        (0, 0, 1, "non_entity", "O"),
        (0, 0, 2, "entity", "PER"),
        (0, 2, 3, "fake_pos", "FAKE"),
        (1, 1, 3, "fake_neg", "LOC"),
    ]
    np.testing.assert_allclose(table["aum"], [-1, 1.5, 0, 3])
    assert table["judged"].tolist() == [True, True, False, False]


def test_partial_last_epoch_is_dropped_with_a_warning(records_factory):
    rows = [sample(0, 0, "U-PER", [1, 3, 100]), sample(0, 1, "O", [2, 2, nan])]
    path = records_factory(rows)
    records = read_records(path)
    assert records.meta["complete_epochs"] == 2
    with pytest.warns(UserWarning, match="partial"):
        table = items_from_records(records)
    np.testing.assert_allclose(table["aum"], [2.0, 2.0])
    assert any("partial" in note for note in table.notes)


def test_no_complete_epoch_is_refused(records_factory):
    path = records_factory([sample(0, 0, "U-PER", [nan]), sample(0, 1, "O", [1.0])])
    with pytest.raises(DataError, match="no complete epoch"):
        items_from_records(read_records(path))


def test_epochs_option(records_factory):
    records = read_records(records_factory([sample(0, 0, "U-PER", [1, 3, 5])]))
    np.testing.assert_allclose(items_from_records(records, epochs=1)["aum"], [1.0])
    np.testing.assert_allclose(items_from_records(records, epochs=2)["aum"], [2.0])
    with pytest.raises(DataError, match="3 complete epoch"):
        items_from_records(records, epochs=4)


def test_parse_epochs_and_bad_agg(records_factory):
    assert (
        parse_epochs("all") is None
        and parse_epochs(None) is None
        and parse_epochs("3") == 3
    )
    for bad in ("0", "x", "-1"):
        with pytest.raises(DynCleanError):
            parse_epochs(bad)
    records = read_records(records_factory(threshold_samples(0, [1], [1])))
    with pytest.raises(DynCleanError, match="entity-agg"):
        items_from_records(records, entity_agg="max")


def test_items_get_their_preferred_type(records_factory):
    # token head: the runner-up tags map to types; an entity takes its first token's
    rows = [
        sample(0, 0, "O", [2, 1, 1], runner_up=["B-PER", "U-PER", "U-LOC"]),
        sample(0, 1, "B-LOC", [1, 1, 1], runner_up=["O", "O", "O"]),
        sample(0, 2, "L-LOC", [1, 1, 1], runner_up=["U-PER", "U-PER", "U-PER"]),
        sample(0, 3, "O", [1, 1, 1]),  # runner-up never recorded
    ]
    table = items_from_records(read_records(records_factory(rows)))
    assert rows_of(table) == [
        (0, 0, 1, "non_entity", "O"),
        (0, 1, 3, "entity", "LOC"),
        (0, 3, 4, "non_entity", "O"),
    ]
    assert table["preferred"][:2].tolist() == [
        table.labels.index("PER"),
        table.labels.index("O"),
    ]
    assert table["preferred"][2] == -1
    np.testing.assert_allclose(table["preferred_share"][:2], [2 / 3, 1.0])
    assert np.isnan(table["preferred_share"][2])
