"""DocBin (.spacy) data with sample ids, the `read_docs` dispatcher and `convert_file`.

Data is one `.spacy` file, or a folder of shards `<folder name>-00000.spacy`, ... of
`shard_size` docs each, read in name order (the layout spaCy's `Corpus` reads, so
`spacy train` takes the folder as it is). A DocBin is one compressed blob that lives in
memory whole, so a single file holds all docs in memory; shards keep one shard there.
"""

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import count, islice
from pathlib import Path

from spacy.tokens import Doc, DocBin, Span
from spacy.vocab import Vocab
from srsly.msgpack import Packer, Unpacker

from ..errors import DataError, DynCleanError
from ..util import PathLike, atomic_folder, atomic_output
from .common import ReadNotes, blank
from .conll import read_conll
from .dsner import read_dsner
from .ids import get_doc_id, set_doc_id
from .jsonl import read_jsonl
from .labels import check_label, check_label_sets

FORMATS = {
    "json": "json",
    "dsner": "json",
    "jsonl": "jsonl",
    "conll": "conll",
    "spacy": "spacy",
}
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
SHARD_SIZE = 10_000


@dataclass
class DocStats:
    """Counts over the docs written: docs, tokens and entities per label."""

    docs: int = 0
    tokens: int = 0
    entities: Counter = field(default_factory=Counter)


def docbin_paths(path: PathLike) -> list[Path]:
    """The .spacy file `path`, or the .spacy files under the folder `path` (hidden ones
    skipped) in path order: the files and order of spaCy's `Corpus`."""
    path = Path(path)
    if path.is_dir():
        shards = sorted(
            p
            for p in path.rglob("*.spacy")
            if not any(part.startswith(".") for part in p.relative_to(path).parts)
        )
        if not shards:
            raise DataError(
                path,
                "the folder holds no .spacy files",
                hint="give a .spacy file or a folder of shards",
            )
        return shards
    if not path.is_file():
        raise DataError(path, "no such .spacy file or folder")
    return [path]


def check_docbin(path: PathLike) -> None:
    """Refuse .spacy data that does not load, before a long run reads it."""
    for shard in docbin_paths(path):
        _load(shard)


def entity_labels(path: PathLike) -> Counter:
    """The entities of a .spacy file or folder, counted by type (streamed)."""
    return Counter(
        ent.label_ for doc in iter_docbin_as_stored(path) for ent in doc.ents
    )


def check_same_labels(
    data_path: PathLike, other_path: PathLike, fix: str | None = None
) -> list[str]:
    """`labels.check_label_sets` of the DocBin `other_path` (dev or gold data)
    against the training data `data_path`; returns its notes."""
    return check_label_sets(
        entity_labels(data_path),
        str(data_path),
        entity_labels(other_path),
        str(other_path),
        fix,
    )


def iter_docbin_as_stored(path: PathLike, vocab: Vocab | None = None) -> Iterator[Doc]:
    """Stream the docs of a .spacy file or folder as written (ids and all; nothing
    assigned or checked), one shard in memory at a time. Without `vocab`, each shard
    gets a fresh one, so memory stays flat."""
    for shard in docbin_paths(path):
        yield from _docs(_load(shard), vocab or Vocab())


def _load(shard: Path) -> DocBin:
    data = shard.read_bytes()
    if not data:
        raise DataError(shard, "file is empty")
    try:
        docbin = DocBin(store_user_data=True).from_bytes(data)
    except Exception:  # noqa: BLE001 - zlib, msgpack, numpy: any failure means not a DocBin
        hint = "convert annotated data to .spacy with `dynclean convert`"
        raise DataError(
            shard,
            "not a spaCy DocBin: it does not decompress and unpack as one",
            hint=hint,
        ) from None
    if len(docbin) == 0:
        raise DataError(shard, "the DocBin holds no docs")
    return docbin


def read_docbin_assigning_ids(
    path: PathLike, lang: str = "en", notes: ReadNotes | None = None
) -> Iterator[Doc]:
    """Yield the docs of .spacy data as an input, checked like the other readers' (empty
    docs, duplicate ids, entity types); a doc without an id gets `<stem>:<n>`."""
    docbin_paths(path)  # fail now, not at the first doc
    notes = notes if notes is not None else ReadNotes()
    return _ids(path, iter_docbin_as_stored(path, blank(lang).vocab), notes)


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
            raise DataError(
                path,
                f"sample id {doc_id!r} is also used by record {seen[doc_id]}",
                record=n,
            )
        seen[str(doc_id)] = n
        for ent in doc.ents:
            check_label(
                path,
                n,
                ent.label_,
                f"entity {ent.label_} at tokens {ent.start}-{ent.end}",
            )
        notes.docs_with_missing += any(token.ent_iob == 0 for token in doc)
        yield doc


def write_docbin(
    docs: Iterable[Doc], path: PathLike, shard_size: int | None = None
) -> DocStats:
    """Write docs (with their user data: ids) atomically, as one `.spacy` file or, for any other
    `path`, a folder of shards of `shard_size` docs (default SHARD_SIZE); count them."""
    path, stats = Path(path), DocStats()
    size = output_shard_size(path, shard_size)
    if size is None:
        with atomic_output(path) as tmp:
            tmp.write_bytes(_docbin(docs, stats).to_bytes())
        return stats
    docs = iter(docs)
    with atomic_folder(path) as folder:
        for n in count():
            shard = _docbin(islice(docs, size), stats)
            if len(shard) == 0:
                break
            (folder / f"{path.name}-{n:05d}.spacy").write_bytes(shard.to_bytes())
    return stats


def output_shard_size(path: Path, shard_size: int | None = None) -> int | None:
    """None if `path` is one .spacy file to write, else the shard size of the folder
    `path`; refuse a path that is neither, and a folder holding other files."""
    if path.suffix == ".spacy" and not path.is_dir():
        if shard_size is not None:
            raise DynCleanError(
                f"--shard-size needs an output folder, not the file {path}"
            )
        return None
    if path.suffix and not path.is_dir():
        raise DynCleanError(
            f"The output must be a .spacy file or a folder (for shards), got {path}"
        )
    if shard_size is not None and shard_size < 1:
        raise DynCleanError(f"--shard-size must be at least 1, got {shard_size}")
    others = (
        [p.name for p in path.iterdir() if p.suffix != ".spacy"]
        if path.is_dir()
        else []
    )
    if others:
        raise DataError(
            path,
            f"the output folder holds other files than .spacy shards, e.g. {others[0]!r}",
            hint="write to a new folder or a folder of shards",
        )
    return shard_size or SHARD_SIZE


def _docbin(docs: Iterable[Doc], stats: DocStats) -> DocBin:
    """A DocBin of `docs` with their user data, packed here with one Packer: `DocBin.add`
    looks srsly's msgpack encoders up per doc (an entry-point scan), most of its time."""
    docbin, packer = DocBin(), Packer(use_bin_type=True)
    for doc in docs:
        docbin.add(doc)
        docbin.user_data.append(packer.pack(doc.user_data))
        stats.docs += 1
        stats.tokens += len(doc)
        stats.entities.update(ent.label_ for ent in doc.ents)
    docbin.store_user_data = True
    return docbin


def _docs(docbin: DocBin, vocab: Vocab) -> Iterator[Doc]:
    """`docbin.get_docs`, the user data unpacked with one Unpacker (see `_docbin`)."""
    user_data, docbin.user_data = docbin.user_data, []
    unpacker = Unpacker(raw=False, use_list=False)
    for i, doc in enumerate(docbin.get_docs(vocab)):
        if i < len(user_data) and user_data[i] is not None:
            unpacker.feed(user_data[i])
            doc.user_data.update(unpacker.unpack())
        yield doc


def detect_format(path: PathLike, format: str | None = None) -> str:
    """The input format: `format` if given, else from the file extension (a folder: spacy)."""
    if format is not None:
        if format.lower() not in FORMATS:
            raise DynCleanError(
                f"Unknown format {format!r}: use one of {', '.join(FORMATS)}"
            )
        return FORMATS[format.lower()]
    suffix = Path(path).suffix.lower()
    if Path(path).is_dir():
        return "spacy"
    if suffix not in EXTENSIONS:
        hint = f"pass --format {'|'.join(FORMATS)}"
        raise DataError(
            path, f"can't tell the format from the extension {suffix!r}", hint=hint
        )
    return EXTENSIONS[suffix]


def read_docs(
    path: PathLike,
    lang: str = "en",
    *,
    format: str | None = None,
    scheme: str = "auto",
    alignment_mode: str = "strict",
    notes: ReadNotes | None = None,
) -> Iterator[Doc]:
    """Read any supported input as Docs with ids; `format` overrides the extension."""
    if not Path(path).exists():
        raise DataError(path, "file not found")
    kind = detect_format(path, format)
    if kind != "spacy" and not Path(path).is_file():
        raise DataError(
            path,
            f"is a folder; only .spacy shards can be read from a folder, not {kind}",
        )
    if scheme != "auto" and kind != "conll":
        raise DynCleanError(f"--scheme only applies to CoNLL input, not {kind}")
    if alignment_mode != "strict" and kind != "jsonl":
        raise DynCleanError(f"--alignment-mode only applies to JSONL input, not {kind}")
    if kind == "conll":
        return read_conll(path, lang, scheme=scheme, notes=notes)
    if kind == "jsonl":
        return read_jsonl(path, lang, alignment_mode=alignment_mode, notes=notes)
    reader = read_docbin_assigning_ids if kind == "spacy" else read_dsner
    return reader(path, lang, notes=notes)


def convert_file(
    input_path: PathLike,
    output_path: PathLike,
    *,
    format: str | None = None,
    lang: str = "en",
    scheme: str = "auto",
    alignment_mode: str = "strict",
    id_prefix: str | None = None,
    shard_size: int | None = None,
    label_map: Mapping[str, str] | None = None,
) -> tuple[DocStats, ReadNotes]:
    """Input file → .spacy file or folder of shards, docs with ids; nothing is written
    if any record is bad. `id_prefix` names the ids `<id_prefix>:<n>` instead of
    `<file stem>:<n>`, so that two files with the same sentences (distant and gold)
    get the same ids. `label_map` renames entity types (OLD → NEW), e.g. a dev set's
    to the training data's."""
    output_shard_size(
        Path(output_path), shard_size
    )  # refuse a bad output before reading
    notes = ReadNotes()
    docs = read_docs(
        input_path,
        lang,
        format=format,
        scheme=scheme,
        alignment_mode=alignment_mode,
        notes=notes,
    )
    if id_prefix is not None:
        docs = (
            set_doc_id(doc, f"{id_prefix}:{n}") for n, doc in enumerate(docs, start=1)
        )
    if format is None and Path(input_path).suffix.lower() == ".txt":
        docs = _with_hint(docs, RAW_TEXT)
    if label_map:
        docs = rename_labels(docs, label_map)
    return write_docbin(docs, output_path, shard_size), notes


RAW_TEXT = (
    "a .txt file is read as CoNLL columns; if it is raw text, one document per line, "
    "label it with a dictionary: `dynclean annotate TEXTS GAZETTEER OUTPUT`"
)


def _with_hint(docs: Iterable[Doc], hint: str) -> Iterator[Doc]:
    """The docs; a `DataError` while reading them gets `hint` added."""
    try:
        yield from docs
    except DataError as err:
        hints = "; ".join(h for h in (err.hint, hint) if h)
        raise DataError(err.path, err.problem, err.record, hint=hints) from None


def rename_labels(docs: Iterable[Doc], label_map: Mapping[str, str]) -> Iterator[Doc]:
    """The docs with their entities' types renamed by `label_map` (OLD → NEW; a new
    name must be one spaCy's ner takes: `labels.check_label`)."""
    for old, new in label_map.items():
        check_label("--label-map", None, new, f"{old}={new}")
    for doc in docs:
        if any(ent.label_ in label_map for ent in doc.ents):
            renamed = [
                Span(doc, e.start, e.end, label=label_map.get(e.label_, e.label_))
                for e in doc.ents
            ]
            doc.set_ents(renamed, default="unmodified")
        yield doc
