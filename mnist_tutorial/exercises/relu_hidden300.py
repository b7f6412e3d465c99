"""The exercises of notebook 4, 300 ReLUs (see `mnist_tutorial.exercises`)."""

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
    ancestors,
    judge,
    network_variables,
    over_seeds,
)
from . import bind as bind_exercises

#: The final validation accuracy after 1,000 steps, by seed: at the notebook's settings, at learning
#: rate 0.05, and with 1,000 hidden units (`mnist-sweep 04 learning_rate=0.05,0.5
#: hidden_units=300,1000 compare_steps=50 "compare_stddevs=[0.03]" --seeds 3`).
UNITS_300 = {1: 0.969, 2: 0.9718, 3: 0.973}
RATE_005 = {1: 0.9194, 2: 0.919, 3: 0.9202}
UNITS_1000 = {1: 0.9738, 2: 0.9744, 3: 0.9732}
#: Exercise 4's line between "more" and "less": one point of validation accuracy.
ONE_POINT = 0.01
#: Two runs closer than this are level.
LEVEL = 0.002
#: The notebook's settings that the measurements above used, and its network's variables.
NOTEBOOK_SETTINGS = {"learning_rate": 0.5, "batch_size": 100, "hidden_units": 300, "init_stddev": 0.03}
NETWORK = {"hidden_layer/W1", "hidden_layer/b1", "output_layer/W2", "output_layer/b2"}


def check_silent_share(a: Answers) -> str:
    units = a.setting("hidden_units")
    mine = a.array("silent_share", (units,))
    session, mnist = a.notebook("session"), a.notebook("mnist")
    outputs = session.run(a.notebook("hidden"), feed_dict={a.notebook("X"): mnist.validation.images})
    reference = np.mean(outputs == 0, axis=0)
    if np.allclose(mine, reference, atol=1e-6):
        dead = int(np.sum(reference == 1))
        return (
            f"on average a unit is silent for {reference.mean():.0%} of the validation images (from "
            f"{reference.min():.0%} to {reference.max():.0%}): each unit answers for some digits and not for "
            f"others. {dead} of the {units} units are silent for every one of them; a unit silent for every "
            f"training image as well gets no gradient, and can never come back."
        )
    if np.allclose(mine, 1 - reference, atol=1e-6):
        raise NotYet("these are the shares of images for which each unit is active; the exercise asks for silent.")
    raise NotYet(
        "your shares differ: run `hidden` on the validation images ([5000, units]), and for each unit (axis=0) "
        "take the mean of (outputs == 0)."
    )


def check_slow_rate(a: Answers) -> str:
    predicted = a.choice("predicted_side", ("above", "below"))
    monitor = a.run_with(
        {"learning_rate": 0.05, "training_steps": 1000},
        NOTEBOOK_SETTINGS,
        NETWORK,
        f"you predicted {predicted!r}; now ",
    )
    measured = monitor.final_validation_accuracy
    side = "above" if measured > 0.95 else "below"
    usual, which = a.seed_matched(UNITS_300)
    curve = monitor.validation_accuracy
    rising = len(curve) > 1 and curve[-1] > curve[-2]
    why = (
        f"the run ends at {measured:.4f}, {side} 0.95, where learning rate 0.5 reaches {usual:.4f} ({which}): ten "
        f"times shorter steps get less far in the same 1,000 steps"
        + ("; the validation curve is still rising at the end, so more steps would take it further" if rising else "")
    )
    return judge(predicted, side, why)


def _activation_before_output(logits) -> str:
    """The type of the operation that feeds the output layer's matrix product (Relu, MatMul, Sigmoid...)."""
    op = logits.op
    while op.type in ("Add", "AddV2", "BiasAdd"):
        op = next(tensor.op for tensor in op.inputs if tensor.op.type in ("MatMul", "Add", "AddV2", "BiasAdd"))
    feeding = op.inputs[0].op
    while feeding.type in ("Identity",):
        feeding = feeding.inputs[0].op
    return feeding.type


def check_second_layer(a: Answers) -> str:
    logits = a.notebook("logits")
    weights = [op for op in ancestors(logits) if op.type == "VariableV2" and len(op.outputs[0].shape) == 2]
    shapes = sorted(tuple(op.outputs[0].shape.as_list()) for op in weights)
    if len(weights) == 2:
        raise NotAttempted("the logits still come from one hidden layer: add a second, of 100 ReLU units.")
    feeding = _activation_before_output(logits)
    if feeding in ("MatMul", "Add", "AddV2", "BiasAdd"):
        raise NotYet(
            "the second layer has no activation: it is linear, and two linear layers in a row are one. Apply "
            "tf.nn.relu to it."
        )
    if feeding not in ("Relu", "Maximum"):
        raise NotYet(f"the second layer's activation is {feeding}; the exercise asks for a ReLU, tf.nn.relu.")
    if (a.setting("hidden_units"), 100) not in shapes or (100, 10) not in shapes:
        raise NotYet(
            f"the weight matrices have shapes {shapes}; the exercise asks for "
            f"[{a.setting('hidden_units')}, 100] and [100, 10] after the first layer."
        )
    measured = a.run_with(
        {"training_steps": 1000}, NOTEBOOK_SETTINGS, network_variables(logits)
    ).final_validation_accuracy
    one_layer, which = a.seed_matched(UNITS_300)
    relation = "above" if measured > one_layer + LEVEL else ("below" if measured < one_layer - LEVEL else "level with")
    return (
        f"two ReLU layers end at {measured:.4f}, {relation} one layer's {one_layer:.4f} ({which}), after 1,000 "
        f"steps (one layer gives {over_seeds(UNITS_300)}). One seed: before you call the "
        f"difference real, run seeds 2 and 3 (a sweep does it)."
    )


def check_wider(a: Answers) -> str:
    predicted = a.choice("predicted_gain", ("more", "less"))
    measured = a.run_with(
        {"hidden_units": 1000, "training_steps": 1000}, NOTEBOOK_SETTINGS, NETWORK, f"you predicted {predicted!r}; now "
    ).final_validation_accuracy
    narrow, which = a.seed_matched(UNITS_300)
    gain = measured - narrow
    side = "more" if gain > ONE_POINT else "less"
    why = (
        f"1,000 units end at {measured:.4f}, 300 at {narrow:.4f} ({which}): a gain of {gain:+.4f}, {side} than "
        f"one point, for more than three times the weights (1,000 units give "
        f"{over_seeds(UNITS_1000)}, 300 units {over_seeds(UNITS_300)})"
    )
    return judge(predicted, side, why)


_OUTPUT_LAYER = """with tf.name_scope("output_layer"):
    W2 = tf.Variable(tf.random_normal([hidden_units, 10], stddev=init_stddev), name="W2")
    b2 = tf.Variable(tf.zeros([10]), name="b2")
    logits = tf.matmul(hidden, W2) + b2"""


def _second_layer(activation: str) -> str:
    return f"""with tf.name_scope("hidden_layer2"):
    W_h2 = tf.Variable(tf.random_normal([hidden_units, 100], stddev=init_stddev), name="W_h2")
    b_h2 = tf.Variable(tf.zeros([100]), name="b_h2")
    hidden2 = {activation}
with tf.name_scope("output_layer"):
    W2 = tf.Variable(tf.random_normal([100, 10], stddev=init_stddev), name="W2")
    b2 = tf.Variable(tf.zeros([10]), name="b2")
    logits = tf.matmul(hidden2, W2) + b2"""


EXERCISES = (
    Exercise(
        1,
        "silent units",
        CODE,
        check_silent_share,
        hints=(
            "session.run(hidden, feed_dict={X: mnist.validation.images}) gives a [5000, 300] array: one column "
            "per unit.",
            "np.mean(outputs == 0, axis=0): the mean down each column.",
        ),
        solution=(
            "outputs = session.run(hidden, feed_dict={X: mnist.validation.images})\n"
            "silent_share = np.mean(outputs == 0, axis=0)"
        ),
        wrong_answers=(
            WrongAnswer(
                "the shares of images for which each unit is active",
                "silent_share = np.mean(session.run(hidden, {X: mnist.validation.images}) > 0, axis=0)",
            ),
            WrongAnswer(
                "has shape (5000,)",
                "silent_share = np.mean(session.run(hidden, {X: mnist.validation.images}) == 0, axis=1)",
            ),
        ),
    ),
    Exercise(
        2,
        "a small learning rate",
        PREDICT,
        check_slow_rate,
        hints=(
            "At 0.5 the validation curve is near its top after a few hundred steps; how far does a tenth of each "
            "step get in 1,000?",
        ),
        solution='predicted_side = "below"',
        parameters={"learning_rate": 0.05, "training_steps": 1000},
        expected=f"{over_seeds(RATE_005)}, against {over_seeds(UNITS_300)} at learning rate 0.5.",
        wrong_answers=(
            WrongAnswer(
                "you predicted 'above'", 'predicted_side = "above"', {"learning_rate": 0.05, "training_steps": 1000}
            ),
        ),
    ),
    Exercise(
        3,
        "a second ReLU layer",
        TRAIN,
        check_second_layer,
        hints=(
            "Between the hidden layer and the output layer, add a name scope with W [hidden_units, 100], b [100] "
            "and tf.nn.relu; the output layer's W2 then takes 100 inputs.",
        ),
        solution="",
        parameters={"training_steps": 1000},
        edits=((_OUTPUT_LAYER, _second_layer("tf.nn.relu(tf.matmul(hidden, W_h2) + b_h2)")),),
        wrong_answers=(
            WrongAnswer(
                "it is linear",
                parameters={"training_steps": 1000},
                edits=((_OUTPUT_LAYER, _second_layer("tf.matmul(hidden, W_h2) + b_h2")),),
            ),
        ),
    ),
    Exercise(
        4,
        "wider",
        PREDICT,
        check_wider,
        hints=("300 units already reach well above 0.96. Where is there still room?",),
        solution='predicted_gain = "less"',
        parameters={"hidden_units": 1000, "training_steps": 1000},
        expected=f"{over_seeds(UNITS_1000)} with 1,000 units, against {over_seeds(UNITS_300)} with 300.",
        wrong_answers=(
            WrongAnswer(
                "you predicted 'more'", 'predicted_gain = "more"', {"hidden_units": 1000, "training_steps": 1000}
            ),
        ),
    ),
    Exercise(
        5,
        "dead units after a large start",
        DISCUSSION,
        None,
        hints=("With init_stddev = 1.0, how large are the first layer's inputs to the ReLU, and the first steps?",),
        solution=(
            "Measure it with exercise 1's code. With init_stddev = 1.0 the hidden inputs are about thirty times "
            "larger and the first cross-entropies huge (the comparison at the end of the notebook prints them); "
            "large first steps can push a unit's inputs below zero for every image, and such a unit never comes "
            "back. Count the units silent for every validation image, and compare."
        ),
    ),
    Exercise(
        6,
        "too wild",
        DISCUSSION,
        None,
        hints=("Look at the first steps of the training curve, and at what the monitor says.",),
        solution=(
            "At learning_rate = 2 the steps overshoot: the training curve jumps, and the run may blow up into a "
            "NaN, which the monitor stops with an explanation. A learning rate that is too large shows itself in "
            "the first few hundred steps; one that is too small only in a curve that is still rising at the end."
        ),
    ),
)


def bind(namespace: dict) -> tuple[BoundExercise, ...]:
    """Notebook 4's exercises, bound to its variables: `exercise_1, ..., exercise_6 = bind(globals())`."""
    return bind_exercises(EXERCISES, namespace)
