"""The course as a learner uses it: JupyterLab in a real browser (Debian's Chromium via Playwright).

One JupyterLab server (127.0.0.1, a random free port, a token) serves COPIES of the notebooks
(build/browser-test/notebooks), so nothing here can change a committed notebook. For each
notebook the test opens it as a learner would, checks that the kernel started by itself (the
settings override installed by `make`, no kernel-picker dialog), runs Run > Run All Cells from the
menu, waits for the kernel, and checks that every code cell ran and none raised. In Week 2 it
moves the parameter explorer's sliders (arrow key on a handle, a value typed in a slider's text
box) and checks that the plot and the metric readout change. Screenshots of what the learner sees
go to build/screenshots/.

Runs on the demo data set (a data root holding only data/demo), so it takes the same time on a
machine with the real Harmonix set installed. Skipped only when /usr/bin/chromium is missing
(`apt-get install chromium`; .ci/run installs it).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest

from helpers.course import notebook_paths

from .conftest import REPO

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
NOTEBOOKS = notebook_paths(REPO / "notebooks")
WORK = REPO / "build" / "browser-test"
SCREENSHOTS = REPO / "build" / "screenshots"
OVERRIDES = REPO / "etc" / "jupyterlab-overrides.json"
INSTALLED_OVERRIDES = Path(sys.prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
VIEWPORT = {"width": 1400, "height": 900}

#: Bounded waits (seconds). The whole module takes about a minute and a half on 2 cores.
SERVER_START_S = 60
PAGE_LOAD_S = 60
KERNEL_START_S = 60
RUN_ALL_S = 150          # a notebook on the demo set: 2-20 s (tests/test_notebooks.py budgets 60-90 s)
WIDGET_UPDATE_S = 30

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.is_file(), reason=f"{CHROMIUM} is missing: apt-get install chromium"),
]

#: A stderr output that is a traceback (JupyterLab renders error outputs with the stderr MIME type).
TRACEBACK = re.compile(r"Traceback \(most recent call last\)|^\s*[A-Za-z_][\w.]*(Error|Exception)\b.*", re.M)

# Reads the open notebook's model (what JupyterLab would save): per code cell its source,
# execution count and outputs. window.jupyterapp exists because of --LabApp.expose_app_in_browser.
_MODEL_JS = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const cells = [];
  for (const cell of panel.content.model.cells) {
    if (cell.type !== 'code') continue;
    const outputs = [];
    for (let i = 0; i < cell.outputs.length; i++) outputs.push(cell.outputs.get(i).toJSON());
    cells.push({source: cell.sharedModel.getSource(), execution_count: cell.executionCount, outputs});
  }
  return {path: panel.context.path, cells};
}"""
# The open notebook's kernel status once a kernel is connected ("idle", "busy", ...), else null.
_KERNEL_JS = """() => {
  const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const session = panel && panel.sessionContext && panel.sessionContext.session;
  return session && session.kernel && panel.context.isReady ? panel.sessionContext.kernelDisplayStatus : null;
}"""
# The code cells' prompts as shown: "[3]:", "[*]:" (running or queued), "[ ]:" (not run).
_PROMPTS_JS = """() => Array.from(document.querySelectorAll(
  '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt')).map(e => e.textContent.trim())"""


@dataclass
class Lab:
    url: str
    token: str
    root: Path
    log: Path
    process: subprocess.Popen

    def tree_url(self, name: str) -> str:
        # One workspace per notebook, reset on load: each page shows just that notebook.
        return f"{self.url}/lab/workspaces/{Path(name).stem}/tree/{name}?reset&token={self.token}"

    def log_tail(self, n: int = 30) -> str:
        lines = self.log.read_text(errors="replace").splitlines()
        return "\n".join(lines[-n:])


@dataclass
class Run:
    """What a learner got after Run All Cells on one notebook."""

    page: object
    seconds: float
    cells: list = field(default_factory=list)       # from the notebook model, code cells only
    dom_tracebacks: list = field(default_factory=list)

    def stderr(self) -> list[str]:
        """Text the cells wrote to stderr (warnings, progress bars without widgets), 'code cell N: ...'."""
        return [f"code cell {i + 1}: {''.join(o['text']).strip()}" for i, cell in enumerate(self.cells)
                for o in cell["outputs"] if o["output_type"] == "stream" and o["name"] == "stderr"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _digest(paths) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def _demo_data_root() -> Path:
    """A data root whose only data set is the demo set (generated like tests/test_notebooks.py does)."""
    from helpers.synth import generate_demo

    demo = REPO / "data" / "demo"
    if not (demo / ".complete").is_file():
        generate_demo(demo)
    root = WORK / "data"
    root.mkdir(parents=True)
    (root / "demo").symlink_to(demo, target_is_directory=True)
    return root


def _server_env(data_root: Path) -> dict[str, str]:
    """make's environment (Jupyter, IPython, matplotlib, numba dirs under build/) if pytest runs alone."""
    env = dict(os.environ)
    build = REPO / "build"
    defaults = {
        "JUPYTER_CONFIG_DIR": build / "jupyter" / "config", "JUPYTER_DATA_DIR": build / "jupyter" / "data",
        "JUPYTER_RUNTIME_DIR": build / "jupyter" / "runtime", "IPYTHONDIR": build / "ipython",
        "MPLCONFIGDIR": build / "matplotlib", "NUMBA_CACHE_DIR": build / "numba",
        "XDG_CACHE_HOME": build / "xdg" / "cache", "XDG_CONFIG_HOME": build / "xdg" / "config",
        "XDG_DATA_HOME": build / "xdg" / "data",
    }
    for name, value in defaults.items():
        env.setdefault(name, str(value))
    env["JUPYTER_PLATFORM_DIRS"] = "1"
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    env["HELPERS_DATA_DIR"] = str(data_root)
    return env


@pytest.fixture(scope="module")
def committed_notebooks():
    """The committed notebooks' digests before the browser touches anything."""
    return _digest(NOTEBOOKS)


@pytest.fixture(scope="module")
def lab(committed_notebooks):
    assert INSTALLED_OVERRIDES.is_file() and (
        json.loads(INSTALLED_OVERRIDES.read_text()) == json.loads(OVERRIDES.read_text())
    ), f"{INSTALLED_OVERRIDES} is missing or differs from {OVERRIDES}: run `make setup` (make lab/test do it)"
    shutil.rmtree(WORK, ignore_errors=True)
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    root = WORK / "notebooks"
    root.mkdir(parents=True)
    SCREENSHOTS.mkdir(parents=True)
    for path in NOTEBOOKS:
        shutil.copy2(path, root / path.name)
    env = _server_env(_demo_data_root())
    port, token = _free_port(), secrets.token_hex(24)
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
           "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
           f"--LabApp.workspaces_dir={WORK / 'workspaces'}", "--LabApp.expose_app_in_browser=True"]
    if os.geteuid() == 0:
        cmd.append("--allow-root")   # as `make lab` does for root
    log = WORK / "jupyterlab.log"
    with log.open("w") as out:
        process = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=root)
    server = Lab(f"http://127.0.0.1:{port}", token, root, log, process)
    try:
        deadline = time.monotonic() + SERVER_START_S
        while True:
            try:
                with urllib.request.urlopen(f"{server.url}/api/status?token={token}", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"JupyterLab did not start within {SERVER_START_S} s (exit code {process.poll()}); "
                            f"its log ({log}):\n{server.log_tail()}")
            time.sleep(0.25)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def context(browser):
    ctx = browser.new_context(viewport=VIEWPORT)
    ctx.set_default_timeout(PAGE_LOAD_S * 1000)
    yield ctx
    ctx.close()


def _wait(predicate, timeout_s: float, what: str, page=None, interval_s: float = 0.25):
    """Poll predicate() until it returns something truthy; fail naming `what` after timeout_s
    (with a screenshot of `page` and its cells' prompts, if given)."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            detail = ""
            if page is not None:
                shot = SCREENSHOTS / f"timeout-{int(time.time())}.png"
                page.screenshot(path=shot)
                detail = f"; prompts {page.evaluate(_PROMPTS_JS)}; screenshot {shot}"
            pytest.fail(f"timed out after {timeout_s:.0f} s waiting for {what}{detail}")
        time.sleep(interval_s)


def _visible_dialog(page) -> str | None:
    dialog = page.locator(".jp-Dialog")
    return dialog.first.text_content() if dialog.count() and dialog.first.is_visible() else None


def _open(lab: Lab, context, name: str):
    """Open a notebook as a learner does; the kernel must start by itself (no dialog)."""
    page = context.new_page()
    page.goto(lab.tree_url(name))
    page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell", timeout=PAGE_LOAD_S * 1000)

    def kernel_idle():
        dialog = _visible_dialog(page)
        if dialog:
            page.screenshot(path=SCREENSHOTS / f"{Path(name).stem}-dialog.png")
            pytest.fail(f"{name}: a dialog appeared on opening (is the settings override "
                        f"{INSTALLED_OVERRIDES} installed?):\n{dialog}")
        return page.evaluate(_KERNEL_JS) == "idle"

    _wait(kernel_idle, KERNEL_START_S, f"{name}'s kernel to start by itself and go idle", page=page)
    return page


def _menu(page, menu: str, item: str) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{re.escape(menu)}$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{re.escape(item)}$")).click()


def _run_all(page, name: str) -> float:
    """Run > Run All Cells; wait until no cell is queued or running and the kernel is idle."""
    start = time.monotonic()
    _menu(page, "Run", "Run All Cells")
    last_change = [time.monotonic(), None]

    def finished():
        prompts = page.evaluate(_PROMPTS_JS)
        state = (tuple(prompts), page.evaluate(_KERNEL_JS))
        if state != last_change[1]:
            last_change[:] = [time.monotonic(), state]
        ran = any(re.fullmatch(r"\[\d+\]:", p) for p in prompts)
        running = any("*" in p for p in prompts)
        settled = time.monotonic() - last_change[0] > 1.0     # nothing changed for a second
        # Run All queues every cell as "[*]"; after an error the rest go back to "[ ]".
        return settled and ran and not running and state[1] == "idle"

    _wait(finished, RUN_ALL_S, f"Run All Cells in {name} to finish", page=page)
    return time.monotonic() - start - 1.0


def _dom_tracebacks(page) -> list[str]:
    stderr = page.locator('.jp-NotebookPanel:not(.lm-mod-hidden) '
                          '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
    texts = [stderr.nth(i).text_content() for i in range(stderr.count())]
    return [t for t in texts if TRACEBACK.search(t)]


def _screenshot_cells(page, stem: str) -> None:
    """One picture per code cell with outputs, as the learner sees it (scrolled into view)."""
    cells = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell")
    try:
        for i in range(cells.count()):
            cell = cells.nth(i)
            if not cell.locator(".jp-OutputArea-output").count():
                continue
            cell.scroll_into_view_if_needed()
            # A cell taller than the window cannot be pictured whole (the notebook scrolls inside
            # the page): make the window tall enough for it while taking its picture.
            height = cell.bounding_box()["height"]
            if height > page.viewport_size["height"] - 200:
                page.set_viewport_size({"width": VIEWPORT["width"], "height": int(min(height + 300, 8000))})
                cell.scroll_into_view_if_needed()
            cell.screenshot(path=SCREENSHOTS / stem / f"cell{i + 1:02d}.png")
    finally:
        page.set_viewport_size(VIEWPORT)


def _execute(lab: Lab, context, name: str) -> Run:
    stem = Path(name).stem
    (SCREENSHOTS / stem).mkdir(parents=True, exist_ok=True)
    page = _open(lab, context, name)
    page.screenshot(path=SCREENSHOTS / f"{stem}-opened.png")
    seconds = _run_all(page, name)
    model = page.evaluate(_MODEL_JS)
    assert model["path"] == name, f"the active tab is {model['path']}, not {name}"
    run = Run(page=page, seconds=seconds, cells=model["cells"], dom_tracebacks=_dom_tracebacks(page))
    with (SCREENSHOTS / "report.txt").open("a") as report:
        report.write(f"{name}: Run All Cells took {seconds:.1f} s, {len(run.cells)} code cells, "
                     f"errors {_errors(run) or 'none'}, stderr output {run.stderr() or 'none'}\n")
    page.keyboard.press("Control+End")     # the end of the notebook, as after a run
    page.screenshot(path=SCREENSHOTS / f"{stem}-after-run-all.png")
    _screenshot_cells(page, stem)
    return run


def _errors(run: Run) -> list[str]:
    """Each error output in the model, as 'cell N: Ename: evalue'."""
    return [f"code cell {i + 1}: {o['ename']}: {o['evalue']}"
            for i, cell in enumerate(run.cells) for o in cell["outputs"] if o["output_type"] == "error"]


@pytest.fixture(scope="module")
def runs(lab, context):
    """Notebook name -> Run, each notebook run once (the explorer test reuses Week 2's page)."""
    cache: dict[str, Run] = {}

    def get(name: str) -> Run:
        if name not in cache:
            cache[name] = _execute(lab, context, name)
        return cache[name]

    yield get
    for run in cache.values():
        run.page.close()


def test_error_detection_sees_a_failing_cell(lab, context):
    """The checks below can fail: a notebook whose second cell raises is caught by both of them."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell("x = 1"), nbformat.v4.new_code_cell("raise ValueError('on purpose')"),
                nbformat.v4.new_code_cell("y = 2")]
    name = "zz_fails_on_purpose.ipynb"
    nbformat.write(nb, lab.root / name)
    page = _open(lab, context, name)
    try:
        _run_all(page, name)
        run = Run(page=page, seconds=0.0, cells=page.evaluate(_MODEL_JS)["cells"], dom_tracebacks=_dom_tracebacks(page))
        assert _errors(run) == ["code cell 2: ValueError: on purpose"]
        assert len(run.dom_tracebacks) == 1 and "ValueError" in run.dom_tracebacks[0]
        assert run.cells[2]["execution_count"] is None, "Run All Cells should stop at the error"
    finally:
        page.close()


@pytest.mark.timeout(RUN_ALL_S + PAGE_LOAD_S + KERNEL_START_S + 60)
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem.split("_")[0])
def test_notebook_runs_in_jupyterlab_without_errors(path, runs):
    run = runs(path.name)
    assert not _errors(run), f"{path.name}: error output(s) after Run All Cells: {_errors(run)}"
    assert not run.dom_tracebacks, f"{path.name}: traceback(s) shown: {run.dom_tracebacks}"
    not_run = [i + 1 for i, c in enumerate(run.cells) if c["source"].strip() and c["execution_count"] is None]
    assert not not_run, f"{path.name}: code cell(s) {not_run} did not run"
    assert run.cells, f"{path.name} has no code cell"


def _explorer_state(explorer) -> tuple[str, str]:
    """(the metric readout without its timing, the plot image's src)."""
    readout = explorer.locator(".tracker-explorer-readout")
    metrics = " | ".join(readout.locator("b").all_text_contents())
    return metrics, explorer.locator(".tracker-explorer-plot").get_attribute("src")


def _slider(explorer, label: str):
    slider = explorer.locator(".widget-slider", has=explorer.page.locator(".widget-label", has_text=label))
    assert slider.count() == 1, f"no slider labelled {label!r} in the explorer (helpers.widgets.EXPLORER_SLIDERS)"
    return slider


def _changed(explorer, before: tuple[str, str], what: str, *, readout: bool = True) -> tuple[str, str]:
    """Wait until the plot (and, if `readout`, the metric readout) differ from `before`."""
    def changed():
        now = _explorer_state(explorer)
        return now if now[1] != before[1] and (now[0] != before[0] or not readout) else None

    return _wait(changed, WIDGET_UPDATE_S, f"the explorer's plot{' and readout' if readout else ''} to change "
                 f"after {what}", page=explorer.page)


@pytest.mark.timeout(RUN_ALL_S + PAGE_LOAD_S + KERNEL_START_S + 3 * WIDGET_UPDATE_S + 60)
def test_week2_explorer_sliders_change_plot_and_readout(runs):
    from helpers.widgets import EXPLORER_SLIDERS

    name = next(p.name for p in NOTEBOOKS if p.name.startswith("02b_"))     # the explorer is in 02b
    page = runs(name).page
    explorer = page.locator(".tracker-explorer")
    assert explorer.count() == 1, f"{name}: the TrackerExplorer widget is not on the page"
    explorer.scroll_into_view_if_needed()
    assert explorer.locator(".widget-slider").count() == len(EXPLORER_SLIDERS)
    first = state = _explorer_state(explorer)
    assert re.fullmatch(r"F \d\.\d{3} \| CMLt \d\.\d{3} \| AMLt \d\.\d{3} \| tempo [\d.]+ BPM", first[0]), first[0]
    explorer.screenshot(path=SCREENSHOTS / "02-explorer-1-as-opened.png")

    # 1. Keyboard: Home on the prior-centre handle (its minimum, 50 BPM) - the tracker switches
    #    to another metrical level, so the scores, the tempo and the beats in the plot change.
    label, lowest, *_ = EXPLORER_SLIDERS["prior_center_bpm"]
    prior = _slider(explorer, label)
    box = prior.locator(".widget-readout")
    centre_bpm = box.text_content()
    prior.locator(".noUi-handle").focus()
    page.keyboard.press("Home")
    state = _changed(explorer, state, "Home on the prior-centre slider")
    assert float(box.text_content()) == lowest
    explorer.screenshot(path=SCREENSHOTS / "02-explorer-2-prior-at-50-bpm.png")

    # 2. The text box: type the original centre back - the first readout comes back exactly.
    box.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(centre_bpm)
    page.keyboard.press("Enter")
    state = _changed(explorer, state, f"typing {centre_bpm} into the prior-centre box")
    assert state[0] == first[0], "the same parameters must give the same scores"
    assert box.text_content() == centre_bpm

    # 3. One arrow-key step on the compression slider: a new novelty curve, so a new plot
    #    (the scores may or may not move on this track).
    gamma = _slider(explorer, EXPLORER_SLIDERS["gamma"][0])
    gamma_before = gamma.locator(".widget-readout").text_content()
    gamma.locator(".noUi-handle").focus()
    page.keyboard.press("ArrowRight")
    _changed(explorer, state, "ArrowRight on the compression slider", readout=False)
    assert gamma.locator(".widget-readout").text_content() != gamma_before
    explorer.screenshot(path=SCREENSHOTS / "02-explorer-3-compression-up.png")
    assert not _visible_dialog(page)


def test_committed_notebooks_untouched(runs, committed_notebooks):
    """The browser worked on copies: every notebook in notebooks/ is byte-for-byte as before."""
    assert _digest(NOTEBOOKS) == committed_notebooks
