"""The training-loop benchmark runs and prints its table (its figures are not checked: the
machines are shared and noisy; `make bench` is where they are read)."""

import subprocess
import sys

import pytest

from mnist_tutorial import paths

TRAINING_NOTEBOOKS = ("01_softmax", "02_sigmoid_hidden25", "03_five_layers_sigmoid", "04_relu_hidden300")


@pytest.mark.slow
def _log_folders():
    return sorted(str(path) for path in (paths.REPO_ROOT / "runs" / "tensorboard").glob("*/*"))


def test_the_training_loop_benchmark_prints_a_row_per_network(output_dir):
    before = _log_folders()
    run = subprocess.run([sys.executable, str(paths.REPO_ROOT / "benchmarks" / "training_loop.py"),
                          "--steps", "60", "--repeats", "1"],
                         cwd=paths.REPO_ROOT / "notebooks", capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr[-2000:]
    rows = [line.split() for line in run.stdout.splitlines() if line.startswith(TRAINING_NOTEBOOKS)]
    assert [row[0] for row in rows] == list(TRAINING_NOTEBOOKS)
    for row in rows:
        assert row[1] == "60" and row[2] == "1" and row[8].endswith("x") and row[9].endswith("x") and row[-1].endswith("%"), row
    assert "Keras failed" not in run.stdout
    assert _log_folders() == before and not (output_dir / "runs").exists(), "its logs go to a temporary folder"
