"""The exercises of notebook 9, batch normalisation (see `mnist_tutorial.exercises`)."""

import numpy as np

from . import (
    Answers,
    BoundExercise,
    Measure,
    NotYet,
    WrongAnswer,
    code,
    compare_recipes,
    discussion,
    interval_text,
    measured,
    over_seeds,
    verdict_text,
)
from . import bind as bind_exercises

NOTEBOOK = "09_batch_norm"
EPSILON = 1e-5
#: The network's variables (notebook 10 trains the same network).
NETWORK = {
    f"{scope}/{name}"
    for k, scope in enumerate(["conv1", "conv2", "conv3", "dense_layer"], 1)
    for name in (f"W{k}", "offset")
} | {"output_layer/W5", "output_layer/b5"}
#: The recipes exercise 1's model answer quotes, measured over seeds 1-5 by `mnist-exercises measure 09`.
MEASURES = (
    Measure("own_1000", {"training_steps": 1000}),
    Measure("without_batch_norm", {"use_batch_norm": False, "learning_rate": 0.003, "training_steps": 1000}),
)


def measured_without() -> str:
    comparison = compare_recipes(
        measured(NOTEBOOK, "without_batch_norm"),
        measured(NOTEBOOK, "own_1000"),
        "without batch normalisation at 0.003",
        "with it at 0.02",
    )
    ahead = sum(difference > 0 for difference in comparison.differences)
    meaning = {
        1: "loses to",
        -1: "beats",
        0: "is not shown to differ from",
    }[comparison.direction]
    return (
        f"without batch normalisation at 0.003, {over_seeds(measured(NOTEBOOK, 'without_batch_norm'))}; with it at "
        f"0.02, {over_seeds(measured(NOTEBOOK, 'own_1000'))}; paired by seed, {interval_text(comparison)}, higher "
        f"without it with {ahead} of {len(comparison.seeds)} seeds: {verdict_text(comparison)}. So at 1,000 steps, "
        f"this notebook's recipe (batch normalisation, 0.02) {meaning} the same network without batch normalisation "
        f"at notebook 8's learning rate."
    )


def check_batch_norm_by_hand(a: Answers) -> str:
    mine = a.function("my_batch_norm", "z, offset")
    rng = np.random.default_rng(0)
    z = rng.normal(3.0, [0.5, 2.0, 10.0], (100, 3))
    offset = np.array([0.0, 0.1, -0.2])
    mean, variance = z.mean(axis=0), z.var(axis=0)
    reference = (z - mean) / np.sqrt(variance + EPSILON) + offset
    try:
        out = np.asarray(mine(z, offset), dtype=float)
    except Exception as error:  # the learner's function: report what went wrong, in one line
        raise NotYet(f"my_batch_norm(z, offset) raised {type(error).__name__}: {error}") from None
    if out.shape != z.shape:
        raise NotYet(f"my_batch_norm returned shape {out.shape} for z of shape {z.shape}; it keeps the shape.")
    if np.allclose(out, reference, atol=1e-6):
        return (
            "each column (a unit, or a channel) now has mean offset and standard deviation 1 over the batch, "
            "whatever its scale before: the next layer sees inputs of one size, however the weights below "
            "grow or shrink. Here the offset plays the bias's part; tf.nn.batch_normalization computes the same."
        )
    sample = z.var(axis=0, ddof=1)
    if np.allclose(out, (z - mean) / np.sqrt(sample + EPSILON) + offset, atol=1e-6):
        raise NotYet(
            "you divided the squared deviations by n - 1 (ddof=1, the estimate of a population's variance); batch "
            "normalisation uses the batch's own variance, the mean of the squared deviations: z.var(axis=0)."
        )
    if np.allclose(out, (z - mean) / (variance + EPSILON) + offset, atol=1e-6):
        raise NotYet("you divided by the variance; divide by the standard deviation, np.sqrt(variance + 1e-5).")
    row_mean, row_variance = z.mean(axis=1, keepdims=True), z.var(axis=1, keepdims=True)
    if np.allclose(out, (z - row_mean) / np.sqrt(row_variance + EPSILON) + offset, atol=1e-6):
        raise NotYet(
            "you normalised each row (an image); batch normalisation normalises each column over the batch: axis=0."
        )
    raise NotYet(
        "your output differs: (z - mean) / sqrt(variance + 1e-5) + offset, with the mean and variance of "
        "each column over the batch (axis=0)."
    )


def check_memory(a: Answers) -> str:
    weight = a.function("start_weight", "decay, steps")
    cases = ((0.998, 500), (0.9, 10), (0.99, 250), (0.5, 3))
    for decay, steps in cases:
        want = decay**steps
        try:
            got = float(weight(decay, steps))
        except Exception as error:  # the learner's function: report what went wrong, in one line
            raise NotYet(f"start_weight({decay}, {steps}) raised {type(error).__name__}: {error}") from None
        if np.isclose(got, want, rtol=1e-6):
            continue
        if np.isclose(got, 1 / (1 - decay), rtol=1e-6):
            raise NotYet(
                f"start_weight({decay}, {steps}) is {got:g}: how many batches the averages follow; the exercise "
                f"asks what weight the starting values keep after `steps` steps."
            )
        if np.isclose(got, 1 - want, rtol=1e-6):
            raise NotYet(
                f"start_weight({decay}, {steps}) is {got:.4g}: the weight of the batches seen so far; the exercise "
                f"asks for what is left of the starting values."
            )
        raise NotYet(
            f"start_weight({decay}, {steps}) is {got:.4g}, not it: each step multiplies the starting values' weight "
            f"by `decay`."
        )
    decay, steps = a.setting("average_decay"), a.setting("evaluation_interval")
    left = weight(decay, steps)
    return (
        f"with this notebook's settings, {left:.2f}: at the first evaluation, after {steps:,} steps, {left:.0%} of "
        f"what the averages hold is still their starting values (mean 0, variance 1), not the network's statistics. "
        f"Each step keeps {decay} of the old and takes {1 - decay:.3f} of the new batch, so the averages follow "
        f"about the last 1 / (1 - {decay}) = {1 / (1 - decay):.0f} batches."
    )


def check_groups_of_one(a: Answers) -> str:
    mine = a.number("accuracy_groups_of_one")
    accuracy_in_groups = a.notebook("accuracy_in_groups")
    if not a.setting("use_batch_norm"):
        raise NotYet("use_batch_norm is False: there are no batch statistics to use. Set it back to True.")
    reference = accuracy_in_groups(1, True)
    if np.isclose(mine, reference, atol=1e-4):
        return (
            f"{reference:.4f}. With one image, the dense layer's batch mean is that image's own value and its "
            f"variance 0: every unit normalises to 0 and only its offset is left, so every image gets the same "
            f"answer, right only for the images of that one digit. A network in use, asked about one digit at a "
            f"time, needs the moving averages."
        )
    if np.isclose(mine, accuracy_in_groups(2500, False), atol=1e-4):
        raise NotYet(
            "that is the accuracy with the moving averages (use_batch_statistics=False); the exercise "
            "uses each group's own statistics."
        )
    raise NotYet(
        f"{mine:.4f} is not it: accuracy_in_groups(1, True) scores each validation image alone with its own statistics."
    )


EXERCISES = (
    discussion(
        1,
        "without batch normalisation, at notebook 8's learning rate",
        hints=(
            "Notebook 8's network learned at 0.003 without batch normalisation; this one has twice its channels.",
            "How far apart are the two recipes, against how far one seed moves each of them?",
        ),
        solution=(
            "Write down your prediction first. One run of each (side_runs.train(NOTEBOOK, use_batch_norm=False, "
            "learning_rate=0.003, training_steps=1000) against side_runs.train(NOTEBOOK, training_steps=1000), "
            "about a minute together) gives one difference, and one pair of runs cannot say how far a seed moves "
            "it. The same few seeds for both, compared seed by seed (significance.compare_recipes), can: the "
            "measured runs below, five seeds each, whose verdict line says which recipe ended higher. Either way "
            "this compares two recipes, not batch normalisation alone: the learning rate changed too, and the "
            "notebook's recipe was chosen for 2,500 steps. What the notebook showed is that at 0.02 the network "
            "without it may not learn at all; at notebook 8's rate it learns well. To isolate batch "
            "normalisation, change only use_batch_norm."
        ),
        expected=measured_without,
        measures=("own_1000", "without_batch_norm"),
    ),
    code(
        2,
        "batch normalisation by hand",
        check_batch_norm_by_hand,
        reads=("my_batch_norm",),
        hints=(
            "z.mean(axis=0) and z.var(axis=0) give each column's mean and variance over the batch.",
            "Subtract each column's mean, divide by the square root of its variance plus epsilon, then add the offset.",
        ),
        solution=(
            "def my_batch_norm(z, offset):\n    return (z - z.mean(axis=0)) / np.sqrt(z.var(axis=0) + 1e-5) + offset"
        ),
        wrong_answers=(
            WrongAnswer(
                "you divided by the variance",
                "def my_batch_norm(z, offset):\n    return (z - z.mean(axis=0)) / (z.var(axis=0) + 1e-5) + offset",
            ),
            WrongAnswer(
                "you normalised each row",
                "def my_batch_norm(z, offset):\n"
                "    mean, variance = z.mean(axis=1, keepdims=True), z.var(axis=1, keepdims=True)\n"
                "    return (z - mean) / np.sqrt(variance + 1e-5) + offset",
            ),
            WrongAnswer(
                "ddof=1",
                "def my_batch_norm(z, offset):\n"
                "    return (z - z.mean(axis=0)) / np.sqrt(z.var(axis=0, ddof=1) + 1e-5) + offset",
            ),
        ),
    ),
    code(
        3,
        "what the averages start from",
        check_memory,
        reads=("start_weight", "hyperparameters"),
        hints=(
            "Each step, the average keeps `decay` of itself and takes 1 - decay of the new batch. What is left of "
            "the starting value after one step? After two?",
        ),
        solution="def start_weight(decay, steps):\n    return decay**steps",
        wrong_answers=(
            WrongAnswer(
                "how many batches the averages follow", "def start_weight(decay, steps):\n    return 1 / (1 - decay)"
            ),
            WrongAnswer(
                "the weight of the batches seen so far", "def start_weight(decay, steps):\n    return 1 - decay**steps"
            ),
            WrongAnswer("must be a function", "start_weight = 0.37"),
        ),
    ),
    code(
        4,
        "batch statistics of one image",
        check_groups_of_one,
        reads=("accuracy_groups_of_one", "accuracy_in_groups", "hyperparameters"),
        hints=("accuracy_in_groups, defined above, takes the group size and whether to use the batch statistics.",),
        solution="accuracy_groups_of_one = accuracy_in_groups(1, True)",
        wrong_answers=(
            WrongAnswer(
                "that is the accuracy with the moving averages",
                "accuracy_groups_of_one = accuracy_in_groups(2500, False)",
            ),
        ),
    ),
    discussion(
        5,
        "faster averages",
        hints=("With average_decay = 0.9, how many batches do the averages follow?",),
        solution=(
            "fast = side_runs.train(NOTEBOOK, average_decay=0.9, evaluation_interval=100)\n"
            "usual = side_runs.train(NOTEBOOK, evaluation_interval=100)\n"
            "print(fast.monitor.validation_steps)\n"
            "print(fast.monitor.validation_accuracy)\n"
            "print(usual.monitor.validation_accuracy)\n"
            "At 0.9 the averages follow the last ten batches or so: they have forgotten their starting values "
            "within the first evaluation interval, so expect the first point to be no longer pulled down. Ten "
            "batches give rougher estimates than hundreds, so look for later points that jitter more; one run "
            "of each shows it or not for one seed, and the jitter of the usual curve is the yardstick."
        ),
    ),
    discussion(
        6,
        "Görner's channels",
        hints=("A best-of-run figure is the highest of many test evaluations; a final figure is one.",),
        solution=(
            "wide_runs = side_runs.train(NOTEBOOK, channels1=24, channels2=48, channels3=64, training_steps=1000,\n"
            "                            seeds=[1, 2, 3])\n"
            "usual_runs = side_runs.train(NOTEBOOK, training_steps=1000, seeds=[1, 2, 3])\n"
            "significance.compare_recipes(wide_runs.validation_accuracy, usual_runs.validation_accuracy,\n"
            "                             'Görner channels', 'these channels')\n"
            "The interval says whether the wider layers are better after 1,000 steps, worse, or not shown to "
            "differ; with three seeds the interval is wide, so a small difference can hide in it. Görner's 0.9954 "
            "cannot join the comparison: it is the best of many test evaluations during one run of 10,000 steps, "
            "which picking the best biases upwards, on other hardware with other seeds. Score a recipe on the "
            "test set only once it is chosen, once."
        ),
    ),
    discussion(
        7,
        "sigmoids",
        hints=(
            "Batch normalisation keeps each layer's inputs near mean 0 and standard deviation 1: where is a "
            "sigmoid's slope there?",
        ),
        solution=(
            "Normalised inputs sit in the sigmoid's middle, where its slope is largest (1/4), instead of in its "
            "flat ends, so more of the error gets through each layer; a sigmoid still keeps at most a quarter of "
            "it, and batch normalisation's own backward pass divides by each batch's standard deviation. This "
            "notebook's batch_norm has no scale gamma: Ioffe and Szegedy (2015) learn one so that the normalised "
            "inputs can leave the sigmoid's nearly linear middle where that helps. How far it gets with gradient "
            "descent in notebook 3's steps is for your run to measure."
        ),
    ),
)


def bind(namespace: dict) -> tuple[BoundExercise, ...]:
    """Notebook 9's exercises, bound to its variables: `exercise_1, ..., exercise_7 = bind(globals())`."""
    return bind_exercises(EXERCISES, namespace)
