use lessons::transactions::*;
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let t = std::time::Instant::now();
    for (cost, cap) in [(0, 4), (1, 4), (1, 8), (2,4)] {
        let s = ContentionParameters { lock_cost: cost, capacity: cap, ..ContentionParameters::default() };
        let rows = contention_experiment(&[Isolation::TwoPhaseLocking, Isolation::Optimistic], &[2,4,8,16,32,64,256,1024], s, 1)?;
        for r in &rows { println!("cost {cost} cap {cap} {} keys={} tput {:.1} aborts/commit {:.2} worst {}", r.isolation, r.keys, r.commits_per_100_ticks, r.aborts_per_commit, r.worst_retries); }
    }
    println!("{:?}", t.elapsed());
    Ok(())
}
