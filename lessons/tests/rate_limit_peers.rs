//! Our token bucket against two well-kept crates on the same traces: `governor` (GCRA) and
//! `ratelimit` (a lock-free token bucket), both driven by fake clocks.
//!
//! Where the semantics match they decide every request alike. Where they differ, a test below
//! pins the difference and says why:
//!
//! * governor keeps one theoretical arrival time and a period `T` in whole nanoseconds. With a
//!   period that is a whole number of nanoseconds it *is* our bucket (capacity `B`, one token per
//!   `T`). A rate like 3 per second has `T = 333_333_333.3 ns`; governor rounds it down, so it
//!   admits a third of a nanosecond early, where our exact bucket waits.
//! * ratelimit counts millionths of a token and truncates each refill to whole millionths,
//!   throwing the remainder away. With arrivals on a 1 µs grid and a period of one second no
//!   remainder arises and it agrees with us; polled off that grid it falls behind.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use governor::clock::FakeRelativeClock;
use governor::{Quota, RateLimiter};
use lessons::rate_limit::{Rate, TokenBucket};
use lessons::sim::{Time, ns, secs, us};
use proptest::prelude::*;

/// Our decisions for `arrivals` (sorted), one per request.
fn ours(capacity: u64, rate: Rate, arrivals: &[Time]) -> Vec<bool> {
    let mut bucket = TokenBucket::new(capacity, rate).unwrap();
    arrivals
        .iter()
        .map(|&arrival| bucket.try_acquire(arrival).is_admitted())
        .collect()
}

/// governor's decisions, with a burst of `capacity` and one cell per `period`.
fn governor(capacity: u32, period: Duration, arrivals: &[Time]) -> Vec<bool> {
    let clock = FakeRelativeClock::default();
    let quota = Quota::with_period(period)
        .unwrap()
        .allow_burst(NonZeroU32::new(capacity).unwrap());
    let limiter = RateLimiter::direct_with_clock(quota, clock.clone());
    let mut previous = Time::ZERO;
    arrivals
        .iter()
        .map(|&arrival| {
            clock.advance(Duration::from_nanos((arrival - previous).as_nanos() as u64));
            previous = arrival;
            limiter.check().is_ok()
        })
        .collect()
}

/// A clock for `ratelimit` that the test moves by hand.
#[derive(Clone, Default)]
struct HandClock(Arc<AtomicU64>);

impl ratelimit::Clock for HandClock {
    fn elapsed(&self) -> Duration {
        Duration::from_nanos(self.0.load(Ordering::SeqCst))
    }
}

/// ratelimit's decisions, `per_second` tokens per second and `capacity` tokens, starting full.
fn ratelimit(capacity: u64, per_second: u64, arrivals: &[Time]) -> Vec<bool> {
    let clock = HandClock::default();
    let limiter = ratelimit::Builder::with_clock(per_second, clock.clone())
        .max_tokens(capacity)
        .initial_available(capacity)
        .build()
        .unwrap();
    arrivals
        .iter()
        .map(|&arrival| {
            clock.0.store(arrival.as_nanos() as u64, Ordering::SeqCst);
            limiter.try_wait().is_ok()
        })
        .collect()
}

fn arrivals(max_gap: i64, grid: i64) -> impl Strategy<Value = Vec<Time>> {
    prop::collection::vec(0..=max_gap / grid, 1..300).prop_map(move |gaps| {
        gaps.iter()
            .scan(Time::ZERO, |now, &gap| {
                *now += ns(gap * grid);
                Some(*now)
            })
            .collect()
    })
}

proptest! {
    #[test]
    fn governor_agrees_when_the_period_is_a_whole_number_of_nanoseconds(
        capacity in 1u32..=50,
        period_ns in 1u64..=1_000_000_000,
        arrivals in arrivals(200_000_000, 1),
    ) {
        let rate = Rate::new(1, ns(period_ns as i64)).unwrap();
        prop_assert_eq!(
            ours(capacity as u64, rate, &arrivals),
            governor(capacity, Duration::from_nanos(period_ns), &arrivals)
        );
    }

    #[test]
    fn ratelimit_agrees_on_a_microsecond_grid(
        capacity in 1u64..=50,
        per_second in 1u64..=1_000,
        arrivals in arrivals(20_000_000, 1_000),
    ) {
        prop_assert_eq!(
            ours(capacity, Rate::per_second(per_second).unwrap(), &arrivals),
            ratelimit(capacity, per_second, &arrivals)
        );
    }
}

#[test]
fn with_three_per_second_governor_rounds_its_period_down_and_admits_a_third_of_a_nanosecond_early()
{
    let quota = Quota::per_second(NonZeroU32::new(3).unwrap());
    assert_eq!(
        quota.replenish_interval(),
        Duration::from_nanos(333_333_333)
    );
    let arrivals = [Time::ZERO, ns(333_333_333), ns(333_333_334)];
    assert_eq!(
        ours(1, Rate::per_second(3).unwrap(), &arrivals),
        [true, false, true]
    );
    assert_eq!(
        governor(1, quota.replenish_interval(), &arrivals),
        [true, true, false]
    );
}

#[test]
fn ratelimit_truncates_each_refill_to_a_millionth_of_a_token_and_falls_behind_when_polled_often() {
    // One token per second, polled every 1.999 µs: each refill earns 1.999 millionths of a
    // token, ratelimit keeps 1 and drops the rest, so it needs a million polls: 1.999 s.
    let polls: Vec<Time> = (0..1_100_000).map(|k| ns(k * 1_999)).collect();
    let first_after = |decisions: Vec<bool>| {
        let index = decisions
            .iter()
            .skip(1)
            .position(|&admitted| admitted)
            .unwrap()
            + 1;
        polls[index]
    };
    let ours_next = first_after(ours(1, Rate::per_second(1).unwrap(), &polls));
    let theirs_next = first_after(ratelimit(1, 1, &polls));
    assert!(ours_next >= secs(1) && ours_next < secs(1) + us(2));
    assert_eq!(theirs_next, ns(1_000_000 * 1_999));
}
