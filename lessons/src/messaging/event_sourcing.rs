//! Event sourcing: a bank account whose state is the fold of its events, snapshots that shorten
//! the replay, and replays that ignore duplicated events by id.

use serde::Serialize;

use super::params::{at_least, at_most};
use crate::sim::{Rng, SimError, Time, ms};

/// One fact about an account, numbered in the order the account's log recorded it.
///
/// # Examples
///
/// ```
/// use lessons::messaging::AccountEvent;
/// use lessons::sim::secs;
///
/// let event = AccountEvent { id: 1, at: secs(3), amount: -20 };
/// assert!(event.amount < 0); // a withdrawal
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AccountEvent {
    /// The event's position in the log, from 1.
    pub id: u64,
    /// When it was recorded.
    pub at: Time,
    /// Deposited (positive) or withdrawn (negative) cents.
    pub amount: i64,
}

/// An account's state: what folding its events gives.
///
/// # Examples
///
/// ```
/// use lessons::messaging::{Account, AccountEvent};
/// use lessons::sim::secs;
///
/// let events = [
///     AccountEvent { id: 1, at: secs(1), amount: 100 },
///     AccountEvent { id: 2, at: secs(2), amount: -30 },
/// ];
/// let account = Account::default().fold(&events);
/// assert_eq!((account.balance, account.last_event), (70, 2));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Account {
    /// The balance in cents.
    pub balance: i64,
    /// The id of the last event applied (0 for none).
    pub last_event: u64,
    /// How many events were applied.
    pub events_applied: u64,
}

impl Account {
    /// The state after `event`; an event whose id is not above the last applied is a
    /// duplicate (a redelivery, a replay that overlaps a snapshot) and changes nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::messaging::{Account, AccountEvent};
    /// use lessons::sim::secs;
    ///
    /// let deposit = AccountEvent { id: 1, at: secs(1), amount: 100 };
    /// let once = Account::default().apply(&deposit);
    /// assert_eq!(once.apply(&deposit), once); // applied twice, counted once
    /// ```
    pub fn apply(self, event: &AccountEvent) -> Account {
        if event.id <= self.last_event {
            return self;
        }
        Account {
            balance: self.balance + event.amount,
            last_event: event.id,
            events_applied: self.events_applied + 1,
        }
    }

    /// The state after every event of `events`, in order.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::messaging::Account;
    ///
    /// assert_eq!(Account::default().fold(&[]), Account::default());
    /// ```
    pub fn fold(self, events: &[AccountEvent]) -> Account {
        events.iter().fold(self, |state, event| state.apply(event))
    }
}

/// A random account history: `count` events 100 ms apart, deposits and withdrawals of up to
/// 100.00, seeded.
///
/// # Errors
///
/// [`SimError::Parameter`] for more than 1,000,000 events.
///
/// # Examples
///
/// ```
/// use lessons::messaging::account_history;
///
/// let events = account_history(5, 1)?;
/// assert_eq!(events.iter().map(|event| event.id).collect::<Vec<_>>(), [1, 2, 3, 4, 5]);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn account_history(count: usize, seed: u64) -> Result<Vec<AccountEvent>, SimError> {
    at_most("events", count, 1_000_000)?;
    let mut rng = Rng::new(seed);
    Ok((1..=count as u64)
        .map(|id| AccountEvent {
            id,
            at: ms(100) * id as i64,
            amount: rng.below(20_001) as i64 - 10_000,
        })
        .collect())
}

/// The account as it was at time `at`: the fold of the events recorded up to then.
///
/// # Examples
///
/// ```
/// use lessons::messaging::{account_history, state_at};
/// use lessons::sim::secs;
///
/// let events = account_history(100, 1)?;
/// assert_eq!(state_at(&events, secs(1)).last_event, 10);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn state_at(events: &[AccountEvent], at: Time) -> Account {
    let prefix = events.partition_point(|event| event.at <= at);
    Account::default().fold(&events[..prefix])
}

/// Recovery with snapshots every `every` events: the newest snapshot and the events after it.
///
/// # Examples
///
/// ```
/// use lessons::messaging::{Account, account_history, recover_from_snapshots};
///
/// let events = account_history(1_050, 1)?;
/// let (account, replayed) = recover_from_snapshots(&events, Some(100))?;
/// assert_eq!(account, Account::default().fold(&events));
/// assert_eq!(replayed, 50); // the snapshot at event 1,000, then 50 events
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
///
/// # Errors
///
/// [`SimError::Parameter`] for a snapshot interval of zero.
pub fn recover_from_snapshots(
    events: &[AccountEvent],
    every: Option<usize>,
) -> Result<(Account, usize), SimError> {
    let Some(every) = every else {
        return Ok((Account::default().fold(events), events.len()));
    };
    at_least("snapshot interval", every, 1)?;
    let snapshot_at = events.len() / every * every;
    // The snapshot is the fold of the prefix, stored when the log reached that length.
    let snapshot = Account::default().fold(&events[..snapshot_at]);
    Ok((
        snapshot.fold(&events[snapshot_at..]),
        events.len() - snapshot_at,
    ))
}

/// How many events a recovery replays, for one log length and snapshot interval.
///
/// # Examples
///
/// ```
/// use lessons::messaging::replay_experiment;
///
/// let rows = replay_experiment(&[1_000, 10_000], &[None, Some(1_000)], 1)?;
/// assert_eq!(rows[1].events_replayed, 10_000); // no snapshots
/// assert!(rows[3].events_replayed < 1_000);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReplayRow {
    /// Snapshot interval in events, 0 for no snapshots.
    pub snapshot_every: usize,
    /// Events in the log.
    pub log_length: usize,
    /// Events replayed on recovery.
    pub events_replayed: usize,
    /// Whether the recovered state equals the fold of the whole log.
    pub same_state: bool,
}

/// Recovers logs of each length with each snapshot interval (`None`: no snapshots). Each log
/// gets a seeded number of extra events below the interval, so a recovery does not always
/// start exactly at a snapshot.
///
/// # Errors
///
/// [`SimError::Parameter`] for a log longer than 1,000,000 or an interval of zero.
///
/// # Examples
///
/// ```
/// use lessons::messaging::replay_experiment;
///
/// assert!(replay_experiment(&[100], &[Some(10)], 1)?[0].same_state);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn replay_experiment(
    lengths: &[usize],
    intervals: &[Option<usize>],
    seed: u64,
) -> Result<Vec<ReplayRow>, SimError> {
    let mut rows = Vec::new();
    for &every in intervals {
        for &length in lengths {
            let extra = Rng::derive(seed, &[length as u64]).below(every.unwrap_or(1) as u64);
            let events = account_history(length + extra as usize, seed)?;
            let (account, replayed) = recover_from_snapshots(&events, every)?;
            rows.push(ReplayRow {
                snapshot_every: every.unwrap_or(0),
                log_length: events.len(),
                events_replayed: replayed,
                same_state: account == Account::default().fold(&events),
            });
        }
    }
    Ok(rows)
}
