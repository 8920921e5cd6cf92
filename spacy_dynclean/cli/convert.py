"""`dynclean convert INPUT OUTPUT`: DS-NER JSON, CoNLL, JSONL or DocBin → DocBin (file or shards) with ids."""

from pathlib import Path

import typer
from wasabi import msg

from ..io.docbin import convert_file
from ._util import LABEL_MAP, app, parse_label_map

MAX_SHOWN = 10


@app.command("convert")
def convert_cli(
    input_path: Path = typer.Argument(
        ..., metavar="INPUT", help="DS-NER .json, .jsonl, CoNLL columns or .spacy"
    ),
    output_path: Path = typer.Argument(
        ..., metavar="OUTPUT", help="The .spacy file to write, or a folder for shards"
    ),
    file_format: str | None = typer.Option(
        None,
        "--format",
        "-f",
        help="json|jsonl|conll|spacy (default: from the extension)",
    ),
    lang: str = typer.Option(
        "en", "--lang", "-l", help="Language of spacy.blank (tokenises JSONL text)"
    ),
    scheme: str = typer.Option(
        "auto", "--scheme", help="CoNLL tag scheme: auto|bio|iob1|biluo"
    ),
    alignment_mode: str = typer.Option(
        "strict",
        "--alignment-mode",
        help="JSONL spans off token boundaries: strict (error)|expand|contract",
    ),
    id_prefix: str | None = typer.Option(
        None,
        "--id-prefix",
        help="Sample ids <prefix>:<n> (default: the input file's stem); give a gold file the prefix of its distant twin",
    ),
    shard_size: int | None = typer.Option(
        None,
        "--shard-size",
        help="Docs per shard when OUTPUT is a folder (default 10000)",
    ),
    label_map: list[str] = LABEL_MAP,
) -> None:
    """Convert annotated data to a .spacy DocBin, every doc with a sample id. OUTPUT
    is one .spacy file, or a folder of shards OUTPUT/<name>-00000.spacy, ... (the input
    is streamed, so only one shard is in memory; `spacy train` reads the folder)."""
    stats, notes = convert_file(
        input_path,
        output_path,
        format=file_format,
        lang=lang,
        scheme=scheme,
        alignment_mode=alignment_mode,
        id_prefix=id_prefix,
        shard_size=shard_size,
        label_map=parse_label_map(label_map),
    )
    msg.good(f"Wrote {stats.docs} docs, {stats.tokens} tokens to {output_path}")
    if notes.scheme:
        msg.info(
            f"Tag scheme: {notes.scheme}"
            + (" (detected)" if notes.scheme_detected else "")
        )
    if stats.entities:
        msg.table(
            sorted(stats.entities.items()), header=("Label", "Entities"), divider=True
        )
    else:
        msg.warn("No entities in the data")
    if notes.ids_assigned:
        msg.info(f"Assigned sample ids to {notes.ids_assigned} docs that had none")
    if notes.docs_with_missing:
        msg.warn(f"{notes.docs_with_missing} docs have tokens with missing labels")
    if notes.adjusted:
        msg.warn(
            f"Adjusted {len(notes.adjusted)} spans to token boundaries ({alignment_mode})"
        )
        for line in notes.adjusted[:MAX_SHOWN]:
            msg.text(f"  {line}")
        if len(notes.adjusted) > MAX_SHOWN:
            msg.text(f"  ... and {len(notes.adjusted) - MAX_SHOWN} more")
