"""Notebooks 05 and 06 run headless on restored checkpoints, and cope with missing ones."""

import re
import shutil

import pytest

from mnist_tutorial import classifiers
from notebook_runs import NOTEBOOKS, printed_text, read_record, run_notebook, run_notebooks

FAST_05 = dict(wide_training_steps=500, wide_evaluation_interval=250, robustness_images=200,
               template_snapshot_steps=[0, 1, 2, 20])


def _html_outputs(notebook):
    return "".join(output.get("data", {}).get("text/html", "") for cell in notebook.cells
                   if cell.cell_type == "code" for output in cell.get("outputs", []))


def test_look_inside_runs_on_the_restored_networks(trained_checkpoints, output_dir, tmp_path):
    notebook = run_notebook("05_look_inside", tmp_path, FAST_05)
    text = printed_text(notebook)
    assert ("restored: 01_softmax, 02_sigmoid_hidden25, 03_five_layers_sigmoid, 04_relu_hidden300, "
            "09_convolutional") in text
    assert re.search(r"^  convolutional +as changed: ", text, re.M), "the convolutional network is in the robustness curves"
    for heading in ("Shifted", "Shrunk into the corner", "Thinner or thicker strokes"):
        assert heading in text
    assert re.search(r"Of \d+ test 5s, the one-layer network misreads \d+ when shrunk", text)
    record = read_record(output_dir, "05_look_inside")
    assert record["training_steps"] == 500 and 0.8 < record["test_accuracy"] <= 1.0
    assert set(record["pruning"]) == {"0.8", "0.7", "0.6", "0.5"}


def test_draw_a_digit_reads_the_example_with_every_network(trained_checkpoints, tmp_path):
    notebook = run_notebook("06_draw_a_digit", tmp_path)
    html = _html_outputs(notebook)
    answers = dict(re.findall(r'data-network="(\w+)"><td>[^<]*</td><td class="predicted-digit"[^>]*>(\d)<', html))
    assert set(answers) == set(classifiers.NETWORKS)
    assert answers["04_relu_hidden300"] == "3", answers


def test_draw_a_digit_with_missing_or_damaged_checkpoints_reads_with_the_rest(trained_checkpoints, tmp_path):
    (trained_checkpoints / "01_softmax" / "model.index").write_bytes(b"")  # damaged
    for name in ("02_sigmoid_hidden25", "03_five_layers_sigmoid"):  # never trained
        shutil.rmtree(trained_checkpoints / name)
    notebook = run_notebook("06_draw_a_digit", tmp_path)
    html = _html_outputs(notebook)
    for name in ("02_sigmoid_hidden25", "03_five_layers_sigmoid"):
        assert f'data-network="{name}"><td>' in html
        assert f"run notebook {name[:2]} first" in html
    assert "re-run notebook 01: its checkpoint is damaged" in html
    assert 'data-network="04_relu_hidden300"><td>300 ReLU</td><td class="predicted-digit"' in html
    text = printed_text(notebook)
    assert "run notebook 02 (02_sigmoid_hidden25.ipynb) first" in text
    assert "Re-run notebook 01 (01_softmax.ipynb)" in text


def test_missing_checkpoint_error_names_the_notebook():
    with pytest.raises(classifiers.CheckpointMissing, match=r"run notebook 02 \(02_sigmoid_hidden25.ipynb\) first"):
        classifiers.Classifier("02_sigmoid_hidden25")
    restored, missing = classifiers.restore_all()
    assert restored == {} and set(missing) == set(classifiers.NETWORKS)


def test_make_notebooks_trains_every_restored_network_before_the_notebooks_that_restore_it():
    order = [path.stem for path in run_notebooks.run_order(NOTEBOOKS.glob("[0-9]*.ipynb"))]
    for reader in ("05_look_inside", "06_draw_a_digit"):
        for trained in classifiers.NETWORKS:
            assert order.index(trained) < order.index(reader), f"{reader} runs before {trained} has trained"
    assert order[:4] == ["01_softmax", "02_sigmoid_hidden25", "03_five_layers_sigmoid", "04_relu_hidden300"]
