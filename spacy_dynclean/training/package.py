"""Shipping: a trained pipeline without its spacy-dynclean parts.

`dynclean` does nothing at inference, but a pipeline that still contains it needs
spacy-dynclean to load, and its `dynclean/records` folder holds the training docs'
ids. The frozen transformer encoder (`spacy-dynclean.FrozenTransformer.v1`, the trf
configs' CPU route) is spacy-transformers' `Tok2VecTransformer.v3` with a cache: the
same layer tree and weights. `strip_dynclean` removes every dynclean component (and
its records) and writes every frozen encoder as `Tok2VecTransformer.v3` with
`grad_factor = 0`, so that the result loads, and `spacy package` ships it, with spaCy
(and spacy-transformers) alone.
"""

from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

import spacy

from ..dynamics.component import DynClean
from ..errors import DataError
from ..util import PathLike, atomic_folder

FROZEN_TRANSFORMER = "spacy-dynclean.FrozenTransformer.v1"
PLAIN_TRANSFORMER = "spacy-transformers.Tok2VecTransformer.v3"


def strip_dynclean(model_path: PathLike, output_path: PathLike) -> list[str]:
    """Save the pipeline at `model_path` without its spacy-dynclean parts to
    `output_path` (atomically); returns what was removed or rewritten: the names of
    the dynclean components, then "frozen encoder of <component>" per encoder. A
    pipeline with nothing to strip (the production `ner`) is copied as it is, and the
    list is empty."""
    model_path = Path(model_path)
    if not (model_path / "config.cfg").exists():
        raise DataError(
            model_path,
            "not a spaCy pipeline folder: config.cfg is missing",
            hint="pass a folder such as training/model-best",
        )
    nlp = spacy.load(model_path)
    names = [name for name, proc in nlp.components if isinstance(proc, DynClean)]
    for name in names:
        nlp.remove_pipe(name)
    config = nlp.config.copy()
    encoders = [
        f"frozen encoder of {name}"
        for name in nlp.pipe_names
        if plain_transformers(config["components"][name])
    ]
    with atomic_folder(output_path) as tmp:
        nlp.to_disk(tmp)
        config.to_disk(Path(tmp) / "config.cfg")
        spacy.load(tmp)  # the rewritten encoders take the saved weights
    return names + encoders


def plain_transformers(section: MutableMapping[str, Any]) -> int:
    """Rewrite every frozen transformer block in a config section, in place, as
    `Tok2VecTransformer.v3` with `grad_factor = 0`; returns how many there were."""
    count = 0
    if section.get("@architectures") == FROZEN_TRANSFORMER:
        section["@architectures"] = PLAIN_TRANSFORMER
        section.pop("max_cached", None)
        section["grad_factor"] = 0.0
        count += 1
    for value in section.values():
        if isinstance(value, MutableMapping):
            count += plain_transformers(value)
    return count
