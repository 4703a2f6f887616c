//! An adaptive timeout in the style of TCP's retransmission timer (RFC 6298), fed with
//! heartbeat intervals instead of round-trip times.

use super::detector::Detector;
use crate::sim::{SimError, Time};

/// A timeout that follows the observed heartbeat intervals: a smoothed mean `SRTT` and a
/// smoothed deviation `RTTVAR` (gains 1/8 and 1/4, as RFC 6298 section 2 sets them), and
/// suspicion after `SRTT + k·RTTVAR` of silence (`k = 4` in TCP).
///
/// It lets you test the claim that timeouts should adapt to the network: after a shift in the
/// intervals, the estimate forgets the old regime geometrically, by 7/8 per sample.
///
/// # Examples
///
/// ```
/// use lessons::failure_detection::{AdaptiveTimeout, Detector};
/// use lessons::sim::{ms, secs};
///
/// let mut detector = AdaptiveTimeout::new(4.0)?;
/// detector.heartbeat(secs(0));
/// detector.heartbeat(secs(1)); // first interval: SRTT = 1 s, RTTVAR = 0.5 s
/// assert_eq!(detector.timeout(), Some(secs(3)));
/// assert_eq!(detector.deadline(), Some(secs(4)));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct AdaptiveTimeout {
    deviations: f64,
    smoothed: Option<(f64, f64)>,
    last_heard: Option<Time>,
}

impl AdaptiveTimeout {
    /// A detector that waits `SRTT + deviations·RTTVAR`.
    ///
    /// # Errors
    ///
    /// [`SimError::Parameter`] when `deviations` is negative, above 100 or not a number.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::failure_detection::AdaptiveTimeout;
    ///
    /// assert!(AdaptiveTimeout::new(4.0).is_ok());
    /// assert!(AdaptiveTimeout::new(-1.0).is_err());
    /// ```
    pub fn new(deviations: f64) -> Result<AdaptiveTimeout, SimError> {
        if !(0.0..=100.0).contains(&deviations) {
            return Err(SimError::parameter(
                "deviations",
                deviations,
                "wait between 0 and 100 smoothed deviations beyond the mean",
            ));
        }
        Ok(AdaptiveTimeout {
            deviations,
            smoothed: None,
            last_heard: None,
        })
    }

    /// Feeds one interval sample directly (RFC 6298, section 2.2 and 2.3).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::failure_detection::AdaptiveTimeout;
    /// use lessons::sim::ms;
    ///
    /// let mut estimate = AdaptiveTimeout::new(4.0)?;
    /// estimate.observe(ms(800));
    /// estimate.observe(ms(1_600));
    /// assert_eq!(estimate.smoothed_interval(), Some(ms(900))); // 7/8·800 + 1/8·1600
    /// assert_eq!(estimate.smoothed_deviation(), Some(ms(500))); // 3/4·400 + 1/4·800
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn observe(&mut self, sample: Time) {
        let sample = sample.as_nanos() as f64;
        self.smoothed = Some(match self.smoothed {
            None => (sample, sample / 2.0),
            Some((mean, deviation)) => (
                mean + (sample - mean) / 8.0,
                deviation + ((sample - mean).abs() - deviation) / 4.0,
            ),
        });
    }

    /// `SRTT`, once an interval has been seen.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::failure_detection::AdaptiveTimeout;
    /// use lessons::sim::ms;
    ///
    /// let mut estimate = AdaptiveTimeout::new(4.0)?;
    /// assert_eq!(estimate.smoothed_interval(), None);
    /// estimate.observe(ms(10));
    /// assert_eq!(estimate.smoothed_interval(), Some(ms(10)));
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn smoothed_interval(&self) -> Option<Time> {
        self.smoothed.map(|(mean, _)| Time::from_nanos_f64(mean))
    }

    /// `RTTVAR`, once an interval has been seen.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::failure_detection::AdaptiveTimeout;
    /// use lessons::sim::ms;
    ///
    /// let mut estimate = AdaptiveTimeout::new(4.0)?;
    /// estimate.observe(ms(10));
    /// assert_eq!(estimate.smoothed_deviation(), Some(ms(5)));
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn smoothed_deviation(&self) -> Option<Time> {
        self.smoothed
            .map(|(_, deviation)| Time::from_nanos_f64(deviation))
    }

    /// `SRTT + k·RTTVAR`: how much silence after the last heartbeat it tolerates.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::failure_detection::AdaptiveTimeout;
    /// use lessons::sim::ms;
    ///
    /// let mut estimate = AdaptiveTimeout::new(4.0)?;
    /// estimate.observe(ms(100));
    /// assert_eq!(estimate.timeout(), Some(ms(300)));
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn timeout(&self) -> Option<Time> {
        self.smoothed
            .map(|(mean, deviation)| Time::from_nanos_f64(mean + self.deviations * deviation))
    }
}

impl Detector for AdaptiveTimeout {
    fn heartbeat(&mut self, at: Time) {
        if let Some(last) = self.last_heard {
            self.observe(at - last);
        }
        self.last_heard = Some(at);
    }

    fn deadline(&self) -> Option<Time> {
        Some(self.last_heard? + self.timeout()?)
    }

    fn name(&self) -> String {
        format!("SRTT + {}·RTTVAR", self.deviations)
    }
}
