"""Choosing the recipe on dev: cross-fitting, the paired bootstrap, the decision."""

import numpy as np
import pytest
import spacy
import srsly

from spacy_dynclean.configs import config_path
from spacy_dynclean.errors import DataError
from spacy_dynclean.io.docbin import iter_docbin_as_stored
from spacy_dynclean.io.ids import sample_key
from spacy_dynclean.training.selection import (
    SELECTION_FILE,
    Candidate,
    SelectionSettings,
    _compare,
    choose,
    doc_counts,
    f_score,
    read_selection,
    select_recipe,
)

from ..cleaning.helpers import make_doc, write_docbin
from ..report import build_inputs


def candidate(name: str, gain: float, low: float) -> Candidate:
    return Candidate(name, 0, 0, 0, gain, low, gain + 1, 0)


def test_choose_the_best_gain_whose_interval_is_above_zero():
    candidates = [
        candidate("raw", 0, 0),
        candidate("dynclean", 6.0, -0.5),  # larger, but not sure
        candidate("cleaned", 3.0, 0.4),
    ]
    assert choose(candidates)[0] == "cleaned"


def test_choose_raw_when_no_gain_is_sure():
    selected, reason = choose([candidate("raw", 0, 0), candidate("cleaned", 4.0, -1)])
    assert selected == "raw"
    assert "cleaned" in reason and "-1.0" in reason


def test_choose_raw_when_raw_scores_best():
    assert choose([candidate("raw", 0, 0), candidate("cleaned", -2.0, -5)]) == (
        "raw",
        "no recipe scored above the raw labels on dev",
    )


def test_f_score_of_summed_counts():
    assert f_score(np.array([2, 1, 1])) == pytest.approx(200 * 2 / 6)
    assert f_score(np.array([0, 0, 0])) == 0.0


def test_paired_bootstrap():
    rng = np.random.default_rng(1)
    raw = rng.integers(0, 4, size=(60, 3))
    better = raw.copy()
    better[:, 0] += 1  # one more true positive in every doc
    better[:, 2] = np.maximum(better[:, 2] - 1, 0)
    settings = SelectionSettings(n_bootstrap=500)
    seconds = dict.fromkeys(["raw", "same", "better"], 1.0)
    rows = {
        c.name: c
        for c in _compare(
            {"raw": raw, "same": raw, "better": better}, settings, seconds
        )
    }
    assert (rows["same"].gain, rows["same"].low, rows["same"].high) == (0, 0, 0)
    assert rows["better"].gain > 0 and rows["better"].low > 0
    assert rows["better"].low <= rows["better"].gain <= rows["better"].high
    assert rows["raw"].f == pytest.approx(float(f_score(raw.sum(axis=0))), abs=0.01)


def test_settings_always_hold_raw_and_refuse_unknowns():
    assert SelectionSettings(candidates=("cleaned",)).candidates == ("raw", "cleaned")
    with pytest.raises(DataError, match="tidy: no such recipe"):
        SelectionSettings(candidates=("raw", "tidy"))
    with pytest.raises(DataError, match="2 or more"):
        SelectionSettings(n_folds=1)
    with pytest.raises(DataError, match="unknown selection setting"):
        SelectionSettings.from_overrides({"selection.folds": 3})
    assert SelectionSettings.from_overrides({"selection.n_folds": 3}).n_folds == 3


def test_doc_counts(tmp_path):
    nlp = spacy.blank("en")
    nlp.add_pipe("entity_ruler").add_patterns([{"label": "PER", "pattern": "Alice"}])
    nlp.to_disk(tmp_path / "model")
    gold = [
        make_doc("Alice met Bob".split(), [(0, 1, "PER"), (2, 3, "PER")], "dev:1"),
        make_doc("Alice is here".split(), [(0, 1, "LOC")], "dev:2"),
    ]
    counts = doc_counts(tmp_path / "model", gold)
    assert counts.tolist() == [[1, 0, 1], [0, 1, 1]]


@pytest.mark.slow
def test_select_recipe_cross_fits_and_never_reads_test(tmp_path):
    """Every dev doc is predicted by models whose evidence and early stopping left
    it out; the decision and the table are in selection.json."""
    inputs = build_inputs(tmp_path)
    dev = write_docbin(
        [
            make_doc(
                d.text.split(), [(e.start, e.end, e.label_) for e in d.ents], f"dev:{i}"
            )
            for i, d in enumerate(inputs.docs * 2)
        ],
        tmp_path / "dev.spacy",
    )
    settings = SelectionSettings(n_bootstrap=200, max_steps=4)
    selection = select_recipe(
        inputs.data,
        dev,
        inputs.scores,
        config_path("ner_cnn"),
        tmp_path / "selection",
        settings,
        overrides={"training.eval_frequency": 2},
    )
    assert selection.selected in settings.candidates
    assert sum(selection.fold_sizes) == selection.n_dev_docs == 8
    written = read_selection(tmp_path / "selection" / SELECTION_FILE)
    names = ["raw", "dynclean", "cleaned", "cleaned_added_whole"]
    assert [c["name"] for c in written["candidates"]] == names
    # no dev string to add here: cleaned_added_whole's data is cleaned's, trained once
    same = {c["name"]: c["f"] for c in written["candidates"]}
    assert same["cleaned_added_whole"] == same["cleaned"]
    assert not (tmp_path / "selection" / "fold0" / "cleaned_added_whole").exists()
    all_dev = {sample_key(d) for d in iter_docbin_as_stored(dev)}
    for k in range(settings.n_folds):
        fold = tmp_path / "selection" / f"fold{k}"
        evidence = {
            sample_key(d) for d in iter_docbin_as_stored(fold / "dev-evidence.spacy")
        }
        assert 0 < len(evidence) < len(all_dev)
        digests = {}  # one model per distinct training set, early-stopped on evidence
        for name in names:
            data = (fold / f"train-{name}.spacy").read_bytes()
            if data not in digests:
                digests[data] = name
                meta = srsly.read_json(fold / name / "model-best" / "meta.json")
                assert meta["performance"]
            else:
                assert not (fold / name).exists()
    evidences = [
        {
            sample_key(d)
            for d in iter_docbin_as_stored(
                tmp_path / "selection" / f"fold{k}" / "dev-evidence.spacy"
            )
        }
        for k in range(settings.n_folds)
    ]
    assert set.union(*[all_dev - e for e in evidences]) == all_dev  # all held out once
    assert not set.intersection(*[all_dev - e for e in evidences])


def test_select_refuses_a_tiny_dev_set(tmp_path):
    inputs = build_inputs(tmp_path)
    dev = write_docbin(inputs.docs[:3], tmp_path / "dev.spacy")
    with pytest.raises(DataError, match="too few"):
        select_recipe(
            inputs.data, dev, inputs.scores, config_path("ner_cnn"), tmp_path / "s"
        )
    assert not (tmp_path / "s").exists()
