"""The drawing of a graph picture: boxes coloured by kind, edges by what they carry, and a legend for both.

`plot_graph()` reads the graph (`structure`), lays it out (`layout`) and draws it here. Each box names
its name scope above its operation, and the shape of the tensor an operation puts out is written
under it, once. A graph too large to draw at that level on one page is drawn one box per name scope,
listing the scope's variables and operations, with the scopes named in `expand` drawn inside. It
needs no system program, so the picture appears wherever matplotlib does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle

from ..plotting.page import MAX_WIDTH, new_figure
from .layout import EDGE_FONT_SIZE, FONT_SIZE, Layout, lay_out, text_size
from .structure import MINIMISED, Node, by_scope, drawn_label, nodes_and_edges

if TYPE_CHECKING:
    import tensorflow.compat.v1 as tf

COLOURS = {
    "placeholder": "#c7e9c0",
    "variable": "#fdd0a2",
    "untrained": "#fff7bc",
    "scope": "#eeeeee",
    "op": "#deebf7",
    "gradients": "#d9d9d9",
    "update": "#fcbba1",
    "train": "#fc9272",
}
KIND_NAMES = {
    "placeholder": "placeholder (fed data)",
    "variable": "variable (learned)",
    "untrained": "variable, not trained (such as a moving average)",
    "scope": "name scope (a layer)",
    "op": "operation",
    "gradients": "gradients (collapsed)",
    "update": "variable update",
    "train": "training step",
}
#: How each kind of edge is drawn (colour, line width, line style), and what the legend says it is.
EDGE_STYLES = {
    "tensor": ("#444444", 1.0, "-", "tensor (its shape under its source)"),
    "faint": ("#bbbbbb", 0.7, "-", "read by the gradients or an update"),
    "control": ("#444444", 1.0, "--", "runs after (no data)"),
}
#: The widest and tallest picture, in inches (at the notebooks' 100 dots per inch: 1,000 x 1,800 px).
MAX_HEIGHT = 18.0
#: The height of a line of the legend, in inches; the width of its sample of a colour or a line.
LEGEND_LINE, LEGEND_SAMPLE = 0.3, 0.32


def plot_graph(
    outputs: Iterable[tf.Tensor | tf.Operation] | None = None,
    graph: tf.Graph | None = None,
    title: str | None = None,
    expand: Sequence[str] | None = None,
) -> Figure:
    """Draw what computing `outputs` needs (default: everything in `graph`, the default graph), as
    `structure.nodes_and_edges()` sees it, and return the figure (its `graph_layout` attribute says where each box and
    edge went). A graph wider than MAX_WIDTH or taller than MAX_HEIGHT at the level of its operations, or
    any graph given `expand`, is drawn one box per name scope, but for the scopes `expand` names."""
    if graph is None:
        import tensorflow.compat.v1 as tf

        graph = tf.get_default_graph()
    nodes, edges = nodes_and_edges(graph, outputs)
    if expand is None:
        shown, shown_edges = by_scope(nodes, edges, expand=[n.scope.split("/")[0] for n in nodes.values() if n.scope])
        placed = lay_out(shown, shown_edges)
        if placed.width > MAX_WIDTH or placed.height > MAX_HEIGHT:
            shown, shown_edges = by_scope(nodes, edges)
            placed = lay_out(shown, shown_edges)
    else:
        shown, shown_edges = by_scope(nodes, edges, expand)
        placed = None
    if placed is None or any(node.kind == "scope" for node in shown.values()):
        shown, shown_edges = _without_faint_edges(shown, shown_edges)
        placed = lay_out(shown, shown_edges)
    return _draw(shown, shown_edges, placed, title)


def _edge_kind(nodes, edges, pair):
    """How an edge is drawn (a key of EDGE_STYLES): what the gradients read, and the variable an update
    changes (its label names it), faint; the wait of a training step for its updates, dashed."""
    source, target = pair
    if (nodes[target].kind == "gradients" and edges[pair] != MINIMISED) or (
        nodes[source].kind in ("variable", "scope") and nodes[target].kind == "update"
    ):
        return "faint"
    return "control" if nodes[target].kind == "train" else "tensor"


def _without_faint_edges(nodes, edges):
    """A picture by name scope leaves out the faint edges, which would criss-cross it; the gradients' box
    says what it reads instead."""
    kept = {pair: label for pair, label in edges.items() if _edge_kind(nodes, edges, pair) != "faint"}
    nodes = dict(nodes)
    for key, node in nodes.items():
        if node.kind == "gradients":
            nodes[key] = node._replace(label=f"{node.label.rstrip(')')},\nreading every layer)")
    return nodes, kept


def _legend(nodes, edges):
    """The legend's entries, (kind of box or of edge, its text), for what the picture draws, and their widths."""
    entries = [(kind, KIND_NAMES[kind]) for kind in COLOURS if any(node.kind == kind for node in nodes.values())]
    drawn = {_edge_kind(nodes, edges, pair) for pair in edges}
    entries += [(kind, style[3]) for kind, style in EDGE_STYLES.items() if kind in drawn]
    return [(kind, text, text_size(text, EDGE_FONT_SIZE)[0] + LEGEND_SAMPLE + 0.2) for kind, text in entries]


def _legend_lines(entries, width):
    """The legend's entries placed in lines no wider than `width`: [(x, line number, kind, text)]."""
    placed, x, line = [], 0.0, 0
    for kind, text, entry in entries:
        if x and x + entry > width:
            x, line = 0.0, line + 1
        placed.append((x, line, kind, text))
        x += entry
    return placed


def _draw(nodes: dict[str, Node], edges, placed: Layout, title):
    margin, title_height = 0.15, 0.4 if title else 0.0
    entries = _legend(nodes, edges)
    # The picture is as wide as what it draws (or its widest legend entry, or its title): a narrow graph
    # makes a narrow picture, its legend wrapped beneath it, rather than one with a blank half.
    title_width = text_size(title, 11)[0] if title else 0.0
    width = max(placed.width, max(entry for *_, entry in entries), title_width) + 2 * margin
    legend = _legend_lines(entries, width - 2 * margin)
    lines = 1 + max(line for _, line, *_ in legend)
    height = placed.height + 2 * margin + 0.15 + lines * LEGEND_LINE + title_height
    # A graph wider than a page (a network of your own, at the level of its name scopes) is drawn smaller,
    # text and all, rather than cut or refused; the pictures of the notebooks' own graphs fit at full size.
    scale = min(1.0, MAX_WIDTH / width)
    fig = new_figure(figsize=(width * scale, height * scale))
    fig.set_layout_engine(None)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    ax.set_xlim(-margin, width - margin)
    ax.set_ylim(height - margin - title_height, -margin - title_height)  # inches, y downwards
    for (source, target), path in placed.paths.items():
        label = edges[source, target]
        colour, line_width, style, _ = EDGE_STYLES[_edge_kind(nodes, edges, (source, target))]
        xs, ys = zip(*path)
        ax.plot(xs[:-1], ys[:-1], color=colour, lw=line_width, linestyle=style, zorder=1, solid_joinstyle="round")
        top = placed.boxes[target][1]
        ax.add_patch(
            FancyArrowPatch(
                path[-2],
                (path[-1][0], top),
                arrowstyle="-|>",
                mutation_scale=9 * scale,
                color=colour,
                lw=line_width,
                linestyle=style,
                shrinkA=0,
                shrinkB=0,
                zorder=1,
            )
        )
        if label == MINIMISED:
            ax.text(
                path[-2][0] + 0.05,
                (path[-2][1] + top) / 2,
                MINIMISED,
                fontsize=EDGE_FONT_SIZE * scale,
                va="center",
                color="#333333",
                style="italic",
                zorder=3,
            )
    for key, node in nodes.items():
        x0, y0, x1, y1 = placed.boxes[key]
        ax.add_patch(
            FancyBboxPatch(
                (x0, y0),
                x1 - x0,
                y1 - y0,
                boxstyle="round,pad=0,rounding_size=0.05",
                fc=COLOURS[node.kind],
                ec="#555555",
                lw=0.8,
                zorder=4,
            )
        )
        ax.text(
            (x0 + x1) / 2,
            (y0 + y1) / 2,
            drawn_label(node),
            ha="center",
            va="center",
            fontsize=FONT_SIZE * scale,
            zorder=5,
            linespacing=1.25,
        )
    for x, y, text in placed.labels.values():
        ax.text(
            x,
            y,
            text,
            ha="center",
            va="top",
            fontsize=EDGE_FONT_SIZE * scale,
            color="#333333",
            zorder=3,
            bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.9),
        )
    top = placed.height + margin + 0.1
    for x, line, kind, text in legend:
        bottom = top + line * LEGEND_LINE
        if kind in COLOURS:
            ax.add_patch(Rectangle((x, bottom), LEGEND_SAMPLE - 0.07, 0.18, fc=COLOURS[kind], ec="#555555", lw=0.8))
        else:
            colour, line_width, style, _ = EDGE_STYLES[kind]
            ax.plot([x, x + LEGEND_SAMPLE - 0.07], [bottom + 0.09] * 2, color=colour, lw=line_width, linestyle=style)
        ax.text(x + LEGEND_SAMPLE, bottom + 0.09, text, fontsize=EDGE_FONT_SIZE * scale, va="center")
    if title:
        ax.text(width / 2 - margin, -margin - title_height / 2, title, ha="center", va="center", fontsize=11 * scale)
    fig.graph_layout = placed
    return fig
