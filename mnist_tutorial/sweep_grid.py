"""What a sweep runs: the training notebook, its parameters cell, and the grid of values to try.

A grid is {parameter: [values]}; every combination of its values runs once per seed. The grid is
checked against the notebook's parameters cell before anything runs, so that a misspelt name or a
value of the wrong kind is refused in one line instead of being added, unused, by papermill.
"""

import ast
import itertools
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from . import catalog


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


def combinations(grid: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """Every combination of the grid's values, as dicts, in grid order (one empty dict for an empty grid)."""
    names = list(grid)
    return [dict(zip(names, values)) for values in itertools.product(*(grid[name] for name in names))]


def key(combination: Mapping[str, Any], seed: int) -> tuple[str, int]:
    """What identifies a run among the recorded rows."""
    return repr(sorted(combination.items())), seed
