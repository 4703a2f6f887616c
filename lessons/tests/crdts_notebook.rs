//! `notebooks/05-crdts.ipynb` and its twin `examples/crdts.rs` hold the same code, and that code
//! runs and produces the numbers the notebook's prose quotes (the assertions at the end of the
//! example).

#[macro_use]
mod notebook_twin;

#[path = "../examples/crdts.rs"]
mod crdts;

twin_tests!(lesson: crdts, "05-crdts.ipynb");
