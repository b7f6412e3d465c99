"""The exercises of notebook 7, dropout (see `mnist_tutorial.exercises`)."""

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
    differentiated,
    judge,
    minimised,
    over_seeds,
    penalised_variables,
)
from . import bind as bind_exercises

#: The final validation accuracy after 2,000 steps, by seed, without dropout and with keep_prob 0.5
#: (`mnist-sweep 07 keep_prob=0.5,1.0 training_steps=2000 train_sample=1000 --seeds 3`). Scoring the
#: training sample draws dropout masks too (with keep 1.0), so train_sample is part of the setting.
WITHOUT_AT_2000 = {1: 0.9806, 2: 0.983, 3: 0.9772}
HALF_KEPT_AT_2000 = {1: 0.9702, 2: 0.9716, 3: 0.9752}
#: The notebook's settings that the measurements above used, and its network's variables.
NOTEBOOK_SETTINGS = {
    "learning_rate": 0.003,
    "final_learning_rate": 0.0001,
    "decay_steps": 2000,
    "batch_size": 100,
    "hidden1": 400,
    "hidden2": 200,
    "hidden3": 100,
}
NETWORK = {
    f"{scope}/{name}{k}"
    for k, scope in enumerate(["layer1", "layer2", "layer3", "output_layer"], 1)
    for name in ("W", "b")
}
#: The coefficient of exercise 4's L2 penalty, and the settings of the runs whose gaps the text reports
#: (training_steps, seed, train_sample), which its check compares with.
PENALTY = 0.0001
COMPARED_RUN = (6000, 1, 10000)
#: Two evaluations with dropout on agree this closely with the check's own pair.
AGREEMENT_TOLERANCE = 0.01


def check_half_dropped(a: Answers) -> str:
    predicted = a.choice("predicted_side", ("higher", "lower"))
    wanted = {"keep_prob": 0.5, "training_steps": 2000, "train_sample": 1000}
    dropped = a.run_with(
        wanted, NOTEBOOK_SETTINGS, NETWORK, f"you predicted {predicted!r}; now "
    ).final_validation_accuracy
    plain = float(a.notebook("plain_monitor").final_validation_accuracy)
    side = "higher" if dropped > plain else "lower"
    why = (
        f"with half of the units dropped the run ends at {dropped:.4f}, without dropout at {plain:.4f}: {side}. "
        f"The check's own runs gave {over_seeds(HALF_KEPT_AT_2000)} with keep_prob 0.5, and "
        f"{over_seeds(WITHOUT_AT_2000)} without dropout: after 2,000 steps, dropping half of the units cost "
        f"accuracy with each seed. Whether it would pay later, these runs do not show: in the notebook's own "
        f"runs of 6,000 steps at keep_prob 0.75, the two ended almost level"
    )
    return judge(predicted, side, why)


def check_weight_decay(a: Answers) -> str:
    train_step = a.notebook("train_step")
    penalised = penalised_variables(train_step)
    names = {a.notebook(f"W{k}").op.name for k in range(1, 5)}
    if not penalised:
        raise NotAttempted("train_step minimises no tf.nn.l2_loss yet: add the penalty to what it minimises.")
    if not names <= penalised:
        raise NotYet(
            f"the penalty covers {', '.join(sorted(penalised))} but not "
            f"{', '.join(sorted(names - penalised))}: add tf.nn.l2_loss of every weight matrix."
        )
    if a.notebook("cross_entropy").op.name not in differentiated(train_step):
        raise NotYet("train_step no longer minimises the cross-entropy: minimise cross_entropy + the penalty.")
    coefficient = _penalty_coefficient(a, train_step)
    if not np.isclose(coefficient, PENALTY, rtol=0.01):
        raise NotYet(
            f"train_step minimises the cross-entropy plus {coefficient:.3g} times the summed l2_loss of the "
            f"weights; the exercise asks for {PENALTY} times it"
            + (" (a negative coefficient rewards large weights)." if coefficient < 0 else ".")
        )
    a.run_with({"keep_prob": 1.0}, NOTEBOOK_SETTINGS, NETWORK, "the penalty is in place; now ")
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
        f"with the penalty and no dropout the run ends at a validation accuracy of "
        f"{curves['validation_accuracy'][-1]:.4f}, with a gap of {gap:.4f} between the scored training images and "
        f"the validation images. Compare it with the gaps the notebook's text reports for its runs with and "
        f"without dropout, {compared} With Adam, a penalty in the loss is not quite weight decay: Adam rescales "
        f"its gradient like every other, where decoupled weight decay (AdamW) shrinks the weights apart from it."
    )


def _penalty_coefficient(a: Answers, train_step) -> float:
    """How many times the summed l2_loss of W1-W4 the loss that `train_step` minimises adds to the
    cross-entropy, evaluated on 500 validation images."""
    loss = minimised(train_step)
    if loss is None:
        raise NotYet("cannot tell which loss train_step minimises: build it with optimizer.minimize(loss).")
    session, mnist = a.notebook("session"), a.notebook("mnist")
    feed = {a.notebook("X"): mnist.validation.images[:500], a.notebook("Y_"): mnist.validation.labels[:500]}
    total, cross_entropy = session.run([loss, a.notebook("cross_entropy")], feed)
    weights = session.run([a.notebook(f"W{k}") for k in range(1, 5)])
    summed = sum(float(np.sum(np.square(w, dtype=np.float64))) / 2 for w in weights)
    return (float(total) - float(cross_entropy)) / summed


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
    keep = a.setting("keep_prob")
    if keep == 1.0:
        raise NotYet("keep_prob is 1.0, so nothing is dropped: run this with the notebook's keep_prob.")
    session, mnist = a.notebook("session"), a.notebook("mnist")
    feed = {a.notebook("X"): mnist.validation.images, a.notebook("keep"): keep}
    prediction = a.notebook("prediction")
    reference = float(np.mean(session.run(prediction, feed) == session.run(prediction, feed)))
    if mine == 1.0:
        raise NotYet(
            "1.0: the two evaluations agree on every image, so nothing was dropped. Feed keep: keep_prob "
            "(its default is 1.0)."
        )
    if abs(mine - reference) > AGREEMENT_TOLERANCE:
        raise NotYet(
            f"{mine:.4f} is far from the {reference:.4f} the check measures: run prediction twice on the "
            f"validation images with keep: keep_prob, and take the share of images with the same answer."
        )
    return (
        f"with dropout left on, two evaluations give the same digit for only {mine:.1%} of the validation images: "
        f"each is one of many thinned networks. That is why every evaluation feeds keep = 1.0: the whole network, "
        f"whose activations have the size training expected, since tf.nn.dropout divided the kept activations by "
        f"keep_prob."
    )


_TRAIN_STEP = "train_step = tf.train.AdamOptimizer(lr).minimize(cross_entropy)"

EXERCISES = (
    Exercise(
        1,
        "how much dropout",
        PREDICT,
        check_half_dropped,
        hints=("In the first 2,000 steps, has the run without dropout begun to overfit? Look at its curves above.",),
        solution='predicted_side = "lower"',
        parameters={"keep_prob": 0.5, "training_steps": 2000, "train_sample": 1000},
        expected=(
            f"{over_seeds(HALF_KEPT_AT_2000)} with keep_prob 0.5"
            f", against {over_seeds(WITHOUT_AT_2000)} without dropout."
        ),
        wrong_answers=(
            WrongAnswer(
                "you predicted 'higher'",
                'predicted_side = "higher"',
                {"keep_prob": 0.5, "training_steps": 2000, "train_sample": 1000},
            ),
        ),
    ),
    Exercise(
        2,
        "longer",
        DISCUSSION,
        None,
        hints=("Where is each run's validation cross-entropy lowest, and what does it do after that?",),
        solution=(
            "In the notebook's 6,000 steps both runs' validation cross-entropy rose after its lowest point, the run "
            "without dropout's from earlier and by more. A network that keeps fitting its training images grows "
            "surer of all its answers, its mistakes on other images included, and the cross-entropy punishes a "
            "confident mistake hard. The longer run shows whether the rise goes on, and whether the accuracies, "
            "which moved much less, part as well; one seed each, so compare the difference with the spread over "
            "seeds before calling it real."
        ),
    ),
    Exercise(
        3,
        "another seed",
        DISCUSSION,
        None,
        hints=(
            "The spreads over seeds printed above are of the test accuracy: a guide to how far a seed moves a "
            "run's accuracy, though not the same measure as the validation accuracy.",
        ),
        solution=(
            "Compare the validation accuracies of the two runs with seed 2 with those of seed 1. The spreads printed "
            "above are of the test accuracy over seeds 1-5, not of the validation accuracy, but they say how far a "
            "seed moves a run: a difference smaller than about twice the larger of them may well reverse with "
            "another seed, and one more seed cannot settle it; a sweep over several seeds of each (make sweep) can."
        ),
    ),
    Exercise(
        4,
        "an L2 penalty instead",
        TRAIN,
        check_weight_decay,
        hints=(
            "Change what train_step minimises: the cross-entropy plus 0.0001 times the l2_loss of W1 to W4. Set "
            "keep_prob = 1.0.",
        ),
        solution="",
        parameters={"keep_prob": 1.0},
        edits=(
            (
                _TRAIN_STEP,
                "train_step = tf.train.AdamOptimizer(lr).minimize(\n"
                "    cross_entropy + 0.0001 * (tf.nn.l2_loss(W1) + tf.nn.l2_loss(W2) + tf.nn.l2_loss(W3)\n"
                "                              + tf.nn.l2_loss(W4)))",
            ),
        ),
        wrong_answers=(
            WrongAnswer(
                "plus -0.0001 times the summed l2_loss of the weights; the exercise asks for 0.0001 times it",
                parameters={"keep_prob": 1.0},
                edits=(
                    (
                        _TRAIN_STEP,
                        "train_step = tf.train.AdamOptimizer(lr).minimize(\n"
                        "    cross_entropy - 0.0001 * (tf.nn.l2_loss(W1) + tf.nn.l2_loss(W2) + tf.nn.l2_loss(W3)\n"
                        "                              + tf.nn.l2_loss(W4)))",
                    ),
                ),
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
    Exercise(
        5,
        "smaller",
        DISCUSSION,
        None,
        hints=(
            "Compare the gap between training and validation accuracy of the small network's two runs with the "
            "notebook's.",
        ),
        solution=(
            "Expect the small network to fit its training images less closely, so that the gap between training "
            "and validation shrinks and dropout has less to correct; dropping units a small network needs may "
            "then cost more than it buys. The summary's two gaps and two validation accuracies tell whether that "
            "holds here, for one seed."
        ),
    ),
    Exercise(
        6,
        "dropout by hand",
        CODE,
        check_dropout_by_hand,
        hints=(
            "rng.random(x.shape) < keep gives True where a value is kept.",
            "Multiply x by that mask, and divide by keep.",
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
    Exercise(
        7,
        "dropout left on",
        CODE,
        check_dropout_left_on,
        hints=(
            "Feed {X: mnist.validation.images, keep: keep_prob} to session.run(prediction, ...), twice.",
            "np.mean(first == second) is the share of images on which the two agree.",
        ),
        solution=(
            "thinned = {X: mnist.validation.images, keep: keep_prob}\n"
            "agreement = np.mean(session.run(prediction, thinned) == session.run(prediction, thinned))"
        ),
        wrong_answers=(
            WrongAnswer(
                "nothing was dropped",
                "whole = {X: mnist.validation.images}\n"
                "agreement = np.mean(session.run(prediction, whole) == session.run(prediction, whole))",
            ),
        ),
    ),
)


def bind(namespace: dict) -> tuple[BoundExercise, ...]:
    """Notebook 7's exercises, bound to its variables: `exercise_1, ..., exercise_7 = bind(globals())`."""
    return bind_exercises(EXERCISES, namespace)
