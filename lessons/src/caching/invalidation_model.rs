//! The invalidation race as a model for the bounded explorer of [`crate::check`]: every
//! interleaving of a few readers and writers of one key, with no TTL to clean up afterwards.

use serde::Serialize;

use super::invalidation::{CacheCell, InvalidationScheme};
use crate::check::{Bounds, Invariant, Model, Run, explore};
use crate::sim::SimError;

/// Where a reader is: it looks in the cache, reads the database on a miss, then sets.
///
/// # Examples
///
/// ```
/// use lessons::caching::ReaderStage;
///
/// assert_ne!(ReaderStage::Start, ReaderStage::Holding(0));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum ReaderStage {
    /// Has not looked in the cache yet.
    Start,
    /// Missed, and has not read the database yet.
    Missed,
    /// Read this version from the database, and has not set it yet.
    Holding(u64),
    /// Finished (a hit, or after its set).
    Done,
}

/// Where a writer is: it writes the database, deletes the key, and under a double delete
/// deletes it again.
///
/// # Examples
///
/// ```
/// use lessons::caching::WriterStage;
///
/// assert_ne!(WriterStage::Start, WriterStage::Done);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum WriterStage {
    /// Has not written yet.
    Start,
    /// Wrote this version, not yet deleted the key.
    Wrote(u64),
    /// Wrote this version and deleted the key once (double delete only).
    DeletedOnce(u64),
    /// Finished.
    Done,
}

/// The database's version, the cache, every reader and writer, and the newest version whose
/// write has deleted the key.
///
/// # Examples
///
/// ```
/// use lessons::caching::{CacheCell, InvalidationRace, InvalidationScheme};
/// use lessons::check::Model;
///
/// let race = InvalidationRace::new(InvalidationScheme::DeleteOnWrite, 1, 1)?;
/// let start = &race.initial_states()[0];
/// assert_eq!((start.database, start.cache), (0, CacheCell::Empty));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct RaceState {
    /// The database's version (0 at the start; each write adds 1).
    pub database: u64,
    /// What the cache holds.
    pub cache: CacheCell,
    /// Each reader's stage.
    pub readers: Vec<ReaderStage>,
    /// Each writer's stage.
    pub writers: Vec<WriterStage>,
    /// The newest version whose writer has deleted the key (0 before any delete).
    pub newest_invalidated: u64,
}

/// One step of one reader or writer.
///
/// # Examples
///
/// ```
/// use lessons::caching::RaceStep;
///
/// assert_eq!(RaceStep::Set { reader: 0, version: 0 }.describe(), "reader 1 sets version 0");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum RaceStep {
    /// The reader looks in the cache.
    LookUp {
        /// Which reader.
        reader: usize,
    },
    /// The reader reads the database after a miss.
    ReadDatabase {
        /// Which reader.
        reader: usize,
    },
    /// The reader sets the version it read.
    Set {
        /// Which reader.
        reader: usize,
        /// The version it read.
        version: u64,
    },
    /// The writer writes a new version to the database.
    Write {
        /// Which writer.
        writer: usize,
    },
    /// The writer deletes the key (the first time, under a double delete).
    Delete {
        /// Which writer.
        writer: usize,
    },
    /// The writer's second delete.
    DeleteAgain {
        /// Which writer.
        writer: usize,
    },
}

impl RaceStep {
    /// The step as a sentence.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::caching::RaceStep;
    ///
    /// assert_eq!(RaceStep::Delete { writer: 1 }.describe(), "writer 2 deletes the key");
    /// ```
    pub fn describe(&self) -> String {
        match *self {
            RaceStep::LookUp { reader } => format!("reader {} looks in the cache", reader + 1),
            RaceStep::ReadDatabase { reader } => {
                format!("reader {} misses and reads the database", reader + 1)
            }
            RaceStep::Set { reader, version } => {
                format!("reader {} sets version {version}", reader + 1)
            }
            RaceStep::Write { writer } => format!("writer {} writes the database", writer + 1),
            RaceStep::Delete { writer } => format!("writer {} deletes the key", writer + 1),
            RaceStep::DeleteAgain { writer } => {
                format!("writer {} deletes the key again", writer + 1)
            }
        }
    }
}

/// A few readers and writers of one key under a scheme; the invariant: the cache never holds a
/// value older than a version whose writer has already deleted the key.
///
/// # Examples
///
/// ```
/// use lessons::caching::{InvalidationRace, InvalidationScheme};
///
/// let racy = InvalidationRace::new(InvalidationScheme::DeleteOnWrite, 1, 1)?;
/// assert_eq!(racy.check().shortest_violation, Some(5));
/// let versioned = InvalidationRace::new(InvalidationScheme::VersionedSet, 2, 2)?;
/// assert!(versioned.check().holds);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidationRace {
    scheme: InvalidationScheme,
    readers: usize,
    writers: usize,
}

/// What the explorer found for one scheme.
///
/// # Examples
///
/// ```
/// use lessons::caching::{InvalidationRace, InvalidationScheme};
///
/// let row = InvalidationRace::new(InvalidationScheme::VersionedSet, 1, 1)?.check();
/// assert!(row.holds && row.exhausted);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RaceCheckRow {
    /// [`InvalidationScheme::label`].
    pub scheme: String,
    /// Readers and writers.
    pub readers: usize,
    /// Writers.
    pub writers: usize,
    /// Whether no interleaving breaks the invariant.
    pub holds: bool,
    /// Whether every interleaving was visited.
    pub exhausted: bool,
    /// Distinct states visited.
    pub distinct_states: usize,
    /// Steps in a shortest interleaving that breaks the invariant.
    pub shortest_violation: Option<usize>,
}

impl InvalidationRace {
    /// `readers` readers and `writers` writers (each 1 to 3) of one key under `scheme`.
    ///
    /// # Errors
    ///
    /// [`SimError::Parameter`] for 0 or more than 3 readers or writers.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::caching::{InvalidationRace, InvalidationScheme};
    ///
    /// assert!(InvalidationRace::new(InvalidationScheme::VersionedSet, 4, 1).is_err());
    /// ```
    pub fn new(
        scheme: InvalidationScheme,
        readers: usize,
        writers: usize,
    ) -> Result<InvalidationRace, SimError> {
        for (name, count) in [("readers", readers), ("writers", writers)] {
            if !(1..=3).contains(&count) {
                return Err(SimError::parameter(name, count, "from 1 to 3"));
            }
        }
        Ok(InvalidationRace {
            scheme,
            readers,
            writers,
        })
    }

    /// Explores every interleaving and reports whether the invariant holds.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::caching::{InvalidationRace, InvalidationScheme};
    /// use lessons::sim::ms;
    ///
    /// let double = InvalidationScheme::DelayedDoubleDelete { delay: ms(500) };
    /// assert!(!InvalidationRace::new(double, 1, 1)?.check().holds);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn check(&self) -> RaceCheckRow {
        let found = explore(self, self.bounds());
        RaceCheckRow {
            scheme: self.scheme.label(),
            readers: self.readers,
            writers: self.writers,
            holds: found.holds(),
            exhausted: found.exhausted,
            distinct_states: found.distinct_states,
            shortest_violation: found.violation.map(|violation| violation.run.len()),
        }
    }

    /// A shortest interleaving that breaks the invariant, one numbered sentence per step, or
    /// `None` when none does.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::caching::{InvalidationRace, InvalidationScheme};
    ///
    /// let racy = InvalidationRace::new(InvalidationScheme::DeleteOnWrite, 1, 1)?;
    /// assert_eq!(
    ///     racy.shortest_violation().unwrap(),
    ///     "1. reader 1 looks in the cache\n\
    ///      2. reader 1 misses and reads the database\n\
    ///      3. writer 1 writes the database\n\
    ///      4. writer 1 deletes the key\n\
    ///      5. reader 1 sets version 0\n"
    /// );
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn shortest_violation(&self) -> Option<String> {
        let run: Run<RaceState, RaceStep> = explore(self, self.bounds()).violation?.run;
        Some(run.numbered(RaceStep::describe))
    }

    fn bounds(&self) -> Bounds {
        // Each reader takes at most 3 steps and each writer 3, so this depth is never reached.
        Bounds::new(3 * (self.readers + self.writers) + 1, 1_000_000)
            .expect("a positive depth and state bound")
    }
}

impl Model for InvalidationRace {
    type State = RaceState;
    type Action = RaceStep;

    fn initial_states(&self) -> Vec<RaceState> {
        vec![RaceState {
            database: 0,
            cache: CacheCell::Empty,
            readers: vec![ReaderStage::Start; self.readers],
            writers: vec![WriterStage::Start; self.writers],
            newest_invalidated: 0,
        }]
    }

    fn actions(&self, state: &RaceState, actions: &mut Vec<RaceStep>) {
        for (reader, stage) in state.readers.iter().enumerate() {
            actions.extend(match *stage {
                ReaderStage::Start => Some(RaceStep::LookUp { reader }),
                ReaderStage::Missed => Some(RaceStep::ReadDatabase { reader }),
                ReaderStage::Holding(version) => Some(RaceStep::Set { reader, version }),
                ReaderStage::Done => None,
            });
        }
        for (writer, stage) in state.writers.iter().enumerate() {
            actions.extend(match *stage {
                WriterStage::Start => Some(RaceStep::Write { writer }),
                WriterStage::Wrote(_) => Some(RaceStep::Delete { writer }),
                WriterStage::DeletedOnce(_) => Some(RaceStep::DeleteAgain { writer }),
                WriterStage::Done => None,
            });
        }
    }

    fn next_state(&self, state: &RaceState, step: &RaceStep) -> Option<RaceState> {
        let mut next = state.clone();
        match *step {
            RaceStep::LookUp { reader } => {
                let hit = matches!(state.cache, CacheCell::Value(_));
                next.readers[reader] = if hit {
                    ReaderStage::Done
                } else {
                    ReaderStage::Missed
                };
            }
            RaceStep::ReadDatabase { reader } => {
                next.readers[reader] = ReaderStage::Holding(state.database);
            }
            RaceStep::Set { reader, version } => {
                next.cache = state.cache.set(self.scheme, version);
                next.readers[reader] = ReaderStage::Done;
            }
            RaceStep::Write { writer } => {
                next.database += 1;
                next.writers[writer] = WriterStage::Wrote(next.database);
            }
            RaceStep::Delete { writer } => {
                let WriterStage::Wrote(version) = state.writers[writer] else {
                    return None;
                };
                next.cache = state.cache.delete(self.scheme, version);
                next.newest_invalidated = state.newest_invalidated.max(version);
                next.writers[writer] = match self.scheme {
                    InvalidationScheme::DelayedDoubleDelete { .. } => {
                        WriterStage::DeletedOnce(version)
                    }
                    _ => WriterStage::Done,
                };
            }
            RaceStep::DeleteAgain { writer } => {
                let WriterStage::DeletedOnce(version) = state.writers[writer] else {
                    return None;
                };
                next.cache = state.cache.delete(self.scheme, version);
                next.writers[writer] = WriterStage::Done;
            }
        }
        Some(next)
    }

    fn invariants(&self) -> Vec<Invariant<Self>> {
        vec![Invariant::new(
            "the cache holds no value older than an invalidated version",
            |_, state: &RaceState| match state.cache {
                CacheCell::Value(version) => version >= state.newest_invalidated,
                _ => true,
            },
        )]
    }
}
