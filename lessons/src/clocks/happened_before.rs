//! The happened-before relation of a recorded run, computed from the message graph alone.

use super::counts_as_event;
use crate::sim::{EventKind, Trace};

/// Lamport's happened-before relation over the events of a trace, computed by following the
/// run's edges (each event to the next on its node, each send to its deliveries), with no
/// clock at all. It is the ground truth the clocks are checked against.
///
/// Only the events a clock counts are in the relation (see [`counts_as_event`]): sends,
/// deliveries, notes and client operations. Starts, timers, drops, crashes and clock steps are
/// the simulator's bookkeeping; [`holds`](Self::holds) and [`concurrent`](Self::concurrent) are
/// false for them.
///
/// Memory grows with the square of the number of events (one bit per pair): a few thousand
/// events are fine.
///
/// # Examples
///
/// ```
/// use lessons::clocks::HappenedBefore;
/// use lessons::sim::{Heartbeat, Simulation, ms};
///
/// let mut sim = Simulation::new(1);
/// sim.add_node("A", || Heartbeat::every(ms(10)));
/// sim.add_node("B", || Heartbeat::every(ms(10)));
/// sim.run_until(ms(11))?;
/// // Trace events: 0 A starts, 1 B starts, 2 A's timer, 3 A sends, 4 B's timer, 5 B sends,
/// // 6 B receives A's beat, 7 A receives B's beat. Starts and timers are not counted.
/// let order = HappenedBefore::of(sim.trace());
/// assert!(order.holds(3, 6)); // a send before its delivery
/// assert!(order.holds(3, 7)); // and before what came after it on A
/// assert!(!order.holds(0, 6)); // a start is not an event
/// assert!(order.concurrent(3, 5)); // the two sends
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone)]
pub struct HappenedBefore {
    /// Whether each trace event counts as an event.
    counted: Vec<bool>,
    /// Words per row of `before`.
    words: usize,
    /// Row `b`, bit `a`: `a` happened before `b`.
    before: Vec<u64>,
}

impl HappenedBefore {
    /// The relation over the events of `trace`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::HappenedBefore;
    /// use lessons::sim::{Heartbeat, Simulation, ms};
    ///
    /// let mut sim = Simulation::new(1);
    /// sim.add_node("A", || Heartbeat::every(ms(10)));
    /// sim.add_node("B", || Heartbeat::every(ms(10)));
    /// sim.run_until(ms(30))?;
    /// let order = HappenedBefore::of(sim.trace());
    /// let sends: Vec<usize> = sim.trace().events().iter()
    ///     .filter(|e| e.node == 0 && e.kind.name() == "send")
    ///     .map(|e| e.index)
    ///     .collect();
    /// assert!(order.holds(sends[0], sends[1])); // one node's events, in order
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn of<M>(trace: &Trace<M>) -> HappenedBefore {
        let events = trace.events();
        let words = events.len().div_ceil(64);
        let mut before = vec![0u64; events.len() * words];
        let counted: Vec<bool> = events
            .iter()
            .map(|event| counts_as_event(&event.kind))
            .collect();
        let mut latest_on_node: Vec<Option<usize>> = vec![None; trace.node_names().len()];
        let mut send_of_message: Vec<Option<usize>> = vec![None; trace.messages().len()];
        for (index, event) in events.iter().enumerate() {
            if !counted[index] {
                continue;
            }
            let mut predecessors = [latest_on_node[event.node], None];
            match event.kind {
                EventKind::Send { message, .. } => {
                    if let Some(slot) = send_of_message.get_mut(message) {
                        *slot = Some(index);
                    }
                }
                EventKind::Deliver { message, .. } => {
                    predecessors[1] = send_of_message.get(message).copied().flatten();
                }
                _ => {}
            }
            for predecessor in predecessors.into_iter().flatten() {
                let (earlier, row) = before.split_at_mut(index * words);
                let source = &earlier[predecessor * words..(predecessor + 1) * words];
                for (bit, from) in row[..words].iter_mut().zip(source) {
                    *bit |= from;
                }
                row[predecessor / 64] |= 1 << (predecessor % 64);
            }
            latest_on_node[event.node] = Some(index);
        }
        HappenedBefore {
            counted,
            words,
            before,
        }
    }

    /// Whether event `a` happened before event `b` (both indices into the trace's events).
    /// False when `a == b`, when either is not counted as an event, or when either is out of range.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::HappenedBefore;
    /// use lessons::sim::{Heartbeat, Simulation, ms};
    ///
    /// let mut sim = Simulation::new(1);
    /// sim.add_node("A", || Heartbeat::every(ms(10)));
    /// sim.add_node("B", || Heartbeat::every(ms(10)));
    /// sim.run_until(ms(11))?;
    /// let order = HappenedBefore::of(sim.trace());
    /// assert!(order.holds(3, 6) && !order.holds(6, 3) && !order.holds(3, 3));
    /// assert!(!order.holds(3, 99));
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn holds(&self, a: usize, b: usize) -> bool {
        if !self.is_event(a) || !self.is_event(b) {
            return false;
        }
        self.before[b * self.words + a / 64] & (1 << (a % 64)) != 0
    }

    /// Whether `a` and `b` are two different events, neither of which happened before the
    /// other.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::HappenedBefore;
    /// use lessons::sim::{Heartbeat, Simulation, ms};
    ///
    /// let mut sim = Simulation::new(1);
    /// sim.add_node("A", || Heartbeat::every(ms(10)));
    /// sim.add_node("B", || Heartbeat::every(ms(10)));
    /// sim.run_until(ms(11))?;
    /// let order = HappenedBefore::of(sim.trace());
    /// assert!(order.concurrent(3, 5)); // the two sends
    /// assert!(!order.concurrent(3, 3));
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn concurrent(&self, a: usize, b: usize) -> bool {
        a != b && self.is_event(a) && self.is_event(b) && !self.holds(a, b) && !self.holds(b, a)
    }

    /// Whether trace event `index` exists and [counts as an event](counts_as_event).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::HappenedBefore;
    /// use lessons::sim::{Heartbeat, Simulation, ms};
    ///
    /// let mut sim = Simulation::new(1);
    /// sim.add_node("A", || Heartbeat::every(ms(10)));
    /// sim.add_node("B", || Heartbeat::every(ms(10)));
    /// sim.run_until(ms(10))?;
    /// let order = HappenedBefore::of(sim.trace());
    /// assert!(!order.is_event(0) && order.is_event(3)); // a start, a send
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn is_event(&self, index: usize) -> bool {
        self.counted.get(index).copied().unwrap_or(false)
    }
}
