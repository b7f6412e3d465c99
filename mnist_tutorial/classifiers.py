"""Restore the networks that notebooks 1-4 trained, each in its own graph and session.

Each training notebook saves its model with `tf.train.Saver` under `checkpoints/<notebook>/`.
The `.meta` file holds the graph, so restoring needs none of the notebook's code:
`tf.train.import_meta_graph` rebuilds the graph, `Saver.restore` loads the weights, and the
tensors the notebook named, `images` and `probabilities`, are looked up by name.
"""

from pathlib import Path

import numpy as np
import tensorflow.compat.v1 as tf

from . import device, paths

#: The trained networks of the series: checkpoint name -> short label.
NETWORKS = {
    "01_softmax": "1 layer, softmax",
    "02_sigmoid_hidden25": "25 sigmoid",
    "03_five_layers_sigmoid": "5 sigmoid layers",
    "04_relu_hidden300": "300 ReLU",
}


class CheckpointMissing(FileNotFoundError):
    """A notebook's trained model has not been saved yet."""


class Classifier:
    """A trained network, restored from its checkpoint, that reads 28x28 digits."""

    def __init__(self, run_name):
        self.name = run_name
        self.label = NETWORKS.get(run_name, run_name)
        prefix = paths.checkpoint_prefix(run_name)
        if not Path(f"{prefix}.index").exists() or not Path(f"{prefix}.meta").exists():
            raise CheckpointMissing(
                f"No trained model for {run_name} in {prefix.parent}: run notebook "
                f"{run_name[:2]} ({run_name}.ipynb) first.")
        self.graph = tf.Graph()
        with self.graph.as_default():
            saver = tf.train.import_meta_graph(f"{prefix}.meta")
            self.session = tf.Session(graph=self.graph, config=device.session_config())
            saver.restore(self.session, str(prefix))
        self._images = self.graph.get_tensor_by_name("images:0")
        self._probabilities = self.graph.get_tensor_by_name("probabilities:0")

    def probabilities(self, images):
        """[N, 10] probabilities for images given as rows of 784 values or 28x28 arrays in [0, 1]."""
        images = np.asarray(images, dtype=np.float32).reshape(-1, 784)
        return self.session.run(self._probabilities, feed_dict={self._images: images})

    def predict(self, images):
        """The most probable digit for each image."""
        return self.probabilities(images).argmax(axis=1)

    def accuracy(self, images, labels):
        """The fraction of `images` read as their integer `labels`."""
        return float(np.mean(self.predict(images) == np.asarray(labels)))

    def variable(self, name):
        """The trained value of the variable the notebook named `name` (for example "W1")."""
        return self.session.run(self.graph.get_tensor_by_name(f"{name}:0"))


def restore_all(names=tuple(NETWORKS)):
    """{name: Classifier} for every network that has been trained, and {name: message} for the rest."""
    restored, missing = {}, {}
    for name in names:
        try:
            restored[name] = Classifier(name)
        except CheckpointMissing as error:
            missing[name] = str(error)
    return restored, missing
