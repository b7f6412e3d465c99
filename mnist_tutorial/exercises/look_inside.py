"""The exercises of notebook 11, look inside (see `mnist_tutorial.exercises`)."""

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
    judge,
    measured,
    notebook_settings,
    over_seeds,
    verdict_text,
)
from . import bind as bind_exercises

NOTEBOOK = "11_look_inside"
#: The network whose hidden units exercises 3 and 4 read.
HIDDEN25 = "02_sigmoid_hidden25"
#: The pruning table's row that exercise 2 reads.
MERGE_THRESHOLD = 0.5
#: A predicted weight this close (relatively) to the measured one is right.
LARGEST_TOLERANCE = 0.05

_MERGE = {
    "units_removed": lambda run: float(run.values["pruning"][MERGE_THRESHOLD][0]),
    "merge_cost": lambda run: float(run.values["wide_validation_accuracy"] - run.values["pruning"][MERGE_THRESHOLD][1]),
}
_KEEP = ("pruning", "wide_validation_accuracy")
#: The recipes the checks compare with, measured over seeds 1-5 by `mnist-exercises measure 11`: the units the
#: greedy merge removes at MERGE_THRESHOLD (counted, so a processor moves them by a unit at most, the margin),
#: and the validation accuracy merging them costs, with dropout (the notebook's wide_keep_prob) and without.
MEASURES = (
    Measure("merge_with_dropout", keep=_KEEP, quantities=_MERGE, margin=1.0),
    Measure("merge_without_dropout", {"wide_keep_prob": 1.0}, keep=_KEEP, quantities=_MERGE, margin=1.0),
)

#: Exercise 1's side run: one image per step, at a learning rate the notebook does not use, so that neither
#: the setting nor the answer is printed above the exercise.
ONE_IMAGE_RATE = 0.05
_ONE_IMAGE = (
    f"side_runs.train(NOTEBOOK, template_batch_size=1, template_learning_rate={ONE_IMAGE_RATE}, "
    'keep=("snapshots", "first_batch"))'
)


def check_one_image(a: Answers) -> str:
    predicted = a.number("predicted_largest")
    run = a.side_run("one_image", {"template_batch_size": 1, "template_learning_rate": ONE_IMAGE_RATE}, _ONE_IMAGE)
    steps = list(run.settings.get("template_snapshot_steps", []))
    if steps[:2] != [0, 1] or "snapshots" not in run.values:
        raise NotYet("the side run must keep the snapshots of the first steps: " + _ONE_IMAGE)
    snapshots, first_batch = run.values["snapshots"], run.values["first_batch"]
    largest = float(np.abs(np.asarray(snapshots[1]) - np.asarray(snapshots[0])).max())
    right = abs(predicted - largest) <= LARGEST_TOLERANCE * largest
    rate = run.settings.get("template_learning_rate")
    notebook_rate = notebook_settings(NOTEBOOK)["template_learning_rate"]
    why = (
        f"after one step on a single {int(first_batch[0])}, the largest weight in size is {largest:.4f}. With every "
        f"weight at zero the softmax gives each digit 0.1, and the step adds learning rate x (1 - 0.1) x the image "
        f"to the own digit's weights: {rate} x 0.9 x its brightest pixel (1.0 at most). With two images, the "
        f"cross-entropy is their mean, so each image moves the weights half as far: section 1's first figure is "
        f"{notebook_rate} x 0.9 / 2"
    )
    return judge(f"{predicted:g}", f"{predicted:g}" if right else f"{largest:.4f}", why)


_NO_DROPOUT = 'side_runs.train(NOTEBOOK, wide_keep_prob=1.0, keep=("pruning", "wide_validation_accuracy"))'


def measured_merges() -> str:
    units = compare_recipes(
        measured(NOTEBOOK, "merge_without_dropout", "units_removed"),
        measured(NOTEBOOK, "merge_with_dropout", "units_removed"),
        "without dropout",
        "with dropout",
    )
    cost = compare_recipes(
        measured(NOTEBOOK, "merge_without_dropout", "merge_cost"),
        measured(NOTEBOOK, "merge_with_dropout", "merge_cost"),
        "without dropout",
        "with dropout",
    )
    return (
        f"units removed at the 0.5 threshold, without dropout "
        f"{over_seeds(measured(NOTEBOOK, 'merge_without_dropout', 'units_removed'))}, with it "
        f"{over_seeds(measured(NOTEBOOK, 'merge_with_dropout', 'units_removed'))}: paired by seed, "
        f"{interval_text(units, ' units')}, {verdict_text(units)}. The validation accuracy the merge costs: "
        f"{interval_text(cost)}, {verdict_text(cost)}."
    )


def _hidden25(a: Answers):
    """Notebook 2's first layer (W1, b1) and output weights W2, as the notebook restored them."""
    if HIDDEN25 not in a.notebook("networks"):
        raise NotYet("notebook 2's network was not restored: run notebook 02 first, then this one.")
    return a.notebook("W1_25"), a.notebook("b1_25"), a.notebook("W2_25")


def _mean_contributions(a: Answers, images, digits, from_baseline: bool = True) -> np.ndarray:
    """[10, 25]: each unit's mean contribution to digit d's score over the images of digit d, measured from its
    mean activation over all the images, (h_j - mean h_j) W2[j, d], as section 3 does (the term h_j W2[j, d]
    alone without `from_baseline`)."""
    W1, b1, W2 = _hidden25(a)
    hidden = 1 / (1 + np.exp(-(images @ W1 + b1)))
    baseline = hidden.mean(axis=0) if from_baseline else 0.0
    return np.stack([((hidden[digits == d] - baseline) * W2[:, d]).mean(axis=0) for d in range(10)])


def _validation(a: Answers):
    mnist = a.notebook("mnist")
    return mnist.validation.images, mnist.validation.labels.argmax(axis=1)


def check_against(a: Answers) -> str:
    mine = a.array("against", (10,))
    contribution = _mean_contributions(a, *_validation(a))
    reference = contribution.argmin(axis=1)
    if np.array_equal(mine, reference):
        top5 = {int(unit) for unit in np.argsort(-contribution, axis=1)[:, :5].ravel()}
        both = sorted({int(unit) for unit in reference} & top5)
        listing = ", ".join(f"{d}: unit {u} ({contribution[d, u]:+.2f})" for d, u in enumerate(reference))
        return (
            f"the strongest evidence against each digit, from the baseline, is {listing}. {len(both)} of these "
            f"units are also among some digit's five strongest supporters: a unit is a feature, evidence for some "
            f"digits and against others, not a detector of one digit."
        )
    term_alone = _mean_contributions(a, *_validation(a), from_baseline=False).argmin(axis=1)
    if np.array_equal(mine, term_alone) and not np.array_equal(term_alone, reference):
        raise NotYet(
            "these rank the units by the term h_j W2[j, d] alone; section 3 measures a contribution from the "
            "unit's baseline, its mean activation over all the validation images."
        )
    if np.array_equal(mine, contribution.argmax(axis=1)):
        raise NotYet(
            "these are the units with the largest positive contribution: the exercise asks for the most negative."
        )
    mnist = a.notebook("mnist")
    on_test = _mean_contributions(a, mnist.test.images, mnist.test.labels.argmax(axis=1)).argmin(axis=1)
    if np.array_equal(mine, on_test) and not np.array_equal(on_test, reference):
        raise NotYet("these were measured on the test images: use the validation images, as the exercises do.")
    if np.array_equal(mine, np.abs(contribution).argmax(axis=1)):
        raise NotYet(
            "these are the units with the largest contribution in size, some of them positive: take the most negative."
        )
    wrong = [d for d in range(10) if mine[d] != reference[d]]
    raise NotYet(
        f"for digit {wrong[0]} the most negative contribution is not unit {mine[wrong[0]]:g}'s: measure each "
        f"unit's contribution from its baseline, as section 3 does, on the validation images."
    )


def check_exciting(a: Answers) -> str:
    mine = a.array("exciting", (5,))
    W1, b1, _ = _hidden25(a)
    unit = a.notebook("busiest")
    if not isinstance(unit, (int, np.integer)) or not 0 <= unit < W1.shape[1]:
        raise NotYet(f"`busiest` is {unit!r}; it must be a unit number from 0 to {W1.shape[1] - 1}.")
    images, digits = _validation(a)
    weighted = images @ W1[:, unit] + b1[unit]
    reference = np.argsort(-weighted, kind="stable")[:5]
    if np.array_equal(mine, reference):
        serving = a.notebook("serving")
        served = ", ".join(str(d) for d in serving.get(unit, [])) or "none"
        shown = ", ".join(str(d) for d in digits[reference])
        activation = 1 / (1 + np.exp(-weighted[reference]))
        flattened = (
            " and more: the sigmoid has flattened the top, so these images all but tie at 1 and only the weighted "
            "input can rank them."
            if round(float(activation.min()), 3) == 1.0
            else f" to {activation.max():.6f}."
        )
        return (
            f"the five validation images that drive unit {unit} hardest show the digits {shown} (weighted inputs "
            f"{weighted[reference[0]]:.1f} to {weighted[reference[-1]]:.1f}); in section 3 the unit is among the "
            f"top five for the digits {served}. Their activations are {activation.min():.6f}{flattened}"
        )
    if set(mine.astype(int)) == set(reference):
        raise NotYet("these are the right five images, not in order: the largest weighted input first.")
    if np.array_equal(mine, np.argsort(weighted, kind="stable")[:5]):
        raise NotYet("these are the five images that drive the unit least: take the largest weighted inputs.")
    mnist = a.notebook("mnist")
    if np.array_equal(mine, np.argsort(-(mnist.test.images @ W1[:, unit] + b1[unit]), kind="stable")[:5]):
        raise NotYet("these are indices of test images: use the validation images, as the exercises do.")
    raise NotYet(
        f"these are not the five validation images with the largest z = image x W1_25[:, {unit}] + b1_25[{unit}]: "
        f"compute z for all 5,000 and take np.argsort(-z)[:5]."
    )


EXERCISES = (
    code(
        1,
        "one image at a time",
        check_one_image,
        reads=("predicted_largest", "one_image"),
        hints=(
            "At the first step every weight is zero, so the softmax gives every digit the same probability. The "
            "gradient of the cross-entropy with respect to a digit's logit is its probability minus its label.",
            "The notebook's batches hold two images, and its cross-entropy is the mean over the batch.",
        ),
        solution=f"predicted_largest = 0.045\none_image = {_ONE_IMAGE}",
        wrong_answers=(
            WrongAnswer("you predicted '0.0225'", f"predicted_largest = 0.0225\none_image = {_ONE_IMAGE}"),
            WrongAnswer("you predicted '0.018'", f"predicted_largest = 0.018\none_image = {_ONE_IMAGE}"),
            WrongAnswer(
                "needs template_batch_size = 1",
                "predicted_largest = 0.045\none_image = side_runs.train(NOTEBOOK, template_learning_rate=0.05, "
                'keep=("snapshots", "first_batch"))',
            ),
            WrongAnswer(
                "template_learning_rate = 0.05 (it has",
                'predicted_largest = 0.045\none_image = side_runs.train(NOTEBOOK, keep=("snapshots", "first_batch"))',
            ),
        ),
    ),
    discussion(
        2,
        "merging without dropout",
        hints=(
            "With dropout, any unit may be silenced at any step, and the network must still answer. What does "
            "that ask of the other units?",
            "One seed of each gives one difference; the measured runs below give five.",
        ),
        solution=(
            "Expect fewer: with dropout, a unit that may be silenced at any step is worth backing up, so more "
            "units come to resemble each other, and the greedy merge finds more pairs to merge. One run without "
            "dropout against the notebook's run with it, both with one seed, gives one difference in the count, "
            "which a change of seed moves by several units; the measured runs below, five seeds of each, paired "
            "by seed, say how sure the direction is. What the merge costs in accuracy moves differently, and less "
            "surely."
        ),
        expected=measured_merges,
        measures=("merge_with_dropout", "merge_without_dropout"),
    ),
    code(
        3,
        "evidence against a digit",
        check_against,
        reads=("against", "networks", "W1_25", "b1_25", "W2_25", "mnist"),
        hints=(
            "Section 3's `from_baseline` has one row per digit and one column per unit, measured on the validation "
            "images.",
        ),
        solution=(
            "against = from_baseline.argmin(axis=1)  # section 3's contributions, from the baseline\n"
            "plotting.plot_weight_images(W1_25[:, against], titles=[f'against {d}: unit {u}' for d, u in "
            "enumerate(against)], ncols=10)"
        ),
        wrong_answers=(
            WrongAnswer("largest positive contribution", "against = from_baseline.argmax(axis=1)"),
            WrongAnswer("the term h_j W2[j, d] alone", "against = contribution.argmin(axis=1)"),
            WrongAnswer("the exercise asks for shape (10,)", "against = [0, 1, 2]"),
        ),
    ),
    code(
        4,
        "what drives a unit",
        check_exciting,
        reads=("exciting", "networks", "W1_25", "b1_25", "W2_25", "mnist", "busiest", "serving"),
        hints=(
            "The weighted input of unit j for every validation image at once: "
            "z = validation_images @ W1_25[:, busiest] + b1_25[busiest].",
            "np.argsort sorts from the smallest. Draw the five with plotting.plot_digits, titled with their "
            "validation_labels.",
        ),
        solution=(
            "z = validation_images @ W1_25[:, busiest] + b1_25[busiest]\n"
            "exciting = np.argsort(-z)[:5]\n"
            "print('digits:', validation_labels[exciting], ' the unit serves:', serving[busiest])"
        ),
        wrong_answers=(
            WrongAnswer(
                "drive the unit least",
                "exciting = np.argsort(validation_images @ W1_25[:, busiest] + b1_25[busiest])[:5]",
            ),
            WrongAnswer(
                "indices of test images",
                "exciting = np.argsort(-(test_images @ W1_25[:, busiest] + b1_25[busiest]))[:5]",
            ),
        ),
    ),
    discussion(
        5,
        "merging against deleting",
        hints=("A merge replaces h_j by a h_i + c. How good is that replacement when the two are correlated 0.5?",),
        solution=(
            "Deleting unit j throws away everything it told the output layer. Merging keeps the part of it that a "
            "straight-line fit on unit i can predict: with correlation r, that is a fraction r squared of how h_j "
            "varies (the average is kept exactly, in the biases). Above 0.8 that is at least 64%, and the few units "
            "removed there are not shown to cost anything; at 0.5 it can be as little as 25%, so up to three "
            "quarters of a merged unit's signal is lost, and with more than half of the units merged the network "
            "loses a great deal. Merging helps as far as the units "
            "really are redundant, and the table shows that most of them are not."
        ),
    ),
)


def bind(namespace: dict) -> tuple[BoundExercise, ...]:
    """Notebook 11's exercises, bound to its variables: `exercise_1, ..., exercise_5 = bind(globals())`."""
    return bind_exercises(EXERCISES, namespace)
