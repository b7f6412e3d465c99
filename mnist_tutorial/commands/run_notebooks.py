"""Execute the notebooks top to bottom in fresh kernels, save them in place, print the README's table.

    mnist-notebooks                 # every notebook, in run order (make notebooks)
    mnist-notebooks 03 04           # notebooks 03 and 04 (numbers or names, as `catalog.find` takes them)
    mnist-notebooks --table         # only print the table, from the saved notebooks

A notebook is replaced only once it has run to the end. If one fails, its partly executed
copy is kept in runs/ for you to look at, the original is left as it was, and the command
goes on with the next one and exits non-zero at the end.

The table is the one in README.md, built from what the saved notebooks printed (and the
time each took, which this command stores in the notebook's metadata), so that the README can
quote exactly what the notebooks show: paste it there after a run.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time

import nbformat

from .. import atomic_files, catalog, environment, paths, results
from ..notebook_cells import printed_text
from ..notebook_digest import code_digest
from ..notebook_runner import execute

RUNS = paths.REPO_ROOT / "runs"
TRAINING_SECONDS = r" in (\d+\.\d) s of training"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mnist-notebooks", description=__doc__.splitlines()[0])
    parser.add_argument(
        "notebooks", nargs="*", help="run only these (numbers or names, such as 03 or 03_five_layers_sigmoid)"
    )
    parser.add_argument("--table", action="store_true", help="run nothing; print the table of the saved notebooks")
    args = parser.parse_args(argv)
    try:
        notebooks = catalog.select(args.notebooks)
    except catalog.NotebookNotFound as error:
        parser.error(str(error))
    failed, all_started = [], time.time()
    for notebook in [] if args.table else notebooks:
        print(f"Running {notebook.filename} ...", flush=True)
        started = time.time()
        try:
            execute_in_place(notebook)
        except Exception as exc:  # report and go on with the next notebook
            failed.append(notebook.name)
            last_line = str(exc).strip().splitlines()[-1] if str(exc).strip() else ""
            print(
                f"  FAILED after {time.time() - started:.0f} s: {type(exc).__name__}: {last_line}"
                f"\n  The partly executed copy is {RUNS / notebook.filename}; {notebook.filename} was not changed."
            )
            continue
        print(f"  done in {time.time() - started:.1f} s")
    if not args.table and len(notebooks) > 1:
        print(f"{len(notebooks)} notebooks in {time.time() - all_started:.1f} s")
    print()
    print(readme_table())
    return 1 if failed else 0


def execute_in_place(notebook: catalog.Notebook) -> None:
    """Run `notebook` into runs/, then, if it ran to the end, replace the committed file with it."""
    RUNS.mkdir(exist_ok=True)
    executed = RUNS / notebook.filename
    started = time.perf_counter()
    nb = execute(notebook.path, executed, environment=runs_environment())
    seconds = time.perf_counter() - started
    print_slowest_cells(nb, seconds)
    strip_papermill_metadata(nb)
    nb.metadata["mnist_tutorial"] = {"seconds": round(seconds, 1), "code": code_digest(notebook.name)}
    text = nbformat.writes(nb)
    atomic_files.write_text(notebook.path, text if text.endswith("\n") else text + "\n")  # whole, or not at all
    executed.unlink()


def runs_environment() -> dict[str, str]:
    """The kernel's thread settings for a committed run: all the machine's cores, as `mnist-seed-spreads`
    gives each of its runs (one at a time), so that the committed notebook's result is its seed 1:
    TensorFlow's sums depend on how many threads share them."""
    count = str(os.cpu_count() or 1)
    return {environment.THREADS: count, "OMP_NUM_THREADS": count}


def print_slowest_cells(nb: nbformat.NotebookNode, seconds: float, count: int = 5) -> None:
    """Where the `seconds` of one notebook's run went: starting the kernel (and saving), the `count`
    slowest cells with their first lines, and all the other cells together."""
    timed = [
        (cell.metadata.get("papermill", {}).get("duration") or 0.0, index, cell.source.strip().splitlines()[0])
        for index, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and cell.source.strip()
    ]
    in_cells = sum(duration for duration, _, _ in timed)
    total = seconds or 1.0  # nothing measured: avoid 0/0

    def line(duration: float, what: str) -> None:
        share = f"({duration / total:.0%})"
        print(f"  {duration:6.1f} s {share:>6}  {what}")

    line(max(seconds - in_cells, 0.0), "starting the kernel, and saving")
    slowest = sorted(timed, reverse=True)[:count]
    for duration, index, first_line in slowest:
        line(duration, f"cell {index:>2}: {first_line[:70]}")
    rest = [t for t in timed if t not in slowest]
    if rest:
        line(sum(duration for duration, _, _ in rest), f"the other {len(rest)} code cells")


def strip_papermill_metadata(nb: nbformat.NotebookNode) -> None:
    """Drop papermill's per-run bookkeeping (timestamps, status) so diffs show only real changes."""
    nb.metadata.pop("papermill", None)
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)


def table_cells(notebook: catalog.Notebook) -> dict[str, str]:
    """What the tables say of one executed notebook: its title (first heading), the results it
    printed ("this repo"), its spread over seeds 1-5, and its seconds (training / total)."""
    nb = nbformat.read(notebook.path, as_version=4)
    text = printed_text(nb)
    measured = []
    for label, pattern in notebook.figures:
        found = re.search(pattern, text, re.M)
        measured.append(f"{label}{found.group(1)}" if found else f"{label}(not printed)")
    training = sum(float(found) for found in re.findall(TRAINING_SECONDS, text))  # 07 trains twice
    total = nb.metadata.get("mnist_tutorial", {}).get("seconds")
    spread = results.seed_spreads().get(notebook.name, {})
    accuracies = [value for value in spread.get("test_accuracy", []) if value is not None]
    title = next(
        (line.lstrip("# ") for cell in nb.cells for line in cell.source.splitlines() if line.startswith("# ")), ""
    )
    return {
        "title": title,
        "measured": "; ".join(measured),
        "over_seeds": f"{statistics.fmean(accuracies):.4f} ± {statistics.stdev(accuracies):.4f}"
        if len(accuracies) > 1
        else "",
        "seconds": f"{f'{training:.1f}' if training else '-'} / {f'{total:.0f}' if total is not None else '?'}",
    }


def table_row(notebook: catalog.Notebook) -> str:
    """The README's table row for one executed notebook, from what it printed and how long it took."""
    cells = table_cells(notebook)
    return (
        f"| [{notebook.name}](notebooks/{notebook.filename}) | {notebook.network} | {notebook.reference} "
        f"| {cells['measured']} | {cells['over_seeds']} | {cells['seconds']} |"
    )


def readme_table() -> str:
    """README.md's table of every notebook, in the order of their numbers."""
    header = (
        "| notebook | network | reference result (source post) | this repo | seeds 1-5: mean ± sd "
        "| seconds (training / total) |\n| --- | --- | --- | --- | --- | --- |"
    )
    return "\n".join([header] + [table_row(notebook) for notebook in catalog.by_number()])


if __name__ == "__main__":
    sys.exit(main())
