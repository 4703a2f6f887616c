//! One Raft server as a pure state machine: one input in, the outputs to act on out.
//!
//! The node never reads a clock, draws a random number or touches a disk. It says "reset my
//! election timer" and the driver picks the random timeout; it says "persist" and the driver
//! writes [`RaftNode::persistent`] before sending anything. That keeps every run repeatable
//! and lets a model checker enumerate the node's states (it is `Clone + Eq + Hash`).

use serde::Serialize;

use super::log::{Command, Entry, LogIndex, PersistentState, Snapshot, Term};
use super::state_machine::{Outcome, Register};
use crate::sim::{NodeId, SimError};

/// The largest cluster a node accepts (votes are kept as bits of a `u64`).
pub const MAX_CLUSTER: usize = 63;

/// When a leader may call an entry committed.
///
/// # Examples
///
/// ```
/// use lessons::raft::CommitRule;
///
/// assert_ne!(CommitRule::CurrentTermOnly, CommitRule::CountReplicas);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum CommitRule {
    /// Raft's rule (paper, section 5.4.2): an entry counts as committed when a majority stores it
    /// *and* it is from the leader's current term; earlier entries commit with it.
    CurrentTermOnly,
    /// The broken shortcut: any entry stored on a majority counts as committed, whatever its
    /// term. The paper's Figure 8 shows such an entry being overwritten.
    CountReplicas,
}

/// A cluster's settings, the same on every node.
///
/// # Examples
///
/// ```
/// use lessons::raft::{CommitRule, Config};
///
/// let config = Config::new(5)?.max_batch(4)?;
/// assert_eq!(config.majority(), 3);
/// assert_eq!(config.commit_rule, CommitRule::CurrentTermOnly);
/// assert!(Config::new(0).is_err());
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Config {
    /// The number of servers, N.
    pub cluster_size: usize,
    /// When a leader calls an entry committed.
    pub commit_rule: CommitRule,
    /// The most entries one AppendEntries carries.
    pub max_batch: usize,
    /// Whether a new leader appends a no-op entry of its term at once (thesis, section 6.4).
    pub leader_noop: bool,
    /// Whether the state machine drops retried commands (client sessions, thesis section 6.3).
    pub sessions: bool,
    /// Take a snapshot once this many applied entries sit in the log (`None`: never).
    pub snapshot_every: Option<u64>,
}

impl Config {
    /// `cluster_size` servers (1 to [`MAX_CLUSTER`]), the correct commit rule, up to 64 entries
    /// per message, a no-op per new leader, client sessions on, no snapshots.
    ///
    /// # Errors
    ///
    /// A cluster size outside 1 to [`MAX_CLUSTER`].
    ///
    /// # Examples
    ///
    /// ```
    /// let error = lessons::raft::Config::new(64).unwrap_err();
    /// assert_eq!(error.to_string(), "cluster size 64 is not allowed; from 1 to 63 servers");
    /// ```
    pub fn new(cluster_size: usize) -> Result<Config, SimError> {
        if cluster_size == 0 || cluster_size > MAX_CLUSTER {
            return Err(SimError::parameter(
                "cluster size",
                cluster_size,
                format!("from 1 to {MAX_CLUSTER} servers"),
            ));
        }
        Ok(Config {
            cluster_size,
            commit_rule: CommitRule::CurrentTermOnly,
            max_batch: 64,
            leader_noop: true,
            sessions: true,
            snapshot_every: None,
        })
    }

    /// The same settings with another commit rule.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::{CommitRule, Config};
    ///
    /// let broken = Config::new(3)?.commit_rule(CommitRule::CountReplicas);
    /// assert_eq!(broken.commit_rule, CommitRule::CountReplicas);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn commit_rule(mut self, rule: CommitRule) -> Config {
        self.commit_rule = rule;
        self
    }

    /// The same settings with at most `entries` entries per AppendEntries (at least 1).
    ///
    /// # Errors
    ///
    /// Zero entries.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(lessons::raft::Config::new(3)?.max_batch(0).is_err());
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn max_batch(mut self, entries: usize) -> Result<Config, SimError> {
        if entries == 0 {
            return Err(SimError::parameter(
                "batch size",
                entries,
                "at least 1 entry per message",
            ));
        }
        self.max_batch = entries;
        Ok(self)
    }

    /// The same settings with or without the new leader's no-op.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!lessons::raft::Config::new(3)?.leader_noop(false).leader_noop);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn leader_noop(mut self, on: bool) -> Config {
        self.leader_noop = on;
        self
    }

    /// The same settings with client sessions on or off.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!lessons::raft::Config::new(3)?.sessions(false).sessions);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn sessions(mut self, on: bool) -> Config {
        self.sessions = on;
        self
    }

    /// The same settings, snapshotting once `entries` applied entries sit in the log.
    ///
    /// # Errors
    ///
    /// Zero entries.
    ///
    /// # Examples
    ///
    /// ```
    /// let config = lessons::raft::Config::new(3)?.snapshot_every(10)?;
    /// assert_eq!(config.snapshot_every, Some(10));
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn snapshot_every(mut self, entries: u64) -> Result<Config, SimError> {
        if entries == 0 {
            return Err(SimError::parameter(
                "snapshot interval",
                entries,
                "at least 1 entry",
            ));
        }
        self.snapshot_every = Some(entries);
        Ok(self)
    }

    /// A majority of the whole cluster, the leader included: `N / 2 + 1`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::Config;
    ///
    /// assert_eq!(Config::new(4)?.majority(), 3);
    /// assert_eq!(Config::new(5)?.majority(), 3);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn majority(&self) -> usize {
        self.cluster_size / 2 + 1
    }
}

/// A server's role (Raft paper, section 5.2).
///
/// # Examples
///
/// ```
/// use lessons::raft::{Config, RaftNode, Role};
///
/// let node = RaftNode::new(0, Config::new(3)?)?;
/// assert_eq!(node.role(), Role::Follower);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Role {
    /// Answers leaders and candidates.
    Follower,
    /// Asking for votes.
    Candidate,
    /// Takes client requests and replicates them.
    Leader,
}

/// A message between servers: the two RPCs of the paper's Figure 2 and their replies, and
/// InstallSnapshot (section 7).
///
/// # Examples
///
/// ```
/// use lessons::raft::Message;
///
/// let ask = Message::RequestVote { term: 2, last_index: 5, last_term: 1 };
/// assert_eq!(ask.term(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Message {
    /// A candidate asks for a vote, saying how up to date its log is.
    RequestVote {
        /// The candidate's term.
        term: Term,
        /// The index of its last entry.
        last_index: LogIndex,
        /// The term of its last entry.
        last_term: Term,
    },
    /// The answer to a RequestVote.
    Vote {
        /// The voter's term.
        term: Term,
        /// Whether it voted for the candidate.
        granted: bool,
    },
    /// The leader's entries (empty: a heartbeat), anchored at `prev_index`.
    AppendEntries {
        /// The leader's term.
        term: Term,
        /// The index just before the first entry.
        prev_index: LogIndex,
        /// The term of the entry at `prev_index`: the consistency check.
        prev_term: Term,
        /// The entries to store after `prev_index`.
        entries: Vec<Entry>,
        /// The leader's commit index.
        leader_commit: LogIndex,
    },
    /// The answer to AppendEntries or InstallSnapshot.
    AppendReply {
        /// The follower's term.
        term: Term,
        /// Whether the entries were stored.
        success: bool,
        /// On success, the last index now known to match the leader's log; on failure, the
        /// highest index that could still match (the follower's last index when it is short).
        match_index: LogIndex,
    },
    /// The leader's snapshot, for a follower that needs entries the leader has compacted.
    InstallSnapshot {
        /// The leader's term.
        term: Term,
        /// The snapshot.
        snapshot: Snapshot,
    },
}

impl Message {
    /// The sender's term, which every Raft message carries.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::Message;
    ///
    /// assert_eq!(Message::Vote { term: 4, granted: true }.term(), 4);
    /// ```
    pub fn term(&self) -> Term {
        match self {
            Message::RequestVote { term, .. }
            | Message::Vote { term, .. }
            | Message::AppendEntries { term, .. }
            | Message::AppendReply { term, .. }
            | Message::InstallSnapshot { term, .. } => *term,
        }
    }
}

/// One thing that happens to a node: the argument of [`RaftNode::step`].
///
/// # Examples
///
/// ```
/// use lessons::raft::{Config, Input, RaftNode, Role};
///
/// let mut node = RaftNode::new(0, Config::new(1)?)?;
/// node.step(Input::ElectionTimeout);
/// assert_eq!(node.role(), Role::Leader); // a cluster of one elects itself
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Input {
    /// A message from another server.
    Message {
        /// The sender.
        from: NodeId,
        /// The message.
        message: Message,
    },
    /// The election timer went off: start an election unless leader.
    ElectionTimeout,
    /// The heartbeat timer went off: a leader sends AppendEntries to every follower.
    HeartbeatTimeout,
    /// A client's command.
    Request(Command),
    /// The node crashed and came back: everything but the persistent state is gone.
    Restart,
}

/// A client's answer.
///
/// # Examples
///
/// ```
/// use lessons::raft::{Outcome, Reply};
///
/// let reply = Reply { client: 1, sequence: 2, outcome: Outcome::Written };
/// assert_eq!(reply.sequence, 2);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Reply {
    /// The client it goes to.
    pub client: u32,
    /// The request it answers.
    pub sequence: u32,
    /// The answer.
    pub outcome: Outcome,
}

/// An entry the node applied to its state machine.
///
/// # Examples
///
/// ```
/// use lessons::raft::{Applied, Entry};
///
/// let applied = Applied { index: 1, entry: Entry { term: 1, command: None }, duplicate: false };
/// assert_eq!(applied.index, 1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Applied {
    /// Its log index.
    pub index: LogIndex,
    /// The entry.
    pub entry: Entry,
    /// Whether its command was a retry already applied once.
    pub duplicate: bool,
}

/// What a step asks the driver to do, in this order: persist, then send, set timers, answer.
///
/// # Examples
///
/// ```
/// use lessons::raft::{Config, Input, RaftNode};
///
/// let mut node = RaftNode::new(0, Config::new(3)?)?;
/// let output = node.step(Input::ElectionTimeout);
/// assert!(output.persist); // the new term and the vote for itself
/// assert_eq!(output.messages.len(), 2); // RequestVote to both peers
/// assert!(output.reset_election_timer);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Output {
    /// The persistent state changed: write it before sending anything.
    pub persist: bool,
    /// Messages to send, with their destinations.
    pub messages: Vec<(NodeId, Message)>,
    /// Restart the election timer with a fresh random timeout.
    pub reset_election_timer: bool,
    /// Start the heartbeat timer (the node just became leader, or its heartbeat went off).
    pub start_heartbeat_timer: bool,
    /// Answers to clients.
    pub replies: Vec<Reply>,
    /// Entries applied to the state machine, in log order.
    pub applied: Vec<Applied>,
    /// Entries this node removed from its log because a leader's log disagreed.
    pub overwritten: u64,
}

/// One Raft server: persistent state (term, vote, log, snapshot) and volatile state (role,
/// commit index, the register, a leader's view of each follower).
///
/// # Examples
///
/// A cluster of three, messages delivered by hand: node 0 times out, collects a vote from
/// node 1, and leads term 1.
///
/// ```
/// use lessons::raft::{Config, Input, RaftNode, Role};
///
/// let config = Config::new(3)?;
/// let mut nodes: Vec<RaftNode> = (0..3).map(|id| RaftNode::new(id, config)).collect::<Result<_, _>>()?;
/// let ask = nodes[0].step(Input::ElectionTimeout).messages;
/// let (to, request) = ask[0].clone();
/// let answer = nodes[to].step(Input::Message { from: 0, message: request }).messages;
/// nodes[0].step(Input::Message { from: to, message: answer[0].1.clone() });
/// assert_eq!((nodes[0].role(), nodes[0].term()), (Role::Leader, 1));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RaftNode {
    id: NodeId,
    config: Config,
    term: Term,
    voted_for: Option<NodeId>,
    log: Vec<Entry>,
    snapshot: Snapshot,
    role: Role,
    leader: Option<NodeId>,
    votes: u64,
    commit_index: LogIndex,
    last_applied: LogIndex,
    state: Register,
    next_index: Vec<LogIndex>,
    match_index: Vec<LogIndex>,
}

impl RaftNode {
    /// A fresh server `id` (0 to N - 1) with an empty log.
    ///
    /// # Errors
    ///
    /// An id outside the cluster.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::{Config, RaftNode};
    ///
    /// assert!(RaftNode::new(3, Config::new(3)?).is_err());
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn new(id: NodeId, config: Config) -> Result<RaftNode, SimError> {
        RaftNode::recover(id, config, PersistentState::default())
    }

    /// Server `id` restarted from what it had persisted: its term, vote, log and snapshot
    /// survive; it comes back as a follower that knows nothing committed beyond the snapshot.
    ///
    /// # Errors
    ///
    /// An id outside the cluster.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::{Config, Input, RaftNode};
    ///
    /// let mut node = RaftNode::new(1, Config::new(3)?)?;
    /// node.step(Input::ElectionTimeout);
    /// let back = RaftNode::recover(1, Config::new(3)?, node.persistent())?;
    /// assert_eq!((back.term(), back.voted_for()), (1, Some(1)));
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn recover(
        id: NodeId,
        config: Config,
        persistent: PersistentState,
    ) -> Result<RaftNode, SimError> {
        if id >= config.cluster_size {
            return Err(SimError::parameter(
                "node id",
                id,
                format!("from 0 to {}", config.cluster_size - 1),
            ));
        }
        let PersistentState {
            term,
            voted_for,
            log,
            snapshot,
        } = persistent;
        Ok(RaftNode {
            id,
            config,
            term,
            voted_for,
            log,
            commit_index: snapshot.last_index,
            last_applied: snapshot.last_index,
            state: snapshot.state.clone(),
            snapshot,
            role: Role::Follower,
            leader: None,
            votes: 0,
            next_index: Vec::new(),
            match_index: Vec::new(),
        })
    }

    /// What must survive a crash, to be written when a step says [`Output::persist`].
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::{Config, RaftNode};
    ///
    /// assert_eq!(RaftNode::new(0, Config::new(3)?)?.persistent().term, 0);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn persistent(&self) -> PersistentState {
        PersistentState {
            term: self.term,
            voted_for: self.voted_for,
            log: self.log.clone(),
            snapshot: self.snapshot.clone(),
        }
    }

    /// This server's id.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::{Config, RaftNode};
    ///
    /// assert_eq!(RaftNode::new(2, Config::new(3)?)?.id(), 2);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn id(&self) -> NodeId {
        self.id
    }

    /// The cluster's settings.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::{Config, RaftNode};
    ///
    /// assert_eq!(RaftNode::new(0, Config::new(5)?)?.config().cluster_size, 5);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The current term.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::{Config, RaftNode};
    ///
    /// assert_eq!(RaftNode::new(0, Config::new(3)?)?.term(), 0);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn term(&self) -> Term {
        self.term
    }

    /// The candidate this node voted for in the current term.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::{Config, RaftNode};
    ///
    /// assert_eq!(RaftNode::new(0, Config::new(3)?)?.voted_for(), None);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn voted_for(&self) -> Option<NodeId> {
        self.voted_for
    }

    /// The current role.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::{Config, RaftNode, Role};
    ///
    /// assert_eq!(RaftNode::new(0, Config::new(3)?)?.role(), Role::Follower);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn role(&self) -> Role {
        self.role
    }

    /// The leader this node last heard from in its current term (itself, when leading).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::{Config, RaftNode};
    ///
    /// assert_eq!(RaftNode::new(0, Config::new(3)?)?.leader(), None);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn leader(&self) -> Option<NodeId> {
        self.leader
    }

    /// The highest index this node knows to be committed.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::{Config, RaftNode};
    ///
    /// assert_eq!(RaftNode::new(0, Config::new(3)?)?.commit_index(), 0);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn commit_index(&self) -> LogIndex {
        self.commit_index
    }

    /// The highest index applied to the state machine.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::{Config, RaftNode};
    ///
    /// assert_eq!(RaftNode::new(0, Config::new(3)?)?.last_applied(), 0);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn last_applied(&self) -> LogIndex {
        self.last_applied
    }

    /// The state machine as of [`last_applied`](Self::last_applied).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::{Config, RaftNode};
    ///
    /// assert_eq!(RaftNode::new(0, Config::new(3)?)?.register().value(), None);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn register(&self) -> &Register {
        &self.state
    }

    /// The snapshot that replaces the start of the log.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::{Config, RaftNode};
    ///
    /// assert_eq!(RaftNode::new(0, Config::new(3)?)?.snapshot().last_index, 0);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn snapshot(&self) -> &Snapshot {
        &self.snapshot
    }

    /// The entries after the snapshot, the first at index `snapshot().last_index + 1`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::{Config, RaftNode};
    ///
    /// assert!(RaftNode::new(0, Config::new(3)?)?.entries().is_empty());
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn entries(&self) -> &[Entry] {
        &self.log
    }

    /// The index of the last entry (the snapshot's when the log after it is empty).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::{Config, RaftNode};
    ///
    /// assert_eq!(RaftNode::new(0, Config::new(3)?)?.last_index(), 0);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn last_index(&self) -> LogIndex {
        self.snapshot.last_index + self.log.len() as LogIndex
    }

    /// The term of the entry at `index`: `None` past the end or inside the snapshot (except at
    /// its last index, whose term the snapshot keeps).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::{Config, RaftNode};
    ///
    /// let node = RaftNode::new(0, Config::new(3)?)?;
    /// assert_eq!((node.term_at(0), node.term_at(1)), (Some(0), None));
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn term_at(&self, index: LogIndex) -> Option<Term> {
        if index == self.snapshot.last_index {
            return Some(self.snapshot.last_term);
        }
        self.entry(index).map(|entry| entry.term)
    }

    /// The entry at `index`, if the log holds it (not compacted, not past the end).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::{Config, RaftNode};
    ///
    /// assert_eq!(RaftNode::new(0, Config::new(3)?)?.entry(1), None);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn entry(&self, index: LogIndex) -> Option<&Entry> {
        let offset = index.checked_sub(self.snapshot.last_index + 1)?;
        self.log.get(usize::try_from(offset).ok()?)
    }

    /// Handles one input and returns what the driver must do.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::{Command, Config, Input, Operation, Outcome, RaftNode};
    ///
    /// let mut follower = RaftNode::new(1, Config::new(3)?)?;
    /// let write = Command { client: 7, sequence: 1, operation: Operation::Write(3) };
    /// let output = follower.step(Input::Request(write));
    /// assert_eq!(output.replies[0].outcome, Outcome::NotLeader { leader: None });
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn step(&mut self, input: Input) -> Output {
        let mut out = Output::default();
        match input {
            Input::Message { from, message } if from < self.config.cluster_size => {
                self.receive(from, message, &mut out)
            }
            Input::Message { .. } => {}
            Input::ElectionTimeout => self.start_election(&mut out),
            Input::HeartbeatTimeout => {
                if self.role == Role::Leader {
                    self.replicate_to_all(&mut out);
                    out.start_heartbeat_timer = true;
                }
            }
            Input::Request(command) => self.request(command, &mut out),
            Input::Restart => {
                let persistent = self.persistent();
                if let Ok(back) = RaftNode::recover(self.id, self.config, persistent) {
                    *self = back;
                }
                out.reset_election_timer = true;
            }
        }
        out
    }

    fn receive(&mut self, from: NodeId, message: Message, out: &mut Output) {
        if message.term() > self.term {
            self.become_follower(message.term(), out);
        }
        match message {
            Message::RequestVote {
                term,
                last_index,
                last_term,
            } => self.vote(from, term, last_index, last_term, out),
            Message::Vote { term, granted } => self.count_vote(from, term, granted, out),
            Message::AppendEntries {
                term,
                prev_index,
                prev_term,
                entries,
                leader_commit,
            } => self.append(
                from,
                term,
                prev_index,
                prev_term,
                entries,
                leader_commit,
                out,
            ),
            Message::AppendReply {
                term,
                success,
                match_index,
            } => self.handle_reply(from, term, success, match_index, out),
            Message::InstallSnapshot { term, snapshot } => self.install(from, term, snapshot, out),
        }
    }

    /// Moves to `term` as a follower, forgetting any vote from an older term.
    fn become_follower(&mut self, term: Term, out: &mut Output) {
        if term > self.term {
            self.term = term;
            self.voted_for = None;
            self.leader = None;
            out.persist = true;
        }
        if self.role != Role::Follower {
            self.role = Role::Follower;
            out.reset_election_timer = true;
        }
    }

    fn start_election(&mut self, out: &mut Output) {
        if self.role == Role::Leader {
            return;
        }
        self.term += 1;
        self.role = Role::Candidate;
        self.voted_for = Some(self.id);
        self.votes = 1 << self.id;
        self.leader = None;
        out.persist = true;
        out.reset_election_timer = true;
        if self.has_majority(self.votes) {
            self.become_leader(out);
            return;
        }
        let ask = Message::RequestVote {
            term: self.term,
            last_index: self.last_index(),
            last_term: self.last_term(),
        };
        for peer in self.peers() {
            out.messages.push((peer, ask.clone()));
        }
    }

    fn last_term(&self) -> Term {
        self.term_at(self.last_index()).unwrap_or(0)
    }

    fn peers(&self) -> impl Iterator<Item = NodeId> + use<> {
        let me = self.id;
        (0..self.config.cluster_size).filter(move |&peer| peer != me)
    }

    fn has_majority(&self, votes: u64) -> bool {
        votes.count_ones() as usize >= self.config.majority()
    }

    /// Grants a vote at most once per term, and only to a candidate whose log is at least as up
    /// to date as this one (paper, section 5.4.1).
    fn vote(
        &mut self,
        candidate: NodeId,
        term: Term,
        last_index: LogIndex,
        last_term: Term,
        out: &mut Output,
    ) {
        let free = self.voted_for.is_none_or(|voted| voted == candidate);
        let up_to_date = (last_term, last_index) >= (self.last_term(), self.last_index());
        let granted = term == self.term && free && up_to_date;
        if granted && self.voted_for.is_none() {
            self.voted_for = Some(candidate);
            out.persist = true;
        }
        if granted {
            out.reset_election_timer = true;
        }
        out.messages.push((
            candidate,
            Message::Vote {
                term: self.term,
                granted,
            },
        ));
    }

    fn count_vote(&mut self, voter: NodeId, term: Term, granted: bool, out: &mut Output) {
        if self.role != Role::Candidate || term != self.term || !granted {
            return;
        }
        self.votes |= 1 << voter;
        if self.has_majority(self.votes) {
            self.become_leader(out);
        }
    }

    fn become_leader(&mut self, out: &mut Output) {
        self.role = Role::Leader;
        self.leader = Some(self.id);
        // Followers are assumed to hold what the leader held when elected (paper, Figure 2),
        // so the no-op goes out with the first AppendEntries.
        let next = self.last_index() + 1;
        if self.config.leader_noop {
            self.log.push(Entry {
                term: self.term,
                command: None,
            });
            out.persist = true;
        }
        self.next_index = vec![next; self.config.cluster_size];
        self.match_index = vec![0; self.config.cluster_size];
        self.match_index[self.id] = self.last_index();
        out.start_heartbeat_timer = true;
        self.replicate_to_all(out);
        self.advance_commit(out);
    }

    fn replicate_to_all(&mut self, out: &mut Output) {
        for peer in self.peers() {
            self.replicate_to(peer, out);
        }
    }

    /// Sends `peer` the entries from its next index (or the snapshot, if those are compacted).
    fn replicate_to(&self, peer: NodeId, out: &mut Output) {
        let next = self.next_index[peer];
        if next <= self.snapshot.last_index {
            let snapshot = self.snapshot.clone();
            let term = self.term;
            out.messages
                .push((peer, Message::InstallSnapshot { term, snapshot }));
            return;
        }
        let prev_index = next - 1;
        let start = (prev_index - self.snapshot.last_index) as usize;
        let end = (start + self.config.max_batch).min(self.log.len());
        out.messages.push((
            peer,
            Message::AppendEntries {
                term: self.term,
                prev_index,
                prev_term: self.term_at(prev_index).unwrap_or(0),
                entries: self.log[start..end].to_vec(),
                leader_commit: self.commit_index,
            },
        ));
    }

    #[allow(clippy::too_many_arguments)]
    fn append(
        &mut self,
        leader: NodeId,
        term: Term,
        prev_index: LogIndex,
        prev_term: Term,
        entries: Vec<Entry>,
        leader_commit: LogIndex,
        out: &mut Output,
    ) {
        let reply = |term, success, match_index| Message::AppendReply {
            term,
            success,
            match_index,
        };
        if term < self.term {
            out.messages.push((leader, reply(self.term, false, 0)));
            return;
        }
        self.become_follower(term, out);
        self.leader = Some(leader);
        out.reset_election_timer = true;
        // The consistency check (paper, section 5.3). An anchor inside the snapshot is
        // committed, so it matches the leader's log.
        let anchored =
            prev_index < self.snapshot.last_index || self.term_at(prev_index) == Some(prev_term);
        if !anchored {
            let hint = prev_index.saturating_sub(1).min(self.last_index());
            out.messages.push((leader, reply(self.term, false, hint)));
            return;
        }
        for (offset, entry) in entries.iter().enumerate() {
            let index = prev_index + 1 + offset as LogIndex;
            if index <= self.snapshot.last_index {
                continue;
            }
            match self.term_at(index) {
                Some(existing) if existing == entry.term => continue,
                Some(_) => {
                    let keep = (index - 1 - self.snapshot.last_index) as usize;
                    out.overwritten += (self.log.len() - keep) as u64;
                    self.log.truncate(keep);
                }
                None => {}
            }
            self.log.push(*entry);
            out.persist = true;
        }
        let last_new = prev_index + entries.len() as LogIndex;
        if leader_commit > self.commit_index {
            self.commit_index = self.commit_index.max(leader_commit.min(last_new));
            self.apply_committed(out);
        }
        let matched = last_new.max(self.snapshot.last_index);
        out.messages.push((leader, reply(self.term, true, matched)));
    }

    fn handle_reply(
        &mut self,
        follower: NodeId,
        term: Term,
        success: bool,
        match_index: LogIndex,
        out: &mut Output,
    ) {
        if self.role != Role::Leader || term != self.term {
            return;
        }
        if success {
            let matched = match_index.min(self.last_index());
            self.match_index[follower] = self.match_index[follower].max(matched);
            self.next_index[follower] = self.next_index[follower].max(matched + 1);
            self.advance_commit(out);
            if self.next_index[follower] <= self.last_index() {
                self.replicate_to(follower, out);
            }
        } else {
            // Back off one entry at a time, or straight to the follower's end when it is
            // shorter; never below what the follower is known to hold.
            let back = (self.next_index[follower] - 1).min(match_index + 1);
            self.next_index[follower] = back.max(self.match_index[follower] + 1).max(1);
            self.replicate_to(follower, out);
        }
    }

    /// The commit rule: the highest index stored on a majority (the leader counted), and under
    /// [`CommitRule::CurrentTermOnly`] only if that entry is from the current term.
    fn advance_commit(&mut self, out: &mut Output) {
        for index in (self.commit_index + 1..=self.last_index()).rev() {
            let stored = self
                .match_index
                .iter()
                .filter(|&&matched| matched >= index)
                .count();
            let countable = match self.config.commit_rule {
                CommitRule::CurrentTermOnly => self.term_at(index) == Some(self.term),
                CommitRule::CountReplicas => true,
            };
            if stored >= self.config.majority() && countable {
                self.commit_index = index;
                self.apply_committed(out);
                return;
            }
        }
    }

    fn apply_committed(&mut self, out: &mut Output) {
        while self.last_applied < self.commit_index {
            let index = self.last_applied + 1;
            let Some(&entry) = self.entry(index) else {
                return;
            };
            self.last_applied = index;
            let mut duplicate = false;
            if let Some(command) = entry.command {
                let (outcome, seen) = self.state.apply(&command, self.config.sessions);
                duplicate = seen;
                if self.role == Role::Leader {
                    out.replies.push(Reply {
                        client: command.client,
                        sequence: command.sequence,
                        outcome,
                    });
                }
            }
            out.applied.push(Applied {
                index,
                entry,
                duplicate,
            });
        }
        self.compact(out);
    }

    /// Replaces the applied prefix by a snapshot once it is long enough (paper, section 7).
    fn compact(&mut self, out: &mut Output) {
        let Some(every) = self.config.snapshot_every else {
            return;
        };
        if self.last_applied - self.snapshot.last_index < every {
            return;
        }
        let last_term = self.term_at(self.last_applied).unwrap_or(0);
        let drop = (self.last_applied - self.snapshot.last_index) as usize;
        self.log.drain(..drop);
        self.snapshot = Snapshot {
            last_index: self.last_applied,
            last_term,
            state: self.state.clone(),
        };
        out.persist = true;
    }

    fn install(&mut self, leader: NodeId, term: Term, snapshot: Snapshot, out: &mut Output) {
        if term < self.term {
            let reply = Message::AppendReply {
                term: self.term,
                success: false,
                match_index: 0,
            };
            out.messages.push((leader, reply));
            return;
        }
        self.become_follower(term, out);
        self.leader = Some(leader);
        out.reset_election_timer = true;
        let last = snapshot.last_index;
        if last > self.commit_index {
            // Keep the entries after the snapshot only if the log agrees at its boundary.
            if self.term_at(last) == Some(snapshot.last_term) {
                let drop = (last - self.snapshot.last_index) as usize;
                self.log.drain(..drop);
            } else {
                out.overwritten += self.log.len() as u64;
                self.log.clear();
            }
            self.state = snapshot.state.clone();
            self.snapshot = snapshot;
            self.commit_index = last;
            self.last_applied = last;
            out.persist = true;
        }
        let reply = Message::AppendReply {
            term: self.term,
            success: true,
            match_index: last,
        };
        out.messages.push((leader, reply));
    }

    fn request(&mut self, command: Command, out: &mut Output) {
        if self.role != Role::Leader {
            let outcome = Outcome::NotLeader {
                leader: self.leader,
            };
            out.replies.push(Reply {
                client: command.client,
                sequence: command.sequence,
                outcome,
            });
            return;
        }
        if self.config.sessions
            && let Some(outcome) = self.state.answered(&command)
        {
            out.replies.push(Reply {
                client: command.client,
                sequence: command.sequence,
                outcome,
            });
            return;
        }
        self.log.push(Entry {
            term: self.term,
            command: Some(command),
        });
        out.persist = true;
        self.match_index[self.id] = self.last_index();
        self.replicate_to_all(out);
        self.advance_commit(out);
    }
}
