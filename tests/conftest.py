"""Shared fixtures: one output folder for every notebook run of the session, and trained checkpoints."""

import os

import pytest

from mnist_tutorial import paths
from notebook_runs import FAST, run_notebook


@pytest.fixture(scope="session")
def output_dir(tmp_path_factory):
    """results/ and checkpoints/ for the test session's runs, away from the user's own."""
    directory = tmp_path_factory.mktemp("outputs")
    saved = os.environ.get(paths.OUTPUT_DIR_VARIABLE)
    os.environ[paths.OUTPUT_DIR_VARIABLE] = str(directory)
    yield directory
    if saved is None:
        del os.environ[paths.OUTPUT_DIR_VARIABLE]
    else:
        os.environ[paths.OUTPUT_DIR_VARIABLE] = saved


@pytest.fixture(scope="session")
def trained_checkpoints(output_dir, tmp_path_factory):
    """Checkpoints of notebooks 1-4 in the output folder, from quick runs where none exists yet."""
    runs = tmp_path_factory.mktemp("checkpoint-runs")
    for name, parameters in FAST.items():
        if not (output_dir / "checkpoints" / name / "model.index").exists():
            run_notebook(name, runs, parameters)
    return output_dir / "checkpoints"
