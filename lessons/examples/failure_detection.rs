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
    use lessons::viz::{Corner, Figure};

    // cell
    let response = Latency::log_normal(ms(20), 0.6).with_spikes(0.005, ms(800));
    let taus: Vec<Time> = [30, 50, 80, 120, 200, 400, 700, 900]
        .into_iter()
        .map(ms)
        .collect();
    let timeout_rows = timeout_experiment(&response, &taus, ms(100), 20_000, 1)?;
    let timeout_table = Table::from_rows(&timeout_rows)?;
    timeout_table.evcxr_display();

    // cell
    timeout_figure(&timeout_rows).evcxr_display();

    // cell
    let channel = HeartbeatChannel::new(0.02, Latency::log_normal(ms(50), 1.0))?;
    let periods = [secs(1), secs(2), secs(5), secs(10)];
    let heartbeat_rows = heartbeat_experiment(&channel, &periods, &[1, 2, 3, 5], 48.0, 500, 2)?;
    let (detection_map, noise_map) = heartbeat_heatmaps(&heartbeat_rows);
    detection_map.show();
    noise_map.evcxr_display();

    // cell
    let spike = Some((secs(60), secs(63), ms(2_500)));
    let steady = Latency::log_normal(ms(10), 0.3);
    let phi_rows = phi_timeline(secs(1), &steady, spike, secs(100), secs(120), ms(50), 3)?;
    phi_figure("Phi around a 2.5 s latency spike (60 s) and a crash (100 s)", &phi_rows, 12.0)
        .evcxr_display();

    // cell
    let mut exponential = PhiAccrual::new(PhiModel::Exponential, 1_000)?;
    for beat in 0..=100 {
        exponential.heartbeat(secs(beat));
    }
    let silence_for_8 = exponential.silence_to_reach(8.0).ok_or("no mean yet")?;
    println!("phi = 8 after {silence_for_8} of silence, {:.4} mean intervals", silence_for_8.as_secs_f64());

    // cell
    let calm = Latency::log_normal(ms(10), 0.3);
    let congested = Latency::log_normal(ms(300), 0.8);
    let network = ShiftingNetwork::new(secs(1), calm, congested, secs(3_600), 0.01)?;
    let mut settings: Vec<DetectorSetting> = [1_500, 2_000, 3_000, 5_000, 8_000]
        .into_iter()
        .map(|timeout| DetectorSetting::FixedTimeout { timeout: ms(timeout) })
        .collect();
    settings.extend([1.0, 2.0, 4.0, 8.0, 16.0].map(|deviations| DetectorSetting::Adaptive { deviations }));
    settings.extend([0.5, 1.0, 2.0, 3.0, 5.0, 8.0].map(|threshold| DetectorSetting::PhiExponential { threshold, window: 100 }));
    let min_stddev = ms(100);
    settings.extend([1.0, 3.0, 5.0, 8.0, 12.0].map(|threshold| DetectorSetting::PhiNormal { threshold, window: 100, min_stddev }));
    let detector_rows = compare_detectors(&network, &settings, 2.0, 100, 4)?;
    detector_figure(&detector_rows).evcxr_display();

    // cell
    let sizes = [10, 30, 100, 300, 1_000, 3_000, 10_000];
    let mut gossip_rows = gossip_experiment(&sizes, &[Exchange::Push, Exchange::Pull, Exchange::PushPull], 1, 0.0, 20, 5)?;
    gossip_rows.extend(gossip_experiment(&sizes, &[Exchange::Push], 2, 0.0, 20, 5)?);
    gossip_figure(&gossip_rows).evcxr_display();

    // cell
    let at_hundred: Vec<GossipRow> = gossip_rows.iter().filter(|row| row.nodes == 100).cloned().collect();
    let hundred_table = Table::from_rows(&at_hundred)?;
    hundred_table.evcxr_display();

    // cell
    let probe_rows = indirect_probe_experiment(1.0, 0.05, &[0, 1, 2, 3, 4, 5, 6], 200_000, 6)?;
    probe_figure(&probe_rows).show();
    let probe_table = Table::from_rows(&probe_rows)?;
    probe_table.evcxr_display();

    // cell
    let users = 5_000_000;
    let mut presence_math = Table::new(["quantity", "computed", "the seed says"]);
    presence_math.push_row(["writes/s, 5M users every 5 s".to_string(), format!("{:.0}", writes_per_second(users, secs(5))), "1M".to_string()])?;
    presence_math.push_row(["writes/day, 5M users every 30 s".to_string(), format!("{:.2e}", writes_per_second(users, secs(30)) * 86_400.0), "2B".to_string()])?;
    presence_math.push_row(["interval giving 2B writes/day".to_string(), format!("{:.0} s", interval_for_daily_writes(users, 2e9).as_secs_f64()), "30 s".to_string()])?;
    presence_math.push_row(["nodes at 26K ops/s for 1M writes/s".to_string(), format!("{:.1}", 1e6 / 26_000.0), "~40".to_string()])?;
    presence_math.push_row(["40 nodes at $0.065/h, per month".to_string(), format!("${:.0}", monthly_cost(40, 0.065)), "~$23K".to_string()])?;
    presence_math.evcxr_display();

    // cell
    let fixed_5 = [UserGroup::new("everyone", users, secs(5))?];
    let fixed_10 = [UserGroup::new("everyone", users, secs(10))?];
    let fixed_30 = [UserGroup::new("everyone", users, secs(30))?];
    let tiered = [
        UserGroup::new("active", 1_000_000, secs(10))?,
        UserGroup::new("idle", 1_500_000, secs(60))?,
        UserGroup::new("background", 2_500_000, secs(300))?,
    ];
    let policies = [
        ("fixed 5 s", &fixed_5[..]),
        ("fixed 10 s", &fixed_10[..]),
        ("fixed 30 s", &fixed_30[..]),
        ("tiered 10/60/300 s", &tiered[..]),
    ];
    let mut presence_rows = Vec::new();
    for (name, groups) in policies {
        presence_rows.push(presence_policy(name, groups, 3, 20_000, 7)?);
    }
    let presence_table = Table::from_rows(&presence_rows)?;
    presence_table.evcxr_display();

    // cell
    let crash_row = server_crash(50_000, secs(10), secs(30), secs(5), 8)?;
    let crash_table = Table::from_rows(&[crash_row.clone()])?;
    crash_table.evcxr_display();

    // cell
    let budget = LeaseBudget::new(10_000, ms(100))?;
    let drifts_ppm = [-200_000, -100_000, -50_000, -20_000, -10_000, 0, 10_000];
    let mut overlap_figure = Figure::new("Two holders at once: lease 10 s, holder budgets 1% drift and 100 ms")
        .x_label("holder's actual clock drift (%; negative = slow)")
        .y_label("overlap (ms)");
    for pause in [0, 500, 2_000] {
        let mut points = Vec::new();
        for drift in drifts_ppm {
            let run = lease_handover(secs(10), budget, ms(100), drift, ms(pause))?;
            points.push((drift as f64 / 10_000.0, run.overlap_ms));
        }
        overlap_figure = overlap_figure.line(format!("pause {pause} ms after the last check"), points);
    }
    overlap_figure.evcxr_display();

    // cell
    let ratios = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0];
    let renewal_rows = renewal_experiment(secs(10), &ratios, 0.05, 200.0, 9)?;
    Figure::new("False lease expiries, renewals lost with probability 0.05")
        .x_label("renewal period / lease length")
        .y_label("false expiries per hour")
        .legend_at(Corner::UpperLeft)
        .points("simulated, 200 h", renewal_rows.iter().map(|row| (row.renew_ratio, row.false_expiries_per_hour)))
        .line("computed", renewal_rows.iter().map(|row| (row.renew_ratio, row.computed_per_hour)))
        .evcxr_display();

    // cell
    let mut fencing_runs = Vec::new();
    for fencing in [Fencing::Off, Fencing::TokenCheck, Fencing::CheckThenWrite] {
        fencing_runs.push(pause_scenario(fencing, secs(8))?);
    }
    fencing_timeline(&fencing_runs[0]).show();
    fencing_timeline(&fencing_runs[1]).show();
    let mut fencing_table = Table::new(["storage", "A's writes applied after its lease ended", "lost updates"]);
    for run in &fencing_runs {
        fencing_table.push_row([run.fencing.clone(), run.stale_applied.to_string(), run.lost_updates.to_string()])?;
    }
    fencing_table.evcxr_display();

    // cell
    let pauses: Vec<Time> = (0..=240).map(|step| ms(step * 50)).collect();
    let mut sweep = Figure::new("Lost updates against A's pause (pause starts at 4 s, lease ends at 10 s)")
        .x_label("pause (s)")
        .y_label("B's writes overwritten by A");
    for fencing in [Fencing::Off, Fencing::TokenCheck, Fencing::CheckThenWrite] {
        let mut points = Vec::new();
        for &pause in &pauses {
            points.push((pause.as_secs_f64(), pause_scenario(fencing, pause)?.lost_updates as f64));
        }
        sweep = sweep.step(fencing.to_string(), points);
    }
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

    // end of cells
    println!("{}", timeout_table.to_plain_text());
    let t = Table::from_rows(&heartbeat_rows)?;
    println!("{}", t.to_plain_text());
    println!("{}", Table::from_rows(&detector_rows)?.to_plain_text());
    for t in [&hundred_table, &probe_table, &presence_math, &presence_table, &crash_table, &fencing_table, &failover_table] { println!("{}", t.to_plain_text()); }
    println!("{}", Table::from_rows(&renewal_rows)?.to_plain_text());
    for f in [Fencing::Off, Fencing::TokenCheck, Fencing::CheckThenWrite] { let v: Vec<(f64, usize)> = pauses.iter().map(|&p| (p.as_secs_f64(), pause_scenario(f, p).unwrap().lost_updates)).filter(|x| x.1 > 0).collect(); println!("{f}: {v:?}"); }
    println!("{}", Table::from_rows(&gossip_rows)?.to_plain_text());
    let peak = |from: f64, to: f64| phi_rows.iter().filter(|r| r.time_s >= from && r.time_s < to).fold((0.0f64, 0.0f64), |(e, n), r| (e.max(r.phi_exponential), n.max(r.phi_normal)));
    println!("spike {:?} crash+5 {:?} calm {:?}", peak(60.0, 70.0), peak(100.0, 105.0), peak(10.0, 60.0));
    Ok(())
}
