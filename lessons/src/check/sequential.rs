//! Sequential consistency of a single read/write register: the linearizability search without
//! the real-time rule.
//!
//! A history is sequentially consistent when its operations can be put in one order that keeps
//! each client's operations in the order that client issued them and in which every read returns
//! the latest write before it. Operations of *different* clients may be reordered freely, even
//! when one finished long before the other began. The search places operations one client at a
//! time: the next operation of some client, if it is a write or a read of the current value.
//! States are (how far each client has got, register value); each is explored once.
//!
//! An operation that never got an answer may be placed or skipped, as in the linearizability
//! search: it may or may not have taken effect.

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;

use super::linearizability::{RegisterAction, RegisterHistory, RegisterOperation};

/// The answer of [`check_sequential`].
///
/// # Examples
///
/// ```
/// use lessons::check::{RegisterHistory, SequentialVerdict, check_sequential};
/// use lessons::sim::ms;
///
/// let mut history = RegisterHistory::new();
/// history.write(0, 1, ms(0), Some(ms(1)))?;
/// assert_eq!(check_sequential(&history), SequentialVerdict::Consistent { order: vec![0] });
/// # Ok::<(), lessons::check::CheckError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum SequentialVerdict {
    /// A witness: operation indices in an order that keeps every client's own order and explains
    /// every answer (unanswered operations left out of it did not take effect).
    Consistent {
        /// The witness order.
        order: Vec<usize>,
    },
    /// No such order exists.
    NotConsistent {
        /// How many search states were tried.
        explored: u64,
    },
}

impl SequentialVerdict {
    /// Whether the history is sequentially consistent.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::check::{RegisterHistory, check_sequential};
    ///
    /// assert!(check_sequential(&RegisterHistory::new()).is_sequentially_consistent());
    /// ```
    pub fn is_sequentially_consistent(&self) -> bool {
        matches!(self, SequentialVerdict::Consistent { .. })
    }

    /// The witness order, if there is one.
    ///
    /// # Examples
    ///
    /// A read that misses a write that finished earlier is fine here: the read is ordered first.
    ///
    /// ```
    /// use lessons::check::{RegisterHistory, check_sequential};
    /// use lessons::sim::ms;
    ///
    /// let mut history = RegisterHistory::new();
    /// history.write(0, 1, ms(0), Some(ms(1)))?;
    /// history.read(1, None, ms(5), ms(6))?;
    /// assert_eq!(check_sequential(&history).order(), Some(&[1, 0][..]));
    /// # Ok::<(), lessons::check::CheckError>(())
    /// ```
    pub fn order(&self) -> Option<&[usize]> {
        match self {
            SequentialVerdict::Consistent { order } => Some(order),
            SequentialVerdict::NotConsistent { .. } => None,
        }
    }
}

/// Whether `history` is sequentially consistent for a register that starts empty: some order
/// keeps each client's operations in invocation order and gives every read its answer. Every
/// linearizable history is sequentially consistent; the converse fails (a read by another client
/// may miss a write that has already been acknowledged).
///
/// # Examples
///
/// A stale read after a completed write: not linearizable, but sequentially consistent.
///
/// ```
/// use lessons::check::{RegisterHistory, check_register, check_sequential};
/// use lessons::sim::ms;
///
/// let mut history = RegisterHistory::new();
/// history.write(0, 1, ms(0), Some(ms(1)))?;
/// history.read(1, None, ms(2), ms(3))?;
/// assert!(!check_register(&history).is_linearizable());
/// assert!(check_sequential(&history).is_sequentially_consistent());
/// // The same client cannot miss its own write.
/// history.read(0, None, ms(4), ms(5))?;
/// assert!(!check_sequential(&history).is_sequentially_consistent());
/// # Ok::<(), lessons::check::CheckError>(())
/// ```
pub fn check_sequential(history: &RegisterHistory) -> SequentialVerdict {
    let operations = history.operations();
    let mut by_client: BTreeMap<_, Vec<usize>> = BTreeMap::new();
    for (index, operation) in operations.iter().enumerate() {
        by_client.entry(operation.client).or_default().push(index);
    }
    let mut programs: Vec<Vec<usize>> = by_client.into_values().collect();
    for program in &mut programs {
        program.sort_by_key(|&i| operations[i].invoked_at);
    }
    let mut search = ClientSearch {
        operations,
        positions: vec![0; programs.len()],
        programs,
        seen: HashSet::new(),
        order: Vec::new(),
        explored: 0,
    };
    if search.extend(None) {
        SequentialVerdict::Consistent {
            order: search.order,
        }
    } else {
        SequentialVerdict::NotConsistent {
            explored: search.explored,
        }
    }
}

struct ClientSearch<'a> {
    operations: &'a [RegisterOperation],
    programs: Vec<Vec<usize>>,
    positions: Vec<usize>,
    seen: HashSet<(Vec<usize>, Option<u64>)>,
    order: Vec<usize>,
    explored: u64,
}

impl ClientSearch<'_> {
    /// Tries to place every client's remaining operations, the register holding `value`.
    fn extend(&mut self, value: Option<u64>) -> bool {
        let done = (0..self.programs.len()).all(|c| self.positions[c] == self.programs[c].len());
        if done {
            return true;
        }
        if !self.seen.insert((self.positions.clone(), value)) {
            return false;
        }
        self.explored += 1;
        for client in 0..self.programs.len() {
            let Some(&index) = self.programs[client].get(self.positions[client]) else {
                continue;
            };
            let operation = self.operations[index];
            self.positions[client] += 1;
            // An unanswered operation may never have taken effect: try skipping it.
            if !operation.is_complete() && self.extend(value) {
                return true;
            }
            let next = match operation.action {
                RegisterAction::Write(written) => Some(Some(written)),
                RegisterAction::Read(read) if read == value => Some(value),
                RegisterAction::Read(_) => None,
            };
            if let Some(next) = next {
                self.order.push(index);
                if self.extend(next) {
                    return true;
                }
                self.order.pop();
            }
            self.positions[client] -= 1;
        }
        false
    }
}
