"""The typer app every command module registers on."""
from typing import Any, Dict, List

import typer
from spacy.cli._util import _parse_override

from .. import __version__
from ..errors import DataError

# rich_markup_mode=None: click's plain help. Typer's Rich help panel prints every
# option's type, flags included (`--repair <bool>`, even `--help <bool>`: typer 0.29's
# rich_utils._print_options_panel calls display_type_rich() without checking is_flag),
# while the plain formatter (TyperOption.get_help_record) leaves flags without a value.
app = typer.Typer(
    name="dynclean",
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
    version: bool = typer.Option(False, "--version", help="Show the version and exit.", callback=_print_version,
                                 is_eager=True),
) -> None:
    pass


def parse_overrides(items: List[str], option: str) -> Dict[str, Any]:
    """KEY=VALUE strings → config overrides (values parsed like spaCy's CLI does)."""
    overrides: Dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise DataError(option, f"expected KEY=VALUE (e.g. training.max_epochs=3), got {item!r}")
        overrides[key.strip()] = _parse_override(value.strip())
    return overrides
