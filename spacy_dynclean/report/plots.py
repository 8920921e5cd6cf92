"""PNG figures of a scored item table: AUM histograms with the threshold samples
overlaid and the cuts marked (one line per run), per entity type, split by gold
error, and the data map. Drawn on matplotlib's Agg canvas without pyplot, so no
global backend state is touched and no display is needed.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from ..scoring.aum import ENTITY, FAKE_NEG, FAKE_POS, NON_ENTITY, ItemTable
from ..util import PathLike, atomic_output

SCATTER_CAP = 8000  # points per colour and panel of the data map
BINS = 50
RUN_COLOURS = ("#d62728", "#9467bd", "#8c564b", "#e377c2")
GOLD_NOTE = (
    "Split by the gold labels: a real error is an entity whose span and type are not a gold entity, "
    "or a non-entity that is (part of) one."
)
SIDES = {"pos": ("t_pos", "fake positives"), "neg": ("t_neg", "fake negatives")}


@dataclass
class Plot:
    """A written figure: its file name (relative to the report folder) and caption."""

    file: str
    caption: str


@dataclass
class Series:
    """One histogram: the AUMs of a group of items; `fake` ones are drawn as outlines."""

    label: str
    values: np.ndarray
    fake: bool = False
    colour: str | None = None


@dataclass
class Panel:
    """One axes: histograms sharing their bins, and vertical lines at the cuts."""

    title: str
    series: list[Series]
    cuts: list[tuple[str, float]] = field(default_factory=list)
    log: bool = False


def write_plots(
    table: ItemTable,
    thresholds: dict[str, Any],
    output_dir: PathLike,
    errors: np.ndarray | None = None,
    seed: int = 0,
) -> list[Plot]:
    """Write the figures into `output_dir`; `errors` (per row, from gold) adds the
    error-vs-correct figures."""
    output_dir = Path(output_dir)
    histograms = (
        (
            "aum",
            aum_panels,
            "AUM of the judged items and of the threshold samples",
            "AUM of entities and non-entities (density), the threshold samples outlined; an item left of its run's "
            "cut is flagged.",
        ),
        (
            "aum_by_type",
            type_panels,
            "Entity AUM per type",
            "Entity AUM per type, with the fake positives made from entities of that type.",
        ),
    )
    plots = []
    for name, panels, title, caption in histograms:
        plots.append(
            _save(
                _histograms(panels(table, thresholds), title),
                output_dir,
                f"{name}.png",
                caption,
            )
        )
        if errors is not None:
            plots.append(
                _save(
                    _histograms(
                        panels(table, thresholds, errors),
                        f"{title}: real errors and correct labels (gold)",
                    ),
                    output_dir,
                    f"{name}_gold.png",
                    f"{caption} {GOLD_NOTE}",
                )
            )
        else:  # not the figure of an older report with --gold
            (output_dir / f"{name}_gold.png").unlink(missing_ok=True)
    plots.append(
        _save(
            data_map(table, seed),
            output_dir,
            "data_map.png",
            "Data map: mean probability of the label "
            "(confidence) against its spread over the epochs (variability), flagged items in red.",
        )
    )
    return plots


def aum_panels(
    table: ItemTable, thresholds: dict[str, Any], errors: np.ndarray | None = None
) -> list[Panel]:
    """Entities with the fake positives and t_pos; non-entities with the fake
    negatives and t_neg."""
    kind, judged = table["kind"], table["judged"]
    return [
        Panel(
            "Entities",
            _real(table, judged & (kind == ENTITY), "entities", errors)
            + [_fake(table, kind == FAKE_POS, "pos")],
            run_cuts(thresholds, "pos"),
        ),
        Panel(
            "Non-entities (log scale)",
            _real(table, judged & (kind == NON_ENTITY), "non-entities", errors)
            + [_fake(table, kind == FAKE_NEG, "neg")],
            run_cuts(thresholds, "neg"),
            log=True,
        ),
    ]


def type_panels(
    table: ItemTable, thresholds: dict[str, Any], errors: np.ndarray | None = None
) -> list[Panel]:
    """One panel per entity type: its entities, the fake positives made from its
    entities, and its t_pos (per type where the scores have per-type cuts)."""
    kind, judged = table["kind"], table["judged"]
    panels = []
    for name in table.entity_types:
        code = table.labels.index(name)
        real = judged & (kind == ENTITY) & (table["label"] == code)
        fake = (kind == FAKE_POS) & (table["original"] == code)
        panels.append(
            Panel(
                name,
                _real(table, real, name, errors) + [_fake(table, fake, "pos")],
                run_cuts(thresholds, "pos", name),
            )
        )
    return panels


def run_cuts(
    thresholds: dict[str, Any], side: str, entity_type: str | None = None
) -> list[tuple[str, float]]:
    """(legend label, value) of each run's cut on `side` ("pos" / "neg"), the
    per-type value where there is one."""
    name = SIDES[side][0]
    cuts = []
    for i, run in enumerate(thresholds.get("runs", [])):
        value = run.get(name)
        per_type = ((run.get("per_type") or {}).get(side) or {}).get(entity_type or "")
        if per_type:
            value = per_type["threshold"]
        if value is not None and value == value:
            fold = "" if run.get("fold") is None else f", fold {run['fold']}"
            cuts.append((f"{name} run {i}{fold} = {value:.2f}", float(value)))
    return cuts


def data_map(table: ItemTable, seed: int = 0) -> Figure:
    """Confidence against variability of the judged entities and non-entities,
    flagged items on top; large groups are subsampled (seeded) and the titles say so."""
    rng = np.random.default_rng(seed)
    figure = Figure(figsize=(12, 5.2), layout="constrained")
    axes = figure.subplots(1, 2, sharey=True)
    for ax, (name, code) in zip(
        axes, (("Entities", ENTITY), ("Non-entities", NON_ENTITY))
    ):
        rows = table["judged"] & (table["kind"] == code)
        notes = []
        for label, mask, colour, size in (
            ("kept", rows & ~table["flagged"], "#1f77b4", 6),
            ("flagged", rows & table["flagged"], "#d62728", 10),
        ):
            index, note = _subsample(np.flatnonzero(mask), rng, label, seed)
            notes.append(note)
            ax.scatter(
                table["variability"][index],
                table["confidence"][index],
                s=size,
                c=colour,
                alpha=0.45,
                linewidths=0,
                label=f"{label} ({mask.sum():,})",
                rasterized=True,
            )
        ax.set_title(f"{name}\n" + "; ".join(notes), fontsize=10)
        ax.set_xlabel("variability (std of the label's probability)")
        ax.legend(loc="lower right", markerscale=2)
    axes[0].set_ylabel("confidence (mean probability of the label)")
    figure.suptitle("Data map")
    return figure


def _subsample(
    index: np.ndarray, rng: np.random.Generator, label: str, seed: int
) -> tuple[np.ndarray, str]:
    if len(index) <= SCATTER_CAP:
        return index, f"all {len(index):,} {label}"
    chosen = np.sort(rng.choice(index, SCATTER_CAP, replace=False))
    return chosen, f"{SCATTER_CAP:,} of {len(index):,} {label} (random, seed {seed})"


def _real(
    table: ItemTable, mask: np.ndarray, name: str, errors: np.ndarray | None
) -> list[Series]:
    aum = table["aum"]
    if errors is None:
        return [Series(name, aum[mask], colour="#1f77b4")]
    return [
        Series(f"{name}, correct", aum[mask & ~errors], colour="#2ca02c"),
        Series(f"{name}, real error", aum[mask & errors], colour="#ff7f0e"),
    ]


def _fake(table: ItemTable, mask: np.ndarray, side: str) -> Series:
    return Series(SIDES[side][1], table["aum"][mask], fake=True, colour="black")


def _histograms(panels: Sequence[Panel], title: str) -> Figure:
    """A figure of histogram panels (density, shared bins per panel)."""
    ncols = 2 if len(panels) in (2, 4) else min(len(panels), 3) or 1
    nrows = max(1, -(-len(panels) // ncols))
    figure = Figure(figsize=(6 * ncols, 4.2 * nrows + 0.4), layout="constrained")
    axes = np.atleast_1d(figure.subplots(nrows, ncols, squeeze=False)).ravel()
    for ax, panel in zip(axes, panels):
        _draw_panel(ax, panel)
    for ax in axes[len(panels) :]:
        ax.set_visible(False)
    figure.suptitle(title)
    return figure


def _draw_panel(ax: Any, panel: Panel) -> None:
    groups = [(s, s.values[~np.isnan(s.values)]) for s in panel.series]
    values = np.concatenate(
        [v for _, v in groups] + [np.array([c for _, c in panel.cuts])]
    )
    if not len(values):
        ax.text(0.5, 0.5, "no items", ha="center", va="center", transform=ax.transAxes)
    else:
        bins = np.histogram_bin_edges(values, bins=BINS)
        for series, data in groups:
            if not len(data):
                continue
            label = f"{series.label} ({len(data):,})"
            if series.fake:
                ax.hist(
                    data,
                    bins=bins,
                    density=True,
                    histtype="step",
                    linewidth=1.8,
                    color=series.colour,
                    label=label,
                )
            else:
                ax.hist(
                    data,
                    bins=bins,
                    density=True,
                    alpha=0.45,
                    color=series.colour,
                    label=label,
                )
    for (label, value), colour in zip(panel.cuts, _cycle(RUN_COLOURS, len(panel.cuts))):
        ax.axvline(value, color=colour, linestyle="--", linewidth=1.5, label=label)
    if panel.cuts:
        ax.text(
            min(value for _, value in panel.cuts),
            0.99,
            "flagged ← ",
            transform=ax.get_xaxis_transform(),
            ha="right",
            va="top",
            fontsize=8,
            color=RUN_COLOURS[0],
        )
    if panel.log:
        ax.set_yscale("log")
    ax.set_title(panel.title)
    ax.set_xlabel("AUM")
    ax.set_ylabel("density")
    ax.legend(fontsize=8, loc="best", framealpha=0.85)


def _cycle(values: Sequence[str], n: int) -> list[str]:
    return [values[i % len(values)] for i in range(n)]


def _save(figure: Figure, output_dir: Path, name: str, caption: str) -> Plot:
    with atomic_output(output_dir / name) as tmp:
        figure.savefig(tmp, format="png", dpi=90)
    return Plot(name, caption)
