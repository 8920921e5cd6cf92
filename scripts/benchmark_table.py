"""Turn `dynclean benchmark` metrics.json files into the Markdown tables of BENCHMARKS.md.

    python scripts/benchmark_table.py benchmarks/results/*.json > table.md
    python scripts/benchmark_table.py --recipes benchmarks/results/issue14/*.json

(`--recipes`: per run, then test F1 means, then dev F1 means per dataset.)

Numbers are copied from the files (F1 etc. as percentages), never typed by hand.
"""

import json
import statistics
import sys
from pathlib import Path
from typing import Any


def pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}"


BASELINES = ("raw", "oracle", "gold")


def f1_cell(metrics: dict[str, Any], variant: str) -> str:
    scores = metrics.get(variant)
    if not scores:
        return "–"
    source = f" [{scores['from']}]" if "from" in scores else ""
    return f"{pct(scores['f'])} ({pct(scores['p'])}/{pct(scores['r'])}){source}"


def recovery(metrics: dict[str, Any]) -> str:
    if "oracle" not in metrics or "cleaned" not in metrics:
        return "–"
    gain = metrics["oracle"]["f"] - metrics["raw"]["f"]
    return (
        f"{100 * (metrics['cleaned']['f'] - metrics['raw']['f']) / gain:.0f}%"
        if gain > 0
        else "–"
    )


def detection_cell(side: dict[str, Any]) -> str:
    return f"{side['flagged']} / {pct(side['precision'])} / {pct(side['recall'])} / {side['auroc']:.3f}"


def with_baselines(runs: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Runs that trained only some variants (ablations: `--variant cleaned`) borrow
    raw/oracle/gold from a run of the same dataset, seed and production config that
    has them; the borrowed cells are marked with the run they come from."""
    full = {
        (m["dataset"], m["seed"], m.get("ner", m["config"])): name
        for name, m in runs.items()
        if all(v in m for v in ("raw", "oracle"))
    }
    out = {}
    for name, m in runs.items():
        source = full.get((m["dataset"], m["seed"], m.get("ner", m["config"])))
        borrowed = {
            v: {**runs[source][v], "from": source}
            for v in BASELINES
            if v not in m and source and v in runs[source]
        }
        out[name] = {**m, **borrowed}
    return out


def stage_times(times: dict[str, float]) -> str:
    dynamics = sum(v for k, v in times.items() if k.startswith("dynamics"))
    parts = [f"dynamics {dynamics:.0f}"] + [
        f"{k.replace('train_', 'train ')} {v:.0f}"
        for k, v in times.items()
        if k in ("score", "clean") or k.startswith("train_")
    ]
    return ", ".join(parts)


def rows(paths: list[Path]) -> list[str]:
    header = [
        "| run | dataset | dynamics | head | ner | raw F1 (P/R) | cleaned F1 (P/R) | Δ | repaired F1 | oracle F1 | gold F1 | "
        "recovered | entities flagged / P / R / AUROC | non-entities flagged / P / R / AUROC | seconds per stage | machine |",
        "|" + "---|" * 16,
    ]
    runs = with_baselines({path.stem: json.loads(path.read_text()) for path in paths})
    lines = []
    for name, m in runs.items():
        if not {"cleaned", "repaired", "detection"} & set(m):
            continue  # baselines only (e.g. oracle by side): in their own table
        delta = (
            100 * (m["cleaned"]["f"] - m["raw"]["f"])
            if "cleaned" in m and "raw" in m
            else None
        )
        det = m.get("detection", {})
        lines.append(
            "| "
            + " | ".join(
                [
                    name,
                    m["dataset"],
                    m["config"],
                    m.get("head", "token"),
                    m.get("ner", m["config"]),
                    f1_cell(m, "raw"),
                    f1_cell(m, "cleaned"),
                    "–" if delta is None else f"{delta:+.1f}",
                    f1_cell(m, "repaired"),
                    f1_cell(m, "oracle"),
                    f1_cell(m, "gold"),
                    recovery(m),
                    detection_cell(det["pos"]) if det else "–",
                    detection_cell(det["neg"]) if det else "–",
                    stage_times(m["time_s"]),
                    f"{m['machine'].get('processor') or 'CPU not recorded'}, {m['machine'].get('cpus')} CPUs",
                ]
            )
            + " |"
        )
    return header + lines


def seed_means(paths: list[Path]) -> list[str]:
    """Mean ± sample standard deviation of test F1 over runs named `<group>-seed<N>`."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for path in paths:
        group, sep, _ = path.stem.rpartition("-seed")
        if sep:
            groups.setdefault(group, []).append(json.loads(path.read_text()))
    variants = ("raw", "cleaned", "repaired", "oracle", "gold")
    lines = [
        "| runs | seeds | " + " | ".join(variants) + " |",
        "|" + "---|" * (2 + len(variants)),
    ]
    for group, runs in sorted(groups.items()):
        cells = []
        for variant in variants:
            values = [100 * m[variant]["f"] for m in runs if variant in m]
            cells.append(
                f"{statistics.mean(values):.1f} ± {statistics.stdev(values):.1f}"
                if len(values) > 1
                else "–"
            )
        seeds = ", ".join(str(m["seed"]) for m in runs)
        lines.append(f"| {group}-seed* | {seeds} | " + " | ".join(cells) + " |")
    return lines


def oracle_sides(paths: list[Path]) -> list[str]:
    """What each side of perfect detection is worth: runs with oracle-pos / oracle-neg."""
    runs = with_baselines({path.stem: json.loads(path.read_text()) for path in paths})
    variants = ("raw", "oracle-neg", "oracle-pos", "oracle", "gold")
    lines = [
        "| run | dataset | " + " | ".join(variants) + " |",
        "|" + "---|" * (2 + len(variants)),
    ]
    for name, m in runs.items():
        if "oracle-pos" in m or "oracle-neg" in m:
            lines.append(
                f"| {name} | {m['dataset']} | "
                + " | ".join(f1_cell(m, v) for v in variants)
                + " |"
            )
    return lines


def target_check(paths: list[Path]) -> list[str]:
    """Issue 5's target per run (seed groups: on the means): cleaned recovers at least
    60% of the oracle gain, and gains at least 5 F1 where the oracle gains over 8."""
    runs = with_baselines({path.stem: json.loads(path.read_text()) for path in paths})
    groups: dict[str, list[dict[str, Any]]] = {}
    for name, m in runs.items():
        if all(v in m for v in ("raw", "cleaned", "oracle")):
            group, sep, _ = name.rpartition("-seed")
            groups.setdefault(group + "-seed*" if sep else name, []).append(m)
    lines = [
        "| run | dataset | raw | cleaned | oracle | oracle gain | cleaned gain | recovered | target met |",
        "|" + "---|" * 9,
    ]
    for name, ms in groups.items():
        raw, cleaned, oracle = (
            statistics.mean(100 * m[v]["f"] for m in ms)
            for v in ("raw", "cleaned", "oracle")
        )
        oracle_gain, gain = oracle - raw, cleaned - raw
        recovered = gain / oracle_gain if oracle_gain > 0 else None
        met = (
            recovered is not None
            and recovered >= 0.6
            and (gain >= 5 or oracle_gain <= 8)
        )
        lines.append(
            f"| {name} | {ms[0]['dataset']} | {raw:.1f} | {cleaned:.1f} | {oracle:.1f} | {oracle_gain:+.1f} | "
            f"{gain:+.1f} | {'–' if recovered is None else f'{100 * recovered:.0f}%'} | {'yes' if met else 'no'} |"
        )
    return lines


RECIPE_VARIANTS = (
    "raw",
    "dynclean",
    "cleaned",
    "cleaned_keep",
    "cleaned_split",
    "reviewed-25",
    "reviewed-50",
    "reviewed-100",
    "oracle",
    "gold",
)


def recipe_rows(paths: list[Path]) -> list[str]:
    """Issue 14's table: test F1 of every variant a run trained, the entry table's
    detection and the shipped recipe's entity-side detection, against train-gs."""
    header = (
        ["run", "dataset", "seed", *RECIPE_VARIANTS]
        + ["entries flagged / P / R / AUROC", "cleaned entities flagged / P / R"]
        + ["seconds per stage"]
    )
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for path in paths:
        m = json.loads(path.read_text())
        entries = m.get("entries", {}).get("cleaned")
        cleaned = m.get("detection", {}).get("entities", {}).get("cleaned")
        cells = [path.stem, m["dataset"], str(m["seed"])]
        cells += [pct(m[v]["f"]) if v in m else "–" for v in RECIPE_VARIANTS]
        cells.append(detection_cell(entries) if entries else "–")
        cells.append(
            f"{cleaned['flagged']} / {pct(cleaned['precision'])} / {pct(cleaned['recall'])}"
            if cleaned
            else "–"
        )
        times = m["time_s"]
        cells.append(", ".join(f"{k} {v:.0f}" for k, v in times.items() if v >= 1))
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def recipe_means(paths: list[Path], split: str = "test") -> list[str]:
    """Mean ± standard deviation of F1 on `split` (test, or dev: the set the model
    was selected on; for cleaned_split its selection half) per dataset over the runs
    (seeds) that trained the variant; n: how many."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for path in paths:
        m = json.loads(path.read_text())
        groups.setdefault(m["dataset"], []).append(m)
    lines = [
        "| dataset | " + " | ".join(RECIPE_VARIANTS) + " |",
        "|" + "---|" * (1 + len(RECIPE_VARIANTS)),
    ]
    for dataset, runs in sorted(groups.items()):
        cells = []
        for variant in RECIPE_VARIANTS:
            values = [
                100 * (m[variant]["dev"] if split == "dev" else m[variant])["f"]
                for m in runs
                if variant in m
            ]
            spread = f" ± {statistics.stdev(values):.1f}" if len(values) > 1 else ""
            cells.append(
                f"{statistics.mean(values):.1f}{spread} (n={len(values)})"
                if values
                else "–"
            )
        lines.append(f"| {dataset} | " + " | ".join(cells) + " |")
    return lines


if __name__ == "__main__":
    if sys.argv[1:2] == ["--recipes"]:
        paths = [Path(p) for p in sys.argv[2:]]
        print("\n".join(recipe_rows(paths)))
        print()
        print("\n".join(recipe_means(paths)))
        print()
        print("\n".join(recipe_means(paths, "dev")))
        sys.exit(0)
    paths = [Path(p) for p in sys.argv[1:]]
    print("\n".join(rows(paths)))
    print()
    print("\n".join(seed_means(paths)))
    print()
    print("\n".join(target_check(paths)))
    print()
    print("\n".join(oracle_sides(paths)))
