"""What each checkable exercise costs a learner: how long the run it asks for takes, and how long its check.

For each notebook with exercises, the notebook runs top to bottom as a learner has it, with its committed
settings and every solution in its answer cell. The time of an answer cell is the learner's run when the
exercise is answered there (a side run, `train_variant`, or code); the time of a check cell is the check's.
An exercise that changes the network is answered with Run All: its notebook runs again with that change
(and its settings), and the whole run is the learner's cost. The goal: at most 60 s for each, on two cores.
What the runs write goes to a temporary folder; the networks notebooks 11 and 12 restore are copied there
from `--networks` (default: this machine's output folder; quick runs of 01-04, 08 and 10 are enough).
Prints a table; asserts nothing.

    python benchmarks/exercise_cost.py                 # every notebook with exercises (about 30 minutes)
    python benchmarks/exercise_cost.py 01 04           # two of them
    python benchmarks/exercise_cost.py --no-graph 06   # without the Run All of the network exercises
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from mnist_tutorial import catalog, exercise_trials, notebook_runner, paths, side_runs
from mnist_tutorial.exercises import ANSWER_TAG, GRAPH

#: The learner's cost the exercises aim at, per run and per check, in seconds.
GOAL = 60


def durations(executed) -> dict[int, float]:
    """{cell index: seconds} of an executed notebook, from papermill's metadata."""
    return {
        index: float(cell.metadata.get("papermill", {}).get("duration") or 0.0)
        for index, cell in enumerate(executed.cells)
    }


def with_solutions(node, notebook: str):
    """A copy of `node` with every checkable exercise's solution in its answer cell."""
    copy = nbformat.from_dict(node)
    for exercise in exercise_trials.exercises_of(notebook):
        if not exercise.checkable or not exercise.solution.strip() or exercise.kind == GRAPH:
            continue
        (cell,) = [c for c in copy.cells if ANSWER_TAG.format(exercise.number) in c.metadata.get("tags", [])]
        cell.source = exercise.solution
    return copy


def run(notebook: catalog.Notebook, node, networks: Path, scratch: Path, label: str, parameters: dict):
    """Execute `node` (a copy of `notebook`) in `scratch`; return (executed notebook, seconds in all)."""
    folder = scratch / label
    outputs = folder / "outputs"
    folder.mkdir(parents=True)
    side_runs._copy_restored(notebook, networks, outputs)
    source = folder / notebook.filename
    nbformat.write(node, source)
    started = time.perf_counter()
    executed = notebook_runner.execute(
        source,
        folder / f"executed-{notebook.filename}",
        parameters,
        environment={paths.OUTPUT_DIR_VARIABLE: str(outputs)},
    )
    return executed, time.perf_counter() - started


def check_cell(executed, number: int) -> int:
    source = exercise_trials.check_cell_source(number)
    return next(i for i, c in enumerate(executed.cells) if c.cell_type == "code" and c.source.startswith(source))


def measure(notebook: catalog.Notebook, networks: Path, scratch: Path, graph: bool) -> list[tuple]:
    """[(exercise, kind, what the run is, run seconds, check seconds)] of `notebook`'s checkable exercises."""
    original = nbformat.read(notebook.path, as_version=4)
    executed, _ = run(notebook, with_solutions(original, notebook.name), networks, scratch, "solutions", {})
    seconds = durations(executed)
    rows = []
    for exercise in exercise_trials.exercises_of(notebook.name):
        if not exercise.checkable:
            continue
        check = seconds[check_cell(executed, exercise.number)]
        if exercise.kind == GRAPH:
            if not graph:
                continue
            edited = nbformat.from_dict(original)
            code = [c for c in edited.cells if c.cell_type == "code"]
            for cell, source in zip(
                code, side_runs.apply_edits([c.source for c in code], exercise.edits, notebook.name)
            ):
                cell.source = source
            changed, wall = run(
                notebook, edited, networks, scratch, f"exercise-{exercise.number}", dict(exercise.parameters)
            )
            check = durations(changed)[check_cell(changed, exercise.number)]
            rows.append((exercise, "Run All with the change", wall, check))
            continue
        tagged = [
            i for i, c in enumerate(executed.cells) if ANSWER_TAG.format(exercise.number) in c.metadata.get("tags", [])
        ]
        answer = seconds[tagged[0]] if tagged else 0.0
        what = (
            "side run" if exercise.side_run else ("train_variant" if "train_variant(" in exercise.solution else "code")
        )
        rows.append((exercise, f"answer cell ({what})", answer, check))
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", help="numbers or names (default: every notebook with exercises)")
    parser.add_argument("--networks", type=Path, default=None, help="the output folder whose networks 11-13 restore")
    parser.add_argument("--no-graph", action="store_true", help="leave out the Run All of the network exercises")
    args = parser.parse_args(argv)
    chosen = [catalog.find(name) for name in args.notebooks] or [
        n for n in catalog.by_number() if any(e.checkable for e in exercise_trials.exercises_of(n.name))
    ]
    networks = args.networks or paths.output_dir()
    table = []
    with tempfile.TemporaryDirectory(prefix="exercise-cost-") as scratch:
        for notebook in chosen:
            try:
                rows = measure(notebook, networks, Path(scratch) / notebook.name, not args.no_graph)
            except Exception as error:  # one notebook failing does not stop the others
                print(f"{notebook.name}: {type(error).__name__}: {str(error).splitlines()[0][:300]}", flush=True)
                continue
            for exercise, what, answer, check in rows:
                table.append((notebook.name, exercise, what, answer, check))
                print(
                    f"{notebook.name} exercise {exercise.number}: {what} {answer:.1f} s, check {check:.1f} s",
                    flush=True,
                )
    print()
    print(f"The learner's cost of each checkable exercise on this machine, in seconds (goal: at most {GOAL} each):")
    print()
    print("| notebook | exercise | kind | the learner's run | seconds | check | within the goal |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name, exercise, what, answer, check in table:
        within = "yes" if answer <= GOAL and check <= GOAL else "no"
        print(
            f"| {name} | {exercise.number}: {exercise.title} | {exercise.kind} | {what} | {answer:.1f} | "
            f"{check:.2f} | {within} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
