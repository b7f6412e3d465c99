"""What running a sweep's notebooks as Dask tasks costs against the thread pool the sweeps used
before: the same short runs (notebook 01 over seeds, as `make seed-spreads` runs notebooks, with
few training steps), one after the other on each engine, one run per core at a time. Prints the
wall time of each and the ratio; asserts nothing.

    python benchmarks/sweep_engine.py              # 8 runs, 300 training steps each
    python benchmarks/sweep_engine.py --runs 4 --steps 60
"""

import argparse
import os
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

from mnist_tutorial import sweeps


def thread_pool(sweep, workers):
    """The engine the sweeps had before Dask: a thread per run at once, each starting its own kernel."""
    threads = max(1, (os.cpu_count() or 1) // workers)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [
            pool.submit(sweeps.run_notebook, sweep.path.stem, sweep.defaults, combination, seed, threads)
            for combination, seed in sweep.runs()
        ]
        return [future.result() for future in futures]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=8, help="runs (seeds) per engine (default 8)")
    parser.add_argument("--steps", type=int, default=300, help="training steps per run (default 300)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="runs at once (default: cores)")
    args = parser.parse_args(argv)
    grid = {"training_steps": [args.steps], "evaluation_interval": [args.steps // 3], "perceptron_steps": [10]}
    print(f"{args.runs} runs of 01_softmax, {args.steps} steps each, {args.workers} at a time")
    print(f"{'engine':<44}{'wall s':>9}{'s per run':>11}{'failed':>8}")
    timings = {}
    with tempfile.TemporaryDirectory() as folder:
        for engine in ("thread pool (before)", "Dask, local cluster (now)"):
            name = engine.split()[0].lower()
            sweep = sweeps.Sweep("01", grid, seeds=args.runs, name=name, workers=args.workers, output_dir=folder)
            started = time.perf_counter()
            if engine.startswith("thread"):
                rows = thread_pool(sweep, args.workers)
            else:
                rows = sweep.run(progress=False)
            seconds = timings[engine] = time.perf_counter() - started
            failed = sum(row["status"] != "ok" for row in rows)
            print(f"{engine:<44}{seconds:>9.1f}{seconds / args.runs:>11.1f}{failed:>8}")
        started = time.perf_counter()
        with sweeps._connect(None, args.workers):
            pass
        seconds = time.perf_counter() - started
        print(f"{'of which starting and stopping the cluster':<44}{seconds:>9.1f}")
    before, now = timings.values()
    print(f"{'Dask / thread pool':<44}{now / before:>8.2f}x")
    label = "the same, without the cluster's start and stop"
    print(f"{label:<44}{(now - seconds) / before:>8.2f}x")


if __name__ == "__main__":
    main()
