"""Where each box and edge of a graph picture goes: Sugiyama's layered layout, by the `grandalf` package.

The graph is laid out from top (inputs) to bottom (training step) in layers: an edge that spans
several layers passes through a reserved place in each layer between, and crosses from one layer to
the next only in the gap between them, so no edge runs through a box it does not join. Each input (a
placeholder, a variable) sits just above the first layer that reads it. grandalf is pure Python
(dual-licensed GPL-2.0 or EPL-1.0; the project only imports it); this module is the only one that
knows it, and the only place that reaches into its internals (`SugiyamaLayout._rank_optimize`).
"""

from __future__ import annotations

import collections
from collections.abc import Mapping
from dataclasses import dataclass, field

from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextPath

from .structure import MINIMISED, Node, drawn_label

#: Text sizes, in points: no smaller than the other figures' body text.
FONT_SIZE, EDGE_FONT_SIZE = 9.0, 8.5


@dataclass
class Layout:
    """Where `plot_graph` draws everything, in inches from the top left: each node's box (left, top,
    right, bottom; y grows downwards), each edge's path (a list of points), and the picture's size."""

    boxes: dict[str, tuple[float, float, float, float]]
    paths: dict[tuple[str, str], list[tuple[float, float]]]
    width: float
    height: float
    labels: dict[str, tuple[float, float, str]] = field(default_factory=dict)  # shape under a node: (x, y, text)


#: Space, in inches: around a label inside its box, between boxes in a layer, and between layers.
PAD, X_SPACE, Y_SPACE = 0.08, 0.22, 0.42
#: The length of the last, vertical, stretch of an edge, which carries its arrowhead; the width an edge
#: keeps free in each layer it passes.
ARROW, DUMMY = 0.12, 0.15
#: The distance between the ends of two edges that leave or enter a box side by side.
PORT = 0.16


def text_size(text: str, size: float = FONT_SIZE) -> tuple[float, float]:
    """(width, height) in inches of `text` (several lines) in the figures' font at `size` points."""
    font = FontProperties(size=size)
    lines = text.split("\n")
    width = max((TextPath((0, 0), line or " ", prop=font).get_extents().width for line in lines), default=0)
    return width / 72, len(lines) * size * 1.25 / 72


def lay_out(nodes: Mapping[str, Node], edges: Mapping[tuple[str, str], str]) -> Layout:
    """Lay the graph out in layers, from top to bottom (Sugiyama's method), and route every edge."""
    from grandalf.graphs import Edge, Graph, Vertex
    from grandalf.layouts import SugiyamaLayout

    class Layered(SugiyamaLayout):
        def _rank_optimize(self):
            """Move each input (a placeholder, a variable) down to just above the first layer that reads it."""
            for vertex in list(self.g.sV):
                if vertex.e_in() or not vertex.e_out():
                    continue
                rank = min(self.grx[successor].rank for successor in vertex.N(+1)) - 1
                if rank > self.grx[vertex].rank:
                    self.layers[self.grx[vertex].rank].remove(vertex)
                    self.grx[vertex].rank = rank
                    self.layers[rank].append(vertex)

    class View:
        def __init__(self, w, h):
            self.w, self.h, self.xy = w, h, (0.0, 0.0)

        def setpath(self, points):
            self.points = points

    into, out_of = (
        collections.Counter(target for _, target in edges),
        collections.Counter(source for source, _ in edges),
    )
    vertices = {}
    for key, node in nodes.items():
        vertices[key] = Vertex(key)
        width, height = text_size(drawn_label(node))
        width = max(width, (max(into[key], out_of[key]) - 1) * PORT) + 2 * PAD  # room to spread edge ends apart
        vertices[key].view = View(width, height + 2 * PAD)
    links = {}
    for source, target in edges:
        links[source, target] = Edge(vertices[source], vertices[target])
        links[source, target].view = View(0, 0)
    graph = Graph(list(vertices.values()), list(links.values()))
    placed = {}
    left = 0.0
    for component in graph.C:
        sugiyama = Layered(component)
        sugiyama.xspace, sugiyama.yspace = X_SPACE, Y_SPACE
        sugiyama.dw, sugiyama.dh = DUMMY, DUMMY  # the place an edge keeps in each layer it passes
        sugiyama.init_all(optimize=True)  # a variable sits just above where it is first used
        sugiyama.draw(3)
        xs = [v.view.xy[0] - v.view.w / 2 for layer in sugiyama.layers for v in layer]
        right = [v.view.xy[0] + v.view.w / 2 for layer in sugiyama.layers for v in layer]
        shift = left - min(xs)
        bands = []  # (top, bottom) of each layer
        for layer in sugiyama.layers:
            centre, half = layer[0].view.xy[1], max(v.view.h for v in layer) / 2
            bands.append((centre - half, centre + half))
        placed[component] = (sugiyama, shift, bands)
        left += max(right) - min(xs) + X_SPACE
    boxes, paths, labels = {}, {}, {}
    for sugiyama, shift, bands in placed.values():
        rank = {}
        for index, layer in enumerate(sugiyama.layers):
            for v in layer:
                rank[v] = index
        for key, vertex in vertices.items():
            if vertex in rank:
                (x, y), w, h = vertex.view.xy, vertex.view.w, vertex.view.h
                boxes[key] = (x + shift - w / 2, y - h / 2, x + shift + w / 2, y + h / 2)
        outgoing, incoming = collections.defaultdict(list), collections.defaultdict(list)
        for (source, target), edge in links.items():
            if vertices[source] not in rank:
                continue
            controls = sugiyama.ctrls.get(edge, {})
            inner = [controls[r].view.xy for r in sorted(controls) if controls[r] not in (edge.v[0], edge.v[1])]
            points = [vertices[source].view.xy, *inner, vertices[target].view.xy]
            points = [(x + shift, y) for x, y in points]
            paths[source, target] = points
            outgoing[source].append((source, target))
            incoming[target].append((source, target))
        _set_ports(paths, boxes, outgoing, incoming)
        for pair in list(paths):
            paths[pair] = _route(paths[pair], bands, rank[vertices[pair[0]]])
    for source, node in nodes.items():  # the shape an operation (or a name scope) puts out, written under it
        if node.kind not in ("op", "scope"):
            continue
        shapes = {label for (s, _), label in edges.items() if s == source and label and label != MINIMISED}
        shapes |= {node.shape} if node.shape else set()
        if shapes:
            x0, _, x1, bottom = boxes[source]
            labels[source] = ((x0 + x1) / 2, bottom + 0.04, ", ".join(sorted(shapes))[:24])
    width = max([box[2] for box in boxes.values()] + [x for path in paths.values() for x, _ in path])
    height = max(box[3] for box in boxes.values())
    return Layout(boxes, paths, width, height, labels)


def _set_ports(paths, boxes, outgoing, incoming):
    """Spread the edges that leave (or enter) one box along its bottom (or top), in the order of where they go."""
    for ends, at in ((outgoing, 0), (incoming, -1)):
        for key, pairs in ends.items():
            x0, _, x1, _ = boxes[key]
            neighbour = 1 if at == 0 else -2
            pairs.sort(key=lambda pair: paths[pair][neighbour][0])
            step = min(PORT, (x1 - x0 - 2 * PAD) / max(1, len(pairs) - 1)) if len(pairs) > 1 else 0
            for index, pair in enumerate(pairs):
                x = (x0 + x1) / 2 + (index - (len(pairs) - 1) / 2) * step
                paths[pair][at] = (x, paths[pair][at][1])


def _route(points, bands, first_rank):
    """The drawn path: straight down within each layer's band (where boxes are), and across only in the gaps
    between layers, where there are none."""
    if first_rank + len(points) - 1 >= len(bands) or points[-1][1] < points[0][1]:
        return list(points)  # an edge grandalf turned upwards to break a cycle: drawn as it placed it
    route = [points[0]]
    for index, ((x0, _), (x1, y1)) in enumerate(zip(points, points[1:])):
        rank = first_rank + index
        bottom, top = bands[rank][1], bands[rank + 1][0]
        route += [(x0, bottom), (x1, top - ARROW), (x1, y1)]
    return route
