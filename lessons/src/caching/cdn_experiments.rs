//! Policies on a CDN-like trace: hit rate, and how much of the cache holds objects that will
//! never be requested again.

use std::collections::HashSet;

use serde::Serialize;

use super::eviction::{Policy, Step, next_uses, replay_steps};
use super::eviction_experiments::line_per_policy;
use super::ttl::round_to;
use crate::sim::SimError;
use crate::viz::Figure;

/// One policy at one cache size on one trace: what it served, what it stored, and what its slots
/// held.
///
/// # Examples
///
/// ```
/// use lessons::caching::{Policy, cdn_sweep};
///
/// // Key 9 is requested once; LRU stores it and keeps it to the end.
/// let rows = cdn_sweep(&[1, 9, 1], &[Policy::Lru], &[2], 0)?;
/// assert_eq!(rows[0].hit_rate, 0.3333);
/// assert_eq!(rows[0].stored_per_request, 0.6667);
/// assert_eq!(rows[0].dead_slot_share, 0.5); // 0 + 1 + 2 dead slots of 2, over 3 requests
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CdnRow {
    /// The policy's name.
    pub policy: String,
    /// How many objects the cache holds.
    pub capacity: usize,
    /// The fraction of requests that hit, to 4 decimals.
    pub hit_rate: f64,
    /// The fraction of requests that stored their object (a CDN's disk writes), to 4 decimals.
    pub stored_per_request: f64,
    /// The share of the cache's slots holding an object that is never requested again, averaged
    /// over the requests, to 4 decimals.
    pub dead_slot_share: f64,
}

/// Replays `trace` under every policy at every capacity and measures each [`CdnRow`].
///
/// # Errors
///
/// [`SimError::Parameter`] for a capacity or a policy parameter [`replay_steps`] refuses.
///
/// # Examples
///
/// ```
/// use lessons::caching::{CdnTrace, Policy, cdn_sweep};
///
/// let trace = CdnTrace::new(1_000, 1.0, 0.8)?.generate(20_000, 1)?;
/// let policies = [Policy::Lru, Policy::SecondHit { window: 20_000 }];
/// let rows = cdn_sweep(&trace, &policies, &[100], 1)?;
/// assert!(rows[1].dead_slot_share < rows[0].dead_slot_share);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn cdn_sweep(
    trace: &[u64],
    policies: &[Policy],
    capacities: &[usize],
    seed: u64,
) -> Result<Vec<CdnRow>, SimError> {
    let next_use = next_uses(trace);
    let mut rows = Vec::new();
    for &policy in policies {
        for &capacity in capacities {
            let steps = replay_steps(policy, capacity, trace, seed)?;
            let count = |keep: fn(&Step) -> bool| steps.iter().filter(|step| keep(step)).count();
            let share = |count: usize| {
                if trace.is_empty() {
                    0.0
                } else {
                    round_to(count as f64 / trace.len() as f64, 4)
                }
            };
            rows.push(CdnRow {
                policy: policy.to_string(),
                capacity,
                hit_rate: share(count(|step| step.hit)),
                stored_per_request: share(count(|step| step.stored)),
                dead_slot_share: round_to(dead_slot_share(trace, &steps, &next_use, capacity), 4),
            });
        }
    }
    Ok(rows)
}

/// The mean over the requests of the share of `capacity` slots that, after the request, hold a
/// key never requested again. A key is dead from its last request until it is evicted.
fn dead_slot_share(trace: &[u64], steps: &[Step], next_use: &[usize], capacity: usize) -> f64 {
    if trace.is_empty() {
        return 0.0;
    }
    let mut dead: HashSet<u64> = HashSet::new();
    let mut dead_slot_requests = 0usize;
    for ((&key, step), &next) in trace.iter().zip(steps).zip(next_use) {
        if let Some(evicted) = step.evicted {
            dead.remove(&evicted);
        }
        if (step.hit || step.stored) && next == usize::MAX {
            dead.insert(key);
        }
        dead_slot_requests += dead.len();
    }
    dead_slot_requests as f64 / (trace.len() * capacity) as f64
}

/// Hit rate against cache size (slots, log scale), one line per policy of [`cdn_sweep`]'s rows.
///
/// # Examples
///
/// ```
/// use lessons::caching::{CdnTrace, Policy, cdn_figure, cdn_sweep};
///
/// let trace = CdnTrace::new(1_000, 1.0, 0.8)?.generate(5_000, 1)?;
/// let rows = cdn_sweep(&trace, &[Policy::Lfu], &[10, 100], 1)?;
/// assert!(cdn_figure(&rows, "80% one-hit objects").to_svg()?.contains("LFU"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn cdn_figure(rows: &[CdnRow], workload: &str) -> Figure {
    let figure = Figure::new(format!("Hit rate against cache size ({workload})"))
        .x_label("cache size in objects (log scale)")
        .y_label("hit rate")
        .log_x();
    line_per_policy(
        figure,
        rows,
        |row| &row.policy,
        |row| (row.capacity as f64, row.hit_rate),
    )
}
