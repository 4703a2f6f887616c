//! How long one key lookup takes on a ring of 1,000 nodes x 256 virtual nodes (256,000 points),
//! ours against the `hashring` crate holding the same number of points (its README's `VNode`).
//!
//! Each lookup hashes a fresh key (a counter's bytes) and finds its owner, so both the hash and
//! the binary search are timed, over a ring far larger than the L1 and L2 caches. Criterion
//! reports each; after it, a plain timed loop prints nanoseconds per lookup and our time as a
//! multiple of `hashring`'s (the target: under 200 ns).
//!
//! Run it with `cargo bench -p lessons --bench partitioning`.

use std::hash::{Hash, Hasher};
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::Criterion;
use hashring::HashRing;
use lessons::partitioning::Ring;

const NODES: usize = 1_000;
const VNODES: u32 = 256;

/// A virtual node as the `hashring` README writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct VNode {
    node: u32,
    index: u32,
}

impl Hash for VNode {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (self.node, self.index).hash(state);
    }
}

fn ours() -> Ring {
    Ring::with_nodes(VNODES, (0..NODES).map(|n| format!("node-{n}"))).unwrap()
}

fn theirs() -> HashRing<VNode> {
    let mut ring = HashRing::new();
    ring.batch_add(
        (0..NODES as u32)
            .flat_map(|node| (0..VNODES).map(move |index| VNode { node, index }))
            .collect(),
    );
    ring
}

/// This process's CPU time (user + system) in seconds, from `/proc/self/stat` (Linux, in
/// ticks of 1/100 s), or `None` elsewhere. On a shared machine the wall clock also counts the
/// time other processes held the core; CPU time does not.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / 100.0)
}

/// Nanoseconds per lookup over `count` lookups: by the wall clock, and by CPU time.
fn time_loop(count: u64, mut lookup: impl FnMut(u64) -> u32) -> (f64, Option<f64>) {
    let cpu_start = cpu_seconds();
    let start = Instant::now();
    let mut sink = 0u32;
    for key in 0..count {
        sink = sink.wrapping_add(lookup(black_box(key)));
    }
    black_box(sink);
    let wall = start.elapsed().as_nanos() as f64 / count as f64;
    let cpu = cpu_start
        .zip(cpu_seconds())
        .map(|(start, end)| (end - start) * 1e9 / count as f64);
    (wall, cpu)
}

fn show(name: &str, (wall, cpu): (f64, Option<f64>)) {
    match cpu {
        Some(cpu) => println!("  {name:40} {wall:7.1} ns/lookup wall, {cpu:7.1} ns CPU"),
        None => println!("  {name:40} {wall:7.1} ns/lookup wall"),
    }
}

fn main() {
    let ours = ours();
    let theirs = theirs();
    assert_eq!(ours.token_count(), NODES * VNODES as usize);
    assert_eq!(theirs.len(), NODES * VNODES as usize);
    let our_lookup = |key: u64| {
        ours.index_for_hash(lessons::partitioning::hash_key(key.to_le_bytes()))
            .unwrap() as u32
    };
    let our_named_lookup = |key: u64| ours.node_for(key.to_le_bytes()).unwrap().len() as u32;
    let their_lookup = |key: u64| theirs.get(&key).unwrap().node;

    let mut criterion = Criterion::default()
        .configure_from_args()
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1));
    let mut group = criterion.benchmark_group("ring lookup, 1,000 nodes x 256 vnodes");
    let mut key = 0u64;
    group.bench_function("lessons Ring::node_for", |b| {
        b.iter(|| {
            key += 1;
            our_named_lookup(key)
        })
    });
    group.bench_function("hashring HashRing::get", |b| {
        b.iter(|| {
            key += 1;
            their_lookup(key)
        })
    });
    group.finish();
    criterion.final_summary();

    const COUNT: u64 = 5_000_000;
    let ours_time = time_loop(COUNT, our_lookup);
    let named_time = time_loop(COUNT, our_named_lookup);
    let theirs_time = time_loop(COUNT, their_lookup);
    println!("{COUNT} lookups each, 1,000 nodes x 256 vnodes:");
    show("lessons Ring::index_for_hash(hash_key)", ours_time);
    show("lessons Ring::node_for", named_time);
    show("hashring HashRing::get (SipHash)", theirs_time);
    let best = |(wall, cpu): (f64, Option<f64>)| cpu.map_or(wall, |cpu| cpu.min(wall));
    println!(
        "  ours (node_for) / hashring = {:.2}x; ours {:.0} ns (target: under 200 ns)",
        best(named_time) / best(theirs_time),
        best(named_time)
    );
}
