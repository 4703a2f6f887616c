//! A ready-made node for round trips: it asks every peer "ping" and records each ask as an
//! operation, answered when the "pong" comes back.
//!
//! Where [`Heartbeat`](super::Heartbeat) sends one-way messages, a [`Pinger`] needs both
//! directions of a link: a ping that arrives is answered, and the answer must make it back.
//! Each ping is recorded with [`Context::invoke`] and, when its pong arrives, answered with
//! [`Context::respond`], so the trace's history ([`Trace::operations`](super::Trace::operations))
//! shows which round trips completed and which never did. Under a one-way partition, a node
//! still *hears* the pings from the far side, and no round trip in either direction completes.
//!
//! # Examples
//!
//! ```
//! use lessons::sim::{Pinger, Simulation, ms, partition};
//!
//! let mut sim = Simulation::new(1);
//! sim.add_node("A", || Pinger::every(ms(100)));
//! sim.add_node("B", || Pinger::every(ms(100)));
//! sim.add_fault(partition(0, 1).one_way())?; // A → B is cut, B → A is not
//! sim.run_until(ms(250))?;
//! let history = sim.trace().operations();
//! assert_eq!(history.len(), 4); // two rounds, one ping each way
//! assert!(history.iter().all(|ping| ping.result.is_none())); // no pong came back
//! assert_eq!(sim.node::<Pinger>(0).unwrap().pings_from(1), 2); // A hears B
//! assert_eq!(sim.node::<Pinger>(1).unwrap().pings_from(0), 0); // B hears nothing
//! # Ok::<(), lessons::sim::SimError>(())
//! ```

use std::fmt;

use super::node::{Context, Node, NodeId};
use super::recorder::OperationId;
use super::time::Time;

/// A node that pings every peer every `interval` and records each ping as an operation.
///
/// # Examples
///
/// ```
/// use lessons::sim::{Pinger, ms};
///
/// assert_eq!(Pinger::every(ms(50)).interval(), ms(50));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pinger {
    interval: Time,
    /// By peer id: how many pings from that peer arrived.
    pings_from: Vec<u64>,
}

/// What a [`Pinger`] sends: a ping carrying the number of the operation that records it, or
/// the pong that answers it.
///
/// Its `Debug` form is short (`ping #3`, `pong #3`), because it labels arrows in diagrams.
///
/// # Examples
///
/// ```
/// use lessons::sim::PingPong;
///
/// assert_eq!(format!("{:?}", PingPong::Ping(3)), "ping #3");
/// assert_eq!(format!("{:?}", PingPong::Pong(3)), "pong #3");
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum PingPong {
    /// A question, with the operation that records it.
    Ping(OperationId),
    /// The answer to that operation.
    Pong(OperationId),
}

impl fmt::Debug for PingPong {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PingPong::Ping(operation) => write!(f, "ping #{operation}"),
            PingPong::Pong(operation) => write!(f, "pong #{operation}"),
        }
    }
}

impl Pinger {
    /// A pinger that asks every peer every `interval` of its own timer.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{Pinger, secs};
    ///
    /// assert_eq!(Pinger::every(secs(1)).interval(), secs(1));
    /// ```
    pub fn every(interval: Time) -> Pinger {
        Pinger {
            interval,
            pings_from: Vec::new(),
        }
    }

    /// The time between two rounds of pings.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{Pinger, ms};
    ///
    /// assert_eq!(Pinger::every(ms(7)).interval(), ms(7));
    /// ```
    pub fn interval(&self) -> Time {
        self.interval
    }

    /// How many pings from `peer` reached this node.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{Pinger, Simulation, ms};
    ///
    /// let mut sim = Simulation::new(1);
    /// sim.add_node("A", || Pinger::every(ms(100)));
    /// sim.add_node("B", || Pinger::every(ms(100)));
    /// sim.run_until(ms(250))?;
    /// assert_eq!(sim.node::<Pinger>(1).unwrap().pings_from(0), 2);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn pings_from(&self, peer: NodeId) -> u64 {
        self.pings_from.get(peer).copied().unwrap_or(0)
    }
}

/// The timer tag of a round of pings.
const PING_TIMER: u64 = 0;

impl Node<PingPong> for Pinger {
    fn on_start(&mut self, ctx: &mut Context<'_, PingPong>) {
        self.pings_from = vec![0; ctx.node_count()];
        ctx.set_timer(self.interval, PING_TIMER);
    }

    fn on_message(&mut self, ctx: &mut Context<'_, PingPong>, from: NodeId, message: PingPong) {
        match message {
            PingPong::Ping(operation) => {
                if self.pings_from.len() <= from {
                    self.pings_from.resize(from + 1, 0);
                }
                self.pings_from[from] += 1;
                ctx.send(from, PingPong::Pong(operation));
            }
            PingPong::Pong(operation) => ctx.respond(operation, "pong"),
        }
    }

    fn on_timer(&mut self, ctx: &mut Context<'_, PingPong>, _tag: u64) {
        let peers: Vec<NodeId> = ctx.peers().collect();
        for peer in peers {
            let operation = ctx.invoke(format!("ping node {peer}"));
            ctx.send(peer, PingPong::Ping(operation));
        }
        ctx.set_timer(self.interval, PING_TIMER);
    }
}
