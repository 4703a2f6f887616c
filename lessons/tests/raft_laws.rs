//! The laws of the Raft lesson, for all inputs (proptest, regressions persisted beside this
//! file): every safety property of the paper's Figure 3 under random fault schedules, client
//! sessions, snapshots, partitions, cluster sizes, stable leaders on timely networks, reads,
//! and quorum intersection; and the exact values the lesson quotes.

use lessons::check::check_register;
use lessons::raft::*;
use lessons::sim::{Latency, Link, Rng, ms};
use proptest::prelude::*;

/// One action of a hand-driven schedule: which node or message it concerns is taken modulo
/// what exists when it runs.
#[derive(Debug, Clone, Copy)]
enum Action {
    Deliver(usize),
    Duplicate(usize),
    Lose(usize),
    Timeout(usize),
    Heartbeat(usize),
    Write(usize),
    Crash(usize),
    Restart(usize),
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        8 => any::<usize>().prop_map(Action::Deliver),
        1 => any::<usize>().prop_map(Action::Duplicate),
        1 => any::<usize>().prop_map(Action::Lose),
        2 => any::<usize>().prop_map(Action::Timeout),
        2 => any::<usize>().prop_map(Action::Heartbeat),
        2 => any::<usize>().prop_map(Action::Write),
        1 => any::<usize>().prop_map(Action::Crash),
        1 => any::<usize>().prop_map(Action::Restart),
    ]
}

/// Runs `actions` on a fresh hand-driven cluster and returns its safety violations.
fn run_schedule(config: Config, actions: &[Action]) -> Vec<Violation> {
    let servers = config.cluster_size;
    let mut network = HandNetwork::new(config).unwrap();
    for (value, &action) in actions.iter().enumerate() {
        let pending = network.in_flight().max(1);
        match action {
            Action::Deliver(at) => network.deliver(at % pending),
            Action::Duplicate(at) => network.duplicate(at % pending),
            Action::Lose(at) => network.lose(at % pending),
            Action::Timeout(node) => network.timeout(node % servers),
            Action::Heartbeat(node) => network.heartbeat(node % servers),
            Action::Write(node) => network.write(node % servers, value as u64 + 1),
            Action::Crash(node) => network.crash(node % servers),
            Action::Restart(node) => network.restart(node % servers),
        }
    }
    network.monitor().violations().to_vec()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3_000))]

    /// Any interleaving of deliveries (in any order), duplicates, losses, timeouts, writes,
    /// crashes and restarts keeps election safety, one vote per term, terms that never go back,
    /// log matching, leader completeness, committed entries and state machine safety.
    #[test]
    fn random_interleavings_keep_every_safety_property(
        servers in 1usize..=5,
        batch in 1usize..=3,
        snapshot_every in prop::option::of(2u64..6),
        actions in prop::collection::vec(action(), 0..160),
    ) {
        let mut config = Config::new(servers).unwrap().max_batch(batch).unwrap();
        if let Some(every) = snapshot_every {
            config = config.snapshot_every(every).unwrap();
        }
        let violations = run_schedule(config, &actions);
        prop_assert!(violations.is_empty(), "{:?}", violations);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Simulated runs with random partitions (some one-way), crashes and restarts, pauses, loss,
    /// duplication and reordering: no safety violation, and the clients' history is
    /// linearizable.
    #[test]
    fn random_fault_schedules_keep_safety_and_linearizability(
        servers in 1usize..=5,
        loss in 0.0f64..0.2,
        seed in any::<u64>(),
    ) {
        let row = chaos_run(ChaosParameters::new(servers).unwrap().loss(loss).unwrap(), seed).unwrap();
        prop_assert_eq!(row.violations, 0, "{:?}", row.first_violation);
        prop_assert!(row.linearizable);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(150))]

    /// With snapshots every few entries, each running server's register equals a replay of the
    /// committed log from the start (snapshot + suffix = full replay), and followers that fell
    /// behind catch up through InstallSnapshot without breaking any property.
    #[test]
    fn snapshot_and_suffix_equal_full_replay(every in 1u64..8, seed in any::<u64>()) {
        let config = Config::new(3).unwrap().snapshot_every(every).unwrap();
        let mut cluster = RaftCluster::new(seed, config, Timing::paper()).unwrap();
        cluster.set_links(Link::new().latency(Latency::uniform(ms(1), ms(10))).loss(0.05)).unwrap();
        cluster.add_client(Workload::new(60, ms(20), ms(100), 0.2).unwrap()).unwrap();
        let mut rng = Rng::derive(seed, &[1]);
        for fault in random_faults(3, 4, ms(2_000), &mut rng) {
            let _ = cluster.add_fault(fault);
        }
        cluster.run_until(ms(4_000)).unwrap();
        let monitor = cluster.monitor();
        prop_assert!(monitor.violations().is_empty(), "{:?}", monitor.violations());
        for id in 0..3 {
            let Some(server) = cluster.server(id) else { continue };
            let node = server.node();
            let mut replay = Register::default();
            for index in 1..=node.last_applied() {
                if let Some(Entry { command: Some(command), .. }) = monitor.committed().get(&index) {
                    replay.apply(command, true);
                }
            }
            prop_assert_eq!(&replay, node.register());
        }
    }

    /// With sessions, a retried command is applied once however the crashes fall; without,
    /// the runs show it applied again (measured in the lesson, not a law).
    #[test]
    fn sessions_apply_each_command_exactly_once(rate in 0.0f64..4.0, seed in any::<u64>()) {
        let row = dedupe_trial(true, rate, seed).unwrap();
        prop_assert_eq!(row.repeated_applications, 0);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    /// A side without a majority acknowledges no write invoked during the split; when it heals,
    /// the old leader has seen a newer term and its uncommitted entries are replaced.
    #[test]
    fn a_minority_side_commits_nothing(servers in 3usize..=7, seed in any::<u64>(), pick in any::<usize>()) {
        let minority = 1 + pick % (servers.div_ceil(2) - 1).max(1);
        prop_assume!(minority <= servers / 2 || (servers % 2 == 0 && minority == servers / 2));
        let row = partition_trial(servers, minority, seed).unwrap();
        prop_assert_eq!(row.acknowledged_leader_side, 0);
        prop_assert!(row.old_leader_stepped_down);
        prop_assert!(row.overwritten > 0);
        prop_assert_eq!(row.violations, 0);
    }

    /// With every delay below the election timeout minus the heartbeat interval and no
    /// failures, the first leader is the only one.
    #[test]
    fn timely_networks_keep_their_leader(max_delay_ms in 1i64..99, seed in any::<u64>()) {
        let mut cluster = RaftCluster::new(seed, Config::new(5).unwrap(), Timing::paper()).unwrap();
        cluster.set_links(Link::new().latency(Latency::uniform(ms(1), ms(max_delay_ms))).fifo(false)).unwrap();
        cluster.add_client(Workload::writes(100)).unwrap();
        cluster.run_until(ms(1_500)).unwrap();
        let settled = cluster.monitor().elections().len();
        cluster.run_until(ms(20_000)).unwrap();
        prop_assert_eq!(cluster.monitor().elections().len(), settled);
        prop_assert!(cluster.monitor().violations().is_empty());
    }

    /// In the deposed-leader scenario (a leader cut off with a reader, unaware), ReadIndex,
    /// and a lease whose drift bound covers the clocks' real drift, give only linearizable
    /// histories. (Our servers do not refuse votes after hearing from a leader, so the lease is
    /// not claimed safe in every schedule.)
    #[test]
    fn read_index_and_bounded_leases_are_linearizable(drift in -90_000i64..=90_000, seed in any::<u64>()) {
        prop_assert!(read_trial(ReadMode::ReadIndex, drift, seed).unwrap().linearizable);
        let lease = ReadMode::Lease { drift_bound_ppm: 100_000 };
        let row = read_trial(lease, drift, seed).unwrap();
        prop_assert!(row.linearizable && row.stale_reads == 0, "{:?}", row);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Any two quorums of 2f + 1 out of 3f + 1 share at least f + 1 servers (so one honest),
    /// and any two majorities out of 2f + 1 share at least one.
    #[test]
    fn quorums_intersect(f in 1usize..=4, a in any::<u64>(), b in any::<u64>()) {
        let pick = |seed: u64, n: usize, k: usize| {
            let mut ids: Vec<usize> = (0..n).collect();
            Rng::new(seed).shuffle(&mut ids);
            ids.truncate(k);
            ids
        };
        let shared = |x: &[usize], y: &[usize]| x.iter().filter(|id| y.contains(id)).count();
        let (n, q) = (3 * f + 1, 2 * f + 1);
        prop_assert!(shared(&pick(a, n, q), &pick(b, n, q)) > f);
        let (n, q) = (2 * f + 1, f + 1);
        prop_assert!(shared(&pick(a, n, q), &pick(b, n, q)) >= 1);
        prop_assert_eq!(quorum_overlap(3 * f + 1, 2 * f + 1), f + 1);
    }
}

#[test]
fn figure_8_count_replicas_commits_an_entry_that_is_later_overwritten() {
    let (steps, violations) = figure_8(CommitRule::CountReplicas).unwrap();
    assert_eq!(steps[3].logs[0], "1:t1 2:t1 |");
    assert_eq!(steps[4].logs[1], "1:t1 2:t2 3:t4 |");
    let laws: Vec<&str> = violations.iter().map(|v| v.law).collect();
    assert!(laws.contains(&"leader completeness"));
    assert!(laws.contains(&"state machine safety"));
    assert!(laws.contains(&"committed entries stay"));
}

#[test]
fn figure_8_current_term_only_never_commits_the_old_entry() {
    let (steps, violations) = figure_8(CommitRule::CurrentTermOnly).unwrap();
    assert_eq!(steps[3].logs[0], "1:t1 2:t1");
    assert_eq!(steps[3].logs[2], "1:t1 | 2:t1");
    assert!(violations.is_empty());
}

#[test]
fn commit_needs_a_majority_of_the_whole_cluster_counting_the_leader() {
    // 5 servers: the leader and 2 followers, not 3 followers.
    assert_eq!(Config::new(5).unwrap().majority(), 3);
    let mut network = HandNetwork::new(Config::new(5).unwrap()).unwrap();
    network.timeout(0);
    network.exchange(&[0, 1, 2, 3, 4]);
    network.write(0, 7);
    network.exchange(&[0, 1]);
    assert_eq!(network.node(0).unwrap().commit_index(), 1); // the no-op only
    network.exchange(&[0, 1, 2]);
    assert_eq!(network.node(0).unwrap().commit_index(), 2);
}

#[test]
fn two_f_plus_one_and_two_f_plus_two_tolerate_the_same_f() {
    for f in 0..=3 {
        assert_eq!(tolerated_failures(2 * f + 1), f);
        assert_eq!(tolerated_failures(2 * f + 2), f);
    }
    for servers in 1..=7 {
        let row = sizing_row(servers, 1).unwrap();
        assert!(row.commits_with_f_down, "{row:?}");
        assert!(!row.commits_with_f_plus_1_down, "{row:?}");
    }
}

#[test]
fn a_deposed_leader_serves_stale_reads_without_a_check() {
    for mode in [ReadMode::AnyServer, ReadMode::LeaderUnchecked] {
        let row = read_trial(mode, 0, 1).unwrap();
        assert!(row.stale_reads > 0 && !row.linearizable, "{row:?}");
    }
    let beyond = read_trial(
        ReadMode::Lease {
            drift_bound_ppm: 100_000,
        },
        -500_000,
        1,
    )
    .unwrap();
    assert!(beyond.stale_reads > 0 && !beyond.linearizable, "{beyond:?}");
}

#[test]
fn messages_per_request_grow_linearly_for_raft_and_quadratically_for_pbft() {
    let rows = message_counts(&[4, 8, 16, 32]).unwrap();
    for pair in rows.windows(2) {
        let raft = pair[1].raft as f64 / pair[0].raft as f64;
        let pbft = pair[1].pbft as f64 / pair[0].pbft as f64;
        assert!((1.8..2.3).contains(&raft), "{raft}");
        assert!((3.4..4.4).contains(&pbft), "{pbft}");
    }
    assert_eq!(raft_messages(5).unwrap(), 18);
    assert_eq!(pbft_messages(4), 29);
}

#[test]
fn the_linearizability_checker_sees_every_simulated_history_as_linearizable() {
    let mut cluster = RaftCluster::new(11, Config::new(5).unwrap(), Timing::paper()).unwrap();
    cluster
        .add_client(Workload::new(50, ms(10), ms(100), 0.5).unwrap())
        .unwrap();
    cluster
        .add_client(Workload::new(50, ms(10), ms(100), 0.5).unwrap())
        .unwrap();
    cluster.run_until(ms(3_000)).unwrap();
    assert!(check_register(&cluster.history().unwrap()).is_linearizable());
}

/// The explorer, driving the real servers, finds the paper's Figure 8 as the shortest run that
/// breaks state machine safety under `CountReplicas`, and searches the whole reachable space
/// under Raft's rule without finding one.
#[test]
fn the_explorer_finds_figure_8_and_nothing_under_raft_s_rule() {
    let broken = RaftModel::new(3, CommitRule::CountReplicas, 2, 4).unwrap();
    let search = broken.explore(20).unwrap();
    let found = search.violation.expect("a violation");
    assert_eq!(found.invariant, "state machine safety");
    let elect = |candidate, voters: &[usize]| ClusterAction::Elect {
        candidate,
        voters: voters.to_vec(),
    };
    let copy = |leader, follower| ClusterAction::Replicate { leader, follower };
    let actions: Vec<ClusterAction> = found.run.actions().cloned().collect();
    assert_eq!(
        actions,
        [
            elect(0, &[1]),
            ClusterAction::Write(0),
            elect(1, &[2]),
            ClusterAction::Write(1),
            elect(0, &[2]),
            copy(0, 2),
            elect(1, &[0]),
            copy(1, 0),
        ]
    );
    assert_eq!(found.run.final_state().logs(), [vec![2], vec![2], vec![1]]);

    for (writes, terms, states) in [(2, 4, 333_430), (1, 4, 48_574)] {
        let correct = RaftModel::new(3, CommitRule::CurrentTermOnly, writes, terms).unwrap();
        let everything = correct.explore(20).unwrap();
        assert!(everything.holds() && everything.exhausted);
        assert_eq!(
            everything.distinct_states, states,
            "{writes} writes, terms ≤ {terms}"
        );
    }
    // The broken rule needs both writes and all four terms.
    for (writes, terms) in [(1, 4), (2, 3)] {
        let smaller = RaftModel::new(3, CommitRule::CountReplicas, writes, terms).unwrap();
        let everything = smaller.explore(20).unwrap();
        assert!(
            everything.holds() && everything.exhausted,
            "{writes} writes, terms ≤ {terms}"
        );
    }
}
