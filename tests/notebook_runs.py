"""Helpers for the notebook tests: run a notebook headless, read what it printed and recorded."""

import contextlib
import json
import os
from pathlib import Path

import nbformat

from mnist_tutorial import catalog, notebook_runner, paths
from mnist_tutorial.catalog import FINAL_LINE, PARAMETERS_TAG
from mnist_tutorial.notebook_cells import printed_text, tagged_cells, training_cell

NOTEBOOKS = paths.REPO_ROOT / "notebooks"
TRAINING_NOTEBOOKS = [notebook.name for notebook in catalog.training()]
ALL_NOTEBOOKS = [notebook.name for notebook in catalog.by_number()]
#: A quick run's cells are short; a cell still running after this long has hung.
QUICK_CELL_TIMEOUT = 300


def quick(name):
    """The parameters that make notebook `name` quick (a few seconds of training)."""
    return catalog.find(name).quick


@contextlib.contextmanager
def output_dir_set_to(directory):
    """Point results/ and checkpoints/ (in this process and the kernels it starts) at `directory`."""
    saved = os.environ.get(paths.OUTPUT_DIR_VARIABLE)
    os.environ[paths.OUTPUT_DIR_VARIABLE] = str(directory)
    try:
        yield directory
    finally:
        if saved is None:
            del os.environ[paths.OUTPUT_DIR_VARIABLE]
        else:
            os.environ[paths.OUTPUT_DIR_VARIABLE] = saved


def run_notebook(name, executed_dir, parameters=None, timeout=None):
    """Execute notebook `name` into `executed_dir`; return the executed notebook.

    The kernel writes results and checkpoints wherever MNIST_TUTORIAL_OUTPUT_DIR points. Each cell
    may run `timeout` seconds (by default QUICK_CELL_TIMEOUT for a quick run, the project's limit for a
    full one; MNIST_TUTORIAL_CELL_TIMEOUT, when set, decides both).
    """
    notebook = catalog.find(name)
    if not timeout and parameters and not os.environ.get(notebook_runner.CELL_TIMEOUT_VARIABLE):
        timeout = QUICK_CELL_TIMEOUT
    return notebook_runner.execute(notebook.path, Path(executed_dir) / notebook.filename, parameters, timeout=timeout)


def committed(name):
    """The committed notebook `name`, as saved with its outputs."""
    return nbformat.read(catalog.find(name).path, as_version=4)


def read_record(output_dir, name):
    return json.loads((Path(output_dir) / "results" / f"{name}.json").read_text())


def parameters_cell(notebook):
    """The notebook's one cell tagged `parameters`."""
    (cell,) = tagged_cells(notebook, PARAMETERS_TAG)
    return cell


def final_test_accuracy(notebook):
    """The accuracy of the one `Final test accuracy: 0.xxxx` line, which the training cell must print."""
    everywhere = FINAL_LINE.findall(printed_text(notebook))
    assert len(everywhere) == 1, f"a training notebook prints one 'Final test accuracy' line, not {len(everywhere)}"
    in_training_cell = FINAL_LINE.findall(printed_text(training_cell(notebook)))
    assert in_training_cell, "the 'Final test accuracy' line must come from the cell tagged 'training'"
    return float(in_training_cell[0])
