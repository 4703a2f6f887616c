//! The laws of the rate-limiting lesson, for all inputs (proptest, regressions persisted beside
//! this file), and the exact values the lesson quotes.

use lessons::rate_limit::{
    Decision, FixedWindow, LeakyBucket, Limiter, Offer, Rate, SlidingWindowCounter,
    SlidingWindowLog, TokenBucket, boundary_trace, max_in_any_window, replay,
};
use lessons::sim::{Time, ms, ns, secs};
use proptest::prelude::*;

/// Sorted arrival times built from gaps of 0 to `max_gap` nanoseconds.
fn arrivals(max_gap: i64, count: usize) -> impl Strategy<Value = Vec<Time>> {
    prop::collection::vec(0..=max_gap, 1..count).prop_map(|gaps| {
        gaps.iter()
            .scan(Time::ZERO, |now, &gap| {
                *now += ns(gap);
                Some(*now)
            })
            .collect()
    })
}

/// A rate of 1 to 20 tokens per 1 ms to 2 s.
fn rates() -> impl Strategy<Value = Rate> {
    (1u64..=20, 1i64..=2_000).prop_map(|(tokens, per_ms)| Rate::new(tokens, ms(per_ms)).unwrap())
}

proptest! {
    #[test]
    fn token_bucket_admits_at_most_b_plus_rt_in_every_interval(
        capacity in 1u64..=20,
        rate in rates(),
        arrivals in arrivals(300_000_000, 300),
    ) {
        let admitted = replay(&mut TokenBucket::new(capacity, rate).unwrap(), &arrivals);
        let per = rate.per().as_nanos() as i128;
        for (i, &first) in admitted.iter().enumerate() {
            for (j, &last) in admitted.iter().enumerate().skip(i) {
                // (j - i + 1) admitted in [first, last]: at most B + R * (last - first), in
                // integers: count * per <= B * per + tokens * span.
                let count = (j - i + 1) as i128;
                let span = (last - first).as_nanos() as i128;
                prop_assert!(
                    count * per <= capacity as i128 * per + rate.tokens() as i128 * span,
                    "{count} admitted in {}..={} with B = {capacity}, R = {rate}", first, last
                );
            }
        }
    }

    #[test]
    fn tokens_stay_between_zero_and_capacity(
        capacity in 1u64..=20,
        rate in rates(),
        steps in prop::collection::vec((0i64..500_000_000, 1u64..=20), 1..200),
    ) {
        let mut bucket = TokenBucket::new(capacity, rate).unwrap();
        let mut now = Time::ZERO;
        for (gap, cost) in steps {
            now += ns(gap);
            let _ = bucket.try_acquire_n(now, cost.min(capacity)).unwrap();
            let (held, per_token) = bucket.tokens().as_fraction();
            prop_assert!(held <= capacity as u128 * per_token, "{held}/{per_token} > {capacity}");
        }
    }

    #[test]
    fn splitting_time_into_more_refill_steps_changes_nothing(
        capacity in 1u64..=20,
        rate in rates(),
        arrivals in arrivals(200_000_000, 100),
        extra_refills in prop::collection::vec(0i64..=i64::MAX, 0..100),
    ) {
        let end = *arrivals.last().unwrap();
        let mut refills: Vec<Time> = extra_refills
            .iter()
            .map(|&x| ns(x % (end.as_nanos() + 1)))
            .collect();
        refills.sort();
        let mut plain = TokenBucket::new(capacity, rate).unwrap();
        let mut sliced = plain.clone();
        let mut pending = refills.iter().peekable();
        for &arrival in &arrivals {
            while let Some(&&refill) = pending.peek().filter(|&&&refill| refill <= arrival) {
                sliced.refill(refill);
                pending.next();
            }
            prop_assert_eq!(plain.try_acquire(arrival), sliced.try_acquire(arrival));
            prop_assert_eq!(&plain, &sliced);
        }
    }

    #[test]
    fn a_request_is_admitted_iff_the_tokens_cover_its_cost(
        capacity in 1u64..=20,
        rate in rates(),
        steps in prop::collection::vec((0i64..300_000_000, 1u64..=20), 1..200),
    ) {
        let mut bucket = TokenBucket::new(capacity, rate).unwrap();
        let mut now = Time::ZERO;
        for (gap, cost) in steps {
            now += ns(gap);
            let cost = cost.min(capacity);
            bucket.refill(now);
            let (held, per_token) = bucket.tokens().as_fraction();
            let covered = held >= cost as u128 * per_token;
            prop_assert_eq!(bucket.try_acquire_n(now, cost).unwrap().is_admitted(), covered);
        }
    }

    #[test]
    fn a_rejected_request_passes_exactly_after_its_retry_time(
        capacity in 1u64..=5,
        rate in rates(),
        arrivals in arrivals(50_000_000, 50),
    ) {
        let mut bucket = TokenBucket::new(capacity, rate).unwrap();
        for arrival in arrivals {
            if let Decision::Rejected { retry_after } = bucket.try_acquire(arrival) {
                let mut early = bucket.clone();
                prop_assert!(retry_after > Time::ZERO);
                prop_assert!(!early.try_acquire(arrival + retry_after - ns(1)).is_admitted());
                let mut on_time = bucket.clone();
                prop_assert!(on_time.try_acquire(arrival + retry_after).is_admitted());
            }
        }
    }

    #[test]
    fn cost_weighted_admitted_cost_is_at_most_b_plus_rt_in_every_interval(
        capacity in 1u64..=60,
        rate in rates(),
        requests in prop::collection::vec((0i64..100_000_000, prop::sample::select(vec![1u64, 5, 50])), 1..200),
    ) {
        let mut bucket = TokenBucket::new(capacity, rate).unwrap();
        let mut now = Time::ZERO;
        let mut admitted = Vec::new();
        for (gap, cost) in requests {
            now += ns(gap);
            if cost <= capacity && bucket.try_acquire_n(now, cost).unwrap().is_admitted() {
                admitted.push((now, cost as i128));
            }
        }
        let per = rate.per().as_nanos() as i128;
        for i in 0..admitted.len() {
            let mut cost = 0;
            for &(last, weight) in &admitted[i..] {
                cost += weight;
                let span = (last - admitted[i].0).as_nanos() as i128;
                prop_assert!(cost * per <= capacity as i128 * per + rate.tokens() as i128 * span);
            }
        }
    }

    #[test]
    fn leaky_bucket_departures_are_fifo_spaced_and_the_queue_stays_bounded(
        queue in 1usize..=20,
        rate in rates(),
        arrivals in arrivals(100_000_000, 300),
    ) {
        let mut bucket = LeakyBucket::new(queue, rate).unwrap();
        let interval = bucket.interval();
        let mut departures = Vec::new();
        for &arrival in &arrivals {
            if let Offer::Queued { departs_at } = bucket.offer(arrival) {
                prop_assert!(departs_at >= arrival);
                departures.push(departs_at);
            }
            prop_assert!(bucket.waiting(arrival) <= queue);
        }
        for pair in departures.windows(2) {
            prop_assert!(pair[1] - pair[0] >= interval, "{:?} closer than {interval}", pair);
        }
    }

    #[test]
    fn fixed_window_admits_at_most_the_limit_per_aligned_window_and_twice_it_in_any_window(
        limit in 1u64..=20,
        window_ms in 1i64..=1_000,
        arrivals in arrivals(20_000_000, 300),
    ) {
        let window = ms(window_ms);
        let admitted = replay(&mut FixedWindow::new(limit, window).unwrap(), &arrivals);
        let mut per_window = std::collections::BTreeMap::new();
        for time in &admitted {
            *per_window.entry(time.as_nanos().div_euclid(window.as_nanos())).or_insert(0u64) += 1;
        }
        prop_assert!(per_window.values().all(|&count| count <= limit));
        prop_assert!(max_in_any_window(&admitted, window) as u64 <= 2 * limit);
    }

    #[test]
    fn sliding_log_admits_at_most_the_limit_in_every_window_and_stores_at_most_the_limit(
        limit in 1u64..=20,
        window_ms in 1i64..=1_000,
        arrivals in arrivals(20_000_000, 300),
    ) {
        let window = ms(window_ms);
        let mut log = SlidingWindowLog::new(limit, window).unwrap();
        let mut admitted = Vec::new();
        for &arrival in &arrivals {
            if log.admit(arrival) {
                admitted.push(arrival);
            }
            prop_assert!(log.stored() as u64 <= limit);
        }
        prop_assert!(max_in_any_window(&admitted, window) as u64 <= limit);
    }

    #[test]
    fn sliding_counter_admits_iff_its_interpolated_estimate_stays_within_the_limit(
        limit in 1u64..=20,
        window_ms in 1i64..=1_000,
        arrivals in arrivals(20_000_000, 300),
    ) {
        let window = ms(window_ms);
        let mut counter = SlidingWindowCounter::new(limit, window).unwrap();
        let mut admitted: Vec<Time> = Vec::new();
        for &arrival in &arrivals {
            let index = arrival.as_nanos().div_euclid(window.as_nanos());
            let count = |k: i64| {
                admitted.iter().filter(|t| t.as_nanos().div_euclid(window.as_nanos()) == k).count()
            };
            let elapsed = arrival.as_nanos() - index * window.as_nanos();
            let estimate = count(index - 1) as f64 * (1.0 - elapsed as f64 / window.as_nanos() as f64)
                + count(index) as f64;
            let expected = counter.estimate(arrival);
            prop_assert!((estimate - expected).abs() < 1e-9, "{estimate} vs {expected}");
            let admit = counter.admit(arrival);
            // The counter decides in integers; only a tie within float error could differ.
            if (estimate + 1.0 - limit as f64).abs() > 1e-9 {
                prop_assert_eq!(admit, estimate + 1.0 <= limit as f64);
            }
            if admit {
                admitted.push(arrival);
            }
        }
    }
}

#[test]
fn hundred_ms_at_five_tokens_per_second_is_exactly_half_a_token() {
    let mut bucket = TokenBucket::new(5, Rate::per_second(5).unwrap())
        .unwrap()
        .starting_empty_at(ms(0));
    bucket.refill(ms(100));
    assert_eq!(bucket.tokens().as_fraction(), (1, 2));
    bucket.refill(ms(200));
    assert_eq!(bucket.tokens().as_fraction(), (1, 1));
}

#[test]
fn one_refill_over_a_second_equals_ten_refills_of_a_hundred_ms() {
    let empty = TokenBucket::new(10, Rate::per_second(5).unwrap())
        .unwrap()
        .starting_empty_at(ms(0));
    let mut once = empty.clone();
    once.refill(secs(1));
    let mut tenfold = empty;
    for step in 1..=10 {
        tenfold.refill(ms(100) * step);
    }
    assert_eq!(once, tenfold);
    assert_eq!(once.tokens().as_fraction(), (5, 1));
}

#[test]
fn a_third_of_a_token_per_second_is_not_rounded() {
    let mut bucket = TokenBucket::new(1, Rate::new(1, secs(3)).unwrap())
        .unwrap()
        .starting_empty_at(ms(0));
    bucket.refill(secs(1));
    assert_eq!(bucket.tokens().as_fraction(), (1, 3));
}

#[test]
fn time_going_backwards_adds_no_tokens() {
    let mut bucket = TokenBucket::new(2, Rate::per_second(1).unwrap()).unwrap();
    assert!(bucket.try_acquire(secs(10)).is_admitted());
    assert!(bucket.try_acquire(secs(10)).is_admitted());
    assert!(!bucket.try_acquire(secs(5)).is_admitted());
    assert!(bucket.try_acquire(secs(11)).is_admitted());
}

#[test]
fn the_fixed_window_boundary_trace_admits_twice_the_limit_within_two_seconds() {
    let arrivals = boundary_trace(100, secs(60), secs(2), ms(0)).unwrap();
    let admitted = replay(&mut FixedWindow::new(100, secs(60)).unwrap(), &arrivals);
    assert_eq!(admitted.len(), 200);
    assert!(*admitted.last().unwrap() - admitted[0] < secs(2));
    assert_eq!(max_in_any_window(&admitted, secs(60)), 200);
}

#[test]
fn the_sliding_counter_estimate_is_previous_times_the_rest_plus_current() {
    let mut counter = SlidingWindowCounter::new(100, secs(60)).unwrap();
    for _ in 0..80 {
        assert!(counter.admit(secs(30)));
    }
    for _ in 0..10 {
        assert!(counter.admit(secs(75)));
    }
    // 15 s into the second window: 80 * 45/60 + 10 = 70.
    assert_eq!(counter.estimate(secs(75)), 70.0);
}

#[test]
fn bad_parameters_are_errors_that_say_what_is_allowed() {
    let rate = Rate::per_second(1).unwrap();
    let messages = [
        Rate::new(1, Time::ZERO).unwrap_err().to_string(),
        TokenBucket::new(0, rate).unwrap_err().to_string(),
        TokenBucket::new(2, rate)
            .unwrap()
            .try_acquire_n(ms(0), 3)
            .unwrap_err()
            .to_string(),
        LeakyBucket::new(0, rate).unwrap_err().to_string(),
        FixedWindow::new(0, secs(1)).unwrap_err().to_string(),
    ];
    assert_eq!(
        messages,
        [
            "rate period = 0ns is not allowed: the period must be longer than 0 ns",
            "capacity = 0 is not allowed: a bucket holds at least 1 token",
            "cost = 3 is not allowed: a request costs at least 1 token and at most the bucket's capacity",
            "queue capacity = 0 is not allowed: the queue holds at least 1 request",
            "limit = 0 is not allowed: a window admits at least 1 request",
        ]
    );
}
