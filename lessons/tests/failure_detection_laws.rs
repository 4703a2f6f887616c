//! The laws of the failure-detection lesson, for all inputs (proptest, regressions persisted
//! beside this file), and the exact values the lesson quotes.

use lessons::failure_detection::*;
use lessons::sim::{Latency, Rng, Time, ms, secs};
use proptest::prelude::*;

// 9.1 Timeouts

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Whatever τ, a live node whose median answer takes τ is suspected about half the time,
    /// and one that pauses for τ now and then is suspected at least at those pauses.
    #[test]
    fn every_finite_timeout_has_delays_that_fool_it(tau_ms in 1i64..3_600_000, seed: u64) {
        let tau = ms(tau_ms);
        let median_tau = Latency::log_normal(tau, 0.5);
        let rows = timeout_experiment(&median_tau, &[tau], ms(100), 2_000, seed).unwrap();
        prop_assert!((0.4..0.6).contains(&rows[0].false_suspicion_rate));
        let pauses = Latency::constant(ms(1)).with_spikes(0.05, tau);
        let rows = timeout_experiment(&pauses, &[tau], ms(100), 2_000, seed).unwrap();
        prop_assert!(rows[0].false_suspicion_rate > 0.0);
    }

    /// A crash is never noticed sooner than τ after it, nor later than τ plus a probe period.
    #[test]
    fn detection_never_beats_the_timeout(tau_ms in 1i64..10_000, every_ms in 1i64..10_000, seed: u64) {
        let rows = timeout_experiment(&Latency::constant(ms(1)), &[ms(tau_ms)], ms(every_ms), 500, seed).unwrap();
        prop_assert!(rows[0].fastest_detection_ms >= tau_ms as f64);
        prop_assert!(rows[0].detection_ms <= (tau_ms + every_ms) as f64);
    }
}

// 9.2 Fixed heartbeats

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Death is declared exactly K·T after the last beat heard, not a nanosecond sooner.
    #[test]
    fn death_is_declared_exactly_k_periods_after_the_last_beat(
        period_ms in 1i64..60_000,
        misses in 1u32..10,
        beats in prop::collection::vec(0i64..1_000_000, 1..20),
    ) {
        let mut detector = HeartbeatDetector::new(ms(period_ms), misses).unwrap();
        let mut sorted = beats.clone();
        sorted.sort();
        for &beat in &sorted {
            detector.heartbeat(ms(beat));
        }
        let deadline = ms(sorted[sorted.len() - 1]) + ms(period_ms) * i64::from(misses);
        prop_assert_eq!(detector.deadline(), Some(deadline));
        prop_assert!(!detector.suspects(deadline - Time::from_nanos(1)));
        prop_assert!(detector.suspects(deadline));
    }

    /// With no loss and no delay, a crash at any moment is detected within ((K-1)T, KT].
    #[test]
    fn a_crash_is_detected_within_k_minus_one_to_k_periods(
        period_ms in 1i64..10_000,
        misses in 1u32..10,
        crash_ns in 0i64..1_000_000_000_000,
    ) {
        let period = ms(period_ms);
        let crash = Time::from_nanos(crash_ns);
        let mut detector = HeartbeatDetector::new(period, misses).unwrap();
        // The beats at 0, T, 2T, ... up to the crash (one due at the crash instant still goes).
        detector.heartbeat(period * (crash.as_nanos() / period.as_nanos()));
        let delay = detector.deadline().unwrap() - crash;
        let k = i64::from(misses);
        prop_assert!(period * (k - 1) < delay && delay <= period * k, "delay {delay}");
    }
}

/// With independent loss p and no delay, a check made right after a beat was due finds the
/// live sender suspected with probability p^K.
#[test]
fn a_false_suspicion_at_a_check_has_probability_p_to_the_k() {
    let period = secs(1);
    for (index, (loss, misses)) in [(0.1, 1), (0.3, 2), (0.5, 3), (0.2, 3)]
        .into_iter()
        .enumerate()
    {
        let mut rng = Rng::new(index as u64);
        let mut detector = HeartbeatDetector::new(period, misses).unwrap();
        detector.heartbeat(Time::ZERO);
        let checks = 200_000;
        let mut suspected = 0;
        for beat in 1..=checks {
            let due = period * beat;
            if !rng.chance(loss) {
                detector.heartbeat(due);
            }
            suspected += usize::from(detector.suspects(due));
        }
        let expected = false_suspicion_per_check(loss, misses).unwrap();
        let sigma = (expected * (1.0 - expected) / checks as f64).sqrt();
        let measured = suspected as f64 / checks as f64;
        assert!(
            (measured - expected).abs() < 5.0 * sigma,
            "p = {loss}, K = {misses}: {measured} vs {expected}"
        );
    }
}

// 9.3 Adaptive timeouts and phi

fn intervals() -> impl Strategy<Value = Vec<i64>> {
    prop::collection::vec(1i64..5_000, 1..60)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Phi, in both models, never falls while the silence grows.
    #[test]
    fn phi_never_falls_while_the_silence_grows(
        gaps in intervals(),
        silences in prop::collection::vec(0i64..100_000, 2..20),
        floor_ms in 1i64..500,
    ) {
        for model in [PhiModel::Exponential, PhiModel::Normal { min_stddev: ms(floor_ms) }] {
            let mut detector = PhiAccrual::new(model, 20).unwrap();
            let mut now = Time::ZERO;
            detector.heartbeat(now);
            for &gap in &gaps {
                now += ms(gap);
                detector.heartbeat(now);
            }
            let mut sorted = silences.clone();
            sorted.sort();
            let phis: Vec<f64> = sorted.iter().map(|&s| detector.phi(now + ms(s))).collect();
            prop_assert!(phis.windows(2).all(|pair| pair[0] <= pair[1]), "{model:?}: {phis:?}");
        }
    }

    /// With the exponential model phi = 8 comes after 8·ln 10 ≈ 18.42 mean intervals of
    /// silence, whatever the mean; and every detector's deadline is where its phi first
    /// reaches the threshold.
    #[test]
    fn exponential_phi_reaches_8_after_18_42_mean_intervals(gaps in intervals(), floor_ms in 1i64..500) {
        let mut detector = PhiAccrual::new(PhiModel::Exponential, 100).unwrap();
        let mut normal = PhiAccrual::new(PhiModel::Normal { min_stddev: ms(floor_ms) }, 100).unwrap();
        let mut now = Time::ZERO;
        detector.heartbeat(now);
        normal.heartbeat(now);
        for &gap in &gaps {
            now += ms(gap);
            detector.heartbeat(now);
            normal.heartbeat(now);
        }
        let mean = detector.mean_interval().unwrap().as_secs_f64();
        let silence = detector.silence_to_reach(8.0).unwrap().as_secs_f64();
        prop_assert!((silence / mean - 8.0 * std::f64::consts::LN_10).abs() < 1e-6);
        prop_assert!((8.0 * std::f64::consts::LN_10 - 18.42).abs() < 0.001);
        let reach = normal.silence_to_reach(8.0).unwrap();
        prop_assert!(normal.phi(now + reach) >= 8.0);
        prop_assert!(normal.phi(now + reach - Time::from_nanos(2)) < 8.0);
    }

    /// After a shift from intervals `a` to `b`, the phi window holds only the new regime once
    /// `window` new intervals have come (its mean is exactly `b`), and the adaptive estimate
    /// is within (7/8)^n of the gap after n samples.
    #[test]
    fn after_a_shift_the_estimates_converge_to_the_new_mean(
        old_ms in 1i64..5_000,
        new_ms in 1i64..5_000,
        window in 1usize..50,
    ) {
        let mut phi = PhiAccrual::new(PhiModel::Exponential, window).unwrap();
        let mut adaptive = AdaptiveTimeout::new(4.0).unwrap();
        let mut now = Time::ZERO;
        phi.heartbeat(now);
        for _ in 0..window {
            now += ms(old_ms);
            phi.heartbeat(now);
            adaptive.observe(ms(old_ms));
        }
        let start = adaptive.smoothed_interval().unwrap();
        for n in 1..=window {
            now += ms(new_ms);
            phi.heartbeat(now);
            adaptive.observe(ms(new_ms));
            let left = (adaptive.smoothed_interval().unwrap() - ms(new_ms)).as_nanos().abs() as f64;
            let bound = (7.0f64 / 8.0).powi(n as i32) * (start - ms(new_ms)).as_nanos().abs() as f64;
            prop_assert!(left <= bound + 2.0, "after {n}: {left} > {bound}");
        }
        let mean = phi.mean_interval().unwrap();
        prop_assert!((mean - ms(new_ms)).as_nanos().abs() <= 1);
    }
}

// 9.4 Gossip

fn exchanges() -> impl Strategy<Value = Exchange> {
    prop::sample::select(vec![Exchange::Push, Exchange::Pull, Exchange::PushPull])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// The informed set never shrinks from one round to the next.
    #[test]
    fn the_informed_set_never_shrinks(nodes in 2usize..300, exchange in exchanges(), fanout in 1usize..3, loss in 0.0f64..0.9, seed: u64) {
        let fanout = fanout.min(nodes - 1);
        let run = spread(nodes, exchange, fanout, loss, seed, 60).unwrap();
        prop_assert!(run.informed_by_round.windows(2).all(|pair| pair[0] <= pair[1]));
    }

    /// Without loss, every run ends with everyone informed.
    #[test]
    fn without_loss_everyone_is_eventually_informed(nodes in 2usize..500, exchange in exchanges(), seed: u64) {
        let run = spread(nodes, exchange, 1, 0.0, seed, 10_000).unwrap();
        prop_assert!(run.rounds.is_some());
        prop_assert_eq!(*run.informed_by_round.last().unwrap(), nodes);
    }

    /// On the same random contacts, push-pull has informed at least as many nodes as push
    /// after every round, so it never needs more rounds.
    #[test]
    fn push_pull_needs_no_more_rounds_than_push_on_the_same_choices(nodes in 2usize..500, fanout in 1usize..3, loss in 0.0f64..0.5, seed: u64) {
        let fanout = fanout.min(nodes - 1);
        let push = spread(nodes, Exchange::Push, fanout, loss, seed, 500).unwrap();
        let both = spread(nodes, Exchange::PushPull, fanout, loss, seed, 500).unwrap();
        for (round, &informed) in both.informed_by_round.iter().enumerate() {
            let pushed = push.informed_by_round.get(round).copied().unwrap_or(nodes);
            prop_assert!(informed >= pushed, "round {round}: {informed} < {pushed}");
        }
        prop_assert!(both.rounds.unwrap_or(usize::MAX) <= push.rounds.unwrap_or(usize::MAX));
    }
}

// 9.5 SWIM

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// P(false failure) = P(direct probe fails) · (1 - q)^k, with q = (1 - l)^4 per helper;
    /// the simulation agrees within five standard errors (and three events).
    #[test]
    fn a_false_failure_needs_the_direct_probe_and_every_helper_to_fail(
        direct_loss in 0.0f64..=1.0,
        link_loss in 0.0f64..0.5,
        k in 0u32..5,
        seed: u64,
    ) {
        let q = (1.0 - link_loss).powi(4);
        let direct = 1.0 - (1.0 - direct_loss).powi(2);
        let expected = direct * (1.0 - q).powi(k as i32);
        let computed = false_failure_probability(direct_loss, link_loss, k).unwrap();
        prop_assert!((computed - expected).abs() < 1e-12);
        let probes = 20_000;
        let row = &indirect_probe_experiment(direct_loss, link_loss, &[k], probes, seed).unwrap()[0];
        let sigma = (expected * (1.0 - expected) / probes as f64).sqrt();
        // Plus three events: for rare failures (expected count near 0) the count is Poisson
        // and one event alone is many standard errors (found at 2,000 cases).
        let slack = 5.0 * sigma + 3.0 / probes as f64;
        prop_assert!((row.measured - expected).abs() <= slack, "{row:?}");
    }
}

// 9.6 Gray failures

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    /// A backend that answers its health checks is never ejected by them, however many real
    /// requests it fails.
    #[test]
    fn a_health_check_never_ejects_a_gray_backend(failure_rate in 0.0f64..=1.0, seed: u64) {
        let row = gray_failure_run(Ejection::HealthCheck, failure_rate, seed).unwrap();
        prop_assert_eq!(row.detected_after_s, None);
    }

    /// A backend whose success rate falls clearly below the median minus the margin is ejected
    /// within one window (10 s) and a second.
    #[test]
    fn outlier_ejection_catches_a_gray_backend_within_a_window(failure_rate in 0.2f64..=1.0, seed: u64) {
        let rule = Ejection::SuccessRate { window_s: 10, margin: 0.1 };
        let row = gray_failure_run(rule, failure_rate, seed).unwrap();
        let after = row.detected_after_s.unwrap_or(f64::INFINITY);
        prop_assert!(after <= 11.0, "{row:?}");
    }
}

// 9.7 Presence

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Writes per second are the sum over users of 1/interval, and nobody shows online after
    /// leaving for longer than the TTL.
    #[test]
    fn presence_writes_add_up_and_nobody_outlives_the_ttl(
        groups_spec in prop::collection::vec((1u64..1_000_000, 1i64..600), 1..5),
        ttl_beats in 1u32..5,
        seed: u64,
    ) {
        let groups: Vec<UserGroup> = groups_spec
            .iter()
            .enumerate()
            .map(|(index, &(users, interval))| UserGroup::new(&format!("g{index}"), users, secs(interval)).unwrap())
            .collect();
        let row = presence_policy("p", &groups, ttl_beats, 500, seed).unwrap();
        let sum: f64 = groups.iter().map(UserGroup::writes_per_second).sum();
        // The row reports one decimal place: half a unit of it, and a hair for the float
        // arithmetic (found at 965,900 users every 400 s: 2,414.75 is a tie).
        prop_assert!((row.writes_per_second - sum).abs() <= 0.05 + 1e-9);
        let longest = groups_spec.iter().map(|&(_, interval)| interval).max().unwrap();
        prop_assert!(row.worst_online_after_leaving_s <= (longest * i64::from(ttl_beats)) as f64);
    }
}

/// C13: the seed's presence arithmetic, recomputed.
#[test]
fn c13_presence_arithmetic() {
    assert_eq!(writes_per_second(5_000_000, secs(5)), 1_000_000.0);
    assert_eq!(writes_per_second(5_000_000, secs(30)) * 86_400.0, 14.4e9);
    assert_eq!(interval_for_daily_writes(5_000_000, 2e9), secs(216));
    assert_eq!(format!("{:.2}", monthly_cost(40, 0.065)), "1898.00");
    assert_eq!(format!("{:.1}", 1e6 / 26_000.0), "38.5");
}

// 9.8 Leases

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// A holder that stops `L·(1-ρ) - D` after the grant arrives never overlaps its successor,
    /// as long as its clock drifts by at most ρ, the grant took at most D and nothing pauses it.
    #[test]
    fn holders_never_overlap_when_the_assumptions_hold(
        lease_ms in 1i64..120_000,
        rho_ppm in 0i64..200_000,
        max_delay_ms in 0i64..5_000,
        drift_fraction in -1.0f64..=1.0,
        delay_fraction in 0.0f64..=1.0,
    ) {
        let budget = LeaseBudget::new(rho_ppm, ms(max_delay_ms)).unwrap();
        let drift = (rho_ppm as f64 * drift_fraction) as i64;
        let delay = Time::from_nanos_f64(ms(max_delay_ms).as_nanos() as f64 * delay_fraction);
        let run = lease_handover(ms(lease_ms), budget, delay, drift, Time::ZERO).unwrap();
        prop_assert_eq!(run.overlap_ms, 0.0, "{:?}", run);
    }

    /// Break an assumption and two holders act at once: a clock slower than budgeted, or a
    /// pause after the last check longer than the margin.
    #[test]
    fn breaking_an_assumption_makes_two_holders(
        lease_ms in 1_000i64..120_000,
        rho_ppm in 0i64..100_000,
        max_delay_ms in 0i64..500,
    ) {
        let lease = ms(lease_ms);
        let budget = LeaseBudget::new(rho_ppm, ms(max_delay_ms)).unwrap();
        let acts_for = budget.acts_for(lease).as_secs_f64();
        let room = (lease - ms(max_delay_ms)).as_secs_f64();
        prop_assume!(acts_for > 0.0);
        // A clock so slow that the holder's acting time stretches 1% past the room it has.
        let drift = ((acts_for / room * 0.99 - 1.0) * 1e6).floor() as i64;
        prop_assume!(drift >= -MAX_DRIFT_PPM);
        let slow = lease_handover(lease, budget, ms(max_delay_ms), drift, Time::ZERO).unwrap();
        prop_assert!(slow.overlap_ms > 0.0, "{slow:?}");
        let margin = lease - budget.acts_for(lease);
        let paused = lease_handover(lease, budget, ms(max_delay_ms), 0, margin + ms(1)).unwrap();
        prop_assert!(paused.overlap_ms > 0.0, "{paused:?}");
    }
}

// 9.9 Fencing

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// With the token check, the applied writes are ordered by token, and a write whose token
    /// is below one already applied is always refused.
    #[test]
    fn with_fencing_applied_writes_are_ordered_by_token(tokens in prop::collection::vec(0u64..20, 1..60)) {
        let mut storage = FencedStorage::new(Fencing::TokenCheck);
        let mut applied = Vec::new();
        for (index, &token) in tokens.iter().enumerate() {
            let newer_seen = storage.largest_token().is_some_and(|largest| largest > token);
            let accepted = storage.write(token, index);
            prop_assert_eq!(accepted, !newer_seen);
            if accepted {
                applied.push(token);
            }
        }
        prop_assert!(applied.windows(2).all(|pair| pair[0] <= pair[1]));
    }

    /// Random pauses: the token check never loses an update; without fencing, every pause
    /// that outlasts the lease far enough for B to have written loses one.
    #[test]
    fn pauses_lose_updates_only_without_a_token_check(pause_ms in 0i64..60_000) {
        let pause = ms(pause_ms);
        let fenced = pause_scenario(Fencing::TokenCheck, pause).unwrap();
        prop_assert_eq!(fenced.lost_updates, 0);
        let unfenced = pause_scenario(Fencing::Off, pause).unwrap();
        // A wakes at 4 s + pause; B's first write is applied at 10.105 s, A's takes 50 ms.
        let lands_after_b = 4_000 + pause_ms + 50 > 10_105;
        prop_assert_eq!(unfenced.lost_updates > 0, lands_after_b, "{:?}", unfenced);
    }
}

/// A token checked on arrival and written later is no fence: A's write, checked at 10.08 s
/// before B's first write was applied, lands on top of it.
#[test]
fn check_then_write_races() {
    let race = pause_scenario(Fencing::CheckThenWrite, ms(6_080)).unwrap();
    assert_eq!(race.lost_updates, 1);
    let fenced = pause_scenario(Fencing::TokenCheck, ms(6_080)).unwrap();
    assert_eq!(fenced.lost_updates, 0);
}

/// Two nodes without a tiebreaker both act as primary in a partition; a witness prevents it.
#[test]
fn a_witness_prevents_split_brain() {
    let split = failover_run(
        Failover::TwoNodes,
        Trouble::Partition,
        secs(60),
        secs(10),
        100.0,
    )
    .unwrap();
    assert_eq!(
        (split.primaries_at_once, split.divergent_writes),
        (2, 2_500)
    );
    let witnessed = failover_run(
        Failover::Witness,
        Trouble::Partition,
        secs(60),
        secs(10),
        100.0,
    )
    .unwrap();
    assert_eq!(
        (witnessed.primaries_at_once, witnessed.divergent_writes),
        (1, 0)
    );
}
