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
    use lessons::viz::{Corner, Figure};

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
    Figure::new("300 increments over a duplicating network")
        .x_label("chance that a message is delivered twice")
        .y_label("value read at a replica")
        .line(
            "naive count, mean over replicas",
            duplication_rows
                .iter()
                .map(|row| (row.duplication, row.naive_mean)),
        )
        .line(
            "G-Counter, every replica",
            duplication_rows
                .iter()
                .map(|row| (row.duplication, row.increments as f64)),
        )
        .legend_at(Corner::UpperLeft)
        .show();
    let duplication_table = Table::from_rows(&duplication_rows)?;
    duplication_table.evcxr_display();

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
    let mut values = Figure::new("Likes at each replica (partition from 0.5 s to 1.5 s)")
        .x_label("time (s)")
        .y_label("likes")
        .legend_at(Corner::UpperLeft);
    for replica in 0..gossip.replicas {
        let points: Vec<(f64, f64)> = likes
            .samples
            .iter()
            .zip(&likes.states)
            .map(|(sample, states)| (sample.time_ms / 1000.0, states[replica].value() as f64))
            .collect();
        values = values.step(format!("replica {}", ["A", "B", "C", "D"][replica]), points);
    }
    values.show();
    let mut behind = Vec::new();
    for (sample, states) in likes.samples.iter().zip(&likes.states) {
        let everything = states.iter().fold(PNCounter::new(), |all, s| all.merged(s));
        let seen = |c: &PNCounter| c.increments().value() + c.decrements().value();
        let most_behind = states
            .iter()
            .map(|s| seen(&everything) - seen(s))
            .max()
            .unwrap_or(0);
        behind.push((sample.time_ms / 1000.0, most_behind as f64));
    }
    Figure::new("Updates the most-behind replica has not seen yet")
        .x_label("time (s)")
        .y_label("updates")
        .step("PN-Counter replicas", behind.clone())
        .show();
    let behind_before = behind
        .iter()
        .filter(|(t, _)| *t < 0.5)
        .map(|(_, n)| *n as u64)
        .max()
        .unwrap_or(0);
    let behind_during = behind
        .iter()
        .filter(|(t, _)| (0.5..=1.5).contains(t))
        .map(|(_, n)| *n as u64)
        .max()
        .unwrap_or(0);
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
    /// Replicas A (0) and B (1) start in sync with {milk}. `remover` removes the milk; then
    /// `adder`, if any, adds it, having seen the remove unless `concurrent`. What is left after
    /// they merge, for each kind of set?
    fn two_phase(remover: usize, adder: Option<usize>, concurrent: bool) -> bool {
        let mut replicas = vec![TwoPhaseSet::new(); 2];
        replicas[0].add("milk");
        replicas[1] = replicas[0].clone();
        let _ = replicas[remover].remove("milk");
        if let Some(adder) = adder {
            if !concurrent {
                let removed = replicas[remover].clone();
                replicas[adder].merge(&removed);
            }
            replicas[adder].add("milk");
        }
        replicas[0].merged(&replicas[1]).contains(&"milk")
    }
    fn or_set(remover: usize, adder: Option<usize>, concurrent: bool) -> bool {
        let mut replicas = vec![OrSet::new(); 2];
        replicas[0].add(0, "milk");
        replicas[1] = replicas[0].clone();
        replicas[remover].remove(&"milk");
        if let Some(adder) = adder {
            if !concurrent {
                let removed = replicas[remover].clone();
                replicas[adder].merge(&removed);
            }
            replicas[adder].add(adder, "milk");
        }
        replicas[0].merged(&replicas[1]).contains(&"milk")
    }
    /// An LWW-element set, for one element: a last-writer-wins register of "is it in?".
    fn lww_element(remover: usize, adder: Option<usize>, concurrent: bool) -> bool {
        let mut replicas = vec![LwwRegister::new(); 2];
        replicas[0].set(0, true);
        replicas[1] = replicas[0].clone();
        replicas[remover].set(remover, false);
        if let Some(adder) = adder {
            if !concurrent {
                let removed = replicas[remover].clone();
                replicas[adder].merge(&removed);
            }
            replicas[adder].set(adder, true);
        }
        replicas[0].merged(&replicas[1]).value() == Some(&true)
    }
    let scripts = [
        ("A removes milk; nothing else", 0, None, false),
        ("A removes milk, then B adds it again", 0, Some(1), false),
        ("A removes milk while B adds it", 0, Some(1), true),
        ("B removes milk while A adds it", 1, Some(0), true),
    ];
    let mut sets = Table::new(["script", "2P-Set", "LWW-element set", "OR-Set"]);
    fn shown(present: bool) -> String {
        if present { "{milk}" } else { "{}" }.to_string()
    }
    for (script, remover, adder, concurrent) in scripts {
        sets.push_row([
            script.to_string(),
            shown(two_phase(remover, adder, concurrent)),
            shown(lww_element(remover, adder, concurrent)),
            shown(or_set(remover, adder, concurrent)),
        ])?;
    }
    sets.evcxr_display();

    // cell
    let mut registers = Table::new([
        "concurrent writes",
        "LWW-Register keeps",
        "MV-Register keeps",
        "replicas agree",
    ]);
    let mut lost_by_lww = Vec::new();
    for writers in 1..=5 {
        let mut lww: Vec<LwwRegister<String>> = vec![LwwRegister::new(); writers];
        let mut mv: Vec<MvRegister<String>> = vec![MvRegister::new(); writers];
        for replica in 0..writers {
            lww[replica].set(replica, format!("colour {replica}"));
            mv[replica].set(replica, format!("colour {replica}"));
        }
        for i in 0..writers {
            for j in 0..writers {
                let (theirs_lww, theirs_mv) = (lww[j].clone(), mv[j].clone());
                lww[i].merge(&theirs_lww);
                mv[i].merge(&theirs_mv);
            }
        }
        let agree = lww.iter().all(|r| r == &lww[0]) && mv.iter().all(|r| r == &mv[0]);
        let kept_by_mv = mv[0].values().len();
        lost_by_lww.push(writers - 1);
        registers.push_row([
            writers.to_string(),
            format!("{:?}", lww[0].value().map(String::as_str).unwrap_or("")),
            kept_by_mv.to_string(),
            agree.to_string(),
        ])?;
    }
    registers.evcxr_display();

    // cell
    /// Three replicas make 30 random changes to a set of five items and merge now and then.
    /// Each change is kept twice: as the OR-Set operation it returns, and as a plain
    /// "add x" / "remove x" message.
    fn changes(seed: u64) -> Vec<(OrSet<u8>, bool, u8)> {
        let mut rng = Rng::new(seed);
        let mut replicas = vec![OrSet::new(); 3];
        let mut changes = Vec::new();
        for _ in 0..30 {
            let replica = rng.below(3) as usize;
            let item = rng.below(5) as u8;
            if rng.chance(0.2) {
                let other = replicas[rng.below(3) as usize].clone();
                replicas[replica].merge(&other);
            }
            if rng.chance(0.6) {
                changes.push((replicas[replica].add(replica, item), true, item));
            } else {
                changes.push((replicas[replica].remove(&item), false, item));
            }
        }
        changes
    }
    let changes = changes(5);
    let mut rng = Rng::new(6);
    let mut or_set_outcomes: Vec<Vec<u8>> = Vec::new();
    let mut plain_outcomes: Vec<Vec<u8>> = Vec::new();
    for _ in 0..200 {
        let mut delivery: Vec<&(OrSet<u8>, bool, u8)> = changes.iter().collect();
        for change in &changes {
            if rng.chance(0.25) {
                delivery.push(change);
            }
        }
        rng.shuffle(&mut delivery);
        let mut receiver = OrSet::new();
        let mut plain: Vec<u8> = Vec::new();
        for (op, is_add, item) in delivery {
            receiver.apply(op);
            plain.retain(|x| x != item);
            if *is_add {
                plain.push(*item);
            }
        }
        plain.sort_unstable();
        let state: Vec<u8> = receiver.iter().copied().collect();
        if !or_set_outcomes.contains(&state) {
            or_set_outcomes.push(state);
        }
        if !plain_outcomes.contains(&plain) {
            plain_outcomes.push(plain);
        }
    }
    println!(
        "200 receivers, each in its own order, with duplicates: {} OR-Set outcome(s) {:?}; \
         {} different outcomes for a plain set fed \"add x\" / \"remove x\"",
        or_set_outcomes.len(),
        or_set_outcomes,
        plain_outcomes.len()
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
    Figure::new("Removed items that come back (1,000 trials per point)")
        .x_label("chance that the second change is concurrent with the first")
        .y_label("resurrected items per remove")
        .line(
            "union of siblings (Dynamo cart)",
            cart_rows
                .iter()
                .map(|r| (r.concurrency, r.union_resurrection_rate)),
        )
        .line(
            "OR-Set",
            cart_rows
                .iter()
                .map(|r| (r.concurrency, r.or_set_resurrection_rate)),
        )
        .legend_at(Corner::UpperLeft)
        .show();
    let all_concurrent = cart_rows.last().cloned().ok_or("no rows")?;
    println!(
        "at concurrency 1: {} removes, {} items resurrected by the union, {} by the OR-Set; adds lost: {} and {}",
        all_concurrent.removes,
        all_concurrent.union_resurrected,
        all_concurrent.or_set_resurrected,
        all_concurrent.union_lost,
        all_concurrent.or_set_lost
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
    Figure::new("Selling 100 units from 3 partitioned replicas")
        .x_label("partition length (s)")
        .y_label("units")
        .line(
            "sold (PN-Counter, each replica checks its own view)",
            overdraft_rows
                .iter()
                .map(|r| (r.partition_ms / 1000.0, r.sold as f64)),
        )
        .line(
            "sold by one coordinated counter",
            overdraft_rows
                .iter()
                .map(|r| (r.partition_ms / 1000.0, r.coordinated_sold as f64)),
        )
        .line(
            "oversold",
            overdraft_rows
                .iter()
                .map(|r| (r.partition_ms / 1000.0, r.oversold as f64)),
        )
        .legend_at(Corner::UpperLeft)
        .show();
    let overdraft_table = Table::from_rows(&overdraft_rows)?;
    overdraft_table.evcxr_display();

    // cell
    let metadata = metadata_experiment(&MetadataParameters::default(), 1)?;
    /// One size column of the rows, in KiB, against the number of operations.
    fn series(rows: &[MetadataRow], pick: fn(&MetadataRow) -> usize) -> Vec<(f64, f64)> {
        rows.iter()
            .map(|row| (row.operations as f64, pick(row) as f64 / 1024.0))
            .collect()
    }
    Figure::new("State size as operations accumulate (4 replicas)")
        .x_label("operations")
        .y_label("KiB")
        .line("2P-Set", series(&metadata, |r| r.two_phase_set_bytes))
        .line(
            "OR-Set keeping tombstones",
            series(&metadata, |r| r.or_set_with_tombstones_bytes),
        )
        .line(
            "OR-Set (dots and version vector)",
            series(&metadata, |r| r.or_set_bytes),
        )
        .line(
            "the items themselves",
            series(&metadata, |r| r.payload_bytes),
        )
        .legend_at(Corner::UpperLeft)
        .show();

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
    Figure::new("State size as replicas grow (2,000 operations)")
        .x_label("replicas")
        .y_label("bytes")
        .line(
            "PN-Counter",
            by_replicas
                .iter()
                .map(|r| (r.replicas as f64, r.pn_counter_bytes as f64)),
        )
        .line(
            "OR-Set: dots and version vector, without the items",
            by_replicas
                .iter()
                .map(|r| (r.replicas as f64, (r.or_set_bytes - r.payload_bytes) as f64)),
        )
        .legend_at(Corner::LowerRight)
        .show();
    let metadata_table = Table::from_rows(&by_replicas)?;
    metadata_table.evcxr_display();

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
    editing.push_row([
        "inserts applied as sent",
        as_sent[0].as_str(),
        as_sent[1].as_str(),
    ])?;
    editing.push_row([
        "OT: transformed first",
        transformed[0].as_str(),
        transformed[1].as_str(),
    ])?;
    editing.push_row([
        "RGA: ids and anchors",
        rga_texts[0].as_str(),
        rga_texts[1].as_str(),
    ])?;
    editing.evcxr_display();

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
    // Pick how long the replicas cannot talk and how much stock there is, and predict
    // whether they sell more than they have.
    let partition_length = ms(300);
    let stock = 100;
    let prediction_oversold = false;

    let parameters = OverdraftParameters {
        partition: partition_length,
        stock,
        ..OverdraftParameters::default()
    };
    let row = overdraft_experiment(&parameters, 1)?;
    assert_eq!(
        row.oversold > 0,
        prediction_oversold,
        "the replicas oversell once they can sell more during the partition than the stock: \
         3 replicas × 20 attempts per second × the partition length, against {stock} units"
    );
    println!(
        "Right: {} attempts during a {:.1} s partition against {stock} units: {} sold, {} oversold.",
        row.attempts,
        row.partition_ms / 1000.0,
        row.sold,
        row.oversold
    );

    // end of cells
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
    let register_rows: Vec<Vec<&str>> = registers
        .rows()
        .iter()
        .map(|row| row.iter().map(String::as_str).collect())
        .collect();
    assert_eq!(
        register_rows[4],
        ["5", "\"colour 4\"", "5", "true"],
        "five concurrent writes: LWW keeps the one from replica 4, MV keeps all five"
    );
    assert!(register_rows.iter().all(|row| row[3] == "true"));
    assert_eq!(lost_by_lww, [0, 1, 2, 3, 4]);
    assert_eq!(or_set_outcomes, [vec![0, 2, 3, 4]]);
    assert_eq!(plain_outcomes.len(), 16);
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
    Ok(())
}
