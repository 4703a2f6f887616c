"""The warm spare kernel: a kernel start leaves a spare behind, the next start is served by it
(in the new start's working directory, with a working evcxr), the spare ends with the kernel
that claimed it, a start with another environment is not served by it, a spare in a cold
build slot takes no claim before it has loaded `lessons` there, and an unclaimed spare (and a
kernel, as with ipykernel) never outlives the server that led to it.

scripts/test turns spares off for the other tests; these turn them on for their own kernels.
"""

import os
import pathlib
import signal
import stat
import subprocess
import sys
import time

import pytest
from jupyter_client.manager import start_new_kernel

from conftest import KERNEL_NAME, REPO, kernel_binary

# An unclaimed spare left by a failed run ends by itself after this many seconds.
SPARE_IDLE_S = "300"


def spare_environment(**extra) -> dict:
    env = {name: value for name, value in os.environ.items() if name != "LESSONS_KERNEL_SPARE"}
    env["LESSONS_KERNEL_SPARE_IDLE"] = SPARE_IDLE_S
    env.update(extra)
    return env


def cache_root() -> pathlib.Path:
    root = os.environ.get("LESSONS_KERNEL_CACHE_DIR")
    base = pathlib.Path(root) if root else pathlib.Path.home() / ".cache" / "lessons-kernel"
    return base / "builds"


def spare_pids() -> set:
    pids = set()
    for entry in pathlib.Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if len(command) > 1 and command[0].endswith(b"lessons-kernel") and command[1] == b"spare" \
                and state != "Z":
            pids.add(int(entry.name))
    return pids


def wait_for(condition, timeout_s: float, what: str, every_s: float = 0.25):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(every_s)
    pytest.fail(f"timed out after {timeout_s} s waiting for {what}")


def run(client, code: str) -> str:
    """The text/plain result of `code`; fails the test on an error."""
    results = []

    def keep(message):
        if message["msg_type"] == "execute_result":
            results.append(message["content"]["data"]["text/plain"])

    reply = client.execute_interactive(code, timeout=600, output_hook=keep)
    assert reply["content"]["status"] == "ok", reply["content"]
    return results[-1] if results else ""


def parent_of_cells(client) -> int:
    """The process that runs evcxr: the parent of the process that runs the cells."""
    return int(run(client, "std::os::unix::process::parent_id()"))


@pytest.fixture
def no_spares():
    for pid in spare_pids():
        os.kill(pid, signal.SIGTERM)
    wait_for(lambda: not spare_pids(), 30, "old spares to end")
    # A killed spare leaves its socket file behind: the tests wait for a new spare's socket.
    (cache_root() / "spare.sock").unlink(missing_ok=True)
    yield
    for pid in spare_pids():
        os.kill(pid, signal.SIGTERM)


def wait_for_ready_spare():
    socket = cache_root() / "spare.sock"
    # The spare opens its socket as it starts warming up if its build slot is warm, else once
    # it has built `lessons` there (minutes on a fresh machine).
    wait_for(socket.exists, 900, "a spare kernel to wait")


def test_the_next_start_is_served_by_the_spare_in_its_own_directory(no_spares, tmp_path):
    first_manager, first = start_new_kernel(
        kernel_name=KERNEL_NAME, cwd=str(REPO / "notebooks"), env=spare_environment())
    try:
        # With no spare waiting, the first kernel serves itself, and leaves a spare behind.
        assert parent_of_cells(first) == first_manager.provisioner.pid
        wait_for_ready_spare()
        spares = spare_pids()
        assert len(spares) == 1
        (spare,) = spares

        manager, client = start_new_kernel(
            kernel_name=KERNEL_NAME, cwd=str(tmp_path), env=spare_environment())
        try:
            # The spare runs this kernel's cells, in this kernel's directory.
            assert parent_of_cells(client) == spare
            assert run(client, "std::env::current_dir().unwrap().display().to_string()") \
                == repr(str(tmp_path)).replace("'", '"')
            assert run(client, "let answer = 40 + 2; answer") == "42"
            assert run(client, "answer * 2") == "84"
            assert run(client, "lessons::clocks::LamportClock::new().time()") == "0"
            # The claimed spare started the next one.
            wait_for(lambda: len(spare_pids() - {spare}) == 1, 60, "a new spare to start")
        finally:
            manager.shutdown_kernel(now=True)
            client.stop_channels()
        # Killing the process Jupyter started ends the spare that served it.
        wait_for(lambda: spare not in spare_pids(), 30, "the claimed spare to end")
    finally:
        first_manager.shutdown_kernel(now=True)
        first.stop_channels()


def test_a_start_with_another_environment_is_not_served_by_the_spare(no_spares):
    first_manager, first = start_new_kernel(
        kernel_name=KERNEL_NAME, cwd=str(REPO / "notebooks"), env=spare_environment())
    try:
        wait_for_ready_spare()
        (spare,) = spare_pids()
        # Another log level is another environment: the spare refuses and ends.
        manager, client = start_new_kernel(
            kernel_name=KERNEL_NAME, cwd=str(REPO / "notebooks"),
            env=spare_environment(LESSONS_KERNEL_LOG="debug"))
        try:
            assert parent_of_cells(client) == manager.provisioner.pid
            assert spare not in spare_pids()
        finally:
            manager.shutdown_kernel(now=True)
            client.stop_channels()
    finally:
        first_manager.shutdown_kernel(now=True)
        first.stop_channels()


def test_a_spare_in_a_cold_slot_takes_claims_only_once_lessons_are_loaded(no_spares, tmp_path):
    # A tiny `lessons` crate and an empty cache: the first spare's build slot is cold.
    crate = tmp_path / "tiny-lessons"
    (crate / "src").mkdir(parents=True)
    (crate / "Cargo.toml").write_text(
        '[package]\nname = "lessons"\nversion = "0.1.0"\nedition = "2021"\n')
    (crate / "src" / "lib.rs").write_text("pub fn answer() -> u32 { 42 }\n")
    cache = tmp_path / "cache"
    env = spare_environment(
        LESSONS_KERNEL_CACHE_DIR=str(cache), LESSONS_KERNEL_LESSONS_DIR=str(crate))
    socket = cache / "builds" / "spare.sock"
    socket_modes = []

    def spare_log_when_socket_opens(log: pathlib.Path) -> str:
        spare = subprocess.Popen([kernel_binary(), "spare", "--log", str(log)], env=env,
                                 stderr=log.open("w"), stdin=subprocess.DEVNULL)
        try:
            wait_for(socket.exists, 600, "the spare's socket", every_s=0.02)
            text = log.read_text()
            wait_for(lambda: stat.S_IMODE(socket.stat().st_mode) == 0o600, 5, "socket permissions")
            socket_modes.append(stat.S_IMODE(socket.stat().st_mode))
            return text
        finally:
            spare.terminate()
            spare.wait(timeout=30)
            socket.unlink(missing_ok=True)

    cold = spare_log_when_socket_opens(tmp_path / "cold.log")
    # Only its own user may hand the spare a connection file (it holds the signing key).
    assert socket_modes == [0o600]
    assert "lessons ready" in cold, cold
    # The kernel marks the slot warm before the spare opens its socket.
    marker = cache / "builds" / "slot-0" / "warmed-for"
    wait_for(marker.is_file, 10, "the slot's warm mark")
    # The slot is warm now: the next spare takes claims while it still starts evcxr.
    warm = spare_log_when_socket_opens(tmp_path / "warm.log")
    assert "lessons ready" not in warm, warm


# A stand-in for the Jupyter server: it starts one kernel (spares on), prints the kernel's
# pid, and then does what stdin says: "stop" shuts the kernel down and exits cleanly; nothing
# (the test kills it) is a server that crashed.
STAND_IN_SERVER = """
import sys
from jupyter_client.manager import start_new_kernel
manager, client = start_new_kernel(kernel_name=sys.argv[1], cwd=sys.argv[2])
print(manager.provisioner.pid, flush=True)
if sys.stdin.readline().strip() == "stop":
    client.stop_channels()
    manager.shutdown_kernel(now=True)
"""


def start_stand_in_server(cwd) -> tuple:
    server = subprocess.Popen(
        [sys.executable, "-c", STAND_IN_SERVER, KERNEL_NAME, str(cwd)],
        env=spare_environment(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    kernel = int(server.stdout.readline())
    # The kernel starts its spare once it is ready; the spare may still be warming up.
    wait_for(lambda: len(spare_pids()) == 1, 60, "the kernel's spare to start")
    (spare,) = spare_pids()
    return server, kernel, spare


def is_running(pid: int) -> bool:
    try:
        state = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_an_unclaimed_spare_ends_with_the_server_that_stopped(no_spares, tmp_path):
    server, kernel, spare = start_stand_in_server(tmp_path)
    server.communicate("stop\n", timeout=60)
    assert not is_running(kernel)
    # Without this the spare would wait out its idle time (SPARE_IDLE_S), holding memory.
    wait_for(lambda: spare not in spare_pids(), 10, "the unclaimed spare to end")
    assert not (cache_root() / "spare.sock").exists()


def test_a_crashed_server_leaves_neither_its_kernel_nor_the_spare(no_spares, tmp_path):
    server, kernel, spare = start_stand_in_server(tmp_path)
    server.kill()
    server.wait(timeout=30)
    # As with ipykernel: the kernel sees it was orphaned (JPY_PARENT_PID) and ends.
    wait_for(lambda: not is_running(kernel), 10, "the orphaned kernel to end")
    wait_for(lambda: spare not in spare_pids(), 10, "the unclaimed spare to end")
