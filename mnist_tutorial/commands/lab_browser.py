"""JupyterLab on the loopback address, driven by Debian's Chromium through Playwright.

The picture of the drawing pad that the book shows (`mnist-book --pad-picture`) and the browser
tests (tests/test_browser.py) both start JupyterLab on a folder of their own, open a notebook in it as a
person would and run all its cells: this module is what they share. Playwright never downloads a
browser here; it drives the `chromium` package (or the program CHROMIUM names).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

#: Chromium's switches for a headless run on a shared machine: no sandbox (root, containers), no GPU,
#: nothing fetched from the network on its own.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: The token JupyterLab asks of its pages: it serves the loopback address only, and only for a while.
TOKEN = "mnist-tutorial-browser-token"
UNFINISHED_CELLS = """() => [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
    .filter(prompt => !/\\[\\d+\\]:/.test(prompt.textContent)).length"""


def chromium() -> str | None:
    """The Chromium program to drive: CHROMIUM if set, else `chromium` or `chromium-browser` on the PATH."""
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def free_port() -> int:
    """A TCP port on the loopback address that nothing listens on (at the moment of asking)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serving(name: str, command: list[str], env: dict[str, str], log_path: Path, ready_url: str, timeout: float):
    """Run a server until the block ends; first wait until `ready_url` answers with something."""
    with open(log_path, "w") as log:
        server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.time() + timeout
            while True:
                try:
                    if urllib.request.urlopen(ready_url, timeout=2).read().strip() not in (b"", b"[]"):
                        break
                except OSError:
                    pass
                if time.time() > deadline or server.poll() is not None:
                    raise RuntimeError(f"{name} did not start:\n{log_path.read_text()}")
                time.sleep(0.5)
            yield
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()


@contextlib.contextmanager
def jupyter_lab(root: Path, scratch: Path) -> Iterator[str]:
    """JupyterLab serving the folder `root` on loopback until the block ends; yields its address. Its
    settings, workspaces, runtime files and log are kept in `scratch`, so none of yours is read or changed.
    Its kernels inherit this process's environment (MNIST_TUTORIAL_OUTPUT_DIR included)."""
    port = free_port()
    env = dict(
        os.environ,
        JUPYTER_RUNTIME_DIR=str(scratch / "runtime"),
        JUPYTERLAB_SETTINGS_DIR=str(scratch / "settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(scratch / "workspaces"),
    )
    command = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        f"--IdentityProvider.token={TOKEN}",
        f"--ServerApp.root_dir={root}",
        "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ] + (["--allow-root"] if os.geteuid() == 0 else [])
    url = f"http://127.0.0.1:{port}"
    with serving("JupyterLab", command, env, scratch / "jupyter.log", f"{url}/api/status?token={TOKEN}", 60):
        yield url


def wait_for_connected_kernel(url: str, timeout: float = 120) -> None:
    """Wait until the server reports one kernel, idle, with the page's websocket connected to it.

    While a kernel is starting, jupyter_server 2.21 answers /api/kernels (and the page's websocket)
    with a 500 (its `last_activity` is still None); that only means "not ready yet", and the page
    reconnects by itself.
    """
    deadline, kernels = time.time() + timeout, None
    while time.time() < deadline:
        try:
            kernels = json.load(urllib.request.urlopen(f"{url}/api/kernels?token={TOKEN}", timeout=10))
        except OSError:  # urllib's HTTPError and URLError are OSErrors
            kernels = None
        if kernels and len(kernels) == 1 and kernels[0]["connections"] >= 1 and kernels[0]["execution_state"] == "idle":
            return
        time.sleep(0.5)
    raise AssertionError(f"the notebook's kernel did not connect: {kernels}")


def open_notebook(page: Any, url: str, filename: str, front_end: str = "JupyterLab 4") -> None:
    """Open notebook `filename` of the served folder as a person would (in "JupyterLab 4" or "Notebook 7"),
    and wait until its kernel is connected and idle."""
    if front_end == "JupyterLab 4":
        # Start from the launcher and open the file from the file browser: opening a /lab/tree URL
        # while JupyterLab restores its workspace can race (a second kernel, a "Select Kernel" dialog).
        page.goto(f"{url}/lab?token={TOKEN}")
        page.locator(".jp-DirListing-item", has_text=filename).dblclick(timeout=90_000)
    else:
        page.goto(f"{url}/notebooks/{filename}?token={TOKEN}")
    page.locator(".jp-Notebook").first.wait_for(timeout=60_000)
    wait_for_connected_kernel(url)


def run_all_cells(page: Any, attempts: int = 3) -> None:
    """Run > Run All Cells until every code cell has run (a run cut short by a reconnect is redone)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for _ in range(attempts):
        kernel_dialog = page.locator(".jp-Dialog", has_text="Select Kernel")
        if kernel_dialog.count():
            kernel_dialog.locator("button.jp-mod-accept").click()  # the notebook's own kernel
        page.locator(".lm-MenuBar-item", has_text="Run").first.click()
        page.locator(".lm-Menu-itemLabel").get_by_text("Run All Cells", exact=True).click()
        try:
            page.wait_for_function(f"({UNFINISHED_CELLS})() === 0", timeout=120_000)
            return
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    raise AssertionError("Run All Cells never ran every cell of the notebook")
