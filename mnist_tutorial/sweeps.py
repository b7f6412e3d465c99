"""Run a notebook many times, headless, over seeds and hyperparameter values, and summarise the spread.

One number from one seed cannot tell a real improvement from luck. A sweep runs a training
notebook through papermill for every combination of the values given and for several seeds, in
parallel kernels (one per core by default, each limited to its share of the threads), and
reports for each combination the mean and standard deviation of the validation accuracy (the set
a choice between values is made on; the test set, scored once per run, is kept in the CSV file for
the spread of a final result over seeds), its range, and the training time::

    from mnist_tutorial import sweeps
    sweep = sweeps.Sweep("01_softmax", {"learning_rate": [0.1, 0.5]}, seeds=3, name="lr")
    sweep.run()            # a progress bar; finished runs are kept in results/sweeps/lr.csv
    sweep.print_table()
    sweep.plot()           # accuracy against the swept value, with the spread over seeds

Every run writes into a temporary folder of its own: a sweep never touches your notebooks,
`checkpoints/` or `results/<notebook>.json`. Each finished run is appended to the sweep's CSV
file at once, with every setting it ran with, so an interrupted sweep, started again with the
same name, skips what it finished, unless the notebook's parameters cell has changed since (then
those runs are made again; failed runs are always tried again).
"""

import ast
import csv
import itertools
import math
import os
import statistics
import tempfile
import threading
import traceback
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

from . import catalog, paths
from .plotting import new_figure

FIELDS = ("status", "seed", "parameters", "validation_accuracy", "test_accuracy", "train_seconds", "error", "settings")
#: What a sweep's table and plot compare: the validation set, never the test set.
MEASURES = ("validation_accuracy", "test_accuracy")


class SweepError(ValueError):
    """A sweep was asked for something the notebook cannot do: one line says what."""


def notebook_path(notebook: str) -> Path:
    """`notebooks/<name>.ipynb` of the training notebook `notebook` names (a number such as "02", or a name)."""
    try:
        found = catalog.select([notebook], among=catalog.training())
    except catalog.NotebookNotFound as error:
        raise SweepError(str(error)) from None
    return found[0].path


def parameters_of(path: str | os.PathLike[str]) -> dict[str, Any]:
    """{name: default value} of the notebook's `parameters` cell."""
    import papermill

    found = papermill.inspect_notebook(str(path))
    return {name: ast.literal_eval(spec["default"]) for name, spec in found.items()}


def check_grid(path: Path, grid: Mapping[str, Sequence[Any]]) -> dict[str, Any]:
    """Raise SweepError unless every swept name is a parameter of the notebook, with values of its kind;
    return the notebook's parameters, {name: default value}."""
    defaults = parameters_of(path)
    for name, values in grid.items():
        if name not in defaults:
            raise SweepError(
                f"{path.stem} has no parameter {name!r} (its parameters cell sets "
                f"{', '.join(defaults)}): papermill would only add it, unused."
            )
        if name == "seed":
            raise SweepError("sweep seeds with --seeds (or seeds=), not as a parameter.")
        if not values:
            raise SweepError(f"{name} needs at least one value.")
        for value in values:
            if not _same_kind(value, defaults[name]):
                raise SweepError(
                    f"{name}={value!r} is a {type(value).__name__}, but {path.stem} sets "
                    f"{name} = {defaults[name]!r} (a {type(defaults[name]).__name__})."
                )
    return defaults


def _same_kind(value, default):
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(value, bool) and isinstance(default, bool)
    if isinstance(default, float):
        return isinstance(value, (int, float))
    return isinstance(value, type(default))


def parse_values(text: str) -> list[Any]:
    """ "0.05,0.1,0.3" -> [0.05, 0.1, 0.3]; each item is a Python literal ("[0.1, 1]", "'relu'", 20)."""
    try:
        value = ast.literal_eval(f"[{text}]")
    except (ValueError, SyntaxError):
        raise SweepError(f"cannot read {text!r} as comma-separated values (numbers, or quoted text).") from None
    return value


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
    ) -> None:
        self.path = notebook_path(notebook)
        self.grid = dict(grid or {})
        self.defaults = check_grid(self.path, self.grid)
        self.seeds = list(range(1, seeds + 1)) if isinstance(seeds, int) else list(seeds)
        if not self.seeds:
            raise SweepError("a sweep needs at least one seed.")
        self.name = name or "_".join([self.path.stem, *self.grid, f"{len(self.seeds)}seeds"])
        self.workers = workers or os.cpu_count() or 1
        folder = Path(output_dir) if output_dir else paths.output_dir() / "results" / "sweeps"
        self.csv_path = folder / f"{self.name}.csv"
        self._lock = threading.Lock()

    # What to run ---------------------------------------------------------------------------

    def combinations(self) -> list[dict[str, Any]]:
        """Every combination of the grid's values, as dicts (one empty dict for a seeds-only sweep)."""
        names = list(self.grid)
        return [dict(zip(names, values)) for values in itertools.product(*(self.grid[n] for n in names))]

    def runs(self) -> list[tuple[dict[str, Any], int]]:
        """(combination, seed) for every run of the sweep, in grid order."""
        return [(combination, seed) for combination in self.combinations() for seed in self.seeds]

    @staticmethod
    def key(combination: Mapping[str, Any], seed: int) -> tuple[str, int]:
        """What identifies a run among the recorded rows."""
        return repr(sorted(combination.items())), seed

    def settings(self, combination: Mapping[str, Any], seed: int) -> dict[str, Any]:
        """Every parameter a run uses: the notebook's parameters cell, with the combination and seed."""
        return {**self.defaults, **combination, "seed": seed}

    def finished(self) -> dict[tuple[str, int], dict[str, Any]]:
        """The rows of the sweep's CSV file, one per run that was recorded (latest wins), leaving out
        runs made with other settings (the notebook's parameters cell has changed since)."""
        if not self.csv_path.exists() or self._older_format():
            return {}
        rows = {}
        with open(self.csv_path, newline="") as file:
            for row in csv.DictReader(file):
                combination = ast.literal_eval(row["parameters"])
                if ast.literal_eval(row["settings"]) != self.settings(combination, int(row["seed"])):
                    continue
                row.update(
                    parameters=combination,
                    seed=int(row["seed"]),
                    **{measure: float(row[measure]) if row[measure] else None for measure in MEASURES},
                    train_seconds=float(row["train_seconds"]) if row["train_seconds"] else None,
                )
                rows[self.key(combination, row["seed"])] = row
        return rows

    # Running -------------------------------------------------------------------------------

    def run(self, progress: bool = True) -> list[dict[str, Any]]:
        """Run what is not finished yet, in parallel; return the rows of every run, in grid order."""
        self._set_aside_older_file()
        done = {k: row for k, row in self.finished().items() if row["status"] == "ok"}
        todo = [(c, s) for c, s in self.runs() if self.key(c, s) not in done]
        self.csv_path.parent.mkdir(parents=True, exist_ok=True)
        bar = None
        if progress:
            from tqdm.auto import tqdm

            bar = tqdm(
                total=len(self.runs()), initial=len(self.runs()) - len(todo), unit="run", desc=f"sweep {self.name}"
            )
        threads = max(1, (os.cpu_count() or 1) // self.workers)
        try:
            with ThreadPoolExecutor(max_workers=self.workers) as pool:
                futures = [pool.submit(self._run_one, combination, seed, threads) for combination, seed in todo]
                for future in as_completed(futures):
                    row = future.result()
                    if bar is not None:
                        bar.update(1)
                        if row["status"] != "ok":
                            bar.write(f"run {row['parameters']} seed {row['seed']} failed: {row['error']}")
        finally:
            if bar is not None:
                bar.close()
        return self.rows()

    def rows(self) -> list[dict[str, Any]]:
        """The recorded rows, in the order of the grid and the seeds."""
        finished = self.finished()
        return [finished[self.key(c, s)] for c, s in self.runs() if self.key(c, s) in finished]

    def _run_one(self, combination, seed, threads):
        from .notebook_runner import execute

        with tempfile.TemporaryDirectory(prefix="sweep-run-") as scratch:
            environment = {
                paths.OUTPUT_DIR_VARIABLE: scratch,
                "MNIST_TUTORIAL_THREADS": str(threads),
                "OMP_NUM_THREADS": str(threads),
            }
            row = {
                "status": "ok",
                "seed": seed,
                "parameters": combination,
                "validation_accuracy": None,
                "test_accuracy": None,
                "train_seconds": None,
                "error": "",
                "settings": self.settings(combination, seed),
            }
            try:
                execute(
                    self.path,
                    Path(scratch) / self.path.name,
                    parameters={**combination, "seed": seed},
                    kernel_manager_class=_kernel_manager_with(environment),
                )
                record = _read_record(Path(scratch), self.path.stem)
                row.update(
                    validation_accuracy=record["validation_accuracy"],
                    test_accuracy=record["test_accuracy"],
                    train_seconds=record["train_seconds"],
                )
            except Exception as error:  # a failed run is reported, and the sweep goes on
                row.update(status="failed", error=_one_line(error))
        self._append(row)
        return row

    def _append(self, row):
        with self._lock:
            new = not self.csv_path.exists()
            with open(self.csv_path, "a", newline="") as file:
                writer = csv.DictWriter(file, FIELDS)
                if new:
                    writer.writeheader()
                writer.writerow({**row, "parameters": repr(row["parameters"]), "settings": repr(row["settings"])})

    def _older_format(self):
        with open(self.csv_path, newline="") as file:
            return next(csv.reader(file), []) != list(FIELDS)

    def _set_aside_older_file(self):
        """A CSV file written by an older version of this module is renamed, never appended to."""
        if not self.csv_path.exists() or not self._older_format():
            return
        number, aside = 1, self.csv_path.with_suffix(".older.csv")
        while aside.exists():
            number += 1
            aside = self.csv_path.with_suffix(f".older-{number}.csv")
        self.csv_path.rename(aside)
        print(
            f"{self.csv_path.name} was written by an older version of the sweep tool, with other columns: "
            f"kept as {aside.name}; this sweep starts a new file."
        )

    # Reporting -----------------------------------------------------------------------------

    def summary(self, measure: str = "validation_accuracy") -> list[dict[str, Any]]:
        """One dict per combination: its values, runs, failures, and the mean, sd, min and max of
        `measure` ("validation_accuracy", what choices are made on, or "test_accuracy")."""
        if measure not in MEASURES:
            raise SweepError(f"a sweep summarises one of {', '.join(MEASURES)}, not {measure!r}.")
        rows = self.rows()
        out = []
        for combination in self.combinations():
            mine = [r for r in rows if r["parameters"] == combination]
            accuracies = [r[measure] for r in mine if r["status"] == "ok"]
            seconds = [r["train_seconds"] for r in mine if r["status"] == "ok"]
            out.append(
                {
                    "parameters": combination,
                    "runs": len(accuracies),
                    "failed": len(mine) - len(accuracies),
                    "mean": statistics.mean(accuracies) if accuracies else math.nan,
                    "sd": statistics.stdev(accuracies) if len(accuracies) > 1 else math.nan,
                    "min": min(accuracies, default=math.nan),
                    "max": max(accuracies, default=math.nan),
                    "train_seconds": statistics.mean(seconds) if seconds else math.nan,
                }
            )
        return out

    def print_table(self) -> None:
        """The summary of the validation accuracy as a table: one line per combination."""
        header = (
            f"{'parameters':<36}{'runs':>5}{'validation accuracy (mean +/- sd)':>36}{'min':>8}{'max':>8}{'train s':>9}"
        )
        print(
            f"{self.path.stem}, seeds {self.seeds[0]}-{self.seeds[-1]}"
            if self.seeds == list(range(self.seeds[0], self.seeds[-1] + 1))
            else f"{self.path.stem}, seeds {self.seeds}"
        )
        print(header)
        for line in self.summary():
            described = ", ".join(f"{k}={v}" for k, v in line["parameters"].items()) or "(as committed)"
            failed = f" ({line['failed']} failed)" if line["failed"] else ""
            print(
                f"{described:<36}{line['runs']:>5}{line['mean']:>27.4f} +/- {line['sd']:.4f}"
                f"{line['min']:>8.4f}{line['max']:>8.4f}{line['train_seconds']:>9.1f}{failed}"
            )

    def plot(self, save: bool = True) -> Figure:
        """Mean validation accuracy against the first swept value (one line per value of the second),
        with error bars of one standard deviation over the seeds; saved beside the CSV file."""
        names = list(self.grid)
        lines = self.summary()
        fig = new_figure(figsize=(6.5, 4))
        ax = fig.subplots()
        if not names:
            ax.errorbar([0], [lines[0]["mean"]], yerr=[lines[0]["sd"]], fmt="o", capsize=4)
            ax.set_xticks([0], [self.path.stem])
        else:
            x_name, others = names[0], names[1:]
            groups = {}
            for line in lines:
                rest = tuple((k, repr(line["parameters"][k])) for k in others)  # a list is a value too
                groups.setdefault(rest, []).append(line)
            categorical = not all(isinstance(v, (int, float)) for v in self.grid[x_name])
            for rest, group in groups.items():
                xs = [str(line["parameters"][x_name]) if categorical else line["parameters"][x_name] for line in group]
                label = ", ".join(f"{k}={v}" for k, v in rest) or None
                ax.errorbar(
                    xs,
                    [line["mean"] for line in group],
                    yerr=[line["sd"] for line in group],
                    marker="o",
                    capsize=4,
                    label=label,
                )
            numeric = [v for v in self.grid[x_name] if isinstance(v, (int, float))]
            if not categorical and min(numeric) > 0 and max(numeric) / min(numeric) >= 20:
                ax.set_xscale("log")
            ax.set_xlabel(x_name)
            if others:
                ax.legend(fontsize=8)
        ax.set_ylabel(f"validation accuracy (mean +/- sd over {len(self.seeds)} seeds)")
        ax.set_title(f"{self.path.stem}: sweep {self.name}")
        ax.grid(color="#dddddd")
        if save:
            fig.savefig(self.csv_path.with_suffix(".png"), bbox_inches="tight")
        return fig


def _kernel_manager_with(environment):
    """A kernel manager whose kernels start with `environment` added to this process's variables.

    (Runs go on in parallel threads, so changing this process's own environment is not an option.)
    """
    from jupyter_client.manager import AsyncKernelManager

    class KernelManagerWithEnvironment(AsyncKernelManager):
        async def start_kernel(self, **kwargs):
            kwargs["env"] = {**os.environ, **kwargs.get("env", {}), **environment}
            return await super().start_kernel(**kwargs)

    return KernelManagerWithEnvironment


def _read_record(folder, stem):
    import json

    path = folder / "results" / f"{stem}.json"
    if not path.exists():
        raise SweepError(f"the run finished without writing results/{stem}.json")
    return json.loads(path.read_text())


def _one_line(error):
    ename = getattr(error, "ename", type(error).__name__)
    evalue = getattr(error, "evalue", str(error)) or ""
    text = f"{ename}: {evalue}".strip()
    return text.splitlines()[0][:300] if text else traceback.format_exception_only(error)[-1].strip()
