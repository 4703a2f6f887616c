//! Delivery semantics: what a sender's retries and a receiver's memory make of one message sent
//! over a network that loses, duplicates and crashes.

use std::fmt;

use serde::Serialize;

use super::params::{at_least, at_most, probability};
use crate::sim::{Rng, SimError};

/// The most attempts a retrying sender makes before it gives up, so a run always ends; at a
/// loss rate of 0.9 on both the message and its acknowledgement, the chance of giving up after
/// this many is below 5 · 10⁻⁵.
pub const MAX_ATTEMPTS: u32 = 1_000;

/// How a sender and a receiver handle one message.
///
/// # Examples
///
/// ```
/// use lessons::messaging::Strategy;
///
/// assert_eq!(Strategy::ALL.len(), 4);
/// assert_eq!(Strategy::MarkBeforeSend.to_string(), "mark before send (SETNX)");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Strategy {
    /// Send once and forget: at-most-once.
    NoRetry,
    /// Resend until acknowledged; the receiver applies every copy: at-least-once.
    RetryWithoutDedupe,
    /// Resend until acknowledged; the receiver records each message id in the same local
    /// transaction as the effect and skips ids it has seen: an exactly-once *effect*.
    RetryWithDedupe,
    /// Before sending, the sender sets a "sent" mark (Redis `SETNX`); a retry that finds the
    /// mark does nothing: at-most-once again (claim C18).
    MarkBeforeSend,
}

impl Strategy {
    /// The four strategies, in the order the figures show them.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::messaging::Strategy;
    ///
    /// assert_eq!(Strategy::ALL[0], Strategy::NoRetry);
    /// ```
    pub const ALL: [Strategy; 4] = [
        Strategy::NoRetry,
        Strategy::RetryWithoutDedupe,
        Strategy::RetryWithDedupe,
        Strategy::MarkBeforeSend,
    ];
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Strategy::NoRetry => "no retry",
            Strategy::RetryWithoutDedupe => "retry, no dedupe",
            Strategy::RetryWithDedupe => "retry + dedupe",
            Strategy::MarkBeforeSend => "mark before send (SETNX)",
        })
    }
}

/// A place in one attempt where something can go wrong, in the order an attempt meets them.
///
/// # Examples
///
/// ```
/// use lessons::messaging::{FaultPoint, Strategy, deliver};
///
/// // The receiver crashes after applying the effect, before acknowledging, once.
/// let mut crashed = false;
/// let outcome = deliver(Strategy::RetryWithoutDedupe, |point| {
///     let crash = point == FaultPoint::ReceiverCrashAfterEffect && !crashed;
///     crashed |= crash;
///     crash
/// });
/// assert_eq!(outcome.effects, 2); // the retry applied it again
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum FaultPoint {
    /// The sender crashes before the message leaves (after setting its mark, if it marks).
    SenderCrashBeforeSend,
    /// The network makes a second copy of the message.
    MessageDuplicated,
    /// A copy of the message is lost.
    MessageLost,
    /// The receiver crashes after receiving a copy, before applying it.
    ReceiverCrashBeforeEffect,
    /// The receiver crashes after applying a copy, before acknowledging it.
    ReceiverCrashAfterEffect,
    /// The acknowledgement is lost.
    AckLost,
}

/// What became of one message: how many times its effect was applied, how many attempts the
/// sender made, and whether the sender saw an acknowledgement.
///
/// # Examples
///
/// ```
/// use lessons::messaging::{Strategy, deliver};
///
/// let outcome = deliver(Strategy::NoRetry, |_| false);
/// assert_eq!((outcome.effects, outcome.attempts, outcome.acknowledged), (1, 1, true));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Delivery {
    /// How many times the receiver applied the message.
    pub effects: u32,
    /// How many times the sender started an attempt.
    pub attempts: u32,
    /// Whether an acknowledgement reached the sender.
    pub acknowledged: bool,
}

/// Delivers one message under `strategy`, asking `fault` at each [`FaultPoint`] whether the
/// fault happens there; a retrying sender tries again after every attempt that brings no
/// acknowledgement, up to [`MAX_ATTEMPTS`]. A schedule that answers `false` from some point on
/// is one that eventually delivers.
///
/// # Examples
///
/// C18's counterexample: the sender marks, then crashes before sending; its retry finds the
/// mark and sends nothing.
///
/// ```
/// use lessons::messaging::{FaultPoint, Strategy, deliver};
///
/// let mut first = true;
/// let outcome = deliver(Strategy::MarkBeforeSend, |point| {
///     let crash = point == FaultPoint::SenderCrashBeforeSend && first;
///     first = false;
///     crash
/// });
/// assert_eq!((outcome.effects, outcome.attempts), (0, 2));
/// ```
pub fn deliver(strategy: Strategy, mut fault: impl FnMut(FaultPoint) -> bool) -> Delivery {
    let retries = strategy != Strategy::NoRetry;
    let mut marked = false;
    let mut receiver_has_seen_id = false;
    let mut outcome = Delivery {
        effects: 0,
        attempts: 0,
        acknowledged: false,
    };
    while outcome.attempts < if retries { MAX_ATTEMPTS } else { 1 } {
        outcome.attempts += 1;
        if strategy == Strategy::MarkBeforeSend {
            // SETNX fails when the mark is there: this job "was already sent".
            if marked {
                break;
            }
            marked = true;
        }
        if fault(FaultPoint::SenderCrashBeforeSend) {
            continue;
        }
        let copies = if fault(FaultPoint::MessageDuplicated) {
            2
        } else {
            1
        };
        for _ in 0..copies {
            if fault(FaultPoint::MessageLost) || fault(FaultPoint::ReceiverCrashBeforeEffect) {
                continue;
            }
            let skip = strategy == Strategy::RetryWithDedupe && receiver_has_seen_id;
            if !skip {
                // The id is recorded in the same local transaction as the effect.
                outcome.effects += 1;
                receiver_has_seen_id = true;
            }
            if fault(FaultPoint::ReceiverCrashAfterEffect) {
                continue;
            }
            outcome.acknowledged |= !fault(FaultPoint::AckLost);
        }
        if outcome.acknowledged {
            break;
        }
    }
    outcome
}

/// How often each fault happens: `loss` for each copy of a message and each acknowledgement,
/// `duplicate` for each message sent, `crash` for the sender before each send and for the
/// receiver on each copy (half before the effect, half after it).
///
/// # Examples
///
/// ```
/// use lessons::messaging::DeliveryFaults;
///
/// assert!(DeliveryFaults::new(0.1, 0.0, 0.05).is_ok());
/// assert_eq!(
///     DeliveryFaults::new(1.5, 0.0, 0.0).unwrap_err().to_string(),
///     "loss probability 1.5 is not in [0, 1]"
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DeliveryFaults {
    /// The probability that a copy or an acknowledgement is lost.
    pub loss: f64,
    /// The probability that the network duplicates a message.
    pub duplicate: f64,
    /// The probability of a crash at each crash point (split evenly between the receiver's two).
    pub crash: f64,
}

impl DeliveryFaults {
    /// Checked fault rates.
    ///
    /// # Errors
    ///
    /// [`SimError::Probability`] for a rate outside `[0, 1]`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::messaging::DeliveryFaults;
    ///
    /// assert_eq!(DeliveryFaults::new(0.1, 0.0, 0.02)?.crash, 0.02);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn new(loss: f64, duplicate: f64, crash: f64) -> Result<DeliveryFaults, SimError> {
        Ok(DeliveryFaults {
            loss: probability("loss", loss)?,
            duplicate: probability("duplicate", duplicate)?,
            crash: probability("crash", crash)?,
        })
    }

    /// Draws whether the fault at `point` happens.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::messaging::{DeliveryFaults, FaultPoint};
    /// use lessons::sim::Rng;
    ///
    /// let never = DeliveryFaults::new(0.0, 0.0, 0.0)?;
    /// assert!(!never.draw(FaultPoint::MessageLost, &mut Rng::new(1)));
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn draw(&self, point: FaultPoint, rng: &mut Rng) -> bool {
        let p = match point {
            FaultPoint::SenderCrashBeforeSend => self.crash,
            FaultPoint::MessageDuplicated => self.duplicate,
            FaultPoint::MessageLost | FaultPoint::AckLost => self.loss,
            FaultPoint::ReceiverCrashBeforeEffect | FaultPoint::ReceiverCrashAfterEffect => {
                self.crash / 2.0
            }
        };
        rng.chance(p)
    }
}

/// One strategy at one loss rate: how many of the messages were lost, applied exactly once, or
/// applied more than once.
///
/// # Examples
///
/// ```
/// use lessons::messaging::{Strategy, delivery_experiment};
///
/// let rows = delivery_experiment(&[0.0], 0.0, 0.0, 100, 1)?;
/// assert!(rows.iter().all(|row| row.exactly_once == 100));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeliveryRow {
    /// The strategy's name.
    pub strategy: String,
    /// The loss rate of messages and acknowledgements.
    pub loss: f64,
    /// Messages sent.
    pub messages: usize,
    /// Messages never applied.
    pub lost: usize,
    /// Messages applied exactly once.
    pub exactly_once: usize,
    /// Messages applied two or more times.
    pub duplicated: usize,
    /// Attempts per message, on average.
    pub mean_attempts: f64,
}

/// The largest number of messages per row, so a sweep answers in well under a second.
pub const MAX_MESSAGES: usize = 1_000_000;

/// Sends `messages` messages under every [`Strategy`] at every loss rate in `losses`, with
/// network duplication `duplicate` and crash rate `crash`; message `i` at loss index `j` draws
/// its faults from its own seeded stream, the same for every strategy.
///
/// # Errors
///
/// [`SimError`] for a rate outside `[0, 1]`, no messages, or more than [`MAX_MESSAGES`].
///
/// # Examples
///
/// ```
/// use lessons::messaging::delivery_experiment;
///
/// let rows = delivery_experiment(&[0.2], 0.0, 0.05, 2_000, 7)?;
/// let by_name = |name: &str| rows.iter().find(|row| row.strategy == name).unwrap();
/// assert_eq!(by_name("retry + dedupe").exactly_once, 2_000);
/// assert!(by_name("retry, no dedupe").lost == 0 && by_name("retry, no dedupe").duplicated > 0);
/// assert!(by_name("mark before send (SETNX)").duplicated == 0);
/// assert!(by_name("mark before send (SETNX)").lost > 0);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn delivery_experiment(
    losses: &[f64],
    duplicate: f64,
    crash: f64,
    messages: usize,
    seed: u64,
) -> Result<Vec<DeliveryRow>, SimError> {
    at_least("messages", messages, 1)?;
    at_most("messages", messages, MAX_MESSAGES / losses.len().max(1))?;
    let mut rows = Vec::new();
    for (j, &loss) in losses.iter().enumerate() {
        let faults = DeliveryFaults::new(loss, duplicate, crash)?;
        for strategy in Strategy::ALL {
            let (mut lost, mut once, mut more, mut attempts) = (0, 0, 0, 0u64);
            for i in 0..messages {
                let mut rng = Rng::derive(seed, &[j as u64, i as u64]);
                let outcome = deliver(strategy, |point| faults.draw(point, &mut rng));
                attempts += u64::from(outcome.attempts);
                match outcome.effects {
                    0 => lost += 1,
                    1 => once += 1,
                    _ => more += 1,
                }
            }
            rows.push(DeliveryRow {
                strategy: strategy.to_string(),
                loss,
                messages,
                lost,
                exactly_once: once,
                duplicated: more,
                mean_attempts: attempts as f64 / messages as f64,
            });
        }
    }
    Ok(rows)
}
