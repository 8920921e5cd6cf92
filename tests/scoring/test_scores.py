import numpy as np
import pytest
import srsly

from spacy_dynclean.errors import MismatchError
from spacy_dynclean.scoring.aum import KINDS
from spacy_dynclean.scoring.options import ScoreOptions
from spacy_dynclean.scoring.scores import (
    iter_rows,
    read_scores,
    score_runs,
    write_scores,
)

from .records_helpers import run_samples


def table_rows(scores):
    return {
        (r["doc"], r["start"], r["end"], r["kind"]): r for r in iter_rows(scores.table)
    }


def test_two_runs_with_disjoint_folds(records_factory):
    run0 = records_factory(
        run_samples(
            0,
            [0.1, 0.2, 0.3, 0.4, 0.5],
            [-1.0] * 5,
            {0: [9, 9, 9], 1: [0.45, 0.45, -0.5]},
        ),
        fold=0,
    )
    run1 = records_factory(
        run_samples(
            1,
            [1.0, 2.0, 3.0, 4.0, 5.0],
            [-3.0] * 5,
            {0: [4.0, 4.0, -2.0], 1: [9, 9, 9]},
        ),
        fold=1,
    )
    scores = score_runs([run0, run1], ScoreOptions(p_pos=100.0))
    rows = table_rows(scores)
    # doc 1 is judged by run 0 (t_pos 0.5, t_neg -1), doc 0 by run 1 (t_pos 5, t_neg -3)
    loc1, o1 = rows[(1, 10, 12, "entity")], rows[(1, 12, 13, "non_entity")]
    assert (loc1["run"], loc1["aum"], loc1["threshold"], loc1["flagged"]) == (
        0,
        pytest.approx(0.45),
        pytest.approx(0.5),
        True,
    )
    assert (o1["aum"], o1["threshold"], o1["flagged"]) == (-0.5, -1.0, False)
    loc0, o0 = rows[(0, 10, 12, "entity")], rows[(0, 12, 13, "non_entity")]
    assert (loc0["run"], loc0["aum"], loc0["threshold"], loc0["flagged"]) == (
        1,
        4.0,
        5.0,
        True,
    )
    assert (o0["aum"], o0["threshold"], o0["flagged"]) == (-2.0, -3.0, False)
    # every ordinary item judged once; threshold samples appear as their own, unjudged rows
    kinds = [KINDS[k] for k in scores.table["kind"]]
    assert sorted(set(kinds)) == ["entity", "fake_neg", "fake_pos", "non_entity"]
    ordinary = np.isin(scores.table["kind"], (0, 1))
    assert (
        scores.table["judged"][ordinary].all()
        and (scores.table["n_runs"][ordinary] == 1).all()
    )
    assert (
        not scores.table["judged"][~ordinary].any()
        and not scores.table["flagged"][~ordinary].any()
    )
    assert (
        rows[(0, 0, 1, "fake_pos")]["run"] == 0
        and rows[(0, 0, 1, "entity")]["run"] == 1
    )
    assert [r["t_pos"] for r in scores.thresholds["runs"]] == pytest.approx([0.5, 5.0])


def test_items_judged_by_two_runs_are_averaged(records_factory):
    run_a = records_factory(
        run_samples(0, [0.0] * 5, [-1.0] * 5, {0: [0, 0, 0], 1: [1.0, 1.0, 0.0]}),
        fold=0,
    )
    run_b = records_factory(
        run_samples(0, [2.0] * 5, [-3.0] * 5, {0: [0, 0, 0], 1: [2.0, 2.0, 0.0]}),
        fold=1,
        n_folds=3,
    )
    scores = score_runs([run_a, run_b], ScoreOptions(p_pos=100.0))
    loc = table_rows(scores)[(1, 10, 12, "entity")]
    assert (
        loc["aum"],
        loc["threshold"],
        loc["n_runs"],
        loc["run"],
        loc["flagged"],
    ) == (1.5, 1.0, 2, 0, False)


def test_two_runs_of_the_same_fold_are_refused(records_factory):
    """Issue 27, item 7: `dynclean score fold0 fold0` judged half of the data."""
    samples = run_samples(0, [0.0] * 5, [-1.0] * 5, {0: [0, 0, 0], 1: [1.0, 1.0, 0.0]})
    run_a, run_b = records_factory(samples, fold=0), records_factory(samples, fold=0)
    with pytest.raises(MismatchError, match="runs of the same threshold fold 0") as err:
        score_runs([run_a, run_b])
    assert "--components.dynclean.fold 1" in str(err.value)
    with pytest.raises(MismatchError, match="same threshold fold"):
        score_runs([run_a, run_a])


def test_one_run_mode(records_factory):
    run = records_factory(
        run_samples(
            0, [0.5] * 5, [-1.0] * 5, {0: [0.2, 0.2, 1], 1: [1, 1, 1]}, n_folds=1
        )
    )
    scores = score_runs([run], ScoreOptions(p_pos=100.0))
    rows = table_rows(scores)
    assert (
        rows[(0, 10, 12, "entity")]["flagged"] and rows[(0, 10, 12, "entity")]["judged"]
    )
    fakes = [r for r in rows.values() if r["kind"].startswith("fake")]
    assert len(fakes) == 10 and not any(r["judged"] or r["flagged"] for r in fakes)


@pytest.mark.parametrize(
    "field,value", [("fingerprint", "other"), ("labels", ["O", "U-PER"])]
)
def test_runs_of_other_data_are_refused(records_factory, field, value):
    run0 = records_factory(
        run_samples(0, [0.5] * 5, [-1.0] * 5, {0: [1, 1, 1], 1: [1, 1, 1]})
    )
    rows = run_samples(1, [0.5] * 5, [-1.0] * 5, {0: [1, 1, 1], 1: [1, 1, 1]})
    run1 = (
        records_factory(rows, **{field: value})
        if field != "labels"
        else records_factory(rows)
    )
    if field == "labels":
        meta = srsly.read_json(run1 / "meta.json")
        srsly.write_json(run1 / "meta.json", {**meta, "labels": meta["labels"][:-1]})
    with pytest.raises(MismatchError) as err:
        score_runs([run0, run1], ScoreOptions(p_pos=100.0))
    assert (
        str(run0) in str(err.value)
        and str(run1) in str(err.value)
        and field in str(err.value)
    )


def test_write_and_read_scores(records_factory, tmp_path):
    run0 = records_factory(
        run_samples(0, [0.5] * 5, [-1.0] * 5, {0: [1, 1, 1], 1: [0.1, 0.1, -4]}), fold=0
    )
    run1 = records_factory(
        run_samples(1, [0.5] * 5, [-1.0] * 5, {0: [1, 1, 1], 1: [1, 1, 1]}), fold=1
    )
    scores = score_runs(
        [run0, run1], ScoreOptions(entity_agg="min", per_type=True, p_pos=100.0)
    )
    out = tmp_path / "scores"
    write_scores(scores, out)
    assert sorted(p.name for p in out.iterdir()) == [
        "scores.jsonl",
        "summary.json",
        "thresholds.json",
    ]
    lines = list(srsly.read_jsonl(out / "scores.jsonl"))
    assert len(lines) == len(scores.table)
    assert set(lines[0]) >= {
        "doc_id",
        "doc",
        "start",
        "end",
        "kind",
        "label",
        "aum",
        "threshold",
        "flagged",
        "judged",
        "confidence",
        "variability",
        "correctness",
        "preferred",
        "preferred_share",
        "run",
    }
    thresholds = srsly.read_json(out / "thresholds.json")
    assert thresholds["entity_agg"] == "min" and thresholds["fingerprint"] == "abc123"
    assert thresholds["runs"][0]["per_type"]["pos"]["PER"]["source"] == "type"
    assert thresholds["runs"][0]["n_fake_pos"] == 5
    summary = srsly.read_json(out / "summary.json")
    assert (
        summary["kinds"]["entity"]["flagged"] == 1
        and summary["kinds"]["non_entity"]["flagged"] == 1
    )
    assert summary["kinds"]["entity"]["types"]["LOC"] == {
        "items": 2,
        "judged": 2,
        "flagged": 1,
    }
    back = read_scores(out)
    assert back.table.doc_ids == scores.table.doc_ids and back.table.head == "token"
    for name in (
        "doc",
        "start",
        "end",
        "kind",
        "label",
        "judged",
        "flagged",
        "run",
        "preferred",
    ):
        np.testing.assert_array_equal(back.table[name], scores.table[name])
    np.testing.assert_allclose(back.table["aum"], scores.table["aum"], rtol=1e-6)


def test_mass_flagging_is_warned(tmp_path):
    from spacy_dynclean.scoring.aum import ENTITY, NON_ENTITY, ItemTable
    from spacy_dynclean.scoring.scores import _mass_flag_notes

    columns = {
        "kind": np.array([ENTITY, ENTITY, NON_ENTITY, NON_ENTITY], dtype=np.int8),
        "judged": np.array([True, True, True, True]),
        "flagged": np.array([True, True, False, True]),
    }
    table = ItemTable(columns, ["O", "PER"], ["d:1"], "token", None)
    notes = _mass_flag_notes(table)
    assert len(notes) == 1 and notes[0].startswith(
        "100% of the judged entities are flagged"
    )
