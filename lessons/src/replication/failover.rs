//! A primary with followers, each write shipped down a log; the primary crashes and a follower is
//! promoted. Which acknowledged writes survive depends on how many followers the primary waited
//! for before it said "ok".

use serde::Serialize;

use crate::sim::{Latency, Rng, SimError, Time, percentile, secs};
use crate::viz::Figure;

/// The most followers a setup may have.
pub const MAX_FOLLOWERS: usize = 9;

/// A primary and its followers: how many, how many of them the primary waits for before it
/// acknowledges a write (0: asynchronous; 1: semi-synchronous; all: synchronous), how long a
/// write takes to reach a follower's log (`lag`, drawn per write and follower; the log arrives
/// in order), and the mean gap between writes (exponential).
///
/// A follower acknowledges once the write is in its log, as a PostgreSQL standby does by default
/// (after flushing the WAL); a promoted follower replays its whole log first, so everything it
/// acknowledged survives. Followers `0..sync_followers` are the synchronous ones.
///
/// # Examples
///
/// ```
/// use lessons::replication::LeaderSetup;
/// use lessons::sim::{Latency, ms};
///
/// let semi = LeaderSetup::new(3, 1, Latency::exponential(ms(20)), ms(10))?;
/// assert_eq!(semi.mode_name(), "semi-sync (1 of 3)");
/// assert!(LeaderSetup::new(3, 4, Latency::exponential(ms(20)), ms(10)).is_err());
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeaderSetup {
    /// How many followers (1 to [`MAX_FOLLOWERS`]).
    pub followers: usize,
    /// How many followers must have a write before it is acknowledged (0 to `followers`).
    pub sync_followers: usize,
    /// How long a write takes to reach a follower's log.
    pub lag: Latency,
    /// The mean time between writes (more than 0).
    pub write_interval: Time,
}

impl LeaderSetup {
    /// A checked setup.
    ///
    /// # Errors
    ///
    /// [`SimError::Parameter`] for 0 or more than [`MAX_FOLLOWERS`] followers, more sync
    /// followers than followers, an invalid lag or a write interval that is not positive.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::replication::LeaderSetup;
    /// use lessons::sim::{Latency, ms};
    ///
    /// let error = LeaderSetup::new(0, 0, Latency::constant(ms(5)), ms(10)).unwrap_err();
    /// assert_eq!(error.to_string(), "followers 0 is not allowed; from 1 to 9");
    /// ```
    pub fn new(
        followers: usize,
        sync_followers: usize,
        lag: Latency,
        write_interval: Time,
    ) -> Result<LeaderSetup, SimError> {
        if !(1..=MAX_FOLLOWERS).contains(&followers) {
            return Err(SimError::parameter(
                "followers",
                followers,
                format!("from 1 to {MAX_FOLLOWERS}"),
            ));
        }
        if sync_followers > followers {
            return Err(SimError::parameter(
                "sync_followers",
                sync_followers,
                format!("from 0 (asynchronous) to the number of followers, {followers}"),
            ));
        }
        lag.validate()?;
        if write_interval <= Time::ZERO {
            return Err(SimError::parameter(
                "write_interval",
                write_interval,
                "the mean time between writes must be positive",
            ));
        }
        Ok(LeaderSetup {
            followers,
            sync_followers,
            lag,
            write_interval,
        })
    }

    /// "async", "semi-sync (s of k)" or "sync (all k)".
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::replication::LeaderSetup;
    /// use lessons::sim::{Latency, ms};
    ///
    /// let sync = LeaderSetup::new(2, 2, Latency::constant(ms(5)), ms(10))?;
    /// assert_eq!(sync.mode_name(), "sync (all 2)");
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn mode_name(&self) -> String {
        match self.sync_followers {
            0 => "async".to_string(),
            s if s == self.followers => format!("sync (all {s})"),
            s => format!("semi-sync ({s} of {})", self.followers),
        }
    }
}

/// One write of a [`failover_trial`]: when it was written, when (if ever, before the crash) the
/// client got its acknowledgement, and whether the promoted follower has it.
///
/// # Examples
///
/// ```
/// use lessons::replication::{LeaderSetup, failover_trial};
/// use lessons::sim::{Latency, ms};
///
/// let setup = LeaderSetup::new(2, 0, Latency::constant(ms(30)), ms(10))?;
/// let trial = failover_trial(&setup, ms(500), 1)?;
/// let last = trial.writes.last().unwrap();
/// assert!(last.acknowledged_at.is_some() && !last.on_promoted); // acknowledged, then lost
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WriteRecord {
    /// Its position in the log, from 0.
    pub log_position: usize,
    /// When the primary wrote it.
    pub written_at: Time,
    /// When the client was told "ok", if that happened before the crash.
    pub acknowledged_at: Option<Time>,
    /// Whether the promoted follower had it in its log at the crash.
    pub on_promoted: bool,
}

/// What a failover did: every write, which follower was promoted, how many acknowledged writes
/// the new primary does not have.
///
/// # Examples
///
/// ```
/// use lessons::replication::{LeaderSetup, failover_trial};
/// use lessons::sim::{Latency, ms};
///
/// let setup = LeaderSetup::new(2, 1, Latency::constant(ms(30)), ms(10))?;
/// let trial = failover_trial(&setup, ms(500), 1)?;
/// assert_eq!((trial.promoted, trial.lost), (0, 0)); // the sync follower has every acknowledged write
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FailoverTrial {
    /// The writes, in log order.
    pub writes: Vec<WriteRecord>,
    /// The follower promoted: the most caught-up synchronous follower, or the most caught-up of
    /// all when none is synchronous.
    pub promoted: usize,
    /// How many writes were acknowledged before the crash.
    pub acknowledged: usize,
    /// How many of those the promoted follower does not have.
    pub lost: usize,
}

/// Runs writes from time 0 until the primary crashes at `crash_at`, then promotes a follower.
///
/// # Errors
///
/// [`SimError::Parameter`] when `crash_at` is negative.
///
/// # Examples
///
/// With 30 ms of lag and a write every 10 ms, the asynchronous primary has about three
/// acknowledged writes in flight when it dies.
///
/// ```
/// use lessons::replication::{LeaderSetup, failover_trial};
/// use lessons::sim::{Latency, ms};
///
/// let setup = LeaderSetup::new(2, 0, Latency::constant(ms(30)), ms(10))?;
/// let trial = failover_trial(&setup, ms(1_000), 3)?;
/// assert!((1..=8).contains(&trial.lost));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn failover_trial(
    setup: &LeaderSetup,
    crash_at: Time,
    seed: u64,
) -> Result<FailoverTrial, SimError> {
    if crash_at < Time::ZERO {
        return Err(SimError::parameter(
            "crash_at",
            crash_at,
            "the crash comes at or after time 0",
        ));
    }
    let mut rng = Rng::derive(seed, &[8, 1]);
    let mut log_end = vec![Time::ZERO; setup.followers];
    let mut arrivals: Vec<Vec<Time>> = Vec::new();
    let mut written = Vec::new();
    let mut now = Time::ZERO;
    loop {
        now += Time::from_nanos_f64(setup.write_interval.as_nanos() as f64 * rng.exponential());
        if now >= crash_at {
            break;
        }
        // A follower's log arrives in order: a write cannot overtake the one before it.
        for end in log_end.iter_mut() {
            *end = (*end).max(now + setup.lag.sample(&mut rng));
        }
        arrivals.push(log_end.clone());
        written.push(now);
    }
    let has_by_crash =
        |follower: usize| arrivals.iter().filter(|a| a[follower] <= crash_at).count();
    let candidates = if setup.sync_followers == 0 {
        0..setup.followers
    } else {
        0..setup.sync_followers
    };
    let promoted = candidates
        .max_by_key(|&f| (has_by_crash(f), std::cmp::Reverse(f)))
        .unwrap_or(0);
    let mut writes = Vec::new();
    for (log_position, (&written_at, arrived)) in written.iter().zip(&arrivals).enumerate() {
        let acknowledged = arrived[..setup.sync_followers]
            .iter()
            .fold(written_at, |latest, &at| latest.max(at));
        writes.push(WriteRecord {
            log_position,
            written_at,
            acknowledged_at: Some(acknowledged).filter(|&at| at <= crash_at),
            on_promoted: arrived[promoted] <= crash_at,
        });
    }
    let acknowledged = writes.iter().filter(|w| w.acknowledged_at.is_some());
    Ok(FailoverTrial {
        promoted,
        acknowledged: acknowledged.clone().count(),
        lost: acknowledged.filter(|w| !w.on_promoted).count(),
        writes,
    })
}

/// One point of the failover experiment: a mode and a mean lag, over many crashes.
///
/// # Examples
///
/// ```
/// use lessons::replication::failover_experiment;
/// use lessons::sim::ms;
///
/// let rows = failover_experiment(2, &[0, 2], &[ms(20)], ms(10), 50, 1)?;
/// assert_eq!(rows[1].lost, 0);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FailoverRow {
    /// [`LeaderSetup::mode_name`].
    pub mode: String,
    /// How many followers the primary waits for.
    pub sync_followers: usize,
    /// The mean lag, in milliseconds.
    pub mean_lag_ms: f64,
    /// How many crashes were simulated.
    pub failovers: usize,
    /// Writes acknowledged before the crashes, in total.
    pub acknowledged: usize,
    /// Acknowledged writes the new primary did not have, in total.
    pub lost: usize,
    /// `lost / failovers`.
    pub lost_per_failover: f64,
    /// Median time from write to acknowledgement, in milliseconds.
    pub write_p50_ms: f64,
    /// 99th percentile of the same.
    pub write_p99_ms: f64,
}

/// For each number of synchronous followers in `sync_counts` and each mean lag in `mean_lags`
/// (exponentially distributed), crashes the primary `failovers` times at a random moment
/// between 1 s and 2 s and counts the acknowledged writes the promoted follower lacks.
///
/// # Errors
///
/// As [`LeaderSetup::new`], and [`SimError::Parameter`] for zero failovers.
///
/// # Examples
///
/// ```
/// use lessons::replication::failover_experiment;
/// use lessons::sim::ms;
///
/// let rows = failover_experiment(3, &[0, 1, 3], &[ms(20)], ms(10), 100, 1)?;
/// assert!(rows[0].lost > 0 && rows[1].lost == 0 && rows[2].lost == 0);
/// assert!(rows[0].write_p50_ms < rows[1].write_p50_ms);
/// assert!(rows[1].write_p50_ms < rows[2].write_p50_ms);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn failover_experiment(
    followers: usize,
    sync_counts: &[usize],
    mean_lags: &[Time],
    write_interval: Time,
    failovers: usize,
    seed: u64,
) -> Result<Vec<FailoverRow>, SimError> {
    if failovers == 0 {
        return Err(SimError::parameter("failovers", 0, "at least 1"));
    }
    let mut rows = Vec::new();
    for &sync_followers in sync_counts {
        for &mean_lag in mean_lags {
            let lag = Latency::exponential(mean_lag);
            let setup = LeaderSetup::new(followers, sync_followers, lag, write_interval)?;
            let mut crash_rng = Rng::derive(seed, &[8, 2]);
            let (mut acknowledged, mut lost, mut latencies) = (0, 0, Vec::new());
            for _ in 0..failovers {
                let crash_at = crash_rng.between(secs(1), secs(2));
                let run = failover_trial(&setup, crash_at, crash_rng.next_u64())?;
                acknowledged += run.acknowledged;
                lost += run.lost;
                latencies.extend(run.writes.iter().filter_map(|w| {
                    w.acknowledged_at
                        .map(|at| (at - w.written_at).as_millis_f64())
                }));
            }
            let (write_p50_ms, write_p99_ms) = if latencies.is_empty() {
                (0.0, 0.0)
            } else {
                (percentile(&latencies, 50.0)?, percentile(&latencies, 99.0)?)
            };
            rows.push(FailoverRow {
                mode: setup.mode_name(),
                sync_followers,
                mean_lag_ms: mean_lag.as_millis_f64(),
                failovers,
                acknowledged,
                lost,
                lost_per_failover: lost as f64 / failovers as f64,
                write_p50_ms,
                write_p99_ms,
            });
        }
    }
    Ok(rows)
}

/// Lost acknowledged writes per failover against the mean lag, one line per mode.
///
/// # Examples
///
/// ```
/// use lessons::replication::{failover_experiment, failover_loss_figure};
/// use lessons::sim::ms;
///
/// let rows = failover_experiment(2, &[0, 1], &[ms(5), ms(20)], ms(10), 20, 1)?;
/// assert!(failover_loss_figure(&rows).to_svg()?.contains("async"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn failover_loss_figure(rows: &[FailoverRow]) -> Figure {
    let mut figure = Figure::new("Acknowledged writes lost at failover")
        .x_label("mean replication lag (ms)")
        .y_label("acknowledged writes lost per failover");
    for mode in super::first_seen(rows.iter().map(|row| row.mode.as_str())) {
        let points: Vec<(f64, f64)> = rows
            .iter()
            .filter(|row| row.mode == mode)
            .map(|row| (row.mean_lag_ms, row.lost_per_failover))
            .collect();
        figure = figure.line(mode, points);
    }
    figure
}

/// Write latency (median and 99th percentile) against the number of synchronous followers, at
/// one mean lag.
///
/// # Examples
///
/// ```
/// use lessons::replication::{failover_experiment, write_latency_figure};
/// use lessons::sim::ms;
///
/// let rows = failover_experiment(2, &[0, 1, 2], &[ms(20)], ms(10), 20, 1)?;
/// assert!(write_latency_figure(&rows, 20.0).to_svg()?.contains("p99"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_latency_figure(rows: &[FailoverRow], mean_lag_ms: f64) -> Figure {
    let at_lag: Vec<&FailoverRow> = rows
        .iter()
        .filter(|row| row.mean_lag_ms == mean_lag_ms)
        .collect();
    let point = |row: &&FailoverRow, value: f64| (row.sync_followers as f64, value);
    Figure::new(format!(
        "Write latency vs synchronous followers (lag mean {mean_lag_ms} ms)"
    ))
    .x_label("followers the primary waits for")
    .y_label("write latency (ms)")
    .line("p50", at_lag.iter().map(|row| point(row, row.write_p50_ms)))
    .line("p99", at_lag.iter().map(|row| point(row, row.write_p99_ms)))
}
