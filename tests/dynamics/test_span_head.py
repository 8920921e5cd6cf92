import random

import numpy as np
import spacy
from spacy.training import Example
from spacy.util import minibatch

from spacy_dynclean.dynamics.samples import SpanSamples, enumerate_spans, span_position
from tests.conftest import make_doc

TOK2VEC = {
    "@architectures": "spacy.HashEmbedCNN.v2",
    "pretrained_vectors": None,
    "width": 32,
    "depth": 2,
    "embed_size": 500,
    "window_size": 1,
    "maxout_pieces": 3,
    "subword_features": True,
}


def span_config(max_span_length=3, **extra):
    model = {
        "@architectures": "spacy-dynclean.SpanScorer.v1",
        "max_span_length": max_span_length,
        "tok2vec": TOK2VEC,
    }
    return {"n_folds": 1, "threshold_samples": False, "model": model, **extra}


def test_enumerate_spans_at_edges_and_max_length():
    doc, start, end = enumerate_spans(np.array([1, 3, 0]), 2)
    assert list(zip(doc.tolist(), start.tolist(), end.tolist())) == [
        (0, 0, 1),
        (1, 0, 1),
        (1, 1, 2),
        (1, 2, 3),
        (1, 0, 2),
        (1, 1, 3),
    ]
    assert all(e - s <= 2 for s, e in zip(start, end))
    # a doc shorter than max_span_length has no longer spans; positions agree with the order
    _, start, end = enumerate_spans(np.array([5]), 8)
    assert len(start) == 5 + 4 + 3 + 2 + 1
    assert [span_position(5, s, e) for s, e in zip(start, end)] == list(
        range(len(start))
    )


def test_span_targets_entities_missing_and_long_entities():
    nlp = spacy.blank("en")
    doc = make_doc(
        nlp,
        "Ann met the New York Mets team".split(),
        [(0, 1, "PER"), (3, 6, "ORG")],
        "d:1",
    )
    doc.set_ents(list(doc.ents), missing=[doc[6:7]], default="unmodified")
    layout = SpanSamples(["ORG", "PER"], None, max_length=2)
    layout.build([doc])
    label = {
        (int(s), int(e)): layout.labels[t] if t >= 0 else "-"
        for s, e, t in zip(layout.start, layout.end, layout.targets)
    }
    assert label[(0, 1)] == "PER" and label[(1, 2)] == "O" and label[(0, 2)] == "O"
    # the 3-token ORG is longer than max_length: spans touching it are unknown, as are spans touching a missing token
    assert label[(3, 4)] == "-" and label[(2, 4)] == "-" and label[(5, 7)] == "-"
    assert label[(1, 3)] == "O"


def test_span_head_overfits_and_round_trips(tmp_path, tiny_docs):
    nlp = spacy.blank("en")
    component = nlp.add_pipe("dynclean", config=span_config(negative_sampling=0.5))
    examples = [Example(nlp.make_doc(doc.text), doc) for doc in tiny_docs]
    optimizer = nlp.initialize(lambda: examples)
    first_loss = None
    for _ in range(40):
        random.shuffle(examples)
        losses = {}
        for batch in minibatch(examples, 4):
            nlp.update(batch, sgd=optimizer, losses=losses)
        first_loss = first_loss or losses["dynclean"]
    assert losses["dynclean"] < first_loss / 10
    doc = nlp.make_doc("Alice lives in Paris")
    _, start, end = enumerate_spans(np.array([len(doc)]), 3)
    predicted = component.predict([doc])[0].argmax(axis=1)
    found = {
        (int(s), int(e), component.classes[i])
        for s, e, i in zip(start, end, predicted)
        if i
    }
    assert found == {(0, 1, "PER"), (3, 4, "LOC")}
    records = component.records
    assert records.meta["head"] == "span"
    assert records.margins.shape == (
        sum(len(enumerate_spans(np.array([len(d)]), 3)[0]) for d in tiny_docs),
        40,
    )
    nlp.to_disk(tmp_path / "pipeline")
    loaded = spacy.load(tmp_path / "pipeline").get_pipe("dynclean")
    np.testing.assert_allclose(
        loaded.predict([doc])[0], component.predict([doc])[0], rtol=1e-4, atol=1e-5
    )


def test_span_threshold_samples_are_whole_spans(tiny_docs):
    nlp = spacy.blank("en")
    component = nlp.add_pipe(
        "dynclean", config={**span_config(), "threshold_samples": True, "seed": 1}
    )
    nlp.initialize(lambda: [Example(nlp.make_doc(d.text), d) for d in tiny_docs])
    keys, labels = component.records.keys, component.records.meta["labels"]
    fake_pos, fake_neg = keys["threshold"] == 1, keys["threshold"] == 2
    assert fake_pos.any() and fake_neg.any()
    assert {labels[label] for label in keys["label"][fake_pos]} == {"DYNCLEAN_FAKE"}
    assert {labels[label] for label in keys["label"][fake_neg]} == {"O"}
    assert all(labels[o] != "O" for o in keys["original"][fake_pos | fake_neg])
