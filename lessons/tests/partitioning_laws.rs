//! The laws of the partitioning lesson, for all inputs (proptest, regressions persisted beside
//! this file), and the exact values the lesson quotes.

use std::collections::HashSet;

use lessons::partitioning::{
    ModN, PartitionError, RangePartitioner, Ring, SaltedCounter, buckets_needed, kept_in_period,
    moved_in_period, repartition_experiment, sample_hashes, weighted_join_trials, zone_outage,
};
use proptest::prelude::*;

/// A ring of 1 to 12 nodes named `n0`, `n1`, ... with 1 to 64 vnodes each.
fn rings() -> impl Strategy<Value = Ring> {
    (1usize..=12, 1u32..=64).prop_map(|(nodes, vnodes)| {
        Ring::with_nodes(vnodes, (0..nodes).map(|n| format!("n{n}"))).unwrap()
    })
}

fn owners<'a>(ring: &'a Ring, hashes: &[u64]) -> Vec<&'a str> {
    hashes
        .iter()
        .map(|&hash| ring.node_for_hash(hash).unwrap())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn a_join_moves_keys_only_to_the_new_node(ring in rings(), seed in any::<u64>()) {
        let hashes = sample_hashes(2_000, seed);
        let mut after = ring.clone();
        after.add_node("newcomer").unwrap();
        for (before, now) in owners(&ring, &hashes).into_iter().zip(owners(&after, &hashes)) {
            prop_assert!(now == before || now == "newcomer", "{before} -> {now}");
        }
    }

    #[test]
    fn a_leave_moves_only_the_leavers_keys(ring in rings(), pick in any::<prop::sample::Index>(), seed in any::<u64>()) {
        prop_assume!(ring.len() >= 2);
        let names: Vec<String> = ring.nodes().map(str::to_string).collect();
        let leaver = pick.get(&names);
        let hashes = sample_hashes(2_000, seed);
        let mut after = ring.clone();
        after.remove_node(leaver).unwrap();
        for (before, now) in owners(&ring, &hashes).into_iter().zip(owners(&after, &hashes)) {
            prop_assert!(before == now || before == leaver, "{before} -> {now}");
            prop_assert_ne!(now, leaver.as_str());
        }
    }

    #[test]
    fn lookup_is_the_owner_of_the_first_token_at_or_after_the_hash(
        ring in rings(),
        hashes in prop::collection::vec(any::<u64>(), 1..50),
        edge in prop::sample::select(vec![0u64, 1, u64::MAX - 1, u64::MAX]),
    ) {
        let tokens: Vec<(u64, &str)> = ring.tokens().collect();
        let exact: Vec<u64> = tokens.iter().take(5).map(|(token, _)| *token).collect();
        for hash in hashes.into_iter().chain([edge]).chain(exact) {
            let expected = tokens
                .iter()
                .find(|(token, _)| *token >= hash)
                .unwrap_or(&tokens[0])
                .1;
            prop_assert_eq!(ring.node_for_hash(hash).unwrap(), expected);
        }
    }

    #[test]
    fn the_ring_does_not_depend_on_join_order(ring in rings(), seed in any::<u64>()) {
        let mut names: Vec<String> = ring.nodes().map(str::to_string).collect();
        names.reverse();
        let mut reversed = Ring::new(ring.vnodes_per_node()).unwrap();
        for name in &names {
            reversed.add_node(name).unwrap();
        }
        let hashes = sample_hashes(500, seed);
        prop_assert_eq!(owners(&ring, &hashes), owners(&reversed, &hashes));
    }

    #[test]
    fn preference_lists_hold_n_distinct_nodes_starting_with_the_owner(
        ring in rings(),
        n in 1usize..=12,
        key in any::<u64>(),
    ) {
        let key = key.to_le_bytes();
        if n > ring.len() {
            let error = ring.preference_list(key, n).unwrap_err();
            let is_parameter = matches!(error, PartitionError::Parameter { .. });
            prop_assert!(is_parameter, "{error}");
        } else {
            let list = ring.preference_list(key, n).unwrap();
            prop_assert_eq!(list.len(), n);
            prop_assert_eq!(list[0], ring.node_for(key).unwrap());
            prop_assert_eq!(list.iter().collect::<HashSet<_>>().len(), n);
        }
    }

    #[test]
    fn zone_aware_lists_are_distinct_and_span_min_of_n_and_zones(
        zone_of in prop::collection::vec(0usize..4, 1..12),
        vnodes in 1u32..32,
        n in 1usize..12,
        key in any::<u64>(),
    ) {
        prop_assume!(n <= zone_of.len());
        let mut ring = Ring::new(vnodes).unwrap();
        for (node, zone) in zone_of.iter().enumerate() {
            ring.add_node_in_zone(format!("n{node}"), format!("z{zone}")).unwrap();
        }
        let list = ring.zone_aware_preference_list(key.to_le_bytes(), n).unwrap();
        prop_assert_eq!(list.iter().collect::<HashSet<_>>().len(), n);
        let zones: HashSet<&str> = list.iter().map(|node| ring.zone_of(node).unwrap()).collect();
        prop_assert_eq!(zones.len(), n.min(ring.zones().len()));
    }

    #[test]
    fn mod_n_keeps_exactly_min_n_m_of_every_lcm_period(n in 1u64..200, m in 1u64..200) {
        let (kept, period) = kept_in_period(n, m).unwrap();
        prop_assert_eq!(kept, n.min(m));
        prop_assert_eq!(period % n, 0);
        prop_assert_eq!(period % m, 0);
    }

    #[test]
    fn mod_n_to_n_plus_one_moves_n_of_every_n_plus_one(n in 1u64..300) {
        let (moved, period) = moved_in_period(n, n + 1).unwrap();
        prop_assert_eq!(moved * (n + 1), n * period);
    }

    #[test]
    fn salted_sub_counters_add_up_to_the_true_count(
        buckets in 1usize..200,
        amounts in prop::collection::vec(0u64..1_000, 0..300),
    ) {
        let mut counter = SaltedCounter::new("hot", buckets).unwrap();
        for (write, &amount) in amounts.iter().enumerate() {
            counter.add(write as u64, amount);
        }
        prop_assert_eq!(counter.total(), amounts.iter().sum::<u64>());
        let counts = counter.sub_counts();
        if amounts.iter().all(|&amount| amount == 1) {
            let spread = counts.iter().max().unwrap() - counts.iter().min().unwrap();
            prop_assert!(spread <= 1);
        }
    }

    #[test]
    fn range_partitions_keep_neighbours_together(
        mut splits in prop::collection::btree_set(1u64..1_000_000, 0..20),
        low in 0u64..1_000_000,
        width in 0u64..1_000,
    ) {
        let ranges = RangePartitioner::new(std::mem::take(&mut splits).into_iter().collect()).unwrap();
        let high = low + width;
        let touched: HashSet<usize> = (low..=high).map(|key| ranges.partition_for(key)).collect();
        prop_assert_eq!(touched.len(), ranges.partitions_touched(low, high));
    }

    #[test]
    fn increasing_keys_beyond_the_last_split_all_land_in_the_last_range(
        splits in prop::collection::btree_set(0u64..1_000, 0..10),
        new_keys in prop::collection::vec(1_000u64..u64::MAX, 1..50),
    ) {
        let ranges = RangePartitioner::new(splits.into_iter().collect()).unwrap();
        for key in new_keys {
            prop_assert_eq!(ranges.partition_for(key), ranges.partitions() - 1);
        }
    }
}

#[test]
fn many_vnodes_move_about_one_in_n_plus_one_keys_on_a_join() {
    let hashes = sample_hashes(100_000, 3);
    let before = Ring::with_nodes(1_024, (0..10).map(|n| format!("n{n}"))).unwrap();
    let mut after = before.clone();
    after.add_node("n10").unwrap();
    let moved = owners(&before, &hashes)
        .iter()
        .zip(owners(&after, &hashes))
        .filter(|(before, now)| **before != *now)
        .count() as f64
        / hashes.len() as f64;
    assert!((moved - 1.0 / 11.0).abs() < 0.01, "{moved}");
}

#[test]
fn capacity_weighted_shares_follow_vnode_counts() {
    let mut ring = Ring::new(256).unwrap();
    for (name, vnodes) in [("small", 256), ("medium", 512), ("large", 1_024)] {
        ring.add_weighted_node(name, name, vnodes).unwrap();
    }
    for share in ring.shares() {
        let expected = f64::from(share.vnodes) / 1_792.0;
        assert!(
            (share.share - expected).abs() < 0.04,
            "{}: {} vs {expected}",
            share.node,
            share.share
        );
    }
}

#[test]
fn mod_n_exact_counts_the_lesson_quotes() {
    assert_eq!(moved_in_period(100, 99).unwrap(), (9_801, 9_900)); // 99%
    assert_eq!(moved_in_period(4, 8).unwrap(), (4, 8)); // doubling: half
    assert_eq!(moved_in_period(50, 70).unwrap(), (300, 350)); // 6/7 (Kafka 50 -> 70)
    assert_eq!(moved_in_period(10, 11).unwrap(), (100, 110)); // 10/11
}

#[test]
fn mod_n_sampled_keys_agree_with_the_exact_fraction() {
    let hashes = sample_hashes(200_000, 9);
    let (ten, eleven) = (ModN::new(10).unwrap(), ModN::new(11).unwrap());
    let moved = hashes
        .iter()
        .filter(|&&hash| ten.partition_for_hash(hash) != eleven.partition_for_hash(hash))
        .count() as f64
        / hashes.len() as f64;
    assert!((moved - 10.0 / 11.0).abs() < 0.005, "{moved}");
}

#[test]
fn losing_one_zone_never_loses_every_replica_under_zone_aware_placement() {
    for (zones, rf) in [(2, 2), (2, 3), (3, 3), (4, 3), (3, 2)] {
        for row in zone_outage(zones, 3, 16, rf, 3_000, 5).unwrap() {
            if row.placement == "zone-aware" {
                assert_eq!(row.no_replica, 0.0, "{zones} zones, rf {rf}: {row:?}");
            }
        }
    }
}

#[test]
fn invalid_parameters_say_what_is_allowed() {
    assert_eq!(
        Ring::new(0).unwrap_err().to_string(),
        "vnodes per node = 0 is not allowed: a node needs from 1 to 65536 virtual nodes"
    );
    let ring = Ring::with_nodes(8, ["A", "B"]).unwrap();
    assert_eq!(
        ring.preference_list("k", 3).unwrap_err().to_string(),
        "replica count n = 3 is not allowed: n must be from 1 to the number of nodes, 2"
    );
    assert_eq!(
        ring.zone_of("C").unwrap_err().to_string(),
        "no node named \"C\" on the ring; its nodes are [A, B]"
    );
    assert_eq!(buckets_needed(50_000, 1_000).unwrap(), 50);
    assert!(buckets_needed(1, 0).is_err());
}

#[test]
fn with_one_token_per_node_a_dead_nodes_load_goes_to_one_heir() {
    for row in lessons::partitioning::cascade_trial(12, &[1, 512], &[0.1], 6).unwrap() {
        if row.vnodes == 1 {
            assert!((row.largest_heir - 1.0).abs() < 1e-9, "{row:?}");
        } else {
            assert!(row.largest_heir < 2.0 / 11.0, "{row:?}");
        }
    }
}

#[test]
fn a_scatter_gather_query_is_slow_with_probability_one_minus_q_to_the_k() {
    use lessons::partitioning::{ShardLatency, fan_out_trial};
    let rows = fan_out_trial(&[1, 10, 50], ShardLatency::typical(0.02), 20_000, 4).unwrap();
    for row in rows {
        assert!(
            (row.slow_fraction - row.slow_formula).abs() < 0.015,
            "{row:?}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn a_version_checked_backfill_never_overwrites_a_newer_dual_write(
        keys in 1usize..300,
        writes in 0usize..1_000,
        lag in 0u64..100,
        seed in any::<u64>(),
    ) {
        let rows = lessons::partitioning::migration_trial(keys, writes, &[lag], seed).unwrap();
        for row in rows {
            if row.policy == "version-checked" || lag == 0 {
                prop_assert_eq!(row.stale_keys, 0, "{:?}", row);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    /// A node with `weight` times the vnodes takes about `weight` times an ordinary share once
    /// there are enough points: within a quarter of `weight / (nodes + weight)` from 256 vnodes.
    #[test]
    fn a_weighted_node_takes_a_share_proportional_to_its_vnodes(
        nodes in 3usize..=12,
        weight in 2u32..=4,
        vnodes in prop::sample::select(vec![256u32, 512, 1024]),
    ) {
        let rows = weighted_join_trials(nodes, &[vnodes], weight, 3).unwrap();
        for row in rows {
            prop_assert_eq!(row.newcomer_vnodes, weight * vnodes);
            prop_assert_eq!(row.ideal, f64::from(weight) / (nodes as f64 + f64::from(weight)));
            prop_assert!((row.moved_over_ideal - 1.0).abs() < 0.25, "{:?}", row);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    /// With equal consumer lags, or an unchanged partition count, no key is read out of
    /// order; otherwise only keys that changed partition can be.
    #[test]
    fn only_keys_that_changed_partition_are_read_out_of_order(
        before in 1u64..=80,
        after in 1u64..=80,
        spread_ms in 0i64..=1_000,
        seed in any::<u64>(),
    ) {
        let spreads = [lessons::sim::ms(0), lessons::sim::ms(spread_ms)];
        let rows = repartition_experiment(before, after, &spreads, seed).unwrap();
        prop_assert_eq!(rows[0].records_out_of_order, 0);
        for row in &rows {
            prop_assert!(row.keys_out_of_order <= row.keys_moved);
            if before == after {
                prop_assert_eq!(row.records_out_of_order, 0);
            }
        }
    }
}
