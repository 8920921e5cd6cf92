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

run = RunLayout(Path(sys.argv[1]))
teacher = Path(sys.argv[3]) if len(sys.argv) > 3 else None
data, dev, gold = (run.split(n) for n in ("train-ds", "dev", "train-gs"))
result = {"run": str(run.root), "teacher": str(teacher) if teacher else None}
for longer in (False, True):
    began = time.time()
    options = EntryOptions(additions=True, longer_names=longer)
    entries = score_entries(data, dev, options, run.scores, teacher=teacher)
    with tempfile.TemporaryDirectory() as tmp:
        table = write_entries(entries, Path(tmp))
        audit = Path(tmp) / "audit.jsonl"
        clean_docbin(
            data,
            run.scores,
            Path(tmp) / "out.spacy",
            load_recipe("cleaned_added"),
            audit_path=audit,
            entries_path=table,
        )
        detection = _addition_detection(data, gold, audit, "entry", entries)
    result[f"longer_names={longer}"] = {**detection, "seconds": time.time() - began}
    print(longer, json.dumps(detection))
Path(sys.argv[2]).write_text(json.dumps(result, indent=2))
