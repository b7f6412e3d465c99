"""Measure what the exercises compare with, try every solution and wrong answer, and count them.

    mnist-exercises measure 03                 # every measurement of notebook 03's exercises, seeds 1-5
    mnist-exercises measure 03 small_init      # one of them
    mnist-exercises try                        # every solution and listed wrong answer, seeds 1, 2 and 3
    mnist-exercises try 01 04 --seeds 1        # those of 01 and 04, with seed 1
    mnist-exercises count                      # how many exercises, and how many check themselves

`measure` trains each recipe an exercise compares with (a `Measure` of its module) on the side, once
per seed, and stores the values by seed in mnist_tutorial/exercises/measured.json with this command,
the date, the machine, the notebook's settings and a digest of the code the runs executed (a test
names a measurement whose code has changed since). `try` runs, for each seed, every checkable
exercise's solution and each of its wrong answers in a copy of its notebook, and prints a table of
the verdicts: every solution must say "correct" and every wrong answer "not yet".
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import importlib
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

from .. import atomic_files, catalog, side_runs
from .. import exercises as framework

SEEDS = "1-5"
TRY_SEEDS = "1,2,3"


def parse_seeds(text: str) -> list[int]:
    """ "1-5" or "1,2,3" as a list of seeds."""
    try:
        if "-" in text:
            first, last = (int(part) for part in text.split("-", 1))
            seeds = list(range(first, last + 1))
        else:
            seeds = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        seeds = []
    if not seeds or min(seeds) < 0:
        raise ValueError(f"--seeds takes a range such as 1-5 or a list such as 1,2,3, not {text!r}")
    return seeds


def exercise_module(notebook: catalog.Notebook):
    """The module of `notebook`'s exercises, or None."""
    try:
        return importlib.import_module(f"mnist_tutorial.exercises.{notebook.slug}")
    except ModuleNotFoundError:
        return None


def machine() -> str:
    """The processor and core count, for the record of a measurement."""
    model = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{model}, {os.cpu_count()} cores"


def code_digest(notebook: catalog.Notebook, measure: framework.Measure) -> str:
    """A digest of the code a measurement's side runs execute (its edits made)."""
    plan = side_runs.Plan.of(notebook, measure.changes, measure.edits, measure.keep, measure.then)
    return plan.digest()


def measure(notebook: catalog.Notebook, names: list[str], seeds: list[int]) -> None:
    """Measure `names` (all when empty) of `notebook`'s exercises over `seeds`, and store them."""
    module = exercise_module(notebook)
    known = {m.name: m for m in getattr(module, "MEASURES", ())}
    unknown = sorted(set(names) - set(known))
    if unknown:
        raise SystemExit(
            f"mnist-exercises: {notebook.name} has no measurement {', '.join(unknown)}; it has "
            f"{', '.join(known) or 'none'}."
        )
    for name in names or list(known):
        spec = known[name]
        started = time.perf_counter()
        print(f"{notebook.name} {name}: seeds {framework.seeds_text(seeds)}", flush=True)
        runs = side_runs.train(
            notebook.name, seeds=seeds, keep=spec.keep, edits=spec.edits, then=spec.then, **spec.changes
        )
        values = {
            quantity: {str(seed): float(function(run)) for seed, run in runs.runs.items()}
            for quantity, function in spec.quantities.items()
        }
        plan = side_runs.Plan.of(notebook, spec.changes, spec.edits, spec.keep, spec.then)
        entry = {
            "command": f"mnist-exercises measure {notebook.number:02d} {name} --seeds {framework.seeds_text(seeds)}",
            "measured": f"{datetime.date.today().isoformat()}, {machine()}, {time.perf_counter() - started:.0f} s",
            "notebook_settings": plan.defaults,
            "code": plan.digest(),
            **spec.stored_spec(),
            "values": values,
        }
        _store(notebook.name, name, entry)
        for quantity, by_seed in values.items():
            print(f"  {quantity}: " + ", ".join(f"{seed}: {value:.4f}" for seed, value in by_seed.items()), flush=True)


def _store(notebook: str, name: str, entry: dict[str, Any]) -> None:
    path = framework.MEASURED_FILE
    stored = json.loads(path.read_text()) if path.exists() else {}
    stored.setdefault(notebook, {})[name] = entry
    ordered = {key: dict(sorted(stored[key].items())) for key in sorted(stored)}
    atomic_files.write_text(path, json.dumps(ordered, indent=1) + "\n")
    framework.forget_stored()


def count() -> dict[str, int]:
    """How many exercises the notebooks have, and how many check themselves, by kind."""
    counts = {"exercises": 0, "checkable": 0}
    for notebook in catalog.by_number():
        module = exercise_module(notebook)
        for exercise in getattr(module, "EXERCISES", ()):
            counts["exercises"] += 1
            counts["checkable"] += exercise.checkable
            counts[exercise.kind] = counts.get(exercise.kind, 0) + 1
    return counts


def count_sentence() -> str:
    """The README's sentence on the exercises' counts."""
    counts = count()
    return f"{counts['exercises']} exercises in all, {counts['checkable']} of them checkable"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mnist-exercises", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    measuring = commands.add_parser("measure", help="measure what an exercise compares with, over seeds")
    measuring.add_argument("notebook", help="the notebook (a number such as 03, or a name)")
    measuring.add_argument("names", nargs="*", help="only these measurements (default: all of the notebook's)")
    measuring.add_argument("--seeds", default=SEEDS, help=f"seeds, a range or a list (default {SEEDS})")
    trying = commands.add_parser("try", help="run every solution and wrong answer, and print a table")
    trying.add_argument("notebooks", nargs="*", help="only these notebooks (default: all with exercises)")
    trying.add_argument("--seeds", default=TRY_SEEDS, help=f"seeds, a range or a list (default {TRY_SEEDS})")
    commands.add_parser("count", help="print how many exercises there are, and of which kind")
    args = parser.parse_args(argv)
    try:
        if args.command == "measure":
            measure(catalog.find(args.notebook), args.names, parse_seeds(args.seeds))
        elif args.command == "try":
            from ..exercise_trials import print_trials

            chosen = catalog.select(args.notebooks) if args.notebooks else catalog.by_number()
            failed = print_trials([n for n in chosen if exercise_module(n)], parse_seeds(args.seeds))
            return 1 if failed else 0
        else:
            counts = count()
            print(count_sentence())
            print(", ".join(f"{kind} {n}" for kind, n in counts.items() if kind not in ("exercises", "checkable")))
    except (ValueError, catalog.NotebookNotFound, side_runs.SideRunError) as error:
        print(f"mnist-exercises: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
