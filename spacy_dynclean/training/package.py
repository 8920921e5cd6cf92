"""Shipping: a trained pipeline without its `dynclean` components.

`dynclean` does nothing at inference, but a pipeline that still contains it needs
spacy-dynclean to load, and its `dynclean/records` folder holds the training docs'
ids. `strip_dynclean` removes every such component (and its records), so that the
result loads, and `spacy package` ships it, with spaCy alone.
"""

from pathlib import Path

import spacy

from ..dynamics.component import DynClean
from ..errors import DataError
from ..util import PathLike, atomic_folder


def strip_dynclean(model_path: PathLike, output_path: PathLike) -> list[str]:
    """Save the pipeline at `model_path` without its dynclean components to
    `output_path` (atomically); returns the names of the removed components."""
    model_path = Path(model_path)
    if not (model_path / "config.cfg").exists():
        raise DataError(
            model_path,
            "not a spaCy pipeline folder: config.cfg is missing",
            hint="pass a folder such as training/model-best",
        )
    nlp = spacy.load(model_path)
    names = [name for name, proc in nlp.components if isinstance(proc, DynClean)]
    if not names:
        raise DataError(
            model_path,
            "the pipeline has no dynclean component: nothing to strip",
            hint="package it as it is: python -m spacy package",
        )
    for name in names:
        nlp.remove_pipe(name)
    with atomic_folder(output_path) as tmp:
        nlp.to_disk(tmp)
    return names
