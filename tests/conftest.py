"""Shared fixtures. Every test writes results and checkpoints to a folder of its own, never to yours.

The quick runs of the training notebooks happen once per test session; a test that needs
their checkpoints gets its own copy, so no test can change what another one restores.
"""

import shutil
from concurrent.futures import ThreadPoolExecutor

import pytest

from mnist_tutorial import catalog, paths

from exercise_runs import run_notebook_with_trials
from notebook_runs import TRAINING_NOTEBOOKS, output_dir_set_to, quick


@pytest.fixture(autouse=True)
def output_dir(tmp_path_factory, monkeypatch):
    """results/ and checkpoints/ for this test alone (the kernels it starts inherit the setting)."""
    directory = tmp_path_factory.mktemp("outputs")
    monkeypatch.setenv(paths.OUTPUT_DIR_VARIABLE, str(directory))
    return directory


@pytest.fixture(scope="session")
def quick_runs(tmp_path_factory):
    """The training notebooks run once with their quick parameters: {name: executed notebook}, and
    the folder holding their results and checkpoints. Read-only for the tests. Each run also tries the
    answers of its notebook's write-the-code exercises, in cells added after their checks
    (`exercise_trials.with_trials`), so that those need no run of their own."""
    outputs = tmp_path_factory.mktemp("quick-outputs")
    executed = tmp_path_factory.mktemp("quick-notebooks")
    first = [name for name in TRAINING_NOTEBOOKS if not catalog.restored_by(catalog.find(name))]
    with output_dir_set_to(outputs), ThreadPoolExecutor(max_workers=2) as pool:  # two kernels: two cores
        runs = {name: pool.submit(run_notebook_with_trials, name, executed, quick(name)) for name in first}
        notebooks = {name: run.result() for name, run in runs.items()}
        # Then those that restore a network trained above, once it is saved.
        runs = {
            name: pool.submit(run_notebook_with_trials, name, executed, quick(name))
            for name in TRAINING_NOTEBOOKS
            if name not in first
        }
        notebooks.update({name: run.result() for name, run in runs.items()})
    return {name: notebooks[name] for name in TRAINING_NOTEBOOKS}, outputs


@pytest.fixture
def trained_checkpoints(quick_runs, output_dir):
    """This test's own copy of the quick runs' checkpoints and records, in its output folder."""
    _, outputs = quick_runs
    for folder in ("checkpoints", "results"):
        shutil.copytree(outputs / folder, output_dir / folder, dirs_exist_ok=True)
    return output_dir / "checkpoints"
