"""Quiet TensorFlow: its start-up banner, CUDA probes and deprecation notes, in one place.

TensorFlow 2 logs several lines from C++ before any Python setting can reach them (the oneDNN
banner, "Could not find cuda drivers", "failed call to cuInit"), and the `compat.v1` API logs a
deprecation note for nearly every call. None of it is the lesson, so the notebooks call
`silence_tensorflow()` before `import tensorflow.compat.v1 as tf`. Errors still show.
"""

import contextlib
import logging
import os
import sys
import warnings
from collections.abc import Iterator


def silence_tensorflow() -> None:
    """Import TensorFlow with its informational logging turned off. Safe to call again."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"(tensorflow|keras)\b")
    warnings.filterwarnings("ignore", category=UserWarning, module=r"(tensorflow|keras)\b")
    with stderr_silenced():
        import tensorflow as tf

        tf.config.list_physical_devices("GPU")  # probes CUDA once, while its log lines are hidden
    tf.get_logger().setLevel(logging.ERROR)


@contextlib.contextmanager
def stderr_silenced() -> Iterator[None]:
    """Send the process's standard error (file descriptor 2, which C++ code writes to) to /dev/null."""
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
