//! Replication lag and read-your-writes: a user writes on the primary, then reads from somewhere;
//! where the read goes decides whether they see their own write.

use serde::Serialize;

use crate::sim::{Latency, Rng, SimError, Time, secs};
use crate::viz::Figure;

/// Where a user's read goes after their write.
///
/// # Examples
///
/// ```
/// use lessons::replication::ReadPolicy;
/// use lessons::sim::secs;
///
/// assert_eq!(ReadPolicy::PrimaryFor(secs(5)).name(), "primary for 5s");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ReadPolicy {
    /// Any follower, whatever it has applied.
    AnyReplica,
    /// The primary for this long after the user's last write, then any follower.
    PrimaryFor(Time),
    /// The user carries the log position of their last write; a follower that has not applied
    /// it passes the read to the primary.
    LogPositionToken,
}

/// Where one read was served and whether it missed the user's own write.
///
/// # Examples
///
/// ```
/// use lessons::replication::{ReadPolicy, Served};
/// use lessons::sim::secs;
///
/// let served = ReadPolicy::AnyReplica.serve(secs(1), secs(3));
/// assert_eq!(served, Served { from_primary: false, missed_own_write: true });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Served {
    /// Whether the primary answered.
    pub from_primary: bool,
    /// Whether the answer is older than the user's last acknowledged write.
    pub missed_own_write: bool,
}

impl ReadPolicy {
    /// A short name for tables and legends.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::replication::ReadPolicy::LogPositionToken.name(), "log-position token");
    /// ```
    pub fn name(self) -> String {
        match self {
            ReadPolicy::AnyReplica => "any replica".to_string(),
            ReadPolicy::PrimaryFor(window) => format!("primary for {window}"),
            ReadPolicy::LogPositionToken => "log-position token".to_string(),
        }
    }

    /// Serves a read made `since_write` after the user's write, sent to a follower that applies
    /// that write `follower_lag` after it was written.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::replication::ReadPolicy;
    /// use lessons::sim::secs;
    ///
    /// // Lag 7 s, read after 6 s: the 5 s window has closed, the follower is behind.
    /// assert!(ReadPolicy::PrimaryFor(secs(5)).serve(secs(6), secs(7)).missed_own_write);
    /// // The token sends the same read to the primary.
    /// assert!(ReadPolicy::LogPositionToken.serve(secs(6), secs(7)).from_primary);
    /// ```
    pub fn serve(self, since_write: Time, follower_lag: Time) -> Served {
        let follower_has_it = follower_lag <= since_write;
        let from_primary = match self {
            ReadPolicy::AnyReplica => false,
            ReadPolicy::PrimaryFor(window) => since_write < window,
            ReadPolicy::LogPositionToken => !follower_has_it,
        };
        Served {
            from_primary,
            missed_own_write: !from_primary && !follower_has_it,
        }
    }
}

/// One point of [`read_your_writes_experiment`]: a policy and a think time.
///
/// # Examples
///
/// ```
/// use lessons::replication::{ReadPolicy, read_your_writes_experiment};
/// use lessons::sim::{Latency, secs};
///
/// let rows = read_your_writes_experiment(
///     &[ReadPolicy::LogPositionToken], &[secs(1)], Latency::exponential(secs(2)), 100, 1)?;
/// assert_eq!(rows[0].violations, 0);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReadYourWritesRow {
    /// [`ReadPolicy::name`].
    pub policy: String,
    /// Time between the write and the read, in seconds.
    pub think_s: f64,
    /// Reads simulated.
    pub reads: usize,
    /// Reads that missed the reader's own write.
    pub violations: usize,
    /// `violations / reads`.
    pub violation_rate: f64,
    /// Fraction of reads the primary served: the extra load the policy puts on it.
    pub primary_share: f64,
}

/// For each think time, `users` users write and then read after that time, the read going to a
/// follower whose lag for that write is drawn from `lag`; each policy serves the same reads.
///
/// # Errors
///
/// [`SimError::Parameter`] for zero users or a negative think time, and an invalid `lag`.
///
/// # Examples
///
/// ```
/// use lessons::replication::{ReadPolicy, read_your_writes_experiment};
/// use lessons::sim::{Latency, secs};
///
/// let rows = read_your_writes_experiment(
///     &[ReadPolicy::AnyReplica], &[secs(2)], Latency::constant(secs(5)), 10, 1)?;
/// assert_eq!(rows[0].violations, 10); // every follower is 5 s behind
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn read_your_writes_experiment(
    policies: &[ReadPolicy],
    thinks: &[Time],
    lag: Latency,
    users: usize,
    seed: u64,
) -> Result<Vec<ReadYourWritesRow>, SimError> {
    lag.validate()?;
    if users == 0 {
        return Err(SimError::parameter("users", 0, "at least 1"));
    }
    let mut rows = Vec::new();
    for &think in thinks {
        if think < Time::ZERO {
            return Err(SimError::parameter(
                "think",
                think,
                "a read comes at or after the write (think ≥ 0)",
            ));
        }
        let mut rng = Rng::derive(seed, &[8, 3]);
        let lags: Vec<Time> = (0..users).map(|_| lag.sample(&mut rng)).collect();
        for &policy in policies {
            let served: Vec<Served> = lags.iter().map(|&l| policy.serve(think, l)).collect();
            let violations = served.iter().filter(|s| s.missed_own_write).count();
            let primary = served.iter().filter(|s| s.from_primary).count();
            rows.push(ReadYourWritesRow {
                policy: policy.name(),
                think_s: think.as_secs_f64(),
                reads: users,
                violations,
                violation_rate: violations as f64 / users as f64,
                primary_share: primary as f64 / users as f64,
            });
        }
    }
    Ok(rows)
}

/// Violation rate (solid) and primary share against think time, one line each per policy.
///
/// # Examples
///
/// ```
/// use lessons::replication::{ReadPolicy, read_your_writes_experiment, read_your_writes_figure};
/// use lessons::sim::{Latency, secs};
///
/// let rows = read_your_writes_experiment(
///     &[ReadPolicy::AnyReplica], &[secs(1), secs(2)], Latency::exponential(secs(2)), 50, 1)?;
/// assert!(read_your_writes_figure(&rows).to_svg()?.contains("any replica"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_your_writes_figure(rows: &[ReadYourWritesRow]) -> Figure {
    let mut figure = Figure::new("Reading your own write after a think time")
        .x_label("time between the write and the read (s)")
        .y_label("fraction of reads");
    for policy in super::first_seen(rows.iter().map(|row| row.policy.as_str())) {
        let mine: Vec<&ReadYourWritesRow> = rows.iter().filter(|r| r.policy == policy).collect();
        figure = figure
            .line(
                format!("{policy}: missed own write"),
                mine.iter().map(|r| (r.think_s, r.violation_rate)),
            )
            .points(
                format!("{policy}: served by primary"),
                mine.iter().map(|r| (r.think_s, r.primary_share)),
            );
    }
    figure
}

/// A follower's true lag over time: `base` always, `base + extra` from `spike_start` for
/// `spike_length`.
///
/// # Examples
///
/// ```
/// use lessons::replication::LagSpike;
/// use lessons::sim::secs;
///
/// let lag = LagSpike { base: secs(1), spike_start: secs(60), spike_length: secs(40), extra: secs(9) };
/// assert_eq!(lag.at(secs(70)), secs(10));
/// assert_eq!(lag.at(secs(100)), secs(1));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LagSpike {
    /// The lag outside the spike.
    pub base: Time,
    /// When the spike begins.
    pub spike_start: Time,
    /// How long it lasts.
    pub spike_length: Time,
    /// How much it adds.
    pub extra: Time,
}

impl LagSpike {
    /// The lag of a write made at `time`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::replication::LagSpike;
    /// use lessons::sim::secs;
    ///
    /// let flat = LagSpike { base: secs(2), spike_start: secs(0), spike_length: secs(0), extra: secs(5) };
    /// assert_eq!(flat.at(secs(0)), secs(2));
    /// ```
    pub fn at(&self, time: Time) -> Time {
        let in_spike = self.spike_start <= time && time < self.spike_start + self.spike_length;
        if in_spike {
            self.base + self.extra
        } else {
            self.base
        }
    }
}

/// The lag a canary monitor reports against the true lag, sampled every second.
///
/// # Examples
///
/// ```
/// use lessons::replication::{LagSpike, canary_experiment};
/// use lessons::sim::secs;
///
/// let lag = LagSpike { base: secs(1), spike_start: secs(60), spike_length: secs(40), extra: secs(9) };
/// let rows = canary_experiment(lag, secs(30), secs(180))?;
/// assert!(rows.iter().all(|row| row.measured_s >= row.true_s));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CanaryRow {
    /// When, in seconds.
    pub time_s: f64,
    /// The true lag: how old the follower's newest data is compared with the primary's.
    pub true_s: f64,
    /// What the monitor reports: the age of the newest canary the follower shows.
    pub measured_s: f64,
}

/// The primary writes once a second, and every `period` one of those writes is a canary row; the
/// follower applies the log in order, each write `lag.at(written)` after it was written (or
/// later, behind the write before it). Each second the monitor reports how long ago the newest
/// canary visible on the follower was written; the true lag is how long ago the newest write it
/// has applied was made. The monitor never under-reports, but it over-reports by up to one
/// period and sees a spike late.
///
/// # Errors
///
/// [`SimError::Parameter`] when `period` is not a whole number of seconds of at least one, or
/// `horizon` is not between 1 s and one day.
///
/// # Examples
///
/// ```
/// use lessons::replication::{LagSpike, canary_experiment};
/// use lessons::sim::secs;
///
/// let lag = LagSpike { base: secs(1), spike_start: secs(0), spike_length: secs(0), extra: secs(0) };
/// let rows = canary_experiment(lag, secs(30), secs(120))?;
/// assert_eq!((rows[100].time_s, rows[100].true_s), (101.0, 1.0));
/// assert_eq!(rows[100].measured_s, 11.0); // the canary of t = 90 s, 11 s ago
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn canary_experiment(
    lag: LagSpike,
    period: Time,
    horizon: Time,
) -> Result<Vec<CanaryRow>, SimError> {
    let second = secs(1).as_nanos();
    if period < secs(1) || period.as_nanos() % second != 0 {
        return Err(SimError::parameter(
            "period",
            period,
            "a whole number of seconds, at least 1 s",
        ));
    }
    if !(secs(1)..=secs(86_400)).contains(&horizon) {
        return Err(SimError::parameter(
            "horizon",
            horizon,
            "from 1 s to one day (86400 s)",
        ));
    }
    let last = horizon.as_nanos() / second;
    let canary_every = period.as_nanos() / second;
    // applied[s]: when the write of second s becomes visible, behind every write before it.
    let mut applied = Vec::new();
    let mut latest = Time::MIN;
    for s in 0..=last {
        latest = latest.max(secs(s) + lag.at(secs(s)));
        applied.push(latest);
    }
    let mut rows = Vec::new();
    let (mut newest_write, mut newest_canary) = (None, None);
    for now in 1..=last {
        let mut next = newest_write.map_or(0, |s| s + 1);
        while next <= last && applied[next as usize] <= secs(now) {
            newest_write = Some(next);
            if next % canary_every == 0 {
                newest_canary = Some(next);
            }
            next += 1;
        }
        if let (Some(write), Some(canary)) = (newest_write, newest_canary) {
            rows.push(CanaryRow {
                time_s: now as f64,
                true_s: (now - write) as f64,
                measured_s: (now - canary) as f64,
            });
        }
    }
    Ok(rows)
}

/// The canary monitor's reading against the true lag, over time.
///
/// # Examples
///
/// ```
/// use lessons::replication::{LagSpike, canary_experiment, canary_figure};
/// use lessons::sim::secs;
///
/// let lag = LagSpike { base: secs(1), spike_start: secs(60), spike_length: secs(40), extra: secs(9) };
/// let rows = canary_experiment(lag, secs(30), secs(180))?;
/// assert!(canary_figure(&rows).to_svg()?.contains("canary"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn canary_figure(rows: &[CanaryRow]) -> Figure {
    Figure::new("Follower lag: the truth and what a canary monitor reports")
        .x_label("time (s)")
        .y_label("lag (s)")
        .step(
            "canary monitor",
            rows.iter().map(|r| (r.time_s, r.measured_s)),
        )
        .line("true lag", rows.iter().map(|r| (r.time_s, r.true_s)))
}
