"""A drawing pad for Jupyter (JupyterLab 4, Notebook 7): draw a digit with the mouse, a pen or a finger.

Drawing happens entirely in the browser, so strokes stay smooth while the kernel is busy.
When a stroke ends, the pad sends its pixels to the kernel (the `pixels` trait changes);
`DrawPad.image()` returns them as a 2-D uint8 array, dark ink on white paper. The pad has a
Clear button and a pen-width slider. Built on anywidget.
"""

import base64
import math
import numbers
from collections.abc import Iterable, Sequence

import anywidget
import numpy as np
import traitlets
from numpy.typing import ArrayLike

_ESM = r"""
function render({ model, el }) {
  const size = model.get("size");
  const root = document.createElement("div");
  root.className = "mnist-drawpad";
  const canvas = document.createElement("canvas");
  canvas.width = size;
  canvas.height = size;
  canvas.className = "mnist-drawpad-canvas";
  canvas.setAttribute("aria-label", "drawing pad: draw a digit");
  const ctx = canvas.getContext("2d", { willReadFrequently: true });

  const controls = document.createElement("div");
  controls.className = "mnist-drawpad-controls";
  const clear = document.createElement("button");
  clear.className = "mnist-drawpad-clear";
  clear.textContent = "Clear";
  const penLabel = document.createElement("label");
  penLabel.textContent = "pen ";
  const pen = document.createElement("input");
  pen.type = "range";
  pen.min = "4";
  pen.max = "48";
  pen.className = "mnist-drawpad-pen";
  pen.value = String(model.get("pen_width"));
  penLabel.appendChild(pen);
  controls.append(clear, penLabel);
  root.append(canvas, controls);
  el.appendChild(root);

  let drawing = false;
  let last = null;
  let lastSent = model.get("pixels");

  function blank() {
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, size, size);
  }
  function position(event) {
    const box = canvas.getBoundingClientRect();
    return [(event.clientX - box.left) * size / box.width, (event.clientY - box.top) * size / box.height];
  }
  function segment(from, to) {
    ctx.strokeStyle = "#000000";
    ctx.lineWidth = model.get("pen_width");
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.beginPath();
    ctx.moveTo(from[0], from[1]);
    ctx.lineTo(to[0], to[1]);
    ctx.stroke();
  }
  function send() {
    const rgba = ctx.getImageData(0, 0, size, size).data;
    let text = "";
    const chunk = 8192;
    const gray = new Uint8Array(size * size);
    for (let i = 0; i < gray.length; i++) gray[i] = rgba[4 * i];
    for (let i = 0; i < gray.length; i += chunk) {
      text += String.fromCharCode.apply(null, gray.subarray(i, i + chunk));
    }
    lastSent = btoa(text);
    model.set("pixels", lastSent);
    model.save_changes();
  }
  function paint(encoded) {
    if (!encoded) { blank(); return; }
    const bytes = atob(encoded);
    const image = ctx.createImageData(size, size);
    for (let i = 0; i < size * size; i++) {
      const g = bytes.charCodeAt(i);
      image.data[4 * i] = g; image.data[4 * i + 1] = g; image.data[4 * i + 2] = g; image.data[4 * i + 3] = 255;
    }
    ctx.putImageData(image, 0, 0);
  }

  canvas.addEventListener("pointerdown", (event) => {
    event.preventDefault();
    drawing = true;
    canvas.setPointerCapture(event.pointerId);
    last = position(event);
    segment(last, last);
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!drawing) return;
    const point = position(event);
    segment(last, point);
    last = point;
  });
  const finish = () => {
    if (!drawing) return;
    drawing = false;
    send();
  };
  canvas.addEventListener("pointerup", finish);
  canvas.addEventListener("pointercancel", finish);

  clear.addEventListener("click", () => {
    blank();
    lastSent = "";
    model.set("pixels", "");
    model.save_changes();
  });
  pen.addEventListener("input", () => {
    model.set("pen_width", Number(pen.value));
    model.save_changes();
  });
  model.on("change:pixels", () => {
    const value = model.get("pixels");
    if (value === lastSent) return;
    lastSent = value;
    paint(value);
  });
  model.on("change:pen_width", () => { pen.value = String(model.get("pen_width")); });

  paint(lastSent);
}
export default { render };
"""

_CSS = """
.mnist-drawpad { display: inline-flex; flex-direction: column; gap: 6px; }
.mnist-drawpad-canvas { border: 1px solid #888; border-radius: 4px; cursor: crosshair; touch-action: none;
                        background: #fff; }
.mnist-drawpad-controls { display: flex; gap: 12px; align-items: center; font-family: sans-serif; }
"""


class DrawPad(anywidget.AnyWidget):
    """A square canvas to draw on. `pixels` holds the last drawing (base64 of size*size gray bytes)."""

    _esm = _ESM
    _css = _CSS
    size = traitlets.Int(280).tag(sync=True)
    pen_width = traitlets.Int(20).tag(sync=True)
    pixels = traitlets.Unicode("").tag(sync=True)

    def __repr__(self):
        return f"DrawPad(size={self.size}, pen_width={self.pen_width})"

    def image(self) -> np.ndarray | None:
        """The drawing as a [size, size] uint8 array (255 = white paper, 0 = ink); None if blank."""
        if not self.pixels:
            return None
        gray = np.frombuffer(base64.b64decode(self.pixels), np.uint8)
        if gray.size != self.size * self.size:
            raise ValueError(f"The pad sent {gray.size} pixels, expected {self.size} x {self.size}.")
        return gray.reshape(self.size, self.size)

    def show(self, image: ArrayLike) -> None:
        """Put `image` (a [size, size] uint8 array, dark ink on white) on the pad, as if drawn there."""
        image = np.asarray(image)
        if image.shape != (self.size, self.size) or image.dtype != np.uint8:
            raise ValueError(f"Expected a {self.size} x {self.size} uint8 image, got {image.dtype} {image.shape}.")
        self.pixels = base64.b64encode(image.tobytes()).decode("ascii")


#: The largest pad `render_strokes` draws on, in pixels a side (the pad itself is 280).
MAX_SIZE = 4096


def render_strokes(
    strokes: Iterable[Sequence[tuple[float, float]]], size: int = 280, pen_width: float = 20
) -> np.ndarray:
    """Draw strokes as the pad would: round pen, dark ink on white. Returns a [size, size] uint8 array.

    `strokes` is a list of strokes, each a list of (x, y) points in pixels. The pen is stamped along each
    segment at least once a pixel, and each stamp inks only the pixels under it. A point off the pad is
    fine: a segment is cut a pad's width beyond the edge, so a point far away costs no more than one near
    it. ValueError, naming the stroke and the point, for a point that is not two finite numbers.
    """
    if isinstance(size, bool) or not isinstance(size, numbers.Integral) or not 1 <= size <= MAX_SIZE:
        raise ValueError(f"size must be a whole number of pixels from 1 to {MAX_SIZE}, not {size!r}.")
    if isinstance(pen_width, bool) or not isinstance(pen_width, numbers.Real) or not 0 < pen_width < math.inf:
        raise ValueError(f"pen_width must be a number of pixels greater than 0, not {pen_width!r}.")
    size = int(size)
    ink = np.zeros((size, size), bool)
    radius = pen_width / 2
    # A stamp centred more than radius + 1 off the pad leaves no ink on it. Segments are cut a whole pad's
    # width beyond that, so that a stroke leaving the pad a little is stamped at the same places as ever.
    reach = size + radius + 1
    for number, stroke in enumerate(strokes, start=1):
        points = _points(stroke, number)
        for start, end in zip(points, points[1:] if len(points) > 1 else points):
            segment = _clipped(start, end, -reach, size + reach)
            if segment is None:
                continue
            start, end = segment
            length = max(np.hypot(*(end - start)), 1.0)
            for t in np.linspace(0.0, 1.0, int(length) + 1):
                _stamp(ink, *(start + t * (end - start)), radius)
    return np.where(ink, 0, 255).astype(np.uint8)


def _points(stroke, number):
    """A stroke's points as an [N, 2] float array; ValueError unless each is two finite numbers."""
    try:
        points = np.asarray(stroke, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(
            f"stroke {number} is not a list of (x, y) points: each point must be two numbers, in pixels."
        ) from None
    if points.size == 0:
        return points.reshape(0, 2)
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(
            f"stroke {number} is not a list of (x, y) points (its values have the shape {points.shape}): "
            f"give each point as two numbers, (x, y), in pixels."
        )
    bad = np.flatnonzero(~np.isfinite(points).all(axis=1))
    if len(bad):
        x, y = points[bad[0]]
        raise ValueError(
            f"point {bad[0] + 1} of stroke {number} is ({x}, {y}): a point must have finite coordinates, in pixels."
        )
    return points


def _clipped(start, end, low, high):
    """The part of the segment from `start` to `end` inside the square [low, high] x [low, high] (Liang and
    Barsky's clipping), or None when it misses the square. A segment inside it is returned as it is."""
    if (low <= start).all() and (start <= high).all() and (low <= end).all() and (end <= high).all():
        return start, end
    delta = end - start
    t0, t1 = 0.0, 1.0
    for p, q in (
        (-delta[0], start[0] - low),
        (delta[0], high - start[0]),
        (-delta[1], start[1] - low),
        (delta[1], high - start[1]),
    ):
        if p == 0:
            if q < 0:
                return None
            continue
        t = q / p
        if p < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
        if t0 > t1:
            return None
    return start + t0 * delta, start + t1 * delta


def _stamp(ink, x, y, radius):
    """Ink every pixel of `ink` whose centre lies within `radius` of (x, y): the pen's round tip."""
    size = ink.shape[0]
    left, right = max(0, math.floor(x - radius - 1)), min(size, math.ceil(x + radius + 1))
    top, bottom = max(0, math.floor(y - radius - 1)), min(size, math.ceil(y + radius + 1))
    if left >= right or top >= bottom:
        return
    rows, cols = np.ogrid[top:bottom, left:right]
    ink[top:bottom, left:right] |= (cols + 0.5 - x) ** 2 + (rows + 0.5 - y) ** 2 <= radius**2
