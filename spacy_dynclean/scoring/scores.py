"""Score one or more runs: items, thresholds and flags, combined over runs; the
scores folder (`scores.jsonl`, `thresholds.json`, `summary.json`) in and out.

Combining runs: each item is judged by the run(s) whose records mark it judged
(its doc lies outside that run's threshold fold). If several runs judge it, its AUM,
data-map figures and threshold are the means over those runs; an item no run judges
(e.g. the threshold samples in one-run mode) keeps the mean over the runs that
recorded it, with `judged=false` and `flagged=false`.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import srsly

from ..errors import DataError, MismatchError
from ..io.common import iter_json_lines
from ..io.records import Records, read_records
from ..util import PathLike, atomic_output, read_json
from .aum import (
    ENTITY,
    FAKE_NEG,
    FAKE_POS,
    KINDS,
    NON_ENTITY,
    PREFERENCE_COLUMNS,
    STAT_COLUMNS,
    ItemTable,
    items_from_records,
)
from .auroc import auroc
from .options import ScoreOptions
from .thresholds import item_thresholds, run_thresholds

SCORES_FILE, THRESHOLDS_FILE, SUMMARY_FILE = (
    "scores.jsonl",
    "thresholds.json",
    "summary.json",
)
KEY = ("doc", "start", "end", "kind")
COMBINE_RULE = (
    "an item judged by several runs gets the mean AUM, data-map figures and "
    "threshold of those runs and the preferred label of the first; an item no run "
    "judges is never flagged"
)


@dataclass
class Scores:
    """The combined item table (with `threshold`, `flagged`, `run`, `n_runs`
    columns) and the thresholds.json content."""

    table: ItemTable
    thresholds: dict[str, Any]

    @property
    def notes(self) -> list[str]:
        return list(self.thresholds.get("notes", []))


def score_runs(
    records_dirs: Sequence[PathLike], options: ScoreOptions = ScoreOptions()
) -> Scores:
    """Score the records folders of one or more runs of the same data."""
    if not records_dirs:
        raise DataError("records", "no records folder given")
    tables, run_info, first = [], [], None
    for run, path in enumerate(records_dirs):
        records = read_records(path)
        first = first or (records.path, records.meta)
        check_compatible(first, records)
        table, info = score_run(records, run, options)
        tables.append(table)
        run_info.append(info)
    check_distinct_folds(run_info)
    notes = (
        [note for table in tables for note in table.notes]
        + _fold_notes(run_info)
        + _learning_notes(run_info)
    )
    table = combine_runs(tables)
    notes += _mass_flag_notes(table)
    table.notes = notes
    meta = first[1]
    thresholds = {
        "fingerprint": meta.get("fingerprint"),
        "head": table.head,
        "labels": list(meta["labels"]),
        "item_labels": table.labels,
        "entity_types": table.entity_types,
        "fake_label": table.fake_label,
        "entity_agg": options.entity_agg,
        "epochs": "all" if options.epochs is None else options.epochs,
        "p_pos": options.p_pos,
        "p_neg": options.p_neg,
        "per_type": options.per_type,
        "min_type_samples": options.min_type_samples,
        "combine": COMBINE_RULE,
        "runs": run_info,
        "notes": notes,
    }
    return Scores(table, thresholds)


def score_run(
    records: Records, run: int, options: ScoreOptions
) -> tuple[ItemTable, dict[str, Any]]:
    """One run's items with their `threshold` and `run` columns, and its thresholds."""
    items = items_from_records(records, options.epochs, options.entity_agg)
    items.notes += [
        f"{records.path}: {note}" for note in records.meta.get("notes", [])
    ]  # e.g. small types
    cuts = run_thresholds(items, options, records.path)
    items.columns["threshold"] = item_thresholds(items, cuts)
    items.columns["run"] = np.full(len(items), run, dtype=np.int64)
    meta = records.meta
    info = {
        "path": str(records.path),
        "fold": meta.get("fold"),
        "n_folds": meta.get("n_folds"),
        "seed": meta.get("seed"),
        "complete_epochs": meta.get("complete_epochs"),
        "separation": separation(items),
        **cuts,
    }
    return items, info


def separation(items: ItemTable) -> dict[str, float | None]:
    """Per side, the AUROC of AUM between the run's ordinary items and its threshold
    samples (entities vs fake entities, non-entities vs fake non-entities): 0.5 means
    the real items score like the mislabelled ones, so the cut flags them at random."""
    kind, aum = items["kind"], items["aum"]
    out = {}
    for side, real, fake in (
        ("entity", ENTITY, FAKE_POS),
        ("non_entity", NON_ENTITY, FAKE_NEG),
    ):
        rows = np.isin(kind, (real, fake))
        out[side] = auroc(aum[rows], kind[rows] == real)
    return out


def check_compatible(first: tuple[Path, dict[str, Any]], records: Records) -> None:
    """Refuse runs of other data or labels than the first run (`(path, meta)`)."""
    path, meta = first
    for name in ("fingerprint", "head", "labels", "entity_types", "fake_label"):
        if meta.get(name) != records.meta.get(name):
            raise MismatchError(
                f"{path} and {records.path} do not belong together: their {name} values differ "
                "(score runs of the same data and labels only)"
            )


def combine_runs(tables: Sequence[ItemTable]) -> ItemTable:
    """One row per item over all runs (see the module docstring), with `flagged`."""
    base = tables[0]
    parts = [{**table.columns, "doc": _remap_docs(table, base)} for table in tables]
    columns = {
        name: np.concatenate([part[name] for part in parts]) for name in base.columns
    }
    order = np.lexsort(tuple(columns[name] for name in reversed(KEY)))
    columns = {name: values[order] for name, values in columns.items()}
    new = np.ones(len(order), dtype=bool)
    if len(order) > 1:
        new[1:] = np.any(
            [columns[name][1:] != columns[name][:-1] for name in KEY], axis=0
        )
    first = np.flatnonzero(new)
    out = {name: columns[name][first] for name in (*KEY, "label", "original")}
    if len(first) == 0:
        empty = {
            name: columns[name][:0]
            for name in (
                "judged",
                "threshold",
                "run",
                *STAT_COLUMNS,
                *PREFERENCE_COLUMNS,
            )
        }
        return _finish(base, {**out, **empty, "n_runs": columns["run"][:0]})
    group = np.cumsum(new) - 1
    judged = np.maximum.reduceat(columns["judged"], first)
    weight = columns["judged"] | ~judged[group]
    for name in (*STAT_COLUMNS, "threshold"):
        out[name] = _weighted_mean(columns[name], weight, first)
    out["judged"] = judged
    out["run"] = np.minimum.reduceat(
        np.where(weight, columns["run"], np.iinfo(np.int64).max), first
    )
    first_weighted = np.minimum.reduceat(
        np.where(weight, np.arange(len(order)), len(order)), first
    )
    out.update({name: columns[name][first_weighted] for name in PREFERENCE_COLUMNS})
    out["n_runs"] = np.add.reduceat(weight.astype(np.int64), first)
    return _finish(base, out)


def _finish(base: ItemTable, columns: dict[str, np.ndarray]) -> ItemTable:
    ordinary = np.isin(columns["kind"], (ENTITY, NON_ENTITY))
    with np.errstate(invalid="ignore"):
        columns["flagged"] = (
            columns["judged"] & ordinary & (columns["aum"] < columns["threshold"])
        )
    return ItemTable(columns, base.labels, base.doc_ids, base.head, base.fake_label)


def _remap_docs(table: ItemTable, base: ItemTable) -> np.ndarray:
    """`table`'s doc column as indices into `base.doc_ids`."""
    if table.doc_ids == base.doc_ids:
        return table["doc"]
    index = {doc_id: i for i, doc_id in enumerate(base.doc_ids)}
    unknown = [d for d in table.doc_ids if d not in index]
    if unknown:
        raise MismatchError(
            f"runs do not share their docs: {unknown[0]!r} is not in the first run"
        )
    lookup = np.array([index[d] for d in table.doc_ids], dtype=np.int64)
    return lookup[table["doc"]]


def _weighted_mean(
    values: np.ndarray, weight: np.ndarray, first: np.ndarray
) -> np.ndarray:
    used = weight & ~np.isnan(values)
    total = np.add.reduceat(np.where(used, values, 0.0), first)
    count = np.add.reduceat(used.astype(np.int64), first)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / count, np.nan)


def check_distinct_folds(run_info: list[dict[str, Any]]) -> None:
    """Refuse two runs of the same threshold fold: the docs of that fold hold both
    runs' threshold samples, so they would never be judged."""
    first: dict[int, str] = {}
    for info in run_info:
        fold = info["fold"]
        if fold is None:
            continue
        if fold in first:
            n_folds = info["n_folds"] or 2
            others = " or ".join(str(k) for k in range(n_folds) if k not in first)
            raise MismatchError(
                f"{first[fold]} and {info['path']} are runs of the same threshold fold "
                f"{fold}: the docs of that fold would never be judged; score one run per "
                f"fold (train the other with --components.dynclean.fold {others or 'N'})"
            )
        first[fold] = info["path"]


def _fold_notes(run_info: list[dict[str, Any]]) -> list[str]:
    """Folds no run drew its threshold samples from: the docs of a fold are judged
    only by the runs of the other folds."""
    folds = [info["fold"] for info in run_info if info["fold"] is not None]
    n_folds = max((info["n_folds"] or 1 for info in run_info), default=1)
    unrun = [fold for fold in range(n_folds) if fold not in folds]
    if folds and unrun:
        flags = " ".join(f"--components.dynclean.fold {fold}" for fold in unrun)
        return [
            f"only fold(s) {sorted(folds)} of {n_folds} were run: the docs of those folds hold the threshold "
            f"samples and are not judged, so about {len(folds)}/{n_folds} of the data is never flagged; "
            f"train the other run(s) too ({flags}) and score all runs together"
        ]
    return []


MIN_SEPARATION = 0.6
RANDOM_DRAW = "close to a random draw"


def _learning_notes(run_info: list[dict[str, Any]]) -> list[str]:
    """Warn when a run's real items score like its threshold samples: then the run has
    not learned that side (too few epochs), or its errors look like correct labels."""
    notes = []
    for info in run_info:
        for side, value in info["separation"].items():
            if value is not None and value < MIN_SEPARATION:
                kind = "entities" if side == "entity" else "non-entities"
                notes.append(
                    f"{info['path']}: its {kind} score like its fake {kind} (AUROC {value:.2f} between their "
                    f"AUMs; below {MIN_SEPARATION}), so the {kind} its AUM cut flags are {RANDOM_DRAW}: the run "
                    "has not learned them (train more epochs: [training] max_epochs) or their errors are "
                    "systematic, which AUM cannot see. This concerns the AUM flags alone: `dynclean clean`'s "
                    "dictionary-entry, capitalisation and neighbour rules do not use this cut, and its output "
                    "says how many each of them removed"
                )
    return notes


MASS_FLAG_SHARE = 0.5


def _mass_flag_notes(table: ItemTable) -> list[str]:
    """Warn when a cut flags most of a kind: then the real samples score like the
    threshold samples, which usually means the dynamics model learned too little."""
    notes = []
    for kind, code in (("entities", ENTITY), ("non-entities", NON_ENTITY)):
        judged = table["judged"] & (table["kind"] == code)
        share = float(table["flagged"][judged].mean()) if judged.any() else 0.0
        if share > MASS_FLAG_SHARE:
            notes.append(
                f"{share:.0%} of the judged {kind} are flagged: they score like the threshold samples, "
                "so the dynamics model may have learned too little (more epochs or a higher learning rate), "
                "or the percentile is too high; check before training on the cleaned data"
            )
    return notes


def summarize(table: ItemTable) -> dict[str, Any]:
    """Counts of items, judged and flagged, per kind and per type."""
    n_labels = len(table.labels)
    cell = table["kind"].astype(np.int64) * n_labels + table["label"]
    size = len(KINDS) * n_labels
    counts = {
        name: np.bincount(cell, weights=weights, minlength=size).reshape(
            len(KINDS), n_labels
        )
        for name, weights in (
            ("items", None),
            ("judged", table["judged"]),
            ("flagged", table["flagged"]),
        )
    }
    kinds = {}
    for k, kind in enumerate(KINDS):
        types = {
            label: {name: int(counts[name][k, c]) for name in counts}
            for c, label in enumerate(table.labels)
            if counts["items"][k, c]
        }
        kinds[kind] = {
            **{name: int(counts[name][k].sum()) for name in counts},
            "types": types,
        }
    return {
        "n_items": len(table),
        "n_judged": int(table["judged"].sum()),
        "n_flagged": int(table["flagged"].sum()),
        "kinds": kinds,
    }


def iter_rows(table: ItemTable) -> Iterator[dict[str, Any]]:
    """scores.jsonl rows (NaN as null)."""
    cols = {name: values.tolist() for name, values in table.columns.items()}
    labels, doc_ids = table.labels, table.doc_ids
    for i in range(len(table)):
        yield {
            "doc_id": doc_ids[cols["doc"][i]],
            "doc": cols["doc"][i],
            "start": cols["start"][i],
            "end": cols["end"][i],
            "kind": KINDS[cols["kind"][i]],
            "label": labels[cols["label"][i]],
            "original": labels[cols["original"][i]],
            "aum": _num(cols["aum"][i]),
            "threshold": _num(cols["threshold"][i]),
            "flagged": cols["flagged"][i],
            "judged": cols["judged"][i],
            **{name: _num(cols[name][i]) for name in STAT_COLUMNS[1:]},
            "preferred": labels[cols["preferred"][i]]
            if cols["preferred"][i] >= 0
            else None,
            "preferred_share": _num(cols["preferred_share"][i]),
            "run": cols["run"][i],
            "n_runs": cols["n_runs"][i],
        }


def write_scores(scores: Scores, output_dir: PathLike) -> dict[str, Path]:
    """Write scores.jsonl, thresholds.json and summary.json, each atomically."""
    output_dir = Path(output_dir)
    paths = {
        name: output_dir / name for name in (SCORES_FILE, THRESHOLDS_FILE, SUMMARY_FILE)
    }
    with atomic_output(paths[SCORES_FILE]) as tmp:
        srsly.write_jsonl(tmp, iter_rows(scores.table))
    with atomic_output(paths[THRESHOLDS_FILE]) as tmp:
        srsly.write_json(tmp, _json_safe(scores.thresholds))
    with atomic_output(paths[SUMMARY_FILE]) as tmp:
        srsly.write_json(tmp, summarize(scores.table))
    return paths


def read_scores(scores_dir: PathLike) -> Scores:
    """Read a scores folder back into a `Scores` (the whole table)."""
    thresholds = read_thresholds(scores_dir)
    labels = thresholds["item_labels"]
    code = {name: i for i, name in enumerate(labels)}
    kind_code = {name: i for i, name in enumerate(KINDS)}
    names = (
        *KEY,
        "label",
        "original",
        "judged",
        "flagged",
        "threshold",
        *STAT_COLUMNS,
        *PREFERENCE_COLUMNS,
        "run",
        "n_runs",
    )
    lists: dict[str, list[Any]] = {name: [] for name in names}
    doc_ids: dict[int, str] = {}
    for row in iter_score_rows(scores_dir):
        doc_ids[row["doc"]] = row["doc_id"]
        for name in names:
            value = (
                row.get(name) if name in PREFERENCE_COLUMNS else row[name]
            )  # absent before version 2
            lists[name].append(_code(name, value, code, kind_code))
    columns = {
        name: np.asarray(values, dtype=_DTYPES.get(name, np.float64))
        for name, values in lists.items()
    }
    ids = [doc_ids.get(i, "") for i in range(max(doc_ids, default=-1) + 1)]
    table = ItemTable(
        columns, list(labels), ids, thresholds["head"], thresholds.get("fake_label")
    )
    return Scores(table, thresholds)


def read_thresholds(scores_dir: PathLike) -> dict[str, Any]:
    return read_json(_scores_file(scores_dir, THRESHOLDS_FILE))


def iter_score_rows(scores_dir: PathLike) -> Iterator[dict[str, Any]]:
    """Stream the rows of scores.jsonl."""
    path = _scores_file(scores_dir, SCORES_FILE)
    hint = "the file is damaged: run `dynclean score` again"
    for _, row in iter_json_lines(path, hint, "a row", srsly.json_loads):
        yield row


_DTYPES = {
    "doc": np.int64,
    "start": np.int64,
    "end": np.int64,
    "kind": np.int8,
    "label": np.int32,
    "original": np.int32,
    "preferred": np.int32,
    "judged": bool,
    "flagged": bool,
    "run": np.int64,
    "n_runs": np.int64,
}


def _scores_file(scores_dir: PathLike, name: str) -> Path:
    path = Path(scores_dir) / name
    if not path.exists():
        raise DataError(
            scores_dir,
            f"not a scores folder: {name} is missing",
            hint="run `dynclean score` first",
        )
    return path


def _code(
    name: str, value: Any, code: dict[str, int], kind_code: dict[str, int]
) -> Any:
    """A scores.jsonl value as its table column value."""
    if name == "kind":
        return kind_code[value]
    if name in ("label", "original"):
        return code[value]
    if name == "preferred":
        return -1 if value is None else code[value]
    return np.nan if value is None else value


def _num(value: float) -> float | None:
    return None if value != value else value


def _json_safe(value: Any) -> Any:
    """NaN → None, numpy scalars → Python, recursively."""
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    return _num(value) if isinstance(value, float) else value
