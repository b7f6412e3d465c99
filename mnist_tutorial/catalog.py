"""The catalog of the series: every notebook, in the order `make notebooks` runs them, and what the
tools know about each. The scripts, the tests and the benchmarks read it; nothing else lists notebooks.

A notebook's file is `notebooks/<number>_<slug>.ipynb`, and its run records, checkpoints and logs
are named after that stem (`Notebook.name`, such as "01_softmax"). Renumbering a notebook is a change
of its `number` here (and of the file's name). Anything that names a notebook, on a command line
or in code, goes through `find()`, which takes a number ("2", "02"), a full name, a slug or a file
name alike.

To add a notebook: write it (one cell tagged `parameters`; a training notebook also tags the cell
that trains and prints its `Final test accuracy: 0.xxxx` line `training`), add its entry below in
run order, and run `make notebooks`; the tests then pick it up.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import paths

#: The line every training notebook prints once, right after training, in its training cell.
FINAL_LINE = re.compile(r"^Final test accuracy: (\d\.\d{4})$", re.M)
#: The tag of the code cell that trains a notebook's network and prints its `FINAL_LINE`.
TRAINING_TAG = "training"
#: The tag papermill gives its parameters: the cell of plain `name = value` lines a reader edits.
PARAMETERS_TAG = "parameters"
#: The markdown heading where a notebook's exercises start; the cells above it are its lesson.
EXERCISES_HEADING = "## Exercises"


def exercises_start(cells: Sequence[Any]) -> int:
    """The index of the cell (of a notebook's `cells`) that opens its exercises; len(cells) if it has none."""
    headings = (i for i, cell in enumerate(cells) if cell.cell_type == "markdown")
    return next((i for i in headings if cells[i].source.startswith(EXERCISES_HEADING)), len(cells))


class NotebookNotFound(ValueError):
    """A name that matches no notebook of the series, or one that cannot be chosen where it was given."""


@dataclass(frozen=True)
class Notebook:
    """One notebook of the series and what the tools need to know about it."""

    number: int
    slug: str
    #: The network(s) it trains or what it shows, for the README's table.
    network: str
    #: The result of the source it reproduces, as that source states it, and what kind of figure it
    #: is where that differs from ours (a best-of-run, a training-set accuracy); "" if none.
    reference: str = ""
    #: The README table's "this repo" column: (label, pattern of a printed line whose group is the figure).
    figures: tuple[tuple[str, str], ...] = ()
    #: A training notebook: the test accuracy its committed hyperparameters must reach (None: it trains
    #: no network of the series).
    minimum_accuracy: float | None = None
    #: Parameters that make it quick (seconds of training) for the tests.
    quick: dict[str, Any] = field(default_factory=dict)
    #: Parameters that make a re-run quick when its learning rate makes it diverge, for the notebooks
    #: whose failed run the tests check (one of each kind of training); {} for the others.
    diverging_quick: dict[str, Any] = field(default_factory=dict)
    #: How many training runs (each with its own TensorBoard folder) one execution makes.
    training_runs: int = 1
    #: The variables its graph holds after training (all, trainable), and one edit of its parameters
    #: cell that must change the result: what the re-run test checks.
    graph_variables: tuple[int, int] | None = None
    rerun_change: str = ""
    #: The short label of the network it saves, for the notebooks that restore the series' networks
    #: (None: later notebooks do not restore it).
    classifier_label: str | None = None
    #: It restores the networks of every notebook with a `classifier_label`, so it runs after them all.
    restores_networks: bool = False
    #: The notebooks (by name) whose saved networks it restores besides: it runs after them, and the
    #: tests and sweeps give each of its runs their checkpoints and records.
    restores: tuple[str, ...] = ()
    #: Variants whose spread over seeds `make seed-spreads` measures beside the notebook's own, because
    #: the notebook compares itself with them: {label: {parameter: value}}.
    spread_variants: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: The benchmarks (`make bench`) that measure it: "training_loop", "onednn", "notebook_time".
    benchmarks: frozenset[str] = frozenset()
    #: The part of the series it belongs to: the book's table of contents groups the chapters by it.
    part: str = ""

    @property
    def name(self) -> str:
        """The file's stem, which also names its records, checkpoints and logs: "01_softmax"."""
        return f"{self.number:02d}_{self.slug}"

    @property
    def filename(self) -> str:
        return f"{self.name}.ipynb"

    @property
    def path(self) -> Path:
        return paths.REPO_ROOT / "notebooks" / self.filename

    @property
    def trains(self) -> bool:
        """Whether it trains a network of the series and prints its `Final test accuracy`."""
        return self.minimum_accuracy is not None

    def __str__(self) -> str:
        return self.name


#: The parts of the series, in order: the captions of the book's tables of contents.
PART_ONE = "Part one: from one layer to hidden layers, and how sure a difference is"
PART_TWO = "Part two: deeper, convolutional, normalised"
INSIDE = "Inside the networks, and your own digits"
PARTS = (PART_ONE, PART_TWO, INSIDE)

_FINAL = FINAL_LINE.pattern
_PART_ONE = frozenset({"training_loop"})

#: Every notebook, in the order `make notebooks` runs them: each after every notebook it restores.
NOTEBOOKS: tuple[Notebook, ...] = (
    Notebook(
        1,
        "softmax",
        "784 -> 10 softmax, weights at zero, 3,000 steps of 200",
        "over 92% (test)",
        (("", _FINAL),),
        minimum_accuracy=0.920,
        quick=dict(training_steps=200),
        diverging_quick=dict(training_steps=50),
        graph_variables=(2, 2),
        rerun_change="learning_rate = 0.1",
        classifier_label="1 layer, softmax",
        benchmarks=_PART_ONE,
        part=PART_ONE,
    ),
    Notebook(
        2,
        "sigmoid_hidden25",
        "Andrew Ng's ex4 net: 784 -> 25 sigmoid -> 10, dropout, 20,000 steps of 50",
        "about 96% (plus or minus 0.4); Ng's course: 95.3% on its training set",
        (("", _FINAL),),
        minimum_accuracy=0.955,
        quick=dict(training_steps=600),
        graph_variables=(4, 4),
        rerun_change="hidden_units = 10",
        classifier_label="25 sigmoid",
        benchmarks=_PART_ONE,
        part=PART_ONE,
    ),
    Notebook(
        3,
        "five_layers_sigmoid",
        "784 -> 200 -> 100 -> 60 -> 30 -> 10 sigmoid, summed cross-entropy, GD 0.003, 10,000 steps of 100",
        '0.9339, final test (Görner\'s original, stddev 0.1 and Adam: "final test accuracy = 0.9788")',
        (("", _FINAL),),
        minimum_accuracy=0.925,
        quick=dict(training_steps=600),
        graph_variables=(10, 10),
        rerun_change="hidden1 = 50",
        classifier_label="5 sigmoid layers",
        benchmarks=_PART_ONE,
        part=PART_ONE,
    ),
    Notebook(
        4,
        "relu_hidden300",
        "784 -> 300 ReLU -> 10, init stddev 0.03, GD 0.5, 1,000 steps of 100; plus an activation x "
        "initial-scale experiment over seeds",
        '0.9682, final test (the post writes "0.9682%")',
        (("", _FINAL),),
        minimum_accuracy=0.965,
        quick=dict(
            training_steps=200, compare_steps=50, compare_stddevs=[0.03], compare_seeds=2, sigmoid_learning_rates=[1.0]
        ),
        graph_variables=(4, 4),
        rerun_change="hidden_units = 50",
        classifier_label="300 ReLU",
        benchmarks=_PART_ONE | {"onednn"},
        part=PART_ONE,
    ),
    Notebook(
        5,
        "how_sure",
        "how sure a difference is: McNemar's exact test for two networks, a paired t-interval over seeds for "
        "two recipes (the post's 10 sigmoid perceptrons against the softmax layer), and a winner found by luck",
        'perceptrons: up to 90% (test, "when I ran the training longer")',
        (("perceptrons ", r"^ten sigmoid perceptrons, first seed: test accuracy (\d\.\d{4})$"),),
        quick=dict(training_steps=200, seeds=2, tries=3),
        restores=("02_sigmoid_hidden25", "04_relu_hidden300"),
        part=PART_ONE,
    ),
    Notebook(
        6,
        "vanishing_gradients",
        "03's five layers measured (error and update per layer), then one change at a time: init scale, ReLU, "
        "Adam, learning-rate decay; 784 -> 200 -> 100 -> 60 -> 30 -> 10 ReLU, Adam 0.003 -> 0.0001, "
        "6,000 steps of 100",
        "Görner: final test accuracy 0.9824 (ReLU, Adam, decay, 10,000 steps)",
        (("", _FINAL),),
        minimum_accuracy=0.980,
        quick=dict(training_steps=300, compare_steps=60),
        diverging_quick=dict(training_steps=50, compare_steps=10),
        graph_variables=(32, 10),
        rerun_change="hidden1 = 50",
        benchmarks=frozenset({"onednn"}),
        part=PART_TWO,
    ),
    Notebook(
        7,
        "dropout",
        "784 -> 400 -> 200 -> 100 -> 10 ReLU, Adam with decay, 6,000 steps of 100, trained without and "
        "with dropout (keep 0.75)",
        "Görner, final test accuracy: 0.9824 without, 0.9817 with dropout (five layers)",
        (("", _FINAL), ("without dropout ", r"^  accuracy +train [\d.]+ +test (\d\.\d{4})")),
        minimum_accuracy=0.980,
        quick=dict(training_steps=300, evaluation_interval=100, train_sample=1000),
        diverging_quick=dict(training_steps=50, train_sample=100),
        training_runs=2,
        graph_variables=(26, 8),
        rerun_change="keep_prob = 0.5",
        spread_variants={"without dropout": {"keep_prob": 1.0}},
        part=PART_TWO,
    ),
    Notebook(
        8,
        "convolutional",
        "conv 6x6x6 s1, 5x5x12 s2, 4x4x24 s2, dense 200 with dropout 0.75; Adam 0.003 -> 0.0001, 3,000 steps of 100",
        "Görner: best-of-run 0.9928 (12,800 steps)",
        (("", _FINAL),),
        minimum_accuracy=0.990,
        quick=dict(training_steps=150, evaluation_interval=75),
        diverging_quick=dict(training_steps=50),
        graph_variables=(32, 10),
        rerun_change="channels1 = 4",
        classifier_label="convolutional",
        benchmarks=frozenset({"onednn", "notebook_time"}),
        part=PART_TWO,
    ),
    Notebook(
        9,
        "batch_norm",
        "08's convolutional layers with twice the channels (12-24-48) and batch normalisation (moving "
        "averages at test time); Adam 0.02 -> 0.0001, 2,500 steps of 100",
        "Görner: best-of-run 0.9954 (24-48-64 channels, 10,000 steps)",
        (("", _FINAL),),
        minimum_accuracy=0.993,
        quick=dict(training_steps=100, evaluation_interval=100),
        diverging_quick=dict(training_steps=50),
        graph_variables=(40, 10),
        rerun_change="channels1 = 4",
        spread_variants={"without batch norm": {"use_batch_norm": False}},
        benchmarks=frozenset({"onednn", "notebook_time"}),
        part=PART_TWO,
    ),
    Notebook(
        10,
        "reading_handwriting",
        "09's network trained on training digits moved, turned and scaled at random (data augmentation), "
        "2,000 steps; before and after on moved, turned, scaled, slanted, re-inked and wobbled digits",
        "Simard et al. (2003): 0.4% test error, convolutional net with elastic distortions",
        (
            ("", _FINAL),
            (
                "3 pixels right: ",
                r"^augmented +accuracy (\d\.\d{4}) on the [\d,]+ held-out validation images moved 3 pixels right$",
            ),
        ),
        minimum_accuracy=0.993,
        quick=dict(training_steps=200, evaluation_interval=200, curve_images=200, average_decay=0.95),
        diverging_quick=dict(training_steps=50, curve_images=100),
        graph_variables=(40, 10),
        rerun_change="channels1 = 4",
        classifier_label="augmented",
        restores=("09_batch_norm",),
        spread_variants={"without augmentation": {"shift": 0, "rotation": 0, "scale": 0.0}},
        benchmarks=frozenset({"notebook_time"}),
        part=PART_TWO,
    ),
    Notebook(
        11,
        "look_inside",
        "templates forming (batch 2); 100 hidden units: copies? (merged, deleted); top units per digit (02's net)",
        "",
        (("100-unit net: ", r"s of training; test accuracy (\d\.\d{4})$"),),
        quick=dict(
            wide_training_steps=500,
            wide_evaluation_interval=250,
            template_snapshot_steps=[0, 1, 2, 20],
        ),
        restores=("02_sigmoid_hidden25",),
        part=INSIDE,
    ),
    Notebook(
        12,
        "robustness",
        "the networks of 01-04, 08 and 10 on shifted / shrunk / re-inked validation digits, before and after "
        "preparing them as MNIST did; why a small 5 in the corner is misread",
        "",
        (("convolutional, 3 pixels right: ", r"^  convolutional +as changed: (?:[\d.]+ ){3}([\d.]+)"),),
        quick=dict(robustness_images=200),
        restores_networks=True,
        part=INSIDE,
    ),
    Notebook(
        13,
        "draw_a_digit",
        "a drawing pad: draw a digit, see what each of the six networks (01-04, 08, 10) reads",
        restores_networks=True,
        part=INSIDE,
    ),
)


def training() -> list[Notebook]:
    """The notebooks that train a network of the series, in run order."""
    return [notebook for notebook in NOTEBOOKS if notebook.trains]


def classifiers() -> dict[str, str]:
    """{name: short label} of the networks later notebooks restore, in run order."""
    return {notebook.name: notebook.classifier_label for notebook in NOTEBOOKS if notebook.classifier_label}


def restored_by(notebook: Notebook) -> list[str]:
    """The names of the notebooks whose checkpoints and records `notebook` restores, in run order."""
    names = set(notebook.restores) | (set(classifiers()) if notebook.restores_networks else set())
    return [other.name for other in NOTEBOOKS if other.name in names]


def benchmarked(benchmark: str) -> list[Notebook]:
    """The notebooks that `benchmark` ("training_loop", "onednn", "notebook_time") measures."""
    return [notebook for notebook in NOTEBOOKS if benchmark in notebook.benchmarks]


def by_number() -> list[Notebook]:
    """Every notebook in the order of its number (the order a reader meets them)."""
    return sorted(NOTEBOOKS, key=lambda notebook: notebook.number)


def find(text: str | Path) -> Notebook:
    """The notebook that `text` names: a number ("2", "02"), a name ("02_sigmoid_hidden25"), a slug
    ("sigmoid_hidden25"), a file name or a path. NotebookNotFound, listing the notebooks, otherwise."""
    key = Path(str(text)).name
    key = key[: -len(".ipynb")] if key.endswith(".ipynb") else key
    for notebook in NOTEBOOKS:
        if key in (notebook.name, notebook.slug) or (key.isdigit() and int(key) == notebook.number):
            return notebook
    raise NotebookNotFound(
        f"no notebook of the series is called {str(text)!r}: name one by its number "
        f"or name, one of {', '.join(notebook.name for notebook in by_number())}."
    )


def select(texts: list[str] | tuple[str, ...], among: list[Notebook] | None = None) -> list[Notebook]:
    """The notebooks `texts` name (all of `among` when `texts` is empty), in run order. Each text
    must name one of `among` (default: every notebook); NotebookNotFound says which does not."""
    among = list(NOTEBOOKS) if among is None else among
    chosen = {find(text).name for text in texts}
    outside = sorted(chosen - {notebook.name for notebook in among})
    if outside:
        raise NotebookNotFound(
            f"{', '.join(outside)} cannot be chosen here; choose among "
            f"{', '.join(notebook.name for notebook in among)}."
        )
    return [notebook for notebook in among if not texts or notebook.name in chosen]
