"""The exercises a learner can check: each solution, put into a copy of its notebook and run, passes
its check; each typical wrong answer gets the "not yet" that names its mistake; the notebooks, as
committed and in a quick run, say "not attempted"; and every exercise has its cells, hints and a
solution."""

import contextlib
import importlib
import io
import json
import types
from concurrent.futures import ThreadPoolExecutor

import pytest

from mnist_tutorial import catalog, notebook_runner
from mnist_tutorial.exercises import ANSWER_TAG, DISCUSSION, Answers, Exercise, NotYet, WrongAnswer, bind

from exercise_runs import (
    NOTEBOOKS_WITH_EXERCISES,
    check_cells,
    execute_run,
    exercises_of,
    planned_runs,
    verdicts,
)
from notebook_runs import TRAINING_NOTEBOOKS, committed, parameters_cell

#: The fewest checkable exercises a training notebook with exercises has.
CHECKABLE_PER_TRAINING_NOTEBOOK = 4
RUNS = [(name, index) for name in NOTEBOOKS_WITH_EXERCISES for index in range(len(planned_runs(name)))]


def printed(call):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        call()
    return out.getvalue()


@pytest.mark.parametrize("name", NOTEBOOKS_WITH_EXERCISES)
def test_every_exercise_has_its_cells_hints_and_solution(name):
    notebook = committed(name)
    exercises = exercises_of(name)
    if name in TRAINING_NOTEBOOKS:
        checkable = sum(exercise.checkable for exercise in exercises)
        assert checkable >= CHECKABLE_PER_TRAINING_NOTEBOOK, f"{name} has {checkable} checkable exercises"
    binding = [c for c in notebook.cells if c.cell_type == "code" and ".bind(globals())" in c.source]
    assert len(binding) == 1, f"{name}: one cell binds the exercises to the notebook"
    headings = [
        cell.source
        for cell in notebook.cells
        if cell.cell_type == "markdown" and cell.source.startswith("### Exercise ")
    ]
    assert [heading.split(":")[0] for heading in headings] == [f"### Exercise {e.number}" for e in exercises], (
        f"{name}: one '### Exercise N: ...' heading per exercise, in order"
    )
    for exercise in exercises:
        assert exercise.hints and all(hint.strip() for hint in exercise.hints)
        assert exercise.title in headings[exercise.number - 1], f"{name}: exercise {exercise.number}'s heading"
        checks = check_cells(notebook, exercise.number)
        if exercise.checkable:
            assert len(checks) == 1, f"{name}: exercise {exercise.number} needs one cell starting with its check"
            assert exercise.wrong_answers, f"{name}: exercise {exercise.number} has no wrong answer to fail its check"
            tagged = [c for c in notebook.cells if ANSWER_TAG.format(exercise.number) in c.metadata.get("tags", [])]
            if exercise.solution.strip():
                assert len(tagged) == 1, f"{name}: exercise {exercise.number}'s answer cell must be tagged"
                assert notebook.cells.index(tagged[0]) < notebook.cells.index(checks[0])
        else:
            assert not checks, f"{name}: exercise {exercise.number} is a discussion, with nothing to check"


@pytest.mark.parametrize("name", NOTEBOOKS_WITH_EXERCISES)
def test_hints_come_one_at_a_time_and_the_solution_shows_its_settings(name):
    for bound, exercise in zip(bind(exercises_of(name), {}), exercises_of(name)):
        first, second, third = (printed(bound.hint) for _ in range(3))
        if len(exercise.hints) > 1:
            assert first.startswith(f"Hint 1 of {len(exercise.hints)}:") and second.startswith("Hint 2 of")
            assert first != second
        assert third.strip().endswith(exercise.hints[-1])
        shown = printed(bound.solution)
        assert all(line.strip() in shown for line in exercise.solution.splitlines())
        for key, value in exercise.parameters.items():
            assert f"{key} = {value!r}" in shown
        for old, new in exercise.edits:
            assert all(line in shown for line in (old + "\n" + new).splitlines())


@pytest.mark.parametrize("name", NOTEBOOKS_WITH_EXERCISES)
def test_the_settings_the_measurements_used_are_the_notebooks_own(name):
    """Each module copies the notebook's settings its thresholds were measured with: a change to the
    parameters cell must come with new measurements, so the two must not drift apart."""
    module = importlib.import_module(f"mnist_tutorial.exercises.{catalog.find(name).slug}")
    cell = {}
    exec(parameters_cell(committed(name)).source, {}, cell)  # plain `name = value` lines (a test checks)
    for setting, value in getattr(module, "NOTEBOOK_SETTINGS", {}).items():
        assert cell.get(setting) == value, (
            f"{name}: {setting} is {cell.get(setting)!r} in the notebook, {value!r} in {module.__name__}"
        )


def test_a_check_says_what_is_missing_in_one_line():
    exercise = next(e for e in exercises_of("01") if e.kind != DISCUSSION and e.solution.strip())
    (bound,) = bind([exercise], {})
    line = printed(bound.check)
    assert line.count("\n") == 1 and "not yet" in line and "is not defined" in line
    (discussion,) = bind([Exercise(1, "why", DISCUSSION, None, ("a hint",), "because")], {})
    assert "nothing to check" in printed(discussion.check)


def test_a_check_names_the_settings_an_earlier_exercise_left_changed():
    answers = Answers({"hyperparameters": {"learning_rate": 0.05, "hidden_units": 300, "seed": 7}})
    with pytest.raises(NotYet, match=r"set hidden_units = 1000 \(it is 300\)"):
        answers.require_settings({"hidden_units": 1000}, {"learning_rate": 0.5})
    answers = Answers({"hyperparameters": {"learning_rate": 0.05, "hidden_units": 1000, "seed": 7}})
    with pytest.raises(NotYet, match=r"put back learning_rate = 0.5 \(it is 0.05\)"):
        answers.require_settings({"hidden_units": 1000}, {"learning_rate": 0.5, "hidden_units": 300})
    with pytest.raises(NotYet, match="made with seeds 1, 2, 3: set seed to one of them"):
        answers.seed_matched({1: 0.9, 2: 0.91, 3: 0.92})


def test_a_check_refuses_a_run_older_than_the_settings(tmp_path):
    record = tmp_path / "run.json"
    record.write_text(json.dumps({"hyperparameters": {"learning_rate": 0.3}}))
    finished = types.SimpleNamespace(outcome="finished")
    answers = Answers({"monitor": finished, "record": record, "hyperparameters": {"learning_rate": 0.005}})
    with pytest.raises(NotYet, match="changed after the last run: run all cells"):
        answers.finished_run()
    answers = Answers({"monitor": types.SimpleNamespace(outcome="diverged"), "record": record})
    with pytest.raises(NotYet, match="did not finish"):
        answers.finished_run()


def test_a_check_names_what_an_earlier_exercise_added_to_the_network():
    import tensorflow.compat.v1 as tf

    with tf.Graph().as_default():
        X = tf.placeholder(tf.float32, [None, 4])
        with tf.name_scope("layer1"):
            W1 = tf.Variable(tf.zeros([4, 3]), name="W1")
        with tf.name_scope("extra"):
            W9 = tf.Variable(tf.zeros([3, 2]), name="W9")
        logits = tf.matmul(tf.matmul(X, W1), W9)
        answers = Answers({"logits": logits})
        answers.require_network({"layer1/W1", "extra/W9"})
        with pytest.raises(NotYet, match=r"it has extra/W9\): undo the earlier change"):
            answers.require_network({"layer1/W1"})


def test_the_graph_readers_find_the_loss_its_gradients_and_its_penalty():
    """What the checks read in a learner's graph: the loss a train_step minimises (through gradients in a
    name scope of their own), the operations it differentiates, and the variables a penalty squares."""
    import tensorflow.compat.v1 as tf

    from mnist_tutorial.exercises import differentiated, minimised, penalised_variables

    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [None, 3])
        w1, w2 = tf.Variable(tf.ones([3, 2]), name="W1"), tf.Variable(tf.ones([2, 2]), name="W2")
        cross_entropy = tf.reduce_mean(tf.matmul(tf.matmul(x, w1), w2), name="cross_entropy")
        penalised = cross_entropy + 0.0001 * tf.nn.l2_loss(w1)
        plain_step = tf.train.GradientDescentOptimizer(0.1).minimize(cross_entropy)
        with tf.name_scope("train"):
            penalised_step = tf.train.AdamOptimizer(0.1).minimize(penalised)
    assert minimised(plain_step) is cross_entropy and minimised(penalised_step) is penalised
    assert "cross_entropy" in differentiated(plain_step) and "cross_entropy" in differentiated(penalised_step)
    assert penalised_variables(plain_step) == set() and penalised_variables(penalised_step) == {"W1"}


def test_the_exercise_definitions_refuse_an_unchecked_exercise_and_bad_numbering():
    with pytest.raises(ValueError, match="discussion has no check"):
        Exercise(1, "x", "code", None, ("hint",), "answer")
    with pytest.raises(ValueError, match="not one of"):
        Exercise(1, "x", "guess", lambda a: "", ("hint",), "answer")
    exercise = Exercise(2, "x", "code", lambda a: "", ("hint",), "answer", wrong_answers=(WrongAnswer("no"),))
    with pytest.raises(ValueError, match="numbered 1, 2, 3"):
        bind([exercise], {})


@pytest.mark.parametrize("name", NOTEBOOKS_WITH_EXERCISES)
def test_the_committed_notebook_says_not_attempted(name):
    found = verdicts(committed(name))
    for exercise in exercises_of(name):
        if exercise.checkable:
            assert [verdict for verdict, _ in found.get(exercise.number, [])] == ["not attempted"], (
                f"{name}: exercise {exercise.number}'s check in the committed notebook: {found.get(exercise.number)}"
            )


@pytest.mark.parametrize("name", [name for name in NOTEBOOKS_WITH_EXERCISES if name in TRAINING_NOTEBOOKS])
def test_a_quick_run_of_the_untouched_notebook_says_not_attempted(name, quick_runs):
    notebooks, _ = quick_runs
    found = verdicts(notebooks[name])
    for exercise in exercises_of(name):
        if exercise.checkable:
            assert [verdict for verdict, _ in found[exercise.number]] == ["not attempted"], (name, exercise.number)


class ExerciseRuns:
    """The planned runs of each notebook, executed two at a time the first time a test asks for that
    notebook's, then kept for the session: `runs(name)` is a list of executed notebooks."""

    def __init__(self, folder, outputs, request):
        self.folder, self.outputs, self.done, self.request = folder, outputs, {}, request

    def __call__(self, name):
        if name not in self.done:
            runs = planned_runs(name)
            outputs = [self.outputs / f"{name}-{index}" for index in range(len(runs))]  # one folder per run
            if catalog.restored_by(catalog.find(name)):
                _, trained = self.request.getfixturevalue("quick_runs")  # the networks it restores
                for output in outputs:
                    notebook_runner.copy_restored(catalog.find(name), trained, output)
            with ThreadPoolExecutor(max_workers=2) as pool:
                futures = [
                    pool.submit(execute_run, name, run, self.folder / f"{name}-{index}", outputs[index])
                    for index, run in enumerate(runs)
                ]
                self.done[name] = [future.result() for future in futures]
        return self.done[name]


@pytest.fixture(scope="session")
def exercise_runs(tmp_path_factory, request):
    return ExerciseRuns(
        tmp_path_factory.mktemp("exercise-notebooks"), tmp_path_factory.mktemp("exercise-outputs"), request
    )


@pytest.mark.slow
@pytest.mark.parametrize("name,index", RUNS)
def test_solutions_pass_and_wrong_answers_get_their_message(name, index, exercise_runs):
    run = planned_runs(name)[index]
    found = verdicts(exercise_runs(name)[index])
    for number, expected in run.expected.items():
        got = found.get(number, [])
        assert len(got) == len(expected), f"{name} ({run.label}): exercise {number} printed {got}"
        for (verdict, phrase), (got_verdict, message) in zip(expected, got):
            assert got_verdict == verdict and phrase in message, (
                f"{name} ({run.label}): exercise {number} expected {verdict!r} saying {phrase!r}, got "
                f"{got_verdict!r}: {message}"
            )
