"""Execute a notebook headless with papermill, in a fresh kernel, with a time limit for each cell.

`make notebooks`, the sweeps and the tests all run notebooks through `execute()`, so that a cell that
hangs stops the run with a message naming the notebook and the cell, instead of waiting for ever.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import nbformat

from . import catalog

#: The kernel's own start-up warnings (ipykernel 7 warns that it talks over TCP on loopback) are
#: not the notebooks' output; errors still show.
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=ERROR"]
#: Seconds one cell may run. The slowest cell of the series (a full training run on two cores)
#: takes under two minutes; a cell still running after this long is stuck.
CELL_TIMEOUT = 900
#: Set this (in seconds) to change CELL_TIMEOUT for every run, for example on a slow machine.
CELL_TIMEOUT_VARIABLE = "MNIST_TUTORIAL_CELL_TIMEOUT"


class NotebookTimeout(TimeoutError):
    """A cell of a notebook ran past the time limit."""


def cell_timeout() -> int:
    """The time limit of one cell, in seconds: CELL_TIMEOUT unless the environment sets another."""
    text = os.environ.get(CELL_TIMEOUT_VARIABLE, "").strip()
    if not text:
        return CELL_TIMEOUT
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"{CELL_TIMEOUT_VARIABLE} must be a whole number of seconds, at least 1, not {text!r}.")
    return int(text)


def execute(
    source: str | Path,
    output: str | Path,
    parameters: dict[str, Any] | None = None,
    timeout: int | None = None,
    environment: dict[str, str] | None = None,
    **papermill_options: Any,
) -> nbformat.NotebookNode:
    """Run `source` top to bottom into `output` (the kernel's working folder is the notebook's own);
    return the executed notebook. `environment` adds variables to the kernel's (this process's own are
    left alone, so that runs in parallel threads can each have theirs).

    A failing cell raises papermill's PapermillExecutionError (with the error's name and value); a
    cell that runs longer than `timeout` seconds (default: `cell_timeout()`) raises NotebookTimeout.
    """
    import papermill
    from nbclient.exceptions import CellTimeoutError

    source, output = Path(source), Path(output)
    timeout = timeout or cell_timeout()
    try:
        papermill.execute_notebook(
            str(source),
            str(output),
            parameters=parameters or {},
            cwd=str(source.parent),
            kernel_name="python3",
            progress_bar=False,
            extra_arguments=KERNEL_ARGUMENTS,
            execution_timeout=timeout,
            **({"kernel_manager_class": _kernel_manager_with(environment)} if environment else {}),
            **papermill_options,
        )
    except CellTimeoutError:
        raise NotebookTimeout(
            f"{source.name}: {_last_started_cell(output)} ran longer than {timeout} s, the "
            f"limit for one cell, and was stopped. If it is only slow, set "
            f"{CELL_TIMEOUT_VARIABLE} to more seconds."
        ) from None
    return nbformat.read(output, as_version=4)


def _kernel_manager_with(environment):
    """A kernel manager whose kernels start with `environment` added to this process's variables."""
    from jupyter_client.manager import AsyncKernelManager

    class KernelManagerWithEnvironment(AsyncKernelManager):
        async def start_kernel(self, **kwargs):
            kwargs["env"] = {**os.environ, **kwargs.get("env", {}), **environment}
            return await super().start_kernel(**kwargs)

    return KernelManagerWithEnvironment


def started_cells(path: Path) -> list[int]:
    """The indices of the cells papermill started in the (partly) executed `path`; none if it is missing
    or unreadable (the run stopped before its kernel ran anything)."""
    return [index for index, _ in _started(path)]


def _started(path: Path) -> list[tuple[int, Any]]:
    """(index, cell) of each cell papermill started in `path`, read once."""
    try:
        cells = nbformat.read(path, as_version=4).cells
    except (OSError, ValueError):
        return []
    return [(index, cell) for index, cell in enumerate(cells) if cell.metadata.get("papermill", {}).get("start_time")]


def _last_started_cell(path: Path) -> str:
    """ "cell N (first line)" of the last cell papermill started in the partly executed `path`."""
    started = _started(path)
    if not started:
        return "a cell"
    index, cell = started[-1]
    lines = cell.source.strip().splitlines()
    return f"cell {index} ({lines[0][:60] if lines else 'empty'})"


def copy_restored(notebook: catalog.Notebook, source: str | os.PathLike, target: str | os.PathLike) -> list[str]:
    """Copy the checkpoints and records of the networks `notebook` restores (catalog `restored_by`) from
    the output folder `source` (one with checkpoints/ and results/) into the output folder `target`, so
    that a run of `notebook` with `target` as its output folder finds them; return their names.

    FileNotFoundError, naming the notebook to run first, when one of them is not in `source`.
    """
    names = catalog.restored_by(notebook)
    for name in names:
        checkpoint = Path(source) / "checkpoints" / name
        record = Path(source) / "results" / f"{name}.json"
        if not (checkpoint.is_dir() and record.is_file()):
            raise FileNotFoundError(
                f"{notebook.name} restores the network of {name}, which is not saved in {source}: "
                f"run notebook {name} there first (make notebooks)."
            )
        shutil.copytree(checkpoint, Path(target) / "checkpoints" / name, dirs_exist_ok=True)
        (Path(target) / "results").mkdir(parents=True, exist_ok=True)
        shutil.copy2(record, Path(target) / "results" / record.name)
    return names
