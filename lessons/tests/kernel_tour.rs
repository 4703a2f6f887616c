//! `notebooks/00-kernel-tour.ipynb` and its twin `examples/kernel_tour.rs` hold the same code, and
//! that code runs and produces the numbers the notebook's prose quotes.

#[macro_use]
mod notebook_twin;

#[path = "../examples/kernel_tour.rs"]
mod kernel_tour;

twin_tests!(notebook: kernel_tour, "00-kernel-tour.ipynb");
