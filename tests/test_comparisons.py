"""Comparisons of a run with the figures stored before it: the spread over seeds, recipes paired by
seed, networks compared image by image with an earlier notebook's record, and a note naming every
setting in which the compared runs differ from the settings the stored figures describe."""

import json
import math
import re

import numpy as np
import pytest

from mnist_tutorial import comparisons, paths, results

SETTINGS_07 = {"learning_rate": 0.003, "keep_prob": 0.75, "training_steps": 6000, "evaluation_interval": 500}
SETTINGS_06 = {"learning_rate": 0.003, "training_steps": 6000}
SPREADS = {
    "measured": {"07_dropout": "2026-12-07, x86_64, 2 cores"},
    "notebooks": {
        "06_vanishing_gradients": {
            "settings": SETTINGS_06,
            "seeds": [1, 2, 3, 4, 5],
            "validation_accuracy": [0.9830, 0.9826, 0.9834, 0.9822, 0.9828],
            "test_accuracy": [0.9839, 0.9810, 0.9825, 0.9830, 0.9811],
        },
        "07_dropout": {
            "settings": SETTINGS_07,
            "seeds": [1, 2, 3, 4, 5],
            "validation_accuracy": [0.9850, 0.9846, 0.9852, 0.9849, 0.9851],
            "test_accuracy": [0.9840, 0.9838, 0.9843, 0.9830, 0.9842],
            "measures": {"validation_cross_entropy": [0.0648, 0.0652, 0.0640, 0.0661, 0.0655]},
            "variants": {
                "without dropout": {
                    "parameters": {"keep_prob": 1.0},
                    "seeds": [1, 2, 3, 4, 5],
                    "validation_accuracy": [0.9839, 0.9840, 0.9838, 0.9842, 0.9837],
                    "test_accuracy": [0.9850, 0.9845, 0.9856, 0.9849, 0.9851],
                    "measures": {"validation_cross_entropy": [0.0812, 0.0790, 0.0805, 0.0831, 0.0799]},
                },
                "tiny learning rate": {
                    "parameters": {"learning_rate": 1e-9},
                    "seeds": [1, 2, 3, 4, 5],
                    "validation_accuracy": [None, None, 0.2, 0.21, 0.19],
                    "test_accuracy": [None, None, 0.2, 0.21, 0.19],
                    "failed_seeds": [1, 2],
                    "failure": "LearningFailed: the final validation accuracy is 0.1126",
                },
            },
        },
    },
}


@pytest.fixture
def stored(tmp_path, monkeypatch):
    """A repository whose seed_spreads.json is SPREADS, and an output folder for records."""
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "seed_spreads.json").write_text(json.dumps(SPREADS))
    monkeypatch.setattr(paths, "REPO_ROOT", tmp_path)
    monkeypatch.setenv(paths.OUTPUT_DIR_VARIABLE, str(tmp_path / "outputs"))
    return tmp_path


def _record(name, hyperparameters, predictions=None, accuracy=0.98):
    path = paths.results_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {"run": name, "test_accuracy": accuracy, "hyperparameters": hyperparameters}
    if predictions is not None:
        record["test_predictions"] = "".join(map(str, predictions))
    path.write_text(json.dumps(record))


def test_the_settings_that_differ_are_named_and_the_seed_is_not():
    differ = comparisons.differing_settings(
        {"learning_rate": 0.25, "seed": 2, "batch_size": 100, "new": 1}, {"learning_rate": 0.5, "batch_size": 100}
    )
    assert differ == {"learning_rate": (0.25, 0.5), "new": (1, None)}
    note = comparisons.settings_note("here", {"learning_rate": 0.25, "seed": 2}, {"learning_rate": 0.5}, "measured")
    assert note == (
        "note: settings differ (learning_rate = 0.25 here, 0.5 measured): the stored figures describe the "
        "committed settings"
    )
    assert comparisons.settings_note("here", {"learning_rate": 0.5, "seed": 3}, {"learning_rate": 0.5}, "x") == ""


def test_stored_seed_runs_are_read_by_seed_and_failed_seeds_left_out(stored):
    assert comparisons.seed_runs("07_dropout")[3] == 0.9852
    assert comparisons.seed_runs("07_dropout", "without dropout", "test_accuracy")[1] == 0.9850
    assert list(comparisons.seed_runs("07_dropout", "tiny learning rate")) == [3, 4, 5]
    with pytest.raises(comparisons.NotMeasured, match="has no stored variant 'no such'; it has: as committed"):
        comparisons.seed_runs("07_dropout", "no such")
    with pytest.raises(comparisons.NotMeasured, match="make seed-spreads ARGS=08"):
        comparisons.seed_runs("08_convolutional")


def test_a_notebook_prints_its_spread_and_its_variants_spreads(stored, capsys):
    comparisons.print_seed_spreads("07_dropout", SETTINGS_07)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "test accuracy of 07_dropout over seeds 1-5: mean +/- sd (min-max)"
    assert re.match(r"  as committed +0\.9839 \+/- 0\.0005 \(0\.9830-0\.9843\)$", lines[1])
    assert re.match(r"  without dropout \(keep_prob = 1\.0\) +0\.9850 \+/- 0\.0004 \(0\.9845-0\.9856\)$", lines[2])
    assert lines[4].strip() == "(over the 3 seeds that learned; with seeds 1, 2 it did not)"
    comparisons.print_seed_spreads("07_dropout", {**SETTINGS_07, "keep_prob": 0.5})
    assert capsys.readouterr().out.startswith("note: settings differ (keep_prob = 0.5 here, 0.75 measured)")
    comparisons.print_seed_spreads("08_convolutional", {})
    assert "no spread over seeds measured yet (make seed-spreads ARGS=08)" in capsys.readouterr().out


def test_runs_made_in_the_notebook_name_the_settings_the_text_does_not_describe(stored, capsys):
    comparisons.print_settings_note("07_dropout", SETTINGS_07)
    assert capsys.readouterr().out == ""
    comparisons.print_settings_note("07_dropout", {**SETTINGS_07, "learning_rate": 0.0015, "seed": 2})
    assert capsys.readouterr().out == (
        "note: settings differ (learning_rate = 0.0015 here, 0.003 committed): the text describes the committed "
        "settings\n"
    )
    comparisons.print_settings_note("08_convolutional", {"learning_rate": 0.1})
    assert capsys.readouterr().out == "", "nothing stored, nothing to say"


def test_two_stored_recipes_are_compared_seed_by_seed(stored, capsys):
    result = comparisons.print_recipe_comparison("07_dropout", SETTINGS_07, "as committed", "without dropout")
    out = capsys.readouterr().out
    assert result.direction == 1 and result.seeds == (1, 2, 3, 4, 5)
    assert out.startswith("validation accuracy, paired by seed\n")
    assert "verdict: 07_dropout does better than without dropout over seeds 1-5" in out
    other = comparisons.print_recipe_comparison("07_dropout", SETTINGS_07, "as committed", "06_vanishing_gradients")
    assert other.name_b == "06_vanishing_gradients" and other.direction == 1
    capsys.readouterr()
    failed = comparisons.print_recipe_comparison("07_dropout", SETTINGS_07, "as committed", "tiny learning rate")
    assert failed.seeds == (3, 4, 5), "seeds that failed in one recipe are left out of both"
    capsys.readouterr()
    comparisons.print_recipe_comparison("07_dropout", {**SETTINGS_07, "training_steps": 100}, "as committed")
    assert capsys.readouterr().out.startswith("note: settings differ (training_steps = 100 here, 6000 where")
    assert comparisons.print_recipe_comparison("07_dropout", SETTINGS_07, "as committed", "nothing") is None
    assert "No comparison of as committed with nothing: 07_dropout has no stored variant" in capsys.readouterr().out


def test_a_stored_cross_entropy_calls_the_recipe_with_the_lower_one_better(stored, capsys):
    result = comparisons.print_recipe_comparison(
        "07_dropout", SETTINGS_07, "as committed", "without dropout", measure="validation_cross_entropy"
    )
    out = capsys.readouterr().out
    assert out.startswith("validation cross-entropy, paired by seed (lower is better)\n")
    assert result.mean_difference < 0 and result.direction == 1
    assert "verdict: 07_dropout does better than without dropout over seeds 1-5" in out


def test_a_run_is_compared_image_by_image_with_an_earlier_notebooks_record(stored, capsys):
    """30 digits only the new run reads, 10 only the earlier one: McNemar's p = 0.00222 (exact,
    two-sided: 2 x P(Binomial(40, 1/2) <= 10))."""
    labels = np.zeros(1000, dtype=int)
    earlier, current = labels.copy(), labels.copy()
    earlier[:30] = 1  # only the current run reads these
    current[30:40] = 1  # only the earlier run reads these
    earlier[40:60] = current[40:60] = 2  # both miss these
    _record("06_vanishing_gradients", SETTINGS_06, earlier)
    comparison = comparisons.print_network_comparison(
        "07_dropout", SETTINGS_07, current, labels, "06_vanishing_gradients"
    )
    out = capsys.readouterr().out
    assert (comparison.only_a, comparison.only_b) == (30, 10)
    assert comparison.p_value == pytest.approx(0.00222, abs=1e-5)
    assert "read right by one network only: 30 by 07_dropout, 10 by 06_vanishing_gradients" in out
    assert "verdict: 07_dropout reads these 1,000 images better than 06_vanishing_gradients" in out
    assert "note:" not in out
    _record("06_vanishing_gradients", {**SETTINGS_06, "learning_rate": 0.1}, earlier)
    comparisons.print_network_comparison(
        "07_dropout", {**SETTINGS_07, "keep_prob": 1.0}, current, labels, "06_vanishing_gradients"
    )
    notes = [line for line in capsys.readouterr().out.splitlines() if line.startswith("note:")]
    assert len(notes) == 2
    assert "keep_prob = 1.0 here, 0.75 committed" in notes[0]
    assert "learning_rate = 0.1 in 06_vanishing_gradients's record, 0.003 committed" in notes[1]


def test_without_the_earlier_records_predictions_the_comparison_says_what_to_run(stored, capsys):
    assert (
        comparisons.print_network_comparison("07_dropout", SETTINGS_07, [1, 2], [1, 2], "06_vanishing_gradients")
        is None
    )
    assert "run notebook 06 first" in capsys.readouterr().out
    path = paths.results_path("06_vanishing_gradients")
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"test_accuracy": 0.9, "test_predictions": "12x"}))
    assert (
        comparisons.print_network_comparison("07_dropout", SETTINGS_07, [1, 2], [1, 2], "06_vanishing_gradients")
        is None
    )
    assert "not a string of digits" in capsys.readouterr().out
    _record("06_vanishing_gradients", SETTINGS_06, [1, 2, 3])
    assert (
        comparisons.print_network_comparison("07_dropout", SETTINGS_07, [1, 2], [1, 2], "06_vanishing_gradients")
        is None
    )
    said = capsys.readouterr().out
    assert "holds test predictions for 3 images, not for the 2 test images: re-run notebook 06" in said


def test_the_records_table_keeps_its_columns_apart_whatever_a_record_says(stored, capsys):
    """A notebook not run yet, a record that cannot be read and a recorded run each keep a space
    between their text and the seed spread after it; a record made with other settings is noted."""
    _record("06_vanishing_gradients", {**SETTINGS_06, "training_steps": 10}, accuracy=0.9)
    paths.results_path("03_five_layers_sigmoid").write_text("{not json")
    comparisons.print_records(
        "07_dropout", SETTINGS_07, 0.9691, ["01_softmax", "03_five_layers_sigmoid", "06_vanishing_gradients"]
    )
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        "note: settings differ (training_steps = 10 in 06_vanishing_gradients's record, 6000 committed): "
        "the stored figures describe the committed settings"
    )
    rows = {line.split()[0]: line for line in lines[2:]}
    assert re.match(r"01_softmax +not run yet +not measured$", rows["01_softmax"])
    assert re.match(r"03_five_layers_sigmoid +unreadable: re-run it +not measured$", rows["03_five_layers_sigmoid"])
    assert re.match(r"06_vanishing_gradients +0\.9000 +seeds 1-5: 0\.9823 \+/- ", rows["06_vanishing_gradients"])
    assert re.match(r"07_dropout +0\.9691 +seeds 1-5: 0\.9839 \+/- ", rows["07_dropout"])


def test_a_damaged_seed_spreads_file_is_named_in_one_line(stored):
    (stored / "notebooks" / "seed_spreads.json").write_text('{"notebooks": <<<<<<< HEAD')
    with pytest.raises(results.RecordError) as error:
        results.seed_spreads()
    assert "seed_spreads.json cannot be read" in str(error.value) and "\n" not in str(error.value)


ODD_RECORDS = {
    "test_accuracy as text": dict(test_accuracy="0.97"),
    "test_accuracy null": dict(test_accuracy=None),
    "test_accuracy above 1": dict(test_accuracy=1.7),
    "test_accuracy NaN": dict(test_accuracy=math.nan),
    "predictions one digit short": dict(test_predictions="7" * 9),
}


@pytest.mark.parametrize("odd", ODD_RECORDS)
def test_an_odd_record_of_an_earlier_notebook_never_stops_a_later_one(stored, capsys, odd):
    """A test_accuracy as text or null in 02's record, or its predictions one digit short, made 04's comparison
    cells raise after training and before the save; 1.7 or NaN was printed beside real results without a word."""
    path = paths.results_path("02_sigmoid_hidden25")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(
            {"run": "02_sigmoid_hidden25", "test_accuracy": 0.9, "test_predictions": "7" * 10, **ODD_RECORDS[odd]}
        )
    )
    labels = np.full(10, 7)
    comparisons.print_records("04_relu_hidden300", {}, 0.97, ["02_sigmoid_hidden25"])
    comparisons.print_network_comparison("04_relu_hidden300", {}, labels, labels, "02_sigmoid_hidden25")
    out = capsys.readouterr().out
    table = "0.9000" if odd.startswith("predictions") else "unreadable: re-run it"
    assert re.search(rf"^02_sigmoid_hidden25 +{table}", out, re.M), out
    if not odd.startswith("predictions"):
        assert f"Record left out: {path} holds test_accuracy = " in out, "why, in one line below the table"
    line = next(line for line in out.splitlines() if line.startswith("No comparison with 02_sigmoid_hidden25"))
    assert str(path) in line and "re-run notebook 02 to write" in line


DAMAGED_SPREADS = {
    "empty": "",
    "a merge conflict": '{\n<<<<<<< HEAD\n  "notebooks": {}\n=======\n  "notebooks": {"01": {}}\n>>>>>>> b\n}\n',
    "no notebooks": json.dumps({"measured": {}}),
}


@pytest.mark.parametrize("damage", DAMAGED_SPREADS)
def test_a_damaged_seed_spreads_file_is_named_in_one_line_and_the_comparisons_go_on(stored, capsys, damage):
    """It raised a bare JSONDecodeError or KeyError from every comparison helper, naming no file, and every
    training notebook stopped before its save."""
    spreads_file = stored / "notebooks" / "seed_spreads.json"
    spreads_file.write_text(DAMAGED_SPREADS[damage])
    labels = np.arange(1, 11) % 10
    _record("06_vanishing_gradients", SETTINGS_06, labels)
    comparisons.print_records("07_dropout", SETTINGS_07, 0.98, ["06_vanishing_gradients"])
    comparison = comparisons.print_network_comparison(
        "07_dropout", SETTINGS_07, labels, labels, "06_vanishing_gradients"
    )
    comparisons.print_seed_spreads("07_dropout", SETTINGS_07)
    assert comparisons.print_recipe_comparison("07_dropout", SETTINGS_07, "as committed", "without dropout") is None
    out = capsys.readouterr().out
    assert comparison is not None and "verdict:" in out, "the comparison itself still runs"
    said = [line for line in out.splitlines() if str(spreads_file) in line]
    assert said and all("git checkout -- notebooks/seed_spreads.json" in line for line in said)
    assert all("\n" not in line for line in said)


def test_a_damaged_entry_of_the_seed_spreads_is_set_aside_and_the_others_used(stored, capsys):
    spreads_file = stored / "notebooks" / "seed_spreads.json"
    damaged = {**SPREADS["notebooks"]["06_vanishing_gradients"], "test_accuracy": [0.98]}  # one for five seeds
    spreads_file.write_text(json.dumps({"notebooks": {**SPREADS["notebooks"], "06_vanishing_gradients": damaged}}))
    assert set(results.seed_spreads()) == {"07_dropout"}
    comparisons.print_seed_spreads("06_vanishing_gradients", SETTINGS_06)
    comparisons.print_seed_spreads("07_dropout", SETTINGS_07)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (
        f"Spread over seeds left out: {spreads_file}: the entry of 06_vanishing_gradients has no test_accuracy for "
        "each of its 5 seeds: restore the file (git checkout -- notebooks/seed_spreads.json) or measure it again "
        "(make seed-spreads ARGS=06)."
    )
    assert out[2] == "test accuracy of 07_dropout over seeds 1-5: mean +/- sd (min-max)"
