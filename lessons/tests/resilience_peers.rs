//! Our backoff against `backon` (a maintained retry crate) on the same inputs.
//!
//! Without jitter both compute `min(cap, base x 2^(n-1))`. With jitter they differ by design:
//! `backon` adds a uniform share of the current delay to it (a delay in `[d, 2d)`), which is
//! Brooker's equal jitter applied to a ceiling of `2d`; so our equal jitter with twice the base
//! must produce delays within the same bounds and with the same mean. `backon` computes in
//! `f32` seconds, so its delays are compared within a relative 1e-5.

use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBuilder};
use lessons::resilience::{Backoff, Jitter};
use lessons::sim::{Time, ms, secs};

const RETRIES: usize = 12;

fn backon_delays(jitter_seed: Option<u64>) -> Vec<Duration> {
    let builder = ExponentialBuilder::default()
        .with_min_delay(Duration::from_millis(100))
        .with_max_delay(Duration::from_secs(10))
        .with_factor(2.0)
        .with_max_times(RETRIES);
    match jitter_seed {
        None => builder.build().collect(),
        Some(seed) => builder
            .with_jitter()
            .with_jitter_seed(seed)
            .build()
            .collect(),
    }
}

fn close(ours: Time, theirs: Duration) -> bool {
    let (a, b) = (ours.as_nanos() as f64, theirs.as_nanos() as f64);
    (a - b).abs() <= 1e-5 * b
}

#[test]
fn without_jitter_both_give_the_same_capped_doubling() {
    let ours = Backoff::new(ms(100), secs(10), Jitter::None)
        .unwrap()
        .delays(RETRIES as u32, 1);
    let theirs = backon_delays(None);
    assert_eq!(ours.len(), theirs.len());
    for (retry, (a, b)) in ours.iter().zip(&theirs).enumerate() {
        assert!(close(*a, *b), "retry {}: ours {a}, backon {b:?}", retry + 1);
    }
    // 100, 200, 400, ..., 6,400 ms, then the 10 s cap.
    assert!(close(ours[7], Duration::from_secs(10)));
}

#[test]
fn backon_jitter_and_our_equal_jitter_share_bounds_and_mean() {
    let plain = backon_delays(None);
    let ours = Backoff::new(ms(200), secs(20), Jitter::Equal).unwrap();
    let seeds = 2_000u64;
    let mut sums = ([0.0; RETRIES], [0.0; RETRIES]);
    for seed in 0..seeds {
        let theirs = backon_delays(Some(seed));
        let mine = ours.delays(RETRIES as u32, seed);
        for retry in 0..RETRIES {
            let (low, high) = (plain[retry].as_secs_f64(), 2.0 * plain[retry].as_secs_f64());
            let (t, m) = (theirs[retry].as_secs_f64(), mine[retry].as_secs_f64());
            assert!(
                t >= low * (1.0 - 1e-5) && t <= high * (1.0 + 1e-5),
                "backon {t} outside [{low}, {high}]"
            );
            assert!(
                m >= low * (1.0 - 1e-5) && m <= high * (1.0 + 1e-5),
                "ours {m} outside [{low}, {high}]"
            );
            sums.0[retry] += t;
            sums.1[retry] += m;
        }
    }
    for (retry, delay) in plain.iter().enumerate() {
        let expected = 1.5 * delay.as_secs_f64();
        let (theirs, mine) = (sums.0[retry] / seeds as f64, sums.1[retry] / seeds as f64);
        assert!(
            (theirs / expected - 1.0).abs() < 0.02,
            "backon mean {theirs} vs {expected}"
        );
        assert!(
            (mine / expected - 1.0).abs() < 0.02,
            "our mean {mine} vs {expected}"
        );
    }
}
