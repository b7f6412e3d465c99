"""What a TensorFlow 1.x graph holds, as its picture shows it, and what `minimize()` built in it.

TensorFlow records every operation, down to the constants that hold a shape. `nodes_and_edges()` keeps
what the lesson is about: the placeholders, the variables (their initialisers and `read` ops
folded into them), the model's and the loss's operations (each one's helper operations folded
into it), the loss that `minimize()` minimises, and what `minimize()` adds: the gradient
computation, collapsed into one box with what goes in and what comes out, and one update per
variable (with the slots an optimizer such as Adam keeps for it). `by_scope()` groups the same
graph one box per name scope.

`minimize()` puts its gradients in a name scope `gradients` (`gradients_1`, ... for a second
call), inside whatever name scope it was called in (`train/gradients`). `gradient_scope`,
`differentiated` and `minimised` read that, for the picture and for the exercises' checks alike.
This module imports neither TensorFlow nor matplotlib: it reads the graph it is given.
"""

from __future__ import annotations

import collections
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import tensorflow.compat.v1 as tf

#: Name scopes left out of the picture: bookkeeping, not the model.
HIDDEN_SCOPES = ("summaries", "save", "init")
#: Adam's two step counters (powers of its decay rates): bookkeeping too, in whatever scope minimize() ran.
ADAM_COUNTERS = ("beta1_power", "beta2_power")
#: The key of the gradients' box when minimize() ran outside any name scope; inside one it is
#: "<scope>/gradients".
GRADIENTS = "gradients"
#: The label of the edge from the loss that `minimize()` minimises to the gradients.
MINIMISED = "minimised"
#: The names an optimizer gives the slots it keeps per variable, as the picture calls them.
SLOT_NAMES = {"Adam": "m", "Adam_1": "v", "Momentum": "velocity", "RMSProp": "ms", "RMSProp_1": "mom"}

#: A box of the picture: its kind (a key of `drawing.COLOURS`), its text, its name scope (or None) and, for
#: an operation, the shape of the tensor it puts out (or None).
Node = collections.namedtuple("Node", "kind label scope shape", defaults=(None,))

#: An operation of the gradients: "train/gradients/loss/Mean_grad/Shape" lies in the scope "train/gradients".
_GRADIENT_SCOPE = re.compile(r"^((?:.*?/)?gradients(?:_\d+)?)/")
#: A gradient operation's name: ".../gradients/loss/Mean_grad/..." differentiates the operation "loss/Mean".
_GRADIENT_OF = re.compile(r"(?:^|/)gradients(?:_\d+)?/(.+?)_grad/")
#: The seed of the gradients, a tensor of ones shaped like the loss: ".../gradients/grad_ys_0".
_GRADIENT_SEED = re.compile(r"(?:^|/)gradients(?:_\d+)?/grad_ys_\d+$")


def gradient_scope(name: str) -> str | None:
    """The name scope of the gradients that the operation `name` belongs to ("train/gradients"), or None
    for an operation outside every gradient computation."""
    match = _GRADIENT_SCOPE.match(name)
    return match.group(1) if match else None


def ancestors(outputs: Iterable[tf.Tensor | tf.Operation]) -> list[tf.Operation]:
    """The operations that computing `outputs` (tensors or operations) runs, through data and control
    dependencies, each once."""
    pending = [getattr(item, "op", item) for item in outputs]
    found = {}
    while pending:
        op = pending.pop()
        if op.name not in found:
            found[op.name] = op
            pending.extend(tensor.op for tensor in op.inputs)
            pending.extend(op.control_inputs)
    return list(found.values())


def differentiated(train_step: tf.Operation | Sequence[tf.Operation]) -> set[str]:
    """The names of the operations whose gradients `train_step` (or a list of operations) computes: the loss
    it minimises and every operation between the loss and the variables. (The loss's value is not needed to
    compute its gradients, so the loss is not among what `train_step` runs.)"""
    operations = ancestors(train_step if isinstance(train_step, list | tuple) else [train_step])
    return {match.group(1) for op in operations if (match := _GRADIENT_OF.search(op.name))}


def _losses(operations):
    """{gradient scope: the names of the losses its gradients start from}: for each gradient computation among
    `operations`, the operations that take its seed of ones (`grad_ys`) differentiate its loss."""
    seeds = {op.outputs[0].name for op in operations if _GRADIENT_SEED.search(op.name)}
    found = {}
    for op in operations:
        if any(tensor.name in seeds for tensor in op.inputs) and (match := _GRADIENT_OF.search(op.name)):
            found.setdefault(gradient_scope(op.name), set()).add(match.group(1))
    return found


def minimised_operations(operations: Iterable[tf.Operation]) -> list[tf.Operation]:
    """The losses that the gradients among `operations` start from, one per gradient computation (in the
    order of their scopes' names): the operations `minimize()` differentiates."""
    operations = list(operations)
    found = _losses(operations)
    names = dict.fromkeys(name for scope in sorted(found) for name in sorted(found[scope]))
    return [operations[0].graph.get_operation_by_name(name) for name in names]


def minimised(train_step: tf.Operation) -> tf.Tensor | None:
    """The tensor `train_step` minimises (its loss), found where the gradients start: at the operation that
    takes the gradients' seed of ones (`grad_ys`). None if there is not exactly one."""
    losses = minimised_operations(ancestors([train_step]))
    return losses[0].outputs[0] if len(losses) == 1 else None


def nodes_and_edges(
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
        needed = ancestors(outputs)
        named = {op.name for op in needed}
        needed += [op for op in ancestors(minimised_operations(needed)) if op.name not in named]
    operations = {op.name: op for op in needed}
    variables = {op.name for op in operations.values() if op.type in ("VariableV2", "VarHandleOp")}
    slots = _slots(variables)
    trainable = {variable.op.name for variable in graph.get_collection("trainable_variables")} or variables
    steps = _training_steps(operations.values())
    hidden = _initialisers(operations.values(), variables) | {
        name
        for name, op in operations.items()
        if op.type == "Const"
        or name.split("/")[0] in HIDDEN_SCOPES
        or any(part in ADAM_COUNTERS for part in name.split("/"))
    }
    hidden |= {  # reads of a hidden variable (a resource variable's ReadVariableOp, where the optimizer reads it)
        name for name, op in operations.items() if op.type == "ReadVariableOp" and op.inputs[0].op.name in hidden
    }
    keys = {name: _key(name, op, operations, slots) for name, op in operations.items() if name not in hidden}

    nodes = {}
    for name, key in keys.items():
        if key not in nodes:  # drawn as the operation named `key`, where there is one
            op = operations.get(key, operations[name])
            nodes[key] = _node(key, op, variables - trainable, slots, steps, graph, composite=key not in operations)
    edges = {}
    for name, key in keys.items():
        op = operations[name]
        for tensor in op.inputs:
            source = keys.get(tensor.op.name)
            if source is not None and source != key:
                label = "" if nodes[key].kind == "gradients" else _shape(tensor)
                edges.setdefault((source, key), set()).add(label)
        if op.type == "NoOp":  # the training step, or a tf.group: it waits for its control inputs
            for control in op.control_inputs:
                if keys.get(control.name) not in (None, key):
                    edges.setdefault((keys[control.name], key), set()).add("")
    for scope, names in _losses(list(operations.values())).items():
        for name in names:
            if keys.get(name) is not None and scope in nodes:
                edges[keys[name], scope] = {MINIMISED}
    return nodes, {pair: ", ".join(sorted(labels))[:24] for pair, labels in edges.items()}


def _slots(variables):
    """{slot variable: (its variable, its slot name)}: what an optimizer keeps per variable (Adam's m and v)."""
    found = {}
    for name in variables:
        base, _, slot = name.rpartition("/")
        if base in variables and slot in SLOT_NAMES:
            found[name] = (base, SLOT_NAMES[slot])
    return found


def _is_update(op):
    return op.type.startswith(("Apply", "ResourceApply"))


def _training_steps(operations):
    """The names of the optimizers' steps: the operations (a `tf.group`'s NoOp) that wait for variable updates."""
    return {op.name for op in operations if op.type == "NoOp" and any(_is_update(c) for c in op.control_inputs)}


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


def _key(name, op, operations, slots):
    """The node an operation belongs to in the picture."""
    scope = gradient_scope(name)
    if scope is not None:
        return scope
    if name in slots:
        return _optimizer_of(name, operations)
    if _is_update(op):
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
        if _is_update(other) and any(t.op.name == slot for t in other.inputs):
            return other.name.rsplit("/", 1)[0]
    return slot


def _node(key, op, untrained, slots, steps, graph, composite=False):
    scope, _, last = key.rpartition("/")
    if gradient_scope(key + "/") == key:
        count = sum(1 for other in graph.get_operations() if other.name.startswith(key + "/"))
        return Node("gradients", f"{last}\n({count} operations)", None)
    if op.type in ("VariableV2", "VarHandleOp") and op.name == key:
        kind = "untrained" if key in untrained else "variable"
        return Node(kind, f"{last}\n{_shape(op.outputs[0])}", scope or None)
    if op.type in ("Placeholder", "PlaceholderWithDefault"):
        return Node("placeholder", f"{last}\n{_shape(op.outputs[0])}", scope or None)
    if "/update_" in key:
        optimizer, _, variable = key.partition("/update_")
        kept = sorted(slot for base, slot in slots.values() if base == variable)
        return Node(
            "update", f"update\n{variable.rsplit('/', 1)[-1]}" + (f"\n+ {', '.join(kept)}" if kept else ""), optimizer
        )
    if key in steps or (op.type == "NoOp" and not scope and not composite):
        return Node("train", f"{last}\n(train_step)", None)
    label = _wrap(last)
    if not composite and len(op.type) <= 14 and op.type.lower() not in last.lower():
        label += f"\n{op.type}"
    shape = _shape(op.outputs[0]) if not composite and op.outputs else None
    return Node("op", label, scope or None, shape)


def _wrap(name, width=14):
    """A long_operation_name over several lines, broken after underscores."""
    lines = [""]
    for piece in name.replace("_", "_ ").split(" "):
        if lines[-1] and len(lines[-1]) + len(piece) > width:
            lines.append("")
        lines[-1] += piece
    return "\n".join(lines)


def _shape(tensor):
    if tensor.dtype.name == "resource" and tensor.op.type == "VarHandleOp":  # a resource variable: its value's shape
        proto = tensor.op.get_attr("shape")
        dims = None if proto.unknown_rank else [None if d.size < 0 else d.size for d in proto.dim]
    else:
        try:
            dims = tensor.shape.as_list()
        except ValueError:  # unknown rank
            dims = None
    if dims is None:
        return "?"
    return "[" + ", ".join("?" if d is None else str(d) for d in dims) + "]"


def drawn_label(node: Node) -> str:
    """A box's text: an operation or variable in a name scope names the scope on its first line."""
    if node.kind in ("op", "variable", "untrained") and node.scope:
        return f"{node.scope}/\n{node.label}"
    return node.label


def by_scope(
    nodes: Mapping[str, Node], edges: Mapping[tuple[str, str], str], expand: Iterable[str] = ()
) -> tuple[dict[str, Node], dict[tuple[str, str], str]]:
    """The same graph one box per name scope: each box lists the scope's variables with their shapes and
    its operations in order; the scopes in `expand` keep their operations; an optimizer's updates become
    one box, which says which slots it keeps for each variable."""
    expand = set(expand)
    members = collections.defaultdict(list)
    for key, node in nodes.items():
        if node.scope and node.kind not in ("update", "train", "gradients") and node.scope.split("/")[0] not in expand:
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
    """A name scope's box: its name, its variables with their shapes (those of one shape together: "b1, offset
    [24]"; those not trained after "not trained:"), and its operations in order, each once, on as few lines
    as a box about 30 characters wide takes."""
    by_shape = {"variable": collections.defaultdict(list), "untrained": collections.defaultdict(list)}
    for key in keys:
        if nodes[key].kind in by_shape:
            name, shape = nodes[key].label.split("\n")
            by_shape[nodes[key].kind][shape].append(name)
    trained, untrained = (
        [item for shape, names in by_shape[kind].items() for item in [*names[:-1], f"{names[-1]} {shape}"]]
        for kind in ("variable", "untrained")
    )
    if untrained:
        untrained[0] = f"not trained: {untrained[0]}"
    operations = [k.rsplit("/", 1)[-1] for k in keys if nodes[k].kind == "op"]
    return "\n".join([scope, *_listed(trained), *_listed(untrained), *_listed(list(dict.fromkeys(operations)))])


def _listed(items, width=30):
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
