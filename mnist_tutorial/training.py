"""A training monitor: records the curves, shows progress live, and stops a run that has failed.

The training loop stays in the notebook; it hands the monitor what each `session.run` already
returned, so watching costs no extra TensorFlow work::

    monitor = TrainingMonitor(training_steps)
    for step in range(1, training_steps + 1):
        ...
        _, acc, ce = session.run([train_step, accuracy, cross_entropy], feed_dict=batch)
        monitor.record_train(step, acc, ce)
        if step % evaluation_interval == 0 or step == training_steps:
            monitor.record_validation(step, *session.run([accuracy, cross_entropy], feed_dict=validation))
    monitor.finish()
    monitor.record_test(*session.run([accuracy, cross_entropy], feed_dict=test))

While training, the run is watched (and judged, and stopped early, and compared with other runs) on
the validation set only. The test set is scored once, after `finish()`: a second `record_test`
is refused, so a notebook cannot quietly choose between runs by their test scores.

The progress line and the live figure are `live_view.LiveView`'s job; the monitor keeps the record,
judges the run, and measures what its validation evaluations cost.
"""

import math
import numbers
import time
from collections.abc import Callable

import numpy as np

from .live_view import Display, LiveView, Progress

#: Below this final validation accuracy a 10-class network has learned next to nothing (chance is 0.10).
GUESSING_ACCURACY = 0.2
#: A mean cross-entropy per image above this is no longer a network learning, however badly it
#: started. Guessing costs ln(10) = 2.3; notebook 4's net with init_stddev = 1.0 starts near 560
#: and still learns; a learning rate of 1e35 reaches 1e34 within two steps.
MAX_PLAUSIBLE_CROSS_ENTROPY = 10000.0


class TrainingDiverged(RuntimeError):
    """The cross-entropy became NaN, infinite or implausibly large: the weights can no longer be trusted."""


class LearningFailed(RuntimeError):
    """Training ran to the end but the network is no better than guessing."""


class RunNotFinished(RuntimeError):
    """Something asked for the result of a run that diverged, failed, or has not finished."""


class TestSetAlreadyScored(RuntimeError):
    """The test set was scored a second time in one run: it is measured once, at the end."""


class TrainingMonitor:
    """Collects train and validation accuracy and cross-entropy, shows them while training runs,
    and keeps the one test score of the finished run.

    In Jupyter it shows a progress line, updated at every validation evaluation, and a live plot,
    redrawn at most every `redraw_seconds` and only while redrawing costs at most
    `live_view.LIVE_FIGURE_SHARE` of the training time. When the run finishes, the live plot is
    cleared and the progress line stays: draw the run, its test score included, with
    `plotting.plot_training_curves(monitor)` (the saved notebook then shows the curves once). A run
    that diverges or fails keeps its live plot's final picture. Elsewhere it prints the progress line
    at most every `redraw_seconds`, and at the end.
    `live=False` shows nothing. `clock` (seconds) and `display` (see `LiveView`) are for tests.
    """

    def __init__(
        self,
        training_steps: int,
        redraw_seconds: float = 2.0,
        live: bool = True,
        max_cross_entropy: float = MAX_PLAUSIBLE_CROSS_ENTROPY,
        *,
        clock: Callable[[], float] = time.perf_counter,
        display: Display | None = None,
    ):
        if isinstance(training_steps, bool) or not isinstance(training_steps, numbers.Integral) or training_steps < 1:
            raise ValueError(f"training_steps must be a whole number of at least 1, not {training_steps!r}.")
        self.training_steps = int(training_steps)
        self.max_cross_entropy = max_cross_entropy
        self.outcome = "training"  # then "finished", "diverged" or "failed"
        self.outcome_reason = None  # for "diverged" and "failed": what went wrong, in one sentence
        self._clock = clock
        self._view = LiveView(redraw_seconds, clock=clock, display=display) if live else None
        self._train = np.full((training_steps, 2), np.nan)
        self._validation = []  # (step, accuracy, cross-entropy) of each validation evaluation
        self._test = None  # (accuracy, cross-entropy) on the test set, scored once after finish()
        self._last_step = 0
        self._started = clock()
        self._finished = None
        self._last_train_record = None  # when record_train last returned
        self._evaluation_total = 0.0

    # What the training loop reports --------------------------------------------------------

    def record_train(self, step: int, accuracy: float, cross_entropy: float) -> None:
        """The accuracy and cross-entropy of the batch the training step `step` just used."""
        self._check_plausible(step, cross_entropy, "training batch")
        self._train[step - 1] = accuracy, cross_entropy
        self._last_step = step
        self._last_train_record = self._clock()

    def record_validation(self, step: int, accuracy: float, cross_entropy: float) -> None:
        """The accuracy and cross-entropy on the validation set after step `step`."""
        if step == self._last_step and self._last_train_record is not None:
            self._evaluation_total += self._clock() - self._last_train_record
        self._check_plausible(step, cross_entropy, "validation set")
        self._validation.append((step, float(accuracy), float(cross_entropy)))
        self._show()

    def finish(self) -> "TrainingMonitor":
        """Stop the clock and fail loudly if nothing was learned (the live figure then shows the final state);
        a run that learned clears its live figure, which `plotting.plot_training_curves(monitor)` replaces."""
        self._finished = self._clock()
        if not self._validation:
            self._fail(
                "failed",
                LearningFailed,
                "The run was never measured on the validation set: call record_validation() at "
                "least once, after the last step, before finish()",
            )
        if self.validation_accuracy[-1] < GUESSING_ACCURACY:
            self._fail(
                "failed",
                LearningFailed,
                f"The final validation accuracy is {self.validation_accuracy[-1]:.4f}: no better than "
                f"guessing one digit in ten",
                "The network has not learned; check the learning rate (too small to move the weights, "
                "or so large that they saturate) and the initial weights.",
            )
        self.outcome = "finished"
        if self._view is not None:
            self._view.finish(self.progress())
        return self

    def record_test(self, accuracy: float, cross_entropy: float) -> None:
        """The accuracy and cross-entropy on the test set of the finished run: once, after `finish()`."""
        if self._test is not None:
            raise TestSetAlreadyScored(
                f"The test set was already scored for this run ({self._test[0]:.4f}). It is scored once, "
                f"after training; compare runs and make choices on the validation set (record_validation), "
                f"and re-run the training cell for a new run."
            )
        if self.outcome != "finished":
            raise RunNotFinished(
                "Score the test set after monitor.finish(), once training has finished and learned; while "
                "training, measure the validation set with record_validation()."
            )
        self._test = (float(accuracy), float(cross_entropy))

    def require_finished(self) -> None:
        """Raise RunNotFinished unless training ran to the end and learned: saving needs that."""
        if self.outcome == "finished":
            return
        if self.outcome == "training":
            reason = (
                f"training stopped at step {self._last_step:,} of {self.training_steps:,} "
                f"before finish() was called (interrupted, or an error in the loop)"
            )
        else:
            reason = f"training {self.outcome}: {self.outcome_reason}"
        raise RunNotFinished(
            f"Nothing was saved, because {reason}. A checkpoint or record of this run would pass "
            f"for a trained network in later notebooks. Run the training cell to the end first."
        )

    def progress(self) -> Progress:
        """The progress line of the run so far: the step, the time, the latest accuracies."""
        _, accuracy, cross_entropy = self._validation[-1] if self._validation else (None, None, None)
        return Progress(
            self._last_step, self.training_steps, self.train_seconds, self.train_accuracy, accuracy, cross_entropy
        )

    # The record ------------------------------------------------------------------------------

    @property
    def steps(self) -> np.ndarray:
        """The training steps recorded so far: 1, 2, ..."""
        return np.arange(1, self._last_step + 1)

    @property
    def train_accuracy(self) -> np.ndarray:
        """Each training batch's accuracy, one per step."""
        return self._train[: self._last_step, 0]

    @property
    def train_cross_entropy(self) -> np.ndarray:
        """Each training batch's cross-entropy, one per step."""
        return self._train[: self._last_step, 1]

    @property
    def validation_steps(self) -> np.ndarray:
        """The steps after which the validation set was measured."""
        return np.array([v[0] for v in self._validation], dtype=int)

    @property
    def validation_accuracy(self) -> np.ndarray:
        """The validation accuracy at each of `validation_steps`."""
        return np.array([v[1] for v in self._validation])

    @property
    def validation_cross_entropy(self) -> np.ndarray:
        """The validation cross-entropy at each of `validation_steps`."""
        return np.array([v[2] for v in self._validation])

    @property
    def final_validation_accuracy(self) -> float:
        """The validation accuracy at the end of a finished run (RunNotFinished otherwise)."""
        self.require_finished()
        return float(self.validation_accuracy[-1])

    @property
    def test_scored(self) -> bool:
        """Whether the finished run's test set has been scored (`record_test`)."""
        return self._test is not None

    @property
    def final_test_accuracy(self) -> float:
        """The test accuracy of the finished run, scored once after training (RunNotFinished otherwise)."""
        self.require_finished()
        if self._test is None:
            raise RunNotFinished(
                "The test set has not been scored yet: after monitor.finish(), call "
                "monitor.record_test(*session.run([accuracy, cross_entropy], feed_dict=test_data))."
            )
        return self._test[0]

    @property
    def final_test_cross_entropy(self) -> float:
        """The test cross-entropy of the finished run (RunNotFinished before `record_test`)."""
        self.final_test_accuracy  # noqa: B018 (raises when not scored)
        return self._test[1]

    @property
    def train_seconds(self) -> float:
        """Wall time from the monitor's creation to `finish()` (or to now, while training)."""
        return (self._finished if self._finished is not None else self._clock()) - self._started

    @property
    def live_redraw_seconds(self) -> float:
        """Time spent drawing the live figure while training ran (its final picture not counted)."""
        return self._view.live_redraw_seconds if self._view is not None else 0.0

    @property
    def evaluation_seconds(self) -> float:
        """Time the loop spent between each evaluated step's `record_train` and its `record_validation`:
        the validation evaluations, and what the loop does with them (such as writing summaries)."""
        return self._evaluation_total

    @property
    def display_seconds(self) -> float:
        """Time `record_validation` spent showing progress: the progress line and the live redraws."""
        return self._view.display_seconds if self._view is not None else 0.0

    # Internals ---------------------------------------------------------------------------------

    def _check_plausible(self, step, cross_entropy, where):
        if math.isfinite(cross_entropy) and cross_entropy <= self.max_cross_entropy:
            return
        self._finished = self._clock()
        stopped = f"Training stopped at step {step}: the cross-entropy on the {where} is"
        if math.isfinite(cross_entropy):
            reason = (
                f"{stopped} {cross_entropy:.3g}, far beyond anything a learning network reaches (guessing "
                f"costs 2.3; the monitor stops above {self.max_cross_entropy:g}): the weights have blown up"
            )
            explanation = ""
        else:
            reason = f"{stopped} {cross_entropy}"
            explanation = "Once it is NaN or infinite the weights are no longer numbers worth keeping. "
        self._fail(
            "diverged",
            TrainingDiverged,
            reason,
            f"{explanation}Usual causes: a learning rate too large for this loss (weights blow up), "
            f"or log(0) in a hand-written cross-entropy (use tf.nn.softmax_cross_entropy_with_logits_v2). "
            f"Nothing was saved. Lower learning_rate and re-run.",
        )

    def _fail(self, outcome, error_type, reason, advice=""):
        """Record the outcome and its reason (one sentence, no full stop), show the run's final state (its
        live figure stays: nothing else will draw it), and raise `error_type` with the reason followed by
        `advice`."""
        self.outcome, self.outcome_reason = outcome, reason
        self._show(final=True)
        raise error_type(f"{reason}. {advice}".rstrip())

    def _show(self, final=False):
        if self._view is not None:
            self._view.show(self.progress(), self, final=final)
