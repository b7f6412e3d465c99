"""Training speed with TensorFlow's oneDNN CPU kernels off and on, side by side.

TensorFlow turns oneDNN on by itself only on CPUs with AVX-512 VNNI or AMX; `mnist_tutorial`
turns it on everywhere (TF_ENABLE_ONEDNN_OPTS=1, unless you set it). The setting is read when
TensorFlow loads, so each measurement runs in a child process of its own: for each network, the
notebook's graph (built by the notebook's own cells), a bare `session.run(train_step)` loop on
the notebook's batches, STEPS steps after WARMUP, best of REPEATS. Prints; asserts nothing.

    cd notebooks && ../.venv/bin/python ../benchmarks/onednn.py
"""

import json
import os
import subprocess
import sys
import time

STEPS = 300
WARMUP = 30
REPEATS = 3


def measure(notebook):
    """Steps per second of the notebook's training step, in this process."""
    from notebook_graph import build

    ns = build(f"{notebook}.ipynb")
    tf = ns["tf"]
    # What the notebook's own training step feeds besides the batch (dropout, learning rate, batch norm).
    values = {"keep": ns.get("keep_prob"), "lr": ns.get("learning_rate"), "training": True}
    extra = {ns[name]: value for name, value in values.items() if name in ns}
    session = tf.Session(config=ns["device"].session_config())
    session.run(tf.global_variables_initializer())
    batches = [ns["mnist"].train.next_batch(ns["batch_size"]) for _ in range(WARMUP + STEPS)]
    best = 0.0
    for _ in range(REPEATS):
        for step, (batch_X, batch_Y) in enumerate(batches):
            if step == WARMUP:
                started = time.perf_counter()
            session.run(ns["train_step"], feed_dict={ns["X"]: batch_X, ns["Y_"]: batch_Y, **extra})
        best = max(best, STEPS / (time.perf_counter() - started))
    return best


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        print(json.dumps(measure(sys.argv[2])))
        return
    print(f"steps per second of each notebook's training step (bare loop, best of {REPEATS} x {STEPS} steps)")
    print(f"{'network':<26}{'oneDNN off':>12}{'oneDNN on':>12}{'on / off':>10}")
    from mnist_tutorial import catalog

    for notebook in (entry.name for entry in catalog.benchmarked("onednn")):
        speeds = []
        for setting in ("0", "1"):
            child = subprocess.run(
                [sys.executable, os.path.abspath(__file__), "--child", notebook],
                env={**os.environ, "TF_ENABLE_ONEDNN_OPTS": setting},
                capture_output=True,
                text=True,
                check=True,
            )
            speeds.append(json.loads(child.stdout.strip().splitlines()[-1]))
        print(f"{notebook:<26}{speeds[0]:>12.1f}{speeds[1]:>12.1f}{speeds[1] / speeds[0]:>9.2f}x")


if __name__ == "__main__":
    main()
