"""Real browsers: the drawing pad in Jupyter, and TensorBoard, on loopback, with headless Chromium
driven by Playwright.

The drawing-pad test opens a copy of the drawing-pad notebook (never the committed one: Jupyter saves what it runs) in
JupyterLab 4 and in Notebook 7, runs all its cells, and then uses the pad as a person would: Clear, a single
dot, and a digit drawn with mouse strokes, checking what the page shows after each.
"""

import contextlib
import functools
import http.server
import os
import shutil
import sys
import threading
import urllib.parse
import urllib.request

import pytest

from mnist_tutorial import catalog, classifiers
from mnist_tutorial.commands import lab_browser

from notebook_runs import NOTEBOOKS

pytestmark = pytest.mark.browser

CHROMIUM = lab_browser.chromium()
CHROMIUM_FLAGS = lab_browser.CHROMIUM_FLAGS
READOUT = ".jp-OutputArea .widget-output"
#: The network whose answers the drawing-pad test reads, and the notebook whose logs TensorBoard shows.
RELU_300 = catalog.find("relu_hidden300").name
SOFTMAX = catalog.find("softmax").name
DRAW_PAD = catalog.find("draw_a_digit").filename

if not CHROMIUM:
    reason = "Chromium is not installed (apt-get install chromium, or set CHROMIUM=/path/to/chromium)"
    if os.environ.get("CI"):
        pytest.fail(f"the browser test cannot run in CI: {reason}", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


@pytest.fixture
def jupyter_server(trained_checkpoints, tmp_path):
    """JupyterLab serving a copy of the drawing-pad notebook, with settings and runtime files kept in tmp_path."""
    root = tmp_path / "notebooks"
    root.mkdir()
    shutil.copy(NOTEBOOKS / DRAW_PAD, root)
    with lab_browser.jupyter_lab(root, tmp_path) as url:
        yield url, root


def _draw(page, canvas, strokes):
    """Draw strokes on the canvas with the mouse; points are fractions of the canvas size."""
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    for stroke in strokes:
        x, y = stroke[0]
        page.mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"])
        page.mouse.down()
        for (x0, y0), (x1, y1) in zip(stroke, stroke[1:]):
            for t in [i / 12 for i in range(1, 13)]:
                page.mouse.move(
                    box["x"] + (x0 + t * (x1 - x0)) * box["width"], box["y"] + (y0 + t * (y1 - y0)) * box["height"]
                )
        page.mouse.up()


@pytest.mark.parametrize("front_end", ["JupyterLab 4", "Notebook 7"])
def test_draw_a_digit(front_end, jupyter_server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    url, root = jupyter_server
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            lab_browser.open_notebook(page, url, DRAW_PAD, front_end)
            # The environment's settings (jupyter/overrides.json) have answered JupyterLab's question about
            # its news feed, so no notification covers the notebook.
            page.wait_for_timeout(3000)
            notifications = page.locator(".Toastify__toast, .jp-Notification-Toast")
            assert notifications.count() == 0, f"a notification is shown: {notifications.all_inner_texts()}"
            assert page.get_by_text("official Jupyter news").count() == 0
            lab_browser.run_all_cells(page)

            canvas = page.locator("canvas.mnist-drawpad-canvas")
            expect(canvas).to_be_visible(timeout=180_000)
            readout = page.locator(READOUT).first
            # The pre-drawn "3" reaches the pad and the answers beside it.
            expect(readout.locator(f'[data-network="{RELU_300}"] .predicted-digit')).to_have_text("3", timeout=120_000)
            # The probability bars stay at (nearly) their full size in ordinary laptop windows.
            for width in (1280, 1024):
                page.set_viewport_size({"width": width, "height": 900})
                reading = readout.locator("img").first
                reading.scroll_into_view_if_needed()
                page.wait_for_timeout(500)
                shown, natural = reading.evaluate("(img) => [img.getBoundingClientRect().width, img.naturalWidth]")
                assert shown >= 0.95 * natural, f"{width} px window: the reading is shown at {shown / natural:.0%}"
            page.set_viewport_size({"width": 1400, "height": 1000})

            # Clear: the canvas empties and the answers make way for a request to draw.
            page.locator(".mnist-drawpad-clear").click()
            expect(readout.locator(".mnist-readout-message")).to_have_text("Draw a digit first.", timeout=30_000)
            assert readout.locator(".mnist-readout").count() == 0

            # A single dot is not a digit.
            _draw(page, canvas, [[(0.5, 0.5), (0.51, 0.5)]])
            expect(readout.locator(".mnist-readout-message")).to_contain_text("holds only a dot", timeout=30_000)

            # A 7, drawn with the mouse: a bar across the top and a stroke down to the left.
            page.locator(".mnist-drawpad-clear").click()
            expect(readout.locator(".mnist-readout-message")).to_have_text("Draw a digit first.", timeout=30_000)
            page.locator(".mnist-drawpad-pen").fill("30")  # a wider pen from the slider
            _draw(page, canvas, [[(0.25, 0.2), (0.75, 0.2), (0.45, 0.85)]])
            # The top bar, measured down the canvas's middle column, is as thick as the pen.
            bar_thickness = canvas.evaluate("""(canvas) => {
                const data = canvas.getContext("2d").getImageData(canvas.width / 2, 0, 1, canvas.height / 2).data;
                let dark = 0;
                for (let i = 0; i < data.length; i += 4) if (data[i] < 128) dark++;
                return dark;
            }""")
            assert 27 <= bar_thickness <= 33, bar_thickness
            answers = readout.locator(".mnist-readout .predicted-digit")
            expect(answers).to_have_count(len(classifiers.NETWORKS), timeout=30_000)
            read = {
                row.get_attribute("data-network"): row.locator(".predicted-digit").inner_text()
                for row in readout.locator(".mnist-readout tr[data-network]").all()
            }
            assert set(read) == set(classifiers.NETWORKS), "every network answers, the convolutional one included"
            assert read[RELU_300] == "7", read
            assert list(read.values()).count("7") >= 3, read

            assert page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").count() == 0
            assert "Traceback" not in page.locator(".jp-Notebook").inner_text()
        finally:
            page.screenshot(path=str(tmp_path / "screenshot.png"))
            browser.close()


def test_the_pad_picture_shows_the_pad_and_every_networks_answer(trained_checkpoints, tmp_path):
    """`mnist-book --pad-picture` (the book shows its picture in the pad's place): the pad, its canvas
    holding the pre-drawn 3, and the answers of every network beside it."""
    import numpy as np
    from PIL import Image

    from mnist_tutorial.commands import book

    picture = tmp_path / "draw_pad.png"
    book.picture_pad(picture)
    with Image.open(picture) as image:
        grey = np.asarray(image.convert("L"))
    height, width = grey.shape
    assert height >= 280 and width >= 280 + 400, f"the pad (280 px) and the answers beside it, not {width}x{height}"
    canvas = grey[:280, :280]
    assert 0.03 < (canvas < 64).mean() < 0.5, "the canvas holds the 3, drawn in black"
    answers = grey[:, 300:]
    assert (answers < 128).mean() > 0.01, "the answers are drawn beside it"


@pytest.fixture
def tensorboard_server(quick_runs, tmp_path):
    """TensorBoard on the logs of the quick notebook runs, as `make tensorboard` starts it."""
    _, outputs = quick_runs
    port = lab_browser.free_port()
    command = [
        sys.executable,
        "-m",
        "tensorboard.main",
        "--logdir",
        str(outputs / "runs" / "tensorboard"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    url = f"http://127.0.0.1:{port}"
    with lab_browser.serving(
        "TensorBoard", command, dict(os.environ), tmp_path / "tensorboard.log", f"{url}/data/runs", 90
    ):
        yield url, outputs / "runs" / "tensorboard"


def test_tensorboard_shows_a_notebook_run_and_its_graph(tensorboard_server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    url, logs = tensorboard_server
    run = f"{SOFTMAX}/{next((logs / SOFTMAX).iterdir()).name}"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        try:
            page.goto(f"{url}/#scalars")
            for split in ("train", "validation"):
                expect(page.get_by_text(f"{run}/{split}", exact=True)).to_be_visible(timeout=60_000)
            expect(page.get_by_text("summaries/accuracy", exact=True).first).to_be_visible(timeout=60_000)

            page.goto(f"{url}/#graphs&run={urllib.parse.quote(run + '/train', safe='')}")
            for scope in ("softmax_layer", "loss", "gradients"):
                expect(page.locator("svg text", has_text=scope).first).to_be_visible(timeout=60_000)
        finally:
            page.screenshot(path=str(tmp_path / "tensorboard.png"))
            browser.close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def book_server(tmp_path_factory):
    """The book, built once for this module from the committed notebooks (`make book`), served on loopback."""
    from mnist_tutorial.commands import book

    root = tmp_path_factory.mktemp("book")
    assert book.build(root / "source", root / "html") == 0
    handler = functools.partial(_QuietHandler, directory=str(root / "html"))
    with http.server.ThreadingHTTPServer(("127.0.0.1", lab_browser.free_port()), handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield f"http://127.0.0.1:{server.server_address[1]}"
        server.shutdown()


def test_the_book_reads_offline_in_a_browser(book_server, tmp_path):
    """Nothing but the loopback server answers. The landing page lists every chapter; each chapter's
    figures decode; notebook 01's formulas are typeset by the MathJax shipped with the book; the
    search finds a word only notebook 09 uses; the next links walk the chapters in run order; and
    axe-core finds nothing serious or critical on a chapter."""
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import expect, sync_playwright

    chapters = [notebook.name for notebook in catalog.by_number()]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1300, "height": 900})
        offline = []
        page.route(
            "**/*",
            lambda route: (
                route.continue_()
                if route.request.url.startswith(book_server)
                else (offline.append(route.request.url), route.abort())
            ),
        )
        try:
            page.goto(f"{book_server}/index.html")
            for name in chapters:
                expect(page.locator(f'a[href="notebooks/{name}.html"]').first).to_be_attached()
            for name in chapters:
                page.goto(f"{book_server}/notebooks/{name}.html")
                widths = page.evaluate(
                    "Promise.all(Array.from(document.querySelectorAll('main img'))"
                    ".map(i => i.decode().then(() => i.naturalWidth, () => 0)))"
                )
                assert widths and min(widths) > 0, f"{name}: every figure decodes ({widths})"

            page.goto(f"{book_server}/notebooks/{chapters[0]}.html")
            expect(page.locator(".MathJax_Display").first).to_be_visible(timeout=60_000)
            assert page.locator("span.math:has(.MathJax)").count() > 0, "inline formulas typeset too"
            axe = Axe().run(page, options={"resultTypes": ["violations"]})
            serious = [v["id"] for v in axe.response["violations"] if v["impact"] in ("serious", "critical")]
            assert not serious, f"axe-core: {serious} on {chapters[0]}"

            page.goto(f"{book_server}/search.html?q=Szegedy")
            results = page.locator("#search-results a, .search a")
            expect(results.first).to_be_visible(timeout=30_000)
            found = {href.split("/")[-1].split(".")[0] for href in results.evaluate_all("l => l.map(a => a.href)")}
            assert catalog.find("batch_norm").name in found and len(found) == 1, found

            page.goto(f"{book_server}/index.html")
            walked = []
            while page.locator("a.right-next").count():
                page.locator("a.right-next").first.click()
                page.wait_for_load_state()
                walked.append(page.url.split("/")[-1].removesuffix(".html"))
            assert walked == chapters, "next, next, next: the chapters in run order"
            assert not offline, f"the book asked the network for {offline[:3]}"
        finally:
            page.screenshot(path=str(tmp_path / "book.png"))
            browser.close()


@contextlib.contextmanager
def _book_page(width=1280, height=900):
    """A page of headless Chromium, `width` pixels wide (a laptop's screen by default)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            yield browser.new_page(viewport={"width": width, "height": height})
        finally:
            browser.close()


def test_each_chapters_download_button_gives_its_notebook(book_server):
    """The ".ipynb" item of the download menu leads to the chapter's notebook, as committed."""
    from playwright.sync_api import expect

    with _book_page() as page:
        for notebook in catalog.by_number():
            page.goto(f"{book_server}/notebooks/{notebook.name}.html")
            page.locator("button.dropdown-toggle[aria-label='Download this page']").click()
            item = page.locator("a.btn-download-source-button")
            expect(item).to_be_visible()
            assert item.inner_text().strip() == ".ipynb", notebook.name
            url = item.evaluate("a => a.href")
            response = page.request.get(url)
            assert response.ok, f"{notebook.name}: the download link {url} answers {response.status}"
            assert response.body() == notebook.path.read_bytes(), f"{notebook.name}: the download is its notebook"


#: For each inline formula whose top row starts with a letter or a number: how far (px) that glyph's
#: baseline lies below the baseline of the text around it. A zero-size inline block sits with its
#: bottom, and so its top, on the baseline of the line that holds it; one is put beside the formula
#: (before it, or after it when the formula starts a line) and one inside the glyph.
BASELINE_OFFSETS = """() => {
    const marker = () => {
        const m = document.createElement('span');
        m.style.cssText = 'display:inline-block;width:0;height:0';
        return m;
    };
    const offsets = [];
    for (const math of document.querySelectorAll('main p span.math.notranslate')) {
        const row = math.querySelector('.MathJax .mrow');
        const glyph = row && [...row.children].find(e => e.matches('.mi, .mn'));
        if (!glyph) continue;
        const before = marker(), after = marker(), inside = marker();
        math.before(before);
        math.after(after);
        glyph.append(inside);
        const y = inside.getBoundingClientRect().top;
        const around = [before, after].map(m => m.getBoundingClientRect().top - y);
        offsets.push([math.textContent, around.reduce((a, b) => Math.abs(a) < Math.abs(b) ? a : b)]);
        before.remove(); after.remove(); inside.remove();
    }
    return offsets;
}"""


def test_inline_formulas_sit_on_the_baseline(book_server):
    """MathJax 2 typesets the formulas; the book's stylesheet undoes the theme's rule for MathJax 3,
    which lifted each inline formula about 0.3 em above the line."""
    checked = 0
    with _book_page() as page:
        for notebook in catalog.by_number():
            page.goto(f"{book_server}/notebooks/{notebook.name}.html")
            if not page.locator("main p span.math").count():
                continue
            page.wait_for_function("() => window.MathJax && MathJax.isReady", timeout=60_000)
            page.evaluate("() => new Promise(done => MathJax.Hub.Queue(done))")  # typesetting finished
            offsets = page.evaluate(BASELINE_OFFSETS)
            lifted = [(formula[:30], round(offset, 1)) for formula, offset in offsets if abs(offset) > 1]
            assert not lifted, f"{notebook.name}: formulas off the baseline by these pixels: {lifted}"
            checked += len(offsets)
    assert checked > 50, f"only {checked} inline formulas measured"


def test_no_code_cell_is_wider_than_its_column_and_figures_show_near_their_size_at_1280_px(book_server):
    """On a 1280-pixel screen, no code cell, printed output or code block of the text (the tensor shapes
    drawn in characters) scrolls sideways (lines of up to 120 characters, the notebooks' limit), none
    reaches past the window, and each figure is shown at 90% of its own width or more."""
    with _book_page(1280) as page:
        for notebook in catalog.by_number():
            page.goto(f"{book_server}/notebooks/{notebook.name}.html")
            measured = page.evaluate("""() => ({
                cells: [...document.querySelectorAll('main pre')].map(pre => ({
                    text: pre.textContent.split('\\n').reduce((a, b) => a.length > b.length ? a : b),
                    hidden: pre.scrollWidth - pre.clientWidth,
                    right: pre.getBoundingClientRect().right,
                })),
                page: document.documentElement.scrollWidth,
            })""")
            widths = page.evaluate(
                "Promise.all([...document.querySelectorAll('main div.cell_output img')]"
                ".map(i => i.decode().then(() => [i.naturalWidth, i.getBoundingClientRect().width])))"
            )
            wide = [cell["text"][:60] for cell in measured["cells"] if cell["hidden"] > 0]
            assert not wide, f"{notebook.name}: {len(wide)} code cells scroll sideways, such as {wide[:2]}"
            assert max(cell["right"] for cell in measured["cells"]) <= 1280, f"{notebook.name}: a cell leaves the page"
            assert measured["page"] <= 1280, f"{notebook.name}: the page scrolls sideways"
            small = [f"{shown / natural:.0%} of {natural} px" for natural, shown in widths if shown < 0.9 * natural]
            assert not small, f"{notebook.name}: figures shown at {small}"


@pytest.mark.parametrize(
    "query, chapter", [("dropout", "dropout"), ("robustness", "robustness"), ("augmentation", "reading_handwriting")]
)
def test_the_search_ranks_the_chapter_about_a_subject_first(book_server, query, chapter):
    """Chapters that mention the word in a section heading (an exercise's, say) come after it."""
    from playwright.sync_api import expect

    with _book_page() as page:
        page.goto(f"{book_server}/search.html?q={query}")
        results = page.locator("#search-results li a")
        expect(results.first).to_be_visible(timeout=30_000)
        first = results.first.get_attribute("href").split("/")[-1].split(".")[0].split("#")[0]
        assert first == catalog.find(chapter).name, f"searching {query!r} lists {first} first"
