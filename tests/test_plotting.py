"""How IPython shows the package's figures: only once a notebook asks, with `plotting.use_compact_png()`.

The IPython checks run in a fresh Python process, with a fresh `InteractiveShell`, so that what
they register never reaches the other tests (or is hidden by what those registered).
"""

import ast
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import numpy as np
import pytest

from mnist_tutorial import paths, plotting

PACKAGE_PARENT = str(Path(plotting.__file__).resolve().parents[1])

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
            monitor = TrainingMonitor(20)
            for step in range(1, 21):
                monitor.record_train(step, 0.9, 0.3)
            monitor.record_validation(20, 0.9, 0.35)
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


def _monitor(steps=3000, interval=250):
    from mnist_tutorial.training import TrainingMonitor

    rng = np.random.default_rng(0)
    monitor = TrainingMonitor(steps, live=False)
    for step in range(1, steps + 1):
        trend = 0.99 - 0.5 * np.exp(-step / 300)
        monitor.record_train(step, min(1.0, trend + rng.uniform(-0.04, 0.02)), 1.0 - trend + rng.uniform(0, 0.05))
        if step % interval == 0:
            monitor.record_validation(step, trend - 0.005, 1.02 - trend)
    monitor.finish()
    monitor.record_test(0.9913, 0.0281)
    return monitor


def _live_figure():
    """The figure the live view draws during training, as its display receives it."""
    from mnist_tutorial.live_view import LiveView, Progress

    shown = []

    class Handle:
        def update(self, obj):
            shown.append(obj)

    def display(obj, display_id=True):
        shown.append(obj)
        return Handle()

    monitor = _monitor()
    LiveView(display=display).show(Progress(3000, 3000, 30.0, monitor.train_accuracy), monitor, final=True)
    return shown[-1]


def _weights(units, seed=0):
    return np.random.default_rng(seed).normal(0, 0.05, (784, units))


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


def _robustness_panels():
    networks = ["1 layer, softmax", "25 sigmoid units", "5 sigmoid layers", "300 ReLUs", "convolutional"]
    return [
        dict(
            title=title,
            xlabel=xlabel,
            x=x,
            curves={n: list(np.linspace(0.98, 0.1, len(x))) for n in networks},
            prepared={n: [0.97] * len(x) for n in networks},
        )
        for title, xlabel, x in (
            ("Shifted right", "pixels", list(range(9))),
            ("Shrunk into the corner", "scale", [1.0, 0.8, 0.6, 0.5, 0.4]),
            ("Thinner or thicker strokes", "steps of erosion / dilation", [-1, 0, 1, 2]),
        )
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


#: Notebook 09's six changes of digits: (title, x label, sizes).
_AUGMENTATION_CHANGES = [
    ("Moved right", "pixels", [0, 1, 2, 3, 4]),
    ("Turned", "degrees counter-clockwise", [0, 5, 10, 15, 20, 25]),
    ("Scaled", "size (1: as drawn)", [0.7, 0.85, 1.0, 1.15, 1.3]),
    ("Slanted", "top moved right (pixels per pixel)", [-0.4, -0.2, 0.0, 0.2, 0.4]),
    ("Strokes", "thinner (-) or thicker (+), steps", [-1, 0, 1, 2]),
    ("Elastic wobble", "Simard's alpha", [0, 17, 34, 51]),
]


def _augmentation_panels(networks):
    return [
        dict(
            title=title, xlabel=xlabel, x=sizes, curves={n: list(np.linspace(0.99, 0.6, len(sizes))) for n in networks}
        )
        for title, xlabel, sizes in _AUGMENTATION_CHANGES
    ]


_DIGITS = np.random.default_rng(2).uniform(0, 1, (20, 784))
_LABELS = np.arange(20) % 10
_UNITS = [f"unit {u}" for u in range(100)]
#: Every figure the notebooks draw with `plotting`, with the notebooks' data shapes and titles.
FIGURES = {
    "01 digits": lambda: plotting.plot_digits(_DIGITS, titles=_LABELS),
    "01 training curves": lambda: plotting.plot_training_curves(_monitor()),
    "01 live view": _live_figure,
    "01 weights, 10 digits": lambda: plotting.plot_weight_images(
        _weights(10), titles=[f"digit {d}" for d in range(10)], ncols=5, suptitle="Weights of the ten output neurons"
    ),
    "01 mistakes": lambda: plotting.plot_misclassified(_DIGITS, _LABELS, (_LABELS + 1) % 10),
    "01 confusion matrix": lambda: plotting.plot_confusion_matrix(
        np.repeat(np.arange(10), 1000), np.r_[np.repeat(np.arange(10), 990), np.arange(100) % 10]
    ),
    "02 weights, 25 units": lambda: plotting.plot_weight_images(
        _weights(25), titles=_UNITS[:25], ncols=10, suptitle="Input weights of the 25 hidden units"
    ),
    "03 weights, 40 units": lambda: plotting.plot_weight_images(
        _weights(40), ncols=10, suptitle="First layer: change during training (units 0-39)"
    ),
    "05 layer curves": lambda: plotting.plot_layer_curves(_layer_panels(0.1), ylabel="error size e_k (RMS)"),
    "06 train and validation": lambda: plotting.plot_train_and_validation(
        {"without dropout": _run(np.arange(0, 6001, 500)), "dropout, keep 0.75": _run(np.arange(0, 6001, 500))}
    ),
    "06 weights, two networks": lambda: plotting.plot_weight_images(
        _weights(40),
        ncols=10,
        titles=_UNITS[:20] * 2,
        row_labels=["dropout", "dropout", "no dropout", "no dropout"],
        suptitle="First layer, units 0-19: with dropout (top two rows) and without",
    ),
    "07 filters": lambda: plotting.plot_filters(
        np.random.default_rng(3).normal(size=(6, 6, 1, 6)), suptitle="First convolutional layer: the 6 filters"
    ),
    "08 filters": lambda: plotting.plot_filters(
        np.random.default_rng(3).normal(size=(6, 6, 1, 12)), suptitle="First convolutional layer: the filters"
    ),
    "08 feature maps": lambda: plotting.plot_feature_maps(
        _DIGITS[0],
        {
            "conv1": np.random.rand(28, 28, 12),
            "conv2": np.random.rand(14, 14, 24),
            "conv3": np.random.rand(7, 7, 48),
        },
    ),
    "09 before, changed digits": lambda: plotting.plot_accuracy_curves(
        _augmentation_panels(["notebook 8"]),
        suptitle="Notebook 8's network on changed validation digits",
        ylabel="validation accuracy",
        ncols=3,
    ),
    "09 what it reads": lambda: plotting.plot_digits(
        np.random.default_rng(4).uniform(0, 1, (48, 784)),
        ncols=8,
        row_labels=[f"{title}\n{sizes[-1]}" for title, _, sizes in _AUGMENTATION_CHANGES],
        titles=[f"{label}, read {(label + 1) % 10}" for _ in range(6) for label in range(8)],
    ),
    "09 training curves": lambda: plotting.plot_training_curves(_monitor()),
    "09 before and after": lambda: plotting.plot_accuracy_curves(
        _augmentation_panels(["notebook 8", "augmented (this notebook)"]),
        suptitle="Before and after augmentation: changed test digits",
        ncols=3,
    ),
    "09 mistakes": lambda: plotting.plot_misclassified(_DIGITS, _LABELS, (_LABELS + 3) % 10),
    "10 weight snapshots": lambda: plotting.plot_weight_snapshots(
        [np.zeros((784, 10))] + [_weights(10, seed) * 10.0**seed for seed in range(1, 5)], [0, 1, 2, 10, 1000]
    ),
    "10 weights, 100 units": lambda: plotting.plot_weight_images(
        _weights(100), ncols=10, suptitle="The 100 hidden units"
    ),
    "10 correlated pairs": lambda: plotting.plot_weight_images(
        _weights(16),
        ncols=8,
        titles=[f"{i}~{i + 1} r=0.{i + 80}" if i % 2 == 0 else f"unit {i + 1}" for i in range(16)],
        suptitle="The most correlated pairs of hidden units",
    ),
    "10 top units per digit": lambda: plotting.plot_weight_images(
        _weights(50),
        ncols=5,
        row_labels=[f"digit {d}" for d in range(10)],
        titles=[f"unit {u % 25}\n+{u / 10:.2f}" for u in range(50)],
        suptitle="The five hidden units that contribute most to each digit",
    ),
    "11 robustness": lambda: plotting.plot_accuracy_curves(
        _robustness_panels(), suptitle="Accuracy on changed digits (solid) and after preparing them (dashed)"
    ),
    "11 two templates": lambda: plotting.plot_weight_images(
        _weights(2), titles=["template of 5", "template of 3"], ncols=2, suptitle="The two templates (one colour scale)"
    ),
    "12 reading": lambda: plotting.plot_reading(
        np.zeros((280, 280), np.uint8), np.zeros((28, 28)), {f"network {i}": np.full(10, 0.1) for i in range(5)}
    ),
}


@pytest.mark.parametrize("name", FIGURES)
def test_every_figure_fits_the_page_keeps_its_texts_apart_and_its_colour_scales_smooth(name):
    from figure_checks import MAX_WIDTH_PIXELS, MIN_COLOUR_BAR_COLOURS, check_figure

    width, colour_bars = check_figure(FIGURES[name]())
    assert width <= MAX_WIDTH_PIXELS, f"{width} pixels wide: a notebook's output area would shrink it"
    for colours in colour_bars:
        assert colours >= MIN_COLOUR_BAR_COLOURS, f"a colour bar in {colours} colours shows as bands"


def test_no_figure_is_made_wider_than_a_notebooks_output_area():
    with pytest.raises(ValueError, match=r"13 inches wide.*MAX_WIDTH = 10 inches"):
        plotting.new_figure((13, 4))
    assert plotting.plot_weight_images(_weights(100), ncols=20).get_size_inches()[0] <= plotting.MAX_WIDTH
