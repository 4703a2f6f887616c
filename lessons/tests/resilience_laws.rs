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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Every bounded admission policy keeps the line within its bound.
    #[test]
    fn no_bounded_policy_lets_the_line_pass_its_bound(
        seed in any::<u64>(),
        load in 0.5f64..3.0,
        high_share in 0.0f64..=1.0,
        room in 0usize..30,
    ) {
        use lessons::resilience::{Admission, OverloadScenario, admission_experiment};
        let scenario = OverloadScenario::new(load, high_share, ms(10), ms(200), secs(10)).unwrap();
        let policies = [Admission::Reject(room), Admission::Block(room), Admission::ShedLowPriority(room)];
        for run in admission_experiment(&scenario, &policies, seed).unwrap() {
            prop_assert!(run.longest_line <= room, "{}: {}", run.policy, run.longest_line);
            prop_assert!(run.seconds.iter().all(|s| s.longest_line <= room));
        }
    }

    /// With priority shedding, high-priority requests are answered on time as if the
    /// low-priority flood were not there, as long as their own load stays below capacity.
    ///
    /// The tolerance comes from the tail of the high-priority class alone. High requests are
    /// served first and may push low ones out of a full line, so the flood reaches them only
    /// through the one low request that may be in service when a high one arrives (an extra
    /// exponential service time). At high load h <= 0.6 and a line of 50, a high request is
    /// turned away with probability about h^50 < 1e-11, and it waits longer than a 1 s deadline
    /// (100 mean service times) with probability about e^-((1 - h) 100) < 1e-17, twice that with
    /// the extra service time. A run holds at most ~4,000 high requests, so the expected number
    /// of failures per run, flood or not, is below 1e-7: any failure at all, in either run, is
    /// a real difference, and the law allows none beyond one request in a thousand.
    #[test]
    fn shedding_low_priority_leaves_high_priority_untouched(
        seed in any::<u64>(),
        high_load in 0.1f64..0.6,
        low_load in 0.5f64..3.0,
    ) {
        use lessons::resilience::{Admission, OverloadScenario, admission_experiment};
        let policy = [Admission::ShedLowPriority(50)];
        let total = high_load + low_load;
        let flood = OverloadScenario::new(total, high_load / total, ms(10), secs(1), secs(60)).unwrap();
        let alone = OverloadScenario::new(high_load, 1.0, ms(10), secs(1), secs(60)).unwrap();
        let with_flood = admission_experiment(&flood, &policy, seed).unwrap()[0].high_success;
        let without = admission_experiment(&alone, &policy, seed).unwrap()[0].high_success;
        prop_assert!(without >= 0.999, "alone: {without}");
        prop_assert!(with_flood >= without - 0.001, "{with_flood} with the flood, {without} alone");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// IP hash sends every request of one address to one server, whatever the time and the
    /// servers' loads.
    #[test]
    fn ip_hash_keeps_each_address_on_one_server(
        servers in 1usize..50,
        addresses in proptest::collection::vec(any::<u64>(), 1..20),
        seed in any::<u64>(),
    ) {
        use lessons::resilience::{Balancer, Policy};
        let mut balancer = Balancer::new(Policy::IpHash, servers).unwrap();
        let mut rng = Rng::new(seed);
        let first: Vec<usize> = addresses
            .iter()
            .map(|&address| balancer.pick_for(Time::ZERO, address, &vec![0; servers], &mut rng))
            .collect();
        for round in 1..20i64 {
            let loads: Vec<usize> = (0..servers).map(|_| rng.below(50) as usize).collect();
            for (&address, &server) in addresses.iter().zip(&first) {
                prop_assert_eq!(balancer.pick_for(secs(round), address, &loads, &mut rng), server);
            }
        }
    }

    /// Slow start never picks the cold server at time zero and picks it like any other once
    /// the window has passed: after the window every server is possible.
    #[test]
    fn slow_start_keeps_the_cold_server_out_at_first(servers in 2usize..20, seed in any::<u64>()) {
        use lessons::resilience::{Balancer, Policy};
        let mut balancer = Balancer::new(Policy::SlowStart(secs(30)), servers).unwrap();
        let mut rng = Rng::new(seed);
        let loads = vec![0; servers];
        for _ in 0..200 {
            prop_assert_ne!(balancer.pick_for(Time::ZERO, 0, &loads, &mut rng), 0);
            prop_assert!(balancer.pick_for(secs(60), 0, &loads, &mut rng) < servers);
        }
    }

    /// The error budget spent is the sum of error rate x duration over the incidents (when
    /// they do not overlap and fit in the window), and the budget left never grows.
    #[test]
    fn the_budget_spent_is_error_rate_times_duration(
        incidents in proptest::collection::vec((0i64..29, 1i64..600, 0.0f64..=1.0), 0..6),
        slo in 0.9f64..0.9999,
    ) {
        use lessons::resilience::{Incident, error_budget};
        // One incident per day at most, each shorter than ten hours: no overlaps.
        let mut days: Vec<(i64, i64, f64)> = incidents;
        days.sort_by_key(|d| d.0);
        days.dedup_by_key(|d| d.0);
        let incidents: Vec<Incident> = days
            .iter()
            .map(|&(day, minutes, rate)| Incident::new(secs(day * 86_400 + 3_600), secs(minutes * 60), rate).unwrap())
            .collect();
        let run = error_budget(slo, 30, &incidents).unwrap();
        let expected: f64 = days.iter().map(|&(_, minutes, rate)| minutes as f64 * rate).sum();
        prop_assert!((run.spent_minutes - expected).abs() < 1e-6, "{} vs {expected}", run.spent_minutes);
        let budget = (1.0 - slo) * 30.0 * 24.0 * 60.0;
        prop_assert!((run.hours[719].budget_left - (1.0 - expected / budget)).abs() < 1e-6);
        prop_assert!(run.hours.windows(2).all(|w| w[1].budget_left <= w[0].budget_left));
    }
}

/// A 99.9% SLO over 30 days allows 43.2 minutes of total failure; a full outage burns it 1,000
/// times too fast, and one hour at the workbook's fast-page rate of 14.4 spends 14.4 / 720 = 2%.
#[test]
fn burn_rate_arithmetic_for_a_thirty_day_window() {
    use lessons::resilience::{Incident, error_budget};
    let outage = Incident::new(secs(86_400), secs(3_600), 1.0).unwrap();
    let run = error_budget(0.999, 30, &[outage]).unwrap();
    assert_eq!(format!("{:.1}", run.budget_minutes), "43.2");
    assert!((run.hours[24].burn_rate_1h - 1000.0).abs() < 1e-6);
    let fast_page = Incident::new(secs(86_400), secs(3_600), 0.0144).unwrap();
    let run = error_budget(0.999, 30, &[fast_page]).unwrap();
    assert!((run.hours[719].budget_left - 0.98).abs() < 1e-9);
}

/// With a timeout, a breaker turns the slow dependency's timeouts into fast refusals: the
/// requests that do not use it are served again. The notebook's scenario, pinned.
#[test]
fn a_breaker_behind_a_timeout_gives_the_pool_back() {
    use lessons::resilience::{
        CircuitBreaker, PoolScenario, Protection, guarded_pool_experiment, pool_experiment,
    };
    let scenario = PoolScenario::new(200, 400.0, 0.5, secs(40))
        .unwrap()
        .dependency(
            Latency::exponential(ms(10)),
            Latency::constant(secs(8)),
            secs(10),
        )
        .unwrap();
    let timeout = Protection {
        timeout: Some(secs(2)),
        bulkhead: None,
    };
    let breaker = CircuitBreaker::new(20, 10, secs(5), 1).unwrap();
    let plain = pool_experiment(&scenario, timeout, 10).unwrap();
    let guarded = guarded_pool_experiment(&scenario, timeout, breaker, 10).unwrap();
    assert!(plain.others_success_after < 0.5);
    assert!(guarded.others_success_after > 0.95);
}

/// The pool of section 5 with `threads` threads, `rate` requests per second, a share `share`
/// calling a dependency that answers in 10 ms on average until `slow_from` and in exactly
/// `slow` after, for 20 s.
fn slowing_pool(
    threads: usize,
    rate: f64,
    share: f64,
    slow: Time,
    slow_from: Time,
) -> lessons::resilience::PoolScenario {
    lessons::resilience::PoolScenario::new(threads, rate, share, secs(20))
        .unwrap()
        .dependency(
            Latency::exponential(ms(10)),
            Latency::constant(slow),
            slow_from,
        )
        .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// With a timeout T on dependency calls, no second's p99 response time exceeds T, with or
    /// without a bulkhead: a dependency call ends by T, a rejection at once. Only local work
    /// (exponential, 10 ms on average) can last longer, with probability e^(-T / 10 ms) <=
    /// e^-25 = 1.4e-11 per request for T >= 250 ms (and it would also have to be among the
    /// slowest 1% of its second): under 4e-6 for a run of this law, 32 cases of at most 8,000
    /// requests.
    #[test]
    fn a_timeout_caps_the_p99_of_every_second(
        seed in any::<u64>(),
        threads in 10usize..200,
        rate in 50.0f64..400.0,
        share in 0.1f64..0.9,
        timeout_ms in 250i64..3_000,
        slow_ms in 100i64..10_000,
        bulkhead in prop::option::of(1usize..10),
    ) {
        use lessons::resilience::{Protection, pool_experiment};
        let scenario = slowing_pool(threads, rate, share, ms(slow_ms), secs(5));
        let timeout = Protection { timeout: Some(ms(timeout_ms)), bulkhead };
        let run = pool_experiment(&scenario, timeout, seed).unwrap();
        let cap = timeout_ms as f64;
        for second in &run.seconds {
            prop_assert!(second.p99_ms <= cap, "second {}: p99 {} ms", second.second, second.p99_ms);
        }
        prop_assert!(run.p99_after_ms <= cap);
    }

    /// With no protection, the p99 of the slowdown's first second is exactly the dependency's
    /// slow latency S, and no second's p99 is above it. In that second the dependency's calls
    /// (at least 0.4 x rate of them on average) take free threads until the pool is full, and
    /// before it at most about rate x 10 ms <= 4 of the >= 40 threads are busy; the p99 is S as
    /// soon as more than 1% of the second's requests take S (any one of them when the second
    /// holds at most 100). Failing that needs a Poisson count of mean >= 20 to fall to 1% of
    /// the rate or below: e^-20 = 2e-9 at 50 requests a second, under 1e-7 for 32 cases.
    #[test]
    fn without_protection_the_p99_reaches_the_slow_latency(
        seed in any::<u64>(),
        threads in 40usize..200,
        rate in 50.0f64..400.0,
        share in 0.4f64..0.9,
        slow_ms in 1_000i64..10_000,
        slow_from in 2i64..8,
    ) {
        use lessons::resilience::{Protection, pool_experiment};
        let scenario = slowing_pool(threads, rate, share, ms(slow_ms), secs(slow_from));
        let run = pool_experiment(&scenario, Protection::default(), seed).unwrap();
        let slow = slow_ms as f64;
        prop_assert_eq!(run.seconds[slow_from as usize].p99_ms, slow);
        prop_assert!(run.seconds.iter().all(|second| second.p99_ms <= slow));
    }
}
