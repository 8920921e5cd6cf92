"""Shipping a pipeline trained with dynclean in it: `dynclean strip`, then `spacy package`."""

import subprocess
import sys

import pytest
import spacy
import srsly
from spacy.training import Example

from spacy_dynclean.training.package import strip_dynclean

LISTENER = {"@architectures": "spacy.Tok2VecListener.v1", "width": 96, "upstream": "*"}


@pytest.fixture
def trained_with_dynclean(tmp_path, tiny_docs):
    """tok2vec + ner + dynclean (both listening to the tok2vec), a few updates, saved."""
    nlp = spacy.blank("en")
    nlp.add_pipe("tok2vec")
    nlp.add_pipe(
        "ner",
        config={
            "model": {
                "@architectures": "spacy.TransitionBasedParser.v2",
                "state_type": "ner",
                "extra_state_tokens": False,
                "hidden_width": 64,
                "maxout_pieces": 2,
                "use_upper": True,
                "nO": None,
                "tok2vec": LISTENER,
            }
        },
    )
    nlp.add_pipe(
        "dynclean",
        config={
            "model": {
                "@architectures": "spacy-dynclean.TokenScorer.v1",
                "hidden_width": 0,
                "nO": None,
                "tok2vec": LISTENER,
            }
        },
    )
    examples = [Example(nlp.make_doc(doc.text), doc) for doc in tiny_docs]
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(3):
        nlp.update(examples, sgd=optimizer)
    path = tmp_path / "model"
    nlp.to_disk(path)
    assert (path / "dynclean" / "records").exists()
    return path


def test_strip_removes_dynclean_and_keeps_predictions(trained_with_dynclean, tmp_path):
    out = tmp_path / "stripped"
    assert strip_dynclean(trained_with_dynclean, out) == ["dynclean"]
    stripped, original = spacy.load(out), spacy.load(trained_with_dynclean)
    assert stripped.pipe_names == ["tok2vec", "ner"]
    assert not (out / "dynclean").exists()
    assert "dynclean" not in (out / "config.cfg").read_text(encoding="utf8")
    text = "Alice lives in Paris and Bob works at Acme Corp"
    assert [(e.text, e.label_) for e in stripped(text).ents] == [
        (e.text, e.label_) for e in original(text).ents
    ]


def test_packaged_stripped_pipeline_does_not_require_spacy_dynclean(
    trained_with_dynclean, tmp_path
):
    def requirements(model, name):
        out = tmp_path / f"packages-{name}"
        out.mkdir()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "spacy",
                "package",
                str(model),
                str(out),
                "--name",
                name,
                "--version",
                "0.0.1",
                "--build",
                "none",
            ],
            check=True,
            capture_output=True,
        )
        return srsly.read_json(out / f"en_{name}-0.0.1" / "meta.json")["requirements"]

    assert any(
        r.startswith("spacy-dynclean")
        for r in requirements(trained_with_dynclean, "full")
    )
    strip_dynclean(trained_with_dynclean, tmp_path / "stripped")
    assert not any(
        r.startswith("spacy-dynclean")
        for r in requirements(tmp_path / "stripped", "stripped")
    )


def test_strip_copies_a_pipeline_with_nothing_to_strip(trained_with_dynclean, tmp_path):
    """Issue 27, item 3: the production `ner` (no dynclean) is copied with a note."""
    from typer.testing import CliRunner

    from spacy_dynclean.cli import app

    strip_dynclean(trained_with_dynclean, tmp_path / "stripped")
    assert strip_dynclean(tmp_path / "stripped", tmp_path / "again") == []
    assert spacy.load(tmp_path / "again").pipe_names == ["tok2vec", "ner"]
    args = ["strip", str(tmp_path / "stripped"), str(tmp_path / "cli")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "nothing to strip, so it was copied as it is" in " ".join(
        result.output.split()
    )
    assert (tmp_path / "cli" / "config.cfg").exists()


def test_strip_writes_a_frozen_encoder_as_spacy_transformers_own(
    tmp_path, tiny_docs, tiny_bert
):
    from spacy_dynclean.config import load_config
    from spacy_dynclean.configs import config_path

    config = load_config(
        config_path("ner_trf"),
        {"paths.transformer": str(tiny_bert), "training.max_steps": 3},
    )
    nlp = spacy.util.load_model_from_config(config, auto_fill=True, validate=True)
    examples = [Example(nlp.make_doc(doc.text), doc) for doc in tiny_docs]
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(3):
        nlp.update(examples, sgd=optimizer)
    nlp.to_disk(tmp_path / "model")
    out = tmp_path / "stripped"
    assert strip_dynclean(tmp_path / "model", out) == ["frozen encoder of ner"]
    text = (out / "config.cfg").read_text(encoding="utf8")
    assert "dynclean" not in text and "Tok2VecTransformer.v3" in text
    stripped = spacy.load(out)
    doc = "Alice lives in Paris and Bob works at Acme Corp"
    assert [(e.text, e.label_) for e in stripped(doc).ents] == [
        (e.text, e.label_) for e in nlp(doc).ents
    ]
    encoder = stripped.get_pipe("ner").model.get_ref("tok2vec")
    assert stripped.get_pipe("ner").model.layers  # built from the plain architecture
    assert encoder is not None
