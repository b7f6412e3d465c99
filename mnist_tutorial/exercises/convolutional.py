"""The exercises of notebook 8, the convolutional network (see `mnist_tutorial.exercises`)."""

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
    ancestors,
    judge,
    over_seeds,
)
from . import bind as bind_exercises

#: The final validation accuracy after 1,000 steps, by seed: the notebook's channels, 6, 12 and 24
#: (`mnist-sweep 08 training_steps=1000 --seeds 3`), Görner's first script's, 4, 8 and 12 (`mnist-sweep 08
#: channels1=4 channels2=8 channels3=12 training_steps=1000 --seeds 3`), and max-pooling instead of strides
#: (a copy of the notebook with exercise 2's solution, run with seeds 1-3 and training_steps = 1000).
CHANNELS_6_12_24 = {1: 0.9866, 2: 0.9876, 3: 0.988}
CHANNELS_4_8_12 = {1: 0.9836, 2: 0.9846, 3: 0.9824}
MAX_POOLING = {1: 0.9878, 2: 0.989, 3: 0.9882}
#: Exercise 1's line between "more" and "less": one point of validation accuracy.
ONE_POINT = 0.01
#: Runs closer than this are level.
LEVEL = 0.002
#: The notebook's settings that the measurements above used, and its network's variables.
NOTEBOOK_SETTINGS = {
    "learning_rate": 0.003,
    "final_learning_rate": 0.0001,
    "decay_steps": 900,
    "batch_size": 100,
    "channels1": 6,
    "channels2": 12,
    "channels3": 24,
    "hidden_units": 200,
    "keep_prob": 0.75,
}
NETWORK = {
    f"{scope}/{name}{k}"
    for k, scope in enumerate(["conv1", "conv2", "conv3", "dense_layer", "output_layer"], 1)
    for name in ("W", "b")
}


def check_fewer_channels(a: Answers) -> str:
    predicted = a.choice("predicted_loss", ("more", "less"))
    wanted = {"channels1": 4, "channels2": 8, "channels3": 12, "training_steps": 1000}
    measured = a.run_with(
        wanted, NOTEBOOK_SETTINGS, NETWORK, f"you predicted {predicted!r}; now "
    ).final_validation_accuracy
    full, which = a.seed_matched(CHANNELS_6_12_24)
    loss = full - measured
    side = "more" if loss > ONE_POINT else "less"
    why = (
        f"with 4, 8 and 12 channels the run ends at {measured:.4f}, with 6, 12 and 24 at {full:.4f} ({which}): "
        f"{loss:+.4f} lost, {side} than one point, for about a third of the convolutional weights and half of "
        f"the dense layer's (its input is 7 x 7 x channels3)"
        f" (4, 8 and 12 channels give {over_seeds(CHANNELS_4_8_12)}; 6, 12 and 24 {over_seeds(CHANNELS_6_12_24)})"
    )
    return judge(predicted, side, why)


def _strides(op) -> int:
    return op.get_attr("strides")[1]


def check_max_pooling(a: Answers) -> str:
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
    monitor = a.run_with({"training_steps": 1000}, NOTEBOOK_SETTINGS, NETWORK)
    strided_run, which = a.seed_matched(CHANNELS_6_12_24)
    measured = monitor.final_validation_accuracy
    relation = (
        "above" if measured > strided_run + LEVEL else ("below" if measured < strided_run - LEVEL else "level with")
    )
    return (
        f"with max-pooling the run ends at {measured:.4f} after 1,000 steps, {relation} the strided network's "
        f"{strided_run:.4f} ({which}). The pooled network gives {over_seeds(MAX_POOLING)}, the strided "
        f"{over_seeds(CHANNELS_6_12_24)}. Each step costs more: conv2 and conv3 now compute every position before "
        f"the pooling keeps a quarter of them (this run took {monitor.train_seconds:.1f} s of training; set "
        f"training_steps = 1000 alone, without the pooling, to time the strided network on this machine)."
    )


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


EXERCISES = (
    Exercise(
        1,
        "fewer channels",
        PREDICT,
        check_fewer_channels,
        hints=("Count the weights of conv1 to conv3 with 4, 8 and 12 channels, and compare with the table above.",),
        solution='predicted_loss = "less"',
        parameters={"channels1": 4, "channels2": 8, "channels3": 12, "training_steps": 1000},
        expected=f"{over_seeds(CHANNELS_4_8_12)} with 4, 8 and 12 channels, against {over_seeds(CHANNELS_6_12_24)}.",
        wrong_answers=(
            WrongAnswer(
                "you predicted 'more'",
                'predicted_loss = "more"',
                {"channels1": 4, "channels2": 8, "channels3": 12, "training_steps": 1000},
            ),
        ),
    ),
    Exercise(
        2,
        "max-pooling instead of strides",
        TRAIN,
        check_max_pooling,
        hints=(
            "In conv2 and conv3: strides=[1, 1, 1, 1], and wrap the ReLU's output in tf.nn.max_pool2d(..., ksize=2, "
            'strides=2, padding="SAME"). The shapes after each layer stay the same.',
        ),
        solution="",
        parameters={"training_steps": 1000},
        edits=((_CONV2, _pooled(_CONV2)), (_CONV3, _pooled(_CONV3))),
        expected=f"{over_seeds(MAX_POOLING)} with max-pooling, against {over_seeds(CHANNELS_6_12_24)} with strides.",
        wrong_answers=(
            WrongAnswer(
                "conv3 still has a stride of 2", parameters={"training_steps": 1000}, edits=((_CONV2, _pooled(_CONV2)),)
            ),
        ),
    ),
    Exercise(
        3,
        "a feature map by hand",
        CODE,
        check_feature_map,
        hints=(
            "W1_values, b1_values = session.run([W1, b1]); the first validation image is "
            "mnist.validation.images[0, :, :, 0].",
            "np.pad(image, ((2, 3), (2, 3))) makes it 33 x 33; then, for each row r and column c, "
            "np.sum(padded[r:r + 6, c:c + 6] * W1_values[:, :, 0, 0]) + b1_values[0], and np.maximum(..., 0).",
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
    Exercise(
        4,
        "how much of the image a value sees",
        CODE,
        check_receptive_field,
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
    Exercise(
        5,
        "without dropout",
        DISCUSSION,
        None,
        hints=(
            "Compare your final validation accuracy with the notebook's and with the spread over seeds printed above.",
        ),
        solution=(
            "One run without dropout against one with it: a difference smaller than about twice the spread over "
            "seeds printed above can be the seed. The notebook's curves of training batches are measured with "
            "dropout on in the notebook's run and off in yours, so they cannot show which network fits its "
            "training images more closely; a score of training images with keep = 1.0 in both runs could. "
            "Görner's two figures are best-of-run test accuracies, a few test images apart."
        ),
    ),
    Exercise(
        6,
        "longer",
        DISCUSSION,
        None,
        hints=("A best-of-run figure is the highest of many test evaluations; a final figure is one.",),
        solution=(
            "Whatever the run gives, the two figures are of different kinds: a single test score at the end of a "
            "run sits below the best of many test evaluations, which is biased upwards by picking the best. Look at "
            "the validation curve to see whether the longer run still gains; the one test score only reports the "
            "result."
        ),
    ),
    Exercise(
        7,
        "filters",
        DISCUSSION,
        None,
        hints=("Draw them with plotting.plot_filters(session.run(W1)) after exercise 1's run.",),
        solution=(
            "Exercise 1's run changed two things, the channels and the length of training (1,000 steps instead of "
            "3,000), so what you see in its filters cannot be put down to the channel count alone. To see the "
            "channels' part, compare with the notebook's channels trained for 1,000 steps too (training_steps = "
            "1000 alone). Look at whether each filter picks out one orientation or mixes several."
        ),
    ),
)


def bind(namespace: dict) -> tuple[BoundExercise, ...]:
    """Notebook 8's exercises, bound to its variables: `exercise_1, ..., exercise_7 = bind(globals())`."""
    return bind_exercises(EXERCISES, namespace)
