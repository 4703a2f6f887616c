//! A timeout is the only failure signal, and it cannot tell a slow node from a dead one.

use serde::Serialize;

use super::heartbeat::{positive, round_to};
use crate::sim::{Latency, Rng, SimError, Time};

/// One timeout of the timeout experiment: how often it wrongly suspected a live node and how
/// long it took to notice a dead one.
///
/// # Examples
///
/// ```
/// use lessons::failure_detection::timeout_experiment;
/// use lessons::sim::{Latency, ms};
///
/// let rows = timeout_experiment(&Latency::constant(ms(5)), &[ms(4), ms(6)], ms(100), 100, 1)?;
/// assert_eq!(rows[0].false_suspicion_rate, 1.0); // every answer takes 5 ms > 4 ms
/// assert_eq!(rows[1].false_suspicion_rate, 0.0);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimeoutRow {
    /// The timeout τ, in milliseconds.
    pub timeout_ms: f64,
    /// The fraction of probes to the live node whose answer came later than τ.
    pub false_suspicion_rate: f64,
    /// Mean time from the crash to the suspicion, in milliseconds.
    pub detection_ms: f64,
    /// The shortest detection seen, in milliseconds (never below τ).
    pub fastest_detection_ms: f64,
}

/// The timeout experiment of 9.1. A live node answers each probe after a delay drawn from
/// `response` (log-normal with GC-pause spikes makes the point); a crashed node never answers.
/// The prober sends a probe every `probe_every` and suspects the node when an answer is more
/// than τ late. For each τ in `timeouts`: `probes` probes to the live node give the
/// false-suspicion rate; `probes` crashes at random moments give the detection delay, from the
/// crash to the moment the first probe sent after it times out.
///
/// # Errors
///
/// [`SimError::Parameter`] for a non-positive timeout or probe period, no probes, or an invalid
/// latency.
///
/// # Examples
///
/// ```
/// use lessons::failure_detection::timeout_experiment;
/// use lessons::sim::{Latency, ms};
///
/// let slow = Latency::log_normal(ms(20), 0.5).with_spikes(0.01, ms(1_000));
/// let rows = timeout_experiment(&slow, &[ms(50), ms(500)], ms(100), 10_000, 3)?;
/// assert!(rows[0].false_suspicion_rate > rows[1].false_suspicion_rate);
/// assert!(rows[1].false_suspicion_rate > 0.0); // GC pauses outlast any τ under 1 s
/// assert!(rows[0].detection_ms < rows[1].detection_ms);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn timeout_experiment(
    response: &Latency,
    timeouts: &[Time],
    probe_every: Time,
    probes: usize,
    seed: u64,
) -> Result<Vec<TimeoutRow>, SimError> {
    response.validate()?;
    positive("probe_every", probe_every)?;
    if probes == 0 {
        return Err(SimError::parameter(
            "probes",
            probes,
            "send at least 1 probe",
        ));
    }
    let mut rows = Vec::new();
    for (index, &timeout) in timeouts.iter().enumerate() {
        positive("timeout", timeout)?;
        let mut rng = Rng::derive(seed, &[index as u64]);
        let late = (0..probes)
            .filter(|_| response.sample(&mut rng) > timeout)
            .count();
        let detections: Vec<f64> = (0..probes)
            .map(|_| {
                let until_next_probe = rng.between(Time::ZERO, probe_every);
                (until_next_probe + timeout).as_millis_f64()
            })
            .collect();
        rows.push(TimeoutRow {
            timeout_ms: timeout.as_millis_f64(),
            false_suspicion_rate: late as f64 / probes as f64,
            detection_ms: round_to(detections.iter().sum::<f64>() / probes as f64, 1),
            fastest_detection_ms: round_to(
                detections.iter().copied().fold(f64::INFINITY, f64::min),
                3,
            ),
        });
    }
    Ok(rows)
}
