"""Helpers for the notebook tests: run a notebook headless with papermill, read what it printed."""

import contextlib
import json
import os
import re
import sys
from pathlib import Path

import nbformat
import papermill

from mnist_tutorial import paths

sys.path.insert(0, str(paths.REPO_ROOT / "scripts"))
import run_notebooks  # noqa: E402  (the script that executes the notebooks for `make notebooks`)

NOTEBOOKS = paths.REPO_ROOT / "notebooks"
FINAL_LINE = re.compile(r"^Final test accuracy: (\d\.\d{4})$", re.M)
printed_text = run_notebooks.printed_text

#: Parameters that make each notebook quick (a few seconds of training) for the fast tests.
FAST = {
    "01_softmax": dict(training_steps=200, perceptron_steps=200),
    "02_sigmoid_hidden25": dict(training_steps=600),
    "03_five_layers_sigmoid": dict(training_steps=600),
    "04_relu_hidden300": dict(training_steps=200, compare_steps=50, compare_stddevs=[0.03]),
    "07_vanishing_gradients": dict(training_steps=300, compare_steps=100),
    "08_dropout": dict(training_steps=300, evaluation_interval=100, train_sample=1000),
    "09_convolutional": dict(training_steps=150, evaluation_interval=50),
    "10_batch_norm": dict(training_steps=150, evaluation_interval=50),
}
TRAINING_NOTEBOOKS = list(FAST)


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


def run_notebook(name, executed_dir, parameters=None):
    """Execute notebooks/<name>.ipynb into `executed_dir`; return the executed notebook.

    The kernel writes results and checkpoints wherever MNIST_TUTORIAL_OUTPUT_DIR points.
    """
    executed = Path(executed_dir) / f"{name}.ipynb"
    papermill.execute_notebook(str(NOTEBOOKS / f"{name}.ipynb"), str(executed),
                               parameters=parameters or {}, cwd=str(NOTEBOOKS), kernel_name="python3",
                               progress_bar=False, extra_arguments=run_notebooks.KERNEL_ARGUMENTS)
    return nbformat.read(executed, as_version=4)


#: How many training runs (each with its own TensorBoard folder) one execution of a notebook makes.
TRAINING_RUNS = {"08_dropout": 2}


def training_cell(notebook):
    """The code cell that trains the notebook's network and prints its `Final test accuracy`."""
    cells = [c for c in notebook.cells if c.cell_type == "code" and 'print(f"Final test accuracy' in c.source]
    assert len(cells) == 1, "a training notebook prints its final test accuracy in one cell, the one that trains"
    return cells[0]


def final_accuracy(notebook):
    """The accuracy of the notebook's one `Final test accuracy: 0.xxxx` line, printed by its training cell."""
    assert len(FINAL_LINE.findall(printed_text(notebook))) == 1, "one 'Final test accuracy' line per notebook"
    text = "".join(o.get("text", "") for o in training_cell(notebook).outputs if o.output_type == "stream")
    matches = FINAL_LINE.findall(text)
    assert matches, "the training cell must print 'Final test accuracy: 0.xxxx' right after training"
    return float(matches[0])


def read_record(output_dir, name):
    return json.loads((Path(output_dir) / "results" / f"{name}.json").read_text())
