"""`dynclean self-train DATA OUTPUT --teacher MODEL ...`: add the entities the
teachers agree on to the cleaned data."""

from pathlib import Path

import typer
from spacy.cli._util import setup_gpu
from wasabi import msg

from ..cleaning.audit import ADDED_ENTITY
from ..cleaning.self_training import TeacherOptions, self_train_docbin
from ._util import FILL_OUTSIDE, MIN_AGREE, app


@app.command("self-train")
def self_train_cli(
    data_path: Path = typer.Argument(
        ...,
        metavar="DATA",
        help="The cleaned training data (OUTPUT of `dynclean clean`): .spacy file or "
        "folder of shards",
    ),
    output_path: Path = typer.Argument(
        ...,
        metavar="OUTPUT",
        help="The .spacy file to write, or a folder for shards",
    ),
    teachers: list[Path] = typer.Option(
        ...,
        "--teacher",
        help="A pipeline trained on the cleaned data (e.g. training/model-best); "
        "repeat for an ensemble",
    ),
    min_agree: int | None = MIN_AGREE,
    fill_outside: bool = FILL_OUTSIDE,
    audit_path: Path | None = typer.Option(
        None, "--audit", help="Write one JSON line per decision here"
    ),
    gpu_id: int = typer.Option(-1, "--gpu-id", "-g", help="GPU id, or -1 for CPU"),
    shard_size: int | None = typer.Option(
        None,
        "--shard-size",
        help="Docs per shard when OUTPUT is a folder (default 10000)",
    ),
) -> None:
    """Self-training: the teachers predict every doc; an entity that enough of them
    predict exactly is added where the cleaning left its tokens missing (or O, with
    --fill-outside) and it touches no kept entity. Kept entities stay; every doc is
    kept, in order. Train the student on OUTPUT."""
    setup_gpu(gpu_id)
    options = TeacherOptions(min_agree, fill_outside)
    report = self_train_docbin(
        data_path, teachers, output_path, audit_path, options, shard_size
    )
    msg.good(
        f"Self-trained {report.n_docs} docs ({report.n_changed_docs} changed) into "
        f"{output_path}"
    )
    msg.info(f"Entities added: {report.actions[ADDED_ENTITY]}")
    if audit_path is not None:
        msg.good(f"Audit written to {audit_path}")
