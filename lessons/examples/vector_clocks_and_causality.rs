//! The Rust code of `notebooks/04-vector-clocks-and-causality.ipynb`, cell by cell, as one
//! program.
//!
//! Each `// cell` line starts the code of the next notebook code cell (after the `:dep` cell); a
//! cell whose last line is a bare variable shows that value, which here is spelled
//! `variable.evcxr_display();`. `tests/clock_notebooks.rs` checks that the two stay identical,
//! runs this program, and the assertions at the end pin the numbers the notebook's prose quotes.
//!
//! Run it with `cargo run -p lessons --example vector_clocks_and_causality`.

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
    let a: VectorClock = [(0, 3), (1, 1), (2, 2)].into_iter().collect();
    let others: Vec<VectorClock> = vec![
        [(0, 3), (1, 2), (2, 2)].into_iter().collect(),
        [(0, 2), (1, 1), (2, 2)].into_iter().collect(),
        [(0, 4), (1, 0), (2, 2)].into_iter().collect(),
        [(0, 3), (1, 1), (2, 2)].into_iter().collect(),
    ];
    let mut comparisons = Table::new(["V(a)", "V(b)", "a is ... b"]);
    for b in &others {
        comparisons.push_row([a.dense_label(3), b.dense_label(3), a.compare(b).to_string()])?;
    }
    comparisons.evcxr_display();

    // cell
    let prediction: Option<Causality> = None; // how does a compare with the receiver's new vector?
    let mut receiver: VectorClock = [(0, 2), (1, 2), (2, 0)].into_iter().collect();
    let until_then = a.compare(&receiver);
    receiver.merge(&a); // the entry-wise maximum...
    receiver.tick(1); // ...then one more in the receiver's own entry
    println!(
        "{}",
        check_prediction(
            prediction,
            a.compare(&receiver),
            format!(
                "a was {until_then} the receiver's [2,2,0]; the maximum gives [3,2,2] and the \
                 tick {}. No entry is below a's and one is above: a send is always before its \
                 receipt.",
                receiver.dense_label(3)
            )
        )
    );

    // cell
    /// The worked example of lesson 03, with C's clock 30 ms fast.
    fn scripted() -> Result<Simulation<String>, SimError> {
        let mut sim = Simulation::new(1);
        sim.add_node("A", || {
            Script::new().local(ms(10), "a").send(ms(20), 1, "m1")
        });
        sim.add_node("B", || {
            Script::new().receive_as("m1", "b").send(ms(40), 2, "m2")
        });
        sim.add_node("C", || {
            Script::new()
                .local(ms(5), "e")
                .local(ms(15), "f")
                .receive_as("m2", "c")
        });
        sim.set_links(Link::new().latency(Latency::constant(ms(8))))?;
        sim.set_clock(2, PhysicalClock::new().offset(ms(30)))?;
        sim.run()?;
        Ok(sim)
    }

    let script = scripted()?;
    let readings = Readings::of(script.trace());

    // cell
    for kind in ClockKind::ALL {
        script
            .trace()
            .diagram()
            .title(format!("The same run, read by the {}", kind.name()))
            .message_labels(false)
            .between(ms(0), ms(55))
            .label_events(|e| match &e.label {
                Some(name) if readings.is_counted(e.index) => {
                    format!("{name}: {}", readings.label(e.index, kind))
                }
                _ => String::new(),
            })
            .show();
    }

    // cell
    /// The index of the event labelled `name`.
    fn event(trace: &Trace<String>, name: &str) -> usize {
        let events = trace.events();
        events
            .iter()
            .position(|e| e.label.as_deref() == Some(name))
            .unwrap_or(events.len())
    }
    let pairs = [("e", "b"), ("a", "c"), ("f", "c"), ("a", "e")];
    let mut relations = Table::new(["pair", "Lamport", "vector", "happened before?"]);
    let order = HappenedBefore::of(script.trace());
    for (x, y) in pairs {
        let (i, j) = (event(script.trace(), x), event(script.trace(), y));
        let [li, lj] = [i, j].map(|k| readings.lamport(k).unwrap_or(0));
        let lamport = format!("{li} vs {lj}");
        let vector = match (readings.vector(i), readings.vector(j)) {
            (Some(v), Some(w)) => v.compare(w).to_string(),
            _ => String::new(),
        };
        let truth = if order.holds(i, j) {
            "yes"
        } else if order.holds(j, i) {
            "the other way"
        } else {
            "no: concurrent"
        };
        relations.push_row([format!("{x}, {y}"), lamport, vector, truth.to_string()])?;
    }
    relations.evcxr_display();

    // cell
    let rates = [0.1, 0.3, 0.5, 0.7, 0.9];
    let mut lamport_false = Vec::new();
    let mut checked = 0;
    let mut disagreements = 0;
    for &send_probability in &rates {
        let parameters = RunParameters {
            send_probability,
            events_per_process: 15,
            ..RunParameters::default()
        };
        let row = false_order(&parameters, 1)?;
        lamport_false.push((
            row.send_probability.to_string(),
            row.lamport_false_order as f64,
        ));
        checked += row.pairs;
        disagreements += row.vector_disagreements;
    }
    Figure::new("Concurrent pairs given an order (4 processes, 15 events each)")
        .x_label("chance that an event is a send")
        .y_label("pairs")
        .bars("Lamport clock", lamport_false.clone())
        .bars("vector clock", rates.iter().map(|p| (p.to_string(), 0.0)))
        .show();
    println!(
        "{checked} pairs checked against the message graph; vector clocks disagreed on {disagreements}"
    );

    // cell
    let prediction: Option<bool> = None; // any disagreement between vectors and the graph?
    let processes = 8; // try 12
    let busy = RunParameters {
        processes,
        send_probability: 0.9,
        events_per_process: 15,
        ..RunParameters::default()
    };
    let row = false_order(&busy, 3)?;
    let why = format!(
        "{} pairs checked, {} disagreements; Lamport time ordered {} concurrent pairs",
        row.pairs, row.vector_disagreements, row.lamport_false_order
    );
    let disagree = row.vector_disagreements > 0;
    println!("{}", check_prediction(prediction, disagree, why));

    // cell
    let mut sizes = Vec::new();
    for processes in [2, 4, 8, 16, 32, 64] {
        let parameters = RunParameters {
            processes,
            events_per_process: 20,
            send_probability: 0.5,
            ..RunParameters::default()
        };
        let run = random_run(&parameters, 2)?;
        let readings = Readings::of(run.trace());
        let largest = readings
            .events()
            .filter_map(|i| readings.vector(i))
            .map(|v| v.size_in_bytes())
            .max()
            .unwrap_or(0);
        sizes.push((processes as f64, largest as f64));
    }
    Figure::new("A vector timestamp grows with the number of processes")
        .x_label("processes")
        .y_label("largest vector on a message (bytes)")
        .line("vector clock, 16 bytes per entry", sizes.clone())
        .line("Lamport clock", sizes.iter().map(|&(n, _)| (n, 8.0)))
        .show();

    // cell
    let prediction: Option<_> = None; // bytes of the largest vector
    let twelve = RunParameters {
        processes: 12,
        events_per_process: 20,
        send_probability: 0.5,
        ..RunParameters::default()
    };
    let twelve_run = random_run(&twelve, 2)?;
    let twelve_readings = Readings::of(twelve_run.trace());
    let largest_of_twelve = twelve_readings
        .events()
        .filter_map(|i| twelve_readings.vector(i))
        .map(|v| v.size_in_bytes())
        .max()
        .unwrap_or(0);
    println!(
        "{}",
        check_prediction(
            prediction,
            largest_of_twelve,
            "16 bytes per entry (an id and a counter), and by the end every process has heard of \
             every other: 12 × 16."
        )
    );

    // cell
    let mut replica_a = VectorClock::new();
    let mut replica_b = VectorClock::new();
    replica_a.tick(0); // A stores the cart {milk}
    replica_b.merge(&replica_a); // B receives it
    replica_a.tick(0); // A stores {milk, eggs}
    replica_b.tick(1); // meanwhile B stores {milk, flour}
    println!(
        "A's version {} vs B's version {}: {}",
        replica_a.dense_label(2),
        replica_b.dense_label(2),
        replica_a.compare(&replica_b)
    );
    let merged = replica_a.merged(&replica_b);
    println!(
        "after keeping both and merging them: {} (after both: {})",
        merged.dense_label(2),
        merged.compare(&replica_a) == Causality::After
            && merged.compare(&replica_b) == Causality::After
    );

    // cell
    let prediction: Option<_> = None; // are A's and B's versions still concurrent?
    let mut eggs_version = VectorClock::new();
    let mut flour_version = VectorClock::new();
    eggs_version.tick(0); // A stores the cart {milk}
    eggs_version.tick(0); // A stores {milk, eggs}
    flour_version.merge(&eggs_version); // B receives {milk, eggs}
    flour_version.tick(1); // B stores {milk, eggs, flour}
    let relation = eggs_version.compare(&flour_version);
    println!(
        "{}",
        check_prediction(
            prediction,
            relation == Causality::Concurrent,
            format!(
                "A's {} is {relation} B's {}: B's cart includes A's change, so it may replace \
                 it. Concurrent means that neither write saw the other, not that they were close \
                 in time.",
                eggs_version.dense_label(2),
                flour_version.dense_label(2)
            )
        )
    );

    // cell
    /// A comments at 10 ms; B replies as soon as it sees the comment; C hears A over a slow
    /// link (40 ms) and B over a fast one (5 ms).
    fn comment_and_reply(mode: Delivery) -> Result<Simulation<Broadcast<Post>>, SimError> {
        let mut sim = Simulation::new(1);
        sim.add_node("A", move || Member::new(mode, vec![ms(10)], 0.0));
        sim.add_node("B", move || Member::new(mode, vec![], 1.0));
        sim.add_node("C", move || Member::new(mode, vec![], 0.0));
        sim.set_links(Link::new().latency(Latency::constant(ms(5))))?;
        sim.set_link(0, 2, Link::new().latency(Latency::constant(ms(40))))?;
        sim.run()?;
        Ok(sim)
    }

    for mode in [Delivery::Immediate, Delivery::Causal] {
        let run = comment_and_reply(mode)?;
        run.trace()
            .diagram()
            .title(format!(
                "{} delivery (labels: what each reader is shown)",
                mode.name()
            ))
            .between(ms(0), ms(60))
            .message_labels(false)
            .label_events(|e| match &e.label {
                Some(text) if e.kind.name() != "send" => text.clone(),
                _ => String::new(),
            })
            .show();
    }

    // cell
    let sigmas = [0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5];
    let mut causal_rows = Vec::new();
    for &sigma in &sigmas {
        let parameters = CausalParameters {
            latency: Latency::log_normal(ms(20), sigma),
            ..CausalParameters::default()
        };
        for row in causal_experiment(&parameters, 1)? {
            causal_rows.push((sigma, row));
        }
    }

    // cell
    let mut anomaly_plot = Figure::new("Replies shown before their comment")
        .x_label("σ of the log-normal delay (median 20 ms)")
        .y_label("replies shown too early");
    let mut hold_plot = Figure::new("The price: how long held-back messages wait")
        .x_label("σ of the log-normal delay (median 20 ms)")
        .y_label("mean hold-back time (ms)");
    for mode in Delivery::ALL {
        let mine: Vec<&(f64, CausalRow)> = causal_rows
            .iter()
            .filter(|(_, row)| row.delivery == mode.name())
            .collect();
        anomaly_plot = anomaly_plot.line(
            mode.name(),
            mine.iter().map(|(s, row)| (*s, row.anomalies as f64)),
        );
        if mode != Delivery::Immediate {
            hold_plot = hold_plot.line(
                mode.name(),
                mine.iter().map(|(s, row)| (*s, row.mean_hold_ms)),
            );
        }
    }
    anomaly_plot.show();
    hold_plot.show();

    // cell
    let at_one: Vec<CausalRow> = causal_rows
        .iter()
        .filter(|(s, _)| *s == 1.0)
        .map(|(_, row)| row.clone())
        .collect();
    let causal_table = Table::from_rows(&at_one)?;
    causal_table.evcxr_display();

    // cell
    interact(
        vec![
            Control::float("σ", 0.0, 1.5, 0.05, 1.0)?,
            Control::int("members", 3..=6, 5)?,
        ],
        |values| {
            let parameters = CausalParameters {
                latency: Latency::log_normal(ms(20), values.float("σ")),
                members: values.int("members") as usize,
                ..CausalParameters::default()
            };
            causal_experiment(&parameters, 1).map(|rows| Table::from_rows(&rows))
        },
    )?;

    // cell
    let slow = CausalParameters {
        latency: Latency::log_normal(ms(20), 1.5),
        ..CausalParameters::default()
    };
    let run = discussion_run(Delivery::Causal, &slow, 1)?;
    let mut queue_plot = Figure::new("Hold-back queues under causal delivery, σ = 1.5")
        .x_label("true time (s)")
        .y_label("messages held back");
    for member in 0..slow.members {
        if let Some(node) = run.node::<Member>(member) {
            let points = node
                .queue_lengths()
                .iter()
                .map(|&(t, length)| (t.as_secs_f64(), length as f64));
            queue_plot = queue_plot.step(run.trace().node_names()[member].clone(), points);
        }
    }
    queue_plot.evcxr_display();

    // cell
    // The same discussion over FIFO links, delivered by vector timestamps and by stable
    // Lamport timestamps (a heartbeat every 100 ms); first with every member up, then with
    // member E silent (crashed) from 5 s on.
    let mut wait_rows = Vec::new();
    for silent_from in [None, Some(secs(5))] {
        wait_rows.extend(silent_member_experiment(
            &CausalParameters::default(),
            ms(100),
            silent_from,
            1,
        )?);
    }
    let wait_table = Table::from_rows(&wait_rows)?;
    wait_table.evcxr_display();

    // cell
    // The Lamport rule with E silent from 5 s: the other members' hold-back queues.
    let parameters = CausalParameters::default();
    let blocked = stable_discussion_run(&parameters, ms(100), Some(secs(5)), 1)?;
    let mut blocked_plot = Figure::new("Stable Lamport timestamps, E silent from 5 s")
        .x_label("true time (s)")
        .y_label("messages held back");
    for member in 0..blocked.node_count() {
        if let Some(node) = blocked.node::<TimestampMember>(member) {
            let points = node
                .queue_lengths()
                .iter()
                .map(|&(t, length)| (t.as_secs_f64(), length as f64));
            let name = blocked.trace().node_names()[member].clone();
            blocked_plot = blocked_plot.step(name, points);
        }
    }
    blocked_plot.evcxr_display();

    // cell
    let prediction: Option<_> = None; // does the Lamport rule deliver everything now?
    let frequent =
        silent_member_experiment(&CausalParameters::default(), ms(10), Some(secs(5)), 1)?;
    let lamport_rule = frequent
        .iter()
        .find(|row| row.delivery == "stable Lamport timestamps")
        .cloned()
        .ok_or("row")?;
    println!(
        "{}",
        check_prediction(
            prediction,
            lamport_rule.never_delivered == 0,
            format!(
                "{} messages are never delivered. A heartbeat tells the others that its sender's \
                 time has passed t; a crashed member sends none, however often the live ones do.",
                lamport_rule.never_delivered
            )
        )
    );

    // cell
    // Alice and Bob share a cart stored under one key. Both read it while it is empty, then
    // both write: neither write saw the other, so the store keeps both as siblings.
    let alice = Writer {
        client: 0,
        server: 0,
    };
    let bob = Writer {
        client: 1,
        server: 0,
    };
    let mut cart = VersionedKey::new(VersionScheme::ClientVectors)?;
    let empty = cart.read();
    cart.put(alice, "milk", &empty.context);
    cart.put(bob, "eggs", &empty.context);
    cart.table()?.show();

    // Bob reads both siblings, reconciles them (here: the union of the two carts) and writes
    // back with the context of that read, which covers both: one version is left.
    let both = cart.read();
    cart.put(bob, "eggs, milk", &both.context);
    let reconciled = cart.table()?;
    reconciled.evcxr_display();

    // cell
    // The same three writes under four schemes. Alice writes "milk" and reads it back; Bob, who
    // read the key while it was empty, writes "eggs"; then Alice writes "milk, bread" with the
    // context of her read. "eggs" and "milk, bread" are concurrent; "milk" was replaced by Alice.
    let mut story = Table::new(["scheme", "stored at the end", "metadata entries"]);
    for scheme in [
        VersionScheme::ClientVectors,
        VersionScheme::ServerVectors,
        VersionScheme::ServerKeyVector,
        VersionScheme::DottedVersionVectors,
    ] {
        let mut key = VersionedKey::new(scheme)?;
        let nothing = key.read().context;
        key.put(alice, "milk", &nothing);
        let alice_saw = key.read().context;
        key.put(bob, "eggs", &nothing);
        key.put(alice, "milk, bread", &alice_saw);
        story.push_row([
            scheme.name(),
            key.read().values.join(" | "),
            key.metadata_entries().to_string(),
        ])?;
    }
    story.evcxr_display();

    // cell
    // Many clients, each repeating "read the key, then write it", their steps interleaved at
    // random; every write goes through one of 3 servers. Each scheme sees the same interleaving.
    let client_counts = [1, 2, 4, 8, 16, 32, 64];
    let schemes = VersionScheme::compared(4);
    let version_rows =
        version_experiment(&VersionWorkload::default(), &client_counts, &schemes, 1)?;
    let mut metadata_plot = Figure::new("Version metadata per key as the writers grow")
        .x_label("clients writing the key (3 servers)")
        .y_label("peak metadata (bytes)");
    for scheme in schemes {
        let points = version_rows
            .iter()
            .filter(|row| row.scheme == scheme.name())
            .map(|row| (row.clients as f64, row.peak_metadata_bytes as f64));
        metadata_plot = metadata_plot.line(scheme.name(), points);
    }
    metadata_plot.show();
    let busiest: Vec<VersionRow> = version_rows
        .iter()
        .filter(|row| row.clients == 64)
        .cloned()
        .collect();
    let busiest_table = Table::from_rows(&busiest)?;
    busiest_table.evcxr_display();

    // cell
    let prediction: Option<_> = None; // do server vectors now keep "eggs | milk, bread"?
    let bob_elsewhere = Writer {
        client: 1,
        server: 1,
    };
    let mut key = VersionedKey::new(VersionScheme::ServerVectors)?;
    let nothing = key.read().context;
    key.put(alice, "milk", &nothing);
    let alice_saw = key.read().context;
    key.put(bob_elsewhere, "eggs", &nothing);
    key.put(alice, "milk, bread", &alice_saw);
    let kept = key.read().values.join(" | ");
    println!(
        "{}",
        check_prediction(
            prediction,
            kept == "eggs | milk, bread",
            format!(
                "Stored: {kept}. Bob's write is stamped {{1: 1}}, which neither covers Alice's \
                 {{0: 1}} nor is covered by her {{0: 2}}. Above, Bob's blind write went \
                 through server 0, whose counter had passed Alice's write: its stamp covered a \
                 write Bob never saw."
            )
        )
    );

    // cell
    // Pick a mode and σ, and predict whether any reply is shown before its comment.
    let mode = Delivery::Fifo;
    let sigma = 0.5;
    let prediction: Option<bool> = None; // Some(true) or Some(false)

    let parameters = CausalParameters {
        latency: Latency::log_normal(ms(20), sigma),
        ..CausalParameters::default()
    };
    let rows = causal_experiment(&parameters, 1)?;
    let too_early = rows
        .iter()
        .find(|row| row.delivery == mode.name())
        .map_or(0, |row| row.anomalies);
    match prediction {
        None => println!("Set your prediction first: Some(true) or Some(false)."),
        Some(guess) => {
            assert_eq!(
                too_early > 0,
                guess,
                "{} delivery at σ = {sigma} showed {too_early} replies too early. Causal \
                 delivery never does; FIFO and immediate delivery do once delays vary enough \
                 for a reply to overtake its comment",
                mode.name()
            );
            println!("Right: {too_early} replies shown too early.");
        }
    }

    // end of cells
    // The live table, at σ = 0 and at the top of its slider.
    let live_rows = |sigma: f64| {
        let parameters = CausalParameters {
            latency: Latency::log_normal(ms(20), sigma),
            ..CausalParameters::default()
        };
        causal_experiment(&parameters, 1)
    };
    assert!(live_rows(0.0)?.iter().all(|row| row.anomalies == 0));
    let heavy = live_rows(1.5)?;
    assert_eq!((heavy[1].delivery, heavy[1].anomalies), ("FIFO", 225));
    assert_eq!((heavy[2].anomalies, heavy[2].held_back), (0, 1_209));
    assert_eq!(heavy[2].mean_hold_ms.round(), 621.0);
    // The vector-size try-it with a prediction set.
    assert!(check_prediction(Some(192), largest_of_twelve, "").starts_with("Right"));
    assert_eq!(
        reconciled.rows(),
        [["eggs, milk", "2", "{0: 1, 1: 2}", "-"]]
    );
    let stored: Vec<&str> = story.rows().iter().map(|row| row[1].as_str()).collect();
    assert_eq!(
        stored,
        [
            "eggs | milk, bread",
            "milk, bread",
            "milk | eggs | milk, bread",
            "eggs | milk, bread"
        ]
    );
    let at_64 = |scheme: VersionScheme| {
        let row = busiest
            .iter()
            .find(|row| row.scheme == scheme.name())
            .unwrap();
        (
            row.lost_writes,
            row.reads_with_false_siblings,
            row.peak_siblings,
            row.peak_metadata_bytes,
        )
    };
    assert_eq!(busiest[0].writes, 1600);
    assert_eq!(at_64(VersionScheme::LastWriterWins), (792, 0, 1, 16));
    assert_eq!(at_64(VersionScheme::ServerVectors), (233, 0, 11, 528));
    assert_eq!(at_64(VersionScheme::ServerKeyVector), (0, 1173, 105, 48));
    assert_eq!(at_64(VersionScheme::ClientVectors), (0, 0, 27, 27648));
    assert_eq!(at_64(VersionScheme::DottedVersionVectors), (0, 0, 27, 1728));
    assert_eq!(
        at_64(VersionScheme::PrunedClientVectors { keep: 4 }),
        (0, 1558, 841, 53824)
    );
    let relations_text: Vec<String> = comparisons
        .rows()
        .iter()
        .map(|row| row[2].clone())
        .collect();
    assert_eq!(relations_text, ["before", "after", "concurrent", "equal"]);
    let vector_column: Vec<&str> = relations.rows().iter().map(|row| row[2].as_str()).collect();
    assert_eq!(
        vector_column,
        ["concurrent", "before", "before", "concurrent"]
    );
    let falsely_ordered: Vec<f64> = lamport_false.iter().map(|(_, count)| *count).collect();
    assert_eq!(falsely_ordered, [1308.0, 1062.0, 1192.0, 1157.0, 1240.0]);
    assert_eq!((checked, disagreements), (20268, 0));
    assert_eq!(
        sizes.iter().map(|s| s.1).collect::<Vec<_>>(),
        [32.0, 64.0, 128.0, 256.0, 512.0, 1024.0]
    );
    let at = |sigma: f64, mode: Delivery| {
        causal_rows
            .iter()
            .find(|(s, row)| *s == sigma && row.delivery == mode.name())
            .map(|(_, row)| row.clone())
    };
    let anomalies = |sigma| {
        [Delivery::Immediate, Delivery::Fifo, Delivery::Causal]
            .map(|mode| at(sigma, mode).map_or(0, |row| row.anomalies))
    };
    assert_eq!(anomalies(0.0), [0, 0, 0]);
    assert_eq!(anomalies(0.5), [95, 91, 0]);
    assert_eq!(anomalies(1.0), [192, 196, 0]);
    assert!(
        causal_rows
            .iter()
            .all(|(_, row)| row.delivery != "causal" || row.anomalies == 0)
    );
    let causal_one = at(1.0, Delivery::Causal).ok_or("row")?;
    assert_eq!((causal_one.posts, causal_one.shown), (444, 1776));
    assert_eq!(
        (
            causal_one.held_back,
            format!("{:.0}", causal_one.mean_hold_ms),
            causal_one.longest_queue
        ),
        (690, "79".to_string(), 22)
    );
    let fifo_one = at(1.0, Delivery::Fifo).ok_or("row")?;
    assert_eq!(
        (fifo_one.held_back, format!("{:.0}", fifo_one.mean_hold_ms)),
        (267, "64".to_string())
    );
    let causal_slow = at(1.5, Delivery::Causal).ok_or("row")?;
    assert_eq!(
        (
            format!("{:.0}", causal_slow.mean_hold_ms),
            causal_slow.longest_queue
        ),
        ("621".to_string(), 126)
    );
    let wait = |rule: &str, silent: bool| {
        wait_rows
            .iter()
            .find(|row| row.delivery == rule && row.one_member_silent == silent)
            .map(|row| {
                (
                    row.shown,
                    row.anomalies,
                    row.held_back,
                    format!("{:.0}", row.mean_hold_ms),
                    row.never_delivered,
                )
            })
    };
    let vectors = "vector timestamps";
    let lamport = "stable Lamport timestamps";
    assert_eq!(wait(vectors, false), Some((1776, 0, 401, "81".into(), 0)));
    assert_eq!(wait(lamport, false), Some((1776, 0, 1570, "119".into(), 0)));
    assert_eq!(
        wait(vectors, true).map(|w| (w.0, w.1, w.4)),
        Some((1176, 0, 0))
    );
    assert_eq!(
        wait(lamport, true).map(|w| (w.0, w.1, w.4)),
        Some((747, 0, 231))
    );
    let survivors: Vec<&TimestampMember> = (0..blocked.node_count())
        .filter_map(|member| blocked.node::<TimestampMember>(member))
        .collect();
    assert_eq!(survivors.len(), 4);
    assert_eq!(survivors.iter().map(|m| m.still_held()).sum::<usize>(), 231);
    for member in &survivors {
        let queue = member.queue_lengths();
        let before = queue.iter().filter(|q| q.0 < secs(5)).map(|q| q.1).max();
        assert!(before < Some(20) && queue.last().map(|q| q.1) == Some(member.still_held()));
    }
    // The section try-its with the prediction that holds.
    let right = |message: String| message.starts_with("Right");
    assert!(right(check_prediction(
        Some(Causality::Before),
        a.compare(&receiver),
        ""
    )));
    assert_eq!(
        (until_then, receiver.dense_label(3).as_str()),
        (Causality::Concurrent, "[3,3,2]")
    );
    assert!(right(check_prediction(
        Some(false),
        relation == Causality::Concurrent,
        ""
    )));
    assert_eq!(relation, Causality::Before);
    assert!(right(check_prediction(
        Some(false),
        lamport_rule.never_delivered == 0,
        ""
    )));
    assert_eq!(lamport_rule.never_delivered, 243);
    assert!(right(check_prediction(
        Some(true),
        kept == "eggs | milk, bread",
        ""
    )));
    // The try-it cell as committed (FIFO at σ = 0.5), then the variations its prose suggests,
    // with the prediction that holds for each.
    assert_eq!(too_early, 91);
    for (mode, sigma, some_reply_too_early) in [
        (Delivery::Causal, 1.5, false),
        (Delivery::Immediate, 0.0, false),
        (Delivery::Fifo, 0.2, false),
        (Delivery::Fifo, 0.25, true),
    ] {
        let parameters = CausalParameters {
            latency: Latency::log_normal(ms(20), sigma),
            ..CausalParameters::default()
        };
        let rows = causal_experiment(&parameters, 1)?;
        let too_early = rows
            .iter()
            .find(|row| row.delivery == mode.name())
            .map_or(0, |row| row.anomalies);
        assert_eq!(
            too_early > 0,
            some_reply_too_early,
            "{mode:?} at σ = {sigma}"
        );
    }
    // The try-it on more processes, and the variation its hint suggests.
    for processes in [8, 12] {
        let busy = RunParameters {
            processes,
            send_probability: 0.9,
            events_per_process: 15,
            ..RunParameters::default()
        };
        let row = false_order(&busy, 3)?;
        assert_eq!(row.vector_disagreements, 0);
        assert!(
            check_prediction(Some(false), row.vector_disagreements > 0, "").starts_with("Right")
        );
    }
    Ok(())
}
