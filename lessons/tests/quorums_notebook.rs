//! `notebooks/07-quorums.ipynb` and its twin `examples/quorums.rs` hold the same code, and that
//! code runs and produces the numbers the notebook's prose quotes (the assertions at the end of
//! the example).

#[macro_use]
mod notebook_twin;

#[path = "../examples/quorums.rs"]
mod quorums;

twin_tests!(lesson: quorums, "07-quorums.ipynb");
