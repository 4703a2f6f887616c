//! `notebooks/14-storage-engines.ipynb` and its twin `examples/storage_engines.rs` hold the
//! same code, and that code runs and produces the numbers the notebook's prose quotes (the
//! assertions at the end of the example).

#[macro_use]
mod notebook_twin;

#[path = "../examples/storage_engines.rs"]
mod storage_engines;

twin_tests!(lesson: storage_engines, "14-storage-engines.ipynb");
