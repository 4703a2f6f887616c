//! `notebooks/05-crdts.ipynb` and its twin `examples/crdts.rs` hold the same code, and that code
//! runs and produces the numbers the notebook's prose quotes (the assertions at the end of the
//! example).

mod notebook_twin;

#[path = "../examples/crdts.rs"]
mod crdts;

const TWIN: notebook_twin::Twin = notebook_twin::Twin {
    notebook: "05-crdts.ipynb",
    example: include_str!("../examples/crdts.rs"),
};

#[test]
fn the_example_runs_and_its_numbers_hold() {
    crdts::main().unwrap();
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
fn the_last_code_cell_is_a_try_it_check() {
    let code = TWIN.notebook_code_cells();
    let last = code.last().unwrap();
    assert!(
        last.contains("prediction") && last.contains("assert"),
        "{last}"
    );
}
