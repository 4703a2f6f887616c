//! The isolation checker (`lessons::check::check_isolation`) on 1,000-transaction histories
//! recorded by the simulated store, against petgraph 0.8 finding the strongly connected
//! components of the same dependency graph.
//!
//! The two do different amounts of work, and the ratio says so: ours builds the ww, wr and rw
//! edges from the recorded reads and writes, finds whether there is a cycle and, if so, the
//! anomaly it proves and a short witness; petgraph is handed the finished edge list and only
//! builds its graph and runs Tarjan's algorithm. Two histories: one recorded under serializable
//! snapshot isolation (no cycle: the whole graph must be searched to say so) and one under
//! read committed (cycles: ours stops at the first witness of each kind it looks for).
//!
//! Run it with `cargo bench -p lessons --bench isolation`.

use std::hint::black_box;

use lessons::check::{TransactionHistory, check_isolation};
use lessons::sim::Rng;
use lessons::transactions::{Database, Isolation, Program};
use petgraph::algo::tarjan_scc;
use petgraph::graph::DiGraph;

mod peer_timing;

use peer_timing::{Case, Table};

/// 1,000 transactions on 100 keys, four open at a time, each reading two keys and writing the
/// second; the steps of each group of four interleaved at random.
fn history(isolation: Isolation) -> TransactionHistory {
    let mut rng = Rng::new(1);
    let keys: Vec<String> = (0..100).map(|k| format!("k{k}")).collect();
    let initial: Vec<(&str, i64)> = keys.iter().map(|k| (k.as_str(), 0)).collect();
    let mut store = Database::new(isolation, &initial);
    for _ in 0..250 {
        let group: Vec<usize> = (0..4)
            .map(|_| {
                let a = &keys[rng.below(100) as usize];
                let b = &keys[rng.below(100) as usize];
                store.begin(Program::new("T").read(a).read(b).write_read_plus(b, 1))
            })
            .collect();
        loop {
            let open: Vec<usize> = group
                .iter()
                .copied()
                .filter(|&t| store.active().contains(&t))
                .collect();
            let Some(&txn) = rng.pick(&open) else { break };
            store.step(txn).expect("an active transaction");
        }
    }
    store.history().clone()
}

fn case(name: &str, isolation: Isolation) -> Case {
    let recorded = history(isolation);
    let edges: Vec<(u32, u32)> = check_isolation(&recorded)
        .edges
        .iter()
        .map(|e| (e.from as u32, e.to as u32))
        .collect();
    Case {
        name: name.to_string(),
        ours: Box::new(move || _ = black_box(check_isolation(&recorded))),
        peer: Box::new(move || {
            let graph: DiGraph<(), ()> = DiGraph::from_edges(&edges);
            _ = black_box(
                tarjan_scc(&graph)
                    .iter()
                    .any(|component| component.len() > 1),
            );
        }),
    }
}

fn cases() -> Vec<Case> {
    vec![
        case(
            "1,000 transactions, SSI (no cycle)",
            Isolation::SerializableSnapshot,
        ),
        case(
            "1,000 transactions, read committed",
            Isolation::ReadCommitted,
        ),
    ]
}

fn main() {
    for isolation in [Isolation::SerializableSnapshot, Isolation::ReadCommitted] {
        let report = check_isolation(&history(isolation));
        println!(
            "{isolation}: {} edges, anomaly {:?}, witness {}",
            report.edges.len(),
            report.anomaly.map(|a| a.to_string()),
            report.cycle_text()
        );
    }
    peer_timing::compare(
        cases,
        Table {
            heading: "history",
            peer: "petgraph",
            time_decimals: 0,
            ratio_decimals: 1,
        },
    );
}
