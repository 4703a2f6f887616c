use lessons::storage::*;
fn main() {
    let rows = btree_experiment(100_000, 100, &[KeyOrder::Sequential, KeyOrder::Random, KeyOrder::Jittered(8)], &[SplitPolicy::Half, SplitPolicy::Rightmost], 1).unwrap();
    for r in &rows { println!("{r:?}"); }
    for r in height_experiment(&[4, 16, 100], &[100, 1_000, 10_000, 100_000, 1_000_000], 1).unwrap() { println!("{r:?}"); }
    println!("{:?}", update_experiment(8192, 100, 10_000, 1000, 1).unwrap());
    for r in fp_rate_experiment(10_000, &[(4.0,3),(6.0,4),(8.0,6),(10.0,7),(12.0,8),(14.0,10),(16.0,11)], 200_000, &[1,2,3]).unwrap() { println!("{r:?}"); }
    for r in overload_experiment(10_000, 0.01, &[0.5,1.0,1.5,2.0,3.0,4.0,5.0], 100_000, 1).unwrap() { println!("{r:?}"); }
    for r in deletion_experiment(10_000, 0.01, 1_000, 1).unwrap() { println!("{r:?}"); }
    for r in scalable_experiment(10_000, 0.01, &[0.5,1.0,2.0,5.0,10.0,20.0], 100_000, 1).unwrap() { println!("{r:?}"); }
}
