"""What a network reads and holds, drawn as images: digits, its mistakes, weights (one image per unit,
at several moments of training), convolution filters and feature maps."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from .page import WEIGHT_COLORMAP, cell_size, grid, new_figure

#: The share of the weights the colour scale of `plot_weight_images` spans: the strongest 1% beyond it
#: show in the scale's end colours (the colour bar's arrows say so), so that a few strong weights do not
#: wash out every other unit.
WEIGHT_SCALE_QUANTILE = 0.99


def plot_digits(
    images: ArrayLike,
    titles: Sequence[object] | None = None,
    ncols: int = 10,
    suptitle: str | None = None,
    row_labels: Sequence[str] | None = None,
) -> Figure:
    """Digits (rows of 784 values or 28x28 arrays, 0 = paper) drawn as ink on white paper; `row_labels`
    name the rows of the grid, on the left."""
    images = np.asarray(images).reshape(-1, 28, 28)
    fig, axes = grid(len(images), ncols, extra_width=1.2 if row_labels is not None else 0.0)
    for i, (ax, image) in enumerate(zip(axes, images)):
        ax.imshow(image, cmap="gray_r", vmin=0, vmax=max(1.0, float(image.max())))
        if titles is not None:
            ax.set_title(str(titles[i]), fontsize=9)
        if row_labels is not None and i % ncols == 0:
            ax.set_ylabel(row_labels[i // ncols], fontsize=9, rotation=0, ha="right", va="center")
    if suptitle:
        fig.suptitle(suptitle)
    return fig


def plot_misclassified(
    images: ArrayLike,
    labels: np.ndarray | Sequence[int],
    predictions: np.ndarray | Sequence[int],
    count: int = 20,
    ncols: int = 10,
) -> Figure:
    """The first `count` test digits the network got wrong, titled with the truth and its answer."""
    wrong = np.flatnonzero(np.asarray(labels) != np.asarray(predictions))[:count]
    titles = [f"true {labels[i]}, said {predictions[i]}" for i in wrong]
    fig = plot_digits(np.asarray(images)[wrong], titles, ncols)
    for ax in fig.axes:
        ax.title.set_fontsize(8)
    return fig


def weight_limit(weights: ArrayLike) -> float:
    """Where a colour scale of `weights` ends, on either side of 0: the size that `WEIGHT_SCALE_QUANTILE` of
    the weights stay within (the largest size, where that is 0). Pass one `limit` to the figures of weights
    that a reader compares, so that they share one scale."""
    sizes = np.abs(np.asarray(weights, dtype=float)).ravel()
    limit = float(np.quantile(sizes, WEIGHT_SCALE_QUANTILE)) if sizes.size else 0.0
    return limit or float(sizes.max(initial=0.0)) or 1.0


def plot_weight_images(
    weights: ArrayLike,
    titles: Sequence[object] | None = None,
    ncols: int = 10,
    suptitle: str | None = None,
    row_labels: Sequence[str] | None = None,
    scale_label: str = "weight",
    limit: float | None = None,
) -> Figure:
    """Each column of `weights` [784, units] as a 28x28 image, all on one colour scale centred on 0.

    One scale for every image means a strong red pixel is equally strong in each of them. The scale ends
    at `limit` (default `weight_limit(weights)`: all but the strongest 1% of the weights), so that a few
    strong weights do not wash out the rest; the colour bar's arrows mark the weights beyond it.
    `titles` default to the columns' numbers (unit 0, 1, ...; pass your own for a selection of units);
    `row_labels` name the rows of the grid, on the left; `scale_label` says what the colours are (weights,
    or changes of weights, or products of ink and weight).
    """
    weights = np.asarray(weights, dtype=float)
    if weights.ndim != 2 or weights.shape[0] != 784:
        raise ValueError(f"weights must have shape [784, units], not {list(weights.shape)}.")
    limit = weight_limit(weights) if limit is None else float(limit)
    if not limit > 0:
        raise ValueError(f"limit must be a positive size of weight, not {limit!r}.")
    titles = range(weights.shape[1]) if titles is None else titles
    columns = min(ncols, weights.shape[1])
    fig, axes = grid(weights.shape[1], ncols, cell=max(1.25, min(2.2, 5.0 / columns)), extra_width=1.0)
    for i, ax in enumerate(axes):
        image = ax.imshow(
            weights[:, i].reshape(28, 28), cmap=WEIGHT_COLORMAP, vmin=-limit, vmax=limit, interpolation="nearest"
        )
        ax.set_title(str(titles[i]), fontsize=9 if weights.shape[1] <= 50 else 8)
        if row_labels is not None and i % ncols == 0:
            ax.set_ylabel(row_labels[i // ncols], fontsize=10)
    beyond = (bool((weights < -limit).any()), bool((weights > limit).any()))
    extend = {(True, True): "both", (True, False): "min", (False, True): "max"}.get(beyond, "neither")
    fig.colorbar(image, ax=list(axes), shrink=0.8, label=scale_label, extend=extend)
    if suptitle:
        fig.suptitle(suptitle)
    return fig


def plot_weight_snapshots(snapshots: Sequence[ArrayLike], steps: Sequence[int]) -> Figure:
    """Output-neuron weights at several moments of training, and how much training changed them.

    `snapshots` is a list of [784, 10] arrays taken after `steps[i]` steps; the first one is the
    starting point. Each later snapshot is a row of ten images, one per digit, followed by a row of
    its change since the snapshot before (left out where that one is all zero: the change is then the
    weights themselves). The weights after one step can be a thousand times smaller than after
    thousands, so every row has its own colour scale, centred on zero, with its colour bar beside it.
    """
    weights = [np.asarray(snapshot, dtype=float) for snapshot in snapshots]
    if len(weights) != len(steps) or len(weights) < 2:
        raise ValueError(
            f"need one snapshot per step and at least two (a start and one more), not {len(weights)} snapshots "
            f"for {len(steps)} steps."
        )
    rows = []  # (label, [784, 10] values)
    for index in range(1, len(weights)):
        before, after = weights[index - 1], weights[index]
        rows.append((f"after step {steps[index]:,}", after))
        if np.any(before):
            rows.append((f"change, steps\n{steps[index - 1]:,} to {steps[index]:,}", after - before))
    fig = new_figure(figsize=(9.8, 1.05 * len(rows) + 0.3))
    axes = fig.subplots(len(rows), 10, squeeze=False)
    for row, (label, values) in enumerate(rows):
        limit = float(np.abs(values).max()) or 1.0
        for digit, ax in enumerate(axes[row]):
            image = ax.imshow(
                values[:, digit].reshape(28, 28),
                cmap=WEIGHT_COLORMAP,
                vmin=-limit,
                vmax=limit,
                interpolation="nearest",
            )
            ax.set_xticks([])
            ax.set_yticks([])
            if row == 0:
                ax.set_title(f"digit {digit}", fontsize=9)
        axes[row, 0].set_ylabel(label, fontsize=9)
        bar = fig.colorbar(image, ax=list(axes[row]), aspect=6, pad=0.01, ticks=[-limit, 0, limit])
        bar.ax.set_yticklabels([f"{-limit:.2g}", "0", f"{limit:.2g}"], fontsize=8)
    return fig


def plot_filters(filters: ArrayLike, suptitle: str | None = None) -> Figure:
    """A convolutional layer's filters [height, width, 1, count] as small images, on one colour scale
    centred on zero (red: the filter responds to ink there; blue: to its absence)."""
    filters = np.asarray(filters)
    if filters.ndim != 4 or filters.shape[2] != 1:
        raise ValueError(
            f"expected the filters of a layer that reads one channel, [height, width, 1, count], "
            f"not an array of shape {filters.shape}"
        )
    limit = float(np.abs(filters).max()) or 1.0
    count = filters.shape[3]
    fig, axes = grid(count, ncols=min(count, 8), cell=1.5, extra_width=1.2)
    for index, ax in enumerate(axes):
        ax.imshow(filters[:, :, 0, index], cmap=WEIGHT_COLORMAP, vmin=-limit, vmax=limit, interpolation="nearest")
        ax.set_title(f"filter {index}", fontsize=9)
    fig.colorbar(axes[0].images[0], ax=list(axes), shrink=0.9, aspect=12, label="weight")
    if suptitle:
        fig.suptitle(suptitle)
    return fig


def plot_feature_maps(image: ArrayLike, layers: Mapping[str, np.ndarray], max_channels: int = 12) -> Figure:
    """One digit and what each convolutional layer makes of it: a row per layer, a picture per channel.

    `layers` is {layer label: [height, width, channels] outputs for this digit}. Each row has its
    own grey scale from 0 (white) to the layer's largest output (black); the titles give the sizes.
    """
    rows = len(layers)
    columns = min(max_channels, max(maps.shape[-1] for maps in layers.values()))
    cell = cell_size(columns + 1, 1.05, extra_width=0.4)
    fig = new_figure(figsize=(cell * (columns + 1) + 0.4, 1.2 * cell * rows + 0.4))
    axes = fig.subplots(rows, columns + 1, squeeze=False)
    for ax in axes.ravel():
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_visible(False)
    axes[0, 0].set_visible(True)
    axes[0, 0].imshow(np.asarray(image).reshape(28, 28), cmap="gray_r", vmin=0, vmax=1)
    axes[0, 0].set_title("input 28x28", fontsize=8)
    for row, (label, maps) in enumerate(layers.items()):
        maps = np.asarray(maps)
        top = float(maps.max()) or 1.0
        shown = min(columns, maps.shape[-1])
        axes[row, 1].set_ylabel(f"{label}\n{maps.shape[0]}x{maps.shape[1]}x{maps.shape[2]}", fontsize=8)
        for channel in range(shown):
            ax = axes[row, channel + 1]
            ax.set_visible(True)
            ax.imshow(maps[:, :, channel], cmap="gray_r", vmin=0, vmax=top)
            ax.set_title(f"channel {channel}", fontsize=7)
        if shown < maps.shape[-1]:
            axes[row, shown].set_title(f"channel {shown - 1}\n(of {maps.shape[-1]})", fontsize=7)
    return fig
