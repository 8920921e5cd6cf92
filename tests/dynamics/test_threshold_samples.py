"""Choosing threshold samples: counts, folds, and the hidden-form fake negatives."""
import numpy as np
import pytest

from spacy_dynclean.dynamics.threshold_samples import assign_folds, select_threshold_samples


def _entities(n_forms=40, seed=0):
    """Entities with repeated forms; returns types, forms, in_fold."""
    rng = np.random.default_rng(seed)
    forms = rng.integers(0, n_forms, size=300)
    types = forms % 3
    in_fold = rng.random(300) < 0.5
    return types, forms, in_fold


def test_hidden_form_hides_every_occurrence_of_forms_only_in_the_fold():
    types, forms, in_fold = _entities(n_forms=400)
    chosen = select_threshold_samples(types, in_fold, np.zeros(0, bool), 3, seed=1,
                                      fake_negatives="hidden_form", entity_forms=forms)
    hidden = chosen.fake_neg
    assert len(hidden) > 0
    assert in_fold[hidden].all()
    hidden_forms = set(forms[hidden].tolist())
    # every entity occurrence of a hidden form is hidden, and none of them occurs outside the fold
    assert set(np.flatnonzero(np.isin(forms, list(hidden_forms))).tolist()) == set(hidden.tolist())
    assert not hidden_forms & set(forms[~in_fold].tolist())
    assert not hidden_forms & set(forms[chosen.fake_pos].tolist())
    assert len(hidden) <= (in_fold.sum() - len(chosen.fake_pos)) // 2


def test_hidden_form_is_seeded():
    types, forms, in_fold = _entities(n_forms=400)
    runs = [select_threshold_samples(types, in_fold, np.zeros(0, bool), 3, seed=s, fake_negatives="hidden_form",
                                     entity_forms=forms).fake_neg for s in (5, 5, 6)]
    assert np.array_equal(runs[0], runs[1])
    assert not np.array_equal(runs[0], runs[2])


def test_hidden_form_needs_the_forms():
    types, _, in_fold = _entities()
    with pytest.raises(ValueError):
        select_threshold_samples(types, in_fold, np.zeros(0, bool), 3, seed=0, fake_negatives="hidden_form")


def test_folds_are_balanced_and_order_free():
    ids = [f"d:{i}" for i in range(101)]
    folds = assign_folds(ids, 2, seed=0)
    assert abs(int((folds == 0).sum()) - int((folds == 1).sum())) <= 1
    shuffled = list(reversed(ids))
    assert dict(zip(shuffled, assign_folds(shuffled, 2, seed=0).tolist())) == dict(zip(ids, folds.tolist()))


@pytest.mark.parametrize("share", [1.0, 0.5, 0.1])
def test_share_scales_the_number_of_threshold_samples(share):
    types, _, in_fold = _entities()
    chosen = select_threshold_samples(types, in_fold, np.zeros(0, bool), 3, seed=0, share=share)
    wanted = round(share * len(types) / 3)
    assert abs(len(chosen.fake_pos) - wanted) <= 3  # stratified by type: rounding per type
    assert len(chosen.fake_neg) == min(wanted, (int(in_fold.sum()) - len(chosen.fake_pos)) // 2)


@pytest.mark.parametrize("setting", [{"threshold_share": 0.0}, {"threshold_share": 1.5},
                                     {"negative_sampling": 1.0}, {"fold": 2}])
def test_bad_component_settings_are_refused(setting):
    import spacy

    from spacy_dynclean.errors import DynCleanError

    with pytest.raises(DynCleanError, match=next(iter(setting))):
        spacy.blank("en").add_pipe("dynclean", config=setting)
