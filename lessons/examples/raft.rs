//! The Rust code of `notebooks/10-raft.ipynb`, cell by cell, as one program.
//!
//! Each `// cell` line starts the code of the next notebook code cell (after the `:dep` cell); a
//! cell whose last line is a bare variable shows that value, which here is spelled
//! `variable.evcxr_display();`. `tests/raft_notebook.rs` checks that the two stay identical,
//! runs this program, and the assertions at the end pin the numbers the notebook's prose quotes.
//!
//! Run it with `cargo run -p lessons --example raft`.

use std::error::Error;

pub fn main() -> Result<(), Box<dyn Error>> {
    // cell
    use lessons::display::RichDisplay;
    use lessons::raft::*;
    use lessons::sim::*;
    use lessons::table::Table;
    use lessons::try_it::check_prediction;
    use lessons::widgets::{Control, Values, interact};

    // cell
    let mut network = HandNetwork::new(Config::new(3)?)?;
    network.timeout(0);
    network.exchange(&[0, 1, 2]);
    let mut roles = Table::new(["server", "role", "term", "voted for", "log"]);
    for id in 0..3 {
        let node = network.node(id).ok_or("no such server")?;
        roles.push_row([
            format!("S{}", id + 1),
            format!("{:?}", node.role()),
            node.term().to_string(),
            node.voted_for()
                .map_or("nobody".to_string(), |v| format!("S{}", v + 1)),
            network.logs()[id].clone(),
        ])?;
    }
    roles.evcxr_display();

    // cell
    let spreads = [ms(5), ms(10), ms(20), ms(50), ms(150), ms(500)];
    let election_rows = election_experiment(5, ms(150), &spreads, ms(5), 150, 1)?;
    let split_votes = split_vote_summary(&election_rows);
    let mut split_table = Table::new([
        "W (ms)",
        "W / RTT",
        "contested",
        "formula",
        "split vote",
        "median election (ms)",
    ]);
    for row in &split_votes {
        split_table.push_row([
            format!("{}", row.spread_ms),
            format!("{}", row.spread_over_rtt),
            format!("{:.3}", row.contested),
            format!("{:.3}", row.predicted),
            format!("{:.3}", row.split),
            format!("{:.0}", row.median_ms),
        ])?;
    }
    split_table.evcxr_display();

    // cell
    let election_cdf = election_cdf_figure(&election_rows);
    election_cdf.evcxr_display();

    // cell
    let split_figure = split_vote_figure(&split_votes);
    split_figure.evcxr_display();

    // cell
    fn election_view(values: &Values) -> Result<Table, Box<dyn std::error::Error>> {
        let rows = election_experiment(
            values.int("servers") as usize,
            ms(values.int("timeout T (ms)")),
            &[ms(values.int("spread W (ms)"))],
            ms(values.int("delay δ (ms)")),
            25,
            1,
        )?;
        // One spread, 25 trials: one summary row.
        let summary = split_vote_summary(&rows)[0];
        let mut table = Table::new(["contested", "formula", "split vote", "median (ms)"]);
        let [contested, formula, split] = [summary.contested, summary.predicted, summary.split]
            .map(|share| format!("{share:.2}"));
        let median = format!("{:.0}", summary.median_ms);
        table.push_row([contested, formula, split, median])?;
        Ok(table)
    }
    interact(
        vec![
            Control::int("servers", 3..=9, 5)?,
            Control::int("timeout T (ms)", 50..=500, 150)?,
            Control::int("spread W (ms)", 0..=300, 150)?,
            Control::int("delay δ (ms)", 1..=50, 5)?,
        ],
        election_view,
    )?;

    // cell
    let no_spread = election_experiment(5, ms(150), &[ms(0)], ms(5), 20, 1)?;
    let never = no_spread.iter().filter(|row| !row.had_leader).count();
    println!("W = 0: no leader within the first 1.2 s in {never} of 20 trials");

    // cell
    let prediction: Option<bool> = None; // with 7 servers, more contested elections than with 5?
    let seven = split_vote_summary(&election_experiment(7, ms(150), &[ms(150)], ms(5), 150, 1)?);
    let five = split_votes[4];
    println!(
        "{}",
        check_prediction(
            prediction,
            seven[0].contested > five.contested,
            format!(
                "N = 7: {:.3} contested (formula {:.3}); N = 5: {:.3} (formula {:.3}). More \
                 followers left means more timers that can fire within δ of the first.",
                seven[0].contested, seven[0].predicted, five.contested, five.predicted
            )
        )
    );

    // cell
    let mut network = HandNetwork::new(Config::new(5)?)?;
    network.timeout(0);
    network.exchange(&[0, 1, 2, 3, 4]);
    network.write(0, 7);
    network.exchange(&[0, 1]);
    let with_one_follower = network.node(0).ok_or("no leader")?.commit_index();
    network.exchange(&[0, 1, 2]);
    let with_two_followers = network.node(0).ok_or("no leader")?.commit_index();
    println!(
        "entry 2 (the write) stored on the leader and 1 follower: commit index {with_one_follower}"
    );
    println!("stored on the leader and 2 followers: commit index {with_two_followers}");

    // cell
    let (broken_steps, broken) = figure_8(CommitRule::CountReplicas)?;
    script_table(&broken_steps)?.show();
    for violation in &broken {
        println!("{violation}");
    }

    // cell
    let (correct_steps, correct) = figure_8(CommitRule::CurrentTermOnly)?;
    script_table(&correct_steps)?.show();
    println!("violations with CurrentTermOnly: {}", correct.len());

    // cell
    let mut chaos_rows = Vec::new();
    for seed in 0..100 {
        chaos_rows.push(chaos_run(ChaosParameters::new(5)?, seed)?);
    }
    let violations: usize = chaos_rows.iter().map(|row| row.violations).sum();
    let linearizable = chaos_rows.iter().filter(|row| row.linearizable).count();
    let mut elect: Vec<f64> = chaos_rows.iter().filter_map(|row| row.elect_ms).collect();
    let mut commit: Vec<f64> = chaos_rows.iter().filter_map(|row| row.commit_ms).collect();
    elect.sort_by(f64::total_cmp);
    commit.sort_by(f64::total_cmp);
    println!("100 runs: {violations} violations, {linearizable} linearizable histories");
    println!(
        "after the faults: one leader for all in {:.0} ms (median), {:.0} ms (p90); \
         a new write answered in {:.0} ms (median)",
        percentile(&elect, 50.0)?,
        percentile(&elect, 90.0)?,
        percentile(&commit, 50.0)?
    );

    // cell
    let mut cluster = RaftCluster::new(3, Config::new(5)?, Timing::paper())?;
    cluster.set_links(
        Link::new()
            .latency(Latency::uniform(ms(1), ms(15)))
            .loss(0.02),
    )?;
    cluster.add_client(Workload::writes(150))?;
    for fault in random_faults(5, 6, ms(3_000), &mut Rng::new(3)) {
        let _ = cluster.add_fault(fault);
    }
    cluster.run_until(ms(5_000))?;
    let commit_figure = commit_index_figure(cluster.monitor().commit_advances(), 5);
    commit_figure.evcxr_display();

    // cell
    let overwritten = overwritten_figure(&chaos_rows);
    overwritten.evcxr_display();

    // cell
    let prediction: Option<bool> = None; // does CountReplicas break safety in 300 random runs of 3 servers?
    let mut broken_runs = 0;
    for seed in 0..300 {
        let parameters = ChaosParameters::new(3)?.commit_rule(CommitRule::CountReplicas);
        broken_runs += usize::from(chaos_run(parameters, seed)?.violations > 0);
    }
    println!(
        "{}",
        check_prediction(
            prediction,
            broken_runs > 0,
            format!(
                "{broken_runs} of 300 runs broke a safety property. Figure 8 needs a leader to \
                 crash between copying an old entry and committing a new one, then a rival with \
                 a newer last term: random faults seldom line that up, so a passing random test \
                 is weak evidence for a rule; the scripted schedule above is strong evidence \
                 against one."
            )
        )
    );

    // cell
    let counting_model = RaftModel::new(3, CommitRule::CountReplicas, 2, 4)?;
    let search = counting_model.explore(8)?;
    let found = search
        .violation
        .clone()
        .ok_or("no violation within eight steps")?;
    println!(
        "{} broken after {} steps ({} distinct states searched)\n",
        found.invariant,
        found.run.len(),
        search.distinct_states
    );
    println!(
        "{}",
        found.run.numbered(|action| counting_model.describe(action))
    );
    let figure_8_run = found.run;

    // cell
    let figure_8_diagram = figure_8_run
        .diagram(&counting_model)
        .title("Figure 8, found by search");
    figure_8_diagram.evcxr_display();

    // cell
    let raft_rule_model = RaftModel::new(3, CommitRule::CurrentTermOnly, 2, 4)?;
    let everything = raft_rule_model.explore(20)?;
    println!(
        "violations: {}; distinct states: {}; every reachable state seen: {}; {:.0} states a second",
        if everything.holds() { "none" } else { "found" },
        everything.distinct_states,
        everything.exhausted,
        everything.states_per_second()
    );

    // cell
    let prediction: Option<bool> = None; // can CountReplicas break safety with one write?
    let one_write = RaftModel::new(3, CommitRule::CountReplicas, 1, 4)?.explore(20)?;
    println!(
        "{}",
        check_prediction(
            prediction,
            !one_write.holds(),
            format!(
                "all {} reachable states searched. With a single command there is only one entry \
                 an index can hold, so counting replicas cannot commit the wrong one; Figure 8 \
                 needs a second leader with a different entry at the same index.",
                one_write.distinct_states
            )
        )
    );

    // cell
    let partition_rows = partition_experiment(&[3, 4, 5, 6, 7], 1)?;
    let mut partition_table = Table::new([
        "N",
        "leader's side",
        "majority there",
        "acked there",
        "acked other side",
        "entries thrown away",
        "old leader saw a newer term",
    ]);
    for row in &partition_rows {
        partition_table.push_row([
            row.nodes.to_string(),
            row.leader_side.to_string(),
            row.leader_side_majority.to_string(),
            row.acknowledged_leader_side.to_string(),
            row.acknowledged_other_side.to_string(),
            row.overwritten.to_string(),
            row.old_leader_stepped_down.to_string(),
        ])?;
    }
    partition_table.evcxr_display();

    // cell
    let partitions = partition_figure(&partition_rows);
    partitions.evcxr_display();

    // cell
    let mut sizing = Table::new([
        "N",
        "majority",
        "tolerates f",
        "commits with f down",
        "with f + 1 down",
    ]);
    for nodes in 1..=7 {
        let row = sizing_row(nodes, 1)?;
        sizing.push_row([
            row.nodes.to_string(),
            row.majority.to_string(),
            row.tolerates.to_string(),
            row.commits_with_f_down.to_string(),
            row.commits_with_f_plus_1_down.to_string(),
        ])?;
    }
    sizing.evcxr_display();

    // cell
    let prediction: Option<usize> = None; // writes acknowledged on either side of a 3 | 3 split of 6
    let even_split = partition_trial(6, 3, 2)?;
    println!(
        "{}",
        check_prediction(
            prediction,
            even_split.acknowledged_leader_side + even_split.acknowledged_other_side,
            "Three of six is not a majority (4 is), so neither side can commit: an even split \
             stops every write, which is why a sixth server adds no tolerance."
        )
    );

    // cell
    let medians = [ms(2), ms(10), ms(20), ms(40), ms(60), ms(80), ms(120)];
    let storm_rows = storm_experiment(&medians, 20, 1)?;
    let mut storm_table = Table::new([
        "median delay (ms)",
        "p99 / T",
        "leader changes per minute",
        "writes answered within 1 s",
    ]);
    for row in &storm_rows {
        storm_table.push_row([
            format!("{}", row.median_delay_ms),
            format!("{:.2}", row.p99_over_timeout),
            format!("{:.0}", row.leader_changes_per_minute),
            format!("{:.3}", row.writes_within_1s),
        ])?;
    }
    storm_table.show();
    storm_figure(&storm_rows).show();

    // cell
    let prediction: Option<bool> = None; // with a median delay of 200 ms, does the leader ever change?
    let slow = storm_run(ms(200), 20, 1)?;
    println!(
        "{}",
        check_prediction(
            prediction,
            slow.leader_changes_per_minute > 0.0,
            format!(
                "{:.0} leader changes per minute, {} safety violations: slowness costs \
                 progress, never safety.",
                slow.leader_changes_per_minute, slow.violations
            )
        )
    );

    // cell
    let lease = ReadMode::Lease {
        drift_bound_ppm: 100_000,
    };
    let cases = [
        (ReadMode::Log, 0),
        (ReadMode::AnyServer, 0),
        (ReadMode::LeaderUnchecked, 0),
        (ReadMode::ReadIndex, 0),
        (lease, -50_000),
        (lease, -500_000),
    ];
    let read_rows = read_experiment(&cases, 3, 1)?;
    let read_table = Table::from_rows(&read_rows)?;
    read_table.evcxr_display();

    // cell
    let reads = reads_figure(&read_rows);
    reads.evcxr_display();

    // cell
    let prediction: Option<bool> = None; // lease with a 10% bound, clocks 9% slow: linearizable?
    let near_bound = read_trial(lease, -90_000, 1)?;
    println!(
        "{}",
        check_prediction(
            prediction,
            near_bound.linearizable,
            format!(
                "{} stale reads. The lease lasts 150 × 0.9 = 135 ms by the leader's clock, \
                 135 / 0.91 = 148 ms of real time: still before any follower can time out \
                 (150 ms after the last heartbeat it heard).",
                near_bound.stale_reads
            )
        )
    );

    // cell
    let dedupe_rows = dedupe_experiment(&[0.0, 1.0, 2.0, 4.0], 8, 1)?;
    let dedupe_totals = dedupe_summary(&dedupe_rows);
    Table::from_rows(&dedupe_totals)?.show();
    dedupe_figure(&dedupe_rows).show();

    // cell
    let config = Config::new(3)?.snapshot_every(10)?;
    let mut cluster = RaftCluster::new(5, config, Timing::paper())?;
    cluster.add_client(Workload::writes(80))?;
    cluster.add_fault(crash(2).at(ms(500)).restart_at(ms(2_500)))?;
    cluster.run_until(ms(4_000))?;
    let mut snapshots = Table::new([
        "server",
        "snapshot up to",
        "entries after it",
        "applied",
        "register",
    ]);
    for id in 0..3 {
        let node = cluster.server(id).ok_or("server down")?.node();
        snapshots.push_row([
            format!("S{}", id + 1),
            node.snapshot().last_index.to_string(),
            node.entries().len().to_string(),
            node.last_applied().to_string(),
            format!("{:?}", node.register().value()),
        ])?;
    }
    println!("violations: {}", cluster.monitor().violations().len());
    snapshots.evcxr_display();

    // cell
    let batch_rows = batch_experiment(&[1, 2, 4, 8, 16, 64], 1)?;
    Table::from_rows(&batch_rows)?.show();
    batch_figure(&batch_rows).show();

    // cell
    let prediction: Option<bool> = None; // without sessions, with no crashes at all: any write applied twice?
    let calm = dedupe_trial(false, 0.0, 1)?;
    println!(
        "{}",
        check_prediction(
            prediction,
            calm.repeated_applications > 0,
            format!(
                "{} retries, {} applied twice. With no crash the leader answers within the \
                 100 ms retry time, so no write is sent twice; crashes, or a retry time shorter \
                 than a slow round trip, are what duplicate writes.",
                calm.retries, calm.repeated_applications
            )
        )
    );

    // cell
    let bft = bft_rows(&[1, 2, 3, 4])?;
    Table::from_rows(&bft)?.show();
    let counts = message_counts(&[3, 4, 8, 16, 32, 63])?;
    messages_figure(&counts).show();

    // cell
    let prediction: Option<usize> = None; // servers two quorums share when f = 5 (16 servers, quorums of 11)
    println!(
        "{}",
        check_prediction(
            prediction,
            quorum_overlap(16, 11),
            "2 × 11 − 16 = 6 = f + 1: even if the f = 5 liars are all in the overlap, one honest \
             server has seen both decisions."
        )
    );

    // end of cells
    // The live election table at its starting values and at each value the prose suggests.
    let election_at =
        |servers: i64, spread: i64, delay: i64| -> Result<Vec<String>, Box<dyn Error>> {
            let table = election_view(&Values::of(&[
                Control::int("servers", 3..=9, servers)?,
                Control::int("timeout T (ms)", 50..=500, 150)?,
                Control::int("spread W (ms)", 0..=300, spread)?,
                Control::int("delay δ (ms)", 1..=50, delay)?,
            ]))?;
            Ok(table.rows()[0].clone())
        };
    assert_eq!(election_at(5, 150, 5)?, ["0.16", "0.13", "0.00", "160"]);
    assert_eq!(election_at(5, 20, 5)?, ["0.72", "0.68", "0.16", "153"]);
    assert_eq!(election_at(5, 150, 25)?, ["0.60", "0.52", "0.04", "226"]);
    assert_eq!(election_at(9, 150, 5)?, ["0.28", "0.24", "0.00", "153"]);

    // The numbers the prose quotes.
    let formatted = |values: Vec<f64>| -> Vec<String> {
        values.iter().map(|value| format!("{value:.3}")).collect()
    };
    assert_eq!(
        formatted(split_votes.iter().map(|row| row.contested).collect()),
        ["1.000", "0.960", "0.680", "0.327", "0.173", "0.013"]
    );
    assert_eq!(
        formatted(split_votes.iter().map(|row| row.predicted).collect()),
        ["1.000", "0.938", "0.684", "0.344", "0.127", "0.039"]
    );
    assert_eq!(
        formatted(split_votes.iter().map(|row| row.split).collect()),
        ["0.984", "0.687", "0.247", "0.047", "0.000", "0.000"]
    );
    let medians: Vec<String> = split_votes
        .iter()
        .map(|row| format!("{:.0}", row.median_ms))
        .collect();
    assert_eq!(
        (&medians[0][..], &medians[4][..], &medians[5][..]),
        ("914", "166", "215")
    );
    assert_eq!(never, 20);
    assert_eq!((with_one_follower, with_two_followers), (1, 2));
    assert_eq!(broken_steps[3].logs[0], "1:t1 2:t1 |");
    let broken_laws: Vec<&str> = broken.iter().map(|violation| violation.law).collect();
    assert!(broken_laws.contains(&"leader completeness"));
    assert!(broken_laws.contains(&"state machine safety"));
    assert_eq!(correct_steps[3].logs[0], "1:t1 2:t1");
    assert!(correct.is_empty());
    assert_eq!((violations, linearizable), (0, 100));
    assert_eq!(
        (
            format!("{:.0}", percentile(&elect, 50.0)?),
            format!("{:.0}", percentile(&elect, 90.0)?),
            format!("{:.0}", percentile(&commit, 50.0)?)
        ),
        ("5".to_string(), "150".to_string(), "80".to_string())
    );
    let split = |nodes: usize, side: usize| {
        partition_rows
            .iter()
            .find(|row| row.nodes == nodes && row.leader_side == side)
            .copied()
            .ok_or("no such split")
    };
    let two_three = split(5, 2)?;
    assert_eq!(
        (
            two_three.acknowledged_leader_side,
            two_three.acknowledged_other_side,
            two_three.overwritten
        ),
        (0, 75, 20)
    );
    assert_eq!(split(5, 3)?.acknowledged_leader_side, 83);
    for (nodes, side) in [(4, 2), (6, 3)] {
        let even = split(nodes, side)?;
        assert_eq!(
            even.acknowledged_leader_side + even.acknowledged_other_side,
            0
        );
    }
    assert!(partition_rows.iter().all(|row| row.violations == 0));
    assert!(
        partition_rows
            .iter()
            .all(|row| { row.leader_side_majority == (row.acknowledged_leader_side > 0) })
    );
    let changes: Vec<f64> = storm_rows
        .iter()
        .map(|row| row.leader_changes_per_minute)
        .collect();
    assert_eq!(changes, [0.0, 0.0, 0.0, 9.0, 3.0, 9.0, 30.0]);
    assert_eq!(format!("{:.1}", storm_rows[3].p99_over_timeout), "2.8");
    assert_eq!(format!("{:.1}", storm_rows[2].p99_over_timeout), "1.4");
    assert_eq!(format!("{:.3}", storm_rows[6].writes_within_1s), "0.625");
    assert!(storm_rows.iter().all(|row| row.violations == 0));
    let stale = |mode: &str, drift: i64| -> Vec<usize> {
        read_rows
            .iter()
            .filter(|row| row.mode == mode && row.leader_drift_ppm == drift)
            .map(|row| row.stale_reads)
            .collect()
    };
    assert_eq!(stale("leader, unchecked", 0), [55, 55, 55]);
    assert_eq!(stale("any server, local", 0), [107, 125, 83]);
    assert_eq!(stale("lease, drift bound 10%", -500_000), [1, 1, 2]);
    for (mode, drift) in [
        ("ReadIndex", 0),
        ("through the log", 0),
        ("lease, drift bound 10%", -50_000),
    ] {
        assert_eq!(stale(mode, drift), [0, 0, 0]);
    }
    for row in &read_rows {
        assert_eq!(row.linearizable, row.stale_reads == 0, "{row:?}");
        let local = !matches!(row.mode.as_str(), "ReadIndex" | "through the log");
        assert_eq!(row.median_read_ms, if local { 4.0 } else { 8.0 }, "{row:?}");
    }
    let applied_twice: Vec<u64> = dedupe_totals.iter().map(|row| row.applied_twice).collect();
    let committed_twice: Vec<usize> = dedupe_totals
        .iter()
        .map(|row| row.committed_twice)
        .collect();
    assert_eq!(applied_twice, [0, 21, 10, 32, 0, 0, 0, 0]);
    assert_eq!(committed_twice, [0, 5, 1, 5, 0, 0, 1, 2]);
    assert_eq!(cluster.monitor().violations().len(), 0);
    for id in 0..3 {
        let node = cluster.server(id).ok_or("server down")?.node();
        assert_eq!(
            (node.snapshot().last_index, node.register().value()),
            (80, Some(3_000_080))
        );
    }
    let throughput: Vec<f64> = batch_rows
        .iter()
        .map(|row| row.commits_per_second)
        .collect();
    assert_eq!(throughput, [87.0, 184.0, 378.0, 458.0, 460.0, 460.0]);
    let latency: Vec<f64> = batch_rows.iter().map(|row| row.median_commit_ms).collect();
    assert_eq!(latency, [99.0, 49.0, 20.0, 20.0, 20.0, 20.0]);
    assert_eq!(
        bft.iter().map(|row| row.raft_messages).collect::<Vec<_>>(),
        [10, 18, 26, 34]
    );
    assert_eq!(
        bft.iter().map(|row| row.pbft_messages).collect::<Vec<_>>(),
        [29, 92, 191, 326]
    );
    assert!(counts.iter().all(|row| row.raft == 4 * row.servers - 2));

    // Every interleaving: Figure 8 as the shortest run, and none under Raft's rule.
    assert_eq!(figure_8_run.len(), 8);
    assert_eq!(
        search.violation.as_ref().map(|v| v.invariant),
        Some("state machine safety")
    );
    assert!(everything.holds() && everything.exhausted);
    assert_eq!(everything.distinct_states, 333_430);
    assert!(one_write.holds() && one_write.exhausted);
    let three_terms = RaftModel::new(3, CommitRule::CountReplicas, 2, 3)?.explore(20)?;
    assert!(three_terms.holds() && three_terms.exhausted);

    // The try-it cells with a prediction set, and the variations their prose suggests.
    let right = |message: String| message.starts_with("Right");
    assert!(right(check_prediction(
        Some(true),
        seven[0].contested > five.contested,
        ""
    )));
    assert!(right(check_prediction(Some(false), broken_runs > 0, "")));
    assert!(right(check_prediction(Some(false), !one_write.holds(), "")));
    assert!(right(check_prediction(
        Some(0),
        even_split.acknowledged_leader_side + even_split.acknowledged_other_side,
        ""
    )));
    assert!(right(check_prediction(
        Some(true),
        slow.leader_changes_per_minute > 0.0,
        ""
    )));
    assert_eq!(slow.violations, 0);
    assert!(right(check_prediction(
        Some(true),
        near_bound.linearizable,
        ""
    )));
    assert!(right(check_prediction(
        Some(false),
        calm.repeated_applications > 0,
        ""
    )));
    assert!(right(check_prediction(Some(6), quorum_overlap(16, 11), "")));
    println!(
        "pinned: N = 7 contested {:.3}, CountReplicas broke {broken_runs} of 300, \
         storm at 200 ms {:.0} per minute",
        seven[0].contested, slow.leader_changes_per_minute
    );

    Ok(())
}
