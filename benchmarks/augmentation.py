"""How fast batches of changed digits can be made, two ways: vectorised NumPy in the feed
(`mnist_tutorial.augmentation.Augmenter`, one bilinear resampling of the whole batch) and
TensorFlow's own image op in the graph (`ImageProjectiveTransformV3`, the kernel behind
`tf.keras.layers.RandomRotation` and its kin, with the random moves drawn in the graph).
Milliseconds per batch of 100, and the largest difference between the two ways' pictures of the
same changes. Prints; asserts nothing.

    python benchmarks/augmentation.py
"""

import argparse
import time

import numpy as np
import tensorflow.compat.v1 as tf

from mnist_tutorial import augmentation, input_data, transforms

tf.disable_v2_behavior()


def per_batch(function, repeats):
    """Milliseconds per call of `function`, the best of three rounds of `repeats` calls."""
    function()
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for _ in range(repeats):
            function()
        best = min(best, (time.perf_counter() - started) / repeats)
    return best * 1000


def projective_transforms(right, down, cos, sin, scale, slant, stack):
    """The 8 numbers per image of `ImageProjectiveTransformV3` (from an output pixel's column x and row
    y to its source's: x' = a0 x + a1 y + a2, y' = b0 x + b1 y + b2) for the changes of
    `transforms.affine_sources`, written with arithmetic alone, so that NumPy arrays and tensors
    both do (`stack`: np.stack or tf.stack); `cos` and `sin` are those of the turn."""
    c = transforms.CENTRE
    a, b = cos / scale, sin / scale
    row_of_row, row_of_col = a, b  # the source row: a (y - c - down) + b (x - c - right) + c
    col_of_row, col_of_col = -b + slant * a, a + slant * b  # the source column, slant times the row added
    row_0 = c - row_of_row * (c + down) - row_of_col * (c + right)
    col_0 = c - col_of_row * (c + down) - col_of_col * (c + right)
    zero = 0 * a
    return stack([col_of_col, col_of_row, col_0, row_of_col, row_of_row, row_0, zero, zero], 1)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=200, help="batches per timing round (default 200)")
    args = parser.parse_args(argv)
    images = input_data.read_data_sets(one_hot=True, seed=1).train.images[:100]
    sizes = dict(shift=2.0, rotation=15.0, scale=0.1, slant=0.2)

    numpy_affine = augmentation.Augmenter(**sizes, seed=1)
    numpy_all = augmentation.Augmenter(**sizes, stroke=0.2, elastic=34.0, seed=1)

    batch = tf.placeholder(tf.float32, [None, 784])
    count = tf.shape(batch)[0]

    def uniform(size):
        return tf.random_uniform([count], -size, size)

    def transformed(coefficients):
        return tf.raw_ops.ImageProjectiveTransformV3(
            images=tf.reshape(batch, [-1, 28, 28, 1]),
            transforms=coefficients,
            output_shape=[28, 28],
            fill_value=0.0,
            interpolation="BILINEAR",
            fill_mode="CONSTANT",
        )[..., 0]

    angle = uniform(np.deg2rad(sizes["rotation"]))
    drawn = [uniform(sizes["shift"]), uniform(sizes["shift"]), tf.cos(angle), tf.sin(angle)]
    in_graph = transformed(
        projective_transforms(*drawn, 1 + uniform(sizes["scale"]), uniform(sizes["slant"]), tf.stack)
    )
    given = tf.placeholder(tf.float32, [None, 8])
    session = tf.Session()
    rng = np.random.default_rng(1)
    right, down, degrees = rng.uniform(-2, 2, 100), rng.uniform(-2, 2, 100), rng.uniform(-15, 15, 100)
    scale, slant = rng.uniform(0.9, 1.1, 100), rng.uniform(-0.2, 0.2, 100)
    numpy_pictures = transforms.resample(images, *transforms.affine_sources(right, down, degrees, scale, slant))
    angle = np.deg2rad(degrees)
    matrices = projective_transforms(right, down, np.cos(angle), np.sin(angle), scale, slant, np.stack)
    graph_pictures = session.run(transformed(given), {batch: images, given: matrices.astype(np.float32)})
    print("ms per batch of 100 digits (best of three rounds)")
    rows = [
        ("NumPy, shift + turn + scale + slant", per_batch(lambda: numpy_affine(images), args.repeats)),
        (
            "TensorFlow op in the graph, the same",
            per_batch(lambda: session.run(in_graph, {batch: images}), args.repeats),
        ),
        ("NumPy, + strokes + elastic wobble", per_batch(lambda: numpy_all(images), args.repeats)),
    ]
    for label, ms in rows:
        print(f"{label:<46}{ms:>8.2f}")
    difference = np.abs(numpy_pictures - graph_pictures).max()  # the same changes, drawn both ways
    print(f"{'largest pixel difference, NumPy against the op':<46}{difference:>8.4f}")


if __name__ == "__main__":
    main()
