"""The figures of notebook 5, "How sure is a difference?": the two doubts about one accuracy, and two
recipes compared seed by seed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

from .plotting import new_figure

#: The colours of the two recipes in a paired figure, and of the line joining one seed's pair.
RECIPE_COLOURS = ("#1f77b4", "#d95f02")
PAIR_COLOUR = "#9a9a9a"


def plot_two_doubts(
    resampled: Sequence[float], accuracy: float, seed_accuracies: Sequence[float], title: str, seeds_label: str
) -> Figure:
    """One network's accuracy and the two doubts about it: a histogram of the accuracies of `resampled`
    test sets (drawn with replacement from the test images: the images' doubt), the measured
    `accuracy`, and, below it on the same scale, the accuracies the same recipe reached with other
    seeds (the seed's doubt), `seeds_label` saying whose; equal ones are stacked."""
    figure = new_figure(figsize=(8.0, 4.2))
    images, seeds = figure.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    resampled = np.asarray(resampled)
    step = 4 / 10000  # bins of four images' worth on 10,000 test images: no empty bins between counts
    edges = np.arange(resampled.min() - step / 2, resampled.max() + step, step)
    images.hist(resampled, bins=edges, color="#c6dbef", edgecolor="#6baed6")
    images.axvline(accuracy, color="black", linewidth=1.5, label=f"measured on the test images: {accuracy:.4f}")
    low, high = np.percentile(resampled, [2.5, 97.5])
    images.axvspan(low, high, color="#fdd0a2", alpha=0.5, zorder=0, label="middle 95% of the resampled sets")
    images.set_ylabel("resampled test sets")
    images.set_title(title)
    images.legend(loc="upper left", fontsize=9, frameon=False)
    heights: dict[float, int] = {}
    for value in seed_accuracies:  # equal accuracies stacked, so that every seed shows
        heights[round(value, 6)] = heights.get(round(value, 6), 0) + 1
        seeds.scatter([value], [heights[round(value, 6)]], s=40, color="#d95f02", zorder=2)
    seeds.set_ylim(0.3, max(heights.values()) + 0.7)
    seeds.set_yticks([])
    seeds.set_title(f"{seeds_label}: test accuracy of each (equal ones stacked)", fontsize=9, loc="left")
    seeds.set_xlabel("test accuracy")
    for side in ("top", "right", "left"):
        seeds.spines[side].set_visible(False)
    return figure


def plot_paired_seeds(
    name_a: str, a: Mapping[int, float], name_b: str, b: Mapping[int, float], measure: str = "validation accuracy"
) -> Figure:
    """Two recipes run with the same seeds: each seed's two accuracies side by side, joined by a line,
    so that the reader sees the per-seed differences a paired comparison is made of."""
    seeds = sorted(a)
    figure = new_figure(figsize=(5.5, 4.2))
    axes = figure.subplots()
    offsets = {}
    for values, side in ((a, 0), (b, 1)):  # equal accuracies side by side, so that every seed shows
        taken: dict[float, int] = {}
        for seed in seeds:
            count = taken.get(values[seed], 0)
            taken[values[seed]] = count + 1
            offsets[side, seed] = side + 0.06 * count * (1 if side else -1)
    for seed in seeds:
        axes.plot([offsets[0, seed], offsets[1, seed]], [a[seed], b[seed]], color=PAIR_COLOUR, linewidth=1, zorder=1)
    for side, values, colour in ((0, a, RECIPE_COLOURS[0]), (1, b, RECIPE_COLOURS[1])):
        axes.scatter(
            [offsets[side, seed] for seed in seeds], [values[seed] for seed in seeds], color=colour, s=36, zorder=2
        )
    axes.set_xticks([0, 1], [name_a, name_b])
    axes.set_xlim(-0.4, 1.4)
    axes.set_ylabel(measure)
    axes.set_title(f"Two recipes, {len(seeds)} seeds: a line joins each seed's pair")
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    return figure
