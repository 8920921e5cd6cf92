"""The typer app every command module registers on, and the options several
commands share (declared once, so their flags, defaults and help agree)."""

from typing import Any

import click
import typer
from typer.core import TyperGroup

from .. import __version__
from ..errors import DataError, OutputError, is_unwritable
from ..scoring.options import ScoreOptions

# rich_markup_mode=None: click's plain help. Typer's Rich help panel prints every
# option's type, flags included (`--repair <bool>`, even `--help <bool>`: typer 0.29's
# rich_utils._print_options_panel calls display_type_rich() without checking is_flag),
# while the plain formatter (TyperOption.get_help_record) leaves flags without a value.
# the commands in the order of the workflow (README's steps); others follow
WORKFLOW = (
    "annotate",
    "convert",
    "dynamics",
    "score",
    "entries",
    "clean",
    "report",
    "apply-review",
    "self-train",
    "train",
    "select",
    "compare",
    "strip",
    "benchmark",
)


class CommandGroup(TyperGroup):
    """The `dynclean` group: `--help` lists the commands in workflow order with their
    whole first sentence; an output a command cannot write is one line
    (`errors.OutputError`), whichever write failed."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = super().list_commands(ctx)
        order = {name: i for i, name in enumerate(WORKFLOW)}
        return sorted(names, key=lambda name: order.get(name, len(order)))

    def format_commands(
        self, ctx: click.Context, formatter: click.HelpFormatter
    ) -> None:
        rows = [
            (name, command.get_short_help_str(limit=1000))
            for name in self.list_commands(ctx)
            if (command := self.get_command(ctx, name)) and not command.hidden
        ]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except OSError as err:
            if is_unwritable(err) and err.filename is not None:
                raise OutputError(err.filename, err) from None
            raise


app = typer.Typer(
    name="dynclean",
    cls=CommandGroup,
    help="Clean distantly supervised NER data with training dynamics.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"spacy-dynclean {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: bool = typer.Option(
        False,
        "--version",
        help="Show the version and exit.",
        callback=_print_version,
        is_eager=True,
    ),
) -> None:
    pass


def parse_label_map(items: list[str]) -> dict[str, str]:
    """--label-map OLD=NEW strings → {OLD: NEW}."""
    pairs = [item.partition("=") for item in items]
    bad = next(
        (i for i, (old, sep, new) in zip(items, pairs) if not (sep and old and new)),
        None,
    )
    if bad is not None:
        raise DataError(
            "--label-map", f"expected OLD=NEW (e.g. PERSON=PER), got {bad!r}"
        )
    return {old: new for old, _, new in pairs}


# convert, annotate
LABEL_MAP = typer.Option(
    [],
    "--label-map",
    help="OLD=NEW: rename an entity type (repeat it), e.g. PERSON=PER to the training "
    "data's names",
)

# score
ENTITY_AGG = typer.Option(
    ScoreOptions.entity_agg,
    "--entity-agg",
    help="Token head: entity AUM from its tokens' AUMs: mean|min",
)
P_POS = typer.Option(
    ScoreOptions.p_pos,
    "--p-pos",
    help="Percentile of the fake entities' AUMs that sets t_pos: entities below it are flagged",
)
P_NEG = typer.Option(
    ScoreOptions.p_neg,
    "--p-neg",
    help="Percentile of the fake non-entities' AUMs that sets t_neg: non-entities below it are flagged",
)
# self-train
MIN_AGREE = typer.Option(
    None,
    "--min-agree",
    help="Self-training: teachers that must predict an added entity's exact span and "
    "type (default: all)",
)
FILL_OUTSIDE = typer.Option(
    False,
    "--fill-outside",
    help="Self-training: also add entities over O tokens, not only over missing ones",
)
