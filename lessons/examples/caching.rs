//! The Rust code of `notebooks/15-caching.ipynb`, cell by cell, as one program.
//!
//! Each `// cell` line starts the code of the next notebook code cell (after the `:dep` cell); a
//! cell whose last line is a bare variable shows that value, which here is spelled
//! `variable.evcxr_display();`. `tests/caching_notebook.rs` checks that the two stay identical,
//! runs this program, and the assertions at the end pin the numbers the notebook's prose quotes.
//!
//! Run it with `cargo run -p lessons --example caching`.

use std::error::Error;

pub fn main() -> Result<(), Box<dyn Error>> {
    // cell
    use lessons::caching::*;
    use lessons::display::RichDisplay;
    use lessons::sim::*;
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
    let minute = secs(60);
    let mut c11_rows = Vec::new();
    for ttl in [30, 60, 61, 90, 120, 121] {
        c11_rows.push(ttl_run(
            Access::Periodic,
            Expiry::FromFill,
            minute,
            secs(ttl),
            600,
            1,
        )?);
    }
    let c11_table = Table::from_rows(&c11_rows)?;
    c11_table.evcxr_display();

    // cell
    let ttls: Vec<Time> = (1..=24).map(|k| secs(15 * k)).collect();
    let ttl_rows = ttl_sweep(minute, &ttls, 4_000, 1)?;
    ttl_figure(&ttl_rows, Expiry::FromFill).show();
    ttl_figure(&ttl_rows, Expiry::RefreshOnHit).show();
    let at_one_and_a_half: Vec<TtlRow> = ttl_rows
        .iter()
        .filter(|row| row.ttl_over_period == 1.5)
        .cloned()
        .collect();
    Table::from_rows(&at_one_and_a_half)?.show();

    // cell
    let prediction: Option<usize> = None; // misses in 600 reads, TTL 150 s, a read every 60 s
    let longer = ttl_run(
        Access::Periodic,
        Expiry::FromFill,
        minute,
        secs(150),
        600,
        1,
    )?;
    println!(
        "{}",
        check_prediction(
            prediction,
            longer.misses,
            "A fill at time f serves the reads at f + 60 s and f + 120 s; the read at f + 180 s \
             comes after f + 150 s and misses: one miss every ⌈150/60⌉ = 3 reads."
        )
    );

    // cell
    let keys = 10_000;
    let trace = KeyTrace::zipf(keys, 1.0)?.generate(100_000, 1)?;
    let policies = [
        Policy::Lru,
        Policy::Lfu,
        Policy::Fifo,
        Policy::Random,
        Policy::SampledLru { samples: 5 },
        Policy::Optimal,
    ];
    let sizes = [10, 30, 100, 300, 1_000, 3_000];
    let sweep = eviction_sweep(&trace, keys, &policies, &sizes, 50_000.0, 1)?;
    hit_rate_figure(&sweep, "Zipf(1), 10,000 keys").show();

    // cell
    let mut c27_table = Table::new([
        "slots",
        "random",
        "LRU",
        "OPT",
        "random vs LRU",
        "random vs OPT",
    ]);
    for size in sizes {
        let random = hit_rate_at(&sweep, Policy::Random, size).unwrap_or(0.0);
        let lru = hit_rate_at(&sweep, Policy::Lru, size).unwrap_or(0.0);
        let best = hit_rate_at(&sweep, Policy::Optimal, size).unwrap_or(0.0);
        c27_table.push_row([
            size.to_string(),
            format!("{random:.3}"),
            format!("{lru:.3}"),
            format!("{best:.3}"),
            format!("{:+.0}%", 100.0 * (random / lru - 1.0)),
            format!("{:+.0}%", 100.0 * (random / best - 1.0)),
        ])?;
    }
    c27_table.evcxr_display();

    // cell
    let mut frequency_table =
        Table::new(["slots", "H(C)/H(K)", "top C pinned, measured", "LFU", "OPT"]);
    for size in sizes {
        frequency_table.push_row([
            size.to_string(),
            format!("{:.3}", top_keys_hit_rate(keys, 1.0, size)?),
            format!("{:.3}", pinned_hit_rate(&trace, size)),
            format!(
                "{:.3}",
                hit_rate_at(&sweep, Policy::Lfu, size).unwrap_or(0.0)
            ),
            format!(
                "{:.3}",
                hit_rate_at(&sweep, Policy::Optimal, size).unwrap_or(0.0)
            ),
        ])?;
    }
    frequency_table.evcxr_display();

    // cell
    backend_load_figure(&sweep).show();

    // cell
    let scanned = KeyTrace::zipf(keys, 1.0)?
        .with_scans(40_000, 5_000)?
        .generate(100_000, 2)?;
    let scan_policies = [
        Policy::Lru,
        Policy::Lfu,
        Policy::SampledLru { samples: 5 },
        Policy::Optimal,
    ];
    let across_scans = hit_rate_over_time(&scanned, &scan_policies, 1_000, 2_000, 1)?;
    timeline_figure(&across_scans, "5,000-key scans at 40,000 and 80,000").show();
    let scan_ends: Vec<TimelineRow> = across_scans
        .iter()
        .filter(|row| row.requests == 46_000)
        .cloned()
        .collect();
    Table::from_rows(&scan_ends)?.show();
    let scan_rows = scan_experiment(&scanned, keys, &scan_policies, 1_000, 1)?;
    Table::from_rows(&scan_rows)?.show();

    // cell
    let shifted = KeyTrace::zipf(keys, 1.0)?
        .with_shift_at(50_000)
        .generate(100_000, 3)?;
    let shift_policies = [
        Policy::Lru,
        Policy::Lfu,
        Policy::DecayingLfu { halve_every: 5_000 },
    ];
    let across_shift = hit_rate_over_time(&shifted, &shift_policies, 1_000, 2_000, 1)?;
    timeline_figure(&across_shift, "the hot keys change at 50,000 requests").show();
    for policy in shift_policies {
        let late = mean_hit_rate_after(&across_shift, policy, 90_000).unwrap_or(0.0);
        println!("{policy}: {late:.3} over the last 10,000 requests");
    }

    // cell
    let prediction: Option<bool> = None; // does sampled LRU(10) come within 1% of LRU at 100 slots?
    let ten_samples = hit_rate(&replay(Policy::SampledLru { samples: 10 }, 100, &trace, 1)?);
    let exact_lru = hit_rate_at(&sweep, Policy::Lru, 100).unwrap_or(0.0);
    let gap = 1.0 - ten_samples / exact_lru;
    println!(
        "{}",
        check_prediction(
            prediction,
            gap.abs() < 0.01,
            format!(
                "LRU {exact_lru:.4}, sampled LRU (10) {ten_samples:.4}: {:.2}% apart.",
                100.0 * gap
            )
        )
    );

    // cell
    let arc_rows = eviction_sweep(&trace, keys, &[Policy::Arc], &sizes, 50_000.0, 1)?;
    let mut with_arc = sweep.clone();
    with_arc.extend(arc_rows);
    hit_rate_figure(&with_arc, "Zipf(1), 10,000 keys, with ARC").show();
    let mut arc_table = Table::new(["slots", "LRU", "LFU", "ARC", "OPT"]);
    for size in sizes {
        let rates = [Policy::Lru, Policy::Lfu, Policy::Arc, Policy::Optimal]
            .map(|policy| format!("{:.3}", hit_rate_at(&with_arc, policy, size).unwrap_or(0.0)));
        arc_table.push_row([vec![size.to_string()], rates.to_vec()].concat())?;
    }
    arc_table.evcxr_display();

    // cell
    let arc_policies = [Policy::Lru, Policy::Lfu, Policy::Arc];
    let arc_scans = hit_rate_over_time(&scanned, &arc_policies, 1_000, 2_000, 1)?;
    timeline_figure(&arc_scans, "ARC across the 5,000-key scans").show();
    let arc_scan_rows = scan_experiment(&scanned, keys, &arc_policies, 1_000, 1)?;
    Table::from_rows(&arc_scan_rows)?.show();
    let arc_after_scan = arc_scans
        .iter()
        .find(|row| row.policy == "ARC" && row.requests == 46_000)
        .map_or(0.0, |row| row.hit_rate);
    let arc_shift = hit_rate_over_time(&shifted, &[Policy::Arc], 1_000, 2_000, 1)?;
    let arc_late = mean_hit_rate_after(&arc_shift, Policy::Arc, 90_000).unwrap_or(0.0);
    println!("ARC in the window that ends the first scan: {arc_after_scan:.2}");
    println!("ARC after the shift: {arc_late:.3} over the last 10,000 requests");

    // cell
    let prediction: Option<bool> = None; // 20,000-key scans: does ARC still beat LRU outside them?
    let scan_length = 20_000;
    let long_scans = KeyTrace::zipf(keys, 1.0)?
        .with_scans(40_000, scan_length)?
        .generate(100_000, 2)?;
    let long_rows = scan_experiment(&long_scans, keys, &[Policy::Lru, Policy::Arc], 1_000, 1)?;
    let (lru_outside, arc_outside) = (
        long_rows[0].hit_rate_outside_scans,
        long_rows[1].hit_rate_outside_scans,
    );
    println!(
        "{}",
        check_prediction(
            prediction,
            arc_outside > lru_outside,
            format!(
                "Outside the scans: LRU {lru_outside:.3}, ARC {arc_outside:.3}. Scan keys pass \
                 through T1 once and never reach T2, however long the scan."
            )
        )
    );

    // cell
    let cdn = CdnTrace::new(keys, 1.0, 0.8)?;
    let cdn_trace = cdn.generate(100_000, 1)?;
    let one_hit_requests = cdn_trace.iter().filter(|&&key| key >= keys as u64).count();
    println!(
        "{one_hit_requests} of {} requests are for one-hit objects; {:.1}% of the distinct \
         objects are requested exactly once",
        cdn_trace.len(),
        100.0 * share_requested_once(&cdn_trace)
    );
    let cdn_policies = [
        Policy::Lru,
        Policy::Lfu,
        Policy::DecayingLfu { halve_every: 5_000 },
        Policy::SecondHit { window: 10_000 },
        Policy::Arc,
        Policy::Optimal,
        Policy::OptimalWithBypass,
    ];
    let cdn_sizes = [10, 30, 100, 300, 1_000, 3_000];
    let cdn_rows = cdn_sweep(&cdn_trace, &cdn_policies, &cdn_sizes, 1)?;
    cdn_figure(&cdn_rows, "CDN trace, 80% one-hit objects").show();

    // cell
    let cdn_at: Vec<CdnRow> = cdn_rows
        .iter()
        .filter(|row| row.capacity == 100 || row.capacity == 1_000)
        .cloned()
        .collect();
    let cdn_table = Table::from_rows(&cdn_at)?;
    cdn_table.evcxr_display();

    // cell
    let tiny = [1, 1, 2, 1, 3, 1, 4, 1];
    for policy in [
        Policy::Optimal,
        Policy::SecondHit { window: 10 },
        Policy::OptimalWithBypass,
    ] {
        let tiny_hits = replay(policy, 1, &tiny, 0)?
            .iter()
            .filter(|&&hit| hit)
            .count();
        println!("{policy}: {tiny_hits} hits of 8");
    }

    // cell
    let prediction: Option<bool> = None; // 30% one-hit objects: does second hit still beat LFU at 1,000 slots?
    let one_hit_share = 0.3;
    let fewer = CdnTrace::new(keys, 1.0, one_hit_share)?.generate(100_000, 1)?;
    let duel_policies = [Policy::Lfu, Policy::SecondHit { window: 10_000 }];
    let fewer_rows = cdn_sweep(&fewer, &duel_policies, &[1_000], 1)?;
    let (lfu_rate, second_rate) = (fewer_rows[0].hit_rate, fewer_rows[1].hit_rate);
    println!(
        "{}",
        check_prediction(
            prediction,
            second_rate > lfu_rate,
            format!(
                "{:.0}% one-hit objects, 1,000 slots: LFU {lfu_rate:.3}, second hit \
                 {second_rate:.3}. Second hit pays one miss per object that comes back; LFU \
                 pays for every one-hit object it stores.",
                100.0 * one_hit_share
            )
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
    let kept_longer = [
        PenetrationDefense::cache_nulls(null_ttl),
        PenetrationDefense::bloom(0.01),
    ];
    let duel = penetration_experiment(attack, &[100], &kept_longer, 1)?;
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

    // cell
    use lessons::viz::Figure;
    use lessons::widgets::{Control, Values, interact};

    fn avalanche_view(values: &Values) -> Result<Figure, SimError> {
        let cache = MassExpiry {
            keys: 1_000_000,
            ttl: secs(3_600),
            warmup: secs(values.int("warm-up (s)")),
            jitter: Time::ZERO,
        };
        let jitter = secs(values.int("jitter (s)"));
        let rows = mass_expiry_experiment(cache, &[jitter], secs(1), 1)?;
        let peak = rows.iter().map(|row| row.per_second).fold(0.0, f64::max);
        let bound = MassExpiry { jitter, ..cache }.peak_per_second();
        let title = format!("Peak {peak:.0}/s; keys / max(warm-up, jitter) = {bound:.0}/s");
        let counts = rows.iter().map(|row| (row.time_s, row.per_second));
        Ok(Figure::new(title)
            .x_label("time since warm-up started (s)")
            .y_label("expirations per second")
            .step(format!("jitter {jitter}"), counts))
    }
    interact(
        vec![
            Control::int("warm-up (s)", 1..=900, 10)?,
            Control::int("jitter (s)", 0..=1_800, 600)?,
        ],
        avalanche_view,
    )?;

    // cell
    let mut hot_rows = Vec::new();
    for ttl in [secs(1), secs(5)] {
        for servers in [10, 30, 100, 300, 1_000, 3_000] {
            hot_rows.push(hot_key_run(servers, ttl, 100_000.0, secs(5), 1)?);
        }
    }
    hot_key_figure(&hot_rows).show();

    // cell
    let mut by_rate = Vec::new();
    for rate in [1_000.0, 10_000.0, 100_000.0] {
        by_rate.push(hot_key_run(100, secs(1), rate, secs(10), 1)?);
        by_rate.push(hot_key_run(1_000, secs(1), rate, secs(10), 1)?);
    }
    let rate_table = Table::from_rows(&by_rate)?;
    rate_table.evcxr_display();

    // cell
    let prediction: Option<bool> = None; // 1,000 servers, TTL 5 s, Q = 100K: backend under 1K/s?
    let five_seconds = hot_key_run(1_000, secs(5), 100_000.0, secs(5), 1)?;
    println!(
        "{}",
        check_prediction(
            prediction,
            five_seconds.backend_per_second < 1_000.0,
            format!(
                "{:.0} requests/s reach the backend: each of the 1,000 servers refreshes about \
                 once per 5 s TTL (bound S/T = {:.0}/s), whatever Q is.",
                five_seconds.backend_per_second, five_seconds.bound_per_second
            )
        )
    );

    // cell
    fn hot_key_view(values: &Values) -> Result<Table, Box<dyn std::error::Error>> {
        let servers = values.int("servers (S)") as usize;
        let ttl = secs(values.int("TTL in s (T)"));
        let rate: f64 = values.choice("requests/s (Q)").replace(',', "").parse()?;
        let row = hot_key_run(servers, ttl, rate, secs(5), 1)?;
        Ok(Table::from_rows(&[row])?)
    }
    interact(
        vec![
            Control::int("servers (S)", 10..=3_000, 100)?,
            Control::int("TTL in s (T)", 1..=5, 1)?,
            Control::choice("requests/s (Q)", &["1,000", "10,000", "100,000"], 2)?,
        ],
        hot_key_view,
    )?;

    // cell
    let prediction: Option<bool> = None; // Zipf(0.8): is random within 15% of OPT at 100 slots?
    let flatter = KeyTrace::zipf(keys, 0.8)?.generate(100_000, 1)?;
    let flat_rows = eviction_sweep(
        &flatter,
        keys,
        &[Policy::Random, Policy::Lru, Policy::Optimal],
        &[100],
        1.0,
        1,
    )?;
    let (random, best) = (flat_rows[0].hit_rate, flat_rows[2].hit_rate);
    println!(
        "{}",
        check_prediction(
            prediction,
            random >= 0.85 * best,
            format!(
                "random {random:.3}, LRU {:.3}, OPT {best:.3}: random is {:.0}% below OPT. The \
                 flatter the popularity, the more the future knowledge of OPT is worth.",
                flat_rows[1].hit_rate,
                100.0 * (1.0 - random / best)
            )
        )
    );
    // end of cells

    // Section 1: the TTL table, the sweep at T/P = 1.5, and the try-it with its prediction set.
    let misses: Vec<usize> = c11_rows.iter().map(|row| row.misses).collect();
    assert_eq!(misses, [600, 600, 300, 300, 300, 200]);
    let at_one_and_a_half: Vec<(usize, f64)> = at_one_and_a_half
        .iter()
        .map(|row| (row.misses, row.miss_rate))
        .collect();
    assert_eq!(
        at_one_and_a_half,
        [(2_000, 0.5), (1, 0.0003), (1_598, 0.3995), (886, 0.2215)]
    );
    let right = |message: String| message.starts_with("Right");
    assert!(right(check_prediction(Some(200), longer.misses, "")));
    // The variations the prose suggests: TTL 180 s and 181 s.
    for (ttl, misses) in [(180, 200), (181, 150)] {
        let row = ttl_run(
            Access::Periodic,
            Expiry::FromFill,
            minute,
            secs(ttl),
            600,
            1,
        )?;
        assert_eq!(row.misses, misses, "TTL {ttl} s");
    }

    // Section 2: the policies on Zipf(1), claim C27, the top keys, scans and the shift.
    let rate_of = |policy, size| hit_rate_at(&sweep, policy, size).unwrap_or(0.0);
    let after_shift = |policy| mean_hit_rate_after(&across_shift, policy, 90_000).unwrap_or(0.0);
    let three = |value: f64| format!("{value:.3}");
    let at_100: Vec<String> = [Policy::Random, Policy::Lru, Policy::Lfu, Policy::Optimal]
        .map(|policy| three(rate_of(policy, 100)))
        .to_vec();
    assert_eq!(at_100, ["0.341", "0.389", "0.493", "0.580"]);
    assert_eq!(
        three(rate_of(Policy::SampledLru { samples: 5 }, 100)),
        "0.383"
    );
    let random_vs_optimal: Vec<String> = sizes
        .iter()
        .map(|&size| {
            format!(
                "{:.0}",
                100.0 * (rate_of(Policy::Random, size) / rate_of(Policy::Optimal, size) - 1.0)
            )
        })
        .collect();
    assert_eq!(
        random_vs_optimal,
        ["-66", "-54", "-41", "-32", "-22", "-12"]
    );
    let random_vs_lru: Vec<String> = sizes
        .iter()
        .map(|&size| {
            format!(
                "{:.0}",
                100.0 * (rate_of(Policy::Random, size) / rate_of(Policy::Lru, size) - 1.0)
            )
        })
        .collect();
    assert_eq!(random_vs_lru, ["-13", "-16", "-12", "-9", "-6", "-4"]);
    assert_eq!(three(top_keys_hit_rate(keys, 1.0, 100)?), "0.530");
    assert_eq!(three(pinned_hit_rate(&trace, 100)), "0.528");
    assert_eq!(rate_of(Policy::Lru, 100), 0.3885);
    let lru_load = sweep
        .iter()
        .find(|row| row.policy == "LRU" && row.capacity == 100);
    assert_eq!(lru_load.map(|row| row.backend_per_second), Some(30_575.0));
    let scan_rates: Vec<String> = scan_ends
        .iter()
        .zip(&scan_rows)
        .map(|(ending, row)| format!("{:.2} {:.3}", ending.hit_rate, row.hit_rate_outside_scans))
        .collect();
    assert_eq!(
        scan_rates,
        ["0.26 0.668", "0.37 0.725", "0.26 0.663", "0.42 0.807"]
    );
    assert_eq!(
        [Policy::Lru, Policy::Lfu, shift_policies[2]].map(|policy| three(after_shift(policy))),
        ["0.678", "0.490", "0.709"]
    );
    assert!(right(check_prediction(Some(true), gap.abs() < 0.01, "")));
    assert_eq!(three(ten_samples), "0.387");
    // The variation the prose suggests: 3 samples.
    let three_samples = hit_rate(&replay(Policy::SampledLru { samples: 3 }, 100, &trace, 1)?);
    assert_eq!(three(three_samples), "0.378"); // 2.6% below LRU

    // ARC on the same traces: the sweep, the scans, the shift, and the try-it.
    let with_arc_at = |policy, size| three(hit_rate_at(&with_arc, policy, size).unwrap_or(0.0));
    assert_eq!(
        [Policy::Lru, Policy::Lfu, Policy::Arc, Policy::Optimal]
            .map(|policy| with_arc_at(policy, 100)),
        ["0.389", "0.493", "0.494", "0.580"]
    );
    let outside: Vec<String> = arc_scan_rows
        .iter()
        .map(|row| three(row.hit_rate_outside_scans))
        .collect();
    assert_eq!(outside, ["0.668", "0.725", "0.723"]);
    assert_eq!(format!("{arc_after_scan:.2}"), "0.37");
    assert_eq!(three(arc_late), "0.731");
    assert!(right(check_prediction(
        Some(true),
        arc_outside > lru_outside,
        ""
    )));
    assert_eq!(
        (three(lru_outside), three(arc_outside)),
        ("0.667".into(), "0.718".into())
    );
    // The variation the prose suggests: 50,000-key scans.
    let longest = KeyTrace::zipf(keys, 1.0)?
        .with_scans(40_000, 50_000)?
        .generate(100_000, 2)?;
    let longest_rows = scan_experiment(&longest, keys, &[Policy::Lru, Policy::Arc], 1_000, 1)?;
    let longest_outside: Vec<String> = longest_rows
        .iter()
        .map(|row| three(row.hit_rate_outside_scans))
        .collect();
    assert_eq!(longest_outside, ["0.665", "0.716"]); // ARC still ahead

    // The CDN trace.
    assert_eq!(one_hit_requests, 30_633);
    assert_eq!(
        format!("{:.1}", 100.0 * share_requested_once(&cdn_trace)),
        "86.7"
    );
    let cdn_row = |policy: Policy, size: usize| {
        let name = policy.to_string();
        cdn_rows
            .iter()
            .find(|row| row.policy == name && row.capacity == size)
            .map(|row| (row.hit_rate, row.stored_per_request, row.dead_slot_share))
            .unwrap_or_default()
    };
    let second_hit = Policy::SecondHit { window: 10_000 };
    let decaying = Policy::DecayingLfu { halve_every: 5_000 };
    assert_eq!(cdn_row(Policy::Lru, 100), (0.2311, 0.7689, 0.458));
    assert_eq!(cdn_row(Policy::Lfu, 100), (0.3381, 0.6619, 0.0575));
    assert_eq!(cdn_row(second_hit, 100), (0.3009, 0.2346, 0.0624));
    assert_eq!(cdn_row(Policy::Arc, 100).0, 0.3457);
    assert_eq!(cdn_row(decaying, 100).0, 0.3472);
    assert_eq!(cdn_row(Policy::Optimal, 100), (0.4021, 0.5979, 0.0113));
    let served_and_stored = |policy, size| {
        let (hit_rate, stored, _) = cdn_row(policy, size);
        (hit_rate, stored)
    };
    assert_eq!(
        served_and_stored(Policy::OptimalWithBypass, 100),
        (0.4027, 0.0776)
    );
    assert_eq!(served_and_stored(Policy::Lfu, 1_000), (0.485, 0.515));
    assert_eq!(served_and_stored(second_hit, 1_000), (0.4925, 0.0458));
    // The best real policy against OPT: ARC, 14% below at 100 slots and 11% at 1,000.
    let below_optimal = |size| {
        format!(
            "{:.0}",
            100.0 * (1.0 - cdn_row(Policy::Arc, size).0 / cdn_row(Policy::Optimal, size).0)
        )
    };
    assert_eq!(
        (below_optimal(100), below_optimal(1_000)),
        ("14".into(), "11".into())
    );
    assert_eq!(cdn_row(Policy::Arc, 1_000).0, 0.4963);
    assert_eq!(cdn_row(decaying, 1_000).0, 0.4451);
    assert_eq!(cdn_row(Policy::Optimal, 1_000).0, 0.5573);
    for size in cdn_sizes {
        let bound = cdn_row(Policy::OptimalWithBypass, size).0;
        let optimal = cdn_row(Policy::Optimal, size).0;
        for policy in cdn_policies {
            assert!(cdn_row(policy, size).0 <= bound, "{policy} at {size}");
            assert!(cdn_row(policy, size).0 <= optimal || policy == Policy::OptimalWithBypass);
        }
    }
    let tiny_hits =
        |policy| replay(policy, 1, &tiny, 0).map(|hits| hits.iter().filter(|&&hit| hit).count());
    assert_eq!(
        [
            Policy::Optimal,
            Policy::SecondHit { window: 10 },
            Policy::OptimalWithBypass
        ]
        .map(tiny_hits)
        .map(Result::ok),
        [Some(1), Some(3), Some(4)]
    );
    assert!(right(check_prediction(
        Some(false),
        second_rate > lfu_rate,
        ""
    )));
    assert_eq!((lfu_rate, second_rate), (0.6969, 0.6858));
    // The variation the prose suggests: 95% one-hit objects.
    let most = CdnTrace::new(keys, 1.0, 0.95)?.generate(100_000, 1)?;
    let most_rows = cdn_sweep(&most, &duel_policies, &[1_000], 1)?;
    let most_rates: Vec<f64> = most_rows.iter().map(|row| row.hit_rate).collect();
    assert_eq!(most_rates, [0.1084, 0.1244]); // second hit ahead again

    // Section 3: the hot key.
    assert!(
        hot_rows
            .iter()
            .all(|row| row.backend_per_second == row.bound_per_second)
    );
    let by_rate_measured: Vec<f64> = by_rate.iter().map(|row| row.backend_per_second).collect();
    assert_eq!(
        by_rate_measured,
        [94.5, 510.9, 100.0, 954.7, 100.0, 1_000.0]
    );
    assert!(right(check_prediction(
        Some(true),
        five_seconds.backend_per_second < 1_000.0,
        ""
    )));
    assert_eq!(five_seconds.backend_per_second, 200.0);
    // The variation the prose suggests: 3,000 servers.
    let more_servers = hot_key_run(3_000, secs(5), 100_000.0, secs(5), 1)?;
    assert_eq!(more_servers.backend_per_second, 600.0);

    // The last try-it: Zipf(0.8), and the variation its prose suggests (1,000 slots).
    let flat_rates: Vec<f64> = flat_rows.iter().map(|row| row.hit_rate).collect();
    assert_eq!(flat_rates, [0.1321, 0.1551, 0.368]);
    let flat_thousand = eviction_sweep(
        &flatter,
        keys,
        &[Policy::Random, Policy::Optimal],
        &[1_000],
        1.0,
        1,
    )?;
    let thousand_rates: Vec<f64> = flat_thousand.iter().map(|row| row.hit_rate).collect();
    assert_eq!(thousand_rates, [0.3925, 0.6611]); // still 41% below OPT
    assert!(right(check_prediction(
        Some(false),
        random >= 0.85 * best,
        ""
    )));
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
    // The live figure at its starting values and at each value the prose suggests.
    let avalanche_at = |warmup: i64, jitter: i64| -> Result<String, Box<dyn Error>> {
        let figure = avalanche_view(&Values::of(&[
            Control::int("warm-up (s)", 1..=900, warmup)?,
            Control::int("jitter (s)", 0..=1_800, jitter)?,
        ]))?;
        Ok(figure.title().to_string())
    };
    let peak = |count: &str, bound: &str| {
        format!("Peak {count}/s; keys / max(warm-up, jitter) = {bound}/s")
    };
    assert_eq!(avalanche_at(10, 600)?, peak("1791", "1667"));
    assert_eq!(avalanche_at(10, 0)?, peak("100603", "100000"));
    assert_eq!(avalanche_at(600, 0)?, peak("1783", "1667"));
    assert_eq!(avalanche_at(600, 600)?, peak("1730", "1667"));
    let hot_at = |servers: i64, ttl: i64, rate: usize| -> Result<Vec<String>, Box<dyn Error>> {
        let table = hot_key_view(&Values::of(&[
            Control::int("servers (S)", 10..=3_000, servers)?,
            Control::int("TTL in s (T)", 1..=5, ttl)?,
            Control::choice("requests/s (Q)", &["1,000", "10,000", "100,000"], rate)?,
        ]))?;
        Ok(table.rows()[0].clone())
    };
    // Columns: servers, TTL, Q, requests, backend requests, backend/s, long run/s, bound/s.
    let backend = |row: Vec<String>| [row[5].clone(), row[7].clone()];
    assert_eq!(backend(hot_at(100, 1, 2)?), ["100.0", "100.0"]);
    assert_eq!(backend(hot_at(100, 1, 1)?), ["100.0", "100.0"]);
    assert_eq!(backend(hot_at(100, 1, 0)?), ["99.4", "100.0"]);
    let spread_thin = hot_at(3_000, 1, 0)?;
    assert_eq!([&spread_thin[3], &spread_thin[4]], ["5014", "3867"]);
    assert_eq!(backend(spread_thin), ["773.4", "3000.0"]);
    assert_eq!(backend(hot_at(3_000, 1, 2)?), ["3000.0", "3000.0"]);
    Ok(())
}
