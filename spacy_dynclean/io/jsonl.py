"""JSONL with character-offset spans → Doc, streamed line by line.

One JSON object per line; blank lines are errors, so record number = line number. Each
object has `text` and its entities, character offsets with the end exclusive, under:
- `spans`: `[{"start": 0, "end": 4, "label": "PER"}, ...]` (Prodigy; other keys ignored), or
- `entities` / `label`: `[[0, 4, "PER"], ...]` (doccano; objects as above and doccano's
  `start_offset` / `end_offset` keys work too).
Exactly one of those three must hold a list (`"spans": []` for a text without entities).
A label spaCy's ner cannot take (`O`, `-`, ...: `labels.check_label`) is refused.
Other fields are ignored, except a Prodigy `answer` other than "accept", which is an error.

The text is tokenised by `spacy.blank(lang)`. `alignment_mode`: `strict` (default) makes a
span off token boundaries an error; `expand` / `contract` snap it outwards / inwards and
list every span they changed in `notes.adjusted`.
"""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from spacy.tokens import Doc

from ..errors import DataError, DynCleanError
from ..util import PathLike
from .common import (
    Ent,
    ReadNotes,
    blank,
    check_spans,
    json_object,
    make_ent,
    set_entities,
)
from .ids import set_doc_id
from .text import iter_lines

SPAN_KEYS = ("spans", "entities", "label")
ALIGNMENT_MODES = ("strict", "expand", "contract")


def _char_ent(path: PathLike, n: int, raw: Any) -> Ent:
    """One raw span (object or [start, end, label] list) → Ent in character offsets."""
    shown = f"span {json.dumps(raw, ensure_ascii=False)}"
    if isinstance(raw, dict):
        start = raw.get("start", raw.get("start_offset"))
        end = raw.get("end", raw.get("end_offset"))
        if start is None or end is None or "label" not in raw:
            raise DataError(path, f"{shown} needs 'start', 'end' and 'label'", record=n)
        return make_ent(path, n, start, end, raw["label"], shown)
    if isinstance(raw, list) and len(raw) == 3:
        return make_ent(path, n, raw[0], raw[1], raw[2], shown)
    raise DataError(
        path,
        f"{shown} must be an object with start/end/label or [start, end, label]",
        record=n,
    )


def parse_record(path: PathLike, n: int, line: str) -> tuple[str, list[Ent]]:
    """One JSONL line → (text, checked character spans)."""
    record = json_object(path, n, line, "a record")
    if "text" not in record:
        raise DataError(path, "missing field 'text'", record=n)
    text = record["text"]
    if not isinstance(text, str):
        raise DataError(
            path, f"'text' must be a string, got {type(text).__name__}", record=n
        )
    if not text.strip():
        raise DataError(path, "empty text", record=n)
    if record.get("answer", "accept") != "accept":
        hint = "export only accepted annotations"
        raise DataError(
            path,
            f"the annotation's answer is {record['answer']!r}",
            record=n,
            hint=hint,
        )
    keys = [key for key in SPAN_KEYS if isinstance(record.get(key), list)]
    if len(keys) > 1:
        raise DataError(
            path, f"entities given twice, in {keys[0]!r} and {keys[1]!r}", record=n
        )
    if not keys:
        present = [key for key in SPAN_KEYS if key in record]
        problem = (
            f"{present[0]!r} must be a list" if present else "missing field 'spans'"
        )
        hint = 'or "entities" / "label"; write "spans": [] for a text without entities'
        raise DataError(path, problem, record=n, hint=None if present else hint)
    ents = [_char_ent(path, n, raw) for raw in record[keys[0]]]
    return text, check_spans(path, n, ents, len(text), "character")


def align(
    path: PathLike, n: int, doc: Doc, ent: Ent, mode: str, notes: ReadNotes
) -> Ent:
    """Character span → token span; `expand`/`contract` adjustments go to `notes.adjusted`."""
    span = doc.char_span(ent.start, ent.end, alignment_mode="strict")
    if span is not None:
        return Ent(span.start, span.end, ent.label, ent.shown)
    piece = doc.text[ent.start : ent.end]
    if mode == "strict":
        tokens = [t.text for t in doc if t.idx < ent.end and t.idx + len(t) > ent.start]
        hint = f"the tokens there are {tokens}; fix the offsets or pass --alignment-mode expand or contract"
        raise DataError(
            path,
            f"{ent.shown} ({piece!r}) does not fall on token boundaries",
            record=n,
            hint=hint,
        )
    span = doc.char_span(ent.start, ent.end, alignment_mode=mode)
    if span is None or len(span) == 0:
        problem = f"{ent.shown} ({piece!r}) covers no whole token, even with alignment mode {mode!r}"
        raise DataError(path, problem, record=n)
    notes.adjusted.append(f"record {n}: {ent.shown} {piece!r} -> {span.text!r}")
    return Ent(span.start, span.end, ent.label, ent.shown)


def read_jsonl(
    path: PathLike,
    lang: str = "en",
    alignment_mode: str = "strict",
    notes: ReadNotes | None = None,
) -> Iterator[Doc]:
    """Yield one Doc per line of a JSONL file, ids `<stem>:<line number>`."""
    if alignment_mode not in ALIGNMENT_MODES:
        raise DynCleanError(
            f"Unknown alignment mode {alignment_mode!r}: use one of {', '.join(ALIGNMENT_MODES)}"
        )
    return _read(
        path, lang, alignment_mode, notes if notes is not None else ReadNotes()
    )


def _read(path: PathLike, lang: str, mode: str, notes: ReadNotes) -> Iterator[Doc]:
    nlp, stem = blank(lang), Path(path).stem
    for n, line in iter_lines(path):
        if not line.strip():
            raise DataError(
                path,
                "blank line",
                record=n,
                hint="JSONL needs one JSON object per line",
            )
        text, ents = parse_record(path, n, line)
        doc = nlp.make_doc(text)
        doc = set_entities(
            path, n, doc, [align(path, n, doc, ent, mode, notes) for ent in ents]
        )
        yield set_doc_id(doc, f"{stem}:{n}")
