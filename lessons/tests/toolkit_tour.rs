//! `notebooks/00-toolkit.ipynb` and its twin `examples/toolkit_tour.rs` hold the same code, and
//! that code runs and produces the numbers the notebook's prose quotes.

#[macro_use]
mod notebook_twin;

#[path = "../examples/toolkit_tour.rs"]
mod toolkit_tour;

twin_tests!(notebook: toolkit_tour, "00-toolkit.ipynb");
