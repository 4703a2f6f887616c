//! The Rust code of `notebooks/16-ml-platform-experiments.ipynb`, cell by cell, as one program.
//!
//! Each `// cell` line starts the code of the next notebook code cell (after the `:dep` cell); a
//! cell whose last line is a bare variable shows that value, which here is spelled
//! `variable.evcxr_display();`. `tests/ml_platform_experiments_notebook.rs` checks that the two
//! stay identical, runs this program, and the assertions at the end pin the numbers the
//! notebook's prose quotes.
//!
//! Run it with `cargo run -p lessons --example ml_platform_experiments`.

use std::error::Error;

pub fn main() -> Result<(), Box<dyn Error>> {
    // cell
    use lessons::display::RichDisplay;
    use lessons::ml_platform::*;
    use lessons::sim::secs;
    use lessons::table::Table;
    use lessons::try_it::check_prediction;

    // cell
    let baseline = Arm::new(2_970, 990_000)?;
    let mut evidence_table = Table::new([
        "canary",
        "canary rate",
        "baseline rate",
        "naive: abort?",
        "z",
        "p (one-sided)",
        "Mann-Whitney z",
        "z test: abort?",
    ]);
    let mut evidence = Vec::new();
    for canary in [Arm::new(5, 1_000)?, Arm::new(50, 10_000)?] {
        let row = canary_evidence(canary, baseline, 0.05)?;
        evidence_table.push_row([
            format!("{} of {}", canary.hits, canary.trials),
            format!("{:.2}%", row.canary_rate * 100.0),
            format!("{:.2}%", row.baseline_rate * 100.0),
            row.naive_abort.to_string(),
            format!("{:.2}", row.z),
            format!("{:.4}", row.p_value),
            format!("{:.2}", row.mann_whitney_z),
            row.z_abort.to_string(),
        ])?;
        evidence.push(row);
    }
    evidence_table.evcxr_display();

    // cell
    let healthy_shows_five = 1.0 - binomial_cdf(4, 1_000, 0.003)?;
    let per_arm = sample_size_per_arm(0.003, 0.005, 0.05, 0.8)?;
    let one_percent_canary = canary_requests_needed(0.003, 0.005, 0.01, 0.05, 0.8)?;
    let power_at_ten_thousand = power_two_proportions(0.005, 10_000, 0.003, 990_000, 0.05)?;
    println!("a healthy canary (0.3%) shows 5+ errors in 1,000 requests: {healthy_shows_five:.4}");
    println!("equal arms, 80% power: {per_arm} requests per arm");
    println!("a 1% canary against the other 99%: {one_percent_canary} canary requests");
    println!("power with 10,000 canary requests: {power_at_ten_thousand:.3}");

    // cell
    let healthy = CanaryParameters::default();
    let healthy_rows = canary_experiment(&healthy, 2_000, 1)?;
    let healthy_end = *healthy_rows.last().ok_or("rows")?;
    println!(
        "after 60 minutes: one look {:.3}, a look every minute {:.3}, Bonferroni {:.3}, naive {:.3}",
        healthy_end.look_once, healthy_end.peeking, healthy_end.sequential, healthy_end.naive
    );
    canary_figure(
        &healthy_rows,
        "healthy canary (0.3% = 0.3%), every abort is false",
    )
    .show();

    // cell
    let bad = CanaryParameters {
        canary_rate: 0.005,
        ..CanaryParameters::default()
    };
    let bad_rows = canary_experiment(&bad, 2_000, 2)?;
    let bad_end = *bad_rows.last().ok_or("rows")?;
    let bad_at_ten = bad_rows[9];
    println!(
        "bad canary after 10 minutes: one look {:.3}, every minute {:.3}, Bonferroni {:.3}",
        bad_at_ten.look_once, bad_at_ten.peeking, bad_at_ten.sequential
    );
    println!(
        "after 60 minutes: one look {:.3}, every minute {:.3}, Bonferroni {:.3}",
        bad_end.look_once, bad_end.peeking, bad_end.sequential
    );
    canary_figure(&bad_rows, "bad (0.5% against 0.3%)").show();

    // cell
    let canary_rates = [0.004, 0.0045, 0.005, 0.006, 0.007, 0.008, 0.01];
    let required = required_requests_rows(0.003, &canary_rates, &[0.01, 0.05, 0.5], 0.05, 0.8)?;
    required_requests_figure(&required).show();
    Table::from_rows(&required[..7])?.show();

    // cell
    let prediction: Option<bool> = None; // does one look at 60 min catch a bad 1% canary 80% of the time?
    let small_canary = CanaryParameters {
        canary_rate: 0.005,
        canary_share: 0.01,
        ..CanaryParameters::default()
    };
    let small_rows = canary_experiment(&small_canary, 2_000, 3)?;
    let small_end = *small_rows.last().ok_or("rows")?;
    println!(
        "{}",
        check_prediction(
            prediction,
            small_end.look_once >= 0.8,
            format!(
                "A 1% canary sees {} requests in an hour, and one look catches the bad \
                 version in {:.1}% of the runs. For 80% a two-sided test needs about \
                 {one_percent_canary} canary requests: more than two hours at this traffic.",
                small_end.canary_requests,
                small_end.look_once * 100.0
            )
        )
    );

    // cell
    let arm_sizes = [2_000, 5_000, 10_000, 15_634, 20_000, 30_000];
    let power_rows =
        ab_power_experiment(0.003, &[0.004, 0.005, 0.006], &arm_sizes, 1_000, 0.05, 4)?;
    power_figure(&power_rows).show();
    let at_claim = power_rows
        .iter()
        .find(|row| row.treatment_rate == 0.005 && row.per_arm == 15_634)
        .copied()
        .ok_or("row")?;
    println!(
        "0.3% against 0.5%, 15,634 per arm: simulated {:.3}, formula {:.3}",
        at_claim.simulated, at_claim.formula
    );

    // cell
    let splits = [
        0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99,
    ];
    let allocation = allocation_experiment(0.05, 0.055, 100_000, &splits, 1_000, 0.05, 5)?;
    allocation_figure(&allocation, "100,000 users (5% against 5.5%)").show();
    let even_split = allocation[6];
    let one_percent_split = allocation[0];
    println!(
        "50/50: spread {:.5}, power {:.3}; 99/1: spread {:.5}, power {:.3}",
        even_split.difference_sd,
        even_split.formula,
        one_percent_split.difference_sd,
        one_percent_split.formula
    );

    // cell
    let prediction: Option<bool> = None; // does a 99/1 split need over 10 times the users of 50/50?
    let even_total = 2 * sample_size_per_arm(0.05, 0.055, 0.05, 0.8)?;
    let treatment_at_one_percent = canary_requests_needed(0.05, 0.055, 0.01, 0.05, 0.8)?;
    let skewed_total = treatment_at_one_percent * 100;
    println!(
        "{}",
        check_prediction(
            prediction,
            skewed_total > 10 * even_total,
            format!(
                "50/50 needs {even_total} users; 99/1 needs {skewed_total} ({:.1} times as \
                 many): the 1% arm's noise dominates the difference.",
                skewed_total as f64 / even_total as f64
            )
        )
    );

    // cell
    use lessons::viz::Figure;
    use lessons::widgets::{Control, Values, interact};

    fn power_view(values: &Values) -> Result<Figure, Box<dyn std::error::Error>> {
        let treatment = values.float("treatment rate (%)") / 100.0;
        let alpha = values.choice("alpha").parse()?;
        Ok(power_curve_figure(0.003, treatment, alpha, 200, 4)?)
    }
    interact(
        vec![
            Control::float("treatment rate (%)", 0.32, 1.0, 0.02, 0.5)?,
            Control::choice("alpha", &["0.01", "0.05", "0.1"], 1)?,
        ],
        power_view,
    )?;

    // cell
    let drift = DriftParameters::default();
    let drift_rows = drift_experiment(&drift, 6)?;
    let drift_alarms = AlarmSummary::of(&drift_rows);
    println!(
        "before the shift: PSI alarms {} of {}, KS alarms {}; after: PSI {} of {}, KS {}",
        drift_alarms.psi_before,
        drift_alarms.windows_before,
        drift_alarms.ks_before,
        drift_alarms.psi_after,
        drift_alarms.windows_after,
        drift_alarms.ks_after
    );
    println!(
        "largest PSI after a 0.2 standard-deviation shift: {:.3}",
        drift_alarms.largest_psi_after
    );
    drift_figure(&drift_rows, drift.psi_threshold).show();

    // cell
    let window_sizes = [30, 50, 100, 200, 500, 1_000, 2_000];
    let false_alarms = false_alarm_experiment(&window_sizes, 200, 7)?;
    false_alarm_figure(&false_alarms).show();
    let false_alarm_table = Table::from_rows(&false_alarms)?;
    false_alarm_table.evcxr_display();

    // cell
    let one_sample = ks_critical_value(0.05, 1_000, 1_000)?;
    let textbook = psi(&[0.25, 0.25, 0.25, 0.25], &[0.10, 0.20, 0.30, 0.40])?;
    println!("KS 5% critical value, 1,000 against 1,000: {one_sample:.4}");
    println!("PSI of [.25, .25, .25, .25] against [.10, .20, .30, .40]: {textbook:.4}");

    // cell
    let prediction: Option<bool> = None; // does PSI alarm when only the spread grows (sd 1 -> 1.5)?
    let wider = DriftParameters {
        shift: 0.0,
        spread: 1.5,
        ..DriftParameters::default()
    };
    let wider_alarms = AlarmSummary::of(&drift_experiment(&wider, 8)?);
    let psi_caught = wider_alarms.psi_after;
    let ks_caught = wider_alarms.ks_after;
    let mean_psi = wider_alarms.mean_psi_after;
    println!(
        "{}",
        check_prediction(
            prediction,
            psi_caught > 0,
            format!(
                "PSI alarms on {psi_caught} of {} shifted windows, KS on {ks_caught}. The wider \
                 spread moves values into the outer deciles, and PSI averages {mean_psi:.3}, \
                 right at its 0.2 line, so it flickers. KS's largest CDF gap is about 0.1 (at \
                 ±1.1 standard deviations), twice its critical value.",
                wider_alarms.windows_after
            )
        )
    );

    // cell
    fn drift_view(values: &Values) -> Result<Figure, Box<dyn std::error::Error>> {
        let parameters = DriftParameters {
            shift: values.float("shift (sd)"),
            spread: values.float("spread (sd)"),
            window_size: values.choice("window").parse()?,
            ..DriftParameters::default()
        };
        let rows = drift_experiment(&parameters, 6)?;
        Ok(drift_alarms_figure(&rows, parameters.psi_threshold))
    }
    interact(
        vec![
            Control::float("shift (sd)", 0.0, 1.0, 0.05, 0.2)?,
            Control::float("spread (sd)", 0.5, 2.0, 0.1, 1.0)?,
            Control::choice("window", &["50", "100", "200", "500", "1000"], 4)?,
        ],
        drift_view,
    )?;

    // cell
    let (scores, labels) = scored_examples(2_000, 2_000, 1.0, 9)?;
    let mut at_thresholds = Table::new(["threshold", "precision", "recall", "F1"]);
    for threshold in [-0.5, 0.0, 0.5, 1.0, 1.5] {
        let metrics = threshold_metrics(&scores, &labels, threshold)?;
        at_thresholds.push_row([
            format!("{threshold}"),
            format!("{:.3}", metrics.precision),
            format!("{:.3}", metrics.recall),
            format!("{:.3}", metrics.f1),
        ])?;
    }
    at_thresholds.evcxr_display();

    // cell
    let mut curves = Vec::new();
    let mut auc_table = Table::new(["separation", "ROC AUC", "U / (n_pos n_neg)", "Φ(s / √2)"]);
    for separation in [0.5, 1.0, 2.0] {
        let (scores, labels) = scored_examples(2_000, 2_000, separation, 10)?;
        let scores_where = |wanted: bool| -> Vec<f64> {
            let pairs = scores.iter().zip(&labels);
            pairs
                .filter(|pair| *pair.1 == wanted)
                .map(|pair| *pair.0)
                .collect()
        };
        let (first, second) = (scores_where(true), scores_where(false));
        let auc = roc_auc(&scores, &labels)?;
        auc_table.push_row([
            format!("{separation}"),
            format!("{auc:.4}"),
            format!("{:.4}", mann_whitney_u(&first, &second)?.u_fraction),
            format!("{:.4}", normal_cdf(separation / 2f64.sqrt())),
        ])?;
        curves.push((
            format!("separation {separation}, AUC {auc:.3}"),
            roc_curve(&scores, &labels)?,
        ));
    }
    roc_figure(&curves).show();
    auc_table.evcxr_display();

    // cell
    let prediction: Option<bool> = None; // does squaring every score (all positive first) change the AUC?
    let shifted: Vec<f64> = scores.iter().map(|score| score + 10.0).collect();
    let squared: Vec<f64> = shifted.iter().map(|score| score * score).collect();
    let before_auc = roc_auc(&shifted, &labels)?;
    let after_auc = roc_auc(&squared, &labels)?;
    println!(
        "{}",
        check_prediction(
            prediction,
            before_auc != after_auc,
            format!(
                "AUC {before_auc:.4} before, {after_auc:.4} after: it depends only on the order \
                 of the scores, and squaring positive numbers keeps their order. Precision and \
                 recall at a fixed threshold would change."
            )
        )
    );

    // cell
    let day = secs(86_400);
    let account_updates: Vec<FeatureUpdate> = [(3, 0.4), (5, 0.5), (8, 2.5)]
        .iter()
        .map(|&(on_day, value)| FeatureUpdate {
            entity: 1,
            written_at: day * on_day,
            value,
        })
        .collect();
    let transaction = [LabelEvent {
        entity: 1,
        at: day * 6,
        label: true,
    }];
    let mut joins = Table::new(["join", "value", "written on day"]);
    let as_of = as_of_join(&transaction, &account_updates);
    let latest = latest_join(&transaction, &account_updates);
    for (name, joined) in [
        ("as of event time (day 6)", as_of),
        ("latest value", latest),
    ] {
        let written = joined[0].written_at.ok_or("a value")?.as_secs_f64() / 86_400.0;
        let value = joined[0].value.ok_or("a value")?;
        joins.push_row([name.to_string(), value.to_string(), written.to_string()])?;
    }
    joins.evcxr_display();

    // cell
    let leakage = leakage_experiment(1_000, 11)?;
    leakage_figure(&leakage).show();
    Table::from_rows(&leakage)?.evcxr_display();

    // cell
    let prediction: Option<bool> = None; // with 4,000 accounts, is the leaky model's online accuracy above 0.6?
    let bigger = leakage_experiment(4_000, 12)?;
    let leaky = bigger[0].clone();
    println!(
        "{}",
        check_prediction(
            prediction,
            leaky.online_accuracy > 0.6,
            format!(
                "Offline {:.3}, online {:.3}: more data fits the leak more precisely. The \
                 threshold ({:.2}) sits between flagged and unflagged values, and serving \
                 never sees a flag.",
                leaky.offline_accuracy, leaky.online_accuracy, leaky.threshold
            )
        )
    );

    // cell
    let budgets = [4, 9, 16, 25, 36, 49, 64, 81, 100];
    let search = search_experiment(&budgets, 1_000, 13)?;
    search_figure(&search).show();
    let nine = search[1];
    let nine_random = distinct_important_values(&random_search(9, 14)?);
    println!(
        "9 trials: the grid tries {} values of x, random search {nine_random}; mean best {:.3} against {:.3}",
        nine.grid_distinct_x, nine.grid_mean_best, nine.random_mean_best
    );

    // cell
    let prediction: Option<bool> = None; // does a 100-point grid beat 25 random points?
    let grid_hundred = search[8].grid_mean_best;
    let random_twenty_five = search[3].random_mean_best;
    println!(
        "{}",
        check_prediction(
            prediction,
            grid_hundred > random_twenty_five,
            format!(
                "Grid of 100: {grid_hundred:.3}; 25 random points: {random_twenty_five:.3}. The \
                 grid's 100 trials try only 10 values of the parameter that matters; random \
                 search tries 25."
            )
        )
    );

    // cell
    let gradients: Vec<Vec<i64>> = (1..=4).map(|worker| vec![worker; 8]).collect();
    let ring = ring_all_reduce(&gradients)?;
    let mut ring_table = Table::new([
        "worker",
        "gradient",
        "after the all-reduce",
        "elements sent",
    ]);
    for (worker, gradient) in gradients.iter().enumerate() {
        ring_table.push_row([
            worker.to_string(),
            format!("{gradient:?}"),
            format!("{:?}", ring.results[worker]),
            ring.elements_sent[worker].to_string(),
        ])?;
    }
    ring_table.evcxr_display();

    // cell
    let worker_counts = [2, 4, 8, 16, 32, 64, 128, 256];
    let gradient_bytes = 400e6; // 100 million 4-byte parameters
    let link = 100e9 / 8.0; // 100 Gbit/s
    let exchange = all_reduce_rows(&worker_counts, gradient_bytes, link, 10e-6)?;
    all_reduce_figure(&exchange).show();
    let exchange_table = Table::from_rows(&exchange)?;
    exchange_table.evcxr_display();

    // cell
    let prediction: Option<bool> = None; // with 5 ms per message, is the ring still faster at 256 workers?
    let slow_messages = all_reduce_rows(&[256], gradient_bytes, link, 5e-3)?;
    let far = slow_messages[0];
    println!(
        "{}",
        check_prediction(
            prediction,
            far.ring_seconds < far.server_seconds,
            format!(
                "Ring {:.2} s against parameter server {:.2} s. The ring's 510 messages in a \
                 row cost 510 × 5 ms = 2.55 s of latency alone, but the server must move \
                 256 × 400 MB in and out over one link.",
                far.ring_seconds, far.server_seconds
            )
        )
    );

    // cell
    let pipeline = Pipeline::feature_store();
    println!("run order: {}", pipeline.order().join(" → "));
    let freshness = FreshnessParameters::default();
    let week = freshness_experiment(&pipeline, &freshness, 16)?;
    let failed_hours: Vec<f64> = week
        .failures
        .iter()
        .map(|at| at.as_secs_f64() / 3_600.0)
        .collect();
    let due: Vec<usize> = week.skipped_days.iter().map(|day| 24 * (day + 1)).collect();
    println!("runs failed at hours {failed_hours:?}; runs due at hours {due:?} never started");
    freshness_figure(&week, &freshness).show();
    let week_episodes = Table::from_rows(&week.episodes)?;
    week_episodes.evcxr_display();

    // cell
    let six_hours = FreshnessParameters {
        slo: secs(6 * 3_600),
        ..freshness
    };
    let daily_only = freshness_experiment(&pipeline, &six_hours, 16)?;
    let stale_hours: f64 = daily_only.episodes.iter().map(|e| e.stale_hours).sum();
    let streamed = FreshnessParameters {
        streaming_every: Some(secs(5 * 60)),
        ..six_hours
    };
    let with_stream = freshness_experiment(&pipeline, &streamed, 16)?;
    let oldest = with_stream
        .ages
        .iter()
        .map(|row| row.age_hours)
        .fold(0.0, f64::max);
    println!(
        "SLO 6 h, daily batch only: {} episodes, {stale_hours:.1} of 168 hours stale",
        daily_only.episodes.len()
    );
    println!(
        "plus a stream every 5 minutes: {} episodes, oldest age {oldest:.3} h",
        with_stream.episodes.len()
    );

    // cell
    let episodes = detection_experiment(&pipeline, &freshness, 200, 17)?;
    let detection = DetectionSummary::of(&episodes);
    detection_figure(&episodes).show();
    let detection_table = Table::from_rows(&[detection])?;
    detection_table.evcxr_display();

    // cell
    let prediction: Option<bool> = None; // with 3 retries, does the failure alert catch a larger share?
    let patient = FreshnessParameters {
        retries: 3,
        ..freshness
    };
    let patient_summary =
        DetectionSummary::of(&detection_experiment(&pipeline, &patient, 200, 17)?);
    let caught_before = detection.failure_caught as f64 / detection.episodes as f64;
    let caught_now = patient_summary.failure_caught as f64 / patient_summary.episodes as f64;
    println!(
        "{}",
        check_prediction(
            prediction,
            caught_now > caught_before,
            format!(
                "With 3 retries: {} episodes, the failure alert catches {} ({:.0}%), against \
                 {:.0}% with 1 retry. Retries turn loud failures into successes, so fewer \
                 episodes happen, and most of those left are runs that never started.",
                patient_summary.episodes,
                patient_summary.failure_caught,
                caught_now * 100.0,
                caught_before * 100.0
            )
        )
    );

    // cell
    let server = BatchingParameters::default();
    let batch_sizes = [1, 2, 4, 8, 12, 16, 24, 32, 64, 128];
    let batching = batching_experiment(&server, &batch_sizes, 18)?;
    batching_throughput_figure(&batching).show();
    batching_latency_figure(&batching).show();
    let batching_table = Table::from_rows(&batching)?;
    batching_table.evcxr_display();

    // cell
    let hour = secs(3_600);
    let periods = [1, 2, 4, 6, 12, 24, 48].map(|hours| hour * hours);
    let staleness = staleness_experiment(&periods, secs(1_800), 0.1, 20_000, 19)?;
    staleness_figure(&staleness).show();
    let staleness_table = Table::from_rows(&staleness)?;
    staleness_table.evcxr_display();

    // cell
    let prediction: Option<bool> = None; // with max_wait 5 ms, is p99 at batches of 128 under 30 ms?
    let impatient = BatchingParameters {
        max_wait: lessons::sim::ms(5),
        max_batch: 128,
        ..server
    };
    let quick = batching_run(&impatient, 18)?;
    println!(
        "{}",
        check_prediction(
            prediction,
            quick.p99_ms < 30.0,
            format!(
                "p99 {:.1} ms, mean batch {:.1}, throughput {:.0} per second. The server never \
                 waits more than 5 ms for a batch to fill, so batches stay near 10 requests; \
                 the capacity of 128-request batches is never used at this load.",
                quick.p99_ms, quick.mean_batch, quick.throughput_per_second
            )
        )
    );

    // cell
    let new_shares = [0.0, 0.005, 0.01, 0.02, 0.05, 0.1];
    let new_category = new_category_experiment(&new_shares, 1_000, 20)?;
    new_category_figure(&new_category).show();
    let new_category_table = Table::from_rows(&new_category)?;
    new_category_table.evcxr_display();

    // cell
    let monitor = LabelDelayParameters::default();
    let delays = [0, 1, 6, 24, 72, 168].map(|hours| hour * hours);
    let label_rows = label_delay_experiment(&monitor, &delays, 21)?;
    label_delay_figure(&label_rows).show();
    let label_table = Table::from_rows(&label_rows)?;
    label_table.evcxr_display();

    // cell
    let world = RetrainingParameters::default();
    let policies = [1, 7, 30, 90].map(RetrainPolicy::Every);
    let triggers = [0.05, 0.1, 0.2].map(RetrainPolicy::OnDrift);
    let every_policy = [&policies[..], &triggers[..]].concat();
    let retraining = retraining_experiment(&world, &every_policy, 22)?;
    let runs = [RetrainPolicy::Every(30), RetrainPolicy::OnDrift(0.1)]
        .map(|policy| retraining_run(&world, policy, 22).map(|days| (policy, days)));
    retraining_figure(&runs.into_iter().collect::<Result<Vec<_>, _>>()?).show();
    let retraining_table = Table::from_rows(&retraining)?;
    retraining_table.evcxr_display();

    // cell
    let prediction: Option<bool> = None; // with a noisy monitor (0.1), over 30 retrains a year?
    let noisy = RetrainingParameters {
        monitor_noise: 0.1,
        ..world
    };
    let noisy_rows = retraining_experiment(&noisy, &[RetrainPolicy::OnDrift(0.1)], 22)?;
    println!(
        "{}",
        check_prediction(
            prediction,
            noisy_rows[0].retrains > 30,
            format!(
                "{} retrains, mean error {:.4}. When the monitor's noise is as large as the \
                 threshold, noise alone crosses it on many days: the trigger retrains often, \
                 and mostly for nothing.",
                noisy_rows[0].retrains, noisy_rows[0].mean_error
            )
        )
    );

    // end of cells
    // The numbers the prose quotes.
    let right = |message: String| message.starts_with("Right");
    let fixed = |value: f64, digits: usize| format!("{value:.digits$}");
    assert_eq!(fixed(evidence[0].z, 2), "1.16");
    assert_eq!(fixed(evidence[0].p_value, 3), "0.124");
    assert_eq!(fixed(evidence[1].z, 2), "3.63");
    assert_eq!(fixed(evidence[1].p_value, 4), "0.0001");
    assert!(evidence.iter().all(|row| row.naive_abort));
    assert!(!evidence[0].z_abort && evidence[1].z_abort);
    assert!(
        evidence
            .iter()
            .all(|row| fixed(row.mann_whitney_z, 2) == fixed(row.z, 2))
    );
    assert_eq!(fixed(healthy_shows_five * 100.0, 2), "18.45");
    assert_eq!((per_arm, one_percent_canary), (15_634, 7_025));
    assert_eq!(fixed(power_at_ten_thousand, 3), "0.903");
    let shares = |row: &CanaryRow| {
        [row.look_once, row.peeking, row.sequential, row.naive].map(|share| fixed(share, 3))
    };
    assert_eq!(shares(&healthy_end), ["0.053", "0.290", "0.030", "0.488"]);
    assert!(healthy_rows[29].peeking < healthy_end.peeking);
    assert_eq!(shares(&bad_at_ten)[..3], ["0.531", "0.690", "0.232"]);
    assert_eq!(shares(&bad_end)[..3], ["0.983", "0.993", "0.884"]);
    let needed = |rate: f64, share: f64| {
        required
            .iter()
            .find(|row| row.canary_rate == rate && row.canary_share == share)
            .map(|row| row.canary_requests)
    };
    assert_eq!(needed(0.01, 0.01), Some(759));
    assert_eq!(needed(0.004, 0.01), Some(25_996));
    assert_eq!(needed(0.005, 0.5), Some(15_634));
    assert!(needed(0.005, 0.05) > needed(0.005, 0.01));
    // Try it: a 1% canary.
    assert!(right(check_prediction(
        Some(false),
        small_end.look_once >= 0.8,
        ""
    )));
    assert_eq!(small_end.canary_requests, 3_000);
    assert_eq!(fixed(small_end.look_once * 100.0, 1), "58.5");
    // Section 2.
    assert_eq!(
        (fixed(at_claim.simulated, 3), fixed(at_claim.formula, 3)),
        ("0.821".to_string(), "0.800".to_string())
    );
    let half_difference = power_rows
        .iter()
        .find(|row| row.treatment_rate == 0.004 && row.per_arm == 15_634)
        .ok_or("row")?;
    assert_eq!(fixed(half_difference.formula, 2), "0.32");
    assert!(
        power_rows
            .iter()
            .all(|row| (row.simulated - row.formula).abs() < 0.05)
    );
    assert_eq!(
        [
            fixed(even_split.difference_sd, 5),
            fixed(even_split.formula, 3),
            fixed(one_percent_split.difference_sd, 5),
            fixed(one_percent_split.formula, 3)
        ],
        ["0.00141", "0.943", "0.00724", "0.118"]
    );
    assert!(even_split.formula - allocation[7].formula < 0.01); // 60/40 loses almost nothing
    assert!(
        allocation
            .iter()
            .all(|row| row.difference_sd >= even_split.difference_sd)
    );
    assert!(right(check_prediction(
        Some(true),
        skewed_total > 10 * even_total,
        ""
    )));
    // Section 3.
    assert_eq!(drift_alarms.psi_before + drift_alarms.ks_before, 0);
    assert_eq!((drift_alarms.psi_after, drift_alarms.ks_after), (0, 20));
    assert_eq!(fixed(drift_alarms.largest_psi_after, 3), "0.070");
    assert_eq!(fixed(normal_cdf(0.2) * 100.0, 1), "57.9");
    let rates: Vec<f64> = false_alarms.iter().map(|row| row.psi_alarm_rate).collect();
    assert_eq!(rates, [0.835, 0.475, 0.045, 0.0, 0.0, 0.0, 0.0]);
    assert_eq!(
        (false_alarms[0].mean_psi, false_alarms[6].mean_psi),
        (0.534, 0.0069)
    );
    assert!(
        false_alarms
            .iter()
            .all(|row| (0.015..=0.08).contains(&row.ks_alarm_rate))
    );
    assert_eq!(
        (fixed(one_sample, 4), fixed(textbook, 4)),
        ("0.0607".to_string(), "0.2282".to_string())
    );
    assert!(right(check_prediction(Some(true), psi_caught > 0, "")));
    assert_eq!((psi_caught, ks_caught), (10, 20));
    // Section 4.
    let at = |threshold: f64| threshold_metrics(&scores, &labels, threshold);
    assert_eq!(
        (fixed(at(-0.5)?.recall, 3), fixed(at(-0.5)?.precision, 3)),
        ("0.937".into(), "0.579".into())
    );
    assert_eq!(
        (fixed(at(1.5)?.recall, 3), fixed(at(1.5)?.precision, 3)),
        ("0.314".into(), "0.830".into())
    );
    assert_eq!(fixed(at(0.0)?.f1, 3), "0.728");
    let auc_rows = auc_table.rows();
    let column = |index: usize| {
        auc_rows
            .iter()
            .map(|row| row[index].clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(column(1), ["0.6547", "0.7758", "0.9303"]);
    assert_eq!(column(1), column(2));
    assert_eq!(column(3), ["0.6382", "0.7602", "0.9214"]);
    assert!(right(check_prediction(
        Some(false),
        before_auc != after_auc,
        ""
    )));
    // Section 5.
    assert_eq!(joins.rows()[0][1..], ["0.5", "5"]);
    assert_eq!(joins.rows()[1][1..], ["2.5", "8"]);
    let (latest, honest) = (&leakage[0], &leakage[1]);
    assert_eq!(
        (latest.future_values, fixed(latest.threshold, 2)),
        (500, "1.63".to_string())
    );
    assert_eq!(
        (
            fixed(latest.offline_accuracy, 3),
            fixed(latest.online_accuracy, 3)
        ),
        ("0.964".into(), "0.500".into())
    );
    assert_eq!(
        (
            honest.future_values,
            honest.offline_accuracy,
            honest.online_accuracy
        ),
        (0, 0.668, 0.668)
    );
    assert!(right(check_prediction(
        Some(false),
        leaky.online_accuracy > 0.6,
        ""
    )));
    // Section 6.
    assert_eq!((nine.grid_distinct_x, nine_random), (3, 9));
    assert_eq!(
        (
            fixed(nine.grid_mean_best, 3),
            fixed(nine.random_mean_best, 3)
        ),
        ("0.287".into(), "0.530".into())
    );
    assert!(
        search
            .iter()
            .all(|row| row.random_mean_best > row.grid_mean_best)
    );
    assert_eq!(
        (fixed(random_twenty_five, 3), fixed(grid_hundred, 3)),
        ("0.828".into(), "0.760".into())
    );
    assert!(right(check_prediction(
        Some(false),
        grid_hundred > random_twenty_five,
        ""
    )));
    // Section 7.
    assert!(ring.results.iter().all(|result| result == &vec![10; 8]));
    assert_eq!(ring.elements_sent, [12; 4]);
    let first = exchange[0];
    let last = exchange[exchange.len() - 1];
    assert_eq!(
        (first.ring_seconds, first.server_seconds),
        (0.03202, 0.12802)
    );
    assert_eq!(
        (last.ring_seconds, last.server_seconds),
        (0.06885, 16.38402)
    );
    assert_eq!(last.ring_bytes_per_worker, 796_875_000.0);
    assert!(right(check_prediction(
        Some(true),
        far.ring_seconds < far.server_seconds,
        ""
    )));
    assert_eq!((far.ring_seconds, far.server_seconds), (2.61375, 16.394));
    // Section 8.
    assert_eq!(failed_hours, [146.0]);
    assert_eq!(due, [72]);
    let week_delays: Vec<(String, Option<String>)> = week
        .episodes
        .iter()
        .map(|e| {
            let age = fixed(e.age_alert_delay_hours.unwrap_or(f64::NAN), 2);
            (
                age,
                e.failure_alert_delay_hours.map(|hours| fixed(hours, 2)),
            )
        })
        .collect();
    assert_eq!(week_delays[0], ("0.08".to_string(), None));
    assert_eq!(
        week_delays[1],
        ("0.08".to_string(), Some("-5.92".to_string()))
    );
    assert_eq!(fixed(week.episodes[0].stale_hours, 2), "19.75");
    assert_eq!(
        (daily_only.episodes.len(), fixed(stale_hours, 1)),
        (5, "138.0".to_string())
    );
    assert_eq!(
        (with_stream.episodes.len(), fixed(oldest, 3)),
        (0, "0.083".to_string())
    );
    assert_eq!((detection.episodes, detection.age_caught), (133, 133));
    assert_eq!(detection.age_worst_delay_hours, 0.25);
    assert_eq!(fixed(detection.age_mean_delay_hours * 60.0, 1), "7.5");
    assert_eq!(
        (detection.failure_caught, detection.failure_before_breach),
        (81, 79)
    );
    assert_eq!(fixed(detection.failure_mean_delay_hours, 2), "-5.25");
    assert!(right(check_prediction(
        Some(false),
        caught_now > caught_before,
        ""
    )));
    assert_eq!(
        (patient_summary.episodes, patient_summary.failure_caught),
        (66, 4)
    );
    // Section 9.
    let p99 = |batch: usize| {
        batching
            .iter()
            .find(|row| row.max_batch == batch)
            .map(|row| fixed(row.p99_ms, 1))
    };
    assert_eq!(p99(16), Some("34.3".to_string()));
    assert_eq!(p99(64), Some("83.6".to_string()));
    assert_eq!(p99(8), Some("1333.3".to_string()));
    assert!(
        batching[..4]
            .iter()
            .all(|row| row.capacity_per_second < 1_000.0)
    );
    assert!(
        batching[4..]
            .iter()
            .all(|row| (row.throughput_per_second - 1_000.0).abs() < 10.0)
    );
    assert_eq!(fixed(batching[3].throughput_per_second, 1), "887.2");
    assert!(
        batching
            .windows(2)
            .skip(5)
            .all(|pair| pair[1].p99_ms >= pair[0].p99_ms - 0.5)
    );
    assert!(
        staleness
            .iter()
            .all(|row| (row.mean_hours - row.formula_mean_hours).abs() < 0.2)
    );
    let daily = staleness[5];
    assert_eq!(
        (
            fixed(daily.mean_hours, 2),
            fixed(daily.missed_action_share, 2)
        ),
        ("12.53".to_string(), "0.64".to_string())
    );
    assert_eq!(fixed(staleness[0].missed_action_share, 3), "0.095");
    assert!(right(check_prediction(Some(true), quick.p99_ms < 30.0, "")));
    assert_eq!(
        (fixed(quick.p99_ms, 1), fixed(quick.mean_batch, 1)),
        ("25.7".into(), "10.1".into())
    );
    // Section 10.
    assert_eq!(fixed(new_category[0].p_value, 3), "0.012");
    assert!(new_category[1..].iter().all(|row| row.p_value < 1e-6));
    let psi_pairs: Vec<(String, String)> = new_category
        .iter()
        .map(|row| (fixed(row.psi_floor_1e4, 3), fixed(row.psi_floor_1e6, 3)))
        .collect();
    assert_eq!(psi_pairs[2], ("0.015".to_string(), "0.034".to_string()));
    assert_eq!(psi_pairs[3], ("0.119".to_string(), "0.221".to_string()));
    assert_eq!(psi_pairs[4], ("0.302".to_string(), "0.524".to_string()));
    for row in &label_rows {
        let detected = row.detection_hours.ok_or("detected")?;
        assert_eq!(fixed(detected - row.label_delay_hours, 2), "2.53");
        assert_eq!(row.false_alarms, 0);
    }
    let summary = |index: usize| {
        (
            retraining[index].retrains,
            fixed(retraining[index].mean_error, 4),
        )
    };
    assert_eq!(summary(1), (53, "0.0560".to_string()));
    assert_eq!(summary(2), (13, "0.0856".to_string()));
    assert_eq!(summary(5), (10, "0.0570".to_string()));
    assert!(right(check_prediction(
        Some(true),
        noisy_rows[0].retrains > 30,
        ""
    )));
    assert_eq!(noisy_rows[0].retrains, 76);
    // The live figures at their starting values and at each value the prose suggests.
    let power_at = |rate: f64, alpha: usize| -> Result<String, Box<dyn Error>> {
        let figure = power_view(&Values::of(&[
            Control::float("treatment rate (%)", 0.32, 1.0, 0.02, rate)?,
            Control::choice("alpha", &["0.01", "0.05", "0.1"], alpha)?,
        ]))?;
        Ok(figure.title().to_string())
    };
    let needs = |rate: &str, per_arm: u64| {
        format!("0.3% against {rate}%: 80% power needs {per_arm} per arm")
    };
    assert_eq!(power_at(0.5, 1)?, needs("0.50", 15_634));
    assert_eq!(power_at(0.6, 1)?, needs("0.60", 7_813));
    assert_eq!(power_at(1.0, 1)?, needs("1.00", 2_068));
    assert_eq!(power_at(0.4, 1)?, needs("0.40", 54_749));
    assert_eq!(power_at(0.5, 0)?, needs("0.50", 23_264));
    let drift_at = |shift: f64, spread: f64, window: usize| -> Result<String, Box<dyn Error>> {
        let figure = drift_view(&Values::of(&[
            Control::float("shift (sd)", 0.0, 1.0, 0.05, shift)?,
            Control::float("spread (sd)", 0.5, 2.0, 0.1, spread)?,
            Control::choice("window", &["50", "100", "200", "500", "1000"], window)?,
        ]))?;
        Ok(figure.title().to_string())
    };
    let alarms = |psi_before: usize, ks_before: usize, psi_after: usize, ks_after: usize| {
        format!(
            "Alarms before the shift: PSI {psi_before}, KS {ks_before}; after: PSI {psi_after}, KS {ks_after}"
        )
    };
    assert_eq!(drift_at(0.2, 1.0, 4)?, alarms(0, 0, 0, 20));
    assert_eq!(drift_at(0.4, 1.0, 4)?, alarms(0, 0, 1, 20));
    assert_eq!(drift_at(0.45, 1.0, 4)?, alarms(0, 0, 13, 20));
    assert_eq!(drift_at(0.5, 1.0, 4)?, alarms(0, 0, 20, 20));
    assert_eq!(drift_at(0.0, 1.0, 0)?, alarms(12, 1, 10, 1));
    assert_eq!(drift_at(0.2, 1.0, 2)?, alarms(0, 1, 0, 15));
    Ok(())
}
