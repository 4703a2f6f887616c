//! `notebooks/11-transactions.ipynb` and its twin `examples/transactions.rs` hold the same code,
//! and that code runs and produces the numbers the notebook's prose quotes (the assertions at
//! the end of the example).

#[macro_use]
mod notebook_twin;

#[path = "../examples/transactions.rs"]
mod transactions;

twin_tests!(lesson: transactions, "11-transactions.ipynb");
