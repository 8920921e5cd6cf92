"""What every reader shares: checked token spans (`Ent`, `make_ent`, `check_spans`,
`set_entities`), new Docs over the cached blank pipeline (`blank`, `new_doc`), JSON
lines (`iter_json_lines`, the one iterator over a JSON-lines file; `json_object`, one
line) and the notes a reader leaves for the CLI (`ReadNotes`).

spaCy is imported by the Doc helpers when they are called, not with the module, so
scoring reads its JSON lines without importing spaCy."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from ..errors import DataError, DynCleanError
from ..util import PathLike
from .labels import check_label
from .text import decode_utf8

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

DAMAGED = "the file is damaged: write it again"


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
    import spacy

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
    from spacy.tokens import Doc

    return Doc(blank(lang).vocab, words=list(words))


def iter_json_lines(
    path: PathLike,
    hint: str = DAMAGED,
    what: str = "a line",
    loads: Callable[[str], Any] = json.loads,
) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for every non-blank line of the JSON-lines file `path`,
    streamed (an empty file has none). A line that is not a JSON object is a DataError
    naming the file and the line (as its `record`), with `hint`: what to do; a byte
    that is not UTF-8 is `text.decode_utf8`'s. `loads`: the parser (scores.jsonl keeps
    srsly's ujson, which is faster but can read a float one bit off json.loads)."""
    path = Path(path)
    if not path.is_file():
        raise DataError(path, "no such file")
    offset = 0
    with path.open("rb") as file_:
        for n, raw in enumerate(file_, start=1):
            text = decode_utf8(path, raw, offset, line=n).rstrip("\r\n")
            offset += len(raw)
            if text.strip():
                yield n, json_object(path, n, text, what, hint, loads)


def json_object(
    path: PathLike,
    line: int,
    text: str,
    what: str = "record",
    hint: str | None = None,
    loads: Callable[[str], Any] = json.loads,
) -> dict:
    """Parse one JSONL line (record `line`) that must hold a JSON object."""
    try:
        value = loads(text)
    except ValueError as err:
        raise DataError(
            path, _json_problem(text, err), record=line, hint=hint
        ) from None
    if not isinstance(value, dict):
        raise DataError(
            path,
            f"{what} must be a JSON object, got {type(value).__name__}",
            record=line,
            hint=hint,
        )
    return value


def _json_problem(text: str, err: ValueError) -> str:
    """What is wrong with a line `loads` refused: json.loads's column and message
    where it has them, else the parser's own message."""
    if not isinstance(err, json.JSONDecodeError):
        try:
            json.loads(text)
        except json.JSONDecodeError as precise:
            err = precise
        except ValueError:  # e.g. an integer too long for int()
            pass
    if isinstance(err, json.JSONDecodeError):
        return f"invalid JSON at column {err.colno}: {err.msg}"
    return f"invalid JSON ({err})"


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


OVERLAP = (
    "spaCy's ner takes no overlapping entities: keep one of the two in the input "
    "(usually the longer one, as `dynclean annotate` does with a dictionary's matches)"
)


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
                path,
                f"{prev.shown} and {ent.shown} overlap",
                record=record,
                hint=OVERLAP,
            )
    return ordered


def set_entities(path: PathLike, record: int, doc: Doc, ents: Sequence[Ent]) -> Doc:
    """Check token spans against the doc and set them; every other token becomes O."""
    from spacy.tokens import Span

    ordered = check_spans(path, record, ents, len(doc), "token")
    doc.set_ents(
        [Span(doc, e.start, e.end, label=e.label) for e in ordered], default="outside"
    )
    return doc
