//! What a Raft log holds: entries stamped with the term of the leader that created them, client
//! commands, and the snapshot that replaces a committed prefix.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::state_machine::Register;

/// An election term: a logical clock that every message carries (Raft paper, section 5.1).
pub type Term = u64;

/// A position in the log, counted from 1; index 0 is "before the first entry".
pub type LogIndex = u64;

/// What a client asks the replicated register to do.
///
/// # Examples
///
/// ```
/// use lessons::raft::Operation;
///
/// assert_eq!(Operation::Write(7).to_string(), "write 7");
/// assert_eq!(Operation::Read.to_string(), "read");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Operation {
    /// Set the register to this value.
    Write(u64),
    /// Return the register's value, ordered through the log like a write.
    Read,
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Operation::Write(value) => write!(f, "write {value}"),
            Operation::Read => write!(f, "read"),
        }
    }
}

/// A client request: who sent it, its place in that client's session, and the operation.
/// The pair (client, sequence) is what lets the state machine drop a retried duplicate (Ongaro's
/// thesis, section 6.3).
///
/// # Examples
///
/// ```
/// use lessons::raft::{Command, Operation};
///
/// let command = Command { client: 9, sequence: 1, operation: Operation::Write(5) };
/// assert_eq!(command.to_string(), "client 9 #1 write 5");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Command {
    /// The client's id (in the simulations, its node id).
    pub client: u32,
    /// The client's request counter: a retry reuses it.
    pub sequence: u32,
    /// What to do.
    pub operation: Operation,
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "client {} #{} {}",
            self.client, self.sequence, self.operation
        )
    }
}

/// One log entry: the term of the leader that created it and its command (`None`: the no-op a
/// new leader appends to commit its predecessors' entries, thesis section 6.4).
///
/// # Examples
///
/// ```
/// use lessons::raft::Entry;
///
/// let noop = Entry { term: 3, command: None };
/// assert_eq!(noop.to_string(), "t3 no-op");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Entry {
    /// The term in which a leader appended it.
    pub term: Term,
    /// The client command, or `None` for a no-op.
    pub command: Option<Command>,
}

impl fmt::Display for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.command {
            Some(command) => write!(f, "t{} {}", self.term, command.operation),
            None => write!(f, "t{} no-op", self.term),
        }
    }
}

/// The state machine after applying every entry up to `last_index`, which replaces that prefix
/// of the log (Raft paper, section 7). Index 0 is the empty snapshot every node starts from.
///
/// # Examples
///
/// ```
/// use lessons::raft::Snapshot;
///
/// let empty = Snapshot::default();
/// assert_eq!((empty.last_index, empty.last_term), (0, 0));
/// assert_eq!(empty.state.value(), None);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Snapshot {
    /// The last index the snapshot covers.
    pub last_index: LogIndex,
    /// The term of that entry, so the consistency check still works at the boundary.
    pub last_term: Term,
    /// The register and its client sessions at that point.
    pub state: Register,
}

/// What a node keeps on disk and gets back after a crash: the current term, the vote cast in
/// it, the log and the snapshot (Raft paper, Figure 2, "Persistent state on all servers").
///
/// # Examples
///
/// ```
/// use lessons::raft::PersistentState;
///
/// let fresh = PersistentState::default();
/// assert_eq!((fresh.term, fresh.voted_for, fresh.log.len()), (0, None, 0));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PersistentState {
    /// The latest term this node has seen.
    pub term: Term,
    /// The candidate it voted for in that term, if any.
    pub voted_for: Option<usize>,
    /// The entries after the snapshot.
    pub log: Vec<Entry>,
    /// The compacted prefix.
    pub snapshot: Snapshot,
}
