//! The Rust code of `notebooks/09-failure-detection.ipynb`, cell by cell, as one program.
//!
//! Each `// cell` line starts the code of the next notebook code cell (after the `:dep` cell); a
//! cell whose last line is a bare variable shows that value, which here is spelled
//! `variable.evcxr_display();`. `tests/failure_detection_notebook.rs` checks that the two stay
//! identical, runs this program, and the assertions at the end pin the numbers the notebook's
//! prose quotes and run every variation the "try it" cells suggest.
//!
//! Run it with `cargo run -p lessons --example failure_detection`.

use std::error::Error;

pub fn main() -> Result<(), Box<dyn Error>> {
    // cell
    use lessons::display::RichDisplay;
    use lessons::failure_detection::*;
    use lessons::sim::*;
    use lessons::table::Table;
    use lessons::try_it::check_prediction;
    use lessons::viz::Figure;
    use lessons::widgets::{Control, Values, interact};

    // cell
    let response = Latency::log_normal(ms(20), 0.6).with_spikes(0.005, ms(800));
    let taus: Vec<Time> = [30, 50, 80, 120, 200, 400, 700, 900]
        .into_iter()
        .map(ms)
        .collect();
    let timeout_rows = timeout_experiment(&response, &taus, ms(100), 20_000, 1)?;
    timeout_figure(&timeout_rows).show();
    let timeout_table = Table::from_rows(&timeout_rows)?;
    timeout_table.evcxr_display();

    // cell
    let pause = ms(800); // try ms(2_000)
    let prediction: Option<bool> = None; // Some(true): τ = 1 s still suspects live answers
    let stalls = Latency::log_normal(ms(20), 0.6).with_spikes(0.005, pause);
    let rows = timeout_experiment(&stalls, &[ms(1_000)], ms(100), 20_000, 1)?;
    let suspects = rows[0].false_suspicion_rate > 0.0;
    let why = "a stall longer than τ looks exactly like a crash until the answer arrives";
    println!("{}", check_prediction(prediction, suspects, why));
    assert!(rows[0].fastest_detection_ms >= 1_000.0);

    // cell
    let channel = HeartbeatChannel::new(0.02, Latency::log_normal(ms(50), 1.0))?;
    let periods = [secs(1), secs(2), secs(5), secs(10)];
    let heartbeat_rows = heartbeat_experiment(&channel, &periods, &[1, 2, 3, 5], 48.0, 500, 2)?;
    let (detection_map, noise_map) = heartbeat_heatmaps(&heartbeat_rows);
    detection_map.show();
    noise_map.evcxr_display();

    // cell
    let seed_row = heartbeat_rows
        .iter()
        .find(|row| row.period_s == 5.0 && row.misses == 3)
        .cloned()
        .ok_or("no T = 5 s, K = 3 row")?;
    println!(
        "T = 5 s, K = 3: declared dead 15 s after the last beat; a crash is seen after {:.2} s on average \
         (at worst {:.2} s), with {:.3} false suspicions per hour",
        seed_row.detection_s, seed_row.worst_detection_s, seed_row.false_suspicions_per_hour
    );
    let mut cost = Figure::new("Heartbeat cost, every node watching every other")
        .x_label("heartbeat period T (s)")
        .y_label("heartbeats per second (thousands)");
    for nodes in [30.0, 100.0, 300.0] {
        let per_second = periods.map(|t| {
            (
                t.as_secs_f64(),
                nodes * (nodes - 1.0) / t.as_secs_f64() / 1e3,
            )
        });
        cost = cost.line(format!("{nodes} nodes"), per_second);
    }
    cost.evcxr_display();

    // cell
    let loss = 0.02; // try 0.10
    let prediction: Option<bool> = None; // Some(true): more than one false alarm per hour
    let lossy = HeartbeatChannel::new(loss, Latency::log_normal(ms(50), 1.0))?;
    let rows = heartbeat_experiment(&lossy, &[secs(5)], &[3], 48.0, 100, 2)?;
    let noisy = rows[0].false_suspicions_per_hour > 1.0;
    let per_check = false_suspicion_per_check(loss, 3)?;
    let why = format!(
        "three lost beats in a row happen with probability about p³ = {per_check:.6} per beat"
    );
    println!("{}", check_prediction(prediction, noisy, &why));
    assert!(rows[0].worst_detection_s <= 15.0 + 5.0);

    // cell
    let spike = Some((secs(60), secs(63), ms(2_500)));
    let steady = Latency::log_normal(ms(10), 0.3);
    let phi_rows = phi_timeline(secs(1), &steady, spike, secs(100), secs(120), ms(50), 3)?;
    let title = "Phi around a 2.5 s latency spike (60 s) and a crash (100 s)";
    phi_figure(title, &phi_rows, 12.0).show();
    let mut exponential = PhiAccrual::new(PhiModel::Exponential, 1_000)?;
    for beat in 0..=100 {
        exponential.heartbeat(secs(beat));
    }
    let silence_for_8 = exponential.silence_to_reach(8.0).ok_or("no mean yet")?;
    println!(
        "phi = 8 after {silence_for_8} of silence: {:.4} mean intervals (8 · ln 10 = {:.4})",
        silence_for_8.as_secs_f64(),
        8.0 * std::f64::consts::LN_10
    );

    // cell
    fn phi_view(values: &Values) -> Result<Figure, SimError> {
        let jitter = Latency::log_normal(ms(10), values.float("jitter σ"));
        let spike = Some((secs(60), secs(63), ms(values.int("spike (ms)"))));
        let rows = phi_timeline(secs(1), &jitter, spike, secs(100), secs(120), ms(50), 3)?;
        let threshold = values.float("threshold");
        let first_alarm =
            |phi: fn(&PhiRow) -> f64| match rows.iter().find(|row| phi(row) >= threshold) {
                Some(row) if row.time_s < 100.0 => format!("{:.2} s (false)", row.time_s),
                Some(row) => format!("{:.2} s", row.time_s),
                None => "never".to_string(),
            };
        let title = format!(
            "phi ≥ {threshold}: exponential at {}, normal at {}",
            first_alarm(|row| row.phi_exponential),
            first_alarm(|row| row.phi_normal)
        );
        Ok(phi_threshold_figure(&title, &rows, 12.0, threshold))
    }
    interact(
        vec![
            Control::float("jitter σ", 0.0, 1.5, 0.05, 0.3)?,
            Control::int("spike (ms)", 0..=5_000, 2_500)?,
            Control::float("threshold", 0.5, 12.0, 0.5, 8.0)?,
        ],
        phi_view,
    )?;

    // cell
    let calm = Latency::log_normal(ms(10), 0.3);
    let congested = Latency::log_normal(ms(300), 0.8);
    let network = ShiftingNetwork::new(secs(1), calm, congested, secs(3_600), 0.01)?;
    let mut settings: Vec<DetectorSetting> = [1_500, 2_000, 3_000, 5_000, 8_000]
        .map(|timeout| DetectorSetting::FixedTimeout {
            timeout: ms(timeout),
        })
        .to_vec();
    settings.extend(
        [1.0, 2.0, 4.0, 8.0, 16.0].map(|deviations| DetectorSetting::Adaptive { deviations }),
    );
    for threshold in [0.5, 1.0, 2.0, 3.0, 5.0, 8.0] {
        settings.push(DetectorSetting::PhiExponential {
            threshold,
            window: 100,
        });
    }
    for threshold in [1.0, 3.0, 5.0, 8.0, 12.0] {
        let min_stddev = ms(100);
        settings.push(DetectorSetting::PhiNormal {
            threshold,
            window: 100,
            min_stddev,
        });
    }
    let detector_rows = compare_detectors(&network, &settings, 2.0, 100, 4)?;
    detector_figure(&detector_rows).show();
    let detector_table = Table::from_rows(&detector_rows)?;
    detector_table.evcxr_display();

    // cell
    let floor = ms(100); // try ms(1_000)
    let prediction: Option<bool> = None; // Some(true): the spike still crosses phi = 8
    let mut normal = PhiAccrual::new(PhiModel::Normal { min_stddev: floor }, 100)?;
    for beat in 0..=60 {
        normal.heartbeat(secs(beat));
    }
    let peak = normal.phi(secs(60) + ms(3_500));
    let why =
        format!("3.5 s since the last beat, 2.5 s late, gives phi = {peak:.2} with this floor");
    println!("{}", check_prediction(prediction, peak > 8.0, &why));
    assert!(normal.phi(secs(61)) <= normal.phi(secs(62)));

    // cell
    let sizes = [10, 30, 100, 300, 1_000, 3_000, 10_000];
    let variants = [Exchange::Push, Exchange::Pull, Exchange::PushPull];
    let mut gossip_rows = gossip_experiment(&sizes, &variants, 1, 0.0, 20, 5)?;
    gossip_rows.extend(gossip_experiment(&sizes, &[Exchange::Push], 2, 0.0, 20, 5)?);
    gossip_figure(&gossip_rows).show();
    let at_hundred: Vec<GossipRow> = gossip_rows
        .iter()
        .filter(|row| row.nodes == 100)
        .cloned()
        .collect();
    let push_one = at_hundred[0].clone();
    println!(
        "C26: push, fanout 1, N = 100: {:.2} rounds on average (log2 N + ln N = {:.2}); \
         about 7 only with fanout 2 ({:.2}) or push-pull ({:.2}). Verdict: O(log N) right, the constant wrong.",
        push_one.mean_rounds,
        push_one.push_estimate,
        at_hundred[3].mean_rounds,
        at_hundred[2].mean_rounds
    );
    let hundred_table = Table::from_rows(&at_hundred)?;
    hundred_table.evcxr_display();

    // cell
    let loss = 0.0; // try 0.3
    let prediction: Option<bool> = None; // Some(true): more than 15 rounds on average
    let rows = gossip_experiment(&[100], &[Exchange::Push], 1, loss, 20, 5)?;
    let slow = rows[0].mean_rounds > 15.0;
    let why = format!(
        "{:.1} rounds: loss slows every round by the same factor, so the growth stays logarithmic",
        rows[0].mean_rounds
    );
    println!("{}", check_prediction(prediction, slow, &why));
    assert!(rows[0].max_rounds as f64 >= rows[0].mean_rounds);

    // cell
    let probe_rows = indirect_probe_experiment(1.0, 0.05, &[0, 1, 2, 3, 4, 5, 6], 200_000, 6)?;
    probe_figure(&probe_rows).show();
    let probe_table = Table::from_rows(&probe_rows)?;
    probe_table.evcxr_display();

    // cell
    let link_loss = 0.05; // try 0.20
    let prediction: Option<u32> = None; // Some(k): the fewest helpers for < 0.001
    let mut needed = 0;
    while false_failure_probability(1.0, link_loss, needed)? >= 0.001 {
        needed += 1;
    }
    let rows = indirect_probe_experiment(1.0, link_loss, &[needed], 100_000, 6)?;
    let why = format!(
        "each helper fails with 1 - (1 - l)^4; measured {:.5} at k = {needed}",
        rows[0].measured
    );
    println!("{}", check_prediction(prediction, needed, &why));
    assert!((rows[0].measured - rows[0].computed).abs() < 0.001);

    // cell
    let rules = [
        Ejection::Never,
        Ejection::HealthCheck,
        Ejection::SuccessRate {
            window_s: 10,
            margin: 0.1,
        },
        Ejection::LatencyRatio {
            window_s: 10,
            ratio: 5.0,
        },
    ];
    let mut gray_rows = Vec::new();
    for rule in rules {
        gray_rows.push(gray_failure_run(rule, 0.3, 10)?);
    }
    let gray_table = Table::from_rows(&gray_rows)?;
    gray_table.evcxr_display();

    // cell
    let errors: Vec<(String, f64)> = gray_rows
        .iter()
        .map(|row| (row.detector.clone(), 100.0 * row.user_error_rate))
        .collect();
    Figure::new("Gray failure: requests that failed, per ejection rule")
        .y_label("failed requests over 120 s (%)")
        .bars("user-visible errors", errors)
        .show();
    let never = 90.0; // the gray backend served until the end of the run: 90 s
    let detection: Vec<(String, f64)> = gray_rows
        .iter()
        .map(|row| (row.detector.clone(), row.detected_after_s.unwrap_or(never)))
        .collect();
    Figure::new("Gray failure: seconds until the gray backend is ejected (90 = never)")
        .y_label("seconds after it turned gray")
        .bars("time to eject", detection)
        .evcxr_display();

    // cell
    let failure_rate = 0.3; // try 0.05
    let prediction: Option<bool> = None; // Some(true): still ejected
    let rule = Ejection::SuccessRate {
        window_s: 10,
        margin: 0.1,
    };
    let row = gray_failure_run(rule, failure_rate, 10)?;
    let ejected = row.detected_after_s.is_some();
    let why = "the rule ejects only a backend more than 0.1 below the median success rate (about 0.999 here)";
    println!("{}", check_prediction(prediction, ejected, why));
    let health = gray_failure_run(Ejection::HealthCheck, failure_rate, 10)?;
    assert_eq!(health.detected_after_s, None);

    // cell
    let presence_math = Table::from_rows(&c13_presence_arithmetic())?;
    presence_math.evcxr_display();

    // cell
    let users = 5_000_000;
    let tiered = [
        UserGroup::new("active", 1_000_000, secs(10))?,
        UserGroup::new("idle", 1_500_000, secs(60))?,
        UserGroup::new("background", 2_500_000, secs(300))?,
    ];
    let mut presence_rows = Vec::new();
    for seconds in [5, 10, 30] {
        let everyone = [UserGroup::new("everyone", users, secs(seconds))?];
        let name = format!("fixed {seconds} s");
        presence_rows.push(presence_policy(&name, &everyone, 3, 20_000, 7)?);
    }
    presence_rows.push(presence_policy(
        "tiered 10/60/300 s",
        &tiered,
        3,
        20_000,
        7,
    )?);
    let presence_table = Table::from_rows(&presence_rows)?;
    presence_table.evcxr_display();

    // cell
    let staleness: Vec<(f64, f64)> = presence_rows
        .iter()
        .map(|row| (row.online_after_leaving_s, row.writes_per_second / 1e3))
        .collect();
    Figure::new("Presence: write load against staleness (TTL = 3 intervals)")
        .x_label("mean time shown online after leaving (s)")
        .y_label("heartbeat writes per second (thousands)")
        .points("fixed 5, 10, 30 s, then tiered", staleness)
        .evcxr_display();

    // cell
    let crash_row = server_crash(50_000, secs(10), secs(30), secs(5), 8)?;
    let offline = [
        ("per-user keys, mean", crash_row.per_user_mean_offline_s),
        (
            "per-user keys, last user",
            crash_row.per_user_last_offline_s,
        ),
        ("per-server registry, all", crash_row.registry_all_offline_s),
    ];
    Figure::new("A server with 50,000 users crashes: seconds until shown offline")
        .y_label("seconds after the crash")
        .bars("shown offline after", offline)
        .show();
    let crash_table = Table::from_rows(std::slice::from_ref(&crash_row))?;
    crash_table.evcxr_display();

    // cell
    let ttl_beats = 3; // try 2
    let prediction: Option<bool> = None; // Some(true): still more than 10 minutes at worst
    let row = presence_policy("tiered", &tiered, ttl_beats, 20_000, 7)?;
    let over_ten_minutes = row.worst_online_after_leaving_s > 600.0;
    let why =
        format!("the worst case is just under the TTL, {ttl_beats} × 300 s for background users");
    println!("{}", check_prediction(prediction, over_ten_minutes, &why));
    assert!(row.worst_online_after_leaving_s <= f64::from(ttl_beats) * 300.0);

    // cell
    let budget = LeaseBudget::new(10_000, ms(100))?;
    let drifts_ppm = [-200_000, -100_000, -50_000, -20_000, -10_000, 0, 10_000];
    let mut overlap_figure =
        Figure::new("Two holders at once: lease 10 s, budget 1% drift and 100 ms")
            .x_label("holder's actual clock drift (%; negative = slow)")
            .y_label("overlap (ms)");
    for pause in [0, 500, 2_000] {
        let mut points = Vec::new();
        for drift in drifts_ppm {
            let run = lease_handover(secs(10), budget, ms(100), drift, ms(pause))?;
            points.push((drift as f64 / 10_000.0, run.overlap_ms));
        }
        overlap_figure =
            overlap_figure.line(format!("pause {pause} ms after the last check"), points);
    }
    overlap_figure.evcxr_display();

    // cell
    let ratios = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0];
    let renewal_rows = renewal_experiment(secs(10), &ratios, 0.05, 200.0, 9)?;
    let simulated: Vec<(f64, f64)> = renewal_rows
        .iter()
        .map(|row| (row.renew_ratio, row.false_expiries_per_hour))
        .collect();
    let computed: Vec<(f64, f64)> = renewal_rows
        .iter()
        .map(|row| (row.renew_ratio, row.computed_per_hour))
        .collect();
    Figure::new("False lease expiries, renewals lost with probability 0.05")
        .x_label("renewal period / lease length")
        .y_label("false expiries per hour")
        .points("simulated, 200 h", simulated)
        .line("computed", computed)
        .evcxr_display();

    // cell
    let budgeted_ppm = 10_000; // try 50_000
    let prediction: Option<bool> = None; // Some(true): a 2% slow clock still overlaps
    let budget = LeaseBudget::new(budgeted_ppm, ms(100))?;
    let run = lease_handover(secs(10), budget, ms(100), -20_000, ms(0))?;
    let overlaps = run.overlap_ms > 0.0;
    let why = format!(
        "the holder acts for {} by its clock; overlap {:.1} ms",
        budget.acts_for(secs(10)),
        run.overlap_ms
    );
    println!("{}", check_prediction(prediction, overlaps, &why));
    let paused = lease_handover(secs(10), budget, ms(100), 0, secs(2))?;
    assert!(paused.overlap_ms > 0.0);

    // cell
    let mut fencing_runs = Vec::new();
    for fencing in [Fencing::Off, Fencing::TokenCheck, Fencing::CheckThenWrite] {
        fencing_runs.push(pause_scenario(fencing, secs(8))?);
    }
    fencing_timeline(&fencing_runs[0]).show();
    fencing_timeline(&fencing_runs[1]).show();
    let headers = [
        "storage",
        "A's writes applied after its lease ended",
        "lost updates",
    ];
    let mut fencing_table = Table::new(headers);
    for run in &fencing_runs {
        let counts = [run.stale_applied.to_string(), run.lost_updates.to_string()];
        fencing_table.push_row([run.fencing.clone(), counts[0].clone(), counts[1].clone()])?;
    }
    fencing_table.evcxr_display();

    // cell
    let pauses: Vec<Time> = (0..=240).map(|step| ms(step * 50)).collect();
    let mut sweep =
        Figure::new("Lost updates against A's pause (pause at 4 s, lease ends at 10 s)")
            .x_label("pause (s)")
            .y_label("B's writes overwritten by A");
    let mut lost_at = Vec::new();
    for fencing in [Fencing::Off, Fencing::TokenCheck, Fencing::CheckThenWrite] {
        let mut points = Vec::new();
        for &pause in &pauses {
            let lost = pause_scenario(fencing, pause)?.lost_updates;
            points.push((pause.as_secs_f64(), lost as f64));
            if lost > 0 && fencing == Fencing::CheckThenWrite {
                lost_at.push(pause.as_secs_f64());
            }
        }
        sweep = sweep.step(fencing.to_string(), points);
    }
    println!("check-then-write loses an update at pauses {lost_at:?} s");
    sweep.evcxr_display();

    // cell
    let mut failover_rows = Vec::new();
    for failover in [Failover::TwoNodes, Failover::Witness] {
        for trouble in [Trouble::Partition, Trouble::Crash] {
            failover_rows.push(failover_run(failover, trouble, secs(60), secs(10), 100.0)?);
        }
    }
    let failover_table = Table::from_rows(&failover_rows)?;
    failover_table.evcxr_display();

    // cell
    let fencing = Fencing::CheckThenWrite; // try Fencing::TokenCheck
    let prediction: Option<bool> = None; // Some(true): an update is lost
    let run = pause_scenario(fencing, ms(6_100))?;
    let lost = run.lost_updates > 0;
    let why = "only a check made in the same step as the write sees B's newer token every time";
    println!("{}", check_prediction(prediction, lost, why));
    assert_eq!(
        pause_scenario(Fencing::TokenCheck, ms(6_100))?.lost_updates,
        0
    );

    // end of cells
    // The live phi figure at its starting values and at each value the prose suggests.
    let phi_at = |jitter: f64, spike: i64, threshold: f64| -> Result<String, Box<dyn Error>> {
        let figure = phi_view(&Values::of(&[
            Control::float("jitter σ", 0.0, 1.5, 0.05, jitter)?,
            Control::int("spike (ms)", 0..=5_000, spike)?,
            Control::float("threshold", 0.5, 12.0, 0.5, threshold)?,
        ]))?;
        Ok(figure.title().to_string())
    };
    let alarms = "phi ≥ 8: exponential at 118.45 s, normal at 60.55 s (false)";
    assert_eq!(phi_at(0.3, 2_500, 8.0)?, alarms);
    assert_eq!(phi_at(1.0, 2_500, 8.0)?, alarms);
    assert_eq!(
        phi_at(0.3, 500, 8.0)?,
        "phi ≥ 8: exponential at 118.45 s, normal at 101.55 s"
    );
    assert_eq!(
        phi_at(0.3, 2_500, 2.0)?,
        "phi ≥ 2: exponential at 104.65 s, normal at 60.25 s (false)"
    );
    let column = |table: &Table, index: usize| -> Vec<String> {
        table.rows().iter().map(|row| row[index].clone()).collect()
    };
    let right = |verdict: String| verdict.starts_with("Right");

    // 1. Timeouts: the rates and delays the prose quotes, and the try-it's 2 s pause.
    let rates: Vec<f64> = timeout_rows
        .iter()
        .map(|row| row.false_suspicion_rate)
        .collect();
    assert_eq!(
        rates,
        [
            0.2515, 0.06995, 0.01455, 0.00645, 0.00525, 0.0054, 0.0054, 0.0
        ]
    );
    assert_eq!(
        column(&timeout_table, 2)[..4],
        ["79.8", "99.8", "130.1", "169.9"]
    );
    assert!(
        timeout_rows
            .iter()
            .all(|row| row.fastest_detection_ms >= row.timeout_ms)
    );
    for (pause, suspects) in [(ms(800), false), (ms(2_000), true)] {
        let stalls = Latency::log_normal(ms(20), 0.6).with_spikes(0.005, pause);
        let rows = timeout_experiment(&stalls, &[ms(1_000)], ms(100), 20_000, 1)?;
        let measured = rows[0].false_suspicion_rate > 0.0;
        assert!(right(check_prediction(Some(suspects), measured, "")));
    }

    // 2. Fixed heartbeats.
    assert_eq!(
        (
            seed_row.detection_s,
            seed_row.worst_detection_s,
            seed_row.false_suspicions_per_hour
        ),
        (12.54, 15.23, 0.125)
    );
    let k1 = &heartbeat_rows[0];
    assert_eq!(
        (k1.period_s, k1.misses, k1.false_suspicions_per_hour),
        (1.0, 1, 1793.688)
    );
    assert_eq!(writes_per_second(100 * 99, secs(1)), 9_900.0);
    assert_eq!(writes_per_second(300 * 299, secs(1)), 89_700.0);
    for (loss, noisy) in [(0.02, false), (0.10, true)] {
        let lossy = HeartbeatChannel::new(loss, Latency::log_normal(ms(50), 1.0))?;
        let rows = heartbeat_experiment(&lossy, &[secs(5)], &[3], 48.0, 100, 2)?;
        assert!(right(check_prediction(
            Some(noisy),
            rows[0].false_suspicions_per_hour > 1.0,
            ""
        )));
    }

    // 3. Phi and the detectors.
    let peak = |from: f64, to: f64, normal: bool| {
        phi_rows
            .iter()
            .filter(|row| row.time_s >= from && row.time_s < to)
            .map(|row| {
                if normal {
                    row.phi_normal
                } else {
                    row.phi_exponential
                }
            })
            .fold(0.0, f64::max)
    };
    assert_eq!(format!("{:.2}", peak(60.0, 70.0, false)), "1.51");
    assert!(peak(60.0, 70.0, true).is_infinite());
    assert!(peak(0.0, 60.0, true) < 1.0 && peak(0.0, 60.0, false) < 1.0);
    let crossing = |normal: bool| {
        phi_rows
            .iter()
            .find(|row| {
                row.time_s >= 100.0
                    && (if normal {
                        row.phi_normal
                    } else {
                        row.phi_exponential
                    }) >= 8.0
            })
            .map(|row| row.time_s)
    };
    assert_eq!(
        (crossing(true), crossing(false)),
        (Some(102.45), Some(118.45))
    );
    assert_eq!(format!("{:.4}", silence_for_8.as_secs_f64()), "18.4207");
    let detector = |family: &str, setting: &str| {
        detector_rows
            .iter()
            .find(|row| row.detector == family && row.setting == setting)
            .map(|row| (row.false_suspicions_per_hour, row.detection_s))
    };
    assert_eq!(detector("SRTT + k·RTTVAR", "k = 16"), Some((15.5, 6.26)));
    assert_eq!(detector("phi, normal", "phi = 12"), Some((15.0, 3.64)));
    assert_eq!(detector("phi, exponential", "phi = 2"), Some((0.0, 4.6)));
    assert_eq!(detector("fixed timeout", "3s"), Some((0.5, 2.94)));
    for (floor, crosses) in [(ms(100), true), (ms(1_000), false)] {
        let mut normal = PhiAccrual::new(PhiModel::Normal { min_stddev: floor }, 100)?;
        for beat in 0..=60 {
            normal.heartbeat(secs(beat));
        }
        let peak = normal.phi(secs(60) + ms(3_500));
        assert!(right(check_prediction(Some(crosses), peak > 8.0, "")));
    }

    // 4. Gossip.
    assert_eq!(column(&hundred_table, 4), ["12.05", "9.9", "6.6", "7.4"]);
    assert_eq!(column(&hundred_table, 6), ["5.37", "9.9", "6.6", "6.21"]);
    assert_eq!(push_one.push_estimate, 11.25);
    for (loss, slow) in [(0.0, false), (0.3, true)] {
        let rows = gossip_experiment(&[100], &[Exchange::Push], 1, loss, 20, 5)?;
        assert!(right(check_prediction(
            Some(slow),
            rows[0].mean_rounds > 15.0,
            ""
        )));
    }

    // 5. SWIM.
    assert_eq!(
        column(&probe_table, 2),
        ["200000", "37103", "6845", "1287", "272", "49", "7"]
    );
    assert!(
        probe_rows
            .iter()
            .all(|row| (row.measured - row.computed).abs() < 0.002)
    );
    for (link_loss, helpers) in [(0.05, 5), (0.20, 14)] {
        let mut needed = 0;
        while false_failure_probability(1.0, link_loss, needed)? >= 0.001 {
            needed += 1;
        }
        assert_eq!(needed, helpers);
    }

    // 6. Gray failures.
    assert_eq!(column(&gray_table, 1), ["", "", "4.0", "1.0"]);
    assert_eq!(
        column(&gray_table, 3),
        ["0.0234", "0.0234", "0.002", "0.0011"]
    );
    assert!(gray_rows.iter().all(|row| row.healthy_ejected == 0));
    for (failure_rate, ejected) in [(0.3, true), (0.05, false)] {
        let rule = Ejection::SuccessRate {
            window_s: 10,
            margin: 0.1,
        };
        let row = gray_failure_run(rule, failure_rate, 10)?;
        assert!(right(check_prediction(
            Some(ejected),
            row.detected_after_s.is_some(),
            ""
        )));
    }

    // 7. Presence.
    assert_eq!(
        column(&presence_math, 1),
        ["1000000", "14.4B", "216 s", "38.5", "$1898"]
    );
    assert_eq!(
        column(&presence_table, 1),
        ["1000000.0", "500000.0", "166666.7", "133333.3"]
    );
    assert_eq!(column(&presence_table, 2)[3], "426.41");
    assert_eq!(column(&presence_table, 3)[3], "899.99");
    assert_eq!(
        (
            crash_row.per_user_mean_offline_s,
            crash_row.per_user_last_offline_s
        ),
        (24.98, 30.0)
    );
    for (ttl_beats, over) in [(3, true), (2, false)] {
        let row = presence_policy("tiered", &tiered, ttl_beats, 20_000, 7)?;
        assert!(right(check_prediction(
            Some(over),
            row.worst_online_after_leaving_s > 600.0,
            ""
        )));
    }

    // 8. Leases.
    let one_percent = LeaseBudget::new(10_000, ms(100))?;
    let overlap = |drift: i64, pause: i64| -> Result<f64, SimError> {
        Ok(lease_handover(secs(10), one_percent, ms(100), drift, ms(pause))?.overlap_ms)
    };
    assert_eq!(overlap(-10_000, 0)?, 0.0);
    assert_eq!(format!("{:.0}", overlap(-20_000, 0)?), "100");
    assert_eq!(format!("{:.0}", overlap(-200_000, 0)?), "2350");
    assert_eq!(format!("{:.0}", overlap(0, 2_000)?), "1900");
    let expiries: Vec<f64> = renewal_rows
        .iter()
        .map(|row| row.false_expiries_per_hour)
        .collect();
    assert_eq!(expiries[..3], [0.0, 0.0, 0.165]);
    assert!(
        expiries[5..]
            .iter()
            .all(|&rate| (16.0..29.0).contains(&rate))
    );
    for (budgeted_ppm, overlaps) in [(10_000, true), (50_000, false)] {
        let budget = LeaseBudget::new(budgeted_ppm, ms(100))?;
        let run = lease_handover(secs(10), budget, ms(100), -20_000, ms(0))?;
        assert!(right(check_prediction(
            Some(overlaps),
            run.overlap_ms > 0.0,
            ""
        )));
    }

    // 9. Fencing and split brain.
    assert_eq!(column(&fencing_table, 1), ["1", "0", "0"]);
    assert_eq!(column(&fencing_table, 2), ["1", "0", "0"]);
    assert_eq!(lost_at, [6.1]);
    let unfenced_write = fencing_runs[0]
        .writes
        .iter()
        .find(|write| write.overwrote_newer);
    assert_eq!(unfenced_write.map(|write| write.decided_s), Some(12.05));
    assert_eq!(column(&failover_table, 2), ["2", "1", "1", "1"]);
    assert_eq!(column(&failover_table, 3), ["2500", "0", "0", "0"]);
    for (fencing, lost) in [
        (Fencing::CheckThenWrite, true),
        (Fencing::TokenCheck, false),
    ] {
        let run = pause_scenario(fencing, ms(6_100))?;
        assert!(right(check_prediction(
            Some(lost),
            run.lost_updates > 0,
            ""
        )));
    }
    Ok(())
}
