"""Draw the drawn sets again and write each one whose digits changed.

    mnist-drawn-digits                             # or: make drawn-digits (both sets)
    mnist-drawn-digits --set pad                   # drawn_digits/: 300 digits as the pad gives them
    mnist-drawn-digits --set writers               # drawn_writers/: 60 writers' digits, prepared (about 2 minutes)
    mnist-drawn-digits --set pad --output x.npz    # somewhere else

The same seed always draws the same digits: when the committed file already holds them, it is left
as it is and the command says so; otherwise the file is replaced in one step (never half-written).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from .. import atomic_files, drawn_digits, drawn_writers


def draw_pad_set(output: Path) -> str:
    images, labels, styles = drawn_digits.generate()
    if output.exists():
        stored_images, stored_labels = drawn_digits.load(output)
        if np.array_equal(stored_images, images) and np.array_equal(stored_labels, labels):
            return f"{output}: unchanged ({len(labels)} digits drawn from seed {drawn_digits.SEED})"
    atomic_files.write_bytes(output, drawn_digits.encode(images, labels, styles, drawn_digits.SEED))
    each, seed = drawn_digits.PER_DIGIT, drawn_digits.SEED
    return f"wrote {output}: {len(labels)} digits, {each} of each, drawn from seed {seed}"


def draw_writers_sets(output: Path) -> str:
    drawn = drawn_writers.generate()
    encoded = drawn_writers.encode(drawn)
    what = (
        f"{len(drawn.labels):,} digits of {len(set(drawn.writers.tolist()))} writers "
        f"(validation: the first {drawn_writers.VALIDATION_WRITERS}), drawn from seed {drawn_writers.SEED}"
    )
    if output.exists() and _same_digits(output, encoded):
        return f"{output}: unchanged ({what})"
    atomic_files.write_bytes(output, encoded)
    return f"wrote {output}: {what}"


def _same_digits(path: Path, encoded: bytes) -> bool:
    import io

    with np.load(path) as stored, np.load(io.BytesIO(encoded)) as drawn:
        return set(stored.files) == set(drawn.files) and all(
            np.array_equal(stored[name], drawn[name]) for name in drawn.files
        )


SETS = {"pad": (draw_pad_set, drawn_digits.PATH), "writers": (draw_writers_sets, drawn_writers.PATH)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mnist-drawn-digits", description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=[*SETS, "both"], default="both", help="which set to draw (default: both)")
    parser.add_argument("--output", type=Path, help="where to write the set (with --set pad or --set writers)")
    args = parser.parse_args(argv)
    if args.output and args.set == "both":
        parser.error("--output names one file: say which set goes there with --set pad or --set writers")
    for name in SETS if args.set == "both" else [args.set]:
        draw, default = SETS[name]
        print(draw(args.output or default), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
