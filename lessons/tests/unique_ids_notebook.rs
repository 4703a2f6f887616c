//! `notebooks/02-unique-ids.ipynb` and its twin `examples/unique_ids.rs` hold the same code, and
//! that code runs and produces the numbers the notebook's prose quotes (the assertions at the end
//! of the example).

#[macro_use]
mod notebook_twin;

#[path = "../examples/unique_ids.rs"]
mod unique_ids;

twin_tests!(lesson: unique_ids, "02-unique-ids.ipynb");
