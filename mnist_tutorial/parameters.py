"""Check a notebook's hyperparameters before anything is built: one clear line per mistake.

A typo in the parameters cell (`learning_rate = "0.5"`, `evaluation_interval = 0`) would
otherwise surface much later as a long TensorFlow trace or a `ZeroDivisionError` deep in the
training loop. `check()` looks at every value by its name and says what it must be::

    hyperparameters = parameters.check(learning_rate=learning_rate, batch_size=batch_size, ...)

It returns the values as a dict, which is also what the run's record saves: NumPy numbers
(`np.int64(100)`, which a computed value often is) come back as the Python numbers they equal, so
that the record can be written.
"""

import math
import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

TRAINING_IMAGES = 55000
#: The most steps a run may take. The training monitor keeps two numbers for every step, 160 MB at
#: this bound, and ten million steps of notebook 09 (whose 2,500 take about 90 s on two cores) would
#: train for four days. A larger value fails at once, not after an attempt to allocate terabytes.
MAX_STEPS = 10_000_000


class ParameterError(ValueError):
    """A hyperparameter has a value of the wrong kind or out of range."""


def _is_integer(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_real(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


def _integer(low, high=None):
    def rule(value):
        return _is_integer(value) and value >= low and (high is None or value <= high)

    if high is None:
        return rule, f"a whole number of at least {low}"
    return rule, f"a whole number from {low} to {high:,}"


def _real(low, low_inclusive, high=None):
    def rule(value):
        if not _is_real(value):
            return False
        above = value >= low if low_inclusive else value > low
        return above and (high is None or value <= high)

    bound = f"{'at least' if low_inclusive else 'greater than'} {low}"
    return rule, f"a number {bound}" + (f" and at most {high}" if high is not None else "")


def _fraction_below_one():
    def rule(value):
        return _is_real(value) and 0 <= value < 1

    return rule, "a number from 0 up to, but not including, 1"


def _switch():
    return (lambda value: isinstance(value, bool)), "True or False"


def _list_of(item_rule, items_text, increasing=False):
    def rule(value):
        if not isinstance(value, (list, tuple)) or not value or not all(item_rule(v) for v in value):
            return False
        return not increasing or all(a < b for a, b in zip(value, value[1:]))

    order = ", in increasing order" if increasing else ""
    return rule, f"a non-empty list of {items_text}{order}"


#: (how a name ends, the rule its value must meet, what the rule says in words), first match wins.
RULES = (
    ("snapshot_steps", *_list_of(_integer(0)[0], "whole numbers (0 or more)", increasing=True)),
    ("stddevs", *_list_of(_real(0, True)[0], "numbers (0 or more)")),
    ("learning_rates", *_list_of(_real(0, False)[0], "numbers greater than 0")),
    ("learning_rate", *_real(0, False)),
    ("batch_size", *_integer(1, TRAINING_IMAGES)),
    ("steps", *_integer(1, MAX_STEPS)),
    ("evaluation_interval", *_integer(1)),
    ("seeds", *_integer(1)),
    ("seed", *_integer(0)),
    ("keep_prob", *_real(0, False, 1)),
    ("stddev", *_real(0, True)),
    ("hidden_units", *_integer(1)),
    ("images", *_integer(1, 10000)),
    ("size", *_integer(1)),
    ("width", *_integer(1)),
    ("channels", *_integer(1)),
    ("train_sample", *_integer(1, TRAINING_IMAGES)),
    ("average_decay", *_fraction_below_one()),
    ("use_batch_norm", *_switch()),
    # The largest random changes of the training digits (`augmentation.Augmenter`): 0 leaves one out.
    ("per_batch", *_integer(0)),
    ("shift", *_real(0, True, 14)),
    ("rotation", *_real(0, True, 180)),
    ("scale", *_fraction_below_one()),
    ("slant", *_real(0, True, 2)),
    ("stroke", *_real(0, True, 0.5)),
    ("elastic", *_real(0, True)),
)


def rule_for(name: str) -> tuple[Callable[[Any], bool], str] | None:
    """(rule, description) for a parameter name, or None when no rule applies to it."""
    if name.rstrip("0123456789") == "hidden":  # hidden1 ... hidden4: widths of hidden layers
        name = "hidden_units"
    elif name.rstrip("0123456789") == "channels":  # channels1 ... channels3: filters per conv layer
        name = "channels"
    for ending, rule, description in RULES:
        if name.endswith(ending):
            return rule, description
    return None


def check(**values: Any) -> dict[str, Any]:
    """`values` as a dict, once every value is of the kind its name calls for.

    Raises ParameterError, naming the first parameter that is not, what it must be, and what it
    is. Names with no rule (your own additions) are passed through unchecked. NumPy scalars, alone or
    in a list, tuple or dict, are returned as Python numbers (`np.int64(100)` as `100`).
    """
    values = {name: plain(value) for name, value in values.items()}
    for name, value in values.items():
        found = rule_for(name)
        if found is None:
            continue
        rule, description = found
        if not rule(value):
            raise ParameterError(
                f"{name} must be {description}, not {value!r} ({type(value).__name__}): "
                f"change it in the parameters cell and run again."
            )
    return dict(values)


def plain(value: Any) -> Any:
    """`value` with every NumPy scalar in it (alone, or in a list, tuple or dict) turned into the Python
    number, bool or string it equals, which a JSON record can hold; anything else is returned as it is."""
    if isinstance(value, np.generic):
        return value.item()
    if type(value) in (list, tuple):
        return type(value)(plain(item) for item in value)
    if type(value) is dict:
        return {key: plain(item) for key, item in value.items()}
    return value
