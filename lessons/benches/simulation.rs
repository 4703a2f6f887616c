//! How fast the simulator runs, and how much memory a long run takes.
//!
//! The workload is ping-pong: even nodes start with a number of messages in flight to their odd
//! partner, and every node answers each message at once, so the network always carries the same
//! number of messages and every event is one delivery followed by one send. That is the
//! simulator's inner loop (scheduler, network, node call, recorder) with as little else as
//! possible.
//!
//! Criterion reports events per second. After it, the benchmark runs ten million events once
//! without recording and once with, and prints the peak heap use of each, measured by a
//! counting global allocator.
//!
//! Run it with `cargo bench -p lessons --bench simulation`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use criterion::{BatchSize, Criterion, Throughput};
use lessons::sim::{Context, Latency, Link, Node, NodeId, Scheduler, Simulation, Time, ms};

/// Counts the bytes allocated now and at most, so a run's peak heap use can be read.
struct CountingAllocator;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to the system allocator unchanged; the counters only observe.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let pointer = unsafe { System.alloc(layout) };
        if !pointer.is_null() {
            let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(pointer, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let moved = unsafe { System.realloc(pointer, layout, new_size) };
        if !moved.is_null() {
            CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
            let now = CURRENT.fetch_add(new_size, Ordering::Relaxed) + new_size;
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        moved
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// Even nodes serve first: they start `in_flight` messages to their odd partner.
struct Ping {
    in_flight: u32,
}

impl Node<u32> for Ping {
    fn on_start(&mut self, ctx: &mut Context<'_, u32>) {
        let partner = ctx.me() + 1;
        if ctx.me() % 2 == 0 && partner < ctx.node_count() {
            for ball in 0..self.in_flight {
                ctx.send(partner, ball);
            }
        }
    }

    fn on_message(&mut self, ctx: &mut Context<'_, u32>, from: NodeId, ball: u32) {
        ctx.send(from, ball);
    }
}

const NODES: usize = 10;
const IN_FLIGHT: u32 = 20;

/// Ten nodes in five pairs, 100 messages always in flight.
fn ping(seed: u64, latency: Latency, recording: bool) -> Simulation<u32> {
    let mut sim = Simulation::new(seed);
    for node in 0..NODES {
        sim.add_node(format!("n{node}"), || Ping {
            in_flight: IN_FLIGHT,
        });
    }
    sim.set_links(Link::new().latency(latency))
        .expect("a valid link");
    sim.set_recording(recording);
    sim.set_event_limit(u64::MAX);
    sim
}

/// How long to run for about `events` events: 100 deliveries per millisecond of 1 ms latency.
fn span_for(events: u64) -> Time {
    let in_flight = (NODES as u64 / 2) * u64::from(IN_FLIGHT);
    ms((events / in_flight) as i64)
}

fn bench_simulation(criterion: &mut Criterion) {
    const EVENTS: u64 = 200_000;
    let cases = [
        (
            "constant latency, not recording",
            Latency::constant(ms(1)),
            false,
        ),
        (
            "uniform latency, not recording",
            Latency::uniform(ms(0), ms(2)),
            false,
        ),
        (
            "uniform latency, recording",
            Latency::uniform(ms(0), ms(2)),
            true,
        ),
    ];
    let mut group = criterion.benchmark_group("ping");
    for (name, latency, recording) in cases {
        let handled = ping(1, latency.clone(), recording)
            .run_until(span_for(EVENTS))
            .expect("no event limit");
        group.throughput(Throughput::Elements(handled));
        group.bench_function(name, |bencher| {
            bencher.iter_batched(
                || ping(1, latency.clone(), recording),
                |mut sim| black_box(sim.run_until(span_for(EVENTS))),
                BatchSize::LargeInput,
            );
        });
    }
    group.finish();

    let mut group = criterion.benchmark_group("scheduler");
    group.throughput(Throughput::Elements(EVENTS));
    group.bench_function("schedule and take, 100 pending", |bencher| {
        bencher.iter(|| {
            let mut scheduler = Scheduler::new();
            for n in 0..100u64 {
                scheduler.schedule(Time::from_nanos(n as i64), n);
            }
            for _ in 0..EVENTS {
                let (time, n) = scheduler.pop().expect("never empty");
                scheduler.schedule(time + Time::from_nanos(100 + (n % 7) as i64), n);
            }
            black_box(scheduler.now())
        });
    });
    group.finish();
}

/// Runs ten million events and prints how long it took and the peak heap use above what was
/// allocated before the simulation was built.
fn report_memory(recording: bool) {
    const EVENTS: u64 = 10_000_000;
    let baseline = CURRENT.load(Ordering::Relaxed);
    PEAK.store(baseline, Ordering::Relaxed);
    let started = Instant::now();
    let mut sim = ping(2, Latency::uniform(ms(0), ms(2)), recording);
    let handled = sim.run_until(span_for(EVENTS)).expect("no event limit");
    let elapsed = started.elapsed();
    let peak = PEAK.load(Ordering::Relaxed) - baseline;
    let recorded = sim.trace().events().len();
    drop(sim);
    println!(
        "{handled} events, recording {}: {:.2} s ({:.1} million events/s), peak heap {:.1} KiB \
         ({recorded} events in the trace)",
        if recording { "on" } else { "off" },
        elapsed.as_secs_f64(),
        handled as f64 / elapsed.as_secs_f64() / 1e6,
        peak as f64 / 1024.0,
    );
}

fn main() {
    let mut criterion = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .configure_from_args();
    bench_simulation(&mut criterion);
    criterion.final_summary();
    // `cargo test --benches` runs this binary without `--bench` to check that it works; the
    // ten-million-event runs are for real benchmark runs only.
    if std::env::args().any(|argument| argument == "--bench") {
        report_memory(false);
        report_memory(true);
    }
}
