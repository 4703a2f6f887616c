//! The Rust code of `notebooks/15b-cache-patterns.ipynb`, cell by cell, as one program.
//!
//! Each `// cell` line starts the code of the next notebook code cell (after the `:dep` cell); a
//! cell whose last line is a bare variable shows that value, which here is spelled
//! `variable.evcxr_display();`. `tests/caching_patterns_notebook.rs` checks that the two stay
//! identical, runs this program, and the assertions at the end pin the numbers the notebook's
//! prose quotes.
//!
//! Run it with `cargo run -p lessons --example caching_patterns`.

use std::error::Error;

pub fn main() -> Result<(), Box<dyn Error>> {
    // cell
    use lessons::caching::*;
    use lessons::sim::{Time, ms, secs};
    use lessons::table::Table;
    use lessons::try_it::check_prediction;

    // cell
    let patterns = [
        CachePattern::CacheAside,
        CachePattern::ReadThrough,
        CachePattern::WriteThrough,
        CachePattern::WriteBehind {
            flush_every: secs(1),
        },
        CachePattern::WriteAround,
    ];
    let workload = PatternWorkload::typical();
    let pattern_rows = pattern_experiment(workload, &patterns, 1)?;
    let pattern_summary = pattern_table(&pattern_rows)?;
    pattern_summary.evcxr_display();

    // cell
    let latency_figure = pattern_latency_figure(&pattern_rows);
    latency_figure.evcxr_display();

    // cell
    let with_outside_writer = PatternWorkload {
        outside_writes_per_second: 20.0,
        ..workload
    };
    let invalidations = [
        Invalidation::TtlOnly,
        Invalidation::ChangeDataCapture { delay: ms(200) },
        Invalidation::ChangeDataCapture { delay: secs(2) },
    ];
    let outside_rows = outside_writer_experiment(with_outside_writer, &invalidations, 1)?;
    let outside_summary = pattern_table(&outside_rows)?;
    outside_summary.evcxr_display();

    // cell
    // Try it: flush ten times as often. Does write-behind still lose acknowledged writes
    // when the cache crashes three times?
    let flush_every = ms(100);
    let prediction: Option<bool> = None;
    let faster = pattern_experiment(workload, &[CachePattern::WriteBehind { flush_every }], 1)?;
    println!("lost writes: {}", faster[0].lost_writes);
    println!(
        "{}",
        check_prediction(
            prediction,
            faster[0].lost_writes > 0,
            "A crash loses every write since the last flush: on average half a flush interval's worth."
        )
    );

    // cell
    let schemes = [
        InvalidationScheme::DeleteOnWrite,
        InvalidationScheme::VersionedSet,
        InvalidationScheme::DelayedDoubleDelete { delay: ms(500) },
    ];
    let mut checks = Vec::new();
    for scheme in schemes {
        checks.push(InvalidationRace::new(scheme, 2, 2)?.check());
    }
    let racy = InvalidationRace::new(InvalidationScheme::DeleteOnWrite, 1, 1)?;
    println!("{}", racy.shortest_violation().unwrap_or_default());
    let race_checks = Table::from_rows(&checks)?;
    race_checks.evcxr_display();

    // cell
    let stalls = [0.0, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0];
    let race_rows = invalidation_race_experiment(RaceWorkload::typical(), &schemes, &stalls, 1)?;
    let stale_figure = race_figure(&race_rows);
    stale_figure.evcxr_display();

    // cell
    let one_in_five: Vec<RaceRow> = race_rows
        .iter()
        .filter(|row| row.stall_probability == 0.2)
        .cloned()
        .collect();
    let race_summary = race_table(&one_in_five)?;
    race_summary.evcxr_display();

    // cell
    // Try it: wait longer before the second delete. Does double delete serve fewer stale
    // reads at a stall chance of 0.2 than with 500 ms?
    let delay = secs(2);
    let prediction: Option<bool> = None;
    let later = InvalidationScheme::DelayedDoubleDelete { delay };
    let rerun = invalidation_race_experiment(RaceWorkload::typical(), &[later], &[0.2], 1)?;
    println!("stale reads: {:.2}%", 100.0 * rerun[0].stale_fraction);
    println!(
        "{}",
        check_prediction(
            prediction,
            rerun[0].stale_reads < one_in_five[2].stale_reads,
            "The second delete removes a stale value, but only when it comes: until then every read of it is stale."
        )
    );

    // cell
    let hot = HotKey {
        requests_per_second: 10_000.0,
        ttl: secs(1),
        fetch: ms(100),
        duration: ms(1_500),
    };
    let strategies = [
        RefreshStrategy::NoProtection,
        RefreshStrategy::Mutex { poll: ms(50) },
        RefreshStrategy::Singleflight,
        RefreshStrategy::StaleWhileRevalidate { window: secs(1) },
        RefreshStrategy::EarlyRefresh { beta: 1.0 },
    ];
    let stampede = stampede_experiment(hot, &strategies, ms(10), 1)?;
    let stampede_summary = stampede_table(&stampede.summary)?;
    stampede_summary.evcxr_display();

    // cell
    let load_figure = stampede_figure(&stampede.load);
    load_figure.evcxr_display();

    // cell
    // Try it: a key asked for 100 times a second instead of 10,000. Does early refresh still
    // send more than one query for one refresh?
    let rate = 100.0;
    let prediction: Option<bool> = None;
    let calmer = HotKey {
        requests_per_second: rate,
        ..hot
    };
    let early = [RefreshStrategy::EarlyRefresh { beta: 1.0 }];
    let calm = stampede_experiment(calmer, &early, ms(10), 1)?;
    println!(
        "most queries for one refresh: {}",
        calm.summary[0].most_queries_per_refill
    );
    println!(
        "{}",
        check_prediction(
            prediction,
            calm.summary[0].most_queries_per_refill > 1,
            "Fewer requests near expiry means fewer coin flips that can come up 'refresh' during a fetch."
        )
    );

    // cell
    let warm_up = MassExpiry {
        keys: 10_000_000,
        ttl: secs(3_600),
        warmup: secs(10),
        jitter: Time::ZERO,
    };
    let jittered = MassExpiry {
        jitter: secs(600),
        ..warm_up
    };
    let expiry_rows = mass_expiry_experiment(warm_up, &[Time::ZERO, secs(600)], secs(1), 1)?;
    // The highest count per second, without jitter (0) and with it (1).
    let mut peaks = [0.0_f64; 2];
    for row in &expiry_rows {
        let with_jitter = usize::from(row.jitter_s > 0.0);
        peaks[with_jitter] = peaks[with_jitter].max(row.per_second);
    }
    let bounds = [warm_up.peak_per_second(), jittered.peak_per_second()];
    println!(
        "no jitter: peak {:.0}/s, bound {:.0}/s",
        peaks[0], bounds[0]
    );
    println!(
        "600 s of jitter: peak {:.0}/s, bound {:.0}/s",
        peaks[1], bounds[1]
    );
    mass_expiry_figure(&expiry_rows).evcxr_display();

    // cell
    let attack = Penetration {
        valid_keys: 100_000,
        attack_per_second: 5_000.0,
        legit_per_second: 1_000.0,
        duration: secs(10),
    };
    let defenses = [
        PenetrationDefense::none(),
        PenetrationDefense::cache_nulls(secs(1)),
        PenetrationDefense::bloom(0.01),
        PenetrationDefense::both(0.01, secs(1)),
    ];
    let absent = [100, 10_000, 1_000_000, 100_000_000];
    let attack_rows = penetration_experiment(attack, &absent, &defenses, 1)?;
    let attack_summary = penetration_table(&attack_rows)?;
    attack_summary.evcxr_display();

    // cell
    let attack_figure = penetration_figure(&attack_rows);
    attack_figure.evcxr_display();

    // cell
    // Try it: keep cached nulls for 10 s. Against an attacker cycling through 100 absent
    // keys, do cached nulls alone now send fewer queries than the Bloom filter alone?
    let null_ttl = secs(10);
    let prediction: Option<bool> = None;
    let longer = [
        PenetrationDefense::cache_nulls(null_ttl),
        PenetrationDefense::bloom(0.01),
    ];
    let duel = penetration_experiment(attack, &[100], &longer, 1)?;
    println!(
        "nulls: {:.1}/s, Bloom: {:.1}/s",
        duel[0].db_queries_per_second, duel[1].db_queries_per_second
    );
    println!(
        "{}",
        check_prediction(
            prediction,
            duel[0].db_queries < duel[1].db_queries,
            "A cached null stops a repeated key for its whole TTL; a Bloom filter lets the same 1% through every time."
        )
    );

    // end of cells
    let right = |text: String| text.starts_with("Right");
    let percent = |count: u64, total: u64| format!("{:.2}", 100.0 * count as f64 / total as f64);

    // Cache patterns: hit rates, write latencies, lost and stale writes.
    let hit = |row: &PatternRow| format!("{:.1}", 100.0 * row.hit_rate);
    assert_eq!(
        PatternRow {
            pattern: "read-through".into(),
            ..pattern_rows[0].clone()
        },
        pattern_rows[1]
    );
    assert_eq!(
        (hit(&pattern_rows[0]), hit(&pattern_rows[2])),
        ("88.1".into(), "97.0".into())
    );
    let writes: Vec<f64> = pattern_rows.iter().map(|row| row.mean_write_ms).collect();
    assert_eq!(writes, [11.0, 11.0, 11.0, 1.0, 10.0]);
    let behind = &pattern_rows[3];
    assert_eq!(behind.lost_writes, 79);
    assert_eq!(percent(behind.stale_reads, behind.reads), "0.61");
    assert_eq!(format!("{:.0}", behind.longest_stale_s), "31");
    let around = &pattern_rows[4];
    assert_eq!(percent(around.stale_reads, around.reads), "65.60");
    assert!(around.longest_stale_s > 59.0 && around.longest_stale_s < 60.0);
    assert!(
        pattern_rows[..3]
            .iter()
            .all(|row| row.stale_reads == 0 && row.lost_writes == 0)
    );
    // Outside writers: TTL only against CDC.
    let ttl_only = &outside_rows[0];
    assert_eq!(percent(ttl_only.stale_reads, ttl_only.reads), "11.11");
    assert_eq!(format!("{:.0}", ttl_only.longest_stale_s), "43");
    assert_eq!(format!("{:.2}", outside_rows[1].longest_stale_s), "0.20");
    assert_eq!(format!("{:.2}", outside_rows[2].longest_stale_s), "2.00");
    assert!(right(check_prediction(
        Some(true),
        faster[0].lost_writes > 0,
        ""
    )));
    assert_eq!(faster[0].lost_writes, 14);

    // The race: the explorer, then the simulation.
    assert_eq!(
        racy.shortest_violation().map(|text| text.lines().count()),
        Some(5)
    );
    assert_eq!(
        checks.iter().map(|row| row.holds).collect::<Vec<_>>(),
        [false, true, false]
    );
    assert_eq!(
        (checks[1].distinct_states, checks[1].exhausted),
        (547, true)
    );
    assert_eq!(
        (checks[0].shortest_violation, checks[2].shortest_violation),
        (Some(5), Some(5))
    );
    let stale = |row: &RaceRow| format!("{:.2}", 100.0 * row.stale_fraction);
    assert_eq!(
        one_in_five.iter().map(stale).collect::<Vec<_>>(),
        ["5.92", "0.00", "4.35"]
    );
    assert_eq!(format!("{:.2}", one_in_five[0].longest_stale_s), "2.82");
    assert_eq!(format!("{:.2}", one_in_five[2].longest_stale_s), "0.57");
    assert!(
        race_rows
            .iter()
            .filter(|row| row.scheme == "versioned set")
            .all(|row| row.stale_reads == 0)
    );
    let no_stalls = &race_rows[0];
    assert_eq!((stale(no_stalls), no_stalls.stale_sets), ("0.23".into(), 2));
    assert!(right(check_prediction(
        Some(false),
        rerun[0].stale_reads < one_in_five[2].stale_reads,
        ""
    )));
    assert_eq!(stale(&rerun[0]), "6.05");

    // Stampedes.
    let summary = &stampede.summary;
    assert_eq!(
        summary.iter().map(|row| row.db_queries).collect::<Vec<_>>(),
        [1_007, 1, 1, 1, 8]
    );
    assert_eq!(hot.expected_stampede(), 1_001.0);
    let wait = |row: &StampedeRow| format!("{:.2}", row.mean_wait_ms);
    assert_eq!(
        (wait(&summary[1]), wait(&summary[2])),
        ("5.04".into(), "3.41".into())
    );
    assert_eq!(
        (summary[3].stale_reads, summary[3].max_wait_ms),
        (1_007, 0.0)
    );
    assert_eq!(
        (summary[4].refills, summary[4].most_queries_per_refill),
        (3, 3)
    );
    assert_eq!(summary[4].most_misses_per_refill, 0);
    assert!(right(check_prediction(
        Some(false),
        calm.summary[0].most_queries_per_refill > 1,
        ""
    )));
    assert_eq!(calm.summary[0].refills, 2);

    // Mass expiry.
    assert_eq!(peaks, [1_001_678.0, 17_010.0]);
    assert_eq!(format!("{:.0}", jittered.peak_per_second()), "16667");

    // Penetration.
    let load = |defense: &str, keys: u64| {
        let row = attack_rows
            .iter()
            .find(|row| row.defense == defense && row.absent_keys == keys);
        row.map_or(f64::NAN, |row| row.db_queries_per_second)
    };
    assert_eq!(
        (load("nulls 1s", 100), load("nulls 1s", 10_000)),
        (100.0, 3_398.1)
    );
    assert_eq!(load("nulls 1s", 1_000_000), 4_985.0);
    let blooms: Vec<f64> = absent
        .iter()
        .map(|&keys| load("Bloom 0.01", keys))
        .collect();
    assert!(
        blooms.iter().all(|&rate| (45.0..55.0).contains(&rate)),
        "{blooms:?}"
    );
    assert_eq!(load("Bloom 0.01 + nulls 1s", 100), 1.0);
    assert!(
        attack_rows
            .iter()
            .all(|row| row.legit_blocked == 0 && row.legit_requests > 9_000)
    );
    let junk = attack_rows
        .iter()
        .find(|row| row.defense == "nulls 1s" && row.absent_keys == 1_000_000);
    assert_eq!(junk.map(|row| row.nulls_cached), Some(4_909));
    assert!(right(check_prediction(
        Some(true),
        duel[0].db_queries < duel[1].db_queries,
        ""
    )));
    assert_eq!(
        (duel[0].db_queries_per_second, duel[1].db_queries_per_second),
        (10.0, 52.6)
    );
    Ok(())
}
