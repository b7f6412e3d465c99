"""The exercises of notebook 6, the vanishing gradient (see `mnist_tutorial.exercises`)."""

import numpy as np

from . import (
    CODE,
    DISCUSSION,
    PREDICT,
    Answers,
    BoundExercise,
    Exercise,
    NotYet,
    WrongAnswer,
    judge,
    over_seeds,
)
from . import bind as bind_exercises

#: The validation accuracy after 2,000 steps (compare_steps), by seed, of the ReLU recipe (He's scale,
#: Adam, decay) and of the same with sigmoids: notebook 6's `train_variant` run with `seed` = 1, 2, 3.
RELU_RECIPE_AT_2000 = {1: 0.9794, 2: 0.9784, 3: 0.9806}
SIGMOID_RECIPE_AT_2000 = {1: 0.9724, 2: 0.9694, 3: 0.975}
#: The main run's final validation accuracy after 2,000 steps, by seed, with the decay (`mnist-sweep 06
#: training_steps=2000 compare_steps=10 --seeds 3`) and at a constant 0.0001 (`mnist-sweep 06
#: learning_rate=0.0001 training_steps=2000 compare_steps=10 --seeds 3`).
DECAY_AT_2000 = {1: 0.9794, 2: 0.9784, 3: 0.9806}
SMALL_RATE_AT_2000 = {1: 0.9566, 2: 0.958, 3: 0.9572}
#: The recipe of exercise 2's run: the table's last row with sigmoids.
SIGMOID_RECIPE = {"activation": "sigmoid", "init": "he", "adam": True, "decay": True}
#: Exercise 4's line.
SMALL_RATE_LINE = 0.97
#: The notebook's settings that the measurements above used, and its network's variables.
NOTEBOOK_SETTINGS = {
    "learning_rate": 0.003,
    "final_learning_rate": 0.0001,
    "decay_steps": 2000,
    "descent_learning_rate": 0.3,
    "batch_size": 100,
    "hidden1": 200,
    "hidden2": 100,
    "hidden3": 60,
    "hidden4": 30,
}
NETWORK = {
    f"{scope}/{name}{k}"
    for k, scope in enumerate(["layer1", "layer2", "layer3", "layer4", "output_layer"], 1)
    for name in ("W", "b")
}


def check_sigmoid_with_adam(a: Answers) -> str:
    predicted = a.choice("predicted_side", ("above", "below"))
    run = a.answer("sigmoid_adam")
    if not isinstance(run, dict) or "accuracy" not in run or "recipe" not in run:
        raise NotYet(
            "`sigmoid_adam` must be what train_variant returns (a dict with the run's accuracy and recipe): "
            'sigmoid_adam = train_variant(activation=tf.nn.sigmoid, init="he", adam=True, decay=True).'
        )
    differ = [
        f"{key} {run['recipe'].get(key)!r}" for key, value in SIGMOID_RECIPE.items() if run["recipe"].get(key) != value
    ]
    if differ:
        wanted = ", ".join(f"{key} {value!r}" for key, value in SIGMOID_RECIPE.items())
        raise NotYet(
            f"that run's recipe has {', '.join(differ)}; the exercise's has {wanted}: only the "
            f"activation differs from the table's last row."
        )
    a.require_settings({"compare_steps": 2000}, NOTEBOOK_SETTINGS)
    relu = float(a.notebook("variants")["learning-rate decay"]["accuracy"])
    measured = float(run["accuracy"])
    side = "above" if measured > relu else "below"
    flat = float(np.mean(run["flat"]))
    why = (
        f"after 2,000 steps the sigmoids reach {measured:.4f} and the ReLUs {relu:.4f}: {side}, by "
        f"{abs(relu - measured):.4f} (over seeds 1-3 the sigmoids give {over_seeds(SIGMOID_RECIPE_AT_2000)}, the "
        f"ReLUs {over_seeds(RELU_RECIPE_AT_2000)}, so the gap is more than the seed moves). The two runs differ "
        f"only in the activation, so the gap is the sigmoid's doing, even with Adam, which sizes each weight's "
        f"step by its own gradient: {flat:.0%} of the sigmoid network's hidden outputs end within 0.05 of 0 or "
        f"1, where its slope is almost zero"
    )
    return judge(predicted, side, why)


def check_small_constant_rate(a: Answers) -> str:
    predicted = a.choice("predicted_short_steps", ("above", "below"))
    wanted = {"learning_rate": 0.0001, "final_learning_rate": 0.0001, "training_steps": 2000}
    measured = a.run_with(
        wanted, NOTEBOOK_SETTINGS, NETWORK, f"you predicted {predicted!r}; now "
    ).final_validation_accuracy
    with_decay, which = a.seed_matched(DECAY_AT_2000)
    side = "above" if measured > SMALL_RATE_LINE else "below"
    why = (
        f"at a constant 0.0001 the run ends at {measured:.4f}, {side} {SMALL_RATE_LINE}; the notebook's schedule, "
        f"from 0.003 down towards 0.0001, reaches {with_decay:.4f} in the same 2,000 steps ({which}). Over seeds "
        f"1-3 the constant rate gives {over_seeds(SMALL_RATE_AT_2000)}, the schedule {over_seeds(DECAY_AT_2000)}: "
        f"steps thirty times shorter from the start get much less far in 2,000 steps"
    )
    return judge(predicted, side, why)


def check_dead_per_layer(a: Answers) -> str:
    mine = a.array("dead_per_layer", (4,))
    session, mnist = a.notebook("session"), a.notebook("mnist")
    layers = session.run(
        [a.notebook(f"Y{k}") for k in range(1, 5)], feed_dict={a.notebook("X"): mnist.validation.images}
    )
    reference = np.array([np.sum(outputs.max(axis=0) == 0) for outputs in layers])
    if np.array_equal(mine, reference):
        widths = [outputs.shape[1] for outputs in layers]
        listing = ", ".join(f"{dead} of {width}" for dead, width in zip(reference, widths))
        silent = ", ".join(f"{np.mean(outputs == 0):.0%}" for outputs in layers)
        return (
            f"units silent for every validation image, layer by layer: {listing} (of all their outputs, {silent} "
            f"are 0). While a unit is silent for every training image, no gradient reaches its weights through the "
            f"ReLU; it can come back only if the layers below change its inputs (or, for a weight Adam has been "
            f"moving, by the momentum of its earlier steps). Exercise 1 of notebook 4 counted them for one layer."
        )
    shares = np.array([np.mean(outputs.max(axis=0) == 0) for outputs in layers])
    if np.allclose(mine, shares):
        raise NotYet("these are shares of each layer's units; the exercise asks for counts of units.")
    if np.array_equal(mine, [np.sum(outputs == 0) for outputs in layers]):
        raise NotYet("these count zero outputs (images x units); a dead unit is 0 for every image: count units.")
    raise NotYet(
        f"you have {mine.astype(int).tolist()}; count, for Y1 to Y4 on the validation images, the "
        f"columns whose largest value is 0."
    )


def check_update_size(a: Answers) -> str:
    mine = a.answer("update_size")
    if not callable(mine):
        raise NotYet(f"`update_size` must be a function of (before, after), not a {type(mine).__name__}.")
    rng = np.random.default_rng(0)
    before = rng.normal(0, 0.05, (784, 200))
    after = before + rng.normal(0, 0.001, before.shape)
    reference = np.linalg.norm(after - before) / np.linalg.norm(before)
    try:
        value = float(mine(before, after))
    except Exception as error:  # the learner's function: report what went wrong, in one line
        raise NotYet(f"update_size(before, after) raised {type(error).__name__}: {error}") from None
    if np.isclose(value, reference, rtol=1e-6):
        return (
            f"on a [784, 200] layer moved by noise of a fiftieth of its spread, yours gives {value:.4f}: the size "
            f"of the change relative to the size of the weights, the u_k of the table, which tells how fast a "
            f"layer learns whatever the scale of its weights."
        )
    if np.isclose(value, np.linalg.norm(after - before), rtol=1e-6):
        raise NotYet("that is the size of the change; divide it by the size of the weights before the step.")
    if np.isclose(value, np.linalg.norm(after - before) / np.linalg.norm(after), rtol=1e-6):
        raise NotYet("you divided by the weights after the step; the table divides by the weights before it.")
    raise NotYet(
        f"on a test layer yours gives {value:.6f}; the relative update is ||after - before|| / ||before||, "
        f"with np.linalg.norm."
    )


EXERCISES = (
    Exercise(
        1,
        "luck or not",
        DISCUSSION,
        None,
        hints=("Compare how far two rows are apart with how far one row moves from seed 1 to seed 2.",),
        solution=(
            "Compare the two tables row by row. Rows far apart, such as the sigmoids at stddev 0.1 against every "
            "ReLU row, differ by far more than a seed moves a row, so expect them to keep their order. Rows a few "
            "tenths of a point apart (Glorot's against He's scale for ReLU, Adam with and without the decay) can "
            "swap. A second seed shows whether a pair swaps; it cannot say which is better: that takes several "
            "seeds per row and their spread, as make sweep gives."
        ),
    ),
    Exercise(
        2,
        "sigmoid with Adam",
        PREDICT,
        check_sigmoid_with_adam,
        hints=(
            "Adam makes a weight's step independent of the size of its gradient. Is the sigmoids' only trouble "
            "the size of the gradient?",
        ),
        solution=(
            'predicted_side = "below"\n'
            'sigmoid_adam = train_variant(activation=tf.nn.sigmoid, init="he", adam=True, decay=True)'
        ),
        parameters={"compare_steps": 2000},
        expected=(
            f"the sigmoids: {over_seeds(SIGMOID_RECIPE_AT_2000)}; the ReLU recipe: {over_seeds(RELU_RECIPE_AT_2000)}."
        ),
        wrong_answers=(
            WrongAnswer(
                "you predicted 'above'",
                'predicted_side = "above"\n'
                'sigmoid_adam = train_variant(activation=tf.nn.sigmoid, init="he", adam=True, decay=True)',
                {"compare_steps": 2000},
            ),
            WrongAnswer(
                "only the activation differs",
                'predicted_side = "below"\nsigmoid_adam = variants["learning-rate decay"]',
                {"compare_steps": 2000},
            ),
            WrongAnswer(
                "must be what train_variant returns",
                'predicted_side = "below"\nsigmoid_adam = 0.97',
                {"compare_steps": 2000},
            ),
        ),
    ),
    Exercise(
        3,
        "deeper",
        DISCUSSION,
        None,
        hints=("Every extra sigmoid layer multiplies the error by at most 1/4 on its way down.",),
        solution=(
            "Expect the sigmoid rows to suffer most: on its way down the error passes two more sigmoids, each "
            "multiplying it by a slope of at most 1/4, so e_top / e_1 grows and the first layers learn more slowly. "
            "With ReLUs the slope is 1 where a unit is active, so the error shrinks far less per layer (the table's "
            "He row measured 5.3 over five layers, against hundreds and thousands for the sigmoids), and Adam steps "
            "every layer by its own gradient's size. Run it: the e and u columns of the new table tell how much of "
            "this holds."
        ),
    ),
    Exercise(
        4,
        "short steps from the start",
        PREDICT,
        check_small_constant_rate,
        hints=(
            "At 0.003 the validation curve is near its top within a few hundred steps. How far do steps thirty "
            "times shorter get in 2,000?",
        ),
        solution='predicted_short_steps = "below"',
        parameters={"learning_rate": 0.0001, "final_learning_rate": 0.0001, "training_steps": 2000},
        expected=f"{over_seeds(SMALL_RATE_AT_2000)}, against {over_seeds(DECAY_AT_2000)} with the decay.",
        wrong_answers=(
            WrongAnswer(
                "you predicted 'above'",
                'predicted_short_steps = "above"',
                {"learning_rate": 0.0001, "final_learning_rate": 0.0001, "training_steps": 2000},
            ),
        ),
    ),
    Exercise(
        5,
        "dead ReLUs",
        CODE,
        check_dead_per_layer,
        hints=(
            "session.run([Y1, Y2, Y3, Y4], feed_dict={X: mnist.validation.images}) gives the four layers' outputs.",
            "For each layer: np.sum(outputs.max(axis=0) == 0).",
        ),
        solution=(
            "layers = session.run([Y1, Y2, Y3, Y4], feed_dict={X: mnist.validation.images})\n"
            "dead_per_layer = [int(np.sum(outputs.max(axis=0) == 0)) for outputs in layers]"
        ),
        wrong_answers=(
            WrongAnswer(
                "these are shares",
                "layers = session.run([Y1, Y2, Y3, Y4], feed_dict={X: mnist.validation.images})\n"
                "dead_per_layer = [np.mean(outputs.max(axis=0) == 0) for outputs in layers]",
            ),
            WrongAnswer("has shape (2,)", "dead_per_layer = [0, 0]"),
        ),
    ),
    Exercise(
        6,
        "the relative update by hand",
        CODE,
        check_update_size,
        hints=("np.linalg.norm(a) is the square root of the sum of the squares of all of a's numbers.",),
        solution=(
            "def update_size(before, after):\n    return np.linalg.norm(after - before) / np.linalg.norm(before)"
        ),
        wrong_answers=(
            WrongAnswer(
                "divide it by the size of the weights",
                "def update_size(before, after):\n    return np.linalg.norm(after - before)",
            ),
            WrongAnswer("must be a function", "update_size = 0.02"),
        ),
    ),
)


def bind(namespace: dict) -> tuple[BoundExercise, ...]:
    """Notebook 6's exercises, bound to its variables: `exercise_1, ..., exercise_6 = bind(globals())`."""
    return bind_exercises(EXERCISES, namespace)
