"""How Jupyter shows the package's figures: as compact PNGs, once a notebook asks.

Every figure function returns a matplotlib Figure that is not registered with pyplot, so it is never
shown twice and never piles up in memory; for Jupyter to show one that ends a cell (or is passed to
`display`), a notebook calls `use_compact_png()` once, in its imports cell. Elsewhere use
`fig.savefig(...)`. Importing this module changes nothing in IPython.
"""

from __future__ import annotations

import io

from matplotlib.figure import Figure
from PIL import Image


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
