"""Recipes: the shipped configs, their rules in order, overrides, a rule of one's
own registered and used from a config, and recipes that cannot run."""

import pytest
from spacy.util import registry

from spacy_dynclean.cleaning.recipes import load_recipe, recipe_names
from spacy_dynclean.cleaning.rules import (
    AumFlags,
    with_capitalised_decisions,
    with_entry_decisions,
    with_neighbour_decisions,
)
from spacy_dynclean.errors import DataError, DynCleanError

from .helpers import clean_with, ents_of, make_doc

WORDS = "I flew to New York today".split()


@pytest.mark.parametrize("name", recipe_names())
def test_every_shipped_recipe_builds(name):
    assert load_recipe(name).name == name


def test_the_shipped_recipes_and_their_rules_in_order():
    assert {"raw", "dynclean", "cleaned", "cleaned_added"} <= set(recipe_names())
    cleaned = load_recipe("cleaned")
    assert list(cleaned.rules) == [
        "aum_flags",
        "dictionary_entries",
        "capitalised_edges",
        "neighbours",
    ]
    assert isinstance(cleaned.rules["aum_flags"], AumFlags)
    assert cleaned.rules["dictionary_entries"] is with_entry_decisions
    assert cleaned.uses_entries and not cleaned.adds_entries
    assert load_recipe("cleaned_added").adds_entries
    assert not load_recipe("dynclean").uses_entries
    assert list(load_recipe("dynclean_paper").rules) == ["aum_flags"]
    assert not load_recipe("raw").cleans
    assert load_recipe("repaired").rules["aum_flags"].repair is not None


def test_overrides_change_settings_and_the_rules_that_run():
    recipe = load_recipe(
        "cleaned",
        {
            "cleaning.entity_action": "outside",
            "cleaning.rules": ["aum_flags", "capitalised_edges"],
            "rules.aum_flags.sides": ["entity"],
        },
    )
    assert recipe.entity_action == "outside"
    assert list(recipe.rules) == ["aum_flags", "capitalised_edges"]
    assert recipe.rules["aum_flags"].sides == ("entity",)
    assert recipe.rules["capitalised_edges"] is with_capitalised_decisions
    assert not recipe.uses_entries


def test_a_recipe_from_a_path(tmp_path):
    path = tmp_path / "mine.cfg"
    path.write_text(
        '[cleaning]\nrules = ["neighbours"]\n\n[rules]\n\n[rules.neighbours]\n'
        '@cleaning_rules = "spacy-dynclean.neighbours.v1"\n'
    )
    recipe = load_recipe(path)
    assert (
        recipe.name == "mine" and recipe.rules["neighbours"] is with_neighbour_decisions
    )


@registry.cleaning_rules("test.lowercase_o.v1")
def make_lowercase_o(words: list[str] = ["to"]):
    """A rule of one's own: these words' tokens become missing wherever they are O."""

    def rule(doc, decisions, context):
        from spacy_dynclean.cleaning.audit import Decision
        from spacy_dynclean.io.ids import sample_key

        return decisions + [
            Decision(sample_key(doc), "non_entity", t.i, t.i + 1, "O", source="mine")
            for t in doc
            if t.text in words and t.ent_iob_ == "O"
        ]

    return rule


def test_a_rule_of_ones_own_is_one_function_and_a_config_block(tmp_path):
    path = tmp_path / "mine.cfg"
    path.write_text(
        '[cleaning]\nrules = ["aum_flags", "lowercase_o"]\n\n[rules]\n\n'
        '[rules.aum_flags]\n@cleaning_rules = "spacy-dynclean.aum_flags.v1"\n\n'
        '[rules.lowercase_o]\n@cleaning_rules = "test.lowercase_o.v1"\n'
        'words = ["flew"]\n'
    )
    doc = make_doc(WORDS, [(3, 5, "LOC")], "d:1")
    ((out, decisions),) = clean_with([doc], recipe=load_recipe(path))
    assert ents_of(out) == [(3, 5, "LOC")]
    assert [(d.start, d.source, d.n_missing) for d in decisions] == [(1, "mine", 1)]
    assert out[1].ent_iob == 0  # missing


@pytest.mark.parametrize(
    "overrides,error,message",
    [
        ({"cleaning.rules": ["aum_flags", "typo"]}, DataError, "no [rules.NAME] block"),
        ({"rules.aum_flags.sides": ["entities"]}, DataError, "'entity' and/or"),
        ({"rules.aum_flags.repair_min_share": "a lot"}, DataError, "repair_min_share"),
        ({"cleaning.entity_action": "drop"}, DataError, "entity_action"),
        ({"rulez.aum_flags.repair": True}, DynCleanError, "rulez"),
    ],
)
def test_recipes_that_cannot_run_are_refused(overrides, error, message):
    with pytest.raises(error) as caught:
        load_recipe("cleaned", overrides)
    assert message in str(caught.value)


def test_an_unknown_recipe_names_the_shipped_ones():
    with pytest.raises(DataError, match="shipped: cleaned"):
        load_recipe("polished")
