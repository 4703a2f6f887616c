"""The `lessons` crate inside the kernel, through jupyter_client: completion offers its names
(Tab) and inspection shows its documentation (Shift-Tab)."""

import time

import pytest
from jupyter_client.manager import start_new_kernel

from conftest import KERNEL_NAME, REPO


@pytest.fixture(scope="module")
def client():
    manager, client = start_new_kernel(kernel_name=KERNEL_NAME, cwd=str(REPO / "notebooks"))
    reply = client.execute_interactive(':dep lessons = { path = "../lessons" }', timeout=900)
    assert reply["content"]["status"] == "ok"
    reply = client.execute_interactive("let mut clock = lessons::clocks::LamportClock::new();", timeout=300)
    assert reply["content"]["status"] == "ok"
    yield client
    client.stop_channels()
    manager.shutdown_kernel(now=True)


def ask(client, send, *args):
    msg_id = send(*args)
    reply = client.get_shell_msg(timeout=60)
    assert reply["parent_header"]["msg_id"] == msg_id
    return reply["content"]


def test_tab_completes_lessons_modules_and_types(client):
    modules = ask(client, client.complete, "lessons::")
    assert {"clocks::", "display::", "table::", "viz::"} <= set(modules["matches"])
    assert modules["cursor_start"] == len("lessons::")
    types = ask(client, client.complete, "lessons::clocks::Vec")
    assert types["matches"] == ["VectorClock"]
    assert (types["cursor_start"], types["cursor_end"]) == (len("lessons::clocks::"), len("lessons::clocks::Vec"))


def test_tab_completes_methods_of_a_variable(client):
    methods = ask(client, client.complete, "clock.ti")
    assert "tick()" in methods["matches"]


def test_shift_tab_shows_lessons_docs(client):
    found = ask(client, client.inspect, "lessons::clocks::LamportClock")
    assert found["status"] == "ok" and found["found"]
    assert "pub struct LamportClock" in found["data"]["text/plain"]
    assert "Lamport clock" in found["data"]["text/plain"]
    assert "<" in found["data"]["text/html"]
    method = ask(client, client.inspect, "lessons::clocks::LamportClock::receive")
    assert "pub fn receive(&mut self, message_time: u64) -> u64" in method["data"]["text/plain"]


def test_help_cell_pages_lessons_docs(client):
    reply = client.execute_interactive("?lessons::clocks::LamportClock", timeout=60)
    pages = [p for p in reply["content"]["payload"] if p["source"] == "page"]
    assert len(pages) == 1
    assert "pub struct LamportClock" in pages[0]["data"]["text/plain"]


def test_introspection_of_a_huge_cell_gives_up_at_once_and_cells_still_run(client):
    # A pasted 2 MB data literal: rust-analyzer would take over five minutes on it.
    literal = "let data = vec![" + ", ".join(str(1000 + i % 9000) for i in range(400_000)) + "];\ndata.len()"
    assert len(literal) > 2_000_000
    started = time.monotonic()
    inspected = ask(client, client.inspect, literal, len(literal) - 3)
    completed = ask(client, client.complete, literal, len(literal) - 3)
    assert time.monotonic() - started < 5
    assert inspected["status"] == "ok" and not inspected["found"]
    assert completed["status"] == "ok" and completed["matches"] == []
    assert completed["cursor_start"] == completed["cursor_end"] == len(literal) - 3
    # A cell queued behind them runs, and a small cell is still inspected as before.
    started = time.monotonic()
    reply = client.execute_interactive("clock.tick()", timeout=60)
    assert reply["content"]["status"] == "ok"
    assert time.monotonic() - started < 30
    assert ask(client, client.inspect, "lessons::clocks::LamportClock")["found"]
