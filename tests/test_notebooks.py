"""Every notebook in notebooks/ runs top to bottom through `jupyter nbconvert --execute` with
our kernel, and the kernel tour shows what it promises."""

import json
import subprocess
import sys

import pytest

from conftest import REPO

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


def outputs(notebook: dict):
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            yield from cell.get("outputs", [])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_top_to_bottom(path, executed):
    result, notebook = executed(path)
    assert result.returncode == 0, result.stderr[-4000:]
    assert [o for o in outputs(notebook) if o["output_type"] == "error"] == []
    code_cells = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    assert [c["execution_count"] for c in code_cells] == list(range(1, len(code_cells) + 1))


def test_the_kernel_tour_shows_plots_and_a_table(executed):
    result, notebook = executed(REPO / "notebooks" / "00-kernel-tour.ipynb")
    assert result.returncode == 0, result.stderr[-4000:]
    shown = [o for o in outputs(notebook) if o["output_type"] in ("display_data", "execute_result")]
    svgs = [o for o in shown if "image/svg+xml" in o["data"]]
    tables = [o for o in shown if "<table" in "".join(o["data"].get("text/html", ""))]
    assert len(svgs) == 2, "the tour draws two plots, in one cell"
    assert len(tables) >= 2, "the tour shows the final clocks and the replay log as tables"
    for svg in svgs:
        text = "".join(svg["data"]["image/svg+xml"])
        assert text.lstrip().startswith("<svg") and text.rstrip().endswith("</svg>")
        assert "Lamport" in text
    plots_cell = next(c for c in notebook["cells"] if c["cell_type"] == "code" and "by_message.show()" in "".join(c["source"]))
    assert [o["output_type"] for o in plots_cell["outputs"]] == ["display_data", "display_data"]


def test_exports_know_the_language(executed, tmp_path):
    """The kernel's language_info lands in the notebook, and nbconvert uses it: Rust highlighting
    in HTML and a `.rs` script."""
    result, notebook = executed(REPO / "notebooks" / "00-kernel-tour.ipynb")
    info = notebook["metadata"]["language_info"]
    assert (info["name"], info["pygments_lexer"], info["file_extension"]) == ("rust", "rust", ".rs")
    path = tmp_path / "tour.ipynb"
    path.write_text(json.dumps(notebook))
    for target in ("html", "script"):
        subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", target, str(path)], check=True, capture_output=True)
    html = (tmp_path / "tour.html").read_text()
    assert '<span class="kd">let</span>' in html or '<span class="k">let</span>' in html
    assert (tmp_path / "tour.rs").read_text().count("LamportClock::new()") >= 3
