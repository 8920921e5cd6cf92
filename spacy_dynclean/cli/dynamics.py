"""`dynclean dynamics`: train a config with `dynclean` and write the margin records."""

from pathlib import Path

import typer
from spacy.cli._util import parse_config_overrides, setup_gpu
from wasabi import msg

from ..config import load_config, require_component, require_paths
from ..configs import resolve_config
from ..dynamics.loop import train_dynamics, write_records
from ..io.docbin import check_docbin
from ..util import check_output_folder
from ._util import app


@app.command(
    "dynamics",
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
)
def dynamics_cli(
    ctx: typer.Context,
    config_path: Path = typer.Argument(
        ...,
        metavar="CONFIG",
        help="Config with a `dynclean` component: a path, or a shipped config's family "
        "(cnn, trf, trf_finetune, span_cnn, ...) or name (dynamics_cnn)",
        dir_okay=False,
    ),
    output_dir: Path = typer.Argument(
        ..., metavar="OUTPUT_DIR", help="Folder for the margin records"
    ),
    gpu_id: int = typer.Option(-1, "--gpu-id", "-g", help="GPU id, or -1 for CPU"),
    save_pipeline: bool = typer.Option(
        False,
        "--save-pipeline",
        help="Also save the trained pipeline to OUTPUT_DIR/pipeline",
    ),
) -> None:
    """Train CONFIG for the max_epochs of its training section and write, for every training
    sample, its margin at every epoch to OUTPUT_DIR (margins.npy, probs.npy,
    samples.npz, meta.json). Override config values with --section.key value,
    e.g. --paths.train train.spacy --components.dynclean.fold 1."""
    overrides = parse_config_overrides(ctx.args)
    setup_gpu(gpu_id)
    config_path = resolve_config(config_path, "dynamics")
    config = load_config(config_path, overrides)
    require_component(config, "dynclean", config_path)
    require_paths(config, ["train"])
    check_docbin(config["paths"]["train"])
    check_output_folder(output_dir)
    nlp = train_dynamics(config, use_gpu=gpu_id, records_dir=output_dir)
    for path in write_records(nlp, output_dir):
        msg.good(f"Margin records written to {path}")
    if save_pipeline:
        nlp.to_disk(output_dir / "pipeline")
        msg.good(f"Pipeline saved to {output_dir / 'pipeline'}")
