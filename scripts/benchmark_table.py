"""Turn `dynclean benchmark` metrics.json files into the Markdown tables of BENCHMARKS.md.

    python scripts/benchmark_table.py benchmarks/results/*.json > table.md

Numbers are copied from the files (F1 etc. as percentages), never typed by hand.
"""
import json
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional


def pct(value: Optional[float]) -> str:
    return "–" if value is None else f"{100 * value:.1f}"


def f1_cell(metrics: Dict[str, Any], variant: str) -> str:
    scores = metrics.get(variant)
    if not scores:
        return "–"
    return f"{pct(scores['f'])} ({pct(scores['p'])}/{pct(scores['r'])})"


def recovery(metrics: Dict[str, Any]) -> str:
    if "oracle" not in metrics or "cleaned" not in metrics:
        return "–"
    gain = metrics["oracle"]["f"] - metrics["raw"]["f"]
    return f"{100 * (metrics['cleaned']['f'] - metrics['raw']['f']) / gain:.0f}%" if gain else "–"


def detection_cell(side: Dict[str, Any]) -> str:
    return f"{side['flagged']} / {pct(side['precision'])} / {pct(side['recall'])} / {side['auroc']:.3f}"


def rows(paths: List[Path]) -> List[str]:
    header = [
        "| run | dataset | dynamics | head | ner | raw F1 (P/R) | cleaned F1 (P/R) | Δ | oracle F1 | gold F1 | recovered | "
        "entities flagged / P / R / AUROC | non-entities flagged / P / R / AUROC | dynamics s | machine |",
        "|" + "---|" * 15,
    ]
    lines = []
    for path in paths:
        m = json.loads(path.read_text())
        delta = 100 * (m["cleaned"]["f"] - m["raw"]["f"]) if "cleaned" in m and "raw" in m else None
        dynamics = sum(v for k, v in m["time_s"].items() if k.startswith("dynamics"))
        det = m.get("detection", {})
        lines.append("| " + " | ".join([
            path.stem, m["dataset"], m["config"], m.get("head", "token"), m.get("ner", m["config"]),
            f1_cell(m, "raw"), f1_cell(m, "cleaned"), "–" if delta is None else f"{delta:+.1f}",
            f1_cell(m, "oracle"), f1_cell(m, "gold"), recovery(m),
            detection_cell(det["pos"]) if det else "–", detection_cell(det["neg"]) if det else "–",
            f"{dynamics:.0f}", f"{m['machine'].get('processor') or 'CPU not recorded'}, {m['machine'].get('cpus')} CPUs",
        ]) + " |")
    return header + lines


if __name__ == "__main__":
    print("\n".join(rows([Path(p) for p in sys.argv[1:]])))
