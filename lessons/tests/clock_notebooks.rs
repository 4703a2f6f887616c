//! The clock lessons' notebooks and their example twins hold the same code, and that code runs
//! and produces the numbers the notebooks' prose quotes (the assertions at the end of each
//! example):
//!
//! * `notebooks/03-physical-time-and-lamport.ipynb` and `examples/physical_time_and_lamport.rs`;
//! * `notebooks/04-vector-clocks-and-causality.ipynb` and `examples/vector_clocks_and_causality.rs`.

use std::path::Path;

use serde_json::Value;

#[path = "../examples/physical_time_and_lamport.rs"]
mod physical_time_and_lamport;
#[path = "../examples/vector_clocks_and_causality.rs"]
mod vector_clocks_and_causality;

fn notebook(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../notebooks")
        .join(name);
    let text = std::fs::read_to_string(&path).expect("the notebook exists");
    serde_json::from_str(&text).expect("the notebook is JSON")
}

fn source(cell: &Value) -> String {
    match &cell["source"] {
        Value::String(text) => text.clone(),
        Value::Array(lines) => lines.iter().map(|line| line.as_str().unwrap()).collect(),
        other => panic!("unexpected cell source {other}"),
    }
}

/// The example's cells: the text between `// cell` markers, unindented, with a trailing
/// `value.evcxr_display();` written the notebook's way, as a bare `value`.
fn example_cells(example: &str) -> Vec<String> {
    let start = example.find("    // cell\n").expect("a first cell marker");
    let end = example.find("    // end of cells").expect("an end marker");
    example[start..end]
        .split("    // cell\n")
        .filter(|chunk| !chunk.trim().is_empty())
        .map(|chunk| {
            let mut lines: Vec<&str> = chunk
                .trim_end()
                .lines()
                .map(|line| line.strip_prefix("    ").unwrap_or(line))
                .collect();
            let last = lines.pop().unwrap();
            let shown = last
                .strip_suffix(".evcxr_display();")
                .filter(|value| value.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
            lines.push(shown.unwrap_or(last));
            lines.join("\n")
        })
        .collect()
}

fn code_cells(notebook: &Value) -> Vec<String> {
    notebook["cells"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|cell| cell["cell_type"] == "code")
        .map(source)
        .collect()
}

fn assert_committed_clean(notebook: &Value) {
    assert_eq!(notebook["nbformat"], 4);
    assert_eq!(notebook["nbformat_minor"], 5);
    assert_eq!(notebook["metadata"]["kernelspec"]["name"], "rust-lessons");
    for cell in notebook["cells"].as_array().unwrap() {
        assert!(cell["id"].is_string());
        if cell["cell_type"] == "code" {
            assert_eq!(cell["outputs"], Value::Array(Vec::new()));
            assert_eq!(cell["execution_count"], Value::Null);
        }
    }
}

/// The last code cell is a "try it" cell: a variation to make and an assertion that checks it.
fn assert_ends_with_a_check(notebook: &Value) {
    let code = code_cells(notebook);
    let last = code.last().unwrap();
    assert!(
        last.contains("prediction") && last.contains("assert"),
        "{last}"
    );
}

#[test]
fn lesson_03_example_runs_and_its_numbers_hold() {
    physical_time_and_lamport::main().unwrap();
}

#[test]
fn lesson_03_notebook_runs_the_example_code_cell_by_cell() {
    let notebook = notebook("03-physical-time-and-lamport.ipynb");
    let code = code_cells(&notebook);
    assert_eq!(code[0], r#":dep lessons = { path = "../lessons" }"#);
    let example = include_str!("../examples/physical_time_and_lamport.rs");
    assert_eq!(code[1..], example_cells(example));
    assert_committed_clean(&notebook);
    assert_ends_with_a_check(&notebook);
}

#[test]
fn lesson_04_example_runs_and_its_numbers_hold() {
    vector_clocks_and_causality::main().unwrap();
}

#[test]
fn lesson_04_notebook_runs_the_example_code_cell_by_cell() {
    let notebook = notebook("04-vector-clocks-and-causality.ipynb");
    let code = code_cells(&notebook);
    assert_eq!(code[0], r#":dep lessons = { path = "../lessons" }"#);
    let example = include_str!("../examples/vector_clocks_and_causality.rs");
    assert_eq!(code[1..], example_cells(example));
    assert_committed_clean(&notebook);
    assert_ends_with_a_check(&notebook);
}
