"""Comms and Jupyter widgets through a real jupyter_client, as ipykernel answers them.

`lessons::widgets::interact` opens one ipywidgets 8 model per control and a VBox around them
(`comm_open` on target `jupyter.widget` with protocol version 2.1.0), shows the box as a widget
view and the closure's output under a display id. A `comm_msg` from the frontend that moves a
slider reaches the compiled closure in the cell process, whose new output replaces the old one
(`update_display_data` parented to the `comm_msg`) before the kernel goes idle, with no compile.
`comm_info_request` lists the open comms; a `comm_open` for an unknown target is closed again;
a message for an unknown comm is dropped; the kernel keeps its variables throughout.

As with ipywidgets 8, a page's update is echoed to every page (`echo_update`, parented to the
update), a reloaded page gets every widget's state in one message through the
`jupyter.widget.control` comm, binary values travel as message buffers both ways, and cell code
can register comm targets that the frontend opens comms to.
"""

import time

import pytest

from conftest import lessons_kernel

INTERACT = """
use lessons::display::MimeBundle;
use lessons::widgets::{Control, interact};
let counter = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
let draws = counter.clone();
let view = interact(
    vec![Control::int("replicas", 1..=9, 3)?, Control::choice("policy", &["lru", "lfu"], 0)?],
    move |values| {
        draws.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let majority = values.int("replicas") / 2 + 1;
        MimeBundle::new().with("text/plain", format!("majority {majority} {}", values.choice("policy")))
    },
)?;
println!("live {}", view.is_live());
"""


@pytest.fixture(scope="module")
def client():
    with lessons_kernel() as (_, client):
        yield client


def messages_of(client, msg_id: str, timeout: float = 60) -> list:
    """Every iopub message parented to `msg_id` up to its idle status (busy and idle left out)."""
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        message = client.get_iopub_msg(timeout=timeout)
        if message["parent_header"].get("msg_id") != msg_id:
            continue
        kind = message["msg_type"]
        if kind == "status":
            if message["content"]["execution_state"] == "idle":
                return seen
            continue
        seen.append(message)
    raise AssertionError(f"no idle for {msg_id}")


def send_shell(client, msg_type: str, content: dict) -> str:
    message = client.session.msg(msg_type, content)
    client.shell_channel.send(message)
    return message["header"]["msg_id"]


@pytest.fixture(scope="module")
def widgets(client):
    """The messages of the cell that calls `interact`, by type."""
    msg_id = client.execute(INTERACT)
    seen = messages_of(client, msg_id, timeout=300)
    assert not [m for m in seen if m["msg_type"] == "error"], seen
    return seen


def test_each_control_and_the_box_open_a_widget_comm(widgets):
    opens = [m for m in widgets if m["msg_type"] == "comm_open"]
    assert [m["content"]["data"]["state"]["_model_name"] for m in opens] == [
        "IntSliderModel", "DropdownModel", "VBoxModel"]
    for message in opens:
        assert message["content"]["target_name"] == "jupyter.widget"
        assert message["metadata"]["version"] == "2.1.0"
        assert message["content"]["data"]["state"]["_model_module_version"] == "2.0.0"
    slider, dropdown, box = (m["content"] for m in opens)
    assert slider["data"]["state"]["value"] == 3
    assert dropdown["data"]["state"]["_options_labels"] == ["lru", "lfu"]
    assert box["data"]["state"]["children"] == [
        "IPY_MODEL_" + slider["comm_id"], "IPY_MODEL_" + dropdown["comm_id"]]


def test_the_box_is_shown_as_a_widget_view_and_the_output_under_a_display_id(widgets):
    box = [m for m in widgets if m["msg_type"] == "comm_open"][-1]["content"]["comm_id"]
    views = [m["content"]["data"] for m in widgets if m["msg_type"] == "display_data"
             and "application/vnd.jupyter.widget-view+json" in m["content"]["data"]]
    assert [v["application/vnd.jupyter.widget-view+json"]["model_id"] for v in views] == [box]
    shown = [m["content"] for m in widgets if m["msg_type"] == "display_data"]
    # The controls first, then the closure's output below them, under a display id.
    assert "application/vnd.jupyter.widget-view+json" in shown[0]["data"]
    assert shown[1]["data"]["text/plain"] == "majority 2 lru"
    assert shown[1]["transient"]["display_id"]
    texts = [m["content"]["text"] for m in widgets if m["msg_type"] == "stream"]
    assert "".join(texts) == "live true\n"


def test_comm_info_lists_the_open_widget_comms(client, widgets):
    opened = {m["content"]["comm_id"] for m in widgets if m["msg_type"] == "comm_open"}
    reply = client.comm_info(target_name="jupyter.widget", reply=True, timeout=30)
    assert set(reply["content"]["comms"]) >= opened
    assert all(c["target_name"] == "jupyter.widget" for c in reply["content"]["comms"].values())
    assert client.comm_info(target_name="nothing", reply=True, timeout=30)["content"]["comms"] == {}


def test_moving_a_slider_reruns_the_closure_and_replaces_the_output(client, widgets):
    slider = [m for m in widgets if m["msg_type"] == "comm_open"][0]["content"]["comm_id"]
    display_id = [m["content"]["transient"]["display_id"] for m in widgets
                  if m["msg_type"] == "display_data" and "transient" in m["content"]][-1]
    started = time.monotonic()
    msg_id = send_shell(client, "comm_msg", {"comm_id": slider, "data": {
        "method": "update", "state": {"value": 7}, "buffer_paths": []}})
    seen = messages_of(client, msg_id)
    elapsed = time.monotonic() - started
    updates = [m["content"] for m in seen if m["msg_type"] == "update_display_data"]
    assert [(u["transient"]["display_id"], u["data"]["text/plain"]) for u in updates] == [
        (display_id, "majority 4 lru")]
    # No compile: a round trip takes milliseconds, far below a cell's 0.2 s or more.
    assert elapsed < 0.15, elapsed


def test_a_dropdown_change_and_a_repeated_value(client, widgets):
    dropdown = [m for m in widgets if m["msg_type"] == "comm_open"][1]["content"]["comm_id"]
    msg_id = send_shell(client, "comm_msg", {"comm_id": dropdown, "data": {
        "method": "update", "state": {"index": 1}, "buffer_paths": []}})
    updates = [m["content"]["data"]["text/plain"] for m in messages_of(client, msg_id)
               if m["msg_type"] == "update_display_data"]
    assert updates == ["majority 4 lfu"]
    # The same value again changes nothing, so nothing is drawn; other pages still hear it.
    msg_id = send_shell(client, "comm_msg", {"comm_id": dropdown, "data": {
        "method": "update", "state": {"index": 1}, "buffer_paths": []}})
    assert [(m["msg_type"], m["content"]["data"]["method"])
            for m in messages_of(client, msg_id)] == [("comm_msg", "echo_update")]


def test_request_state_is_answered_with_the_current_state(client, widgets):
    slider = [m for m in widgets if m["msg_type"] == "comm_open"][0]["content"]["comm_id"]
    msg_id = send_shell(client, "comm_msg", {"comm_id": slider, "data": {
        "method": "request_state"}})
    replies = [m["content"] for m in messages_of(client, msg_id) if m["msg_type"] == "comm_msg"]
    assert len(replies) == 1
    assert replies[0]["comm_id"] == slider
    assert replies[0]["data"]["method"] == "update"
    assert replies[0]["data"]["state"]["value"] == 7
    assert replies[0]["data"]["state"]["_model_name"] == "IntSliderModel"


def test_an_unknown_target_is_closed_and_an_unknown_comm_is_dropped(client, widgets):
    msg_id = send_shell(client, "comm_open", {"comm_id": "from-frontend",
                                              "target_name": "no.such.target", "data": {}})
    assert [(m["msg_type"], m["content"]["comm_id"]) for m in messages_of(client, msg_id)] == [
        ("comm_close", "from-frontend")]
    msg_id = send_shell(client, "comm_msg", {"comm_id": "never-opened", "data": {}})
    assert messages_of(client, msg_id) == []


def test_the_closure_ran_once_per_change_and_the_kernel_kept_its_state(client, widgets):
    seen = []
    reply = client.execute_interactive(
        'println!("{}", counter.load(std::sync::atomic::Ordering::SeqCst));', timeout=120,
        output_hook=lambda m: seen.append(m["content"].get("text", "")))
    assert reply["content"]["status"] == "ok"
    # The first draw, the slider to 7, the dropdown to lfu.
    assert "".join(seen) == "3\n"


WIDGETS = """
use lessons::display::MimeBundle;
use lessons::widgets::Widget;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
let slider = Widget::int_slider("w", 1..=5, 2)?;
let area = Widget::output();
let button = Widget::button("add one");
let clicks = std::sync::Arc::new(AtomicUsize::new(0));
{
    let (clicks, target) = (clicks.clone(), slider.clone());
    button.on_click(move |_| {
        clicks.fetch_add(1, SeqCst);
        target.set("value", target.get("value").as_i64().unwrap_or(0) + 1);
    });
    let area = area.clone();
    slider.on_change(move |widget, _| {
        area.replace_output(&MimeBundle::new().with("text/plain", format!("w = {}", widget.get("value"))))
    });
}
Widget::vbox(&[&slider, &button, &area]).show();
"""


def test_widgets_sync_both_ways_and_buttons_click(client):
    seen = messages_of(client, client.execute(WIDGETS), timeout=300)
    assert not [m for m in seen if m["msg_type"] == "error"], seen
    opens = {m["content"]["data"]["state"]["_model_name"]: m["content"]["comm_id"]
             for m in seen if m["msg_type"] == "comm_open"}
    assert set(opens) == {"IntSliderModel", "OutputModel", "ButtonModel", "VBoxModel"}
    slider, area, button = opens["IntSliderModel"], opens["OutputModel"], opens["ButtonModel"]

    # A click runs the Rust listener, whose `set` moves the slider in the browser.
    msg_id = send_shell(client, "comm_msg", {"comm_id": button, "data": {
        "method": "custom", "content": {"event": "click"}}})
    sent = [m["content"] for m in messages_of(client, msg_id) if m["msg_type"] == "comm_msg"]
    assert [(c["comm_id"], c["data"]["method"], c["data"]["state"]) for c in sent] == [
        (slider, "update", {"value": 3})]

    # A change in the browser reaches `get` and the listener, which fills the output area.
    msg_id = send_shell(client, "comm_msg", {"comm_id": slider, "data": {
        "method": "update", "state": {"value": 5}, "buffer_paths": []}})
    sent = [m["content"] for m in messages_of(client, msg_id) if m["msg_type"] == "comm_msg"]
    assert [(c["comm_id"], c["data"]["method"], c["data"]["state"]) for c in sent[:1]] == [
        (slider, "echo_update", {"value": 5})]
    assert [(c["comm_id"], c["data"]["state"]["outputs"][0]["data"]) for c in sent[1:]] == [
        (area, {"text/plain": "w = 5"})]

    texts = []
    reply = client.execute_interactive('println!("{} {}", slider.get("value"), clicks.load(SeqCst));',
                                       timeout=120, output_hook=lambda m: texts.append(m["content"].get("text", "")))
    assert reply["content"]["status"] == "ok"
    assert "".join(texts) == "5 1\n"


def test_a_page_update_is_echoed_to_every_page_with_its_parent(client):
    seen = messages_of(client, client.execute(
        'let echoed = lessons::widgets::Widget::int_slider("e", 0..=9, 1)?; echoed.show();'), timeout=300)
    slider = [m["content"]["comm_id"] for m in seen if m["msg_type"] == "comm_open"][0]
    msg_id = send_shell(client, "comm_msg", {"comm_id": slider, "data": {
        "method": "update", "state": {"value": 4}, "buffer_paths": []}})
    echoes = [m for m in messages_of(client, msg_id) if m["msg_type"] == "comm_msg"]
    assert [(m["content"]["comm_id"], m["content"]["data"]) for m in echoes] == [
        (slider, {"method": "echo_update", "state": {"value": 4}, "buffer_paths": []})]
    # The sending page knows its own echo by the parent header, as ipywidgets 8's pages do.
    assert echoes[0]["parent_header"]["msg_id"] == msg_id


def request_states(client, control: str) -> dict:
    """Opens the widget control comm, asks for every state, closes it: what a reloaded page does."""
    assert messages_of(client, send_shell(client, "comm_open", {
        "comm_id": control, "target_name": "jupyter.widget.control", "data": {}})) == []
    msg_id = send_shell(client, "comm_msg", {"comm_id": control, "data": {"method": "request_states"}})
    replies = [m for m in messages_of(client, msg_id) if m["msg_type"] == "comm_msg"]
    assert [m["content"]["comm_id"] for m in replies] == [control]
    assert messages_of(client, send_shell(client, "comm_close", {"comm_id": control, "data": {}})) == []
    return replies[0]


def test_a_reloaded_page_gets_every_widget_state_at_once(client, widgets):
    reply = request_states(client, "control-1")
    data = reply["content"]["data"]
    assert data["method"] == "update_states"
    opened = [m["content"] for m in widgets if m["msg_type"] == "comm_open"]
    assert {c["comm_id"] for c in opened} <= set(data["states"])
    slider = data["states"][opened[0]["comm_id"]]
    assert (slider["model_name"], slider["model_module"], slider["model_module_version"]) == (
        "IntSliderModel", "@jupyter-widgets/controls", "2.0.0")
    # The state as it is now: the slider was moved to 7 and the dropdown to lfu by the page.
    assert slider["state"]["value"] == 7
    assert data["states"][opened[1]["comm_id"]]["state"]["index"] == 1


IMAGE = """
let image = lessons::widgets::Widget::image(b"first", "png");
image.show();
"""


def test_binary_values_travel_as_buffers_both_ways(client):
    seen = messages_of(client, client.execute(IMAGE), timeout=300)
    opens = [m for m in seen if m["msg_type"] == "comm_open"]
    assert len(opens) == 1
    image = opens[0]["content"]["comm_id"]
    assert opens[0]["content"]["data"]["buffer_paths"] == [["value"]]
    assert "value" not in opens[0]["content"]["data"]["state"]
    assert [bytes(b) for b in opens[0]["buffers"]] == [b"first"]

    # From the page: an update whose value is a buffer reaches `bytes` in the cell process.
    update = client.session.send(client.shell_channel.socket, "comm_msg", {
        "comm_id": image, "data": {"method": "update", "state": {}, "buffer_paths": [["value"]]}},
        buffers=[b"second"])
    echoes = [m for m in messages_of(client, update["header"]["msg_id"]) if m["msg_type"] == "comm_msg"]
    assert [bytes(b) for b in echoes[0]["buffers"]] == [b"second"]
    texts = []
    reply = client.execute_interactive(
        'println!("{:?}", image.bytes("value").map(String::from_utf8));', timeout=120,
        output_hook=lambda m: texts.append(m["content"].get("text", "")))
    assert reply["content"]["status"] == "ok"
    assert "".join(texts) == 'Some(Ok("second"))\n'

    # From Rust: `set_bytes` sends the new value as a buffer.
    seen = messages_of(client, client.execute('image.set_bytes("value", b"third");'), timeout=120)
    sent = [m for m in seen if m["msg_type"] == "comm_msg"]
    assert [(m["content"]["data"]["buffer_paths"], [bytes(b) for b in m["buffers"]]) for m in sent] == [
        ([["value"]], [b"third"])]

    # A reloaded page gets the bytes as a buffer under the widget's id.
    reply = request_states(client, "control-2")
    paths = reply["content"]["data"]["buffer_paths"]
    assert [image, "state", "value"] in paths
    assert bytes(reply["buffers"][paths.index([image, "state", "value"])]) == b"third"


TARGET = """
use lessons::widgets::Comm;
let registered = Comm::register_target("lessons.echo", |comm, data| {
    println!("opened with {}", data["greeting"]);
    let reply = comm.clone();
    comm.on_message(move |data| reply.send(data.clone()));
});
println!("registered {registered}");
"""


def test_cell_code_registers_a_target_the_page_opens_comms_to(client):
    texts = []
    reply = client.execute_interactive(TARGET, timeout=300,
                                       output_hook=lambda m: texts.append(m["content"].get("text", "")))
    assert reply["content"]["status"] == "ok"
    assert "".join(texts) == "registered true\n"
    msg_id = send_shell(client, "comm_open", {"comm_id": "page-1", "target_name": "lessons.echo",
                                              "data": {"greeting": "hi"}})
    opened = messages_of(client, msg_id)
    assert [(m["msg_type"], m["content"].get("text")) for m in opened] == [("stream", 'opened with "hi"\n')]
    assert "page-1" in client.comm_info(target_name="lessons.echo", reply=True, timeout=30)["content"]["comms"]
    msg_id = send_shell(client, "comm_msg", {"comm_id": "page-1", "data": {"n": 1}})
    assert [(m["msg_type"], m["content"]["comm_id"], m["content"]["data"])
            for m in messages_of(client, msg_id)] == [("comm_msg", "page-1", {"n": 1})]
    assert messages_of(client, send_shell(client, "comm_close", {"comm_id": "page-1", "data": {}})) == []
    assert client.comm_info(target_name="lessons.echo", reply=True, timeout=30)["content"]["comms"] == {}
