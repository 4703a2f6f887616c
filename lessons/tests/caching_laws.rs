//! The laws of the caching lesson, for all inputs (proptest, regressions persisted beside this
//! file), and the exact values the lesson quotes.
//!
//! The statistical laws derive their tolerance from the variance of what they measure and allow
//! six standard errors, so a fresh random seed fails about once in 10^9 runs.

use lessons::caching::{
    Access, Expiry, KeyTrace, LruCache, Policy, TtlEntry, hot_key_run, pinned_hit_rate,
    predicted_miss_rate, replay, top_keys_hit_rate, ttl_run,
};
use lessons::sim::{Time, Zipf, ms, secs};
use proptest::prelude::*;

mod caching_common;
use caching_common::{demand_fill, hits};

const STANDARD_ERRORS: f64 = 6.0;

/// A key-value operation on a cache: `Get(key)` or `Put(key, value)`.
#[derive(Debug, Clone)]
enum Operation {
    Get(u64),
    Put(u64, u64),
}

fn operations() -> impl Strategy<Value = Vec<Operation>> {
    prop::collection::vec(
        prop_oneof![
            (0u64..10).prop_map(Operation::Get),
            (0u64..10, 0u64..100).prop_map(|(key, value)| Operation::Put(key, value)),
        ],
        0..200,
    )
}

fn small_traces() -> impl Strategy<Value = Vec<u64>> {
    prop::collection::vec(0u64..12, 0..300)
}

/// Every policy, OPT included.
fn all_policies(capacity: usize) -> Vec<Policy> {
    let mut policies = demand_fill(capacity).to_vec();
    policies.push(Policy::Optimal);
    policies
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    /// The model: a list of (key, value) from the most to the least recently used.
    #[test]
    fn lru_evicts_exactly_the_least_recently_used_key(
        capacity in 1usize..6,
        script in operations(),
    ) {
        let mut cache = LruCache::new(capacity).unwrap();
        let mut model: Vec<(u64, u64)> = Vec::new();
        for operation in script {
            match operation {
                Operation::Get(key) => {
                    let expected = model.iter().position(|&(k, _)| k == key).map(|at| {
                        let entry = model.remove(at);
                        model.insert(0, entry);
                        entry.1
                    });
                    prop_assert_eq!(cache.get(key), expected);
                }
                Operation::Put(key, value) => {
                    let expected = match model.iter().position(|&(k, _)| k == key) {
                        Some(at) => {
                            model.remove(at);
                            None
                        }
                        None if model.len() == capacity => model.pop().map(|(k, _)| k),
                        None => None,
                    };
                    model.insert(0, (key, value));
                    prop_assert_eq!(cache.put(key, value), expected);
                }
            }
            let keys: Vec<u64> = model.iter().map(|&(k, _)| k).collect();
            prop_assert_eq!(cache.keys_by_recency(), keys);
            prop_assert_eq!(cache.least_recent(), model.last().map(|&(k, _)| k));
        }
    }

    #[test]
    fn no_policy_beats_optimal_on_any_trace(
        capacity in 1usize..8,
        trace in small_traces(),
        seed in any::<u64>(),
    ) {
        let best = hits(Policy::Optimal, capacity, &trace, seed);
        for policy in all_policies(capacity) {
            prop_assert!(hits(policy, capacity, &trace, seed) <= best, "{}", policy);
        }
    }

    #[test]
    fn no_policy_beats_optimal_on_zipf_traces_with_scans_and_a_shift(
        keys in 1usize..200,
        exponent in 0.0f64..2.0,
        capacity in 1usize..50,
        scan_every in 1usize..500,
        scan_length in 1usize..100,
        shift_at in 0usize..2_000,
        seed in any::<u64>(),
    ) {
        let trace = KeyTrace::zipf(keys, exponent)
            .unwrap()
            .with_scans(scan_every, scan_length)
            .unwrap()
            .with_shift_at(shift_at)
            .generate(2_000, seed)
            .unwrap();
        let best = hits(Policy::Optimal, capacity, &trace, seed);
        for policy in all_policies(capacity) {
            prop_assert!(hits(policy, capacity, &trace, seed) <= best, "{}", policy);
        }
    }

    #[test]
    fn sampled_lru_that_samples_every_key_is_lru(
        capacity in 1usize..10,
        extra_samples in 0usize..5,
        trace in small_traces(),
        seed in any::<u64>(),
    ) {
        let sampled = Policy::SampledLru { samples: capacity + extra_samples };
        prop_assert_eq!(
            replay(sampled, capacity, &trace, seed).unwrap(),
            replay(Policy::Lru, capacity, &trace, seed).unwrap()
        );
    }

    /// Reads every P with expiry at fill + T: each fill is followed by ⌈T/P⌉ − 1 hits, so n reads
    /// make exactly ⌈n / ⌈T/P⌉⌉ misses (the read at exactly fill + T misses).
    #[test]
    fn periodic_reads_miss_once_per_ceiling_of_t_over_p(
        period_ms in 1i64..1_000,
        ttl_ms in 1i64..10_000,
        reads in 0usize..2_000,
    ) {
        let (period, ttl) = (ms(period_ms), ms(ttl_ms));
        let row = ttl_run(Access::Periodic, Expiry::FromFill, period, ttl, reads, 0).unwrap();
        let reads_per_fill = ((ttl_ms + period_ms - 1) / period_ms) as usize;
        prop_assert_eq!(row.misses, reads.div_ceil(reads_per_fill));
        let predicted = predicted_miss_rate(Access::Periodic, Expiry::FromFill, period, ttl);
        prop_assert_eq!(predicted, 1.0 / reads_per_fill as f64);
        if ttl_ms % period_ms == 0 {
            prop_assert_eq!(predicted, period_ms as f64 / ttl_ms as f64);
        }
    }

    /// With sliding expiry, periodic reads after the first all hit when P < T and all miss when
    /// P ≥ T.
    #[test]
    fn periodic_reads_with_sliding_expiry_hit_forever_or_never(
        period_ms in 1i64..1_000,
        ttl_ms in 1i64..2_000,
        reads in 1usize..500,
    ) {
        let row = ttl_run(Access::Periodic, Expiry::RefreshOnHit, ms(period_ms), ms(ttl_ms), reads, 0)
            .unwrap();
        let expected = if period_ms < ttl_ms { 1 } else { reads };
        prop_assert_eq!(row.misses, expected);
    }

    /// A server's cache misses at most once per TTL, so S servers send at most
    /// S · (⌊D/T⌋ + 1) requests to the backend in a run of length D, whatever the request rate.
    #[test]
    fn hot_key_backend_requests_are_bounded_by_servers_over_ttl(
        servers in 1usize..60,
        ttl_ms in 50i64..5_000,
        requests_per_second in 1.0f64..20_000.0,
        duration_ms in 100i64..5_000,
        seed in any::<u64>(),
    ) {
        let row = hot_key_run(servers, ms(ttl_ms), requests_per_second, ms(duration_ms), seed)
            .unwrap();
        let fills_per_server = (duration_ms / ttl_ms + 1) as usize;
        prop_assert!(row.backend_requests <= servers * fills_per_server);
        prop_assert!(row.backend_requests <= row.requests);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(60))]

    /// The top-C keys of a static Zipf trace: each request hits independently with probability
    /// p = H(C, s) / H(K, s), so the hit fraction of n requests has standard error
    /// sqrt(p (1 − p) / n) and nothing else varies (the cache's content is fixed).
    #[test]
    fn the_top_keys_serve_h_c_over_h_k_of_a_static_zipf_trace(
        keys in 2usize..3_000,
        exponent in 0.0f64..2.0,
        capacity_share in 0.0f64..1.0,
        seed in any::<u64>(),
    ) {
        let capacity = 1 + (capacity_share * (keys - 1) as f64) as usize;
        let requests = 20_000;
        let trace = KeyTrace::zipf(keys, exponent).unwrap().generate(requests, seed).unwrap();
        let p = top_keys_hit_rate(keys, exponent, capacity).unwrap();
        let standard_error = (p * (1.0 - p) / requests as f64).sqrt();
        let measured = pinned_hit_rate(&trace, capacity);
        prop_assert!(
            (measured - p).abs() <= STANDARD_ERRORS * standard_error + 1e-9,
            "measured {measured}, H(C)/H(K) = {p}, standard error {standard_error}"
        );
    }

    /// Poisson reads with expiry from fill: the reads form independent cycles of one miss and
    /// N ~ Poisson(λT) hits (mean μ = 1 + λT, variance λT). Over n reads the miss fraction has
    /// standard error sqrt(λT / (n μ³)) (renewal central limit theorem); the last, unfinished
    /// cycle adds at most 1/n.
    #[test]
    fn poisson_reads_miss_one_in_one_plus_lambda_t(
        lambda_t in 0.0f64..20.0,
        seed in any::<u64>(),
    ) {
        let reads = 20_000;
        let period = secs(1);
        let ttl = Time::from_nanos_f64(lambda_t * 1e9).max(Time::from_nanos(1));
        let row = ttl_run(Access::Poisson, Expiry::FromFill, period, ttl, reads, seed).unwrap();
        let miss_rate = row.misses as f64 / reads as f64;
        let lambda_t = ttl.as_secs_f64();
        let mean = 1.0 + lambda_t;
        let standard_error = (lambda_t / (reads as f64 * mean.powi(3))).sqrt();
        prop_assert!(
            (miss_rate - 1.0 / mean).abs()
                <= STANDARD_ERRORS * standard_error + 1.0 / reads as f64,
            "measured {miss_rate}, 1/(1 + λT) = {}", 1.0 / mean
        );
    }

    /// Poisson reads with sliding expiry: every read after the first misses exactly when the gap
    /// before it is at least T, independently with probability e^(−λT).
    #[test]
    fn poisson_reads_with_sliding_expiry_miss_when_the_gap_exceeds_t(
        lambda_t in 0.0f64..6.0,
        seed in any::<u64>(),
    ) {
        let reads = 20_000;
        let ttl = Time::from_nanos_f64(lambda_t * 1e9).max(Time::from_nanos(1));
        let row = ttl_run(Access::Poisson, Expiry::RefreshOnHit, secs(1), ttl, reads, seed).unwrap();
        let miss_rate = row.misses as f64 / reads as f64;
        let p = (-ttl.as_secs_f64()).exp();
        let standard_error = (p * (1.0 - p) / (reads - 1) as f64).sqrt();
        prop_assert!(
            (miss_rate - p).abs() <= STANDARD_ERRORS * standard_error + 1.0 / reads as f64,
            "measured {miss_rate}, e^(−λT) = {p}"
        );
    }
}

#[test]
fn a_read_at_exactly_fill_plus_ttl_misses() {
    let mut entry = TtlEntry::new(secs(30), Expiry::FromFill).unwrap();
    assert!(!entry.read(secs(0)));
    assert!(entry.read(secs(30) - Time::from_nanos(1)));
    assert!(!entry.read(secs(30)));
}

/// Claim C11 and the curriculum's integer case: with the read at fill + T missing, T/P = 2 gives
/// 1/2 = P/T, not 1/(T/P + 1) = 1/3 (that would be the rule if the read at fill + T hit).
#[test]
fn claim_c11_thirty_second_ttl_read_every_minute_always_misses() {
    let rate = |ttl| predicted_miss_rate(Access::Periodic, Expiry::FromFill, secs(60), secs(ttl));
    assert_eq!(rate(30), 1.0);
    assert_eq!(rate(60), 1.0);
    assert_eq!(rate(61), 0.5);
    assert_eq!(rate(120), 0.5);
    assert_eq!(rate(121), 1.0 / 3.0);
    let row = ttl_run(
        Access::Periodic,
        Expiry::FromFill,
        secs(60),
        secs(30),
        1_000,
        0,
    )
    .unwrap();
    assert_eq!(row.misses, 1_000);
}

/// H(C, s) / H(K, s) is the sum of the Zipf sampler's probabilities of the top C ranks.
#[test]
fn top_keys_hit_rate_is_the_zipf_mass_of_the_top_keys() {
    for (keys, exponent, capacity) in [(10_000, 1.0, 100), (500, 0.7, 3), (50, 1.5, 49)] {
        let zipf = Zipf::new(keys, exponent).unwrap();
        let mass: f64 = (0..capacity).map(|rank| zipf.probability(rank)).sum();
        let formula = top_keys_hit_rate(keys, exponent, capacity).unwrap();
        assert!(
            (mass - formula).abs() < 1e-9,
            "{keys} {exponent} {capacity}"
        );
    }
    let share = top_keys_hit_rate(10_000, 1.0, 100).unwrap();
    assert_eq!(format!("{share:.4}"), "0.5300");
}

#[test]
fn invalid_parameters_say_what_is_allowed() {
    assert_eq!(
        replay(Policy::SampledLru { samples: 0 }, 4, &[1], 0)
            .unwrap_err()
            .to_string(),
        "samples 0 is not allowed; an eviction compares 1 or more keys"
    );
    assert!(replay(Policy::Lru, 0, &[1], 0).is_err());
    assert!(replay(Policy::DecayingLfu { halve_every: 0 }, 1, &[1], 0).is_err());
    assert!(hot_key_run(0, secs(1), 1.0, secs(1), 0).is_err());
    assert!(hot_key_run(1, secs(1), f64::NAN, secs(1), 0).is_err());
    assert!(ttl_run(Access::Poisson, Expiry::FromFill, secs(0), secs(1), 1, 0).is_err());
    assert!(KeyTrace::zipf(10, 1.0).unwrap().with_scans(1, 0).is_err());
}
