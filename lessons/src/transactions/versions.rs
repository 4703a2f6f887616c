//! Version chains and their garbage collection: a long-running snapshot keeps every version
//! written since it began.

use serde::Serialize;

use super::database::Database;
use super::isolation::Isolation;
use super::program::Program;
use crate::sim::SimError;
use crate::viz::Figure;

/// What one long reader cost: the versions of `x` kept while it was open, and what it read.
///
/// # Examples
///
/// ```
/// use lessons::transactions::long_reader_experiment;
///
/// let rows = long_reader_experiment(&[0, 5])?;
/// assert_eq!((rows[1].longest_chain, rows[1].chain_after), (6, 1));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ChainRow {
    /// Updates of `x` committed while the reader's snapshot was open.
    pub updates_during_read: usize,
    /// The longest version chain of `x`, with garbage collected after every commit.
    pub longest_chain: usize,
    /// The chain after the reader committed and garbage was collected once more.
    pub chain_after: usize,
    /// The value the reader saw first.
    pub first_read: i64,
    /// The value the reader saw last, after all those updates.
    pub last_read: i64,
}

/// A reader under snapshot isolation reads `x`, stays open while `updates` other transactions
/// each commit a new value of `x` (garbage collected after each), reads `x` again and
/// commits. One row per entry of `updates`.
///
/// # Examples
///
/// ```
/// use lessons::transactions::long_reader_experiment;
///
/// let row = long_reader_experiment(&[3])?[0];
/// assert_eq!((row.first_read, row.last_read), (0, 0)); // the snapshot holds
/// assert!(long_reader_experiment(&[100_001]).is_err());
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn long_reader_experiment(updates: &[usize]) -> Result<Vec<ChainRow>, SimError> {
    updates.iter().map(|&n| long_reader(n)).collect()
}

fn long_reader(updates: usize) -> Result<ChainRow, SimError> {
    if updates > 100_000 {
        return Err(SimError::parameter("updates", updates, "at most 100,000"));
    }
    let mut store = Database::new(Isolation::Snapshot, &[("x", 0)]);
    let reader = store.begin(Program::new("reader").read("x").read("x"));
    store.step(reader)?;
    let first_read = store.value_read(reader, "x").unwrap_or(-1);
    let mut longest = store.versions("x").len();
    for value in 1..=updates {
        let writer = store.begin(Program::new("writer").write("x", value as i64));
        store.step(writer)?;
        store.step(writer)?;
        store.collect_garbage();
        longest = longest.max(store.versions("x").len());
    }
    store.step(reader)?;
    let last_read = store.value_read(reader, "x").unwrap_or(-1);
    store.step(reader)?;
    store.collect_garbage();
    Ok(ChainRow {
        updates_during_read: updates,
        longest_chain: longest,
        chain_after: store.versions("x").len(),
        first_read,
        last_read,
    })
}

/// The longest version chain against the updates a long reader outlived.
///
/// # Examples
///
/// ```
/// use lessons::transactions::{chain_figure, long_reader_experiment};
///
/// let rows = long_reader_experiment(&[0, 10, 20])?;
/// assert!(chain_figure(&rows).to_svg()?.contains("versions"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn chain_figure(rows: &[ChainRow]) -> Figure {
    let points = |value: fn(&ChainRow) -> usize| -> Vec<(f64, f64)> {
        rows.iter()
            .map(|row| (row.updates_during_read as f64, value(row) as f64))
            .collect()
    };
    Figure::new("Version chain of x while one snapshot stays open")
        .x_label("updates committed while the reader is open")
        .y_label("versions of x kept")
        .line("while the reader is open", points(|row| row.longest_chain))
        .line("after it commits", points(|row| row.chain_after))
}
