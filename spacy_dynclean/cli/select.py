"""`dynclean select CONFIG DATA DEV SCORES_DIR OUTPUT_DIR`: choose the recipe on dev."""

from pathlib import Path

import typer
from spacy.cli._util import parse_config_overrides, setup_gpu
from wasabi import msg

from ..cleaning.clean import apply_recipe
from ..cleaning.recipes import load_recipe
from ..configs import resolve_config
from ..training.selection import (
    SELECTION_FILE,
    SELECTION_HEADER,
    SelectionSettings,
    select_recipe,
    selection_rows,
)
from ._util import app

SELECTED_DATA = "train-selected.spacy"


@app.command(
    "select",
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
)
def select_cli(
    ctx: typer.Context,
    config_path: str = typer.Argument(
        ...,
        metavar="CONFIG",
        help="Production config the candidates train with: a path, or a shipped one's "
        "family (cnn, trf, trf_finetune) or name (ner_cnn)",
    ),
    data_path: Path = typer.Argument(
        ...,
        metavar="DATA",
        help="The distant training data that was scored",
        exists=True,
    ),
    dev_path: Path = typer.Argument(
        ...,
        metavar="DEV",
        help="Gold dev data (.spacy): the selection's evidence",
        exists=True,
    ),
    scores_dir: Path = typer.Argument(
        ..., metavar="SCORES_DIR", help="Output folder of `dynclean score`"
    ),
    output_dir: Path = typer.Argument(
        ...,
        metavar="OUTPUT_DIR",
        help=f"Folder for {SELECTION_FILE}, the fold models and {SELECTED_DATA}",
    ),
    gpu_id: int = typer.Option(-1, "--gpu-id", "-g", help="GPU id, or -1 for CPU"),
) -> None:
    """Train the production pipeline on every candidate recipe's data, cross-fitted
    on the dev folds, and select the recipe whose dev F1 gain over the raw labels is
    surely above zero (paired bootstrap over dev docs); else the raw labels. Writes
    OUTPUT_DIR/selection.json and the selected recipe's data (cleaned with all the dev
    docs as evidence) as OUTPUT_DIR/train-selected.spacy, to train and ship.
    Settings: --selection.candidates '["raw","dynclean","cleaned"]',
    --selection.n_folds, --selection.interval, --selection.n_bootstrap,
    --selection.seed, --selection.max_steps (a budget); other --section.key
    overrides go to CONFIG."""
    setup_gpu(gpu_id)
    overrides = parse_config_overrides(ctx.args)
    settings = SelectionSettings.from_overrides(
        {k: v for k, v in overrides.items() if k.startswith("selection.")}
    )
    config_overrides = {
        k: v for k, v in overrides.items() if not k.startswith("selection.")
    }
    selection = select_recipe(
        data_path,
        dev_path,
        scores_dir,
        resolve_config(config_path, "ner"),
        output_dir,
        settings,
        overrides=config_overrides,
        use_gpu=gpu_id,
    )
    result = selection.to_json()
    msg.table(selection_rows(result), header=SELECTION_HEADER, divider=True)
    msg.info(
        f"Cross-fitted on {selection.n_dev_docs} dev docs in {settings.n_folds} folds "
        f"{selection.fold_sizes}: each doc scored by models that never used it; "
        f"{selection.seconds:.0f} s"
    )
    msg.good(f"Selected: {selection.reason}")
    apply_recipe(
        load_recipe(selection.selected),
        data_path,
        scores_dir,
        output_dir / SELECTED_DATA,
        dev_path=dev_path,
        audit_path=output_dir / "audit-selected.jsonl",
    )
    msg.good(
        f"{output_dir / SELECTION_FILE}; train and ship {output_dir / SELECTED_DATA}"
    )
