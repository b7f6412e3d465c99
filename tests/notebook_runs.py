"""Helpers for the notebook tests: run a notebook headless with papermill, read what it printed."""

import json
import re
from pathlib import Path

import nbformat
import papermill

from mnist_tutorial import paths

NOTEBOOKS = paths.REPO_ROOT / "notebooks"
FINAL_LINE = re.compile(r"^Final test accuracy: (\d\.\d{4})$", re.M)

#: Parameters that make each notebook quick (a few seconds of training) for the fast tests.
FAST = {
    "01_softmax": dict(training_steps=200, perceptron_steps=200),
    "02_sigmoid_hidden25": dict(training_steps=600),
    "03_five_layers_sigmoid": dict(training_steps=600),
    "04_relu_hidden300": dict(training_steps=200, compare_steps=50, compare_stddevs=[0.03]),
}


def run_notebook(name, output_dir, parameters=None):
    """Execute notebooks/<name>.ipynb into `output_dir`; return the executed notebook."""
    executed = Path(output_dir) / f"{name}.ipynb"
    papermill.execute_notebook(str(NOTEBOOKS / f"{name}.ipynb"), str(executed),
                               parameters=parameters or {}, cwd=str(NOTEBOOKS),
                               kernel_name="python3", progress_bar=False)
    return nbformat.read(executed, as_version=4)


def printed_text(notebook):
    """Everything the code cells printed (stdout streams), in order."""
    return "".join(output.get("text", "") for cell in notebook.cells if cell.cell_type == "code"
                   for output in cell.get("outputs", []) if output.get("output_type") == "stream")


def final_accuracy(notebook):
    """The accuracy of the notebook's `Final test accuracy: 0.xxxx` line, which must be its last."""
    text = printed_text(notebook).rstrip()
    matches = FINAL_LINE.findall(text)
    assert matches, "the notebook printed no 'Final test accuracy: 0.xxxx' line"
    assert text.endswith(f"Final test accuracy: {matches[-1]}"), "the Final line must be printed last"
    return float(matches[-1])


def read_record(output_dir, name):
    return json.loads((Path(output_dir) / "results" / f"{name}.json").read_text())
