"""Shared set-up for the end-to-end tests: they talk to the installed `rust-lessons` kernel.

`scripts/test` builds the kernel once, installs its kernelspec into the test virtualenv and
points JUPYTER_PATH there; these tests never build anything themselves.
"""

import contextlib
import json
import os
import pathlib
import secrets
import subprocess
import sys
import time
import urllib.request

import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import start_new_kernel

from jupyter_api import free_port

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


# The lessons whose study notes the tests build (and look at in a browser): the two short
# 00 notebooks, so that the index has an order to check.
NOTES_LESSONS = ["00-kernel-tour.ipynb", "00-toolkit.ipynb"]
# Screenshots for people to look at after a run; ignored by git.
ARTIFACTS = REPO / "tests" / "artifacts"


def kernel_binary() -> str:
    """The `lessons-kernel` the installed kernelspec starts (built by scripts/test)."""
    return KernelSpecManager().get_kernel_spec(KERNEL_NAME).argv[0]


@pytest.fixture(scope="session")
def notes(tmp_path_factory):
    """`lessons-kernel notes` run once per session on NOTES_LESSONS; (result, output dir)."""
    out = tmp_path_factory.mktemp("notes")
    # Given in reverse: the notes must follow the file names, not the argument order.
    paths = [str(REPO / "notebooks" / name) for name in reversed(NOTES_LESSONS)]
    result = subprocess.run(
        [kernel_binary(), "notes", *paths, "--out", str(out)],
        capture_output=True, text=True, timeout=1800,
    )
    return result, out


CHROMIUM_ARGS = [
    # As root Chromium needs --no-sandbox; the rest keep it off this machine's closed network.
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium driven by Playwright (never a browser Playwright downloads)."""
    import shutil

    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or "/usr/bin/chromium"
    assert pathlib.Path(executable).exists(), "chromium is not installed; run scripts/test"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@contextlib.contextmanager
def running_jupyterlab(root: pathlib.Path):
    """JupyterLab from the venv on localhost serving `root / "notebooks"` (beside a link to
    lessons/, so a notebook's `:dep lessons = { path = "../lessons" }` holds); yields
    (base URL, token) and stops the server afterwards."""
    (root / "lessons").symlink_to(REPO / "lessons")
    port, token = free_port(), secrets.token_hex(16)
    env = dict(os.environ)
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_RUNTIME_DIR", "JUPYTER_DATA_DIR"):
        env[name] = str(root / name.lower())
    # JupyterLab renders only the cells on screen by default; the tests read every prompt.
    settings = root / "settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    (settings / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
        f"--ServerApp.token={token}", f"--ServerApp.root_dir={root / 'notebooks'}",
        f"--LabApp.workspaces_dir={root / 'workspaces'}", f"--LabApp.user_settings_dir={root / 'settings'}",
        "--LabApp.news_url=",
    ]
    if os.geteuid() == 0:
        command.append("--allow-root")
    log = open(root / "jupyterlab.log", "w")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
            break
        except OSError:
            assert server.poll() is None and time.time() < deadline, (root / "jupyterlab.log").read_text()[-3000:]
            time.sleep(0.5)
    try:
        yield base, token
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@contextlib.contextmanager
def lessons_kernel():
    """Our kernel started in notebooks/ with `lessons` loaded, so that a build of the crate
    (when it changed) is over before the outputs under test; yields (manager, client)."""
    manager, client = start_new_kernel(kernel_name=KERNEL_NAME, cwd=str(REPO / "notebooks"),
                                       startup_timeout=600)
    try:
        reply = client.execute_interactive(':dep lessons = { path = "../lessons" }', timeout=900)
        assert reply["content"]["status"] == "ok"
        yield manager, client
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
