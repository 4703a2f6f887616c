//! The simulation: nodes, network, clocks and faults, driven by one scheduler.
//!
//! A [`Simulation`] owns everything a run needs and nothing outside it: the nodes (built by
//! factories you give it), the network, each node's physical clock, random stream and disk, the
//! fault schedule, and the recorder. You set it up, then advance it with
//! [`run_until`](Simulation::run_until): the scheduler hands out events one at a time in
//! `(time, insertion order)` order, and each event calls one node's handler or applies one
//! fault.
//!
//! Runs are bounded. Every run call stops after [`event_limit`](Simulation::set_event_limit)
//! events with an error instead of spinning forever, because a notebook cell stuck in an endless
//! loop is worse than one that says why it stopped.
//!
//! # Examples
//!
//! Three nodes exchanging heartbeats over a jittery network, with node 0 cut off for a while:
//!
//! ```
//! use lessons::sim::{Heartbeat, Latency, Link, Simulation, ms, partition};
//!
//! let mut sim = Simulation::new(42);
//! for name in ["A", "B", "C"] {
//!     sim.add_node(name, || Heartbeat::every(ms(100)));
//! }
//! sim.set_links(Link::new().latency(Latency::uniform(ms(5), ms(30))))?;
//! sim.add_fault(partition(0, [1, 2]).at(ms(150)).heal_at(ms(350)))?;
//! sim.run_until(ms(500))?;
//! assert_eq!(sim.trace().drops().count(), 8); // two beats each way between A and the others
//! # Ok::<(), lessons::sim::SimError>(())
//! ```

use std::any::Any;
use std::collections::{HashSet, VecDeque};
use std::fmt::{self, Debug};

use super::clock::PhysicalClock;
use super::disk::Disk;
use super::error::SimError;
use super::faults::Fault;
use super::interrupt::check_interrupt;
use super::network::{Fate, Link, Network};
use super::node::{Context, Node, NodeId, TimerId};
use super::recorder::{DropReason, EventKind, MessageId, OperationId, Recorder, Trace};
use super::rng::Rng;
use super::scheduler::Scheduler;
use super::time::Time;

/// The stream label of nodes, see [`Rng::derive`].
const NODE_STREAM: u64 = 1;

/// A deterministic simulation of nodes exchanging messages of type `M`.
///
/// # Examples
///
/// ```
/// use lessons::sim::{Heartbeat, Simulation, ms};
///
/// let mut sim = Simulation::new(7);
/// let a = sim.add_node("A", || Heartbeat::every(ms(50)));
/// let b = sim.add_node("B", || Heartbeat::every(ms(50)));
/// sim.run_until(ms(120))?;
/// assert_eq!(sim.node::<Heartbeat>(b).unwrap().last_heard_from(a), Some(ms(101)));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub struct Simulation<M> {
    seed: u64,
    nodes: Vec<Slot<M>>,
    core: Core<M>,
    event_limit: u64,
}

/// What the scheduler holds: everything that can happen at a moment.
#[derive(Debug)]
pub(crate) enum Item<M> {
    Start {
        node: NodeId,
    },
    Deliver {
        message: MessageId,
        from: NodeId,
        to: NodeId,
        payload: M,
    },
    Timer {
        node: NodeId,
        incarnation: u32,
        timer: TimerId,
        tag: u64,
    },
    Crash {
        node: NodeId,
    },
    Restart {
        node: NodeId,
    },
    Pause {
        node: NodeId,
    },
    Resume {
        node: NodeId,
    },
    ClockStep {
        node: NodeId,
        version: u32,
        by: Time,
    },
}

/// Whether a node is running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Up,
    Paused,
    Down,
}

/// A node value that can also be looked at as its concrete type.
trait AnyNode<M>: Node<M> {
    fn as_any(&self) -> &dyn Any;
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

impl<M, N: Node<M> + Any> AnyNode<M> for N {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

type Factory<M> = Box<dyn FnMut() -> Box<dyn AnyNode<M>>>;

/// One node and what belongs to it alone.
struct Slot<M> {
    factory: Factory<M>,
    /// `None` while crashed: the memory is gone.
    value: Option<Box<dyn AnyNode<M>>>,
    status: Status,
    /// Counts crashes, so timers set by an earlier incarnation never fire.
    incarnation: u32,
    rng: Rng,
    disk: Disk,
    /// Deliveries and timers that fell due while paused, in order.
    waiting: VecDeque<Item<M>>,
    /// Crash and pause windows already scheduled, to refuse overlaps.
    windows: Vec<(Time, Option<Time>)>,
}

/// Everything a handler may touch besides its own node: borrowed by [`Context`].
pub(crate) struct Core<M> {
    scheduler: Scheduler<Item<M>>,
    network: Network,
    recorder: Recorder<M>,
    clocks: Vec<PhysicalClock>,
    /// Bumped by `set_clock`, so steps of a replaced clock are not recorded.
    clock_versions: Vec<u32>,
    next_timer: u64,
    /// Timers set and neither fired nor cancelled; a cancelled timer is simply forgotten.
    live_timers: HashSet<TimerId>,
    /// Reused for every send, to keep the hot path free of allocations.
    fates: Vec<Fate>,
}

impl<M> Debug for Simulation<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Simulation")
            .field("seed", &self.seed)
            .field("nodes", &self.nodes.len())
            .field("now", &self.core.scheduler.now())
            .field("pending events", &self.core.scheduler.len())
            .finish()
    }
}

impl<M: Clone + Debug + 'static> Simulation<M> {
    /// The largest number of events one run call handles unless told otherwise.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::sim::Simulation::<()>::DEFAULT_EVENT_LIMIT, 1_000_000);
    /// ```
    pub const DEFAULT_EVENT_LIMIT: u64 = 1_000_000;

    /// An empty simulation at time zero; `seed` decides every random draw.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{Simulation, Time};
    ///
    /// let sim: Simulation<String> = Simulation::new(42);
    /// assert_eq!((sim.seed(), sim.now(), sim.node_count()), (42, Time::ZERO, 0));
    /// ```
    pub fn new(seed: u64) -> Simulation<M> {
        Simulation {
            seed,
            nodes: Vec::new(),
            core: Core {
                scheduler: Scheduler::new(),
                network: Network::new(seed),
                recorder: Recorder::new(),
                clocks: Vec::new(),
                clock_versions: Vec::new(),
                next_timer: 0,
                live_timers: HashSet::new(),
                fates: Vec::with_capacity(2),
            },
            event_limit: Self::DEFAULT_EVENT_LIMIT,
        }
    }

    /// The seed the simulation was made with.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::sim::Simulation::<()>::new(9).seed(), 9);
    /// ```
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Adds a node called `name`, built by `factory` now and again after every crash, and
    /// returns its id. It starts (its `on_start` runs) at the current time.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{Heartbeat, Simulation, ms};
    ///
    /// let mut sim = Simulation::new(1);
    /// let ids: Vec<_> = ["A", "B", "C"]
    ///     .into_iter()
    ///     .map(|name| sim.add_node(name, || Heartbeat::every(ms(100))))
    ///     .collect();
    /// assert_eq!(ids, [0, 1, 2]);
    /// ```
    pub fn add_node<N, F>(&mut self, name: impl Into<String>, mut factory: F) -> NodeId
    where
        N: Node<M> + 'static,
        F: FnMut() -> N + 'static,
    {
        let id = self.nodes.len();
        let mut factory: Factory<M> = Box::new(move || Box::new(factory()));
        let value = factory();
        self.nodes.push(Slot {
            factory,
            value: Some(value),
            status: Status::Up,
            incarnation: 0,
            rng: Rng::derive(self.seed, &[NODE_STREAM, id as u64]),
            disk: Disk::new(),
            waiting: VecDeque::new(),
            windows: Vec::new(),
        });
        self.core.clocks.push(PhysicalClock::new());
        self.core.clock_versions.push(0);
        self.core.recorder.add_node(name.into());
        let now = self.now();
        self.core.scheduler.schedule(now, Item::Start { node: id });
        id
    }

    /// How many nodes there are.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{Heartbeat, Simulation, ms};
    ///
    /// let mut sim = Simulation::new(1);
    /// sim.add_node("A", || Heartbeat::every(ms(10)));
    /// assert_eq!(sim.node_count(), 1);
    /// ```
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// Node `id` as its concrete type `N`, to look at its state; `None` if there is no such
    /// node, it is not an `N`, or it is crashed.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{Heartbeat, Simulation, ms};
    ///
    /// let mut sim = Simulation::new(1);
    /// sim.add_node("A", || Heartbeat::every(ms(10)));
    /// assert_eq!(sim.node::<Heartbeat>(0).unwrap().interval(), ms(10));
    /// assert!(sim.node::<String>(0).is_none());
    /// assert!(sim.node::<Heartbeat>(5).is_none());
    /// ```
    pub fn node<N: 'static>(&self, id: NodeId) -> Option<&N> {
        self.nodes.get(id)?.value.as_ref()?.as_any().downcast_ref()
    }

    /// Node `id` as its concrete type `N`, to change its state between runs (a client's queue
    /// of requests, say); `None` as for [`node`](Self::node).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{Heartbeat, Simulation, ms};
    ///
    /// let mut sim = Simulation::new(1);
    /// sim.add_node("A", || Heartbeat::every(ms(10)));
    /// assert!(sim.node_mut::<Heartbeat>(0).is_some());
    /// ```
    pub fn node_mut<N: 'static>(&mut self, id: NodeId) -> Option<&mut N> {
        self.nodes
            .get_mut(id)?
            .value
            .as_mut()?
            .as_any_mut()
            .downcast_mut()
    }

    /// Sets every link that was not set by itself with [`set_link`](Self::set_link).
    ///
    /// # Errors
    ///
    /// A [`SimError`] if a setting is out of range; the links are then unchanged.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{Latency, Link, Simulation, ms};
    ///
    /// let mut sim: Simulation<()> = Simulation::new(1);
    /// sim.set_links(Link::new().latency(Latency::exponential(ms(5))).loss(0.01))?;
    /// assert!(sim.set_links(Link::new().loss(1.5)).is_err());
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn set_links(&mut self, link: Link) -> Result<(), SimError> {
        link.validate()?;
        self.core.network.set_default(link);
        Ok(())
    }

    /// Sets the one-way link from `from` to `to` by itself.
    ///
    /// # Errors
    ///
    /// A [`SimError`] if a node does not exist or a setting is out of range.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{Heartbeat, Latency, Link, Simulation, ms};
    ///
    /// let mut sim = Simulation::new(1);
    /// sim.add_node("A", || Heartbeat::every(ms(10)));
    /// sim.add_node("B", || Heartbeat::every(ms(10)));
    /// sim.set_link(0, 1, Link::new().latency(Latency::constant(ms(80))))?; // a slow uplink
    /// assert!(sim.set_link(0, 2, Link::new()).is_err());
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn set_link(&mut self, from: NodeId, to: NodeId, link: Link) -> Result<(), SimError> {
        self.check_node(from)?;
        self.check_node(to)?;
        link.validate()?;
        self.core.network.set_link(from, to, link);
        Ok(())
    }

    /// Gives node `node` this physical clock; its steps are recorded in the trace as they
    /// happen.
    ///
    /// # Errors
    ///
    /// A [`SimError`] if the node does not exist, the clock's settings are out of range, or a
    /// step is earlier than the current time.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{Heartbeat, PhysicalClock, Simulation, ms};
    ///
    /// let mut sim = Simulation::new(1);
    /// sim.add_node("A", || Heartbeat::every(ms(10)));
    /// sim.set_clock(0, PhysicalClock::new().offset(ms(25)).drift_ppm(200))?;
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn set_clock(&mut self, node: NodeId, clock: PhysicalClock) -> Result<(), SimError> {
        self.check_node(node)?;
        clock.validate()?;
        let now = self.now();
        if let Some(step) = clock.steps.iter().find(|step| step.at < now) {
            return Err(SimError::InThePast {
                what: "clock step",
                at: step.at,
                now,
            });
        }
        self.core.clock_versions[node] += 1;
        let version = self.core.clock_versions[node];
        for step in &clock.steps {
            let item = Item::ClockStep {
                node,
                version,
                by: step.by,
            };
            self.core.scheduler.schedule(step.at, item);
        }
        self.core.clocks[node] = clock;
        Ok(())
    }

    /// Schedules a fault.
    ///
    /// # Errors
    ///
    /// A [`SimError`] if the fault names a node that does not exist, ends before it starts,
    /// starts before the current time, or overlaps another crash or pause of the same node.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{Heartbeat, Simulation, crash, ms, partition, pause};
    ///
    /// let mut sim = Simulation::new(1);
    /// for name in ["A", "B", "C"] {
    ///     sim.add_node(name, || Heartbeat::every(ms(100)));
    /// }
    /// sim.add_fault(partition(0, [1, 2]).at(ms(100)).heal_at(ms(400)))?;
    /// sim.add_fault(crash(2).at(ms(50)).restart_at(ms(300)))?;
    /// sim.add_fault(pause(1).at(ms(200)).resume_at(ms(260)))?;
    /// let error = sim.add_fault(partition(0, 5)).unwrap_err();
    /// assert_eq!(error.to_string(), "node 5 does not exist; nodes are numbered 0 to 2");
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn add_fault(&mut self, fault: impl Into<Fault>) -> Result<(), SimError> {
        let fault = fault.into();
        fault.validate(self.nodes.len())?;
        let (start, end) = fault.window();
        let now = self.now();
        if start < now {
            return Err(SimError::InThePast {
                what: fault.kind(),
                at: start,
                now,
            });
        }
        let scheduler = &mut self.core.scheduler;
        match &fault {
            Fault::Partition(partition) => {
                for (from, to) in partition.blocked_links() {
                    self.core.network.block(from, to, start, end);
                }
            }
            Fault::Crash(crash) => {
                claim_window(&mut self.nodes[crash.node], crash.node, start, end)?;
                scheduler.schedule(start, Item::Crash { node: crash.node });
                if let Some(restart) = end {
                    scheduler.schedule(restart, Item::Restart { node: crash.node });
                }
            }
            Fault::Pause(pause) => {
                claim_window(&mut self.nodes[pause.node], pause.node, start, end)?;
                scheduler.schedule(start, Item::Pause { node: pause.node });
                if let Some(resume) = end {
                    scheduler.schedule(resume, Item::Resume { node: pause.node });
                }
            }
        }
        self.core.recorder.add_fault(fault);
        Ok(())
    }

    /// Schedules every fault of a schedule, in order.
    ///
    /// # Errors
    ///
    /// The first fault refused, as by [`add_fault`](Self::add_fault); the faults before it stay
    /// scheduled.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{Fault, Heartbeat, Simulation, crash, ms, partition};
    ///
    /// let mut sim = Simulation::new(1);
    /// for name in ["A", "B", "C"] {
    ///     sim.add_node(name, || Heartbeat::every(ms(100)));
    /// }
    /// let schedule: Vec<Fault> = vec![
    ///     partition(0, 1).at(ms(100)).heal_at(ms(200)).into(),
    ///     crash(2).at(ms(150)).into(),
    /// ];
    /// sim.add_faults(schedule)?;
    /// assert_eq!(sim.trace().faults().len(), 2);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn add_faults(&mut self, faults: impl IntoIterator<Item = Fault>) -> Result<(), SimError> {
        faults
            .into_iter()
            .try_for_each(|fault| self.add_fault(fault))
    }

    /// Turns recording on (the default) or off. Off, runs keep no trace, which saves time and
    /// memory in long experiments that only look at the nodes' final state.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{Heartbeat, Simulation, ms};
    ///
    /// let mut sim = Simulation::new(1);
    /// sim.add_node("A", || Heartbeat::every(ms(10)));
    /// sim.set_recording(false);
    /// sim.run_until(ms(100))?;
    /// assert!(sim.trace().events().is_empty());
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn set_recording(&mut self, on: bool) {
        self.core.recorder.set_enabled(on);
    }

    /// Sets how many events one run call may handle before it stops with
    /// [`SimError::EventLimit`].
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{Heartbeat, SimError, Simulation, ms};
    ///
    /// let mut sim = Simulation::new(1);
    /// sim.add_node("A", || Heartbeat::every(ms(10)));
    /// sim.set_event_limit(5);
    /// assert!(matches!(sim.run_until(ms(1_000)), Err(SimError::EventLimit { limit: 5, .. })));
    /// ```
    pub fn set_event_limit(&mut self, limit: u64) {
        self.event_limit = limit;
    }

    /// The current virtual time.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{Simulation, ms};
    ///
    /// let mut sim: Simulation<()> = Simulation::new(1);
    /// sim.run_until(ms(5))?;
    /// assert_eq!(sim.now(), ms(5));
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn now(&self) -> Time {
        self.core.scheduler.now()
    }

    /// What has been recorded so far.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{Heartbeat, Simulation, ms};
    ///
    /// let mut sim = Simulation::new(1);
    /// sim.add_node("A", || Heartbeat::every(ms(10)));
    /// sim.run_until(ms(35))?;
    /// assert_eq!(sim.trace().events().len(), 4); // start, then timers at 10, 20 and 30 ms
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn trace(&self) -> &Trace<M> {
        self.core.recorder.trace()
    }

    /// Handles every event due at or before `time`, then sets the clock to `time`; returns how
    /// many events were handled.
    ///
    /// # Errors
    ///
    /// [`SimError::EventLimit`] if more events are due than the limit allows; the simulation
    /// stops at the time of the last event handled, and a later call carries on from there.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{Heartbeat, Simulation, ms};
    ///
    /// let mut sim = Simulation::new(1);
    /// sim.add_node("A", || Heartbeat::every(ms(10)));
    /// assert_eq!(sim.run_until(ms(25))?, 3); // start, timers at 10 and 20 ms
    /// assert_eq!(sim.run_until(ms(30))?, 1);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn run_until(&mut self, time: Time) -> Result<u64, SimError> {
        let handled = self.run_events(Some(time))?;
        self.core.scheduler.advance_to(time);
        self.core.recorder.set_end(self.now());
        Ok(handled)
    }

    /// Runs for `span` more virtual time: [`run_until`](Self::run_until) now plus `span`.
    ///
    /// # Errors
    ///
    /// As [`run_until`](Self::run_until).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{Simulation, ms};
    ///
    /// let mut sim: Simulation<()> = Simulation::new(1);
    /// sim.run_for(ms(10))?;
    /// sim.run_for(ms(10))?;
    /// assert_eq!(sim.now(), ms(20));
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn run_for(&mut self, span: Time) -> Result<u64, SimError> {
        self.run_until(self.now() + span)
    }

    /// Handles events until none is left (nodes that keep setting timers never get there; the
    /// event limit stops them); returns how many were handled.
    ///
    /// # Errors
    ///
    /// As [`run_until`](Self::run_until).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{Heartbeat, SimError, Simulation, ms};
    ///
    /// let mut quiet: Simulation<()> = Simulation::new(1);
    /// assert_eq!(quiet.run()?, 0);
    ///
    /// let mut busy = Simulation::new(1);
    /// busy.add_node("A", || Heartbeat::every(ms(10)));
    /// busy.set_event_limit(100);
    /// assert!(matches!(busy.run(), Err(SimError::EventLimit { .. })));
    /// # Ok::<(), SimError>(())
    /// ```
    pub fn run(&mut self) -> Result<u64, SimError> {
        let handled = self.run_events(None)?;
        self.core.recorder.set_end(self.now());
        Ok(handled)
    }

    fn run_events(&mut self, until: Option<Time>) -> Result<u64, SimError> {
        let mut handled = 0;
        loop {
            let next = match until {
                Some(limit) => self
                    .core
                    .scheduler
                    .next_time()
                    .filter(|&time| time <= limit),
                None => self.core.scheduler.next_time(),
            };
            if next.is_none() {
                return Ok(handled);
            }
            if handled >= self.event_limit {
                self.core.recorder.set_end(self.now());
                return Err(SimError::EventLimit {
                    limit: self.event_limit,
                    now: self.now(),
                });
            }
            // Asking costs an atomic load; every 1,024 events is still far below a millisecond.
            if handled % 1024 == 1023 {
                check_interrupt(|| {
                    format!("virtual time {} after {} events", self.now(), handled + 1)
                })?;
            }
            let Some((_, item)) = self.core.scheduler.pop() else {
                return Ok(handled);
            };
            self.handle(item);
            handled += 1;
        }
    }

    fn check_node(&self, node: NodeId) -> Result<(), SimError> {
        if node < self.nodes.len() {
            Ok(())
        } else {
            Err(SimError::UnknownNode {
                node,
                node_count: self.nodes.len(),
            })
        }
    }

    fn handle(&mut self, item: Item<M>) {
        match item {
            Item::Start { node } => {
                self.record(node, EventKind::Start);
                self.call(node, |value, ctx| value.on_start(ctx));
            }
            Item::Deliver {
                message,
                from,
                to,
                payload,
            } => self.arrive(message, from, to, payload),
            Item::Timer {
                node,
                incarnation,
                timer,
                tag,
            } => {
                let slot = &mut self.nodes[node];
                if !self.core.live_timers.remove(&timer) || incarnation != slot.incarnation {
                    return;
                }
                if slot.status == Status::Paused {
                    slot.waiting.push_back(Item::Timer {
                        node,
                        incarnation,
                        timer,
                        tag,
                    });
                    return;
                }
                self.fire_timer(node, tag);
            }
            Item::Crash { node } => self.crash(node),
            Item::Restart { node } => self.restart(node),
            Item::Pause { node } => {
                if self.nodes[node].status == Status::Up {
                    self.nodes[node].status = Status::Paused;
                    self.record(node, EventKind::Pause);
                }
            }
            Item::Resume { node } => self.resume(node),
            Item::ClockStep { node, version, by } => {
                if version == self.core.clock_versions[node] {
                    self.record(node, EventKind::ClockStep { by });
                }
            }
        }
    }

    /// A copy reaches `to`: blocked links drop it, a paused node keeps it for later, a crashed
    /// node loses it.
    fn arrive(&mut self, message: MessageId, from: NodeId, to: NodeId, payload: M) {
        let now = self.now();
        if self.core.network.is_blocked(from, to, now) {
            return self
                .core
                .drop_copy(message, from, to, DropReason::Partition);
        }
        match self.nodes[to].status {
            Status::Down => self.core.drop_copy(message, from, to, DropReason::NodeDown),
            Status::Paused => self.nodes[to].waiting.push_back(Item::Deliver {
                message,
                from,
                to,
                payload,
            }),
            Status::Up => self.deliver(message, from, to, payload),
        }
    }

    fn deliver(&mut self, message: MessageId, from: NodeId, to: NodeId, payload: M) {
        self.record(to, EventKind::Deliver { message, from });
        self.call(to, |value, ctx| value.on_message(ctx, from, payload));
    }

    fn fire_timer(&mut self, node: NodeId, tag: u64) {
        self.record(node, EventKind::Timer { tag });
        self.call(node, |value, ctx| value.on_timer(ctx, tag));
    }

    fn crash(&mut self, node: NodeId) {
        let slot = &mut self.nodes[node];
        if slot.status == Status::Down {
            return;
        }
        slot.status = Status::Down;
        slot.value = None;
        slot.incarnation += 1;
        let waiting = std::mem::take(&mut slot.waiting);
        self.record(node, EventKind::Crash);
        for item in waiting {
            if let Item::Deliver { message, from, .. } = item {
                self.core
                    .drop_copy(message, from, node, DropReason::NodeDown);
            }
        }
    }

    fn restart(&mut self, node: NodeId) {
        let slot = &mut self.nodes[node];
        if slot.status != Status::Down {
            return;
        }
        slot.value = Some((slot.factory)());
        slot.status = Status::Up;
        self.record(node, EventKind::Restart);
        self.call(node, |value, ctx| value.on_start(ctx));
    }

    /// Unfreezes the node and handles, in order, what fell due while it was paused.
    fn resume(&mut self, node: NodeId) {
        if self.nodes[node].status != Status::Paused {
            return;
        }
        self.nodes[node].status = Status::Up;
        self.record(node, EventKind::Resume);
        while let Some(item) = self.nodes[node].waiting.pop_front() {
            match item {
                Item::Deliver {
                    message,
                    from,
                    to,
                    payload,
                } => self.deliver(message, from, to, payload),
                Item::Timer { tag, .. } => self.fire_timer(node, tag),
                _ => {}
            }
        }
    }

    fn record(&mut self, node: NodeId, kind: EventKind) {
        self.core.record(node, kind);
    }

    /// Calls one handler of `node` with a fresh context, if the node is alive.
    fn call(
        &mut self,
        node: NodeId,
        handler: impl FnOnce(&mut dyn AnyNode<M>, &mut Context<'_, M>),
    ) {
        let slot = &mut self.nodes[node];
        let Some(value) = slot.value.as_mut() else {
            return;
        };
        let mut ctx = Context {
            core: &mut self.core,
            me: node,
            incarnation: slot.incarnation,
            rng: &mut slot.rng,
            disk: &mut slot.disk,
        };
        handler(value.as_mut(), &mut ctx);
    }
}

/// Reserves a crash or pause window of `slot`, refusing one that overlaps a window it has.
fn claim_window<M>(
    slot: &mut Slot<M>,
    node: NodeId,
    start: Time,
    end: Option<Time>,
) -> Result<(), SimError> {
    let overlaps = |&&(other_start, other_end): &&(Time, Option<Time>)| {
        end.is_none_or(|end| other_start < end) && other_end.is_none_or(|other| start < other)
    };
    if let Some(&(start, end)) = slot.windows.iter().find(overlaps) {
        return Err(SimError::Overlap { node, start, end });
    }
    slot.windows.push((start, end));
    Ok(())
}

impl<M> Core<M> {
    pub(crate) fn now(&self) -> Time {
        self.scheduler.now()
    }

    pub(crate) fn node_count(&self) -> usize {
        self.clocks.len()
    }

    pub(crate) fn read_clock(&self, node: NodeId) -> Time {
        self.clocks[node].reading(self.now())
    }
}

impl<M: Clone> Core<M> {
    fn record(&mut self, node: NodeId, kind: EventKind) {
        // Reading a clock costs more than the rest of a step when nothing is recorded.
        if self.recorder.is_enabled() {
            let clock = self.read_clock(node);
            self.recorder.event(self.now(), node, clock, kind);
        }
    }

    fn drop_copy(&mut self, message: MessageId, from: NodeId, to: NodeId, reason: DropReason) {
        self.record(
            to,
            EventKind::Drop {
                message,
                from,
                reason,
            },
        );
    }

    /// Sends through the network: records the send, then each copy's drop or schedules its
    /// delivery. The payload is moved into the last copy, so a plain send clones nothing when
    /// recording is off.
    pub(crate) fn send(&mut self, from: NodeId, to: NodeId, payload: M) {
        let now = self.now();
        if to >= self.node_count() {
            let message = self.recorder.message(from, to, now, 1, &payload);
            self.record(from, EventKind::Send { message, to });
            self.record(
                from,
                EventKind::Drop {
                    message,
                    from,
                    reason: DropReason::NoSuchNode,
                },
            );
            return;
        }
        let mut fates = std::mem::take(&mut self.fates);
        self.network.transmit(from, to, now, &mut fates);
        let message = self
            .recorder
            .message(from, to, now, fates.len() as u32, &payload);
        self.record(from, EventKind::Send { message, to });
        let mut payload = Some(payload);
        let last = fates.len() - 1;
        for (copy, &fate) in fates.iter().enumerate() {
            match fate {
                Fate::Lost => self.drop_copy(message, from, to, DropReason::Loss),
                Fate::Blocked => self.drop_copy(message, from, to, DropReason::Partition),
                Fate::ArrivesAt(time) => {
                    let copy_payload = if copy == last {
                        payload.take()
                    } else {
                        payload.clone()
                    };
                    if let Some(payload) = copy_payload {
                        let item = Item::Deliver {
                            message,
                            from,
                            to,
                            payload,
                        };
                        self.scheduler.schedule(time, item);
                    }
                }
            }
        }
        self.fates = fates;
    }

    pub(crate) fn set_timer(
        &mut self,
        node: NodeId,
        incarnation: u32,
        delay: Time,
        tag: u64,
    ) -> TimerId {
        let timer = TimerId(self.next_timer);
        self.next_timer += 1;
        self.live_timers.insert(timer);
        let item = Item::Timer {
            node,
            incarnation,
            timer,
            tag,
        };
        self.scheduler.schedule_after(delay, item);
        timer
    }

    pub(crate) fn cancel_timer(&mut self, timer: TimerId) {
        self.live_timers.remove(&timer);
    }

    pub(crate) fn label(&mut self, node: NodeId, text: String) {
        self.recorder.label(node, text);
    }

    pub(crate) fn note(&mut self, node: NodeId, text: String) {
        let clock = self.read_clock(node);
        self.recorder
            .event_with_label(self.now(), node, clock, EventKind::Note, Some(text));
    }

    pub(crate) fn invoke(&mut self, node: NodeId, operation: String) -> OperationId {
        let clock = self.read_clock(node);
        self.recorder.invoke(node, self.now(), clock, operation)
    }

    pub(crate) fn respond(&mut self, node: NodeId, operation: OperationId, result: String) {
        let clock = self.read_clock(node);
        self.recorder
            .respond(node, self.now(), clock, operation, result);
    }
}
