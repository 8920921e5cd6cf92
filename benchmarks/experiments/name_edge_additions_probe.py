"""Issue 30 probe (not part of the package): the entries to add judged and applied
only at places that are whole names, i.e. whose neighbours are not capitalised words
(`British` alone, not inside `British Airways`), against the shipped rule (every
longest match). Both with the `cleaned_added` recipe on a finished benchmark run's
distant data and scores; the added labels' precision and recall against train-gs,
per origin. No training. Every string match the entries make (dev evidence, places
to add, the cleaning's additions) is restricted alike, so the removals change too;
only the additions are measured.

    python benchmarks/experiments/name_edge_additions_probe.py RUN_DIR OUT.json
"""

import json
import sys
import tempfile
import time
from pathlib import Path

from spacy_dynclean.benchmark import RunLayout, _addition_detection
from spacy_dynclean.cleaning import entries as entries_module
from spacy_dynclean.cleaning.clean import clean_docbin
from spacy_dynclean.cleaning.entries import EntryOptions, score_entries, write_entries
from spacy_dynclean.cleaning.recipes import load_recipe

shipped_call = entries_module.PlaceFinder.__call__


def capitalised(token) -> bool:
    return token.text[:1].isupper() and token.text[:1].isalpha()


def whole_names(self, doc):
    """The shipped matches whose neighbours are not capitalised words."""
    return [
        (span, labels)
        for span, labels in shipped_call(self, doc)
        if not (span.start > 0 and capitalised(doc[span.start - 1]))
        and not (span.end < len(doc) and capitalised(doc[span.end]))
    ]


run = RunLayout(Path(sys.argv[1]))
data, dev, gold = (run.split(n) for n in ("train-ds", "dev", "train-gs"))
result = {"run": str(run.root)}
for name, call in (("every_match", shipped_call), ("whole_names", whole_names)):
    entries_module.PlaceFinder.__call__ = call
    began = time.time()
    entries = score_entries(data, dev, EntryOptions(additions=True), run.scores)
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
    result[name] = {**detection, "seconds": round(time.time() - began, 1)}
    print(name, json.dumps(detection))
Path(sys.argv[2]).write_text(json.dumps(result, indent=2))
