//! Two-phase commit with the coordinator crashing at every step, and three-phase commit split
//! by a partition.
//!
//! Timing is fixed so every number is exact: a message takes 1 ms, a log write 1 ms. The
//! coordinator sends PREPARE at 0 ms; a participant locks its rows when PREPARE arrives (1 ms),
//! writes its prepare record and votes yes (2 ms); the votes arrive at 3 ms; the coordinator
//! logs COMMIT (4 ms) and sends it; participants commit and release their locks at 5 ms.
//! After a crash the coordinator is down for `downtime_ms`, then reads its log: a logged
//! decision is sent again, and no decision means abort (**presumed abort**).

use std::fmt;

use serde::Serialize;

use crate::sim::SimError;
use crate::viz::{Corner, Figure};

/// Where the coordinator crashes.
///
/// # Examples
///
/// ```
/// use lessons::transactions::CrashPoint;
///
/// assert_eq!(CrashPoint::AfterLoggingDecision.to_string(), "decision logged, none sent");
/// assert_eq!(CrashPoint::every(2).len(), 7);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum CrashPoint {
    /// No crash.
    Never,
    /// After sending PREPARE to this many participants (0: before any).
    AfterPrepares(usize),
    /// Every vote is in; the decision is not logged yet.
    BeforeLoggingDecision,
    /// The decision is logged; no COMMIT has been sent.
    AfterLoggingDecision,
    /// After sending COMMIT to this many participants (1 to all but one).
    AfterCommits(usize),
}

impl CrashPoint {
    /// Every crash point for `participants` participants, in protocol order, starting with
    /// no crash.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::transactions::CrashPoint;
    ///
    /// assert_eq!(CrashPoint::every(3)[1], CrashPoint::AfterPrepares(0));
    /// ```
    pub fn every(participants: usize) -> Vec<CrashPoint> {
        let mut points = vec![CrashPoint::Never];
        points.extend((0..=participants).map(CrashPoint::AfterPrepares));
        points.push(CrashPoint::BeforeLoggingDecision);
        points.push(CrashPoint::AfterLoggingDecision);
        points.extend((1..participants).map(CrashPoint::AfterCommits));
        points
    }
}

impl fmt::Display for CrashPoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CrashPoint::Never => write!(f, "no crash"),
            CrashPoint::AfterPrepares(k) => write!(f, "after {k} PREPARE sent"),
            CrashPoint::BeforeLoggingDecision => write!(f, "votes in, decision not logged"),
            CrashPoint::AfterLoggingDecision => write!(f, "decision logged, none sent"),
            CrashPoint::AfterCommits(k) => write!(f, "after {k} COMMIT sent"),
        }
    }
}

/// What one participant did.
///
/// # Examples
///
/// ```
/// use lessons::transactions::Outcome;
///
/// assert_eq!(Outcome::Committed.to_string(), "committed");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Outcome {
    /// Applied the transaction.
    Committed,
    /// Rolled it back.
    Aborted,
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Outcome::Committed => "committed",
            Outcome::Aborted => "aborted",
        })
    }
}

/// One run of two-phase commit: each participant's outcome and how long it held its locks.
///
/// # Examples
///
/// ```
/// use lessons::transactions::{CrashPoint, two_phase_commit};
///
/// let row = two_phase_commit(3, CrashPoint::BeforeLoggingDecision, 1_000, false)?;
/// assert_eq!((row.outcome.as_str(), row.atomic), ("aborted", true));
/// assert_eq!((row.longest_lock_hold_ms, row.blocked), (1_003, 3));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommitRow {
    /// Where the coordinator crashed.
    pub crash: String,
    /// How long it stayed down, in ms.
    pub downtime_ms: u64,
    /// The outcome, or "mixed" if participants disagree.
    pub outcome: String,
    /// Whether every participant reached the same outcome.
    pub atomic: bool,
    /// The longest time a participant held its locks, in ms.
    pub longest_lock_hold_ms: u64,
    /// Participants that had voted yes and then waited for the coordinator to come back.
    pub blocked: usize,
    /// Each participant's outcome.
    #[serde(skip)]
    pub outcomes: Vec<Outcome>,
    /// Each participant's lock-hold time in ms.
    #[serde(skip)]
    pub lock_hold_ms: Vec<u64>,
}

/// Runs two-phase commit among `participants` with the coordinator crashing at `crash` for
/// `downtime_ms`; with `one_votes_no`, the last participant votes no. Each participant's
/// outcome is the decision that reaches it; the row says whether they agree.
///
/// # Examples
///
/// ```
/// use lessons::transactions::{CrashPoint, two_phase_commit};
///
/// let normal = two_phase_commit(3, CrashPoint::Never, 0, false)?;
/// assert_eq!((normal.outcome.as_str(), normal.longest_lock_hold_ms), ("committed", 4));
/// let logged = two_phase_commit(3, CrashPoint::AfterLoggingDecision, 500, false)?;
/// assert_eq!((logged.outcome.as_str(), logged.longest_lock_hold_ms), ("committed", 504));
/// assert!(two_phase_commit(0, CrashPoint::Never, 0, false).is_err());
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn two_phase_commit(
    participants: usize,
    crash: CrashPoint,
    downtime_ms: u64,
    one_votes_no: bool,
) -> Result<CommitRow, SimError> {
    if !(1..=32).contains(&participants) {
        return Err(SimError::parameter(
            "participants",
            participants,
            "from 1 to 32",
        ));
    }
    if downtime_ms > 86_400_000 {
        return Err(SimError::parameter(
            "downtime_ms",
            downtime_ms,
            "at most one day",
        ));
    }
    let valid = match crash {
        CrashPoint::AfterPrepares(k) => k <= participants,
        CrashPoint::AfterCommits(k) => k >= 1 && k < participants,
        _ => true,
    };
    if !valid {
        return Err(SimError::parameter(
            "crash",
            crash,
            format!("a point of CrashPoint::every({participants})"),
        ));
    }
    // When each participant receives PREPARE (None: never, the coordinator crashed first).
    let prepared: Vec<bool> = (0..participants)
        .map(|p| match crash {
            CrashPoint::AfterPrepares(k) => p < k,
            _ => true,
        })
        .collect();
    let all_yes = !one_votes_no;
    // The coordinator's log after the crash (or at the end): the decision, if any.
    let logged = match crash {
        CrashPoint::Never | CrashPoint::AfterLoggingDecision | CrashPoint::AfterCommits(_) => {
            Some(if all_yes {
                Outcome::Committed
            } else {
                Outcome::Aborted
            })
        }
        _ => None,
    };
    let crash_at = match crash {
        CrashPoint::Never => None,
        CrashPoint::AfterPrepares(_) => Some(0),
        CrashPoint::BeforeLoggingDecision => Some(3),
        CrashPoint::AfterLoggingDecision | CrashPoint::AfterCommits(_) => Some(4),
    };
    let recovered_at = crash_at.map(|t| t + downtime_ms);
    let mut outcomes = Vec::new();
    let mut holds = Vec::new();
    let mut blocked = 0;
    for (p, &got_prepare) in prepared.iter().enumerate() {
        let votes_no = one_votes_no && p + 1 == participants;
        // When the decision reaches this participant, and what it is.
        let (decision_at, decision) = match (crash, logged) {
            (CrashPoint::Never, Some(d)) => (5, d),
            (CrashPoint::AfterCommits(k), Some(d)) if p < k => (5, d),
            (_, Some(d)) => (recovered_at.unwrap_or(0) + 1, d),
            // No decision logged: on recovery the coordinator aborts (presumed abort).
            (_, None) => (recovered_at.unwrap_or(0) + 1, Outcome::Aborted),
        };
        let outcome = if votes_no || !got_prepare {
            // It never promised, so it may abort on its own.
            Outcome::Aborted
        } else {
            decision
        };
        // Locks are taken when PREPARE arrives (1 ms) and released with the decision; a no
        // voter releases at once.
        let hold = if !got_prepare || votes_no {
            0
        } else {
            decision_at - 1
        };
        if got_prepare && !votes_no && crash_at.is_some_and(|t| decision_at > t + 1) {
            blocked += 1;
        }
        outcomes.push(outcome);
        holds.push(hold);
    }
    let atomic = outcomes.iter().all(|&o| o == outcomes[0]);
    Ok(CommitRow {
        crash: crash.to_string(),
        downtime_ms,
        outcome: if atomic {
            outcomes[0].to_string()
        } else {
            "mixed".to_string()
        },
        atomic,
        longest_lock_hold_ms: holds.iter().copied().max().unwrap_or(0),
        blocked,
        outcomes,
        lock_hold_ms: holds,
    })
}

/// Two-phase commit with a crash at every point of [`CrashPoint::every`].
///
/// # Examples
///
/// ```
/// use lessons::transactions::crash_at_every_step;
///
/// let rows = crash_at_every_step(3, 1_000)?;
/// assert_eq!(rows.len(), 9);
/// assert!(rows.iter().all(|row| row.atomic));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn crash_at_every_step(
    participants: usize,
    downtime_ms: u64,
) -> Result<Vec<CommitRow>, SimError> {
    CrashPoint::every(participants)
        .into_iter()
        .map(|crash| two_phase_commit(participants, crash, downtime_ms, false))
        .collect()
}

/// The longest lock hold against the coordinator's downtime, one line per crash point of
/// three participants (no crash, one PREPARE sent, votes in, decision logged, one COMMIT
/// sent). The crash points inside the blocking window nearly coincide: each holds for the
/// downtime plus 0 to 4 ms.
///
/// # Examples
///
/// ```
/// use lessons::transactions::lock_hold_figure;
///
/// assert!(lock_hold_figure(&[0, 100, 1_000])?.to_svg()?.contains("locks"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn lock_hold_figure(downtimes_ms: &[u64]) -> Result<Figure, SimError> {
    let mut figure = Figure::new("2PC: locks held while the coordinator is down")
        .x_label("coordinator downtime (ms)")
        .y_label("longest time a participant holds its locks (ms)")
        .legend_at(Corner::UpperLeft);
    for crash in [
        CrashPoint::Never,
        CrashPoint::AfterPrepares(1),
        CrashPoint::BeforeLoggingDecision,
        CrashPoint::AfterLoggingDecision,
        CrashPoint::AfterCommits(1),
    ] {
        let mut points = Vec::new();
        for &down in downtimes_ms {
            let row = two_phase_commit(3, crash, down, false)?;
            points.push((down as f64, row.longest_lock_hold_ms as f64));
        }
        figure = figure.line(crash.to_string(), points);
    }
    Ok(figure)
}

/// Commits per second on one hot row when each transaction holds its lock for `hold_ms` (they
/// run one after the other), against the hold time.
///
/// # Examples
///
/// ```
/// use lessons::transactions::hot_row_figure;
///
/// assert!(hot_row_figure(&[4, 40, 400]).to_svg()?.contains("hot row"));
/// # Ok::<(), lessons::viz::FigureError>(())
/// ```
pub fn hot_row_figure(holds_ms: &[u64]) -> Figure {
    let points: Vec<(f64, f64)> = holds_ms
        .iter()
        .map(|&hold| (hold as f64, 1_000.0 / hold.max(1) as f64))
        .collect();
    Figure::new("Conflicting transactions on one hot row")
        .x_label("lock hold time per transaction (ms)")
        .y_label("commits per second")
        .log_x()
        .log_y()
        .line("one row, transactions in series", points)
}

/// Three-phase commit after the coordinator crashed having sent PRE-COMMIT to the first
/// participant only. The survivors run the termination rule: if any of them is pre-committed,
/// commit; otherwise abort. Without a partition the three decide together and all commit;
/// with the first participant cut off, each side applies the rule to what it can see.
///
/// # Examples
///
/// ```
/// use lessons::transactions::{Outcome, three_phase_commit_split};
///
/// use Outcome::{Aborted, Committed};
/// assert_eq!(three_phase_commit_split(false), [Committed, Committed, Committed]);
/// assert_eq!(three_phase_commit_split(true), [Committed, Aborted, Aborted]);
/// ```
pub fn three_phase_commit_split(partitioned: bool) -> Vec<Outcome> {
    let pre_committed = [true, false, false];
    let sides: Vec<Vec<usize>> = if partitioned {
        vec![vec![0], vec![1, 2]]
    } else {
        vec![vec![0, 1, 2]]
    };
    let mut outcomes = vec![Outcome::Aborted; 3];
    for side in sides {
        let decision = if side.iter().any(|&p| pre_committed[p]) {
            Outcome::Committed
        } else {
            Outcome::Aborted
        };
        for p in side {
            outcomes[p] = decision;
        }
    }
    outcomes
}
