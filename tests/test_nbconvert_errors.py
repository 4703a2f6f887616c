"""A panicking cell through `jupyter nbconvert --execute`: the run fails and names the panic, and
with `--allow-errors` the cells after it still see the variables of the cells before it."""

import os
import subprocess
import sys

import nbformat
import pytest

from conftest import KERNEL_NAME


@pytest.fixture
def panicking_notebook(tmp_path):
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": KERNEL_NAME, "language": "rust", "display_name": "Rust"}
    notebook.cells = [
        nbformat.v4.new_code_cell("let kept = 1;"),
        nbformat.v4.new_code_cell('panic!("boom");'),
        nbformat.v4.new_code_cell("kept"),
    ]
    path = tmp_path / "panics.ipynb"
    nbformat.write(notebook, path)
    return path


def execute(path, *options):
    return subprocess.run(
        [
            sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
            "--ExecutePreprocessor.timeout=900", *options,
            "--output", "executed.ipynb", str(path),
        ],
        capture_output=True, text=True, cwd=path.parent, timeout=1800,
        # These cells need no `lessons` prelude; without it the kernel is ready sooner.
        env={**os.environ, "LESSONS_KERNEL_LESSONS_DIR": ""},
    )


def test_a_panic_fails_the_run_and_is_named(panicking_notebook):
    result = execute(panicking_notebook)
    assert result.returncode != 0
    assert "boom" in result.stderr, result.stderr[-4000:]


def test_with_allow_errors_the_cell_after_a_panic_sees_earlier_variables(panicking_notebook):
    result = execute(panicking_notebook, "--allow-errors")
    assert result.returncode == 0, result.stderr[-4000:]
    cells = nbformat.read(panicking_notebook.parent / "executed.ipynb", as_version=4).cells
    panic_outputs = [o for o in cells[1].outputs if o.output_type == "error"]
    assert [(o.ename, o.evalue) for o in panic_outputs] == [("Panic", "boom")]
    assert [o.output_type for o in cells[2].outputs] == ["execute_result"]
    assert cells[2].outputs[0].data["text/plain"] == "1"
