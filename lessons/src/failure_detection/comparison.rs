//! Fixed, adaptive and phi accrual detectors on the same heartbeats, before and after the
//! network changes.

use serde::Serialize;

use super::adaptive::AdaptiveTimeout;
use super::detector::{Detector, judge};
use super::heartbeat::{HeartbeatDetector, beats, positive, round_to};
use super::phi::{PhiAccrual, PhiModel};
use crate::sim::probability;
use crate::sim::{Latency, Rng, SimError, Time};

/// A detector and its setting, as a plain value an experiment can build fresh for every run.
///
/// # Examples
///
/// ```
/// use lessons::failure_detection::DetectorSetting;
/// use lessons::sim::secs;
///
/// let setting = DetectorSetting::FixedTimeout { timeout: secs(3) };
/// assert_eq!(setting.family(), "fixed timeout");
/// assert!(setting.build().is_ok());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum DetectorSetting {
    /// Suspect after `timeout` of silence.
    FixedTimeout {
        /// The silence tolerated.
        timeout: Time,
    },
    /// [`AdaptiveTimeout`] with `SRTT + deviations·RTTVAR`.
    Adaptive {
        /// `k` in `SRTT + k·RTTVAR`.
        deviations: f64,
    },
    /// [`PhiAccrual`] with the exponential model, suspecting at `threshold`.
    PhiExponential {
        /// The phi level at which to suspect.
        threshold: f64,
        /// Intervals kept.
        window: usize,
    },
    /// [`PhiAccrual`] with the normal model, suspecting at `threshold`.
    PhiNormal {
        /// The phi level at which to suspect.
        threshold: f64,
        /// Intervals kept.
        window: usize,
        /// The floor for the standard deviation.
        min_stddev: Time,
    },
}

impl DetectorSetting {
    /// A fresh detector with this setting.
    ///
    /// # Errors
    ///
    /// The detector's own [`SimError::Parameter`] for an invalid setting.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::failure_detection::DetectorSetting;
    ///
    /// let setting = DetectorSetting::PhiExponential { threshold: 8.0, window: 0 };
    /// assert!(setting.build().is_err());
    /// ```
    pub fn build(&self) -> Result<Box<dyn Detector>, SimError> {
        Ok(match *self {
            DetectorSetting::FixedTimeout { timeout } => {
                Box::new(HeartbeatDetector::new(timeout, 1)?)
            }
            DetectorSetting::Adaptive { deviations } => Box::new(AdaptiveTimeout::new(deviations)?),
            DetectorSetting::PhiExponential { threshold, window } => {
                Box::new(PhiAccrual::new(PhiModel::Exponential, window)?.suspect_at(threshold)?)
            }
            DetectorSetting::PhiNormal {
                threshold,
                window,
                min_stddev,
            } => Box::new(
                PhiAccrual::new(PhiModel::Normal { min_stddev }, window)?.suspect_at(threshold)?,
            ),
        })
    }

    /// The kind of detector, for a plot's legend.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::failure_detection::DetectorSetting;
    ///
    /// assert_eq!(DetectorSetting::Adaptive { deviations: 4.0 }.family(), "SRTT + k·RTTVAR");
    /// ```
    pub fn family(&self) -> &'static str {
        match self {
            DetectorSetting::FixedTimeout { .. } => "fixed timeout",
            DetectorSetting::Adaptive { .. } => "SRTT + k·RTTVAR",
            DetectorSetting::PhiExponential { .. } => "phi, exponential",
            DetectorSetting::PhiNormal { .. } => "phi, normal",
        }
    }

    /// The setting's knob, as text: the timeout, `k`, or the phi threshold.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::failure_detection::DetectorSetting;
    /// use lessons::sim::ms;
    ///
    /// let setting = DetectorSetting::FixedTimeout { timeout: ms(1_500) };
    /// assert_eq!(setting.knob(), "1.5s");
    /// ```
    pub fn knob(&self) -> String {
        match self {
            DetectorSetting::FixedTimeout { timeout } => timeout.to_string(),
            DetectorSetting::Adaptive { deviations } => format!("k = {deviations}"),
            DetectorSetting::PhiExponential { threshold, .. }
            | DetectorSetting::PhiNormal { threshold, .. } => format!("phi = {threshold}"),
        }
    }
}

/// Heartbeats every `period` whose delays follow `before` until `shift_at` and `after` from
/// then on: a network whose latency regime changes. Each beat is lost with probability `loss`.
///
/// # Examples
///
/// ```
/// use lessons::failure_detection::ShiftingNetwork;
/// use lessons::sim::{Latency, ms, secs};
///
/// let network = ShiftingNetwork::new(
///     secs(1),
///     Latency::constant(ms(10)),
///     Latency::constant(ms(300)),
///     secs(2),
///     0.0,
/// )?;
/// let arrivals = network.arrivals(secs(3), 1);
/// assert_eq!(arrivals, [ms(1_010), ms(2_300), ms(3_300)]);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShiftingNetwork {
    period: Time,
    before: Latency,
    after: Latency,
    shift_at: Time,
    loss: f64,
}

impl ShiftingNetwork {
    /// A heartbeat stream over a network that changes at `shift_at`.
    ///
    /// # Errors
    ///
    /// [`SimError::Parameter`] for a non-positive period, an invalid latency or loss.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::failure_detection::ShiftingNetwork;
    /// use lessons::sim::{Latency, ms, secs};
    ///
    /// let steady = Latency::constant(ms(1));
    /// assert!(ShiftingNetwork::new(secs(0), steady.clone(), steady, secs(1), 0.0).is_err());
    /// ```
    pub fn new(
        period: Time,
        before: Latency,
        after: Latency,
        shift_at: Time,
        loss: f64,
    ) -> Result<ShiftingNetwork, SimError> {
        positive("period", period)?;
        before.validate()?;
        after.validate()?;
        probability("loss", loss)?;
        Ok(ShiftingNetwork {
            period,
            before,
            after,
            shift_at,
            loss,
        })
    }

    /// Arrival times, sorted, of the beats sent up to `until`, drawn from `seed`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::failure_detection::ShiftingNetwork;
    /// use lessons::sim::{Latency, ms, secs};
    ///
    /// let lossy = Latency::constant(ms(1));
    /// let network = ShiftingNetwork::new(secs(1), lossy.clone(), lossy, secs(0), 1.0)?;
    /// assert!(network.arrivals(secs(10), 1).is_empty());
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn arrivals(&self, until: Time, seed: u64) -> Vec<Time> {
        let mut rng = Rng::new(seed);
        let mut arrivals: Vec<Time> = beats(self.period, until)
            .filter_map(|sent| {
                let lost = rng.chance(self.loss);
                let latency = if sent < self.shift_at {
                    &self.before
                } else {
                    &self.after
                };
                let delay = latency.sample(&mut rng);
                (!lost).then_some(sent + delay)
            })
            .collect();
        arrivals.sort();
        arrivals
    }

    /// The time between beats.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::failure_detection::ShiftingNetwork;
    /// use lessons::sim::{Latency, ms, secs};
    ///
    /// let steady = Latency::constant(ms(1));
    /// let network = ShiftingNetwork::new(secs(1), steady.clone(), steady, secs(0), 0.0)?;
    /// assert_eq!(network.period(), secs(1));
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn period(&self) -> Time {
        self.period
    }
}

/// One detector setting's score on the comparison: false suspicions of the live sender and
/// how long a crash took to notice.
///
/// # Examples
///
/// ```
/// use lessons::failure_detection::{DetectorSetting, ShiftingNetwork, compare_detectors};
/// use lessons::sim::{Latency, ms, secs};
///
/// let steady = Latency::constant(ms(5));
/// let network = ShiftingNetwork::new(secs(1), steady.clone(), steady, secs(0), 0.0)?;
/// let setting = DetectorSetting::FixedTimeout { timeout: secs(3) };
/// let rows = compare_detectors(&network, &[setting], 1.0, 20, 1)?;
/// assert_eq!(rows[0].false_suspicions_per_hour, 0.0);
/// assert!(rows[0].detection_s > 2.0 && rows[0].detection_s <= 3.005);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DetectorRow {
    /// [`DetectorSetting::family`].
    pub detector: String,
    /// [`DetectorSetting::knob`].
    pub setting: String,
    /// False suspicions of the live sender per hour of heartbeats.
    pub false_suspicions_per_hour: f64,
    /// Mean time from a crash to its detection, in seconds.
    pub detection_s: f64,
}

/// Runs every setting on the same `hours` of heartbeats from `network` (counting false
/// suspicions) and on `crashes` crash trials, each a fresh stream of 200 beats in the
/// network's later regime followed by a crash at a random moment (detection delay).
///
/// # Errors
///
/// [`SimError::Parameter`] for an invalid setting, `hours` outside (0, 100] or no crashes.
///
/// # Examples
///
/// ```
/// use lessons::failure_detection::{DetectorSetting, ShiftingNetwork, compare_detectors};
/// use lessons::sim::{Latency, ms, secs};
///
/// let network = ShiftingNetwork::new(
///     secs(1),
///     Latency::log_normal(ms(10), 0.2),
///     Latency::log_normal(ms(400), 0.6),
///     secs(1_800),
///     0.0,
/// )?;
/// let fixed = DetectorSetting::FixedTimeout { timeout: ms(1_100) };
/// let rows = compare_detectors(&network, &[fixed], 1.0, 10, 1)?;
/// assert!(rows[0].false_suspicions_per_hour > 10.0); // tuned for the calm network only
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn compare_detectors(
    network: &ShiftingNetwork,
    settings: &[DetectorSetting],
    hours: f64,
    crashes: usize,
    seed: u64,
) -> Result<Vec<DetectorRow>, SimError> {
    if !(hours > 0.0 && hours <= 100.0) {
        return Err(SimError::parameter(
            "hours",
            hours,
            "simulate more than 0 and at most 100 hours",
        ));
    }
    if crashes == 0 {
        return Err(SimError::parameter(
            "crashes",
            crashes,
            "run at least 1 crash trial",
        ));
    }
    let span = Time::from_nanos_f64(hours * 3_600e9);
    let alive = network.arrivals(span, seed);
    let later_regime = ShiftingNetwork {
        shift_at: Time::ZERO,
        ..network.clone()
    };
    let trials: Vec<(Vec<Time>, Time)> = (0..crashes)
        .map(|trial| {
            let mut rng = Rng::derive(seed, &[1, trial as u64]);
            let crash = network.period * 200 + rng.between(Time::ZERO, network.period);
            (later_regime.arrivals(crash, rng.next_u64()), crash)
        })
        .collect();
    let mut rows = Vec::new();
    for setting in settings {
        let verdict = judge(setting.build()?.as_mut(), &alive, span);
        let mut total = 0.0;
        for (arrivals, crash) in &trials {
            let delay = judge(setting.build()?.as_mut(), arrivals, *crash).detection_delay;
            total += delay.unwrap_or(*crash).as_secs_f64();
        }
        rows.push(DetectorRow {
            detector: setting.family().to_string(),
            setting: setting.knob(),
            false_suspicions_per_hour: round_to(verdict.false_suspicions as f64 / hours, 2),
            detection_s: round_to(total / crashes as f64, 2),
        });
    }
    Ok(rows)
}

/// One moment of the phi timeline.
///
/// # Examples
///
/// ```
/// use lessons::failure_detection::phi_timeline;
/// use lessons::sim::{Latency, ms, secs};
///
/// let rows = phi_timeline(secs(1), &Latency::constant(ms(5)), None, secs(30), secs(40), ms(500), 1)?;
/// let before = rows.iter().find(|row| row.time_s == 29.0).unwrap();
/// let after = rows.iter().find(|row| row.time_s == 40.0).unwrap();
/// assert!(before.phi_exponential < 1.0 && after.phi_exponential > 4.0);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhiRow {
    /// The moment, in seconds.
    pub time_s: f64,
    /// Silence since the last heartbeat, in seconds.
    pub silence_s: f64,
    /// Phi with the exponential model (window 100).
    pub phi_exponential: f64,
    /// Phi with the normal model (window 100, standard deviation at least 100 ms, Akka's default).
    pub phi_normal: f64,
}

/// Phi over time for a sender beating every `period` over `latency`, with an optional
/// latency spike `(from, to, extra)` that delays every beat sent in `[from, to)` by `extra`,
/// and a crash at `crash_at`; sampled every `step` up to `until`.
///
/// # Errors
///
/// [`SimError::Parameter`] for a non-positive period or step, or more than 100,000 samples.
///
/// # Examples
///
/// ```
/// use lessons::failure_detection::phi_timeline;
/// use lessons::sim::{Latency, ms, secs};
///
/// let spike = Some((secs(10), secs(12), secs(2)));
/// let rows = phi_timeline(secs(1), &Latency::constant(ms(5)), spike, secs(60), secs(20), ms(100), 1)?;
/// let peak = rows.iter().map(|row| row.phi_normal).fold(0.0, f64::max);
/// assert!(peak > 8.0); // a 2 s spike looks like death to a 100 ms standard deviation
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn phi_timeline(
    period: Time,
    latency: &Latency,
    spike: Option<(Time, Time, Time)>,
    crash_at: Time,
    until: Time,
    step: Time,
    seed: u64,
) -> Result<Vec<PhiRow>, SimError> {
    positive("period", period)?;
    positive("step", step)?;
    latency.validate()?;
    if until.as_nanos() / step.as_nanos() > 100_000 {
        return Err(SimError::parameter(
            "step",
            step,
            "at most 100,000 samples: take a longer step or a shorter run",
        ));
    }
    let mut rng = Rng::new(seed);
    let mut arrivals: Vec<Time> = beats(period, crash_at.min(until))
        .map(|sent| {
            let extra = match spike {
                Some((from, to, extra)) if from <= sent && sent < to => extra,
                _ => Time::ZERO,
            };
            sent + latency.sample(&mut rng) + extra
        })
        .collect();
    arrivals.sort();
    let mut exponential = PhiAccrual::new(PhiModel::Exponential, 100)?;
    let mut normal = PhiAccrual::new(
        PhiModel::Normal {
            min_stddev: crate::sim::ms(100),
        },
        100,
    )?;
    let mut next = arrivals.iter().peekable();
    let mut last = None;
    let mut rows = Vec::new();
    let mut now = Time::ZERO;
    while now <= until {
        while let Some(&&arrival) = next.peek().filter(|&&&arrival| arrival <= now) {
            exponential.heartbeat(arrival);
            normal.heartbeat(arrival);
            last = Some(arrival);
            next.next();
        }
        rows.push(PhiRow {
            time_s: now.as_secs_f64(),
            silence_s: last.map_or(0.0, |last| (now - last).as_secs_f64()),
            phi_exponential: exponential.phi(now),
            phi_normal: normal.phi(now),
        });
        now += step;
    }
    Ok(rows)
}
