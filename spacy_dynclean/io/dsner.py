"""DS-NER JSON ⇄ Doc, plus the pieces every reader shares.

DS-NER JSON is one list of `{"tokens": [...], "entities": [[first, last, label], ...]}`,
token indices inclusive, no missing labels. Its token spans are the common ground of
all readers, so this module also holds what the CoNLL, JSONL and DocBin readers reuse:
span checks (`make_ent`, `set_entities`), the entity type check (`check_label`), JSONL
lines (`json_object`), the cached blank pipeline (`blank`) and the read notes. The file
is streamed: one record in memory at a time.
"""
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Iterator, NamedTuple, Optional, Sequence

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

from ..util import atomic_output
from ..errors import DataError, DynCleanError
from .ids import get_doc_id, set_doc_id
from .jsonarray import iter_json_array
from .text import PathLike

FAKE_LABEL = "DYNCLEAN_FAKE"  # the type of the threshold samples' fake entities (`dynamics.component`)
# Types no reader may set, and why (spaCy 3.8 sources): "O" is the tag of a non-entity token
# (`ner.pyx`: MOVE_NAMES[OUT] = 'O'; `iob_utils.py`: "O" denotes a non-entity token) and the
# non-entity class of dynclean's layouts and scores, which drop a type "O" (so `clean` would
# find another fingerprint); "-" is the tag of a missing label (`ner.pyx` lookup_transition:
# name == '-' is MISSING; `iob_utils.py` tags_to_entities: a tag starting with "-").
RESERVED_LABELS = {
    "O": "spaCy's ner uses O for non-entities",
    "-": "spaCy's ner reads - as a missing label",
    FAKE_LABEL: "spacy-dynclean reserves it for the fake entities of its threshold samples",
}


def label_problem(label: str, item: str = "entity") -> Optional[tuple[str, str]]:
    """(problem, hint) if the non-empty string `label` can't be an entity type, else None;
    `item`: what the hint tells the user to drop (an entity, a gazetteer entry)."""
    if label in RESERVED_LABELS:
        return f"label {label!r} is not an entity type", f"{RESERVED_LABELS[label]}; drop the {item} or rename the type"
    if label.startswith("!"):  # `ner.pyx` lookup_transition: "U-!X" raises E869 in training
        return (f"label {label!r} starts with '!'",
                "spaCy's ner refuses it, error E869: the old notation for 'not this entity'; rename the type")
    if label != label.strip():
        return f"label {label!r} starts or ends with whitespace", f"remove the whitespace: {label.strip()!r}"
    return None


def check_label(path: PathLike, record: Optional[int], label: str, shown: str, item: str = "entity") -> str:
    """Refuse an entity type spaCy's ner (or dynclean) cannot take (`label_problem`);
    returns `label`. Every reader's types pass here."""
    problem = label_problem(label, item)
    if problem is not None:
        raise DataError(path, f"{shown}: {problem[0]}", record=record, hint=problem[1])
    return label


class Ent(NamedTuple):
    """A checked entity: token offsets (end exclusive), label, and how the input wrote it."""

    start: int
    end: int
    label: str
    shown: str


@dataclass
class ReadNotes:
    """What a reader did that the user should hear about (filled while reading)."""

    scheme: Optional[str] = None
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
        raise DynCleanError(f"Unknown language code {lang!r} for spacy.blank: {err}") from None


def json_object(path: PathLike, line: int, text: str, what: str = "record") -> dict:
    """Parse one JSONL line (record `line`) that must hold a JSON object."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as err:
        raise DataError(path, f"invalid JSON at column {err.colno}: {err.msg}", record=line) from None
    if not isinstance(value, dict):
        raise DataError(path, f"{what} must be a JSON object, got {type(value).__name__}", record=line)
    return value


def make_ent(
    path: PathLike, record: int, start: Any, end: Any, label: Any, shown: str, inclusive: bool = False
) -> Ent:
    """Type-check one raw span (ints, non-empty string label) into an Ent (end exclusive)."""
    for value in (start, end):
        if not isinstance(value, int) or isinstance(value, bool):
            raise DataError(path, f"{shown}: offsets must be integers, got {value!r}", record=record)
    if not isinstance(label, str) or not label.strip():
        raise DataError(path, f"{shown}: label must be a non-empty string", record=record)
    return Ent(start, end + 1 if inclusive else end, label, shown)


def check_spans(path: PathLike, record: int, ents: Sequence[Ent], length: int, unit: str) -> list[Ent]:
    """Range, order, overlap and type checks shared by all readers; returns the ents sorted."""
    for ent in ents:
        check_label(path, record, ent.label, ent.shown)
        if ent.end <= ent.start:
            problem = f"{ent.shown} is reversed or empty (its end must come after its start)"
            raise DataError(path, problem, record=record)
        if ent.start < 0 or ent.end > length:
            raise DataError(path, f"{ent.shown} is out of range for {length} {unit}s", record=record)
    ordered = sorted(ents, key=lambda ent: (ent.start, ent.end))
    for prev, ent in zip(ordered, ordered[1:]):
        if ent.start < prev.end:
            raise DataError(path, f"{prev.shown} and {ent.shown} overlap", record=record)
    return ordered


def set_entities(path: PathLike, record: int, doc: Doc, ents: Sequence[Ent]) -> Doc:
    """Check token spans against the doc and set them; every other token becomes O."""
    ordered = check_spans(path, record, ents, len(doc), "token")
    doc.set_ents([Span(doc, e.start, e.end, label=e.label) for e in ordered], default="outside")
    return doc


def new_doc(lang: str, words: Sequence[str]) -> Doc:
    """A Doc of pre-tokenized `words`, no sentence boundaries. The original
    whitespace is unknown (`doc.has_unknown_spaces`), so spaCy's training and
    evaluation keep these tokens instead of re-tokenizing the text."""
    return Doc(blank(lang).vocab, words=list(words))


def record_to_doc(record: Any, path: PathLike = "<record>", n: int = 1, lang: str = "en") -> Doc:
    """One DS-NER dict → Doc with entities (no id); any defect is a DataError."""
    if not isinstance(record, dict):
        got = type(record).__name__
        raise DataError(path, f"a record must be an object with 'tokens' and 'entities', got {got}", record=n)
    for key in ("tokens", "entities"):
        if key not in record:
            raise DataError(path, f"missing field {key!r}", record=n)
    extra = sorted(set(record) - {"tokens", "entities"})
    if extra:
        hint = "DS-NER records have only 'tokens' and 'entities'"
        raise DataError(path, f"unknown field(s) {extra}", record=n, hint=hint)
    tokens, entities = record["tokens"], record["entities"]
    if not isinstance(tokens, list):
        raise DataError(path, f"'tokens' must be a list of strings, got {type(tokens).__name__}", record=n)
    if not tokens:
        raise DataError(path, "empty sentence: 'tokens' is an empty list", record=n)
    for i, token in enumerate(tokens):
        if not isinstance(token, str) or not token:
            raise DataError(path, f"token {i} must be a non-empty string, got {token!r}", record=n)
    if not isinstance(entities, list):
        raise DataError(path, f"'entities' must be a list, got {type(entities).__name__}", record=n)
    ents = []
    for raw in entities:
        shown = f"entity {json.dumps(raw, ensure_ascii=False)}"
        if not isinstance(raw, list) or len(raw) != 3:
            raise DataError(path, f"{shown} must be [first, last, label]", record=n)
        ents.append(make_ent(path, n, raw[0], raw[1], raw[2], shown, inclusive=True))
    return set_entities(path, n, new_doc(lang, tokens), ents)


def read_dsner(path: PathLike, lang: str = "en", notes: Optional[ReadNotes] = None) -> Iterator[Doc]:
    """Yield one Doc per record of a DS-NER JSON file, ids `<stem>:<n>` (`notes`: unused)."""
    stem, n = Path(path).stem, 0
    for n, record in enumerate(iter_json_array(path), start=1):
        yield set_doc_id(record_to_doc(record, path, n, lang), f"{stem}:{n}")
    if n == 0:
        raise DataError(path, "the list is empty: no records")


def doc_to_dsner(doc: Doc, where: Optional[str] = None) -> dict[str, Any]:
    """Doc → `{"tokens", "entities"}`; docs with missing (unknown-label) tokens are refused."""
    where = where or get_doc_id(doc) or "doc"
    if len(doc) == 0:
        raise DataError(where, "doc has no tokens; DS-NER needs at least one")
    missing = [t.i for t in doc if t.ent_iob == 0]
    if missing:
        problem = f"{len(missing)} token(s) have missing labels (first: token {missing[0]})"
        raise DataError(where, problem, hint="DS-NER JSON has no way to mark a label as unknown")
    return {"tokens": [t.text for t in doc], "entities": [[e.start, e.end - 1, e.label_] for e in doc.ents]}


def write_dsner(docs: Iterable[Doc], path: PathLike) -> int:
    """Write docs as a DS-NER JSON list, one record a line (atomically); returns the number written."""
    n = 0
    with atomic_output(path) as tmp, tmp.open("w", encoding="utf-8") as file:
        file.write("[")
        for n, doc in enumerate(docs, start=1):
            record = json.dumps(doc_to_dsner(doc, where=f"{path}, doc {n}"), ensure_ascii=False)
            file.write(("\n" if n == 1 else ",\n") + record)
        file.write("\n]\n")
    return n
