"""The live view of a training run: a progress line, and a figure of the curves redrawn while it is affordable.

`TrainingMonitor` hands the view what to show at every validation evaluation and at the end; the view
decides what is worth drawing, and measures what showing it cost::

    view = LiveView(redraw_seconds=2.0)
    view.show(Progress(step, total, seconds, train_accuracy, validation_accuracy, validation_cross_entropy), curves)
    ...
    view.finish(final_progress)                    # a run that finished: the live figure is cleared
    view.show(final_progress, curves, final=True)  # a run that failed: its final picture stays

`curves` is anything `plotting.draw_curves` can draw (`plotting.Curves`: the monitor itself). A
finished run's live figure is cleared because `plotting.plot_training_curves` draws the run once it
is over, the test score included; a saved notebook would otherwise show the same curves twice. A run
that diverged or failed keeps its final picture: nothing else will draw it. The clock and the
display can be replaced, so that a test can run a 20 s training run in no time.
"""

import html
import math
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .plotting.curves import Curves, draw_curves, smoothing_window
from .plotting.page import MAX_WIDTH, new_figure

#: The live figure is redrawn only while all its redraws so far, and the next one, stay within
#: this share of the training time: each redraw of a 20,000-step figure costs 0.3-0.9 s (drawing
#: and encoding the PNG), which would otherwise slow a short run down by a quarter.
LIVE_FIGURE_SHARE = 0.04
#: What the first redraw is assumed to cost, before one has been timed (the first is the
#: slowest: `make bench` found 0.2 s too hopeful, as notebook 01's one redraw took 9% of its run).
FIRST_REDRAW_GUESS = 0.6

#: Shows an object and returns a handle whose `.update(obj)` replaces it, as IPython's
#: `display(obj, display_id=True)` does.
Display = Callable[..., Any]


class Progress:
    """A progress bar with the latest figures, as HTML in Jupyter and as text elsewhere.

    `train_accuracy` is every training batch's accuracy so far; the line shows the mean of the last
    few, over the same window as the moving average of the curve. The validation figures are the latest
    evaluation's, or None before the first one.
    """

    def __init__(
        self,
        step: int,
        total: int,
        seconds: float,
        train_accuracy: Sequence[float],
        validation_accuracy: float | None = None,
        validation_cross_entropy: float | None = None,
    ):
        self.done = step
        self.total = total
        self.seconds = seconds
        self.window = smoothing_window(step)
        recent = np.asarray(train_accuracy)[-self.window :]
        self.train_accuracy = float(np.mean(recent)) if len(recent) else None
        self.validation_accuracy = validation_accuracy
        self.validation_cross_entropy = validation_cross_entropy

    def lines(self) -> tuple[str, str]:
        """The head (step and time) and the line of figures."""
        head = f"step {self.done:,}/{self.total:,} · {self.seconds:.1f} s"
        figures = []
        if self.train_accuracy is not None:
            figures.append(f"train accuracy {self.train_accuracy:.3f} (mean of last {self.window} batches)")
        if self.validation_accuracy is not None:
            figures.append(
                f"validation accuracy {self.validation_accuracy:.4f}, cross-entropy {self.validation_cross_entropy:.4f}"
            )
        return head, " · ".join(figures)

    def __repr__(self) -> str:
        return " · ".join(part for part in self.lines() if part)

    def _repr_html_(self) -> str:
        head, figures = (html.escape(part) for part in self.lines())
        return (
            f'<div style="font-family:monospace;font-size:12px;line-height:1.5">'
            f'<progress value="{self.done}" max="{self.total}" style="width:200px;vertical-align:middle">'
            f"</progress> {head}<br>{figures}</div>"
        )


class LiveView:
    """Shows a run's progress while it trains, and accounts for what showing it costs.

    With a display (by default IPython's, when running in IPython) it updates a progress line at
    every `show`, and redraws a figure of the curves at most every `redraw_seconds`, and only while
    its redraws, the next one included, stay within `LIVE_FIGURE_SHARE` of the training time so
    far; `show(..., final=True)` always draws the final picture (a run that failed), and `finish`
    clears the figure (a run that finished, which `plotting.plot_training_curves` draws). Without a
    display it prints the progress line as text, at most every `redraw_seconds`, and at the end.

    `clock` returns seconds, as `time.perf_counter` does; `display(obj, display_id=True)` shows `obj`
    and returns a handle whose `.update(obj)` replaces it, as IPython's `display` does.
    """

    def __init__(
        self,
        redraw_seconds: float = 2.0,
        clock: Callable[[], float] = time.perf_counter,
        display: Display | None = None,
    ):
        self.redraw_seconds = redraw_seconds
        self._clock = clock
        self._display = display if display is not None else _notebook_display()
        #: Time spent redrawing the figure while training ran (the final picture not counted).
        self.live_redraw_seconds = 0.0
        #: Time spent in `show` while training ran: the progress line and the live redraws.
        self.display_seconds = 0.0
        self._last_redraw = -math.inf
        self._redraw_cost = FIRST_REDRAW_GUESS  # the last redraw's, once one was timed
        self._status = None  # display handles, created at first use
        self._plot = None
        self._figure = None
        self._axes = None

    def show(self, progress: Progress, curves: Curves, final: bool = False) -> None:
        """Update the progress line; redraw the figure of `curves` if it is due and affordable, or at the end.

        The training time so far, which the redraws must stay a small share of, is `progress.seconds`.
        """
        entered = self._clock()
        due = entered - self._last_redraw >= self.redraw_seconds
        if self._display is None:
            if due or final:
                self._last_redraw = entered
                print(progress)
        else:
            if self._status is None:
                self._status = self._display(progress, display_id=True)
            else:
                self._status.update(progress)
            affordable = self.live_redraw_seconds + self._redraw_cost <= LIVE_FIGURE_SHARE * progress.seconds
            if final or (due and affordable):
                started = self._clock()
                self._draw_figure(curves)
                cost = self._clock() - started
                if not final:
                    self._redraw_cost = cost
                    self.live_redraw_seconds += cost
                self._last_redraw = self._clock()
        if not final:  # the final picture is not training time
            self.display_seconds += self._clock() - entered

    def finish(self, progress: Progress) -> None:
        """The run finished: update the progress line (or print it), and clear the live figure, which
        `plotting.plot_training_curves` replaces. Not counted as training time."""
        if self._display is None:
            print(progress)
            return
        if self._status is None:
            self._status = self._display(progress, display_id=True)
        else:
            self._status.update(progress)
        if self._plot is not None:
            self._plot.update(Cleared())
            self._figure = self._axes = None

    def _draw_figure(self, curves):
        if self._figure is None:
            self._figure = new_figure(figsize=(MAX_WIDTH, 3.4))
            self._axes = self._figure.subplots(1, 2)
        for ax in self._axes:
            ax.clear()
        draw_curves(self._axes[0], self._axes[1], curves)
        if self._plot is None:
            self._plot = self._display(self._figure, display_id=True)
        else:
            self._plot.update(self._figure)


class Cleared:
    """What replaces a finished run's live figure: an empty output (Jupyter shows nothing)."""

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/plain": ""}

    def __repr__(self) -> str:
        return ""


def _notebook_display():
    """IPython's `display` when running in IPython (Jupyter, or an IPython shell), else None."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    if get_ipython() is None:
        return None
    from IPython.display import display

    return display
