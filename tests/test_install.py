"""`lessons-kernel install` writes a kernelspec that Jupyter itself lists and can start."""

import json
import os
import subprocess
import sys

from jupyter_client.kernelspec import KernelSpecManager

from conftest import KERNEL_NAME


def kernel_binary() -> str:
    return KernelSpecManager().get_kernel_spec(KERNEL_NAME).argv[0]


def test_jupyter_lists_the_installed_kernelspec(tmp_path):
    subprocess.run([kernel_binary(), "install", "--prefix", str(tmp_path)], check=True)
    env = dict(os.environ, JUPYTER_PATH=str(tmp_path / "share" / "jupyter"))
    listed = subprocess.run(
        [sys.executable, "-m", "jupyter", "kernelspec", "list", "--json"],
        env=env, check=True, capture_output=True, text=True,
    )
    specs = json.loads(listed.stdout)["kernelspecs"]
    ours = specs[KERNEL_NAME]
    assert ours["resource_dir"] == str(tmp_path / "share" / "jupyter" / "kernels" / KERNEL_NAME)
    assert ours["spec"]["display_name"] == "Rust (distributed systems lessons)"
    assert ours["spec"]["language"] == "rust"
    assert ours["spec"]["interrupt_mode"] == "message"
    assert ours["spec"]["argv"][0] == kernel_binary()

    subprocess.run([kernel_binary(), "uninstall", "--prefix", str(tmp_path)], check=True)
    listed = subprocess.run(
        [sys.executable, "-m", "jupyter", "kernelspec", "list", "--json"],
        env=env, check=True, capture_output=True, text=True,
    )
    assert all(spec["resource_dir"] != ours["resource_dir"] for spec in json.loads(listed.stdout)["kernelspecs"].values())
