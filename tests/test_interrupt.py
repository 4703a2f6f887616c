"""An interrupt that keeps state: the kernel first asks the running cell to stop (the stop flag
that `lessons`' simulator and explorer check), and ends the cell process only when the cell
has not stopped after a short grace period.

A simulation that would run for minutes, interrupted after two seconds, returns within one
second with the interruption reported (where it stopped, in virtual time), and a variable
defined in an earlier cell is still there; the next cell runs normally. A plain spin loop still
recovers as before, with its variables lost (kernel/tests/protocol.rs tests that path too)."""

import time

import pytest

from conftest import lessons_kernel

LONG_SIMULATION = """
use lessons::sim::{Heartbeat, Simulation, ms, secs};
let mut sim = Simulation::new(7);
for node in 0..8 {
    sim.add_node(format!("n{node}"), || Heartbeat::every(ms(1)));
}
sim.set_recording(false);
sim.set_event_limit(u64::MAX);
println!("running");
sim.run_until(secs(100_000))?
"""


@pytest.fixture(scope="module")
def client():
    with lessons_kernel() as (manager, client):
        yield manager, client


def run_and_interrupt(manager, client, code: str, after: float):
    """Runs `code`, interrupts it `after` seconds after it printed `running`; returns the
    execute reply and the seconds from the interrupt to the reply."""
    msg_id = client.execute(code)
    while True:
        message = client.get_iopub_msg(timeout=300)
        if (message["parent_header"].get("msg_id") == msg_id and message["msg_type"] == "stream"
                and "running" in message["content"]["text"]):
            break
    time.sleep(after)
    interrupted = time.monotonic()
    manager.interrupt_kernel()
    reply = client.get_shell_msg(timeout=60)
    assert reply["parent_header"]["msg_id"] == msg_id
    return reply["content"], time.monotonic() - interrupted


def test_a_long_simulation_stops_when_asked_and_keeps_the_variables(client):
    manager, client = client
    assert client.execute_interactive("let kept = 41;", timeout=300)["content"]["status"] == "ok"
    reply, took = run_and_interrupt(manager, client, LONG_SIMULATION, after=2.0)
    print(f"\nsimulation: the reply came {took:.3f} s after the interrupt")
    assert took < 1.0, took
    assert reply["status"] == "error"
    assert reply["ename"] == "Interrupted"
    assert "interrupted at virtual time" in reply["evalue"], reply["evalue"]
    assert "still there" in " ".join(reply["traceback"])
    texts = []
    after = client.execute_interactive('println!("{}", kept + 1);', timeout=300,
                                       output_hook=lambda m: texts.append(m["content"].get("text", "")))
    assert after["content"]["status"] == "ok"
    assert "".join(texts) == "42\n"


def test_a_plain_loop_still_recovers_and_loses_its_variables(client):
    manager, client = client
    opened = []
    setup = client.execute_interactive(
        "let lost = 1;\nlet slider = lessons::widgets::Widget::int_slider(\"n\", 1..=3, 2)?;",
        timeout=300, output_hook=lambda m: opened.append(m))
    assert setup["content"]["status"] == "ok"
    slider = next(m["content"]["comm_id"] for m in opened if m["msg_type"] == "comm_open")
    assert slider in client.comm_info(reply=True, timeout=30)["content"]["comms"]
    reply, took = run_and_interrupt(
        manager, client, 'println!("running");\nloop { std::hint::spin_loop(); }', after=0.5)
    print(f"\nspin loop: the reply came {took:.3f} s after the interrupt")
    assert took < 1.5, took
    assert reply["ename"] == "Interrupted"
    assert "Lost: all variables" in " ".join(reply["traceback"])
    gone = client.execute_interactive("lost", timeout=300)
    assert gone["content"]["status"] == "error"
    # The widget's handler died with the process: the kernel closed its comm.
    assert client.comm_info(reply=True, timeout=30)["content"]["comms"] == {}
    # The next simulation runs to the end: the stop flag was cleared with the process.
    texts = []
    done = client.execute_interactive(
        "use lessons::sim::{Heartbeat, Simulation, ms};\n"
        "let mut sim = Simulation::new(1);\nsim.add_node(\"a\", || Heartbeat::every(ms(10)));\n"
        "println!(\"{}\", sim.run_until(ms(25))?);", timeout=300,
        output_hook=lambda m: texts.append(m["content"].get("text", "")))
    assert done["content"]["status"] == "ok"
    assert "".join(texts) == "3\n"
