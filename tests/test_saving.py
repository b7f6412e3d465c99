"""Records and checkpoints: written whole and only for finished runs; checked before they are restored."""

import json
import math
import os
import re
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
    record = paths.results_path("10_look_inside")
    record.parent.mkdir(parents=True)
    record.symlink_to(elsewhere)
    results.save("10_look_inside", _monitor(), {})
    assert elsewhere.read_text() == "yours"
    assert not record.is_symlink() and json.loads(record.read_text())["run"] == "10_look_inside"


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
    assert {"02_sigmoid_hidden25", "03_five_layers_sigmoid", "07_convolutional"} <= set(unavailable)
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
    _save_network("07_convolutional", image_shape=(28, 28, 1))
    network = classifiers.Classifier("07_convolutional")
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


def test_the_comparison_table_keeps_its_columns_apart_whatever_a_record_says(outputs, capsys):
    """A notebook not run yet, a record that cannot be read and a recorded run each keep a space
    between their text and the seed spread after it."""
    _save_network("02_sigmoid_hidden25")
    paths.results_path("03_five_layers_sigmoid").write_text("{not json")
    results.print_comparison(
        "04_relu_hidden300", 0.9691, ["01_softmax", "02_sigmoid_hidden25", "03_five_layers_sigmoid"]
    )
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()[1:]}
    assert re.match(r"01_softmax +not run yet +0\.\d{4} \+/- ", lines["01_softmax"])
    assert re.match(r"02_sigmoid_hidden25 +0\.9000 +0\.\d{4} \+/- ", lines["02_sigmoid_hidden25"])
    assert re.match(
        r"03_five_layers_sigmoid +record unreadable: re-run it +0\.\d{4} \+/- ", lines["03_five_layers_sigmoid"]
    )
    assert re.match(r"04_relu_hidden300 +0\.9691 +0\.\d{4} \+/- ", lines["04_relu_hidden300"])


def test_a_notebook_prints_its_spread_and_its_variants_spreads(monkeypatch, capsys):
    monkeypatch.setattr(
        results,
        "seed_spreads",
        lambda: {
            "06_dropout": {
                "mean": 0.9838,
                "sd": 0.0006,
                "min": 0.983,
                "max": 0.9843,
                "variants": {
                    "without dropout": {
                        "parameters": {"keep_prob": 1.0},
                        "mean": 0.985,
                        "sd": 0.0004,
                        "min": 0.9845,
                        "max": 0.9856,
                    }
                },
            }
        },
    )
    results.print_seed_spreads("06_dropout")
    lines = capsys.readouterr().out.splitlines()
    assert re.match(r"  as committed +0\.9838 \+/- 0\.0006 \(0\.9830-0\.9843\)$", lines[1])
    assert re.match(r"  without dropout \(keep_prob = 1\.0\) +0\.9850 \+/- 0\.0004 \(0\.9845-0\.9856\)$", lines[2])
    monkeypatch.setattr(
        results,
        "seed_spreads",
        lambda: {
            "08_batch_norm": {
                "mean": 0.9943,
                "sd": 0.0002,
                "min": 0.9941,
                "max": 0.9946,
                "variants": {
                    "without batch norm": {
                        "parameters": {"use_batch_norm": False},
                        "accuracies": [None, None, 0.9868, 0.9849, 0.986],
                        "failed_seeds": [1, 2],
                        "failure": "LearningFailed: The final validation accuracy is 0.1126: no better. Then",
                        "mean": 0.9859,
                        "sd": 0.001,
                        "min": 0.9849,
                        "max": 0.9868,
                    }
                },
            }
        },
    )
    results.print_seed_spreads("08_batch_norm")
    lines = capsys.readouterr().out.splitlines()
    assert re.match(
        r"  without batch norm \(use_batch_norm = False\) +0\.9859 \+/- 0\.0010 \(0\.9849-0\.9868\)$", lines[2]
    )
    assert lines[3].strip() == (
        "(over the 3 seeds that learned; with seeds 1, 2 it did not: LearningFailed: The final "
        "validation accuracy is 0.1126: no better)"
    )
    results.print_seed_spreads("05_vanishing_gradients_not_measured")
    assert "no spread over seeds measured yet" in capsys.readouterr().out


def _save_record_with_predictions(run_name, predictions):
    return results.save(run_name, _monitor(), {"seed": 1}, test_predictions=predictions)


def test_a_record_keeps_the_test_predictions_digit_for_digit(outputs):
    predictions = np.array([7, 2, 1, 0, 4, 1, 4, 9, 5, 9])
    record = json.loads(_save_record_with_predictions("05_vanishing_gradients", predictions).read_text())
    assert record["test_predictions"] == "7210414959"
    np.testing.assert_array_equal(results.test_predictions("05_vanishing_gradients"), predictions)
    assert results.test_predictions("06_dropout") is None, "not run yet"


@pytest.mark.parametrize("bad", [np.full((10,), 0.5), np.eye(10, dtype=int), np.array([3, 10]), np.array([], int)])
def test_probabilities_or_one_hot_labels_are_refused_as_predictions_and_nothing_is_saved(outputs, bad):
    with pytest.raises(ValueError, match="one predicted digit .* per test image"):
        _save_record_with_predictions("05_vanishing_gradients", bad)
    assert not paths.results_path("05_vanishing_gradients").exists()


def test_a_run_is_compared_image_by_image_with_an_earlier_notebooks_record(outputs, monkeypatch, capsys):
    """30 digits only the new run reads, 10 only the earlier one: McNemar's p = 0.00222 (exact,
    two-sided: 2 x P(Binomial(40, 1/2) <= 10)); with both spreads measured, the verdict is given."""
    labels = np.zeros(1000, dtype=int)
    earlier, current = labels.copy(), labels.copy()
    earlier[:30] = 1  # only the current run reads these
    current[30:40] = 1  # only the earlier run reads these
    earlier[40:60] = current[40:60] = 2  # both miss these
    monkeypatch.setattr(
        results, "seed_spreads", lambda: {"05_vanishing_gradients": {"sd": 0.003}, "06_dropout": {"sd": 0.002}}
    )
    _save_record_with_predictions("05_vanishing_gradients", earlier)
    comparison = results.print_paired_comparison("06_dropout", current, labels, "05_vanishing_gradients")
    out = capsys.readouterr().out
    assert (comparison.only_a, comparison.only_b) == (30, 10)
    assert comparison.p_value == pytest.approx(0.00222, abs=1e-5)
    assert "30 digits only 06_dropout reads, 10 only 05_vanishing_gradients reads" in out
    assert "verdict: 06_dropout is better" in out


def test_without_the_earlier_records_predictions_the_comparison_says_what_to_run(outputs, capsys):
    assert results.print_paired_comparison("06_dropout", [1, 2], [1, 2], "05_vanishing_gradients") is None
    assert "run notebook 05 first" in capsys.readouterr().out
    path = paths.results_path("05_vanishing_gradients")
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"test_accuracy": 0.9, "test_predictions": "12x"}))
    assert results.print_paired_comparison("06_dropout", [1, 2], [1, 2], "05_vanishing_gradients") is None
    assert "not a string of digits: re-run notebook 05" in capsys.readouterr().out
