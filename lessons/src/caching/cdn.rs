//! A CDN-like request stream: a Zipf-popular catalogue mixed with objects requested exactly once
//! ("one-hit wonders"), the share of which is a parameter.
//!
//! In the traces of a large CDN most distinct objects are requested only once in a day; a cache
//! that stores each of them on its miss spends slots and disk writes on objects nobody asks for
//! again. The stream here keeps the Zipf catalogue of [`KeyTrace`](super::KeyTrace) (keys `0..K`)
//! and adds fresh keys from `K` on, each requested once, so that a chosen share of the distinct
//! objects are one-hit objects.

use std::collections::{HashMap, HashSet};

use super::trace::check_requests;
use crate::sim::{Rng, SimError, Zipf};

/// A CDN-like stream: Zipf popularity over `popular_keys` keys, plus fresh keys each requested
/// once, making up `one_hit_share` of the distinct objects. Lets you test the seed's advice that
/// a CDN whose content is mostly one-hit should use LFU.
///
/// # Examples
///
/// ```
/// use lessons::caching::{CdnTrace, share_requested_once};
///
/// let trace = CdnTrace::new(1_000, 1.0, 0.8)?.generate(20_000, 1)?;
/// assert_eq!(trace.len(), 20_000);
/// let once = share_requested_once(&trace);
/// assert!(once > 0.8 && once < 0.85); // the fresh keys, and a few Zipf keys drawn once
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct CdnTrace {
    popularity: Zipf,
    one_hit_share: f64,
}

impl CdnTrace {
    /// A catalogue of `popular_keys` keys with Zipf popularity of this exponent, mixed with
    /// one-hit objects making up `one_hit_share` of the distinct objects (1 means every request
    /// is for a new object).
    ///
    /// # Errors
    ///
    /// [`SimError::Parameter`] for a share outside `[0, 1]`, or the limits of [`Zipf`] on the
    /// keys and the exponent.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::caching::CdnTrace;
    ///
    /// assert!(CdnTrace::new(10_000, 1.0, 0.8).is_ok());
    /// assert_eq!(
    ///     CdnTrace::new(10_000, 1.0, 1.5).unwrap_err().to_string(),
    ///     "one-hit share 1.5 is not allowed; a share of the distinct objects, from 0 to 1"
    /// );
    /// ```
    pub fn new(
        popular_keys: usize,
        exponent: f64,
        one_hit_share: f64,
    ) -> Result<CdnTrace, SimError> {
        if !(0.0..=1.0).contains(&one_hit_share) {
            return Err(SimError::parameter(
                "one-hit share",
                one_hit_share,
                "a share of the distinct objects, from 0 to 1",
            ));
        }
        Ok(CdnTrace {
            popularity: Zipf::new(popular_keys, exponent)?,
            one_hit_share,
        })
    }

    /// How many keys the popular catalogue has; one-hit keys are numbered from here on.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::caching::CdnTrace::new(500, 1.0, 0.5)?.popular_keys(), 500);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn popular_keys(&self) -> usize {
        self.popularity.len()
    }

    /// `requests` keys drawn with `seed`. The number `O` of one-hit requests is the smallest
    /// that makes `O / (O + D)` reach the share, where `D` is the number of distinct catalogue
    /// keys among the other requests; the one-hit requests sit at uniformly random places.
    ///
    /// # Errors
    ///
    /// [`SimError::Parameter`] when `requests` exceeds [`MAX_REQUESTS`](super::MAX_REQUESTS).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::caching::CdnTrace;
    ///
    /// let everything_new = CdnTrace::new(100, 1.0, 1.0)?.generate(5, 1)?;
    /// assert_eq!(everything_new, [100, 101, 102, 103, 104]);
    /// let no_one_hits = CdnTrace::new(100, 1.0, 0.0)?.generate(1_000, 1)?;
    /// assert!(no_one_hits.iter().all(|&key| key < 100));
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn generate(&self, requests: usize, seed: u64) -> Result<Vec<u64>, SimError> {
        check_requests(requests)?;
        let first_one_hit_key = self.popular_keys() as u64;
        let mut rng = Rng::new(seed);
        let ranks: Vec<u64> = (0..requests)
            .map(|_| self.popularity.sample(&mut rng) as u64)
            .collect();
        // distinct[n]: how many distinct keys the first n catalogue draws hold.
        let mut seen = HashSet::new();
        let mut distinct = Vec::with_capacity(requests + 1);
        distinct.push(0);
        for &rank in &ranks {
            seen.insert(rank);
            distinct.push(seen.len());
        }
        let share = self.one_hit_share;
        let reaches_share = |one_hits: usize| {
            let catalogue = distinct[requests - one_hits] as f64;
            one_hits as f64 * (1.0 - share) >= share * catalogue
        };
        // reaches_share is false then true as one_hits grows: find the first true.
        let (mut low, mut high) = (0, requests);
        while low < high {
            let middle = (low + high) / 2;
            if reaches_share(middle) {
                high = middle;
            } else {
                low = middle + 1;
            }
        }
        let (mut one_hits_left, mut left) = (low, requests);
        let mut catalogue = ranks.into_iter();
        let mut next_one_hit = first_one_hit_key;
        let mut trace = Vec::with_capacity(requests);
        while left > 0 {
            if rng.below(left as u64) < one_hits_left as u64 {
                trace.push(next_one_hit);
                next_one_hit += 1;
                one_hits_left -= 1;
            } else if let Some(rank) = catalogue.next() {
                trace.push(rank);
            }
            left -= 1;
        }
        Ok(trace)
    }
}

/// The share of the distinct keys of `trace` that it requests exactly once (0 for an empty
/// trace).
///
/// # Examples
///
/// ```
/// assert_eq!(lessons::caching::share_requested_once(&[1, 2, 2, 3]), 2.0 / 3.0);
/// ```
pub fn share_requested_once(trace: &[u64]) -> f64 {
    let mut counts: HashMap<u64, usize> = HashMap::new();
    for &key in trace {
        *counts.entry(key).or_default() += 1;
    }
    if counts.is_empty() {
        return 0.0;
    }
    let once = counts.values().filter(|&&count| count == 1).count();
    once as f64 / counts.len() as f64
}
