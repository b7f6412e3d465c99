"""Change MNIST digits the way a real user's digits differ: moved, turned, smaller, thinner or thicker.

Each function takes images as rows of 784 values or as [N, 28, 28] arrays (ink > 0 on a 0
background) and returns new images of the same shape; the input is never changed.
"""

import numpy as np
from numpy.typing import ArrayLike

from .preprocess import resize_area

SIDE = 28
CENTRE = (SIDE - 1) / 2  # the centre of the field, about which digits are turned, scaled and slanted


def _as_stack(images):
    images = np.asarray(images, dtype=np.float32)
    return images.reshape(-1, 28, 28), images.shape


def shift(images: ArrayLike, right: int = 0, down: int = 0) -> np.ndarray:
    """Move every digit `right` and `down` pixels (negative: left, up); what leaves the field is lost."""
    stack, shape = _as_stack(images)
    moved = np.zeros_like(stack)
    rows_to = slice(max(down, 0), 28 + min(down, 0))
    rows_from = slice(max(-down, 0), 28 + min(-down, 0))
    cols_to = slice(max(right, 0), 28 + min(right, 0))
    cols_from = slice(max(-right, 0), 28 + min(-right, 0))
    moved[:, rows_to, cols_to] = stack[:, rows_from, cols_from]
    return moved.reshape(shape)


def shrink_to_corner(images: ArrayLike, scale: float, margin: int = 1) -> np.ndarray:
    """Shrink every whole 28x28 image by `scale` (area-averaged) and put it `margin` px from the top left.

    This is the small digit written in the corner of the box that a 1-layer network misreads.
    """
    stack, shape = _as_stack(images)
    if not 0 < scale <= 1:
        raise ValueError(f"scale must be in (0, 1], not {scale}.")
    size = max(1, round(28 * scale))
    offset = min(margin, 28 - size)  # at full size there is no room for a margin
    small = np.stack([resize_area(image, (size, size)) for image in stack])
    out = np.zeros_like(stack)
    out[:, offset : offset + size, offset : offset + size] = small
    return out.reshape(shape)


def change_stroke(images: ArrayLike, steps: int) -> np.ndarray:
    """Thicker strokes (`steps` > 0: grey dilation) or thinner ones (`steps` < 0: grey erosion).

    Each step takes, for every pixel, the largest (or smallest) value of the 3x3 square around it.
    """
    stack, shape = _as_stack(images)
    result = stack
    for _ in range(abs(steps)):
        padded = np.pad(result, ((0, 0), (1, 1), (1, 1)))
        windows = [padded[:, r : r + 28, c : c + 28] for r in range(3) for c in range(3)]
        result = np.max(windows, axis=0) if steps > 0 else np.min(windows, axis=0)
    return np.array(result, dtype=np.float32).reshape(shape)


def affine_sources(
    right: ArrayLike, down: ArrayLike, degrees: ArrayLike, scale: ArrayLike, slant: ArrayLike
) -> tuple[np.ndarray, np.ndarray]:
    """The source positions ([N, 28, 28] rows and columns) that draw each digit slanted by `slant`
    (a shear: the top moves right by `slant` times the height), scaled by `scale` and turned `degrees`
    counter-clockwise about the field's centre, then moved `right` and `down` pixels; one value of
    each per digit."""
    right, down, degrees, scale, slant = (np.asarray(v, dtype=np.float64).reshape(-1, 1, 1) for v in
                                          (right, down, degrees, scale, slant))  # fmt: skip
    angle = np.deg2rad(degrees)
    rows, cols = np.mgrid[0:SIDE, 0:SIDE].astype(np.float64) - CENTRE
    rows, cols = rows - down, cols - right  # undo the move
    # Undo the turn (counter-clockwise on the screen, where rows point down), then the scale.
    turned_rows = (np.cos(angle) * rows + np.sin(angle) * cols) / scale
    turned_cols = (-np.sin(angle) * rows + np.cos(angle) * cols) / scale
    # Undo the slant: a pixel `r` rows above the centre was moved right by slant * r.
    return turned_rows + CENTRE, turned_cols + slant * turned_rows + CENTRE


def distort(
    images: ArrayLike, right: float = 0, down: float = 0, degrees: float = 0, scale: float = 1, slant: float = 0
) -> np.ndarray:
    """Every digit changed by the same amounts (see `affine_sources`), in one bilinear resampling: the
    fixed changes a robustness curve measures, where `augmentation.Augmenter` draws random ones. Same
    shape back."""
    if not np.isfinite(scale) or scale <= 0:
        raise ValueError(f"scale is a relative size above 0 (1: unchanged), not {scale!r}.")
    images = np.asarray(images, dtype=np.float32)
    stack = images.reshape(-1, SIDE, SIDE)
    rows, cols = affine_sources(right, down, degrees, scale, slant)
    return resample(stack, rows[0], cols[0]).reshape(images.shape)


def rotate(images: ArrayLike, degrees: float) -> np.ndarray:
    """Turn every digit `degrees` counter-clockwise about the centre of the field, as a tilted pen would:
    `distort` with a turn alone. Each output pixel takes the value at its position turned back, interpolated
    bilinearly between the four nearest pixels; what comes from outside the field is paper (0)."""
    return distort(images, degrees=degrees)


def resample(images: ArrayLike, source_rows: np.ndarray, source_cols: np.ndarray) -> np.ndarray:
    """Each output pixel of each image takes the value at (`source_rows`, `source_cols`) of its image
    ([N, 28, 28] arrays of positions, or [28, 28] for all), interpolated bilinearly between the four
    nearest pixels; positions outside the field are paper (0). Returns [N, 28, 28] float32."""
    stack = np.asarray(images, dtype=np.float32).reshape(-1, 28, 28)
    source_rows = np.broadcast_to(source_rows, stack.shape)
    source_cols = np.broadcast_to(source_cols, stack.shape)
    top, left = np.floor(source_rows), np.floor(source_cols)
    down, right = (source_rows - top).astype(np.float32), (source_cols - left).astype(np.float32)
    top, left = top.astype(np.intp), left.astype(np.intp)
    inside = (top >= -1) & (top <= 27) & (left >= -1) & (left <= 27)
    # A border of paper, so that every neighbour exists; then each pixel's top-left neighbour as an index
    # into the flattened batch, its right neighbour at +1 and the row below at +side.
    side = 28 + 3
    padded = np.pad(stack, ((0, 0), (1, 2), (1, 2))).ravel()
    image = np.arange(len(stack))[:, None, None]
    corner = image * side * side + (np.clip(top, -1, 27) + 1) * side + np.clip(left, -1, 27) + 1
    upper = padded[corner] + right * (padded[corner + 1] - padded[corner])
    lower = padded[corner + side] + right * (padded[corner + side + 1] - padded[corner + side])
    return np.where(inside, upper + down * (lower - upper), np.float32(0))
