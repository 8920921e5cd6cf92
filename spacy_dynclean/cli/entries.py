"""`dynclean entries DATA DEV SCORES_DIR`: judge the dictionary's entries on the gold
dev set and write `SCORES_DIR/entries.jsonl`, which `dynclean clean` then applies."""

from pathlib import Path

import typer
from wasabi import msg

from ..cleaning.entries import (
    ADD,
    EVIDENCE,
    EntryOptions,
    score_entries,
    write_entries,
)
from ..cleaning.recipes import load_recipe
from ..io.docbin import check_docbin
from ._util import app


@app.command("entries")
def entries_cli(
    data_path: Path = typer.Argument(
        ..., metavar="DATA", help="The distant training data (.spacy file or folder)"
    ),
    dev_path: Path = typer.Argument(
        ..., metavar="DEV", help="Gold-labelled dev data (.spacy file or folder)"
    ),
    scores_dir: Path = typer.Argument(
        ...,
        metavar="SCORES_DIR",
        help="Folder for entries.jsonl; a scores folder's AUMs join the table",
    ),
    evidence: str = typer.Option(
        EntryOptions.evidence,
        "--evidence",
        help=f"Where an entry is checked on dev: {' | '.join(EVIDENCE)} (string: every "
        "match of its words; model: where --model predicts it)",
    ),
    model: Path | None = typer.Option(
        None,
        "--model",
        help="A pipeline trained on the distant data (for --evidence model)",
        exists=True,
    ),
    confidence: float = typer.Option(
        EntryOptions.confidence,
        "--confidence",
        help="Flag an entry when P(it is right at fewer than half its places) exceeds this",
    ),
    recipe_name: str | None = typer.Option(
        None,
        "--recipe",
        help="Judge the entries as this recipe's rules need them (`dynclean clean "
        "--recipe`): cleaned_added also proposes the entries the dictionary lacks, "
        "strings gold labels on dev at most of their places (action add), "
        "cleaned_added_long also where they extend a name cut short, "
        "cleaned_added_whole only at whole names (no capitalised neighbour)",
    ),
    teacher: Path | None = typer.Option(
        None,
        "--teacher",
        help="With a recipe that adds entries: a pipeline trained on the cleaned data; "
        "the strings it predicts at most of their places in DATA are added too "
        "(dev-vetted)",
        exists=True,
    ),
) -> None:
    """Aggregate every distant entity into its entry (words, type), check each entry
    against the gold dev labels, and flag the entries that are more likely wrong than
    right: their tokens become O, another type, or missing, as the dev evidence says."""
    check_docbin(data_path)
    check_docbin(dev_path)
    options = EntryOptions(evidence=evidence, confidence=confidence)
    if recipe_name is not None:
        options = load_recipe(recipe_name).entry_options(options)
    notes: list[str] = []
    entries = score_entries(
        data_path, dev_path, options, _scores(scores_dir), model, notes, teacher
    )
    for note in notes:
        msg.warn(note)
    path = write_entries(entries, scores_dir)
    added = [e for e in entries.values() if e.action == ADD]
    flagged = [e for e in entries.values() if e.flagged and e.action != ADD]
    with_evidence = sum(1 for e in entries.values() if e.dev)
    msg.info(
        f"{len(entries)} entries, {with_evidence} checked on dev; {len(flagged)} "
        f"flagged ({sum(e.n for e in flagged)} occurrences)"
        + (
            f"; {len(added)} to add ({sum(e.n_added for e in added)} places)"
            if options.additions
            else ""
        )
    )
    rows = [
        (" ".join(e.words), e.label, e.n, dict(e.dev), f"{e.p_wrong:.2f}", e.action)
        for e in sorted(flagged, key=lambda e: -e.harm)[:10]
    ]
    if rows:
        msg.table(
            rows,
            header=("Entry", "Type", "N", "Dev", "P(wrong)", "Action"),
            divider=True,
        )
    msg.good(f"Entry table written to {path}")


def _scores(scores_dir: Path) -> Path | None:
    """The folder if it holds scores (their AUMs join the table), else None."""
    return scores_dir if (scores_dir / "scores.jsonl").exists() else None
