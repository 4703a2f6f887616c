//! The lesson's experiments: each takes its parameters, returns plain rows.

use serde::Serialize;

use super::rate::{Limiter, Rate, RateLimitError, max_in_any_window, replay};
use super::{FixedWindow, LeakyBucket, SlidingWindowCounter, SlidingWindowLog, TokenBucket};
use crate::sim::Time;

/// The five single-node algorithms of the lesson, each set up to allow `limit` per `window`.
///
/// # Examples
///
/// ```
/// use lessons::rate_limit::{Algorithm, replay};
/// use lessons::sim::{ms, secs};
///
/// let mut limiter = Algorithm::FixedWindow.limiter(2, secs(1))?;
/// assert_eq!(replay(&mut limiter, &[ms(0), ms(1), ms(2)]).len(), 2);
/// assert_eq!(Algorithm::ALL.len(), 5);
/// # Ok::<(), lessons::rate_limit::RateLimitError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Algorithm {
    /// [`TokenBucket`] of capacity `limit` refilled at `limit` per `window`.
    TokenBucket,
    /// [`LeakyBucket`] holding `limit` requests, drained at `limit` per `window`; "admitted"
    /// means accepted into the queue.
    LeakyBucket,
    /// [`FixedWindow`].
    FixedWindow,
    /// [`SlidingWindowLog`].
    SlidingLog,
    /// [`SlidingWindowCounter`].
    SlidingCounter,
}

impl Algorithm {
    /// Every algorithm, in the lesson's order.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::rate_limit::Algorithm;
    ///
    /// assert_eq!(Algorithm::ALL[0], Algorithm::TokenBucket);
    /// ```
    pub const ALL: [Algorithm; 5] = [
        Algorithm::TokenBucket,
        Algorithm::LeakyBucket,
        Algorithm::FixedWindow,
        Algorithm::SlidingLog,
        Algorithm::SlidingCounter,
    ];

    /// A short name for legends and tables.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::rate_limit::Algorithm::SlidingLog.name(), "sliding log");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::TokenBucket => "token bucket",
            Algorithm::LeakyBucket => "leaky bucket",
            Algorithm::FixedWindow => "fixed window",
            Algorithm::SlidingLog => "sliding log",
            Algorithm::SlidingCounter => "sliding counter",
        }
    }

    /// A fresh limiter of this kind allowing `limit` requests per `window`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::rate_limit::Algorithm;
    /// use lessons::sim::{Time, secs};
    ///
    /// assert!(Algorithm::TokenBucket.limiter(10, secs(1)).is_ok());
    /// assert!(Algorithm::TokenBucket.limiter(10, Time::ZERO).is_err());
    /// ```
    pub fn limiter(self, limit: u64, window: Time) -> Result<Box<dyn Limiter>, RateLimitError> {
        Ok(match self {
            Algorithm::TokenBucket => Box::new(TokenBucket::new(limit, Rate::new(limit, window)?)?),
            Algorithm::LeakyBucket => {
                Box::new(LeakyBucket::new(limit as usize, Rate::new(limit, window)?)?)
            }
            Algorithm::FixedWindow => Box::new(FixedWindow::new(limit, window)?),
            Algorithm::SlidingLog => Box::new(SlidingWindowLog::new(limit, window)?),
            Algorithm::SlidingCounter => Box::new(SlidingWindowCounter::new(limit, window)?),
        })
    }
}

/// One algorithm's run over a trace: what it admitted.
///
/// # Examples
///
/// ```
/// use lessons::rate_limit::{Rate, compare_algorithms, traces};
/// use lessons::sim::secs;
///
/// let arrivals = traces::steady(Rate::per_second(20)?, secs(10));
/// let runs = compare_algorithms(10, secs(1), &arrivals)?;
/// let bucket = &runs[0];
/// assert_eq!(bucket.algorithm, "token bucket");
/// assert_eq!(bucket.offered, 200);
/// assert_eq!(bucket.cumulative().len(), bucket.admitted.len());
/// assert!(bucket.max_in_any_window <= 10 + 10); // B + R·t with t = 1 s
/// # Ok::<(), lessons::rate_limit::RateLimitError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LimiterRun {
    /// The algorithm's name.
    pub algorithm: &'static str,
    /// How many requests the trace offered.
    pub offered: usize,
    /// When the admitted requests arrived.
    pub admitted: Vec<Time>,
    /// The most admitted requests in any half-open interval of one window's length.
    pub max_in_any_window: usize,
}

impl LimiterRun {
    /// `(seconds, admitted so far)` after each admitted request, for a cumulative plot.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::rate_limit::LimiterRun;
    /// use lessons::sim::ms;
    ///
    /// let run = LimiterRun {
    ///     algorithm: "example",
    ///     offered: 3,
    ///     admitted: vec![ms(0), ms(500)],
    ///     max_in_any_window: 2,
    /// };
    /// assert_eq!(run.cumulative(), [(0.0, 1.0), (0.5, 2.0)]);
    /// ```
    pub fn cumulative(&self) -> Vec<(f64, f64)> {
        self.admitted
            .iter()
            .enumerate()
            .map(|(index, time)| (time.as_secs_f64(), (index + 1) as f64))
            .collect()
    }
}

/// Runs the same `arrivals` through every [`Algorithm`], each allowing `limit` per `window`.
///
/// # Examples
///
/// ```
/// use lessons::rate_limit::{compare_algorithms, traces};
/// use lessons::sim::{ms, secs};
///
/// let arrivals = traces::bursty(30, ms(10), secs(5), secs(20))?;
/// for run in compare_algorithms(10, secs(1), &arrivals)? {
///     assert!(run.admitted.len() <= run.offered);
/// }
/// # Ok::<(), lessons::rate_limit::RateLimitError>(())
/// ```
pub fn compare_algorithms(
    limit: u64,
    window: Time,
    arrivals: &[Time],
) -> Result<Vec<LimiterRun>, RateLimitError> {
    Algorithm::ALL
        .iter()
        .map(|&algorithm| {
            let admitted = replay(&mut algorithm.limiter(limit, window)?, arrivals);
            Ok(LimiterRun {
                algorithm: algorithm.name(),
                offered: arrivals.len(),
                max_in_any_window: max_in_any_window(&admitted, window),
                admitted,
            })
        })
        .collect()
}

/// One cell of the rejection grid.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RejectionRow {
    /// The bucket's capacity `B`.
    pub capacity: u64,
    /// The refill rate `R`, tokens per second.
    pub per_second: u64,
    /// Rejected requests over offered requests.
    pub rejected_fraction: f64,
}

/// The fraction of `arrivals` a token bucket rejects, for every capacity and rate (tokens per
/// second) given.
///
/// # Examples
///
/// ```
/// use lessons::rate_limit::{rejection_grid, traces};
/// use lessons::sim::{ms, secs};
///
/// let arrivals = traces::bursty(20, ms(5), secs(2), secs(20))?;
/// let grid = rejection_grid(&arrivals, &[5, 20], &[5, 10])?;
/// assert_eq!(grid.len(), 4);
/// assert_eq!(grid[3].rejected_fraction, 0.0); // B = 20, R = 10/s absorbs 20 every 2 s
/// # Ok::<(), lessons::rate_limit::RateLimitError>(())
/// ```
pub fn rejection_grid(
    arrivals: &[Time],
    capacities: &[u64],
    rates_per_second: &[u64],
) -> Result<Vec<RejectionRow>, RateLimitError> {
    let mut rows = Vec::new();
    for &capacity in capacities {
        for &per_second in rates_per_second {
            let mut bucket = TokenBucket::new(capacity, Rate::per_second(per_second)?)?;
            let admitted = replay(&mut bucket, arrivals).len();
            let rejected_fraction = if arrivals.is_empty() {
                0.0
            } else {
                (arrivals.len() - admitted) as f64 / arrivals.len() as f64
            };
            rows.push(RejectionRow {
                capacity,
                per_second,
                rejected_fraction,
            });
        }
    }
    Ok(rows)
}

/// One point of the boundary sweep.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BoundaryRow {
    /// The algorithm's name.
    pub algorithm: &'static str,
    /// Where the burst's middle sits relative to the window boundary, in seconds.
    pub offset_s: f64,
    /// The most admitted requests in any half-open interval of one window's length.
    pub max_in_any_window: usize,
}

/// The boundary trace: `2 * limit` requests spread evenly over `burst`, centred `offset` after
/// the boundary between the first and second window.
///
/// # Examples
///
/// ```
/// use lessons::rate_limit::boundary_trace;
/// use lessons::sim::{ms, secs};
///
/// let arrivals = boundary_trace(2, secs(60), secs(2), ms(0))?;
/// assert_eq!(arrivals, [secs(59), ms(59_500), secs(60), ms(60_500)]);
/// # Ok::<(), lessons::rate_limit::RateLimitError>(())
/// ```
pub fn boundary_trace(
    limit: u64,
    window: Time,
    burst: Time,
    offset: Time,
) -> Result<Vec<Time>, RateLimitError> {
    if burst <= Time::ZERO || burst >= window {
        return Err(RateLimitError::parameter(
            "burst length",
            burst,
            "the burst is longer than 0 ns and shorter than the window",
        ));
    }
    if limit == 0 || offset * 2 >= window || offset * -2 >= window {
        return Err(RateLimitError::parameter(
            "limit or offset",
            format!("{limit}, {offset}"),
            "the limit is at least 1 and the offset within half a window of the boundary",
        ));
    }
    let count = 2 * limit as i128;
    let start = window + offset - Time::from_nanos(burst.as_nanos() / 2);
    Ok((0..count)
        .map(|k| start + Time::from_nanos((k * burst.as_nanos() as i128 / count) as i64))
        .collect())
}

/// For each offset, replays [`boundary_trace`] through every algorithm and reports the most
/// admitted in any interval of one window's length.
///
/// # Examples
///
/// ```
/// use lessons::rate_limit::boundary_sweep;
/// use lessons::sim::{ms, secs};
///
/// let rows = boundary_sweep(100, secs(60), secs(2), &[ms(0)])?;
/// let fixed = rows.iter().find(|row| row.algorithm == "fixed window").unwrap();
/// assert_eq!(fixed.max_in_any_window, 200);
/// # Ok::<(), lessons::rate_limit::RateLimitError>(())
/// ```
pub fn boundary_sweep(
    limit: u64,
    window: Time,
    burst: Time,
    offsets: &[Time],
) -> Result<Vec<BoundaryRow>, RateLimitError> {
    let mut rows = Vec::new();
    for &offset in offsets {
        let arrivals = boundary_trace(limit, window, burst, offset)?;
        for run in compare_algorithms(limit, window, &arrivals)? {
            rows.push(BoundaryRow {
                algorithm: run.algorithm,
                offset_s: offset.as_secs_f64(),
                max_in_any_window: run.max_in_any_window,
            });
        }
    }
    Ok(rows)
}

/// The sliding counter against the exact log when the previous window's traffic was bunched.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CounterRow {
    /// Where in the first window its burst of `limit` requests sat, as a fraction of the window.
    pub position: f64,
    /// The counter's most admitted in any true window, divided by the limit.
    pub counter_worst_ratio: f64,
    /// The same for the exact log (never above 1).
    pub log_worst_ratio: f64,
    /// Requests the counter admitted in the first half of the second window.
    pub counter_early: usize,
    /// Requests the log admitted in the first half of the second window.
    pub log_early: usize,
}

/// The sliding-counter trial: `limit` requests at once at `position` (in `[0, 1)`) of the first
/// window, then heavy demand (ten times the limit per window, evenly spread) through the second
/// and third windows; the counter and the exact log decide the same trace.
///
/// # Examples
///
/// ```
/// use lessons::rate_limit::sliding_counter_trial;
/// use lessons::sim::secs;
///
/// let late = sliding_counter_trial(100, secs(60), 0.9)?;
/// assert!(late.counter_worst_ratio > 1.8);
/// assert_eq!(late.log_worst_ratio, 1.0);
/// let early = sliding_counter_trial(100, secs(60), 0.0)?;
/// assert!(early.counter_early < early.log_early);
/// # Ok::<(), lessons::rate_limit::RateLimitError>(())
/// ```
pub fn sliding_counter_trial(
    limit: u64,
    window: Time,
    position: f64,
) -> Result<CounterRow, RateLimitError> {
    if !(0.0..1.0).contains(&position) {
        return Err(RateLimitError::parameter(
            "position",
            position,
            "the burst sits at a fraction in [0, 1) of the first window",
        ));
    }
    let demand = Rate::new(10 * limit, window)?;
    let burst_at = Time::from_nanos_f64(position * window.as_nanos() as f64);
    let mut arrivals = vec![burst_at; limit as usize];
    arrivals.extend(
        super::traces::steady(demand, window * 2)
            .into_iter()
            .map(|time| time + window),
    );
    let early = |admitted: &[Time]| {
        let half = window + Time::from_nanos(window.as_nanos() / 2);
        admitted
            .iter()
            .filter(|&&time| time >= window && time < half)
            .count()
    };
    let counter = replay(&mut SlidingWindowCounter::new(limit, window)?, &arrivals);
    let log = replay(&mut SlidingWindowLog::new(limit, window)?, &arrivals);
    Ok(CounterRow {
        position,
        counter_worst_ratio: max_in_any_window(&counter, window) as f64 / limit as f64,
        log_worst_ratio: max_in_any_window(&log, window) as f64 / limit as f64,
        counter_early: early(&counter),
        log_early: early(&log),
    })
}

/// The token bucket as a *shaper*: no request is refused, each waits (in arrival order) until
/// the bucket has a token. Returns each request's departure time.
///
/// # Examples
///
/// ```
/// use lessons::rate_limit::{Rate, shape_with_token_bucket};
/// use lessons::sim::ms;
///
/// let departures = shape_with_token_bucket(&[ms(0), ms(0), ms(0)], 2, Rate::per_second(10)?)?;
/// assert_eq!(departures, [ms(0), ms(0), ms(100)]);
/// # Ok::<(), lessons::rate_limit::RateLimitError>(())
/// ```
pub fn shape_with_token_bucket(
    arrivals: &[Time],
    capacity: u64,
    rate: Rate,
) -> Result<Vec<Time>, RateLimitError> {
    let mut bucket = TokenBucket::new(capacity, rate)?;
    let mut previous = Time::MIN;
    let mut departures = Vec::with_capacity(arrivals.len());
    for &arrival in arrivals {
        let mut now = arrival.max(previous);
        while let super::Decision::Rejected { retry_after } = bucket.try_acquire(now) {
            now += retry_after;
        }
        departures.push(now);
        previous = now;
    }
    Ok(departures)
}

/// The leaky bucket as a shaper: each request's departure time, or `None` if the queue of
/// `queue` places was full when it arrived.
///
/// # Examples
///
/// ```
/// use lessons::rate_limit::{Rate, shape_with_leaky_bucket};
/// use lessons::sim::ms;
///
/// let departures = shape_with_leaky_bucket(&[ms(0), ms(0), ms(0)], 1, Rate::per_second(10)?)?;
/// assert_eq!(departures, [Some(ms(0)), Some(ms(100)), None]);
/// # Ok::<(), lessons::rate_limit::RateLimitError>(())
/// ```
pub fn shape_with_leaky_bucket(
    arrivals: &[Time],
    queue: usize,
    rate: Rate,
) -> Result<Vec<Option<Time>>, RateLimitError> {
    let mut bucket = LeakyBucket::new(queue, rate)?;
    Ok(arrivals
        .iter()
        .map(|&arrival| bucket.offer(arrival).departs_at())
        .collect())
}
