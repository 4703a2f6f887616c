use lessons::raft::*;
use lessons::sim::ms;
use std::time::Instant;

#[test]
fn scratch() {
    let t = Instant::now();
    let spreads = [ms(0), ms(5), ms(10), ms(20), ms(50), ms(150), ms(500)];
    let rows = election_experiment(5, ms(150), &spreads, ms(5), 200, 1).unwrap();
    for s in split_vote_summary(&rows) { println!("{s:?}"); }
    println!("election {:?}", t.elapsed());
    let t = Instant::now();
    let rows = partition_experiment(&[3, 4, 5, 6, 7], 1).unwrap();
    for r in &rows { println!("{r:?}"); }
    println!("partition {:?}", t.elapsed());
    let t = Instant::now();
    for n in 1..=7 { println!("{:?}", sizing_row(n, 1).unwrap()); }
    println!("sizing {:?}", t.elapsed());
    let t = Instant::now();
    let rows = storm_experiment(&[ms(1), ms(5), ms(10), ms(20), ms(30), ms(40), ms(60)], 60, 1).unwrap();
    for r in &rows { println!("{r:?}"); }
    println!("storm {:?}", t.elapsed());
    for r in bft_rows(&[1,2,3,4]).unwrap() { println!("{r:?}"); }
    for r in message_counts(&[3, 5, 9, 17, 33]).unwrap() { println!("{r:?}"); }
}
