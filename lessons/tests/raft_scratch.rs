use lessons::raft::*;
use std::time::Instant;

#[test]
fn scratch() {
    let t = Instant::now();
    for r in dedupe_experiment(&[0.0, 0.5, 1.0, 2.0, 4.0], 1).unwrap() { println!("{r:?}"); }
    println!("dedupe {:?}", t.elapsed());
    let t = Instant::now();
    for r in batch_experiment(&[1, 2, 4, 8, 16, 64], 1).unwrap() { println!("{r:?}"); }
    println!("batch {:?}", t.elapsed());
}
