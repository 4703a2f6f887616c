//! The Rust code of `notebooks/14-storage-engines.ipynb`, cell by cell, as one program.
//!
//! Each `// cell` line starts the code of the next notebook code cell (after the `:dep` cell); a
//! cell whose last line is a bare variable shows that value, which here is spelled
//! `variable.evcxr_display();`. `tests/storage_engines_notebook.rs` checks that the two stay
//! identical, runs this program, and the assertions at the end pin the numbers the notebook's
//! prose quotes.
//!
//! Run it with `cargo run -p lessons --example storage_engines`.

use std::error::Error;

pub fn main() -> Result<(), Box<dyn Error>> {
    // cell
    use lessons::storage::*;
    use lessons::table::Table;
    use lessons::try_it::check_prediction;

    // cell
    let billion = 1_000_000_000;
    let mut levels = Table::new(["entries per page", "levels for 10^9 keys, pages full"]);
    for fanout in [100, 200, 500, 1_000] {
        levels.push_row([fanout.to_string(), min_height(fanout, billion).to_string()])?;
    }
    levels.evcxr_display();

    // cell
    let heights = height_experiment(&[4, 16, 100], &[100, 1_000, 10_000, 100_000], 1)?;
    height_figure(&heights).evcxr_display();

    // cell
    let mut most_over = Vec::new();
    for fanout in [4, 16, 100] {
        let mine = heights.iter().filter(|row| row.fanout == fanout);
        let over = mine.map(|row| row.height - row.bound).max().unwrap_or(0);
        most_over.push((fanout, over));
    }
    println!("Most levels above ceil(log_f n), as (fanout, levels): {most_over:?}");

    // cell
    let orders = [
        KeyOrder::Sequential,
        KeyOrder::Random,
        KeyOrder::Jittered(8),
    ];
    let policies = [SplitPolicy::Half, SplitPolicy::Rightmost];
    let trees = btree_experiment(100_000, 100, &orders, &policies, 1)?;
    let tree_rows = btree_table(&trees)?;
    tree_rows.evcxr_display();

    // cell
    let fill_figure = leaf_fill_figure(&trees);
    fill_figure.evcxr_display();

    // cell
    let writes_figure = page_writes_figure(&trees);
    writes_figure.evcxr_display();

    // cell
    let mut rewrite = Table::new([
        "page",
        "record",
        "pages written for 1,000 updates",
        "bytes written / bytes changed",
    ]);
    for page_bytes in [8_192, 16_384] {
        let row = update_experiment(page_bytes, 100, 10_000, 1_000, 1)?;
        rewrite.push_row([
            format!("{} KB", page_bytes / 1_024),
            format!("{} B", row.record_bytes),
            row.pages_written.to_string(),
            format!("{:.1}", row.write_amplification),
        ])?;
    }
    rewrite.evcxr_display();

    // cell
    // Try it: time-ordered keys from 8 machines, slightly out of order. Does rightmost-append
    // still fill the leaves (above 90%)?
    let order = KeyOrder::Jittered(8);
    let prediction: Option<bool> = None;
    let rows = btree_experiment(100_000, 100, &[order], &[SplitPolicy::Rightmost], 1)?;
    println!("leaf fill: {:.3}", rows[0].leaf_fill);
    println!(
        "{}",
        check_prediction(
            prediction,
            rows[0].leaf_fill > 0.9,
            "The rule only fires when the new key is the largest; one late key turns the split into 50/50."
        )
    );

    // cell
    let ratios = [2, 3, 4, 6, 8, 10];
    let compactions = [Compaction::Leveled, Compaction::Tiered];
    let workload = LsmWorkload::updates(20_000, 100_000);
    let amplification = lsm_experiment(&compactions, &ratios, workload, 1)?;
    lsm_figure(&amplification).evcxr_display();

    // cell
    let mut lsm_rows = Table::new(["compaction", "T", "runs", "write", "read", "space"]);
    for row in &amplification {
        lsm_rows.push_row([
            row.compaction.clone(),
            row.ratio.to_string(),
            row.runs.to_string(),
            format!("{:.2}", row.write_amplification),
            format!("{:.2}", row.read_amplification),
            format!("{:.2}", row.space_amplification),
        ])?;
    }
    lsm_rows.evcxr_display();

    // cell
    // Try it: a smaller size ratio. Does size-tiered still write less than leveled?
    let ratio = 3;
    let prediction: Option<bool> = None;
    let pair = lsm_experiment(&compactions, &[ratio], workload, 1)?;
    let tiered_writes_less = pair[1].write_amplification < pair[0].write_amplification;
    println!(
        "T = {ratio}: leveled writes {:.2}x, size-tiered {:.2}x",
        pair[0].write_amplification, pair[1].write_amplification
    );
    println!(
        "{}",
        check_prediction(
            prediction,
            tiered_writes_less,
            "Tiered merges each entry about once per level; leveled rewrites a level's run each time the level above spills into it."
        )
    );

    // cell
    use lessons::widgets::{Control, Values, interact};

    fn lsm_view(values: &Values) -> Result<Table, Box<dyn std::error::Error>> {
        let keys = values.int("live keys") as u64;
        let workload = LsmWorkload {
            memtable: 100,
            lookups: 500,
            ..LsmWorkload::updates(keys, 5 * keys)
        };
        let ratio = values.int("T") as usize;
        let both = [Compaction::Leveled, Compaction::Tiered];
        let mut table = Table::new(["compaction", "runs", "write", "read", "space"]);
        for row in lsm_experiment(&both, &[ratio], workload, 1)? {
            table.push_row([
                row.compaction,
                row.runs.to_string(),
                format!("{:.2}", row.write_amplification),
                format!("{:.2}", row.read_amplification),
                format!("{:.2}", row.space_amplification),
            ])?;
        }
        Ok(table)
    }
    interact(
        vec![
            Control::int("T", 2..=10, 10)?,
            Control::int("live keys", 500..=5_000, 2_000)?,
        ],
        lsm_view,
    )?;

    // cell
    let burst = WriteBurst::standard();
    let debt = compaction_debt_experiment(&compactions, &burst, 1)?;
    debt_runs_figure(&debt).evcxr_display();
    debt_latency_figure(&debt).evcxr_display();

    // cell
    let burst_table = debt_table(&debt, &burst)?;
    burst_table.evcxr_display();

    // cell
    // Try it: compaction may write only as many entries per second as users do (1,000).
    // Has the leveled tree caught up (no run waiting) by second 90?
    let bandwidth = 1_000;
    let prediction: Option<bool> = None;
    let slow = WriteBurst {
        bandwidth,
        ..WriteBurst::standard()
    };
    let starved = compaction_debt_experiment(&[Compaction::Leveled], &slow, 1)?;
    let last = starved.last().cloned().ok_or("no rows")?;
    println!(
        "second {}: {} runs waiting, {} on disk",
        last.second, last.waiting_runs, last.runs
    );
    println!(
        "{}",
        check_prediction(
            prediction,
            last.waiting_runs == 0,
            "Leveled compaction writes each entry about five times here, so it needs about five times the ingest rate just to keep pace."
        )
    );

    // cell
    let mut small = LsmTree::new(1, 4, Compaction::Tiered, 0.0)?;
    small.put(7, 70);
    small.delete(7);
    println!(
        "key 7 on disk, newest first: {:?}; a get answers {:?}",
        small.versions(7),
        small.get(7).value
    );
    small.compact_all();
    println!("after a major compaction: {:?}", small.versions(7));

    // cell
    let deletes = DeleteHeavy::new(20_000, 18_000, 60_000);
    let tombstones = tombstone_experiment(&compactions, 4, deletes, 1)?;
    tombstone_figure(&tombstones).evcxr_display();

    // cell
    let tombstone_rows = tombstone_table(&tombstones, deletes)?;
    tombstone_rows.evcxr_display();

    // cell
    // Try it: size-tiered with T = 10. Are all 18,000 tombstones gone by the last operation?
    let ratio = 10;
    let prediction: Option<bool> = None;
    let wide = tombstone_experiment(&[Compaction::Tiered], ratio, deletes, 1)?;
    let end = wide.last().cloned().ok_or("no rows")?;
    println!(
        "{} tombstones left, {:.1} entries per live key",
        end.tombstones, end.space_amplification
    );
    println!(
        "{}",
        check_prediction(
            prediction,
            end.tombstones == 0,
            "The values they hide sit in level 1, and nothing is merged below level 1 until ten level-1 runs have gathered: 100 flushes, and this run makes 98."
        )
    );

    // cell
    let mut sizing = Table::new(["target rate", "bits per key", "k", "size for 10^9 keys"]);
    for row in sizing_rows(billion, &[0.1, 0.01, 0.001, 0.0001])? {
        sizing.push_row([
            format!("{}%", row.fp_rate * 100.0),
            format!("{:.2}", row.bits_per_key),
            row.hashes.to_string(),
            format!("{:.2} GB", row.gigabytes),
        ])?;
    }
    sizing.evcxr_display();

    // cell
    let one_percent = sizing_rows(billion, &[0.01])?[0].clone();
    let one_gb = one_percent.gigabytes;
    println!(
        "1% for 10^9 keys: {one_gb:.2} GB. The seed's \"~1.2 GB\": right; its \"~1.5 GB\": wrong."
    );
    println!(
        "9.6 and 14.4 bits per key for 1% and 0.1%: {:.2} and {:.2}, confirmed.",
        one_percent.bits_per_key,
        sizing_rows(billion, &[0.001])?[0].bits_per_key
    );

    // cell
    let shapes: Vec<(f64, u32)> = (2..=8)
        .map(|step| {
            let bits_per_key = 2.0 * step as f64;
            (bits_per_key, optimal_hashes(bits_per_key as u64, 1))
        })
        .collect();
    let sweep = fp_rate_experiment(10_000, &shapes, 100_000, &[1, 2, 3])?;
    fp_rate_figure(&sweep).evcxr_display();

    // cell
    // How far each measurement sits from the formula, in standard errors of 100,000 probes.
    let worst = sweep
        .iter()
        .map(|row| {
            let spread = (row.predicted * (1.0 - row.predicted) / 100_000.0).sqrt();
            (row.measured - row.predicted).abs() / spread
        })
        .fold(0.0, f64::max);
    println!(
        "{} measurements; the farthest from the formula is {worst:.1} standard errors away.",
        sweep.len()
    );

    // cell
    let k_sweep: Vec<(f64, u32)> = (1..=14).map(|k| (8.0, k)).collect();
    let by_k = fp_rate_experiment(10_000, &k_sweep, 100_000, &[1])?;
    hash_count_figure(&by_k).evcxr_display();

    // cell
    println!(
        "Lowest rate at 8 bits per key: k = {:?}; (m/n) ln 2 = {:.2}.",
        best_hash_count(&by_k),
        8.0 * std::f64::consts::LN_2
    );

    // cell
    // Try it: change the memory per key, predict the best k, then run.
    let bits_per_key = 12.0;
    let prediction: Option<u32> = None;
    let variation: Vec<(f64, u32)> = (1..=16).map(|k| (bits_per_key, k)).collect();
    let best_k = best_hash_count(&fp_rate_experiment(10_000, &variation, 10_000, &[1])?);
    println!(
        "{}",
        check_prediction(
            prediction,
            best_k.unwrap_or(0),
            "The formula bottoms out near k = (m/n) ln 2, rounded."
        )
    );

    // cell
    use lessons::sim::SimError;
    use lessons::viz::Figure;

    fn bloom_view(values: &Values) -> Result<Figure, SimError> {
        let bits_per_key = values.int("bits per key") as f64;
        let hashes = values.int("hashes (k)") as u32;
        let shape = [(bits_per_key, hashes)];
        let measured = fp_rate_experiment(10_000, &shape, 20_000, &[1])?[0].measured;
        let bits = (bits_per_key * 10_000.0) as u64;
        let formula = (1..=16).map(|k| (f64::from(k), predicted_fp_rate(bits, k, 10_000)));
        let best = optimal_hashes(bits, 10_000);
        let title = format!(
            "k = {hashes}: {measured:.4} measured; k = {best} would give {:.4}",
            predicted_fp_rate(bits, best, 10_000)
        );
        Ok(Figure::new(title)
            .x_label("hash positions per key (k)")
            .y_label("false-positive rate")
            .log_y()
            .line(format!("formula, {bits_per_key} bits per key"), formula)
            .points("measured", [(f64::from(hashes), measured)]))
    }
    interact(
        vec![
            Control::int("bits per key", 1..=20, 8)?,
            Control::int("hashes (k)", 1..=16, 6)?,
        ],
        bloom_view,
    )?;

    // cell
    let loads: Vec<f64> = (1..=20).map(|step| step as f64 / 4.0).collect();
    let overload = overload_experiment(10_000, 0.01, &loads, 200_000, 1)?;
    overload_figure(&overload, 0.01).evcxr_display();

    // cell
    let twice = overload
        .iter()
        .find(|row| row.load == 2.0)
        .cloned()
        .ok_or("no row")?;
    let five_times = overload
        .iter()
        .find(|row| row.load == 5.0)
        .cloned()
        .ok_or("no row")?;
    let seed_numbers = overloaded_fp_rate(100_000_000, 0.01, 5.0)?;
    println!(
        "1% filter at 2x its capacity: measured {:.3}, formula {:.3}",
        twice.measured, twice.predicted
    );
    println!(
        "1% filter at 5x its capacity: measured {:.3}, formula {:.3}",
        five_times.measured, five_times.predicted
    );
    println!("The seed's own numbers (100M design, 500M keys): formula {seed_numbers:.3}");
    println!(
        "Claim C12, \"from 1% to 30%+\": understated; 2x is already past 15%, 5x is above 80%."
    );

    // cell
    let deletions = deletion_experiment(10_000, 0.01, 1_000, 1)?;
    let deletion_table = Table::from_rows(&deletions)?;
    deletion_table.evcxr_display();

    // cell
    let mut stuck = CountingBloomFilter::new(1_000, 3)?;
    for _ in 0..20 {
        stuck.insert("hot key");
    }
    let removed = (0..20).filter(|_| stuck.remove("hot key")).count();
    println!(
        "20 inserts, {} increments lost to full counters, {removed} removes; still present: {}",
        stuck.overflows(),
        stuck.contains("hot key")
    );

    // cell
    let scalable =
        scalable_experiment(10_000, 0.01, &[0.5, 1.0, 2.0, 5.0, 10.0, 20.0], 100_000, 1)?;
    scalable_figure(&scalable).evcxr_display();

    // cell
    let scalable_rows = scalable_table(&scalable)?;
    scalable_rows.evcxr_display();

    // cell
    // Try it: a stricter filter, loaded to twice its capacity. Above 1%, or not?
    let design_rate = 0.001;
    let load = 2.0;
    let prediction: Option<bool> = None;
    let strict = overload_experiment(10_000, design_rate, &[load], 100_000, 2)?;
    let above_one_percent = strict[0].measured > 0.01;
    println!("measured at {load}x: {:.4}", strict[0].measured);
    println!(
        "{}",
        check_prediction(
            prediction,
            above_one_percent,
            "Overload multiplies the exponent kn/m, and the rate climbs steeply for any design rate."
        )
    );

    // cell
    let recent = recent_additions_experiment(100_000, 500, 30, 0.01, 1)?;
    let (day_end, next_day) = (recent[23].clone(), recent[24].clone());
    println!(
        "Hour 24: {} products added since the rebuild; the filter alone finds {:.1}% of them, with the side set {:.0}%.",
        day_end.added_since_rebuild,
        100.0 * day_end.found_by_filter_alone,
        100.0 * day_end.found_with_side_set
    );
    println!(
        "Hour 25, after the rebuild: the side set holds {} keys.",
        next_day.added_since_rebuild
    );
    recent_additions_figure(&recent).evcxr_display();

    // cell
    // Try it: a cheaper filter, 10% false positives. Does the filter alone now find more
    // than half of the products added during the day?
    let fp_rate = 0.1;
    let prediction: Option<bool> = None;
    let cheap = recent_additions_experiment(100_000, 500, 24, fp_rate, 1)?;
    let found = cheap[23].found_by_filter_alone;
    println!(
        "found by the filter alone at hour 24: {:.1}%",
        100.0 * found
    );
    println!(
        "{}",
        check_prediction(
            prediction,
            found > 0.5,
            "A stale filter finds a new key only by a false positive, so it finds about its false-positive rate of them."
        )
    );

    // cell
    let bits: Vec<f64> = (0..=7).map(|step| 2.0 * step as f64).collect();
    let lookups = LsmWorkload::updates(50_000, 100_000);
    let read_path = read_path_experiment(Compaction::Tiered, 4, &bits, lookups, 1)?;
    read_path_figure(&read_path).evcxr_display();

    // cell
    let (bare, ten) = (read_path[0].clone(), read_path[5].clone());
    println!(
        "{} runs. Absent key: {:.2} disk reads without filters, {:.3} with 10 bits per key ({:.1}% saved).",
        bare.runs,
        bare.absent_reads,
        ten.absent_reads,
        100.0 * (1.0 - ten.absent_reads / bare.absent_reads)
    );
    println!(
        "Present key: {:.2} reads without filters, {:.2} with them.",
        bare.present_reads, ten.present_reads
    );

    // cell
    // Try it: leveled compaction, T = 10, 10 bits per key (RocksDB's usual setting). Does a
    // lookup of an absent key average under 0.1 disk reads?
    let prediction: Option<bool> = None;
    let leveled = read_path_experiment(Compaction::Leveled, 10, &[10.0], lookups, 1)?;
    println!(
        "{} runs, {:.3} disk reads per absent key",
        leveled[0].runs, leveled[0].absent_reads
    );
    println!(
        "{}",
        check_prediction(
            prediction,
            leveled[0].absent_reads < 0.1,
            "Each run's filter lets about 0.8% of absent keys through, and leveled keeps only a few runs."
        )
    );

    // end of cells

    // The numbers the prose quotes.
    let right = |message: String| message.starts_with("Right");
    let f3 = |value: f64| format!("{value:.3}");
    let f2 = |value: f64| format!("{value:.2}");
    // Section 1: B+-trees.
    let heights_at = |fanout| min_height(fanout, billion);
    assert_eq!([100, 200, 500, 1_000].map(heights_at), [5, 4, 4, 3]);
    assert_eq!(most_over, [(4, 2), (16, 0), (100, 1)]);
    let fills: Vec<String> = trees.iter().map(|row| f3(row.leaf_fill)).collect();
    assert_eq!(
        fills,
        ["0.500", "1.000", "0.694", "0.694", "0.500", "0.530"]
    );
    let leaves: Vec<usize> = trees.iter().map(|row| row.leaves).collect();
    assert_eq!(leaves, [1_999, 1_000, 1_441, 1_441, 1_999, 1_888]);
    let writes: Vec<String> = trees
        .iter()
        .map(|row| f3(row.page_writes_per_insert))
        .collect();
    assert_eq!(&writes[..3], ["1.041", "1.020", "1.029"]);
    let splits: Vec<String> = trees
        .iter()
        .map(|row| format!("{:.1}", row.splits_per_1000))
        .collect();
    assert_eq!(&splits[..3], ["20.4", "10.1", "14.6"]);
    assert_eq!(rewrite.rows()[0][3], "81.9");
    assert_eq!(rewrite.rows()[1][3], "163.8");
    assert_eq!(f3(rows[0].leaf_fill), "0.530");
    assert!(right(check_prediction(
        Some(false),
        rows[0].leaf_fill > 0.9,
        ""
    )));
    // Section 2: LSM trees.
    let lsm_at = |name: &str, ratio: usize| {
        amplification
            .iter()
            .find(|row| row.compaction == name && row.ratio == ratio)
            .cloned()
            .ok_or("row")
    };
    let (leveled_10, tiered_10) = (lsm_at("leveled", 10)?, lsm_at("size-tiered", 10)?);
    assert_eq!(
        (
            f2(leveled_10.write_amplification),
            leveled_10.runs,
            f2(leveled_10.space_amplification)
        ),
        ("7.68".into(), 2, "1.49".into())
    );
    assert_eq!(
        (
            f2(tiered_10.write_amplification),
            tiered_10.runs,
            f2(tiered_10.space_amplification)
        ),
        ("1.69".into(), 16, "3.99".into())
    );
    assert_eq!(f2(tiered_10.read_amplification), "16.00");
    let writes_all: Vec<f64> = amplification
        .iter()
        .map(|row| row.write_amplification)
        .collect();
    assert_eq!(
        f2(writes_all.iter().copied().fold(f64::INFINITY, f64::min)),
        "1.69"
    );
    assert_eq!(f2(writes_all.iter().copied().fold(0.0, f64::max)), "7.68");
    assert!(
        amplification[..6]
            .iter()
            .all(|row| (5.0..8.0).contains(&row.write_amplification))
    );
    assert!(
        amplification[6..]
            .iter()
            .all(|row| (1.6..5.0).contains(&row.write_amplification))
    );
    assert!(right(check_prediction(Some(true), tiered_writes_less, "")));
    // Section 3: compaction debt.
    let debt_rows = burst_table.rows();
    assert_eq!(
        debt_rows[0][1..],
        ["17", "1.16", "4.9", "15", "54"].map(String::from)
    );
    assert_eq!(
        debt_rows[1][1..],
        ["20", "0.97", "0.4", "2", "2"].map(String::from)
    );
    // Leveled read latency through the burst, every two seconds: it climbs in steps.
    let climb: Vec<String> = debt
        .iter()
        .filter(|row| row.compaction == "leveled" && (20..=28).contains(&row.second))
        .filter(|row| row.second % 2 == 0)
        .map(|row| format!("{:.2}", row.read_latency_ms))
        .collect();
    assert_eq!(climb, ["0.18", "0.43", "0.72", "0.94", "1.13"]);
    let leveled_debt: Vec<&DebtRow> = debt
        .iter()
        .filter(|row| row.compaction == "leveled")
        .collect();
    let recovered = leveled_debt[30..]
        .iter()
        .position(|row| row.waiting_runs == 0);
    assert_eq!(recovered.map(|at| at + 31), Some(71));
    let calm_but_behind: Vec<u32> = leveled_debt
        .iter()
        .filter(|row| row.waiting_runs > 0 && !(21..=70).contains(&row.second))
        .map(|row| row.second)
        .collect();
    assert_eq!(calm_but_behind, [15, 81, 82, 83]);
    assert_eq!(leveled_debt[19].runs, 2);
    assert_eq!((last.waiting_runs, last.runs), (91, 93));
    assert!(right(check_prediction(
        Some(false),
        last.waiting_runs == 0,
        ""
    )));
    // Section 4: tombstones.
    assert_eq!(small.versions(7), Vec::<Option<u64>>::new());
    let tombstone_rows = tombstone_rows.rows();
    assert_eq!(
        tombstone_rows[0][1..],
        ["19.0", "1.00", "40000", "0.035"].map(String::from)
    );
    assert_eq!(
        tombstone_rows[1][1..],
        ["19.0", "1.01", "64000", "0.050"].map(String::from)
    );
    assert_eq!(
        (end.tombstones, format!("{:.1}", end.space_amplification)),
        (18_000, "1.6".into())
    );
    assert!(right(check_prediction(
        Some(false),
        end.tombstones == 0,
        ""
    )));
    // Section 5: sizing and false positives.
    assert_eq!(f2(one_gb), "1.20");
    assert_eq!(sweep.len(), 21);
    assert!(worst < 3.05);
    assert_eq!(best_hash_count(&by_k), Some(6));
    assert_eq!(best_k, Some(8));
    assert!(right(check_prediction(Some(8), best_k.unwrap_or(0), "")));
    // Section 6: overload, deletes, scalable filters, a stale filter.
    assert_eq!(
        (f3(twice.measured), f3(twice.predicted)),
        ("0.158".into(), "0.157".into())
    );
    assert_eq!(
        (f3(five_times.measured), f3(five_times.predicted)),
        ("0.827".into(), "0.832".into())
    );
    assert_eq!(f3(seed_numbers), "0.832");
    assert_eq!(
        (deletions[0].false_negatives, deletions[1].false_negatives),
        (3_689, 0)
    );
    assert_eq!(deletions[1].deleted_still_present, 7);
    assert_eq!(deletions[1].memory_bits, 4 * deletions[0].memory_bits);
    assert_eq!(
        (stuck.overflows(), removed, stuck.contains("hot key")),
        (15, 20, true)
    );
    let last = scalable.last().ok_or("row")?;
    assert_eq!(
        (
            format!("{:.4}", last.fixed_measured),
            format!("{:.4}", last.scalable_measured)
        ),
        ("1.0000".into(), "0.0101".into())
    );
    assert_eq!(
        (
            format!("{:.4}", last.scalable_bound),
            last.stages,
            format!("{:.1}", last.scalable_bits_per_key)
        ),
        ("0.0097".into(), 5, "24.2".into())
    );
    assert!(
        scalable
            .iter()
            .all(|row| row.scalable_measured <= row.scalable_bound + 0.001)
    );
    assert!(right(check_prediction(Some(true), above_one_percent, "")));
    assert_eq!(format!("{:.4}", strict[0].measured), "0.0570");
    assert_eq!(
        (
            day_end.added_since_rebuild,
            format!("{:.1}", 100.0 * day_end.found_by_filter_alone)
        ),
        (12_000, "1.1".into())
    );
    assert!(recent.iter().all(|row| row.found_with_side_set == 1.0));
    assert_eq!(next_day.added_since_rebuild, 500);
    assert_eq!(format!("{:.1}", 100.0 * found), "10.4");
    assert!(right(check_prediction(Some(false), found > 0.5, "")));
    // Section 7: the read path.
    assert_eq!(
        (bare.runs, f2(bare.absent_reads), f3(ten.absent_reads)),
        (6, "6.00".into(), "0.060".into())
    );
    assert_eq!(
        format!(
            "{:.1}",
            100.0 * (1.0 - ten.absent_reads / bare.absent_reads)
        ),
        "99.0"
    );
    assert_eq!(
        (f2(bare.present_reads), f2(ten.present_reads)),
        ("4.68".into(), "1.02".into())
    );
    assert_eq!(
        (leveled[0].runs, f3(leveled[0].absent_reads)),
        (2, "0.013".into())
    );
    assert!(right(check_prediction(
        Some(true),
        leveled[0].absent_reads < 0.1,
        ""
    )));
    // The live views at their starting values and at each value the prose suggests.
    let lsm_at = |ratio: i64, keys: i64| -> Result<Vec<Vec<String>>, Box<dyn Error>> {
        let table = lsm_view(&Values::of(&[
            Control::int("T", 2..=10, ratio)?,
            Control::int("live keys", 500..=5_000, keys)?,
        ]))?;
        Ok(table.rows().to_vec())
    };
    let start = lsm_at(10, 2_000)?;
    assert_eq!([&start[0][2], &start[1][2]], ["7.66", "1.69"]);
    assert_eq!(start[1][1], "16");
    let larger = lsm_at(10, 5_000)?;
    assert_eq!([&larger[0][2], &larger[1][2]], ["10.02", "2.21"]);
    let narrow = lsm_at(3, 2_000)?;
    assert_eq!([&narrow[0][2], &narrow[1][2]], ["5.56", "3.27"]);
    assert_eq!(narrow[1][1], "5");
    let bloom_at = |bits: i64, hashes: i64| -> Result<String, Box<dyn Error>> {
        let figure = bloom_view(&Values::of(&[
            Control::int("bits per key", 1..=20, bits)?,
            Control::int("hashes (k)", 1..=16, hashes)?,
        ]))?;
        Ok(figure.title().to_string())
    };
    assert_eq!(
        bloom_at(8, 6)?,
        "k = 6: 0.0221 measured; k = 6 would give 0.0216"
    );
    assert!(bloom_at(8, 1)?.starts_with("k = 1: 0.1182 measured"));
    assert!(bloom_at(8, 14)?.starts_with("k = 14: 0.0738 measured"));
    assert!(bloom_at(12, 8)?.ends_with("k = 8 would give 0.0031"));
    Ok(())
}
