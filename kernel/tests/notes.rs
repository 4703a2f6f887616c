//! `lessons-kernel notes` end to end: it runs notebooks through the kernel it starts itself,
//! reports a failing notebook with its cell and error, still exports the others, and says so
//! in its exit code.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

fn notebook(dir: &Path, name: &str, cells: &[(&str, &str)]) -> PathBuf {
    let cells: Vec<Value> = cells
        .iter()
        .enumerate()
        .map(|(index, (kind, source))| {
            let mut cell = json!({
                "cell_type": kind, "id": format!("cell-{index}"), "metadata": {}, "source": source,
            });
            if *kind == "code" {
                cell["outputs"] = json!([]);
                cell["execution_count"] = Value::Null;
            }
            cell
        })
        .collect();
    let notebook = json!({
        "cells": cells, "nbformat": 4, "nbformat_minor": 5,
        "metadata": {"kernelspec": {"name": "rust-lessons", "display_name": "Rust", "language": "rust"}},
    });
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(&notebook).unwrap()).unwrap();
    path
}

/// A cell that shows `data` (a MIME bundle) through the kernel's display protocol.
fn show(data: Value) -> String {
    let message = json!({"msg_type": "display_data", "content": {"data": data, "metadata": {}}});
    format!(
        "println!(\"LESSONS_KERNEL_MESSAGE {{}}\", {:?});",
        message.to_string()
    )
}

const SVG: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"40\" height=\"20\"><rect width=\"40\" height=\"20\" fill=\"teal\"/><text x=\"2\" y=\"15\">plot-one</text></svg>";

#[test]
fn a_failing_notebook_is_reported_and_the_others_are_exported() {
    let dir = tempfile::tempdir().unwrap();
    let good = notebook(
        dir.path(),
        "01-good.ipynb",
        &[
            ("markdown", "# 01 · Good\n\nSome *prose*.\n\n## Part one\n"),
            (
                "code",
                "let greeting = \"hello notes\";\nprintln!(\"{greeting}\");",
            ),
            (
                "code",
                &show(json!({"image/svg+xml": SVG, "text/plain": "a plot"})),
            ),
            (
                "code",
                &show(
                    json!({"text/html": "<table><tr><th>node</th></tr><tr><td>A</td></tr></table>"}),
                ),
            ),
            ("markdown", "## Part two\n\nThe end."),
            ("code", "fn twice(x: u32) -> u32 { x * 2 }\ntwice(21)"),
        ],
    );
    let failing = notebook(
        dir.path(),
        "02-fails.ipynb",
        &[
            ("markdown", "# 02 · Fails\n"),
            ("code", "let fine = 1;"),
            ("code", "panic!(\"boom in the notes test\");"),
            ("code", "println!(\"never runs\");"),
        ],
    );
    let also_good = notebook(
        dir.path(),
        "03-also-good.ipynb",
        &[
            ("markdown", "# 03 · Also good\n"),
            ("code", "println!(\"three\");"),
        ],
    );
    let out = dir.path().join("notes");
    // Given in the wrong order: the notes follow the file names.
    let result = Command::new(env!("CARGO_BIN_EXE_lessons-kernel"))
        .arg("notes")
        .args([&also_good, &failing, &good])
        .arg("--out")
        .arg(&out)
        .env("LESSONS_KERNEL_LESSONS_DIR", "")
        .env("LESSONS_KERNEL_SPARE", "0")
        .env(
            "LESSONS_KERNEL_CACHE_DIR",
            PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("kernel-cache"),
        )
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(result.status.code(), Some(1), "{stderr}");
    // The failure names the notebook, the cell (third of the notebook) and the panic.
    let report = stderr
        .lines()
        .find(|line| line.starts_with("02-fails.ipynb:"))
        .unwrap_or_else(|| panic!("no report for 02-fails in {stderr}"));
    assert!(report.contains("cell 3"), "{report}");
    assert!(report.contains("Panic"), "{report}");
    assert!(stderr.contains("boom in the notes test"), "{stderr}");
    assert!(stderr.contains("Notes for 2 of 3 notebooks"), "{stderr}");

    // The failing notebook is not exported; the two others are, fully.
    assert!(!out.join("02-fails.html").exists());
    for stem in ["01-good", "03-also-good"] {
        for ext in ["html", "md", "ipynb"] {
            assert!(out.join(format!("{stem}.{ext}")).is_file(), "{stem}.{ext}");
        }
    }
    let executed: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("01-good.ipynb")).unwrap()).unwrap();
    let code: Vec<&Value> = executed["cells"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|cell| cell["cell_type"] == "code")
        .collect();
    let counts: Vec<i64> = code
        .iter()
        .map(|c| c["execution_count"].as_i64().unwrap())
        .collect();
    assert_eq!(counts, [1, 2, 3, 4]);
    assert_eq!(code[0]["outputs"][0]["text"], json!(["hello notes\n"]));
    assert_eq!(
        code[1]["outputs"][0]["data"]["image/svg+xml"]
            .as_array()
            .unwrap()
            .concat_strings(),
        SVG
    );
    assert_eq!(code[3]["outputs"][0]["data"]["text/plain"], json!(["42"]));

    // The HTML page: contents, prose, highlighted foldable code, the plot inline, the table.
    let page = std::fs::read_to_string(out.join("01-good.html")).unwrap();
    assert!(
        page.contains(r##"<a href="#part-one">Part one</a>"##),
        "contents sidebar"
    );
    assert!(page.contains(r#"<h2 id="part-two">Part two</h2>"#));
    assert!(page.contains("<em>prose</em>"));
    assert!(page.contains(r#"<details class="code" open>"#));
    assert!(page.contains(r#"<span class="hl-storage hl-type hl-rust">let</span>"#));
    assert!(page.contains(SVG), "the plot is inline");
    assert!(page.contains("<th>node</th>"));
    assert!(page.contains("<pre class=\"output stdout\">hello notes\n</pre>"));
    assert!(page.contains(r#"<a href="03-also-good.html">03 · Also good</a>"#));

    // The Markdown version links the plot, written beside it.
    let markdown = std::fs::read_to_string(out.join("01-good.md")).unwrap();
    assert!(
        markdown.contains("![plot 1](01-good_files/cell3_output1.svg)"),
        "{markdown}"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("01-good_files/cell3_output1.svg"))
            .unwrap()
            .trim(),
        SVG
    );
    assert!(markdown.contains("```rust\nlet greeting"));
    assert!(markdown.contains("<th>node</th>"));

    // The index lists the lessons in curriculum order, the failed one without a link.
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    let first = index.find("01-good.html").unwrap();
    let second = index.find("02 · Fails").unwrap();
    let third = index.find("03-also-good.html").unwrap();
    assert!(first < second && second < third, "{index}");
    assert!(
        index.contains("not exported: cell 3 failed: Panic"),
        "{index}"
    );
    let index_md = std::fs::read_to_string(out.join("index.md")).unwrap();
    assert!(
        index_md.contains("1. [01 · Good](01-good.md)"),
        "{index_md}"
    );
}

#[test]
fn notes_has_help_and_needs_an_output_directory() {
    let help = Command::new(env!("CARGO_BIN_EXE_lessons-kernel"))
        .args(["notes", "--help"])
        .output()
        .unwrap();
    assert!(help.status.success());
    let text = String::from_utf8_lossy(&help.stdout);
    for flag in [
        "--out <DIR>",
        "[NOTEBOOKS]...",
        "--cell-timeout",
        "--fold-code",
    ] {
        assert!(text.contains(flag), "{flag} missing from {text}");
    }
    let missing = Command::new(env!("CARGO_BIN_EXE_lessons-kernel"))
        .args(["notes", "x.ipynb"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
}

trait ConcatStrings {
    fn concat_strings(&self) -> String;
}

impl ConcatStrings for Vec<Value> {
    fn concat_strings(&self) -> String {
        self.iter().filter_map(Value::as_str).collect()
    }
}
