"""The pictures of the graph, and the TensorBoard logs every training notebook writes."""

import json
import subprocess
import sys

import pytest

from mnist_tutorial import catalog, graph_picture

from notebook_runs import NOTEBOOKS, TRAINING_NOTEBOOKS, committed

#: Runs notebook 1's own cells up to `minimize()` and prints what its graph picture holds.
STRUCTURE_OF_01 = """
import json, sys
import nbformat
cells = [c.source for c in nbformat.read(sys.argv[1], as_version=4).cells if c.cell_type == "code"]
namespace = {}
for source in cells:
    if "plot_" in source:
        continue  # figures: not needed for the graph
    exec(source, namespace)
    if "minimize(" in source:
        break
from mnist_tutorial import graph_picture
tf = namespace["tf"]
before = graph_picture.structure(tf.get_default_graph(), [namespace["cross_entropy"], namespace["Y"]])
after = graph_picture.structure(tf.get_default_graph(),
                                [namespace["train_step"], namespace["cross_entropy"], namespace["Y"]])
figure = graph_picture.plot_graph([namespace["train_step"], namespace["cross_entropy"], namespace["Y"]])
texts = [text.get_text() for text in figure.axes[0].texts]
print(json.dumps({name: {"nodes": {k: list(v) for k, v in nodes.items()},
                         "edges": [[a, b, label] for (a, b), label in edges.items()]}
                  for name, (nodes, edges) in (("before", before), ("after", after))} | {"texts": texts}))
"""


@pytest.fixture(scope="module")
def graph_of_01():
    run = subprocess.run(
        [sys.executable, "-c", STRUCTURE_OF_01, str(catalog.find("softmax").path)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=NOTEBOOKS,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


MODEL = {
    "images": "placeholder",
    "labels": "placeholder",
    "softmax_layer/W": "variable",
    "softmax_layer/b": "variable",
    "softmax_layer/MatMul": "op",
    "softmax_layer/add": "op",
    "softmax_layer/probabilities": "op",
    "loss/softmax_cross_entropy_with_logits": "op",
    "loss/Mean": "op",
}
MINIMIZE = {
    "gradients": "gradients",
    "GradientDescent/update_softmax_layer/W": "update",
    "GradientDescent/update_softmax_layer/b": "update",
    "GradientDescent": "train",
}


def test_the_picture_before_minimize_holds_the_model_and_the_loss(graph_of_01):
    nodes, edges = graph_of_01["before"]["nodes"], graph_of_01["before"]["edges"]
    assert {key: node[0] for key, node in nodes.items()} == MODEL
    assert {node[2] for node in nodes.values()} == {None, "softmax_layer", "loss"}, "grouped by name scope"
    for edge in (
        ["images", "softmax_layer/MatMul", "[?, 784]"],
        ["softmax_layer/W", "softmax_layer/MatMul", "[784, 10]"],
        ["softmax_layer/b", "softmax_layer/add", "[10]"],
        ["softmax_layer/add", "loss/softmax_cross_entropy_with_logits", "[?, 10]"],
        ["labels", "loss/softmax_cross_entropy_with_logits", "[?, 10]"],
    ):
        assert edge in edges


def test_the_picture_after_minimize_adds_the_gradients_and_one_update_per_variable(graph_of_01):
    nodes, edges = graph_of_01["after"]["nodes"], graph_of_01["after"]["edges"]
    assert {key: node[0] for key, node in nodes.items()} == MODEL | MINIMIZE
    assert nodes["gradients"][1].startswith("gradients\n(") and "operations)" in nodes["gradients"][1]
    for edge in (
        ["gradients", "GradientDescent/update_softmax_layer/W", "[784, 10]"],
        ["gradients", "GradientDescent/update_softmax_layer/b", "[10]"],
        ["softmax_layer/W", "GradientDescent/update_softmax_layer/W", "[784, 10]"],
        ["GradientDescent/update_softmax_layer/W", "GradientDescent", ""],
        ["GradientDescent/update_softmax_layer/b", "GradientDescent", ""],
    ):
        assert edge in edges
    into_gradients = {a for a, b, _ in edges if b == "gradients"}
    assert {"images", "softmax_layer/W", "loss/softmax_cross_entropy_with_logits"} <= into_gradients
    for text in (
        "images\n[?, 784]",
        "W\n[784, 10]",
        "update\nW",
        "GradientDescent\n(train_step)",
        "[?, 784]",
        "softmax_layer",
        "loss",
        "GradientDescent",
    ):
        assert text in graph_of_01["texts"], f"the figure does not show {text!r}"


@pytest.mark.parametrize("name", TRAINING_NOTEBOOKS)
def test_every_training_notebook_shows_its_graph(name):
    calls = [c for c in committed(name).cells if c.cell_type == "code" and "graph_picture.plot_graph(" in c.source]
    assert len(calls) == (2 if name == catalog.find("softmax").name else 1), "01 draws it before and after minimize()"
    assert all(any("image/png" in o.get("data", {}) for o in c.outputs) for c in calls)


def _events(folder):
    import tensorflow.compat.v1 as tf

    tags, has_graph = set(), False
    for path in folder.glob("events.out.tfevents.*"):
        for event in tf.train.summary_iterator(str(path)):
            has_graph |= bool(event.graph_def)
            tags |= {value.tag for value in event.summary.value}
    return tags, has_graph


@pytest.mark.parametrize("name", TRAINING_NOTEBOOKS)
def test_every_training_notebook_writes_tensorboard_logs(name, quick_runs):
    _, outputs = quick_runs
    runs = list((outputs / "runs" / "tensorboard" / name).iterdir())
    assert len(runs) == catalog.find(name).training_runs, "one run folder per training run"
    if name == catalog.find("dropout").name:  # two runs in one execution: their folders say which is which
        assert sorted(run.name.split("_", 2)[2] for run in runs) == ["dropout", "without_dropout"]
    for run in runs:  # every run's curves carry the same tags, so TensorBoard draws them together
        train_tags, train_graph = _events(run / "train")
        validation_tags, _ = _events(run / "validation")
        assert {"summaries/accuracy", "summaries/cross_entropy"} <= validation_tags, run.name
        assert {"summaries/accuracy", "summaries/cross_entropy"} <= train_tags, run.name
        assert len(train_tags) >= 4, f"{run.name}: histograms of the weights are missing: {train_tags}"
        assert train_graph, f"{run.name}: the training writer records the graph"


def test_assignments_inside_the_model_are_drawn_not_hidden_as_initialisers():
    """Batch normalisation's moving averages are updated by assignments in the layer's scope; the
    picture keeps them (and what feeds them), and only the optimizer's step is the training step."""
    import tensorflow.compat.v1 as tf

    with tf.Graph().as_default() as graph:
        images = tf.placeholder(tf.float32, [None, 3], name="images")
        with tf.name_scope("layer"):
            W = tf.Variable(tf.ones([3, 2]), name="W")
            average = tf.Variable(tf.zeros([2]), trainable=False, name="average")
            Z = tf.matmul(images, W)
            with tf.name_scope("moving_averages"):
                update = tf.group(tf.assign(average, 0.9 * average + 0.1 * tf.reduce_mean(Z, 0)))
        with tf.control_dependencies([update]):
            step = tf.train.GradientDescentOptimizer(0.1).minimize(tf.reduce_sum(Z))
    nodes, edges = graph_picture.structure(graph, [step])
    assert {"images", "layer/W", "layer/average", "layer/MatMul", "layer/moving_averages"} <= set(nodes)
    assert ("layer/MatMul", "layer/moving_averages") in edges
    assert ("layer/average", "layer/moving_averages") in edges
    assert [key for key, node in nodes.items() if node.kind == "train"] == ["GradientDescent"]


def test_two_loggers_of_one_model_share_their_tags(output_dir):
    """Notebook 6 trains one graph twice: the second run's curves must carry the same tags as the
    first's (not `summaries_1/...`), or TensorBoard draws them on separate charts."""
    import tensorflow.compat.v1 as tf

    from mnist_tutorial import tensorboard_logs

    with tf.Graph().as_default():
        images = tf.placeholder(tf.float32, [None, 3])
        W = tf.Variable(tf.ones([3, 2]), name="W")
        accuracy = tf.reduce_mean(tf.matmul(images, W))
        cross_entropy = tf.reduce_sum(W)
        loggers = [
            tensorboard_logs.SummaryLogger("test", accuracy, cross_entropy, [W], 10, label=label)
            for label in ("first", "second")
        ]
        other = tensorboard_logs.SummaryLogger("test", cross_entropy, accuracy, [W], 10, label="other")
        with tf.Session() as session:
            session.run(tf.global_variables_initializer())
            for logger in loggers + [other]:
                logger.evaluate(session, 10, {images: [[1, 2, 3]]}, {images: [[3, 2, 1]]})
                logger.close()
    assert loggers[0].all_summaries is loggers[1].all_summaries
    assert other.all_summaries is not loggers[0].all_summaries, "other tensors get summaries of their own"
    for logger in loggers:
        train_tags, _ = _events(logger.folder / "train")
        validation_tags, _ = _events(logger.folder / "validation")
        assert {"summaries/accuracy", "summaries/cross_entropy", "summaries/W"} <= train_tags, logger.folder
        assert validation_tags == {"summaries/accuracy", "summaries/cross_entropy"}, logger.folder
    assert {folder.name.split("_", 2)[2] for folder in (output_dir / "runs/tensorboard/test").iterdir()} == {
        "first",
        "second",
        "other",
    }
