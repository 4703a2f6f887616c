//! `notebooks/13-overload-and-resilience.ipynb` and its twin `examples/overload_and_resilience.rs`
//! hold the same code, and that code runs and produces the numbers the notebook's prose quotes
//! (the assertions at the end of the example).

#[macro_use]
mod notebook_twin;

#[path = "../examples/overload_and_resilience.rs"]
mod overload_and_resilience;

twin_tests!(lesson: overload_and_resilience, "13-overload-and-resilience.ipynb");
