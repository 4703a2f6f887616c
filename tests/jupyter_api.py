"""Running a notebook through a Jupyter server's REST and websocket APIs, as JupyterLab does:
for the class hub test (each learner's server behind the hub) and the image check; and a free
port for the servers the tests start."""

import json
import pathlib
import socket
import time
import uuid

import requests
import websocket


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def code_cells(notebook: pathlib.Path) -> list[str]:
    """The sources of a notebook's code cells, in order."""
    cells = json.loads(notebook.read_text())["cells"]
    return ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "code"]


def run_notebook(api: str, token: str, path: str, cells: list[str], started: float) -> dict:
    """Opens a session for the notebook at `path` (relative to the server's root) with the
    rust-lessons kernel, so that the kernel runs in the notebook's folder, and runs `cells` over
    the kernel's websocket. Returns each cell's text output and reply status, and the seconds
    from `started` (a `time.monotonic()`) to the first result and to the end."""
    headers = {"Authorization": f"token {token}"}
    opened = requests.post(f"{api}/sessions", headers=headers, timeout=120, json={
        "path": path, "type": "notebook", "name": pathlib.PurePath(path).name,
        "kernel": {"name": "rust-lessons"},
    })
    opened.raise_for_status()
    kernel_id = opened.json()["kernel"]["id"]
    channel = websocket.create_connection(
        api.replace("http", "ws", 1) + f"/kernels/{kernel_id}/channels",
        header=[f"Authorization: token {token}"], timeout=600,
    )
    session = uuid.uuid4().hex
    result = {"outputs": [], "statuses": [], "first_result_s": None}
    for source in cells:
        msg_id = uuid.uuid4().hex
        channel.send(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": "execute_request", "session": session,
                       "username": "learner", "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell",
            "content": {"code": source, "silent": False, "store_history": True,
                        "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
        }))
        texts, status, idle = [], None, False
        while status is None or not idle:
            message = json.loads(channel.recv())
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = message["msg_type"], message["content"]
            if kind == "execute_reply":
                status = content["status"]
            elif kind == "status" and content["execution_state"] == "idle":
                idle = True
            elif kind == "stream":
                texts.append(content["text"])
            elif kind in ("execute_result", "display_data"):
                texts.append(content["data"].get("text/plain", ""))
                if result["first_result_s"] is None:
                    result["first_result_s"] = time.monotonic() - started
            elif kind == "error":
                texts.append(f"{content['ename']}: {content['evalue']}")
        result["outputs"].append("".join(texts))
        result["statuses"].append(status)
    channel.close()
    result["done_s"] = time.monotonic() - started
    return result
