"""The notebooks' figures: learning curves, digits, weights as images, mistakes, confusion matrix,
robustness curves, per-layer curves (error sizes, updates), train-against-validation curves, convolution filters and
feature maps.

Every function returns a matplotlib Figure. The figures are not registered with pyplot, so they
are never shown twice and never pile up in memory; for Jupyter to show one that ends a cell (or
is passed to `display`), call `use_compact_png()` once, in the notebook's imports cell. Elsewhere
use `fig.savefig(...)`. Importing this module changes nothing in IPython.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from numpy.typing import ArrayLike
from PIL import Image

if TYPE_CHECKING:
    from .training import TrainingMonitor

DIGITS = list(range(10))
MAX_WIDTH = 10.0  # inches: 1,000 pixels at the notebooks' 100 dpi, the width of a notebook's output area
WEIGHT_COLORMAP = "RdBu_r"  # red: the pixel's ink raises the score; blue: it lowers it


def compact_png(png: bytes, full_colour: bool = False) -> bytes:
    """The PNG `png` (bytes) on white, in at most 256 colours (or, with `full_colour`, in all of
    its colours, without the alpha channel): what a saved notebook keeps.

    Matplotlib writes full-colour PNGs with an alpha channel; figures of lines and text look the
    same in 256 colours at a third to half of the size, which keeps the committed notebooks small.
    A continuous colour scale (weights drawn as images, a colour bar) would break into bands in 256
    colours, so such figures keep their full colour (`has_continuous_scale`).
    """
    image = Image.open(io.BytesIO(png))
    if image.mode != "RGB":
        image = Image.alpha_composite(Image.new("RGBA", image.size, "white"), image.convert("RGBA")).convert("RGB")
    compact = io.BytesIO()
    (image if full_colour else image.quantize(256)).save(compact, "PNG", optimize=True)
    return compact.getvalue()


def has_continuous_scale(fig: Figure) -> bool:
    """Whether the figure draws a colour scale (weights, filters, a confusion matrix, a colour bar):
    an image in a colour map other than grey, or a colour bar. Grey images (digits) have at most
    256 levels, which 256 colours keep."""
    from matplotlib.collections import QuadMesh  # what a colour bar draws its scale with

    for ax in fig.axes:
        if not ax.get_visible():
            continue
        if any(isinstance(item, QuadMesh) for item in ax.collections):
            return True
        if any(not image.get_cmap().name.startswith(("gray", "Grey", "binary")) for image in ax.images):
            return True
    return False


def use_compact_png(enabled: bool = True) -> None:
    """Make IPython show every matplotlib `Figure` as a compact PNG: on white, in at most 256 colours
    (in full colour where it draws an image or a colour scale, which 256 colours would band).

    Call it once, in a notebook's imports cell; it does nothing outside IPython, and calling it
    again changes nothing. It registers a PNG formatter for `matplotlib.figure.Figure` with the
    running IPython shell: it affects only `Figure` objects that IPython shows (this package's,
    the training monitor's live figure, and your own, pyplot's inline figures included), and
    replaces any PNG formatter for them, such as pyplot's inline backend's (which, activated
    later, replaces this one in turn). `use_compact_png(False)` puts back what it replaced.

    The training monitor does not call it: its live figure shows however the notebook has set
    IPython to show a `Figure` (as text, `<Figure size ...>`, if nothing has).
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return
    formatter = shell.display_formatter.formatters["image/png"]
    current = formatter.type_printers.get(Figure)
    if enabled and not isinstance(current, _CompactPNG):
        formatter.for_type(Figure, _CompactPNG(replaced=formatter.for_type(Figure)))
    elif not enabled and isinstance(current, _CompactPNG):
        if current.replaced is None:
            formatter.pop(Figure)
        else:
            formatter.for_type(Figure, current.replaced)


class _CompactPNG:
    """The PNG formatter `use_compact_png()` registers; it remembers the one it replaced."""

    def __init__(self, replaced):
        self.replaced = replaced

    def __call__(self, fig):
        from IPython.core.pylabtools import print_figure

        return compact_png(print_figure(fig, "png", bbox_inches="tight"), full_colour=has_continuous_scale(fig))


def new_figure(figsize: tuple[float, float]) -> Figure:
    """An empty figure with constrained layout, at most `MAX_WIDTH` inches wide: a wider one would be
    shrunk to fit a notebook's output area, and its text with it."""
    width, height = figsize
    if width > MAX_WIDTH + 1e-9:
        raise ValueError(
            f"a figure {width:g} inches wide would be shrunk to fit a notebook's output area; "
            f"lay it out within plotting.MAX_WIDTH = {MAX_WIDTH:g} inches (fewer columns, or smaller cells)."
        )
    return Figure(figsize=figsize, layout="constrained")


def _cell_size(columns: int, preferred: float, extra_width: float = 0.0) -> float:
    """The side of a grid's cell: `preferred`, or less where `columns` of them (and `extra_width`
    for labels and a colour bar) would make the figure wider than `MAX_WIDTH`."""
    return min(preferred, (MAX_WIDTH - extra_width) / columns)


def draw_curves(
    accuracy_ax: Axes,
    cross_entropy_ax: Axes,
    history: TrainingMonitor,
    accuracy_ylim: tuple[float, float] | None = None,
    cross_entropy_ylim: tuple[float, float] | None = None,
) -> None:
    """Draw the train curves (every batch, faint, and their moving average), the validation curve
    (every evaluation, thick) and, once it has been scored, the test score of the finished run (one
    marked point at the last step) onto two axes."""
    test_scored = history.test_scored
    for ax, train, validation, test, name, ylim in (
        (
            accuracy_ax,
            history.train_accuracy,
            history.validation_accuracy,
            history.final_test_accuracy if test_scored else None,
            "accuracy",
            accuracy_ylim,
        ),
        (
            cross_entropy_ax,
            history.train_cross_entropy,
            history.validation_cross_entropy,
            history.final_test_cross_entropy if test_scored else None,
            "cross-entropy per image",
            cross_entropy_ylim,
        ),
    ):
        ax.plot(history.steps, train, linewidth=0.3, alpha=0.25, color="tab:blue", label="train (each batch)")
        window = smoothing_window(len(train))
        if len(train) >= 2 * window:
            ax.plot(
                history.steps[window - 1 :],
                moving_average(train, window),
                linewidth=1.2,
                color="tab:blue",
                label=f"train (mean of {window} batches)",
            )
        if len(validation):
            ax.plot(
                history.validation_steps,
                validation,
                linewidth=2,
                color="tab:orange",
                marker=".",
                label="validation set",
            )
        if test is not None:
            ax.plot(
                [history.steps[-1]],
                [test],
                linestyle="none",
                marker="*",
                markersize=13,
                color="black",
                zorder=5,
                label=f"test, scored once at the end: {test:.4f}",
            )
        ax.set_xlabel("training step")
        ax.set_ylabel(name)
        ax.grid(color="#dddddd")
        if ylim is not None:
            ax.set_ylim(*ylim)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, fontsize=8, frameon=False)


def smoothing_window(count: int) -> int:
    """How many batches the train curve's moving average (and the progress line) averages over."""
    return max(10, count // 100)


def moving_average(values: ArrayLike, window: int) -> np.ndarray:
    """The mean of each run of `window` consecutive values (len(values) - window + 1 of them)."""
    sums = np.cumsum(np.insert(np.asarray(values, dtype=float), 0, 0.0))
    return (sums[window:] - sums[:-window]) / window


def plot_training_curves(
    history: TrainingMonitor,
    accuracy_zoom: tuple[float, float] | None = None,
    cross_entropy_zoom: tuple[float, float] | None = None,
) -> Figure:
    """Accuracy and cross-entropy over training, zoomed in on where the curves end (the live
    figure, drawn during training, shows the whole run). The curves are the training batches' and
    the validation set's; the test set, scored once after training, is one marked point at the end.

    The zoom ranges default to the range of the trend over the second half of training (the batches'
    moving average and the validation curve), so the faint per-batch values may leave it.
    """
    half = len(history.steps) // 2
    window = smoothing_window(len(history.train_accuracy))
    late_validation = history.validation_steps >= history.steps[half] if len(history.steps) else []
    if accuracy_zoom is None:
        trend = np.concatenate(
            [
                moving_average(history.train_accuracy, window)[half:],
                np.asarray(history.validation_accuracy)[late_validation],
            ]
        )
        low = float(trend.min()) if trend.size else 0.0
        accuracy_zoom = (
            max(0.0, np.floor((low - 0.01) * 100) / 100),
            min(1.0, np.ceil((trend.max() + 0.005) * 100) / 100) if trend.size else 1.0,
        )
    if cross_entropy_zoom is None:
        trend = np.concatenate(
            [
                moving_average(history.train_cross_entropy, window)[half:],
                np.asarray(history.validation_cross_entropy)[late_validation],
            ]
        )
        cross_entropy_zoom = (0.0, 1.3 * float(trend.max()) if trend.size else 1.0)
    fig = new_figure(figsize=(MAX_WIDTH, 4.6))
    axes = fig.subplots(1, 2)
    draw_curves(axes[0], axes[1], history, accuracy_zoom, cross_entropy_zoom)
    axes[0].set_title(f"Accuracy, zoomed to {accuracy_zoom[0]:.2f}-{accuracy_zoom[1]:.2f}")
    axes[1].set_title(f"Cross-entropy, zoomed to {cross_entropy_zoom[0]:.2f}-{cross_entropy_zoom[1]:.2f}")
    return fig


def _grid(count, ncols, cell_size=1.25, extra_width=0.0):
    ncols = min(ncols, count)
    nrows = -(-count // ncols)
    cell_size = _cell_size(ncols, cell_size, extra_width)
    fig = new_figure(figsize=(ncols * cell_size + extra_width, nrows * cell_size * 1.15))
    axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False).ravel())
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])
    for ax in axes[count:]:
        ax.set_visible(False)
    return fig, axes[:count]


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
    fig, axes = _grid(len(images), ncols, extra_width=1.2 if row_labels is not None else 0.0)
    for i, (ax, image) in enumerate(zip(axes, images)):
        ax.imshow(image, cmap="gray_r", vmin=0, vmax=max(1.0, float(image.max())))
        if titles is not None:
            ax.set_title(str(titles[i]), fontsize=9)
        if row_labels is not None and i % ncols == 0:
            ax.set_ylabel(row_labels[i // ncols], fontsize=9, rotation=0, ha="right", va="center")
    if suptitle:
        fig.suptitle(suptitle)
    return fig


def plot_weight_images(
    weights: ArrayLike,
    titles: Sequence[object] | None = None,
    ncols: int = 10,
    suptitle: str | None = None,
    row_labels: Sequence[str] | None = None,
) -> Figure:
    """Each column of `weights` [784, units] as a 28x28 image, all on one colour scale centred on 0.

    One scale for every image means a strong red pixel is equally strong in each of them.
    `row_labels` name the rows of the grid, on the left, so that the titles can stay short.
    """
    weights = np.asarray(weights)
    if weights.ndim != 2 or weights.shape[0] != 784:
        raise ValueError(f"weights must have shape [784, units], not {list(weights.shape)}.")
    limit = float(np.abs(weights).max())
    columns = min(ncols, weights.shape[1])
    fig, axes = _grid(weights.shape[1], ncols, cell_size=max(1.25, min(2.2, 5.0 / columns)), extra_width=1.0)
    for i, ax in enumerate(axes):
        image = ax.imshow(
            weights[:, i].reshape(28, 28), cmap=WEIGHT_COLORMAP, vmin=-limit, vmax=limit, interpolation="nearest"
        )
        if titles is not None:
            ax.set_title(str(titles[i]), fontsize=9)
        if row_labels is not None and i % ncols == 0:
            ax.set_ylabel(row_labels[i // ncols], fontsize=10)
    fig.colorbar(image, ax=list(axes), shrink=0.8, label="weight")
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


def confusion_matrix(labels: ArrayLike, predictions: ArrayLike, classes: int = 10) -> np.ndarray:
    """counts[true, predicted]."""
    index = np.asarray(labels, dtype=int) * classes + np.asarray(predictions, dtype=int)
    return np.bincount(index, minlength=classes * classes).reshape(classes, classes)


def plot_confusion_matrix(labels: ArrayLike, predictions: ArrayLike) -> Figure:
    """How often each true digit (row) was read as each digit (column); mistakes off the diagonal."""
    counts = confusion_matrix(labels, predictions)
    mistakes = counts.copy()
    np.fill_diagonal(mistakes, 0)
    fig = new_figure(figsize=(6.5, 5.5))
    ax = fig.subplots()
    image = ax.imshow(mistakes, cmap="Oranges")
    for (true, predicted), n in np.ndenumerate(counts):
        ax.text(
            predicted,
            true,
            str(n),
            ha="center",
            va="center",
            fontsize=8,
            color="black" if true != predicted else "tab:green",
            fontweight="bold" if true == predicted else "normal",
        )
    ax.set_xticks(DIGITS)
    ax.set_yticks(DIGITS)
    ax.set_xlabel("predicted digit")
    ax.set_ylabel("true digit")
    ax.set_title("Confusion matrix (colour: mistakes only)")
    fig.colorbar(image, ax=ax, label="wrong answers")
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


def plot_accuracy_curves(
    panels: Sequence[Mapping[str, Any]],
    suptitle: str | None = None,
    ylabel: str = "test accuracy",
    ncols: int | None = None,
) -> Figure:
    """One panel per experiment: accuracy (y) against how far the digits were changed (x).

    `panels` is a list of dicts with keys `title`, `xlabel`, `x` and `curves` ({network label:
    accuracies, one per x}), and optionally `prepared`: the same after preprocessing, drawn
    dashed in the same colour, with one legend entry for all the dashed lines. `ncols` panels a
    row (default: all in one row); `ylabel` names the images measured.
    """
    ncols = min(ncols or len(panels), len(panels))
    nrows = -(-len(panels) // ncols)
    fig = new_figure(figsize=(min(4.6 * ncols, MAX_WIDTH), 4.2 if nrows == 1 else 3.1 * nrows + 0.8))
    axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False).ravel())
    for ax in axes[len(panels) :]:
        ax.set_visible(False)
    for number, (ax, panel) in enumerate(zip(axes, panels)):
        for index, (label, accuracies) in enumerate(panel["curves"].items()):
            ax.plot(panel["x"], accuracies, marker="o", markersize=4, color=f"C{index}", label=label)
            if label in panel.get("prepared", {}):
                ax.plot(
                    panel["x"],
                    panel["prepared"][label],
                    marker="s",
                    markersize=3,
                    color=f"C{index}",
                    linestyle="--",
                    label=f"{label}, prepared",
                )
        ax.set_title(panel["title"], fontsize=11)
        ax.set_xlabel(panel["xlabel"])
        if all(float(value).is_integer() for value in panel["x"]):  # whole steps: no ticks between them
            ax.set_xticks(panel["x"])
        if number % ncols == 0:
            ax.set_ylabel(ylabel)
        ax.set_ylim(0, 1)
        ax.grid(color="#dddddd")
    handles, labels = axes[0].get_legend_handles_labels()
    networks = [(handle, label) for handle, label in zip(handles, labels) if handle.get_linestyle() == "-"]
    if len(networks) < len(handles):  # one entry for the dashed style, not one per network
        networks.append((Line2D([], [], color="grey", linestyle="--", marker="s", markersize=3), "dashed: prepared"))
    fig.legend(*zip(*networks), loc="outside lower center", ncol=min(len(networks), 3), fontsize=9, frameon=False)
    if suptitle:
        fig.suptitle(suptitle)
    return fig


def plot_reading(
    drawing: np.ndarray,
    prepared: np.ndarray,
    probabilities: Mapping[str, np.ndarray],
    labels: Mapping[str, str] | None = None,
) -> Figure:
    """A drawing, the 28x28 image the networks see, and each network's probabilities as bars.

    Compact (under 600 pixels wide) so that it shows at full size beside or below the drawing pad.
    """
    labels = labels or {}
    bar_columns = 2
    bar_rows = max(2, -(-len(probabilities) // bar_columns))
    fig = new_figure(figsize=(5.7, 1.4 * bar_rows + 0.3))
    grid = fig.add_gridspec(bar_rows, 1 + bar_columns, width_ratios=[0.8] + [1.0] * bar_columns)
    pictures = (("your drawing", drawing, "gray", 255), ("what the networks see", prepared, "gray_r", 1))
    for row, (title, image, colormap, top) in enumerate(pictures):
        ax = fig.add_subplot(grid[row * bar_rows // 2 : (row + 1) * bar_rows // 2, 0])
        ax.imshow(image, cmap=colormap, vmin=0, vmax=top)
        ax.set_title(title, fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    for index, (name, p) in enumerate(probabilities.items()):
        ax = fig.add_subplot(grid[index // bar_columns, 1 + index % bar_columns])
        colours = ["tab:orange" if d == p.argmax() else "tab:blue" for d in DIGITS]
        ax.bar(DIGITS, p, color=colours)
        ax.set_xticks(DIGITS)
        ax.tick_params(labelsize=7)
        ax.set_ylim(0, 1)
        ax.set_title(f"{labels.get(name, name)}: {p.argmax()}", fontsize=9)
    return fig


def plot_layer_curves(panels: Sequence[Mapping[str, Any]], ylabel: str, suptitle: str | None = None) -> Figure:
    """One panel per network: a measurement of each layer (y, log scale) over training (x).

    `panels` is a list of dicts with keys `title`, `steps` and `layers` ({layer label: one value
    per step}). The panels share their y axis, so the same height means the same size in each, and
    one legend, right of the panels, off the data.
    """
    fig = new_figure(figsize=(min(5.6 * len(panels) + 1.6, MAX_WIDTH), 4.0))
    axes = np.atleast_1d(fig.subplots(1, len(panels), sharey=True))
    for ax, panel in zip(axes, panels):
        for index, (label, values) in enumerate(panel["layers"].items()):
            ax.plot(panel["steps"], values, color=f"C{index}", label=label)
        ax.set_yscale("log")
        ax.set_title(panel["title"])
        ax.set_xlabel("training step")
        ax.grid(color="#dddddd", which="both", linewidth=0.5)
    axes[0].set_ylabel(ylabel)
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside right center", fontsize=9)
    if suptitle:
        fig.suptitle(suptitle)
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
    fig, axes = _grid(count, ncols=min(count, 8), cell_size=1.5, extra_width=1.2)
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
    cell = _cell_size(columns + 1, 1.05, extra_width=0.4)
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


def plot_train_and_validation(
    runs: Mapping[str, Mapping[str, ArrayLike]], accuracy_zoom: tuple[float, float] = (0.96, 1.0)
) -> Figure:
    """Cross-entropy and accuracy on training images (dashed) and validation images (solid), one
    colour per run; and the validation cross-entropy alone on a linear scale, where a rise of a few
    hundredths, flattened by the log scale of the first panel, shows.

    `runs` is {label: dict(steps, train_accuracy, validation_accuracy, train_cross_entropy,
    validation_cross_entropy)}, all measured at the same steps, the training figures on a fixed set of
    training images with the whole network (no dropout), so that the two curves compare.
    """
    fig = new_figure(figsize=(MAX_WIDTH, 4.8))
    cross_entropy_ax, validation_ax, accuracy_ax = fig.subplots(1, 3)
    for index, (label, run) in enumerate(runs.items()):
        for ax, measure in ((cross_entropy_ax, "cross_entropy"), (accuracy_ax, "accuracy")):
            ax.plot(run["steps"], run[f"train_{measure}"], color=f"C{index}", linestyle="--", label=f"{label}: train")
            ax.plot(
                run["steps"], run[f"validation_{measure}"], color=f"C{index}", linewidth=2, label=f"{label}: validation"
            )
        validation_ax.plot(
            run["steps"], run["validation_cross_entropy"], color=f"C{index}", linewidth=2, marker=".", label=label
        )
    cross_entropy_ax.set_yscale("log")
    cross_entropy_ax.set_ylabel("cross-entropy per image (log scale)")
    cross_entropy_ax.set_title("Cross-entropy")
    validation_ax.set_ylabel("cross-entropy per image")
    validation_ax.set_title("Validation cross-entropy\n(linear scale)")
    accuracy_ax.set_ylim(*accuracy_zoom)
    accuracy_ax.set_ylabel("accuracy")
    accuracy_ax.set_title(f"Accuracy, zoomed to {accuracy_zoom[0]:.2f}-{accuracy_zoom[1]:.2f}")
    for ax in (cross_entropy_ax, validation_ax, accuracy_ax):
        ax.set_xlabel("training step")
        ax.grid(color="#dddddd", which="both", linewidth=0.5)
        ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=1, frameon=False)
    return fig
