//! `notebooks/16-ml-platform-experiments.ipynb` and its twin `examples/ml_platform_experiments.rs`
//! hold the same code, and that code runs and produces the numbers the notebook's prose quotes
//! (the assertions at the end of the example).

#[macro_use]
mod notebook_twin;

#[path = "../examples/ml_platform_experiments.rs"]
mod ml_platform_experiments;

twin_tests!(lesson: ml_platform_experiments, "16-ml-platform-experiments.ipynb");
