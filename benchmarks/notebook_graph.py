"""Build a training notebook's graph, for a benchmark, by running the notebook's own cells."""

import contextlib
import io
import re

import nbformat


def training_cell(notebook, namespace):
    """Run the notebook's cells up to (not including) its training cell in `namespace`; return
    the training cell's source.

    Cells that draw figures or run the notebook's side experiments (notebook 5 trains variants of
    its network before its own) are skipped; what the cells print is swallowed.
    """
    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type != "code" or "plot_" in cell.source or re.search(r"(?<!def )train_variant\(", cell.source):
            continue
        if "monitor.finish()" in cell.source:
            return cell.source
        with contextlib.redirect_stdout(io.StringIO()):
            exec(cell.source, namespace)
    raise ValueError(f"{notebook} has no training cell")


def build(notebook):
    """The namespace of the notebook's cells, run up to (not including) its training cell."""
    namespace = {}
    training_cell(notebook, namespace)
    return namespace
