//! The multi-version key-value store: every committed write adds a version stamped with a
//! commit timestamp; transactions run their programs one step at a time under an isolation
//! level; the store records the history for the checker.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::isolation::{AbortReason, Isolation};
use super::locks::{LockTable, wait_cycle};
use super::program::{NewValue, Operation, Program};
use crate::check::{INITIAL, IsolationReport, TransactionHistory, TxnId, check_isolation};
use crate::sim::SimError;

/// One committed version of a key: its value, the transaction that wrote it and the commit
/// timestamp (0 for the initial versions).
///
/// # Examples
///
/// ```
/// use lessons::transactions::{Database, Isolation, Version};
///
/// let store = Database::new(Isolation::Snapshot, &[("x", 5)]);
/// assert_eq!(store.versions("x"), [Version { value: 5, writer: 0, committed_at: 0 }]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Version {
    /// The value.
    pub value: i64,
    /// The transaction that wrote it (0: the initial data).
    pub writer: TxnId,
    /// When it was committed, on the store's commit counter.
    pub committed_at: u64,
}

/// Where a transaction stands.
///
/// # Examples
///
/// ```
/// use lessons::transactions::{AbortReason, Status};
///
/// assert!(Status::Aborted(AbortReason::Deadlock).is_finished());
/// assert!(!Status::Active.is_finished());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Status {
    /// Still running (possibly waiting for a lock).
    Active,
    /// Committed: its writes are versions in the store.
    Committed,
    /// Aborted, and why.
    Aborted(AbortReason),
}

impl Status {
    /// `true` once committed or aborted.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(lessons::transactions::Status::Committed.is_finished());
    /// ```
    pub fn is_finished(self) -> bool {
        self != Status::Active
    }
}

/// What one step did.
///
/// # Examples
///
/// ```
/// use lessons::transactions::{Database, Isolation, Program, Step};
///
/// let mut store = Database::new(Isolation::ReadCommitted, &[("x", 0)]);
/// let t1 = store.begin(Program::new("T1").read("x"));
/// assert_eq!(store.step(t1)?, Step::Ran);
/// assert_eq!(store.step(t1)?, Step::Committed);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Step {
    /// The operation ran.
    Ran,
    /// The operation needs a lock these transactions hold; try the step again later.
    Waiting(Vec<TxnId>),
    /// The transaction committed.
    Committed,
    /// The transaction was aborted.
    Aborted(AbortReason),
}

#[derive(Debug, Clone, PartialEq)]
struct Transaction {
    program: Program,
    next: usize,
    status: Status,
    snapshot: Option<u64>,
    committed_at: Option<u64>,
    values_read: BTreeMap<String, i64>,
    /// Each key read from another transaction, with the writer of the version seen.
    read_from: Vec<(String, TxnId)>,
    writes: BTreeMap<String, i64>,
    waiting_for: Vec<TxnId>,
}

/// Counts kept while transactions run.
///
/// # Examples
///
/// ```
/// use lessons::transactions::{Counters, Database, Isolation};
///
/// assert_eq!(Database::new(Isolation::Snapshot, &[]).counters(), Counters::default());
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counters {
    /// Transactions committed.
    pub committed: usize,
    /// Transactions aborted, for any reason.
    pub aborted: usize,
    /// Deadlocks found (each aborts one victim).
    pub deadlocks: usize,
    /// Times a transaction started waiting for a lock.
    pub waits: usize,
    /// Steps that ran (operations, commits and aborts; not the attempts that had to wait).
    pub steps: usize,
}

/// A multi-version key-value store that runs transactions step by step under one isolation
/// level and records what every read saw, for [`check_isolation`].
///
/// Versions are never copied per transaction: a snapshot is one number, the commit counter
/// when the transaction took its first step, and a snapshot read picks the newest version
/// committed at or before it. [`collect_garbage`](Database::collect_garbage) drops versions no
/// active snapshot can see.
///
/// # Examples
///
/// The lost update under read committed: both read 0, both write 1.
///
/// ```
/// use lessons::transactions::{Database, Isolation, Program};
///
/// let mut store = Database::new(Isolation::ReadCommitted, &[("x", 0)]);
/// let increment = Program::new("T").read("x").write_read_plus("x", 1);
/// let (t1, t2) = (store.begin(increment.clone()), store.begin(increment));
/// for t in [t1, t2, t1, t1, t2, t2] {
///     store.step(t)?;
/// }
/// assert_eq!(store.value("x"), Some(1)); // two increments committed, one survives
/// assert_eq!(store.check().anomaly.map(|a| a.to_string()).as_deref(), Some("G-single"));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Database {
    isolation: Isolation,
    versions: BTreeMap<String, Vec<Version>>,
    clock: u64,
    locks: LockTable,
    transactions: Vec<Transaction>,
    history: TransactionHistory,
    counters: Counters,
}

impl Database {
    /// A store holding `initial` (key, value) pairs as versions written by transaction 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::transactions::{Database, Isolation};
    ///
    /// let store = Database::new(Isolation::TwoPhaseLocking, &[("x", 1), ("y", 2)]);
    /// assert_eq!((store.value("x"), store.value("z")), (Some(1), None));
    /// ```
    pub fn new(isolation: Isolation, initial: &[(&str, i64)]) -> Database {
        let versions = initial
            .iter()
            .map(|&(key, value)| {
                let first = Version {
                    value,
                    writer: INITIAL,
                    committed_at: 0,
                };
                (key.to_string(), vec![first])
            })
            .collect();
        Database {
            isolation,
            versions,
            clock: 0,
            locks: LockTable::default(),
            transactions: Vec::new(),
            history: TransactionHistory::new(),
            counters: Counters::default(),
        }
    }

    /// The isolation level.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::transactions::{Database, Isolation};
    ///
    /// assert_eq!(Database::new(Isolation::Optimistic, &[]).isolation(), Isolation::Optimistic);
    /// ```
    pub fn isolation(&self) -> Isolation {
        self.isolation
    }

    /// Registers a transaction that will run `program`; it takes no step (and no snapshot) yet.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::transactions::{Database, Isolation, Program};
    ///
    /// let mut store = Database::new(Isolation::Snapshot, &[]);
    /// assert_eq!(store.begin(Program::new("T1")), 1);
    /// ```
    pub fn begin(&mut self, program: Program) -> TxnId {
        let id = self.history.begin();
        self.transactions.push(Transaction {
            program,
            next: 0,
            status: Status::Active,
            snapshot: None,
            committed_at: None,
            values_read: BTreeMap::new(),
            read_from: Vec::new(),
            writes: BTreeMap::new(),
            waiting_for: Vec::new(),
        });
        id
    }

    /// Runs the next step of `txn`: its next operation, or its commit after the last one. A
    /// step that needs a lock held by others returns [`Step::Waiting`] and changes nothing,
    /// unless waiting would close a cycle of waits: then `txn` is the deadlock victim and is
    /// aborted. An error if `txn` does not exist or has finished.
    ///
    /// # Examples
    ///
    /// The upgrade deadlock: both hold S on x, both ask for X.
    ///
    /// ```
    /// use lessons::transactions::{AbortReason, Database, Isolation, Program, Step};
    ///
    /// let mut store = Database::new(Isolation::TwoPhaseLocking, &[("x", 0)]);
    /// let increment = Program::new("T").read("x").write_read_plus("x", 1);
    /// let (t1, t2) = (store.begin(increment.clone()), store.begin(increment));
    /// store.step(t1)?;
    /// store.step(t2)?;
    /// assert_eq!(store.step(t1)?, Step::Waiting(vec![t2]));
    /// assert_eq!(store.step(t2)?, Step::Aborted(AbortReason::Deadlock));
    /// assert_eq!(store.step(t1)?, Step::Ran); // the victim's locks are gone
    /// assert!(store.step(99).is_err());
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn step(&mut self, txn: TxnId) -> Result<Step, SimError> {
        let index = self.active_index(txn)?;
        if self.transactions[index].snapshot.is_none() {
            self.transactions[index].snapshot = Some(self.clock);
        }
        let program = &self.transactions[index].program;
        let Some(operation) = program
            .operations
            .get(self.transactions[index].next)
            .cloned()
        else {
            return Ok(self.commit(txn));
        };
        let outcome = match &operation {
            Operation::Read(key) => self.read(txn, key, false),
            Operation::ReadForUpdate(key) => self.read(txn, key, true),
            Operation::Write { key, value } => self.write(txn, key, *value),
            Operation::Increment { key, by } => self.increment(txn, key, *by),
            Operation::Require { keys, at_least } => {
                let t = &mut self.transactions[index];
                let sum: i64 = keys.iter().filter_map(|k| t.values_read.get(k)).sum();
                if sum < *at_least {
                    t.next = t.program.operations.len() - 1;
                }
                Ok(())
            }
        };
        match outcome {
            Ok(()) => {
                let t = &mut self.transactions[index];
                t.next += 1;
                t.waiting_for.clear();
                self.counters.steps += 1;
                Ok(Step::Ran)
            }
            Err(Blocked::Abort(reason)) => Ok(self.abort(txn, reason)),
            Err(Blocked::Wait(holders)) => Ok(self.wait(txn, holders)),
        }
    }

    /// The newest committed value of `key` (`None` if it was never written).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::transactions::{Database, Isolation};
    ///
    /// assert_eq!(Database::new(Isolation::Snapshot, &[("x", 3)]).value("x"), Some(3));
    /// ```
    pub fn value(&self, key: &str) -> Option<i64> {
        self.latest(key).map(|v| v.value)
    }

    /// The committed versions of `key` still kept, oldest first: the version chain.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::transactions::{Database, Isolation};
    ///
    /// assert_eq!(Database::new(Isolation::Snapshot, &[("x", 3)]).versions("x").len(), 1);
    /// ```
    pub fn versions(&self, key: &str) -> &[Version] {
        self.versions.get(key).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The version a snapshot taken at `at` sees: the newest committed at or before it.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::transactions::{Database, Isolation};
    ///
    /// let store = Database::new(Isolation::Snapshot, &[("x", 3)]);
    /// assert_eq!(store.version_at("x", 0).map(|v| v.value), Some(3));
    /// ```
    pub fn version_at(&self, key: &str, at: u64) -> Option<Version> {
        self.versions(key)
            .iter()
            .rev()
            .find(|v| v.committed_at <= at)
            .copied()
    }

    /// The commit counter: how many transactions have committed writes or reads so far.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::transactions::{Database, Isolation};
    ///
    /// assert_eq!(Database::new(Isolation::Snapshot, &[]).clock(), 0);
    /// ```
    pub fn clock(&self) -> u64 {
        self.clock
    }

    /// The snapshot of `txn` (the commit counter at its first step), if it has taken one.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::transactions::{Database, Isolation, Program};
    ///
    /// let mut store = Database::new(Isolation::Snapshot, &[("x", 0)]);
    /// let t1 = store.begin(Program::new("T1").read("x"));
    /// assert_eq!(store.snapshot(t1), None);
    /// store.step(t1)?;
    /// assert_eq!(store.snapshot(t1), Some(0));
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn snapshot(&self, txn: TxnId) -> Option<u64> {
        self.transaction(txn).and_then(|t| t.snapshot)
    }

    /// When `txn` committed, on the commit counter.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::transactions::{Database, Isolation, Program};
    ///
    /// let mut store = Database::new(Isolation::Snapshot, &[]);
    /// let t1 = store.begin(Program::new("T1"));
    /// store.step(t1)?;
    /// assert_eq!(store.committed_at(t1), Some(1));
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn committed_at(&self, txn: TxnId) -> Option<u64> {
        self.transaction(txn).and_then(|t| t.committed_at)
    }

    /// Where `txn` stands (`None` for an unknown number).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::transactions::{Database, Isolation, Program, Status};
    ///
    /// let mut store = Database::new(Isolation::Snapshot, &[]);
    /// let t1 = store.begin(Program::new("T1"));
    /// assert_eq!(store.status(t1), Some(Status::Active));
    /// ```
    pub fn status(&self, txn: TxnId) -> Option<Status> {
        self.transaction(txn).map(|t| t.status)
    }

    /// The value `txn` saw the last time it read `key` (`None` if it has not read it).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::transactions::{Database, Isolation, Program};
    ///
    /// let mut store = Database::new(Isolation::Snapshot, &[("x", 4)]);
    /// let t1 = store.begin(Program::new("T1").read("x"));
    /// store.step(t1)?;
    /// assert_eq!(store.value_read(t1, "x"), Some(4));
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn value_read(&self, txn: TxnId, key: &str) -> Option<i64> {
        self.transaction(txn)
            .and_then(|t| t.values_read.get(key).copied())
    }

    /// How many of its operations `txn` has run (its next operation's index).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::transactions::{Database, Isolation, Program};
    ///
    /// let mut store = Database::new(Isolation::Snapshot, &[("x", 0)]);
    /// let t1 = store.begin(Program::new("T1").read("x").read("x"));
    /// store.step(t1)?;
    /// assert_eq!(store.steps_taken(t1), 1);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn steps_taken(&self, txn: TxnId) -> usize {
        self.transaction(txn).map_or(0, |t| t.next)
    }

    /// The transactions `txn` is waiting for (empty when it is not waiting for a lock).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::transactions::{Database, Isolation, Program};
    ///
    /// let mut store = Database::new(Isolation::TwoPhaseLocking, &[("x", 0)]);
    /// let t1 = store.begin(Program::new("T1").write("x", 1));
    /// let t2 = store.begin(Program::new("T2").read("x"));
    /// store.step(t1)?;
    /// store.step(t2)?;
    /// assert_eq!(store.waiting_for(t2), [t1]);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn waiting_for(&self, txn: TxnId) -> &[TxnId] {
        self.transaction(txn)
            .map(|t| t.waiting_for.as_slice())
            .unwrap_or(&[])
    }

    /// The recorded history: reads with the writer each saw, writes, commits.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::transactions::{Database, Isolation};
    ///
    /// assert!(Database::new(Isolation::Snapshot, &[]).history().transactions().is_empty());
    /// ```
    pub fn history(&self) -> &TransactionHistory {
        &self.history
    }

    /// The isolation checker's verdict on the history so far.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::transactions::{Database, Isolation};
    ///
    /// assert!(Database::new(Isolation::Snapshot, &[]).check().is_serializable());
    /// ```
    pub fn check(&self) -> IsolationReport {
        check_isolation(&self.history)
    }

    /// Commits, aborts, deadlocks and waits so far.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::transactions::{Database, Isolation};
    ///
    /// assert_eq!(Database::new(Isolation::Snapshot, &[]).counters().committed, 0);
    /// ```
    pub fn counters(&self) -> Counters {
        self.counters
    }

    /// The transactions not finished yet.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::transactions::{Database, Isolation, Program};
    ///
    /// let mut store = Database::new(Isolation::Snapshot, &[]);
    /// let t1 = store.begin(Program::new("T1"));
    /// assert_eq!(store.active(), [t1]);
    /// ```
    pub fn active(&self) -> Vec<TxnId> {
        (1..=self.transactions.len())
            .filter(|&t| self.transactions[t - 1].status == Status::Active)
            .collect()
    }

    /// The oldest snapshot an active transaction holds, or the commit counter if none does:
    /// every version older than the one visible at this point is garbage.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::transactions::{Database, Isolation};
    ///
    /// assert_eq!(Database::new(Isolation::Snapshot, &[]).oldest_active_snapshot(), 0);
    /// ```
    pub fn oldest_active_snapshot(&self) -> u64 {
        self.transactions
            .iter()
            .filter(|t| t.status == Status::Active)
            .filter_map(|t| t.snapshot)
            .min()
            .unwrap_or(self.clock)
    }

    /// Removes every version that no active snapshot (and no future one) can see: for each
    /// key, keeps the newest version committed at or before the oldest active snapshot and
    /// everything newer. Returns how many versions were removed.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::transactions::{Database, Isolation, Program};
    ///
    /// let mut store = Database::new(Isolation::Snapshot, &[("x", 0)]);
    /// for value in 1..=3 {
    ///     let writer = store.begin(Program::new("W").write("x", value));
    ///     store.step(writer)?;
    ///     store.step(writer)?;
    /// }
    /// assert_eq!(store.versions("x").len(), 4);
    /// assert_eq!(store.collect_garbage(), 3); // nobody can see the first three any more
    /// assert_eq!(store.versions("x").len(), 1);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn collect_garbage(&mut self) -> usize {
        let horizon = self.oldest_active_snapshot();
        let mut removed = 0;
        for chain in self.versions.values_mut() {
            let visible = chain
                .iter()
                .rposition(|v| v.committed_at <= horizon)
                .unwrap_or(0);
            removed += visible;
            chain.drain(..visible);
        }
        removed
    }

    fn transaction(&self, txn: TxnId) -> Option<&Transaction> {
        txn.checked_sub(1).and_then(|i| self.transactions.get(i))
    }

    fn active_index(&self, txn: TxnId) -> Result<usize, SimError> {
        match self.transaction(txn).map(|t| t.status) {
            Some(Status::Active) => Ok(txn - 1),
            Some(status) => Err(SimError::parameter(
                "transaction",
                txn,
                format!("it has finished ({status:?}); step an active one"),
            )),
            None => Err(SimError::parameter(
                "transaction",
                txn,
                format!(
                    "begin it first; this store has transactions 1 to {}",
                    self.transactions.len()
                ),
            )),
        }
    }

    fn latest(&self, key: &str) -> Option<&Version> {
        self.versions.get(key).and_then(|chain| chain.last())
    }

    /// The version `txn` would read of `key`, by its isolation level: the snapshot's, or the
    /// latest committed.
    fn visible(&self, txn: TxnId, key: &str) -> Option<Version> {
        let t = &self.transactions[txn - 1];
        match t.snapshot {
            Some(at) if self.isolation.reads_a_snapshot() => self.version_at(key, at),
            _ => self.latest(key).copied(),
        }
    }

    fn read(&mut self, txn: TxnId, key: &str, for_update: bool) -> Result<(), Blocked> {
        if for_update {
            self.locks.exclusive(txn, key).map_err(Blocked::Wait)?;
            if self.isolation.reads_a_snapshot() && self.written_since_snapshot(txn, key) {
                // A locking read of a row updated after the snapshot cannot return the
                // snapshot's row and still lock the current one.
                return Err(Blocked::Abort(AbortReason::WriteConflict));
            }
        } else if self.isolation == Isolation::TwoPhaseLocking {
            self.locks.shared(txn, key).map_err(Blocked::Wait)?;
        }
        self.observe(txn, key);
        Ok(())
    }

    /// Records the value `txn` sees of `key`: its own write, or the visible version.
    fn observe(&mut self, txn: TxnId, key: &str) -> i64 {
        if let Some(&own) = self.transactions[txn - 1].writes.get(key) {
            self.transactions[txn - 1]
                .values_read
                .insert(key.to_string(), own);
            return own;
        }
        let seen = self.visible(txn, key);
        let value = seen.map_or(0, |v| v.value);
        let t = &mut self.transactions[txn - 1];
        t.values_read.insert(key.to_string(), value);
        if let Some(version) = seen {
            t.read_from.push((key.to_string(), version.writer));
            // The history accepts every writer it knows, and this one wrote the key.
            let _ = self.history.read(txn, key, version.writer);
        }
        value
    }

    fn write(&mut self, txn: TxnId, key: &str, value: NewValue) -> Result<(), Blocked> {
        if self.isolation.locks_writes() {
            self.locks.exclusive(txn, key).map_err(Blocked::Wait)?;
        }
        let t = &mut self.transactions[txn - 1];
        let new = match value {
            NewValue::Constant(constant) => constant,
            NewValue::ReadPlus(add) => t.values_read.get(key).copied().unwrap_or(0) + add,
        };
        t.writes.insert(key.to_string(), new);
        let _ = self.history.write(txn, key);
        Ok(())
    }

    fn increment(&mut self, txn: TxnId, key: &str, by: i64) -> Result<(), Blocked> {
        if self.isolation.locks_writes() {
            self.locks.exclusive(txn, key).map_err(Blocked::Wait)?;
        }
        let current = self.observe(txn, key);
        self.transactions[txn - 1]
            .writes
            .insert(key.to_string(), current + by);
        let _ = self.history.write(txn, key);
        Ok(())
    }

    fn written_since_snapshot(&self, txn: TxnId, key: &str) -> bool {
        let snapshot = self.transactions[txn - 1].snapshot.unwrap_or(self.clock);
        self.latest(key).is_some_and(|v| v.committed_at > snapshot)
    }

    fn wait(&mut self, txn: TxnId, holders: Vec<TxnId>) -> Step {
        let t = &mut self.transactions[txn - 1];
        if t.waiting_for.is_empty() {
            self.counters.waits += 1;
        }
        t.waiting_for = holders.clone();
        let waits_for: BTreeMap<TxnId, Vec<TxnId>> = (1..=self.transactions.len())
            .filter(|&t| !self.transactions[t - 1].waiting_for.is_empty())
            .map(|t| (t, self.transactions[t - 1].waiting_for.clone()))
            .collect();
        if wait_cycle(&waits_for, txn).is_some() {
            self.counters.deadlocks += 1;
            return self.abort(txn, AbortReason::Deadlock);
        }
        Step::Waiting(holders)
    }

    fn commit(&mut self, txn: TxnId) -> Step {
        if let Some(reason) = self.commit_conflict(txn) {
            return self.abort(txn, reason);
        }
        self.clock += 1;
        let at = self.clock;
        let t = &mut self.transactions[txn - 1];
        for (key, &value) in &t.writes {
            self.versions.entry(key.clone()).or_default().push(Version {
                value,
                writer: txn,
                committed_at: at,
            });
        }
        t.status = Status::Committed;
        t.committed_at = Some(at);
        t.waiting_for.clear();
        let _ = self.history.commit(txn);
        self.locks.release_all(txn);
        self.counters.committed += 1;
        self.counters.steps += 1;
        Step::Committed
    }

    fn abort(&mut self, txn: TxnId, reason: AbortReason) -> Step {
        let t = &mut self.transactions[txn - 1];
        t.status = Status::Aborted(reason);
        t.waiting_for.clear();
        self.locks.release_all(txn);
        self.counters.aborted += 1;
        self.counters.steps += 1;
        Step::Aborted(reason)
    }

    /// Why `txn` may not commit under the store's isolation level, if it may not.
    fn commit_conflict(&self, txn: TxnId) -> Option<AbortReason> {
        let t = &self.transactions[txn - 1];
        match self.isolation {
            Isolation::ReadCommitted | Isolation::TwoPhaseLocking => None,
            Isolation::Optimistic => t
                .read_from
                .iter()
                .any(|(key, writer)| self.latest(key).is_some_and(|v| v.writer != *writer))
                .then_some(AbortReason::StaleRead),
            Isolation::Snapshot => self.first_committer_conflict(txn),
            Isolation::SerializableSnapshot => self.first_committer_conflict(txn).or_else(|| {
                self.completes_dangerous_structure(txn)
                    .then_some(AbortReason::DangerousStructure)
            }),
        }
    }

    fn first_committer_conflict(&self, txn: TxnId) -> Option<AbortReason> {
        let t = &self.transactions[txn - 1];
        t.writes
            .keys()
            .any(|key| self.written_since_snapshot(txn, key))
            .then_some(AbortReason::WriteConflict)
    }

    /// SSI's test, at `txn`'s commit: among the committed transactions and `txn`, would some
    /// transaction have both an incoming and an outgoing rw anti-dependency with a concurrent
    /// one? Each commit keeps the committed set free of that structure, so only structures
    /// through `txn` need looking for.
    fn completes_dangerous_structure(&self, txn: TxnId) -> bool {
        let members: Vec<TxnId> = (1..=self.transactions.len())
            .filter(|&t| t == txn || self.transactions[t - 1].status == Status::Committed)
            .collect();
        let edge = |reader: TxnId, writer: TxnId| self.concurrent_rw(txn, reader, writer);
        let outgoing: Vec<TxnId> = members.iter().copied().filter(|&w| edge(txn, w)).collect();
        let incoming: Vec<TxnId> = members.iter().copied().filter(|&r| edge(r, txn)).collect();
        if !outgoing.is_empty() && !incoming.is_empty() {
            return true;
        }
        let onward = |pivot: TxnId| members.iter().any(|&w| edge(pivot, w));
        let backward = |pivot: TxnId| members.iter().any(|&r| edge(r, pivot));
        outgoing.iter().any(|&w| onward(w)) || incoming.iter().any(|&r| backward(r))
    }

    /// An rw anti-dependency `reader → writer` between two concurrent transactions: the reader
    /// read a key the writer wrote, from a snapshot that does not include the writer's commit,
    /// and the two overlapped in time. `committing` has not committed yet; it would commit now.
    fn concurrent_rw(&self, committing: TxnId, reader: TxnId, writer: TxnId) -> bool {
        if reader == writer {
            return false;
        }
        let commit_of = |t: TxnId| {
            if t == committing {
                self.clock + 1
            } else {
                self.transactions[t - 1].committed_at.unwrap_or(u64::MAX)
            }
        };
        let (r, w) = (
            &self.transactions[reader - 1],
            &self.transactions[writer - 1],
        );
        let (r_snapshot, w_snapshot) = (r.snapshot.unwrap_or(0), w.snapshot.unwrap_or(0));
        let overlapped = commit_of(writer) > r_snapshot && commit_of(reader) > w_snapshot;
        let keys_read: BTreeSet<&String> = r.read_from.iter().map(|(key, _)| key).collect();
        overlapped && w.writes.keys().any(|key| keys_read.contains(key))
    }
}

/// Why an operation could not run now.
enum Blocked {
    Wait(Vec<TxnId>),
    Abort(AbortReason),
}
