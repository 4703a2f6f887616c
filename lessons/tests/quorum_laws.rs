//! The laws of the quorum lesson and of the linearizability checker, for all inputs (proptest,
//! regressions persisted beside this file), and the exact values the lesson quotes.

use std::collections::{BTreeMap, BTreeSet};

use lessons::check::{
    RegisterAction, RegisterHistory, check_register, check_register_by_brute_force,
};
use lessons::clocks::WriteStamp;
use lessons::quorum::{
    ConsistencyLevel, LinearizabilityParameters, MerkleTree, Quorum, QuorumError, ReadRepair,
    ReadRepairParameters, Replica, SloppyCluster, TombstoneReplica, convergence_experiment,
    expected_exponential_wait, hinted_handoff_experiment, inversion_run, random_store,
    random_store_run, stale_read_probability_after, strict_vs_sloppy_experiment,
};
use lessons::sim::{Time, ms, secs};
use proptest::prelude::*;

mod register_histories;
use register_histories::small_histories;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

/// Whether `order` is a valid linearization of `history`: it holds every answered operation,
/// respects real time, and explains every read.
fn is_witness(history: &RegisterHistory, order: &[usize]) -> bool {
    let operations = history.operations();
    let all_answered = (0..operations.len())
        .filter(|&i| operations[i].is_complete())
        .all(|i| order.contains(&i));
    let in_real_time = order.iter().enumerate().all(|(position, &i)| {
        order[position + 1..].iter().all(|&later| {
            operations[later]
                .responded_at
                .is_none_or(|end| end >= operations[i].invoked_at)
        })
    });
    let mut value = history.initial();
    let explains = order.iter().all(|&i| match operations[i].action {
        RegisterAction::Write(written) => {
            value = Some(written);
            true
        }
        RegisterAction::Read(read) => read == value,
    });
    all_answered && in_real_time && explains
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn the_checker_agrees_with_brute_force(history in small_histories()) {
        let fast = check_register(&history);
        let brute = check_register_by_brute_force(&history).unwrap();
        prop_assert_eq!(fast.is_linearizable(), brute.is_linearizable());
        if let Some(order) = fast.order() {
            prop_assert!(is_witness(&history, order));
        }
    }
}

proptest! {
    #[test]
    fn overlapping_quorums_share_at_least_w_plus_r_minus_n(
        n in 1usize..=12,
        w_seed in any::<usize>(),
        r_seed in any::<usize>(),
        write_order in Just(()).prop_perturb(|_, mut rng| {
            let mut order: Vec<usize> = (0..12).collect();
            for i in (1..order.len()).rev() {
                order.swap(i, rng.random_range(0..=i));
            }
            order
        }),
        read_order in Just(()).prop_perturb(|_, mut rng| {
            let mut order: Vec<usize> = (0..12).collect();
            for i in (1..order.len()).rev() {
                order.swap(i, rng.random_range(0..=i));
            }
            order
        }),
    ) {
        let w = w_seed % n + 1;
        let r = r_seed % n + 1;
        let quorum = Quorum::new(n, w, r).unwrap();
        let writes: BTreeSet<usize> = write_order.into_iter().filter(|&i| i < n).take(w).collect();
        let reads: BTreeSet<usize> = read_order.into_iter().filter(|&i| i < n).take(r).collect();
        let shared = writes.intersection(&reads).count();
        prop_assert!(shared >= quorum.min_overlap());
        if quorum.overlaps() {
            prop_assert!(shared > 0);
        }
    }

    #[test]
    fn local_quorum_depends_only_on_the_local_data_centre(
        replicas in prop::collection::vec(1usize..6, 1..4),
        live_seed in prop::collection::vec(any::<usize>(), 4),
        local_seed in any::<usize>(),
        wan_up in any::<bool>(),
    ) {
        let live: Vec<usize> = replicas.iter().zip(&live_seed).map(|(r, s)| s % (r + 1)).collect();
        let local = local_seed % replicas.len();
        let succeeds = ConsistencyLevel::LocalQuorum.succeeds(&replicas, &live, local, wan_up).unwrap();
        prop_assert_eq!(succeeds, live[local] > replicas[local] / 2);
        if !wan_up && replicas.len() > 1 {
            let total: usize = replicas.iter().sum();
            let global = ConsistencyLevel::Quorum.succeeds(&replicas, &live, local, false).unwrap();
            prop_assert_eq!(global, live[local] > total / 2);
        }
    }

    #[test]
    fn one_differing_bucket_costs_one_plus_two_per_level(depth in 0u32..12, key in 0u64..1_000) {
        let a: BTreeMap<u64, u64> = (0..1_000).map(|k| (k, k)).collect();
        let mut b = a.clone();
        b.insert(key, u64::MAX);
        let tree = MerkleTree::build(&a, depth).unwrap();
        let descent = tree.compare(&MerkleTree::build(&b, depth).unwrap()).unwrap();
        prop_assert_eq!(descent.hashes_compared, 1 + 2 * depth as usize);
        prop_assert_eq!(descent.differing_buckets, vec![tree.bucket_of(key)]);
    }

    #[test]
    fn the_descent_finds_exactly_the_buckets_of_the_changed_keys(
        depth in 0u32..10,
        changed in prop::collection::btree_set(0u64..500, 0..40),
    ) {
        let a: BTreeMap<u64, u64> = (0..500).map(|k| (k, k)).collect();
        let mut b = a.clone();
        for key in &changed {
            b.insert(*key, key + 1_000);
        }
        let tree = MerkleTree::build(&a, depth).unwrap();
        let descent = tree.compare(&MerkleTree::build(&b, depth).unwrap()).unwrap();
        let expected: BTreeSet<usize> = changed.iter().map(|&k| tree.bucket_of(k)).collect();
        prop_assert_eq!(descent.differing_buckets, expected.into_iter().collect::<Vec<_>>());
    }

    #[test]
    fn stale_reads_never_become_more_likely_with_time(
        n in 1usize..=7, w_seed in any::<usize>(), r_seed in any::<usize>(), t in 0i64..100,
    ) {
        let quorum = Quorum::new(n, w_seed % n + 1, r_seed % n + 1).unwrap();
        let now = stale_read_probability_after(quorum, ms(t), ms(10)).unwrap();
        let later = stale_read_probability_after(quorum, ms(t + 1), ms(10)).unwrap();
        prop_assert!(later <= now);
        if quorum.overlaps() {
            prop_assert_eq!(now, 0.0);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn a_single_writer_with_blocking_write_back_is_linearizable(seed in any::<u64>(), sigma in 0.0f64..2.0) {
        let parameters = LinearizabilityParameters {
            repair: ReadRepair::Blocking,
            writers: 1,
            latency: lessons::sim::Latency::log_normal(ms(5), sigma),
            think_time: ms(3),
            ..Default::default()
        };
        let run = random_store_run(&parameters, seed).unwrap();
        let history = RegisterHistory::from_operations(run.trace().operations()).unwrap();
        prop_assert!(check_register(&history).is_linearizable());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn after_a_blocking_read_answers_w_replicas_hold_its_version_or_newer(seed in any::<u64>()) {
        let parameters = LinearizabilityParameters {
            repair: ReadRepair::Blocking,
            operations_per_client: 6,
            ..Default::default()
        };
        let finished = random_store_run(&parameters, seed).unwrap();
        let operations = finished.trace().operations();
        for read in operations.iter().filter(|op| op.operation == "read") {
            let (Some(result), Some(at)) = (read.result.as_deref(), read.responded_at) else {
                continue;
            };
            let Some(write) = operations
                .iter()
                .find(|op| op.operation == format!("write {result}"))
            else {
                continue; // "empty" or "failed"
            };
            // Clocks are exact here, so a write's stamp is its invocation time and its writer.
            let stamp = WriteStamp { major: write.invoked_at.as_nanos(), minor: 0, node: write.client };
            let mut replay = random_store(&parameters, seed).unwrap();
            replay.run_until(at).unwrap();
            let holding = (0..3)
                .filter_map(|r| replay.node::<Replica>(r))
                .filter(|replica| replica.get(0).is_some_and(|v| v.stamp >= stamp))
                .count();
            prop_assert!(holding >= parameters.quorum.w(), "read {} at {at}: {holding} replicas", result);
        }
    }

    #[test]
    fn read_repair_never_replaces_a_newer_version_with_an_older_one(seed in any::<u64>()) {
        let parameters = LinearizabilityParameters {
            repair: ReadRepair::Background,
            latency: lessons::sim::Latency::log_normal(ms(5), 1.5),
            operations_per_client: 8,
            ..Default::default()
        };
        let mut store = random_store(&parameters, seed).unwrap();
        let mut newest: Vec<Option<WriteStamp>> = vec![None; 3];
        for step in 1..=400 {
            store.run_until(ms(step)).unwrap();
            for (r, seen) in newest.iter_mut().enumerate() {
                let now = store.node::<Replica>(r).and_then(|replica| replica.get(0)).map(|v| v.stamp);
                prop_assert!(now >= *seen);
                *seen = now;
            }
        }
    }
}

#[test]
fn every_read_quorum_meets_every_write_quorum_exhaustively() {
    for n in 1..=6usize {
        for w in 1..=n {
            for r in 1..=n {
                let quorum = Quorum::new(n, w, r).unwrap();
                let sets =
                    |size: usize| (0u32..1 << n).filter(move |s| s.count_ones() as usize == size);
                let fewest = sets(w)
                    .flat_map(|write| sets(r).map(move |read| (write & read).count_ones() as usize))
                    .min()
                    .unwrap();
                assert_eq!(fewest, quorum.min_overlap(), "{quorum}");
            }
        }
    }
}

#[test]
fn availability_and_staleness_have_their_exact_values() {
    let q = |n, w, r| Quorum::new(n, w, r).unwrap();
    assert!(close(q(3, 2, 2).write_availability(0.1).unwrap(), 0.972));
    assert!(close(q(5, 3, 3).write_availability(0.1).unwrap(), 0.99144));
    assert!(close(q(3, 3, 1).write_availability(0.1).unwrap(), 0.729));
    assert!(close(q(3, 3, 1).read_availability(0.1).unwrap(), 0.999));
    assert!(close(q(3, 1, 1).stale_read_probability(), 2.0 / 3.0));
    assert!(close(q(5, 2, 2).stale_read_probability(), 0.3));
    assert!(close(q(5, 1, 1).stale_read_probability(), 0.8));
    assert!(close(q(5, 1, 2).stale_read_probability(), 0.6));
    assert_eq!(q(3, 2, 2).stale_read_probability(), 0.0);
    let decayed = stale_read_probability_after(q(3, 1, 1), ms(10), ms(10)).unwrap();
    assert!(close(decayed, 2.0 / 3.0 * (-1.0f64).exp()));
}

#[test]
fn majorities_of_2f_and_2f_minus_1_survive_the_same_failures() {
    for f in 1..=10 {
        let even = Quorum::majority(2 * f).unwrap();
        let odd = Quorum::majority(2 * f - 1).unwrap();
        assert_eq!(even.writes_survive(), f - 1);
        assert_eq!(odd.writes_survive(), f - 1);
    }
}

#[test]
fn waiting_for_the_kth_of_three_exponential_replies() {
    let waits: Vec<f64> = (1..=3)
        .map(|k| {
            expected_exponential_wait(3, k, secs(6))
                .unwrap()
                .as_secs_f64()
        })
        .collect();
    assert!((waits[0] - 2.0).abs() < 1e-9);
    assert!((waits[1] - 5.0).abs() < 1e-9);
    assert!((waits[2] - 11.0).abs() < 1e-9);
}

#[test]
fn the_new_old_inversion_is_rejected_without_repair_and_accepted_with_write_back() {
    let verdict = |repair| {
        let run = inversion_run(repair).unwrap();
        check_register(&RegisterHistory::from_operations(run.trace().operations()).unwrap())
    };
    assert!(!verdict(ReadRepair::Off).is_linearizable());
    assert!(verdict(ReadRepair::Blocking).is_linearizable());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    /// A partition that only client 0 sees: its writes and reads are those of a cluster where
    /// the cut-off nodes are down, and client 1's are those of the untouched cluster.
    #[test]
    fn a_one_client_partition_is_an_outage_for_that_client_only(
        cut in prop::collection::vec(any::<bool>(), 5),
        sloppy in any::<bool>(),
        w in 1usize..=3,
        r in 1usize..=3,
    ) {
        let quorum = Quorum::new(3, w, r).unwrap();
        let preference = [0, 1, 2, 3, 4];
        let mut partitioned = SloppyCluster::new(5, secs(1)).unwrap();
        let mut outage = partitioned.clone();
        let mut untouched = partitioned.clone();
        for (node, &is_cut) in cut.iter().enumerate() {
            partitioned.set_reachable(ms(1), 0, node, !is_cut).unwrap();
            outage.set_down(ms(1), node, is_cut).unwrap();
        }
        let mut mine = partitioned.clone();
        let seen = mine.as_client(0).write(ms(2), 9, 1, &preference, quorum, sloppy).unwrap();
        prop_assert_eq!(seen, outage.write(ms(2), 9, 1, &preference, quorum, sloppy).unwrap());
        prop_assert_eq!(
            mine.as_client(0).read(9, &preference, quorum).unwrap(),
            outage.read(9, &preference, quorum).unwrap()
        );
        let other = partitioned.as_client(1).write(ms(2), 9, 1, &preference, quorum, sloppy).unwrap();
        prop_assert_eq!(other, untouched.write(ms(2), 9, 1, &preference, quorum, sloppy).unwrap());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Strict quorums lose exactly the partition's writes and never serve a stale read; sloppy
    /// ones lose none, and serve no stale read after healing when the window covered the
    /// partition.
    #[test]
    fn strict_quorums_lose_writes_and_sloppy_ones_serve_stale_reads(
        minutes in 0i64..=60,
        window_minutes in 0i64..=60,
        seed in any::<u64>(),
    ) {
        let rows =
            strict_vs_sloppy_experiment(&[secs(minutes * 60)], secs(window_minutes * 60), seed)
                .unwrap();
        let (strict, sloppy) = (&rows[0], &rows[1]);
        prop_assert_eq!(strict.writes_ok, (3_600 - minutes * 60) as f64 / 3_600.0);
        prop_assert_eq!(strict.stale_reads, 0.0);
        prop_assert_eq!(sloppy.writes_ok, 1.0);
        prop_assert!(sloppy.stale_reads >= strict.stale_reads);
        if window_minutes >= minutes {
            prop_assert_eq!(sloppy.stale_after_healing, 0);
        }
        if minutes == 0 {
            prop_assert_eq!(sloppy.stale_reads, 0.0);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    /// Without writes, agreement never goes back; an anti-entropy round settles all keys or
    /// none (the lagging replica is in the pair or not).
    #[test]
    fn replicas_only_come_to_agree_and_anti_entropy_settles_all_keys_at_once(
        seed in any::<u64>(),
        every_s in 1i64..=10,
    ) {
        let parameters = ReadRepairParameters {
            keys: 50,
            hot_keys: 5,
            clients: 1,
            mean_gap: ms(20),
            duration: secs(20),
            sample_every: secs(1),
            ..ReadRepairParameters::default()
        };
        let rows = convergence_experiment(&parameters, secs(every_s), seed).unwrap();
        for pair in rows.windows(2).filter(|pair| pair[0].repair == pair[1].repair) {
            prop_assert!(pair[1].keys_agreeing >= pair[0].keys_agreeing);
        }
        for row in rows.iter().filter(|row| row.repair.starts_with("anti-entropy")) {
            prop_assert!(row.keys_agreeing == 0.0 || row.keys_agreeing == 1.0);
        }
    }
}

#[test]
fn hints_are_delivered_exactly_once_and_late_writes_are_missing() {
    let rows = hinted_handoff_experiment(&[secs(1), secs(4)], secs(2), 1_000, 3).unwrap();
    assert_eq!(rows[0].missing, 0);
    assert!((rows[1].missing_fraction - 0.5).abs() < 0.05);
    let quorum = Quorum::new(1, 1, 1).unwrap();
    let mut cluster = SloppyCluster::new(2, secs(10)).unwrap();
    cluster.set_down(Time::ZERO, 0, true).unwrap();
    cluster.write(ms(1), 1, 1, &[0, 1], quorum, true).unwrap();
    cluster.set_down(ms(2), 0, false).unwrap();
    assert_eq!(cluster.hand_off(), 1);
    assert_eq!(cluster.hand_off(), 0);
    assert!(cluster.hints().is_empty());
}

#[test]
fn a_delete_survives_repair_before_the_purge_and_not_after() {
    for purge_first in [false, true] {
        let (mut a, mut c) = (TombstoneReplica::new(), TombstoneReplica::new());
        a.put(1, 42, 1);
        c.put(1, 42, 1);
        a.delete(1, 2, Time::ZERO);
        if purge_first {
            a.purge(secs(10), secs(10));
        }
        TombstoneReplica::repair(&mut a, &mut c);
        assert_eq!(a.get(1).is_some(), purge_first);
        assert_eq!(c.get(1).is_some(), purge_first);
    }
}

#[test]
fn invalid_parameters_say_what_is_allowed() {
    let message = |error: QuorumError| error.to_string();
    assert_eq!(
        message(Quorum::new(3, 4, 2).unwrap_err()),
        "W = 4 is not allowed: a write quorum needs 1 ≤ W ≤ N = 3"
    );
    assert_eq!(
        message(Quorum::new(3, 2, 0).unwrap_err()),
        "R = 0 is not allowed: a read quorum needs 1 ≤ R ≤ N = 3"
    );
    assert_eq!(
        message(Quorum::new(0, 1, 1).unwrap_err()),
        "N = 0 is not allowed: the replication factor N must be between 1 and 64"
    );
    assert!(
        message(
            Quorum::new(3, 2, 2)
                .unwrap()
                .write_availability(1.5)
                .unwrap_err()
        )
        .contains("[0, 1]")
    );
}

#[test]
fn a_three_client_two_hundred_operation_history_is_checked() {
    let parameters = LinearizabilityParameters {
        operations_per_client: 67,
        ..Default::default()
    };
    let run = random_store_run(&parameters, 1).unwrap();
    let history = RegisterHistory::from_operations(run.trace().operations()).unwrap();
    assert_eq!(history.len(), 201);
    let _ = check_register(&history);
}
