//! Drift detection: has the distribution of a feature moved away from the one the model was
//! trained on?
//!
//! Two common monitors compare a window of recent values with a reference sample:
//!
//! * **PSI**, the population stability index: cut the reference into bins (here at its
//!   deciles), and sum `(actual − expected) · ln(actual / expected)` over the bins' shares. It
//!   is 0 for identical shares, never negative, and symmetric in the two. A widespread rule of
//!   thumb reads below 0.1 as stable and above 0.2 (some say 0.25) as a shift; the rule has no
//!   sample size in it, which is its weakness.
//! * **KS**, the two-sample Kolmogorov-Smirnov statistic `D`: the largest vertical gap between
//!   the two empirical CDFs. Its p-value here is the asymptotic Kolmogorov distribution,
//!   `Q(λ) = 2 Σ (−1)^(k−1) e^(−2k²λ²)` at `λ = D √(nm / (n + m))`; the 5% critical value is
//!   `1.358 √((n + m) / nm)`, 0.0607 for two samples of 1,000.
//!
//! Neither knows whether the model got worse: that needs labels, which often arrive late.
//!
//! # References
//!
//! * Bilal Yurdakul, "Statistical Properties of Population Stability Index", PhD thesis,
//!   Western Michigan University, 2018 (PSI, its null distribution, thresholds).
//! * Nikolai Smirnov, "Table for Estimating the Goodness of Fit of Empirical Distributions",
//!   Annals of Mathematical Statistics 19(2), 1948 (the two-sample statistic and its limit).

use serde::Serialize;

use super::proportions::open_unit;
use crate::sim::{Rng, SimError};

/// The share given to an empty bin, so that the logarithm stays finite.
pub const EMPTY_BIN_SHARE: f64 = 1e-4;

/// The population stability index of `actual` bin shares against `expected` ones (each a list
/// of proportions over the same bins; a zero share counts as [`EMPTY_BIN_SHARE`]).
///
/// # Errors
///
/// [`SimError::Parameter`] for lists of different lengths, no bins, or a share that is not a
/// number from 0 to 1.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::psi;
///
/// let value = psi(&[0.25, 0.25, 0.25, 0.25], &[0.10, 0.20, 0.30, 0.40])?;
/// assert_eq!(format!("{value:.4}"), "0.2282");
/// assert_eq!(psi(&[0.5, 0.5], &[0.5, 0.5])?, 0.0);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn psi(expected: &[f64], actual: &[f64]) -> Result<f64, SimError> {
    if expected.len() != actual.len() || expected.is_empty() {
        return Err(SimError::parameter(
            "bin count",
            format!("{} and {}", expected.len(), actual.len()),
            "both lists need the same number of bins, at least one",
        ));
    }
    if let Some(bad) = expected
        .iter()
        .chain(actual)
        .find(|share| !(0.0..=1.0).contains(*share))
    {
        return Err(SimError::parameter(
            "bin share",
            bad,
            "a share is a proportion from 0 to 1",
        ));
    }
    Ok(expected
        .iter()
        .zip(actual)
        .map(|(&e, &a)| {
            let (e, a) = (e.max(EMPTY_BIN_SHARE), a.max(EMPTY_BIN_SHARE));
            (a - e) * (a / e).ln()
        })
        .sum())
}

fn sorted_sample(what: &'static str, values: &[f64]) -> Result<Vec<f64>, SimError> {
    if values.is_empty() {
        return Err(SimError::NoValues { what });
    }
    if values.iter().any(|value| value.is_nan()) {
        return Err(SimError::parameter(
            "value",
            "NaN",
            "samples must hold numbers",
        ));
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    Ok(sorted)
}

/// The PSI of a `current` sample against a `reference` one, with `bins` bins cut at the
/// reference's quantiles (so each holds about `1 / bins` of the reference).
///
/// # Errors
///
/// [`SimError::NoValues`] for an empty sample, [`SimError::Parameter`] for a NaN or `bins`
/// outside 2..=100.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::psi_of_samples;
///
/// let reference: Vec<f64> = (0..100).map(f64::from).collect();
/// assert_eq!(psi_of_samples(&reference, &reference, 10)?, 0.0);
/// let higher: Vec<f64> = (50..150).map(f64::from).collect();
/// assert!(psi_of_samples(&reference, &higher, 10)? > 1.0);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn psi_of_samples(reference: &[f64], current: &[f64], bins: usize) -> Result<f64, SimError> {
    let reference = sorted_sample("PSI reference", reference)?;
    let current = sorted_sample("PSI window", current)?;
    psi_of_sorted(&reference, &current, bins)
}

fn psi_of_sorted(reference: &[f64], current: &[f64], bins: usize) -> Result<f64, SimError> {
    if !(2..=100).contains(&bins) {
        return Err(SimError::parameter(
            "PSI bin count",
            bins,
            "from 2 to 100 bins",
        ));
    }
    let edges: Vec<f64> = (1..bins)
        .map(|k| reference[k * reference.len() / bins])
        .collect();
    let shares = |sorted: &[f64]| -> Vec<f64> {
        let mut below_previous = 0;
        let mut shares: Vec<f64> = edges
            .iter()
            .map(|&edge| {
                let below = sorted.partition_point(|&value| value < edge);
                let share = (below - below_previous) as f64 / sorted.len() as f64;
                below_previous = below;
                share
            })
            .collect();
        shares.push((sorted.len() - below_previous) as f64 / sorted.len() as f64);
        shares
    };
    psi(&shares(reference), &shares(current))
}

/// The two-sample Kolmogorov-Smirnov statistic: the largest gap between the empirical CDFs of
/// `first` and `second`, a number in [0, 1].
///
/// # Errors
///
/// [`SimError::NoValues`] for an empty sample, [`SimError::Parameter`] for a NaN.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::ks_statistic;
///
/// assert_eq!(ks_statistic(&[1.0, 2.0, 3.0], &[1.0, 2.0, 3.0])?, 0.0);
/// assert_eq!(ks_statistic(&[1.0, 2.0], &[3.0, 4.0])?, 1.0);
/// assert_eq!(ks_statistic(&[1.0, 2.0, 3.0, 4.0], &[3.0, 4.0])?, 0.5);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn ks_statistic(first: &[f64], second: &[f64]) -> Result<f64, SimError> {
    let first = sorted_sample("KS first sample", first)?;
    let second = sorted_sample("KS second sample", second)?;
    Ok(ks_of_sorted(&first, &second))
}

fn ks_of_sorted(first: &[f64], second: &[f64]) -> f64 {
    let (mut i, mut j, mut largest) = (0, 0, 0.0_f64);
    while i < first.len() && j < second.len() {
        let value = first[i].min(second[j]);
        while i < first.len() && first[i] == value {
            i += 1;
        }
        while j < second.len() && second[j] == value {
            j += 1;
        }
        let gap = (i as f64 / first.len() as f64 - j as f64 / second.len() as f64).abs();
        largest = largest.max(gap);
    }
    largest
}

/// The Kolmogorov distribution's upper tail, `Q(λ) = P(K > λ)`.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::kolmogorov_upper_tail;
///
/// assert_eq!(format!("{:.4}", kolmogorov_upper_tail(1.3581)), "0.0500");
/// assert_eq!(kolmogorov_upper_tail(0.0), 1.0);
/// ```
pub fn kolmogorov_upper_tail(lambda: f64) -> f64 {
    // The alternating series converges slowly near 0, where Q is 1 to double precision.
    if lambda < 0.2 {
        return 1.0;
    }
    let mut sum = 0.0;
    for k in 1..=100 {
        let k = k as f64;
        let term = (-2.0 * k * k * lambda * lambda).exp();
        sum += if k as u64 % 2 == 1 { term } else { -term };
        if term < 1e-17 {
            break;
        }
    }
    (2.0 * sum).clamp(0.0, 1.0)
}

/// The asymptotic p-value of a KS statistic `d` from samples of sizes `n` and `m`.
///
/// # Errors
///
/// [`SimError::Parameter`] for a sample size of 0 or `d` outside [0, 1].
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::ks_p_value;
///
/// assert_eq!(format!("{:.3}", ks_p_value(0.0607, 1_000, 1_000)?), "0.050");
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn ks_p_value(d: f64, n: usize, m: usize) -> Result<f64, SimError> {
    if !(0.0..=1.0).contains(&d) {
        return Err(SimError::parameter("KS statistic", d, "D is from 0 to 1"));
    }
    let scale = effective_size(n, m)?;
    Ok(kolmogorov_upper_tail(d * scale))
}

fn effective_size(n: usize, m: usize) -> Result<f64, SimError> {
    if n == 0 || m == 0 {
        return Err(SimError::parameter(
            "KS sample size",
            n.min(m),
            "both samples need at least one value",
        ));
    }
    let (n, m) = (n as f64, m as f64);
    Ok((n * m / (n + m)).sqrt())
}

/// The asymptotic critical value of the two-sample KS statistic at level `alpha` for samples of
/// sizes `n` and `m`: reject "same distribution" when `D` exceeds it.
///
/// # Errors
///
/// [`SimError::Parameter`] for `alpha` outside (0, 1) or a sample size of 0.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::ks_critical_value;
///
/// assert_eq!(format!("{:.4}", ks_critical_value(0.05, 1_000, 1_000)?), "0.0607");
/// assert!(ks_critical_value(0.0, 1_000, 1_000).is_err());
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn ks_critical_value(alpha: f64, n: usize, m: usize) -> Result<f64, SimError> {
    let alpha = open_unit("alpha", alpha)?;
    let scale = effective_size(n, m)?;
    // Q falls from 1 to 0 as λ grows; bisect for Q(λ) = alpha.
    let (mut low, mut high) = (0.0, 10.0);
    for _ in 0..100 {
        let middle = (low + high) / 2.0;
        if kolmogorov_upper_tail(middle) > alpha {
            low = middle;
        } else {
            high = middle;
        }
    }
    Ok((low + high) / 2.0 / scale)
}

/// A drifting feature stream: a reference sample, then windows of fresh values, standard normal
/// until `shift_at` and normal with mean `shift` and standard deviation `spread` from then on.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::DriftParameters;
///
/// let defaults = DriftParameters::default();
/// assert_eq!((defaults.window_size, defaults.windows, defaults.shift_at), (1_000, 40, 20));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DriftParameters {
    /// Values in the reference sample (the training data's distribution).
    pub reference_size: usize,
    /// Values per monitored window.
    pub window_size: usize,
    /// How many windows.
    pub windows: usize,
    /// The first window drawn from the shifted distribution.
    pub shift_at: usize,
    /// The mean after the shift, in reference standard deviations.
    pub shift: f64,
    /// The standard deviation after the shift (1 keeps it).
    pub spread: f64,
    /// PSI bins (cut at the reference's quantiles).
    pub bins: usize,
    /// A window alarms on PSI above this.
    pub psi_threshold: f64,
    /// A window alarms on a KS p-value below this.
    pub alpha: f64,
}

impl Default for DriftParameters {
    fn default() -> Self {
        DriftParameters {
            reference_size: 5_000,
            window_size: 1_000,
            windows: 40,
            shift_at: 20,
            shift: 0.2,
            spread: 1.0,
            bins: 10,
            psi_threshold: 0.2,
            alpha: 0.05,
        }
    }
}

/// One monitored window of [`drift_experiment`].
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::{DriftParameters, drift_experiment};
///
/// let rows = drift_experiment(&DriftParameters::default(), 1)?;
/// assert_eq!(rows.len(), 40);
/// assert!(!rows[0].shifted && rows[20].shifted);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DriftRow {
    /// The window's number, from 0.
    pub window: usize,
    /// Whether its values come from the shifted distribution.
    pub shifted: bool,
    /// Its PSI against the reference.
    pub psi: f64,
    /// Its KS statistic against the reference.
    pub ks_d: f64,
    /// The KS p-value.
    pub ks_p: f64,
    /// PSI above the threshold.
    pub psi_alarm: bool,
    /// KS p-value below alpha.
    pub ks_alarm: bool,
}

fn check_drift(parameters: &DriftParameters) -> Result<(), SimError> {
    if parameters.reference_size < 100 || parameters.window_size < 10 {
        return Err(SimError::parameter(
            "sample size",
            format!(
                "{} reference and {} per window",
                parameters.reference_size, parameters.window_size
            ),
            "the reference needs at least 100 values and a window at least 10",
        ));
    }
    if parameters.windows == 0 || parameters.windows > 10_000 {
        return Err(SimError::parameter(
            "window count",
            parameters.windows,
            "from 1 to 10,000 windows",
        ));
    }
    if !(parameters.shift.is_finite() && parameters.spread > 0.0 && parameters.spread < 100.0) {
        return Err(SimError::parameter(
            "shift",
            format!("mean {} spread {}", parameters.shift, parameters.spread),
            "a finite mean and a spread between 0 and 100",
        ));
    }
    open_unit("alpha", parameters.alpha)?;
    Ok(())
}

/// Runs the monitors over a stream that shifts (see [`DriftParameters`]).
///
/// # Errors
///
/// [`SimError::Parameter`] for samples too small to bin (under 100 reference values, under 10
/// per window), no windows, a spread that is not positive, or alpha outside (0, 1).
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::{DriftParameters, drift_experiment};
///
/// let big_shift = DriftParameters { shift: 1.0, ..DriftParameters::default() };
/// let rows = drift_experiment(&big_shift, 1)?;
/// assert!(rows[20..].iter().all(|row| row.psi_alarm && row.ks_alarm));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn drift_experiment(
    parameters: &DriftParameters,
    seed: u64,
) -> Result<Vec<DriftRow>, SimError> {
    check_drift(parameters)?;
    let mut rng = Rng::new(seed);
    let reference: Vec<f64> = (0..parameters.reference_size)
        .map(|_| rng.normal())
        .collect();
    let reference = sorted_sample("drift reference", &reference)?;
    let mut rows = Vec::with_capacity(parameters.windows);
    for window in 0..parameters.windows {
        let shifted = window >= parameters.shift_at;
        let (mean, spread) = if shifted {
            (parameters.shift, parameters.spread)
        } else {
            (0.0, 1.0)
        };
        let values: Vec<f64> = (0..parameters.window_size)
            .map(|_| mean + spread * rng.normal())
            .collect();
        let values = sorted_sample("drift window", &values)?;
        let psi = psi_of_sorted(&reference, &values, parameters.bins)?;
        let ks_d = ks_of_sorted(&reference, &values);
        let ks_p = ks_p_value(ks_d, reference.len(), values.len())?;
        rows.push(DriftRow {
            window,
            shifted,
            psi,
            ks_d,
            ks_p,
            psi_alarm: psi > parameters.psi_threshold,
            ks_alarm: ks_p < parameters.alpha,
        });
    }
    Ok(rows)
}

/// How often each monitor alarms when nothing changed, for one window size.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::false_alarm_experiment;
///
/// let rows = false_alarm_experiment(&[50], 200, 1)?;
/// assert_eq!(rows[0].window_size, 50);
/// assert!(rows[0].psi_alarm_rate > 0.1); // PSI on 50 values is mostly noise
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FalseAlarmRow {
    /// Values per window.
    pub window_size: usize,
    /// The mean PSI of a window from the reference distribution itself, to 4 decimals.
    pub mean_psi: f64,
    /// The share of windows with PSI above 0.2.
    pub psi_alarm_rate: f64,
    /// The share of windows with a KS p-value below 0.05.
    pub ks_alarm_rate: f64,
}

/// The false-alarm rates of PSI (above 0.2) and KS (p below 0.05) over `windows` windows of
/// each size drawn from the reference distribution itself (reference of 5,000 values,
/// 10 bins).
///
/// # Errors
///
/// As [`drift_experiment`] for each window size.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::false_alarm_experiment;
///
/// let rows = false_alarm_experiment(&[1_000], 200, 2)?;
/// assert_eq!(rows[0].psi_alarm_rate, 0.0);
/// assert!(rows[0].ks_alarm_rate < 0.1);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn false_alarm_experiment(
    window_sizes: &[usize],
    windows: usize,
    seed: u64,
) -> Result<Vec<FalseAlarmRow>, SimError> {
    window_sizes
        .iter()
        .map(|&window_size| {
            let parameters = DriftParameters {
                window_size,
                windows,
                shift_at: windows,
                ..DriftParameters::default()
            };
            let rows = drift_experiment(&parameters, seed)?;
            let share = |alarm: fn(&DriftRow) -> bool| {
                rows.iter().filter(|row| alarm(row)).count() as f64 / windows as f64
            };
            Ok(FalseAlarmRow {
                window_size,
                mean_psi: round4(rows.iter().map(|row| row.psi).sum::<f64>() / windows as f64),
                psi_alarm_rate: share(|row| row.psi_alarm),
                ks_alarm_rate: share(|row| row.ks_alarm),
            })
        })
        .collect()
}

fn round4(value: f64) -> f64 {
    (value * 10_000.0).round() / 10_000.0
}

/// How often each monitor alarmed before and after the shift of one [`drift_experiment`] run.
///
/// # Examples
///
/// ```
/// use lessons::ml_platform::{AlarmSummary, DriftParameters, drift_experiment};
///
/// let big_shift = DriftParameters { shift: 1.0, ..DriftParameters::default() };
/// let summary = AlarmSummary::of(&drift_experiment(&big_shift, 1)?);
/// assert_eq!((summary.windows_after, summary.psi_after, summary.ks_after), (20, 20, 20));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AlarmSummary {
    /// Windows before the shift.
    pub windows_before: usize,
    /// PSI alarms before the shift (all false).
    pub psi_before: usize,
    /// KS alarms before the shift (all false).
    pub ks_before: usize,
    /// Windows from the shift on.
    pub windows_after: usize,
    /// PSI alarms from the shift on.
    pub psi_after: usize,
    /// KS alarms from the shift on.
    pub ks_after: usize,
    /// The largest PSI from the shift on (0 if no window is shifted).
    pub largest_psi_after: f64,
    /// The mean PSI from the shift on (0 if no window is shifted).
    pub mean_psi_after: f64,
}

impl AlarmSummary {
    /// Counts the alarms in `rows`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::ml_platform::{AlarmSummary, DriftParameters, drift_experiment};
    ///
    /// let summary = AlarmSummary::of(&drift_experiment(&DriftParameters::default(), 1)?);
    /// assert_eq!(summary.windows_before + summary.windows_after, 40);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn of(rows: &[DriftRow]) -> AlarmSummary {
        let (after, before): (Vec<&DriftRow>, Vec<&DriftRow>) =
            rows.iter().partition(|row| row.shifted);
        let count = |rows: &[&DriftRow], alarm: fn(&DriftRow) -> bool| {
            rows.iter().filter(|row| alarm(row)).count()
        };
        let psi_after: Vec<f64> = after.iter().map(|row| row.psi).collect();
        AlarmSummary {
            windows_before: before.len(),
            psi_before: count(&before, |row| row.psi_alarm),
            ks_before: count(&before, |row| row.ks_alarm),
            windows_after: after.len(),
            psi_after: count(&after, |row| row.psi_alarm),
            ks_after: count(&after, |row| row.ks_alarm),
            largest_psi_after: psi_after.iter().copied().fold(0.0, f64::max),
            mean_psi_after: psi_after.iter().sum::<f64>() / psi_after.len().max(1) as f64,
        }
    }
}
