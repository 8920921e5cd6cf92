"""Recipes: which cleaning rules run on the distant data, as one value with a name.

A recipe says whether the data is cleaned at all (`raw` is not), whether the
dictionary entries judged on gold dev docs act (`entries`: the only rule that needs
dev labels), whether capitalised words running on from an entity are flagged
(`capitalised`), what a kept entity touching a flagged token becomes
(`neighbour_action`) and what a flagged entity's tokens become (`entity_action`).
`apply_recipe` runs one on a DocBin with what `dynclean entries` and `dynclean clean`
call. `dynclean select` and `dynclean benchmark` choose among named recipes."""

from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import DataError
from ..io.docbin import iter_docbin_as_stored, write_docbin
from ..scoring.entries import EntryOptions, score_entries, write_entries
from ..util import PathLike
from .clean import CleanReport, check_actions, clean_docbin


@dataclass(frozen=True)
class Recipe:
    """One cleaning of the distant data (the `dynclean clean` defaults unless said)."""

    clean: bool = True  # False: the distant labels as they are
    entries: bool = False  # dictionary entries judged on the gold dev docs act
    additions: bool = False  # with entries: add the entries the dictionary lacks
    capitalised: bool = True
    neighbour_action: str = "missing"
    entity_action: str = "missing"

    def __post_init__(self) -> None:
        check_actions(self.entity_action, self.neighbour_action)

    @property
    def uses_dev(self) -> bool:
        """Whether the recipe reads gold dev labels (then selection cross-fits it)."""
        return self.clean and self.entries


# The named recipes. "dynclean": the training dynamics' flags with the capitalisation
# and neighbour rules, no dev labels; "cleaned": the shipped default, which adds the
# dictionary entries judged on dev; "dynclean_paper": the paper's recipe exactly
# (flags only); "cleaned_nocap": the default without the capitalisation rule;
# "cleaned_added": the default plus the entries the dictionary lacks, from dev.
RECIPES: dict[str, Recipe] = {
    "raw": Recipe(clean=False),
    "dynclean": Recipe(),
    "cleaned": Recipe(entries=True),
    "dynclean_paper": Recipe(capitalised=False, neighbour_action="keep"),
    "cleaned_nocap": Recipe(entries=True, capitalised=False),
    "cleaned_added": Recipe(entries=True, additions=True),
}


def recipe(name: str) -> Recipe:
    """The named recipe; an unknown name is refused with the known ones."""
    if name not in RECIPES:
        raise DataError(
            "recipe",
            f"unknown recipe {name!r}",
            hint=f"choose from {', '.join(RECIPES)}",
        )
    return RECIPES[name]


def apply_recipe(
    rec: Recipe,
    data_path: PathLike,
    scores_dir: PathLike,
    output_path: PathLike,
    *,
    dev_path: PathLike | None = None,
    audit_path: PathLike | None = None,
    entries_dir: PathLike | None = None,
    entry_options: EntryOptions = EntryOptions(),
) -> CleanReport | None:
    """Write the data cleaned by `rec` to `output_path` (for `raw`, a copy of the data;
    returns None then). A recipe with `entries` judges them on the gold dev docs at
    `dev_path` and writes the table into `entries_dir` (default: the output's folder)."""
    if not rec.clean:
        write_docbin(iter_docbin_as_stored(data_path), output_path)
        return None
    entries_path = None
    if rec.entries:
        if dev_path is None:
            raise DataError(
                "recipe",
                "this recipe judges the dictionary entries on gold dev docs",
                hint="pass the gold dev data, or choose a recipe without entries",
            )
        options = replace(entry_options, additions=rec.additions)
        table = score_entries(data_path, dev_path, options, scores_dir)
        entries_path = write_entries(table, entries_dir or Path(output_path).parent)
    return clean_docbin(
        data_path,
        scores_dir,
        output_path,
        audit_path,
        rec.entity_action,
        entries_path=entries_path,
        neighbour_action=rec.neighbour_action,
        capitalised=rec.capitalised,
    )
