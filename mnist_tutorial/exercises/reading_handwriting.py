"""The exercises of notebook 10, reading real handwriting (see `mnist_tutorial.exercises`)."""

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
from .batch_norm import NETWORK

#: The final validation accuracy by seed with half of each batch changed, as the notebook does, and with
#: every digit changed (`mnist-sweep 10 changed_per_batch=50,100 curve_images=100 --seeds 3`).
HALF_CHANGED = {1: 0.9926, 2: 0.9952, 3: 0.9922}
ALL_CHANGED = {1: 0.9918, 2: 0.9926, 3: 0.9922}
#: Runs closer than this are level: the standard deviation of the difference of two runs, each with the
#: spread over seeds 1-3 of the notebook's own runs (sd 0.0016): sqrt(2) x 0.0016.
LEVEL = 0.0023
#: How close a learner's accuracy must come to the check's, computed the same way.
SAME = 1e-6
#: The notebook's settings that the measurements above used. Its network is notebook 9's, line for line
#: (`NETWORK`, its variables, comes from there).
NOTEBOOK_SETTINGS = {
    "learning_rate": 0.02,
    "final_learning_rate": 0.0001,
    "decay_steps": 550,
    "batch_size": 100,
    "training_steps": 2000,
    "evaluation_interval": 500,
    "channels1": 12,
    "channels2": 24,
    "channels3": 48,
    "hidden_units": 200,
    "keep_prob": 0.75,
    "average_decay": 0.998,
    "changed_per_batch": 50,
    "shift": 3,
    "rotation": 15,
    "scale": 0.1,
    "slant": 0.0,
    "stroke": 0.0,
    "elastic": 0.0,
}
#: Exercise 3's run: every digit of each batch changed; the other settings as the measurements had them.
EVERY_DIGIT = {
    "changed_per_batch": 100,
    "training_steps": 2000,
    "evaluation_interval": 500,
    "average_decay": 0.998,
}


def check_shift(a: Answers) -> str:
    mine = a.answer("my_shift")
    if not callable(mine):
        raise NotYet(f"`my_shift` must be a function of (images, k), not a {type(mine).__name__}.")
    transforms, digits = a.notebook("transforms"), np.asarray(a.notebook("mnist").validation.images[:50])
    # Ink up to every edge, as MNIST's digits (with paper around them) would not have: there np.roll could pass.
    images = np.random.default_rng(0).random((20, 28, 28, 1)).astype(np.float32)
    for k in (3, -2, 0):
        try:
            out = np.asarray(mine(images.copy(), k))
        except Exception as error:  # the learner's function: report what went wrong, in one line
            raise NotYet(f"my_shift(images, {k}) raised {type(error).__name__}: {error}") from None
        if out.shape != images.shape:
            raise NotYet(f"my_shift returned shape {out.shape} for images of shape {images.shape}; it keeps the shape.")
        if np.allclose(out, transforms.shift(images, right=k)):
            continue
        if np.allclose(out, np.roll(images, k, axis=2)):
            raise NotYet(
                f"with k = {k}, the ink that leaves one edge comes back at the other (np.roll wraps around): "
                f"the columns that come in must be paper, 0."
            )
        if np.allclose(out, transforms.shift(images, right=-k)):
            raise NotYet(f"with k = {k} the digits moved the other way: a positive k moves them right.")
        if np.allclose(out, transforms.shift(images, down=k)):
            raise NotYet(f"with k = {k} the digits moved down: columns are the third axis, images[:, :, x].")
        raise NotYet(f"my_shift(images, {k}) differs from the digits moved {k} pixels right.")
    columns = np.arange(28, dtype=float)

    def centre(batch):
        ink = batch.reshape(len(batch), 28, 28).sum(axis=1)  # ink per column
        return (ink * columns).sum(axis=1) / ink.sum(axis=1)

    moved = float(np.mean(centre(mine(digits.copy(), 3)) - centre(digits)))
    return (
        f"moved 3 pixels right, the ink's centre of mass moves {moved:.2f} pixels on the first 50 validation "
        f"digits. MNIST centres each digit's mass in the 28 x 28 field, with about 4 pixels of paper around its "
        f"20 x 20 box, so a small shift loses no ink. A dense layer sees every pixel move to another input; a "
        f"convolution's filters slide with the digit, but its strides and dense layer do not: which is why "
        f"augmentation still helps it."
    )


def _validation_curve_digits(a: Answers):
    """The validation digits the notebook's curves use (`curve_X`, `curve_labels`)."""
    return np.asarray(a.notebook("curve_X")), np.asarray(a.notebook("curve_labels"))


def _accuracy(read, images, labels) -> float:
    labels = np.asarray(labels)
    if labels.ndim == 2:
        labels = labels.argmax(axis=1)
    return float(np.mean(read(images) == labels))


def _measured(a: Answers, name: str, change) -> float | None:
    """Compare the answer `name` with this network's accuracy on the curves' validation digits changed by
    `change`: that accuracy when the answer is it, NotYet when it is measured on test digits (as many as
    the curves use, or all of them) or with notebook 9's network, None otherwise (the caller then names
    the other mistakes it knows)."""
    mine = a.number(name)
    read, notebook_8 = a.notebook("read_with_this_network"), a.notebook("notebook_8")
    images, labels = _validation_curve_digits(a)
    reference = _accuracy(read, change(images), labels)
    if abs(mine - reference) <= SAME:
        return reference
    test = a.notebook("mnist").test
    for count in (len(images), len(test.images)):
        if abs(mine - _accuracy(read, change(test.images[:count]), test.labels[:count])) <= SAME:
            raise NotYet(
                f"that is measured on test digits; choices and measurements are made on the validation set: "
                f"curve_X and curve_labels are the first {len(images):,} validation digits."
            )
    if abs(mine - _accuracy(notebook_8.predict, change(images), labels)) <= SAME:
        raise NotYet(
            "that is notebook 9's network (notebook_8.predict); measure this notebook's, read_with_this_network."
        )
    return None


def check_clockwise(a: Answers) -> str:
    transforms = a.notebook("transforms")
    reference = _measured(a, "clockwise_accuracy", lambda images: transforms.rotate(images, -15))
    if reference is None:
        images, labels = _validation_curve_digits(a)
        read = a.notebook("read_with_this_network")
        if abs(a.number("clockwise_accuracy") - _accuracy(read, transforms.rotate(images, 15), labels)) <= SAME:
            raise NotYet(
                "that is the accuracy turned 15 degrees counter-clockwise: transforms.rotate turns "
                "counter-clockwise for positive angles, so clockwise is -15."
            )
        raise NotYet(
            "that is not this network's accuracy on curve_X turned by -15 degrees (transforms.rotate), "
            "compared with curve_labels."
        )
    images, labels = _validation_curve_digits(a)
    read, notebook_8 = a.notebook("read_with_this_network"), a.notebook("notebook_8")
    other_way = _accuracy(read, transforms.rotate(images, 15), labels)
    before = _accuracy(notebook_8.predict, transforms.rotate(images, -15), labels)
    rotation = a.setting("rotation")
    taught = (
        f"This run's training turned its digits by random angles from -{rotation} to +{rotation} degrees, as often "
        f"one way as the other, so neither direction was taught more; a writer's hand turns either way too."
        if rotation
        else "This run's training turned no digit (rotation = 0): set it back to 15 and run all cells to see what "
        "the turns teach."
    )
    return (
        f"turned 15 degrees clockwise, this network reads {reference:.4f} of the {len(images):,} validation "
        f"digits, and {other_way:.4f} turned counter-clockwise; notebook 9's reads {before:.4f} clockwise. {taught}"
    )


def check_every_digit(a: Answers) -> str:
    predicted = a.choice("predicted_side", ("above", "below", "level"))
    wanted = {"changed_per_batch": EVERY_DIGIT["changed_per_batch"]}
    measured = a.run_with(
        wanted, NOTEBOOK_SETTINGS, NETWORK, f"you predicted {predicted!r}; now "
    ).final_validation_accuracy
    half, which = a.seed_matched(HALF_CHANGED)
    side = "level" if abs(measured - half) < LEVEL else ("above" if measured > half else "below")
    why = (
        f"with every digit changed, the run ends at a validation accuracy of {measured:.4f}; with half of them, "
        f"as the notebook has it, {half:.4f} ({which}): {side} (closer than {LEVEL}, what the seed alone moves the "
        f"difference of two runs, counts as level). Every digit changed: {over_seeds(ALL_CHANGED)}; half: "
        f"{over_seeds(HALF_CHANGED)}. The means over the three seeds differ by less than the spread of the "
        f"notebook's own runs, so whichever side one run falls on, these runs do not show that feeding unchanged "
        f"digits too matters. The notebook keeps half, which spends half the time on changes"
    )
    return judge(predicted, side, why)


def check_thinned(a: Answers) -> str:
    transforms = a.notebook("transforms")
    reference = _measured(a, "thinned_accuracy", lambda images: transforms.change_stroke(images, -1))
    images, labels = _validation_curve_digits(a)
    if reference is None:
        read = a.notebook("read_with_this_network")
        if abs(a.number("thinned_accuracy") - _accuracy(read, transforms.change_stroke(images, 1), labels)) <= SAME:
            raise NotYet("that is the accuracy on thickened strokes; thinner is transforms.change_stroke(images, -1).")
        raise NotYet(
            "that is not this network's accuracy on curve_X thinned one step (transforms.change_stroke(curve_X, -1)), "
            "compared with curve_labels."
        )
    notebook_8 = a.notebook("notebook_8")
    before = _accuracy(notebook_8.predict, transforms.change_stroke(images, -1), labels)
    upright = _accuracy(a.notebook("read_with_this_network"), images, labels)
    stroke = a.setting("stroke")
    taught = (
        f"This run's training changed strokes too (stroke = {stroke}): compare with the notebook's run, with "
        f"stroke = 0.0."
        if stroke
        else "This run's training never thinned a stroke, and thinning by one step erases strokes a pixel or two "
        "wide: augmentation teaches only the changes it shows. Why this network reads thinned digits no better "
        "than notebook 9's, or worse, the notebook does not measure; exercise 5 measures what training with "
        "stroke changes buys and costs."
    )
    return (
        f"thinned one step, this network reads {reference:.4f} of the {len(images):,} validation digits (unchanged: "
        f"{upright:.4f}); notebook 9's reads {before:.4f}. {taught}"
    )


EXERCISES = (
    Exercise(
        1,
        "a shift by hand",
        CODE,
        check_shift,
        hints=(
            "Start from np.zeros_like(images) and copy a slice of the columns, images[:, :, ...], into another slice.",
            "For k >= 0: moved[:, :, k:] = images[:, :, :28 - k]; for k < 0 the slices swap sides.",
        ),
        solution=(
            "def my_shift(images, k):\n"
            "    moved = np.zeros_like(images)\n"
            "    if k >= 0:\n"
            "        moved[:, :, k:] = images[:, :, :28 - k]\n"
            "    else:\n"
            "        moved[:, :, :k] = images[:, :, -k:]\n"
            "    return moved"
        ),
        wrong_answers=(
            WrongAnswer("np.roll wraps around", "def my_shift(images, k):\n    return np.roll(images, k, axis=2)"),
            WrongAnswer(
                "moved the other way",
                "def my_shift(images, k):\n    return transforms.shift(images, right=-k)",
            ),
            WrongAnswer("moved down", "def my_shift(images, k):\n    return transforms.shift(images, down=k)"),
        ),
    ),
    Exercise(
        2,
        "turned the other way",
        CODE,
        check_clockwise,
        hints=(
            "transforms.rotate(images, degrees) turns counter-clockwise for a positive angle.",
            "np.mean(read_with_this_network(transforms.rotate(curve_X, -15)) == curve_labels)",
        ),
        solution=(
            "clockwise_accuracy = np.mean(\n"
            "    read_with_this_network(transforms.rotate(curve_X, -15)) == curve_labels)"
        ),
        wrong_answers=(
            WrongAnswer(
                "counter-clockwise",
                "clockwise_accuracy = np.mean(read_with_this_network(transforms.rotate(curve_X, 15)) == curve_labels)",
            ),
            WrongAnswer(
                "measured on test digits",
                "clockwise_accuracy = np.mean(\n"
                "    read_with_this_network(transforms.rotate(mnist.test.images, -15)) == test_labels)",
            ),
            WrongAnswer(
                "that is notebook 9's network",
                "clockwise_accuracy = np.mean(notebook_8.predict(transforms.rotate(curve_X, -15)) == curve_labels)",
            ),
        ),
    ),
    Exercise(
        3,
        "every digit changed",
        PREDICT,
        check_every_digit,
        hints=(
            "The validation digits are unchanged: with every digit changed, the network never sees one as drawn. "
            "But a move of 0 pixels and a turn of 0 degrees are among the random changes too.",
            "Over seeds 1 to 3 the notebook's own runs end between 0.9922 and 0.9952 in validation accuracy: "
            "two runs that differ by less than about 0.002 differ by what the seed alone does.",
        ),
        solution='predicted_side = "level"',
        parameters=EVERY_DIGIT,
        expected=(
            f"{over_seeds(ALL_CHANGED)} with every digit changed, against {over_seeds(HALF_CHANGED)} with half of them."
        ),
        wrong_answers=(
            WrongAnswer("you predicted 'below'", 'predicted_side = "below"', EVERY_DIGIT),
            WrongAnswer("you predicted 'above'", 'predicted_side = "above"', EVERY_DIGIT),
        ),
    ),
    Exercise(
        4,
        "thinner strokes",
        CODE,
        check_thinned,
        hints=(
            "transforms.change_stroke(images, -1) thins every stroke by one step.",
            "np.mean(read_with_this_network(transforms.change_stroke(curve_X, -1)) == curve_labels)",
        ),
        solution=(
            "thinned_accuracy = np.mean(read_with_this_network(transforms.change_stroke(curve_X, -1)) == curve_labels)"
        ),
        wrong_answers=(
            WrongAnswer(
                "thickened strokes",
                "thinned_accuracy = np.mean(\n"
                "    read_with_this_network(transforms.change_stroke(curve_X, 1)) == curve_labels)",
            ),
            WrongAnswer(
                "measured on test digits",
                "thinned_accuracy = np.mean(\n"
                "    read_with_this_network(transforms.change_stroke(mnist.test.images, -1)) == test_labels)",
            ),
        ),
    ),
    Exercise(
        5,
        "what stroke changes cost",
        DISCUSSION,
        None,
        hints=(
            "Measure both on the validation set: exercise 4's thinned digits, and the final validation accuracy "
            "against the notebook's run at the same seed. One run each is one sample: what does the seed alone move?",
        ),
        solution=(
            "Training on thinned and thickened digits should raise the thinned curve: exercise 4's check measures "
            "by how much. It also shows the network digits MNIST's writers never drew: thinned by one step, a "
            "digit can lose its thinnest stroke, and its label then names a digit that is no longer all there. "
            "What that costs on unchanged digits, one run cannot tell: the seed alone moves the final validation "
            "accuracy by up to three tenths of a point (0.9922 to 0.9952 over seeds 1-3), and the variant's test "
            "spread above is three times the committed notebook's. Decide on the validation set, over seeds, with "
            "stroke as small as 0.1 too; then check the choice, once, on the digits it is for: notebook 12 scores "
            "every network on digits drawn with thin and thick pens."
        ),
    ),
    Exercise(
        6,
        "in the graph or in the feed",
        DISCUSSION,
        None,
        hints=("`make bench` times the changes made by TensorFlow's image ops against augmentation.Augmenter.",),
        solution=(
            "In the feed, NumPy changes each batch on the CPU before session.run, which is simple to read and to "
            "test, and on two cores costs a few milliseconds per batch, small beside the training step. In the "
            "graph (tf.image and tf.raw_ops.ImageProjectiveTransformV3), the changes run on the same device as "
            "the network, which pays off on a GPU, where the CPU would otherwise feed it too slowly. The "
            "benchmark's figures decide it for a given machine."
        ),
    ),
)


def bind(namespace: dict) -> tuple[BoundExercise, ...]:
    """Notebook 10's exercises, bound to its variables: `exercise_1, ..., exercise_6 = bind(globals())`."""
    return bind_exercises(EXERCISES, namespace)
