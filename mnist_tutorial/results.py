"""The record of a training run: `results/<run name>.json`, which `make notebooks` tabulates and later
notebooks compare themselves with (`comparisons`); and the spread over seeds stored beside the notebooks.

A record (and the checkpoint beside it) is written only for a run that finished and learned,
and always whole (see `atomic_files`): a crash never leaves half a record, and a symlink in its
place is replaced, not followed.
"""

import json
import platform
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from . import atomic_files, checkpoints, paths

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
    compare their network with this one image by image (`comparisons.print_network_comparison`).
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
    """{notebook: {"settings", "seeds", "validation_accuracy", "test_accuracy"[, "measures", "variants"]}} as
    `mnist-seed-spreads` stored them in notebooks/seed_spreads.json (one value per seed, None for a seed
    whose run failed); {} before anything is measured. RecordError, naming the file, if it cannot be read."""
    return _seed_spreads_file().get("notebooks", {})


def seed_spreads_measured() -> dict[str, str]:
    """{notebook: "date, machine"}: when and where each notebook's spread over seeds was measured."""
    return _seed_spreads_file().get("measured", {})


def _seed_spreads_file() -> dict:
    path = paths.REPO_ROOT / "notebooks" / "seed_spreads.json"
    if not path.exists():
        return {}
    try:
        stored = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise RecordError(
            f"{path} cannot be read ({error}): restore it with `git checkout {path.name}` from the notebooks "
            "folder, or measure it again with `make seed-spreads`."
        ) from None
    if not isinstance(stored, dict) or not isinstance(stored.get("notebooks", {}), dict):
        raise RecordError(f"{path} is not a file of seed spreads: restore it with git, or run `make seed-spreads`.")
    return stored


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
