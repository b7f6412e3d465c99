"""A picture of a TensorFlow 1.x graph: what the notebook's code built, before a session runs it.

TensorFlow records every operation, down to the constants that hold a shape. `structure()` keeps
what the lesson is about: the placeholders, the variables (their initialisers and `read` ops
folded into them), the model's and the loss's operations (each one's helper operations folded
into it), the loss that `minimize()` minimises, and what `minimize()` adds: the gradient
computation, collapsed into one box with what goes in and what comes out, and one update per
variable (with the slots an optimizer such as Adam keeps for it).

`plot_graph()` draws it from top (inputs) to bottom (training step) in layers, as Sugiyama's
method does (the `grandalf` package): an edge that spans several layers passes through a reserved
place in each layer between, and crosses from one layer to the next only in the gap between them,
so no edge runs through a box it does not join. Each box names its name scope (`tf.name_scope`)
above its operation, and the shape of the tensor an operation puts out is written under it, once.
A graph too large to draw at that level on one page is drawn one box per name scope, listing the
scope's variables and operations, with the scopes named in `expand` drawn inside. It needs no
system program, so the picture appears wherever matplotlib does.
"""

from __future__ import annotations

import collections
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle
from matplotlib.textpath import TextPath

from .plotting import MAX_WIDTH, new_figure

if TYPE_CHECKING:
    import tensorflow.compat.v1 as tf

#: Name scopes left out of the picture: bookkeeping, not the model.
HIDDEN_SCOPES = ("summaries", "save", "init")
#: Adam's two step counters (powers of its decay rates): bookkeeping too.
ADAM_COUNTERS = ("beta1_power", "beta2_power")
GRADIENTS = "gradients"
#: The label of the edge from the loss that `minimize()` minimises to the gradients.
MINIMISED = "minimised"
COLOURS = {
    "placeholder": "#c7e9c0",
    "variable": "#fdd0a2",
    "scope": "#eeeeee",
    "op": "#deebf7",
    "gradients": "#d9d9d9",
    "update": "#fcbba1",
    "train": "#fc9272",
}
KIND_NAMES = {
    "placeholder": "placeholder (fed data)",
    "variable": "variable (learned)",
    "scope": "name scope (a layer)",
    "op": "operation",
    "gradients": "gradients (collapsed)",
    "update": "variable update",
    "train": "training step",
}
#: The names an optimizer gives the slots it keeps per variable, as the picture calls them.
SLOT_NAMES = {"Adam": "m", "Adam_1": "v", "Momentum": "velocity", "RMSProp": "ms", "RMSProp_1": "mom"}
#: Text sizes, in points: no smaller than the other figures' body text.
FONT_SIZE, EDGE_FONT_SIZE = 9.0, 8.5
#: The widest and tallest picture, in inches (at the notebooks' 100 dots per inch: 1,000 x 1,800 px).
MAX_HEIGHT = 18.0

Node = collections.namedtuple("Node", "kind label scope")


def structure(
    graph: tf.Graph, outputs: Iterable[tf.Tensor | tf.Operation] | None = None
) -> tuple[dict[str, Node], dict[tuple[str, str], str]]:
    """The graph as the picture shows it: ({key: Node}, {(from key, to key): edge label}).

    With `outputs` (tensors or operations), only what computing them needs, and the loss whose
    gradients they compute. Edge labels are tensor shapes such as "[?, 784]"; the loss has an edge
    labelled "minimised" into the gradients; edges that only order operations (a training step
    waiting for its updates) have the label "".
    """
    if outputs is None:
        needed = graph.get_operations()
    else:
        needed = _needed_by(outputs)
        needed += _needed_by(_minimised(graph, needed))
    operations = {op.name: op for op in needed}
    variables = {op.name for op in operations.values() if op.type in ("VariableV2", "VarHandleOp")}
    slots = _slots(variables)
    hidden = _initialisers(operations.values(), variables) | {
        name
        for name, op in operations.items()
        if op.type == "Const" or name.split("/")[0] in HIDDEN_SCOPES + ADAM_COUNTERS
    }
    keys = {name: _key(name, op, operations, variables, slots) for name, op in operations.items() if name not in hidden}

    nodes = {}
    for name, key in keys.items():
        if key not in nodes:  # drawn as the operation named `key`, where there is one
            op = operations.get(key, operations[name])
            nodes[key] = _node(key, op, variables, slots, graph, composite=key not in operations)
    edges = {}
    for name, key in keys.items():
        op = operations[name]
        for tensor in op.inputs:
            source = keys.get(tensor.op.name)
            if source is not None and source != key:
                label = "" if key == GRADIENTS else _shape(tensor)
                edges.setdefault((source, key), set()).add(label)
        if op.type == "NoOp":  # the training step, or a tf.group: it waits for its control inputs
            for control in op.control_inputs:
                if keys.get(control.name) not in (None, key):
                    edges.setdefault((keys[control.name], key), set()).add("")
    if outputs is not None:
        for loss in _minimised(graph, needed):
            if keys.get(loss.name) is not None:
                edges[keys[loss.name], GRADIENTS] = {MINIMISED}
    return nodes, {pair: ", ".join(sorted(labels))[:24] for pair, labels in edges.items()}


def _needed_by(outputs):
    """The operations that computing `outputs` runs (through data and control dependencies)."""
    pending = [getattr(item, "op", item) for item in outputs]
    found = {}
    while pending:
        op = pending.pop()
        if op.name not in found:
            found[op.name] = op
            pending.extend(tensor.op for tensor in op.inputs)
            pending.extend(op.control_inputs)
    return list(found.values())


def _minimised(graph, operations):
    """The operations whose gradients `operations` compute and that no other such operation reads: the loss
    that `minimize()` differentiates. (Its value is not needed to compute its gradients, so `_needed_by`
    alone leaves it out.)"""
    graded = {match.group(1) for op in operations if (match := _GRADIENT_OF.match(op.name))}
    differentiated = [op for op in graph.get_operations() if op.name in graded]
    read = {tensor.op.name for op in differentiated for tensor in op.inputs}
    return [op for op in differentiated if op.name not in read]


_GRADIENT_OF = re.compile(rf"^{GRADIENTS}/(.+?)_grad/")


def _slots(variables):
    """{slot variable: (its variable, its slot name)}: what an optimizer keeps per variable (Adam's m and v)."""
    found = {}
    for name in variables:
        base, _, slot = name.rpartition("/")
        if base in variables and slot in SLOT_NAMES:
            found[name] = (base, SLOT_NAMES[slot])
    return found


def _initialisers(operations, variables):
    """The operations that only compute variables' initial values (and the assignments).

    A variable's initialiser is the assignment TensorFlow names `<variable>/Assign`; other
    assignments (a batch normalisation's moving averages, say) are part of the model.
    """
    found = set()
    pending = [
        op
        for op in operations
        if op.type in ("Assign", "AssignVariableOp")
        and op.inputs
        and op.inputs[0].op.name in variables
        and op.name == f"{op.inputs[0].op.name}/Assign"
    ]
    while pending:
        op = pending.pop()
        if op.name in found or op.name in variables:
            continue
        found.add(op.name)
        pending.extend(tensor.op for tensor in op.inputs)
    return found


def _key(name, op, operations, variables, slots):
    """The node an operation belongs to in the picture."""
    if name == GRADIENTS or name.startswith(GRADIENTS + "/"):
        return GRADIENTS
    if name in slots:
        return _optimizer_of(name, operations)
    if op.type.startswith("Apply") or op.type.startswith("ResourceApply"):
        return name.rsplit("/", 1)[0]  # <optimizer>/update_<variable>
    parts = name.split("/")
    for end in range(1, len(parts) + 1):  # the outermost operation whose name contains this one
        prefix = "/".join(parts[:end])
        if prefix in operations:
            if end == len(parts) and len(parts) >= 3:
                break  # an operation inside a composite such as scope/dropout/...: fold it in
            return prefix
    return "/".join(parts[:2]) if len(parts) >= 3 else name


def _optimizer_of(slot, operations):
    """The update that keeps the slot variable `slot`."""
    for other in operations.values():
        if other.type.startswith(("Apply", "ResourceApply")) and any(t.op.name == slot for t in other.inputs):
            return other.name.rsplit("/", 1)[0]
    return slot


def _node(key, op, variables, slots, graph, composite=False):
    scope, _, last = key.rpartition("/")
    if key == GRADIENTS:
        count = sum(1 for other in graph.get_operations() if other.name.startswith(GRADIENTS + "/"))
        return Node("gradients", f"gradients\n({count} operations)", None)
    if key in variables:
        return Node("variable", f"{last}\n{_shape(op.outputs[0])}", scope or None)
    if op.type in ("Placeholder", "PlaceholderWithDefault"):
        return Node("placeholder", f"{last}\n{_shape(op.outputs[0])}", scope or None)
    if "/update_" in key:
        optimizer, _, variable = key.partition("/update_")
        kept = sorted(slot for base, slot in slots.values() if base == variable)
        return Node(
            "update", f"update\n{variable.rsplit('/', 1)[-1]}" + (f"\n+ {', '.join(kept)}" if kept else ""), optimizer
        )
    if op.type == "NoOp" and not scope:  # the optimizer's step; a tf.group inside a layer is an operation
        return Node("train", f"{last}\n(train_step)", None)
    label = _wrap(last)
    if not composite and len(op.type) <= 14 and op.type.lower() not in last.lower():
        label += f"\n{op.type}"
    return Node("op", label, scope or None)


def _wrap(name, width=14):
    """A long_operation_name over several lines, broken after underscores."""
    lines = [""]
    for piece in name.replace("_", "_ ").split(" "):
        if lines[-1] and len(lines[-1]) + len(piece) > width:
            lines.append("")
        lines[-1] += piece
    return "\n".join(lines)


def _shape(tensor):
    try:
        dims = tensor.shape.as_list()
    except ValueError:  # unknown rank
        return "?"
    return "[" + ", ".join("?" if d is None else str(d) for d in dims) + "]"


def by_scope(
    nodes: Mapping[str, Node], edges: Mapping[tuple[str, str], str], expand: Iterable[str] = ()
) -> tuple[dict[str, Node], dict[tuple[str, str], str]]:
    """The same graph one box per name scope: each box lists the scope's variables with their shapes and
    its operations in order; the scopes in `expand` keep their operations; an optimizer's updates become
    one box, which says which slots it keeps for each variable."""
    expand = set(expand)
    members = collections.defaultdict(list)
    for key, node in nodes.items():
        if node.scope and node.kind != "update" and node.scope.split("/")[0] not in expand:
            members[node.scope.split("/")[0]].append(key)
    updates = collections.defaultdict(list)
    for key, node in nodes.items():
        if node.kind == "update":
            updates[node.scope].append(key)
    into = {}
    for scope, keys in members.items():
        into.update(dict.fromkeys(keys, scope))
    for optimizer, keys in updates.items():
        if len(keys) > 2:
            into.update(dict.fromkeys(keys, f"{optimizer}/updates"))
    order = _topological(nodes, edges)
    collapsed = {}
    for key in order:
        target = into.get(key, key)
        if target in collapsed:
            continue
        if target in members:
            collapsed[target] = Node(
                "scope", _scope_label(target, [k for k in order if into.get(k) == target], nodes), None
            )
        elif target in (f"{o}/updates" for o in updates):
            collapsed[target] = Node(
                "update", _updates_label(target, updates[target.rsplit("/", 1)[0]], nodes), target.rsplit("/", 1)[0]
            )
        else:
            collapsed[target] = nodes[key]
    merged = {}
    for (source, target), label in edges.items():
        pair = into.get(source, source), into.get(target, target)
        if pair[0] != pair[1]:
            merged.setdefault(pair, set()).add(label)
    return collapsed, {pair: _merged_label(labels) for pair, labels in merged.items()}


def _topological(nodes, edges):
    """The nodes' keys, each after everything that feeds it (ties in name order)."""
    feeds = collections.defaultdict(set)
    for source, target in edges:
        feeds[target].add(source)
    order, done = [], set()

    def visit(key):
        if key in done:
            return
        done.add(key)
        for source in sorted(feeds[key]):
            visit(source)
        order.append(key)

    for key in sorted(nodes):
        visit(key)
    return order


def _scope_label(scope, keys, nodes):
    by_shape = collections.defaultdict(list)  # variables of one shape share a line: "b1, offset [24]"
    for key in keys:
        if nodes[key].kind == "variable":
            name, shape = nodes[key].label.split("\n")
            by_shape[shape].append(name)
    lines = [scope]
    for shape, names in by_shape.items():
        lines += _listed([*names[:-1], f"{names[-1]} {shape}"])
    operations = [k.rsplit("/", 1)[-1] for k in keys if nodes[k].kind == "op"]
    return "\n".join(lines + _listed(list(dict.fromkeys(operations))))  # in order, each once


def _listed(items, width=24):
    """`items` separated by commas, over as many lines of about `width` characters as they need."""
    lines, line = [], ""
    for item in items:
        if line and len(line) + 2 + len(item) > width:
            lines.append(line + ",")
            line = ""
        line += f", {item}" if line else item
    return [*lines, line] if line else lines


def _updates_label(key, updates, nodes):
    optimizer = key.rsplit("/", 1)[0]
    kept = sorted({line[2:] for k in updates for line in nodes[k].label.split("\n") if line.startswith("+ ")})
    lines = [f"{optimizer}:", f"{len(updates)} variable updates"]
    if kept:
        lines.append(f"+ {kept[0]} for each" if len(kept) == 1 else f"+ {', '.join(kept)} for each")
    return "\n".join(lines)


def _merged_label(labels):
    labels = sorted(set(labels) - {""}) or [""]
    if MINIMISED in labels:
        return MINIMISED
    return labels[0] if len(labels) == 1 else ""


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
#: The height of a line of the legend of box colours, in inches.
LEGEND_LINE = 0.3


def text_size(text: str, size: float = FONT_SIZE) -> tuple[float, float]:
    """(width, height) in inches of `text` (several lines) in the figures' font at `size` points."""
    font = FontProperties(size=size)
    lines = text.split("\n")
    width = max((TextPath((0, 0), line or " ", prop=font).get_extents().width for line in lines), default=0)
    return width / 72, len(lines) * size * 1.25 / 72


def layout(nodes: Mapping[str, Node], edges: Mapping[tuple[str, str], str]) -> Layout:
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

    vertices = {}
    for key, node in nodes.items():
        vertices[key] = Vertex(key)
        width, height = text_size(_drawn_label(node))
        vertices[key].view = View(width + 2 * PAD, height + 2 * PAD)
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
    for source in nodes:
        shapes = sorted(
            {label for (s, t), label in edges.items() if s == source and label and nodes[t].kind in ("op", "scope")}
        )
        if shapes and nodes[source].kind not in ("placeholder", "variable"):
            x0, _, x1, bottom = boxes[source]
            labels[source] = ((x0 + x1) / 2, bottom + 0.04, ", ".join(shapes)[:24])
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
            step = min(0.12, (x1 - x0 - 2 * PAD) / max(1, len(pairs) - 1)) if len(pairs) > 1 else 0
            for index, pair in enumerate(pairs):
                x = (x0 + x1) / 2 + (index - (len(pairs) - 1) / 2) * step
                paths[pair][at] = (x, paths[pair][at][1])


def _route(points, bands, first_rank):
    """The drawn path: straight down within each layer's band (where boxes are), and across only in the gaps
    between layers, where there are none."""
    route = [points[0]]
    for index, ((x0, _), (x1, y1)) in enumerate(zip(points, points[1:])):
        rank = first_rank + index
        bottom, top = bands[rank][1], bands[rank + 1][0]
        route += [(x0, bottom), (x1, top - ARROW), (x1, y1)]
    return route


def _drawn_label(node):
    """A box's text: an operation or variable in a name scope names the scope on its first line."""
    return f"{node.scope}/\n{node.label}" if node.kind in ("op", "variable") and node.scope else node.label


def plot_graph(
    outputs: Iterable[tf.Tensor | tf.Operation] | None = None,
    graph: tf.Graph | None = None,
    title: str | None = None,
    expand: Sequence[str] | None = None,
) -> Figure:
    """Draw what computing `outputs` needs (default: everything in `graph`, the default graph), as
    `structure()` sees it, and return the figure (its `graph_layout` attribute says where each box and
    edge went). A graph wider than MAX_WIDTH or taller than MAX_HEIGHT at the level of its operations, or
    any graph given `expand`, is drawn one box per name scope, but for the scopes `expand` names."""
    if graph is None:
        import tensorflow.compat.v1 as tf

        graph = tf.get_default_graph()
    nodes, edges = structure(graph, outputs)
    if expand is None:
        shown, shown_edges = by_scope(nodes, edges, expand=[n.scope.split("/")[0] for n in nodes.values() if n.scope])
        placed = layout(shown, shown_edges)
        if placed.width > MAX_WIDTH or placed.height > MAX_HEIGHT:
            shown, shown_edges = by_scope(nodes, edges)
            placed = layout(shown, shown_edges)
    else:
        shown, shown_edges = by_scope(nodes, edges, expand)
        placed = None
    if placed is None or any(node.kind == "scope" for node in shown.values()):
        shown, shown_edges = _without_faint_edges(shown, shown_edges)
        placed = layout(shown, shown_edges)
    return _draw(shown, shown_edges, placed, title)


def _faint(nodes, edges, pair):
    """What the gradients read, and the variable an update changes (its label names it): drawn faint."""
    source, target = pair
    return (target == GRADIENTS and edges[pair] != MINIMISED) or (
        nodes[source].kind in ("variable", "scope") and nodes[target].kind == "update"
    )


def _without_faint_edges(nodes, edges):
    """A picture by name scope leaves out the faint edges, which would criss-cross it; the gradients' box
    says what it reads instead."""
    kept = {pair: label for pair, label in edges.items() if not _faint(nodes, edges, pair)}
    nodes = dict(nodes)
    if GRADIENTS in nodes:
        label = nodes[GRADIENTS].label.rstrip(")")
        nodes[GRADIENTS] = nodes[GRADIENTS]._replace(label=f"{label},\nreading every layer)")
    return nodes, kept


def _draw(nodes, edges, placed, title):
    margin, title_height = 0.15, 0.4 if title else 0.0
    kinds = [kind for kind in COLOURS if any(node.kind == kind for node in nodes.values())]
    entries = [text_size(KIND_NAMES[kind], EDGE_FONT_SIZE)[0] + 0.45 for kind in kinds]
    width = max(placed.width, max(entries), 6.0) + 2 * margin
    lines, x = 1, 0.0
    for entry in entries:
        if x and x + entry > width - 2 * margin:
            lines, x = lines + 1, 0.0
        x += entry
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
        faint = _faint(nodes, edges, (source, target))
        colour, line_width = ("#bbbbbb", 0.7) if faint else ("#444444", 1.0)
        style = "--" if nodes[target].kind == "train" else "-"
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
            _drawn_label(node),
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
    x, bottom = 0.0, placed.height + margin + 0.1
    for kind in kinds:
        entry = text_size(KIND_NAMES[kind], EDGE_FONT_SIZE)[0] + 0.45
        if x and x + entry > width - 2 * margin:  # the legend wraps onto another line
            x, bottom = 0.0, bottom + LEGEND_LINE
        ax.add_patch(Rectangle((x, bottom), 0.25, 0.18, fc=COLOURS[kind], ec="#555555", lw=0.8))
        ax.text(x + 0.32, bottom + 0.09, KIND_NAMES[kind], fontsize=EDGE_FONT_SIZE * scale, va="center")
        x += entry
    if title:
        ax.text(width / 2 - margin, -margin - title_height / 2, title, ha="center", va="center", fontsize=11 * scale)
    fig.graph_layout = placed
    return fig
