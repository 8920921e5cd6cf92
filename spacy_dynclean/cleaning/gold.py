"""The gold labels of the cleaned docs: the check that they are the data's docs
(`check_gold`, before anything is written), and detection against them: of the
training dynamics' flags (`detection_report`) and of what each source removed or
relabelled (`source_detection`)."""

import hashlib
from collections.abc import Mapping
from itertools import islice
from pathlib import Path
from typing import Any

import srsly
from spacy.tokens import Doc

from ..errors import DataError
from ..io.docbin import iter_docbin_as_stored
from ..io.ids import get_doc_id, sample_key
from ..scoring.scores import read_scores
from ..util import PathLike, atomic_output
from .detection import detection_metrics, entity_detection_by_source

SAME_DOCS = "--gold needs the gold labels of the very docs that were cleaned, tokenised the same way"


def detection_report(
    scores_dir: PathLike, gold_path: PathLike, report_path: PathLike
) -> dict[str, Any]:
    """Detection metrics of a scores folder against a gold DocBin, written as JSON."""
    metrics = detection_metrics(
        read_scores(scores_dir).table, iter_docbin_as_stored(gold_path)
    )
    with atomic_output(report_path) as tmp:
        srsly.write_json(tmp, metrics)
    return metrics


def source_detection(
    data_path: PathLike,
    gold_path: PathLike,
    flagged_entities: Mapping[str, list[tuple[str, int, int, str]]],
) -> dict[str, dict[str, Any]]:
    """Precision / recall against the gold docs of the entities each source removed
    or relabelled, and of all of them ("total"): what the cleaning did, whatever
    flagged it (`CleanReport.flagged_entities` of a `clean_docbin` with `gold_path`)."""
    return entity_detection_by_source(
        iter_docbin_as_stored(data_path),
        iter_docbin_as_stored(gold_path),
        flagged_entities,
    )


def check_gold(data_path: PathLike, gold_path: PathLike) -> None:
    """Refuse gold docs that are not the data's docs: the same ids (in any order), each
    with the same words. Streamed: only an id, a length and a hash per data doc are held."""
    data: dict[str, tuple[int, int, bytes]] = {}
    for n, doc in enumerate(iter_docbin_as_stored(data_path), start=1):
        data.setdefault(sample_key(doc), (n, len(doc), _words_hash(doc)))
    seen: dict[str, int] = {}
    for n, doc in enumerate(iter_docbin_as_stored(gold_path), start=1):
        doc_id = sample_key(doc)
        if doc_id in seen:
            raise DataError(
                gold_path,
                f"sample id {doc_id!r} is also used by record {seen[doc_id]}",
                record=n,
            )
        seen[doc_id] = n
        if doc_id not in data:
            problem = f"doc {doc_id!r} is not a doc of the data {data_path}"
            raise DataError(
                gold_path, problem, record=n, hint=_id_hint(data, doc, gold_path)
            )
        record, length, words = data[doc_id]
        where = f"{data_path} (record {record})"
        if len(doc) != length:
            problem = f"doc {doc_id!r} has {len(doc)} tokens, {length} in {where}"
            raise DataError(gold_path, problem, record=n, hint=SAME_DOCS)
        if _words_hash(doc) != words:
            data_words = [
                t.text
                for t in next(
                    islice(iter_docbin_as_stored(data_path), record - 1, None)
                )
            ]
            i, word = next(
                (i, t.text) for i, t in enumerate(doc) if t.text != data_words[i]
            )
            problem = (
                f"doc {doc_id!r} differs from {where} at token {i}: {word!r} in the gold file, "
                f"{data_words[i]!r} in the data"
            )
            raise DataError(gold_path, problem, record=n, hint=SAME_DOCS)
    missing = next((key for key in data if key not in seen), None)
    if missing is not None:
        problem = f"holds {len(seen)} of the {len(data)} docs of {data_path}; it lacks {missing!r} (record {data[missing][0]})"
        raise DataError(gold_path, problem, hint=SAME_DOCS)


def _words_hash(doc: Doc) -> bytes:
    return hashlib.blake2b(
        "\u241f".join(t.text for t in doc).encode("utf8"), digest_size=16
    ).digest()


def _id_hint(
    data: Mapping[str, tuple[int, int, bytes]], gold_doc: Doc, gold_path: PathLike
) -> str:
    """How to give the gold docs the data's ids: convert with the data's --id-prefix."""
    data_id = next(iter(data))
    prefix, sep, _ = data_id.rpartition(":")
    if not sep or not prefix:
        return f"the gold docs need the ids of the data's docs, e.g. {data_id!r}"
    gold_id = get_doc_id(gold_doc) or ""
    source = f"{gold_id.rpartition(':')[0]}.json" if ":" in gold_id else "GOLD_SOURCE"
    return (
        f"the data's ids look like {data_id!r}: convert the gold file with the --id-prefix of its distant twin, "
        f"e.g. `dynclean convert {source} {gold_path} --id-prefix {prefix}`"
    )


def detection_path(output_path: PathLike, audit_path: PathLike | None = None) -> Path:
    """`<audit stem>.detection.json` next to the audit, else `detection.json` next to the output."""
    if audit_path is not None:
        audit_path = Path(audit_path)
        return audit_path.with_name(f"{audit_path.stem}.detection.json")
    return Path(output_path).parent / "detection.json"
