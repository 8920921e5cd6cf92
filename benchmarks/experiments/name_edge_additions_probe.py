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
from pathlib import Path

from cut_short_probe import added_labels  # this folder is on sys.path when run

from spacy_dynclean.benchmark import RunLayout
from spacy_dynclean.cleaning import entries as entries_module
from spacy_dynclean.cleaning.entries import EntryOptions

shipped_call = entries_module.PlaceFinder.__call__


def capitalised(token) -> bool:
    return token.text[:1].isupper() and token.text[:1].isalpha()


def whole_names(self, doc, *_):  # the shipped `whole_names` argument is off here
    """The shipped matches whose neighbours are not capitalised words."""
    return [
        (span, labels)
        for span, labels in shipped_call(self, doc)
        if not (span.start > 0 and capitalised(doc[span.start - 1]))
        and not (span.end < len(doc) and capitalised(doc[span.end]))
    ]


run = RunLayout(Path(sys.argv[1]))
result = {"run": str(run.root)}
for name, call in (("every_match", shipped_call), ("whole_names", whole_names)):
    entries_module.PlaceFinder.__call__ = call
    result[name] = added_labels(run, EntryOptions(additions=True))
    print(name, json.dumps(result[name]))
Path(sys.argv[2]).write_text(json.dumps(result, indent=2))
