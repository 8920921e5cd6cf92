"""DS-NER JSON ⇄ Doc.

DS-NER JSON is one list of `{"tokens": [...], "entities": [[first, last, label], ...]}`,
token indices inclusive, no missing labels. The file is streamed: one record in memory
at a time.
"""

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from spacy.tokens import Doc

from ..errors import DataError
from ..util import PathLike, atomic_output
from .common import ReadNotes, make_ent, new_doc, set_entities
from .ids import get_doc_id, set_doc_id
from .jsonarray import iter_json_array


def record_to_doc(
    record: Any, path: PathLike = "<record>", n: int = 1, lang: str = "en"
) -> Doc:
    """One DS-NER dict → Doc with entities (no id); any defect is a DataError."""
    if not isinstance(record, dict):
        got = type(record).__name__
        raise DataError(
            path,
            f"a record must be an object with 'tokens' and 'entities', got {got}",
            record=n,
        )
    for key in ("tokens", "entities"):
        if key not in record:
            raise DataError(path, f"missing field {key!r}", record=n)
    extra = sorted(set(record) - {"tokens", "entities"})
    if extra:
        hint = "DS-NER records have only 'tokens' and 'entities'"
        raise DataError(path, f"unknown field(s) {extra}", record=n, hint=hint)
    tokens, entities = record["tokens"], record["entities"]
    if not isinstance(tokens, list):
        raise DataError(
            path,
            f"'tokens' must be a list of strings, got {type(tokens).__name__}",
            record=n,
        )
    if not tokens:
        raise DataError(path, "empty sentence: 'tokens' is an empty list", record=n)
    for i, token in enumerate(tokens):
        if not isinstance(token, str) or not token:
            raise DataError(
                path, f"token {i} must be a non-empty string, got {token!r}", record=n
            )
    if not isinstance(entities, list):
        raise DataError(
            path, f"'entities' must be a list, got {type(entities).__name__}", record=n
        )
    ents = []
    for raw in entities:
        shown = f"entity {json.dumps(raw, ensure_ascii=False)}"
        if not isinstance(raw, list) or len(raw) != 3:
            raise DataError(path, f"{shown} must be [first, last, label]", record=n)
        ents.append(make_ent(path, n, raw[0], raw[1], raw[2], shown, inclusive=True))
    return set_entities(path, n, new_doc(lang, tokens), ents)


def read_dsner(
    path: PathLike, lang: str = "en", notes: ReadNotes | None = None
) -> Iterator[Doc]:
    """Yield one Doc per record of a DS-NER JSON file, ids `<stem>:<n>` (`notes`: unused)."""
    stem, n = Path(path).stem, 0
    for n, record in enumerate(iter_json_array(path), start=1):
        yield set_doc_id(record_to_doc(record, path, n, lang), f"{stem}:{n}")
    if n == 0:
        raise DataError(path, "the list is empty: no records")


def doc_to_dsner(doc: Doc, where: str | None = None) -> dict[str, Any]:
    """Doc → `{"tokens", "entities"}`; docs with missing (unknown-label) tokens are refused."""
    where = where or get_doc_id(doc) or "doc"
    if len(doc) == 0:
        raise DataError(where, "doc has no tokens; DS-NER needs at least one")
    missing = [t.i for t in doc if t.ent_iob == 0]
    if missing:
        problem = (
            f"{len(missing)} token(s) have missing labels (first: token {missing[0]})"
        )
        raise DataError(
            where, problem, hint="DS-NER JSON has no way to mark a label as unknown"
        )
    return {
        "tokens": [t.text for t in doc],
        "entities": [[e.start, e.end - 1, e.label_] for e in doc.ents],
    }


def write_dsner(docs: Iterable[Doc], path: PathLike) -> int:
    """Write docs as a DS-NER JSON list, one record a line (atomically); returns the number written."""
    n = 0
    with atomic_output(path) as tmp, tmp.open("w", encoding="utf-8") as file:
        file.write("[")
        for n, doc in enumerate(docs, start=1):
            record = json.dumps(
                doc_to_dsner(doc, where=f"{path}, doc {n}"), ensure_ascii=False
            )
            file.write(("\n" if n == 1 else ",\n") + record)
        file.write("\n]\n")
    return n
