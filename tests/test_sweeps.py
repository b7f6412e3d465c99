"""Parameter sweeps: parallel runs over values and seeds, their spread, failures, resuming, bad input."""

import csv
import hashlib
import io
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import pytest

from mnist_tutorial import catalog, notebook_runner, results, sweep_engine, sweeps
from mnist_tutorial.commands import sweep as sweep_command

from notebook_runs import NOTEBOOKS

QUICK = {"training_steps": [60], "evaluation_interval": [20]}


@pytest.fixture(autouse=True)
def no_scheduler_from_the_environment(monkeypatch):
    """A MNIST_TUTORIAL_SCHEDULER set where the tests run must not send their sweeps elsewhere."""
    monkeypatch.delenv(sweeps.SCHEDULER_VARIABLE, raising=False)


def _notebook_digests():
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in NOTEBOOKS.glob("*.ipynb")}


def test_a_sweep_over_values_and_seeds_reports_a_failed_run_and_goes_on(output_dir):
    """One sweep covers the ordinary case (one value over two seeds), a failing run (a learning rate that
    diverges) reported while the others go on, the table, the plot, and what it must never touch."""
    before = _notebook_digests()
    # A notebook run in this thread first, as earlier tests of a session make them: it leaves an event loop
    # in this thread's context, which the sweep's runs, in worker threads of this process, must not reuse.
    tiny = output_dir / "tiny.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")]), tiny)
    notebook_runner.execute(tiny, output_dir / "tiny.executed.ipynb")
    sweep = sweeps.Sweep("01", {"learning_rate": [0.5, 1e35], **QUICK}, seeds=2, name="lr", workers=2)
    rows = sweep.run(progress=False)
    assert [(r["parameters"]["learning_rate"], r["seed"], r["status"]) for r in rows] == [
        (0.5, 1, "ok"),
        (0.5, 2, "ok"),
        (1e35, 1, "failed"),
        (1e35, 2, "failed"),
    ], [row["error"] for row in rows]
    assert rows[2]["error"].startswith("TrainingDiverged: Training stopped at step")
    summary = sweep.summary()
    assert [(line["runs"], line["failed"]) for line in summary] == [(2, 0), (0, 2)]
    accuracies = [r["validation_accuracy"] for r in rows[:2]]  # choices between values are made on validation
    assert summary[0]["min"] == min(accuracies) and summary[0]["max"] == max(accuracies)
    assert 0.5 < summary[0]["mean"] < 1 and summary[0]["sd"] > 0, "different seeds give different runs"
    assert all(0.5 < r["test_accuracy"] < 1 for r in rows[:2]), "the test score of each run is kept too"
    sweep.plot()
    assert sweep.csv_path == output_dir / "results" / "sweeps" / "lr.csv"
    assert sweep.csv_path.with_suffix(".png").exists()
    # It never writes into the notebooks, checkpoints/ or results/<notebook>.json.
    assert _notebook_digests() == before
    assert not (output_dir / "checkpoints").exists() and not (output_dir / "results" / "01_softmax.json").exists()


@pytest.fixture(scope="module")
def cluster():
    """A local Dask cluster of two worker processes for the tests that pretend to run notebooks."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as running:
        yield running


@pytest.fixture
def on_cluster(cluster, monkeypatch):
    """Sweeps made in this test send their runs to `cluster`, as MNIST_TUTORIAL_SCHEDULER tells them."""
    monkeypatch.setenv(sweeps.SCHEDULER_VARIABLE, cluster.scheduler_address)


def _pretend_to_run(monkeypatch, folder, fail=(), measures=None):
    """Replace the papermill run by a row made at once, on the workers; return a function that lists
    the runs requested, as (hidden_units, seed). A run whose seed is in `fail` raises instead; `measures`
    ({name: value}) are what each run's record keeps under "measures", plus the seed / 1000."""
    log = folder / "requested.jsonl"

    def pretend(notebook, defaults, combination, seed, threads=None):
        with open(log, "a") as file:
            file.write(json.dumps([combination.get("hidden_units"), seed]) + "\n")
        if seed in fail:
            raise RuntimeError(f"the task of seed {seed} failed")
        return dict(
            status="ok",
            seed=seed,
            parameters=combination,
            validation_accuracy=0.95,
            test_accuracy=0.95,
            train_seconds=2.0,
            error="",
            **({"measures": {name: value + seed / 1000 for name, value in measures.items()}} if measures else {}),
        )

    monkeypatch.setattr(sweeps, "run_notebook", pretend)
    return lambda: [tuple(json.loads(line)) for line in log.read_text().splitlines()] if log.exists() else []


def _write_rows(path, rows, fields=sweeps.FIELDS):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as file:
        writer = csv.DictWriter(file, fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def test_an_interrupted_sweep_resumes_without_redoing_finished_runs(output_dir, monkeypatch, on_cluster):
    sweep = sweeps.Sweep("04", {"hidden_units": [10, 20]}, seeds=2, name="resume")
    _write_rows(
        sweep.csv_path,
        [  # as an interrupted sweep leaves it
            dict(
                status="ok",
                seed=1,
                parameters=repr({"hidden_units": 10}),
                validation_accuracy=0.9,
                test_accuracy=0.9,
                train_seconds=1.0,
                error="",
                settings=repr(sweep.settings({"hidden_units": 10}, 1)),
            ),
            dict(
                status="failed",
                seed=2,
                parameters=repr({"hidden_units": 10}),
                validation_accuracy="",
                test_accuracy="",
                train_seconds="",
                error="KeyboardInterrupt",
                settings=repr(sweep.settings({"hidden_units": 10}, 2)),
            ),
        ],
    )
    requested = _pretend_to_run(monkeypatch, output_dir)
    rows = sweep.run(progress=False)
    assert sorted(requested()) == [(10, 2), (20, 1), (20, 2)], "only what did not finish runs again"
    assert [(r["parameters"]["hidden_units"], r["seed"], r["status"], r["test_accuracy"]) for r in rows] == [
        (10, 1, "ok", 0.9),
        (10, 2, "ok", 0.95),
        (20, 1, "ok", 0.95),
        (20, 2, "ok", 0.95),
    ]


def test_a_list_valued_parameter_gets_its_table_and_plot(output_dir, monkeypatch, on_cluster):
    _pretend_to_run(monkeypatch, output_dir)
    sweep = sweeps.Sweep("04", {"hidden_units": [10, 20], "compare_stddevs": [[0.03], [0.03, 0.3]]}, seeds=1)
    sweep.run(progress=False)
    sweep.print_table()
    figure = sweep.plot()
    labels = [text.get_text() for text in figure.axes[0].get_legend().get_texts()]
    assert labels == ["compare_stddevs=[0.03]", "compare_stddevs=[0.03, 0.3]"]


def test_runs_made_before_the_parameters_cell_changed_are_made_again(output_dir, monkeypatch, on_cluster):
    sweep = sweeps.Sweep("04", {"hidden_units": [10]}, seeds=2, name="stale")
    older_cell = {**sweep.defaults, "learning_rate": sweep.defaults["learning_rate"] / 2}
    _write_rows(
        sweep.csv_path,
        [
            dict(
                status="ok",
                seed=1,
                parameters=repr({"hidden_units": 10}),
                validation_accuracy=0.9,
                test_accuracy=0.9,
                train_seconds=1.0,
                error="",
                settings=repr(sweep.settings({"hidden_units": 10}, 1)),
            ),
            dict(
                status="ok",
                seed=2,
                parameters=repr({"hidden_units": 10}),
                validation_accuracy=0.8,
                test_accuracy=0.8,
                train_seconds=1.0,
                error="",
                settings=repr({**older_cell, "hidden_units": 10, "seed": 2}),
            ),
        ],
    )
    requested = _pretend_to_run(monkeypatch, output_dir)
    rows = sweep.run(progress=False)
    assert requested() == [(10, 2)], "the run made with another learning_rate is made again"
    assert [r["test_accuracy"] for r in rows] == [0.9, 0.95]
    assert sweep.summary()[0]["runs"] == 2


def test_a_csv_file_of_an_older_format_is_kept_aside_not_appended_to(output_dir, monkeypatch, capsys, on_cluster):
    sweep = sweeps.Sweep("04", {"hidden_units": [10]}, seeds=1, name="old")
    old_fields = ("status", "seed", "parameters", "test_accuracy", "train_seconds", "error")
    old_row = dict(
        status="ok",
        seed=1,
        parameters=repr({"hidden_units": 10}),
        validation_accuracy=0.9,
        test_accuracy=0.9,
        train_seconds=1.0,
        error="",
    )
    _write_rows(sweep.csv_path, [old_row], old_fields)
    before = sweep.csv_path.read_bytes()
    sweep.csv_path.with_suffix(".older.csv").write_text("a file of the user's\n")
    requested = _pretend_to_run(monkeypatch, output_dir)
    sweep.run(progress=False)
    assert requested() == [(10, 1)], "a run without its settings cannot be trusted to match the notebook"
    assert sweep.csv_path.with_suffix(".older-2.csv").read_bytes() == before
    assert sweep.csv_path.with_suffix(".older.csv").read_text() == "a file of the user's\n"
    assert "kept as old.older-2.csv" in capsys.readouterr().out
    with open(sweep.csv_path, newline="") as file:
        assert next(csv.reader(file)) == list(sweeps.FIELDS)


@pytest.mark.parametrize(
    "grid, message",
    [
        (
            {"learnig_rate": [0.1]},
            "01_softmax has no parameter 'learnig_rate' (its parameters cell sets learning_rate, ",
        ),
        (
            {"learning_rate": ["fast"]},
            "learning_rate='fast' is a str, but 01_softmax sets learning_rate = 0.3 (a float).",
        ),
        ({"batch_size": [2.5]}, "batch_size=2.5 is a float, but 01_softmax sets batch_size = 200 (a int)."),
        ({"seed": [1, 2]}, "sweep seeds with --seeds"),
    ],
)
def test_a_bad_grid_is_refused_before_anything_runs(grid, message, output_dir):
    with pytest.raises(sweeps.SweepError) as error:
        sweeps.Sweep("01", grid)
    assert str(error.value).startswith(message) and "\n" not in str(error.value)
    assert not (output_dir / "results").exists()


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["01", "nonsense=1"], "sweep: 01_softmax has no parameter 'nonsense'"),
        (["01", "learning_rate"], "sweep: 'learning_rate' is not NAME=VALUES"),
        (["99"], "sweep: no notebook of the series is called '99'"),
        (["11"], "sweep: 11_look_inside cannot be chosen here; choose among 01_softmax, 02_sigmoid_hidden25"),
        (["01", "learning_rate=0.1,(", "--seeds", "2"], "sweep: cannot read '0.1,(' as comma-separated values"),
    ],
)
def test_the_command_line_says_what_is_wrong_in_one_line(arguments, message, capsys):
    with pytest.raises(SystemExit) as exit:
        sweep_command.main(arguments)
    assert exit.value.code == 2
    stderr = capsys.readouterr().err
    assert stderr.startswith(message) and len(stderr.strip().splitlines()) == 1, stderr


def test_seed_spreads_take_only_training_notebooks(capsys):
    from mnist_tutorial.commands import seed_spreads

    look_inside = catalog.find("look_inside")
    with pytest.raises(SystemExit) as exit:
        seed_spreads.main([str(look_inside.number)])
    assert exit.value.code == 2
    assert f"{look_inside.name} cannot be chosen here; choose among 01_softmax" in capsys.readouterr().err


class _FakeSweep:
    """Stands in for sweeps.Sweep in the seed-spreads command: five runs with the accuracies
    `accuracies` gives for the sweep's name (None: a failed run)."""

    accuracies: dict[str, list] = {}

    def __init__(self, notebook, seeds, name):
        self.name, self.seeds = name, list(range(1, seeds + 1))
        self.defaults = {"learning_rate": 0.5, "seed": 1}
        self.csv_path = Path("runs/sweeps") / f"{name}.csv"

    def run(self):
        return [
            dict(
                status="ok",
                seed=seed,
                test_accuracy=value,
                validation_accuracy=round(value + 0.001, 4),
                measures={"drawn_validation_accuracy": 0.9} if self.name.startswith("10_") else {},
            )
            if value
            else dict(
                status="failed",
                seed=seed,
                test_accuracy=None,
                validation_accuracy=None,
                measures={},
                error="LearningFailed: it did not learn.",
            )
            for seed, value in zip(self.seeds, self.accuracies[self.name])
        ]

    def summary(self, measure):
        values = [value for value in self.accuracies[self.name] if value]
        return [dict(mean=statistics.mean(values), sd=statistics.stdev(values), min=min(values), max=max(values))]


def test_re_measuring_one_notebook_keeps_the_others_spreads_and_dates(tmp_path, monkeypatch):
    from mnist_tutorial.commands import seed_spreads

    (tmp_path / "notebooks").mkdir()
    stored = {
        "measured": {"01_softmax": "2026-01-01, old machine"},
        "notebooks": {
            "01_softmax": {
                "settings": {},
                "seeds": [1, 2, 3, 4, 5],
                "validation_accuracy": [0.93] * 5,
                "test_accuracy": [0.92] * 5,
            }
        },
    }
    path = tmp_path / "notebooks" / "seed_spreads.json"
    path.write_text(json.dumps(stored))
    monkeypatch.setattr(seed_spreads.paths, "REPO_ROOT", tmp_path)
    monkeypatch.setattr(
        seed_spreads.sweeps, "Sweep", lambda notebook, seeds, name, **_: _FakeSweep(notebook, seeds, name)
    )
    monkeypatch.setattr(
        _FakeSweep,
        "accuracies",
        {
            "02_sigmoid_hidden25_seeds": [0.96, 0.961, 0.959, 0.96, 0.962],
            "07_dropout_seeds": [0.984] * 4 + [0.983],
            "07_dropout_seeds_keep_prob": [0.985] * 4 + [0.986],
        },
    )

    assert seed_spreads.main(["02", "07"]) == 0
    written = json.loads(path.read_text())
    assert written["notebooks"]["01_softmax"] == stored["notebooks"]["01_softmax"]
    assert written["measured"]["01_softmax"] == "2026-01-01, old machine"
    assert written["measured"]["02_sigmoid_hidden25"].startswith(time.strftime("%Y-%m-%d"))
    assert written["notebooks"]["02_sigmoid_hidden25"]["test_accuracy"] == [0.96, 0.961, 0.959, 0.96, 0.962]
    assert written["notebooks"]["02_sigmoid_hidden25"]["validation_accuracy"] == [0.961, 0.962, 0.96, 0.961, 0.963]
    assert written["notebooks"]["02_sigmoid_hidden25"]["settings"] == {"learning_rate": 0.5}
    assert "variants" not in written["notebooks"]["02_sigmoid_hidden25"]
    # notebook 07 compares itself with its run without dropout: that variant is measured beside it
    variant = written["notebooks"]["07_dropout"]["variants"]["without dropout"]
    assert variant["parameters"] == {"keep_prob": 1.0} and variant["test_accuracy"] == [0.985] * 4 + [0.986]
    assert written["notebooks"]["07_dropout"]["test_accuracy"] == [0.984] * 4 + [0.983]
    assert results.spread_problem(written["notebooks"]["07_dropout"]) is None, "what it writes, its readers take"

    monkeypatch.setattr(_FakeSweep, "accuracies", {"03_five_layers_sigmoid_seeds": [0.93, None, 0.93, 0.93, 0.93]})
    before = path.read_text()
    assert seed_spreads.main(["03"]) == 1  # a failed run of the notebook as committed: nothing written
    assert path.read_text() == before


def test_seed_spreads_run_one_at_a_time_with_the_threads_of_a_committed_run(tmp_path, monkeypatch):
    """TensorFlow's sums depend on the thread count: a spread's seed 1 is the committed notebook's result
    only if both ran with every core (08 printed 0.9911 against 0.9912 measured two runs at a time)."""
    import os

    from mnist_tutorial.commands import run_notebooks, seed_spreads

    (tmp_path / "notebooks").mkdir()
    monkeypatch.setattr(seed_spreads.paths, "REPO_ROOT", tmp_path)
    made = []

    def sweep(notebook, seeds, name, **options):
        made.append(options)
        return _FakeSweep(notebook, seeds, name)

    monkeypatch.setattr(seed_spreads.sweeps, "Sweep", sweep)
    monkeypatch.setattr(_FakeSweep, "accuracies", {"02_sigmoid_hidden25_seeds": [0.96] * 5})
    monkeypatch.delenv(sweeps.SCHEDULER_VARIABLE, raising=False)
    assert seed_spreads.main(["02"]) == 0
    assert [options["workers"] for options in made] == [1], "one local worker: one run at a time"
    cores = str(os.cpu_count())
    assert sweeps.threads_here() == os.cpu_count(), "which has every core"
    assert run_notebooks.runs_environment() == {"MNIST_TUTORIAL_THREADS": cores, "OMP_NUM_THREADS": cores}


def test_seed_spreads_say_which_cluster_measured_them_and_refuse_a_bad_one_in_one_line(tmp_path, monkeypatch, capsys):
    from mnist_tutorial.commands import seed_spreads

    (tmp_path / "notebooks").mkdir()
    monkeypatch.setattr(seed_spreads.paths, "REPO_ROOT", tmp_path)
    monkeypatch.setattr(
        seed_spreads.sweeps, "Sweep", lambda notebook, seeds, name, **_: _FakeSweep(notebook, seeds, name)
    )
    monkeypatch.setattr(_FakeSweep, "accuracies", {"02_sigmoid_hidden25_seeds": [0.96, 0.961, 0.959, 0.96, 0.962]})
    monkeypatch.setenv(sweeps.SCHEDULER_VARIABLE, "tcp://10.0.0.5:8786")
    assert seed_spreads.main(["02"]) == 0
    written = json.loads((tmp_path / "notebooks" / "seed_spreads.json").read_text())
    assert written["measured"]["02_sigmoid_hidden25"].endswith(", on the Dask cluster at tcp://10.0.0.5:8786")

    def unreachable(*args, **kwargs):
        raise sweeps.SweepError("cannot reach a Dask scheduler at tcp://10.0.0.5:8786 (refused)")

    monkeypatch.setattr(_FakeSweep, "run", unreachable)
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit:
        seed_spreads.main(["02"])
    assert exit.value.code == 2
    assert capsys.readouterr().err == "seed spreads: cannot reach a Dask scheduler at tcp://10.0.0.5:8786 (refused)\n"


def test_a_variant_that_fails_with_some_seeds_is_recorded_with_them(tmp_path, monkeypatch, capsys):
    """Notebook 09 without batch normalisation does not learn with some seeds: that is a result,
    kept with the seeds it failed with, and the spread is that of the others."""
    from mnist_tutorial.commands import seed_spreads

    (tmp_path / "notebooks").mkdir()
    path = tmp_path / "notebooks" / "seed_spreads.json"
    monkeypatch.setattr(seed_spreads.paths, "REPO_ROOT", tmp_path)
    monkeypatch.setattr(
        seed_spreads.sweeps, "Sweep", lambda notebook, seeds, name, **_: _FakeSweep(notebook, seeds, name)
    )
    monkeypatch.setattr(
        _FakeSweep,
        "accuracies",
        {"09_batch_norm_seeds": [0.994] * 5, "09_batch_norm_seeds_use_batch_norm": [None, None, 0.987, 0.985, 0.986]},
    )
    assert seed_spreads.main(["09"]) == 0
    variant = json.loads(path.read_text())["notebooks"]["09_batch_norm"]["variants"]["without batch norm"]
    assert variant["test_accuracy"] == [None, None, 0.987, 0.985, 0.986] and variant["failed_seeds"] == [1, 2]
    assert variant["validation_accuracy"][:2] == [None, None]
    assert variant["failure"] == "LearningFailed: it did not learn."
    assert "seeds [1, 2] failed: LearningFailed" in capsys.readouterr().out

    monkeypatch.setattr(
        _FakeSweep, "accuracies", {**_FakeSweep.accuracies, "09_batch_norm_seeds_use_batch_norm": [None] * 4 + [0.98]}
    )
    before = path.read_text()
    assert seed_spreads.main(["09"]) == 1, "one seed that learned gives no spread: nothing written"
    assert path.read_text() == before


def test_a_task_that_fails_is_recorded_as_a_failed_run_while_the_others_go_on(output_dir, monkeypatch, on_cluster):
    requested = _pretend_to_run(monkeypatch, output_dir, fail={2})
    sweep = sweeps.Sweep("04", {"hidden_units": [10]}, seeds=3, name="task")
    rows = sweep.run(progress=False)
    assert [(r["seed"], r["status"]) for r in rows] == [(1, "ok"), (2, "failed"), (3, "ok")]
    assert rows[1]["error"] == "RuntimeError: the task of seed 2 failed"
    assert sorted(requested()) == [(10, 1), (10, 2), (10, 3)], "a task that raises is not tried again"


def test_a_kernel_that_fails_to_start_is_started_again_and_a_failing_cell_is_not(tmp_path, monkeypatch):
    monkeypatch.setattr(sweep_engine, "KERNEL_RESTART_PAUSE", 0.0)
    output = tmp_path / "run.ipynb"
    calls = []

    def kernel_fails_twice(source, target, **options):
        calls.append(options)
        if len(calls) < 3:
            raise RuntimeError("Kernel died before replying to kernel_info")
        return "executed"

    assert sweeps.execute_starting_kernel_again(kernel_fails_twice, tmp_path, output, seed=1) == "executed"
    assert calls == [{"seed": 1}] * 3
    calls.clear()

    def kernel_never_starts(source, target, **options):
        calls.append(options)
        raise RuntimeError("Kernel didn't respond in 60 seconds")

    with pytest.raises(RuntimeError, match="respond"):
        sweeps.execute_starting_kernel_again(kernel_never_starts, tmp_path, output)
    assert len(calls) == sweeps.KERNEL_STARTS
    calls.clear()

    def cell_fails(source, target, **options):
        calls.append(options)
        cell = nbformat.v4.new_code_cell("1 / 0")
        cell.metadata["papermill"] = {"start_time": "2026-12-02T21:00:00"}
        nbformat.write(nbformat.v4.new_notebook(cells=[cell]), target)
        raise ZeroDivisionError("division by zero")

    with pytest.raises(ZeroDivisionError):
        sweeps.execute_starting_kernel_again(cell_fails, tmp_path, output)
    assert len(calls) == 1, "a run whose cell failed is the run's own failure, not the kernel's"


def test_a_worker_whose_notebook_differs_refuses_the_run(output_dir):
    defaults = sweeps.parameters_of(sweeps.notebook_path("01"))
    row = sweeps.run_notebook("01", {**defaults, "learning_rate": 0.01}, {}, 1)
    assert row["status"] == "failed"
    assert row["error"].startswith(
        "SweepError: this worker's copy of 01_softmax.ipynb has another parameters cell than the client's"
    )


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["01", "--workers", "0"], "sweep: workers must be at least 1, not 0."),
        (
            ["01", "--workers", "2", "--scheduler", "tcp://127.0.0.1:8786"],
            "sweep: workers= (--workers) is for a local cluster, but the runs go to the Dask cluster at tcp://127.0.0.1:8786",
        ),
        (["01", "--scheduler", "tcp://127.0.0.1:9"], "sweep: cannot reach a Dask scheduler at tcp://127.0.0.1:9"),
    ],
)
def test_the_command_line_refuses_bad_cluster_options_in_one_line(arguments, message, capsys, output_dir):
    with pytest.raises(SystemExit) as exit:
        sweep_command.main(arguments)
    assert exit.value.code == 2
    stderr = capsys.readouterr().err
    assert stderr.startswith(message) and len(stderr.strip().splitlines()) == 1, stderr


def test_where_the_runs_go_follows_the_argument_then_the_environment(monkeypatch, output_dir):
    assert sweeps.Sweep("01").scheduler is None, "unset, a sweep starts a local cluster"
    monkeypatch.setenv(sweeps.SCHEDULER_VARIABLE, " tcp://10.0.0.5:8786 ")
    assert sweeps.Sweep("01").scheduler == "tcp://10.0.0.5:8786"
    assert sweeps.Sweep("01", scheduler="tcp://10.0.0.6:8786").scheduler == "tcp://10.0.0.6:8786"
    assert sweeps.Sweep("01", scheduler="local", workers=2).scheduler is None, '"local" overrides the environment'
    with pytest.raises(
        sweeps.SweepError, match=r"runs go to the Dask cluster at tcp://10.0.0.5:8786.*scheduler='local'"
    ):
        sweeps.Sweep("01", workers=2)


def test_a_sweep_runs_on_a_cluster_object_it_is_given(output_dir, monkeypatch, cluster, capsys):
    requested = _pretend_to_run(monkeypatch, output_dir)
    rows = sweeps.Sweep("04", {"hidden_units": [10]}, seeds=2, name="object", scheduler=cluster).run(progress=False)
    assert [row["status"] for row in rows] == ["ok", "ok"] and sorted(requested()) == [(10, 1), (10, 2)]
    assert f"Sweep runs on the Dask cluster at {cluster.scheduler_address}" in capsys.readouterr().out


def test_every_worker_is_checked_before_anything_is_submitted(cluster):
    from distributed import Client

    defaults = sweeps.parameters_of(sweeps.notebook_path("01"))
    with Client(cluster) as client:
        sweep_engine.check_workers(client, "01", defaults)  # the same project: no complaint
        with pytest.raises(sweeps.SweepError) as refused:
            sweep_engine.check_workers(client, "01", {**defaults, "learning_rate": 0.01})
    message = str(refused.value)
    assert message.startswith("the worker at tcp://") and "cannot run 01: SweepError: this worker's copy" in message


def test_a_cluster_without_workers_is_refused_in_one_line(monkeypatch):
    from distributed import Client, LocalCluster

    monkeypatch.setattr(sweep_engine, "WORKER_WAIT", 1.0)
    refusal = r"has no workers \(none joined within 1 s\): start them with `dask worker"
    with (
        LocalCluster(n_workers=0, processes=False, dashboard_address=":0") as empty,
        Client(empty) as client,
        pytest.raises(sweeps.SweepError, match=refusal),
    ):
        sweep_engine.check_workers(client, "01", {})


def test_runs_on_one_machine_share_its_cores(cluster):
    """The two one-thread workers of the test cluster run on this machine: a run gets half its cores."""
    from distributed import Client

    with Client(cluster) as client:
        assert client.submit(sweeps.threads_here, pure=False).result() == max(1, (os.cpu_count() or 1) // 2)
    assert sweeps.threads_here() == (os.cpu_count() or 1), "outside a worker, a run may use every core"


def _start(*command, log):
    return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


@pytest.fixture
def loopback_cluster(tmp_path):
    """`dask scheduler` and two `dask worker` processes (one thread each, no nanny), on loopback, as
    separate processes, as a user would start them on other machines; yields the scheduler's address."""
    from distributed import Client

    dask = str(Path(sys.executable).parent / "dask")
    scheduler_file = str(tmp_path / "scheduler.json")
    scheduler = ["scheduler", "--host", "127.0.0.1", "--port", "0", "--dashboard-address", ":0"]
    worker = ["worker", "--nthreads", "1", "--no-nanny", "--host", "127.0.0.1"]
    with open(tmp_path / "cluster.log", "w") as log:
        processes = [_start(dask, *scheduler, "--scheduler-file", scheduler_file, log=log)]
        try:
            processes += [_start(dask, *worker, "--scheduler-file", scheduler_file, log=log) for _ in range(2)]
            deadline = time.time() + 60
            while not Path(scheduler_file).exists() and time.time() < deadline:
                time.sleep(0.2)
            address = json.loads(Path(scheduler_file).read_text())["address"]
            with Client(address, timeout="30s") as client:
                client.wait_for_workers(2, timeout=60)
            yield address
        finally:
            for process in processes:
                process.kill()
                process.wait()


@pytest.mark.slow
def test_a_sweep_on_a_loopback_cluster_survives_a_killed_worker(output_dir, loopback_cluster, capsys):
    """Through --scheduler, a small sweep runs on a scheduler and two workers started as separate
    processes; then, in a second sweep, the worker running a run is killed: its run is made again on
    the other worker, and every run is recorded exactly once."""
    from distributed import Client

    grid = ["learning_rate=0.3,0.5", "training_steps=60", "evaluation_interval=20"]
    assert sweep_command.main(["01", *grid, "--seeds", "2", "--scheduler", loopback_cluster, "--name", "loop"]) == 0
    out = capsys.readouterr().out
    assert f"Sweep runs on the Dask cluster at {loopback_cluster}; dashboard: http://" in out
    for rate in (0.3, 0.5):
        line = next(line for line in out.splitlines() if line.startswith(f"learning_rate={rate}, training_steps=60"))
        assert line.split()[len(grid)] == "2", f"two runs of learning_rate={rate} in the table: {line}"
    with open(output_dir / "results" / "sweeps" / "loop.csv", newline="") as file:
        assert sorted((row["seed"], row["status"]) for row in csv.DictReader(file)) == [
            ("1", "ok"),
            ("1", "ok"),
            ("2", "ok"),
            ("2", "ok"),
        ]

    killed = []

    def kill_a_busy_worker():
        with Client(loopback_cluster, timeout="30s") as client:
            pids = client.run(os.getpid)
            deadline = time.time() + 120
            while time.time() < deadline:
                busy = [worker for worker, tasks in client.processing().items() if tasks]
                if busy:
                    time.sleep(3)  # its kernel has started the run
                    if not client.processing().get(busy[0]):  # it finished meanwhile: wait for another
                        continue
                    os.kill(pids[busy[0]], signal.SIGKILL)
                    killed.append(busy[0])
                    return
                time.sleep(0.2)

    killer = threading.Thread(target=kill_a_busy_worker)
    killer.start()
    quick = {"training_steps": [60], "evaluation_interval": [20]}
    sweep = sweeps.Sweep(
        "01", {"learning_rate": [0.3, 0.5], **quick}, seeds=2, name="killed", scheduler=loopback_cluster
    )
    rows = sweep.run(progress=False)
    killer.join()
    assert killed, "a worker was killed while it ran a run"
    assert [(r["parameters"]["learning_rate"], r["seed"], r["status"]) for r in rows] == [
        (0.3, 1, "ok"),
        (0.3, 2, "ok"),
        (0.5, 1, "ok"),
        (0.5, 2, "ok"),
    ]
    with open(sweep.csv_path, newline="") as file:
        assert len(list(csv.DictReader(file))) == 4, "each run recorded exactly once"


def test_a_sweep_run_of_a_notebook_whose_restored_network_is_missing_fails_with_what_to_run_first(output_dir):
    defaults = sweeps.parameters_of(sweeps.notebook_path("10"))
    row = sweeps.run_notebook("10", defaults, {}, 1)
    assert row["status"] == "failed"
    assert row["error"].startswith("SweepError: ") and "\n" not in row["error"]
    assert "restores the network of 09_batch_norm, which is not saved" in row["error"]
    assert not (output_dir / "results").exists() and not (output_dir / "checkpoints").exists()


def test_a_run_of_a_notebook_that_restores_a_network_gets_its_checkpoint_or_a_clear_refusal(output_dir, tmp_path):
    reader = catalog.find("reading_handwriting")
    with pytest.raises(FileNotFoundError, match="restores the network of 09_batch_norm, which is not saved"):
        notebook_runner.copy_restored(reader, output_dir, tmp_path)
    (output_dir / "checkpoints" / "09_batch_norm").mkdir(parents=True)
    (output_dir / "checkpoints" / "09_batch_norm" / "model.index").write_bytes(b"weights")
    (output_dir / "results").mkdir()
    (output_dir / "results" / "09_batch_norm.json").write_text("{}")
    assert notebook_runner.copy_restored(reader, output_dir, tmp_path) == ["09_batch_norm"]
    assert (tmp_path / "checkpoints" / "09_batch_norm" / "model.index").read_bytes() == b"weights"
    assert (tmp_path / "results" / "09_batch_norm.json").read_text() == "{}"
    assert notebook_runner.copy_restored(catalog.find("batch_norm"), output_dir, tmp_path / "other") == []


def _good_line(sweep, seed, accuracy=0.9):
    """The CSV line of a finished run of hidden_units=10 with `seed`, as the sweep writes it, without its newline."""
    row = dict(
        status="ok",
        seed=seed,
        parameters=repr({"hidden_units": 10}),
        validation_accuracy=accuracy,
        test_accuracy=accuracy,
        train_seconds=1.0,
        measures="{}",
        error="",
        settings=repr(sweep.settings({"hidden_units": 10}, seed)),
    )
    line = io.StringIO()
    csv.DictWriter(line, sweeps.FIELDS, lineterminator="").writerow(row)
    return line.getvalue().encode()


DAMAGED_LINES = {
    "cut short by a full disk": lambda good: good[: len(good) // 2],
    "an empty accuracy": lambda good: good.replace(b",0.9,0.9,", b",,0.9,"),
    "an accuracy of nan": lambda good: good.replace(b",0.9,0.9,", b",nan,0.9,"),
    "a seed 'two'": lambda good: good.replace(b"ok,2,", b"ok,two,"),
    "NUL bytes": lambda good: good[:20] + b"\x00" * 40 + good[20:],
    "not a literal": lambda good: good.replace(b"{'hidden_units': 10}", b"{'hidden_units': 10"),
}


@pytest.mark.parametrize("damage", DAMAGED_LINES)
def test_one_bad_line_is_reported_and_left_out_and_the_sweep_resumes_past_it(
    output_dir, monkeypatch, capsys, on_cluster, damage
):
    """A line cut by a full disk or a kill, or holding an empty accuracy, nan, a seed "two" or NUL bytes, ended
    mnist-sweep with a bare traceback naming no file, and the sweep could not resume until mended by hand."""
    sweep = sweeps.Sweep("04", {"hidden_units": [10]}, seeds=3, name="damaged")
    sweep.csv_path.parent.mkdir(parents=True)
    header = ",".join(sweeps.FIELDS).encode() + b"\r\n"
    damaged = DAMAGED_LINES[damage](_good_line(sweep, 2))
    sweep.csv_path.write_bytes(header + _good_line(sweep, 1) + b"\r\n" + damaged + b"\r\n" + _good_line(sweep, 3))
    requested = _pretend_to_run(monkeypatch, output_dir)
    rows = sweep.run(progress=False)
    assert requested() == [(10, 2)], "only the run of the damaged line is made again"
    assert [(row["seed"], row["test_accuracy"]) for row in rows] == [(1, 0.9), (2, 0.95), (3, 0.9)]
    said = [line for line in capsys.readouterr().out.splitlines() if str(sweep.csv_path) in line]
    assert len(said) == 1, "reported once, in one line"
    assert said[0].startswith(f"{sweep.csv_path}, line 3, cannot be read (")
    assert said[0].endswith(
        "it is left out, and its run is made again unless another line records it; "
        "delete the line to stop this message."
    )
    lines = sweep.csv_path.read_bytes().split(b"\r\n")
    assert lines[3] == _good_line(sweep, 3), "the last line, which had no newline, was not glued to the new one"
    assert lines[4].startswith(b"ok,2,") and lines[5] == b""


def test_a_last_line_cut_short_is_left_out_and_the_next_line_starts_on_a_line_of_its_own(
    output_dir, monkeypatch, capsys, on_cluster
):
    sweep = sweeps.Sweep("04", {"hidden_units": [10]}, seeds=2, name="cut")
    sweep.csv_path.parent.mkdir(parents=True)
    header = ",".join(sweeps.FIELDS).encode() + b"\r\n"
    sweep.csv_path.write_bytes(header + _good_line(sweep, 1) + b"\r\n" + _good_line(sweep, 2)[:30])
    _pretend_to_run(monkeypatch, output_dir)
    rows = sweep.run(progress=False)
    assert [(row["seed"], row["test_accuracy"]) for row in rows] == [(1, 0.9), (2, 0.95)]
    assert f"{sweep.csv_path}, line 3, cannot be read (it has " in capsys.readouterr().out
    assert sweep.rows() == rows, "read again, the file gives the same rows"


def test_numbers_a_run_records_under_measures_are_kept_and_summarised_by_name(output_dir, monkeypatch, on_cluster):
    """The capstone records its accuracy on a drawn set of digits under "measures"; a sweep keeps it per run."""
    _pretend_to_run(monkeypatch, output_dir, measures={"drawn_validation_accuracy": 0.5})
    sweep = sweeps.Sweep("04", {"hidden_units": [10]}, seeds=3, name="measures")
    rows = sweep.run(progress=False)
    assert [row["measures"] for row in rows] == [{"drawn_validation_accuracy": 0.5 + seed / 1000} for seed in (1, 2, 3)]
    with open(sweep.csv_path, newline="") as file:
        assert [row["measures"] for row in csv.DictReader(file)][0].startswith("{'drawn_validation_accuracy': 0.50")
    line = sweep.summary("drawn_validation_accuracy")[0]
    assert (line["runs"], line["min"], line["max"]) == (3, 0.501, 0.503)
    assert line["mean"] == pytest.approx(0.502) and line["sd"] == pytest.approx(0.001)
    assert sweep.summary("test_accuracy")[0]["mean"] == pytest.approx(0.95)
    with pytest.raises(
        sweeps.SweepError,
        match=r"summarises validation_accuracy, test_accuracy, "
        r"drawn_validation_accuracy, what its runs recorded, not 'drawn_test_accuracy'",
    ):
        sweep.summary("drawn_test_accuracy")


def test_a_run_takes_its_measures_from_its_record_checked(tmp_path):
    (tmp_path / "results").mkdir()
    record = {"run": "04_relu_hidden300", "test_accuracy": 0.9, "validation_accuracy": 0.91, "train_seconds": 3.0}
    path = tmp_path / "results" / "04_relu_hidden300.json"
    path.write_text(json.dumps({**record, "measures": {"drawn_validation_accuracy": 0.7}}))
    assert sweep_engine._read_record(tmp_path, "04_relu_hidden300")["measures"] == {"drawn_validation_accuracy": 0.7}
    path.write_text(json.dumps({**record, "measures": {"drawn_validation_accuracy": "high"}}))
    with pytest.raises(ValueError, match="not a table of names and finite numbers"):
        sweep_engine._read_record(tmp_path, "04_relu_hidden300")


def test_a_local_sweeps_servers_listen_on_loopback_only(capsys):
    """Dask's dashboard listened on 0.0.0.0:8787 and its workers' HTTP servers on 0.0.0.0 and [::]: anyone on
    a shared network could read it. A local sweep's servers now take connections from this machine alone."""
    import psutil

    def listening():
        return {c.laddr for c in psutil.Process().net_connections(kind="inet") if c.status == psutil.CONN_LISTEN}

    before = listening()
    with sweep_engine.connect(None, 2) as client:
        opened = listening() - before
        assert client.submit(sum, [1, 2]).result() == 3
    assert opened, "the dashboard and the workers' servers listen somewhere"
    assert {address.ip for address in opened} == {"127.0.0.1"}, opened
    link = capsys.readouterr().out.split("dashboard: ")[1].strip()
    assert link.startswith("http://127.0.0.1:") and int(link.split(":")[2].split("/")[0]) in {a.port for a in opened}


@pytest.mark.parametrize(
    "text", ["", "{\n<<<<<<< HEAD\n", '{"measured": {}}'], ids=["empty", "conflict", "no notebooks"]
)
def test_seed_spreads_refuse_a_damaged_file_in_one_line_and_leave_it_as_it_is(tmp_path, monkeypatch, capsys, text):
    """It raised a bare JSONDecodeError (or measured for 40 minutes and then wrote over what it could not read)."""
    from mnist_tutorial.commands import seed_spreads

    (tmp_path / "notebooks").mkdir()
    path = tmp_path / "notebooks" / "seed_spreads.json"
    path.write_text(text)
    monkeypatch.setattr(seed_spreads.paths, "REPO_ROOT", tmp_path)
    monkeypatch.setattr(
        seed_spreads.sweeps, "Sweep", lambda *args, **kwargs: pytest.fail("nothing runs before the file is read")
    )
    with pytest.raises(SystemExit) as exit:
        seed_spreads.main(["02"])
    assert exit.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"seed spreads: {path} ") and err.count("\n") == 1
    assert "git checkout -- " in err and path.read_text() == text
