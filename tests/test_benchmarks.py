"""The training-loop benchmark runs and prints its table (its figures are not checked: the
machines are shared and noisy; `make bench` is where they are read)."""

import subprocess
import sys

import pytest

from mnist_tutorial import catalog, paths

BENCHMARKED = tuple(notebook.name for notebook in catalog.benchmarked("training_loop"))


@pytest.mark.slow
def test_the_training_loop_benchmark_prints_a_row_per_network(output_dir):
    run = subprocess.run([sys.executable, str(paths.REPO_ROOT / "benchmarks" / "training_loop.py"),
                          "--steps", "60", "--repeats", "1"],
                         cwd=paths.REPO_ROOT / "notebooks", capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr[-2000:]
    rows = [line.split() for line in run.stdout.splitlines() if line.startswith(BENCHMARKED)]
    assert [row[0] for row in rows] == list(BENCHMARKED)
    for row in rows:
        assert row[1] == "60" and row[2] == "1", row
        assert row[8].endswith("x") and row[9].endswith("x") and row[-1].endswith("%"), row
    assert "Keras failed" not in run.stdout
    assert not (output_dir / "runs").exists(), "its logs go to a temporary folder, not the output folder"
