//! A ready-made node for first experiments: it tells everyone the time, regularly.
//!
//! [`Heartbeat`] is the smallest node that shows what the toolkit does. Every `interval` (on its
//! own timer) it sends each peer a [`Beat`] carrying what its physical clock reads, and it
//! remembers when, by its own clock, it last heard from each peer. That is enough to watch
//! messages cross the network, stop at a partition, pile up behind a pause, vanish into a
//! crashed node, and to see clock skew: the receiver's clock minus the beat's reading is the
//! sender's skew plus the message's delay. Failure detectors in later lessons start from here.
//!
//! # Examples
//!
//! ```
//! use lessons::sim::{Heartbeat, PhysicalClock, Simulation, ms};
//!
//! let mut sim = Simulation::new(5);
//! sim.add_node("A", || Heartbeat::every(ms(100)));
//! sim.add_node("B", || Heartbeat::every(ms(100)));
//! sim.set_clock(1, PhysicalClock::new().offset(ms(40)))?;
//! sim.run_until(ms(150))?;
//! for (event, message) in sim.trace().deliveries() {
//!     let apparent = event.clock - message.payload.clock; // skew plus the 1 ms delay
//!     let expected = if event.node == 1 { ms(41) } else { ms(-39) };
//!     assert_eq!(apparent, expected);
//! }
//! # Ok::<(), lessons::sim::SimError>(())
//! ```

use std::fmt;

use super::node::{Context, Node, NodeId};
use super::time::Time;

/// A node that sends every peer its clock reading every `interval`.
///
/// # Examples
///
/// ```
/// use lessons::sim::{Heartbeat, ms};
///
/// assert_eq!(Heartbeat::every(ms(250)).interval(), ms(250));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heartbeat {
    interval: Time,
    /// By peer id: this node's clock reading when the latest beat from that peer arrived.
    last_heard: Vec<Option<Time>>,
}

/// The message a [`Heartbeat`] sends: the sender's clock reading when it sent it.
///
/// Its `Debug` form is short (`beat 100ms`), because it labels arrows in diagrams.
///
/// # Examples
///
/// ```
/// use lessons::sim::{Beat, ms};
///
/// assert_eq!(format!("{:?}", Beat { clock: ms(100) }), "beat 100ms");
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Beat {
    /// The sender's clock reading at sending.
    pub clock: Time,
}

impl fmt::Debug for Beat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "beat {}", self.clock)
    }
}

/// The tag of the heartbeat timer.
const BEAT_TIMER: u64 = 0;

impl Heartbeat {
    /// A node that beats every `interval`, the first time `interval` after it starts.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{Heartbeat, ms};
    ///
    /// let node = Heartbeat::every(ms(100));
    /// assert_eq!(node.last_heard_from(0), None);
    /// ```
    pub fn every(interval: Time) -> Heartbeat {
        Heartbeat {
            interval,
            last_heard: Vec::new(),
        }
    }

    /// The time between beats.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{Heartbeat, secs};
    ///
    /// assert_eq!(Heartbeat::every(secs(1)).interval(), secs(1));
    /// ```
    pub fn interval(&self) -> Time {
        self.interval
    }

    /// This node's clock reading when the latest beat from `peer` arrived, if one has.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{Heartbeat, Simulation, ms};
    ///
    /// let mut sim = Simulation::new(1);
    /// sim.add_node("A", || Heartbeat::every(ms(100)));
    /// sim.add_node("B", || Heartbeat::every(ms(100)));
    /// sim.run_until(ms(250))?;
    /// let b = sim.node::<Heartbeat>(1).unwrap();
    /// assert_eq!(b.last_heard_from(0), Some(ms(201)));
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn last_heard_from(&self, peer: NodeId) -> Option<Time> {
        self.last_heard.get(peer).copied().flatten()
    }
}

impl Node<Beat> for Heartbeat {
    fn on_start(&mut self, ctx: &mut Context<'_, Beat>) {
        self.last_heard = vec![None; ctx.node_count()];
        ctx.set_timer(self.interval, BEAT_TIMER);
    }

    fn on_message(&mut self, ctx: &mut Context<'_, Beat>, from: NodeId, _beat: Beat) {
        if self.last_heard.len() <= from {
            self.last_heard.resize(from + 1, None);
        }
        self.last_heard[from] = Some(ctx.read_clock());
    }

    fn on_timer(&mut self, ctx: &mut Context<'_, Beat>, _tag: u64) {
        ctx.broadcast(Beat {
            clock: ctx.read_clock(),
        });
        ctx.set_timer(self.interval, BEAT_TIMER);
    }
}
