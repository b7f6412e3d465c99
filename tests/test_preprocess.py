"""to_mnist on synthetic images with exact expectations; the digit transforms; the pad's image I/O."""

import numpy as np
import pytest

from mnist_tutorial import drawpad, transforms
from mnist_tutorial.preprocess import BlankImageError, centre_of_mass, resize_area, to_mnist


def _paper(height, width, ink_box):
    """White uint8 paper with a black rectangle at ink_box = (top, bottom, left, right), ends exclusive."""
    image = np.full((height, width), 255, dtype=np.uint8)
    top, bottom, left, right = ink_box
    image[top:bottom, left:right] = 0
    return image


def _ink_box(image, threshold=0.0):
    rows, cols = np.nonzero(image > threshold)
    return rows.min(), rows.max() + 1, cols.min(), cols.max() + 1


def test_tall_box_becomes_20_px_tall_and_is_centred_by_mass():
    out = to_mnist(_paper(100, 60, (10, 50, 20, 40)))  # 40 tall, 20 wide
    assert out.shape == (28, 28) and out.dtype == np.float32
    assert _ink_box(out) == (5, 25, 10, 20)  # 20 x 10, aspect kept
    assert np.all(out[5:25, 10:20] == 1.0) and out.sum() == 200
    # MNIST puts the centre of mass at (14, 14); whole-pixel shifts get within half a pixel.
    assert centre_of_mass(out) == (14.5, 14.5)


def test_wide_box_becomes_20_px_wide():
    out = to_mnist(_paper(50, 300, (20, 30, 50, 250)))  # 10 tall, 200 wide
    top, bottom, left, right = _ink_box(out)
    assert (bottom - top, right - left) == (1, 20)


def test_both_polarities_and_scales_give_the_same_image():
    dark_on_light = _paper(90, 90, (5, 85, 30, 60))
    light_on_dark = 255 - dark_on_light
    floats = dark_on_light / 255.0
    expected = to_mnist(dark_on_light)
    assert np.array_equal(to_mnist(light_on_dark), expected)
    assert np.array_equal(to_mnist(floats), expected)
    assert np.array_equal(to_mnist(light_on_dark.astype(np.float64)), expected)  # floats in 0-255


def test_off_centre_shape_lands_with_its_mass_at_the_centre():
    image = np.zeros((200, 200))
    image[20:180, 30:50] = 1.0  # an L: a long upright bar ...
    image[160:180, 30:150] = 1.0  # ... and a foot to the right
    out = to_mnist(image)
    row, col = centre_of_mass(out)
    assert abs(row - 14.0) <= 0.5 and abs(col - 14.0) <= 0.5
    top, bottom, left, right = _ink_box(out, threshold=0.01)
    assert bottom - top == 20 and right - left == 15  # 160 x 120 scaled by 20/160


def test_thin_strokes_are_anti_aliased_not_lost():
    out = resize_area(np.eye(40), (20, 20))
    assert np.allclose(np.diag(out), 0.5)  # each output pixel covers two ink and two paper pixels
    assert out.sum() == pytest.approx(np.eye(40).sum() / 4)
    line = np.zeros((200, 200))
    line[:, 100] = 1.0  # a 1-pixel-wide stroke, shrunk tenfold in height
    out = to_mnist(line)
    assert np.count_nonzero(out) == 20 and np.all(out[out > 0] == 1.0)


def test_mnist_digits_come_back_unchanged():
    """MNIST's digits were prepared this way, so preparing them again should change next to nothing."""
    from mnist_tutorial import input_data

    digits = input_data.read_data_sets().test.images[:500].reshape(-1, 28, 28)
    differences = np.array([np.abs(to_mnist(digit) - digit).mean() for digit in digits])
    assert differences.mean() < 0.001
    assert np.mean(differences == 0) > 0.75  # most come back identical to the last bit


@pytest.mark.parametrize(
    "image, message",
    [
        (np.full((50, 50), 255, np.uint8), "blank: its pixels run from 255 to 255 on a 0-255 scale"),
        (
            np.random.default_rng(0).integers(245, 256, (50, 50)).astype(np.uint8),
            "blank: its pixels run from 245 to 255 .* a contrast of 0.02",
        ),
        (_paper(280, 280, (100, 110, 100, 110)), "only a speck of ink: it spans 10 pixel"),
    ],
)
def test_blank_or_nearly_blank_images_ask_for_a_digit_and_say_what_was_measured(image, message):
    with pytest.raises(BlankImageError, match=f"{message}.*Draw a digit first"):
        to_mnist(image)


@pytest.mark.parametrize(
    "image, message",
    [
        (np.zeros((28, 28, 3)), r"colour one of shape \(28, 28, 3\).*grayscale first"),
        (np.zeros((2, 28, 28)), r"grayscale image .* got an array of shape \(2, 28, 28\)"),
        (np.array([[0.0, np.nan]]), "NaN"),
        (np.full((5, 5), 1000.0), "go up to 1000, beyond any grayscale scale"),
        (np.full((5, 5), -1.0), "must not be negative"),
        (np.zeros((0, 5)), "empty"),
    ],
)
def test_bad_input_is_explained(image, message):
    with pytest.raises(ValueError, match=message):
        to_mnist(image)


# The scale and the background are read off the image itself -------------------------------

_BOX = (10, 50, 20, 40)  # a 40 x 20 bar on 60 x 60 paper


def _mask(dtype):
    """Light ink (1) on a dark background (0): a 0/1 mask."""
    return (_paper(60, 60, _BOX) == 0).astype(dtype)


@pytest.mark.parametrize(
    "image",
    [
        _mask(np.uint8),  # a 0/1 integer mask
        _mask(np.int64),
        _mask(bool),
        _mask(np.uint8) * 15,  # a 4-bit scan, 0-15
        _mask(np.uint16) * 40000,  # a 16-bit scan, 0-40000 of 0-65535
    ],
    ids=["mask-uint8", "mask-int64", "mask-bool", "4-bit", "16-bit"],
)
def test_integer_images_of_any_scale_give_the_digit(image):
    assert np.array_equal(to_mnist(image), to_mnist(_paper(60, 60, _BOX)))


def test_float_image_a_touch_above_one_is_still_0_to_1():
    image = _paper(60, 60, _BOX) / 255.0
    image[0, 0] = 1.0001  # resampling overshoot on one paper pixel
    assert np.array_equal(to_mnist(image), to_mnist(_paper(60, 60, _BOX)))


def test_bold_digit_covering_most_of_the_canvas_keeps_its_polarity():
    image = _paper(100, 100, (5, 95, 5, 95))  # 81% of the pixels are ink; the border is paper
    image[40:60, 40:60] = 255  # a hole, so that the digit is not a plain square
    out = to_mnist(image)
    assert out[14, 14] == 0.0, "the hole stays paper"
    assert out.mean() > 0.3, "the ink is what comes back, not the paper"
    assert np.array_equal(out, to_mnist(255 - image))


def test_mnist_shapes_are_accepted():
    from mnist_tutorial import input_data

    digit = input_data.read_data_sets().test.images[0]  # a row of 784 values
    expected = to_mnist(digit.reshape(28, 28))
    assert np.array_equal(to_mnist(digit), expected)
    assert np.array_equal(to_mnist(digit[None, :]), expected)
    assert np.array_equal(to_mnist(digit.reshape(28, 28, 1)), expected)


# Transforms -----------------------------------------------------------------------------


def _dot(row, col):
    image = np.zeros((28, 28), np.float32)
    image[row, col] = 1.0
    return image


def test_shift_moves_ink_and_drops_what_leaves_the_field():
    moved = transforms.shift(_dot(10, 10)[None], right=3, down=-2)
    assert _ink_box(moved[0]) == (8, 9, 13, 14)
    assert transforms.shift(_dot(10, 26).reshape(1, 784), right=5).sum() == 0
    assert transforms.shift(_dot(10, 10).reshape(1, 784), right=2).shape == (1, 784)


def test_shrink_to_corner():
    full = np.ones((1, 28, 28), np.float32)
    small = transforms.shrink_to_corner(full, 0.5)
    assert _ink_box(small[0]) == (1, 15, 1, 15)
    assert np.array_equal(transforms.shrink_to_corner(full, 1.0), full)


def test_change_stroke_thickens_and_thins():
    bar = np.zeros((1, 28, 28), np.float32)
    bar[0, 5:20, 10:13] = 1.0  # 3 px wide
    assert _ink_box(transforms.change_stroke(bar, 1)[0]) == (4, 21, 9, 14)
    thinner = transforms.change_stroke(bar, -1)[0]
    assert _ink_box(thinner) == (6, 19, 11, 12)
    assert transforms.change_stroke(bar, 0) is not bar


def test_rotate_turns_counter_clockwise_about_the_centre_and_keeps_the_ink():
    images = np.random.default_rng(0).random((3, 784)).astype(np.float32)
    assert np.array_equal(transforms.rotate(images, 0), images)
    assert transforms.rotate(images, 15).shape == (3, 784)
    quarter = np.rot90(images.reshape(-1, 28, 28), axes=(1, 2))  # numpy's quarter turn is counter-clockwise
    assert np.allclose(transforms.rotate(images, 90).reshape(-1, 28, 28), quarter, atol=1e-6)
    turned = transforms.rotate(_dot(13, 22)[None], 90)[0]  # a dot right of the centre goes to the top
    assert np.unravel_index(turned.argmax(), turned.shape) == (5, 13)
    bar = np.zeros((28, 28), np.float32)
    bar[6:22, 12:16] = 1.0
    tilted = transforms.rotate(bar[None], 15)[0]
    assert abs(tilted.sum() - bar.sum()) < 0.01 * bar.sum(), "a small turn keeps the ink"
    rows, cols = np.mgrid[0:28, 0:28]
    centre = [(image * grid).sum() / image.sum() for image in (bar, tilted) for grid in (rows, cols)]
    assert np.allclose(centre[:2], centre[2:], atol=0.05), "and its centre"
    assert _ink_box(tilted)[2] < _ink_box(bar)[2] and _ink_box(tilted)[3] > _ink_box(bar)[3], "but leans"


# The pad's image, without a browser --------------------------------------------------------


def test_pad_round_trips_an_image_and_strokes_render_like_the_pad():
    image = drawpad.render_strokes([[(140, 40), (140, 240)]], pen_width=20)
    assert image.dtype == np.uint8 and image.shape == (280, 280)
    assert image[140, 140] == 0 and image[140, 100] == 255  # ink on the stroke, paper beside it
    pad = drawpad.DrawPad()
    assert pad.image() is None
    pad.show(image)
    assert np.array_equal(pad.image(), image)
    with pytest.raises(ValueError, match="Expected a 280 x 280 uint8 image"):
        pad.show(np.zeros((28, 28), np.uint8))
    prepared = to_mnist(pad.image())
    top, bottom, left, right = _ink_box(prepared, 0.5)
    assert bottom - top == 20 and right - left <= 3
