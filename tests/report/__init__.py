"""A tiny scored and cleaned corpus for the report tests, built by hand: four docs,
a scores folder with two runs' cuts and threshold samples, the real cleaning's
audit and cleaned DocBin, and gold docs with the same ids."""

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import srsly
from spacy.tokens import Doc

from spacy_dynclean.cleaning.clean import clean_docbin
from spacy_dynclean.cleaning.recipes import load_recipe

from ..cleaning.helpers import flag, make_doc, write_docbin, write_scores_dir

T_POS, T_NEG = 0.5, 3.0
SCRIPT = "<script>alert(1)</script>"
# words, distant entities, gold entities
DOCS: list[tuple[list[str], list[tuple[int, int, str]], list[tuple[int, int, str]]]] = [
    (
        "Alice lives in Paris today".split(),
        [(0, 1, "PER"), (3, 4, "LOC")],
        [(0, 1, "PER"), (3, 4, "LOC")],
    ),
    (
        "Bob met Carol in Rome".split(),
        [(0, 1, "PER"), (2, 3, "PER"), (4, 5, "LOC")],
        [(0, 1, "PER"), (2, 4, "LOC"), (4, 5, "LOC")],
    ),
    ("Nothing happened here .".split(), [], []),
    ([SCRIPT, "&", "Mallory"], [(2, 3, "PER")], [(0, 1, "PER"), (2, 3, "PER")]),
]
# (doc index, start, end, kind, label, aum): the flagged items
FLAGGED = [
    (0, 3, 4, "entity", "LOC", -1.5),
    (0, 4, 5, "non_entity", "O", 2.0),
    (1, 2, 3, "entity", "PER", -0.5),
    (1, 3, 4, "non_entity", "O", 1.0),
    (3, 0, 1, "non_entity", "O", 2.5),
]


@dataclass
class Inputs:
    data: Path
    scores: Path
    audit: Path
    cleaned: Path
    gold: Path
    docs: list[Doc]


def score_rows(docs: Sequence[Doc]) -> list[dict[str, Any]]:
    """scores.jsonl rows: every entity and non-entity token, 2 fake samples of each kind."""
    flagged = {(d, s, e, k): aum for d, s, e, k, _, aum in FLAGGED}
    rows = []
    for i, doc in enumerate(docs):
        doc_id = doc.user_data["dynclean_id"]
        items = [(e.start, e.end, "entity", e.label_) for e in doc.ents]
        items += [(t.i, t.i + 1, "non_entity", "O") for t in doc if t.ent_iob_ == "O"]
        for start, end, kind, label in sorted(items):
            key = (i, start, end, kind)
            aum = flagged.get(key, 4.0 + start)
            rows.append(
                flag(
                    doc_id,
                    start,
                    end,
                    kind,
                    label,
                    aum=aum,
                    threshold=T_POS if kind == "entity" else T_NEG,
                    flagged=key in flagged,
                    doc=i,
                    variability=0.05 * (start + 1),
                    confidence=0.3 if key in flagged else 0.9,
                )
            )
    fakes = [
        (0, 0, 1, "fake_pos", "FAKE", "PER", -1.0),
        (1, 4, 5, "fake_pos", "FAKE", "LOC", 0.7),
        (1, 0, 1, "fake_neg", "O", "PER", 2.0),
        (3, 2, 3, "fake_neg", "O", "PER", 3.5),
    ]
    for i, start, end, kind, label, original, aum in fakes:
        rows.append(
            flag(
                docs[i].user_data["dynclean_id"],
                start,
                end,
                kind,
                label,
                aum=aum,
                flagged=False,
                judged=False,
                original=original,
                doc=i,
            )
        )
    return sorted(rows, key=lambda r: (r["doc"], r["start"], r["end"], r["kind"]))


def build_inputs(tmp_path: Path) -> Inputs:
    """Write data, scores, audit, cleaned data and gold into `tmp_path`; the entity
    a flagged non-entity overlaps is kept (`neighbour_action="keep"`), so that every
    page element shows."""
    docs = [
        make_doc(words, ents, f"train:{n}")
        for n, (words, ents, _) in enumerate(DOCS, start=1)
    ]
    gold = [
        make_doc(words, ents, f"train:{n}")
        for n, (words, _, ents) in enumerate(DOCS, start=1)
    ]
    data = write_docbin(docs, tmp_path / "train.spacy")
    scores = write_scores_dir(tmp_path / "scores", score_rows(docs), docs=docs)
    thresholds = srsly.read_json(scores / "thresholds.json")
    thresholds.update(
        p_pos=0.0,
        p_neg=90.0,
        notes=["a note for the reader"],
        runs=[
            {
                "fold": 0,
                "t_pos": T_POS,
                "t_neg": T_NEG,
                "n_fake_pos": 1,
                "n_fake_neg": 1,
                "per_type": None,
            },
            {
                "fold": 1,
                "t_pos": T_POS + 0.1,
                "t_neg": T_NEG - 0.1,
                "n_fake_pos": 1,
                "n_fake_neg": 1,
                "per_type": None,
            },
        ],
    )
    srsly.write_json(scores / "thresholds.json", thresholds)
    audit, cleaned = tmp_path / "audit.jsonl", tmp_path / "cleaned.spacy"
    clean_docbin(
        data,
        scores,
        cleaned,
        load_recipe("cleaned", {"cleaning.rules": ["aum_flags", "capitalised_edges"]}),
        audit_path=audit,
    )
    return Inputs(
        data, scores, audit, cleaned, write_docbin(gold, tmp_path / "gold.spacy"), docs
    )
