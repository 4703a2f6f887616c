//! TTL arithmetic: one key, read periodically or at Poisson times, cached for a time-to-live.
//!
//! With expiry counted from the fill, a miss fills the entry at time `f` and every read before
//! `f + T` hits; the read at exactly `f + T` misses and fills again. Reads every `P` therefore
//! hit at `f + P, f + 2P, ...` while `kP < T`: `⌈T/P⌉ − 1` hits per miss, a miss rate of
//! `1 / ⌈T/P⌉` (which is `P/T` when `T/P` is a whole number). Poisson reads at rate `λ` see a
//! fresh entry for `T` after each fill, during which `λT` reads arrive on average: `1 / (1 + λT)`
//! by the renewal-reward theorem. Refreshing the expiry on every hit (sliding expiry) changes
//! the question to "is the gap since the last read shorter than `T`?": never for `P ≥ T`
//! periodic reads, always for `P < T`, and `e^(−λT)` of the gaps for Poisson reads.

use serde::Serialize;

use crate::sim::{Rng, SimError, Time};
use crate::viz::{Figure, groups};

/// When a cached entry expires.
///
/// # Examples
///
/// ```
/// use lessons::caching::Expiry;
///
/// assert_eq!(Expiry::FromFill.to_string(), "from fill");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Expiry {
    /// `T` after the miss that filled it, however often it is read (Redis `SET ... EX`).
    FromFill,
    /// `T` after the last read, hit or miss (a sliding expiry).
    RefreshOnHit,
}

impl std::fmt::Display for Expiry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Expiry::FromFill => "from fill",
            Expiry::RefreshOnHit => "refresh on hit",
        })
    }
}

/// One cached key with a time-to-live: each [`read`](TtlEntry::read) hits or misses, and a miss
/// fills the entry.
///
/// # Examples
///
/// ```
/// use lessons::caching::{Expiry, TtlEntry};
/// use lessons::sim::secs;
///
/// let mut entry = TtlEntry::new(secs(30), Expiry::FromFill)?;
/// let hits: Vec<bool> = [0, 60, 120].map(|t| entry.read(secs(t))).to_vec();
/// assert_eq!(hits, [false, false, false]); // claim C11: read every 60 s, TTL 30 s
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TtlEntry {
    ttl: Time,
    expiry: Expiry,
    expires_at: Option<Time>,
}

impl TtlEntry {
    /// An empty entry that will keep a value for `ttl`.
    ///
    /// # Errors
    ///
    /// [`SimError::Parameter`] for a TTL that is not positive.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::caching::{Expiry, TtlEntry};
    /// use lessons::sim::secs;
    ///
    /// assert!(TtlEntry::new(secs(0), Expiry::FromFill).is_err());
    /// ```
    pub fn new(ttl: Time, expiry: Expiry) -> Result<TtlEntry, SimError> {
        if ttl <= Time::ZERO {
            return Err(SimError::parameter(
                "TTL",
                ttl,
                "a time-to-live must be positive",
            ));
        }
        Ok(TtlEntry {
            ttl,
            expiry,
            expires_at: None,
        })
    }

    /// A read at `now`: true on a hit. The entry is fresh while `now < expiry time`; a miss
    /// fills it until `now + ttl`, and under [`Expiry::RefreshOnHit`] so does a hit.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::caching::{Expiry, TtlEntry};
    /// use lessons::sim::secs;
    ///
    /// let mut entry = TtlEntry::new(secs(10), Expiry::FromFill)?;
    /// assert!(!entry.read(secs(0)));
    /// assert!(entry.read(secs(9)));
    /// assert!(!entry.read(secs(10))); // exactly at fill + TTL: expired
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn read(&mut self, now: Time) -> bool {
        let hit = self.expires_at.is_some_and(|at| now < at);
        if !hit || self.expiry == Expiry::RefreshOnHit {
            self.expires_at = Some(now + self.ttl);
        }
        hit
    }
}

/// How the reads of a TTL experiment arrive.
///
/// # Examples
///
/// ```
/// assert_eq!(lessons::caching::Access::Poisson.to_string(), "Poisson");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Access {
    /// One read every period, starting at time 0.
    Periodic,
    /// Reads at the times of a Poisson stream whose mean gap is the period.
    Poisson,
}

impl std::fmt::Display for Access {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Access::Periodic => "periodic",
            Access::Poisson => "Poisson",
        })
    }
}

/// The long-run miss rate the formulas predict (the cold first miss aside).
///
/// Periodic, from fill: `1 / ⌈T/P⌉`. Poisson, from fill: `1 / (1 + T/P)`. Periodic, refresh on
/// hit: 1 if `T ≤ P`, else 0. Poisson, refresh on hit: `e^(−T/P)`.
///
/// # Examples
///
/// ```
/// use lessons::caching::{Access, Expiry, predicted_miss_rate};
/// use lessons::sim::secs;
///
/// let periodic = |ttl| predicted_miss_rate(Access::Periodic, Expiry::FromFill, secs(60), secs(ttl));
/// assert_eq!(periodic(30), 1.0); // claim C11's case: every read misses
/// assert_eq!(periodic(90), 0.5);
/// assert_eq!(periodic(120), 0.5); // T/P = 2: the read at fill + 120 s misses
/// assert_eq!(predicted_miss_rate(Access::Poisson, Expiry::FromFill, secs(60), secs(60)), 0.5);
/// ```
pub fn predicted_miss_rate(access: Access, expiry: Expiry, period: Time, ttl: Time) -> f64 {
    let ratio = ttl.as_nanos() as f64 / period.as_nanos() as f64;
    match (access, expiry) {
        (Access::Periodic, Expiry::FromFill) => {
            let whole = ttl.as_nanos().div_euclid(period.as_nanos());
            let reads_per_fill = whole + i64::from(ttl.as_nanos() % period.as_nanos() != 0);
            1.0 / reads_per_fill as f64
        }
        (Access::Poisson, Expiry::FromFill) => 1.0 / (1.0 + ratio),
        (Access::Periodic, Expiry::RefreshOnHit) => f64::from(u8::from(ttl <= period)),
        (Access::Poisson, Expiry::RefreshOnHit) => (-ratio).exp(),
    }
}

/// One TTL run: how many of the reads missed, against the prediction.
///
/// # Examples
///
/// ```
/// use lessons::caching::{Access, Expiry, ttl_run};
/// use lessons::sim::secs;
///
/// let row = ttl_run(Access::Periodic, Expiry::FromFill, secs(60), secs(90), 1_000, 1)?;
/// assert_eq!((row.misses, row.miss_rate, row.predicted), (500, 0.5, 0.5));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TtlRow {
    /// How reads arrive: `periodic` or `Poisson`.
    pub access: String,
    /// When entries expire: `from fill` or `refresh on hit`.
    pub expiry: String,
    /// TTL divided by the (mean) period between reads, to 4 decimals.
    pub ttl_over_period: f64,
    /// How many reads were made.
    pub reads: usize,
    /// How many of them missed, the cold first read included.
    pub misses: usize,
    /// misses / reads, to 4 decimals.
    pub miss_rate: f64,
    /// The long-run miss rate of [`predicted_miss_rate`], to 4 decimals.
    pub predicted: f64,
}

/// Makes `reads` reads of one key, every `period` or at Poisson times with mean gap `period`
/// (drawn with `seed`), through a [`TtlEntry`] with this TTL and expiry.
///
/// # Errors
///
/// [`SimError::Parameter`] for a period or TTL that is not positive, or more than
/// [`MAX_REQUESTS`](super::MAX_REQUESTS) reads.
///
/// # Examples
///
/// ```
/// use lessons::caching::{Access, Expiry, ttl_run};
/// use lessons::sim::secs;
///
/// let row = ttl_run(Access::Poisson, Expiry::FromFill, secs(1), secs(3), 100_000, 1)?;
/// assert!((row.miss_rate - 0.25).abs() < 0.01); // 1 / (1 + 3)
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn ttl_run(
    access: Access,
    expiry: Expiry,
    period: Time,
    ttl: Time,
    reads: usize,
    seed: u64,
) -> Result<TtlRow, SimError> {
    if period <= Time::ZERO {
        return Err(SimError::parameter(
            "period",
            period,
            "the time between reads must be positive",
        ));
    }
    if reads > super::MAX_REQUESTS {
        return Err(SimError::parameter(
            "reads",
            reads,
            format!("at most {} reads", super::MAX_REQUESTS),
        ));
    }
    let mut entry = TtlEntry::new(ttl, expiry)?;
    let mut rng = Rng::new(seed);
    let mut now = Time::ZERO;
    let mut misses = 0;
    for _ in 0..reads {
        if !entry.read(now) {
            misses += 1;
        }
        now += match access {
            Access::Periodic => period,
            Access::Poisson => Time::from_nanos_f64(rng.exponential() * period.as_nanos() as f64),
        };
    }
    Ok(TtlRow {
        access: access.to_string(),
        expiry: expiry.to_string(),
        ttl_over_period: round_to(ttl.as_nanos() as f64 / period.as_nanos() as f64, 4),
        reads,
        misses,
        miss_rate: if reads == 0 {
            0.0
        } else {
            round_to(misses as f64 / reads as f64, 4)
        },
        predicted: round_to(predicted_miss_rate(access, expiry, period, ttl), 4),
    })
}

/// [`ttl_run`] for every access pattern and expiry at each TTL of `ttls`.
///
/// # Errors
///
/// As [`ttl_run`].
///
/// # Examples
///
/// ```
/// use lessons::caching::ttl_sweep;
/// use lessons::sim::secs;
///
/// let rows = ttl_sweep(secs(60), &[secs(30), secs(90)], 100, 1)?;
/// assert_eq!(rows.len(), 8);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn ttl_sweep(
    period: Time,
    ttls: &[Time],
    reads: usize,
    seed: u64,
) -> Result<Vec<TtlRow>, SimError> {
    let mut rows = Vec::new();
    for access in [Access::Periodic, Access::Poisson] {
        for expiry in [Expiry::FromFill, Expiry::RefreshOnHit] {
            for &ttl in ttls {
                rows.push(ttl_run(access, expiry, period, ttl, reads, seed)?);
            }
        }
    }
    Ok(rows)
}

/// Miss rate against T/P for the rows of [`ttl_sweep`] with this expiry: the measured rates as
/// points, the formulas as lines (steps for periodic reads).
///
/// # Examples
///
/// ```
/// use lessons::caching::{Expiry, ttl_figure, ttl_sweep};
/// use lessons::sim::secs;
///
/// let rows = ttl_sweep(secs(60), &[secs(30), secs(90)], 100, 1)?;
/// assert!(ttl_figure(&rows, Expiry::FromFill).to_svg()?.contains("Poisson, 1/(1 + λT)"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn ttl_figure(rows: &[TtlRow], expiry: Expiry) -> Figure {
    let expiry = expiry.to_string();
    let mine: Vec<&TtlRow> = rows.iter().filter(|row| row.expiry == expiry).collect();
    let mut figure = Figure::new(format!(
        "Miss rate of one key against TTL / period (expiry {expiry})"
    ))
    .x_label("TTL / period between reads (T/P, or λT)")
    .y_label("miss rate");
    for access in groups(&mine, |row| row.access.clone()) {
        let series: Vec<&&TtlRow> = mine.iter().filter(|row| row.access == access).collect();
        let formula = match (access.as_str(), expiry.as_str()) {
            ("periodic", "from fill") => "periodic, 1/⌈T/P⌉",
            ("periodic", _) => "periodic, 1 if T ≤ P",
            (_, "from fill") => "Poisson, 1/(1 + λT)",
            _ => "Poisson, e^(−λT)",
        };
        figure = figure
            .points(
                format!("{access}, measured"),
                series
                    .iter()
                    .map(|row| (row.ttl_over_period, row.miss_rate)),
            )
            .line(
                formula,
                series
                    .iter()
                    .map(|row| (row.ttl_over_period, row.predicted)),
            );
    }
    figure
}

/// `value` rounded to `decimals` decimals, so that the tables of rows read cleanly.
pub(super) fn round_to(value: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (value * scale).round() / scale
}
