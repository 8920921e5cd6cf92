"""Same seed and data → the same threshold samples, flags and cleaned data; another seed
draws other threshold samples. End to end through the CLI: dynamics (one-run mode, so one
run per seed) → score → clean, on the tiny corpus.

The cleaned DocBin is byte-identical, not just equal by content: training is seeded, so
the margins, AUMs and flags are the same floats, and a DocBin's bytes depend only on its
docs (its string table is sorted, zlib is deterministic). scores.jsonl and the audit are
byte-identical as well; thresholds.json differs only in the run paths it records."""

from pathlib import Path

import numpy as np
import srsly
from typer.testing import CliRunner

import spacy_dynclean.cli  # noqa: F401  (registers every command)
from spacy_dynclean.cli._util import app

from .conftest import ROOT

CNN = ROOT / "spacy_dynclean" / "configs" / "dynamics_cnn.cfg"
runner = CliRunner()


def run(*args: object) -> None:
    result = runner.invoke(app, [str(arg) for arg in args])
    assert result.exit_code == 0, result.output


def pipeline(tmp_path: Path, data: Path, name: str, seed: int) -> Path:
    out = tmp_path / name
    run(
        "dynamics",
        CNN,
        out / "records",
        "--paths.train",
        data,
        "--training.max_epochs",
        2,
        "--system.seed",
        seed,
        "--components.dynclean.n_folds",
        1,
    )
    run("score", out / "records", out / "scores", "--p-neg", 100)
    run(
        "clean",
        data,
        out / "scores",
        out / "cleaned.spacy",
        "--audit",
        out / "audit.jsonl",
    )
    return out


def test_same_seed_same_flags_and_cleaned_bytes(
    tmp_path: Path, tiny_docbin: Path
) -> None:
    first, second = (
        pipeline(tmp_path, tiny_docbin, name, seed=0) for name in ("a", "b")
    )
    assert any(
        row["flagged"] for row in srsly.read_jsonl(first / "scores" / "scores.jsonl")
    )
    for name in (
        "records/samples.npz",
        "records/margins.npy",
        "scores/scores.jsonl",
        "audit.jsonl",
        "cleaned.spacy",
    ):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    other = pipeline(tmp_path, tiny_docbin, "c", seed=1)
    with (
        np.load(first / "records" / "samples.npz") as a,
        np.load(other / "records" / "samples.npz") as c,
    ):
        drawn = [
            (a["threshold"] > 0) | (a["label"] != a["original"]),
            (c["threshold"] > 0) | (c["label"] != c["original"]),
        ]
        assert drawn[0].any() and drawn[1].any()
        assert not np.array_equal(np.flatnonzero(drawn[0]), np.flatnonzero(drawn[1]))
