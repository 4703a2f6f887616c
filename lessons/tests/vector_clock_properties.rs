//! Laws of the vector clock, for arbitrary clocks: merge is a join (commutative, associative,
//! idempotent, an upper bound), comparison is a partial order that merge respects, and the
//! clock's own entry grows with every event.

use lessons::clocks::{Causality, Dot, VectorClock};
use proptest::prelude::*;

/// Clocks over a few node ids, so that clocks share entries often (ids up to 12) and counters
/// collide often (up to 6), with the occasional far-away id.
fn clock() -> impl Strategy<Value = VectorClock> {
    let node = prop_oneof![9 => 0usize..12, 1 => Just(usize::MAX)];
    prop::collection::vec((node, 0u64..6), 0..10).prop_map(|entries| entries.into_iter().collect())
}

fn at_most(a: &VectorClock, b: &VectorClock) -> bool {
    matches!(a.compare(b), Causality::Before | Causality::Equal)
}

proptest! {
    #[test]
    fn merge_is_commutative(a in clock(), b in clock()) {
        prop_assert_eq!(a.merged(&b), b.merged(&a));
    }

    #[test]
    fn merge_is_associative(a in clock(), b in clock(), c in clock()) {
        prop_assert_eq!(a.merged(&b).merged(&c), a.merged(&b.merged(&c)));
    }

    #[test]
    fn merge_is_idempotent(a in clock(), b in clock()) {
        prop_assert_eq!(a.merged(&a), a.clone());
        let once = a.merged(&b);
        prop_assert_eq!(once.merged(&b), once);
    }

    #[test]
    fn merge_is_the_least_upper_bound(a in clock(), b in clock(), c in clock()) {
        let join = a.merged(&b);
        prop_assert!(at_most(&a, &join) && at_most(&b, &join));
        for node in a.iter().chain(b.iter()).map(|(node, _)| node) {
            prop_assert_eq!(join.get(node), a.get(node).max(b.get(node)));
        }
        if at_most(&a, &c) && at_most(&b, &c) {
            prop_assert!(at_most(&join, &c));
        }
    }

    #[test]
    fn comparison_is_antisymmetric_and_reflexive(a in clock(), b in clock()) {
        prop_assert_eq!(a.compare(&a), Causality::Equal);
        prop_assert_eq!(a.compare(&b), b.compare(&a).reversed());
        prop_assert_eq!(a.compare(&b) == Causality::Equal, a == b);
    }

    #[test]
    fn before_is_transitive(a in clock(), b in clock(), c in clock()) {
        // Merging makes chains likely: a ≤ a∨b ≤ a∨b∨c.
        let ab = a.merged(&b);
        let abc = ab.merged(&c);
        for (x, y, z) in [(&a, &b, &c), (&a, &ab, &abc)] {
            if x.happened_before(y) && y.happened_before(z) {
                prop_assert!(x.happened_before(z));
            }
        }
    }

    #[test]
    fn concurrency_is_symmetric_and_irreflexive(a in clock(), b in clock()) {
        prop_assert!(!a.is_concurrent_with(&a));
        prop_assert_eq!(a.is_concurrent_with(&b), b.is_concurrent_with(&a));
    }

    #[test]
    fn partial_ord_agrees_with_compare(a in clock(), b in clock()) {
        let expected = match a.compare(&b) {
            Causality::Before => Some(std::cmp::Ordering::Less),
            Causality::After => Some(std::cmp::Ordering::Greater),
            Causality::Equal => Some(std::cmp::Ordering::Equal),
            Causality::Concurrent => None,
        };
        prop_assert_eq!(a.partial_cmp(&b), expected);
    }

    #[test]
    fn the_own_entry_strictly_increases_and_the_clock_moves_forward(
        a in clock(),
        node in 0usize..12,
        message in clock(),
    ) {
        let mut local = a.clone();
        let dot = local.tick(node);
        prop_assert_eq!(dot, Dot { node, counter: a.get(node) + 1 });
        prop_assert_eq!(a.compare(&local), Causality::Before);

        let mut receiver = a.clone();
        receiver.receive(node, &message);
        prop_assert!(receiver.get(node) > a.get(node).max(message.get(node)));
        prop_assert_eq!(message.compare(&receiver), Causality::Before);
        prop_assert_eq!(a.compare(&receiver), Causality::Before);
    }

    #[test]
    fn applying_a_dot_is_idempotent_and_order_free(a in clock(), dots in prop::collection::vec((0usize..12, 0u64..8), 0..8)) {
        let dots: Vec<Dot> = dots.into_iter().map(|(node, counter)| Dot { node, counter }).collect();
        let mut forward = a.clone();
        let mut backward = a.clone();
        for &dot in &dots {
            forward.apply(dot);
            forward.apply(dot);
        }
        for &dot in dots.iter().rev() {
            backward.apply(dot);
        }
        prop_assert_eq!(forward, backward);
    }

    #[test]
    fn size_grows_with_the_writers_only(nodes in prop::collection::vec(0usize..1_000, 0..50)) {
        let mut clock = VectorClock::new();
        for &node in &nodes {
            clock.tick(node);
            clock.tick(node);
        }
        let mut writers = nodes.clone();
        writers.sort_unstable();
        writers.dedup();
        prop_assert_eq!(clock.len(), writers.len());
        prop_assert_eq!(clock.size_in_bytes(), 16 * writers.len());
    }
}
