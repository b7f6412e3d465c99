"""Execute the notebooks top to bottom in fresh kernels, save them in place, print the README's table.

    python scripts/run_notebooks.py                 # every notebook in notebooks/, in order
    python scripts/run_notebooks.py 03 04           # the ones whose names start with 03 or 04
    python scripts/run_notebooks.py --table         # only print the table, from the saved notebooks

A notebook is replaced only once it has run to the end. If one fails, its partly executed
copy is kept in runs/ for you to look at, the original is left as it was, and the script
goes on with the next one and exits non-zero at the end.

The table is the one in README.md, built from what the saved notebooks printed (and the
time each took, which this script stores in the notebook's metadata), so that the README can
quote exactly what the notebooks show: paste it there after a run.
"""

import argparse
import re
import sys
import time
from pathlib import Path

import nbformat
import papermill

from mnist_tutorial import paths, results

NOTEBOOKS = paths.REPO_ROOT / "notebooks"
RUNS = paths.REPO_ROOT / "runs"
#: The kernel's own start-up warnings (ipykernel 7 warns that it talks over TCP on loopback) are
#: not the notebooks' output; errors still show.
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=ERROR"]

FINAL = r"^Final test accuracy: (\d\.\d{4})$"
#: For each notebook: the network, the result of its source post, and the figures of "this repo":
#: (label, pattern of a line the notebook prints, whose group is the figure).
TABLE = {
    "01_softmax": (
        "784 -> 10 softmax, weights at zero; and 10 sigmoid perceptrons for comparison",
        "over 92%; perceptrons about 90%",
        [("", FINAL), ("perceptrons ", r"^Ten sigmoid perceptrons .*test accuracy (\d\.\d{4})$")]),
    "02_sigmoid_hidden25": (
        "Andrew Ng's ex4 net: 784 -> 25 sigmoid -> 10, dropout, 20,000 steps of 50",
        "about 96% (plus or minus 0.4)", [("", FINAL)]),
    "03_five_layers_sigmoid": (
        "784 -> 200 -> 100 -> 60 -> 30 -> 10 sigmoid, summed cross-entropy, GD 0.003, 10,000 steps of 100",
        "about 93.4% (Görner's original, stddev 0.1 and Adam: 0.9788)", [("", FINAL)]),
    "04_relu_hidden300": (
        "784 -> 300 ReLU -> 10, init stddev 0.03, GD 0.5, 1,000 steps of 100; plus an activation x "
        "initial-scale experiment", "96.82%", [("", FINAL)]),
    "05_look_inside": (
        "templates forming (batch 2), hidden units as a retina (25 and 100), top units per digit, "
        "robustness of the networks of 01-04 and 09 to shifted / shrunk / re-inked digits before and "
        "after preprocessing", "",
        [("100-unit net: ", r"TensorFlow, at the end of training: (\d\.\d{4})\)$")]),
    "06_draw_a_digit": (
        "a drawing pad: draw a digit, see what each of the five networks (01-04, 09) reads", "", []),
    "07_vanishing_gradients": (
        "03's five layers measured (gradient per layer), then one change at a time: init scale, ReLU, "
        "Adam, learning-rate decay; 784 -> 200 -> 100 -> 60 -> 30 -> 10 ReLU, Adam 0.003 -> 0.0001, "
        "6,000 steps of 100", "Görner: 0.9824 (ReLU, Adam, decay, 10,000 steps)", [("", FINAL)]),
    "08_dropout": (
        "784 -> 400 -> 200 -> 100 -> 10 ReLU, Adam with decay, 6,000 steps of 100, trained without and "
        "with dropout (keep 0.75)", "Görner: 0.9824 without, 0.9817 with dropout (five layers)",
        [("", FINAL), ("without dropout ", r"^  accuracy +train [\d.]+ +test (\d\.\d{4})")]),
    "09_convolutional": (
        "conv 6x6x6 s1, 5x5x12 s2, 4x4x24 s2, dense 200 with dropout 0.75; Adam 0.003 -> 0.0001, "
        "3,000 steps of 100", "Görner: best 0.9928 (12,800 steps)", [("", FINAL)]),
    "10_batch_norm": (
        "09's convolutional layers with twice the channels (12-24-48) and batch normalisation (moving "
        "averages at test time); Adam 0.02 -> 0.0001, 2,500 steps of 100", "Görner: 0.9954 (24-48-64 channels, 10,000 steps)", [("", FINAL)]),
}
TRAINING_SECONDS = r" in (\d+\.\d) s of training"
#: Notebooks that restore the checkpoints of others (1-4 and 9): run after all the rest.
RUN_LAST = ("05_look_inside", "06_draw_a_digit")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("prefixes", nargs="*", help="run only notebooks whose names start with these")
    parser.add_argument("--table", action="store_true", help="run nothing; print the table of the saved notebooks")
    args = parser.parse_args(argv)
    notebooks = run_order(NOTEBOOKS.glob("[0-9]*.ipynb"))
    if args.prefixes:
        notebooks = [nb for nb in notebooks if nb.name.startswith(tuple(args.prefixes))]
        if not notebooks:
            parser.error(f"no notebook in {NOTEBOOKS} starts with {' or '.join(args.prefixes)}")
    failed, all_started = [], time.time()
    for notebook in [] if args.table else notebooks:
        print(f"Running {notebook.name} ...", flush=True)
        started = time.time()
        try:
            execute_in_place(notebook)
        except Exception as exc:  # report and go on with the next notebook
            failed.append(notebook.name)
            last_line = str(exc).strip().splitlines()[-1] if str(exc).strip() else ""
            print(f"  FAILED after {time.time() - started:.0f} s: {type(exc).__name__}: {last_line}"
                  f"\n  The partly executed copy is {RUNS / notebook.name}; {notebook.name} was not changed.")
            continue
        print(f"  done in {time.time() - started:.1f} s")
    if not args.table and len(notebooks) > 1:
        print(f"{len(notebooks)} notebooks in {time.time() - all_started:.1f} s")
    print()
    print(readme_table(sorted(NOTEBOOKS.glob("[0-9]*.ipynb"))))
    return 1 if failed else 0


def run_order(notebooks):
    """The notebooks in the order `make notebooks` runs them: by number, RUN_LAST at the end."""
    return sorted(notebooks, key=lambda nb: (Path(nb).stem in RUN_LAST, Path(nb).name))


def execute_in_place(notebook):
    RUNS.mkdir(exist_ok=True)
    executed = RUNS / notebook.name
    started = time.perf_counter()
    papermill.execute_notebook(str(notebook), str(executed), cwd=str(NOTEBOOKS), kernel_name="python3",
                               progress_bar=False, extra_arguments=KERNEL_ARGUMENTS)
    seconds = time.perf_counter() - started
    nb = nbformat.read(executed, as_version=4)
    print_slowest_cells(nb, seconds)
    strip_papermill_metadata(nb)
    nb.metadata["mnist_tutorial"] = {"seconds": round(seconds, 1)}
    nbformat.write(nb, notebook)
    executed.unlink()


def print_slowest_cells(nb, seconds, count=5):
    """Where the `seconds` of one notebook's run went: starting the kernel (and saving), the `count`
    slowest cells with their first lines, and all the other cells together."""
    timed = [(cell.metadata.get("papermill", {}).get("duration") or 0.0, index, cell.source.strip().splitlines()[0])
             for index, cell in enumerate(nb.cells) if cell.cell_type == "code" and cell.source.strip()]
    in_cells = sum(duration for duration, _, _ in timed)
    total = seconds or 1.0  # nothing measured: avoid 0/0

    def line(duration, what):
        share = f"({duration / total:.0%})"
        print(f"  {duration:6.1f} s {share:>6}  {what}")

    line(max(seconds - in_cells, 0.0), "starting the kernel, and saving")
    slowest = sorted(timed, reverse=True)[:count]
    for duration, index, first_line in slowest:
        line(duration, f"cell {index:>2}: {first_line[:70]}")
    rest = [t for t in timed if t not in slowest]
    if rest:
        line(sum(duration for duration, _, _ in rest), f"the other {len(rest)} code cells")


def strip_papermill_metadata(nb):
    """Drop papermill's per-run bookkeeping (timestamps, status) so diffs show only real changes."""
    nb.metadata.pop("papermill", None)
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)


def printed_text(nb):
    """Everything the code cells printed (stdout streams), in order."""
    return "".join(output.get("text", "") for cell in nb.cells if cell.cell_type == "code"
                   for output in cell.get("outputs", []) if output.get("output_type") == "stream")


def table_row(path):
    """The README's table row for one executed notebook, from what it printed and how long it took."""
    path = Path(path)
    network, reference, figures = TABLE[path.stem]
    nb = nbformat.read(path, as_version=4)
    text = printed_text(nb)
    measured = []
    for label, pattern in figures:
        found = re.search(pattern, text, re.M)
        measured.append(f"{label}{found.group(1)}" if found else f"{label}(not printed)")
    training = sum(float(found) for found in re.findall(TRAINING_SECONDS, text))  # 08 trains twice
    total = nb.metadata.get("mnist_tutorial", {}).get("seconds")
    seconds = f"{f'{training:.1f}' if training else '-'} / {f'{total:.0f}' if total is not None else '?'}"
    spread = results.seed_spreads().get(path.stem)
    over_seeds = f"{spread['mean']:.4f} ± {spread['sd']:.4f}" if spread else ""
    return (f"| [{path.stem}](notebooks/{path.name}) | {network} | {reference} | {'; '.join(measured)} "
            f"| {over_seeds} | {seconds} |")


def readme_table(notebooks):
    header = ("| notebook | network | reference result (source post) | this repo | seeds 1-5: mean ± sd "
              "| seconds (training / total) |\n| --- | --- | --- | --- | --- | --- |")
    return "\n".join([header] + [table_row(path) for path in notebooks if path.stem in TABLE])


if __name__ == "__main__":
    sys.exit(main())
