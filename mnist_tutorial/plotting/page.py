"""What every figure of the series shares: its page (at most a notebook's output area wide), grids of
small pictures, training-step axes, colours for lines that must be told apart, and text colours that
stay readable on coloured cells."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator
from matplotlib.typing import ColorType

DIGITS = list(range(10))
MAX_WIDTH = 10.0  # inches: 1,000 pixels at the notebooks' 100 dpi, the width of a notebook's output area
WEIGHT_COLORMAP = "RdBu_r"  # red: the pixel's ink raises the score; blue: it lowers it
#: Colours for lines that stand for different things (networks, layers, runs), in order: Okabe and Ito's
#: palette for colour-blind readers ("Color Universal Design", 2002), without its yellow, which does not
#: show on white. Every two of them differ by more than 20 in CIELAB (`colour_difference`).
LINE_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000")
#: A marker per line, in the same order, so that lines stay apart in grey and where they cross.
LINE_MARKERS = ("o", "s", "^", "D", "v", "P", "X")
#: The least contrast between a text and the colour behind it (WCAG 2's level AA for body text).
MIN_TEXT_CONTRAST = 4.5


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


def cell_size(columns: int, preferred: float, extra_width: float = 0.0) -> float:
    """The side of a grid's cell: `preferred`, or less where `columns` of them (and `extra_width`
    for labels and a colour bar) would make the figure wider than `MAX_WIDTH`."""
    return min(preferred, (MAX_WIDTH - extra_width) / columns)


def grid(count: int, ncols: int, cell: float = 1.25, extra_width: float = 0.0) -> tuple[Figure, np.ndarray]:
    """A figure of `count` small square axes without ticks, `ncols` a row: (figure, the axes in order)."""
    ncols = min(ncols, count)
    nrows = -(-count // ncols)
    cell = cell_size(ncols, cell, extra_width)
    fig = new_figure(figsize=(ncols * cell + extra_width, nrows * cell * 1.15))
    axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False).ravel())
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])
    for ax in axes[count:]:
        ax.set_visible(False)
    return fig, axes[:count]


def step_axis(ax: Axes) -> None:
    """Label the x axis "training step", with at most six ticks written with thousands separators
    ("20,000"), so that a run of 20,000 steps does not run its labels together."""
    ax.set_xlabel("training step")
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10], integer=True))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))


def relative_luminance(colour: ColorType) -> float:
    """A colour's relative luminance, 0 (black) to 1 (white), as WCAG 2 defines it."""
    channels = np.asarray(to_rgb(colour))
    linear = np.where(channels <= 0.04045, channels / 12.92, ((channels + 0.055) / 1.055) ** 2.4)
    return float(linear @ [0.2126, 0.7152, 0.0722])


def contrast_ratio(first: ColorType, second: ColorType) -> float:
    """WCAG 2's contrast ratio of two colours, from 1 (the same) to 21 (black on white)."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def text_colour_on(background: ColorType) -> str:
    """Black or white, whichever contrasts more with `background`: for a count printed on a coloured cell."""
    return "black" if contrast_ratio("black", background) >= contrast_ratio("white", background) else "white"


def colour_difference(first: ColorType, second: ColorType) -> float:
    """How far apart two colours look: the distance between them in CIELAB (CIE76's delta E; about 2 is
    just noticeable, and lines that must be told apart at a glance want 20 or more)."""
    return float(np.linalg.norm(_lab(first) - _lab(second)))


def _lab(colour):
    channels = np.asarray(to_rgb(colour))
    linear = np.where(channels <= 0.04045, channels / 12.92, ((channels + 0.055) / 1.055) ** 2.4)
    xyz = (
        np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
        @ linear
        / np.array([0.95047, 1.0, 1.08883])
    )
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])
