//! A notebook and its twin example hold the same code.
//!
//! Each lesson notebook has a twin in `examples/`: the same cells, in order, between
//! `// cell` markers, as one program that tests can run and whose numbers they can pin. These
//! checks keep the two from drifting apart.

use std::path::Path;

use serde_json::Value;

/// A notebook (a file name in `notebooks/`) and its twin example's source text.
pub struct Twin {
    pub notebook: &'static str,
    pub example: &'static str,
}

impl Twin {
    fn notebook_json(&self) -> Value {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../notebooks")
            .join(self.notebook);
        let text = std::fs::read_to_string(&path).expect("the notebook exists");
        serde_json::from_str(&text).expect("the notebook is JSON")
    }

    /// The source of every code cell, in order.
    pub fn notebook_code_cells(&self) -> Vec<String> {
        self.notebook_json()["cells"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|cell| cell["cell_type"] == "code")
            .map(source)
            .collect()
    }

    /// The example's cells: the text between `// cell` markers, unindented, with a trailing
    /// `value.evcxr_display();` written the notebook's way, as a bare `value`.
    pub fn example_cells(&self) -> Vec<String> {
        let start = self
            .example
            .find("    // cell\n")
            .expect("a first cell marker");
        let end = self
            .example
            .find("    // end of cells")
            .expect("an end marker");
        self.example[start..end]
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

    /// The notebook is the `:dep` line followed by the example's cells.
    pub fn assert_same_code(&self) {
        let code = self.notebook_code_cells();
        assert_eq!(code[0], r#":dep lessons = { path = "../lessons" }"#);
        assert_eq!(code[1..], self.example_cells());
    }

    /// The last code cell is a "try it" cell: a variation for the learner to make and an
    /// assertion that checks their prediction.
    pub fn assert_ends_with_a_try_it(&self) {
        let code = self.notebook_code_cells();
        let last = code.last().unwrap();
        let invites = last.contains("prediction") || last.contains("Try it");
        let checks = last.contains("assert") || last.contains("check_prediction");
        assert!(invites && checks, "{last}");
    }

    /// The notebook is committed clean: no outputs, for the lessons kernel.
    pub fn assert_committed_clean(&self) {
        let notebook = self.notebook_json();
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
}

/// The tests every notebook with a twin gets, in a module named `$tests`: the example runs (its
/// assertions pin the numbers the prose quotes), the notebook holds the example's code cell by
/// cell, it is committed without outputs, and it ends with a "try it" cell. `$example` is the twin, declared in the test file
/// with `#[path = "../examples/NAME.rs"] mod NAME;`. The last code cell of every notebook is a
/// variation for the learner with a check of their prediction.
macro_rules! twin_tests {
    ($tests:ident: $example:ident, $notebook:literal) => {
        mod $tests {
            const TWIN: crate::notebook_twin::Twin = crate::notebook_twin::Twin {
                notebook: $notebook,
                example: include_str!(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/examples/",
                    stringify!($example),
                    ".rs"
                )),
            };

            #[test]
            fn the_example_runs_and_its_numbers_hold() {
                crate::$example::main().unwrap();
            }

            #[test]
            fn the_notebook_runs_the_example_code_cell_by_cell() {
                TWIN.assert_same_code();
            }

            #[test]
            fn the_notebook_is_committed_without_outputs_for_the_lessons_kernel() {
                TWIN.assert_committed_clean();
            }

            #[test]
            fn the_last_code_cell_is_a_variation_with_a_check() {
                TWIN.assert_ends_with_a_try_it();
            }
        }
    };
}

fn source(cell: &Value) -> String {
    match &cell["source"] {
        Value::String(text) => text.clone(),
        Value::Array(lines) => lines.iter().map(|line| line.as_str().unwrap()).collect(),
        other => panic!("unexpected cell source {other}"),
    }
}
