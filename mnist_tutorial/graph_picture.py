"""A picture of a TensorFlow 1.x graph: what the notebook's code built, before a session runs it.

TensorFlow records every operation, down to the constants that hold a shape. `structure()` keeps
what the lesson is about: the placeholders, the variables (their initialisers and `read` ops
folded into them), the model's and the loss's operations (each one's helper operations folded
into it), and what `minimize()` adds: the gradient computation, collapsed into one box with what
goes in and what comes out, and one update per variable. `plot_graph()` lays it out from top
(inputs) to bottom (training step) with networkx, draws each name scope (`tf.name_scope`) as a
shaded box around its operations, and writes each tensor's shape on its edge. It needs no
system program, so the picture appears wherever matplotlib does.
"""

from __future__ import annotations

import collections
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

from .plotting import new_figure

if TYPE_CHECKING:
    import tensorflow.compat.v1 as tf

#: Name scopes left out of the picture: bookkeeping, not the model.
HIDDEN_SCOPES = ("summaries", "save", "init")
GRADIENTS = "gradients"
COLOURS = {
    "placeholder": "#c7e9c0",
    "variable": "#fdd0a2",
    "op": "#deebf7",
    "gradients": "#d9d9d9",
    "update": "#fcbba1",
    "train": "#fc9272",
}
KIND_NAMES = {
    "placeholder": "placeholder (fed data)",
    "variable": "variable (learned)",
    "op": "operation",
    "gradients": "gradients (collapsed)",
    "update": "variable update",
    "train": "training step",
}

Node = collections.namedtuple("Node", "kind label scope")


def structure(
    graph: tf.Graph, outputs: Iterable[tf.Tensor | tf.Operation] | None = None
) -> tuple[dict[str, Node], dict[tuple[str, str], str]]:
    """The graph as the picture shows it: ({key: Node}, {(from key, to key): edge label}).

    With `outputs` (tensors or operations), only what computing them needs. Edge labels are tensor
    shapes such as "[?, 784]"; edges that only order operations (a training step waiting for its
    updates) have the label "".
    """
    operations = {op.name: op for op in (graph.get_operations() if outputs is None else _needed_by(outputs))}
    variables = {op.name for op in operations.values() if op.type in ("VariableV2", "VarHandleOp")}
    hidden = _initialisers(operations.values(), variables) | {
        name for name, op in operations.items() if op.type == "Const" or name.split("/")[0] in HIDDEN_SCOPES
    }
    keys = {name: _key(name, op, operations, variables) for name, op in operations.items() if name not in hidden}

    nodes = {}
    for name, key in keys.items():
        op = operations[name]
        if key in nodes and name != key:
            continue
        nodes[key] = _node(key, op, variables, graph, composite=key not in operations)
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


def _key(name, op, operations, variables):
    """The node an operation belongs to in the picture."""
    if name == GRADIENTS or name.startswith(GRADIENTS + "/"):
        return GRADIENTS
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


def _node(key, op, variables, graph, composite=False):
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
        return Node("update", f"update\n{variable.rsplit('/', 1)[-1]}", optimizer)
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


def layout(
    nodes: Mapping[str, Node], edges: Iterable[tuple[str, str]], max_columns: int = 4
) -> dict[str, tuple[float, float]]:
    """{key: (x, y)}: rows from top to bottom by data flow; each name scope in columns of its own.

    A scope's operations share a block of at most `max_columns` columns (a wider row wraps onto
    extra lines), so scopes never overlap; within a row, nodes are ordered to keep edges short.
    """
    graph = nx.DiGraph()
    graph.add_nodes_from(nodes)
    graph.add_edges_from(edges)
    layer = {}
    for depth, generation in enumerate(nx.topological_generations(graph)):
        for key in generation:
            layer[key] = depth
    for key in nodes:  # a placeholder or variable sits just above where it is first used
        successors = list(graph.successors(key))
        if graph.in_degree(key) == 0 and successors:
            layer[key] = max(0, min(layer[s] for s in successors) - 1)
    # Each name scope is a group; a node outside any scope is a group of its own.
    group = {key: (node.scope.split("/")[0] if node.scope else key) for key, node in nodes.items()}
    span = {}
    for key, g in group.items():
        low, high = span.get(g, (layer[key], layer[key]))
        span[g] = (min(low, layer[key]), max(high, layer[key]))
    rows = collections.defaultdict(list)
    for key in sorted(nodes):
        rows[group[key], layer[key]].append(key)
    width = {g: min(max_columns, max(len(keys) for (h, _), keys in rows.items() if h == g)) for g in span}
    # Tracks of columns: a group takes the first track whose groups have all ended above it.
    tracks, track_of = [], {}
    for g in sorted(span, key=lambda g: (span[g][0], g)):
        for index, track in enumerate(tracks):  # noqa: B007 (the index found is used after the loop)
            if track["end"] < span[g][0]:
                break
        else:
            index = len(tracks)
            tracks.append({"end": -1, "width": 0})
        tracks[index]["end"] = span[g][1]
        tracks[index]["width"] = max(tracks[index]["width"], width[g])
        track_of[g] = index
    starts = np.cumsum([0] + [track["width"] + 0.6 for track in tracks][:-1])
    left = {g: starts[track_of[g]] + (tracks[track_of[g]]["width"] - width[g]) / 2 for g in span}
    lines = {d: max(-(-len(keys) // width[g]) for (g, e), keys in rows.items() if e == d) for d in set(layer.values())}
    top = dict(zip(sorted(lines), np.cumsum([0] + [lines[d] for d in sorted(lines)][:-1])))

    def place():
        positions = {}
        for (g, d), keys in rows.items():
            for i, key in enumerate(keys):
                line, column = divmod(i, width[g])
                in_line = min(width[g], len(keys) - line * width[g])
                positions[key] = (left[g] + column + (width[g] - in_line) / 2, -(top[d] + line))
        return positions

    positions = place()
    for _ in range(3):  # barycentre ordering: each row by where its neighbours are
        for keys in rows.values():
            keys.sort(key=lambda k: np.mean([positions[n][0] for n in nx.all_neighbors(graph, k)] or [0]))
        positions = place()
    return {key: (x * 2.0, y * 1.2) for key, (x, y) in positions.items()}


def plot_graph(
    outputs: Iterable[tf.Tensor | tf.Operation] | None = None, graph: tf.Graph | None = None, title: str | None = None
) -> Figure:
    """Draw what computing `outputs` needs (default: everything in `graph`, the default graph), as
    `structure()` sees it, and return the figure."""
    if graph is None:
        import tensorflow.compat.v1 as tf

        graph = tf.get_default_graph()
    nodes, edges = structure(graph, outputs)
    positions = layout(nodes, edges)
    xs = [p[0] for p in positions.values()]
    ys = [p[1] for p in positions.values()]
    fig = new_figure(figsize=(max(7.0, (max(xs) - min(xs)) * 0.62 + 4), max(3.0, (max(ys) - min(ys)) * 0.8 + 1.5)))
    ax = fig.subplots()
    ax.set_axis_off()
    _draw_scopes(ax, nodes, positions)
    for (source, target), label in edges.items():
        (x0, y0), (x1, y1) = positions[source], positions[target]
        # What the gradients read, and the variable an update changes (its label names it): faint.
        faint = target == GRADIENTS or (nodes[source].kind, nodes[target].kind) == ("variable", "update")
        ax.annotate(
            "",
            xy=(x1, y1),
            xytext=(x0, y0),
            zorder=1,
            arrowprops=dict(
                arrowstyle="-|>",
                shrinkA=16,
                shrinkB=16,
                mutation_scale=9,
                color="#bbbbbb" if faint else "#444444",
                lw=0.6 if faint else 1.0,
                linestyle="--" if nodes[target].kind == "train" else "-",
            ),
        )
        if label and not faint:
            ax.text(
                x0 + 0.55 * (x1 - x0),
                y0 + 0.55 * (y1 - y0),
                label,
                fontsize=7,
                ha="center",
                va="center",
                zorder=3,
                color="#333333",
                bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.85),
            )
    for key, node in nodes.items():
        ax.text(
            *positions[key],
            node.label,
            ha="center",
            va="center",
            fontsize=8,
            zorder=4,
            bbox=dict(boxstyle="round,pad=0.35", fc=COLOURS[node.kind], ec="#555555", lw=0.8),
        )
    kinds = [kind for kind in COLOURS if any(node.kind == kind for node in nodes.values())]
    handles = [FancyBboxPatch((0, 0), 1, 1, fc=COLOURS[kind], ec="#555555") for kind in kinds]
    ax.legend(
        handles,
        [KIND_NAMES[kind] for kind in kinds],
        loc="upper left",
        bbox_to_anchor=(1.0, 1.0),
        fontsize=8,
        frameon=False,
    )
    ax.set_xlim(min(xs) - 1.3, max(xs) + 1.3)
    ax.set_ylim(min(ys) - 0.7, max(ys) + 0.7)
    if title:
        ax.set_title(title)
    return fig


def _draw_scopes(ax, nodes, positions):
    members = collections.defaultdict(list)
    for key, node in nodes.items():
        if node.scope:
            members[node.scope.split("/")[0]].append(positions[key])
    for scope, points in members.items():
        xs, ys = zip(*points)
        box = FancyBboxPatch(
            (min(xs) - 0.9, min(ys) - 0.42),
            max(xs) - min(xs) + 1.8,
            max(ys) - min(ys) + 0.84,
            boxstyle="round,pad=0.05",
            fc="#f4f4f4",
            ec="#999999",
            lw=0.8,
            zorder=0,
        )
        ax.add_patch(box)
        ax.text(
            min(xs) - 0.85, max(ys) + 0.33, scope, fontsize=8, style="italic", color="#555555", va="bottom", zorder=0.5
        )
