"""How sure a difference is: McNemar's exact test and the paired comparison of two networks."""

import numpy as np
import pytest

from mnist_tutorial import significance


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


def test_the_paired_counts_and_accuracies_of_a_constructed_pair():
    a, b, labels = _pair()
    result = significance.compare(a, b, labels)
    assert (result.images, result.only_a, result.only_b) == (10000, 60, 30)
    assert result.accuracy_a == pytest.approx(0.985) and result.accuracy_b == pytest.approx(0.982)
    assert result.difference == pytest.approx(0.003)
    assert result.p_value == pytest.approx(significance.mcnemar_p_value(60, 30)) and result.p_value < 0.01
    assert result.standard_error(0.985) == pytest.approx((0.985 * 0.015 / 10000) ** 0.5)


def test_a_difference_is_real_only_against_both_the_test_set_and_the_seeds(capsys):
    a, b, labels = _pair()
    significance.print_comparison("A", a, "B", b, labels, {"A": {"sd": 0.0005}, "B": {"sd": 0.0010}})
    out = capsys.readouterr().out
    assert "60 digits only A reads, 30 only B reads; McNemar's p = 0.00" in out
    assert "verdict: A is better" in out
    significance.print_comparison("A", a, "B", b, labels, {"A": {"sd": 0.0005}, "B": {"sd": 0.0020}})
    assert "not shown to differ; the difference does not stand against the spread over seeds" in capsys.readouterr().out
    for spreads in ({"A": {"sd": 0.0005}}, {"A": {"sd": 0.0005}, "B": {}}):  # B's spread not measured
        significance.print_comparison("A", a, "B", b, labels, spreads)
        out = capsys.readouterr().out
        assert "spread over seeds: not measured for B" in out and "verdict: none until the spread over seeds" in out
    few = labels[:1000].copy(), labels[:1000].copy()
    few[0][:3], few[1][3:4] = (labels[:3] + 1) % 10, (labels[3:4] + 1) % 10  # 1 only A reads, 3 only B reads
    significance.print_comparison("A", few[0], "B", few[1], labels[:1000], {"A": {"sd": 0.0}, "B": {"sd": 0.0}})
    assert "does not stand against the 1,000 images (p >= 0.05)" in capsys.readouterr().out


def test_predictions_of_other_lengths_are_refused():
    with pytest.raises(ValueError, match="they have 3, 2 and 3: predict the same images with both"):
        significance.compare([1, 2, 3], [1, 2], [1, 2, 3])
