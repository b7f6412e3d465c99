"""A sweep's CSV file: one line per finished run, appended as the run comes back, read back to resume.

Each line keeps a run's outcome with every setting it ran with (`settings`), so that a sweep started
again skips what it finished with the notebook as it is now. The file is written by people's
machines and read back by people: a line may be cut short by a full disk or a kill, glued to the next
by an editor that dropped the final newline, or edited by hand. Reading is line by line, and a line
that cannot be read is reported in one line (the file, the line's number and what is wrong) and left
out, while the rest is used: its run is made again unless another line records it. Appending first
ends an unfinished last line, so that a new line is never glued to it.
"""

import ast
import csv
import io
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .sweep_grid import SweepError, key

FIELDS = (
    "status",
    "seed",
    "parameters",
    "validation_accuracy",
    "test_accuracy",
    "train_seconds",
    "measures",
    "error",
    "settings",
)
#: What every run records: the validation accuracy (what a sweep's table and plot compare, and choices
#: are made on) and the test accuracy (kept for the spread of a final result over seeds). A run's
#: record may keep more numbers under its key "measures", which the CSV file keeps in its column
#: `measures` and `Sweep.summary()` summarises by name.
MEASURES = ("validation_accuracy", "test_accuracy")
STATUSES = ("ok", "failed")


class DamagedLine(ValueError):
    """A line of a sweep's CSV file that cannot be read as a run."""


def new_row(combination: dict[str, Any], seed: int, **values: Any) -> dict[str, Any]:
    """A row of a run (without its settings, which the client adds), "ok" unless `values` say otherwise."""
    row = dict(
        status="ok",
        seed=seed,
        parameters=combination,
        validation_accuracy=None,
        test_accuracy=None,
        train_seconds=None,
        measures={},
        error="",
    )
    return {**row, **values}


def check_measures(measures: Any) -> dict[str, float]:
    """`measures` as {name: number}, checked: names that are identifiers, other than the columns'
    own measures, and finite numbers. DamagedLine (a ValueError) says what is wrong otherwise."""
    if not isinstance(measures, dict):
        raise DamagedLine(f"its measures are a {type(measures).__name__}, not a dict of numbers")
    for name, value in measures.items():
        if not isinstance(name, str) or not name.isidentifier() or name in MEASURES:
            raise DamagedLine(f"{name!r} cannot name a measure (a name such as drawn_validation_accuracy)")
        if not _is_finite_number(value):
            raise DamagedLine(f"its measure {name} is {value!r}, not a finite number")
    return {name: float(value) for name, value in measures.items()}


def is_current_format(path: Path) -> bool:
    """Whether the file at `path` starts with this module's header (an older version's file does not)."""
    with open(path, "rb") as file:
        first = file.readline()
    return first.rstrip(b"\r\n") == ",".join(FIELDS).encode()


def set_aside_older(path: Path) -> Path | None:
    """Rename a file of an older format to `<name>.older.csv` (or `.older-2.csv`, ...), never appending to
    it; return where it went, or None when there is nothing to set aside."""
    if not path.exists() or is_current_format(path):
        return None
    number, aside = 1, path.with_suffix(".older.csv")
    while aside.exists():
        number += 1
        aside = path.with_suffix(f".older-{number}.csv")
    path.rename(aside)
    return aside


def read(
    path: Path, settings_of: Callable[[dict[str, Any], int], dict[str, Any]]
) -> tuple[dict[tuple[str, int], dict[str, Any]], list[str]]:
    """({run key: row} of the runs recorded in `path` with the settings `settings_of(combination, seed)`
    gives (a later line of a run wins), [one line per line that cannot be read, saying why]).

    Lines of runs made with other settings (the notebook's parameters cell has changed since) are
    left out without a word. A file of an older format gives nothing: `set_aside_older` moves it.
    """
    if not path.exists() or not is_current_format(path):
        return {}, []
    rows, problems = {}, []
    lines = path.read_bytes().split(b"\n")
    for number, raw in enumerate(lines[1:], start=2):
        if not raw.strip():
            continue
        try:
            row = parse_line(raw)
        except DamagedLine as error:
            problems.append(
                f"{path}, line {number}, cannot be read ({error}): it is left out, and its run is made again "
                f"unless another line records it; delete the line to stop this message."
            )
            continue
        if row["settings"] != settings_of(row["parameters"], row["seed"]):
            continue
        rows[key(row["parameters"], row["seed"])] = row
    return rows, problems


def parse_line(raw: bytes) -> dict[str, Any]:
    """One line of the file (without its newline) as a row; DamagedLine saying what is wrong with it."""
    raw = raw.rstrip(b"\r")
    if b"\x00" in raw:
        raise DamagedLine("it holds NUL bytes, as a file cut short by a crash can")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise DamagedLine("it is not UTF-8 text") from None
    try:
        fields = next(csv.reader([text]))
    except (csv.Error, StopIteration) as error:
        raise DamagedLine(f"it is not a CSV line: {error}") from None
    if len(fields) != len(FIELDS):
        raise DamagedLine(
            f"it has {len(fields)} fields, not {len(FIELDS)}: it was cut short, or joined to another line"
        )
    values = dict(zip(FIELDS, fields))
    if values["status"] not in STATUSES:
        raise DamagedLine(f"its status is {values['status']!r}, not ok or failed")
    seed = values["seed"].strip()
    if not (seed.isascii() and seed.isdigit()):
        raise DamagedLine(f"its seed is {values['seed']!r}, not a whole number")
    ok = values["status"] == "ok"
    row = dict(
        values,
        seed=int(seed),
        parameters=_literal(values, "parameters", dict),
        settings=_literal(values, "settings", dict),
        measures=check_measures(_literal(values, "measures", dict)) if values["measures"] else {},
        train_seconds=_number(values, "train_seconds", required=ok, low=0.0),
        **{measure: _number(values, measure, required=ok, low=0.0, high=1.0) for measure in MEASURES},
    )
    return row


def append(path: Path, row: dict[str, Any]) -> None:
    """Add `row` (with its settings) as a line at the end of `path`, writing the header into a new file.
    An unfinished last line (no final newline) is ended first. SweepError when the disk refuses."""
    line = io.StringIO()
    writer = csv.DictWriter(line, FIELDS)
    new = not path.exists()
    if new:
        writer.writeheader()
    writer.writerow(
        {
            **row,
            "parameters": repr(row["parameters"]),
            "settings": repr(row["settings"]),
            "measures": repr(row.get("measures") or {}),
        }
    )
    data = line.getvalue().encode("utf-8")
    try:
        with open(path, "ab") as file:
            if not new and not _ends_a_line(path):
                data = b"\r\n" + data
            file.write(data)
    except OSError as error:
        raise SweepError(
            f"cannot add a line to {path} ({error.strerror or error}): free some space (or fix what the "
            f"message says), then run the same sweep again to resume it."
        ) from None


def _ends_a_line(path: Path) -> bool:
    with open(path, "rb") as file:
        file.seek(0, io.SEEK_END)
        if file.tell() == 0:
            return True
        file.seek(-1, io.SEEK_END)
        return file.read(1) == b"\n"


def _literal(values: dict[str, str], field: str, kind: type) -> Any:
    try:
        value = ast.literal_eval(values[field])
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        raise DamagedLine(f"its {field} are not a Python literal") from None
    if not isinstance(value, kind):
        raise DamagedLine(f"its {field} are a {type(value).__name__}, not a {kind.__name__}")
    return value


def _number(values: dict[str, str], field: str, required: bool, low: float, high: float = math.inf) -> float | None:
    text = values[field].strip()
    if not text and not required:
        return None
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or not low <= number <= high:
        bounds = f"from {low:g} to {high:g}" if math.isfinite(high) else f"of at least {low:g}"
        raise DamagedLine(f"its {field} is {values[field]!r}, not a number {bounds}")
    return number


def _is_finite_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
