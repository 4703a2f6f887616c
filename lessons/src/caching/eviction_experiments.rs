//! Eviction policies side by side on one trace: hit rate against cache size, hit rate over time
//! across scans and a popularity shift, and the load that the misses put on the backend.

use serde::Serialize;

use super::eviction::{Policy, hit_rate, replay};
use super::ttl::round_to;
use crate::sim::SimError;
use crate::viz::{Figure, groups};

/// One policy at one cache size on one trace.
///
/// # Examples
///
/// ```
/// use lessons::caching::{KeyTrace, Policy, eviction_sweep};
///
/// let trace = KeyTrace::zipf(1_000, 1.0)?.generate(5_000, 1)?;
/// let rows = eviction_sweep(&trace, 1_000, &[Policy::Lru], &[10], 1_000.0, 1)?;
/// assert_eq!(rows[0].policy, "LRU");
/// assert!((rows[0].backend_per_second - (1.0 - rows[0].hit_rate) * 1_000.0).abs() < 0.1);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvictionRow {
    /// The policy's name.
    pub policy: String,
    /// How many keys the cache holds.
    pub capacity: usize,
    /// The capacity as a fraction of the workload's keys.
    pub capacity_fraction: f64,
    /// The fraction of requests that hit, to 4 decimals.
    pub hit_rate: f64,
    /// Requests per second that reach the backend: (1 − hit rate) × the request rate, to 1
    /// decimal.
    pub backend_per_second: f64,
}

/// Replays `trace` under every policy at every capacity. `keys` is the workload's key count (for
/// the capacity fraction), `requests_per_second` the rate that turns misses into backend load.
///
/// # Errors
///
/// [`SimError::Parameter`] for a key count of 0, a request rate that is not a positive number,
/// or a policy parameter [`replay`] refuses.
///
/// # Examples
///
/// ```
/// use lessons::caching::{KeyTrace, Policy, eviction_sweep};
///
/// let trace = KeyTrace::zipf(1_000, 1.0)?.generate(5_000, 1)?;
/// let rows = eviction_sweep(&trace, 1_000, &[Policy::Lru, Policy::Optimal], &[10, 100], 1.0, 1)?;
/// assert_eq!(rows.len(), 4);
/// assert!(rows[2].hit_rate > rows[0].hit_rate); // OPT beats LRU at 10 keys
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn eviction_sweep(
    trace: &[u64],
    keys: usize,
    policies: &[Policy],
    capacities: &[usize],
    requests_per_second: f64,
    seed: u64,
) -> Result<Vec<EvictionRow>, SimError> {
    if keys == 0 {
        return Err(SimError::parameter(
            "keys",
            keys,
            "a workload has at least 1 key",
        ));
    }
    if !(requests_per_second.is_finite() && requests_per_second > 0.0) {
        return Err(SimError::parameter(
            "request rate",
            requests_per_second,
            "a positive number of requests per second",
        ));
    }
    let mut rows = Vec::new();
    for &policy in policies {
        for &capacity in capacities {
            let hit_rate = round_to(hit_rate(&replay(policy, capacity, trace, seed)?), 4);
            rows.push(EvictionRow {
                policy: policy.to_string(),
                capacity,
                capacity_fraction: capacity as f64 / keys as f64,
                hit_rate,
                backend_per_second: round_to((1.0 - hit_rate) * requests_per_second, 1),
            });
        }
    }
    Ok(rows)
}

/// The hit rate of `policy` at `capacity` among [`eviction_sweep`]'s rows, if they hold it.
///
/// # Examples
///
/// ```
/// use lessons::caching::{Policy, eviction_sweep, hit_rate_at};
///
/// let rows = eviction_sweep(&[1, 1, 2, 1], 2, &[Policy::Lru], &[1], 1.0, 0)?;
/// assert_eq!(hit_rate_at(&rows, Policy::Lru, 1), Some(0.25));
/// assert_eq!(hit_rate_at(&rows, Policy::Fifo, 1), None);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn hit_rate_at(rows: &[EvictionRow], policy: Policy, capacity: usize) -> Option<f64> {
    let name = policy.to_string();
    rows.iter()
        .find(|row| row.policy == name && row.capacity == capacity)
        .map(|row| row.hit_rate)
}

/// The hit rate of one policy over one window of a trace.
///
/// # Examples
///
/// ```
/// use lessons::caching::{Policy, hit_rate_over_time};
///
/// let rows = hit_rate_over_time(&[1, 1, 1, 1], &[Policy::Lru], 1, 2, 0)?;
/// assert_eq!((rows[0].hit_rate, rows[1].hit_rate), (0.5, 1.0));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelineRow {
    /// The policy's name.
    pub policy: String,
    /// The number of requests up to the end of the window.
    pub requests: usize,
    /// The fraction of the window's requests that hit.
    pub hit_rate: f64,
}

/// The mean hit rate of `policy`'s windows in [`hit_rate_over_time`]'s rows that end after
/// `requests` requests, if there are any: how a policy does once it has had time to adapt.
///
/// # Examples
///
/// ```
/// use lessons::caching::{Policy, hit_rate_over_time, mean_hit_rate_after};
///
/// let rows = hit_rate_over_time(&[1, 1, 1, 1, 2, 2], &[Policy::Lru], 1, 2, 0)?;
/// assert_eq!(mean_hit_rate_after(&rows, Policy::Lru, 2), Some(0.75)); // windows 1.0 and 0.5
/// assert_eq!(mean_hit_rate_after(&rows, Policy::Lru, 6), None);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn mean_hit_rate_after(rows: &[TimelineRow], policy: Policy, requests: usize) -> Option<f64> {
    let name = policy.to_string();
    let late: Vec<f64> = rows
        .iter()
        .filter(|row| row.policy == name && row.requests > requests)
        .map(|row| row.hit_rate)
        .collect();
    (!late.is_empty()).then(|| late.iter().sum::<f64>() / late.len() as f64)
}

/// The hit rate of each policy in consecutive windows of `window` requests, for a cache of
/// `capacity` keys: how policies react to a scan or a popularity shift.
///
/// # Errors
///
/// [`SimError::Parameter`] for a window of 0 or a policy parameter [`replay`] refuses.
///
/// # Examples
///
/// ```
/// use lessons::caching::{KeyTrace, Policy, hit_rate_over_time};
///
/// let trace = KeyTrace::zipf(100, 1.0)?.generate(1_000, 1)?;
/// let rows = hit_rate_over_time(&trace, &[Policy::Lru, Policy::Fifo], 10, 100, 1)?;
/// assert_eq!(rows.len(), 20);
/// assert_eq!(rows[19].requests, 1_000);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn hit_rate_over_time(
    trace: &[u64],
    policies: &[Policy],
    capacity: usize,
    window: usize,
    seed: u64,
) -> Result<Vec<TimelineRow>, SimError> {
    if window == 0 {
        return Err(SimError::parameter(
            "window",
            window,
            "a window holds 1 or more requests",
        ));
    }
    let mut rows = Vec::new();
    for &policy in policies {
        let hits = replay(policy, capacity, trace, seed)?;
        for (index, chunk) in hits.chunks(window).enumerate() {
            rows.push(TimelineRow {
                policy: policy.to_string(),
                requests: index * window + chunk.len(),
                hit_rate: hit_rate(chunk),
            });
        }
    }
    Ok(rows)
}

/// One policy on a trace with scans: its hit rate over all requests and over the requests
/// outside the scans (keys below the workload's key count), which shows what the scans cost the
/// regular traffic.
///
/// # Examples
///
/// ```
/// use lessons::caching::{Policy, scan_experiment};
///
/// // Keys 0 and 1 are the workload; 2 and 3 are a scan.
/// let rows = scan_experiment(&[0, 0, 2, 3, 0, 1], 2, &[Policy::Lru], 2, 0)?;
/// assert_eq!(rows[0].hit_rate, 0.1667); // 1 of 6
/// assert_eq!(rows[0].hit_rate_outside_scans, 0.25); // 1 of 4: the scan evicted key 0
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScanRow {
    /// The policy's name.
    pub policy: String,
    /// The fraction of all requests that hit, to 4 decimals.
    pub hit_rate: f64,
    /// The fraction of the requests outside the scans that hit, to 4 decimals.
    pub hit_rate_outside_scans: f64,
}

/// Replays a trace with scans ([`KeyTrace::with_scans`](super::KeyTrace::with_scans)) under each
/// policy with `capacity` slots; `keys` is the workload's key count, above which keys are scan
/// reads.
///
/// # Errors
///
/// [`SimError::Parameter`] for a policy parameter [`replay`] refuses.
///
/// # Examples
///
/// ```
/// use lessons::caching::{KeyTrace, Policy, scan_experiment};
///
/// let trace = KeyTrace::zipf(100, 1.0)?.with_scans(500, 200)?.generate(2_000, 1)?;
/// let rows = scan_experiment(&trace, 100, &[Policy::Lru, Policy::Lfu], 10, 1)?;
/// assert!(rows.iter().all(|row| row.hit_rate < row.hit_rate_outside_scans));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn scan_experiment(
    trace: &[u64],
    keys: usize,
    policies: &[Policy],
    capacity: usize,
    seed: u64,
) -> Result<Vec<ScanRow>, SimError> {
    let mut rows = Vec::new();
    for &policy in policies {
        let hits = replay(policy, capacity, trace, seed)?;
        let outside: Vec<bool> = hits
            .iter()
            .zip(trace)
            .filter(|&(_, &key)| key < keys as u64)
            .map(|(&hit, _)| hit)
            .collect();
        rows.push(ScanRow {
            policy: policy.to_string(),
            hit_rate: round_to(hit_rate(&hits), 4),
            hit_rate_outside_scans: round_to(hit_rate(&outside), 4),
        });
    }
    Ok(rows)
}

/// Hit rate against cache size (as a fraction of the keys, log scale), one line per policy of
/// [`eviction_sweep`]'s rows.
///
/// # Examples
///
/// ```
/// use lessons::caching::{KeyTrace, Policy, eviction_sweep, hit_rate_figure};
///
/// let trace = KeyTrace::zipf(1_000, 1.0)?.generate(2_000, 1)?;
/// let rows = eviction_sweep(&trace, 1_000, &[Policy::Random], &[10, 100], 1.0, 1)?;
/// assert!(hit_rate_figure(&rows, "Zipf(1), 1,000 keys").to_svg()?.contains("random"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn hit_rate_figure(rows: &[EvictionRow], workload: &str) -> Figure {
    let figure = Figure::new(format!("Hit rate against cache size ({workload})"))
        .x_label("cache size as a fraction of the keys (log scale)")
        .y_label("hit rate")
        .log_x();
    line_per_policy(
        figure,
        rows,
        |row| &row.policy,
        |row| (row.capacity_fraction, row.hit_rate),
    )
}

/// `figure` with one line per policy, in the order the rows first name them.
pub(super) fn line_per_policy<R>(
    mut figure: Figure,
    rows: &[R],
    policy: impl Fn(&R) -> &String,
    point: impl Fn(&R) -> (f64, f64),
) -> Figure {
    for name in groups(rows, |row| policy(row).clone()) {
        let points = rows.iter().filter(|row| *policy(row) == name).map(&point);
        figure = figure.line(name.clone(), points);
    }
    figure
}

/// Requests per second reaching the backend against cache size, one line per policy.
///
/// # Examples
///
/// ```
/// use lessons::caching::{KeyTrace, Policy, backend_load_figure, eviction_sweep};
///
/// let trace = KeyTrace::zipf(1_000, 1.0)?.generate(2_000, 1)?;
/// let rows = eviction_sweep(&trace, 1_000, &[Policy::Lru], &[10, 100], 50_000.0, 1)?;
/// assert!(backend_load_figure(&rows).to_svg()?.contains("LRU"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn backend_load_figure(rows: &[EvictionRow]) -> Figure {
    let figure = Figure::new("Backend load: the misses")
        .x_label("cache size as a fraction of the keys (log scale)")
        .y_label("backend requests per second")
        .log_x();
    line_per_policy(
        figure,
        rows,
        |row| &row.policy,
        |row| (row.capacity_fraction, row.backend_per_second),
    )
}

/// Hit rate per window against requests so far, one line per policy of
/// [`hit_rate_over_time`]'s rows; `events` says what the trace does and when (for the title).
///
/// # Examples
///
/// ```
/// use lessons::caching::{KeyTrace, Policy, hit_rate_over_time, timeline_figure};
///
/// let trace = KeyTrace::zipf(100, 1.0)?.generate(1_000, 1)?;
/// let rows = hit_rate_over_time(&trace, &[Policy::Lru], 10, 100, 1)?;
/// assert!(timeline_figure(&rows, "no scan").to_svg()?.contains("LRU"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn timeline_figure(rows: &[TimelineRow], events: &str) -> Figure {
    let figure = Figure::new(format!("Hit rate over time ({events})"))
        .x_label("requests")
        .y_label("hit rate in the window");
    line_per_policy(
        figure,
        rows,
        |row| &row.policy,
        |row| (row.requests as f64, row.hit_rate),
    )
}
