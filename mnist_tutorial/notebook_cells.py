"""Find a notebook's tagged cells and read what its code cells printed: what the scripts and tests
read of an executed notebook. The tags and the final line are defined in `catalog`."""

from __future__ import annotations

import nbformat

from .catalog import FINAL_LINE, PARAMETERS_TAG, TRAINING_TAG


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


def parameters_cell(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The cell tagged `parameters`: the hyperparameters a reader edits, and papermill overrides."""
    return _one_tagged(notebook, PARAMETERS_TAG, "the hyperparameters")


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


def final_test_accuracy(notebook: nbformat.NotebookNode) -> float:
    """The accuracy of the one `Final test accuracy: 0.xxxx` line, which the training cell prints.

    ValueError when the notebook prints no such line, more than one, or prints it from another cell.
    """
    everywhere = FINAL_LINE.findall(printed_text(notebook))
    if len(everywhere) != 1:
        raise ValueError(
            f"a training notebook prints one 'Final test accuracy: 0.xxxx' line; this one printed {len(everywhere)}"
        )
    in_training_cell = FINAL_LINE.findall(printed_text(training_cell(notebook)))
    if not in_training_cell:
        raise ValueError("the 'Final test accuracy' line must come from the cell tagged 'training'")
    return float(in_training_cell[0])
