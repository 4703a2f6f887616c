//! Linearizability of a single read/write register: the memoised search and the brute force it
//! is tested against.
//!
//! The search builds a linear order one operation at a time. An operation may come next only if
//! no other operation still unplaced *responded before it was invoked* (real time forbids
//! putting it after that one), and a read may come next only if it returned the register's
//! current value. When no operation may come next, the search backtracks. Two different paths
//! that have placed the same set of operations and left the register holding the same value
//! have the same future, so each (placed set, value) pair is explored once: that memo is what
//! turns an exponential search into one that handles hundreds of operations in milliseconds when
//! few clients run at once.
//!
//! An operation that never got an answer (a write whose client gave up) may have taken effect
//! or not: the search may place it anywhere after its invocation, or leave it out.

use std::collections::HashSet;
use std::fmt;

use serde::Serialize;

use crate::sim::{NodeId, Operation, Time};

/// What an operation did to the register: write a value, or read one (`None`: the register was
/// still empty).
///
/// # Examples
///
/// ```
/// use lessons::check::RegisterAction;
///
/// assert_eq!(RegisterAction::Write(3).to_string(), "write 3");
/// assert_eq!(RegisterAction::Read(None).to_string(), "read → empty");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum RegisterAction {
    /// Writes the value.
    Write(u64),
    /// Read the value (`None` for the empty register).
    Read(Option<u64>),
}

impl fmt::Display for RegisterAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegisterAction::Write(value) => write!(f, "write {value}"),
            RegisterAction::Read(Some(value)) => write!(f, "read → {value}"),
            RegisterAction::Read(None) => write!(f, "read → empty"),
        }
    }
}

/// One client operation on the register, with its real-time interval.
///
/// # Examples
///
/// ```
/// use lessons::check::{RegisterAction, RegisterOperation};
/// use lessons::sim::ms;
///
/// let write = RegisterOperation {
///     client: 0,
///     action: RegisterAction::Write(1),
///     invoked_at: ms(0),
///     responded_at: None,
/// };
/// assert!(!write.is_complete());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RegisterOperation {
    /// The client (node) that issued it.
    pub client: NodeId,
    /// What it did.
    pub action: RegisterAction,
    /// When it was invoked.
    pub invoked_at: Time,
    /// When its answer came, or `None` if it never did (it may or may not have taken effect).
    pub responded_at: Option<Time>,
}

impl RegisterOperation {
    /// Whether the client got an answer.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::check::{RegisterAction, RegisterOperation};
    /// use lessons::sim::ms;
    ///
    /// let read = RegisterOperation {
    ///     client: 1,
    ///     action: RegisterAction::Read(Some(1)),
    ///     invoked_at: ms(1),
    ///     responded_at: Some(ms(3)),
    /// };
    /// assert!(read.is_complete());
    /// ```
    pub fn is_complete(&self) -> bool {
        self.responded_at.is_some()
    }

    /// Whether real time forces `self` before `other`: `self` answered before `other` began.
    fn precedes(&self, other: &RegisterOperation) -> bool {
        self.responded_at.is_some_and(|end| end < other.invoked_at)
    }
}

/// Why a history could not be built or checked.
///
/// # Examples
///
/// ```
/// use lessons::check::{CheckError, RegisterHistory};
/// use lessons::sim::ms;
///
/// let error = RegisterHistory::new().read(0, None, ms(5), ms(2)).unwrap_err();
/// assert_eq!(error.to_string(), "an operation answered at 2ms before it was invoked at 5ms");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckError {
    /// A response earlier than its invocation.
    AnsweredBeforeInvoked {
        /// The invocation time.
        invoked_at: Time,
        /// The response time.
        responded_at: Time,
    },
    /// A recorded operation whose text is not a register operation.
    NotARegisterOperation {
        /// The operation's text and result.
        text: String,
    },
    /// Too many operations for the brute-force check.
    TooManyForBruteForce {
        /// How many operations the history has.
        operations: usize,
        /// The most the brute force accepts.
        max: usize,
    },
}

impl fmt::Display for CheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CheckError::AnsweredBeforeInvoked {
                invoked_at,
                responded_at,
            } => write!(
                f,
                "an operation answered at {responded_at} before it was invoked at {invoked_at}"
            ),
            CheckError::NotARegisterOperation { text } => write!(
                f,
                "{text:?} is not a register operation: expected \"write <number>\" answered \
                 \"ok\" or \"failed\", or \"read\" answered with a number, \"empty\" or \"failed\""
            ),
            CheckError::TooManyForBruteForce { operations, max } => write!(
                f,
                "{operations} operations are too many to try every order; the brute force \
                 accepts at most {max}"
            ),
        }
    }
}

impl std::error::Error for CheckError {}

/// A history of operations on one register, initially empty, or holding the value given to
/// [`with_initial`](Self::with_initial).
///
/// # Examples
///
/// ```
/// use lessons::check::{RegisterHistory, check_register};
/// use lessons::sim::ms;
///
/// let mut history = RegisterHistory::new();
/// history.write(0, 7, ms(0), Some(ms(4)))?;
/// history.read(1, Some(7), ms(5), ms(6))?;
/// assert_eq!(history.len(), 2);
/// assert!(check_register(&history).is_linearizable());
/// # Ok::<(), lessons::check::CheckError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RegisterHistory {
    initial: Option<u64>,
    operations: Vec<RegisterOperation>,
}

impl RegisterHistory {
    /// An empty history.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(lessons::check::RegisterHistory::new().is_empty());
    /// ```
    pub fn new() -> RegisterHistory {
        RegisterHistory::default()
    }

    /// An empty history of a register that already holds `value` before the first operation
    /// (a key written before the recording began): a read of `value` is then explained
    /// without any write, and a read of "empty" is not.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::check::{RegisterHistory, check_register};
    /// use lessons::sim::ms;
    ///
    /// // A read of the initial value before any write: linearizable.
    /// let mut history = RegisterHistory::with_initial(5);
    /// history.read(1, Some(5), ms(0), ms(2))?;
    /// history.write(0, 6, ms(3), Some(ms(4)))?;
    /// assert_eq!(history.initial(), Some(5));
    /// assert!(check_register(&history).is_linearizable());
    ///
    /// // The same read after the write of 6 was acknowledged: no order explains it.
    /// history.read(2, Some(5), ms(5), ms(6))?;
    /// assert!(!check_register(&history).is_linearizable());
    ///
    /// // Without the initial value, the first read of 5 has no write to explain it.
    /// let mut empty = RegisterHistory::new();
    /// empty.read(1, Some(5), ms(0), ms(2))?;
    /// assert!(!check_register(&empty).is_linearizable());
    /// # Ok::<(), lessons::check::CheckError>(())
    /// ```
    pub fn with_initial(value: u64) -> RegisterHistory {
        RegisterHistory {
            initial: Some(value),
            operations: Vec::new(),
        }
    }

    /// The value the register held before the first operation (`None`: empty).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::check::RegisterHistory;
    ///
    /// assert_eq!(RegisterHistory::new().initial(), None);
    /// assert_eq!(RegisterHistory::with_initial(3).initial(), Some(3));
    /// ```
    pub fn initial(&self) -> Option<u64> {
        self.initial
    }

    /// Adds an operation.
    ///
    /// # Errors
    ///
    /// [`CheckError::AnsweredBeforeInvoked`] when the response is earlier than the invocation.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::check::{RegisterAction, RegisterHistory, RegisterOperation};
    /// use lessons::sim::ms;
    ///
    /// let mut history = RegisterHistory::new();
    /// history.push(RegisterOperation {
    ///     client: 0,
    ///     action: RegisterAction::Write(1),
    ///     invoked_at: ms(0),
    ///     responded_at: Some(ms(1)),
    /// })?;
    /// assert_eq!(history.operations()[0].action, RegisterAction::Write(1));
    /// # Ok::<(), lessons::check::CheckError>(())
    /// ```
    pub fn push(&mut self, operation: RegisterOperation) -> Result<(), CheckError> {
        if let Some(responded_at) = operation.responded_at
            && responded_at < operation.invoked_at
        {
            return Err(CheckError::AnsweredBeforeInvoked {
                invoked_at: operation.invoked_at,
                responded_at,
            });
        }
        self.operations.push(operation);
        Ok(())
    }

    /// Adds a write of `value` by `client`; `responded_at` is `None` for a write that was never
    /// acknowledged.
    ///
    /// # Errors
    ///
    /// As [`push`](Self::push).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::check::RegisterHistory;
    /// use lessons::sim::ms;
    ///
    /// let mut history = RegisterHistory::new();
    /// history.write(0, 1, ms(0), None)?; // the client gave up waiting
    /// assert!(!history.operations()[0].is_complete());
    /// # Ok::<(), lessons::check::CheckError>(())
    /// ```
    pub fn write(
        &mut self,
        client: NodeId,
        value: u64,
        invoked_at: Time,
        responded_at: Option<Time>,
    ) -> Result<(), CheckError> {
        self.push(RegisterOperation {
            client,
            action: RegisterAction::Write(value),
            invoked_at,
            responded_at,
        })
    }

    /// Adds a completed read by `client` that returned `value` (`None`: empty).
    ///
    /// # Errors
    ///
    /// As [`push`](Self::push).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::check::RegisterHistory;
    /// use lessons::sim::ms;
    ///
    /// let mut history = RegisterHistory::new();
    /// history.read(2, None, ms(0), ms(1))?;
    /// assert_eq!(history.len(), 1);
    /// # Ok::<(), lessons::check::CheckError>(())
    /// ```
    pub fn read(
        &mut self,
        client: NodeId,
        value: Option<u64>,
        invoked_at: Time,
        responded_at: Time,
    ) -> Result<(), CheckError> {
        self.push(RegisterOperation {
            client,
            action: RegisterAction::Read(value),
            invoked_at,
            responded_at: Some(responded_at),
        })
    }

    /// Reads a history from a simulation's recorded client operations: `"write <n>"` answered
    /// `"ok"` (or `"failed"`, or not at all: then it may or may not have taken effect), and
    /// `"read"` answered with a number or `"empty"`. Reads that failed or were never answered
    /// say nothing about the register and are left out.
    ///
    /// # Errors
    ///
    /// [`CheckError::NotARegisterOperation`] for any other text.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::check::RegisterHistory;
    /// use lessons::sim::{Operation, ms};
    ///
    /// let recorded = vec![
    ///     Operation { id: 0, client: 0, operation: "write 4".into(), invoked_at: ms(0), result: Some("ok".into()), responded_at: Some(ms(3)) },
    ///     Operation { id: 1, client: 1, operation: "read".into(), invoked_at: ms(1), result: Some("4".into()), responded_at: Some(ms(2)) },
    /// ];
    /// let history = RegisterHistory::from_operations(&recorded)?;
    /// assert_eq!(history.len(), 2);
    /// # Ok::<(), lessons::check::CheckError>(())
    /// ```
    pub fn from_operations(operations: &[Operation]) -> Result<RegisterHistory, CheckError> {
        let mut history = RegisterHistory::new();
        for recorded in operations {
            let not_register = || CheckError::NotARegisterOperation {
                text: format!("{} → {:?}", recorded.operation, recorded.result),
            };
            let answered = match recorded.result.as_deref() {
                Some("failed") | None => None,
                Some(result) => Some((result, recorded.responded_at.ok_or_else(not_register)?)),
            };
            let mut words = recorded.operation.split_whitespace();
            match (words.next(), words.next(), words.next()) {
                (Some("write"), Some(number), None) => {
                    let value = number.parse().map_err(|_| not_register())?;
                    let responded_at = match answered {
                        Some(("ok", at)) => Some(at),
                        None => None,
                        Some(_) => return Err(not_register()),
                    };
                    history.write(recorded.client, value, recorded.invoked_at, responded_at)?;
                }
                (Some("read"), None, None) => {
                    if let Some((result, at)) = answered {
                        let value = match result {
                            "empty" => None,
                            number => Some(number.parse().map_err(|_| not_register())?),
                        };
                        history.read(recorded.client, value, recorded.invoked_at, at)?;
                    }
                }
                _ => return Err(not_register()),
            }
        }
        Ok(history)
    }

    /// The operations, in the order they were added.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(lessons::check::RegisterHistory::new().operations().is_empty());
    /// ```
    pub fn operations(&self) -> &[RegisterOperation] {
        &self.operations
    }

    /// How many operations there are.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::check::RegisterHistory::new().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.operations.len()
    }

    /// Whether there are none.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(lessons::check::RegisterHistory::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.operations.is_empty()
    }
}

/// The answer of a check.
///
/// # Examples
///
/// ```
/// use lessons::check::{RegisterHistory, Verdict, check_register};
/// use lessons::sim::ms;
///
/// let mut history = RegisterHistory::new();
/// history.write(0, 1, ms(0), Some(ms(1)))?;
/// match check_register(&history) {
///     Verdict::Linearizable { order } => assert_eq!(order, [0]),
///     Verdict::NotLinearizable { .. } => unreachable!(),
/// }
/// # Ok::<(), lessons::check::CheckError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Verdict {
    /// A witness: operation indices in an order that explains every answer (unanswered writes
    /// left out of it did not take effect).
    Linearizable {
        /// The witness order.
        order: Vec<usize>,
    },
    /// No order explains the answers.
    NotLinearizable {
        /// How many search states (or permutations, for the brute force) were tried.
        explored: u64,
    },
}

impl Verdict {
    /// Whether the history is linearizable.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::check::{RegisterHistory, check_register};
    ///
    /// assert!(check_register(&RegisterHistory::new()).is_linearizable());
    /// ```
    pub fn is_linearizable(&self) -> bool {
        matches!(self, Verdict::Linearizable { .. })
    }

    /// The witness order, if there is one.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::check::{RegisterHistory, check_register};
    /// use lessons::sim::ms;
    ///
    /// let mut history = RegisterHistory::new();
    /// history.read(1, Some(5), ms(0), ms(9))?;
    /// history.write(0, 5, ms(1), Some(ms(2)))?;
    /// assert_eq!(check_register(&history).order(), Some(&[1, 0][..]));
    /// # Ok::<(), lessons::check::CheckError>(())
    /// ```
    pub fn order(&self) -> Option<&[usize]> {
        match self {
            Verdict::Linearizable { order } => Some(order),
            Verdict::NotLinearizable { .. } => None,
        }
    }
}

/// Whether `history` is linearizable for a register that starts empty (or holding the
/// history's [`initial`](RegisterHistory::initial) value), by the memoised Wing–Gong search.
///
/// # Examples
///
/// The new-old inversion: a read sees a write in flight, a later read does not.
///
/// ```
/// use lessons::check::{RegisterHistory, check_register};
/// use lessons::sim::ms;
///
/// let mut history = RegisterHistory::new();
/// history.write(0, 1, ms(0), Some(ms(10)))?;
/// history.read(1, Some(1), ms(1), ms(3))?;
/// history.read(2, None, ms(4), ms(5))?;
/// assert!(!check_register(&history).is_linearizable());
/// # Ok::<(), lessons::check::CheckError>(())
/// ```
pub fn check_register(history: &RegisterHistory) -> Verdict {
    let mut by_invocation: Vec<usize> = (0..history.len()).collect();
    by_invocation.sort_by_key(|&i| history.operations[i].invoked_at);
    let mut search = Search {
        operations: &history.operations,
        by_invocation,
        placed: vec![0; history.len().div_ceil(64)],
        complete_left: history
            .operations
            .iter()
            .filter(|o| o.is_complete())
            .count(),
        seen: HashSet::new(),
        order: Vec::new(),
        explored: 0,
    };
    if search.extend(history.initial) {
        Verdict::Linearizable {
            order: search.order,
        }
    } else {
        Verdict::NotLinearizable {
            explored: search.explored,
        }
    }
}

struct Search<'a> {
    operations: &'a [RegisterOperation],
    by_invocation: Vec<usize>,
    placed: Vec<u64>,
    complete_left: usize,
    seen: HashSet<(Vec<u64>, Option<u64>)>,
    order: Vec<usize>,
    explored: u64,
}

impl Search<'_> {
    fn is_placed(&self, i: usize) -> bool {
        self.placed[i / 64] >> (i % 64) & 1 == 1
    }

    fn flip(&mut self, i: usize) {
        self.placed[i / 64] ^= 1 << (i % 64);
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
        // Nothing invoked after the earliest answer still unplaced may come next.
        let deadline = (0..self.operations.len())
            .filter(|&i| !self.is_placed(i))
            .filter_map(|i| self.operations[i].responded_at)
            .min();
        for k in 0..self.by_invocation.len() {
            let i = self.by_invocation[k];
            let operation = self.operations[i];
            if deadline.is_some_and(|end| operation.invoked_at > end) {
                break;
            }
            if self.is_placed(i) {
                continue;
            }
            let next = match operation.action {
                RegisterAction::Write(written) => Some(written),
                RegisterAction::Read(read) if read == value => value,
                RegisterAction::Read(_) => continue,
            };
            self.flip(i);
            self.order.push(i);
            let complete = usize::from(operation.is_complete());
            self.complete_left -= complete;
            if self.extend(next) {
                return true;
            }
            self.complete_left += complete;
            self.order.pop();
            self.flip(i);
        }
        false
    }
}

/// The same question as [`check_register`], answered by trying every order of every subset
/// that contains all answered operations: slow, and obviously right.
///
/// # Errors
///
/// [`CheckError::TooManyForBruteForce`] beyond 8 operations.
///
/// # Examples
///
/// ```
/// use lessons::check::{RegisterHistory, check_register, check_register_by_brute_force};
/// use lessons::sim::ms;
///
/// let mut history = RegisterHistory::new();
/// history.write(0, 1, ms(0), Some(ms(10)))?;
/// history.read(1, Some(1), ms(1), ms(3))?;
/// history.read(2, None, ms(4), ms(5))?;
/// let brute = check_register_by_brute_force(&history)?;
/// assert_eq!(brute.is_linearizable(), check_register(&history).is_linearizable());
/// # Ok::<(), lessons::check::CheckError>(())
/// ```
pub fn check_register_by_brute_force(history: &RegisterHistory) -> Result<Verdict, CheckError> {
    const MAX: usize = 8;
    let operations = &history.operations;
    if operations.len() > MAX {
        return Err(CheckError::TooManyForBruteForce {
            operations: operations.len(),
            max: MAX,
        });
    }
    let unanswered: Vec<usize> = (0..operations.len())
        .filter(|&i| !operations[i].is_complete())
        .collect();
    let mut explored = 0;
    for subset in 0..1u32 << unanswered.len() {
        let chosen: Vec<usize> = (0..operations.len())
            .filter(|i| match unanswered.iter().position(|u| u == i) {
                Some(bit) => subset >> bit & 1 == 1,
                None => true,
            })
            .collect();
        let mut found = None;
        permutations(&chosen, &mut Vec::new(), &mut |order| {
            explored += 1;
            if found.is_none() && explains(operations, history.initial, order) {
                found = Some(order.to_vec());
            }
        });
        if let Some(order) = found {
            return Ok(Verdict::Linearizable { order });
        }
    }
    Ok(Verdict::NotLinearizable { explored })
}

fn permutations(rest: &[usize], prefix: &mut Vec<usize>, visit: &mut impl FnMut(&[usize])) {
    if rest.is_empty() {
        visit(prefix);
        return;
    }
    for k in 0..rest.len() {
        let mut others = rest.to_vec();
        let chosen = others.remove(k);
        prefix.push(chosen);
        permutations(&others, prefix, visit);
        prefix.pop();
    }
}

/// Whether running `order` one at a time from `initial` respects real time and gives every read
/// its answer.
fn explains(operations: &[RegisterOperation], initial: Option<u64>, order: &[usize]) -> bool {
    let respects_real_time = order.iter().enumerate().all(|(position, &i)| {
        order[position + 1..]
            .iter()
            .all(|&later| !operations[later].precedes(&operations[i]))
    });
    let mut value = initial;
    respects_real_time
        && order.iter().all(|&i| match operations[i].action {
            RegisterAction::Write(written) => {
                value = Some(written);
                true
            }
            RegisterAction::Read(read) => read == value,
        })
}
