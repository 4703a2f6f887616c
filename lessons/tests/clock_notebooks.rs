//! The clock lessons' notebooks and their example twins hold the same code, and that code runs
//! and produces the numbers the notebooks' prose quotes (the assertions at the end of each
//! example):
//!
//! * `notebooks/03-physical-time-and-lamport.ipynb` and `examples/physical_time_and_lamport.rs`;
//! * `notebooks/04-vector-clocks-and-causality.ipynb` and `examples/vector_clocks_and_causality.rs`.

#[macro_use]
mod notebook_twin;

#[path = "../examples/physical_time_and_lamport.rs"]
mod physical_time_and_lamport;
#[path = "../examples/vector_clocks_and_causality.rs"]
mod vector_clocks_and_causality;

twin_tests!(lesson_03: physical_time_and_lamport, "03-physical-time-and-lamport.ipynb");
twin_tests!(lesson_04: vector_clocks_and_causality, "04-vector-clocks-and-causality.ipynb");
