"""How sure is a difference? Two questions, each answered by one standard method at 95%.

**Recipe against recipe** ("will this recipe beat that one again?"). The doubt is the seed: the same
recipe trained with another seed gives another network and another accuracy. Both recipes are run
with the same seeds, and each seed gives one difference, a - b. The mean of those differences, with
its 95% confidence interval from Student's t distribution (a paired t-interval), says how large the
difference between the recipes could be; the recipes are called different only when that interval
leaves out 0 (the paired t-test at the 5% level, the same decision). Assumptions: the seeds are
independent draws, and the per-seed differences scatter roughly normally around their mean. With few
seeds the interval is wide: five seeds give 4 degrees of freedom, whose t value is 2.78 (1.96 for
many). `compare_recipes`, `print_recipe_comparison`.

**Network against network** ("does this trained network read these images better than that one?").
The doubt is the finite set of images: 10,000 test digits are a sample of all the digits people
write. Both networks read the same images, so only the images on which they disagree carry
information: A reads `only_a` of them and B reads `only_b`. If neither network were better, each
disagreement would go either way with probability 1/2; McNemar's exact test gives the chance of a
split at least as lopsided (the p-value). The 95% interval for the difference in accuracy is the one
that inverts the same test: Clopper and Pearson's exact interval for the share of disagreements that
A wins, turned into a difference in accuracy. So the interval leaves out 0 exactly when p < 0.05, and
the verdict and the interval never disagree. Assumptions: the images are independent, and both
networks are fixed (already trained; another seed is the other question). `compare_networks`,
`print_network_comparison`.

A verdict of "not shown to differ" is not "equal": the interval says how large a difference could
still hide in it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

#: The confidence of every interval; a difference is called real when its interval leaves out 0,
#: which is a two-sided test at 1 - LEVEL = 5%.
LEVEL = 0.95


@dataclass(frozen=True)
class RecipeComparison:
    """Two recipes run with the same seeds, compared seed by seed (`compare_recipes`)."""

    name_a: str
    name_b: str
    seeds: tuple[int, ...]
    accuracies_a: tuple[float, ...]
    accuracies_b: tuple[float, ...]
    #: The mean of the per-seed differences a - b, and its LEVEL confidence interval.
    mean_difference: float
    low: float
    high: float
    #: The two-sided p-value of the paired t-test (the chance of a mean difference at least this far
    #: from 0 if the recipes were equal).
    p_value: float
    #: Whether the measure is one where less is better (a cross-entropy), not more (an accuracy).
    lower_is_better: bool = False

    @property
    def differences(self) -> tuple[float, ...]:
        """a - b for each seed, in the order of `seeds`."""
        return tuple(a - b for a, b in zip(self.accuracies_a, self.accuracies_b))

    @property
    def direction(self) -> int:
        """+1 when recipe a does better (the interval lies above 0, or below it where lower is better),
        -1 when b does, 0 when not shown."""
        return _direction(self.low, self.high) * (-1 if self.lower_is_better else 1)

    @property
    def verdict(self) -> str:
        """One sentence: which recipe does better over these seeds, or that neither is shown to."""
        seeds = _seeds_text(self.seeds)
        if self.direction:
            better, worse = (self.name_a, self.name_b) if self.direction > 0 else (self.name_b, self.name_a)
            return f"{better} does better than {worse} over {seeds}"
        return (
            f"{self.name_a} and {self.name_b} are not shown to differ over {seeds}: the difference could be "
            f"anywhere from {self.low:+.4f} to {self.high:+.4f}"
        )


@dataclass(frozen=True)
class NetworkComparison:
    """Two trained networks' readings of the same images, compared image by image (`compare_networks`)."""

    name_a: str
    name_b: str
    images: int
    accuracy_a: float
    accuracy_b: float
    #: How many images only network a reads right, and only network b.
    only_a: int
    only_b: int
    #: McNemar's exact two-sided p-value, and the LEVEL interval of accuracy_a - accuracy_b that inverts it.
    p_value: float
    low: float
    high: float

    @property
    def difference(self) -> float:
        """accuracy_a - accuracy_b."""
        return self.accuracy_a - self.accuracy_b

    @property
    def direction(self) -> int:
        """+1 when network a reads these images better, -1 when b does, 0 when not shown."""
        return _direction(self.low, self.high)

    @property
    def verdict(self) -> str:
        """One sentence: which network reads these images better, or that neither is shown to."""
        images = f"these {self.images:,} images"
        if self.direction:
            better, worse = (self.name_a, self.name_b) if self.direction > 0 else (self.name_b, self.name_a)
            return f"{better} reads {images} better than {worse}"
        return (
            f"{self.name_a} and {self.name_b} are not shown to differ on {images}: the difference could be "
            f"anywhere from {self.low:+.4f} to {self.high:+.4f}"
        )


def compare_recipes(
    a: Mapping[int, float],
    b: Mapping[int, float],
    name_a: str = "A",
    name_b: str = "B",
    lower_is_better: bool = False,
) -> RecipeComparison:
    """Compare recipe a with recipe b, each given as {seed: accuracy} over the same seeds (two at least):
    the mean of the per-seed differences a - b, its LEVEL t-interval and the paired t-test's p-value.
    The interval holds the seeds' doubt only: with every seed scored on the same images, its verdict
    holds over these seeds, on these images.
    With `lower_is_better` (a cross-entropy, say), the recipe with the lower values is the better one.

    ValueError, in one line, for anything that cannot be paired: other seeds in a than in b, fewer than
    two seeds, a missing (None) or non-finite accuracy."""
    for name, values in ((name_a, a), (name_b, b)):
        if not isinstance(values, Mapping):
            raise ValueError(
                f"the accuracies of {name} must be given as {{seed: accuracy}}, not a {type(values).__name__}: "
                "a paired comparison needs to know which seed gave which accuracy."
            )
    if set(a) != set(b):
        raise ValueError(
            f"{name_a} was run with seeds {_seeds_list(a)} and {name_b} with seeds {_seeds_list(b)}: "
            "a paired comparison needs both recipes run with the same seeds."
        )
    seeds = tuple(sorted(a))
    if len(seeds) < 2:
        raise ValueError(f"a comparison over seeds needs two seeds at least, not {len(seeds)}: one seed has no spread.")
    for name, values in ((name_a, a), (name_b, b)):
        for seed in seeds:
            value = values[seed]
            if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
                raise ValueError(
                    f"the accuracy of {name} with seed {seed} is {value!r}, not a finite number: "
                    "leave out the seeds whose run failed, from both recipes."
                )
    first = tuple(float(a[seed]) for seed in seeds)
    second = tuple(float(b[seed]) for seed in seeds)
    differences = np.subtract(first, second)
    n = len(seeds)
    mean = float(differences.mean())
    sd = float(differences.std(ddof=1))
    if sd == 0:  # every seed gave the same difference: the interval shrinks to it
        low = high = mean
        p_value = 1.0 if mean == 0 else 0.0
    else:
        half_width = float(stats.t.ppf(0.5 + LEVEL / 2, n - 1)) * sd / math.sqrt(n)
        low, high = mean - half_width, mean + half_width
        p_value = float(2 * stats.t.sf(abs(mean) / (sd / math.sqrt(n)), n - 1))
    return RecipeComparison(name_a, name_b, seeds, first, second, mean, low, high, min(1.0, p_value), lower_is_better)


def compare_networks(
    predictions_a: ArrayLike, predictions_b: ArrayLike, labels: ArrayLike, name_a: str = "A", name_b: str = "B"
) -> NetworkComparison:
    """Compare two networks' predicted digits on the same images with the true `labels` (integers):
    McNemar's exact test on the images only one of them reads, and the LEVEL interval of the difference
    in accuracy that inverts it. ValueError, in one line, when the three do not describe the same images."""
    a, b, truth = (np.asarray(values) for values in (predictions_a, predictions_b, labels))
    if not (a.ndim == b.ndim == truth.ndim == 1) or not len(a) == len(b) == len(truth) or len(truth) == 0:
        raise ValueError(
            f"the two networks' predictions and the labels must be three flat lists of one, non-zero length; "
            f"they have shapes {a.shape}, {b.shape} and {truth.shape}: predict the same images with both, "
            "as digits (argmax), not probabilities."
        )
    right_a, right_b = a == truth, b == truth
    only_a, only_b = int(np.sum(right_a & ~right_b)), int(np.sum(right_b & ~right_a))
    low, high = _difference_interval(only_a, only_b, len(truth))
    return NetworkComparison(
        name_a,
        name_b,
        len(truth),
        float(right_a.mean()),
        float(right_b.mean()),
        only_a,
        only_b,
        mcnemar_p_value(only_a, only_b),
        low,
        high,
    )


def mcnemar_p_value(only_a: int, only_b: int) -> float:
    """The two-sided p-value of McNemar's exact test: the chance that `only_a + only_b` disagreements,
    each going either way with probability 1/2, split at least as unevenly as `only_a` to `only_b`."""
    _require_counts(only_a=only_a, only_b=only_b)
    n, k = int(only_a) + int(only_b), min(int(only_a), int(only_b))
    if n == 0:
        return 1.0
    return float(min(1.0, 2 * stats.binom.cdf(k, n, 0.5)))


def print_recipe_comparison(
    name_a: str,
    a: Mapping[int, float],
    name_b: str,
    b: Mapping[int, float],
    measure: str = "validation accuracy",
    lower_is_better: bool = False,
) -> RecipeComparison:
    """Print recipe a against recipe b seed by seed (`measure` names what the numbers are; with
    `lower_is_better`, less of it is better), the mean difference with its 95% interval, and the
    verdict. Returns the comparison."""
    result = compare_recipes(a, b, name_a, name_b, lower_is_better)
    width = max(len(name_a), len(name_b), len("difference"))
    print(f"{measure}, paired by seed" + (" (lower is better)" if lower_is_better else ""))
    print(f"  {'seed':<{width}}" + "".join(f"{seed:>9}" for seed in result.seeds))
    print(f"  {name_a:<{width}}" + "".join(f"{value:>9.4f}" for value in result.accuracies_a))
    print(f"  {name_b:<{width}}" + "".join(f"{value:>9.4f}" for value in result.accuracies_b))
    print(f"  {'difference':<{width}}" + "".join(f"{value:>+9.4f}" for value in result.differences))
    print(
        f"mean difference {result.mean_difference:+.4f}, {LEVEL:.0%} interval {result.low:+.4f} to "
        f"{result.high:+.4f} (paired t, {len(result.seeds) - 1} degrees of freedom; p = {result.p_value:.2g})"
    )
    print(f"verdict: {result.verdict}")
    return result


def print_network_comparison(
    name_a: str,
    predictions_a: ArrayLike,
    name_b: str,
    predictions_b: ArrayLike,
    labels: ArrayLike,
    images: str = "test images",
) -> NetworkComparison:
    """Print two trained networks' accuracies on the same images (`images` says which), the images only
    one of them reads, McNemar's p-value, the 95% interval of the difference and the verdict."""
    result = compare_networks(predictions_a, predictions_b, labels, name_a, name_b)
    width = max(len(name_a), len(name_b))
    for name, accuracy in ((name_a, result.accuracy_a), (name_b, result.accuracy_b)):
        print(f"{name:<{width}}  accuracy {accuracy:.4f} on the {result.images:,} {images}")
    print(
        f"read right by one network only: {result.only_a} by {name_a}, {result.only_b} by {name_b} "
        f"(McNemar's exact test: p = {result.p_value:.2g})"
    )
    print(f"difference {result.difference:+.4f}, {LEVEL:.0%} interval {result.low:+.4f} to {result.high:+.4f}")
    print(f"verdict: {result.verdict}")
    return result


def _difference_interval(only_a: int, only_b: int, images: int) -> tuple[float, float]:
    """The LEVEL interval of the difference in accuracy (only_a - only_b) / images that inverts McNemar's
    exact test: Clopper-Pearson's interval for the share of the disagreements that a wins, p, turned
    into a difference, disagreements x (2p - 1) / images."""
    disagreements = only_a + only_b
    if disagreements == 0:
        return 0.0, 0.0
    tail = (1 - LEVEL) / 2
    share_low = 0.0 if only_a == 0 else float(stats.beta.ppf(tail, only_a, only_b + 1))
    share_high = 1.0 if only_b == 0 else float(stats.beta.ppf(1 - tail, only_a + 1, only_b))
    scale = disagreements / images
    return scale * (2 * share_low - 1), scale * (2 * share_high - 1)


def _direction(low: float, high: float) -> int:
    return 1 if low > 0 else -1 if high < 0 else 0


def _require_counts(**counts: object) -> None:
    for name, value in counts.items():
        if isinstance(value, bool) or not isinstance(value, Integral) or value < 0:
            raise ValueError(f"{name} must be a count (a whole number, 0 or more), not {value!r}.")


def _seeds_list(values: Mapping[int, float]) -> str:
    return ", ".join(str(seed) for seed in sorted(values)) or "none"


def _seeds_text(seeds: tuple[int, ...]) -> str:
    """ "seeds 1-5" for a run of consecutive seeds, "seeds 1, 3 and 4" otherwise."""
    if len(seeds) > 2 and list(seeds) == list(range(seeds[0], seeds[-1] + 1)):
        return f"seeds {seeds[0]}-{seeds[-1]}"
    listed = [str(seed) for seed in seeds]
    return f"seeds {', '.join(listed[:-1])} and {listed[-1]}"
