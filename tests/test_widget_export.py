"""Widget state in exports: a notebook whose cell calls `lessons::widgets::interact`, executed by
nbclient (`nbconvert --execute`) and by `lessons-kernel notes`, keeps the standard widget-state
metadata (`application/vnd.jupyter.widget-state+json`) with each control's last state, and its
HTML shows the controls' values beside the figure they produced."""

import base64
import json
import re
import subprocess
import sys

import nbformat
import pytest

from conftest import REPO, kernel_binary

CELLS = [
    ':dep lessons = { path = "../lessons" }',
    """use lessons::viz::Figure;
use lessons::widgets::{Control, interact};
interact(vec![Control::int("nodes", 1..=40, 7)?, Control::choice("shape", &["line", "points"], 1)?],
    |values| {
        let n = values.int("nodes");
        let majority: Vec<(f64, f64)> = (1..=n).map(|k| (k as f64, (k / 2 + 1) as f64)).collect();
        Figure::new(format!("majority of {n} nodes")).points(values.choice("shape"), majority)
    })?;""",
]


@pytest.fixture(scope="module")
def notebook_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("widget-export")
    (root / "lessons").symlink_to(REPO / "lessons")
    (root / "notebooks").mkdir()
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "rust-lessons", "display_name": "Rust (lessons)",
                                       "language": "rust"}
    notebook.cells = [nbformat.v4.new_code_cell(code) for code in CELLS]
    nbformat.write(notebook, root / "notebooks" / "controls.ipynb")
    return root / "notebooks"


def slider_state(notebook: dict) -> dict:
    states = notebook["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    assert {s["model_name"] for s in states.values()} == {"IntSliderModel", "DropdownModel", "VBoxModel"}
    return next(s for s in states.values() if s["model_name"] == "IntSliderModel")


def test_nbconvert_execute_saves_widget_state_and_html_carries_it(notebook_dir):
    executed = notebook_dir / "by-nbclient.ipynb"
    subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
                    "--ExecutePreprocessor.timeout=900", "--output", executed.name,
                    str(notebook_dir / "controls.ipynb")], check=True, capture_output=True, text=True)
    notebook = json.loads(executed.read_text())
    state = slider_state(notebook)
    assert state["model_module"] == "@jupyter-widgets/controls"
    assert state["state"]["value"] == 7 and state["state"]["description"] == "nodes"
    subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", str(executed)],
                   check=True, capture_output=True, text=True)
    html = executed.with_suffix(".html").read_text()
    assert "application/vnd.jupyter.widget-state+json" in html
    # nbconvert embeds the figure as a base64 image.
    pictures = [base64.b64decode(data).decode() for data in
                re.findall(r'src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', html)]
    assert any("majority of 7 nodes" in svg for svg in pictures)


def test_notes_save_widget_state_and_draw_the_controls(notebook_dir, tmp_path):
    result = subprocess.run([kernel_binary(), "notes", str(notebook_dir / "controls.ipynb"),
                             "--out", str(tmp_path)], capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, result.stderr[-4000:]
    notebook = json.loads((tmp_path / "controls.ipynb").read_text())
    assert slider_state(notebook)["state"]["value"] == 7
    html = (tmp_path / "controls.html").read_text()
    assert 'nodes <input type="range" disabled min="1" max="40" step="1" value="7">' in html
    assert "<option selected>points</option>" in html
    # The controls come before the figure they drew.
    assert html.index('type="range"') < html.index("majority of 7 nodes")
