"""The exercises of notebook 12, robustness (see `mnist_tutorial.exercises`)."""

import numbers

import numpy as np

from . import Answers, BoundExercise, KnownMistake, NotYet, WrongAnswer, check_readings, code, discussion
from . import bind as bind_exercises

#: The networks the exercises read: the one-layer network, the convolutional one and notebook 10's, which
#: trained on digits turned at random.
ONE_LAYER, CONVOLUTIONAL, AUGMENTED = "01_softmax", "08_convolutional", "10_reading_handwriting"
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


def _trained_turns(networks: dict) -> str:
    """What notebook 10's record says its network trained on, as a sentence ("" without that network or
    a record that says): turns of the training digits up to its `rotation` setting, either way."""
    from .. import results

    if AUGMENTED not in networks:
        return ""
    try:
        record = results.load(AUGMENTED) or {}
    except results.RecordError:
        return ""
    rotation = (record.get("hyperparameters") or {}).get("rotation")
    if not isinstance(rotation, numbers.Real) or isinstance(rotation, bool) or rotation < 0:
        return ""
    label = networks[AUGMENTED].label
    if rotation == 0:
        return f"Notebook 10's network ({label}) trained on no turned digits (its rotation was 0). "
    return (
        f"Notebook 10's network ({label}) trained with {_changed_share(record)} at random: turned by up to "
        f"{rotation:g} degrees either way (its rotation setting){_other_changes(record)}; the others trained "
        f"on MNIST's digits as they are. It also differs from notebook 8's in batch normalisation, channels, "
        f"learning rate and schedule, so these readings cannot say what the training turns bought. "
    )


def _changed_share(record: dict) -> str:
    """How many digits of each batch notebook 10's training changed, as its record says."""
    settings = record.get("hyperparameters") or {}
    changed, batch = settings.get("changed_per_batch"), settings.get("batch_size")
    if isinstance(changed, int) and isinstance(batch, int) and 0 < changed <= batch:
        return f"{changed} of each batch of {batch} changed"
    return "part of each batch changed"


def _other_changes(record: dict) -> str:
    """The other random changes notebook 10's record says its training made, as ", and also moved and ..."."""
    settings = record.get("hyperparameters") or {}
    names = {"shift": "moved", "scale": "rescaled", "slant": "slanted", "stroke": "re-inked", "elastic": "wobbled"}
    made = [word for name, word in names.items() if isinstance(settings.get(name), numbers.Real) and settings[name]]
    return f", and also {' and '.join(made)}" if made else ""


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
            f"`rotated_accuracy` has the keys {sorted(mine, key=str)}; it needs one per network: "
            f"{sorted(labels_wanted)} (network.label)."
        )
    for label, value in mine.items():
        if isinstance(value, np.ndarray) and value.size == 1:
            value = value.item()
        if not isinstance(value, numbers.Real) or isinstance(value, bool):
            raise NotYet(
                f"`rotated_accuracy[{label!r}]` is {value!r}; each value must be a number, the network's "
                f"accuracy(rotated, digits)."
            )
    rotated = a.notebook("transforms").rotate(images, 15)
    reference = {network.label: network.accuracy(rotated, labels) for network in networks.values()}
    if all(abs(float(mine[label]) - reference[label]) <= ROTATION_TOLERANCE for label in reference):
        from .. import significance

        upright = {network.label: network.accuracy(images, labels) for network in networks.values()}
        tested = {
            network.label: significance.compare_networks(
                network.predict(images), network.predict(rotated), labels, "upright", "turned"
            )
            for network in networks.values()
        }
        shown = {1: "a cost shown", -1: "a gain shown", 0: "not shown to differ"}
        # The cost is the difference of the two printed figures; + 0.0 turns -0.00 into +0.00.
        listing = ", ".join(
            f"{label} {reference[label]:.2f} (from {upright[label]:.2f}, a cost of "
            f"{round(round(upright[label], 2) - round(reference[label], 2), 2) + 0.0:+.2f}; upright minus turned "
            f"{tested[label].low:+.3f} to {tested[label].high:+.3f}: {shown[tested[label].direction]})"
            for label in reference
        )
        return (
            f"at 15 degrees: {listing}. Each network's own cost is tested by McNemar's test on the same "
            f"{len(images):,} images (notebook 5): its upright and turned readings. Two networks' costs start "
            f"from different upright readings, and no test here compares them: they are readings, not a ranking. "
            f"{_trained_turns(networks)}A turn "
            f"of 15 degrees moves ink 2.6 pixels at 10 pixels from the centre, more further out and less nearer it, "
            f"the top and the bottom of a digit in opposite directions: compare with the shift experiment above."
        )
    turned = a.notebook("transforms").rotate(images, 90)
    quarter = {network.label: network.accuracy(turned, labels) for network in networks.values()}
    if all(abs(float(mine[label]) - quarter[label]) <= ROTATION_TOLERANCE for label in quarter):
        raise NotYet(
            "these are the accuracies at 90 degrees; the exercise turns the digits by 15: "
            "transforms.rotate(images, 15)."
        )
    label = max(reference, key=lambda key: abs(float(mine[key]) - reference[key]))
    raise NotYet(
        f"for {label} you have {float(mine[label]):.4f}; transforms.rotate(images, 15) of the first "
        f"{len(images):,} validation images gives {reference[label]:.4f}."
    )


#: The words of exercise 2's prediction and conclusion, and the direction of the comparison (down against
#: right) each stands for: "less" damage down when the digits moved down are read better.
DAMAGE = {"more": -1, "not shown": 0, "less": 1}
#: What each word says of the comparison of the two readings (down minus right).
DAMAGE_MEANS = {
    "more": "moved down is read worse: more damage down",
    "less": "moved down is read better: less damage down",
    "not shown": "neither is shown to be read better",
}


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
    _check_own_comparison(a.answer("comparison"), paired)
    shows = next(word for word, direction in DAMAGE.items() if direction == paired.direction)
    found = (
        f"moved 3 pixels down, notebook 8's network reads {paired.accuracy_a:.4f} of the {len(labels):,} "
        f"validation digits; moved 3 pixels right, {paired.accuracy_b:.4f}. {paired.only_b} are read only when "
        f"moved right and {paired.only_a} only when moved down: McNemar's p = {paired.p_value:.2g}, interval of "
        f"down minus right {paired.low:+.4f} to {paired.high:+.4f}, which says {shows!r} ({DAMAGE_MEANS[shows]})"
    )
    if said != shows:
        raise NotYet(f"you concluded {said!r}, but {found}")
    if predicted == shows == "not shown":
        guessed = (
            f"You predicted {predicted!r}, and the images show no difference either way, which is not saying there "
            f"is none. "
        )
    elif predicted == shows:
        guessed = f"You predicted {predicted!r}, and so it is. "
    elif shows == "not shown":
        guessed = (
            f"You predicted {predicted!r}; the images show no difference either way, which is not saying there "
            f"is none (interval of down minus right {paired.low:+.4f} to {paired.high:+.4f}). "
        )
    else:
        guessed = f"You predicted {predicted!r}; the images say otherwise. "
    causes = (
        ""
        if shows == "not shown"
        else " Its layers are built the same along both axes, but its learned filters, its dense layer (a weight "
        "for each position) and the digits' shapes need not treat the two moves alike; this comparison cannot say "
        "which of them is behind the difference."
    )
    return (
        f"{guessed}As you concluded, {found}. This is one trained network on these digits, not every network of "
        f"its recipe.{causes}"
    )


def _check_own_comparison(mine: object, paired) -> None:
    """NotYet unless the learner's `comparison` is `paired`: the same readings, moved down first."""
    from .. import significance

    if not isinstance(mine, significance.NetworkComparison):
        raise NotYet(
            f"`comparison` must be what significance.compare_networks returns for the two readings, not a "
            f"{type(mine).__name__}."
        )
    counts = (mine.images, mine.only_a, mine.only_b)
    if counts == (paired.images, paired.only_a, paired.only_b):
        return
    if counts == (paired.images, paired.only_b, paired.only_a):
        raise NotYet(
            "your comparison has the readings the other way round: give compare_networks the digits moved down "
            "first, then those moved right, so that its interval is down minus right."
        )
    raise NotYet(
        f"your comparison counts {mine.only_a} digits read only by its first reading and {mine.only_b} only by "
        f"its second, of {mine.images:,}; the first {paired.images:,} validation digits moved 3 pixels down and "
        f"3 right give {paired.only_a} read only moved down and {paired.only_b} only moved right."
    )


#: The words for what exercise 4's comparison shows, by its direction (thinned first, then prepared, against
#: prepared without thinning).
RECOVERED = {
    1: "some of the loss comes back",
    0: "these images show no difference either way, which is not saying there is none",
    -1: "thinning before preparing costs more",
}


def check_thinned_then_prepared(a: Answers) -> str:
    from .. import significance

    if np.ndim(a.answer("recovered_read")) == 0:
        raise NotYet(
            "set recovered_read to the digits notebook 8's network reads, one for each image (-1 where prepare_all "
            "left it blank), not to one number: the check scores and compares them itself."
        )
    network = _network(a, CONVOLUTIONAL)
    images, labels = _validation(a)
    mine = a.array("recovered_read", (len(labels),))
    transforms, prepare_all = a.notebook("transforms"), a.notebook("prepare_all")

    def read(unprepared):
        """What the network reads in `unprepared` once prepared, -1 where preparing left an image blank."""
        prepared, readable = prepare_all(unprepared)
        return np.where(readable, network.predict(prepared), -1)

    thick = transforms.change_stroke(images, 2)
    thinned = transforms.change_stroke(thick, -1)
    prepared, readable = prepare_all(thinned)
    read_prepared = np.asarray(network.predict(prepared))
    reference = np.where(readable, read_prepared, -1)
    before = read(thick)
    caveat = check_readings(
        mine,
        reference,
        (
            KnownMistake(
                None,
                lambda: read_prepared,
                "an image prepare_all left blank must count as wrong: "
                "np.where(readable, network.predict(prepared), -1).",
            ),
            KnownMistake(
                "the thick digits prepared without thinning",
                lambda: before,
                "those are the thick digits prepared without thinning.",
            ),
            KnownMistake(
                "the thinned digits not prepared",
                lambda: network.predict(thinned),
                "those are the thinned digits before preparing them: use prepare_all.",
            ),
            KnownMistake(
                "the digits one step thicker",
                lambda: read(transforms.change_stroke(images, 1)),
                "those are the digits one step thicker: thicken by 2 first, change_stroke(images, 2), then thin by 1.",
            ),
            KnownMistake(
                "the digits thinned first and thickened after",
                lambda: read(transforms.change_stroke(transforms.change_stroke(images, -1), 2)),
                "those are the digits thinned first and thickened after: thicken by 2 first, then thin by 1.",
            ),
        ),
        f"{{count}} of your {len(labels):,} digits differ from what the network reads in change_stroke(images, 2), "
        f"then change_stroke(..., -1), then prepare_all, with -1 where it is blank.",
    )
    paired = significance.compare_networks(mine, before, labels, "thinned, then prepared", "prepared without thinning")
    return (
        f"thinned one step and then prepared, the digits thickened two steps are read {paired.accuracy_a:.4f} "
        f"of the time by notebook 8's network, against {paired.accuracy_b:.4f} prepared without thinning and "
        f"{network.accuracy(images, labels):.4f} unchanged (the first {len(labels):,} validation images, a "
        f"blank counted as wrong). {paired.only_a} are read only thinned first and {paired.only_b} only without "
        f"thinning: McNemar's p = {paired.p_value:.2g}, interval of thinned first minus not thinned "
        f"{paired.low:+.4f} to {paired.high:+.4f}, so {RECOVERED[paired.direction]}.{caveat} This is one trained "
        f"network on these digits."
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
            "rotated_accuracy = {network.label: network.accuracy(rotated, digits) for network in networks.values()}\n"
            "# Does preparing help? An image prepare_all leaves blank counts as wrong (-1 is no digit).\n"
            "prepared, readable = prepare_all(rotated)\n"
            "for network in networks.values():\n"
            "    significance.print_network_comparison(\n"
            '        f"{network.label}, prepared", np.where(readable, network.predict(prepared), -1),\n'
            '        f"{network.label}, as turned", network.predict(rotated), digits,\n'
            '        images="rotated validation images")'
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
        reads=("predicted_damage", "conclusion", "comparison", "networks", "mnist", "hyperparameters", "transforms"),
        hints=(
            "Which parts of notebook 8's network treat a move down and a move right alike, and which need not? "
            "Only the digits can say what that adds up to.",
            "significance.compare_networks(down, right, digits, 'moved down', 'moved right') compares the two "
            "readings digit by digit (its interval is down minus right); its direction says which is read better, "
            'or 0 when the images cannot tell. Direction -1 (down read worse) is "more" damage down, +1 '
            '"less".',
        ),
        solution=(
            'predicted_damage = "not shown"  # stands for your own prediction, made before measuring\n'
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
        hints=(
            "Count first: the cell's first printed line is the answer. The figures show one 5 the cell picked, a "
            "misreading by construction, and at 0.8 it may pick another 5 than at 0.5.",
            "To see what the size changes, draw one 5 (the same validation image) at 0.5 and at 0.8, so that the "
            "pick is not what changes. shrink_to_corner puts the shrunk field 1 pixel from the top-left corner, "
            "so the 5's size and place still change together: the figures cannot say which of the two matters.",
        ),
        solution=(
            'Change size = 0.5 to size = 0.8 in the cell of the section "Why the small 5 in the corner becomes '
            'something else". '
            "The cell then looks for a 5 the network reads at full size but misreads at 0.8, so whatever it shows "
            "is a misreading: the count on its first line is the answer. Whether more or fewer 5s are misread at "
            "0.8 than at 0.5 is a question about two readings of the same 5s: keep both cells' `answers` under "
            'names of their own and compare them with significance.print_network_comparison("at 0.8", '
            'answers_08, "at 0.5", answers_05, validation_labels[fives], images="validation 5s"). If no 5 it reads '
            "at full size is misread at 0.8, the cell says so in one line and draws nothing. (The cell works on all "
            "5,000 validation images; the experiment above used the first 2,000.)"
        ),
    ),
    code(
        4,
        "a thicker pen, prepared",
        check_thinned_then_prepared,
        reads=("recovered_read", "networks", "mnist", "hyperparameters", "transforms", "prepare_all"),
        hints=(
            "thick = transforms.change_stroke(images, 2); then change_stroke(thick, -1) thins it again.",
            "prepare_all returns the prepared images and which of them were readable: "
            "np.where(readable, network.predict(prepared), -1) counts an image left blank as wrong.",
            'significance.print_network_comparison(..., images="validation images") compares two readings of '
            "the same digits (McNemar's test): thinned first against prepared without thinning, each read the same "
            "way.",
        ),
        solution=(
            "network = networks['08_convolutional']\n"
            "images = mnist.validation.images[:robustness_images]\n"
            "digits = mnist.validation.labels[:robustness_images].argmax(axis=1)\n"
            "thick = transforms.change_stroke(images, 2)\n"
            "prepared, readable = prepare_all(transforms.change_stroke(thick, -1))\n"
            "recovered_read = np.where(readable, network.predict(prepared), -1)\n"
            "thick_prepared, thick_readable = prepare_all(thick)\n"
            "thick_read = np.where(thick_readable, network.predict(thick_prepared), -1)\n"
            "significance.print_network_comparison(\n"
            '    "thinned, then prepared", recovered_read, "prepared without thinning", thick_read, digits,\n'
            '    images="validation images")'
        ),
        wrong_answers=(
            WrongAnswer(
                "prepared without thinning",
                "network = networks['08_convolutional']\n"
                "images = mnist.validation.images[:robustness_images]\n"
                "prepared, readable = prepare_all(transforms.change_stroke(images, 2))\n"
                "recovered_read = np.where(readable, network.predict(prepared), -1)",
            ),
            WrongAnswer("not to one number", "recovered_read = 0.9"),
        ),
    ),
)


def bind(namespace: dict) -> tuple[BoundExercise, ...]:
    """Notebook 12's exercises, bound to its variables: `exercise_1, ..., exercise_4 = bind(globals())`."""
    return bind_exercises(EXERCISES, namespace)
