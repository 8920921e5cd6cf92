"""No gold label of train-gs or test leaks into cleaning or model selection.

The cleaning stages of `dynclean benchmark` (every recipe but the oracles, gold and
the simulated review, which are built from train-gs on purpose) must write
byte-identical cleaned data and audits when train-gs and test are replaced by
scrambled files; and every model is trained and selected on dev, never on test."""

import json
import random
from dataclasses import replace
from pathlib import Path

import pytest

from spacy_dynclean import benchmark
from spacy_dynclean.benchmark import BenchmarkSettings, convert, split_dev
from spacy_dynclean.cleaning.recipes import recipe_names
from tests.conftest import ROOT

N_TRAIN, N_DEV, N_TEST = 300, 120, 60
SETTINGS = dict(
    variants=[
        "dynclean",
        "cleaned",
        "cleaned_split",
        "cleaned_added",
        "cleaned_added_split",
        "cleaned_added_whole_split",
        "repaired",
    ],
    cleaning_overrides={"rules.aum_flags.repair_max_aum": 100.0},
    dynamics_overrides={"training.max_epochs": 2},
)


def scrambled(records: list[dict], seed: int) -> list[dict]:
    """The same sentences with entities of random place and type (the words stay, so
    train-gs still passes as the distant data's gold twin)."""
    rng = random.Random(seed)
    labels = sorted({e[2] for r in records for e in r["entities"]})
    out = []
    for record in records:
        n = len(record["tokens"])
        starts = sorted(rng.sample(range(n), k=min(n, rng.randint(0, 3))))
        ents = [[s, s, rng.choice(labels)] for s in starts]
        out.append({"tokens": record["tokens"], "entities": ents})
    return out


def dataset(folder: Path, scramble: bool) -> Path:
    """A small DS-NER folder from assets/default; train-gs and test scrambled or not."""
    source = ROOT / "assets" / "default"
    sizes = {"train-ds": N_TRAIN, "train-gs": N_TRAIN, "dev": N_DEV, "test": N_TEST}
    folder.mkdir(parents=True)
    for name, size in sizes.items():
        records = json.loads((source / f"{name}.json").read_text(encoding="utf8"))
        records = records[:size]
        if scramble and name in ("train-gs", "test"):
            records = scrambled(records, seed=len(name))
        (folder / f"{name}.json").write_text(json.dumps(records), encoding="utf8")
    return folder


def cleaned_outputs(tmp_path: Path, scramble: bool) -> dict[str, bytes]:
    """The cleaning stages' cleaned DocBins and audits, by file name."""
    run = tmp_path / ("scrambled" if scramble else "real")
    splits = convert(dataset(tmp_path / f"data-{run.name}", scramble), run / "corpus")
    splits.update(split_dev(splits["dev"], run / "corpus"))
    settings = BenchmarkSettings(**SETTINGS)
    benchmark._cleaning_stages(splits, run, settings, benchmark._Timer(), {})
    files = [*(run / "corpus").glob("train-*.spacy"), *run.glob("scores/audit-*")]
    files = [path for path in files if not path.name.startswith("train-gs")]
    return {path.name: path.read_bytes() for path in sorted(files)}


def test_cleaning_never_reads_gold_train_or_test(tmp_path):
    real = cleaned_outputs(tmp_path, scramble=False)
    variants = ("dynclean", "cleaned", "cleaned_added", "repaired")
    assert {f"train-{v}.spacy" for v in variants} <= set(real)
    assert {"audit-cleaned.jsonl", "audit-cleaned_split.jsonl"} <= set(real)
    scrambled_ = cleaned_outputs(tmp_path, scramble=True)
    assert real.keys() == scrambled_.keys()
    differ = [name for name in real if real[name] != scrambled_[name]]
    assert not differ, f"gold train or test labels changed {differ}"


@pytest.mark.parametrize("variant", [*benchmark.BASELINES, *recipe_names()])
def test_models_are_selected_on_dev_never_on_test(variant, tmp_path, monkeypatch):
    """train_variant hands the trainer the dev set (its selection half for
    the split variants) and test only to the evaluation."""
    calls = []

    def train_pipeline(config, train, dev, output_dir, **kwargs):
        calls.append((train, dev, kwargs))
        return output_dir / "model-best"

    monkeypatch.setattr(benchmark, "train_pipeline", train_pipeline)
    monkeypatch.setattr(
        benchmark, "evaluate_pipeline", lambda model, test, use_gpu: {"f": 0.0}
    )
    monkeypatch.setattr(benchmark, "dev_scores", lambda model: {})
    names = ("train-ds", "train-gs", "dev", "dev-select", "dev-evidence", "test")
    splits = {name: tmp_path / f"{name}.spacy" for name in names}
    train_sets = {variant: tmp_path / f"train-{variant}.spacy"}
    benchmark.train_variant(variant, train_sets, splits, tmp_path, BenchmarkSettings())
    ((_, dev, kwargs),) = calls
    expected = "dev-select" if variant in benchmark.SPLIT_RECIPES else "dev"
    assert dev == splits[expected]
    assert splits["test"] not in kwargs.values()


def test_a_finished_run_resumes_at_the_cleaning_stage(tmp_path, monkeypatch):
    """Another recipe on a finished run: its dynamics and scores are reused, only the
    new variant is cleaned, the earlier figures stay."""
    run = tmp_path / "run"
    splits = convert(dataset(tmp_path / "data", scramble=False), run / "corpus")
    first = BenchmarkSettings(
        variants=["dynclean"], dynamics_overrides={"training.max_epochs": 2}
    )
    metrics: dict = {}
    benchmark._cleaning_stages(splits, run, first, benchmark._Timer(), metrics)
    scores = (run / "scores" / "scores.jsonl").read_bytes()

    def no_dynamics(*args, **kwargs):
        raise AssertionError("the dynamics ran again")

    monkeypatch.setattr(benchmark, "dynamics", no_dynamics)
    again = BenchmarkSettings(
        variants=["dynclean", "dynclean_paper"],
        dynamics_overrides={"training.max_epochs": 2},
    )
    before = metrics["cleaning"]["dynclean"]
    benchmark._cleaning_stages(splits, run, again, benchmark._Timer(), metrics)
    assert list(metrics["cleaning"]) == ["dynclean", "dynclean_paper"]
    assert metrics["cleaning"]["dynclean"] == before
    assert (run / "corpus" / "train-dynclean_paper.spacy").exists()
    assert (run / "scores" / "scores.jsonl").read_bytes() == scores


def test_a_finished_run_with_other_settings_is_refused(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    settings = BenchmarkSettings(seed=1)
    (run / "metrics.json").write_text(
        json.dumps({"provenance": benchmark.provenance(BenchmarkSettings(seed=0))})
    )
    with pytest.raises(benchmark.DataError, match="other settings .seed"):
        benchmark.finished_run(run, settings)
    assert benchmark.finished_run(tmp_path / "new", settings) is None
    # a run from before an options field existed resumes (the field has its default)
    old = benchmark.provenance(settings)
    del old["settings"]["entry_options"]["longer_names"]
    (run / "metrics.json").write_text(json.dumps({"provenance": old}))
    assert benchmark.finished_run(run, settings) == {"provenance": old}
    # a new simulated review would need the `cleaned` table judged before
    done = {"provenance": old, "cleaning": {"cleaned": {}, "reviewed-5": {}}}
    (run / "metrics.json").write_text(json.dumps(done))
    assert benchmark.finished_run(run, replace(settings, review_budgets=[5])) == done
    with pytest.raises(benchmark.DataError, match="reviewed-9 starts from"):
        benchmark.finished_run(run, replace(settings, review_budgets=[5, 9]))
