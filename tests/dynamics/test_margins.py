"""Margin arithmetic: cross-entropy, margins and runner-up classes, by hand."""

import numpy as np
import pytest

from spacy_dynclean.dynamics.margins import cross_entropy, margin_and_runner_up


def test_margin_hand_computed():
    logits = np.array([[2.0, 5.0, 1.0], [0.5, -1.0, 3.0]], dtype=np.float32)
    targets = np.array([1, 0])
    # row 0: 5 - max(2, 1) = 3; row 1: 0.5 - max(-1, 3) = -2.5
    margins, second = margin_and_runner_up(logits, targets)
    assert margins.tolist() == [3.0, -2.5]
    assert second.tolist() == [0, 2]


def test_cross_entropy_sums_the_loss_and_averages_the_gradient():
    logits = np.array(
        [[2.0, 5.0, 1.0], [0.5, -1.0, 3.0], [0.0, 0.0, 0.0]], dtype=np.float32
    )
    targets = np.array([1, 0, 2])
    trained = np.array([True, True, False])
    loss, d_logits, probs = cross_entropy(logits, targets, trained)
    softmax = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    assert loss == pytest.approx(
        -np.log(softmax[0, 1]) - np.log(softmax[1, 0]), rel=1e-6
    )
    expected = softmax.copy()
    expected[[0, 1, 2], targets] -= 1
    expected[2] = 0  # not trained: no gradient
    np.testing.assert_allclose(d_logits, expected / 2, rtol=1e-6)
    # the probability of the target, trained or not
    np.testing.assert_allclose(probs, softmax[[0, 1, 2], targets], rtol=1e-6)


def test_cross_entropy_with_nothing_trained():
    logits = np.zeros((2, 3), dtype=np.float32)
    loss, d_logits, _ = cross_entropy(logits, np.array([0, 1]), np.zeros(2, dtype=bool))
    assert loss == 0.0 and not d_logits.any()
