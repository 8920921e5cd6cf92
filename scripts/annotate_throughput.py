"""Benchmark: `dynclean annotate --pipeline` with a trained pipeline (e.g. CNN ner).

Labels the texts of a DS-NER JSON file (scripts/dsner_texts.py, cycled) with the
pipeline, each run a fresh `python -m spacy_dynclean annotate` process (scale.py's
`measure`: wall seconds, peak RSS): a small input into one .spacy file for sentences
per second, then larger inputs into folders of shards to show that peak memory stays
flat as the input grows. Sentences per second count the whole process (start-up and
pipeline loading included) and, separately, with one bare `annotate --help` start-up
subtracted.

    python scripts/annotate_throughput.py PIPELINE assets/default/train-ds.json \
        benchmarks/annotate-pipeline.json [--small 3000] [--large 10000 50000]
"""

import argparse
import json
import os
import platform
import tempfile
from pathlib import Path
from typing import Any

from dsner_texts import write_texts
from scale import measure


def run(
    pipeline: str, texts: Path, output: Path, work: Path, *extra: str
) -> dict[str, Any]:
    """One annotate process over `texts`; its measures and the sentences it labelled."""
    args = ["annotate", str(texts), "--pipeline", pipeline, str(output), *extra]
    result = measure(args, work / f"{output.name}.log")
    result["sentences"] = sum(1 for _ in texts.open(encoding="utf-8"))
    result["sentences_per_s"] = round(result["sentences"] / result["wall_s"], 1)
    return result


def benchmark(
    pipeline: str, source: Path, small: int, large: list[int], work: Path
) -> dict:
    """The small run (one .spacy file) and the large runs (shards), with the start-up."""
    startup = measure(["annotate", "--help"], work / "help.log")
    write_texts(source, work / "small.txt", small)
    speed = run(pipeline, work / "small.txt", work / "small.spacy", work)
    speed["sentences_per_s_without_startup"] = round(
        speed["sentences"] / max(speed["wall_s"] - startup["wall_s"], 1e-9), 1
    )
    shards = []
    for n in large:
        write_texts(source, work / f"large-{n}.txt", n)
        shards.append(run(pipeline, work / f"large-{n}.txt", work / f"large-{n}", work))
    return {"startup": startup, "file": speed, "shards": shards}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("pipeline")
    parser.add_argument(
        "source", type=Path, help="a DS-NER JSON file whose texts to label"
    )
    parser.add_argument("output", type=Path)
    parser.add_argument("--small", type=int, default=3000)
    parser.add_argument("--large", type=int, nargs="+", default=[10_000, 50_000])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        result = benchmark(
            args.pipeline, args.source, args.small, args.large, Path(tmp)
        )
    result["settings"] = {
        "pipeline": args.pipeline,
        "source": str(args.source),
        "batch_size": 1000,
        "n_process": 1,
        "shard_size": 10_000,
    }
    result["machine"] = {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "note": "CPU shared with other jobs while measured: see load_avg_1min",
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
