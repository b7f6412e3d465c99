"""A picture of a TensorFlow 1.x graph: what the notebook's code built, before a session runs it.

`plot_graph([train_step, cross_entropy, Y])` draws what computing those tensors needs, from top
(inputs) to bottom (training step). Three modules, one job each:

- `structure`: the graph as the picture shows it (`nodes_and_edges`: placeholders, variables, the
  model's operations, the gradients `minimize()` added and one update per variable), grouped by name
  scope if asked (`by_scope`); and the readers of what `minimize()` built (`differentiated`,
  `minimised`), which the exercises' checks use too;
- `layout`: where each box and edge goes (`lay_out`: Sugiyama's layered method, by grandalf);
- `drawing`: the boxes, edges and legend, as a matplotlib figure.
"""

from .drawing import COLOURS, EDGE_STYLES, KIND_NAMES, MAX_HEIGHT, plot_graph
from .layout import EDGE_FONT_SIZE, FONT_SIZE, Layout, lay_out, text_size
from .structure import GRADIENTS, MINIMISED, Node, by_scope, differentiated, minimised, nodes_and_edges

__all__ = [
    "COLOURS",
    "EDGE_FONT_SIZE",
    "EDGE_STYLES",
    "FONT_SIZE",
    "GRADIENTS",
    "KIND_NAMES",
    "MAX_HEIGHT",
    "MINIMISED",
    "Layout",
    "Node",
    "by_scope",
    "differentiated",
    "lay_out",
    "minimised",
    "nodes_and_edges",
    "plot_graph",
    "text_size",
]
