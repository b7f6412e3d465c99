"""How a sweep's runs are made: each a papermill run of the notebook in a temporary folder, as a task
of a Dask cluster, which the client collects as they finish.

By default the cluster is a local one, started for the sweep in this process (a one-thread worker per
core, each starting its runs' kernels, which are processes of their own and use their share of the
cores); it listens on loopback only, its dashboard included, so that nobody else on the network can
read it. Or the runs go to a cluster you started, on other machines, given by its address
(`scheduler=`, or MNIST_TUTORIAL_SCHEDULER): every worker is asked first whether it can run the
notebook as the client has it. A run whose worker dies is run again on another (and recorded once);
a kernel that fails to start is started again.
"""

import contextlib
import json
import logging
import os
import tempfile
import time
import traceback
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from . import catalog, environment, paths, results
from .sweep_grid import SweepError, key, notebook_path, parameters_of
from .sweep_records import MEASURES, check_measures, new_row

#: The address of a running Dask scheduler ("tcp://host:8786") to send the runs to, when the
#: sweep is not given one; unset, a sweep starts a local cluster.
SCHEDULER_VARIABLE = environment.SCHEDULER
#: How many times a run's kernel is started before the run counts as failed (kernels that fail to
#: start are a known race of Jupyter's kernel start under load), and the pause after each failure.
KERNEL_STARTS, KERNEL_RESTART_PAUSE = 3, 2.0
#: How long a sweep waits for a cluster given by address to have a worker, in seconds.
WORKER_WAIT = 30.0
#: Where a local cluster's servers listen: loopback only. Its dashboard is at this address's port
#: 8787 unless that port is taken (then at one the system gives).
LOOPBACK = "127.0.0.1"


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

    row = new_row(dict(combination), seed)
    try:
        path = _same_notebook(notebook, defaults)
        count = str(threads or threads_here())
        with tempfile.TemporaryDirectory(prefix="sweep-run-") as scratch:
            environment_of_run = {
                paths.OUTPUT_DIR_VARIABLE: scratch,
                environment.THREADS: count,
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
                environment=environment_of_run,
            )
            record = _read_record(Path(scratch), path.stem)
        row.update(
            **{measure: record[measure] for measure in MEASURES},
            train_seconds=record["train_seconds"],
            measures=check_measures(record.get("measures", {})),
        )
    except Exception as error:  # a failed run is reported, and the sweep goes on
        row.update(status="failed", error=one_line(error))
    return row


def _read_record(folder: Path, stem: str) -> dict[str, Any]:
    """The record the run wrote in `folder`, checked as every record is read (`results.check_record`)."""
    path = folder / "results" / f"{stem}.json"
    if not path.exists():
        raise SweepError(f"the run finished without writing results/{stem}.json")
    try:
        record = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise SweepError(f"the run's results/{stem}.json cannot be read ({error})") from None
    results.check_record(record, stem, path)
    if not isinstance(record.get("train_seconds"), (int, float)) or isinstance(record["train_seconds"], bool):
        raise SweepError(f"the run's results/{stem}.json has no train_seconds")
    return record


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
        return one_line(error)
    return None


def check_workers(client: Any, notebook: str, defaults: Mapping[str, Any]) -> None:
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
            f"a worker of {describe(client)} cannot run sweeps ({one_line(error)}): install the project "
            f'on every worker (README.md, "A sweep on several machines").'
        ) from None
    for address, problem in sorted(answers.items()):
        if problem:
            raise SweepError(f"the worker at {address} cannot run {notebook}: {problem}")


def run_tasks(
    client: Any,
    task: Callable[..., dict[str, Any]],
    todo: list[tuple[dict[str, Any], int]],
    arguments: tuple[Any, ...],
    name: str,
    finished: Callable[[dict[str, Any], dict[str, Any], int], None],
) -> None:
    """Submit `task(*arguments, combination, seed)` for each (combination, seed) of `todo` to `client`'s
    cluster, and call `finished(row, combination, seed)` as each comes back, in the order they finish.
    A task that raised (its workers died too many times) gives a failed row saying why."""
    from distributed import as_completed

    futures = {
        client.submit(
            task, *arguments, combination, seed, key=f"{name}-{key(combination, seed)}-{time.time_ns()}", pure=False
        ): (combination, seed)
        for combination, seed in todo
    }
    for future in as_completed(futures):
        combination, seed = futures.pop(future)
        try:
            row = future.result()
        except Exception as error:  # the run never returned: say why, and go on
            row = new_row(combination, seed, status="failed", error=one_line(error))
        finished(row, combination, seed)


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


def in_a_thread_of_its_own(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
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


def execute_starting_kernel_again(execute: Callable[..., Any], source: Path, output: Path, **options: Any) -> Any:
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


def scheduler_from(scheduler: Any = None, source: str = "scheduler=") -> Any:
    """Where a sweep's runs go: `scheduler` as given (an address, a Client or a cluster object); if
    None, the address in MNIST_TUTORIAL_SCHEDULER; None (a local cluster) for "local" or neither.

    An address is checked first: anything but "local" or tcp://host:port is refused in one line naming
    `source` (how it was given, such as "--scheduler") or the variable; "host:port" is taken as tcp.
    """
    if scheduler is None:
        value = environment.text(SCHEDULER_VARIABLE)
        return environment.scheduler_address(value, SCHEDULER_VARIABLE) if value is not None else None
    if isinstance(scheduler, str):
        try:
            return environment.scheduler_address(scheduler, source)
        except ValueError as error:
            raise SweepError(str(error)) from None
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
def connect(scheduler: Any, workers: int) -> Any:
    """A `distributed.Client`: to `scheduler` (an address; a Client, used as it is; or a cluster object),
    or to a local cluster of `workers` one-thread workers in this process (the runs are kernels, processes
    of their own: worker processes would only add their start and their traffic), started now and closed
    with the client. Prints the dashboard's address, where the runs can be watched.

    A local cluster listens on loopback only: its scheduler talks to its workers inside this process, and
    its dashboard and the workers' HTTP servers take connections from this machine alone."""
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
                f"cannot reach a Dask scheduler at {scheduler} ({one_line(error)}): start one with "
                f"`dask scheduler`, or leave out --scheduler (and {SCHEDULER_VARIABLE}) to run on this machine."
            ) from None
        with client:
            print(f"Sweep runs on {describe(client)}; dashboard: {client.dashboard_link}")
            yield client
    else:
        with warnings.catch_warnings():  # "Port 8787 is already in use": the link printed below says where it is
            warnings.filterwarnings("ignore", message="Port 8787 is already in use", category=UserWarning)
            cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=False,
                silence_logs=logging.ERROR,
                dashboard_address=f"{LOOPBACK}:8787",
                worker_dashboard_address=f"{LOOPBACK}:0",
            )
        with cluster, Client(cluster) as client:
            link = f"http://{LOOPBACK}:{cluster.scheduler.http_server.port}/status"
            print(f"Sweep runs on a local cluster of {workers} workers; dashboard: {link}")
            yield client


def _check_reachable(address: str) -> None:
    """Raise OSError at once if nothing listens at the tcp:// `address` (Dask's client would try for
    its whole timeout)."""
    import socket

    location = address.rpartition("://")[2]
    host, _, port = location.rpartition(":")
    socket.create_connection((host.strip("[]"), int(port)), timeout=10).close()


def one_line(error: BaseException) -> str:
    """An error as one line of at most 300 characters: its name and the first line of its message."""
    ename = getattr(error, "ename", type(error).__name__)
    evalue = getattr(error, "evalue", str(error)) or ""
    text = f"{ename}: {evalue}".strip()
    return text.splitlines()[0][:300] if text else traceback.format_exception_only(error)[-1].strip()
