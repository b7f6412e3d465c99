"""TensorBoard logs of a training run, written the TensorFlow 1.x way: `tf.summary` ops and
`tf.summary.FileWriter`.

In TensorFlow 1.x, logs are written by graph operations too. `tf.summary.scalar("accuracy",
accuracy)` turns a number into a summary, `tf.summary.histogram` a whole tensor (the weights), and
`tf.summary.merge` bundles several, so that one `session.run` computes them all. Its result, a
serialised protocol buffer, goes to `tf.summary.FileWriter(folder, graph).add_summary(summary,
step)`, which appends it to an event file in `folder`; TensorBoard reads those files. The first
writer also records the graph, which TensorBoard draws.

Each execution of a notebook logs into a folder of its own, `runs/tensorboard/<notebook>/<time>/`
with `train/` and `validation/` inside, so that a tweak-and-re-run shows up in TensorBoard as a second
pair of curves beside the first. Every notebook uses `SummaryLogger`, which does all of the above;
notebook 1's exercise 7 writes it by hand.
"""

import itertools
import time
import weakref
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import tensorflow.compat.v1 as tf

from . import paths

#: Seconds between the writers' flushes to disk: TensorBoard shows a run almost as it happens.
FLUSH_SECONDS = 2
#: How many times in a run `SummaryLogger` writes the weights' histograms. They cost far more than
#: the curves (`make bench`: 12 ms for notebook 4's 235,200 weights, against 1 ms for the curves),
#: so writing them at every evaluation would slow training by over 5%.
HISTOGRAMS_PER_RUN = 6

#: The summary ops already built in each graph, by the tensors they summarise: a second
#: `SummaryLogger` for the same model (notebook 7 trains twice) reuses them, so that both runs'
#: curves carry the same tags (`summaries/accuracy`, not `summaries_1/accuracy`) and TensorBoard
#: draws them on the same chart.
_BUILT = weakref.WeakKeyDictionary()


def _summary_ops(accuracy, cross_entropy, weights):
    """(scalar summaries, scalar and histogram summaries) of these tensors, built once per graph."""
    built = _BUILT.setdefault(accuracy.graph, {})
    key = (accuracy.name, cross_entropy.name) + tuple(variable.name for variable in weights)
    if key not in built:
        with accuracy.graph.as_default(), tf.name_scope("summaries"):
            scalars = [tf.summary.scalar("accuracy", accuracy), tf.summary.scalar("cross_entropy", cross_entropy)]
            histograms = [tf.summary.histogram(variable.op.name.replace("/", "_"), variable) for variable in weights]
            built[key] = tf.summary.merge(scalars), tf.summary.merge(scalars + histograms)
    return built[key]


def run_folder(notebook: str, label: str | None = None) -> Path:
    """A new, empty `runs/tensorboard/<notebook>/<date>_<time>/` for this execution's logs, or
    `<date>_<time>_<label>/` for a notebook that trains more than one run (notebook 7). When another run
    took that name in the same second, `..._2/`, `..._3/`, and so on: the folder is made, not checked
    first, so that two runs started at once never both take one name."""
    root = paths.output_dir() / "runs" / "tensorboard" / notebook
    root.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y-%m-%d_%H-%M-%S") + (f"_{label}" if label else "")
    for count in itertools.count(1):
        folder = root / (stamp if count == 1 else f"{stamp}_{count}")
        try:
            folder.mkdir()
        except FileExistsError:
            continue
        return folder


class SummaryLogger:
    """Train and validation curves, and histograms of the weights, for TensorBoard.

    Builds, under the name scope `summaries`, a scalar summary of `accuracy` and `cross_entropy`
    and a histogram of each variable in `weights`; opens a writer for the training batches (which
    also records the graph) and one for the validation set. Create it with the rest of the graph, before
    a session runs anything. At each evaluation, `evaluate()` writes the curves of the batch and of
    the validation set, and returns the validation accuracy and cross-entropy from the same `session.run`; at
    HISTOGRAMS_PER_RUN of the evaluations, spread over the `training_steps`, the histograms too.
    A `label` ends the run folder's name, to tell apart the runs of one execution in TensorBoard;
    a second logger of the same tensors in the same graph reuses the first one's summary ops, so
    its curves carry the same tags.
    """

    def __init__(
        self,
        notebook: str,
        accuracy: tf.Tensor,
        cross_entropy: tf.Tensor,
        weights: Sequence[tf.Variable],
        training_steps: int,
        label: str | None = None,
    ) -> None:
        self.scalar_summaries, self.all_summaries = _summary_ops(accuracy, cross_entropy, weights)
        self.accuracy, self.cross_entropy = accuracy, cross_entropy
        self.training_steps = training_steps
        self._next_histograms = 0
        self.folder = run_folder(notebook, label)
        self.train_writer = tf.summary.FileWriter(str(self.folder / "train"), accuracy.graph, flush_secs=FLUSH_SECONDS)
        self.validation_writer = tf.summary.FileWriter(str(self.folder / "validation"), flush_secs=FLUSH_SECONDS)

    def evaluate(
        self,
        session: tf.Session,
        step: int,
        train_data: Mapping[tf.Tensor, Any],
        validation_data: Mapping[tf.Tensor, Any],
    ) -> tuple[np.floating, np.floating]:
        """Log the batch `train_data` and the validation set after `step`; return (validation accuracy,
        validation cross-entropy)."""
        with_histograms = step >= self._next_histograms or step == self.training_steps
        if with_histograms:
            self._next_histograms = step + self.training_steps / (HISTOGRAMS_PER_RUN - 1)
        train_summaries = self.all_summaries if with_histograms else self.scalar_summaries
        self.train_writer.add_summary(session.run(train_summaries, feed_dict=train_data), step)
        summary, accuracy, cross_entropy = session.run(
            [self.scalar_summaries, self.accuracy, self.cross_entropy], feed_dict=validation_data
        )
        self.validation_writer.add_summary(summary, step)
        return accuracy, cross_entropy

    def close(self) -> None:
        """Write what is left to disk."""
        self.train_writer.close()
        self.validation_writer.close()
