"""What `score` tells a user of the own-config route: folds never run, runs whose real
items score like their threshold samples."""

from spacy_dynclean.scoring.options import ScoreOptions
from spacy_dynclean.scoring.scores import score_runs

from .records_helpers import sample, threshold_samples


def run_samples(threshold_doc, entity_aum=1.0):
    """One run over docs 0 and 1: `threshold_doc` holds its threshold samples (tokens
    0-9: fake entities of AUM 0.5, fake non-entities of AUM -1) and is not judged;
    every doc has a PER entity (token 10, AUM `entity_aum`) and an O token (11, AUM 1)."""
    rows = threshold_samples(threshold_doc, [0.5] * 5, [-1.0] * 5)
    for doc in (0, 1):
        judged = int(doc != threshold_doc)
        rows.append(sample(doc, 10, "U-PER", [entity_aum] * 2, judged=judged))
        rows.append(sample(doc, 11, "O", [1.0, 1.0], judged=judged))
    return rows


def _notes(scores, text):
    return [note for note in scores.notes if text in note]


def test_one_fold_of_two_says_half_the_docs_are_never_judged(records_factory):
    run0 = records_factory(run_samples(0), fold=0)
    notes = _notes(score_runs([run0], ScoreOptions(p_pos=100.0)), "were run")
    assert len(notes) == 1
    assert (
        "only fold(s) [0] of 2" in notes[0]
        and "--components.dynclean.fold 1" in notes[0]
    )


def test_all_folds_run_gives_no_fold_note(records_factory):
    run0 = records_factory(run_samples(0), fold=0)
    run1 = records_factory(run_samples(1), fold=1)
    assert not _notes(score_runs([run0, run1], ScoreOptions(p_pos=100.0)), "were run")


def test_run_whose_entities_score_like_the_fake_ones_is_named(records_factory):
    unlearned = records_factory(run_samples(0, entity_aum=0.5), fold=0)
    learned = records_factory(run_samples(1, entity_aum=1.0), fold=1)
    scores = score_runs([unlearned, learned], ScoreOptions(p_pos=100.0))
    notes = _notes(scores, "score like its fake")
    assert len(notes) == 1
    assert (
        str(unlearned) in notes[0]
        and "entities score like its fake entities (AUROC 0.50" in notes[0]
    )
    assert "max_epochs" in notes[0]
    assert [run["separation"] for run in scores.thresholds["runs"]] == [
        {"entity": 0.5, "non_entity": 1.0},
        {"entity": 1.0, "non_entity": 1.0},
    ]
