"""Find a notebook's tagged cells and read what its code cells printed: what the commands and the
benchmarks read of an executed notebook. The tags are defined in `catalog`."""

from __future__ import annotations

import nbformat

from .catalog import TRAINING_TAG


def tagged_cells(notebook: nbformat.NotebookNode, tag: str) -> list[nbformat.NotebookNode]:
    """The cells of `notebook` that carry `tag` in their metadata."""
    return [cell for cell in notebook.cells if tag in cell.metadata.get("tags", [])]


def _one_tagged(notebook: nbformat.NotebookNode, tag: str, what: str) -> nbformat.NotebookNode:
    cells = tagged_cells(notebook, tag)
    if len(cells) != 1:
        raise ValueError(
            f"a notebook has exactly one cell tagged {tag!r} ({what}); this one has {len(cells)}: "
            f"tag the cell in JupyterLab (View > Cell Toolbar > Tags, or the property inspector)."
        )
    return cells[0]


def training_cell(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The cell tagged `training`: it trains the notebook's network and prints its final test accuracy."""
    return _one_tagged(notebook, TRAINING_TAG, "the one that trains and prints the final test accuracy")


def printed_text(notebook_or_cell: nbformat.NotebookNode) -> str:
    """Everything the code cells of a notebook (or one cell) printed to stdout, in order."""
    cells = notebook_or_cell.cells if "cells" in notebook_or_cell else [notebook_or_cell]
    return "".join(
        output.get("text", "")
        for cell in cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if output.get("output_type") == "stream" and output.get("name", "stdout") == "stdout"
    )
