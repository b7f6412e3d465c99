"""Turn any picture of a digit into a 28x28 image prepared the way MNIST's own digits were.

MNIST's authors took each digit, scaled it with anti-aliasing so that it fits a 20x20 box with
its aspect ratio kept, and placed it in a 28x28 field so that its centre of mass sits in the
middle. Networks trained on MNIST expect exactly that: `to_mnist` does it for a drawing, a
photo crop, or an MNIST digit that has been moved or resized.
"""

import numpy as np

FIELD = 28  # the output is FIELD x FIELD
BOX = 20  # the digit's longer side, in pixels
INK_THRESHOLD = 0.05  # after normalising, pixels above this count as ink
MIN_CONTRAST = 0.1  # darkest and lightest pixel must differ by this much (on a 0-1 scale)
MIN_EXTENT = 0.1  # the ink must span this fraction of the image's longer side


class BlankImageError(ValueError):
    """The image holds no digit: it is empty, or the ink is only a speck."""


def to_mnist(image):
    """A 28x28 float32 image in [0, 1], white ink on black, centred by mass, digit 20 px on its longer side.

    `image` is a 2-D grayscale array of any size: uint8 (0-255) or floats (0-1, or 0-255), with
    dark ink on light paper or light ink on a dark background (the polarity is detected from
    the background, which covers most of the picture). Raises BlankImageError for a blank or
    near-blank image and ValueError for anything that is not a 2-D grayscale image.
    """
    ink = ink_map(image)
    rows, cols = np.nonzero(ink > INK_THRESHOLD)
    if len(rows) == 0 or max(np.ptp(rows), np.ptp(cols)) + 1 < MIN_EXTENT * max(ink.shape):
        raise BlankImageError("There is no digit in the image, only a speck of ink: draw a digit first.")
    cropped = ink[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
    height, width = cropped.shape
    scale = BOX / max(height, width)
    size = (max(1, round(height * scale)), max(1, round(width * scale)))
    digit = np.clip(resize_area(cropped, size), 0.0, 1.0)
    return place_by_centre_of_mass(digit)


def ink_map(image):
    """The image as ink strength in [0, 1] (0 = background), whatever its polarity and scale."""
    image = np.asarray(image)
    if image.ndim != 2:
        raise ValueError(f"Expected a 2-D grayscale image, got an array of shape {image.shape}. "
                         "Convert colour images to grayscale first (for example, average the channels).")
    if image.size == 0:
        raise ValueError("The image is empty (it has no pixels).")
    if not (np.issubdtype(image.dtype, np.number) or image.dtype == bool):
        raise ValueError(f"Expected a numeric image, got dtype {image.dtype}.")
    values = image.astype(np.float64)
    if not np.all(np.isfinite(values)):
        raise ValueError("The image contains NaN or infinite values.")
    if values.min() < 0:
        raise ValueError("Pixel values must not be negative: use 0-1 floats or 0-255.")
    if np.issubdtype(image.dtype, np.integer) or values.max() > 1.0:
        if values.max() > 255:
            raise ValueError(f"Pixel values go up to {values.max():g}: expected 0-255 or 0-1.")
        values /= 255.0
    background = np.median(values)
    ink = np.abs(values - background)
    if ink.max() < MIN_CONTRAST:
        raise BlankImageError("The image is blank: draw a digit first.")
    return ink / ink.max()


def resize_area(image, size):
    """Resize by area averaging (each output pixel is the mean of the input area it covers).

    This is the anti-aliasing that keeps a thin stroke visible, as a grey line, when a large
    drawing shrinks to 20 pixels; it also enlarges a small image without inventing detail.
    """
    rows = _area_weights(image.shape[0], size[0])
    cols = _area_weights(image.shape[1], size[1])
    return rows @ image @ cols.T


def _area_weights(n_in, n_out):
    """weights[i, j]: the share of output pixel i covered by input pixel j (rows sum to 1)."""
    edges_out = np.arange(n_out + 1) * (n_in / n_out)
    starts, ends = edges_out[:-1, None], edges_out[1:, None]
    pixel = np.arange(n_in)[None, :]
    overlap = np.clip(np.minimum(ends, pixel + 1) - np.maximum(starts, pixel), 0, None)
    return overlap / overlap.sum(axis=1, keepdims=True)


def centre_of_mass(image):
    """(row, column) of the image's centre of mass, in pixel-index coordinates."""
    total = image.sum()
    rows, cols = np.indices(image.shape)
    return float((rows * image).sum() / total), float((cols * image).sum() / total)


def place_by_centre_of_mass(digit):
    """Paste `digit` (at most 28x28) into a black 28x28 field with its centre of mass at (14, 14).

    That is where MNIST's digits have it (in pixel-index coordinates). The shift is whole
    pixels (no blurring), and the digit is kept inside the field.
    """
    field = np.zeros((FIELD, FIELD), np.float32)
    middle = FIELD / 2  # where MNIST's digits have their centre of mass: (14.0, 14.0) on average
    mass_row, mass_col = centre_of_mass(digit)
    top = int(np.clip(np.floor(middle - mass_row + 0.5), 0, FIELD - digit.shape[0]))
    left = int(np.clip(np.floor(middle - mass_col + 0.5), 0, FIELD - digit.shape[1]))
    field[top:top + digit.shape[0], left:left + digit.shape[1]] = digit
    return field
