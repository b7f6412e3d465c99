"""The record of a training run: `results/<run name>.json`, which `make notebooks` tabulates."""

import json
import platform
import time

from . import paths


def save(run_name, test_accuracy, training_steps, train_seconds, hyperparameters, **extra):
    """Write the run's record and return its path. Values must be JSON-serialisable."""
    record = {
        "run": run_name,
        "test_accuracy": round(float(test_accuracy), 6),
        "training_steps": int(training_steps),
        "train_seconds": round(float(train_seconds), 2),
        "hyperparameters": hyperparameters,
        **extra,
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": platform.machine(),
    }
    path = paths.results_path(run_name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=2) + "\n")
    return path


def load(run_name):
    """The record a run saved, or None if it has not run yet."""
    path = paths.results_path(run_name)
    return json.loads(path.read_text()) if path.exists() else None


def print_comparison(current_run, current_accuracy, earlier_runs):
    """Print the test accuracy that earlier notebooks recorded, then this run's, one per line."""
    width = max(len(name) for name in (*earlier_runs, current_run)) + 2
    for name in earlier_runs:
        record = load(name)
        print(f"{name:<{width}}" + (f"{record['test_accuracy']:.4f}" if record else "not run yet"))
    print(f"{current_run:<{width}}{current_accuracy:.4f}")
