"""The typer app every command module registers on."""
import typer

app = typer.Typer(
    name="dynclean",
    help="Clean distantly supervised NER data with training dynamics.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
