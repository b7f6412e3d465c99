"""How a run went: learning curves (live and final), train against validation, and per-layer curves.

A training batch's accuracy is a count out of `batch_size` images (50 to 200 in this series), so it
jumps from batch to batch by several hundredths: drawn batch by batch, it paints a solid band wider
than a zoom on where the curves end. The curves therefore draw the training batches only as their
moving average over `SMOOTHING_BATCHES` batches, the same window in every notebook and in the progress
line. Over 100 batches (5,000 to 20,000 images) the average's own noise is a few thousandths, below
the hundredths a zoom spans; its delay, half a window (50 steps), is small against runs of 1,000
steps and more.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter
from numpy.typing import ArrayLike

from .page import LINE_COLOURS, LINE_MARKERS, MAX_WIDTH, new_figure, step_axis

#: How many training batches the train curve (and the progress line) averages: the same in every notebook.
SMOOTHING_BATCHES = 100
#: How far below the last validation point the zoom on a run's end reaches, to hold the validation points there.
ZOOM_DEPTH = 0.1
TRAIN_COLOUR, VALIDATION_COLOUR, TEST_COLOUR = "#0072B2", "#E69F00", "black"


class Curves(Protocol):
    """What `draw_curves` draws: a run's record, as `training.TrainingMonitor` keeps it."""

    @property
    def steps(self) -> np.ndarray: ...  # the training steps recorded: 1, 2, ...
    @property
    def train_accuracy(self) -> np.ndarray: ...  # each training batch's accuracy, one per step
    @property
    def train_cross_entropy(self) -> np.ndarray: ...
    @property
    def validation_steps(self) -> np.ndarray: ...  # the steps after which the validation set was measured
    @property
    def validation_accuracy(self) -> np.ndarray: ...
    @property
    def validation_cross_entropy(self) -> np.ndarray: ...
    @property
    def test_scored(self) -> bool: ...  # whether the test set has been scored, once, after training
    @property
    def final_test_accuracy(self) -> float: ...
    @property
    def final_test_cross_entropy(self) -> float: ...


def smoothing_window(count: int) -> int:
    """How many batches the train curve averages at the end of `count` batches: `SMOOTHING_BATCHES`, or all
    of them while there are fewer."""
    return max(1, min(count, SMOOTHING_BATCHES))


def moving_average(values: ArrayLike, window: int = SMOOTHING_BATCHES) -> np.ndarray:
    """The mean of the last `window` values at each value (of all values so far, for the first `window - 1`):
    as many means as values."""
    values = np.asarray(values, dtype=float)
    sums = np.cumsum(np.insert(values, 0, 0.0))
    ends = np.arange(1, len(values) + 1)
    starts = np.maximum(0, ends - window)
    return (sums[ends] - sums[starts]) / (ends - starts)


def draw_measure(ax: Axes, curves: Curves, measure: str) -> None:
    """Draw one measure of a run ("accuracy" or "cross_entropy") onto `ax`: the training batches' moving
    average (thin), the validation curve (thick, a point per evaluation) and, once scored, the test score of
    the finished run (a star at the last step). The cross-entropy is drawn on a log scale, which shows its
    fall from about 2.3 and its last thousandths in one panel."""
    if measure not in ("accuracy", "cross_entropy"):
        raise ValueError(f"measure must be 'accuracy' or 'cross_entropy', not {measure!r}.")
    train = getattr(curves, f"train_{measure}")
    validation = getattr(curves, f"validation_{measure}")
    if len(train):
        ax.plot(
            curves.steps,
            moving_average(train),
            linewidth=1.3,
            color=TRAIN_COLOUR,
            label=f"training batches, mean of the last {SMOOTHING_BATCHES}",
        )
    if len(validation):
        ax.plot(
            curves.validation_steps,
            validation,
            linewidth=2,
            color=VALIDATION_COLOUR,
            marker="o",
            markersize=4,
            label="validation set",
        )
    if curves.test_scored:
        ax.plot(
            [curves.steps[-1]],
            [getattr(curves, f"final_test_{measure}")],
            linestyle="none",
            marker="*",
            markersize=13,
            color=TEST_COLOUR,
            zorder=5,
            label="test set, scored once at the end",
        )
    step_axis(ax)
    ax.grid(color="#dddddd", which="both", linewidth=0.6)
    if measure == "cross_entropy":
        ax.set_yscale("log")
        ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 3.0, 5.0)))  # 0.01, 0.02, 0.03, 0.05, 0.1, ...
        ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
        ax.yaxis.set_minor_formatter(NullFormatter())
        ax.set_ylabel("cross-entropy per image (log scale)")
    else:
        ax.set_ylabel("accuracy")


def set_accuracy_range(ax: Axes, low: float, high: float) -> None:
    """Show accuracies from `low` to `high` on `ax`; when `high` is 1, a little room above it, so that a curve
    at 1.000 (training accuracy often gets there) is drawn above the frame, not hidden in its top edge."""
    ax.set_ylim(low, high + (0.015 * (high - low) if high >= 1.0 else 0.0))


def draw_curves(
    accuracy_ax: Axes, cross_entropy_ax: Axes, curves: Curves, accuracy_ylim: tuple[float, float] | None = None
) -> None:
    """Draw a run's accuracy and cross-entropy (`draw_measure`) onto two axes, each with its legend below it:
    the live figure that `live_view.LiveView` redraws while a run trains."""
    draw_measure(accuracy_ax, curves, "accuracy")
    draw_measure(cross_entropy_ax, curves, "cross_entropy")
    if accuracy_ylim is not None:
        set_accuracy_range(accuracy_ax, *accuracy_ylim)
    for ax in (accuracy_ax, cross_entropy_ax):
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, fontsize=8, frameon=False)


def accuracy_zoom_range(curves: Curves) -> tuple[float, float]:
    """The accuracy range the zoomed panel shows, on where the curves end: the training batches' moving average
    over the second half of the run, every validation point within `ZOOM_DEPTH` of the last one (the points a
    notebook's text discusses, an early dip included; the first steps of learning, far below, are the
    whole-run panel's) and the test score, widened to whole hundredths."""
    half = len(curves.steps) // 2
    validation = np.asarray(curves.validation_accuracy, dtype=float)
    if validation.size:
        validation = validation[validation >= validation[-1] - ZOOM_DEPTH]
    values = [moving_average(curves.train_accuracy)[half:], validation]
    if curves.test_scored:
        values.append(np.array([curves.final_test_accuracy]))
    values = np.concatenate(values)
    values = values[np.isfinite(values)]
    if not values.size:
        return 0.0, 1.0
    low = max(0.0, np.floor((values.min() - 0.003) * 100) / 100)
    return low, min(1.0, max(low + 0.01, np.ceil((values.max() + 0.003) * 100) / 100))


def plot_training_curves(history: Curves, accuracy_zoom: tuple[float, float] | None = None) -> Figure:
    """A finished run in one figure: its accuracy over the whole run, the same zoomed in on where the curves
    end, and its cross-entropy over the whole run on a log scale. The curves are the training batches'
    (their moving average) and the validation set's; the test set, scored once after training, is a star
    at the end, its scores in the legend. (The live figure drawn while the run trained is cleared when it
    finishes: this figure replaces it.)

    The zoom holds the validation points near the end's level and the second half of the training curve
    (`accuracy_zoom_range`); pass `accuracy_zoom=(low, high)` to choose another. The whole-run panel shades
    the zoomed range.
    """
    zoom = accuracy_zoom or accuracy_zoom_range(history)
    fig = new_figure(figsize=(MAX_WIDTH, 4.4))
    whole, zoomed, cross_entropy = fig.subplots(1, 3, width_ratios=[1.0, 1.25, 1.0])
    for ax, measure in ((whole, "accuracy"), (zoomed, "accuracy"), (cross_entropy, "cross_entropy")):
        draw_measure(ax, history, measure)
    set_accuracy_range(whole, 0.0, 1.0)
    set_accuracy_range(zoomed, *zoom)
    whole.axhspan(*zoom, color="#e4e4e4", zorder=0, linewidth=0)
    whole.set_title("Accuracy, the whole run\n(grey: the zoomed range)", fontsize=10)
    zoomed.set_title(f"Accuracy, zoomed to {zoom[0]:.2f}-{zoom[1]:.2f}", fontsize=10)
    cross_entropy.set_title("Cross-entropy, the whole run", fontsize=10)
    handles, labels = zoomed.get_legend_handles_labels()
    if history.test_scored:
        labels[-1] += (
            f": accuracy {history.final_test_accuracy:.4f}, cross-entropy {history.final_test_cross_entropy:.4f}"
        )
    fig.legend(handles, labels, loc="outside lower center", ncol=2, fontsize=8.5, frameon=False)
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
        colour = LINE_COLOURS[index % len(LINE_COLOURS)]
        for ax, measure in ((cross_entropy_ax, "cross_entropy"), (accuracy_ax, "accuracy")):
            ax.plot(run["steps"], run[f"train_{measure}"], color=colour, linestyle="--", label=f"{label}: train")
            ax.plot(run["steps"], run[f"validation_{measure}"], color=colour, linewidth=2, label=f"{label}: validation")
        validation_ax.plot(
            run["steps"], run["validation_cross_entropy"], color=colour, linewidth=2, marker=".", label=label
        )
    cross_entropy_ax.set_yscale("log")
    cross_entropy_ax.set_ylabel("cross-entropy per image (log scale)")
    cross_entropy_ax.set_title("Cross-entropy")
    validation_ax.set_ylabel("cross-entropy per image")
    validation_ax.set_title("Validation cross-entropy\n(linear scale)")
    set_accuracy_range(accuracy_ax, *accuracy_zoom)
    accuracy_ax.set_ylabel("accuracy")
    accuracy_ax.set_title(f"Accuracy, zoomed to {accuracy_zoom[0]:.2f}-{accuracy_zoom[1]:.2f}")
    for ax in (cross_entropy_ax, validation_ax, accuracy_ax):
        step_axis(ax)
        ax.grid(color="#dddddd", which="both", linewidth=0.5)
        ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=1, frameon=False)
    return fig


def plot_layer_curves(panels: Sequence[Mapping[str, Any]], ylabel: str, suptitle: str | None = None) -> Figure:
    """One panel per network: a measurement of each layer (y, log scale) over training (x).

    `panels` is a list of dicts with keys `title`, `steps` and `layers` ({layer label: one value
    per step}). The panels share their y axis, so the same height means the same size in each, and
    one legend, right of the panels, off the data. Each layer keeps its colour and marker in every panel.
    """
    fig = new_figure(figsize=(min(5.6 * len(panels) + 1.6, MAX_WIDTH), 4.0))
    axes = np.atleast_1d(fig.subplots(1, len(panels), sharey=True))
    for ax, panel in zip(axes, panels):
        for index, (label, values) in enumerate(panel["layers"].items()):
            steps = np.asarray(panel["steps"])
            ax.plot(
                steps,
                values,
                color=LINE_COLOURS[index % len(LINE_COLOURS)],
                marker=LINE_MARKERS[index % len(LINE_MARKERS)],
                markevery=max(1, len(steps) // 8),
                markersize=5,
                label=label,
            )
        ax.set_yscale("log")
        ax.set_title(panel["title"])
        step_axis(ax)
        ax.grid(color="#dddddd", which="both", linewidth=0.5)
    axes[0].set_ylabel(ylabel)
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside right center", fontsize=9)
    if suptitle:
        fig.suptitle(suptitle)
    return fig
