//! The Mann-Whitney U test: do values from one sample tend to be larger than from another?
//!
//! `U` counts, over every pair of one value from each sample, the pairs where the first
//! sample's value is larger, with ties counted as one half. Divided by the number of pairs it
//! is the chance that a random value of the first sample beats a random value of the second,
//! which is also the area under the ROC curve ([`roc_auc`](super::roc_auc)).
//!
//! On 0/1 outcomes (error or not) nearly every value is tied, and the test is a test on two
//! proportions in disguise: with the tie correction its z is the pooled two-proportion z times
//! `√((N − 1) / N)` for `N` outcomes in all. Using it for error rates is not wrong, only
//! indirect.
//!
//! # References
//!
//! * H. B. Mann and D. R. Whitney, "On a Test of Whether one of Two Random Variables is
//!   Stochastically Larger than the Other", Annals of Mathematical Statistics 18(1), 1947.
//! * E. L. Lehmann, "Nonparametrics: Statistical Methods Based on Ranks", 1975, section 1.4
//!   (the tie correction).

use serde::Serialize;

use super::normal::normal_upper_tail;
use super::proportions::Arm;
use crate::sim::SimError;

/// The result of a Mann-Whitney U test of a first sample against a second.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::mann_whitney_u;
///
/// let test = mann_whitney_u(&[3.0, 4.0], &[1.0, 2.0, 3.0])?;
/// assert_eq!(test.u, 5.5); // 3 beats 1 and 2, ties 3; 4 beats all three
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MannWhitney {
    /// Pairs where the first sample's value is larger, ties counting one half.
    pub u: f64,
    /// `u` divided by the number of pairs: P(first > second) + P(tie) / 2.
    pub u_fraction: f64,
    /// The tie-corrected normal approximation, positive when the first sample tends larger.
    pub z: f64,
    /// The two-sided p-value of `z`.
    pub p_value: f64,
}

/// The Mann-Whitney U test of `first` against `second`, with mid-ranks for ties and the tie
/// correction of the variance.
///
/// # Errors
///
/// [`SimError::NoValues`] if either sample is empty, [`SimError::Parameter`] for a NaN.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::mann_whitney_u;
///
/// let test = mann_whitney_u(&[5.0, 6.0, 7.0], &[1.0, 2.0, 3.0])?;
/// assert_eq!((test.u, test.u_fraction), (9.0, 1.0));
/// assert_eq!(format!("{:.3}", test.z), "1.964");
/// assert!(mann_whitney_u(&[], &[1.0]).is_err());
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn mann_whitney_u(first: &[f64], second: &[f64]) -> Result<MannWhitney, SimError> {
    if first.is_empty() || second.is_empty() {
        return Err(SimError::NoValues {
            what: "Mann-Whitney U test",
        });
    }
    if first.iter().chain(second).any(|value| value.is_nan()) {
        return Err(SimError::parameter(
            "value",
            "NaN",
            "the samples must hold numbers",
        ));
    }
    let mut labelled: Vec<(f64, bool)> = first
        .iter()
        .map(|&value| (value, true))
        .chain(second.iter().map(|&value| (value, false)))
        .collect();
    labelled.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut first_rank_sum = 0.0;
    let mut tie_term = 0.0;
    let mut start = 0;
    while start < labelled.len() {
        let end = start
            + labelled[start..]
                .iter()
                .take_while(|(value, _)| *value == labelled[start].0)
                .count();
        // Ranks start + 1 ..= end share their mean.
        let mid_rank = (start + 1 + end) as f64 / 2.0;
        let in_first = labelled[start..end]
            .iter()
            .filter(|(_, first)| *first)
            .count();
        first_rank_sum += mid_rank * in_first as f64;
        let tied = (end - start) as f64;
        tie_term += tied * tied * tied - tied;
        start = end;
    }
    let n1 = first.len() as f64;
    Ok(from_u(
        first_rank_sum - n1 * (n1 + 1.0) / 2.0,
        n1,
        second.len() as f64,
        tie_term,
    ))
}

/// The Mann-Whitney U test on 0/1 outcomes given as counts: `first` and `second` are the hits
/// (value 1) out of the trials (the rest are 0). The same result as [`mann_whitney_u`] on the
/// spelled-out outcomes, without building them.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::{Arm, mann_whitney_binary, mann_whitney_u};
///
/// let counted = mann_whitney_binary(Arm::new(2, 4)?, Arm::new(1, 3)?);
/// let spelled = mann_whitney_u(&[1.0, 1.0, 0.0, 0.0], &[1.0, 0.0, 0.0])?;
/// assert_eq!(counted.u, spelled.u);
/// assert!((counted.z - spelled.z).abs() < 1e-12);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn mann_whitney_binary(first: Arm, second: Arm) -> MannWhitney {
    let (x1, n1) = (first.hits as f64, first.trials as f64);
    let (x2, n2) = (second.hits as f64, second.trials as f64);
    let u = x1 * (n2 - x2) + 0.5 * (x1 * x2 + (n1 - x1) * (n2 - x2));
    let ones = x1 + x2;
    let zeros = n1 + n2 - ones;
    let tie_term = ones * ones * ones - ones + zeros * zeros * zeros - zeros;
    from_u(u, n1, n2, tie_term)
}

fn from_u(u: f64, n1: f64, n2: f64, tie_term: f64) -> MannWhitney {
    let n = n1 + n2;
    let variance = if n > 1.0 {
        n1 * n2 / 12.0 * ((n + 1.0) - tie_term / (n * (n - 1.0)))
    } else {
        0.0
    };
    let z = if variance > 0.0 {
        (u - n1 * n2 / 2.0) / variance.sqrt()
    } else {
        0.0
    };
    MannWhitney {
        u,
        u_fraction: u / (n1 * n2),
        z,
        p_value: 2.0 * normal_upper_tail(z.abs()),
    }
}
