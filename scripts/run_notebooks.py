"""Execute the notebooks top to bottom in fresh kernels, save them in place, print a table.

    python scripts/run_notebooks.py                 # every notebook in notebooks/, in order
    python scripts/run_notebooks.py 03 04           # the ones whose names start with 03 or 04

A notebook is replaced only once it has run to the end. If one fails, its partly executed
copy is kept in runs/ for you to look at, the original is left as it was, and the script
goes on with the next one and exits non-zero at the end.
"""

import argparse
import json
import sys
import time
from pathlib import Path

import nbformat
import papermill

from mnist_tutorial import paths

NOTEBOOKS = paths.REPO_ROOT / "notebooks"
RUNS = paths.REPO_ROOT / "runs"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("prefixes", nargs="*", help="run only notebooks whose names start with these")
    args = parser.parse_args(argv)
    notebooks = sorted(NOTEBOOKS.glob("[0-9]*.ipynb"))
    if args.prefixes:
        notebooks = [nb for nb in notebooks if nb.name.startswith(tuple(args.prefixes))]
        if not notebooks:
            parser.error(f"no notebook in {NOTEBOOKS} starts with {' or '.join(args.prefixes)}")
    rows, failed = [], []
    for notebook in notebooks:
        print(f"Running {notebook.name} ...", flush=True)
        started = time.time()
        try:
            execute_in_place(notebook)
        except Exception as exc:  # report and go on with the next notebook
            failed.append(notebook.name)
            print(f"  FAILED: {type(exc).__name__}: {str(exc).strip().splitlines()[-1] if str(exc).strip() else ''}"
                  f"\n  The partly executed copy is {RUNS / notebook.name}; {notebook.name} was not changed.")
            rows.append((notebook.stem, "failed", "", f"{time.time() - started:.1f}"))
            continue
        record = read_record(notebook.stem, since=started)
        rows.append((notebook.stem,
                     f"{record['test_accuracy']:.4f}" if record else "-",
                     f"{record['train_seconds']:.1f}" if record else "-",
                     f"{time.time() - started:.1f}"))
    print_table(("notebook", "test accuracy", "training s", "total s"), rows)
    return 1 if failed else 0


def execute_in_place(notebook):
    RUNS.mkdir(exist_ok=True)
    executed = RUNS / notebook.name
    papermill.execute_notebook(str(notebook), str(executed), cwd=str(NOTEBOOKS),
                               kernel_name="python3", progress_bar=False)
    nb = nbformat.read(executed, as_version=4)
    strip_papermill_metadata(nb)
    nbformat.write(nb, notebook)
    executed.unlink()


def strip_papermill_metadata(nb):
    """Drop papermill's per-run bookkeeping (timestamps, status) so diffs show only real changes."""
    nb.metadata.pop("papermill", None)
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)


def read_record(name, since):
    path = paths.results_path(name)
    if not path.exists() or path.stat().st_mtime < since:
        return None
    return json.loads(path.read_text())


def print_table(header, rows):
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = lambda r: "  ".join(str(v).ljust(w) if i == 0 else str(v).rjust(w)
                               for i, (v, w) in enumerate(zip(r, widths)))
    print()
    print(line(header))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print(line(row))


if __name__ == "__main__":
    sys.exit(main())
