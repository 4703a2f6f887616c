//! A network you drive by hand, for scripted scenarios: you say which node times out, which
//! messages are delivered and who crashes. The paper's Figure 8 is written with it.

use serde::Serialize;

use super::log::{Command, Operation};
use super::monitor::{SafetyMonitor, Violation};
use super::node::{CommitRule, Config, Input, Message, RaftNode, Role};
use crate::sim::{NodeId, SimError, Time, ms};
use crate::table::Table;

/// Raft nodes whose messages wait in a queue until the script delivers them. Each action is
/// one tick of the monitor's clock (1 ms per action), so violations carry the step they
/// happened at.
///
/// # Examples
///
/// ```
/// use lessons::raft::{Config, HandNetwork, Role};
///
/// let mut network = HandNetwork::new(Config::new(3)?)?;
/// network.timeout(0);
/// network.exchange(&[0, 1, 2]);
/// assert_eq!(network.node(0).unwrap().role(), Role::Leader);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone)]
pub struct HandNetwork {
    nodes: Vec<RaftNode>,
    up: Vec<bool>,
    queue: Vec<(NodeId, NodeId, Message)>,
    monitor: SafetyMonitor,
    clock: Time,
    delivered: usize,
}

impl HandNetwork {
    /// A fresh cluster, every node up, nothing in flight.
    ///
    /// # Errors
    ///
    /// None for a valid config.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::{Config, HandNetwork};
    ///
    /// assert!(HandNetwork::new(Config::new(5)?)?.node(4).is_some());
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn new(config: Config) -> Result<HandNetwork, SimError> {
        let nodes = (0..config.cluster_size)
            .map(|id| RaftNode::new(id, config))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(HandNetwork {
            up: vec![true; nodes.len()],
            monitor: SafetyMonitor::new(nodes.len()),
            nodes,
            queue: Vec::new(),
            clock: Time::ZERO,
            delivered: 0,
        })
    }

    /// Node `id`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::{Config, HandNetwork};
    ///
    /// assert!(HandNetwork::new(Config::new(3)?)?.node(3).is_none());
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn node(&self, id: NodeId) -> Option<&RaftNode> {
        self.nodes.get(id)
    }

    /// The monitor that watched every step.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::{Config, HandNetwork};
    ///
    /// assert!(HandNetwork::new(Config::new(3)?)?.monitor().violations().is_empty());
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn monitor(&self) -> &SafetyMonitor {
        &self.monitor
    }

    fn step(&mut self, id: NodeId, input: Input) {
        if id >= self.nodes.len() || !self.up[id] {
            return;
        }
        self.clock += ms(1);
        let output = self.nodes[id].step(input);
        self.monitor.observe(self.clock, &self.nodes[id], &output);
        for (to, message) in output.messages {
            self.queue.push((id, to, message));
        }
    }

    /// Node `id`'s election timer goes off.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::{Config, HandNetwork, Role};
    ///
    /// let mut network = HandNetwork::new(Config::new(3)?)?;
    /// network.timeout(1);
    /// assert_eq!(network.node(1).unwrap().role(), Role::Candidate);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn timeout(&mut self, id: NodeId) {
        self.step(id, Input::ElectionTimeout);
    }

    /// Node `id`'s heartbeat timer goes off.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::{Config, HandNetwork};
    ///
    /// let mut network = HandNetwork::new(Config::new(3)?)?;
    /// network.heartbeat(0); // not a leader: nothing happens
    /// assert!(network.monitor().violations().is_empty());
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn heartbeat(&mut self, id: NodeId) {
        self.step(id, Input::HeartbeatTimeout);
    }

    /// A client asks node `id` to write `value`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::{Config, HandNetwork};
    ///
    /// let mut network = HandNetwork::new(Config::new(1)?)?;
    /// network.timeout(0);
    /// network.write(0, 5);
    /// assert_eq!(network.node(0).unwrap().register().value(), Some(5));
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn write(&mut self, id: NodeId, value: u64) {
        let command = Command {
            client: 100,
            sequence: value as u32,
            operation: Operation::Write(value),
        };
        self.step(id, Input::Request(command));
    }

    /// Node `id` crashes: its messages in flight are lost and it ignores everything until
    /// [`restart`](Self::restart).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::{Config, HandNetwork, Role};
    ///
    /// let mut network = HandNetwork::new(Config::new(3)?)?;
    /// network.crash(0);
    /// network.timeout(0);
    /// assert_eq!(network.node(0).unwrap().role(), Role::Follower);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn crash(&mut self, id: NodeId) {
        if let Some(up) = self.up.get_mut(id) {
            *up = false;
        }
        self.queue.retain(|&(from, to, _)| from != id && to != id);
    }

    /// Node `id` comes back with only its persistent state.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::{Config, HandNetwork};
    ///
    /// let mut network = HandNetwork::new(Config::new(3)?)?;
    /// network.timeout(0);
    /// network.crash(0);
    /// network.restart(0);
    /// assert_eq!(network.node(0).unwrap().term(), 1);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn restart(&mut self, id: NodeId) {
        if id < self.up.len() && !self.up[id] {
            self.up[id] = true;
            self.monitor.restarted(id);
            self.step(id, Input::Restart);
        }
    }

    /// Delivers messages among `group` (both ends in it), and the answers they cause, until
    /// none is left; messages to or from nodes outside stay queued.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::{Config, HandNetwork, Role};
    ///
    /// let mut network = HandNetwork::new(Config::new(5)?)?;
    /// network.timeout(0);
    /// network.exchange(&[0, 1]); // one vote is not a majority of 5
    /// assert_eq!(network.node(0).unwrap().role(), Role::Candidate);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn exchange(&mut self, group: &[NodeId]) {
        while let Some(position) = self
            .queue
            .iter()
            .position(|(from, to, _)| group.contains(from) && group.contains(to))
        {
            let (from, to, message) = self.queue.remove(position);
            self.delivered += 1;
            self.step(to, Input::Message { from, message });
        }
    }

    /// Messages waiting to be delivered.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::{Config, HandNetwork};
    ///
    /// let mut network = HandNetwork::new(Config::new(3)?)?;
    /// network.timeout(0);
    /// assert_eq!(network.in_flight(), 2);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn in_flight(&self) -> usize {
        self.queue.len()
    }

    /// Delivers the message at `position` in the queue (any order: the network reorders), if
    /// there is one.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::{Config, HandNetwork};
    ///
    /// let mut network = HandNetwork::new(Config::new(3)?)?;
    /// network.timeout(0);
    /// network.deliver(1);
    /// assert_eq!(network.in_flight(), 2); // one RequestVote left, one vote coming back
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn deliver(&mut self, position: usize) {
        if position < self.queue.len() {
            let (from, to, message) = self.queue.remove(position);
            self.delivered += 1;
            self.step(to, Input::Message { from, message });
        }
    }

    /// Delivers a copy of the message at `position` and leaves it queued: a duplicate.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::{Config, HandNetwork};
    ///
    /// let mut network = HandNetwork::new(Config::new(3)?)?;
    /// network.timeout(0);
    /// network.duplicate(0);
    /// assert_eq!(network.in_flight(), 3);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn duplicate(&mut self, position: usize) {
        if let Some((from, to, message)) = self.queue.get(position).cloned() {
            self.delivered += 1;
            self.step(to, Input::Message { from, message });
        }
    }

    /// Loses the message at `position`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::{Config, HandNetwork};
    ///
    /// let mut network = HandNetwork::new(Config::new(3)?)?;
    /// network.timeout(0);
    /// network.lose(0);
    /// assert_eq!(network.in_flight(), 1);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn lose(&mut self, position: usize) {
        if position < self.queue.len() {
            self.queue.remove(position);
        }
    }

    /// How many messages have been delivered so far (by `exchange`, `deliver`, `duplicate`).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::{Config, HandNetwork};
    ///
    /// let mut network = HandNetwork::new(Config::new(3)?)?;
    /// network.timeout(0);
    /// network.exchange(&[0, 1, 2]);
    /// // two RequestVotes, two votes, the leader's no-op to both, two answers, then the
    /// // commit index on the next round is not sent until a heartbeat
    /// assert_eq!(network.delivered(), 8);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn delivered(&self) -> usize {
        self.delivered
    }

    /// Drops every message in flight.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::{Config, HandNetwork, Role};
    ///
    /// let mut network = HandNetwork::new(Config::new(3)?)?;
    /// network.timeout(0);
    /// network.drop_in_flight();
    /// network.exchange(&[0, 1, 2]);
    /// assert_eq!(network.node(0).unwrap().role(), Role::Candidate);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn drop_in_flight(&mut self) {
        self.queue.clear();
    }

    /// Each node's log as text (`index:term`, the committed part marked with `|`), and `down`
    /// for a crashed node.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::{Config, HandNetwork};
    ///
    /// let mut network = HandNetwork::new(Config::new(1)?.leader_noop(false))?;
    /// network.timeout(0);
    /// network.write(0, 9);
    /// assert_eq!(network.logs(), ["1:t1 |"]);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn logs(&self) -> Vec<String> {
        self.nodes
            .iter()
            .zip(&self.up)
            .map(|(node, &up)| {
                if !up {
                    return "down".to_string();
                }
                let mut text = Vec::new();
                for index in 1..=node.last_index() {
                    if let Some(term) = node.term_at(index) {
                        text.push(format!("{index}:t{term}"));
                    }
                    if index == node.commit_index() {
                        text.push("|".to_string());
                    }
                }
                text.join(" ")
            })
            .collect()
    }
}

/// One step of a scripted scenario: what happened, and every node's log afterwards.
///
/// # Examples
///
/// ```
/// use lessons::raft::ScriptStep;
///
/// let step = ScriptStep { step: "start".into(), logs: vec!["".into()], violations: 0 };
/// assert_eq!(step.violations, 0);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScriptStep {
    /// What the script did.
    pub step: String,
    /// Each node's log after it ([`HandNetwork::logs`]).
    pub logs: Vec<String>,
    /// Safety violations seen so far.
    pub violations: usize,
}

/// The Raft paper's Figure 8 on five servers S1..S5 (ids 0..4), one entry per AppendEntries
/// and no leader no-op, as in the paper:
///
/// 1. S1 leads term 1; entry 1 commits everywhere; S1 appends entry 2 and gets it to S2 only.
/// 2. S1 crashes; S5 wins term 2 with votes from S3 and S4 and appends its own entry 2.
/// 3. S5 crashes; S1 restarts, wins term 3 (S2, S3) and copies its term-1 entry 2 to S3: it is
///    now on a majority. Under [`CommitRule::CountReplicas`] S1 commits and applies it.
/// 4. S1 crashes; S5 restarts and wins term 4 with S2, S3, S4 (its last entry has the newer
///    term) and overwrites entry 2 everywhere with its own, then commits a term-4 entry.
///
/// # Errors
///
/// None for these fixed parameters.
///
/// # Examples
///
/// ```
/// use lessons::raft::{CommitRule, figure_8};
///
/// let (_, broken) = figure_8(CommitRule::CountReplicas)?;
/// assert!(broken.iter().any(|violation| violation.law == "state machine safety"));
/// let (_, correct) = figure_8(CommitRule::CurrentTermOnly)?;
/// assert!(correct.is_empty());
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn figure_8(rule: CommitRule) -> Result<(Vec<ScriptStep>, Vec<Violation>), SimError> {
    let config = Config::new(5)?
        .commit_rule(rule)
        .leader_noop(false)
        .max_batch(1)?;
    let mut network = HandNetwork::new(config)?;
    let mut steps = Vec::new();
    let everyone = [0, 1, 2, 3, 4];
    let mut record = |network: &HandNetwork, step: &str| {
        steps.push(ScriptStep {
            step: step.to_string(),
            logs: network.logs(),
            violations: network.monitor().violations().len(),
        });
    };
    network.timeout(0);
    network.exchange(&everyone);
    network.write(0, 1);
    network.exchange(&everyone);
    network.heartbeat(0);
    network.exchange(&everyone);
    record(&network, "S1 leads term 1; entry 1 committed everywhere");
    network.write(0, 2);
    network.exchange(&[0, 1]);
    network.drop_in_flight();
    record(&network, "S1 appends entry 2 (term 1), reaches S2 only");
    network.crash(0);
    network.timeout(4);
    network.exchange(&[2, 3, 4]);
    network.write(4, 3);
    network.drop_in_flight();
    record(
        &network,
        "S1 crashes; S5 wins term 2 (S3, S4), appends its own entry 2",
    );
    network.crash(4);
    network.restart(0);
    elect(&mut network, 0, &[0, 1, 2]);
    network.heartbeat(0);
    network.exchange(&[0, 1, 2]);
    network.drop_in_flight();
    record(
        &network,
        "S5 crashes; S1 wins term 3, copies entry 2 (term 1) to S3: on a majority",
    );
    network.crash(0);
    network.restart(4);
    elect(&mut network, 4, &[1, 2, 3, 4]);
    network.write(4, 4);
    network.exchange(&[1, 2, 3, 4]);
    network.heartbeat(4);
    network.exchange(&[1, 2, 3, 4]);
    record(
        &network,
        "S1 crashes; S5 wins term 4 (S2, S3, S4), overwrites entry 2, commits a term-4 entry",
    );
    Ok((steps, network.monitor().violations().to_vec()))
}

/// Times `candidate` out until it leads (a node restarted with an old term loses its first
/// election to voters that already voted in that term); at most three tries.
fn elect(network: &mut HandNetwork, candidate: NodeId, group: &[NodeId]) {
    for _ in 0..3 {
        network.timeout(candidate);
        network.exchange(group);
        network.drop_in_flight();
        if network
            .node(candidate)
            .is_some_and(|node| node.role() == Role::Leader)
        {
            return;
        }
    }
}

/// The steps of [`figure_8`] as a table: one column per server.
///
/// # Errors
///
/// None for rows from [`figure_8`].
///
/// # Examples
///
/// ```
/// use lessons::raft::{CommitRule, figure_8, script_table};
///
/// let (steps, _) = figure_8(CommitRule::CurrentTermOnly)?;
/// assert_eq!(script_table(&steps)?.row_count(), 5);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn script_table(steps: &[ScriptStep]) -> Result<Table, crate::table::TableError> {
    let servers = steps.first().map_or(0, |step| step.logs.len());
    let mut headers = vec!["step".to_string()];
    headers.extend((1..=servers).map(|server| format!("S{server}")));
    headers.push("violations".to_string());
    let mut table = Table::new(headers);
    for step in steps {
        let mut row = vec![step.step.clone()];
        row.extend(step.logs.iter().cloned());
        row.push(step.violations.to_string());
        table.push_row(row)?;
    }
    Ok(table)
}
