//! Laws of the broadcast layer, for any interleaving of broadcasts and arrivals (the network
//! may reorder and duplicate, but loses nothing):
//!
//! * causal delivery: if `m1 → m2`, every node delivers `m1` before `m2`;
//! * FIFO delivery: every node delivers each sender's messages in the order they were sent;
//! * liveness: once everything has arrived, nothing is held back and every node has delivered
//!   every message exactly once.

use lessons::clocks::{Broadcast, CausalBroadcast, Delivery, Dot};
use proptest::prelude::*;

/// One step: node `node` broadcasts, or the in-flight copy at `pick` (modulo how many there
/// are) arrives, possibly leaving a duplicate behind.
#[derive(Debug, Clone)]
enum Step {
    Broadcast { node: usize },
    Arrive { pick: usize, duplicate: bool },
}

fn steps(nodes: usize) -> impl Strategy<Value = Vec<Step>> {
    let step = prop_oneof![
        1 => (0..nodes).prop_map(|node| Step::Broadcast { node }),
        2 => (any::<usize>(), prop::bool::weighted(0.1))
            .prop_map(|(pick, duplicate)| Step::Arrive { pick, duplicate }),
    ];
    prop::collection::vec(step, 0..80)
}

/// Runs the steps, then lets every copy still in flight arrive in order of `pick`s drawn from
/// `tail`; returns each node's delivery order and every message sent (with its stamp).
fn run(
    mode: Delivery,
    nodes: usize,
    steps: &[Step],
    tail: &[usize],
) -> (Vec<Vec<Dot>>, Vec<Broadcast<usize>>, usize) {
    let mut layers: Vec<CausalBroadcast<usize>> = (0..nodes)
        .map(|node| CausalBroadcast::new(node, mode))
        .collect();
    let mut delivered: Vec<Vec<Dot>> = vec![Vec::new(); nodes];
    let mut sent = Vec::new();
    let mut in_flight: Vec<(usize, Broadcast<usize>)> = Vec::new();
    for step in steps {
        match *step {
            Step::Broadcast { node } => {
                let message = layers[node].broadcast(sent.len());
                delivered[node].push(message.dot());
                for to in (0..nodes).filter(|&to| to != node) {
                    in_flight.push((to, message.clone()));
                }
                sent.push(message);
            }
            Step::Arrive { pick, duplicate } => {
                arrive(pick, duplicate, &mut in_flight, &mut layers, &mut delivered)
            }
        }
    }
    let mut picks = tail.iter().cycle();
    while !in_flight.is_empty() {
        let pick = picks.next().copied().unwrap_or(0);
        arrive(pick, false, &mut in_flight, &mut layers, &mut delivered);
    }
    let held = layers.iter().map(|layer| layer.held()).sum();
    (delivered, sent, held)
}

/// The in-flight copy at `pick` (modulo their number) arrives; a duplicate leaves a copy behind.
fn arrive(
    pick: usize,
    duplicate: bool,
    in_flight: &mut Vec<(usize, Broadcast<usize>)>,
    layers: &mut [CausalBroadcast<usize>],
    delivered: &mut [Vec<Dot>],
) {
    if in_flight.is_empty() {
        return;
    }
    let index = pick % in_flight.len();
    let (to, message) = if duplicate {
        in_flight[index].clone()
    } else {
        in_flight.swap_remove(index)
    };
    for ready in layers[to].receive(message) {
        delivered[to].push(ready.dot());
    }
}

fn position(order: &[Dot], dot: Dot) -> Option<usize> {
    order.iter().position(|&d| d == dot)
}

proptest! {
    #[test]
    fn causal_delivery_delivers_causes_before_effects_and_everything_in_the_end(
        (nodes, steps) in (2usize..6).prop_flat_map(|nodes| (Just(nodes), steps(nodes))),
        tail in prop::collection::vec(any::<usize>(), 1..20),
    ) {
        let (delivered, sent, held) = run(Delivery::Causal, nodes, &steps, &tail);
        prop_assert_eq!(held, 0);
        for order in &delivered {
            prop_assert_eq!(order.len(), sent.len(), "every message delivered once");
            for earlier in &sent {
                for later in &sent {
                    let causes = earlier.dot() != later.dot()
                        && later.stamp.get(earlier.sender) >= earlier.dot().counter;
                    if causes {
                        prop_assert!(position(order, earlier.dot()) < position(order, later.dot()));
                    }
                }
            }
        }
    }

    #[test]
    fn fifo_delivery_keeps_each_senders_order(
        (nodes, steps) in (2usize..6).prop_flat_map(|nodes| (Just(nodes), steps(nodes))),
        tail in prop::collection::vec(any::<usize>(), 1..20),
    ) {
        let (delivered, sent, held) = run(Delivery::Fifo, nodes, &steps, &tail);
        prop_assert_eq!(held, 0);
        for order in &delivered {
            prop_assert_eq!(order.len(), sent.len());
            for pair in order.windows(2) {
                if pair[0].node == pair[1].node {
                    prop_assert!(pair[0].counter < pair[1].counter);
                }
            }
        }
    }
}

/// The seeds' example (a reply must not appear before the comment it answers), and FIFO
/// delivery failing it: the comment and the reply come from different senders.
#[test]
fn a_reply_waits_for_its_comment_under_causal_delivery_but_not_under_fifo() {
    for (mode, expected) in [
        (Delivery::Causal, vec!["comment", "reply"]),
        (Delivery::Fifo, vec!["reply", "comment"]),
        (Delivery::Immediate, vec!["reply", "comment"]),
    ] {
        let mut alice = CausalBroadcast::new(0, mode);
        let mut bob = CausalBroadcast::new(1, mode);
        let mut carol = CausalBroadcast::new(2, mode);
        let comment = alice.broadcast("comment");
        bob.receive(comment.clone());
        let reply = bob.broadcast("reply");
        let mut shown: Vec<&str> = carol
            .receive(reply)
            .into_iter()
            .map(|m| m.payload)
            .collect();
        shown.extend(carol.receive(comment).into_iter().map(|m| m.payload));
        assert_eq!(shown, expected, "{mode:?}");
    }
}
