//! What a transaction does, as data: reads, writes, locking reads, atomic increments and a
//! guard, so the scheduler can interleave the steps and run the same program under every
//! isolation level.

use std::fmt;

use serde::Serialize;

/// One step of a transaction's program (the commit is one more step after the last).
///
/// # Examples
///
/// ```
/// use lessons::transactions::Operation;
///
/// assert_eq!(Operation::Read("x".into()).to_string(), "read x");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Operation {
    /// Reads a key (`SELECT`).
    Read(String),
    /// Reads a key after taking an exclusive lock on it (`SELECT ... FOR UPDATE`).
    ReadForUpdate(String),
    /// Writes a value computed from what the transaction read (`UPDATE ... SET x = :value`).
    Write {
        /// The key written.
        key: String,
        /// How the value is computed.
        value: NewValue,
    },
    /// Adds to a key inside the store, reading and writing in one step (`SET x = x + 1`).
    Increment {
        /// The key.
        key: String,
        /// How much to add.
        by: i64,
    },
    /// Goes on only if the values read of `keys` add up to at least `at_least`; otherwise the
    /// transaction skips its remaining steps and commits having written nothing more.
    Require {
        /// The keys whose values (as this transaction read them) are added up.
        keys: Vec<String>,
        /// The smallest sum that lets the transaction go on.
        at_least: i64,
    },
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Operation::Read(key) => write!(f, "read {key}"),
            Operation::ReadForUpdate(key) => write!(f, "read {key} for update"),
            Operation::Write { key, value } => write!(f, "write {key} = {value}"),
            Operation::Increment { key, by } => write!(f, "{key} = {key} + {by} (in the store)"),
            Operation::Require { keys, at_least } => {
                write!(f, "go on if {} ≥ {at_least}", keys.join(" + "))
            }
        }
    }
}

/// The value a [`Operation::Write`] stores.
///
/// # Examples
///
/// ```
/// use lessons::transactions::NewValue;
///
/// assert_eq!(NewValue::ReadPlus(1).to_string(), "(value read) + 1");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum NewValue {
    /// A constant.
    Constant(i64),
    /// The value this transaction last read of the same key, plus a number (0 if it never read
    /// the key): a read-modify-write done in the application.
    ReadPlus(i64),
}

impl fmt::Display for NewValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NewValue::Constant(value) => write!(f, "{value}"),
            NewValue::ReadPlus(add) => write!(f, "(value read) + {add}"),
        }
    }
}

/// A transaction's program: a name and its operations, built with chained calls.
///
/// # Examples
///
/// ```
/// use lessons::transactions::Program;
///
/// let increment = Program::new("T").read("x").write_read_plus("x", 1);
/// assert_eq!(increment.steps(), 3); // read, write, commit
/// assert_eq!(increment.to_string(), "T: read x; write x = (value read) + 1; commit");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Program {
    /// A name for tables and pictures.
    pub name: String,
    /// The operations, in order; the commit follows them.
    pub operations: Vec<Operation>,
}

impl Program {
    /// A program with no operations yet (it only commits).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::transactions::Program::new("empty").steps(), 1);
    /// ```
    pub fn new(name: impl Into<String>) -> Program {
        Program {
            name: name.into(),
            operations: Vec::new(),
        }
    }

    /// Adds a plain read.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::transactions::Program::new("T").read("x").steps(), 2);
    /// ```
    pub fn read(self, key: &str) -> Program {
        self.then(Operation::Read(key.to_string()))
    }

    /// Adds a locking read (`SELECT ... FOR UPDATE`).
    ///
    /// # Examples
    ///
    /// ```
    /// let program = lessons::transactions::Program::new("T").read_for_update("x");
    /// assert_eq!(program.to_string(), "T: read x for update; commit");
    /// ```
    pub fn read_for_update(self, key: &str) -> Program {
        self.then(Operation::ReadForUpdate(key.to_string()))
    }

    /// Adds a write of a constant.
    ///
    /// # Examples
    ///
    /// ```
    /// let program = lessons::transactions::Program::new("T").write("x", 7);
    /// assert_eq!(program.to_string(), "T: write x = 7; commit");
    /// ```
    pub fn write(self, key: &str, value: i64) -> Program {
        self.then(Operation::Write {
            key: key.to_string(),
            value: NewValue::Constant(value),
        })
    }

    /// Adds a write of the value read of the same key plus `add`.
    ///
    /// # Examples
    ///
    /// ```
    /// let program = lessons::transactions::Program::new("T").write_read_plus("x", -1);
    /// assert_eq!(program.steps(), 2);
    /// ```
    pub fn write_read_plus(self, key: &str, add: i64) -> Program {
        self.then(Operation::Write {
            key: key.to_string(),
            value: NewValue::ReadPlus(add),
        })
    }

    /// Adds an increment done by the store in one step.
    ///
    /// # Examples
    ///
    /// ```
    /// let program = lessons::transactions::Program::new("T").increment("x", 1);
    /// assert_eq!(program.to_string(), "T: x = x + 1 (in the store); commit");
    /// ```
    pub fn increment(self, key: &str, by: i64) -> Program {
        self.then(Operation::Increment {
            key: key.to_string(),
            by,
        })
    }

    /// Adds a guard: go on only if the values read of `keys` add up to at least `at_least`.
    ///
    /// # Examples
    ///
    /// ```
    /// let program = lessons::transactions::Program::new("T").require(&["a", "b"], 2);
    /// assert_eq!(program.to_string(), "T: go on if a + b ≥ 2; commit");
    /// ```
    pub fn require(self, keys: &[&str], at_least: i64) -> Program {
        self.then(Operation::Require {
            keys: keys.iter().map(|k| k.to_string()).collect(),
            at_least,
        })
    }

    /// How many steps the program takes: its operations and the commit.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::transactions::Program::new("T").read("x").steps(), 2);
    /// ```
    pub fn steps(&self) -> usize {
        self.operations.len() + 1
    }

    /// A doctor going off call: read whether each doctor is on call (1) or not (0), go on only
    /// if at least two are, then take `me` off call. Run concurrently, this is the write-skew
    /// example of Cahill, Röhm and Fekete.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::transactions::Program;
    ///
    /// let alice = Program::go_off_call("alice", &["alice", "bob"]);
    /// assert_eq!(
    ///     alice.to_string(),
    ///     "alice: read alice; read bob; go on if alice + bob ≥ 2; write alice = 0; commit"
    /// );
    /// ```
    pub fn go_off_call(me: &str, doctors: &[&str]) -> Program {
        let mut program = Program::new(me);
        for doctor in doctors {
            program = program.read(doctor);
        }
        program.require(doctors, 2).write(me, 0)
    }

    fn then(mut self, operation: Operation) -> Program {
        self.operations.push(operation);
        self
    }
}

impl fmt::Display for Program {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.name)?;
        for operation in &self.operations {
            write!(f, "{operation}; ")?;
        }
        write!(f, "commit")
    }
}
