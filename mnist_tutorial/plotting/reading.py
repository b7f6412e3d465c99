"""What the networks read in a drawing: the drawing, the image they see, and each one's softmax output."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.figure import Figure

from .page import DIGITS, new_figure

#: What the bars are, under them: a softmax output is not a measured chance of being right.
SOFTMAX_NOTE = (
    "Bars: each network's softmax output, which sums to 1 over the ten digits.\n"
    "A tall bar is not the chance that the answer is right: a network can be wrong with a bar near 1."
)


def plot_reading(
    drawing: np.ndarray,
    prepared: np.ndarray,
    probabilities: Mapping[str, np.ndarray],
    labels: Mapping[str, str] | None = None,
) -> Figure:
    """A drawing, the 28x28 image the networks see, and each network's softmax output as bars (its answer,
    the tallest, in orange).

    The bars are what a softmax puts out: ten numbers that sum to 1, which training pushes towards 1 for
    the right digit on training images. They are not calibrated chances of being right: on a drawing unlike
    the training digits a network can put nearly all of it on a wrong answer. The note under the figure
    says so. Compact (under 600 pixels wide) so that it shows at full size beside or below the drawing pad.
    """
    labels = labels or {}
    bar_columns = 2
    bar_rows = max(2, -(-len(probabilities) // bar_columns))
    fig = new_figure(figsize=(5.7, 1.45 * bar_rows + 0.75))
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
        ax.set_yticks([0, 0.5, 1])
        ax.tick_params(labelsize=7)
        ax.set_ylim(0, 1)
        if index % bar_columns == 0:
            ax.set_ylabel("softmax\noutput", fontsize=7)
        ax.set_title(f"{labels.get(name, name)}: {p.argmax()}", fontsize=9)
    fig.supxlabel(SOFTMAX_NOTE, fontsize=7.5, color="#333333")
    return fig
