"""Which device TensorFlow trains on, and a session configuration that works on any of them."""

import os

import tensorflow.compat.v1 as tf

from . import environment

#: Set this to a number of threads to give each TensorFlow operation (a parameter sweep does, so
#: that its parallel runs share the cores instead of fighting over them): from 1 to the machine's cores.
THREADS_VARIABLE = environment.THREADS


def gpu_names() -> list[str]:
    """The names of the GPUs TensorFlow can use; empty on a CPU-only machine."""
    return [gpu.name for gpu in tf.config.list_physical_devices("GPU")]


def session_config() -> tf.ConfigProto:
    """A `tf.ConfigProto` for `tf.Session(config=...)` that runs the same graph on a GPU or a CPU.

    Soft placement lets an operation with no GPU kernel fall back to the CPU; memory growth
    makes TensorFlow take GPU memory as it needs it, rather than all of it at start. With
    MNIST_TUTORIAL_THREADS set, TensorFlow uses that many threads (otherwise it chooses);
    EnvironmentVariableError, before TensorFlow sees it, for anything but 1 to the machine's cores.
    """
    count = threads()
    return tf.ConfigProto(
        allow_soft_placement=True,
        gpu_options=tf.GPUOptions(allow_growth=True),
        intra_op_parallelism_threads=count,
        inter_op_parallelism_threads=count,
    )


def threads() -> int:
    """The threads MNIST_TUTORIAL_THREADS gives each TensorFlow operation; 0 (TensorFlow's own choice) when
    it is unset. More threads than cores cannot run at once, and a huge number hangs TensorFlow."""
    cores = os.cpu_count() or 1
    return environment.whole_number(THREADS_VARIABLE, 1, cores, "threads", "this machine's cores") or 0


def describe() -> str:
    """One sentence that says where training runs."""
    gpus = gpu_names()
    if gpus:
        return f"Training on the GPU ({', '.join(gpus)})."
    return "Training on the CPU: TensorFlow found no GPU (the same code uses one when there is one)."
