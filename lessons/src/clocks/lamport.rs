use std::fmt;

use serde::Serialize;

use crate::sim::NodeId;

/// A Lamport clock: one process's counter of logical time.
///
/// The clock follows three rules:
///
/// 1. **Local event**: before each event on this process, add one ([`tick`](Self::tick)).
/// 2. **Send**: sending a message is an event, so add one and put the new time on the message
///    ([`send`](Self::send)).
/// 3. **Receive**: on receipt, jump past both the local time and the message's time: the new
///    time is `max(local, message) + 1` ([`receive`](Self::receive)).
///
/// Together they give the *clock condition*: if event `a` happened before event `b`, then
/// `L(a) < L(b)`. The implication runs one way only. `L(a) < L(b)` does not mean `a` happened
/// before `b`: the two may be concurrent, and telling those cases apart needs vector clocks.
///
/// A new clock reads 0, before any event. Times saturate at `u64::MAX` instead of wrapping
/// around; reaching it would take hundreds of years at a billion events per second.
///
/// # Examples
///
/// ```
/// use lessons::clocks::LamportClock;
///
/// let mut a = LamportClock::new();
/// let mut b = LamportClock::new();
/// assert_eq!(a.tick(), 1); // a local event on A
/// let message = a.send(); // A sends at time 2
/// assert_eq!(message, 2);
/// assert_eq!(b.receive(message), 3); // B: max(0, 2) + 1
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct LamportClock {
    time: u64,
}

/// A Lamport time with the node it was taken on: the total order `(time, node)`.
///
/// Lamport times alone leave ties between nodes; breaking them by node id orders every pair
/// of events, and the order extends happened-before: if `a → b` then `stamp(a) < stamp(b)`.
/// Concurrent events are ordered too, arbitrarily but the same way on every node, which is
/// what a replicated queue or a mutual-exclusion protocol needs. The derived `Ord` compares
/// `time` first, then `node`.
///
/// # Examples
///
/// ```
/// use lessons::clocks::LamportTimestamp;
///
/// let a = LamportTimestamp { time: 3, node: 2 };
/// let b = LamportTimestamp { time: 3, node: 0 };
/// let c = LamportTimestamp { time: 4, node: 0 };
/// let mut order = vec![c, a, b];
/// order.sort();
/// assert_eq!(order, [b, a, c]);
/// assert_eq!(a.to_string(), "3.2");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct LamportTimestamp {
    /// The Lamport time.
    pub time: u64,
    /// The node's id, which breaks ties.
    pub node: NodeId,
}

impl fmt::Display for LamportTimestamp {
    /// `time.node`, as in Lamport's paper.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.time, self.node)
    }
}

impl LamportClock {
    /// A clock that has seen no events: its time is 0.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::clocks::LamportClock::new().time(), 0);
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// The time of the latest event on this process (0 before the first).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::LamportClock;
    ///
    /// let mut clock = LamportClock::new();
    /// clock.tick();
    /// clock.tick();
    /// assert_eq!(clock.time(), 2);
    /// ```
    pub fn time(&self) -> u64 {
        self.time
    }

    /// Records a local event and returns its time, one more than the previous event's.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::LamportClock;
    ///
    /// let mut clock = LamportClock::new();
    /// assert_eq!(clock.tick(), 1);
    /// assert_eq!(clock.tick(), 2);
    /// ```
    pub fn tick(&mut self) -> u64 {
        self.time = self.time.saturating_add(1);
        self.time
    }

    /// Records the sending of a message and returns the timestamp to put on it.
    ///
    /// Sending is an event like any other, so this is a [`tick`](Self::tick).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::LamportClock;
    ///
    /// let mut clock = LamportClock::new();
    /// clock.tick();
    /// assert_eq!(clock.send(), 2);
    /// assert_eq!(clock.time(), 2);
    /// ```
    pub fn send(&mut self) -> u64 {
        self.tick()
    }

    /// Records the receipt of a message stamped `message_time` and returns the receipt's time,
    /// `max(local time, message_time) + 1`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::LamportClock;
    ///
    /// let mut behind = LamportClock::new();
    /// assert_eq!(behind.receive(9), 10); // the message is ahead: jump past it
    ///
    /// let mut ahead = LamportClock::new();
    /// for _ in 0..5 {
    ///     ahead.tick();
    /// }
    /// assert_eq!(ahead.receive(2), 6); // the clock is ahead: just count the event
    /// ```
    pub fn receive(&mut self, message_time: u64) -> u64 {
        self.time = self.time.max(message_time).saturating_add(1);
        self.time
    }

    /// The time of the latest event on node `node`, with the node id that makes it unique.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::{LamportClock, LamportTimestamp};
    ///
    /// let mut clock = LamportClock::new();
    /// clock.tick();
    /// assert_eq!(clock.timestamp(4), LamportTimestamp { time: 1, node: 4 });
    /// ```
    pub fn timestamp(&self, node: NodeId) -> LamportTimestamp {
        LamportTimestamp {
            time: self.time,
            node,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_processes_exchanging_messages() {
        let mut a = LamportClock::new();
        let mut b = LamportClock::new();
        let mut c = LamportClock::new();
        assert_eq!(a.tick(), 1);
        let m1 = a.send();
        assert_eq!(m1, 2);
        assert_eq!(b.tick(), 1);
        assert_eq!(b.receive(m1), 3);
        let m2 = b.send();
        assert_eq!(m2, 4);
        assert_eq!(c.tick(), 1);
        assert_eq!(c.receive(m2), 5);
        let m3 = c.send();
        assert_eq!(m3, 6);
        assert_eq!(a.receive(m3), 7);
        assert_eq!([a.time(), b.time(), c.time()], [7, 4, 6]);
    }

    #[test]
    fn receiving_an_old_message_still_advances_the_clock() {
        let mut clock = LamportClock::new();
        clock.receive(10);
        assert_eq!(clock.receive(3), 12);
        assert_eq!(clock.receive(12), 13);
    }

    #[test]
    fn time_saturates_instead_of_wrapping() {
        let mut clock = LamportClock::new();
        assert_eq!(clock.receive(u64::MAX - 1), u64::MAX);
        assert_eq!(clock.tick(), u64::MAX);
        assert_eq!(clock.send(), u64::MAX);
        assert_eq!(clock.receive(u64::MAX), u64::MAX);
    }
}
