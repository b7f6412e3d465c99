"""Helpers for the notebook tests: run a notebook headless, read what it printed and recorded."""

import json
import os
import threading
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


def run_notebook(name, executed_dir, parameters=None, timeout=None, output_dir=None):
    """Execute notebook `name` into `executed_dir`; return the executed notebook.

    The kernel writes results and checkpoints into `output_dir`, or wherever MNIST_TUTORIAL_OUTPUT_DIR
    points. Each cell may run `timeout` seconds (by default QUICK_CELL_TIMEOUT for a quick run, the
    project's limit for a full one; MNIST_TUTORIAL_CELL_TIMEOUT, when set, decides both).
    """
    notebook = catalog.find(name)
    if not timeout and parameters and not os.environ.get(notebook_runner.CELL_TIMEOUT_VARIABLE):
        timeout = QUICK_CELL_TIMEOUT
    environment = {paths.OUTPUT_DIR_VARIABLE: str(output_dir)} if output_dir else None
    return notebook_runner.execute(
        notebook.path, Path(executed_dir) / notebook.filename, parameters, timeout=timeout, environment=environment
    )


def run_in_turn(jobs, workers=2):
    """Run `jobs`, {key: (keys of the jobs it must follow, function)}, on `workers` threads (two kernels at
    a time: the machine's two cores), each as soon as the jobs it follows have finished, the first ready
    in the order given; return {key: what its function returned}. The first error stops the jobs not yet
    started and is raised once the running ones have ended."""
    unknown = {after for follows, _ in jobs.values() for after in follows} - set(jobs)
    assert not unknown, f"jobs follow jobs that are not there: {unknown}"
    waiting, results, errors = dict(jobs), {}, []
    turn = threading.Condition()

    def work():
        while True:
            with turn:
                ready = None
                while ready is None:
                    if errors or not waiting:
                        return
                    ready = next((key for key, (follows, _) in waiting.items() if set(follows) <= results.keys()), None)
                    if ready is None:
                        turn.wait()
                _, function = waiting.pop(ready)
            try:
                result = function()
            except BaseException as error:  # handed to the caller, in its own thread
                with turn:
                    errors.append(error)
                    turn.notify_all()
                return
            with turn:
                results[ready] = result
                turn.notify_all()

    threads = [threading.Thread(target=work, daemon=True) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return {key: results[key] for key in jobs}


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
