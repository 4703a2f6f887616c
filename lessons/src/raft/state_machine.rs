//! The replicated state machine: one register, plus the client sessions that make retries safe.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::log::{Command, Operation};

/// What a command returned: the answer a client gets.
///
/// # Examples
///
/// ```
/// use lessons::raft::Outcome;
///
/// assert_ne!(Outcome::Written, Outcome::Read(None));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Outcome {
    /// The write took effect.
    Written,
    /// The read saw this value (`None`: never written).
    Read(Option<u64>),
    /// This node is not the leader; try the one named, if it knows one.
    NotLeader {
        /// The leader this node last heard from.
        leader: Option<usize>,
    },
}

/// A register replicated by Raft, with one session per client: the last sequence number it
/// applied and what that command returned. With sessions on, a command whose sequence number
/// is not newer than the session's is a retry: it is answered from the session and not applied
/// again (Ongaro's thesis, section 6.3).
///
/// # Examples
///
/// ```
/// use lessons::raft::{Command, Operation, Outcome, Register};
///
/// let mut register = Register::default();
/// let write = Command { client: 1, sequence: 1, operation: Operation::Write(4) };
/// assert_eq!(register.apply(&write, true), (Outcome::Written, false));
/// assert_eq!(register.apply(&write, true), (Outcome::Written, true)); // a retry: not applied
/// assert_eq!(register.value(), Some(4));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Register {
    value: Option<u64>,
    sessions: BTreeMap<u32, (u32, Outcome)>,
}

impl Register {
    /// The register's value (`None` until the first write).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::raft::Register::default().value(), None);
    /// ```
    pub fn value(&self) -> Option<u64> {
        self.value
    }

    /// Applies `command` and returns its outcome and whether it was a duplicate (a sequence
    /// number this client already had applied). With `dedupe`, a duplicate is answered from the
    /// session and changes nothing; without, it is applied again.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::{Command, Operation, Outcome, Register};
    ///
    /// let mut register = Register::default();
    /// let read = Command { client: 2, sequence: 1, operation: Operation::Read };
    /// assert_eq!(register.apply(&read, false), (Outcome::Read(None), false));
    /// assert_eq!(register.apply(&read, false), (Outcome::Read(None), true));
    /// ```
    pub fn apply(&mut self, command: &Command, dedupe: bool) -> (Outcome, bool) {
        let session = self.sessions.get(&command.client).copied();
        let duplicate = session.is_some_and(|(last, _)| command.sequence <= last);
        if let (true, true, Some((_, answer))) = (dedupe, duplicate, session) {
            return (answer, true);
        }
        let outcome = match command.operation {
            Operation::Write(value) => {
                self.value = Some(value);
                Outcome::Written
            }
            Operation::Read => Outcome::Read(self.value),
        };
        let last = session.map_or(command.sequence, |(last, _)| last.max(command.sequence));
        self.sessions.insert(command.client, (last, outcome));
        (outcome, duplicate)
    }

    /// The answer to a retry of a command this register already applied, if it did.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::{Command, Operation, Outcome, Register};
    ///
    /// let mut register = Register::default();
    /// let write = Command { client: 1, sequence: 3, operation: Operation::Write(4) };
    /// assert_eq!(register.answered(&write), None);
    /// register.apply(&write, true);
    /// assert_eq!(register.answered(&write), Some(Outcome::Written));
    /// ```
    pub fn answered(&self, command: &Command) -> Option<Outcome> {
        let (last, outcome) = self.sessions.get(&command.client)?;
        match command.sequence.cmp(last) {
            std::cmp::Ordering::Equal => Some(*outcome),
            // An older request whose answer the client no longer waits for.
            std::cmp::Ordering::Less => Some(Outcome::Written),
            std::cmp::Ordering::Greater => None,
        }
    }
}
