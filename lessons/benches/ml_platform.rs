//! Our normal CDF, normal quantile and binomial CDF against `statrs`, in the same run, over the
//! same inputs: the normal functions on a sweep of 1,000 points, the binomial CDF at the canary's
//! numbers (k = 4 and k = 40 of n = 1,000 and 10,000 at p = 0.003).
//!
//! After criterion, a plain timing loop runs each pair back to back and prints the ratio
//! ours / peer (below 1 means ours is faster).
//!
//! Run it with `cargo bench -p lessons --bench ml_platform`.

use std::hint::black_box;
use std::time::Duration;

use criterion::Criterion;
use lessons::ml_platform::{binomial_cdf, normal_cdf, normal_quantile};
use statrs::distribution::{Binomial, ContinuousCDF, DiscreteCDF, Normal};

mod peer_timing;

fn xs() -> Vec<f64> {
    (0..1_000).map(|i| -5.0 + i as f64 * 0.01).collect()
}

fn ps() -> Vec<f64> {
    (1..1_000).map(|i| i as f64 / 1_000.0).collect()
}

type Work = Box<dyn FnMut()>;

/// The pairs: a name, our work and the peer's.
fn pairs() -> Vec<(&'static str, Work, Work)> {
    let standard = Normal::standard();
    let (x_ours, x_theirs) = (xs(), xs());
    let (p_ours, p_theirs) = (ps(), ps());
    let binomials = [(4, 1_000), (40, 10_000)];
    vec![
        (
            "normal CDF, 1,000 points",
            Box::new(move || {
                black_box(x_ours.iter().map(|&x| normal_cdf(x)).sum::<f64>());
            }),
            Box::new(move || {
                black_box(x_theirs.iter().map(|&x| standard.cdf(x)).sum::<f64>());
            }),
        ),
        (
            "normal quantile, 999 points",
            Box::new(move || {
                black_box(
                    p_ours
                        .iter()
                        .map(|&p| normal_quantile(p).unwrap_or(0.0))
                        .sum::<f64>(),
                );
            }),
            Box::new(move || {
                black_box(
                    p_theirs
                        .iter()
                        .map(|&p| standard.inverse_cdf(p))
                        .sum::<f64>(),
                );
            }),
        ),
        (
            "binomial CDF, k = 4 and 40",
            Box::new(move || {
                for (k, n) in binomials {
                    black_box(binomial_cdf(k, n, 0.003).unwrap_or(0.0));
                }
            }),
            Box::new(move || {
                for (k, n) in binomials {
                    let peer = Binomial::new(0.003, n).unwrap_or_else(|error| panic!("{error}"));
                    black_box(peer.cdf(k));
                }
            }),
        ),
    ]
}

fn statistics_benches(criterion: &mut Criterion) {
    for (name, mut mine, mut peer) in pairs() {
        let mut group = criterion.benchmark_group(name);
        group.bench_function("ours", |bench| bench.iter(&mut mine));
        group.bench_function("statrs", |bench| bench.iter(&mut peer));
        group.finish();
    }
}

fn ratios() {
    let best = peer_timing::best_ns_per_call;
    println!(
        "\n{:<36} {:>12} {:>12} {:>8}",
        "operation", "ours (ns)", "peer (ns)", "ratio"
    );
    for (name, mut mine, mut peer) in pairs() {
        let ours_ns = best(&mut mine);
        let peer_ns = best(&mut peer);
        println!(
            "{name:<36} {ours_ns:>12.1} {peer_ns:>12.1} {:>8.2}",
            ours_ns / peer_ns
        );
    }
}

fn main() {
    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    statistics_benches(&mut criterion);
    criterion.final_summary();
    ratios();
}
