"""The exercises of notebook 2, the hidden layer of 25 sigmoids (see `mnist_tutorial.exercises`)."""

import numpy as np

from . import (
    AgainstRuns,
    Answers,
    BoundExercise,
    Measure,
    NotYet,
    Threshold,
    WrongAnswer,
    against_table,
    check_penalty,
    code,
    discussion,
    graph,
    measured,
    noise,
    over_seeds,
    prediction,
)
from . import bind as bind_exercises

NOTEBOOK = "02_sigmoid_hidden25"
#: Two hidden units whose weights and bias all differ by less than this are copies of each other.
SAME_WEIGHTS = 1e-5
#: Exercise 5's penalty: this many times the summed l2_loss of W1 and W2.
PENALTY = 0.0001


def distinct_units(run) -> float:
    """How many groups of copies a side run's hidden units form (weights and bias agreeing to SAME_WEIGHTS)."""
    return float(_distinct(run.variables["hidden_layer/W1"], run.variables["hidden_layer/b1"]))


def _distinct(W1: np.ndarray, b1: np.ndarray) -> int:
    groups: list[np.ndarray] = []  # one unit (input weights and bias) per group
    for unit in np.vstack([W1, b1[None, :]]).T:
        if not any(np.max(np.abs(unit - first)) < SAME_WEIGHTS for first in groups):
            groups.append(unit)
    return len(groups)


_TRAIN_STEP = "train_step = tf.train.GradientDescentOptimizer(learning_rate).minimize(cross_entropy)"
_PENALTY = (
    _TRAIN_STEP,
    "train_step = tf.train.GradientDescentOptimizer(learning_rate).minimize(\n"
    "    cross_entropy + 0.0001 * (tf.nn.l2_loss(W1) + tf.nn.l2_loss(W2)))",
)
_ZERO = {"init_stddev": 0.0, "keep_prob": 1.0, "training_steps": 2000}
#: The recipes the checks compare with, measured over seeds 1-5 by `mnist-exercises measure 02`.
MEASURES = (
    Measure(
        "zero_start",
        _ZERO,
        quantities={"validation_accuracy": lambda run: run.validation_accuracy, "distinct_units": distinct_units},
    ),
    Measure("random_start_2000", {"keep_prob": 1.0, "training_steps": 2000}),
    Measure("units_25", {"training_steps": 5000}),
    Measure("units_100", {"hidden_units": 100, "training_steps": 5000}),
    Measure("own"),
    Measure("weight_penalty", {"keep_prob": 1.0}, edits=(_PENALTY,)),
)

_ZERO_CALL = "side_runs.train(NOTEBOOK, init_stddev=0.0, keep_prob=1.0, training_steps=2000)"


def check_zero_start(a: Answers) -> str:
    run = a.side_run("zero_start", _ZERO, _ZERO_CALL)
    mine = a.number("distinct_units")
    W1, b1 = run.variables["hidden_layer/W1"], run.variables["hidden_layer/b1"]
    reference = _distinct(W1, b1)
    units = W1.shape[1]
    if mine != reference:
        if mine == units and reference < units:
            raise NotYet(
                f"{units} counts every unit; some of them are copies of others: compare each column of W1 (with "
                f"its bias) with the units already counted, and count it only if it differs by 0.00001 or more."
            )
        if mine == 1 and reference > 1:
            raise NotYet(
                "1 is what the text's argument gives in exact arithmetic; count what this run's weights show: "
                "compare the columns of zero_start.variables['hidden_layer/W1'] (with their biases)."
            )
        raise NotYet(
            f"{mine:g} is not what this run's weights give: two units are copies when every weight and the bias "
            f"differ by less than 0.00001; count the groups of copies."
        )
    place = against_table(run.validation_accuracy, NOTEBOOK, "zero_start", run.seed)
    random = measured(NOTEBOOK, "random_start_2000")
    return (
        f"after 2,000 steps from zero, the {units} units form {reference} group(s) of copies. In exact arithmetic "
        f"they would stay one unit repeated: each starts equal and gets the same gradient. The rounding of 32-bit "
        f"floats is all that sets them apart, and slowly. The run ends at a validation accuracy of "
        f"{place.sentence('runs from zero')}, where a random start gives {over_seeds(random)} in the same steps."
    )


def check_parameter_count(a: Answers) -> str:
    count = a.function("parameter_count", "widths")
    cases = ([784, 25, 10], [784, 200, 100, 60, 30, 10], [5, 3], [10, 4, 4, 2])
    for widths in cases:
        want = sum(inputs * units + units for inputs, units in zip(widths[:-1], widths[1:]))
        try:
            got = count(list(widths))
        except Exception as error:  # the learner's function: report what went wrong, in one line
            raise NotYet(f"parameter_count({widths}) raised {type(error).__name__}: {error}") from None
        if got == want:
            continue
        weights_only = sum(inputs * units for inputs, units in zip(widths[:-1], widths[1:]))
        if got == weights_only:
            raise NotYet(f"parameter_count({widths}) is {got:,}: the weights but not the biases, one per unit.")
        raise NotYet(
            f"parameter_count({widths}) is {got!r}; count, for each layer, its weight matrix (inputs x units) and "
            f"its biases (one per unit), and add the layers up."
        )
    return (
        f"this network learns {count([784, 25, 10]):,} numbers, notebook 3's five layers "
        f"{count([784, 200, 100, 60, 30, 10]):,}: almost all of them in the first layer's weights, which see every "
        f"pixel. As 32-bit floats, that is 4 bytes each."
    )


def check_hidden_by_hand(a: Answers) -> str:
    mine = a.array("hidden_by_hand", (5000, a.setting("hidden_units")))
    session, mnist = a.notebook("session"), a.notebook("mnist")
    images = mnist.validation.images
    reference = session.run(a.notebook("hidden"), feed_dict={a.notebook("X"): images})
    if np.allclose(mine, reference, atol=1e-4):
        firm = np.mean((reference < 0.05) | (reference > 0.95))
        return (
            f"your NumPy gives what the graph gives: sigmoid(X W1 + b1), one row of {reference.shape[1]} numbers "
            f"per image, each between 0 and 1 ({firm:.0%} of them within 0.05 of 0 or of 1, a firm no or yes)."
        )
    W1, b1 = session.run([a.notebook("W1"), a.notebook("b1")])
    if np.allclose(mine, 1 / (1 + np.exp(-(images @ W1))), atol=1e-4):
        raise NotYet("these are the outputs without the biases: add b1 before the sigmoid.")
    if np.allclose(mine, images @ W1 + b1, atol=1e-3):
        raise NotYet("these are the inputs of the sigmoid, not its outputs: apply 1 / (1 + exp(-z)).")
    raise NotYet(
        "your values differ from the hidden layer's: sigmoid(z) = 1 / (1 + exp(-z)), with "
        "z = validation images x W1 + b1, using session.run([W1, b1]) for the weights."
    )


_WIDE = "side_runs.train(NOTEBOOK, hidden_units=100, training_steps=5000)"
_NARROW = "side_runs.train(NOTEBOOK, training_steps=5000)"


def read_gain(a: Answers) -> tuple[float, str]:
    wide = a.side_run("wide_run", {"hidden_units": 100, "training_steps": 5000}, _WIDE)
    narrow = a.side_run("narrow_run", {"training_steps": 5000}, _NARROW)
    if wide.seed != narrow.seed:
        raise NotYet(f"`wide_run` has seed {wide.seed} and `narrow_run` seed {narrow.seed}: give both the same.")
    gain = wide.validation_accuracy - narrow.validation_accuracy
    return gain, (
        f"your side runs end at {wide.validation_accuracy:.4f} with 100 units and {narrow.validation_accuracy:.4f} "
        f"with 25 (seed {wide.seed}): a gain of {gain:+.4f}"
    )


def why_wider(a: Answers, gain: float) -> str:
    return (
        "25 units must share out every stroke of ten digits; with four times as many, each can pick out "
        "something narrower (at the price of four times the weights)"
    )


def penalty(a: Answers) -> str:
    mnist = a.notebook("mnist")
    feed = {a.notebook("X"): mnist.validation.images[:500], a.notebook("Y_"): mnist.validation.labels[:500]}
    return check_penalty(a, ("W1", "W2"), PENALTY, feed)


def after_penalty(a: Answers, monitor) -> str:
    late_train = monitor.train_cross_entropy[-max(1, monitor.training_steps // 10) :].mean()
    return (
        f"Its cross-entropy ends at {monitor.validation_cross_entropy[-1]:.4f} on the validation set and "
        f"{late_train:.4f} on the last tenth of the training batches: the gap a penalty, or dropout, is meant to "
        f"keep small."
    )


EXERCISES = (
    code(
        1,
        "all weights start at zero",
        check_zero_start,
        reads=("zero_start", "distinct_units"),
        hints=(
            "zero_start.variables['hidden_layer/W1'] is [784, 25]: one column per unit; "
            "zero_start.variables['hidden_layer/b1'] the 25 biases.",
            "Go through the units one by one, and keep a unit as a new group only if it differs from every group "
            "kept so far by 0.00001 or more somewhere: np.max(np.abs(unit - kept)) >= 0.00001.",
        ),
        solution=(
            f"zero_start = {_ZERO_CALL}\n"
            "units = np.vstack([zero_start.variables['hidden_layer/W1'], zero_start.variables['hidden_layer/b1']]).T\n"
            "kept = []\n"
            "for unit in units:\n"
            "    if all(np.max(np.abs(unit - other)) >= 0.00001 for other in kept):\n"
            "        kept.append(unit)\n"
            "distinct_units = len(kept)\n"
            "plotting.plot_weight_images(zero_start.variables['hidden_layer/W1'], ncols=5)"
        ),
        expected=lambda: (
            f"{over_seeds(measured(NOTEBOOK, 'zero_start', 'distinct_units'))} groups of copies; a validation "
            f"accuracy of {over_seeds(measured(NOTEBOOK, 'zero_start'))}."
        ),
        wrong_answers=(WrongAnswer("counts every unit", f"zero_start = {_ZERO_CALL}\ndistinct_units = 25"),),
    ),
    code(
        2,
        "how many numbers it learns",
        check_parameter_count,
        reads=("parameter_count",),
        hints=(
            "A layer from n inputs to m units has a weight matrix [n, m] and m biases.",
            "Pair each width with the next: zip(widths[:-1], widths[1:]) gives (inputs, units) layer by layer.",
        ),
        solution=(
            "def parameter_count(widths):\n"
            "    return sum(inputs * units + units for inputs, units in zip(widths[:-1], widths[1:]))"
        ),
        wrong_answers=(
            WrongAnswer(
                "not the biases",
                "def parameter_count(widths):\n"
                "    return sum(inputs * units for inputs, units in zip(widths[:-1], widths[1:]))",
            ),
            WrongAnswer("must be a function", "parameter_count = 19885"),
        ),
    ),
    code(
        3,
        "the hidden layer in NumPy",
        check_hidden_by_hand,
        reads=("hidden_by_hand", "hyperparameters", "session", "mnist", "hidden", "X", "W1", "b1"),
        hints=(
            "W1_values, b1_values = session.run([W1, b1]) gives the trained weights as arrays; "
            "mnist.validation.images is [5000, 784].",
            "Each unit's output is the sigmoid, 1 / (1 + e^-z), of z: the images times W1 (a matrix product, @), "
            "plus b1 (added to every row).",
        ),
        solution=(
            "W1_values, b1_values = session.run([W1, b1])\n"
            "hidden_by_hand = 1 / (1 + np.exp(-(mnist.validation.images @ W1_values + b1_values)))"
        ),
        wrong_answers=(
            WrongAnswer(
                "without the biases",
                "W1_values = session.run(W1)\n"
                "hidden_by_hand = 1 / (1 + np.exp(-(mnist.validation.images @ W1_values)))",
            ),
            WrongAnswer("has shape (25,)", "hidden_by_hand = np.zeros(25)"),
        ),
    ),
    prediction(
        4,
        "wider",
        predicted="predicted_gain",
        threshold=Threshold(
            NOTEBOOK,
            "units_100",
            0.005,
            "the gain of 100 units over 25",
            ("more", "less"),
            baseline="units_25",
            # a difference of two runs: each may move by the processor's margin
            margin=2 * noise.MACHINE_MARGIN,
        ),
        measure=read_gain,
        why=why_wider,
        reads=("wide_run", "narrow_run"),
        hints=("25 units must cover every stroke of ten digits; how many strokes can 25 detectors tell apart?",),
        solution=f'predicted_gain = "more"\nwide_run = {_WIDE}\nnarrow_run = {_NARROW}',
        expected=lambda: (
            f"{over_seeds(measured(NOTEBOOK, 'units_100'))} with 100 units, against "
            f"{over_seeds(measured(NOTEBOOK, 'units_25'))} with 25."
        ),
        wrong_answers=(
            WrongAnswer("you predicted 'less'", f'predicted_gain = "less"\nwide_run = {_WIDE}\nnarrow_run = {_NARROW}'),
            WrongAnswer(
                "needs hidden_units = 100",
                f'predicted_gain = "more"\nwide_run = {_NARROW}\nnarrow_run = {_NARROW}',
            ),
        ),
    ),
    graph(
        5,
        "Ng's regularisation",
        penalty,
        reads=("train_step", "W1", "W2", "cross_entropy", "mnist", "X", "Y_"),
        hints=(
            "Change what train_step minimises: the cross-entropy plus 0.0001 times the l2_loss of W1 and of W2.",
            "tf.nn.l2_loss(W) is half the sum of the squares of W's numbers. Set keep_prob = 1.0 too.",
        ),
        parameters={"keep_prob": 1.0},
        edits=(_PENALTY,),
        against=AgainstRuns(NOTEBOOK, "weight_penalty", "own", "the penalty without dropout", "dropout"),
        after=after_penalty,
        wrong_answers=(
            WrongAnswer(
                "but not output_layer/W2",
                parameters={"keep_prob": 1.0},
                edits=(
                    (
                        _TRAIN_STEP,
                        "train_step = tf.train.GradientDescentOptimizer(learning_rate).minimize(\n"
                        "    cross_entropy + 0.0001 * tf.nn.l2_loss(W1))",
                    ),
                ),
            ),
            WrongAnswer(
                "the exercise asks for 0.0001 times it",
                parameters={"keep_prob": 1.0},
                edits=((_TRAIN_STEP, _PENALTY[1].replace("0.0001", "0.001")),),
            ),
            WrongAnswer("set keep_prob = 1.0", edits=(_PENALTY,)),
        ),
    ),
    discussion(
        6,
        "fewer, larger steps",
        hints=("The same number of images, in half as many steps: what does each step do with twice the images?",),
        solution=(
            "Each step averages the gradient over twice the images, which makes it less noisy but not longer: "
            "with the same learning rate the weights travel about half as far in total. Expect a slightly lower "
            "validation accuracy, unless you also raise the learning rate. Measure it on the side, over seeds "
            "(side_runs.train(NOTEBOOK, training_steps=10000, batch_size=100, seeds=[1, 2, 3]) against the "
            "notebook's settings with the same seeds), and let significance.compare_recipes say whether the "
            "difference is more than the seeds move it."
        ),
    ),
    discussion(
        7,
        "dropout off, dropout strong",
        hints=("With 25 units, how much can the network memorise of 55,000 images?",),
        solution=(
            "Expect little change without dropout, since 25 units are too few to memorise 55,000 images and there "
            "is little overfitting for dropout to prevent; with keep_prob = 0.5 half of the units are gone at every "
            "step, and the rest must each carry more. Compare the final validation accuracies and the gap between "
            "the training and validation curves, and before you call a difference real, run each setting with "
            "three seeds on the side and compare them seed by seed (significance.compare_recipes)."
        ),
    ),
)


def bind(namespace: dict) -> tuple[BoundExercise, ...]:
    """Notebook 2's exercises, bound to its variables: `exercise_1, ..., exercise_7 = bind(globals())`."""
    return bind_exercises(EXERCISES, namespace)
