//! The simulation driver: a [`RaftNode`] inside a [`sim`](crate::sim) node, with random
//! election timeouts, a heartbeat timer and its persistent state on the node's [`Disk`].
//!
//! [`Disk`]: crate::sim::Disk

use std::cell::RefCell;
use std::rc::Rc;

use super::log::PersistentState;
use super::monitor::SafetyMonitor;
use super::node::{Input, Message, Output, RaftNode, Reply};
use crate::raft::Command;
use crate::sim::{Context, Node, NodeId, SimError, Time, TimerId, ms};

/// What travels between simulated nodes: Raft's own messages, client requests and answers.
///
/// # Examples
///
/// ```
/// use lessons::raft::{Message, Wire};
///
/// let heartbeat = Wire::Raft(Message::Vote { term: 1, granted: false });
/// assert!(matches!(heartbeat, Wire::Raft(_)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wire {
    /// Server to server.
    Raft(Message),
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
            return Err(SimError::parameter("timeout spread", spread, "zero or more"));
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
    election: Option<TimerId>,
    heartbeat: Option<TimerId>,
    monitor: Rc<RefCell<SafetyMonitor>>,
}

impl RaftServer {
    pub(crate) fn new(
        node: RaftNode,
        timing: Timing,
        monitor: Rc<RefCell<SafetyMonitor>>,
    ) -> RaftServer {
        RaftServer {
            node,
            timing,
            election: None,
            heartbeat: None,
            monitor,
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
        let output = self.node.step(input);
        self.act(ctx, output);
    }

    fn act(&mut self, ctx: &mut Context<'_, Wire>, output: Output) {
        if output.persist && ctx.disk().write(DISK_KEY, &self.node.persistent()).is_err() {
            self.monitor
                .borrow_mut()
                .violation(ctx.now(), "persistence", "the state did not serialize".into());
        }
        self.monitor
            .borrow_mut()
            .observe(ctx.now(), &self.node, &output);
        for (to, message) in output.messages {
            ctx.send(to, Wire::Raft(message));
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
            Wire::Raft(message) => self.step(ctx, Input::Message { from, message }),
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
