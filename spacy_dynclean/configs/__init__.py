"""The shipped training configs, installed with the package as package data.

`config_path("dynamics_cnn")` gives the path of `dynamics_cnn.cfg`, whether the package
is a checkout, an editable or a normal (wheel) install; `resolve_config` takes what a
command's CONFIG argument may be: a path, a shipped name or a family (`cnn`). To copy
one into a project:

    python -c "import spacy_dynclean.configs as c; print(c.CONFIG_DIR)"
"""

from pathlib import Path

from ..errors import DataError

CONFIG_DIR = Path(__file__).resolve().parent


def config_names() -> list[str]:
    """The names of the shipped configs, without `.cfg`."""
    return sorted(path.stem for path in CONFIG_DIR.glob("*.cfg"))


def config_path(name: str) -> Path:
    """The path of the shipped config `name` (`dynamics_cnn` or `dynamics_cnn.cfg`)."""
    stem = name[: -len(".cfg")] if name.endswith(".cfg") else name
    path = CONFIG_DIR / f"{stem}.cfg"
    if not path.is_file():
        raise DataError(
            path,
            f"no shipped config {name!r}",
            hint=f"shipped: {', '.join(config_names())}",
        )
    return path


def resolve_config(value: str | Path, stage: str) -> Path:
    """The config a command's CONFIG argument names: a config file, else a shipped
    config by name (`dynamics_cnn`) or by family (`cnn`: `<stage>_cnn`)."""
    path = Path(value)
    if path.is_file():
        return path
    stem = str(value).removesuffix(".cfg")
    for name in (stem, f"{stage}_{stem}"):
        if name in config_names():
            return CONFIG_DIR / f"{name}.cfg"
    families = [
        n.removeprefix(f"{stage}_") for n in config_names() if n.startswith(stage)
    ]
    raise DataError(
        value,
        "no such config file, nor a shipped config's name",
        hint=f"pass a path, or a family of the shipped {stage} configs "
        f"({', '.join(families)}); they are in {CONFIG_DIR}",
    )
