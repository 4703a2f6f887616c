"""Every notebook in notebooks/ runs top to bottom through nbconvert with our kernel."""

import json
import pathlib
import subprocess
import sys

import pytest

from conftest import KERNEL_NAME, REPO

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


def outputs(notebook: dict):
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            yield from cell.get("outputs", [])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_top_to_bottom(path, tmp_path):
    result = subprocess.run(
        [
            sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
            f"--ExecutePreprocessor.kernel_name={KERNEL_NAME}",
            "--ExecutePreprocessor.timeout=900",
            "--output-dir", str(tmp_path), str(path),
        ],
        capture_output=True, text=True, cwd=path.parent,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    executed = json.loads((tmp_path / path.name).read_text())
    errors = [o for o in outputs(executed) if o["output_type"] == "error"]
    assert errors == []
    code_cells = [c for c in executed["cells"] if c["cell_type"] == "code"]
    assert all(c["execution_count"] is not None for c in code_cells)


def test_the_kernel_tour_shows_plots_and_a_table(tmp_path):
    path = REPO / "notebooks" / "01-kernel-tour.ipynb"
    subprocess.run(
        [
            sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
            f"--ExecutePreprocessor.kernel_name={KERNEL_NAME}", "--ExecutePreprocessor.timeout=900",
            "--output-dir", str(tmp_path), str(path),
        ],
        check=True, capture_output=True, cwd=path.parent,
    )
    executed = json.loads((tmp_path / path.name).read_text())
    shown = [o for o in outputs(executed) if o["output_type"] in ("display_data", "execute_result")]
    svgs = [o for o in shown if "image/svg+xml" in o["data"]]
    tables = [o for o in shown if "<table" in "".join(o["data"].get("text/html", ""))]
    assert len(svgs) >= 2, "the tour draws at least two plots"
    assert tables, "the tour shows a table"
    for svg in svgs:
        text = "".join(svg["data"]["image/svg+xml"])
        assert text.lstrip().startswith("<svg") and text.rstrip().endswith("</svg>")
