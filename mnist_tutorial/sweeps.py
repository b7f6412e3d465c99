"""Run a notebook many times, headless, over seeds and hyperparameter values, and summarise the spread.

One number from one seed cannot tell a real improvement from luck. A sweep runs a training
notebook through papermill for every combination of the values given and for several seeds, as
tasks of a Dask cluster (by default a local one in this process: a one-thread worker per core, each
starting its runs' kernels, which are processes of their own and use their share of the cores; or
one you started, on other machines, given by `scheduler=`), and
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
runs are always tried again). A run whose worker dies is run again on another (and recorded
once); a kernel that fails to start is started again.
"""

import ast
import contextlib
import csv
import itertools
import logging
import math
import os
import statistics
import tempfile
import time
import traceback
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

from . import catalog, paths
from .plotting import new_figure

FIELDS = ("status", "seed", "parameters", "validation_accuracy", "test_accuracy", "train_seconds", "error", "settings")
#: What a sweep's table and plot compare: the validation set, never the test set.
MEASURES = ("validation_accuracy", "test_accuracy")
#: The address of a running Dask scheduler ("tcp://host:8786") to send the runs to, when the
#: sweep is not given one; unset, a sweep starts a local cluster.
SCHEDULER_VARIABLE = "MNIST_TUTORIAL_SCHEDULER"
#: How many times a run's kernel is started before the run counts as failed (kernels that fail to
#: start are a known race of Jupyter's kernel start under load), and the pause after each failure.
KERNEL_STARTS, KERNEL_RESTART_PAUSE = 3, 2.0
#: How long a sweep waits for a cluster given by address to have a worker, in seconds.
WORKER_WAIT = 30.0


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
        try:
            with _connect(self.scheduler, self.workers) as client:
                if progress:
                    from tqdm.auto import tqdm

                    bar = tqdm(
                        total=len(self.runs()),
                        initial=len(self.runs()) - len(todo),
                        unit="run",
                        desc=f"sweep {self.name}",
                    )
                _check_workers(client, self.path.stem, self.defaults)
                futures = {
                    client.submit(
                        run_notebook,
                        self.path.stem,
                        self.defaults,
                        combination,
                        seed,
                        key=f"{self.name}-{self.key(combination, seed)}-{time.time_ns()}",
                        pure=False,
                    ): (combination, seed)
                    for combination, seed in todo
                }
                from distributed import as_completed

                for future in as_completed(futures):
                    combination, seed = futures.pop(future)
                    row = self._row_of(future, combination, seed)
                    self._append(row)
                    if bar is not None:
                        bar.update(1)
                        if row["status"] != "ok":
                            bar.write(f"run {row['parameters']} seed {row['seed']} failed: {row['error']}")
        finally:
            if bar is not None:
                bar.close()
        return self.rows()

    def _row_of(self, future, combination, seed):
        """The row a finished task returned, or a failed row saying why the task itself failed
        (`distributed.KilledWorker`: its workers died too many times)."""
        try:
            row = future.result()
        except Exception as error:  # the run never returned: say why, and go on
            row = _row(combination, seed, status="failed", error=_one_line(error))
        return {**row, "settings": self.settings(combination, seed)}

    def rows(self) -> list[dict[str, Any]]:
        """The recorded rows, in the order of the grid and the seeds."""
        finished = self.finished()
        return [finished[self.key(c, s)] for c, s in self.runs() if self.key(c, s) in finished]

    def _append(self, row):
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


def _row(combination, seed, **values):
    """A CSV row of a run (without its settings, which the client adds)."""
    row = dict(
        status="ok",
        seed=seed,
        parameters=combination,
        validation_accuracy=None,
        test_accuracy=None,
        train_seconds=None,
        error="",
    )
    return {**row, **values}


def run_notebook(
    notebook: str,
    defaults: Mapping[str, Any],
    combination: Mapping[str, Any],
    seed: int,
    threads: int | None = None,
) -> dict[str, Any]:
    """One run of a sweep, as a Dask task on a worker: the notebook `notebook`, as the worker's copy of
    the project has it, with `combination` and `seed`, in a temporary folder; returns its row.

    `defaults` is the notebook's parameters cell as the client read it: a worker whose copy differs
    refuses the run, since its row would record settings it did not use. `threads` is the number of
    threads the run may use; by default its share of the cores of the machine it runs on
    (`threads_here`). A failing run returns a failed row (the error in one line), it does not raise.
    """
    from .notebook_runner import copy_restored, execute

    row = _row(combination, seed)
    try:
        path = _same_notebook(notebook, defaults)
        count = str(threads or threads_here())
        with tempfile.TemporaryDirectory(prefix="sweep-run-") as scratch:
            environment = {
                paths.OUTPUT_DIR_VARIABLE: scratch,
                "MNIST_TUTORIAL_THREADS": count,
                "OMP_NUM_THREADS": count,
            }
            output = Path(scratch) / path.name
            try:
                copy_restored(catalog.find(notebook), paths.output_dir(), scratch)
            except FileNotFoundError as error:
                raise SweepError(str(error)) from None
            in_a_thread_of_its_own(
                execute_starting_kernel_again,
                execute,
                path,
                output,
                parameters={**combination, "seed": seed},
                environment=environment,
            )
            record = _read_record(Path(scratch), path.stem)
        row.update(
            validation_accuracy=record["validation_accuracy"],
            test_accuracy=record["test_accuracy"],
            train_seconds=record["train_seconds"],
        )
    except Exception as error:  # a failed run is reported, and the sweep goes on
        row.update(status="failed", error=_one_line(error))
    return row


def _same_notebook(notebook: str, defaults: Mapping[str, Any]) -> Path:
    """The path of this machine's copy of `notebook`; SweepError if its parameters cell is not `defaults`."""
    path = notebook_path(notebook)
    if parameters_of(path) != dict(defaults):
        raise SweepError(
            f"this worker's copy of {path.name} has another parameters cell than the client's: install the "
            f"same version of the project on every worker."
        )
    return path


def _can_run(notebook: str, defaults: Mapping[str, Any]) -> str | None:
    """Run on every worker before a sweep: None if it can run `notebook` as the client has it, else why not."""
    try:
        _same_notebook(notebook, defaults)  # reads the parameters cell with papermill, which runs the notebook
    except Exception as error:
        return _one_line(error)
    return None


def _check_workers(client, notebook: str, defaults: Mapping[str, Any]) -> None:
    """SweepError, naming the worker, unless the cluster has a worker within WORKER_WAIT seconds and
    every worker has this project, with the same parameters cell of `notebook`."""
    try:
        client.wait_for_workers(1, timeout=WORKER_WAIT)
    except TimeoutError:
        raise SweepError(
            f"{describe(client)} has no workers (none joined within {WORKER_WAIT:.0f} s): start them with "
            f"`dask worker {client.scheduler.address} --nworkers $(nproc) --nthreads 1` on machines with the project."
        ) from None
    try:
        answers = client.run(_can_run, notebook, defaults)
    except Exception as error:  # the worker could not even load this module
        raise SweepError(
            f"a worker of {describe(client)} cannot run sweeps ({_one_line(error)}): install the project "
            f'on every worker (README.md, "A sweep on several machines").'
        ) from None
    for address, problem in sorted(answers.items()):
        if problem:
            raise SweepError(f"the worker at {address} cannot run {notebook}: {problem}")


def threads_here() -> int:
    """The threads a run may use on the machine it runs on: its cores shared among the worker threads
    there (asked of the scheduler when running on a Dask worker), so that the runs on one machine do
    not ask for more threads than it has cores."""
    cores = os.cpu_count() or 1
    try:
        from distributed import get_client, get_worker

        worker = get_worker()
    except (ImportError, ValueError):  # not on a worker
        return cores
    from distributed.comm import get_address_host

    host = get_address_host(worker.address)
    try:
        workers = get_client().scheduler_info(n_workers=-1)["workers"]
        threads = sum(info["nthreads"] for address, info in workers.items() if get_address_host(address) == host)
    except Exception:  # the scheduler did not answer: count this worker's threads alone
        threads = worker.state.nthreads
    return max(1, cores // max(1, threads))


def in_a_thread_of_its_own(function, *args: Any, **kwargs: Any) -> Any:
    """`function(*args, **kwargs)`, called in a new thread with a name of its own, and its event loop closed
    after. papermill runs its kernel through jupyter_core's `run_sync`, which reuses the event loop it finds
    in the caller's context: a Dask task in a worker thread of this process can inherit one that is running
    elsewhere ("This event loop is already running"). A new thread starts with an empty context."""
    import asyncio
    import threading
    import uuid

    outcome: dict[str, Any] = {}

    def call():
        try:
            outcome["value"] = function(*args, **kwargs)
        except BaseException as error:  # handed to the caller, who raises it
            outcome["error"] = error
        finally:
            with contextlib.suppress(RuntimeError):  # no loop was made in this thread
                asyncio.get_event_loop_policy().get_event_loop().close()

    thread = threading.Thread(target=call, name=f"sweep-run-{uuid.uuid4().hex[:12]}", daemon=True)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def execute_starting_kernel_again(execute, source: Path, output: Path, **options: Any) -> Any:
    """`execute(source, output, **options)`, started again (up to KERNEL_STARTS times in all) when it
    fails before its first cell ran: a kernel that did not start. A failure in a cell is the run's own,
    and raised at once."""
    from .notebook_runner import started_cells

    for start in range(1, KERNEL_STARTS + 1):
        try:
            return execute(source, output, **options)
        except Exception:
            if start == KERNEL_STARTS or started_cells(output):
                raise
            time.sleep(KERNEL_RESTART_PAUSE * start)


def scheduler_from(scheduler: Any = None) -> Any:
    """Where a sweep's runs go: `scheduler` as given (an address, a Client or a cluster object); if
    None, the address in MNIST_TUTORIAL_SCHEDULER; None (a local cluster) for "local" or neither."""
    if scheduler is None:
        scheduler = os.environ.get(SCHEDULER_VARIABLE, "").strip() or None
    if isinstance(scheduler, str) and scheduler.strip().lower() in ("", "local"):
        return None
    return scheduler


def describe(scheduler: Any) -> str:
    """ "the Dask cluster at tcp://host:8786", or "a local cluster" for None."""
    if scheduler is None:
        return "a local cluster"
    address = getattr(scheduler, "scheduler_address", None)
    if address is None and hasattr(scheduler, "scheduler"):  # a Client
        address = getattr(scheduler.scheduler, "address", None)
    return f"the Dask cluster at {address or scheduler}"


@contextlib.contextmanager
def _connect(scheduler, workers):
    """A `distributed.Client`: to `scheduler` (an address; a Client, used as it is; or a cluster object),
    or to a local cluster of `workers` one-thread workers in this process (the runs are kernels, processes
    of their own: worker processes would only add their start and their traffic), started now and closed
    with the client. Prints the dashboard's address, where the runs can be watched."""
    from distributed import Client, LocalCluster

    if isinstance(scheduler, Client):
        print(f"Sweep runs on {describe(scheduler)}; dashboard: {scheduler.dashboard_link}")
        yield scheduler
    elif scheduler is not None:
        try:
            if isinstance(scheduler, str):
                _check_reachable(scheduler)
            client = Client(scheduler, timeout="20s")
        except OSError as error:
            raise SweepError(
                f"cannot reach a Dask scheduler at {scheduler} ({_one_line(error)}): start one with "
                f"`dask scheduler`, or leave out --scheduler (and {SCHEDULER_VARIABLE}) to run on this machine."
            ) from None
        with client:
            print(f"Sweep runs on {describe(client)}; dashboard: {client.dashboard_link}")
            yield client
    else:
        with (
            LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=False, silence_logs=logging.ERROR
            ) as cluster,
            Client(cluster) as client,
        ):
            print(f"Sweep runs on a local cluster of {workers} workers; dashboard: {client.dashboard_link}")
            yield client


def _check_reachable(address: str) -> None:
    """Raise OSError at once if nothing listens at the tcp:// `address` (Dask's client would try for
    its whole timeout); other protocols are left to the client."""
    import socket

    protocol, _, location = address.rpartition("://")
    if protocol not in ("", "tcp"):
        return
    host, _, port = location.rpartition(":")
    if not port.isdigit():
        raise OSError(f"{address!r} is not an address such as tcp://host:8786")
    socket.create_connection((host.strip("[]"), int(port)), timeout=10).close()


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
