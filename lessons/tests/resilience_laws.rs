//! The laws of the overload and resilience lesson, for all inputs (proptest, regressions
//! persisted beside this file), and the exact values the lesson quotes.

use lessons::resilience::{
    Backoff, BreakerState, CircuitBreaker, Jitter, QueueModel, Storm, amplification,
    amplification_experiment, downtime_minutes_per_year, erlang_c, false_trip_probability,
    mmc_mean_response_ms, parallel_availability, retry_storm, serial_availability,
};
use lessons::sim::{Latency, Rng, Time, ms, secs};
use proptest::prelude::*;

/// The binomial tail by direct summation of C(n, j) p^j (1-p)^(n-j), for small n.
fn binomial_tail(n: usize, k: usize, p: f64) -> f64 {
    let choose =
        |n: usize, j: usize| (0..j).fold(1.0, |acc, i| acc * (n - i) as f64 / (i + 1) as f64);
    (k..=n)
        .map(|j| choose(n, j) * p.powi(j as i32) * (1.0 - p).powi((n - j) as i32))
        .sum()
}

#[test]
fn mm1_mean_response_is_service_time_over_one_minus_rho() {
    // rho = 0.5 doubles the service time, rho = 0.9 multiplies it by ten.
    assert!((mmc_mean_response_ms(50.0, ms(10), 1).unwrap() - 20.0).abs() < 1e-9);
    assert!((mmc_mean_response_ms(90.0, ms(10), 1).unwrap() - 100.0).abs() < 1e-9);
    assert!((mmc_mean_response_ms(99.0, ms(10), 1).unwrap() - 1000.0).abs() < 1e-6);
}

#[test]
fn erlang_c_matches_the_closed_form_for_two_servers() {
    // For c = 2 the textbook formula simplifies to C = a^2 / (2 + a).
    for a in [0.1, 0.5, 1.0, 1.6, 1.99] {
        assert!(
            (erlang_c(2, a).unwrap() - a * a / (2.0 + a)).abs() < 1e-12,
            "a = {a}"
        );
    }
}

#[test]
fn four_nines_is_fifty_two_point_six_minutes_a_year() {
    assert_eq!(
        format!("{:.1}", downtime_minutes_per_year(0.9999).unwrap()),
        "52.6"
    );
    assert_eq!(
        format!("{:.2}", downtime_minutes_per_year(0.99999).unwrap()),
        "5.26"
    );
}

#[test]
fn c23_false_trip_probabilities() {
    assert_eq!(
        format!("{:.4}", false_trip_probability(20, 2, 0.02).unwrap()),
        "0.0599"
    );
    assert_eq!(
        format!("{:.3e}", false_trip_probability(100, 10, 0.02).unwrap()),
        "3.442e-5"
    );
}

#[test]
fn three_layers_of_three_tries_amplify_27_times() {
    assert_eq!(amplification(3, 3).unwrap(), 27);
    let row = amplification_experiment(3, 3, None, 50).unwrap();
    assert_eq!(row.bottom_calls_per_request, 27.0);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Little's law over a closed run: the area under "requests in the system" equals the sum
    /// of response times, exactly, for every seed, load, server count and queue bound.
    #[test]
    fn littles_law_holds_exactly_over_a_closed_run(
        seed in any::<u64>(),
        rate in 5.0f64..400.0,
        servers in 1usize..6,
        bound in proptest::option::of(0usize..20),
    ) {
        let mut model = QueueModel::new(rate, Latency::exponential(ms(10)), servers).unwrap();
        if let Some(room) = bound {
            model = model.queue_capacity(room);
        }
        let run = model.run(secs(5), seed).unwrap();
        prop_assert_eq!(run.customer_nanos, run.response_nanos);
        prop_assert!((run.mean_in_system - run.throughput * run.mean_response_ms / 1000.0).abs() < 1e-9);
    }

    /// A bounded line never holds more than its capacity.
    #[test]
    fn a_bounded_queue_never_exceeds_its_capacity(
        seed in any::<u64>(),
        load in 0.5f64..3.0,
        room in 0usize..30,
    ) {
        let model = QueueModel::new(100.0 * load, Latency::exponential(ms(10)), 1)
            .unwrap()
            .queue_capacity(room);
        let run = model.run(secs(10), seed).unwrap();
        prop_assert!(run.longest_queue <= room);
        prop_assert_eq!(run.arrivals, run.admitted + run.rejected);
    }

    /// The M/M/c formula with one server is S / (1 - rho), and Erlang C with one server is rho.
    #[test]
    fn one_server_formulas_agree(rho in 0.01f64..0.99) {
        let formula = mmc_mean_response_ms(rho * 100.0, ms(10), 1).unwrap();
        prop_assert!((formula - 10.0 / (1.0 - rho)).abs() < 1e-6 * formula);
        prop_assert!((erlang_c(1, rho).unwrap() - rho).abs() < 1e-12);
    }

    /// The binomial tail equals direct summation and falls as the threshold rises.
    #[test]
    fn false_trip_probability_is_the_binomial_tail(
        n in 1usize..40,
        k in 0usize..40,
        p in 0.0f64..=1.0,
    ) {
        let k = k.min(n);
        let tail = false_trip_probability(n, k, p).unwrap();
        prop_assert!((tail - binomial_tail(n, k, p)).abs() < 1e-9);
        if k < n {
            prop_assert!(false_trip_probability(n, k + 1, p).unwrap() <= tail + 1e-15);
        }
    }

    /// Retries multiply across layers: tries^layers calls reach a failing bottom.
    #[test]
    fn amplification_is_tries_to_the_power_of_layers(tries in 1u32..6, layers in 1u32..6) {
        let row = amplification_experiment(layers, tries, None, 3).unwrap();
        prop_assert_eq!(row.bottom_calls_per_request, f64::from(tries).powi(layers as i32));
        prop_assert_eq!(amplification(u64::from(tries), layers).unwrap() as f64, row.bottom_calls_per_request);
    }

    /// A retry budget b per layer bounds amplification by (1 + b)^layers, whatever the tries.
    #[test]
    fn a_retry_budget_bounds_amplification(
        tries in 1u32..8,
        layers in 1u32..6,
        budget in 0.0f64..1.0,
        requests in 1u64..300,
    ) {
        let row = amplification_experiment(layers, tries, Some(budget), requests).unwrap();
        let bound = (1.0 + budget).powi(layers as i32);
        prop_assert!(row.bottom_calls_per_request <= bound + 1e-9, "{row:?} above {bound}");
    }

    /// Each jitter stays inside its range, and the ceiling doubles up to the cap.
    #[test]
    fn backoff_delays_stay_in_their_ranges(
        base_ms in 1i64..200,
        cap_factor in 1i64..100,
        retry in 1u32..40,
        previous_ms in 0i64..20_000,
        seed in any::<u64>(),
    ) {
        let (base, cap, previous) = (ms(base_ms), ms(base_ms * cap_factor), ms(previous_ms));
        let rng = Rng::new(seed);
        let ceiling = Backoff::new(base, cap, Jitter::None).unwrap().ceiling(retry);
        prop_assert!(ceiling <= cap && ceiling >= base);
        prop_assert_eq!(ceiling, (base * (1i64 << (retry - 1).min(40))).min(cap));
        let delay = |jitter| Backoff::new(base, cap, jitter).unwrap().delay(retry, previous, &mut rng.clone());
        prop_assert_eq!(delay(Jitter::None), ceiling);
        prop_assert!(delay(Jitter::Full) <= ceiling);
        let equal = delay(Jitter::Equal);
        prop_assert!(equal <= ceiling && equal * 2 >= ceiling);
        let decorrelated = delay(Jitter::Decorrelated);
        prop_assert!(decorrelated <= cap && decorrelated >= base.min(cap));
        prop_assert!(decorrelated <= previous.max(base) * 3);
    }

    /// Without jitter, clients that failed together retry together: every retry round is one
    /// instant, and the first retry wave holds every client that was rejected.
    #[test]
    fn without_jitter_retries_coincide(
        clients in 2usize..500,
        capacity in 1usize..50,
        attempts in 2u32..8,
        seed in any::<u64>(),
    ) {
        let storm = Storm::new(clients, capacity, ms(10), ms(5), attempts).unwrap();
        let run = retry_storm(storm, Some(Backoff::new(ms(10), secs(5), Jitter::None).unwrap()), seed).unwrap();
        prop_assert!(run.distinct_retry_instants < attempts as usize);
        let rejected_first = clients.saturating_sub(capacity) as u64;
        prop_assert_eq!(run.peak_retry_load, rejected_first);
    }

    /// The breaker moves only closed -> open, open -> half-open, half-open -> closed and
    /// half-open -> open; while open, no call reaches the dependency.
    #[test]
    fn breaker_transitions_and_open_state_are_as_specified(
        window in 1usize..30,
        threshold in 1usize..30,
        probes in 1usize..4,
        calls in proptest::collection::vec((0i64..400, any::<bool>()), 1..300),
    ) {
        let threshold = threshold.min(window);
        let mut breaker = CircuitBreaker::new(window, threshold, ms(500), probes).unwrap();
        let mut now = Time::ZERO;
        for (gap, succeeded) in calls {
            now += ms(gap);
            let allowed = breaker.allow(now);
            if breaker.state() == BreakerState::Open {
                prop_assert!(!allowed);
            }
            if allowed {
                breaker.record(now, succeeded);
            }
        }
        use BreakerState::*;
        for transition in breaker.transitions() {
            let legal = matches!(
                (transition.from, transition.to),
                (Closed, Open) | (Open, HalfOpen) | (HalfOpen, Closed) | (HalfOpen, Open)
            );
            prop_assert!(legal, "{transition:?}");
        }
    }

    /// From a window full of successes, a total outage opens the breaker on exactly the
    /// threshold-th consecutive failure.
    #[test]
    fn an_outage_opens_on_exactly_the_threshold_th_failure(window in 1usize..200, threshold in 1usize..200) {
        let threshold = threshold.min(window);
        let mut breaker = CircuitBreaker::new(window, threshold, secs(1), 1).unwrap();
        for _ in 0..window {
            breaker.record(Time::ZERO, true);
        }
        for failure in 1..=threshold {
            prop_assert_eq!(breaker.state(), BreakerState::Closed);
            breaker.record(Time::ZERO, false);
            prop_assert_eq!(breaker.state() == BreakerState::Open, failure == threshold);
        }
    }

    /// Series availability is the product; k redundant copies give 1 - (1 - a)^k.
    #[test]
    fn availability_arithmetic(parts in proptest::collection::vec(0.0f64..=1.0, 1..10), copies in 1usize..6) {
        let product: f64 = parts.iter().product();
        prop_assert!((serial_availability(&parts).unwrap() - product).abs() < 1e-12);
        let a = parts[0];
        let parallel = parallel_availability(a, copies).unwrap();
        prop_assert!((parallel - (1.0 - (1.0 - a).powi(copies as i32))).abs() < 1e-12);
        prop_assert!(parallel >= a - 1e-12);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    /// Little's law with the offered arrival rate, within sampling error: over a long run at
    /// moderate load, lambda x W is within 10% of the time-averaged number in the system.
    #[test]
    fn littles_law_holds_with_the_offered_rate_within_sampling_error(
        seed in any::<u64>(),
        rho in 0.2f64..0.7,
        servers in 1usize..4,
    ) {
        let rate = rho * servers as f64 * 100.0;
        let run = QueueModel::new(rate, Latency::exponential(ms(10)), servers).unwrap().run(secs(300), seed).unwrap();
        let little = rate * run.mean_response_ms / 1000.0;
        prop_assert!((little - run.mean_in_system).abs() < 0.1 * run.mean_in_system, "{little} vs {}", run.mean_in_system);
    }

    /// At rho >= 1 the unbounded line has no steady state: twice the time, a longer line.
    #[test]
    fn an_overloaded_unbounded_queue_keeps_growing(seed in any::<u64>(), rho in 1.1f64..2.0) {
        let model = QueueModel::new(100.0 * rho, Latency::exponential(ms(10)), 1).unwrap();
        let short = model.run(secs(30), seed).unwrap().queue_when_arrivals_stop;
        let long = model.run(secs(60), seed).unwrap().queue_when_arrivals_stop;
        prop_assert!(long > short, "{short} then {long}");
        prop_assert!(short as f64 > 0.5 * (rho - 1.0) * 100.0 * 30.0);
    }
}

/// With full jitter, N clients retrying within a window W put about N x bucket / W requests
/// in each bucket: here 10,000 clients, a 1 s window, 10 ms buckets, 100 per bucket.
#[test]
fn full_jitter_spreads_retries_evenly_over_the_window() {
    let backoff = Backoff::new(ms(1_000), ms(1_000), Jitter::Full).unwrap();
    let mut rng = Rng::new(3);
    let mut buckets = vec![0u32; 101];
    for _ in 0..10_000 {
        let delay = backoff.delay(1, ms(1_000), &mut rng);
        buckets[(delay.as_nanos() / ms(10).as_nanos()) as usize] += 1;
    }
    let full_buckets = &buckets[..100];
    let peak = *full_buckets.iter().max().unwrap();
    let least = *full_buckets.iter().min().unwrap();
    assert!((100..=140).contains(&peak), "peak {peak}");
    assert!(least >= 65, "least {least}");
}

/// With no timeout, a pool of P threads in front of a dependency taking W caps the
/// dependency's throughput at P / W: P = 200, W = 8 s gives 25 calls per second.
#[test]
fn a_pool_caps_throughput_at_threads_over_latency() {
    use lessons::resilience::{PoolScenario, Protection, pool_experiment};
    let scenario = PoolScenario::new(200, 400.0, 1.0, secs(100))
        .unwrap()
        .dependency(
            Latency::constant(secs(8)),
            Latency::constant(secs(8)),
            Time::ZERO,
        )
        .unwrap();
    let run = pool_experiment(&scenario, Protection::default(), 1).unwrap();
    assert_eq!(run.most_dependency_threads, 200);
    let throughput = run.dependency_throughput_after;
    assert!((24.0..=27.0).contains(&throughput), "{throughput}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// With a bulkhead, dependency calls never hold more threads than the partition, so the
    /// other requests always have the rest; and they are served at least as well as without it.
    #[test]
    fn a_bulkhead_keeps_the_rest_of_the_pool(
        seed in any::<u64>(),
        threads in 10usize..100,
        partition in 1usize..100,
        slow_secs in 1i64..10,
    ) {
        use lessons::resilience::{PoolScenario, Protection, pool_experiment};
        let partition = partition.min(threads - 5);
        let scenario = PoolScenario::new(threads, 200.0, 0.5, secs(20))
            .unwrap()
            .dependency(Latency::exponential(ms(10)), Latency::constant(secs(slow_secs)), secs(5))
            .unwrap();
        let walled = pool_experiment(&scenario, Protection { timeout: None, bulkhead: Some(partition) }, seed).unwrap();
        let bare = pool_experiment(&scenario, Protection::default(), seed).unwrap();
        prop_assert!(walled.most_dependency_threads <= partition);
        prop_assert!(walled.others_success_after >= bare.others_success_after);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Round robin sends exactly one request in n to each server, whatever their loads;
    /// weighted round robin sends each server its weight per cycle.
    #[test]
    fn round_robins_share_by_count_and_weight(
        weights in proptest::collection::vec(1usize..8, 1..8),
        cycles in 1usize..5,
        loads in proptest::collection::vec(0usize..50, 8),
    ) {
        use lessons::resilience::{Balancer, Policy};
        let servers = weights.len();
        let mut rng = Rng::new(1);
        let mut plain = Balancer::new(Policy::RoundRobin, servers).unwrap();
        let mut weighted = Balancer::new(Policy::WeightedRoundRobin(weights.clone()), servers).unwrap();
        let mut plain_counts = vec![0; servers];
        let mut weighted_counts = vec![0; servers];
        for _ in 0..cycles * servers {
            plain_counts[plain.pick(&loads[..servers], &mut rng)] += 1;
        }
        for _ in 0..cycles * weights.iter().sum::<usize>() {
            weighted_counts[weighted.pick(&loads[..servers], &mut rng)] += 1;
        }
        prop_assert!(plain_counts.iter().all(|&count| count == cycles));
        let expected: Vec<usize> = weights.iter().map(|w| w * cycles).collect();
        prop_assert_eq!(weighted_counts, expected);
    }

    /// Least connections never picks a server with more requests in flight than another.
    #[test]
    fn least_connections_picks_a_least_loaded_server(
        loads in proptest::collection::vec(0usize..20, 1..30),
        seed in any::<u64>(),
    ) {
        use lessons::resilience::{Balancer, Policy};
        let mut balancer = Balancer::new(Policy::LeastConnections, loads.len()).unwrap();
        let pick = balancer.pick(&loads, &mut Rng::new(seed));
        prop_assert_eq!(loads[pick], *loads.iter().min().unwrap());
    }
}

/// n balls into n bins: the fullest bin with two choices is far below one choice, for every n.
#[test]
fn two_choices_keep_the_fullest_bin_far_lower() {
    let rows = lessons::resilience::balls_into_bins(&[1_000, 10_000, 100_000], 10, 5).unwrap();
    for pair in rows.chunks(2) {
        assert!(
            pair[1].mean_max_load < 0.65 * pair[0].mean_max_load,
            "{pair:?}"
        );
    }
}
