"""`dynclean clean DATA SCORES_DIR OUTPUT`: apply the flags, write the cleaned data (file or shards)."""

from pathlib import Path

import typer
from spacy.cli._util import parse_config_overrides
from wasabi import msg

from ..cleaning.audit import ACTION_HEADERS, SOURCE_TITLES, source_rows
from ..cleaning.clean import clean_docbin
from ..cleaning.gold import detection_path, detection_report, source_detection
from ..cleaning.recipes import DEFAULT_RECIPE, load_recipe, recipe_names
from ._util import app


@app.command(
    "clean",
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
)
def clean_cli(
    ctx: typer.Context,
    data_path: Path = typer.Argument(
        ...,
        metavar="DATA",
        help="The training data that was scored: .spacy file or folder of shards",
    ),
    scores_dir: Path = typer.Argument(
        ...,
        metavar="SCORES_DIR",
        help="Output folder of `dynclean score` (and of `dynclean entries`: its "
        "entries.jsonl is what a recipe's entry rules read)",
    ),
    output_path: Path = typer.Argument(
        ...,
        metavar="OUTPUT",
        help="The cleaned .spacy file to write, or a folder for shards",
    ),
    recipe_name: str = typer.Option(
        DEFAULT_RECIPE,
        "--recipe",
        help=f"A shipped recipe ({', '.join(recipe_names())}) or a recipe .cfg; "
        "settings as --cleaning.KEY / --rules.NAME.KEY overrides",
    ),
    audit_path: Path | None = typer.Option(
        None, "--audit", help="Write one JSON line per decision here"
    ),
    gold_path: Path | None = typer.Option(
        None, "--gold", help="Gold .spacy of the same docs: report detection quality"
    ),
    shard_size: int | None = typer.Option(
        None,
        "--shard-size",
        help="Docs per shard when OUTPUT is a folder (default 10000)",
    ),
) -> None:
    """Clean the data with a recipe: its rules, in order, decide what happens to
    each item (the default, `cleaned`: flagged entities removed, flagged non-entities
    made missing, never O; flagged dictionary entries do what their dev evidence
    says; capitalised words running on from a kept entity are flagged, and a kept
    entity touching a flagged non-entity goes missing with it). Every doc is kept,
    in order; the data is streamed shard by shard. E.g. `--recipe dynclean_paper`,
    `--cleaning.entity_action outside`, `--rules.aum_flags.repair true`."""
    recipe = load_recipe(recipe_name, parse_config_overrides(ctx.args))
    report = clean_docbin(
        data_path,
        scores_dir,
        output_path,
        recipe,
        audit_path=audit_path,
        gold_path=gold_path,
        shard_size=shard_size,
    )  # a bad --gold is refused before anything is written
    msg.info(f"Recipe {recipe.name}: {', '.join(recipe.rules) or 'no rules'}")
    for note in report.notes:
        msg.info(note)
    msg.good(
        f"Cleaned {report.n_docs} docs ({report.n_changed_docs} changed) into {output_path}"
    )
    msg.text("What removed what (every decision, by what flagged it):")
    msg.table(
        source_rows(report.by_source),
        header=("Flagged by", *ACTION_HEADERS),
        divider=True,
    )
    msg.text(f"Tokens now missing: {report.missing_tokens}")
    if audit_path is not None:
        msg.good(f"Audit written to {audit_path}")
    if gold_path is not None:
        path = detection_path(output_path, audit_path)
        metrics = detection_report(scores_dir, gold_path, path)
        by_source = source_detection(data_path, gold_path, report.flagged_entities)
        msg.text("Entities removed or relabelled, against the gold labels:")
        msg.table(
            [
                (
                    SOURCE_TITLES.get(source, source),
                    m["flagged"],
                    _fmt(m["precision"]),
                    _fmt(m["recall"]),
                )
                for source, m in by_source.items()
            ],
            header=("Flagged by", "Entities", "Precision", "Recall"),
            divider=True,
        )
        msg.text(
            "The training dynamics' own flags (AUM below the cut; the other sources "
            "do not use it):"
        )
        rows = [
            (
                side,
                m["n_judged"],
                m["n_errors"],
                m["flagged"],
                _fmt(m["precision"]),
                _fmt(m["recall"]),
                _fmt(m["auroc"]),
            )
            for side, m in metrics.items()
        ]
        msg.table(
            rows,
            header=(
                "Side",
                "Judged",
                "Errors",
                "Flagged",
                "Precision",
                "Recall",
                "AUROC",
            ),
            divider=True,
        )
        msg.good(f"Detection report written to {path}")


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"
