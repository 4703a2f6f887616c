//! How many random-schedule Raft runs this machine does per second.
//!
//! Two workloads: a simulated run of five servers with six random faults, loss, duplication,
//! reordering and two clients over 5 s of virtual time, every step checked by the safety
//! monitor and the history by the linearizability checker ([`chaos_run`]); and the paper's
//! Figure 8 replayed on the hand-driven network ([`figure_8`]), the size of step a model
//! checker takes.
//!
//! Run it with `cargo bench -p lessons --bench raft`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput};
use lessons::raft::{ChaosParameters, CommitRule, chaos_run, figure_8};

fn random_schedules(c: &mut Criterion) {
    let mut group = c.benchmark_group("raft");
    group.throughput(Throughput::Elements(1));
    let parameters = ChaosParameters::new(5).expect("five servers are allowed");
    let mut seed = 0;
    group.bench_function("random-schedule run, 5 servers, 5 s virtual", |b| {
        b.iter(|| {
            seed += 1;
            black_box(chaos_run(parameters, seed).expect("valid parameters"))
        })
    });
    group.bench_function("Figure 8 replayed by hand", |b| {
        b.iter(|| black_box(figure_8(CommitRule::CountReplicas).expect("fixed parameters")))
    });
    group.finish();
}

fn main() {
    let mut criterion = Criterion::default()
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    random_schedules(&mut criterion);
    criterion.final_summary();
}
