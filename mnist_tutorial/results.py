"""The record of a training run: `results/<run name>.json`, which `make notebooks` tabulates and later
notebooks compare themselves with (`comparisons`); and the spread over seeds stored beside the notebooks.

A record (and the checkpoint beside it) is written only for a run that finished and learned,
and always whole, as a pair (see `checkpoints`): a save that fails or is killed at any point keeps
the last good checkpoint beside its record, and a symlink in their place is replaced, not followed.

Records and `notebooks/seed_spreads.json` are files a person or a crash can damage, and other
notebooks read them. Every reader here checks what it reads (`check_record`, `seed_spread`) and
raises RecordError (SeedSpreadsError for the spreads) in one line that names the file and what to do;
the comparisons (`comparisons`) catch it and print that line instead, so that one odd file never stops
a later notebook before its own save.
"""

import json
import math
import platform
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from . import catalog, checkpoints, paths
from .checkpoints import SaveFailed  # noqa: F401  (re-exported: what a failed save raises)

if TYPE_CHECKING:
    import tensorflow.compat.v1 as tf

    from .training import TrainingMonitor


class RecordError(ValueError):
    """A run's record exists but cannot be read, or holds what no run of the series writes."""


class SeedSpreadsError(RecordError):
    """`notebooks/seed_spreads.json`, or one notebook's entry in it, cannot be read."""


def save(
    run_name: str,
    monitor: "TrainingMonitor",
    hyperparameters: dict,
    session: "tf.Session | None" = None,
    saver: "tf.train.Saver | None" = None,
    test_predictions: ArrayLike | None = None,
    **extra: Any,
) -> Path:
    """Save a finished run: its checkpoint (when `saver` is given) and its record. Returns the record's path.

    `test_predictions`, the digit the network reads for each test image, lets later notebooks
    compare their network with this one image by image (`comparisons.print_network_comparison`). Other numbers
    to keep go in `extra`; those under `measures` ({name: number}) are what a sweep of the notebook
    can summarise by name (`Sweep.summary`).
    Refuses, saving nothing, when `monitor` says the run diverged, failed or did not finish, or its
    test set has not been scored. `hyperparameters` and `extra` must be what JSON holds (numbers,
    strings, lists, dicts): anything else is named in one line, before anything is written.
    The checkpoint and the record are saved as a pair: on any failure both stay as they were, and
    SaveFailed says why in one line. Two saves of one notebook at once take turns.
    """
    monitor.require_finished()
    if test_predictions is not None:
        extra["test_predictions"] = _digits_text(test_predictions)
    record = {
        "run": run_name,
        "test_accuracy": round(float(monitor.final_test_accuracy), 6),
        "validation_accuracy": round(float(monitor.final_validation_accuracy), 6),
        "training_steps": int(monitor.training_steps),
        "train_seconds": round(float(monitor.train_seconds), 2),
        "hyperparameters": hyperparameters,
        **extra,
    }
    record_text(record)  # what cannot be written is named before the checkpoint is, too
    with checkpoints.saving(run_name) as pair:
        if saver is not None:
            record["checkpoint"] = pair.stage(saver, session)
        record["finished_at"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        record["machine"] = platform.machine()
        return pair.commit(record_text(record))


def record_text(record: dict[str, Any]) -> str:
    """`record` as the JSON text of its file. SaveFailed, naming the first value JSON cannot hold (a NumPy
    number, an array, a function, NaN) and where it is, before anything is written."""
    found = _unwritable(record, "")
    if found is not None:
        where, value = found
        if isinstance(value, float):
            what = f"{where} = {value!r}, a number JSON cannot write"
        else:
            kind = type(value).__qualname__
            kind = kind if type(value).__module__ == "builtins" else f"{type(value).__module__}.{kind}"
            what = f"{where} = {value!r}, a {kind} (a record keeps numbers, text, True/False, lists and dicts)"
        raise SaveFailed(
            f"Nothing was saved for {record.get('run')}: its record cannot hold {what}: pass the hyperparameters "
            f"through parameters.check (which turns NumPy numbers into Python ones), or give the value as a finite "
            f"Python number or text, then run this cell again. The last good checkpoint and record are kept."
        )
    return json.dumps(record, indent=2, allow_nan=False) + "\n"


def _unwritable(value: Any, where: str) -> tuple[str, Any] | None:
    """(where, value) of the first value in `value` that a JSON record cannot hold; None if there is none."""
    if value is None or isinstance(value, (bool, int, str)):
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else (where, value)
    if isinstance(value, (list, tuple)):
        return next((found for i, item in enumerate(value) if (found := _unwritable(item, f"{where}[{i}]"))), None)
    if isinstance(value, dict):
        for key, item in value.items():
            if key is not None and not isinstance(key, (str, int, float)):  # json writes these as text
                return f"{where} key {key!r}", key
            found = _unwritable(item, f"{where}[{key!r}]" if where else key)
            if found:
                return found
        return None
    return where, value


def check_record(record: Any, run_name: str, path: Path | None = None) -> None:
    """Raise RecordError, in one line naming the file (`path`, by default the run's record) and the notebook
    to re-run, unless `record` has the form a run of the series writes: a JSON object whose `test_accuracy`
    (and `validation_accuracy`) is a finite number from 0 to 1, whose `run` (if any) is `run_name`, and
    whose `test_predictions`, `checkpoint`, `measures`, `training_steps` and `train_seconds`, where present,
    are a string of digits, a {file: SHA-256} table, a {name: finite number} table and numbers of at least 0.
    """
    path = path or paths.results_path(run_name)

    def refuse(problem: str) -> None:
        raise RecordError(f"{path} {problem}: {_rerun(run_name)} to write it again.")

    if not isinstance(record, dict):
        refuse(f"is not a run record of this series (it holds a JSON {type(record).__name__}, not an object)")
    if "test_accuracy" not in record:
        refuse("is not a run record of this series (it has no test_accuracy)")
    if record.get("run", run_name) != run_name:
        refuse(f"is a record from another run ({record['run']!r})")
    for key in ("test_accuracy", "validation_accuracy"):
        if key in record and not (_is_finite(record[key]) and 0 <= record[key] <= 1):
            refuse(f"holds {key} = {record[key]!r}, not a number from 0 to 1")
    for key in ("training_steps", "train_seconds"):
        if key in record and not (_is_finite(record[key]) and record[key] >= 0):
            refuse(f"holds {key} = {record[key]!r}, not a number of at least 0")
    predictions = record.get("test_predictions")
    if predictions is not None and not (
        isinstance(predictions, str) and predictions.isascii() and predictions.isdigit()
    ):
        refuse("holds test predictions that are not a string of digits")
    if "checkpoint" in record and not checkpoints.is_digest_table(record["checkpoint"]):
        refuse("does not list its checkpoint's files as a {file name: SHA-256} table, as its notebook writes them")
    measures = record.get("measures", {})
    if not isinstance(measures, dict) or not all(
        isinstance(name, str) and name.isidentifier() and _is_finite(value) for name, value in measures.items()
    ):
        refuse(f"holds measures = {measures!r}, not a table of names and finite numbers")


def _is_finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def load(run_name: str) -> dict | None:
    """The record a run saved, or None if it has not run yet. RecordError, in one line naming the file and
    the notebook to re-run, if it cannot be read or does not hold what a record holds (`check_record`)."""
    path = paths.results_path(run_name)
    if not path.exists():
        return None
    try:
        record = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise RecordError(f"{path} cannot be read ({reason}): {_rerun(run_name)} to write it again.") from None
    check_record(record, run_name, path)
    return record


def seed_spreads_path() -> Path:
    """`notebooks/seed_spreads.json`, where `mnist-seed-spreads` writes the spreads."""
    return paths.REPO_ROOT / "notebooks" / "seed_spreads.json"


def load_seed_spreads(path: Path | None = None) -> dict[str, Any]:
    """The whole of `notebooks/seed_spreads.json` ({"measured": {...}, "notebooks": {...}}), its entries
    unchecked; {} when it does not exist. SeedSpreadsError, in one line, when it cannot be read or is not of
    that form (empty, cut short, or left with the marks of a merge conflict)."""
    path = path or seed_spreads_path()
    if not path.exists():
        return {}
    fix = f"restore it (git checkout -- {_shown(path)}) or measure the spreads again (make seed-spreads)"
    try:
        stored = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise SeedSpreadsError(f"{path} cannot be read ({reason}): {fix}.") from None
    if not isinstance(stored, dict) or not isinstance(stored.get("notebooks"), dict):
        raise SeedSpreadsError(f'{path} has no table of notebooks under "notebooks": {fix}.')
    if not isinstance(stored.get("measured", {}), dict):
        raise SeedSpreadsError(f'{path} has no table of dates under "measured": {fix}.')
    return stored


def spread_problem(entry: Any) -> str | None:
    """What is wrong with one notebook's entry of seed_spreads.json for its readers, or None: it needs its
    seeds (whole numbers) and, for each seed, its validation and test accuracy (a number, or null for a seed
    whose run failed, which "failed_seeds" and "failure" then name); any `measures` the same way; and its
    variants (if any) the same, with the parameters each changes."""
    if not isinstance(entry, dict):
        return f"is a {type(entry).__name__}, not a table"
    seeds = entry.get("seeds")
    if not isinstance(seeds, list) or len(seeds) < 2 or not all(isinstance(seed, int) for seed in seeds):
        return "has no list of two seeds or more under 'seeds'"
    if "settings" in entry and not isinstance(entry["settings"], dict):
        return "has settings that are not a table of parameters"
    lists = {measure: entry.get(measure) for measure in ("validation_accuracy", "test_accuracy")}
    measures = entry.get("measures", {})
    if not isinstance(measures, dict):
        return "has measures that are not a table"
    lists.update(measures)
    for measure, values in lists.items():
        if not isinstance(values, list) or len(values) != len(seeds):
            return f"has no {measure} for each of its {len(seeds)} seeds"
        if not all(value is None or (_is_finite(value) and 0 <= value <= 1) for value in values):
            return f"has a {measure} that is not a number from 0 to 1"
    failed = [seed for seed, value in zip(seeds, lists["test_accuracy"]) if value is None]
    if failed and not (entry.get("failed_seeds") == failed and isinstance(entry.get("failure"), str)):
        return "has seeds without results that are not named, with the failure, under 'failed_seeds'"
    variants = entry.get("variants", {})
    if not isinstance(variants, dict):
        return "has variants that are not a table"
    for label, variant in variants.items():
        if not isinstance(variant, dict) or not isinstance(variant.get("parameters"), dict):
            return f"has a variant {label!r} without the parameters it changes"
        problem = spread_problem({key: value for key, value in variant.items() if key != "variants"})
        if problem:
            return f"has a variant {label!r} that {problem}"
    return None


def seed_spreads() -> dict[str, dict]:
    """{notebook: {"settings", "seeds", "validation_accuracy", "test_accuracy"[, "measures", "variants"]}} as
    `mnist-seed-spreads` measured them (one value per seed, None for a seed whose run failed),
    leaving out any entry its readers could not use (`seed_spread` names it). SeedSpreadsError when the
    file as a whole cannot be read."""
    notebooks = load_seed_spreads().get("notebooks", {})
    return {name: entry for name, entry in notebooks.items() if spread_problem(entry) is None}


def seed_spread(run_name: str) -> dict | None:
    """Notebook `run_name`'s spread over seeds, as seed_spreads.json keeps it; None if not measured yet.
    SeedSpreadsError, naming the file and the notebook to measure again, if it cannot be used."""
    entry = seed_spreads().get(run_name)
    if entry is not None:
        return entry
    entry = load_seed_spreads().get("notebooks", {}).get(run_name)
    if entry is None:
        return None
    number = notebook_number(run_name)
    again = f"make seed-spreads ARGS={number}" if number else "make seed-spreads"
    raise SeedSpreadsError(
        f"{seed_spreads_path()}: the entry of {run_name} {spread_problem(entry)}: restore the file "
        f"(git checkout -- {_shown(seed_spreads_path())}) or measure it again ({again})."
    )


def test_predictions(run_name: str, images: int | None = None) -> np.ndarray | None:
    """The digit run `run_name` read for each test image, as its record keeps them; None if it has not
    run yet or saved none. RecordError if the record cannot be read, or (given `images`, the number of test
    images) keeps a prediction for another number of images."""
    record = load(run_name)
    text = record.get("test_predictions") if record else None
    if text is None:
        return None
    if images is not None and len(text) != images:
        raise RecordError(
            f"{paths.results_path(run_name)} holds test predictions for {len(text):,} images, not for the "
            f"{images:,} test images: {_rerun(run_name)} to write its record again."
        )
    return np.frombuffer(text.encode("ascii"), dtype=np.uint8).astype(np.int64) - ord("0")


def notebook_number(run_name: str) -> str | None:
    """The number of the notebook that saves `run_name`, as the catalog has it ("04"); None for a name the
    catalog does not know."""
    try:
        return f"{catalog.find(run_name).number:02d}"
    except catalog.NotebookNotFound:
        return None


def _rerun(run_name: str) -> str:
    """ "re-run notebook 04", or for a name the catalog does not know, "re-run the notebook that saves <name>"."""
    number = notebook_number(run_name)
    return f"re-run notebook {number}" if number else f"re-run the notebook that saves {run_name}"


def _shown(path: Path) -> str:
    """`path` from the repository's root when it is inside it (as git takes it), else in full."""
    try:
        return str(path.relative_to(paths.REPO_ROOT))
    except ValueError:
        return str(path)


def _digits_text(predictions: ArrayLike) -> str:
    """Predicted digits as a string of the characters 0-9, one per image; ValueError if they are not digits."""
    digits = np.asarray(predictions)
    if (
        digits.ndim != 1
        or len(digits) == 0
        or not np.issubdtype(digits.dtype, np.integer)
        or digits.min() < 0
        or digits.max() > 9
    ):
        raise ValueError(
            f"test_predictions must be one predicted digit (an integer 0-9) per test image, as "
            f"`session.run(prediction, ...)` gives them, not an array of {digits.dtype} with shape "
            f"{digits.shape}: pass the predicted digits, not the probabilities or one-hot labels."
        )
    return "".join(map(str, digits.tolist()))
