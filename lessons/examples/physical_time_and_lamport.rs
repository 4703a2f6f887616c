//! The Rust code of `notebooks/03-physical-time-and-lamport.ipynb`, cell by cell, as one program.
//!
//! Each `// cell` line starts the code of the next notebook code cell (after the `:dep` cell); a
//! cell whose last line is a bare variable shows that value, which here is spelled
//! `variable.evcxr_display();`. `tests/clock_notebooks.rs` checks that the two stay
//! identical, runs this program, and the assertions at the end pin the numbers the notebook's
//! prose quotes.
//!
//! Run it with `cargo run -p lessons --example physical_time_and_lamport`.

use std::error::Error;

pub fn main() -> Result<(), Box<dyn Error>> {
    // cell
    use lessons::clocks::*;
    use lessons::display::RichDisplay;
    use lessons::sim::*;
    use lessons::table::Table;
    use lessons::try_it::check_prediction;
    use lessons::viz::Figure;
    use lessons::widgets::{Control, interact};

    // cell
    let clocks = [
        PhysicalClock::new()
            .drift_ppm(300)
            .step_at(secs(2), us(-600))
            .step_at(secs(4), us(-600)),
        PhysicalClock::new().offset(ms(-2)).drift_ppm(-150),
        PhysicalClock::new()
            .offset(ms(1))
            .step_at(ms(3_500), ms(-3)),
        PhysicalClock::new()
            .drift_ppm(300)
            .slew_at(secs(2), us(-600))
            .slew_at(secs(4), us(-600)),
    ];
    let names = [
        "A: 300 ppm fast, stepped back",
        "B: 2 ms slow, 150 ppm slow",
        "C: 1 ms fast, one step back",
        "A′: like A, slewed instead",
    ];
    let errors = clock_errors(&clocks, secs(6), ms(50))?;
    let mut error_plot = Figure::new("Four clocks against the truth")
        .x_label("true time (ms)")
        .y_label("clock reading minus true time (ms)");
    for (node, name) in names.iter().enumerate() {
        let mine = errors.iter().filter(|row| row.node == node);
        error_plot = error_plot.line(*name, mine.map(|row| (row.true_ms, row.error_ms)));
    }
    error_plot.evcxr_display();

    // cell
    let mut monotonic = MonotonicClock::new();
    let mut table = Table::new(["true time", "C's clock", "monotonic reading"]);
    for at in [ms(3_499), ms(3_500), ms(3_501), ms(3_503), ms(3_504)] {
        let raw = clocks[2].reading(at);
        table.push_row([
            at.to_string(),
            raw.to_string(),
            monotonic.read(raw).to_string(),
        ])?;
    }
    table.evcxr_display();

    // cell
    let skews = [0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0];
    let gaps_ms = [1, 5];
    let mut misorder_rows: Vec<MisorderRow> = Vec::new();
    for gap_ms in gaps_ms {
        for &skew in &skews {
            let parameters = MisorderParameters {
                skew: Time::from_nanos_f64(skew * 1e6),
                gap: ms(gap_ms),
                pairs: 100_000,
            };
            misorder_rows.push(misordered_pairs(&parameters, 3)?);
        }
    }
    let mut misorder =
        Figure::new("Two events on two nodes: how often do their timestamps come backwards?")
            .x_label("skew: spread of the clock offsets (ms)")
            .y_label("fraction of pairs in the wrong order");
    for (gap_ms, rows) in gaps_ms.iter().zip(misorder_rows.chunks(skews.len())) {
        let measured = rows.iter().map(|r| (r.skew_ms, r.fraction));
        let formula = rows.iter().map(|r| (r.skew_ms, r.expected));
        misorder = misorder
            .points(format!("events {gap_ms} ms apart (measured)"), measured)
            .line(format!("events {gap_ms} ms apart (formula)"), formula);
    }
    misorder.evcxr_display();

    // cell
    let prediction: Option<bool> = None; // more than 25% of pairs misordered?
    let spread_ms = 20.0; // try 50.0
    let parameters = MisorderParameters {
        skew: Time::from_nanos_f64(spread_ms * 1e6),
        gap: ms(5),
        pairs: 100_000,
    };
    let row = misordered_pairs(&parameters, 3)?;
    let why = format!(
        "{:.1}% measured, {:.1}% by the formula: a gap smaller than the clocks' disagreement \
         is read backwards that often",
        100.0 * row.fraction,
        100.0 * row.expected
    );
    println!("{}", check_prediction(prediction, row.fraction > 0.25, why));

    // cell
    interact(
        vec![
            Control::float("spread (ms)", 0.5, 50.0, 0.5, 10.0)?,
            Control::int("gap (ms)", 0..=50, 1)?,
        ],
        |values| {
            let parameters = MisorderParameters {
                skew: Time::from_nanos_f64(values.float("spread (ms)") * 1e6),
                gap: ms(values.int("gap (ms)")),
                pairs: 100_000,
            };
            misordered_pairs(&parameters, 3).map(|row| Table::from_rows(&[row]))
        },
    )?;

    // cell
    let a_fast = vec![PhysicalClock::new().offset(ms(40)), PhysicalClock::new()];
    let schedules = vec![vec![ms(10)], vec![ms(30)]];
    let link = Latency::constant(ms(8));
    let wall_run = lww_run(Stamping::Wall, &a_fast, &schedules, &link, 1)?;
    let wall_readings = Readings::of(wall_run.trace());
    let lost_write = wall_run
        .trace()
        .diagram()
        .title("Last writer wins, by wall clock: B's later write is lost (labels: clock reading)")
        .between(ms(0), ms(45))
        .label_events(|e| match (&e.label, wall_readings.is_counted(e.index)) {
            (Some(what), true) => {
                format!("{what} @{}", wall_readings.label(e.index, ClockKind::Wall))
            }
            _ => String::new(),
        });
    lost_write.evcxr_display();

    // cell
    let hybrid_run = lww_run(Stamping::Hybrid, &a_fast, &schedules, &link, 1)?;
    let hybrid_readings = Readings::of(hybrid_run.trace());
    let kept_write = hybrid_run
        .trace()
        .diagram()
        .title("The same run, writes stamped by a hybrid logical clock (labels: HLC)")
        .between(ms(0), ms(45))
        .label_events(|e| match (&e.label, hybrid_readings.is_counted(e.index)) {
            (Some(what), true) => format!(
                "{what} @{}",
                hybrid_readings.label(e.index, ClockKind::Hybrid)
            ),
            _ => String::new(),
        });
    kept_write.show();
    let final_values: Vec<String> = [&wall_run, &hybrid_run]
        .iter()
        .map(|run| {
            run.node::<LwwReplica>(0)
                .and_then(|a| a.value())
                .map(|w| w.to_string())
                .unwrap_or_default()
        })
        .collect();
    println!(
        "final value with wall clocks: {}, with HLC: {}",
        final_values[0], final_values[1]
    );

    // cell
    let c4_rows = lww_experiment(
        &LwwParameters {
            skew: ms(50),
            ..LwwParameters::default()
        },
        7,
    )?;
    let by_writer: Vec<LwwRow> = c4_rows
        .iter()
        .filter(|row| row.writer != "all")
        .cloned()
        .collect();
    let c4_table = Table::from_rows(&by_writer)?;
    c4_table.evcxr_display();

    // cell
    let skew_points = [0, 2, 5, 10, 20, 50, 100, 200];
    let mut sweep = Vec::new();
    for &skew in &skew_points {
        let rows = lww_experiment(
            &LwwParameters {
                skew: ms(skew),
                ..LwwParameters::default()
            },
            7,
        )?;
        sweep.extend(rows.into_iter().filter(|row| row.writer == "all"));
    }
    let mut lww_plot = Figure::new("Writes lost by last-writer-wins, 3 writers")
        .x_label("skew between the slowest and the fastest clock (ms)")
        .y_label("fraction of writes lost");
    for stamping in Stamping::ALL {
        let mine = sweep.iter().filter(|row| row.stamping == stamping.name());
        let points: Vec<(f64, f64)> = mine.map(|row| (row.skew_ms, row.lost_fraction)).collect();
        lww_plot = lww_plot.line(format!("{}: all lost writes", stamping.name()), points);
    }
    let older: Vec<(f64, f64)> = sweep
        .iter()
        .filter(|row| row.stamping == Stamping::Wall.name())
        .map(|row| (row.skew_ms, row.lost_to_older as f64 / row.writes as f64))
        .collect();
    lww_plot = lww_plot.points("wall clock: lost to a write they had read", older);
    lww_plot.evcxr_display();

    // cell
    interact(
        vec![
            Control::int("skew (ms)", 0..=200, 50)?,
            Control::int("writers", 2..=5, 3)?,
        ],
        |values| {
            let parameters = LwwParameters {
                skew: ms(values.int("skew (ms)")),
                writers: values.int("writers") as usize,
                ..LwwParameters::default()
            };
            lww_experiment(&parameters, 7).map(|rows| Table::from_rows(&rows))
        },
    )?;

    // cell
    let prediction: Option<_> = None; // does B's later write survive?
    let a_lead = ms(15); // then try ms(25)
    let a_less_fast = vec![PhysicalClock::new().offset(a_lead), PhysicalClock::new()];
    let rerun = lww_run(Stamping::Wall, &a_less_fast, &schedules, &link, 1)?;
    let kept = rerun
        .node::<LwwReplica>(0)
        .and_then(|a| a.value())
        .map(|w| w.to_string())
        .unwrap_or_default();
    println!(
        "{}",
        check_prediction(
            prediction,
            kept == "B1",
            format!(
                "The register ends with {kept}: A1 is stamped {} ms, B1 30 ms. B's write, made \
                 20 ms after A's, loses only when A's clock leads B's by more than those 20 ms.",
                10.0 + a_lead.as_millis_f64()
            )
        )
    );

    // cell
    let mut lamport_sim = Simulation::new(1);
    lamport_sim.add_node("A", || {
        Script::new().local(ms(10), "a").send(ms(20), 1, "m1")
    });
    lamport_sim.add_node("B", || {
        Script::new().receive_as("m1", "b").send(ms(40), 2, "m2")
    });
    lamport_sim.add_node("C", || {
        Script::new()
            .local(ms(5), "e")
            .local(ms(15), "f")
            .receive_as("m2", "c")
    });
    lamport_sim.set_links(Link::new().latency(Latency::constant(ms(8))))?;
    lamport_sim.run()?;
    let readings = Readings::of(lamport_sim.trace());
    let lamport_diagram = lamport_sim
        .trace()
        .diagram()
        .title("Lamport times (labels: event, L)")
        .message_labels(false)
        .label_events(|e| match (&e.label, readings.lamport(e.index)) {
            (Some(name), Some(time)) => format!("{name}: {time}"),
            _ => String::new(),
        });
    lamport_diagram.evcxr_display();

    // cell
    /// The index of the event labelled `name`.
    fn event(trace: &Trace<String>, name: &str) -> usize {
        let events = trace.events();
        events
            .iter()
            .position(|e| e.label.as_deref() == Some(name))
            .unwrap_or(events.len())
    }

    let order = HappenedBefore::of(lamport_sim.trace());
    let (e, b) = (
        event(lamport_sim.trace(), "e"),
        event(lamport_sim.trace(), "b"),
    );
    println!(
        "L(e) = {:?}, L(b) = {:?}",
        readings.lamport(e),
        readings.lamport(b)
    );
    println!(
        "e happened before b: {}; b before e: {}; concurrent: {}",
        order.holds(e, b),
        order.holds(b, e),
        order.concurrent(e, b)
    );

    // cell
    let mut stamped: Vec<(LamportTimestamp, String)> = readings
        .events()
        .map(|i| {
            let event = &lamport_sim.trace().events()[i];
            let time = readings.lamport(i).unwrap_or(0);
            let stamp = LamportTimestamp {
                time,
                node: event.node,
            };
            (stamp, event.label.clone().unwrap_or_default())
        })
        .collect();
    stamped.sort();
    let total_order: Vec<String> = stamped
        .iter()
        .map(|(stamp, name)| format!("{name} ({stamp})"))
        .collect();
    println!("total order: {}", total_order.join(" < "));

    // cell
    let rates = [0.1, 0.3, 0.5, 0.7, 0.9];
    let mut order_rows = Vec::new();
    for &send_probability in &rates {
        for seed in 0..5 {
            let parameters = RunParameters {
                send_probability,
                events_per_process: 15,
                ..RunParameters::default()
            };
            order_rows.push(false_order(&parameters, seed)?);
        }
    }
    /// The mean of `measure` over the rows with send probability `p`.
    fn mean(rows: &[OrderRow], p: f64, measure: fn(&OrderRow) -> f64) -> f64 {
        let mine: Vec<f64> = rows
            .iter()
            .filter(|r| r.send_probability == p)
            .map(measure)
            .collect();
        mine.iter().sum::<f64>() / mine.len() as f64
    }

    // cell
    let false_leads: Vec<(f64, f64)> = rates
        .iter()
        .map(|&p| (p, mean(&order_rows, p, |r| r.false_order_fraction)))
        .collect();
    let concurrent_share: Vec<(f64, f64)> = rates
        .iter()
        .map(|&p| {
            (
                p,
                mean(&order_rows, p, |r| {
                    r.concurrent_pairs as f64 / r.pairs as f64
                }),
            )
        })
        .collect();
    Figure::new("Pairs with L(a) < L(b) that are concurrent")
        .x_label("chance that an event is a send")
        .y_label("fraction of pairs")
        .line(
            "Lamport-ordered pairs that are concurrent",
            false_leads.clone(),
        )
        .line("all pairs that are concurrent", concurrent_share)
        .show();

    // cell
    let violations: usize = order_rows
        .iter()
        .map(|r| r.lamport_violations + r.vector_disagreements)
        .sum();
    println!(
        "pairs checked: {}, clock condition violated: {violations}",
        order_rows.iter().map(|r| r.pairs).sum::<usize>()
    );

    // cell
    let prediction: Option<_> = None; // L(c)
    let mut busy_c = Simulation::new(1);
    busy_c.add_node("A", || {
        Script::new().local(ms(10), "a").send(ms(20), 1, "m1")
    });
    busy_c.add_node("B", || {
        Script::new().receive_as("m1", "b").send(ms(40), 2, "m2")
    });
    busy_c.add_node("C", || {
        (1..=5)
            .fold(Script::new(), |script, k| {
                script.local(ms(5 * k), format!("e{k}"))
            })
            .receive_as("m2", "c")
    });
    busy_c.set_links(Link::new().latency(Latency::constant(ms(8))))?;
    busy_c.run()?;
    let busy_readings = Readings::of(busy_c.trace());
    let c_time = busy_readings
        .lamport(event(busy_c.trace(), "c"))
        .ok_or("c has a Lamport time")?;
    let why = "C's counter reads 5 after its own events and m2 carries 4 (a = 1, m1 = 2, \
               b = 3, m2 = 4): max(5, 4) + 1 = 6. Rule 3 takes the larger of the two, so c \
               comes after C's own events and after the message.";
    println!("{}", check_prediction(prediction, c_time, why));

    // cell
    let offsets = [-20, 0, 10, 30];
    let skewed = RunParameters {
        events_per_process: 60,
        send_probability: 0.6,
        clocks: offsets
            .iter()
            .map(|&o| PhysicalClock::new().offset(ms(o)))
            .collect(),
        ..RunParameters::default()
    };
    let hlc_run = random_run(&skewed, 11)?;
    let hlc_readings = Readings::of(hlc_run.trace());

    // cell
    let mut ahead_plot = Figure::new("How far the HLC runs ahead of each node's own clock")
        .x_label("true time (ms)")
        .y_label("HLC wall part minus the node's clock (ms)");
    let mut largest_ahead = 0.0f64;
    for (node, offset) in offsets.iter().enumerate() {
        let points: Vec<(f64, f64)> = hlc_readings
            .events()
            .filter(|&i| hlc_run.trace().events()[i].node == node)
            .map(|i| {
                let ahead = hlc_readings.hybrid(i).unwrap().wall - hlc_readings.wall(i).unwrap();
                (
                    hlc_run.trace().events()[i].time.as_millis_f64(),
                    ahead.as_millis_f64(),
                )
            })
            .collect();
        largest_ahead = points.iter().map(|p| p.1).fold(largest_ahead, f64::max);
        ahead_plot = ahead_plot.points(format!("P{node} (clock {offset:+} ms)"), points);
    }
    ahead_plot = ahead_plot.line(
        "bound: largest minus smallest offset",
        [(0.0, 50.0), (1_300.0, 50.0)],
    );
    ahead_plot.show();

    // cell
    let largest_logical = hlc_readings
        .events()
        .filter_map(|i| hlc_readings.hybrid(i))
        .map(|h| h.logical)
        .max()
        .unwrap_or(0);
    println!("largest lead: {largest_ahead:.1} ms; largest logical counter: {largest_logical}");

    // cell
    let gaps: Vec<Time> = [100_000, 30_000, 10_000, 3_000, 1_000, 300]
        .into_iter()
        .map(us)
        .collect();
    let counter_rows = hlc_counter_experiment(&[ms(0), ms(10), ms(50)], &gaps, 1)?;
    hlc_counter_figure(&counter_rows).show();
    Table::from_rows(&counter_rows)?.evcxr_display();

    // cell
    let prediction: Option<u32> = None; // the largest counter
    let synchronised_busy = hlc_counter_experiment(&[ms(0)], &[us(300)], 1)?[0];
    println!(
        "{}",
        check_prediction(
            prediction,
            synchronised_busy.max_counter,
            "With equal clocks and messages that take at least 1 ms, a receipt finds its own \
             clock past the message's l, so l is always the node's own reading and c restarts \
             at 0 on every event."
        )
    );

    // cell
    let c5 = false_order(&skewed, 11)?;
    println!(
        "{} concurrent pairs; the HLC puts {} of them in an order, vector clocks none ({} disagreements)",
        c5.concurrent_pairs, c5.hybrid_false_order, c5.vector_disagreements
    );

    // cell
    let epsilons = [1, 2, 5, 10, 20, 50];
    let mut wait_rows = Vec::new();
    for &epsilon in &epsilons {
        for commit_wait_on in [true, false] {
            let parameters = CommitWaitParameters {
                epsilon: ms(epsilon),
                commit_wait: commit_wait_on,
                ..CommitWaitParameters::default()
            };
            wait_rows.push(commit_wait(&parameters, 5)?);
        }
    }

    // cell
    let waits: Vec<(f64, f64)> = wait_rows
        .iter()
        .filter(|r| r.commit_wait)
        .map(|r| (r.epsilon_ms, r.mean_wait_ms))
        .collect();
    Figure::new("Commit wait: the latency of external consistency")
        .x_label("clock uncertainty ε (ms)")
        .y_label("mean commit wait (ms)")
        .points("measured", waits)
        .line("2ε", epsilons.iter().map(|&e| (e as f64, 2.0 * e as f64)))
        .show();

    // cell
    let broken: Vec<(f64, f64)> = wait_rows
        .iter()
        .filter(|r| !r.commit_wait)
        .map(|r| (r.epsilon_ms, r.violations as f64 / r.transactions as f64))
        .collect();
    Figure::new("Without commit wait: later transactions with smaller timestamps")
        .x_label("clock uncertainty ε (ms)")
        .y_label("fraction of transactions out of order")
        .line("no commit wait", broken.clone())
        .show();
    let with_wait_violations: usize = wait_rows
        .iter()
        .filter(|r| r.commit_wait)
        .map(|r| r.violations)
        .sum();
    println!("violations with commit wait, all ε: {with_wait_violations}");

    // cell
    let prediction: Option<f64> = None; // mean commit wait in ms at ε = 7 ms
    let epsilon = 7; // try 15
    let parameters = CommitWaitParameters {
        epsilon: ms(epsilon),
        commit_wait: true,
        ..CommitWaitParameters::default()
    };
    let waited = commit_wait(&parameters, 5)?.mean_wait_ms.round();
    let why = format!(
        "every commit waits out both ends of its interval: 2ε = {} ms",
        2 * epsilon
    );
    println!("{}", check_prediction(prediction, waited, why));

    // cell
    let prediction: Option<_> = None; // does B's write survive?
    let stamping = Stamping::Wall;
    let a_offset = ms(25);
    let clocks = vec![PhysicalClock::new().offset(a_offset), PhysicalClock::new()];
    let run = lww_run(stamping, &clocks, &schedules, &link, 1)?;
    let final_value = run
        .node::<LwwReplica>(0)
        .and_then(|a| a.value())
        .map(|w| w.to_string());
    let survived = final_value.as_deref() == Some("B1");
    println!(
        "{}",
        check_prediction(
            prediction,
            survived,
            format!(
                "{} stamps, A's clock {a_offset} ahead. B writes 20 ms after A, having read A's \
                 write. By wall clock, B survives only if A's clock is at most 20 ms ahead (a tie \
                 goes to the larger node id, B's); by Lamport or hybrid stamps, always.",
                stamping.name()
            )
        )
    );

    // end of cells
    let live_misorder = |spread: i64, gap: i64| {
        let parameters = MisorderParameters {
            skew: ms(spread),
            gap: ms(gap),
            pairs: 100_000,
        };
        misordered_pairs(&parameters, 3)
    };
    let live_start = live_misorder(10, 1)?;
    assert_eq!(
        format!("{:.3} {:.3}", live_start.fraction, live_start.expected),
        "0.407 0.405"
    );
    assert_eq!(live_misorder(10, 5)?.expected, 0.125);
    assert_eq!(live_misorder(10, 10)?.misordered, 0);
    // The live table, at its starting values and at the prose's other settings.
    let live_total =
        |skew: i64, writers: usize, stamping: &str| -> Result<(usize, usize), SimError> {
            let parameters = LwwParameters {
                skew: ms(skew),
                writers,
                ..LwwParameters::default()
            };
            let rows = lww_experiment(&parameters, 7)?;
            let all = rows
                .iter()
                .find(|row| row.writer == "all" && row.stamping == stamping);
            Ok(all.map_or((0, 0), |row| (row.lost, row.lost_to_older)))
        };
    assert_eq!(live_total(50, 3, "wall clock")?, (372, 321));
    assert_eq!(live_total(0, 3, "wall clock")?, (179, 0));
    assert_eq!(live_total(200, 5, "Lamport clock")?, (416, 0));
    assert_eq!(live_total(0, 5, "Lamport clock")?, (416, 0));
    assert_eq!(live_total(200, 5, "wall clock")?.1, 797);
    // A′ gets A's corrections as slews: 0.6 ms at 500 ppm takes 1.2 s, against a drift of
    // 300 ppm, and its reading never goes back; A's does.
    assert_eq!(PhysicalClock::SLEW_PPM, 500);
    let largest_drop = |node: usize| {
        let mine: Vec<f64> = errors
            .iter()
            .filter(|row| row.node == node)
            .map(|row| row.error_ms)
            .collect();
        mine.windows(2)
            .map(|pair| pair[0] - pair[1])
            .fold(0.0, f64::max)
    };
    assert!(largest_drop(0) > 0.5 && largest_drop(2) > 2.9);
    assert!(largest_drop(3) < 0.02);
    let error_at = |node: usize, true_ms: f64| {
        errors
            .iter()
            .find(|row| row.node == node && row.true_ms == true_ms)
            .map(|row| format!("{:.2}", row.error_ms))
    };
    assert_eq!(error_at(0, 3_200.0), Some("0.36".to_string()));
    assert_eq!(error_at(3, 3_200.0), Some("0.36".to_string()));
    assert_eq!(error_at(3, 2_600.0), Some("0.48".to_string()));
    let fraction = |skew: f64, gap: f64| {
        misorder_rows
            .iter()
            .find(|r| r.skew_ms == skew && r.gap_ms == gap)
            .map(|r| r.fraction)
    };
    assert_eq!(fraction(10.0, 1.0), Some(0.40713));
    assert_eq!(fraction(2.0, 1.0), Some(0.12368));
    assert_eq!(fraction(5.0, 5.0), Some(0.0));
    assert_eq!(final_values, ["A1", "B1"]);
    let lost: Vec<(&str, usize)> = by_writer
        .iter()
        .filter(|r| r.stamping == "wall clock")
        .map(|r| (r.writer.as_str(), r.lost))
        .collect();
    assert_eq!(lost, [("A", 199), ("B", 173), ("C", 0)]);
    let wall_sweep: Vec<(usize, usize)> = sweep
        .iter()
        .filter(|r| r.stamping == "wall clock")
        .map(|r| (r.lost, r.lost_to_older))
        .collect();
    assert_eq!(
        wall_sweep,
        [
            (179, 0),
            (179, 2),
            (191, 13),
            (218, 43),
            (278, 137),
            (372, 321),
            (398, 398),
            (398, 398)
        ]
    );
    assert!(
        sweep
            .iter()
            .filter(|r| r.stamping != "wall clock")
            .all(|r| r.lost_to_older == 0)
    );
    let logical: Vec<usize> = sweep
        .iter()
        .filter(|r| r.skew_ms == 50.0 && r.stamping != "wall clock")
        .map(|r| r.lost)
        .collect();
    assert_eq!(logical, [170, 187]);
    let lost_by = |stamping: Stamping| -> Vec<usize> {
        sweep
            .iter()
            .filter(|r| r.stamping == stamping.name())
            .map(|r| r.lost)
            .collect()
    };
    assert_eq!(lost_by(Stamping::Lamport), [170; 8]);
    assert_eq!(
        lost_by(Stamping::Hybrid),
        [179, 178, 182, 186, 187, 187, 187, 187]
    );
    assert_eq!(
        (readings.lamport(e), readings.lamport(b)),
        (Some(1), Some(3))
    );
    assert!(order.concurrent(e, b));
    assert_eq!(
        total_order.join(" < "),
        "a (1.0) < e (1.2) < m1 (2.0) < f (2.2) < b (3.1) < m2 (4.1) < c (5.2)"
    );
    let percent: Vec<String> = false_leads
        .iter()
        .map(|(_, f)| format!("{:.0}", f * 100.0))
        .collect();
    assert_eq!(percent, ["58", "41", "33", "26", "22"]);
    assert_eq!(violations, 0);
    assert_eq!(format!("{largest_ahead:.1}"), "46.6");
    assert_eq!(largest_logical, 8);
    let largest_counter = |skew: f64, rate: f64| {
        counter_rows
            .iter()
            .find(|row| row.skew_ms == skew && row.messages_per_second == rate)
            .map(|row| row.max_counter)
    };
    assert!(
        counter_rows
            .iter()
            .filter(|row| row.skew_ms == 0.0)
            .all(|row| row.max_counter == 0)
    );
    assert_eq!(
        [largest_counter(10.0, 6.0), largest_counter(10.0, 2_000.0)],
        [Some(2), Some(27)]
    );
    assert_eq!(
        [largest_counter(50.0, 6.0), largest_counter(50.0, 2_000.0)],
        [Some(4), Some(32)]
    );
    assert_eq!(synchronised_busy.max_counter, 0);
    assert!(check_prediction(Some(0), synchronised_busy.max_counter, "").starts_with("Right"));
    assert_eq!((c5.concurrent_pairs, c5.hybrid_false_order), (6421, 6419));
    assert!(
        wait_rows
            .iter()
            .filter(|r| r.commit_wait)
            .all(|r| (r.mean_wait_ms - 2.0 * r.epsilon_ms).abs() < 1e-5)
    );
    let out_of_order: Vec<String> = broken
        .iter()
        .map(|(_, f)| format!("{:.1}", f * 100.0))
        .collect();
    assert_eq!(
        out_of_order,
        ["12.1", "23.7", "34.2", "36.7", "39.0", "39.8"]
    );
    assert_eq!(with_wait_violations, 0);
    assert!(!survived);
    // The try-it cell with a prediction set, and every variation its prose suggests.
    assert!(check_prediction(Some(false), survived, "").starts_with("Right"));
    for (stamping, offset, survives) in [
        (Stamping::Wall, 15, true),
        (Stamping::Wall, 20, true),
        (Stamping::Hybrid, 25, true),
        (Stamping::Lamport, 25, true),
    ] {
        let clocks = vec![
            PhysicalClock::new().offset(ms(offset)),
            PhysicalClock::new(),
        ];
        let run = lww_run(stamping, &clocks, &schedules, &link, 1)?;
        let last = run
            .node::<LwwReplica>(0)
            .and_then(|a| a.value())
            .map(|w| w.to_string());
        assert_eq!(
            last.as_deref() == Some("B1"),
            survives,
            "{} {offset}",
            stamping.name()
        );
    }
    // The commit-wait try-it, and the variation its hint suggests.
    for epsilon in [7, 15] {
        let parameters = CommitWaitParameters {
            epsilon: ms(epsilon),
            commit_wait: true,
            ..CommitWaitParameters::default()
        };
        let waited = commit_wait(&parameters, 5)?.mean_wait_ms.round();
        assert_eq!(waited, (2 * epsilon) as f64);
    }
    // The spread try-it, and the variation its hint suggests.
    for spread_ms in [20.0, 50.0] {
        let parameters = MisorderParameters {
            skew: Time::from_nanos_f64(spread_ms * 1e6),
            gap: ms(5),
            pairs: 100_000,
        };
        let row = misordered_pairs(&parameters, 3)?;
        assert!(
            (row.fraction - row.expected).abs() < 0.01,
            "{spread_ms}: {row:?}"
        );
        let over = row.fraction > 0.25;
        assert!(check_prediction(Some(over), over, "").starts_with("Right"));
    }
    // The section try-its with the prediction that holds, and the variation their prose suggests.
    assert!(check_prediction(Some(true), kept == "B1", "").starts_with("Right"));
    let a_leads_by_25 = vec![PhysicalClock::new().offset(ms(25)), PhysicalClock::new()];
    let lead_25 = lww_run(Stamping::Wall, &a_leads_by_25, &schedules, &link, 1)?;
    let kept_25 = lead_25
        .node::<LwwReplica>(0)
        .and_then(|a| a.value())
        .map(|w| w.to_string());
    assert_eq!(kept_25.as_deref(), Some("A1"));
    assert!(check_prediction(Some(6), c_time, "").starts_with("Right"));
    Ok(())
}
