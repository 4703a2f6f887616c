//! Our clocks against well-kept crates that implement the same thing, on the same inputs:
//! `VectorClock` against `crdts::VClock`, `HybridClock` against `hybrid_clocks::Clock`.
//!
//! The vector clocks must agree exactly: same entries after every step, same comparison for
//! every pair. The hybrid clocks agree on the wall part of every timestamp, and on the counter
//! as long as no receipt finds the local clock ahead of both the message and the physical
//! reading. There `hybrid-clocks` counts the receipt twice (its receive is `observe` followed
//! by `now`, each adding one), where the paper's rule adds one; both keep the causality
//! guarantee, and the crate's counter is then never smaller than ours.

use crdts::{CmRDT, CvRDT, VClock};
use hybrid_clocks::{Clock, ManualClock, Timestamp};
use lessons::clocks::{Causality, HybridClock, HybridTimestamp, VectorClock};
use lessons::sim::{Time, ns};
use proptest::prelude::*;

fn peer_clock(ours: &VectorClock) -> VClock<usize> {
    ours.iter()
        .map(|(node, counter)| crdts::Dot::new(node, counter))
        .collect()
}

fn peer_causality(a: &VClock<usize>, b: &VClock<usize>) -> Causality {
    match a.partial_cmp(b) {
        Some(std::cmp::Ordering::Less) => Causality::Before,
        Some(std::cmp::Ordering::Greater) => Causality::After,
        Some(std::cmp::Ordering::Equal) => Causality::Equal,
        None => Causality::Concurrent,
    }
}

fn same_entries(ours: &VectorClock, theirs: &VClock<usize>) -> bool {
    ours.iter().collect::<Vec<_>>()
        == theirs
            .iter()
            .map(|dot| (*dot.actor, dot.counter))
            .collect::<Vec<_>>()
}

/// One step of a history over `n` replicas: a local event on a node, or a message from one
/// node to another (a send there and a receipt here, delivered at once).
#[derive(Debug, Clone)]
enum Step {
    Local(usize),
    Message { from: usize, to: usize },
}

fn history(replicas: usize) -> impl Strategy<Value = Vec<Step>> {
    let step = prop_oneof![
        (0..replicas).prop_map(Step::Local),
        (0..replicas, 0..replicas).prop_map(|(from, to)| Step::Message { from, to }),
    ];
    prop::collection::vec(step, 0..60)
}

proptest! {
    #[test]
    fn vector_clocks_agree_with_crdts_on_random_pairs(
        a in prop::collection::vec((0usize..10, 0u64..5), 0..10),
        b in prop::collection::vec((0usize..10, 0u64..5), 0..10),
    ) {
        let (ours_a, ours_b): (VectorClock, VectorClock) =
            (a.into_iter().collect(), b.into_iter().collect());
        let (theirs_a, theirs_b) = (peer_clock(&ours_a), peer_clock(&ours_b));
        prop_assert_eq!(ours_a.compare(&ours_b), peer_causality(&theirs_a, &theirs_b));
        let mut merged = theirs_a.clone();
        merged.merge(theirs_b);
        prop_assert!(same_entries(&ours_a.merged(&ours_b), &merged));
    }

    #[test]
    fn vector_clocks_agree_with_crdts_on_random_histories(steps in history(5)) {
        let mut ours = vec![VectorClock::new(); 5];
        let mut theirs = vec![VClock::<usize>::new(); 5];
        let mut ours_seen = Vec::new();
        let mut theirs_seen = Vec::new();
        for step in steps {
            let node = match step {
                Step::Local(node) => {
                    ours[node].tick(node);
                    let dot = theirs[node].inc(node);
                    theirs[node].apply(dot);
                    node
                }
                Step::Message { from, to } => {
                    let stamp = ours[from].send(from);
                    let dot = theirs[from].inc(from);
                    theirs[from].apply(dot);
                    let peer_stamp = theirs[from].clone();
                    ours_seen.push(stamp.clone());
                    theirs_seen.push(peer_stamp.clone());
                    ours[to].receive(to, &stamp);
                    theirs[to].merge(peer_stamp);
                    let dot = theirs[to].inc(to);
                    theirs[to].apply(dot);
                    to
                }
            };
            prop_assert!(same_entries(&ours[node], &theirs[node]));
            ours_seen.push(ours[node].clone());
            theirs_seen.push(theirs[node].clone());
        }
        for (i, (a, peer_a)) in ours_seen.iter().zip(&theirs_seen).enumerate() {
            for (b, peer_b) in ours_seen[i..].iter().zip(&theirs_seen[i..]) {
                prop_assert_eq!(a.compare(b), peer_causality(peer_a, peer_b));
            }
        }
    }
}

/// A history for hybrid clocks: each step carries the physical reading (in ns, from 1 so the
/// crate's clock, which starts at reading 0, agrees on the first step) of the node it happens on.
#[derive(Debug, Clone)]
enum TimedStep {
    Local {
        node: usize,
        physical: u64,
    },
    Message {
        from: usize,
        to: usize,
        sent_at: u64,
        received_at: u64,
    },
}

fn timed_history(replicas: usize) -> impl Strategy<Value = Vec<TimedStep>> {
    let reading = 1u64..40;
    let step = prop_oneof![
        (0..replicas, reading.clone())
            .prop_map(|(node, physical)| TimedStep::Local { node, physical }),
        (0..replicas, 0..replicas, reading.clone(), reading).prop_map(
            |(from, to, sent_at, received_at)| TimedStep::Message {
                from,
                to,
                sent_at,
                received_at
            }
        ),
    ];
    prop::collection::vec(step, 0..60)
}

fn physical(nanos: u64) -> Time {
    ns(nanos as i64)
}

fn peer_stamp(ours: HybridTimestamp) -> Timestamp<u64> {
    Timestamp {
        epoch: 0,
        time: ours.wall.as_nanos() as u64,
        count: ours.logical,
    }
}

proptest! {
    #[test]
    fn hybrid_clocks_agree_with_the_hybrid_clocks_crate(steps in timed_history(4)) {
        let mut ours = vec![HybridClock::new(); 4];
        let mut theirs: Vec<Clock<ManualClock>> =
            (0..4).map(|_| Clock::manual(0).unwrap()).collect();
        // Once a receipt finds the local clock ahead, the counters may part for good.
        let mut counters_may_differ = false;
        for step in steps {
            let (mine, peer) = match step {
                TimedStep::Local { node, physical: reading } => {
                    theirs[node].set_time(reading);
                    (ours[node].tick(physical(reading)), theirs[node].now().unwrap())
                }
                TimedStep::Message { from, to, sent_at, received_at } => {
                    let stamp = ours[from].send(physical(sent_at));
                    theirs[from].set_time(sent_at);
                    let peer_message = theirs[from].now().unwrap();
                    let previous = ours[to].latest();
                    counters_may_differ |=
                        previous.wall >= stamp.wall.max(physical(received_at));
                    theirs[to].set_time(received_at);
                    theirs[to].observe(&peer_message);
                    (ours[to].receive(physical(received_at), stamp), theirs[to].now().unwrap())
                }
            };
            prop_assert_eq!(peer.time, mine.wall.as_nanos() as u64);
            prop_assert!(peer.count >= mine.logical);
            if !counters_may_differ {
                prop_assert_eq!(peer, peer_stamp(mine));
            }
        }
    }
}

/// Figure 6 of Kulkarni et al. (2014), as the `hybrid-clocks` crate's own tests reproduce it:
/// process 0 at physical time 10 sends to process 1 (physical 1), which sends at physical 2
/// to process 2, whose clock read 1 at its first event.
#[test]
fn kulkarni_figure_6_step_by_step_with_both_crates() {
    let stamp = |wall: i64, logical: u32| HybridTimestamp {
        wall: ns(wall),
        logical,
    };
    let mut zero = HybridClock::new();
    let mut one = HybridClock::new();
    let mut two = HybridClock::new();
    let a = zero.send(ns(10));
    assert_eq!(a, stamp(10, 0));
    assert_eq!(one.receive(ns(1), a), stamp(10, 1));
    let b = one.send(ns(2));
    assert_eq!(b, stamp(10, 2));
    assert_eq!(two.tick(ns(1)), stamp(1, 0));
    assert_eq!(two.receive(ns(2), b), stamp(10, 3));
    assert_eq!(two.tick(ns(3)), stamp(10, 4));

    let mut peer_zero = Clock::manual(0).unwrap();
    let mut peer_one = Clock::manual(1).unwrap();
    let mut peer_two = Clock::manual(0).unwrap();
    peer_zero.set_time(10);
    let peer_a = peer_zero.now().unwrap();
    peer_one.observe(&peer_a);
    assert_eq!(peer_one.now().unwrap(), peer_stamp(stamp(10, 1)));
    peer_one.set_time(2);
    let peer_b = peer_one.now().unwrap();
    assert_eq!(peer_b, peer_stamp(b));
    peer_two.set_time(1);
    assert_eq!(peer_two.now().unwrap(), peer_stamp(stamp(1, 0)));
    peer_two.set_time(2);
    peer_two.observe(&peer_b);
    assert_eq!(peer_two.now().unwrap(), peer_stamp(stamp(10, 3)));
    peer_two.set_time(3);
    assert_eq!(peer_two.now().unwrap(), peer_stamp(stamp(10, 4)));
}

/// Where the two part: a receipt that finds the local clock ahead of the message and of the
/// physical reading. The paper adds one to the counter; `hybrid-clocks` adds two.
#[test]
fn a_receipt_behind_the_local_clock_is_counted_once_here_and_twice_by_the_crate() {
    let mut ours = HybridClock::new();
    ours.tick(ns(20));
    let message = HybridTimestamp {
        wall: ns(5),
        logical: 0,
    };
    assert_eq!(
        ours.receive(ns(10), message),
        HybridTimestamp {
            wall: ns(20),
            logical: 1
        }
    );

    let mut theirs = Clock::manual(0).unwrap();
    theirs.set_time(20);
    assert_eq!(
        theirs.now().unwrap(),
        peer_stamp(HybridTimestamp {
            wall: ns(20),
            logical: 0
        })
    );
    theirs.set_time(10);
    theirs.observe(&peer_stamp(message));
    assert_eq!(
        theirs.now().unwrap(),
        Timestamp {
            epoch: 0,
            time: 20,
            count: 2
        }
    );
}
