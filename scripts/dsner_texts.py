"""The texts of a DS-NER JSON file, one document per line: each record's tokens joined
with spaces (what `dynclean annotate --pipeline` labels in the `from-pipeline` workflow).

    python scripts/dsner_texts.py assets/default/train-ds.json corpus/pipe-texts.txt [--lines N]

`--lines N` cycles the texts to N lines (larger inputs for the throughput benchmark).
Standard library only.
"""

import argparse
import json
from pathlib import Path


def texts(path: Path) -> list[str]:
    """One line per record: its tokens joined with spaces."""
    return [
        " ".join(record["tokens"]) for record in json.loads(path.read_text("utf-8"))
    ]


def write_texts(source: Path, output: Path, lines: int | None = None) -> int:
    """Write the texts of `source` to `output`, cycled up to `lines` lines (default: once)."""
    found = texts(source)
    n = lines or len(found)
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("w", encoding="utf-8") as out:
        for i in range(n):
            out.write(found[i % len(found)] + "\n")
    return n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("source", type=Path)
    parser.add_argument("output", type=Path)
    parser.add_argument(
        "--lines", type=int, default=None, help="cycle to this many lines"
    )
    args = parser.parse_args()
    print(
        f"Wrote {write_texts(args.source, args.output, args.lines)} texts to {args.output}"
    )


if __name__ == "__main__":
    main()
