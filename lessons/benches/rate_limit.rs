//! How long one token-bucket decision takes, ours against `governor` (GCRA) and `ratelimit`,
//! all on fake clocks that the benchmark moves by hand.
//!
//! The workload: a bucket of 100 tokens refilled at one million per second, asked once every
//! 500 ns of fake time, so about half the requests are admitted and half refused. Criterion
//! reports each; after it, a plain timed loop of the same workload prints nanoseconds per
//! decision and our time as a multiple of governor's (the target: under 10 ns, within 1.5x).
//!
//! Run it with `cargo bench -p lessons --bench rate_limit`.

use std::hint::black_box;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use criterion::Criterion;
use governor::clock::FakeRelativeClock;
use governor::{Quota, RateLimiter};
use lessons::rate_limit::{Rate, TokenBucket};
use lessons::sim::{Time, ns};

const CAPACITY: u32 = 100;
const PER_SECOND: u64 = 1_000_000;
const STEP: Duration = Duration::from_nanos(500);

/// A clock for `ratelimit` that the benchmark moves by hand.
#[derive(Clone, Default)]
struct HandClock(Arc<AtomicU64>);

impl ratelimit::Clock for HandClock {
    fn elapsed(&self) -> Duration {
        Duration::from_nanos(self.0.load(Ordering::Relaxed))
    }
}

/// Three ways to decide the same stream of requests; each call advances fake time by one step.
struct Contenders {
    ours: TokenBucket,
    now: Time,
    governor_clock: FakeRelativeClock,
    governor: RateLimiter<
        governor::state::NotKeyed,
        governor::state::InMemoryState,
        FakeRelativeClock,
        governor::middleware::NoOpMiddleware<
            <FakeRelativeClock as governor::clock::Clock>::Instant,
        >,
    >,
    ratelimit_clock: HandClock,
    ratelimit: ratelimit::Ratelimiter<HandClock>,
}

impl Contenders {
    fn new() -> Contenders {
        let governor_clock = FakeRelativeClock::default();
        let quota = Quota::per_second(NonZeroU32::new(PER_SECOND as u32).unwrap())
            .allow_burst(NonZeroU32::new(CAPACITY).unwrap());
        let ratelimit_clock = HandClock::default();
        Contenders {
            ours: TokenBucket::new(CAPACITY as u64, Rate::per_second(PER_SECOND).unwrap()).unwrap(),
            now: Time::ZERO,
            governor: RateLimiter::direct_with_clock(quota, governor_clock.clone()),
            governor_clock,
            ratelimit: ratelimit::Builder::with_clock(PER_SECOND, ratelimit_clock.clone())
                .max_tokens(CAPACITY as u64)
                .initial_available(CAPACITY as u64)
                .build()
                .unwrap(),
            ratelimit_clock,
        }
    }

    fn ours(&mut self) -> bool {
        self.now += ns(STEP.as_nanos() as i64);
        self.ours.try_acquire(self.now).is_admitted()
    }

    fn governor(&mut self) -> bool {
        self.governor_clock.advance(STEP);
        self.governor.check().is_ok()
    }

    fn ratelimit(&mut self) -> bool {
        self.ratelimit_clock
            .0
            .fetch_add(STEP.as_nanos() as u64, Ordering::Relaxed);
        self.ratelimit.try_wait().is_ok()
    }
}

/// Nanoseconds per decision over `count` decisions, and how many were admitted.
fn time_loop(count: u64, mut decide: impl FnMut() -> bool) -> (f64, u64) {
    let start = Instant::now();
    let mut admitted = 0;
    for _ in 0..count {
        admitted += u64::from(black_box(decide()));
    }
    (start.elapsed().as_nanos() as f64 / count as f64, admitted)
}

fn main() {
    let mut criterion = Criterion::default()
        .configure_from_args()
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1));
    let mut group = criterion.benchmark_group("token bucket decision, fake clock");
    let mut contenders = Contenders::new();
    group.bench_function("lessons TokenBucket", |b| b.iter(|| contenders.ours()));
    let mut contenders = Contenders::new();
    group.bench_function("governor (GCRA)", |b| b.iter(|| contenders.governor()));
    let mut contenders = Contenders::new();
    group.bench_function("ratelimit", |b| b.iter(|| contenders.ratelimit()));
    group.finish();
    criterion.final_summary();

    const COUNT: u64 = 50_000_000;
    let mut contenders = Contenders::new();
    let (ours, ours_admitted) = time_loop(COUNT, || contenders.ours());
    let (governor, governor_admitted) = time_loop(COUNT, || contenders.governor());
    let (ratelimit, ratelimit_admitted) = time_loop(COUNT, || contenders.ratelimit());
    println!("{COUNT} decisions each, one every 500 ns of fake time:");
    println!("  lessons TokenBucket  {ours:6.2} ns/decision  ({ours_admitted} admitted)");
    println!("  governor (GCRA)      {governor:6.2} ns/decision  ({governor_admitted} admitted)");
    println!("  ratelimit            {ratelimit:6.2} ns/decision  ({ratelimit_admitted} admitted)");
    println!(
        "  ours / governor = {:.2}x, ours / ratelimit = {:.2}x (target: under 10 ns, within 1.5x of governor)",
        ours / governor,
        ours / ratelimit
    );
}
