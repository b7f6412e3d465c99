"""What writing TensorBoard logs costs the training loop, for each training notebook's network.

Builds each notebook's graph by running its own cells (up to its training cell), then times the
notebooks' training loop (monitor, validation evaluations) side by side in one process: without logs,
and with the logs the notebooks write, `SummaryLogger`'s (at each evaluation the curves of the
batch and the validation set, six times a run the weights' histograms), with the graph. It
alternates the two, TRIALS times each. Whole runs on a shared machine vary by more than the effect
measured, so it also times every evaluation step, where all the logging happens: the cost of
logging is the extra time of the logged evaluations, per run, over the median training time
without logs. Steps are capped at 3,000 per run; the evaluation interval is the notebook's own.
Prints; asserts nothing.
"""

import os
import statistics
import sys
import tempfile
import time

from notebook_graph import build

STEP_CAP = 3000
TRIALS = 5


def train(namespace, session, steps, logger=None):
    """The notebooks' loop for `steps` steps: (seconds in all, [seconds of each evaluation])."""
    from mnist_tutorial.training import TrainingMonitor

    tf, X, Y_, mnist = namespace["tf"], namespace["X"], namespace["Y_"], namespace["mnist"]
    accuracy, cross_entropy = namespace["accuracy"], namespace["cross_entropy"]
    interval, batch_size = namespace["evaluation_interval"], namespace["batch_size"]
    extra = {namespace["keep"]: namespace["keep_prob"]} if "keep" in namespace else {}
    session.run(tf.global_variables_initializer())
    validation_data = {X: mnist.validation.images, Y_: mnist.validation.labels}
    monitor = TrainingMonitor(steps, live=False)
    evaluations = []
    started = time.perf_counter()
    for step in range(1, steps + 1):
        batch_X, batch_Y = mnist.train.next_batch(batch_size)
        train_data = {X: batch_X, Y_: batch_Y, **extra}
        _, batch_accuracy, batch_cross_entropy = session.run(
            [namespace["train_step"], accuracy, cross_entropy], feed_dict=train_data
        )
        monitor.record_train(step, batch_accuracy, batch_cross_entropy)
        if step % interval == 0 or step == steps:
            evaluation_started = time.perf_counter()
            if logger is None:
                monitor.record_validation(step, *session.run([accuracy, cross_entropy], feed_dict=validation_data))
            else:
                monitor.record_validation(step, *logger.evaluate(session, step, train_data, validation_data))
            evaluations.append(time.perf_counter() - evaluation_started)
    return time.perf_counter() - started, evaluations


def main():
    os.environ["MNIST_TUTORIAL_OUTPUT_DIR"] = tempfile.mkdtemp(prefix="tensorboard-bench-")  # logs go there
    from mnist_tutorial import tf_logging

    tf_logging.silence_tensorflow()
    from mnist_tutorial import catalog, device, tensorboard_logs

    notebooks = [entry.path for entry in catalog.benchmarked("training_loop")]
    print(f"training time, median of {TRIALS} alternating runs, and the cost of logging measured at the evaluations")
    print(
        f"{'notebook':<24}{'steps':>7}{'evals':>7}{'without logs':>14}{'with logs':>11}"
        f"{'difference':>12}{'per evaluation: plain':>23}{'logged':>8}{'logging cost':>14}"
    )
    for notebook in notebooks:
        namespace = build(notebook)
        tf = namespace["tf"]
        steps = min(namespace["training_steps"], STEP_CAP)
        logger = tensorboard_logs.SummaryLogger(
            notebook.stem, namespace["accuracy"], namespace["cross_entropy"], tf.trainable_variables(), steps
        )
        session = tf.Session(config=device.session_config())
        plain, logged, plain_evaluations, logged_evaluations = [], [], [], []
        for _ in range(TRIALS):
            seconds, evaluations = train(namespace, session, steps)
            plain.append(seconds)
            plain_evaluations += evaluations
            seconds, evaluations = train(namespace, session, steps, logger)
            logged.append(seconds)
            logged_evaluations += evaluations
        logger.close()
        session.close()
        without, with_logs = statistics.median(plain), statistics.median(logged)
        count = len(evaluations)
        per_plain, per_logged = statistics.median(plain_evaluations), statistics.median(logged_evaluations)
        cost = (sum(logged_evaluations) - sum(plain_evaluations)) / TRIALS / without
        print(
            f"{notebook.stem:<24}{steps:>7,}{count:>7}{without:>12.2f} s{with_logs:>9.2f} s"
            f"{with_logs / without - 1:>12.1%}{per_plain * 1000:>20.1f} ms{per_logged * 1000:>5.1f} ms{cost:>14.1%}",
            flush=True,
        )
    print("\nThe target: logging costs at most 5% of the training time.")


if __name__ == "__main__":
    sys.exit(main())
