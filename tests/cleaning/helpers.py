"""Docs and flag rows built by hand for the cleaning tests."""

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import srsly
from spacy.tokens import Doc, DocBin, Span
from spacy.vocab import Vocab

from spacy_dynclean.cleaning.audit import Decision
from spacy_dynclean.cleaning.clean import clean_docs, flagged_rows_by_doc
from spacy_dynclean.cleaning.recipes import Recipe
from spacy_dynclean.cleaning.repair import RepairRule
from spacy_dynclean.cleaning.rules import (
    AddedEntries,
    AumFlags,
    CleaningContext,
    with_capitalised_decisions,
    with_entry_decisions,
    with_neighbour_decisions,
)
from spacy_dynclean.io.fingerprint import fingerprint_docs
from spacy_dynclean.io.ids import get_doc_id, set_doc_id

VOCAB = Vocab()


def make_doc(
    words: Sequence[str],
    ents: Sequence[tuple[int, int, str]],
    doc_id: str,
    missing: Sequence[tuple[int, int]] = (),
) -> Doc:
    doc = Doc(VOCAB, words=list(words))
    doc.set_ents(
        [Span(doc, s, e, label=lab) for s, e, lab in ents],
        missing=[Span(doc, s, e) for s, e in missing],
        default="outside",
    )
    return set_doc_id(doc, doc_id)


def flag(
    doc_id: str,
    start: int,
    end: int,
    kind: str = "entity",
    label: str = "O",
    aum: float = -1.0,
    threshold: float = 0.0,
    flagged: bool = True,
    **extra: Any,
) -> dict[str, Any]:
    """A scores.jsonl row."""
    return {
        "doc_id": doc_id,
        "doc": 0,
        "start": start,
        "end": end,
        "kind": kind,
        "label": label,
        "original": label,
        "aum": aum,
        "threshold": threshold,
        "flagged": flagged,
        "judged": True,
        "confidence": 0.5,
        "variability": 0.1,
        "correctness": 0.5,
        "run": 0,
        "n_runs": 1,
        **extra,
    }


def decision(*args: Any, repair: str | None = None, **kwargs: Any) -> Decision:
    """The decision on the flagged row `flag(*args, **kwargs)`, repaired to `repair`."""
    return Decision.from_row(flag(*args, **kwargs), repair)


def ents_of(doc: Doc) -> list[tuple[int, int, str]]:
    return [(e.start, e.end, e.label_) for e in doc.ents]


def write_docbin(docs: Sequence[Doc], path: Path) -> Path:
    DocBin(docs=docs, store_user_data=True).to_disk(path)
    return path


def write_scores_dir(
    path: Path,
    rows: Sequence[dict[str, Any]],
    head: str = "token",
    docs: Sequence[Doc] = (),
) -> Path:
    """A scores folder by hand: scores.jsonl + thresholds.json (fingerprinted from `docs`)."""
    path.mkdir(parents=True, exist_ok=True)
    labels = ["O", "PER", "LOC", "FAKE"]
    srsly.write_jsonl(path / "scores.jsonl", rows)
    srsly.write_json(
        path / "thresholds.json",
        {
            "fingerprint": fingerprint_docs(docs, ["PER", "LOC"]),
            "head": head,
            "labels": labels,
            "item_labels": labels,
            "entity_types": ["PER", "LOC"],
            "fake_label": "FAKE",
            "runs": [],
        },
    )
    return path


def redone(doc: Doc, words: Sequence[str]) -> Doc:
    """`doc` with other `words` (its entities and id kept where they still fit)."""
    new = Doc(doc.vocab, words=list(words))
    new.set_ents(
        [
            Span(new, e.start, e.end, label=e.label_)
            for e in doc.ents
            if e.end <= len(new)
        ],
        default="outside",
    )
    return set_doc_id(new, str(get_doc_id(doc)))


def recipe_of(
    *,
    entity_action: str = "missing",
    neighbours: bool = True,
    capitalised: bool = True,
    repair: RepairRule | None = None,
) -> Recipe:
    """The `cleaned_added` recipe's rules, built directly, with some turned off."""
    rules: dict[str, Any] = {
        "aum_flags": AumFlags(repair=repair),
        "dictionary_entries": with_entry_decisions,
    }
    if capitalised:
        rules["capitalised_edges"] = with_capitalised_decisions
    if neighbours:
        rules["neighbours"] = with_neighbour_decisions
    rules["added_entries"] = AddedEntries()
    return Recipe("test", rules, entity_action)


def clean_with(
    docs: Sequence[Doc],
    rows: Sequence[dict[str, Any]] = (),
    entries: Any = None,
    types: Sequence[str] = (),
    recipe: Recipe | None = None,
    **settings: Any,
) -> Iterator[tuple[Doc, list[Decision]]]:
    """`clean_docs` with `recipe` (default: `recipe_of(**settings)`), the flag rows
    `rows` and the flagged entries `entries`."""
    context = CleaningContext(flagged_rows_by_doc(rows), types, entries or {})
    return clean_docs(docs, recipe or recipe_of(**settings), context)
