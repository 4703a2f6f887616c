//! Raft as a model for the bounded exhaustive explorer of [`crate::check`]: every order of
//! elections, client writes and log copies on a small cluster, so that the paper's Figure 8 is
//! found as a shortest run instead of being scripted.
//!
//! Each action is a whole exchange run on the real [`RaftNode`]s: an election (a timeout, the
//! RequestVotes to every other server, and the answers of the chosen voters back), a write at a
//! leader, or one leader bringing one follower's log in line with its own (AppendEntries and
//! answers, back and forth until they stop). Messages not part of the exchange are lost. This
//! is coarser than delivering single messages in every order, and it is what keeps the state
//! space small enough to search to the depth Figure 8 needs; every interleaving of these
//! exchanges is still tried.

use std::collections::BTreeMap;

use super::log::{Command, Entry, LogIndex, Operation, Term};
use super::node::{CommitRule, Config, Input, Message, RaftNode, Role};
use crate::check::{Bounds, Exploration, Invariant, Model, StepView, explore};
use crate::sim::{NodeId, SimError};

/// A small Raft cluster for the explorer: `servers` servers under a commit rule, at most
/// `writes` client writes, terms up to `max_term`, with the leader's no-op turned off (as in
/// the paper's Figure 8) and one entry per AppendEntries.
///
/// # Examples
///
/// ```
/// use lessons::raft::{CommitRule, RaftModel};
///
/// let model = RaftModel::new(3, CommitRule::CountReplicas, 2, 4)?;
/// let found = model.explore(8)?;
/// let violation = found.violation.expect("Figure 8 within eight exchanges");
/// assert_eq!(violation.invariant, "state machine safety");
/// assert_eq!(violation.run.len(), 8);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RaftModel {
    config: Config,
    writes: u32,
    max_term: Term,
}

impl RaftModel {
    /// `servers` servers under `rule`, at most `writes` writes and terms up to `max_term`.
    ///
    /// # Errors
    ///
    /// A cluster size outside 1 to 5 (the state space grows too fast beyond), or a
    /// `max_term` of 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::{CommitRule, RaftModel};
    ///
    /// assert!(RaftModel::new(6, CommitRule::CountReplicas, 1, 3).is_err());
    /// assert!(RaftModel::new(3, CommitRule::CountReplicas, 1, 0).is_err());
    /// ```
    pub fn new(
        servers: usize,
        rule: CommitRule,
        writes: u32,
        max_term: Term,
    ) -> Result<RaftModel, SimError> {
        if !(1..=5).contains(&servers) {
            return Err(SimError::parameter(
                "servers",
                servers,
                "from 1 to 5 for the explorer",
            ));
        }
        if max_term == 0 {
            return Err(SimError::parameter("max_term", max_term, "at least 1"));
        }
        let config = Config::new(servers)?
            .commit_rule(rule)
            .leader_noop(false)
            .max_batch(1)?;
        Ok(RaftModel {
            config,
            writes,
            max_term,
        })
    }

    /// Explores every run of up to `depth` exchanges (compiled with the crate, so a notebook
    /// cell does not build the search unoptimised).
    ///
    /// # Errors
    ///
    /// A depth the explorer refuses (see [`Bounds::depth`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::{CommitRule, RaftModel};
    ///
    /// let model = RaftModel::new(3, CommitRule::CurrentTermOnly, 2, 4)?;
    /// assert!(model.explore(8)?.holds());
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn explore(
        &self,
        depth: usize,
    ) -> Result<Exploration<ClusterState, ClusterAction>, SimError> {
        Ok(explore(self, Bounds::depth(depth)?))
    }

    /// One line for an action of a run, as the notebook numbers them.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::{ClusterAction, CommitRule, RaftModel};
    ///
    /// let model = RaftModel::new(3, CommitRule::CountReplicas, 2, 4)?;
    /// let copy = ClusterAction::Replicate { leader: 0, follower: 2 };
    /// assert_eq!(model.describe(&copy), "S1 copies its log to S3");
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn describe(&self, action: &ClusterAction) -> String {
        let name = |id: NodeId| format!("S{}", id + 1);
        match action {
            ClusterAction::Elect { candidate, voters } => {
                let voters: Vec<String> = voters.iter().map(|&id| name(id)).collect();
                let answers = if voters.is_empty() {
                    "no answer reaches it".to_string()
                } else {
                    format!("answers from {}", voters.join(" and "))
                };
                format!(
                    "{} times out and asks for votes; {answers}",
                    name(*candidate)
                )
            }
            ClusterAction::Write(leader) => format!("a client writes at {}", name(*leader)),
            ClusterAction::Replicate { leader, follower } => {
                format!("{} copies its log to {}", name(*leader), name(*follower))
            }
        }
    }
}

/// One moment of the explored cluster: the servers, the writes made so far, and the first
/// entry any server applied at each index.
///
/// # Examples
///
/// ```
/// use lessons::check::Model;
/// use lessons::raft::{CommitRule, RaftModel};
///
/// let model = RaftModel::new(3, CommitRule::CurrentTermOnly, 1, 2)?;
/// let start = &model.initial_states()[0];
/// assert_eq!(start.nodes().len(), 3);
/// assert!(start.logs().iter().all(|log| log.is_empty()));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClusterState {
    nodes: Vec<RaftNode>,
    writes_made: u32,
    applied: BTreeMap<LogIndex, Entry>,
    conflicting_apply: bool,
}

impl ClusterState {
    /// The servers.
    ///
    /// # Examples
    ///
    /// See [`ClusterState`].
    pub fn nodes(&self) -> &[RaftNode] {
        &self.nodes
    }

    /// Each server's log as the terms of its entries, index 1 first.
    ///
    /// # Examples
    ///
    /// See [`ClusterState`].
    pub fn logs(&self) -> Vec<Vec<Term>> {
        self.nodes
            .iter()
            .map(|node| {
                (1..=node.last_index())
                    .filter_map(|index| node.term_at(index))
                    .collect()
            })
            .collect()
    }

    /// Runs one input on server `id`, keeps what it applied, and returns what it sent.
    fn step(&mut self, id: NodeId, input: Input) -> Vec<(NodeId, Message)> {
        let output = self.nodes[id].step(input);
        for applied in output.applied {
            match self.applied.get(&applied.index) {
                Some(first) if *first != applied.entry => self.conflicting_apply = true,
                Some(_) => {}
                None => {
                    self.applied.insert(applied.index, applied.entry);
                }
            }
        }
        output.messages
    }

    /// Delivers `message` from `from` to `to`, and returns the messages `to` sends back.
    fn deliver(&mut self, from: NodeId, to: NodeId, message: Message) -> Vec<Message> {
        self.step(to, Input::Message { from, message })
            .into_iter()
            .filter(|&(addressee, _)| addressee == from)
            .map(|(_, reply)| reply)
            .collect()
    }
}

/// An exchange the explorer may run next.
///
/// # Examples
///
/// ```
/// use lessons::raft::ClusterAction;
///
/// let action = ClusterAction::Elect { candidate: 0, voters: vec![2] };
/// assert_eq!(format!("{action:?}"), "Elect { candidate: 0, voters: [2] }");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ClusterAction {
    /// `candidate`'s election timer fires; its RequestVotes reach every server (so all of
    /// them see the new term), and the answers of `voters` reach it.
    Elect {
        /// The server whose timer fires.
        candidate: NodeId,
        /// The servers whose answers arrive.
        voters: Vec<NodeId>,
    },
    /// A client's write reaches this leader, which appends it (its AppendEntries are lost).
    Write(NodeId),
    /// The leader sends `follower` AppendEntries and they answer each other until done.
    Replicate {
        /// The sender.
        leader: NodeId,
        /// The receiver.
        follower: NodeId,
    },
}

/// The sets of servers other than `candidate`, each as a sorted list.
fn voter_sets(servers: usize, candidate: NodeId) -> Vec<Vec<NodeId>> {
    let others: Vec<NodeId> = (0..servers).filter(|&id| id != candidate).collect();
    (0..1u32 << others.len())
        .map(|mask| {
            let chosen = others
                .iter()
                .enumerate()
                .filter(|&(bit, _)| mask & (1 << bit) != 0);
            chosen.map(|(_, &id)| id).collect()
        })
        .collect()
}

impl Model for RaftModel {
    type State = ClusterState;
    type Action = ClusterAction;

    fn initial_states(&self) -> Vec<ClusterState> {
        let nodes = (0..self.config.cluster_size)
            .filter_map(|id| RaftNode::new(id, self.config).ok())
            .collect();
        vec![ClusterState {
            nodes,
            writes_made: 0,
            applied: BTreeMap::new(),
            conflicting_apply: false,
        }]
    }

    fn actions(&self, state: &ClusterState, actions: &mut Vec<ClusterAction>) {
        let servers = self.config.cluster_size;
        for node in &state.nodes {
            let id = node.id();
            if node.role() == Role::Leader {
                if state.writes_made < self.writes {
                    actions.push(ClusterAction::Write(id));
                }
                for follower in (0..servers).filter(|&other| other != id) {
                    actions.push(ClusterAction::Replicate {
                        leader: id,
                        follower,
                    });
                }
            } else if node.term() < self.max_term {
                for voters in voter_sets(servers, id) {
                    actions.push(ClusterAction::Elect {
                        candidate: id,
                        voters,
                    });
                }
            }
        }
    }

    fn next_state(&self, state: &ClusterState, action: &ClusterAction) -> Option<ClusterState> {
        let mut next = state.clone();
        match action {
            ClusterAction::Elect { candidate, voters } => {
                for (to, request) in next.step(*candidate, Input::ElectionTimeout) {
                    let answers = next.deliver(*candidate, to, request);
                    if voters.contains(&to) {
                        for answer in answers {
                            // What a new leader sends at once is lost: copies are Replicate steps.
                            next.step(
                                *candidate,
                                Input::Message {
                                    from: to,
                                    message: answer,
                                },
                            );
                        }
                    }
                }
            }
            ClusterAction::Write(leader) => {
                next.writes_made += 1;
                let command = Command {
                    client: 0,
                    sequence: next.writes_made,
                    operation: Operation::Write(u64::from(next.writes_made)),
                };
                next.step(*leader, Input::Request(command));
            }
            ClusterAction::Replicate { leader, follower } => {
                let mut to_follower: Vec<Message> = next
                    .step(*leader, Input::HeartbeatTimeout)
                    .into_iter()
                    .filter(|&(to, _)| to == *follower)
                    .map(|(_, message)| message)
                    .collect();
                // Each round moves at least one entry or one step of back-off: a log of a
                // handful of entries is in line after a few rounds.
                for _ in 0..16 {
                    let Some(message) = to_follower.pop() else {
                        break;
                    };
                    for answer in next.deliver(*leader, *follower, message) {
                        to_follower.extend(next.deliver(*follower, *leader, answer));
                    }
                }
            }
        }
        (next != *state).then_some(next)
    }

    fn invariants(&self) -> Vec<Invariant<RaftModel>> {
        vec![
            Invariant::new("state machine safety", |_, state: &ClusterState| {
                !state.conflicting_apply
            }),
            Invariant::new("election safety", |_, state: &ClusterState| {
                let mut leader_terms: Vec<Term> = state
                    .nodes
                    .iter()
                    .filter(|node| node.role() == Role::Leader)
                    .map(RaftNode::term)
                    .collect();
                let leaders = leader_terms.len();
                leader_terms.sort_unstable();
                leader_terms.dedup();
                leader_terms.len() == leaders
            }),
        ]
    }

    fn node_names(&self) -> Vec<String> {
        (1..=self.config.cluster_size)
            .map(|id| format!("S{id}"))
            .collect()
    }

    fn view(
        &self,
        before: &ClusterState,
        action: &ClusterAction,
        after: &ClusterState,
    ) -> Option<StepView> {
        let log = |id: NodeId| format!("{:?}", after.logs()[id]);
        let view = match action {
            ClusterAction::Elect { candidate, .. } => {
                let node = &after.nodes[*candidate];
                let outcome = if node.role() == Role::Leader {
                    "leads"
                } else {
                    "no majority in"
                };
                StepView::at(*candidate).label(format!("{outcome} term {}", node.term()))
            }
            ClusterAction::Write(leader) => {
                StepView::at(*leader).label(format!("write: log {}", log(*leader)))
            }
            ClusterAction::Replicate { leader, follower } => {
                let committed = after.nodes[*leader].commit_index();
                let newly = if committed > before.nodes[*leader].commit_index() {
                    format!(", S{} commits {committed}", leader + 1)
                } else {
                    String::new()
                };
                StepView::at(*follower).label(format!(
                    "log {} from S{}{newly}",
                    log(*follower),
                    leader + 1
                ))
            }
        };
        Some(view)
    }
}
