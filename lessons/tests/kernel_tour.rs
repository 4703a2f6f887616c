//! `notebooks/00-kernel-tour.ipynb` and its twin `examples/kernel_tour.rs` hold the same code, and
//! that code runs and produces the numbers the notebook's prose quotes.

mod notebook_twin;

#[path = "../examples/kernel_tour.rs"]
mod kernel_tour;

const TWIN: notebook_twin::Twin = notebook_twin::Twin {
    notebook: "00-kernel-tour.ipynb",
    example: include_str!("../examples/kernel_tour.rs"),
};

#[test]
fn the_example_runs_and_its_numbers_hold() {
    kernel_tour::main().unwrap();
}

#[test]
fn the_notebook_runs_the_example_code_cell_by_cell() {
    TWIN.assert_same_code();
}

#[test]
fn the_notebook_is_committed_without_outputs_for_the_lessons_kernel() {
    TWIN.assert_committed_clean();
}
