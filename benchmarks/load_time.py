"""How long loading MNIST takes: the first load in a process (read, decompress, check every
file), a second load (a notebook cell re-run: served from the in-process cache), and the
memory the cached arrays hold. Prints its figures; asserts nothing."""

import resource
import time

import numpy as np

from mnist_tutorial import input_data


def timed(label, **kwargs):
    started = time.perf_counter()
    data = input_data.read_data_sets(**kwargs)
    print(f"{label:<46} {(time.perf_counter() - started) * 1000:9.1f} ms")
    return data


def main():
    print(f"{'load':<46} {'time':>12}")
    timed("first load (decompress, check SHA-256, parse)", one_hot=True)
    timed("second load, same arguments (cached)", one_hot=True)
    timed("second load, integer labels", one_hot=False)
    data = timed("second load, uint8 images", dtype=np.uint8, one_hot=True)
    started = time.perf_counter()
    for _ in range(1000):
        data.train.next_batch(100)
    print(f"{'next_batch(100), mean of 1,000 calls':<46} {(time.perf_counter() - started):9.3f} ms")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{'peak resident memory of this process':<46} {peak:8.0f} MiB")


if __name__ == "__main__":
    main()
