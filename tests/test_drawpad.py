"""The pad's stroke renderer: strokes off the pad are cut at its edge, and a bad point is named."""

import math

import numpy as np
import pytest

from mnist_tutorial import drawn_digits, drawpad


def test_a_point_far_off_the_pad_draws_what_a_point_just_off_it_draws():
    """A point at (20000, 0) took 3.4 s, every step of the stroke inking a mask of the whole pad, and the time
    grew without limit; one at 10**12 asked for terabytes. The stroke is now cut beyond the pad's edge."""
    near = drawpad.render_strokes([[(10, 10), (300, 10)]], pen_width=20)
    for far in (20_000, 10**12, 1e300):
        assert (drawpad.render_strokes([[(10, 10), (far, 10)]], pen_width=20) == near).all(), far
    assert (near[:20, 10:] == 0).all() and (near[20:] == 255).all(), "a band of ink 20 pixels high, to the edge"
    assert (drawpad.render_strokes([[(-5000, -5000), (-4000, 9000)]]) == 255).all(), "a stroke beside the pad"


def test_stamping_only_under_the_pen_draws_the_digits_as_before():
    """Digits of the committed drawn set, stamped pixel by pixel under the pen as the pad's renderer did."""
    for index in (0, 57, 123, 299):
        style = drawn_digits.style_of(index)
        image = drawpad.render_strokes(
            drawn_digits.strokes_of(style, drawn_digits.SEED, index), size=280, pen_width=style.pen_width
        )
        rows, cols = np.indices((280, 280)) + 0.5
        ink = np.zeros((280, 280), bool)
        for stroke in drawn_digits.strokes_of(style, drawn_digits.SEED, index):
            points = np.asarray(stroke)
            for start, end in zip(points, points[1:] if len(points) > 1 else points):
                for t in np.linspace(0.0, 1.0, int(max(np.hypot(*(end - start)), 1.0)) + 1):
                    x, y = start + t * (end - start)
                    ink |= (cols - x) ** 2 + (rows - y) ** 2 <= (style.pen_width / 2) ** 2
        assert (image == np.where(ink, 0, 255)).all(), index


@pytest.mark.parametrize(
    "strokes, message",
    [
        ([[(1, 2), (math.nan, 3.0)]], r"point 2 of stroke 1 is \(nan, 3\.0\): a point must have finite coordinates"),
        ([[(1, 2)], [(4, 5), (math.inf, 0)]], r"point 2 of stroke 2 is \(inf, 0\.0\)"),
        ([[(1, 2, 3), (4, 5, 6)]], r"stroke 1 is not a list of \(x, y\) points \(its values have the shape \(2, 3\)\)"),
        ([[1, 2, 3, 4]], r"stroke 1 is not a list of \(x, y\) points \(its values have the shape \(4,\)\)"),
        ([[("a", 2)]], r"stroke 1 is not a list of \(x, y\) points: each point must be two numbers"),
    ],
    ids=["NaN", "infinite", "three values", "flat", "text"],
)
def test_a_point_that_is_not_two_finite_numbers_is_refused_by_its_place(strokes, message):
    """NaN or infinite points gave bare errors; points of three values were silently regrouped into pairs."""
    with pytest.raises(ValueError, match=message) as error:
        drawpad.render_strokes(strokes)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("size, pen_width", [(0, 20), (10**6, 20), (2.5, 20), (280, 0), (280, math.nan)])
def test_a_pad_size_or_pen_it_cannot_draw_with_is_refused(size, pen_width):
    with pytest.raises(ValueError, match="size must be|pen_width must be"):
        drawpad.render_strokes([[(1, 1)]], size=size, pen_width=pen_width)
