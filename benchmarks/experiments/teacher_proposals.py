"""The self-training gate (issue 16): how precise are a teacher's proposals on the
tokens that cleaning left missing or O, measured against the gold train labels.

    python benchmarks/experiments/teacher_proposals.py CLEANED.spacy GOLD.spacy OUT.json MODEL [MODEL ...]

Every MODEL (a trained pipeline, e.g. a benchmark run's training/<variant>/model-best)
predicts the entities of the cleaned training docs (their words only). A proposal is
a predicted entity none of whose tokens is inside an entity the cleaning kept. With
several models, a proposal counts for an agreement level k when at least k models
predict exactly it (span and type): the ensemble's confidence, since spaCy's
transition-based `ner` has no entity probabilities. Reported per level: proposals,
precision (exact span and type in gold), and recall of the gold entities outside the
kept entities; and the same split by where the proposal lies (all tokens missing
after cleaning, or touching an O token).
"""

import json
from collections import Counter
from pathlib import Path

import typer

from spacy_dynclean.cleaning.entries import load_teacher
from spacy_dynclean.cleaning.self_training import teacher_votes
from spacy_dynclean.io.docbin import iter_docbin_as_stored
from spacy_dynclean.io.ids import sample_key


def main(
    cleaned: Path = typer.Argument(..., exists=True),
    gold: Path = typer.Argument(..., exists=True),
    output: Path = typer.Argument(...),
    models: list[Path] = typer.Argument(..., exists=True),
) -> None:
    cleaned_docs = list(iter_docbin_as_stored(cleaned))
    gold_docs = {sample_key(d): d for d in iter_docbin_as_stored(gold)}
    votes = teacher_votes(cleaned_docs, [load_teacher(model) for model in models])
    levels = {}
    for k in range(1, len(models) + 1):
        counts = Counter()
        for doc, doc_votes in zip(cleaned_docs, votes):
            kept = {i for e in doc.ents for i in range(e.start, e.end)}
            target = {
                (e.start, e.end, e.label_)
                for e in gold_docs[sample_key(doc)].ents
                if not kept & set(range(e.start, e.end))
            }
            counts["gold_outside_kept"] += len(target)
            for (start, end, label), n in doc_votes.items():
                if n < k or kept & set(range(start, end)):
                    continue
                where = (
                    "missing"
                    if all(doc[i].ent_iob == 0 for i in range(start, end))
                    else "touches_o"
                )
                right = (start, end, label) in target
                counts["proposals"] += 1
                counts["right"] += right
                counts[f"proposals_{where}"] += 1
                counts[f"right_{where}"] += right
        levels[k] = {
            **counts,
            "precision": counts["right"] / counts["proposals"]
            if counts["proposals"]
            else None,
            "recall": counts["right"] / counts["gold_outside_kept"]
            if counts["gold_outside_kept"]
            else None,
        }
    result = {
        "cleaned": str(cleaned),
        "models": [str(m) for m in models],
        "agree": levels,
    }
    output.write_text(json.dumps(result, indent=2))
    typer.echo(json.dumps(levels, indent=1))


if __name__ == "__main__":
    typer.run(main)
