"""The `jupyter_kernel_test` suite, with every sample attribute set."""

import json
import unittest

import jupyter_kernel_test as jkt


def kernel_message_line(msg_type: str, content: dict) -> str:
    """A cell that prints one line of the kernel's display protocol (what `lessons::display` does)."""
    line = "LESSONS_KERNEL_MESSAGE " + json.dumps({"msg_type": msg_type, "content": content})
    return "println!(" + json.dumps("{}") + ", " + json.dumps(line) + ");"


SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><circle cx="5" cy="5" r="4"/></svg>'


class RustLessonsKernelTests(jkt.KernelTests):
    kernel_name = "rust-lessons"
    language_name = "rust"
    file_extension = ".rs"

    code_hello_world = 'println!("hello, world");'
    code_stderr = 'eprintln!("something went to stderr");'

    completion_samples = [
        {"text": "let distributed_clock = 1u64; distributed_cl", "matches": {"distributed_clock"}},
    ]
    complete_code_samples = ["1 + 1", "let x = 5;", "fn add(a: i32, b: i32) -> i32 { a + b }", ":dep serde"]
    incomplete_code_samples = ["fn add(a: i32, b: i32) -> i32 {", "let v = vec![1, 2,", 'let s = "open']
    invalid_code_samples = ["}", "let x = (1 + 2];", "let = 5;"]

    code_generate_error = 'let n: u32 = "not a number";'
    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": 'format!("{}-{}", "a", 1)', "result": '"a-1"'},
    ]
    code_display_data = [
        {
            "code": kernel_message_line("display_data", {"data": {"image/svg+xml": SVG, "text/plain": "a dot"}, "metadata": {}}),
            "mime": "image/svg+xml",
        },
        {
            "code": kernel_message_line("display_data", {"data": {"text/html": "<b>table</b>", "text/plain": "table"}, "metadata": {}}),
            "mime": "text/html",
        },
    ]
    code_clear_output = kernel_message_line("clear_output", {"wait": False})

    supported_history_operations = ("tail", "range", "search")
    code_history_pattern = "6 ?*"

    code_inspect_sample = "std::vec::Vec"
    code_page_something = "?std::vec::Vec"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The first cell waits for evcxr's warm-up compile; do it before the 15 s per-test limit.
        reply = cls.kc.execute_interactive("let warmed_up = 1;", timeout=300)
        assert reply["content"]["status"] == "ok", reply


if __name__ == "__main__":
    unittest.main()
