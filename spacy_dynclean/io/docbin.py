"""DocBin (.spacy) files with sample ids, the `read_docs` dispatcher and `convert_file`."""
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, Optional

from spacy.tokens import Doc, DocBin

from ..errors import DataError, DynCleanError
from .conll import read_conll
from ..util import atomic_write
from .dsner import PathLike, ReadNotes, blank, read_dsner
from .ids import get_doc_id, set_doc_id
from .jsonl import read_jsonl

FORMATS = {"json": "json", "dsner": "json", "jsonl": "jsonl", "conll": "conll", "spacy": "spacy"}
EXTENSIONS = {
    ".json": "json",
    ".jsonl": "jsonl",
    ".conll": "conll",
    ".txt": "conll",
    ".iob": "conll",
    ".bio": "conll",
    ".tsv": "conll",
    ".spacy": "spacy",
}


@dataclass
class DocStats:
    """Counts over the docs written: docs, tokens and entities per label."""

    docs: int = 0
    tokens: int = 0
    entities: Counter = field(default_factory=Counter)


def read_docbin(path: PathLike, lang: str = "en", notes: Optional[ReadNotes] = None) -> Iterator[Doc]:
    """Yield the docs of a .spacy file; a doc without an id gets `<stem>:<n>`."""
    notes = notes if notes is not None else ReadNotes()
    data = Path(path).read_bytes()
    if not data:
        raise DataError(path, "file is empty")
    try:
        docbin = DocBin(store_user_data=True).from_bytes(data)
    except (ValueError, KeyError, TypeError, IndexError) as err:  # zlib/msgpack/layout
        raise DataError(path, f"not a spaCy DocBin ({type(err).__name__}: {err})") from None
    if len(docbin) == 0:
        raise DataError(path, "the DocBin holds no docs")
    return _ids(path, docbin.get_docs(blank(lang).vocab), notes)


def _ids(path: PathLike, docs: Iterable[Doc], notes: ReadNotes) -> Iterator[Doc]:
    seen: dict[str, int] = {}
    stem = Path(path).stem
    for n, doc in enumerate(docs, start=1):
        if len(doc) == 0:
            raise DataError(path, "empty doc: no tokens", record=n)
        if get_doc_id(doc) is None:
            set_doc_id(doc, f"{stem}:{n}")
            notes.ids_assigned += 1
        doc_id = get_doc_id(doc)
        if doc_id in seen:
            raise DataError(path, f"sample id {doc_id!r} is also used by record {seen[doc_id]}", record=n)
        seen[str(doc_id)] = n
        notes.docs_with_missing += any(token.ent_iob == 0 for token in doc)
        yield doc


def write_docbin(docs: Iterable[Doc], path: PathLike) -> DocStats:
    """Write docs (each with an id) as a DocBin with user data, atomically; count them."""
    docbin, stats = DocBin(store_user_data=True), DocStats()
    for doc in docs:
        if get_doc_id(doc) is None:
            raise DynCleanError(f"Doc {stats.docs + 1} has no sample id; every doc written needs one")
        docbin.add(doc)
        stats.docs += 1
        stats.tokens += len(doc)
        stats.entities.update(ent.label_ for ent in doc.ents)
    atomic_write(path, docbin.to_bytes())
    return stats


def detect_format(path: PathLike, format: Optional[str] = None) -> str:
    """The input format: `format` if given, else from the file extension."""
    if format is not None:
        if format.lower() not in FORMATS:
            raise DynCleanError(f"Unknown format {format!r}: use one of {', '.join(FORMATS)}")
        return FORMATS[format.lower()]
    suffix = Path(path).suffix.lower()
    if suffix not in EXTENSIONS:
        hint = f"pass --format {'|'.join(FORMATS)}"
        raise DataError(path, f"can't tell the format from the extension {suffix!r}", hint=hint)
    return EXTENSIONS[suffix]


def read_docs(
    path: PathLike,
    lang: str = "en",
    *,
    format: Optional[str] = None,
    scheme: str = "auto",
    alignment_mode: str = "strict",
    notes: Optional[ReadNotes] = None,
) -> Iterator[Doc]:
    """Read any supported input as Docs with ids; `format` overrides the extension."""
    if not Path(path).is_file():
        raise DataError(path, "file not found")
    kind = detect_format(path, format)
    if scheme != "auto" and kind != "conll":
        raise DynCleanError(f"--scheme only applies to CoNLL input, not {kind}")
    if alignment_mode != "strict" and kind != "jsonl":
        raise DynCleanError(f"--alignment-mode only applies to JSONL input, not {kind}")
    if kind == "conll":
        return read_conll(path, lang, scheme=scheme, notes=notes)
    if kind == "jsonl":
        return read_jsonl(path, lang, alignment_mode=alignment_mode, notes=notes)
    reader = read_docbin if kind == "spacy" else read_dsner
    return reader(path, lang, notes=notes)


def convert_file(
    input_path: PathLike,
    output_path: PathLike,
    *,
    format: Optional[str] = None,
    lang: str = "en",
    scheme: str = "auto",
    alignment_mode: str = "strict",
    id_prefix: Optional[str] = None,
) -> tuple[DocStats, ReadNotes]:
    """Input file → .spacy DocBin with ids; nothing is written if any record is bad.
    `id_prefix` names the ids `<id_prefix>:<n>` instead of `<file stem>:<n>`, so that
    two files with the same sentences (distant and gold) get the same ids."""
    if Path(output_path).suffix != ".spacy":
        raise DynCleanError(f"The output must be a .spacy file, got {output_path}")
    notes = ReadNotes()
    docs = read_docs(
        input_path, lang, format=format, scheme=scheme, alignment_mode=alignment_mode, notes=notes
    )
    if id_prefix is not None:
        docs = (set_doc_id(doc, f"{id_prefix}:{n}") for n, doc in enumerate(docs, start=1))
    return write_docbin(docs, output_path), notes
