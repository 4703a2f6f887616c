//! Canary analysis: a new version takes a small share of the traffic, and its error rate is
//! compared with the baseline's. Abort, or ramp up?
//!
//! The comparison is a test on two proportions ([`two_proportion_z`]). What decides it is the
//! number of canary requests: at 0.3% against 0.5% errors, a thousand canary requests leave the
//! two rates within noise of each other, and a canary that is checked every minute with the
//! same threshold is aborted far more often than the threshold promises when it is healthy
//! (each look is another chance of a false alarm). A sequential design spends the error budget
//! over the looks; here the simplest one, Bonferroni's: `M` looks at `alpha / M` each keep the
//! chance of any false abort at most `alpha`.
//!
//! The abort decision is one-sided: a canary is aborted when its error rate is significantly
//! higher, at level `alpha`.
//!
//! # References
//!
//! * Netflix and Google, Kayenta (automated canary analysis); it compares canary and baseline
//!   metrics with the Mann-Whitney U test.
//! * Ramesh Johari et al., "Peeking at A/B Tests", KDD 2017 (why repeated looks inflate false
//!   positives, and always-valid p-values).
//! * Stuart Pocock, "Group sequential methods in the design and analysis of clinical trials",
//!   Biometrika 64(2), 1977.

use serde::Serialize;

use super::normal::normal_quantile;
use super::proportions::{
    Arm, binomial_draw, open_unit, power_two_proportions, rate, two_proportion_z,
};
use super::ranks::mann_whitney_binary;
use crate::sim::{Rng, SimError};

/// The two tests and the naive rule applied to one canary and its baseline.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::{Arm, canary_evidence};
///
/// let evidence = canary_evidence(Arm::new(5, 1_000)?, Arm::new(2_997, 999_000)?, 0.05)?;
/// assert!(evidence.naive_abort && !evidence.z_abort);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CanaryEvidence {
    /// Canary requests.
    pub canary_requests: u64,
    /// The canary's error rate.
    pub canary_rate: f64,
    /// The baseline's error rate.
    pub baseline_rate: f64,
    /// The pooled two-proportion z.
    pub z: f64,
    /// Its one-sided p-value.
    pub p_value: f64,
    /// The tie-corrected Mann-Whitney z on the same 0/1 outcomes.
    pub mann_whitney_z: f64,
    /// The naive rule: abort when the canary's rate is higher at all.
    pub naive_abort: bool,
    /// The z test's verdict at level alpha (one-sided).
    pub z_abort: bool,
}

/// Compares `canary` errors with `baseline` errors (see [`CanaryEvidence`]).
///
/// # Errors
///
/// [`SimError::Parameter`] for `alpha` outside (0, 1).
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::{Arm, canary_evidence};
///
/// let evidence = canary_evidence(Arm::new(50, 10_000)?, Arm::new(2_970, 990_000)?, 0.05)?;
/// assert_eq!(format!("{:.2} {:.5}", evidence.z, evidence.p_value), "3.63 0.00014");
/// assert!(evidence.z_abort);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn canary_evidence(canary: Arm, baseline: Arm, alpha: f64) -> Result<CanaryEvidence, SimError> {
    let threshold = normal_quantile(1.0 - open_unit("alpha", alpha)?)?;
    let z = two_proportion_z(canary, baseline);
    Ok(CanaryEvidence {
        canary_requests: canary.trials,
        canary_rate: canary.rate(),
        baseline_rate: baseline.rate(),
        z,
        p_value: super::proportions::one_sided_p_value(z),
        mann_whitney_z: mann_whitney_binary(canary, baseline).z,
        naive_abort: canary.rate() > baseline.rate(),
        z_abort: z > threshold,
    })
}

/// A canary rollout to simulate: error rates, traffic and how long it runs.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::CanaryParameters;
///
/// let healthy = CanaryParameters::default();
/// assert_eq!(healthy.canary_rate, healthy.baseline_rate);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CanaryParameters {
    /// The baseline's error rate.
    pub baseline_rate: f64,
    /// The canary's error rate (equal: a healthy canary; higher: a bad one).
    pub canary_rate: f64,
    /// The canary's share of the traffic.
    pub canary_share: f64,
    /// Requests per minute, both versions together.
    pub requests_per_minute: u64,
    /// How many minutes the canary runs (one look per minute).
    pub minutes: u64,
    /// The significance level of each test.
    pub alpha: f64,
}

impl Default for CanaryParameters {
    fn default() -> Self {
        CanaryParameters {
            baseline_rate: 0.003,
            canary_rate: 0.003,
            canary_share: 0.05,
            requests_per_minute: 5_000,
            minutes: 60,
            alpha: 0.05,
        }
    }
}

/// How often each rule has aborted the canary by one minute of [`canary_experiment`].
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::{CanaryParameters, canary_experiment};
///
/// let rows = canary_experiment(&CanaryParameters::default(), 200, 1)?;
/// assert_eq!(rows.len(), 60);
/// assert_eq!(rows[59].canary_requests, 15_000);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CanaryRow {
    /// Minutes since the canary started.
    pub minute: u64,
    /// Canary requests so far.
    pub canary_requests: u64,
    /// Share of runs a single look at this minute aborts (a fixed-horizon test ending here).
    pub look_once: f64,
    /// Share of runs aborted at any look up to this minute, each at alpha (peeking).
    pub peeking: f64,
    /// Share aborted at any look up to now, each at alpha / minutes (Bonferroni).
    pub sequential: f64,
    /// Share of runs whose canary rate is above the baseline's at this minute.
    pub naive: f64,
}

fn check_canary(parameters: &CanaryParameters) -> Result<(), SimError> {
    rate("baseline rate", parameters.baseline_rate)?;
    rate("canary rate", parameters.canary_rate)?;
    open_unit("canary share", parameters.canary_share)?;
    open_unit("alpha", parameters.alpha)?;
    if !(1..=1_000).contains(&parameters.minutes) {
        return Err(SimError::parameter(
            "minutes",
            parameters.minutes,
            "from 1 to 1,000 minutes",
        ));
    }
    if !(10..=10_000_000).contains(&parameters.requests_per_minute) {
        return Err(SimError::parameter(
            "requests per minute",
            parameters.requests_per_minute,
            "from 10 to 10,000,000",
        ));
    }
    Ok(())
}

/// Simulates `runs` canaries minute by minute and reports, per minute, how often each rule has
/// aborted (see [`CanaryRow`]). With equal rates every abort is a false one.
///
/// # Errors
///
/// [`SimError::Parameter`] for rates outside [0, 1], a share or alpha outside (0, 1), minutes
/// outside 1..=1,000, requests per minute outside 10..=10,000,000, or runs outside
/// 1..=100,000.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::{CanaryParameters, canary_experiment};
///
/// let rows = canary_experiment(&CanaryParameters::default(), 500, 1)?;
/// let end = rows.last().unwrap();
/// assert!(end.peeking > end.look_once);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn canary_experiment(
    parameters: &CanaryParameters,
    runs: u64,
    seed: u64,
) -> Result<Vec<CanaryRow>, SimError> {
    check_canary(parameters)?;
    if !(1..=100_000).contains(&runs) {
        return Err(SimError::parameter("runs", runs, "from 1 to 100,000 runs"));
    }
    let per_look = normal_quantile(1.0 - parameters.alpha)?;
    let bonferroni = normal_quantile(1.0 - parameters.alpha / parameters.minutes as f64)?;
    let canary_per_minute =
        (parameters.requests_per_minute as f64 * parameters.canary_share).round() as u64;
    let baseline_per_minute = parameters.requests_per_minute - canary_per_minute;
    let minutes = parameters.minutes as usize;
    let mut counts = vec![[0u64; 4]; minutes];
    let mut rng = Rng::new(seed);
    for _ in 0..runs {
        let (mut canary_errors, mut baseline_errors) = (0, 0);
        let (mut peeked, mut sequential) = (false, false);
        for (index, count) in counts.iter_mut().enumerate() {
            canary_errors += binomial_draw(&mut rng, canary_per_minute, parameters.canary_rate);
            baseline_errors +=
                binomial_draw(&mut rng, baseline_per_minute, parameters.baseline_rate);
            let elapsed = index as u64 + 1;
            let canary = Arm::new(canary_errors, canary_per_minute * elapsed)?;
            let baseline = Arm::new(baseline_errors, baseline_per_minute * elapsed)?;
            let z = two_proportion_z(canary, baseline);
            peeked |= z > per_look;
            sequential |= z > bonferroni;
            let decisions = [
                z > per_look,
                peeked,
                sequential,
                canary.rate() > baseline.rate(),
            ];
            for (total, decided) in count.iter_mut().zip(decisions) {
                *total += u64::from(decided);
            }
        }
    }
    Ok(counts
        .iter()
        .enumerate()
        .map(|(index, count)| {
            let share = |k: usize| count[k] as f64 / runs as f64;
            CanaryRow {
                minute: index as u64 + 1,
                canary_requests: canary_per_minute * (index as u64 + 1),
                look_once: share(0),
                peeking: share(1),
                sequential: share(2),
                naive: share(3),
            }
        })
        .collect())
}

/// The fewest canary requests for a one-look test at level `alpha` (two-sided) to catch a
/// canary at `canary_rate` against `baseline_rate` with probability `power`, when the baseline
/// serves the rest of the traffic (`canary_share` of it goes to the canary).
///
/// At a share of one half this is the equal-arms sample size; a small canary against a large
/// baseline needs fewer canary requests, since the baseline's rate is then nearly known.
///
/// # Errors
///
/// [`SimError::Parameter`] for rates outside [0, 1] or equal, a share, alpha or power outside
/// (0, 1).
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::canary_requests_needed;
///
/// assert_eq!(canary_requests_needed(0.003, 0.005, 0.5, 0.05, 0.8)?, 15_634);
/// assert_eq!(canary_requests_needed(0.003, 0.005, 0.01, 0.05, 0.8)?, 7_025);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn canary_requests_needed(
    baseline_rate: f64,
    canary_rate: f64,
    canary_share: f64,
    alpha: f64,
    power: f64,
) -> Result<u64, SimError> {
    let share = open_unit("canary share", canary_share)?;
    let power = open_unit("power", power)?;
    if rate("canary rate", canary_rate)? == rate("baseline rate", baseline_rate)? {
        return Err(SimError::parameter(
            "canary rate",
            canary_rate,
            "it must differ from the baseline rate: no sample detects a difference of zero",
        ));
    }
    let power_at = |canary: u64| {
        let baseline = ((canary as f64 * (1.0 - share) / share).round() as u64).max(1);
        power_two_proportions(canary_rate, canary, baseline_rate, baseline, alpha)
    };
    // Power grows with the sample; double until it is enough, then bisect.
    let mut high = 1u64;
    while power_at(high)? < power {
        if high > 1 << 40 {
            return Err(SimError::parameter(
                "canary rate",
                canary_rate,
                "the difference is too small to detect with any realistic traffic",
            ));
        }
        high *= 2;
    }
    let mut low = high / 2;
    while high - low > 1 {
        let middle = (low + high) / 2;
        if power_at(middle)? >= power {
            high = middle;
        } else {
            low = middle;
        }
    }
    Ok(high)
}

/// The canary requests needed at one canary error rate and one traffic share.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::required_requests_rows;
///
/// let rows = required_requests_rows(0.003, &[0.005, 0.006], &[0.5], 0.05, 0.8)?;
/// assert_eq!(rows[0].canary_requests, 15_634);
/// assert!(rows[1].canary_requests < rows[0].canary_requests);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RequiredRow {
    /// The canary's true error rate.
    pub canary_rate: f64,
    /// The canary's share of the traffic.
    pub canary_share: f64,
    /// Canary requests needed (see [`canary_requests_needed`]).
    pub canary_requests: u64,
}

/// [`canary_requests_needed`] for every canary rate and share.
///
/// # Errors
///
/// As [`canary_requests_needed`].
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::required_requests_rows;
///
/// assert!(required_requests_rows(0.003, &[0.003], &[0.5], 0.05, 0.8).is_err());
/// ```
pub fn required_requests_rows(
    baseline_rate: f64,
    canary_rates: &[f64],
    canary_shares: &[f64],
    alpha: f64,
    power: f64,
) -> Result<Vec<RequiredRow>, SimError> {
    let mut rows = Vec::new();
    for &canary_share in canary_shares {
        for &canary_rate in canary_rates {
            rows.push(RequiredRow {
                canary_rate,
                canary_share,
                canary_requests: canary_requests_needed(
                    baseline_rate,
                    canary_rate,
                    canary_share,
                    alpha,
                    power,
                )?,
            });
        }
    }
    Ok(rows)
}
