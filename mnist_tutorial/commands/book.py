"""Build the series as a book: a static website of the executed notebooks, with Sphinx and myst-nb.

    mnist-book                # or: make book     -> build/book/index.html
    mnist-book --serve        # or: make book-serve: build, then serve it at http://127.0.0.1:8000/

The notebooks are never executed: the book shows their committed outputs, so a build takes
seconds. Sphinx's warnings are errors: a broken reference, a missing image or a notebook left out
of the table of contents fails the build. The sources are staged in build/book-source/ (the landing
page with the table of results, a copy of each notebook with a first line on how to run it, and
MathJax from the locked jupyter-server-mathjax package, so that formulas render offline).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import shutil
import sys
import time
from pathlib import Path

import nbformat

from .. import catalog, paths
from .run_notebooks import table_cells

BOOK = paths.REPO_ROOT / "book"
SOURCE = paths.REPO_ROOT / "build" / "book-source"
OUTPUT = paths.REPO_ROOT / "build" / "book"
#: What of the packaged MathJax 2 the book leaves out: the SVG output and the accessibility
#: extensions (it renders with HTML-CSS and the STIX web fonts), 6.6 MB of its 12.
MATHJAX_LEFT_OUT = ("jax/output/SVG", "extensions/a11y")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mnist-book", description=__doc__.splitlines()[0])
    parser.add_argument("--serve", action="store_true", help="after building, serve the book on the loopback address")
    parser.add_argument("--port", type=int, default=8000, help="the port to serve on (default 8000)")
    args = parser.parse_args(argv)
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
    """Write the sources: conf.py, the landing page, the chapters and MathJax."""
    if source.exists():
        shutil.rmtree(source)
    (source / "notebooks").mkdir(parents=True)
    shutil.copy(BOOK / "conf.py", source / "conf.py")
    landing = (BOOK / "index.md").read_text()
    (source / "index.md").write_text(landing.replace("{table}", _table()).replace("{toctrees}", _toctrees()))
    for notebook in catalog.by_number():
        _stage_chapter(notebook, source)
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


def _stage_chapter(notebook: catalog.Notebook, source: Path) -> None:
    """A copy of the notebook with a line under its title saying how to run it (and, for the drawing
    pad, why it does not draw here)."""
    nb = nbformat.read(notebook.path, as_version=4)
    note = (
        f"*This page is `notebooks/{notebook.filename}`, executed and saved; to run it yourself, "
        f"run `make lab` in the repository and open it there.*"
    )
    if notebook.slug == "draw_a_digit":
        note += (
            " *The drawing pad needs a running Python kernel, so it cannot draw on this static page: "
            "the example reading saved below shows what it does.*"
        )
    title, _, rest = nb.cells[0].source.partition("\n")  # the note goes right under the chapter's title
    nb.cells[0].source = f"{title}\n\n{note}\n{rest}"
    nb.metadata.pop("widgets", None)  # saved widget state would have the page load widget scripts from a CDN
    nbformat.write(nb, source / "notebooks" / notebook.filename)


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
