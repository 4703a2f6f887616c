//! `notebooks/00-toolkit.ipynb` and its twin `examples/toolkit_tour.rs` hold the same code, and
//! that code runs and produces the numbers the notebook's prose quotes.

mod notebook_twin;

#[path = "../examples/toolkit_tour.rs"]
mod toolkit_tour;

const TWIN: notebook_twin::Twin = notebook_twin::Twin {
    notebook: "00-toolkit.ipynb",
    example: include_str!("../examples/toolkit_tour.rs"),
};

#[test]
fn the_example_runs_and_its_numbers_hold() {
    toolkit_tour::main().unwrap();
}

#[test]
fn the_notebook_runs_the_example_code_cell_by_cell() {
    TWIN.assert_same_code();
}

#[test]
fn the_notebook_is_committed_without_outputs_for_the_lessons_kernel() {
    TWIN.assert_committed_clean();
}

/// The promise: three short cells build a 3-node simulation, inject a partition and a
/// clock skew, and show the diagram and a plot.
#[test]
fn three_short_cells_go_from_nothing_to_a_diagram_and_a_plot() {
    let cells = TWIN.example_cells();
    let first_three = &cells[1..4];
    assert!(first_three[0].contains("add_node") && first_three[0].contains("diagram()"));
    assert!(first_three[1].contains("partition(") && first_three[1].contains("set_clock("));
    assert!(first_three[2].contains("Figure::new"));
    for cell in first_three {
        let lines = cell.lines().filter(|line| !line.trim().is_empty()).count();
        assert!(lines <= 35, "a short cell, not {lines} lines:\n{cell}");
    }
}
