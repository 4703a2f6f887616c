//! Raft's safety properties, checked after every step of every node (the way Jepsen checks a
//! history, but from inside): the paper's Figure 3 plus what a client can see.

use std::collections::btree_map::Entry as Slot;
use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::log::{Entry, LogIndex, Term};
use super::node::{Output, RaftNode, Role};
use crate::sim::{NodeId, Time};

/// Servers are named S1, S2, ... as in the paper; ids count from 0.
fn server(id: NodeId) -> String {
    format!("S{}", id + 1)
}

/// A broken safety property: when, which law, and what was seen.
///
/// # Examples
///
/// ```
/// use lessons::raft::Violation;
/// use lessons::sim::ms;
///
/// let violation = Violation { at: ms(5), law: "election safety", detail: "two leaders".into() };
/// assert_eq!(violation.to_string(), "5ms election safety: two leaders");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// When it was seen.
    pub at: Time,
    /// The property's name.
    pub law: &'static str,
    /// What was seen.
    pub detail: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.at, self.law, self.detail)
    }
}

/// A node became leader.
///
/// # Examples
///
/// ```
/// use lessons::raft::Election;
/// use lessons::sim::ms;
///
/// let election = Election { at: ms(180), term: 1, leader: 2 };
/// assert_eq!(election.term, 1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Election {
    /// When.
    pub at: Time,
    /// In which term.
    pub term: Term,
    /// Who.
    pub leader: NodeId,
}

/// A node's commit index moved.
///
/// # Examples
///
/// ```
/// use lessons::raft::CommitAdvance;
/// use lessons::sim::ms;
///
/// let advance = CommitAdvance { at: ms(3), node: 0, index: 4 };
/// assert_eq!(advance.index, 4);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CommitAdvance {
    /// When.
    pub at: Time,
    /// Which node.
    pub node: NodeId,
    /// Its new commit index (after a restart it starts again from its snapshot).
    pub index: LogIndex,
}

/// Watches every step of every node of one cluster and records what breaks:
///
/// * **election safety**: at most one leader per term;
/// * **one vote per term**: a node never changes its vote within a term;
/// * **terms never decrease** on a node, across crashes too;
/// * **log matching**: two logs with an entry of the same index and term agree up to there;
/// * **leader completeness**: a new leader holds every entry committed before;
/// * **committed entries stay**: a node never commits a different entry at a committed index;
/// * **commit index monotone** on a node while it runs;
/// * **state machine safety**: no two nodes apply different entries at one index, and equal
///   applied indexes mean equal registers.
///
/// It also keeps the elections, candidacies and commit-index moves for the experiments.
///
/// # Examples
///
/// ```
/// use lessons::raft::{Config, Input, RaftNode, SafetyMonitor};
/// use lessons::sim::ms;
///
/// let mut monitor = SafetyMonitor::new(1);
/// let mut node = RaftNode::new(0, Config::new(1)?)?;
/// let output = node.step(Input::ElectionTimeout);
/// monitor.observe(ms(1), &node, &output);
/// assert_eq!(monitor.elections().len(), 1);
/// assert!(monitor.violations().is_empty());
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct SafetyMonitor {
    leaders: BTreeMap<Term, NodeId>,
    votes: BTreeMap<(NodeId, Term), NodeId>,
    candidacies: BTreeMap<Term, Vec<NodeId>>,
    terms: Vec<Term>,
    commits: Vec<LogIndex>,
    committed: BTreeMap<LogIndex, Entry>,
    commit_terms: BTreeMap<LogIndex, Term>,
    applied: BTreeMap<LogIndex, Entry>,
    values: BTreeMap<LogIndex, Option<u64>>,
    logs: Vec<Option<RaftNode>>,
    elections: Vec<Election>,
    advances: Vec<CommitAdvance>,
    violations: Vec<Violation>,
    overwritten: u64,
    repeated_applications: u64,
    applied_commands: Vec<BTreeSet<(u32, u32)>>,
}

impl SafetyMonitor {
    /// A monitor for a cluster of `nodes` servers.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(lessons::raft::SafetyMonitor::new(3).violations().is_empty());
    /// ```
    pub fn new(nodes: usize) -> SafetyMonitor {
        SafetyMonitor {
            terms: vec![0; nodes],
            commits: vec![0; nodes],
            logs: vec![None; nodes],
            applied_commands: vec![BTreeSet::new(); nodes],
            ..SafetyMonitor::default()
        }
    }

    /// Every broken property, in the order seen.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(lessons::raft::SafetyMonitor::new(3).violations().is_empty());
    /// ```
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// Every election won, in order.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(lessons::raft::SafetyMonitor::new(3).elections().is_empty());
    /// ```
    pub fn elections(&self) -> &[Election] {
        &self.elections
    }

    /// How many nodes stood as candidates in `term`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::raft::SafetyMonitor::new(3).candidates_in(1), 0);
    /// ```
    pub fn candidates_in(&self, term: Term) -> usize {
        self.candidacies.get(&term).map_or(0, Vec::len)
    }

    /// Every move of a node's commit index, in order.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(lessons::raft::SafetyMonitor::new(3).commit_advances().is_empty());
    /// ```
    pub fn commit_advances(&self) -> &[CommitAdvance] {
        &self.advances
    }

    /// The entries known committed, by index.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(lessons::raft::SafetyMonitor::new(3).committed().is_empty());
    /// ```
    pub fn committed(&self) -> &BTreeMap<LogIndex, Entry> {
        &self.committed
    }

    /// Entries removed from followers' logs by leaders whose logs disagreed.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::raft::SafetyMonitor::new(3).overwritten(), 0);
    /// ```
    pub fn overwritten(&self) -> u64 {
        self.overwritten
    }

    /// Commands a node's state machine applied although it had applied them before (since
    /// its last restart): retries that sessions would have dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::raft::SafetyMonitor::new(3).repeated_applications(), 0);
    /// ```
    pub fn repeated_applications(&self) -> u64 {
        self.repeated_applications
    }

    /// Notes that `node` crashed and restarted: its commit index may start again from its
    /// snapshot.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut monitor = lessons::raft::SafetyMonitor::new(3);
    /// monitor.restarted(1);
    /// assert!(monitor.violations().is_empty());
    /// ```
    pub fn restarted(&mut self, node: NodeId) {
        if let Some(commit) = self.commits.get_mut(node) {
            *commit = 0;
        }
        if let Some(commands) = self.applied_commands.get_mut(node) {
            commands.clear();
        }
    }

    pub(crate) fn violation(&mut self, at: Time, law: &'static str, detail: String) {
        self.violations.push(Violation { at, law, detail });
    }

    /// Checks `node` right after a step that produced `output`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::{Config, Input, RaftNode, SafetyMonitor};
    /// use lessons::sim::ms;
    ///
    /// let mut monitor = SafetyMonitor::new(3);
    /// let mut node = RaftNode::new(0, Config::new(3)?)?;
    /// let output = node.step(Input::ElectionTimeout);
    /// monitor.observe(ms(1), &node, &output);
    /// assert_eq!(monitor.candidates_in(1), 1);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn observe(&mut self, at: Time, node: &RaftNode, output: &Output) {
        let id = node.id();
        if id >= self.terms.len() {
            return;
        }
        let term = node.term();
        if term < self.terms[id] {
            let detail = format!("{} went from term {} to {term}", server(id), self.terms[id]);
            self.violation(at, "terms never decrease", detail);
        }
        self.terms[id] = term;
        self.check_vote(at, node);
        self.check_leader(at, node);
        self.check_commit(at, node);
        self.check_applied(at, node, output);
        if output.persist {
            self.check_log_matching(at, node);
            self.logs[id] = Some(node.clone());
        }
        self.overwritten += output.overwritten;
    }

    fn check_vote(&mut self, at: Time, node: &RaftNode) {
        let (id, term) = (node.id(), node.term());
        if let Some(candidate) = node.voted_for() {
            match self.votes.entry((id, term)) {
                Slot::Vacant(slot) => {
                    slot.insert(candidate);
                    if candidate == id {
                        self.candidacies.entry(term).or_default().push(id);
                    }
                }
                Slot::Occupied(slot) if *slot.get() != candidate => {
                    let detail = format!(
                        "{} voted for {} and then {} in term {term}",
                        server(id),
                        server(*slot.get()),
                        server(candidate)
                    );
                    self.violation(at, "one vote per term", detail);
                }
                Slot::Occupied(_) => {}
            }
        }
    }

    fn check_leader(&mut self, at: Time, node: &RaftNode) {
        let (id, term) = (node.id(), node.term());
        if node.role() != Role::Leader {
            return;
        }
        match self.leaders.entry(term) {
            Slot::Occupied(slot) if *slot.get() != id => {
                let detail = format!(
                    "{} and {} both lead term {term}",
                    server(*slot.get()),
                    server(id)
                );
                self.violation(at, "election safety", detail);
            }
            Slot::Occupied(_) => {}
            Slot::Vacant(slot) => {
                slot.insert(id);
                self.elections.push(Election {
                    at,
                    term,
                    leader: id,
                });
                // Entries committed in earlier terms; a leader of an old term elected late (its
                // votes held up by a pause) need not hold what later terms committed.
                let missing: Vec<LogIndex> = self
                    .committed
                    .iter()
                    .filter(|&(index, _)| self.commit_terms.get(index).is_some_and(|&t| t < term))
                    .filter(|&(&index, entry)| {
                        index > node.snapshot().last_index && node.entry(index) != Some(entry)
                    })
                    .map(|(&index, _)| index)
                    .collect();
                if !missing.is_empty() {
                    let detail = format!(
                        "{} leads term {term} without committed entries {missing:?}",
                        server(id)
                    );
                    self.violation(at, "leader completeness", detail);
                }
            }
        }
    }

    fn check_commit(&mut self, at: Time, node: &RaftNode) {
        let id = node.id();
        let commit = node.commit_index();
        let before = self.commits[id];
        if commit < before {
            let detail = format!("{} went from commit index {before} to {commit}", server(id));
            self.violation(at, "commit index monotone", detail);
        }
        if commit > before {
            self.advances.push(CommitAdvance {
                at,
                node: id,
                index: commit,
            });
        }
        // Applied entries are recorded by check_applied; the rest of the new range here.
        for index in (before + 1).max(node.last_applied() + 1)..=commit {
            if let Some(&entry) = node.entry(index) {
                self.record_committed(at, id, node.term(), index, entry);
            }
        }
        self.commits[id] = commit.max(before);
    }

    /// Records `entry` as committed at `index`, seen by server `id` in its current `term` (the
    /// earliest term it is seen in is the term that committed it).
    fn record_committed(
        &mut self,
        at: Time,
        id: NodeId,
        term: Term,
        index: LogIndex,
        entry: Entry,
    ) {
        let seen = self.commit_terms.entry(index).or_insert(term);
        *seen = (*seen).min(term);
        match self.committed.entry(index) {
            Slot::Vacant(slot) => {
                slot.insert(entry);
            }
            Slot::Occupied(slot) if *slot.get() != entry => {
                let detail = format!(
                    "index {index} was committed as {} and {} commits {entry}",
                    slot.get(),
                    server(id)
                );
                self.violation(at, "committed entries stay", detail);
            }
            Slot::Occupied(_) => {}
        }
    }

    fn check_applied(&mut self, at: Time, node: &RaftNode, output: &Output) {
        let id = node.id();
        for applied in &output.applied {
            // Applied means committed, and a snapshot may already have dropped it from the log.
            self.record_committed(at, id, node.term(), applied.index, applied.entry);
            let effective = !(applied.duplicate && node.config().sessions);
            if let (true, Some(command)) = (effective, applied.entry.command) {
                let first = self.applied_commands[id].insert((command.client, command.sequence));
                self.repeated_applications += u64::from(!first);
            }
            match self.applied.entry(applied.index) {
                Slot::Vacant(slot) => {
                    slot.insert(applied.entry);
                }
                Slot::Occupied(slot) if *slot.get() != applied.entry => {
                    let detail = format!(
                        "index {} applied as {} elsewhere and as {} on {}",
                        applied.index,
                        slot.get(),
                        applied.entry,
                        server(id)
                    );
                    self.violation(at, "state machine safety", detail);
                }
                Slot::Occupied(_) => {}
            }
        }
        if output.applied.is_empty() {
            return;
        }
        let value = node.register().value();
        match self.values.entry(node.last_applied()) {
            Slot::Vacant(slot) => {
                slot.insert(value);
            }
            Slot::Occupied(slot) if *slot.get() != value => {
                let detail = format!(
                    "after index {} {} holds {value:?}, another server {:?}",
                    node.last_applied(),
                    server(id),
                    slot.get()
                );
                self.violation(at, "state machine safety", detail);
            }
            Slot::Occupied(_) => {}
        }
    }

    fn check_log_matching(&mut self, at: Time, node: &RaftNode) {
        let mut broken = Vec::new();
        for other in self.logs.iter().flatten() {
            if other.id() == node.id() {
                continue;
            }
            let first = node.snapshot().last_index.max(other.snapshot().last_index) + 1;
            let last = node.last_index().min(other.last_index());
            let mut differed = false;
            for index in first..=last {
                let (mine, theirs) = (node.entry(index), other.entry(index));
                let same_term = mine.map(|e| e.term) == theirs.map(|e| e.term);
                if same_term && (differed || mine != theirs) {
                    broken.push((other.id(), index));
                    break;
                }
                differed |= !same_term;
            }
        }
        for (other, index) in broken {
            let detail = format!(
                "{} and {} agree on the term at index {index} but not before",
                server(node.id()),
                server(other)
            );
            self.violation(at, "log matching", detail);
        }
    }
}
