"""How long the convolutional notebooks take against part two's budgets: training at most 90 s, the
whole notebook at most 120 s, on the project's 2-core machine.

Each notebook of `catalog.benchmarked("notebook_time")` (08, 09 and 10) runs top to bottom in a fresh
kernel, as `make notebooks` runs it, with its committed parameters; the notebooks take turns, round
after round, so that a busy spell of this shared machine slows all of them alike. The training time is
what the notebook prints (its monitor's `train_seconds`); the notebook's time is the wall clock from
starting the kernel to saving the executed copy. What the runs write (records, checkpoints, TensorBoard
logs) goes to a temporary folder; the checkpoints a notebook restores are copied there from this
machine's (run `make notebooks` first). Prints the median and the range of each; asserts nothing.

    python benchmarks/notebook_time.py              # three rounds, about 20 minutes
    python benchmarks/notebook_time.py --rounds 1 09 10
    python benchmarks/notebook_time.py --rounds 1 --quick 10   # the tests' quick runs: not the figures
"""

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from mnist_tutorial import catalog, notebook_runner, paths
from mnist_tutorial.commands.run_notebooks import TRAINING_SECONDS
from mnist_tutorial.notebook_cells import printed_text

#: Part two's budgets, in seconds.
TRAINING_BUDGET, NOTEBOOK_BUDGET = 90, 120


def run_once(notebook: catalog.Notebook, folder: Path, parameters: dict) -> tuple[float, float]:
    """(seconds of training, seconds of the whole notebook) of one run of `notebook`, in `folder`."""
    outputs = folder / "outputs"
    folder.mkdir(parents=True)
    notebook_runner.copy_restored(notebook, paths.output_dir(), outputs)
    started = time.perf_counter()
    executed = notebook_runner.execute(
        notebook.path, folder / notebook.filename, parameters, environment={paths.OUTPUT_DIR_VARIABLE: str(outputs)}
    )
    wall = time.perf_counter() - started
    training = sum(float(found) for found in re.findall(TRAINING_SECONDS, printed_text(executed)))
    return training, wall


def summary(values: list[float], budget: float) -> str:
    low, high = min(values), max(values)
    within = "within" if statistics.median(values) <= budget else "OVER"
    return f"{statistics.median(values):6.1f} ({low:.1f}-{high:.1f}) {within} {budget}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", help="numbers or names (default: 08, 09 and 10)")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each notebook, taking turns (default 3)")
    parser.add_argument("--quick", action="store_true", help="the tests' quick parameters: a look, not the figures")
    args = parser.parse_args(argv)
    notebooks = [catalog.find(name) for name in args.notebooks] or catalog.benchmarked("notebook_time")
    times = {notebook.name: [] for notebook in notebooks}
    with tempfile.TemporaryDirectory(prefix="notebook-time-") as scratch:
        for round_ in range(1, args.rounds + 1):
            for notebook in notebooks:
                folder = Path(scratch) / f"{notebook.name}-{round_}"
                try:
                    times[notebook.name].append(run_once(notebook, folder, notebook.quick if args.quick else {}))
                except FileNotFoundError as error:  # a network it restores is not saved here
                    sys.exit(f"notebook_time: {error}")
                training, wall = times[notebook.name][-1]
                print(f"round {round_}: {notebook.name}: {training:.1f} s of training, {wall:.1f} s in all", flush=True)
    print()
    print(f"Median (range) of {args.rounds} run(s) each, taking turns; seconds:")
    print()
    print("| notebook | training | notebook |")
    print("| --- | --- | --- |")
    for name, runs in times.items():
        training, wall = zip(*runs)
        print(f"| {name} | {summary(list(training), TRAINING_BUDGET)} | {summary(list(wall), NOTEBOOK_BUDGET)} |")


if __name__ == "__main__":
    main()
