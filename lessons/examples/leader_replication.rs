//! The Rust code of `notebooks/08-leader-replication.ipynb`, cell by cell, as one program.
//!
//! Each `// cell` line starts the code of the next notebook code cell (after the `:dep` cell); a
//! cell whose last line is a bare variable shows that value, which here is spelled
//! `variable.evcxr_display();`. `tests/leader_replication_notebook.rs` checks that the two stay
//! identical, runs this program, and the assertions at the end pin the numbers the notebook's
//! prose quotes and run every variation its "try it" cells suggest.
//!
//! Run it with `cargo run -p lessons --example leader_replication`.

use std::error::Error;

pub fn main() -> Result<(), Box<dyn Error>> {
    // cell
    use lessons::check::*;
    use lessons::display::RichDisplay;
    use lessons::replication::*;
    use lessons::sim::*;
    use lessons::table::Table;
    use lessons::try_it::check_prediction;
    use lessons::viz::Figure;
    use lessons::widgets::{Control, Values, interact};

    // cell
    let one_crash = LeaderSetup::new(2, 0, Latency::constant(ms(30)), ms(10))?;
    let trial = failover_trial(&one_crash, ms(1_000), 1)?;
    let mut last_writes = Table::new([
        "log position",
        "written",
        "acknowledged",
        "on the new primary",
    ]);
    for write in trial.writes.iter().rev().take(6).rev() {
        last_writes.push_row([
            write.log_position.to_string(),
            format!("{:.1} ms", write.written_at.as_millis_f64()),
            write.acknowledged_at.map_or("no".to_string(), |at| {
                format!("{:.1} ms", at.as_millis_f64())
            }),
            if write.on_promoted { "yes" } else { "LOST" }.to_string(),
        ])?;
    }
    println!(
        "follower {} promoted; {} of {} acknowledged writes lost",
        trial.promoted, trial.lost, trial.acknowledged
    );
    last_writes.evcxr_display();

    // cell
    let lags: Vec<Time> = [1, 5, 10, 20, 40, 80].map(ms).to_vec();
    let failovers = failover_experiment(3, &[0, 1, 2, 3], &lags, ms(10), 200, 1)?;
    failover_loss_figure(&failovers).show();
    write_latency_figure(&failovers, 20.0).show();
    let at_20: Vec<FailoverRow> = failovers
        .iter()
        .filter(|r| r.mean_lag_ms == 20.0)
        .cloned()
        .collect();
    let failover_table = Table::from_rows(&at_20)?;
    failover_table.evcxr_display();

    // cell
    fn failover_view(values: &Values) -> Result<Table, Box<dyn std::error::Error>> {
        let lag = ms(values.int("mean lag (ms)"));
        let every = ms(values.int("write every (ms)"));
        let rows = failover_experiment(3, &[0, 1, 2, 3], &[lag], every, 100, 1)?;
        Ok(Table::from_rows(&rows)?)
    }
    interact(
        vec![
            Control::int("mean lag (ms)", 1..=200, 20)?,
            Control::int("write every (ms)", 5..=100, 10)?,
        ],
        failover_view,
    )?;

    // cell
    // Try it: how many acknowledged writes does a primary that waits for 1 of 3 followers lose
    // over 200 failovers when the mean lag is 80 ms? Change `sync_followers` to 0 and predict again.
    let sync_followers = 1;
    let prediction: Option<usize> = None;
    let rows = failover_experiment(3, &[sync_followers], &[ms(80)], ms(10), 200, 1)?;
    let why = "a write acknowledged by the follower that is promoted cannot be lost; without one, whatever was in flight is".to_string();
    println!("{}", check_prediction(prediction, rows[0].lost, &why));
    assert!(
        sync_followers == 0 || rows[0].lost == 0,
        "the synchronous follower has every acknowledged write"
    );

    // cell
    let policies = [
        ReadPolicy::AnyReplica,
        ReadPolicy::PrimaryFor(secs(5)),
        ReadPolicy::LogPositionToken,
    ];
    let thinks: Vec<Time> = (0..=20).map(|k| ms(k * 500)).collect();
    let lag = Latency::exponential(secs(1)).with_spikes(0.05, secs(8));
    let ryw = read_your_writes_experiment(&policies, &thinks, lag.clone(), 20_000, 1)?;
    read_your_writes_figure(&ryw).show();
    let after_two: Vec<ReadYourWritesRow> =
        ryw.iter().filter(|r| r.think_s == 2.0).cloned().collect();
    let ryw_table = Table::from_rows(&after_two)?;
    ryw_table.evcxr_display();

    // cell
    fn read_your_writes_view(values: &Values) -> Result<Figure, SimError> {
        let lag = Latency::exponential(ms(values.int("mean lag (ms)")))
            .with_spikes(values.float("spike share"), secs(8));
        let policies = [
            ReadPolicy::AnyReplica,
            ReadPolicy::PrimaryFor(secs(values.int("window (s)"))),
            ReadPolicy::LogPositionToken,
        ];
        let thinks: Vec<Time> = (0..=20).map(|k| ms(k * 500)).collect();
        let rows = read_your_writes_experiment(&policies, &thinks, lag, 2_000, 1)?;
        Ok(read_your_writes_figure(&rows))
    }
    interact(
        vec![
            Control::int("mean lag (ms)", 100..=3_000, 1_000)?,
            Control::float("spike share", 0.0, 0.2, 0.01, 0.05)?,
            Control::int("window (s)", 1..=15, 5)?,
        ],
        read_your_writes_view,
    )?;

    // cell
    let spike = LagSpike {
        base: ms(200),
        spike_start: secs(60),
        spike_length: secs(40),
        extra: secs(9),
    };
    let canary = canary_experiment(spike, secs(30), secs(180))?;
    canary_figure(&canary).show();

    // cell
    let every_second = canary_experiment(spike, secs(1), secs(180))?;
    let mut canary_table = Table::new([
        "canary period",
        "s with true lag > 5 s",
        "s with reading > 5 s",
        "false alarms (s)",
    ]);
    for (period, rows) in [("30 s", &canary), ("1 s", &every_second)] {
        let true_over = rows.iter().filter(|r| r.true_s > 5.0).count();
        let reading_over = rows.iter().filter(|r| r.measured_s > 5.0).count();
        let false_alarms = rows
            .iter()
            .filter(|r| r.measured_s > 5.0 && r.true_s <= 5.0)
            .count();
        canary_table.push_row([
            period.to_string(),
            true_over.to_string(),
            reading_over.to_string(),
            false_alarms.to_string(),
        ])?;
    }
    canary_table.evcxr_display();

    // cell
    // Try it: route reads to the primary for 10 s after a user's write. Predict: over the same
    // think times (0 to 10 s) and this spiky lag, does any read still miss its own write?
    // Then try a window of 4 s.
    let window = secs(10);
    let prediction: Option<bool> = None;
    let rows = read_your_writes_experiment(
        &[ReadPolicy::PrimaryFor(window)],
        &thinks,
        lag.clone(),
        20_000,
        1,
    )?;
    let missed = rows.iter().map(|r| r.violations).sum::<usize>();
    let why = format!(
        "{missed} reads missed; a window is safe only if it is at least the largest lag, and this lag (exponential, with spikes) has no largest value"
    );
    println!("{}", check_prediction(prediction, missed > 0, &why));

    // cell
    let spreads: Vec<Time> = (0..=10).map(|k| ms(k * 20)).collect();
    let monotonic = monotonic_reads_experiment(&SessionRouting::ALL, &spreads, 3, 2_000, 1)?;
    monotonic_reads_figure(&monotonic).show();
    let widest: Vec<MonotonicRow> = monotonic
        .iter()
        .filter(|r| r.lag_spread_ms == 200.0)
        .cloned()
        .collect();
    let monotonic_table = Table::from_rows(&widest)?;
    monotonic_table.evcxr_display();

    // cell
    // Try it: spread the same sessions over 10 followers instead of 3. Predict: does the share
    // of reads the max-seen token sends to the primary go up?
    let followers = 10;
    let prediction: Option<bool> = None;
    let wider = monotonic_reads_experiment(
        &[SessionRouting::MaxSeenToken],
        &[ms(200)],
        followers,
        2_000,
        1,
    )?;
    let why = format!(
        "{:.1}% of reads went to the primary with {followers} followers, against {:.1}% with 3: the newest position seen is the best of more followers, so a random one is behind it more often",
        100.0 * wider[0].primary_share,
        100.0 * widest[2].primary_share
    );
    println!(
        "{}",
        check_prediction(
            prediction,
            wider[0].primary_share > widest[2].primary_share,
            &why
        )
    );

    // cell
    let story = [
        Withdrawal {
            at: ms(0),
            amount: 500,
        },
        Withdrawal {
            at: secs(1),
            amount: 400,
        },
    ];
    let mut story_table = Table::new(["check", "balance left", "created from nothing"]);
    for check in WithdrawalCheck::ALL {
        let left = final_balance(500, &story, check, secs(5), ms(2))?;
        story_table.push_row([
            check.name().to_string(),
            left.to_string(),
            (-left).max(0).to_string(),
        ])?;
    }
    story_table.evcxr_display();

    // cell
    let debit_lags: Vec<Time> = (0..=10).map(|k| ms(k * 500)).collect();
    let debits =
        double_debit_experiment(&WithdrawalCheck::ALL, &debit_lags, secs(2), ms(2), 1_000, 1)?;
    double_debit_figure(&debits).show();
    let at_five: Vec<DoubleDebitRow> = debits.iter().filter(|r| r.lag_s == 5.0).cloned().collect();
    let debit_table = Table::from_rows(&at_five)?;
    debit_table.evcxr_display();

    // cell
    // Try it: make the primary's check and its debit land together (round trip 0 ms). Predict:
    // does "primary balance, then debit" still overdraw any account? Then try 50 ms.
    let round_trip = ms(0);
    let prediction: Option<bool> = None;
    let raced = double_debit_experiment(
        &[WithdrawalCheck::PrimaryBalance],
        &[secs(5)],
        secs(2),
        round_trip,
        1_000,
        1,
    )?;
    let why = format!(
        "{} accounts overdrawn: the race window is the time between the check and the debit",
        raced[0].overdrawn
    );
    println!(
        "{}",
        check_prediction(prediction, raced[0].overdrawn > 0, &why)
    );

    // cell
    let resolutions = [
        Resolution::WallClockLww { skew: ms(20) },
        Resolution::HybridLww { skew: ms(20) },
        Resolution::Siblings,
        Resolution::Crdt,
    ];
    let delays: Vec<Time> = [0, 5, 10, 20, 50, 100, 200].map(ms).to_vec();
    let conflicts = multi_leader_experiment(&resolutions, &delays, ms(100), 200, 1)?;
    multi_leader_figure(&conflicts).show();
    let at_100: Vec<MultiLeaderRow> = conflicts
        .iter()
        .filter(|r| r.delay_ms == 100.0)
        .cloned()
        .collect();
    let conflict_table = Table::from_rows(&at_100)?;
    conflict_table.evcxr_display();

    // cell
    // Try it: put the two leaders next to each other (no delay at all), keep region 1's clock
    // 20 ms behind. Predict: does wall-clock LWW still lose edits? Then try the hybrid clock.
    let resolution = Resolution::WallClockLww { skew: ms(20) };
    let prediction: Option<bool> = None;
    let run = multi_leader_run(resolution, ms(0), ms(100), 200, 1)?;
    let why = format!(
        "{} of {} edits lost; with no delay nothing is concurrent, so any loss comes from stamps that contradict what the writer saw",
        run.lost, run.edits
    );
    println!("{}", check_prediction(prediction, run.lost > 0, &why));
    assert!(
        run.converged,
        "every resolution converges once all edits have arrived"
    );

    // cell
    let cap_setup = CapSetup::new(3, 1, ms(10), ms(100))?;
    let requests = [
        CapRequest::write(2, ms(20), 2),
        CapRequest::write(0, ms(30), 1),
        CapRequest::read(1, ms(40)),
        CapRequest::read(2, ms(50)),
    ];
    let mut cap_table = Table::new([
        "mode",
        "history",
        "failed",
        "stale reads",
        "linearizable",
        "sequential",
    ]);
    for mode in CapMode::BOTH {
        let run = cap_scripted(cap_setup, mode, &requests)?;
        cap_table.push_row([
            mode.name().to_string(),
            run.history_text(),
            run.failed.to_string(),
            run.stale_reads.to_string(),
            check_register(&run.history).is_linearizable().to_string(),
            check_sequential(&run.history)
                .is_sequentially_consistent()
                .to_string(),
        ])?;
    }
    cap_table.evcxr_display();

    // cell
    let lengths: Vec<Time> = (0..=8).map(|k| ms(k * 25)).collect();
    let cap_rows = cap_experiment(CapSetup::new(3, 1, ms(50), ms(0))?, &lengths, 16, 20, 1)?;
    cap_figure(&cap_rows).show();
    let cap_summary = Table::from_rows(&cap_rows)?;
    cap_summary.evcxr_display();

    // cell
    // Try it: five nodes with two cut off for 300 ms. Predict whether CP mode still produces
    // only linearizable histories, then try `CapMode::Available`.
    let mode = CapMode::Consistent;
    let prediction: Option<bool> = None;
    let five = CapSetup::new(5, 2, ms(50), ms(300))?;
    let mut all_linearizable = true;
    for seed in 0..20 {
        let run = cap_run(five, mode, 20, seed)?;
        all_linearizable &= check_register(&run.history).is_linearizable();
        assert!(mode == CapMode::Available || run.failed == run.failed_cut_off);
    }
    let why = "CP refuses on the cut-off side and serves everything else from the one leader; AP answers from a copy the leader's writes cannot reach".to_string();
    println!("{}", check_prediction(prediction, all_linearizable, &why));

    // cell
    let regions = Regions::new(vec![ms(15), ms(40), ms(75)], 0.2, ms(1))?;
    let reads = [
        ReadFrom::Local,
        ReadFrom::BoundedStaleness(ms(50)),
        ReadFrom::Leader,
    ];
    let pacelc = pacelc_experiment(&regions, &WaitFor::ALL, &reads, 20_000, 1)?;
    pacelc_figure(&pacelc).show();
    let pacelc_table = Table::from_rows(&pacelc)?;
    pacelc_table.evcxr_display();

    // cell
    // Try it: move the farthest region closer (75 ms to 20 ms one way). Predict: does the
    // median write to a majority get faster?
    let farthest = ms(20);
    let prediction: Option<bool> = None;
    let moved = Regions::new(vec![ms(15), ms(40), farthest], 0.2, ms(1))?;
    let before = pacelc_experiment(
        &regions,
        &[WaitFor::Majority],
        &[ReadFrom::Local],
        20_000,
        1,
    )?;
    let after = pacelc_experiment(&moved, &[WaitFor::Majority], &[ReadFrom::Local], 20_000, 1)?;
    let faster = after[0].write_p50_ms < before[0].write_p50_ms - 1.0;
    let why = format!(
        "median {:.1} ms before, {:.1} ms after: a majority waits for the second-nearest follower region, which changed",
        before[0].write_p50_ms, after[0].write_p50_ms
    );
    println!("{}", check_prediction(prediction, faster, &why));

    // cell
    let mut stale_after_done = RegisterHistory::new();
    stale_after_done.write(0, 1, ms(0), Some(ms(10)))?;
    stale_after_done.read(1, None, ms(20), ms(30))?;
    let order = check_sequential(&stale_after_done)
        .order()
        .map(|o| o.to_vec());
    println!(
        "linearizable: {}; sequentially consistent: {} (order {:?})",
        check_register(&stale_after_done).is_linearizable(),
        order.is_some(),
        order
    );

    // cell
    let costs = checker_cost_experiment(&(1..=12).collect::<Vec<usize>>(), 3, 1)?;
    checker_cost_figure(&costs).show();
    let cost_table = Table::from_rows(&costs[costs.len() - 3..])?;
    cost_table.evcxr_display();

    // cell
    // Try it: make the stale read come from the writer itself (client 0 instead of client 1).
    // Predict: is the history still sequentially consistent?
    let reader = 1;
    let prediction: Option<bool> = None;
    let mut history = RegisterHistory::new();
    history.write(0, 1, ms(0), Some(ms(10)))?;
    history.read(reader, None, ms(20), ms(30))?;
    let linearizable = check_register(&history).is_linearizable();
    let sequential = check_sequential(&history).is_sequentially_consistent();
    assert!(
        !linearizable || sequential,
        "every linearizable history is sequentially consistent"
    );
    let why =
        "sequential consistency may reorder different clients, never one client's own operations"
            .to_string();
    println!("{}", check_prediction(prediction, sequential, &why));

    // end of cells
    // The live controls at their starting values and at each value the prose suggests.
    let failover_at = |lag: i64, every: i64| -> Result<Table, Box<dyn Error>> {
        failover_view(&Values::of(&[
            Control::int("mean lag (ms)", 1..=200, lag)?,
            Control::int("write every (ms)", 5..=100, every)?,
        ]))
    };
    for (lag, every, lost) in [(20, 10, "1.64"), (80, 10, "13.83"), (80, 5, "38.55")] {
        let table = failover_at(lag, every)?;
        let lost_per_failover: Vec<&str> = table.rows().iter().map(|row| row[6].as_str()).collect();
        assert_eq!(lost_per_failover, [lost, "0.0", "0.0", "0.0"]);
    }
    let ryw_at = |lag: i64, share: f64, window: i64| -> Result<Vec<usize>, Box<dyn Error>> {
        read_your_writes_view(&Values::of(&[
            Control::int("mean lag (ms)", 100..=3_000, lag)?,
            Control::float("spike share", 0.0, 0.2, 0.01, share)?,
            Control::int("window (s)", 1..=15, window)?,
        ]))?;
        let policies = [
            ReadPolicy::PrimaryFor(secs(window)),
            ReadPolicy::LogPositionToken,
        ];
        let lag = Latency::exponential(ms(lag)).with_spikes(share, secs(8));
        let rows = read_your_writes_experiment(&policies, &thinks, lag, 2_000, 1)?;
        assert!(
            rows.iter()
                .all(|row| row.policy != "log-position token" || row.violations == 0)
        );
        let window_misses = rows.iter().step_by(2).map(|row| row.violations);
        Ok(window_misses.collect())
    };
    let missed_by_window = |misses: Vec<usize>| -> (usize, usize) {
        (
            misses.iter().sum(),
            misses.iter().filter(|&&m| m > 0).count(),
        )
    };
    assert_eq!(missed_by_window(ryw_at(1_000, 0.05, 5)?), (817, 11));
    assert_eq!(missed_by_window(ryw_at(1_000, 0.0, 5)?), (44, 6));
    assert_eq!(missed_by_window(ryw_at(1_000, 0.05, 10)?), (11, 1));
    let column = |table: &Table, index: usize| -> Vec<String> {
        table.rows().iter().map(|row| row[index].clone()).collect()
    };
    // Section 1: one crash, then 200 per mode and lag.
    assert_eq!(
        (trial.promoted, trial.lost, trial.acknowledged),
        (0, 5, 110)
    );
    assert_eq!(column(&failover_table, 5), ["326", "0", "0", "0"]);
    assert!(
        failovers
            .iter()
            .filter(|r| r.sync_followers > 0)
            .all(|r| r.lost == 0)
    );
    let p50: Vec<String> = at_20
        .iter()
        .map(|r| format!("{:.1}", r.write_p50_ms))
        .collect();
    assert_eq!(p50, ["0.0", "29.8", "42.2", "50.0"]);
    let p99: Vec<String> = at_20
        .iter()
        .map(|r| format!("{:.0}", r.write_p99_ms))
        .collect();
    assert_eq!(p99, ["0", "109", "124", "131"]);
    let async_loss: Vec<String> = failovers
        .iter()
        .filter(|r| r.sync_followers == 0)
        .map(|r| format!("{:.2}", r.lost_per_failover))
        .collect();
    assert_eq!(
        async_loss,
        ["0.04", "0.20", "0.57", "1.63", "5.01", "14.91"]
    );
    // The section 1 try-it, as suggested: 1 of 3 loses nothing, then asynchronous.
    let semi = failover_experiment(3, &[1], &[ms(80)], ms(10), 200, 1)?;
    assert!(check_prediction(Some(0), semi[0].lost, "").starts_with("Right"));
    let asynchronous = failover_experiment(3, &[0], &[ms(80)], ms(10), 200, 1)?;
    assert_eq!(asynchronous[0].lost, 2983);
    // Section 2.
    assert_eq!(column(&ryw_table, 3), ["3596", "0", "0"]);
    assert_eq!(column(&ryw_table, 5), ["0.0", "1.0", "0.1798"]);
    assert!(
        ryw.iter()
            .filter(|r| r.policy == "log-position token")
            .all(|r| r.violations == 0)
    );
    assert_eq!(column(&canary_table, 1), ["44", "44"]);
    assert_eq!(column(&canary_table, 2), ["160", "44"]);
    assert_eq!(column(&canary_table, 3), ["116", "0"]);
    // The section 2 try-it: 10 s still misses some reads; 4 s misses more.
    let ten = read_your_writes_experiment(
        &[ReadPolicy::PrimaryFor(secs(10))],
        &thinks,
        lag.clone(),
        20_000,
        1,
    )?;
    let ten_missed: usize = ten.iter().map(|r| r.violations).sum();
    assert_eq!(ten_missed, 147);
    let four =
        read_your_writes_experiment(&[ReadPolicy::PrimaryFor(secs(4))], &thinks, lag, 20_000, 1)?;
    let four_missed: usize = four.iter().map(|r| r.violations).sum();
    assert_eq!(four_missed, 11_497);
    // Section 3.
    assert_eq!(column(&monotonic_table, 3), ["1956", "0", "0"]);
    assert_eq!(column(&monotonic_table, 5), ["0.0", "0.0", "0.6946"]);
    assert!(
        monotonic
            .iter()
            .filter(|r| r.lag_spread_ms == 0.0)
            .all(|r| r.went_backwards == 0)
    );
    // The section 3 try-it: more followers, more reads sent to the primary.
    let ten =
        monotonic_reads_experiment(&[SessionRouting::MaxSeenToken], &[ms(200)], 10, 2_000, 1)?;
    assert_eq!(format!("{:.4}", ten[0].primary_share), "0.7688");
    // Section 4.
    assert_eq!(column(&story_table, 1), ["-400", "0", "0"]);
    assert_eq!(column(&debit_table, 3), ["895", "1", "0"]);
    assert_eq!(column(&debit_table, 4), ["358000", "400", "0"]);
    assert!(
        debits
            .iter()
            .filter(|r| r.check == "conditional update on the primary")
            .all(|r| r.total_overdraft == 0)
    );
    // The section 4 try-it: no race window, no overdraft; a 50 ms window overdraws more.
    let no_window = double_debit_experiment(
        &[WithdrawalCheck::PrimaryBalance],
        &[secs(5)],
        secs(2),
        ms(0),
        1_000,
        1,
    )?;
    assert_eq!(no_window[0].overdrawn, 0);
    let wide_window = double_debit_experiment(
        &[WithdrawalCheck::PrimaryBalance],
        &[secs(5)],
        secs(2),
        ms(50),
        1_000,
        1,
    )?;
    assert_eq!(wide_window[0].overdrawn, 25);
    // Section 5.
    assert!(conflicts.iter().all(|r| r.converged));
    let lost_by = |name: &str| -> Vec<usize> {
        conflicts
            .iter()
            .filter(|r| r.resolution == name)
            .map(|r| r.lost)
            .collect()
    };
    assert_eq!(lost_by("LWW, wall clock"), [19, 20, 27, 42, 109, 158, 200]);
    assert_eq!(lost_by("LWW, hybrid clock"), [0, 3, 18, 42, 109, 158, 200]);
    assert_eq!(lost_by("version-vector siblings"), [0; 7]);
    assert_eq!(lost_by("CRDT (OR-Set)"), [0; 7]);
    // The section 5 try-it: wall clock loses edits even with no delay; the hybrid clock does not.
    let hybrid = multi_leader_run(
        Resolution::HybridLww { skew: ms(20) },
        ms(0),
        ms(100),
        200,
        1,
    )?;
    assert_eq!(hybrid.lost, 0);
    // Section 6.
    assert_eq!(column(&cap_table, 2), ["2", "0"]);
    assert_eq!(column(&cap_table, 3), ["0", "1"]);
    assert_eq!(column(&cap_table, 4), ["true", "false"]);
    assert_eq!(column(&cap_table, 5), ["true", "true"]);
    let cp: Vec<&CapRow> = cap_rows.iter().filter(|r| r.mode == "CP").collect();
    let ap: Vec<&CapRow> = cap_rows.iter().filter(|r| r.mode == "AP").collect();
    assert!(
        cp.iter()
            .all(|r| r.not_linearizable == 0 && r.stale_read_share == 0.0)
    );
    assert!(
        ap.iter()
            .all(|r| r.availability == 1.0 && r.not_sequential == 0)
    );
    assert_eq!((cp[0].availability, ap[0].not_linearizable), (1.0, 0));
    assert_eq!(format!("{:.3}", cp[8].availability), "0.795");
    assert_eq!(format!("{:.3}", ap[8].stale_read_share), "0.201");
    let ap_failing: Vec<usize> = ap.iter().map(|r| r.not_linearizable).collect();
    assert_eq!(ap_failing, [0, 10, 16, 20, 20, 20, 20, 20, 20]);
    // The section 6 try-it: CP stays linearizable with five nodes; AP does not.
    let five = CapSetup::new(5, 2, ms(50), ms(300))?;
    let judged = |mode| -> Result<bool, SimError> {
        let mut all = true;
        for seed in 0..20 {
            all &= check_register(&cap_run(five, mode, 20, seed)?.history).is_linearizable();
        }
        Ok(all)
    };
    assert!(judged(CapMode::Consistent)?);
    assert!(!judged(CapMode::Available)?);
    // Section 7.
    let pacelc_at = |write: &str, read: &str| {
        pacelc
            .iter()
            .find(|r| r.write == write && r.read == read)
            .cloned()
            .ok_or("row")
    };
    let (all, majority) = (
        pacelc_at("sync to all", "local")?,
        pacelc_at("sync to a majority", "local")?,
    );
    let (async_local, async_leader) = (pacelc_at("async", "local")?, pacelc_at("async", "leader")?);
    let bounded = pacelc_at("async", "local within 50ms")?;
    let medians = [
        all.write_p50_ms,
        majority.write_p50_ms,
        async_local.write_p50_ms,
    ]
    .map(|v| format!("{v:.0}"));
    assert_eq!(medians, ["244", "169", "57"]);
    let tails = [
        all.write_p99_ms,
        majority.write_p99_ms,
        async_local.write_p99_ms,
    ]
    .map(|v| format!("{v:.0}"));
    assert_eq!(tails, ["368", "282", "194"]);
    assert_eq!(
        (
            all.stale_share,
            majority.stale_share,
            async_local.stale_share
        ),
        (0.0, 0.0306, 0.8796)
    );
    assert_eq!(
        (
            bounded.stale_share,
            format!("{:.1}", bounded.max_staleness_ms)
        ),
        (0.341, "50.0".to_string())
    );
    assert_eq!(
        (
            format!("{:.1}", async_local.read_p50_ms),
            format!("{:.1}", async_leader.read_p50_ms)
        ),
        ("1.0".to_string(), "45.9".to_string())
    );
    assert!(
        pacelc
            .iter()
            .filter(|r| r.read == "leader")
            .all(|r| r.stale_share == 0.0)
    );
    // The section 7 try-it: the majority waits for the second-nearest follower region.
    let moved = Regions::new(vec![ms(15), ms(40), ms(20)], 0.2, ms(1))?;
    let after = pacelc_experiment(&moved, &[WaitFor::Majority], &[ReadFrom::Local], 20_000, 1)?;
    assert_eq!(format!("{:.0}", after[0].write_p50_ms), "84");
    // Section 8.
    assert_eq!(order, Some(vec![1, 0]));
    assert_eq!(column(&cost_table, 2), ["93", "94", "109"]);
    assert_eq!(column(&cost_table, 3), ["734", "597", "1028"]);
    // The section 8 try-it: the writer itself cannot miss its own write.
    let mut own = RegisterHistory::new();
    own.write(0, 1, ms(0), Some(ms(10)))?;
    own.read(0, None, ms(20), ms(30))?;
    assert!(!check_sequential(&own).is_sequentially_consistent());
    Ok(())
}
