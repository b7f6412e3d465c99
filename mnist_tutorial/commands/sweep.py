"""Run a notebook over seeds and hyperparameter values; print the spread; save a CSV file and a plot.

    mnist-sweep 02 --seeds 5
    mnist-sweep 01 learning_rate=0.05,0.1,0.3,0.5,1 batch_size=50,200 --seeds 3
    make sweep ARGS="02 --seeds 5"

Each NAME=VALUES argument sweeps one parameter of the notebook's parameters cell over
comma-separated Python literals; every combination runs once per seed (1 to --seeds). Runs are
Dask tasks: on a local cluster, one worker (one run at a time) per core by default; or, with --scheduler
tcp://HOST:8786 (or MNIST_TUTORIAL_SCHEDULER), on a cluster you started, whose workers have the
project installed (see docs/sweeps.md). Results go to results/sweeps/<name>.csv and .png; run the same
command again to resume an interrupted sweep (what finished is not run again, unless the
notebook's parameters cell has changed since).
"""

from __future__ import annotations

import argparse
import sys

from .. import environment, sweeps


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="mnist-sweep",
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__,
    )
    parser.add_argument("notebook", help="a notebook's name or number, such as 02 or 02_sigmoid_hidden25")
    parser.add_argument(
        "values", nargs="*", metavar="NAME=VALUES", help="a parameter and its values, e.g. batch_size=50,200"
    )
    parser.add_argument("--seeds", type=int, default=5, help="how many seeds per combination (1 to N; default 5)")
    parser.add_argument(
        "--workers", type=int, default=None, help="runs at once on a local cluster (default: one per core)"
    )
    parser.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="a running Dask scheduler to send the runs to, e.g. tcp://host:8786, or 'local' for a local "
        f"cluster (default: ${sweeps.SCHEDULER_VARIABLE}, or a local cluster)",
    )
    parser.add_argument("--name", default=None, help="the sweep's name, for its files (default: from its arguments)")
    args = parser.parse_args(argv)
    try:
        grid = {}
        for item in args.values:
            name, equals, text = item.partition("=")
            if not equals or not name:
                raise sweeps.SweepError(f"{item!r} is not NAME=VALUES (for example learning_rate=0.1,0.5).")
            grid[name] = sweeps.parse_values(text)
        if args.seeds < 1:
            raise sweeps.SweepError(f"--seeds must be at least 1, not {args.seeds}.")
        if args.scheduler is not None:
            sweeps.scheduler_from(args.scheduler, source="--scheduler")  # a bad address named as given here
        sweep = sweeps.Sweep(
            args.notebook, grid, seeds=args.seeds, name=args.name, workers=args.workers, scheduler=args.scheduler
        )
        sweep.run()
    except (sweeps.SweepError, environment.EnvironmentVariableError) as error:
        parser.exit(2, f"sweep: {error}\n")
    sweep.print_table()
    sweep.plot()
    print(f"\nSaved {sweep.csv_path} and {sweep.csv_path.with_suffix('.png')}")
    failed = sum(line["failed"] for line in sweep.summary())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
