"""Run a notebook many times, headless, over seeds and hyperparameter values, and summarise the spread.

One number from one seed cannot tell a real improvement from luck. A sweep runs a training
notebook through papermill for every combination of the values given and for several seeds, as
tasks of a Dask cluster (a local one by default, or one you started, given by `scheduler=`), and
reports for each combination the mean and standard deviation of the validation accuracy (the set
a choice between values is made on; the test set, scored once per run, is kept in the CSV file for
the spread of a final result over seeds), its range, and the training time::

    from mnist_tutorial import sweeps
    sweep = sweeps.Sweep("01_softmax", {"learning_rate": [0.1, 0.5]}, seeds=3, name="lr")
    sweep.run()            # a progress bar; finished runs are kept in results/sweeps/lr.csv
    sweep.print_table()
    sweep.plot()           # accuracy against the swept value, with the spread over seeds

Every run writes into a temporary folder of its own, on the worker that runs it: a sweep never
touches your notebooks, `checkpoints/` or `results/<notebook>.json`. Each finished run is
appended (by this process, the client) to the sweep's CSV file at once, with every setting it
ran with, so an interrupted sweep, started again with the same name, skips what it finished,
unless the notebook's parameters cell has changed since (then those runs are made again; failed
runs are always tried again). A line of the file that cannot be read is reported and left out.

The work is shared among four modules: `sweep_grid` (the notebook, its parameters and the grid),
`sweep_records` (the CSV file), `sweep_engine` (the runs, as tasks of a Dask cluster) and
`sweep_report` (the summary, the table and the plot). `Sweep` holds them together.
"""

import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

from . import paths, sweep_engine, sweep_records, sweep_report
from .sweep_engine import (
    KERNEL_STARTS,
    SCHEDULER_VARIABLE,
    describe,
    execute_starting_kernel_again,
    run_notebook,
    scheduler_from,
    threads_here,
)
from .sweep_grid import SweepError, check_grid, combinations, key, notebook_path, parameters_of, parse_values
from .sweep_records import FIELDS, MEASURES

#: What `from mnist_tutorial import sweeps` gives the notebooks, the commands and the benchmarks.
__all__ = [
    "FIELDS",
    "KERNEL_STARTS",
    "MEASURES",
    "SCHEDULER_VARIABLE",
    "Sweep",
    "SweepError",
    "check_grid",
    "describe",
    "execute_starting_kernel_again",
    "notebook_path",
    "parameters_of",
    "parse_values",
    "run_notebook",
    "scheduler_from",
    "threads_here",
]


class Sweep:
    """Runs of one notebook for every combination of `grid` ({name: [values]}) and every seed."""

    def __init__(
        self,
        notebook: str,
        grid: Mapping[str, Sequence[Any]] | None = None,
        seeds: int | Iterable[int] = 5,
        name: str | None = None,
        workers: int | None = None,
        output_dir: str | os.PathLike[str] | None = None,
        scheduler: Any = None,
    ) -> None:
        self.path = notebook_path(notebook)
        self.grid = dict(grid or {})
        self.defaults = check_grid(self.path, self.grid)
        self.seeds = list(range(1, seeds + 1)) if isinstance(seeds, int) else list(seeds)
        if not self.seeds:
            raise SweepError("a sweep needs at least one seed.")
        self.name = name or "_".join([self.path.stem, *self.grid, f"{len(self.seeds)}seeds"])
        folder = Path(output_dir) if output_dir else paths.output_dir() / "results" / "sweeps"
        self.csv_path = folder / f"{self.name}.csv"
        #: Where the runs go: a scheduler's address, a `distributed.Client`, a cluster object (one with a
        #: `scheduler_address`), or None for a local cluster of `workers` one-thread workers.
        #: By default the address in MNIST_TUTORIAL_SCHEDULER; "local" is the local cluster, whatever it says.
        self.scheduler = scheduler_from(scheduler)
        if workers is not None and workers < 1:
            raise SweepError(f"workers must be at least 1, not {workers}.")
        if workers is not None and self.scheduler is not None:
            raise SweepError(
                f"workers= (--workers) is for a local cluster, but the runs go to {describe(self.scheduler)}, "
                f"which has its own workers: leave it out, or pass scheduler='local' (--scheduler local)."
            )
        self.workers = workers or os.cpu_count() or 1
        self._reported: set[str] = set()  # the damaged lines of the CSV file already reported

    # What to run ---------------------------------------------------------------------------

    def combinations(self) -> list[dict[str, Any]]:
        """Every combination of the grid's values, as dicts (one empty dict for a seeds-only sweep)."""
        return combinations(self.grid)

    def runs(self) -> list[tuple[dict[str, Any], int]]:
        """(combination, seed) for every run of the sweep, in grid order."""
        return [(combination, seed) for combination in self.combinations() for seed in self.seeds]

    @staticmethod
    def key(combination: Mapping[str, Any], seed: int) -> tuple[str, int]:
        """What identifies a run among the recorded rows."""
        return key(combination, seed)

    def settings(self, combination: Mapping[str, Any], seed: int) -> dict[str, Any]:
        """Every parameter a run uses: the notebook's parameters cell, with the combination and seed."""
        return {**self.defaults, **combination, "seed": seed}

    def finished(self) -> dict[tuple[str, int], dict[str, Any]]:
        """The rows of the sweep's CSV file, one per run that was recorded (latest wins), leaving out
        runs made with other settings (the notebook's parameters cell has changed since) and lines
        that cannot be read, each of which is reported once, in one line."""
        rows, problems = sweep_records.read(self.csv_path, self.settings)
        for problem in problems:
            if problem not in self._reported:
                self._reported.add(problem)
                print(problem)
        return rows

    # Running -------------------------------------------------------------------------------

    def run(self, progress: bool = True) -> list[dict[str, Any]]:
        """Run what is not finished yet, as tasks of the cluster; return the rows of every run, in grid order.

        Each run's row is appended to the CSV file as soon as it comes back; a failed run is reported
        (on the progress bar) while the others go on.
        """
        self._set_aside_older_file()
        done = {k: row for k, row in self.finished().items() if row["status"] == "ok"}
        todo = [(c, s) for c, s in self.runs() if self.key(c, s) not in done]
        self.csv_path.parent.mkdir(parents=True, exist_ok=True)
        if not todo:
            return self.rows()
        bar = None

        def finished(row, combination, seed):
            row = {**row, "settings": self.settings(combination, seed)}
            sweep_records.append(self.csv_path, row)
            if bar is not None:
                bar.update(1)
                if row["status"] != "ok":
                    bar.write(f"run {row['parameters']} seed {row['seed']} failed: {row['error']}")

        try:
            with sweep_engine.connect(self.scheduler, self.workers) as client:
                if progress:
                    from tqdm.auto import tqdm

                    bar = tqdm(
                        total=len(self.runs()),
                        initial=len(self.runs()) - len(todo),
                        unit="run",
                        desc=f"sweep {self.name}",
                    )
                sweep_engine.check_workers(client, self.path.stem, self.defaults)
                # `run_notebook` as this module has it, so that a test can stand in for the papermill run.
                sweep_engine.run_tasks(client, run_notebook, todo, (self.path.stem, self.defaults), self.name, finished)
        finally:
            if bar is not None:
                bar.close()
        return self.rows()

    def rows(self) -> list[dict[str, Any]]:
        """The recorded rows, in the order of the grid and the seeds."""
        finished = self.finished()
        return [finished[self.key(c, s)] for c, s in self.runs() if self.key(c, s) in finished]

    def _set_aside_older_file(self):
        """A CSV file written by an older version of this module is renamed, never appended to."""
        aside = sweep_records.set_aside_older(self.csv_path)
        if aside is not None:
            print(
                f"{self.csv_path.name} was written by an older version of the sweep tool, with other columns: "
                f"kept as {aside.name}; this sweep starts a new file."
            )

    # Reporting -----------------------------------------------------------------------------

    def summary(self, measure: str = "validation_accuracy") -> list[dict[str, Any]]:
        """One dict per combination: its values, runs, failures, and the mean, sd, min and max of
        `measure` ("validation_accuracy", what choices are made on; "test_accuracy"; or a number the
        runs recorded under "measures", such as "drawn_validation_accuracy"). See `sweep_report.summary`."""
        return sweep_report.summary(self, measure)

    def print_table(self) -> None:
        """The summary of the validation accuracy as a table: one line per combination."""
        sweep_report.print_table(self)

    def plot(self, save: bool = True) -> Figure:
        """Mean validation accuracy against the first swept value (one line per value of the second),
        with error bars of one standard deviation over the seeds; saved beside the CSV file."""
        return sweep_report.plot(self, save)
