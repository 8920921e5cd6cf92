"""The typer app every command module registers on."""
from typing import Any, Dict, List

import typer
from spacy.cli._util import _parse_override

from ..errors import DataError

app = typer.Typer(
    name="dynclean",
    help="Clean distantly supervised NER data with training dynamics.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def parse_overrides(items: List[str], option: str) -> Dict[str, Any]:
    """KEY=VALUE strings → config overrides (values parsed like spaCy's CLI does)."""
    overrides: Dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise DataError(option, f"expected KEY=VALUE (e.g. training.max_epochs=3), got {item!r}")
        overrides[key.strip()] = _parse_override(value.strip())
    return overrides
