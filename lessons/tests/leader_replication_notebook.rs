//! `notebooks/08-leader-replication.ipynb` and its twin `examples/leader_replication.rs` hold
//! the same code, and that code runs and produces the numbers the notebook's prose quotes (the
//! assertions at the end of the example).

#[macro_use]
mod notebook_twin;

#[path = "../examples/leader_replication.rs"]
mod leader_replication;

twin_tests!(lesson: leader_replication, "08-leader-replication.ipynb");
