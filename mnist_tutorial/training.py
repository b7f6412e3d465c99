"""A training monitor: records the curves, shows progress live, and stops a run that has failed.

The training loop stays in the notebook; it hands the monitor what each `session.run` already
returned, so watching costs no extra TensorFlow work::

    monitor = TrainingMonitor(training_steps)
    for step in range(1, training_steps + 1):
        ...
        _, acc, ce = session.run([train_step, accuracy, cross_entropy], feed_dict=batch)
        monitor.record_train(step, acc, ce)
        if step % evaluation_interval == 0 or step == training_steps:
            monitor.record_test(step, *session.run([accuracy, cross_entropy], feed_dict=test))
    monitor.finish()
"""

import html
import math
import time

import numpy as np

from . import plotting

#: Below this final test accuracy a 10-class network has learned next to nothing (chance is 0.10).
GUESSING_ACCURACY = 0.2


class TrainingDiverged(RuntimeError):
    """The cross-entropy became NaN or infinite: the weights can no longer be trusted."""


class LearningFailed(RuntimeError):
    """Training ran to the end but the network is no better than guessing."""


class TrainingMonitor:
    """Collects train and test accuracy and cross-entropy, and draws them while training runs.

    In Jupyter it shows a progress bar and a live plot, redrawn at most every
    `redraw_seconds`, whose last picture stays in the saved notebook. Elsewhere it prints a
    line at each test evaluation.
    """

    def __init__(self, training_steps, redraw_seconds=2.0, live=True):
        if training_steps < 1:
            raise ValueError(f"training_steps must be at least 1, not {training_steps}.")
        self.training_steps = training_steps
        self.redraw_seconds = redraw_seconds
        self._train = np.full((training_steps, 2), np.nan)
        self._test = []
        self._last_step = 0
        self._started = time.perf_counter()
        self._finished = None
        self._last_redraw = -math.inf
        self._figure = None
        self._live = live
        self._handles = None  # created at the first redraw

    # What the training loop reports --------------------------------------------------------

    def record_train(self, step, accuracy, cross_entropy):
        """The accuracy and cross-entropy of the batch the training step `step` just used."""
        self._check_finite(step, cross_entropy, "training batch")
        self._train[step - 1] = accuracy, cross_entropy
        self._last_step = step

    def record_test(self, step, accuracy, cross_entropy):
        """The accuracy and cross-entropy on the test set after step `step`."""
        self._check_finite(step, cross_entropy, "test set")
        self._test.append((step, float(accuracy), float(cross_entropy)))
        if time.perf_counter() - self._last_redraw >= self.redraw_seconds:
            self._show()

    def finish(self):
        """Stop the clock, draw the final state, and fail loudly if nothing was learned."""
        self._finished = time.perf_counter()
        self._show()
        if self._test and self.test_accuracy[-1] < GUESSING_ACCURACY:
            raise LearningFailed(
                f"The final test accuracy is {self.test_accuracy[-1]:.4f}: no better than guessing "
                f"one digit in ten. The network has not learned; check the learning rate (too small "
                f"to move the weights, or so large that they saturate) and the initial weights.")
        return self

    # The record ------------------------------------------------------------------------------

    @property
    def steps(self):
        return np.arange(1, self._last_step + 1)

    @property
    def train_accuracy(self):
        return self._train[:self._last_step, 0]

    @property
    def train_cross_entropy(self):
        return self._train[:self._last_step, 1]

    @property
    def test_steps(self):
        return np.array([t[0] for t in self._test], dtype=int)

    @property
    def test_accuracy(self):
        return np.array([t[1] for t in self._test])

    @property
    def test_cross_entropy(self):
        return np.array([t[2] for t in self._test])

    @property
    def train_seconds(self):
        """Wall time from the monitor's creation to `finish()` (or to now, while training)."""
        return (self._finished or time.perf_counter()) - self._started

    # Internals ---------------------------------------------------------------------------------

    def _check_finite(self, step, cross_entropy, where):
        if not math.isfinite(cross_entropy):
            self._finished = time.perf_counter()
            self._show()
            raise TrainingDiverged(
                f"Training stopped at step {step}: the cross-entropy on the {where} is "
                f"{cross_entropy}. Once it is NaN or infinite the weights are no longer numbers "
                f"worth keeping. Usual causes: a learning rate too large for this loss (weights "
                f"blow up), or log(0) in a hand-written cross-entropy (use "
                f"tf.nn.softmax_cross_entropy_with_logits_v2). Lower learning_rate and re-run.")

    def _show(self):
        self._last_redraw = time.perf_counter()
        status = _Progress(self)
        if not self._live:
            return
        if not _in_ipython():
            print(status)
            return
        if self._figure is None:
            self._figure = plotting.new_figure(figsize=(12, 3.6))
            self._axes = self._figure.subplots(1, 2)
        for ax in self._axes:
            ax.clear()
        plotting.draw_curves(self._axes[0], self._axes[1], self)
        if self._handles is None:
            from IPython.display import display
            self._handles = (display(status, display_id=True), display(self._figure, display_id=True))
        else:
            self._handles[0].update(status)
            self._handles[1].update(self._figure)


class _Progress:
    """A progress bar with the latest figures, as HTML in Jupyter and as text elsewhere."""

    def __init__(self, monitor):
        self.done = monitor._last_step
        self.total = monitor.training_steps
        self.seconds = monitor.train_seconds
        self.test = monitor._test[-1] if monitor._test else None
        recent = monitor.train_accuracy[-100:]
        self.train_accuracy = float(np.mean(recent)) if len(recent) else None

    def _parts(self):
        parts = [f"step {self.done:,}/{self.total:,}", f"{self.seconds:.1f} s"]
        if self.train_accuracy is not None:
            parts.append(f"train accuracy {self.train_accuracy:.3f} (last 100 batches)")
        if self.test:
            parts.append(f"test accuracy {self.test[1]:.4f}, cross-entropy {self.test[2]:.4f}")
        return parts

    def __repr__(self):
        return " | ".join(self._parts())

    def _repr_html_(self):
        return (f'<progress value="{self.done}" max="{self.total}" style="width:40%"></progress> '
                f'<span style="font-family:monospace">{html.escape(" | ".join(self._parts()))}</span>')


def _in_ipython():
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    return get_ipython() is not None
