"""The record of a training run: `results/<run name>.json`, which `make notebooks` tabulates.

A record (and the checkpoint beside it) is written only for a run that finished and learned,
and always whole (see `atomic_files`): a crash never leaves half a record, and a symlink in its
place is replaced, not followed.
"""

import json
import platform
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from . import atomic_files, checkpoints, paths

if TYPE_CHECKING:
    import tensorflow.compat.v1 as tf

    from .training import TrainingMonitor


class RecordError(ValueError):
    """A run's record exists but cannot be read."""


def save(run_name: str, monitor: "TrainingMonitor", hyperparameters: dict, session: "tf.Session | None" = None,
         saver: "tf.train.Saver | None" = None, **extra) -> Path:
    """Save a finished run: its checkpoint (when `saver` is given) and its record. Returns the record's path.

    Refuses, saving nothing, when `monitor` says the run diverged, failed or did not finish, or its
    test set has not been scored.
    `hyperparameters` and `extra` must be JSON-serialisable.
    """
    monitor.require_finished()
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
        raise RecordError(f"{path} cannot be read ({error}): re-run notebook {run_name[:2]} to write "
                          f"it again.") from None
    if not isinstance(record, dict) or "test_accuracy" not in record:
        raise RecordError(f"{path} is not a run record of this series: re-run notebook {run_name[:2]}.")
    return record


def seed_spreads() -> dict[str, dict]:
    """{notebook: {"mean", "sd", "min", "max", "seeds", "accuracies"}} measured by `mnist-seed-spreads`."""
    path = paths.REPO_ROOT / "notebooks" / "seed_spreads.json"
    return json.loads(path.read_text())["notebooks"] if path.exists() else {}


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
        spread_text = (f"{spread['mean']:.4f} +/- {spread['sd']:.4f} ({spread['min']:.4f}-{spread['max']:.4f})"
                       if spread else "")
        print(f"{name:<{width}}{text:<{column}}{spread_text}".rstrip())


def print_seed_spreads(run_name: str) -> None:
    """Print the spread over seeds 1-5 of notebook `run_name`'s test accuracy with its committed
    parameters, and of each variant measured beside it (catalog `spread_variants`), one line each."""
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
        print(f"  {label:<{width}}{shown['mean']:.4f} +/- {shown['sd']:.4f} ({shown['min']:.4f}-{shown['max']:.4f})")


def _recorded_accuracy(name: str) -> str:
    """The test accuracy run `name` recorded, as printed, or why there is none."""
    try:
        record = load(name)
    except RecordError:
        return "record unreadable: re-run it"
    return f"{record['test_accuracy']:.4f}" if record else "not run yet"
