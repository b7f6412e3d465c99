"""Change MNIST digits the way a real user's digits differ: moved, smaller, thinner or thicker.

Each function takes images as rows of 784 values or as [N, 28, 28] arrays (ink > 0 on a 0
background) and returns new images of the same shape; the input is never changed.
"""

import numpy as np
from numpy.typing import ArrayLike

from .preprocess import resize_area


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
