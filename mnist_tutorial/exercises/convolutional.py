"""The exercises of notebook 8, the convolutional network (see `mnist_tutorial.exercises`)."""

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
    ancestors,
    code,
    discussion,
    graph,
    measured,
    over_seeds,
    prediction,
)
from . import bind as bind_exercises

NOTEBOOK = "08_convolutional"


def _same_padding(size: int, kernel: int) -> tuple[int, int]:
    total = kernel - 1
    return total // 2, total - total // 2


def check_feature_map(a: Answers) -> str:
    mine = a.array("my_feature_map", (28, 28))
    session, mnist = a.notebook("session"), a.notebook("mnist")
    image = mnist.validation.images[:1]
    reference = session.run(a.notebook("Y1"), feed_dict={a.notebook("X"): image})[0, :, :, 0]
    if np.allclose(mine, reference, atol=1e-4):
        return (
            f"your NumPy reproduces filter 0's feature map: at each of the 28 x 28 positions, the sum of the "
            f"6 x 6 patch times the filter, plus the bias, through the ReLU. {np.mean(reference > 0):.0%} of the "
            f"positions respond. conv2d slides the filter without flipping it (a cross-correlation)."
        )
    W1, b1 = session.run([a.notebook("W1"), a.notebook("b1")])
    kernel = W1[:, :, 0, 0]
    before, after = _same_padding(28, kernel.shape[0])
    padded = np.pad(image[0, :, :, 0], ((before, after), (before, after)))
    windows = np.lib.stride_tricks.sliding_window_view(padded, kernel.shape)
    flipped = np.maximum(np.einsum("ijkl,kl->ij", windows, kernel[::-1, ::-1]) + b1[0], 0)
    if np.allclose(mine, flipped, atol=1e-4):
        raise NotYet(
            "you flipped the filter (a convolution in the mathematical sense); tf.nn.conv2d slides it "
            "as it is (a cross-correlation)."
        )
    if np.allclose(np.maximum(mine, 0), reference, atol=1e-4):
        raise NotYet("some of your values are negative: apply the ReLU, np.maximum(..., 0).")
    raise NotYet(
        "your map differs from conv1's: pad the image by 2 rows and columns before and 3 after (SAME "
        "padding for a 6 x 6 filter), multiply each 6 x 6 patch by W1[:, :, 0, 0], sum, add b1[0], "
        "and apply the ReLU."
    )


def _receptive_field(logits) -> int:
    """How many input pixels, along one side, the last convolutional layer's values see."""
    layers = sorted((op for op in ancestors(logits) if op.type in ("Conv2D", "MaxPool")), key=lambda op: op.name)
    field, jump = 1, 1
    for op in layers:
        size = op.inputs[1].shape.as_list()[0] if op.type == "Conv2D" else op.get_attr("ksize")[1]
        field += (size - 1) * jump
        jump *= op.get_attr("strides")[1]
    return field


def check_receptive_field(a: Answers) -> str:
    mine = a.number("receptive_field")
    field = _receptive_field(a.notebook("logits"))
    if mine == field:
        return (
            f"each value of conv3 sees a {field} x {field} patch of the 28 x 28 image, part of a digit; the "
            f"dense layer, which sees all of conv3's values, puts the parts together."
        )
    if mine == 6 + 5 + 4:
        raise NotYet(
            "15 adds the filter sizes. A layer adds (its size - 1) steps of the layer below, and after a "
            "stride of 2 one step of that layer is 2 pixels of the image."
        )
    if mine == field**2:
        raise NotYet(f"{int(mine)} counts pixels; the exercise asks for the side of the square ({field} x {field}).")
    raise NotYet(
        f"{mine:g} is not it. Start from 1 pixel; conv1 adds 6 - 1; conv2 adds 5 - 1 of conv1's steps, "
        f"1 pixel each; conv3 adds 4 - 1 of conv2's steps, which are 2 pixels each."
    )


_CONV2 = 'Y2 = tf.nn.relu(tf.nn.conv2d(Y1, W2, strides=[1, 2, 2, 1], padding="SAME") + b2)'
_CONV3 = 'Y3 = tf.nn.relu(tf.nn.conv2d(Y2, W3, strides=[1, 2, 2, 1], padding="SAME") + b3)'


def _pooled(line: str) -> str:
    inner = line.split(" = ", 1)[1].replace("strides=[1, 2, 2, 1]", "strides=[1, 1, 1, 1]")
    return f'{line.split(" = ")[0]} = tf.nn.max_pool2d({inner}, ksize=2, strides=2, padding="SAME")'


#: The recipes the checks compare with, measured over seeds 1-5 by `mnist-exercises measure 08`.
MEASURES = (
    Measure("own_1000", {"training_steps": 1000}),
    Measure("fewer_channels", {"channels1": 4, "channels2": 8, "channels3": 12, "training_steps": 1000}),
    Measure("max_pooling", {"training_steps": 1000}, edits=((_CONV2, _pooled(_CONV2)), (_CONV3, _pooled(_CONV3)))),
)

_FEWER_SETTINGS = {"channels1": 4, "channels2": 8, "channels3": 12, "training_steps": 1000}
_FEWER = "side_runs.train(NOTEBOOK, channels1=4, channels2=8, channels3=12, training_steps=1000)"
_USUAL = "side_runs.train(NOTEBOOK, training_steps=1000)"


def read_loss(a: Answers) -> tuple[float, str]:
    fewer = a.side_run("fewer_run", _FEWER_SETTINGS, _FEWER)
    usual = a.side_run("usual_run", {"training_steps": 1000}, _USUAL)
    if fewer.seed != usual.seed:
        raise NotYet(f"`fewer_run` has seed {fewer.seed} and `usual_run` seed {usual.seed}: give both the same.")
    loss = usual.validation_accuracy - fewer.validation_accuracy
    return loss, (
        f"your side runs end at {fewer.validation_accuracy:.4f} with 4, 8 and 12 channels and "
        f"{usual.validation_accuracy:.4f} with 6, 12 and 24 (seed {fewer.seed}): {loss:+.4f} lost"
    )


def why_fewer(a: Answers, loss: float) -> str:
    return (
        "about a third of the convolutional weights and half of the dense layer's (its input is 7 x 7 x channels3) "
        "cost little: digits need few kinds of stroke detector"
    )


def _strides(op) -> int:
    return op.get_attr("strides")[1]


def max_pooling(a: Answers) -> str:
    logits = a.notebook("logits")
    ops = ancestors(logits)
    pools = [op for op in ops if op.type == "MaxPool"]
    convolutions = sorted((op for op in ops if op.type == "Conv2D"), key=lambda op: op.name)
    if not pools:
        raise NotAttempted(
            "the network has no max-pooling yet: give conv2 and conv3 a stride of 1 and follow "
            "each with tf.nn.max_pool2d."
        )
    strided = [op.name.split("/")[0] for op in convolutions if _strides(op) != 1]
    if strided:
        raise NotYet(f"{', '.join(strided)} still has a stride of 2: with max-pooling after it, the stride is 1.")
    if len(pools) != 2:
        raise NotYet(
            f"the network has {len(pools)} max-pooling operation(s); the exercise puts one after conv2 "
            f"and one after conv3."
        )
    return "conv2 and conv3 slide with a stride of 1, each followed by a 2 x 2 max-pooling"


def after_pooling(a: Answers, monitor) -> str:
    return (
        f"This run took {monitor.train_seconds:.1f} s of training: conv2 and conv3 now compute every position "
        f"before the pooling keeps a quarter of them, four times the arithmetic of a stride of 2 (time the "
        f"strided network's 1,000 steps on this machine with a side run, .monitor.train_seconds, to compare)."
    )


EXERCISES = (
    prediction(
        1,
        "fewer channels",
        predicted="predicted_loss",
        threshold=Threshold(
            NOTEBOOK,
            "own_1000",
            0.02,
            "the accuracy 4, 8 and 12 channels lose",
            ("more", "less"),
            baseline="fewer_channels",
        ),
        measure=read_loss,
        why=why_fewer,
        reads=("fewer_run", "usual_run"),
        hints=("Count the weights of conv1 to conv3 with 4, 8 and 12 channels, and compare with the table above.",),
        solution=f'predicted_loss = "less"\nfewer_run = {_FEWER}\nusual_run = {_USUAL}',
        expected=lambda: (
            f"{over_seeds(measured(NOTEBOOK, 'fewer_channels'))} with 4, 8 and 12 channels, against "
            f"{over_seeds(measured(NOTEBOOK, 'own_1000'))}."
        ),
        wrong_answers=(
            WrongAnswer("you predicted 'more'", f'predicted_loss = "more"\nfewer_run = {_FEWER}\nusual_run = {_USUAL}'),
        ),
    ),
    graph(
        2,
        "max-pooling instead of strides",
        max_pooling,
        reads=(),
        hints=(
            "In conv2 and conv3: strides=[1, 1, 1, 1], and wrap the ReLU's output in tf.nn.max_pool2d(..., ksize=2, "
            'strides=2, padding="SAME"). The shapes after each layer stay the same.',
        ),
        parameters={"training_steps": 1000},
        edits=((_CONV2, _pooled(_CONV2)), (_CONV3, _pooled(_CONV3))),
        against=AgainstRuns(NOTEBOOK, "max_pooling", "own_1000", "max-pooling", "strides"),
        after=after_pooling,
        wrong_answers=(
            WrongAnswer(
                "conv3 still has a stride of 2", parameters={"training_steps": 1000}, edits=((_CONV2, _pooled(_CONV2)),)
            ),
        ),
    ),
    code(
        3,
        "a feature map by hand",
        check_feature_map,
        reads=("my_feature_map", "session", "mnist", "X", "Y1", "W1", "b1"),
        hints=(
            "W1_values, b1_values = session.run([W1, b1]); the first validation image is "
            "mnist.validation.images[0, :, :, 0].",
            "SAME padding for a 6 x 6 filter adds 2 rows and columns of zeros before the image and 3 after; then "
            "each output value is one 6 x 6 patch times the filter, summed.",
        ),
        solution=(
            "W1_values, b1_values = session.run([W1, b1])\n"
            "padded = np.pad(mnist.validation.images[0, :, :, 0], ((2, 3), (2, 3)))\n"
            "sums = np.array([[np.sum(padded[r:r + 6, c:c + 6] * W1_values[:, :, 0, 0]) for c in range(28)]\n"
            "                 for r in range(28)])\n"
            "my_feature_map = np.maximum(sums + b1_values[0], 0)"
        ),
        wrong_answers=(
            WrongAnswer(
                "you flipped the filter",
                "W1_values, b1_values = session.run([W1, b1])\n"
                "padded = np.pad(mnist.validation.images[0, :, :, 0], ((2, 3), (2, 3)))\n"
                "kernel = W1_values[::-1, ::-1, 0, 0]\n"
                "sums = np.array([[np.sum(padded[r:r + 6, c:c + 6] * kernel) for c in range(28)] for r in range(28)])\n"
                "my_feature_map = np.maximum(sums + b1_values[0], 0)",
            ),
            WrongAnswer(
                "apply the ReLU",
                "W1_values, b1_values = session.run([W1, b1])\n"
                "padded = np.pad(mnist.validation.images[0, :, :, 0], ((2, 3), (2, 3)))\n"
                "my_feature_map = np.array([[np.sum(padded[r:r + 6, c:c + 6] * W1_values[:, :, 0, 0])\n"
                "                            for c in range(28)] for r in range(28)]) + b1_values[0]",
            ),
        ),
    ),
    code(
        4,
        "how much of the image a value sees",
        check_receptive_field,
        reads=("receptive_field", "logits"),
        hints=(
            "One value of conv1 sees a 6 x 6 patch. One value of conv2 sees 5 x 5 values of conv1, next to each "
            "other: how many pixels do they cover together?",
        ),
        solution="receptive_field = 1 + (6 - 1) * 1 + (5 - 1) * 1 + (4 - 1) * 2",
        wrong_answers=(
            WrongAnswer("adds the filter sizes", "receptive_field = 6 + 5 + 4"),
            WrongAnswer("counts pixels", "receptive_field = 16 * 16"),
        ),
    ),
    discussion(
        5,
        "without dropout",
        hints=(
            "The curves of training batches are measured on the network as it trains: with dropout on in the "
            "notebook's run. What would make the two runs' training figures comparable?",
        ),
        solution=(
            "Run the network without dropout on the side with the same seeds as with it (side_runs.train with "
            "keep_prob=1.0 and with the notebook's keep_prob, seeds=[1, 2, 3]) and compare the validation "
            "accuracies seed by seed (significance.compare_recipes): a difference whose interval contains 0 is not "
            "shown. The curves of training batches cannot show which network fits its training images more "
            "closely, since in the notebook's run they are measured with units dropped and without dropout they "
            "are not; a score of training images with keep = 1.0 in both runs could. Görner's comments give 0.9928 "
            "with dropout (best after 12,800 steps) and 0.9906 without (after 3,100), 22 of the 10,000 test images "
            "apart. Each is the highest of many test evaluations during one run, which picking the best biases "
            "upwards, and there is one run of each recipe: the series' method, a final score compared seed by "
            "seed over several seeds, cannot be applied to two such figures, so they do not say which recipe is "
            "better."
        ),
    ),
    discussion(
        6,
        "longer",
        hints=("A best-of-run figure is the highest of many test evaluations; a final figure is one.",),
        solution=(
            "longer = side_runs.train(NOTEBOOK, training_steps=6000, decay_steps=1800)\n"
            "print(longer.monitor.validation_steps[-4:], longer.monitor.validation_accuracy[-4:])\n"
            "If the curve is still climbing at the end, more steps may help; if it is flat, they cost time for "
            "nothing. One run is one seed: whether the longer recipe is better takes both recipes over seeds, "
            "compared seed by seed (significance.compare_recipes). Görner's 0.9928 cannot settle it: it is the "
            "best of many test evaluations during his run, which picking the best biases upwards, on other "
            "hardware with other seeds. A recipe chosen this way is scored on the test set once, at the end."
        ),
    ),
    discussion(
        7,
        "filters",
        hints=("Draw them with plotting.plot_filters(fewer_run.variables['conv1/W1']) after exercise 1.",),
        solution=(
            "Exercise 1's side run changed two things against the notebook's network, the channels and the length "
            "of training (1,000 steps instead of 3,000), so compare its filters with those of its partner, "
            "usual_run (the notebook's channels trained for 1,000 steps too): plotting.plot_filters("
            "usual_run.variables['conv1/W1']). Look at whether each filter picks out one orientation or mixes "
            "several."
        ),
    ),
)


def bind(namespace: dict) -> tuple[BoundExercise, ...]:
    """Notebook 8's exercises, bound to its variables: `exercise_1, ..., exercise_7 = bind(globals())`."""
    return bind_exercises(EXERCISES, namespace)
