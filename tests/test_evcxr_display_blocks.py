"""Output goes where it belongs, as ipykernel places it.

Display blocks in evcxr's own format (`EVCXR_BEGIN_CONTENT <mime>` ... `EVCXR_END_CONTENT`, as
plotters' `evcxr_figure`, evcxr_image and evcxr_runtime print them) show one by one: each is a
`display_data` when it is finished, a second block of the same type does not replace the first,
two pictures printed one after the other are two outputs, and only the value the cell ends with
is its `execute_result`. Text printed without a final newline belongs to the cell that printed it.
"""

import time

import pytest

from conftest import lessons_kernel


def block(mime: str, content: str) -> str:
    """A Rust statement that prints one display block as evcxr_runtime does."""
    return f'println!("EVCXR_BEGIN_CONTENT {mime}\\n{content}\\nEVCXR_END_CONTENT");\n'


@pytest.fixture(scope="module")
def client():
    with lessons_kernel() as (_, client):
        yield client


def outputs(client, code: str) -> list:
    """(msg_type, data or text) of every output of `code`, in order, with its arrival time."""
    seen = []

    def keep(message):
        kind, content = message["msg_type"], message["content"]
        if kind in ("display_data", "execute_result"):
            seen.append((kind, content["data"], time.monotonic()))
        elif kind == "stream":
            seen.append((kind, content["text"], time.monotonic()))

    reply = client.execute_interactive(code, timeout=600, output_hook=keep)
    assert reply["content"]["status"] == "ok", reply["content"]
    return seen


def test_two_blocks_of_one_type_are_two_displays_and_the_value_is_the_result(client):
    shown = outputs(client, block("text/html", "<b>one</b>") + block("text/html", "<b>two</b>")
                    + "std::thread::sleep(std::time::Duration::from_millis(300));\n6 * 7")
    assert [(kind, data) for kind, data, _ in shown] == [
        ("display_data", {"text/html": "<b>one</b>"}),
        ("display_data", {"text/html": "<b>two</b>"}),
        ("execute_result", {"text/plain": "42"}),
    ]


def test_a_block_shows_while_the_cell_still_runs(client):
    started = time.monotonic()
    shown = outputs(client, block("image/svg+xml", "<svg></svg>")
                    + "std::thread::sleep(std::time::Duration::from_secs(2));\nprintln!(\"done\");")
    assert [(kind, data) for kind, data, _ in shown] == [
        ("display_data", {"image/svg+xml": "<svg></svg>"}),
        ("stream", "done\n"),
    ]
    # The picture arrived before the two-second sleep was over.
    assert shown[0][2] < shown[1][2] - 1.5


def test_a_display_printed_by_a_statement_is_display_data_not_the_result(client):
    shown = outputs(client, block("text/html", "<i>seven</i>") + block("text/plain", "seven"))
    assert [(kind, data) for kind, data, _ in shown] == [
        ("display_data", {"text/html": "<i>seven</i>", "text/plain": "seven"}),
    ]


def test_two_displays_printed_in_a_row_are_two_outputs(client):
    shown = outputs(client, block("text/html", "<b>table</b>") + block("image/svg+xml", "<svg/>"))
    assert [(kind, data) for kind, data, _ in shown] == [
        ("display_data", {"text/html": "<b>table</b>"}),
        ("display_data", {"image/svg+xml": "<svg/>"}),
    ]


def test_a_value_s_formats_are_one_result_after_the_displays_before_it(client):
    outputs(client, ':dep lessons = { path = "../lessons" }')
    shown = outputs(client, block("image/svg+xml", "<svg/>")
                    + "lessons::display::MimeBundle::new()"
                    + ".with(\"text/html\", \"<i>v</i>\").with(\"text/plain\", \"v\")")
    assert [(kind, data) for kind, data, _ in shown] == [
        ("display_data", {"image/svg+xml": "<svg/>"}),
        ("execute_result", {"text/html": "<i>v</i>", "text/plain": "v"}),
    ]


def test_text_printed_without_a_newline_belongs_to_its_cell(client):
    assert [(kind, text) for kind, text, _ in outputs(client, 'print!("no newline");')] == [
        ("stream", "no newline"),
    ]
    assert [(kind, text) for kind, text, _ in outputs(client, 'println!("next cell");')] == [
        ("stream", "next cell\n"),
    ]
    assert [(kind, data) for kind, data, _ in outputs(client, 'print!("partial"); 6 * 7')] == [
        ("stream", "partial"),
        ("execute_result", {"text/plain": "42"}),
    ]
