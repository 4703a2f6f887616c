//! Quorums across data centres: QUORUM counts replicas everywhere, LOCAL_QUORUM only those in
//! the coordinator's own data centre.
//!
//! With replicas in two data centres, a QUORUM of all replicas must include remote ones
//! whenever the local data centre holds no majority on its own, so every request pays the
//! wide-area round trip, and a wide-area partition leaves the side without a global majority
//! unable to answer. LOCAL_QUORUM waits for a majority of the local replicas only: fast, and
//! available on both sides of a partition, at the price that the two data centres can hold
//! different values until replication across the partition catches up.

use serde::Serialize;

use super::error::{QuorumError, at_least};
use crate::sim::{Latency, Rng, Time, percentiles};

/// How many replica answers a request waits for, and where they must come from.
///
/// # Examples
///
/// ```
/// use lessons::quorum::ConsistencyLevel;
///
/// assert_eq!(ConsistencyLevel::LocalQuorum.name(), "LOCAL_QUORUM");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum ConsistencyLevel {
    /// Any one replica.
    One,
    /// A majority of the coordinator's data centre.
    LocalQuorum,
    /// A majority of all replicas.
    Quorum,
    /// A majority in every data centre.
    EachQuorum,
}

impl ConsistencyLevel {
    /// All four, from the weakest.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::quorum::ConsistencyLevel::ALL.len(), 4);
    /// ```
    pub const ALL: [ConsistencyLevel; 4] = [
        ConsistencyLevel::One,
        ConsistencyLevel::LocalQuorum,
        ConsistencyLevel::Quorum,
        ConsistencyLevel::EachQuorum,
    ];

    /// The name Cassandra uses.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::quorum::ConsistencyLevel::EachQuorum.name(), "EACH_QUORUM");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            ConsistencyLevel::One => "ONE",
            ConsistencyLevel::LocalQuorum => "LOCAL_QUORUM",
            ConsistencyLevel::Quorum => "QUORUM",
            ConsistencyLevel::EachQuorum => "EACH_QUORUM",
        }
    }

    /// Whether a request from data centre `local` succeeds when `live[d]` replicas are up in
    /// data centre `d` of `replicas[d]`, and the wide-area network is up or not (when it is
    /// down, only the local data centre is reachable).
    ///
    /// # Errors
    ///
    /// [`QuorumError::Parameter`] for no data centres, an empty one, `live` of another length
    /// or above `replicas`, or an unknown `local`.
    ///
    /// # Examples
    ///
    /// N = 3 split two and one: the side with two keeps QUORUM through a partition, the other
    /// does not; LOCAL_QUORUM works on both.
    ///
    /// ```
    /// use lessons::quorum::ConsistencyLevel::{LocalQuorum, Quorum};
    ///
    /// let (replicas, live) = ([2, 1], [2, 1]);
    /// assert!(Quorum.succeeds(&replicas, &live, 0, false)?);
    /// assert!(!Quorum.succeeds(&replicas, &live, 1, false)?);
    /// assert!(LocalQuorum.succeeds(&replicas, &live, 1, false)?);
    /// # Ok::<(), lessons::quorum::QuorumError>(())
    /// ```
    pub fn succeeds(
        self,
        replicas: &[usize],
        live: &[usize],
        local: usize,
        wan_up: bool,
    ) -> Result<bool, QuorumError> {
        check_layout(replicas)?;
        if live.len() != replicas.len() || live.iter().zip(replicas).any(|(l, r)| l > r) {
            return Err(QuorumError::parameter(
                "live",
                format!("{live:?}"),
                format!("one count per data centre, each at most its replicas {replicas:?}"),
            ));
        }
        check_local(replicas, local)?;
        let reachable = |d: usize| if d == local || wan_up { live[d] } else { 0 };
        let total: usize = replicas.iter().sum();
        let all_reachable: usize = (0..replicas.len()).map(reachable).sum();
        Ok(match self {
            ConsistencyLevel::One => all_reachable >= 1,
            ConsistencyLevel::LocalQuorum => live[local] > replicas[local] / 2,
            ConsistencyLevel::Quorum => all_reachable > total / 2,
            ConsistencyLevel::EachQuorum => {
                (0..replicas.len()).all(|d| reachable(d) > replicas[d] / 2)
            }
        })
    }
}

fn check_layout(replicas: &[usize]) -> Result<(), QuorumError> {
    at_least("data centres", replicas.len(), 1)?;
    if replicas.contains(&0) {
        return Err(QuorumError::parameter(
            "replicas",
            format!("{replicas:?}"),
            "every data centre holds at least one replica",
        ));
    }
    Ok(())
}

fn check_local(replicas: &[usize], local: usize) -> Result<(), QuorumError> {
    if local < replicas.len() {
        Ok(())
    } else {
        Err(QuorumError::parameter(
            "local",
            local,
            format!("data centres are numbered 0 to {}", replicas.len() - 1),
        ))
    }
}

/// Latency percentiles of one consistency level, seen from data centre 0.
///
/// # Examples
///
/// ```
/// use lessons::quorum::multi_dc_latency_experiment;
/// use lessons::sim::{Latency, ms};
///
/// let rows = multi_dc_latency_experiment(&[3, 3], Latency::constant(ms(1)), Latency::constant(ms(40)), 10, 1)?;
/// let quorum = rows.iter().find(|row| row.level == "QUORUM").unwrap();
/// assert_eq!(quorum.p50_ms, 40.0);
/// # Ok::<(), lessons::quorum::QuorumError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DcLatencyRow {
    /// The consistency level's name.
    pub level: String,
    /// Median, milliseconds.
    pub p50_ms: f64,
    /// 99th percentile, milliseconds.
    pub p99_ms: f64,
}

/// Simulates `requests` requests from data centre 0: each replica answers after a delay drawn
/// from `local` (own data centre) or `wide_area` (the others), and the request waits for the
/// answers its level needs.
///
/// # Errors
///
/// [`QuorumError::Parameter`] for a bad layout, zero requests or a bad latency.
///
/// # Examples
///
/// ```
/// use lessons::quorum::multi_dc_latency_experiment;
/// use lessons::sim::{Latency, ms};
///
/// let rows = multi_dc_latency_experiment(&[3, 3], Latency::constant(ms(1)), Latency::constant(ms(40)), 10, 1)?;
/// let local = rows.iter().find(|row| row.level == "LOCAL_QUORUM").unwrap();
/// assert_eq!(local.p99_ms, 1.0);
/// # Ok::<(), lessons::quorum::QuorumError>(())
/// ```
pub fn multi_dc_latency_experiment(
    replicas: &[usize],
    local: Latency,
    wide_area: Latency,
    requests: usize,
    seed: u64,
) -> Result<Vec<DcLatencyRow>, QuorumError> {
    check_layout(replicas)?;
    at_least("requests", requests, 1)?;
    local.validate()?;
    wide_area.validate()?;
    let mut rng = Rng::new(seed);
    let total: usize = replicas.iter().sum();
    let mut waits = vec![Vec::with_capacity(requests); ConsistencyLevel::ALL.len()];
    for _ in 0..requests {
        let per_dc: Vec<Vec<Time>> = replicas
            .iter()
            .enumerate()
            .map(|(d, &count)| {
                let latency = if d == 0 { &local } else { &wide_area };
                let mut times: Vec<Time> = (0..count).map(|_| latency.sample(&mut rng)).collect();
                times.sort();
                times
            })
            .collect();
        let mut everything: Vec<Time> = per_dc.iter().flatten().copied().collect();
        everything.sort();
        let majority_of = |times: &Vec<Time>| times[times.len() / 2];
        for (i, level) in ConsistencyLevel::ALL.into_iter().enumerate() {
            let wait = match level {
                ConsistencyLevel::One => everything[0],
                ConsistencyLevel::LocalQuorum => majority_of(&per_dc[0]),
                ConsistencyLevel::Quorum => everything[total / 2],
                ConsistencyLevel::EachQuorum => {
                    per_dc.iter().map(majority_of).max().unwrap_or(Time::ZERO)
                }
            };
            waits[i].push(wait.as_millis_f64());
        }
    }
    let mut rows = Vec::new();
    for (i, level) in ConsistencyLevel::ALL.into_iter().enumerate() {
        let marks = percentiles(&waits[i], &[50.0, 99.0])?;
        rows.push(DcLatencyRow {
            level: level.name().to_string(),
            p50_ms: marks[0],
            p99_ms: marks[1],
        });
    }
    Ok(rows)
}

/// What a wide-area partition of one length did to writes at one consistency level.
///
/// # Examples
///
/// ```
/// use lessons::quorum::wan_partition_experiment;
/// use lessons::sim::secs;
///
/// let rows = wan_partition_experiment(&[3, 3], &[secs(60)], 5.0, 1_000, 1)?;
/// let quorum = rows.iter().find(|row| row.level == "QUORUM").unwrap();
/// assert_eq!(quorum.accepted, 0); // neither side has 4 of the 6 replicas
/// # Ok::<(), lessons::quorum::QuorumError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartitionRow {
    /// The consistency level's name.
    pub level: String,
    /// How long the partition lasted, in minutes.
    pub partition_minutes: f64,
    /// Writes attempted in both data centres during the partition.
    pub attempted: usize,
    /// Writes that succeeded.
    pub accepted: usize,
    /// Keys written in both data centres during the partition: when it heals, last-writer-wins
    /// keeps one side's value and the other side's writes to that key are lost.
    pub conflicting_keys: usize,
    /// The expected number of such keys: `K · (1 - (1 - 1/K)^(rate · duration))²` when both
    /// sides accept writes, else 0.
    pub expected_conflicts: f64,
}

/// Two data centres cut apart for each duration in `durations`; each receives writes at
/// `writes_per_second` (a Poisson process) to keys drawn uniformly from `keys`, accepted if
/// the level succeeds on its side of the partition (every replica up). Rows for LOCAL_QUORUM
/// and QUORUM.
///
/// # Errors
///
/// [`QuorumError::Parameter`] for a layout without exactly two data centres, zero keys, a
/// non-positive rate or a negative duration.
///
/// # Examples
///
/// ```
/// use lessons::quorum::wan_partition_experiment;
/// use lessons::sim::secs;
///
/// let rows = wan_partition_experiment(&[2, 1], &[secs(600)], 5.0, 1_000, 1)?;
/// let local = rows.iter().find(|row| row.level == "LOCAL_QUORUM").unwrap();
/// assert_eq!(local.accepted, local.attempted);
/// assert!(local.conflicting_keys > 0);
/// # Ok::<(), lessons::quorum::QuorumError>(())
/// ```
pub fn wan_partition_experiment(
    replicas: &[usize],
    durations: &[Time],
    writes_per_second: f64,
    keys: usize,
    seed: u64,
) -> Result<Vec<PartitionRow>, QuorumError> {
    check_layout(replicas)?;
    if replicas.len() != 2 {
        return Err(QuorumError::parameter(
            "replicas",
            format!("{replicas:?}"),
            "this experiment has exactly two data centres",
        ));
    }
    at_least("keys", keys, 1)?;
    if !(writes_per_second > 0.0 && writes_per_second.is_finite()) {
        return Err(QuorumError::parameter(
            "writes_per_second",
            writes_per_second,
            "a write rate must be a positive number",
        ));
    }
    let mut rng = Rng::new(seed);
    let mut rows = Vec::new();
    for &duration in durations {
        if duration < Time::ZERO {
            return Err(QuorumError::parameter(
                "duration",
                duration,
                "a partition cannot last a negative time",
            ));
        }
        let seconds = duration.as_secs_f64();
        let mut written = vec![vec![false; keys]; 2];
        let mut attempts = [0usize; 2];
        for (dc, touched) in written.iter_mut().enumerate() {
            let mut at = rng.exponential() / writes_per_second;
            while at < seconds {
                touched[rng.below(keys as u64) as usize] = true;
                attempts[dc] += 1;
                at += rng.exponential() / writes_per_second;
            }
        }
        let untouched = (1.0 - 1.0 / keys as f64).powf(writes_per_second * seconds);
        for level in [ConsistencyLevel::LocalQuorum, ConsistencyLevel::Quorum] {
            let mut accepts = [false; 2];
            for (dc, accept) in accepts.iter_mut().enumerate() {
                *accept = level.succeeds(replicas, replicas, dc, false)?;
            }
            let accepted = (0..2)
                .filter(|&dc| accepts[dc])
                .map(|dc| attempts[dc])
                .sum();
            let conflicting_keys = if accepts == [true, true] {
                (0..keys)
                    .filter(|&k| written[0][k] && written[1][k])
                    .count()
            } else {
                0
            };
            rows.push(PartitionRow {
                level: level.name().to_string(),
                partition_minutes: seconds / 60.0,
                attempted: attempts[0] + attempts[1],
                accepted,
                conflicting_keys,
                expected_conflicts: if accepts == [true, true] {
                    keys as f64 * (1.0 - untouched).powi(2)
                } else {
                    0.0
                },
            });
        }
    }
    Ok(rows)
}
