//! The laws of the transactions lesson and of the isolation checker: exact tests on
//! hand-written histories for every anomaly, and properties of the store for random workloads
//! and schedules (proptest, regressions persisted beside this file).

use lessons::check::{Anomaly, INITIAL, TransactionHistory, TxnId, check_isolation};
use lessons::transactions::*;
use proptest::prelude::*;

// The checker on hand-written histories, one per anomaly.

#[test]
fn a_write_cycle_is_g0() {
    let mut history = TransactionHistory::new();
    let (t1, t2) = (history.begin(), history.begin());
    for t in [t1, t2] {
        history.write(t, "x").unwrap();
        history.write(t, "y").unwrap();
        history.commit(t).unwrap();
    }
    history.order_versions("y", [t2, t1]).unwrap();
    let report = check_isolation(&history);
    assert_eq!(report.anomaly, Some(Anomaly::G0));
    assert_eq!(report.cycle_text(), "T1 -ww(x)-> T2 -ww(y)-> T1");
}

#[test]
fn reading_an_aborted_write_is_g1a() {
    let mut history = TransactionHistory::new();
    let (t1, t2) = (history.begin(), history.begin());
    history.write(t1, "x").unwrap();
    history.read(t2, "x", t1).unwrap();
    history.commit(t2).unwrap();
    let report = check_isolation(&history);
    assert_eq!(report.anomaly, Some(Anomaly::G1a));
    assert_eq!(report.cycle_text(), "T1 -wr(x)-> T2");
}

#[test]
fn reading_a_version_its_writer_overwrote_is_g1b() {
    let mut history = TransactionHistory::new();
    let (t1, t2) = (history.begin(), history.begin());
    history.write(t1, "x").unwrap();
    history.write(t1, "x").unwrap();
    history.commit(t1).unwrap();
    history.read_version(t2, "x", t1, 0).unwrap();
    history.commit(t2).unwrap();
    assert_eq!(check_isolation(&history).anomaly, Some(Anomaly::G1b));
    // The final version is fine.
    let mut clean = TransactionHistory::new();
    let (u1, u2) = (clean.begin(), clean.begin());
    clean.write(u1, "x").unwrap();
    clean.write(u1, "x").unwrap();
    clean.commit(u1).unwrap();
    clean.read_version(u2, "x", u1, 1).unwrap();
    clean.commit(u2).unwrap();
    assert!(check_isolation(&clean).is_serializable());
}

#[test]
fn each_reading_the_others_write_is_g1c() {
    let mut history = TransactionHistory::new();
    let (t1, t2) = (history.begin(), history.begin());
    history.write(t1, "x").unwrap();
    history.write(t2, "y").unwrap();
    history.read(t1, "y", t2).unwrap();
    history.read(t2, "x", t1).unwrap();
    history.commit(t1).unwrap();
    history.commit(t2).unwrap();
    let report = check_isolation(&history);
    assert_eq!(report.anomaly, Some(Anomaly::G1c));
    assert_eq!(report.cycle.len(), 2);
}

#[test]
fn read_skew_is_g_single() {
    // T1 reads x before T2 moves money from x to y, and y after.
    let mut history = TransactionHistory::new();
    let (t1, t2) = (history.begin(), history.begin());
    history.read(t1, "x", INITIAL).unwrap();
    history.read(t2, "x", INITIAL).unwrap();
    history.write(t2, "x").unwrap();
    history.read(t2, "y", INITIAL).unwrap();
    history.write(t2, "y").unwrap();
    history.commit(t2).unwrap();
    history.read(t1, "y", t2).unwrap();
    history.commit(t1).unwrap();
    let report = check_isolation(&history);
    assert_eq!(report.anomaly, Some(Anomaly::GSingle));
    assert_eq!(report.cycle_text(), "T1 -rw(x)-> T2 -wr(y)-> T1");
}

#[test]
fn the_lost_update_is_g_single_with_two_transactions() {
    let store = run_in_order(
        Isolation::ReadCommitted,
        &[("x", 0)],
        &vec![IncrementMethod::ReadThenWrite.program(); 2],
        &[0, 1, 0, 0, 1, 1],
    )
    .unwrap();
    let report = store.check();
    assert_eq!(report.anomaly, Some(Anomaly::GSingle));
    assert_eq!(report.cycle_text(), "T2 -rw(x)-> T1 -ww(x)-> T2");
}

#[test]
fn write_skew_is_g2_item() {
    let (initial, programs) = on_call_workload(2).unwrap();
    let store = run_in_order(
        Isolation::Snapshot,
        &initial,
        &programs,
        &[0, 1, 0, 1, 0, 1, 0, 1],
    )
    .unwrap();
    let report = store.check();
    assert_eq!(report.anomaly, Some(Anomaly::G2Item));
    assert_eq!(report.cycle_text(), "T1 -rw(bob)-> T2 -rw(alice)-> T1");
}

#[test]
fn a_serial_history_has_no_cycle() {
    let store = run_in_order(
        Isolation::ReadCommitted,
        &[("x", 0)],
        &vec![IncrementMethod::ReadThenWrite.program(); 3],
        &[0, 0, 0, 1, 1, 1, 2, 2, 2],
    )
    .unwrap();
    assert_eq!(store.value("x"), Some(3));
    assert!(store.check().is_serializable());
}

#[test]
fn bad_histories_are_refused_with_what_is_allowed() {
    let mut history = TransactionHistory::new();
    let t1 = history.begin();
    assert!(
        history
            .read(t1, "x", 5)
            .unwrap_err()
            .to_string()
            .contains("0 (initial) to 1")
    );
    assert!(history.write(2, "x").is_err());
    history.commit(t1).unwrap();
    assert!(history.commit(t1).is_err());
    assert!(history.order_versions("x", [t1]).is_err()); // T1 never wrote x
}

// 11.1: the lost update and its fixes.

#[test]
fn two_readers_that_upgrade_deadlock_and_one_is_aborted() {
    let store = run_in_order(
        Isolation::TwoPhaseLocking,
        &[("x", 0)],
        &vec![IncrementMethod::SharedThenUpgrade.program(); 2],
        &[0, 1, 0, 1],
    )
    .unwrap();
    assert_eq!(store.counters().deadlocks, 1);
    assert_eq!(
        store.status(2),
        Some(Status::Aborted(AbortReason::Deadlock))
    );
    assert_eq!(store.status(1), Some(Status::Committed));
    assert_eq!(store.value("x"), Some(1));
}

#[test]
fn every_interleaving_of_two_increments_exactly() {
    let counts: Vec<(usize, usize, usize)> = IncrementMethod::ALL
        .iter()
        .map(|&m| {
            let row = increment_interleavings(m).unwrap();
            (
                row.totals.runs,
                row.runs_losing_updates,
                row.totals.deadlocks,
            )
        })
        .collect();
    assert_eq!(
        counts,
        [(14, 12, 0), (8, 0, 4), (6, 0, 0), (4, 0, 0), (20, 0, 0)]
    );
}

// 11.3: snapshots, write skew, garbage collection.

#[test]
fn snapshot_isolation_permits_write_skew_and_ssi_rejects_it_in_every_interleaving() {
    let si = on_call_interleavings(Isolation::Snapshot, 2).unwrap();
    assert_eq!(
        (si.totals.runs, si.nobody_on_call, si.write_skew),
        (252, 250, 250)
    );
    let ssi = on_call_interleavings(Isolation::SerializableSnapshot, 2).unwrap();
    assert_eq!(
        (ssi.nobody_on_call, ssi.write_skew, ssi.totals.waits),
        (0, 0, 0)
    );
    assert_eq!(ssi.totals.aborted, 250);
}

// 11.2: optimistic concurrency control.

#[test]
fn a_long_optimistic_transaction_starves_until_it_gets_priority() {
    let starved = starvation_run(None, 200).unwrap();
    assert!(!starved.committed);
    assert_eq!(starved.writers_committed, 200);
    for k in 0..20 {
        let aged = starvation_run(Some(k), 200).unwrap();
        assert!(aged.committed);
        assert_eq!(aged.attempts, k + 1);
    }
}

/// A small random workload: 2 to 4 transactions of 1 to 4 operations on x, y and z.
fn workload() -> impl Strategy<Value = Vec<Program>> {
    let key = prop::sample::select(vec!["x", "y", "z"]);
    let operation = (0..5usize, key, 0..10i64);
    let program = prop::collection::vec(operation, 1..=4).prop_map(|operations| {
        operations
            .into_iter()
            .fold(Program::new("T"), |p, (kind, key, n)| match kind {
                0 => p.read(key),
                1 => p.read_for_update(key),
                2 => p.write(key, n),
                3 => p.read(key).write_read_plus(key, 1),
                _ => p.increment(key, 1),
            })
    });
    prop::collection::vec(program, 2..=4)
}

const KEYS: [(&str, i64); 3] = [("x", 0), ("y", 0), ("z", 0)];

fn committed(store: &Database) -> Vec<TxnId> {
    store
        .history()
        .transactions()
        .iter()
        .filter(|t| t.committed)
        .map(|t| t.id)
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn two_phase_locking_ssi_and_occ_histories_have_no_cycle(
        programs in workload(),
        seed in any::<u64>(),
    ) {
        for isolation in [
            Isolation::TwoPhaseLocking,
            Isolation::SerializableSnapshot,
            Isolation::Optimistic,
        ] {
            let store = run_random(isolation, &KEYS, &programs, seed).unwrap();
            let report = store.check();
            prop_assert!(report.is_serializable(), "{isolation}: {}", report.cycle_text());
        }
    }

    #[test]
    fn snapshot_isolation_shows_only_anomalies_with_rw_edges(
        programs in workload(),
        seed in any::<u64>(),
    ) {
        let store = run_random(Isolation::Snapshot, &KEYS, &programs, seed).unwrap();
        let anomaly = store.check().anomaly;
        prop_assert!(
            matches!(anomaly, None | Some(Anomaly::GSingle) | Some(Anomaly::G2Item)),
            "{anomaly:?}"
        );
    }

    #[test]
    fn a_snapshot_read_never_sees_a_later_commit(
        programs in workload(),
        seed in any::<u64>(),
    ) {
        for isolation in [Isolation::Snapshot, Isolation::SerializableSnapshot] {
            let store = run_random(isolation, &KEYS, &programs, seed).unwrap();
            for txn in store.history().transactions() {
                let snapshot = store.snapshot(txn.id).unwrap();
                for read in txn.reads.iter().filter(|r| r.writer != txn.id) {
                    let seen = store.committed_at(read.writer).unwrap_or(0);
                    prop_assert!(seen <= snapshot);
                }
            }
        }
    }

    #[test]
    fn under_snapshot_isolation_concurrent_writers_of_a_key_never_both_commit(
        programs in workload(),
        seed in any::<u64>(),
    ) {
        let store = run_random(Isolation::Snapshot, &KEYS, &programs, seed).unwrap();
        let done = committed(&store);
        let transactions = store.history().transactions();
        for &a in &done {
            for &b in done.iter().filter(|&&b| b > a) {
                let shared = transactions[a - 1]
                    .writes
                    .iter()
                    .any(|k| transactions[b - 1].writes.contains(k));
                let (a_end, b_end) = (store.committed_at(a).unwrap(), store.committed_at(b).unwrap());
                let (a_start, b_start) = (store.snapshot(a).unwrap(), store.snapshot(b).unwrap());
                let concurrent = a_end > b_start && b_end > a_start;
                prop_assert!(!(shared && concurrent), "T{a} and T{b}");
            }
        }
    }

    #[test]
    fn an_optimistic_commit_read_versions_that_were_still_current(
        programs in workload(),
        seed in any::<u64>(),
    ) {
        let store = run_random(Isolation::Optimistic, &KEYS, &programs, seed).unwrap();
        let transactions = store.history().transactions();
        for &txn in &committed(&store) {
            let at = store.committed_at(txn).unwrap();
            for read in transactions[txn - 1].reads.iter().filter(|r| r.writer != txn) {
                let read_from = store.committed_at(read.writer).unwrap_or(0);
                // No other committed writer of the key between the version read and the commit.
                let overwritten = committed(&store).into_iter().any(|w| {
                    w != txn
                        && transactions[w - 1].writes.contains(&read.key)
                        && (read_from + 1..at).contains(&store.committed_at(w).unwrap())
                });
                prop_assert!(!overwritten, "T{txn} read {} from T{}", read.key, read.writer);
            }
        }
    }

    #[test]
    fn locking_reads_and_store_increments_lose_no_update(
        n in 1usize..12,
        seed in any::<u64>(),
    ) {
        for method in [IncrementMethod::ForUpdate, IncrementMethod::AtomicIncrement] {
            let store = run_random(method.isolation(), &[("x", 0)], &vec![method.program(); n], seed)
                .unwrap();
            prop_assert_eq!(store.value("x"), Some(store.counters().committed as i64));
            prop_assert_eq!(store.counters().committed, n);
        }
    }

    #[test]
    fn ssi_keeps_someone_on_call(doctors in 2usize..=5, seed in any::<u64>()) {
        let (initial, programs) = on_call_workload(doctors).unwrap();
        let store = run_random(Isolation::SerializableSnapshot, &initial, &programs, seed).unwrap();
        let on_call: i64 = doctor_names(doctors).iter().map(|d| store.value(d).unwrap()).sum();
        prop_assert!(on_call >= 1);
        prop_assert_eq!(store.counters().waits, 0);
    }

    #[test]
    fn garbage_collection_never_removes_a_version_an_active_snapshot_sees(
        programs in workload(),
        seed in any::<u64>(),
    ) {
        let mut store = Database::new(Isolation::Snapshot, &KEYS);
        for program in &programs {
            store.begin(program.clone());
        }
        let mut rng = lessons::sim::Rng::new(seed);
        while let Some(&txn) = rng.pick(&store.active()) {
            store.step(txn).unwrap();
            let visible = |store: &Database| -> Vec<Option<Version>> {
                store
                    .active()
                    .iter()
                    .filter_map(|&t| store.snapshot(t))
                    .flat_map(|at| KEYS.iter().map(move |(k, _)| (k, at)))
                    .map(|(k, at)| store.version_at(k, at))
                    .collect()
            };
            let before = visible(&store);
            store.collect_garbage();
            prop_assert_eq!(visible(&store), before);
        }
    }
}

// 11.5: two-phase commit.

#[test]
fn two_phase_commit_at_every_crash_point_exactly() {
    let rows = crash_at_every_step(3, 1_000).unwrap();
    let summary: Vec<(&str, u64, usize)> = rows
        .iter()
        .map(|row| (row.outcome.as_str(), row.longest_lock_hold_ms, row.blocked))
        .collect();
    assert_eq!(
        summary,
        [
            ("committed", 4, 0),
            ("aborted", 0, 0),
            ("aborted", 1_000, 1),
            ("aborted", 1_000, 2),
            ("aborted", 1_000, 3),
            ("aborted", 1_003, 3),
            ("committed", 1_004, 3),
            ("committed", 1_004, 2),
            ("committed", 1_004, 1),
        ]
    );
}

#[test]
fn three_phase_commit_is_not_atomic_across_a_partition() {
    assert!(
        three_phase_commit_split(false)
            .iter()
            .all(|&o| o == Outcome::Committed)
    );
    let split = three_phase_commit_split(true);
    assert!(split.contains(&Outcome::Committed) && split.contains(&Outcome::Aborted));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn two_phase_commit_is_atomic_whatever_the_crash(
        participants in 1usize..=8,
        pick in any::<prop::sample::Index>(),
        downtime in 0u64..100_000,
        one_votes_no in any::<bool>(),
    ) {
        let points = CrashPoint::every(participants);
        let crash = points[pick.index(points.len())];
        let row = two_phase_commit(participants, crash, downtime, one_votes_no).unwrap();
        prop_assert!(row.outcomes.iter().all(|&o| o == row.outcomes[0]));
        prop_assert!(row.atomic);
        // A "no" anywhere, or no logged decision, means abort; a logged commit means commit.
        let logged_commit = !one_votes_no
            && matches!(
                crash,
                CrashPoint::Never | CrashPoint::AfterLoggingDecision | CrashPoint::AfterCommits(_)
            );
        let expected = if logged_commit { Outcome::Committed } else { Outcome::Aborted };
        prop_assert_eq!(row.outcomes[0], expected);
    }

    #[test]
    fn a_participant_that_voted_yes_waits_out_the_coordinator(
        participants in 1usize..=8,
        pick in any::<prop::sample::Index>(),
        // Longer than the 4 ms a participant holds its locks when nothing goes wrong.
        downtime in 5u64..100_000,
    ) {
        let points = CrashPoint::every(participants);
        let crash = points[pick.index(points.len())];
        let row = two_phase_commit(participants, crash, downtime, false).unwrap();
        // Every participant counted as blocked held its locks for the whole downtime.
        let waited = row.lock_hold_ms.iter().filter(|&&hold| hold >= downtime).count();
        prop_assert_eq!(waited, row.blocked);
        if crash != CrashPoint::Never && crash != CrashPoint::AfterPrepares(0) {
            prop_assert!(row.blocked >= 1);
        }
    }
}

// 11.4: the last item.

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn a_conditional_decrement_never_sells_more_than_the_stock(
        stock in 1usize..20,
        buyers in 0usize..60,
        seed in any::<u64>(),
    ) {
        let rows = oversell_experiment(&[Checkout::ConditionalDecrement], stock, &[buyers], 5, seed)
            .unwrap();
        prop_assert_eq!(rows[0].oversold, 0);
        prop_assert_eq!(rows[0].sold, 5 * stock.min(buyers));
    }

    #[test]
    fn expired_reservations_return_exactly_their_units(
        stock in 0usize..40,
        ttl in 1u64..60,
        buyers in 0usize..200,
        abandon in 0.0f64..=1.0,
        seed in any::<u64>(),
    ) {
        let row = reservation_experiment(stock, &[ttl], buyers, abandon, seed).unwrap()[0].clone();
        prop_assert_eq!(row.returned, row.expired);
        prop_assert_eq!(row.sold + row.available_at_end, stock);
        prop_assert_eq!(row.unit_minutes_stuck, row.expired as u64 * ttl);
        prop_assert_eq!(row.sold + row.expired + row.turned_away, buyers);
    }
}

// 11.6: sagas.

fn fault() -> impl Strategy<Value = SagaFault> {
    prop_oneof![
        4 => Just(SagaFault::Delivered),
        1 => Just(SagaFault::RequestLost),
        1 => Just(SagaFault::ReplyLost),
        1 => Just(SagaFault::Refused),
    ]
}

fn failure_schedule() -> impl Strategy<Value = SagaSchedule> {
    (
        prop::collection::vec(fault(), 0..40),
        prop::collection::vec(prop::bool::weighted(0.2), 0..40),
    )
        .prop_map(|(faults, crashes)| SagaSchedule { faults, crashes })
}

fn careful_saga() -> impl Strategy<Value = SagaConfig> {
    (any::<bool>(), 1u32..=5).prop_map(|(choreographed, attempts)| {
        let config = SagaConfig {
            attempts,
            ..SagaConfig::default()
        };
        if choreographed {
            config.choreographed()
        } else {
            config
        }
    })
}

/// The steps that took effect (in order), and the steps undone (in order).
fn done_and_undone(run: &SagaRun) -> (Vec<SagaStep>, Vec<SagaStep>) {
    let pick = |undo: bool| {
        run.effects
            .iter()
            .filter(|e| e.undo == undo)
            .map(|e| e.step)
            .collect()
    };
    (pick(false), pick(true))
}

#[test]
fn compensating_in_forward_order_charges_without_a_reservation() {
    use SagaFault::*;
    // The charge takes effect but every reply is lost: the orchestrator gives up on it.
    let lost = SagaSchedule {
        faults: vec![Delivered, ReplyLost, ReplyLost, ReplyLost],
        crashes: vec![],
    };
    let forward = SagaConfig {
        compensate_in_reverse: false,
        ..SagaConfig::default()
    };
    let run = run_saga(forward, &lost).unwrap();
    assert_eq!(run.outcome, SagaOutcome::Compensated);
    // Released at 315 ms, refunded at 325 ms: 10 ms charged with nothing reserved.
    assert!(run.charged_without_reservation());
    assert_eq!(run.state_at(315), [SagaStep::Charge]);
    assert!(
        !run_saga(SagaConfig::default(), &lost)
            .unwrap()
            .charged_without_reservation()
    );
}

#[test]
fn an_orchestrator_without_a_durable_log_forgets_the_saga_it_crashed_in() {
    let crash_on_the_charge = SagaSchedule {
        faults: vec![],
        crashes: vec![false, true],
    };
    let forgetful = SagaConfig {
        durable_log: false,
        ..SagaConfig::default()
    };
    let run = run_saga(forgetful, &crash_on_the_charge).unwrap();
    assert_eq!(run.outcome, SagaOutcome::Stuck);
    assert_eq!(
        run.state_at(u64::MAX),
        [SagaStep::Reserve, SagaStep::Charge]
    );
    // With the log it resends the charge under the same key and finishes.
    let run = run_saga(SagaConfig::default(), &crash_on_the_charge).unwrap();
    assert_eq!(
        (run.outcome, run.double_effects()),
        (SagaOutcome::Completed, 0)
    );
    assert_eq!(run.duration_ms, 540);
}

#[test]
fn shipping_before_charging_leaves_a_declined_card_with_a_parcel_sent() {
    use SagaFault::*;
    // Reserve and ship go through; the card is declined.
    let declined = SagaSchedule {
        faults: vec![Delivered, Delivered, Refused],
        crashes: vec![],
    };
    let early = SagaConfig {
        pivot_late: false,
        ..SagaConfig::default()
    };
    let run = run_saga(early, &declined).unwrap();
    assert_eq!(run.outcome, SagaOutcome::Stuck);
    assert_eq!(run.state_at(u64::MAX), [SagaStep::Reserve, SagaStep::Ship]);
    // Charging before shipping, the same declined card is undone: release, nothing shipped.
    let declined_first = SagaSchedule {
        faults: vec![Delivered, Refused],
        crashes: vec![],
    };
    let late = run_saga(SagaConfig::default(), &declined_first).unwrap();
    assert_eq!(late.outcome, SagaOutcome::Compensated);
    assert!(late.state_at(u64::MAX).is_empty());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn a_saga_ends_with_every_step_or_every_applied_step_undone_in_reverse(
        config in careful_saga(),
        schedule in failure_schedule(),
    ) {
        // Enough attempts that no request runs out: the saga cannot get stuck.
        let patient = SagaConfig { attempts: 20, ..config };
        let run = run_saga(patient, &schedule).unwrap();
        let (done, undone) = done_and_undone(&run);
        match run.outcome {
            SagaOutcome::Completed => {
                prop_assert_eq!(done, patient.steps().to_vec());
                prop_assert!(undone.is_empty());
            }
            SagaOutcome::Compensated => {
                let mut reversed = done.clone();
                reversed.reverse();
                prop_assert_eq!(undone, reversed);
                prop_assert!(run.state_at(u64::MAX).is_empty());
            }
            SagaOutcome::Stuck => prop_assert!(false, "stuck with 20 attempts: {:?}", run),
        }
        // With fewer attempts a saga may get stuck, but it never ends half compensated
        // with an undo out of order.
        let run = run_saga(config, &schedule).unwrap();
        let (done, undone) = done_and_undone(&run);
        let mut reversed = done.clone();
        reversed.reverse();
        prop_assert!(reversed.starts_with(&undone));
    }

    #[test]
    fn no_charge_stands_without_a_reservation(
        config in careful_saga(),
        schedule in failure_schedule(),
    ) {
        let run = run_saga(config, &schedule).unwrap();
        prop_assert!(!run.charged_without_reservation(), "{:?}", run);
    }

    #[test]
    fn with_idempotency_keys_each_step_and_undo_takes_effect_at_most_once(
        config in careful_saga(),
        schedule in failure_schedule(),
    ) {
        let run = run_saga(config, &schedule).unwrap();
        prop_assert_eq!(run.double_effects(), 0);
        for step in [SagaStep::Reserve, SagaStep::Charge, SagaStep::Ship, SagaStep::Notify] {
            prop_assert!(run.times(step, false) <= 1 && run.times(step, true) <= 1);
        }
    }

    #[test]
    fn after_the_pivot_only_forward_recovery(
        config in careful_saga(),
        pivot_late in any::<bool>(),
        keys in any::<bool>(),
        schedule in failure_schedule(),
    ) {
        let config = SagaConfig { pivot_late, idempotency_keys: keys, ..config };
        let run = run_saga(config, &schedule).unwrap();
        prop_assert!(!run.undone_after_pivot());
        if run.state_at(u64::MAX).contains(&SagaStep::Ship) {
            prop_assert!(run.outcome != SagaOutcome::Compensated);
        }
    }
}
