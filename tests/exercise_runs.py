"""Helpers for the exercise tests: the notebooks with exercises, their check cells, and a run of a notebook
with the exercises' answer-only trials added after their checks (what the session's quick runs execute)."""

import os
from pathlib import Path

import nbformat

from mnist_tutorial import catalog, exercise_trials, notebook_runner, paths

from notebook_runs import QUICK_CELL_TIMEOUT

exercises_of = exercise_trials.exercises_of
verdicts = exercise_trials.verdicts
NOTEBOOKS_WITH_EXERCISES = [notebook.name for notebook in catalog.by_number() if exercises_of(notebook.name)]


def check_cells(notebook, number):
    """The cells that check exercise `number`, in order."""
    source = exercise_trials.check_cell_source(number)
    return [cell for cell in notebook.cells if cell.cell_type == "code" and cell.source.splitlines()[:1] == [source]]


def run_notebook_with_trials(name, executed_dir, parameters, outputs=None):
    """Execute notebook `name` with `parameters`, the notebook route's trials added after each exercise's own
    check (`exercise_trials.with_trials`), into `executed_dir`; return the executed notebook. Its results and
    checkpoints go to `outputs` (default: wherever MNIST_TUTORIAL_OUTPUT_DIR points)."""
    notebook = catalog.find(name)
    executed_dir = Path(executed_dir)
    source = executed_dir / "with-trials" / notebook.filename
    source.parent.mkdir(parents=True, exist_ok=True)
    node = nbformat.read(notebook.path, as_version=4)
    if exercises_of(notebook.name):
        node = exercise_trials.with_trials(node, notebook.name)
    nbformat.write(node, source)
    environment = {paths.OUTPUT_DIR_VARIABLE: str(outputs)} if outputs else None
    timeout = None if os.environ.get(notebook_runner.CELL_TIMEOUT_VARIABLE) else QUICK_CELL_TIMEOUT
    return notebook_runner.execute(
        source, executed_dir / notebook.filename, parameters, timeout=timeout, environment=environment
    )
