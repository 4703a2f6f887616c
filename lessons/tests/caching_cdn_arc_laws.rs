//! The laws of the CDN and ARC parts of the caching lesson (15.4), for all inputs (proptest), and
//! the exact values worked out by hand. Every law here is exact: none is statistical.

use std::collections::HashMap;

use lessons::caching::{ArcCache, ArcSizes, CdnTrace, Policy, replay, replay_steps};
use proptest::prelude::*;

mod caching_common;
use caching_common::{demand_fill, hits};

fn small_traces() -> impl Strategy<Value = Vec<u64>> {
    prop::collection::vec(0u64..12, 0..300)
}

fn cdn_traces() -> impl Strategy<Value = Vec<u64>> {
    (1usize..200, 0.0f64..2.0, 0.0f64..=1.0, any::<u64>()).prop_map(
        |(keys, exponent, share, seed)| {
            CdnTrace::new(keys, exponent, share)
                .unwrap()
                .generate(2_000, seed)
                .unwrap()
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn second_hit_never_stores_a_key_on_its_first_request(
        capacity in 1usize..8,
        window in 1usize..50,
        trace in small_traces(),
    ) {
        let steps = replay_steps(Policy::SecondHit { window }, capacity, &trace, 0).unwrap();
        let mut last_request: HashMap<u64, usize> = HashMap::new();
        for (now, (&key, step)) in trace.iter().zip(&steps).enumerate() {
            if step.stored {
                let earlier = last_request.get(&key).copied();
                prop_assert!(earlier.is_some(), "request {} stored {} on its first request", now, key);
                prop_assert!(now - earlier.unwrap_or(now) <= window);
            }
            last_request.insert(key, now);
        }
    }

    #[test]
    fn on_a_trace_of_one_hit_objects_every_policy_hits_nothing(
        capacity in 1usize..50,
        requests in 0usize..1_000,
        seed in any::<u64>(),
    ) {
        let trace = CdnTrace::new(100, 1.0, 1.0).unwrap().generate(requests, seed).unwrap();
        let mut policies = demand_fill(capacity).to_vec();
        policies.extend([Policy::SecondHit { window: 10 }, Policy::Optimal, Policy::OptimalWithBypass]);
        for policy in policies {
            prop_assert_eq!(hits(policy, capacity, &trace, seed), 0, "{}", policy);
        }
    }

    #[test]
    fn no_policy_beats_its_optimum_on_cdn_traces(
        capacity in 1usize..60,
        window in 1usize..3_000,
        trace in cdn_traces(),
        seed in any::<u64>(),
    ) {
        let best = hits(Policy::Optimal, capacity, &trace, seed);
        let best_with_bypass = hits(Policy::OptimalWithBypass, capacity, &trace, seed);
        prop_assert!(best <= best_with_bypass);
        for policy in demand_fill(capacity) {
            prop_assert!(hits(policy, capacity, &trace, seed) <= best, "{}", policy);
        }
        let second_hit = hits(Policy::SecondHit { window }, capacity, &trace, seed);
        prop_assert!(second_hit <= best_with_bypass);
    }

    /// The paper's invariants: the cache holds at most `c` keys, the four lists at most `2c`,
    /// `T1` and its ghosts at most `c`, and the target stays in `[0, c]`.
    #[test]
    fn arc_lists_stay_within_their_bounds(
        capacity in 1usize..10,
        trace in small_traces(),
    ) {
        let mut cache = ArcCache::new(capacity).unwrap();
        for key in trace {
            let step = cache.request(key);
            let ArcSizes { t1, t2, b1, b2 } = cache.sizes();
            prop_assert!(t1 + t2 <= capacity);
            prop_assert!(t1 + t2 + b1 + b2 <= 2 * capacity);
            prop_assert!(t1 + b1 <= capacity);
            prop_assert!((0.0..=capacity as f64).contains(&cache.target()));
            prop_assert!(cache.contains(key));
            if let Some(evicted) = step.evicted {
                prop_assert!(!cache.contains(evicted));
            }
        }
    }

    #[test]
    fn the_cdn_trace_has_at_least_the_asked_share_of_one_hit_objects(
        keys in 1usize..500,
        share in 0.0f64..=1.0,
        requests in 1usize..3_000,
        seed in any::<u64>(),
    ) {
        let trace = CdnTrace::new(keys, 1.0, share).unwrap().generate(requests, seed).unwrap();
        prop_assert_eq!(trace.len(), requests);
        let mut counts: HashMap<u64, usize> = HashMap::new();
        for &key in &trace {
            *counts.entry(key).or_default() += 1;
        }
        let one_hit = counts.iter().filter(|&(&key, _)| key >= keys as u64).count();
        prop_assert!(counts.iter().all(|(&key, &count)| key < keys as u64 || count == 1));
        prop_assert!(one_hit as f64 >= share * counts.len() as f64 - 1e-9);
    }
}

/// One slot; key 1 comes back between one-hit keys. OPT must store 2, 3 and 4 and so loses key 1;
/// second hit stores only key 1, on its second request; OPT with bypass keeps 1 from the start.
#[test]
fn second_hit_can_beat_demand_fill_optimal_but_not_optimal_with_bypass() {
    let trace = [1, 1, 2, 1, 3, 1, 4, 1];
    assert_eq!(hits(Policy::Optimal, 1, &trace, 0), 1);
    assert_eq!(hits(Policy::SecondHit { window: 10 }, 1, &trace, 0), 3);
    assert_eq!(hits(Policy::OptimalWithBypass, 1, &trace, 0), 4);
}

/// ARC with c = 2 on a 15-request trace, worked out by hand from Figure 4 of Megiddo and Modha
/// (FAST 2003). Lists are written least recent first.
///
/// | # | key | case | T1 | T2 | B1 | B2 | p | hit |
/// |---|-----|------|----|----|----|----|---|-----|
/// | 1 | 1 | IV.B, no room needed | 1 | | | | 0 | |
/// | 2 | 2 | IV.B, no room needed | 1 2 | | | | 0 | |
/// | 3 | 1 | I | 2 | 1 | | | 0 | hit |
/// | 4 | 3 | IV.B: REPLACE, \|T1\| = 1 > p: 2 to B1 | 3 | 1 | 2 | | 0 | |
/// | 5 | 2 | II: p + 1; REPLACE, \|T1\| = 1 = p: 1 to B2 | 3 | 2 | | 1 | 1 | |
/// | 6 | 1 | III: p − 1; REPLACE, \|T1\| = 1 > 0: 3 to B1 | | 2 1 | 3 | | 0 | |
/// | 7 | 3 | II: p + 1; REPLACE, T1 empty: 2 to B2 | | 1 3 | | 2 | 1 | |
/// | 8 | 1 | I | | 3 1 | | 2 | 1 | hit |
/// | 9 | 4 | IV.B: REPLACE, T1 empty: 3 to B2 | 4 | 1 | | 2 3 | 1 | |
/// | 10 | 5 | IV.B, 2c listed: drop 2 from B2; REPLACE, \|T1\| = 1 = p: 1 to B2 | 4 5 | | | 3 1 | 1 | |
/// | 11 | 1 | III: p − 1; REPLACE, \|T1\| = 2 > 0: 4 to B1 | 5 | 1 | 4 | 3 | 0 | |
/// | 12 | 5 | I | | 1 5 | 4 | 3 | 0 | hit |
/// | 13 | 6 | IV.B, 2c listed: drop 3 from B2; REPLACE, T1 empty: 1 to B2 | 6 | 5 | 4 | 1 | 0 | |
/// | 14 | 7 | IV.A, \|T1\| < c: drop 4 from B1; REPLACE: 6 to B1 | 7 | 5 | 6 | 1 | 0 | |
/// | 15 | 8 | IV.A, \|T1\| < c: drop 6 from B1; REPLACE: 7 to B1 | 8 | 5 | 7 | 1 | 0 | |
#[test]
fn arc_follows_the_papers_pseudocode_on_a_trace_worked_by_hand() {
    let trace = [1, 2, 1, 3, 2, 1, 3, 1, 4, 5, 1, 5, 6, 7, 8];
    let mut cache = ArcCache::new(2).unwrap();
    let mut hits = Vec::new();
    let mut targets = Vec::new();
    let mut evictions = Vec::new();
    for key in trace {
        let step = cache.request(key);
        hits.push(step.hit);
        targets.push(cache.target());
        evictions.push(step.evicted);
    }
    let hit_at: Vec<usize> = (1..=trace.len()).filter(|&n| hits[n - 1]).collect();
    assert_eq!(hit_at, [3, 8, 12]);
    assert_eq!(
        targets,
        [
            0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0
        ]
    );
    let (n, two, one, three, four, six, seven) =
        (None, Some(2), Some(1), Some(3), Some(4), Some(6), Some(7));
    assert_eq!(
        evictions,
        [
            n, n, n, two, one, three, two, n, three, one, four, n, one, six, seven
        ]
    );
    assert_eq!(
        cache.sizes(),
        ArcSizes {
            t1: 1,
            t2: 1,
            b1: 1,
            b2: 1
        }
    );
    assert!(cache.contains(8) && cache.contains(5));
}

/// Case IV.A's other branch: T1 holds every slot and B1 is empty, so T1's least recent key
/// leaves without becoming a ghost.
#[test]
fn arc_drops_a_key_without_a_ghost_when_t1_fills_the_cache() {
    let mut cache = ArcCache::new(2).unwrap();
    let evicted: Vec<Option<u64>> = [1, 2, 3, 1]
        .iter()
        .map(|&key| cache.request(key).evicted)
        .collect();
    assert_eq!(evicted, [None, None, Some(1), Some(2)]);
    assert_eq!(
        cache.sizes(),
        ArcSizes {
            t1: 2,
            t2: 0,
            b1: 0,
            b2: 0
        }
    );
}

#[test]
fn invalid_parameters_are_refused_with_what_is_allowed() {
    assert!(replay(Policy::SecondHit { window: 0 }, 1, &[1], 0).is_err());
    assert!(ArcCache::new(0).is_err());
    assert!(CdnTrace::new(10, 1.0, -0.1).is_err());
    assert!(CdnTrace::new(0, 1.0, 0.5).is_err());
    assert!(
        CdnTrace::new(10, 1.0, 0.5)
            .unwrap()
            .generate(20_000_000, 1)
            .is_err()
    );
}
