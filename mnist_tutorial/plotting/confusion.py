"""Which digits a network mistakes for which: the confusion matrix, counted and drawn."""

from __future__ import annotations

import numpy as np
from matplotlib.colors import PowerNorm
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from .page import DIGITS, new_figure, text_colour_on

#: The top of every confusion matrix's colour scale, in wrong answers per cell: one scale for the whole
#: series, so that a paler matrix is a network with fewer mistakes, and two notebooks' matrices compare
#: cell by cell. The weakest network of the series (notebook 01's) stays below it; a cell beyond it shows
#: in the darkest colour, and the colour bar's arrow says so.
CONFUSION_TOP = 60
#: The scale grows as the square root of the count, so that the few mistakes of the best networks
#: (a handful per cell) still show against the white of none, on the same scale as the weakest's.
CONFUSION_GAMMA = 0.5
#: The counts the colour bar names (below `top`, which it always names).
CONFUSION_TICKS = (0, 1, 2, 5, 10, 20, 40)
CONFUSION_COLORMAP = "Oranges"
#: The colour of the correct answers' counts, on the diagonal's white cells: green, dark enough to read.
CORRECT_COLOUR = "#006d2c"


def confusion_matrix(labels: ArrayLike, predictions: ArrayLike, classes: int = 10) -> np.ndarray:
    """counts[true, predicted]."""
    index = np.asarray(labels, dtype=int) * classes + np.asarray(predictions, dtype=int)
    return np.bincount(index, minlength=classes * classes).reshape(classes, classes)


def plot_confusion_matrix(labels: ArrayLike, predictions: ArrayLike, top: int = CONFUSION_TOP) -> Figure:
    """How often each true digit (row) was read as each digit (column); mistakes off the diagonal.

    The colours count the mistakes only, on a square-root scale from 0 to `top` wrong answers that every
    notebook shares (`CONFUSION_TOP`, `CONFUSION_GAMMA`): a cell of 5 mistakes is already a third of the way
    to the darkest. Each count is printed in black or white, whichever reads better on its cell.
    """
    if not (isinstance(top, int | np.integer) and top >= 1):
        raise ValueError(f"top must be a whole number of wrong answers, at least 1, not {top!r}.")
    counts = confusion_matrix(labels, predictions)
    mistakes = counts.copy()
    np.fill_diagonal(mistakes, 0)
    fig = new_figure(figsize=(6.5, 5.5))
    ax = fig.subplots()
    norm = PowerNorm(CONFUSION_GAMMA, 0, top)
    image = ax.imshow(mistakes, cmap=CONFUSION_COLORMAP, norm=norm)
    for (true, predicted), n in np.ndenumerate(counts):
        correct = true == predicted
        ax.text(
            predicted,
            true,
            str(n),
            ha="center",
            va="center",
            fontsize=8,
            color=CORRECT_COLOUR if correct else text_colour_on(image.cmap(norm(n))),
            fontweight="bold" if correct else "normal",
        )
    ax.set_xticks(DIGITS)
    ax.set_yticks(DIGITS)
    ax.set_xlabel("predicted digit")
    ax.set_ylabel("true digit")
    ax.set_title("Confusion matrix (colour: mistakes only)")
    bar = fig.colorbar(image, ax=ax, label="wrong answers", extend="max" if mistakes.max() > top else "neither")
    bar.set_ticks(sorted({n for n in CONFUSION_TICKS if n < top} | {top}))
    return fig
