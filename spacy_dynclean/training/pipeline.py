"""Train and evaluate the production pipeline (plain spaCy: tok2vec/transformer + ner)."""

import io
import sys
from pathlib import Path
from typing import Any

import srsly
from spacy.cli.evaluate import evaluate as spacy_evaluate
from spacy.training.loop import train as spacy_train

from ..config import init_pipeline, load_config, require_paths


def train_pipeline(
    config_path: Path,
    train_path: Path,
    dev_path: Path,
    output_dir: Path,
    *,
    overrides: dict[str, Any] | None = None,
    use_gpu: int = -1,
    quiet: bool = True,
) -> Path:
    """`spacy train` the production config; returns the best pipeline's folder."""
    overrides = {
        "paths.train": str(train_path),
        "paths.dev": str(dev_path),
        **(overrides or {}),
    }
    config = load_config(config_path, overrides)
    require_paths(config, ["train", "dev"])
    nlp = init_pipeline(config, use_gpu=use_gpu)
    out = io.StringIO() if quiet else sys.stdout
    output_dir.mkdir(parents=True, exist_ok=True)
    spacy_train(nlp, output_dir, use_gpu=use_gpu, stdout=out, stderr=out)
    return output_dir / "model-best"


def evaluate_pipeline(
    model_path: Path, data_path: Path, use_gpu: int = -1
) -> dict[str, float]:
    """Entity P/R/F (0-1) of a pipeline on a gold DocBin."""
    scores = spacy_evaluate(str(model_path), data_path, use_gpu=use_gpu, silent=True)
    return {
        "p": float(scores.get("ents_p") or 0.0),
        "r": float(scores.get("ents_r") or 0.0),
        "f": float(scores.get("ents_f") or 0.0),
    }


def dev_scores(model_path: Path) -> dict[str, float]:
    """The dev-set entity P/R/F (0-1) spaCy recorded for the saved pipeline."""
    performance = srsly.read_json(Path(model_path) / "meta.json").get("performance", {})
    return {
        "p": float(performance.get("ents_p") or 0.0),
        "r": float(performance.get("ents_r") or 0.0),
        "f": float(performance.get("ents_f") or 0.0),
    }
