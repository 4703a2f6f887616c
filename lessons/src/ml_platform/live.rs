//! Figures for the notebook's live controls: one experiment at the controls' values, with the
//! number to look for in the title, small enough to redraw as a slider moves.

use super::ab_test::ab_power_experiment;
use super::drift::{AlarmSummary, DriftRow};
use super::figures::drift_figure_titled;
use super::proportions::{power_two_proportions, sample_size_per_arm};
use crate::sim::SimError;
use crate::viz::Figure;

/// The power of a two-sided test of `treatment_rate` against `control_rate` at `alpha`, for
/// 1,000 to 40,000 trials per arm: the formula (line) and `runs` simulated tests at six sizes
/// (points), titled with the size per arm that gives 80% power. It lets you test how fast the
/// needed sample grows as the difference shrinks.
///
/// # Errors
///
/// [`SimError::Parameter`] for rates outside [0, 1] or equal to each other, alpha outside
/// (0, 1), or runs outside 1..=100,000.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::power_curve_figure;
///
/// let figure = power_curve_figure(0.003, 0.005, 0.05, 50, 1)?;
/// assert_eq!(figure.title(), "0.3% against 0.50%: 80% power needs 15634 per arm");
/// assert!(power_curve_figure(0.003, 0.003, 0.05, 50, 1).is_err());
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn power_curve_figure(
    control_rate: f64,
    treatment_rate: f64,
    alpha: f64,
    runs: u64,
    seed: u64,
) -> Result<Figure, SimError> {
    let needed = sample_size_per_arm(control_rate, treatment_rate, alpha, 0.8)?;
    let arm_sizes = [2_000, 5_000, 10_000, 20_000, 30_000, 40_000];
    let rows = ab_power_experiment(
        control_rate,
        &[treatment_rate],
        &arm_sizes,
        runs,
        alpha,
        seed,
    )?;
    let formula = (1..=40)
        .map(|thousands| {
            let per_arm = thousands * 1_000;
            let power =
                power_two_proportions(treatment_rate, per_arm, control_rate, per_arm, alpha)?;
            Ok((per_arm as f64, power))
        })
        .collect::<Result<Vec<_>, SimError>>()?;
    let title = format!(
        "{}% against {:.2}%: 80% power needs {needed} per arm",
        control_rate * 100.0,
        treatment_rate * 100.0
    );
    Ok(Figure::new(title)
        .x_label("trials per arm")
        .y_label("P(the test finds the difference)")
        .line(format!("formula, alpha {alpha} two-sided"), formula)
        .points(
            format!("simulated, {runs} tests per point"),
            rows.iter().map(|row| (row.per_arm as f64, row.simulated)),
        ))
}

/// PSI and KS D window by window, as [`drift_figure`](super::drift_figure) draws them, titled
/// with each monitor's alarms before and after the shift, so a change of the shift or the
/// window size shows at once which monitor sees it.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::{DriftParameters, drift_alarms_figure, drift_experiment};
///
/// let rows = drift_experiment(&DriftParameters::default(), 6)?;
/// assert_eq!(
///     drift_alarms_figure(&rows, 0.2).title(),
///     "Alarms before the shift: PSI 0, KS 0; after: PSI 0, KS 20"
/// );
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn drift_alarms_figure(rows: &[DriftRow], psi_threshold: f64) -> Figure {
    let alarms = AlarmSummary::of(rows);
    let title = format!(
        "Alarms before the shift: PSI {}, KS {}; after: PSI {}, KS {}",
        alarms.psi_before, alarms.ks_before, alarms.psi_after, alarms.ks_after
    );
    drift_figure_titled(rows, psi_threshold, title)
}
