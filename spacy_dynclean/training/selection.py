"""Choose the recipe per dataset on the user's gold dev set, cross-fitted.

The dev docs are split into `n_folds` folds (a seeded hash of their ids). For each
fold, every candidate recipe cleans the training data with the other folds as its
dev evidence (only `entries` reads dev labels), the production pipeline is trained on
the result with the other folds for model selection, and it predicts the fold. So
every dev doc is scored by a model whose cleaning and early stopping never saw it.
A candidate's gain is its entity F1 minus the raw labels' on those predictions; a
paired bootstrap over dev docs gives its interval. The candidate with the best gain
whose interval's lower bound is above zero is selected; otherwise the raw labels are,
and `Selection.reason` says why. Test data is never read here."""

import hashlib
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import spacy
import srsly
from spacy.tokens import Doc

from ..cleaning.clean import apply_recipe
from ..cleaning.entries import EntryOptions
from ..cleaning.recipes import Recipe, load_recipe
from ..dynamics.threshold_samples import assign_folds
from ..errors import DataError
from ..io.docbin import iter_docbin_as_stored, write_docbin
from ..io.ids import sample_key
from ..util import PathLike, atomic_output, settings_from_overrides
from .pipeline import train_pipeline

SELECTION_FILE = "selection.json"
BASELINE = "raw"


@dataclass(frozen=True)
class SelectionSettings:
    """The `[selection]` settings (`--selection.KEY VALUE` on the command line)."""

    # chosen on dev (BENCHMARKS.md, issue 30): the entries to add at whole names
    candidates: tuple[str, ...] = ("raw", "dynclean", "cleaned", "cleaned_added_whole")
    n_folds: int = 2  # dev folds; one model per candidate and fold
    n_bootstrap: int = 2000  # paired bootstrap resamples of the dev docs
    interval: float = 0.9  # two-sided; a candidate wins only if the lower end is > 0
    seed: int = 0  # the dev folds and the bootstrap
    max_steps: int = 0  # budget: cap each fold model's training steps (0: the config's)

    def __post_init__(self) -> None:
        object.__setattr__(self, "candidates", tuple(self.candidates))
        if BASELINE not in self.candidates:
            object.__setattr__(self, "candidates", (BASELINE, *self.candidates))
        for name in self.candidates:
            load_recipe(name)  # an unknown name is refused now
        if self.n_folds < 2:
            raise DataError(
                "selection.n_folds",
                f"must be 2 or more, not {self.n_folds}",
                hint="every dev doc is scored by a model that did not use it",
            )
        if not 0 < self.interval < 1:
            raise DataError(
                "selection.interval", f"must be between 0 and 1, not {self.interval}"
            )
        if self.n_bootstrap < 100:
            raise DataError("selection.n_bootstrap", "must be 100 or more")

    @classmethod
    def from_overrides(cls, overrides: Mapping[str, Any]) -> "SelectionSettings":
        """From `selection.KEY` overrides; an unknown key is refused."""
        return settings_from_overrides(cls, "selection", overrides)


@dataclass
class Candidate:
    """A candidate's cross-fitted dev result against the raw labels."""

    name: str
    p: float
    r: float
    f: float
    gain: float  # F1 minus the raw labels' F1, in points
    low: float  # the bootstrap interval of the gain
    high: float
    seconds: float  # cleaning and training, all folds


@dataclass
class Selection:
    """What `select` decided, and the evidence: written as selection.json."""

    selected: str
    reason: str
    candidates: list[Candidate]
    settings: SelectionSettings
    n_dev_docs: int
    fold_sizes: list[int]
    seconds: float
    meta: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "selected": self.selected,
            "reason": self.reason,
            "candidates": [asdict(c) for c in self.candidates],
            "settings": {
                **asdict(self.settings),
                "candidates": list(self.settings.candidates),
            },
            "n_dev_docs": self.n_dev_docs,
            "fold_sizes": self.fold_sizes,
            "seconds": self.seconds,
            **self.meta,
        }


def select_recipe(
    train_path: PathLike,
    dev_path: PathLike,
    scores_dir: PathLike,
    config_path: PathLike,
    output_dir: PathLike,
    settings: SelectionSettings = SelectionSettings(),
    *,
    recipes: Mapping[str, Recipe] | None = None,
    overrides: Mapping[str, Any] | None = None,
    entry_options: EntryOptions = EntryOptions(),
    use_gpu: int = -1,
) -> Selection:
    """Score every candidate on the dev docs it did not use, choose one, write
    `output_dir/selection.json`. `recipes` replaces the named recipes (the benchmark
    passes its own settings'); `overrides` go to the production config."""
    start = time.time()
    output_dir = Path(output_dir)
    dev_docs = list(iter_docbin_as_stored(dev_path))
    if len(dev_docs) < 2 * settings.n_folds:
        raise DataError(
            dev_path,
            f"{len(dev_docs)} dev docs are too few for {settings.n_folds} folds",
            hint="selection needs a gold dev set of some size; train on one recipe instead",
        )
    folds = assign_folds(
        [sample_key(d) for d in dev_docs], settings.n_folds, settings.seed
    )
    overrides = dict(overrides or {})
    if settings.max_steps:
        overrides["training.max_steps"] = settings.max_steps
    counts = {
        name: np.zeros((len(dev_docs), 3), dtype=np.int64)
        for name in settings.candidates
    }
    seconds = dict.fromkeys(settings.candidates, 0.0)
    for k in range(settings.n_folds):
        fold_dir = output_dir / f"fold{k}"
        evidence, held_out = _split(dev_docs, folds, k, fold_dir)
        trained: dict[str, str] = {}  # data digest: the candidate trained on it
        for name in settings.candidates:
            began = time.time()
            rec = (recipes or {}).get(name) or load_recipe(name)
            data = fold_dir / f"train-{name}.spacy"
            apply_recipe(
                rec,
                train_path,
                scores_dir,
                data,
                dev_path=evidence,
                entry_options=entry_options,
            )
            digest = hashlib.sha256(data.read_bytes()).hexdigest()
            if digest in trained:  # the same data as another candidate: same model
                counts[name][folds == k] = counts[trained[digest]][folds == k]
                seconds[name] += time.time() - began
                continue
            trained[digest] = name
            model = train_pipeline(
                config_path,
                data,
                evidence,
                fold_dir / name,
                overrides=overrides,
                use_gpu=use_gpu,
            )
            counts[name][folds == k] = doc_counts(
                model, [dev_docs[i] for i in held_out]
            )
            seconds[name] += time.time() - began
    candidates = _compare(counts, settings, seconds)
    selected, reason = choose(candidates)
    selection = Selection(
        selected,
        reason,
        candidates,
        settings,
        len(dev_docs),
        [int((folds == k).sum()) for k in range(settings.n_folds)],
        round(time.time() - start, 1),
    )
    write_selection(selection, output_dir)
    return selection


def _split(
    docs: list[Doc], folds: np.ndarray, k: int, fold_dir: Path
) -> tuple[Path, np.ndarray]:
    """Write the dev docs outside fold `k` (the evidence) to `fold_dir`; its path and
    the indices of the docs of fold `k` (held out)."""
    evidence = fold_dir / "dev-evidence.spacy"
    write_docbin((d for d, f in zip(docs, folds) if f != k), evidence)
    return evidence, np.flatnonzero(folds == k)


def doc_counts(model_path: PathLike, gold: list[Doc]) -> np.ndarray:
    """Per gold doc: true positives, false positives and false negatives of the
    pipeline's entities (exact span and type), as an int array `[n_docs, 3]`."""
    nlp = spacy.load(model_path)
    words = (
        Doc(
            nlp.vocab,
            words=[t.text for t in d],
            spaces=[bool(t.whitespace_) for t in d],
        )
        for d in gold
    )
    rows = []
    for doc, predicted in zip(gold, nlp.pipe(words)):
        true = {(e.start, e.end, e.label_) for e in doc.ents}
        found = {(e.start, e.end, e.label_) for e in predicted.ents}
        rows.append((len(true & found), len(found - true), len(true - found)))
    return np.array(rows, dtype=np.int64).reshape(-1, 3)


def f_score(totals: np.ndarray) -> np.ndarray:
    """Entity F1 (0-100) from summed (tp, fp, fn) along the last axis."""
    tp, fp, fn = totals[..., 0], totals[..., 1], totals[..., 2]
    denominator = 2 * tp + fp + fn
    return np.where(denominator > 0, 200 * tp / np.maximum(denominator, 1), 0.0)


def _compare(
    counts: Mapping[str, np.ndarray],
    settings: SelectionSettings,
    seconds: Mapping[str, float],
) -> list[Candidate]:
    """Each candidate's dev P/R/F and its gain over the raw labels with a paired
    bootstrap interval (the same resamples for every candidate)."""
    n_docs = len(counts[BASELINE])
    rng = np.random.default_rng(settings.seed)
    weights = rng.multinomial(
        n_docs, np.full(n_docs, 1 / n_docs), size=settings.n_bootstrap
    )
    baseline = f_score(weights @ counts[BASELINE])
    baseline_f = float(f_score(counts[BASELINE].sum(axis=0)))
    tail = (1 - settings.interval) / 2
    candidates = []
    for name, table in counts.items():
        totals = table.sum(axis=0)
        tp, fp, fn = totals
        f = float(f_score(totals))
        gains = f_score(weights @ table) - baseline
        low, high = np.quantile(gains, [tail, 1 - tail])
        candidates.append(
            Candidate(
                name,
                p=round(100 * tp / max(tp + fp, 1), 2),
                r=round(100 * tp / max(tp + fn, 1), 2),
                f=round(f, 2),
                gain=round(f - baseline_f, 2),
                low=round(float(low), 2),
                high=round(float(high), 2),
                seconds=round(seconds[name], 1),
            )
        )
    return candidates


def choose(candidates: list[Candidate]) -> tuple[str, str]:
    """The candidate with the best gain whose interval lies above zero, else the raw
    labels; and why, in a sentence."""
    winners = [c for c in candidates if c.name != BASELINE and c.low > 0]
    if winners:
        best = max(winners, key=lambda c: c.gain)
        return best.name, (
            f"{best.name}: dev F1 {best.gain:+.1f} over the raw labels "
            f"(interval {best.low:+.1f} to {best.high:+.1f}, above zero)"
        )
    best = max(candidates, key=lambda c: c.gain)
    if best.name == BASELINE:
        return BASELINE, "no recipe scored above the raw labels on dev"
    return BASELINE, (
        f"no recipe's gain is sure on dev: the best, {best.name}, is {best.gain:+.1f} "
        f"with an interval reaching {best.low:+.1f}; shipping the raw labels"
    )


def write_selection(selection: Selection, output_dir: PathLike) -> Path:
    """`selection.json` in `output_dir`, atomically."""
    path = Path(output_dir) / SELECTION_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_output(path) as tmp:
        srsly.write_json(tmp, selection.to_json())
    return path


def read_selection(path: PathLike) -> dict[str, Any]:
    """A selection.json, refused with the file named if it is not one."""
    data = srsly.read_json(path) if Path(path).is_file() else None
    if not isinstance(data, dict) or "selected" not in data:
        raise DataError(
            path, "not a selection.json", hint="run `dynclean select` first"
        )
    return data


def selection_rows(selection: Mapping[str, Any]) -> list[tuple[str, ...]]:
    """The printed table: one row per candidate, the selected one marked."""
    return [
        (
            ("→ " if c["name"] == selection["selected"] else "  ") + c["name"],
            f"{c['p']:.1f}",
            f"{c['r']:.1f}",
            f"{c['f']:.1f}",
            "–"
            if c["name"] == BASELINE
            else f"{c['gain']:+.1f} [{c['low']:+.1f}, {c['high']:+.1f}]",
            f"{c['seconds']:.0f}",
        )
        for c in selection["candidates"]
    ]


SELECTION_HEADER = (
    "candidate",
    "dev P",
    "dev R",
    "dev F",
    "gain [interval]",
    "seconds",
)
