//! How far apart clocks are, read off a trace: the truth, and what heartbeats let a node see.
//!
//! The simulator knows the true time of every event, so a trace can say exactly how far ahead
//! a node's clock was ([`Trace::clock_offsets`]). A node cannot: all it has is the clock reading
//! a [`Beat`] carries, against its own clock when the beat arrives. That difference is the skew
//! plus the beat's travel time ([`Trace::apparent_skew_into`]); measured on beats going the
//! other way it is the skew minus the travel time ([`Trace::apparent_skew_out_of`]). The truth
//! lies between the two, which is what NTP exploits by averaging one measurement each way.
//!
//! Every function returns `(true time, difference)` points in milliseconds, ready for
//! [`Figure::line`](crate::viz::Figure::line) or [`Figure::points`](crate::viz::Figure::points).
//!
//! # Examples
//!
//! ```
//! use lessons::sim::{Heartbeat, PhysicalClock, Simulation, ms};
//! use lessons::viz::Figure;
//!
//! let mut sim = Simulation::new(1);
//! sim.add_node("A", || Heartbeat::every(ms(100)));
//! sim.add_node("B", || Heartbeat::every(ms(100)));
//! sim.set_clock(1, PhysicalClock::new().offset(ms(40)))?;
//! sim.run_until(ms(150))?;
//! let trace = sim.trace();
//! assert_eq!(trace.apparent_skew_into(1), [(101.0, 41.0)]); // skew plus the 1 ms link
//! let chart = Figure::new("How far ahead is B's clock?")
//!     .line("B − true time", trace.clock_offsets(1))
//!     .points("beats into B", trace.apparent_skew_into(1));
//! assert!(chart.to_svg().is_ok());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # References
//!
//! * David L. Mills, "Internet Time Synchronization: The Network Time Protocol", IEEE
//!   Transactions on Communications 39(10), 1991: the offset from a round trip, assuming both
//!   directions take equally long.

use super::heartbeat::Beat;
use super::node::NodeId;
use super::recorder::{Event, SentMessage, Trace};
use super::time::Time;

impl<M> Trace<M> {
    /// `node`'s clock minus the true time at each of its events, as `(true time, offset)` in ms.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{Heartbeat, PhysicalClock, Simulation, ms};
    ///
    /// let mut sim = Simulation::new(1);
    /// sim.add_node("A", || Heartbeat::every(ms(100)));
    /// sim.set_clock(0, PhysicalClock::new().offset(ms(30)).drift_ppm(20_000))?;
    /// sim.run_until(ms(200))?;
    /// // A starts at 0 ms and its timer fires at 100 and 200 ms: 2% fast, 30 ms ahead.
    /// assert_eq!(sim.trace().clock_offsets(0), [(0.0, 30.0), (100.0, 32.0), (200.0, 34.0)]);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn clock_offsets(&self, node: NodeId) -> Vec<(f64, f64)> {
        self.events()
            .iter()
            .filter(|event| event.node == node)
            .map(|event| {
                let offset = event.clock - event.time;
                (event.time.as_millis_f64(), offset.as_millis_f64())
            })
            .collect()
    }
}

impl Trace<Beat> {
    /// `node`'s clock minus the sender's, as each beat arriving at `node` shows it: `node`'s
    /// clock on arrival minus the reading in the beat, at the true arrival time, in ms.
    ///
    /// That is the skew *plus* the travel time, so it overestimates the skew.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{Heartbeat, PhysicalClock, Simulation, ms};
    ///
    /// let mut sim = Simulation::new(1);
    /// sim.add_node("A", || Heartbeat::every(ms(100)));
    /// sim.add_node("B", || Heartbeat::every(ms(100)));
    /// sim.set_clock(1, PhysicalClock::new().offset(ms(40)))?;
    /// sim.run_until(ms(250))?;
    /// assert_eq!(sim.trace().apparent_skew_into(1), [(101.0, 41.0), (201.0, 41.0)]);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn apparent_skew_into(&self, node: NodeId) -> Vec<(f64, f64)> {
        self.skew_seen_on(|arrival, beat| {
            (arrival.node == node && beat.from != node).then(|| arrival.clock - beat.payload.clock)
        })
    }

    /// `node`'s clock minus the receiver's, as each beat `node` sent shows it: the reading in
    /// the beat minus the receiver's clock on arrival, at the true arrival time, in ms.
    ///
    /// That is the skew *minus* the travel time, so it underestimates the skew.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{Heartbeat, PhysicalClock, Simulation, ms};
    ///
    /// let mut sim = Simulation::new(1);
    /// sim.add_node("A", || Heartbeat::every(ms(100)));
    /// sim.add_node("B", || Heartbeat::every(ms(100)));
    /// sim.set_clock(1, PhysicalClock::new().offset(ms(40)))?;
    /// sim.run_until(ms(250))?;
    /// assert_eq!(sim.trace().apparent_skew_out_of(1), [(101.0, 39.0), (201.0, 39.0)]);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn apparent_skew_out_of(&self, node: NodeId) -> Vec<(f64, f64)> {
        self.skew_seen_on(|arrival, beat| {
            (arrival.node != node && beat.from == node).then(|| beat.payload.clock - arrival.clock)
        })
    }

    /// `(true arrival time, difference)` in ms for each delivery `difference` measures.
    fn skew_seen_on(
        &self,
        difference: impl Fn(&Event, &SentMessage<Beat>) -> Option<Time>,
    ) -> Vec<(f64, f64)> {
        self.deliveries()
            .filter_map(|(arrival, beat)| {
                let difference = difference(arrival, beat)?;
                Some((arrival.time.as_millis_f64(), difference.as_millis_f64()))
            })
            .collect()
    }
}
