"""The data fingerprint: what every artefact carries of the data and label set it came
from (records' meta.json, thresholds.json), so that a step can refuse inputs that do
not belong together. `fingerprint_docs` computes it, `check_fingerprint` refuses data
whose fingerprint is not the scores'."""

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from spacy.tokens import Doc

from ..errors import MismatchError
from ..util import PathLike
from .docbin import iter_docbin_as_stored
from .ids import sample_key
from .tags import biluo_tags

FINGERPRINT_VERSION = "v2-"


def fingerprint_docs(docs: Iterable[Doc], labels: Sequence[str]) -> str:
    """`FINGERPRINT_VERSION` + sha256 over the label set, the number of docs and the
    sum (mod 2**256) of one sha256 per doc (id, words, entity tags): the order of the
    docs does not matter, and the docs stream through one at a time."""
    total, count = 0, 0
    for doc in docs:
        part = "\u241e".join(
            (
                sample_key(doc),
                "\u241f".join(t.text for t in doc),
                "\u241f".join(biluo_tags(doc)),
            )
        )
        total = (
            total + int.from_bytes(hashlib.sha256(part.encode("utf8")).digest(), "big")
        ) % 2**256
        count += 1
    digest = hashlib.sha256("\u241e".join(sorted(labels)).encode("utf8"))
    digest.update(total.to_bytes(32, "big") + count.to_bytes(8, "big"))
    return FINGERPRINT_VERSION + digest.hexdigest()


def check_fingerprint(
    data_path: PathLike, scores_dir: PathLike, thresholds: Mapping[str, Any]
) -> list[str]:
    """Refuse data whose fingerprint differs from the scores'; returns notes."""
    expected = thresholds.get("fingerprint")
    if not expected:
        return [f"fingerprint not checked: {scores_dir} has none"]
    if len(expected) == 64 and not expected.startswith(
        FINGERPRINT_VERSION
    ):  # a bare sha256: before v2
        raise MismatchError(
            f"{scores_dir} was scored by an older spacy-dynclean (its data fingerprint has another "
            "format): run `dynclean dynamics` and `dynclean score` again"
        )
    found = fingerprint_docs(
        iter_docbin_as_stored(data_path),
        thresholds.get("entity_types", thresholds.get("labels")),
    )
    if found != expected:
        raise MismatchError(
            f"{data_path} is not the data {scores_dir} was scored on: other docs, another "
            f"version of them or other labels (fingerprint {found[:12]} != {expected[:12]}); "
            "pass the data `dynclean dynamics` trained on, or run dynamics and score on this data"
        )
    return []
