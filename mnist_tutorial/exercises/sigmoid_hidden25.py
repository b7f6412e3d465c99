"""The exercises of notebook 2, the hidden layer of 25 sigmoids (see `mnist_tutorial.exercises`)."""

import numpy as np

from . import (
    CODE,
    DISCUSSION,
    PREDICT,
    TRAIN,
    Answers,
    BoundExercise,
    Exercise,
    NotAttempted,
    NotYet,
    WrongAnswer,
    judge,
    over_seeds,
    penalised_variables,
)
from . import bind as bind_exercises

#: The final validation accuracy after 5,000 steps, by seed, with 25 and with 100 hidden units
#: (`mnist-sweep 02 hidden_units=25,100 training_steps=5000 --seeds 3`).
UNITS_25_AT_5000 = {1: 0.9514, 2: 0.9478, 3: 0.9534}
UNITS_100_AT_5000 = {1: 0.9694, 2: 0.9696, 3: 0.968}
#: ... and with init_stddev = 0.1 and 0.0, keep_prob = 1.0, after 2,000 steps (`mnist-sweep 02
#: init_stddev=0.0,0.1 keep_prob=1.0 training_steps=2000 --seeds 3`).
RANDOM_START_AT_2000 = {1: 0.943, 2: 0.943, 3: 0.9428}
ZERO_START_AT_2000 = {1: 0.7278, 2: 0.769, 3: 0.7434}
#: Exercise 4's line between "more" and "less": one point of validation accuracy.
ONE_POINT = 0.01
#: Two hidden units whose weights all differ by less than this are copies of each other.
SAME_WEIGHTS = 1e-5
#: The notebook's settings that the measurements above used, and its network's variables.
NOTEBOOK_SETTINGS = {"learning_rate": 0.5, "batch_size": 50, "hidden_units": 25, "keep_prob": 0.9, "init_stddev": 0.1}
NETWORK = {"hidden_layer/W1", "hidden_layer/b1", "output_layer/W2", "output_layer/b2"}


def _distinct_units(a: Answers) -> int:
    """How many groups of copies the hidden units form: units whose weights and bias all agree to SAME_WEIGHTS."""
    session = a.notebook("session")
    W1, b1 = session.run([a.notebook("W1"), a.notebook("b1")])
    groups = []  # one representative unit (input weights and bias) per group
    for unit in np.vstack([W1, b1[None, :]]).T:
        if not any(np.max(np.abs(unit - first)) < SAME_WEIGHTS for first in groups):
            groups.append(unit)
    return len(groups)


def check_symmetry(a: Answers) -> str:
    predicted = a.choice("predicted_side", ("above", "below"))
    wanted = {"init_stddev": 0.0, "keep_prob": 1.0, "training_steps": 2000}
    measured = a.run_with(
        wanted, NOTEBOOK_SETTINGS, NETWORK, f"you predicted {predicted!r}; now "
    ).final_validation_accuracy
    distinct, units = _distinct_units(a), a.setting("hidden_units")
    side = "above" if measured > 0.9 else "below"
    random_start, which = a.seed_matched(RANDOM_START_AT_2000)
    why = (
        f"the run ends at {measured:.4f}, {side} 0.9, where a random start reaches {random_start:.4f} ({which}). "
        f"All {units} units start equal, so each gets the same gradient as every other and, in exact arithmetic, "
        f"they would stay copies of one unit forever; after 2,000 steps the {units} units form {distinct} "
        f"group(s) of copies (weights that agree to within 0.00001), set apart only by the rounding of 32-bit "
        f"floats. Random initial weights break the symmetry at once"
    )
    return judge(predicted, side, why)


def check_parameter_count(a: Answers) -> str:
    import tensorflow.compat.v1 as tf

    count = a.number("parameter_count")
    with a.notebook("session").graph.as_default():
        variables = tf.trainable_variables()
    sizes = {variable.op.name: variable.shape.num_elements() for variable in variables}
    total = sum(sizes.values())
    if count == total:
        listing = ", ".join(f"{name} {size:,}" for name, size in sizes.items())
        return (
            f"{total:,} numbers to learn ({listing}): about {total / 7850:.1f} times the softmax layer's 7,850, "
            f"and {total * 4 / 1000:.0f} KB as 32-bit floats."
        )
    weights_only = sum(size for name, size in sizes.items() if name.split("/")[-1].startswith("W"))
    if count == weights_only:
        raise NotYet(f"{int(count):,} counts the weights but not the biases: each unit also has one.")
    raise NotYet(
        f"{count:,.0f} is not it. Count, for each layer, its weight matrix (inputs x units) and its "
        f"biases (one per unit)."
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


def check_wider(a: Answers) -> str:
    predicted = a.choice("predicted_gain", ("more", "less"))
    wanted = {"hidden_units": 100, "training_steps": 5000}
    monitor = a.run_with(wanted, NOTEBOOK_SETTINGS, NETWORK, f"you predicted {predicted!r}; now ")
    measured = monitor.final_validation_accuracy
    narrow, which = a.seed_matched(UNITS_25_AT_5000)
    gain = measured - narrow
    side = "more" if gain > ONE_POINT else "less"
    why = (
        f"the run ends at {measured:.4f}, against {narrow:.4f} for 25 units at 5,000 steps ({which}): a gain "
        f"of {gain:+.4f}, {side} than one point, for four times the weights (100 units give "
        f"{over_seeds(UNITS_100_AT_5000)}, 25 units {over_seeds(UNITS_25_AT_5000)})"
    )
    return judge(predicted, side, why)


def check_weight_decay(a: Answers) -> str:
    penalised = penalised_variables(a.notebook("train_step"))
    names = {a.notebook(name).op.name for name in ("W1", "W2")}
    if not penalised:
        raise NotAttempted("train_step minimises no tf.nn.l2_loss yet: add the penalty to what it minimises.")
    if not names <= penalised:
        missing = ", ".join(sorted(names - penalised))
        raise NotYet(
            f"the penalty covers {', '.join(sorted(penalised))} but not {missing}: add tf.nn.l2_loss "
            f"of every weight matrix."
        )
    if a.setting("keep_prob") != 1.0:
        raise NotYet(f"keep_prob is {a.setting('keep_prob')}: set it to 1.0, so that the penalty replaces dropout.")
    monitor = a.finished_run()
    late_train = monitor.train_cross_entropy[-max(1, monitor.training_steps // 10) :].mean()
    return (
        f"the loss now adds a penalty on the squared weights of both layers, which pulls every weight towards "
        f"zero at each step. The run ends at a validation accuracy of {monitor.final_validation_accuracy:.4f}; its "
        f"cross-entropy is {monitor.validation_cross_entropy[-1]:.4f} on the validation set and {late_train:.4f} "
        f"on the last tenth of the training batches (the gap a penalty, or dropout, is meant to keep small)."
    )


_TRAIN_STEP = "train_step = tf.train.GradientDescentOptimizer(learning_rate).minimize(cross_entropy)"

EXERCISES = (
    Exercise(
        1,
        "all weights start at zero",
        PREDICT,
        check_symmetry,
        hints=(
            "If two hidden units have the same weights, what is different about the gradients they receive?",
            "With every weight at zero, all 25 units compute the same output for every image, and W2 gives each "
            "of them the same share of the error.",
        ),
        solution='predicted_side = "below"',
        parameters={"init_stddev": 0.0, "keep_prob": 1.0, "training_steps": 2000},
        expected=f"{over_seeds(ZERO_START_AT_2000)}, against {over_seeds(RANDOM_START_AT_2000)} from a random start.",
        wrong_answers=(
            WrongAnswer(
                "you predicted 'above'",
                'predicted_side = "above"',
                {"init_stddev": 0.0, "keep_prob": 1.0, "training_steps": 2000},
            ),
        ),
    ),
    Exercise(
        2,
        "how many numbers it learns",
        CODE,
        check_parameter_count,
        hints=(
            "Two layers, each a weight matrix and a bias vector. The hidden layer's weights are [784, 25].",
            "784 x 25 + 25 for the hidden layer; then the same for the output layer, 25 inputs and 10 units.",
        ),
        solution="parameter_count = 784 * hidden_units + hidden_units + hidden_units * 10 + 10",
        wrong_answers=(
            WrongAnswer("not the biases", "parameter_count = 784 * 25 + 25 * 10"),
            WrongAnswer("must be a single number", 'parameter_count = "19885"'),
        ),
    ),
    Exercise(
        3,
        "the hidden layer in NumPy",
        CODE,
        check_hidden_by_hand,
        hints=(
            "W1_values, b1_values = session.run([W1, b1]) gives the trained weights as arrays; "
            "mnist.validation.images is [5000, 784].",
            "hidden_by_hand = 1 / (1 + np.exp(-(mnist.validation.images @ W1_values + b1_values)))",
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
    Exercise(
        4,
        "wider",
        PREDICT,
        check_wider,
        hints=("25 units must cover every stroke of ten digits; how many strokes can 25 detectors tell apart?",),
        solution='predicted_gain = "more"',
        parameters={"hidden_units": 100, "training_steps": 5000},
        expected=f"{over_seeds(UNITS_100_AT_5000)} with 100 units, against {over_seeds(UNITS_25_AT_5000)} with 25.",
        wrong_answers=(
            WrongAnswer(
                "you predicted 'less'", 'predicted_gain = "less"', {"hidden_units": 100, "training_steps": 5000}
            ),
        ),
    ),
    Exercise(
        5,
        "Ng's regularisation",
        TRAIN,
        check_weight_decay,
        hints=(
            "Change what train_step minimises: the cross-entropy plus 0.0001 times the l2_loss of W1 and of W2.",
            "tf.nn.l2_loss(W) is half the sum of the squares of W's numbers. Set keep_prob = 1.0 too.",
        ),
        solution="",
        parameters={"keep_prob": 1.0},
        edits=(
            (
                _TRAIN_STEP,
                "train_step = tf.train.GradientDescentOptimizer(learning_rate).minimize(\n"
                "    cross_entropy + 0.0001 * (tf.nn.l2_loss(W1) + tf.nn.l2_loss(W2)))",
            ),
        ),
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
        ),
    ),
    Exercise(
        6,
        "fewer, larger steps",
        DISCUSSION,
        None,
        hints=("The same number of images, in half as many steps: what does each step do with twice the images?",),
        solution=(
            "Each step averages the gradient over twice the images, which makes it less noisy but not longer: "
            "with the same learning rate the weights travel about half as far in total. Expect a slightly lower "
            "validation accuracy, unless you also raise the learning rate."
        ),
    ),
    Exercise(
        7,
        "dropout off, dropout strong",
        DISCUSSION,
        None,
        hints=("With 25 units, how much can the network memorise of 55,000 images?",),
        solution=(
            "This notebook does not measure it, so run it: compare the final validation accuracies, and the gap "
            "between the training and validation curves. Expect little change without dropout, since 25 units "
            "are too few to memorise 55,000 images and there is little overfitting for dropout to prevent; with "
            "keep_prob = 0.5 half of the units are gone at every step, and the rest must each carry more. Before "
            "you call a difference real, run a second seed."
        ),
    ),
)


def bind(namespace: dict) -> tuple[BoundExercise, ...]:
    """Notebook 2's exercises, bound to its variables: `exercise_1, ..., exercise_7 = bind(globals())`."""
    return bind_exercises(EXERCISES, namespace)
