"""Shared set-up for the end-to-end tests: they talk to the installed `rust-lessons` kernel.

`scripts/test` builds the kernel once, installs its kernelspec into the test virtualenv and
points JUPYTER_PATH there; these tests never build anything themselves.
"""

import pathlib

import pytest
from jupyter_client.kernelspec import KernelSpecManager

KERNEL_NAME = "rust-lessons"
REPO = pathlib.Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", autouse=True)
def kernel_is_installed():
    specs = KernelSpecManager().find_kernel_specs()
    assert KERNEL_NAME in specs, f"kernelspec {KERNEL_NAME} not installed; run scripts/test"
