//! The scheduler: which transaction takes the next step. A given order, a seeded random one,
//! or every order there is.

use serde::Serialize;

use super::database::{Database, Step};
use super::isolation::Isolation;
use super::program::Program;
use crate::check::TxnId;
use crate::sim::{Rng, SimError};

/// The most runs [`every_interleaving`] will enumerate.
pub const MAX_INTERLEAVINGS: usize = 200_000;

/// A store with one transaction per program, begun in order (program `i` is transaction
/// `i + 1`).
fn store_with(isolation: Isolation, initial: &[(&str, i64)], programs: &[Program]) -> Database {
    let mut store = Database::new(isolation, initial);
    for program in programs {
        store.begin(program.clone());
    }
    store
}

/// Runs `programs` concurrently, stepping them in `order` (program indices; a step of a
/// finished transaction is skipped, a step that must wait is spent waiting), then finishes
/// whatever is left by stepping the active transactions in turn.
///
/// # Examples
///
/// ```
/// use lessons::transactions::{Isolation, Program, run_in_order};
///
/// let increment = Program::new("T").read("x").write_read_plus("x", 1);
/// let store = run_in_order(
///     Isolation::ReadCommitted,
///     &[("x", 0)],
///     &[increment.clone(), increment],
///     &[0, 1, 0, 0, 1, 1],
/// )?;
/// assert_eq!(store.value("x"), Some(1)); // the lost update
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn run_in_order(
    isolation: Isolation,
    initial: &[(&str, i64)],
    programs: &[Program],
    order: &[usize],
) -> Result<Database, SimError> {
    let mut store = store_with(isolation, initial, programs);
    for &index in order {
        if index >= programs.len() {
            return Err(SimError::parameter(
                "order",
                index,
                format!("name programs 0 to {}", programs.len().saturating_sub(1)),
            ));
        }
        let txn = index + 1;
        if store.status(txn).is_some_and(|s| !s.is_finished()) {
            store.step(txn)?;
        }
    }
    finish(&mut store)?;
    Ok(store)
}

/// Runs `programs` concurrently, each step taken by an active transaction picked at random
/// (seeded); a pick that has to wait is spent waiting.
///
/// # Examples
///
/// ```
/// use lessons::transactions::{Isolation, Program, run_random};
///
/// let increment = Program::new("T").read_for_update("x").write_read_plus("x", 1);
/// let store = run_random(Isolation::ReadCommitted, &[("x", 0)], &vec![increment; 5], 7)?;
/// assert_eq!(store.value("x"), Some(5)); // locking reads lose nothing
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn run_random(
    isolation: Isolation,
    initial: &[(&str, i64)],
    programs: &[Program],
    seed: u64,
) -> Result<Database, SimError> {
    let mut store = store_with(isolation, initial, programs);
    let mut rng = Rng::new(seed);
    let budget = step_budget(programs);
    for _ in 0..budget {
        let active = store.active();
        let Some(&txn) = rng.pick(&active) else {
            return Ok(store);
        };
        store.step(txn)?;
    }
    Err(SimError::parameter(
        "programs",
        programs.len(),
        format!("the run did not finish in {budget} steps; use fewer or shorter programs"),
    ))
}

/// One complete run of [`every_interleaving`]: the steps in the order they ran (program
/// indices) and the store at the end.
#[derive(Debug, Clone, PartialEq)]
pub struct Interleaving {
    /// Which program took each step that ran (waiting attempts are not steps).
    pub order: Vec<usize>,
    /// The store after every transaction finished.
    pub store: Database,
}

/// Every way to interleave the steps of `programs`: at each point, any active transaction may
/// take its next step. A step that needs a lock held by others puts the transaction in the
/// lock's queue (or, if that closes a cycle of waits, aborts it as the deadlock victim); a
/// queued transaction is a choice again only once its step can run.
/// An error if there would be more than [`MAX_INTERLEAVINGS`] runs.
///
/// # Examples
///
/// Two read-then-write increments without locks have C(6, 3) = 20 interleavings; under
/// snapshot isolation all but the two serial ones overlap, and in those 18 one of the two
/// aborts (first committer wins).
///
/// ```
/// use lessons::transactions::{Isolation, Program, every_interleaving};
///
/// let increment = Program::new("T").read("x").write_read_plus("x", 1);
/// let runs = every_interleaving(Isolation::Snapshot, &[("x", 0)], &[increment.clone(), increment])?;
/// assert_eq!(runs.len(), 20);
/// let one_aborted = runs.iter().filter(|run| run.store.counters().aborted == 1).count();
/// assert_eq!(one_aborted, 18);
/// assert!(runs.iter().all(|run| run.store.value("x") == Some(run.store.counters().committed as i64)));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn every_interleaving(
    isolation: Isolation,
    initial: &[(&str, i64)],
    programs: &[Program],
) -> Result<Vec<Interleaving>, SimError> {
    let store = store_with(isolation, initial, programs);
    let mut runs = Vec::new();
    explore(store, Vec::new(), &mut runs)?;
    Ok(runs)
}

fn explore(
    store: Database,
    order: Vec<usize>,
    runs: &mut Vec<Interleaving>,
) -> Result<(), SimError> {
    let active = store.active();
    if active.is_empty() {
        if runs.len() == MAX_INTERLEAVINGS {
            return Err(SimError::parameter(
                "programs",
                "these",
                format!(
                    "they have more than {MAX_INTERLEAVINGS} interleavings; use fewer or shorter ones"
                ),
            ));
        }
        runs.push(Interleaving { order, store });
        return Ok(());
    }
    for txn in active {
        let already_waiting = !store.waiting_for(txn).is_empty();
        let mut next = store.clone();
        let step = next.step(txn)?;
        if already_waiting && matches!(step, Step::Waiting(_)) {
            continue;
        }
        let mut longer = order.clone();
        longer.push(txn - 1);
        explore(next, longer, runs)?;
    }
    Ok(())
}

/// Steps the active transactions in turn until all have finished.
fn finish(store: &mut Database) -> Result<(), SimError> {
    loop {
        let active: Vec<TxnId> = store.active();
        if active.is_empty() {
            return Ok(());
        }
        for txn in active {
            if store.status(txn).is_some_and(|s| !s.is_finished()) {
                store.step(txn)?;
            }
        }
    }
}

/// Enough picks for any run: every step of every program, many times over for the picks
/// spent waiting.
fn step_budget(programs: &[Program]) -> usize {
    let steps: usize = programs.iter().map(Program::steps).sum();
    100 * (steps + 1) * (programs.len() + 1)
}

/// How the runs of one experiment cell came out, summed over its runs.
///
/// # Examples
///
/// ```
/// use lessons::transactions::RunTotals;
///
/// assert_eq!(RunTotals::default().runs, 0);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RunTotals {
    /// How many runs.
    pub runs: usize,
    /// Transactions committed, over all runs.
    pub committed: usize,
    /// Transactions aborted, over all runs.
    pub aborted: usize,
    /// Deadlocks found, over all runs.
    pub deadlocks: usize,
    /// Times a transaction had to wait for a lock, over all runs.
    pub waits: usize,
}

impl RunTotals {
    /// Adds one finished store's counts.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::transactions::{Database, Isolation, RunTotals};
    ///
    /// let mut totals = RunTotals::default();
    /// totals.add(&Database::new(Isolation::Snapshot, &[]));
    /// assert_eq!(totals.runs, 1);
    /// ```
    pub fn add(&mut self, store: &Database) {
        let counters = store.counters();
        self.runs += 1;
        self.committed += counters.committed;
        self.aborted += counters.aborted;
        self.deadlocks += counters.deadlocks;
        self.waits += counters.waits;
    }
}
