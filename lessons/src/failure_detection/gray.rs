//! Gray failures: a backend that passes its health checks while failing real requests.

use serde::Serialize;

use super::heartbeat::round_to;
use crate::sim::probability;
use crate::sim::{Latency, Rng, SimError, Time, ms, percentile};

/// How a load balancer decides to stop sending requests to a backend.
///
/// # Examples
///
/// ```
/// use lessons::failure_detection::Ejection;
///
/// assert_eq!(Ejection::HealthCheck.to_string(), "health check");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum Ejection {
    /// Never eject: the baseline.
    Never,
    /// Probe a health endpoint every 5 s; eject after 3 failed probes in a row.
    HealthCheck,
    /// Eject a backend whose success rate over the last `window_s` seconds is more than
    /// `margin` below the median backend's (with at least 100 requests in the window).
    SuccessRate {
        /// The sliding window, in seconds.
        window_s: usize,
        /// How far below the median a backend may fall.
        margin: f64,
    },
    /// Eject a backend whose p99 latency over the last `window_s` seconds is more than `ratio`
    /// times the median backend's p99.
    LatencyRatio {
        /// The sliding window, in seconds.
        window_s: usize,
        /// How many times the median p99 is too slow.
        ratio: f64,
    },
}

impl std::fmt::Display for Ejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Ejection::Never => f.write_str("never eject"),
            Ejection::HealthCheck => f.write_str("health check"),
            Ejection::SuccessRate { margin, .. } => {
                write!(f, "success rate < median - {margin}")
            }
            Ejection::LatencyRatio { ratio, .. } => write!(f, "p99 > {ratio} × median p99"),
        }
    }
}

/// One detector's result in the gray-failure experiment.
///
/// # Examples
///
/// ```
/// use lessons::failure_detection::{Ejection, gray_failure_run};
///
/// let row = gray_failure_run(Ejection::HealthCheck, 0.3, 1)?;
/// assert_eq!(row.detected_after_s, None); // the health endpoint still answers
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GrayRow {
    /// The ejection rule.
    pub detector: String,
    /// Seconds from the start of the gray failure until the gray backend was ejected.
    pub detected_after_s: Option<f64>,
    /// Healthy backends ejected by mistake.
    pub healthy_ejected: usize,
    /// Fraction of all user requests that failed.
    pub user_error_rate: f64,
}

/// Ten backends share 1,000 requests per second, spread at random over those not ejected;
/// each fails 0.1% of requests and answers in log-normal time (median 20 ms). At 30 s
/// backend 0 turns gray: it fails `gray_failure_rate` of real requests, each after a 1 s
/// timeout, while its health endpoint keeps answering. The run lasts 120 s, and `rule` is
/// applied at the end of every second.
///
/// # Errors
///
/// [`SimError::Probability`] for a failure rate outside `[0, 1]`; [`SimError::Parameter`] for
/// a window of 0 or more than 60 s.
///
/// # Examples
///
/// ```
/// use lessons::failure_detection::{Ejection, gray_failure_run};
///
/// let rule = Ejection::SuccessRate { window_s: 10, margin: 0.1 };
/// let row = gray_failure_run(rule, 0.3, 1)?;
/// assert!(row.detected_after_s.unwrap() <= 12.0);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn gray_failure_run(
    rule: Ejection,
    gray_failure_rate: f64,
    seed: u64,
) -> Result<GrayRow, SimError> {
    probability("gray_failure_rate", gray_failure_rate)?;
    let window = match rule {
        Ejection::SuccessRate { window_s, .. } | Ejection::LatencyRatio { window_s, .. } => {
            window_s
        }
        _ => 1,
    };
    if !(1..=60).contains(&window) {
        return Err(SimError::parameter(
            "window_s",
            window,
            "a window from 1 to 60 seconds",
        ));
    }
    const BACKENDS: usize = 10;
    const ONSET_S: usize = 30;
    let latency = Latency::log_normal(ms(20), 0.5);
    let mut rng = Rng::new(seed);
    let mut ejected = [false; BACKENDS];
    let mut ejected_at: [Option<usize>; BACKENDS] = [None; BACKENDS];
    // Per second and backend: (requests, failures, latencies).
    let mut history: Vec<Vec<(usize, usize, Vec<Time>)>> = Vec::new();
    let (mut total, mut failed) = (0usize, 0usize);
    for second in 0..120 {
        let gray = second >= ONSET_S;
        let mut this_second = vec![(0, 0, Vec::new()); BACKENDS];
        let serving: Vec<usize> = (0..BACKENDS).filter(|&b| !ejected[b]).collect();
        for _ in 0..1_000 {
            let Some(&backend) = rng.pick(&serving) else {
                break;
            };
            let failure_rate = if gray && backend == 0 {
                gray_failure_rate
            } else {
                0.001
            };
            let fails = rng.chance(failure_rate);
            let took = if fails && gray && backend == 0 {
                ms(1_000)
            } else {
                latency.sample(&mut rng)
            };
            let entry = &mut this_second[backend];
            entry.0 += 1;
            entry.1 += usize::from(fails);
            entry.2.push(took);
            total += 1;
            failed += usize::from(fails);
        }
        history.push(this_second);
        let flagged = judge_second(rule, &history, window, &ejected);
        for backend in flagged {
            ejected[backend] = true;
            ejected_at[backend] = Some(second + 1);
        }
    }
    Ok(GrayRow {
        detector: rule.to_string(),
        detected_after_s: ejected_at[0].map(|at| at.saturating_sub(ONSET_S) as f64),
        healthy_ejected: ejected[1..].iter().filter(|&&e| e).count(),
        user_error_rate: round_to(failed as f64 / total.max(1) as f64, 4),
    })
}

/// The backends `rule` ejects at the end of the latest second, at most one at a time (as
/// Envoy caps ejections at 10% of hosts by default).
fn judge_second(
    rule: Ejection,
    history: &[Vec<(usize, usize, Vec<Time>)>],
    window: usize,
    ejected: &[bool],
) -> Vec<usize> {
    let recent = &history[history.len().saturating_sub(window)..];
    let backends = ejected.len();
    let in_window = |backend: usize| {
        let mut requests = 0;
        let mut failures = 0;
        let mut latencies = Vec::new();
        for second in recent {
            requests += second[backend].0;
            failures += second[backend].1;
            latencies.extend_from_slice(&second[backend].2);
        }
        (requests, failures, latencies)
    };
    let serving: Vec<usize> = (0..backends).filter(|&b| !ejected[b]).collect();
    let already = backends - serving.len();
    if already >= backends / 10 {
        return Vec::new();
    }
    let score: Vec<(usize, Option<f64>)> = serving
        .iter()
        .map(|&backend| {
            let (requests, failures, latencies) = in_window(backend);
            let value = match rule {
                Ejection::Never | Ejection::HealthCheck => None,
                Ejection::SuccessRate { .. } => {
                    (requests >= 100).then(|| 1.0 - failures as f64 / requests as f64)
                }
                Ejection::LatencyRatio { .. } => percentile(&latencies, 99.0)
                    .ok()
                    .map(|p99| p99.as_secs_f64()),
            };
            (backend, value)
        })
        .collect();
    let values: Vec<f64> = score.iter().filter_map(|(_, value)| *value).collect();
    let Ok(median) = percentile(&values, 50.0) else {
        return Vec::new();
    };
    let worst = score.iter().filter_map(|&(backend, value)| {
        let value = value?;
        let out = match rule {
            Ejection::SuccessRate { margin, .. } => value < median - margin,
            Ejection::LatencyRatio { ratio, .. } => value > ratio * median,
            Ejection::Never | Ejection::HealthCheck => false,
        };
        out.then_some((backend, value))
    });
    let pick = match rule {
        Ejection::LatencyRatio { .. } => worst.max_by(|a, b| a.1.total_cmp(&b.1)),
        _ => worst.min_by(|a, b| a.1.total_cmp(&b.1)),
    };
    pick.map(|(backend, _)| backend).into_iter().collect()
}
