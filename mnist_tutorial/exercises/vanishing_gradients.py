"""The exercises of notebook 6, the vanishing gradient (see `mnist_tutorial.exercises`)."""

import numpy as np

from . import (
    CONCLUDE,
    SHOW_INTERVAL,
    Answers,
    BoundExercise,
    Measure,
    NotYet,
    Threshold,
    WrongAnswer,
    code,
    compare_recipes,
    discussion,
    how_sure,
    interval_text,
    measured,
    notebook_settings,
    over_seeds,
    prediction,
    side_run_measured,
    verdict_text,
)
from . import bind as bind_exercises

NOTEBOOK = "06_vanishing_gradients"
#: The recipe of exercise 2's runs: the table's last row (its activation set by the exercise).
RECIPE = {"init": "he", "adam": True, "decay": True}


def _variant_accuracy(run) -> float:
    return float(run.values["variant"]["accuracy"])


#: The recipes the checks compare with, measured over seeds 1-5 by `mnist-exercises measure 06`.
MEASURES = (
    Measure(
        "sigmoid_adam",
        keep=("variant",),
        then='variant = train_variant(activation=tf.nn.sigmoid, init="he", adam=True, decay=True)',
        quantities={"validation_accuracy": _variant_accuracy},
    ),
    Measure(
        "relu_recipe",
        keep=("variant",),
        then='variant = train_variant(activation=tf.nn.relu, init="he", adam=True, decay=True)',
        quantities={"validation_accuracy": _variant_accuracy},
    ),
    Measure("constant_small_rate", {"learning_rate": 0.0001, "final_learning_rate": 0.0001, "training_steps": 2000}),
    Measure("own_2000", {"training_steps": 2000}),
)


def _first_errors(run: dict) -> np.ndarray | None:
    """The error sizes a run of train_variant measured at its first step (None if it holds none)."""
    errors = np.asarray(run.get("errors", ()), dtype=float)
    return errors[0] if errors.ndim == 2 and len(errors) else None


def _require_own_seeds(name: str, runs: dict) -> None:
    """NotYet when two of `runs` (by seed) are the same run: train_variant started both from one seed, so
    the comparison would pair copies. The first step's error sizes depend on the initial weights and the
    first batch, which every seed draws anew; one seed gives them equal to the last digit."""
    firsts = [(seed, _first_errors(run)) for seed, run in runs.items()]
    for i, (seed, first) in enumerate(firsts):
        for other, other_first in firsts[i + 1 :]:
            if first is not None and other_first is not None and np.allclose(first, other_first, rtol=1e-6, atol=0):
                raise NotYet(
                    f"`{name}`'s runs for seeds {seed} and {other} are the same run, started from one seed: pass "
                    f"run_seed=s to train_variant, so that each seed trains a run of its own."
                )


def read_sigmoid_adam(a: Answers) -> tuple[dict[int, float], dict[int, float]]:
    """The accuracies by seed of the learner's sigmoid and ReLU runs of train_variant."""
    found = {}
    for name, activation in (("sigmoid_runs", "sigmoid"), ("relu_runs", "relu")):
        runs = a.answer(name)
        if not isinstance(runs, dict) or not all(
            isinstance(run, dict) and "accuracy" in run and "recipe" in run for run in runs.values()
        ):
            raise NotYet(
                f"`{name}` must hold what train_variant returns, by seed: {{seed: train_variant(...), ...}}, "
                f"as the answer cell's loop makes it."
            )
        wanted = {**RECIPE, "activation": activation}
        for seed, run in runs.items():
            differ = [
                f"{key} {run['recipe'].get(key)!r}" for key, value in wanted.items() if run["recipe"].get(key) != value
            ]
            if differ:
                raise NotYet(
                    f"`{name}`'s run with seed {seed} has {', '.join(differ)}; the exercise's recipe is the table's "
                    f"last row (He's scale, Adam, the decay) with the {activation} activation."
                )
        _require_own_seeds(name, runs)
        found[name] = {int(seed): float(run["accuracy"]) for seed, run in runs.items()}
    sigmoid, relu = found["sigmoid_runs"], found["relu_runs"]
    if sorted(sigmoid) != sorted(relu):
        raise NotYet(
            f"train both recipes with the same seeds, so that they pair seed by seed: `sigmoid_runs` has seeds "
            f"{sorted(sigmoid)}, `relu_runs` {sorted(relu)}."
        )
    if len(sigmoid) < 3:
        raise NotYet(
            f"both have only seeds {sorted(sigmoid)}: train each recipe with at least 3 seeds, as an interval needs."
        )
    settings = {k: v for k, v in notebook_settings(NOTEBOOK).items() if k not in ("seed", "training_steps")}
    a.require_settings({}, settings)
    return sigmoid, relu


#: Exercise 2's runs: both recipes with seeds 1-3, each run with its own seed (train_variant's run_seed).
_TRAIN_BOTH = (
    "sigmoid_runs, relu_runs = {}, {}\n"
    'recipe = dict(init="he", adam=True, decay=True)\n'
    "for s in (1, 2, 3):\n"
    "    sigmoid_runs[s] = train_variant(activation=tf.nn.sigmoid, **recipe, run_seed=s)\n"
    "    relu_runs[s] = train_variant(activation=tf.nn.relu, **recipe, run_seed=s)\n"
)


def why_sigmoid_adam(comparison) -> str:
    sigmoid, relu = measured(NOTEBOOK, "sigmoid_adam"), measured(NOTEBOOK, "relu_recipe")
    stored = compare_recipes(sigmoid, relu, "the sigmoid recipe", "the ReLU recipe")
    return (
        f"The two recipes differ only in the activation, both with He's scale, Adam and the decay. The check's "
        f"own runs gave {over_seeds(sigmoid)} for the sigmoids and {over_seeds(relu)} for the ReLUs; paired by "
        f"seed, they differ by {interval_text(stored)}; {verdict_text(stored)}. That is how the sigmoids fare "
        f"against the ReLUs under Adam; no run here trained the sigmoids at He's scale with gradient descent, so it "
        f"cannot say what Adam changed for them."
    )


_SHORT = "side_runs.train(NOTEBOOK, learning_rate=0.0001, final_learning_rate=0.0001, training_steps=2000)"
_SHORT_SETTINGS = {"learning_rate": 0.0001, "final_learning_rate": 0.0001, "training_steps": 2000}


def why_short_steps(a: Answers, value: float) -> str:
    return (
        f"the notebook's schedule, from 0.003 down towards 0.0001, reaches "
        f"{over_seeds(measured(NOTEBOOK, 'own_2000'))} in the same 2,000 steps: steps thirty times shorter from the "
        f"start get much less far"
    )


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


def check_unit_updates(a: Answers) -> str:
    mine = a.function("unit_updates", "before, after")
    rng = np.random.default_rng(0)
    before = rng.normal(0, 0.05, (784, 200))
    # half of the units move ten times further than the others
    after = before + rng.normal(0, 0.001, before.shape) * np.where(np.arange(200) < 100, 10.0, 1.0)
    reference = np.linalg.norm(after - before, axis=0) / np.linalg.norm(before, axis=0)
    try:
        value = np.asarray(mine(before, after), dtype=float)
    except Exception as error:  # the learner's function: report what went wrong, in one line
        raise NotYet(f"unit_updates(before, after) raised {type(error).__name__}: {error}") from None
    if value.shape != reference.shape:
        if value.size == 1:
            raise NotYet(
                "that is one number for the whole layer (the table's u_k); the exercise asks for one per unit."
            )
        if value.shape == (784,):
            raise NotYet("that gives one number per input pixel (a row); a unit's weights are a column: axis=0.")
        raise NotYet(f"unit_updates returned shape {value.shape}; for a [784, 200] layer it should be (200,).")
    if np.allclose(value, reference, rtol=1e-6):
        return (
            f"on a test layer whose first 100 units moved ten times further than the other 100, yours gives "
            f"{np.median(value[:100]):.4f} and {np.median(value[100:]):.4f} (medians): each unit's change relative to "
            f"its own weights. The table's u_k mixes a layer's units; per unit, you can see which of them learn and "
            f"which, like a dead ReLU, do not move at all."
        )
    if np.allclose(value, np.linalg.norm(after - before, axis=0), rtol=1e-6):
        raise NotYet("that is the size of each unit's change; divide it by the size of the unit's weights before.")
    if np.allclose(value, np.linalg.norm(after - before, axis=0) / np.linalg.norm(after, axis=0), rtol=1e-6):
        raise NotYet("you divided by the weights after the step; the table divides by the weights before it.")
    raise NotYet(
        "your numbers differ: for each column, ||after - before|| / ||before||, with np.linalg.norm(..., axis=0)."
    )


EXERCISES = (
    discussion(
        1,
        "luck or not",
        hints=("A verdict rests on an interval from three differences. How close to 0 was each interval's edge?",),
        solution=(
            "Compare the two tables' verdicts pair by pair. Intervals that lay far from 0, such as stddev 0.1 "
            "against notebook 3's 1, or the ReLUs against the sigmoids at Glorot's scale, are likely to keep "
            "their verdict. An interval with an edge near 0 can cross it: three differences give a wide "
            "interval, and trading one seed for another moves both its centre and its width. A verdict that "
            "flips says that three seeds were too few for that pair, not that the recipes changed. More seeds, "
            "fixed before looking (notebook 5), narrow every interval."
        ),
    ),
    how_sure(
        2,
        "sigmoid with Adam",
        measure=read_sigmoid_adam,
        names=("the sigmoids", "the ReLUs"),
        predicted="predicted",
        why=why_sigmoid_adam,
        reads=("sigmoid_runs", "relu_runs", "hyperparameters"),
        hints=(
            "Adam makes a weight's step independent of the size of its gradient. Is the sigmoids' only trouble "
            "the size of the gradient?",
            "significance.compare_recipes takes the two recipes' accuracies by seed: "
            "{seed: run['accuracy'] for seed, run in sigmoid_runs.items()}, and the same for relu_runs.",
        ),
        solution=(
            'predicted = "worse"\n'
            f"{_TRAIN_BOTH}"
            "comparison = significance.compare_recipes({s: r['accuracy'] for s, r in sigmoid_runs.items()},\n"
            "                                          {s: r['accuracy'] for s, r in relu_runs.items()}, "
            '"the sigmoids", "the ReLUs")\n'
            f"{SHOW_INTERVAL}\n"
            f"{CONCLUDE}"
        ),
        expected=lambda: (
            f"the sigmoids: {over_seeds(measured(NOTEBOOK, 'sigmoid_adam'))}; the ReLU recipe: "
            f"{over_seeds(measured(NOTEBOOK, 'relu_recipe'))}."
        ),
        measures=("sigmoid_adam", "relu_recipe"),
        wrong_answers=(
            WrongAnswer(
                "you concluded 'better'",
                f'predicted = "worse"\n{_TRAIN_BOTH}conclusion = "better"',
            ),
            WrongAnswer(
                "the exercise's recipe is the table's last row",
                'predicted = "worse"\n'
                "sigmoid_runs = {1: variants['Adam instead of GD'], 2: variants['Adam instead of GD'], "
                "3: variants['Adam instead of GD']}\n"
                "relu_runs = sigmoid_runs\n"
                'conclusion = "not shown"',
            ),
            WrongAnswer(
                "pass run_seed=s to train_variant",
                'predicted = "worse"\n' + _TRAIN_BOTH.replace(", run_seed=s", "") + 'conclusion = "worse"',
            ),
            WrongAnswer(
                "must hold what train_variant returns",
                'predicted = "worse"\nsigmoid_runs = {1: 0.97, 2: 0.97, 3: 0.97}\nrelu_runs = sigmoid_runs\n'
                'conclusion = "not shown"',
            ),
        ),
    ),
    discussion(
        3,
        "deeper",
        hints=("Every extra sigmoid layer multiplies the error by at most 1/4 on its way down.",),
        solution=(
            "Expect the sigmoid rows to suffer most: on its way down the error passes two more sigmoids, each "
            "multiplying it by a slope of at most 1/4, so e_top / e_1 grows and the first layers learn more slowly. "
            "With ReLUs the slope is 1 where a unit is active, so the error shrinks far less per layer, and Adam's "
            "steps are about the learning rate, whatever the gradient's size. Run it: the e and u columns of the "
            "new table tell how much of this holds."
        ),
    ),
    prediction(
        4,
        "short steps from the start",
        predicted="predicted_short_steps",
        threshold=Threshold(NOTEBOOK, "constant_small_rate", 0.97, "the validation accuracy at a constant 0.0001"),
        measure=side_run_measured("short_steps", _SHORT_SETTINGS, _SHORT, "constant_small_rate", "a constant 0.0001"),
        why=why_short_steps,
        reads=("short_steps",),
        hints=(
            "At 0.003 the validation curve is near its top within a few hundred steps. How far do steps thirty "
            "times shorter get in 2,000?",
        ),
        solution=f'predicted_short_steps = "below"\nshort_steps = {_SHORT}',
        expected=lambda: (
            f"{over_seeds(measured(NOTEBOOK, 'constant_small_rate'))}, against "
            f"{over_seeds(measured(NOTEBOOK, 'own_2000'))} with the decay."
        ),
        wrong_answers=(
            WrongAnswer("you predicted 'above'", f'predicted_short_steps = "above"\nshort_steps = {_SHORT}'),
            WrongAnswer(  # the floor set, which is 0.0001 already: the schedule still starts at 0.003
                "needs learning_rate = 0.0001",
                'predicted_short_steps = "below"\n'
                "short_steps = side_runs.train(NOTEBOOK, final_learning_rate=0.0001, training_steps=2000)",
            ),
        ),
    ),
    code(
        5,
        "dead ReLUs",
        check_dead_per_layer,
        reads=("dead_per_layer", "session", "mnist", "X", "Y1", "Y2", "Y3", "Y4"),
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
    code(
        6,
        "which units learn",
        check_unit_updates,
        reads=("unit_updates",),
        hints=(
            "A unit's input weights are a column of the layer's matrix. np.linalg.norm(a, axis=0) gives the size "
            "of each column.",
        ),
        solution=(
            "def unit_updates(before, after):\n"
            "    return np.linalg.norm(after - before, axis=0) / np.linalg.norm(before, axis=0)"
        ),
        wrong_answers=(
            WrongAnswer(
                "one number for the whole layer",
                "def unit_updates(before, after):\n    return np.linalg.norm(after - before) / np.linalg.norm(before)",
            ),
            WrongAnswer(
                "one number per input pixel",
                "def unit_updates(before, after):\n"
                "    return np.linalg.norm(after - before, axis=1) / np.linalg.norm(before, axis=1)",
            ),
        ),
    ),
)


def bind(namespace: dict) -> tuple[BoundExercise, ...]:
    """Notebook 6's exercises, bound to its variables: `exercise_1, ..., exercise_6 = bind(globals())`."""
    return bind_exercises(EXERCISES, namespace)
