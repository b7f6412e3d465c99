"""Random changes to training digits, the way people's handwriting differs from MNIST's average
(data augmentation): moved, turned, larger or smaller, slanted, thinner or thicker strokes, and
Simard's elastic wobble.

`Augmenter(...)` holds the sizes of the changes; calling it on a batch (rows of 784 values, or
[N, 28, 28]; ink > 0 on a 0 background) returns a new batch of the same shape, every digit
changed by its own random amounts, drawn from the augmenter's seeded generator. With every size
at zero it returns the batch unchanged. The work is vectorised NumPy over the whole batch: one
bilinear resampling for all the geometric changes of all the digits together.

    augment = Augmenter(shift=2, rotation=15, seed=1)
    batch_X, batch_Y = mnist.train.next_batch(100)
    session.run(train_step, feed_dict={X: augment(batch_X), Y_: batch_Y})

Simard, Steinkraus and Platt (2003), "Best practices for convolutional neural networks applied to
visual document analysis", ICDAR: elastic distortions with a smoothing of sigma = 4 pixels and a
scale of alpha = 34 on 28x28 digits.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import ArrayLike

from .transforms import SIDE, affine_sources, change_stroke, resample


def gaussian_matrix(sigma: float) -> np.ndarray:
    """[28, 28]: multiplying a field by it on each side smooths it with a Gaussian of `sigma` pixels
    (each row's weights sum to one, so a constant field stays constant at the edges too)."""
    positions = np.arange(SIDE)
    weights = np.exp(-0.5 * ((positions[:, None] - positions[None, :]) / sigma) ** 2)
    return weights / weights.sum(axis=1, keepdims=True)


@dataclass
class Augmenter:
    """Random changes of each digit, up to the sizes given; zero leaves that change out.

    shift: pixels, right/left and up/down, each uniform in [-shift, shift].
    rotation: degrees, uniform in [-rotation, rotation].
    scale: relative size, uniform in [1 - scale, 1 + scale].
    slant: the shear, uniform in [-slant, slant] (0.3: the top moves 0.3 pixel right per row up).
    stroke: the chance that a digit's strokes get one step thicker, and the same chance one thinner.
    elastic: Simard's alpha, the size of the elastic wobble (34 in his paper), smoothed over
        `elastic_sigma` pixels (4 in his paper).
    seed: of the generator that draws every change; the same seed gives the same batches.
    """

    shift: float = 0.0
    rotation: float = 0.0
    scale: float = 0.0
    slant: float = 0.0
    stroke: float = 0.0
    elastic: float = 0.0
    elastic_sigma: float = 4.0
    seed: int | None = None
    _random: np.random.Generator = field(init=False, repr=False)

    def __post_init__(self):
        for name in ("shift", "rotation", "scale", "slant", "stroke", "elastic"):
            value = getattr(self, name)
            if not np.isfinite(value) or value < 0:
                raise ValueError(f"{name} is a size, at least 0, not {value!r}.")
        if self.scale >= 1:
            raise ValueError(f"scale must be below 1 (sizes 1 - scale to 1 + scale), not {self.scale!r}.")
        if self.stroke > 0.5:
            raise ValueError(f"stroke is a chance of each of thicker and thinner, at most 0.5, not {self.stroke!r}.")
        if self.elastic_sigma <= 0:
            raise ValueError(f"elastic_sigma must be above 0 pixels, not {self.elastic_sigma!r}.")
        self._random = np.random.default_rng(self.seed)

    def copy(self) -> Augmenter:
        """An augmenter with the same sizes whose generator starts where this one's is now: drawing from
        the copy (for a figure, or to time it) leaves the batches this one gives next unchanged."""
        twin = replace(self)
        twin._random = copy.deepcopy(self._random)
        return twin

    def __call__(self, images: ArrayLike) -> np.ndarray:
        images = np.asarray(images, dtype=np.float32)
        stack = images.reshape(-1, SIDE, SIDE)
        count, draw = len(stack), self._random.uniform
        if self.stroke:
            steps = self._random.choice([-1, 0, 1], size=count, p=[self.stroke, 1 - 2 * self.stroke, self.stroke])
            stack = stack.copy()
            for step in (-1, 1):
                stack[steps == step] = change_stroke(stack[steps == step], step)
        if self.shift or self.rotation or self.scale or self.slant or self.elastic:
            rows, cols = affine_sources(
                draw(-self.shift, self.shift, count),
                draw(-self.shift, self.shift, count),
                draw(-self.rotation, self.rotation, count),
                draw(1 - self.scale, 1 + self.scale, count),
                draw(-self.slant, self.slant, count),
            )
            if self.elastic:
                smooth = gaussian_matrix(self.elastic_sigma)
                fields = draw(-1, 1, (2, count, SIDE, SIDE))
                fields = self.elastic * (smooth @ fields @ smooth.T)  # smoothed down the columns and along the rows
                rows, cols = rows + fields[0], cols + fields[1]
            stack = resample(stack, rows, cols)
        return np.asarray(stack, dtype=np.float32).reshape(images.shape)
