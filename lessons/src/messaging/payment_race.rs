//! Two concurrent requests with the same idempotency key, every interleaving: a model for the
//! bounded explorer of [`crate::check`].

use serde::Serialize;

use super::payments::KeyCheck;
use crate::check::{Bounds, Invariant, Model, Run, explore};
use crate::sim::SimError;

/// Where one request is in the server's handler.
///
/// # Examples
///
/// ```
/// use lessons::messaging::{PaymentRace, Stage};
/// use lessons::check::Model;
///
/// let start = &PaymentRace::careful().initial_states()[0];
/// assert_eq!(start.requests, [Stage::Arrived, Stage::Arrived]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Stage {
    /// The request has arrived and not looked at the key yet.
    Arrived,
    /// The key check said "charge"; the charge has not happened yet.
    WillCharge,
    /// The processor charged; the server has not stored the response. `called_again` says
    /// whether the server already repeated a timed-out processor call.
    Charged {
        /// Whether the processor call was repeated after a timeout.
        called_again: bool,
    },
    /// The request has answered.
    Answered,
}

/// The key's row in the server's store.
///
/// # Examples
///
/// ```
/// use lessons::messaging::KeyRow;
///
/// assert_ne!(KeyRow::Absent, KeyRow::InProgress);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum KeyRow {
    /// No row for the key.
    Absent,
    /// The row exists with no response yet (insert-first's sentinel).
    InProgress,
    /// The row holds the response.
    Stored,
}

/// The two requests, the key row and how many times the card was charged.
///
/// # Examples
///
/// ```
/// use lessons::messaging::{KeyRow, PaymentRace};
/// use lessons::check::Model;
///
/// let start = &PaymentRace::careful().initial_states()[0];
/// assert_eq!((start.key, start.charges), (KeyRow::Absent, 0));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct RaceState {
    /// Each request's stage.
    pub requests: [Stage; 2],
    /// The key's row.
    pub key: KeyRow,
    /// Charges made by the processor.
    pub charges: u8,
}

/// One step of one request.
///
/// # Examples
///
/// ```
/// use lessons::messaging::RaceStep;
///
/// assert_eq!(format!("{:?}", RaceStep::Advance(1)), "Advance(1)");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum RaceStep {
    /// Request `i` takes its next step.
    Advance(usize),
    /// Request `i`'s processor call times out after charging, and the server calls again.
    CallAgain(usize),
}

/// Two requests with one key against a server with `check`, passing the key to the processor
/// or not; the invariant is "at most one charge for the payment".
///
/// # Examples
///
/// ```
/// use lessons::check::{Bounds, explore};
/// use lessons::messaging::{KeyCheck, PaymentRace};
///
/// let racy = PaymentRace { check: KeyCheck::CheckThenInsert, propagate_key: true };
/// let found = explore(&racy, Bounds::depth(20)?);
/// assert_eq!(found.violation.unwrap().run.len(), 4); // both read, both charge
/// assert!(explore(&PaymentRace::careful(), Bounds::depth(20)?).exhausted);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PaymentRace {
    /// The server's key check.
    pub check: KeyCheck,
    /// Whether the key goes to the processor, which then charges it once.
    pub propagate_key: bool,
}

impl PaymentRace {
    /// Insert-first with the key passed on: the safe combination.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::messaging::{KeyCheck, PaymentRace};
    ///
    /// assert_eq!(PaymentRace::careful().check, KeyCheck::InsertFirst);
    /// ```
    pub fn careful() -> PaymentRace {
        PaymentRace {
            check: KeyCheck::InsertFirst,
            propagate_key: true,
        }
    }
}

impl PaymentRace {
    /// A run as numbered sentences, one per step, saying what each request did.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::check::{Bounds, explore};
    /// use lessons::messaging::{KeyCheck, PaymentRace};
    ///
    /// let racy = PaymentRace { check: KeyCheck::CheckThenInsert, propagate_key: true };
    /// let run = explore(&racy, Bounds::depth(20)?).violation.unwrap().run;
    /// assert_eq!(
    ///     racy.describe(&run),
    ///     "1. request 1 reads the key: absent\n\
    ///      2. request 1 charges the card\n\
    ///      3. request 2 reads the key: absent\n\
    ///      4. request 2 charges the card\n"
    /// );
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn describe(&self, run: &Run<RaceState, RaceStep>) -> String {
        let mut before = *run.initial_state();
        let mut text = String::new();
        for (number, (step, after)) in run.steps().iter().enumerate() {
            let sentence = match *step {
                RaceStep::CallAgain(i) if self.propagate_key => format!(
                    "request {}'s processor call times out; called again with the key, not charged",
                    i + 1
                ),
                RaceStep::CallAgain(i) => format!(
                    "request {}'s processor call times out; called again, charged again",
                    i + 1
                ),
                RaceStep::Advance(i) => match (before.requests[i], after.requests[i]) {
                    (Stage::Arrived, Stage::WillCharge) if self.check == KeyCheck::InsertFirst => {
                        format!("request {} inserts the key (in progress)", i + 1)
                    }
                    (Stage::Arrived, Stage::WillCharge) => {
                        format!("request {} reads the key: absent", i + 1)
                    }
                    (Stage::Arrived, _) => {
                        format!("request {} finds the key and does not charge", i + 1)
                    }
                    (Stage::WillCharge, _) => format!("request {} charges the card", i + 1),
                    _ => format!("request {} stores the response", i + 1),
                },
            };
            text.push_str(&format!("{}. {sentence}\n", number + 1));
            before = *after;
        }
        text
    }
}

impl Model for PaymentRace {
    type State = RaceState;
    type Action = RaceStep;

    fn initial_states(&self) -> Vec<RaceState> {
        vec![RaceState {
            requests: [Stage::Arrived; 2],
            key: KeyRow::Absent,
            charges: 0,
        }]
    }

    fn actions(&self, state: &RaceState, actions: &mut Vec<RaceStep>) {
        for (i, stage) in state.requests.iter().enumerate() {
            if *stage != Stage::Answered {
                actions.push(RaceStep::Advance(i));
            }
            if *stage
                == (Stage::Charged {
                    called_again: false,
                })
            {
                actions.push(RaceStep::CallAgain(i));
            }
        }
    }

    fn next_state(&self, state: &RaceState, action: &RaceStep) -> Option<RaceState> {
        let mut next = *state;
        match *action {
            RaceStep::CallAgain(i) => {
                next.requests[i] = Stage::Charged { called_again: true };
                next.charges += u8::from(!self.propagate_key);
            }
            RaceStep::Advance(i) => match state.requests[i] {
                Stage::Arrived => {
                    let absent = state.key == KeyRow::Absent;
                    next.requests[i] = if absent {
                        Stage::WillCharge
                    } else {
                        Stage::Answered
                    };
                    // Insert-first claims the key in the same step as the check.
                    if absent && self.check == KeyCheck::InsertFirst {
                        next.key = KeyRow::InProgress;
                    }
                }
                Stage::WillCharge => {
                    next.charges += 1;
                    next.requests[i] = Stage::Charged {
                        called_again: false,
                    };
                }
                Stage::Charged { .. } => {
                    next.key = KeyRow::Stored;
                    next.requests[i] = Stage::Answered;
                }
                Stage::Answered => return None,
            },
        }
        Some(next)
    }

    fn invariants(&self) -> Vec<Invariant<PaymentRace>> {
        vec![Invariant::new(
            "at most one charge",
            |_, state: &RaceState| state.charges <= 1,
        )]
    }
}

/// What the explorer found for one server: whether "at most one charge" holds in every
/// interleaving, how many states there are, and the shortest run that breaks it.
///
/// # Examples
///
/// ```
/// use lessons::messaging::race_exploration;
///
/// let rows = race_exploration()?;
/// assert_eq!(rows.len(), 4);
/// assert!(rows.iter().filter(|row| row.holds).count() == 1);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RaceRow {
    /// The server's key check.
    pub check: String,
    /// Whether the key goes to the processor.
    pub key_passed_on: bool,
    /// Whether every reachable state has at most one charge.
    pub holds: bool,
    /// Whether the explorer visited every reachable state.
    pub exhausted: bool,
    /// Distinct states reached.
    pub states: usize,
    /// Steps in the shortest run that breaks the invariant (0 if none does); the run itself
    /// is [`PaymentRace::describe`]'s to tell.
    pub shortest_violation: usize,
}

/// Explores every interleaving of two same-key requests for the four servers (each key check,
/// with and without passing the key on).
///
/// # Errors
///
/// None in practice: the bounds are fixed and valid; the type is the explorer's.
///
/// # Examples
///
/// ```
/// use lessons::messaging::race_exploration;
///
/// let rows = race_exploration()?;
/// let safe = rows.iter().find(|row| row.holds).unwrap();
/// assert_eq!((safe.check.as_str(), safe.key_passed_on), ("insert first", true));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn race_exploration() -> Result<Vec<RaceRow>, SimError> {
    let mut rows = Vec::new();
    for check in [KeyCheck::CheckThenInsert, KeyCheck::InsertFirst] {
        for propagate_key in [false, true] {
            let model = PaymentRace {
                check,
                propagate_key,
            };
            let found = explore(&model, Bounds::depth(20)?);
            rows.push(RaceRow {
                check: check.to_string(),
                key_passed_on: propagate_key,
                holds: found.holds(),
                exhausted: found.exhausted,
                states: found.distinct_states,
                shortest_violation: found.violation.map_or(0, |violation| violation.run.len()),
            });
        }
    }
    Ok(rows)
}
