"""What running a sweep's notebooks as Dask tasks costs against the thread pool the sweeps used
before: the same short runs (notebook 01 over seeds, as `make seed-spreads` runs notebooks, with
few training steps), one after the other on each engine, one run per core at a time, the engines
taking turns over two rounds (the best round of each counts, since a shared machine only ever
slows a round down). Prints the wall time of each, the mean training time of its runs (inside
the notebook), and the ratio; asserts nothing.

    python benchmarks/sweep_engine.py              # 8 runs, 300 training steps each
    python benchmarks/sweep_engine.py --runs 4 --steps 60
"""

import argparse
import os
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

from mnist_tutorial import sweep_engine, sweeps


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
    parser.add_argument("--rounds", type=int, default=2, help="rounds of both engines; the best counts (default 2)")
    args = parser.parse_args(argv)
    grid = {"training_steps": [args.steps], "evaluation_interval": [args.steps // 3]}
    engines = ("thread pool (before)", "Dask, local cluster (now)")
    measured = {engine: [] for engine in engines}  # engine: [(wall seconds, training seconds per run, failed)]
    with tempfile.TemporaryDirectory() as folder:
        for round in range(args.rounds):
            for engine in engines:
                name = f"{engine.split()[0].lower()}-{round}"
                sweep = sweeps.Sweep(
                    "01", grid, seeds=args.runs, name=name, workers=args.workers, output_dir=folder, scheduler="local"
                )
                started = time.perf_counter()
                rows = thread_pool(sweep, args.workers) if engine.startswith("thread") else sweep.run(progress=False)
                seconds = time.perf_counter() - started
                trained = [row["train_seconds"] for row in rows if row["status"] == "ok"]
                failed = len(rows) - len(trained)
                measured[engine].append((seconds, sum(trained) / max(1, len(trained)), failed))
        started = time.perf_counter()
        with sweep_engine.connect(None, args.workers):
            pass
        cluster = time.perf_counter() - started
    print(f"\n{args.runs} runs of 01_softmax, {args.steps} steps each, {args.workers} at a time", end="")
    print(f"; best of {args.rounds} rounds")
    print(f"{'engine':<44}{'wall s':>9}{'s per run':>11}{'training s':>12}{'failed':>8}")
    best = {}
    for engine, rounds in measured.items():
        seconds, trained, failed = best[engine] = min(rounds)
        failed = sum(failed for _, _, failed in rounds)
        print(f"{engine:<44}{seconds:>9.1f}{seconds / args.runs:>11.1f}{trained:>12.1f}{failed:>8}")
    print(f"{'of which starting and stopping the cluster':<44}{cluster:>9.1f}")
    before, now = (best[engine][0] for engine in engines)
    print(f"{'Dask / thread pool':<44}{now / before:>8.2f}x")
    print(f"{'the same, without the cluster start and stop':<44}{(now - cluster) / before:>8.2f}x")


if __name__ == "__main__":
    main()
