"""The generated results table: same-run comparisons of one machine and code only,
and `results-check` failing when a generated number is edited by hand."""

import json
from pathlib import Path

import pytest

from spacy_dynclean import results
from tests.conftest import ROOT

XEON = {"processor": "Intel(R) Xeon(R) Processor", "cpus": 2, "platform": "Linux"}
EPYC = {"processor": "AMD EPYC", "cpus": 2, "platform": "Linux"}


def metrics(seed: int, machine=XEON, commit="abc1234", **f1: float) -> dict:
    """A metrics.json with a provenance block and test F1 per variant."""
    return {
        "dataset": "wikigold",
        "config": "cnn",
        "ner": "cnn",
        "head": "token",
        "seed": seed,
        "provenance": {
            "machine": machine,
            "version": "0.1.0",
            "commit": commit,
            "settings": {"seed": seed, "entity_action": "missing"},
            "seed": seed,
        },
        **{name: {"p": f, "r": f, "f": f, "dev": {"f": f}} for name, f in f1.items()},
        "time_s": {},
    }


def write_json(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf8")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository with result files and README / BENCHMARKS blocks to fill."""
    folder = tmp_path / results.RESULTS_DIR / "issue29"
    write_json(folder / "wg-s0.json", metrics(0, raw=0.371, cleaned=0.424))
    write_json(folder / "wg-s1.json", metrics(1, raw=0.365, cleaned=0.401))
    write_json(folder / "wg-s2.json", metrics(2, raw=0.380, cleaned=0.390))
    # another machine: a row of its own
    write_json(folder / "wg-amd-s0.json", metrics(0, EPYC, raw=0.330, cleaned=0.450))
    # a cleaned run without raw: in no comparison
    write_json(folder / "wg-only-s3.json", metrics(3, cleaned=0.99))
    # not benchmark metrics: skipped
    write_json(folder / "notes.json", {"what": "a probe"})
    write_json(folder / "list.json", [1, 2])
    for name in results.TARGETS:
        text = f"# {name}\n\nintro\n\n{results.START}\n{results.END}\n\nafter\n"
        (tmp_path / name).write_text(text, encoding="utf8")
    return tmp_path


def rows(root: Path) -> list[results.Row]:
    return results.same_run_rows(results.load_runs(root / results.RESULTS_DIR))


def test_check_fails_on_an_edited_number_and_passes_when_regenerated(repo, capsys):
    assert results.main(["check", "--root", str(repo)]) == 1  # never written
    assert results.main(["write", "--root", str(repo)]) == 0
    assert results.main(["check", "--root", str(repo)]) == 0
    readme = repo / "README.md"
    text = readme.read_text(encoding="utf8")
    assert "| wikigold | cnn | 0, 1, 2 | 37.2 ± 0.8 | 40.5 ± 1.7 | – | – | – |" in text
    readme.write_text(text.replace("40.5 ± 1.7", "42.5 ± 1.7"), encoding="utf8")
    capsys.readouterr()
    assert results.main(["check", "--root", str(repo)]) == 1
    error = capsys.readouterr().err
    assert str(readme) in error and "BENCHMARKS.md" not in error
    assert results.main(["write", "--root", str(repo)]) == 0
    assert results.main(["check", "--root", str(repo)]) == 0
    assert readme.read_text(encoding="utf8").endswith("\n\nafter\n")


def test_machines_and_commits_are_never_averaged_together(repo):
    folder = repo / results.RESULTS_DIR / "issue30"
    write_json(
        folder / "wg-s0.json", metrics(0, commit="def5678", raw=0.1, cleaned=0.2)
    )
    found = {
        (row.origin.machine, row.origin.code): [run.seed for run in row.runs]
        for row in rows(repo)
    }
    assert found == {
        ("Intel(R) Xeon(R) Processor", "abc1234"): [0, 1, 2],
        ("Intel(R) Xeon(R) Processor", "def5678"): [0],
        ("AMD EPYC", "abc1234"): [0],
    }


def test_raw_and_variant_come_from_the_same_runs(repo):
    (row,) = [r for r in rows(repo) if r.origin.machine == "AMD EPYC"]
    assert (row.values("raw"), row.values("cleaned")) == ([33.0], [45.0])
    assert all(run.seed != 3 for r in rows(repo) for run in r.runs)  # no raw there


def test_a_reclean_file_joins_its_run_and_one_from_elsewhere_is_refused(repo):
    folder = repo / results.RESULTS_DIR / "issue29"
    write_json(folder / "wg-s0-cleaned_keep.json", {"f": 0.5, "settings": {}})
    write_json(folder / "wg-s1-capall.json", {"f": 0.9, "probe": "patched code"})
    variants = {(r.variant, tuple(run.seed for run in r.runs)) for r in rows(repo)}
    assert ("cleaned_keep", (0,)) in variants
    assert not any(variant == "capall" for variant, _ in variants)
    other = {"f": 0.5, "provenance": metrics(0, EPYC)["provenance"]}
    write_json(folder / "wg-s2-cleaned_keep.json", other)
    with pytest.raises(ValueError, match="different machines or code"):
        rows(repo)


def test_legacy_files_count_only_from_the_current_folders_and_say_so(repo):
    legacy = {k: v for k, v in metrics(0, raw=0.2, cleaned=0.3).items()}
    legacy["machine"] = legacy.pop("provenance")["machine"]
    write_json(repo / results.RESULTS_DIR / "issue14f" / "wg-s0.json", legacy)
    write_json(repo / results.RESULTS_DIR / "issue14" / "wg-s0.json", legacy)
    (row,) = [r for r in rows(repo) if r.origin.code == "legacy"]
    assert results.code_label(row) == "legacy (issue14f)"
    assert results.machine_label(row.origin) == "Intel Xeon, 2 CPUs"


def test_the_repository_blocks_are_as_generated():
    assert results.check(ROOT) == [], "run `spacy project run results`"


def test_the_readme_table_shows_what_select_ships(repo):
    folder = repo / results.RESULTS_DIR / "issue29"
    for seed, selected in enumerate([0.30, 0.42]):
        write_json(
            folder / f"wp-s{seed}.json",
            metrics(seed, commit="f00d", raw=0.3, cleaned=0.25, selected=selected),
        )
    table = "\n".join(results.short_table(rows(repo)))
    assert (
        "| wikigold | cnn | 0, 1 | 30.0 ± 0.0 | 25.0 ± 0.0 | 36.0 ± 8.5 | +6.0 | 0 of 2 |"
        in table
    )


def test_benchmarks_shows_what_selection_chose_and_its_cost(repo):
    data = metrics(0, commit="f00d", raw=0.3, cleaned=0.25, selected=0.3)
    data["selection"] = {
        "selected": "raw",
        "candidates": [
            {"name": "raw", "gain": 0, "low": 0, "high": 0},
            {"name": "cleaned", "gain": -1.5, "low": -4.0, "high": 0.5},
        ],
    }
    data["time_s"] = {"train_raw": 10.0, "selection": 65.0}
    write_json(repo / results.RESULTS_DIR / "issue29" / "wp-s0.json", data)
    table = "\n".join(results.benchmarks_tables(rows(repo)))
    line = "| wikigold | cnn | 0 | cleaned -1.5 [-4.0, +0.5] | raw | 30.0 → 30.0 | 6.5× | f00d |"
    assert line in table


def test_seeds_at_any_depth_do_not_split_a_group(repo):
    folder = repo / results.RESULTS_DIR / "issue29"
    for seed in (0, 1):
        data = metrics(seed, commit="f00d", raw=0.3, cleaned=0.4)
        data["provenance"]["settings"]["selection"] = {"seed": seed, "n_folds": 2}
        write_json(folder / f"wp-s{seed}.json", data)
    groups = {row.origin for row in rows(repo) if row.origin.code == "f00d"}
    assert len(groups) == 1


def test_a_resumed_run_names_the_code_of_its_added_variants(repo):
    """Variants added by resuming a run (`dynclean benchmark` on a finished run) keep
    the run's raw and group, and the row says which code added them."""
    folder = repo / results.RESULTS_DIR / "issue30"
    data = metrics(0, EPYC, raw=0.330, cleaned=0.450, cleaned_taught=0.5)
    block = {
        "provenance": {"commit": "f47047e0123456789"},
        "variants": ["cleaned_taught"],
    }
    data["resumed"] = [block]
    write_json(folder / "wg-amd-s1.json", {**data, "seed": 1})
    found = {row.variant: row for row in rows(repo) if row.origin.machine == "AMD EPYC"}
    assert [run.seed for run in found["cleaned"].runs] == [0, 1]  # one group
    assert results.code_label(found["cleaned"]) == "abc1234"
    taught = found["cleaned_taught"]
    assert results.code_label(taught) == "abc1234 + f47047e01234 (resumed)"
    assert taught.values("cleaned_taught") == [50.0]
