//! `notebooks/00-toolkit.ipynb` and its twin `examples/toolkit_tour.rs` hold the same code, and
//! that code runs and produces the numbers the notebook's prose quotes.

use std::path::Path;

use serde_json::Value;

#[path = "../examples/toolkit_tour.rs"]
mod toolkit_tour;

fn notebook() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../notebooks/00-toolkit.ipynb");
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
fn example_cells() -> Vec<String> {
    let example = include_str!("../examples/toolkit_tour.rs");
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

#[test]
fn the_example_runs_and_its_numbers_hold() {
    toolkit_tour::main().unwrap();
}

#[test]
fn the_notebook_runs_the_example_code_cell_by_cell() {
    let notebook = notebook();
    let code: Vec<String> = notebook["cells"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|cell| cell["cell_type"] == "code")
        .map(source)
        .collect();
    assert_eq!(code[0], r#":dep lessons = { path = "../lessons" }"#);
    assert_eq!(code[1..], example_cells());
}

#[test]
fn the_notebook_is_committed_without_outputs_for_the_lessons_kernel() {
    let notebook = notebook();
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

/// The issue's promise: three short cells build a 3-node simulation, inject a partition and a
/// clock skew, and show the diagram and a plot.
#[test]
fn three_short_cells_go_from_nothing_to_a_diagram_and_a_plot() {
    let cells = example_cells();
    let first_three = &cells[1..4];
    assert!(first_three[0].contains("add_node") && first_three[0].contains("diagram()"));
    assert!(first_three[1].contains("partition(") && first_three[1].contains("set_clock("));
    assert!(first_three[2].contains("Figure::new"));
    for cell in first_three {
        let lines = cell.lines().filter(|line| !line.trim().is_empty()).count();
        assert!(lines <= 35, "a short cell, not {lines} lines:\n{cell}");
    }
}
