"""The benchmarks run and print their tables (their figures are not checked: the machines are shared
and noisy; `make bench` records them in benchmarks/RESULTS.md, where they are read)."""

import json
import re
import subprocess
import sys

import pytest

from mnist_tutorial import catalog, notebook_runner, paths

BENCHMARKED = tuple(notebook.name for notebook in catalog.benchmarked("training_loop"))


@pytest.mark.slow
def test_the_training_loop_benchmark_prints_a_row_per_network(output_dir):
    run = subprocess.run(
        [sys.executable, str(paths.REPO_ROOT / "benchmarks" / "training_loop.py"), "--steps", "60", "--repeats", "1"],
        cwd=paths.REPO_ROOT / "notebooks",
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    rows = [line.split() for line in run.stdout.splitlines() if line.startswith(BENCHMARKED)]
    assert [row[0] for row in rows] == list(BENCHMARKED)
    for row in rows:
        assert row[1] == "60" and row[2] == "1", row
        assert row[8].endswith("x") and row[9].endswith("x") and row[-1].endswith("%"), row
    assert "Keras failed" not in run.stdout
    assert not (output_dir / "runs").exists(), "its logs go to a temporary folder, not the output folder"


#: Run from notebooks/ in a child process (the notebooks switch TensorFlow to graph mode): each
#: benchmarked notebook's graph, built by its own cells, beside the Keras layers the benchmark types.
KERAS_AGAINST_GRAPH = """
import json, sys
sys.path.insert(0, "../benchmarks")
import notebook_graph, training_loop
found = {}
for name in sys.argv[1:]:
    ns = notebook_graph.build(name + ".ipynb")
    tf = ns["tf"]
    kernels = [v for v in tf.trainable_variables() if len(v.shape) == 2]
    activations = [op.type for op in tf.get_default_graph().get_operations() if op.type in ("Sigmoid", "Relu")]
    spec = training_loop.keras_spec(name, ns)
    found[name] = dict(
        graph=[[int(v.shape[1]) for v in kernels], activations],
        keras=[[units for units, *_ in spec["layers"]],
               [a.capitalize() for _, a, *_ in spec["layers"] if a != "softmax"]])
print(json.dumps(found))
"""


def test_the_keras_counterparts_have_the_notebooks_layers():
    """The benchmark's Keras networks are typed out by hand: each has the layer widths and hidden
    activations of the graph its notebook builds (a change to a notebook's layers fails here)."""
    run = subprocess.run(
        [sys.executable, "-c", KERAS_AGAINST_GRAPH, *BENCHMARKED],
        cwd=paths.REPO_ROOT / "notebooks",
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    found = json.loads(run.stdout.strip().splitlines()[-1])
    assert list(found) == list(BENCHMARKED)
    for name, sides in found.items():
        assert sides["keras"] == sides["graph"], f"benchmarks/training_loop.py's Keras layers for {name}"


@pytest.mark.slow
def test_the_sweep_engine_benchmark_prints_both_engines_and_their_ratio(output_dir):
    run = subprocess.run(
        [sys.executable, str(paths.REPO_ROOT / "benchmarks" / "sweep_engine.py")]
        + ["--runs", "2", "--steps", "60", "--rounds", "1"],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    rows = {line[:44].strip(): line[44:].split() for line in run.stdout.splitlines() if len(line) > 44}
    for engine in ("thread pool (before)", "Dask, local cluster (now)"):
        assert len(rows.get(engine, [])) == 4 and rows[engine][-1] == "0", f"{engine}: no run failed\n{run.stdout}"
    assert float(rows["of which starting and stopping the cluster"][0]) >= 0, run.stdout
    for ratio in ("Dask / thread pool", "the same, without the cluster start and stop"):
        assert rows[ratio][0].endswith("x") and float(rows[ratio][0][:-1]) > 0, run.stdout


@pytest.mark.slow
def test_the_augmentation_benchmark_times_both_ways_and_they_draw_the_same_digits():
    run = subprocess.run(
        [sys.executable, str(paths.REPO_ROOT / "benchmarks" / "augmentation.py"), "--repeats", "3"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    lines = run.stdout.splitlines()
    assert [line[:46].strip() for line in lines[1:5]] == [
        "NumPy, shift + turn + scale + slant",
        "TensorFlow op in the graph, the same",
        "NumPy, + strokes + elastic wobble",
        "largest pixel difference, NumPy against the op",
    ], run.stdout
    assert float(lines[4].split()[-1]) < 1e-3, "the two ways draw the same changes alike"


@pytest.mark.slow
def test_the_notebook_time_benchmark_times_a_notebook_away_from_the_users_records(output_dir, quick_runs):
    """A quick round of notebook 10, which restores notebook 9's network: refused in one line while that
    network is missing; then one row, and nothing written where the user's records and checkpoints are."""
    command = [sys.executable, str(paths.REPO_ROOT / "benchmarks" / "notebook_time.py"), "--rounds", "1", "--quick"]
    refused = subprocess.run([*command, "10"], capture_output=True, text=True, timeout=600)
    assert refused.returncode != 0 and "Traceback" not in refused.stderr, refused.stderr[-2000:]
    assert "restores the network of 09_batch_norm" in refused.stderr and "run notebook 09_batch_norm" in refused.stderr
    notebook_runner.copy_restored(catalog.find("10"), quick_runs[1], output_dir)
    before = sorted(output_dir.rglob("*"))
    run = subprocess.run([*command, "10"], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    (row,) = [line for line in run.stdout.splitlines() if line.startswith("| 10_reading_handwriting |")]
    training, notebook = (cell.split() for cell in row.strip("| ").split("|")[1:])
    assert float(training[0]) > 0 and training[2] in ("within", "OVER") and training[3] == "90", row
    assert float(notebook[0]) > float(training[0]) and notebook[2] in ("within", "OVER") and notebook[3] == "120", row
    assert sorted(output_dir.rglob("*")) == before, "the benchmark's runs write into a folder of their own"


def test_make_bench_writes_the_figures_with_their_date_and_machine(tmp_path):
    """`make bench` (benchmarks/record.py) rewrites the results file README.md links to: each benchmark's
    output under its name, with the date and the machine."""
    output = tmp_path / "RESULTS.md"
    run = subprocess.run(
        [sys.executable, str(paths.REPO_ROOT / "benchmarks" / "record.py"), "load_time", "--output", str(output)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    text = output.read_text()
    assert re.search(
        r"^Measured 20\d\d-\d\d-\d\d \d\d:\d\d UTC on .+, \d+ cores.*; Python 3\.\d+.*, TensorFlow 2\.", text, re.M
    )
    assert "## load_time" in text and "first load (decompress, check SHA-256, parse)" in text
    assert "first load (decompress" in run.stdout, "the figures are shown as they come"


def test_a_failing_benchmark_leaves_the_results_file_as_it_was(tmp_path, monkeypatch, capsys):
    sys.path.insert(0, str(paths.REPO_ROOT / "benchmarks"))
    try:
        import record
    finally:
        sys.path.remove(str(paths.REPO_ROOT / "benchmarks"))
    (tmp_path / "fine.py").write_text('"""Prints."""\nprint("a figure")\n')
    (tmp_path / "broken.py").write_text('"""Fails."""\nraise SystemExit(3)\n')
    monkeypatch.setattr(record, "HERE", tmp_path)
    monkeypatch.setattr(record, "BENCHMARKS", {"fine": False, "broken": False})
    output = tmp_path / "RESULTS.md"
    output.write_text("the last figures")
    assert record.main(["--output", str(output)]) == 1
    assert output.read_text() == "the last figures"
    assert "benchmarks/broken.py failed (exit status 3)" in capsys.readouterr().err
    assert record.main(["fine", "--output", str(output)]) == 0
    assert "a figure" in output.read_text()
