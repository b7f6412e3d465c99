"""Shared fixtures. Every test writes results and checkpoints to a folder of its own, never to yours.

The quick runs of the training notebooks happen once per test session, two at a time, and only for
the notebooks the chosen tests use; a test that needs their checkpoints gets its own copy, so no test
can change what another one restores.
"""

import functools
import shutil

import pytest

from mnist_tutorial import catalog, paths

from exercise_runs import run_notebook_with_trials
from notebook_runs import TRAINING_NOTEBOOKS, quick, run_in_turn

#: Part two's notebooks, whose quick runs are the longer ones.
PART_TWO = {notebook.name for notebook in catalog.NOTEBOOKS if notebook.part == catalog.PART_TWO}


@pytest.fixture(autouse=True)
def output_dir(tmp_path_factory, monkeypatch):
    """results/ and checkpoints/ for this test alone (the kernels it starts inherit the setting)."""
    directory = tmp_path_factory.mktemp("outputs")
    monkeypatch.setenv(paths.OUTPUT_DIR_VARIABLE, str(directory))
    return directory


#: The fixtures whose tests need quick runs without naming the notebook: every training notebook is run for them.
NEEDS_EVERY_QUICK_RUN = {"inside_runs"}


def quick_runs_needed(items):
    """The training notebooks whose quick runs the chosen tests `items` use, in run order: the one a test
    names (its `name` parameter) or, for a test that names none, all of them; and the notebooks whose
    networks those restore. A test that asks for the quick runs some other way gets all of them."""
    needed = set()
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if not fixtures & ({"quick_runs"} | NEEDS_EVERY_QUICK_RUN):
            continue
        callspec = getattr(item, "callspec", None)
        name = callspec.params.get("name") if callspec else None
        needed |= (
            {name} if name in TRAINING_NOTEBOOKS and not fixtures & NEEDS_EVERY_QUICK_RUN else set(TRAINING_NOTEBOOKS)
        )
    for name in list(needed):
        needed |= set(catalog.restored_by(catalog.find(name))) & set(TRAINING_NOTEBOOKS)
    return [name for name in TRAINING_NOTEBOOKS if name in needed] or list(TRAINING_NOTEBOOKS)


@pytest.fixture(scope="session")
def quick_runs(tmp_path_factory, request):
    """The training notebooks the session's tests use (`quick_runs_needed`), each run once with its quick
    parameters: {name: executed notebook}, and the folder holding their results and checkpoints.
    Read-only for the tests. Each run also tries the answers of its notebook's write-the-code exercises, in
    cells added after their checks (`exercise_trials.with_trials`), so that those need no run of their own."""
    outputs = tmp_path_factory.mktemp("quick-outputs")
    executed = tmp_path_factory.mktemp("quick-notebooks")
    needed = quick_runs_needed(request.session.items)
    # Two kernels at a time (two cores), the longer runs of part two first, so that a notebook that
    # restores another's network (09 restores 08's) starts as soon as that one has saved it.
    order = sorted(needed, key=lambda name: -catalog.find(name).number if name in PART_TWO else 0)
    jobs = {
        name: (
            [other for other in catalog.restored_by(catalog.find(name)) if other in needed],
            functools.partial(run_notebook_with_trials, name, executed, quick(name), outputs),
        )
        for name in order
    }
    notebooks = run_in_turn(jobs)
    return {name: notebooks[name] for name in needed}, outputs


@pytest.fixture
def trained_checkpoints(quick_runs, output_dir):
    """This test's own copy of the quick runs' checkpoints and records, in its output folder."""
    _, outputs = quick_runs
    for folder in ("checkpoints", "results"):
        shutil.copytree(outputs / folder, output_dir / folder, dirs_exist_ok=True)
    return output_dir / "checkpoints"
