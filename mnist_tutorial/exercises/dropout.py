"""The exercises of notebook 7, dropout (see `mnist_tutorial.exercises`)."""

import numpy as np

from . import (
    CONCLUDE,
    SHOW_INTERVAL,
    Answers,
    BoundExercise,
    Measure,
    NotYet,
    WrongAnswer,
    check_penalty,
    code,
    discussion,
    graph,
    how_sure,
    measured,
    over_seeds,
)
from . import bind as bind_exercises

NOTEBOOK = "07_dropout"
#: The coefficient of exercise 4's L2 penalty, and the settings of the runs whose gaps the text reports
#: (training_steps, seed, train_sample), which its check compares with.
PENALTY = 0.0001
COMPARED_RUN = (6000, 1, 10000)
_HALF = {"keep_prob": 0.5, "training_steps": 1000, "train_sample": 1000}
#: The recipes the checks compare with, measured over seeds 1-5 by `mnist-exercises measure 07`: each side
#: run trains the network twice, without dropout (`plain_monitor`) and with keep_prob (`monitor`).
MEASURES = (
    Measure(
        "half_kept",
        _HALF,
        quantities={
            "validation_accuracy": lambda run: run.validation_accuracy,
            "without_dropout": lambda run: run.monitors["plain_monitor"].final_validation_accuracy,
        },
    ),
)

_HALF_CALL = "side_runs.train(NOTEBOOK, keep_prob=0.5, training_steps=1000, train_sample=1000, seeds=[1, 2, 3])"
#: The comparison of exercise 1's answer: the dropout runs against the runs without it, seed by seed.
_COMPARE_HALF = (
    "without = {s: run.monitors['plain_monitor'].final_validation_accuracy for s, run in half_kept.runs.items()}\n"
    "comparison = significance.compare_recipes(half_kept.validation_accuracy, without, 'keep_prob 0.5', 'no dropout')"
)


def read_half_kept(a: Answers) -> tuple[dict[int, float], dict[int, float]]:
    runs = a.side_run("half_kept", _HALF, _HALF_CALL, several=True)
    if len(runs.seeds) < 3:
        raise NotYet(f"train with at least 3 seeds (seeds=[1, 2, 3]): `half_kept` has seeds {runs.seeds}.")
    without = {seed: run.monitors["plain_monitor"].final_validation_accuracy for seed, run in runs.runs.items()}
    return runs.validation_accuracy, without


def why_half_kept(comparison) -> str:
    return (
        "In the first 1,000 steps the network without dropout has not yet begun to overfit (look at its curves "
        "above), so there is little for dropout to correct, and dropping half of the units at every step slows "
        "the learning of the rest. Whether it would pay later, these runs do not show."
    )


def penalty(a: Answers) -> str:
    mnist = a.notebook("mnist")
    feed = {a.notebook("X"): mnist.validation.images[:500], a.notebook("Y_"): mnist.validation.labels[:500]}
    return check_penalty(a, ("W1", "W2", "W3", "W4"), PENALTY, feed)


def after_penalty(a: Answers, monitor) -> str:
    curves = a.notebook("dropped")
    gap = curves["train_accuracy"][-1] - curves["validation_accuracy"][-1]
    steps, seed = a.setting("training_steps"), a.setting("seed")
    if (steps, seed, a.setting("train_sample")) == COMPARED_RUN:
        compared = "with the same settings: against its run without dropout, only the penalty differs."
    else:
        compared = (
            f"those ran {COMPARED_RUN[0]:,} steps with seed {COMPARED_RUN[1]} and train_sample "
            f"{COMPARED_RUN[2]:,}; yours ran {steps:,} steps with seed {seed}: set theirs for a comparison in "
            f"which only the penalty differs."
        )
    return (
        f"With the penalty and no dropout the run ends at a validation accuracy of "
        f"{curves['validation_accuracy'][-1]:.4f}, with a gap of {gap:.4f} between the scored training images and "
        f"the validation images. Compare it with the gaps you noted before this run, with and without dropout, "
        f"{compared} One seed each: the gaps are a description, not yet a comparison. With Adam, "
        f"a penalty in the loss is not quite weight decay: Adam rescales its gradient like every other, where "
        f"decoupled weight decay (AdamW) shrinks the weights apart from it."
    )


def check_dropout_by_hand(a: Answers) -> str:
    mine = a.answer("my_dropout")
    if not callable(mine):
        raise NotYet(f"`my_dropout` must be a function of (x, keep, rng), not a {type(mine).__name__}.")
    x = np.random.default_rng(0).uniform(0.5, 1.5, (200, 500))
    try:
        out = np.asarray(mine(x, 0.75, np.random.default_rng(1)), dtype=float)
    except Exception as error:  # the learner's function: report what went wrong, in one line
        raise NotYet(f"my_dropout(x, 0.75, rng) raised {type(error).__name__}: {error}") from None
    if out.shape != x.shape:
        raise NotYet(f"my_dropout returned shape {out.shape} for an input of shape {x.shape}; it keeps the shape.")
    dropped = out == 0
    share = dropped.mean()
    if not 0.24 <= share <= 0.26:
        raise NotYet(f"{share:.1%} of the values are 0; with keep = 0.75 it should be about 25%.")
    kept = ~dropped
    if np.allclose(out[kept], x[kept]):
        raise NotYet("the values you keep are unchanged: divide them by keep, so that the expected output stays x.")
    if not np.allclose(out[kept], x[kept] / 0.75):
        raise NotYet("the values you keep should be x / keep; some of yours are not.")
    return (
        f"{share:.1%} of the values are 0 and the others are x / 0.75, so the mean output, {out.mean():.4f}, stays "
        f"close to the input's {x.mean():.4f}: the next layer sees inputs of the same size in training and at "
        f"test time, when nothing is dropped. This is what tf.nn.dropout does."
    )


def check_dropout_left_on(a: Answers) -> str:
    mine = a.number("agreement")
    if a.setting("keep_prob") == 1.0:
        raise NotYet("keep_prob is 1.0, so nothing is dropped: run this with the notebook's keep_prob.")
    mnist = a.notebook("mnist")
    images, labels = mnist.validation.images, mnist.validation.labels.argmax(axis=1)
    first = a.array("first_reading", labels.shape)
    second = a.array("second_reading", labels.shape)
    whole = a.notebook("session").run(a.notebook("prediction"), {a.notebook("X"): images})
    for name, reading in (("first_reading", first), ("second_reading", second)):
        if np.array_equal(reading, whole):
            raise NotYet(
                f"`{name}` is what the whole network reads: nothing was dropped. Feed keep: keep_prob too (its "
                f"default is 1.0)."
            )
    if np.array_equal(first, second):
        raise NotYet("your two readings are the same array: run prediction twice, each time with keep: keep_prob.")
    shared = float(np.mean(first == second))
    if not np.isclose(mine, shared, rtol=0, atol=1e-6):
        accuracies = {
            "the whole network's accuracy": np.mean(whole == labels),
            "the first reading's accuracy": np.mean(first == labels),
            "the second reading's accuracy": np.mean(second == labels),
        }
        for what, accuracy in accuracies.items():
            if np.isclose(mine, accuracy, rtol=0, atol=1e-6):
                raise NotYet(
                    f"{mine:.4f} is {what}: the agreement compares the two readings with each other, not with the "
                    f"labels."
                )
        raise NotYet(
            f"{mine:.4f} is not the share of validation images for which your two readings give the same digit."
        )
    return (
        f"with dropout left on, two evaluations give the same digit for only {mine:.1%} of the validation images: "
        f"each is one of many thinned networks. That is why every evaluation feeds keep = 1.0: the whole network, "
        f"whose activations have the size training expected, since tf.nn.dropout divided the kept activations by "
        f"keep_prob."
    )


_TRAIN_STEP = "train_step = tf.train.AdamOptimizer(lr).minimize(cross_entropy)"

_PENALTY = (
    _TRAIN_STEP,
    "train_step = tf.train.AdamOptimizer(lr).minimize(\n"
    "    cross_entropy + 0.0001 * (tf.nn.l2_loss(W1) + tf.nn.l2_loss(W2) + tf.nn.l2_loss(W3)\n"
    "                              + tf.nn.l2_loss(W4)))",
)

EXERCISES = (
    how_sure(
        1,
        "how much dropout",
        measure=read_half_kept,
        names=("keep_prob 0.5", "no dropout"),
        predicted="predicted",
        why=why_half_kept,
        reads=("half_kept",),
        hints=(
            "In the first 1,000 steps, has the run without dropout begun to overfit? Look at its curves above.",
            "Each run of half_kept.runs keeps both networks: .validation_accuracy is the dropout run's, "
            ".monitors['plain_monitor'] the other's.",
        ),
        solution=f'predicted = "worse"\nhalf_kept = {_HALF_CALL}\n{_COMPARE_HALF}\n{SHOW_INTERVAL}\n{CONCLUDE}',
        expected=lambda: (
            f"{over_seeds(measured(NOTEBOOK, 'half_kept'))} with keep_prob 0.5, against "
            f"{over_seeds(measured(NOTEBOOK, 'half_kept', 'without_dropout'))} without dropout."
        ),
        measures=("half_kept",),
        wrong_answers=(
            WrongAnswer(
                "you concluded 'better'",
                f'predicted = "worse"\nhalf_kept = {_HALF_CALL}\nconclusion = "better"',
            ),
            WrongAnswer(
                "needs keep_prob = 0.5",
                'predicted = "worse"\n'
                "half_kept = side_runs.train(NOTEBOOK, training_steps=1000, train_sample=1000, seeds=[1, 2, 3])\n"
                'conclusion = "worse"',
            ),
        ),
    ),
    discussion(
        2,
        "longer",
        hints=("Where is each run's validation cross-entropy lowest, and what does it do after that?",),
        solution=(
            "In the committed pair of runs (one seed each), over 6,000 steps, the validation cross-entropy without "
            "dropout reached its lowest earlier and then rose by clearly more than its median move between "
            "evaluations; the dropout run's rise after its lowest was little more than its own median move, so "
            "this pair does not show whether it rose at all. A network that keeps fitting its training images grows "
            "surer of all its answers, its mistakes on other images included, and the cross-entropy punishes a "
            "confident mistake hard. The longer run shows whether the rise goes on, and whether the accuracies, "
            "which moved much less, part as well; one seed each, so before calling a difference real, run both "
            "with the same few seeds and compare them seed by seed (significance.compare_recipes)."
        ),
    ),
    discussion(
        3,
        "another seed",
        hints=("How wide was the interval over seeds 1 to 5, and how much can a sixth difference narrow it?",),
        solution=(
            "With seed 2 the two runs differ by another amount, perhaps with the other sign: one pair of runs "
            'describes two networks, not two recipes. The section "What dropout changed" already compared the '
            "recipes over seeds 1 to 5, paired by seed (significance.compare_recipes): not shown to differ, with the "
            "interval printed there. One more pair moves that interval only a little. Settling a difference that "
            "small takes many more seeds, their number fixed before looking (notebook 5)."
        ),
    ),
    graph(
        4,
        "an L2 penalty instead",
        penalty,
        reads=("train_step", "W1", "W2", "W3", "W4", "cross_entropy", "mnist", "X", "Y_", "dropped"),
        hints=(
            "Change what train_step minimises: the cross-entropy plus 0.0001 times the l2_loss of W1 to W4. Set "
            "keep_prob = 1.0.",
        ),
        parameters={"keep_prob": 1.0},
        edits=(_PENALTY,),
        after=after_penalty,
        wrong_answers=(
            WrongAnswer(
                "plus -0.0001 times the summed l2_loss of the weights; the exercise asks for 0.0001 times it",
                parameters={"keep_prob": 1.0},
                edits=((_TRAIN_STEP, _PENALTY[1].replace("cross_entropy + 0.0001", "cross_entropy - 0.0001")),),
            ),
            WrongAnswer(
                "but not output_layer/W4",
                parameters={"keep_prob": 1.0},
                edits=(
                    (
                        _TRAIN_STEP,
                        "train_step = tf.train.AdamOptimizer(lr).minimize(\n"
                        "    cross_entropy + 0.0001 * (tf.nn.l2_loss(W1) + tf.nn.l2_loss(W2) + tf.nn.l2_loss(W3)))",
                    ),
                ),
            ),
        ),
    ),
    discussion(
        5,
        "smaller",
        hints=(
            "Compare the gap between training and validation accuracy of the small network's two runs with the "
            "notebook's.",
        ),
        solution=(
            "Expect the small network to fit its training images less closely, so that the gap between training "
            "and validation shrinks and dropout has less to correct; dropping units a small network needs may "
            "then cost more than it buys. The side runs keep both recipes for each seed: the dropout run's "
            "validation accuracy in runs.validation_accuracy, the other's in each run's "
            ".monitors['plain_monitor'].final_validation_accuracy. significance.compare_recipes on the two, by "
            "seed, gives the 95% interval of the difference: above 0, below 0, or across it (not shown to differ)."
        ),
    ),
    code(
        6,
        "dropout by hand",
        check_dropout_by_hand,
        reads=("my_dropout",),
        hints=(
            "rng.random(x.shape) draws one number between 0 and 1 for each value. How often is one below keep?",
            "The values you keep must be scaled so that the expected output stays x: by what factor?",
        ),
        solution="def my_dropout(x, keep, rng):\n    return x * (rng.random(x.shape) < keep) / keep",
        wrong_answers=(
            WrongAnswer(
                "divide them by keep", "def my_dropout(x, keep, rng):\n    return x * (rng.random(x.shape) < keep)"
            ),
            WrongAnswer(
                "with keep = 0.75 it should be about 25%",
                "def my_dropout(x, keep, rng):\n    return x * (rng.random(x.shape) > keep) / keep",
            ),
        ),
    ),
    code(
        7,
        "dropout left on",
        check_dropout_left_on,
        reads=(
            "agreement",
            "first_reading",
            "second_reading",
            "hyperparameters",
            "session",
            "mnist",
            "X",
            "prediction",
        ),
        hints=(
            "Feed {X: mnist.validation.images, keep: keep_prob} to session.run(prediction, ...), once per reading.",
            "Comparing two arrays with == gives True where they agree; the mean of that is a share.",
        ),
        solution=(
            "thinned = {X: mnist.validation.images, keep: keep_prob}\n"
            "first_reading = session.run(prediction, thinned)\n"
            "second_reading = session.run(prediction, thinned)\n"
            "agreement = np.mean(first_reading == second_reading)"
        ),
        wrong_answers=(
            WrongAnswer(
                "nothing was dropped",
                "whole = {X: mnist.validation.images}\n"
                "first_reading = session.run(prediction, whole)\n"
                "second_reading = session.run(prediction, whole)\n"
                "agreement = np.mean(first_reading == second_reading)",
            ),
            WrongAnswer(
                "not with the labels",
                "thinned = {X: mnist.validation.images, keep: keep_prob}\n"
                "first_reading = session.run(prediction, thinned)\n"
                "second_reading = session.run(prediction, thinned)\n"
                "agreement = np.mean(first_reading == mnist.validation.labels.argmax(axis=1))",
            ),
        ),
    ),
)


def bind(namespace: dict) -> tuple[BoundExercise, ...]:
    """Notebook 7's exercises, bound to its variables: `exercise_1, ..., exercise_7 = bind(globals())`."""
    return bind_exercises(EXERCISES, namespace)
