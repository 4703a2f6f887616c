//! Fixed heartbeats: a beat every T, death declared after K missed beats.

use serde::Serialize;

use super::detector::{Detector, judge};
use crate::sim::{Latency, Rng, SimError, Time, probability, secs};

/// The classic detector: the sender beats every `period` (T); the receiver declares it dead
/// `misses` (K) periods after the last beat it heard, so exactly `K·T` after that beat.
///
/// It lets you test the seed's "T = 5 s, K = 3: dead after 15 s" and the trade between fast
/// detection (small T·K) and noise (more false suspicions).
///
/// # Examples
///
/// ```
/// use lessons::failure_detection::{Detector, HeartbeatDetector};
/// use lessons::sim::secs;
///
/// let mut detector = HeartbeatDetector::new(secs(5), 3)?;
/// assert_eq!(detector.deadline(), None); // nothing heard yet
/// detector.heartbeat(secs(0));
/// assert_eq!(detector.deadline(), Some(secs(15)));
/// assert!(HeartbeatDetector::new(secs(5), 0).is_err());
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeartbeatDetector {
    period: Time,
    misses: u32,
    last_heard: Option<Time>,
}

impl HeartbeatDetector {
    /// A detector for beats every `period` that gives up after `misses` missed beats.
    ///
    /// # Errors
    ///
    /// [`SimError::Parameter`] when `period` is not positive or `misses` is 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::failure_detection::HeartbeatDetector;
    /// use lessons::sim::{ms, secs};
    ///
    /// let detector = HeartbeatDetector::new(ms(500), 4)?;
    /// assert_eq!(detector.timeout(), secs(2));
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn new(period: Time, misses: u32) -> Result<HeartbeatDetector, SimError> {
        positive("period", period)?;
        if misses == 0 {
            return Err(SimError::parameter(
                "misses",
                misses,
                "declare death after at least 1 missed beat",
            ));
        }
        Ok(HeartbeatDetector {
            period,
            misses,
            last_heard: None,
        })
    }

    /// `K·T`: how long after the last beat the sender is declared dead.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::failure_detection::HeartbeatDetector;
    /// use lessons::sim::secs;
    ///
    /// assert_eq!(HeartbeatDetector::new(secs(5), 3)?.timeout(), secs(15));
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn timeout(&self) -> Time {
        self.period * i64::from(self.misses)
    }
}

impl Detector for HeartbeatDetector {
    fn heartbeat(&mut self, at: Time) {
        self.last_heard = Some(self.last_heard.map_or(at, |last| last.max(at)));
    }

    fn deadline(&self) -> Option<Time> {
        self.last_heard.map(|last| last + self.timeout())
    }

    fn name(&self) -> String {
        format!("T = {}, K = {}", self.period, self.misses)
    }
}

/// The probability that a check made right after a beat was due finds the sender suspected,
/// when each beat is lost independently with probability `loss` and delays are negligible:
/// the last `misses` beats must all be lost, `loss^misses`.
///
/// # Errors
///
/// [`SimError::Probability`] when `loss` is not in `[0, 1]`.
///
/// # Examples
///
/// ```
/// use lessons::failure_detection::false_suspicion_per_check;
///
/// assert!((false_suspicion_per_check(0.1, 3)? - 0.001).abs() < 1e-15);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn false_suspicion_per_check(loss: f64, misses: u32) -> Result<f64, SimError> {
    probability("loss", loss)?;
    Ok(loss.powi(misses as i32))
}

/// A heartbeat channel: each beat is lost with probability `loss`, otherwise delayed by a draw
/// from `delay`.
///
/// # Examples
///
/// ```
/// use lessons::failure_detection::HeartbeatChannel;
/// use lessons::sim::{Latency, ms};
///
/// let channel = HeartbeatChannel::new(0.01, Latency::uniform(ms(0), ms(200)))?;
/// assert_eq!(channel.loss(), 0.01);
/// assert!(HeartbeatChannel::new(1.5, Latency::constant(ms(1))).is_err());
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeartbeatChannel {
    loss: f64,
    delay: Latency,
}

impl HeartbeatChannel {
    /// A channel that loses `loss` of the beats and delays the others by `delay`.
    ///
    /// # Errors
    ///
    /// [`SimError::Probability`] for a loss outside `[0, 1]`, or the latency's own error.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::failure_detection::HeartbeatChannel;
    /// use lessons::sim::{Latency, ms};
    ///
    /// assert!(HeartbeatChannel::new(0.0, Latency::constant(ms(1))).is_ok());
    /// ```
    pub fn new(loss: f64, delay: Latency) -> Result<HeartbeatChannel, SimError> {
        probability("loss", loss)?;
        delay.validate()?;
        Ok(HeartbeatChannel { loss, delay })
    }

    /// The probability that a beat is lost.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::failure_detection::HeartbeatChannel;
    /// use lessons::sim::{Latency, ms};
    ///
    /// assert_eq!(HeartbeatChannel::new(0.2, Latency::constant(ms(1)))?.loss(), 0.2);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn loss(&self) -> f64 {
        self.loss
    }

    /// When the beats sent at `sends` arrive, in time order (lost beats never do).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::failure_detection::HeartbeatChannel;
    /// use lessons::sim::{Latency, Rng, ms, secs};
    ///
    /// let channel = HeartbeatChannel::new(0.0, Latency::constant(ms(3)))?;
    /// let arrivals = channel.arrivals([secs(1), secs(2)], &mut Rng::new(1));
    /// assert_eq!(arrivals, [secs(1) + ms(3), secs(2) + ms(3)]);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn arrivals(&self, sends: impl IntoIterator<Item = Time>, rng: &mut Rng) -> Vec<Time> {
        let mut arrivals: Vec<Time> = sends
            .into_iter()
            .filter_map(|sent| {
                let lost = rng.chance(self.loss);
                let delay = self.delay.sample(rng);
                (!lost).then_some(sent + delay)
            })
            .collect();
        arrivals.sort();
        arrivals
    }
}

/// One (T, K) setting of the heartbeat experiment.
///
/// # Examples
///
/// ```
/// use lessons::failure_detection::{HeartbeatChannel, heartbeat_experiment};
/// use lessons::sim::{Latency, ms, secs};
///
/// let channel = HeartbeatChannel::new(0.0, Latency::constant(ms(10)))?;
/// let rows = heartbeat_experiment(&channel, &[secs(1)], &[3], 1.0, 50, 7)?;
/// assert_eq!(rows[0].false_suspicions_per_hour, 0.0);
/// assert_eq!(rows[0].messages_per_hour, 3_600.0);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeartbeatRow {
    /// T, in seconds.
    pub period_s: f64,
    /// K.
    pub misses: u32,
    /// `K·T`, in seconds.
    pub timeout_s: f64,
    /// False suspicions of a live sender, per hour.
    pub false_suspicions_per_hour: f64,
    /// Mean time from a crash to its detection, in seconds.
    pub detection_s: f64,
    /// The slowest detection seen, in seconds.
    pub worst_detection_s: f64,
    /// Heartbeats sent per hour by one sender to one receiver.
    pub messages_per_hour: f64,
}

/// Runs every (T, K) in `periods × misses` over `channel`: `hours` of a live sender (counting
/// false suspicions), then `crashes` crash trials at random moments (detection delay).
///
/// # Errors
///
/// [`SimError::Parameter`] for a non-positive period, K = 0, `hours` not positive or no crash
/// trials.
///
/// # Examples
///
/// ```
/// use lessons::failure_detection::{HeartbeatChannel, heartbeat_experiment};
/// use lessons::sim::{Latency, ms, secs};
///
/// let channel = HeartbeatChannel::new(0.0, Latency::constant(ms(0)))?;
/// let rows = heartbeat_experiment(&channel, &[secs(5)], &[3], 1.0, 200, 1)?;
/// // No loss, no delay: a crash is seen between (K-1)T and KT after it happens.
/// assert!(rows[0].worst_detection_s <= 15.0 && rows[0].detection_s > 10.0);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn heartbeat_experiment(
    channel: &HeartbeatChannel,
    periods: &[Time],
    misses: &[u32],
    hours: f64,
    crashes: usize,
    seed: u64,
) -> Result<Vec<HeartbeatRow>, SimError> {
    if !(hours > 0.0 && hours <= 1_000.0) {
        return Err(SimError::parameter(
            "hours",
            hours,
            "simulate more than 0 and at most 1,000 hours",
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
    let mut rows = Vec::new();
    for (p, &period) in periods.iter().enumerate() {
        positive("period", period)?;
        for &k in misses {
            let mut rng = Rng::derive(seed, &[p as u64, u64::from(k)]);
            let sends = beats(period, span);
            let arrivals = channel.arrivals(sends, &mut rng);
            let mut detector = HeartbeatDetector::new(period, k)?;
            let alive = judge(&mut detector, &arrivals, span);
            let mut delays = Vec::with_capacity(crashes);
            for _ in 0..crashes {
                let crash = period * 10 + rng.between(Time::ZERO, period);
                let sends = beats(period, crash);
                let arrivals = channel.arrivals(sends, &mut rng);
                let mut detector = HeartbeatDetector::new(period, k)?;
                let verdict = judge(&mut detector, &arrivals, crash);
                let delay = verdict.detection_delay.unwrap_or(crash);
                delays.push(delay.as_secs_f64());
            }
            rows.push(HeartbeatRow {
                period_s: period.as_secs_f64(),
                misses: k,
                timeout_s: detector.timeout().as_secs_f64(),
                false_suspicions_per_hour: round_to(alive.false_suspicions as f64 / hours, 3),
                detection_s: round_to(delays.iter().sum::<f64>() / crashes as f64, 2),
                worst_detection_s: round_to(delays.iter().copied().fold(0.0, f64::max), 2),
                messages_per_hour: 3_600.0 / period.as_secs_f64(),
            });
        }
    }
    Ok(rows)
}

/// Send times `period, 2·period, ...` up to and including `until`.
pub(crate) fn beats(period: Time, until: Time) -> impl Iterator<Item = Time> {
    (1..)
        .map(move |n| period * n)
        .take_while(move |&sent| sent <= until)
}

pub(crate) fn positive(name: &'static str, value: Time) -> Result<Time, SimError> {
    if value > Time::ZERO && value <= secs(86_400) {
        Ok(value)
    } else {
        Err(SimError::parameter(
            name,
            value,
            "it must be more than 0 and at most a day",
        ))
    }
}

/// `value` rounded to `digits` decimals, for rows a table shows.
pub(crate) fn round_to(value: f64, digits: i32) -> f64 {
    let scale = 10f64.powi(digits);
    (value * scale).round() / scale
}
