"""Measure how much each training notebook's results vary with the seed alone.

    mnist-seed-spreads            # or: make seed-spreads   (one to two hours on two cores)
    mnist-seed-spreads 08 09      # only notebooks 08 and 09
    mnist-seed-spreads --seeds 8  # seeds 1-8 instead of 1-5

Sweeps the training notebooks over seeds 1 to 5 with their committed hyperparameters, and each
variant the catalog names beside a notebook (`spread_variants`), and writes notebooks/seed_spreads.json:
for each, the settings of its parameters cell, the seeds, and for every seed the final validation and
test accuracy and any number the run's record keeps under `measures`; under "measured", when and on
what machine. The notebooks compare recipes seed by seed from these figures (`comparisons`), the
README's table quotes their test accuracy, and a test checks that each committed notebook (seed 1)
prints the first of them: measure them with the notebooks, on one machine, in one go.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time

from .. import atomic_files, catalog, environment, paths, results, sweeps

SEEDS = 5
#: The measures every run records, kept per seed.
MEASURES = ("validation_accuracy", "test_accuracy")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mnist-seed-spreads", description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", help="only these training notebooks (numbers or names)")
    parser.add_argument("--seeds", type=int, default=SEEDS, help=f"seeds 1 to this (default {SEEDS}; at least 2)")
    args = parser.parse_args(argv)
    if args.seeds < 2:
        parser.error(f"--seeds must be at least 2 (a spread needs two runs), not {args.seeds}.")
    try:
        chosen = catalog.select(args.notebooks, among=catalog.training())
    except catalog.NotebookNotFound as error:
        parser.error(str(error))
    path = paths.REPO_ROOT / "notebooks" / "seed_spreads.json"
    try:  # a damaged file is named before anything runs, and never written over
        stored = results.load_seed_spreads(path)
        scheduler = sweeps.scheduler_from()  # MNIST_TUTORIAL_SCHEDULER, if set, sends the runs to a cluster
    except (results.SeedSpreadsError, environment.EnvironmentVariableError) as error:
        parser.exit(2, f"seed spreads: {error}\n")
    spreads, measured = stored.get("notebooks", {}), stored.get("measured", {})
    where = f"{platform.machine()}, {os.cpu_count()} cores" if scheduler is None else f"on {sweeps.describe(scheduler)}"
    for notebook in chosen:
        try:
            own = _measure(notebook.name, {}, f"{notebook.name}_seeds", args.seeds)
            variants = {  # a variant may fail to learn with some seeds: that is part of what it shows
                label: _measure(
                    notebook.name,
                    {key: [value] for key, value in parameters.items()},
                    f"{notebook.name}_seeds_{'_'.join(parameters)}",
                    args.seeds,
                    failures_allowed=True,
                )
                for label, parameters in notebook.spread_variants.items()
            }
        except sweeps.SweepError as error:
            parser.exit(2, f"seed spreads: {error}\n")
        if own is None or None in variants.values():
            return 1
        settings, entry = own
        measured[notebook.name] = f"{time.strftime('%Y-%m-%d')}, {where}"
        spreads[notebook.name] = {"settings": settings, **entry}
        if variants:
            spreads[notebook.name]["variants"] = {
                label: {"parameters": notebook.spread_variants[label], **variant}
                for label, (_, variant) in variants.items()
            }
        for label, shown in [("", entry), *((f" {label}", variant) for label, (_, variant) in variants.items())]:
            accuracies = [value for value in shown["test_accuracy"] if value is not None]
            failed = f"; seeds {shown['failed_seeds']} failed: {shown['failure']}" if "failed_seeds" in shown else ""
            print(f"{notebook.name + label:<50} test {_spread(accuracies)}{failed}")
    spreads = {notebook.name: spreads[notebook.name] for notebook in catalog.training() if notebook.name in spreads}
    measured = {name: measured[name] for name in spreads if name in measured}
    atomic_files.write_text(path, json.dumps({"measured": measured, "notebooks": spreads}, indent=2) + "\n")
    print(f"Wrote {path}")
    return 0


def _measure(notebook: str, grid: dict, name: str, seeds: int, failures_allowed: bool = False):
    """(settings, {"seeds", "validation_accuracy", "test_accuracy"[, "measures"]}) of `notebook` with
    `grid`'s values over seeds 1 to `seeds`, one value per seed; None (and the failure printed) if a
    run failed.

    With `failures_allowed` (a variant, such as a network trained without what makes it learn), runs
    that failed are recorded instead: their values are null, "failed_seeds" lists their seeds and
    "failure" says why the first one failed, as long as two seeds at least learned."""
    # One run at a time on this machine, with all its cores, as `mnist-notebooks` runs a notebook
    # (`run_notebooks.runs_environment`): TensorFlow's sums depend on how many threads share them, and
    # only so is seed 1 the committed notebook's own result. A cluster's runs are its own.
    local = sweeps.scheduler_from() is None
    sweep = sweeps.Sweep(notebook, grid=grid, seeds=seeds, name=name, workers=1 if local else None)
    rows = sweep.run()
    failed = [row for row in rows if row["status"] != "ok"]
    if failed and (not failures_allowed or len(rows) - len(failed) < 2):
        print(f"{notebook}: a run failed; see {sweep.csv_path}. Nothing written.")
        return None
    settings = {key: value for key, value in sweep.defaults.items() if key != "seed"}
    entry: dict = {"seeds": [int(row["seed"]) for row in rows]}
    for measure in MEASURES:
        entry[measure] = [_rounded(row[measure]) if row["status"] == "ok" else None for row in rows]
    extra = sorted({key for row in rows for key in (row.get("measures") or {})})
    if extra:
        entry["measures"] = {
            key: [_rounded((row.get("measures") or {}).get(key)) if row["status"] == "ok" else None for row in rows]
            for key in extra
        }
    if failed:
        entry.update(failed_seeds=[int(row["seed"]) for row in failed], failure=failed[0]["error"])
    return settings, entry


def _rounded(value):
    return None if value is None else round(float(value), 6)


def _spread(values: list[float]) -> str:
    from ..comparisons import spread_text

    return spread_text(values)


if __name__ == "__main__":
    sys.exit(main())
