"""Build a training notebook's graph, for a benchmark, by running the notebook's own cells."""

import contextlib
import io
import re

import nbformat

from mnist_tutorial import notebook_cells

#: Cells a benchmark does not need before the training cell: figures, and side experiments that
#: train networks of their own (notebook 6's variants, notebook 7's run without dropout).
SKIPPED = re.compile(r"plot_|(?<!def )train_variant\(|\.finish\(\)")


def training_cell(notebook, namespace):
    """Run the notebook's cells up to (not including) its training cell, the one tagged `training`,
    in `namespace`; return the training cell's source. What the cells print is swallowed."""
    executed = nbformat.read(notebook, as_version=4)
    training = notebook_cells.training_cell(executed)
    for cell in executed.cells:
        if cell is training:
            return cell.source
        if cell.cell_type == "code" and not SKIPPED.search(cell.source):
            with contextlib.redirect_stdout(io.StringIO()):
                exec(cell.source, namespace)
    raise AssertionError("unreachable: notebook_cells.training_cell found the cell in this notebook")


def build(notebook):
    """The namespace of the notebook's cells, run up to (not including) its training cell."""
    namespace = {}
    training_cell(notebook, namespace)
    return namespace
