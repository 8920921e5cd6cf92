"""Distant labelling: raw text + a gazetteer → Docs whose every token is labelled.

Gazetteer formats (from the extension, or `gazetteer_format`); blank lines are skipped:
- JSONL (`.jsonl`): one object per line with `label` and either `term` (a string) or
  `pattern` (spaCy EntityRuler patterns: a string, or a list of token dicts with one key
  each, `ORTH`, `TEXT` or `LOWER`, and a string value). Other keys (`id`) are ignored.
- TSV (`.tsv`, `.txt`) / CSV (`.csv`): two columns, term and type. A first row that
  reads `term|name|pattern|text` and `type|label` (any case) is a header and skipped.
  One entry per line (CSV quotes may not span lines; TSV has no quoting).
A type spaCy's ner cannot take (`O`, `-`, ...: `labels.check_label`) is refused.
Terms are tokenised like the texts (`spacy.blank(lang)`, or whitespace with
`pretokenized`). A bad line is a DataError naming the file and line.

Matching rules:
- Case: an entry matches the exact token texts (`ORTH`); `lowercase` makes every entry
  match case-insensitively (`LOWER`), and so does a token pattern made of `LOWER` tokens.
- Ambiguity: a term listed under several types gets the type listed most often for it,
  ties going to the type listed first (terms are compared after lowercasing where they
  match case-insensitively). Such terms are counted in `Gazetteer.ambiguous`.
- Overlaps: of overlapping matches the longest wins, ties going to the earliest start
  (`spacy.util.filter_spans`); when a case-sensitive and a case-insensitive entry match
  the same tokens, the case-sensitive one wins. The losers are counted as dropped.
Every token outside a kept match is `O` (no missing labels).

Texts (`text_format` `txt` or `jsonl`, default from the extension): one document per
line, surrounding whitespace removed, ids `<file stem>:<line number>`. JSONL lines are
objects with a string `text`; an `id` (string or integer) becomes the sample id, other
fields are kept in `doc.user_data["dynclean_meta"]`. Blank lines are skipped and counted
(`AnnotateNotes.blank_lines`) in both formats, so ids keep their line numbers.
`read_texts`, `pipe_docs` and `write_annotated` (ids, JSONL fields, a .spacy file or a
folder of shards) are shared with the pipeline form (`annotate_pipeline.py`).
"""

import csv
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import (
    Any,
    NamedTuple,
)

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans
from tqdm import tqdm

from ..errors import DataError, DynCleanError
from ..util import PathLike
from .common import blank, json_object, new_doc
from .docbin import DocStats, output_shard_size, write_docbin
from .ids import set_doc_id
from .labels import check_label
from .text import iter_lines

META_KEY = "dynclean_meta"
GAZETTEER_EXTENSIONS = {".jsonl": "jsonl", ".tsv": "tsv", ".txt": "tsv", ".csv": "csv"}
TEXT_EXTENSIONS = {".txt": "txt", ".jsonl": "jsonl"}
HEADER_TERMS, HEADER_TYPES = {"term", "name", "pattern", "text"}, {"type", "label"}
PATTERN_ATTRS = {
    "ORTH": False,
    "TEXT": False,
    "LOWER": True,
}  # attribute → case-insensitive?

Tokenize = Callable[[str], list[str]]


class Key(NamedTuple):
    """A gazetteer term as matched: case-insensitive or not, and its (lowered) words."""

    lower: bool
    words: tuple[str, ...]

    @classmethod
    def of(cls, words: Iterable[str], lower: bool) -> "Key":
        return cls(lower, tuple(w.lower() for w in words) if lower else tuple(words))


@dataclass
class Gazetteer:
    """Terms with their resolved type; `senses` keeps every type listed, in listing order."""

    labels: dict[Key, str] = field(default_factory=dict)
    senses: dict[Key, Counter] = field(default_factory=dict)
    entries: int = 0

    def add(self, key: Key, label: str) -> None:
        self.entries += 1
        self.senses.setdefault(key, Counter())[label] += 1
        # max() keeps the first of equal counts, and a Counter iterates in listing order.
        self.labels[key] = max(self.senses[key].items(), key=lambda item: item[1])[0]

    @property
    def ambiguous(self) -> list[Key]:
        """Terms listed under more than one type."""
        return [key for key, senses in self.senses.items() if len(senses) > 1]


@dataclass
class AnnotateNotes:
    """What annotation did besides the entities: skipped lines, dropped and ambiguous matches."""

    blank_lines: int = 0
    matches: int = 0
    overlaps_dropped: int = 0
    ambiguous_matches: int = 0
    docs_without_entities: int = 0
    entities_dropped: int = 0  # a pipeline's entities of labels not kept (--labels)


def _bad(path: PathLike, line: int, problem: str, hint: str | None = None) -> DataError:
    return DataError(path, problem, record=line, hint=hint)


def _format(
    path: PathLike, given: str | None, extensions: dict[str, str], option: str
) -> str:
    """The file format: `given` if set, else from the extension."""
    choices = sorted(set(extensions.values()))
    if given is not None:
        if given.lower() not in choices:
            raise DynCleanError(
                f"Unknown {option} {given!r}: use one of {'|'.join(choices)}"
            )
        return given.lower()
    suffix = Path(path).suffix.lower()
    if suffix not in extensions:
        raise DataError(
            path,
            f"can't tell the format from the extension {suffix!r}",
            hint=f"pass {option} {'|'.join(choices)}",
        )
    return extensions[suffix]


def _string(path: PathLike, line: int, value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise _bad(
            path,
            line,
            f"the {what} must be a string, got {json.dumps(value, ensure_ascii=False)}",
        )
    if not value.strip():
        raise _bad(path, line, f"the {what} is empty")
    return value.strip()


def _token_pattern(
    path: PathLike, line: int, pattern: list, lowercase: bool
) -> tuple[list[str], bool]:
    """An EntityRuler token pattern of ORTH/TEXT/LOWER tokens → (words, case-insensitive)."""
    if not pattern:
        raise _bad(path, line, "the pattern is an empty list")
    words, lowers = [], set()
    for i, token in enumerate(pattern):
        shown = json.dumps(token, ensure_ascii=False)
        if not isinstance(token, dict) or len(token) != 1:
            raise _bad(
                path,
                line,
                f"pattern token {i} must be an object with one key (ORTH, TEXT or LOWER), got {shown}",
            )
        ((attr, value),) = token.items()
        if attr.upper() not in PATTERN_ATTRS:
            hint = "use a string pattern, or spaCy's EntityRuler for other token attributes"
            raise _bad(
                path,
                line,
                f"pattern token {i} uses {attr!r}: only ORTH, TEXT and LOWER can be matched",
                hint,
            )
        if not isinstance(value, str) or not value.strip():
            raise _bad(
                path,
                line,
                f"pattern token {i} needs a non-empty string value, got {shown}",
            )
        words.append(value.strip())
        lowers.add(PATTERN_ATTRS[attr.upper()])
    if len(lowers) > 1 and not lowercase:
        hint = "use LOWER for every token, or pass --lowercase"
        raise _bad(
            path,
            line,
            "the pattern mixes LOWER with ORTH/TEXT tokens; a phrase matches one attribute",
            hint,
        )
    return words, lowercase or lowers == {True}


def _jsonl_entry(
    path: PathLike, line: int, text: str, tokenize: Tokenize, lowercase: bool
) -> tuple[Key, str]:
    record = json_object(path, line, text, "an entry")
    if "label" not in record:
        raise _bad(path, line, "missing field 'label'")
    label = _string(path, line, record["label"], "label")
    keys = [key for key in ("term", "pattern") if key in record]
    if len(keys) != 1:
        problem = (
            "give either 'term' or 'pattern', not both"
            if keys
            else "missing field 'term' (or 'pattern')"
        )
        raise _bad(path, line, problem)
    value = record[keys[0]]
    if isinstance(value, list) and keys[0] == "pattern":
        words, lower = _token_pattern(path, line, value, lowercase)
    else:
        words, lower = tokenize(_string(path, line, value, keys[0])), lowercase
    check_label(
        path,
        line,
        label,
        f"{keys[0]} {json.dumps(value, ensure_ascii=False)}",
        item="entry",
    )
    return Key.of(words, lower), label


def _table_entries(path: PathLike, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """`(line, [term, type])` rows of a CSV/TSV gazetteer, header and blank lines skipped."""
    quoting = csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL
    first = True
    for n, line in iter_lines(path):
        if not line.strip():
            continue
        try:
            row = next(
                csv.reader([line], delimiter=delimiter, quoting=quoting, strict=True)
            )
        except csv.Error as err:
            raise _bad(path, n, f"bad CSV: {err}") from None
        if len(row) != 2:
            name = "tab" if delimiter == "\t" else "comma"
            raise _bad(
                path,
                n,
                f"expected 2 columns (term, type), got {len(row)}",
                hint=f"columns are {name}-separated",
            )
        header = (
            first
            and row[0].strip().lower() in HEADER_TERMS
            and row[1].strip().lower() in HEADER_TYPES
        )
        first = False
        if not header:
            yield n, row


def read_gazetteer(
    path: PathLike,
    tokenize: Tokenize,
    *,
    lowercase: bool = False,
    gazetteer_format: str | None = None,
) -> Gazetteer:
    """Read a gazetteer (JSONL, TSV or CSV) into resolved terms; bad lines are DataErrors."""
    if not Path(path).is_file():
        raise DataError(path, "file not found")
    kind = _format(path, gazetteer_format, GAZETTEER_EXTENSIONS, "--gazetteer-format")
    gazetteer = Gazetteer()
    if kind == "jsonl":
        for n, line in iter_lines(path):
            if line.strip():
                gazetteer.add(*_jsonl_entry(path, n, line, tokenize, lowercase))
    else:
        for n, (term, label) in _table_entries(path, "\t" if kind == "tsv" else ","):
            term = _string(path, n, term, "term")
            type_ = check_label(
                path,
                n,
                _string(path, n, label, "type"),
                f"term {json.dumps(term, ensure_ascii=False)}",
                item="entry",
            )
            gazetteer.add(Key.of(tokenize(term), lowercase), type_)
    if not gazetteer.entries:
        raise DataError(path, "the gazetteer has no entries")
    return gazetteer


class DictionaryMatcher:
    """PhraseMatchers (ORTH and LOWER) over a gazetteer; sets a doc's entities by the rules above."""

    def __init__(self, gazetteer: Gazetteer, nlp: Language) -> None:
        self.matchers = {
            False: PhraseMatcher(nlp.vocab, attr="ORTH"),
            True: PhraseMatcher(nlp.vocab, attr="LOWER"),
        }
        self.ambiguous = set(gazetteer.ambiguous)
        patterns: dict[tuple[bool, str], list[Doc]] = {}
        for key, label in gazetteer.labels.items():
            patterns.setdefault((key.lower, label), []).append(
                Doc(nlp.vocab, words=list(key.words))
            )
        for (lower, label), docs in patterns.items():
            self.matchers[lower].add(label, docs)

    def __call__(self, doc: Doc, notes: AnnotateNotes) -> Doc:
        """Set `doc.ents` from the matches (every other token O); count what was dropped."""
        spans, lower_of = [], {}
        for lower in (
            False,
            True,
        ):  # case-sensitive first: it wins ties (filter_spans is stable)
            for match_id, start, end in self.matchers[lower](doc):
                spans.append(Span(doc, start, end, label=match_id))
                lower_of.setdefault((start, end), lower)
        kept = filter_spans(spans)
        doc.set_ents(kept, default="outside")
        notes.matches += len(spans)
        notes.overlaps_dropped += len(spans) - len(kept)
        notes.docs_without_entities += not kept
        for span in kept:
            key = Key.of((t.text for t in span), lower_of[span.start, span.end])
            notes.ambiguous_matches += key in self.ambiguous
        return doc


class TextRecord(NamedTuple):
    """One document to annotate: its text, sample id and extra JSONL fields."""

    text: str
    doc_id: str
    meta: dict[str, Any]


def _jsonl_text(path: PathLike, n: int, line: str, stem: str) -> TextRecord:
    record = json_object(path, n, line, "a record")
    if "text" not in record:
        raise _bad(path, n, "missing field 'text'")
    text = _string(path, n, record.pop("text"), "text")
    doc_id = record.pop("id", None)
    if doc_id is None:
        doc_id = f"{stem}:{n}"
    elif (
        isinstance(doc_id, bool)
        or not isinstance(doc_id, (str, int))
        or not str(doc_id).strip()
    ):
        raise _bad(
            path,
            n,
            f"'id' must be a non-empty string or an integer, got {json.dumps(doc_id)}",
        )
    return TextRecord(text, str(doc_id), record)


def check_texts(path: PathLike, text_format: str | None) -> str:
    """The format of the text file `path` (txt or jsonl); a missing file is refused."""
    if not Path(path).is_file():
        raise DataError(path, "file not found")
    return _format(path, text_format, TEXT_EXTENSIONS, "--format")


def read_texts(
    path: PathLike, text_format: str | None, notes: AnnotateNotes
) -> Iterator[TextRecord]:
    """Stream the documents of a text file (txt or JSONL), skipping and counting blank lines."""
    kind = check_texts(path, text_format)
    stem, seen = Path(path).stem, {}
    for n, line in iter_lines(path):
        if not line.strip():
            notes.blank_lines += 1
            continue
        record = (
            _jsonl_text(path, n, line, stem)
            if kind == "jsonl"
            else TextRecord(line.strip(), f"{stem}:{n}", {})
        )
        if record.doc_id in seen:
            raise _bad(
                path,
                n,
                f"sample id {record.doc_id!r} is also used on line {seen[record.doc_id]}",
            )
        seen[record.doc_id] = n
        yield record


def pipe_docs(
    records: Iterable[TextRecord],
    nlp: Language,
    pretokenized: bool,
    n_process: int,
    batch_size: int,
) -> Iterator[tuple[Doc, TextRecord]]:
    """Tokenise: whitespace split, or `nlp.pipe` with batching and worker processes.
    An error while reading stops the input cleanly and is raised after the workers
    finished (raised inside spaCy's multiprocessing input, it would hang the pipe)."""
    if pretokenized:
        yield from ((new_doc(nlp.lang, r.text.split()), r) for r in records)
        return
    errors: list[DynCleanError] = []

    def guarded() -> Iterator[tuple[str, TextRecord]]:
        try:
            yield from ((r.text, r) for r in records)
        except DynCleanError as err:
            errors.append(err)

    yield from nlp.pipe(
        guarded(), as_tuples=True, n_process=n_process, batch_size=batch_size
    )
    if errors:
        raise errors[0]


def check_batching(n_process: int, batch_size: int) -> None:
    """Refuse worker or batch counts below 1."""
    if n_process < 1 or batch_size < 1:
        raise DynCleanError(
            f"--n-process and --batch-size must be at least 1, got {n_process} and {batch_size}"
        )


def write_annotated(
    pairs: Iterable[tuple[Doc, TextRecord]],
    label: Callable[[Doc], Doc],
    output_path: PathLike,
    shard_size: int | None = None,
    progress: bool | None = None,
) -> DocStats:
    """Label each doc, give it its record's id and JSONL fields, and write them (a .spacy
    file or a folder of shards, streamed, atomically). `progress`: a progress bar on
    stderr; None shows it only on a terminal."""
    bar = tqdm(
        pairs,
        desc="Annotating",
        unit=" docs",
        disable=None if progress is None else not progress,
    )

    def labelled() -> Iterator[Doc]:
        for doc, record in bar:
            doc = set_doc_id(label(doc), record.doc_id)
            if record.meta:
                doc.user_data[META_KEY] = record.meta
            yield doc

    try:
        return write_docbin(labelled(), output_path, shard_size)
    finally:
        bar.close()


def annotate_file(
    texts_path: PathLike,
    gazetteer_path: PathLike,
    output_path: PathLike,
    *,
    lang: str = "en",
    lowercase: bool = False,
    text_format: str | None = None,
    gazetteer_format: str | None = None,
    pretokenized: bool = False,
    n_process: int = 1,
    batch_size: int = 1000,
    shard_size: int | None = None,
    progress: bool | None = None,
) -> tuple[DocStats, AnnotateNotes, Gazetteer]:
    """Label the texts with the gazetteer and write a .spacy DocBin or a folder of
    shards (atomically, nothing on error)."""
    output_shard_size(Path(output_path), shard_size)
    check_batching(n_process, batch_size)
    nlp = blank(lang)
    tokenize: Tokenize = (
        str.split
        if pretokenized
        else (lambda text: [t.text for t in nlp.make_doc(text)])
    )
    gazetteer = read_gazetteer(
        gazetteer_path, tokenize, lowercase=lowercase, gazetteer_format=gazetteer_format
    )
    matcher, notes = DictionaryMatcher(gazetteer, nlp), AnnotateNotes()
    records = read_texts(texts_path, text_format, notes)
    pairs = pipe_docs(records, nlp, pretokenized, n_process, batch_size)
    stats = write_annotated(
        pairs, lambda doc: matcher(doc, notes), output_path, shard_size, progress
    )
    return stats, notes, gazetteer
