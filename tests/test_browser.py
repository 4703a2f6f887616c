"""In a real browser (Debian's headless Chromium, driven by Playwright):

- the study notes that `lessons-kernel notes` wrote render every plot visibly;
- JupyterLab, started from the venv with our kernel installed, runs a lesson notebook: no error
  output, plots rendered, Tab completion on `lessons::`, the inspector's docs for a `lessons`
  type, and a plot that changes when a parameter is edited and its cell run again.

Screenshots land in tests/artifacts/ (ignored by git); the tests print their paths."""

import os
import shutil
import time
import urllib.parse

import pytest

from conftest import ARTIFACTS, NOTES_LESSONS, REPO, running_jupyterlab


def test_notes_show_every_plot_in_the_browser(notes, browser):
    result, out = notes
    assert result.returncode == 0, result.stderr[-4000:]
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    for name in NOTES_LESSONS:
        stem = name.removesuffix(".ipynb")
        page.goto((out / f"{stem}.html").as_uri())
        plots = page.locator(".output.plot > svg")
        assert plots.count() >= 1
        for i in range(plots.count()):
            plot = plots.nth(i)
            plot.scroll_into_view_if_needed()
            box = plot.bounding_box()
            assert box and box["width"] > 50 and box["height"] > 50, (stem, i, box)
            assert plot.is_visible()
        # The contents sidebar leads to the sections.
        assert page.locator("nav.contents a[href^='#']").count() >= 2
        # Folding all code hides the code, and unfolding shows it again.
        page.click("button.fold-all")
        assert not page.locator("details.code pre").first.is_visible()
        page.click("button.fold-all")
        assert page.locator("details.code pre").first.is_visible()
        if stem == "00-kernel-tour":
            plots.first.scroll_into_view_if_needed()
            shot = ARTIFACTS / "notes-00-kernel-tour.png"
            page.screenshot(path=str(shot))
            print(f"\nscreenshot of the notes: {shot}")
    page.close()


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory):
    """JupyterLab serving a copy of the kernel tour; yields its URL."""
    root = tmp_path_factory.mktemp("lab")
    (root / "notebooks").mkdir()
    shutil.copy(REPO / "notebooks" / "00-kernel-tour.ipynb", root / "notebooks")
    with running_jupyterlab(root) as (base, token):
        yield f"{base}/lab/tree/00-kernel-tour.ipynb?token={token}"


def prompts(page):
    return page.locator(".jp-Notebook .jp-CodeCell .jp-InputPrompt").all_inner_texts()


def wait_until_run(page, code_cells: int, timeout_s: float):
    """Waits until every code cell has a number in its prompt (`[3]:`, not `[*]:` or `[ ]:`)."""
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        texts = prompts(page)
        if len(texts) == code_cells and all(t.strip("[]: ").isdigit() for t in texts):
            return texts
        page.wait_for_timeout(1000)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "jupyterlab-failure.png"))
    raise AssertionError(f"cells did not finish: {prompts(page)}; see {ARTIFACTS / 'jupyterlab-failure.png'}")


def svg_sources(cell):
    """The SVGs JupyterLab rendered in a cell's output area (it shows them as <img> data URIs)."""
    images = cell.locator(".jp-OutputArea-output.jp-RenderedSVG img")
    return [urllib.parse.unquote(images.nth(i).get_attribute("src")) for i in range(images.count())]


def test_jupyterlab_runs_a_lesson_completes_inspects_and_redraws(jupyterlab, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(jupyterlab)
    page.wait_for_selector(".jp-Notebook .jp-CodeCell", timeout=120_000)
    # The notebook names our kernel; wait until it is idle.
    page.wait_for_selector(".jp-StatusBar-TextItem:has-text('| Idle')", timeout=120_000)
    code_cells = page.locator(".jp-Notebook .jp-CodeCell").count()

    # Run all cells from the menu, as a learner does. Right after the page opens the frontend may
    # still be connecting to the kernel, and then Run All does nothing: try again until a cell runs.
    for _ in range(10):
        page.click(".lm-MenuBar-itemLabel:text-is('Run')")
        page.click(".lm-Menu-itemLabel:text-is('Run All Cells')")
        page.wait_for_timeout(3000)
        if any(t.strip() not in ("[ ]:", "") for t in prompts(page)):
            break
        page.wait_for_timeout(5000)
    wait_until_run(page, code_cells, timeout_s=float(os.environ.get("LAB_RUN_TIMEOUT", 900)))

    assert page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.error']").count() == 0
    plots = page.locator(".jp-OutputArea-output.jp-RenderedSVG img")
    assert plots.count() >= 1
    plots.first.scroll_into_view_if_needed()
    box = plots.first.bounding_box()
    assert box and box["width"] > 50 and box["height"] > 50, box
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "jupyterlab-00-kernel-tour.png"
    page.screenshot(path=str(shot))
    print(f"\nscreenshot of JupyterLab: {shot}")

    # Edit a parameter of the plot cell (the first figure's title), run it again, see it redrawn.
    plot_cell = page.locator(".jp-Notebook .jp-CodeCell").filter(has=page.locator(".jp-RenderedSVG")).first
    before = svg_sources(plot_cell)
    assert any("Lamport time at each event" in svg for svg in before)
    editor = plot_cell.locator(".cm-content")
    editor.click()
    page.keyboard.press("Control+Home")
    line = editor.locator(".cm-line").first
    assert "Lamport time at each event" in line.inner_text()
    page.keyboard.press("End")
    # The line ends `Figure::new("Lamport time at each event")`: `each event` becomes `every step`.
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    for _ in range(len("each event")):
        page.keyboard.press("Backspace")
    page.keyboard.type("every step")
    assert 'Figure::new("Lamport time at every step")' in line.inner_text()
    page.keyboard.press("Shift+Enter")
    deadline = time.time() + 300
    while time.time() < deadline:
        after = svg_sources(plot_cell)
        if any("Lamport time at every step" in svg for svg in after):
            break
        page.wait_for_timeout(1000)
    assert any("Lamport time at every step" in svg for svg in after), "the plot was not redrawn"
    assert after != before

    # Tab completion on `lessons::` in a new cell at the end.
    page.locator(".jp-Notebook .jp-CodeCell").last.locator(".cm-content").click()
    page.keyboard.press("Escape")
    page.keyboard.press("b")
    page.keyboard.press("Enter")
    page.keyboard.type("lessons::")
    page.keyboard.press("Tab")
    completer = page.locator(".jp-Completer")
    completer.wait_for(state="visible", timeout=60_000)
    names = completer.locator(".jp-Completer-item .jp-Completer-match").all_inner_texts()
    assert {"clocks", "viz", "table"} <= {n.strip().rstrip(":") for n in names}, names
    page.keyboard.press("Escape")

    # The inspector (Shift-Tab tooltip) shows the docs of a lessons type.
    page.keyboard.type("clocks::LamportClock")
    page.keyboard.press("Shift+Tab")
    tooltip = page.locator(".jp-Tooltip")
    tooltip.wait_for(state="visible", timeout=60_000)
    assert "LamportClock" in tooltip.inner_text()
    assert "Lamport" in tooltip.inner_text() and len(tooltip.inner_text()) > 40
    page.screenshot(path=str(ARTIFACTS / "jupyterlab-tooltip.png"))
    page.close()
