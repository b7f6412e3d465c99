"""Draw the drawn second test set again and write it, if a digit changed.

    mnist-drawn-digits                 # or: make drawn-digits
    mnist-drawn-digits --output x.npz  # somewhere else

The same seed always draws the same digits: when the committed file already holds them, it is left
as it is and the command says so; otherwise the file is replaced in one step (never half-written).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from .. import atomic_files, drawn_digits


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mnist-drawn-digits", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--output", type=Path, default=drawn_digits.PATH, help=f"where to write the set (default: {drawn_digits.PATH})"
    )
    args = parser.parse_args(argv)
    images, labels, styles = drawn_digits.generate()
    if args.output.exists():
        stored_images, stored_labels = drawn_digits.load(args.output)
        if np.array_equal(stored_images, images) and np.array_equal(stored_labels, labels):
            print(f"{args.output}: unchanged ({len(labels)} digits drawn from seed {drawn_digits.SEED})")
            return 0
    atomic_files.write_bytes(args.output, drawn_digits.encode(images, labels, styles, drawn_digits.SEED))
    each, seed = drawn_digits.PER_DIGIT, drawn_digits.SEED
    print(f"wrote {args.output}: {len(labels)} digits, {each} of each, drawn from seed {seed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
