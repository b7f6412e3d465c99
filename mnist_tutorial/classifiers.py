"""Restore the trained networks of the series (`catalog.classifiers()`), each in its own graph and session.

Each training notebook saves its model with `tf.train.Saver` under `checkpoints/<notebook>/`.
The `.meta` file holds the graph, so restoring needs none of the notebook's code:
`tf.train.import_meta_graph` rebuilds the graph, `Saver.restore` loads the weights, and the
tensors the notebook named, `images` and `probabilities`, are looked up by name.

A checkpoint is a program (its graph runs when you use it), so restore only checkpoints you
made. Before anything is restored, its files are checked against the digests the notebook wrote
into its run record: a damaged, truncated or swapped checkpoint is reported as such, with the
notebook to re-run, and never loaded.
"""

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import tensorflow.compat.v1 as tf
from google.protobuf.message import DecodeError
from numpy.typing import ArrayLike

from . import catalog, checkpoints, device, paths, results

#: The trained networks of the series that later notebooks restore: notebook name -> short label.
NETWORKS = catalog.classifiers()
#: The image shapes a network's `images` placeholder may have (after the batch dimension): rows of
#: 784 pixels (the fully connected networks), or 28x28 images of one channel (the convolutional ones:
#: the convolutional notebook's and the augmented capstone's).
IMAGE_SHAPES = ([784], [28, 28, 1])


class CheckpointError(Exception):
    """A notebook's trained model cannot be used. `short` says what to do, in a few words."""

    def __init__(self, message: str, short: str) -> None:
        super().__init__(message)
        self.short = short


class CheckpointMissing(CheckpointError, FileNotFoundError):
    """A notebook's trained model has not been saved yet."""


class CheckpointDamaged(CheckpointError):
    """A checkpoint is there but is not, or no longer, the one its notebook wrote."""


def _notebook(run_name):
    """ "notebook 04 (04_relu_hidden300.ipynb)", its number from the catalog; for a name the catalog does
    not know, "the notebook that saves <name>"."""
    number = results.notebook_number(run_name)
    return f"notebook {number} ({run_name}.ipynb)" if number else f"the notebook that saves {run_name}"


def _short(run_name):
    """ "notebook 04", or for a name the catalog does not know, "the notebook of <name>"."""
    number = results.notebook_number(run_name)
    return f"notebook {number}" if number else f"the notebook of {run_name}"


def _damaged(run_name, what):
    return CheckpointDamaged(
        f"The checkpoint in {paths.checkpoint_prefix(run_name).parent} cannot be used: {what}. "
        f"Re-run {_notebook(run_name)} to train and save it again.",
        short=f"re-run {_short(run_name)}: its checkpoint is damaged",
    )


def check(run_name: str) -> None:
    """Raise CheckpointMissing or CheckpointDamaged unless `run_name`'s checkpoint is the one its run wrote.

    What a save killed half-way left behind is tidied first (`checkpoints.recover`), which puts back the
    checkpoint the record vouches for if the kill came between the two renames of the swap."""
    checkpoints.recover(run_name)
    prefix = paths.checkpoint_prefix(run_name)
    if not Path(f"{prefix}.index").exists() or not Path(f"{prefix}.meta").exists():
        raise CheckpointMissing(
            f"No trained model for {run_name} in {prefix.parent}: run {_notebook(run_name)} first.",
            short=f"run {_short(run_name)} first",
        )
    try:
        record = results.load(run_name)
    except results.RecordError as error:
        raise _damaged(run_name, f"the run record that vouches for it cannot be used ({error})") from None
    if record is None or record.get("run") != run_name or not record.get("checkpoint"):
        raise _damaged(
            run_name, f"{paths.results_path(run_name)}, the record that vouches for it, is missing or from another run"
        )
    problems = checkpoints.differences(run_name, record["checkpoint"])
    if problems:
        raise _damaged(
            run_name,
            "it is not the checkpoint the notebook saved ("
            + "; ".join(problems)
            + "): it was damaged, cut short, or copied from another notebook",
        )


class Classifier:
    """A trained network, restored from its checkpoint, that reads 28x28 digits."""

    def __init__(self, run_name: str) -> None:
        self.name = run_name
        self.label = NETWORKS.get(run_name, run_name)
        check(run_name)
        prefix = paths.checkpoint_prefix(run_name)
        self.graph = tf.Graph()
        try:
            with self.graph.as_default():
                saver = tf.train.import_meta_graph(f"{prefix}.meta")
                self.session = tf.Session(graph=self.graph, config=device.session_config())
                saver.restore(self.session, str(prefix))
            self._images = self._named("images")
            self._probabilities = self._named("probabilities")
        except (tf.errors.OpError, DecodeError, ValueError, KeyError, OSError) as error:
            first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            raise _damaged(run_name, f"TensorFlow could not restore it ({first_line})") from None
        self._image_shape = self._images.shape.as_list()[1:]
        if self._image_shape not in IMAGE_SHAPES or self._probabilities.shape.as_list() != [None, 10]:
            raise _damaged(run_name, "its graph does not take 28x28 images and give 10 probabilities")

    def probabilities(self, images: ArrayLike) -> np.ndarray:
        """[N, 10] probabilities for images given as rows of 784 values or 28x28 arrays in [0, 1].

        The images are reshaped to what the network's placeholder takes, rows or 28x28x1 images.
        """
        images = np.asarray(images, dtype=np.float32).reshape([-1, *self._image_shape])
        return self.session.run(self._probabilities, feed_dict={self._images: images})

    def predict(self, images: ArrayLike) -> np.ndarray:
        """The most probable digit for each image."""
        return self.probabilities(images).argmax(axis=1)

    def accuracy(self, images: ArrayLike, labels: ArrayLike) -> float:
        """The fraction of `images` read as their integer `labels`."""
        return float(np.mean(self.predict(images) == np.asarray(labels)))

    def variable(self, name: str) -> np.ndarray:
        """The trained value of the variable the notebook named `name` (for example "W1")."""
        return self.session.run(self._named(name))

    def _named(self, name):
        """The tensor the notebook named `name`, in whatever name scope it stands (`hidden_layer/W1`)."""
        found = [
            op
            for op in self.graph.get_operations()
            if op.name.split("/")[-1] == name
            and op.outputs
            and op.type not in ("Assign", "Identity")
            and not op.type.endswith("Summary")
        ]
        if len(found) != 1:
            raise KeyError(f"the graph has {len(found)} operations named {name!r}, not one")
        return found[0].outputs[0]


def restore_all(names: Iterable[str] = tuple(NETWORKS)) -> tuple[dict[str, Classifier], dict[str, CheckpointError]]:
    """{name: Classifier} for every network that can be restored, and {name: CheckpointError} for the rest.

    One missing or damaged checkpoint never stops the others from being restored: whatever goes wrong
    with one (even what no check foresaw) is reported as its CheckpointError.
    """
    restored, unavailable = {}, {}
    for name in names:
        try:
            restored[name] = Classifier(name)
        except CheckpointError as error:
            unavailable[name] = error
        except Exception as error:  # not foreseen: still only this network's problem
            first_line = (str(error).strip().splitlines() or [""])[0]
            unavailable[name] = _damaged(name, f"it could not be restored ({type(error).__name__}: {first_line})")
    return restored, unavailable
