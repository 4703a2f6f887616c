//! `notebooks/15b-cache-patterns.ipynb` and its twin `examples/caching_patterns.rs` hold the
//! same code, and that code runs and produces the numbers the notebook's prose quotes (the
//! assertions at the end of the example).

#[macro_use]
mod notebook_twin;

#[path = "../examples/caching_patterns.rs"]
mod caching_patterns;

twin_tests!(lesson: caching_patterns, "15b-cache-patterns.ipynb");
