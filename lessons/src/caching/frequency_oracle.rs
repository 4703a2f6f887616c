//! The best a cache can do on a static Zipf workload without seeing the future: keep the C most
//! popular keys. Its hit rate is the share of requests that go to them, `H(C, s) / H(K, s)` with
//! the generalized harmonic numbers `H(n, s) = 1 + 1/2^s + ... + 1/n^s`.

use super::lru::check_capacity;
use crate::sim::SimError;

/// The generalized harmonic number `H(n, s) = Σ_{i=1..n} 1 / i^s` (0 for `n = 0`).
///
/// # Examples
///
/// ```
/// use lessons::caching::generalized_harmonic;
///
/// assert_eq!(generalized_harmonic(3, 1.0), 1.0 + 0.5 + 1.0 / 3.0);
/// assert_eq!(generalized_harmonic(4, 0.0), 4.0);
/// ```
pub fn generalized_harmonic(n: usize, exponent: f64) -> f64 {
    // Smallest terms first, so the sum loses as little as possible to rounding.
    (1..=n).rev().map(|i| (i as f64).powf(-exponent)).sum()
}

/// The hit rate of a cache that always holds the `capacity` most popular of `keys` Zipf keys:
/// `H(C, s) / H(K, s)`, or 1 when everything fits.
///
/// # Errors
///
/// [`SimError::Parameter`] for a capacity or key count of 0, or an exponent that is not a number
/// from 0 to 10.
///
/// # Examples
///
/// ```
/// use lessons::caching::top_keys_hit_rate;
///
/// let share = top_keys_hit_rate(10_000, 1.0, 100)?;
/// assert_eq!(format!("{share:.4}"), "0.5300"); // H(100) / H(10,000) = 5.1874 / 9.7876
/// assert_eq!(top_keys_hit_rate(10, 0.0, 3)?, 0.3); // uniform: C / K
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn top_keys_hit_rate(keys: usize, exponent: f64, capacity: usize) -> Result<f64, SimError> {
    check_capacity(capacity)?;
    if keys == 0 {
        return Err(SimError::parameter(
            "keys",
            keys,
            "a workload has at least 1 key",
        ));
    }
    if !(0.0..=10.0).contains(&exponent) {
        return Err(SimError::parameter(
            "Zipf exponent",
            exponent,
            "the exponent must be a number from 0 to 10",
        ));
    }
    if capacity >= keys {
        return Ok(1.0);
    }
    Ok(generalized_harmonic(capacity, exponent) / generalized_harmonic(keys, exponent))
}

/// The fraction of `trace` that a cache pinning keys `0..capacity` (the most popular keys of an
/// unshifted [`KeyTrace`](super::KeyTrace)) would serve: the measured counterpart of
/// [`top_keys_hit_rate`].
///
/// # Examples
///
/// ```
/// assert_eq!(lessons::caching::pinned_hit_rate(&[0, 1, 5, 0], 2), 0.75);
/// ```
pub fn pinned_hit_rate(trace: &[u64], capacity: usize) -> f64 {
    if trace.is_empty() {
        return 0.0;
    }
    let hits = trace.iter().filter(|&&key| key < capacity as u64).count();
    hits as f64 / trace.len() as f64
}
