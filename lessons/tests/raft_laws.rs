use lessons::raft::*;

#[test]
fn smoke() {
    let mut bad = 0;
    let start = std::time::Instant::now();
    for seed in 0..200 {
        let row = chaos_run(ChaosParameters::new(5).unwrap(), seed).unwrap();
        if row.violations > 0 || !row.linearizable {
            bad += 1;
            println!("{row:?}");
        }
        if seed < 5 { println!("{row:?}"); }
    }
    println!("{:?}", start.elapsed());
    let mut broken = 0;
    for seed in 0..200 {
        let row = chaos_run(ChaosParameters::new(3).unwrap().commit_rule(CommitRule::CountReplicas), seed).unwrap();
        if row.violations > 0 { broken += 1; if broken < 3 { println!("broken {row:?}"); } }
    }
    println!("count replicas broken in {broken}");
    assert_eq!(bad, 0);
}

#[test]
fn fig8() {
    for rule in [CommitRule::CountReplicas, CommitRule::CurrentTermOnly] {
        let (steps, violations) = figure_8(rule).unwrap();
        for s in &steps { println!("{s:?}"); }
        for v in &violations { println!("{v}"); }
    }
}
