"""The training monitor and the plotting helpers, without TensorFlow."""

import io
import math

import numpy as np
import pytest
from figure_checks import assert_no_texts_overlap, check_figure, draw
from PIL import Image

from mnist_tutorial import live_view, plotting
from mnist_tutorial.live_view import Cleared, LiveView, Progress
from mnist_tutorial.plotting import display
from mnist_tutorial.training import (
    LearningFailed,
    RunNotFinished,
    TestSetAlreadyScored,
    TrainingDiverged,
    TrainingMonitor,
)


def _fill(monitor, steps, evaluation_interval, accuracy=0.9):
    for step in range(1, steps + 1):
        monitor.record_train(step, accuracy, 0.3)
        if step % evaluation_interval == 0:
            monitor.record_validation(step, accuracy, 0.35)


def test_records_train_and_validation_curves_and_one_test_score():
    monitor = TrainingMonitor(100, live=False)
    _fill(monitor, 100, 25)
    monitor.finish()
    monitor.record_test(0.88, 0.4)
    assert monitor.steps.tolist() == list(range(1, 101))
    assert monitor.train_accuracy.shape == (100,) and np.all(monitor.train_accuracy == 0.9)
    assert monitor.validation_steps.tolist() == [25, 50, 75, 100]
    assert monitor.validation_cross_entropy.tolist() == [0.35] * 4
    assert monitor.outcome == "finished" and monitor.final_validation_accuracy == pytest.approx(0.9)
    assert monitor.final_test_accuracy == pytest.approx(0.88) and monitor.final_test_cross_entropy == 0.4


def test_the_test_set_is_scored_once_after_training_and_never_during_it():
    monitor = TrainingMonitor(20, live=False)
    _fill(monitor, 10, 5)
    with pytest.raises(RunNotFinished, match="Score the test set after monitor.finish"):
        monitor.record_test(0.9, 0.3)  # during training: choices are made on the validation set
    _fill(monitor, 20, 5)
    monitor.finish()
    with pytest.raises(RunNotFinished, match="The test set has not been scored yet"):
        _ = monitor.final_test_accuracy
    monitor.record_test(0.91, 0.3)
    with pytest.raises(TestSetAlreadyScored, match=r"already scored for this run \(0.9100\)\. It is scored once"):
        monitor.record_test(0.95, 0.2)
    assert monitor.final_test_accuracy == pytest.approx(0.91), "the first score stands"


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_nan_or_infinite_cross_entropy_stops_training_with_the_reason(bad):
    monitor = TrainingMonitor(100, live=False)
    _fill(monitor, 10, 5)
    with pytest.raises(TrainingDiverged, match=f"at step 11: the cross-entropy on the training batch is {bad}"):
        monitor.record_train(11, 0.1, bad)
    with pytest.raises(TrainingDiverged, match="Lower learning_rate"):
        monitor.record_validation(12, 0.1, bad)
    assert len(monitor.steps) == 10, "the bad step is not recorded"


def test_finish_fails_loudly_when_nothing_was_learned():
    monitor = TrainingMonitor(50, live=False)
    _fill(monitor, 50, 10, accuracy=0.11)
    with pytest.raises(LearningFailed, match="0.1100: no better than guessing"):
        monitor.finish()


def test_prints_progress_outside_jupyter(capsys):
    monitor = TrainingMonitor(20, live=True, redraw_seconds=0)
    _fill(monitor, 20, 10)
    monitor.finish()
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("step 10/20") and "validation accuracy 0.9000" in lines[0]
    assert lines[-1].startswith("step 20/20")


@pytest.mark.parametrize("bad", [0, 2.5, "100", True])
def test_training_steps_must_be_a_positive_whole_number(bad):
    with pytest.raises(ValueError, match="training_steps must be a whole number of at least 1"):
        TrainingMonitor(bad)


def test_a_blown_up_cross_entropy_stops_training_even_before_nan():
    monitor = TrainingMonitor(100, live=False)
    _fill(monitor, 3, 5)
    with pytest.raises(TrainingDiverged, match=r"at step 4: the cross-entropy on the training batch is 1.6e\+34"):
        monitor.record_train(4, 0.1, 1.6e34)
    assert monitor.outcome == "diverged"


def test_a_large_but_plausible_cross_entropy_trains_on():
    monitor = TrainingMonitor(10, live=False)
    monitor.record_train(1, 0.1, 600.0)  # a badly scaled start: notebook 4 with init_stddev = 1.0
    _fill(monitor, 10, 5)
    monitor.finish()
    assert monitor.outcome == "finished"


@pytest.mark.parametrize("how", ["diverged", "failed", "interrupted"])
def test_a_run_that_did_not_finish_well_cannot_give_its_result(how):
    monitor = TrainingMonitor(50, live=False)
    _fill(monitor, 20, 10, accuracy=0.11 if how == "failed" else 0.9)
    if how == "diverged":
        with pytest.raises(TrainingDiverged):
            monitor.record_train(21, 0.1, math.nan)
    elif how == "failed":
        _fill(monitor, 50, 10, accuracy=0.11)
        with pytest.raises(LearningFailed):
            monitor.finish()
    expected = {
        "diverged": "training diverged: Training stopped at step 21",
        "failed": "training failed: The final validation accuracy is 0.1100",
        "interrupted": "training stopped at step 20 of 50 before finish",
    }[how]
    with pytest.raises(RunNotFinished, match=f"Nothing was saved, because {expected}"):
        _ = monitor.final_test_accuracy
    reason = {
        "diverged": "Training stopped at step 21: the cross-entropy on the training batch is nan",
        "failed": "The final validation accuracy is 0.1100: no better than guessing one digit in ten",
        "interrupted": None,
    }[how]
    assert monitor.outcome_reason == reason


def test_the_reason_a_run_failed_is_one_sentence():
    monitor = TrainingMonitor(100, live=False)
    _fill(monitor, 3, 5)
    with pytest.raises(TrainingDiverged):
        monitor.record_train(4, 0.1, 1.6e34)
    assert monitor.outcome_reason.endswith(
        "(guessing costs 2.3; the monitor stops above 10000): the weights have blown up"
    )
    never_measured = TrainingMonitor(5, live=False)
    for step in range(1, 6):
        never_measured.record_train(step, 0.9, 0.3)
    with pytest.raises(LearningFailed, match=r"before finish\(\)\.$"):
        never_measured.finish()
    with pytest.raises(RunNotFinished, match=r"before finish\(\)\. A checkpoint"):
        never_measured.require_finished()


def test_progress_line_averages_over_the_same_window_as_the_curve_in_every_notebook():
    """One smoothing rule for the series: the last 100 batches, whatever the run's length."""
    for steps in (1000, 3000, 20000):
        monitor = TrainingMonitor(steps, live=False)
        _fill(monitor, steps, 500)
        monitor.finish()
        progress = repr(monitor.progress())
        assert "train accuracy 0.900 (mean of last 100 batches)" in progress
        figure = plotting.plot_training_curves(monitor)
        legend = [text.get_text() for text in figure.legends[0].get_texts()]
        assert "training batches, mean of the last 100" in legend
    assert len(monitor.progress().lines()[1]) < 100, "one short line of figures: it must not wrap"


def test_progress_shows_what_it_is_given_as_text_and_as_html():
    accuracies = np.r_[np.zeros(2900), np.full(100, 0.9)]  # only the last 100 batches are averaged
    progress = Progress(3000, 20000, 12.34, accuracies, validation_accuracy=0.91, validation_cross_entropy=0.3)
    assert repr(progress) == (
        "step 3,000/20,000 · 12.3 s · train accuracy 0.900 (mean of last 100 batches) · "
        "validation accuracy 0.9100, cross-entropy 0.3000"
    )
    assert progress._repr_html_().startswith(
        '<div style="font-family:monospace;font-size:12px;line-height:1.5"><progress value="3000" max="20000" '
    )
    assert "12.3 s<br>train accuracy 0.900" in progress._repr_html_()
    assert repr(Progress(0, 10, 0.0, [])) == "step 0/10 · 0.0 s", "nothing measured yet: no figures"
    assert "train accuracy 0.500 (mean of last 2 batches)" in repr(Progress(2, 10, 0.1, [0.4, 0.6])), "all so far"


def test_training_curves_figure_shows_the_whole_run_and_zooms_on_the_trend_with_its_legend_off_the_data():
    """One figure for a finished run: the whole run, the zoom on the trend (the batches' moving average and the
    validation curve), not on the noisy batches, and the cross-entropy on a log scale; one legend, below the
    panels, and no two texts overlap."""
    rng = np.random.default_rng(1)
    monitor = TrainingMonitor(2000, live=False)
    for step in range(1, 2001):  # per-batch accuracy 0.90-1.00 around a trend that ends at 0.97
        trend = 0.97 - 0.2 * np.exp(-step / 300)
        monitor.record_train(step, min(1.0, trend + rng.uniform(-0.05, 0.03)), 0.1 + rng.uniform(0, 0.05))
        if step % 200 == 0:
            monitor.record_validation(step, trend - 0.01, 0.12)
    monitor.finish()
    monitor.record_test(0.955, 0.13)
    figure = plotting.plot_training_curves(monitor)
    whole, accuracy, cross_entropy = figure.axes
    assert whole.get_ylim() == pytest.approx((0.0, 1.015)) and cross_entropy.get_yscale() == "log"
    low, high = accuracy.get_ylim()
    late_batches = monitor.train_accuracy[1000:]
    assert (low, high) == pytest.approx((0.9, 0.97)), "the trend's end, and the validation points within 0.1 of it"
    assert late_batches.max() > high + 0.02, "not the batches' 1.00"
    assert monitor.validation_accuracy[0] < low, "the first steps of learning are the whole-run panel's"
    assert accuracy.get_title() == f"Accuracy, zoomed to {low:.2f}-{high:.2f}"
    assert [len(line.get_xdata()) for line in accuracy.lines] == [2000, 10, 1], "no line of the batches themselves"
    draw(figure)
    legend = figure.legends[0].get_window_extent()
    assert all(legend.y1 <= ax.get_window_extent().y0 for ax in figure.axes), "the legend is below the panels"
    assert "test set, scored once at the end: accuracy 0.9550, cross-entropy 0.1300" in [
        text.get_text() for text in figure.legends[0].get_texts()
    ]
    assert_no_texts_overlap(figure)


def test_weight_images_share_one_centred_scale_that_a_few_strong_weights_do_not_set():
    """Notebook 02's 25 units: most weights within about 0.5, a few near 2.4. A scale set by the largest
    washed most units out; the scale ends where all but the strongest 1% of the weights lie, and the colour
    bar's arrows say that some lie beyond."""
    weights = np.linspace(-2, 1, 784 * 3).reshape(784, 3)
    figure = plotting.plot_weight_images(weights)
    images = [ax.images[0] for ax in figure.axes if ax.images and ax.get_label() != "<colorbar>"]
    assert len(images) == 3
    (low, high), *others = {image.get_clim() for image in images}
    assert not others and low == -high and high == pytest.approx(1.97), "one scale, centred on 0"
    assert [ax.get_title() for ax in figure.axes if ax.images and ax.get_label() != "<colorbar>"] == ["0", "1", "2"]
    rng = np.random.default_rng(0)
    unit_weights = rng.normal(0, 0.15, (784, 25))
    unit_weights[rng.choice(784 * 25, 40, replace=False) // 25, rng.integers(0, 25, 40)] = 2.4
    figure = plotting.plot_weight_images(unit_weights, scale_label="change in weight")
    low, high = next(ax.images[0].get_clim() for ax in figure.axes if ax.images)
    assert high < 0.5 and low == -high, "the bulk of the weights sets the scale, not the 40 strong ones"
    bar = next(ax for ax in figure.axes if ax.get_label() == "<colorbar>")
    assert bar.get_ylabel() == "change in weight" and figure.axes[-1] is bar
    assert plotting.plot_weight_images(unit_weights, limit=3.0).axes[0].images[0].get_clim() == (-3.0, 3.0)
    with pytest.raises(ValueError, match=r"shape \[784, units\]"):
        plotting.plot_weight_images(np.zeros((10, 784)))


def test_confusion_matrix_and_misclassified():
    labels = np.array([0, 1, 2, 2, 3])
    predictions = np.array([0, 2, 2, 2, 5])
    counts = plotting.confusion_matrix(labels, predictions)
    assert counts[2, 2] == 2 and counts[1, 2] == 1 and counts[3, 5] == 1 and counts.sum() == 5
    figure = plotting.plot_misclassified(np.zeros((5, 784)), labels, predictions)
    assert [ax.get_title() for ax in figure.axes] == ["true 1, said 2", "true 3, said 5"]


def test_moving_average_has_a_value_for_every_batch_averaging_all_of_them_at_the_start():
    assert plotting.moving_average([1, 2, 3, 4, 5], 2).tolist() == [1.0, 1.5, 2.5, 3.5, 4.5]
    assert plotting.moving_average(np.arange(300.0)).tolist()[-1] == pytest.approx(np.arange(200, 300).mean())


def _title_boxes(figure):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(figure).get_renderer()
    figure.draw(renderer)
    return [ax.title.get_window_extent(renderer) for ax in figure.axes if ax.get_title()]


def test_top_units_figure_titles_do_not_overlap():
    """Notebook 11's grid of the five top units per digit: ten rows of five, a title on each."""
    contributions = np.random.default_rng(0).uniform(0, 3, 50)
    figure = plotting.plot_weight_images(
        np.random.default_rng(1).normal(size=(784, 50)),
        ncols=5,
        row_labels=[f"digit {d}" for d in range(10)],
        titles=[f"unit {u}\n+{c:.2f}" for u, c in zip(range(50), contributions)],
    )
    boxes = _title_boxes(figure)
    assert len(boxes) == 50
    for i, first in enumerate(boxes):
        for second in boxes[i + 1 :]:
            assert not first.overlaps(second), "two titles overlap: their numbers cannot be read"


def test_reading_figure_fits_beside_the_pad_at_full_size():
    """Under 600 pixels wide, so that a notebook's output area never has to shrink it."""
    import io

    import matplotlib.image

    figure = plotting.plot_reading(
        np.full((280, 280), 255, np.uint8), np.zeros((28, 28)), {f"net {i}": np.full(10, 0.1) for i in range(5)}
    )
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight")
    buffer.seek(0)
    height, width = matplotlib.image.imread(buffer).shape[:2]
    assert width < 600, width
    assert len([ax for ax in figure.axes if ax.patches]) == 5, "one bar chart per network"


def test_layer_curves_share_their_scale_and_label_each_layer():
    steps = np.arange(0, 100, 10)
    figure = plotting.plot_layer_curves(
        [
            dict(title="sigmoid", steps=steps, layers={"layer 1": np.full(10, 1e-4), "layer 2": np.full(10, 1e-2)}),
            dict(title="relu", steps=steps, layers={"layer 1": np.full(10, 1e-3), "layer 2": np.full(10, 2e-3)}),
        ],
        ylabel="gradient size",
    )
    left, right = figure.axes[:2]
    assert left.get_yscale() == "log" and left.get_ylim() == right.get_ylim(), "one scale for every panel"
    assert [text.get_text() for text in figure.legends[0].get_texts()] == ["layer 1", "layer 2"]
    assert left.get_legend() is None and right.get_legend() is None, "one legend, beside the panels"


def test_filters_share_one_centred_scale_and_refuse_other_shapes():
    filters = np.linspace(-0.5, 0.25, 6 * 6 * 4).reshape(6, 6, 1, 4)
    figure = plotting.plot_filters(filters)
    images = [ax.images[0] for ax in figure.axes if ax.images]
    assert len(images) == 4 and {image.get_clim() for image in images} == {(-0.5, 0.5)}
    with pytest.raises(ValueError, match=r"\[height, width, 1, count\].*\(5, 5, 6, 12\)"):
        plotting.plot_filters(np.zeros((5, 5, 6, 12)))


def test_feature_maps_show_each_channel_up_to_the_limit():
    layers = {"conv1": np.random.rand(28, 28, 6), "conv2": np.random.rand(14, 14, 24)}
    figure = plotting.plot_feature_maps(np.zeros((28, 28, 1)), layers, max_channels=12)
    shown = [ax for ax in figure.axes if ax.get_visible() and ax.images]
    assert len(shown) == 1 + 6 + 12, "the digit, 6 channels of conv1, the first 12 of conv2's 24"
    assert any("(of 24)" in ax.get_title() for ax in shown)


def test_train_and_validation_figure_draws_both_curves_of_each_run():
    run = dict(
        steps=[1, 2, 3],
        train_accuracy=[0.97, 0.98, 0.99],
        validation_accuracy=[0.96, 0.97, 0.97],
        train_cross_entropy=[0.1, 0.05, 0.01],
        validation_cross_entropy=[0.12, 0.1, 0.11],
    )
    figure = plotting.plot_train_and_validation({"plain": run, "dropout": run})
    labels = [text.get_text() for text in figure.axes[0].get_legend().get_texts()]
    assert labels == ["plain: train", "plain: validation", "dropout: train", "dropout: validation"]
    assert figure.axes[0].get_yscale() == "log"
    assert figure.axes[1].get_yscale() == "linear", "the validation cross-entropy's rise shows on a linear scale"
    assert figure.axes[1].get_ylim()[1] < 0.15
    assert_no_texts_overlap(figure)


def test_saved_figures_are_compact_pngs_that_keep_the_picture():
    weights = np.linspace(-2, 1, 784 * 3).reshape(784, 3)
    buffer = io.BytesIO()
    plotting.plot_weight_images(weights).savefig(buffer, format="png")
    full = buffer.getvalue()
    compact = plotting.compact_png(full)
    original, kept = Image.open(io.BytesIO(full)).convert("RGB"), Image.open(io.BytesIO(compact))
    assert kept.mode == "P" and kept.size == original.size and len(compact) < len(full)
    difference = np.abs(np.asarray(kept.convert("RGB"), float) - np.asarray(original, float))
    assert difference.mean() < 2.0, "the picture looks the same"


def test_a_continuous_colour_scale_keeps_its_colours_and_lines_keep_256():
    """Weights drawn on a diverging colour scale would break into bands in 256 colours: figures with
    an image or a colour bar keep their full colour (the colour bar alone shows over 64 colours);
    figures of lines stay in 256 colours."""
    weights = np.linspace(-2, 1, 784 * 3).reshape(784, 3)
    figure = plotting.plot_weight_images(weights)
    assert Image.open(io.BytesIO(display._CompactPNG(None)(figure))).mode == "RGB"
    _, (colours,) = check_figure(figure)
    assert colours > 64, "the colour bar is a smooth scale, not bands"
    monitor = TrainingMonitor(100, live=False)
    _fill(monitor, 100, 25)
    monitor.finish()
    monitor.record_test(0.9, 0.3)
    lines = Image.open(io.BytesIO(display._CompactPNG(None)(plotting.plot_training_curves(monitor))))
    assert lines.mode == "P", "curves alone stay in 256 colours"


class _FakeJupyter:
    """A fake clock and a fake Jupyter display, to hand to the monitor or its live view: a redraw
    of the figure takes `redraw_seconds` of the fake clock, a training step `step_seconds`."""

    def __init__(self, step_seconds, redraw_seconds):
        self.now, self.step_seconds, self.redraw_seconds = 0.0, step_seconds, redraw_seconds
        self.shown = []  # ("progress", "figure" or "cleared", the fake clock) for every display or update

    def clock(self):
        return self.now

    def display(self, obj, display_id=False):
        assert display_id is True, "the view asks for a handle, to update what it showed"
        handle = type("Handle", (), {})()
        handle.update = lambda new: self._show(new)
        self._show(obj)
        return handle

    def _show(self, obj):
        kind = "progress" if isinstance(obj, Progress) else "cleared" if isinstance(obj, Cleared) else "figure"
        self.shown.append((kind, self.now))
        if kind == "figure":
            self.now += self.redraw_seconds

    def monitor(self, training_steps, **options):
        return TrainingMonitor(training_steps, clock=self.clock, display=self.display, **options)

    def train(self, monitor, steps, evaluation_interval, evaluation_seconds=0.0):
        for step in range(1, steps + 1):
            self.now += self.step_seconds
            monitor.record_train(step, 0.9, 0.3)
            if step % evaluation_interval == 0 or step == steps:
                self.now += evaluation_seconds
                monitor.record_validation(step, 0.9, 0.35)
        monitor.finish()

    def count(self, kind):
        return sum(1 for shown, _ in self.shown if shown == kind)

    def kinds(self):
        return [kind for kind, _ in self.shown]


def test_live_figure_redraws_stay_within_their_share_of_the_training_time():
    jupyter = _FakeJupyter(step_seconds=0.001, redraw_seconds=0.5)
    monitor = jupyter.monitor(20000, redraw_seconds=2.0)
    jupyter.train(monitor, 20000, evaluation_interval=250, evaluation_seconds=0.01)  # 20 s, 80 evaluations
    assert jupyter.count("progress") == 81, "the progress line follows every test evaluation, and the end"
    figures = jupyter.count("figure")
    assert figures >= 1, "a 20 s run shows its figure while it trains"
    assert monitor.live_redraw_seconds == pytest.approx(0.5 * figures)
    assert monitor.live_redraw_seconds <= live_view.LIVE_FIGURE_SHARE * (
        monitor.train_seconds - monitor.live_redraw_seconds
    )
    assert jupyter.kinds()[-2:] == ["progress", "cleared"], (
        "the finished run's last progress line, and its live figure cleared: plot_training_curves draws the run"
    )
    assert monitor.evaluation_seconds == pytest.approx(80 * 0.01), "what the monitor cost, measured by itself"
    assert monitor.display_seconds == pytest.approx(monitor.live_redraw_seconds)


def test_a_short_run_shows_only_its_progress():
    jupyter = _FakeJupyter(step_seconds=0.001, redraw_seconds=0.5)
    monitor = jupyter.monitor(3000, redraw_seconds=2.0)
    jupyter.train(monitor, 3000, evaluation_interval=250)  # 3 s: one redraw would cost 17%
    assert jupyter.kinds() == ["progress"] * 13, "no live figure, so none to clear"
    assert monitor.live_redraw_seconds == 0
    assert monitor.train_seconds == pytest.approx(3.0), "the final picture is not training time"


def test_a_run_that_diverged_or_failed_keeps_its_curves():
    """No curves figure follows a cell that raised: the live figure's final picture is the run's only one."""
    jupyter = _FakeJupyter(step_seconds=0.001, redraw_seconds=0.5)
    monitor = jupyter.monitor(3000)
    monitor.record_train(1, 0.1, 2.3)
    with pytest.raises(TrainingDiverged):
        monitor.record_train(2, 0.1, math.nan)
    assert jupyter.kinds() == ["progress", "figure"]
    jupyter = _FakeJupyter(step_seconds=0.001, redraw_seconds=0.5)
    monitor = jupyter.monitor(50)
    _fill(monitor, 50, 10, accuracy=0.11)
    with pytest.raises(LearningFailed):
        monitor.finish()
    assert jupyter.kinds()[-2:] == ["progress", "figure"]


def test_a_finished_runs_live_figure_is_cleared_so_its_curves_are_shown_once():
    """The live figure showed the whole run while it trained; once it finished, `plot_training_curves` shows
    it, with its test score: a saved notebook keeping both would show the same curves twice."""
    jupyter = _FakeJupyter(step_seconds=0.01, redraw_seconds=0.01)
    monitor = jupyter.monitor(3000, redraw_seconds=0.5)
    jupyter.train(monitor, 3000, evaluation_interval=250)
    kinds = jupyter.kinds()
    assert "figure" in kinds and kinds[-1] == "cleared" and kinds.count("cleared") == 1
    assert repr(Cleared()) == "" and Cleared()._repr_mimebundle_() == {"text/plain": ""}, "Jupyter shows nothing"


def test_a_quiet_monitor_shows_nothing_and_costs_nothing_to_show():
    jupyter = _FakeJupyter(step_seconds=0.001, redraw_seconds=0.5)
    monitor = jupyter.monitor(3000, live=False)
    jupyter.train(monitor, 3000, evaluation_interval=250, evaluation_seconds=0.02)
    assert jupyter.shown == [] and monitor.display_seconds == 0 and monitor.live_redraw_seconds == 0
    assert monitor.evaluation_seconds == pytest.approx(12 * 0.02) and monitor.train_seconds == pytest.approx(3.24)


def test_the_live_view_budgets_its_first_redraw_by_a_guess_and_the_next_by_what_the_last_cost():
    jupyter = _FakeJupyter(step_seconds=0, redraw_seconds=0.5)
    view = LiveView(redraw_seconds=0, clock=jupyter.clock, display=jupyter.display)
    curves = TrainingMonitor(10, live=False)
    _fill(curves, 10, 5)
    first = live_view.FIRST_REDRAW_GUESS / live_view.LIVE_FIGURE_SHARE  # training seconds that afford it
    second = (0.5 + 0.5) / live_view.LIVE_FIGURE_SHARE  # the first redraw's 0.5 s, and 0.5 s more
    for seconds in (first - 0.1, first + 0.1, second - 0.1, second + 0.1):
        view.show(Progress(10, 10, seconds, curves.train_accuracy), curves)
    assert jupyter.kinds() == ["progress", "progress", "figure", "progress", "progress", "figure"]
    assert view.live_redraw_seconds == pytest.approx(1.0) and view.display_seconds == pytest.approx(1.0)
    view.show(Progress(10, 10, second + 0.2, curves.train_accuracy), curves, final=True)
    assert jupyter.kinds()[-2:] == ["progress", "figure"], "the final picture, however short the run"
    assert view.live_redraw_seconds == pytest.approx(1.0) and view.display_seconds == pytest.approx(1.0), (
        "the final picture is not counted as a cost of training"
    )


def test_without_a_display_the_live_view_prints_the_progress_line_at_most_every_redraw_seconds(capsys):
    now = [0.0]
    view = LiveView(redraw_seconds=2.0, clock=lambda: now[0])  # pytest is not IPython: it prints
    for seconds in (0.0, 1.0, 2.5, 4.0, 4.6):
        now[0] = seconds
        view.show(Progress(round(seconds * 10), 100, seconds, []), curves=None)  # None: it draws no figure
    now[0] = 4.7
    view.show(Progress(47, 100, 4.7, []), curves=None, final=True)
    assert capsys.readouterr().out.splitlines() == [
        "step 0/100 · 0.0 s",
        "step 25/100 · 2.5 s",
        "step 46/100 · 4.6 s",
        "step 47/100 · 4.7 s",
    ]
    assert view.live_redraw_seconds == 0


def test_the_robustness_and_layer_figures_keep_their_texts_apart():
    """With the notebooks' data shapes: five networks' curves, solid and prepared, over three
    experiments (one legend for all, below the panels); five layers' curves over three networks."""
    networks = ["1 layer, softmax", "25 sigmoid", "5 sigmoid layers", "300 ReLU", "convolutional"]
    experiments = [
        ("Shifted", list(range(9))),
        ("Shrunk into the corner", [1.0, 0.8, 0.6, 0.5, 0.4]),
        ("Thinner or thicker strokes", [-1, 0, 1, 2]),
    ]
    panels = [
        dict(
            title=title,
            xlabel="change",
            x=x,
            curves={n: list(np.linspace(0.9, 0.1, len(x))) for n in networks},
            prepared={n: [0.9] * len(x) for n in networks},
        )
        for title, x in experiments
    ]
    robustness = plotting.plot_accuracy_curves(panels, suptitle="Accuracy on changed digits")
    assert len(robustness.legends) == 1 and all(ax.get_legend() is None for ax in robustness.axes)
    assert_no_texts_overlap(robustness)
    steps = np.arange(0, 2000, 50)
    layers = plotting.plot_layer_curves(
        [
            dict(title=title, steps=steps, layers={f"layer {k + 1}": np.full(len(steps), 10.0**-k) for k in range(5)})
            for title in ("Notebook 3's network", "ReLU, He's scale, gradient descent", "ReLU, He's scale, Adam")
        ],
        ylabel="error size e_k (RMS)",
    )
    assert_no_texts_overlap(layers)
