//! `notebooks/07-quorums.ipynb` and its twin `examples/quorums.rs` hold the same code, and that
//! code runs and produces the numbers the notebook's prose quotes (the assertions at the end of
//! the example).

mod notebook_twin;

#[path = "../examples/quorums.rs"]
mod quorums;

const TWIN: notebook_twin::Twin = notebook_twin::Twin {
    notebook: "07-quorums.ipynb",
    example: include_str!("../examples/quorums.rs"),
};

#[test]
fn the_example_runs_and_its_numbers_hold() {
    quorums::main().unwrap();
}

#[test]
fn the_notebook_runs_the_example_code_cell_by_cell() {
    TWIN.assert_same_code();
}

#[test]
fn the_notebook_is_committed_without_outputs_for_the_lessons_kernel() {
    TWIN.assert_committed_clean();
}
