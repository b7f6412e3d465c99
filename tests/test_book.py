"""The book (`make book`): it builds from the committed notebooks with Sphinx's warnings as errors,
holds every chapter with its figures, renders formulas with the MathJax it ships, and fails on a
broken reference, a missing image or a notebook left out of the table of contents. Each chapter's
download button gives its notebook, each figure opens at full size, and the drawing pad's chapter
shows a picture of the pad. (Its pages in a real browser: tests/test_browser.py.)"""

import re
import shutil

import pytest
from PIL import Image

from mnist_tutorial import catalog
from mnist_tutorial.commands import book, lab_browser


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The book, built once for this module: (sources, output)."""
    root = tmp_path_factory.mktemp("book")
    assert book.build(root / "source", root / "html") == 0, "the book builds with warnings as errors"
    return root / "source", root / "html"


def test_the_book_has_every_notebook_as_a_chapter_with_its_figures(built):
    _, html = built
    landing = (html / "index.html").read_text()
    for notebook in catalog.NOTEBOOKS:
        assert f'href="notebooks/{notebook.name}.html"' in landing, f"{notebook.name} is in the table of contents"
        page = (html / "notebooks" / f"{notebook.name}.html").read_text()
        images = re.findall(r'<img[^>]+src="\.\./(_images/[^"]+)"', page)
        assert images, f"{notebook.name} shows its figures"
        assert all((html / image).stat().st_size > 0 for image in images)
        text = re.sub(r"<[^>]+>", "", page)
        assert f"notebooks/{notebook.filename}" in text and "run make lab" in text, "how to run it yourself"
    assert (
        "cannot draw on this static page"
        in (html / "notebooks" / f"{catalog.find('draw_a_digit').name}.html").read_text()
    )


def test_each_chapters_download_button_gives_its_notebook_as_committed(built):
    _, html = built
    for notebook in catalog.NOTEBOOKS:
        page = (html / "notebooks" / f"{notebook.name}.html").read_text()
        links = re.findall(r'<a href="([^"]+)"[^>]*\n?\s*class="[^"]*btn-download-source-button', page)
        assert links == [f"../_sources/notebooks/{notebook.filename}"], f"{notebook.name}'s download button: {links}"
        download = html / "notebooks" / links[0]
        assert download.read_bytes() == notebook.path.read_bytes(), f"{notebook.name}'s download is its notebook"
    landing = (html / "index.html").read_text()
    assert "btn-download-source-button" not in landing, "the landing page offers no Markdown download"


def test_the_pad_chapter_shows_a_picture_of_the_pad_not_a_line_of_text(built):
    _, html = built
    page = (html / "notebooks" / f"{catalog.find('draw_a_digit').name}.html").read_text()
    outputs = re.findall(r'<div class="cell_output docutils container">(.*?)\n</div>\n</div>', page, re.S)
    assert outputs and not [output for output in outputs if "HBox(" in output], "the widget's text form is not shown"
    pictures = re.findall(r'<img alt="([^"]*)" src="\.\./(_images/draw_pad[^"]*\.png)"', page)
    assert len(pictures) == 1, "one picture of the pad"
    alt, picture = pictures[0]
    assert "drawing pad" in alt
    with Image.open(html / picture) as image:
        assert min(image.size) >= 280, f"the picture shows the pad whole (280 px wide), not {image.size}"
    assert page.index(picture) > page.index('id="the-pad"'), "in the pad's place, under its heading"


def test_each_figure_of_a_chapter_opens_at_full_size(built):
    _, html = built
    for notebook in catalog.NOTEBOOKS:
        page = (html / "notebooks" / f"{notebook.name}.html").read_text()
        outputs = re.findall(r'<div class="cell_output docutils container">(.*?)\n</div>\n</div>', page, re.S)
        images = [image for output in outputs for image in re.findall(r"<img[^>]+>", output)]
        linked = [
            (href, src)
            for output in outputs
            for href, src in re.findall(r'<a [^>]*href="([^"]+)"[^>]*>\s*<img[^>]+src="([^"]+)"', output)
        ]
        assert images and len(linked) == len(images), f"{notebook.name}: every figure is a link"
        assert all(href == src for href, src in linked), f"{notebook.name}: each links to its own file"


def test_the_book_needs_no_network_formulas_included(built):
    _, html = built
    assert (html / "_static" / "mathjax" / "MathJax.js").is_file()
    chapter = (html / "notebooks" / f"{catalog.find('softmax').name}.html").read_text()
    assert re.search(r'src="\.\./_static/mathjax/MathJax\.js', chapter), "the chapters load the MathJax shipped"
    for page in html.rglob("*.html"):
        remote = re.findall(r'(?:src|href)="(https?://[^"]+\.(?:js|css|woff2?))"', page.read_text())
        assert not remote, f"{page.name} loads {remote[0]} from the network"


@pytest.mark.parametrize(
    "damage, names",
    [
        ("a link to a chapter that does not exist", "missing.ipynb"),
        ("an image that does not exist", "missing.png"),
        ("a notebook left out of the table of contents", "toctree"),
    ],
)
def test_a_broken_reference_a_missing_image_or_a_chapter_left_out_fails_the_build(
    built, tmp_path, capsys, damage, names
):
    staged, _ = built
    source = tmp_path / "source"
    shutil.copytree(staged, source)
    if damage.startswith("a link"):
        (source / "index.md").write_text((source / "index.md").read_text() + "\n[gone](notebooks/missing.ipynb)\n")
    elif damage.startswith("an image"):
        (source / "index.md").write_text((source / "index.md").read_text() + "\n![gone](missing.png)\n")
    else:
        shutil.copy(source / "notebooks" / catalog.find("softmax").filename, source / "notebooks" / "99_extra.ipynb")
    assert book.sphinx(source, tmp_path / "html") != 0, f"{damage} fails the build"
    assert names in capsys.readouterr().err


def test_serving_on_a_port_in_use_says_which_and_how_to_choose_another(tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(SystemExit, match=rf"cannot serve on port {port} .*--port 8001"):
            book.serve(port, tmp_path)


def test_the_pad_picture_is_refused_in_one_line_without_chromium_or_the_networks(tmp_path, monkeypatch):
    """`mnist-book --pad-picture` names what is missing and how to get it, and leaves the picture alone."""
    picture = tmp_path / "draw_pad.png"
    monkeypatch.setattr(lab_browser, "chromium", lambda: None)
    with pytest.raises(SystemExit, match=r"^mnist-book: .* Chromium, which is not installed: apt-get install chromium"):
        book.picture_pad(picture)
    monkeypatch.setattr(lab_browser, "chromium", lambda: "/usr/bin/chromium")
    # The autouse output folder holds no checkpoint.
    with pytest.raises(
        SystemExit,
        match=r"no usable checkpoint of 01_softmax, .*10_reading_handwriting: run make "
        r'notebooks ARGS="01 02 03 04 08 10" first\.$',
    ) as refusal:
        book.picture_pad(picture)
    assert "\n" not in str(refusal.value)
    assert not picture.exists()
