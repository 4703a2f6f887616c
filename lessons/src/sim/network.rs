//! The simulated network: per-link delay, loss, duplication, ordering and partitions.
//!
//! Between every ordered pair of nodes there is a one-way link, and each link has its own
//! [`Link`] settings (all links share one default until you set a link by itself) and its own
//! random stream. When a node sends, the link decides the message's fate, in this order:
//!
//! 1. **Duplication**: with probability `duplicate`, the network makes a second copy. Each copy
//!    then travels on its own.
//! 2. **Partition**: if the link is blocked at the moment of sending, the copy is dropped.
//! 3. **Loss**: with probability `loss`, the copy is dropped.
//! 4. **Delay**: a latency is drawn from the link's distribution. On a FIFO link a copy never
//!    overtakes an earlier one (it waits for it, as TCP would); otherwise copies may arrive in
//!    any order.
//!
//! A copy that reaches its destination while the link is blocked is dropped too: nothing crosses
//! a partition while it is up, not even a message sent just before it began.
//!
//! Partitions are a schedule of blocked *directed* links, so a partition can be one-way (A's
//! messages reach B, B's never reach A), the asymmetric failure that confuses failure detectors.
//!
//! # Examples
//!
//! ```
//! use lessons::sim::{Latency, Link, ms};
//!
//! let lossy_wan = Link::new()
//!     .latency(Latency::log_normal(ms(40), 0.3))
//!     .loss(0.01)
//!     .duplicate(0.001)
//!     .fifo(false);
//! assert!(lossy_wan.validate().is_ok());
//! ```

use std::collections::BTreeMap;

use serde::Serialize;

use super::error::{SimError, check_probability};
use super::latency::Latency;
use super::node::NodeId;
use super::rng::Rng;
use super::time::{Time, ms};

/// The settings of one directed link, as plain data.
///
/// # Examples
///
/// ```
/// use lessons::sim::{Latency, Link, ms};
///
/// let link = Link::new();
/// assert_eq!(link.latency, Latency::constant(ms(1)));
/// assert_eq!((link.loss, link.duplicate, link.fifo), (0.0, 0.0, false));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Link {
    /// How long a message takes.
    pub latency: Latency,
    /// The probability that a message (each copy on its own) is lost.
    pub loss: f64,
    /// The probability that the network delivers a message twice.
    pub duplicate: f64,
    /// Whether messages arrive in the order they were sent.
    pub fifo: bool,
}

impl Default for Link {
    fn default() -> Self {
        Link {
            latency: Latency::constant(ms(1)),
            loss: 0.0,
            duplicate: 0.0,
            fifo: false,
        }
    }
}

impl Link {
    /// A reliable link: 1 ms constant latency, no loss, no duplication, not FIFO (with a
    /// constant latency, order is kept anyway).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::Link;
    ///
    /// assert_eq!(Link::new(), Link::default());
    /// ```
    pub fn new() -> Link {
        Link::default()
    }

    /// The link with this latency distribution.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{Latency, Link, ms};
    ///
    /// let link = Link::new().latency(Latency::exponential(ms(3)));
    /// assert_eq!(link.latency, Latency::exponential(ms(3)));
    /// ```
    pub fn latency(mut self, latency: Latency) -> Link {
        self.latency = latency;
        self
    }

    /// The link losing each message with probability `probability`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::sim::Link::new().loss(0.1).loss, 0.1);
    /// ```
    pub fn loss(mut self, probability: f64) -> Link {
        self.loss = probability;
        self
    }

    /// The link delivering each message twice with probability `probability`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::sim::Link::new().duplicate(0.05).duplicate, 0.05);
    /// ```
    pub fn duplicate(mut self, probability: f64) -> Link {
        self.duplicate = probability;
        self
    }

    /// The link keeping messages in sending order (`true`) or letting them overtake (`false`).
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(lessons::sim::Link::new().fifo(true).fifo);
    /// ```
    pub fn fifo(mut self, in_order: bool) -> Link {
        self.fifo = in_order;
        self
    }

    /// Checks every setting: a valid latency distribution and probabilities in `[0, 1]`.
    ///
    /// # Errors
    ///
    /// A [`SimError`] naming the first setting out of range.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::Link;
    ///
    /// let error = Link::new().duplicate(-0.5).validate().unwrap_err();
    /// assert_eq!(error.to_string(), "duplication probability -0.5 is not in [0, 1]");
    /// ```
    pub fn validate(&self) -> Result<(), SimError> {
        self.latency.validate()?;
        check_probability("loss", self.loss)?;
        check_probability("duplication", self.duplicate)
    }
}

/// What happened to one copy of a message in the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fate {
    /// Dropped at random.
    Lost,
    /// Dropped because the link was blocked when it was sent.
    Blocked,
    /// On its way, due at this time.
    ArrivesAt(Time),
}

/// The moving parts of one directed link.
#[derive(Debug, Clone)]
struct LinkState {
    rng: Rng,
    /// Index into `Network::links`.
    settings: usize,
    /// When the latest copy on this link arrives, so a FIFO link can hold later ones back.
    last_arrival: Time,
}

/// A blocked directed link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Block {
    from: NodeId,
    to: NodeId,
    start: Time,
    end: Option<Time>,
}

/// Every link's settings and state, and the partition schedule.
#[derive(Debug, Clone)]
pub(crate) struct Network {
    seed: u64,
    /// `links[0]` is the default; set links add entries.
    links: Vec<Link>,
    overrides: BTreeMap<(NodeId, NodeId), usize>,
    /// `states[from][to]`, created on first use.
    states: Vec<Vec<LinkState>>,
    blocks: Vec<Block>,
}

/// The stream label of links, see [`Rng::derive`].
const LINK_STREAM: u64 = 2;

impl Network {
    pub(crate) fn new(seed: u64) -> Network {
        Network {
            seed,
            links: vec![Link::new()],
            overrides: BTreeMap::new(),
            states: Vec::new(),
            blocks: Vec::new(),
        }
    }

    /// Replaces the settings of every link not set by itself.
    pub(crate) fn set_default(&mut self, link: Link) {
        self.links[0] = link;
    }

    /// Gives the link `from -> to` its own settings.
    pub(crate) fn set_link(&mut self, from: NodeId, to: NodeId, link: Link) {
        let index = match self.overrides.get(&(from, to)) {
            Some(&index) => {
                self.links[index] = link;
                index
            }
            None => {
                self.links.push(link);
                self.links.len() - 1
            }
        };
        self.overrides.insert((from, to), index);
        if let Some(state) = self.states.get_mut(from).and_then(|row| row.get_mut(to)) {
            state.settings = index;
        }
    }

    /// Blocks `from -> to` from `start` until `end` (forever if `None`).
    pub(crate) fn block(&mut self, from: NodeId, to: NodeId, start: Time, end: Option<Time>) {
        self.blocks.push(Block {
            from,
            to,
            start,
            end,
        });
    }

    /// Whether `from -> to` is blocked at time `at`.
    pub(crate) fn is_blocked(&self, from: NodeId, to: NodeId, at: Time) -> bool {
        self.blocks.iter().any(|block| {
            block.from == from
                && block.to == to
                && block.start <= at
                && block.end.is_none_or(|end| at < end)
        })
    }

    /// Decides the fate of each copy of a message sent now on `from -> to`, into `fates`.
    pub(crate) fn transmit(&mut self, from: NodeId, to: NodeId, now: Time, fates: &mut Vec<Fate>) {
        fates.clear();
        let blocked = self.is_blocked(from, to, now);
        let settings = self.state(from, to).settings;
        let state = &mut self.states[from][to];
        let link = &self.links[settings];
        let copies = if link.duplicate > 0.0 && state.rng.chance(link.duplicate) {
            2
        } else {
            1
        };
        for _ in 0..copies {
            if blocked {
                fates.push(Fate::Blocked);
                continue;
            }
            if link.loss > 0.0 && state.rng.chance(link.loss) {
                fates.push(Fate::Lost);
                continue;
            }
            let mut arrival = now + link.latency.sample(&mut state.rng);
            if link.fifo {
                arrival = arrival.max(state.last_arrival);
            }
            state.last_arrival = state.last_arrival.max(arrival);
            fates.push(Fate::ArrivesAt(arrival));
        }
    }

    /// The state of `from -> to`, creating it (and any missing ones before it) on first use.
    fn state(&mut self, from: NodeId, to: NodeId) -> &mut LinkState {
        if self.states.len() <= from {
            self.states.resize_with(from + 1, Vec::new);
        }
        let row = &mut self.states[from];
        while row.len() <= to {
            let peer = row.len();
            row.push(LinkState {
                rng: Rng::derive(self.seed, &[LINK_STREAM, from as u64, peer as u64]),
                settings: self.overrides.get(&(from, peer)).copied().unwrap_or(0),
                last_arrival: Time::ZERO,
            });
        }
        &mut row[to]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fates(network: &mut Network, from: NodeId, to: NodeId, now: Time) -> Vec<Fate> {
        let mut fates = Vec::new();
        network.transmit(from, to, now, &mut fates);
        fates
    }

    #[test]
    fn a_default_link_delivers_once_after_one_millisecond() {
        let mut network = Network::new(1);
        assert_eq!(fates(&mut network, 0, 1, ms(5)), [Fate::ArrivesAt(ms(6))]);
    }

    #[test]
    fn blocks_are_directed_and_half_open() {
        let mut network = Network::new(1);
        network.block(0, 1, ms(10), Some(ms(20)));
        assert!(!network.is_blocked(0, 1, ms(9)));
        assert!(network.is_blocked(0, 1, ms(10)));
        assert!(network.is_blocked(0, 1, ms(19)));
        assert!(!network.is_blocked(0, 1, ms(20)));
        assert!(!network.is_blocked(1, 0, ms(15)));
        assert_eq!(fates(&mut network, 0, 1, ms(15)), [Fate::Blocked]);
    }

    #[test]
    fn fifo_links_never_let_a_copy_overtake() {
        let mut network = Network::new(3);
        network.set_default(
            Link::new()
                .latency(Latency::uniform(ms(1), ms(100)))
                .fifo(true),
        );
        let mut previous = Time::ZERO;
        for step in 0..200 {
            let [Fate::ArrivesAt(arrival)] = fates(&mut network, 0, 1, ms(step))[..] else {
                panic!("a reliable link delivers exactly one copy");
            };
            assert!(arrival >= previous);
            previous = arrival;
        }
    }

    #[test]
    fn a_link_set_by_itself_keeps_its_settings_when_the_default_changes() {
        let mut network = Network::new(1);
        network.set_link(0, 1, Link::new().latency(Latency::constant(ms(7))));
        network.set_default(Link::new().latency(Latency::constant(ms(2))));
        assert_eq!(fates(&mut network, 0, 1, ms(0)), [Fate::ArrivesAt(ms(7))]);
        assert_eq!(fates(&mut network, 1, 0, ms(0)), [Fate::ArrivesAt(ms(2))]);
        network.set_link(0, 1, Link::new().latency(Latency::constant(ms(9))));
        assert_eq!(fates(&mut network, 0, 1, ms(0)), [Fate::ArrivesAt(ms(9))]);
    }

    #[test]
    fn link_streams_do_not_depend_on_creation_order() {
        let latency = Link::new().latency(Latency::uniform(ms(0), ms(1_000)));
        let mut forwards = Network::new(5);
        forwards.set_default(latency.clone());
        let mut backwards = Network::new(5);
        backwards.set_default(latency);
        let a = fates(&mut forwards, 2, 3, ms(0));
        fates(&mut backwards, 0, 0, ms(0));
        let b = fates(&mut backwards, 2, 3, ms(0));
        assert_eq!(a, b);
    }
}
