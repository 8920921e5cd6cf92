"""Issue 30 probe (not part of the package): the entries to add with and without
`EntryOptions.longer_names` (a name cut short, `York` inside `New York`, repaired to
the longer one where the cleaning removed the short one), applied by the
`cleaned_added` recipe to a finished benchmark run's distant data and scores; the
added labels' precision and recall against train-gs, per origin. No training.

    python benchmarks/experiments/cut_short_probe.py RUN_DIR OUT.json [TEACHER_MODEL]
"""

import json
import sys
import tempfile
import time
from pathlib import Path

from spacy_dynclean.benchmark import RunLayout, _addition_detection
from spacy_dynclean.cleaning.clean import clean_docbin
from spacy_dynclean.cleaning.entries import EntryOptions, score_entries, write_entries
from spacy_dynclean.cleaning.recipes import load_recipe


def added_labels(
    run: RunLayout,
    options: EntryOptions,
    teacher: Path | None = None,
    recipe: str = "cleaned_added",
) -> dict:
    """The `recipe`'s added labels on `run`'s distant data, with the entries
    `options` judge: their detection against train-gs, per origin."""
    data, dev, gold = (run.split(n) for n in ("train-ds", "dev", "train-gs"))
    began = time.time()
    entries = score_entries(data, dev, options, run.scores, teacher=teacher)
    with tempfile.TemporaryDirectory() as tmp:
        table = write_entries(entries, Path(tmp))
        audit = Path(tmp) / "audit.jsonl"
        clean_docbin(
            data,
            run.scores,
            Path(tmp) / "out.spacy",
            load_recipe(recipe),
            audit_path=audit,
            entries_path=table,
        )
        detection = _addition_detection(data, gold, audit, "entry", entries)
    return {**detection, "seconds": round(time.time() - began, 1)}


if __name__ == "__main__":
    run = RunLayout(Path(sys.argv[1]))
    teacher = Path(sys.argv[3]) if len(sys.argv) > 3 else None
    result = {"run": str(run.root), "teacher": str(teacher) if teacher else None}
    for longer in (False, True):
        options = EntryOptions(additions=True, longer_names=longer)
        result[f"longer_names={longer}"] = added_labels(run, options, teacher)
        print(longer, json.dumps(result[f"longer_names={longer}"]))
    Path(sys.argv[2]).write_text(json.dumps(result, indent=2))
