//! `notebooks/12-messaging-and-streams.ipynb` and its twin `examples/messaging_and_streams.rs`
//! hold the same code, and that code runs and produces the numbers the notebook's prose quotes
//! (the assertions at the end of the example).

#[macro_use]
mod notebook_twin;

#[path = "../examples/messaging_and_streams.rs"]
mod messaging_and_streams;

twin_tests!(lesson: messaging_and_streams, "12-messaging-and-streams.ipynb");
