//! What every failure detector here shares: it hears heartbeats and names the moment it would
//! start to suspect the sender if nothing more arrived.

use crate::sim::Time;

/// A failure detector fed with heartbeat arrival times.
///
/// Every detector in this module reduces to one question: if no further heartbeat arrives, from
/// when on does it suspect the sender? That moment, [`Detector::deadline`], is all an experiment
/// needs: a heartbeat that arrives after the deadline ends a false suspicion, and after a crash
/// the deadline is when the crash is noticed.
///
/// # Examples
///
/// ```
/// use lessons::failure_detection::{Detector, HeartbeatDetector};
/// use lessons::sim::secs;
///
/// let mut detector = HeartbeatDetector::new(secs(5), 3)?;
/// detector.heartbeat(secs(10));
/// assert_eq!(detector.deadline(), Some(secs(25)));
/// assert!(!detector.suspects(secs(24)));
/// assert!(detector.suspects(secs(25)));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub trait Detector {
    /// Records a heartbeat that arrived at `at` (arrivals must come in time order).
    fn heartbeat(&mut self, at: Time);

    /// When the detector starts to suspect the sender if no heartbeat arrives after the last
    /// one; `None` before it has heard enough to judge.
    fn deadline(&self) -> Option<Time>;

    /// A short name for tables and legends.
    fn name(&self) -> String;

    /// Whether the sender is suspected at `now`, given the heartbeats so far.
    fn suspects(&self, now: Time) -> bool {
        self.deadline().is_some_and(|deadline| now >= deadline)
    }
}

/// How a detector fared on one stream of heartbeat arrivals: the false suspicions it raised
/// while the sender was alive, and how long after the crash it noticed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Verdicts {
    pub false_suspicions: usize,
    pub detection_delay: Option<Time>,
}

/// Feeds `arrivals` (sorted) to `detector`; the sender crashed at `crash`, after the last
/// arrival's beat was sent. A gap between arrivals that outlasts the deadline is one false
/// suspicion; the deadline after the last arrival, measured from the crash, is the detection
/// delay (zero if the detector already suspected).
pub(crate) fn judge(detector: &mut dyn Detector, arrivals: &[Time], crash: Time) -> Verdicts {
    let mut false_suspicions = 0;
    for &arrival in arrivals {
        if detector.suspects(arrival) {
            false_suspicions += 1;
        }
        detector.heartbeat(arrival);
    }
    let detection_delay = detector
        .deadline()
        .map(|deadline| (deadline - crash).max(Time::ZERO));
    Verdicts {
        false_suspicions,
        detection_delay,
    }
}
