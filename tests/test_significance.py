"""How sure a difference is: the paired t-interval over seeds for two recipes, McNemar's exact test
and its interval for two trained networks. Hand-computed cases, the error rates the methods promise
(checked by simulation), and nonsense refused in one line."""

import math

import numpy as np
import pytest
from scipy import stats

from mnist_tutorial import significance

#: Draws per simulation: the rate of a 5% event is then known to about +/- 0.5% (one standard error).
DRAWS = 2000


def _simulation_margin(rate):
    """Three standard errors of a rate measured over DRAWS draws."""
    return 3 * math.sqrt(rate * (1 - rate) / DRAWS)


# --- recipe against recipe: hand-computed cases ---------------------------------------------------


def test_a_paired_t_interval_computed_by_hand():
    # Differences 0.001, 0.002, 0.003: mean 0.002, sd 0.001, t(0.975, 2 degrees of freedom) = 4.302653.
    a = {1: 0.981, 2: 0.982, 3: 0.983}
    b = {1: 0.980, 2: 0.980, 3: 0.980}
    result = significance.compare_recipes(a, b, "A", "B")
    half_width = 4.302653 * 0.001 / math.sqrt(3)
    assert result.seeds == (1, 2, 3)
    assert result.differences == pytest.approx((0.001, 0.002, 0.003))
    assert result.mean_difference == pytest.approx(0.002)
    assert (result.low, result.high) == pytest.approx((0.002 - half_width, 0.002 + half_width), rel=1e-6)
    assert result.p_value == pytest.approx(stats.ttest_rel([0.981, 0.982, 0.983], [0.98] * 3).pvalue)
    assert result.p_value == pytest.approx(0.0742, abs=1e-4)
    assert result.direction == 0 and result.verdict.startswith("A and B are not shown to differ over seeds 1-3")


def test_the_seeds_are_paired_by_name_not_by_position():
    a = {3: 0.990, 1: 0.985, 2: 0.987}
    b = {1: 0.984, 2: 0.985, 3: 0.987}
    result = significance.compare_recipes(a, b)
    assert result.seeds == (1, 2, 3) and result.differences == pytest.approx((0.001, 0.002, 0.003))


def test_a_clear_difference_is_called_and_named():
    a = {seed: 0.985 + 0.0001 * seed for seed in range(1, 6)}
    b = {seed: 0.980 + 0.0002 * (seed % 2) for seed in range(1, 6)}
    result = significance.compare_recipes(a, b, "dropout", "no dropout")
    assert result.direction == 1 and result.low > 0
    assert result.verdict == "dropout does better than no dropout over seeds 1-5"
    reverse = significance.compare_recipes(b, a, "no dropout", "dropout")
    assert reverse.direction == -1 and reverse.verdict == "dropout does better than no dropout over seeds 1-5"


def test_where_lower_is_better_the_recipe_with_the_lower_values_does_better():
    """A cross-entropy: dropout's is lower on every seed, so dropout is the better recipe."""
    a = {seed: 0.065 + 0.001 * (seed % 2) for seed in range(1, 6)}
    b = {seed: 0.080 + 0.002 * (seed % 3) for seed in range(1, 6)}
    result = significance.compare_recipes(a, b, "dropout", "no dropout", lower_is_better=True)
    assert result.high < 0 and result.direction == 1
    assert result.verdict == "dropout does better than no dropout over seeds 1-5"
    reverse = significance.compare_recipes(b, a, "no dropout", "dropout", lower_is_better=True)
    assert reverse.low > 0 and reverse.direction == -1
    assert reverse.verdict == "dropout does better than no dropout over seeds 1-5"
    assert significance.compare_recipes(b, a, "no dropout", "dropout").direction == 1, "higher is better by default"


def test_every_seed_giving_the_same_difference_gives_a_zero_width_interval():
    result = significance.compare_recipes({1: 0.99, 2: 0.98}, {1: 0.98, 2: 0.97})
    assert result.low == result.high == pytest.approx(0.01) and result.direction == 1
    assert significance.compare_recipes({1: 0.9, 2: 0.8}, {1: 0.9, 2: 0.8}).direction == 0


@pytest.mark.parametrize(
    "a, b, message",
    [
        ({1: 0.9, 2: 0.9}, {1: 0.9, 3: 0.9}, "seeds 1, 2 and B with seeds 1, 3: a paired comparison needs"),
        ({1: 0.9}, {1: 0.8}, "needs two seeds at least, not 1"),
        ({}, {}, "needs two seeds at least, not 0"),
        ([0.9, 0.91], [0.9, 0.92], "must be given as {seed: accuracy}, not a list"),
        ({1: 0.9, 2: None}, {1: 0.9, 2: 0.9}, "the accuracy of A with seed 2 is None"),
        ({1: 0.9, 2: float("nan")}, {1: 0.9, 2: 0.9}, "with seed 2 is nan, not a finite number"),
        ({1: 0.9, 2: "0.9"}, {1: 0.9, 2: 0.9}, "with seed 2 is '0.9'"),
    ],
)
def test_what_cannot_be_paired_is_refused_in_one_line(a, b, message):
    with pytest.raises(ValueError) as error:
        significance.compare_recipes(a, b)
    assert message in str(error.value) and "\n" not in str(error.value)


# --- recipe against recipe: the error rates it promises ----------------------------------------------


def _simulated_recipes(rng, seeds, true_difference, seed_sd=0.0012, pair_sd=0.0008):
    """Per-seed accuracies of two recipes on 10,000 images: a shared effect of each seed (the batches'
    order) plus each recipe's own luck, rounded as a printed accuracy is."""
    shared = rng.normal(0.985, seed_sd, seeds)
    a = np.round(shared + true_difference + rng.normal(0, pair_sd, seeds), 4)
    b = np.round(shared + rng.normal(0, pair_sd, seeds), 4)
    numbered = range(1, seeds + 1)
    return dict(zip(numbered, a.tolist())), dict(zip(numbered, b.tolist()))


@pytest.mark.parametrize("seeds", [3, 5, 10])
def test_equal_recipes_are_called_different_about_five_times_in_a_hundred(seeds):
    rng = np.random.default_rng(seeds)
    called = sum(
        significance.compare_recipes(*_simulated_recipes(rng, seeds, 0.0)).direction != 0 for _ in range(DRAWS)
    )
    rate = called / DRAWS
    assert abs(rate - 0.05) <= _simulation_margin(0.05), f"equal recipes called different {rate:.1%} of the time"


@pytest.mark.parametrize("seeds, true_difference", [(5, 0.0010), (5, 0.0015), (10, 0.0008)])
def test_a_real_difference_is_found_about_as_often_as_theory_says(seeds, true_difference):
    pair_sd = 0.0008
    rng = np.random.default_rng(int(true_difference * 1e5) + seeds)
    found = sum(
        significance.compare_recipes(*_simulated_recipes(rng, seeds, true_difference, pair_sd=pair_sd)).direction == 1
        for _ in range(DRAWS)
    )
    # The power of the paired t-test: the difference of two recipes' own luck has sd pair_sd x sqrt(2).
    noncentrality = true_difference / (pair_sd * math.sqrt(2) / math.sqrt(seeds))
    critical = stats.t.ppf(0.975, seeds - 1)
    power = stats.nct.sf(critical, seeds - 1, noncentrality)
    rate = found / DRAWS
    assert abs(rate - power) <= _simulation_margin(power) + 0.01, f"found {rate:.1%}, theory {power:.1%}"


# --- network against network: hand-computed cases -------------------------------------------------


@pytest.mark.parametrize(
    "only_a, only_b, expected",
    [
        (10, 2, 2 * (1 + 12 + 66) / 2**12),  # exact binomial: 0.0386, as statsmodels' mcnemar(exact=True) gives
        (2, 10, 2 * (1 + 12 + 66) / 2**12),  # symmetric
        (5, 5, 1.0),
        (0, 0, 1.0),
        (6, 0, 2 / 2**6),
    ],
)
def test_mcnemar_exact_p_value(only_a, only_b, expected):
    assert significance.mcnemar_p_value(only_a, only_b) == pytest.approx(expected, rel=1e-12)


def test_thousands_of_disagreements_do_not_underflow():
    assert significance.mcnemar_p_value(2500, 2500) == pytest.approx(1.0, abs=0.02)
    assert 0 < significance.mcnemar_p_value(1100, 900) < 1e-5


@pytest.mark.parametrize("bad", [-1, 2.5, True])
def test_a_count_must_be_a_whole_number(bad):
    with pytest.raises(ValueError, match="must be a count"):
        significance.mcnemar_p_value(bad, 3)


def _pair():
    """10,000 labels; A misreads 150 digits, B 180; they share 120 mistakes: A alone reads 60 that B
    misses, B alone 30 that A misses."""
    labels = np.arange(10000) % 10
    a, b = labels.copy(), labels.copy()
    wrong = (labels + 1) % 10
    a[:120], b[:120] = wrong[:120], wrong[:120]
    b[120:180] = wrong[120:180]
    a[180:210] = wrong[180:210]
    return a, b, labels


def test_the_paired_counts_accuracies_and_interval_of_a_constructed_pair():
    a, b, labels = _pair()
    result = significance.compare_networks(a, b, labels, "A", "B")
    assert (result.images, result.only_a, result.only_b) == (10000, 60, 30)
    assert result.accuracy_a == pytest.approx(0.985) and result.accuracy_b == pytest.approx(0.982)
    assert result.difference == pytest.approx(0.003)
    assert result.p_value == pytest.approx(significance.mcnemar_p_value(60, 30)) and result.p_value < 0.01
    # The interval: SciPy's own exact (Clopper-Pearson) interval of 60 successes in 90, scaled by 90/10,000.
    share = stats.binomtest(60, 90).proportion_ci(confidence_level=0.95, method="exact")
    expected = (90 / 10000 * (2 * share.low - 1), 90 / 10000 * (2 * share.high - 1))
    assert (result.low, result.high) == pytest.approx(expected, rel=1e-9)
    assert result.low > 0 and result.direction == 1
    assert result.verdict == "A reads these 10,000 images better than B"


def test_no_disagreement_at_all_is_not_a_difference():
    labels = np.arange(100) % 10
    result = significance.compare_networks(labels, labels, labels)
    assert (result.p_value, result.low, result.high, result.direction) == (1.0, 0.0, 0.0, 0)


@pytest.mark.parametrize("only_a", range(0, 40))
def test_the_interval_leaves_out_zero_exactly_when_mcnemars_p_is_below_five_percent(only_a):
    for only_b in range(0, 40):
        low, high = significance._difference_interval(only_a, only_b, 10000)
        rejected = significance.mcnemar_p_value(only_a, only_b) < 0.05
        assert (low > 0 or high < 0) == rejected, (only_a, only_b)
        assert low <= (only_a - only_b) / 10000 <= high


@pytest.mark.parametrize(
    "a, b, labels, message",
    [
        ([1, 2, 3], [1, 2], [1, 2, 3], "shapes (3,), (2,) and (3,): predict the same images with both"),
        ([], [], [], "of one, non-zero length"),
        ([[0.1, 0.9]], [[0.2, 0.8]], [1], "as digits (argmax), not probabilities"),
    ],
)
def test_predictions_that_do_not_describe_the_same_images_are_refused(a, b, labels, message):
    with pytest.raises(ValueError) as error:
        significance.compare_networks(a, b, labels)
    assert message in str(error.value) and "\n" not in str(error.value)


# --- network against network: the error rates it promises -------------------------------------------


def _simulated_networks(rng, images, only_a_chance, only_b_chance, both_wrong=0.01):
    """Two networks' predictions on `images` labelled images, each image independently: both right,
    both wrong, only a right (chance `only_a_chance`) or only b right (`only_b_chance`)."""
    labels = rng.integers(0, 10, images)
    outcome = rng.choice(
        4, size=images, p=[1 - both_wrong - only_a_chance - only_b_chance, both_wrong, only_a_chance, only_b_chance]
    )
    wrong = (labels + 1) % 10
    a = np.where((outcome == 1) | (outcome == 3), wrong, labels)
    b = np.where((outcome == 1) | (outcome == 2), wrong, labels)
    return a, b, labels


def test_equal_networks_are_called_different_at_most_five_times_in_a_hundred():
    rng = np.random.default_rng(7)
    called = sum(
        significance.compare_networks(*_simulated_networks(rng, 2000, 0.004, 0.004)).direction != 0
        for _ in range(DRAWS)
    )
    rate = called / DRAWS
    # The exact test never rejects more than 5% of the time (discreteness makes it a little cautious).
    assert rate <= 0.05 + _simulation_margin(0.05), f"equal networks called different {rate:.1%} of the time"


def _mcnemar_power(images, only_a_chance, only_b_chance):
    """The exact chance that McNemar's test at 5% finds network a better: summed over the number of
    disagreements n (binomial over the images), the chance that a wins enough of them to reject."""
    disagree = only_a_chance + only_b_chance
    share = only_a_chance / disagree
    power = 0.0
    for n in range(0, images + 1):
        weight = stats.binom.pmf(n, images, disagree)
        if weight < 1e-12:
            continue
        wins = np.arange(n + 1)
        rejects = np.array([significance.mcnemar_p_value(int(k), int(n - k)) < 0.05 and k > n - k for k in wins])
        power += weight * stats.binom.pmf(wins[rejects], n, share).sum()
    return power


@pytest.mark.parametrize("only_a_chance, only_b_chance", [(0.006, 0.003), (0.008, 0.004)])
def test_a_better_network_is_found_about_as_often_as_theory_says(only_a_chance, only_b_chance):
    rng = np.random.default_rng(11)
    images = 2000
    found = sum(
        significance.compare_networks(*_simulated_networks(rng, images, only_a_chance, only_b_chance)).direction == 1
        for _ in range(DRAWS)
    )
    power = _mcnemar_power(images, only_a_chance, only_b_chance)
    rate = found / DRAWS
    assert abs(rate - power) <= _simulation_margin(power), f"found {rate:.1%}, theory {power:.1%}"


# --- what the printers say ------------------------------------------------------------------------


def test_the_recipe_printer_shows_each_seed_the_interval_and_the_verdict(capsys):
    a = {1: 0.9850, 2: 0.9846, 3: 0.9852, 4: 0.9849, 5: 0.9851}
    b = {1: 0.9839, 2: 0.9840, 3: 0.9838, 4: 0.9842, 5: 0.9837}
    result = significance.print_recipe_comparison("with dropout", a, "without", b)
    out = capsys.readouterr().out
    assert out.startswith("validation accuracy, paired by seed\n")
    assert "  difference    +0.0011  +0.0006  +0.0014  +0.0007  +0.0014" in out
    assert f"mean difference {result.mean_difference:+.4f}, 95% interval {result.low:+.4f} to {result.high:+.4f}" in out
    assert "(paired t, 4 degrees of freedom;" in out
    assert out.rstrip().endswith("verdict: with dropout does better than without over seeds 1-5")


def test_the_recipe_printer_says_when_lower_is_better(capsys):
    a = {1: 0.0648, 2: 0.0652, 3: 0.0640}
    b = {1: 0.0812, 2: 0.0790, 3: 0.0805}
    significance.print_recipe_comparison("with dropout", a, "without", b, "validation cross-entropy", True)
    out = capsys.readouterr().out
    assert out.startswith("validation cross-entropy, paired by seed (lower is better)\n")
    assert out.rstrip().endswith("verdict: with dropout does better than without over seeds 1-3")


def test_the_network_printer_shows_the_counts_the_interval_and_the_verdict(capsys):
    a, b, labels = _pair()
    significance.print_network_comparison("A", a, "B", b, labels)
    out = capsys.readouterr().out
    assert "A  accuracy 0.9850 on the 10,000 test images" in out
    assert "read right by one network only: 60 by A, 30 by B (McNemar's exact test: p = 0.0021)" in out
    assert "difference +0.0030, 95% interval +0.0011 to +0.0047" in out
    assert out.rstrip().endswith("verdict: A reads these 10,000 images better than B")
