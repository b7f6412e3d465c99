"""How sure is a difference between two networks scored on the same test images?

Two sources of doubt matter. The seed: another seed gives another network, and another accuracy
(the spread over seeds, measured by `make seed-spreads`). And the finite test set: 10,000 digits
are a sample of all the digits people write, so an accuracy of 0.984 is known to about one standard
error, sqrt(0.984 x 0.016 / 10,000) = 0.0013. Because both networks read the *same* digits, the
test set's doubt is best judged on the digits where they disagree (a paired comparison): if A reads
40 digits that B misses and B reads 25 that A misses, is 40 against 25 more than a coin would give?
McNemar's test answers that: under "neither is better", each of the 65 disagreements is equally
likely to go either way, and the p-value is the chance of a split at least as lopsided.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

#: A difference is called real when McNemar's p-value is below this and the difference is larger
#: than twice the larger of the two spreads over seeds (both must be known). The rule is a simple,
#: cautious one: the spread of a difference between two single runs is sqrt(sd_a^2 + sd_b^2), at
#: most 1.41 times the larger sd, so twice the larger sd is a bar of about 1.4 to 2 of those.
SIGNIFICANCE_LEVEL = 0.05
SEED_SPREADS = 2.0


@dataclass(frozen=True)
class PairedComparison:
    """Two networks' readings of the same images, compared."""

    images: int
    accuracy_a: float
    accuracy_b: float
    #: How many images only A reads right, and only B.
    only_a: int
    only_b: int
    p_value: float

    @property
    def difference(self) -> float:
        """accuracy_a - accuracy_b."""
        return self.accuracy_a - self.accuracy_b

    def standard_error(self, accuracy: float) -> float:
        """One standard error of an accuracy measured on `images` images."""
        return math.sqrt(accuracy * (1 - accuracy) / self.images)


def mcnemar_p_value(only_a: int, only_b: int) -> float:
    """The two-sided p-value of McNemar's exact test: the chance that `only_a + only_b` disagreements,
    each going either way with probability 1/2, split at least as unevenly as `only_a` to `only_b`."""
    for name, value in (("only_a", only_a), ("only_b", only_b)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
            raise ValueError(f"{name} must be a count (a whole number, 0 or more), not {value!r}.")
    n, k = int(only_a) + int(only_b), min(int(only_a), int(only_b))
    if n == 0:
        return 1.0
    # Binomial(n, 1/2) probabilities, in logarithms so that thousands of disagreements do not underflow.
    log_half_n = n * math.log(0.5)
    tail = sum(
        math.exp(math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1) + log_half_n) for i in range(k + 1)
    )
    return min(1.0, 2 * tail)


def compare(predictions_a: ArrayLike, predictions_b: ArrayLike, labels: ArrayLike) -> PairedComparison:
    """Compare two networks' predicted digits on the same images with the true `labels` (integers)."""
    a, b, truth = (np.asarray(values).ravel() for values in (predictions_a, predictions_b, labels))
    if not len(a) == len(b) == len(truth) or len(truth) == 0:
        raise ValueError(
            f"the two networks' predictions and the labels must be of one, non-zero length; "
            f"they have {len(a)}, {len(b)} and {len(truth)}: predict the same images with both."
        )
    right_a, right_b = a == truth, b == truth
    only_a, only_b = int(np.sum(right_a & ~right_b)), int(np.sum(right_b & ~right_a))
    return PairedComparison(
        len(truth), float(right_a.mean()), float(right_b.mean()), only_a, only_b, mcnemar_p_value(only_a, only_b)
    )


def print_comparison(
    name_a: str,
    predictions_a: ArrayLike,
    name_b: str,
    predictions_b: ArrayLike,
    labels: ArrayLike,
    spreads: dict[str, dict] | None = None,
) -> PairedComparison:
    """Print how sure the difference between networks `name_a` and `name_b` is, against both the
    images they were scored on (validation or test: standard errors, the paired counts and McNemar's
    test) and, where `spreads` ({name: {"sd": ...}}, as in seed_spreads.json) knows them, the spread
    over seeds; then the verdict. Returns the comparison."""
    result = compare(predictions_a, predictions_b, labels)
    width = max(len(name_a), len(name_b))
    for name, accuracy in ((name_a, result.accuracy_a), (name_b, result.accuracy_b)):
        print(
            f"{name:<{width}}  accuracy {accuracy:.4f} +/- {result.standard_error(accuracy):.4f} "
            f"(one standard error on {result.images:,} images)"
        )
    print(
        f"difference {result.difference:+.4f}: {result.only_a} digits only {name_a} reads, "
        f"{result.only_b} only {name_b} reads; McNemar's p = {result.p_value:.3g}"
    )
    known = {name: spreads[name]["sd"] for name in (name_a, name_b) if spreads and "sd" in spreads.get(name, {})}
    against_images = result.p_value < SIGNIFICANCE_LEVEL
    images = f"the {result.images:,} images"
    if len(known) == 2:
        bar = SEED_SPREADS * max(known.values())
        print(
            f"spread over seeds: sd {known[name_a]:.4f} and {known[name_b]:.4f}; a real difference exceeds "
            f"{SEED_SPREADS:g} x {max(known.values()):.4f} = {bar:.4f}"
        )
        against_seeds = abs(result.difference) > bar
    else:
        missing = [name for name in (name_a, name_b) if name not in known]
        print(f"spread over seeds: not measured for {' and '.join(missing)}")
        against_seeds = False
    if len(known) < 2:
        print(
            "verdict: none until the spread over seeds of both is measured (make seed-spreads)"
            + ("" if against_images else f"; against {images} alone it is not shown (p >= {SIGNIFICANCE_LEVEL:g})")
        )
    elif against_images and against_seeds:
        better = name_a if result.difference > 0 else name_b
        print(f"verdict: {better} is better; the difference stands against {images} and the seeds")
    else:
        reasons = ([] if against_images else [f"{images} (p >= {SIGNIFICANCE_LEVEL:g})"]) + (
            [] if against_seeds else ["the spread over seeds"]
        )
        print(f"verdict: not shown to differ; the difference does not stand against {' nor '.join(reasons)}")
    return result
