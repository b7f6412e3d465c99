"""How fast each training notebook trains, against three other ways to train the same network.

For each notebook of part one (`catalog.benchmarked("training_loop")`) it runs the notebook's own
cells in an IPython shell (so the monitor draws its live figure and encodes PNGs as it does in
Jupyter), then times, alternating, over the notebook's whole run (`training_steps`):

- the notebook's training cell as written: its loop, its validation evaluations, its TensorBoard
  summaries, the monitor's progress line and live redraws (the clock is the monitor's own,
  `train_seconds`, which stops before the final picture is drawn). The monitor's cost is what the
  monitor measures of itself: the validation evaluations with their summaries (`evaluation_seconds`)
  and the progress line and live redraws (`display_seconds`), as a share of `train_seconds`;
- a bare loop: `next_batch` and `session.run(train_step)`, nothing else; and the same loop
  fetching the batch's accuracy and cross-entropy with the step, as the notebooks do;
- a tf.data loop: the same graph imported with its placeholders mapped onto a `tf.data` iterator
  (data shuffled and batched in the graph), one `session.run(train_step)` a step, no feed;

and, in a child process (Keras 3 needs TensorFlow 2's eager mode, which the notebooks switch
off), Keras 3 `model.fit` on the same layers, initial scales, loss and optimizer, for one epoch of
at most the notebook's step count. What the notebooks write (TensorBoard logs) goes to a temporary
folder. Prints; asserts nothing.

    python ../benchmarks/training_loop.py                 # from notebooks/, as `make bench` does
    python ../benchmarks/training_loop.py --steps 200 --repeats 1   # a quick look, not the figures
"""

import argparse
import contextlib
import io
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time

from notebook_graph import training_cell

REPEATS = 3
#: A short run is repeated more often, up to this many steps per measurement, so that its median is
#: not one noisy second.
MIN_STEPS_MEASURED = 9000


def run_training_cell(shell, source):
    """Run the notebook's training cell in `shell`; return its monitor."""
    ns = shell.user_ns
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(source, "training cell", "exec"), ns)
    finally:
        ns["session"].close()
    return ns["monitor"]


def bare_loop(ns, session, steps, fetch_figures=False):
    X, Y_, mnist = ns["X"], ns["Y_"], ns["mnist"]
    extra = {ns["keep"]: ns["keep_prob"]} if "keep" in ns else {}
    fetches = [ns["train_step"], ns["accuracy"], ns["cross_entropy"]] if fetch_figures else ns["train_step"]
    started = time.perf_counter()
    for _ in range(steps):
        batch_X, batch_Y = mnist.train.next_batch(ns["batch_size"])
        session.run(fetches, feed_dict={X: batch_X, Y_: batch_Y, **extra})
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
        dataset = (
            tf.data.Dataset.from_tensor_slices((images, labels))
            .shuffle(55000, seed=1)
            .repeat()
            .batch(ns["batch_size"], drop_remainder=True)
            .prefetch(2)
        )
        iterator = tf.data.make_initializable_iterator(dataset)
        batch_X, batch_Y = iterator.get_next()
        mapping = {"images:0": batch_X, "labels:0": batch_Y}
        if "keep" in ns:
            mapping[ns["keep"].name] = tf.constant(float(ns["keep_prob"]))
        tf.train.import_meta_graph(meta, input_map=mapping)
        train_step = graph.get_operation_by_name(ns["train_step"].name)
        initialise = tf.global_variables_initializer()
    session = tf.Session(graph=graph, config=device.session_config())
    session.run(
        [initialise, iterator.initializer],
        feed_dict={images: ns["mnist"].train.images, labels: ns["mnist"].train.labels},
    )
    return session, train_step


def tf_data_loop(session, train_step, steps):
    started = time.perf_counter()
    for _ in range(steps):
        session.run(train_step)
    return time.perf_counter() - started


KERAS = r"""
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
"""


def keras_spec(name, ns):
    """Notebook `name`'s network in Keras terms, from the values its own cells set (`ns`): layers as
    (units, activation, initialiser, stddev, dropout rate after), the learning rate and the batch size."""
    slug = name.split("_", 1)[1]
    learning_rate, batch_size = ns["learning_rate"], ns["batch_size"]
    if slug == "softmax":
        layers = [(10, "softmax", "zeros", 0, 0)]
    elif slug == "sigmoid_hidden25":
        layers = [
            (ns["hidden_units"], "sigmoid", "truncated", ns["init_stddev"], 1 - ns["keep_prob"]),
            (10, "softmax", "truncated", ns["init_stddev"], 0),
        ]
    elif slug == "five_layers_sigmoid":
        widths = [ns[f"hidden{i}"] for i in range(1, 5)]
        layers = [(units, "sigmoid", "truncated", ns["init_stddev"], 0) for units in widths]
        layers.append((10, "softmax", "truncated", ns["init_stddev"], 0))
        learning_rate *= batch_size  # the notebook minimises the cross-entropy summed over the batch
    elif slug == "relu_hidden300":
        layers = [
            (ns["hidden_units"], "relu", "normal", ns["init_stddev"], 0),
            (10, "softmax", "normal", ns["init_stddev"], 0),
        ]
    else:
        raise ValueError(f"no Keras counterpart of {name} is written in this benchmark")
    return dict(layers=layers, learning_rate=learning_rate, batch_size=batch_size)


def keras_steps_per_second(spec, steps):
    environment = dict(os.environ.items())
    environment.update(KERAS_BACKEND="tensorflow", TF_CPP_MIN_LOG_LEVEL="3")
    run = subprocess.run(
        [sys.executable, "-c", KERAS, json.dumps({**spec, "steps": steps})],
        capture_output=True,
        text=True,
        env=environment,
        timeout=900,
    )
    if run.returncode != 0:
        return None, run.stderr.strip().splitlines()[-1]
    return json.loads(run.stdout.strip().splitlines()[-1])["steps_per_second"], ""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, help="train each network this many steps instead of its notebook's")
    parser.add_argument("--repeats", type=int, default=REPEATS, help=f"runs of each loop (default {REPEATS})")
    args = parser.parse_args(argv)
    if args.steps is not None and args.steps < 1 or args.repeats < 1:
        parser.error("--steps and --repeats must be at least 1")
    from mnist_tutorial import tf_logging

    tf_logging.silence_tensorflow()
    from IPython.core.interactiveshell import InteractiveShell

    from mnist_tutorial import catalog, device, paths, plotting

    scratch = tempfile.TemporaryDirectory(prefix="bench-training-loop-")
    os.environ[paths.OUTPUT_DIR_VARIABLE] = scratch.name  # the notebooks' TensorBoard logs go there
    shell = InteractiveShell.instance()
    plotting.use_compact_png()  # as the notebooks do: the live redraws encode PNGs as in Jupyter
    rows = []
    for notebook in (entry.path for entry in catalog.benchmarked("training_loop")):
        shell.reset(new_session=False)  # each notebook starts from an empty namespace, as in its own kernel
        source = training_cell(notebook, shell.user_ns)
        ns = shell.user_ns
        if args.steps:
            ns["training_steps"] = args.steps
        steps = ns["training_steps"]
        data_session, data_step = tf_data_session(ns)
        bare_session = ns["tf"].Session(config=device.session_config())
        bare_session.run(ns["tf"].global_variables_initializer())
        ns["training_steps"] = min(steps, 100)  # warm-up: the process's first runs of each loop are slower
        run_training_cell(shell, source)
        ns["training_steps"] = steps
        bare_loop(ns, bare_session, 100)
        bare_loop(ns, bare_session, 100, fetch_figures=True)
        tf_data_loop(data_session, data_step, 100)
        measured = {"notebook": [], "bare": [], "bare+fetch": [], "tf.data": []}
        monitor_share, redraw_share = [], []
        repeats = args.repeats if args.steps else max(args.repeats, math.ceil(MIN_STEPS_MEASURED / steps))
        for _ in range(repeats):  # alternate, so that the machine's load hits each alike
            monitor = run_training_cell(shell, source)
            measured["notebook"].append(monitor.train_seconds)
            monitor_share.append((monitor.evaluation_seconds + monitor.display_seconds) / monitor.train_seconds)
            redraw_share.append(monitor.live_redraw_seconds / monitor.train_seconds)
            measured["bare"].append(bare_loop(ns, bare_session, steps))
            measured["bare+fetch"].append(bare_loop(ns, bare_session, steps, fetch_figures=True))
            measured["tf.data"].append(tf_data_loop(data_session, data_step, steps))
        median = {k: statistics.median(v) for k, v in measured.items()}
        speed = {k: steps / median[k] for k in measured}
        speed["keras"], keras_error = keras_steps_per_second(keras_spec(notebook.stem, ns), steps)
        evaluations = len(monitor.validation_steps)
        rows.append(
            dict(
                name=notebook.stem,
                steps=steps,
                repeats=repeats,
                speed=speed,
                evaluations=evaluations,
                monitor=statistics.median(monitor_share),
                redraw=statistics.median(redraw_share),
                keras_error=keras_error,
            )
        )
        bare_session.close()
        data_session.close()
    print(
        f"steps per second over each notebook's whole run (median of {args.repeats} or more runs, at least "
        f"{MIN_STEPS_MEASURED:,} steps); Keras: one epoch of at most that many steps"
    )
    print(
        f"{'notebook':<24}{'steps':>7}{'runs':>5}{'notebook loop':>14}{'bare loop':>11}{'+ fetches':>10}"
        f"{'tf.data':>9}{'Keras fit':>11}"
        f"{'loop/tf.data':>14}{'loop/Keras':>12}{'evaluations':>13}{'monitor cost':>14}{'of it, redraws':>16}"
    )
    for row in rows:
        speed = row["speed"]
        keras = f"{speed['keras']:>11.0f}" if speed["keras"] else f"{'failed':>11}"
        versus_keras = f"{speed['notebook'] / speed['keras']:>11.2f}x" if speed["keras"] else f"{'-':>12}"
        print(
            f"{row['name']:<24}{row['steps']:>7,}{row['repeats']:>5}{speed['notebook']:>14.0f}{speed['bare']:>11.0f}"
            f"{speed['bare+fetch']:>10.0f}"
            f"{speed['tf.data']:>9.0f}{keras}{speed['notebook'] / speed['tf.data']:>13.2f}x{versus_keras}"
            f"{row['evaluations']:>13}{row['monitor']:>14.1%}{row['redraw']:>16.1%}"
        )
        if row["keras_error"]:
            print(f"  Keras failed: {row['keras_error']}")
    print(
        "\nTargets: the notebook loop at least 0.8x the tf.data loop and 1.5x Keras fit; the monitor's "
        "cost (validation evaluations with their summaries, progress line and live redraws, as the monitor "
        "measures them) at most 10% of the training time."
    )
    scratch.cleanup()


if __name__ == "__main__":
    sys.exit(main())
