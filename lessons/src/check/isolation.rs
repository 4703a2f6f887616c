//! Isolation anomalies in a history of transactions: the direct serialization graph of Adya,
//! Liskov and O'Neil, and the cycle that names what went wrong.
//!
//! A history lists every transaction, committed or aborted, with the keys it wrote and, for
//! each read, the version it saw, named by the transaction that wrote it. Each key's committed
//! versions have an order (the order the store installed them). From those facts come the
//! dependencies between committed transactions:
//!
//! * **ww** (write-write): `Ti → Tj` when Tj installed the version of a key right after Ti's.
//! * **wr** (write-read): `Ti → Tj` when Tj read a version Ti installed.
//! * **rw** (read-write, the anti-dependency): `Ti → Tj` when Ti read a version of a key and
//!   Tj installed the next one: Tj overwrote what Ti saw.
//!
//! A serial execution can only run a transaction after everything it depends on, so a cycle
//! proves that no serial order explains the history. Which edges the cycle needs tells how weak
//! the isolation was, from the anomaly every level forbids to the one only serializability
//! forbids:
//!
//! | anomaly | what proves it | forbidden from |
//! |---|---|---|
//! | G1a, aborted read | a committed transaction read a version of an aborted one | read committed |
//! | G1b, intermediate read | it read a version its writer later overwrote itself | read committed |
//! | G0, write cycle | a cycle of ww edges | read uncommitted |
//! | G1c, circular information flow | a cycle of ww and wr edges | read committed |
//! | G-single | a cycle with exactly one rw edge (read skew; the lost update is its two-transaction case) | snapshot isolation |
//! | G2-item | a cycle with two or more rw edges (write skew) | serializability |
//!
//! [`check_isolation`] reports the first of these it finds, in that order, with the edges of
//! the cycle (or the offending read) as data, and [`IsolationReport::figure`] draws them.
//!
//! # How Elle names the same things
//!
//! Elle (Kingsbury and Alvaro, VLDB 2020) uses Adya's names (G0, G1a, G1b, G1c, G-single,
//! G2-item) for the same cycles, and adds names for cycles that also need real-time or process
//! order (`G-single-realtime`, ...). What it adds is inference: a database does not tell a
//! client which version a read saw, so Elle designs workloads (append-only lists) whose
//! values reveal the version order. Here the simulated store records versions directly, so the
//! graph is exact rather than inferred; the price is that this checker only judges histories
//! that carry that information.
//!
//! # References
//!
//! * Atul Adya, "Weak Consistency: A Generalized Theory and Optimistic Implementations for
//!   Distributed Transactions", PhD thesis, MIT, 1999: chapter 3 (the DSG and G0 to G2).
//! * Atul Adya, Barbara Liskov and Patrick O'Neil, "Generalized Isolation Level Definitions",
//!   ICDE 2000: sections 3 and 4.
//! * Kyle Kingsbury and Peter Alvaro, "Elle: Inferring Isolation Anomalies from Experimental
//!   Observations", VLDB 2020: section 2 (the anomaly names), section 4 (inferring versions).

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt;

use serde::Serialize;

use crate::sim::SimError;
use crate::viz::DependencyGraph;

/// A transaction's number in a history; [`INITIAL`] is the transaction that wrote every key's
/// first version.
pub type TxnId = usize;

/// The transaction that installed the initial version of every key, before the history began.
pub const INITIAL: TxnId = 0;

/// One read: the key, and which version it saw, named by its writer. `nth` picks one of the
/// writer's writes to the key (0 for its first); `None` means its last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReadRecord {
    /// The key read.
    pub key: String,
    /// The transaction whose version was seen.
    pub writer: TxnId,
    /// Which of the writer's writes to the key was seen; `None` for its final one.
    pub nth: Option<usize>,
}

/// One transaction of a history: its reads, its writes (keys, in order, repeats allowed) and
/// whether it committed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TransactionRecord {
    /// The transaction's number.
    pub id: TxnId,
    /// `true` once it committed, `false` if it aborted (or never finished).
    pub committed: bool,
    /// What it read, in order.
    pub reads: Vec<ReadRecord>,
    /// The keys it wrote, in order.
    pub writes: Vec<String>,
}

/// A history of transactions for [`check_isolation`]: built step by step, or recorded by the
/// simulated store of [`crate::transactions`].
///
/// The version order of a key is the order in which its writers committed (after
/// [`INITIAL`]), unless [`order_versions`](TransactionHistory::order_versions) says otherwise.
///
/// # Examples
///
/// ```
/// use lessons::check::{INITIAL, TransactionHistory};
///
/// let mut history = TransactionHistory::new();
/// let t1 = history.begin();
/// history.read(t1, "x", INITIAL)?;
/// history.write(t1, "x")?;
/// history.commit(t1)?;
/// assert_eq!(history.transactions().len(), 1);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TransactionHistory {
    transactions: Vec<TransactionRecord>,
    commit_order: Vec<TxnId>,
    explicit_orders: BTreeMap<String, Vec<TxnId>>,
}

impl TransactionHistory {
    /// An empty history.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(lessons::check::TransactionHistory::new().transactions().is_empty());
    /// ```
    pub fn new() -> TransactionHistory {
        TransactionHistory::default()
    }

    /// Starts a transaction and returns its number (1, 2, 3, ...).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut history = lessons::check::TransactionHistory::new();
    /// assert_eq!((history.begin(), history.begin()), (1, 2));
    /// ```
    pub fn begin(&mut self) -> TxnId {
        let id = self.transactions.len() + 1;
        self.transactions.push(TransactionRecord {
            id,
            committed: false,
            reads: Vec::new(),
            writes: Vec::new(),
        });
        id
    }

    /// Records that `txn` read `key` and saw `writer`'s last write to it.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut history = lessons::check::TransactionHistory::new();
    /// let t1 = history.begin();
    /// assert!(history.read(t1, "x", 0).is_ok());
    /// assert!(history.read(7, "x", 0).is_err()); // no transaction 7
    /// ```
    pub fn read(&mut self, txn: TxnId, key: &str, writer: TxnId) -> Result<(), SimError> {
        self.record_read(txn, key, writer, None)
    }

    /// Records that `txn` read `key` and saw `writer`'s write number `nth` (from 0) to it, which
    /// may be one the writer later overwrote (an intermediate version).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut history = lessons::check::TransactionHistory::new();
    /// let (t1, t2) = (history.begin(), history.begin());
    /// history.write(t1, "x")?;
    /// history.write(t1, "x")?;
    /// history.read_version(t2, "x", t1, 0)?; // the first of T1's two writes
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn read_version(
        &mut self,
        txn: TxnId,
        key: &str,
        writer: TxnId,
        nth: usize,
    ) -> Result<(), SimError> {
        self.record_read(txn, key, writer, Some(nth))
    }

    /// Records that `txn` wrote `key`.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut history = lessons::check::TransactionHistory::new();
    /// let t1 = history.begin();
    /// history.write(t1, "x")?;
    /// assert_eq!(history.transactions()[0].writes, ["x"]);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn write(&mut self, txn: TxnId, key: &str) -> Result<(), SimError> {
        self.record_mut(txn)?.writes.push(key.to_string());
        Ok(())
    }

    /// Marks `txn` committed: its writes become the next versions of their keys.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut history = lessons::check::TransactionHistory::new();
    /// let t1 = history.begin();
    /// history.commit(t1)?;
    /// assert!(history.transactions()[0].committed);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn commit(&mut self, txn: TxnId) -> Result<(), SimError> {
        let record = self.record_mut(txn)?;
        if record.committed {
            return Err(SimError::parameter(
                "transaction",
                txn,
                "it committed already; commit each transaction once",
            ));
        }
        record.committed = true;
        self.commit_order.push(txn);
        Ok(())
    }

    /// Sets the version order of `key` (writers, oldest first; [`INITIAL`] is always first and
    /// may be left out). Every committed writer of the key must appear exactly once.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut history = lessons::check::TransactionHistory::new();
    /// let (t1, t2) = (history.begin(), history.begin());
    /// for t in [t1, t2] {
    ///     history.write(t, "x")?;
    ///     history.commit(t)?;
    /// }
    /// history.order_versions("x", [t2, t1])?; // T2's version came first after all
    /// assert!(history.order_versions("x", [t2]).is_err());
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn order_versions(
        &mut self,
        key: &str,
        writers: impl IntoIterator<Item = TxnId>,
    ) -> Result<(), SimError> {
        let order: Vec<TxnId> = writers.into_iter().filter(|&t| t != INITIAL).collect();
        let mut given: Vec<TxnId> = order.clone();
        given.sort_unstable();
        let mut expected = self.committed_writers_by_commit(key);
        expected.sort_unstable();
        if given != expected {
            return Err(SimError::parameter(
                "version order",
                format!("{order:?} for {key}"),
                format!("list each committed writer of {key} once: {expected:?}"),
            ));
        }
        self.explicit_orders.insert(key.to_string(), order);
        Ok(())
    }

    /// Every transaction, in the order they began.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut history = lessons::check::TransactionHistory::new();
    /// history.begin();
    /// assert_eq!(history.transactions()[0].id, 1);
    /// ```
    pub fn transactions(&self) -> &[TransactionRecord] {
        &self.transactions
    }

    /// The committed versions of `key`, oldest first, named by writer ([`INITIAL`] first).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut history = lessons::check::TransactionHistory::new();
    /// let t1 = history.begin();
    /// history.write(t1, "x")?;
    /// history.commit(t1)?;
    /// assert_eq!(history.version_order("x"), [0, 1]);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn version_order(&self, key: &str) -> Vec<TxnId> {
        let writers = match self.explicit_orders.get(key) {
            Some(order) => order.clone(),
            None => self.committed_writers_by_commit(key),
        };
        std::iter::once(INITIAL).chain(writers).collect()
    }

    fn committed_writers_by_commit(&self, key: &str) -> Vec<TxnId> {
        self.commit_order
            .iter()
            .copied()
            .filter(|&t| self.transactions[t - 1].writes.iter().any(|k| k == key))
            .collect()
    }

    fn record_read(
        &mut self,
        txn: TxnId,
        key: &str,
        writer: TxnId,
        nth: Option<usize>,
    ) -> Result<(), SimError> {
        if writer > self.transactions.len() {
            return Err(SimError::parameter(
                "writer",
                writer,
                format!(
                    "name a transaction of the history, 0 (initial) to {}",
                    self.transactions.len()
                ),
            ));
        }
        self.record_mut(txn)?.reads.push(ReadRecord {
            key: key.to_string(),
            writer,
            nth,
        });
        Ok(())
    }

    fn record_mut(&mut self, txn: TxnId) -> Result<&mut TransactionRecord, SimError> {
        let count = self.transactions.len();
        match txn
            .checked_sub(1)
            .and_then(|i| self.transactions.get_mut(i))
        {
            Some(record) => Ok(record),
            None => Err(SimError::parameter(
                "transaction",
                txn,
                format!("begin it first; this history has transactions 1 to {count}"),
            )),
        }
    }

    fn writes_to(&self, txn: TxnId, key: &str) -> usize {
        if txn == INITIAL {
            return 1;
        }
        self.transactions[txn - 1]
            .writes
            .iter()
            .filter(|k| *k == key)
            .count()
    }

    fn is_committed(&self, txn: TxnId) -> bool {
        txn == INITIAL || self.transactions[txn - 1].committed
    }
}

/// The kind of a dependency edge.
///
/// # Examples
///
/// ```
/// use lessons::check::DependencyKind;
///
/// assert_eq!(DependencyKind::ReadWrite.to_string(), "rw");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum DependencyKind {
    /// The target installed the next version after the source's.
    WriteWrite,
    /// The target read the source's version.
    WriteRead,
    /// The target overwrote the version the source read (an anti-dependency).
    ReadWrite,
}

impl fmt::Display for DependencyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DependencyKind::WriteWrite => "ww",
            DependencyKind::WriteRead => "wr",
            DependencyKind::ReadWrite => "rw",
        })
    }
}

/// One edge of the direct serialization graph: `from` must come before `to` in any serial
/// order, because of `key`.
///
/// # Examples
///
/// ```
/// use lessons::check::{Dependency, DependencyKind};
///
/// let edge = Dependency { from: 1, to: 2, kind: DependencyKind::ReadWrite, key: "x".into() };
/// assert_eq!(edge.to_string(), "T1 -rw(x)-> T2");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Dependency {
    /// The transaction that must come first.
    pub from: TxnId,
    /// The transaction that must come after it.
    pub to: TxnId,
    /// Why.
    pub kind: DependencyKind,
    /// The key the edge is about.
    pub key: String,
}

impl fmt::Display for Dependency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "T{} -{}({})-> T{}",
            self.from, self.kind, self.key, self.to
        )
    }
}

/// An anomaly in Adya's classification, from the weakest level that forbids it to the
/// strongest.
///
/// # Examples
///
/// ```
/// use lessons::check::Anomaly;
///
/// assert_eq!(Anomaly::G2Item.to_string(), "G2-item");
/// assert_eq!(Anomaly::GSingle.describe(), "a cycle with exactly one rw edge (read skew, lost update)");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Anomaly {
    /// A committed transaction read a version written by an aborted one.
    G1a,
    /// A committed transaction read a version its writer overwrote before committing.
    G1b,
    /// A cycle of ww edges.
    G0,
    /// A cycle of ww and wr edges.
    G1c,
    /// A cycle with exactly one rw edge.
    GSingle,
    /// A cycle with two or more rw edges.
    G2Item,
}

impl Anomaly {
    /// One line on what the anomaly is.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(lessons::check::Anomaly::G0.describe().starts_with("write cycle"));
    /// ```
    pub fn describe(self) -> &'static str {
        match self {
            Anomaly::G1a => "aborted read: a committed transaction saw an aborted write",
            Anomaly::G1b => {
                "intermediate read: a committed transaction saw a version its writer overwrote"
            }
            Anomaly::G0 => "write cycle: a cycle of ww edges",
            Anomaly::G1c => "circular information flow: a cycle of ww and wr edges",
            Anomaly::GSingle => "a cycle with exactly one rw edge (read skew, lost update)",
            Anomaly::G2Item => "a cycle with two or more rw edges (write skew)",
        }
    }
}

impl fmt::Display for Anomaly {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Anomaly::G1a => "G1a",
            Anomaly::G1b => "G1b",
            Anomaly::G0 => "G0",
            Anomaly::G1c => "G1c",
            Anomaly::GSingle => "G-single",
            Anomaly::G2Item => "G2-item",
        })
    }
}

/// What [`check_isolation`] found: every dependency edge between committed transactions, the
/// first anomaly (if any) and its witness: the cycle's edges in order, or for G1a and G1b the
/// offending read as one wr edge.
///
/// # Examples
///
/// ```
/// use lessons::check::{Anomaly, INITIAL, TransactionHistory, check_isolation};
///
/// let mut history = TransactionHistory::new();
/// let (t1, t2) = (history.begin(), history.begin());
/// for t in [t1, t2] {
///     history.read(t, "x", INITIAL)?;
///     history.write(t, "x")?;
/// }
/// history.commit(t1)?;
/// history.commit(t2)?;
/// let report = check_isolation(&history);
/// assert_eq!(report.anomaly, Some(Anomaly::GSingle)); // the lost update
/// assert_eq!(report.cycle_text(), "T2 -rw(x)-> T1 -ww(x)-> T2");
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IsolationReport {
    /// The committed transactions (with [`INITIAL`] when some key's first version is read or
    /// overwritten).
    pub transactions: Vec<TxnId>,
    /// Every edge of the direct serialization graph.
    pub edges: Vec<Dependency>,
    /// The first anomaly found, `None` when the history is serializable.
    pub anomaly: Option<Anomaly>,
    /// The witness: the cycle, edge by edge, or the offending read.
    pub cycle: Vec<Dependency>,
}

impl IsolationReport {
    /// `true` when the graph has no cycle and no committed transaction read an aborted or
    /// intermediate version: some serial order explains the history.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::check::{TransactionHistory, check_isolation};
    ///
    /// assert!(check_isolation(&TransactionHistory::new()).is_serializable());
    /// ```
    pub fn is_serializable(&self) -> bool {
        self.anomaly.is_none()
    }

    /// The witness as one line, `T1 -ww(x)-> T2 -rw(x)-> T1`; empty when there is none.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::check::{TransactionHistory, check_isolation};
    ///
    /// assert_eq!(check_isolation(&TransactionHistory::new()).cycle_text(), "");
    /// ```
    pub fn cycle_text(&self) -> String {
        let mut text = String::new();
        for (i, edge) in self.cycle.iter().enumerate() {
            if i == 0 {
                text.push_str(&format!("T{}", edge.from));
            }
            text.push_str(&format!(" -{}({})-> T{}", edge.kind, edge.key, edge.to));
        }
        text
    }

    /// The dependency graph as a picture: committed transactions as nodes, labelled edges, the
    /// witness drawn in colour.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::check::{TransactionHistory, check_isolation};
    ///
    /// let mut history = TransactionHistory::new();
    /// let t1 = history.begin();
    /// history.write(t1, "x")?;
    /// history.commit(t1)?;
    /// let svg = check_isolation(&history).figure("one write").to_svg()?;
    /// assert!(svg.contains("T1"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn figure(&self, title: &str) -> DependencyGraph {
        let caption = match self.anomaly {
            Some(anomaly) => format!("{anomaly}: {}", anomaly.describe()),
            None => "no cycle: serializable".to_string(),
        };
        let mut graph = DependencyGraph::new(title).caption(caption);
        for &txn in &self.transactions {
            graph = graph.node(format!("T{txn}"));
        }
        for edge in &self.edges {
            let label = format!("{}({})", edge.kind, edge.key);
            let highlighted = self.cycle.contains(edge);
            graph = graph.edge(
                format!("T{}", edge.from),
                format!("T{}", edge.to),
                label,
                highlighted,
            );
        }
        graph
    }
}

/// Builds the direct serialization graph of `history` and looks for the anomalies of
/// [`Anomaly`], in its order; reports the first with its witness.
///
/// Reads of a transaction's own writes add no edge. A read that names a writer which never
/// wrote the key is treated as a read of that writer's version all the same.
///
/// # Examples
///
/// Write skew: each doctor reads both, then each takes itself off call.
///
/// ```
/// use lessons::check::{Anomaly, INITIAL, TransactionHistory, check_isolation};
///
/// let mut history = TransactionHistory::new();
/// let (t1, t2) = (history.begin(), history.begin());
/// for (t, own) in [(t1, "alice"), (t2, "bob")] {
///     history.read(t, "alice", INITIAL)?;
///     history.read(t, "bob", INITIAL)?;
///     history.write(t, own)?;
///     history.commit(t)?;
/// }
/// let report = check_isolation(&history);
/// assert_eq!(report.anomaly, Some(Anomaly::G2Item));
/// assert_eq!(report.cycle.len(), 2);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn check_isolation(history: &TransactionHistory) -> IsolationReport {
    let edges = dependency_edges(history);
    let mut transactions: BTreeSet<TxnId> = history
        .transactions
        .iter()
        .filter(|t| t.committed)
        .map(|t| t.id)
        .collect();
    if edges.iter().any(|e| e.from == INITIAL || e.to == INITIAL) {
        transactions.insert(INITIAL);
    }
    let (anomaly, cycle) = match bad_read(history) {
        Some(found) => (Some(found.0), vec![found.1]),
        None => match find_cycle(&edges) {
            Some((anomaly, cycle)) => (Some(anomaly), cycle),
            None => (None, Vec::new()),
        },
    };
    IsolationReport {
        transactions: transactions.into_iter().collect(),
        edges,
        anomaly,
        cycle,
    }
}

/// G1a or G1b: the first committed read of an aborted or intermediate version.
fn bad_read(history: &TransactionHistory) -> Option<(Anomaly, Dependency)> {
    for reader in history.transactions.iter().filter(|t| t.committed) {
        for read in reader.reads.iter().filter(|r| r.writer != reader.id) {
            let edge = Dependency {
                from: read.writer,
                to: reader.id,
                kind: DependencyKind::WriteRead,
                key: read.key.clone(),
            };
            if !history.is_committed(read.writer) {
                return Some((Anomaly::G1a, edge));
            }
            let writes = history.writes_to(read.writer, &read.key);
            if read.nth.is_some_and(|n| n + 1 < writes) {
                return Some((Anomaly::G1b, edge));
            }
        }
    }
    None
}

/// Every ww, wr and rw edge between committed transactions, without duplicates, sorted.
fn dependency_edges(history: &TransactionHistory) -> Vec<Dependency> {
    let mut edges = BTreeSet::new();
    let mut keys: BTreeSet<&str> = BTreeSet::new();
    for txn in &history.transactions {
        keys.extend(txn.writes.iter().map(String::as_str));
        keys.extend(txn.reads.iter().map(|r| r.key.as_str()));
    }
    // Every key's committed writers in commit order, in one pass over the commits.
    let mut by_commit: BTreeMap<&str, Vec<TxnId>> = BTreeMap::new();
    for &txn in &history.commit_order {
        let writes: BTreeSet<&str> = history.transactions[txn - 1]
            .writes
            .iter()
            .map(String::as_str)
            .collect();
        for key in writes {
            by_commit.entry(key).or_default().push(txn);
        }
    }
    let mut next_version: BTreeMap<(&str, TxnId), TxnId> = BTreeMap::new();
    for &key in &keys {
        let writers = match history.explicit_orders.get(key) {
            Some(order) => order.as_slice(),
            None => by_commit.get(key).map(Vec::as_slice).unwrap_or(&[]),
        };
        let order: Vec<TxnId> = std::iter::once(INITIAL)
            .chain(writers.iter().copied())
            .collect();
        for pair in order.windows(2) {
            next_version.insert((key, pair[0]), pair[1]);
            edges.insert(edge(pair[0], pair[1], DependencyKind::WriteWrite, key));
        }
    }
    for reader in history.transactions.iter().filter(|t| t.committed) {
        for read in reader.reads.iter().filter(|r| r.writer != reader.id) {
            if !history.is_committed(read.writer) {
                continue;
            }
            let key = read.key.as_str();
            edges.insert(edge(read.writer, reader.id, DependencyKind::WriteRead, key));
            if let Some(&overwriter) = next_version.get(&(key, read.writer))
                && overwriter != reader.id
            {
                edges.insert(edge(reader.id, overwriter, DependencyKind::ReadWrite, key));
            }
        }
    }
    edges.into_iter().collect()
}

fn edge(from: TxnId, to: TxnId, kind: DependencyKind, key: &str) -> Dependency {
    Dependency {
        from,
        to,
        kind,
        key: key.to_string(),
    }
}

/// The cycle that names the weakest anomaly: ww only, then ww and wr, then exactly one rw,
/// then any.
fn find_cycle(edges: &[Dependency]) -> Option<(Anomaly, Vec<Dependency>)> {
    let everything: Vec<&Dependency> = edges.iter().collect();
    let cyclic = cyclic_nodes(&everything);
    if cyclic.is_empty() {
        return None;
    }
    let ww: Vec<&Dependency> = edges
        .iter()
        .filter(|e| e.kind == DependencyKind::WriteWrite)
        .collect();
    if let Some(cycle) = any_cycle(&ww) {
        return Some((Anomaly::G0, cycle));
    }
    let flow: Vec<&Dependency> = edges
        .iter()
        .filter(|e| e.kind != DependencyKind::ReadWrite)
        .collect();
    if let Some(cycle) = any_cycle(&flow) {
        return Some((Anomaly::G1c, cycle));
    }
    let adjacency = adjacency(&flow);
    for rw in edges
        .iter()
        .filter(|e| e.kind == DependencyKind::ReadWrite)
        .filter(|e| cyclic.contains(&e.from) && cyclic.contains(&e.to))
    {
        if let Some(mut path) = shortest_path(&adjacency, rw.to, rw.from) {
            path.insert(0, rw.clone());
            return Some((Anomaly::GSingle, path));
        }
    }
    any_cycle(&everything).map(|cycle| (Anomaly::G2Item, cycle))
}

type Adjacency<'a> = BTreeMap<TxnId, Vec<&'a Dependency>>;

fn adjacency<'a>(edges: &[&'a Dependency]) -> Adjacency<'a> {
    let mut adjacency: Adjacency<'a> = BTreeMap::new();
    for &e in edges {
        adjacency.entry(e.from).or_default().push(e);
    }
    adjacency
}

/// The edges of a shortest path from `start` to `goal` (empty when they are equal).
fn shortest_path(adjacency: &Adjacency<'_>, start: TxnId, goal: TxnId) -> Option<Vec<Dependency>> {
    let mut came_by: BTreeMap<TxnId, &Dependency> = BTreeMap::new();
    let mut queue = VecDeque::from([start]);
    let mut seen = BTreeSet::from([start]);
    while let Some(node) = queue.pop_front() {
        if node == goal {
            let mut path = Vec::new();
            let mut at = goal;
            while at != start {
                let e = came_by[&at];
                path.push(e.clone());
                at = e.from;
            }
            path.reverse();
            return Some(path);
        }
        for &e in adjacency.get(&node).into_iter().flatten() {
            if seen.insert(e.to) {
                came_by.insert(e.to, e);
                queue.push_back(e.to);
            }
        }
    }
    None
}

/// How many edges [`any_cycle`] tries for a shorter cycle.
const SHORT_CYCLE_TRIES: usize = 64;

/// A short cycle (the shortest through one of the first edges that lie on one), or `None` when the graph has no cycle.
fn any_cycle(edges: &[&Dependency]) -> Option<Vec<Dependency>> {
    let cyclic = cyclic_nodes(edges);
    let adjacency = adjacency(edges);
    let mut best: Option<Vec<Dependency>> = None;
    // Each edge on a cycle gives the shortest cycle through it; a few tries find a short one
    // without searching from every edge of a large history.
    let candidates = edges
        .iter()
        .filter(|e| cyclic.contains(&e.from) && cyclic.contains(&e.to));
    for &e in candidates.take(SHORT_CYCLE_TRIES) {
        if let Some(mut path) = shortest_path(&adjacency, e.to, e.from) {
            path.insert(0, e.clone());
            if best.as_ref().is_none_or(|b| path.len() < b.len()) {
                best = Some(path);
            }
        }
    }
    best
}

/// The nodes that lie on some cycle: members of strongly connected components with more than
/// one node, or with a self-loop (Tarjan's algorithm, iterative, on transaction numbers as
/// indexes).
fn cyclic_nodes(edges: &[&Dependency]) -> BTreeSet<TxnId> {
    let size = edges
        .iter()
        .map(|e| e.from.max(e.to) + 1)
        .max()
        .unwrap_or(0);
    let mut out: Vec<Vec<TxnId>> = vec![Vec::new(); size];
    let mut cyclic = BTreeSet::new();
    for e in edges {
        out[e.from].push(e.to);
        if e.from == e.to {
            cyclic.insert(e.from);
        }
    }
    const UNSEEN: usize = usize::MAX;
    let mut index = vec![UNSEEN; size];
    let mut low = vec![0; size];
    let mut on_stack = vec![false; size];
    let mut stack: Vec<TxnId> = Vec::new();
    let mut counter = 0;
    for root in 0..size {
        if index[root] != UNSEEN || out[root].is_empty() {
            continue;
        }
        let mut work: Vec<(TxnId, usize)> = vec![(root, 0)];
        index[root] = counter;
        low[root] = counter;
        counter += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (node, ref mut next)) = work.last_mut() {
            if let Some(&to) = out[node].get(*next) {
                *next += 1;
                if index[to] == UNSEEN {
                    index[to] = counter;
                    low[to] = counter;
                    counter += 1;
                    stack.push(to);
                    on_stack[to] = true;
                    work.push((to, 0));
                } else if on_stack[to] {
                    low[node] = low[node].min(index[to]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[node]);
            }
            if low[node] == index[node] {
                let mut component = Vec::new();
                while let Some(member) = stack.pop() {
                    on_stack[member] = false;
                    component.push(member);
                    if member == node {
                        break;
                    }
                }
                if component.len() > 1 {
                    cyclic.extend(component);
                }
            }
        }
    }
    cyclic
}
