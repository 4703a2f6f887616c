//! The statistics helpers on large seeded samples: Zipf draws follow the 1/k^s law, and an
//! empirical CDF climbs step by step to 1.

use lessons::sim::{Cdf, Rng, Zipf};

const RANKS: usize = 10;
const EXPONENT: f64 = 1.2;
const DRAWS: usize = 100_000;

/// How often each rank came up in `DRAWS` draws from a Zipf law over `RANKS` ranks with
/// exponent `EXPONENT`, from a generator seeded with `seed`.
fn zipf_counts(seed: u64) -> Vec<usize> {
    let zipf = Zipf::new(RANKS, EXPONENT).expect("valid parameters");
    let mut rng = Rng::new(seed);
    let mut counts = vec![0; RANKS];
    for _ in 0..DRAWS {
        counts[zipf.sample(&mut rng)] += 1;
    }
    counts
}

/// The counts for seed 7 are pinned: a change means `Zipf::sample` or `Rng` draws differently,
/// which changes every lesson built on them.
#[test]
fn zipf_draws_for_a_fixed_seed_are_pinned() {
    assert_eq!(
        zipf_counts(7),
        [
            40280, 17776, 10843, 7689, 5928, 4760, 3966, 3317, 2825, 2616
        ]
    );
}

/// Rank 1 (index 0) is drawn most, and each rank `k` comes up about `1/k^s` times as often as
/// rank 1. The rarest rank is expected about 2 600 times in 100 000 draws, with a standard
/// deviation near 2%, so a 6% tolerance on the ratio is three standard deviations.
#[test]
fn zipf_draws_follow_the_inverse_power_law() {
    let counts = zipf_counts(7);
    assert_eq!(counts.iter().sum::<usize>(), DRAWS);
    assert!(
        counts.windows(2).all(|pair| pair[0] > pair[1]),
        "{counts:?}"
    );
    for (index, &count) in counts.iter().enumerate() {
        let rank = (index + 1) as f64;
        let law = 1.0 / rank.powf(EXPONENT);
        let seen = count as f64 / counts[0] as f64;
        assert!(
            (seen / law - 1.0).abs() < 0.06,
            "rank {rank}: {seen:.4} of rank 1's count, the law says {law:.4}"
        );
    }
}

/// With ties (Zipf ranks), the CDF has one point per distinct value, at exactly the running
/// share of the draws.
#[test]
fn the_cdf_of_zipf_draws_steps_at_each_rank_by_its_share() {
    let zipf = Zipf::new(RANKS, EXPONENT).unwrap();
    let mut rng = Rng::new(7);
    let draws: Vec<f64> = (0..DRAWS).map(|_| zipf.sample(&mut rng) as f64).collect();
    let cdf = Cdf::new(draws).unwrap();
    let mut running = 0;
    let expected: Vec<(f64, f64)> = zipf_counts(7)
        .iter()
        .enumerate()
        .map(|(rank, &count)| {
            running += count;
            (rank as f64, running as f64 / DRAWS as f64)
        })
        .collect();
    assert_eq!(cdf.points(), expected);
}

/// Without ties (normal draws), the CDF's values rise strictly, its fractions never fall, it
/// ends at exactly 1, and `fraction_at_most` agrees with its points.
#[test]
fn an_empirical_cdf_is_monotone_and_reaches_one() {
    let mut rng = Rng::new(11);
    let values: Vec<f64> = (0..10_000).map(|_| rng.normal()).collect();
    let cdf = Cdf::new(values.iter().copied()).unwrap();
    let points = cdf.points();
    assert_eq!(points.len(), 10_000);
    assert!(points.windows(2).all(|pair| pair[0].0 < pair[1].0));
    assert!(points.windows(2).all(|pair| pair[0].1 <= pair[1].1));
    assert_eq!(points.last().unwrap().1, 1.0);
    assert_eq!(points[0].1, 1.0 / 10_000.0);
    assert_eq!(cdf.fraction_at_most(points[0].0 - 1.0), 0.0);
    for &(value, fraction) in points.iter().step_by(97) {
        assert_eq!(cdf.fraction_at_most(value), fraction);
    }
}
