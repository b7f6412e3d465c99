"""Records and checkpoints: written whole and only for finished runs; checked before they are restored."""

import json
import math
import os
import shutil
import stat
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
