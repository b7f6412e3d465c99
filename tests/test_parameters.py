"""Hyperparameter checks: each mistake gets one line that names the parameter and what it must be."""

import json

import numpy as np
import pytest

from mnist_tutorial.parameters import ParameterError, check


def test_good_values_pass_and_come_back_as_a_dict():
    values = dict(
        learning_rate=0.5,
        batch_size=np.int64(100),
        training_steps=1000,
        evaluation_interval=50,
        seed=0,
        keep_prob=1.0,
        init_stddev=0.0,
        hidden1=200,
        compare_stddevs=[0.003, 1],
        sigmoid_learning_rates=[1.0, 2],
        template_snapshot_steps=[0, 1, 50],
        robustness_images=2000,
        channels3=24,
        train_sample=10000,
        average_decay=0.998,
        decay_steps=900,
        use_batch_norm=False,
        my_own_knob="anything",
    )
    assert check(**values) == values


@pytest.mark.parametrize(
    "name, value, expected",
    [
        ("learning_rate", "0.5", "learning_rate must be a number greater than 0, not '0.5' (str)"),
        ("learning_rate", 0, "learning_rate must be a number greater than 0, not 0 (int)"),
        ("learning_rate", float("nan"), "learning_rate must be a number greater than 0"),
        ("perceptron_learning_rate", -1.0, "perceptron_learning_rate must be a number greater than 0"),
        ("evaluation_interval", 0, "evaluation_interval must be a whole number of at least 1, not 0 (int)"),
        ("batch_size", 100.0, "batch_size must be a whole number from 1 to 55,000, not 100.0 (float)"),
        ("batch_size", 60000, "batch_size must be a whole number from 1 to 55,000"),
        ("training_steps", True, "training_steps must be a whole number from 1 to 10,000,000, not True (bool)"),
        ("keep_prob", 1.5, "keep_prob must be a number greater than 0 and at most 1"),
        ("hidden3", 0, "hidden3 must be a whole number of at least 1"),
        ("compare_stddevs", [], "compare_stddevs must be a non-empty list of numbers (0 or more), not [] (list)"),
        (
            "sigmoid_learning_rates",
            [1.0, 0],
            "sigmoid_learning_rates must be a non-empty list of numbers greater than 0, not [1.0, 0] (list)",
        ),
        (
            "template_snapshot_steps",
            [0, 50, 2],
            "template_snapshot_steps must be a non-empty list of whole numbers (0 or more), in increasing order",
        ),
        ("channels2", 0, "channels2 must be a whole number of at least 1, not 0 (int)"),
        ("decay_steps", 0.5, "decay_steps must be a whole number from 1 to 10,000,000"),
        ("final_learning_rate", -0.1, "final_learning_rate must be a number greater than 0"),
        ("train_sample", 60000, "train_sample must be a whole number from 1 to 55,000"),
        ("average_decay", 1.0, "average_decay must be a number from 0 up to, but not including, 1, not 1.0 (float)"),
        ("use_batch_norm", "no", "use_batch_norm must be True or False, not 'no' (str)"),
        ("use_batch_norm", 0, "use_batch_norm must be True or False, not 0 (int)"),
    ],
)
def test_a_bad_value_gets_one_line_naming_it(name, value, expected):
    with pytest.raises(ParameterError) as error:
        check(**{name: value})
    message = str(error.value)
    assert message.startswith(expected)
    assert "\n" not in message and message.endswith("change it in the parameters cell and run again.")


def test_numpy_numbers_come_back_as_the_python_numbers_a_record_can_hold():
    """A computed value is often a NumPy scalar, which json cannot write: the run would train in full and
    then fail to save its record."""
    values = check(
        batch_size=np.int64(100),
        learning_rate=np.float32(0.5),
        use_batch_norm=np.bool_(True),
        compare_stddevs=[np.float64(0.1), np.int32(1)],
        my_own_knob=(np.uint8(3), {"inner": np.float16(0.25)}),
    )
    assert values == dict(
        batch_size=100,
        learning_rate=0.5,
        use_batch_norm=True,
        compare_stddevs=[0.1, 1],
        my_own_knob=(3, {"inner": 0.25}),
    )
    assert type(values["batch_size"]) is int and type(values["learning_rate"]) is float
    assert type(values["use_batch_norm"]) is bool and type(values["compare_stddevs"][1]) is int
    json.dumps(values)


@pytest.mark.parametrize("name", ["training_steps", "perceptron_steps", "decay_steps"])
def test_a_number_of_steps_too_large_to_train_is_refused_by_name(name):
    """10**12 steps passed as a whole number and then failed to allocate 14.6 TiB, naming nothing."""
    with pytest.raises(ParameterError) as error:
        check(**{name: 10**12})
    assert str(error.value).startswith(f"{name} must be a whole number from 1 to 10,000,000, not 1000000000000 (int)")
    assert check(**{name: 10_000_000}) == {name: 10_000_000}
