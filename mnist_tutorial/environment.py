"""The environment variables the project reads, each checked before it is used.

A setting read from the environment is easy to get wrong and hard to see, so every reader goes
through this module, which refuses a bad value in one line that names the variable, what it must be,
and what it is:

- `MNIST_TUTORIAL_OUTPUT_DIR` (`paths.output_dir()`): an absolute folder (`~` allowed), where `results/`,
  `checkpoints/` and `runs/` go;
- `MNIST_DATA_DIR` (`paths.default_data_dir()`): an absolute folder (`~` allowed), where the MNIST files are;
- `MNIST_TUTORIAL_THREADS` (`device.session_config()`): a whole number of threads, from 1 to the cores;
- `MNIST_TUTORIAL_SCHEDULER` (`sweep_engine.scheduler_from()`): `local`, or a Dask scheduler's address,
  `tcp://host:port`;
- `MNIST_TUTORIAL_CELL_TIMEOUT` (`notebook_runner.cell_timeout()`, which checks it itself): a whole number
  of seconds, at least 1.

An unset or empty variable means the default. A relative folder is refused rather than resolved: a
notebook's kernel works in `notebooks/` and a command in the shell's folder, so the same relative
value would name two different folders.
"""

import os
from pathlib import Path

OUTPUT_DIR = "MNIST_TUTORIAL_OUTPUT_DIR"
DATA_DIR = "MNIST_DATA_DIR"
THREADS = "MNIST_TUTORIAL_THREADS"
SCHEDULER = "MNIST_TUTORIAL_SCHEDULER"


class EnvironmentVariableError(ValueError):
    """An environment variable of the project has a value it cannot use."""


def text(name: str) -> str | None:
    """The value of variable `name`, or None when it is unset or empty."""
    value = os.environ.get(name, "")
    return value if value else None


def folder(name: str) -> Path | None:
    """The absolute folder variable `name` gives (a leading `~` is the home folder), or None when it is
    unset or empty. EnvironmentVariableError for a relative path."""
    value = text(name)
    if value is None:
        return None
    path = Path(value).expanduser()
    if not path.is_absolute():
        raise EnvironmentVariableError(
            f"{name} is {value!r}, a relative path, which a notebook's kernel (working in notebooks/) and a "
            f"command would each read from their own folder: set it to an absolute path, such as "
            f"{Path.cwd() / path}."
        )
    return path


def whole_number(name: str, low: int, high: int, unit: str, high_meaning: str = "") -> int | None:
    """The whole number variable `name` gives, from `low` to `high` (`unit` names what it counts, as in
    "threads"), or None when it is unset or empty. EnvironmentVariableError otherwise."""
    value = text(name)
    if value is None:
        return None
    stripped = value.strip()
    number = int(stripped) if stripped.isascii() and stripped.isdigit() else None
    if number is None or not low <= number <= high:
        bound = f"{high:,}{f' ({high_meaning})' if high_meaning else ''}"
        raise EnvironmentVariableError(
            f"{name} must be a whole number of {unit} from {low} to {bound}, or unset, not {value!r}: "
            f"change it where it is set (export {name}=...) and start again."
        )
    return number


def scheduler_address(value: str, source: str) -> str | None:
    """`value` as a Dask scheduler's address ("tcp://host:8786"; "host:8786" is taken as tcp), or None
    for "local" or an empty value. ValueError (EnvironmentVariableError when `source` is the variable
    SCHEDULER) naming `source` for anything else, such as another protocol or no port."""
    stripped = value.strip()
    if stripped.lower() in ("", "local"):
        return None
    protocol, separator, location = stripped.rpartition("://")
    host, _, port = location.rpartition(":")
    problem = None
    if separator and protocol != "tcp":
        problem = (
            f"a sweep reaches its scheduler over tcp://, not {protocol}://: for TLS or another protocol, "
            f"make a distributed.Client with its security settings and pass it as scheduler= from Python"
        )
    elif not host.strip("[]") or not port.isascii() or not port.isdigit() or not 1 <= int(port) <= 65535:
        problem = "it must be 'local' or a Dask scheduler's address with its port, such as tcp://host:8786"
    if problem:
        error = EnvironmentVariableError if source == SCHEDULER else ValueError
        raise error(f"{source} is {value!r}: {problem}.")
    return stripped if separator else f"tcp://{stripped}"
