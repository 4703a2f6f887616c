//! The trace: everything that happened in a run, in the order it happened.
//!
//! The simulation records every event as it handles it: each node's start, every send, delivery
//! and drop, every timer, crash, restart, pause, resume and clock step, every local event a node
//! notes, and every client operation with the times it was invoked and answered. The result is a
//! [`Trace`], which is plain data:
//!
//! * [`Trace::events`] in handling order, each with its true time, the node's clock reading at
//!   that moment, and an optional label set by the node ([`Context::label`](super::Context::label));
//! * [`Trace::messages`], one entry per message sent, with the message itself;
//! * [`Trace::operations`], the client history that consistency checkers read;
//! * [`Trace::faults`], the fault schedule the run had.
//!
//! From it come the space-time diagram ([`SpaceTimeDiagram`](crate::viz::SpaceTimeDiagram)),
//! flat serializable rows ([`Trace::rows`]) for plots and checkers, and a readable table
//! ([`Trace::table`]). Two runs with the same seed and setup give equal traces, event for event.
//!
//! # Examples
//!
//! ```
//! use lessons::sim::{EventKind, Heartbeat, Simulation, ms};
//!
//! let mut sim = Simulation::new(3);
//! for name in ["A", "B"] {
//!     sim.add_node(name, || Heartbeat::every(ms(100)));
//! }
//! sim.run_until(ms(250))?;
//! let trace = sim.trace();
//! let sends = trace.events().iter().filter(|e| matches!(e.kind, EventKind::Send { .. })).count();
//! assert_eq!(sends, 4); // each node beats at 100 ms and 200 ms
//! assert_eq!(trace.deliveries().count(), 4);
//! # Ok::<(), lessons::sim::SimError>(())
//! ```

use std::fmt::{self, Debug};

use serde::Serialize;

use super::faults::Fault;
use super::node::NodeId;
use super::time::Time;
use crate::clocks::LamportClock;
use crate::table::Table;

/// A message's number: its position in [`Trace::messages`], counting from 0.
///
/// # Examples
///
/// ```
/// use lessons::sim::MessageId;
///
/// let first: MessageId = 0;
/// assert_eq!(first, 0usize);
/// ```
pub type MessageId = usize;

/// A client operation's number: its position in [`Trace::operations`], counting from 0.
///
/// # Examples
///
/// ```
/// use lessons::sim::OperationId;
///
/// let first: OperationId = 0;
/// assert_eq!(first, 0usize);
/// ```
pub type OperationId = usize;

/// One thing that happened on one node.
///
/// # Examples
///
/// ```
/// use lessons::sim::{EventKind, Heartbeat, Simulation, ms};
///
/// let mut sim = Simulation::new(1);
/// sim.add_node("A", || Heartbeat::every(ms(10)));
/// sim.run_until(ms(0))?;
/// let start = &sim.trace().events()[0];
/// assert_eq!((start.index, start.node, start.kind.clone()), (0, 0, EventKind::Start));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    /// The event's position in [`Trace::events`].
    pub index: usize,
    /// The true time.
    pub time: Time,
    /// The node it happened on (for a drop: the node the message was for).
    pub node: NodeId,
    /// What the node's physical clock read at that moment.
    pub clock: Time,
    /// What happened.
    pub kind: EventKind,
    /// Text the node attached with [`Context::label`](super::Context::label) or
    /// [`Context::note`](super::Context::note).
    pub label: Option<String>,
}

/// What an [`Event`] was.
///
/// # Examples
///
/// ```
/// use lessons::sim::EventKind;
///
/// let kind = EventKind::Send { message: 0, to: 2 };
/// assert_eq!(kind.name(), "send");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum EventKind {
    /// The node booted (its first start; see [`EventKind::Restart`]).
    Start,
    /// The node sent a message.
    Send {
        /// Which message.
        message: MessageId,
        /// To whom.
        to: NodeId,
    },
    /// A message (or a copy of it) was handed to the node.
    Deliver {
        /// Which message.
        message: MessageId,
        /// From whom.
        from: NodeId,
    },
    /// A copy of a message for this node was dropped.
    Drop {
        /// Which message.
        message: MessageId,
        /// Who sent it.
        from: NodeId,
        /// Why.
        reason: DropReason,
    },
    /// A timer went off.
    Timer {
        /// The tag it was set with.
        tag: u64,
    },
    /// A local event recorded with [`Context::note`](super::Context::note); the text is the
    /// label.
    Note,
    /// The node crashed.
    Crash,
    /// The node restarted after a crash.
    Restart,
    /// The node froze.
    Pause,
    /// The node resumed after a pause.
    Resume,
    /// The node's clock jumped.
    ClockStep {
        /// By how much.
        by: Time,
    },
    /// A client operation began.
    Invoke {
        /// Which operation.
        operation: OperationId,
    },
    /// A client operation was answered.
    Respond {
        /// Which operation.
        operation: OperationId,
    },
}

impl EventKind {
    /// The kind in a word or two, as in the rows: `send`, `deliver`, `drop`, `clock step`, ...
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{EventKind, ms};
    ///
    /// assert_eq!(EventKind::ClockStep { by: ms(-5) }.name(), "clock step");
    /// ```
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Start => "start",
            EventKind::Send { .. } => "send",
            EventKind::Deliver { .. } => "deliver",
            EventKind::Drop { .. } => "drop",
            EventKind::Timer { .. } => "timer",
            EventKind::Note => "note",
            EventKind::Crash => "crash",
            EventKind::Restart => "restart",
            EventKind::Pause => "pause",
            EventKind::Resume => "resume",
            EventKind::ClockStep { .. } => "clock step",
            EventKind::Invoke { .. } => "invoke",
            EventKind::Respond { .. } => "respond",
        }
    }
}

/// Why a copy of a message did not arrive.
///
/// # Examples
///
/// ```
/// use lessons::sim::DropReason;
///
/// assert_eq!(DropReason::Partition.to_string(), "partition");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum DropReason {
    /// The link lost it at random.
    Loss,
    /// The link was blocked when it was sent or when it arrived.
    Partition,
    /// The receiver was crashed when it arrived (or crashed while paused with it waiting).
    NodeDown,
    /// It was addressed to a node that does not exist.
    NoSuchNode,
}

impl fmt::Display for DropReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DropReason::Loss => "loss",
            DropReason::Partition => "partition",
            DropReason::NodeDown => "node down",
            DropReason::NoSuchNode => "no such node",
        })
    }
}

/// A message as it was sent.
///
/// # Examples
///
/// ```
/// use lessons::sim::{Heartbeat, Simulation, ms};
///
/// let mut sim = Simulation::new(1);
/// sim.add_node("A", || Heartbeat::every(ms(10)));
/// sim.add_node("B", || Heartbeat::every(ms(10)));
/// sim.run_until(ms(10))?;
/// let first = &sim.trace().messages()[0];
/// assert_eq!((first.from, first.to, first.sent_at, first.copies), (0, 1, ms(10), 1));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SentMessage<M> {
    /// Its position in [`Trace::messages`].
    pub id: MessageId,
    /// The sender.
    pub from: NodeId,
    /// The addressee.
    pub to: NodeId,
    /// When it was sent.
    pub sent_at: Time,
    /// How many copies the network made (2 when it duplicated the message).
    pub copies: u32,
    /// The message itself.
    pub payload: M,
}

/// A client operation: what was asked, when, and what came back when.
///
/// # Examples
///
/// ```
/// use lessons::sim::Operation;
///
/// let pending = Operation {
///     id: 0,
///     client: 2,
///     operation: "read x".into(),
///     invoked_at: lessons::sim::ms(5),
///     result: None,
///     responded_at: None,
/// };
/// assert!(pending.result.is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Operation {
    /// Its position in [`Trace::operations`].
    pub id: OperationId,
    /// The node the client runs on.
    pub client: NodeId,
    /// What was asked, as text (`"write x=1"`).
    pub operation: String,
    /// When it was asked.
    pub invoked_at: Time,
    /// The answer, once there is one.
    pub result: Option<String>,
    /// When the answer came.
    pub responded_at: Option<Time>,
}

/// One event as a flat row of plain values, for plots, files and checkers.
///
/// Times are [`Time`] values, which serialize as whole nanoseconds.
///
/// # Examples
///
/// ```
/// use lessons::sim::{Heartbeat, Simulation, ms};
///
/// let mut sim = Simulation::new(1);
/// sim.add_node("A", || Heartbeat::every(ms(10)));
/// sim.add_node("B", || Heartbeat::every(ms(10)));
/// sim.run_until(ms(12))?;
/// let rows = sim.trace().rows();
/// let delivery = rows.iter().find(|row| row.kind == "deliver").unwrap();
/// assert_eq!((delivery.node_name.as_str(), delivery.peer), ("B", Some(0)));
/// let json = serde_json::to_string(delivery).unwrap();
/// assert!(json.contains(r#""time":11000000"#));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventRow {
    /// The event's position in the trace.
    pub index: usize,
    /// The true time.
    pub time: Time,
    /// The node's id.
    pub node: NodeId,
    /// The node's name.
    pub node_name: String,
    /// The node's clock reading.
    pub clock: Time,
    /// The kind, from [`EventKind::name`].
    pub kind: &'static str,
    /// The other node of a send, delivery or drop.
    pub peer: Option<NodeId>,
    /// The message of a send, delivery or drop.
    pub message: Option<MessageId>,
    /// The message (its `Debug` text), the drop reason, the timer tag, the operation or the
    /// clock step.
    pub detail: String,
    /// The node's label, or empty.
    pub label: String,
}

/// Everything recorded in a run.
///
/// # Examples
///
/// ```
/// use lessons::sim::{Heartbeat, Simulation, ms};
///
/// let mut sim = Simulation::new(1);
/// sim.add_node("A", || Heartbeat::every(ms(10)));
/// sim.run_until(ms(30))?;
/// let trace = sim.trace();
/// assert_eq!(trace.node_names(), ["A"]);
/// assert_eq!(trace.end(), ms(30));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Trace<M> {
    node_names: Vec<String>,
    events: Vec<Event>,
    messages: Vec<SentMessage<M>>,
    operations: Vec<Operation>,
    faults: Vec<Fault>,
    end: Time,
}

impl<M> Trace<M> {
    /// The nodes' names, by id.
    ///
    /// # Examples
    ///
    /// ```
    /// # use lessons::sim::{Heartbeat, Simulation, ms};
    /// let mut sim = Simulation::new(1);
    /// sim.add_node("leader", || Heartbeat::every(ms(10)));
    /// assert_eq!(sim.trace().node_names(), ["leader"]);
    /// ```
    pub fn node_names(&self) -> &[String] {
        &self.node_names
    }

    /// Every event, in the order the simulation handled them (so in time order).
    ///
    /// # Examples
    ///
    /// ```
    /// # use lessons::sim::{Heartbeat, Simulation, ms};
    /// let mut sim = Simulation::new(1);
    /// sim.add_node("A", || Heartbeat::every(ms(10)));
    /// sim.run_until(ms(100))?;
    /// let events = sim.trace().events();
    /// assert!(events.windows(2).all(|pair| pair[0].time <= pair[1].time));
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// Every message sent, by id.
    ///
    /// # Examples
    ///
    /// ```
    /// # use lessons::sim::{Heartbeat, Simulation, ms};
    /// let mut sim = Simulation::new(1);
    /// sim.add_node("A", || Heartbeat::every(ms(10)));
    /// sim.add_node("B", || Heartbeat::every(ms(10)));
    /// sim.run_until(ms(10))?;
    /// assert_eq!(sim.trace().messages().len(), 2);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn messages(&self) -> &[SentMessage<M>] {
        &self.messages
    }

    /// The message with this id, if it was recorded.
    ///
    /// # Examples
    ///
    /// ```
    /// # use lessons::sim::{Heartbeat, Simulation, ms};
    /// let mut sim = Simulation::new(1);
    /// sim.add_node("A", || Heartbeat::every(ms(10)));
    /// sim.add_node("B", || Heartbeat::every(ms(10)));
    /// sim.run_until(ms(10))?;
    /// assert_eq!(sim.trace().message(1).map(|m| m.from), Some(1));
    /// assert!(sim.trace().message(99).is_none());
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn message(&self, id: MessageId) -> Option<&SentMessage<M>> {
        self.messages.get(id)
    }

    /// Every client operation, by id.
    ///
    /// # Examples
    ///
    /// ```
    /// # use lessons::sim::{Heartbeat, Simulation, ms};
    /// let mut sim = Simulation::new(1);
    /// sim.add_node("A", || Heartbeat::every(ms(10)));
    /// assert!(sim.trace().operations().is_empty()); // heartbeats are not client operations
    /// ```
    pub fn operations(&self) -> &[Operation] {
        &self.operations
    }

    /// The faults the run was given, in the order they were added.
    ///
    /// # Examples
    ///
    /// ```
    /// # use lessons::sim::{Heartbeat, Simulation, crash, ms};
    /// let mut sim = Simulation::new(1);
    /// sim.add_node("A", || Heartbeat::every(ms(10)));
    /// sim.add_fault(crash(0).at(ms(50)))?;
    /// assert_eq!(sim.trace().faults().len(), 1);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn faults(&self) -> &[Fault] {
        &self.faults
    }

    /// The time the run has reached.
    ///
    /// # Examples
    ///
    /// ```
    /// # use lessons::sim::{Heartbeat, Simulation, ms};
    /// let mut sim = Simulation::new(1);
    /// sim.add_node("A", || Heartbeat::every(ms(10)));
    /// sim.run_until(ms(42))?;
    /// assert_eq!(sim.trace().end(), ms(42));
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn end(&self) -> Time {
        self.end
    }

    /// Every delivery, with the message delivered.
    ///
    /// # Examples
    ///
    /// ```
    /// # use lessons::sim::{Heartbeat, Simulation, ms};
    /// let mut sim = Simulation::new(1);
    /// sim.add_node("A", || Heartbeat::every(ms(10)));
    /// sim.add_node("B", || Heartbeat::every(ms(10)));
    /// sim.run_until(ms(15))?;
    /// for (event, message) in sim.trace().deliveries() {
    ///     assert_eq!(event.time - message.sent_at, ms(1)); // the default link takes 1 ms
    /// }
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn deliveries(&self) -> impl Iterator<Item = (&Event, &SentMessage<M>)> {
        self.events.iter().filter_map(|event| match event.kind {
            EventKind::Deliver { message, .. } => Some((event, self.messages.get(message)?)),
            _ => None,
        })
    }

    /// Every dropped copy, with the message and the reason.
    ///
    /// # Examples
    ///
    /// ```
    /// # use lessons::sim::{Heartbeat, Simulation, ms, partition};
    /// let mut sim = Simulation::new(1);
    /// sim.add_node("A", || Heartbeat::every(ms(10)));
    /// sim.add_node("B", || Heartbeat::every(ms(10)));
    /// sim.add_fault(partition(0, 1))?;
    /// sim.run_until(ms(10))?;
    /// assert_eq!(sim.trace().drops().count(), 2);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn drops(&self) -> impl Iterator<Item = (&Event, &SentMessage<M>, DropReason)> {
        self.events.iter().filter_map(|event| match event.kind {
            EventKind::Drop {
                message, reason, ..
            } => Some((event, self.messages.get(message)?, reason)),
            _ => None,
        })
    }

    /// A Lamport timestamp for every event, by index, computed from the trace itself.
    ///
    /// Each node's events tick a [`LamportClock`]: a send stamps the message, a delivery takes
    /// `max(local, stamp) + 1`, any other event adds one. A drop is not an event of its node,
    /// so it gets the node's time without a tick. The result respects happens-before, so it can
    /// label a diagram even when the nodes themselves keep no logical clock.
    ///
    /// # Examples
    ///
    /// ```
    /// # use lessons::sim::{EventKind, Heartbeat, Simulation, ms};
    /// let mut sim = Simulation::new(1);
    /// sim.add_node("A", || Heartbeat::every(ms(10)));
    /// sim.add_node("B", || Heartbeat::every(ms(10)));
    /// sim.run_until(ms(11))?;
    /// let lamport = sim.trace().lamport_times();
    /// for (event, message) in sim.trace().deliveries() {
    ///     let send = sim.trace().events().iter()
    ///         .find(|e| e.kind == EventKind::Send { message: message.id, to: message.to })
    ///         .unwrap();
    ///     assert!(lamport[send.index] < lamport[event.index]);
    /// }
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn lamport_times(&self) -> Vec<u64> {
        let mut clocks = vec![LamportClock::new(); self.node_names.len()];
        let mut stamps = vec![0; self.messages.len()];
        self.events
            .iter()
            .map(|event| {
                let clock = &mut clocks[event.node];
                match event.kind {
                    EventKind::Send { message, .. } => {
                        let stamp = clock.send();
                        if let Some(slot) = stamps.get_mut(message) {
                            *slot = stamp;
                        }
                        stamp
                    }
                    EventKind::Deliver { message, .. } => {
                        clock.receive(stamps.get(message).copied().unwrap_or(0))
                    }
                    EventKind::Drop { .. } => clock.time(),
                    _ => clock.tick(),
                }
            })
            .collect()
    }
}

impl<M: Debug> Trace<M> {
    /// Every event as a flat [`EventRow`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use lessons::sim::{Heartbeat, Simulation, ms};
    /// let mut sim = Simulation::new(1);
    /// sim.add_node("A", || Heartbeat::every(ms(10)));
    /// sim.run_until(ms(10))?;
    /// let kinds: Vec<&str> = sim.trace().rows().iter().map(|row| row.kind).collect();
    /// assert_eq!(kinds, ["start", "timer"]); // alone, A has nobody to send to
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn rows(&self) -> Vec<EventRow> {
        self.events.iter().map(|event| self.row(event)).collect()
    }

    /// The events as a table for reading: time and clock in readable units, one row each.
    ///
    /// # Examples
    ///
    /// ```
    /// # use lessons::sim::{Heartbeat, Simulation, ms};
    /// let mut sim = Simulation::new(1);
    /// sim.add_node("A", || Heartbeat::every(ms(10)));
    /// sim.run_until(ms(10))?;
    /// let table = sim.trace().table();
    /// assert_eq!(table.headers(), ["#", "time", "node", "clock", "event", "detail", "label"]);
    /// assert_eq!(table.rows()[1][1], "10ms");
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn table(&self) -> Table {
        let mut table = Table::new(["#", "time", "node", "clock", "event", "detail", "label"]);
        for event in &self.events {
            let row = self.row(event);
            let cells = [
                row.index.to_string(),
                row.time.to_string(),
                row.node_name,
                row.clock.to_string(),
                row.kind.to_string(),
                row.detail,
                row.label,
            ];
            table
                .push_row(cells)
                .expect("each row has exactly one cell per header");
        }
        table
    }

    /// The history of client operations as a table: one row per operation, with its client,
    /// what it asked, when, and the answer and its time ("no answer" for one still open when
    /// the run stopped).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{Pinger, Simulation, ms};
    ///
    /// let mut sim = Simulation::new(1);
    /// sim.add_node("A", || Pinger::every(ms(100)));
    /// sim.add_node("B", || Pinger::every(ms(100)));
    /// sim.run_until(ms(101))?;
    /// let table = sim.trace().operations_table();
    /// assert_eq!(table.headers(), ["#", "client", "operation", "invoked", "answer", "answered"]);
    /// assert_eq!(table.rows()[0][..4], ["0", "A", "ping node 1", "100ms"]);
    /// assert_eq!(table.rows()[0][4..], ["no answer", ""]); // the pong is still on its way
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn operations_table(&self) -> Table {
        let mut table = Table::new(["#", "client", "operation", "invoked", "answer", "answered"]);
        for operation in &self.operations {
            let client = self
                .node_names
                .get(operation.client)
                .cloned()
                .unwrap_or_else(|| operation.client.to_string());
            let cells = [
                operation.id.to_string(),
                client,
                operation.operation.clone(),
                operation.invoked_at.to_string(),
                operation
                    .result
                    .clone()
                    .unwrap_or_else(|| "no answer".to_string()),
                operation
                    .responded_at
                    .map(|at| at.to_string())
                    .unwrap_or_default(),
            ];
            table
                .push_row(cells)
                .expect("each row has exactly one cell per header");
        }
        table
    }

    fn row(&self, event: &Event) -> EventRow {
        let payload = |id: MessageId| {
            self.messages
                .get(id)
                .map_or(String::new(), |message| format!("{:?}", message.payload))
        };
        let operation = |id: OperationId| self.operations.get(id);
        let (peer, message, detail) = match &event.kind {
            EventKind::Send { message, to } => (Some(*to), Some(*message), payload(*message)),
            EventKind::Deliver { message, from } => {
                (Some(*from), Some(*message), payload(*message))
            }
            EventKind::Drop {
                message,
                from,
                reason,
            } => (
                Some(*from),
                Some(*message),
                format!("{reason}: {}", payload(*message)),
            ),
            EventKind::Timer { tag } => (None, None, format!("tag {tag}")),
            EventKind::ClockStep { by } => (None, None, format!("by {by}")),
            EventKind::Invoke { operation: id } => (
                None,
                None,
                operation(*id).map_or(String::new(), |op| op.operation.clone()),
            ),
            EventKind::Respond { operation: id } => (
                None,
                None,
                operation(*id)
                    .and_then(|op| op.result.clone())
                    .unwrap_or_default(),
            ),
            _ => (None, None, String::new()),
        };
        EventRow {
            index: event.index,
            time: event.time,
            node: event.node,
            node_name: self.node_names[event.node].clone(),
            clock: event.clock,
            kind: event.kind.name(),
            peer,
            message,
            detail,
            label: event.label.clone().unwrap_or_default(),
        }
    }
}

/// Writes the trace as it is built, or only counts ids when recording is off.
#[derive(Debug, Clone)]
pub(crate) struct Recorder<M> {
    trace: Trace<M>,
    enabled: bool,
    /// Each node's latest event, which [`Recorder::label`] attaches to.
    latest_event: Vec<Option<usize>>,
    messages_sent: usize,
    operations_started: usize,
}

impl<M: Clone> Recorder<M> {
    pub(crate) fn new() -> Recorder<M> {
        Recorder {
            trace: Trace {
                node_names: Vec::new(),
                events: Vec::new(),
                messages: Vec::new(),
                operations: Vec::new(),
                faults: Vec::new(),
                end: Time::ZERO,
            },
            enabled: true,
            latest_event: Vec::new(),
            messages_sent: 0,
            operations_started: 0,
        }
    }

    pub(crate) fn trace(&self) -> &Trace<M> {
        &self.trace
    }

    pub(crate) fn is_enabled(&self) -> bool {
        self.enabled
    }

    pub(crate) fn set_enabled(&mut self, enabled: bool) {
        self.enabled = enabled;
        // Labels must not land on events from before a gap in the recording.
        self.latest_event.fill(None);
    }

    pub(crate) fn add_node(&mut self, name: String) {
        self.trace.node_names.push(name);
        self.latest_event.push(None);
    }

    pub(crate) fn add_fault(&mut self, fault: Fault) {
        self.trace.faults.push(fault);
    }

    pub(crate) fn set_end(&mut self, end: Time) {
        self.trace.end = self.trace.end.max(end);
    }

    pub(crate) fn event(&mut self, time: Time, node: NodeId, clock: Time, kind: EventKind) {
        self.event_with_label(time, node, clock, kind, None);
    }

    pub(crate) fn event_with_label(
        &mut self,
        time: Time,
        node: NodeId,
        clock: Time,
        kind: EventKind,
        label: Option<String>,
    ) {
        if !self.enabled {
            return;
        }
        let index = self.trace.events.len();
        self.trace.events.push(Event {
            index,
            time,
            node,
            clock,
            kind,
            label,
        });
        self.latest_event[node] = Some(index);
    }

    /// Records a sent message and returns its id; the payload is copied only when recording.
    pub(crate) fn message(
        &mut self,
        from: NodeId,
        to: NodeId,
        sent_at: Time,
        copies: u32,
        payload: &M,
    ) -> MessageId {
        let id = self.messages_sent;
        self.messages_sent += 1;
        if self.enabled {
            self.trace.messages.push(SentMessage {
                id,
                from,
                to,
                sent_at,
                copies,
                payload: payload.clone(),
            });
        }
        id
    }

    pub(crate) fn label(&mut self, node: NodeId, text: String) {
        if let Some(index) = self.latest_event.get(node).copied().flatten() {
            self.trace.events[index].label = Some(text);
        }
    }

    pub(crate) fn invoke(
        &mut self,
        client: NodeId,
        time: Time,
        clock: Time,
        operation: String,
    ) -> OperationId {
        let id = self.operations_started;
        self.operations_started += 1;
        if self.enabled {
            self.trace.operations.push(Operation {
                id,
                client,
                operation,
                invoked_at: time,
                result: None,
                responded_at: None,
            });
            self.event(time, client, clock, EventKind::Invoke { operation: id });
        }
        id
    }

    pub(crate) fn respond(
        &mut self,
        client: NodeId,
        time: Time,
        clock: Time,
        operation: OperationId,
        result: String,
    ) {
        let Some(entry) = self.trace.operations.get_mut(operation) else {
            return;
        };
        if entry.client != client || entry.result.is_some() {
            return;
        }
        entry.result = Some(result);
        entry.responded_at = Some(time);
        self.event(time, client, clock, EventKind::Respond { operation });
    }
}
