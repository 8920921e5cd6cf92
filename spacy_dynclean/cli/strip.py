"""`dynclean strip PIPELINE OUTPUT`: the pipeline without its spacy-dynclean parts, ready for `spacy package`."""

from pathlib import Path

import typer
from wasabi import msg

from ..training.package import strip_dynclean
from ._util import app


@app.command("strip")
def strip_cli(
    model_path: Path = typer.Argument(
        ...,
        metavar="PIPELINE",
        help="A trained pipeline folder, e.g. training/model-best",
        exists=True,
        file_okay=False,
    ),
    output_path: Path = typer.Argument(
        ...,
        metavar="OUTPUT",
        help="Folder for the pipeline without spacy-dynclean parts",
        file_okay=False,
    ),
) -> None:
    """Remove every dynclean component (and its margin records, which hold the
    training docs' ids) from a trained pipeline and write its frozen transformer
    encoders as spacy-transformers' own, so that it loads and ships with spaCy
    (and spacy-transformers) alone: then `python -m spacy package OUTPUT packages`.
    A pipeline with nothing to strip is copied as it is."""
    names = strip_dynclean(model_path, output_path)
    if names:
        msg.good(f"Stripped {', '.join(names)}; wrote the pipeline to {output_path}")
    else:
        msg.info(
            f"{model_path} has no dynclean component and no frozen encoder: nothing "
            f"to strip, so it was copied as it is to {output_path}"
        )
    msg.text(f"Ship it with: python -m spacy package {output_path} packages")
