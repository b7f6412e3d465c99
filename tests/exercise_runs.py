"""Helpers for the exercise tests: plan the runs that try every solution and typical wrong answer,
write each run's copy of the notebook, and read the verdicts its check cells printed."""

import importlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from mnist_tutorial import catalog, notebook_runner, paths
from mnist_tutorial.exercises import ANSWER_TAG, Exercise
from mnist_tutorial.notebook_cells import printed_text

from notebook_runs import QUICK_CELL_TIMEOUT, quick

#: What a check prints first: "Exercise 3, not yet: ...".
VERDICT = re.compile(r"^Exercise (\d+), (correct|not yet|not attempted): (.*)$", re.M)


def exercises_of(name):
    """The exercises of notebook `name` (its module `mnist_tutorial.exercises.<slug>`), or () if it has none."""
    try:
        module = importlib.import_module(f"mnist_tutorial.exercises.{catalog.find(name).slug}")
    except ModuleNotFoundError:
        return ()
    return module.EXERCISES


NOTEBOOKS_WITH_EXERCISES = [notebook.name for notebook in catalog.by_number() if exercises_of(notebook.name)]


def check_cell_source(number):
    return f"exercise_{number}.check()"


def check_cells(notebook, number):
    """The cells that check exercise `number`, in order."""
    return [
        cell
        for cell in notebook.cells
        if cell.cell_type == "code" and cell.source.splitlines()[:1] == [check_cell_source(number)]
    ]


def verdicts(notebook):
    """{exercise number: [(verdict, message), ...]} in the order the check cells printed them."""
    found = {}
    for cell in notebook.cells:
        if cell.cell_type == "code" and cell.source.startswith("exercise_"):
            for number, verdict, message in VERDICT.findall(printed_text(cell)):
                found.setdefault(int(number), []).append((verdict, message))
    return found


@dataclass
class Run:
    """One execution of a copy of a notebook: its settings, the answers it puts in the answer cells,
    further answers checked after them, and the verdict expected of each check, in order."""

    parameters: dict
    edits: tuple
    answers: dict = field(default_factory=dict)  # {number: code for the answer cell}
    extra: list = field(default_factory=list)  # [(number, code)] checked again after the answer cell's check
    expected: dict = field(default_factory=dict)  # {number: [(verdict, phrase), ...]}

    @property
    def label(self):
        changes = [f"{key}={value}" for key, value in self.parameters.items()] + [
            f"edit {new.strip()[:40]}" for _, new in self.edits
        ]
        return ", ".join(changes) or "answers only"


def planned_runs(name):
    """The runs that try every solution and wrong answer of notebook `name`: one per distinct setting
    (hyperparameters and code changes), the answers that need none in one run of the quick settings."""
    runs = {}

    def add(exercise: Exercise, code, parameters, edits, verdict, phrase):
        key = (tuple(sorted(parameters.items())), tuple(edits))
        run = runs.setdefault(key, Run(dict(parameters), tuple(edits)))
        if exercise.number in run.answers:
            run.extra.append((exercise.number, code))
        else:
            run.answers[exercise.number] = code
        run.expected.setdefault(exercise.number, []).append((verdict, phrase))

    for exercise in exercises_of(name):
        if not exercise.checkable:
            continue
        add(exercise, exercise.solution, exercise.parameters, exercise.edits, "correct", "")
        for wrong in exercise.wrong_answers:
            add(exercise, wrong.answer, wrong.parameters, wrong.edits, "not yet", wrong.says)
    return list(runs.values())


def write_run_notebook(name, run, path):
    """The copy of notebook `name` that `run` executes: its code changed, its answers in place."""
    notebook = nbformat.read(catalog.find(name).path, as_version=4)
    for old, new in run.edits:
        holders = [cell for cell in notebook.cells if cell.cell_type == "code" and old in cell.source]
        assert len(holders) == 1 and holders[0].source.count(old) == 1, (
            f"{name}: the edit's line {old!r} is not in one place"
        )
        holders[0].source = holders[0].source.replace(old, new)
    for number, code in run.answers.items():
        tagged = [cell for cell in notebook.cells if ANSWER_TAG.format(number) in cell.metadata.get("tags", [])]
        assert len(tagged) <= 1, f"{name}: more than one cell tagged {ANSWER_TAG.format(number)}"
        if tagged:
            tagged[0].source = code
        else:
            assert not code.strip(), f"{name}: exercise {number} has an answer but no cell tagged for it"
    for number, code in run.extra:
        at = notebook.cells.index(check_cells(notebook, number)[-1]) + 1  # after the last check of it so far
        notebook.cells[at:at] = [nbformat.v4.new_code_cell(code), nbformat.v4.new_code_cell(check_cell_source(number))]
    nbformat.write(notebook, path)
    return path


def execute_run(name, run, folder, outputs):
    """Execute `run` of notebook `name` in `folder` with the notebook's quick parameters under the
    run's own, its results/ and checkpoints/ in `outputs` (a folder of its own: runs made at the same
    time must not read each other's records); return the executed notebook."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    source = write_run_notebook(name, run, folder / f"{name}.ipynb")
    parameters = {**quick(name), **run.parameters}
    return notebook_runner.execute(
        source,
        folder / f"{name}.executed.ipynb",
        parameters,
        timeout=QUICK_CELL_TIMEOUT,
        environment={paths.OUTPUT_DIR_VARIABLE: str(outputs)},
    )
