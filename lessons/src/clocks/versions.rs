//! Version vectors per key: how a store decides which stored versions a write replaces and which
//! it must keep beside it as siblings.
//!
//! A client reads a key, gets every stored version (the *siblings*) and a *context* that sums up
//! what it has seen, and sends the context back with its next write. The store drops the siblings
//! the context covers and keeps the rest. How exactly it can tell depends on the
//! [`VersionScheme`]: one entry per client, one per server with or without a dot, pruned vectors,
//! or no versioning at all (last writer wins).

use std::fmt;

use serde::Serialize;

use super::vector::{Causality, Dot, VectorClock};
use crate::sim::NodeId;
use crate::table::{Table, TableError};

/// How a [`VersionedKey`] tracks which versions supersede which.
///
/// # Examples
///
/// ```
/// use lessons::clocks::VersionScheme;
///
/// assert_eq!(VersionScheme::DottedVersionVectors.name(), "dotted version vectors");
/// assert_eq!(VersionScheme::PrunedClientVectors { keep: 4 }.name(), "client vectors pruned to 4");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum VersionScheme {
    /// No versions: a write replaces whatever is stored (the latest write wins, even over a
    /// concurrent one). One timestamp of metadata.
    LastWriterWins,
    /// Each version carries a vector with one entry per *client* that wrote it; the writing client
    /// bumps its own entry. Exact, but the vector grows with the number of clients.
    ClientVectors,
    /// Each version carries a vector with one entry per *server*; the coordinating server bumps its
    /// entry past every version it holds. Bounded by the number of servers, but a blind write can
    /// look newer than a version it never saw, and that version is lost.
    ServerVectors,
    /// One vector per *key* with one entry per server; a write whose context covers the whole key
    /// replaces everything, any other write is added as a sibling. Nothing is lost, but versions
    /// the writer had already seen stay as false siblings.
    ServerKeyVector,
    /// Per-server vectors plus a *dot* per version: the server and counter that created it. The
    /// context covers a version exactly when it covers its dot. Exact, and bounded by the number
    /// of servers.
    DottedVersionVectors,
    /// Client vectors cut down after each write to `keep` entries: the writer's own and the
    /// largest other counters.
    /// Bounded, but a pruned vector no longer shows everything its version descends from.
    PrunedClientVectors {
        /// How many entries a vector keeps, at least 1.
        keep: usize,
    },
}

impl VersionScheme {
    /// The schemes compared in the lesson, with client vectors pruned to `keep` entries.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::VersionScheme;
    ///
    /// assert_eq!(VersionScheme::compared(2).len(), 6);
    /// ```
    pub fn compared(keep: usize) -> [VersionScheme; 6] {
        [
            VersionScheme::LastWriterWins,
            VersionScheme::ClientVectors,
            VersionScheme::ServerVectors,
            VersionScheme::ServerKeyVector,
            VersionScheme::DottedVersionVectors,
            VersionScheme::PrunedClientVectors { keep },
        ]
    }

    /// The scheme's name, for tables and legends.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::VersionScheme;
    ///
    /// assert_eq!(VersionScheme::ServerKeyVector.name(), "one server vector per key");
    /// ```
    pub fn name(self) -> String {
        match self {
            VersionScheme::LastWriterWins => "last writer wins".into(),
            VersionScheme::ClientVectors => "client vectors".into(),
            VersionScheme::ServerVectors => "server vectors".into(),
            VersionScheme::ServerKeyVector => "one server vector per key".into(),
            VersionScheme::DottedVersionVectors => "dotted version vectors".into(),
            VersionScheme::PrunedClientVectors { keep } => {
                format!("client vectors pruned to {keep}")
            }
        }
    }
}

impl fmt::Display for VersionScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

/// Why a [`VersionedKey`] refused a scheme.
///
/// # Examples
///
/// ```
/// use lessons::clocks::{VersionScheme, VersionedKey};
///
/// let error = VersionedKey::new(VersionScheme::PrunedClientVectors { keep: 0 }).unwrap_err();
/// assert_eq!(error.to_string(), "a pruned vector must keep at least 1 entry, not 0");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionError {
    /// Pruning to zero entries would leave no version information at all.
    KeepNothing,
}

impl fmt::Display for VersionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VersionError::KeepNothing => {
                f.write_str("a pruned vector must keep at least 1 entry, not 0")
            }
        }
    }
}

impl std::error::Error for VersionError {}

/// Who makes a write: the client that sends it and the server that coordinates it.
///
/// # Examples
///
/// ```
/// use lessons::clocks::Writer;
///
/// let alice_via_s0 = Writer { client: 0, server: 0 };
/// assert_eq!(alice_via_s0.client, 0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Writer {
    /// The client's id; client vectors have an entry per client id.
    pub client: NodeId,
    /// The coordinating server's id; server vectors and dots have an entry per server id.
    pub server: NodeId,
}

/// One stored version of the key.
///
/// # Examples
///
/// ```
/// use lessons::clocks::{VersionScheme, VersionedKey, Writer};
///
/// let mut key = VersionedKey::new(VersionScheme::DottedVersionVectors)?;
/// key.put(Writer { client: 0, server: 1 }, "milk", &key.read().context);
/// let sibling = &key.siblings()[0];
/// assert_eq!(sibling.value, "milk");
/// assert_eq!(sibling.dot.unwrap().to_string(), "(1, 1)");
/// # Ok::<(), lessons::clocks::VersionError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sibling {
    /// The value written.
    pub value: String,
    /// The write's number in this key's history, from 0.
    pub write: usize,
    /// Its version vector (for dotted version vectors: the context it was written with).
    pub clock: VectorClock,
    /// The write's own identity, under dotted version vectors.
    pub dot: Option<Dot>,
}

/// What a read returns: every sibling's value and the context to send back with the next write.
///
/// # Examples
///
/// ```
/// use lessons::clocks::{VersionScheme, VersionedKey};
///
/// let key = VersionedKey::new(VersionScheme::ClientVectors)?;
/// let read = key.read();
/// assert!(read.values.is_empty() && read.context.is_empty());
/// # Ok::<(), lessons::clocks::VersionError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Read {
    /// The siblings' values, oldest write first.
    pub values: Vec<String>,
    /// The writes those values came from.
    pub writes: Vec<usize>,
    /// The context: a vector covering every version read.
    pub context: VectorClock,
}

/// One key in a store, versioned by a [`VersionScheme`].
///
/// Lets you test: a write whose context covers a version replaces it, a write with a concurrent
/// context adds a sibling, and (for exact schemes) no acknowledged write is lost.
///
/// # Examples
///
/// Two clients read the empty key, then both write: their writes are concurrent, so both stay.
/// A third write that read both replaces both.
///
/// ```
/// use lessons::clocks::{VersionScheme, VersionedKey, Writer};
///
/// let mut cart = VersionedKey::new(VersionScheme::ClientVectors)?;
/// let empty = cart.read().context;
/// cart.put(Writer { client: 0, server: 0 }, "milk", &empty);
/// cart.put(Writer { client: 1, server: 0 }, "eggs", &empty);
/// let both = cart.read();
/// assert_eq!(both.values, ["milk", "eggs"]);
/// cart.put(Writer { client: 0, server: 0 }, "milk, eggs", &both.context);
/// assert_eq!(cart.read().values, ["milk, eggs"]);
/// # Ok::<(), lessons::clocks::VersionError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VersionedKey {
    scheme: VersionScheme,
    siblings: Vec<Sibling>,
    /// Every server counter handed out so far (server schemes) or the key's one vector.
    key_clock: VectorClock,
    writes: usize,
}

impl VersionedKey {
    /// An empty key versioned by `scheme`.
    ///
    /// # Errors
    ///
    /// [`VersionError::KeepNothing`] for pruned vectors that keep no entry.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::{VersionScheme, VersionedKey};
    ///
    /// assert!(VersionedKey::new(VersionScheme::PrunedClientVectors { keep: 1 }).is_ok());
    /// ```
    pub fn new(scheme: VersionScheme) -> Result<VersionedKey, VersionError> {
        if scheme == (VersionScheme::PrunedClientVectors { keep: 0 }) {
            return Err(VersionError::KeepNothing);
        }
        Ok(VersionedKey {
            scheme,
            siblings: Vec::new(),
            key_clock: VectorClock::new(),
            writes: 0,
        })
    }

    /// The scheme.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::{VersionScheme, VersionedKey};
    ///
    /// let key = VersionedKey::new(VersionScheme::ServerVectors)?;
    /// assert_eq!(key.scheme(), VersionScheme::ServerVectors);
    /// # Ok::<(), lessons::clocks::VersionError>(())
    /// ```
    pub fn scheme(&self) -> VersionScheme {
        self.scheme
    }

    /// The versions stored now, oldest write first.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::{VersionScheme, VersionedKey};
    ///
    /// assert!(VersionedKey::new(VersionScheme::ServerVectors)?.siblings().is_empty());
    /// # Ok::<(), lessons::clocks::VersionError>(())
    /// ```
    pub fn siblings(&self) -> &[Sibling] {
        &self.siblings
    }

    /// Reads every sibling and the context that covers them.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::{VersionScheme, VersionedKey, Writer};
    ///
    /// let mut key = VersionedKey::new(VersionScheme::ServerKeyVector)?;
    /// key.put(Writer { client: 3, server: 1 }, "x", &key.read().context);
    /// assert_eq!(key.read().context.to_dense(2), [0, 1]);
    /// # Ok::<(), lessons::clocks::VersionError>(())
    /// ```
    pub fn read(&self) -> Read {
        let context = match self.scheme {
            VersionScheme::ServerKeyVector => self.key_clock.clone(),
            _ => {
                let mut context = VectorClock::new();
                for sibling in &self.siblings {
                    context.merge(&sibling.clock);
                    if let Some(dot) = sibling.dot {
                        context.apply(dot);
                    }
                }
                context
            }
        };
        Read {
            values: self.siblings.iter().map(|s| s.value.clone()).collect(),
            writes: self.siblings.iter().map(|s| s.write).collect(),
            context,
        }
    }

    /// Stores a write made with `context` (from an earlier [`read`](Self::read)), dropping the
    /// siblings the scheme decides it replaces. Returns the write's number.
    ///
    /// # Examples
    ///
    /// A blind write (empty context) through the same server: server vectors lose the first
    /// write, dotted version vectors keep both.
    ///
    /// ```
    /// use lessons::clocks::{VectorClock, VersionScheme, VersionedKey, Writer};
    ///
    /// for (scheme, kept) in [(VersionScheme::ServerVectors, 1), (VersionScheme::DottedVersionVectors, 2)] {
    ///     let mut key = VersionedKey::new(scheme)?;
    ///     key.put(Writer { client: 0, server: 0 }, "a", &VectorClock::new());
    ///     key.put(Writer { client: 1, server: 0 }, "b", &VectorClock::new());
    ///     assert_eq!(key.siblings().len(), kept);
    /// }
    /// # Ok::<(), lessons::clocks::VersionError>(())
    /// ```
    pub fn put(
        &mut self,
        writer: Writer,
        value: impl Into<String>,
        context: &VectorClock,
    ) -> usize {
        let write = self.writes;
        self.writes += 1;
        let value = value.into();
        let (clock, dot) = match self.scheme {
            VersionScheme::LastWriterWins => {
                self.siblings.clear();
                (VectorClock::new(), None)
            }
            VersionScheme::ClientVectors => {
                let clock = bumped(context, writer.client);
                self.drop_dominated_by(&clock);
                (clock, None)
            }
            VersionScheme::PrunedClientVectors { keep } => {
                let clock = pruned(bumped(context, writer.client), writer.client, keep);
                self.drop_dominated_by(&clock);
                (clock, None)
            }
            VersionScheme::ServerVectors => {
                let dot = self.next_server_dot(writer.server);
                let mut clock = context.clone();
                clock.apply(dot);
                self.drop_dominated_by(&clock);
                (clock, None)
            }
            VersionScheme::ServerKeyVector => {
                if covered(&self.key_clock, context) {
                    self.siblings.clear();
                }
                self.next_server_dot(writer.server);
                (VectorClock::new(), None)
            }
            VersionScheme::DottedVersionVectors => {
                let dot = self.next_server_dot(writer.server);
                self.siblings.retain(|sibling| {
                    let seen = sibling.dot.expect("dotted versions carry dots");
                    context.get(seen.node) < seen.counter
                });
                (context.clone(), Some(dot))
            }
        };
        self.siblings.push(Sibling {
            value,
            write,
            clock,
            dot,
        });
        write
    }

    /// The metadata stored now: vector entries plus dots (last writer wins: one timestamp per
    /// key).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::{VectorClock, VersionScheme, VersionedKey, Writer};
    ///
    /// let mut key = VersionedKey::new(VersionScheme::ClientVectors)?;
    /// key.put(Writer { client: 0, server: 0 }, "a", &VectorClock::new());
    /// key.put(Writer { client: 1, server: 0 }, "b", &key.read().context);
    /// assert_eq!(key.metadata_entries(), 2); // one version, vector [1, 1]
    /// # Ok::<(), lessons::clocks::VersionError>(())
    /// ```
    pub fn metadata_entries(&self) -> usize {
        let versions: usize = self
            .siblings
            .iter()
            .map(|s| s.clock.len() + usize::from(s.dot.is_some()))
            .sum();
        match self.scheme {
            VersionScheme::LastWriterWins => 1,
            VersionScheme::ServerKeyVector => self.key_clock.len(),
            _ => versions,
        }
    }

    /// The siblings as a table: value, write number, vector and dot.
    ///
    /// # Errors
    ///
    /// Never in practice; the row width always matches.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::{VersionScheme, VersionedKey};
    ///
    /// let key = VersionedKey::new(VersionScheme::ClientVectors)?;
    /// assert_eq!(key.table()?.headers(), ["value", "write", "vector", "dot"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn table(&self) -> Result<Table, TableError> {
        let mut table = Table::new(["value", "write", "vector", "dot"]);
        for sibling in &self.siblings {
            table.push_row([
                sibling.value.clone(),
                sibling.write.to_string(),
                sparse_label(&sibling.clock),
                sibling.dot.map_or("-".into(), |dot| dot.to_string()),
            ])?;
        }
        Ok(table)
    }

    /// Hands out the next counter of `server` for this key.
    fn next_server_dot(&mut self, server: NodeId) -> Dot {
        let dot = self.key_clock.next_dot(server);
        self.key_clock.apply(dot);
        dot
    }

    fn drop_dominated_by(&mut self, clock: &VectorClock) {
        self.siblings
            .retain(|sibling| !covered(&sibling.clock, clock));
    }
}

/// Whether every entry of `version` is at most `by`'s.
fn covered(version: &VectorClock, by: &VectorClock) -> bool {
    matches!(version.compare(by), Causality::Before | Causality::Equal)
}

/// `context` with `node`'s entry one higher.
fn bumped(context: &VectorClock, node: NodeId) -> VectorClock {
    let mut clock = context.clone();
    clock.apply(clock.next_dot(node));
    clock
}

/// `clock` cut down to `keep` entries: the writer's own, then the largest counters (ties: the
/// lower node id stays).
fn pruned(clock: VectorClock, writer: NodeId, keep: usize) -> VectorClock {
    let mut entries: Vec<(NodeId, u64)> = clock.iter().collect();
    if entries.len() <= keep {
        return clock;
    }
    entries.sort_by_key(|&(node, counter)| (node != writer, std::cmp::Reverse(counter), node));
    let mut kept = VectorClock::new();
    for (node, counter) in entries.into_iter().take(keep) {
        kept.apply(Dot { node, counter });
    }
    kept
}

/// A vector written as `{node: counter, ...}`, or `{}`.
fn sparse_label(clock: &VectorClock) -> String {
    let entries: Vec<String> = clock
        .iter()
        .map(|(node, counter)| format!("{node}: {counter}"))
        .collect();
    format!("{{{}}}", entries.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put(
        key: &mut VersionedKey,
        client: NodeId,
        server: NodeId,
        value: &str,
        context: &VectorClock,
    ) {
        key.put(Writer { client, server }, value, context);
    }

    #[test]
    fn the_key_vector_keeps_a_version_its_writer_had_seen() {
        // A reads v1; B writes blind; A writes having seen v1 (not B's write).
        for (scheme, values) in [
            (VersionScheme::ServerKeyVector, vec!["v1", "b", "a"]),
            (VersionScheme::DottedVersionVectors, vec!["b", "a"]),
            (VersionScheme::ClientVectors, vec!["b", "a"]),
        ] {
            let mut key = VersionedKey::new(scheme).unwrap();
            put(&mut key, 0, 0, "v1", &VectorClock::new());
            let seen_by_a = key.read().context;
            put(&mut key, 1, 0, "b", &VectorClock::new());
            put(&mut key, 0, 0, "a", &seen_by_a);
            assert_eq!(key.read().values, values, "{scheme}");
        }
    }

    #[test]
    fn pruning_keeps_the_writers_entry_and_the_largest_counters() {
        let mut clock = VectorClock::new();
        for (node, counter) in [(0, 3), (1, 1), (2, 5), (3, 3)] {
            clock.apply(Dot { node, counter });
        }
        assert_eq!(sparse_label(&pruned(clock.clone(), 3, 2)), "{2: 5, 3: 3}");
        assert_eq!(sparse_label(&pruned(clock, 1, 2)), "{1: 1, 2: 5}");
    }
}
