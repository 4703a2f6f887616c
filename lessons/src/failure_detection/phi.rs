//! The phi accrual failure detector: a suspicion level instead of a yes/no answer.

use std::collections::VecDeque;
use std::f64::consts::LN_10;

use serde::Serialize;

use super::detector::Detector;
use crate::sim::{SimError, Time};

/// How phi models the time to the next heartbeat.
///
/// # Examples
///
/// ```
/// use lessons::failure_detection::PhiModel;
/// use lessons::sim::ms;
///
/// let akka_like = PhiModel::Normal { min_stddev: ms(100) };
/// assert_ne!(akka_like, PhiModel::Exponential);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum PhiModel {
    /// Intervals are exponential with the window's mean, so
    /// `phi(t) = t / (mean · ln 10)`: the model Cassandra's detector uses.
    Exponential,
    /// Intervals are normal with the window's mean and standard deviation (never below
    /// `min_stddev`), and the tail is the logistic approximation Akka's detector uses.
    Normal {
        /// A floor for the standard deviation, so perfectly regular beats do not make every
        /// late beat look impossible.
        min_stddev: Time,
    },
}

/// A phi accrual detector (Hayashibara et al. 2004): it keeps the last `window` heartbeat
/// intervals and, after `t` of silence, reports `phi = -log10 P(the next beat comes later than
/// t)`. A caller suspects when phi crosses its threshold (Cassandra's `phi_convict_threshold`
/// defaults to 8).
///
/// # Examples
///
/// ```
/// use lessons::failure_detection::{PhiAccrual, PhiModel};
/// use lessons::sim::secs;
///
/// let mut detector = PhiAccrual::new(PhiModel::Exponential, 100)?;
/// for beat in 0..=10 {
///     detector.heartbeat(secs(beat));
/// }
/// // phi = 8 after 8·ln(10) ≈ 18.42 mean intervals of silence
/// let phi = detector.phi(secs(10) + lessons::sim::ms(18_421));
/// assert!((phi - 8.0).abs() < 1e-3);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct PhiAccrual {
    model: PhiModel,
    window: usize,
    intervals: VecDeque<f64>,
    last_heard: Option<Time>,
}

impl PhiAccrual {
    /// The largest window accepted.
    pub const MAX_WINDOW: usize = 100_000;

    /// A detector with `model` over the last `window` intervals.
    ///
    /// # Errors
    ///
    /// [`SimError::Parameter`] for a window of 0 or above [`PhiAccrual::MAX_WINDOW`], or a
    /// normal model whose `min_stddev` is not positive.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::failure_detection::{PhiAccrual, PhiModel};
    /// use lessons::sim::ms;
    ///
    /// assert!(PhiAccrual::new(PhiModel::Exponential, 0).is_err());
    /// assert!(PhiAccrual::new(PhiModel::Normal { min_stddev: ms(0) }, 10).is_err());
    /// ```
    pub fn new(model: PhiModel, window: usize) -> Result<PhiAccrual, SimError> {
        if !(1..=Self::MAX_WINDOW).contains(&window) {
            return Err(SimError::parameter(
                "window",
                window,
                format!("keep from 1 to {} intervals", Self::MAX_WINDOW),
            ));
        }
        if let PhiModel::Normal { min_stddev } = model
            && min_stddev <= Time::ZERO
        {
            return Err(SimError::parameter(
                "min_stddev",
                min_stddev,
                "the floor for the standard deviation must be positive",
            ));
        }
        Ok(PhiAccrual {
            model,
            window,
            intervals: VecDeque::with_capacity(window),
            last_heard: None,
        })
    }

    /// Records a heartbeat arriving at `at`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::failure_detection::{PhiAccrual, PhiModel};
    /// use lessons::sim::ms;
    ///
    /// let mut detector = PhiAccrual::new(PhiModel::Exponential, 2)?;
    /// for at in [0, 100, 300, 600] {
    ///     detector.heartbeat(ms(at));
    /// }
    /// assert_eq!(detector.mean_interval(), Some(ms(250))); // only the last 2 intervals
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn heartbeat(&mut self, at: Time) {
        if let Some(last) = self.last_heard {
            if self.intervals.len() == self.window {
                self.intervals.pop_front();
            }
            self.intervals.push_back((at - last).as_nanos() as f64);
        }
        self.last_heard = Some(at);
    }

    /// The mean interval in the window, once there is one.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::failure_detection::{PhiAccrual, PhiModel};
    /// use lessons::sim::ms;
    ///
    /// let detector = PhiAccrual::new(PhiModel::Exponential, 10)?;
    /// assert_eq!(detector.mean_interval(), None);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn mean_interval(&self) -> Option<Time> {
        self.statistics()
            .map(|(mean, _)| Time::from_nanos_f64(mean))
    }

    /// The suspicion level at `now`: `-log10` of the probability, under the model, that a
    /// heartbeat is still to come after this much silence. 0 until two heartbeats were heard.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::failure_detection::{PhiAccrual, PhiModel};
    /// use lessons::sim::ms;
    ///
    /// let mut detector = PhiAccrual::new(PhiModel::Normal { min_stddev: ms(10) }, 10)?;
    /// for at in [0, 100, 200] {
    ///     detector.heartbeat(ms(at));
    /// }
    /// assert!((detector.phi(ms(300)) - 0.30103).abs() < 1e-5); // on time: P(later) = 1/2
    /// assert!(detector.phi(ms(360)) > 8.0); // six floors late
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn phi(&self, now: Time) -> f64 {
        match (self.last_heard, self.statistics()) {
            (Some(last), Some((mean, variance))) => {
                let silence = (now - last).as_nanos().max(0) as f64;
                self.phi_after(silence, mean, variance)
            }
            _ => 0.0,
        }
    }

    fn phi_after(&self, silence: f64, mean: f64, variance: f64) -> f64 {
        match self.model {
            PhiModel::Exponential => silence / (mean * LN_10),
            PhiModel::Normal { min_stddev } => {
                let stddev = variance.sqrt().max(min_stddev.as_nanos() as f64);
                let y = (silence - mean) / stddev;
                let e = (-y * (1.5976 + 0.070566 * y * y)).exp();
                // Two forms of e / (1 + e), each exact where the other loses digits.
                let later = if silence > mean {
                    e / (1.0 + e)
                } else {
                    1.0 - 1.0 / (1.0 + e)
                };
                -later.log10()
            }
        }
    }

    /// The window's mean and population variance, in nanoseconds.
    fn statistics(&self) -> Option<(f64, f64)> {
        if self.intervals.is_empty() {
            return None;
        }
        let count = self.intervals.len() as f64;
        let mean = self.intervals.iter().sum::<f64>() / count;
        let variance = self
            .intervals
            .iter()
            .map(|interval| (interval - mean).powi(2))
            .sum::<f64>()
            / count;
        Some((mean, variance))
    }

    /// How long after the last heartbeat phi reaches `threshold`, under the current window.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::failure_detection::{PhiAccrual, PhiModel};
    /// use lessons::sim::secs;
    ///
    /// let mut detector = PhiAccrual::new(PhiModel::Exponential, 10)?;
    /// detector.heartbeat(secs(0));
    /// detector.heartbeat(secs(1));
    /// let silence = detector.silence_to_reach(8.0).unwrap();
    /// assert_eq!(format!("{:.2}", silence.as_secs_f64()), "18.42");
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn silence_to_reach(&self, threshold: f64) -> Option<Time> {
        let (mean, variance) = self.statistics()?;
        if let PhiModel::Exponential = self.model {
            return Some(Time::from_nanos_f64(threshold * mean * LN_10));
        }
        // phi grows with silence: bisect between a silence below and one above the threshold.
        let (mut low, mut high) = (0.0, mean.max(1.0));
        while self.phi_after(high, mean, variance) < threshold {
            low = high;
            high *= 2.0;
            if high > 1e18 {
                return None;
            }
        }
        while high - low > 1.0 {
            let middle = (low + high) / 2.0;
            if self.phi_after(middle, mean, variance) < threshold {
                low = middle;
            } else {
                high = middle;
            }
        }
        Some(Time::from_nanos(high.ceil() as i64))
    }

    /// This detector with a threshold: it suspects once phi reaches `threshold`.
    ///
    /// # Errors
    ///
    /// [`SimError::Parameter`] for a threshold that is not positive and finite.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::failure_detection::{Detector, PhiAccrual, PhiModel};
    /// use lessons::sim::secs;
    ///
    /// let mut detector = PhiAccrual::new(PhiModel::Exponential, 10)?.suspect_at(8.0)?;
    /// detector.heartbeat(secs(0));
    /// detector.heartbeat(secs(1));
    /// assert!(!detector.suspects(secs(19)));
    /// assert!(detector.suspects(secs(20)));
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn suspect_at(self, threshold: f64) -> Result<PhiThreshold, SimError> {
        if !(threshold > 0.0 && threshold.is_finite()) {
            return Err(SimError::parameter(
                "threshold",
                threshold,
                "a phi threshold must be positive and finite (Cassandra's default is 8)",
            ));
        }
        Ok(PhiThreshold {
            phi: self,
            threshold,
        })
    }
}

/// A [`PhiAccrual`] detector with the threshold at which its user suspects.
///
/// # Examples
///
/// ```
/// use lessons::failure_detection::{Detector, PhiAccrual, PhiModel};
///
/// let detector = PhiAccrual::new(PhiModel::Exponential, 10)?.suspect_at(8.0)?;
/// assert_eq!(detector.name(), "phi ≥ 8, exponential");
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct PhiThreshold {
    phi: PhiAccrual,
    threshold: f64,
}

impl PhiThreshold {
    /// The detector inside.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::failure_detection::{PhiAccrual, PhiModel};
    ///
    /// let detector = PhiAccrual::new(PhiModel::Exponential, 10)?.suspect_at(8.0)?;
    /// assert_eq!(detector.accrual().mean_interval(), None);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn accrual(&self) -> &PhiAccrual {
        &self.phi
    }
}

impl Detector for PhiThreshold {
    fn heartbeat(&mut self, at: Time) {
        self.phi.heartbeat(at);
    }

    fn deadline(&self) -> Option<Time> {
        Some(self.phi.last_heard? + self.phi.silence_to_reach(self.threshold)?)
    }

    fn name(&self) -> String {
        let model = match self.phi.model {
            PhiModel::Exponential => "exponential",
            PhiModel::Normal { .. } => "normal",
        };
        format!("phi ≥ {}, {model}", self.threshold)
    }
}
