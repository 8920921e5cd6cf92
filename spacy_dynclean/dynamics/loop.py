"""Epoch-aware training for dynamics runs, on spaCy's own training machinery.

spaCy's `train_while_improving` does the updates (dropout, gradient accumulation,
`finish_update`, schedules); we add what a dynamics run needs: an end-of-epoch
signal to the `dynclean` components after every epoch, the last one included,
and no evaluation or early stopping (every run sees the same number of epochs).
Under plain `spacy train`, the `spacy-dynclean.end_epochs.v1` callback gives the
same signal.
"""

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from spacy.language import Language
from spacy.schemas import ConfigSchemaTraining
from spacy.training.loop import create_train_batches, train_while_improving
from spacy.util import registry, resolve_dot_names
from thinc.api import Config
from wasabi import Printer

from ..config import init_pipeline
from ..errors import DynCleanError
from .component import DynClean


def dynclean_components(nlp: Language) -> list[DynClean]:
    return [proc for _, proc in nlp.pipeline if isinstance(proc, DynClean)]


def end_epoch(nlp: Language) -> None:
    """Close the current epoch on every dynclean component of the pipeline."""
    for proc in dynclean_components(nlp):
        proc.end_epoch(nlp)


@registry.callbacks("spacy-dynclean.end_epochs.v1")
def create_end_epochs_callback() -> Callable[[Language, dict[str, Any]], None]:
    """A `[training.before_update]` callback that tells every `dynclean` component
    when an epoch ends (needed for record = "epoch" under plain `spacy train`)."""
    return EpochSignal()


def train_dynamics(
    config: Config,
    *,
    use_gpu: int = -1,
    stdout: IO = sys.stdout,
    records_dir: Path | None = None,
) -> Language:
    """Initialize and train the pipeline of `config` for `[training] max_epochs`
    epochs, recording margins in its `dynclean` component(s). With `records_dir`,
    the records are written there after every epoch, so an interrupted run leaves
    its complete epochs behind."""
    printer = Printer(no_print=stdout is None)
    nlp = init_pipeline(config, use_gpu=use_gpu)
    if not dynclean_components(nlp):
        raise DynCleanError(
            f"The config's pipeline {nlp.pipe_names} has no `dynclean` component: add one "
            '(factory = "dynclean") next to the tok2vec/transformer, see spacy_dynclean/configs/dynamics_cnn.cfg'
        )
    interpolated = nlp.config.interpolate()
    T = registry.resolve(interpolated["training"], schema=ConfigSchemaTraining)
    if T["max_epochs"] < 1:
        raise DynCleanError(
            "[training] max_epochs must be at least 1 for a dynamics run (it sets the number of epochs)"
        )
    (train_corpus,) = resolve_dot_names(interpolated, [T["train_corpus"]])
    before_update = EpochSignal(
        user_hook=T["before_update"], printer=printer, records_dir=records_dir
    )
    steps = train_while_improving(
        nlp,
        T["optimizer"],
        create_train_batches(nlp, train_corpus, T["batcher"], T["max_epochs"]),
        lambda: (0.0, {}),
        dropout=T["dropout"],
        accumulate_gradient=T["accumulate_gradient"],
        patience=0,
        max_steps=T["max_steps"],
        eval_frequency=sys.maxsize,
        exclude=T["frozen_components"],
        annotating_components=T["annotating_components"],
        before_update=before_update,
    )
    for _batch, info, _ in steps:
        before_update.last_info = info
    before_update(nlp, {"epoch": T["max_epochs"], "step": -1})
    return nlp


class EpochSignal:
    """before_update hook: ends the epoch on the dynclean components whenever spaCy's
    epoch counter moves on; optionally writes their records to `records_dir` and
    prints the epoch's loss after each, and calls the user's own hook."""

    def __init__(
        self,
        *,
        user_hook: Callable | None = None,
        printer: Printer | None = None,
        records_dir: Path | None = None,
    ) -> None:
        self.user_hook = user_hook
        self.records_dir = records_dir
        self.printer = printer
        self.epoch = 0
        self.started = time.time()
        self.last_info: dict[str, Any] = {}
        self.seen_losses: dict[str, float] = {}

    def __call__(self, nlp: Language, info: dict[str, Any]) -> None:
        while info["epoch"] > self.epoch:
            end_epoch(nlp)
            self.epoch += 1
            if self.records_dir is not None:
                write_records(nlp, self.records_dir)
            if self.printer is not None:
                self._report()
        if self.user_hook is not None and info["step"] >= 0:
            self.user_hook(nlp, info)

    def _report(self) -> None:
        """Print the epoch's loss (spaCy's loop accumulates losses over the run)."""
        totals = dict(self.last_info.get("losses", {}))
        losses = ", ".join(
            f"{k} {v - self.seen_losses.get(k, 0.0):.1f}" for k, v in totals.items()
        )
        self.seen_losses = totals
        self.printer.info(
            f"Epoch {self.epoch} done after {time.time() - self.started:.0f}s (loss: {losses})"
        )


def write_records(nlp: Language, output_dir: Path) -> list[Path]:
    """Write each dynclean component's records to `output_dir/<name>` (or
    `output_dir` itself when there is one component)."""
    components = dynclean_components(nlp)
    paths = []
    for proc in components:
        path = output_dir if len(components) == 1 else output_dir / proc.name
        proc.records.to_disk(path)
        paths.append(path)
    return paths
