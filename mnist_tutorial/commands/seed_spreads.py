"""Measure how much each training notebook's test accuracy varies with the seed alone.

    mnist-seed-spreads            # or: make seed-spreads   (about 40 minutes on two cores)
    mnist-seed-spreads 07 08      # only notebooks 07 and 08

Sweeps the training notebooks over seeds 1 to 5 with their committed hyperparameters and writes
notebooks/seed_spreads.json: for each, the settings of its parameters cell, the five accuracies,
their mean, standard deviation, min and max, and (under "measured") when and on what machine. The
notebooks print these spreads when they compare two networks (`results.print_comparison`), so that
"better" means a difference larger than what the seed alone moves; the README's table quotes them.
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mnist-seed-spreads", description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", help="only these training notebooks (numbers or names)")
    args = parser.parse_args(argv)
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
            measured_spread = _measure(notebook.name, {}, f"{notebook.name}_seeds")
            variants = {  # a variant may fail to learn with some seeds: that is part of what it shows
                label: _measure(
                    notebook.name,
                    {key: [value] for key, value in parameters.items()},
                    f"{notebook.name}_seeds_{'_'.join(parameters)}",
                    failures_allowed=True,
                )
                for label, parameters in notebook.spread_variants.items()
            }
        except sweeps.SweepError as error:
            parser.exit(2, f"seed spreads: {error}\n")
        if measured_spread is None or None in variants.values():
            return 1
        settings, line = measured_spread
        measured[notebook.name] = f"{time.strftime('%Y-%m-%d')}, {where}"
        spreads[notebook.name] = {"settings": settings, **line}
        if variants:
            spreads[notebook.name]["variants"] = {
                label: {"parameters": notebook.spread_variants[label], **variant_line}
                for label, (_, variant_line) in variants.items()
            }
        for label, (_, shown) in [("", measured_spread), *((f" {label}", v) for label, v in variants.items())]:
            failed = f"; seeds {shown['failed_seeds']} failed: {shown['failure']}" if "failed_seeds" in shown else ""
            print(
                f"{notebook.name + label:<40} {shown['mean']:.4f} +/- {shown['sd']:.4f}  "
                f"(min {shown['min']:.4f}, max {shown['max']:.4f}){failed}"
            )
    spreads = {notebook.name: spreads[notebook.name] for notebook in catalog.training() if notebook.name in spreads}
    measured = {name: measured[name] for name in spreads if name in measured}
    atomic_files.write_text(path, json.dumps({"measured": measured, "notebooks": spreads}, indent=2) + "\n")
    print(f"Wrote {path}")
    return 0


def _measure(notebook: str, grid: dict, name: str, failures_allowed: bool = False):
    """(settings, {"seeds", "accuracies", "mean", "sd", "min", "max"}) of the test accuracy of `notebook`
    with `grid`'s values over seeds 1 to SEEDS; None (and the failure printed) if a run failed.

    With `failures_allowed` (a variant, such as a network trained without what makes it learn), runs
    that failed are recorded instead: their accuracy is null, "failed_seeds" lists their seeds and
    "failure" says why the first one failed; the spread is that of the others (two at least)."""
    sweep = sweeps.Sweep(notebook, grid=grid, seeds=SEEDS, name=name)
    rows = sweep.run()
    failed = [row for row in rows if row["status"] != "ok"]
    if failed and (not failures_allowed or len(rows) - len(failed) < 2):
        print(f"{notebook}: a run failed; see {sweep.csv_path}. Nothing written.")
        return None
    line = sweep.summary("test_accuracy")[0]  # the spread of the final score, for comparisons on the test set
    settings = {key: value for key, value in sweep.defaults.items() if key != "seed"}
    spread = {
        "seeds": sweep.seeds,
        "accuracies": [row["test_accuracy"] if row["status"] == "ok" else None for row in rows],
        **{key: round(line[key], 6) for key in ("mean", "sd", "min", "max")},
    }
    if failed:
        spread.update(failed_seeds=[int(row["seed"]) for row in failed], failure=failed[0]["error"])
    return settings, spread


if __name__ == "__main__":
    sys.exit(main())
