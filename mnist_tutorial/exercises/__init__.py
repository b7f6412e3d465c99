"""Exercises a learner can check: each has `check()`, `hint()` and `solution()`, offline.

A notebook's exercise section binds its exercises to the notebook's own variables in one line::

    from mnist_tutorial.exercises import softmax
    exercise_1, exercise_2, exercise_3 = softmax.bind(globals())

and each exercise has a cell for the answer followed by `exercise_1.check()`, which prints one of three
verdicts: **correct**, with a sentence on what the result means; **not yet**, saying specifically what is
missing or wrong; **not attempted**, while the answer is still `None` or the run has not been made.

Each exercise is one entry of its module's `EXERCISES`, made by one of five declarative kinds:

- `code`: the learner writes a tensor, an array or a function; the check compares it with a reference
  on fixed inputs, and names the typical mistakes it recognises.
- `graph`: the learner changes the notebook's network and runs all cells (the series' own way of
  working); the check reads the graph (its variables, shapes and operations, without training), then
  the run's record, and sets the run beside measured runs of the same recipe (`AgainstRuns`).
- `prediction`: the learner writes a prediction, then measures it with a side run
  (`mnist_tutorial.side_runs`, which trains the notebook's network with the change on the side and
  keeps the notebook's own network, record and checkpoint as they are). Graded only where the measured
  effect lies clearly beyond run-to-run noise (`noise.band`, from at least five seeds, widened by what
  another processor moves a result): a test fails when a threshold sits inside its own noise.
- `how_sure`: where an effect is not that clear, the learner predicts, measures both recipes over seeds
  and says what the paired comparison shows; graded on whether that conclusion matches the interval.
- `discussion`: an open question, with a model answer behind `solution()` and nothing to check.

Every checkable exercise declares the notebook variables its check reads (`reads`): a check that reads
another one is a bug, and a test checks that the notebook defines each. The measured runs a check
compares with are `Measure`s of the module (`MEASURES`), stored with the command that measured them in
`measured.json` (`mnist-exercises measure`). Measurements are made on the validation set, and no check
ever shows a test figure.

To add an exercise: its entry in `EXERCISES` (with its hints, solution and at least one typical wrong
answer), its `Measure`s if it compares with runs (then `mnist-exercises measure NN NAME`), and its cells
in the notebook: a `### Exercise N: title` heading, an answer cell tagged `exercise-N` and a cell
starting `exercise_N.check()`.
"""

from __future__ import annotations

import functools
import json
import numbers
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import noise

#: The kinds of exercise. (TRAIN and PREDICT are the earlier framework's, kept for modules not yet ported.)
CODE, GRAPH, PREDICTION, HOW_SURE, DISCUSSION = "code", "graph", "prediction", "how sure", "discussion"
TRAIN, PREDICT = "train", "predict"
KINDS = (CODE, GRAPH, PREDICTION, HOW_SURE, DISCUSSION, TRAIN, PREDICT)
#: The tag of the cell that holds exercise N's answer: "exercise-N".
ANSWER_TAG = "exercise-{}"
#: Where the measured runs are stored.
MEASURED_FILE = Path(__file__).resolve().parent / "measured.json"


class NotYet(Exception):
    """The answer is there but not right yet; the message says what is missing or wrong."""


class NotAttempted(Exception):
    """Nothing to check yet: the answer is still `None`, or the run the exercise asks for was not made."""


class UndeclaredRead(AssertionError):
    """A check read a notebook variable its exercise does not declare in `reads`: a bug of the exercise."""


@dataclass(frozen=True)
class WrongAnswer:
    """A typical wrong answer, for the tests: a phrase its "not yet" must contain, the answer cell's
    code, and the hyperparameters and code changes of the run it makes (none: the solution's run)."""

    says: str
    answer: str = ""
    parameters: Mapping[str, Any] = field(default_factory=dict)
    edits: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Exercise:
    """One exercise: what the learner reads in `solution()` and `hint()`, and how it is checked."""

    number: int
    title: str
    kind: str
    #: Takes the notebook's variables (`Answers`); returns the "correct" sentence or raises NotYet/NotAttempted.
    check: Callable[[Answers], str] | None
    hints: tuple[str, ...]
    #: The code of a solution for the exercise's answer cell (a model answer, for a discussion).
    solution: str
    #: The values of the hyperparameter cell the solution sets; the run then made with them (Run All).
    parameters: Mapping[str, Any] = field(default_factory=dict)
    #: Changes the solution makes to the notebook's own code: (the line as it is, the line as it becomes).
    edits: tuple[tuple[str, str], ...] = ()
    #: For a measurement, the range a correct run gives (measured over seeds), shown with the solution (a
    #: function that returns it, when it is read from the stored measurements).
    expected: str | Callable[[], str] = ""
    #: Typical wrong answers and the phrase each one's "not yet" contains (the tests check them).
    wrong_answers: tuple[WrongAnswer, ...] = ()
    #: The notebook variables the check reads (() for an exercise of the earlier framework: not enforced).
    reads: tuple[str, ...] = ()
    #: The names of the module's `Measure`s the check compares with.
    measures: tuple[str, ...] = ()
    #: The declarative specification the check was made from (for the tests), if any.
    spec: Any = None

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"exercise {self.number}: kind {self.kind!r} is not one of {', '.join(KINDS)}")
        if (self.kind == DISCUSSION) != (self.check is None):
            raise ValueError(f"exercise {self.number}: a discussion has no check, and every other kind has one")

    @property
    def checkable(self) -> bool:
        return self.check is not None

    @property
    def answer_tag(self) -> str:
        return ANSWER_TAG.format(self.number)

    @property
    def side_run(self) -> bool:
        """Whether the learner measures with a side run from the answer cell (not Run All)."""
        return "side_runs.train(" in self.solution


# ----------------------------------------------------------------------------------------------------------
# Measured runs


@dataclass(frozen=True)
class Measure:
    """A recipe measured over seeds by side runs of the notebook: `changes` to its parameters cell,
    `edits` to its code, and `then` code run after the cells it needs. Each of `quantities` (a name and a
    function of the SideRun) is stored by seed; "validation_accuracy" is the main network's."""

    name: str
    changes: Mapping[str, Any] = field(default_factory=dict)
    edits: tuple[tuple[str, str], ...] = ()
    keep: tuple[str, ...] = ()
    then: str = ""
    quantities: Mapping[str, Callable[[Any], float]] = field(
        default_factory=lambda: {"validation_accuracy": lambda run: run.validation_accuracy}
    )
    #: How far another processor may move a value (accuracy: noise.MACHINE_MARGIN; a count: its own).
    margin: float = noise.MACHINE_MARGIN

    def stored_spec(self) -> dict[str, Any]:
        """What the stored measurement must have been made with."""
        return {
            "changes": dict(self.changes),
            "edits": [list(edit) for edit in self.edits],
            "keep": list(self.keep),
            "then": self.then,
        }


@functools.lru_cache(maxsize=1)
def _stored() -> dict[str, Any]:
    return json.loads(MEASURED_FILE.read_text()) if MEASURED_FILE.exists() else {}


def stored(notebook: str) -> dict[str, Any]:
    """The measurements stored for `notebook` (its name, such as "01_softmax"): {measure: entry}."""
    return _stored().get(notebook, {})


def forget_stored() -> None:
    """Read measured.json again at the next use (after a measurement wrote it)."""
    _stored.cache_clear()


def measured(notebook: str, measure: str, quantity: str = "validation_accuracy") -> dict[int, float]:
    """{seed: value} of a stored measurement; KeyError naming the command when it was not made."""
    entry = stored(notebook).get(measure)
    if entry is None or quantity not in entry.get("values", {}):
        raise KeyError(
            f"{notebook} has no measurement {measure!r} of {quantity}: run mnist-exercises measure "
            f"{notebook[:2]} {measure}"
        )
    return {int(seed): float(value) for seed, value in entry["values"][quantity].items()}


def notebook_settings(notebook: str) -> dict[str, Any]:
    """The notebook's parameters cell as its measurements found it (a test compares it with the notebook)."""
    entries = stored(notebook)
    return dict(next(iter(entries.values()))["notebook_settings"]) if entries else {}


def seeds_text(seeds: Iterable[int]) -> str:
    seeds = sorted(seeds)
    return f"{seeds[0]}-{seeds[-1]}" if seeds == list(range(seeds[0], seeds[-1] + 1)) else ", ".join(map(str, seeds))


def over_seeds(by_seed: Mapping[int, float]) -> str:
    """ "0.9138 to 0.9156 over seeds 1-5": the range of values measured by seed."""
    low, high = min(by_seed.values()), max(by_seed.values())
    span = f"seeds {seeds_text(by_seed)}"
    return f"{low:.4f} with each of {span}" if low == high else f"{low:.4f} to {high:.4f} over {span}"


def interval_text(comparison, unit: str = "") -> str:
    """ "+0.0082 (95% interval +0.0041 to +0.0123)" for a recipe comparison."""
    return (
        f"{comparison.mean_difference:+.4f}{unit} (95% interval {comparison.low:+.4f} to {comparison.high:+.4f}"
        f" over seeds {seeds_text(comparison.seeds)})"
    )


def verdict_text(comparison) -> str:
    """What a recipe comparison shows, in words."""
    if comparison.direction > 0:
        return f"{comparison.name_a} is better: the interval lies above 0"
    if comparison.direction < 0:
        return f"{comparison.name_b} is better: the interval lies below 0"
    return "not shown to differ: the interval contains 0"


def compare_recipes(a: Mapping[int, float], b: Mapping[int, float], name_a: str, name_b: str):
    """The series' paired comparison of two recipes over seeds (`significance.compare_recipes`)."""
    from .. import significance

    return significance.compare_recipes(dict(a), dict(b), name_a, name_b)


@dataclass(frozen=True)
class TablePlace:
    """Where a run's value lies against measured runs of its recipe."""

    value: float
    low: float
    high: float
    measured: dict[int, float]
    seed_value: float | None

    @property
    def inside(self) -> bool:
        return self.low <= self.value <= self.high

    def sentence(self, what: str = "runs of this recipe") -> str:
        mine = f"{self.value:.4f}"
        seed = "" if self.seed_value is None else f"; with your seed they gave {self.seed_value:.4f}"
        if self.inside:
            return f"{mine}, where {what} land ({over_seeds(self.measured)}{seed})"
        return (
            f"{mine}, outside the band {self.low:.4f} to {self.high:.4f} where {what} land "
            f"({over_seeds(self.measured)}{seed}): another processor, or something else that changed"
        )


def against_table(
    value: float,
    notebook: str,
    measure: str,
    seed: int | None,
    quantity: str = "validation_accuracy",
    margin: float = noise.MACHINE_MARGIN,
) -> TablePlace:
    """The one shared comparison of a run with measured runs: the band where a run of the same recipe
    lands (`noise.band` of the stored values), and the value measured with the run's seed, if it was."""
    values = measured(notebook, measure, quantity)
    low, high = noise.band(list(values.values()), margin)
    return TablePlace(float(value), low, high, values, values.get(seed) if seed is not None else None)


def established(values: Sequence[float], at: float, options: tuple[str, str], margin: float) -> str | None:
    """options[0] when every run lands above `at` (the band of `values` lies above it), options[1] when
    below, None when `at` sits inside the band: the question cannot be graded."""
    low, high = noise.band(values, margin)
    if low > at:
        return options[0]
    if high < at:
        return options[1]
    return None


# ----------------------------------------------------------------------------------------------------------
# What a check reads


class Answers:
    """The notebook's variables, as a check reads them: each accessor raises NotAttempted or NotYet with
    one line saying what is missing or wrongly shaped. With `reads`, only those variables can be read."""

    def __init__(self, namespace: Mapping[str, Any], reads: Iterable[str] | None = None, notebook: str = ""):
        self._namespace = namespace
        self._reads = None if reads is None else set(reads)
        self.notebook_name = notebook

    def _get(self, name: str) -> Any:
        if self._reads is not None and name not in self._reads:
            raise UndeclaredRead(f"the check reads `{name}`, which its exercise does not declare in `reads`")
        return self._namespace[name]

    def _has(self, name: str) -> bool:
        if self._reads is not None and name not in self._reads:
            raise UndeclaredRead(f"the check reads `{name}`, which its exercise does not declare in `reads`")
        return name in self._namespace

    def answer(self, name: str) -> Any:
        """The learner's answer `name`: NotAttempted while it is None, NotYet when its cell was not run."""
        if not self._has(name):
            raise NotYet(f"`{name}` is not defined: run the answer cell above the check (it sets `{name}`).")
        value = self._get(name)
        if value is None:
            raise NotAttempted(f"`{name}` is still None: replace None with your answer and run the cell.")
        return value

    def notebook(self, name: str) -> Any:
        """One of the notebook's own objects (the session, a tensor, the monitor)."""
        if not self._has(name):
            raise NotYet(f"`{name}` is not defined: run the notebook from the top (Run All) before checking.")
        return self._get(name)

    def setting(self, name: str) -> Any:
        """A value of the hyperparameter cell, as the last run used it."""
        hyperparameters = self.notebook("hyperparameters")
        if name not in hyperparameters:
            raise NotYet(f"the hyperparameter `{name}` is missing: run the notebook from the top.")
        return hyperparameters[name]

    def choice(self, name: str, options: Sequence[str]) -> str:
        """A prediction that must be one of `options`."""
        value = self.answer(name)
        if not isinstance(value, str) or value.strip().lower() not in options:
            raise NotYet(f"`{name}` is {value!r}; it must be one of " + ", ".join(f'"{o}"' for o in options) + ".")
        return value.strip().lower()

    def number(self, name: str) -> float:
        value = self.answer(name)
        if isinstance(value, np.ndarray) and value.size == 1:
            value = value.item()
        if not isinstance(value, numbers.Real) or isinstance(value, bool):
            raise NotYet(f"`{name}` is {value!r}; it must be a single number.")
        return float(value)

    def function(self, name: str, arguments: str) -> Callable:
        """An answer that must be a function of `arguments` (for the message)."""
        value = self.answer(name)
        if not callable(value):
            raise NotYet(f"`{name}` must be a function of ({arguments}), not a {type(value).__name__}.")
        return value

    def array(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """The answer `name` as an array of `shape`."""
        value = self.answer(name)
        try:
            array = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise NotYet(f"`{name}` must hold numbers, not {type(value).__name__}.") from None
        if array.shape != shape:
            raise NotYet(f"`{name}` has shape {array.shape}; the exercise asks for shape {shape}.")
        return array

    def tensor(self, name: str, shape: Sequence[int | None] | None = None) -> Any:
        """The answer `name` as a tensor of the notebook's graph (with `shape`, None for any size)."""
        import tensorflow.compat.v1 as tf

        value = self.answer(name)
        if not isinstance(value, tf.Tensor):
            raise NotYet(
                f"`{name}` is a {type(value).__name__}, not a tensor: build it from the graph's tensors "
                f"(X, Y_, Y, logits) with tf operations, without session.run."
            )
        if value.graph is not self.notebook("session").graph:
            raise NotYet(f"`{name}` belongs to another graph than the session's: build it after the notebook's graph.")
        if shape is not None and not value.shape.is_compatible_with(shape):
            raise NotYet(f"`{name}` has shape {value.shape}; the exercise asks for shape {list(shape)}.")
        return value

    def side_run(self, name: str, wanted: Mapping[str, Any], call: str, several: bool = False, exactly: bool = True):
        """The learner's side run `name` (what `side_runs.train` returned), of this notebook, made with the
        `wanted` settings and otherwise the notebook's own (with `exactly`; else the others may differ too).
        `call` is the side_runs.train call to suggest; `several`: runs over several seeds (SideRuns)."""
        from ..side_runs import SideRun, SideRuns

        value = self.answer(name)
        kind = SideRuns if several else SideRun
        if not isinstance(value, kind):
            other = (
                "one seed" if isinstance(value, SideRun) else ("several seeds" if isinstance(value, SideRuns) else "")
            )
            raise NotYet(
                f"`{name}` must be what side_runs.train returns"
                + (f" for {'several seeds' if several else 'one seed'} (this is {other})" if other else "")
                + f": {name} = {call}"
            )
        if value.notebook != self.notebook_name:
            raise NotYet(f"`{name}` is a side run of {value.notebook}; train this notebook's, {self.notebook_name}.")
        runs = list(value.runs.values()) if several else [value]
        for run in runs:
            if "monitor" in run.monitors and run.outcome != "finished":
                raise NotYet(f"the side run `{name}` (seed {run.seed}) did not finish ({run.outcome}).")
        defaults = notebook_settings(self.notebook_name)
        settings = value.settings if several else {k: v for k, v in value.settings.items() if k != "seed"}
        differ = [f"{k} = {v!r} (it has {settings.get(k)!r})" for k, v in wanted.items() if settings.get(k) != v]
        if differ:
            raise NotYet(f"the side run `{name}` needs {', '.join(differ)}: {name} = {call}")
        if exactly:
            extra = [
                f"{k} = {v!r}"
                for k, v in settings.items()
                if k not in wanted and k != "seed" and k in defaults and defaults[k] != v
            ]
            if extra or value.edits:
                what = " and ".join(part for part in (", ".join(extra), "the code" if value.edits else "") if part)
                asked = f"changes only {', '.join(wanted)}" if wanted else "is the notebook's own recipe"
                raise NotYet(
                    f"the side run `{name}` also changed {what}: the exercise {asked}, so that its comparison "
                    f"changes one thing: {name} = {call}"
                )
        return value

    # The notebook's own run (Run All)

    def finished_run(self):
        """The monitor of the notebook's last training run, which must have finished and must have been made,
        top to bottom, with the settings and the graph the notebook holds now."""
        monitor = self.notebook("monitor")
        if monitor.outcome != "finished":
            raise NotYet(f"the last run did not finish ({monitor.outcome}): run the notebook from the top again.")
        record = self.notebook("record")
        try:
            recorded = json.loads(Path(record).read_text())["hyperparameters"]
        except (OSError, ValueError, KeyError, TypeError):
            raise NotYet(f"the run's record {record} cannot be read: run the notebook from the top again.") from None
        if recorded != json.loads(json.dumps(dict(self.notebook("hyperparameters")))):
            raise NotYet("the hyperparameters were changed after the last run: run all cells, from the top.")
        self._require_initialised()
        return monitor

    def _require_initialised(self) -> None:
        """Every variable of the session's graph has a value: the model's cell was not re-run after training."""
        import tensorflow.compat.v1 as tf

        session = self.notebook("session")
        with session.graph.as_default():
            missing = session.run(tf.report_uninitialized_variables())
        if len(missing):
            raise NotYet(
                "the graph has changed since the last run (a cell above was run again on its own): run "
                "all cells, from the top."
            )

    def require_settings(self, wanted: Mapping[str, Any], others: Mapping[str, Any] = (), before: str = "") -> None:
        """The run must have the exercise's `wanted` settings and the notebook's own values of `others` (those
        the check's measurements were made with): NotYet naming every one that differs."""
        differ = [
            f"{name} = {value!r} (it is {self.setting(name)!r})"
            for name, value in wanted.items()
            if self.setting(name) != value
        ]
        if differ:
            raise NotYet(f"{before}set {', '.join(differ)} in the hyperparameter cell, and run all cells.")
        others = {name: value for name, value in dict(others).items() if name not in wanted}
        kept = [
            f"{name} = {value!r} (it is {self.setting(name)!r})"
            for name, value in others.items()
            if self.setting(name) != value
        ]
        if kept:
            raise NotYet(
                f"{before}this exercise starts from the notebook's own settings, which the check's "
                f"measurements used: put back {', '.join(kept)}, and run all cells."
            )

    def require_network(self, variables: Iterable[str]) -> None:
        """The logits must depend on exactly the notebook's own trainable `variables` (by name, such as
        "layer1/W1"): NotYet naming what an earlier exercise added or removed."""
        have = network_variables(self.notebook("logits"))
        extra, missing = sorted(have - set(variables)), sorted(set(variables) - have)
        if extra or missing:
            change = "; ".join(
                part
                for part in (
                    f"it has {', '.join(extra)}" if extra else "",
                    f"it lacks {', '.join(missing)}" if missing else "",
                )
                if part
            )
            raise NotYet(
                f"the network differs from the notebook's ({change}): undo the earlier change to the model's "
                f"code, and run all cells."
            )

    def run_with(
        self, wanted: Mapping[str, Any], settings: Mapping[str, Any], network: Iterable[str], before: str = ""
    ):
        """The monitor of a finished run made from the top with the exercise's `wanted` settings, the notebook's
        own `settings` otherwise, and its own `network`: what a comparison with measured runs needs."""
        self.require_settings(wanted, settings, before)
        self.require_network(network)
        return self.finished_run()

    def seed_matched(self, by_seed: Mapping[int, float]) -> tuple[float, str]:
        """The value measured with this run's seed, and "seed N": NotYet for a seed that was not measured."""
        seed = self.setting("seed")
        if seed not in by_seed:
            raise NotYet(
                f"the check's measurements were made with seeds {', '.join(map(str, sorted(by_seed)))}: set "
                f"seed to one of them, and run all cells."
            )
        return by_seed[seed], f"seed {seed}"


# ----------------------------------------------------------------------------------------------------------
# Reading a learner's graph


def ancestors(op) -> set:
    """Every operation that `op` (an operation or a tensor) depends on, through inputs and control inputs."""
    op = getattr(op, "op", op)
    seen, todo = set(), [op]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        todo += [tensor.op for tensor in current.inputs] + list(current.control_inputs)
    return seen


def initial_scale(variable) -> tuple[str, float | None]:
    """The type of the operation that draws `variable`'s initial value (through scaling and shifting), and
    the factor it is scaled by (None if it is not scaled by a constant)."""
    import tensorflow.compat.v1 as tf

    op, scale = variable.initial_value.op, None
    while op.type in ("Add", "AddV2", "Mul", "Identity") and op.inputs:
        if op.type == "Mul":
            constants = [tf.get_static_value(tensor) for tensor in op.inputs]
            known = [value for value in constants if value is not None and np.size(value) == 1]
            if known:
                scale = float(np.ravel(known[0])[0]) * (scale or 1.0)
        op = max(op.inputs, key=lambda tensor: tensor.shape.num_elements() or 0).op
    return op.type, scale


def network_variables(logits) -> set[str]:
    """The names of the trainable variables that `logits` depends on ("layer1/W1", ...)."""
    import tensorflow.compat.v1 as tf

    trainable = {variable.op for variable in logits.graph.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES)}
    return {op.name for op in ancestors(logits) if op in trainable}


def differentiated(train_step) -> set[str]:
    """The names of the operations whose gradients `train_step` computes: the loss it minimises and every
    operation between the loss and the variables (`graph_picture.structure`, which the graph's picture reads
    with, wherever `minimize()` was called, in a name scope or not)."""
    from ..graph_picture import structure

    return structure.differentiated(train_step)


def minimised(train_step):
    """The tensor `train_step` minimises (its loss), found where its gradients start; None if there is not
    exactly one (`graph_picture.structure`, as for `differentiated`)."""
    from ..graph_picture import structure

    return structure.minimised(train_step)


def penalised_variables(train_step) -> set[str]:
    """The names of the variables whose square (`tf.nn.l2_loss`, `tf.square`) `train_step` depends on."""
    squared = [op.inputs[0].op for op in ancestors(train_step) if op.type in ("L2Loss", "Square")]
    return {
        # a resource variable is read through a ReadVariableOp of its handle; a reference one through "<name>/read"
        read.inputs[0].op.name if read.type == "ReadVariableOp" else read.name.removesuffix("/read")
        for read in squared
        if read.type in ("VariableV2", "Identity", "ReadVariableOp")
    }


def penalty_coefficient(a: Answers, train_step, weights: Sequence[str], feed: Mapping) -> float:
    """How many times the summed l2_loss of the notebook's `weights` (variable names in the notebook) the
    loss `train_step` minimises adds to its cross-entropy, evaluated on the images of `feed`."""
    loss = minimised(train_step)
    if loss is None:
        raise NotYet("cannot tell which loss train_step minimises: build it with optimizer.minimize(loss).")
    session = a.notebook("session")
    total, cross_entropy = session.run([loss, a.notebook("cross_entropy")], feed)
    values = session.run([a.notebook(name) for name in weights])
    summed = sum(float(np.sum(np.square(w, dtype=np.float64))) / 2 for w in values)
    return (float(total) - float(cross_entropy)) / summed


def check_penalty(a: Answers, weights: Sequence[str], coefficient: float, feed: Mapping) -> str:
    """The structure of an L2 penalty on `weights` with `coefficient` in what `train_step` minimises:
    NotAttempted without one, NotYet naming a weight left out or a wrong coefficient."""
    train_step = a.notebook("train_step")
    penalised = penalised_variables(train_step)
    names = {a.notebook(name).op.name for name in weights}
    if not penalised:
        raise NotAttempted("train_step minimises no tf.nn.l2_loss yet: add the penalty to what it minimises.")
    if not names <= penalised:
        raise NotYet(
            f"the penalty covers {', '.join(sorted(penalised))} but not {', '.join(sorted(names - penalised))}: "
            f"add tf.nn.l2_loss of every weight matrix."
        )
    if a.notebook("cross_entropy").op.name not in differentiated(train_step):
        raise NotYet("train_step no longer minimises the cross-entropy: minimise cross_entropy + the penalty.")
    found = penalty_coefficient(a, train_step, weights, feed)
    if not np.isclose(found, coefficient, rtol=0.01):
        raise NotYet(
            f"train_step minimises the cross-entropy plus {found:.3g} times the summed l2_loss of the weights; "
            f"the exercise asks for {coefficient} times it"
            + (" (a negative coefficient rewards large weights)." if found < 0 else ".")
        )
    return f"the loss adds {coefficient} times the summed l2_loss of {', '.join(weights)}"


def prediction_text(guess: str, shows: str) -> str:
    """What an ungraded prediction meets in a paired comparison that `shows` "better", "worse" or "not shown"
    (a first sentence, with its space): a "not shown" is no evidence for "no difference", nor against one."""
    if guess == shows == "not shown":
        return (
            f"You predicted {guess!r}, and your runs show no difference either way, which is not saying there is none. "
        )
    if guess == shows:
        return f"You predicted {guess!r}, and so it is. "
    if shows == "not shown":
        return (
            f"You predicted {guess!r}; your runs show no difference either way: the interval holds 0, so a "
            f"difference in your direction could still hide in it. "
        )
    return f"You predicted {guess!r}; your runs say otherwise. "


def judge(predicted: str, measured: str, why: str) -> str:
    """A prediction's verdict: the "correct" sentence when `predicted` is what the run `measured`, else NotYet;
    `why` (no final full stop) says what was measured and why."""
    if predicted != measured:
        raise NotYet(f"you predicted {predicted!r}, but {why}.")
    return f"as you predicted, {why}."


class KnownMistake:
    """A wrong recipe a readings check recognises: `what` names it (None: never named as indistinguishable),
    `read()` gives the digits it reads (called once, when first needed) and `message` tells the learner."""

    def __init__(self, what: str | None, read: Callable[[], Any], message: str):
        self.what, self.message, self._read = what, message, read

    @functools.cached_property
    def readings(self) -> np.ndarray:
        return np.asarray(self._read())


def check_readings(mine: np.ndarray, reference: np.ndarray, mistakes: Sequence[KnownMistake], differ: str) -> str:
    """Compare the digits an answer reads with the right recipe's `reference`.

    A mismatch raises NotYet with the first known mistake the answer reads alike (each mistake is read only
    when reached), or else `differ` with `{count}` filled in. A match returns a caveat naming the mistakes
    that read the same digits as the right recipe, which the check cannot tell from it ("" when none)."""
    if not np.array_equal(mine, reference):
        for mistake in mistakes:
            if np.array_equal(mine, mistake.readings):
                raise NotYet(mistake.message)
        raise NotYet(differ.replace("{count}", f"{int(np.sum(np.asarray(mine) != np.asarray(reference))):,}"))
    alike = [m.what for m in mistakes if m.what is not None and np.array_equal(reference, m.readings)]
    if not alike:
        return ""
    return f" (The network reads the same digits in {' and '.join(alike)}, so the check cannot tell those apart.)"


# ----------------------------------------------------------------------------------------------------------
# The declarative kinds


def code(
    number: int,
    title: str,
    verify: Callable[[Answers], str],
    *,
    reads: Sequence[str],
    hints: Sequence[str],
    solution: str,
    wrong_answers: Sequence[WrongAnswer],
    expected: str | Callable[[], str] = "",
) -> Exercise:
    """Write the code: `verify` compares the answer with a reference and names the mistakes it knows."""
    return Exercise(
        number,
        title,
        CODE,
        verify,
        tuple(hints),
        solution,
        expected=expected,
        wrong_answers=tuple(wrong_answers),
        reads=tuple(reads),
    )


@dataclass(frozen=True)
class AgainstRuns:
    """The run of a changed network (Run All) set beside measured runs: `measure`, the runs of the
    exercise's recipe (its solution), and `baseline`, the notebook's recipe with the same settings
    otherwise; `name` and `baseline_name` say what they are in the message."""

    notebook: str
    measure: str
    baseline: str
    name: str
    baseline_name: str


def graph(
    number: int,
    title: str,
    structure: Callable[[Answers], str],
    *,
    reads: Sequence[str],
    hints: Sequence[str],
    edits: Sequence[tuple[str, str]],
    wrong_answers: Sequence[WrongAnswer],
    parameters: Mapping[str, Any] | None = None,
    against: AgainstRuns | None = None,
    network: Callable[[Answers], Iterable[str]] | None = None,
    after: Callable[[Answers, Any], str] | None = None,
    solution: str = "",
) -> Exercise:
    """Change the network and run all cells. `structure` reads the graph, without training: it returns a
    sentence on what was built, or raises NotAttempted/NotYet. Then the run must have finished, with the
    exercise's `parameters` and the notebook's own settings otherwise (and the `network`'s variables, if
    given), and `against` sets it beside measured runs; `after` adds a sentence from the run's monitor."""
    parameters = dict(parameters or {})
    reads = tuple(reads) + ("monitor", "record", "hyperparameters", "session", "logits")
    spec = dict(structure=structure, against=against, network=network, after=after, parameters=parameters)

    def before(a: Answers) -> str:
        """What the check reads before the run: the graph and the settings (no training needed)."""
        built = structure(a)
        settings = notebook_settings(a.notebook_name)
        others = {k: v for k, v in settings.items() if k != "seed"}
        a.require_settings(parameters, others, f"{built}; now ")
        if network is not None:
            a.require_network(network(a))
        return built

    spec["before"] = before

    def check(a: Answers) -> str:
        built = before(a)
        monitor = a.finished_run()
        sentences = [f"{built[0].upper()}{built[1:]}."]
        if against is not None:
            seed = a.setting("seed")
            place = against_table(monitor.final_validation_accuracy, against.notebook, against.measure, seed)
            sentences.append(f"The run ends at a validation accuracy of {place.sentence(f'runs of {against.name}')}.")
            comparison = compare_recipes(
                measured(against.notebook, against.measure),
                measured(against.notebook, against.baseline),
                against.name,
                against.baseline_name,
            )
            sentences.append(
                f"Against {against.baseline_name}, with the same seeds, the mean difference of the measured runs is "
                f"{interval_text(comparison)}: {verdict_text(comparison)}."
            )
        if after is not None:
            sentences.append(after(a, monitor))
        return " ".join(sentences)

    return Exercise(
        number,
        title,
        GRAPH,
        check,
        tuple(hints),
        solution,
        parameters=parameters,
        edits=tuple(edits),
        wrong_answers=tuple(wrong_answers),
        reads=reads,
        measures=(against.measure, against.baseline) if against else (),
        spec=spec,
    )


@dataclass(frozen=True)
class Threshold:
    """A prediction of which side of `at` a measured quantity lands: the value of measure `measure`
    (minus that of `baseline` with the same seed, if given); `options` are the words for above and below."""

    notebook: str
    measure: str
    at: float
    #: What the measured quantity is, for the message ("the validation accuracy at learning rate 0.005").
    what: str = "the validation accuracy"
    options: tuple[str, str] = ("above", "below")
    baseline: str = ""
    quantity: str = "validation_accuracy"
    #: The baseline's quantity, when it is not `quantity` (a side run that trains both recipes keeps each).
    baseline_quantity: str = ""
    margin: float = noise.MACHINE_MARGIN
    #: Further answers a learner may give ("the same"), which are never the measured side.
    also: tuple[str, ...] = ()

    def values(self) -> dict[int, float]:
        values = measured(self.notebook, self.measure, self.quantity)
        if self.baseline:
            baseline = measured(self.notebook, self.baseline, self.baseline_quantity or self.quantity)
            values = noise.differences(values, baseline)
        return values

    def answer(self) -> str | None:
        """The side every run lands on, or None if `at` sits inside the measured noise."""
        return established(list(self.values().values()), self.at, self.options, self.margin)


def side_run_measured(name: str, wanted: Mapping[str, Any], call: str, measure: str, what: str):
    """For a prediction: read the learner's side run `name` (made with `wanted`, otherwise the notebook's
    settings), and set its validation accuracy beside the stored runs of `measure`."""

    def read(a: Answers) -> tuple[float, str]:
        run = a.side_run(name, wanted, call)
        place = against_table(run.validation_accuracy, a.notebook_name, measure, run.seed)
        return run.validation_accuracy, f"your side run ({what}) ends at a validation accuracy of {place.sentence()}"

    return read


def prediction(
    number: int,
    title: str,
    *,
    predicted: str,
    threshold: Threshold,
    measure: Callable[[Answers], tuple[float, str]],
    why: Callable[[Answers, float], str],
    reads: Sequence[str],
    hints: Sequence[str],
    solution: str,
    wrong_answers: Sequence[WrongAnswer],
    expected: str | Callable[[], str] = "",
) -> Exercise:
    """Predict, then measure: `predicted` names the answer variable (one of the threshold's options);
    `measure` reads the learner's measurement (a side run) and returns its value (as the threshold
    compares it) and a sentence on it; the verdict is the side every measured run lands on, `why` (from
    the learner's value) says why."""
    spec = dict(threshold=threshold)

    def check(a: Answers) -> str:
        guess = a.choice(predicted, threshold.options + threshold.also)
        try:
            value, described = measure(a)
        except (NotAttempted, NotYet) as reason:
            raise type(reason)(f"you predicted {guess!r}; now {reason}") from None
        answer = threshold.answer()
        if answer is None:  # the tests prevent it; a learner should never meet it
            raise NotYet(f"this exercise's threshold {threshold.at} sits inside the measured noise: report it.")
        values = threshold.values()
        spread = f" ({over_seeds(values)})" if threshold.baseline else ""
        lands = (
            f"{described}. Measured over seeds {seeds_text(values)}, {threshold.what} lands {answer} "
            f"{threshold.at:g} with every seed, by more than the seed and the processor move it{spread}"
        )
        return judge(guess, answer, f"{lands}: {why(a, value)}")

    return Exercise(
        number,
        title,
        PREDICTION,
        check,
        tuple(hints),
        solution,
        expected=expected,
        wrong_answers=tuple(wrong_answers),
        reads=(predicted, *reads),
        measures=tuple(m for m in (threshold.measure, threshold.baseline) if m),
        spec=spec,
    )


#: Answer-cell lines of a "how sure" solution: print the interval of `comparison`, and say what it shows.
SHOW_INTERVAL = (
    'print(f"{comparison.mean_difference:+.4f}, 95% interval {comparison.low:+.4f} to {comparison.high:+.4f}")'
)
CONCLUDE = 'conclusion = {1: "better", -1: "worse", 0: "not shown"}[comparison.direction]'
#: The words of a "how sure" conclusion about recipe a against recipe b, and the comparison's direction.
CONCLUSIONS = {"better": 1, "worse": -1, "not shown": 0}


def paired_side_runs(
    a: Answers,
    run_a: str,
    call_a: str,
    run_b: str,
    call_b: str,
    wanted_b: Mapping[str, Any],
    wanted_a: Mapping[str, Any] | None = None,
    free_a: Sequence[str] = (),
    fewest_seeds: int = 3,
) -> tuple[dict[int, float], dict[int, float]]:
    """The validation accuracies by seed of two answers holding side runs over several seeds: `run_b` with
    the `wanted_b` settings (and the notebook's otherwise), `run_a` with `wanted_a`, or, when it is None,
    with the learner's own change of the `free_a` settings from `run_b`'s; both with the same seeds."""
    runs_b = a.side_run(run_b, wanted_b, call_b, several=True)
    runs_a = a.side_run(run_a, wanted_a or {}, call_a, several=True, exactly=wanted_a is not None)
    if wanted_a is None:
        changed = {
            k for k in set(runs_a.settings) | set(runs_b.settings) if runs_a.settings.get(k) != runs_b.settings.get(k)
        }
        other = sorted(changed - set(free_a))
        if other or runs_a.edits:
            raise NotYet(
                f"`{run_a}` differs from `{run_b}` in {', '.join(other) or 'the code'}: change only "
                f"{' and '.join(free_a)}, so that the comparison changes one thing."
            )
        if not changed:
            raise NotYet(f"`{run_a}` has the same settings as `{run_b}`: change {' or '.join(free_a)}.")
    if runs_a.seeds != runs_b.seeds:
        raise NotYet(
            f"run both with the same seeds, so that they pair seed by seed: `{run_a}` has seeds {runs_a.seeds}, "
            f"`{run_b}` {runs_b.seeds}."
        )
    if len(runs_a.seeds) < fewest_seeds:
        raise NotYet(
            f"both have only seeds {runs_a.seeds}: run each with at least {fewest_seeds} seeds (seeds=[1, 2, 3]), "
            f"as an interval needs."
        )
    return runs_a.validation_accuracy, runs_b.validation_accuracy


def how_sure(
    number: int,
    title: str,
    *,
    measure: Callable[[Answers], tuple[Mapping[int, float], Mapping[int, float]]],
    names: tuple[str, str],
    conclusion: str = "conclusion",
    predicted: str = "",
    goal: int | None = None,
    goal_text: str = "",
    why: Callable[[Any], str] = lambda comparison: "",
    reads: Sequence[str],
    hints: Sequence[str],
    solution: str,
    wrong_answers: Sequence[WrongAnswer],
    expected: str | Callable[[], str] = "",
    measures: Sequence[str] = (),
) -> Exercise:
    """Predict, measure two recipes over seeds, and say how sure: `measure` reads the learner's runs and
    returns recipe a's and recipe b's validation accuracies by seed (`names` says what they are); the
    answer `conclusion` is one of CONCLUSIONS, for a against b. Correct when it matches the paired
    comparison of the learner's own runs (and, with `goal`, that comparison shows the direction the
    exercise asks to reach; `goal_text` says what to try). A `predicted` answer is reported, not graded."""

    def check(a: Answers) -> str:
        said = a.choice(conclusion, tuple(CONCLUSIONS))
        guess = a.choice(predicted, tuple(CONCLUSIONS)) if predicted else None
        values_a, values_b = measure(a)
        comparison = compare_recipes(values_a, values_b, *names)
        shows = next(word for word, direction in CONCLUSIONS.items() if direction == comparison.direction)
        found = f"the mean difference of your runs is {interval_text(comparison)}: {verdict_text(comparison)}"
        if said != shows:
            raise NotYet(f"you concluded {said!r}, but {found}, which says {shows!r}")
        if goal is not None and comparison.direction != goal:
            raise NotYet(f"{found}, as you concluded; {goal_text}")
        before = "" if guess is None else prediction_text(guess, shows)
        extra = why(comparison)
        return f"{before}As you concluded, {found}.{' ' + extra if extra else ''}"

    return Exercise(
        number,
        title,
        HOW_SURE,
        check,
        tuple(hints),
        solution,
        expected=expected,
        wrong_answers=tuple(wrong_answers),
        reads=tuple(r for r in (conclusion, predicted) if r) + tuple(reads),
        measures=tuple(measures),
        spec=dict(names=names, goal=goal),
    )


def discussion(
    number: int,
    title: str,
    *,
    hints: Sequence[str],
    solution: str,
    expected: str | Callable[[], str] = "",
    measures: Sequence[str] = (),
) -> Exercise:
    """An open question, with a model answer (and what measured runs gave, when it quotes them)."""
    return Exercise(
        number, title, DISCUSSION, None, tuple(hints), solution, expected=expected, measures=tuple(measures)
    )


# ----------------------------------------------------------------------------------------------------------
# Binding exercises to a notebook


def run_check(exercise: Exercise, namespace: Mapping[str, Any], notebook: str = "") -> tuple[str, str]:
    """(verdict, message) of `exercise` on `namespace`: "correct", "not yet" or "not attempted"."""
    answers = Answers(namespace, exercise.reads or None, notebook or str(namespace.get("NOTEBOOK", "")))
    try:
        return "correct", exercise.check(answers)
    except NotAttempted as reason:
        return "not attempted", str(reason)
    except NotYet as reason:
        return "not yet", str(reason)


class BoundExercise:
    """An exercise bound to a notebook's variables: what the learner calls."""

    def __init__(self, exercise: Exercise, namespace: Mapping[str, Any]):
        self.exercise = exercise
        self._namespace = namespace
        self._hints_given = 0

    def check(self) -> None:
        """Check the answer and print the verdict."""
        number = self.exercise.number
        if not self.exercise.checkable:
            print(
                f"Exercise {number} is a question to think about, with nothing to check: "
                f"exercise_{number}.solution() shows a model answer."
            )
            return
        verdict, message = run_check(self.exercise, self._namespace)
        after = {"correct": "", "not yet": f" (exercise_{number}.hint() gives a hint)", "not attempted": ""}[verdict]
        print(f"Exercise {number}, {verdict}: {message}{after}")

    def hint(self) -> None:
        """Print the next hint (they come one at a time; the last one repeats)."""
        hints = self.exercise.hints
        index = min(self._hints_given, len(hints) - 1)
        self._hints_given += 1
        label = f"Hint {index + 1} of {len(hints)}" if len(hints) > 1 else "Hint"
        print(f"{label}: {hints[index]}")

    def solution(self) -> None:
        """Print a solution: the settings and code changes it makes, its answer cell, and what a run gives."""
        print(solution_text(self.exercise))

    def __repr__(self) -> str:
        return f"<exercise {self.exercise.number}: {self.exercise.title}; .check(), .hint(), .solution()>"


def solution_text(exercise: Exercise) -> str:
    """What `solution()` prints."""
    lines = (
        [f"Solution to exercise {exercise.number} ({exercise.title}):"]
        if exercise.checkable
        else [f"A model answer to exercise {exercise.number} ({exercise.title}):"]
    )
    if exercise.parameters:
        lines.append(
            "In the hyperparameter cell: "
            + ", ".join(f"{k} = {v!r}" for k, v in exercise.parameters.items())
            + "; then run the notebook from the top (Run All)."
        )
    for old, new in exercise.edits:
        lines += ["In the notebook's code, change", _indented(old), "to", _indented(new)]
    if exercise.checkable and exercise.solution.strip():
        lines += ["In the answer cell:", _indented(exercise.solution.strip())]
    elif not exercise.checkable:
        lines.append(exercise.solution.strip())
    try:
        expected = exercise.expected() if callable(exercise.expected) else exercise.expected
    except KeyError as missing:  # a measurement not made yet: say which command makes it
        expected = f"not measured yet ({missing.args[0]})."
    if expected:
        lines.append(f"What the measured runs give: {expected}")
    return "\n".join(lines)


def _indented(code: str) -> str:
    return "\n".join(f"    {line}" for line in code.splitlines())


def bind(exercises: Sequence[Exercise], namespace: Mapping[str, Any]) -> tuple[BoundExercise, ...]:
    """The exercises, in order, bound to `namespace` (the notebook's `globals()`)."""
    numbers_ = [exercise.number for exercise in exercises]
    if numbers_ != list(range(1, len(exercises) + 1)):
        raise ValueError(f"exercises must be numbered 1, 2, 3, ... in order, not {numbers_}")
    return tuple(BoundExercise(exercise, namespace) for exercise in exercises)
