"""The record of a training run: `results/<run name>.json`, which `make notebooks` tabulates, and
the comparisons of a run with the records of earlier notebooks.

A record (and the checkpoint beside it) is written only for a run that finished and learned,
and always whole (see `atomic_files`): a crash never leaves half a record, and a symlink in its
place is replaced, not followed.
"""

import json
import platform
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from . import atomic_files, checkpoints, paths, significance

if TYPE_CHECKING:
    import tensorflow.compat.v1 as tf

    from .training import TrainingMonitor


class RecordError(ValueError):
    """A run's record exists but cannot be read."""


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
    compare their network with this one image by image (`print_paired_comparison`).
    Refuses, saving nothing, when `monitor` says the run diverged, failed or did not finish, or its
    test set has not been scored.
    `hyperparameters` and `extra` must be JSON-serialisable.
    """
    monitor.require_finished()
    if test_predictions is not None:
        extra["test_predictions"] = _digits_text(test_predictions)
    record = {
        "run": run_name,
        "test_accuracy": round(monitor.final_test_accuracy, 6),
        "validation_accuracy": round(monitor.final_validation_accuracy, 6),
        "training_steps": int(monitor.training_steps),
        "train_seconds": round(float(monitor.train_seconds), 2),
        "hyperparameters": hyperparameters,
        **extra,
    }
    if saver is not None:
        record["checkpoint"] = checkpoints.save(saver, session, run_name)
    record["finished_at"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    record["machine"] = platform.machine()
    path = paths.results_path(run_name)
    path.parent.mkdir(parents=True, exist_ok=True)
    return atomic_files.write_text(path, json.dumps(record, indent=2) + "\n")


def load(run_name: str) -> dict | None:
    """The record a run saved, or None if it has not run yet. RecordError if it cannot be read."""
    path = paths.results_path(run_name)
    if not path.exists():
        return None
    try:
        record = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise RecordError(
            f"{path} cannot be read ({error}): re-run notebook {run_name[:2]} to write it again."
        ) from None
    if not isinstance(record, dict) or "test_accuracy" not in record:
        raise RecordError(f"{path} is not a run record of this series: re-run notebook {run_name[:2]}.")
    return record


def seed_spreads() -> dict[str, dict]:
    """{notebook: {"mean", "sd", "min", "max", "seeds", "accuracies"}} measured by `mnist-seed-spreads`."""
    path = paths.REPO_ROOT / "notebooks" / "seed_spreads.json"
    return json.loads(path.read_text())["notebooks"] if path.exists() else {}


def test_predictions(run_name: str) -> np.ndarray | None:
    """The digit run `run_name` read for each test image, as its record keeps them; None if it has not
    run yet or saved none. RecordError if the record cannot be read."""
    record = load(run_name)
    text = record.get("test_predictions") if record else None
    if text is None:
        return None
    if not isinstance(text, str) or not text.isdigit() or not text.isascii():
        raise RecordError(
            f"the test predictions in {paths.results_path(run_name)} are not a string of digits: "
            f"re-run notebook {run_name[:2]} to write its record again."
        )
    return np.frombuffer(text.encode("ascii"), dtype=np.uint8).astype(np.int64) - ord("0")


def print_paired_comparison(
    current_run: str, predictions: ArrayLike, labels: ArrayLike, earlier_run: str
) -> "significance.PairedComparison | None":
    """Compare this run's test predictions with those notebook `earlier_run` recorded, digit by digit
    and against the spread over seeds of both (`significance.print_comparison`, which prints the
    verdict). Says why and returns None when the earlier run has recorded no predictions."""
    try:
        earlier = test_predictions(earlier_run)
    except RecordError as error:
        print(f"No paired comparison with {earlier_run}: {error}")
        return None
    if earlier is None:
        print(
            f"No paired comparison with {earlier_run}: it has not recorded its test predictions; run notebook "
            f"{earlier_run[:2]} first (make notebooks ARGS={earlier_run[:2]})."
        )
        return None
    return significance.print_comparison(current_run, predictions, earlier_run, earlier, labels, seed_spreads())


def print_comparison(current_run: str, current_accuracy: float, earlier_runs: Sequence[str]) -> None:
    """Print the test accuracy that earlier notebooks recorded, then this run's, one per line, each
    with the spread of its notebook over seeds 1-5 where it has been measured (seed_spreads.json)."""
    spreads = seed_spreads()
    shown = {name: _recorded_accuracy(name) for name in earlier_runs}
    shown[current_run] = f"{current_accuracy:.4f}"
    width = max(len(name) for name in shown) + 2
    column = max(len(text) for text in (*shown.values(), "this run")) + 2
    print(f"{'':<{width}}{'this run':<{column}}{'seeds 1-5: mean +/- sd (min-max)' if spreads else ''}".rstrip())
    for name, text in shown.items():
        spread = spreads.get(name)
        print(f"{name:<{width}}{text:<{column}}{_spread_text(spread) if spread else ''}".rstrip())


def print_seed_spreads(run_name: str) -> None:
    """Print the spread over seeds 1-5 of notebook `run_name`'s test accuracy with its committed
    parameters, and of each variant measured beside it (catalog `spread_variants`), one line each, and
    below a variant that failed to learn with some seeds, which seeds and why."""
    spread = seed_spreads().get(run_name)
    if spread is None:
        print(f"{run_name}: no spread over seeds measured yet (make seed-spreads ARGS={run_name[:2]})")
        return
    rows = [("as committed", spread)]
    for label, variant in spread.get("variants", {}).items():
        changed = ", ".join(f"{key} = {value!r}" for key, value in variant["parameters"].items())
        rows.append((f"{label} ({changed})", variant))
    width = max(len(label) for label, _ in rows) + 2
    print(f"test accuracy of {run_name} over seeds 1-5: mean +/- sd (min-max)")
    for label, shown in rows:
        print(f"  {label:<{width}}{_spread_text(shown)}")
        if shown.get("failed_seeds"):
            failed = shown["failed_seeds"]
            seeds = f"seed{'s' if len(failed) > 1 else ''} {', '.join(map(str, failed))}"
            learned = len(shown["accuracies"]) - len(failed)
            print(
                f"  {'':<{width}}(over the {learned} seeds that learned; with {seeds} it did not: "
                f"{shown['failure'].split('. ')[0]})"
            )


def _spread_text(spread: dict) -> str:
    """A spread over seeds as the tables print it: "mean +/- sd (min-max)"."""
    return f"{spread['mean']:.4f} +/- {spread['sd']:.4f} ({spread['min']:.4f}-{spread['max']:.4f})"


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


def _recorded_accuracy(name: str) -> str:
    """The test accuracy run `name` recorded, as printed, or why there is none."""
    try:
        record = load(name)
    except RecordError:
        return "record unreadable: re-run it"
    return f"{record['test_accuracy']:.4f}" if record else "not run yet"
