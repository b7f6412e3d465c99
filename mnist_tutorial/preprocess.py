"""Turn any picture of a digit into a 28x28 image prepared the way MNIST's own digits were.

MNIST's authors took each digit, scaled it with anti-aliasing so that it fits a 20x20 box with
its aspect ratio kept, and placed it in a 28x28 field so that its centre of mass sits in the
middle. Networks trained on MNIST expect exactly that: `to_mnist` does it for a drawing, a
photo crop, or an MNIST digit that has been moved or resized.
"""

import numpy as np
from numpy.typing import ArrayLike

FIELD = 28  # the output is FIELD x FIELD
BOX = 20  # the digit's longer side, in pixels
INK_THRESHOLD = 0.05  # after normalising, pixels above this count as ink
MIN_CONTRAST = 0.1  # darkest and lightest pixel must differ by this much (on a 0-1 scale)
MIN_EXTENT = 0.1  # the ink must span this fraction of the image's longer side


class BlankImageError(ValueError):
    """The image holds no digit: it is empty, or the ink is only a speck."""


def to_mnist(image: ArrayLike) -> np.ndarray:
    """A 28x28 float32 image in [0, 1], white ink on black, centred by mass, digit 20 px on its longer side.

    `image` is a grayscale picture of any size: a 2-D array, or MNIST's own shapes (a row of 784
    values, 28x28x1). Its scale comes from its dtype and values: booleans and 0/1 masks, 4-bit
    (0-15), 8-bit (0-255) and 16-bit (0-65535) integers, and floats in 0-1 or 0-255. Dark ink on
    light paper and light ink on a dark background both work: the background is the shade of the
    picture's border. Raises BlankImageError for a blank image or one holding only a speck, and
    ValueError for anything that is not a grayscale image; both say what they measured.
    """
    ink = ink_map(image)
    rows, cols = np.nonzero(ink > INK_THRESHOLD)
    extent = max(np.ptp(rows), np.ptp(cols)) + 1 if len(rows) else 0
    if extent < MIN_EXTENT * max(ink.shape):
        raise BlankImageError(
            f"There is no digit in the image, only a speck of ink: it spans {extent} pixel(s) of the "
            f"image's {max(ink.shape)}, and a digit needs at least {MIN_EXTENT:.0%} of that. "
            f"Draw a digit first."
        )
    cropped = ink[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    height, width = cropped.shape
    scale = BOX / max(height, width)
    size = (max(1, round(height * scale)), max(1, round(width * scale)))
    digit = np.clip(resize_area(cropped, size), 0.0, 1.0)
    return place_by_centre_of_mass(digit)


#: The scales a grayscale image comes in: 0/1 masks, 4-bit, 8-bit and 16-bit.
INTEGER_SCALES = (1, 15, 255, 65535)
#: Floats are 0-1 or 0-255; a little above 1 (resampling overshoot) still counts as 0-1.
FLOAT_SCALES = ((1.5, 1.0), (255 * 1.05, 255.0))


def as_grayscale(image: ArrayLike) -> np.ndarray:
    """`image` as a 2-D array; MNIST's shapes (784 values, 28x28x1) and any HxWx1 array are accepted."""
    image = np.asarray(image)
    if image.ndim in (1, 2) and image.size == FIELD * FIELD and FIELD not in image.shape:
        return image.reshape(FIELD, FIELD)  # one MNIST row: 784 values, or [1, 784]
    if image.ndim == 3 and image.shape[-1] == 1:
        return image[..., 0]
    if image.ndim == 3 and image.shape[-1] in (3, 4):
        raise ValueError(
            f"Expected a grayscale image, got a colour one of shape {image.shape}. Convert "
            "it to grayscale first, for example image[..., :3].mean(axis=-1)."
        )
    if image.ndim != 2:
        raise ValueError(
            f"Expected a grayscale image (2-D, 784 values, or HxWx1), got an array of shape {image.shape}."
        )
    return image


def full_scale(image: np.ndarray) -> float:
    """The value that stands for full ink or full paper in `image`: 1, 15, 255 or 65535."""
    if image.dtype == bool:
        return 1
    top = float(image.max())
    if np.issubdtype(image.dtype, np.integer):
        scales = [(level, level) for level in INTEGER_SCALES]
    else:
        scales = FLOAT_SCALES
    for limit, scale in scales:
        if top <= limit:
            return scale
    raise ValueError(
        f"Pixel values go up to {top:g}, beyond any grayscale scale this reads (0-1 or "
        f"0-255 for floats; 0/1, 0-15, 0-255 or 0-65535 for integers). Rescale the image "
        f"to 0-255."
    )


def ink_map(image: ArrayLike) -> np.ndarray:
    """The image as ink strength in [0, 1] (0 = background), whatever its polarity and scale."""
    image = as_grayscale(image)
    if image.size == 0:
        raise ValueError("The image is empty (it has no pixels).")
    if not (np.issubdtype(image.dtype, np.number) or image.dtype == bool):
        raise ValueError(f"Expected a numeric image, got dtype {image.dtype}.")
    values = image.astype(np.float64)
    if not np.all(np.isfinite(values)):
        raise ValueError("The image contains NaN or infinite values.")
    if values.min() < 0:
        raise ValueError(
            f"Pixel values must not be negative (the lowest is {values.min():g}): use 0-1 floats or 0-255."
        )
    scale = full_scale(image)
    values = np.clip(values / scale, 0.0, 1.0)
    background = np.median(border(values))
    ink = np.abs(values - background)
    if ink.max() < MIN_CONTRAST:
        raise BlankImageError(
            f"The image is blank: its pixels run from {image.min():g} to {image.max():g} on a 0-{scale:g} "
            f"scale, a contrast of {ink.max():.3f} against the background, and a digit needs at least "
            f"{MIN_CONTRAST}. Draw a digit first (or, for a faint scan, stretch its contrast)."
        )
    return ink / ink.max()


def border(image: np.ndarray) -> np.ndarray:
    """The pixels of the outermost ring of `image`: where the paper (or background) is."""
    if min(image.shape) < 3:
        return image.ravel()
    return np.concatenate([image[0], image[-1], image[1:-1, 0], image[1:-1, -1]])


def resize_area(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
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


def centre_of_mass(image: np.ndarray) -> tuple[float, float]:
    """(row, column) of the image's centre of mass, in pixel-index coordinates."""
    total = image.sum()
    rows, cols = np.indices(image.shape)
    return float((rows * image).sum() / total), float((cols * image).sum() / total)


def place_by_centre_of_mass(digit: np.ndarray) -> np.ndarray:
    """Paste `digit` (at most 28x28) into a black 28x28 field with its centre of mass at (14, 14).

    That is where MNIST's digits have it (in pixel-index coordinates). The shift is whole
    pixels (no blurring), and the digit is kept inside the field.
    """
    field = np.zeros((FIELD, FIELD), np.float32)
    middle = FIELD / 2  # where MNIST's digits have their centre of mass: (14.0, 14.0) on average
    mass_row, mass_col = centre_of_mass(digit)
    top = int(np.clip(np.floor(middle - mass_row + 0.5), 0, FIELD - digit.shape[0]))
    left = int(np.clip(np.floor(middle - mass_col + 0.5), 0, FIELD - digit.shape[1]))
    field[top : top + digit.shape[0], left : left + digit.shape[1]] = digit
    return field
