//! A limiter outage: what fail-open, fail-closed and a local fallback cost in goodput and abuse.

use serde::Serialize;

use super::gateways::{
    FailurePolicy, GatewayRun, GatewaySetup, LimiterMode, round_to_microseconds,
};
use super::rate::RateLimitError;
use crate::sim::{Time, ms, secs};

/// One phase of an outage trial under one failure policy.
///
/// # Examples
///
/// ```
/// use lessons::rate_limit::{FailurePolicy, outage_trial};
///
/// let rows = outage_trial(FailurePolicy::FailClosed, 1)?;
/// let during = &rows[1];
/// assert_eq!((during.phase, during.legit_admitted), ("during", 0));
/// # Ok::<(), lessons::rate_limit::RateLimitError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutageRow {
    /// The failure policy's name.
    pub policy: &'static str,
    /// `before`, `during` or `after` the outage (one quota window each).
    pub phase: &'static str,
    /// Requests the well-behaved clients sent in the phase.
    pub legit_offered: u64,
    /// Of those, how many were admitted.
    pub legit_admitted: u64,
    /// `legit_admitted / legit_offered`, to three decimals.
    pub goodput: f64,
    /// Requests the abusive client had admitted in the phase.
    pub abuser_admitted: u64,
    /// Of those, how many were beyond its quota: the abuse that got through.
    pub abuse_admitted: u64,
    /// The mean time from arrival to decision, in ms (rounded to the microsecond).
    pub mean_latency_ms: f64,
}

/// The outage trial: 4 gateways share a central atomic counter, with a quota of 100 requests
/// per client per minute. Twenty well-behaved clients send 1 request per second each (60 a
/// minute, within quota); one abusive client (client 0) sends 20 per second. The run lasts three
/// minutes; the store is down for the second one (60 s to 120 s). A gateway waits 50 ms for the
/// store, then applies `policy`.
///
/// Returns one row per minute: before, during and after the outage.
///
/// # Examples
///
/// ```
/// use lessons::rate_limit::{FailurePolicy, outage_trial};
///
/// let open = outage_trial(FailurePolicy::FailOpen, 1)?;
/// assert!(open[1].goodput == 1.0 && open[1].abuse_admitted > 1_000);
/// assert_eq!(open[0].abuse_admitted, 0);
/// # Ok::<(), lessons::rate_limit::RateLimitError>(())
/// ```
pub fn outage_trial(policy: FailurePolicy, seed: u64) -> Result<Vec<OutageRow>, RateLimitError> {
    let mut clients = vec![20.0];
    clients.extend([1.0; 20]);
    let run = GatewaySetup::new(4, LimiterMode::CentralAtomic)?
        .quota(100, secs(60))?
        .clients(&clients)?
        .duration(secs(180))?
        .on_failure(policy, ms(50))?
        .outage(secs(60), secs(120))?
        .run(seed)?;
    let phases = [
        ("before", Time::ZERO),
        ("during", secs(60)),
        ("after", secs(120)),
    ];
    Ok(phases
        .iter()
        .map(|&(phase, start)| phase_row(&run, policy, phase, start, start + secs(60)))
        .collect())
}

fn phase_row(
    run: &GatewayRun,
    policy: FailurePolicy,
    phase: &'static str,
    start: Time,
    end: Time,
) -> OutageRow {
    let in_phase: Vec<_> = run
        .outcomes
        .iter()
        .filter(|outcome| outcome.arrived >= start && outcome.arrived < end)
        .collect();
    let legit = || in_phase.iter().filter(|outcome| outcome.client != 0);
    let legit_offered = legit().count() as u64;
    let legit_admitted = legit().filter(|outcome| outcome.admitted).count() as u64;
    let abuser_admitted = in_phase
        .iter()
        .filter(|outcome| outcome.client == 0 && outcome.admitted)
        .count() as u64;
    let latency: f64 = in_phase
        .iter()
        .map(|outcome| (outcome.decided - outcome.arrived).as_millis_f64())
        .sum();
    OutageRow {
        policy: policy.name(),
        phase,
        legit_offered,
        legit_admitted,
        goodput: (legit_admitted as f64 / legit_offered.max(1) as f64 * 1_000.0).round() / 1_000.0,
        abuser_admitted,
        abuse_admitted: abuser_admitted.saturating_sub(run.limit),
        mean_latency_ms: round_to_microseconds(latency / in_phase.len().max(1) as f64),
    }
}
