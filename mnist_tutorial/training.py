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
import numbers
import time

import numpy as np

from . import plotting

#: Below this final test accuracy a 10-class network has learned next to nothing (chance is 0.10).
GUESSING_ACCURACY = 0.2
#: A mean cross-entropy per image above this is no longer a network learning, however badly it
#: started. Guessing costs ln(10) = 2.3; notebook 4's net with init_stddev = 1.0 starts near 560
#: and still learns; a learning rate of 1e35 reaches 1e34 within two steps.
MAX_PLAUSIBLE_CROSS_ENTROPY = 10000.0
#: The live figure is redrawn only while all its redraws so far, and the next one, stay within
#: this share of the training time: each redraw of a 20,000-step figure costs 0.3-0.9 s (drawing
#: and encoding the PNG), which would otherwise slow a short run down by a quarter.
LIVE_FIGURE_SHARE = 0.04
#: What the first redraw is assumed to cost, before one has been timed (the first is the
#: slowest: `make bench` found 0.2 s too hopeful, as notebook 01's one redraw took 9% of its run).
FIRST_REDRAW_GUESS = 0.6


class TrainingDiverged(RuntimeError):
    """The cross-entropy became NaN, infinite or implausibly large: the weights can no longer be trusted."""


class LearningFailed(RuntimeError):
    """Training ran to the end but the network is no better than guessing."""


class RunNotFinished(RuntimeError):
    """Something asked for the result of a run that diverged, failed, or has not finished."""


class TrainingMonitor:
    """Collects train and test accuracy and cross-entropy, and draws them while training runs.

    In Jupyter it shows a progress line, updated at every test evaluation, and a live plot,
    redrawn at most every `redraw_seconds` and only while redrawing costs at most
    `LIVE_FIGURE_SHARE` of the training time; the final picture stays in the saved notebook.
    Elsewhere it prints the progress line at most every `redraw_seconds`, and at the end.
    """

    def __init__(self, training_steps, redraw_seconds=2.0, live=True,
                 max_cross_entropy=MAX_PLAUSIBLE_CROSS_ENTROPY):
        if isinstance(training_steps, bool) or not isinstance(training_steps, numbers.Integral) \
                or training_steps < 1:
            raise ValueError(f"training_steps must be a whole number of at least 1, not {training_steps!r}.")
        self.training_steps = int(training_steps)
        self.max_cross_entropy = max_cross_entropy
        self.outcome = "training"  # then "finished", "diverged" or "failed"
        self.outcome_reason = None
        self.redraw_seconds = redraw_seconds
        self._train = np.full((training_steps, 2), np.nan)
        self._test = []
        self._last_step = 0
        self._started = time.perf_counter()
        self._finished = None
        self._last_redraw = -math.inf
        self._redraw_cost = FIRST_REDRAW_GUESS  # the last redraw's, once one was timed
        self._redraw_total = 0.0
        self._last_train_record = None  # when record_train last returned
        self._evaluation_total = 0.0
        self._display_total = 0.0
        self._figure = None
        self._live = live
        self._status = None  # display handles, created at first use
        self._plot = None

    # What the training loop reports --------------------------------------------------------

    def record_train(self, step, accuracy, cross_entropy):
        """The accuracy and cross-entropy of the batch the training step `step` just used."""
        self._check_plausible(step, cross_entropy, "training batch")
        self._train[step - 1] = accuracy, cross_entropy
        self._last_step = step
        self._last_train_record = time.perf_counter()

    def record_test(self, step, accuracy, cross_entropy):
        """The accuracy and cross-entropy on the test set after step `step`."""
        now = time.perf_counter()
        if step == self._last_step and self._last_train_record is not None:
            self._evaluation_total += now - self._last_train_record
        self._check_plausible(step, cross_entropy, "test set")
        self._test.append((step, float(accuracy), float(cross_entropy)))
        self._show()
        self._display_total += time.perf_counter() - now

    def finish(self):
        """Stop the clock, draw the final state, and fail loudly if nothing was learned."""
        self._finished = time.perf_counter()
        self._show(final=True)
        if not self._test:
            self._fail("failed", LearningFailed(
                "The run was never measured on the test set: call record_test() at least once, "
                "after the last step, before finish()."))
        if self.test_accuracy[-1] < GUESSING_ACCURACY:
            self._fail("failed", LearningFailed(
                f"The final test accuracy is {self.test_accuracy[-1]:.4f}: no better than guessing "
                f"one digit in ten. The network has not learned; check the learning rate (too small "
                f"to move the weights, or so large that they saturate) and the initial weights."))
        self.outcome = "finished"
        return self

    def require_finished(self):
        """Raise RunNotFinished unless training ran to the end and learned: saving needs that."""
        if self.outcome == "finished":
            return
        if self.outcome == "training":
            reason = (f"training stopped at step {self._last_step:,} of {self.training_steps:,} "
                      f"before finish() was called (interrupted, or an error in the loop)")
        else:
            reason = f"training {self.outcome}: {self.outcome_reason}"
        raise RunNotFinished(
            f"Nothing was saved, because {reason}. A checkpoint or record of this run would pass "
            f"for a trained network in later notebooks. Run the training cell to the end first.")

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
    def final_test_accuracy(self):
        """The test accuracy at the end of a finished run (RunNotFinished otherwise)."""
        self.require_finished()
        return float(self.test_accuracy[-1])

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

    @property
    def live_redraw_seconds(self):
        """Time spent drawing the live figure while training ran (its final picture not counted)."""
        return self._redraw_total

    @property
    def evaluation_seconds(self):
        """Time the loop spent between each evaluated step's `record_train` and its `record_test`:
        the test evaluations, and what the loop does with them (such as writing summaries)."""
        return self._evaluation_total

    @property
    def display_seconds(self):
        """Time `record_test` spent showing progress: the progress line and the live redraws."""
        return self._display_total

    # Internals ---------------------------------------------------------------------------------

    def _check_plausible(self, step, cross_entropy, where):
        if math.isfinite(cross_entropy) and cross_entropy <= self.max_cross_entropy:
            return
        self._finished = time.perf_counter()
        self._show(final=True)
        if math.isfinite(cross_entropy):
            what = (f"{cross_entropy:.3g}, far beyond anything a learning network reaches (guessing "
                    f"costs 2.3; the monitor stops above {self.max_cross_entropy:g}): the weights "
                    f"have blown up")
        else:
            what = (f"{cross_entropy}. Once it is NaN or infinite the weights are no longer numbers "
                    f"worth keeping")
        self._fail("diverged", TrainingDiverged(
            f"Training stopped at step {step}: the cross-entropy on the {where} is {what}. "
            f"Usual causes: a learning rate too large for this loss (weights blow up), or log(0) in "
            f"a hand-written cross-entropy (use tf.nn.softmax_cross_entropy_with_logits_v2). "
            f"Nothing was saved. Lower learning_rate and re-run."))

    def _fail(self, outcome, error):
        self.outcome, self.outcome_reason = outcome, str(error).split(". ")[0]
        raise error

    def _show(self, final=False):
        """Update the progress line; redraw the figure if it is due and affordable, or at the end."""
        if not self._live:
            return
        now = time.perf_counter()
        due = now - self._last_redraw >= self.redraw_seconds
        if not _in_ipython():
            if due or final:
                self._last_redraw = now
                print(_Progress(self))
            return
        if self._status is None:
            self._status = _display(_Progress(self))
        else:
            self._status.update(_Progress(self))
        affordable = (self._redraw_total + self._redraw_cost
                      <= LIVE_FIGURE_SHARE * (now - self._started))
        if final or (due and affordable):
            started = time.perf_counter()
            self._draw_figure()
            cost = time.perf_counter() - started
            if not final:
                self._redraw_cost = cost
                self._redraw_total += cost
            self._last_redraw = time.perf_counter()

    def _draw_figure(self):
        if self._figure is None:
            self._figure = plotting.new_figure(figsize=(12, 3.6))
            self._axes = self._figure.subplots(1, 2)
        for ax in self._axes:
            ax.clear()
        plotting.draw_curves(self._axes[0], self._axes[1], self)
        if self._plot is None:
            self._plot = _display(self._figure)
        else:
            self._plot.update(self._figure)


class _Progress:
    """A progress bar with the latest figures, as HTML in Jupyter and as text elsewhere."""

    def __init__(self, monitor):
        self.done = monitor._last_step
        self.total = monitor.training_steps
        self.seconds = monitor.train_seconds
        self.test = monitor._test[-1] if monitor._test else None
        self.window = plotting.smoothing_window(self.done)
        recent = monitor.train_accuracy[-self.window:]
        self.train_accuracy = float(np.mean(recent)) if len(recent) else None

    def _lines(self):
        head = f"step {self.done:,}/{self.total:,} · {self.seconds:.1f} s"
        figures = []
        if self.train_accuracy is not None:
            figures.append(f"train accuracy {self.train_accuracy:.3f} (mean of last {self.window} batches)")
        if self.test:
            figures.append(f"test accuracy {self.test[1]:.4f}, cross-entropy {self.test[2]:.4f}")
        return head, " · ".join(figures)

    def __repr__(self):
        return " · ".join(part for part in self._lines() if part)

    def _repr_html_(self):
        head, figures = (html.escape(part) for part in self._lines())
        return (f'<div style="font-family:monospace;font-size:12px;line-height:1.5">'
                f'<progress value="{self.done}" max="{self.total}" style="width:200px;vertical-align:middle">'
                f'</progress> {head}<br>{figures}</div>')


def _display(obj):
    """Show `obj` in the notebook and return a handle that can replace it later."""
    from IPython.display import display

    return display(obj, display_id=True)


def _in_ipython():
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    return get_ipython() is not None
