//! Sequential consistency of a single read/write register: the linearizability search without
//! the real-time rule.
//!
//! A history is sequentially consistent when its operations can be put in one order that keeps
//! each client's operations in the order that client issued them and in which every read returns
//! the latest write before it. Operations of *different* clients may be reordered freely, even
//! when one finished long before the other began: the real-time rule of linearizability is kept
//! only between operations of the same client (one that answered before the next was invoked
//! stays first). The search is the linearizability search with that weaker rule: it places one
//! operation at a time, a write or a read of the current value, and explores each (placed set,
//! value) state once.
//!
//! An operation that never got an answer may be placed or left out, as in the linearizability
//! search: it may or may not have taken effect.

use std::collections::HashSet;

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

/// Whether `history` is sequentially consistent for a register that starts empty (or holding
/// the history's initial value): some order
/// keeps each client's operations in the order they were made (an operation that answered
/// before another of the same client began stays before it) and gives every read its answer. Every
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
    // An unanswered write whose value no read returned can always be left out: no read needs
    // it, and leaving it out keeps every other constraint. Marking it placed prunes the search.
    let read_values: HashSet<Option<u64>> = operations
        .iter()
        .filter_map(|o| match o.action {
            RegisterAction::Read(value) => Some(value),
            RegisterAction::Write(_) => None,
        })
        .collect();
    let placed = operations
        .iter()
        .map(|o| match o.action {
            RegisterAction::Write(value) => !o.is_complete() && !read_values.contains(&Some(value)),
            RegisterAction::Read(_) => false,
        })
        .collect();
    let follows = (0..operations.len())
        .map(|i| {
            (0..operations.len())
                .filter(|&j| same_client_before(&operations[j], &operations[i]))
                .collect()
        })
        .collect();
    let mut search = ClientSearch {
        operations,
        follows,
        placed,
        complete_left: operations.iter().filter(|o| o.is_complete()).count(),
        seen: HashSet::new(),
        order: Vec::new(),
        explored: 0,
    };
    if search.extend(history.initial()) {
        SequentialVerdict::Consistent {
            order: search.order,
        }
    } else {
        SequentialVerdict::NotConsistent {
            explored: search.explored,
        }
    }
}

/// Whether `earlier` is an operation of the same client that answered before `later` began.
fn same_client_before(earlier: &RegisterOperation, later: &RegisterOperation) -> bool {
    earlier.client == later.client
        && earlier
            .responded_at
            .is_some_and(|end| end < later.invoked_at)
}

struct ClientSearch<'a> {
    operations: &'a [RegisterOperation],
    /// For each operation, the operations of its client that must come before it.
    follows: Vec<Vec<usize>>,
    placed: Vec<bool>,
    complete_left: usize,
    seen: HashSet<(Vec<bool>, Option<u64>)>,
    order: Vec<usize>,
    explored: u64,
}

impl ClientSearch<'_> {
    /// Whether an operation of the same client that must come before `i` is still unplaced.
    fn waits_for_own_client(&self, i: usize) -> bool {
        self.follows[i].iter().any(|&j| !self.placed[j])
    }

    /// Tries to place every remaining answered operation, the register holding `value`.
    fn extend(&mut self, value: Option<u64>) -> bool {
        if self.complete_left == 0 {
            return true;
        }
        if !self.seen.insert((self.placed.clone(), value)) {
            return false;
        }
        self.explored += 1;
        for i in 0..self.operations.len() {
            if self.placed[i] || self.waits_for_own_client(i) {
                continue;
            }
            let operation = self.operations[i];
            let next = match operation.action {
                RegisterAction::Write(written) => Some(written),
                RegisterAction::Read(read) if read == value => value,
                RegisterAction::Read(_) => continue,
            };
            self.placed[i] = true;
            self.order.push(i);
            let complete = usize::from(operation.is_complete());
            self.complete_left -= complete;
            if self.extend(next) {
                return true;
            }
            self.complete_left += complete;
            self.order.pop();
            self.placed[i] = false;
        }
        false
    }
}
