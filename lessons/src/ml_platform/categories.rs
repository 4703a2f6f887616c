//! Drift in a categorical feature, and the category the reference never saw.
//!
//! A new category (a payment method launched after training) has a reference share of 0, so
//! PSI's `ln(actual / expected)` is infinite and every implementation puts a floor under the
//! share. The answer then depends on the floor: a 1% new category adds
//! `(0.01 − floor) · ln(0.01 / floor)`, 0.046 with a floor of 1e-4 and 0.092 with 1e-6.
//!
//! The two-sample chi-square test of homogeneity has no such knob: it compares the counts of
//! the reference and the window in one table, and the expected count of every category that
//! appears anywhere is positive. Its p-value comes from the chi-square distribution with
//! `categories − 1` degrees of freedom. (KS does not apply: categories have no order.)
//!
//! # References
//!
//! * Karl Pearson, "On the criterion that a given system of deviations ...", Philosophical
//!   Magazine 50, 1900.
//! * Milton Abramowitz and Irene Stegun, "Handbook of Mathematical Functions", 26.4.4 and
//!   26.4.5 (the chi-square tail for even and odd degrees of freedom).

use serde::Serialize;

use super::normal::normal_upper_tail;
use super::proportions::rate;
use super::rounded;
use crate::sim::{Rng, SimError};

/// `P(X > x)` for a chi-square variable with `degrees_of_freedom` degrees of freedom, by the
/// closed forms for whole degrees of freedom.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::chi_square_upper_tail;
///
/// assert_eq!(format!("{:.4}", chi_square_upper_tail(3.841, 1)), "0.0500");
/// assert_eq!(format!("{:.4}", chi_square_upper_tail(5.991, 2)), "0.0500");
/// assert_eq!(chi_square_upper_tail(0.0, 3), 1.0);
/// ```
pub fn chi_square_upper_tail(x: f64, degrees_of_freedom: u32) -> f64 {
    if x <= 0.0 || degrees_of_freedom == 0 {
        return 1.0;
    }
    let half = x / 2.0;
    if degrees_of_freedom.is_multiple_of(2) {
        let mut term = (-half).exp();
        let mut sum = term;
        for k in 1..degrees_of_freedom / 2 {
            term *= half / f64::from(k);
            sum += term;
        }
        return sum.min(1.0);
    }
    let mut term = (2.0 * x / std::f64::consts::PI).sqrt() * (-half).exp();
    let mut sum = 0.0;
    for k in 1..=(degrees_of_freedom - 1) / 2 {
        sum += term;
        term *= x / f64::from(2 * k + 1);
    }
    (2.0 * normal_upper_tail(x.sqrt()) + sum).min(1.0)
}

/// A chi-square test's result.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::chi_square_homogeneity;
///
/// let same = chi_square_homogeneity(&[60, 30, 10], &[6, 3, 1])?;
/// assert_eq!((same.statistic, same.degrees_of_freedom, same.p_value), (0.0, 2, 1.0));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ChiSquare {
    /// Pearson's statistic, the sum of (observed − expected)² / expected.
    pub statistic: f64,
    /// Categories seen anywhere, minus 1.
    pub degrees_of_freedom: u32,
    /// `P(X > statistic)` under "same distribution".
    pub p_value: f64,
}

fn check_counts(reference: &[u64], window: &[u64]) -> Result<(f64, f64), SimError> {
    if reference.len() != window.len() || reference.is_empty() {
        return Err(SimError::parameter(
            "category count",
            format!("{} and {}", reference.len(), window.len()),
            "both lists need the same categories, at least one",
        ));
    }
    let (first, second) = (reference.iter().sum::<u64>(), window.iter().sum::<u64>());
    if first == 0 || second == 0 {
        return Err(SimError::parameter(
            "total count",
            first.min(second),
            "each sample needs at least one value",
        ));
    }
    Ok((first as f64, second as f64))
}

/// The two-sample chi-square test that `reference` and `window` (counts per category, same
/// order) come from one distribution. Categories absent from both are left out.
///
/// # Errors
///
/// [`SimError::Parameter`] for lists of different lengths or an empty sample.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::chi_square_homogeneity;
///
/// let new_category = chi_square_homogeneity(&[6_000, 3_000, 1_000, 0], &[594, 297, 99, 10])?;
/// assert_eq!(new_category.degrees_of_freedom, 3);
/// assert!(new_category.p_value < 1e-6);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn chi_square_homogeneity(reference: &[u64], window: &[u64]) -> Result<ChiSquare, SimError> {
    let (first, second) = check_counts(reference, window)?;
    let total = first + second;
    let mut statistic = 0.0;
    let mut categories = 0;
    for (&a, &b) in reference.iter().zip(window) {
        let seen = (a + b) as f64;
        if seen == 0.0 {
            continue;
        }
        categories += 1;
        for (observed, size) in [(a as f64, first), (b as f64, second)] {
            let expected = seen * size / total;
            statistic += (observed - expected).powi(2) / expected;
        }
    }
    let degrees_of_freedom = categories - 1;
    Ok(ChiSquare {
        statistic,
        degrees_of_freedom,
        p_value: chi_square_upper_tail(statistic, degrees_of_freedom),
    })
}

/// PSI of category counts, with `floor` as the share of a category a sample never saw.
///
/// # Errors
///
/// [`SimError::Parameter`] for lists of different lengths, an empty sample, or a floor outside
/// (0, 0.1].
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::category_psi;
///
/// let reference = [6_000, 3_000, 1_000, 0];
/// let window = [594, 297, 99, 10]; // 1% in a category the reference never saw
/// assert_eq!(format!("{:.3}", category_psi(&reference, &window, 1e-4)?), "0.046");
/// assert_eq!(format!("{:.3}", category_psi(&reference, &window, 1e-6)?), "0.092");
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn category_psi(reference: &[u64], window: &[u64], floor: f64) -> Result<f64, SimError> {
    let (first, second) = check_counts(reference, window)?;
    if !(floor > 0.0 && floor <= 0.1) {
        return Err(SimError::parameter("floor", floor, "a share in (0, 0.1]"));
    }
    Ok(reference
        .iter()
        .zip(window)
        .map(|(&a, &b)| {
            let expected = (a as f64 / first).max(floor);
            let actual = (b as f64 / second).max(floor);
            (actual - expected) * (actual / expected).ln()
        })
        .sum())
}

/// One share of the new category in [`new_category_experiment`] (PSI to 3 decimals, the
/// statistic to 1).
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::new_category_experiment;
///
/// let rows = new_category_experiment(&[0.0], 1_000, 1)?;
/// assert_eq!(rows[0].new_share, 0.0);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct NewCategoryRow {
    /// The new category's share of the window.
    pub new_share: f64,
    /// PSI with a floor of 1e-4 for empty shares.
    pub psi_floor_1e4: f64,
    /// PSI with a floor of 1e-6.
    pub psi_floor_1e6: f64,
    /// The chi-square statistic.
    pub chi_square: f64,
    /// Its p-value.
    pub p_value: f64,
}

/// A reference of 10,000 values over three categories (60%, 30%, 10%), against a window of
/// `window` values in which a fourth, new category takes each share in `new_shares` (the
/// others keep their proportions).
///
/// # Errors
///
/// [`SimError::Parameter`] for a share outside [0, 1] or a window outside 1..=1,000,000.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::new_category_experiment;
///
/// let rows = new_category_experiment(&[0.0, 0.05], 1_000, 2)?;
/// assert!(rows[0].p_value > 0.001 && rows[1].p_value < 1e-6);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn new_category_experiment(
    new_shares: &[f64],
    window: usize,
    seed: u64,
) -> Result<Vec<NewCategoryRow>, SimError> {
    if !(1..=1_000_000).contains(&window) {
        return Err(SimError::parameter(
            "window",
            window,
            "from 1 to 1,000,000 values",
        ));
    }
    let old = [0.6, 0.3, 0.1];
    let mut rng = Rng::new(seed);
    let mut draw = |shares: &[f64; 4], size: usize| {
        let mut counts = [0_u64; 4];
        for _ in 0..size {
            let mut u = rng.unit();
            let category = shares.iter().position(|&share| {
                u -= share;
                u < 0.0
            });
            counts[category.unwrap_or(2)] += 1;
        }
        counts
    };
    new_shares
        .iter()
        .map(|&new_share| {
            rate("new category share", new_share)?;
            let reference = draw(&[old[0], old[1], old[2], 0.0], 10_000);
            let kept = 1.0 - new_share;
            let current = draw(
                &[old[0] * kept, old[1] * kept, old[2] * kept, new_share],
                window,
            );
            let test = chi_square_homogeneity(&reference, &current)?;
            Ok(NewCategoryRow {
                new_share,
                psi_floor_1e4: rounded(category_psi(&reference, &current, 1e-4)?, 3),
                psi_floor_1e6: rounded(category_psi(&reference, &current, 1e-6)?, 3),
                chi_square: rounded(test.statistic, 1),
                p_value: test.p_value,
            })
        })
        .collect()
}
