"""How IPython shows the package's figures: only once a notebook asks, with `plotting.use_compact_png()`.

The IPython checks run in a fresh Python process, with a fresh `InteractiveShell`, so that what
they register never reaches the other tests (or is hidden by what those registered).
"""

import ast
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import numpy as np
import pytest

from mnist_tutorial import paths, plotting

PACKAGE_PARENT = str(Path(plotting.__file__).resolve().parents[2])  # mnist_tutorial/plotting/__init__.py

PRELUDE = """
import base64, io, json
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output
from matplotlib.figure import Figure
from PIL import Image

shell = InteractiveShell.instance()

def figure_formatters():
    return sorted(mime for mime, formatter in shell.display_formatter.formatters.items()
                  if Figure in formatter.type_printers or "matplotlib.figure.Figure" in
                  {f"{module}.{name}" for module, name in formatter.deferred_printers})

def png_modes(outputs):  # the colour mode of each PNG in format data dicts or captured rich outputs
    found = [getattr(output, "data", output).get("image/png") for output in outputs]
    return [Image.open(io.BytesIO(png if isinstance(png, bytes) else base64.b64decode(png))).mode
            for png in found if png is not None]
"""


def _in_fresh_shell(code):
    """Run `code` after PRELUDE in a new Python process; return what it printed, as JSON."""
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [PACKAGE_PARENT, os.environ.get("PYTHONPATH")])),
    }
    run = subprocess.run(
        [sys.executable, "-c", PRELUDE + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


def test_importing_plotting_or_the_monitor_registers_no_figure_formatter():
    found = _in_fresh_shell("""
        before = figure_formatters()
        shell.run_cell("import mnist_tutorial.plotting, mnist_tutorial.training", store_history=False)
        after = figure_formatters()
        data, _ = shell.display_formatter.format(Figure())
        print(json.dumps({"before": before, "after": after, "shown as": sorted(data)}))
    """)
    assert found == {"before": [], "after": [], "shown as": ["text/plain"]}


def test_after_use_compact_png_figures_and_the_monitors_show_as_palette_pngs_until_undone():
    found = _in_fresh_shell("""
        from mnist_tutorial import plotting
        from mnist_tutorial.training import TrainingMonitor

        plotting.use_compact_png()
        plotting.use_compact_png()  # a second call changes nothing
        registered = figure_formatters()
        cell = shell.run_cell("from mnist_tutorial import plotting; plotting.plot_digits([[0.5] * 784] * 3)",
                              store_history=False)
        shown, _ = shell.display_formatter.format(cell.result)  # what Jupyter shows of the cell's last line
        with capture_output() as monitor_shown:
            now = [0.0]
            monitor = TrainingMonitor(20, clock=lambda: now[0])  # a slow run: its live figure is drawn
            for step in range(1, 21):
                now[0] += 10.0
                monitor.record_train(step, 0.9, 0.3)
                if step % 10 == 0:
                    monitor.record_validation(step, 0.9, 0.35)
            monitor.finish()
        plotting.use_compact_png(False)
        undone = figure_formatters()
        print(json.dumps({"registered": registered, "cell": png_modes([shown]),
                          "monitor": sorted(set(png_modes(monitor_shown.outputs))), "undone": undone}))
    """)
    assert found == {"registered": ["image/png"], "cell": ["P"], "monitor": ["P"], "undone": []}


def test_use_compact_png_false_puts_back_the_formatter_it_replaced():
    found = _in_fresh_shell("""
        from mnist_tutorial import plotting

        png = shell.display_formatter.formatters["image/png"]
        def earlier(fig):
            return b"earlier"
        png.for_type(Figure, earlier)
        plotting.use_compact_png()
        replaced = png.type_printers[Figure] is not earlier
        plotting.use_compact_png(False)
        print(json.dumps({"replaced": replaced, "restored": png.type_printers[Figure] is earlier}))
    """)
    assert found == {"replaced": True, "restored": True}


def test_outside_ipython_use_compact_png_does_nothing():
    from IPython import get_ipython

    assert get_ipython() is None, "this test runs outside IPython"
    assert plotting.use_compact_png() is None


def _imports_plotting(tree):
    return any(
        isinstance(node, ast.ImportFrom)
        and node.module == "mnist_tutorial"
        and any(alias.name == "plotting" for alias in node.names)
        or isinstance(node, ast.Import)
        and any(alias.name == "mnist_tutorial.plotting" for alias in node.names)
        for node in ast.walk(tree)
    )


def _calls_use_compact_png(tree):
    return sum(
        isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "use_compact_png"
        for node in ast.walk(tree)
    )


NOTEBOOKS = sorted((paths.REPO_ROOT / "notebooks").glob("[0-9]*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_every_notebook_that_imports_plotting_calls_use_compact_png_once_where_it_imports_it(path):
    cells = [cell for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code"]
    trees = [ast.parse(cell.source) for cell in cells]
    importing = [index for index, tree in enumerate(trees) if _imports_plotting(tree)]
    calling = [index for index, tree in enumerate(trees) for _ in range(_calls_use_compact_png(tree))]
    if not importing:
        assert not calling
        return
    assert calling == importing[:1], (
        f"cells {importing} import plotting and cells {calling} call "
        f"plotting.use_compact_png(): call it once, in the first cell that imports it"
    )


def test_accuracy_curves_over_whole_steps_tick_only_those_steps():
    """A stroke change of -1, 0, 1, 2 pixels has no step -0.5: the axis ticks the steps measured."""
    figure = plotting.plot_accuracy_curves(
        [
            dict(title="Strokes", xlabel="pixels", x=[-1, 0, 1, 2], curves={"net": [0.5, 0.9, 0.8, 0.4]}),
            dict(title="Size", xlabel="fraction", x=[1.0, 0.8, 0.6], curves={"net": [0.9, 0.5, 0.2]}),
        ]
    )
    strokes, size = figure.axes[:2]
    assert list(strokes.get_xticks()) == [-1, 0, 1, 2]
    assert any(not float(tick).is_integer() for tick in size.get_xticks()), "fractions keep matplotlib's ticks"


def test_the_legend_says_which_panels_share_a_range_of_accuracy():
    """Without a prepared row every panel has its own y range; with one, each column shares one."""
    panel = dict(title="Moved", xlabel="pixels", x=[0, 1, 2], curves={"net": [0.99, 0.9, 0.6]})
    alone = plotting.plot_accuracy_curves([panel, dict(panel, title="Turned")])
    assert alone.legends[0].get_title().get_text() == "each panel spans its own range of accuracy"
    prepared = plotting.plot_accuracy_curves([dict(panel, prepared={"net": [0.99, 0.98, 0.97]})])
    assert prepared.legends[0].get_title().get_text() == "each column of panels spans its own range of accuracy"
    fixed = plotting.plot_accuracy_curves([panel], ylim=(0, 1))
    assert fixed.legends[0].get_title().get_text() == ""


def test_weight_snapshots_give_every_row_its_own_colour_bar_and_draw_no_blank_row():
    """Weights after 1 step are ~1,000 times smaller than after 3,000: on one shared scale the early rows
    were blank. Each row (weights, or a change since the snapshot before) gets its own scale and bar."""
    rng = np.random.default_rng(0)
    start = np.zeros((784, 10))
    after_1 = 0.009 * rng.standard_normal((784, 10))
    after_2 = after_1 + 0.009 * rng.standard_normal((784, 10))
    after_3000 = 0.4 * rng.standard_normal((784, 10))
    figure = plotting.plot_weight_snapshots([start, after_1, after_2, after_3000], [0, 1, 2, 3000])
    images = [ax for ax in figure.axes if ax.images and ax.get_label() != "<colorbar>"]
    bars = [ax for ax in figure.axes if ax.get_label() == "<colorbar>"]
    # After the all-zero start the change is the weights themselves: no change row for step 1.
    labels = [images[row * 10].get_ylabel() for row in range(len(images) // 10)]
    assert labels == [
        "after step 1",
        "after step 2",
        "change, steps\n1 to 2",
        "after step 3,000",
        "change, steps\n2 to 3,000",
    ]
    assert len(bars) == len(labels)
    for row in range(len(labels)):
        rows_images = [ax.images[0] for ax in images[row * 10 : row * 10 + 10]]
        low, high = rows_images[0].get_clim()
        assert {image.get_clim() for image in rows_images} == {(low, high)} and low == -high
        largest = max(float(np.abs(image.get_array()).max()) for image in rows_images)
        assert largest == pytest.approx(high), f"row {labels[row]!r} uses only part of its colour scale"
    assert figure.get_size_inches()[0] * figure.dpi <= 1000


def test_weight_snapshots_refuse_a_snapshot_count_that_does_not_match_the_steps():
    with pytest.raises(ValueError, match="one snapshot per step"):
        plotting.plot_weight_snapshots([np.zeros((784, 10))] * 3, [0, 1])


def _monitor(steps=3000, batch=200, interval=250, final=0.925, start=0.1, dip=None, seed=0):
    """A finished run shaped like a notebook's: each batch's accuracy a count out of `batch` images around a
    trend that rises from `start` to `final`; the validation set measured every `interval` steps, its point
    at step `dip[0]` at `dip[1]` (a run whose early evaluation the text talks about)."""
    from mnist_tutorial.training import TrainingMonitor

    rng = np.random.default_rng(seed)
    monitor = TrainingMonitor(steps, live=False)
    for step in range(1, steps + 1):
        trend = final - (final - start) * np.exp(-step / (steps / 40))
        accuracy = rng.binomial(batch, trend) / batch
        monitor.record_train(step, accuracy, -np.log(max(trend, 1e-3)) * rng.uniform(0.6, 1.4))
        if step % interval == 0 or step == steps:
            measured = dip[1] if dip is not None and step == dip[0] else trend - 0.003
            monitor.record_validation(step, measured, -np.log(measured) * 1.1)
    monitor.finish()
    monitor.record_test(final - 0.004, -np.log(final - 0.004) * 1.1)
    return monitor


#: The training runs of the notebooks, in their shapes: steps, batch size, evaluation interval, where they end;
#: 09's first validation point below the training curve and 10's dip at step 500, which their texts discuss.
RUNS = {
    "01": dict(steps=3000, batch=200, interval=250, final=0.925),
    "02": dict(steps=20000, batch=50, interval=500, final=0.96),
    "04": dict(steps=1000, batch=100, interval=250, final=0.965),
    "09": dict(steps=2500, batch=100, interval=500, final=0.993, dip=(500, 0.977)),
    "10": dict(steps=2000, batch=100, interval=500, final=0.992, dip=(500, 0.91)),
    "11": dict(steps=20000, batch=50, interval=1000, final=0.978),
}


def _live_figure(**run):
    """The figure the live view draws during training, as its display receives it."""
    from mnist_tutorial.live_view import LiveView, Progress

    shown = []

    class Handle:
        def update(self, obj):
            shown.append(obj)

    def display(obj, display_id=True):
        shown.append(obj)
        return Handle()

    monitor = _monitor(**run)
    LiveView(display=display).show(Progress(3000, 3000, 30.0, monitor.train_accuracy), monitor, final=True)
    return shown[-1]


def _weights(units, seed=0, strong=0):
    """Weights as a trained layer's: most small, and `strong` of them about 2.4 (notebook 02's few)."""
    rng = np.random.default_rng(seed)
    weights = rng.normal(0, 0.05, (784, units))
    weights[rng.integers(0, 784, strong), rng.integers(0, units, strong)] = 2.4 * rng.choice([-1, 1], strong)
    return weights


def _layer_panels(values):
    steps = np.arange(0, 6000, 100)
    return [
        dict(
            title=title,
            steps=steps,
            layers={f"layer {k + 1}": np.full(len(steps), values * 10.0**-k) for k in range(5)},
        )
        for title in ("Notebook 3's network", "ReLU, He's scale, gradient descent", "ReLU, He's scale, Adam")
    ]


#: Notebook 10's measurements (validation digits as changed), printed in its saved outputs.
CHANGES_09 = {
    "Moved right": (
        "pixels",
        [0, 1, 2, 3, 4],
        [0.9890, 0.9890, 0.9810, 0.9410, 0.8280],
        [0.993, 0.993, 0.991, 0.985, 0.981],
    ),
    "Turned": (
        "degrees counter-clockwise",
        [0, 5, 10, 15, 20, 25],
        [0.989, 0.989, 0.983, 0.976, 0.949, 0.921],
        [0.993, 0.991, 0.991, 0.985, 0.972, 0.954],
    ),
    "Scaled": (
        "size (1: as drawn)",
        [0.7, 0.85, 1.0, 1.15, 1.3],
        [0.963, 0.985, 0.989, 0.986, 0.981],
        [0.971, 0.994, 0.993, 0.988, 0.982],
    ),
    "Slanted": (
        "top moved right (pixels per pixel)",
        [-0.4, -0.2, 0.0, 0.2, 0.4],
        [0.982, 0.991, 0.989, 0.986, 0.981],
        [0.988, 0.990, 0.993, 0.992, 0.988],
    ),
    "Strokes": (
        "thinner (-) or thicker (+), steps",
        [-1, 0, 1, 2],
        [0.554, 0.989, 0.972, 0.670],
        [0.364, 0.993, 0.964, 0.733],
    ),
    "Elastic wobble": ("Simard's alpha", [0, 17, 34, 51], [0.989, 0.980, 0.920, 0.713], [0.993, 0.985, 0.941, 0.792]),
}


def _panels_09(after=False):
    return [
        dict(
            title=title, xlabel=xlabel, x=x, curves={"notebook 9": before} | ({"augmented": augmented} if after else {})
        )
        for title, (xlabel, x, before, augmented) in CHANGES_09.items()
    ]


#: Notebook 12's measurements (test digits as changed, and prepared), printed in its saved outputs.
NETWORKS_11 = ["1 layer, softmax", "25 sigmoid", "5 sigmoid layers", "300 ReLU", "convolutional", "augmented"]
SHIFTED_11 = [
    [0.90, 0.84, 0.64, 0.43, 0.25, 0.14, 0.06, 0.05, 0.05],
    [0.95, 0.92, 0.74, 0.55, 0.35, 0.22, 0.14, 0.08, 0.05],
    [0.91, 0.84, 0.65, 0.42, 0.26, 0.16, 0.09, 0.09, 0.08],
    [0.95, 0.93, 0.72, 0.51, 0.33, 0.21, 0.14, 0.08, 0.06],
    [0.99, 0.98, 0.95, 0.85, 0.62, 0.41, 0.25, 0.16, 0.12],
    [0.99, 0.99, 0.99, 0.99, 0.98, 0.96, 0.89, 0.75, 0.58],
]
SHRUNK_11 = [
    [0.90, 0.20, 0.09, 0.04, 0.09],
    [0.95, 0.29, 0.11, 0.10, 0.10],
    [0.91, 0.21, 0.07, 0.07, 0.12],
    [0.95, 0.27, 0.10, 0.04, 0.10],
    [0.99, 0.56, 0.17, 0.10, 0.12],
    [0.99, 0.97, 0.39, 0.21, 0.13],
]
STROKES_11 = [
    [0.39, 0.90, 0.79, 0.42],
    [0.38, 0.95, 0.84, 0.44],
    [0.50, 0.91, 0.81, 0.40],
    [0.56, 0.95, 0.84, 0.39],
    [0.58, 0.99, 0.96, 0.71],
    [0.34, 0.99, 0.97, 0.74],
]
STROKES_PREPARED_11 = [
    [0.43, 0.90, 0.84, 0.58],
    [0.46, 0.95, 0.89, 0.60],
    [0.50, 0.91, 0.86, 0.59],
    [0.56, 0.95, 0.88, 0.57],
    [0.59, 0.99, 0.95, 0.76],
    [0.45, 0.99, 0.96, 0.76],
]


def _panels_11():
    experiments = [
        ("Shifted", "pixels to the right", list(range(9)), SHIFTED_11, [[a, *[a - 0.01] * 8] for a, *_ in SHIFTED_11]),
        (
            "Shrunk into the corner",
            "size (fraction of the original)",
            [1.0, 0.8, 0.6, 0.5, 0.4],
            SHRUNK_11,
            [[a, a - 0.02, a - 0.02, a - 0.03, a - 0.07] for a, *_ in SHRUNK_11],
        ),
        (
            "Thinner or thicker strokes",
            "steps of 3x3 erosion (-) or dilation (+)",
            [-1, 0, 1, 2],
            STROKES_11,
            STROKES_PREPARED_11,
        ),
    ]
    return [
        dict(
            title=title,
            xlabel=xlabel,
            x=x,
            curves=dict(zip(NETWORKS_11, changed)),
            prepared=dict(zip(NETWORKS_11, prepared)),
        )
        for title, xlabel, x, changed, prepared in experiments
    ]


def _run(steps):
    ramp = np.linspace(0, 1, len(steps))
    return dict(
        steps=steps,
        train_accuracy=0.9 + 0.1 * ramp,
        validation_accuracy=0.9 + 0.08 * ramp,
        train_cross_entropy=0.3 * (1 - ramp) + 1e-4,
        validation_cross_entropy=0.3 * (1 - ramp) + 0.06,
    )


def _confusion(top_count, seed=0):
    """Test labels and predictions whose most frequent mistake happens `top_count` times (01's 54; 09's 8)."""
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(10), 1000)
    predictions = labels.copy()
    wrong = rng.choice(len(labels), 10 * top_count, replace=False)
    predictions[wrong] = (labels[wrong] + rng.integers(1, 10, len(wrong))) % 10
    predictions[np.flatnonzero(labels == 4)[:top_count]] = 9  # a 4 read as a 9, the darkest cell
    return labels, predictions


_DIGITS = np.random.default_rng(2).uniform(0, 1, (20, 784))
_LABELS = np.arange(20) % 10
_UNITS = [f"unit {u}" for u in range(100)]
#: Every figure the notebooks draw with `plotting`, with the notebooks' data shapes and titles, by the
#: notebook that draws it.
FIGURES = {
    "01 digits": lambda: plotting.plot_digits(_DIGITS, titles=_LABELS),
    "01 training curves": lambda: plotting.plot_training_curves(_monitor(**RUNS["01"])),
    "01 live view": lambda: _live_figure(**RUNS["01"]),
    "01 weights, 10 digits": lambda: plotting.plot_weight_images(
        _weights(10), titles=[f"digit {d}" for d in range(10)], ncols=5, suptitle="Weights of the ten output neurons"
    ),
    "01 mistakes": lambda: plotting.plot_misclassified(_DIGITS, _LABELS, (_LABELS + 1) % 10),
    "01 confusion matrix": lambda: plotting.plot_confusion_matrix(*_confusion(54)),
    "02 training curves": lambda: plotting.plot_training_curves(_monitor(**RUNS["02"])),
    "02 weights, 25 units": lambda: plotting.plot_weight_images(
        _weights(25, strong=30), titles=_UNITS[:25], ncols=10, suptitle="Input weights of the 25 hidden units"
    ),
    "03 weights, 40 units": lambda: plotting.plot_weight_images(
        _weights(40), ncols=10, suptitle="First layer: weights (units 0-39)"
    ),
    "03 weight changes, 40 units": lambda: plotting.plot_weight_images(
        _weights(40),
        ncols=10,
        suptitle="First layer: change during training (units 0-39)",
        scale_label="change in weight",
    ),
    "04 training curves": lambda: plotting.plot_training_curves(_monitor(**RUNS["04"])),
    "04 confusion matrix": lambda: plotting.plot_confusion_matrix(*_confusion(22)),  # its own scale ticked 2.5, 7.5
    "06 layer curves": lambda: plotting.plot_layer_curves(_layer_panels(0.1), ylabel="error size e_k (RMS)"),
    "07 train and validation": lambda: plotting.plot_train_and_validation(
        {"without dropout": _run(np.arange(0, 6001, 500)), "dropout, keep 0.75": _run(np.arange(0, 6001, 500))}
    ),
    "07 weights, two networks": lambda: plotting.plot_weight_images(
        _weights(40),
        ncols=10,
        titles=_UNITS[:20] * 2,
        row_labels=["dropout", "dropout", "no dropout", "no dropout"],
        suptitle="First layer: units 0-19 with dropout (top two rows), without (bottom two)",
    ),
    "08 filters": lambda: plotting.plot_filters(
        np.random.default_rng(3).normal(size=(6, 6, 1, 6)), suptitle="First convolutional layer: the 6 filters"
    ),
    "09 training curves": lambda: plotting.plot_training_curves(_monitor(**RUNS["09"])),
    "09 filters": lambda: plotting.plot_filters(
        np.random.default_rng(3).normal(size=(6, 6, 1, 12)), suptitle="First convolutional layer: the filters"
    ),
    "09 feature maps": lambda: plotting.plot_feature_maps(
        _DIGITS[0],
        {
            "conv1": np.random.rand(28, 28, 12),
            "conv2": np.random.rand(14, 14, 24),
            "conv3": np.random.rand(7, 7, 48),
        },
    ),
    "09 confusion matrix": lambda: plotting.plot_confusion_matrix(*_confusion(8)),
    "10 robustness before": lambda: plotting.plot_accuracy_curves(
        _panels_09(),
        suptitle="Notebook 9's network on changed validation digits",
        ylabel="validation accuracy",
        ncols=3,
    ),
    "10 changed digits": lambda: plotting.plot_digits(
        _DIGITS[:16].repeat(3, axis=0)[:48],
        ncols=8,
        row_labels=[f"change {k}\n0.4" for k in range(6)],
        titles=[f"{d % 10}, read {d % 10}" for d in range(48)],
    ),
    "10 training curves": lambda: plotting.plot_training_curves(_monitor(**RUNS["10"])),
    "10 robustness after": lambda: plotting.plot_accuracy_curves(
        _panels_09(after=True), suptitle="Before and after augmentation: changed test digits", ncols=3
    ),
    "11 weight snapshots": lambda: plotting.plot_weight_snapshots(
        [np.zeros((784, 10))] + [_weights(10, seed) * 10.0**seed for seed in range(1, 5)], [0, 1, 2, 50, 3000]
    ),
    "11 weights, 25 units": lambda: plotting.plot_weight_images(
        _weights(25, strong=30), titles=_UNITS[:25], ncols=10, suptitle="Notebook 2: the 25 hidden units"
    ),
    "11 training curves": lambda: plotting.plot_training_curves(_monitor(**RUNS["11"])),
    "11 weights, 100 units": lambda: plotting.plot_weight_images(
        _weights(100), ncols=10, suptitle="The 100 hidden units"
    ),
    "11 correlated pairs": lambda: plotting.plot_weight_images(
        _weights(16),
        ncols=8,
        titles=[f"{i}~{i + 1} r=0.{i + 80}" if i % 2 == 0 else f"unit {i + 1}" for i in range(16)],
        suptitle="The most correlated pairs of hidden units",
        limit=plotting.weight_limit(_weights(100)),
    ),
    "11 top units per digit": lambda: plotting.plot_weight_images(
        _weights(50),
        ncols=5,
        row_labels=[f"digit {d}" for d in range(10)],
        titles=[f"unit {u % 25}\n+{u / 10:.2f}" for u in range(50)],
        suptitle="The five hidden units that contribute most to each digit",
    ),
    "12 robustness": lambda: plotting.plot_accuracy_curves(
        _panels_11(), suptitle="Accuracy on changed test digits (top) and after preparing them (bottom)"
    ),
    "12 two templates": lambda: plotting.plot_weight_images(
        _weights(2), titles=["template of 5", "template of 3"], ncols=2, suptitle="The two templates (one colour scale)"
    ),
    "12 ink x template": lambda: plotting.plot_weight_images(
        _weights(2),
        titles=["ink x template 5", "ink x template 3"],
        ncols=2,
        scale_label="ink x weight",
        suptitle="What each score adds up (one colour scale, its own)",
    ),
    "12 drawn digits": lambda: plotting.plot_digits(
        _DIGITS, ncols=10, row_labels=["as drawn", "prepared"], titles=[str(d % 10) for d in range(20)]
    ),
    "13 reading": lambda: plotting.plot_reading(
        np.zeros((280, 280), np.uint8), np.zeros((28, 28)), {f"network {i}": np.full(10, 0.1) for i in range(6)}
    ),
}


@pytest.mark.parametrize("name", FIGURES)
def test_every_figure_fits_the_page_keeps_its_texts_apart_and_its_colour_scales_smooth(name):
    from figure_checks import MAX_WIDTH_PIXELS, MIN_COLOUR_BAR_COLOURS, check_figure

    width, colour_bars = check_figure(FIGURES[name]())
    assert width <= MAX_WIDTH_PIXELS, f"{width} pixels wide: a notebook's output area would shrink it"
    for colours in colour_bars:
        assert colours >= MIN_COLOUR_BAR_COLOURS, f"a colour bar in {colours} colours shows as bands"


@pytest.mark.parametrize("name", [name for name in FIGURES if "confusion" in name])
def test_counts_on_a_confusion_matrix_contrast_with_their_cells(name):
    """Black counts on the darkest orange could not be read; nor light green on white: every count contrasts
    with its cell at least as WCAG asks of body text (4.5:1)."""
    from figure_checks import cell_text_contrasts

    contrasts = cell_text_contrasts(FIGURES[name]())
    assert len(contrasts) == 100
    worst = min(contrasts, key=contrasts.get)
    assert contrasts[worst] >= plotting.page.MIN_TEXT_CONTRAST, f"the count {worst!r}: contrast {contrasts[worst]:.1f}"


@pytest.mark.parametrize("name", [name for name in FIGURES if "confusion" in name])
def test_a_colour_bar_of_counts_ticks_only_counts_on_the_series_one_scale(name):
    """A count of wrong answers is a whole number: ticks at 2.5 and 7.5 named values no cell can take. And
    every notebook's matrix has the same scale, so that 02's text can say to compare it with 01's."""
    from figure_checks import colour_bar_ticks

    (ticks, limits), *others = colour_bar_ticks(FIGURES[name]())
    assert not others and ticks and all(float(tick).is_integer() for tick in ticks), ticks
    assert limits == (0, plotting.CONFUSION_TOP)


def test_a_few_mistakes_still_show_on_the_series_one_scale():
    """On a linear 0-60 scale the best networks' matrices (a handful of mistakes per cell) were white
    throughout: a cell of 2 mistakes now differs clearly from a cell of none, and 60 is still the darkest."""
    labels = np.repeat(np.arange(10), 100)
    predictions = labels.copy()
    predictions[:2] = 7  # two 0s read as 7s
    figure = plotting.plot_confusion_matrix(labels, predictions)
    image = figure.axes[0].images[0]
    none, two, top = (np.array(image.cmap(image.norm(n)))[:3] for n in (0, 2, plotting.CONFUSION_TOP))
    assert np.abs(two - none).max() >= 0.15, f"2 mistakes {two} look like none {none}"
    assert np.abs(top - none).max() > np.abs(two - none).max()


@pytest.mark.parametrize("name", [name for name in FIGURES if "training curves" in name])
def test_the_zoom_holds_the_validation_points_of_the_runs_end_and_the_test_score(name):
    """The text of a notebook talks about its validation points (09's first, just below the training curve;
    10's dip to about 0.91 at step 500, in a run that ends near 0.99): the zoomed panel holds every one within
    0.1 of the last, and the test score; only the first steps of learning are left to the whole-run panel."""
    monitor = _monitor(**RUNS[name[:2]])
    whole, zoomed, _ = plotting.plot_training_curves(monitor).axes
    low, high = zoomed.get_ylim()
    assert zoomed.get_title().startswith("Accuracy, zoomed") and high - low <= 0.2, "a zoom, not the whole range"
    named = monitor.validation_accuracy >= monitor.validation_accuracy[-1] - 0.1
    outside = [
        (step, round(accuracy, 3))
        for step, accuracy in zip(monitor.validation_steps[named], monitor.validation_accuracy[named])
        if not low <= accuracy <= high
    ]
    assert not outside, f"validation points outside the zoom {low:.2f}-{high:.2f}: {outside}"
    assert low <= monitor.final_test_accuracy <= high
    if "dip" in RUNS[name[:2]]:
        step, accuracy = RUNS[name[:2]]["dip"]
        assert low <= accuracy, f"the point at step {step} that the text names ({accuracy}) is below the zoom"
    assert whole.get_ylim() == pytest.approx((0.0, 1.015)), "0 to 1, and room for a curve at 1 above the frame"


def test_a_curve_at_one_is_drawn_below_the_top_of_the_frame():
    """07's training accuracy reaches 1.000: the panels that run up to 1 leave a little room above it, so
    that the line is not hidden in the frame's top edge; a zoom that ends below 1 ends where it says."""
    runs = {
        "run": dict(
            steps=[100, 200],
            train_accuracy=[0.99, 1.0],
            validation_accuracy=[0.98, 0.985],
            train_cross_entropy=[0.05, 0.01],
            validation_cross_entropy=[0.07, 0.06],
        )
    }
    accuracy = plotting.plot_train_and_validation(runs).axes[2]
    low, high = accuracy.get_ylim()
    assert low == 0.96 and 1.0 < high < 1.002 and accuracy.get_title() == "Accuracy, zoomed to 0.96-1.00"
    accuracy = plotting.plot_train_and_validation(runs, accuracy_zoom=(0.9, 0.99)).axes[2]
    assert accuracy.get_ylim() == pytest.approx((0.9, 0.99))


@pytest.mark.parametrize("name", ["06 layer curves", "10 robustness after", "12 robustness", "01 training curves"])
def test_every_line_of_a_panel_has_a_colour_of_its_own_that_stands_apart(name):
    """Notebook 12 drew twelve lines in six colours, each network's two lines (as changed, prepared) in one,
    and its strokes panel was a tangle: in every panel each line has its own colour, at least 20 apart in
    CIELAB from every other (and, with more than two, its own marker too)."""
    from figure_checks import line_styles

    for ax, lines in line_styles(FIGURES[name]()).items():
        colours = [colour for _, colour, _ in lines]
        for i, (label, colour, _) in enumerate(lines):
            for other, other_colour, _ in lines[i + 1 :]:
                difference = plotting.page.colour_difference(colour, other_colour)
                assert difference >= 20, f"{ax}: {label!r} and {other!r} differ by {difference:.0f} in colour"
        if len(colours) > 2:
            markers = [marker for *_, marker in lines]
            assert len(set(markers)) == len(markers), f"{ax}: lines share a marker: {markers}"


def test_robustness_curves_run_in_the_tables_order_and_span_their_own_accuracies():
    """10's panels all ran from 0 to 1, so the differences the text quotes were invisible; 12's "Shrunk" axis
    ran from 0.4 to 1.0 while its table runs from 1.0 to 0.4."""
    figure = FIGURES["10 robustness after"]()
    moved = next(ax for ax in figure.axes if ax.get_title() == "Moved right")
    assert moved.get_ylim() == pytest.approx((0.8, 1.0)), "the accuracies of 0.828-0.993, not 0-1"
    strokes = next(ax for ax in figure.axes if ax.get_title() == "Strokes")
    assert strokes.get_ylim() == pytest.approx((0.3, 1.0))
    figure = FIGURES["12 robustness"]()
    shrunk = next(ax for ax in figure.axes if ax.get_title() == "Shrunk into the corner")
    left, right = shrunk.get_xlim()
    assert left > right, "1.0 on the left, as in the printed table"
    prepared = next(ax for ax in figure.axes if ax.get_title() == "Shrunk into the corner, prepared")
    assert prepared.get_ylim() == shrunk.get_ylim(), "as changed and prepared on one scale, one above the other"


def test_softmax_bars_say_what_they_are():
    figure = FIGURES["13 reading"]()
    bars = [ax for ax in figure.axes if ax.patches]
    assert [ax.get_ylabel() for ax in bars[::2]] == ["softmax\noutput"] * 3
    assert "not the chance that the answer is right" in figure._supxlabel.get_text()


def test_training_curves_label_the_steps_of_a_long_run_apart():
    """02 trains 20,000 steps: its tick labels "10000125001500017500" ran together."""
    figure = FIGURES["02 training curves"]()
    from figure_checks import draw

    draw(figure)
    for ax in figure.axes:
        low, high = ax.get_xlim()
        labels = [tick.get_text() for tick in ax.get_xticklabels() if low <= tick.get_position()[0] <= high]
        assert 3 <= len(labels) <= 6 and labels[-1] == "20,000", labels


def test_no_figure_is_made_wider_than_a_notebooks_output_area():
    with pytest.raises(ValueError, match=r"13 inches wide.*MAX_WIDTH = 10 inches"):
        plotting.new_figure((13, 4))
    assert plotting.plot_weight_images(_weights(100), ncols=20).get_size_inches()[0] <= plotting.MAX_WIDTH


def _training_cells(notebook):
    """The code cells of a committed notebook whose outputs hold a training monitor's progress line."""
    return [
        (index, cell)
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code"
        and any("<progress value=" in output.get("data", {}).get("text/html", "") for output in cell.outputs)
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_a_finished_run_is_drawn_once_not_twice(path):
    """The live figure of a finished run is cleared, and the notebook draws the run with
    `plot_training_curves`: 07, 08 and 09 showed the whole run twice, flat at 1 after step 300."""
    notebook = nbformat.read(path, as_version=4)
    code = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code")
    if "TrainingMonitor(" not in code:
        return
    assert "plotting.plot_training_curves(" in code, "a notebook that trains draws its curves once it has finished"
    for index, cell in _training_cells(notebook):
        figures = sum("image/png" in output.get("data", {}) for output in cell.outputs)
        drawn = len(re.findall(r"plotting\.plot_\w+\(", cell.source))  # figures the cell's own code draws
        assert figures <= drawn, f"cell {index} keeps its run's live figure beside the curves drawn for it: re-run it"
