"""`dynclean annotate TEXTS GAZETTEER OUTPUT`: distant labelling with a dictionary."""

from pathlib import Path

import typer
from wasabi import msg

from ..io.annotate import annotate_file
from ._util import app

MAX_SHOWN = 10


@app.command("annotate")
def annotate_cli(
    texts_path: Path = typer.Argument(
        ...,
        metavar="TEXTS",
        help="One document per line: .txt, or .jsonl with a 'text' field (and optional 'id')",
    ),
    gazetteer_path: Path = typer.Argument(
        ...,
        metavar="GAZETTEER",
        help="term/type .tsv or .csv, or .jsonl {term|pattern, label} (EntityRuler patterns too)",
    ),
    output_path: Path = typer.Argument(
        ..., metavar="OUTPUT", help="The .spacy file to write", dir_okay=False
    ),
    lang: str = typer.Option(
        "en", "--lang", "-l", help="Language of spacy.blank (tokenises texts and terms)"
    ),
    lowercase: bool = typer.Option(
        False, "--lowercase", help="Match case-insensitively (LOWER instead of ORTH)"
    ),
    text_format: str | None = typer.Option(
        None, "--format", "-f", help="txt|jsonl (default: from the extension)"
    ),
    gazetteer_format: str | None = typer.Option(
        None, "--gazetteer-format", help="jsonl|tsv|csv (default: from the extension)"
    ),
    pretokenized: bool = typer.Option(
        False,
        "--pretokenized",
        help="Texts and terms are whitespace-tokenised: split on whitespace, no spaCy tokenizer",
    ),
    n_process: int = typer.Option(
        1,
        "--n-process",
        "-n",
        help="Tokenizer processes (nlp.pipe); unused with --pretokenized",
    ),
    batch_size: int = typer.Option(
        1000, "--batch-size", "-b", help="Texts per nlp.pipe batch"
    ),
) -> None:
    """Label every line of TEXTS with the longest gazetteer matches (every other token O)
    and write a .spacy DocBin with sample ids, ready for `dynclean dynamics`."""
    stats, notes, gazetteer = annotate_file(
        texts_path,
        gazetteer_path,
        output_path,
        lang=lang,
        lowercase=lowercase,
        text_format=text_format,
        gazetteer_format=gazetteer_format,
        pretokenized=pretokenized,
        n_process=n_process,
        batch_size=batch_size,
    )
    ambiguous = gazetteer.ambiguous
    msg.info(
        f"Gazetteer: {gazetteer.entries} entries, {len(gazetteer.labels)} terms, {len(ambiguous)} ambiguous"
    )
    for key in ambiguous[:MAX_SHOWN]:
        senses = ", ".join(
            f"{label} x{count}" for label, count in gazetteer.senses[key].items()
        )
        msg.text(f"  {' '.join(key.words)!r}: {senses} -> {gazetteer.labels[key]}")
    if len(ambiguous) > MAX_SHOWN:
        msg.text(f"  ... and {len(ambiguous) - MAX_SHOWN} more")
    msg.good(f"Wrote {stats.docs} docs, {stats.tokens} tokens to {output_path}")
    if stats.entities:
        msg.table(
            sorted(stats.entities.items()), header=("Label", "Entities"), divider=True
        )
    else:
        msg.warn("No entities matched")
    msg.table(
        [
            ("Matches", notes.matches),
            ("Dropped as overlapping", notes.overlaps_dropped),
            ("Entities from ambiguous terms", notes.ambiguous_matches),
            ("Docs without entities", notes.docs_without_entities),
        ],
        divider=False,
    )
    if notes.blank_lines:
        msg.warn(
            f"Skipped {notes.blank_lines} blank line(s) in {texts_path} (ids keep their line numbers)"
        )
