"""The current results table, generated from the `dynclean benchmark` metrics.json
files under `benchmarks/results/` and written into the generated blocks of README.md
and BENCHMARKS.md (between `<!-- results:start -->` and `<!-- results:end -->`):

    python -m spacy_dynclean.results write    # spacy project run results
    python -m spacy_dynclean.results check    # spacy project run results-check

Same-run comparisons only: every row pairs `raw` with one variant *of the same runs*
(one metrics.json per run, plus the variants the former `scripts/reclean.py` added to that run
folder), and a row averages only runs of one machine (its processor) and one code
version (the git commit in the file's `provenance` block; files written before it had
one are *legacy*, grouped by machine alone and marked so), and one set of settings.
Numbers from different machines or code are never averaged together: they are rows
of their own, each naming its machine and code.

Which runs are current: every file with a `provenance` block, and the legacy files of
`LEGACY_CURRENT`'s folders (the latest runs of the shipped code before provenance was
recorded); other legacy files are the lab notebook's (benchmarks/history.md). Imports
nothing heavier than the standard library, so the check runs in a second.
"""

import argparse
import fnmatch
import hashlib
import json
import re
import statistics
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RESULTS_DIR = Path("benchmarks") / "results"
START, END = "<!-- results:start -->", "<!-- results:end -->"
SHIPPED = "cleaned"  # the variant that is the shipped recipe
SELECTED = "selected"  # the model `dynclean select` ships
# Legacy folders that hold current runs.
LEGACY_CURRENT = ("issue14d", "issue14e", "issue14f")
# The variants to rename in legacy files (first matching pattern): in issue14d the
# benchmark's own `cleaned` is the capitalisation rule's first version and
# the former scripts/reclean.py's `cleaned_cap2` the rule as shipped; its `*-reclean.json` files
# re-cleaned issue 16 runs, whose `cleaned` had no rule (benchmarks/history.md, issue
# 14 fourth round).
LEGACY_RENAMES: dict[str, dict[str, str]] = {
    "issue14d/*-reclean.json": {
        "cleaned": "cleaned_nocap",
        "cleaned_cap": "cleaned_cap1",
    },
    "issue14d/*": {"cleaned": "cleaned_cap1", "cleaned_cap2": SHIPPED},
}
# legacy files of those folders that are not the shipped code (patched benchmarks)
LEGACY_EXCLUDED = {"issue14e/wg-review-gain-order-s0.json"}
# settings that do not change what a variant trains on
IGNORED_SETTINGS = ("seed", "variants", "review_budgets")


@dataclass(frozen=True)
class Origin:
    """What a run's numbers depend on besides its seed: machine, code, settings."""

    machine: str  # the processor, as recorded
    cpus: int | None
    code: str  # the git commit; "legacy" for files without provenance
    settings: str  # digest of the settings a variant depends on


@dataclass
class Run:
    """One benchmark run: test F1 per variant (reclean variants merged in)."""

    path: Path
    dataset: str
    encoder: str
    seed: int
    origin: Origin
    f1: dict[str, float] = field(default_factory=dict)
    selection: dict[str, Any] | None = None  # the `selected` variant's choice on dev
    seconds: dict[str, float] = field(default_factory=dict)  # per stage
    # variants added later by resuming the run (`dynclean benchmark` on a finished
    # run): the commit that added each
    added: dict[str, str] = field(default_factory=dict)


@dataclass
class Row:
    """One same-run comparison: raw against `variant` over the runs of one origin."""

    dataset: str
    encoder: str
    variant: str
    origin: Origin
    runs: list[Run]

    def values(self, variant: str) -> list[float]:
        return [100 * run.f1[variant] for run in self.runs]


def is_benchmark_metrics(data: Any) -> bool:
    """Whether a parsed JSON file is a `dynclean benchmark` metrics.json."""
    return isinstance(data, dict) and {"dataset", "seed", "config"} <= set(data)


def _variant_f1(data: dict[str, Any]) -> dict[str, float]:
    return {
        name: value["f"]
        for name, value in data.items()
        if isinstance(value, dict) and isinstance(value.get("f"), (int, float))
    }


def _digest(settings: dict[str, Any]) -> str:
    """The settings' digest, seeds (at any depth: the selection's dev folds follow
    the run's seed) and the variant lists left out."""
    text = json.dumps(_without_ignored(settings), sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf8")).hexdigest()[:8]


def _without_ignored(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: _without_ignored(v)
            for k, v in value.items()
            if k not in IGNORED_SETTINGS
        }
    return value


def origin_of(data: dict[str, Any]) -> Origin:
    """The machine, code and settings of a metrics.json: from its `provenance` block,
    or for a legacy file its top-level `machine` and the settings it recorded."""
    provenance = data.get("provenance")
    if isinstance(provenance, dict):
        machine = provenance.get("machine") or {}
        commit = provenance.get("commit")
        code = commit or f"version {provenance.get('version')}, no commit"
        settings = provenance.get("settings") or {}
    else:
        machine = data.get("machine") or {}
        code = "legacy"
        settings = {
            key: data.get(key)
            for key in (
                "head",
                "entity_action",
                "neighbour_action",
                "capitalised",
                "score_options",
                "entry_options",
            )
        }
    return Origin(
        machine=machine.get("processor") or "CPU not recorded",
        cpus=machine.get("cpus"),
        code=code,
        settings=_digest(settings),
    )


def _encoder(data: dict[str, Any]) -> str:
    """The dynamics config family, the production one where it differs, the head
    where it is not the token head."""
    name = data["config"]
    ner = data.get("ner") or name
    if ner != name:
        name = f"{name} → {ner}"
    head = data.get("head", "token")
    return name if head == "token" else f"{name}, {head} head"


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf8"))
    except (OSError, ValueError):
        return None


def _is_current(path: Path, data: dict[str, Any], results_dir: Path) -> bool:
    if "provenance" in data:
        return True
    relative = path.relative_to(results_dir).as_posix()
    return relative.split("/")[0] in LEGACY_CURRENT and relative not in LEGACY_EXCLUDED


def _renames(path: Path, data: dict[str, Any], results_dir: Path) -> dict[str, str]:
    if "provenance" in data:
        return {}
    relative = path.relative_to(results_dir).as_posix()
    for pattern, renames in LEGACY_RENAMES.items():
        if fnmatch.fnmatchcase(relative, pattern):
            return renames
    return {}


def load_runs(results_dir: Path) -> list[Run]:
    """The current runs under `results_dir`, each with the variants of its reclean
    files (`<run stem>-<variant>.json` beside it, not a probe) merged in; files that
    are neither are skipped."""
    files = {path: _read_json(path) for path in sorted(results_dir.rglob("*.json"))}
    runs = {
        path: Run(
            path=path,
            dataset=data["dataset"],
            encoder=_encoder(data),
            seed=data["seed"],
            origin=origin_of(data),
            f1=_variant_f1(data),
            selection=data.get("selection"),
            seconds=data.get("time_s") or {},
            added=_added_later(data),
        )
        for path, data in files.items()
        if is_benchmark_metrics(data) and _is_current(path, data, results_dir)
    }
    for path, data in files.items():
        base = _reclean_base(path, data, runs)
        if base is not None:
            _merge_reclean(runs[base], path, data)
    for path, run in runs.items():
        renames = _renames(path, files[path], results_dir)
        run.f1 = {renames.get(name, name): f for name, f in run.f1.items()}
    return list(runs.values())


def _added_later(data: dict[str, Any]) -> dict[str, str]:
    """The variants a resumed run added later, with the commit of each resume."""
    return {
        variant: (block.get("provenance") or {}).get("commit") or "no commit"
        for block in data.get("resumed") or ()
        for variant in block.get("variants") or ()
    }


def _reclean_base(path: Path, data: Any, runs: dict[Path, Run]) -> Path | None:
    """The run a `scripts/reclean.py` file belongs to, if it is one and not a probe."""
    if not isinstance(data, dict) or "f" not in data or "probe" in data:
        return None
    stem, sep, _ = path.stem.rpartition("-")
    while sep:
        base = path.with_name(f"{stem}.json")
        if base in runs:
            return base
        stem, sep, _ = stem.rpartition("-")
    return None


def _merge_reclean(run: Run, path: Path, data: dict[str, Any]) -> None:
    """Add a reclean file's variant to its run; one that records another machine or
    commit than the run is refused."""
    if "provenance" in data:
        other = origin_of(data)
        if (other.machine, other.code) != (run.origin.machine, run.origin.code):
            raise ValueError(
                f"{path}: recorded on {other.machine} at {other.code}, its run "
                f"{run.path} on {run.origin.machine} at {run.origin.code}: numbers "
                "from different machines or code in one comparison"
            )
    variant = path.stem[len(run.path.stem) + 1 :]
    if variant in run.f1:
        raise ValueError(f"{path}: variant {variant!r} is in {run.path} already")
    run.f1[variant] = data["f"]


def same_run_rows(runs: Iterable[Run]) -> list[Row]:
    """Per dataset × encoder × origin × variant: the runs that trained both `raw`
    and the variant (a run with one of them only is in no row)."""
    groups: dict[tuple[str, str, Origin], list[Run]] = {}
    for run in runs:
        groups.setdefault((run.dataset, run.encoder, run.origin), []).append(run)
    rows = []
    for (dataset, encoder, origin), members in sorted(
        groups.items(), key=lambda item: _group_order(*item[0])
    ):
        variants = {v for run in members if "raw" in run.f1 for v in run.f1} - {"raw"}
        for variant in sorted(variants, key=lambda v: (v != SHIPPED, v)):
            paired = sorted(
                (run for run in members if {"raw", variant} <= set(run.f1)),
                key=lambda run: run.seed,
            )
            rows.append(Row(dataset, encoder, variant, origin, paired))
    return rows


def _group_order(dataset: str, encoder: str, origin: Origin) -> tuple:
    return (dataset, encoder, origin.code == "legacy", origin.machine, origin.code)


def mean_spread(values: list[float]) -> str:
    """`mean ± sample standard deviation`, the mean alone for one value."""
    if len(values) == 1:
        return f"{values[0]:.1f}"
    return f"{statistics.mean(values):.1f} ± {statistics.stdev(values):.1f}"


def machine_label(origin: Origin) -> str:
    name = re.sub(r"\((R|TM)\)|\bProcessor\b|\bCPU\b", "", origin.machine)
    name = " ".join(name.split())
    return f"{name}, {origin.cpus} CPUs" if origin.cpus else name


def code_label(row: Row) -> str:
    """The commit (and the commits that added the row's variant later, resuming a
    run), or `legacy` with the folders the runs are in."""
    if row.origin.code != "legacy":
        later = sorted(
            {
                run.added[row.variant][:12]
                for run in row.runs
                if row.variant in run.added
            }
        )
        return " + ".join([row.origin.code[:12], *(f"{c} (resumed)" for c in later)])
    folders = sorted({run.path.parent.name for run in row.runs})
    return f"legacy ({', '.join(folders)})"


def _cells(row: Row) -> list[str]:
    raw, variant = row.values("raw"), row.values(row.variant)
    deltas = [v - r for r, v in zip(raw, variant)]
    below = sum(delta < 0 for delta in deltas)
    return [
        ", ".join(str(run.seed) for run in row.runs),
        mean_spread(raw),
        mean_spread(variant),
        f"{statistics.mean(deltas):+.1f}",
        f"{below} of {len(deltas)}",
    ]


def _table(header: list[str], lines: list[list[str]]) -> list[str]:
    return [
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
        *("| " + " | ".join(cells) + " |" for cells in lines),
    ]


def full_table(rows: list[Row]) -> list[str]:
    """BENCHMARKS.md's table: every variant of the current runs against their raw."""
    header = ["dataset", "encoder", "variant", "seeds", "raw", "variant F1", "Δ"]
    header += ["seeds below raw", "machine", "code", "settings"]
    lines = [
        [row.dataset, row.encoder, row.variant, *_cells(row)]
        + [machine_label(row.origin), code_label(row), row.origin.settings]
        for row in rows
    ]
    return _table(header, lines)


def short_table(rows: list[Row]) -> list[str]:
    """README's table: raw, the shipped default recipe and what `dynclean select`
    ships (`selected`), per dataset, encoder and origin; each variant against raw
    over the runs that trained both."""
    header = ["dataset", "encoder", "seeds", "raw", "default recipe", "selected"]
    header += ["selected − raw", "seeds selected < raw", "machine", "code"]
    groups: dict[tuple[str, str, Origin], dict[str, Row]] = {}
    for row in rows:
        groups.setdefault((row.dataset, row.encoder, row.origin), {})[row.variant] = row
    lines = []
    for (dataset, encoder, origin), by_variant in groups.items():
        if SHIPPED not in by_variant:
            continue
        shipped, selected = by_variant[SHIPPED], by_variant.get(SELECTED)
        seeds, raw, cleaned = _cells(shipped)[:3]
        cells = ["–", "–", "–"] if selected is None else _cells(selected)[2:]
        if selected is not None and len(selected.runs) != len(shipped.runs):
            cells[0] += f" (seeds {', '.join(str(r.seed) for r in selected.runs)})"
        lines.append(
            [dataset, encoder, seeds, raw, cleaned, *cells]
            + [machine_label(origin), code_label(shipped)]
        )
    return _table(header, lines)


def selection_table(rows: list[Row]) -> list[str]:
    """Per run that selected: the dev gain over raw of each candidate with its
    interval (cross-fitted), the candidate chosen, raw → selected on test, and what the
    selection cost in trainings of the raw model."""
    runs = {id(run): (row, run) for row in rows for run in row.runs if run.selection}
    header = ["dataset", "encoder", "seed", "dev gain over raw [interval]"]
    header += ["selected", "test: raw → selected", "cost", "code"]
    lines = []
    for row, run in sorted(
        runs.values(),
        key=lambda item: (item[0].dataset, item[1].origin.code, item[1].seed),
    ):
        gains = "; ".join(
            f"{c['name']} {c['gain']:+.1f} [{c['low']:+.1f}, {c['high']:+.1f}]"
            for c in run.selection["candidates"]
            if c["name"] != "raw"
        )
        train = run.seconds.get("train_raw")
        cost = run.seconds.get("selection", 0) / train if train else None
        lines.append(
            [
                row.dataset,
                row.encoder,
                str(run.seed),
                gains,
                run.selection["selected"],
                f"{100 * run.f1['raw']:.1f} → {100 * run.f1[SELECTED]:.1f}",
                "–" if cost is None else f"{cost:.1f}×",
                code_label(row),
            ]
        )
    return _table(header, lines)


def benchmarks_tables(rows: list[Row]) -> list[str]:
    """BENCHMARKS.md's block: every variant against raw, then what selection chose."""
    tables = full_table(rows)
    if any(run.selection for row in rows for run in row.runs):
        tables += [
            "",
            "What `dynclean select` chose on each run's dev set (cost: the selection's "
            "time over one training of the raw model, the same run):",
            "",
            *selection_table(rows),
        ]
    return tables


NOTE = (
    "<!-- generated by `spacy project run results` from benchmarks/results/: "
    "edit the generator (spacy_dynclean/results.py), not this block -->"
)
LEGEND = (
    "Test F1 (%, entity level), mean ± sample standard deviation over the seeds; Δ: "
    "mean of the per-seed differences; raw and the variant from the same runs. "
    "*legacy*: files written before metrics.json recorded the commit (grouped by "
    "machine; their folder named)."
)
TARGETS = {"README.md": short_table, "BENCHMARKS.md": benchmarks_tables}


def generated_block(table: list[str]) -> str:
    """The text between the markers: a note, the legend, the table."""
    return "\n".join(["", NOTE, "", LEGEND, "", *table, ""])


def replace_block(text: str, block: str, name: str) -> str:
    """`text` with the part between its one START and END marker replaced by `block`."""
    if (
        text.count(START) != 1
        or text.count(END) != 1
        or text.index(START) > text.index(END)
    ):
        raise ValueError(f"{name}: needs one {START} ... {END} block")
    head, rest = text.split(START)
    _, tail = rest.split(END)
    return f"{head}{START}{block}{END}{tail}"


def expected_texts(root: Path) -> dict[Path, tuple[str, str]]:
    """Each target file: (its text now, its text with the block regenerated)."""
    rows = same_run_rows(load_runs(root / RESULTS_DIR))
    texts = {}
    for name, make in TARGETS.items():
        path = root / name
        text = path.read_text(encoding="utf8")
        texts[path] = (text, replace_block(text, generated_block(make(rows)), name))
    return texts


def write(root: Path) -> list[Path]:
    """Regenerate the blocks; the files that changed."""
    changed = []
    for path, (text, expected) in expected_texts(root).items():
        if text != expected:
            path.write_text(expected, encoding="utf8")
            changed.append(path)
    return changed


def check(root: Path) -> list[Path]:
    """The files whose generated block differs from what the generator writes."""
    return [path for path, (text, new) in expected_texts(root).items() if text != new]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=("write", "check"))
    parser.add_argument("--root", type=Path, default=Path("."), help="the repository")
    args = parser.parse_args(argv)
    try:
        paths = (write if args.action == "write" else check)(args.root)
    except ValueError as error:
        print(f"results: {error}", file=sys.stderr)
        return 1
    if args.action == "write":
        print(f"results: rewrote {[str(p) for p in paths] or 'nothing'}")
        return 0
    for path in paths:
        print(
            f"results-check: {path}: the generated results block differs from what "
            "`spacy project run results` writes (edit the generator or the result "
            "files, not the block; then run it)",
            file=sys.stderr,
        )
    return 1 if paths else 0


if __name__ == "__main__":
    sys.exit(main())
