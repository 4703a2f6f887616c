//! Dual writes: a service that must both commit a database row and publish an event, and the
//! three ways the two can disagree.

use std::fmt;

use serde::Serialize;

use super::params::{at_least, at_most, probability};
use crate::sim::{Rng, SimError};

/// How a service writes its row and its event.
///
/// # Examples
///
/// ```
/// use lessons::messaging::WriteApproach;
///
/// assert_eq!(WriteApproach::ALL.len(), 3);
/// assert_eq!(WriteApproach::Outbox.to_string(), "transactional outbox");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum WriteApproach {
    /// Commit the row, then publish: a crash in between leaves a row with no event.
    DatabaseThenBroker,
    /// Publish, then commit: a crash in between, or an aborted commit, leaves an event with no
    /// row.
    BrokerThenDatabase,
    /// Write the row and an outbox row in one local transaction; a relay publishes outbox rows
    /// and marks them, and a relay crash between the two publishes again.
    Outbox,
}

impl WriteApproach {
    /// The three approaches, in the order the figure shows them.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::messaging::WriteApproach::ALL[2], lessons::messaging::WriteApproach::Outbox);
    /// ```
    pub const ALL: [WriteApproach; 3] = [
        WriteApproach::DatabaseThenBroker,
        WriteApproach::BrokerThenDatabase,
        WriteApproach::Outbox,
    ];
}

impl fmt::Display for WriteApproach {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            WriteApproach::DatabaseThenBroker => "commit, then publish",
            WriteApproach::BrokerThenDatabase => "publish, then commit",
            WriteApproach::Outbox => "transactional outbox",
        })
    }
}

/// What happened to one order: whether its row is committed, and how many copies of its event
/// reached the broker.
///
/// # Examples
///
/// ```
/// use lessons::messaging::{WriteApproach, write_order};
///
/// // The service crashes between its two writes.
/// let written = write_order(WriteApproach::DatabaseThenBroker, false, true);
/// assert_eq!((written.committed, written.events), (true, 0));
/// let written = write_order(WriteApproach::Outbox, false, true);
/// assert_eq!((written.committed, written.events), (true, 2)); // the relay published twice
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct WrittenOrder {
    /// Whether the business row is committed.
    pub committed: bool,
    /// Copies of the order's event on the broker.
    pub events: u32,
}

/// Writes one order under `approach`. `aborts` says the database refuses the transaction (a
/// constraint, a conflict); `crashes` says the process crashes between its two writes: the
/// service for the first two approaches, the relay between publishing and marking for the
/// outbox (it then restarts and publishes the unmarked row again).
///
/// # Examples
///
/// ```
/// use lessons::messaging::{WriteApproach, write_order};
///
/// let written = write_order(WriteApproach::BrokerThenDatabase, true, false);
/// assert_eq!((written.committed, written.events), (false, 1)); // an event for nothing
/// ```
pub fn write_order(approach: WriteApproach, aborts: bool, crashes: bool) -> WrittenOrder {
    let (committed, events) = match approach {
        WriteApproach::DatabaseThenBroker => (!aborts, u32::from(!aborts && !crashes)),
        WriteApproach::BrokerThenDatabase => (!aborts && !crashes, 1),
        WriteApproach::Outbox if aborts => (false, 0),
        WriteApproach::Outbox => (true, 1 + u32::from(crashes)),
    };
    WrittenOrder { committed, events }
}

/// One approach over many orders: how far the database and the broker disagree.
///
/// # Examples
///
/// ```
/// use lessons::messaging::dual_write_experiment;
///
/// let rows = dual_write_experiment(10_000, 0.01, 0.01, 1)?;
/// assert_eq!(rows[2].rows_without_event + rows[2].events_without_row, 0);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DualWriteRow {
    /// The approach, in words.
    pub approach: String,
    /// Orders attempted.
    pub orders: usize,
    /// Rows committed.
    pub committed: usize,
    /// Committed rows whose event never reached the broker.
    pub rows_without_event: usize,
    /// Events on the broker for rows that were never committed.
    pub events_without_row: usize,
    /// Extra copies of events (a consumer that dedupes by event id ignores them).
    pub duplicate_events: usize,
}

/// Writes `orders` orders under each approach, each order aborting with probability `abort`
/// and crashing between its two writes with probability `crash`; order `i` draws the same
/// faults under every approach.
///
/// # Errors
///
/// [`SimError`] for a probability outside `[0, 1]`, no orders or more than a million.
///
/// # Examples
///
/// ```
/// use lessons::messaging::dual_write_experiment;
///
/// let rows = dual_write_experiment(1_000, 0.0, 0.0, 1)?;
/// assert!(rows.iter().all(|row| row.committed == 1_000 && row.duplicate_events == 0));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn dual_write_experiment(
    orders: usize,
    abort: f64,
    crash: f64,
    seed: u64,
) -> Result<Vec<DualWriteRow>, SimError> {
    at_least("orders", orders, 1)?;
    at_most("orders", orders, 1_000_000)?;
    probability("abort", abort)?;
    probability("crash", crash)?;
    let faults: Vec<(bool, bool)> = (0..orders)
        .map(|i| {
            let mut rng = Rng::derive(seed, &[i as u64]);
            (rng.chance(abort), rng.chance(crash))
        })
        .collect();
    let rows = WriteApproach::ALL
        .iter()
        .map(|&approach| {
            let mut row = DualWriteRow {
                approach: approach.to_string(),
                orders,
                committed: 0,
                rows_without_event: 0,
                events_without_row: 0,
                duplicate_events: 0,
            };
            for &(aborts, crashes) in &faults {
                let written = write_order(approach, aborts, crashes);
                row.committed += usize::from(written.committed);
                row.rows_without_event += usize::from(written.committed && written.events == 0);
                row.events_without_row += usize::from(!written.committed && written.events > 0);
                row.duplicate_events += written.events.saturating_sub(1) as usize;
            }
            row
        })
        .collect();
    Ok(rows)
}
