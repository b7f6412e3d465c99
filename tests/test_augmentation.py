"""The augmentation functions: shapes, value ranges, what each change does, and repeatable batches."""

import numpy as np
import pytest

from mnist_tutorial import augmentation, transforms
from mnist_tutorial.augmentation import Augmenter


def _digits(count=50, seed=0):
    """Blobs of ink in the middle of the field, away from its edges, as MNIST's digits are."""
    rng = np.random.default_rng(seed)
    images = np.zeros((count, 28, 28), np.float32)
    images[:, 8:20, 10:18] = rng.uniform(0.2, 1.0, (count, 12, 8))
    return images.reshape(count, 784)


def _centre_of_mass(images):
    stack = images.reshape(-1, 28, 28)
    rows, cols = np.mgrid[0:28, 0:28]
    mass = stack.sum(axis=(1, 2))
    return (stack * rows).sum(axis=(1, 2)) / mass, (stack * cols).sum(axis=(1, 2)) / mass


def test_with_every_size_at_zero_nothing_changes():
    images = _digits()
    assert np.array_equal(Augmenter(seed=1)(images), images)
    assert np.array_equal(Augmenter(elastic_sigma=2, seed=1)(images), images)


@pytest.mark.parametrize(
    "sizes", [dict(shift=3), dict(rotation=20), dict(scale=0.2), dict(slant=0.3), dict(stroke=0.5), dict(elastic=34)]
)
def test_each_change_keeps_the_shape_and_the_range_and_repeats_with_its_seed(sizes):
    images = _digits()
    for shape in ((50, 784), (50, 28, 28)):
        changed = Augmenter(**sizes, seed=7)(images.reshape(shape))
        assert changed.shape == shape and changed.dtype == np.float32
        assert changed.min() >= 0 and changed.max() <= 1.0 + 1e-6, "ink stays in the range of the digits"
        assert not np.array_equal(changed.reshape(50, 784), images), "the change changed something"
    augment, again = Augmenter(**sizes, seed=7), Augmenter(**sizes, seed=7)
    first, second = augment(images), augment(images)
    assert np.array_equal(first, again(images)), "the same seed gives the same batch"
    assert not np.array_equal(first, second), "the next batch gets other changes"
    assert np.array_equal(images, _digits()), "the input is never changed"


def test_a_copy_draws_what_the_original_would_and_leaves_its_next_batches_alone():
    images = _digits()
    augment, untouched = (
        Augmenter(shift=3, stroke=0.3, elastic=34, seed=3),
        Augmenter(shift=3, stroke=0.3, elastic=34, seed=3),
    )
    augment(images), untouched(images)  # both one batch in
    preview = augment.copy()
    assert preview.shift == 3 and preview.elastic == 34
    shown = preview(images)
    assert np.array_equal(shown, untouched(images)), "the copy starts where the original stands"
    assert np.array_equal(augment(images), shown), "drawing from the copy did not move the original on"


@pytest.mark.parametrize("right, down", [(3, 0), (0, -2), (-1, 2)])
def test_a_shift_by_k_pixels_moves_the_centre_of_mass_by_k(right, down):
    images = _digits()
    rows, cols = transforms.affine_sources(
        np.full(50, right), np.full(50, down), np.zeros(50), np.ones(50), np.zeros(50)
    )
    moved = transforms.resample(images, rows, cols).reshape(50, 784)
    before, after = _centre_of_mass(images), _centre_of_mass(moved)
    assert np.allclose(after[0] - before[0], down, atol=1e-4) and np.allclose(after[1] - before[1], right, atol=1e-4)
    assert np.allclose(moved, transforms.shift(images, right, down)), "the same as the robustness test's shift"


def test_random_shifts_stay_within_their_size():
    images = _digits(200)
    moved = Augmenter(shift=2, seed=3)(images)
    before, after = _centre_of_mass(images), _centre_of_mass(moved)
    for axis in (0, 1):
        change = after[axis] - before[axis]
        assert np.abs(change).max() <= 2 + 1e-3 and change.std() > 0.5, "uniform in [-2, 2]"


def test_a_turn_drawn_for_each_digit_matches_the_fixed_rotation_and_a_scale_changes_the_size():
    images = _digits()
    rows, cols = transforms.affine_sources(np.zeros(50), np.zeros(50), np.full(50, 15.0), np.ones(50), np.zeros(50))
    assert np.allclose(transforms.resample(images, rows, cols).reshape(50, 784), transforms.rotate(images, 15))
    rows, cols = transforms.affine_sources(np.zeros(50), np.zeros(50), np.zeros(50), np.full(50, 0.5), np.zeros(50))
    small = transforms.resample(images, rows, cols).reshape(50, 784)
    assert small.sum() == pytest.approx(images.sum() / 4, rel=0.05), "half the size: a quarter of the ink"


def test_a_slant_moves_the_top_right_and_the_bottom_left():
    images = np.zeros((1, 28, 28), np.float32)
    images[0, 4:24, 13:15] = 1.0  # an upright stroke
    rows, cols = transforms.affine_sources([0], [0], [0], [1], [0.25])
    slanted = transforms.resample(images, rows, cols)[0]
    columns = np.arange(28)

    def column(band):
        return (band * columns).sum() / band.sum()

    top, bottom = column(slanted[4:8]), column(slanted[20:24])
    assert top - bottom == pytest.approx(0.25 * 16, abs=0.3), "the top leans right by slant x height"


def test_thicker_and_thinner_strokes_come_from_the_robustness_tests_stroke_change():
    images = _digits(400)
    changed = Augmenter(stroke=0.5, seed=2)(images)
    thicker = np.all(changed == transforms.change_stroke(images, 1), axis=1)
    thinner = np.all(changed == transforms.change_stroke(images, -1), axis=1)
    assert thicker.sum() > 150 and thinner.sum() > 150 and np.all(thicker | thinner)


def test_the_elastic_wobble_is_smooth_and_keeps_most_of_the_ink():
    images = _digits(100)
    wobbled = Augmenter(elastic=34, seed=4)(images)
    assert wobbled.sum() == pytest.approx(images.sum(), rel=0.15)
    smooth = augmentation.gaussian_matrix(4.0)
    assert np.allclose(smooth.sum(axis=1), 1) and np.allclose(smooth @ np.ones(28), 1)


@pytest.mark.parametrize(
    "sizes, message",
    [
        (dict(shift=-1), "shift is a size, at least 0, not -1"),
        (dict(rotation=float("nan")), "rotation is a size, at least 0, not nan"),
        (dict(scale=1.0), "scale must be below 1"),
        (dict(stroke=0.6), "stroke is a chance of each of thicker and thinner, at most 0.5"),
        (dict(elastic=34, elastic_sigma=0), "elastic_sigma must be above 0 pixels"),
    ],
)
def test_bad_sizes_are_refused_with_what_is_wrong(sizes, message):
    with pytest.raises(ValueError, match=message):
        Augmenter(**sizes)


def test_distort_changes_every_digit_alike_and_matches_a_shift():
    images = np.zeros((2, 28, 28), np.float32)
    images[:, 10:18, 12:16] = 1.0
    assert np.allclose(transforms.distort(images), images, atol=1e-6), "the identity changes nothing"
    assert np.allclose(transforms.distort(images, right=3), transforms.shift(images, right=3), atol=1e-6)
    smaller = transforms.distort(images, scale=0.5)
    assert 0.2 < smaller.sum() / images.sum() < 0.3, "half the size, a quarter of the ink"
    rows = images.reshape(-1, 784)
    assert transforms.distort(rows, slant=0.3).shape == rows.shape
    with pytest.raises(ValueError, match="scale is a relative size above 0"):
        transforms.distort(images, scale=0)
