"""The exercises of notebook 10, reading real handwriting (see `mnist_tutorial.exercises`)."""

import numpy as np

from . import (
    CONCLUDE,
    DISCUSSION,
    SHOW_INTERVAL,
    Answers,
    BoundExercise,
    Exercise,
    KnownMistake,
    Measure,
    NotYet,
    WrongAnswer,
    check_readings,
    code,
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
    mine = a.function("my_shift", "images, k")
    transforms = a.notebook("transforms")
    # Ink up to every edge, as MNIST's digits (with paper around them) would not have: there np.roll could pass.
    images = np.random.default_rng(0).random((20, 28, 28, 1)).astype(np.float32)
    for k in (3, -2, 0):
        given = images.copy()
        try:
            out = np.asarray(mine(given, k))
        except Exception as error:  # the learner's function: report what went wrong, in one line
            raise NotYet(f"my_shift(images, {k}) raised {type(error).__name__}: {error}") from None
        if not np.array_equal(given, images):
            raise NotYet(
                f"my_shift(images, {k}) changed the images it was given: build the result in a new array "
                f"(np.zeros_like(images)) and leave its input as it is, or it would spoil curve_X."
            )
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
        if k and (np.allclose(out, 0) or np.allclose(out, images)):
            raise NotYet(
                f"with k = {k} the result is {'all paper' if np.allclose(out, 0) else 'the images unchanged'}: "
                f"moved along the last axis, the channel (size 1)? Columns are the third axis, images[:, :, x]."
            )
        raise NotYet(f"my_shift(images, {k}) differs from the digits moved {k} pixels right.")
    digits = np.asarray(a.notebook("curve_X"), dtype=np.float32).reshape(-1, 28, 28, 1)
    moved_digits = np.asarray(mine(digits.copy(), 3)).reshape(digits.shape)
    columns = np.arange(28, dtype=float)

    def centre(batch):
        ink = batch.reshape(len(batch), 28, 28).sum(axis=1)  # ink per column
        return (ink * columns).sum(axis=1) / ink.sum(axis=1)

    moved = float(np.mean(centre(moved_digits) - centre(digits)))
    at_edge = int(np.sum(np.any(digits[:, :, -3:] > 0, axis=(1, 2, 3))))  # ink a 3-pixel move pushes out
    lost = float(np.max(1 - moved_digits.sum(axis=(1, 2, 3)) / digits.sum(axis=(1, 2, 3))))
    edge = (
        f"{at_edge} of them have ink in their 3 right-most columns, which the shift pushes out of the field (at "
        f"most {lost:.1%} of a digit's ink), so their centre moves less than 3 pixels"
        if at_edge
        else "none of them has ink in its 3 right-most columns, so no ink leaves the field"
    )
    return (
        f"moved 3 pixels right, the ink's centre of mass moves {moved:.2f} pixels on average over the "
        f"{len(digits):,} digits of curve_X: {edge}. MNIST centres each digit's mass in the 28 x 28 field, with "
        f"about 4 pixels of paper around its 20 x 20 box, but a digit whose mass sits off its box's centre "
        f"reaches nearer an edge. A dense layer sees every pixel move to another input; a convolution's filters "
        f"slide with the digit, but its strides and dense layer do not. Whether the augmented network reads moved "
        f"digits better than notebook 9's, the McNemar cell above says for the run you made; the two differ in "
        f"their schedules too, so what augmentation alone buys is not measured."
    )


def _validation_curve_digits(a: Answers):
    """The validation digits the notebook's curves use (`curve_X`, `curve_labels`)."""
    return np.asarray(a.notebook("curve_X")), np.asarray(a.notebook("curve_labels"))


def check_clockwise(a: Answers) -> str:
    if np.ndim(a.answer("clockwise_read")) == 0:
        raise NotYet(
            "set clockwise_read to the digits the network reads, one for each image of curve_X, not to one "
            "number: the check scores them against curve_labels itself."
        )
    images, labels = _validation_curve_digits(a)
    mine = a.array("clockwise_read", (len(images),))
    transforms = a.notebook("transforms")
    read, notebook_9 = a.notebook("read_with_this_network"), a.notebook("notebook_9")
    clockwise = transforms.rotate(images, -15)
    reference = np.asarray(read(clockwise))
    test = a.notebook("mnist").test
    counter_clockwise, unchanged, on_test, other_network = (
        KnownMistake(
            "turned counter-clockwise",
            lambda: read(transforms.rotate(images, 15)),
            "those are the digits it reads turned 15 degrees counter-clockwise: transforms.rotate turns "
            "counter-clockwise for positive angles, so clockwise is -15.",
        ),
        KnownMistake(
            "the unchanged digits",
            lambda: read(images),
            "those are the digits it reads unchanged: turn curve_X first, transforms.rotate(curve_X, -15).",
        ),
        KnownMistake(
            "test digits",
            lambda: read(transforms.rotate(test.images[: len(images)], -15)),
            f"those are test digits; choices and measurements are made on the validation set: curve_X and "
            f"curve_labels are the first {len(images):,} validation digits.",
        ),
        KnownMistake(
            "notebook 9's network",
            lambda: notebook_9.predict(clockwise),
            "that is notebook 9's network (notebook_9.predict); read with this notebook's, read_with_this_network.",
        ),
    )
    caveat = check_readings(
        mine,
        reference,
        (counter_clockwise, unchanged, on_test, other_network),
        f"{{count}} of your {len(images):,} digits differ from what read_with_this_network reads in curve_X "
        f"turned by -15 degrees (transforms.rotate(curve_X, -15)).",
    )
    accuracy = float(np.mean(mine == labels))
    other_way = float(np.mean(counter_clockwise.readings == labels))
    before = float(np.mean(other_network.readings == labels))
    rotation, changed = a.setting("rotation"), a.setting("changed_per_batch")
    taught = (
        f"This run's training turned {changed} digits of each batch by random angles from -{rotation} to "
        f"+{rotation} degrees, as often one way as the other; a writer's hand turns either way too. Whether "
        f"this network reads one direction better than the other, or either better than notebook 9's (whose "
        f"schedule differs too), is McNemar's question on the same digits, not tested here."
        if rotation and changed
        else f"This run's training turned no digit (rotation = {rotation}, changed_per_batch = {changed}): put "
        f"back the notebook's values and run all cells to see what the turns teach."
    )
    return (
        f"turned 15 degrees clockwise, this network reads {accuracy:.4f} of the {len(images):,} validation "
        f"digits, and {other_way:.4f} turned counter-clockwise; notebook 9's reads {before:.4f} clockwise.{caveat} "
        f"{taught}"
    )


_EVERY = "side_runs.train(NOTEBOOK, changed_per_batch=100, seeds=[1, 2, 3])"
_HALF = "side_runs.train(NOTEBOOK, seeds=[1, 2, 3])"


def read_every_digit(a: Answers):
    return paired_side_runs(a, "every_runs", _EVERY, "half_runs", _HALF, {}, wanted_a={"changed_per_batch": 100})


def why_every_digit(comparison) -> str:
    if comparison.direction < 0:
        said = (
            "Your seeds put every digit changed behind; fed only changed digits, the network never sees one "
            "exactly as drawn, while the validation digits are unchanged. See whether five seeds agree before "
            "you explain it by that."
        )
    elif comparison.direction > 0:
        said = "Your seeds put every digit changed ahead: see whether five seeds agree before you explain it."
    else:
        said = (
            "Not shown is not equal: the interval says how large a cost or a gain could still hide, and more "
            "seeds would narrow it."
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


def _share_interval(right: int, images: int) -> tuple[float, float]:
    """The 95% interval (Clopper and Pearson's exact one) of a share measured as `right` of `images`."""
    from scipy import stats

    from ..significance import LEVEL

    tail = (1 - LEVEL) / 2
    low = 0.0 if right == 0 else float(stats.beta.ppf(tail, right, images - right + 1))
    high = 1.0 if right == images else float(stats.beta.ppf(1 - tail, right + 1, images - right))
    return low, high


def check_thinned(a: Answers) -> str:
    mine = a.array("thinned_by_digit", (10,))
    transforms = a.notebook("transforms")
    read, notebook_9 = a.notebook("read_with_this_network"), a.notebook("notebook_9")
    images, labels = _validation_curve_digits(a)

    def thin(batch):
        return transforms.change_stroke(batch, -1)

    reference = _by_digit(read, thin(images), labels)
    predictions = read(thin(images))
    test = a.notebook("mnist").test
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
    ] + [
        (
            _by_digit(read, thin(test.images[:count]), test.labels[:count]),
            f"that is measured on test digits; choices and measurements are made on the validation set: "
            f"curve_X and curve_labels are the first {len(images):,} validation digits.",
        )
        for count in (len(images), len(test.images))
    ]
    if not np.allclose(mine, reference, atol=SAME):
        for values, message in wrong:
            if np.allclose(mine, values, atol=SAME, equal_nan=True):
                raise NotYet(message)
        first = int(np.flatnonzero(~np.isclose(mine, reference, atol=SAME))[0])
        raise NotYet(
            f"for the digit {first} you have {mine[first]:.4f}: the share of the images of curve_X whose label is "
            f"{first}, thinned one step (transforms.change_stroke(curve_X, -1)), that read_with_this_network reads "
            f"right."
        )
    alike = sum(np.allclose(reference, values, atol=SAME, equal_nan=True) for values, _ in wrong)
    caveat = f" ({alike} of the mistakes the check knows give the same ten shares here.)" if alike else ""
    before = _by_digit(notebook_9.predict, thin(images), labels)
    counts = np.bincount(labels, minlength=10)
    right = np.bincount(labels[predictions == labels], minlength=10)
    intervals = [_share_interval(int(right[d]), int(counts[d])) for d in range(10)]
    widest = max(high - low for low, high in intervals)
    sizes = f"{counts.min()}" if counts.min() == counts.max() else f"{counts.min()} to {counts.max()}"
    listing = ", ".join(
        f"{d}: {reference[d]:.2f} ({low:.2f} to {high:.2f}; {before[d]:.2f})"
        for d, (low, high) in zip(range(10), intervals, strict=True)
    )
    stroke = a.setting("stroke")
    taught = (
        f"This run's training changed strokes too (stroke = {stroke}): set these shares beside the notebook's run's, "
        f"with stroke = 0.0, as one run of each recipe, a sample, not a measured gain."
        if stroke
        else "This run's training never thinned a stroke; exercise 5 trains with stroke changes."
    )
    return (
        f"thinned one step, this network reads of each digit (in brackets, the share's 95% interval, an exact "
        f"binomial one, and notebook 9's share): {listing}.{caveat} Each digit has only {sizes} images among curve_X, "
        f"so an interval spans up to {widest:.2f}: each share is one sample's. Notebook 9's share outside "
        f"this interval does not show that the two networks differ on that digit: on the same images, that is "
        f"McNemar's question (notebook 5). Thinning takes a pixel off "
        f"each side of every stroke, so MNIST's thin, grey-edged strokes fade to a faint, broken trace. {taught}"
    )


EXERCISES = (
    code(
        1,
        "a shift by hand",
        check_shift,
        reads=("my_shift", "transforms", "curve_X"),
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
            WrongAnswer(
                "changed the images it was given",
                "def my_shift(images, k):\n    images[:] = transforms.shift(images, right=k)\n    return images",
            ),
        ),
    ),
    code(
        2,
        "turned the other way",
        check_clockwise,
        reads=(
            "clockwise_read",
            "transforms",
            "curve_X",
            "curve_labels",
            "read_with_this_network",
            "notebook_9",
            "mnist",
            "hyperparameters",
        ),
        hints=(
            "transforms.rotate(images, degrees) turns counter-clockwise for a positive angle.",
            "read_with_this_network(images) returns the digits it reads, one for each image.",
        ),
        solution="clockwise_read = read_with_this_network(transforms.rotate(curve_X, -15))",
        wrong_answers=(
            WrongAnswer("counter-clockwise", "clockwise_read = read_with_this_network(transforms.rotate(curve_X, 15))"),
            WrongAnswer(
                "those are test digits",
                "clockwise_read = read_with_this_network(transforms.rotate(mnist.test.images[:len(curve_X)], -15))",
            ),
            WrongAnswer(
                "that is notebook 9's network", "clockwise_read = notebook_9.predict(transforms.rotate(curve_X, -15))"
            ),
            WrongAnswer(
                "not to one number",
                "clockwise_read = np.mean(read_with_this_network(transforms.rotate(curve_X, -15)) == curve_labels)",
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
            "Fed every digit changed, a network sees more varied digits and none as drawn, and the validation "
            "digits are as drawn. Which of the two do you expect to weigh more, and could three seeds show it?",
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
                "run each with at least 3 seeds",
                'predicted = "worse"\n'
                "every_runs = side_runs.train(NOTEBOOK, changed_per_batch=100, seeds=[1, 2])\n"
                'half_runs = side_runs.train(NOTEBOOK, seeds=[1, 2])\nconclusion = "not shown"',
            ),
        ),
    ),
    code(
        4,
        "thinner strokes, digit by digit",
        check_thinned,
        reads=(
            "thinned_by_digit",
            "transforms",
            "curve_X",
            "curve_labels",
            "read_with_this_network",
            "notebook_9",
            "mnist",
            "hyperparameters",
        ),
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
            "You might expect training on thinned and thickened digits to raise the thinned curve; whether it "
            "does, no run here has measured. Note exercise 4's numbers before Run All replaces them, and set "
            "exercise 4's "
            "numbers from before and after side by side: one run each, about 100 images a digit, a sample, not a "
            "measured gain. It also shows the network digits MNIST's writers never drew: thinned by one step, most "
            "digits keep only a faint, broken trace of their strokes (the figure's last row), and a label can "
            "then name a digit that is no longer all there. "
            "What that costs on unchanged digits, one run cannot tell: the seed alone moves the notebook's final "
            "validation accuracy by a few thousandths (below). Decide on the validation set, over seeds, with "
            "stroke as small as 0.1 too, comparing seed by seed (significance.compare_recipes); then check the "
            "choice, once, on digits the choice never saw: notebook 12's second test set, 300 program-drawn "
            "digits of other pen widths and shapes (not curve_X, on which this choice was made)."
        ),
        expected=lambda: f"the notebook's own recipe, {over_seeds(measured(NOTEBOOK, 'own'))}.",
        measures=("own",),
    ),
    Exercise(
        6,
        "in the graph or in the feed",
        DISCUSSION,
        None,
        hints=(
            "python benchmarks/augmentation.py times the changes made by TensorFlow's image op against "
            "augmentation.Augmenter.",
        ),
        solution=(
            "In the feed, NumPy changes each batch on the CPU before session.run, which is simple to read and to "
            "test, and on two cores costs a few milliseconds per batch, small beside the training step. In the "
            "graph (tf.image and tf.raw_ops.ImageProjectiveTransformV3), the changes run on the same device as "
            "the network, where the random moves are drawn too. On this project's two-core machine the graph op "
            "was the faster when the two were timed together, 2.60 against 3.08 ms per batch of 100 "
            "(benchmarks/RESULTS.md, Augmentation; 1.2x there, 2.3x in an earlier run), both small beside a "
            "training step (the training cell's time divided by its steps). The cell that times augment timed "
            "NumPy alone, at another hour: "
            "only figures timed together, on one machine, compare, so the benchmark decides it for yours; no GPU "
            "was measured. Changes in the graph must also be switched off when the network is evaluated (the "
            "`training` placeholder could do it); changes in the feed never reach evaluation."
        ),
    ),
)


def bind(namespace: dict) -> tuple[BoundExercise, ...]:
    """Notebook 10's exercises, bound to its variables: `exercise_1, ..., exercise_6 = bind(globals())`."""
    return bind_exercises(EXERCISES, namespace)
