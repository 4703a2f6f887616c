//! `notebooks/09-failure-detection.ipynb` and its twin `examples/failure_detection.rs` hold the
//! same code, and that code runs and produces the numbers the notebook's prose quotes (the
//! assertions at the end of the example).

#[macro_use]
mod notebook_twin;

#[path = "../examples/failure_detection.rs"]
mod failure_detection;

twin_tests!(lesson: failure_detection, "09-failure-detection.ipynb");
