import random

import numpy as np
import pytest
import spacy
from spacy.training import Example
from spacy.util import minibatch

from spacy_dynclean.errors import DynCleanError
from spacy_dynclean.io.labels import FAKE_LABEL
from spacy_dynclean.io.tags import biluo_tags


def _train(docs, epochs=20, config=None, seed=0):
    nlp = spacy.blank("en")
    component = nlp.add_pipe(
        "dynclean", config={"n_folds": 1, "threshold_samples": False, **(config or {})}
    )
    examples = [Example(nlp.make_doc(doc.text), doc) for doc in docs]
    optimizer = nlp.initialize(lambda: examples)
    rng = random.Random(seed)
    losses = []
    for _ in range(epochs):
        rng.shuffle(examples)
        epoch_losses = {}
        for batch in minibatch(examples, 4):
            nlp.update(batch, sgd=optimizer, losses=epoch_losses)
        losses.append(epoch_losses["dynclean"])
    return nlp, component, losses


def test_loss_is_summed_softmax_cross_entropy(tiny_docs):
    """The loss is summed over the samples (spaCy's ner scale); the gradient is the mean's."""
    nlp, component, _ = _train(tiny_docs[:2], epochs=0)
    logits = [
        component.model.ops.asarray2f(
            np.array(
                [[1.0, 2.0] + [0.0] * (len(component.classes) - 2)] * len(doc),
                dtype="f",
            )
        )
        for doc in tiny_docs[:2]
    ]
    examples = [Example(nlp.make_doc(doc.text), doc) for doc in tiny_docs[:2]]
    loss, d_scores = component.get_loss(examples, logits)
    row = np.array([1.0, 2.0] + [0.0] * (len(component.classes) - 2))
    probs = np.exp(row) / np.exp(row).sum()
    tags = [
        component.classes.index(t) for doc in tiny_docs[:2] for t in biluo_tags(doc)
    ]
    assert loss == pytest.approx(-np.sum(np.log(probs[tags])), rel=1e-5)
    expected_first = probs.copy()
    expected_first[tags[0]] -= 1
    np.testing.assert_allclose(d_scores[0][0], expected_first / len(tags), rtol=1e-5)


def test_overfits_tiny_corpus(tiny_docs):
    nlp, component, losses = _train(tiny_docs, epochs=30)
    assert losses[-1] < losses[0] / 10
    doc = nlp.make_doc("Alice lives in Paris")
    predicted = [
        component.classes[i] for i in component.predict([doc])[0].argmax(axis=1)
    ]
    assert predicted == ["U-PER", "O", "O", "U-LOC"]
    # every sample ends with a clearly positive margin
    assert np.all(component.records.margins[:, -1] > 1.0)


def test_records_one_row_per_token_per_epoch(tiny_docs):
    _, component, _ = _train(tiny_docs, epochs=4)
    records = component.records
    assert records.margins.shape == (sum(len(d) for d in tiny_docs), 4)
    assert records.epoch_counts() == [records.n_samples] * 4
    assert not np.isnan(records.margins).any()


def test_ids_stable_across_shuffled_epochs(tiny_docs):
    """Rows belong to (doc id, token), whatever order the docs come in."""
    _, first, _ = _train(tiny_docs, epochs=3, seed=1)
    _, second, _ = _train(list(reversed(tiny_docs)), epochs=3, seed=2)

    def by_key(component):
        records = component.records
        ids = records.meta["doc_ids"]
        return {
            (ids[d], int(s)): records.meta["labels"][label]
            for d, s, label in zip(
                records.keys["doc"], records.keys["start"], records.keys["label"]
            )
        }

    assert by_key(first) == by_key(second)
    # the label recorded for a token is its own tag
    doc = tiny_docs[1]
    keys = by_key(first)
    assert [
        keys[(doc.user_data["dynclean_id"], i)] for i in range(len(doc))
    ] == biluo_tags(doc)


def test_missing_tokens_not_recorded(tiny_docs):
    doc = tiny_docs[0]
    doc.set_ents(list(doc.ents), missing=[doc[1:3]], default="unmodified")
    assert biluo_tags(doc) == ["U-PER", "-", "-", "U-LOC"]
    _, component, _ = _train(tiny_docs, epochs=2)
    records = component.records
    doc_index = records.meta["doc_ids"].index(doc.user_data["dynclean_id"])
    starts = records.keys["start"][records.keys["doc"] == doc_index].tolist()
    assert starts == [0, 3]
    assert records.n_samples == sum(len(d) for d in tiny_docs) - 2


@pytest.mark.parametrize(
    "fake_negatives", ["hidden_entity", "hidden_form", "random_type"]
)
def test_threshold_samples_relabel_inside_component(tiny_docs, fake_negatives):
    nlp = spacy.blank("en")
    component = nlp.add_pipe(
        "dynclean", config={"n_folds": 1, "seed": 3, "fake_negatives": fake_negatives}
    )
    examples = [Example(nlp.make_doc(doc.text), doc) for doc in tiny_docs]
    nlp.initialize(lambda: examples)
    keys, labels = component.records.keys, component.records.meta["labels"]
    fake_pos = keys["threshold"] == 1
    fake_neg = keys["threshold"] == 2
    assert fake_pos.any() and fake_neg.any()
    assert all(labels[label].endswith(FAKE_LABEL) for label in keys["label"][fake_pos])
    fake_neg_pairs = [
        (labels[o], labels[label])
        for o, label in zip(keys["original"][fake_neg], keys["label"][fake_neg])
    ]
    if fake_negatives == "random_type":  # a non-entity given a real type
        assert all(
            o == "O" and t.startswith("U-") and not t.endswith(FAKE_LABEL)
            for o, t in fake_neg_pairs
        )
    else:  # an entity hidden as O
        assert all(o != "O" and t == "O" for o, t in fake_neg_pairs)
    # one-run mode judges everything but the threshold samples; the docs are unchanged
    assert np.array_equal(keys["judged"] == 1, keys["threshold"] == 0)
    assert all(
        not ent.label_.endswith(FAKE_LABEL) for doc in tiny_docs for ent in doc.ents
    )


def test_two_folds_judge_each_sample_once(tiny_docs):
    judged = []
    for fold in (0, 1):
        nlp = spacy.blank("en")
        component = nlp.add_pipe("dynclean", config={"fold": fold, "n_folds": 2})
        nlp.initialize(lambda: [Example(nlp.make_doc(d.text), d) for d in tiny_docs])
        keys = component.records.keys
        assert not np.any((keys["judged"] == 1) & (keys["threshold"] > 0))
        judged.append(keys["judged"])
    assert np.array_equal(judged[0] + judged[1], np.ones_like(judged[0]))


def test_to_from_disk_round_trip(tmp_path, tiny_docs):
    nlp, component, _ = _train(tiny_docs, epochs=3)
    nlp.to_disk(tmp_path / "pipeline")
    loaded = spacy.load(tmp_path / "pipeline")
    other = loaded.get_pipe("dynclean")
    assert other.classes == component.classes
    np.testing.assert_array_equal(other.records.margins, component.records.margins)
    doc = nlp.make_doc("Bob lives in Rome")
    np.testing.assert_allclose(
        other.predict([doc])[0], component.predict([doc])[0], rtol=1e-5
    )
    # inference is untouched: the component sets nothing
    assert loaded("Bob lives in Rome").ents == ()


def test_update_validates_examples_and_sets_dropout(tiny_docs):
    nlp, component, _ = _train(tiny_docs, epochs=0)
    with pytest.raises(TypeError, match="DynClean.update"):
        component.update([nlp.make_doc("Bob lives in Rome")])
    examples = [Example(nlp.make_doc(doc.text), doc) for doc in tiny_docs[:2]]
    nlp.update(examples, drop=0.3)
    rates = [
        node.attrs["dropout_rate"]
        for node in component.model.walk()
        if "dropout_rate" in node.attrs
    ]
    assert rates and all(rate == 0.3 for rate in rates)


def test_epoch_mode_needs_epoch_signal(tiny_docs):
    with pytest.raises(DynCleanError, match="end_epochs"):
        _train(tiny_docs, epochs=2, config={"record": "epoch"})


def test_epoch_mode_records_after_each_epoch(tiny_docs):
    from spacy_dynclean.dynamics.loop import end_epoch

    nlp = spacy.blank("en")
    component = nlp.add_pipe(
        "dynclean", config={"n_folds": 1, "threshold_samples": False, "record": "epoch"}
    )
    examples = [Example(nlp.make_doc(doc.text), doc) for doc in tiny_docs]
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(3):
        for batch in minibatch(examples, 4):
            nlp.update(batch, sgd=optimizer)
        end_epoch(nlp)
    margins = component.records.margins
    assert margins.shape == (sum(len(d) for d in tiny_docs), 3)
    # a no-dropout pass: identical docs get identical margins
    first = [
        i
        for i, d in enumerate(component.records.meta["doc_ids"])
        if d in ("tiny:1", "tiny:5")
    ]
    rows = [np.flatnonzero(component.records.keys["doc"] == i) for i in first]
    np.testing.assert_allclose(margins[rows[0]], margins[rows[1]], rtol=1e-5)


def test_end_epochs_callback_ends_epochs(tiny_docs):
    """The registered before_update callback (plain `spacy train`) closes an epoch
    whenever spaCy's epoch counter moves on."""
    from spacy.util import registry

    nlp = spacy.blank("en")
    component = nlp.add_pipe(
        "dynclean", config={"n_folds": 1, "threshold_samples": False, "record": "epoch"}
    )
    nlp.initialize(lambda: [Example(nlp.make_doc(doc.text), doc) for doc in tiny_docs])
    before_update = registry.callbacks.get("spacy-dynclean.end_epochs.v1")()
    for epoch in (0, 0, 1, 3):
        before_update(nlp, {"epoch": epoch, "step": 0})
    assert component.records.n_epochs == 3


def test_duplicate_ids_refused(tiny_docs):
    tiny_docs[1].user_data["dynclean_id"] = tiny_docs[0].user_data["dynclean_id"]
    with pytest.raises(DynCleanError, match="share the sample id"):
        _train(tiny_docs, epochs=1)


def test_misaligned_tokens_are_not_recorded(tiny_docs):
    """A reference token split by the tokenizer has no one-to-one partner: not recorded."""
    from tests.conftest import make_doc

    nlp = spacy.blank("en")
    doc = make_doc(
        nlp,
        ["Dana", "doesn't", "like", "Oslo"],
        [(0, 1, "PER"), (3, 4, "LOC")],
        "odd:1",
    )
    nlp_, component, _ = _train(tiny_docs + [doc], epochs=1)
    records = component.records
    index = records.meta["doc_ids"].index("odd:1")
    rows = np.flatnonzero(records.keys["doc"] == index)
    recorded = ~np.isnan(records.margins[rows, 0])
    assert records.keys["start"][rows][recorded].tolist() == [0, 2, 3]


def test_interrupted_epoch_is_incomplete(tmp_path, tiny_docs):
    import srsly

    nlp, component, _ = _train(tiny_docs, epochs=2)
    examples = [Example(nlp.make_doc(doc.text), doc) for doc in tiny_docs[:3]]
    nlp.update(examples, sgd=nlp.create_optimizer())  # a third epoch, cut short
    component.records.to_disk(tmp_path / "records")
    meta = srsly.read_json(tmp_path / "records" / "meta.json")
    assert meta["complete_epochs"] == 2
    assert meta["docs_per_epoch"] == [len(tiny_docs), len(tiny_docs), 3]
