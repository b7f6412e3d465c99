"""The training notebooks: they run headless, record their runs, and reach their accuracies."""

import ast
import re

import nbformat
import papermill
import pytest
from nbclient import NotebookClient

from mnist_tutorial import checkpoints, device
from notebook_runs import (FAST, NOTEBOOKS, TRAINING_NOTEBOOKS, TRAINING_RUNS, final_accuracy, printed_text,
                           read_record, run_notebook, training_cell)

#: What each notebook must reach with its committed hyperparameters.
MINIMUM_ACCURACY = {
    "01_softmax": 0.920,
    "02_sigmoid_hidden25": 0.955,
    "03_five_layers_sigmoid": 0.925,
    "04_relu_hidden300": 0.965,
    "07_vanishing_gradients": 0.980,
    "08_dropout": 0.980,
    "09_convolutional": 0.990,
    "10_batch_norm": 0.993,
}
REQUIRED_PARAMETERS = {"learning_rate", "batch_size", "training_steps", "seed"}


def _parameters_cell(name):
    notebook = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    cells = [i for i, c in enumerate(notebook.cells) if "parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1, f"{name} needs exactly one cell tagged 'parameters'"
    return notebook, cells[0]


@pytest.mark.parametrize("name", TRAINING_NOTEBOOKS)
def test_parameters_cell_is_plain_assignments(name):
    notebook, index = _parameters_cell(name)
    tree = ast.parse(notebook.cells[index].source)
    assigned = set()
    for statement in tree.body:
        assert isinstance(statement, ast.Assign) and len(statement.targets) == 1, (
            f"{name}: only plain `name = value` lines belong in the parameters cell")
        assigned.add(statement.targets[0].id)
        ast.literal_eval(statement.value)  # a literal: nothing derived from another value
    assert REQUIRED_PARAMETERS <= assigned, f"{name} lacks {REQUIRED_PARAMETERS - assigned}"


@pytest.mark.parametrize("name", TRAINING_NOTEBOOKS)
def test_fast_run_trains_saves_and_records(name, quick_runs):
    notebooks, outputs = quick_runs
    notebook = notebooks[name]
    accuracy = final_accuracy(notebook)
    assert accuracy > 0.8, f"{name} learned too little even for a short run: {accuracy}"
    record = read_record(outputs, name)
    assert record["test_accuracy"] == pytest.approx(accuracy, abs=5e-5)
    assert record["training_steps"] == FAST[name]["training_steps"]
    cell_text = "".join(o.get("text", "") for o in training_cell(notebook).outputs if o.output_type == "stream")
    printed_seconds = re.search(r" in (\d+\.\d) s of training", cell_text).group(1)
    # The notebook prints the time to 0.1 s, the record keeps it to 0.01 s: both round one reading.
    assert abs(record["train_seconds"] - float(printed_seconds)) <= 0.05 + 0.005 + 1e-9, \
        "the record keeps the time the notebook printed"
    assert record["hyperparameters"]["training_steps"] == FAST[name]["training_steps"]
    found = checkpoints.digest_files(outputs / "checkpoints" / name)
    assert set(found) >= {"model.index", "model.meta"} and found == record["checkpoint"]
    assert device.describe() in printed_text(notebook)


@pytest.mark.parametrize("name, parameters", [
    ("01_softmax", dict(training_steps=50, perceptron_steps=10)),
    ("07_vanishing_gradients", dict(training_steps=50, compare_steps=10)),
    ("08_dropout", dict(training_steps=50, train_sample=100)),
    ("09_convolutional", dict(training_steps=50)),
    ("10_batch_norm", dict(training_steps=50)),
])
def test_diverging_training_stops_with_an_explanation_and_saves_nothing(name, parameters, output_dir, tmp_path):
    """A learning rate that blows the weights up: the monitor stops the run, whether the loss is
    huge or already NaN, and nothing is saved."""
    with pytest.raises(papermill.PapermillExecutionError) as error:
        run_notebook(name, tmp_path, dict(parameters, learning_rate=1e35))
    assert error.value.ename == "TrainingDiverged"
    assert ("the weights have blown up" in error.value.evalue or "NaN or infinite" in error.value.evalue)
    if name == "01_softmax":  # plain gradient descent: caught while the loss is still a (huge) number
        assert "the weights have blown up" in error.value.evalue
    assert "Lower learning_rate" in error.value.evalue
    assert not (output_dir / "results").exists() and not (output_dir / "checkpoints").exists(), (
        "no record or checkpoint of a diverged run")
    assert list((output_dir / "runs" / "tensorboard" / name).iterdir()), "its logs show what happened"


@pytest.mark.parametrize("parameters, expected", [
    (dict(learning_rate="0.5"), "learning_rate must be a number greater than 0, not '0.5' (str)"),
    (dict(evaluation_interval=0), "evaluation_interval must be a whole number of at least 1, not 0 (int)"),
])
def test_a_bad_parameter_is_named_in_one_line(parameters, expected, tmp_path, output_dir):
    with pytest.raises(papermill.PapermillExecutionError) as error:
        run_notebook("01_softmax", tmp_path, parameters)
    assert error.value.ename == "ParameterError"
    assert error.value.evalue.startswith(expected) and "\n" not in error.value.evalue
    assert list(output_dir.iterdir()) == []


#: For each notebook: how many variables its default graph holds (all of them, and the trainable
#: ones: Adam adds two slots per weight and two counters; batch norm, two moving averages per
#: layer), and a knob to change on the third run.
RERUN = {
    "01_softmax": ((2, 2), "learning_rate = 0.1"),
    "02_sigmoid_hidden25": ((4, 4), "hidden_units = 10"),
    "03_five_layers_sigmoid": ((10, 10), "hidden1 = 50"),
    "04_relu_hidden300": ((4, 4), "hidden_units = 50"),
    "07_vanishing_gradients": ((32, 10), "hidden1 = 50"),
    "08_dropout": ((26, 8), "keep_prob = 0.5"),
    "09_convolutional": ((32, 10), "channels1 = 4"),
    "10_batch_norm": ((40, 10), "channels1 = 4"),
}


@pytest.mark.parametrize("name", TRAINING_NOTEBOOKS)
def test_changed_parameters_rerun_cleanly_in_the_same_kernel(name, output_dir):
    """Edit the parameters cell and re-run the cells below it, twice, as a reader would."""
    variables, changed_knob = RERUN[name]
    notebook, index = _parameters_cell(name)
    quick = "\n".join(f"{key} = {value!r}" for key, value in FAST[name].items())
    original = notebook.cells[index].source
    client = NotebookClient(notebook, kernel_name="python3", timeout=600,
                            resources={"metadata": {"path": str(NOTEBOOKS)}})
    notebook.cells.append(nbformat.v4.new_code_cell(
        "print(len(tf.global_variables()), len(tf.trainable_variables()), f'{test_accuracy:.6f}')"))

    def run_from_parameters(source):
        notebook.cells[index].source = source
        for i in range(index, len(notebook.cells)):
            client.execute_cell(notebook.cells[i], i)
        return notebook.cells[-1].outputs[-1]["text"].split()

    with client.setup_kernel():
        for i in range(index):
            client.execute_cell(notebook.cells[i], i)
        first = run_from_parameters(f"{original}\n{quick}")
        again = run_from_parameters(f"{original}\n{quick}")
        changed = run_from_parameters(f"{original}\n{quick}\n{changed_knob}")
    # The graph is rebuilt each time, not added to; each run logs beside the others for TensorBoard.
    assert first[:2] == again[:2] == changed[:2] == [str(count) for count in variables]
    assert len(list((output_dir / "runs" / "tensorboard" / name).iterdir())) == 3 * TRAINING_RUNS.get(name, 1)
    assert first[2] == again[2], "the same parameters and seed must give the same result"
    assert changed[2] != first[2], f"changing {changed_knob} should change the result"


@pytest.mark.slow
@pytest.mark.parametrize("name", TRAINING_NOTEBOOKS)
def test_full_run_reaches_the_reference_accuracy(name, output_dir, tmp_path):
    accuracy = final_accuracy(run_notebook(name, tmp_path))
    assert accuracy >= MINIMUM_ACCURACY[name]
    assert read_record(output_dir, name)["test_accuracy"] == pytest.approx(accuracy, abs=5e-5)


@pytest.mark.parametrize("name", TRAINING_NOTEBOOKS)
def test_committed_notebook_is_executed_and_meets_its_accuracy(name):
    notebook = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    code = [c for c in notebook.cells if c.cell_type == "code" and c.source.strip()]
    counts = [c.execution_count for c in code]
    assert counts == list(range(1, len(code) + 1)), "commit the notebook run top to bottom in a fresh kernel"
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    assert final_accuracy(notebook) >= MINIMUM_ACCURACY[name]
    assert "Final test accuracy" in training_cell(notebook).source
