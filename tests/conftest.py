"""Shared set-up for the end-to-end tests: they talk to the installed `rust-lessons` kernel.

`scripts/test` builds the kernel once, installs its kernelspec into the test virtualenv and
points JUPYTER_PATH there; these tests never build anything themselves.
"""

import json
import pathlib
import subprocess
import sys

import pytest
from jupyter_client.kernelspec import KernelSpecManager

KERNEL_NAME = "rust-lessons"
REPO = pathlib.Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", autouse=True)
def kernel_is_installed():
    specs = KernelSpecManager().find_kernel_specs()
    assert KERNEL_NAME in specs, f"kernelspec {KERNEL_NAME} not installed; run scripts/test"


@pytest.fixture(scope="session")
def executed(tmp_path_factory):
    """Runs each notebook through `jupyter nbconvert --execute` once per test session, on first
    use, whichever test file asks; returns (nbconvert's result, executed notebook as a dict)."""
    out_dir = tmp_path_factory.mktemp("executed")
    results = {}

    def run(path: pathlib.Path):
        if path not in results:
            result = subprocess.run(
                [
                    sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
                    f"--ExecutePreprocessor.kernel_name={KERNEL_NAME}",
                    "--ExecutePreprocessor.timeout=900",
                    "--output-dir", str(out_dir), str(path),
                ],
                capture_output=True, text=True, cwd=path.parent,
            )
            output = out_dir / path.name
            notebook = json.loads(output.read_text()) if output.exists() else None
            results[path] = (result, notebook)
        return results[path]

    return run
