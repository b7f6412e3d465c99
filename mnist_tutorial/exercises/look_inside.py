"""The exercises of notebook 11, look inside (see `mnist_tutorial.exercises`)."""

import numpy as np

from . import CODE, DISCUSSION, PREDICT, Answers, BoundExercise, Exercise, NotYet, WrongAnswer, judge, over_seeds
from . import bind as bind_exercises

#: The network whose hidden units exercises 3 and 4 read.
HIDDEN25 = "02_sigmoid_hidden25"
#: The pruning table's row that exercise 2 reads, and by seed, with dropout (the notebook's wide_keep_prob =
#: 0.9) and without (1.0): the units the greedy merge removes at that threshold, and the validation accuracy
#: merging them costs (validation accuracy - merged accuracy). Measured by running notebook 11 with seeds
#: 1-3 and each wide_keep_prob, its other settings its own, and reading its record's "pruning" and
#: "validation_accuracy".
MERGE_THRESHOLD = 0.5
MERGED_WITH_DROPOUT = {1: 57, 2: 56, 3: 52}
MERGED_WITHOUT_DROPOUT = {1: 47, 2: 46, 3: 45}
MERGE_COST_WITH_DROPOUT = {1: 0.0634, 2: 0.0552, 3: 0.0530}
MERGE_COST_WITHOUT_DROPOUT = {1: 0.1048, 2: 0.0476, 3: 0.0694}
#: Two counts of merged units this close are "the same".
SAME_COUNT = 3
#: The notebook's settings that the measurements above used, and the wide network's variables (unnamed).
NOTEBOOK_SETTINGS = {
    "wide_hidden_units": 100,
    "wide_learning_rate": 0.5,
    "wide_batch_size": 50,
    "wide_training_steps": 20000,
    "wide_evaluation_interval": 1000,
    "wide_keep_prob": 0.9,
}
NETWORK = {"Variable", "Variable_1", "Variable_2", "Variable_3"}


def check_one_image(a: Answers) -> str:
    predicted = a.number("predicted_changed_neurons")
    a.require_settings({"template_batch_size": 1}, before=f"you predicted {predicted:g}; now ")
    if list(a.setting("template_snapshot_steps")[:2]) != [0, 1]:
        raise NotYet(
            "the figure's first row must be the weights after one step: keep [0, 1, ...] at the start of "
            "template_snapshot_steps, and run all cells."
        )
    first_batch, snapshots = a.notebook("first_batch"), a.notebook("snapshots")
    if len(first_batch) != 1:
        raise NotYet("the templates were trained before template_batch_size was changed: run all cells, from the top.")
    delta = np.asarray(snapshots[1]) - np.asarray(snapshots[0])
    changed = int(np.sum(np.abs(delta).max(axis=0) > 0))
    digit = int(first_batch[0])
    others = [d for d in range(10) if d != digit]
    ratio = np.abs(delta[:, digit]).sum() / np.abs(delta[:, others]).sum(axis=0).mean()
    why = (
        f"after one step on a single {digit}, {changed} of the 10 neurons changed: the {digit}'s neuron gained a "
        f"copy of the image, and each of the other nine lost a copy {ratio:.1f} times fainter. With every weight "
        f"at zero the softmax gives each digit 0.1, so the step adds (1 - 0.1) x rate x image to the right "
        f"digit's weights and takes 0.1 x rate x image from every other digit's: 0.9 / 0.1 = 9"
    )
    return judge(f"{predicted:g}", str(changed), why)


def check_merge_without_dropout(a: Answers) -> str:
    predicted = a.choice("predicted_merged_units", ("more", "fewer", "the same"))
    a.run_with({"wide_keep_prob": 1.0}, NOTEBOOK_SETTINGS, NETWORK, f"you predicted {predicted!r}; now ")
    removed, merged, _ = a.notebook("pruning")[MERGE_THRESHOLD]
    cost = a.notebook("wide_validation_accuracy") - merged
    with_dropout, which = a.seed_matched(MERGED_WITH_DROPOUT)
    side = "the same" if abs(removed - with_dropout) < SAME_COUNT else ("more" if removed > with_dropout else "fewer")
    why = (
        f"without dropout the merge at {MERGE_THRESHOLD} removes {removed} units, against {with_dropout} with "
        f"dropout ({which}): {side} (a difference under {SAME_COUNT} counts as the same). Over seeds 1-3 it "
        f"removes {min(MERGED_WITHOUT_DROPOUT.values())}-{max(MERGED_WITHOUT_DROPOUT.values())} units without "
        f"dropout and {min(MERGED_WITH_DROPOUT.values())}-{max(MERGED_WITH_DROPOUT.values())} with it. Dropout "
        f"is the one change and the ranges do not overlap: with dropout, more units resemble each other (a "
        f"likely reason: a unit that dropout may silence at any step is worth backing up). "
        f"What the merge costs does not move the same way: {cost:.4f} of validation accuracy in this run, "
        f"{over_seeds(MERGE_COST_WITHOUT_DROPOUT)} without dropout against "
        f"{over_seeds(MERGE_COST_WITH_DROPOUT)} with it, too spread over seeds to rank the two"
    )
    return judge(predicted, side, why)


def _hidden25(a: Answers):
    """Notebook 2's first layer (W1, b1) and output weights W2, as the notebook restored them."""
    if HIDDEN25 not in a.notebook("networks"):
        raise NotYet("notebook 2's network was not restored: run notebook 02 first, then this one.")
    return a.notebook("W1_25"), a.notebook("b1_25"), a.notebook("W2_25")


def _mean_contributions(a: Answers, images, digits) -> np.ndarray:
    """[10, 25]: each unit's mean contribution h_j W2[j, d] to digit d's score, over the images of digit d."""
    W1, b1, W2 = _hidden25(a)
    hidden = 1 / (1 + np.exp(-(images @ W1 + b1)))
    return np.stack([(hidden[digits == d] * W2[:, d]).mean(axis=0) for d in range(10)])


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
            f"the strongest evidence against each digit is {listing}. {len(both)} of these units are also among "
            f"some digit's five strongest supporters: a unit is a feature, evidence for some digits and against "
            f"others, not a detector of one digit."
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
        f"for digit {wrong[0]} the most negative mean contribution is not unit {mine[wrong[0]]:g}'s: compute "
        f"h = sigmoid(validation images x W1_25 + b1_25), then for each digit d the mean of h * W2_25[:, d] over "
        f"its images, and take the argmin."
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
        return (
            f"the five validation images that drive unit {unit} hardest show the digits {shown} (weighted inputs "
            f"{weighted[reference[0]]:.1f} to {weighted[reference[-1]]:.1f}); in section 3 the unit is among the "
            f"top five for the digits {served}. Their activations are {activation.min():.6f} and more: the "
            f"sigmoid has flattened the top, so many images tie at almost 1 and only the weighted input can rank "
            f"them."
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
    Exercise(
        1,
        "one image at a time",
        PREDICT,
        check_one_image,
        hints=(
            "At the first step every weight is zero, so the softmax gives every digit the same probability. What "
            "does the gradient of the cross-entropy do to a neuron whose probability is above its label (0)?",
        ),
        solution="predicted_changed_neurons = 10",
        parameters={"template_batch_size": 1},
        wrong_answers=(
            WrongAnswer("you predicted '1'", "predicted_changed_neurons = 1", {"template_batch_size": 1}),
            WrongAnswer("set template_batch_size = 1", "predicted_changed_neurons = 10"),
        ),
    ),
    Exercise(
        2,
        "a retina without dropout",
        PREDICT,
        check_merge_without_dropout,
        hints=(
            "With dropout, any unit may be silenced at any step, and the network must still answer. What does "
            "that ask of the other units?",
        ),
        solution='predicted_merged_units = "fewer"',
        expected="45 to 47 units removed at the 0.5 threshold over seeds 1-3 without dropout, 52 to 57 with it",
        parameters={"wide_keep_prob": 1.0, "wide_training_steps": 20000, "wide_evaluation_interval": 1000},
        wrong_answers=(
            WrongAnswer(
                "you predicted 'more'",
                'predicted_merged_units = "more"',
                {"wide_keep_prob": 1.0, "wide_training_steps": 20000, "wide_evaluation_interval": 1000},
            ),
        ),
    ),
    Exercise(
        3,
        "evidence against a digit",
        CODE,
        check_against,
        hints=(
            "Section 3's `contribution` has one row per digit and one column per unit: the mean of "
            "hidden_activations(validation_images, W1_25, b1_25) * W2_25[:, d] over the images of digit d.",
            "Then the column of the most negative entry in each row: argmin(axis=1).",
        ),
        solution=(
            "against = contribution.argmin(axis=1)  # section 3's contribution, from the validation images\n"
            "plotting.plot_weight_images(W1_25[:, against], titles=[f'against {d}: unit {u}' for d, u in "
            "enumerate(against)], ncols=10)"
        ),
        wrong_answers=(
            WrongAnswer(
                "largest positive contribution",
                "against = contribution.argmax(axis=1)",
            ),
            WrongAnswer("the exercise asks for shape (10,)", "against = [0, 1, 2]"),
        ),
    ),
    Exercise(
        4,
        "what drives a unit",
        CODE,
        check_exciting,
        hints=(
            "The weighted input of unit j for every validation image at once: "
            "z = validation_images @ W1_25[:, busiest] + b1_25[busiest].",
            "np.argsort(-z)[:5] gives the indices of the five largest, the largest first. Draw them with "
            "plotting.plot_digits(validation_images[exciting], titles=validation_labels[exciting]).",
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
    Exercise(
        5,
        "merging against deleting",
        DISCUSSION,
        None,
        hints=("A merge replaces h_j by a h_i + c. How good is that replacement when the two are correlated 0.5?",),
        solution=(
            "Deleting unit j throws away everything it told the output layer. Merging keeps the part of it that a "
            "straight-line fit on unit i can predict: with correlation r, that is a fraction r squared of how h_j "
            "varies (the average is kept exactly, in the biases). At 0.8 that is 64%, and the few units removed "
            "cost nothing; at 0.5 it is only 25%, so three quarters of each merged unit's signal is lost, and with "
            "more than half of the units merged the network loses a great deal. Merging helps as far as the units "
            "really are redundant, and the table shows that most of them are not."
        ),
    ),
)


def bind(namespace: dict) -> tuple[BoundExercise, ...]:
    """Notebook 11's exercises, bound to its variables: `exercise_1, ..., exercise_5 = bind(globals())`."""
    return bind_exercises(EXERCISES, namespace)
