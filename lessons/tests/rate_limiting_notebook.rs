//! `notebooks/01-rate-limiting.ipynb` and its twin `examples/rate_limiting.rs` hold the same code, and
//! that code runs and produces the numbers the notebook's prose quotes (the assertions at the end
//! of the example).

#[macro_use]
mod notebook_twin;

#[path = "../examples/rate_limiting.rs"]
mod rate_limiting;

twin_tests!(lesson: rate_limiting, "01-rate-limiting.ipynb");
