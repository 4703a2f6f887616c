//! Laws of delivery by stable Lamport timestamps, for any interleaving of broadcasts,
//! heartbeats and arrivals over FIFO links (each link delivers in sending order, links in any
//! order relative to each other):
//!
//! * causal: if `m1 → m2`, every node delivers `m1` before `m2`;
//! * order: every node delivers the others' messages in increasing (timestamp, sender) order;
//! * liveness: once everything sent has arrived, and then every node has sent one more
//!   heartbeat and those have arrived too, nothing is held.

use std::collections::{BTreeSet, VecDeque};

use lessons::clocks::{StableDelivery, Stamped};
use proptest::prelude::*;

/// One step: `node` broadcasts a message or a heartbeat, or the link `pick` (modulo the
/// links with something in flight) delivers its oldest message.
#[derive(Debug, Clone)]
enum Step {
    Broadcast { node: usize, heartbeat: bool },
    Arrive { pick: usize },
}

fn steps(nodes: usize) -> impl Strategy<Value = Vec<Step>> {
    let step = prop_oneof![
        1 => (0..nodes, prop::bool::weighted(0.3))
            .prop_map(|(node, heartbeat)| Step::Broadcast { node, heartbeat }),
        2 => any::<usize>().prop_map(|pick| Step::Arrive { pick }),
    ];
    prop::collection::vec(step, 0..80)
}

/// A message's number, and the numbers its sender had delivered (or sent) before it.
type Payload = (usize, BTreeSet<usize>);

struct Group {
    layers: Vec<StableDelivery<Payload>>,
    /// What each node has delivered, in order (its own messages included, at sending).
    delivered: Vec<Vec<usize>>,
    /// The (timestamp, sender) of every message, by number.
    stamps: Vec<(u64, usize)>,
    /// The links' queues, indexed `from * nodes + to`.
    links: Vec<VecDeque<Stamped<Payload>>>,
    nodes: usize,
    violations: Vec<String>,
}

impl Group {
    fn new(nodes: usize) -> Group {
        Group {
            layers: (0..nodes)
                .map(|node| StableDelivery::new(node, nodes).unwrap())
                .collect(),
            delivered: vec![Vec::new(); nodes],
            stamps: Vec::new(),
            links: vec![VecDeque::new(); nodes * nodes],
            nodes,
            violations: Vec::new(),
        }
    }

    fn broadcast(&mut self, node: usize, heartbeat: bool) {
        let message = if heartbeat {
            self.layers[node].heartbeat()
        } else {
            let number = self.stamps.len();
            let seen: BTreeSet<usize> = self.delivered[node].iter().copied().collect();
            let message = self.layers[node].broadcast((number, seen));
            self.stamps.push((message.time, node));
            self.delivered[node].push(number);
            message
        };
        for to in (0..self.nodes).filter(|&to| to != node) {
            self.links[node * self.nodes + to].push_back(message.clone());
        }
    }

    fn arrive(&mut self, pick: usize) {
        let busy: Vec<usize> = (0..self.links.len())
            .filter(|&link| !self.links[link].is_empty())
            .collect();
        if busy.is_empty() {
            return;
        }
        let link = busy[pick % busy.len()];
        let to = link % self.nodes;
        let message = self.links[link].pop_front().unwrap();
        for (_, (number, seen)) in self.layers[to].receive(message) {
            if let Some(missing) = seen.iter().find(|m| !self.delivered[to].contains(m)) {
                self.violations.push(format!(
                    "node {to} delivered {number} before its cause {missing}"
                ));
            }
            let others_before = self.delivered[to]
                .iter()
                .rev()
                .find(|&&m| self.stamps[m].1 != to);
            if let Some(&previous) = others_before
                && self.stamps[previous] > self.stamps[number]
            {
                self.violations
                    .push(format!("node {to} delivered {number} after {previous}"));
            }
            self.delivered[to].push(number);
        }
    }

    fn drain(&mut self) {
        while self.links.iter().any(|link| !link.is_empty()) {
            self.arrive(0);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn stable_delivery_is_causal_ordered_and_complete(
        nodes in 2usize..6,
        steps in steps(5),
    ) {
        let mut group = Group::new(nodes);
        for step in &steps {
            match *step {
                Step::Broadcast { node, heartbeat } => group.broadcast(node % nodes, heartbeat),
                Step::Arrive { pick } => group.arrive(pick),
            }
        }
        group.drain();
        for node in 0..nodes {
            group.broadcast(node, true);
        }
        group.drain();
        prop_assert!(group.violations.is_empty(), "{:?}", group.violations);
        for node in 0..nodes {
            prop_assert_eq!(group.layers[node].held(), 0);
            prop_assert_eq!(group.delivered[node].len(), group.stamps.len());
        }
    }
}

#[test]
fn one_silent_node_blocks_every_delivery() {
    let mut group = Group::new(3);
    group.broadcast(0, false);
    group.broadcast(1, false);
    for node in [0, 1] {
        group.broadcast(node, true);
    }
    group.drain();
    // Node 2 never sent anything: neither 0 nor 1 can pass its time.
    assert_eq!(group.layers[0].held(), 1);
    assert_eq!(group.layers[1].held(), 1);
    group.broadcast(2, true);
    group.drain();
    assert_eq!((group.layers[0].held(), group.layers[1].held()), (0, 0));
}
