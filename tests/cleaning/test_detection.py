import numpy as np
import pytest

from spacy_dynclean.cleaning.detection import detection_metrics
from spacy_dynclean.errors import MismatchError
from spacy_dynclean.scoring.aum import KINDS, ItemTable
from spacy_dynclean.scoring.auroc import auroc, average_ranks

from .helpers import make_doc

LABELS = ["O", "PER", "LOC", "FAKE"]


def table(rows, head="token", doc_ids=("d1", "d2")):
    """Item table from (doc, start, end, kind, label, aum, judged, flagged) tuples."""
    names = ("doc", "start", "end", "kind", "label", "aum", "judged", "flagged")
    cols = {name: np.array([r[i] for r in rows]) for i, name in enumerate(names)}
    cols["kind"] = np.array([KINDS.index(k) for k in cols["kind"]], dtype=np.int8)
    cols["label"] = np.array([LABELS.index(lab) for lab in cols["label"]])
    cols["judged"], cols["flagged"] = (
        cols["judged"].astype(bool),
        cols["flagged"].astype(bool),
    )
    cols["aum"] = cols["aum"].astype(float)
    return ItemTable(cols, LABELS, list(doc_ids), head, "FAKE")


def test_auroc_hand_examples():
    assert auroc(
        np.array([0.1, 0.4, 0.35, 0.8]), np.array([0, 0, 1, 1])
    ) == pytest.approx(0.75)
    # ties: positives {1, 3}, negatives {1, 2}: pairs 0.5 + 0 + 1 + 1 = 2.5 of 4
    assert auroc(np.array([1, 1, 2, 3.0]), np.array([0, 1, 0, 1])) == pytest.approx(
        0.625
    )
    assert auroc(np.array([1.0, 2.0]), np.array([1, 1])) is None
    np.testing.assert_allclose(
        average_ranks(np.array([3.0, 1.0, 3.0, 2.0])), [3.5, 1, 3.5, 2]
    )


def gold_docs():
    return [
        make_doc("a b c d e f".split(), [(0, 2, "PER"), (3, 4, "LOC")], "d1"),
        make_doc("a b c d e".split(), [(0, 1, "LOC"), (2, 4, "PER")], "d2"),
    ]


def test_detection_metrics_token_head():
    items = table(
        [
            (0, 0, 2, "entity", "PER", 2.0, 1, 0),  # correct
            (0, 3, 4, "entity", "PER", -1.0, 1, 1),  # wrong type, flagged
            (0, 5, 6, "entity", "LOC", 0.5, 1, 0),  # not in gold
            (1, 0, 1, "entity", "LOC", -0.5, 1, 1),  # correct, flagged
            (1, 4, 5, "entity", "LOC", -9.0, 0, 0),  # not judged: ignored
            (0, 2, 3, "non_entity", "O", 1.0, 1, 0),  # correct
            (1, 1, 2, "non_entity", "O", -2.0, 1, 1),  # correct, flagged
            (1, 2, 3, "non_entity", "O", -3.0, 1, 1),  # inside gold PER: error, flagged
            (1, 3, 4, "non_entity", "O", 0.2, 1, 0),  # inside gold PER: error
            (1, 4, 5, "non_entity", "O", 3.0, 1, 0),  # correct
            (0, 4, 5, "fake_neg", "LOC", -5.0, 0, 0),  # threshold sample: ignored
        ]
    )
    metrics = detection_metrics(items, gold_docs())
    assert metrics["pos"] == {
        "flagged": 2,
        "precision": 0.5,
        "recall": 0.5,
        "auroc": pytest.approx(0.75),
        "n_errors": 2,
        "n_judged": 4,
    }
    assert metrics["neg"] == {
        "flagged": 2,
        "precision": 0.5,
        "recall": 0.5,
        "auroc": pytest.approx(5 / 6),
        "n_errors": 2,
        "n_judged": 5,
    }


def test_detection_metrics_span_head_needs_exact_gold_span():
    items = table(
        [
            (1, 2, 4, "non_entity", "O", -1.0, 1, 1),  # exactly gold PER: error
            (
                1,
                2,
                3,
                "non_entity",
                "O",
                -2.0,
                1,
                1,
            ),  # inside gold PER only: not an error
            (1, 4, 5, "non_entity", "O", 1.0, 1, 0),
            (1, 2, 4, "entity", "PER", 1.0, 1, 0),
        ],
        head="span",
    )
    metrics = detection_metrics(items, gold_docs())
    assert (
        metrics["neg"]["n_errors"],
        metrics["neg"]["precision"],
        metrics["neg"]["recall"],
    ) == (1, 0.5, 1.0)
    assert metrics["pos"]["n_errors"] == 0 and metrics["pos"]["auroc"] is None


def test_detection_refuses_other_gold_data():
    items = table([(1, 0, 1, "entity", "LOC", 1.0, 1, 0)], doc_ids=("d1", "d3"))
    with pytest.raises(MismatchError, match="'d3'"):
        detection_metrics(items, gold_docs())
    items = table([(1, 4, 7, "entity", "LOC", 1.0, 1, 0)])
    with pytest.raises(MismatchError, match="5 tokens"):
        detection_metrics(items, gold_docs())
