//! The lost update: concurrent read-modify-write increments of one counter, and the ways to
//! keep every committed increment.

use std::fmt;

use serde::Serialize;

use super::isolation::Isolation;
use super::program::Program;
use super::schedule::{RunTotals, every_interleaving, run_random};
use crate::sim::{Rng, SimError};
use crate::viz::Figure;

/// How a transaction adds one to the counter `x`.
///
/// # Examples
///
/// ```
/// use lessons::transactions::{IncrementMethod, Isolation};
///
/// assert_eq!(IncrementMethod::ForUpdate.isolation(), Isolation::ReadCommitted);
/// assert_eq!(IncrementMethod::ForUpdate.to_string(), "SELECT FOR UPDATE");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum IncrementMethod {
    /// Read committed, plain read, then write the value read plus one.
    ReadThenWrite,
    /// Two-phase locking: shared lock on the read, upgraded to exclusive for the write.
    SharedThenUpgrade,
    /// Read committed with a locking read (`SELECT ... FOR UPDATE`), then the write.
    ForUpdate,
    /// Read committed with `UPDATE ... SET x = x + 1`: the store reads and writes under one lock.
    AtomicIncrement,
    /// Snapshot isolation, plain read then write; first committer wins.
    FirstCommitterWins,
}

impl IncrementMethod {
    /// Every method, in the order the lesson takes them.
    pub const ALL: [IncrementMethod; 5] = [
        IncrementMethod::ReadThenWrite,
        IncrementMethod::SharedThenUpgrade,
        IncrementMethod::ForUpdate,
        IncrementMethod::AtomicIncrement,
        IncrementMethod::FirstCommitterWins,
    ];

    /// The isolation level the method runs under.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::transactions::{IncrementMethod, Isolation};
    ///
    /// assert_eq!(IncrementMethod::SharedThenUpgrade.isolation(), Isolation::TwoPhaseLocking);
    /// ```
    pub fn isolation(self) -> Isolation {
        match self {
            IncrementMethod::SharedThenUpgrade => Isolation::TwoPhaseLocking,
            IncrementMethod::FirstCommitterWins => Isolation::Snapshot,
            _ => Isolation::ReadCommitted,
        }
    }

    /// The transaction that adds one to `x` this way.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::transactions::IncrementMethod;
    ///
    /// assert_eq!(IncrementMethod::AtomicIncrement.program().steps(), 2);
    /// ```
    pub fn program(self) -> Program {
        let name = self.to_string();
        match self {
            IncrementMethod::ForUpdate => Program::new(name)
                .read_for_update("x")
                .write_read_plus("x", 1),
            IncrementMethod::AtomicIncrement => Program::new(name).increment("x", 1),
            _ => Program::new(name).read("x").write_read_plus("x", 1),
        }
    }
}

impl fmt::Display for IncrementMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IncrementMethod::ReadThenWrite => "read, then write",
            IncrementMethod::SharedThenUpgrade => "S lock, upgrade to X",
            IncrementMethod::ForUpdate => "SELECT FOR UPDATE",
            IncrementMethod::AtomicIncrement => "x = x + 1 in the store",
            IncrementMethod::FirstCommitterWins => "snapshot, first committer wins",
        })
    }
}

/// Increments under one method and concurrency, summed over runs.
///
/// # Examples
///
/// ```
/// use lessons::transactions::{IncrementMethod, increment_interleavings};
///
/// let row = increment_interleavings(IncrementMethod::ReadThenWrite)?;
/// assert_eq!((row.totals.runs, row.runs_losing_updates), (14, 12));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IncrementRow {
    /// The method.
    pub method: String,
    /// How many increments ran concurrently.
    pub concurrency: usize,
    /// Commits, aborts, deadlocks and waits over all runs.
    #[serde(flatten)]
    pub totals: RunTotals,
    /// Committed increments whose effect is missing from the final value, over all runs.
    pub lost_updates: usize,
    /// Runs that lost at least one committed increment.
    pub runs_losing_updates: usize,
}

impl IncrementRow {
    fn new(method: IncrementMethod, concurrency: usize) -> IncrementRow {
        IncrementRow {
            method: method.to_string(),
            concurrency,
            totals: RunTotals::default(),
            lost_updates: 0,
            runs_losing_updates: 0,
        }
    }

    fn add(&mut self, store: &super::Database) {
        self.totals.add(store);
        let committed = store.counters().committed;
        let counted = store.value("x").unwrap_or(0) as usize;
        let lost = committed.saturating_sub(counted);
        self.lost_updates += lost;
        self.runs_losing_updates += usize::from(lost > 0);
    }
}

/// Two increments by `method`, in every interleaving of their steps: how many runs lose an
/// update, deadlock or abort.
///
/// # Examples
///
/// ```
/// use lessons::transactions::{IncrementMethod, increment_interleavings};
///
/// let upgrade = increment_interleavings(IncrementMethod::SharedThenUpgrade)?;
/// assert_eq!(upgrade.lost_updates, 0);
/// assert!(upgrade.totals.deadlocks > 0); // both read, both ask for X
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn increment_interleavings(method: IncrementMethod) -> Result<IncrementRow, SimError> {
    let programs = vec![method.program(); 2];
    let mut row = IncrementRow::new(method, 2);
    for run in every_interleaving(method.isolation(), &[("x", 0)], &programs)? {
        row.add(&run.store);
    }
    Ok(row)
}

/// For each method and each concurrency level, `runs` seeded random interleavings of that many
/// increments of a counter starting at 0.
///
/// # Examples
///
/// ```
/// use lessons::transactions::{IncrementMethod, lost_update_experiment};
///
/// let rows = lost_update_experiment(&[IncrementMethod::AtomicIncrement], &[4], 10, 1)?;
/// assert_eq!((rows[0].totals.committed, rows[0].lost_updates), (40, 0));
/// assert!(lost_update_experiment(&[IncrementMethod::AtomicIncrement], &[0], 10, 1).is_err());
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn lost_update_experiment(
    methods: &[IncrementMethod],
    concurrency: &[usize],
    runs: usize,
    seed: u64,
) -> Result<Vec<IncrementRow>, SimError> {
    let mut rng = Rng::new(seed);
    let mut rows = Vec::new();
    for &method in methods {
        for &n in concurrency {
            if !(1..=64).contains(&n) {
                return Err(SimError::parameter(
                    "concurrency",
                    n,
                    "from 1 to 64 transactions",
                ));
            }
            let programs = vec![method.program(); n];
            let mut row = IncrementRow::new(method, n);
            for _ in 0..runs {
                let store = run_random(method.isolation(), &[("x", 0)], &programs, rng.next_u64())?;
                row.add(&store);
            }
            rows.push(row);
        }
    }
    Ok(rows)
}

/// Lost updates per run against concurrency, one line per method.
///
/// # Examples
///
/// ```
/// use lessons::transactions::{IncrementMethod, lost_update_experiment, lost_updates_figure};
///
/// let rows = lost_update_experiment(&IncrementMethod::ALL, &[2, 4], 5, 1)?;
/// assert!(lost_updates_figure(&rows).to_svg()?.contains("lost"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn lost_updates_figure(rows: &[IncrementRow]) -> Figure {
    per_method_figure(
        rows,
        "Lost updates: n concurrent increments of one counter",
        "committed increments lost, per run",
        |row| row.lost_updates,
    )
}

/// Deadlocks per run against concurrency, one line per method.
///
/// # Examples
///
/// ```
/// use lessons::transactions::{IncrementMethod, deadlocks_figure, lost_update_experiment};
///
/// let rows = lost_update_experiment(&[IncrementMethod::SharedThenUpgrade], &[2, 4], 5, 1)?;
/// assert!(deadlocks_figure(&rows).to_svg()?.contains("deadlocks"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn deadlocks_figure(rows: &[IncrementRow]) -> Figure {
    per_method_figure(
        rows,
        "Deadlocks: n concurrent increments of one counter",
        "deadlocks (victims aborted), per run",
        |row| row.totals.deadlocks,
    )
}

fn per_method_figure(
    rows: &[IncrementRow],
    title: &str,
    y_label: &str,
    count: impl Fn(&IncrementRow) -> usize,
) -> Figure {
    let mut figure = Figure::new(title)
        .x_label("concurrent transactions")
        .y_label(y_label);
    for method in crate::viz::groups(rows, |row| row.method.clone()) {
        let points: Vec<(f64, f64)> = rows
            .iter()
            .filter(|row| row.method == method)
            .map(|row| {
                let per_run = count(row) as f64 / row.totals.runs.max(1) as f64;
                (row.concurrency as f64, per_run)
            })
            .collect();
        figure = figure.line(method, points);
    }
    figure
}
