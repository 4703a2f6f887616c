//! The isolation checker agrees with petgraph (0.8) on whether a recorded history's dependency
//! graph has a cycle, for random workloads and schedules under every isolation level.

use lessons::check::check_isolation;
use lessons::transactions::{Isolation, Program, run_random};
use petgraph::algo::is_cyclic_directed;
use petgraph::graph::DiGraph;
use proptest::prelude::*;

/// 2 to 5 transactions of 1 to 4 operations on x, y and z.
fn workload() -> impl Strategy<Value = Vec<Program>> {
    let key = prop::sample::select(vec!["x", "y", "z"]);
    let program = prop::collection::vec((0..3usize, key), 1..=4).prop_map(|operations| {
        operations
            .into_iter()
            .fold(Program::new("T"), |p, (kind, key)| match kind {
                0 => p.read(key),
                1 => p.read(key).write_read_plus(key, 1),
                _ => p.write(key, 1),
            })
    });
    prop::collection::vec(program, 2..=5)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn a_cycle_for_us_is_a_cycle_for_petgraph(programs in workload(), seed in any::<u64>()) {
        for isolation in Isolation::ALL {
            let store = run_random(isolation, &[("x", 0), ("y", 0), ("z", 0)], &programs, seed)
                .unwrap();
            let report = check_isolation(store.history());
            let edges: Vec<(u32, u32)> =
                report.edges.iter().map(|e| (e.from as u32, e.to as u32)).collect();
            let graph: DiGraph<(), ()> = DiGraph::from_edges(&edges);
            // The store never lets a transaction read uncommitted data, so every anomaly is a
            // cycle.
            prop_assert_eq!(report.is_serializable(), !is_cyclic_directed(&graph));
            if !report.is_serializable() {
                let first = report.cycle.first().unwrap();
                prop_assert_eq!(first.from, report.cycle.last().unwrap().to);
                for pair in report.cycle.windows(2) {
                    prop_assert_eq!(pair[0].to, pair[1].from);
                }
            }
        }
    }
}
