//! Physical clocks as the nodes see them: how far each is from the truth, how often two
//! readings on different nodes come in the wrong order, and a reading that never goes back.

use serde::Serialize;

use crate::sim::{PhysicalClock, Rng, SimError, Time, ms};

/// A wrapper that never lets a clock's readings go backwards: each reading is at least the
/// previous one, as a monotonic clock (`CLOCK_MONOTONIC`, `Instant`) promises on one machine.
///
/// It keeps intervals measured on one node from coming out negative after a backward NTP step.
/// It does nothing for ordering across nodes: a monotonic clock that is 50 ms behind stays
/// 50 ms behind.
///
/// # Examples
///
/// ```
/// use lessons::clocks::MonotonicClock;
/// use lessons::sim::{PhysicalClock, ms};
///
/// let clock = PhysicalClock::new().step_at(ms(50), ms(-30));
/// let mut monotonic = MonotonicClock::new();
/// assert_eq!(monotonic.read(clock.reading(ms(49))), ms(49));
/// assert_eq!(clock.reading(ms(50)), ms(20)); // the raw clock went back
/// assert_eq!(monotonic.read(clock.reading(ms(50))), ms(49)); // this one waits
/// assert_eq!(monotonic.read(clock.reading(ms(90))), ms(60));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonotonicClock {
    latest: Time,
}

impl Default for MonotonicClock {
    fn default() -> MonotonicClock {
        MonotonicClock::new()
    }
}

impl MonotonicClock {
    /// A wrapper that has not read anything yet.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::MonotonicClock;
    /// use lessons::sim::ms;
    ///
    /// assert_eq!(MonotonicClock::new().read(ms(-5)), ms(-5));
    /// ```
    pub fn new() -> MonotonicClock {
        MonotonicClock { latest: Time::MIN }
    }

    /// The larger of `raw` and the previous reading.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::MonotonicClock;
    /// use lessons::sim::ms;
    ///
    /// let mut clock = MonotonicClock::new();
    /// clock.read(ms(10));
    /// assert_eq!(clock.read(ms(7)), ms(10));
    /// ```
    pub fn read(&mut self, raw: Time) -> Time {
        self.latest = self.latest.max(raw);
        self.latest
    }
}

/// One point of a clock-error plot: what node `node`'s clock read minus the truth.
///
/// # Examples
///
/// ```
/// use lessons::clocks::clock_errors;
/// use lessons::sim::{PhysicalClock, ms};
///
/// let rows = clock_errors(&[PhysicalClock::new().offset(ms(3))], ms(10), ms(5))?;
/// assert_eq!(rows[2].error_ms, 3.0);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClockErrorRow {
    /// The clock's position in the list given.
    pub node: usize,
    /// The true time, in milliseconds.
    pub true_ms: f64,
    /// The clock's reading minus the true time, in milliseconds.
    pub error_ms: f64,
}

/// Each clock's error (reading minus true time) every `every` from 0 to `until`.
///
/// # Errors
///
/// A [`SimError`] if a clock is invalid, `every` is not positive, `until` is negative, or the
/// rows would number more than a million.
///
/// # Examples
///
/// ```
/// use lessons::clocks::clock_errors;
/// use lessons::sim::{PhysicalClock, secs};
///
/// // 500 ppm fast, stepped back by NTP at 2 s.
/// let clock = PhysicalClock::new().drift_ppm(500).step_at(secs(2), lessons::sim::ms(-1));
/// let rows = clock_errors(&[clock], secs(3), secs(1))?;
/// let errors: Vec<f64> = rows.iter().map(|row| row.error_ms).collect();
/// assert_eq!(errors, [0.0, 0.5, 0.0, 0.5]);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn clock_errors(
    clocks: &[PhysicalClock],
    until: Time,
    every: Time,
) -> Result<Vec<ClockErrorRow>, SimError> {
    if every <= Time::ZERO || until < Time::ZERO {
        return Err(SimError::parameter(
            "sampling",
            format!("every {every} until {until}"),
            "a positive interval and an end at 0 or later",
        ));
    }
    let samples = until.as_nanos() / every.as_nanos() + 1;
    if samples.saturating_mul(clocks.len() as i64) > 1_000_000 {
        return Err(SimError::parameter(
            "sampling",
            format!("{samples} samples of {} clocks", clocks.len()),
            "at most 1000000 rows in all",
        ));
    }
    let mut rows = Vec::new();
    for (node, clock) in clocks.iter().enumerate() {
        clock.validate()?;
        for sample in 0..samples {
            let truth = every * sample;
            rows.push(ClockErrorRow {
                node,
                true_ms: truth.as_millis_f64(),
                error_ms: (clock.reading(truth) - truth).as_millis_f64(),
            });
        }
    }
    Ok(rows)
}

/// How often two events on different nodes, `gap` apart in true time, get their physical
/// timestamps in the wrong order, when each node's clock is off by an amount drawn uniformly
/// from `[-skew/2, skew/2]`.
///
/// # Examples
///
/// ```
/// use lessons::clocks::{MisorderParameters, misordered_pairs};
/// use lessons::sim::ms;
///
/// let row = misordered_pairs(&MisorderParameters { skew: ms(10), gap: ms(1), ..Default::default() }, 1)?;
/// assert!(row.fraction > 0.3); // events 1 ms apart, clocks 10 ms apart: often backwards
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MisorderParameters {
    /// The spread of the clock offsets: each is uniform in `[-skew/2, skew/2]`; at least 0.
    pub skew: Time,
    /// How far apart in true time the two events of a pair are; at least 0.
    pub gap: Time,
    /// How many pairs to draw, from 1 to a million.
    pub pairs: usize,
}

impl Default for MisorderParameters {
    /// 10 ms of skew, events 1 ms apart, 100 000 pairs.
    fn default() -> MisorderParameters {
        MisorderParameters {
            skew: ms(10),
            gap: ms(1),
            pairs: 100_000,
        }
    }
}

/// The result of [`misordered_pairs`].
///
/// # Examples
///
/// ```
/// use lessons::clocks::{MisorderParameters, misordered_pairs};
///
/// let row = misordered_pairs(&MisorderParameters::default(), 1)?;
/// assert_eq!(row.pairs, 100_000);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MisorderRow {
    /// The skew, in milliseconds.
    pub skew_ms: f64,
    /// The gap between the two events, in milliseconds.
    pub gap_ms: f64,
    /// Pairs drawn.
    pub pairs: usize,
    /// Pairs whose later event got the smaller (or an equal) timestamp.
    pub misordered: usize,
    /// `misordered / pairs`.
    pub fraction: f64,
    /// What the fraction should be: `(skew − gap)² / (2 skew²)` while `gap < skew`, else 0.
    pub expected: f64,
}

/// Draws `pairs` pairs of clock offsets and counts the pairs whose timestamps come in the
/// wrong order: the first event at true time 0 on one node, the second at `gap` on another.
///
/// # Errors
///
/// A [`SimError`] if the skew or gap is negative or `pairs` is outside 1 to a million.
///
/// # Examples
///
/// ```
/// use lessons::clocks::{MisorderParameters, misordered_pairs};
/// use lessons::sim::ms;
///
/// let wide = misordered_pairs(&MisorderParameters { gap: ms(20), ..Default::default() }, 1)?;
/// assert_eq!(wide.misordered, 0); // the gap is larger than any difference of offsets
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn misordered_pairs(
    parameters: &MisorderParameters,
    seed: u64,
) -> Result<MisorderRow, SimError> {
    let MisorderParameters { skew, gap, pairs } = *parameters;
    if skew < Time::ZERO || gap < Time::ZERO {
        return Err(SimError::parameter(
            "skew and gap",
            format!("skew {skew}, gap {gap}"),
            "both 0 or more",
        ));
    }
    if !(1..=1_000_000).contains(&pairs) {
        return Err(SimError::parameter("pairs", pairs, "from 1 to 1000000"));
    }
    let mut rng = Rng::new(seed);
    let half = Time::from_nanos(skew.as_nanos() / 2);
    let misordered = (0..pairs)
        .filter(|_| {
            let first = rng.between(-half, half);
            let second = rng.between(-half, half);
            gap + second <= first
        })
        .count();
    let (skew_ns, gap_ns) = (skew.as_nanos() as f64, gap.as_nanos() as f64);
    let expected = if gap_ns < skew_ns {
        (skew_ns - gap_ns).powi(2) / (2.0 * skew_ns * skew_ns)
    } else {
        0.0
    };
    Ok(MisorderRow {
        skew_ms: skew.as_millis_f64(),
        gap_ms: gap.as_millis_f64(),
        pairs,
        misordered,
        fraction: misordered as f64 / pairs as f64,
        expected,
    })
}
