"""The exercises of notebook 4, 300 ReLUs (see `mnist_tutorial.exercises`)."""

import numpy as np

from . import (
    CONCLUDE,
    SHOW_INTERVAL,
    AgainstRuns,
    Answers,
    BoundExercise,
    Measure,
    NotAttempted,
    NotYet,
    Threshold,
    WrongAnswer,
    ancestors,
    code,
    compare_recipes,
    discussion,
    graph,
    how_sure,
    initial_scale,
    interval_text,
    measured,
    over_seeds,
    paired_side_runs,
    prediction,
    side_run_measured,
    verdict_text,
)
from . import bind as bind_exercises

NOTEBOOK = "04_relu_hidden300"

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


_TWO_LAYERS = (_OUTPUT_LAYER, _second_layer("tf.nn.relu(tf.matmul(hidden, W_h2) + b_h2)"))
#: The recipes the checks compare with, measured over seeds 1-5 by `mnist-exercises measure 04`.
MEASURES = (
    Measure("own"),
    Measure("small_rate", {"learning_rate": 0.05}),
    Measure("two_layers", edits=(_TWO_LAYERS,)),
    Measure("wide", {"hidden_units": 1000}),
)


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


_SLOW = "side_runs.train(NOTEBOOK, learning_rate=0.05)"


def why_slow(a: Answers, value: float) -> str:
    return (
        f"at 0.5 the same 1,000 steps give {over_seeds(measured(NOTEBOOK, 'own'))}: ten times shorter steps get "
        f"less far in the same number of steps (look at `slow_run.monitor.validation_accuracy`: still rising at "
        f"the end?)"
    )


def _activation_before_output(logits) -> str:
    """The type of the operation that feeds the output layer's matrix product (Relu, MatMul, Sigmoid...)."""
    op = logits.op
    while op.type in ("Add", "AddV2", "BiasAdd"):
        op = next(tensor.op for tensor in op.inputs if tensor.op.type in ("MatMul", "Add", "AddV2", "BiasAdd"))
    feeding = op.inputs[0].op
    while feeding.type in ("Identity",):
        feeding = feeding.inputs[0].op
    return feeding.type


def second_layer(a: Answers) -> str:
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
    _require_drawn_as_the_others(logits, weights, a.setting("init_stddev"))
    return "a second hidden layer of 100 ReLUs feeds the output layer"


def _require_drawn_as_the_others(logits, weights, stddev: float) -> None:
    """NotYet naming a weight matrix that does not start as the notebook's do: from tf.random_normal at
    `stddev` (init_stddev), read off the operations that draw its initial value, as notebook 1's exercise 5 does."""
    import tensorflow.compat.v1 as tf

    variables = {variable.op: variable for variable in logits.graph.get_collection(tf.GraphKeys.GLOBAL_VARIABLES)}
    for op in sorted(weights, key=lambda op: op.name):
        start, scale = initial_scale(variables[op]) if op in variables else ("unknown", None)
        if start == "RandomStandardNormal" and scale is not None and np.isclose(scale, stddev):
            continue
        drawn = (
            f"tf.random_normal with a standard deviation of {1.0 if scale is None else scale:g}"
            if start == "RandomStandardNormal"
            else f"a {start} operation"
        )
        raise NotYet(
            f"{op.name} {op.outputs[0].shape.as_list()} starts from {drawn}; draw it as the other weights are, "
            f"with tf.random_normal and stddev=init_stddev ({stddev:g})."
        )


_WIDE = "side_runs.train(NOTEBOOK, hidden_units=1000, seeds=[1, 2, 3])"
_USUAL = "side_runs.train(NOTEBOOK, seeds=[1, 2, 3])"


def read_wide(a: Answers):
    return paired_side_runs(a, "wide_runs", _WIDE, "usual_runs", _USUAL, {}, wanted_a={"hidden_units": 1000})


def why_wide(comparison) -> str:
    stored = compare_recipes(measured(NOTEBOOK, "wide"), measured(NOTEBOOK, "own"), "1,000 units", "300 units")
    return (
        f"The mean difference of the stored runs is {interval_text(stored)}: {verdict_text(stored)}. A gain that "
        f"small may not show with three seeds, whose interval is wider."
    )


EXERCISES = (
    code(
        1,
        "silent units",
        check_silent_share,
        reads=("silent_share", "hyperparameters", "session", "mnist", "hidden", "X"),
        hints=(
            "session.run(hidden, feed_dict={X: mnist.validation.images}) gives a [5000, 300] array: one column "
            "per unit.",
            "A unit's share is the mean, over the images (the rows), of whether its output is 0.",
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
    prediction(
        2,
        "a small learning rate",
        predicted="predicted_side",
        threshold=Threshold(NOTEBOOK, "small_rate", 0.95, "the validation accuracy at learning rate 0.05"),
        measure=side_run_measured("slow_run", {"learning_rate": 0.05}, _SLOW, "small_rate", "learning rate 0.05"),
        why=why_slow,
        reads=("slow_run",),
        hints=(
            "At 0.5 the validation curve is near its top after a few hundred steps; how far does a tenth of each "
            "step get in 1,000?",
        ),
        solution=f'predicted_side = "below"\nslow_run = {_SLOW}',
        expected=lambda: (
            f"{over_seeds(measured(NOTEBOOK, 'small_rate'))}, against {over_seeds(measured(NOTEBOOK, 'own'))} at "
            f"learning rate 0.5."
        ),
        wrong_answers=(WrongAnswer("you predicted 'above'", f'predicted_side = "above"\nslow_run = {_SLOW}'),),
    ),
    graph(
        3,
        "a second ReLU layer",
        second_layer,
        reads=(),
        hints=(
            "Between the hidden layer and the output layer, add a name scope with W [hidden_units, 100] drawn as the "
            "other weights are (tf.random_normal, stddev=init_stddev), b [100] of zeros, and tf.nn.relu; the "
            "output layer's W2 then takes 100 inputs.",
        ),
        edits=(_TWO_LAYERS,),
        against=AgainstRuns(NOTEBOOK, "two_layers", "own", "two ReLU layers", "one layer"),
        wrong_answers=(
            WrongAnswer("it is linear", edits=((_OUTPUT_LAYER, _second_layer("tf.matmul(hidden, W_h2) + b_h2")),)),
            WrongAnswer(
                "starts from tf.random_normal with a standard deviation of 1;",
                edits=(
                    (
                        _OUTPUT_LAYER,
                        _second_layer("tf.nn.relu(tf.matmul(hidden, W_h2) + b_h2)").replace(
                            "[hidden_units, 100], stddev=init_stddev", "[hidden_units, 100]"
                        ),
                    ),
                ),
            ),
            WrongAnswer(
                "asks for a ReLU",
                edits=((_OUTPUT_LAYER, _second_layer("tf.nn.sigmoid(tf.matmul(hidden, W_h2) + b_h2)")),),
            ),
        ),
    ),
    how_sure(
        4,
        "wider",
        measure=read_wide,
        names=("1,000 units", "300 units"),
        predicted="predicted",
        why=why_wide,
        reads=("wide_runs", "usual_runs"),
        hints=(
            "300 units already reach well above 0.96. Where is there still room?",
            "significance.compare_recipes(wide_runs.validation_accuracy, usual_runs.validation_accuracy, "
            "'1,000 units', '300 units') gives the interval: above 0, below 0, or across it.",
        ),
        solution=(
            'predicted = "better"  # or what you expected\n'
            f"wide_runs = {_WIDE}\n"
            f"usual_runs = {_USUAL}\n"
            "comparison = significance.compare_recipes(wide_runs.validation_accuracy, usual_runs.validation_accuracy,\n"
            '                                          "1,000 units", "300 units")\n'
            f"{SHOW_INTERVAL}\n"
            f"{CONCLUDE}"
        ),
        expected=lambda: (
            f"1,000 units: {over_seeds(measured(NOTEBOOK, 'wide'))}; "
            f"300 units: {over_seeds(measured(NOTEBOOK, 'own'))}."
        ),
        measures=("wide", "own"),
        wrong_answers=(
            WrongAnswer(
                "you concluded 'worse'",
                f'predicted = "better"\nwide_runs = {_WIDE}\nusual_runs = {_USUAL}\nconclusion = "worse"',
            ),
            WrongAnswer(
                "must be what side_runs.train returns for several seeds",
                f'predicted = "better"\nwide_runs = side_runs.train(NOTEBOOK, hidden_units=1000)\n'
                f'usual_runs = {_USUAL}\nconclusion = "better"',
            ),
        ),
    ),
    discussion(
        5,
        "dead units after a large start",
        hints=("With init_stddev = 1.0, how large are the first layer's inputs to the ReLU, and the first steps?",),
        solution=(
            "Measure it with exercise 1's code on a run with init_stddev = 1.0 (a side run keeps the network as "
            "`run.variables`, so the count can be made from its weights, or change the hyperparameter cell and run "
            "all). The hidden inputs are about thirty times larger and the first cross-entropies huge (the "
            "comparison at the end of the notebook prints them); large first steps can push a unit's inputs below "
            "zero for every image, and such a unit never comes back. Count the units silent for every validation "
            "image, and compare."
        ),
    ),
    discussion(
        6,
        "too wild",
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
