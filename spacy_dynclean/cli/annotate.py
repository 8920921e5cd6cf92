"""`dynclean annotate TEXTS GAZETTEER OUTPUT`: distant labelling with a dictionary;
`dynclean annotate TEXTS --pipeline NAME OUTPUT`: with any spaCy pipeline's entities."""

from pathlib import Path

import typer
from spacy.cli._util import setup_gpu
from wasabi import msg

from ..errors import DynCleanError
from ..io.annotate import AnnotateNotes, Gazetteer, annotate_file
from ..io.annotate_pipeline import annotate_with_pipeline
from ..io.docbin import DocStats
from ._util import LABEL_MAP, app, parse_label_map

MAX_SHOWN = 10


def _paths(
    gazetteer: Path | None, output: Path | None, pipeline: str | None
) -> tuple[Path | None, Path]:
    """(GAZETTEER, OUTPUT) of the command line: with --pipeline the second path is
    OUTPUT; one form, dictionary or pipeline, must be chosen."""
    if pipeline is None and output is None:
        raise DynCleanError(
            "annotate needs a GAZETTEER and an OUTPUT, or --pipeline NAME and an OUTPUT: "
            "`dynclean annotate TEXTS GAZETTEER OUTPUT` or `dynclean annotate TEXTS "
            "--pipeline NAME OUTPUT`"
        )
    if pipeline is not None and output is not None:
        raise DynCleanError(
            f"annotate got both a GAZETTEER ({gazetteer}) and --pipeline {pipeline}: "
            "label with one of them, `dynclean annotate TEXTS --pipeline NAME OUTPUT`"
        )
    if pipeline is not None:
        if gazetteer is None:
            raise DynCleanError(
                "annotate --pipeline needs an OUTPUT: `dynclean annotate TEXTS --pipeline NAME OUTPUT`"
            )
        return None, gazetteer
    return gazetteer, output  # type: ignore[return-value]


def _refuse_other_form(pipeline: str | None, given: dict[str, bool]) -> None:
    """Refuse options of the other form (`given`: option → whether it was given)."""
    form = "--pipeline" if pipeline is None else "a GAZETTEER"
    wrong = [name for name, used in given.items() if used]
    if wrong:
        raise DynCleanError(
            f"{', '.join(wrong)} only appl{'ies' if len(wrong) == 1 else 'y'} with "
            f"{form}: drop {'it' if len(wrong) == 1 else 'them'}"
        )


@app.command("annotate")
def annotate_cli(
    texts_path: Path = typer.Argument(
        ...,
        metavar="TEXTS",
        help="One document per line: .txt, or .jsonl with a 'text' field (and optional 'id')",
    ),
    gazetteer_path: Path | None = typer.Argument(
        None,
        metavar="GAZETTEER",
        help="term/type .tsv or .csv, or .jsonl {term|pattern, label} (EntityRuler "
        "patterns too); leave it out with --pipeline",
        show_default=False,
    ),
    output_path: Path | None = typer.Argument(
        None,
        metavar="OUTPUT",
        help="The .spacy file to write, or a folder for shards",
        show_default=False,
    ),
    pipeline: str | None = typer.Option(
        None,
        "--pipeline",
        help="Label with this spaCy pipeline's entities instead of a gazetteer: an "
        "installed name, a saved folder or a .cfg (spacy-llm, gliner-spacy)",
    ),
    labels: list[str] = typer.Option(
        [],
        "--labels",
        help="With --pipeline: keep only these of its labels (repeat it, or comma-separate)",
    ),
    label_map: list[str] = LABEL_MAP,
    gpu_id: int = typer.Option(-1, "--gpu-id", "-g", help="GPU id, or -1 for CPU"),
    lang: str | None = typer.Option(
        None,
        "--lang",
        "-l",
        help="Language of spacy.blank (tokenises texts and terms; default en)",
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
        help="Processes of nlp.pipe (the tokenizer, or --pipeline); unused with --pretokenized",
    ),
    batch_size: int = typer.Option(
        1000, "--batch-size", "-b", help="Texts per nlp.pipe batch"
    ),
    shard_size: int | None = typer.Option(
        None,
        "--shard-size",
        help="Docs per shard when OUTPUT is a folder (default 10000)",
    ),
) -> None:
    """Label every line of TEXTS with the longest gazetteer matches, or with the
    entities of a spaCy pipeline (--pipeline; its tokens kept), every other token O,
    and write a .spacy DocBin (or a folder of shards) with sample ids, ready for
    `dynclean dynamics`."""
    gazetteer_path, output = _paths(gazetteer_path, output_path, pipeline)
    if pipeline is None:
        _refuse_other_form(
            pipeline,
            {
                "--labels": bool(labels),
                "--label-map": bool(label_map),
                "--gpu-id": gpu_id >= 0,
            },
        )
        assert gazetteer_path is not None
        stats, notes, gazetteer = annotate_file(
            texts_path,
            gazetteer_path,
            output,
            lang=lang or "en",
            lowercase=lowercase,
            text_format=text_format,
            gazetteer_format=gazetteer_format,
            pretokenized=pretokenized,
            n_process=n_process,
            batch_size=batch_size,
            shard_size=shard_size,
        )
        _show_gazetteer(gazetteer)
    else:
        _refuse_other_form(
            pipeline,
            {
                "--lang": lang is not None,
                "--lowercase": lowercase,
                "--gazetteer-format": gazetteer_format is not None,
                "--pretokenized": pretokenized,
            },
        )
        setup_gpu(gpu_id)
        stats, notes, known = annotate_with_pipeline(
            texts_path,
            pipeline,
            output,
            labels=labels,
            label_map=parse_label_map(label_map),
            text_format=text_format,
            n_process=n_process,
            batch_size=batch_size,
            shard_size=shard_size,
        )
        shown = ", ".join(sorted(known)) if known is not None else "not listed"
        msg.info(f"Pipeline {pipeline}: labels {shown}")
    _show_result(stats, notes, output, texts_path, pipeline is not None)


def _show_gazetteer(gazetteer: Gazetteer) -> None:
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


def _show_result(
    stats: DocStats,
    notes: AnnotateNotes,
    output: Path,
    texts_path: Path,
    from_pipeline: bool,
) -> None:
    msg.good(f"Wrote {stats.docs} docs, {stats.tokens} tokens to {output}")
    if stats.entities:
        msg.table(
            sorted(stats.entities.items()), header=("Label", "Entities"), divider=True
        )
    else:
        msg.warn("No entities matched")
    rows = (
        [
            ("Entities found", notes.matches),
            ("Dropped (not in --labels)", notes.entities_dropped),
        ]
        if from_pipeline
        else [
            ("Matches", notes.matches),
            ("Dropped as overlapping", notes.overlaps_dropped),
            ("Entities from ambiguous terms", notes.ambiguous_matches),
        ]
    )
    msg.table(
        [*rows, ("Docs without entities", notes.docs_without_entities)],
        divider=False,
    )
    if notes.blank_lines:
        msg.warn(
            f"Skipped {notes.blank_lines} blank line(s) in {texts_path} (ids keep their line numbers)"
        )
