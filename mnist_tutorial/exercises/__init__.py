"""Exercises a learner can check: each has `check()`, `hint()` and `solution()`, offline.

A notebook's exercise section binds its exercises to the notebook's own variables in one line::

    from mnist_tutorial.exercises import softmax
    exercise_1, exercise_2, exercise_3 = softmax.bind(globals())

and each exercise has a cell for the answer followed by `exercise_1.check()`. A check reads only what
the notebook holds (the answer's variable, the session, the tensors, the training monitor and the run's
record); it runs nothing but the learner's own objects. Answers are measured on the validation set: a
check runs the network on the test set only to recognise an answer computed there by mistake, and never
shows a test figure. A check that compares a run with measured runs first makes sure the run was made,
top to bottom, with the settings and the network its measurements used (only the exercise's own changes
differ), and with a seed they were measured with. It prints one of three verdicts:

- **correct**, with a sentence on what the result means;
- **not yet**, saying specifically what is missing or wrong (a missing variable, a wrong shape, a
  value off by a factor, a setting not changed);
- **not attempted**, while the answer is still `None` or the run has not been made.

There are four kinds of exercise: *code* (write a tensor or a function; the check compares it with a
reference on fixed inputs), *train* (change the network or its settings and run the notebook again;
the check reads the graph and the run's record, against thresholds measured over seeds), *predict*
(record a prediction, then run; the check compares it with what the run measured and explains), and
*discussion* (an open question, with a model answer behind `solution()` and nothing to check).

The exercises of notebook `NN_<slug>` are the module `mnist_tutorial/exercises/<slug>.py`: a tuple
`EXERCISES` of `Exercise` and the small check functions beside it. To add one, write its check (it
returns the "correct" sentence, or raises `NotYet` or `NotAttempted`), add its `Exercise` entry, its
cells in the notebook (the answer cell tagged `exercise-N`), and a typical wrong answer to
`wrong_answers`: the tests run the solution in a copy of the notebook and each wrong answer against
the check.
"""

from __future__ import annotations

import json
import numbers
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

#: The kinds of exercise.
CODE, TRAIN, PREDICT, DISCUSSION = "code", "train", "predict", "discussion"
KINDS = (CODE, TRAIN, PREDICT, DISCUSSION)
#: The tag of the cell that holds exercise N's answer: "exercise-N".
ANSWER_TAG = "exercise-{}"


class NotYet(Exception):
    """The answer is there but not right yet; the message says what is missing or wrong."""


class NotAttempted(Exception):
    """Nothing to check yet: the answer is still `None`, or the run the exercise asks for was not made."""


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
    #: The values of the hyperparameter cell the solution sets; the run then made with them.
    parameters: Mapping[str, Any] = field(default_factory=dict)
    #: Changes the solution makes to the notebook's own code: (the line as it is, the line as it becomes).
    edits: tuple[tuple[str, str], ...] = ()
    #: For a measurement, the range a correct run gives (measured over seeds), shown with the solution.
    expected: str = ""
    #: Typical wrong answers and the phrase each one's "not yet" contains (the tests check them).
    wrong_answers: tuple[WrongAnswer, ...] = ()

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


class Answers:
    """The notebook's variables, as a check reads them: each accessor raises NotAttempted or NotYet
    with one line saying what is missing or wrongly shaped."""

    def __init__(self, namespace: Mapping[str, Any]):
        self._namespace = namespace

    def answer(self, name: str) -> Any:
        """The learner's answer `name`: NotAttempted while it is None, NotYet when its cell was not run."""
        if name not in self._namespace:
            raise NotYet(f"`{name}` is not defined: run the answer cell above the check (it sets `{name}`).")
        value = self._namespace[name]
        if value is None:
            raise NotAttempted(f"`{name}` is still None: replace None with your answer and run the cell.")
        return value

    def notebook(self, name: str) -> Any:
        """One of the notebook's own objects (the session, a tensor, the monitor)."""
        if name not in self._namespace:
            raise NotYet(f"`{name}` is not defined: run the notebook from the top (Run All) before checking.")
        return self._namespace[name]

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


def over_seeds(by_seed: Mapping[int, float]) -> str:
    """ "0.9138 to 0.9156 over seeds 1-3": the range of values measured by seed."""
    low, high, seeds = min(by_seed.values()), max(by_seed.values()), sorted(by_seed)
    span = f"seeds {seeds[0]}-{seeds[-1]}" if seeds == list(range(seeds[0], seeds[-1] + 1)) else f"seeds {seeds}"
    return f"{low:.4f} with each of {span}" if low == high else f"{low:.4f} to {high:.4f} over {span}"


def judge(predicted: str, measured: str, why: str) -> str:
    """A prediction's verdict: the "correct" sentence when `predicted` is what the run `measured`, else NotYet;
    `why` (no final full stop) says what was measured and why."""
    if predicted != measured:
        raise NotYet(f"you predicted {predicted!r}, but {why}.")
    return f"as you predicted, {why}."


def run_check(exercise: Exercise, namespace: Mapping[str, Any]) -> tuple[str, str]:
    """(verdict, message) of `exercise` on `namespace`: "correct", "not yet" or "not attempted"."""
    try:
        return "correct", exercise.check(Answers(namespace))
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
    if exercise.expected:
        lines.append(f"What a correct run gives: {exercise.expected}")
    return "\n".join(lines)


def _indented(code: str) -> str:
    return "\n".join(f"    {line}" for line in code.splitlines())


def bind(exercises: Sequence[Exercise], namespace: Mapping[str, Any]) -> tuple[BoundExercise, ...]:
    """The exercises, in order, bound to `namespace` (the notebook's `globals()`)."""
    numbers_ = [exercise.number for exercise in exercises]
    if numbers_ != list(range(1, len(exercises) + 1)):
        raise ValueError(f"exercises must be numbered 1, 2, 3, ... in order, not {numbers_}")
    return tuple(BoundExercise(exercise, namespace) for exercise in exercises)
