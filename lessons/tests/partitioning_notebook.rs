//! `notebooks/06-partitioning.ipynb` and its twin `examples/partitioning.rs` hold the same code,
//! and that code runs and produces the numbers the notebook's prose quotes (the assertions at
//! the end of the example).

mod notebook_twin;

#[path = "../examples/partitioning.rs"]
mod partitioning;

const TWIN: notebook_twin::Twin = notebook_twin::Twin {
    notebook: "06-partitioning.ipynb",
    example: include_str!("../examples/partitioning.rs"),
};

#[test]
fn the_example_runs_and_its_numbers_hold() {
    partitioning::main().unwrap();
}

#[test]
fn the_notebook_runs_the_example_code_cell_by_cell() {
    TWIN.assert_same_code();
}

#[test]
fn the_notebook_is_committed_without_outputs_for_the_lessons_kernel() {
    TWIN.assert_committed_clean();
}
