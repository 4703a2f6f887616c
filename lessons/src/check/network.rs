//! The network most explored models need: a bag of messages in flight, any of which may be
//! delivered next, lost, or copied.
//!
//! The bag has no order, so two runs that sent the same messages in a different order reach
//! the same network state and the explorer visits it once. Losses and copies are counted in the
//! state and bounded by [`NetworkFaults`], so the state space stays finite.

use std::fmt::Debug;
use std::hash::Hash;

use crate::sim::NodeId;

/// One message in flight: who sent it, to whom, and what it says.
///
/// # Examples
///
/// ```
/// use lessons::check::Envelope;
///
/// let envelope = Envelope { from: 0, to: 2, message: "ping" };
/// assert_eq!(format!("{envelope:?}"), r#"Envelope { from: 0, to: 2, message: "ping" }"#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Envelope<M> {
    /// The sender.
    pub from: NodeId,
    /// The addressee.
    pub to: NodeId,
    /// The message.
    pub message: M,
}

/// How many faults the network may commit in one run: lost messages and duplicated ones. Both
/// default to zero (a reliable network that still reorders freely).
///
/// # Examples
///
/// ```
/// use lessons::check::NetworkFaults;
///
/// let lossy = NetworkFaults { drops: 1, ..NetworkFaults::default() };
/// assert_eq!((lossy.drops, lossy.duplicates), (1, 0));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct NetworkFaults {
    /// The most messages the network may lose.
    pub drops: u32,
    /// The most extra copies the network may make.
    pub duplicates: u32,
}

/// What the network can do next to one message in flight.
///
/// # Examples
///
/// ```
/// use lessons::check::{Envelope, NetworkStep};
///
/// let step = NetworkStep::Drop(Envelope { from: 1, to: 0, message: 7 });
/// assert_eq!(step.envelope().to, 0);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum NetworkStep<M> {
    /// Hand the message to its addressee (one copy leaves the network).
    Deliver(Envelope<M>),
    /// Lose one copy.
    Drop(Envelope<M>),
    /// Make one more copy.
    Duplicate(Envelope<M>),
}

impl<M> NetworkStep<M> {
    /// The message the step acts on.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::check::{Envelope, NetworkStep};
    ///
    /// let step = NetworkStep::Deliver(Envelope { from: 1, to: 0, message: 7 });
    /// assert_eq!(step.envelope().message, 7);
    /// ```
    pub fn envelope(&self) -> &Envelope<M> {
        match self {
            NetworkStep::Deliver(envelope)
            | NetworkStep::Drop(envelope)
            | NetworkStep::Duplicate(envelope) => envelope,
        }
    }
}

/// A multiset of messages in flight, with the count of faults the network has committed.
///
/// # Examples
///
/// ```
/// use lessons::check::{Network, NetworkFaults, NetworkStep};
///
/// let mut network = Network::new();
/// network.send(0, 1, "a");
/// network.send(0, 2, "b");
/// network.send(0, 2, "b");
/// assert_eq!(network.len(), 3);
/// // Two distinct messages, each deliverable; lost or copied only if the faults allow it.
/// assert_eq!(network.steps(NetworkFaults::default()).len(), 2);
/// let lossy = NetworkFaults { drops: 1, duplicates: 0 };
/// assert_eq!(network.steps(lossy).len(), 4);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Network<M: Ord> {
    /// Each distinct message with its number of copies, sorted by message: a plain sorted list
    /// is cheap to clone and hash, which the explorer does for every state.
    in_flight: Vec<(Envelope<M>, u32)>,
    dropped: u32,
    duplicated: u32,
}

impl<M: Clone + Ord + Debug + Hash> Default for Network<M> {
    fn default() -> Network<M> {
        Network::new()
    }
}

impl<M: Clone + Ord + Debug + Hash> Network<M> {
    /// An empty network.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(lessons::check::Network::<u8>::new().is_empty());
    /// ```
    pub fn new() -> Network<M> {
        Network {
            in_flight: Vec::new(),
            dropped: 0,
            duplicated: 0,
        }
    }

    /// Puts a message in flight.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut network = lessons::check::Network::new();
    /// network.send(3, 0, 'x');
    /// assert_eq!(network.len(), 1);
    /// ```
    pub fn send(&mut self, from: NodeId, to: NodeId, message: M) {
        let envelope = Envelope { from, to, message };
        match self.position(&envelope) {
            Ok(index) => self.in_flight[index].1 += 1,
            Err(index) => self.in_flight.insert(index, (envelope, 1)),
        }
    }

    /// How many copies of messages are in flight.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut network = lessons::check::Network::new();
    /// network.send(0, 1, ());
    /// network.send(0, 1, ());
    /// assert_eq!(network.len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        self.in_flight
            .iter()
            .map(|&(_, copies)| copies as usize)
            .sum()
    }

    /// Whether nothing is in flight.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(lessons::check::Network::<()>::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.in_flight.is_empty()
    }

    /// The distinct messages in flight, each with its number of copies, in a fixed order.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut network = lessons::check::Network::new();
    /// network.send(1, 0, "late");
    /// network.send(0, 1, "early");
    /// let first = network.in_flight().next().unwrap();
    /// assert_eq!((first.0.from, first.1), (0, 1));
    /// ```
    pub fn in_flight(&self) -> impl Iterator<Item = (&Envelope<M>, u32)> {
        self.in_flight
            .iter()
            .map(|(envelope, copies)| (envelope, *copies))
    }

    /// How many messages the network has lost so far.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::check::{Network, NetworkStep, Envelope};
    ///
    /// let mut network = Network::new();
    /// network.send(0, 1, 5);
    /// network.apply(&NetworkStep::Drop(Envelope { from: 0, to: 1, message: 5 }));
    /// assert_eq!((network.dropped(), network.len()), (1, 0));
    /// ```
    pub fn dropped(&self) -> u32 {
        self.dropped
    }

    /// How many extra copies the network has made so far.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::check::{Network, NetworkStep, Envelope};
    ///
    /// let mut network = Network::new();
    /// network.send(0, 1, 5);
    /// network.apply(&NetworkStep::Duplicate(Envelope { from: 0, to: 1, message: 5 }));
    /// assert_eq!((network.duplicated(), network.len()), (1, 2));
    /// ```
    pub fn duplicated(&self) -> u32 {
        self.duplicated
    }

    /// Every step the network may take now: deliver any message in flight, and lose or copy
    /// one while `faults` still allows it. One step per distinct message, since copies of the
    /// same message are interchangeable.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::check::{Network, NetworkFaults, NetworkStep};
    ///
    /// let mut network = Network::new();
    /// network.send(0, 1, "hello");
    /// let copying = NetworkFaults { drops: 0, duplicates: 1 };
    /// let steps = network.steps(copying);
    /// assert!(matches!(steps[0], NetworkStep::Deliver(_)));
    /// assert!(matches!(steps[1], NetworkStep::Duplicate(_)));
    /// ```
    pub fn steps(&self, faults: NetworkFaults) -> Vec<NetworkStep<M>> {
        let mut steps = Vec::new();
        for (envelope, _) in &self.in_flight {
            steps.push(NetworkStep::Deliver(envelope.clone()));
            if self.dropped < faults.drops {
                steps.push(NetworkStep::Drop(envelope.clone()));
            }
            if self.duplicated < faults.duplicates {
                steps.push(NetworkStep::Duplicate(envelope.clone()));
            }
        }
        steps
    }

    /// Takes the step. Returns the message to hand to its addressee for a delivery, and `None`
    /// for a loss or a copy, or when the message is not in flight (the network is unchanged
    /// then).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::check::{Envelope, Network, NetworkStep};
    ///
    /// let mut network = Network::new();
    /// network.send(0, 1, "hello");
    /// let hello = Envelope { from: 0, to: 1, message: "hello" };
    /// assert_eq!(network.apply(&NetworkStep::Deliver(hello.clone())), Some(hello.clone()));
    /// assert_eq!(network.apply(&NetworkStep::Deliver(hello)), None); // already delivered
    /// assert!(network.is_empty());
    /// ```
    pub fn apply(&mut self, step: &NetworkStep<M>) -> Option<Envelope<M>> {
        let envelope = step.envelope();
        let index = self.position(envelope).ok()?;
        match step {
            NetworkStep::Duplicate(_) => {
                self.in_flight[index].1 += 1;
                self.duplicated += 1;
                return None;
            }
            NetworkStep::Deliver(_) | NetworkStep::Drop(_) => {
                self.in_flight[index].1 -= 1;
                if self.in_flight[index].1 == 0 {
                    self.in_flight.remove(index);
                }
            }
        }
        if matches!(step, NetworkStep::Drop(_)) {
            self.dropped += 1;
            return None;
        }
        Some(envelope.clone())
    }

    /// Removes every message for which `keep` is false: for messages that can no longer change
    /// anything (answers to a client that has stopped listening), so that states differing
    /// only in such messages count as one.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut network = lessons::check::Network::new();
    /// network.send(0, 1, "reply");
    /// network.send(0, 2, "reply");
    /// network.retain(|envelope| envelope.to != 1);
    /// assert_eq!(network.len(), 1);
    /// ```
    pub fn retain(&mut self, keep: impl Fn(&Envelope<M>) -> bool) {
        self.in_flight.retain(|(envelope, _)| keep(envelope));
    }

    /// The messages in `self` that are not in `earlier`: what was sent in between. A model's
    /// [`Model::view`](super::Model::view) uses it to say which arrows start at a step.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut before = lessons::check::Network::new();
    /// before.send(0, 1, "old");
    /// let mut after = before.clone();
    /// after.send(1, 2, "new");
    /// let sent = after.sent_since(&before);
    /// assert_eq!(sent.len(), 1);
    /// assert_eq!(sent[0].message, "new");
    /// ```
    pub fn sent_since(&self, earlier: &Network<M>) -> Vec<Envelope<M>> {
        let mut sent = Vec::new();
        for (envelope, copies) in &self.in_flight {
            let before = earlier
                .position(envelope)
                .map_or(0, |index| earlier.in_flight[index].1);
            for _ in before..*copies {
                sent.push(envelope.clone());
            }
        }
        sent
    }

    /// Where `envelope` is in the sorted list, or where it would go.
    fn position(&self, envelope: &Envelope<M>) -> Result<usize, usize> {
        self.in_flight
            .binary_search_by(|(present, _)| present.cmp(envelope))
    }
}
