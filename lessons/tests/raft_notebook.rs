//! `notebooks/10-raft.ipynb` and its twin `examples/raft.rs` hold the same code, and that code
//! runs and produces the numbers the notebook's prose quotes (the assertions at the end of the
//! example).

#[macro_use]
mod notebook_twin;

#[path = "../examples/raft.rs"]
mod raft;

twin_tests!(lesson: raft, "10-raft.ipynb");
