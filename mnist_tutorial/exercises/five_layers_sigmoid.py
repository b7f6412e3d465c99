"""The exercises of notebook 3, five sigmoid layers (see `mnist_tutorial.exercises`)."""

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
    judge,
    network_variables,
    over_seeds,
)
from . import bind as bind_exercises

#: The final validation accuracy after 2,000 steps, by seed, at the notebook's settings and with
#: init_stddev = 0.1 (`mnist-sweep 03 init_stddev=0.1,1.0 training_steps=2000 --seeds 3`).
SUMMED_AT_2000 = {1: 0.896, 2: 0.8904, 3: 0.894}
SMALL_INIT_AT_2000 = {1: 0.314, 2: 0.3412, 3: 0.3988}
#: Two runs that should be the same, up to the rounding of 32-bit floats, end this close (the mean loss
#: at 0.3 and the summed loss at 0.003 both end at 0.8960 with seed 1).
SAME_RUN = 0.003
#: The notebook's settings that the measurements above used, and its network's variables.
NOTEBOOK_SETTINGS = {
    "learning_rate": 0.003,
    "batch_size": 100,
    "init_stddev": 1.0,
    "hidden1": 200,
    "hidden2": 100,
    "hidden3": 60,
    "hidden4": 30,
}
NETWORK = {
    f"{scope}/{name}{k}"
    for k, scope in enumerate(["layer1", "layer2", "layer3", "layer4", "output_layer"], 1)
    for name in ("W", "b")
}
THREE_LAYERS = {name for name in NETWORK if name.split("/")[0] in ("layer1", "layer2", "output_layer")}


def check_mean_loss(a: Answers) -> str:
    loss = a.notebook("loss")
    if loss.op.type == "Sum":
        raise NotAttempted("loss is still tf.reduce_sum(per_image): make it tf.reduce_mean(per_image).")
    divided = loss.op.type in ("RealDiv", "Mul") and any(t.op.type == "Sum" for t in loss.op.inputs)
    if loss.op.type != "Mean" and not divided:
        raise NotYet(f"loss is made by a {loss.op.type} operation; the exercise asks for tf.reduce_mean(per_image).")
    rate, batch = a.setting("learning_rate"), a.setting("batch_size")
    if not np.isclose(rate, 0.003 * batch):
        raise NotYet(
            f"the mean is the sum divided by the {batch} images of a batch, so with the same learning rate each "
            f"step is {batch} times shorter. Set learning_rate = {0.003 * batch:g} (it is {rate})."
        )
    settings = {name: value for name, value in NOTEBOOK_SETTINGS.items() if name != "learning_rate"}
    measured = a.run_with({"training_steps": 2000}, settings, NETWORK).final_validation_accuracy
    summed, which = a.seed_matched(SUMMED_AT_2000)
    # The loss is a mean and the rate 0.3 (both checked above): these are the summed loss's steps, so a run
    # that ends elsewhere differs by its processor's arithmetic, not by the answer.
    agree = (
        "the same steps, up to the rounding of 32-bit floats"
        if abs(measured - summed) <= SAME_RUN
        else "the same steps; the two differ by more than rounding because the check's figure was measured "
        "on another processor, whose arithmetic differs (run the summed loss at 0.003 here to see them agree)"
    )
    return (
        f"the run ends at {measured:.4f}, and the summed loss at learning rate 0.003 at {summed:.4f} ({which}): "
        f"{agree}, since mean x 0.3 = sum x 0.003 at batches of 100. With the mean, the step no longer grows "
        f"with the batch size."
    )


def check_small_start(a: Answers) -> str:
    predicted = a.choice("predicted_side", ("above", "below"))
    measured = a.run_with(
        {"init_stddev": 0.1, "training_steps": 2000}, NOTEBOOK_SETTINGS, NETWORK, f"you predicted {predicted!r}; now "
    ).final_validation_accuracy
    side = "above" if measured > 0.5 else "below"
    small, which = a.seed_matched(SMALL_INIT_AT_2000)
    large, _ = a.seed_matched(SUMMED_AT_2000)
    why = (
        f"the run ends at {measured:.4f}, {side} 0.5 ({which} measured {small:.4f}, and {large:.4f} with the "
        f"notebook's 1.0). On its way back to the first layer, the error signal is multiplied at each layer by "
        f"the weights, which are ten times smaller now, and by a sigmoid's slope, which is at most 0.25: it "
        f"arrives so weak that the first layers hardly learn. Notebook 6 measures this"
    )
    return judge(predicted, side, why)


def check_three_layers(a: Answers) -> str:
    W5 = a.notebook("W5")
    have = network_variables(a.notebook("logits"))
    if have == NETWORK:
        raise NotAttempted("the logits still depend on all five layers: connect Y2 to W5 instead of Y4.")
    if have != THREE_LAYERS:
        names = ", ".join(sorted(name.split("/")[1] for name in have if "/W" in name))
        raise NotYet(f"the logits depend on {names}; the exercise keeps W1, W2 and W5 (Y2 into W5).")
    if W5.shape.as_list() != [a.setting("hidden2"), 10]:
        raise NotYet(f"W5 has shape {W5.shape.as_list()}: it takes layer 2's {a.setting('hidden2')} outputs.")
    measured = a.run_with({"training_steps": 2000}, NOTEBOOK_SETTINGS, THREE_LAYERS).final_validation_accuracy
    five, which = a.seed_matched(SUMMED_AT_2000)
    relation = "above" if measured > five + SAME_RUN else ("below" if measured < five - SAME_RUN else "level with")
    why = (
        " Fewer sigmoids stand between the loss and the first layer, so less of the error signal is lost on its "
        "way back (notebook 6 measures it). One seed, though: try seeds 2 and 3 before you trust it."
        if relation == "above"
        else " One seed: try seeds 2 and 3 before you draw a conclusion."
    )
    return (
        f"with three layers the run ends at {measured:.4f}, {relation} the five layers' {five:.4f} at 2,000 "
        f"steps ({which}).{why} (W3 and W4 are still in the graph, but nothing uses them.)"
    )


def check_largest_gap(a: Answers) -> str:
    mine = a.number("largest_gap")
    session, mnist = a.notebook("session"), a.notebook("mnist")
    final = session.run(a.notebook("logits"), feed_dict={a.notebook("X"): mnist.validation.images})
    gaps = final.max(axis=1) - final.min(axis=1)
    if np.isclose(mine, gaps.max(), rtol=1e-3):
        zero_at = float(a.notebook("demo_gaps")[a.notebook("demo_trailing") == 0][0])
        beyond = int(np.sum(gaps >= zero_at))
        risk = (
            "there log(Y) is -inf, and -sum(Y_ * log(Y)) is NaN (0 x -inf) or, where the label itself rounded "
            "to 0, infinite; softmax_cross_entropy_with_logits_v2 never takes that log"
            if beyond
            else "none reaches it, so the hand-written loss would survive this run; a larger learning rate drives "
            "the logits apart faster (exercise 5)"
        )
        return (
            f"the largest gap after training is {gaps.max():.1f}; {beyond} of the {len(gaps):,} validation images "
            f"have a gap of {zero_at:.0f} or more, where the smallest probability rounds to exactly 0: {risk}."
        )
    if np.isclose(mine, np.max(a.notebook("initial_gaps")), rtol=1e-3):
        raise NotYet(
            "that is the largest gap at initialisation, which the notebook printed; the exercise asks "
            "for the trained network's: run its logits in the session."
        )
    if np.isclose(mine, final.max(), rtol=1e-3):
        raise NotYet("that is the largest logit, not the largest gap between an image's largest and smallest logit.")
    raise NotYet(
        f"{mine:.1f} is not it: for each validation image, its largest logit minus its smallest; then the "
        f"largest of those."
    )


_LOGITS = "logits = tf.matmul(Y4, W5) + b5"
_W5 = 'W5 = tf.Variable(tf.truncated_normal([hidden4, 10], stddev=init_stddev), name="W5")'
_LOSS = "loss = tf.reduce_sum(per_image)"

EXERCISES = (
    Exercise(
        1,
        "sum versus mean",
        TRAIN,
        check_mean_loss,
        hints=(
            "The mean of a batch's losses is their sum divided by the batch size. What learning rate makes a "
            "step on the mean as long as a step of 0.003 on the sum?",
        ),
        solution="",
        parameters={"learning_rate": 0.3, "training_steps": 2000},
        edits=((_LOSS, "loss = tf.reduce_mean(per_image)"),),
        expected="the same final validation accuracy as the summed loss at 0.003, to the third decimal.",
        wrong_answers=(
            WrongAnswer(
                "Set learning_rate = 0.3",
                parameters={"training_steps": 2000},
                edits=((_LOSS, "loss = tf.reduce_mean(per_image)"),),
            ),
        ),
    ),
    Exercise(
        2,
        "a small initial scale",
        PREDICT,
        check_small_start,
        hints=(
            "The slope of a sigmoid is at most 0.25. The error signal that reaches layer 1 has passed through "
            "four of them and four weight matrices.",
        ),
        solution='predicted_side = "below"',
        parameters={"init_stddev": 0.1, "training_steps": 2000},
        expected=f"{over_seeds(SMALL_INIT_AT_2000)}, against {over_seeds(SUMMED_AT_2000)} at init_stddev = 1.0.",
        wrong_answers=(
            WrongAnswer(
                "you predicted 'above'", 'predicted_side = "above"', {"init_stddev": 0.1, "training_steps": 2000}
            ),
        ),
    ),
    Exercise(
        3,
        "three layers",
        TRAIN,
        check_three_layers,
        hints=(
            "Two lines change in the model's cell: the logits take Y2 instead of Y4, and W5 becomes [hidden2, 10].",
        ),
        solution="",
        parameters={"training_steps": 2000},
        edits=((_LOGITS, "logits = tf.matmul(Y2, W5) + b5"), (_W5, _W5.replace("hidden4", "hidden2"))),
        wrong_answers=(
            WrongAnswer(
                "the logits depend on W1, W2, W3, W5",
                parameters={"training_steps": 2000},
                edits=((_LOGITS, "logits = tf.matmul(Y3, W5) + b5"), (_W5, _W5.replace("hidden4", "hidden3"))),
            ),
        ),
    ),
    Exercise(
        4,
        "the largest gap between logits",
        CODE,
        check_largest_gap,
        hints=(
            "session.run(logits, feed_dict={X: mnist.validation.images}) gives a [5000, 10] array.",
            "Per image (axis=1): the largest minus the smallest; then .max() of those.",
        ),
        solution=(
            "final_logits = session.run(logits, feed_dict={X: mnist.validation.images})\n"
            "largest_gap = (final_logits.max(axis=1) - final_logits.min(axis=1)).max()"
        ),
        wrong_answers=(
            WrongAnswer("largest gap at initialisation", "largest_gap = initial_gaps.max()"),
            WrongAnswer(
                "the largest logit, not", "largest_gap = session.run(logits, {X: mnist.validation.images}).max()"
            ),
        ),
    ),
    Exercise(
        5,
        "the NaN",
        DISCUSSION,
        None,
        hints=("The section on the loss printed the gap at which a probability becomes exactly 0.",),
        solution=(
            "With loss = -tf.reduce_sum(Y_ * tf.log(Y)), as soon as any probability in a batch rounds to exactly 0, "
            "log(Y) is -inf there, and Y_ * log(Y) is 0 x -inf = NaN for a digit that is not the label (or +inf "
            "in the loss, where the label itself got 0). The NaN spreads to every weight at the next step and the "
            "monitor stops the run. Larger learning rates drive the logits apart sooner, so the NaN comes sooner."
        ),
    ),
    Exercise(
        6,
        "dropout against overfitting",
        DISCUSSION,
        None,
        hints=(
            "Notebook 2 shows the dropout lines: a placeholder_with_default for keep, tf.nn.dropout after a layer.",
            "keep's default is 1.0, which drops nothing: feed keep: keep_prob with each training batch, and "
            "nothing when you evaluate.",
        ),
        solution=(
            "This notebook's curves show the start of overfitting (the training cross-entropy below the "
            "validation one). With units dropped, the training curve, measured on the dropped network, rises by "
            "itself, so the gap narrows whatever dropout does for the network: judge it by the validation curve "
            "against the run without dropout, which dropout slows at the start. Whether the validation accuracy "
            "gains, run it and see, with a second seed before you believe a small difference."
        ),
    ),
)


def bind(namespace: dict) -> tuple[BoundExercise, ...]:
    """Notebook 3's exercises, bound to its variables: `exercise_1, ..., exercise_6 = bind(globals())`."""
    return bind_exercises(EXERCISES, namespace)
