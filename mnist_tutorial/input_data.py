"""A drop-in replacement for TensorFlow 1's `tensorflow.examples.tutorials.mnist.input_data`.

TensorFlow 2 no longer ships that module. Classic tutorial code runs unchanged once its
import line reads::

    from mnist_tutorial import input_data
    mnist = input_data.read_data_sets("MNIST_data/", one_hot=True)
    batch_xs, batch_ys = mnist.train.next_batch(100)

The files are read from the repo's `mnist_data/` unless another folder is given, checked
(see `mnist_files`), and downloaded only if missing. Arrays stay cached in the process, so
re-running a notebook cell that loads the data costs next to nothing. The arrays are
read-only because of that cache: copy one (`images.copy()`) before changing it in place.
"""

import collections
import numbers
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from . import mnist_files, paths
from .mnist_files import MnistFileError  # noqa: F401  (re-exported for callers)

if TYPE_CHECKING:
    import tensorflow as tf

NUM_CLASSES = 10
Datasets = collections.namedtuple("Datasets", ["train", "validation", "test"])

_cache = {}
_cache_lock = threading.Lock()


class DataSet:
    """One split: `images`, `labels`, and `next_batch()` for mini-batch training."""

    def __init__(self, images: np.ndarray, labels: np.ndarray, seed: int | np.random.SeedSequence | None = None):
        if len(images) != len(labels):
            raise ValueError(f"{len(images)} images but {len(labels)} labels: they must match.")
        self._images = images
        self._labels = labels
        self._num_examples = len(images)
        self._epochs_completed = 0
        self._index_in_epoch = 0
        self._order = None  # the current epoch's shuffled order, or None for file order
        self._rng = np.random.default_rng(seed)

    @property
    def images(self) -> np.ndarray:
        return self._images

    @property
    def labels(self) -> np.ndarray:
        return self._labels

    @property
    def num_examples(self) -> int:
        return self._num_examples

    @property
    def epochs_completed(self) -> int:
        return self._epochs_completed

    def next_batch(self, batch_size: int, shuffle: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """The next `batch_size` examples as `(images, labels)`.

        As in TensorFlow 1: the order is shuffled at the first call and at every new epoch,
        and every batch is full, so the batch that crosses an epoch boundary takes the rest
        of the old epoch and the start of the newly shuffled one.
        """
        batch_size = _whole_number("batch_size", batch_size, 1, self._num_examples, "the size of this split")
        start = self._index_in_epoch
        if self._epochs_completed == 0 and start == 0 and shuffle:
            self._order = self._rng.permutation(self._num_examples)
        if start + batch_size <= self._num_examples:
            self._index_in_epoch = start + batch_size
            return self._take(np.s_[start : self._index_in_epoch])
        self._epochs_completed += 1
        rest = self._take(np.s_[start:])
        if shuffle:
            self._order = self._rng.permutation(self._num_examples)
        self._index_in_epoch = batch_size - (self._num_examples - start)
        head = self._take(np.s_[: self._index_in_epoch])
        return np.concatenate((rest[0], head[0])), np.concatenate((rest[1], head[1]))

    def _take(self, positions):
        if self._order is None:
            return self._images[positions], self._labels[positions]
        index = self._order[positions]
        return self._images[index], self._labels[index]


def _whole_number(name, value, low, high, high_meaning):
    """`value` as an int when it is a whole number (Python or NumPy) from low to high; else a clear error.

    Checked before anything changes, so a bad call leaves a data set exactly as it was.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a whole number (an int), not {value!r} ({type(value).__name__}).")
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high:,} ({high_meaning}), not {value}.")
    return int(value)


def dense_to_one_hot(labels: np.ndarray, num_classes: int = NUM_CLASSES) -> np.ndarray:
    """Integer labels [N] to one-hot rows [N, num_classes] of float32."""
    one_hot = np.zeros((len(labels), num_classes), np.float32)
    one_hot[np.arange(len(labels)), labels] = 1.0
    return one_hot


def read_data_sets(
    train_dir: str | os.PathLike | None = None,
    fake_data: bool = False,
    one_hot: bool = False,
    dtype: "npt.DTypeLike | tf.DType" = np.float32,
    reshape: bool = True,
    validation_size: int = 5000,
    seed: int | None = None,
    source_url: str | None = None,
) -> Datasets:
    """Load MNIST as `Datasets(train, validation, test)`: 55,000 / 5,000 / 10,000 by default.

    train_dir: folder of the four files; a relative path is taken from the working
        directory. By default, the repo's `mnist_data/`. Missing files are downloaded there.
    one_hot: labels as [N, 10] float32 rows instead of integers.
    dtype: float32 (pixels scaled to [0, 1]) or uint8 (pixels 0-255).
    reshape: images as [N, 784] rows; with False, as [N, 28, 28, 1].
    validation_size: how many of the first training images form the validation split.
    seed: makes the order of `next_batch()` reproducible.
    source_url: a mirror to download missing files from, instead of the public ones.
    """
    if fake_data:
        raise ValueError(
            "fake_data is not supported: the real MNIST files are always available "
            "in this project's mnist_data/ folder."
        )
    dtype = np.dtype(getattr(dtype, "as_numpy_dtype", dtype))
    if dtype not in (np.float32, np.uint8):
        raise TypeError(f"dtype must be float32 or uint8, not {dtype}.")
    validation_size = _whole_number(
        "validation_size",
        validation_size,
        0,
        mnist_files.TRAIN_IMAGES.count - 1,
        "at least one of the 60,000 training images must be left to train on",
    )
    directory = Path(train_dir) if train_dir is not None else paths.default_data_dir()
    if directory.exists() and not directory.is_dir():
        raise mnist_files.MnistFileError(
            f"train_dir {directory} is a file, not a folder: give the folder that holds (or should "
            f"hold) the four MNIST .gz files, or leave train_dir out to use this project's mnist_data/."
        )
    mirrors = (source_url,) if source_url else mnist_files.MIRRORS
    train_images, train_labels, test_images, test_labels = (
        _arrays(directory, spec, one_hot, dtype, reshape, mirrors) for spec in mnist_files.ALL_FILES
    )
    seeds = np.random.SeedSequence(seed).spawn(3) if seed is not None else [None] * 3
    return Datasets(
        train=DataSet(train_images[validation_size:], train_labels[validation_size:], seeds[0]),
        validation=DataSet(train_images[:validation_size], train_labels[:validation_size], seeds[1]),
        test=DataSet(test_images, test_labels, seeds[2]),
    )


def _arrays(directory, spec, one_hot, dtype, reshape, mirrors):
    """One file's array in the requested form, from the cache when the file has not changed.

    The one way the series reads a MNIST file: found (or downloaded when missing), checked, parsed.
    """
    path = mnist_files.locate(directory, spec) or mnist_files.download(spec, directory, mirrors)
    stat = path.stat()
    source_key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    form = (one_hot,) if not spec.is_images else (dtype.str, reshape)
    with _cache_lock:
        if (source_key, form) not in _cache:
            raw = _cache.get((source_key, "raw"))
            if raw is None:
                raw = mnist_files.parse(mnist_files.read_content(path, spec), spec)
                _cache[(source_key, "raw")] = raw
            array = _convert(raw, spec, one_hot, dtype, reshape)
            array.flags.writeable = False
            _cache[(source_key, form)] = array
        return _cache[(source_key, form)]


def _convert(raw, spec, one_hot, dtype, reshape):
    if not spec.is_images:
        return dense_to_one_hot(raw) if one_hot else raw
    images = raw.reshape(-1, 784) if reshape else raw.reshape(-1, 28, 28, 1)
    if dtype == np.float32:
        return images.astype(np.float32) * np.float32(1.0 / 255.0)
    return images
