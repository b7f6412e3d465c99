"""The exercises of notebook 9, batch normalisation (see `mnist_tutorial.exercises`)."""

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

#: The final validation accuracy after 1,000 steps, by seed: with batch normalisation at the notebook's
#: settings, and without it at notebook 8's learning rate, 0.003 (`mnist-sweep 09 training_steps=1000
#: --seeds 3` and `mnist-sweep 09 use_batch_norm=False learning_rate=0.003 training_steps=1000 --seeds 3`).
WITH_AT_1000 = {1: 0.9874, 2: 0.9834, 3: 0.9868}
WITHOUT_AT_1000 = {1: 0.9892, 2: 0.9878, 3: 0.9894}
EPSILON = 1e-5
#: The notebook's settings that the measurements above used, and its network's variables.
NOTEBOOK_SETTINGS = {
    "learning_rate": 0.02,
    "final_learning_rate": 0.0001,
    "decay_steps": 700,
    "batch_size": 100,
    "channels1": 12,
    "channels2": 24,
    "channels3": 48,
    "hidden_units": 200,
    "keep_prob": 0.75,
    "average_decay": 0.998,
    "use_batch_norm": True,
}
NETWORK = {
    f"{scope}/{name}"
    for k, scope in enumerate(["conv1", "conv2", "conv3", "dense_layer"], 1)
    for name in (f"W{k}", "offset")
} | {"output_layer/W5", "output_layer/b5"}


def check_without_at_small_rate(a: Answers) -> str:
    predicted = a.choice("predicted_side", ("above", "below"))
    wanted = {"use_batch_norm": False, "learning_rate": 0.003, "training_steps": 1000}
    measured = a.run_with(
        wanted, NOTEBOOK_SETTINGS, NETWORK, f"you predicted {predicted!r}; now "
    ).final_validation_accuracy
    normalised, which = a.seed_matched(WITH_AT_1000)
    side = "above" if measured > normalised else "below"
    why = (
        f"without batch normalisation, at 0.003, the run ends at {measured:.4f}; with it, at 0.02, the notebook's "
        f"network reaches {normalised:.4f} in the same 1,000 steps ({which}): {side}. Without it: "
        f"{over_seeds(WITHOUT_AT_1000)}; with it: {over_seeds(WITH_AT_1000)}. This compares two recipes, not "
        f"batch normalisation alone: the learning rate changed too, and the notebook's recipe was chosen for "
        f"2,500 steps. What the notebook showed is that at 0.02 the network without it may not learn at all; "
        f"at notebook 8's rate it learns well. To isolate batch normalisation, change only use_batch_norm"
    )
    return judge(predicted, side, why)


def check_batch_norm_by_hand(a: Answers) -> str:
    mine = a.answer("my_batch_norm")
    if not callable(mine):
        raise NotYet(f"`my_batch_norm` must be a function of (z, offset), not a {type(mine).__name__}.")
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
    mine = a.number("start_weight")
    decay, steps = a.setting("average_decay"), a.setting("evaluation_interval")
    left = decay**steps
    if np.isclose(mine, left, rtol=0.01):
        return (
            f"{decay}**{steps} = {left:.2f}: at the first evaluation, after {steps:,} steps, {left:.0%} of what the "
            f"averages hold is still their starting values (mean 0, variance 1), not the network's statistics. "
            f"Each step keeps {decay} of the old and takes {1 - decay:.3f} of the new batch, so the averages follow "
            f"about the last 1 / (1 - {decay}) = {1 / (1 - decay):.0f} batches."
        )
    if np.isclose(mine, 1 / (1 - decay), rtol=0.01):
        raise NotYet(
            f"{mine:g} is how many batches the averages follow; the exercise asks what weight the starting "
            f"values keep after evaluation_interval steps."
        )
    if np.isclose(mine, 1 - decay**steps, rtol=0.01):
        raise NotYet(
            f"{mine:.2f} is the weight of the batches seen so far; the exercise asks for what is left of "
            f"the starting values."
        )
    raise NotYet(f"{mine:g} is not it: each step multiplies the starting values' weight by average_decay.")


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
    Exercise(
        1,
        "without batch normalisation, at notebook 8's learning rate",
        PREDICT,
        check_without_at_small_rate,
        hints=("Notebook 8's network learned at 0.003 without batch normalisation; this one has twice its channels.",),
        solution='predicted_side = "above"',
        parameters={"use_batch_norm": False, "learning_rate": 0.003, "training_steps": 1000},
        expected=(
            f"{over_seeds(WITHOUT_AT_1000)} without batch normalisation at 0.003"
            f", against {over_seeds(WITH_AT_1000)} with it at 0.02."
        ),
        wrong_answers=(
            WrongAnswer(
                "you predicted 'below'",
                'predicted_side = "below"',
                {"use_batch_norm": False, "learning_rate": 0.003, "training_steps": 1000},
            ),
        ),
    ),
    Exercise(
        2,
        "batch normalisation by hand",
        CODE,
        check_batch_norm_by_hand,
        hints=(
            "z.mean(axis=0) and z.var(axis=0) give each column's mean and variance over the batch.",
            "(z - mean) / np.sqrt(variance + 1e-5) + offset",
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
        ),
    ),
    Exercise(
        3,
        "what the averages start from",
        CODE,
        check_memory,
        hints=(
            "Each step, the average keeps average_decay of itself and takes 1 - average_decay of the new batch. "
            "What is left of the starting value after one step? After two?",
        ),
        solution="start_weight = average_decay**evaluation_interval",
        wrong_answers=(
            WrongAnswer("how many batches the averages follow", "start_weight = 1 / (1 - average_decay)"),
            WrongAnswer(
                "the weight of the batches seen so far", "start_weight = 1 - average_decay**evaluation_interval"
            ),
        ),
    ),
    Exercise(
        4,
        "batch statistics of one image",
        CODE,
        check_groups_of_one,
        hints=("accuracy_in_groups, defined above, takes the group size and whether to use the batch statistics.",),
        solution="accuracy_groups_of_one = accuracy_in_groups(1, True)",
        wrong_answers=(
            WrongAnswer(
                "that is the accuracy with the moving averages",
                "accuracy_groups_of_one = accuracy_in_groups(2500, False)",
            ),
        ),
    ),
    Exercise(
        5,
        "faster averages",
        DISCUSSION,
        None,
        hints=("With average_decay = 0.9, how many batches do the averages follow?",),
        solution=(
            "At 0.9 the averages follow the last ten batches or so: they warm up within the first evaluation "
            "interval, so the first validation point is no longer pulled down, but later points jitter more, "
            "since ten batches give rougher estimates than hundreds."
        ),
    ),
    Exercise(
        6,
        "Görner's channels",
        DISCUSSION,
        None,
        hints=("A best-of-run figure is the highest of many test evaluations; a final figure is one.",),
        solution=(
            "Whatever the run gives, the two figures are of different kinds: a single test score at the end of a "
            "run sits below the best of many test evaluations, which is biased upwards by picking the best, and "
            "his ran on other hardware with other seeds. Judge the longer run by its validation curve; the one test "
            "score only reports it."
        ),
    ),
    Exercise(
        7,
        "sigmoids",
        DISCUSSION,
        None,
        hints=(
            "Batch normalisation keeps each layer's inputs near mean 0 and standard deviation 1: where is a "
            "sigmoid's slope there?",
        ),
        solution=(
            "Normalised inputs sit in the sigmoid's middle, where its slope is largest (1/4), instead of in its "
            "flat ends, so more of the error gets through each layer; a sigmoid still keeps at most a quarter of "
            "it, and batch normalisation's own backward pass divides by each batch's standard deviation. Notebook "
            "8's batch_norm has no scale gamma: Ioffe and Szegedy (2015) learn one so that the normalised inputs "
            "can leave the sigmoid's nearly linear middle where that helps. How far it gets with gradient descent "
            "in notebook 3's steps is for your run to measure."
        ),
    ),
)


def bind(namespace: dict) -> tuple[BoundExercise, ...]:
    """Notebook 9's exercises, bound to its variables: `exercise_1, ..., exercise_7 = bind(globals())`."""
    return bind_exercises(EXERCISES, namespace)
