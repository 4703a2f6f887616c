//! A/B tests: how many users does a conversion-rate experiment need, and how should they be
//! split?
//!
//! The power of a two-sided two-proportion test grows with the square root of the sample and
//! with the size of the difference; [`sample_size_per_arm`](super::sample_size_per_arm) turns
//! that around. Simulating many experiments and counting how often the test rejects shows the
//! same curve. At a fixed total the standard deviation of the observed difference,
//! `√(p₁q₁/n₁ + p₂q₂/n₂)`, is smallest when the arms are equal (for equal rates exactly at
//! 50/50), which is why a 99/1 split needs far more traffic than a 50/50 one.
//!
//! # References
//!
//! * Ron Kohavi, Diane Tang and Ya Xu, "Trustworthy Online Controlled Experiments", Cambridge
//!   University Press, 2020, chapter 17 (statistics behind online experiments).

use serde::Serialize;

use super::normal::normal_quantile;
use super::proportions::{
    Arm, binomial_draw, open_unit, power_two_proportions, rate, two_proportion_z,
};
use crate::sim::{Rng, SimError};

/// The standard deviation of the observed difference of two rates, `√(p₁q₁/n₁ + p₂q₂/n₂)`.
///
/// # Errors
///
/// [`SimError::Parameter`] for a rate outside [0, 1] or an arm with no trials.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::difference_sd;
///
/// let even = difference_sd(0.05, 50_000, 0.05, 50_000)?;
/// let skewed = difference_sd(0.05, 99_000, 0.05, 1_000)?;
/// assert_eq!(format!("{even:.5} {skewed:.5}"), "0.00138 0.00693");
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn difference_sd(p1: f64, n1: u64, p2: f64, n2: u64) -> Result<f64, SimError> {
    let (p1, p2) = (rate("rate p1", p1)?, rate("rate p2", p2)?);
    if n1 == 0 || n2 == 0 {
        return Err(SimError::parameter(
            "arm size",
            0,
            "each arm needs at least one trial",
        ));
    }
    Ok((p1 * (1.0 - p1) / n1 as f64 + p2 * (1.0 - p2) / n2 as f64).sqrt())
}

/// Simulated and formula power at one arm size and one treatment rate.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::ab_power_experiment;
///
/// let rows = ab_power_experiment(0.003, &[0.005], &[15_634], 400, 0.05, 1)?;
/// assert_eq!(format!("{:.3}", rows[0].formula), "0.800");
/// assert!((rows[0].simulated - 0.8).abs() < 0.06);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PowerRow {
    /// The control's conversion (or error) rate.
    pub control_rate: f64,
    /// The treatment's true rate.
    pub treatment_rate: f64,
    /// Trials in each arm.
    pub per_arm: u64,
    /// Share of simulated experiments the test called significant.
    pub simulated: f64,
    /// The normal-approximation power.
    pub formula: f64,
}

fn check_runs(runs: u64) -> Result<(), SimError> {
    if (1..=100_000).contains(&runs) {
        Ok(())
    } else {
        Err(SimError::parameter("runs", runs, "from 1 to 100,000 runs"))
    }
}

/// The share of `runs` simulated experiments, `n1` and `n2` trials at rates `p1` and `p2`, in
/// which the two-sided pooled z test at `alpha` rejects "same rate".
fn simulated_power(
    rng: &mut Rng,
    (p1, n1): (f64, u64),
    (p2, n2): (f64, u64),
    alpha: f64,
    runs: u64,
) -> Result<f64, SimError> {
    let critical = normal_quantile(1.0 - alpha / 2.0)?;
    let mut rejected = 0;
    for _ in 0..runs {
        let first = Arm::new(binomial_draw(rng, n1, p1), n1)?;
        let second = Arm::new(binomial_draw(rng, n2, p2), n2)?;
        if two_proportion_z(first, second).abs() > critical {
            rejected += 1;
        }
    }
    Ok(rejected as f64 / runs as f64)
}

/// For each treatment rate and each arm size: the power of a two-sided test at `alpha`,
/// simulated over `runs` experiments and from the formula.
///
/// # Errors
///
/// [`SimError::Parameter`] for rates outside [0, 1], alpha outside (0, 1), an arm size of 0 or
/// runs outside 1..=100,000.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::ab_power_experiment;
///
/// let rows = ab_power_experiment(0.003, &[0.005, 0.006], &[1_000, 10_000], 100, 0.05, 1)?;
/// assert_eq!(rows.len(), 4);
/// assert!(rows[0].formula < rows[1].formula);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn ab_power_experiment(
    control_rate: f64,
    treatment_rates: &[f64],
    arm_sizes: &[u64],
    runs: u64,
    alpha: f64,
    seed: u64,
) -> Result<Vec<PowerRow>, SimError> {
    check_runs(runs)?;
    let alpha = open_unit("alpha", alpha)?;
    let mut rng = Rng::new(seed);
    let mut rows = Vec::new();
    for &treatment_rate in treatment_rates {
        for &per_arm in arm_sizes {
            let formula =
                power_two_proportions(treatment_rate, per_arm, control_rate, per_arm, alpha)?;
            let simulated = simulated_power(
                &mut rng,
                (treatment_rate, per_arm),
                (control_rate, per_arm),
                alpha,
                runs,
            )?;
            rows.push(PowerRow {
                control_rate,
                treatment_rate,
                per_arm,
                simulated,
                formula,
            });
        }
    }
    Ok(rows)
}

/// Power at one split of a fixed total between treatment and control.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::allocation_experiment;
///
/// let rows = allocation_experiment(0.05, 0.055, 100_000, &[0.01, 0.5], 200, 0.05, 1)?;
/// assert!(rows[0].formula < 0.2 && rows[1].formula > 0.9);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AllocationRow {
    /// The treatment's share of the total.
    pub treatment_share: f64,
    /// The standard deviation of the observed difference.
    pub difference_sd: f64,
    /// The normal-approximation power.
    pub formula: f64,
    /// Share of simulated experiments called significant.
    pub simulated: f64,
}

/// For each treatment share of `total` trials: the spread of the observed difference and the
/// power (formula and `runs` simulations) of a two-sided test at `alpha`.
///
/// # Errors
///
/// [`SimError::Parameter`] for rates outside [0, 1], a share or alpha outside (0, 1), a share
/// that leaves an arm empty, or runs outside 1..=100,000.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::allocation_experiment;
///
/// let rows = allocation_experiment(0.05, 0.05, 10_000, &[0.1, 0.5, 0.9], 10, 0.05, 1)?;
/// assert!(rows[1].difference_sd < rows[0].difference_sd);
/// assert!(rows[1].difference_sd < rows[2].difference_sd);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn allocation_experiment(
    control_rate: f64,
    treatment_rate: f64,
    total: u64,
    treatment_shares: &[f64],
    runs: u64,
    alpha: f64,
    seed: u64,
) -> Result<Vec<AllocationRow>, SimError> {
    check_runs(runs)?;
    let alpha = open_unit("alpha", alpha)?;
    let mut rng = Rng::new(seed);
    treatment_shares
        .iter()
        .map(|&share| {
            let share = open_unit("treatment share", share)?;
            let treatment = (total as f64 * share).round() as u64;
            let control = total.saturating_sub(treatment);
            let arms = ((treatment_rate, treatment), (control_rate, control));
            Ok(AllocationRow {
                treatment_share: share,
                difference_sd: difference_sd(treatment_rate, treatment, control_rate, control)?,
                formula: power_two_proportions(
                    treatment_rate,
                    treatment,
                    control_rate,
                    control,
                    alpha,
                )?,
                simulated: simulated_power(&mut rng, arms.0, arms.1, alpha, runs)?,
            })
        })
        .collect()
}
