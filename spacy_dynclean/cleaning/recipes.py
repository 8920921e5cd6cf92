"""Recipes: which cleaning rules run on the distant data, in which order, as a config.

A recipe is a config with a `[cleaning]` section, the names of the rules to run in
order (`rules`, as spaCy's `[nlp] pipeline` names components) and what a removed
entity's tokens become (`entity_action`: missing | outside), and a `[rules.NAME]`
block per rule naming a registered rule (`rules.py`) and its settings:

    [cleaning]
    rules = ["aum_flags", "dictionary_entries", "capitalised_edges", "neighbours"]
    entity_action = "missing"

    [rules.aum_flags]
    @cleaning_rules = "spacy-dynclean.aum_flags.v1"
    sides = ["entity", "non_entity"]

The recipes shipped with the package are `configs/recipe_<name>.cfg`: raw (no rule:
the data as it is), dynclean (no dev labels), cleaned (the default), dynclean_paper,
cleaned_nocap, cleaned_added, cleaned_added_long, cleaned_added_whole, repaired.
`load_recipe` takes a name or a path, with `--cleaning.x` / `--rules.x` overrides;
`clean.apply_recipe` runs one."""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from spacy.util import registry
from thinc.api import Config

from ..config import load_config
from ..configs import CONFIG_DIR, config_names, resolve_config
from ..errors import DataError
from .audit import ENTITY_ACTIONS, MISSING
from .entries import EntryOptions
from .rules import Rule

DEFAULT_RECIPE = "cleaned"
PREFIX = "recipe_"


@dataclass(frozen=True)
class Recipe:
    """The rules of one cleaning, in order, and what a removed entity's tokens
    become. `config`: the recipe as written (with its overrides)."""

    name: str
    rules: Mapping[str, Rule] = field(default_factory=dict)
    entity_action: str = MISSING
    config: Config = field(default_factory=Config, compare=False)

    def __post_init__(self) -> None:
        if self.entity_action not in ENTITY_ACTIONS:
            raise DataError(
                f"recipe {self.name!r}",
                f"cleaning.entity_action must be one of {ENTITY_ACTIONS}, "
                f"not {self.entity_action!r}",
            )

    @property
    def cleans(self) -> bool:
        """False for a recipe without rules: the data as it is (`raw`)."""
        return bool(self.rules)

    @property
    def uses_entries(self) -> bool:
        """Whether a rule reads the entry table, judged on gold dev docs (then the
        selection cross-fits the recipe)."""
        return any(
            getattr(rule, "reads_entries", False) for rule in self.rules.values()
        )

    @property
    def adds_entries(self) -> bool:
        """Whether a rule adds the entries the dictionary lacks (then `dynclean
        entries` proposes them)."""
        return self._any_rule("adds_entries")

    def entry_options(self, options: EntryOptions) -> EntryOptions:
        """`options` as this recipe's rules need the entry table judged: additions,
        and where they may go (`AddedEntries`: names cut short, whole names only)."""
        return replace(
            options,
            additions=self.adds_entries,
            longer_names=self._any_rule("longer_names"),
            whole_names=self._any_rule("whole_names"),
        )

    def _any_rule(self, flag: str) -> bool:
        return any(getattr(rule, flag, False) for rule in self.rules.values())


def recipe_names() -> list[str]:
    """The names of the recipes shipped with the package."""
    return [n.removeprefix(PREFIX) for n in config_names() if n.startswith(PREFIX)]


def load_recipe(
    value: str | Path, overrides: Mapping[str, Any] | None = None
) -> Recipe:
    """The recipe a shipped name (`cleaned`) or a config path names, with
    `cleaning.x` / `rules.x` overrides; refused in one line when it cannot run."""
    try:
        path = resolve_config(value, "recipe")
    except DataError:
        raise DataError(
            value,
            "no such recipe file, nor a shipped recipe's name",
            hint=f"shipped: {', '.join(recipe_names())} (in {CONFIG_DIR}); or pass "
            "a .cfg with [cleaning] rules = [...] and a [rules.NAME] block per rule",
        ) from None
    config = load_config(path, dict(overrides or {}))
    name = path.stem.removeprefix(PREFIX)
    section = config.get("cleaning")
    if not isinstance(section, dict) or not isinstance(section.get("rules"), list):
        raise DataError(path, "a recipe needs [cleaning] with rules = [...]")
    blocks = config.get("rules", {})
    undefined = [rule for rule in section["rules"] if rule not in blocks]
    if undefined:
        raise DataError(
            path,
            f"cleaning.rules names {undefined}, which have no [rules.NAME] block",
            hint=f"defined: {', '.join(blocks) or 'none'}",
        )
    try:
        resolved = registry.resolve(
            {name: blocks[name] for name in section["rules"]}, validate=True
        )
    except Exception as error:  # confection's errors for unknown names and bad settings
        raise DataError(path, f"cannot build its rules: {error}") from None
    return Recipe(
        name,
        {rule: resolved[rule] for rule in section["rules"]},
        section.get("entity_action", MISSING),
        config,
    )
