"""How well networks read changed digits: accuracy against how far the digits were changed."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from .page import LINE_COLOURS, LINE_MARKERS, MAX_WIDTH, new_figure


def accuracy_range(values: Sequence[float]) -> tuple[float, float]:
    """A y range that holds `values` (accuracies) and little else, so that their differences show: widened
    to whole hundredths for a span under 0.1, to twentieths under 0.3, to tenths beyond, within 0-1."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if not values.size:
        return 0.0, 1.0
    low, high = float(values.min()), float(values.max())
    span = high - low
    step = 0.01 if span < 0.1 else 0.05 if span < 0.3 else 0.1
    bottom = max(0.0, math.floor(round((low - step / 4) / step, 6)) * step)
    top = min(1.0, math.ceil(round((high + step / 4) / step, 6)) * step)
    return round(bottom, 2), round(max(top, bottom + step), 2)


def plot_accuracy_curves(
    panels: Sequence[Mapping[str, Any]],
    suptitle: str | None = None,
    ylabel: str = "test accuracy",
    ncols: int | None = None,
    ylim: tuple[float, float] | None = None,
) -> Figure:
    """One panel per experiment: accuracy (y) against how far the digits were changed (x).

    `panels` is a list of dicts with keys `title`, `xlabel`, `x` and `curves` ({network label:
    accuracies, one per x}), and optionally `prepared`: the same after preprocessing. Where a panel has
    `prepared`, the panels form two rows, the digits as changed above and prepared below, each column
    on one y range; otherwise `ncols` panels a row (default: all in one row). Each network keeps one
    colour and one marker in every panel, and one legend names them.

    The x axis runs in the order of `x`: a size measured from 1.0 down to 0.4 runs from 1.0 on the left,
    as a table of it does. Each panel's y axis spans its own accuracies (`accuracy_range`), so that the
    differences show; `ylim=(low, high)` gives every panel that range instead. `ylabel` names the
    images measured.
    """
    prepared = any("prepared" in panel for panel in panels)
    ncols = len(panels) if prepared else min(ncols or len(panels), len(panels))
    nrows = 2 if prepared else -(-len(panels) // ncols)
    fig = new_figure(figsize=(min(3.4 * ncols, MAX_WIDTH), 3.0 * nrows + 1.0))
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for ax in axes.ravel()[len(panels) * (2 if prepared else 1) :]:
        ax.set_visible(False)
    networks = list(dict.fromkeys(label for panel in panels for label in panel["curves"]))
    for number, panel in enumerate(panels):
        if prepared:  # a column per experiment: as changed above, prepared below
            shown = [(axes[0, number], "curves", "as changed"), (axes[1, number], "prepared", "prepared")]
        else:
            shown = [(axes.ravel()[number], "curves", None)]
        values = [a for _, key, _ in shown for series in panel.get(key, {}).values() for a in series]
        low, high = ylim or accuracy_range(values)
        first_column = number == 0 if prepared else number % ncols == 0
        for ax, key, name in shown:
            for label, accuracies in panel.get(key, {}).items():
                index = networks.index(label)
                ax.plot(
                    panel["x"],
                    accuracies,
                    color=LINE_COLOURS[index % len(LINE_COLOURS)],
                    marker=LINE_MARKERS[index % len(LINE_MARKERS)],
                    markersize=5,
                    linewidth=1.5,
                    label=label,
                )
            ax.set_title(panel["title"] if name != "prepared" else f"{panel['title']}, prepared", fontsize=10)
            ax.set_xlabel(panel["xlabel"], fontsize=9)
            if all(float(value).is_integer() for value in panel["x"]):  # whole steps: no ticks between them
                ax.set_xticks(panel["x"])
            if len(panel["x"]) > 1 and panel["x"][0] > panel["x"][-1]:
                ax.invert_xaxis()  # the values in the order given, left to right
            ax.set_ylim(low, high)
            ax.grid(color="#dddddd")
            if first_column:
                ax.set_ylabel(ylabel if name is None else f"{ylabel}\n({name})")
    handles = {}
    for ax in axes.ravel():
        for handle, label in zip(*ax.get_legend_handles_labels()):
            handles.setdefault(label, handle)
    ordered = [(handles[label], label) for label in networks if label in handles]
    fig.legend(
        *zip(*ordered),
        loc="outside lower center",
        ncol=min(len(ordered), 3),
        fontsize=9,
        frameon=False,
        title=None if ylim else f"each {'column of panels' if prepared else 'panel'} spans its own range of accuracy",
        title_fontsize=9,
    )
    if suptitle:
        fig.suptitle(suptitle)
    return fig
