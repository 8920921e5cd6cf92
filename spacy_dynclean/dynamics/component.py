"""The `dynclean` component: trains a small scoring head on a shared encoder and
records, for every training sample, the margin of its assigned label at every epoch.

At inference it does nothing: `__call__` returns the doc unchanged, so a pipeline
that still contains it predicts exactly as without it. The records are written
with the pipeline (`<pipeline>/<name>/records/`) and by `dynclean dynamics`.
"""

from collections.abc import Callable, Iterable
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np
from spacy.language import Language
from spacy.pipeline import TrainablePipe
from spacy.tokens import Doc
from spacy.training import Example, validate_examples, validate_get_examples
from spacy.util import minibatch
from spacy.vocab import Vocab
from thinc.api import Config, Model, Optimizer, set_dropout_rate
from thinc.types import Floats2d

from ..errors import DynCleanError
from ..io.fingerprint import fingerprint_docs
from ..io.ids import sample_key
from ..io.labels import FAKE_LABEL
from .margins import cross_entropy, margin_and_runner_up
from .records import MarginRecords, Observed
from .samples import MISSING, SampleLayout, SpanSamples, TokenSamples
from .threshold_samples import FAKE_NEGATIVE_MODES, sample_keys, small_type_notes

RECORD_MODES = ("update", "epoch", "none")

DEFAULT_MODEL_CONFIG = """
[model]
@architectures = "spacy-dynclean.TokenScorer.v1"
hidden_width = 0
nO = null

[model.tok2vec]
@architectures = "spacy.HashEmbedCNN.v2"
pretrained_vectors = null
width = 96
depth = 4
embed_size = 2000
window_size = 1
maxout_pieces = 3
subword_features = true
"""
DEFAULT_MODEL = Config().from_str(DEFAULT_MODEL_CONFIG)["model"]


@Language.factory(
    "dynclean",
    assigns=[],
    default_config={
        "model": DEFAULT_MODEL,
        "record": "update",
        "threshold_samples": True,
        "fake_negatives": "hidden_entity",
        "threshold_share": 1.0,
        "negative_sampling": 0.0,
        "fold": 0,
        "n_folds": 2,
        "seed": 0,
    },
    default_score_weights={},
)
def make_dynclean(
    nlp: Language,
    name: str,
    model: Model[list[Doc], list[Floats2d]],
    record: str,
    threshold_samples: bool,
    fake_negatives: str,
    threshold_share: float,
    negative_sampling: float,
    fold: int,
    n_folds: int,
    seed: int,
) -> "DynClean":
    """Record training dynamics (per-sample margins per epoch) while training.

    record: "update" records the margins of each update's own forward pass;
        "epoch" records them in a no-dropout pass over the training set at
        each epoch's end (needs `dynclean dynamics` or the
        `spacy-dynclean.end_epochs.v1` before_update callback); "none" trains
        the head without recording (to measure the cost of recording).
    threshold_samples: give a seeded set of samples deliberately wrong labels.
    fake_negatives: how the non-entity threshold samples are made: "hidden_entity"
        (entities labelled as non-entities, like an entity the dictionary missed),
        "hidden_form" (every entity occurrence of some names hidden, like a name
        missing from the dictionary) or "random_type" (the paper: non-entities
        given a random entity type).
    threshold_share: how many threshold samples of each kind a run draws, as a
        share of the paper's #entities / #types (1.0). They relabel part of the
        data the run learns from, so fewer disturb the model less.
    negative_sampling: share of "O" samples left out of each update's loss (the
        paper drops 95% of negative spans); all samples are still recorded.
    fold / n_folds: this run draws threshold samples from doc fold `fold` of
        `n_folds` and judges the other folds (n_folds = 1: one-run mode).
    seed: seeds the folds and the threshold samples.
    """
    return DynClean(
        nlp.vocab,
        model,
        name,
        record=record,
        threshold_samples=threshold_samples,
        fake_negatives=fake_negatives,
        threshold_share=threshold_share,
        negative_sampling=negative_sampling,
        fold=fold,
        n_folds=n_folds,
        seed=seed,
    )


class DynClean(TrainablePipe):
    """Trainable pipe that records the margin of every sample's trained class, per epoch."""

    def __init__(
        self,
        vocab: Vocab,
        model: Model,
        name: str = "dynclean",
        *,
        record: str = "update",
        threshold_samples: bool = True,
        fake_negatives: str = "hidden_entity",
        threshold_share: float = 1.0,
        negative_sampling: float = 0.0,
        fold: int = 0,
        n_folds: int = 2,
        seed: int = 0,
    ) -> None:
        if record not in RECORD_MODES:
            raise DynCleanError(
                f"[components.{name}] record must be one of {RECORD_MODES}, not {record!r}"
            )
        if fake_negatives not in FAKE_NEGATIVE_MODES:
            raise DynCleanError(
                f"[components.{name}] fake_negatives must be one of {FAKE_NEGATIVE_MODES}, not {fake_negatives!r}"
            )
        if not 0 < threshold_share <= 1:
            raise DynCleanError(
                f"[components.{name}] threshold_share must be in (0, 1], not {threshold_share}"
            )
        if not 0 <= negative_sampling < 1:
            raise DynCleanError(
                f"[components.{name}] negative_sampling must be in [0, 1), not {negative_sampling}"
            )
        if not 0 <= fold < n_folds:
            raise DynCleanError(
                f"[components.{name}] fold must be in 0..n_folds-1 ({n_folds - 1}), not {fold}"
            )
        self.vocab = vocab
        self.model = model
        self.name = name
        self.cfg: dict[str, Any] = {
            "labels": [],
            "classes": [],
            "record": record,
            "threshold_samples": threshold_samples,
            "fake_negatives": fake_negatives,
            "threshold_share": threshold_share,
            "negative_sampling": negative_sampling,
            "fold": fold,
            "n_folds": n_folds,
            "seed": seed,
        }
        self.records: MarginRecords | None = None
        self._doc_index: dict[str, int] = {}
        self._layout: SampleLayout = TokenSamples([], None)
        self._rows = np.zeros(0, dtype=np.int64)  # records row per sample, -1 = none
        self._seen_epoch = np.zeros(0, dtype=np.int32)
        self._epoch = 0
        self._get_examples: Callable[[], Iterable[Example]] | None = None
        self._rng = np.random.default_rng(seed)

    @property
    def labels(self) -> tuple[str, ...]:
        """The entity types (without the fake threshold-sample type)."""
        return tuple(self.cfg["labels"])

    @property
    def classes(self) -> tuple[str, ...]:
        """The classes the head scores, "O" first: BILUO tags (token head) or the
        entity types (span head)."""
        return tuple(self.cfg["classes"])

    # inference: a no-op, see the module docstring
    def __call__(self, doc: Doc) -> Doc:
        return doc

    def pipe(self, stream: Iterable[Doc], *, batch_size: int = 128) -> Iterable[Doc]:
        yield from stream

    def predict(self, docs: Iterable[Doc]) -> list[Floats2d]:
        """Logits over the classes, one array per doc."""
        return self.model.predict(list(docs))

    def set_annotations(self, docs: Iterable[Doc], scores: list[Floats2d]) -> None:
        return None

    def initialize(
        self,
        get_examples: Callable[[], Iterable[Example]],
        *,
        nlp: Language | None = None,
        labels: list[str] | None = None,
    ) -> None:
        """Read the training data once: labels, sample table, threshold samples."""
        validate_get_examples(get_examples, "DynClean.initialize")
        self._get_examples = get_examples
        examples = list(get_examples())
        doc_ids = self._index_docs(examples)
        references = [eg.reference for eg in examples]
        types = (
            sorted(labels)
            if labels
            else sorted({e.label_ for doc in references for e in doc.ents})
        )
        if not types:
            raise DynCleanError(
                f"[components.{self.name}] the training data has no entities: nothing to learn"
            )
        self._layout = self._make_layout(types)
        self._layout.build(references)
        self.cfg.update(labels=types, classes=self._layout.labels)
        cfg = self.cfg
        keys, small = sample_keys(
            self._layout,
            doc_ids,
            fold=cfg["fold"],
            n_folds=cfg["n_folds"],
            seed=cfg["seed"],
            threshold_samples=cfg["threshold_samples"],
            fake_negatives=cfg["fake_negatives"],
            share=cfg["threshold_share"],
        )
        self._rows = self._layout.record_rows()
        meta = {
            "head": self._layout.head,
            "labels": self._layout.labels,
            "entity_types": types,
            "fake_label": FAKE_LABEL,
            "fake_negatives": cfg["fake_negatives"],
            "threshold_share": cfg["threshold_share"],
            "doc_ids": doc_ids,
            "record": cfg["record"],
            "fold": cfg["fold"],
            "n_folds": cfg["n_folds"],
            "seed": cfg["seed"],
            "fingerprint": fingerprint_docs(references, types),
        }
        if small:
            meta["small_types"] = small
            meta["notes"] = small_type_notes(small, cfg["fold"], cfg["n_folds"])
        self.records = MarginRecords(keys, meta)
        self._seen_epoch = np.full(len(doc_ids), -1, dtype=np.int32)
        self._epoch = 0
        self.model.get_ref("output_layer").set_dim("nO", len(self._layout.labels))
        self.model.initialize(X=[eg.predicted for eg in islice(examples, 10)])

    def _make_layout(self, types: list[str]) -> SampleLayout:
        fake = FAKE_LABEL if self.cfg["threshold_samples"] else None
        if self.model.attrs.get("dynclean_head") == "span":
            return SpanSamples(types, fake, self.model.attrs["max_span_length"])
        return TokenSamples(types, fake)

    def _index_docs(self, examples: list[Example]) -> list[str]:
        doc_ids = [sample_key(eg.reference) for eg in examples]
        self._doc_index = {}
        for i, doc_id in enumerate(doc_ids):
            if doc_id in self._doc_index:
                raise DynCleanError(
                    f"Two training docs share the sample id {doc_id!r} (docs {self._doc_index[doc_id] + 1} and {i + 1}); "
                    "give every doc a unique id with `dynclean convert` (it also takes a .spacy file)"
                )
            self._doc_index[doc_id] = i
        return doc_ids

    def update(
        self,
        examples: Iterable[Example],
        *,
        drop: float = 0.0,
        sgd: Optimizer | None = None,
        losses: dict[str, float] | None = None,
    ) -> dict[str, float]:
        """Learn from a batch; with record = "update", record its margins."""
        if losses is None:
            losses = {}
        losses.setdefault(self.name, 0.0)
        examples = list(examples)
        validate_examples(examples, "DynClean.update")
        if not examples:
            return losses
        self._check_examples(examples)
        self._track_epoch(examples)
        set_dropout_rate(self.model, drop)
        scores, backprop = self.model.begin_update([eg.predicted for eg in examples])
        targets, rows = self._batch_targets(examples)
        loss, d_scores, observed = self._loss_and_margins(
            scores, targets, self._sample_negatives(targets)
        )
        backprop(d_scores)
        if sgd not in (None, False):
            self.finish_update(sgd)
        if self.cfg["record"] == "update":
            self.records.record(rows, observed, len(examples))
        losses[self.name] += loss
        return losses

    def get_loss(
        self, examples: Iterable[Example], scores: list[Floats2d]
    ) -> tuple[float, list[Floats2d]]:
        """Softmax cross-entropy on the logits; missing samples carry no loss."""
        examples = list(examples)
        validate_examples(examples, "DynClean.get_loss")
        targets, _ = self._batch_targets(examples)
        loss, d_scores, _ = self._loss_and_margins(scores, targets)
        return loss, d_scores

    def end_epoch(self, nlp: Language) -> None:
        """Close the current epoch. With record = "epoch", first record every sample
        in a no-dropout pass of `nlp` (the components before this one) over the data."""
        if self.cfg["record"] == "epoch":
            if self._get_examples is None or self.records is None:
                raise DynCleanError(f"{self.name}: end_epoch() before initialize()")
            self.records.add_epoch()
            self._record_pass(nlp)
        self._epoch += 1

    def _record_pass(self, nlp: Language) -> None:
        upstream = [
            proc for name, proc in nlp.pipeline[: nlp.pipe_names.index(self.name)]
        ]
        for batch in minibatch(self._get_examples(), 128):
            docs = [eg.predicted for eg in batch]
            for proc in upstream:
                docs = list(proc.pipe(docs))
            targets, rows = self._batch_targets(batch)
            _, _, observed = self._loss_and_margins(self.predict(docs), targets)
            self.records.record(rows, observed, len(batch))

    def _track_epoch(self, examples: list[Example]) -> None:
        """An epoch ends when a doc comes back; spaCy's batches never span epochs."""
        docs = np.array([self._doc_index[_doc_id(eg)] for eg in examples])
        if np.any(self._seen_epoch[docs] == self._epoch):
            if self.cfg["record"] == "epoch":
                raise DynCleanError(
                    f'{self.name}: record = "epoch" needs to be told when an epoch ends: train with '
                    "`dynclean dynamics`, or add [training.before_update] "
                    '@callbacks = "spacy-dynclean.end_epochs.v1" to the config'
                )
            self._epoch += 1
        self._seen_epoch[docs] = self._epoch
        if self.cfg["record"] == "update":
            while self.records.n_epochs <= self._epoch:
                self.records.add_epoch()

    def _sample_negatives(self, targets: np.ndarray) -> np.ndarray:
        """Which samples the loss sees: all that are not missing, less a random
        `negative_sampling` share of the "O" samples (they are still recorded)."""
        trained = targets != MISSING
        rate = self.cfg["negative_sampling"]
        if rate > 0:
            trained &= ~((targets == 0) & (self._rng.random(len(targets)) < rate))
        return trained

    def _check_examples(self, examples: list[Example]) -> None:
        if self.records is None:
            raise DynCleanError(
                f"{self.name}: update() before initialize(); call nlp.initialize() first"
            )
        for eg in examples:
            if _doc_id(eg) not in self._doc_index:
                raise DynCleanError(
                    f"{self.name}: doc {_doc_id(eg)!r} was not in the training data seen at initialize; "
                    "train on the same corpus you initialized with"
                )

    def _batch_targets(self, examples: list[Example]) -> tuple[np.ndarray, np.ndarray]:
        """Target and records row of every sample the head outputs for the batch
        (-1 where the sample is missing or has no one-to-one reference tokens)."""
        docs = [self._doc_index[_doc_id(eg)] for eg in examples]
        targets, samples = self._layout.batch(examples, docs)
        return targets, np.where(samples >= 0, self._rows[np.maximum(samples, 0)], -1)

    def _loss_and_margins(
        self,
        scores: list[Floats2d],
        targets: np.ndarray,
        trained: np.ndarray | None = None,
    ) -> tuple[float, list[Floats2d], Observed]:
        """Loss (summed over the `trained` samples, default: all that are not
        missing) and gradient (their mean's), see `margins.cross_entropy`; margin,
        probability and runner-up class of every sample."""
        ops = self.model.ops
        logits = ops.to_numpy(ops.flatten(scores)).astype(np.float32)
        known = targets != MISSING
        safe = np.where(known, targets, 0)
        loss, d_logits, probs = cross_entropy(
            logits, safe, known if trained is None else trained
        )
        d_scores = ops.unflatten(
            ops.asarray2f(d_logits), ops.asarray1i([len(s) for s in scores])
        )
        margins, runner_up = margin_and_runner_up(logits, safe)
        return loss, d_scores, Observed(margins, probs, runner_up)

    def to_disk(self, path, *, exclude=tuple()) -> None:
        super().to_disk(path, exclude=exclude)
        if self.records is not None and "records" not in exclude:
            self.records.to_disk(Path(path) / "records")

    def from_disk(self, path, *, exclude=tuple()) -> "DynClean":
        super().from_disk(path, exclude=exclude)
        if (Path(path) / "records").exists() and "records" not in exclude:
            self.records = MarginRecords.from_disk(Path(path) / "records")
        return self


def _doc_id(eg: Example) -> str:
    return sample_key(eg.reference)
