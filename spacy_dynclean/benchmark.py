"""The end-to-end benchmark on a dataset folder in the DS-NER layout
(`train-ds.json`, optional `train-gs.json`, `dev.json`, `test.json`):

convert → dynamics (one run per fold) → score → clean → train the production
pipeline on raw / cleaned (/ repaired / oracle-cleaned / gold) train data → evaluate
on test. Each stage calls what its `dynclean` command calls (`convert_file`,
`train_dynamics`, `score_runs`, `clean_docbin`, `train_pipeline`, and spaCy's
`evaluate`). Writes `metrics.json`; every number in it is measured in this run.
"""

import os
import platform
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import srsly
from wasabi import msg

from .cleaning.clean import CleanReport, clean_docbin, detection_report
from .cleaning.oracle import oracle_clean
from .cleaning.repair import RepairRule
from .config import load_config
from .configs import config_names, config_path
from .dynamics.loop import train_dynamics, write_records
from .errors import DataError
from .io.docbin import convert_file, read_docbin_assigning_ids, write_docbin
from .scoring.options import ScoreOptions
from .scoring.scores import score_runs, write_scores
from .training.pipeline import dev_scores, evaluate_pipeline, train_pipeline
from .util import atomic_output

SPLITS = {
    "train-ds": True,
    "train-gs": False,
    "dev": True,
    "test": True,
}  # name: required
# oracle variants: which error sides the gold labels fix
ORACLES = {"oracle": ("pos", "neg"), "oracle-pos": ("pos",), "oracle-neg": ("neg",)}
VARIANTS = ("raw", "cleaned", "repaired", *ORACLES, "gold", "none")
METRICS_FILE = "metrics.json"


@dataclass
class BenchmarkSettings:
    """What a benchmark run trains with; `clean` takes the CLI defaults."""

    config: str = "cnn"
    ner: str | None = None  # production config family; default: `config`
    head: str = "token"
    seed: int = 0
    n_folds: int = 2
    use_gpu: int = -1
    transformer: str | None = None
    variants: list[str] = field(
        default_factory=lambda: ["raw", "cleaned", "oracle", "gold"]
    )
    score_options: ScoreOptions = field(default_factory=ScoreOptions)
    entity_action: str = "missing"
    repair: RepairRule | None = (
        None  # also train on the data cleaned with repair ("repaired")
    )
    dynamics_overrides: dict[str, Any] = field(default_factory=dict)
    ner_overrides: dict[str, Any] = field(default_factory=dict)

    @property
    def cleans(self) -> bool:
        """Whether the variants need the dynamics / score / clean stages."""
        return bool({"cleaned", "repaired", "none"} & set(self.variants))

    def config_path(self, stage: str) -> Path:
        family = self.config if stage == "dynamics" else (self.ner or self.config)
        name = (
            f"dynamics_span_{family}"
            if stage == "dynamics" and self.head == "span"
            else f"{stage}_{family}"
        )
        try:
            return config_path(name)
        except DataError as error:
            raise DataError(
                error.path,
                f"no {stage} config for --config {self.config!r} --head {self.head!r}",
                hint=f"shipped in spacy_dynclean/configs: {', '.join(config_names())}",
            ) from None

    def overrides(self, extra: dict[str, Any]) -> dict[str, Any]:
        base: dict[str, Any] = {"system.seed": self.seed}
        if self.transformer:
            base["paths.transformer"] = self.transformer
        return {**base, **extra}


class _Timer:
    def __init__(self) -> None:
        self.times: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        msg.divider(name)
        start = time.time()
        yield
        self.times[name] = round(time.time() - start, 1)


def run_benchmark(
    data_dir: Path, output_dir: Path, settings: BenchmarkSettings
) -> dict[str, Any]:
    """Run every stage on `data_dir`, write `output_dir/metrics.json`, return the metrics."""
    _check_variants(settings)
    timer = _Timer()
    corpus = output_dir / "corpus"
    with timer.stage("convert"):
        splits = convert(data_dir, corpus)
    options = settings.score_options
    metrics: dict[str, Any] = {
        "dataset": data_dir.name,
        "config": settings.config,
        "ner": settings.ner or settings.config,
        "head": settings.head,
        "seed": settings.seed,
        "machine": _machine(settings.use_gpu),
        "entity_action": settings.entity_action,
        # the options `dynclean benchmark` sets; scores/thresholds.json holds them all
        "score_options": {
            "entity_agg": options.entity_agg,
            "p_pos": options.p_pos,
            "p_neg": options.p_neg,
        },
    }
    train_sets = {"raw": splits["train-ds"]}
    if settings.cleans:
        train_sets.update(
            _cleaning_stages(splits, output_dir, settings, timer, metrics)
        )
    if "train-gs" in splits:
        train_sets.update(
            _oracle_sets(splits, corpus, settings), gold=splits["train-gs"]
        )
    for variant in settings.variants:
        if variant not in train_sets:
            if variant != "none":
                msg.warn(f"{variant}: skipped, {data_dir} has no train-gs.json")
            continue
        with timer.stage(f"train_{variant}"):
            metrics[variant] = train_and_evaluate(
                train_sets[variant], splits, output_dir / "training" / variant, settings
            )
            msg.info(f"{variant}: test F1 {metrics[variant]['f']:.3f}")
    metrics["time_s"] = timer.times
    with atomic_output(output_dir / METRICS_FILE) as tmp:
        srsly.write_json(tmp, metrics)
    return metrics


def convert(data_dir: Path, corpus: Path) -> dict[str, Path]:
    """`dynclean convert` of every split into `corpus`; the paths by split name."""
    corpus.mkdir(parents=True, exist_ok=True)
    splits = {}
    for name, required in SPLITS.items():
        source = data_dir / f"{name}.json"
        if not source.exists():
            if required:
                raise DataError(
                    source,
                    "missing: a benchmark folder needs train-ds.json, dev.json and test.json",
                )
            continue
        # distant and gold train files hold the same sentences: give them the same ids
        convert_file(
            source,
            corpus / f"{name}.spacy",
            id_prefix="train" if name.startswith("train") else name,
        )
        splits[name] = corpus / f"{name}.spacy"
    return splits


def dynamics(
    train: Path, records_dir: Path, fold: int, settings: BenchmarkSettings
) -> Path:
    """`dynclean dynamics` of the run with threshold fold `fold`; its records folder."""
    overrides = settings.overrides(
        {
            "paths.train": str(train),
            "components.dynclean.fold": fold,
            "components.dynclean.n_folds": settings.n_folds,
            **settings.dynamics_overrides,
        }
    )
    config = load_config(settings.config_path("dynamics"), overrides)
    nlp = train_dynamics(config, use_gpu=settings.use_gpu, records_dir=records_dir)
    return write_records(nlp, records_dir)[0]


def train_and_evaluate(
    train: Path, splits: dict[str, Path], output_dir: Path, settings: BenchmarkSettings
) -> dict[str, Any]:
    """`dynclean train` on `train`, then `spacy evaluate` on test: P/R/F and the dev scores."""
    model = train_pipeline(
        settings.config_path("ner"),
        train,
        splits["dev"],
        output_dir,
        overrides=settings.overrides(settings.ner_overrides),
        use_gpu=settings.use_gpu,
    )
    return {
        **evaluate_pipeline(model, splits["test"], use_gpu=settings.use_gpu),
        "dev": dev_scores(model),
    }


def _cleaning_stages(
    splits: dict[str, Path],
    output_dir: Path,
    settings: BenchmarkSettings,
    timer: _Timer,
    metrics: dict[str, Any],
) -> dict[str, Path]:
    """dynamics (one run per fold) → score → clean (and repair); adds the cleaning and
    detection figures to `metrics`; returns the cleaned training sets."""
    records = []
    for fold in range(settings.n_folds):
        with timer.stage(f"dynamics_{fold}"):
            records.append(
                dynamics(
                    splits["train-ds"],
                    output_dir / "dynamics" / f"fold{fold}",
                    fold,
                    settings,
                )
            )
    scores_dir, corpus = output_dir / "scores", output_dir / "corpus"
    with timer.stage("score"):
        write_scores(score_runs(records, settings.score_options), scores_dir)
    with timer.stage("clean"):
        report = clean(
            splits,
            scores_dir,
            corpus / "train-cleaned.spacy",
            scores_dir / "audit.jsonl",
            settings,
        )
        repaired = None
        if settings.repair is not None:
            repaired = clean(
                splits,
                scores_dir,
                corpus / "train-repaired.spacy",
                scores_dir / "audit-repaired.jsonl",
                settings,
                settings.repair,
            )
        if "train-gs" in splits:
            metrics["detection"] = detection_report(
                scores_dir, splits["train-gs"], scores_dir / "detection.json"
            )
    metrics["cleaning"] = report.counts()
    sets = {"cleaned": corpus / "train-cleaned.spacy"}
    if repaired is not None:
        metrics["repair"] = {**asdict(settings.repair), **repaired.counts()}
        sets["repaired"] = corpus / "train-repaired.spacy"
    return sets


def clean(
    splits: dict[str, Path],
    scores_dir: Path,
    output_path: Path,
    audit_path: Path,
    settings: BenchmarkSettings,
    repair: RepairRule | None = None,
) -> CleanReport:
    """`dynclean clean` of the distant train data (`--gold` the gold train data, if any)."""
    return clean_docbin(
        splits["train-ds"],
        scores_dir,
        output_path,
        audit_path,
        entity_action=settings.entity_action,
        repair=repair,
        gold_path=splits.get("train-gs"),
    )


def _oracle_sets(
    splits: dict[str, Path], corpus: Path, settings: BenchmarkSettings
) -> dict[str, Path]:
    """The oracle-cleaned training sets the variants ask for."""
    sets = {}
    for name, sides in ORACLES.items():
        if name in settings.variants:
            sets[name] = corpus / f"train-{name}.spacy"
            write_docbin(
                oracle_clean(
                    read_docbin_assigning_ids(splits["train-ds"]),
                    read_docbin_assigning_ids(splits["train-gs"]),
                    sides,
                ),
                sets[name],
            )
    return sets


def _check_variants(settings: BenchmarkSettings) -> None:
    unknown = [v for v in settings.variants if v not in VARIANTS]
    if unknown:
        raise DataError(
            "--variant",
            f"unknown variant(s) {unknown}",
            hint=f"choose from {VARIANTS} ('none': detection only)",
        )
    if "repaired" in settings.variants and settings.repair is None:
        raise DataError(
            "--variant", "'repaired' needs a repair rule", hint="pass --repair"
        )


def _cpu_name() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf8") as file_:
            return next(
                (
                    line.split(":", 1)[1].strip()
                    for line in file_
                    if line.startswith("model name")
                ),
                "",
            )
    except OSError:
        return platform.processor()


def _machine(use_gpu: int) -> dict[str, Any]:
    info = {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "processor": _cpu_name(),
    }
    if use_gpu >= 0:
        import torch

        info["gpu"] = torch.cuda.get_device_name(use_gpu)
    return info
