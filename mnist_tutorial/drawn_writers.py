"""Digits of many writers, drawn by a program (not by people): a validation and a test set of digits
drawn unlike MNIST's, for choosing and then judging a network meant to read other people's digits.

Each writer keeps one hand over all their digits: a slant, a size, a pen (thin, medium or broad), one
shape for each digit (a European 1 with its flag and foot, a 7 with its bar, an open 4, a curled 2,
...; `drawn_digits.SHAPES`), and how their page reached the computer: drawn on the pad, or blurred, or
scanned at 16 x 16 or 8 x 8 pixels, whose strokes come out blocky and blurred. Each writer draws every
digit `REPEATS` times, each time a little differently (size, slant, turn, place, tremble), and every
digit is prepared as the drawing pad prepares a drawing (`preprocess.to_mnist`).

The writers are split in two: the digits of the first `VALIDATION_WRITERS` are the validation set (for
every choice), the others' the test set (scored once), so that no hand of the test set is seen while
choosing.

    sets = drawn_writers.load()        # sets["validation"].images: [N, 784] float32 in [0, 1], as MNIST's
    sets["test"].labels, sets["test"].kinds["scan"]    # the digits, and how each was drawn

`mnist-drawn-digits --set writers` draws the sets again from their seed and rewrites `drawn_writers/drawn_writers.npz`
only if a digit changed.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import ndimage

from . import paths, preprocess
from .drawn_digits import PAD, SHAPES, Style, strokes_of
from .drawpad import render_strokes

#: The committed sets: where they are, their seed, how many writers, and how often each draws each digit.
PATH = paths.REPO_ROOT / "drawn_writers" / "drawn_writers.npz"
SEED = 2027
WRITERS = 60
VALIDATION_WRITERS = 30
REPEATS = 5
#: The pens, by their width on the 280-pixel pad (MNIST's strokes are about 2 to 3 of its 28 pixels).
PENS = {"thin": (6.0, 12.0), "medium": (14.0, 24.0), "broad": (28.0, 44.0)}
#: How a page reached the computer: drawn on the pad, blurred, or scanned at a low resolution (pixels a side
#: across the digit's box); with how many of every ten writers of each set.
SCANS = {"pad": 4, "blurred": 2, "16 x 16": 2, "8 x 8": 2}


@dataclass(frozen=True)
class Hand:
    """What a writer keeps over all their digits."""

    writer: int
    shapes: tuple[str, ...]  # the shape drawn for each digit 0-9
    slant: float  # the top moves right by slant x height
    height: float  # fraction of the pad
    width: float  # fraction of the height
    pen: str  # a key of PENS
    scan: str  # one of SCANS
    tremble: float  # pixels


def hand_of(writer: int, seed: int = SEED) -> Hand:
    """Writer number `writer`'s hand, drawn from the sets' seed. Pens and scans are dealt out evenly within
    each set (validation, test), in an order of their own, so that both sets hold every kind alike."""
    random = np.random.default_rng([seed, writer])
    shapes = tuple(str(random.choice(list(SHAPES[digit]))) for digit in range(10))
    first = 0 if writer < VALIDATION_WRITERS else VALIDATION_WRITERS
    count = VALIDATION_WRITERS if first == 0 else WRITERS - VALIDATION_WRITERS
    return Hand(
        writer=writer,
        shapes=shapes,
        slant=float(random.uniform(-0.45, 0.45)),
        height=float(random.uniform(0.45, 0.85)),
        width=float(random.uniform(0.5, 0.85)),
        pen=_dealt(list(PENS), count, [seed, first, 0])[writer - first],
        scan=_dealt([kind for kind, tenths in SCANS.items() for _ in range(tenths)], count, [seed, first, 1])[
            writer - first
        ],
        tremble=float(random.uniform(0.0, 2.0)),
    )


def _dealt(kinds: list[str], count: int, seed: list[int]) -> list[str]:
    """`count` of `kinds`, repeated in turn and shuffled by `seed`."""
    dealt = [kinds[index % len(kinds)] for index in range(count)]
    return [dealt[index] for index in np.random.default_rng(seed).permutation(count)]


def style_of(hand: Hand, digit: int, repeat: int, seed: int = SEED) -> Style:
    """One drawing of `digit` by `hand`: the hand's own shape, slant, size and pen, each a little different."""
    random = np.random.default_rng([seed, hand.writer, digit, repeat])
    shape = hand.shapes[digit]
    height = hand.height * random.uniform(0.9, 1.1) * PAD
    thin_one = digit == 1 and shape == "stroke"
    width = height * (random.uniform(0.15, 0.3) if thin_one else hand.width * random.uniform(0.9, 1.1))
    slant = hand.slant + random.uniform(-0.08, 0.08)
    low, high = PENS[hand.pen]
    pen_width = random.uniform(low, high)
    reach = 0.5 * np.hypot(width + abs(slant) * height, height) + pen_width / 2
    margin = min(reach, PAD / 2)
    centre = (random.uniform(margin, PAD - margin), random.uniform(margin, PAD - margin))
    return Style(digit, shape, height, width, slant, random.uniform(-8, 8), centre, pen_width, hand.tremble)


def draw(writer: int, digit: int, repeat: int, seed: int = SEED) -> np.ndarray:
    """One digit as the pad prepares it: [784] float32 in [0, 1], white ink on black, as MNIST's."""
    hand = hand_of(writer, seed)
    style = style_of(hand, digit, repeat, seed)
    index = (writer * 10 + digit) * REPEATS + repeat
    page = render_strokes(strokes_of(style, seed, index), size=PAD, pen_width=style.pen_width).astype(np.float32)
    if hand.scan == "blurred":
        page = ndimage.gaussian_filter(page, sigma=style.pen_width / 4)
    elif hand.scan != "pad":
        page = _scanned(page, int(hand.scan.split(" x ")[0]))
    return preprocess.to_mnist(page / 255.0).reshape(784).astype(np.float32)


def _scanned(page: np.ndarray, side: int) -> np.ndarray:
    """The square around the digit's ink (a tenth of it added on each side), averaged down to side x side
    pixels, as a scanner of that resolution would see the digit: dark ink on white, 0-255."""
    rows, cols = np.nonzero(page < 128)
    extent = max(np.ptp(rows), np.ptp(cols)) + 1
    half = int(np.ceil(0.6 * extent))
    centre_row, centre_col = (rows.min() + rows.max()) // 2, (cols.min() + cols.max()) // 2
    paper = np.pad(page, half, constant_values=255.0)
    box = paper[centre_row : centre_row + 2 * half, centre_col : centre_col + 2 * half]
    return preprocess.resize_area(box, (side, side))


@dataclass(frozen=True)
class DrawnSet:
    """The digits of some writers: images [N, 784] float32 in [0, 1], labels [N], and how each was drawn."""

    images: np.ndarray
    labels: np.ndarray
    writers: np.ndarray
    kinds: dict[str, np.ndarray]  # "shape", "pen", "scan", "slant" for each digit


def generate(seed: int = SEED, writers: int = WRITERS) -> DrawnSet:
    """Every writer's digits, in the order writer, digit, repeat."""
    images, labels, who, kinds = [], [], [], {"shape": [], "pen": [], "scan": [], "slant": []}
    for writer in range(writers):
        hand = hand_of(writer, seed)
        for digit in range(10):
            for repeat in range(REPEATS):
                images.append(draw(writer, digit, repeat, seed))
                labels.append(digit)
                who.append(writer)
                kinds["shape"].append(hand.shapes[digit])
                kinds["pen"].append(hand.pen)
                kinds["scan"].append(hand.scan)
                kinds["slant"].append(hand.slant)
    return DrawnSet(
        np.stack(images),
        np.array(labels, dtype=np.int64),
        np.array(who, dtype=np.int64),
        {name: np.array(values) for name, values in kinds.items()},
    )


def encode(drawn: DrawnSet, seed: int = SEED) -> bytes:
    """The sets as the bytes of an .npz file: the images in 8 bits, the labels, writers, kinds and seed."""
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer,
        images=np.round(drawn.images * 255).astype(np.uint8),
        labels=drawn.labels,
        writers=drawn.writers,
        seed=np.array(seed),
        **{f"kind_{name}": values for name, values in drawn.kinds.items()},
    )
    return buffer.getvalue()


def load(path: str | Path = PATH) -> dict[str, DrawnSet]:
    """{"validation": ..., "test": ...}: the first VALIDATION_WRITERS writers' digits, and the others'."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(
            f"{path} is missing: `git checkout -- {path.name}` restores the committed sets, or "
            f"`mnist-drawn-digits --set writers --output {path}` draws them again."
        )
    with np.load(path) as stored:
        whole = DrawnSet(
            stored["images"].astype(np.float32) / 255,
            stored["labels"].astype(np.int64),
            stored["writers"].astype(np.int64),
            {key[len("kind_") :]: stored[key] for key in stored.files if key.startswith("kind_")},
        )
    return {
        name: _part(whole, chosen)
        for name, chosen in (
            ("validation", whole.writers < VALIDATION_WRITERS),
            ("test", whole.writers >= VALIDATION_WRITERS),
        )
    }


def _part(drawn: DrawnSet, chosen: np.ndarray) -> DrawnSet:
    return DrawnSet(
        drawn.images[chosen],
        drawn.labels[chosen],
        drawn.writers[chosen],
        {name: values[chosen] for name, values in drawn.kinds.items()},
    )
