"""The notebooks' figures, and how Jupyter shows them.

Every function returns a matplotlib Figure. The figures are not registered with pyplot, so they
are never shown twice and never pile up in memory; for Jupyter to show one that ends a cell (or
is passed to `display`), call `use_compact_png()` once, in the notebook's imports cell. Elsewhere
use `fig.savefig(...)`. Importing this package changes nothing in IPython.

The modules, one job each (the notebooks call everything through `plotting.`):

- `display`: the IPython PNG formatter (`use_compact_png`);
- `page`: what every figure shares: its width, grids, step axes, line colours, readable text colours;
- `curves`: how a run went: learning curves (live and final), train against validation, per layer;
- `images`: digits, mistakes, weights as images, convolution filters and feature maps;
- `confusion`: the confusion matrix;
- `robustness`: accuracy against how far the digits were changed;
- `reading`: what the networks read in a drawing, as softmax outputs.
"""

from .confusion import CONFUSION_TOP, confusion_matrix, plot_confusion_matrix
from .curves import (
    SMOOTHING_BATCHES,
    Curves,
    accuracy_zoom_range,
    draw_curves,
    draw_measure,
    moving_average,
    plot_layer_curves,
    plot_train_and_validation,
    plot_training_curves,
    smoothing_window,
)
from .display import compact_png, has_continuous_scale, use_compact_png
from .images import (
    plot_digits,
    plot_feature_maps,
    plot_filters,
    plot_misclassified,
    plot_weight_images,
    plot_weight_snapshots,
    weight_limit,
)
from .page import DIGITS, LINE_COLOURS, LINE_MARKERS, MAX_WIDTH, WEIGHT_COLORMAP, new_figure
from .reading import plot_reading
from .robustness import accuracy_range, plot_accuracy_curves

__all__ = [
    "CONFUSION_TOP",
    "DIGITS",
    "LINE_COLOURS",
    "LINE_MARKERS",
    "MAX_WIDTH",
    "SMOOTHING_BATCHES",
    "WEIGHT_COLORMAP",
    "Curves",
    "accuracy_range",
    "accuracy_zoom_range",
    "compact_png",
    "confusion_matrix",
    "draw_curves",
    "draw_measure",
    "has_continuous_scale",
    "moving_average",
    "new_figure",
    "plot_accuracy_curves",
    "plot_confusion_matrix",
    "plot_digits",
    "plot_feature_maps",
    "plot_filters",
    "plot_layer_curves",
    "plot_misclassified",
    "plot_reading",
    "plot_train_and_validation",
    "plot_training_curves",
    "plot_weight_images",
    "plot_weight_snapshots",
    "smoothing_window",
    "use_compact_png",
    "weight_limit",
]
