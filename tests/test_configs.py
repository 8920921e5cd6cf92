"""Every shipped config builds a pipeline; the dynamics configs contain `dynclean`,
the production configs don't (they ship without spacy-dynclean; the frozen
transformer encoder of ner_trf is rewritten by `dynclean strip`)."""

import pytest
from spacy import util

from spacy_dynclean.config import load_config
from spacy_dynclean.training.package import FROZEN_TRANSFORMER
from tests.conftest import ROOT

# the training configs (the recipes, recipe_*.cfg, are tests/cleaning/test_recipes.py's)
CONFIGS = sorted(
    path
    for path in (ROOT / "spacy_dynclean" / "configs").glob("*.cfg")
    if not path.name.startswith("recipe_")
)


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_config_builds(path):
    if "trf" in path.name:
        pytest.importorskip("spacy_transformers")
    nlp = util.load_model_from_config(
        load_config(path, {}), auto_fill=True, validate=True
    )
    if path.name.startswith("dynamics_"):
        assert "dynclean" in nlp.pipe_names
        head = nlp.get_pipe("dynclean").model.attrs.get("dynclean_head", "token")
        assert head == ("span" if "_span_" in path.name else "token")
    else:  # ships without spacy-dynclean: `dynclean strip` rewrites a frozen encoder
        assert "dynclean" not in nlp.pipe_names
        text = nlp.config.to_str().replace(FROZEN_TRANSFORMER, "")
        assert "dynclean" not in text


def test_all_families_present():
    names = {p.name for p in CONFIGS}
    assert {
        "dynamics_cnn.cfg",
        "dynamics_trf.cfg",
        "dynamics_span_cnn.cfg",
        "dynamics_span_trf.cfg",
        "ner_cnn.cfg",
        "ner_trf.cfg",
        "dynamics_trf_finetune.cfg",
        "dynamics_span_trf_finetune.cfg",
        "ner_trf_finetune.cfg",
    } <= names


def test_commands_take_a_config_family_or_name_from_any_folder(tmp_path, monkeypatch):
    """Issue 27, item 5: `dynclean dynamics cnn` and `dynclean train cnn` find the
    shipped configs from any folder; a missing path says where they are."""
    from typer.testing import CliRunner

    from spacy_dynclean.cli import app
    from spacy_dynclean.configs import CONFIG_DIR, resolve_config
    from spacy_dynclean.errors import DataError

    assert resolve_config("cnn", "dynamics") == CONFIG_DIR / "dynamics_cnn.cfg"
    assert resolve_config("dynamics_cnn", "dynamics") == CONFIG_DIR / "dynamics_cnn.cfg"
    assert resolve_config("trf", "ner") == CONFIG_DIR / "ner_trf.cfg"
    with pytest.raises(DataError, match=f"they are in {CONFIG_DIR}"):
        resolve_config("configs/missing.cfg", "dynamics")
    monkeypatch.chdir(tmp_path)
    args = ["dynamics", "cnn", "out", "--paths.train", "missing.spacy"]
    result = CliRunner().invoke(app, args)
    assert "paths.train: missing.spacy does not exist" in str(result.exception)
