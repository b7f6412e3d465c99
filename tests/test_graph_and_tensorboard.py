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
before = graph_picture.nodes_and_edges(tf.get_default_graph(), [namespace["cross_entropy"], namespace["Y"]])
after = graph_picture.nodes_and_edges(tf.get_default_graph(),
                                [namespace["train_step"], namespace["cross_entropy"], namespace["Y"]])
figure = graph_picture.plot_graph([namespace["train_step"], namespace["cross_entropy"], namespace["Y"]])
texts = [text.get_text() for text in figure.axes[0].texts]
under = {key: text for key, (_, _, text) in figure.graph_layout.labels.items()}
print(json.dumps({name: {"nodes": {k: list(v) for k, v in nodes.items()},
                         "edges": [[a, b, label] for (a, b), label in edges.items()]}
                  for name, (nodes, edges) in (("before", before), ("after", after))}
                 | {"texts": texts, "under": under}))
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
        "softmax_layer/\nW\n[784, 10]",
        "update\nW",
        "GradientDescent\n(train_step)",
        "[?, 10]",
    ):
        assert text in graph_of_01["texts"], f"the figure does not show {text!r}"
    for scope in ("softmax_layer", "loss"):  # each operation's box names its scope above it
        assert any(text.startswith(f"{scope}/\n") for text in graph_of_01["texts"]), scope
    assert ["loss/Mean", "gradients", "minimised"] in edges, "the loss that minimize() differentiates"


def test_every_operation_has_its_shape_written_under_it(graph_of_01):
    """01's text says each operation's shape is written under it: the softmax and the mean, which feed no
    other operation, had none."""
    operations = [key for key, node in graph_of_01["after"]["nodes"].items() if node[0] == "op"]
    assert sorted(graph_of_01["under"]) == sorted(operations)
    assert graph_of_01["under"]["softmax_layer/probabilities"] == "[?, 10]"
    assert graph_of_01["under"]["loss/Mean"] == "[]", "a scalar: the mean cross-entropy"


def test_the_legend_names_every_kind_of_box_and_of_edge_drawn(graph_of_01):
    """The dashed edge into the training step and the faint edges into the gradients had no legend entry."""
    for kind in ("placeholder", "variable", "op", "gradients", "update", "train"):
        assert graph_picture.KIND_NAMES[kind] in graph_of_01["texts"], kind
    for kind, (*_, text) in graph_picture.EDGE_STYLES.items():
        assert text in graph_of_01["texts"], kind


#: Builds each training notebook's graph with the notebook's own cells (imports, parameters, data, and
#: the cells from the last `tf.reset_default_graph()` before its picture), draws the picture as its
#: last picture cell does, and reports where everything went.
PICTURE_LAYOUTS = """
import json, sys
import nbformat
from matplotlib.backends.backend_agg import FigureCanvasAgg


def cells_for(path):
    cells = [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    picture = max(i for i, c in enumerate(cells) if "graph_picture.plot_graph(" in c.source)
    start = max(i for i in range(picture) if "tf.reset_default_graph()" in cells[i].source)
    setup = [c.source for c in cells[:start]
             if c.source.lstrip().startswith(("import ", "from ")) or "parameters" in c.metadata.get("tags", [])
             or "parameters.check(" in c.source or "read_data_sets(" in c.source]
    return setup + [c.source for c in cells[start:picture]], cells[picture].source


found = {}
for name, path in zip(sys.argv[1::2], sys.argv[2::2]):
    setup, picture = cells_for(path)
    namespace = {}
    for source in setup:
        exec(source, namespace)
    figure = eval(picture, namespace)
    layout = figure.graph_layout
    renderer = FigureCanvasAgg(figure).get_renderer()
    extents = [(text.get_text(), text.get_window_extent(renderer).extents.tolist())
               for text in figure.axes[0].texts if text.get_text()]
    found[name] = dict(
        width=layout.width,
        boxes=layout.boxes,
        paths=[[source, target, points] for (source, target), points in layout.paths.items()],
        pixels=(figure.get_size_inches() * figure.dpi).tolist(),
        texts=extents,
    )
print(json.dumps(found))
"""


@pytest.fixture(scope="module")
def picture_layouts():
    arguments = [str(part) for name in TRAINING_NOTEBOOKS for part in (name, catalog.find(name).path)]
    run = subprocess.run(
        [sys.executable, "-c", PICTURE_LAYOUTS, *arguments], capture_output=True, text=True, timeout=600, cwd=NOTEBOOKS
    )
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


def _crosses(start, end, box, margin=0.01):
    """Whether the segment from `start` to `end` passes through `box` (left, top, right, bottom), shrunk by
    `margin` so that touching its edge does not count (Liang-Barsky clipping)."""
    (x0, y0), (x1, y1) = start, end
    left, top, right, bottom = box[0] + margin, box[1] + margin, box[2] - margin, box[3] - margin
    low, high = 0.0, 1.0
    for direction, distance in (
        (x0 - x1, x0 - left),
        (x1 - x0, right - x0),
        (y0 - y1, y0 - top),
        (y1 - y0, bottom - y0),
    ):
        if direction == 0:
            if distance < 0:
                return False
        elif direction < 0:
            low = max(low, distance / direction)
        else:
            high = min(high, distance / direction)
    return low < high


def test_the_crossing_test_sees_a_segment_through_a_box():
    box = (1.0, 1.0, 2.0, 2.0)
    assert _crosses((0.0, 1.5), (3.0, 1.5), box) and _crosses((1.5, 0.0), (1.5, 1.2), box)
    assert not _crosses((0.0, 0.0), (3.0, 0.5), box) and not _crosses((0.0, 1.0), (0.0, 3.0), box)


@pytest.mark.parametrize("name", TRAINING_NOTEBOOKS)
def test_no_edge_of_a_graph_picture_passes_through_a_box_it_does_not_join(name, picture_layouts):
    layout = picture_layouts[name]
    for source, target, points in layout["paths"]:
        for key, box in layout["boxes"].items():
            if key in (source, target):
                continue
            for start, end in zip(points, points[1:]):
                assert not _crosses(start, end, box), f"{name}: the edge {source} -> {target} runs through {key}"


@pytest.mark.parametrize("name", TRAINING_NOTEBOOKS)
def test_a_graph_picture_is_no_wider_than_what_it_draws(name, picture_layouts):
    """A narrow graph (02, 03, 05, 06) was drawn on a picture at least 6 inches wide, its right half blank:
    the picture is as wide as the graph, or as its widest text (a legend entry, the title), and its margins."""
    layout = picture_layouts[name]
    width, _ = layout["pixels"]
    widest_text = max(x1 - x0 for _, (x0, _, x1, _) in layout["texts"])
    content = max(layout["width"] * 100, widest_text + 100 * graph_picture.drawing.LEGEND_SAMPLE + 20)
    assert width <= content + 31, f"{name}: {width:.0f} px wide for {content:.0f} px of graph and text"


@pytest.mark.parametrize("name", TRAINING_NOTEBOOKS)
def test_a_graph_picture_fits_a_page_and_its_texts_do_not_overlap(name, picture_layouts):
    layout = picture_layouts[name]
    width, height = layout["pixels"]
    assert width <= 1000 and height <= 1800, f"{name}: the picture is {width:.0f} x {height:.0f} px"
    texts = layout["texts"]
    for index, (text, (x0, y0, x1, y1)) in enumerate(texts):
        for other, (u0, v0, u1, v1) in texts[index + 1 :]:
            overlap = min(x1, u1) - max(x0, u0) > 0.5 and min(y1, v1) - max(y0, v0) > 0.5
            assert not overlap, f"{name}: {text!r} overlaps {other!r}"


def test_a_graph_wider_than_a_page_is_drawn_smaller_not_refused():
    """A learner's own network (here sixteen branches side by side) may not fit a page even by name
    scope: its picture is scaled down, text and all, to the page's width, and its texts stay apart."""
    import tensorflow.compat.v1 as tf
    from figure_checks import assert_no_texts_overlap

    from mnist_tutorial.plotting import MAX_WIDTH

    graph = tf.Graph()
    with graph.as_default():
        images = tf.placeholder(tf.float32, [None, 784], name="images")
        branches = []
        for k in range(16):
            with tf.name_scope(f"branch{k}"):
                weights = tf.Variable(tf.zeros([784, 10]), name=f"W{k}")
                branches.append(tf.matmul(images, weights))
        logits = tf.add_n(branches, name="logits")
    figure = graph_picture.plot_graph([logits], graph=graph, title="Sixteen branches")
    width, height = figure.get_size_inches()
    assert width == pytest.approx(MAX_WIDTH) and height > 0
    assert_no_texts_overlap(figure)
    assert min(text.get_fontsize() for text in figure.axes[0].texts) < graph_picture.FONT_SIZE


def _texts(layout):
    return [text for text, _ in layout["texts"]]


def test_the_pictures_draw_what_their_lessons_are_about(picture_layouts):
    summed = picture_layouts[catalog.find("five_layers_sigmoid").name]
    assert any(text.startswith("loss/\nSum") for text in _texts(summed)), "03 minimises the summed loss"
    assert "minimised" in _texts(summed)
    for slug in ("vanishing_gradients", "dropout", "convolutional", "batch_norm"):
        texts = _texts(picture_layouts[catalog.find(slug).name])
        assert any("+ m, v for each" in text for text in texts), f"{slug}: Adam's slots"
    for slug, scopes in (
        ("convolutional", ("conv1", "conv2", "conv3", "dense_layer", "output_layer")),
        ("batch_norm", ("conv2", "conv3", "dense_layer", "output_layer")),
    ):  # drawn one box per name scope, each listing its variables
        texts = _texts(picture_layouts[catalog.find(slug).name])
        for scope in scopes:
            assert any(text.startswith(f"{scope}\n") and "[" in text for text in texts), f"{slug}: {scope}"
    inside = _texts(picture_layouts[catalog.find("batch_norm").name])  # the batch normalisation, expanded
    for operation in ("moments", "moving_averages", "batchnorm", "cond"):
        assert any(text.startswith("conv1/\n") and operation in text.replace("\n", "") for text in inside), operation
    dropout = _texts(picture_layouts[catalog.find("dropout").name])
    assert any(text.startswith("layer1/\n") and "dropout" in text for text in dropout), "07's dropout, expanded"
    for moving in ("conv1/\nmoving_mean\n[12]", "conv1/\nmoving_variance\n[12]"):  # not coloured as learned
        assert moving in inside
    assert graph_picture.KIND_NAMES["untrained"] in inside
    assert any(text.startswith("conv2\n") and "not trained: moving_mean" in text for text in inside)


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


@pytest.mark.parametrize(
    "name",
    [  # part two's quick runs are made in `make test`, not in the inner loop
        pytest.param(name, marks=pytest.mark.slow) if catalog.find(name).part != catalog.PART_ONE else name
        for name in TRAINING_NOTEBOOKS
    ],
)
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
    nodes, edges = graph_picture.nodes_and_edges(graph, [step])
    assert {"images", "layer/W", "layer/average", "layer/MatMul", "layer/moving_averages"} <= set(nodes)
    assert ("layer/MatMul", "layer/moving_averages") in edges
    assert ("layer/average", "layer/moving_averages") in edges
    assert [key for key, node in nodes.items() if node.kind == "train"] == ["GradientDescent"]


def test_variables_that_are_not_trained_are_drawn_apart_from_the_learned_ones():
    """Batch normalisation's moving averages change by assignment, not by the optimizer: coloured as learned
    variables, they read as weights the network learns."""
    import tensorflow.compat.v1 as tf

    with tf.Graph().as_default() as graph:
        images = tf.placeholder(tf.float32, [None, 3], name="images")
        with tf.name_scope("layer"):
            W = tf.Variable(tf.ones([3, 2]), name="W")
            average = tf.Variable(tf.zeros([2]), trainable=False, name="average")
            Z = tf.matmul(images, W)
            update = tf.assign(average, 0.9 * average + 0.1 * tf.reduce_mean(Z, 0))
        with tf.control_dependencies([update]):
            step = tf.train.GradientDescentOptimizer(0.1).minimize(tf.reduce_sum(Z))
    nodes, edges = graph_picture.nodes_and_edges(graph, [step])
    assert nodes["layer/W"].kind == "variable" and nodes["layer/average"].kind == "untrained"
    collapsed, _ = graph_picture.by_scope(nodes, edges)
    assert collapsed["layer"].label.splitlines()[1:3] == ["W [3, 2]", "not trained: average [2]"]


def test_minimize_in_a_name_scope_is_read_as_minimize_anywhere():
    """A learner who wraps `minimize()` in a name scope ("train/gradients/...") got a picture without its
    gradients' box, its training step drawn as a layer's operation and Adam's counters shown; the picture
    and the exercises' checks read what minimize() built with one reader."""
    import tensorflow.compat.v1 as tf

    from mnist_tutorial import exercises

    with tf.Graph().as_default() as graph:
        images = tf.placeholder(tf.float32, [None, 3], name="images")
        with tf.name_scope("layer"):
            W = tf.Variable(tf.ones([3, 2]), name="W")
            Z = tf.matmul(images, W)
        with tf.name_scope("loss"):
            loss = tf.reduce_mean(Z)
        with tf.name_scope("train"):
            step = tf.train.AdamOptimizer(0.1).minimize(loss)
    nodes, edges = graph_picture.nodes_and_edges(graph, [step])
    assert {key: node.kind for key, node in nodes.items()} == {
        "images": "placeholder",
        "layer/W": "variable",
        "layer/MatMul": "op",
        "loss/Mean": "op",
        "train/gradients": "gradients",
        "train/Adam/update_layer/W": "update",
        "train/Adam": "train",
    }
    assert edges["loss/Mean", "train/gradients"] == "minimised"
    assert nodes["train/Adam/update_layer/W"].label == "update\nW\n+ m, v"
    assert exercises.minimised(step) is loss and graph_picture.minimised(step) is loss
    assert "loss/Mean" in exercises.differentiated(step) and "layer/MatMul" in exercises.differentiated(step)
    figure = graph_picture.plot_graph([step], graph=graph)
    assert "gradients\n(22 operations)" in [text.get_text() for text in figure.axes[0].texts]


def test_two_loggers_of_one_model_share_their_tags(output_dir):
    """Notebook 7 trains one graph twice: the second run's curves must carry the same tags as the
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


def test_a_run_folder_taken_between_the_check_and_the_mkdir_is_not_an_error(output_dir, monkeypatch):
    """38 of 1,200 concurrent run_folder calls raised FileExistsError: a name was checked free, then another
    run made it before this one's mkdir. Here another run makes each name just before this one does."""
    from pathlib import Path

    from mnist_tutorial import tensorboard_logs

    mkdir = Path.mkdir
    taken = []

    def another_run_first(self, *args, **kwargs):
        if self.parent.name == "01_softmax" and self.name not in taken and len(taken) < 2:
            taken.append(self.name)
            mkdir(self, parents=True)  # the other run's folder
        return mkdir(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", another_run_first)
    folder = tensorboard_logs.run_folder("01_softmax")
    assert folder.name == f"{taken[0]}_3" and taken[1] == f"{taken[0]}_2"
    assert sorted(p.name for p in folder.parent.iterdir()) == sorted([*taken, folder.name])


def test_run_folders_made_at_once_are_all_different(output_dir):
    from concurrent.futures import ThreadPoolExecutor

    from mnist_tutorial import tensorboard_logs

    with ThreadPoolExecutor(max_workers=8) as pool:
        folders = list(pool.map(lambda _: tensorboard_logs.run_folder("01_softmax", "race"), range(200)))
    assert len(set(folders)) == 200 and all(folder.is_dir() for folder in folders)
