"""The inspector in a real JupyterLab, in headless Chromium driven by Playwright.

The traitlet tests (test_widgets.py) cannot see what a user sees: whether the image is
stretched, whether a click on a box selects it, whether a key moves the widget or the
notebook, whether a correction lands on the image it was made on. This test starts JupyterLab
on 127.0.0.1 with a notebook holding an inspector, opens it in Debian's ``chromium`` (never a
downloaded browser: ``executable_path``), and works it like a reviewer, reading the kernel's
state back after each step (``insp.selected``, ``insp.corrections``) through a second
client of the same kernel.

Screenshots go to ``artifacts/`` (git-ignored), with the timing of each interaction in
``artifacts/inspector_timings.json`` (printed too; nothing is asserted on time).
``docs/images/inspector.png`` in the README is ``artifacts/inspector_review.png``.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from PIL import Image

from wxocr_pandas.api import recognize_frame

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "artifacts"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]
IMAGES = {"receipt": "receipt.png", "receipt2": "receipt2.png", "sign": "sign.png"}
TIMEOUT_MS = 120_000


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


CHROMIUM = _chromium()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium on PATH (scripts/setup.sh installs Debian's chromium "
                             "with apt-get when run as root)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _notebook(path: Path, samples: Path, cache: Path) -> None:
    paths = {label: str(samples / name) for label, name in IMAGES.items()}
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    notebook.cells = [
        nbformat.v4.new_code_cell(
            "import pandas as pd, wxocr_pandas\n"
            f"df = pd.DataFrame({{'path': list({list(paths.values())!r})}}, index={list(paths)!r})\n"
            f"insp = wxocr_pandas.Inspector(df, 'path', cache_dir={str(cache)!r})\n"
            "insp"),
        nbformat.v4.new_code_cell("'the cell after the inspector'"),
    ]
    nbformat.write(notebook, path)


@contextmanager
def _jupyterlab(workdir: Path) -> Iterator[tuple[str, Path]]:
    """A JupyterLab server on 127.0.0.1 with its own config, runtime and settings dirs."""
    port, token = _free_port(), secrets.token_hex(16)
    runtime, settings = workdir / "runtime", workdir / "settings"
    news = settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    news.parent.mkdir(parents=True)
    news.write_text(json.dumps({"fetchNews": "false"}))
    env = {key: value for key, value in os.environ.items() if key != "MPLBACKEND"}
    env.update(JUPYTER_CONFIG_DIR=str(workdir / "config"), JUPYTER_RUNTIME_DIR=str(runtime),
               IPYTHONDIR=str(workdir / "ipython"))
    log = (workdir / "jupyterlab.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={workdir}",
         f"--LabApp.workspaces_dir={workdir / 'workspaces'}",
         f"--LabApp.user_settings_dir={settings}",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
         "--LabApp.extension_manager=readonly", "--ServerApp.terminals_enabled=False",
         "--allow-root"],
        env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2).read()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("JupyterLab did not start: "
                                       + (workdir / "jupyterlab.log").read_text()[-2000:])
                time.sleep(0.3)
        yield f"{base}/lab/tree/inspector.ipynb?token={token}", runtime
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def _kernel_client(base_url: str, runtime: Path):
    """A second client of the notebook's kernel, to read the inspector's state back."""
    from jupyter_client import BlockingKernelClient

    root, _, query = base_url.partition("/lab/")
    token = query.split("token=")[1]
    sessions = json.loads(urllib.request.urlopen(f"{root}/api/sessions?token={token}").read())
    kernel_id = sessions[0]["kernel"]["id"]
    client = BlockingKernelClient(connection_file=str(runtime / f"kernel-{kernel_id}.json"))
    client.load_connection_file()
    client.start_channels()
    client.wait_for_ready(timeout=60)
    return client


def _ask(client, expression: str, statement: str = ""):
    """Run ``statement``, then evaluate ``expression`` in the notebook's kernel; its value,
    through JSON."""
    out: list[str] = []

    def hook(message: dict) -> None:
        if message["msg_type"] == "stream" and message["content"]["name"] == "stdout":
            out.append(message["content"]["text"])
        elif message["msg_type"] == "error":
            out.append("\n".join(message["content"]["traceback"]))

    client.execute_interactive(f"{statement}\nimport json as _json\n"
                               f"print(_json.dumps({expression}, default=str))",
                               output_hook=hook, timeout=60)
    return json.loads("".join(out))


def _until(ask: Callable, expression: str, expected: object, timeout: float = 15.0) -> object:
    """The kernel's value of ``expression`` once it equals ``expected``, or its last value
    after ``timeout`` seconds: the front end sends its changes over the comm
    asynchronously, so the kernel may see them a moment after the page shows them."""
    deadline = time.monotonic() + timeout
    while True:
        value = ask(expression)
        if value == expected or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


class Clock:
    """Times each interaction from the action to the DOM showing its effect."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        yield
        self.timings[name] = round(time.perf_counter() - started, 3)


def _active_cell(page) -> int:
    return page.evaluate("""() => [...document.querySelectorAll('.jp-Notebook .jp-Cell')]
        .findIndex((cell) => cell.classList.contains('jp-mod-active'))""")


def _selected_row(page) -> int | None:
    row = page.locator("tr.selected")
    return int(row.get_attribute("data-item")) if row.count() else None


def _wait_selected(page, item: int) -> None:
    page.wait_for_selector(f'tr.selected[data-item="{item}"]', timeout=TIMEOUT_MS)
    page.wait_for_selector(f'polygon.wxocr-box.selected[data-item="{item}"]', timeout=TIMEOUT_MS)


def test_review_in_jupyterlab(tmp_path, samples_dir, local_backend):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    cache = tmp_path / "cache"
    # The kernel finds these answers in the cache: it never loads an engine of its own.
    frame = recognize_frame(
        pd.DataFrame({"path": [str(samples_dir / n) for n in IMAGES.values()]}, index=list(IMAGES)),
        "path", backend=local_backend, cache_dir=cache)
    # Review below a threshold that leaves the receipt's three least sure texts.
    scores = frame.loc["receipt"].sort_values("score")
    threshold = round(float(scores["score"].iloc[2:4].mean()), 5)
    low = scores["item"].iloc[:3].tolist()
    edited = str(scores["text"].iloc[2])
    _notebook(tmp_path / "inspector.ipynb", samples_dir, cache)
    clock = Clock()

    with _jupyterlab(tmp_path) as (url, runtime), sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, headless=True,
            args=CHROMIUM_FLAGS, viewport={"width": 1400, "height": 1000})
        page = context.pages[0] if context.pages else context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        try:
            _review(page, url, runtime, clock, low, threshold, edited, samples_dir)
        finally:
            page.screenshot(path=str(ARTIFACTS / "inspector_last_page.png"))
            context.close()
    (ARTIFACTS / "inspector_timings.json").write_text(json.dumps(clock.timings, indent=1))
    for name, seconds in clock.timings.items():
        print(f"inspector browser timing: {name}: {seconds:.3f} s")


def _review(page, url: str, runtime: Path, clock: Clock, low: list[int], threshold: float,
            edited: str, samples: Path) -> None:
    with clock("open JupyterLab and the notebook"):
        page.goto(url)
        page.wait_for_selector(".jp-Notebook .jp-Cell")
        page.wait_for_selector("text=Python 3 (ipykernel) | Idle")
        page.keyboard.press("Control+b")  # hide the file browser: the notebook gets the width
    with clock("run all cells until the inspector shows 19 boxes"):
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
        page.wait_for_function("document.querySelectorAll('polygon.wxocr-box').length === 19")
    kernel = _kernel_client(url, runtime)
    try:
        ask: Callable = lambda expression, statement="": _ask(kernel, expression, statement)  # noqa: E731
        # Served by the cache: the kernel never built an engine of its own.
        assert "read in" in ask("insp.status")
        assert ask("__import__('wxocr_pandas.backends.local').backends.local"
                   ".engine_cache_info().misses") == 0
        _check_geometry(page, samples)
        page.locator(".wxocr-inspector").first.screenshot(path=str(ARTIFACTS / "inspector_open.png"))

        # Hover shows text and score; a click on a box selects it, in the table and the kernel.
        with clock("hover a box until its tooltip shows"):
            page.locator('polygon.wxocr-box[data-item="5"]').hover()
            page.wait_for_selector(".wxocr-tooltip.shown")
        assert page.locator(".wxocr-tooltip").inner_text().startswith("#5 面包 · score 0.999")
        with clock("click a box until its row is selected"):
            page.locator('polygon.wxocr-box[data-item="2"]').click()
            _wait_selected(page, 2)
        assert _until(ask, "insp.selected", ["receipt", 1, 2]) == ["receipt", 1, 2]

        # Python selects, the browser follows.
        with clock("select from Python until the row and box show it"):
            assert ask("insp.selected", "insp.selected = ('receipt', 1, 7)") == ["receipt", 1, 7]
            _wait_selected(page, 7)

        # A row click selects its box; the table sorts.
        with clock("click a row until its box is selected"):
            page.locator('tr[data-item="15"]').click()
            _wait_selected(page, 15)
        with clock("sort the table by score"):
            page.locator('th[data-key="score"]').click()
            page.wait_for_function(f"document.querySelector('tbody tr').dataset.item === '{low[0]}'")
        page.locator('th[data-key="item"]').click()
        page.wait_for_function("document.querySelector('tbody tr').dataset.item === '0'")

        # Typing in the filter box is text, not JupyterLab's command keys ("x" would cut a cell).
        cells = page.locator(".jp-Notebook .jp-Cell").count()
        with clock("type a text filter until the table narrows"):
            page.locator("input.wxocr-filter").press_sequentially("1 x")
            page.wait_for_function("document.querySelectorAll('tbody tr').length === 1")
        assert page.locator("tbody tr td:nth-child(2)").inner_text() == "1 x 8.00"
        assert page.locator("polygon.wxocr-box").count() == 1
        assert page.locator(".jp-Notebook .jp-Cell").count() == cells
        page.locator("input.wxocr-filter").fill("")
        page.wait_for_function("document.querySelectorAll('tbody tr').length === 19")

        # Keys move the widget's selection, never JupyterLab's active cell.
        page.locator('tr[data-item="0"]').click()
        _wait_selected(page, 0)
        cell = _active_cell(page)
        with clock("key j until the next item is selected"):
            page.keyboard.press("j")
            _wait_selected(page, 1)
        for key, item in (("j", 2), ("ArrowDown", 3), ("k", 2), ("ArrowUp", 1)):
            page.keyboard.press(key)
            _wait_selected(page, item)
        assert _active_cell(page) == cell, "JupyterLab's active cell did not move"
        assert _until(ask, "insp.selected", ["receipt", 1, 1]) == ["receipt", 1, 1]
        with clock("key l until the labels are hidden"):
            page.keyboard.press("l")
            page.wait_for_function("document.querySelectorAll('text.wxocr-label').length === 1")
        page.keyboard.press("l")
        page.wait_for_function("document.querySelectorAll('text.wxocr-label').length === 19")
        assert page.locator(".jp-Notebook .jp-Cell").count() == cells

        # Review mode: below the threshold, lowest first; n steps, a accepts, e edits.
        page.locator("input.wxocr-threshold").fill(str(threshold))
        page.locator("input.wxocr-threshold").press("Tab")
        page.wait_for_function(f"document.querySelector('input.wxocr-threshold').value == {threshold}")
        assert _until(ask, "insp.review_view.threshold", threshold) == threshold
        with clock("turn review mode on until the lowest item is selected"):
            page.locator("input.wxocr-review").check()
            _wait_selected(page, low[0])
        assert page.locator("tbody tr").count() == 3
        with clock("key n until the next low-score item is selected"):
            page.keyboard.press("n")
            _wait_selected(page, low[1])
        panel = page.locator(".wxocr-inspector-panel")
        panel.scroll_into_view_if_needed()  # first, so the hover below stays under the pointer
        page.locator('polygon.wxocr-box[data-item="%d"]' % low[1]).hover()
        page.wait_for_selector(".wxocr-tooltip.shown")
        panel.screenshot(path=str(ARTIFACTS / "inspector_review.png"))
        with clock("key a until the item is accepted and the next one selected"):
            page.keyboard.press("a")
            page.wait_for_selector(f'tr.accepted[data-item="{low[1]}"]')
            _wait_selected(page, low[0])
        assert _until(ask, "insp.accepted['item'].tolist()", [low[1]]) == [low[1]]
        assert page.locator(".jp-Notebook .jp-Cell").count() == cells, "no cell inserted by 'a'"
        page.keyboard.press("n")
        _wait_selected(page, low[2])
        with clock("key e until the editor holds the text"):
            page.keyboard.press("e")
            page.wait_for_selector(".wxocr-editor.open input:focus")
        assert page.locator(".wxocr-edit-input").input_value() == edited
        page.locator(".wxocr-edit-input").fill(edited + " checked")
        with clock("Enter until the correction is marked in table and image"):
            page.keyboard.press("Enter")
            page.wait_for_selector(f'tr.corrected[data-item="{low[2]}"]')
            page.wait_for_selector(f'polygon.wxocr-box.corrected[data-item="{low[2]}"]')
        assert _active_cell(page) == cell, "JupyterLab's active cell did not move"
        assert ask("insp.corrections[['index', 'page', 'item', 'corrected']].values.tolist()") \
            == [["receipt", 1, low[2], edited + " checked"]]

        # An edit left open on the receipt cannot land on the image chosen next.
        page.locator("input.wxocr-review").uncheck()
        page.locator('tr[data-item="3"]').click()
        _wait_selected(page, 3)
        page.keyboard.press("e")
        page.locator(".wxocr-edit-input").fill("WRONG")
        with clock("switch images until the new image's boxes show"):
            page.locator(".widget-dropdown select").first.select_option(label="receipt2: receipt2.png")
            page.wait_for_function("document.querySelector('tbody tr td:nth-child(2)')"
                                   "?.textContent === '城南超市'")
        assert page.locator(".wxocr-editor.open").count() == 0, "the open edit was dropped"
        assert page.locator("tr.corrected, tr.selected").count() == 0
        assert _until(ask, "[insp.image, insp.selected]", ["receipt2", None]) == ["receipt2", None]
        assert _until(ask, "insp.corrections['index'].tolist()", ["receipt"]) == ["receipt"]
        page.locator('tr[data-item="3"]').click()
        _wait_selected(page, 3)
        assert _until(ask, "insp.selected", ["receipt2", 1, 3]) == ["receipt2", 1, 3]
        changed = ask("(lambda out: sorted(set(out.index[(insp.apply_corrections(out)['text']"
                      " != out['text']).to_numpy()])))(df.wxocr.recognize('path', "
                      "cache_dir=insp.cache_dir))")
        assert changed == ["receipt"]
        page.keyboard.press("Escape")
        page.locator(".widget-dropdown select").first.select_option(label="receipt: receipt.png")
        page.wait_for_selector(f'tr.corrected[data-item="{low[2]}"]')

        _check_zoom(page, clock, ask)
    finally:
        kernel.stop_channels()


def _check_geometry(page, samples: Path) -> None:
    """The view's box is the drawn image: its aspect ratio, no margins, full resolution."""
    width, height = Image.open(samples / IMAGES["receipt"]).size
    view = page.locator(".wxocr-image-view").bounding_box()
    drawn = page.locator(".wxocr-image-view image").bounding_box()
    assert abs(view["width"] / view["height"] - width / height) < 0.01 * width / height
    for side in ("x", "y", "width", "height"):
        assert abs(view[side] - drawn[side]) < 1.0, f"the image fills the view ({side})"
    natural = page.evaluate("""async () => {
        const img = new Image();
        img.src = document.querySelector('.wxocr-image-view image').getAttribute('href');
        await img.decode();
        return [img.naturalWidth, img.naturalHeight];
    }""")
    assert natural == [width, height], "the browser gets the image at full resolution"


def _check_zoom(page, clock: Clock, ask: Callable) -> None:
    label = page.locator("text.wxocr-label").first
    before_font = label.bounding_box()["height"]
    viewport = page.locator(".wxocr-viewport").bounding_box()
    view = page.locator(".wxocr-image-view").bounding_box()
    page.mouse.move(viewport["x"] + viewport["width"] / 2, viewport["y"] + viewport["height"] / 3)
    with clock("wheel zoom until the view is redrawn"):
        page.mouse.wheel(0, -600)
        page.wait_for_function("document.querySelector('.wxocr-zoom').textContent !== '100%'")
    zoomed = page.locator(".wxocr-image-view").bounding_box()
    factor = zoomed["width"] / view["width"]
    assert factor > 2
    assert abs(zoomed["width"] / zoomed["height"] - view["width"] / view["height"]) < 0.01
    assert abs(ask("insp.review_view.zoom") - factor) < 0.05
    assert 0.7 < label.bounding_box()["height"] / before_font < 1.4, "labels keep their size"
    with clock("drag to pan until the view moves"):
        page.mouse.down()
        page.mouse.move(viewport["x"] + viewport["width"] / 2 + 80,
                        viewport["y"] + viewport["height"] / 3 + 60, steps=5)
        page.mouse.up()
    panned = page.locator(".wxocr-image-view").bounding_box()
    assert panned["x"] != zoomed["x"] or panned["y"] != zoomed["y"]
    page.locator(".wxocr-inspector").first.screenshot(path=str(ARTIFACTS / "inspector_zoomed.png"))
    page.keyboard.press("0")
    page.wait_for_function("document.querySelector('.wxocr-zoom').textContent === '100%'")
    back = page.locator(".wxocr-image-view").bounding_box()
    assert abs(back["width"] - view["width"]) < 1 and abs(back["x"] - view["x"]) < 1
