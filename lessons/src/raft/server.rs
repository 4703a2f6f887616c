//! The simulation driver: a [`RaftNode`] inside a [`sim`](crate::sim) node, with random
//! election timeouts, a heartbeat timer and its persistent state on the node's [`Disk`].
//!
//! [`Disk`]: crate::sim::Disk

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use super::log::PersistentState;
use super::log::{Command, Operation};
use super::monitor::SafetyMonitor;
use super::node::{Input, Message, Output, RaftNode, Reply, Role};
use super::state_machine::Outcome;
use crate::sim::{Context, Node, NodeId, SimError, Time, TimerId, ms};

/// What travels between simulated nodes: Raft's own messages, client requests and answers.
///
/// # Examples
///
/// ```
/// use lessons::raft::{Message, Wire};
///
/// let vote = Wire::Raft { message: Message::Vote { term: 1, granted: false }, round: 0 };
/// assert!(matches!(vote, Wire::Raft { .. }));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wire {
    /// Server to server. `round` numbers a leader's AppendEntries broadcasts and is echoed in
    /// the answers, so the driver knows which round a majority confirmed (for ReadIndex and
    /// leases); the Raft node itself never sees it.
    Raft {
        /// The Raft message.
        message: Message,
        /// The leader's broadcast round (0 on other messages).
        round: u64,
    },
    /// Client to server.
    Request(Command),
    /// Server to client.
    Reply(Reply),
}

/// The timers of a cluster: election timeouts drawn uniformly from
/// `[election_timeout, election_timeout + spread]` (the paper's randomized timeouts, section
/// 5.2) and the leader's heartbeat interval.
///
/// # Examples
///
/// ```
/// use lessons::raft::Timing;
/// use lessons::sim::ms;
///
/// let paper = Timing::new(ms(150), ms(150), ms(50))?;
/// assert_eq!(paper.election_timeout + paper.spread, ms(300));
/// assert!(Timing::new(ms(150), ms(0), ms(200)).is_err()); // heartbeat slower than the timeout
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// The shortest election timeout, T.
    pub election_timeout: Time,
    /// The width of the random range, W.
    pub spread: Time,
    /// How often a leader sends AppendEntries when idle.
    pub heartbeat: Time,
}

impl Timing {
    /// Election timeouts in `[timeout, timeout + spread]` and a heartbeat every `heartbeat`.
    ///
    /// # Errors
    ///
    /// A timeout or heartbeat that is not positive, a negative spread, or a heartbeat not
    /// shorter than the timeout.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::Timing;
    /// use lessons::sim::ms;
    ///
    /// let error = Timing::new(ms(100), ms(-1), ms(10)).unwrap_err();
    /// assert_eq!(error.to_string(), "timeout spread -1ms is not allowed; zero or more");
    /// ```
    pub fn new(timeout: Time, spread: Time, heartbeat: Time) -> Result<Timing, SimError> {
        if timeout <= Time::ZERO {
            return Err(SimError::parameter(
                "election timeout",
                timeout,
                "more than zero",
            ));
        }
        if spread < Time::ZERO {
            return Err(SimError::parameter(
                "timeout spread",
                spread,
                "zero or more",
            ));
        }
        if heartbeat <= Time::ZERO || heartbeat >= timeout {
            return Err(SimError::parameter(
                "heartbeat interval",
                heartbeat,
                format!("more than zero and less than the election timeout {timeout}"),
            ));
        }
        Ok(Timing {
            election_timeout: timeout,
            spread,
            heartbeat,
        })
    }

    /// The paper's suggestion: timeouts of 150 to 300 ms, a heartbeat every 50 ms.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::Timing;
    /// use lessons::sim::ms;
    ///
    /// assert_eq!(Timing::paper().spread, ms(150));
    /// ```
    pub fn paper() -> Timing {
        Timing {
            election_timeout: ms(150),
            spread: ms(150),
            heartbeat: ms(50),
        }
    }
}

/// How a server answers a read (Ongaro's thesis, section 6.4).
///
/// # Examples
///
/// ```
/// use lessons::raft::ReadMode;
///
/// assert_eq!(ReadMode::Lease { drift_bound_ppm: 100_000 }.to_string(), "lease, drift bound 10%");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReadMode {
    /// Through the log like a write: linearizable, at the cost of an entry and a round trip.
    Log,
    /// Any server answers from its own register at once: fast, and stale behind a partition.
    AnyServer,
    /// A server that believes it leads answers from its register without checking.
    LeaderUnchecked,
    /// ReadIndex: the leader notes its commit index, confirms it still leads with a heartbeat
    /// round a majority acknowledges, waits until that index is applied, then answers.
    ReadIndex,
    /// Leader lease: the leader answers at once while a majority acknowledged a heartbeat round
    /// it sent less than `T × (1 − bound)` ago by its own clock, where T is the shortest
    /// election timeout; otherwise it falls back to ReadIndex. Safe while clocks drift by less
    /// than the bound *and* no server votes within T of hearing from the leader (thesis,
    /// section 6.4.1). Our servers do not refuse such votes, so a lagging server could be
    /// elected early by voters that just acknowledged the old leader; the lesson shows the lease
    /// only in the isolated-leader scenario, where every voter of the new leader had to time
    /// out first.
    Lease {
        /// The drift bound, in parts per million.
        drift_bound_ppm: u32,
    },
}

impl std::fmt::Display for ReadMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadMode::Log => write!(f, "through the log"),
            ReadMode::AnyServer => write!(f, "any server, local"),
            ReadMode::LeaderUnchecked => write!(f, "leader, unchecked"),
            ReadMode::ReadIndex => write!(f, "ReadIndex"),
            ReadMode::Lease { drift_bound_ppm } => {
                write!(f, "lease, drift bound {}%", drift_bound_ppm / 10_000)
            }
        }
    }
}

/// A read waiting for its heartbeat round and its index.
#[derive(Debug, Clone, Copy)]
struct PendingRead {
    command: Command,
    read_index: u64,
    round: u64,
}

const ELECTION: u64 = 1;
const HEARTBEAT: u64 = 2;
const DISK_KEY: &str = "raft";

/// A Raft server in the simulation: steps its [`RaftNode`], writes its persistent state to the
/// node's disk before anything leaves, and reports every step to the cluster's
/// [`SafetyMonitor`]. After a crash the simulation builds a fresh one, which reads the disk.
///
/// # Examples
///
/// ```
/// use lessons::raft::{Config, RaftCluster, Timing};
/// use lessons::sim::ms;
///
/// let mut cluster = RaftCluster::new(3, Config::new(3)?, Timing::paper())?;
/// cluster.run_until(ms(1_000))?;
/// let leader = cluster.leader().unwrap();
/// assert_eq!(cluster.server(leader).unwrap().node().term(), cluster.monitor().elections()[0].term);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug)]
pub struct RaftServer {
    node: RaftNode,
    timing: Timing,
    reads: ReadMode,
    election: Option<TimerId>,
    heartbeat: Option<TimerId>,
    monitor: Rc<RefCell<SafetyMonitor>>,
    round: u64,
    sent_at: VecDeque<(u64, Time)>,
    acked: Vec<u64>,
    lead_term: u64,
    pending: Vec<PendingRead>,
}

impl RaftServer {
    pub(crate) fn new(
        node: RaftNode,
        timing: Timing,
        reads: ReadMode,
        monitor: Rc<RefCell<SafetyMonitor>>,
    ) -> RaftServer {
        let servers = node.config().cluster_size;
        RaftServer {
            node,
            timing,
            reads,
            election: None,
            heartbeat: None,
            monitor,
            round: 0,
            sent_at: VecDeque::new(),
            acked: vec![0; servers],
            lead_term: 0,
            pending: Vec::new(),
        }
    }

    /// The Raft state machine inside.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::{Config, RaftCluster, Timing};
    ///
    /// let cluster = RaftCluster::new(1, Config::new(3)?, Timing::paper())?;
    /// assert_eq!(cluster.server(2).unwrap().node().id(), 2);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn node(&self) -> &RaftNode {
        &self.node
    }

    fn step(&mut self, ctx: &mut Context<'_, Wire>, input: Input) {
        self.step_in_round(ctx, input, 0);
    }

    /// Steps the node; answers to a leader's AppendEntries echo its `round`.
    fn step_in_round(&mut self, ctx: &mut Context<'_, Wire>, input: Input, round: u64) {
        let output = self.node.step(input);
        self.act(ctx, output, round);
        self.serve_reads(ctx);
    }

    fn leads(&self) -> bool {
        self.node.role() == Role::Leader
    }

    /// Whether the leader has committed an entry of its own term, without which its commit
    /// index may lag what earlier leaders committed (thesis, section 6.4).
    fn committed_in_term(&self) -> bool {
        self.node.term_at(self.node.commit_index()) == Some(self.node.term())
    }

    /// The newest broadcast round a majority (this leader included) has acknowledged.
    fn confirmed_round(&self) -> u64 {
        let mut rounds = self.acked.clone();
        rounds[self.node.id()] = self.round;
        rounds.sort_unstable_by(|a, b| b.cmp(a));
        rounds[self.node.config().majority() - 1]
    }

    fn lease_holds(&self, ctx: &mut Context<'_, Wire>) -> bool {
        let ReadMode::Lease { drift_bound_ppm } = self.reads else {
            return false;
        };
        let confirmed = self.confirmed_round();
        let Some(&(_, sent)) = self.sent_at.iter().find(|(round, _)| *round == confirmed) else {
            return false;
        };
        let timeout = self.timing.election_timeout.as_nanos() as i128;
        let lease = timeout * (1_000_000 - i128::from(drift_bound_ppm)) / 1_000_000;
        let lease = Time::from_nanos(lease.max(0) as i64);
        self.committed_in_term() && ctx.read_clock() < sent + lease
    }

    fn answer_read(&self, ctx: &mut Context<'_, Wire>, command: Command) {
        let reply = Reply {
            client: command.client,
            sequence: command.sequence,
            outcome: Outcome::Read(self.node.register().value()),
        };
        ctx.send(command.client as NodeId, Wire::Reply(reply));
    }

    fn read(&mut self, ctx: &mut Context<'_, Wire>, command: Command) {
        let local = match self.reads {
            ReadMode::Log => false,
            ReadMode::AnyServer => true,
            ReadMode::LeaderUnchecked => self.leads(),
            ReadMode::ReadIndex => false,
            ReadMode::Lease { .. } => self.leads() && self.lease_holds(ctx),
        };
        if local {
            self.answer_read(ctx, command);
        } else if self.reads == ReadMode::Log || !self.leads() {
            self.step(ctx, Input::Request(command));
        } else {
            // Until the leader commits in its term its commit index may be behind; its last
            // index is a safe read index then.
            let read_index = if self.committed_in_term() {
                self.node.commit_index()
            } else {
                self.node.last_index()
            };
            let alone = self.node.config().cluster_size == 1;
            self.pending.push(PendingRead {
                command,
                read_index,
                round: if alone { self.round } else { self.round + 1 },
            });
            self.step(ctx, Input::HeartbeatTimeout);
        }
    }

    fn serve_reads(&mut self, ctx: &mut Context<'_, Wire>) {
        if self.pending.is_empty() {
            return;
        }
        if !self.leads() || self.node.term() != self.lead_term {
            // Deposed: the clients will retry elsewhere.
            self.pending.clear();
            return;
        }
        let confirmed = self.confirmed_round();
        let applied = self.node.last_applied();
        let ready = self.committed_in_term();
        let (done, waiting): (Vec<PendingRead>, Vec<PendingRead>) = self
            .pending
            .iter()
            .partition(|read| ready && read.round <= confirmed && read.read_index <= applied);
        self.pending = waiting;
        for read in done {
            self.answer_read(ctx, read.command);
        }
    }

    fn act(&mut self, ctx: &mut Context<'_, Wire>, output: Output, echo: u64) {
        if output.persist && ctx.disk().write(DISK_KEY, &self.node.persistent()).is_err() {
            self.monitor.borrow_mut().violation(
                ctx.now(),
                "persistence",
                "the state did not serialize".into(),
            );
        }
        self.monitor
            .borrow_mut()
            .observe(ctx.now(), &self.node, &output);
        if self.leads() && self.node.term() != self.lead_term {
            self.lead_term = self.node.term();
            self.acked.fill(0);
            self.pending.clear();
        }
        let broadcast = output
            .messages
            .iter()
            .any(|(_, message)| matches!(message, Message::AppendEntries { .. }));
        if broadcast {
            self.round += 1;
            self.sent_at.push_back((self.round, ctx.read_clock()));
            if self.sent_at.len() > 256 {
                self.sent_at.pop_front();
            }
        }
        for (to, message) in output.messages {
            let round = match message {
                Message::AppendEntries { .. } => self.round,
                Message::AppendReply { .. } => echo,
                _ => 0,
            };
            ctx.send(to, Wire::Raft { message, round });
        }
        if output.reset_election_timer {
            if let Some(timer) = self.election.take() {
                ctx.cancel_timer(timer);
            }
            let low = self.timing.election_timeout;
            let delay = ctx.rng().between(low, low + self.timing.spread);
            self.election = Some(ctx.set_timer(delay, ELECTION));
        }
        if output.start_heartbeat_timer {
            if let Some(timer) = self.heartbeat.take() {
                ctx.cancel_timer(timer);
            }
            self.heartbeat = Some(ctx.set_timer(self.timing.heartbeat, HEARTBEAT));
        }
        for reply in output.replies {
            ctx.send(reply.client as NodeId, Wire::Reply(reply));
        }
    }
}

impl Node<Wire> for RaftServer {
    fn on_start(&mut self, ctx: &mut Context<'_, Wire>) {
        let saved: PersistentState = ctx.disk().read(DISK_KEY).unwrap_or_default();
        if let Ok(node) = RaftNode::recover(self.node.id(), *self.node.config(), saved) {
            self.node = node;
        }
        self.monitor.borrow_mut().restarted(self.node.id());
        self.step(ctx, Input::Restart);
    }

    fn on_message(&mut self, ctx: &mut Context<'_, Wire>, from: NodeId, message: Wire) {
        match message {
            Wire::Raft { message, round } => {
                let confirms = matches!(message, Message::AppendReply { term, .. } if term == self.node.term());
                if confirms && self.leads() && from < self.acked.len() {
                    self.acked[from] = self.acked[from].max(round);
                }
                self.step_in_round(ctx, Input::Message { from, message }, round);
            }
            Wire::Request(command) if command.operation == Operation::Read => {
                self.read(ctx, command)
            }
            Wire::Request(command) => self.step(ctx, Input::Request(command)),
            Wire::Reply(_) => {}
        }
    }

    fn on_timer(&mut self, ctx: &mut Context<'_, Wire>, tag: u64) {
        match tag {
            ELECTION => {
                self.election = None;
                self.step(ctx, Input::ElectionTimeout);
            }
            HEARTBEAT => {
                self.heartbeat = None;
                self.step(ctx, Input::HeartbeatTimeout);
            }
            _ => {}
        }
    }
}
