"""Records and checkpoints: written whole and only for finished runs; checked before they are restored."""

import json
import math
import os
import shutil
import signal
import stat
import subprocess
import sys
import threading
import types
from pathlib import Path

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from mnist_tutorial import classifiers, paths, readout, results
from mnist_tutorial.training import RunNotFinished, TrainingDiverged, TrainingMonitor


@pytest.fixture
def outputs(tmp_path, monkeypatch):
    monkeypatch.setenv(paths.OUTPUT_DIR_VARIABLE, str(tmp_path))
    return tmp_path


def _monitor(outcome="finished"):
    monitor = TrainingMonitor(4, live=False)
    for step in range(1, 5):
        monitor.record_train(step, 0.9, 0.3)
    monitor.record_validation(4, 0.92, 0.3)
    if outcome == "finished":
        monitor.finish()
        monitor.record_test(0.9, 0.3)
    elif outcome == "diverged":
        with pytest.raises(TrainingDiverged):
            monitor.record_validation(4, 0.1, math.inf)
    return monitor


def _save_network(run_name, classes=10, outcome="finished", seed=1, image_shape=(784,)):
    """A tiny network with the series' tensor names, saved the way a notebook saves its own.

    With image_shape (28, 28, 1) it takes images as the convolutional notebook does."""
    with tf.Graph().as_default():
        images = tf.placeholder(tf.float32, [None, *image_shape], name="images")
        weights = tf.Variable(tf.random_normal([784, classes], stddev=0.01, seed=seed), name="W")
        tf.nn.softmax(tf.matmul(tf.reshape(images, [-1, 784]), weights), name="probabilities")
        saver = tf.train.Saver()
        with tf.Session() as session:
            session.run(tf.global_variables_initializer())
            return results.save(run_name, _monitor(outcome), {"seed": seed}, session=session, saver=saver)


def _folder(run_name):
    return paths.checkpoint_prefix(run_name).parent


def _leftovers(outputs):
    return [p.name for p in (outputs / "checkpoints").iterdir() if p.name.startswith(".")]


def test_a_saved_network_is_restored_and_its_record_vouches_for_it(outputs):
    record = json.loads(_save_network("01_softmax").read_text())
    assert set(record["checkpoint"]) == {"model.index", "model.meta", "model.data-00000-of-00001"}
    assert record["test_accuracy"] == 0.9 and record["validation_accuracy"] == 0.92
    assert record["training_steps"] == 4
    assert _leftovers(outputs) == [] and not (_folder("01_softmax") / "checkpoint").exists()
    network = classifiers.Classifier("01_softmax")
    assert network.probabilities(np.zeros(784)).shape == (1, 10)


@pytest.mark.parametrize("outcome", ["diverged", "interrupted"])
def test_a_run_that_did_not_finish_saves_nothing_and_keeps_the_last_good_one(outputs, outcome):
    _save_network("01_softmax")
    before = {p.name: p.read_bytes() for p in _folder("01_softmax").iterdir()}
    record_before = paths.results_path("01_softmax").read_text()
    with pytest.raises(RunNotFinished, match="Nothing was saved"):
        _save_network("01_softmax", outcome=outcome, seed=2)
    assert {p.name: p.read_bytes() for p in _folder("01_softmax").iterdir()} == before
    assert paths.results_path("01_softmax").read_text() == record_before
    assert _leftovers(outputs) == []


def test_an_interrupted_checkpoint_save_leaves_the_old_checkpoint_whole(outputs, monkeypatch):
    _save_network("01_softmax")
    before = {p.name: p.read_bytes() for p in _folder("01_softmax").iterdir()}

    def interrupted(self, session, prefix, **kwargs):
        Path(f"{prefix}.index").write_bytes(b"half")
        raise KeyboardInterrupt

    monkeypatch.setattr(tf.train.Saver, "save", interrupted)
    with pytest.raises(KeyboardInterrupt):
        _save_network("01_softmax", seed=3)
    assert {p.name: p.read_bytes() for p in _folder("01_softmax").iterdir()} == before
    assert _leftovers(outputs) == []
    classifiers.Classifier("01_softmax")


def test_a_record_replaces_a_symlink_and_never_writes_through_it(outputs, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere") / "precious.json"
    elsewhere.write_text("yours")
    record = paths.results_path("11_look_inside")
    record.parent.mkdir(parents=True)
    record.symlink_to(elsewhere)
    results.save("11_look_inside", _monitor(), {})
    assert elsewhere.read_text() == "yours"
    assert not record.is_symlink() and json.loads(record.read_text())["run"] == "11_look_inside"


def test_a_checkpoint_replaces_a_symlink_and_never_writes_through_it(outputs, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    (elsewhere / "model.index").write_text("yours")
    folder = _folder("01_softmax")
    folder.parent.mkdir(parents=True)
    folder.symlink_to(elsewhere, target_is_directory=True)
    _save_network("01_softmax")
    assert [p.name for p in elsewhere.iterdir()] == ["model.index"]
    assert (elsewhere / "model.index").read_text() == "yours"
    assert not folder.is_symlink() and _leftovers(outputs) == []
    classifiers.Classifier("01_softmax")


@pytest.mark.parametrize("mask", [0o022, 0o077], ids=oct)
def test_a_checkpoint_and_its_record_get_the_permissions_of_any_new_file(outputs, monkeypatch, mask):
    saved = os.umask(mask)
    try:
        with monkeypatch.context() as patch:  # the umask is process-wide: setting it, even for a moment, races threads
            patch.setattr(os, "umask", lambda *args: pytest.fail("saving changed the umask"))
            record = _save_network("01_softmax")
            _save_network("01_softmax", seed=2)  # replacing them gives the same
    finally:
        os.umask(saved)
    assert stat.S_IMODE(_folder("01_softmax").stat().st_mode) == 0o777 & ~mask
    assert stat.S_IMODE(record.stat().st_mode) == 0o666 & ~mask
    assert _leftovers(outputs) == []


def _flip_a_byte(path):
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


DAMAGE = {
    "corrupted": lambda folder: _flip_a_byte(folder / "model.data-00000-of-00001"),
    "truncated": lambda folder: (folder / "model.meta").write_bytes((folder / "model.meta").read_bytes()[:100]),
    "empty": lambda folder: (folder / "model.index").write_bytes(b""),
    "record lost": lambda folder: paths.results_path("02_sigmoid_hidden25").unlink(),
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_checkpoint_is_reported_and_the_good_ones_are_restored(outputs, damage):
    for name in ("01_softmax", "02_sigmoid_hidden25", "04_relu_hidden300"):
        _save_network(name)
    DAMAGE[damage](_folder("02_sigmoid_hidden25"))
    restored, unavailable = classifiers.restore_all()
    assert set(restored) == {"01_softmax", "04_relu_hidden300"}
    assert set(unavailable) == set(classifiers.NETWORKS) - set(restored)  # the damaged one and those never saved
    assert {"02_sigmoid_hidden25", "03_five_layers_sigmoid", "08_convolutional"} <= set(unavailable)
    error = unavailable["02_sigmoid_hidden25"]
    assert isinstance(error, classifiers.CheckpointDamaged)
    assert "Re-run notebook 02 (02_sigmoid_hidden25.ipynb)" in str(error)
    assert isinstance(unavailable["03_five_layers_sigmoid"], classifiers.CheckpointMissing)
    table = readout.answers_html({name: np.full(10, 0.1) for name in restored}, unavailable)
    assert "re-run notebook 02: its checkpoint is damaged" in table and "run notebook 03 first" in table


def test_a_checkpoint_copied_from_another_notebook_is_refused(outputs):
    _save_network("01_softmax")
    _save_network("04_relu_hidden300", seed=4)
    shutil.rmtree(_folder("04_relu_hidden300"))
    shutil.copytree(_folder("01_softmax"), _folder("04_relu_hidden300"))
    with pytest.raises(classifiers.CheckpointDamaged, match="copied from another notebook"):
        classifiers.Classifier("04_relu_hidden300")
    shutil.copy(paths.results_path("01_softmax"), paths.results_path("04_relu_hidden300"))
    with pytest.raises(classifiers.CheckpointDamaged, match="from another run"):
        classifiers.Classifier("04_relu_hidden300")


def test_a_checkpoint_tensorflow_cannot_read_is_reported_not_raised_raw(outputs):
    _save_network("03_five_layers_sigmoid")
    folder = _folder("03_five_layers_sigmoid")
    (folder / "model.meta").write_bytes(b"not a protocol buffer")
    record = json.loads(paths.results_path("03_five_layers_sigmoid").read_text())
    record["checkpoint"]["model.meta"] = classifiers.checkpoints.digest_files(folder)["model.meta"]
    paths.results_path("03_five_layers_sigmoid").write_text(json.dumps(record))
    with pytest.raises(classifiers.CheckpointDamaged, match="TensorFlow could not restore it"):
        classifiers.Classifier("03_five_layers_sigmoid")


def test_a_network_with_the_wrong_shape_is_refused(outputs):
    _save_network("01_softmax", classes=7)
    with pytest.raises(classifiers.CheckpointDamaged, match="does not take 28x28 images and give 10"):
        classifiers.Classifier("01_softmax")


def test_a_network_that_takes_28x28x1_images_reads_rows_and_squares_alike(outputs):
    """The convolutional notebook's placeholder is [None, 28, 28, 1]; callers need not know."""
    _save_network("08_convolutional", image_shape=(28, 28, 1))
    network = classifiers.Classifier("08_convolutional")
    assert network.label == "convolutional"
    images = np.random.default_rng(0).random((3, 784)).astype(np.float32)
    rows = network.probabilities(images)
    assert rows.shape == (3, 10) and np.allclose(rows, network.probabilities(images.reshape(3, 28, 28)))
    _save_network("04_relu_hidden300", image_shape=(28, 28))
    with pytest.raises(classifiers.CheckpointDamaged, match="does not take 28x28 images"):
        classifiers.Classifier("04_relu_hidden300")


def test_an_unreadable_record_is_named(outputs):
    path = paths.results_path("01_softmax")
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    with pytest.raises(results.RecordError, match="cannot be read .* re-run notebook 01"):
        results.load("01_softmax")
    assert os.path.exists(path)


def _save_record_with_predictions(run_name, predictions):
    return results.save(run_name, _monitor(), {"seed": 1}, test_predictions=predictions)


def test_a_record_keeps_the_test_predictions_digit_for_digit(outputs):
    predictions = np.array([7, 2, 1, 0, 4, 1, 4, 9, 5, 9])
    record = json.loads(_save_record_with_predictions("06_vanishing_gradients", predictions).read_text())
    assert record["test_predictions"] == "7210414959"
    np.testing.assert_array_equal(results.test_predictions("06_vanishing_gradients"), predictions)
    assert results.test_predictions("07_dropout") is None, "not run yet"


@pytest.mark.parametrize("bad", [np.full((10,), 0.5), np.eye(10, dtype=int), np.array([3, 10]), np.array([], int)])
def test_probabilities_or_one_hot_labels_are_refused_as_predictions_and_nothing_is_saved(outputs, bad):
    with pytest.raises(ValueError, match="one predicted digit .* per test image"):
        _save_record_with_predictions("06_vanishing_gradients", bad)
    assert not paths.results_path("06_vanishing_gradients").exists()


def _pair(run_name):
    """(the record's seed, the checkpoint's files) as they are now."""
    record = json.loads(paths.results_path(run_name).read_text())
    return record["hyperparameters"]["seed"], {p.name: p.read_bytes() for p in _folder(run_name).iterdir()}


def _hidden(outputs):
    """What a save leaves beside the pair: hidden folders and files, but for the saves' lock files."""
    found = [p.name for folder in ("checkpoints", "results") for p in (outputs / folder).glob(".*")]
    return sorted(name for name in found if not name.endswith(".lock"))


def _alone(error):
    """Whether `error` shows no other exception's traceback above its own."""
    return error.__cause__ is None and (error.__context__ is None or error.__suppress_context__)


def _unwritable_results(monkeypatch):
    """The results/ folder refuses new files, as a read-only one does (root ignores chmod, so refuse here)."""
    from mnist_tutorial import atomic_files

    opener = atomic_files._open_new_file

    def refuse_in_results(name, flags):
        if Path(name).parent.name == "results":
            raise PermissionError(13, "Permission denied")
        return opener(name, flags)

    monkeypatch.setattr(atomic_files, "_open_new_file", refuse_in_results)


def _record_replace_fails(monkeypatch):
    """The disk fills up as the record is put in place, after the checkpoint is."""
    replace = os.replace

    def refuse_the_record(source, target, **kwargs):
        if Path(target).suffix == ".json":
            raise OSError(28, "No space left on device", str(target))
        return replace(source, target, **kwargs)

    monkeypatch.setattr(os, "replace", refuse_the_record)


FAILED_SAVES = {
    "a NumPy number in the parameters": (
        lambda monkeypatch: None,
        {"batch_size": np.int64(100)},
        r"its record cannot hold hyperparameters\['batch_size'\] = np\.int64\(100\), a numpy\.int64",
    ),
    "a record that is not a finite number": (
        lambda monkeypatch: None,
        {"learning_rate": math.nan},
        r"hyperparameters\[.learning_rate.\] = nan, a number JSON cannot write",
    ),
    "results/ read-only": (_unwritable_results, {}, "Permission denied"),
    "a full disk as the record goes in": (_record_replace_fails, {}, "No space left on device"),
}


@pytest.mark.parametrize("fault", FAILED_SAVES)
def test_a_save_that_fails_after_training_keeps_the_last_good_checkpoint_beside_its_record(outputs, monkeypatch, fault):
    """The worst defect: the new checkpoint went in first, and any failure after it (the realistic one: a
    NumPy number in the parameters cell, which json cannot write) left it beside the old record, both lost."""
    inject, hyperparameters, message = FAILED_SAVES[fault]
    _save_network("04_relu_hidden300", seed=1)
    before = _pair("04_relu_hidden300")
    inject(monkeypatch)
    with pytest.raises(results.SaveFailed, match=message) as error, tf.Graph().as_default():
        images = tf.placeholder(tf.float32, [None, 784], name="images")
        weights = tf.Variable(tf.random_normal([784, 10], seed=2), name="W")
        tf.nn.softmax(tf.matmul(images, weights), name="probabilities")
        with tf.Session() as session:
            session.run(tf.global_variables_initializer())
            results.save("04_relu_hidden300", _monitor(), {"seed": 2, **hyperparameters}, session, tf.train.Saver())
    assert "\n" not in str(error.value) and _alone(error.value), "one line, no chained traceback"
    assert "The last good checkpoint and record are kept" in str(error.value)
    monkeypatch.undo()
    monkeypatch.setenv(paths.OUTPUT_DIR_VARIABLE, str(outputs))
    assert _pair("04_relu_hidden300") == before
    assert _hidden(outputs) == []
    classifiers.Classifier("04_relu_hidden300")


def test_a_full_disk_or_a_file_size_limit_while_the_checkpoint_is_written_is_one_line(outputs, monkeypatch):
    """It surfaced as a 63-line double TensorFlow traceback. Here the process may write no file larger than
    20 kB while the saver writes the weights (31 kB), as `ulimit -f` would have it."""
    import resource

    _save_network("01_softmax", seed=1)
    before = _pair("01_softmax")
    save = tf.train.Saver.save

    def save_under_a_file_size_limit(self, *args, **kwargs):
        soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, hard))
        try:
            return save(self, *args, **kwargs)
        finally:
            resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))

    monkeypatch.setattr(tf.train.Saver, "save", save_under_a_file_size_limit)
    with pytest.raises(results.SaveFailed) as error:
        _save_network("01_softmax", seed=2)
    message = str(error.value)
    assert "\n" not in message and _alone(error.value)
    assert message.startswith("Nothing was saved for 01_softmax: the checkpoint could not be written in ")
    assert "(File too large)" in message
    assert _pair("01_softmax") == before and _hidden(outputs) == []


def test_two_saves_of_one_notebook_at_once_take_turns(outputs, monkeypatch):
    """Both printed "Saved", and the record of one could land beside the checkpoint of the other. Here the
    first save pauses after writing its checkpoint, until the second has finished (or for two seconds)."""
    second_done, first_paused = threading.Event(), threading.Event()
    original = json.dumps

    def dumps(value, *args, **kwargs):
        if threading.current_thread().name == "first" and isinstance(value, dict) and "checkpoint" in value:
            first_paused.set()
            second_done.wait(timeout=2)
        return original(value, *args, **kwargs)

    monkeypatch.setattr(results, "json", types.SimpleNamespace(dumps=dumps, loads=json.loads))
    first = threading.Thread(target=_save_network, args=("02_sigmoid_hidden25",), kwargs={"seed": 1}, name="first")
    first.start()
    assert first_paused.wait(timeout=60)
    _save_network("02_sigmoid_hidden25", seed=2)
    second_done.set()
    first.join()
    classifiers.Classifier("02_sigmoid_hidden25")  # the record vouches for the checkpoint beside it
    assert _hidden(outputs) == []


_KILLED_SAVE = """
import os, shutil, signal, sys
from pathlib import Path

sys.path.insert(0, {tests!r})
import test_saving
from mnist_tutorial import paths

run, point = sys.argv[1], sys.argv[2]


def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)


if point == "between the two renames":
    rename = Path.rename
    Path.rename = lambda self, target: die() if self.name.startswith(f".{{run}}.new.") else rename(self, target)
elif point == "before the record goes in":
    replace = os.replace
    os.replace = lambda source, target, **kw: die() if Path(target) == paths.results_path(run) else replace(
        source, target, **kw
    )
elif point == "before the old checkpoint is deleted":
    rmtree = shutil.rmtree
    shutil.rmtree = lambda path, *a, **kw: die() if Path(path).name.startswith(f".{{run}}.old.") else rmtree(
        path, *a, **kw
    )
test_saving._save_network(run, seed=2)
"""


@pytest.mark.parametrize(
    "point, kept_seed",
    [("between the two renames", 1), ("before the record goes in", 1), ("before the old checkpoint is deleted", 2)],
)
def test_a_save_killed_at_any_point_leaves_a_whole_pair_and_its_leftovers_are_cleaned(outputs, point, kept_seed):
    """A kill between the two renames left no checkpoint (the good one hidden in .<name>.old.<hex>/, and the
    message said "run notebook 04 first"); a kill before the record went in left the new checkpoint beside
    the old record; and the leftovers of a killed save were never cleaned. A save killed before its record
    is in saves nothing; one killed after has saved."""
    _save_network("04_relu_hidden300", seed=1)
    script = _KILLED_SAVE.format(tests=str(Path(__file__).parent))
    child = subprocess.run([sys.executable, "-c", script, "04_relu_hidden300", point], capture_output=True)
    assert child.returncode == -signal.SIGKILL, child.stderr.decode()[-2000:]
    assert _hidden(outputs), "the kill left the save's hidden folders behind"
    classifiers.Classifier("04_relu_hidden300")  # tidies up first, and finds the record vouching for it
    assert _pair("04_relu_hidden300")[0] == kept_seed
    assert _hidden(outputs) == []
    _save_network("04_relu_hidden300", seed=3)
    assert _pair("04_relu_hidden300")[0] == 3 and _hidden(outputs) == []


# Records and seed spreads are read defensively ----------------------------------------------------------


def _write_record(run_name, **fields):
    path = paths.results_path(run_name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"run": run_name, "test_accuracy": 0.9, **fields}))
    return path


def test_the_function_that_checks_a_record_names_what_is_wrong(tmp_path):
    """The check every reader of a record uses, for the printers that compare runs."""
    record = {"run": "06_vanishing_gradients", "test_accuracy": 0.95, "measures": {"drawn_accuracy": 0.5}}
    results.check_record(record, "06_vanishing_gradients")
    for bad, problem in [
        ({**record, "validation_accuracy": "high"}, "holds validation_accuracy = 'high', not a number from 0 to 1"),
        ({**record, "run": "01_softmax"}, "is a record from another run ('01_softmax')"),
        ({**record, "measures": {"drawn": math.inf}}, "holds measures = {'drawn': inf}, not a table of names"),
        ({**record, "checkpoint": ["model.index"]}, "does not list its checkpoint's files as a {file name: SHA-256}"),
        ([record], "is not a run record of this series (it holds a JSON list, not an object)"),
    ]:
        with pytest.raises(results.RecordError) as error:
            results.check_record(bad, "06_vanishing_gradients", tmp_path / "record.json")
        assert str(error.value) == f"{tmp_path / 'record.json'} {problem}" + str(error.value).split(problem, 1)[1]
        assert str(error.value).endswith(": re-run notebook 06 to write it again.")


def test_a_record_of_a_notebook_the_catalog_does_not_know_is_named_by_its_run(outputs):
    """The messages took the notebook's number from the first two letters of its run's name."""
    path = paths.results_path("capstone_drawn")
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    with pytest.raises(results.RecordError, match=r"re-run the notebook that saves capstone_drawn to write it again"):
        results.load("capstone_drawn")
    with pytest.raises(classifiers.CheckpointMissing) as missing:
        classifiers.Classifier("capstone_drawn")
    assert missing.value.short == "run the notebook of capstone_drawn first"
    assert "run the notebook that saves capstone_drawn first" in str(missing.value)


@pytest.mark.parametrize(
    "checkpoint, problem",
    [(["model.index"], "list"), (7, "number"), ("abc", "text")],
    ids=["a list", "a number", "text"],
)
def test_a_record_whose_checkpoint_entry_is_odd_stops_only_its_own_network(outputs, checkpoint, problem):
    """A list or a number raised TypeError out of restore_all, stopping every network; "abc" was reported as
    "a is missing; b is missing; c is missing"."""
    for name in ("01_softmax", "02_sigmoid_hidden25"):
        _save_network(name)
    path = paths.results_path("02_sigmoid_hidden25")
    path.write_text(json.dumps({**json.loads(path.read_text()), "checkpoint": checkpoint}))
    restored, unavailable = classifiers.restore_all(["01_softmax", "02_sigmoid_hidden25"])
    assert set(restored) == {"01_softmax"}
    message = str(unavailable["02_sigmoid_hidden25"])
    assert isinstance(unavailable["02_sigmoid_hidden25"], classifiers.CheckpointDamaged)
    assert "does not list its checkpoint's files as a {file name: SHA-256} table" in message
    assert "a is missing" not in message and "\n" not in message
