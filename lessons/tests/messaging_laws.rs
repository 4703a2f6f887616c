//! The laws of the messaging lesson, for all inputs (proptest, regressions persisted beside this
//! file), and the exact values the lesson quotes.

use std::collections::BTreeSet;

use lessons::check::{Bounds, explore};
use lessons::messaging::{
    Account, AccountEvent, BatchJob, Begin, Durability, FaultPoint, GroupSetup, IdempotencyStore,
    KeyCheck, OffsetCommit, PartitionLog, PaymentRace, PaymentVariant, RelaySetup, Strategy,
    TimedEvent, WorkerFailure, WriteAheadLog, WriteApproach, account_history, charges_for_payment,
    deliver, event_time_windows, group_run, murmur2, processing_time_windows, producer_experiment,
    race_exploration, range_assignment, recover_from_snapshots, relay_row, relay_run, run_batch,
    state_at, transform_run, true_counts, wal_run, write_order,
};
use lessons::sim::{Time, ms, secs};
use proptest::prelude::*;
use proptest::strategy::Strategy as _;

/// A fault schedule: the answers to the first questions a delivery asks, then "no fault" for
/// ever after, so the schedule eventually delivers. `no_copies` answers "no" to every
/// duplication question (a network that does not duplicate).
fn scripted(script: &[bool], no_copies: bool) -> impl FnMut(FaultPoint) -> bool + '_ {
    let mut answers = script.iter().copied();
    move |point| {
        let answer = answers.next().unwrap_or(false);
        answer && !(no_copies && point == FaultPoint::MessageDuplicated)
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    // 12.1: retry + dedupe applies the message exactly once under any schedule that delivers.
    #[test]
    fn retry_with_dedupe_applies_exactly_once(script in prop::collection::vec(any::<bool>(), 0..80)) {
        let outcome = deliver(Strategy::RetryWithDedupe, scripted(&script, false));
        prop_assert_eq!(outcome.effects, 1);
        prop_assert!(outcome.acknowledged);
    }

    // 12.1: retry without dedupe never loses it.
    #[test]
    fn retry_without_dedupe_applies_at_least_once(script in prop::collection::vec(any::<bool>(), 0..80)) {
        prop_assert!(deliver(Strategy::RetryWithoutDedupe, scripted(&script, false)).effects >= 1);
    }

    // 12.1: no retry, and SETNX before send, apply at most once on a network that does not
    // duplicate.
    #[test]
    fn at_most_once_strategies_never_apply_twice(script in prop::collection::vec(any::<bool>(), 0..80)) {
        for strategy in [Strategy::NoRetry, Strategy::MarkBeforeSend] {
            prop_assert!(deliver(strategy, scripted(&script, true)).effects <= 1);
        }
    }

    // 12.2: a key reused with another body within its TTL is refused.
    #[test]
    fn a_key_with_another_body_is_refused(
        (ttl_ms, later) in (1i64..100_000).prop_flat_map(|ttl| (Just(ttl), 0..ttl)),
        first in "[a-z]{1,8}",
        extra in "[a-z]{1,3}",
    ) {
        let second = format!("{first}{extra}");
        let mut store = IdempotencyStore::new(ms(ttl_ms)).unwrap();
        prop_assert_eq!(store.begin("k", &first, Time::ZERO), Begin::Fresh);
        prop_assert_eq!(store.begin("k", &second, ms(later)), Begin::DifferentBody);
    }

    // 12.2: the documented hazard: a retry after the TTL is a new request, one before is not.
    #[test]
    fn a_retry_after_the_ttl_is_treated_as_new(ttl_ms in 1i64..100_000, retry_ms in 0i64..200_000) {
        let mut store = IdempotencyStore::new(ms(ttl_ms)).unwrap();
        store.begin("k", "body", Time::ZERO);
        let fresh = store.begin("k", "body", ms(retry_ms)) == Begin::Fresh;
        prop_assert_eq!(fresh, retry_ms >= ttl_ms);
    }

    // 12.2: insert-first with the key passed on charges once for any timing and any downstream
    // timeouts, as long as the retry comes within the TTL.
    #[test]
    fn insert_first_with_the_key_passed_on_charges_once(
        retry_ms in proptest::option::of(0i64..60_000),
        charge_ms in (0i64..5_000, 0i64..5_000),
        timeouts in (any::<bool>(), any::<bool>()),
    ) {
        let charge_time = [ms(charge_ms.0), ms(charge_ms.1)];
        let timeouts = [timeouts.0, timeouts.1];
        let charges = charges_for_payment(
            PaymentVariant::careful(secs(60)),
            retry_ms.map(ms),
            charge_time,
            |request| timeouts[request],
        );
        prop_assert_eq!(charges, 1);
    }

    // 12.4: with sequence numbers, each (producer, sequence) is in the log once, whatever the
    // retries.
    #[test]
    fn sequence_numbers_keep_one_copy_per_producer_and_sequence(
        sends in prop::collection::vec((0u64..3, 1usize..4), 0..60),
    ) {
        let mut log = PartitionLog::new(true);
        let mut next = [0u64; 3];
        for (producer, tries) in sends {
            for _ in 0..tries {
                log.append(producer, next[producer as usize], "value");
            }
            next[producer as usize] += 1;
        }
        let distinct: BTreeSet<(u64, u64)> =
            log.records().iter().map(|(p, s, _)| (*p, *s)).collect();
        prop_assert_eq!(distinct.len(), log.records().len());
        prop_assert_eq!(log.records().len() as u64, next.iter().sum::<u64>());
    }

    // 12.4: output and offset committed atomically: every input exactly once for a
    // read_committed reader, across any crash schedule; the other two modes keep their half.
    #[test]
    fn offsets_committed_with_the_output_give_each_input_once(
        crashes in prop::collection::vec(prop::collection::vec(any::<bool>(), 0..4), 1..30),
    ) {
        let inputs = crashes.len();
        let schedule = |input: usize, attempt: u32| {
            crashes[input].get(attempt as usize).copied().unwrap_or(false)
        };
        let count = |mode: OffsetCommit| {
            let mut times = vec![0usize; inputs];
            for input in transform_run(mode, inputs, schedule).visible(true) {
                times[input] += 1;
            }
            times
        };
        prop_assert!(count(OffsetCommit::Atomic).iter().all(|&n| n == 1));
        prop_assert!(count(OffsetCommit::BeforeOutput).iter().all(|&n| n <= 1));
        prop_assert!(count(OffsetCommit::AfterOutput).iter().all(|&n| n >= 1));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    // 12.3: the outbox publishes every committed row at least once; each relay crash between
    // publishing and marking republishes exactly the rows it had published; consumer dedupe
    // leaves each event once and in commit order per key.
    #[test]
    fn the_outbox_relay_is_at_least_once_and_dedupe_makes_it_once(
        orders in 1usize..300,
        crash in 0.0f64..0.6,
        poll_ms in 1i64..2_000,
        partitions in 1usize..5,
        seed in any::<u64>(),
    ) {
        let mut setup = RelaySetup::new(orders, ms(poll_ms)).unwrap().crash(crash);
        setup.partitions = partitions;
        let run = relay_run(&setup, seed).unwrap();
        let events: BTreeSet<usize> = run.published.iter().map(|copy| copy.event).collect();
        prop_assert_eq!(events.len(), orders);
        prop_assert_eq!(run.published.len(), orders + run.published_before_crash);
        let row = relay_row(&setup, &run).unwrap();
        prop_assert_eq!(row.duplicates, run.published_before_crash);
        prop_assert_eq!(row.per_key_reordered_after_dedupe, 0);
        if partitions == 1 {
            prop_assert_eq!(row.globally_reordered, 0);
        }
    }

    // 12.4: the broker's sequence check removes every duplicate at any loss rate.
    #[test]
    fn the_idempotent_producer_writes_each_record_once(loss in 0.0f64..0.5, seed in any::<u64>()) {
        let rows = producer_experiment(&[loss], 500, 3, seed).unwrap();
        prop_assert_eq!(rows[1].in_logs, 500);
    }
}

// 12.1: a network duplicate breaks both at-most-once strategies: the mark guards the sender's
// retries, not the network's copies.
#[test]
fn a_network_duplicate_is_applied_twice_without_dedupe() {
    let duplicated = |point| point == FaultPoint::MessageDuplicated;
    assert_eq!(deliver(Strategy::NoRetry, duplicated).effects, 2);
    assert_eq!(deliver(Strategy::MarkBeforeSend, duplicated).effects, 2);
    assert_eq!(deliver(Strategy::RetryWithDedupe, duplicated).effects, 1);
}

// 12.1 / C18: SETNX loses the message when the sender crashes after marking.
#[test]
fn setnx_then_a_crash_loses_the_message() {
    let crash = |point| point == FaultPoint::SenderCrashBeforeSend;
    assert_eq!(deliver(Strategy::MarkBeforeSend, crash).effects, 0);
    assert_eq!(deliver(Strategy::NoRetry, crash).effects, 0);
}

// 12.2: exhaustive over every interleaving of two same-key requests.
#[test]
fn every_interleaving_of_two_requests() {
    let rows = race_exploration().unwrap();
    let verdicts: Vec<(&str, bool, bool, bool)> = rows
        .iter()
        .map(|row| {
            (
                row.check.as_str(),
                row.key_passed_on,
                row.holds,
                row.exhausted,
            )
        })
        .collect();
    assert_eq!(
        verdicts,
        [
            ("check then insert", false, false, false),
            ("check then insert", true, false, false),
            ("insert first", false, false, false),
            ("insert first", true, true, true),
        ]
    );
    let shortest = |check, propagate_key| {
        let model = PaymentRace {
            check,
            propagate_key,
        };
        explore(&model, Bounds::depth(20).unwrap())
            .violation
            .unwrap()
            .run
            .len()
    };
    assert_eq!(shortest(KeyCheck::CheckThenInsert, true), 4);
    assert_eq!(shortest(KeyCheck::InsertFirst, false), 3);
}

// 12.2: a client that makes a new key per retry is charged once per retry; a late retry is
// charged again.
#[test]
fn new_keys_and_late_retries_charge_again() {
    let never = |_: usize| false;
    let mut buggy = PaymentVariant::careful(secs(86_400));
    buggy.new_key_per_retry = true;
    assert_eq!(
        charges_for_payment(buggy, Some(secs(5)), [ms(300); 2], never),
        2
    );
    let minute = PaymentVariant::careful(secs(60));
    assert_eq!(
        charges_for_payment(minute, Some(secs(61)), [ms(300); 2], never),
        2
    );
}

// 12.3: the outbox never publishes for an aborted transaction and always for a committed one;
// the naive orders each break one of the two.
#[test]
fn outbox_rows_and_events_agree() {
    for aborts in [false, true] {
        for crashes in [false, true] {
            let written = write_order(WriteApproach::Outbox, aborts, crashes);
            assert_eq!(written.committed, written.events > 0);
            let first = write_order(WriteApproach::DatabaseThenBroker, aborts, crashes);
            let second = write_order(WriteApproach::BrokerThenDatabase, aborts, crashes);
            let missing = first.committed && first.events == 0;
            let phantom = !second.committed && second.events > 0;
            assert_eq!(missing, !aborts && crashes);
            assert_eq!(phantom, aborts || crashes);
        }
    }
}

// 12.6: the partitioner is Kafka's: the values Kafka's own tests check for `Utils.murmur2`.
#[test]
fn murmur2_gives_kafkas_values() {
    let cases: [(&[u8], i32); 6] = [
        (b"21", -973_932_308),
        (b"foobar", -790_332_482),
        (b"a-little-bit-long-string", -985_981_536),
        (b"a-little-bit-longer-string", -1_486_304_829),
        (
            b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8",
            -58_897_971,
        ),
        (b"abc", 479_470_107),
    ];
    for (key, expected) in cases {
        assert_eq!(murmur2(key), expected);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    // 12.6: each partition goes to exactly one consumer; consumers beyond P idle.
    #[test]
    fn each_partition_has_exactly_one_consumer(partitions in 1usize..100, consumers in 1usize..100) {
        let assignment = range_assignment(partitions, consumers).unwrap();
        let mut owners = vec![0; partitions];
        for owned in &assignment {
            for &partition in owned {
                owners[partition] += 1;
            }
        }
        prop_assert!(owners.iter().all(|&n| n == 1));
        let idle = assignment.iter().filter(|owned| owned.is_empty()).count();
        prop_assert_eq!(idle, consumers.saturating_sub(partitions));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    // 12.6: with a stable key -> partition map, every key is read in order, whatever the
    // group does; and nothing is lost: produced = consumed + lag.
    #[test]
    fn per_key_order_holds_while_the_map_is_stable(
        partitions in 1usize..10,
        sizes in prop::collection::vec((1i64..30, 1usize..12), 1..4),
        produce in 100.0f64..2_000.0,
        consume in 50.0f64..800.0,
        seed in any::<u64>(),
    ) {
        let mut setup = GroupSetup::new(partitions, 2, produce, consume, secs(30)).unwrap();
        for (at, consumers) in sizes {
            setup = setup.consumers_at(secs(at), consumers);
        }
        let run = group_run(&setup, seed).unwrap();
        prop_assert_eq!(run.out_of_order, 0);
        prop_assert_eq!(run.produced, run.consumed + run.samples.last().unwrap().lag);
    }

    // 12.6: when every consumer is behind, lag grows at produce rate - consume rate.
    #[test]
    fn lag_grows_at_produce_minus_consume(
        consumers in 1usize..5,
        per_consumer in 1usize..4,
        consume in 100.0f64..500.0,
        overload in 1.5f64..3.0,
        seed in any::<u64>(),
    ) {
        let produce = overload * consume * consumers as f64;
        let setup = GroupSetup::new(consumers * per_consumer, consumers, produce, consume, secs(40)).unwrap();
        let run = group_run(&setup, seed).unwrap();
        let growth = (run.samples[39].lag - run.samples[9].lag) as f64 / 30.0;
        let expected = produce - consume * consumers as f64;
        prop_assert!((growth - expected).abs() <= 0.01 * expected + 1.0, "{} vs {}", growth, expected);
    }
}

// 12.6: our murmur2 agrees with the `murmur2` crate's MurmurHash2 under Kafka's seed.
#[test]
fn murmur2_agrees_with_the_murmur2_crate() {
    for i in 0..10_000 {
        let key = format!("key-{i}").repeat(i % 5 + 1);
        let theirs = murmur2::murmur2(key.as_bytes(), murmur2::KAFKA_SEED) as i32;
        assert_eq!(murmur2(key.as_bytes()), theirs, "{key}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    // 12.5: a snapshot after k events, then the events after it, gives the state of the whole
    // log, for every k.
    #[test]
    fn a_snapshot_plus_the_rest_is_the_whole_fold(length in 0usize..400, k in 0usize..400, seed in any::<u64>()) {
        let events = account_history(length, seed).unwrap();
        let k = k.min(length);
        let snapshot = Account::default().fold(&events[..k]);
        prop_assert_eq!(snapshot.fold(&events[k..]), Account::default().fold(&events));
    }

    // 12.5: any snapshot interval recovers the same state.
    #[test]
    fn recovery_from_snapshots_is_exact(length in 0usize..400, every in 1usize..100, seed in any::<u64>()) {
        let events = account_history(length, seed).unwrap();
        let (account, replayed) = recover_from_snapshots(&events, Some(every)).unwrap();
        prop_assert_eq!(account, Account::default().fold(&events));
        prop_assert!(replayed < every);
    }

    // 12.5: replaying with dedupe by event id is idempotent: a stream that rewinds to earlier
    // events any number of times folds to the log's state.
    #[test]
    fn replay_with_dedupe_by_id_is_idempotent(
        length in 1usize..200,
        rewinds in prop::collection::vec((0usize..200, 0usize..200), 0..5),
        seed in any::<u64>(),
    ) {
        let events = account_history(length, seed).unwrap();
        let mut stream: Vec<AccountEvent> = Vec::new();
        let mut position = 0;
        for (forward, back) in rewinds {
            let end = (position + forward).min(length);
            stream.extend_from_slice(&events[position..end]);
            position = end.saturating_sub(back);
        }
        stream.extend_from_slice(&events[position..]);
        prop_assert_eq!(Account::default().fold(&stream), Account::default().fold(&events));
    }

    // 12.5: the state at time t is the fold of the events recorded up to t.
    #[test]
    fn state_at_a_time_is_the_prefix_fold(length in 0usize..300, t_ms in 0i64..40_000, seed in any::<u64>()) {
        let events = account_history(length, seed).unwrap();
        let state = state_at(&events, ms(t_ms));
        let prefix: Vec<AccountEvent> = events.iter().copied().filter(|event| event.at <= ms(t_ms)).collect();
        prop_assert_eq!(state, Account::default().fold(&prefix));
    }

    // 12.5: fsync before ack: no acknowledged record is lost, for any crash schedule.
    #[test]
    fn fsync_before_ack_loses_no_acknowledged_write(crashes in prop::collection::vec(any::<bool>(), 1..200)) {
        let mut wal = WriteAheadLog::new();
        for (record, &crash) in crashes.iter().enumerate() {
            wal.append(record as u64);
            wal.fsync().unwrap();
            // acknowledged here
            if crash {
                wal.crash();
            }
        }
        let expected: Vec<u64> = (0..crashes.len() as u64).collect();
        prop_assert_eq!(wal.recover(), expected);
    }
}

// 12.5: acknowledging before the fsync loses acknowledged writes at the first crash.
#[test]
fn ack_before_fsync_can_lose_acknowledged_writes() {
    let mut wal = WriteAheadLog::new();
    wal.append(1);
    wal.fsync().unwrap();
    wal.append(2); // acknowledged, not yet fsynced
    wal.crash();
    assert_eq!(wal.recover(), [1]);
    assert_eq!(
        wal_run(Durability::FsyncBeforeAck, 1_000, 0.5, 3)
            .unwrap()
            .1,
        0
    );
    assert!(
        wal_run(Durability::AckThenFsyncEvery(2), 1_000, 0.5, 3)
            .unwrap()
            .1
            > 0
    );
}

fn timed_events() -> impl proptest::strategy::Strategy<Value = Vec<TimedEvent>> {
    prop::collection::vec((0i64..20_000, 0i64..5_000), 0..120).prop_map(|pairs| {
        pairs
            .into_iter()
            .map(|(event_ms, delay_ms)| TimedEvent {
                event_time: ms(event_ms),
                arrival: ms(event_ms + delay_ms),
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    // 12.7: once every event is admitted, event-time windows give the true counts in any
    // arrival order.
    #[test]
    fn event_time_windows_do_not_depend_on_arrival_order(
        events in timed_events(),
        order in any::<u64>(),
    ) {
        let mut shuffled = events.clone();
        lessons::sim::Rng::new(order).shuffle(&mut shuffled);
        let admit_all = secs(3_600);
        let first = event_time_windows(&events, secs(1), admit_all).unwrap();
        let second = event_time_windows(&shuffled, secs(1), admit_all).unwrap();
        prop_assert_eq!(&first.counts, &second.counts);
        prop_assert_eq!(first.counts, true_counts(&events, secs(1)).unwrap());
    }

    // 12.7: an event is dropped exactly when its timestamp is below the watermark (newest
    // event time seen minus the lateness) at its arrival; nothing else is lost.
    #[test]
    fn an_event_is_dropped_iff_it_is_behind_the_watermark(
        mut events in timed_events(),
        lateness_ms in 0i64..3_000,
    ) {
        events.sort_by_key(|event| event.arrival);
        let lateness = ms(lateness_ms);
        let windows = event_time_windows(&events, secs(1), lateness).unwrap();
        let mut newest: Option<Time> = None;
        let mut dropped = 0;
        for event in &events {
            if newest.is_some_and(|newest| event.event_time < newest - lateness) {
                dropped += 1;
            } else {
                newest = newest.max(Some(event.event_time));
            }
        }
        prop_assert_eq!(windows.dropped, dropped);
        let counted: u64 = windows.counts.values().sum();
        prop_assert_eq!(counted as usize + dropped, events.len());
    }
}

// 12.7: processing-time windows are not order independent: the same two events, delayed
// differently, land in different windows; their event-time windows do not move.
#[test]
fn processing_time_windows_depend_on_the_network() {
    let fast = [
        TimedEvent {
            event_time: ms(900),
            arrival: ms(950),
        },
        TimedEvent {
            event_time: ms(950),
            arrival: ms(990),
        },
    ];
    let slow = [
        TimedEvent {
            event_time: ms(900),
            arrival: ms(1_200),
        },
        TimedEvent {
            event_time: ms(950),
            arrival: ms(990),
        },
    ];
    assert_ne!(
        processing_time_windows(&fast, secs(1)).unwrap(),
        processing_time_windows(&slow, secs(1)).unwrap()
    );
    assert_eq!(
        true_counts(&fast, secs(1)).unwrap(),
        true_counts(&slow, secs(1)).unwrap()
    );
}

// 12.8: batch jobs on failing workers.

fn batch_job() -> impl proptest::strategy::Strategy<Value = BatchJob> {
    (1usize..=8, 1usize..=6, 1usize..=4, 0usize..=6).prop_map(
        |(partitions, stages, workers, every)| BatchJob {
            partitions,
            stages,
            workers,
            words_per_partition: 200,
            checkpoint_every: (1..=stages).contains(&every).then_some(every),
            ..BatchJob::default()
        },
    )
}

fn worker_failures() -> impl proptest::strategy::Strategy<Value = Vec<WorkerFailure>> {
    prop::collection::vec(
        (0u64..400, 0usize..5).prop_map(|(at_secs, worker)| WorkerFailure { at_secs, worker }),
        0..25,
    )
}

/// A two-stage job (map, reduce) on 4 workers: maps run 0-10 s and 10-20 s, worker w taking
/// partitions w and w + 4; reduces 20-35 s and 35-50 s, likewise.
fn word_count() -> BatchJob {
    BatchJob {
        stages: 2,
        ..BatchJob::default()
    }
}

#[test]
fn a_worker_lost_during_the_reduce_costs_only_its_own_map_outputs() {
    let run = run_batch(
        &word_count(),
        &[WorkerFailure {
            at_secs: 25,
            worker: 0,
        }],
        1,
    )
    .unwrap();
    // Lost: map outputs 0 and 4 (on worker 0) and the reduce 0 it was running.
    assert_eq!(
        run.losses,
        [[1, 0, 0, 0, 1, 0, 0, 0], [1, 0, 0, 0, 0, 0, 0, 0]]
    );
    // Reduce 0 needs every map output: only the two lost ones are recomputed.
    assert_eq!(
        run.launches,
        [[2, 1, 1, 1, 2, 1, 1, 1], [2, 1, 1, 1, 1, 1, 1, 1]]
    );
    assert_eq!(run.recomputed(), 3);
    assert_eq!(run.output, run_batch(&word_count(), &[], 1).unwrap().output);
}

#[test]
fn a_completed_reduce_is_not_run_again() {
    // At 40 s worker 0 holds map outputs 0 and 4 and its finished reduce 0 (in storage), and
    // runs reduce 4.
    let run = run_batch(
        &word_count(),
        &[WorkerFailure {
            at_secs: 40,
            worker: 0,
        }],
        1,
    )
    .unwrap();
    assert_eq!(run.launches[1], [1, 1, 1, 1, 2, 1, 1, 1]);
    assert_eq!(run.launches[0], [2, 1, 1, 1, 2, 1, 1, 1]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn a_batch_job_gives_the_failure_free_output_whatever_fails(
        job in batch_job(),
        failures in worker_failures(),
        seed in 0u64..1_000,
    ) {
        let calm = run_batch(&job, &[], seed).unwrap();
        let run = run_batch(&job, &failures, seed).unwrap();
        prop_assert!(run.completion_secs.is_some());
        prop_assert!(run.completion_secs >= calm.completion_secs);
        prop_assert_eq!(run.output, calm.output);
    }

    #[test]
    fn only_lost_partitions_are_recomputed(
        job in batch_job(),
        failures in worker_failures(),
    ) {
        let run = run_batch(&job, &failures, 1).unwrap();
        for (stage, (launches, losses)) in run.launches.iter().zip(&run.losses).enumerate() {
            for (partition, (&launched, &lost)) in launches.iter().zip(losses).enumerate() {
                // Every task ran once, and again at most once per loss of its output.
                prop_assert!(launched >= 1, "{stage}/{partition} never ran");
                prop_assert!(launched <= 1 + lost, "{stage}/{partition}: {launched} runs, {lost} losses");
            }
        }
        let losses: usize = run.losses.iter().flatten().sum();
        prop_assert!(run.recomputed() <= losses);
        if failures.iter().all(|f| f.worker >= job.workers) {
            prop_assert_eq!(run.recomputed(), 0);
        }
    }
}
