//! Nodes: state machines that react to messages and timers, and do no I/O.
//!
//! A node in this simulation is a value of your own type that implements [`Node`]. It never
//! opens a socket, sleeps or reads the wall clock; it only reacts. The simulation calls
//!
//! * [`on_start`](Node::on_start) once when the node boots (and again after each restart),
//! * [`on_message`](Node::on_message) for each message delivered to it,
//! * [`on_timer`](Node::on_timer) when a timer it set goes off,
//!
//! and hands each call a [`Context`], the node's only window on the world: it sends messages,
//! sets timers, reads the node's own (possibly wrong) clock, draws random numbers from the
//! node's own stream, and writes to the node's disk. Because every effect goes through the
//! context, the simulation can delay, drop, duplicate and record all of them, and the same seed
//! replays the same run.
//!
//! The trait is generic over the message type `M`, so one simulation can mix node types (clients
//! and servers, say) that speak the same messages.
//!
//! # Crashes, restarts and pauses
//!
//! A crash throws the node's value away: everything in memory is lost, and timers it had set
//! never fire. A restart builds a fresh value with the factory given to
//! [`Simulation::add_node`](super::Simulation::add_node) and calls `on_start` again; what the old
//! incarnation wrote with [`Context::disk`] is still there. A pause (a long garbage collection,
//! a stopped VM) freezes the node: messages and timers that fall due wait and are handled, in
//! order, when it resumes, while its clock keeps running.
//!
//! # Examples
//!
//! ```
//! use lessons::sim::{Context, Node, NodeId, Simulation, ms};
//!
//! /// Replies "pong" to every "ping".
//! struct Echo;
//!
//! impl Node<&'static str> for Echo {
//!     fn on_message(&mut self, ctx: &mut Context<'_, &'static str>, from: NodeId, message: &'static str) {
//!         if message == "ping" {
//!             ctx.send(from, "pong");
//!         }
//!     }
//! }
//!
//! /// Pings node 0 once, at start.
//! struct Asker;
//!
//! impl Node<&'static str> for Asker {
//!     fn on_start(&mut self, ctx: &mut Context<'_, &'static str>) {
//!         ctx.send(0, "ping");
//!     }
//!     fn on_message(&mut self, ctx: &mut Context<'_, &'static str>, _from: NodeId, message: &'static str) {
//!         ctx.note(format!("got {message}"));
//!     }
//! }
//!
//! let mut sim = Simulation::new(1);
//! sim.add_node("server", || Echo);
//! sim.add_node("client", || Asker);
//! sim.run_until(ms(10))?;
//! assert_eq!(sim.trace().deliveries().count(), 2);
//! # Ok::<(), lessons::sim::SimError>(())
//! ```

use std::fmt;

use super::disk::Disk;
use super::recorder::OperationId;
use super::rng::Rng;
use super::simulation::Core;
use super::time::Time;

/// A node's number: nodes are numbered 0, 1, 2, ... in the order they are added.
///
/// # Examples
///
/// ```
/// use lessons::sim::{Node, NodeId, Simulation};
/// # struct Quiet;
/// # impl Node<()> for Quiet { fn on_message(&mut self, _: &mut lessons::sim::Context<'_, ()>, _: NodeId, _: ()) {} }
///
/// let mut sim = Simulation::new(0);
/// let first: NodeId = sim.add_node("A", || Quiet);
/// assert_eq!(first, 0);
/// ```
pub type NodeId = usize;

/// A state machine that reacts to messages of type `M` and to its own timers.
///
/// Only [`on_message`](Node::on_message) is required; the other two do nothing unless you
/// write them.
///
/// # Examples
///
/// ```
/// use lessons::sim::{Context, Node, NodeId, ms};
///
/// /// Counts the messages it receives and tells node 0 every 100 ms.
/// #[derive(Default)]
/// struct Counter {
///     received: u64,
/// }
///
/// impl Node<u64> for Counter {
///     fn on_start(&mut self, ctx: &mut Context<'_, u64>) {
///         ctx.set_timer(ms(100), 0);
///     }
///     fn on_message(&mut self, _ctx: &mut Context<'_, u64>, _from: NodeId, _count: u64) {
///         self.received += 1;
///     }
///     fn on_timer(&mut self, ctx: &mut Context<'_, u64>, _tag: u64) {
///         ctx.send(0, self.received);
///         ctx.set_timer(ms(100), 0);
///     }
/// }
/// ```
pub trait Node<M> {
    /// Called once when the node boots, and again after every restart.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{Context, Node, NodeId};
    ///
    /// struct Greeter;
    ///
    /// impl Node<String> for Greeter {
    ///     fn on_start(&mut self, ctx: &mut Context<'_, String>) {
    ///         ctx.broadcast(format!("hello from {}", ctx.me()));
    ///     }
    ///     fn on_message(&mut self, _: &mut Context<'_, String>, _: NodeId, _: String) {}
    /// }
    /// ```
    fn on_start(&mut self, ctx: &mut Context<'_, M>) {
        let _ = ctx;
    }

    /// Called for each message delivered to this node, with the sender's id.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{Context, Node, NodeId};
    ///
    /// struct Forward;
    ///
    /// impl Node<u32> for Forward {
    ///     fn on_message(&mut self, ctx: &mut Context<'_, u32>, _from: NodeId, hops: u32) {
    ///         let next = (ctx.me() + 1) % ctx.node_count();
    ///         ctx.send(next, hops + 1);
    ///     }
    /// }
    /// ```
    fn on_message(&mut self, ctx: &mut Context<'_, M>, from: NodeId, message: M);

    /// Called when a timer set with [`Context::set_timer`] goes off, with the tag it was set
    /// with.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{Context, Node, NodeId, ms};
    ///
    /// const HEARTBEAT: u64 = 1;
    ///
    /// struct Beacon;
    ///
    /// impl Node<()> for Beacon {
    ///     fn on_start(&mut self, ctx: &mut Context<'_, ()>) {
    ///         ctx.set_timer(ms(50), HEARTBEAT);
    ///     }
    ///     fn on_message(&mut self, _: &mut Context<'_, ()>, _: NodeId, _: ()) {}
    ///     fn on_timer(&mut self, ctx: &mut Context<'_, ()>, tag: u64) {
    ///         if tag == HEARTBEAT {
    ///             ctx.broadcast(());
    ///             ctx.set_timer(ms(50), HEARTBEAT);
    ///         }
    ///     }
    /// }
    /// ```
    fn on_timer(&mut self, ctx: &mut Context<'_, M>, tag: u64) {
        let _ = (ctx, tag);
    }
}

/// A timer set with [`Context::set_timer`], to cancel it with [`Context::cancel_timer`].
///
/// # Examples
///
/// ```
/// use lessons::sim::{Context, Node, NodeId, TimerId, ms};
///
/// /// Starts an election unless it hears from a leader within 150 ms.
/// struct Follower {
///     election: Option<TimerId>,
/// }
///
/// impl Node<()> for Follower {
///     fn on_start(&mut self, ctx: &mut Context<'_, ()>) {
///         self.election = Some(ctx.set_timer(ms(150), 0));
///     }
///     fn on_message(&mut self, ctx: &mut Context<'_, ()>, _: NodeId, _: ()) {
///         if let Some(timer) = self.election.take() {
///             ctx.cancel_timer(timer);
///         }
///         self.election = Some(ctx.set_timer(ms(150), 0));
///     }
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TimerId(pub(crate) u64);

/// A node's window on the world during one call of its handlers.
///
/// Everything a node does (send, set a timer, read its clock, draw a random number, write to
/// disk, record an event) goes through here, at the current instant of virtual time.
///
/// # Examples
///
/// ```
/// use lessons::sim::{Context, Node, NodeId};
///
/// struct Stamp;
///
/// impl Node<i64> for Stamp {
///     fn on_message(&mut self, ctx: &mut Context<'_, i64>, from: NodeId, _: i64) {
///         // Reply with what this node's own clock says, in nanoseconds.
///         ctx.send(from, ctx.read_clock().as_nanos());
///     }
/// }
/// ```
pub struct Context<'a, M> {
    pub(crate) core: &'a mut Core<M>,
    pub(crate) me: NodeId,
    pub(crate) incarnation: u32,
    pub(crate) rng: &'a mut Rng,
    pub(crate) disk: &'a mut Disk,
}

impl<M> fmt::Debug for Context<'_, M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("me", &self.me)
            .field("now", &self.core.now())
            .finish_non_exhaustive()
    }
}

impl<M: Clone> Context<'_, M> {
    /// This node's id.
    ///
    /// # Examples
    ///
    /// ```
    /// # use lessons::sim::{Context, Node, NodeId};
    /// # struct N;
    /// # impl Node<()> for N {
    /// fn on_start(&mut self, ctx: &mut Context<'_, ()>) {
    ///     ctx.note(format!("I am node {}", ctx.me()));
    /// }
    /// # fn on_message(&mut self, _: &mut Context<'_, ()>, _: NodeId, _: ()) {}
    /// # }
    /// ```
    pub fn me(&self) -> NodeId {
        self.me
    }

    /// How many nodes the simulation has; ids run from 0 to one less than this.
    ///
    /// # Examples
    ///
    /// ```
    /// # use lessons::sim::{Context, Node, NodeId};
    /// # struct N;
    /// # impl Node<()> for N {
    /// fn on_start(&mut self, ctx: &mut Context<'_, ()>) {
    ///     let majority = ctx.node_count() / 2 + 1;
    ///     ctx.note(format!("a quorum is {majority} nodes"));
    /// }
    /// # fn on_message(&mut self, _: &mut Context<'_, ()>, _: NodeId, _: ()) {}
    /// # }
    /// ```
    pub fn node_count(&self) -> usize {
        self.core.node_count()
    }

    /// Every other node's id, in increasing order.
    ///
    /// # Examples
    ///
    /// ```
    /// # use lessons::sim::{Context, Node, NodeId};
    /// # struct N;
    /// # impl Node<u8> for N {
    /// fn on_start(&mut self, ctx: &mut Context<'_, u8>) {
    ///     for peer in ctx.peers() {
    ///         ctx.send(peer, 1);
    ///     }
    /// }
    /// # fn on_message(&mut self, _: &mut Context<'_, u8>, _: NodeId, _: u8) {}
    /// # }
    /// ```
    pub fn peers(&self) -> Peers {
        Peers {
            next: 0,
            end: self.node_count(),
            skip: self.me,
        }
    }

    /// The true virtual time: what a perfect clock would read. Nodes in real systems cannot
    /// know it; use it for lessons that assume perfect clocks, and [`read_clock`](Self::read_clock)
    /// otherwise.
    ///
    /// # Examples
    ///
    /// ```
    /// # use lessons::sim::{Context, Node, NodeId, Time};
    /// # struct N;
    /// # impl Node<()> for N {
    /// fn on_start(&mut self, ctx: &mut Context<'_, ()>) {
    ///     assert_eq!(ctx.now(), Time::ZERO);
    /// }
    /// # fn on_message(&mut self, _: &mut Context<'_, ()>, _: NodeId, _: ()) {}
    /// # }
    /// ```
    pub fn now(&self) -> Time {
        self.core.now()
    }

    /// What this node's physical clock reads now, with its offset, drift and steps.
    ///
    /// # Examples
    ///
    /// ```
    /// # use lessons::sim::{Context, Node, NodeId};
    /// # struct N;
    /// # impl Node<()> for N {
    /// fn on_start(&mut self, ctx: &mut Context<'_, ()>) {
    ///     let skew = ctx.read_clock() - ctx.now();
    ///     ctx.note(format!("my clock is off by {skew}"));
    /// }
    /// # fn on_message(&mut self, _: &mut Context<'_, ()>, _: NodeId, _: ()) {}
    /// # }
    /// ```
    pub fn read_clock(&self) -> Time {
        self.core.read_clock(self.me)
    }

    /// Sends `message` to node `to` through the simulated network, which may delay, drop or
    /// duplicate it. Sending to yourself works too (and also goes through the network). A
    /// message to a node that does not exist is recorded as dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// # use lessons::sim::{Context, Node, NodeId};
    /// # struct N;
    /// # impl Node<&'static str> for N {
    /// fn on_message(&mut self, ctx: &mut Context<'_, &'static str>, from: NodeId, _: &'static str) {
    ///     ctx.send(from, "ack");
    /// }
    /// # }
    /// ```
    pub fn send(&mut self, to: NodeId, message: M) {
        self.core.send(self.me, to, message);
    }

    /// Sends a copy of `message` to every other node, in increasing id order.
    ///
    /// # Examples
    ///
    /// ```
    /// # use lessons::sim::{Context, Node, NodeId};
    /// # struct N;
    /// # impl Node<&'static str> for N {
    /// fn on_start(&mut self, ctx: &mut Context<'_, &'static str>) {
    ///     ctx.broadcast("I am alive");
    /// }
    /// # fn on_message(&mut self, _: &mut Context<'_, &'static str>, _: NodeId, _: &'static str) {}
    /// # }
    /// ```
    pub fn broadcast(&mut self, message: M) {
        for peer in self.peers() {
            self.core.send(self.me, peer, message.clone());
        }
    }

    /// Asks for [`Node::on_timer`] to be called with `tag` after `delay` of true time (at once if
    /// `delay` is not positive). Timers die with the node when it crashes.
    ///
    /// # Examples
    ///
    /// ```
    /// # use lessons::sim::{Context, Node, NodeId, ms};
    /// # struct N;
    /// # impl Node<()> for N {
    /// fn on_start(&mut self, ctx: &mut Context<'_, ()>) {
    ///     let jitter = ctx.rng().between(ms(0), ms(50));
    ///     ctx.set_timer(ms(150) + jitter, 7);
    /// }
    /// # fn on_message(&mut self, _: &mut Context<'_, ()>, _: NodeId, _: ()) {}
    /// # }
    /// ```
    pub fn set_timer(&mut self, delay: Time, tag: u64) -> TimerId {
        self.core
            .set_timer(self.me, self.incarnation, delay.max(Time::ZERO), tag)
    }

    /// Stops a timer from going off; cancelling one that already went off does nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// # use lessons::sim::{Context, Node, NodeId, ms};
    /// # struct N;
    /// # impl Node<()> for N {
    /// fn on_start(&mut self, ctx: &mut Context<'_, ()>) {
    ///     let timer = ctx.set_timer(ms(10), 0);
    ///     ctx.cancel_timer(timer); // on_timer will not be called
    /// }
    /// # fn on_message(&mut self, _: &mut Context<'_, ()>, _: NodeId, _: ()) {}
    /// # }
    /// ```
    pub fn cancel_timer(&mut self, timer: TimerId) {
        self.core.cancel_timer(timer);
    }

    /// This node's own stream of random numbers, derived from the seed and the node's id.
    ///
    /// # Examples
    ///
    /// ```
    /// # use lessons::sim::{Context, Node, NodeId};
    /// # struct N;
    /// # impl Node<()> for N {
    /// fn on_start(&mut self, ctx: &mut Context<'_, ()>) {
    ///     if ctx.rng().chance(0.5) {
    ///         ctx.note("volunteering");
    ///     }
    /// }
    /// # fn on_message(&mut self, _: &mut Context<'_, ()>, _: NodeId, _: ()) {}
    /// # }
    /// ```
    pub fn rng(&mut self) -> &mut Rng {
        self.rng
    }

    /// This node's disk, which survives crashes.
    ///
    /// # Examples
    ///
    /// ```
    /// # use lessons::sim::{Context, Node, NodeId};
    /// # #[derive(Default)] struct N { term: u64 }
    /// # impl Node<()> for N {
    /// fn on_start(&mut self, ctx: &mut Context<'_, ()>) {
    ///     // After a restart, pick up where the last incarnation left off.
    ///     self.term = ctx.disk().read("term").unwrap_or(0);
    /// }
    /// # fn on_message(&mut self, _: &mut Context<'_, ()>, _: NodeId, _: ()) {}
    /// # }
    /// ```
    pub fn disk(&mut self) -> &mut Disk {
        self.disk
    }

    /// Attaches `text` to this node's latest event in the trace (the delivery or timer being
    /// handled, or the last message sent), for the space-time diagram and the trace rows.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::LamportClock;
    /// # use lessons::sim::{Context, Node, NodeId};
    /// # struct N { clock: LamportClock }
    /// # impl Node<u64> for N {
    /// fn on_message(&mut self, ctx: &mut Context<'_, u64>, from: NodeId, stamp: u64) {
    ///     let time = self.clock.receive(stamp);
    ///     ctx.label(format!("L={time}")); // labels the receipt
    ///     let stamp = self.clock.send();
    ///     ctx.send(from, stamp);
    ///     ctx.label(format!("L={stamp}")); // labels the send
    /// }
    /// # }
    /// ```
    pub fn label(&mut self, text: impl Into<String>) {
        self.core.label(self.me, text.into());
    }

    /// Records a local event on this node, a dot on its line in the diagram, labelled `text`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use lessons::sim::{Context, Node, NodeId};
    /// # struct N;
    /// # impl Node<()> for N {
    /// fn on_timer(&mut self, ctx: &mut Context<'_, ()>, _tag: u64) {
    ///     ctx.note("became leader");
    /// }
    /// # fn on_message(&mut self, _: &mut Context<'_, ()>, _: NodeId, _: ()) {}
    /// # }
    /// ```
    pub fn note(&mut self, text: impl Into<String>) {
        self.core.note(self.me, text.into());
    }

    /// Records that a client on this node starts an operation (for consistency checkers), and
    /// returns its id for [`respond`](Self::respond).
    ///
    /// # Examples
    ///
    /// ```
    /// # use lessons::sim::{Context, Node, NodeId};
    /// # struct N;
    /// # impl Node<()> for N {
    /// fn on_start(&mut self, ctx: &mut Context<'_, ()>) {
    ///     let write = ctx.invoke("write x=1");
    ///     // ... later, when the write is acknowledged:
    ///     ctx.respond(write, "ok");
    /// }
    /// # fn on_message(&mut self, _: &mut Context<'_, ()>, _: NodeId, _: ()) {}
    /// # }
    /// ```
    pub fn invoke(&mut self, operation: impl Into<String>) -> OperationId {
        self.core.invoke(self.me, operation.into())
    }

    /// Records the result of an operation this node started with [`invoke`](Self::invoke);
    /// answering an unknown, already answered or other node's operation is ignored.
    ///
    /// # Examples
    ///
    /// ```
    /// # use lessons::sim::{Context, Node, NodeId};
    /// # struct N { pending: Option<usize> }
    /// # impl Node<u64> for N {
    /// fn on_message(&mut self, ctx: &mut Context<'_, u64>, _from: NodeId, value: u64) {
    ///     if let Some(read) = self.pending.take() {
    ///         ctx.respond(read, format!("x={value}"));
    ///     }
    /// }
    /// # }
    /// ```
    pub fn respond(&mut self, operation: OperationId, result: impl Into<String>) {
        self.core.respond(self.me, operation, result.into());
    }
}

/// The ids of every node but one, from [`Context::peers`].
///
/// # Examples
///
/// ```
/// # use lessons::sim::{Context, Node, NodeId};
/// # struct N;
/// # impl Node<()> for N {
/// fn on_start(&mut self, ctx: &mut Context<'_, ()>) {
///     let others: Vec<NodeId> = ctx.peers().collect();
///     assert!(!others.contains(&ctx.me()));
/// }
/// # fn on_message(&mut self, _: &mut Context<'_, ()>, _: NodeId, _: ()) {}
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Peers {
    next: NodeId,
    end: NodeId,
    skip: NodeId,
}

impl Iterator for Peers {
    type Item = NodeId;

    fn next(&mut self) -> Option<NodeId> {
        if self.next == self.skip {
            self.next += 1;
        }
        if self.next >= self.end {
            return None;
        }
        self.next += 1;
        Some(self.next - 1)
    }
}
