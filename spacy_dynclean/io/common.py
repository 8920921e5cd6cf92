"""What every reader shares: checked token spans (`Ent`, `make_ent`, `check_spans`,
`set_entities`), new Docs over the cached blank pipeline (`blank`, `new_doc`), JSONL
lines (`json_object`) and the notes a reader leaves for the CLI (`ReadNotes`)."""

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

from ..errors import DataError, DynCleanError
from ..util import PathLike
from .labels import check_label


class Ent(NamedTuple):
    """A checked entity: token offsets (end exclusive), label, and how the input wrote it."""

    start: int
    end: int
    label: str
    shown: str


@dataclass
class ReadNotes:
    """What a reader did that the user should hear about (filled while reading)."""

    scheme: str | None = None
    scheme_detected: bool = False
    adjusted: list[str] = field(default_factory=list)
    ids_assigned: int = 0
    docs_with_missing: int = 0


@lru_cache(maxsize=None)
def blank(lang: str) -> Language:
    """`spacy.blank(lang)`, cached; an unknown code is a DynCleanError."""
    try:
        return spacy.blank(lang)
    except ImportError as err:
        raise DynCleanError(
            f"Unknown language code {lang!r} for spacy.blank: {err}"
        ) from None


def new_doc(lang: str, words: Sequence[str]) -> Doc:
    """A Doc of pre-tokenized `words`, no sentence boundaries. The original
    whitespace is unknown (`doc.has_unknown_spaces`), so spaCy's training and
    evaluation keep these tokens instead of re-tokenizing the text."""
    return Doc(blank(lang).vocab, words=list(words))


def json_object(path: PathLike, line: int, text: str, what: str = "record") -> dict:
    """Parse one JSONL line (record `line`) that must hold a JSON object."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as err:
        raise DataError(
            path, f"invalid JSON at column {err.colno}: {err.msg}", record=line
        ) from None
    if not isinstance(value, dict):
        raise DataError(
            path,
            f"{what} must be a JSON object, got {type(value).__name__}",
            record=line,
        )
    return value


def make_ent(
    path: PathLike,
    record: int,
    start: Any,
    end: Any,
    label: Any,
    shown: str,
    inclusive: bool = False,
) -> Ent:
    """Type-check one raw span (ints, non-empty string label) into an Ent (end exclusive)."""
    for value in (start, end):
        if not isinstance(value, int) or isinstance(value, bool):
            raise DataError(
                path, f"{shown}: offsets must be integers, got {value!r}", record=record
            )
    if not isinstance(label, str) or not label.strip():
        raise DataError(
            path, f"{shown}: label must be a non-empty string", record=record
        )
    return Ent(start, end + 1 if inclusive else end, label, shown)


def check_spans(
    path: PathLike, record: int, ents: Sequence[Ent], length: int, unit: str
) -> list[Ent]:
    """Range, order, overlap and type checks shared by all readers; returns the ents sorted."""
    for ent in ents:
        check_label(path, record, ent.label, ent.shown)
        if ent.end <= ent.start:
            problem = (
                f"{ent.shown} is reversed or empty (its end must come after its start)"
            )
            raise DataError(path, problem, record=record)
        if ent.start < 0 or ent.end > length:
            raise DataError(
                path, f"{ent.shown} is out of range for {length} {unit}s", record=record
            )
    ordered = sorted(ents, key=lambda ent: (ent.start, ent.end))
    for prev, ent in zip(ordered, ordered[1:]):
        if ent.start < prev.end:
            raise DataError(
                path, f"{prev.shown} and {ent.shown} overlap", record=record
            )
    return ordered


def set_entities(path: PathLike, record: int, doc: Doc, ents: Sequence[Ent]) -> Doc:
    """Check token spans against the doc and set them; every other token becomes O."""
    ordered = check_spans(path, record, ents, len(doc), "token")
    doc.set_ents(
        [Span(doc, e.start, e.end, label=e.label) for e in ordered], default="outside"
    )
    return doc
