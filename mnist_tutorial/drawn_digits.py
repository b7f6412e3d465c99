"""A second test set: digits drawn through the drawing pad's own renderer, in styles MNIST's writers
seldom used, to see how the networks read a stranger's hand.

Each digit is one of a few hand-written shapes of that digit (a European 1 with its flag, a 7 with
its bar, an open or a closed 4, ...), each shape a list of pen strokes in a unit box. Every digit
drawn gets its own random width, height, slant, turn, position on the pad, pen width and a small
tremble of the hand, from a generator seeded with the set's seed and the digit's index, and is drawn
with `drawpad.render_strokes`, as the pad draws: dark ink on a white 280 x 280 pad.

    images, labels = drawn_digits.load()        # [N, 280, 280] uint8 as the pad gives, and the digits

`mnist-drawn-digits` (`make drawn-digits`) draws the set again and writes `drawn_digits/drawn_digits.npz`;
the same seed always draws the same digits, so the committed file can be checked against its recipe.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import paths
from .drawpad import render_strokes

#: The committed set: where it is, its seed, how many of each digit, the pad's size.
PATH = paths.REPO_ROOT / "drawn_digits" / "drawn_digits.npz"
SEED = 2026
PER_DIGIT = 30
PAD = 280

Stroke = list[tuple[float, float]]


def arc(cx: float, cy: float, rx: float, ry: float, start: float, end: float, points: int = 24) -> Stroke:
    """Points along an ellipse from angle `start` to `end` (degrees; 0 = right, 90 = down, as on a
    screen, so increasing angles go clockwise)."""
    angles = np.deg2rad(np.linspace(start, end, points))
    return [(cx + rx * np.cos(a), cy + ry * np.sin(a)) for a in angles]


#: {digit: {style: strokes}}, each stroke a list of (x, y) in a unit box (y down), pen down to pen up.
SHAPES: dict[int, dict[str, list[Stroke]]] = {
    0: {
        "oval": [arc(0.5, 0.5, 0.5, 0.5, -90, 270, 40)],
        "oval, overlapping": [arc(0.5, 0.5, 0.5, 0.5, -110, 290, 40)],
    },
    1: {
        "stroke": [[(0.5, 0.0), (0.5, 1.0)]],
        "European, with flag": [[(0.1, 0.3), (0.6, 0.0), (0.6, 1.0)]],
        "flag and foot": [[(0.15, 0.25), (0.55, 0.0), (0.55, 1.0)], [(0.2, 1.0), (0.9, 1.0)]],
    },
    2: {
        "flat base": [arc(0.5, 0.28, 0.45, 0.28, 200, 390) + [(0.0, 1.0), (1.0, 1.0)]],
        "curled base": [
            arc(0.5, 0.28, 0.45, 0.28, 200, 390) + [(0.1, 0.9)] + arc(0.2, 0.9, 0.1, 0.1, 180, 30, 10) + [(1.0, 1.0)]
        ],
    },
    3: {
        "round": [arc(0.5, 0.26, 0.42, 0.26, 200, 450) + arc(0.5, 0.75, 0.5, 0.25, 270, 520)],
        "flat top": [[(0.05, 0.0), (0.95, 0.0), (0.45, 0.42)] + arc(0.5, 0.72, 0.5, 0.28, 270, 520)],
    },
    4: {
        "closed": [[(0.7, 0.0), (0.0, 0.68), (1.0, 0.68)], [(0.72, 0.3), (0.72, 1.0)]],
        "open": [[(0.1, 0.0), (0.05, 0.6), (1.0, 0.6)], [(0.75, 0.0), (0.75, 1.0)]],
    },
    5: {
        "one stroke": [[(0.9, 0.0), (0.2, 0.0), (0.17, 0.45)] + arc(0.5, 0.7, 0.45, 0.3, 240, 520)],
        "bar last": [[(0.2, 0.0), (0.17, 0.45)] + arc(0.5, 0.7, 0.45, 0.3, 240, 520), [(0.2, 0.0), (0.9, 0.0)]],
    },
    6: {
        "round": [arc(0.85, 0.62, 0.75, 0.62, 260, 180) + arc(0.5, 0.72, 0.4, 0.28, 180, -180, 32)],
        "straight back": [[(0.75, 0.0), (0.15, 0.65)] + arc(0.5, 0.72, 0.38, 0.28, 150, -210, 32)],
    },
    7: {
        "plain": [[(0.0, 0.0), (1.0, 0.0), (0.35, 1.0)]],
        "European, with bar": [[(0.0, 0.0), (1.0, 0.0), (0.35, 1.0)], [(0.3, 0.52), (0.9, 0.52)]],
    },
    8: {
        "two loops": [arc(0.5, 0.24, 0.36, 0.24, -90, 270, 32), arc(0.5, 0.73, 0.46, 0.27, -90, 270, 32)],
        "one stroke": [
            arc(0.5, 0.24, 0.36, 0.24, 20, -270, 28) + arc(0.5, 0.73, 0.46, 0.27, -90, 250, 32) + [(0.8, 0.1)]
        ],
    },
    9: {
        "straight stem": [arc(0.45, 0.28, 0.45, 0.28, 0, -360, 32) + [(0.9, 0.28), (0.8, 1.0)]],
        "curved stem": [
            arc(0.45, 0.28, 0.45, 0.28, 0, -360, 32) + [(0.9, 0.28), (0.85, 0.8)] + arc(0.6, 0.8, 0.25, 0.2, 0, 130, 8)
        ],
    },
}


@dataclass(frozen=True)
class Style:
    """How one digit of the set is drawn: its shape and the random choices that place it on the pad."""

    label: int
    shape: str
    height: float  # pixels
    width: float  # pixels (the unit box's width; the shape fills it)
    slant: float  # the top moves right by slant x height
    degrees: float  # turned counter-clockwise
    centre: tuple[float, float]  # (x, y) on the pad, pixels
    pen_width: float  # pixels
    tremble: float  # pixels: the standard deviation of each point's wobble


def style_of(index: int, seed: int = SEED, per_digit: int = PER_DIGIT) -> Style:
    """The drawing of digit number `index` of the set: digit index // per_digit, random otherwise."""
    label = index // per_digit
    random = np.random.default_rng([seed, index])
    shapes = list(SHAPES[label])
    shape = shapes[int(random.integers(len(shapes)))]
    height = random.uniform(0.35, 0.85) * PAD
    width = height * (random.uniform(0.15, 0.3) if label == 1 and shape == "stroke" else random.uniform(0.45, 0.8))
    slant, degrees = random.uniform(-0.35, 0.35), random.uniform(-15, 15)
    pen_width = random.uniform(8, 36)
    # Anywhere on the pad where the digit's box, slanted and turned, stays inside (with the pen's radius).
    reach = 0.5 * np.hypot(width + abs(slant) * height, height) + pen_width / 2
    margin = min(reach, PAD / 2)
    centre = (random.uniform(margin, PAD - margin), random.uniform(margin, PAD - margin))
    return Style(label, shape, height, width, slant, degrees, centre, pen_width, random.uniform(0.0, 2.0))


def strokes_of(style: Style, seed: int = SEED, index: int = 0) -> list[Stroke]:
    """The style's shape placed on the pad: scaled, slanted, turned, moved, every point trembling a little."""
    random = np.random.default_rng([seed, index, 1])
    angle = np.deg2rad(style.degrees)
    placed = []
    for stroke in SHAPES[style.label][style.shape]:
        unit = np.asarray(stroke, dtype=float)
        x, y = (unit[:, 0] - 0.5) * style.width, (unit[:, 1] - 0.5) * style.height
        x = x - style.slant * y  # y points down: the top (y < 0) moves right
        # Counter-clockwise on the screen, where y points down.
        x, y = np.cos(angle) * x + np.sin(angle) * y, -np.sin(angle) * x + np.cos(angle) * y
        x, y = x + style.centre[0], y + style.centre[1]
        x, y = x + random.normal(0, style.tremble, len(x)), y + random.normal(0, style.tremble, len(y))
        placed.append(list(zip(x.tolist(), y.tolist())))
    return placed


def draw(index: int, seed: int = SEED, per_digit: int = PER_DIGIT) -> np.ndarray:
    """Digit number `index` of the set, drawn as the pad draws it: [280, 280] uint8, dark ink on white."""
    return _render(style_of(index, seed, per_digit), seed, index)


def _render(style: Style, seed: int, index: int) -> np.ndarray:
    return render_strokes(strokes_of(style, seed, index), size=PAD, pen_width=style.pen_width)


def generate(seed: int = SEED, per_digit: int = PER_DIGIT) -> tuple[np.ndarray, np.ndarray, list[Style]]:
    """The whole set: images [10 x per_digit, 280, 280] uint8, labels, and how each was drawn."""
    count = 10 * per_digit
    styles = [style_of(index, seed, per_digit) for index in range(count)]
    images = np.stack([_render(style, seed, index) for index, style in enumerate(styles)])
    return images, np.array([style.label for style in styles], dtype=np.uint8), styles


def encode(images: np.ndarray, labels: np.ndarray, styles: Sequence[Style], seed: int) -> bytes:
    """The set as the bytes of an .npz file: the ink as bits (the pad's pixels are ink or paper), the
    labels, each digit's shape and pen width, and the seed that drew them."""
    ink = images < 128
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer,
        ink=np.packbits(ink.reshape(len(ink), -1), axis=1),
        labels=labels,
        shapes=np.array([style.shape for style in styles]),
        pen_widths=np.array([style.pen_width for style in styles], dtype=np.float32),
        seed=np.array(seed),
    )
    return buffer.getvalue()


def load(path: str | Path = PATH) -> tuple[np.ndarray, np.ndarray]:
    """(images [N, 280, 280] uint8, dark ink on white as the pad gives them, labels [N]) of the drawn set."""
    path = Path(path)
    if not path.exists():
        if path.resolve() == PATH.resolve():
            committed = PATH.relative_to(paths.REPO_ROOT)
            how = f"`git checkout -- {committed}` restores it, or `make drawn-digits` draws it again"
        else:
            how = f"`mnist-drawn-digits --output {path}` draws the set there (`make drawn-digits`: the committed one)"
        raise FileNotFoundError(f"{path} is missing: {how}.")
    with np.load(path) as stored:
        ink = np.unpackbits(stored["ink"], axis=1)[:, : PAD * PAD].astype(bool).reshape(-1, PAD, PAD)
        return np.where(ink, 0, 255).astype(np.uint8), stored["labels"].astype(np.int64)


def shapes(path: str | Path = PATH) -> np.ndarray:
    """The shape (style name) each digit of the stored set was drawn in."""
    with np.load(Path(path)) as stored:
        return stored["shapes"]
