"""The exercises of notebook 12, robustness (see `mnist_tutorial.exercises`)."""

import numpy as np

from . import Answers, BoundExercise, NotYet, WrongAnswer, code, discussion
from . import bind as bind_exercises

#: The networks the exercises read: the one-layer network and the convolutional one.
ONE_LAYER, CONVOLUTIONAL = "01_softmax", "08_convolutional"
#: How close a learner's accuracies must come to the check's.
ROTATION_TOLERANCE = 1e-6


def _network(a: Answers, name: str):
    networks = a.notebook("networks")
    if name not in networks:
        raise NotYet(f"the network of {name} was not restored: run notebook {name[:2]} first, then this one.")
    return networks[name]


def _validation(a: Answers):
    """The first `robustness_images` validation images and their digits: what the exercises measure on."""
    mnist, count = a.notebook("mnist"), a.setting("robustness_images")
    return mnist.validation.images[:count], mnist.validation.labels[:count].argmax(axis=1)


def check_rotation(a: Answers) -> str:
    mine = a.answer("rotated_accuracy")
    networks = a.notebook("networks")
    images, labels = _validation(a)
    if not isinstance(mine, dict):
        raise NotYet(
            f"`rotated_accuracy` must be a dict from each network's label to its accuracy, not a {type(mine).__name__}."
        )
    labels_wanted = {network.label for network in networks.values()}
    if set(mine) != labels_wanted:
        raise NotYet(
            f"`rotated_accuracy` has the keys {sorted(mine)}; it needs one per network: "
            f"{sorted(labels_wanted)} (network.label)."
        )
    rotated = a.notebook("transforms").rotate(images, 15)
    reference = {network.label: network.accuracy(rotated, labels) for network in networks.values()}
    if all(abs(mine[label] - reference[label]) <= ROTATION_TOLERANCE for label in reference):
        upright = {network.label: network.accuracy(images, labels) for network in networks.values()}
        lost = {label: upright[label] - reference[label] for label in reference}
        least = min(lost, key=lost.get)
        listing = ", ".join(f"{label} {reference[label]:.2f} (from {upright[label]:.2f})" for label in reference)
        return (
            f"at 15 degrees: {listing}. Measured by what the turn costs each network, not by where it ends, the "
            f"{least} network loses least here ({lost[least]:.2f}). These are single networks on {len(images):,} "
            f"images, and no test here compares two costs (McNemar's compares what two networks read, not what "
            f"each loses), so do not rank costs a couple of points apart. A turn of 15 degrees moves ink 10 "
            f"pixels from the centre by about 2.6 pixels, the top and "
            f"the bottom of a digit in opposite directions: compare with the shift experiment above."
        )
    turned = a.notebook("transforms").rotate(images, 90)
    quarter = {network.label: network.accuracy(turned, labels) for network in networks.values()}
    if all(abs(mine[label] - quarter[label]) <= ROTATION_TOLERANCE for label in quarter):
        raise NotYet(
            "these are the accuracies at 90 degrees; the exercise turns the digits by 15: "
            "transforms.rotate(images, 15)."
        )
    label = max(reference, key=lambda key: abs(mine[key] - reference[key]))
    raise NotYet(
        f"for {label} you have {mine[label]:.4f}; transforms.rotate(images, 15) of the first "
        f"{len(images):,} validation images gives {reference[label]:.4f}."
    )


#: The words of exercise 2's prediction and conclusion, and the direction of the comparison (down against
#: right) each stands for: "less" damage down when the digits moved down are read better.
DAMAGE = {"more": -1, "not shown": 0, "less": 1}


def check_shift_down(a: Answers) -> str:
    from .. import significance

    predicted = a.choice("predicted_damage", tuple(DAMAGE))
    said = a.choice("conclusion", tuple(DAMAGE))
    network = _network(a, CONVOLUTIONAL)
    images, labels = _validation(a)
    transforms = a.notebook("transforms")
    right = network.predict(transforms.shift(images, right=3))
    down = network.predict(transforms.shift(images, down=3))
    paired = significance.compare_networks(down, right, labels, "moved down", "moved right")
    shows = next(word for word, direction in DAMAGE.items() if direction == paired.direction)
    found = (
        f"moved 3 pixels down, notebook 8's network reads {paired.accuracy_a:.4f} of the {len(labels):,} "
        f"validation digits; moved 3 pixels right, {paired.accuracy_b:.4f}. {paired.only_b} are read only when "
        f"moved right and {paired.only_a} only when moved down: McNemar's p = {paired.p_value:.2g}, interval "
        f"{paired.low:+.4f} to {paired.high:+.4f}, which says {shows!r}"
    )
    if said != shows:
        raise NotYet(f"you concluded {said!r}, but {found}")
    guessed = f"You predicted {predicted!r}" + (
        ", and so it is. " if predicted == shows else "; the images say otherwise. "
    )
    return (
        f"{guessed}As you concluded, {found}. This is one trained network on these digits, not every network of "
        f"its recipe. Its filters treat both directions alike; its strides, its dense layer and the digits' shapes "
        f"need not."
    )


def check_thinned_then_prepared(a: Answers) -> str:
    mine = a.number("recovered_accuracy")
    network = _network(a, CONVOLUTIONAL)
    images, labels = _validation(a)
    transforms, prepare_all = a.notebook("transforms"), a.notebook("prepare_all")
    thick = transforms.change_stroke(images, 2)
    prepared, readable = prepare_all(transforms.change_stroke(thick, -1))
    reference = float(np.mean((network.predict(prepared) == labels) & readable))
    thick_prepared, thick_readable = prepare_all(thick)
    before = float(np.mean((network.predict(thick_prepared) == labels) & thick_readable))
    if np.isclose(mine, reference, atol=1e-4):
        return (
            f"thinned one step and then prepared, the digits drawn two steps thicker are read {reference:.4f} "
            f"of the time by the convolutional network, against {before:.4f} prepared without thinning and "
            f"{network.accuracy(images, labels):.4f} for the original digits (the first {len(images):,} "
            f"validation images)."
        )
    if np.isclose(mine, before, atol=1e-4):
        raise NotYet("that is the accuracy of the thick digits prepared without thinning them first.")
    unprepared = network.accuracy(transforms.change_stroke(thick, -1), labels)
    if np.isclose(mine, unprepared, atol=1e-4):
        raise NotYet("that is the accuracy of the thinned digits before preparing them: use prepare_all.")
    raise NotYet(
        f"{mine:.4f} is not it: change_stroke(images, 2), then change_stroke(..., -1), then prepare_all, "
        f"and count an unreadable image as wrong."
    )


EXERCISES = (
    code(
        1,
        "rotation",
        check_rotation,
        reads=("rotated_accuracy", "networks", "mnist", "hyperparameters", "transforms"),
        hints=(
            "The digits of the validation images are mnist.validation.labels[:robustness_images].argmax(axis=1).",
            "Each network in networks.values() has a label and an accuracy(images, digits) method.",
        ),
        solution=(
            "images = mnist.validation.images[:robustness_images]\n"
            "digits = mnist.validation.labels[:robustness_images].argmax(axis=1)\n"
            "rotated = transforms.rotate(images, 15)\n"
            "rotated_accuracy = {network.label: network.accuracy(rotated, digits) for network in networks.values()}"
        ),
        wrong_answers=(
            WrongAnswer(
                "90 degrees",
                "images = mnist.validation.images[:robustness_images]\n"
                "digits = mnist.validation.labels[:robustness_images].argmax(axis=1)\n"
                "turned = transforms.rotate(images, 90)\n"
                "rotated_accuracy = {network.label: network.accuracy(turned, digits) for network in networks.values()}",
            ),
            WrongAnswer("it needs one per network", "rotated_accuracy = {'1 layer, softmax': 0.5}"),
        ),
    ),
    code(
        2,
        "shift down",
        check_shift_down,
        reads=("predicted_damage", "conclusion", "networks", "mnist", "hyperparameters", "transforms"),
        hints=(
            "A digit is about 20 pixels tall and narrower than that. Where is its ink after each move?",
            "significance.compare_networks(down, right, digits, 'moved down', 'moved right') compares the two "
            "readings digit by digit; its direction says which is read better, or 0 when the images cannot tell.",
        ),
        solution=(
            'predicted_damage = "more"  # or what you expected\n'
            "network = networks['08_convolutional']\n"
            "images = mnist.validation.images[:robustness_images]\n"
            "digits = mnist.validation.labels[:robustness_images].argmax(axis=1)\n"
            "down = network.predict(transforms.shift(images, down=3))\n"
            "right = network.predict(transforms.shift(images, right=3))\n"
            'comparison = significance.compare_networks(down, right, digits, "moved down", "moved right")\n'
            'conclusion = {-1: "more", 0: "not shown", 1: "less"}[comparison.direction]'
        ),
        wrong_answers=(
            WrongAnswer("it must be one of", 'predicted_damage = "more"\nconclusion = "down"'),
            WrongAnswer("it must be one of", 'predicted_damage = "worse"\nconclusion = "more"'),
        ),
    ),
    discussion(
        3,
        "where the 5 goes",
        hints=("At half size the 5 sat in the top-left corner; at 0.8 it covers much more of its own template.",),
        solution=(
            'Change 0.5 to 0.8 in the cell of the section "Why the small 5 in the corner becomes something else". '
            "The cell then looks for a 5 the network reads at full size but misreads at 0.8, so whatever it shows "
            "is a misreading: the count on its first line is the answer, against the count at 0.5. Less shrunk, "
            "the 5s overlap more of their own template: are fewer of them misread? If none is, the "
            "cell stops with an IndexError, which says so too. (The cell works on validation images, as the "
            "experiment above does.)"
        ),
    ),
    code(
        4,
        "a thicker pen, prepared",
        check_thinned_then_prepared,
        reads=("recovered_accuracy", "networks", "mnist", "hyperparameters", "transforms", "prepare_all"),
        hints=(
            "thick = transforms.change_stroke(images, 2); then change_stroke(thick, -1) thins it again.",
            "prepare_all returns the prepared images and which of them were readable: count the unreadable as wrong.",
        ),
        solution=(
            "network = networks['08_convolutional']\n"
            "images = mnist.validation.images[:robustness_images]\n"
            "digits = mnist.validation.labels[:robustness_images].argmax(axis=1)\n"
            "thinned = transforms.change_stroke(transforms.change_stroke(images, 2), -1)\n"
            "prepared, readable = prepare_all(thinned)\n"
            "recovered_accuracy = np.mean((network.predict(prepared) == digits) & readable)"
        ),
        wrong_answers=(
            WrongAnswer(
                "prepared without thinning them first",
                "network = networks['08_convolutional']\n"
                "images = mnist.validation.images[:robustness_images]\n"
                "digits = mnist.validation.labels[:robustness_images].argmax(axis=1)\n"
                "prepared, readable = prepare_all(transforms.change_stroke(images, 2))\n"
                "recovered_accuracy = np.mean((network.predict(prepared) == digits) & readable)",
            ),
        ),
    ),
)


def bind(namespace: dict) -> tuple[BoundExercise, ...]:
    """Notebook 12's exercises, bound to its variables: `exercise_1, ..., exercise_4 = bind(globals())`."""
    return bind_exercises(EXERCISES, namespace)
