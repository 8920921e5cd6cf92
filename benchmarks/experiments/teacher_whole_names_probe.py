"""Issue 30 probe (not part of the package): the teacher origin of the entries to add
(a model trained on the cleaned data, `--teacher`) judged and added at every place
(`cleaned_added`) and at whole names only (`cleaned_added_whole`), on a finished
benchmark run's distant data and scores; the added labels' precision and recall
against train-gs, per origin. No training.

    python benchmarks/experiments/teacher_whole_names_probe.py RUN_DIR TEACHER OUT.json
"""

import json
import sys
from pathlib import Path

from cut_short_probe import added_labels  # this folder is on sys.path when run

from spacy_dynclean.benchmark import RunLayout
from spacy_dynclean.cleaning.entries import EntryOptions
from spacy_dynclean.cleaning.recipes import load_recipe

run, teacher = RunLayout(Path(sys.argv[1])), Path(sys.argv[2])
result = {"run": str(run.root), "teacher": str(teacher)}
for recipe in ("cleaned_added", "cleaned_added_whole"):
    options = load_recipe(recipe).entry_options(EntryOptions())
    result[recipe] = added_labels(run, options, teacher, recipe)
    print(recipe, json.dumps(result[recipe]))
Path(sys.argv[3]).write_text(json.dumps(result, indent=2))
