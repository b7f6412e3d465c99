"""Train a notebook's own network with other settings, on the side, and keep yours as it is.

An exercise that asks "what if the learning rate were 0.005?" used to mean: change the hyperparameter
cell, run every cell again, read a test score that should not guide the answer, and find this notebook's
network, record and checkpoint replaced by the experiment's. `train` runs the experiment instead::

    from mnist_tutorial import side_runs
    slow = side_runs.train(NOTEBOOK, learning_rate=0.005)        # one run, the notebook's seed
    slow.validation_accuracy                                     # measured on the 5,000 validation images
    several = side_runs.train(NOTEBOOK, learning_rate=0.005, seeds=[1, 2, 3])
    several.validation_accuracy                                  # {1: ..., 2: ..., 3: ...}

It runs the notebook's own code, as its file holds it, in a Python process of its own (a Jupyter
kernel), with the parameters cell changed as asked: the same network, trained the way Run All would
train it. Only the cells the result needs are run (those the training cell, or the names asked for with
`keep`, depend on); figures are not drawn. Everything the run writes (records, checkpoints,
TensorBoard logs) goes to a temporary folder, deleted afterwards, and what it prints is not shown: the
test score its training cell computes is thrown away with the rest. What comes back is measured on the
validation set: each training monitor's curves, the trained weights of the run's session, and the
values of the names in `keep`.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import math
import os
import pickle
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import catalog, paths

#: The tag of the cell that trains a notebook's network.
TRAINING_TAG = catalog.TRAINING_TAG
#: Calls whose cells only draw or print: a side run skips a cell made of nothing else.
SHOWING = frozenset({"plotting", "graph_picture", "print", "display", "plt"})
#: Python's own names, which no cell needs to define.
BUILTINS = frozenset(dir(builtins))


class SideRunError(RuntimeError):
    """A side run could not be made, or its notebook failed: one line says what, and how to fix it."""


@dataclass(frozen=True)
class MonitorSummary:
    """What a training monitor of a side run measured: its curves on the validation set and the
    training batches, how the run ended and how long it trained. (No test figure.)"""

    outcome: str
    steps: int
    validation_steps: np.ndarray
    validation_accuracy: np.ndarray
    validation_cross_entropy: np.ndarray
    train_cross_entropy: np.ndarray
    train_seconds: float

    @property
    def final_validation_accuracy(self) -> float:
        """The validation accuracy at the end of training (NaN if the run never reached an evaluation)."""
        return float(self.validation_accuracy[-1]) if len(self.validation_accuracy) else math.nan


@dataclass(frozen=True)
class SideRun:
    """One side run: the settings it ran with, what its monitors measured, its trained weights, and the
    values it was asked to keep."""

    notebook: str
    settings: dict[str, Any]
    seed: int
    edits: tuple[tuple[str, str], ...]
    monitors: dict[str, MonitorSummary]
    variables: dict[str, np.ndarray]
    values: dict[str, Any]
    seconds: float

    @property
    def monitor(self) -> MonitorSummary:
        """The notebook's main training monitor (the variable `monitor`)."""
        if "monitor" not in self.monitors:
            raise SideRunError(f"the side run of {self.notebook} trained no network with a `monitor`.")
        return self.monitors["monitor"]

    @property
    def validation_accuracy(self) -> float:
        """The final validation accuracy of the notebook's main network."""
        return self.monitor.final_validation_accuracy

    @property
    def outcome(self) -> str:
        """How the main network's training ended: "finished", "diverged" or "failed"."""
        return self.monitor.outcome

    def changes(self, defaults: Mapping[str, Any]) -> dict[str, Any]:
        """The settings of this run that differ from `defaults` (the seed left out)."""
        return {k: v for k, v in self.settings.items() if k != "seed" and defaults.get(k, object()) != v}

    def __repr__(self) -> str:
        shown = f"validation accuracy {self.validation_accuracy:.4f}" if "monitor" in self.monitors else "done"
        return f"<side run of {self.notebook}, seed {self.seed}: {shown}>"


@dataclass(frozen=True)
class SideRuns:
    """The side runs of one set of settings over several seeds, by seed."""

    notebook: str
    runs: dict[int, SideRun] = field(default_factory=dict)

    @property
    def seeds(self) -> list[int]:
        return sorted(self.runs)

    @property
    def settings(self) -> dict[str, Any]:
        """The settings every run shares (each run's own seed left out)."""
        first = next(iter(self.runs.values()))
        return {k: v for k, v in first.settings.items() if k != "seed"}

    @property
    def edits(self) -> tuple[tuple[str, str], ...]:
        return next(iter(self.runs.values())).edits

    @property
    def validation_accuracy(self) -> dict[int, float]:
        """{seed: final validation accuracy} of the main network."""
        return {seed: run.validation_accuracy for seed, run in sorted(self.runs.items())}

    def __repr__(self) -> str:
        listing = ", ".join(f"{seed}: {accuracy:.4f}" for seed, accuracy in self.validation_accuracy.items())
        return f"<side runs of {self.notebook}, validation accuracy by seed {{{listing}}}>"


def train(
    notebook: str,
    *,
    seeds: Iterable[int] | None = None,
    keep: Sequence[str] = (),
    edits: Sequence[tuple[str, str]] = (),
    then: str = "",
    needs: Sequence[str] = (),
    quiet: bool = False,
    **changes: Any,
) -> SideRun | SideRuns:
    """Train notebook `notebook`'s network with `changes` to its parameters cell, on the side.

    `seeds` runs it once per seed (one after the other, in one process) and returns SideRuns; without it,
    one run with the seed of `changes` or of the parameters cell, returned as a SideRun. `keep` names
    variables of the notebook to bring back (a notebook without a training cell needs it). `edits` are
    changes to its code, each (a line as it is, the line as it becomes), `then` code to run after the cells
    the run needs (the names it uses are computed first), and `needs` names whose cells must run too: for
    the exercises' measurements and tests. Prints one line per run unless `quiet`.
    """
    found = _notebook(notebook)
    seeds = None if seeds is None else [int(seed) for seed in seeds]
    if seeds is not None and not seeds:
        raise SideRunError("seeds is empty: give one or more seeds, such as seeds=[1, 2, 3].")
    plan = Plan.of(found, changes, tuple(tuple(edit) for edit in edits), tuple(keep), then, tuple(needs))
    settings = [{**changes, "seed": seed} for seed in seeds] if seeds is not None else [dict(changes)]
    runs = plan.execute(settings, quiet=quiet)
    if seeds is None:
        return runs[0]
    return SideRuns(found.name, {run.seed: run for run in runs})


def _notebook(notebook: str) -> catalog.Notebook:
    try:
        return catalog.find(notebook)
    except catalog.NotebookNotFound as error:
        raise SideRunError(str(error)) from None


def parameters_cell(source: str) -> dict[str, Any]:
    """{name: value} of a parameters cell's plain `name = value` lines."""
    values = {}
    for statement in ast.parse(source).body:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target = statement.targets[0]
            if isinstance(target, ast.Name):
                values[target.id] = ast.literal_eval(statement.value)
    return values


def defined_names(source: str) -> set[str]:
    """The names a cell binds at the notebook's top level (assignments, imports, functions, loops, with)."""
    names: set[str] = set()

    def bind(target):
        for node in ast.walk(target):
            if isinstance(node, ast.Name):
                names.add(node.id)

    def visit(statements):
        for statement in statements:
            if isinstance(statement, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
                for target in statement.targets if isinstance(statement, ast.Assign) else [statement.target]:
                    bind(target)
            elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(statement.name)
            elif isinstance(statement, (ast.Import, ast.ImportFrom)):
                names.update((alias.asname or alias.name).split(".")[0] for alias in statement.names)
            elif isinstance(statement, (ast.For, ast.AsyncFor)):
                bind(statement.target)
                visit(statement.body + statement.orelse)
            elif isinstance(statement, (ast.With, ast.AsyncWith)):
                for item in statement.items:
                    if item.optional_vars is not None:
                        bind(item.optional_vars)
                visit(statement.body)
            elif isinstance(statement, (ast.If, ast.While)):
                visit(statement.body + statement.orelse)
            elif isinstance(statement, ast.Try):
                visit(statement.body + statement.orelse + statement.finalbody)
                for handler in statement.handlers:
                    if handler.name:
                        names.add(handler.name)
                    visit(handler.body)
            for node in ast.walk(statement):
                if isinstance(node, ast.NamedExpr):
                    bind(node.target)

    visit(ast.parse(source).body)
    return names


def used_names(source: str) -> set[str]:
    """The names a cell reads, in its own statements and in the functions it defines."""
    return {
        node.id for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
    }


def only_shows(source: str) -> bool:
    """Whether a cell does nothing but draw or print (calls of plotting, graph_picture, print...)."""
    body = ast.parse(source).body
    return bool(body) and all(
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Call)
        and _root(statement.value.func) in SHOWING
        for statement in body
    )


def _root(node) -> str:
    while isinstance(node, (ast.Attribute, ast.Call)):
        node = node.value if isinstance(node, ast.Attribute) else node.func
    return node.id if isinstance(node, ast.Name) else ""


@dataclass(frozen=True)
class Plan:
    """Which cells of a notebook a side run executes, with the notebook's code edited as asked."""

    notebook: catalog.Notebook
    defaults: dict[str, Any]
    parameters_source: str
    setup: tuple[str, ...]
    cells: tuple[str, ...]
    keep: tuple[str, ...]
    then: str
    edits: tuple[tuple[str, str], ...]

    @classmethod
    def of(
        cls,
        notebook: catalog.Notebook,
        changes: Mapping[str, Any],
        edits: tuple[tuple[str, str], ...],
        keep: tuple[str, ...],
        then: str,
        needs: tuple[str, ...] = (),
    ) -> Plan:
        import nbformat

        cells = nbformat.read(notebook.path, as_version=4).cells
        end = catalog.exercises_start(cells)
        code = [(cell.source, cell.metadata.get("tags", [])) for cell in cells[:end] if cell.cell_type == "code"]
        sources = apply_edits([source for source, _ in code], edits, notebook.name)
        where = [i for i, (_, tags) in enumerate(code) if catalog.PARAMETERS_TAG in tags]
        if len(where) != 1:
            raise SideRunError(f"{notebook.name} has no single cell tagged parameters: it cannot be run on the side.")
        start = where[0]
        defaults = parameters_cell(sources[start])
        unknown = sorted(set(changes) - set(defaults))
        if unknown:
            raise SideRunError(
                f"{', '.join(unknown)} {'is not a setting' if len(unknown) == 1 else 'are not settings'} of "
                f"{notebook.name}; its settings are {', '.join(defaults)}."
            )
        made_then = defined_names(then) if then.strip() else set()
        wanted = (set(keep) | set(needs) | (used_names(then) if then.strip() else set())) - made_then - BUILTINS
        training = [i for i, (_, tags) in enumerate(code) if TRAINING_TAG in tags]
        if not wanted and not training:
            raise SideRunError(f"{notebook.name} has no training cell: name the variables to bring back with keep=.")
        needed = cls._needed(sources, start, training[0] if training and not wanted else None, wanted, notebook)
        return cls(
            notebook,
            defaults,
            sources[start],
            tuple(sources[:start]),
            tuple(sources[i] for i in needed),
            keep,
            then,
            edits,
        )

    @staticmethod
    def _needed(sources, start, training, wanted, notebook) -> list[int]:
        """The indices of the cells after the parameters cell that the run needs: the training cell (or the
        last cells that define the `wanted` names) and every cell that defines a name they use."""
        defines = [defined_names(source) for source in sources]
        uses = [used_names(source) for source in sources]
        needed: set[int] = set()
        todo: list[tuple[int, set[str]]] = []
        if training is not None:
            needed.add(training)
            todo.append((training, uses[training]))
        missing = set(wanted)
        for name in wanted:
            where = [i for i in range(start + 1, len(sources)) if name in defines[i]]
            if where:
                missing.discard(name)
                needed.add(where[-1])
                todo.append((where[-1], uses[where[-1]]))
        missing -= set(defines[start]) | {name for i in range(start) for name in defines[i]}
        if missing:
            raise SideRunError(f"{notebook.name} defines no {', '.join(sorted(missing))} before its exercises.")
        while todo:
            at, names = todo.pop()
            for name in names:
                earlier = [i for i in range(start + 1, at) if name in defines[i]]
                if earlier and earlier[-1] not in needed:
                    needed.add(earlier[-1])
                    todo.append((earlier[-1], uses[earlier[-1]]))
        # the cell that checks the parameters runs whatever it defines: a bad value stops the run early
        checking = [i for i in range(start + 1, len(sources)) if "hyperparameters" in defines[i]]
        needed.update(checking[:1])
        return sorted(i for i in needed if not only_shows(sources[i]))

    def digest(self) -> str:
        """A SHA-256 of the code the plan executes (its setup, parameters cell, needed cells and `then`)."""
        import hashlib

        code = "\n# --- cell ---\n".join([*self.setup, self.parameters_source, *self.cells, self.then])
        return hashlib.sha256(code.encode()).hexdigest()

    def execute(self, settings: Sequence[Mapping[str, Any]], quiet: bool = False) -> list[SideRun]:
        """Run the plan once per entry of `settings` (changes to the parameters cell), in one kernel."""
        return execute_plans([(self, changes) for changes in settings], quiet)

    def _run_cells(self, changes: Mapping[str, Any], scratch: Path, index: int) -> list[str]:
        overrides = "\n".join(f"{name} = {value!r}" for name, value in changes.items())
        parameters = self.parameters_source + ("\n# the side run's changes\n" + overrides if overrides else "")
        collect = (
            "from mnist_tutorial import side_runs as _side_runs\n"
            f"_side_runs.collect(globals(), {list(self.keep)!r}, {str(scratch / f'run-{index}.pickle')!r})"
        )
        start = (
            "import time as _time\n_side_run_started = _time.perf_counter()\n"
            f"_side_run_parameters = {list(self.defaults)!r}\n" + parameters
        )
        return [start, *self.cells, *([self.then] if self.then.strip() else []), collect]

    def _side_run(self, collected: dict[str, Any]) -> SideRun:
        return SideRun(
            notebook=self.notebook.name,
            settings=collected["settings"],
            seed=int(collected["settings"].get("seed", 0)),
            edits=self.edits,
            monitors={name: MonitorSummary(**fields) for name, fields in collected["monitors"].items()},
            variables=collected["variables"],
            values=collected["values"],
            seconds=collected["seconds"],
        )


def execute_plans(items: Sequence[tuple[Plan, Mapping[str, Any]]], quiet: bool = False) -> list[SideRun]:
    """Run each (plan, changes) of `items`, in order, in one kernel: plans of one notebook whose setup cells
    are the same (their edits may differ). Returns the side runs, in the same order."""
    import nbformat

    from .notebook_runner import execute
    from .sweep_engine import execute_starting_kernel_again, in_a_thread_of_its_own

    first = items[0][0]
    if any(plan.notebook != first.notebook or plan.setup != first.setup for plan, _ in items):
        raise SideRunError("side runs made in one kernel must be of one notebook, with the same setup cells.")
    with tempfile.TemporaryDirectory(prefix="side-run-") as scratch:
        scratch = Path(scratch)
        _copy_restored(first.notebook, paths.output_dir(), scratch)
        cells = [nbformat.v4.new_code_cell(source) for source in first.setup]
        for index, (plan, changes) in enumerate(items):
            cells += [nbformat.v4.new_code_cell(source) for source in plan._run_cells(changes, scratch, index)]
            cells.append(nbformat.v4.new_code_cell('import matplotlib.pyplot as _plt\n_plt.close("all")'))
        source = scratch / f"side-run-{first.notebook.name}.ipynb"
        nbformat.write(nbformat.v4.new_notebook(cells=cells, metadata=_kernel_metadata()), source)
        started = time.perf_counter()
        try:
            in_a_thread_of_its_own(
                execute_starting_kernel_again,
                execute,
                source,
                scratch / "executed.ipynb",
                environment={paths.OUTPUT_DIR_VARIABLE: str(scratch)},
            )
        except Exception as error:
            shown = _listed([changes for _, changes in items])
            raise SideRunError(
                f"the side run of {first.notebook.name} with {shown} failed: {_one_line(error)}"
            ) from None
        runs = []
        for index, (plan, _) in enumerate(items):
            with open(scratch / f"run-{index}.pickle", "rb") as file:
                runs.append(plan._side_run(pickle.load(file)))
            if not quiet:
                print(_described(runs[-1], plan.defaults))
        if not quiet and len(runs) > 1:
            print(f"({len(runs)} runs in {time.perf_counter() - started:.0f} s)")
    return runs


def _copy_restored(notebook: catalog.Notebook, source: Path, target: Path) -> None:
    """Copy the saved networks `notebook` restores that `source` holds into `target`. A side run needs only
    those its cells read; a cell that reads one that is missing fails with the notebook's own message."""
    import shutil

    for name in catalog.restored_by(notebook):
        checkpoint, record = source / "checkpoints" / name, source / "results" / f"{name}.json"
        if checkpoint.is_dir() and record.is_file():
            shutil.copytree(checkpoint, target / "checkpoints" / name, dirs_exist_ok=True)
            (target / "results").mkdir(parents=True, exist_ok=True)
            shutil.copy2(record, target / "results" / record.name)


def apply_edits(sources: list[str], edits: Iterable[tuple[str, str]], name: str) -> list[str]:
    """`sources` with each edit (whole lines as they are, the lines as they become; a comment after them stays)
    made; SideRunError when those lines are not in exactly one place (a longer line that contains them does not
    count)."""
    sources = list(sources)
    for old, new in edits:
        places = [(i, at) for i, source in enumerate(sources) for at in _whole_lines(source, old)]
        if len(places) != 1:
            raise SideRunError(
                f"{name}: the code to change, {old.splitlines()[0]!r}..., is not in exactly one place "
                f"(it is in {len(places)})."
            )
        ((i, at),) = places
        sources[i] = sources[i][:at] + new + sources[i][at + len(old) :]
    return sources


def _whole_lines(source: str, text: str) -> list[int]:
    """Where `text` occurs in `source` as whole lines: after the start of a line and its indentation, and up to
    the end of a line or a comment."""
    import re

    found = []
    for match in re.finditer(re.escape(text), source):
        start, end = match.start(), match.end()
        before, after = source[:start].rsplit("\n", 1)[-1], source[end:].split("\n", 1)[0]
        if before.strip() == "" and (after.strip() == "" or after.strip().startswith("#")):
            found.append(start)
    return found


def collect(namespace: Mapping[str, Any], keep: Sequence[str], path: str) -> None:
    """Write what a side run brings back to `path` (run in the side run's kernel, after its cells)."""
    from .training import TrainingMonitor

    monitors = {}
    for name, value in namespace.items():
        if isinstance(value, TrainingMonitor) and not name.startswith("_"):
            monitors[name] = dict(
                outcome=value.outcome,
                steps=int(value.training_steps),
                validation_steps=np.asarray(value.validation_steps),
                validation_accuracy=np.asarray(value.validation_accuracy),
                validation_cross_entropy=np.asarray(value.validation_cross_entropy),
                train_cross_entropy=np.asarray(value.train_cross_entropy),
                train_seconds=float(value.train_seconds) if value.outcome == "finished" else math.nan,
            )
    settings = dict(namespace.get("hyperparameters") or {})
    if not settings:
        settings = {name: namespace[name] for name in namespace.get("_side_run_parameters", ())}
    collected = dict(
        settings=settings,
        monitors=monitors,
        variables=_trained_weights(namespace.get("session")),
        values={name: namespace[name] for name in keep},
        seconds=_time_since(namespace),
    )
    with open(path, "wb") as file:
        pickle.dump(collected, file)


def _time_since(namespace) -> float:
    started = namespace.get("_side_run_started")
    return time.perf_counter() - started if started is not None else math.nan


def _trained_weights(session) -> dict[str, np.ndarray]:
    """{name: value} of the trainable variables of the graph `session` runs ({} without an open session)."""
    try:
        import tensorflow.compat.v1 as tf

        if not isinstance(session, tf.Session) or session._closed:
            return {}
        variables = session.graph.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES)
        values = session.run(variables)
    except Exception:  # an uninitialised or otherwise unreadable session: nothing to bring back
        return {}
    return {variable.op.name: np.asarray(value) for variable, value in zip(variables, values)}


def _kernel_metadata() -> dict[str, Any]:
    return {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}


def _listed(settings: Sequence[Mapping[str, Any]]) -> str:
    shown = [", ".join(f"{k}={v!r}" for k, v in changes.items()) or "its own settings" for changes in settings]
    return shown[0] if len(shown) == 1 else "; ".join(dict.fromkeys(shown))


def _described(run: SideRun, defaults: Mapping[str, Any]) -> str:
    changes = ", ".join(f"{k}={v!r}" for k, v in run.changes(defaults).items()) or "the notebook's settings"
    if run.edits:
        changes += f", {len(run.edits)} change{'s' if len(run.edits) > 1 else ''} to its code"
    if "monitor" in run.monitors:
        monitor = run.monitor
        if monitor.outcome != "finished":
            result = f"the run {monitor.outcome}"
        else:
            result = f"validation accuracy {monitor.final_validation_accuracy:.4f} after {monitor.steps:,} steps"
    else:
        result = "done"
    return f"side run of {run.notebook}, {changes}, seed {run.seed}: {result} ({run.seconds:.0f} s)"


def _one_line(error: BaseException) -> str:
    name, value = getattr(error, "ename", type(error).__name__), getattr(error, "evalue", str(error))
    text = f"{name}: {value}" if value else name
    return " ".join(text.split())[:400]


@contextlib.contextmanager
def output_dir_at(folder: str | os.PathLike[str]):
    """Point results/ and checkpoints/ at `folder` for the duration (for tests and measurements)."""
    saved = os.environ.get(paths.OUTPUT_DIR_VARIABLE)
    os.environ[paths.OUTPUT_DIR_VARIABLE] = str(folder)
    try:
        yield Path(folder)
    finally:
        if saved is None:
            os.environ.pop(paths.OUTPUT_DIR_VARIABLE, None)
        else:
            os.environ[paths.OUTPUT_DIR_VARIABLE] = saved
