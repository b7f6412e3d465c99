"""How fast each training notebook's loop runs, against three other ways to train the same network.

For each of notebooks 01-04 it builds the notebook's graph by running the notebook's own cells,
then times, one after the other in this process on the same data:

- the notebook's loop as written: `next_batch`, one `session.run` of the training step with the
  batch's accuracy and cross-entropy, `monitor.record_train`, and a test evaluation every
  `evaluation_interval` steps (its live redraws are timed apart: see below);
- a bare loop: `next_batch` and `session.run(train_step)`, nothing else;
- a tf.data loop: the same graph imported with its placeholders mapped onto a `tf.data` iterator
  (data shuffled and batched in the graph), one `session.run(train_step)` a step, no feed;

and, in a child process (Keras 3 needs TensorFlow 2's eager mode, which the notebooks switch
off), Keras 3 `model.fit` on the same layers, initial scales, loss and optimizer.

The monitor's cost is what the notebook's loop spends beyond the training step itself: its test
evaluations, `record_train`, and the live redraws a notebook makes every 2 seconds (one redraw of
the live figure, timed here, times the number a notebook makes). Prints; asserts nothing.
"""

import json
import os
import statistics
import subprocess
import sys
import time

from notebook_graph import build

STEPS = 1000  # per measurement, after WARMUP steps
WARMUP = 50
REPEATS = 3


def notebook_loop(ns, session, steps, timings):
    """The training cell's loop, timed in its parts; returns seconds."""
    from mnist_tutorial.training import TrainingMonitor

    X, Y_, mnist = ns["X"], ns["Y_"], ns["mnist"]
    accuracy, cross_entropy, train_step = ns["accuracy"], ns["cross_entropy"], ns["train_step"]
    extra = {ns["keep"]: ns["keep_prob"]} if "keep" in ns else {}
    test_data = {X: mnist.test.images, Y_: mnist.test.labels}
    monitor = TrainingMonitor(steps, live=False)
    evaluating = recording = 0.0
    started = time.perf_counter()
    for step in range(1, steps + 1):
        batch_X, batch_Y = mnist.train.next_batch(ns["batch_size"])
        _, batch_accuracy, batch_cross_entropy = session.run(
            [train_step, accuracy, cross_entropy], feed_dict={X: batch_X, Y_: batch_Y, **extra})
        mark = time.perf_counter()
        monitor.record_train(step, batch_accuracy, batch_cross_entropy)
        recording += time.perf_counter() - mark
        if step % ns["evaluation_interval"] == 0 or step == steps:
            mark = time.perf_counter()
            monitor.record_test(step, *session.run([accuracy, cross_entropy], feed_dict=test_data))
            evaluating += time.perf_counter() - mark
    seconds = time.perf_counter() - started
    timings.setdefault("evaluations", []).append(evaluating)
    timings.setdefault("record_train", []).append(recording)
    timings["monitor"] = monitor
    return seconds


def bare_loop(ns, session, steps):
    X, Y_, mnist = ns["X"], ns["Y_"], ns["mnist"]
    extra = {ns["keep"]: ns["keep_prob"]} if "keep" in ns else {}
    started = time.perf_counter()
    for _ in range(steps):
        batch_X, batch_Y = mnist.train.next_batch(ns["batch_size"])
        session.run(ns["train_step"], feed_dict={X: batch_X, Y_: batch_Y, **extra})
    return time.perf_counter() - started


def tf_data_session(ns):
    """A session on the notebook's graph re-imported with a tf.data pipeline in place of its placeholders."""
    from mnist_tutorial import device

    tf = ns["tf"]
    meta = tf.train.export_meta_graph(graph=tf.get_default_graph())
    graph = tf.Graph()
    with graph.as_default():
        images = tf.placeholder(tf.float32, ns["mnist"].train.images.shape)
        labels = tf.placeholder(tf.float32, ns["mnist"].train.labels.shape)
        dataset = (tf.data.Dataset.from_tensor_slices((images, labels)).shuffle(55000, seed=1).repeat()
                   .batch(ns["batch_size"], drop_remainder=True).prefetch(2))
        iterator = tf.data.make_initializable_iterator(dataset)
        batch_X, batch_Y = iterator.get_next()
        mapping = {"images:0": batch_X, "labels:0": batch_Y}
        if "keep" in ns:
            mapping[ns["keep"].name] = tf.constant(float(ns["keep_prob"]))
        tf.train.import_meta_graph(meta, input_map=mapping)
        train_step = graph.get_operation_by_name(ns["train_step"].name)
        initialise = tf.global_variables_initializer()
    session = tf.Session(graph=graph, config=device.session_config())
    session.run([initialise, iterator.initializer],
                feed_dict={images: ns["mnist"].train.images, labels: ns["mnist"].train.labels})
    return session, train_step


def tf_data_loop(session, train_step, steps):
    started = time.perf_counter()
    for _ in range(steps):
        session.run(train_step)
    return time.perf_counter() - started


def redraw_seconds(monitor):
    """One redraw of the live training figure, as the monitor makes it in Jupyter (drawn to PNG)."""
    import io

    from mnist_tutorial import plotting

    figure = plotting.new_figure(figsize=(12, 3.6))
    axes = figure.subplots(1, 2)
    started = time.perf_counter()
    for ax in axes:
        ax.clear()
    plotting.draw_curves(axes[0], axes[1], monitor)
    figure.savefig(io.BytesIO(), format="png", bbox_inches="tight")
    return time.perf_counter() - started


KERAS = r'''
import json, sys, time
import numpy as np
import keras
from mnist_tutorial import input_data

spec = json.loads(sys.argv[1])
data = input_data.read_data_sets(one_hot=True, seed=1)
x, y = data.train.images, data.train.labels
init = {"zeros": lambda s: "zeros", "truncated": lambda s: keras.initializers.TruncatedNormal(stddev=s),
        "normal": lambda s: keras.initializers.RandomNormal(stddev=s)}
model = keras.Sequential([keras.Input((784,))])
for units, activation, kind, stddev, dropout in spec["layers"]:
    model.add(keras.layers.Dense(units, activation=activation, kernel_initializer=init[kind](stddev)))
    if dropout:
        model.add(keras.layers.Dropout(dropout))
model.compile(optimizer=keras.optimizers.SGD(spec["learning_rate"]), loss="categorical_crossentropy",
              metrics=["accuracy"])
batch = spec["batch_size"]
model.fit(x[:batch * 50], y[:batch * 50], batch_size=batch, epochs=1, verbose=0)  # warm-up: tracing
steps = min(spec["steps"], len(x) // batch)
started = time.perf_counter()
model.fit(x[:batch * steps], y[:batch * steps], batch_size=batch, epochs=1, verbose=0, shuffle=True)
print(json.dumps({"steps_per_second": steps / (time.perf_counter() - started)}))
'''

#: The notebooks' networks in Keras terms: (units, activation, initialiser, stddev, dropout after).
KERAS_SPECS = {
    "01_softmax": dict(layers=[(10, "softmax", "zeros", 0, 0)], learning_rate=0.3, batch_size=200),
    "02_sigmoid_hidden25": dict(layers=[(25, "sigmoid", "truncated", 0.1, 0.1), (10, "softmax", "truncated", 0.1, 0)],
                                learning_rate=0.5, batch_size=50),
    # notebook 3 minimises the cross-entropy summed over 100 images at 0.003: the mean at 0.3
    "03_five_layers_sigmoid": dict(layers=[(200, "sigmoid", "truncated", 1.0, 0), (100, "sigmoid", "truncated", 1.0, 0),
                                           (60, "sigmoid", "truncated", 1.0, 0), (30, "sigmoid", "truncated", 1.0, 0),
                                           (10, "softmax", "truncated", 1.0, 0)], learning_rate=0.3, batch_size=100),
    "04_relu_hidden300": dict(layers=[(300, "relu", "normal", 0.03, 0), (10, "softmax", "normal", 0.03, 0)],
                              learning_rate=0.5, batch_size=100),
}


def keras_steps_per_second(name):
    environment = {k: v for k, v in os.environ.items()}
    environment.update(KERAS_BACKEND="tensorflow", TF_CPP_MIN_LOG_LEVEL="3")
    run = subprocess.run([sys.executable, "-c", KERAS, json.dumps({**KERAS_SPECS[name], "steps": STEPS})],
                         capture_output=True, text=True, env=environment, timeout=600)
    if run.returncode != 0:
        return None, run.stderr.strip().splitlines()[-1]
    return json.loads(run.stdout.strip().splitlines()[-1])["steps_per_second"], ""


def main():
    from mnist_tutorial import tf_logging

    tf_logging.silence_tensorflow()
    from mnist_tutorial import device, paths

    rows = []
    for notebook in sorted((paths.REPO_ROOT / "notebooks").glob("0[1-4]_*.ipynb")):
        ns = build(notebook)
        session = ns["tf"].Session(config=device.session_config())
        session.run(ns["tf"].global_variables_initializer())
        data_session, data_step = tf_data_session(ns)
        notebook_loop(ns, session, WARMUP, {})
        bare_loop(ns, session, WARMUP)
        tf_data_loop(data_session, data_step, WARMUP)
        measured = {"notebook": [], "bare": [], "tf.data": []}
        timings = {}
        for _ in range(REPEATS):  # alternate, so that the machine's load hits each alike
            measured["notebook"].append(notebook_loop(ns, session, STEPS, timings))
            measured["bare"].append(bare_loop(ns, session, STEPS))
            measured["tf.data"].append(tf_data_loop(data_session, data_step, STEPS))
        # In Jupyter the monitor also redraws its live figure, at most every 2 seconds.
        redrawing = statistics.median(measured["notebook"]) / 2.0 * redraw_seconds(timings["monitor"])
        measured["notebook"] = [seconds + redrawing for seconds in measured["notebook"]]
        speed = {k: STEPS / statistics.median(v) for k, v in measured.items()}
        speed["keras"], keras_error = keras_steps_per_second(notebook.stem)
        monitor_seconds = (statistics.median(timings["evaluations"]) + statistics.median(timings["record_train"])
                           + redrawing)
        rows.append((notebook.stem, speed, monitor_seconds / statistics.median(measured["notebook"]), keras_error))
        session.close()
        data_session.close()
    print(f"steps per second (median of {REPEATS} runs of {STEPS:,} steps; Keras: one epoch of up to {STEPS:,} steps)")
    print(f"{'notebook':<24}{'notebook loop':>14}{'bare loop':>11}{'tf.data':>9}{'Keras fit':>11}"
          f"{'loop/tf.data':>14}{'loop/Keras':>12}{'monitor cost':>14}")
    for name, speed, monitor_share, keras_error in rows:
        keras = f"{speed['keras']:>11.0f}" if speed["keras"] else f"{'failed':>11}"
        versus_keras = f"{speed['notebook'] / speed['keras']:>11.2f}x" if speed["keras"] else f"{'-':>12}"
        print(f"{name:<24}{speed['notebook']:>14.0f}{speed['bare']:>11.0f}{speed['tf.data']:>9.0f}{keras}"
              f"{speed['notebook'] / speed['tf.data']:>13.2f}x{versus_keras}{monitor_share:>14.1%}")
        if keras_error:
            print(f"  Keras failed: {keras_error}")
    print("\nTargets: the notebook loop at least 0.8x the tf.data loop and 1.5x Keras fit; the monitor's "
          "cost (test evaluations, record_train, live redraws) at most 10% of the loop's time.")


if __name__ == "__main__":
    sys.exit(main())
