use lessons::caching::*;
use lessons::sim::*;
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let t0 = std::time::Instant::now();
    let trace = KeyTrace::zipf(10_000, 1.0)?.generate(200_000, 1)?;
    println!("trace {:?}", t0.elapsed());
    let policies = [
        Policy::Lru,
        Policy::Lfu,
        Policy::DecayingLfu {
            halve_every: 10_000,
        },
        Policy::Fifo,
        Policy::Random,
        Policy::SampledLru { samples: 5 },
        Policy::Optimal,
    ];
    for p in policies {
        let t = std::time::Instant::now();
        let rows = eviction_sweep(
            &trace,
            10_000,
            &[p],
            &[10, 30, 100, 300, 1000, 3000],
            1e5,
            1,
        )?;
        println!(
            "{p}: {:?} {:?}",
            rows.iter()
                .map(|r| format!("{:.3}", r.hit_rate))
                .collect::<Vec<_>>(),
            t.elapsed()
        );
    }
    for c in [10, 30, 100, 300, 1000, 3000] {
        println!(
            "top {c} {:.4} pinned {:.4}",
            top_keys_hit_rate(10_000, 1.0, c)?,
            pinned_hit_rate(&trace, c)
        );
    }
    let t = std::time::Instant::now();
    let r = hot_key_run(1000, secs(1), 100_000.0, secs(10), 1)?;
    println!("{r:?} {:?}", t.elapsed());
    Ok(())
}
