//! The isolation levels the simulated store can run, and what each one does on a read, a
//! write and a commit.

use std::fmt;

use serde::Serialize;

/// How the store keeps concurrent transactions apart.
///
/// | level | plain read sees | locks | at commit |
/// |---|---|---|---|
/// | `ReadCommitted` | the latest committed version | X on write, held to the end | nothing |
/// | `TwoPhaseLocking` | the latest committed version | S on read, X on write (upgrade) | nothing |
/// | `Optimistic` | the latest committed version | none | abort if a key read was overwritten since |
/// | `Snapshot` | the snapshot taken at the first step | none | abort if a key written was committed by another since the snapshot (first committer wins) |
/// | `SerializableSnapshot` | the snapshot | none | as `Snapshot`, and abort on a dangerous structure of rw anti-dependencies |
///
/// A locking read ([`Program::read_for_update`](super::Program::read_for_update)) takes an X
/// lock at every level. Writes are buffered and installed at commit at every level, so no
/// level here lets a transaction see another's uncommitted write.
///
/// # Examples
///
/// ```
/// use lessons::transactions::Isolation;
///
/// assert_eq!(Isolation::Snapshot.to_string(), "snapshot isolation");
/// assert!(Isolation::SerializableSnapshot.reads_a_snapshot());
/// assert!(!Isolation::TwoPhaseLocking.reads_a_snapshot());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Isolation {
    /// Read committed without read locks.
    ReadCommitted,
    /// Strict two-phase locking: shared locks for reads, exclusive for writes, all held to the end.
    TwoPhaseLocking,
    /// Optimistic concurrency control: no locks, validation of the read set at commit.
    Optimistic,
    /// Snapshot isolation with first-committer-wins.
    Snapshot,
    /// Serializable snapshot isolation: snapshot isolation plus rw-antidependency tracking that
    /// aborts (never blocks) when two consecutive anti-dependencies meet at one transaction.
    SerializableSnapshot,
}

impl Isolation {
    /// Every level, weakest first.
    pub const ALL: [Isolation; 5] = [
        Isolation::ReadCommitted,
        Isolation::TwoPhaseLocking,
        Isolation::Optimistic,
        Isolation::Snapshot,
        Isolation::SerializableSnapshot,
    ];

    /// `true` when plain reads see the snapshot taken at the transaction's first step.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(lessons::transactions::Isolation::Snapshot.reads_a_snapshot());
    /// ```
    pub fn reads_a_snapshot(self) -> bool {
        matches!(self, Isolation::Snapshot | Isolation::SerializableSnapshot)
    }

    /// `true` when writes take exclusive locks held until the end of the transaction.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(lessons::transactions::Isolation::ReadCommitted.locks_writes());
    /// ```
    pub fn locks_writes(self) -> bool {
        matches!(self, Isolation::ReadCommitted | Isolation::TwoPhaseLocking)
    }
}

impl fmt::Display for Isolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Isolation::ReadCommitted => "read committed",
            Isolation::TwoPhaseLocking => "two-phase locking",
            Isolation::Optimistic => "optimistic (OCC)",
            Isolation::Snapshot => "snapshot isolation",
            Isolation::SerializableSnapshot => "serializable snapshot (SSI)",
        })
    }
}

/// Why the store aborted a transaction.
///
/// # Examples
///
/// ```
/// use lessons::transactions::AbortReason;
///
/// assert_eq!(AbortReason::Deadlock.to_string(), "deadlock victim");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum AbortReason {
    /// Its lock request closed a cycle in the wait-for graph.
    Deadlock,
    /// Another transaction committed a write to a key it writes after its snapshot (first
    /// committer wins).
    WriteConflict,
    /// A key it read was overwritten before it could commit (optimistic validation).
    StaleRead,
    /// Committing would complete two consecutive rw anti-dependencies between concurrent
    /// transactions (SSI's dangerous structure).
    DangerousStructure,
}

impl fmt::Display for AbortReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AbortReason::Deadlock => "deadlock victim",
            AbortReason::WriteConflict => "write conflict (first committer wins)",
            AbortReason::StaleRead => "read set changed (validation failed)",
            AbortReason::DangerousStructure => "rw-antidependency structure (SSI)",
        })
    }
}
