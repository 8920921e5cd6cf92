"""CoNLL-style columns → Doc, streamed line by line.

One token per line: the word in the first column, the tag in the last. Columns are
tab-separated when the line holds a tab (so a word may contain spaces), otherwise split
on whitespace. A blank line ends a sentence; `-DOCSTART-` lines are skipped (and end a
sentence too). One Doc per sentence, id `<stem>:<n>`, n = sentence number (1-based).

A tag is `O` or `P-TYPE`, P one of B I L U (E and S, from BIOES, are read as L and U);
TYPE must be a type spaCy's ner can take (`B-O` is refused: `labels.check_label`).
What each scheme accepts; everything else is a DataError naming the line:
- `bio` (IOB2, alias `iob2`): B-X starts an entity, I-X continues an X entity. I-X at the
  sentence start, after O or after a Y entity is an error.
- `iob1`: I-X continues an X entity, or starts one at the sentence start, after O or after
  a Y entity. B-X is only allowed right after an X entity (it separates two adjacent X
  entities); B-X elsewhere is an error.
- `biluo` (alias `bioes`): U-X is a one-token entity, otherwise B-X (I-X)* L-X. Errors:
  I-/L- without an open entity, a type change inside an entity, O/B-/U- while an entity
  is open, a sentence ending inside an entity.
- `auto` (default) reads the file twice: any L-/U-/E-/S- tag means biluo; else if some
  I-X starts an entity and no B-X ever does, iob1; else bio. The choice goes to the
  notes, so the CLI can report it.
"""

import re
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from spacy.tokens import Doc

from ..errors import DataError, DynCleanError
from ..util import PathLike
from .common import Ent, ReadNotes, new_doc, set_entities
from .ids import set_doc_id
from .labels import check_label
from .text import iter_lines

SCHEMES = {
    "auto": "auto",
    "bio": "bio",
    "iob2": "bio",
    "iob1": "iob1",
    "biluo": "biluo",
    "bioes": "biluo",
}
TAG = re.compile(r"^([BILUES])-(\S.*)$")
ALIASES = {"E": "L", "S": "U"}
DOCSTART = "-DOCSTART-"


class Row(NamedTuple):
    line: int
    word: str
    tag: str


def _fail(
    path: PathLike, n: int, row: Row, problem: str, hint: str | None = None
) -> DataError:
    return DataError(path, f"line {row.line}: {problem}", record=n, hint=hint)


def iter_sentences(path: PathLike) -> Iterator[tuple[int, list[Row]]]:
    """Stream `(sentence number, rows)`; malformed lines are DataErrors."""
    rows: list[Row] = []
    n = 1
    for number, line in iter_lines(path):
        cols = [
            col.strip() for col in (line.split("\t") if "\t" in line else line.split())
        ]
        if not any(cols) or cols[0] == DOCSTART:
            if rows:
                yield n, rows
                rows, n = [], n + 1
            continue
        if len(cols) < 2:
            problem = f"expected a token and a tag, got one column {line.strip()!r}"
            raise DataError(path, f"line {number}: {problem}", record=n)
        if not cols[0]:
            raise DataError(
                path, f"line {number}: the token (first column) is empty", record=n
            )
        rows.append(Row(number, cols[0], cols[-1]))
    if rows:
        yield n, rows


def _split_tag(path: PathLike, n: int, row: Row, scheme: str) -> tuple[str, str | None]:
    """`O` → ("O", None); `B-PER` → ("B", "PER"); bad or out-of-scheme tags are errors."""
    if row.tag == "O":
        return "O", None
    match = TAG.match(row.tag)
    if not match:
        raise _fail(
            path,
            n,
            row,
            f"invalid tag {row.tag!r} (expected O or B-/I-/L-/U- and a type)",
        )
    prefix = ALIASES.get(match.group(1), match.group(1))
    if prefix in "LU" and scheme != "biluo":
        hint = "pass --scheme biluo (or auto)"
        raise _fail(
            path,
            n,
            row,
            f"tag {row.tag!r} is not valid in the {scheme} scheme",
            hint=hint,
        )
    return prefix, check_label(
        path, n, match.group(2), f"line {row.line}: tag {row.tag!r}"
    )


def detect_scheme(path: PathLike) -> str:
    """Guess the scheme from the tags (see the module docstring)."""
    biluo = i_starts = b_starts = False
    for _, rows in iter_sentences(path):
        prev: str | None = None
        for row in rows:
            match = TAG.match(row.tag)
            prefix, kind = (match.group(1), match.group(2)) if match else ("O", None)
            biluo = biluo or prefix in "LUES"
            i_starts = i_starts or (prefix == "I" and prev != kind)
            b_starts = b_starts or (prefix == "B" and prev != kind)
            prev = kind
    if biluo:
        return "biluo"
    return "iob1" if i_starts and not b_starts else "bio"


def tags_to_ents(path: PathLike, n: int, rows: list[Row], scheme: str) -> list[Ent]:
    """Decode one sentence's tags into entities under `scheme` (bio, iob1 or biluo)."""
    ents: list[Ent] = []
    start: int | None = None  # index of the open entity's first token
    kind: str | None = None  # its type
    prev = "the sentence start"

    def close(end: int) -> None:
        nonlocal start, kind
        if start is not None and kind is not None:
            shown = f"entity {kind} at lines {rows[start].line}-{rows[end - 1].line}"
            ents.append(Ent(start, end, kind, shown))
        start, kind = None, None

    for i, row in enumerate(rows):
        prefix, typ = _split_tag(path, n, row, scheme)
        if scheme == "biluo":
            if prefix in "IL":
                if start is None:
                    raise _fail(
                        path,
                        n,
                        row,
                        f"{row.tag!r} after {prev!r} without a preceding B-{typ}",
                    )
                if typ != kind:
                    raise _fail(
                        path,
                        n,
                        row,
                        f"{row.tag!r} inside a {kind} entity: the type changes mid-entity",
                    )
                if prefix == "L":
                    close(i + 1)
            elif start is not None:
                problem = f"{row.tag!r} inside an unfinished {kind} entity (expected I-{kind} or L-{kind})"
                raise _fail(path, n, row, problem)
            else:
                start, kind = (i, typ) if prefix in "BU" else (None, None)
                if prefix == "U":
                    close(i + 1)
        elif prefix == "O":
            close(i)
        elif prefix == "I" and typ != kind:
            if scheme == "bio":
                problem = f"{row.tag!r} after {prev!r}: " + (
                    f"in BIO an entity must start with B-{typ}"
                    if kind is None
                    else f"the type changes mid-entity (in BIO a {typ} entity must start with B-{typ})"
                )
                raise _fail(
                    path,
                    n,
                    row,
                    problem,
                    hint="if the file is IOB1, pass --scheme iob1",
                )
            close(i)
            start, kind = i, typ
        elif prefix == "B":
            if scheme == "iob1" and typ != kind:
                problem = f"{row.tag!r} after {prev!r}: in IOB1, B- only separates two adjacent {typ} entities"
                raise _fail(
                    path,
                    n,
                    row,
                    problem,
                    hint="if the file is BIO (IOB2), pass --scheme bio",
                )
            close(i)
            start, kind = i, typ
        prev = row.tag
    if scheme == "biluo" and start is not None:
        raise _fail(
            path,
            n,
            rows[-1],
            f"sentence ends inside an unfinished {kind} entity (missing L-{kind})",
        )
    close(len(rows))
    return ents


def read_conll(
    path: PathLike,
    lang: str = "en",
    scheme: str = "auto",
    notes: ReadNotes | None = None,
) -> Iterator[Doc]:
    """Yield one Doc per sentence of a CoNLL-style file, ids `<stem>:<n>`."""
    name = SCHEMES.get(scheme.lower())
    if name is None:
        raise DynCleanError(
            f"Unknown tag scheme {scheme!r}: use one of {', '.join(SCHEMES)}"
        )
    return _read(path, lang, name, notes if notes is not None else ReadNotes())


def _read(path: PathLike, lang: str, scheme: str, notes: ReadNotes) -> Iterator[Doc]:
    notes.scheme_detected = scheme == "auto"
    scheme = notes.scheme = detect_scheme(path) if scheme == "auto" else scheme
    stem, count = Path(path).stem, 0
    for n, rows in iter_sentences(path):
        doc = new_doc(lang, [row.word for row in rows])
        doc = set_entities(path, n, doc, tags_to_ents(path, n, rows, scheme))
        yield set_doc_id(doc, f"{stem}:{n}")
        count = n
    if count == 0:
        raise DataError(path, "no sentences: only blank or -DOCSTART- lines")
