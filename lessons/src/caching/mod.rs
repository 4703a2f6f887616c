//! Caching: what a cache in front of a slow backend saves, and what it costs in freshness.
//!
//! (Essay in progress; the module so far holds the shared request streams.)

mod trace;

pub use trace::{KeyTrace, MAX_REQUESTS, poisson_arrivals};
