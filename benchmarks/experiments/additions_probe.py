"""Issue 30 probe (not part of the package): precision of the entries to add that
`dynclean entries --add` proposes from the whole dev set, applied to the distant labels
as they are (no dynamics, no removals), against train-gs, and their recall of the gold
entities no distant entity touches. Needs the splits converted into
/tmp/probe/<dataset>/{train-ds,train-gs,dev}.spacy (`dynclean convert ... --id-prefix
train` for the train files). Usage: python benchmarks/experiments/additions_probe.py conll03"""

import sys
import time
from pathlib import Path

from spacy_dynclean.cleaning.entries import (
    ADD,
    DEV_ADDED,
    EntryOptions,
    PlaceFinder,
    score_entries,
)
from spacy_dynclean.io.docbin import iter_docbin_as_stored
from spacy_dynclean.io.ids import sample_key

name = sys.argv[1]
out = Path("/tmp/probe") / name
t = time.time()
entries = score_entries(
    out / "train-ds.spacy", out / "dev.spacy", EntryOptions(additions=True)
)
gold = {
    sample_key(d): {(e.start, e.end, e.label_) for e in d.ents}
    for d in iter_docbin_as_stored(out / "train-gs.spacy")
}
for origin in ("dev_added", "dictionary", "all"):
    added = {
        k: e
        for k, e in entries.items()
        if e.action == ADD
        and (origin == "all" or (e.group == DEV_ADDED) == (origin == "dev_added"))
    }
    find = PlaceFinder(added)
    n_add = right = missed_total = recovered = 0
    for doc in iter_docbin_as_stored(out / "train-ds.spacy"):
        g = gold[sample_key(doc)]
        taken = set(i for e in doc.ents for i in range(e.start, e.end))
        adds = {
            (sp.start, sp.end, labels[0])
            for sp, labels in find(doc)
            if len(labels) == 1 and not any(i in taken for i in range(sp.start, sp.end))
        }
        n_add += len(adds)
        right += len(adds & g)
        for s, e_, label in g:
            if not any(i in taken for i in range(s, e_)):
                missed_total += 1
                recovered += (s, e_, label) in adds
    print(
        f"{name} {origin}: {len(added)} entries, {n_add} places, precision {right / max(n_add, 1):.3f}, recall of wholly missed {recovered}/{missed_total} = {recovered / max(missed_total, 1):.3f}"
    )
print(f"{time.time() - t:.0f}s")
