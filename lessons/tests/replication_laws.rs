//! The laws of the leader-replication lesson and of the sequential-consistency checker, for all
//! inputs (proptest, regressions persisted beside this file), and the exact values the lesson
//! quotes.

use lessons::check::{RegisterAction, RegisterHistory, check_register, check_sequential};
use lessons::replication::{
    CapMode, CapRequest, CapSetup, LagSpike, LeaderSetup, ReadFrom, ReadPolicy, Regions,
    Resolution, SessionRouting, WaitFor, Withdrawal, WithdrawalCheck, atomic_register_history,
    canary_experiment, cap_run, cap_scripted, failover_trial, final_balance, multi_leader_run,
    pacelc_run, read_your_writes_experiment, session_reads,
};
use lessons::sim::{Latency, SimError, Time, ms, secs};
use proptest::prelude::*;

mod register_histories;
use register_histories::small_histories;

/// Whether `order` keeps every client's operations in their real-time order, holds every
/// answered operation, and explains every read: a witness of sequential consistency.
fn is_sequential_witness(history: &RegisterHistory, order: &[usize]) -> bool {
    let operations = history.operations();
    let all_answered = (0..operations.len())
        .filter(|&i| operations[i].is_complete())
        .all(|i| order.contains(&i));
    let in_program_order = order.iter().enumerate().all(|(position, &i)| {
        order[position + 1..].iter().all(|&later| {
            operations[later].client != operations[i].client
                || operations[later]
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
    all_answered && in_program_order && explains
}

/// Sequential consistency by trying every order of every subset that holds all answered
/// operations: slow and obviously right.
fn sequential_by_brute_force(history: &RegisterHistory) -> bool {
    let n = history.len();
    (0..1u32 << n).any(|subset| {
        let chosen: Vec<usize> = (0..n).filter(|i| subset >> i & 1 == 1).collect();
        let mut found = false;
        permute(&chosen, &mut Vec::new(), &mut |order| {
            found = found || is_sequential_witness(history, order);
        });
        found
    })
}

fn permute(rest: &[usize], prefix: &mut Vec<usize>, visit: &mut impl FnMut(&[usize])) {
    if rest.is_empty() {
        visit(prefix);
        return;
    }
    for k in 0..rest.len() {
        let mut others = rest.to_vec();
        prefix.push(others.remove(k));
        permute(&others, prefix, visit);
        prefix.pop();
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn the_sequential_checker_agrees_with_brute_force(history in small_histories()) {
        let verdict = check_sequential(&history);
        prop_assert_eq!(verdict.is_sequentially_consistent(), sequential_by_brute_force(&history));
        if let Some(order) = verdict.order() {
            prop_assert!(is_sequential_witness(&history, order));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn every_linearizable_history_is_sequentially_consistent(history in small_histories()) {
        if check_register(&history).is_linearizable() {
            prop_assert!(check_sequential(&history).is_sequentially_consistent());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn a_single_copy_register_is_linearizable_and_sequential(
        clients in 1usize..5,
        per_client in 0usize..12,
        seed in any::<u64>(),
    ) {
        let history = atomic_register_history(clients, per_client, seed).unwrap();
        prop_assert!(check_register(&history).is_linearizable());
        prop_assert!(check_sequential(&history).is_sequentially_consistent());
    }

    #[test]
    fn waiting_for_the_promoted_follower_never_loses_an_acknowledged_write(
        followers in 1usize..5,
        sync_share in 0.0f64..=1.0,
        lag_ms in 0i64..80,
        interval_ms in 1i64..30,
        crash_ms in 0i64..1_500,
        seed in any::<u64>(),
    ) {
        let sync_followers = ((followers as f64 * sync_share).ceil() as usize).max(1);
        let setup = LeaderSetup::new(
            followers,
            sync_followers,
            Latency::exponential(ms(lag_ms)),
            ms(interval_ms),
        ).unwrap();
        let trial = failover_trial(&setup, ms(crash_ms), seed).unwrap();
        prop_assert!(trial.promoted < sync_followers);
        prop_assert_eq!(trial.lost, 0);
    }

    #[test]
    fn async_loses_exactly_the_acknowledged_writes_the_promoted_follower_lacks(
        followers in 1usize..5,
        lag_ms in 0i64..80,
        interval_ms in 1i64..30,
        crash_ms in 0i64..1_500,
        seed in any::<u64>(),
    ) {
        let setup =
            LeaderSetup::new(followers, 0, Latency::exponential(ms(lag_ms)), ms(interval_ms))
                .unwrap();
        let trial = failover_trial(&setup, ms(crash_ms), seed).unwrap();
        // Asynchronous: every write before the crash was acknowledged at once.
        prop_assert_eq!(trial.acknowledged, trial.writes.len());
        let missing = trial.writes.iter().filter(|w| !w.on_promoted).count();
        prop_assert_eq!(trial.lost, missing);
        // The log arrives in order: what the promoted follower has is a prefix.
        let held = trial.writes.iter().take_while(|w| w.on_promoted).count();
        prop_assert_eq!(held + missing, trial.writes.len());
    }

    #[test]
    fn the_log_position_token_never_reads_before_ones_own_write(
        since_ms in 0i64..10_000,
        lag_ms in 0i64..10_000,
    ) {
        let served = ReadPolicy::LogPositionToken.serve(ms(since_ms), ms(lag_ms));
        prop_assert!(!served.missed_own_write);
        prop_assert_eq!(served.from_primary, lag_ms > since_ms);
    }

    #[test]
    fn primary_for_a_window_at_least_the_largest_lag_is_safe(
        max_lag_ms in 0i64..5_000,
        extra_ms in 0i64..1_000,
        think_ms in 0i64..10_000,
        seed in any::<u64>(),
    ) {
        let window = ms(max_lag_ms + extra_ms);
        let rows = read_your_writes_experiment(
            &[ReadPolicy::PrimaryFor(window)],
            &[ms(think_ms)],
            Latency::uniform(ms(0), ms(max_lag_ms)),
            200,
            seed,
        ).unwrap();
        prop_assert_eq!(rows[0].violations, 0);
    }

    #[test]
    fn a_canary_monitor_never_reports_less_than_the_true_lag(
        base_s in 0i64..20,
        start_s in 0i64..200,
        length_s in 0i64..100,
        extra_s in 0i64..60,
        period_s in 1i64..60,
    ) {
        let lag = LagSpike {
            base: secs(base_s),
            spike_start: secs(start_s),
            spike_length: secs(length_s),
            extra: secs(extra_s),
        };
        let rows = canary_experiment(lag, secs(period_s), secs(300)).unwrap();
        for row in rows {
            prop_assert!(row.measured_s >= row.true_s);
            prop_assert!(row.measured_s < row.true_s + period_s as f64);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn a_session_token_never_sees_older_data(
        lags_ms in prop::collection::vec(0i64..500, 1..6),
        reads in 0usize..30,
        gap_ms in 0i64..50,
        seed in any::<u64>(),
    ) {
        let lags: Vec<Time> = lags_ms.into_iter().map(ms).collect();
        for routing in [SessionRouting::MaxSeenToken, SessionRouting::StickyFollower] {
            let seen = session_reads(routing, &lags, secs(1), reads, ms(gap_ms), seed).unwrap();
            prop_assert!(seen.windows(2).all(|pair| pair[0].position <= pair[1].position));
        }
    }

    #[test]
    fn a_conditional_update_never_overdraws(
        balance in 0i64..2_000,
        requests in prop::collection::vec((0i64..5_000, 0i64..1_000), 0..12),
        lag_ms in 0i64..5_000,
        round_trip_ms in 0i64..100,
    ) {
        let withdrawals: Vec<Withdrawal> = requests
            .into_iter()
            .map(|(at, amount)| Withdrawal { at: ms(at), amount })
            .collect();
        let left = final_balance(
            balance,
            &withdrawals,
            WithdrawalCheck::ConditionalUpdate,
            ms(lag_ms),
            ms(round_trip_ms),
        ).unwrap();
        prop_assert!(left >= 0);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn every_resolution_converges_and_only_siblings_and_crdts_keep_every_edit(
        delay_ms in 0i64..300,
        gap_ms in 1i64..200,
        skew_ms in 0i64..50,
        edits in 0usize..60,
        seed in any::<u64>(),
    ) {
        let skew = ms(skew_ms);
        for resolution in [
            Resolution::WallClockLww { skew },
            Resolution::HybridLww { skew },
            Resolution::Siblings,
            Resolution::Crdt,
        ] {
            let run = multi_leader_run(resolution, ms(delay_ms), ms(gap_ms), edits, seed).unwrap();
            prop_assert!(run.converged);
            if matches!(resolution, Resolution::Siblings | Resolution::Crdt) {
                prop_assert_eq!(run.lost, 0);
            }
        }
    }

    #[test]
    fn a_synchronous_write_waits_at_least_the_round_trip_it_waits_for(
        delays_ms in prop::collection::vec(1i64..150, 1..6),
        jitter in 0.0f64..1.0,
        seed in any::<u64>(),
    ) {
        let regions = Regions::new(delays_ms.into_iter().map(ms).collect(), jitter, ms(1)).unwrap();
        for wait_for in [WaitFor::All, WaitFor::Majority] {
            let run = pacelc_run(&regions, wait_for, ReadFrom::Local, 200, seed).unwrap();
            let waited_enough = run
                .writes
                .iter()
                .all(|&(latency, round_trip)| round_trip > Time::ZERO && latency >= round_trip);
            prop_assert!(waited_enough);
        }
        let all = pacelc_run(&regions, WaitFor::All, ReadFrom::Local, 200, seed).unwrap();
        prop_assert!(all.stale.is_empty());
    }

    #[test]
    fn async_local_reads_are_stale_by_less_than_the_replication_delay(
        delays_ms in prop::collection::vec(1i64..150, 1..6),
        jitter in 0.0f64..1.0,
        seed in any::<u64>(),
    ) {
        let regions = Regions::new(delays_ms.into_iter().map(ms).collect(), jitter, ms(1)).unwrap();
        let run = pacelc_run(&regions, WaitFor::Nobody, ReadFrom::Local, 200, seed).unwrap();
        prop_assert!(run.stale.iter().all(|s| s.staleness < s.replication_delay));
        let bounded =
            pacelc_run(&regions, WaitFor::Nobody, ReadFrom::BoundedStaleness(ms(20)), 200, seed)
                .unwrap();
        prop_assert!(bounded.stale.iter().all(|s| s.staleness <= ms(20)));
    }

    #[test]
    fn cp_histories_are_linearizable_and_fail_only_on_the_cut_off_side(
        nodes in 3usize..6,
        cut_off_share in 0.0f64..=1.0,
        start_ms in 0i64..100,
        length_ms in 0i64..300,
        seed in any::<u64>(),
    ) {
        let cut_off = ((nodes - 1) / 2) as f64 * cut_off_share;
        let setup = CapSetup::new(nodes, cut_off.round() as usize, ms(start_ms), ms(length_ms))
            .unwrap();
        let run = cap_run(setup, CapMode::Consistent, 12, seed).unwrap();
        prop_assert!(check_register(&run.history).is_linearizable());
        prop_assert_eq!(run.failed, run.failed_cut_off);
        prop_assert_eq!(run.stale_reads, 0);
    }

    #[test]
    fn ap_answers_every_request(
        nodes in 3usize..6,
        length_ms in 0i64..300,
        seed in any::<u64>(),
    ) {
        let setup = CapSetup::new(nodes, (nodes - 1) / 2, ms(50), ms(length_ms)).unwrap();
        let run = cap_run(setup, CapMode::Available, 12, seed).unwrap();
        prop_assert_eq!(run.failed, 0);
    }

    #[test]
    fn without_a_partition_both_modes_are_linearizable(
        nodes in 3usize..6,
        seed in any::<u64>(),
    ) {
        let setup = CapSetup::new(nodes, (nodes - 1) / 2, ms(0), ms(0)).unwrap();
        for mode in CapMode::BOTH {
            let run = cap_run(setup, mode, 12, seed).unwrap();
            prop_assert_eq!(run.failed, 0);
            prop_assert!(check_register(&run.history).is_linearizable());
        }
    }
}

#[test]
fn a_stale_read_after_a_completed_write_is_sequential_but_not_linearizable() {
    let mut history = RegisterHistory::new();
    history.write(0, 1, ms(0), Some(ms(10))).unwrap();
    history.read(1, None, ms(20), ms(30)).unwrap();
    assert!(!check_register(&history).is_linearizable());
    assert_eq!(check_sequential(&history).order(), Some(&[1, 0][..]));
}

#[test]
fn the_canonical_counterexamples_are_rejected() {
    // A client that misses its own completed write: not even sequentially consistent.
    let mut own = RegisterHistory::new();
    own.write(0, 1, ms(0), Some(ms(1))).unwrap();
    own.read(0, None, ms(2), ms(3)).unwrap();
    assert!(!check_register(&own).is_linearizable());
    assert!(!check_sequential(&own).is_sequentially_consistent());
    // The new-old inversion: a read sees a write in flight, a later read does not.
    let mut inversion = RegisterHistory::new();
    inversion.write(0, 1, ms(0), Some(ms(10))).unwrap();
    inversion.read(1, Some(1), ms(1), ms(3)).unwrap();
    inversion.read(2, None, ms(4), ms(5)).unwrap();
    assert!(!check_register(&inversion).is_linearizable());
    assert!(check_sequential(&inversion).is_sequentially_consistent());
}

#[test]
fn ap_reads_stale_when_both_sides_write_during_the_partition() {
    let setup = CapSetup::new(3, 1, ms(10), ms(100)).unwrap();
    let requests = [
        CapRequest {
            node: 2,
            at: ms(20),
            write: Some(2),
        },
        CapRequest {
            node: 0,
            at: ms(30),
            write: Some(1),
        },
        CapRequest {
            node: 2,
            at: ms(40),
            write: None,
        },
    ];
    let ap = cap_scripted(setup, CapMode::Available, &requests).unwrap();
    assert_eq!((ap.failed, ap.stale_reads), (0, 1));
    assert!(!check_register(&ap.history).is_linearizable());
    let cp = cap_scripted(setup, CapMode::Consistent, &requests).unwrap();
    assert_eq!((cp.failed, cp.failed_cut_off, cp.stale_reads), (2, 2, 0));
    assert_eq!(ap.writes_lost_at_heal, 1); // the leader's later write wins, the cut-off one is gone
    assert!(check_register(&cp.history).is_linearizable());
}

#[test]
fn primary_for_a_window_reads_stale_when_lag_spikes_above_it() {
    // Window 5 s, lag spikes to 8 s, the user reads after 6 s.
    let served = ReadPolicy::PrimaryFor(secs(5)).serve(secs(6), secs(8));
    assert!(served.missed_own_write && !served.from_primary);
    let spiky = Latency::constant(secs(1)).with_spikes(0.1, secs(7));
    let rows = read_your_writes_experiment(
        &[ReadPolicy::PrimaryFor(secs(5))],
        &[secs(6)],
        spiky,
        10_000,
        1,
    )
    .unwrap();
    assert!(rows[0].violations > 0);
}

#[test]
fn with_constant_lag_async_loses_the_writes_of_the_last_lag() {
    // A write every 10 ms on average, 30 ms to reach each follower: the promoted follower lacks
    // exactly the writes of the last 30 ms before the crash.
    let setup = LeaderSetup::new(2, 0, Latency::constant(ms(30)), ms(10)).unwrap();
    let crash = ms(1_000);
    let trial = failover_trial(&setup, crash, 9).unwrap();
    let recent = trial
        .writes
        .iter()
        .filter(|w| w.written_at > crash - ms(30))
        .count();
    assert_eq!(trial.lost, recent);
}

#[test]
fn a_stale_follower_balance_creates_four_hundred_from_nothing() {
    let requests = [
        Withdrawal {
            at: ms(0),
            amount: 500,
        },
        Withdrawal {
            at: secs(1),
            amount: 400,
        },
    ];
    let balance = |check, lag| final_balance(500, &requests, check, lag, ms(2)).unwrap();
    assert_eq!(balance(WithdrawalCheck::FollowerBalance, secs(5)), -400);
    assert_eq!(balance(WithdrawalCheck::FollowerBalance, ms(500)), 0);
    assert_eq!(balance(WithdrawalCheck::PrimaryBalance, secs(5)), 0);
    assert_eq!(balance(WithdrawalCheck::ConditionalUpdate, secs(5)), 0);
    // Two requests 1 ms apart race on the primary when check and debit are separate steps.
    let racing = [
        requests[0],
        Withdrawal {
            at: ms(1),
            ..requests[1]
        },
    ];
    let raced = final_balance(500, &racing, WithdrawalCheck::PrimaryBalance, ms(0), ms(2));
    assert_eq!(raced.unwrap(), -400);
}

#[test]
fn last_writer_wins_drops_one_of_two_concurrent_edits() {
    // One edit in each region, 10 s apart in delivery: they cannot see each other.
    let run = |resolution| multi_leader_run(resolution, secs(10), ms(100), 1, 1).unwrap();
    let skew = ms(0);
    assert_eq!(run(Resolution::WallClockLww { skew }).lost, 1);
    assert_eq!(run(Resolution::HybridLww { skew }).lost, 1);
    assert_eq!(run(Resolution::Siblings).lost, 0);
    assert_eq!(run(Resolution::Crdt).lost, 0);
}

#[test]
fn invalid_parameters_say_what_is_allowed() {
    let lag = Latency::constant(ms(1));
    let message = |error: SimError| error.to_string();
    assert_eq!(
        message(LeaderSetup::new(3, 4, lag.clone(), ms(10)).unwrap_err()),
        "sync_followers 4 is not allowed; from 0 (asynchronous) to the number of followers, 3"
    );
    assert_eq!(
        message(LeaderSetup::new(3, 1, lag, Time::ZERO).unwrap_err()),
        "write_interval 0ns is not allowed; the mean time between writes must be positive"
    );
    assert_eq!(
        message(CapSetup::new(2, 0, ms(0), ms(0)).unwrap_err()),
        "nodes 2 is not allowed; from 3 to 9"
    );
    let flat = LagSpike {
        base: secs(1),
        spike_start: secs(0),
        spike_length: secs(0),
        extra: secs(0),
    };
    assert_eq!(
        message(canary_experiment(flat, ms(1_500), secs(10)).unwrap_err()),
        "period 1.5s is not allowed; a whole number of seconds, at least 1 s"
    );
    assert!(atomic_register_history(0, 3, 1).is_err());
}
