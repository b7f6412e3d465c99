"""Sphinx configuration of the book: the executed notebooks as chapters, rendered, never run.

`mnist-book` (`make book`) stages the sources next to this file's copy (the landing page, the
notebooks with a line on how to run them, MathJax) and builds them with warnings as errors.
"""

project = "Learn how a neural network learns to read handwritten digits"
author = "the authors of this repository"
copyright = "the authors of this repository"
extensions = ["myst_nb"]

# The notebooks are committed executed: the book shows their saved outputs and never runs them.
nb_execution_mode = "off"
# The drawing pad's widget needs a kernel: its saved view cannot render on a static page, and the
# chapter says so; every other output has a static form.
nb_mime_priority_overrides = [("html", "application/vnd.jupyter.widget-view+json", None)]
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3

exclude_patterns = ["_build", "**.ipynb_checkpoints"]
html_theme = "sphinx_book_theme"
html_title = "Learn how a neural network reads digits"
html_theme_options = {
    "home_page_in_toc": True,
    "show_navbar_depth": 1,
    "use_download_button": True,
    "show_prev_next": True,
    # one search box, the sidebar's: none in the page header
    "navbar_persistent": [],
}
html_last_updated_fmt = None
html_copy_source = False

# MathJax from the locked jupyter-server-mathjax package, served with the book: formulas render
# without a network connection. `mnist-book` copies it into _mathjax/mathjax.
html_static_path = ["_mathjax"]
mathjax_path = "mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full"
mathjax2_config = {
    # myst-nb marks each notebook's section tex2jax_ignore and its math, and outputs, to process
    "tex2jax": {
        "inlineMath": [["\\(", "\\)"]],
        "displayMath": [["\\[", "\\]"]],
        "processClass": "tex2jax_process|mathjax_process|math|output_area",
    },
    # the package ships the STIX web fonts only
    "HTML-CSS": {"availableFonts": [], "webFont": "STIX-Web", "imageFont": None},
}
