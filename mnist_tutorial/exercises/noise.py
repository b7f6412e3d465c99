"""How far a measurement moves from run to run, for the exercises' verdicts.

Two questions. *Where does one more run land?* A run of the same settings with another seed (or on
another processor) lands within `band`: the prediction interval of one new value from the measured
ones (mean +/- t x sd x sqrt(1 + 1/n), Student's t at 95%), widened by what another processor of the
same kind has been seen to move a result (`MACHINE_MARGIN`). A threshold an exercise asks about must
lie outside that band, so that every learner's run lands on the side the verdict says. *Does one recipe
beat another?* The series' comparison over seeds (`significance.compare_recipes`, paired by seed, a
95% t-interval of the mean difference), which the exercises call through `exercises.compare_recipes`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

#: How far a result has been seen to move between two machines of the same kind, same settings and seed:
#: a fresh `make notebooks` on 2026-12-06 moved the committed test accuracies by 0.0003 to 0.0012 (notebook 07,
#: dropout; the README of that day recorded it). A band is widened by a little more than the largest of those.
MACHINE_MARGIN = 0.0015
#: The confidence of the intervals: 95%.
CONFIDENCE = 0.95
#: The fewest seeds a threshold may be set from.
FEWEST_SEEDS = 5


def t_quantile(probability: float, freedom: int) -> float:
    """The `probability` quantile of Student's t distribution with `freedom` degrees of freedom."""
    if not 0 < probability < 1 or freedom < 1:
        raise ValueError(f"need 0 < probability < 1 and freedom >= 1, not {probability} and {freedom}")
    if probability < 0.5:
        return -t_quantile(1 - probability, freedom)
    low, high = 0.0, 1.0
    while t_cdf(high, freedom) < probability:
        high *= 2
    for _ in range(200):
        middle = (low + high) / 2
        low, high = (middle, high) if t_cdf(middle, freedom) < probability else (low, middle)
    return (low + high) / 2


def t_cdf(t: float, freedom: int) -> float:
    """P(T <= t) for Student's t with `freedom` degrees of freedom."""
    x = freedom / (freedom + t * t)
    tail = 0.5 * _incomplete_beta(x, freedom / 2, 0.5)
    return 1 - tail if t > 0 else tail


def _incomplete_beta(x: float, a: float, b: float) -> float:
    """The regularised incomplete beta function I_x(a, b), by its continued fraction (modified Lentz)."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    if x > (a + 1) / (a + b + 2):  # the fraction converges fast only on this side: use the symmetry
        return 1 - _incomplete_beta(1 - x, b, a)
    front = math.exp(a * math.log(x) + b * math.log(1 - x) - math.log(a) - _log_beta(a, b))
    tiny, c, d = 1e-300, 1.0, 1 - (a + b) * x / (a + 1)
    d = 1 / (d if abs(d) > tiny else tiny)
    fraction = d
    for m in range(1, 500):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1 + numerator * d
            d = 1 / (d if abs(d) > tiny else tiny)
            c = 1 + numerator / c
            c = c if abs(c) > tiny else tiny
            fraction *= c * d
        if abs(c * d - 1) < 1e-15:
            break
    return front * fraction


def _log_beta(a: float, b: float) -> float:
    return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)


def _mean_sd(values: Sequence[float]) -> tuple[float, float]:
    n = len(values)
    mean = sum(values) / n
    return mean, math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))


def band(values: Sequence[float], margin: float = MACHINE_MARGIN) -> tuple[float, float]:
    """Where one more run lands, at 95%: the prediction interval of a new value from `values` (at least
    two), widened by `margin` on each side."""
    values = [float(v) for v in values]
    if len(values) < 2:
        raise ValueError("a band needs at least two measured values")
    n = len(values)
    mean, sd = _mean_sd(values)
    half = t_quantile((1 + CONFIDENCE) / 2, n - 1) * sd * math.sqrt(1 + 1 / n)
    return mean - half - margin, mean + half + margin


def differences(a: Mapping[int, float], b: Mapping[int, float]) -> dict[int, float]:
    """{seed: a - b} on the seeds both were measured with."""
    return {seed: float(a[seed]) - float(b[seed]) for seed in sorted(set(a) & set(b))}
