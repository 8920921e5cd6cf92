"""Issue 30 probe (not part of the package): the teacher origin of the entries to add
with teachers trained on `cleaned_added_whole` (the best recipe), one and an ensemble
(a predicted entity counts only where every teacher predicts it), judged and added at
whole names (`propose_teacher_additions`) on a finished benchmark run's distant data;
the added places' precision against train-gs, and the entries most often wrong. No
training.

    python benchmarks/experiments/teacher_ensemble_probe.py RUN_DIR OUT.json TEACHER...
"""

import json
import sys
from collections import Counter
from pathlib import Path

from spacy_dynclean.benchmark import RunLayout
from spacy_dynclean.cleaning import entries as E
from spacy_dynclean.cleaning.recipes import load_recipe
from spacy_dynclean.io.docbin import iter_docbin_as_stored


def teacher_places(run: RunLayout, options, predictions, entries) -> dict:
    """The teacher entries' whole-name open places and how many gold labels alike."""
    data, dev = run.split("train-ds"), run.split("dev")
    taught = E.propose_teacher_additions(data, dev, predictions, entries, options)
    gold = iter_docbin_as_stored(run.split("train-gs"))
    places, right = Counter(), Counter()
    find = E.PlaceFinder(taught)
    for doc, gold_doc in zip(iter_docbin_as_stored(data), gold):
        truth = {(e.start, e.end, e.label_) for e in gold_doc.ents}
        for span, labels in find(doc, whole_names=True):
            if len(labels) == 1 and E.open_place(span):
                key = (" ".join(t.text for t in span), labels[0])
                places[key] += 1
                right[key] += (span.start, span.end, labels[0]) in truth
    n = sum(places.values())
    wrong = sorted(places, key=lambda k: right[k] - places[k])[:20]
    return {
        "entries": len(taught),
        "entries_with_places": len(places),
        "places": n,
        "precision": round(sum(right.values()) / n, 3) if n else None,
        "places_of_strings_seen_once": sum(places[k] for k in places if places[k] == 1),
        "most_wrong": [[*k, right[k], places[k]] for k in wrong],
    }


run, out, teachers = RunLayout(Path(sys.argv[1])), Path(sys.argv[2]), sys.argv[3:]
options = load_recipe("cleaned_added_whole").entry_options(E.EntryOptions())
data = run.split("train-ds")
entries = E.score_entries(data, run.split("dev"), options, run.scores)
result: dict = {"run": str(run.root), "teachers": teachers}
ensemble = None
for i, path in enumerate(teachers):
    nlp = E.load_teacher(path)
    predicted = [set(p) for p in E.predicted_entities(iter_docbin_as_stored(data), nlp)]
    if i == 0:
        result["one teacher"] = teacher_places(run, options, predicted, entries)
        print("one", json.dumps(result["one teacher"])[:300], flush=True)
    ensemble = (
        predicted if ensemble is None else [a & b for a, b in zip(ensemble, predicted)]
    )
result[f"{len(teachers)} teachers agreeing"] = teacher_places(
    run, options, ensemble, entries
)
print("ensemble", json.dumps(result[f"{len(teachers)} teachers agreeing"])[:300])
out.write_text(json.dumps(result, indent=2))
