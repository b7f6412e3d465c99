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
