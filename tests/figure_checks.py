"""What every figure must pass to be readable: its texts apart, its width within a notebook's
output area, its colour scales smooth in the PNG a notebook saves."""

import io

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import QuadMesh
from PIL import Image

from mnist_tutorial import plotting

#: The widest saved PNG, in pixels: `plotting.MAX_WIDTH` at 100 dpi, and the 0.1-inch margins
#: `bbox_inches="tight"` keeps on each side.
MAX_WIDTH_PIXELS = round(plotting.MAX_WIDTH * 100) + 20
#: Fewer distinct colours than this along a colour bar and the scale shows as bands.
MIN_COLOUR_BAR_COLOURS = 64


def draw(figure):
    """Draw the figure as it would be saved (Agg); return the renderer."""
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    return canvas.get_renderer()


def texts(figure):
    """The figure's visible, non-empty texts: titles, axis labels, tick labels inside the limits,
    legend entries, annotations (a confusion matrix's counts), the suptitle."""
    found = [text for legend in figure.legends for text in legend.get_texts()] + list(figure.texts)  # suptitle too
    for ax in figure.axes:
        if not ax.get_visible():
            continue
        found += [ax.title, ax._left_title, ax._right_title, ax.xaxis.label, ax.yaxis.label, *ax.texts]
        if ax.get_legend():
            found += ax.get_legend().get_texts()
        for axis, limits in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim())):
            found += [tick.label1 for tick in axis.get_major_ticks() if min(limits) <= tick.get_loc() <= max(limits)]
            found += [tick.label2 for tick in axis.get_major_ticks() if min(limits) <= tick.get_loc() <= max(limits)]
    unique = {id(text): text for text in found}.values()
    return [text for text in unique if text.get_visible() and text.get_text().strip()]


def assert_no_texts_overlap(figure, renderer=None):
    """No two visible texts of the figure overlap (each has its window extent once drawn)."""
    renderer = renderer or draw(figure)
    boxes = [(text.get_text(), text.get_window_extent(renderer)) for text in texts(figure)]
    for i, (first, a) in enumerate(boxes):
        for second, b in boxes[i + 1 :]:
            assert not a.overlaps(b) or a.width * b.width == 0, f"{first!r} overlaps {second!r}"


def check_figure(figure):
    """Draw the figure once, as a notebook saves it; return (the saved PNG's width in pixels, the number
    of distinct colours inside each colour bar), having checked that no two texts overlap.

    The width is that of `bbox_inches="tight"` (the figure's tight box and 0.1-inch margins); the
    colours are counted in the PNG `plotting.compact_png` keeps, in full colour or not as
    `use_compact_png` decides."""
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    renderer = canvas.get_renderer()
    assert_no_texts_overlap(figure, renderer)
    width = round(figure.get_tightbbox(renderer).padded(0.1).width * figure.dpi)
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(canvas.buffer_rgba())).save(buffer, "PNG")
    png = plotting.compact_png(buffer.getvalue(), full_colour=plotting.has_continuous_scale(figure))
    image = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    colours = []
    for ax in figure.axes:
        if ax.get_visible() and any(isinstance(item, QuadMesh) for item in ax.collections):
            box = ax.get_window_extent(renderer)
            top, bottom = image.shape[0] - int(box.y1) + 2, image.shape[0] - int(box.y0) - 2
            inside = image[top:bottom, int(box.x0) + 2 : int(box.x1) - 2].reshape(-1, 3)
            colours.append(len(np.unique(inside, axis=0)))
    return width, colours


def cell_text_contrasts(figure):
    """{"<text> at (row, column)": WCAG contrast ratio} of every text printed on a cell of an image (a
    confusion matrix's counts): the text's colour against the cell's colour."""
    from mnist_tutorial.plotting.page import contrast_ratio

    contrasts = {}
    for ax in figure.axes:
        if ax.get_label() == "<colorbar>" or not ax.images:
            continue
        image = ax.images[0]
        values = np.asarray(image.get_array())
        for text in ax.texts:
            column, row = (round(value) for value in text.get_position())
            if 0 <= row < values.shape[0] and 0 <= column < values.shape[1]:
                cell = image.cmap(image.norm(values[row, column]))
                contrasts[f"{text.get_text()} at {(row, column)}"] = contrast_ratio(text.get_color(), cell[:3])
    return contrasts


def colour_bar_ticks(figure):
    """[(ticks, (lowest, highest value of the scale))] for every colour bar of the figure, its ticks those
    within the scale."""
    found = {}
    for ax in figure.axes:
        for image in ax.images:
            bar = getattr(image, "colorbar", None)
            if bar is not None and id(bar) not in found:
                low, high = image.norm.vmin, image.norm.vmax
                found[id(bar)] = ([tick for tick in bar.get_ticks() if low <= tick <= high], (low, high))
    return list(found.values())


def line_styles(figure):
    """{panel (its title, or its number): [(label, colour, marker)] of each line drawn in it}."""
    from matplotlib.colors import to_hex

    found = {}
    for number, ax in enumerate(figure.axes):
        if not ax.get_visible() or ax.get_label() == "<colorbar>" or not ax.lines:
            continue
        found[ax.get_title() or number] = [
            (line.get_label(), to_hex(line.get_color()), line.get_marker()) for line in ax.lines
        ]
    return found
