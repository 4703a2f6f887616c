//! `notebooks/06-partitioning.ipynb` and its twin `examples/partitioning.rs` hold the same code,
//! and that code runs and produces the numbers the notebook's prose quotes (the assertions at
//! the end of the example).

#[macro_use]
mod notebook_twin;

#[path = "../examples/partitioning.rs"]
mod partitioning;

twin_tests!(lesson: partitioning, "06-partitioning.ipynb");
