//! The Rust code of `notebooks/07-quorums.ipynb`, cell by cell, as one program.
//!
//! Each `// cell` line starts the code of the next notebook code cell (after the `:dep` cell); a
//! cell whose last line is a bare variable shows that value, which here is spelled
//! `variable.evcxr_display();`. `tests/quorums_notebook.rs` checks that the two stay identical,
//! runs this program, and the assertions at the end pin the numbers the notebook's prose quotes.
//!
//! Run it with `cargo run -p lessons --example quorums`.

use std::error::Error;

pub fn main() -> Result<(), Box<dyn Error>> {
    // cell
    use lessons::check::*;
    use lessons::display::RichDisplay;
    use lessons::partitioning::Ring;
    use lessons::quorum::*;
    use lessons::sim::*;
    use lessons::table::Table;
    use lessons::try_it::check_prediction;
    use lessons::viz::{Figure, Heatmap};
    use lessons::widgets::{Control, interact};

    // cell
    let configurations = [
        (3, 2, 2),
        (3, 1, 1),
        (3, 3, 1),
        (3, 1, 3),
        (4, 3, 2),
        (4, 3, 3),
        (5, 3, 3),
    ];
    let mut guarantees = Table::new([
        "N W R",
        "W + R > N",
        "writes survive",
        "reads survive",
        "P(write ok), q = 0.1",
        "P(read ok), q = 0.1",
    ]);
    for (n, w, r) in configurations {
        let row = availability_row(Quorum::new(n, w, r)?, 0.1)?;
        guarantees.push_row([
            format!("{n} {w} {r}"),
            if row.overlap { "yes" } else { "no" }.to_string(),
            format!("{} down", row.writes_survive),
            format!("{} down", row.reads_survive),
            format!("{:.5}", row.write_availability),
            format!("{:.5}", row.read_availability),
        ])?;
    }
    guarantees.evcxr_display();

    // cell
    let n = 5;
    let names: Vec<String> = (1..=n).map(|k| k.to_string()).collect();
    let mut overlap_grid = Vec::new();
    for r in 1..=n {
        let mut row = Vec::new();
        for w in 1..=n {
            row.push(Quorum::new(n, w, r)?.min_overlap() as f64);
        }
        overlap_grid.push(row);
    }
    Heatmap::new("Replicas shared by read and write quorums, N = 5")
        .x_label("write quorum W")
        .y_label("read quorum R")
        .columns(names.clone())
        .rows(names.clone())
        .values(overlap_grid.clone())
        .show_values(true)
        .show();
    let both = both_available_grid(n, 0.1)?;
    Heatmap::new("P(read and write both succeed), N = 5, q = 0.1")
        .x_label("write quorum W")
        .y_label("read quorum R")
        .columns(names.clone())
        .rows(names)
        .values(both.clone())
        .show_values(true)
        .show();

    // cell
    let downs: Vec<f64> = (0..=50).map(|k| k as f64 / 100.0).collect();
    let mut availability_plot = Figure::new("Read and write both succeed, as replicas fail")
        .x_label("probability q that a replica is down")
        .y_label("P(read and write both succeed)");
    for (n, w, r) in [(3, 2, 2), (3, 3, 1), (3, 1, 3), (4, 3, 2), (5, 3, 3)] {
        let needed = Quorum::new(n, w.max(r), w.max(r))?;
        let mut points = Vec::new();
        for &q in &downs {
            points.push((q, needed.write_availability(q)?));
        }
        availability_plot = availability_plot.line(format!("N={n} W={w} R={r}"), points);
    }
    availability_plot.show();
    let (simulated_writes, simulated_reads) =
        simulated_availability(Quorum::new(5, 3, 3)?, 0.2, 100_000, 1)?;
    let computed_five = Quorum::new(5, 3, 3)?.write_availability(0.2)?;
    println!(
        "N=5 W=3 R=3 with q = 0.2: computed {computed_five:.4}, simulated writes {simulated_writes:.4}, reads {simulated_reads:.4}"
    );

    // cell
    let prediction: Option<_> = None; // is P(write ok) above 0.9?
    let bigger_writes = Quorum::new(5, 4, 2)?;
    let write_ok = bigger_writes.write_availability(0.1)?;
    println!(
        "{}",
        check_prediction(
            prediction,
            write_ok > 0.9,
            format!(
                "P(write ok) = {write_ok:.4}: all five up (0.9⁵ = 0.5905) or exactly four \
                 (5 × 0.9⁴ × 0.1 = 0.3281). Writes survive N − W = {} down replica.",
                bigger_writes.writes_survive()
            )
        )
    );

    // cell
    let afters: Vec<Time> = (0..=30).step_by(2).map(ms).collect();
    let mut stale_rows = Vec::new();
    for (n, w, r) in [(3, 1, 1), (5, 2, 2), (5, 1, 2), (3, 2, 2)] {
        let quorum = Quorum::new(n, w, r)?;
        stale_rows.extend(stale_read_experiment(quorum, &afters, ms(10), 20_000, 1)?);
    }
    stale_read_figure(&stale_rows).show();
    let at_zero: Vec<StaleRow> = stale_rows
        .iter()
        .filter(|row| row.after_ms == 0.0)
        .cloned()
        .collect();
    let stale_table = Table::from_rows(&at_zero)?;
    stale_table.evcxr_display();

    // cell
    let spread_afters = afters.clone();
    interact(
        vec![
            Control::int("N", 1..=7, 3)?,
            Control::int("W", 1..=7, 1)?,
            Control::int("R", 1..=7, 1)?,
        ],
        move |values| {
            let [n, w, r] = ["N", "W", "R"].map(|name| values.int(name) as usize);
            Quorum::new(n, w, r)
                .and_then(|quorum| stale_read_experiment(quorum, &spread_afters, ms(10), 2_000, 1))
                .map(|rows| stale_read_figure(&rows))
        },
    )?;

    // cell
    let prediction: Option<_> = None; // first delay (ms, a multiple of 5) with under 1% stale reads
    let later: Vec<Time> = (0..=60).step_by(5).map(ms).collect();
    let waiting = stale_read_experiment(Quorum::new(3, 1, 1)?, &later, ms(10), 20_000, 1)?;
    let rare = waiting
        .iter()
        .find(|row| row.measured < 0.01)
        .cloned()
        .ok_or("no delay up to 60 ms gets below 1%")?;
    println!(
        "{}",
        check_prediction(
            prediction,
            rare.after_ms as u64,
            format!(
                "The chance falls as (2/3)·e^(−t / 10 ms): it needs e^(−t / 10 ms) below 0.015, \
                 t above 10 · ln(66.7) = 42 ms, four spread times. Measured: {:.4} at {} ms.",
                rare.measured, rare.after_ms
            )
        )
    );

    // cell
    let mut latency_rows = Vec::new();
    for n in [3, 5] {
        let delays = Latency::exponential(ms(6));
        latency_rows.extend(quorum_latency_experiment(n, delays, 50_000, 1)?);
    }
    latency_figure(&latency_rows, "exponential, mean 6 ms").show();
    let expected_table = Table::from_rows(&expected_wait_rows(&latency_rows, ms(6))?)?;
    expected_table.evcxr_display();

    // cell
    let heavy_tail = quorum_latency_experiment(3, Latency::log_normal(ms(3), 1.0), 50_000, 2)?;
    let one = heavy_tail[0].clone();
    let quorum_of_three = heavy_tail[1].clone();
    println!(
        "log-normal replies (median 3 ms, σ = 1): ONE p50 {:.2} ms, p99 {:.2} ms; QUORUM p50 {:.2} ms, p99 {:.2} ms",
        one.p50_ms, one.p99_ms, quorum_of_three.p50_ms, quorum_of_three.p99_ms
    );

    // cell
    let prediction: Option<_> = None; // is a majority of 7 quicker on average than a majority of 3?
    let seven = quorum_latency_experiment(7, Latency::exponential(ms(6)), 50_000, 1)?;
    let majority_of_seven = seven[3].mean_ms;
    let majority_of_three = latency_rows[1].mean_ms;
    println!(
        "{}",
        check_prediction(
            prediction,
            majority_of_seven < majority_of_three,
            format!(
                "4 of 7: {majority_of_seven:.2} ms, 2 of 3: {majority_of_three:.2} ms. The formula gives \
                 6 · (1/7 + 1/6 + 1/5 + 1/4) = 4.56 ms against 6 · (1/3 + 1/2) = 5 ms. More replicas \
                 send more replies, so they arrive closer together; each write now costs 7 messages."
            )
        )
    );

    // cell
    interact(
        vec![
            Control::int("N", 1..=9, 3)?,
            Control::int("mean reply (ms)", 1..=20, 6)?,
        ],
        |values| {
            let mean = values.int("mean reply (ms)");
            let latency = Latency::exponential(ms(mean));
            quorum_latency_experiment(values.int("N") as usize, latency, 10_000, 1)
                .map(|rows| latency_figure(&rows, &format!("exponential, mean {mean} ms")))
        },
    )?;

    // cell
    let mut inversion_table = Table::new([
        "read repair",
        "operations (invoked → answered)",
        "linearizable?",
    ]);
    for repair in [ReadRepair::Off, ReadRepair::Blocking] {
        let run = inversion_run(repair)?;
        let history = RegisterHistory::from_operations(run.trace().operations())?;
        let linearizable = check_register(&history).is_linearizable();
        inversion_table.push_row([
            repair.name().to_string(),
            described_operations(&history),
            if linearizable { "yes" } else { "no" }.to_string(),
        ])?;
        let title = format!("N = 3, W = R = 2, {}", repair.name());
        inversion_diagram(&run, &title).show();
    }
    inversion_table.evcxr_display();

    // cell
    let sigmas = [0.0, 0.5, 1.0, 1.5, 2.0];
    let variants = [
        (ReadRepair::Off, 5, 0),
        (ReadRepair::Background, 5, 0),
        (ReadRepair::Blocking, 1, 0),
        (ReadRepair::Blocking, 5, 0),
        (ReadRepair::Blocking, 5, 10),
    ];
    let mut linearizability_rows = Vec::new();
    for (repair, writers, skew) in variants {
        for &sigma in &sigmas {
            let parameters = LinearizabilityParameters {
                repair,
                clients: 5,
                writers,
                clock_skew: ms(skew),
                latency: Latency::log_normal(ms(5), sigma),
                think_time: ms(1),
                ..LinearizabilityParameters::default()
            };
            linearizability_rows.push((sigma, linearizability_experiment(&parameters, 100, 1)?));
        }
    }
    linearizability_figure(&linearizability_rows).show();

    // cell
    let mut lossy_rows = Vec::new();
    for (repair, writers) in [(ReadRepair::Off, 5), (ReadRepair::Blocking, 1)] {
        let lossy = LinearizabilityParameters {
            repair,
            clients: 5,
            writers,
            think_time: ms(1),
            loss: 0.2,
            ..LinearizabilityParameters::default()
        };
        lossy_rows.push(linearizability_experiment(&lossy, 100, 1)?);
    }
    let lossy_table = Table::from_rows(&lossy_rows)?;
    lossy_table.evcxr_display();

    // cell
    let shapes = [
        ("N = 3, W = R = 1", InversionModel::new(3, 1, 1)?),
        ("N = 3, W = R = 2", InversionModel::new(3, 2, 2)?),
        (
            "N = 3, W = R = 2, write-back",
            InversionModel::new(3, 2, 2)?.write_back(true),
        ),
    ];
    let mut explorations = Vec::new();
    let mut explored_rows = Vec::new();
    for (name, model) in shapes {
        let exploration = model.explore(Bounds::depth(40)?);
        explored_rows.push(ExplorationRow::new(name, &exploration));
        let rate = exploration.states_per_second();
        println!(
            "{name}: {:.0?} on this machine, {rate:.0} states/s",
            exploration.elapsed
        );
        explorations.push((model, exploration));
    }
    let explored = Table::from_rows(&explored_rows)?;
    explored.evcxr_display();

    // cell
    let (inversion_model, inverted) = explorations[1].clone();
    let shortest = inverted.violation.ok_or("W = R = 2 has an inversion")?.run;
    print!(
        "{}",
        shortest.numbered(|action| inversion_model.describe(action))
    );
    let explored_history = inversion_model.history(&shortest)?;
    let verdict = check_register(&explored_history);
    println!("linearizable: {}", verdict.is_linearizable());
    shortest
        .diagram(&inversion_model)
        .title("The shortest new-old inversion: N = 3, W = R = 2, no write-back")
        .show();

    // cell
    let prediction: Option<bool> = None; // does the explorer find a violation with one reader?
    let one_reader = InversionModel::new(3, 2, 2)?.readers(1)?;
    let alone = one_reader.explore(Bounds::depth(40)?);
    println!(
        "{}",
        check_prediction(
            prediction,
            !alone.holds(),
            format!(
                "With one reader the explorer covers all {} reachable states and finds no \
                 violation. An inversion needs a read that ends before another begins; one \
                 read alone has nothing to disagree with, and overlap rules out a stale read.",
                alone.distinct_states
            )
        )
    );

    // cell
    let read_repair_parameters = ReadRepairParameters::default();
    let mut divergence = Vec::new();
    for repair in [ReadRepair::Off, ReadRepair::Background] {
        divergence.extend(read_repair_experiment(&read_repair_parameters, repair, 1)?);
    }
    let mut divergence_plot = Figure::new("Copies out of date: hot and cold keys")
        .x_label("time since reads began (s)")
        .y_label("fraction of copies out of date");
    for repair in [ReadRepair::Off, ReadRepair::Background] {
        for keys in ["hot", "cold"] {
            let mine = divergence
                .iter()
                .filter(|row| row.repair == repair.name() && row.keys == keys);
            divergence_plot = divergence_plot.line(
                format!("{keys} keys, {}", repair.name()),
                mine.map(|row| (row.time_s, row.divergent)),
            );
        }
    }
    divergence_plot.show();

    // cell
    let prediction: Option<_> = None; // are all cold copies up to date after 60 s?
    let minute_of_reads = ReadRepairParameters {
        duration: secs(60),
        sample_every: secs(10),
        ..ReadRepairParameters::default()
    };
    let after_a_minute = read_repair_experiment(&minute_of_reads, ReadRepair::Background, 1)?;
    let cold_at_the_end = after_a_minute
        .iter()
        .rfind(|row| row.keys == "cold")
        .cloned()
        .ok_or("row")?;
    let cold_copies = 3 * (minute_of_reads.keys - minute_of_reads.hot_keys);
    let still_stale = (cold_at_the_end.divergent * cold_copies as f64).round();
    println!(
        "{}",
        check_prediction(
            prediction,
            still_stale == 0.0,
            format!(
                "{still_stale} of the {cold_copies} cold copies are still out of date. The least-read \
                 keys are read a few times a minute, and a read repairs only when the stale replica \
                 is among its first R = 2 replies (two times in three). Only anti-entropy promises \
                 that every key converges."
            )
        )
    );

    // cell
    let ring = Ring::with_nodes(64, ["n0", "n1", "n2", "n3", "n4"])?;
    let preference = replicas_for(&ring, "cart:42", 5)?;
    println!("preference list of cart:42 on the ring: {preference:?} (the first three are home)");
    let quorum = Quorum::new(3, 2, 2)?;
    let mut cluster = SloppyCluster::new(5, secs(3 * 3600))?;
    let mut sloppy_steps = Table::new([
        "step",
        "write ok?",
        "stored on",
        "read of the home replicas",
    ]);
    let first = cluster.write(secs(0), 42, 1, &preference, quorum, true)?;
    let step = handoff_step(
        "write version 1",
        Some(first),
        &cluster,
        &preference,
        quorum,
    )?;
    sloppy_steps.push_row(step)?;

    // cell
    for &home in &preference[..3] {
        cluster.set_down(secs(10), home, true)?;
    }
    let strict = cluster.write(secs(20), 42, 2, &preference, quorum, false)?;
    let what = "home replicas unreachable; strict write of version 2";
    let step = handoff_step(what, Some(strict), &cluster, &preference, quorum)?;
    sloppy_steps.push_row(step)?;
    let sloppy = cluster.write(secs(20), 42, 2, &preference, quorum, true)?;
    let step = handoff_step(
        "sloppy write of version 2",
        Some(sloppy),
        &cluster,
        &preference,
        quorum,
    )?;
    sloppy_steps.push_row(step)?;

    // cell
    for &home in &preference[..3] {
        cluster.set_down(secs(30), home, false)?;
    }
    let what = "home replicas back, hints not yet delivered";
    let step = handoff_step(what, None, &cluster, &preference, quorum)?;
    sloppy_steps.push_row(step)?;
    let delivered = cluster.hand_off();
    let what = format!("handoff delivers {delivered} hints");
    let step = handoff_step(&what, None, &cluster, &preference, quorum)?;
    sloppy_steps.push_row(step)?;
    sloppy_steps.evcxr_display();

    // cell
    let outages: Vec<Time> = (1..=16).map(|k| secs(k * 1800)).collect();
    let handoff = hinted_handoff_experiment(&outages, secs(3 * 3600), 2_000, 1)?;
    Figure::new("Writes missing after the handoff (hint window 3 h)")
        .x_label("outage length / hint window")
        .y_label("fraction of the outage's writes missing")
        .points(
            "simulated",
            handoff
                .iter()
                .map(|row| (row.outage_in_windows, row.missing_fraction)),
        )
        .line(
            "1 - window / outage",
            handoff
                .iter()
                .map(|row| (row.outage_in_windows, row.computed)),
        )
        .show();

    // cell
    let partition_lengths: Vec<Time> = (0..=12).map(|k| secs(k * 300)).collect();
    let strict_or_sloppy = strict_vs_sloppy_experiment(&partition_lengths, secs(900), 1)?;
    strict_vs_sloppy_figure(&strict_or_sloppy).show();
    let half_hour: Vec<StrictSloppyRow> = strict_or_sloppy
        .iter()
        .filter(|row| row.partition_min == 30.0)
        .cloned()
        .collect();
    let half_hour_table = Table::from_rows(&half_hour)?;
    half_hour_table.evcxr_display();

    // cell
    let prediction: Option<bool> = None; // any stale read after healing?
    let long_window = strict_vs_sloppy_experiment(&[secs(1_800)], secs(3_600), 1)?;
    let sloppy_half_hour = long_window[1].clone();
    println!(
        "{}",
        check_prediction(
            prediction,
            sloppy_half_hour.stale_after_healing > 0,
            format!(
                "{} stale reads after healing: every write of the partition came within the \
                 window, so the stand-ins handed all {} hints over. The reads during the \
                 partition are as stale as before: {} of 3,600.",
                sloppy_half_hour.stale_after_healing,
                sloppy_half_hour.hints_delivered,
                (sloppy_half_hour.stale_reads * 3_600.0).round()
            )
        )
    );

    // cell
    let differing_counts = [1, 3, 10, 30, 100, 300, 1_000, 3_000, 10_000];
    let merkle_rows = anti_entropy_experiment(100_000, &differing_counts, 12, 1)?;
    anti_entropy_figure(&merkle_rows).show();
    let merkle_table = Table::from_rows(&merkle_rows)?;
    merkle_table.evcxr_display();

    // cell
    let small_store = ReadRepairParameters {
        keys: 200,
        hot_keys: 20,
        clients: 1,
        mean_gap: ms(10),
        duration: secs(90),
        sample_every: secs(1),
        ..ReadRepairParameters::default()
    };
    let agreement = convergence_experiment(&small_store, secs(15), 1)?;
    convergence_figure(&agreement).show();
    let agreed_by_reads = time_to_agree(&agreement, "blocking read repair");
    let agreed_by_rounds = time_to_agree(&agreement, "anti-entropy every 15s");
    println!(
        "every key agrees on every replica: with read repair at {} s, with anti-entropy at {} s",
        agreed_by_reads.unwrap_or(f64::NAN),
        agreed_by_rounds.unwrap_or(f64::NAN)
    );

    // cell
    let prediction: Option<bool> = None; // does anti-entropy still get there first?
    let once_a_minute = convergence_experiment(&small_store, secs(60), 1)?;
    let by_reads = time_to_agree(&once_a_minute, "blocking read repair").unwrap_or(f64::NAN);
    let by_rounds = time_to_agree(&once_a_minute, "anti-entropy every 60s").unwrap_or(f64::NAN);
    println!(
        "{}",
        check_prediction(
            prediction,
            by_rounds < by_reads,
            format!(
                "Read repair: {by_reads} s, as before (the reads have not changed). Anti-entropy: \
                 {by_rounds} s, its first round, which pairs the same two replicas as before \
                 and now comes at 60 s."
            )
        )
    );

    // cell
    let ratios: Vec<f64> = (0..=15).map(|k| k as f64 / 10.0).collect();
    let day = secs(86_400);
    let resurrections = resurrection_experiment(&ratios, day * 10, day * 7, 2_000, 1)?;
    Figure::new("Deletes that come back (grace 10 days, repair every 7)")
        .x_label("replica down time / grace period")
        .y_label("P(the deleted key reappears)")
        .points(
            "simulated",
            resurrections
                .iter()
                .map(|row| (row.down_over_grace, row.fraction)),
        )
        .line(
            "formula",
            resurrections
                .iter()
                .map(|row| (row.down_over_grace, row.computed)),
        )
        .show();

    // cell
    let prediction: Option<_> = None; // trials (of 2,000) in which the key comes back
    let every_three_days = resurrection_experiment(&[0.5], day * 10, day * 3, 2_000, 1)?;
    println!(
        "{}",
        check_prediction(
            prediction,
            every_three_days[0].resurrected,
            "C is back after 5 days, and the next repair comes at most 3 days later, by day 8: \
             before the purge at day 10, so the tombstone always wins. The formula \
             clamp((down + repair − grace) / repair, 0, 1) gives clamp(−2 / 3) = 0."
        )
    );

    // cell
    let dc_latency = multi_dc_latency_experiment(
        &[3, 3],
        Latency::log_normal(ms(1), 0.5),
        Latency::log_normal(ms(40), 0.3),
        50_000,
        1,
    )?;
    let dc_latency_table = Table::from_rows(&dc_latency)?;
    dc_latency_table.show();
    let mut partition_table = Table::new([
        "replicas per DC",
        "level",
        "DC 0 during a WAN partition",
        "DC 1 during a WAN partition",
    ]);
    for layout in [[3, 3], [2, 1]] {
        for level in ConsistencyLevel::ALL {
            let mut cells = vec![format!("{layout:?}"), level.name().to_string()];
            for local in 0..2 {
                let ok = level.succeeds(&layout, &layout, local, false)?;
                cells.push(if ok { "available" } else { "unavailable" }.to_string());
            }
            partition_table.push_row(cells)?;
        }
    }
    partition_table.evcxr_display();

    // cell
    let durations: Vec<Time> = (0..=12).map(|k| secs(k * 300)).collect();
    let wan_rows = wan_partition_experiment(&[3, 3], &durations, 5.0, 100_000, 1)?;
    conflicts_figure(&wan_rows).show();
    let hour: Vec<PartitionRow> = wan_rows
        .iter()
        .filter(|row| row.partition_minutes == 60.0)
        .cloned()
        .collect();
    let hour_table = Table::from_rows(&hour)?;
    hour_table.evcxr_display();

    // cell
    let prediction: Option<_> = None; // is QUORUM's median from DC 0 under 5 ms?
    let four_three = multi_dc_latency_experiment(
        &[4, 3],
        Latency::log_normal(ms(1), 0.5),
        Latency::log_normal(ms(40), 0.3),
        10_000,
        1,
    )?;
    let quorum_from_home = four_three[2].clone();
    let far_side_in_partition = ConsistencyLevel::Quorum.succeeds(&[4, 3], &[4, 3], 1, false)?;
    println!(
        "{}",
        check_prediction(
            prediction,
            quorum_from_home.p50_ms < 5.0,
            format!(
                "{}: median {:.2} ms. It needs 4 of 7 replies and DC 0 holds 4, so it waits for \
                 the slowest local one. The far side pays: DC 1 always needs a reply from DC 0, \
                 and keeps QUORUM in a partition: {far_side_in_partition}.",
                quorum_from_home.level, quorum_from_home.p50_ms
            )
        )
    );

    // cell
    let prediction: Option<_> = None; // can a read right after the write miss it?
    let (n, w, r) = (5, 2, 3);
    let quorum = Quorum::new(n, w, r)?;
    let rows = stale_read_experiment(quorum, &[ms(0)], ms(10), 20_000, 1)?;
    println!(
        "{}",
        check_prediction(
            prediction,
            rows[0].stale > 0,
            format!(
                "{quorum}: {} of 20,000 reads missed the write. A read can miss it exactly when \
                 W + R ≤ N (here W + R = {}, N = {n}). Writes survive N − W = {} down replicas.",
                rows[0].stale,
                w + r,
                quorum.writes_survive()
            )
        )
    );

    // end of cells
    let live_wait = |n: usize| quorum_latency_experiment(n, Latency::exponential(ms(6)), 10_000, 1);
    assert!((live_wait(3)?[1].mean_ms - 5.0).abs() < 0.2);
    assert!((live_wait(7)?[3].mean_ms - 4.56).abs() < 0.2);
    // The live figure, at its starting values, at W = 2 and W = 3, and with W above N.
    let live_stale = |w: usize| -> Result<Vec<StaleRow>, QuorumError> {
        stale_read_experiment(Quorum::new(3, w, 1)?, &afters, ms(10), 2_000, 1)
    };
    assert_eq!(format!("{:.3}", live_stale(1)?[0].measured), "0.666");
    assert_eq!(format!("{:.3}", live_stale(2)?[0].measured), "0.327");
    assert!(live_stale(3)?.iter().all(|row| row.stale == 0));
    assert!(Quorum::new(3, 4, 1).is_err());
    let column = |table: &Table, index: usize| -> Vec<String> {
        table.rows().iter().map(|row| row[index].clone()).collect()
    };
    assert_eq!(
        column(&guarantees, 4),
        [
            "0.97200", "0.99900", "0.72900", "0.99900", "0.94770", "0.94770", "0.99144"
        ]
    );
    assert_eq!(column(&guarantees, 5)[3], "0.72900");
    assert_eq!(column(&guarantees, 2)[4], column(&guarantees, 2)[0]); // N = 4 and N = 3 both survive 1
    assert_eq!(overlap_grid[2][2], 1.0); // N = 5, W = R = 3
    assert_eq!(format!("{:.3}", both[0][4]), "0.590"); // W = 5 needs all five up: 0.9^5
    assert_eq!(format!("{:.3}", both[2][2]), "0.991");
    assert_eq!(column(&guarantees, 3)[4], "2 down"); // N = 4, W = 3, R = 2
    assert_eq!(format!("{computed_five:.4}"), "0.9421");
    assert_eq!(format!("{simulated_writes:.4}"), "0.9431");
    let measured_at_zero: Vec<String> = at_zero
        .iter()
        .map(|row| format!("{:.3}", row.measured))
        .collect();
    assert_eq!(measured_at_zero, ["0.667", "0.301", "0.601", "0.000"]);
    assert!(
        stale_rows
            .iter()
            .all(|row| (row.measured - row.computed).abs() < 0.015)
    );
    assert_eq!(column(&expected_table, 2)[..3], ["2.02", "5.01", "11.00"]);
    assert_eq!(column(&expected_table, 3)[..3], ["2.00", "5.00", "11.00"]);
    assert_eq!(
        (
            format!("{:.2}", one.p50_ms),
            format!("{:.2}", quorum_of_three.p50_ms)
        ),
        ("1.32".to_string(), "3.01".to_string())
    );
    assert_eq!(
        (
            format!("{:.1}", one.p99_ms),
            format!("{:.1}", quorum_of_three.p99_ms)
        ),
        ("6.6".to_string(), "14.5".to_string())
    );
    assert_eq!(column(&inversion_table, 2), ["no", "yes"]);
    let rejected = |variant: &str| -> Vec<usize> {
        linearizability_rows
            .iter()
            .filter(|(_, row)| row.variant == variant)
            .map(|(_, row)| row.not_linearizable)
            .collect()
    };
    assert_eq!(rejected("no read repair, 5 writers"), [0, 0, 0, 2, 7]);
    assert_eq!(
        rejected("background read repair, 5 writers"),
        [0, 0, 0, 0, 3]
    );
    assert_eq!(rejected("blocking write-back, 1 writer"), [0, 0, 0, 0, 0]);
    assert_eq!(rejected("blocking write-back, 5 writers"), [0, 0, 0, 0, 0]);
    assert_eq!(
        rejected("blocking write-back, 5 writers, clocks 10ms apart"),
        [49, 48, 37, 25, 15]
    );
    let lossy_counts: Vec<usize> = lossy_rows.iter().map(|row| row.not_linearizable).collect();
    assert_eq!(lossy_counts, [5, 0]);
    assert_eq!(
        column(&explored, 1),
        ["no stale read", "no new-old inversion", "none"]
    );
    assert_eq!(column(&explored, 2), ["6", "12", ""]);
    assert_eq!(column(&explored, 3), ["749", "52555", "328337"]);
    assert_eq!(column(&explored, 4), ["false", "false", "true"]);
    assert!(!verdict.is_linearizable());
    assert_eq!(explored_history.len(), 3);
    assert!(shortest.numbered(|action| inversion_model.describe(action)).starts_with(
        "1. the writer begins writing 1\n2. reader 0 begins a read\n3. r0 receives Write(1) from writer\n"
    ));
    let divergent_at = |repair: ReadRepair, keys: &str, time_s: f64| {
        divergence
            .iter()
            .find(|row| row.repair == repair.name() && row.keys == keys && row.time_s == time_s)
            .map(|row| format!("{:.3}", row.divergent))
    };
    assert_eq!(
        divergent_at(ReadRepair::Off, "cold", 10.0).as_deref(),
        Some("0.333")
    );
    assert_eq!(
        divergent_at(ReadRepair::Off, "hot", 10.0).as_deref(),
        Some("0.333")
    );
    assert_eq!(
        divergent_at(ReadRepair::Background, "hot", 1.0).as_deref(),
        Some("0.073")
    );
    assert_eq!(
        divergent_at(ReadRepair::Background, "cold", 1.0).as_deref(),
        Some("0.283")
    );
    assert_eq!(
        divergent_at(ReadRepair::Background, "hot", 10.0).as_deref(),
        Some("0.000")
    );
    assert_eq!(
        divergent_at(ReadRepair::Background, "cold", 10.0).as_deref(),
        Some("0.087")
    );
    assert_eq!(preference, [2, 3, 0, 4, 1]);
    assert_eq!(
        column(&sloppy_steps, 3),
        ["Some(1)", "None", "None", "Some(1)", "Some(2)"]
    );
    assert_eq!(column(&sloppy_steps, 1)[1..3], ["false", "true"]);
    assert_eq!(delivered, 2);
    assert!(handoff.iter().take(6).all(|row| row.missing == 0));
    assert!(
        handoff
            .iter()
            .all(|row| (row.missing_fraction - row.computed).abs() < 0.03)
    );
    let at_two = handoff
        .iter()
        .find(|row| row.outage_in_windows == 2.0)
        .map(|row| row.missing);
    assert_eq!(at_two, Some(991));
    let stale_count = |quorum: &str, minutes: f64| {
        strict_or_sloppy
            .iter()
            .find(|row| row.quorum == quorum && row.partition_min == minutes)
            .map(|row| (row.stale_reads * 3_600.0).round() as u64)
    };
    assert!(
        strict_or_sloppy
            .iter()
            .filter(|row| row.quorum == "strict")
            .all(|row| row.stale_reads == 0.0
                && (row.writes_ok - (1.0 - row.partition_min / 60.0)).abs() < 1e-12)
    );
    assert!(
        strict_or_sloppy
            .iter()
            .filter(|row| row.quorum == "sloppy")
            .all(|row| row.writes_ok == 1.0)
    );
    assert_eq!(half_hour[0].writes_ok, 0.5);
    assert_eq!(stale_count("sloppy", 10.0), Some(162));
    assert_eq!(stale_count("sloppy", 30.0), Some(1_490));
    assert_eq!(stale_count("sloppy", 60.0), Some(2_619));
    assert_eq!(half_hour[1].stale_after_healing, 534);
    assert!(
        strict_or_sloppy
            .iter()
            .filter(|row| row.partition_min <= 15.0)
            .all(|row| row.stale_after_healing == 0)
    );
    assert!(
        check_prediction(Some(false), sloppy_half_hour.stale_after_healing > 0, "")
            .starts_with("Right")
    );
    assert_eq!(sloppy_half_hour.hints_delivered, 3_600);
    assert_eq!(
        (sloppy_half_hour.stale_reads * 3_600.0).round() as u64,
        1_490 - 534
    );
    let merkle = |d: usize| {
        merkle_rows
            .iter()
            .find(|row| row.differing_keys == d)
            .cloned()
    };
    let single = merkle(1).ok_or("row")?;
    assert_eq!((single.tree_hashes, single.tree_total), (25, 44));
    let hundred = merkle(100).ok_or("row")?;
    assert_eq!((hundred.tree_hashes, hundred.tree_total), (1111, 3548));
    let thousand = merkle(1_000).ok_or("row")?;
    assert_eq!(thousand.tree_total, 27636);
    let all_differ = merkle(10_000).ok_or("row")?;
    assert_eq!(all_differ.tree_total, 100327);
    assert!(merkle_rows.iter().all(|row| row.found_all));
    let agreeing_at = |seconds: f64| {
        agreement
            .iter()
            .find(|row| row.repair == "blocking read repair" && row.time_s == seconds)
            .map(|row| format!("{:.3}", row.keys_agreeing))
    };
    assert_eq!(agreeing_at(10.0).as_deref(), Some("0.825"));
    assert_eq!(agreeing_at(30.0).as_deref(), Some("0.965"));
    assert_eq!(
        (agreed_by_reads, agreed_by_rounds),
        (Some(54.0), Some(15.0))
    );
    assert!(
        agreement
            .iter()
            .filter(|row| row.repair != "blocking read repair" && row.time_s < 15.0)
            .all(|row| row.keys_agreeing == 0.0)
    );
    assert_eq!((by_reads, by_rounds), (54.0, 60.0));
    assert!(check_prediction(Some(false), by_rounds < by_reads, "").starts_with("Right"));
    let resurrected: Vec<usize> = resurrections.iter().map(|row| row.resurrected).collect();
    assert_eq!(resurrected[..4], [0, 0, 0, 0]);
    assert_eq!(resurrected[5], 556);
    assert!(resurrected[10..].iter().all(|&count| count == 2_000));
    assert!(
        resurrections
            .iter()
            .all(|row| (row.fraction - row.computed).abs() < 0.03)
    );
    let dc = |level: &str| dc_latency.iter().find(|row| row.level == level).cloned();
    let local = dc("LOCAL_QUORUM").ok_or("row")?;
    let global = dc("QUORUM").ok_or("row")?;
    assert_eq!(
        (
            format!("{:.1}", local.p50_ms),
            format!("{:.1}", local.p99_ms)
        ),
        ("1.0".to_string(), "2.2".to_string())
    );
    assert_eq!(
        (
            format!("{:.0}", global.p50_ms),
            format!("{:.0}", global.p99_ms)
        ),
        ("31".to_string(), "51".to_string())
    );
    assert_eq!(
        column(&partition_table, 2),
        [
            "available",
            "available",
            "unavailable",
            "unavailable",
            "available",
            "available",
            "available",
            "unavailable"
        ]
    );
    assert_eq!(column(&partition_table, 3)[6], "unavailable");
    assert_eq!(rows[0].stale, 1986);

    // The try-it cells with a prediction set, and every variation their prose suggests.
    let right = |message: String| message.starts_with("Right");
    assert!(right(check_prediction(Some(true), write_ok > 0.9, "")));
    assert_eq!(format!("{write_ok:.4}"), "0.9185");
    assert!(right(check_prediction(
        Some(0),
        every_three_days[0].resurrected,
        ""
    )));
    assert!(right(check_prediction(Some(true), rows[0].stale > 0, "")));
    assert!(right(check_prediction(Some(false), !alone.holds(), "")));
    assert!(alone.exhausted);
    assert_eq!(alone.distinct_states, 1_442);
    // The variation the prose suggests: two readers again, each reading every replica.
    let read_all = InversionModel::new(3, 1, 3)?.explore(Bounds::depth(40)?);
    assert!(read_all.holds() && read_all.exhausted);
    assert_eq!(read_all.distinct_states, 135_641);
    for ((n, w, r), can_miss) in [((3, 2, 2), false), ((5, 1, 1), true), ((5, 3, 2), true)] {
        let variation = stale_read_experiment(Quorum::new(n, w, r)?, &[ms(0)], ms(10), 20_000, 1)?;
        assert_eq!(variation[0].stale > 0, can_miss, "N={n} W={w} R={r}");
    }
    assert!(right(check_prediction(Some(45), rare.after_ms as u64, "")));
    assert_eq!(format!("{:.4}", rare.measured), "0.0070");
    assert_eq!(format!("{:.4}", waiting[8].measured), "0.0117"); // 40 ms: still above 1%
    assert!(right(check_prediction(
        Some(true),
        majority_of_seven < majority_of_three,
        ""
    )));
    assert_eq!(format!("{majority_of_seven:.2}"), "4.54");
    assert!(right(check_prediction(Some(false), still_stale == 0.0, "")));
    assert_eq!((still_stale, cold_copies), (2.0, 2_700));
    assert!(right(check_prediction(
        Some(true),
        quorum_from_home.p50_ms < 5.0,
        ""
    )));
    assert_eq!(
        (
            quorum_from_home.level.as_str(),
            format!("{:.2}", quorum_from_home.p50_ms)
        ),
        ("QUORUM", "1.65".to_string())
    );
    assert!(!far_side_in_partition);
    let local_hour = hour.first().cloned().ok_or("row")?;
    let quorum_hour = hour.last().cloned().ok_or("row")?;
    assert_eq!(
        (
            local_hour.level.as_str(),
            local_hour.attempted,
            local_hour.accepted
        ),
        ("LOCAL_QUORUM", 35_744, 35_744)
    );
    assert_eq!(local_hour.conflicting_keys, 2_634);
    assert_eq!(format!("{:.0}", local_hour.expected_conflicts), "2714");
    assert_eq!(
        (quorum_hour.level.as_str(), quorum_hour.accepted),
        ("QUORUM", 0)
    );
    assert!(
        wan_rows
            .iter()
            .filter(|row| row.level == "LOCAL_QUORUM")
            .all(|row| (row.conflicting_keys as f64 - row.expected_conflicts).abs() < 150.0)
    );
    Ok(())
}
