//! How often a healthy dependency trips a breaker: the binomial tail, computed and measured.

use serde::Serialize;

use super::breaker::MAX_WINDOW;
use super::checks::{probability, within};
use crate::sim::{Rng, SimError};
use crate::viz::Figure;

/// The probability that a window of `window` independent calls, each failing with probability
/// `baseline`, holds at least `failures_to_open` failures: `P(X >= k)` for `X ~ Binomial(n,
/// p)`. For a breaker that judges disjoint windows this is the chance that one window of a
/// healthy dependency opens it: a false trip.
///
/// The tail is summed upwards from `k` with each term built from the one before, so tiny
/// probabilities keep their digits instead of vanishing in `1 - (most of it)`.
///
/// # Errors
///
/// [`SimError::Parameter`] unless `window` is 1 to 100,000 and `failures_to_open` is 0 to
/// `window`; [`SimError::Probability`] for a baseline outside [0, 1].
///
/// # Examples
///
/// ```
/// use lessons::resilience::false_trip_probability;
///
/// let twenty = false_trip_probability(20, 2, 0.02)?;
/// assert_eq!(format!("{twenty:.4}"), "0.0599"); // about 6% of windows
/// let hundred = false_trip_probability(100, 10, 0.02)?;
/// assert_eq!(format!("{hundred:.2e}"), "3.44e-5");
/// assert_eq!(false_trip_probability(20, 0, 0.02)?, 1.0);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn false_trip_probability(
    window: usize,
    failures_to_open: usize,
    baseline: f64,
) -> Result<f64, SimError> {
    within("window", window, 1, MAX_WINDOW)?;
    within("failures to open", failures_to_open, 0, window)?;
    let p = probability("baseline error rate", baseline)?;
    if failures_to_open == 0 || p == 1.0 {
        return Ok(1.0);
    }
    if p == 0.0 {
        return Ok(0.0);
    }
    let (n, k) = (window as f64, failures_to_open);
    // P(X = k) = C(n, k) p^k (1-p)^(n-k), built as a product to stay in range.
    let mut term = (0..k).fold(1.0, |acc, i| acc * (n - i as f64) / (i + 1) as f64 * p)
        * (1.0 - p).powi((window - k) as i32);
    let mut tail = 0.0;
    for j in k..=window {
        tail += term;
        term *= (n - j as f64) / (j + 1) as f64 * p / (1.0 - p);
    }
    Ok(tail.min(1.0))
}

/// One threshold of [`false_trip_experiment`].
///
/// # Examples
///
/// ```
/// use lessons::resilience::false_trip_experiment;
///
/// let rows = false_trip_experiment(20, &[2], 0.02, 10_000, 1)?;
/// assert!((rows[0].measured - rows[0].exact).abs() < 0.01);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FalseTripRow {
    /// Calls per window.
    pub window: usize,
    /// Failures in a window that open the breaker.
    pub failures_to_open: usize,
    /// The healthy dependency's error rate.
    pub baseline: f64,
    /// The binomial tail, [`false_trip_probability`].
    pub exact: f64,
    /// The share of simulated windows that reached the threshold.
    pub measured: f64,
}

/// For each threshold: `windows` disjoint windows of `window` calls to a healthy dependency
/// that fails each call with probability `baseline`, and the share that would open a breaker
/// with that threshold, next to the exact tail.
///
/// # Errors
///
/// The errors of [`false_trip_probability`], and [`SimError::Parameter`] for zero windows.
///
/// # Examples
///
/// ```
/// use lessons::resilience::false_trip_experiment;
///
/// let rows = false_trip_experiment(10, &[1, 10], 0.5, 2_000, 3)?;
/// assert!(rows[0].measured > 0.99 && rows[1].measured < 0.01);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn false_trip_experiment(
    window: usize,
    thresholds: &[usize],
    baseline: f64,
    windows: usize,
    seed: u64,
) -> Result<Vec<FalseTripRow>, SimError> {
    within("windows", windows, 1, 10_000_000)?;
    let mut rng = Rng::new(seed);
    let failures_per_window: Vec<usize> = (0..windows)
        .map(|_| (0..window).filter(|_| rng.chance(baseline)).count())
        .collect();
    thresholds
        .iter()
        .map(|&failures_to_open| {
            let exact = false_trip_probability(window, failures_to_open, baseline)?;
            let tripped = failures_per_window
                .iter()
                .filter(|&&failures| failures >= failures_to_open)
                .count();
            Ok(FalseTripRow {
                window,
                failures_to_open,
                baseline,
                exact,
                measured: tripped as f64 / windows as f64,
            })
        })
        .collect()
}

/// The exact false-trip probability against the threshold, given as a failure rate (failures
/// to open / window), one line per (window, baseline) pair, down to 1e-6; the y axis is
/// logarithmic.
///
/// # Errors
///
/// The errors of [`false_trip_probability`].
///
/// # Examples
///
/// ```
/// use lessons::resilience::false_trip_figure;
///
/// let svg = false_trip_figure(&[20, 100], &[0.02])?.to_svg()?;
/// assert!(svg.contains("100 calls, baseline 2%"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn false_trip_figure(windows: &[usize], baselines: &[f64]) -> Result<Figure, SimError> {
    let mut figure = Figure::new("False trips of a healthy dependency (binomial tail)")
        .x_label("threshold: failures to open / window")
        .y_label("P(a window trips the breaker)")
        .log_y();
    for &window in windows {
        for &baseline in baselines {
            let mut points = Vec::new();
            for k in 1..=window / 2 {
                let chance = false_trip_probability(window, k, baseline)?;
                if chance >= 1e-6 {
                    points.push((k as f64 / window as f64, chance));
                }
            }
            let name = format!("{window} calls, baseline {}%", baseline * 100.0);
            figure = figure.line(name, points);
        }
    }
    Ok(figure)
}
