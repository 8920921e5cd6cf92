import srsly
from typer.testing import CliRunner

import spacy_dynclean.cli.score  # noqa: F401  (registers the command)
from spacy_dynclean.cli._util import app
from spacy_dynclean.errors import DataError

from .records_helpers import run_samples, sample, threshold_samples, write_records

runner = CliRunner()


def test_score_command(records_factory, tmp_path):
    run0 = records_factory(
        run_samples(0, [0.5] * 5, [-1.0] * 5, {0: [1, 1, 1], 1: [0.1, 0.1, -4]}), fold=0
    )
    run1 = records_factory(
        run_samples(1, [0.5] * 5, [-1.0] * 5, {0: [1, 1, 1], 1: [1, 1, 1]}), fold=1
    )
    out = tmp_path / "scores"
    result = runner.invoke(
        app,
        [
            "score",
            str(run0),
            str(run1),
            str(out),
            "--p-neg",
            "50",
            "--entity-agg",
            "min",
            "--epochs",
            "2",
            "--per-type",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "t_pos" in result.output and "Flagged" in result.output
    thresholds = srsly.read_json(out / "thresholds.json")
    assert (
        thresholds["p_neg"],
        thresholds["entity_agg"],
        thresholds["epochs"],
        thresholds["per_type"],
    ) == (50.0, "min", 2, True)
    assert len(thresholds["runs"]) == 2


def test_score_command_refuses_runs_without_threshold_samples(
    records_factory, tmp_path
):
    run = records_factory([sample(0, 0, "U-PER", [1, 1]), sample(0, 1, "O", [1, 1])])
    result = runner.invoke(app, ["score", str(run), str(tmp_path / "out")])
    assert result.exit_code != 0
    assert isinstance(result.exception, DataError) and "threshold samples" in str(
        result.exception
    )
    assert not (tmp_path / "out").exists()


def test_score_command_warns_on_partial_epoch(records_factory, tmp_path):
    rows = threshold_samples(0, [0.5], [-1.0], epochs=3)
    rows[0]["margins"][2] = float("nan")
    result = runner.invoke(
        app, ["score", str(records_factory(rows)), str(tmp_path / "out")]
    )
    assert result.exit_code == 0, result.output
    assert "partial" in result.output


def test_the_run_table_names_each_run_by_its_folder(records_factory, tmp_path):
    """Issue 27, item 6: two runs' records folders both end in `records`."""
    samples = run_samples(0, [0.5] * 5, [-1.0] * 5, {0: [1, 1, 1], 1: [1, 1, 1]})
    runs = []
    for fold in (0, 1):
        folder = tmp_path / f"run{fold}" / "model-last" / "dynclean" / "records"
        runs.append(write_records(folder, samples, fold=fold))
    args = ["score", *map(str, runs), str(tmp_path / "scores")]
    result = runner.invoke(app, args, terminal_width=300)
    assert result.exit_code == 0, result.output
    for run in runs:
        assert str(run) in result.output
