"""The exercises of notebook 3, five sigmoid layers (see `mnist_tutorial.exercises`)."""

import numpy as np

from . import (
    AgainstRuns,
    Answers,
    BoundExercise,
    Measure,
    NotAttempted,
    NotYet,
    Threshold,
    WrongAnswer,
    against_table,
    code,
    discussion,
    graph,
    measured,
    network_variables,
    over_seeds,
    prediction,
    side_run_measured,
)
from . import bind as bind_exercises

NOTEBOOK = "03_five_layers_sigmoid"
#: Exercise 1's batch size: the learner works out the learning rate that matches the summed loss's 0.003.
MEAN_BATCH = 50
SUMMED_RATE = 0.003
NETWORK = {
    f"{scope}/{name}{k}"
    for k, scope in enumerate(["layer1", "layer2", "layer3", "layer4", "output_layer"], 1)
    for name in ("W", "b")
}
THREE_LAYERS = {name for name in NETWORK if name.split("/")[0] in ("layer1", "layer2", "output_layer")}

_LOGITS = "logits = tf.matmul(Y4, W5) + b5"
_W5 = 'W5 = tf.Variable(tf.truncated_normal([hidden4, 10], stddev=init_stddev), name="W5")'
_LOSS = "loss = tf.reduce_sum(per_image)"
_MEAN = (_LOSS, "loss = tf.reduce_mean(per_image)")
_THREE = ((_LOGITS, "logits = tf.matmul(Y2, W5) + b5"), (_W5, _W5.replace("hidden4", "hidden2")))
#: The recipes the checks compare with, measured over seeds 1-5 by `mnist-exercises measure 03`.
MEASURES = (
    Measure("summed_50", {"batch_size": MEAN_BATCH, "training_steps": 2000}),
    Measure(
        "mean_50",
        {"batch_size": MEAN_BATCH, "learning_rate": SUMMED_RATE * MEAN_BATCH, "training_steps": 2000},
        edits=(_MEAN,),
    ),
    Measure("small_init", {"init_stddev": 0.1, "training_steps": 2000}),
    Measure("own_2000", {"training_steps": 2000}),
    Measure("three_layers", {"training_steps": 2000}, edits=_THREE),
)


#: The batch sizes exercise 1's check computes the learner's loss on: the mean over a batch is the mean of its
#: images' cross-entropies at every size, a sum divided by a fixed number is the mean at one size at most.
PROBE_BATCHES = (7, 50)


def _cross_entropies(logits: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Each image's softmax cross-entropy, from its logits (in 64-bit floats, the largest logit taken out)."""
    shifted = logits.astype(np.float64) - logits.max(axis=1, keepdims=True)
    log_softmax = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -(labels * log_softmax).sum(axis=1)


def _loss_on_batches(a: Answers) -> list[tuple[int, float, np.ndarray]]:
    """(batch size, the learner's loss, each image's cross-entropy) on random batches of PROBE_BATCHES."""
    loss, session = a.notebook("loss"), a.notebook("session")
    X, Y_, logits = a.notebook("X"), a.notebook("Y_"), a.notebook("logits")
    if getattr(session, "graph", None) is not loss.graph:
        raise NotYet("the session runs another graph than the one `loss` is in: run all cells, then check again.")
    rng = np.random.default_rng(0)
    found = []
    for size in PROBE_BATCHES:
        images = rng.random((size, 784)).astype(np.float32)
        labels = np.eye(10, dtype=np.float32)[rng.integers(0, 10, size)]
        try:
            value, scores = session.run([loss, logits], feed_dict={X: images, Y_: labels})
        except Exception as error:  # the learner's graph: say in one line what went wrong
            first = str(error).strip().splitlines()[0] if str(error).strip() else ""
            raise NotYet(
                f"the loss could not be computed on a batch of {size} images ({type(error).__name__}: {first}): "
                f"run all cells, then check again."
            ) from None
        if np.size(value) != 1:
            raise NotYet(f"loss has shape {np.shape(value)}; it must be one number for the batch: reduce it.")
        found.append((size, float(np.ravel(value)[0]), _cross_entropies(scores, labels)))
    return found


def mean_loss(a: Answers) -> str:
    loss = a.notebook("loss")
    if loss.op.type == "Sum":
        raise NotAttempted("loss is still tf.reduce_sum(per_image): make it tf.reduce_mean(per_image).")
    found = _loss_on_batches(a)
    if not all(np.isclose(value, losses.mean(), rtol=1e-4) for _, value, losses in found):
        to_sum = [value / losses.sum() for _, value, losses in found]
        to_mean = [value / losses.mean() for _, value, losses in found]
        sizes = " and ".join(str(size) for size, _, _ in found)
        if np.allclose(to_sum, to_sum[0], rtol=1e-4) and to_sum[0] > 0:
            fixed = 1 / to_sum[0]
            raise NotYet(
                f"on batches of {sizes} images, loss is the batch's sum divided by a fixed {fixed:.4g}, which is "
                f"the mean only for batches of exactly that many: divide by the batch's own size, as "
                f"tf.reduce_mean(per_image) does."
            )
        if np.allclose(to_mean, to_mean[0], rtol=1e-4):
            raise NotYet(
                f"loss is {to_mean[0]:.4g} times the mean over the batch; the exercise asks for the mean itself, "
                f"tf.reduce_mean(per_image), and a learning rate that makes up for it."
            )
        raise NotYet(
            f"on batches of {sizes} images, loss is not the mean of the images' cross-entropies; the exercise asks "
            f"for tf.reduce_mean(per_image)."
        )
    rate, batch = a.setting("learning_rate"), a.setting("batch_size")
    if batch != MEAN_BATCH:
        raise NotYet(f"the loss is a mean now; set batch_size = {MEAN_BATCH} (it is {batch}) as the exercise asks.")
    if not np.isclose(rate, SUMMED_RATE * batch):
        raise NotYet(
            f"at learning rate {rate:g}, a step on the mean is not a step of {SUMMED_RATE} on the sum: the mean is "
            f"the sum divided by the {batch} images of a batch, and so is its gradient. Which learning rate makes "
            f"up for that?"
        )
    return f"loss is the mean over the batch, at learning rate {rate:g} with batches of {batch}"


def after_mean(a: Answers, monitor) -> str:
    summed = measured(NOTEBOOK, "summed_50")
    mean = measured(NOTEBOOK, "mean_50")
    apart = max(abs(mean[seed] - summed[seed]) for seed in summed)
    place = against_table(monitor.final_validation_accuracy, NOTEBOOK, "summed_50", a.setting("seed"))
    return (
        f"Your run ends at a validation accuracy of "
        f"{place.sentence(f'runs of the summed loss at {SUMMED_RATE} on batches of {MEAN_BATCH}')}. "
        f"Mean x {SUMMED_RATE * MEAN_BATCH:g} = sum x {SUMMED_RATE} at batches of {MEAN_BATCH}: the same steps, so "
        f"the two recipes end in the same place, up to the rounding of 32-bit floats (over seeds "
        f"{min(summed)}-{max(summed)} they ended at most {apart:.4f} apart). With the mean, a step no longer grows "
        f"with the batch size."
    )


_SMALL = "side_runs.train(NOTEBOOK, init_stddev=0.1, training_steps=2000)"


def why_small_start(a: Answers, value: float) -> str:
    return (
        f"with the notebook's 1.0 the same steps give {over_seeds(measured(NOTEBOOK, 'own_2000'))}. On its way back "
        f"to the first layer, the error signal is multiplied at each layer by the weights, which are ten times "
        f"smaller now, and by a sigmoid's slope, which is at most 0.25: it arrives so weak that the first layers "
        f"hardly learn. Notebook 6 measures this"
    )


def three_layers(a: Answers) -> str:
    W5 = a.notebook("W5")
    have = network_variables(a.notebook("logits"))
    if have == NETWORK:
        raise NotAttempted("the logits still depend on all five layers: connect Y2 to W5 instead of Y4.")
    if have != THREE_LAYERS:
        names = ", ".join(sorted(name.split("/")[1] for name in have if "/W" in name))
        raise NotYet(f"the logits depend on {names}; the exercise keeps W1, W2 and W5 (Y2 into W5).")
    if W5.shape.as_list() != [a.setting("hidden2"), 10]:
        raise NotYet(f"W5 has shape {W5.shape.as_list()}: it takes layer 2's {a.setting('hidden2')} outputs.")
    return "the logits now come from layer 2, through W5 of shape [hidden2, 10]"


def after_three(a: Answers, monitor) -> str:
    return (
        "Fewer sigmoids stand between the loss and the first layer, so less of the error signal is lost on its way "
        "back (notebook 6 measures it). W3 and W4 are still in the graph, but nothing uses them."
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


EXERCISES = (
    graph(
        1,
        "sum versus mean",
        mean_loss,
        reads=("loss", "X", "Y_"),
        hints=(
            "The mean of a batch's losses is their sum divided by the batch size, and so is its gradient. A step "
            "is the learning rate times the gradient.",
        ),
        parameters={"batch_size": MEAN_BATCH, "learning_rate": SUMMED_RATE * MEAN_BATCH, "training_steps": 2000},
        edits=(_MEAN,),
        network=lambda a: NETWORK,
        after=after_mean,
        wrong_answers=(
            WrongAnswer(
                "divided by a fixed 100",
                parameters={
                    "batch_size": MEAN_BATCH,
                    "learning_rate": SUMMED_RATE * MEAN_BATCH,
                    "training_steps": 2000,
                },
                edits=((_LOSS, "loss = tf.reduce_sum(per_image) / 100"),),
            ),
            WrongAnswer(
                "Which learning rate makes up for that?",
                parameters={"batch_size": MEAN_BATCH, "training_steps": 2000},
                edits=(_MEAN,),
            ),
            WrongAnswer(
                "Which learning rate makes up for that?",
                parameters={"batch_size": MEAN_BATCH, "learning_rate": 0.3, "training_steps": 2000},
                edits=(_MEAN,),
            ),
        ),
    ),
    prediction(
        2,
        "a small initial scale",
        predicted="predicted_side",
        threshold=Threshold(NOTEBOOK, "small_init", 0.7, "the validation accuracy at init_stddev 0.1"),
        measure=side_run_measured(
            "small_start", {"init_stddev": 0.1, "training_steps": 2000}, _SMALL, "small_init", "init_stddev 0.1"
        ),
        why=why_small_start,
        reads=("small_start",),
        hints=(
            "On its way back to layer 1, the error signal is multiplied at each layer by that layer's weights and "
            "by a sigmoid's slope. What does a start ten times smaller do to each of those factors?",
        ),
        solution=(
            f'predicted_side = "below"\nsmall_start = {_SMALL}\n'
            "plotting.plot_weight_images(small_start.variables['layer1/W1'][:, :40], ncols=10)"
        ),
        expected=lambda: (
            f"{over_seeds(measured(NOTEBOOK, 'small_init'))}, against "
            f"{over_seeds(measured(NOTEBOOK, 'own_2000'))} at init_stddev = 1.0."
        ),
        wrong_answers=(WrongAnswer("you predicted 'above'", f'predicted_side = "above"\nsmall_start = {_SMALL}'),),
    ),
    graph(
        3,
        "three layers",
        three_layers,
        reads=("W5",),
        hints=(
            "Two lines change in the model's cell: the logits take Y2 instead of Y4, and W5 becomes [hidden2, 10].",
        ),
        parameters={"training_steps": 2000},
        edits=_THREE,
        against=AgainstRuns(NOTEBOOK, "three_layers", "own_2000", "three layers", "five layers"),
        after=after_three,
        wrong_answers=(
            WrongAnswer(
                "the logits depend on W1, W2, W3, W5",
                parameters={"training_steps": 2000},
                edits=((_LOGITS, "logits = tf.matmul(Y3, W5) + b5"), (_W5, _W5.replace("hidden4", "hidden3"))),
            ),
            WrongAnswer("set training_steps = 2000", edits=_THREE),
        ),
    ),
    code(
        4,
        "the largest gap between logits",
        check_largest_gap,
        reads=("largest_gap", "session", "mnist", "logits", "X", "demo_gaps", "demo_trailing", "initial_gaps"),
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
    discussion(
        5,
        "the NaN",
        hints=("The section on the loss printed the gap at which a probability becomes exactly 0.",),
        solution=(
            "With loss = -tf.reduce_sum(Y_ * tf.log(Y)), as soon as any probability in a batch rounds to exactly 0, "
            "log(Y) is -inf there, and Y_ * log(Y) is 0 x -inf = NaN for a digit that is not the label (or +inf "
            "in the loss, where the label itself got 0). The NaN spreads to every weight at the next step and the "
            "monitor stops the run. Larger learning rates drive the logits apart sooner, so the NaN comes sooner."
        ),
    ),
    discussion(
        6,
        "dropout against overfitting",
        hints=(
            "Notebook 2 shows the dropout lines: a placeholder_with_default for keep, tf.nn.dropout after a layer. "
            "keep_prob is a new setting: add it to the hyperparameter cell and to parameters.check.",
            "keep's default is 1.0, which drops nothing: feed keep: keep_prob with each training batch, and "
            "nothing when you evaluate.",
        ),
        solution=(
            "This notebook's curves show a gap (the training cross-entropy below the validation one). A gap alone "
            "is not overfitting, which is the validation cross-entropy rising again while the training one keeps "
            "falling. With units dropped, the training curve, measured on the dropped network, rises by "
            "itself, so the gap narrows whatever dropout does for the network: judge it by the validation curve "
            "against the run without dropout, which dropout slows at the start. Whether the validation accuracy "
            "gains, run each version with the same few seeds and compare them seed by seed "
            "(significance.compare_recipes) before you believe a small difference."
        ),
    ),
)


def bind(namespace: dict) -> tuple[BoundExercise, ...]:
    """Notebook 3's exercises, bound to its variables: `exercise_1, ..., exercise_6 = bind(globals())`."""
    return bind_exercises(EXERCISES, namespace)
