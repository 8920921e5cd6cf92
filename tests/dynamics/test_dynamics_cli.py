"""`dynclean dynamics`: a real run writes loadable records; bad calls get one clear message."""

import subprocess
import sys

import numpy as np
import srsly

from tests.conftest import ROOT

CNN = ROOT / "spacy_dynclean" / "configs" / "dynamics_cnn.cfg"


def run(*args):
    return subprocess.run(
        [sys.executable, "-m", "spacy_dynclean", "dynamics", *map(str, args)],
        capture_output=True,
        text=True,
    )


def test_dynamics_writes_records(tmp_path, tiny_docbin, tiny_docs):
    result = run(
        CNN, tmp_path / "out", "--paths.train", tiny_docbin, "--training.max_epochs", 2
    )
    assert result.returncode == 0, result.stderr
    margins = np.load(tmp_path / "out" / "margins.npy")
    meta = srsly.read_json(tmp_path / "out" / "meta.json")
    assert margins.dtype == np.float32 and margins.shape == (
        sum(len(d) for d in tiny_docs),
        2,
    )
    assert (
        meta["complete_epochs"] == 2 and meta["head"] == "token" and meta["fold"] == 0
    )


def test_same_seed_same_records(tmp_path, tiny_docbin):
    for name in ("a", "b"):
        assert (
            run(
                CNN,
                tmp_path / name,
                "--paths.train",
                tiny_docbin,
                "--training.max_epochs",
                2,
            ).returncode
            == 0
        )
    for name in ("margins.npy", "samples.npz"):
        assert (tmp_path / "a" / name).read_bytes() == (
            tmp_path / "b" / name
        ).read_bytes()


def test_missing_train_path(tmp_path):
    result = run(CNN, tmp_path / "out")
    assert result.returncode == 1 and "paths.train is not set" in result.stdout
    assert "Traceback" not in result.stderr and not (tmp_path / "out").exists()


def test_config_without_dynclean(tmp_path, tiny_docbin):
    result = run(
        ROOT / "spacy_dynclean" / "configs" / "ner_cnn.cfg",
        tmp_path / "out",
        "--paths.train",
        tiny_docbin,
        "--paths.dev",
        tiny_docbin,
    )
    assert result.returncode == 1 and "no `dynclean` component" in result.stdout
    assert "Traceback" not in result.stderr


def test_bad_component_setting(tmp_path, tiny_docbin):
    result = run(
        CNN,
        tmp_path / "out",
        "--paths.train",
        tiny_docbin,
        "--components.dynclean.fake_negatives",
        "bogus",
    )
    assert result.returncode == 1 and "fake_negatives must be one of" in result.stdout


def test_killed_run_leaves_its_complete_epochs(tmp_path, tiny_docbin, tiny_docs):
    """Records are written after every epoch: a run killed mid-training leaves the
    epochs it completed, and `score` uses them."""
    import os
    import signal
    import time

    out = tmp_path / "out"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "spacy_dynclean",
            "dynamics",
            str(CNN),
            str(out),
            "--paths.train",
            str(tiny_docbin),
            "--training.max_epochs",
            "100000",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.time() + 600  # generous: a loaded machine starts slowly
        while time.time() < deadline:
            if (out / "meta.json").exists() and srsly.read_json(out / "meta.json")[
                "complete_epochs"
            ] >= 3:
                break
            time.sleep(0.2)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait()
    meta = srsly.read_json(out / "meta.json")
    assert meta["complete_epochs"] >= 3 and meta["n_epochs"] == meta["complete_epochs"]
    assert len(meta["epoch_counts"]) == meta["n_epochs"]
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "spacy_dynclean",
            "score",
            str(out),
            str(tmp_path / "scores"),
            "--epochs",
            "3",
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "scores" / "scores.jsonl").exists()
