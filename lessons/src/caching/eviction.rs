//! Eviction policies replayed on a key trace: which requests hit, under which policy.
//!
//! Every policy here caches the key of every miss (demand fill) and, when full, evicts one key;
//! they differ only in which. Belady's [`Policy::Optimal`] looks at the future of the trace and
//! evicts the key needed furthest ahead, which no online policy can beat.

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::fmt;

use serde::Serialize;

use super::lru::{LruCache, check_capacity};
use crate::sim::{Rng, SimError};

/// Which key a full cache evicts.
///
/// # Examples
///
/// ```
/// use lessons::caching::Policy;
///
/// assert_eq!(Policy::SampledLru { samples: 5 }.to_string(), "sampled LRU (5)");
/// assert_eq!(Policy::Optimal.to_string(), "OPT (Belady)");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Policy {
    /// The key used least recently.
    Lru,
    /// The key with the fewest hits since it was cached (ties: the least recently used); its
    /// count is forgotten when it is evicted.
    Lfu,
    /// LFU whose counts are all halved every `halve_every` requests, so old popularity fades.
    DecayingLfu {
        /// Requests between two halvings.
        halve_every: usize,
    },
    /// The key cached longest ago, however often it was used since.
    Fifo,
    /// A key drawn at random.
    Random,
    /// The least recently used among `samples` keys drawn at random without repeats (Redis's
    /// approximation of LRU samples a few keys per eviction, 5 by default).
    SampledLru {
        /// How many keys each eviction compares.
        samples: usize,
    },
    /// Belady's MIN: the key whose next request is furthest in the future (or never comes).
    Optimal,
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Policy::Lru => write!(f, "LRU"),
            Policy::Lfu => write!(f, "LFU"),
            Policy::DecayingLfu { halve_every } => write!(f, "LFU, halved every {halve_every}"),
            Policy::Fifo => write!(f, "FIFO"),
            Policy::Random => write!(f, "random"),
            Policy::SampledLru { samples } => write!(f, "sampled LRU ({samples})"),
            Policy::Optimal => write!(f, "OPT (Belady)"),
        }
    }
}

/// Replays `trace` through an initially empty cache of `capacity` keys under `policy`, and says
/// for each request whether it hit. `seed` drives the random choices of [`Policy::Random`] and
/// [`Policy::SampledLru`].
///
/// # Errors
///
/// [`SimError::Parameter`] for a capacity of 0, a sample size of 0 or a halving interval of 0.
///
/// # Examples
///
/// ```
/// use lessons::caching::{Policy, replay};
///
/// let trace = [1, 2, 1, 3, 1, 2];
/// let hits = |policy| replay(policy, 2, &trace, 0).map(|hits| hits.iter().filter(|&&h| h).count());
/// assert_eq!(hits(Policy::Lru)?, 2); // 1 hits twice; 3 evicts 2
/// assert_eq!(hits(Policy::Fifo)?, 1); // 3 evicts 1, the oldest, then 1 misses
/// assert_eq!(hits(Policy::Optimal)?, 2);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn replay(
    policy: Policy,
    capacity: usize,
    trace: &[u64],
    seed: u64,
) -> Result<Vec<bool>, SimError> {
    check_capacity(capacity)?;
    match policy {
        Policy::Lru => lru(capacity, trace),
        Policy::Lfu => Ok(lfu(capacity, trace, None)),
        Policy::DecayingLfu { halve_every } => {
            if halve_every == 0 {
                return Err(SimError::parameter(
                    "halving interval",
                    halve_every,
                    "counts are halved every 1 or more requests",
                ));
            }
            Ok(lfu(capacity, trace, Some(halve_every)))
        }
        Policy::Fifo => Ok(fifo(capacity, trace)),
        Policy::Random => Ok(sampled_lru(capacity, trace, 1, seed)),
        Policy::SampledLru { samples } => {
            if samples == 0 {
                return Err(SimError::parameter(
                    "samples",
                    samples,
                    "an eviction compares 1 or more keys",
                ));
            }
            Ok(sampled_lru(capacity, trace, samples, seed))
        }
        Policy::Optimal => Ok(optimal(capacity, trace)),
    }
}

/// The fraction of `hits` that are true (0 for no requests).
///
/// # Examples
///
/// ```
/// assert_eq!(lessons::caching::hit_rate(&[true, false, false, true]), 0.5);
/// ```
pub fn hit_rate(hits: &[bool]) -> f64 {
    if hits.is_empty() {
        return 0.0;
    }
    hits.iter().filter(|&&hit| hit).count() as f64 / hits.len() as f64
}

fn lru(capacity: usize, trace: &[u64]) -> Result<Vec<bool>, SimError> {
    let mut cache = LruCache::new(capacity)?;
    Ok(trace
        .iter()
        .map(|&key| {
            let hit = cache.get(key).is_some();
            if !hit {
                cache.put(key, 0);
            }
            hit
        })
        .collect())
}

fn fifo(capacity: usize, trace: &[u64]) -> Vec<bool> {
    let mut order = VecDeque::with_capacity(capacity);
    let mut cached = HashSet::with_capacity(capacity);
    trace
        .iter()
        .map(|&key| {
            if cached.contains(&key) {
                return true;
            }
            if order.len() == capacity
                && let Some(oldest) = order.pop_front()
            {
                cached.remove(&oldest);
            }
            order.push_back(key);
            cached.insert(key);
            false
        })
        .collect()
}

/// `(count, last use, key)`: the first entry of the ordered set is the one LFU evicts.
type Frequency = (u64, usize, u64);

fn lfu(capacity: usize, trace: &[u64], halve_every: Option<usize>) -> Vec<bool> {
    let mut by_frequency: BTreeSet<Frequency> = BTreeSet::new();
    let mut entry_of: HashMap<u64, Frequency> = HashMap::with_capacity(capacity);
    let mut hits = Vec::with_capacity(trace.len());
    for (now, &key) in trace.iter().enumerate() {
        if let Some(every) = halve_every
            && now > 0
            && now % every == 0
        {
            by_frequency = entry_of
                .values_mut()
                .map(|entry| {
                    entry.0 /= 2;
                    *entry
                })
                .collect();
        }
        let hit = entry_of.contains_key(&key);
        let count = match entry_of.get(&key) {
            Some(&old) => {
                by_frequency.remove(&old);
                old.0 + 1
            }
            None => {
                if entry_of.len() == capacity
                    && let Some((_, _, evicted)) = by_frequency.pop_first()
                {
                    entry_of.remove(&evicted);
                }
                1
            }
        };
        let entry = (count, now, key);
        by_frequency.insert(entry);
        entry_of.insert(key, entry);
        hits.push(hit);
    }
    hits
}

/// Random eviction is sampled LRU with one sample: the one key drawn is evicted.
fn sampled_lru(capacity: usize, trace: &[u64], samples: usize, seed: u64) -> Vec<bool> {
    let mut rng = Rng::new(seed);
    let mut keys: Vec<u64> = Vec::with_capacity(capacity);
    let mut last_use: Vec<usize> = Vec::with_capacity(capacity);
    let mut position: HashMap<u64, usize> = HashMap::with_capacity(capacity);
    let mut hits = Vec::with_capacity(trace.len());
    for (now, &key) in trace.iter().enumerate() {
        if let Some(&at) = position.get(&key) {
            last_use[at] = now;
            hits.push(true);
            continue;
        }
        hits.push(false);
        if keys.len() < capacity {
            position.insert(key, keys.len());
            keys.push(key);
            last_use.push(now);
            continue;
        }
        // Draw `samples` distinct slots by a partial shuffle into the front of the arrays.
        let drawn = samples.min(keys.len());
        for front in 0..drawn {
            let pick = front + rng.below((keys.len() - front) as u64) as usize;
            keys.swap(front, pick);
            last_use.swap(front, pick);
            position.insert(keys[front], front);
            position.insert(keys[pick], pick);
        }
        let victim = (0..drawn).min_by_key(|&at| last_use[at]).unwrap_or(0);
        position.remove(&keys[victim]);
        keys[victim] = key;
        last_use[victim] = now;
        position.insert(key, victim);
    }
    hits
}

fn optimal(capacity: usize, trace: &[u64]) -> Vec<bool> {
    // next_use[i]: the index of the next request for trace[i]'s key, or usize::MAX for never.
    let mut next_use = vec![usize::MAX; trace.len()];
    let mut seen_at: HashMap<u64, usize> = HashMap::new();
    for (at, &key) in trace.iter().enumerate().rev() {
        if let Some(later) = seen_at.insert(key, at) {
            next_use[at] = later;
        }
    }
    let mut by_next_use: BTreeSet<(usize, u64)> = BTreeSet::new();
    let mut cached: HashMap<u64, usize> = HashMap::with_capacity(capacity);
    trace
        .iter()
        .enumerate()
        .map(|(at, &key)| {
            let hit = match cached.get(&key) {
                Some(&next) => {
                    by_next_use.remove(&(next, key));
                    true
                }
                None => {
                    if cached.len() == capacity
                        && let Some((_, evicted)) = by_next_use.pop_last()
                    {
                        cached.remove(&evicted);
                    }
                    false
                }
            };
            cached.insert(key, next_use[at]);
            by_next_use.insert((next_use[at], key));
            hit
        })
        .collect()
}
