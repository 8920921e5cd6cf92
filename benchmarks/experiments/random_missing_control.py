"""Control for a cleaning run: mark as many randomly chosen O tokens missing as the cleaning did
(same data, same training seed), retrain the production ner, evaluate on test. Prints one JSON line.

    python benchmarks/experiments/random_missing_control.py BENCHMARK_RUN_DIR WORK_DIR SEED [VARIANT]

VARIANT: the cleaned variant whose count of missing tokens to match (default cleaned);
metrics.json files of older runs hold one `cleaning` block, without variants.
"""

import json
import sys
from pathlib import Path

import numpy as np
import spacy
from spacy.tokens import DocBin, Span

from spacy_dynclean.configs import config_path
from spacy_dynclean.training.pipeline import evaluate_pipeline, train_pipeline

run, out, seed = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
m = json.load(open(run / "metrics.json"))
variant = sys.argv[4] if len(sys.argv) > 4 else "cleaned"
old_format = "missing_tokens" in m["cleaning"]  # one block, no variants
n_missing = (m["cleaning"] if old_format else m["cleaning"][variant])["missing_tokens"]
vocab = spacy.blank("en").vocab
docs = list(DocBin().from_disk(run / "corpus/train-ds.spacy").get_docs(vocab))
o_tokens = [(d, t.i) for d, doc in enumerate(docs) for t in doc if t.ent_iob_ == "O"]
rng = np.random.default_rng(seed)
chosen = {
    o_tokens[i]
    for i in rng.choice(
        len(o_tokens), size=min(n_missing, len(o_tokens)), replace=False
    )
}
db = DocBin(store_user_data=True)
for d, doc in enumerate(docs):
    miss = [Span(doc, i, i + 1) for i in range(len(doc)) if (d, i) in chosen]
    doc.set_ents(list(doc.ents), missing=miss, default="unmodified")
    db.add(doc)
out.mkdir(parents=True, exist_ok=True)
db.to_disk(out / "train.spacy")
model = train_pipeline(
    config_path("ner_cnn"),
    out / "train.spacy",
    run / "corpus/dev.spacy",
    out / "ner",
    overrides={"system.seed": m["seed"]},
)
res = evaluate_pipeline(model, run / "corpus/test.spacy")
print(
    json.dumps(
        {
            "run": str(run),
            "n_missing": n_missing,
            "random_missing": res,
            "raw": m["raw"],
            "cleaned": m["cleaned"],
        }
    )
)
