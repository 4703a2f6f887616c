//! Laws of physical time, slews, last-writer-wins and commit wait, for arbitrary parameters.

use lessons::clocks::{
    CommitWaitParameters, LwwParameters, MisorderParameters, MonotonicClock, Stamping, WriteFate,
    commit_wait, lww_experiment, lww_fates, lww_run, misordered_pairs,
};
use lessons::sim::{Latency, PhysicalClock, Time, ms, us};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn a_perfect_clock_reads_true_time(nanos in 0i64..i64::MAX / 2) {
        let truth = Time::from_nanos(nanos);
        prop_assert_eq!(PhysicalClock::new().reading(truth), truth);
    }

    #[test]
    fn slews_never_make_a_clock_go_back_and_end_with_their_full_correction(
        offset in -100i64..100,
        drift in 0i64..1_000,
        slews in prop::collection::vec((0i64..1_000, -50_000i64..50_000), 0..4),
        samples in prop::collection::vec(0i64..200_000, 2..50),
    ) {
        let clock = slews.iter().fold(
            PhysicalClock::new().offset(ms(offset)).drift_ppm(drift),
            |clock, &(at, by)| clock.slew_at(ms(at), us(by)),
        );
        let mut times: Vec<Time> = samples.into_iter().map(ms).collect();
        times.sort();
        for pair in times.windows(2) {
            prop_assert!(clock.reading(pair[0]) <= clock.reading(pair[1]));
        }
        // 50 ms at 500 ppm takes 100 s: by 201 s every slew is done, and the clock reads as
        // if each correction had been a step.
        let done = ms(201_000);
        let stepped = slews.iter().fold(
            PhysicalClock::new().offset(ms(offset)).drift_ppm(drift),
            |clock, &(at, by)| clock.step_at(ms(at), us(by)),
        );
        prop_assert_eq!(clock.reading(done), stepped.reading(done));
    }

    #[test]
    fn a_monotonic_clock_never_goes_back_even_when_its_clock_does(
        offset in -100i64..100,
        drift in -1_000i64..1_000,
        steps in prop::collection::vec((0i64..1_000, -50i64..50), 0..4),
        samples in prop::collection::vec(0i64..1_000, 1..50),
    ) {
        let clock = steps.iter().fold(
            PhysicalClock::new().offset(ms(offset)).drift_ppm(drift),
            |clock, &(at, by)| clock.step_at(ms(at), ms(by)),
        );
        let mut times: Vec<Time> = samples.into_iter().map(ms).collect();
        times.sort();
        let mut monotonic = MonotonicClock::new();
        let mut previous = Time::MIN;
        for time in times {
            let raw = clock.reading(time);
            let reading = monotonic.read(raw);
            prop_assert!(reading >= previous && reading >= raw);
            previous = reading;
        }
    }

    #[test]
    fn misordered_pairs_follow_the_formula(skew in 1i64..100, gap in 0i64..100, seed: u64) {
        let parameters = MisorderParameters { skew: ms(skew), gap: ms(gap), pairs: 20_000 };
        let row = misordered_pairs(&parameters, seed).unwrap();
        prop_assert!((row.fraction - row.expected).abs() < 0.02, "{:?}", row);
        if gap >= skew {
            prop_assert_eq!(row.misordered, 0);
        }
    }

    #[test]
    fn logical_stamps_never_lose_a_write_to_one_it_read(
        writers in 2usize..5,
        skew in 0i64..200,
        writes_per_writer in 1usize..30,
        gap in 2i64..50,
        seed: u64,
    ) {
        let parameters = LwwParameters {
            writers,
            skew: ms(skew),
            writes_per_writer,
            mean_gap: ms(gap),
            latency: Latency::uniform(ms(1), ms(20)),
        };
        for row in lww_experiment(&parameters, seed).unwrap() {
            prop_assert_eq!(row.lost, row.lost_to_older + row.lost_to_concurrent);
            if row.stamping != Stamping::Wall.name() {
                prop_assert_eq!(row.lost_to_older, 0, "{:?}", row);
            }
        }
    }

    /// A writes, B reads A's write and writes `later` after it; A's clock is `ahead` fast. By
    /// wall clock B's write is lost exactly when A is more than `later` ahead (a tie goes to B,
    /// the larger node id); by Lamport or hybrid stamps it always survives.
    #[test]
    fn a_slow_writer_loses_a_write_made_after_reading_a_fast_one(
        ahead in 0i64..100_000,
        later in 2_000i64..50_000,
    ) {
        let clocks = vec![PhysicalClock::new().offset(us(ahead)), PhysicalClock::new()];
        let schedules = vec![vec![ms(10)], vec![ms(10) + us(later)]];
        for stamping in Stamping::ALL {
            let run = lww_run(stamping, &clocks, &schedules, &Latency::constant(ms(1)), 1).unwrap();
            let fates: Vec<WriteFate> = lww_fates(&run).into_iter().map(|(_, fate)| fate).collect();
            let expected = if stamping == Stamping::Wall && ahead > later {
                [WriteFate::Kept, WriteFate::LostToOlder]
            } else {
                [WriteFate::Kept, WriteFate::Kept]
            };
            prop_assert_eq!(fates, expected, "{:?}", stamping);
        }
    }

    #[test]
    fn commit_wait_keeps_timestamps_in_real_time_order_and_costs_two_epsilon(
        epsilon in 0i64..50_000,
        nodes in 2usize..8,
        pause in 0i64..5_000,
        seed: u64,
    ) {
        let parameters = CommitWaitParameters {
            epsilon: us(epsilon),
            nodes,
            transactions: 500,
            commit_wait: true,
            max_pause: us(pause),
        };
        let row = commit_wait(&parameters, seed).unwrap();
        prop_assert_eq!(row.violations, 0);
        let expected = (us(2 * epsilon) + Time::from_nanos(1)).as_millis_f64();
        prop_assert!((row.mean_wait_ms - expected).abs() < 1e-9);
    }
}

/// Without commit wait, a transaction that starts right after another commits gets a smaller
/// timestamp whenever its node's clock is behind the other's: some uncertainty is enough.
#[test]
fn without_commit_wait_uncertainty_breaks_external_consistency() {
    for seed in 0..20 {
        let parameters = CommitWaitParameters {
            epsilon: us(100),
            commit_wait: false,
            max_pause: Time::ZERO,
            transactions: 1_000,
            ..CommitWaitParameters::default()
        };
        assert!(commit_wait(&parameters, seed).unwrap().violations > 0);
    }
    let exact = CommitWaitParameters {
        epsilon: Time::ZERO,
        commit_wait: false,
        ..CommitWaitParameters::default()
    };
    assert_eq!(commit_wait(&exact, 1).unwrap().violations, 0);
}
