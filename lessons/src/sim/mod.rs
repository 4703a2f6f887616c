//! A deterministic simulator for distributed systems: the harness every lesson runs on.
//!
//! Every lesson asks what happens when messages are late, lost, duplicated or reordered, when a
//! node crashes or stalls, when clocks disagree. Real networks answer differently each time, so
//! this module answers with a simulation that answers the same way every time: the same seed and
//! the same setup give the same trace, event for event, on every machine.
//!
//! # The pieces
//!
//! * **Time** ([`Time`], [`ms`], [`secs`], ...): virtual, in whole nanoseconds. It moves only
//!   when the [`Scheduler`] takes the next event, ordered by `(time, insertion order)`.
//! * **Randomness** ([`Rng`]): seeded, and split into one stream per node and per link, so
//!   adding a node does not change what the others draw.
//! * **Nodes** ([`Node`], [`Context`]): your state machines, reacting to messages and timers,
//!   doing no I/O. [`Heartbeat`] is a ready-made one for first experiments.
//! * **The network** ([`Link`], [`Latency`]): per-link delay distributions, loss, duplication,
//!   FIFO or reordering.
//! * **Clocks** ([`PhysicalClock`]): each node's clock has an offset, a drift and scheduled
//!   steps; nodes read it with [`Context::read_clock`].
//! * **Faults** ([`partition`], [`crash`], [`pause`]): a schedule of plain values.
//! * **The recorder** ([`Trace`]): every send, delivery, drop, timer, fault and client
//!   operation, exportable as rows and drawn as a space-time diagram
//!   ([`SpaceTimeDiagram`](crate::viz::SpaceTimeDiagram)). From it, how far each clock is
//!   from the truth ([`Trace::clock_offsets`]) and from the others as heartbeats show it
//!   ([`Trace::apparent_skew_into`], [`Trace::apparent_skew_out_of`]).
//! * **Statistics** ([`percentile`], [`Histogram`], [`Cdf`], [`Zipf`]).
//!
//! Bad parameters (a probability of 1.5, a node that does not exist, a partition that heals
//! before it starts) come back as a [`SimError`] that says what is allowed. Nothing a notebook
//! passes in makes the simulator panic.
//!
//! # Examples
//!
//! Three nodes, a partition that cuts A off for 200 ms, and C's clock 30 ms fast:
//!
//! ```
//! use lessons::sim::{Heartbeat, PhysicalClock, Simulation, ms, partition};
//!
//! let mut sim = Simulation::new(42);
//! for name in ["A", "B", "C"] {
//!     sim.add_node(name, || Heartbeat::every(ms(100)));
//! }
//! sim.add_fault(partition(0, [1, 2]).at(ms(150)).heal_at(ms(350)))?;
//! sim.set_clock(2, PhysicalClock::new().offset(ms(30)))?;
//! sim.run_until(ms(500))?;
//!
//! let trace = sim.trace();
//! assert!(trace.drops().all(|(_, message, _)| message.from == 0 || message.to == 0));
//! let svg = trace.diagram().to_svg()?;
//! assert!(svg.contains("partition"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # References
//!
//! * Leslie Lamport, "Time, Clocks, and the Ordering of Events in a Distributed System", 1978:
//!   the space-time diagrams the recorder draws.
//! * Martin Kleppmann, "Designing Data-Intensive Applications", O'Reilly 2017, chapter 8
//!   ("The Trouble with Distributed Systems"): unreliable networks, process pauses and
//!   unreliable clocks, the faults this module injects.

mod clock;
mod disk;
mod error;
mod faults;
mod heartbeat;
mod interrupt;
mod latency;
mod math;
mod network;
mod node;
mod pinger;
mod recorder;
mod rng;
mod scheduler;
mod simulation;
mod skew;
mod stats;
mod time;

pub use clock::{ClockSlew, ClockStep, PhysicalClock};
pub use disk::Disk;
pub use error::SimError;
pub(crate) use error::probability;
pub use faults::{Crash, Fault, NodeSet, Partition, Pause, crash, partition, pause};
pub use heartbeat::{Beat, Heartbeat};
pub use interrupt::{check_interrupt, stop_requested};
pub use latency::Latency;
pub use network::Link;
pub use node::{Context, Node, NodeId, Peers, TimerId};
pub use pinger::{PingPong, Pinger};
pub(crate) use recorder::Recorder;
pub use recorder::{
    DropReason, Event, EventKind, EventRow, MessageId, Operation, OperationId, SentMessage, Trace,
};
pub use rng::Rng;
pub use scheduler::Scheduler;
pub use simulation::Simulation;
pub use stats::{Bin, Cdf, Histogram, Zipf, percentile, percentiles};
pub use time::{Time, ms, ns, secs, us};
