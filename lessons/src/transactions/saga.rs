//! A saga: an order placed as a sequence of local transactions in four services (reserve the
//! stock, charge the card, ship, send the confirmation), each with its own commit, undone by
//! compensations when a later step fails.
//!
//! Timing is fixed: a request and its reply take 10 ms; a sender that hears nothing for
//! 100 ms retries (with the same idempotency key, when keys are on); an orchestrator that
//! crashes is back after 500 ms. The failure schedule ([`SagaSchedule`]) says, attempt by
//! attempt, whether the request arrives, whether the reply does, or whether the service
//! refuses (out of stock, card declined), and, request by request, whether the orchestrator
//! crashes while it waits for the reply.

use std::fmt;

use serde::Serialize;

use crate::sim::{Rng, SimError, probability};

/// A request and its reply, in ms.
const ROUND_TRIP_MS: u64 = 10;
/// How long a sender waits for a reply before retrying, in ms.
const TIMEOUT_MS: u64 = 100;
/// How long a crashed orchestrator is down, in ms.
const RESTART_MS: u64 = 500;

/// One step of the order saga, done by one service in its own local transaction.
///
/// # Examples
///
/// ```
/// use lessons::transactions::SagaStep;
///
/// assert_eq!(SagaStep::Charge.to_string(), "charge");
/// assert!(SagaStep::Charge.can_be_undone() && !SagaStep::Ship.can_be_undone());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum SagaStep {
    /// Reserve the ordered units; undone by releasing them.
    Reserve,
    /// Charge the card; undone by a refund.
    Charge,
    /// Hand the parcel to the carrier: the pivot, which nothing undoes.
    Ship,
    /// Send the confirmation: after the pivot, so it is retried until it goes through.
    Notify,
}

impl SagaStep {
    /// Whether a compensation exists for the step (the pivot and what follows it have none).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::transactions::SagaStep;
    ///
    /// assert!(!SagaStep::Notify.can_be_undone());
    /// ```
    pub fn can_be_undone(self) -> bool {
        matches!(self, SagaStep::Reserve | SagaStep::Charge)
    }

    /// Whether the service can turn the request down for good (no stock, card declined);
    /// the others only fail in ways worth retrying.
    fn can_refuse(self) -> bool {
        self.can_be_undone()
    }
}

impl fmt::Display for SagaStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            SagaStep::Reserve => "reserve",
            SagaStep::Charge => "charge",
            SagaStep::Ship => "ship",
            SagaStep::Notify => "notify",
        };
        f.write_str(name)
    }
}

/// Who drives the saga.
///
/// # Examples
///
/// ```
/// use lessons::transactions::SagaStyle;
///
/// assert_eq!(SagaStyle::Choreographed.to_string(), "choreographed");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SagaStyle {
    /// An orchestrator sends each request, retries on timeout, logs every reply in its
    /// durable log, and starts the compensations when a step is refused or runs out of
    /// attempts.
    Orchestrated,
    /// Each service reacts to the previous service's event on a broker that redelivers until
    /// acknowledged; a refusal publishes a failure event that the earlier services undo
    /// their step on, one after the other. Nobody watches the saga as a whole: an event
    /// that runs out of deliveries is parked, and the saga with it.
    Choreographed,
}

impl fmt::Display for SagaStyle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SagaStyle::Orchestrated => f.write_str("orchestrated"),
            SagaStyle::Choreographed => f.write_str("choreographed"),
        }
    }
}

/// How a saga is run: who drives it, where the pivot sits, and which safeguards are on.
///
/// # Examples
///
/// ```
/// use lessons::transactions::SagaConfig;
///
/// let careless = SagaConfig { idempotency_keys: false, ..SagaConfig::default() };
/// assert_eq!(careless.to_string(), "orchestrated, no idempotency keys");
/// assert_eq!(SagaConfig::default().steps()[2].to_string(), "ship");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SagaConfig {
    /// Orchestrated or choreographed.
    pub style: SagaStyle,
    /// Ship (the pivot) after charging, as the saga should; `false` ships before charging.
    pub pivot_late: bool,
    /// Attempts per request (step or compensation), 1 to 20.
    pub attempts: u32,
    /// Services remember `(order id, step)` and `(order id, step, undo)` and ignore repeats.
    pub idempotency_keys: bool,
    /// Compensations run last step first; `false` releases the stock before refunding.
    /// (A choreography always compensates in reverse: each undo is triggered by the next.)
    pub compensate_in_reverse: bool,
    /// The orchestrator logs each step before and after it; without the log, a crash
    /// forgets the saga.
    pub durable_log: bool,
}

impl Default for SagaConfig {
    fn default() -> Self {
        SagaConfig {
            style: SagaStyle::Orchestrated,
            pivot_late: true,
            attempts: 3,
            idempotency_keys: true,
            compensate_in_reverse: true,
            durable_log: true,
        }
    }
}

impl SagaConfig {
    /// The same configuration, choreographed.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::transactions::{SagaConfig, SagaStyle};
    ///
    /// assert_eq!(SagaConfig::default().choreographed().style, SagaStyle::Choreographed);
    /// ```
    pub fn choreographed(self) -> Self {
        SagaConfig {
            style: SagaStyle::Choreographed,
            ..self
        }
    }

    /// The four steps in the order this configuration runs them.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::transactions::{SagaConfig, SagaStep};
    ///
    /// let early = SagaConfig { pivot_late: false, ..SagaConfig::default() };
    /// assert_eq!(early.steps()[1], SagaStep::Ship);
    /// ```
    pub fn steps(&self) -> [SagaStep; 4] {
        use SagaStep::*;
        if self.pivot_late {
            [Reserve, Charge, Ship, Notify]
        } else {
            [Reserve, Ship, Charge, Notify]
        }
    }

    fn check(&self) -> Result<(), SimError> {
        if !(1..=20).contains(&self.attempts) {
            return Err(SimError::parameter(
                "attempts",
                self.attempts,
                "from 1 to 20 per request",
            ));
        }
        Ok(())
    }
}

impl fmt::Display for SagaConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.style)?;
        let orchestrated = self.style == SagaStyle::Orchestrated;
        let changes = [
            (!self.pivot_late, "ship before charge"),
            (!self.idempotency_keys, "no idempotency keys"),
            (
                orchestrated && !self.compensate_in_reverse,
                "compensations in forward order",
            ),
            (orchestrated && !self.durable_log, "no durable log"),
        ];
        for (_, change) in changes.iter().filter(|(on, _)| *on) {
            write!(f, ", {change}")?;
        }
        Ok(())
    }
}

/// What happens to one attempt of a request.
///
/// # Examples
///
/// ```
/// use lessons::transactions::SagaFault;
///
/// assert_ne!(SagaFault::RequestLost, SagaFault::ReplyLost);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SagaFault {
    /// The request arrives, takes effect, and the reply comes back.
    Delivered,
    /// The request is lost: no effect, and the sender times out.
    RequestLost,
    /// The request takes effect but the reply is lost: the sender times out and retries.
    ReplyLost,
    /// The service turns the request down for good (reserve and charge); for the other
    /// requests this is an error reply, and the sender retries.
    Refused,
}

/// A failure schedule: the fate of each attempt in the order attempts are made, and whether
/// the orchestrator crashes while waiting for each reply. Past the end of either list
/// nothing fails.
///
/// # Examples
///
/// ```
/// use lessons::transactions::{SagaFault, SagaConfig, SagaOutcome, SagaSchedule, run_saga};
///
/// let declined = SagaSchedule { faults: vec![SagaFault::Delivered, SagaFault::Refused], crashes: vec![] };
/// let run = run_saga(SagaConfig::default(), &declined)?;
/// assert_eq!(run.outcome, SagaOutcome::Compensated);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SagaSchedule {
    /// The fate of each attempt, in order.
    pub faults: Vec<SagaFault>,
    /// For each request that reaches a service, whether the orchestrator crashes before the
    /// reply is logged.
    pub crashes: Vec<bool>,
}

impl SagaSchedule {
    /// A seeded schedule long enough for any run: each attempt's request or reply is lost
    /// with probability `failure` (half each), a reserve or charge is refused with
    /// probability `refusal`, and the orchestrator crashes while waiting with probability
    /// `crash`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::transactions::SagaSchedule;
    ///
    /// let calm = SagaSchedule::random(0.0, 0.0, 0.0, 1)?;
    /// assert!(calm.crashes.iter().all(|&c| !c));
    /// assert!(SagaSchedule::random(1.5, 0.0, 0.0, 1).is_err());
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn random(failure: f64, refusal: f64, crash: f64, seed: u64) -> Result<Self, SimError> {
        probability("failure", failure)?;
        probability("refusal", refusal)?;
        probability("crash", crash)?;
        let mut rng = Rng::new(seed);
        // Four steps and two compensations of at most 20 attempts each.
        let length = 6 * 20;
        let faults = (0..length)
            .map(|_| {
                if rng.chance(failure) {
                    if rng.chance(0.5) {
                        SagaFault::RequestLost
                    } else {
                        SagaFault::ReplyLost
                    }
                } else if rng.chance(refusal) {
                    SagaFault::Refused
                } else {
                    SagaFault::Delivered
                }
            })
            .collect();
        let crashes = (0..length).map(|_| rng.chance(crash)).collect();
        Ok(SagaSchedule { faults, crashes })
    }
}

/// How a saga ended.
///
/// # Examples
///
/// ```
/// use lessons::transactions::SagaOutcome;
///
/// assert_eq!(SagaOutcome::Stuck.to_string(), "stuck");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SagaOutcome {
    /// Every step took effect.
    Completed,
    /// A step failed before the pivot and every step that took effect was undone.
    Compensated,
    /// Neither: a request ran out of attempts where no further move exists (after the pivot,
    /// or during a compensation, or with nobody watching), or the orchestrator forgot the
    /// saga. Someone has to look at it.
    Stuck,
}

impl fmt::Display for SagaOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            SagaOutcome::Completed => "completed",
            SagaOutcome::Compensated => "compensated",
            SagaOutcome::Stuck => "stuck",
        };
        f.write_str(name)
    }
}

/// A change a service made to its own data: a step, or the undoing of one.
///
/// # Examples
///
/// ```
/// use lessons::transactions::{SagaConfig, SagaSchedule, SagaStep, run_saga};
///
/// let run = run_saga(SagaConfig::default(), &SagaSchedule::default())?;
/// assert_eq!((run.effects[1].step, run.effects[1].undo, run.effects[1].at_ms), (SagaStep::Charge, false, 15));
/// assert_eq!(run.effects[1].to_string(), "charge at 15 ms");
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SagaEffect {
    /// When it took effect, in ms from the start of the saga.
    pub at_ms: u64,
    /// The step.
    pub step: SagaStep,
    /// Whether this is the compensation.
    pub undo: bool,
}

impl fmt::Display for SagaEffect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let undo = if self.undo { "undo " } else { "" };
        write!(f, "{undo}{} at {} ms", self.step, self.at_ms)
    }
}

/// One saga, run to its end.
///
/// # Examples
///
/// ```
/// use lessons::transactions::{SagaConfig, SagaOutcome, SagaSchedule, run_saga};
///
/// let run = run_saga(SagaConfig::default(), &SagaSchedule::default())?;
/// assert_eq!((run.outcome, run.effects.len(), run.duration_ms), (SagaOutcome::Completed, 4, 40));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SagaRun {
    /// How it ended.
    pub outcome: SagaOutcome,
    /// Every change the services made, in time order.
    pub effects: Vec<SagaEffect>,
    /// The orchestrator's crashes.
    pub crashes: usize,
    /// From the first request to the last reply, in ms.
    pub duration_ms: u64,
}

impl SagaRun {
    /// How many times `step` (or its undo) took effect.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::transactions::{SagaConfig, SagaSchedule, SagaStep, run_saga};
    ///
    /// let run = run_saga(SagaConfig::default(), &SagaSchedule::default())?;
    /// assert_eq!((run.times(SagaStep::Ship, false), run.times(SagaStep::Ship, true)), (1, 0));
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn times(&self, step: SagaStep, undo: bool) -> usize {
        self.effects
            .iter()
            .filter(|e| e.step == step && e.undo == undo)
            .count()
    }

    /// Effects beyond the first of each kind, plus undos of steps that never took effect.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::transactions::{SagaFault, SagaConfig, SagaSchedule, run_saga};
    ///
    /// let reply_lost = SagaSchedule { faults: vec![SagaFault::Delivered, SagaFault::ReplyLost], crashes: vec![] };
    /// let careless = SagaConfig { idempotency_keys: false, ..SagaConfig::default() };
    /// assert_eq!(run_saga(careless, &reply_lost)?.double_effects(), 1); // charged twice
    /// assert_eq!(run_saga(SagaConfig::default(), &reply_lost)?.double_effects(), 0);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn double_effects(&self) -> usize {
        [
            SagaStep::Reserve,
            SagaStep::Charge,
            SagaStep::Ship,
            SagaStep::Notify,
        ]
        .into_iter()
        .map(|step| {
            let done = self.times(step, false);
            let undone = self.times(step, true);
            done.saturating_sub(1) + undone.saturating_sub(1) + undone.saturating_sub(done)
        })
        .sum()
    }

    /// The steps in effect just after `at_ms` (applied and not undone).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::transactions::{SagaConfig, SagaSchedule, SagaStep, run_saga};
    ///
    /// let run = run_saga(SagaConfig::default(), &SagaSchedule::default())?;
    /// assert_eq!(run.state_at(20), [SagaStep::Reserve, SagaStep::Charge]);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn state_at(&self, at_ms: u64) -> Vec<SagaStep> {
        let mut state: Vec<SagaStep> = Vec::new();
        for effect in self.effects.iter().filter(|e| e.at_ms <= at_ms) {
            if effect.undo {
                state.retain(|&s| s != effect.step);
            } else if !state.contains(&effect.step) {
                state.push(effect.step);
            }
        }
        state
    }

    /// Whether at some moment the card stood charged while no stock was reserved.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::transactions::{SagaFault, SagaConfig, SagaSchedule, run_saga};
    ///
    /// // The charge takes effect but its replies are lost: out of attempts, compensate.
    /// let lost = SagaSchedule { faults: vec![SagaFault::Delivered, SagaFault::ReplyLost, SagaFault::ReplyLost, SagaFault::ReplyLost], crashes: vec![] };
    /// let forward = SagaConfig { compensate_in_reverse: false, ..SagaConfig::default() };
    /// assert!(!run_saga(SagaConfig::default(), &lost)?.charged_without_reservation());
    /// assert!(run_saga(forward, &lost)?.charged_without_reservation()); // released, not yet refunded
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn charged_without_reservation(&self) -> bool {
        (0..self.effects.len()).any(|n| {
            let state = self.state_at(self.effects[n].at_ms);
            state.contains(&SagaStep::Charge) && !state.contains(&SagaStep::Reserve)
        })
    }

    /// Whether any compensation took effect after the pivot (the shipment) did.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::transactions::{SagaConfig, SagaSchedule, run_saga};
    ///
    /// assert!(!run_saga(SagaConfig::default(), &SagaSchedule::default())?.undone_after_pivot());
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn undone_after_pivot(&self) -> bool {
        self.effects
            .iter()
            .skip_while(|e| e.step != SagaStep::Ship)
            .any(|e| e.undo)
    }
}

/// A service's side: effects, and the idempotency keys it has seen for this order.
struct Services {
    keys: bool,
    seen: Vec<(SagaStep, bool)>,
    effects: Vec<SagaEffect>,
}

impl Services {
    /// Whether a request with this key was applied before (and so has a stored reply).
    fn answered(&self, step: SagaStep, undo: bool) -> bool {
        self.keys && self.seen.contains(&(step, undo))
    }

    /// A request that reached its service at `at_ms` takes effect, unless its key was seen,
    /// or (with keys) it undoes a step that never took effect.
    fn apply(&mut self, step: SagaStep, undo: bool, at_ms: u64) {
        if self.keys {
            if self.seen.contains(&(step, undo)) {
                return;
            }
            self.seen.push((step, undo));
            if undo && !self.seen.contains(&(step, false)) {
                return;
            }
        }
        self.effects.push(SagaEffect { at_ms, step, undo });
    }
}

/// The run in progress: the clock, the schedule's cursors, and the services.
struct Driver<'a> {
    config: SagaConfig,
    schedule: &'a SagaSchedule,
    next_fault: usize,
    next_crash: usize,
    now: u64,
    crashes: usize,
    services: Services,
}

/// How one request ended.
enum Reply {
    Done,
    Refused,
    OutOfAttempts,
    Forgotten,
}

impl Driver<'_> {
    /// Sends one request until it gets an answer or runs out of attempts.
    fn request(&mut self, step: SagaStep, undo: bool) -> Reply {
        for _ in 0..self.config.attempts {
            let fault = self.schedule.faults.get(self.next_fault).copied();
            self.next_fault += 1;
            let arrives = self.now + ROUND_TRIP_MS / 2;
            let fault = match fault.unwrap_or(SagaFault::Delivered) {
                // A service that has the key answers a retry with the reply it stored.
                SagaFault::Refused if self.services.answered(step, undo) => SagaFault::Delivered,
                fault => fault,
            };
            match fault {
                SagaFault::RequestLost => {
                    self.now += TIMEOUT_MS;
                    continue;
                }
                SagaFault::Refused if !undo && step.can_refuse() => {
                    self.now += ROUND_TRIP_MS;
                    return Reply::Refused;
                }
                SagaFault::Refused => {
                    self.now += ROUND_TRIP_MS;
                    continue;
                }
                SagaFault::ReplyLost => {
                    self.services.apply(step, undo, arrives);
                    self.now += TIMEOUT_MS;
                    continue;
                }
                SagaFault::Delivered => self.services.apply(step, undo, arrives),
            }
            // The reply is on its way; an orchestrator may crash before logging it.
            let crashed = self.schedule.crashes.get(self.next_crash) == Some(&true);
            self.next_crash += 1;
            if crashed && self.config.style == SagaStyle::Orchestrated {
                self.crashes += 1;
                if !self.config.durable_log {
                    return Reply::Forgotten;
                }
                // Back from the log, which shows the request sent and no reply: send again.
                self.now += RESTART_MS;
                return self.request(step, undo);
            }
            self.now += ROUND_TRIP_MS;
            return Reply::Done;
        }
        Reply::OutOfAttempts
    }

    /// Undoes `done` (the steps begun, oldest first) in the configured order.
    fn compensate(&mut self, done: &[SagaStep]) -> SagaOutcome {
        let reverse =
            self.config.compensate_in_reverse || self.config.style != SagaStyle::Orchestrated;
        let mut order: Vec<SagaStep> = done.to_vec();
        if reverse {
            order.reverse();
        }
        for step in order {
            match self.request(step, true) {
                Reply::Done => {}
                Reply::Forgotten | Reply::OutOfAttempts | Reply::Refused => {
                    return SagaOutcome::Stuck;
                }
            }
        }
        SagaOutcome::Compensated
    }

    fn run(&mut self) -> SagaOutcome {
        let steps = self.config.steps();
        let mut begun = Vec::new();
        for step in steps {
            let pivot_passed = begun.contains(&SagaStep::Ship);
            begun.push(step);
            match self.request(step, false) {
                Reply::Done => {}
                Reply::Forgotten => return SagaOutcome::Stuck,
                // After the pivot the saga can only go forward, and this request cannot.
                _ if pivot_passed || !step.can_be_undone() => {
                    return SagaOutcome::Stuck;
                }
                // Nobody is waiting for the event that was never handled.
                Reply::OutOfAttempts if self.config.style == SagaStyle::Choreographed => {
                    return SagaOutcome::Stuck;
                }
                // A refused step took no effect; one that ran out of attempts may have (a lost
                // reply), so it is undone too.
                reply => {
                    if matches!(reply, Reply::Refused) {
                        begun.pop();
                    }
                    let undoable: Vec<SagaStep> = begun
                        .iter()
                        .copied()
                        .filter(|s| s.can_be_undone())
                        .collect();
                    return self.compensate(&undoable);
                }
            }
        }
        SagaOutcome::Completed
    }
}

/// Runs one order saga under `config` against the failure `schedule`.
///
/// # Examples
///
/// ```
/// use lessons::transactions::{SagaFault, SagaConfig, SagaOutcome, SagaSchedule, SagaStep, run_saga};
///
/// // The charge's reply is lost three times: out of attempts, so refund, then release.
/// let lost = SagaSchedule { faults: vec![SagaFault::Delivered, SagaFault::ReplyLost, SagaFault::ReplyLost, SagaFault::ReplyLost], crashes: vec![] };
/// let run = run_saga(SagaConfig::default(), &lost)?;
/// assert_eq!(run.outcome, SagaOutcome::Compensated);
/// let undone: Vec<SagaStep> = run.effects.iter().filter(|e| e.undo).map(|e| e.step).collect();
/// assert_eq!(undone, [SagaStep::Charge, SagaStep::Reserve]);
/// assert!(run_saga(SagaConfig { attempts: 0, ..SagaConfig::default() }, &lost).is_err());
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn run_saga(config: SagaConfig, schedule: &SagaSchedule) -> Result<SagaRun, SimError> {
    config.check()?;
    let mut driver = Driver {
        config,
        schedule,
        next_fault: 0,
        next_crash: 0,
        now: 0,
        crashes: 0,
        services: Services {
            keys: config.idempotency_keys,
            seen: Vec::new(),
            effects: Vec::new(),
        },
    };
    let outcome = driver.run();
    Ok(SagaRun {
        outcome,
        effects: driver.services.effects,
        crashes: driver.crashes,
        duration_ms: driver.now,
    })
}
