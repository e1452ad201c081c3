"""The book's sliders as a person meets them: JupyterLab on 127.0.0.1 with a token, Debian's Chromium
driven by Playwright opens a chapter, runs all cells, moves a slider, and the displayed number must
change: the threshold explorer of the evaluation chapter (its F1), the fusion slider of the IE-Net
chapter (its distance to the canonical twin) and the layer weights of the scoring chapter (its map's scores). The screenshots are kept in runs/browser/."""
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
NOTEBOOK = "03_evaluate.ipynb"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory, session_dirs):
    """A JupyterLab server on a copy of nbs/ (autosave must not touch the sources), bound to 127.0.0.1 with a random
    token; one for the module's three tests (each opens its own chapter, in its own kernel)."""
    tmp_path = tmp_path_factory.mktemp("jupyterlab")
    port, token = _free_port(), secrets.token_hex(16)
    root_dir = shutil.copytree(ROOT / "nbs", tmp_path / "nbs", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    env = {**os.environ, "CI": "true",  # the chapter takes the smoke profile, as in CI
           "JUPYTER_CONFIG_DIR": str(tmp_path / "config"), "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces")}
    cmd = [str(Path(sys.executable).parent / "jupyter"), "lab", "--no-browser", f"--ServerApp.port={port}",
           "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root_dir}",
           "--LabApp.expose_app_in_browser=True", "--ServerApp.port_retries=0"]
    if os.geteuid() == 0: cmd.append("--allow-root")
    log = open(tmp_path / "jupyterlab.log", "w")
    server = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
                break
            except OSError: time.sleep(0.5)
        else: raise RuntimeError(f"JupyterLab did not start: {(tmp_path / 'jupyterlab.log').read_text()[-3000:]}")
        yield url, token
    finally:
        server.terminate()
        try: server.wait(timeout=20)
        except subprocess.TimeoutExpired: server.kill()
        log.close()


def _readout(page) -> str:
    # textContent, not innerText: JupyterLab renders only the cells near the view, and innerText is empty
    # for a cell scrolled out of it (the chapter's later sections push the explorer off screen)
    return page.locator(".vfp-explorer-readout").text_content()


def _open_and_run(page, url, token, notebook, readout_class, pattern):
    "Open `notebook` in JupyterLab, run all cells, wait until the element of `readout_class` shows `pattern`."
    # a workspace of its own per chapter: the server is shared, and a restored tab of another test would re-render
    page.goto(f"{url}/lab/workspaces/{Path(notebook).stem}/tree/{notebook}?token={token}")
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
                           " && window.jupyterapp.shell.currentWidget.sessionContext"
                           " && window.jupyterapp.shell.currentWidget.sessionContext.session", timeout=120_000)
    page.wait_for_function("() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status === 'idle'",
                           timeout=120_000)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    readout = page.locator(f".{readout_class}")
    readout.wait_for(state="attached", timeout=600_000)
    page.wait_for_function("([cls, pattern]) => new RegExp(pattern).test(document.querySelector('.' + cls).textContent)",
                           arg=[readout_class, pattern], timeout=120_000)
    readout.scroll_into_view_if_needed()
    news = page.get_by_role("button", name="No")   # JupyterLab's "notify me of news?" toast
    if news.count(): news.first.click()
    return readout


@pytest.mark.timeout(900)
def test_threshold_slider_changes_displayed_f1(jupyterlab):
    from playwright.sync_api import sync_playwright
    url, token = jupyterlab
    t0 = time.perf_counter()
    shot = ROOT / "runs" / "browser" / "03_evaluate_explorer.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            readout = _open_and_run(page, url, token, NOTEBOOK, "vfp-explorer-readout", "F1 = \\d")
            before = _readout(page)
            slider = page.locator(".widget-slider", has_text="threshold").locator(".noUi-target")
            slider.scroll_into_view_if_needed()
            box = slider.bounding_box()
            page.mouse.click(box["x"] + box["width"] * 0.85, box["y"] + box["height"] / 2)
            page.wait_for_function("(before) => document.querySelector('.vfp-explorer-readout').textContent !== before",
                                   arg=before, timeout=120_000)
            after = _readout(page)
            readout.scroll_into_view_if_needed()
            page.screenshot(path=str(shot), full_page=False)
        except Exception:
            page.screenshot(path=str(shot.with_name("03_evaluate_failure.png")))
            raise
        finally:
            browser.close()
    f1 = lambda text: float(re.search(r"F1 = ([0-9.]+)", text).group(1))
    print(f"browser test: {time.perf_counter() - t0:.0f} s; readout before: {before!r}; after: {after!r}; screenshot {shot}")
    assert f1(before) != f1(after), (before, after)


@pytest.mark.timeout(900)
def test_fusion_slider_changes_displayed_distance(jupyterlab):
    from playwright.sync_api import sync_playwright
    url, token = jupyterlab
    t0 = time.perf_counter()
    shot = ROOT / "runs" / "browser" / "40_ienet_fusion.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    text = lambda: page.locator(".vfp-fusion-readout").text_content()
    number = lambda text, name: float(re.search(rf"{name} = ([0-9.]+)", text).group(1))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            readout = _open_and_run(page, url, token, "40_ienet.ipynb", "vfp-fusion-readout", "L1 to twin = \\d")
            before = text()
            slider = page.locator(".widget-slider", has_text="W_VAE").locator(".noUi-target")
            slider.scroll_into_view_if_needed()
            box = slider.bounding_box()
            target = 0.1 if number(before, "W_VAE") > 0.5 else 0.9   # far from where the slider starts
            page.mouse.click(box["x"] + box["width"] * target, box["y"] + box["height"] / 2)
            page.wait_for_function("(before) => document.querySelector('.vfp-fusion-readout').textContent !== before",
                                   arg=before, timeout=120_000)
            after = text()
            readout.scroll_into_view_if_needed()
            page.screenshot(path=str(shot), full_page=False)
        except Exception:
            page.screenshot(path=str(shot.with_name("40_ienet_failure.png")))
            raise
        finally:
            browser.close()
    print(f"browser test: {time.perf_counter() - t0:.0f} s; readout before: {before!r}; after: {after!r}; screenshot {shot}")
    assert number(before, "W_VAE") != number(after, "W_VAE"), (before, after)
    assert number(before, "L1 to twin") != number(after, "L1 to twin"), (before, after)


@pytest.mark.timeout(900)
def test_scoring_weight_slider_changes_displayed_auroc(jupyterlab):
    from playwright.sync_api import sync_playwright
    url, token = jupyterlab
    t0 = time.perf_counter()
    shot = ROOT / "runs" / "browser" / "60_scoring_weights.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    text = lambda: page.locator(".vfp-scoring-readout").text_content()
    weights = lambda text: re.search(r"λ = \(([^)]*)\)", text).group(1)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            readout = _open_and_run(page, url, token, "60_scoring.ipynb", "vfp-scoring-readout", "pixel AUROC = \\d")
            before = text()
            # a layer left out (λ = 0) is brought in; if every layer is in, the first is left out
            ws = [float(w) for w in weights(before).split(",")]
            k = next((i for i, w in enumerate(ws) if w == 0), 0)
            slider = page.locator(".widget-slider", has_text="λ").nth(k).locator(".noUi-target")
            slider.scroll_into_view_if_needed()
            box = slider.bounding_box()
            page.mouse.click(box["x"] + box["width"] * (0.98 if ws[k] == 0 else 0.02), box["y"] + box["height"] / 2)
            page.wait_for_function("(before) => document.querySelector('.vfp-scoring-readout').textContent !== before",
                                   arg=before, timeout=120_000)
            after = text()
            readout.scroll_into_view_if_needed()
            page.screenshot(path=str(shot), full_page=False)
        except Exception:
            page.screenshot(path=str(shot.with_name("60_scoring_failure.png")))
            raise
        finally:
            browser.close()
    print(f"browser test: {time.perf_counter() - t0:.0f} s; readout before: {before!r}; after: {after!r}; screenshot {shot}")
    assert weights(before) != weights(after), (before, after)
    assert "pixel AUROC" in after and "mean F1" in after, after
