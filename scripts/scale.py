"""Benchmark: `dynclean convert` and `dynclean clean` on synthetic corpora of growing size.

For each size, writes a synthetic DS-NER JSON corpus (a fixed vocabulary, 5-30 tokens a
sentence, 0-3 entities), converts it to a folder of shards, writes a scores folder that
flags one sentence in 20 (with the data's fingerprint, so `clean` checks it) and cleans
the shards into shards. Each command runs in a fresh process; its wall time and peak
memory (max RSS of that process, from `os.wait4`) are recorded, as is the start-up cost
of a bare `python -m spacy_dynclean --help`.

    python scripts/scale.py benchmarks/scale.json [--sizes 10000 100000 1000000] [--workdir DIR]

Writes the JSON and a Markdown table next to it (`scale.md`).
"""

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import srsly

TYPES = ("PER", "LOC", "ORG", "MISC")
VOCAB_SIZE = 5000
FLAG_EVERY = 20


def records(n: int, seed: int = 0) -> Any:
    """`n` DS-NER records and whether each has an entity, from a fixed vocabulary."""
    rng = random.Random(seed)
    vocab = [
        "".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=rng.randint(2, 9)))
        for _ in range(VOCAB_SIZE)
    ]
    for _ in range(n):
        tokens = rng.choices(vocab, k=rng.randint(5, 30))
        entities, start = [], 0
        for _ in range(rng.randint(0, 3)):
            start = rng.randint(start, len(tokens) - 1)
            last = min(start + rng.randint(0, 2), len(tokens) - 1)
            entities.append([start, last, rng.choice(TYPES)])
            start = last + 2
            if start >= len(tokens):
                break
        yield {"tokens": tokens, "entities": entities}


def write_corpus(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8") as file:
        file.write("[\n")
        for i, record in enumerate(records(n)):
            file.write(("" if i == 0 else ",\n") + json.dumps(record))
        file.write("\n]\n")


def write_scores(scores_dir: Path, corpus: Path, data: Path) -> int:
    """A scores folder (see scoring/scores.py) flagging the first entity, else the first
    token, of every FLAG_EVERY-th sentence; the fingerprint is the converted data's."""
    from spacy_dynclean.io.docbin import iter_docbin_as_stored
    from spacy_dynclean.io.fingerprint import fingerprint_docs
    from spacy_dynclean.io.jsonarray import iter_json_array

    def rows() -> Any:
        stem = corpus.stem
        for n, record in enumerate(iter_json_array(corpus), start=1):
            if n % FLAG_EVERY:
                continue
            start, last, label = (
                record["entities"][0] if record["entities"] else (0, 0, "O")
            )
            yield {
                "doc_id": f"{stem}:{n}",
                "doc": n - 1,
                "start": start,
                "end": last + 1,
                "kind": "entity" if label != "O" else "non_entity",
                "label": label,
                "original": label,
                "aum": -1.0,
                "threshold": 0.0,
                "flagged": True,
                "judged": True,
                "confidence": 0.5,
                "variability": 0.1,
                "correctness": 0.5,
                "run": 0,
                "n_runs": 1,
            }

    scores_dir.mkdir(parents=True, exist_ok=True)
    srsly.write_jsonl(scores_dir / "scores.jsonl", rows())
    labels = ["O", *TYPES, "FAKE"]
    srsly.write_json(
        scores_dir / "thresholds.json",
        {
            "fingerprint": fingerprint_docs(iter_docbin_as_stored(data), list(TYPES)),
            "head": "token",
            "labels": labels,
            "item_labels": labels,
            "entity_types": list(TYPES),
            "fake_label": "FAKE",
            "runs": [],
        },
    )
    return sum(1 for _ in open(scores_dir / "scores.jsonl"))


def measure(args: list[str], log: Path) -> dict[str, Any]:
    """Run `python -m spacy_dynclean ARGS` in a fresh process: wall seconds, peak RSS."""
    start = time.perf_counter()
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "spacy_dynclean", *args],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if process.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{log.read_text()}")
    return {
        "wall_s": round(wall, 2),
        "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
        "load_avg_1min": round(os.getloadavg()[0], 2),
    }


def size_of(path: Path) -> float:
    files = path.rglob("*") if path.is_dir() else [path]
    return round(sum(f.stat().st_size for f in files if f.is_file()) / 2**20, 1)


def run_size(n: int, work: Path) -> dict[str, Any]:
    corpus, data, scores = work / "train.json", work / "train", work / "scores"
    write_corpus(corpus, n)
    result: dict[str, Any] = {"sentences": n, "input_mib": size_of(corpus)}
    result["convert"] = measure(
        ["convert", str(corpus), str(data)], work / "convert.log"
    )
    result["convert"]["output_mib"] = size_of(data)
    result["flags"] = write_scores(scores, corpus, data)
    result["clean"] = measure(
        [
            "clean",
            str(data),
            str(scores),
            str(work / "cleaned"),
            "--audit",
            str(work / "audit.jsonl"),
        ],
        work / "clean.log",
    )
    result["clean"]["output_mib"] = size_of(work / "cleaned")
    for step in ("convert", "clean"):
        result[step]["sentences_per_s"] = round(n / result[step]["wall_s"])
    return result


def machine() -> dict[str, Any]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in open("/proc/cpuinfo")
            if line.startswith("model name")
        ),
        "",
    )
    return {
        "cpu": cpu or platform.processor(),
        "cores": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
    }


def table(result: dict[str, Any]) -> str:
    startup = result["startup"]
    lines = [
        "| sentences | step | wall s | sentences/s | peak RSS MiB | output MiB | load avg |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    for size in result["sizes"]:
        for step in ("convert", "clean"):
            m = size[step]
            lines.append(
                f"| {size['sentences']:,} | {step} | {m['wall_s']} | {m['sentences_per_s']:,} | "
                f"{m['peak_rss_mib']} | {m['output_mib']} | {m['load_avg_1min']} |"
            )
    lines.append(
        f"| - | start-up (`--help`) | {startup['wall_s']} | - | {startup['peak_rss_mib']} | - | "
        f"{startup['load_avg_1min']} |"
    )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("output", type=Path)
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000]
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="Where the corpora go (default: a temp folder)",
    )
    args = parser.parse_args()
    if args.workdir is not None:
        args.workdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        result = {
            "machine": machine(),
            "startup": measure(["--help"], Path(tmp) / "help.log"),
            "sizes": [],
        }
        for n in args.sizes:
            work = Path(tmp) / str(n)
            work.mkdir()
            result["sizes"].append(run_size(n, work))
            print(json.dumps(result["sizes"][-1]), flush=True)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    args.output.with_suffix(".md").write_text(table(result))
    print(table(result))


if __name__ == "__main__":
    main()
