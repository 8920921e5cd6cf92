"""The end-to-end benchmark on a dataset folder in the DS-NER layout
(`train-ds`, optional `train-gs`, `dev`, `test`; `.json` or any format `dynclean
convert` reads, e.g. `train-ds.spacy`, `dev.conll`, `test.jsonl`):

convert → dynamics (one run per fold) → score → entries → clean → train the
production pipeline on each variant's train data → evaluate on test. Each stage calls
what its `dynclean` command calls (`convert_file`, `train_dynamics`, `score_runs`,
`apply_recipe`, `train_pipeline`, and spaCy's `evaluate`). Writes `metrics.json`;
every number in it is measured in this run.

The variants are recipes plus baselines:
- a recipe (`cleaning/recipes.py`): a shipped recipe's name (`dynclean`: the
  training dynamics' flags and the capitalisation and neighbour rules, no dev
  labels; `cleaned`: the shipped default, plus the dictionary entries judged on the
  gold dev set, which also selects the model, so its dev score is biased, the test
  score is not; `cleaned_added`: plus the entries the dictionary lacks, with
  `metrics["additions"]` saying how right they are; `cleaned_added_whole`: added
  at whole names only; `dynclean_paper`,
  `cleaned_nocap`, `repaired`), with the run's `cleaning_overrides` where the recipe
  has the section they name;
- `cleaned_split`, `cleaned_added_split`, `cleaned_added_whole_split`
  (`SPLIT_RECIPES`): that recipe with the dev set split in
  two: every other doc is evidence for the entries, the rest selects the model, so
  the dev evidence is cross-fitted (no dev doc both judges an entry and picks the
  model);
- `reviewed-N` (`review_budgets`): `cleaned` after a simulated review of N entries;
- `self_trained`: `cleaned` plus self-training (`dynclean self-train`): the
  teachers are the `cleaned` variant's model and one more per `teachers` config
  family, trained on the cleaned data (seed + 1, + 2, ...); the student is the
  production pipeline trained on the result;
- baselines: `raw`, the distant labels as they are; `oracle*`, `gold`, from the gold
  train labels; `none`: detection only.
- `selected`: the model the product ships: `dynclean select` chooses among the
  settings' `selection.candidates` on dev (cross-fitted, never reading test), and the
  chosen candidate's model, trained on all of its data, is evaluated on test once.
"""

import os
import platform
import subprocess
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import srsly
from wasabi import msg

from . import __version__
from .cleaning.audit import Decision, read_audit
from .cleaning.clean import CleanReport, apply_recipe, clean_docbin
from .cleaning.detection import EntityKey, addition_detection, entity_detection
from .cleaning.entries import (
    ADDED_GROUPS,
    Entry,
    EntryKey,
    EntryOptions,
    score_entries,
    write_entries,
)
from .cleaning.gold import detection_report
from .cleaning.oracle import oracle_clean, simulated_review
from .cleaning.recipes import Recipe, load_recipe, recipe_names
from .cleaning.self_training import TeacherOptions, self_train_docbin
from .config import load_config
from .configs import config_names, config_path
from .dynamics.loop import train_dynamics, write_records
from .errors import DataError
from .io.docbin import (
    EXTENSIONS,
    convert_file,
    iter_docbin_as_stored,
    read_docbin_assigning_ids,
    write_docbin,
)
from .io.ids import sample_key
from .scoring.options import ScoreOptions
from .scoring.scores import score_runs, write_scores
from .training.pipeline import dev_scores, evaluate_pipeline, train_pipeline
from .training.selection import SelectionSettings, select_recipe
from .util import atomic_output

SPLITS = {
    "train-ds": True,
    "train-gs": False,
    "dev": True,
    "test": True,
}  # name: required
# oracle variants: which error sides the gold labels fix
ORACLES = {"oracle": ("pos", "neg"), "oracle-pos": ("pos",), "oracle-neg": ("neg",)}
# the variants that are not a recipe's name (the recipes': `recipe_names()`)
BASELINES = (
    "raw",
    "cleaned_split",
    "cleaned_added_split",
    "cleaned_added_whole_split",
    "self_trained",
    "cleaned_taught",
    "selected",
    *ORACLES,
    "gold",
    "none",
)
# the variants trained on a recipe's data with the dev set split in two: entries
# judged on `dev-evidence`, the model selected on `dev-select` (`split_dev`)
SPLIT_RECIPES = {
    "cleaned_split": "cleaned",
    "cleaned_added_split": "cleaned_added",
    "cleaned_added_whole_split": "cleaned_added_whole",
}
METRICS_FILE = "metrics.json"


@dataclass(frozen=True)
class RunLayout:
    """Where a benchmark run keeps what it writes, below its folder `root`."""

    root: Path

    @property
    def corpus(self) -> Path:
        return self.root / "corpus"

    @property
    def scores(self) -> Path:
        return self.root / "scores"

    @property
    def metrics(self) -> Path:
        return self.root / METRICS_FILE

    def split(self, name: str) -> Path:
        """A converted split (`train-ds`, `dev`, ...)."""
        return self.corpus / f"{name}.spacy"

    def train_data(self, variant: str) -> Path:
        return self.split(f"train-{variant}")

    def audit(self, variant: str) -> Path:
        return self.scores / f"audit-{variant}.jsonl"

    def entries(self, variant: str) -> Path:
        """The folder of a variant's entries.jsonl."""
        return self.scores / variant

    def dynamics(self, fold: int) -> Path:
        return self.root / "dynamics" / f"fold{fold}"

    def training(self, name: str) -> Path:
        return self.root / "training" / name

    def model(self, variant: str) -> Path:
        return self.training(variant) / "model-best"


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
        default_factory=lambda: [
            "raw",
            "dynclean",
            "cleaned",
            "selected",
            "oracle",
            "gold",
        ]
    )
    score_options: ScoreOptions = field(default_factory=ScoreOptions)
    entry_options: EntryOptions = field(default_factory=EntryOptions)
    # simulated entry reviews (variants "reviewed-N"): N entry decisions from train-gs
    review_budgets: list[int] = field(default_factory=list)
    # `cleaning.x` / `rules.x` overrides of every recipe that has the section
    cleaning_overrides: dict[str, Any] = field(default_factory=dict)
    # self-training ("self_trained"): the config families of the teachers trained
    # besides the `cleaned` model, and which proposals are added
    teachers: list[str] = field(default_factory=list)
    teacher_options: TeacherOptions = field(default_factory=TeacherOptions)
    dynamics_overrides: dict[str, Any] = field(default_factory=dict)
    ner_overrides: dict[str, Any] = field(default_factory=dict)
    selection: SelectionSettings = field(default_factory=SelectionSettings)

    @property
    def all_variants(self) -> list[str]:
        """The variants, the simulated reviews' included, in training order:
        `self_trained` late, since its teachers include the `cleaned` model, and
        `selected` last, since it reuses the model of the candidate it selects."""
        variants = [*self.variants, *(f"reviewed-{b}" for b in self.review_budgets)]
        order = {"self_trained": 1, "cleaned_taught": 1, "selected": 2}
        return sorted(variants, key=lambda variant: order.get(variant, 0))

    @property
    def recipe_variants(self) -> list[str]:
        """The variants trained on a recipe's data (`raw` is a baseline)."""
        return [v for v in self.variants if v in SPLIT_RECIPES or v not in BASELINES]

    @property
    def cleans(self) -> bool:
        """Whether the variants need the dynamics / score / clean stages."""
        return bool(self.recipe_variants) or bool(
            {"selected", "none"} & set(self.variants)
        )

    def recipe(self, name: str) -> Recipe:
        """The recipe a variant or candidate names, with this run's cleaning
        overrides where it has the section they name, so that a variant and the
        selection's candidate of one name agree."""
        name = SPLIT_RECIPES.get(name, name)
        config = load_recipe(name).config
        return load_recipe(
            name,
            {
                key: value
                for key, value in self.cleaning_overrides.items()
                if key.startswith("cleaning.")
                or key.split(".")[1] in config.get("rules", {})
            },
        )

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
    """Run every stage on `data_dir`, write `output_dir/metrics.json`, return the
    metrics. A finished run in `output_dir` is resumed: its dynamics and scores are
    reused and only the variants it lacks are cleaned and trained (`resumed`)."""
    _check_settings(settings, data_dir)
    previous = finished_run(output_dir, settings)
    timer = _Timer()
    run = RunLayout(output_dir)
    with timer.stage("convert"):
        splits = convert(data_dir, run.corpus)
    options = settings.score_options
    if set(SPLIT_RECIPES) & set(settings.variants):
        splits.update(split_dev(splits["dev"], run.corpus))
    metrics: dict[str, Any] = {
        "dataset": data_dir.name,
        "config": settings.config,
        "ner": settings.ner or settings.config,
        "head": settings.head,
        "seed": settings.seed,
        "machine": _machine(settings.use_gpu),
        "provenance": provenance(settings),
        "cleaning_overrides": settings.cleaning_overrides,
        # the options `dynclean benchmark` sets; scores/thresholds.json holds them all
        "score_options": {
            "entity_agg": options.entity_agg,
            "p_pos": options.p_pos,
            "p_neg": options.p_neg,
        },
        "entry_options": asdict(settings.entry_options),
    }
    if previous is not None:
        new = [v for v in settings.all_variants if v not in previous]
        resumed = {"provenance": metrics["provenance"], "variants": new}
        metrics = {**previous, "resumed": [*previous.get("resumed", []), resumed]}
    train_sets = {"raw": splits["train-ds"]}
    if settings.cleans:
        train_sets.update(
            _cleaning_stages(splits, output_dir, settings, timer, metrics)
        )
    if "train-gs" in splits:
        train_sets.update(_oracle_sets(splits, run, settings), gold=splits["train-gs"])
    for variant in settings.all_variants:
        if variant in metrics:  # trained already: its model was the entries' evidence
            continue
        if variant == "self_trained":
            train_sets[variant] = _self_training_stage(
                train_sets["cleaned"], splits, output_dir, settings, timer, metrics
            )
        if variant == "cleaned_taught":
            train_sets[variant] = _taught_stage(
                splits, output_dir, settings, timer, metrics
            )
        if variant == "selected":
            with timer.stage("selection"):
                chosen = _selection_stage(splits, output_dir, settings, metrics)
            if chosen in metrics:  # trained already: the shipped model is that one
                metrics[variant] = {**metrics[chosen], "candidate": chosen}
                continue
            train_sets[variant] = _selected_set(chosen, splits, output_dir, settings)
        if variant not in train_sets:
            if variant != "none":
                msg.warn(f"{variant}: skipped, {data_dir} has no train-gs file")
            continue
        with timer.stage(f"train_{variant}"):
            metrics[variant] = train_variant(
                variant, train_sets, splits, output_dir, settings
            )
        if variant == "selected":
            metrics[variant]["candidate"] = metrics["selection"]["selected"]
    metrics["time_s"] = {**metrics.get("time_s", {}), **timer.times}
    with atomic_output(run.metrics) as tmp:
        srsly.write_json(tmp, metrics)
    return metrics


# the settings a finished run must share with a resumed one: its dynamics, scores and
# trained variants depend on them
RUN_SETTINGS = (
    "config",
    "ner",
    "head",
    "seed",
    "n_folds",
    "transformer",
    "score_options",
    "entry_options",
    "dynamics_overrides",
    "ner_overrides",
    "cleaning_overrides",
)


def finished_run(
    output_dir: Path, settings: BenchmarkSettings
) -> dict[str, Any] | None:
    """The metrics of the finished run in `output_dir` to resume (None if there is
    none); a run with other settings, or new simulated reviews of its `cleaned`
    entry table, is refused."""
    path = RunLayout(output_dir).metrics
    if not path.exists():
        return None
    previous = srsly.read_json(path)
    before = (previous.get("provenance") or {}).get("settings") or {}
    now = _jsonable(asdict(settings))
    differ = [
        key
        for key in RUN_SETTINGS
        if key in before and not _same_setting(before[key], now[key])
    ]
    if differ:
        raise DataError(
            output_dir,
            f"holds a finished run with other settings ({', '.join(differ)}: "
            f"{before.get(differ[0])!r}, now {now[differ[0]]!r})",
            hint="resume it with the same settings, or choose another OUTPUT_DIR",
        )
    cleaned = previous.get("cleaning", {})
    new_reviews = [
        budget
        for budget in settings.review_budgets
        if f"reviewed-{budget}" not in cleaned
    ]
    if new_reviews and "cleaned" in cleaned:
        raise DataError(
            "--review-budget",
            f"reviewed-{new_reviews[0]} starts from the entry table of the 'cleaned' "
            f"variant, which the finished run in {output_dir} judged already",
            hint="resume with the review budgets it had, or choose another OUTPUT_DIR",
        )
    return previous


def _same_setting(before: Any, now: Any) -> bool:
    """Whether a finished run's setting is the one now; an options value compares
    only the fields it had (a field added to the package since has its default)."""
    if isinstance(before, dict) and isinstance(now, dict):
        return all(now.get(key) == value for key, value in before.items())
    return before == now


def convert(data_dir: Path, corpus: Path) -> dict[str, Path]:
    """`dynclean convert` of every split into `corpus`; the paths by split name. A
    split is `<name>.<ext>` in any format `convert` reads (`.json` DS-NER, `.spacy`,
    CoNLL columns, JSONL spans), each file on its own."""
    corpus.mkdir(parents=True, exist_ok=True)
    splits = {}
    for name, required in SPLITS.items():
        source = split_file(data_dir, name)
        if source is None:
            if required:
                raise DataError(
                    data_dir / f"{name}.json",
                    "missing: a benchmark folder needs train-ds, dev and test files "
                    f"({' | '.join(sorted(EXTENSIONS))})",
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


def split_file(data_dir: Path, name: str) -> Path | None:
    """The file of split `name` in `data_dir` (one, with an extension `convert`
    reads), or None; two of them are refused."""
    found = sorted(p for p in data_dir.glob(f"{name}.*") if p.suffix in EXTENSIONS)
    if len(found) > 1:
        raise DataError(
            data_dir,
            f"{len(found)} files for the split {name!r}: "
            + ", ".join(p.name for p in found),
            hint="keep one per split",
        )
    return found[0] if found else None


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


def split_dev(dev: Path, corpus: Path) -> dict[str, Path]:
    """The dev docs split in two, alternately: `dev-evidence` (for the entries) and
    `dev-select` (for model selection)."""
    docs = list(read_docbin_assigning_ids(dev))
    paths = {name: corpus / f"{name}.spacy" for name in ("dev-evidence", "dev-select")}
    write_docbin(docs[0::2], paths["dev-evidence"])
    write_docbin(docs[1::2], paths["dev-select"])
    return paths


def train_variant(
    variant: str,
    train_sets: dict[str, Path],
    splits: dict[str, Path],
    output_dir: Path,
    settings: BenchmarkSettings,
) -> dict[str, Any]:
    """Train and evaluate one variant; a split variant (`SPLIT_RECIPES`) selects on
    `dev-select`."""
    dev = splits["dev-select" if variant in SPLIT_RECIPES else "dev"]
    result = train_and_evaluate(
        train_sets[variant],
        {**splits, "dev": dev},
        RunLayout(output_dir).training(variant),
        settings,
    )
    msg.info(f"{variant}: test F1 {result['f']:.3f}")
    return result


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


def _selection_stage(
    splits: dict[str, Path],
    output_dir: Path,
    settings: BenchmarkSettings,
    metrics: dict[str, Any],
) -> str:
    """`dynclean select` on the distant train data and the dev set (never test):
    the selection's result in `metrics["selection"]`; the chosen candidate's name."""
    run = RunLayout(output_dir)
    selection = select_recipe(
        splits["train-ds"],
        splits["dev"],
        run.scores,
        settings.config_path("ner"),
        run.root / "selection",
        settings.selection,
        recipes={name: settings.recipe(name) for name in settings.selection.candidates},
        overrides=settings.overrides(settings.ner_overrides),
        entry_options=settings.entry_options,
        use_gpu=settings.use_gpu,
    )
    metrics["selection"] = selection.to_json()
    return selection.selected


def _selected_set(
    chosen: str, splits: dict[str, Path], output_dir: Path, settings: BenchmarkSettings
) -> Path:
    """The chosen candidate's training data with all the dev docs as evidence, for a
    candidate that is not also a variant of this run."""
    run = RunLayout(output_dir)
    path = run.train_data("selected")
    apply_recipe(
        settings.recipe(chosen),
        splits["train-ds"],
        run.scores,
        path,
        dev_path=splits["dev"],
        entries_dir=run.entries("selected"),
        entry_options=settings.entry_options,
    )
    return path


def _self_training_stage(
    cleaned: Path,
    splits: dict[str, Path],
    output_dir: Path,
    settings: BenchmarkSettings,
    timer: _Timer,
    metrics: dict[str, Any],
) -> Path:
    """Train the extra teachers on the cleaned data, then `dynclean self-train` it
    into corpus/train-self_trained.spacy (audit in scores/audit-self_trained.jsonl);
    with train-gs, the detection of the added entities."""
    run = RunLayout(output_dir)
    teachers = [run.model("cleaned")]
    for i, family in enumerate(settings.teachers, start=1):
        with timer.stage(f"teacher_{i}_{family}"):
            teachers.append(
                train_pipeline(
                    config_path(f"ner_{family}"),
                    cleaned,
                    splits["dev"],
                    run.training(f"teacher-{i}"),
                    overrides=settings.overrides(
                        {**settings.ner_overrides, "system.seed": settings.seed + i}
                    ),
                    use_gpu=settings.use_gpu,
                )
            )
    output, audit = run.train_data("self_trained"), run.audit("self_trained")
    with timer.stage("self_train"):
        report = self_train_docbin(
            cleaned, teachers, output, audit, settings.teacher_options
        )
    metrics["self_training"] = {
        "teachers": ["cleaned", *settings.teachers],
        **asdict(settings.teacher_options),
        **report.counts(),
    }
    if "train-gs" in splits:
        metrics["self_training"]["detection"] = _addition_detection(
            cleaned, splits["train-gs"], audit, "teacher"
        )
    return output


def _taught_stage(
    splits: dict[str, Path],
    output_dir: Path,
    settings: BenchmarkSettings,
    timer: _Timer,
    metrics: dict[str, Any],
) -> Path:
    """`cleaned_added` whose entries to add come from dev and from the `cleaned`
    variant's model as a teacher (its predictions over train-ds, aggregated per
    string: `entries.propose_teacher_additions`), into corpus/train-cleaned_taught.spacy;
    with train-gs, the detection of the added entities per origin."""
    variant, run = "cleaned_taught", RunLayout(output_dir)
    recipe = settings.recipe("cleaned_added")
    with timer.stage(f"entries_{variant}"):
        entries = score_entries(
            splits["train-ds"],
            splits["dev"],
            recipe.entry_options(settings.entry_options),
            run.scores,
            teacher=run.model("cleaned"),
        )
        table = write_entries(entries, run.entries(variant))
    with timer.stage(f"clean_{variant}"):
        path, report = clean(variant, recipe, splits, output_dir, table)
    metrics["cleaning"][variant] = report.counts()
    if "train-gs" in splits:
        metrics.setdefault("additions", {})[variant] = _addition_detection(
            splits["train-ds"],
            splits["train-gs"],
            run.audit(variant),
            "entry",
            entries,
        )
    return path


def _cleaning_stages(
    splits: dict[str, Path],
    output_dir: Path,
    settings: BenchmarkSettings,
    timer: _Timer,
    metrics: dict[str, Any],
) -> dict[str, Path]:
    """dynamics (one run per fold) → score → entries and clean per recipe (and
    repair); adds the cleaning and detection figures to `metrics`; returns the
    cleaned training sets."""
    run = RunLayout(output_dir)
    scores_dir = run.scores
    if "cleaning" not in metrics:  # else resumed: the run's dynamics and scores stay
        records = []
        for fold in range(settings.n_folds):
            with timer.stage(f"dynamics_{fold}"):
                records.append(
                    dynamics(
                        splits["train-ds"],
                        run.dynamics(fold),
                        fold,
                        settings,
                    )
                )
        with timer.stage("score"):
            write_scores(score_runs(records, settings.score_options), scores_dir)
    cleaned_before = metrics.get("cleaning", {})
    variants = [
        v
        for v in settings.recipe_variants
        or (["dynclean"] if "none" in settings.variants else [])
        if v not in cleaned_before
    ]
    recipes = {variant: settings.recipe(variant) for variant in variants}
    if settings.entry_options.evidence == "model" and any(
        r.uses_entries for r in recipes.values()
    ):
        with timer.stage("train_raw"):  # its model is the entries' evidence
            metrics["raw"] = train_variant(
                "raw", {"raw": splits["train-ds"]}, splits, output_dir, settings
            )
    sets, detection, tables = {}, {}, {}
    metrics["cleaning"] = dict(cleaned_before)
    for variant, recipe in recipes.items():
        entries_path = None
        if recipe.uses_entries:
            with timer.stage(f"entries_{variant}"):
                entries_path, tables[variant] = _entries(
                    variant, recipe, splits, scores_dir, output_dir, settings, metrics
                )
        with timer.stage(f"clean_{variant}"):
            sets[variant], report = clean(
                variant, recipe, splits, output_dir, entries_path
            )
        metrics["cleaning"][variant] = report.counts()
        if "train-gs" in splits:
            detection[variant] = cleaning_detection(splits, report)
            if recipe.adds_entries:
                metrics.setdefault("additions", {})[variant] = _addition_detection(
                    splits["train-ds"],
                    splits["train-gs"],
                    run.audit(variant),
                    "entry",
                    tables.get(variant),
                )
    for budget in settings.review_budgets:
        variant = f"reviewed-{budget}"
        if variant in cleaned_before:  # resumed: cleaned in the finished run
            continue
        with timer.stage(f"clean_{variant}"):
            reviewed = simulated_review(
                tables["cleaned"],
                iter_docbin_as_stored(splits["train-ds"]),
                iter_docbin_as_stored(splits["train-gs"]),
                budget,
            )
            sets[variant], report = clean(
                variant,
                recipes["cleaned"],
                splits,
                output_dir,
                write_entries(reviewed, run.entries(variant)),
            )
        metrics["cleaning"][variant] = report.counts()
        detection[variant] = cleaning_detection(splits, report)
    if "train-gs" in splits:
        before = metrics.get("detection", {}).get("entities", {})
        metrics["detection"] = {
            **detection_report(
                scores_dir, splits["train-gs"], run.scores / "detection.json"
            ),
            "entities": {**before, **detection},
        }
    return sets


def _entries(
    variant: str,
    recipe: Recipe,
    splits: dict[str, Path],
    scores_dir: Path,
    output_dir: Path,
    settings: BenchmarkSettings,
    metrics: dict[str, Any],
) -> tuple[Path, dict[EntryKey, Entry]]:
    """`dynclean entries` for `recipe` into `scores_dir/<variant>`, from the dev docs
    (for a split variant, its evidence half); with evidence "model", from the
    predictions of the `raw` variant's model."""
    model = None
    if settings.entry_options.evidence == "model":
        model = RunLayout(output_dir).model("raw")
    dev = splits["dev-evidence" if variant in SPLIT_RECIPES else "dev"]
    options = recipe.entry_options(settings.entry_options)
    entries = score_entries(splits["train-ds"], dev, options, scores_dir, model)
    path = write_entries(entries, RunLayout(output_dir).entries(variant))
    if "train-gs" in splits:
        metrics.setdefault("entries", {})[variant] = _entry_detection(splits, entries)
    return path, entries


def _entry_detection(splits: dict[str, Path], entries: dict) -> dict[str, Any]:
    """Detection of the flagged entries' occurrences, and the AUROC of P(wrong)."""
    keys, scores = [], {}
    for doc in iter_docbin_as_stored(splits["train-ds"]):
        for ent in doc.ents:
            entry = entries[(tuple(t.text for t in ent), ent.label_)]
            key = (sample_key(doc), ent.start, ent.end, ent.label_)
            scores[key] = entry.p_wrong
            if entry.flagged:
                keys.append(key)
    return {
        **_against_gold(splits, keys, scores),
        "n_entries": len(entries),
        "n_flagged_entries": sum(e.flagged for e in entries.values()),
        "n_checked_entries": sum(bool(e.dev) for e in entries.values()),
    }


def _addition_detection(
    data: Path,
    gold: Path,
    audit: Path,
    source: str,
    entries: Mapping[EntryKey, Entry] | None = None,
) -> dict[str, Any]:
    """Precision of the entities an audit's `source` added to `data` against `gold`,
    and their recall of the gold entities that no entity of `data` touches; with the
    entry table, the same per origin of the entries to add (`by_origin`: dev_added,
    teacher_added, or distant_extended, a distant entry added where it was missed)."""
    added = [
        d
        for lines in read_audit(audit).values()
        for _, d in lines
        if d.source == source and d.kind == "non_entity" and d.repair
    ]
    result = _detection_of(data, gold, added)
    if entries is not None:
        origins: dict[str, list[Decision]] = {}
        for d in added:
            entry = entries.get((tuple(d.tokens or ()), d.repair or ""))
            group = entry.group if entry is not None else None
            origin = group if group in ADDED_GROUPS else "distant_extended"
            origins.setdefault(origin, []).append(d)
        result["by_origin"] = {
            origin: _detection_of(data, gold, decisions)
            for origin, decisions in sorted(origins.items())
        }
    return result


def _detection_of(data: Path, gold: Path, added: list[Decision]) -> dict[str, Any]:
    return addition_detection(
        iter_docbin_as_stored(data),
        iter_docbin_as_stored(gold),
        [(d.doc_id, d.start, d.end, d.repair) for d in added],
    )


def cleaning_detection(splits: dict[str, Path], report: CleanReport) -> dict[str, Any]:
    """Detection of the entities a cleaning acted on, whatever flagged them."""
    flagged = [key for keys in report.flagged_entities.values() for key in keys]
    return _against_gold(splits, flagged)


def _against_gold(
    splits: dict[str, Path],
    flagged: list[EntityKey],
    scores: dict[EntityKey, float] | None = None,
) -> dict[str, Any]:
    """`entity_detection` of the flagged train-ds entities against train-gs."""
    return entity_detection(
        iter_docbin_as_stored(splits["train-ds"]),
        iter_docbin_as_stored(splits["train-gs"]),
        flagged,
        scores,
    )


def clean(
    variant: str,
    recipe: Recipe,
    splits: dict[str, Path],
    output_dir: Path,
    entries_path: Path | None = None,
) -> tuple[Path, CleanReport]:
    """`dynclean clean` of the distant train data with `recipe` (`--gold` the gold
    train data, if any) and output_dir/scores into corpus/train-VARIANT.spacy, its
    audit in scores/audit-VARIANT.jsonl."""
    run = RunLayout(output_dir)
    output_path = run.train_data(variant)
    report = clean_docbin(
        splits["train-ds"],
        run.scores,
        output_path,
        recipe,
        audit_path=run.audit(variant),
        entries_path=entries_path,
        gold_path=splits.get("train-gs"),
    )
    return output_path, report


def _oracle_sets(
    splits: dict[str, Path], run: RunLayout, settings: BenchmarkSettings
) -> dict[str, Path]:
    """The oracle-cleaned training sets the variants ask for."""
    sets = {}
    for name, sides in ORACLES.items():
        if name in settings.variants:
            sets[name] = run.train_data(name)
            write_docbin(
                oracle_clean(
                    read_docbin_assigning_ids(splits["train-ds"]),
                    read_docbin_assigning_ids(splits["train-gs"]),
                    sides,
                ),
                sets[name],
            )
    return sets


def _check_settings(settings: BenchmarkSettings, data_dir: Path) -> None:
    """Refuse settings that cannot run, before any stage does."""
    known = (*BASELINES, *recipe_names())
    unknown = [v for v in settings.variants if v not in known]
    if unknown:
        raise DataError(
            "--variant",
            f"unknown variant(s) {unknown}",
            hint=f"choose a recipe ({', '.join(recipe_names())}) or a baseline "
            f"({', '.join(BASELINES)}; 'none': detection only)",
        )
    for variant in settings.recipe_variants:
        settings.recipe(variant)  # a recipe that cannot run is refused now
    for variant in ("self_trained", "cleaned_taught"):
        if variant in settings.variants and "cleaned" not in settings.variants:
            raise DataError(
                "--variant",
                f"{variant!r} learns from the 'cleaned' variant's model",
                hint="add --variant cleaned",
            )
    if "self_trained" in settings.variants:
        settings.teacher_options.agreement(1 + len(settings.teachers))
        for family in settings.teachers:
            config_path(f"ner_{family}")  # a family without a config is refused now
    if settings.review_budgets and "cleaned" not in settings.variants:
        raise DataError(
            "--review-budget",
            "a simulated review starts from the entry table of the 'cleaned' variant",
            hint="add --variant cleaned",
        )
    if any(budget < 1 for budget in settings.review_budgets):
        raise DataError("--review-budget", "must be a number of entries, 1 or more")
    if settings.review_budgets and split_file(data_dir, "train-gs") is None:
        raise DataError(
            "--review-budget",
            f"the simulated reviewer answers from train-gs, and {data_dir} has none",
        )


def provenance(settings: BenchmarkSettings) -> dict[str, Any]:
    """Where a result comes from: machine, package version, git commit of the
    package's checkout (`+dirty` with uncommitted changes; None outside a checkout),
    the seed and every setting."""
    return {
        "machine": _machine(settings.use_gpu),
        "version": __version__,
        "commit": _git_commit(),
        "seed": settings.seed,
        "settings": _jsonable(asdict(settings)),
    }


def _git_commit() -> str | None:
    package = Path(__file__).resolve().parent
    try:
        head = subprocess.run(
            ["git", "-C", str(package), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(package), "status", "--porcelain", "--", "."],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return f"{head}+dirty" if dirty else head


def _jsonable(value: Any) -> Any:
    """Settings as JSON values (tuples as lists, other objects as strings)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


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
