"""What the drawing app shows as text: each network's answer, or why there is none.

The HTML carries stable class names and `data-network` attributes, so a browser test (or a
screen reader) can find each network's answer.
"""

import html
from collections.abc import Mapping

import numpy as np

from .classifiers import NETWORKS, CheckpointError


def message_html(text: str) -> str:
    """A short notice in place of the answers, such as "Draw a digit first"."""
    return f'<div class="mnist-readout-message" style="font-size:1.2em;padding:8px">{html.escape(text)}</div>'


def answers_html(probabilities: Mapping[str, np.ndarray], missing: Mapping[str, CheckpointError]) -> str:
    """A table: one row per network with its digit and that digit's softmax output, or what to run first.

    `probabilities` maps a network name to its 10 softmax outputs; `missing` maps a network name to
    the `CheckpointError` that keeps it from reading (its `short` text is shown). The output is shown as
    what it is, a number from 0 to 1, and not as "% sure": it is not a calibrated chance of being right.
    """
    rows = []
    for name in sorted(set(probabilities) | set(missing)):
        label = html.escape(NETWORKS.get(name, name))
        if name in probabilities:
            p = probabilities[name]
            digit = int(p.argmax())
            rows.append(
                f'<tr data-network="{name}"><td>{label}</td>'
                f'<td class="predicted-digit" style="font-size:1.4em;font-weight:bold">{digit}</td>'
                f'<td class="softmax-output">{p[digit]:.2f}</td></tr>'
            )
        else:
            rows.append(
                f'<tr data-network="{name}"><td>{label}</td>'
                f'<td class="missing" colspan="2">{html.escape(missing[name].short)}</td></tr>'
            )
    return (
        '<table class="mnist-readout"><tr><th>network</th><th>reads</th><th>softmax output</th></tr>'
        + "".join(rows)
        + "</table>"
    )
