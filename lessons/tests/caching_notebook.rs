//! `notebooks/15-caching.ipynb` and its twin `examples/caching.rs` hold the same code, and that
//! code runs and produces the numbers the notebook's prose quotes (the assertions at the end of
//! the example).

#[macro_use]
mod notebook_twin;

#[path = "../examples/caching.rs"]
mod caching;

twin_tests!(lesson: caching, "15-caching.ipynb");
