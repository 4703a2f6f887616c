//! Eviction policies replayed on a key trace: which requests hit, under which policy.
//!
//! Most policies here cache the key of every miss (demand fill) and, when full, evict one key;
//! they differ only in which. Belady's [`Policy::Optimal`] looks at the future of the trace and
//! evicts the key needed furthest ahead, which no demand-fill policy can beat. A cache may also
//! decline to store a key ([`Policy::SecondHit`] stores only keys it has seen recently); the
//! bound for such caches is [`Policy::OptimalWithBypass`], which may decline too.

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::fmt;

use serde::Serialize;

use super::arc::ArcCache;
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
/// assert_eq!(Policy::SecondHit { window: 100 }.to_string(), "LRU, second hit within 100");
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
    /// LRU that stores a key only on its second request within `window` requests (a CDN's
    /// "cache on second hit"): a key requested once is never stored.
    SecondHit {
        /// How many requests back the earlier request may lie.
        window: usize,
    },
    /// Belady's MIN allowed to decline: of the cached keys and the requested one, the key needed
    /// furthest ahead stays out; the bound for caches that may decline to store, like
    /// [`Policy::SecondHit`].
    OptimalWithBypass,
    /// Megiddo and Modha's Adaptive Replacement Cache ([`ArcCache`]): recency and frequency
    /// lists whose split adapts to the misses on their ghost lists.
    Arc,
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
            Policy::SecondHit { window } => write!(f, "LRU, second hit within {window}"),
            Policy::OptimalWithBypass => write!(f, "OPT with bypass"),
            Policy::Arc => write!(f, "ARC"),
        }
    }
}

/// Replays `trace` through an initially empty cache of `capacity` keys under `policy`, and says
/// for each request whether it hit. `seed` drives the random choices of [`Policy::Random`] and
/// [`Policy::SampledLru`].
///
/// # Errors
///
/// [`SimError::Parameter`] for a capacity of 0, a sample size of 0, a halving interval of 0 or
/// a second-hit window of 0.
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
/// assert_eq!(hits(Policy::SecondHit { window: 10 })?, 1); // 1 is stored on its second request
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn replay(
    policy: Policy,
    capacity: usize,
    trace: &[u64],
    seed: u64,
) -> Result<Vec<bool>, SimError> {
    let steps = replay_steps(policy, capacity, trace, seed)?;
    Ok(steps.iter().map(|step| step.hit).collect())
}

/// What one request did to the cache: whether it hit, whether its key was stored, and which key
/// it pushed out. A hit stores nothing and evicts nothing.
///
/// # Examples
///
/// ```
/// use lessons::caching::{Policy, Step, replay_steps};
///
/// let steps = replay_steps(Policy::Lru, 1, &[1, 2], 0)?;
/// assert_eq!(steps[1], Step { hit: false, stored: true, evicted: Some(1) });
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Step {
    /// Whether the request found its key cached.
    pub hit: bool,
    /// Whether the request's key was put in the cache (a miss the policy admitted).
    pub stored: bool,
    /// The key the request pushed out to make room, if any.
    pub evicted: Option<u64>,
}

impl Step {
    const HIT: Step = Step {
        hit: true,
        stored: false,
        evicted: None,
    };
    const DECLINED: Step = Step {
        hit: false,
        stored: false,
        evicted: None,
    };

    fn stored(evicted: Option<u64>) -> Step {
        Step {
            hit: false,
            stored: true,
            evicted,
        }
    }
}

/// Replays `trace` like [`replay`] and says for each request what it did to the cache: the
/// record from which the share of slots holding dead keys is measured, and which shows that
/// [`Policy::SecondHit`] never stores a key on its first request.
///
/// # Errors
///
/// As [`replay`].
///
/// # Examples
///
/// ```
/// use lessons::caching::{Policy, replay_steps};
///
/// let steps = replay_steps(Policy::SecondHit { window: 5 }, 1, &[7, 7, 7], 0)?;
/// let stored: Vec<bool> = steps.iter().map(|step| step.stored).collect();
/// assert_eq!(stored, [false, true, false]); // stored on the second request, hit on the third
/// assert!(steps[2].hit);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn replay_steps(
    policy: Policy,
    capacity: usize,
    trace: &[u64],
    seed: u64,
) -> Result<Vec<Step>, SimError> {
    check_capacity(capacity)?;
    match policy {
        Policy::Lru => lru(capacity, trace, None),
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
        Policy::Optimal => Ok(optimal(capacity, trace, false)),
        Policy::SecondHit { window } => {
            if window == 0 {
                return Err(SimError::parameter(
                    "second-hit window",
                    window,
                    "the earlier request lies 1 or more requests back",
                ));
            }
            lru(capacity, trace, Some(window))
        }
        Policy::OptimalWithBypass => Ok(optimal(capacity, trace, true)),
        Policy::Arc => {
            let mut cache = ArcCache::new(capacity)?;
            Ok(trace.iter().map(|&key| cache.request(key)).collect())
        }
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

/// LRU, storing every miss, or with `admit_within` only a key requested before within that many
/// requests (the exact memory a CDN approximates with a Bloom filter).
fn lru(capacity: usize, trace: &[u64], admit_within: Option<usize>) -> Result<Vec<Step>, SimError> {
    let mut cache = LruCache::new(capacity)?;
    let mut last_request: HashMap<u64, usize> = HashMap::new();
    Ok(trace
        .iter()
        .enumerate()
        .map(|(now, &key)| {
            let step = if cache.get(key).is_some() {
                Step::HIT
            } else {
                let admitted = admit_within.is_none_or(|window| {
                    last_request
                        .get(&key)
                        .is_some_and(|&then| now - then <= window)
                });
                if admitted {
                    Step::stored(cache.put(key, 0))
                } else {
                    Step::DECLINED
                }
            };
            if admit_within.is_some() {
                last_request.insert(key, now);
            }
            step
        })
        .collect())
}

fn fifo(capacity: usize, trace: &[u64]) -> Vec<Step> {
    let mut order = VecDeque::with_capacity(capacity);
    let mut cached = HashSet::with_capacity(capacity);
    trace
        .iter()
        .map(|&key| {
            if cached.contains(&key) {
                return Step::HIT;
            }
            let mut evicted = None;
            if order.len() == capacity {
                evicted = order.pop_front();
                if let Some(oldest) = evicted {
                    cached.remove(&oldest);
                }
            }
            order.push_back(key);
            cached.insert(key);
            Step::stored(evicted)
        })
        .collect()
}

/// `(count, last use, key)`: the first entry of the ordered set is the one LFU evicts.
type Frequency = (u64, usize, u64);

fn lfu(capacity: usize, trace: &[u64], halve_every: Option<usize>) -> Vec<Step> {
    let mut by_frequency: BTreeSet<Frequency> = BTreeSet::new();
    let mut entry_of: HashMap<u64, Frequency> = HashMap::with_capacity(capacity);
    let mut steps = Vec::with_capacity(trace.len());
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
        let (count, step) = match entry_of.get(&key) {
            Some(&old) => {
                by_frequency.remove(&old);
                (old.0 + 1, Step::HIT)
            }
            None => {
                let mut evicted = None;
                if entry_of.len() == capacity {
                    evicted = by_frequency.pop_first().map(|(_, _, evicted)| evicted);
                    if let Some(evicted) = evicted {
                        entry_of.remove(&evicted);
                    }
                }
                (1, Step::stored(evicted))
            }
        };
        let entry = (count, now, key);
        by_frequency.insert(entry);
        entry_of.insert(key, entry);
        steps.push(step);
    }
    steps
}

/// Random eviction is sampled LRU with one sample: the one key drawn is evicted.
fn sampled_lru(capacity: usize, trace: &[u64], samples: usize, seed: u64) -> Vec<Step> {
    let mut rng = Rng::new(seed);
    let mut keys: Vec<u64> = Vec::with_capacity(capacity);
    let mut last_use: Vec<usize> = Vec::with_capacity(capacity);
    let mut position: HashMap<u64, usize> = HashMap::with_capacity(capacity);
    let mut steps = Vec::with_capacity(trace.len());
    for (now, &key) in trace.iter().enumerate() {
        if let Some(&at) = position.get(&key) {
            last_use[at] = now;
            steps.push(Step::HIT);
            continue;
        }
        if keys.len() < capacity {
            position.insert(key, keys.len());
            keys.push(key);
            last_use.push(now);
            steps.push(Step::stored(None));
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
        steps.push(Step::stored(Some(keys[victim])));
        keys[victim] = key;
        last_use[victim] = now;
        position.insert(key, victim);
    }
    steps
}

/// For each request, the index of the next request for the same key, or `usize::MAX` for never.
pub(crate) fn next_uses(trace: &[u64]) -> Vec<usize> {
    let mut next_use = vec![usize::MAX; trace.len()];
    let mut seen_at: HashMap<u64, usize> = HashMap::new();
    for (at, &key) in trace.iter().enumerate().rev() {
        if let Some(later) = seen_at.insert(key, at) {
            next_use[at] = later;
        }
    }
    next_use
}

/// Belady's MIN; with `bypass`, a requested key needed no sooner than every cached key is not
/// stored at all.
fn optimal(capacity: usize, trace: &[u64], bypass: bool) -> Vec<Step> {
    let next_use = next_uses(trace);
    let mut by_next_use: BTreeSet<(usize, u64)> = BTreeSet::new();
    let mut cached: HashMap<u64, usize> = HashMap::with_capacity(capacity);
    let mut steps = Vec::with_capacity(trace.len());
    for (at, &key) in trace.iter().enumerate() {
        let step = match cached.get(&key) {
            Some(&next) => {
                by_next_use.remove(&(next, key));
                Step::HIT
            }
            None if cached.len() < capacity => Step::stored(None),
            None => {
                let furthest = by_next_use.last().map_or(0, |&(next, _)| next);
                if bypass && next_use[at] >= furthest {
                    steps.push(Step::DECLINED);
                    continue;
                }
                let evicted = by_next_use.pop_last().map(|(_, evicted)| evicted);
                if let Some(evicted) = evicted {
                    cached.remove(&evicted);
                }
                Step::stored(evicted)
            }
        };
        cached.insert(key, next_use[at]);
        by_next_use.insert((next_use[at], key));
        steps.push(step);
    }
    steps
}
