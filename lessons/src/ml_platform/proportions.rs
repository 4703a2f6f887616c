//! Tests on proportions: is the canary's error rate really higher than the baseline's?
//!
//! An error rate is a count of failures out of a count of requests, so the direct tools are
//! tests on two binomial proportions: the pooled two-proportion z test (here), Fisher's exact
//! test, or a chi-square test on the 2×2 table. The z test is the large-sample one: under the
//! null hypothesis that both arms share one rate `p`, the difference of the observed rates is
//! close to normal with variance `p(1 − p)(1/n₁ + 1/n₂)`.
//!
//! Power and sample size use the same normal approximation (Fleiss, "Statistical Methods for
//! Rates and Proportions", 3rd ed., section 4.2, without the continuity correction).

use serde::Serialize;

use super::normal::{normal_cdf, normal_quantile, normal_upper_tail};
use crate::sim::{Rng, SimError};

/// Failures out of trials in one arm of a comparison (errors out of requests, conversions out
/// of visitors).
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::Arm;
///
/// let canary = Arm::new(5, 1_000)?;
/// assert_eq!(canary.rate(), 0.005);
/// assert!(Arm::new(6, 5).is_err());
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Arm {
    /// How many trials had the outcome (errors, conversions).
    pub hits: u64,
    /// How many trials there were.
    pub trials: u64,
}

impl Arm {
    /// `hits` out of `trials`.
    ///
    /// # Errors
    ///
    /// [`SimError::Parameter`] for no trials or more hits than trials.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ml_platform::Arm;
    ///
    /// assert_eq!(
    ///     Arm::new(1, 0).unwrap_err().to_string(),
    ///     "trials 0 is not allowed; an arm needs at least one trial"
    /// );
    /// ```
    pub fn new(hits: u64, trials: u64) -> Result<Arm, SimError> {
        if trials == 0 {
            return Err(SimError::parameter(
                "trials",
                trials,
                "an arm needs at least one trial",
            ));
        }
        if hits > trials {
            return Err(SimError::parameter(
                "hits",
                hits,
                format!("hits are counted among the {trials} trials, so at most {trials}"),
            ));
        }
        Ok(Arm { hits, trials })
    }

    /// The observed rate, `hits / trials`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::ml_platform::Arm::new(3, 1_000)?.rate(), 0.003);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn rate(&self) -> f64 {
        self.hits as f64 / self.trials as f64
    }
}

/// The pooled two-proportion z statistic of `treatment` against `control`: positive when the
/// treatment's rate is higher. Zero when neither arm has a hit or both have only hits (the
/// data cannot tell them apart).
///
/// This is what claim C22 needs: is 0.5% errors on the canary more than 0.3% on the baseline?
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::{Arm, two_proportion_z};
///
/// let baseline = Arm::new(2_970, 990_000)?;
/// assert_eq!(format!("{:.2}", two_proportion_z(Arm::new(50, 10_000)?, baseline)), "3.63");
/// assert_eq!(format!("{:.2}", two_proportion_z(Arm::new(5, 1_000)?, baseline)), "1.16");
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn two_proportion_z(treatment: Arm, control: Arm) -> f64 {
    let n1 = treatment.trials as f64;
    let n2 = control.trials as f64;
    let pooled = (treatment.hits + control.hits) as f64 / (n1 + n2);
    let variance = pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2);
    if variance == 0.0 {
        return 0.0;
    }
    (treatment.rate() - control.rate()) / variance.sqrt()
}

/// The one-sided p-value of a z statistic: `P(Z ≥ z)`, the chance of a result at least this
/// far in the treatment-is-worse direction if the arms were the same.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::one_sided_p_value;
///
/// assert_eq!(format!("{:.3}", one_sided_p_value(1.645)), "0.050");
/// ```
pub fn one_sided_p_value(z: f64) -> f64 {
    normal_upper_tail(z)
}

/// The two-sided p-value of a z statistic: `P(|Z| ≥ |z|)`.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::two_sided_p_value;
///
/// assert_eq!(format!("{:.3}", two_sided_p_value(-1.96)), "0.050");
/// ```
pub fn two_sided_p_value(z: f64) -> f64 {
    2.0 * normal_upper_tail(z.abs())
}

/// Checks that `alpha` (a significance level) or `power` is strictly between 0 and 1.
pub(crate) fn open_unit(name: &'static str, value: f64) -> Result<f64, SimError> {
    if value > 0.0 && value < 1.0 {
        Ok(value)
    } else {
        Err(SimError::parameter(
            name,
            value,
            "it must be strictly between 0 and 1",
        ))
    }
}

/// Checks that a rate is in [0, 1].
pub(crate) fn rate(name: &'static str, value: f64) -> Result<f64, SimError> {
    if (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(SimError::parameter(name, value, "a rate is from 0 to 1"))
    }
}

/// The power of a two-sided pooled z test at level `alpha` to tell rate `p1` on `n1` trials from
/// `p2` on `n2` trials: the chance it rejects "same rate" (normal approximation; the far tail
/// on the wrong side is left out, as usual).
///
/// # Errors
///
/// [`SimError::Parameter`] for a rate outside [0, 1], `alpha` outside (0, 1), or an arm with
/// no trials.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::power_two_proportions;
///
/// let power = power_two_proportions(0.003, 15_634, 0.005, 15_634, 0.05)?;
/// assert_eq!(format!("{power:.3}"), "0.800");
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn power_two_proportions(
    p1: f64,
    n1: u64,
    p2: f64,
    n2: u64,
    alpha: f64,
) -> Result<f64, SimError> {
    let (p1, p2) = (rate("rate p1", p1)?, rate("rate p2", p2)?);
    let alpha = open_unit("alpha", alpha)?;
    if n1 == 0 || n2 == 0 {
        return Err(SimError::parameter(
            "arm size",
            0,
            "each arm needs at least one trial",
        ));
    }
    let (n1, n2) = (n1 as f64, n2 as f64);
    let pooled = (n1 * p1 + n2 * p2) / (n1 + n2);
    let null_sd = (pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2)).sqrt();
    let true_sd = (p1 * (1.0 - p1) / n1 + p2 * (1.0 - p2) / n2).sqrt();
    if true_sd == 0.0 {
        return Ok(if p1 == p2 { alpha } else { 1.0 });
    }
    let z_alpha = normal_quantile(1.0 - alpha / 2.0)?;
    Ok(normal_cdf(((p1 - p2).abs() - z_alpha * null_sd) / true_sd))
}

/// Trials needed in each of two equal arms for a two-sided test at level `alpha` to detect
/// rate `p1` against `p2` with probability `power` (Fleiss's formula, no continuity correction,
/// rounded up).
///
/// For claim C22: 0.3% against 0.5% at alpha 0.05 and power 0.8 needs 15,634 per arm.
///
/// # Errors
///
/// [`SimError::Parameter`] for rates outside [0, 1] or equal, `alpha` or `power` outside
/// (0, 1).
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::sample_size_per_arm;
///
/// assert_eq!(sample_size_per_arm(0.003, 0.005, 0.05, 0.8)?, 15_634);
/// assert!(sample_size_per_arm(0.003, 0.005, 0.05, 1.2).is_err());
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn sample_size_per_arm(p1: f64, p2: f64, alpha: f64, power: f64) -> Result<u64, SimError> {
    let (p1, p2) = (rate("rate p1", p1)?, rate("rate p2", p2)?);
    let alpha = open_unit("alpha", alpha)?;
    let power = open_unit("power", power)?;
    if p1 == p2 {
        return Err(SimError::parameter(
            "rate p2",
            p2,
            "it must differ from p1: no sample size detects a difference of zero",
        ));
    }
    let mean = (p1 + p2) / 2.0;
    let z_alpha = normal_quantile(1.0 - alpha / 2.0)?;
    let z_beta = normal_quantile(power)?;
    let spread = z_alpha * (2.0 * mean * (1.0 - mean)).sqrt()
        + z_beta * (p1 * (1.0 - p1) + p2 * (1.0 - p2)).sqrt();
    Ok((spread * spread / ((p1 - p2) * (p1 - p2))).ceil() as u64)
}

/// `P(X ≤ k)` for `X` binomial with `n` trials and success probability `p`, summed in log
/// space so that a million trials at 0.3% do not underflow.
///
/// # Errors
///
/// [`SimError::Parameter`] for `p` outside [0, 1].
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::binomial_cdf;
///
/// // A healthy canary (0.3% errors) shows 5 or more errors in 1,000 requests this often:
/// let at_least_five = 1.0 - binomial_cdf(4, 1_000, 0.003)?;
/// assert_eq!(format!("{at_least_five:.4}"), "0.1845");
/// assert_eq!(binomial_cdf(3, 3, 0.5)?, 1.0);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn binomial_cdf(k: u64, n: u64, p: f64) -> Result<f64, SimError> {
    let p = rate("binomial probability", p)?;
    if k >= n || p == 0.0 {
        return Ok(1.0);
    }
    if p == 1.0 {
        return Ok(0.0);
    }
    let ratio = (p / (1.0 - p)).ln();
    let mut log_term = n as f64 * (1.0 - p).ln();
    let mut log_terms = vec![log_term];
    for j in 0..k {
        log_term += ((n - j) as f64 / (j + 1) as f64).ln() + ratio;
        log_terms.push(log_term);
    }
    let largest = log_terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let sum: f64 = log_terms.iter().map(|term| (term - largest).exp()).sum();
    Ok((largest + sum.ln()).exp().min(1.0))
}

/// A binomial draw: successes in `n` trials of probability `p`. Small means invert the CDF (a
/// walk whose length is about the mean); above a mean of 200 the normal approximation is used,
/// whose error there is far below what any experiment here can see.
pub(crate) fn binomial_draw(rng: &mut Rng, n: u64, p: f64) -> u64 {
    if p <= 0.0 || n == 0 {
        return 0;
    }
    if p >= 1.0 {
        return n;
    }
    let mean = n as f64 * p;
    if mean > 200.0 {
        let sd = (mean * (1.0 - p)).sqrt();
        return (mean + sd * rng.normal()).round().clamp(0.0, n as f64) as u64;
    }
    let u = rng.unit();
    let ratio = p / (1.0 - p);
    let mut probability = (n as f64 * (1.0 - p).ln()).exp();
    let mut cumulative = probability;
    let mut k = 0;
    while cumulative <= u && k < n {
        probability *= (n - k) as f64 / (k + 1) as f64 * ratio;
        k += 1;
        cumulative += probability;
        // Rounding can leave the sum a hair below a u close to 1; the tail is spent by then.
        if k as f64 > mean && probability < 1e-18 {
            break;
        }
    }
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binomial_draws_have_the_right_mean() {
        let mut rng = Rng::new(3);
        let draws = 20_000;
        let total: u64 = (0..draws)
            .map(|_| binomial_draw(&mut rng, 2_000, 0.003))
            .sum();
        let mean = total as f64 / draws as f64;
        assert!((mean - 6.0).abs() < 0.1, "{mean}");
    }

    #[test]
    fn z_is_zero_without_any_hits() {
        let empty = Arm::new(0, 10).unwrap();
        assert_eq!(two_proportion_z(empty, empty), 0.0);
    }
}
