"""The exercises of notebook 10, reading real handwriting (see `mnist_tutorial.exercises`)."""

import numpy as np

from . import (
    CODE,
    CONCLUDE,
    DISCUSSION,
    SHOW_INTERVAL,
    Answers,
    BoundExercise,
    Exercise,
    Measure,
    NotYet,
    WrongAnswer,
    compare_recipes,
    how_sure,
    interval_text,
    measured,
    over_seeds,
    paired_side_runs,
    verdict_text,
)
from . import bind as bind_exercises

NOTEBOOK = "10_reading_handwriting"
#: The recipes exercise 3's model answer quotes, measured over seeds 1-5 by `mnist-exercises measure 10`: the
#: notebook's own (half of each batch changed) and every digit of each batch changed.
MEASURES = (
    Measure("own"),
    Measure("every_digit", {"changed_per_batch": 100}),
)
#: How close a learner's accuracy must come to the check's.
SAME = 1e-6


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
        f"convolution's filters slide with the digit, but its strides and dense layer do not, so augmentation "
        f"may still help it; no cell here measures that."
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
    read, notebook_9 = a.notebook("read_with_this_network"), a.notebook("notebook_9")
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
    if abs(mine - _accuracy(notebook_9.predict, change(images), labels)) <= SAME:
        raise NotYet(
            "that is notebook 9's network (notebook_9.predict); measure this notebook's, read_with_this_network."
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
    read, notebook_9 = a.notebook("read_with_this_network"), a.notebook("notebook_9")
    other_way = _accuracy(read, transforms.rotate(images, 15), labels)
    before = _accuracy(notebook_9.predict, transforms.rotate(images, -15), labels)
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


_EVERY = "side_runs.train(NOTEBOOK, changed_per_batch=100, seeds=[1, 2, 3])"
_HALF = "side_runs.train(NOTEBOOK, seeds=[1, 2, 3])"


def read_every_digit(a: Answers):
    return paired_side_runs(a, "every_runs", _EVERY, "half_runs", _HALF, {}, wanted_a={"changed_per_batch": 100})


def why_every_digit(comparison) -> str:
    if comparison.direction < 0:
        said = (
            "Fed only changed digits, the network never sees one exactly as drawn, and the validation digits are "
            "unchanged: your seeds show what that costs here."
        )
    elif comparison.direction > 0:
        said = "Your seeds put every digit changed ahead: see whether five seeds agree before you explain it."
    else:
        said = (
            "Not shown is not equal: the interval says how large a cost could still hide. A move of 0 pixels and "
            "a turn of 0 degrees are among the random changes too, so a network fed only changed digits still "
            "sees some nearly as drawn."
        )
    return f"{said} exercise_3.solution() gives both recipes over five seeds."


def measured_every_digit() -> str:
    every, half = measured(NOTEBOOK, "every_digit"), measured(NOTEBOOK, "own")
    comparison = compare_recipes(every, half, "every digit changed", "half changed")
    return (
        f"every digit changed, {over_seeds(every)}; half, {over_seeds(half)}; paired by seed, "
        f"{interval_text(comparison)}: {verdict_text(comparison)}."
    )


def _by_digit(read, images, labels) -> np.ndarray:
    """For each digit 0 to 9, the share of the images of that digit (by `labels`) that `read` reads right."""
    labels = np.asarray(labels)
    if labels.ndim == 2:
        labels = labels.argmax(axis=1)
    right = read(images) == labels
    return np.array([right[labels == digit].mean() for digit in range(10)])


def check_thinned(a: Answers) -> str:
    mine = a.array("thinned_by_digit", (10,))
    transforms = a.notebook("transforms")
    read, notebook_9 = a.notebook("read_with_this_network"), a.notebook("notebook_9")
    images, labels = _validation_curve_digits(a)

    def thin(batch):
        return transforms.change_stroke(batch, -1)

    reference = _by_digit(read, thin(images), labels)
    if np.allclose(mine, reference, atol=SAME):
        before = _by_digit(notebook_9.predict, thin(images), labels)
        counts = np.bincount(labels, minlength=10)
        sizes = f"{counts.min()}" if counts.min() == counts.max() else f"{counts.min()} to {counts.max()}"
        order = np.argsort(reference, kind="stable")
        listing = ", ".join(f"{d}: {reference[d]:.2f} ({before[d]:.2f})" for d in range(10))
        stroke = a.setting("stroke")
        taught = (
            f"This run's training changed strokes too (stroke = {stroke}): compare with the notebook's run, with "
            f"stroke = 0.0."
            if stroke
            else "This run's training never thinned a stroke: augmentation teaches only the changes it shows; "
            "exercise 5 measures what training with stroke changes buys and costs."
        )
        return (
            f"thinned one step, this network reads of each digit (notebook 9's in brackets): {listing}. The lowest "
            f"in this sample are the {order[0]}s and the {order[1]}s, the highest the {order[-1]}s. Each digit has "
            f"only {sizes} images among curve_X, so a share is rough, to a few hundredths: the two networks on one "
            f"digit are a paired question (McNemar's, notebook 5), two digits are not, and this series does not "
            f"rank them. Thinning takes a "
            f"pixel off each side of every stroke, so a stroke two pixels wide or less vanishes. {taught}"
        )
    predictions = read(thin(images))
    wrong = [
        (
            _by_digit(read, transforms.change_stroke(images, 1), labels),
            "that is the accuracy on thickened strokes; thinner is transforms.change_stroke(curve_X, -1).",
        ),
        (
            _by_digit(read, images, labels),
            "those are the unchanged digits; thin them first: transforms.change_stroke(curve_X, -1).",
        ),
        (
            _by_digit(notebook_9.predict, thin(images), labels),
            "that is notebook 9's network (notebook_9.predict); measure this notebook's, read_with_this_network.",
        ),
        (
            np.bincount(labels[predictions == labels], minlength=10).astype(float),
            "those are counts of digits read right; the exercise asks for the share of each digit's images.",
        ),
        (
            np.array(
                [
                    np.mean((predictions == labels)[predictions == d]) if np.any(predictions == d) else np.nan
                    for d in range(10)
                ]
            ),
            "that groups the images by the digit the network reads; group them by the true digit, curve_labels.",
        ),
    ]
    for values, message in wrong:
        if np.allclose(mine, values, atol=SAME, equal_nan=True):
            raise NotYet(message)
    test = a.notebook("mnist").test
    for count in (len(images), len(test.images)):
        if np.allclose(mine, _by_digit(read, thin(test.images[:count]), test.labels[:count]), atol=SAME):
            raise NotYet(
                f"that is measured on test digits; choices and measurements are made on the validation set: "
                f"curve_X and curve_labels are the first {len(images):,} validation digits."
            )
    first = int(np.flatnonzero(~np.isclose(mine, reference, atol=SAME))[0])
    raise NotYet(
        f"for the digit {first} you have {mine[first]:.4f}: the share of the images of curve_X whose label is "
        f"{first}, thinned one step (transforms.change_stroke(curve_X, -1)), that read_with_this_network reads right."
    )


EXERCISES = (
    Exercise(
        1,
        "a shift by hand",
        CODE,
        check_shift,
        hints=(
            "Start from np.zeros_like(images) and copy a slice of the columns, images[:, :, ...], into another slice.",
            "For k >= 0, the result's first k columns stay paper and its other columns are the image's first "
            "28 - k; for k < 0 the two sides swap.",
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
            "read_with_this_network(images) returns the digits it reads: the accuracy is the share of them "
            "equal to curve_labels.",
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
                "clockwise_accuracy = np.mean(notebook_9.predict(transforms.rotate(curve_X, -15)) == curve_labels)",
            ),
        ),
    ),
    how_sure(
        3,
        "every digit changed",
        measure=read_every_digit,
        names=("every digit changed", "half changed"),
        predicted="predicted",
        why=why_every_digit,
        reads=("every_runs", "half_runs"),
        hints=(
            "The validation digits are unchanged. What does a network fed only changed digits see less of, and "
            "what does it see more of?",
            "significance.compare_recipes(every_runs.validation_accuracy, half_runs.validation_accuracy, "
            "'every digit changed', 'half changed') gives the interval: above 0, below 0, or across it.",
        ),
        solution=(
            'predicted = "not shown"  # or what you expected\n'
            f"every_runs = {_EVERY}\n"
            f"half_runs = {_HALF}\n"
            "comparison = significance.compare_recipes(every_runs.validation_accuracy, half_runs.validation_accuracy,\n"
            '                                          "every digit changed", "half changed")\n'
            f"{SHOW_INTERVAL}\n"
            f"{CONCLUDE}"
        ),
        expected=measured_every_digit,
        measures=("every_digit", "own"),
        wrong_answers=(
            WrongAnswer(
                "must be what side_runs.train returns for several seeds",
                'predicted = "worse"\nevery_runs = side_runs.train(NOTEBOOK, changed_per_batch=100)\n'
                f'half_runs = {_HALF}\nconclusion = "not shown"',
            ),
            WrongAnswer(
                "run both with the same seeds",
                'predicted = "worse"\n'
                "every_runs = side_runs.train(NOTEBOOK, changed_per_batch=100, seeds=[1, 2])\n"
                'half_runs = side_runs.train(NOTEBOOK, seeds=[1, 2])\nconclusion = "not shown"',
            ),
        ),
    ),
    Exercise(
        4,
        "thinner strokes, digit by digit",
        CODE,
        check_thinned,
        hints=(
            "transforms.change_stroke(images, -1) thins every stroke by one step; read_with_this_network reads them.",
            "Compare what it reads with curve_labels, then take the mean of that over the images whose label is d, "
            "for each d from 0 to 9.",
        ),
        solution=(
            "right = read_with_this_network(transforms.change_stroke(curve_X, -1)) == curve_labels\n"
            "thinned_by_digit = [right[curve_labels == d].mean() for d in range(10)]"
        ),
        wrong_answers=(
            WrongAnswer(
                "thickened strokes",
                "right = read_with_this_network(transforms.change_stroke(curve_X, 1)) == curve_labels\n"
                "thinned_by_digit = [right[curve_labels == d].mean() for d in range(10)]",
            ),
            WrongAnswer(
                "that is notebook 9's network",
                "right = notebook_9.predict(transforms.change_stroke(curve_X, -1)) == curve_labels\n"
                "thinned_by_digit = [right[curve_labels == d].mean() for d in range(10)]",
            ),
            WrongAnswer(
                "group them by the true digit",
                "read = read_with_this_network(transforms.change_stroke(curve_X, -1))\n"
                "thinned_by_digit = [(read == curve_labels)[read == d].mean() for d in range(10)]",
            ),
            WrongAnswer(
                "measured on test digits",
                "labels = mnist.test.labels.argmax(axis=1)\n"
                "right = read_with_this_network(transforms.change_stroke(mnist.test.images, -1)) == labels\n"
                "thinned_by_digit = [right[labels == d].mean() for d in range(10)]",
            ),
            WrongAnswer("the exercise asks for shape (10,)", "thinned_by_digit = 0.4"),
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
            "What that costs on unchanged digits, one run cannot tell: the seed alone moves the notebook's final "
            "validation accuracy by a few thousandths (below). Decide on the validation set, over seeds, with "
            "stroke as small as 0.1 too, comparing seed by seed (significance.compare_recipes); then check the "
            "choice, once, on digits the choice never saw: notebook 12's second test set, 300 program-drawn "
            "digits of other pen widths and shapes (not curve_X, on which exercise 4 chose)."
        ),
        expected=lambda: f"the notebook's own recipe, {over_seeds(measured(NOTEBOOK, 'own'))}.",
        measures=("own",),
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
