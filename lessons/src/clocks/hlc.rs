//! Hybrid logical clocks: Lamport's guarantee with timestamps that read like physical time.

use std::fmt;

use serde::Serialize;

use crate::sim::Time;

/// A hybrid logical clock timestamp: `wall`, the largest physical clock reading this event
/// knows of, and `logical`, a counter that orders events sharing that reading.
///
/// The derived `Ord` compares `wall` first, then `logical`, which is the order the clock
/// guarantees to extend happened-before.
///
/// # Examples
///
/// ```
/// use lessons::clocks::HybridTimestamp;
/// use lessons::sim::ms;
///
/// let a = HybridTimestamp { wall: ms(150), logical: 0 };
/// let b = HybridTimestamp { wall: ms(150), logical: 1 };
/// assert!(a < b);
/// assert_eq!(b.to_string(), "150ms+1");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct HybridTimestamp {
    /// The largest physical clock reading in this event's causal past (`l` in the paper).
    pub wall: Time,
    /// Events since `wall` last changed, along the longest chain (`c` in the paper).
    pub logical: u32,
}

impl HybridTimestamp {
    /// Earlier than every timestamp a clock produces: what a new clock holds.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::HybridTimestamp;
    /// use lessons::sim::Time;
    ///
    /// assert_eq!(HybridTimestamp::ZERO.wall, Time::MIN);
    /// ```
    pub const ZERO: HybridTimestamp = HybridTimestamp {
        wall: Time::MIN,
        logical: 0,
    };
}

impl fmt::Display for HybridTimestamp {
    /// `wall+logical`, the wall part in readable units: `150ms+1`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}+{}", self.wall, self.logical)
    }
}

/// A hybrid logical clock (HLC): one node's clock, fed with its physical clock's readings.
///
/// The rules (Kulkarni, Demirbas et al. 2014, figure 5), with `pt` the physical reading at the
/// event:
///
/// * **Local event or send** ([`tick`](Self::tick), [`send`](Self::send)): if `pt` is past the
///   latest `wall`, take `(pt, 0)`; otherwise keep `wall` and add one to `logical`.
/// * **Receive** ([`receive`](Self::receive)): `wall` becomes the largest of the latest
///   `wall`, the message's and `pt`; `logical` continues the counter of whichever of the two
///   timestamps had that `wall` (the larger one, plus one, if both), and restarts at 0 if `pt`
///   alone is the largest.
///
/// What it guarantees: if `a → b` then `hlc(a) < hlc(b)`, as a Lamport clock does; `wall` is
/// never behind the node's own physical reading, and never ahead of the largest physical
/// reading any node had when the event happened, so it stays within the clocks' skew of
/// physical time. What it does not: tell concurrent events apart. Like a Lamport timestamp,
/// `hlc(a) < hlc(b)` is also what two concurrent events show half of the time.
///
/// Physical readings are passed in, never read from a wall clock, so a simulated node feeds it
/// [`Context::read_clock`](crate::sim::Context::read_clock). The counter saturates at
/// `u32::MAX` (the paper bounds it by the number of events in a skew window).
///
/// # Examples
///
/// Figure 6 of the paper, the first steps: node 0 at physical time 10, node 1 at 1.
///
/// ```
/// use lessons::clocks::{HybridClock, HybridTimestamp};
/// use lessons::sim::ns;
///
/// let mut zero = HybridClock::new();
/// let mut one = HybridClock::new();
/// let sent = zero.send(ns(10));
/// assert_eq!(sent, HybridTimestamp { wall: ns(10), logical: 0 });
/// let received = one.receive(ns(1), sent);
/// assert_eq!(received, HybridTimestamp { wall: ns(10), logical: 1 });
/// assert_eq!(one.send(ns(2)), HybridTimestamp { wall: ns(10), logical: 2 });
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HybridClock {
    latest: HybridTimestamp,
}

impl Default for HybridClock {
    fn default() -> HybridClock {
        HybridClock::new()
    }
}

impl HybridClock {
    /// A clock that has seen no event: it holds [`HybridTimestamp::ZERO`].
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::{HybridClock, HybridTimestamp};
    ///
    /// assert_eq!(HybridClock::new().latest(), HybridTimestamp::ZERO);
    /// ```
    pub fn new() -> HybridClock {
        HybridClock {
            latest: HybridTimestamp::ZERO,
        }
    }

    /// The timestamp of the latest event.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::HybridClock;
    /// use lessons::sim::ms;
    ///
    /// let mut clock = HybridClock::new();
    /// let stamp = clock.tick(ms(5));
    /// assert_eq!(clock.latest(), stamp);
    /// ```
    pub fn latest(&self) -> HybridTimestamp {
        self.latest
    }

    /// Records a local event at physical reading `physical` and returns its timestamp.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::{HybridClock, HybridTimestamp};
    /// use lessons::sim::ms;
    ///
    /// let mut clock = HybridClock::new();
    /// assert_eq!(clock.tick(ms(5)), HybridTimestamp { wall: ms(5), logical: 0 });
    /// // The physical clock stepped back: keep the wall time, count.
    /// assert_eq!(clock.tick(ms(3)), HybridTimestamp { wall: ms(5), logical: 1 });
    /// assert_eq!(clock.tick(ms(6)), HybridTimestamp { wall: ms(6), logical: 0 });
    /// ```
    pub fn tick(&mut self, physical: Time) -> HybridTimestamp {
        self.latest = if physical > self.latest.wall {
            HybridTimestamp {
                wall: physical,
                logical: 0,
            }
        } else {
            HybridTimestamp {
                wall: self.latest.wall,
                logical: self.latest.logical.saturating_add(1),
            }
        };
        self.latest
    }

    /// Records the sending of a message at physical reading `physical` and returns the
    /// timestamp to put on it; sending is a local event.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::HybridClock;
    /// use lessons::sim::ms;
    ///
    /// let mut clock = HybridClock::new();
    /// assert_eq!(clock.send(ms(7)), clock.latest());
    /// ```
    pub fn send(&mut self, physical: Time) -> HybridTimestamp {
        self.tick(physical)
    }

    /// Records the receipt, at physical reading `physical`, of a message stamped `message`, and
    /// returns the receipt's timestamp, which is later than both `message` and the previous
    /// event.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::clocks::{HybridClock, HybridTimestamp};
    /// use lessons::sim::ms;
    ///
    /// let mut clock = HybridClock::new();
    /// clock.tick(ms(100));
    /// // A message from a node whose clock is 50 ms ahead.
    /// let message = HybridTimestamp { wall: ms(150), logical: 3 };
    /// assert_eq!(clock.receive(ms(101), message), HybridTimestamp { wall: ms(150), logical: 4 });
    /// // Later, the physical clock catches up and takes over.
    /// assert_eq!(clock.tick(ms(151)), HybridTimestamp { wall: ms(151), logical: 0 });
    /// ```
    pub fn receive(&mut self, physical: Time, message: HybridTimestamp) -> HybridTimestamp {
        let previous = self.latest;
        let wall = previous.wall.max(message.wall).max(physical);
        let logical = match (wall == previous.wall, wall == message.wall) {
            (true, true) => previous.logical.max(message.logical).saturating_add(1),
            (true, false) => previous.logical.saturating_add(1),
            (false, true) => message.logical.saturating_add(1),
            (false, false) => 0,
        };
        self.latest = HybridTimestamp { wall, logical };
        self.latest
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::ns;

    fn stamp(wall: i64, logical: u32) -> HybridTimestamp {
        HybridTimestamp {
            wall: ns(wall),
            logical,
        }
    }

    /// Figure 6 of Kulkarni et al., process 2: an event at physical time 1, then the receipt at
    /// physical time 2 of process 1's message (10, 2), then an event at physical time 3.
    #[test]
    fn kulkarni_figure_6_process_2() {
        let mut clock = HybridClock::new();
        assert_eq!(clock.tick(ns(1)), stamp(1, 0));
        assert_eq!(clock.receive(ns(2), stamp(10, 2)), stamp(10, 3));
        assert_eq!(clock.tick(ns(3)), stamp(10, 4));
    }

    #[test]
    fn a_receipt_with_every_wall_equal_counts_past_the_larger_counter() {
        let mut clock = HybridClock::new();
        clock.tick(ns(10));
        clock.tick(ns(10));
        assert_eq!(clock.receive(ns(10), stamp(10, 5)), stamp(10, 6));
        assert_eq!(clock.receive(ns(10), stamp(10, 0)), stamp(10, 7));
    }

    #[test]
    fn a_physical_reading_ahead_of_everything_restarts_the_counter() {
        let mut clock = HybridClock::new();
        clock.receive(ns(1), stamp(10, 4));
        assert_eq!(clock.receive(ns(20), stamp(15, 9)), stamp(20, 0));
    }

    #[test]
    fn counters_saturate() {
        let mut clock = HybridClock::new();
        clock.receive(ns(0), stamp(5, u32::MAX));
        assert_eq!(clock.tick(ns(0)), stamp(5, u32::MAX));
    }
}
