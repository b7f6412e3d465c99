"""Unmodified classic TF 1.x tutorial code runs on TF 2 with only its import line changed."""

import shutil
import subprocess
import sys
from pathlib import Path

from mnist_tutorial import mnist_files, paths

CLASSIC = Path(__file__).parent / "data" / "classic_mnist_softmax.py"


def test_classic_softmax_tutorial_reaches_90_percent(tmp_path):
    (tmp_path / "MNIST_data").mkdir()
    for spec in mnist_files.ALL_FILES:  # an old MNIST_data/ folder, as the tutorial left it
        shutil.copy(paths.REPO_ROOT / "mnist_data" / spec.name, tmp_path / "MNIST_data")
    run = subprocess.run([sys.executable, str(CLASSIC)], cwd=tmp_path, capture_output=True,
                         text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    accuracy = float(run.stdout.strip().splitlines()[-1])
    assert accuracy >= 0.90, f"test accuracy {accuracy:.4f}"
