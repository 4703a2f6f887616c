//! The laws of distributed and layered rate limiting (lesson 1, sections 1.6 and 1.7), for all
//! inputs (proptest, regressions persisted beside this file), and the exact values the lesson
//! quotes.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use lessons::rate_limit::{
    GatewayRun, GatewaySetup, Layer, LayeredDecision, LayeredLimiter, LimiterMode, Rate, Request,
    Routing, TokenBucket,
};
use lessons::sim::{Latency, Time, ms, secs, us};
use proptest::prelude::*;

fn routings() -> impl Strategy<Value = Routing> {
    prop::sample::select(Routing::ALL.to_vec())
}

/// One client against `gateways` in `mode`, quota `limit` per second, for 2 s.
fn one_client(
    gateways: usize,
    mode: LimiterMode,
    routing: Routing,
    limit: u64,
    per_second: f64,
    seed: u64,
) -> GatewayRun {
    GatewaySetup::new(gateways, mode)
        .unwrap()
        .routing(routing)
        .quota(limit, secs(1))
        .unwrap()
        .clients(&[per_second])
        .unwrap()
        .duration(secs(2))
        .unwrap()
        .store_latency(Latency::uniform(us(100), ms(5)))
        .unwrap()
        .run(seed)
        .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn local_full_admits_at_most_k_times_the_limit_and_reaches_it_under_round_robin(
        gateways in 1usize..=6,
        routing in routings(),
        limit in 1u64..=20,
        per_second in 1.0f64..300.0,
        seed in any::<u64>(),
    ) {
        let run = one_client(gateways, LimiterMode::LocalFull, routing, limit, per_second, seed);
        let ceiling = gateways as u64 * limit;
        for window in run.per_window() {
            prop_assert!(window.admitted <= ceiling, "{window:?} above K × limit = {ceiling}");
            if routing == Routing::RoundRobin {
                // Round robin deals each window's requests evenly (within one per gateway).
                prop_assert!(window.offered < ceiling || window.admitted == ceiling, "{window:?}");
            }
        }
    }

    #[test]
    fn central_atomic_admits_exactly_min_offered_and_limit_in_every_window(
        gateways in 1usize..=6,
        routing in routings(),
        limit in 1u64..=20,
        per_second in 1.0f64..300.0,
        seed in any::<u64>(),
    ) {
        let run = one_client(gateways, LimiterMode::CentralAtomic, routing, limit, per_second, seed);
        for window in run.per_window() {
            prop_assert_eq!(window.admitted, window.offered.min(limit), "{:?}", window);
        }
    }

    #[test]
    fn read_then_write_exceeds_the_limit_only_by_checks_that_overlap(
        gateways in 1usize..=6,
        routing in routings(),
        limit in 1u64..=20,
        per_second in 1.0f64..2_000.0,
        seed in any::<u64>(),
    ) {
        let run = one_client(
            gateways,
            LimiterMode::CentralReadThenWrite,
            routing,
            limit,
            per_second,
            seed,
        );
        // The checker: an admitted check overlaps if its read came after another admitted
        // check's read and before that check's increment landed at the store.
        let mut checks: BTreeMap<i64, Vec<(u64, u64)>> = BTreeMap::new();
        for check in &run.check_and_sets {
            if let Some(increment) = check.increment_step {
                checks.entry(check.window).or_default().push((check.read_step, increment));
            }
        }
        for window in run.per_window() {
            let admitted_checks = checks.get(&window.window).cloned().unwrap_or_default();
            prop_assert_eq!(admitted_checks.len() as u64, window.admitted);
            let overlaps = admitted_checks
                .iter()
                .filter(|&&(read, _)| {
                    admitted_checks.iter().any(|&(other, landed)| other < read && read < landed)
                })
                .count() as u64;
            prop_assert!(
                window.admitted <= limit + overlaps,
                "{window:?}: {overlaps} overlapping checks cannot explain it"
            );
        }
    }

    #[test]
    fn local_share_admits_exactly_limit_over_k_when_the_client_is_pinned(
        gateways in 1usize..=6,
        limit in 1u64..=30,
        per_second in 1.0f64..300.0,
        seed in any::<u64>(),
    ) {
        let run = one_client(
            gateways,
            LimiterMode::LocalShare,
            Routing::StickyByClient,
            limit,
            per_second,
            seed,
        );
        let share = limit / gateways as u64;
        for window in run.per_window() {
            prop_assert_eq!(window.admitted, window.offered.min(share), "{:?}", window);
        }
    }

    #[test]
    fn layered_check_is_all_or_nothing(
        requests in prop::collection::vec((0i64..200, 0u32..4, 0u8..3, 1u64..=5), 1..200),
        key_capacity in 5u64..=15,
        subnet_capacity in 5u64..=30,
        global_capacity in 5u64..=40,
    ) {
        let key_rate = Rate::per_second(3).unwrap();
        let subnet_rate = Rate::per_second(5).unwrap();
        let global_rate = Rate::per_second(8).unwrap();
        let mut limiter = LayeredLimiter::new()
            .per_key(key_capacity, key_rate).unwrap()
            .per_subnet(subnet_capacity, subnet_rate).unwrap()
            .global(global_capacity, global_rate).unwrap();
        // The reference: separate buckets that are shown only the admitted requests. If the
        // layered limiter charged a bucket for a rejected request, the two would part ways.
        let mut keys: BTreeMap<u32, TokenBucket> = BTreeMap::new();
        let mut subnets: BTreeMap<u8, TokenBucket> = BTreeMap::new();
        let mut global = TokenBucket::new(global_capacity, global_rate).unwrap();
        let mut now = Time::ZERO;
        for (gap, key, subnet, cost) in requests {
            now += ms(gap);
            let request = Request::new(key, Ipv4Addr::new(10, 0, subnet, 1), cost);
            let key_bucket = keys
                .entry(key)
                .or_insert_with(|| TokenBucket::new(key_capacity, key_rate).unwrap());
            let subnet_bucket = subnets
                .entry(subnet)
                .or_insert_with(|| TokenBucket::new(subnet_capacity, subnet_rate).unwrap());
            let room = [
                (Layer::Key, key_bucket.would_admit(now, cost).unwrap()),
                (Layer::Subnet, subnet_bucket.would_admit(now, cost).unwrap()),
                (Layer::Global, global.would_admit(now, cost).unwrap()),
            ];
            let expected = match room.iter().find(|(_, fits)| !fits) {
                None => LayeredDecision::Admitted,
                Some(&(by, _)) => LayeredDecision::Rejected { by },
            };
            prop_assert_eq!(limiter.check(now, request).unwrap(), expected);
            if expected.is_admitted() {
                for bucket in [key_bucket, subnet_bucket, &mut global] {
                    prop_assert!(bucket.try_acquire_n(now, cost).unwrap().is_admitted());
                }
            }
            for (layer, bucket) in [
                (Layer::Key, &keys[&key]),
                (Layer::Subnet, &subnets[&subnet]),
                (Layer::Global, &global),
            ] {
                prop_assert_eq!(limiter.tokens(layer, request), Some(bucket.tokens()));
            }
        }
    }
}

#[test]
fn twelve_gateways_with_a_share_of_eight_admit_ninety_six_of_a_hundred() {
    let row = GatewaySetup::new(12, LimiterMode::LocalShare)
        .unwrap()
        .run(1)
        .unwrap()
        .summary();
    assert_eq!((row.admitted, row.under_admitted), (96, 4));
}

#[test]
fn one_gateway_that_syncs_is_exact() {
    let row = GatewaySetup::new(1, LimiterMode::LocalSync { interval: secs(5) })
        .unwrap()
        .run(1)
        .unwrap()
        .summary();
    assert_eq!((row.admitted, row.over_admitted), (100, 0));
}

#[test]
fn two_checks_that_read_the_same_count_both_pass_under_heavy_load() {
    let run = one_client(
        12,
        LimiterMode::CentralReadThenWrite,
        Routing::RoundRobin,
        100,
        5_000.0,
        1,
    );
    let row = run.summary();
    assert!(row.over_admitted > 0 && row.overlapping_admissions >= row.over_admitted);
    let mut reads: BTreeMap<(i64, u64), u32> = BTreeMap::new();
    for check in run
        .check_and_sets
        .iter()
        .filter(|c| c.increment_step.is_some())
    {
        *reads.entry((check.window, check.count_read)).or_default() += 1;
    }
    let (window_and_count, times) = reads.iter().max_by_key(|(_, times)| **times).unwrap();
    assert!(*times >= 2, "no count was read by two admitted checks");
    assert!(window_and_count.1 < 100);
}

#[test]
fn bad_parameters_are_errors_that_say_what_is_allowed() {
    let message = |error: lessons::rate_limit::RateLimitError| error.to_string();
    assert_eq!(
        message(GatewaySetup::new(0, LimiterMode::LocalFull).unwrap_err()),
        "gateways = 0 is not allowed: from 1 to 1,000 gateways"
    );
    assert_eq!(
        message(GatewaySetup::new(2, LimiterMode::LocalSync { interval: ms(0) }).unwrap_err()),
        "sync interval = 0ns is not allowed: gateways sync at least 1 µs apart"
    );
    let setup = GatewaySetup::new(2, LimiterMode::LocalFull).unwrap();
    assert_eq!(
        message(setup.clone().clients(&[-1.0]).unwrap_err()),
        "client requests per second = -1 is not allowed: each client sends more than 0 and at \
         most 100,000 requests per second"
    );
    assert!(setup.clone().quota(5, us(10)).is_err());
    assert!(setup.outage(secs(2), secs(1)).is_err());
    let request = Request::new(1, Ipv4Addr::LOCALHOST, 11);
    let mut limiter = LayeredLimiter::new()
        .per_key(10, Rate::per_second(1).unwrap())
        .unwrap();
    assert_eq!(
        message(limiter.check(ms(0), request).unwrap_err()),
        "cost = 11 is not allowed: a request costs at least 1 token and at most the bucket's \
         capacity"
    );
}
