"""Checks the lessons image (scripts/image builds it, then runs this): starts a container as
Binder or JupyterHub would, runs a lesson notebook through the Jupyter server's API, and
reports the image's size and the container's peak memory in tests/artifacts/image.json.

Fails if the server does not run as uid 1000, if any cell fails, or if the kernel compiled
`lessons` (the image must start from its prebuilt build).
"""

import json
import pathlib
import secrets
import subprocess
import sys
import time

import requests

from jupyter_api import code_cells, free_port, run_notebook

REPO = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOK = "03-physical-time-and-lamport.ipynb"


def docker(*args: str) -> str:
    return subprocess.run(["docker", *args], check=True, capture_output=True, text=True).stdout


def peak_memory(container: str) -> int:
    """The container's peak memory from its cgroup (v1 or v2), in bytes."""
    full_id = docker("inspect", "--format", "{{.Id}}", container).strip()
    for candidate in [
        f"/sys/fs/cgroup/memory/docker/{full_id}/memory.max_usage_in_bytes",
        f"/sys/fs/cgroup/system.slice/docker-{full_id}.scope/memory.peak",
    ]:
        path = pathlib.Path(candidate)
        if path.exists():
            return int(path.read_text())
    raise RuntimeError("no cgroup memory figure for the container")


def main(tag: str) -> None:
    token = secrets.token_hex(16)
    port = free_port()
    container = docker(
        "run", "--detach", "--publish", f"127.0.0.1:{port}:8888",
        "--env", f"JUPYTER_TOKEN={token}", tag,
    ).strip()
    try:
        started = time.monotonic()
        base = f"http://127.0.0.1:{port}/api"
        while True:
            try:
                if requests.get(f"{base}/status", params={"token": token}, timeout=5).ok:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() - started < 120, docker("logs", container)
            time.sleep(0.5)
        server_ready = time.monotonic() - started
        uid = docker("exec", container, "id", "-u").strip()
        assert uid == "1000", f"the server runs as uid {uid}"
        cells = code_cells(REPO / "notebooks" / NOTEBOOK)
        result = run_notebook(base, token, f"notebooks/{NOTEBOOK}", cells, started)
        logs = subprocess.run(["docker", "logs", container], capture_output=True,
                              text=True).stderr
        failed = [i for i, status in enumerate(result["statuses"]) if status != "ok"]
        assert not failed, [result["outputs"][i] for i in failed]
        assert "starting from the shared build" in logs, logs[-3000:]
        assert "Compiling lessons" not in logs, "the kernel compiled lessons"
        report = {
            "image": tag,
            "image_size_mb": round(int(docker("image", "inspect", "--format", "{{.Size}}",
                                              tag)) / 2**20),
            "notebook": NOTEBOOK,
            "cells": len(cells),
            "server_ready_s": round(server_ready, 1),
            "first_result_s": round(result["first_result_s"], 1),
            "notebook_done_s": round(result["done_s"], 1),
            "peak_memory_mb": round(peak_memory(container) / 2**20),
        }
    finally:
        subprocess.run(["docker", "rm", "--force", container], capture_output=True)
    (REPO / "tests/artifacts").mkdir(exist_ok=True)
    (REPO / "tests/artifacts/image.json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "lessons-kernel:latest")
