//! The Rust code of `notebooks/05-crdts.ipynb`, cell by cell, as one program.
//!
//! Each `// cell` line starts the code of the next notebook code cell (after the `:dep` cell); a
//! cell whose last line is a bare variable shows that value, which here is spelled
//! `variable.evcxr_display();`. `tests/crdts_notebook.rs` checks that the two stay identical,
//! runs this program, and the assertions at the end pin the numbers the notebook's prose quotes.
//!
//! Run it with `cargo run -p lessons --example crdts`.

use std::error::Error;

pub fn main() -> Result<(), Box<dyn Error>> {
    // cell
    use lessons::crdt::*;
    use lessons::display::RichDisplay;
    use lessons::sim::*;
    use lessons::table::Table;
    use lessons::try_it::check_prediction;
    use lessons::widgets::{Control, interact};

    // cell
    let small = CounterParameters {
        replicas: 2,
        increments_per_replica: 3,
        duplication: 0.5,
        spread: ms(100),
        ..CounterParameters::default()
    };
    let run = counter_run(&small, 3)?;
    run.trace()
        .diagram()
        .title("Each increment sent as an operation; the network duplicates half the messages")
        .show();
    let mut counts = Table::new([
        "replica",
        "increments made",
        "naive count",
        "G-Counter value",
    ]);
    for replica in 0..small.replicas {
        if let Some(node) = run.node::<CounterReplica>(replica) {
            counts.push_row([
                run.trace().node_names()[replica].clone(),
                small.increments_per_replica.to_string(),
                node.naive_value().to_string(),
                node.counter().value().to_string(),
            ])?;
        }
    }
    counts.evcxr_display();

    // cell
    let duplication_rates = [0.0, 0.1, 0.25, 0.5, 0.75, 1.0];
    let mut duplication_rows = Vec::new();
    for &duplication in &duplication_rates {
        let parameters = CounterParameters {
            duplication,
            ..CounterParameters::default()
        };
        duplication_rows.push(duplication_experiment(&parameters, 1)?);
    }
    duplication_figure(&duplication_rows).show();
    let duplication_table = Table::from_rows(&duplication_rows)?;
    duplication_table.evcxr_display();

    // cell
    let prediction: Option<_> = None; // the naive count at one replica
    let five_replicas = CounterParameters {
        replicas: 5,
        duplication: 1.0,
        ..CounterParameters::default()
    };
    let five_row = duplication_experiment(&five_replicas, 1)?;
    println!(
        "{}",
        check_prediction(
            prediction,
            five_row.naive_largest,
            "A replica counts its own 100 increments once and the other 400 twice. \
             Its G-Counter reads 500, the number of increments made."
        )
    );

    // cell
    let gossip = ConvergenceParameters::default();
    let likes = convergence_run(
        &gossip,
        PNCounter::new(),
        |counter: &mut PNCounter, me: NodeId, rng: &mut Rng| {
            if rng.chance(0.7) {
                counter.increment(me);
            } else {
                counter.decrement(me);
            }
        },
        1,
    )?;
    let title = "Likes at each replica (partition from 0.5 s to 1.5 s)";
    values_figure(&likes, title, "likes").show();

    // cell
    let behind = updates_behind(&likes);
    lag_figure(&behind).show();
    let behind_before = most_behind_between(&behind, ..0.5);
    let behind_during = most_behind_between(&behind, 0.5..=1.5);
    let most_distinct = likes
        .samples
        .iter()
        .map(|s| s.distinct_states)
        .max()
        .unwrap_or(0);
    let converged_ms = likes.converged_at.map(|t| t.as_millis_f64());
    let final_likes: Vec<i64> = likes
        .states
        .last()
        .map(|states| states.iter().map(|s| s.value()).collect())
        .unwrap_or_default();
    println!(
        "the most-behind replica missed at most {behind_before} updates before the partition, \
         {behind_during} during it; at most {most_distinct} distinct states; all equal again from \
         {converged_ms:?} ms on, reading {final_likes:?}"
    );

    // cell
    /// Each update is a like (70%) or an unlike, as in the run above.
    fn like_or_unlike(counter: &mut PNCounter, me: NodeId, rng: &mut Rng) {
        if rng.chance(0.7) {
            counter.increment(me);
        } else {
            counter.decrement(me);
        }
    }
    interact(
        vec![
            Control::int("replicas", 2..=10, 4)?,
            Control::int("gossip every (ms)", 10..=500, 100)?,
            Control::float("loss", 0.0, 0.9, 0.05, 0.0)?,
        ],
        |values| {
            let parameters = ConvergenceParameters {
                replicas: values.int("replicas") as usize,
                gossip_interval: ms(values.int("gossip every (ms)")),
                loss: values.float("loss"),
                duration: secs(6),
                ..ConvergenceParameters::default()
            };
            convergence_run(&parameters, PNCounter::new(), like_or_unlike, 1)
                .map(|run| values_figure(&run, "Likes at each replica", "likes"))
        },
    )?;

    // cell
    let prediction: Option<_> = None; // do the replicas end equal?
    let lossy = ConvergenceParameters {
        loss: 0.3,
        ..ConvergenceParameters::default()
    };
    let lossy_likes = convergence_run(
        &lossy,
        PNCounter::new(),
        |counter: &mut PNCounter, me: NodeId, _: &mut Rng| {
            counter.increment(me);
        },
        1,
    )?;
    println!(
        "{}",
        check_prediction(
            prediction,
            lossy_likes.converged_at.is_some(),
            "Each gossip message carries the whole state, so the next message that gets through \
             repairs any number of lost ones; the updates stop at 2 s, leaving 10 rounds to catch up."
        )
    );

    // cell
    let scripts = [
        ("A removes milk; nothing else", 0, None, false),
        ("A removes milk, then B adds it again", 0, Some(1), false),
        ("A removes milk while B adds it", 0, Some(1), true),
        ("B removes milk while A adds it", 1, Some(0), true),
    ];
    fn shown(present: bool) -> String {
        if present { "{milk}" } else { "{}" }.to_string()
    }
    let mut sets = Table::new(["script", "2P-Set", "LWW-element set", "OR-Set"]);
    for (name, remover, adder, concurrent) in scripts {
        let script = RemovalScript {
            remover,
            adder,
            concurrent,
        };
        sets.push_row([
            name.to_string(),
            shown(script.two_phase_set_keeps_it()),
            shown(script.lww_element_set_keeps_it()),
            shown(script.or_set_keeps_it()),
        ])?;
    }
    sets.evcxr_display();

    // cell
    let prediction: Option<_> = None; // in how many of the three sets is the milk present?
    let mirrored = RemovalScript {
        remover: 1,
        adder: Some(0),
        concurrent: false,
    };
    let keeps = [
        mirrored.two_phase_set_keeps_it(),
        mirrored.lww_element_set_keeps_it(),
        mirrored.or_set_keeps_it(),
    ];
    println!(
        "{}",
        check_prediction(
            prediction,
            keeps.iter().filter(|&&kept| kept).count(),
            format!(
                "2P-Set, LWW-element set, OR-Set: {keeps:?}. The tombstone beats every add; A's \
                 add saw the remove, so its Lamport time is larger and the replica ids never \
                 come into it; the OR-Set's new dot was not observed by the remove."
            )
        )
    );

    // cell
    let mut register_rows = Vec::new();
    for writers in 1..=5 {
        register_rows.push(concurrent_writes(writers));
    }
    let lost_by_lww: Vec<usize> = register_rows
        .iter()
        .map(|row| row.concurrent_writes - 1)
        .collect();
    let registers = Table::from_rows(&register_rows)?;
    registers.evcxr_display();

    // cell
    let prediction: Option<_> = None; // does the LWW-Register keep replica 0's colour?
    let mut from_four = LwwRegister::new();
    from_four.set(4, "colour 4");
    let mut from_zero = from_four.clone(); // replica 0 has seen colour 4
    from_zero.set(0, "colour 0");
    from_four.merge(&from_zero);
    println!(
        "{}",
        check_prediction(
            prediction,
            from_four.value() == Some(&"colour 0"),
            format!(
                "It keeps {:?}, stamped {} against 1.4: the time decides first, and the replica id \
                 only breaks ties between equal times. Writes in causal order are no conflict.",
                from_four.value(),
                from_four.stamp()
            )
        )
    );

    // cell
    let changes = random_set_changes(5);
    let outcomes = deliver_in_random_orders(&changes, 200, 0.25, 6)?;
    println!(
        "200 receivers, each in its own order, with duplicates: {} OR-Set outcome(s) {:?}; \
         {} different outcomes for a plain set fed \"add x\" / \"remove x\"",
        outcomes.or_set.len(),
        outcomes.or_set,
        outcomes.plain_set.len()
    );

    // cell
    let prediction: Option<_> = None; // does the plain set still end in more than one state?
    let exactly_once = deliver_in_random_orders(&changes, 200, 0.0, 6)?;
    println!(
        "{}",
        check_prediction(
            prediction,
            exactly_once.plain_set.len() > 1,
            format!(
                "{} plain outcomes, {} OR-Set outcome. Reordering alone does it: \"add 3\" then \
                 \"remove 3\" leaves 3 out, the other order leaves it in.",
                exactly_once.plain_set.len(),
                exactly_once.or_set.len()
            )
        )
    );

    // cell
    let mut siblings_a: MvRegister<Vec<&str>> = MvRegister::new();
    siblings_a.set(0, vec!["eggs", "milk"]);
    let mut siblings_b = siblings_a.clone();
    siblings_a.set(0, vec!["eggs"]); // A removes the milk
    siblings_b.set(1, vec!["eggs", "flour", "milk"]); // B, concurrently, adds flour
    siblings_a.merge(&siblings_b);
    let mut union: Vec<&str> = siblings_a.values().into_iter().flatten().copied().collect();
    union.sort_unstable();
    union.dedup();

    let mut cart_a = OrSet::new();
    cart_a.add(0, "eggs");
    cart_a.add(0, "milk");
    let mut cart_b = cart_a.clone();
    cart_a.remove(&"milk");
    cart_b.add(1, "flour");
    cart_a.merge(&cart_b);
    let or_cart: Vec<&str> = cart_a.iter().copied().collect();
    println!("siblings after the merge: {:?}", siblings_a.values());
    println!("union of siblings: {union:?}");
    println!("OR-Set:            {or_cart:?}");

    // cell
    let concurrency_levels = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0];
    let mut cart_rows = Vec::new();
    for &concurrency in &concurrency_levels {
        let parameters = CartParameters {
            concurrency,
            ..CartParameters::default()
        };
        cart_rows.push(cart_experiment(&parameters, 1)?);
    }
    cart_figure(&cart_rows).show();
    let all_concurrent = cart_rows.last().cloned().ok_or("no rows")?;
    println!(
        "at concurrency 1: {} removes, {} items resurrected by the union, {} by the OR-Set; \
         adds lost: {} and {}",
        all_concurrent.removes,
        all_concurrent.union_resurrected,
        all_concurrent.or_set_resurrected,
        all_concurrent.union_lost,
        all_concurrent.or_set_lost
    );

    // cell
    let prediction: Option<_> = None; // does the union cart resurrect anything?
    let only_removes = CartParameters {
        remove_probability: 1.0,
        concurrency: 1.0,
        ..CartParameters::default()
    };
    let removes_row = cart_experiment(&only_removes, 1)?;
    println!(
        "{}",
        check_prediction(
            prediction,
            removes_row.union_resurrected > 0,
            "When A and B remove different items concurrently, each sibling still holds the item \
             the other removed, and the union brings both back. The OR-Set brought back \
             nothing: each remove observed the add of its item."
        )
    );

    // cell
    let mut stock_a = PNCounter::new();
    stock_a.increment(0); // one unit left, known to both replicas
    let mut stock_b = stock_a.clone();
    let a_sells = stock_a.value() >= 1;
    stock_a.decrement(0);
    let b_sells = stock_b.value() >= 1;
    stock_b.decrement(1);
    stock_a.merge(&stock_b);
    println!(
        "A sees {} unit(s) and sells: {a_sells}; B sees 1 and sells: {b_sells}; after the merge: {}",
        1,
        stock_a.value()
    );

    // cell
    let partitions_ms = [0, 250, 500, 1_000, 2_000, 3_000, 4_000];
    let mut overdraft_rows = Vec::new();
    for &length in &partitions_ms {
        let parameters = OverdraftParameters {
            partition: ms(length),
            ..OverdraftParameters::default()
        };
        overdraft_rows.push(overdraft_experiment(&parameters, 1)?);
    }
    overdraft_figure(&overdraft_rows).show();
    let overdraft_table = Table::from_rows(&overdraft_rows)?;
    overdraft_table.evcxr_display();

    // cell
    let prediction: Option<_> = None; // units oversold
    let five_apart = OverdraftParameters {
        replicas: 5,
        partition: secs(60),
        ..OverdraftParameters::default()
    };
    let long_split = overdraft_experiment(&five_apart, 1)?;
    println!(
        "{}",
        check_prediction(
            prediction,
            long_split.oversold,
            format!(
                "{} sold of {} units: each replica sells until its own view reaches zero, so no \
                 more than the whole stock each, and at most (5 − 1) × 100 are oversold however \
                 long the partition lasts.",
                long_split.sold, long_split.stock
            )
        )
    );

    // cell
    let metadata = metadata_experiment(&MetadataParameters::default(), 1)?;
    metadata_growth_figure(&metadata).show();

    // cell
    let mut by_replicas = Vec::new();
    for replicas in [1, 2, 4, 8, 16, 32, 64] {
        let parameters = MetadataParameters {
            replicas,
            operations: 2_000,
            sync_every: 20,
            samples: 1,
            ..MetadataParameters::default()
        };
        by_replicas.extend(metadata_experiment(&parameters, 1)?);
    }
    metadata_by_replicas_figure(&by_replicas).show();
    let metadata_table = Table::from_rows(&by_replicas)?;
    metadata_table.evcxr_display();

    // cell
    let stability = stability_experiment(4, 10_000, Some((2_000, 5_000)), 1)?;
    stability_figure(&stability).show();
    let most_held = stability.iter().map(|row| row.unstable).max().unwrap_or(0);
    let at_end = *stability.last().ok_or("the run has rows")?;
    let all_online = stability_experiment(4, 10_000, None, 1)?;
    let most_held_online = all_online.iter().map(|row| row.unstable).max().unwrap_or(0);
    println!(
        "{} removes; at most {most_held} awaiting stability with a replica away, {most_held_online} \
         without; {} at the end",
        at_end.removes, at_end.unstable
    );

    // cell
    let prediction: Option<bool> = None; // more than half still waiting?
    let gone = stability_experiment(4, 10_000, Some((2_000, 10_001)), 1)?;
    let left_behind = *gone.last().ok_or("the run has rows")?;
    println!(
        "{}",
        check_prediction(
            prediction,
            2 * left_behind.unstable > left_behind.removes,
            format!(
                "{} of {} tombstones wait: every remove after operation 2,000 needs the missing \
                 replica's acknowledgement, which never comes.",
                left_behind.unstable, left_behind.removes
            )
        )
    );

    // cell
    let x = TextInsert {
        position: 1,
        value: 'X',
        site: 0,
    };
    let y = TextInsert {
        position: 1,
        value: 'Y',
        site: 1,
    };
    let (at_a, at_b) = (x.applied_to("abc"), y.applied_to("abc"));
    let as_sent = [y.applied_to(&at_a), x.applied_to(&at_b)];
    let transformed = [
        y.transformed_against(&x).applied_to(&at_a),
        x.transformed_against(&y).applied_to(&at_b),
    ];

    // cell
    let mut site_a = Rga::new();
    let mut inserts = Vec::new();
    for (index, character) in "abc".chars().enumerate() {
        inserts.push(site_a.insert(0, index, character)?);
    }
    let mut site_b = site_a.clone();
    inserts.push(site_a.insert(0, 1, 'X')?);
    inserts.push(site_b.insert(1, 1, 'Y')?);
    site_a.apply(&inserts[4]);
    site_b.apply(&inserts[3]);
    let rga_texts: [String; 2] = [
        site_a.values().into_iter().collect(),
        site_b.values().into_iter().collect(),
    ];
    let mut editing = Table::new(["", "site A reads", "site B reads"]);
    for (method, texts) in [
        ("inserts applied as sent", &as_sent),
        ("OT: transformed first", &transformed),
        ("RGA: ids and anchors", &rga_texts),
    ] {
        editing.push_row([method, texts[0].as_str(), texts[1].as_str()])?;
    }
    editing.evcxr_display();

    // cell
    let mut rng = Rng::new(7);
    let mut texts: Vec<String> = Vec::new();
    for _ in 0..100 {
        let mut order = inserts.clone();
        rng.shuffle(&mut order);
        let mut replica = Rga::new();
        for op in &order {
            replica.apply(op);
        }
        let text: String = replica.values().into_iter().collect();
        if !texts.contains(&text) {
            texts.push(text);
        }
    }
    println!("100 random delivery orders of the five RGA inserts give: {texts:?}");

    // cell
    let prediction: Option<_> = None; // do both sites still read "aXYbc" after OT?
    let x_from_one = TextInsert { site: 1, ..x };
    let y_from_zero = TextInsert { site: 0, ..y };
    let swapped = [
        y_from_zero
            .transformed_against(&x_from_one)
            .applied_to(&x_from_one.applied_to("abc")),
        x_from_one
            .transformed_against(&y_from_zero)
            .applied_to(&y_from_zero.applied_to("abc")),
    ];
    println!(
        "{}",
        check_prediction(
            prediction,
            swapped.iter().all(|text| text == "aXYbc"),
            format!(
                "Both read {}: at the same position the lower site id goes first. OT agrees \
                 on some order; which one is an arbitrary rule, here the site ids.",
                swapped[0]
            )
        )
    );

    // cell
    let prediction: Option<_> = None; // do the replicas sell more than they have?
    let partition_length = ms(300);
    let stock = 100;
    let parameters = OverdraftParameters {
        partition: partition_length,
        stock,
        ..OverdraftParameters::default()
    };
    let row = overdraft_experiment(&parameters, 1)?;
    println!(
        "{}",
        check_prediction(
            prediction,
            row.oversold > 0,
            format!(
                "{} attempts during a {:.1} s partition against {stock} units: {} sold, {} oversold. \
                 The replicas oversell once 3 × 20 attempts per second × the partition length \
                 exceeds the stock.",
                row.attempts,
                row.partition_ms / 1000.0,
                row.sold,
                row.oversold
            )
        )
    );

    // end of cells
    // The live figure's runs: when the replicas agree, at the prose's settings.
    let agreed_at = |replicas: usize, gossip: i64, loss: f64| -> Result<Option<f64>, CrdtError> {
        let parameters = ConvergenceParameters {
            replicas,
            gossip_interval: ms(gossip),
            loss,
            duration: secs(6),
            ..ConvergenceParameters::default()
        };
        let run = convergence_run(&parameters, PNCounter::new(), like_or_unlike, 1)?;
        Ok(run.converged_at.map(|at| at.as_millis_f64()))
    };
    assert_eq!(agreed_at(4, 100, 0.0)?, Some(2_300.0));
    assert_eq!(agreed_at(4, 500, 0.0)?, Some(3_920.0));
    assert_eq!(agreed_at(10, 500, 0.0)?, Some(5_720.0));
    assert_eq!(agreed_at(4, 100, 0.5)?, Some(3_660.0));
    assert_eq!(agreed_at(4, 100, 0.9)?, None);
    let count_rows: Vec<Vec<&str>> = counts
        .rows()
        .iter()
        .map(|row| row.iter().map(String::as_str).collect())
        .collect();
    assert_eq!(count_rows, [["A", "3", "7", "6"], ["B", "3", "8", "6"]]);
    let naive_means: Vec<String> = duplication_rows
        .iter()
        .map(|row| format!("{:.1}", row.naive_mean))
        .collect();
    assert_eq!(
        naive_means,
        ["300.0", "322.0", "349.7", "407.7", "456.7", "500.0"]
    );
    assert!(
        duplication_rows
            .iter()
            .all(|row| row.increments == 300 && row.g_counter_largest_error == 0)
    );
    assert_eq!((behind_before, behind_during), (9, 36));
    assert_eq!(
        (most_distinct, converged_ms, final_likes),
        (4, Some(2300.0), vec![32, 32, 32, 32])
    );
    let set_columns: Vec<Vec<&str>> = sets
        .rows()
        .iter()
        .map(|row| row[1..].iter().map(String::as_str).collect())
        .collect();
    assert_eq!(
        set_columns,
        [
            ["{}", "{}", "{}"],
            ["{}", "{milk}", "{milk}"],
            ["{}", "{milk}", "{milk}"],
            ["{}", "{}", "{milk}"],
        ]
    );
    let register_table: Vec<Vec<&str>> = registers
        .rows()
        .iter()
        .map(|row| row.iter().map(String::as_str).collect())
        .collect();
    assert_eq!(
        register_table[4],
        ["5", "colour 4", "5", "true"],
        "five concurrent writes: LWW keeps the one from replica 4, MV keeps all five"
    );
    assert!(register_rows.iter().all(|row| row.replicas_agree));
    assert_eq!(lost_by_lww, [0, 1, 2, 3, 4]);
    assert_eq!(outcomes.or_set, [vec![0, 2, 3, 4]]);
    assert_eq!(outcomes.plain_set.len(), 16);
    assert_eq!(union, ["eggs", "flour", "milk"]);
    assert_eq!(or_cart, ["eggs", "flour"]);
    assert!(
        cart_rows
            .iter()
            .all(|row| row.or_set_resurrected == 0 && row.or_set_lost == 0 && row.union_lost == 0)
    );
    let half = &cart_rows[5];
    assert_eq!(
        (half.removes, half.union_resurrected),
        (975, 376),
        "concurrency 0.5"
    );
    assert_eq!(
        (
            all_concurrent.removes,
            all_concurrent.union_resurrected,
            format!("{:.2}", all_concurrent.union_resurrection_rate)
        ),
        (975, 780, "0.80".to_string())
    );
    assert_eq!(cart_rows[0].union_resurrected, 0);
    assert_eq!(stock_a.value(), -1);
    let oversold: Vec<u64> = overdraft_rows.iter().map(|row| row.oversold).collect();
    assert_eq!(oversold, [0, 0, 0, 0, 32, 95, 151]);
    let two_seconds = &overdraft_rows[4];
    assert_eq!(
        (
            two_seconds.attempts,
            two_seconds.sold,
            two_seconds.final_stock
        ),
        (132, 132, -32)
    );
    assert_eq!(overdraft_rows[3].attempts, 67);
    assert_eq!(overdraft_rows[6].sold, 251);
    let last = metadata.last().ok_or("no metadata rows")?;
    assert_eq!(
        (
            last.operations,
            last.removes,
            last.items,
            last.payload_bytes,
            last.two_phase_set_bytes,
            last.or_set_bytes,
            last.or_set_with_tombstones_bytes
        ),
        (10_000, 3_915, 366, 2_928, 15_984, 8_848, 102_160)
    );
    assert_eq!((at_end.removes, at_end.unstable), (3_989, 3));
    assert_eq!((most_held, most_held_online), (1_176, 4));
    assert_eq!(at_end.unstable * 24, 72);
    assert_eq!(at_end.removes * 24, 95_736);
    let back = stability
        .iter()
        .find(|row| row.operations == 5_100)
        .ok_or("a row at 5,100")?;
    assert_eq!(back.unstable, 2);
    assert!(
        check_prediction(
            Some(true),
            2 * left_behind.unstable > left_behind.removes,
            ""
        )
        .starts_with("Right")
    );
    let pn_bytes: Vec<usize> = by_replicas.iter().map(|r| r.pn_counter_bytes).collect();
    assert_eq!(pn_bytes, [32, 64, 128, 256, 512, 1024, 2048]);
    let or_metadata: Vec<usize> = by_replicas
        .iter()
        .map(|r| r.or_set_bytes - r.payload_bytes)
        .collect();
    assert_eq!((or_metadata[0], or_metadata[6]), (4_224, 5_712));
    assert_eq!((row.attempts, row.oversold), (20, 0));
    assert_eq!(as_sent, ["aYXbc", "aXYbc"]);
    assert_eq!(transformed, ["aXYbc", "aXYbc"]);
    assert_eq!(rga_texts, ["aYXbc", "aYXbc"]);
    assert_eq!(texts, ["aYXbc"]);

    // The try-it cells with a prediction set, and every variation their prose suggests.
    let right = |message: String| message.starts_with("Right");
    assert!(right(check_prediction(
        Some(900),
        five_row.naive_largest,
        ""
    )));
    assert_eq!(five_row.g_counter_largest_error, 0);
    assert!(right(check_prediction(
        Some(true),
        lossy_likes.converged_at.is_some(),
        ""
    )));
    assert!(right(check_prediction(
        Some(true),
        removes_row.union_resurrected > 0,
        ""
    )));
    assert_eq!(removes_row.or_set_resurrected, 0);
    assert!(right(check_prediction(Some(false), row.oversold > 0, "")));
    for (seconds, stock, oversells) in [(2_000, 300, false), (8_000, 300, true), (4_000, 0, false)]
    {
        let parameters = OverdraftParameters {
            partition: ms(seconds),
            stock,
            ..OverdraftParameters::default()
        };
        let variation = overdraft_experiment(&parameters, 1)?;
        println!("try it: {seconds} ms, {stock} units: {variation:?}");
        assert_eq!(
            variation.oversold > 0,
            oversells,
            "{seconds} ms, {stock} units"
        );
    }
    // The section try-its with the prediction that holds.
    let right = |message: String| message.starts_with("Right");
    assert!(right(check_prediction(
        Some(2),
        keeps.iter().filter(|&&kept| kept).count(),
        ""
    )));
    assert_eq!(keeps, [false, true, true]);
    assert!(right(check_prediction(
        Some(true),
        from_four.value() == Some(&"colour 0"),
        ""
    )));
    assert_eq!(from_four.stamp().to_string(), "2.0");
    assert!(right(check_prediction(
        Some(true),
        exactly_once.plain_set.len() > 1,
        ""
    )));
    assert_eq!(
        (exactly_once.plain_set.len(), exactly_once.or_set.len()),
        (15, 1)
    );
    assert_eq!(outcomes.plain_set.len(), 16);
    assert!(right(check_prediction(Some(400), long_split.oversold, "")));
    assert_eq!((long_split.sold, long_split.stock), (500, 100));
    assert!(right(check_prediction(
        Some(false),
        swapped.iter().all(|text| text == "aXYbc"),
        ""
    )));
    assert_eq!(swapped, ["aYXbc", "aYXbc"]);
    Ok(())
}
