"""Margin arithmetic on a head's logits: softmax cross-entropy and the margin of the
trained class (its logit minus the largest other one). Plain numpy, one row per sample.
"""

import numpy as np


def cross_entropy(
    logits: np.ndarray, targets: np.ndarray, trained: np.ndarray
) -> tuple[float, np.ndarray, np.ndarray]:
    """Softmax cross-entropy of the `targets`: the loss summed over the `trained`
    rows (like spaCy's `ner` reports it), the gradient of their mean (zero on the
    other rows), and every row's probability of its target."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    arange = np.arange(len(targets))
    loss = float(-log_probs[arange, targets][trained].sum())
    d_logits = np.exp(log_probs)
    d_logits[arange, targets] -= 1.0
    d_logits[~trained] = 0.0
    d_logits /= max(int(trained.sum()), 1)
    return loss, d_logits, np.exp(log_probs[arange, targets])


def margin_and_runner_up(
    logits: np.ndarray, targets: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per row: logit of the target class minus the largest other logit, and the
    class of that largest other logit (the runner-up)."""
    arange = np.arange(len(targets))
    others = logits.copy()
    others[arange, targets] = -np.inf
    second = others.argmax(axis=1)
    return logits[arange, targets] - logits[arange, second], second
