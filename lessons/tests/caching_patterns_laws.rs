//! The laws of the caching lesson's patterns, invalidation race and stampede sections for all
//! inputs (proptest, regressions persisted beside this file), and the exact values they quote.

use lessons::caching::*;
use lessons::sim::{Time, ms, secs};
use proptest::prelude::*;

/// How far above its mean `expected` a Binomial(n, q) count can go with probability at most
/// 10^-12, by Bernstein's inequality: P(X - nq ≥ t) ≤ exp(-t² / (2(σ² + t/3))) with
/// σ² = nq(1 - q). Solving the exponent for t gives t = L/3 + sqrt(L²/9 + 2Lσ²), L = ln 10^12.
/// The per-bucket failure chance is so small that a few hundred buckets in each of a few
/// thousand runs still fail less than once in a million runs.
fn bernstein_slack(trials: f64, q: f64) -> f64 {
    let variance = trials * q * (1.0 - q);
    let log_odds = 1e12_f64.ln();
    log_odds / 3.0 + (log_odds * log_odds / 9.0 + 2.0 * log_odds * variance).sqrt()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// With singleflight, however many requests miss while a fetch is in flight, each
    /// replacement of the value costs exactly one database query.
    #[test]
    fn singleflight_sends_one_query_per_expiry(
        rate in 1.0_f64..50_000.0,
        fetch_ms in 1_i64..500,
        ttl_ms in 50_i64..3_000,
        seed in any::<u64>(),
    ) {
        let key = HotKey { requests_per_second: rate, ttl: ms(ttl_ms), fetch: ms(fetch_ms), duration: secs(4) };
        let run = stampede_experiment(key, &[RefreshStrategy::Singleflight], ms(100), seed).unwrap();
        let row = &run.summary[0];
        prop_assert!(row.most_queries_per_refill <= 1, "{row:?}");
        // Every query but one still in flight at the end stored a value.
        prop_assert!(row.db_queries == row.refills || row.db_queries == row.refills + 1, "{row:?}");
    }

    /// With TTL jitter U(0, J) (and keys stored over a warm-up W), no second sees more than
    /// keys / max(W, J) expirations on average; the measured count per bucket stays within
    /// Bernstein's bound of that mean.
    #[test]
    fn jitter_caps_expirations_per_second(
        keys in 1_000_u64..200_000,
        warmup_s in 0_i64..100,
        jitter_s in 1_i64..1_000,
        bucket_s in 1_i64..20,
        seed in any::<u64>(),
    ) {
        let cache = MassExpiry { keys, ttl: secs(3_600), warmup: secs(warmup_s), jitter: secs(jitter_s) };
        let rows = mass_expiry_experiment(cache, &[secs(jitter_s)], secs(bucket_s), seed).unwrap();
        let per_second = cache.peak_per_second();
        prop_assert!(per_second <= keys as f64 / jitter_s as f64);
        let share = (bucket_s as f64 * per_second / keys as f64).min(1.0);
        let mean = keys as f64 * share;
        let bound = mean + bernstein_slack(keys as f64, share);
        for row in &rows {
            prop_assert!((row.expirations as f64) <= bound, "{row:?} above {bound}");
        }
    }

    /// A Bloom filter of the valid keys never refuses a valid key: legitimate requests all
    /// pass, whatever the filter's size and false-positive rate.
    #[test]
    fn the_bloom_prefilter_never_blocks_an_existing_key(
        valid_keys in 1_u64..20_000,
        fp_exponent in 0.5_f64..5.0,
        seed in any::<u64>(),
    ) {
        let attack = Penetration { valid_keys, attack_per_second: 100.0, legit_per_second: 2_000.0, duration: secs(2) };
        let defense = PenetrationDefense::bloom(10_f64.powf(-fp_exponent));
        let rows = penetration_experiment(attack, &[1_000], &[defense], seed).unwrap();
        prop_assert!(rows[0].legit_requests > 0);
        prop_assert_eq!(rows[0].legit_blocked, 0);
    }
}

#[test]
fn without_protection_everyone_during_the_fetch_goes_to_the_database() {
    let key = HotKey {
        requests_per_second: 10_000.0,
        ttl: secs(1),
        fetch: ms(100),
        duration: ms(1_500),
    };
    let strategies = [
        RefreshStrategy::NoProtection,
        RefreshStrategy::Mutex { poll: ms(50) },
        RefreshStrategy::Singleflight,
        RefreshStrategy::StaleWhileRevalidate { window: secs(1) },
    ];
    let run = stampede_experiment(key, &strategies, ms(10), 1).unwrap();
    let queries: Vec<u64> = run.summary.iter().map(|row| row.db_queries).collect();
    assert_eq!(queries, [1_007, 1, 1, 1]);
    // The 1,007 misses of one expiry were coalesced into one query by singleflight.
    assert_eq!(run.summary[2].most_misses_per_refill, 1_007);
    assert_eq!(key.expected_stampede(), 1_001.0);
    // Stale-while-revalidate never makes anyone wait.
    assert_eq!(run.summary[3].max_wait_ms, 0.0);
}

#[test]
fn without_jitter_a_warm_up_expires_together() {
    let cache = MassExpiry {
        keys: 100_000,
        ttl: secs(3_600),
        warmup: Time::ZERO,
        jitter: Time::ZERO,
    };
    let rows = mass_expiry_experiment(cache, &[Time::ZERO], secs(1), 1).unwrap();
    let busy: Vec<&ExpiryRow> = rows.iter().filter(|row| row.expirations > 0).collect();
    assert_eq!(busy.len(), 1);
    assert_eq!((busy[0].time_s, busy[0].expirations), (3_600.0, 100_000));
}

#[test]
fn without_a_defense_every_absent_key_reaches_the_database() {
    let attack = Penetration {
        valid_keys: 1_000,
        attack_per_second: 1_000.0,
        legit_per_second: 0.0,
        duration: secs(5),
    };
    let rows =
        penetration_experiment(attack, &[10, 1_000_000], &[PenetrationDefense::none()], 3).unwrap();
    assert!(rows.iter().all(|row| row.db_queries == row.attack_requests));
}

#[test]
fn invalid_parameters_say_what_is_allowed() {
    let key = HotKey {
        requests_per_second: 0.0,
        ttl: secs(1),
        fetch: ms(1),
        duration: secs(1),
    };
    let error = stampede_experiment(key, &[RefreshStrategy::Singleflight], ms(10), 1).unwrap_err();
    assert!(error.to_string().contains("(0, 1,000,000]"), "{error}");
    let cache = MassExpiry {
        keys: 0,
        ttl: secs(1),
        warmup: Time::ZERO,
        jitter: Time::ZERO,
    };
    assert!(mass_expiry_experiment(cache, &[Time::ZERO], secs(1), 1).is_err());
    let attack = Penetration {
        valid_keys: 10,
        attack_per_second: 10.0,
        legit_per_second: 0.0,
        duration: secs(1),
    };
    let bad_filter = PenetrationDefense::bloom(1.5);
    assert!(penetration_experiment(attack, &[10], &[bad_filter], 1).is_err());
}

/// Every interleaving of up to 3 readers and 3 writers of one key: with versioned sets the
/// cache never holds a value older than a version whose writer already deleted the key.
#[test]
fn versioned_sets_never_keep_a_value_older_than_an_invalidated_one() {
    for readers in 1..=3 {
        for writers in 1..=3 {
            let race =
                InvalidationRace::new(InvalidationScheme::VersionedSet, readers, writers).unwrap();
            let row = race.check();
            assert!(row.holds && row.exhausted, "{row:?}");
        }
    }
}

/// Plain delete-on-write and the double delete both fail, in five steps: miss, read the old
/// version, the writer writes and deletes, the reader sets the old version.
#[test]
fn delete_on_write_and_double_delete_lose_the_race_in_five_steps() {
    let double = InvalidationScheme::DelayedDoubleDelete { delay: ms(500) };
    for scheme in [InvalidationScheme::DeleteOnWrite, double] {
        let row = InvalidationRace::new(scheme, 2, 2).unwrap().check();
        assert_eq!(row.shortest_violation, Some(5), "{row:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// On random workloads, versioned sets serve no stale read as long as tombstones outlive
    /// every stall: the stall mean here is at most a twentieth of the TTL, so a stall outlives
    /// a tombstone with probability below e^-20 per stall, and a run has a few hundred stalls.
    #[test]
    fn versioned_sets_serve_no_stale_reads(
        reads in 10.0_f64..500.0,
        writes in 0.1_f64..10.0,
        stall in 0.0_f64..=1.0,
        stall_ms in 0_i64..50,
        seed in any::<u64>(),
    ) {
        let workload = RaceWorkload {
            reads_per_second: reads,
            writes_per_second: writes,
            ttl: secs(1),
            set_delay: ms(1),
            stall_mean: ms(stall_ms),
            duration: secs(20),
        };
        let rows = invalidation_race_experiment(workload, &[InvalidationScheme::VersionedSet], &[stall], seed).unwrap();
        prop_assert_eq!(rows[0].stale_reads, 0);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// When every write goes through a write-through cache, no read returns a value older
    /// than the database's committed one, whatever the load, latencies, TTL and crashes.
    #[test]
    fn write_through_never_reads_older_than_the_database(
        keys in 1_u64..200,
        reads in 1.0_f64..2_000.0,
        writes in 1.0_f64..500.0,
        db_ms in 0_i64..50,
        ttl_ms in 1_i64..5_000,
        crashes in 0_u32..5,
        seed in any::<u64>(),
    ) {
        let workload = PatternWorkload {
            keys,
            reads_per_second: reads,
            writes_per_second: writes,
            outside_writes_per_second: 0.0,
            cache_latency: ms(1),
            db_latency: ms(db_ms),
            ttl: ms(ttl_ms),
            cache_crashes: crashes,
            duration: secs(10),
        };
        let rows = pattern_experiment(workload, &[CachePattern::WriteThrough], seed).unwrap();
        prop_assert_eq!(rows[0].stale_reads, 0);
    }

    /// With change-data-capture invalidation, no read returns a value replaced longer ago
    /// than the CDC delay.
    #[test]
    fn cdc_bounds_staleness_by_its_delay(
        keys in 1_u64..200,
        reads in 1.0_f64..2_000.0,
        outside in 1.0_f64..200.0,
        delay_ms in 0_i64..3_000,
        ttl_ms in 1_i64..60_000,
        seed in any::<u64>(),
    ) {
        let workload = PatternWorkload {
            keys,
            reads_per_second: reads,
            writes_per_second: 10.0,
            outside_writes_per_second: outside,
            cache_latency: ms(1),
            db_latency: ms(10),
            ttl: ms(ttl_ms),
            cache_crashes: 0,
            duration: secs(10),
        };
        let cdc = Invalidation::ChangeDataCapture { delay: ms(delay_ms) };
        let rows = outside_writer_experiment(workload, &[cdc], seed).unwrap();
        prop_assert!(rows[0].longest_stale_s <= ms(delay_ms).as_secs_f64(), "{:?}", rows[0]);
    }
}

/// One step of a write-behind cache's life.
#[derive(Debug, Clone)]
enum BufferOp {
    Write(u64),
    Flush,
    Crash,
}

fn buffer_op() -> impl Strategy<Value = BufferOp> {
    prop_oneof![
        6 => (0_u64..8).prop_map(BufferOp::Write),
        1 => Just(BufferOp::Flush),
        1 => Just(BufferOp::Crash),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    /// A crash loses exactly the writes acknowledged since the last flush (or crash), and the
    /// database holds, per key, the last value written before the last flush.
    #[test]
    fn write_behind_loses_exactly_the_unflushed_writes(ops in proptest::collection::vec(buffer_op(), 0..60)) {
        let mut buffer = WriteBehindBuffer::default();
        let mut database = std::collections::BTreeMap::new();
        // The reference: every write in order, and where the last flush and crash were.
        let mut history: Vec<(u64, u64)> = Vec::new();
        let mut flushed_upto = 0;
        let mut since_flush_or_crash = 0;
        for (version, op) in ops.iter().enumerate() {
            match *op {
                BufferOp::Write(key) => {
                    buffer.write(key, version as u64);
                    history.push((key, version as u64));
                    since_flush_or_crash += 1;
                }
                BufferOp::Flush => {
                    for (key, value) in buffer.flush() {
                        database.insert(key, value);
                    }
                    flushed_upto = history.len();
                    since_flush_or_crash = 0;
                }
                BufferOp::Crash => {
                    prop_assert_eq!(buffer.crash(), since_flush_or_crash);
                    history.truncate(history.len() - since_flush_or_crash as usize);
                    flushed_upto = history.len();
                    since_flush_or_crash = 0;
                }
            }
            let mut expected = std::collections::BTreeMap::new();
            for &(key, value) in &history[..flushed_upto] {
                expected.insert(key, value);
            }
            prop_assert_eq!(&database, &expected);
        }
    }
}
