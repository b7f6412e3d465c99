"""Build the series as a book: a static website of the executed notebooks, with Sphinx and myst-nb.

    mnist-book                # or: make book     -> build/book/index.html
    mnist-book --serve        # or: make book-serve: build, then serve it at http://127.0.0.1:8000/
    mnist-book --pad-picture  # or: make book-pad-picture: the picture of the drawing pad, book/draw_pad.png

The notebooks are never executed: the book shows their committed outputs, so a build takes
seconds. Sphinx's warnings are errors: a broken reference, a missing image or a notebook left out
of the table of contents fails the build. The sources are staged in build/book-source/ (the landing
page with the table of results, the notebooks as committed, the book's stylesheet and search
scorer, the picture of the pad, and MathJax from the locked jupyter-server-mathjax package, so that
formulas render offline); what a chapter shows besides its notebook is added as Sphinx reads it.

The drawing pad draws only where a kernel runs, so its chapter shows a picture of it, committed:
`--pad-picture` takes it again (after a change to the pad or to notebook 13) by running notebook 13
in JupyterLab in Chromium, on the networks your runs of notebooks 1-4, 7 and 9 saved.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import posixpath
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import nbformat
from docutils import nodes
from sphinx.util.osutil import relative_uri

from .. import catalog, paths
from .run_notebooks import table_cells

BOOK = paths.REPO_ROOT / "book"
SOURCE = paths.REPO_ROOT / "build" / "book-source"
OUTPUT = paths.REPO_ROOT / "build" / "book"
#: What of the packaged MathJax 2 the book leaves out: the SVG output and the accessibility
#: extensions (it renders with HTML-CSS and the STIX web fonts), 6.6 MB of its 12.
MATHJAX_LEFT_OUT = ("jax/output/SVG", "extensions/a11y")
#: The picture of the drawing pad that chapter 12 shows in place of the pad (`mnist-book --pad-picture`).
PAD_PICTURE = BOOK / "draw_pad.png"
PAD_MARKDOWN = (
    f"![The drawing pad in JupyterLab: the pre-drawn 3 on the canvas, a Clear button and a pen slider under "
    f"it, and each network's answer beside it](../pictures/{PAD_PICTURE.name})\n\n"
    '*The pad in JupyterLab after Run All Cells, holding the 3 that the cell under "A pre-drawn example" puts '
    "on it: a picture, since the pad draws only where a kernel runs.*"
)
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
#: The tag the book gives every code cell: its stylesheet widens those cells (the theme's own class for it).
FULL_WIDTH = "full-width"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mnist-book", description=__doc__.splitlines()[0])
    parser.add_argument("--serve", action="store_true", help="after building, serve the book on the loopback address")
    parser.add_argument("--port", type=int, default=8000, help="the port to serve on (default 8000)")
    parser.add_argument(
        "--pad-picture",
        action="store_true",
        help=f"instead of building, take the picture of the drawing pad the book shows ({PAD_PICTURE.name})",
    )
    args = parser.parse_args(argv)
    if args.pad_picture:
        picture_pad()
        print(f"Took the picture of the drawing pad: {PAD_PICTURE}")
        return 0
    started = time.perf_counter()
    if build() != 0:
        print("The book was not built: Sphinx's warnings, above, are errors here. Fix what they name.", file=sys.stderr)
        return 1
    size = sum(path.stat().st_size for path in OUTPUT.rglob("*") if path.is_file())
    print(
        f"Built the book in {time.perf_counter() - started:.1f} s ({size / 1e6:.1f} MB): open {OUTPUT / 'index.html'}"
    )
    if args.serve:
        serve(args.port)
    return 0


def picture_pad(output: Path = PAD_PICTURE) -> None:
    """Take the picture of the drawing pad that the book shows in its place, and write it to `output`
    (whole or not at all): notebook 13, copied to a temporary folder, run in JupyterLab in headless
    Chromium, its pad holding the pre-drawn example and every network's answer beside it.

    Refuses, in one line, without Chromium or while a network has no usable checkpoint (the picture
    would show "missing" where an answer goes).
    """
    import tempfile

    from .. import atomic_files, tf_logging
    from . import lab_browser

    tf_logging.silence_tensorflow()
    from .. import classifiers

    program = lab_browser.chromium()
    if not program:
        raise SystemExit(
            "mnist-book: the pad's picture is taken with Chromium, which is not installed: "
            "apt-get install chromium (or set CHROMIUM=/path/to/chromium)."
        )
    unusable = []
    for name in classifiers.NETWORKS:
        try:
            classifiers.check(name)
        except classifiers.CheckpointError:
            unusable.append(name)
    if unusable:
        raise SystemExit(
            f"mnist-book: the pad's picture shows every network's answer, and there is no usable checkpoint of "
            f'{", ".join(unusable)}: run make notebooks ARGS="{" ".join(name[:2] for name in unusable)}" first.'
        )
    from playwright.sync_api import expect, sync_playwright

    pad = catalog.find("draw_a_digit")
    with tempfile.TemporaryDirectory(prefix="mnist-pad-picture-") as scratch:
        root = Path(scratch) / "notebooks"
        root.mkdir()
        shutil.copy(pad.path, root)
        with lab_browser.jupyter_lab(root, Path(scratch)) as url, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=program, args=lab_browser.CHROMIUM_FLAGS)
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                lab_browser.open_notebook(page, url, pad.filename)
                lab_browser.run_all_cells(page)
                widget = page.locator(".jp-OutputArea-output .widget-hbox").first
                answers = widget.locator(".mnist-readout .predicted-digit")
                expect(answers).to_have_count(len(classifiers.NETWORKS), timeout=120_000)
                expect(widget.locator(".widget-output img").first).to_be_visible(timeout=60_000)
                widget.scroll_into_view_if_needed()
                page.wait_for_timeout(1000)  # the last stroke of the redrawn canvas, the figure decoded
                picture = widget.screenshot(animations="disabled")
            finally:
                browser.close()
    atomic_files.write_bytes(output, picture)


def build(source: Path = SOURCE, output: Path = OUTPUT) -> int:
    """Stage the sources in `source` and build the book afresh into `output`; Sphinx's exit status."""
    stage(source)
    if output.exists():
        shutil.rmtree(output)  # no page of a renamed or removed chapter left behind
    return sphinx(source, output)


def sphinx(source: Path, output: Path) -> int:
    """Sphinx's HTML build of staged sources, warnings as errors (all reported before it fails)."""
    from sphinx.cmd.build import build_main

    return build_main(["-W", "--keep-going", "-q", "-b", "html", str(source), str(output)])


def stage(source: Path = SOURCE) -> None:
    """Write the sources: conf.py, the book's stylesheet and search scorer, the landing page, the
    notebooks as committed, the picture of the drawing pad, and MathJax."""
    if source.exists():
        shutil.rmtree(source)
    (source / "notebooks").mkdir(parents=True)
    for name in ("conf.py", "scorer.js"):
        shutil.copy(BOOK / name, source / name)
    (source / "_book").mkdir()
    shutil.copy(BOOK / "book.css", source / "_book" / "book.css")
    (source / "pictures").mkdir()
    shutil.copy(PAD_PICTURE, source / "pictures" / PAD_PICTURE.name)
    landing = (BOOK / "index.md").read_text()
    (source / "index.md").write_text(landing.replace("{table}", _table()).replace("{toctrees}", _toctrees()))
    for notebook in catalog.by_number():
        shutil.copy(notebook.path, source / "notebooks" / notebook.filename)
    _stage_mathjax(source)


def _table() -> str:
    """The landing page's table: each chapter with the result its outputs print and its spread over
    seeds (the README's table also describes each network and quotes the sources)."""
    rows = ["| chapter | this repo | seeds 1-5: mean ± sd | seconds (training / total) |", "| --- | --- | --- | --- |"]
    for notebook in catalog.by_number():
        cells = table_cells(notebook)
        rows.append(
            f"| [{cells['title']}](notebooks/{notebook.filename}) | {cells['measured']} | {cells['over_seeds']} "
            f"| {cells['seconds']} |"
        )
    return "\n".join(rows)


def _toctrees() -> str:
    """One table of contents per part of the series (the catalog's `part`), its chapters in run order."""
    blocks = []
    for caption in catalog.PARTS:
        entries = "\n".join(
            f"notebooks/{notebook.name}" for notebook in catalog.by_number() if notebook.part == caption
        )
        blocks.append(f"```{{toctree}}\n:caption: {caption}\n:maxdepth: 1\n\n{entries}\n```")
    return "\n\n".join(blocks)


def _chapter(docname: str) -> catalog.Notebook | None:
    """The catalog's notebook that the page `docname` shows (None for the landing page, or a stray file)."""
    folder, _, name = docname.partition("/")
    return (
        next((notebook for notebook in catalog.NOTEBOOKS if notebook.name == name), None)
        if folder == "notebooks"
        else None
    )


def show_as_chapter(app: Any, docname: str, source: list[str]) -> None:
    """Sphinx's `source-read` handler: a chapter's notebook as the book shows it.

    Under its title, a line on how to run it; each code cell tagged full-width, which the book's
    stylesheet widens so that a line of 120 characters fits; the saved widget state dropped (it would
    have the page load widget scripts from a CDN); and in the drawing pad's chapter, a picture of the
    pad where Jupyter, without a kernel, shows a line of text. The file itself is left as committed:
    it is what the chapter's download button gives.
    """
    notebook = _chapter(docname)
    if notebook is None:
        return
    nb = nbformat.reads(source[0], as_version=4)
    note = (
        f"*This page is `notebooks/{notebook.filename}`, executed and saved; to run it yourself, "
        f"run `make lab` in the repository and open it there.*"
    )
    if notebook.slug == "draw_a_digit":
        note += (
            " *The drawing pad needs a running Python kernel, so it cannot draw on this static page: a "
            'picture shows it under "The pad", and the example reading saved below shows what it does.*'
        )
        _show_pad_as_picture(nb)
    title, _, rest = nb.cells[0].source.partition("\n")  # the note goes right under the chapter's title
    nb.cells[0].source = f"{title}\n\n{note}\n{rest}"
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.metadata["tags"] = [*cell.metadata.get("tags", []), FULL_WIDTH]
    nb.metadata.pop("widgets", None)
    source[0] = nbformat.writes(nb)


def _show_pad_as_picture(nb: nbformat.NotebookNode) -> None:
    """Put the picture of the drawing pad in place of its widget's output (a line of text without a kernel)."""
    for cell in nb.cells:
        for index, output in enumerate(cell.get("outputs", [])):
            if WIDGET_VIEW in output.get("data", {}):
                cell.outputs[index] = nbformat.v4.new_output("display_data", data={"text/markdown": PAD_MARKDOWN})
                return
    raise ValueError(
        "The drawing pad's notebook shows no widget, so the book has nowhere to put the picture of the pad: "
        "run the notebook again (make notebooks ARGS=13)."
    )


def link_figures_to_full_size(app: Any, doctree: nodes.document, docname: str) -> None:
    """Sphinx's `doctree-resolved` handler: each figure a cell shows links to its file, so that a reader
    can open it at full size (a figure about 1,000 pixels wide is shown at a third of that on a phone)."""
    if app.builder.format != "html":
        return
    folder = relative_uri(app.builder.get_target_uri(docname), app.builder.imagedir)
    for image in list(doctree.findall(nodes.image)):
        uri = image.get("candidates", {}).get("*", image["uri"])
        if uri not in app.env.images or isinstance(image.parent, nodes.reference) or not _inside(image, "cell_output"):
            continue
        link = nodes.reference(
            "",
            "",
            internal=True,
            refuri=posixpath.join(folder, app.env.images[uri][1]),
            reftitle="Open the figure at full size",
            classes=["figure-full-size"],
        )
        image.replace_self(link)
        link.append(image)


def widen_code_blocks(app: Any, doctree: nodes.document, docname: str) -> None:
    """Sphinx's `doctree-resolved` handler: a code block in a chapter's text (the network's tensor shapes,
    drawn in characters, up to 108 wide) gets the theme's full-width class, as the code cells have."""
    if _chapter(docname) is None:
        return
    for block in doctree.findall(nodes.literal_block):
        if not _inside(block, "cell"):
            block["classes"].append(FULL_WIDTH)


def _inside(node: nodes.Node, container_class: str) -> bool:
    """Whether `node` is inside a container with class `container_class` (myst-nb's `cell`, `cell_output`)."""
    while node is not None:
        if container_class in node.get("classes", []):
            return True
        node = node.parent
    return False


def no_download_on_landing_page(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """Sphinx's `html-page-context` handler: no download button on the landing page, whose source is the
    staged Markdown, not a notebook (the theme adds the buttons after this handler runs)."""
    if pagename == app.config.root_doc:
        context["page_source_suffix"] = None


def _stage_mathjax(source: Path) -> None:
    import jupyter_server_mathjax

    origin = Path(jupyter_server_mathjax.__file__).parent / "static"
    left_out = {origin / part for part in MATHJAX_LEFT_OUT}
    shutil.copytree(
        origin,
        source / "_mathjax" / "mathjax",
        ignore=lambda folder, names: [name for name in names if Path(folder) / name in left_out],
    )


def serve(port: int, output: Path = OUTPUT) -> None:
    """Serve the built book at http://127.0.0.1:<port>/ until interrupted."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(output))
    try:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as error:
        raise SystemExit(
            f"mnist-book: cannot serve on port {port} ({error.strerror}): choose another, "
            f"mnist-book --serve --port 8001 (make book-serve BOOK_PORT=8001)."
        ) from None
    with server:
        print(f"Serving the book at http://127.0.0.1:{port}/ (Ctrl-C stops it)")
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
