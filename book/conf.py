"""Sphinx configuration of the book: the executed notebooks as chapters, rendered, never run.

`mnist-book` (`make book`) stages the sources next to this file's copy (the landing page, the
notebooks as committed, the book's stylesheet, search scorer and picture of the drawing pad, MathJax)
and builds them with warnings as errors. What a chapter adds to its notebook (a line on how to run it,
the picture of the pad) is added as Sphinx reads it (`setup` below), so that the staged notebook, the
one the chapter's download button gives, is the committed file.
"""

from pathlib import Path

from mnist_tutorial.commands import book

project = "Learn how a neural network learns to read handwritten digits"
author = "the authors of this repository"
copyright = "the authors of this repository"
extensions = ["myst_nb"]

# The notebooks are committed executed: the book shows their saved outputs and never runs them.
nb_execution_mode = "off"
# A widget needs a kernel: its saved view cannot render on a static page. The drawing pad's chapter
# shows a picture of the pad in its place (`book.show_as_chapter`); every other output has a static form.
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
# The chapter's ".ipynb" download button gives the copy Sphinx keeps of its source: the notebook.
html_copy_source = True
html_css_files = ["book.css"]
# A chapter whose own title holds the word searched for comes before chapters with it in a heading.
html_search_scorer = str(Path(__file__).parent / "scorer.js")  # Sphinx opens it from the working folder

# MathJax from the locked jupyter-server-mathjax package, served with the book: formulas render
# without a network connection. `mnist-book` copies it into _mathjax/mathjax, and the book's
# stylesheet into _book.
html_static_path = ["_mathjax", "_book"]
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


def setup(app):
    """What the book adds to Sphinx: each chapter as it is shown, its code blocks as wide as its code cells,
    figures that open at full size, and no download button on the landing page (its source is not a
    notebook)."""
    app.connect("source-read", book.show_as_chapter)
    app.connect("doctree-resolved", book.widen_code_blocks)
    app.connect("doctree-resolved", book.link_figures_to_full_size)
    app.connect("html-page-context", book.no_download_on_landing_page)  # before the theme's buttons (501)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
