"""Choosing threshold samples: counts, folds, and the hidden-form fake negatives."""

import numpy as np
import pytest

from spacy_dynclean.dynamics.threshold_samples import (
    assign_folds,
    select_threshold_samples,
)


def _entities(n_forms=40, seed=0):
    """Entities with repeated forms; returns types, forms, in_fold."""
    rng = np.random.default_rng(seed)
    forms = rng.integers(0, n_forms, size=300)
    types = forms % 3
    in_fold = rng.random(300) < 0.5
    return types, forms, in_fold


def test_hidden_form_hides_every_occurrence_of_forms_only_in_the_fold():
    types, forms, in_fold = _entities(n_forms=400)
    chosen = select_threshold_samples(
        types,
        in_fold,
        np.zeros(0, bool),
        3,
        seed=1,
        fake_negatives="hidden_form",
        entity_forms=forms,
    )
    hidden = chosen.fake_neg
    assert len(hidden) > 0
    assert in_fold[hidden].all()
    hidden_forms = set(forms[hidden].tolist())
    # every entity occurrence of a hidden form is hidden, and none of them occurs outside the fold
    assert set(np.flatnonzero(np.isin(forms, list(hidden_forms))).tolist()) == set(
        hidden.tolist()
    )
    assert not hidden_forms & set(forms[~in_fold].tolist())
    assert not hidden_forms & set(forms[chosen.fake_pos].tolist())
    assert len(hidden) <= (in_fold.sum() - len(chosen.fake_pos)) // 2


def test_hidden_form_is_seeded():
    types, forms, in_fold = _entities(n_forms=400)
    runs = [
        select_threshold_samples(
            types,
            in_fold,
            np.zeros(0, bool),
            3,
            seed=s,
            fake_negatives="hidden_form",
            entity_forms=forms,
        ).fake_neg
        for s in (5, 5, 6)
    ]
    assert np.array_equal(runs[0], runs[1])
    assert not np.array_equal(runs[0], runs[2])


def test_hidden_form_needs_the_forms():
    types, _, in_fold = _entities()
    with pytest.raises(ValueError):
        select_threshold_samples(
            types, in_fold, np.zeros(0, bool), 3, seed=0, fake_negatives="hidden_form"
        )


def test_folds_are_balanced_and_order_free():
    ids = [f"d:{i}" for i in range(101)]
    folds = assign_folds(ids, 2, seed=0)
    assert abs(int((folds == 0).sum()) - int((folds == 1).sum())) <= 1
    shuffled = list(reversed(ids))
    assert dict(zip(shuffled, assign_folds(shuffled, 2, seed=0).tolist())) == dict(
        zip(ids, folds.tolist())
    )


@pytest.mark.parametrize("share", [1.0, 0.5, 0.1])
def test_share_scales_the_number_of_threshold_samples(share):
    types, _, in_fold = _entities()
    chosen = select_threshold_samples(
        types, in_fold, np.zeros(0, bool), 3, seed=0, share=share
    )
    wanted = round(share * len(types) / 3)
    # stratified by type: rounding per type; at most 2/3 of the fold (135 entities here: 90 with share 1)
    assert abs(len(chosen.fake_pos) - min(wanted, 2 * int(in_fold.sum()) // 3)) <= 3
    assert len(chosen.fake_pos) <= 2 * int(in_fold.sum()) // 3
    assert len(chosen.fake_neg) == min(
        wanted, (int(in_fold.sum()) - len(chosen.fake_pos)) // 2
    )


@pytest.mark.parametrize(
    "setting",
    [
        {"threshold_share": 0.0},
        {"threshold_share": 1.5},
        {"negative_sampling": 1.0},
        {"fold": 2},
    ],
)
def test_bad_component_settings_are_refused(setting):
    import spacy

    from spacy_dynclean.errors import DynCleanError

    with pytest.raises(DynCleanError, match=next(iter(setting))):
        spacy.blank("en").add_pipe("dynclean", config=setting)


# ---- any number of types, any size (issue 12, item 5) ----


def _typed_entities(sizes, seed=0):
    """Entities with `sizes[t]` entities of type t, in random order; half in the fold."""
    rng = np.random.default_rng(seed)
    types = rng.permutation(np.repeat(np.arange(len(sizes)), sizes))
    in_fold = rng.random(len(types)) < 0.5
    return types, in_fold


@pytest.mark.parametrize(
    "sizes",
    [[600], [400, 300], [60] * 10, [300, 40, 200, 150]],
    ids=["1 type", "2 types", "10 types", "4 types"],
)
@pytest.mark.parametrize("fake_negatives", ["hidden_entity", "hidden_form"])
def test_fake_negatives_are_left_for_any_number_of_types(sizes, fake_negatives):
    """The fake positives take at most 2/3 of the fold's entities, so entities are
    left to hide: with 1 or 2 types, #entities / #types was the whole fold."""
    types, in_fold = _typed_entities(sizes)
    forms = np.arange(len(types))  # every entity its own name
    chosen = select_threshold_samples(
        types,
        in_fold,
        np.zeros(0, bool),
        len(sizes),
        seed=0,
        fake_negatives=fake_negatives,
        entity_forms=forms,
    )
    n_fold = int(in_fold.sum())
    assert 0 < len(chosen.fake_pos) <= 2 * n_fold // 3
    assert in_fold[chosen.fake_pos].all() and in_fold[chosen.fake_neg].all()
    assert not set(chosen.fake_pos.tolist()) & set(chosen.fake_neg.tolist())
    # hidden entities: half of what the fake positives leave, at least 1/6 of the fold
    assert len(chosen.fake_neg) == min(
        round(len(types) / len(sizes)), (n_fold - len(chosen.fake_pos)) // 2
    )
    assert len(chosen.fake_neg) >= n_fold // 6 - 1
    # stratified by type: every type gets fake positives in proportion to its size
    per_type = np.bincount(types[chosen.fake_pos], minlength=len(sizes))
    assert (per_type > 0).all()
    expected = np.array(sizes) / sum(sizes) * len(chosen.fake_pos)
    assert np.all(np.abs(per_type - expected) <= np.maximum(2, 0.2 * expected))


def test_cap_leaves_the_paper_counts_when_they_fit():
    """4 types, 2 folds: the paper's n (#entities / #types) is about half of the fold,
    below the cap, so the draw is the one the uncapped rule made."""
    from spacy_dynclean.dynamics.threshold_samples import _cap_counts

    types, in_fold = _typed_entities([300, 40, 200, 150])
    chosen = select_threshold_samples(types, in_fold, np.zeros(0, bool), 4, seed=0)
    assert len(chosen.fake_pos) == sum(
        round(round(690 / 4) * n / 690) for n in (300, 40, 200, 150)
    )
    assert _cap_counts([5, 3, 2], 10) == [5, 3, 2]
    assert _cap_counts([5, 3, 2], 20) == [5, 3, 2]
    assert _cap_counts([6, 3], 6) == [4, 2]
    assert _cap_counts([1, 1, 1], 2) == [
        1,
        1,
        0,
    ]  # largest remainders, ties to the earlier type
    assert sum(_cap_counts([7, 5, 3, 1], 11)) == 11


@pytest.mark.parametrize("tiny", [1, 2])
def test_type_with_one_or_two_entities(tiny):
    """A type with 1-2 entities gets at most that many fake positives (usually none:
    its share of n rounds to 0) and is reported by `small_types`; nothing fails."""
    types, in_fold = _typed_entities([200, 150, tiny])
    in_fold[types == 2] = True  # the tiny type's entities all lie in the fold
    chosen = select_threshold_samples(types, in_fold, np.zeros(0, bool), 3, seed=0)
    assert len(chosen.fake_neg) >= (int(in_fold.sum()) - len(chosen.fake_pos)) // 2 > 0
    assert len(chosen.fake_pos) <= 2 * int(in_fold.sum()) // 3
    assert np.sum(types[chosen.fake_pos] == 2) <= tiny

    from spacy_dynclean.dynamics.threshold_samples import small_types

    small = small_types(types, in_fold, chosen.fake_pos, ["PER", "LOC", "TINY"])
    assert list(small) == ["TINY"]
    assert small["TINY"]["entities"] == small["TINY"]["fold_entities"] == tiny
    assert small["TINY"]["fake_pos"] == np.sum(types[chosen.fake_pos] == 2)


def test_tiny_fold_does_not_fail():
    """Folds with 0, 1 or 2 entities: no crash, the counts never exceed the fold."""
    for n_fold in (0, 1, 2, 3):
        types = np.array([0, 0, 0, 1, 1, 1])
        in_fold = np.zeros(6, bool)
        in_fold[:n_fold] = True
        chosen = select_threshold_samples(types, in_fold, np.zeros(0, bool), 2, seed=0)
        assert len(chosen.fake_pos) + len(chosen.fake_neg) <= n_fold
        assert in_fold[chosen.fake_pos].all() and in_fold[chosen.fake_neg].all()


# ---- end to end: dynamics (both folds) + score on 1-, 2- and 10-type data ----


def _corpus(n_types, n_docs=80, tiny_type=False, seed=0):
    """Docs "<name> met <name> near the lake": names of `n_types` types (type t's
    names end in its own suffix), plus one entity of a rare type if `tiny_type`."""
    import spacy

    from tests.conftest import make_doc

    nlp = spacy.blank("en")
    rng = np.random.default_rng(seed)
    names = [[f"N{t}x{i}" for i in range(6)] for t in range(n_types)]
    docs = []
    for d in range(n_docs):
        t1, t2 = rng.integers(0, n_types, size=2)
        words = [
            str(rng.choice(names[t1])),
            "met",
            str(rng.choice(names[t2])),
            "near",
            "the",
            "lake",
        ]
        ents = [(0, 1, f"T{t1}"), (2, 3, f"T{t2}")]
        if tiny_type and d == 0:
            words[5], ents = "Rarelake", ents + [(5, 6, "RARE")]
        docs.append(make_doc(nlp, words, ents, f"e2e:{d + 1}"))
    return docs


def _dynamics_and_score(tmp_path, docs, epochs=4, per_type=False):
    import spacy
    from spacy.training import Example
    from spacy.util import minibatch

    from spacy_dynclean.dynamics.loop import end_epoch
    from spacy_dynclean.scoring.options import ScoreOptions
    from spacy_dynclean.scoring.scores import score_runs

    runs = []
    for fold in (0, 1):
        nlp = spacy.blank("en")
        component = nlp.add_pipe(
            "dynclean", config={"fold": fold, "n_folds": 2, "seed": 0}
        )
        examples = [Example(nlp.make_doc(doc.text), doc) for doc in docs]
        optimizer = nlp.initialize(lambda: examples)
        for _ in range(epochs):
            for batch in minibatch(examples, 16):
                nlp.update(batch, sgd=optimizer)
            end_epoch(nlp)
        component.records.to_disk(tmp_path / f"fold{fold}")
        runs.append(tmp_path / f"fold{fold}")
    return runs, score_runs(runs, ScoreOptions(per_type=per_type))


@pytest.mark.parametrize("n_types", [1, 2, 10])
def test_dynamics_and_score_on_any_number_of_types(tmp_path, n_types):
    runs, scores = _dynamics_and_score(tmp_path, _corpus(n_types), per_type=True)
    for run in scores.thresholds["runs"]:
        assert run["n_fake_pos"] > 0 and run["n_fake_neg"] > 0, run
        # fake positives take at most 2/3 of the fold and half the rest is hidden:
        # at worst about 4 fake positives per fake negative (the old rule: 77 to 1 with 2 types)
        assert run["n_fake_neg"] >= run["n_fake_pos"] // 5, run
        assert np.isfinite(run["t_pos"]) and np.isfinite(run["t_neg"])
        for side in ("pos", "neg"):
            assert all(
                np.isfinite(cut["threshold"]) for cut in run["per_type"][side].values()
            )
    assert np.isfinite(scores.table["threshold"][scores.table["judged"]]).all()


def test_small_type_is_judged_against_the_global_cut_and_reported(tmp_path):
    """A type with a single entity gets no fake positives: its entity is still judged
    (with the global t_pos, also with --per-type) and `score` says so."""
    from typer.testing import CliRunner

    import spacy_dynclean.cli.score  # noqa: F401  (registers the command)
    from spacy_dynclean.cli._util import app
    from spacy_dynclean.scoring.aum import ENTITY

    runs, scores = _dynamics_and_score(
        tmp_path, _corpus(2, tiny_type=True), per_type=True
    )
    rare = scores.table.labels.index("RARE")
    row = np.flatnonzero(
        (scores.table["kind"] == ENTITY) & (scores.table["label"] == rare)
    )
    assert len(row) == 1 and scores.table["judged"][row[0]]
    judging = scores.thresholds["runs"][int(scores.table["run"][row[0]])]
    assert judging["per_type"]["pos"]["RARE"]["source"].startswith("global")
    assert scores.table["threshold"][row[0]] == pytest.approx(judging["t_pos"])
    assert any("no fake positives for 'RARE'" in note for note in scores.notes)
    result = CliRunner().invoke(
        app, ["score", *map(str, runs), str(tmp_path / "scores"), "--per-type"]
    )
    assert result.exit_code == 0, result.output
    assert "no fake positives for 'RARE'" in " ".join(result.output.split())


def test_sample_keys_without_threshold_samples(tiny_docs):
    """The key table of a run without threshold samples: every sample that is not
    missing, its own label, and (two folds) judged exactly when its doc is outside the fold."""
    from spacy_dynclean.dynamics.samples import TokenSamples
    from spacy_dynclean.dynamics.threshold_samples import sample_keys

    layout = TokenSamples(
        sorted({ent.label_ for doc in tiny_docs for ent in doc.ents}), None
    )
    layout.build(tiny_docs)
    doc_ids = [doc.user_data["dynclean_id"] for doc in tiny_docs]
    keys, small = sample_keys(
        layout,
        doc_ids,
        fold=1,
        n_folds=2,
        seed=0,
        threshold_samples=False,
        fake_negatives="hidden_entity",
        share=1.0,
    )
    assert small == {}
    assert len(keys["doc"]) == sum(len(doc) for doc in tiny_docs)
    assert not keys["threshold"].any() and np.array_equal(
        keys["label"], keys["original"]
    )
    outside = assign_folds(doc_ids, 2, seed=0) != 1
    assert np.array_equal(keys["judged"] == 1, outside[keys["doc"]])
