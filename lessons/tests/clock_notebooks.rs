//! The clock lessons' notebooks and their example twins hold the same code, and that code runs
//! and produces the numbers the notebooks' prose quotes (the assertions at the end of each
//! example):
//!
//! * `notebooks/03-physical-time-and-lamport.ipynb` and `examples/physical_time_and_lamport.rs`;
//! * `notebooks/04-vector-clocks-and-causality.ipynb` and `examples/vector_clocks_and_causality.rs`.

mod notebook_twin;

use notebook_twin::Twin;

#[path = "../examples/physical_time_and_lamport.rs"]
mod physical_time_and_lamport;
#[path = "../examples/vector_clocks_and_causality.rs"]
mod vector_clocks_and_causality;

const LESSON_03: Twin = Twin {
    notebook: "03-physical-time-and-lamport.ipynb",
    example: include_str!("../examples/physical_time_and_lamport.rs"),
};
const LESSON_04: Twin = Twin {
    notebook: "04-vector-clocks-and-causality.ipynb",
    example: include_str!("../examples/vector_clocks_and_causality.rs"),
};

/// The last code cell is a "try it" cell: a variation to make and an assertion that checks it.
fn assert_ends_with_a_check(twin: &Twin) {
    let code = twin.notebook_code_cells();
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
    LESSON_03.assert_same_code();
    LESSON_03.assert_committed_clean();
    assert_ends_with_a_check(&LESSON_03);
}

#[test]
fn lesson_04_example_runs_and_its_numbers_hold() {
    vector_clocks_and_causality::main().unwrap();
}

#[test]
fn lesson_04_notebook_runs_the_example_code_cell_by_cell() {
    LESSON_04.assert_same_code();
    LESSON_04.assert_committed_clean();
    assert_ends_with_a_check(&LESSON_04);
}
