//! Four clocks read off one recorded run, so the same space-time diagram can be labelled four
//! ways.

use serde::Serialize;

use super::{HybridClock, HybridTimestamp, LamportClock, VectorClock};
use crate::sim::{EventKind, Time, Trace};

/// Whether a trace event is an event a clock counts: a send, a delivery, a local event recorded
/// with [`Context::note`](crate::sim::Context::note), or the start or end of a client operation.
///
/// Starts, timers, drops, crashes, restarts, pauses and clock steps are the simulator's
/// bookkeeping, not steps of the algorithm, so the clocks of this module skip them.
///
/// # Examples
///
/// ```
/// use lessons::clocks::counts_as_event;
/// use lessons::sim::EventKind;
///
/// assert!(counts_as_event(&EventKind::Send { message: 0, to: 1 }));
/// assert!(counts_as_event(&EventKind::Note));
/// assert!(!counts_as_event(&EventKind::Timer { tag: 0 }));
/// ```
pub fn counts_as_event(kind: &EventKind) -> bool {
    matches!(
        kind,
        EventKind::Send { .. }
            | EventKind::Deliver { .. }
            | EventKind::Note
            | EventKind::Invoke { .. }
            | EventKind::Respond { .. }
    )
}

/// Which clock to read an event by.
///
/// # Examples
///
/// ```
/// use lessons::clocks::ClockKind;
///
/// assert_eq!(ClockKind::ALL.len(), 4);
/// assert_eq!(ClockKind::Hybrid.name(), "hybrid logical clock");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum ClockKind {
    /// The node's physical clock reading, with its offset, drift and steps.
    Wall,
    /// A [`LamportClock`].
    Lamport,
    /// A [`VectorClock`].
    Vector,
    /// A [`HybridClock`] fed with the node's physical readings.
    Hybrid,
}

impl ClockKind {
    /// The four kinds, in the order the lessons introduce them.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::ClockKind;
    ///
    /// assert_eq!(ClockKind::ALL[0], ClockKind::Wall);
    /// ```
    pub const ALL: [ClockKind; 4] = [
        ClockKind::Wall,
        ClockKind::Lamport,
        ClockKind::Vector,
        ClockKind::Hybrid,
    ];

    /// The clock's name, for titles and legends.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::clocks::ClockKind::Wall.name(), "wall clock");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            ClockKind::Wall => "wall clock",
            ClockKind::Lamport => "Lamport clock",
            ClockKind::Vector => "vector clock",
            ClockKind::Hybrid => "hybrid logical clock",
        }
    }
}

/// Every counted event of a trace read by all four clocks: the node's wall clock, a Lamport
/// clock, a vector clock and a hybrid logical clock, each run over the trace as the nodes would
/// have run it (a send stamps the message, a delivery reads the stamp).
///
/// Events that do not [count](counts_as_event) have no reading.
///
/// # Examples
///
/// ```
/// use lessons::clocks::{ClockKind, Readings};
/// use lessons::sim::{Heartbeat, PhysicalClock, Simulation, ms};
///
/// let mut sim = Simulation::new(1);
/// sim.add_node("A", || Heartbeat::every(ms(10)));
/// sim.add_node("B", || Heartbeat::every(ms(10)));
/// sim.set_clock(0, PhysicalClock::new().offset(ms(5)))?;
/// sim.run_until(ms(11))?;
/// let readings = Readings::of(sim.trace());
/// // Event 6: B receives A's beat, sent when A's clock read 15 ms.
/// let labels: Vec<String> = ClockKind::ALL.iter().map(|&kind| readings.label(6, kind)).collect();
/// assert_eq!(labels, ["11ms", "2", "[1,2]", "15ms+1"]);
/// let _diagram = sim.trace().diagram().label_events(|e| readings.label(e.index, ClockKind::Vector));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Readings {
    nodes: usize,
    counted: Vec<bool>,
    wall: Vec<Time>,
    lamport: Vec<u64>,
    vector: Vec<VectorClock>,
    hybrid: Vec<HybridTimestamp>,
}

impl Readings {
    /// Runs the four clocks over `trace`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::Readings;
    /// use lessons::sim::{Heartbeat, Simulation, ms};
    ///
    /// let mut sim = Simulation::new(1);
    /// sim.add_node("A", || Heartbeat::every(ms(10)));
    /// sim.add_node("B", || Heartbeat::every(ms(10)));
    /// sim.run_until(ms(11))?;
    /// let readings = Readings::of(sim.trace());
    /// assert_eq!(readings.lamport(3), Some(1)); // A's first send
    /// assert_eq!(readings.lamport(0), None); // A's start is not counted
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn of<M>(trace: &Trace<M>) -> Readings {
        let nodes = trace.node_names().len();
        let events = trace.events();
        let mut lamport_clocks = vec![LamportClock::new(); nodes];
        let mut vector_clocks = vec![VectorClock::new(); nodes];
        let mut hybrid_clocks = vec![HybridClock::new(); nodes];
        let mut stamps =
            vec![(0, VectorClock::new(), HybridTimestamp::ZERO); trace.messages().len()];
        let mut readings = Readings {
            nodes,
            counted: Vec::with_capacity(events.len()),
            wall: Vec::with_capacity(events.len()),
            lamport: Vec::with_capacity(events.len()),
            vector: Vec::with_capacity(events.len()),
            hybrid: Vec::with_capacity(events.len()),
        };
        for event in events {
            let node = event.node;
            let (lamport, vector, hybrid) = (
                &mut lamport_clocks[node],
                &mut vector_clocks[node],
                &mut hybrid_clocks[node],
            );
            let counted = counts_as_event(&event.kind);
            match event.kind {
                EventKind::Send { message, .. } => {
                    let stamp = (lamport.send(), vector.send(node), hybrid.send(event.clock));
                    if let Some(slot) = stamps.get_mut(message) {
                        *slot = stamp;
                    }
                }
                EventKind::Deliver { message, .. } => {
                    let (time, vector_stamp, hybrid_stamp) = stamps
                        .get(message)
                        .cloned()
                        .unwrap_or((0, VectorClock::new(), HybridTimestamp::ZERO));
                    lamport.receive(time);
                    vector.receive(node, &vector_stamp);
                    hybrid.receive(event.clock, hybrid_stamp);
                }
                _ if counted => {
                    lamport.tick();
                    vector.tick(node);
                    hybrid.tick(event.clock);
                }
                _ => {}
            }
            readings.counted.push(counted);
            readings.wall.push(event.clock);
            readings.lamport.push(lamport.time());
            readings.vector.push(vector.clone());
            readings.hybrid.push(hybrid.latest());
        }
        readings
    }

    /// Whether trace event `index` exists and has readings.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::Readings;
    /// use lessons::sim::{Heartbeat, Simulation, ms};
    ///
    /// let mut sim = Simulation::new(1);
    /// sim.add_node("A", || Heartbeat::every(ms(10)));
    /// sim.run_until(ms(10))?;
    /// assert!(!Readings::of(sim.trace()).is_counted(0)); // a start
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn is_counted(&self, index: usize) -> bool {
        self.counted.get(index).copied().unwrap_or(false)
    }

    /// The indices of the counted events, in trace order.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::Readings;
    /// use lessons::sim::{Heartbeat, Simulation, ms};
    ///
    /// let mut sim = Simulation::new(1);
    /// sim.add_node("A", || Heartbeat::every(ms(10)));
    /// sim.add_node("B", || Heartbeat::every(ms(10)));
    /// sim.run_until(ms(11))?;
    /// assert_eq!(Readings::of(sim.trace()).events().collect::<Vec<_>>(), [3, 5, 6, 7]);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn events(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.counted.len()).filter(|&index| self.counted[index])
    }

    /// The node's physical clock reading at counted event `index`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::Readings;
    /// use lessons::sim::{Heartbeat, Simulation, ms};
    ///
    /// let mut sim = Simulation::new(1);
    /// sim.add_node("A", || Heartbeat::every(ms(10)));
    /// sim.add_node("B", || Heartbeat::every(ms(10)));
    /// sim.run_until(ms(11))?;
    /// assert_eq!(Readings::of(sim.trace()).wall(3), Some(ms(10)));
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn wall(&self, index: usize) -> Option<Time> {
        self.is_counted(index).then(|| self.wall[index])
    }

    /// The Lamport time of counted event `index`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::Readings;
    /// use lessons::sim::{Heartbeat, Simulation, ms};
    ///
    /// let mut sim = Simulation::new(1);
    /// sim.add_node("A", || Heartbeat::every(ms(10)));
    /// sim.add_node("B", || Heartbeat::every(ms(10)));
    /// sim.run_until(ms(11))?;
    /// assert_eq!(Readings::of(sim.trace()).lamport(7), Some(2)); // A receives B's beat
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn lamport(&self, index: usize) -> Option<u64> {
        self.is_counted(index).then(|| self.lamport[index])
    }

    /// The vector time of counted event `index`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::Readings;
    /// use lessons::sim::{Heartbeat, Simulation, ms};
    ///
    /// let mut sim = Simulation::new(1);
    /// sim.add_node("A", || Heartbeat::every(ms(10)));
    /// sim.add_node("B", || Heartbeat::every(ms(10)));
    /// sim.run_until(ms(11))?;
    /// let readings = Readings::of(sim.trace());
    /// assert_eq!(readings.vector(7).map(|v| v.to_dense(2)), Some(vec![2, 1]));
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn vector(&self, index: usize) -> Option<&VectorClock> {
        self.is_counted(index).then(|| &self.vector[index])
    }

    /// The hybrid logical clock timestamp of counted event `index`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::{HybridTimestamp, Readings};
    /// use lessons::sim::{Heartbeat, Simulation, ms};
    ///
    /// let mut sim = Simulation::new(1);
    /// sim.add_node("A", || Heartbeat::every(ms(10)));
    /// sim.add_node("B", || Heartbeat::every(ms(10)));
    /// sim.run_until(ms(11))?;
    /// let receipt = Readings::of(sim.trace()).hybrid(7);
    /// assert_eq!(receipt, Some(HybridTimestamp { wall: ms(11), logical: 0 }));
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn hybrid(&self, index: usize) -> Option<HybridTimestamp> {
        self.is_counted(index).then(|| self.hybrid[index])
    }

    /// A short label for counted event `index` read by `kind` (empty for other events, which a
    /// diagram then leaves unlabelled): wall readings and hybrid wall parts in whole
    /// milliseconds, vectors written densely as `[2,1,0]`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::{ClockKind, Readings};
    /// use lessons::sim::{Heartbeat, Simulation, ms};
    ///
    /// let mut sim = Simulation::new(1);
    /// sim.add_node("A", || Heartbeat::every(ms(10)));
    /// sim.add_node("B", || Heartbeat::every(ms(10)));
    /// sim.run_until(ms(11))?;
    /// let readings = Readings::of(sim.trace());
    /// assert_eq!(readings.label(3, ClockKind::Hybrid), "10ms+0");
    /// assert_eq!(readings.label(0, ClockKind::Lamport), "");
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn label(&self, index: usize, kind: ClockKind) -> String {
        if !self.is_counted(index) {
            return String::new();
        }
        let millis = |time: Time| format!("{:.0}ms", time.as_millis_f64());
        match kind {
            ClockKind::Wall => millis(self.wall[index]),
            ClockKind::Lamport => self.lamport[index].to_string(),
            ClockKind::Vector => self.vector[index].dense_label(self.nodes),
            ClockKind::Hybrid => {
                let stamp = self.hybrid[index];
                format!("{}+{}", millis(stamp.wall), stamp.logical)
            }
        }
    }
}
