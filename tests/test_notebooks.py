"""The training notebooks: they run headless, record their runs, reach their accuracies, re-run cleanly
after an edit of their parameters, and stop a diverging run without saving it."""

import ast
import functools
import os
import re
import shutil

import nbformat
import pytest
from nbclient import NotebookClient

from mnist_tutorial import catalog, checkpoints, device, notebook_cells, notebook_digest, notebook_runner, paths
from mnist_tutorial.commands.run_notebooks import TRAINING_SECONDS

from notebook_runs import (
    ALL_NOTEBOOKS,
    NOTEBOOKS,
    TRAINING_NOTEBOOKS,
    committed,
    final_test_accuracy,
    parameters_cell,
    printed_text,
    quick,
    read_record,
    run_in_turn,
    training_cell,
)

REQUIRED_PARAMETERS = {"learning_rate", "batch_size", "training_steps", "seed"}
#: The quick runs of part two (Adam, convolutions; 30-45 s each) are made in `make test`; the quick inner
#: loop (`make test-fast`) makes part one's.
PART_ONE_QUICK_RUNS_IN_THE_INNER_LOOP = [
    pytest.param(name, marks=pytest.mark.slow) if catalog.find(name).part != catalog.PART_ONE else name
    for name in TRAINING_NOTEBOOKS
]


@pytest.mark.parametrize("name", ALL_NOTEBOOKS)
def test_parameters_cell_is_plain_assignments(name):
    tree = ast.parse(parameters_cell(committed(name)).source)
    assigned = set()
    for statement in tree.body:
        assert isinstance(statement, ast.Assign) and len(statement.targets) == 1, (
            f"{name}: only plain `name = value` lines belong in the parameters cell"
        )
        assigned.add(statement.targets[0].id)
        ast.literal_eval(statement.value)  # a literal: nothing derived from another value
    if name in TRAINING_NOTEBOOKS:
        assert assigned >= REQUIRED_PARAMETERS, f"{name} lacks {REQUIRED_PARAMETERS - assigned}"
    assert set(quick(name)) <= assigned, f"the catalog's quick parameters of {name} are not all in its cell"


@pytest.mark.parametrize("name", PART_ONE_QUICK_RUNS_IN_THE_INNER_LOOP)
def test_fast_run_trains_saves_and_records(name, quick_runs):
    notebooks, outputs = quick_runs
    notebook = notebooks[name]
    accuracy = final_test_accuracy(notebook)
    assert accuracy > 0.8, f"{name} learned too little even for a short run: {accuracy}"
    record = read_record(outputs, name)
    assert record["test_accuracy"] == pytest.approx(accuracy, abs=5e-5)
    assert record["training_steps"] == quick(name)["training_steps"]
    printed_seconds = re.search(TRAINING_SECONDS, printed_text(training_cell(notebook))).group(1)
    # The notebook prints the time to 0.1 s, the record keeps it to 0.01 s: both round one reading.
    assert abs(record["train_seconds"] - float(printed_seconds)) <= 0.05 + 0.005 + 1e-9, (
        "the record keeps the time the notebook printed"
    )
    assert record["hyperparameters"]["training_steps"] == quick(name)["training_steps"]
    found = checkpoints.digest_files(outputs / "checkpoints" / name)
    assert set(found) >= {"model.index", "model.meta"} and found == record["checkpoint"]
    assert device.describe() in printed_text(notebook)


#: The training notebooks whose diverging run the re-run test also checks (catalog `diverging_quick`).
DIVERGE = {notebook.name: notebook.diverging_quick for notebook in catalog.training() if notebook.diverging_quick}
#: Bad values of a parameter, and the one line that must name the problem (checked in notebook 01).
PLAIN_DESCENT = BAD_PARAMETERS_IN = catalog.find("softmax").name
BAD_PARAMETERS = [
    ("learning_rate = '0.5'", "learning_rate must be a number greater than 0, not '0.5' (str)"),
    ("evaluation_interval = 0", "evaluation_interval must be a whole number of at least 1, not 0 (int)"),
]


class _Kernel:
    """A notebook open in one kernel, as a reader has it: run the cells above the parameters once,
    then edit the parameters cell and run everything below it, as often as needed."""

    def __init__(self, name):
        self.name = name
        self.notebook = committed(name)
        self.index = self.notebook.cells.index(parameters_cell(self.notebook))
        self.training = self.notebook.cells.index(training_cell(self.notebook))
        self.original = self.notebook.cells[self.index].source
        self.notebook.cells.append(
            nbformat.v4.new_code_cell(
                "print(len(tf.global_variables()), len(tf.trainable_variables()), f'{test_accuracy:.6f}')"
            )
        )
        self.client = NotebookClient(
            self.notebook,
            kernel_name="python3",
            timeout=notebook_runner.cell_timeout(),
            extra_arguments=notebook_runner.KERNEL_ARGUMENTS,
            resources={"metadata": {"path": str(NOTEBOOKS)}},
        )

    def run_above(self):
        for i in range(self.index):
            self._execute(i)

    def _execute(self, index):
        """Run cell `index`; a cell past the time limit fails with the notebook and the cell named."""
        from nbclient.exceptions import CellTimeoutError

        try:
            self.client.execute_cell(self.notebook.cells[index], index)
        except CellTimeoutError:
            first_line = (self.notebook.cells[index].source.splitlines() or [""])[0]
            raise notebook_runner.NotebookTimeout(
                f"{self.name}: cell {index} ({first_line!r}) ran longer than {self.client.timeout} s, the limit for "
                f"one cell, in the re-run kernel"
            ) from None

    def run_from_parameters(self, *edits, to_the_end=True):
        """Run from the edited parameters cell to the end (or, not `to_the_end`, to the training cell, which
        computes the test accuracy; the cells after it draw and compare what it trained), then the added
        last cell; return the words that cell printed. The kernel may send one print in several pieces
        (it flushes on a timer), so all are joined."""
        self.notebook.cells[self.index].source = "\n".join([self.original, *edits])
        last = len(self.notebook.cells) - 1
        for i in [*range(self.index, last if to_the_end else self.training + 1), last]:
            self._execute(i)
        return notebook_cells.printed_text(self.notebook.cells[-1]).split()

    def error_from_parameters(self, *edits):
        """Run from the edited parameters cell; return the error (its name and value) that stops it."""
        from nbclient.exceptions import CellExecutionError

        with pytest.raises(CellExecutionError) as error:
            self.run_from_parameters(*edits, to_the_end=False)
        return error.value.ename, error.value.evalue


def _saved(output_dir):
    """Every file under results/ and checkpoints/, with its content."""
    return {
        path: path.read_bytes()
        for folder in ("results", "checkpoints")
        for path in sorted((output_dir / folder).rglob("*"))
        if path.is_file()
    }


#: Part two's re-runs (Adam, convolutions) take 30-40 s each: `make test` runs them, the quick inner
#: loop (`make test-fast`) only part one's.
RERUN_CASES = PART_ONE_QUICK_RUNS_IN_THE_INNER_LOOP


class _Reruns:
    """The re-run of each notebook the session's re-run tests ask for (`_rerun`), made two kernels at a time
    (two cores) the first time one of them is asked for: `reruns(name)` raises what `name`'s re-run raised."""

    TEST = "test_changed_parameters_rerun_cleanly_and_a_diverging_run_saves_nothing"

    def __init__(self, request, trained, folders):
        self.request, self.trained, self.folders, self.done = request, trained, folders, {}

    def __call__(self, name):
        if name not in self.done:
            chosen = [
                item.callspec.params["name"] for item in self.request.session.items if item.originalname == self.TEST
            ]
            jobs = {
                other: ([], functools.partial(self._outcome, other))
                for other in dict.fromkeys([name, *chosen])
                if other not in self.done
            }
            self.done.update(run_in_turn(jobs))
        if self.done[name] is not None:
            raise self.done[name]

    def _outcome(self, name):
        try:
            _rerun(name, self.trained, self.folders.mktemp(f"rerun-{name}"))
        except BaseException as error:  # kept for the test of `name`
            return error
        return None


@pytest.fixture(scope="module")
def reruns(request, quick_runs, tmp_path_factory):
    return _Reruns(request, quick_runs[1], tmp_path_factory)


@pytest.mark.parametrize("name", RERUN_CASES)
def test_changed_parameters_rerun_cleanly_and_a_diverging_run_saves_nothing(name, reruns):
    """Edit the parameters cell and re-run the cells below it, as a reader would: once changed, to the end;
    then back to the values of the quick run, up to the training cell, which must give exactly what that run
    in a fresh kernel gave; then with a learning rate that blows the weights up, which the monitor stops,
    with the reason, saving nothing; then with bad values (`_rerun`)."""
    reruns(name)


def _rerun(name, trained, output_dir):
    """The re-runs of `name` in one kernel whose records and checkpoints go to `output_dir`, given the
    networks it restores from the quick runs' folder `trained`; their checks."""
    entry = catalog.find(name)
    variables = entry.graph_variables
    quick_lines = [f"{key} = {value!r}" for key, value in entry.quick.items()]
    notebook_runner.copy_restored(catalog.find(name), trained, output_dir)
    kernel = _Kernel(name)
    with kernel.client.setup_kernel(env={**os.environ, paths.OUTPUT_DIR_VARIABLE: str(output_dir)}):
        kernel.run_above()
        changed = kernel.run_from_parameters(*quick_lines, entry.rerun_change)
        again = kernel.run_from_parameters(*quick_lines, to_the_end=False)
        saved = _saved(output_dir)
        if name in DIVERGE:
            diverging = [f"{key} = {value!r}" for key, value in {**entry.quick, **DIVERGE[name]}.items()]
            ename, evalue = kernel.error_from_parameters(*diverging, "learning_rate = 1e35")
            assert ename == "TrainingDiverged", evalue
            assert "the weights have blown up" in evalue or "NaN or infinite" in evalue
            if name == PLAIN_DESCENT:  # plain gradient descent: caught while the loss is still a (huge) number
                assert "the weights have blown up" in evalue
            assert "Lower learning_rate" in evalue
            assert _saved(output_dir) == saved, "a diverged run leaves no record or checkpoint"
        if name == BAD_PARAMETERS_IN:
            for edit, expected in BAD_PARAMETERS:
                ename, evalue = kernel.error_from_parameters(*quick_lines, edit)
                assert ename == "ParameterError" and evalue.startswith(expected) and "\n" not in evalue, evalue
            assert _saved(output_dir) == saved
    # The graph is rebuilt each time, not added to; each run logs beside the others for TensorBoard.
    assert again[:2] == changed[:2] == [str(count) for count in variables]
    logs = list((output_dir / "runs" / "tensorboard" / name).iterdir())
    assert len(logs) == 2 * entry.training_runs + (name in DIVERGE), "one log folder per run, the diverged one too"
    fresh = read_record(trained, name)["test_accuracy"]  # rounded to 6 decimals, as printed here
    assert float(again[2]) == pytest.approx(fresh, abs=1e-6), "the same parameters and seed give the same result"
    assert changed[2] != again[2], f"changing {entry.rerun_change} should change the result"


def test_a_notebooks_code_digest_follows_the_code_of_the_notebooks_it_restores(tmp_path, monkeypatch):
    """Editing 09's lesson makes 10 (which restores it) and 13 (which restores 10) stale, and not 08. (An edit
    in 09's exercises stales 09 alone: tests/test_code_digest.py.)"""
    names = ["08_convolutional", "09_batch_norm", "10_reading_handwriting", "13_draw_a_digit"]
    before = {name: notebook_digest.code_digest(name) for name in names}
    shutil.copytree(NOTEBOOKS, tmp_path / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    edited = nbformat.read(tmp_path / "notebooks" / "09_batch_norm.ipynb", as_version=4)
    lesson_end = catalog.exercises_start(edited.cells)
    edited.cells.insert(lesson_end, nbformat.v4.new_code_cell("learning_rate_note = 'edited'"))
    nbformat.write(edited, tmp_path / "notebooks" / "09_batch_norm.ipynb")
    monkeypatch.setattr(paths, "REPO_ROOT", tmp_path)
    after = {name: notebook_digest.code_digest(name) for name in names}
    assert after["08_convolutional"] == before["08_convolutional"]
    assert [name for name in names if after[name] != before[name]] == names[1:]


def test_a_cell_that_hangs_is_stopped_with_the_notebook_and_cell_named(tmp_path):
    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("x = 1"), nbformat.v4.new_code_cell("import time\ntime.sleep(60)")]
    )
    source = tmp_path / "hangs.ipynb"
    nbformat.write(notebook, source)
    with pytest.raises(notebook_runner.NotebookTimeout) as error:
        notebook_runner.execute(source, tmp_path / "out.ipynb", timeout=3)
    assert str(error.value).startswith("hangs.ipynb: cell 1 (import time) ran longer than 3 s")
    assert notebook_runner.CELL_TIMEOUT_VARIABLE in str(error.value)


@pytest.mark.parametrize("name", TRAINING_NOTEBOOKS)
def test_committed_notebook_is_executed_and_meets_its_accuracy(name):
    notebook = committed(name)
    code = [c for c in notebook.cells if c.cell_type == "code" and c.source.strip()]
    counts = [c.execution_count for c in code]
    assert counts == list(range(1, len(code) + 1)), "commit the notebook run top to bottom in a fresh kernel"
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    assert final_test_accuracy(notebook) >= catalog.find(name).minimum_accuracy


@pytest.mark.parametrize("name", ALL_NOTEBOOKS)
def test_committed_outputs_come_from_the_code_as_it_is(name):
    """The committed outputs were made by this notebook's code, the package modules it imports, the
    locked environment and (for 10, 11 and 12) the notebooks they restore, as they are now: so they are
    what a full run would print, and the tests need not repeat the full runs to know it."""
    stored = committed(name).metadata.get("mnist_tutorial", {}).get("code")
    assert stored == notebook_digest.code_digest(name), (
        f"{name}'s outputs were made by other code than today's: re-run it with `make notebooks ARGS={name[:2]}` "
        f"(and the notebooks after it that restore its network)"
    )
