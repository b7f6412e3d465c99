"""The notebooks that restore the trained networks (look inside, robustness, draw a digit) run
headless on restored checkpoints, and cope with missing ones."""

import re
import shutil

import numpy as np
import pytest

from mnist_tutorial import catalog, classifiers, readout

from notebook_runs import committed, printed_text, quick, read_record, run_notebook

LOOK_INSIDE, ROBUSTNESS, DRAW = (catalog.find(slug).name for slug in ("look_inside", "robustness", "draw_a_digit"))
SOFTMAX, SIGMOID, FIVE_LAYERS, RELU = (
    catalog.find(slug).name for slug in ("softmax", "sigmoid_hidden25", "five_layers_sigmoid", "relu_hidden300")
)


def _html_outputs(notebook):
    return "".join(
        output.get("data", {}).get("text/html", "")
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
    )


@pytest.mark.slow  # the networks of part two (07, 09) too: made in `make test`
def test_look_inside_runs_on_the_restored_networks(trained_checkpoints, output_dir, tmp_path):
    notebook = run_notebook(LOOK_INSIDE, tmp_path, quick(LOOK_INSIDE))
    text = printed_text(notebook)
    assert f"restored: {SIGMOID}\n" in text, "it restores notebook 2's network, and only that one"
    record = read_record(output_dir, LOOK_INSIDE)
    assert record["training_steps"] == quick(LOOK_INSIDE)["wide_training_steps"]
    assert 0.8 < record["test_accuracy"] <= 1.0
    assert set(record["pruning"]) == {"0.8", "0.7", "0.6", "0.5"}


@pytest.mark.slow  # the networks of part two (07, 09) too: made in `make test`
def test_robustness_reads_changed_digits_with_every_network(trained_checkpoints, output_dir, tmp_path):
    text = printed_text(run_notebook(ROBUSTNESS, tmp_path, quick(ROBUSTNESS)))
    assert f"restored: {', '.join(classifiers.NETWORKS)}" in text
    for heading in ("Shifted", "Shrunk into the corner", "Thinner or thicker strokes"):
        assert heading in text
    for label in classifiers.NETWORKS.values():
        assert re.search(rf"^  {label} +as changed: ", text, re.M), f"{label} is in the curves"
    assert re.search(r"Of \d+ validation 5s, the one-layer network misreads \d+ when shrunk", text)
    assert not (output_dir / "results" / f"{ROBUSTNESS}.json").exists(), "it trains nothing and records nothing"


@pytest.mark.slow  # the networks of part two (07, 09) too: made in `make test`
def test_draw_a_digit_reads_the_example_with_every_network(trained_checkpoints, tmp_path):
    notebook = run_notebook(DRAW, tmp_path)
    html = _html_outputs(notebook)
    answers = dict(re.findall(r'data-network="(\w+)"><td>[^<]*</td><td class="predicted-digit"[^>]*>(\d)<', html))
    assert set(answers) == set(classifiers.NETWORKS)
    assert answers[RELU] == "3", answers


@pytest.mark.slow  # the networks of part two (07, 09) too: made in `make test`
def test_draw_a_digit_with_missing_or_damaged_checkpoints_reads_with_the_rest(trained_checkpoints, tmp_path):
    (trained_checkpoints / SOFTMAX / "model.index").write_bytes(b"")  # damaged
    for name in (SIGMOID, FIVE_LAYERS):  # never trained
        shutil.rmtree(trained_checkpoints / name)
    notebook = run_notebook(DRAW, tmp_path)
    html = _html_outputs(notebook)
    for name in (SIGMOID, FIVE_LAYERS):
        assert f'data-network="{name}"><td>' in html
        assert f"run notebook {name[:2]} first" in html
    assert f"re-run notebook {SOFTMAX[:2]}: its checkpoint is damaged" in html
    assert f'data-network="{RELU}"><td>300 ReLU</td><td class="predicted-digit"' in html
    text = printed_text(notebook)
    assert f"run notebook {SIGMOID[:2]} ({SIGMOID}.ipynb) first" in text
    assert f"Re-run notebook {SOFTMAX[:2]} ({SOFTMAX}.ipynb)" in text


def test_missing_checkpoint_error_names_the_notebook():
    with pytest.raises(classifiers.CheckpointMissing, match=rf"run notebook {SIGMOID[:2]} \({SIGMOID}.ipynb\) first"):
        classifiers.Classifier(SIGMOID)
    restored, missing = classifiers.restore_all()
    assert restored == {} and set(missing) == set(classifiers.NETWORKS)


def test_draw_a_digit_says_at_the_top_what_to_run_to_get_the_pad():
    """Until its cells run, Jupyter shows the pad's saved output as a line of text: the notebook's first
    cell says what to run, and names that line, so that a learner does not take it for the pad."""
    notebook = committed(DRAW)
    first = notebook.cells[0].source
    pad = next(
        output.data["text/plain"]
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if "application/vnd.jupyter.widget-view+json" in output.get("data", {})
    )
    assert "Run All Cells" in first, "the first cell says what to run"
    shown = re.search(r"`(HBox\(children=\(DrawPad\()\.\.\.`", first)
    assert shown and pad.startswith(shown.group(1)), "and names the line Jupyter shows in the pad's place"


def test_the_answers_table_shows_the_softmax_output_not_how_sure_a_network_is():
    """A softmax output is not a calibrated chance of being right: the table names it, and says no "% sure"."""
    outputs = np.full(10, 0.02 / 9)
    outputs[3] = 0.98
    html = readout.answers_html({RELU: outputs}, {})
    assert "<th>softmax output</th>" in html
    assert '<td class="softmax-output">0.98</td>' in html
    assert "sure" not in html and "%" not in html
