//! Offline metrics of a scoring model: precision, recall, F1 at a threshold, and the area
//! under the ROC curve over every threshold.
//!
//! * **Precision**: of the examples flagged, the share that are positive.
//! * **Recall**: of the positives, the share flagged.
//! * **F1**: the harmonic mean of the two, `2PR / (P + R)`.
//! * **ROC AUC**: the area under the curve of true-positive rate against false-positive rate as
//!   the threshold sweeps from high to low. It equals the chance that a random positive scores
//!   above a random negative (ties one half): the Mann-Whitney `U` divided by `n_pos · n_neg`
//!   (Hanley and McNeil, "The Meaning and Use of the Area under a ROC Curve", Radiology 143,
//!   1982). Here it is computed as a trapezoid area, and `tests/ml_platform_laws.rs` checks
//!   the equality for random scores.
//!
//! All of them depend only on the multiset of (score, label) pairs, never on their order.

use serde::Serialize;

use crate::sim::{Rng, SimError};

/// Precision, recall and F1 of flagging every example whose score is at least a threshold.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::threshold_metrics;
///
/// let scores = [0.9, 0.8, 0.4, 0.3];
/// let labels = [true, false, true, false];
/// let metrics = threshold_metrics(&scores, &labels, 0.5)?;
/// assert_eq!((metrics.precision, metrics.recall, metrics.f1), (0.5, 0.5, 0.5));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ThresholdMetrics {
    /// Examples with a score at or above this are flagged.
    pub threshold: f64,
    /// Flagged positives over flagged examples (1 when nothing is flagged: no false alarm).
    pub precision: f64,
    /// Flagged positives over positives.
    pub recall: f64,
    /// The harmonic mean of precision and recall (0 when both are 0).
    pub f1: f64,
}

fn check_scored(scores: &[f64], labels: &[bool]) -> Result<(usize, usize), SimError> {
    if scores.len() != labels.len() {
        return Err(SimError::parameter(
            "label count",
            labels.len(),
            format!("there must be one label per score ({})", scores.len()),
        ));
    }
    if scores.iter().any(|score| score.is_nan()) {
        return Err(SimError::parameter(
            "score",
            "NaN",
            "scores must be numbers",
        ));
    }
    let positives = labels.iter().filter(|&&label| label).count();
    let negatives = labels.len() - positives;
    if positives == 0 || negatives == 0 {
        return Err(SimError::parameter(
            "labels",
            format!("{positives} positive and {negatives} negative"),
            "the metrics need at least one positive and one negative example",
        ));
    }
    Ok((positives, negatives))
}

/// Precision, recall and F1 at `threshold` (see [`ThresholdMetrics`]).
///
/// # Errors
///
/// [`SimError::Parameter`] when the lengths differ, a score is NaN, or the labels are all of
/// one kind.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::threshold_metrics;
///
/// let metrics = threshold_metrics(&[0.9, 0.6, 0.2], &[true, true, false], 0.7)?;
/// assert_eq!((metrics.precision, metrics.recall), (1.0, 0.5));
/// assert_eq!(format!("{:.4}", metrics.f1), "0.6667");
/// assert!(threshold_metrics(&[0.9], &[true], 0.5).is_err());
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn threshold_metrics(
    scores: &[f64],
    labels: &[bool],
    threshold: f64,
) -> Result<ThresholdMetrics, SimError> {
    let (positives, _) = check_scored(scores, labels)?;
    let flagged = scores.iter().filter(|&&score| score >= threshold).count();
    let hits = scores
        .iter()
        .zip(labels)
        .filter(|&(&score, &label)| label && score >= threshold)
        .count();
    let precision = if flagged == 0 {
        1.0
    } else {
        hits as f64 / flagged as f64
    };
    let recall = hits as f64 / positives as f64;
    let f1 = if precision + recall == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    };
    Ok(ThresholdMetrics {
        threshold,
        precision,
        recall,
        f1,
    })
}

/// The ROC curve: `(false-positive rate, true-positive rate)` from `(0, 0)` to `(1, 1)`, one
/// point per distinct score (tied scores move both rates at once, a diagonal step).
///
/// # Errors
///
/// As [`threshold_metrics`].
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::roc_curve;
///
/// let curve = roc_curve(&[0.9, 0.5, 0.5, 0.1], &[true, true, false, false])?;
/// assert_eq!(curve, [(0.0, 0.0), (0.0, 0.5), (0.5, 1.0), (1.0, 1.0)]);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn roc_curve(scores: &[f64], labels: &[bool]) -> Result<Vec<(f64, f64)>, SimError> {
    let (positives, negatives) = check_scored(scores, labels)?;
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let mut curve = vec![(0.0, 0.0)];
    let (mut true_positives, mut false_positives) = (0, 0);
    for (position, &index) in order.iter().enumerate() {
        if labels[index] {
            true_positives += 1;
        } else {
            false_positives += 1;
        }
        let last_of_tie = order
            .get(position + 1)
            .is_none_or(|&next| scores[next] != scores[index]);
        if last_of_tie {
            curve.push((
                false_positives as f64 / negatives as f64,
                true_positives as f64 / positives as f64,
            ));
        }
    }
    Ok(curve)
}

/// The area under the ROC curve, by trapezoids (see the module notes: it equals the
/// Mann-Whitney `U / (n_pos · n_neg)`).
///
/// # Errors
///
/// As [`threshold_metrics`].
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::roc_auc;
///
/// assert_eq!(roc_auc(&[0.9, 0.5, 0.5, 0.1], &[true, true, false, false])?, 0.875);
/// assert_eq!(roc_auc(&[0.1, 0.9], &[true, false])?, 0.0);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn roc_auc(scores: &[f64], labels: &[bool]) -> Result<f64, SimError> {
    let curve = roc_curve(scores, labels)?;
    Ok(curve
        .windows(2)
        .map(|pair| (pair[1].0 - pair[0].0) * (pair[1].1 + pair[0].1) / 2.0)
        .sum())
}

/// Scores of a simulated classifier: `positives` examples scored from a normal distribution
/// with mean `separation`, `negatives` from a standard normal. Its true AUC is
/// `Φ(separation / √2)`.
///
/// # Errors
///
/// [`SimError::Parameter`] for no positives or no negatives, or a separation that is not a
/// finite number.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::{roc_auc, scored_examples};
///
/// let (scores, labels) = scored_examples(1_000, 1_000, 1.0, 1)?;
/// assert_eq!(labels.iter().filter(|&&positive| positive).count(), 1_000);
/// let auc = roc_auc(&scores, &labels)?;
/// assert!((auc - 0.760).abs() < 0.03); // Φ(1/√2) = 0.760
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn scored_examples(
    positives: usize,
    negatives: usize,
    separation: f64,
    seed: u64,
) -> Result<(Vec<f64>, Vec<bool>), SimError> {
    if positives == 0 || negatives == 0 {
        return Err(SimError::parameter(
            "example count",
            format!("{positives} positive and {negatives} negative"),
            "there must be at least one of each",
        ));
    }
    if !separation.is_finite() {
        return Err(SimError::parameter(
            "separation",
            separation,
            "a finite number of standard deviations",
        ));
    }
    let mut rng = Rng::new(seed);
    let mut scores = Vec::with_capacity(positives + negatives);
    let mut labels = Vec::with_capacity(positives + negatives);
    for index in 0..positives + negatives {
        let positive = index < positives;
        let shift = if positive { separation } else { 0.0 };
        scores.push(shift + rng.normal());
        labels.push(positive);
    }
    Ok((scores, labels))
}
