//! The laws of the ML-platform lesson, for all inputs (proptest), the exact values the lesson
//! quotes, and its statistics checked against `statrs` on the same inputs.

use lessons::ml_platform::*;
use lessons::sim::{Rng, SimError, secs};
use proptest::prelude::*;
use statrs::distribution::{Binomial, ContinuousCDF, DiscreteCDF, Normal};

// --- Against statrs -----------------------------------------------------------------------

#[test]
fn the_normal_cdf_agrees_with_statrs_to_two_parts_in_ten_million() {
    let reference = Normal::standard();
    let mut largest_absolute = 0.0_f64;
    let mut largest_relative = 0.0_f64;
    for step in -800..=800 {
        let x = step as f64 / 100.0;
        let (ours, theirs) = (normal_cdf(x), reference.cdf(x));
        largest_absolute = largest_absolute.max((ours - theirs).abs());
        largest_relative = largest_relative.max((ours - theirs).abs() / theirs);
    }
    eprintln!(
        "normal CDF on [-8, 8]: largest difference {largest_absolute:.2e}, relative {largest_relative:.2e}"
    );
    assert!(largest_absolute < 1e-7);
    assert!(largest_relative < 1.2e-7);
}

#[test]
fn the_normal_quantile_agrees_with_statrs_to_a_part_in_a_billion() {
    let reference = Normal::standard();
    let mut largest_relative = 0.0_f64;
    let mut p = 1e-9;
    while p < 1.0 - 1e-9 {
        let (ours, theirs) = (normal_quantile(p).unwrap(), reference.inverse_cdf(p));
        if theirs != 0.0 {
            largest_relative = largest_relative.max(((ours - theirs) / theirs).abs());
        }
        p = if p < 0.01 { p * 1.7 } else { p + 0.001 };
    }
    eprintln!(
        "normal quantile on (1e-9, 1 - 1e-9): largest relative difference {largest_relative:.2e}"
    );
    assert!(largest_relative < 1.2e-9);
}

#[test]
fn the_binomial_cdf_agrees_with_statrs() {
    let mut largest = 0.0_f64;
    for (n, p) in [
        (1_000, 0.003),
        (10_000, 0.005),
        (990_000, 0.003),
        (50, 0.5),
        (7, 0.9),
    ] {
        let reference = Binomial::new(p, n).unwrap();
        let mean = (n as f64 * p) as u64;
        for k in (0..=(3 * mean + 10).min(n)).step_by(1 + mean as usize / 50) {
            let ours = binomial_cdf(k, n, p).unwrap();
            largest = largest.max((ours - reference.cdf(k)).abs());
        }
    }
    eprintln!("binomial CDF: largest difference {largest:.2e}");
    assert!(largest < 1e-9);
}

// --- The exact values the notebook quotes --------------------------------------------------

#[test]
fn claim_c22_numbers() {
    let baseline = Arm::new(2_970, 990_000).unwrap();
    let big = two_proportion_z(Arm::new(50, 10_000).unwrap(), baseline);
    let small = two_proportion_z(Arm::new(5, 1_000).unwrap(), baseline);
    assert_eq!(format!("{big:.2}"), "3.63");
    assert_eq!(format!("{big:.3}"), "3.627");
    assert_eq!(format!("{small:.3}"), "1.155");
    // Against a known baseline rate of exactly 0.3% (no baseline noise): the curriculum's 1.16.
    let known = (0.005 - 0.003) / (0.003_f64 * 0.997 / 1_000.0).sqrt();
    assert_eq!(format!("{known:.2}"), "1.16");
    assert_eq!(
        sample_size_per_arm(0.003, 0.005, 0.05, 0.8).unwrap(),
        15_634
    );
    assert_eq!(
        canary_requests_needed(0.003, 0.005, 0.5, 0.05, 0.8).unwrap(),
        15_634
    );
    assert_eq!(
        canary_requests_needed(0.003, 0.005, 0.01, 0.05, 0.8).unwrap(),
        7_025
    );
}

#[test]
fn psi_and_ks_exact_values() {
    let value = psi(&[0.25; 4], &[0.10, 0.20, 0.30, 0.40]).unwrap();
    assert_eq!(format!("{value:.4}"), "0.2282");
    let critical = ks_critical_value(0.05, 1_000, 1_000).unwrap();
    assert_eq!(format!("{critical:.4}"), "0.0607");
    assert_eq!(
        format!("{:.4}", critical / (2.0_f64 / 1_000.0).sqrt()),
        "1.3581"
    );
}

#[test]
fn a_canary_with_the_baseline_rate_is_falsely_aborted_about_alpha_of_the_time_once_and_more_with_peeking()
 {
    let rows = canary_experiment(&CanaryParameters::default(), 4_000, 7).unwrap();
    let end = rows.last().unwrap();
    assert!((end.look_once - 0.05).abs() < 0.015, "{end:?}");
    assert!(end.peeking > 0.05 + 0.1, "{end:?}");
    assert!(end.sequential <= 0.05 + 0.01, "{end:?}");
    // Peeking only ever adds aborts.
    assert!(
        rows.windows(2)
            .all(|pair| pair[1].peeking >= pair[0].peeking)
    );
}

#[test]
fn simulated_power_follows_the_formula() {
    let rows =
        ab_power_experiment(0.003, &[0.005], &[2_000, 15_634, 30_000], 2_000, 0.05, 3).unwrap();
    for row in rows {
        assert!((row.simulated - row.formula).abs() < 0.05, "{row:?}");
    }
}

#[test]
fn ks_false_alarms_stay_near_alpha_while_psi_false_alarms_depend_on_the_window() {
    let rows = false_alarm_experiment(&[50, 1_000], 400, 5).unwrap();
    assert!(rows.iter().all(|row| row.ks_alarm_rate < 0.1));
    assert!(rows[0].psi_alarm_rate > 0.3 && rows[1].psi_alarm_rate == 0.0);
}

#[test]
fn invalid_parameters_say_what_is_allowed() {
    let cases: [(Result<u64, SimError>, &str); 3] = [
        (
            sample_size_per_arm(0.003, 0.005, 1.0, 0.8),
            "alpha 1 is not allowed; it must be strictly between 0 and 1",
        ),
        (
            sample_size_per_arm(0.003, 0.005, 0.05, 0.0),
            "power 0 is not allowed; it must be strictly between 0 and 1",
        ),
        (
            sample_size_per_arm(0.003, -0.1, 0.05, 0.8),
            "rate p2 -0.1 is not allowed; a rate is from 0 to 1",
        ),
    ];
    for (result, message) in cases {
        assert_eq!(result.unwrap_err().to_string(), message);
    }
    assert_eq!(
        Arm::new(11, 10).unwrap_err().to_string(),
        "hits 11 is not allowed; hits are counted among the 10 trials, so at most 10"
    );
    assert_eq!(
        ks_statistic(&[], &[1.0]).unwrap_err().to_string(),
        "the KS first sample of no values is undefined; give at least one value"
    );
    assert!(mann_whitney_u(&[1.0], &[]).is_err());
    assert!(psi(&[0.5, 0.5], &[1.0]).is_err());
    assert!(
        canary_experiment(
            &CanaryParameters {
                alpha: 0.0,
                ..CanaryParameters::default()
            },
            10,
            1
        )
        .is_err()
    );
    assert!(threshold_metrics(&[0.5, 0.6], &[true, true], 0.5).is_err());
    assert!(grid_search(10).is_err());
    assert!(ring_all_reduce(&[vec![1, 2], vec![3]]).is_err());
    assert!(all_reduce_rows(&[1], 1.0, 1.0, 0.0).is_err());
}

// --- Laws ---------------------------------------------------------------------------------

fn shares(weights: &[f64]) -> Vec<f64> {
    let total: f64 = weights.iter().sum();
    weights.iter().map(|weight| weight / total).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn psi_is_zero_on_identical_shares_non_negative_and_symmetric(
        pairs in prop::collection::vec((0.01_f64..1.0, 0.01_f64..1.0), 2..12)
    ) {
        let expected = shares(&pairs.iter().map(|pair| pair.0).collect::<Vec<_>>());
        let actual = shares(&pairs.iter().map(|pair| pair.1).collect::<Vec<_>>());
        prop_assert_eq!(psi(&expected, &expected).unwrap(), 0.0);
        let forward = psi(&expected, &actual).unwrap();
        prop_assert!(forward >= 0.0);
        prop_assert!((forward - psi(&actual, &expected).unwrap()).abs() < 1e-12);
    }

    #[test]
    fn ks_d_is_in_the_unit_interval_and_zero_for_identical_samples(
        first in prop::collection::vec(-5.0_f64..5.0, 1..60),
        second in prop::collection::vec(-5.0_f64..5.0, 1..60),
    ) {
        let d = ks_statistic(&first, &second).unwrap();
        prop_assert!((0.0..=1.0).contains(&d));
        prop_assert_eq!(ks_statistic(&first, &first).unwrap(), 0.0);
    }

    #[test]
    fn mann_whitney_on_counts_is_mann_whitney_on_outcomes_and_the_pooled_z_rescaled(
        (n1, x1) in (1_u64..40).prop_flat_map(|n| (Just(n), 0..=n)),
        (n2, x2) in (1_u64..40).prop_flat_map(|n| (Just(n), 0..=n)),
    ) {
        let outcomes = |hits: u64, trials: u64| -> Vec<f64> {
            (0..trials).map(|i| if i < hits { 1.0 } else { 0.0 }).collect()
        };
        let first = Arm::new(x1, n1).unwrap();
        let second = Arm::new(x2, n2).unwrap();
        let counted = mann_whitney_binary(first, second);
        let spelled = mann_whitney_u(&outcomes(x1, n1), &outcomes(x2, n2)).unwrap();
        prop_assert!((counted.u - spelled.u).abs() < 1e-9);
        prop_assert!((counted.z - spelled.z).abs() < 1e-9);
        let n = (n1 + n2) as f64;
        let pooled = two_proportion_z(first, second);
        prop_assert!((counted.z - pooled * ((n - 1.0) / n).sqrt()).abs() < 1e-9);
        // The two tests agree in direction.
        prop_assert_eq!(counted.z.signum() * pooled.signum() >= 0.0, true);
    }

    #[test]
    fn auc_is_the_mann_whitney_u_over_the_pairs_with_ties_counted_one_half(
        scored in prop::collection::vec((0_u8..6, any::<bool>()), 2..80)
    ) {
        let scores: Vec<f64> = scored.iter().map(|&(score, _)| f64::from(score)).collect();
        let labels: Vec<bool> = scored.iter().map(|&(_, label)| label).collect();
        let positives: Vec<f64> = scored.iter().filter(|s| s.1).map(|s| f64::from(s.0)).collect();
        let negatives: Vec<f64> = scored.iter().filter(|s| !s.1).map(|s| f64::from(s.0)).collect();
        prop_assume!(!positives.is_empty() && !negatives.is_empty());
        let auc = roc_auc(&scores, &labels).unwrap();
        let test = mann_whitney_u(&positives, &negatives).unwrap();
        prop_assert!((auc - test.u / (positives.len() * negatives.len()) as f64).abs() < 1e-12);
        // And by brute force over the pairs.
        let mut wins = 0.0;
        for p in &positives {
            for q in &negatives {
                wins += if p > q { 1.0 } else if p == q { 0.5 } else { 0.0 };
            }
        }
        prop_assert!((auc - wins / (positives.len() * negatives.len()) as f64).abs() < 1e-12);
    }

    #[test]
    fn f1_is_the_harmonic_mean_and_no_metric_depends_on_the_order(
        scored in prop::collection::vec((0.0_f64..1.0, any::<bool>()), 2..60),
        threshold in 0.0_f64..1.0,
        seed in any::<u64>(),
    ) {
        let scores: Vec<f64> = scored.iter().map(|s| s.0).collect();
        let labels: Vec<bool> = scored.iter().map(|s| s.1).collect();
        prop_assume!(labels.iter().any(|&l| l) && labels.iter().any(|&l| !l));
        let metrics = threshold_metrics(&scores, &labels, threshold).unwrap();
        let (p, r) = (metrics.precision, metrics.recall);
        if p + r > 0.0 {
            prop_assert!((metrics.f1 - 2.0 / (1.0 / p + 1.0 / r)).abs() < 1e-12);
        }
        let mut order: Vec<usize> = (0..scores.len()).collect();
        Rng::new(seed).shuffle(&mut order);
        let shuffled_scores: Vec<f64> = order.iter().map(|&i| scores[i]).collect();
        let shuffled_labels: Vec<bool> = order.iter().map(|&i| labels[i]).collect();
        prop_assert_eq!(threshold_metrics(&shuffled_scores, &shuffled_labels, threshold).unwrap(), metrics);
        prop_assert!((roc_auc(&shuffled_scores, &shuffled_labels).unwrap() - roc_auc(&scores, &labels).unwrap()).abs() < 1e-12);
    }

    #[test]
    fn at_a_fixed_total_the_even_split_has_the_smallest_spread(
        rate in 0.001_f64..0.999,
        total in 100_u64..1_000_000,
        share in 0.01_f64..0.99,
    ) {
        let treatment = ((total as f64 * share).round() as u64).clamp(1, total - 1);
        let uneven = difference_sd(rate, treatment, rate, total - treatment).unwrap();
        let even = difference_sd(rate, total / 2, rate, total - total / 2).unwrap();
        prop_assert!(even <= uneven + 1e-15);
    }

    #[test]
    fn the_as_of_join_never_uses_a_value_written_after_the_event_and_takes_the_newest_before(
        updates in prop::collection::vec((0_u64..4, 0_i64..100, -5.0_f64..5.0), 0..40),
        events in prop::collection::vec((0_u64..4, 0_i64..100), 1..20),
    ) {
        let updates: Vec<FeatureUpdate> = updates
            .iter()
            .map(|&(entity, at, value)| FeatureUpdate { entity, written_at: secs(at), value })
            .collect();
        let events: Vec<LabelEvent> = events
            .iter()
            .map(|&(entity, at)| LabelEvent { entity, at: secs(at), label: at % 2 == 0 })
            .collect();
        for joined in as_of_join(&events, &updates) {
            let eligible = updates
                .iter()
                .filter(|u| u.entity == joined.event.entity && u.written_at <= joined.event.at);
            match joined.written_at {
                Some(at) => {
                    prop_assert!(at <= joined.event.at);
                    prop_assert_eq!(Some(at), eligible.map(|u| u.written_at).max());
                }
                None => prop_assert_eq!(eligible.count(), 0),
            }
        }
    }

    #[test]
    fn nine_trials_give_a_grid_three_values_of_each_parameter_and_random_search_nine(seed in any::<u64>()) {
        prop_assert_eq!(distinct_important_values(&grid_search(9).unwrap()), 3);
        prop_assert_eq!(distinct_important_values(&random_search(9, seed).unwrap()), 9);
    }

    #[test]
    fn ring_all_reduce_leaves_the_exact_sum_everywhere_and_each_worker_sends_2_n_minus_1_over_n_of_it(
        workers in 1_usize..9,
        chunks in 0_usize..6,
        extra in 0_usize..9,
        seed in any::<u64>(),
    ) {
        let size = workers * chunks + extra;
        let mut rng = Rng::new(seed);
        let gradients: Vec<Vec<i64>> = (0..workers)
            .map(|_| (0..size).map(|_| rng.below(2_000) as i64 - 1_000).collect())
            .collect();
        let run = ring_all_reduce(&gradients).unwrap();
        let sum: Vec<i64> = (0..size).map(|i| gradients.iter().map(|g| g[i]).sum()).collect();
        prop_assert!(run.results.iter().all(|result| result == &sum));
        prop_assert_eq!(run.elements_sent.iter().sum::<usize>(), 2 * (workers - 1) * size);
        if extra == 0 {
            let each = 2 * (workers - 1) * size / workers;
            prop_assert!(run.elements_sent.iter().all(|&sent| sent == each));
        }
    }

    #[test]
    fn the_quantile_inverts_the_cdf(p in 1e-6_f64..(1.0 - 1e-6)) {
        let x = normal_quantile(p).unwrap();
        prop_assert!((normal_cdf(x) - p).abs() < 2e-7 * p.min(1.0 - p).max(1e-3));
    }
}

// --- Feature freshness, serving, late labels, retraining ------------------------------------

#[test]
fn the_chi_square_tail_agrees_with_statrs() {
    use statrs::distribution::ChiSquared;
    let mut largest = 0.0_f64;
    for degrees_of_freedom in 1..=30_u32 {
        let reference = ChiSquared::new(f64::from(degrees_of_freedom)).unwrap();
        for step in 1..=400 {
            let x = f64::from(step) * 0.25;
            let ours = chi_square_upper_tail(x, degrees_of_freedom);
            largest = largest.max((ours - reference.sf(x)).abs());
        }
    }
    eprintln!(
        "chi-square upper tail, 1 to 30 degrees of freedom: largest difference {largest:.2e}"
    );
    assert!(largest < 1e-7);
}

#[test]
fn a_new_category_moves_psi_by_the_floor_and_chi_square_sees_it() {
    let (reference, window) = ([6_000, 3_000, 1_000, 0], [594, 297, 99, 10]);
    let floor = |floor: f64| format!("{:.3}", category_psi(&reference, &window, floor).unwrap());
    assert_eq!(
        (floor(1e-4), floor(1e-6)),
        ("0.046".to_string(), "0.092".to_string())
    );
    let test = chi_square_homogeneity(&reference, &window).unwrap();
    assert_eq!(test.degrees_of_freedom, 3);
    assert_eq!(format!("{:.1}", test.statistic), "100.1");
}

#[test]
fn the_freshness_and_serving_experiments_refuse_what_they_cannot_model() {
    let pipeline = Pipeline::feature_store();
    let short_day = FreshnessParameters {
        period: secs(3_600),
        ..FreshnessParameters::default()
    };
    let message = freshness_experiment(&pipeline, &short_day, 1)
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("must finish within the period"),
        "{message}"
    );
    let free = BatchingParameters {
        setup: secs(0),
        per_request: secs(0),
        ..BatchingParameters::default()
    };
    assert!(batching_run(&free, 1).is_err());
    assert!(staleness_experiment(&[secs(60)], secs(60), 0.1, 10, 1).is_err());
    assert!(retraining_run(&RetrainingParameters::default(), RetrainPolicy::Every(0), 1).is_err());
    assert!(chi_square_homogeneity(&[1, 2], &[3]).is_err());
}

/// A random DAG: each task's parents are drawn from the tasks before it, then the list is
/// shuffled so the pipeline has to find the order itself.
fn random_pipeline(
    parent_bits: &[u8],
    failure_probabilities: &[f64],
    shuffle_seed: u64,
) -> Pipeline {
    let mut tasks: Vec<Task> = failure_probabilities
        .iter()
        .enumerate()
        .map(|(index, &failure)| {
            let names: Vec<String> = (0..index)
                .filter(|&parent| parent_bits[index] >> (parent % 8) & 1 == 1)
                .map(|parent| format!("t{parent}"))
                .collect();
            let parents: Vec<&str> = names.iter().map(String::as_str).collect();
            Task::new(&format!("t{index}"), &parents, secs(600), failure)
        })
        .collect();
    Rng::new(shuffle_seed).shuffle(&mut tasks);
    Pipeline::new(tasks).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(100))]

    #[test]
    fn a_task_starts_only_after_all_its_parents_succeeded_in_the_same_run(
        (parent_bits, failures) in (2_usize..9).prop_flat_map(|n| (
            prop::collection::vec(any::<u8>(), n),
            prop::collection::vec(0.0_f64..0.6, n),
        )),
        retries in 0_u32..3,
        shuffle_seed in any::<u64>(),
        seed in any::<u64>(),
    ) {
        let pipeline = random_pipeline(&parent_bits, &failures, shuffle_seed);
        let (attempts, outcome) = pipeline.run(0, secs(0), retries, secs(60), &mut Rng::new(seed));
        for attempt in &attempts {
            let task = pipeline.tasks().iter().find(|task| task.name == attempt.task).unwrap();
            for parent in &task.parents {
                let parent_done = attempts.iter().any(|earlier| {
                    &earlier.task == parent && earlier.succeeded && earlier.ended <= attempt.started
                });
                prop_assert!(parent_done, "{} started before {} succeeded", attempt.task, parent);
            }
        }
        let all_succeeded = pipeline
            .tasks()
            .iter()
            .all(|task| attempts.iter().any(|a| a.task == task.name && a.succeeded));
        prop_assert_eq!(all_succeeded, matches!(outcome, RunOutcome::Succeeded(_)));
    }

    #[test]
    fn the_feature_age_never_decreases_except_at_a_materialization(
        writes in prop::collection::vec(0_i64..1_000, 1..20),
        moments in prop::collection::vec(0_i64..1_200, 2..30),
    ) {
        let writes: Vec<_> = writes.into_iter().map(secs).collect();
        let mut moments: Vec<_> = moments.into_iter().map(secs).collect();
        moments.sort();
        for pair in moments.windows(2) {
            let (before, after) = (pair[0], pair[1]);
            let written_between = writes.iter().any(|&at| at > before && at <= after);
            match (feature_age(&writes, before), feature_age(&writes, after)) {
                (Some(old), Some(new)) if !written_between => {
                    prop_assert_eq!(new, old + (after - before));
                }
                (Some(old), Some(new)) if new < old => prop_assert!(written_between),
                (None, Some(_)) => prop_assert!(written_between),
                (Some(_), None) => prop_assert!(false, "a written feature lost its age"),
                _ => {}
            }
        }
    }

    #[test]
    fn the_age_alert_fires_within_one_check_interval_of_the_breach(
        check_minutes in 1_i64..120,
        slo_hours in 2_i64..60,
        skip_probability in 0.0_f64..0.5,
        retries in 0_u32..2,
        seed in any::<u64>(),
    ) {
        let parameters = FreshnessParameters {
            check_interval: secs(60 * check_minutes),
            slo: secs(3_600 * slo_hours),
            skip_probability,
            retries,
            ..FreshnessParameters::default()
        };
        let run = freshness_experiment(&Pipeline::feature_store(), &parameters, seed).unwrap();
        let check_hours = check_minutes as f64 / 60.0;
        for episode in &run.episodes {
            match episode.age_alert_delay_hours {
                Some(delay) => {
                    prop_assert!(delay > 0.0 && delay <= check_hours + 1e-3, "{episode:?}");
                    let fired = episode.breached_hour + delay;
                    let row = run.ages.iter().find(|row| (row.hour - fired).abs() < 2e-3).unwrap();
                    prop_assert!(row.above_slo);
                }
                // Only a stretch shorter than a check interval can slip between two checks.
                None => prop_assert!(episode.stale_hours <= check_hours + 1e-3, "{episode:?}"),
            }
        }
    }

    #[test]
    fn the_batcher_serves_every_request_once_in_order_and_never_waits_past_max_wait(
        gaps in prop::collection::vec(0_i64..20_000, 1..300),
        max_batch in 1_usize..40,
        max_wait in 0_i64..20_000,
        setup in 0_i64..10_000,
        per_request in 1_i64..2_000,
    ) {
        let mut clock = lessons::sim::Time::ZERO;
        let arrivals: Vec<_> = gaps.iter().map(|&gap| { clock += lessons::sim::us(gap); clock }).collect();
        let server = BatchingParameters {
            max_batch,
            max_wait: lessons::sim::us(max_wait),
            setup: lessons::sim::us(setup),
            per_request: lessons::sim::us(per_request),
            ..BatchingParameters::default()
        };
        let batches = serve_in_batches(&arrivals, &server).unwrap();
        let mut next = 0;
        let mut free_at = lessons::sim::Time::ZERO;
        for batch in &batches {
            prop_assert_eq!(batch.first, next);
            prop_assert!(batch.size >= 1 && batch.size <= max_batch);
            prop_assert!(batch.closed >= arrivals[batch.first + batch.size - 1]);
            prop_assert!(batch.closed >= free_at);
            let oldest_waited_enough = arrivals[batch.first] + server.max_wait;
            prop_assert!(batch.closed <= free_at.max(oldest_waited_enough));
            next += batch.size;
            free_at = batch.done;
        }
        prop_assert_eq!(next, arrivals.len());
    }

    #[test]
    fn a_batch_prediction_is_between_run_time_and_run_time_plus_period_old(
        period in 2_i64..100_000,
        run_share in 0.0_f64..1.0,
        now in 0_i64..10_000_000,
    ) {
        let run_time = secs(((period - 1) as f64 * run_share) as i64);
        let (period, now) = (secs(period), secs(now));
        match served_snapshot(now, period, run_time) {
            Some(snapshot) => {
                prop_assert!(now - snapshot >= run_time && now - snapshot < run_time + period);
            }
            None => prop_assert!(now < run_time),
        }
    }

    #[test]
    fn a_label_delay_moves_every_monitor_reading_by_exactly_the_delay(
        delay_minutes in 0_i64..20_000,
        seed in any::<u64>(),
    ) {
        let parameters = LabelDelayParameters {
            horizon: secs(4 * 24 * 3_600),
            ..LabelDelayParameters::default()
        };
        let prompt = accuracy_monitor(&parameters, secs(0), seed).unwrap();
        let late = accuracy_monitor(&parameters, secs(60 * delay_minutes), seed).unwrap();
        prop_assert_eq!(prompt.len(), late.len());
        for (now, later) in prompt.iter().zip(&late) {
            prop_assert_eq!(later.at - now.at, secs(60 * delay_minutes));
            prop_assert_eq!((later.accuracy, later.alarm), (now.accuracy, now.alarm));
        }
    }

    #[test]
    fn with_a_noiseless_monitor_the_trigger_never_serves_a_model_past_its_threshold_two_days_running(
        threshold in 0.0_f64..0.5,
        daily_drift in 0.0_f64..0.1,
        jump_probability in 0.0_f64..0.2,
        seed in any::<u64>(),
    ) {
        let world = RetrainingParameters {
            days: 200,
            daily_drift,
            jump_probability,
            monitor_noise: 0.0,
            ..RetrainingParameters::default()
        };
        let days = retraining_run(&world, RetrainPolicy::OnDrift(threshold), seed).unwrap();
        for pair in days.windows(2) {
            let far = |day: &RetrainingDay| day.monitor_reading > threshold;
            prop_assert!(!(far(&pair[0]) && far(&pair[1])), "{:?}", pair);
            prop_assert_eq!(pair[1].retrained, far(&pair[0]));
        }
    }
}
