//! The Rust code of `notebooks/01-rate-limiting.ipynb`, cell by cell, as one program.
//!
//! Each `// cell` line starts the code of the next notebook code cell (after the `:dep` cell); a
//! cell whose last line is a bare variable shows that value, which here is spelled
//! `variable.evcxr_display();`. `tests/rate_limiting_notebook.rs` checks that the two stay
//! identical, runs this program, and the assertions at the end pin the numbers the notebook's
//! prose quotes.
//!
//! Run it with `cargo run -p lessons --example rate_limiting`.

use std::error::Error;

pub fn main() -> Result<(), Box<dyn Error>> {
    // cell
    use lessons::display::RichDisplay;
    use lessons::rate_limit::*;
    use lessons::sim::*;
    use lessons::table::Table;
    use lessons::try_it::check_prediction;
    use lessons::viz::{Figure, Heatmap};
    use lessons::widgets::{Control, interact};

    // cell
    let mut bucket = TokenBucket::new(5, Rate::per_second(5)?)?;
    let burst: Vec<bool> = (0..7)
        .map(|_| bucket.try_acquire(ms(0)).is_admitted())
        .collect();
    println!("seven requests at t = 0: {burst:?}");
    bucket.refill(ms(100));
    println!("tokens after 100 ms: {:?}", bucket.tokens().as_fraction());
    println!("a request at 100 ms: {:?}", bucket.try_acquire(ms(100)));
    println!("a request at 200 ms: {:?}", bucket.try_acquire(ms(200)));

    // cell
    let prediction: Option<usize> = None; // of seven requests at t = 0, how many pass?
    let (capacity, per_second) = (3, 10); // try (10, 1)
    let mut small = TokenBucket::new(capacity, Rate::per_second(per_second)?)?;
    let passed = (0..7)
        .filter(|_| small.try_acquire(ms(0)).is_admitted())
        .count();
    let why = format!(
        "at one instant only the tokens already in the bucket count: at most B = {capacity}, \
         whatever R = {per_second}/s is"
    );
    println!("{}", check_prediction(prediction, passed, why));

    // cell
    let limit = 10;
    let window = secs(2);
    let duration = secs(60);
    let trace_set = [
        ("steady", traces::steady(Rate::per_second(8)?, duration)),
        ("bursty", traces::bursty(60, ms(20), secs(10), duration)?),
        ("Poisson", traces::poisson(8.0, duration, 42)?),
    ];
    let mut summaries = Vec::new();
    for (name, arrivals) in &trace_set {
        let runs = compare_algorithms(limit, window, arrivals)?;
        trace_figure(name, arrivals, &runs, limit, window, duration)?.show();
        summaries.extend(run_summaries(name, &runs));
    }
    let summary = Table::from_rows(&summaries)?;
    summary.evcxr_display();

    // cell
    let bursty = trace_set[1].1.clone();
    let capacities = [5, 10, 20, 40, 60];
    let rates = [1, 2, 4, 6, 8, 10];
    let grid = rejection_grid(&bursty, &capacities, &rates)?;
    Heatmap::new("Rejected fraction of the bursty trace (60 every 10 s)")
        .x_label("refill rate R (tokens/s)")
        .y_label("capacity B (tokens)")
        .columns(rates.map(|r| r.to_string()))
        .rows(capacities.map(|b| b.to_string()))
        .values(grid.chunks(rates.len()).map(|row| {
            row.iter()
                .map(|cell| (cell.rejected_fraction * 100.0).round() / 100.0)
                .collect::<Vec<f64>>()
        }))
        .show_values(true)
        .show();

    // cell
    let burst_trace = bursty.clone();
    interact(
        vec![
            Control::int("limit", 1..=80, 10)?,
            Control::int("window (s)", 1..=20, 2)?,
        ],
        move |values| {
            let limit = values.int("limit") as u64;
            let window = secs(values.int("window (s)"));
            compare_algorithms(limit, window, &burst_trace).and_then(|runs| {
                trace_figure("bursty", &burst_trace, &runs, limit, window, duration)
            })
        },
    )?;

    // cell
    let shaped_rate = Rate::per_second(8)?;
    let by_token_bucket: Vec<Option<Time>> = shape_with_token_bucket(&bursty, 10, shaped_rate)?
        .into_iter()
        .map(Some)
        .collect();
    let by_leaky_bucket = shape_with_leaky_bucket(&bursty, 40, shaped_rate)?;
    shaped_figure(
        &bursty,
        &[
            ("token bucket (B = 10)", by_token_bucket.as_slice()),
            ("leaky bucket (queue 40)", by_leaky_bucket.as_slice()),
        ],
        secs(10),
    )
    .show();

    // cell
    let token_delays = waits(&bursty, &by_token_bucket);
    let leaky_delays = waits(&bursty, &by_leaky_bucket);
    let leaky_dropped = by_leaky_bucket.iter().filter(|d| d.is_none()).count();
    wait_figure(&[
        ("token bucket, B = 10", token_delays.as_slice()),
        ("leaky bucket, queue 40", leaky_delays.as_slice()),
    ])?
    .show();
    println!(
        "token bucket: none dropped, longest wait {:.1} s; leaky bucket: {} of {} dropped, \
         longest wait {:.1} s",
        percentile(&token_delays, 100.0)?,
        leaky_dropped,
        bursty.len(),
        percentile(&leaky_delays, 100.0)?
    );

    // cell
    let prediction: Option<_> = None; // requests dropped with a queue of 50
    let by_longer_queue = shape_with_leaky_bucket(&bursty, 50, shaped_rate)?;
    let dropped_now = by_longer_queue.iter().filter(|d| d.is_none()).count();
    let longest_wait = percentile(&waits(&bursty, &by_longer_queue), 100.0)?;
    println!(
        "{}",
        check_prediction(
            prediction,
            dropped_now,
            format!(
                "A burst brings 60 requests in 1.2 s, and about 10 of them leave at 8 a second \
                 meanwhile: 50 places hold the rest. They drain within {longest_wait:.1} s, \
                 before the next burst at 10 s."
            )
        )
    );

    // cell
    let offsets: Vec<Time> = (-12..=12).map(|k| ms(250) * k).collect();
    let sweep = boundary_sweep(100, secs(60), secs(2), &offsets)?;
    let mut boundary = Figure::new("200 requests in 2 s against '100 per minute'")
        .x_label("middle of the burst minus the window boundary (s)")
        .y_label("most admitted in any 60 s");
    for algorithm in Algorithm::ALL {
        let points: Vec<(f64, f64)> = sweep
            .iter()
            .filter(|row| row.algorithm == algorithm.name())
            .map(|row| (row.offset_s, row.max_in_any_window as f64))
            .collect();
        boundary = boundary.line(algorithm.name(), points);
    }
    boundary.show();

    // cell
    let prediction: Option<_> = None; // does the fixed window still admit 200 in some 60 s?
    let spread_over = secs(30); // then try secs(50)
    let slower = boundary_sweep(100, secs(60), spread_over, &offsets)?;
    fn most_admitted(rows: &[BoundaryRow], algorithm: Algorithm) -> usize {
        rows.iter()
            .filter(|row| row.algorithm == algorithm.name())
            .map(|row| row.max_in_any_window)
            .max()
            .unwrap_or(0)
    }
    let fixed_most = most_admitted(&slower, Algorithm::FixedWindow);
    println!(
        "{}",
        check_prediction(
            prediction,
            fixed_most == 200,
            format!(
                "The fixed window admits {fixed_most}: 100 before the boundary and 100 after, since \
                 a burst shorter than the window can straddle it. The token bucket admits {}: \
                 B = 100 plus what refills while the burst lasts.",
                most_admitted(&slower, Algorithm::TokenBucket)
            )
        )
    );

    // cell
    let offered_rates = [1.0, 2.0, 5.0, 10.0, 20.0, 50.0];
    let memory: Vec<(f64, f64)> = offered_rates
        .iter()
        .map(|&per_second| {
            let arrivals = traces::poisson(per_second, secs(120), 7)?;
            let mut log = SlidingWindowLog::new(100, secs(60))?;
            let mut most = 0;
            for &arrival in &arrivals {
                log.admit(arrival);
                most = most.max(log.stored());
            }
            Ok((per_second, most as f64))
        })
        .collect::<Result<_, RateLimitError>>()?;
    Figure::new("Sliding log, 100 per minute: timestamps held")
        .x_label("offered requests per second")
        .y_label("most timestamps stored")
        .line("sliding log", memory.clone())
        .show();

    // cell
    let prediction: Option<_> = None; // most timestamps stored
    let fifty_a_second = traces::poisson(50.0, secs(120), 7)?;
    let mut large_log = SlidingWindowLog::new(1_000, secs(60))?;
    let mut most_stored = 0;
    for &arrival in &fifty_a_second {
        large_log.admit(arrival);
        most_stored = most_stored.max(large_log.stored());
    }
    println!(
        "{}",
        check_prediction(
            prediction,
            most_stored,
            "About 3,000 requests arrive in any minute, but only admitted ones are logged, and \
             at most the limit is admitted in a minute: the log holds at most 1,000."
        )
    );

    // cell
    let positions: Vec<f64> = (0..20).map(|k| k as f64 / 20.0).collect();
    let trials: Vec<CounterRow> = positions
        .iter()
        .map(|&position| sliding_counter_trial(100, secs(60), position))
        .collect::<Result<_, _>>()?;
    fn series(trials: &[CounterRow], pick: fn(&CounterRow) -> f64) -> Vec<(f64, f64)> {
        trials.iter().map(|row| (row.position, pick(row))).collect()
    }

    Figure::new("100 per minute: the worst true 60 s window")
        .x_label("where the previous window's 100 requests sat (fraction of the window)")
        .y_label("most admitted in 60 s / limit")
        .line(
            "sliding counter",
            series(&trials, |row| row.counter_worst_ratio),
        )
        .line("sliding log", series(&trials, |row| row.log_worst_ratio))
        .show();
    Table::from_rows(&trials)?.evcxr_display();

    // cell
    let prediction: Option<_> = None; // most admitted in a true 60 s interval
    let small_limit = sliding_counter_trial(10, secs(60), 0.95)?;
    let worst_count = (small_limit.counter_worst_ratio * 10.0).round() as u64;
    println!(
        "{}",
        check_prediction(
            prediction,
            worst_count,
            "As the next window goes on, the counter weighs the previous 10 by 1 − f, as if \
             they had been spread evenly; but they sat at its end and stay less than 60 s old \
             until f = 0.95. Meanwhile it admits 9 more: about (1 + p) × the limit."
        )
    );

    // cell
    let gateway_counts = [1, 2, 4, 8, 12, 16];
    let mut gateway_rows: Vec<GatewayRow> = Vec::new();
    for mode in LimiterMode::FIXED {
        for gateways in gateway_counts {
            gateway_rows.push(GatewaySetup::new(gateways, mode)?.run(1)?.summary());
        }
    }
    let title = "One client at 40/s against 100 per minute, K gateways";
    gateway_figure(title, &gateway_rows).show();
    let local_full = LimiterMode::FIXED[0].name();
    let near_quota: Vec<GatewayRow> = gateway_rows
        .iter()
        .filter(|row| row.mode != local_full)
        .cloned()
        .collect();
    gateway_figure("The same without the local full limit", &near_quota).show();
    let at_twelve: Vec<GatewayRow> = gateway_rows
        .iter()
        .filter(|row| row.gateways == 12)
        .cloned()
        .collect();
    Table::from_rows(&at_twelve)?.evcxr_display();

    // cell
    let prediction: Option<_> = None; // requests admitted with 3 gateways
    let gateways = 3;
    let shared = GatewaySetup::new(gateways, LimiterMode::LocalShare)?
        .run(1)?
        .summary();
    println!(
        "{}",
        check_prediction(
            prediction,
            shared.admitted,
            format!(
                "Each gateway allows floor(100 / {gateways}) = {} and sees far more requests than \
                 that, so the client gets {gateways} × {} of its 100.",
                100 / gateways,
                100 / gateways
            )
        )
    );

    // cell
    let sync_intervals = [ms(10), ms(100), secs(1), secs(5), secs(10)];
    let mut sync_figure = Figure::new("Local counts, synced every S")
        .x_label("sync interval S")
        .y_label("admitted / what an exact limiter admits");
    let mut sync_rows: Vec<GatewayRow> = Vec::new();
    for gateways in [4, 12] {
        let mut bars = Vec::new();
        for interval in sync_intervals {
            let mode = LimiterMode::LocalSync { interval };
            let row = GatewaySetup::new(gateways, mode)?.run(1)?.summary();
            bars.push((interval.to_string(), row.admitted_over_exact));
            sync_rows.push(row);
        }
        sync_figure = sync_figure.bars(format!("K = {gateways}"), bars);
    }
    sync_figure.show();

    // cell
    let miniature = GatewaySetup::new(2, LimiterMode::CentralReadThenWrite)?
        .quota(3, secs(1))?
        .clients(&[300.0])?
        .duration(ms(25))?
        .store_latency(Latency::constant(ms(1)))?;
    miniature
        .space_time_diagram(55)?
        .between(ms(0), ms(30))
        .title("Read-then-write, quota 3: two GETs see count 2")
        .show();
    let race_in_miniature = miniature.run(55)?;
    Table::from_rows(&race_in_miniature.check_and_sets)?.evcxr_display();

    // cell
    let race_rows: Vec<GatewayRow> = [200.0, 1_000.0, 5_000.0]
        .iter()
        .map(|&per_second| {
            let setup = GatewaySetup::new(12, LimiterMode::CentralReadThenWrite)?
                .quota(100, secs(1))?
                .duration(secs(2))?
                .clients(&[per_second])?;
            Ok(setup.run(1)?.summary())
        })
        .collect::<Result<_, RateLimitError>>()?;
    Table::from_rows(&race_rows)?.evcxr_display();

    // cell
    let offered_over_quota = [0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0];
    let mut share_admitted = Vec::new();
    for routing in Routing::ALL {
        let mut points = Vec::new();
        for load in offered_over_quota {
            let (mut admitted, mut exact) = (0, 0);
            for seed in 0..20 {
                let row = GatewaySetup::new(12, LimiterMode::LocalShare)?
                    .routing(routing)
                    .clients(&[load * 100.0 / 60.0])?
                    .run(seed)?
                    .summary();
                admitted += row.admitted;
                exact += row.exact_admits;
            }
            points.push((load, admitted as f64 / exact as f64));
        }
        share_admitted.push((routing.name(), points));
    }

    // cell
    let mut skew = Figure::new("limit/K on 12 gateways, mean of 20 seeds")
        .x_label("offered / quota")
        .y_label("admitted / what an exact limiter admits");
    for (routing, points) in &share_admitted {
        skew = skew.line(*routing, points.clone());
        let shares: Vec<String> = points
            .iter()
            .map(|(_, share)| format!("{share:.2}"))
            .collect();
        println!("{routing}: {}", shares.join(", "));
    }
    skew.show();

    // cell
    let prediction: Option<_> = None; // requests admitted
    let sticky_four = GatewaySetup::new(4, LimiterMode::LocalShare)?
        .routing(Routing::StickyByClient)
        .clients(&[100.0 / 60.0])?
        .run(1)?
        .summary();
    println!(
        "{}",
        check_prediction(
            prediction,
            sticky_four.admitted,
            format!(
                "All of the client's {} requests meet the one gateway, which allows 25: a \
                 quarter of the quota, where an exact limiter admits all {}.",
                sticky_four.offered, sticky_four.exact_admits
            )
        )
    );

    // cell
    let costs = cost_trial(1)?;
    Table::from_rows(&costs)?.evcxr_display();

    // cell
    let prediction: Option<_> = None; // 50-unit exports admitted in the minute
    let export_calls = traces::poisson(5.0, secs(60), 3)?;
    let mut export_bucket = TokenBucket::new(200, Rate::per_minute(100)?)?;
    let mut exports = 0;
    for &call in &export_calls {
        if export_bucket.try_acquire_n(call, 50)?.is_admitted() {
            exports += 1;
        }
    }
    println!(
        "{}",
        check_prediction(
            prediction,
            exports,
            "200 units pay 4 exports at once; the refill earns 50 units every 30 s, enough for \
             one more before the minute ends. Never more than (B + R·t) / 50 = 6."
        )
    );

    // cell
    let rotated_keys = [1, 10, 25, 50, 75, 100, 200, 300, 400, 500];
    let mut rotation = Figure::new("200 requests/s from one /24, rotating API keys")
        .x_label("API keys rotated")
        .y_label("attacker requests admitted per second");
    let mut rotation_rows: Vec<RotationRow> = Vec::new();
    for layering in Layering::ALL {
        let mut points = Vec::new();
        for keys in rotated_keys {
            let row = key_rotation_trial(layering, keys, 1)?;
            points.push((f64::from(keys), row.attacker_per_second));
            rotation_rows.push(row);
        }
        rotation = rotation.line(layering.name(), points);
    }
    rotation.show();
    let at_500: Vec<RotationRow> = rotation_rows
        .iter()
        .filter(|row| row.keys == 500)
        .cloned()
        .collect();
    Table::from_rows(&at_500)?.evcxr_display();

    // cell
    let prediction: Option<_> = None; // more than 10 attacker requests a second?
    let many_keys = key_rotation_trial(Layering::KeySubnetGlobal, 100_000, 1)?;
    println!(
        "{}",
        check_prediction(
            prediction,
            many_keys.attacker_per_second > 10.0,
            format!(
                "{} of {} admitted. Every key is new, but every request comes from the same /24, \
                 whose bucket allows 50 + 5 × 10 = 100 in 10 s: a layer keyed on what the \
                 attacker cannot rotate holds it, however many keys it has.",
                many_keys.attacker_admitted, many_keys.attacker_offered
            )
        )
    );

    // cell
    let tiers = tier_trial(50.0, 1)?;
    let tier_table = Table::from_rows(&tiers)?;
    tier_table.evcxr_display();

    // cell
    let mut outage_rows: Vec<OutageRow> = Vec::new();
    for policy in FailurePolicy::ALL {
        outage_rows.extend(outage_trial(policy, 1)?);
    }
    let mut goodput = Figure::new("Well-behaved clients: fraction admitted")
        .x_label("minute")
        .y_label("goodput");
    let mut abuse = Figure::new("Abusive client: admitted beyond its quota")
        .x_label("minute")
        .y_label("requests");
    for policy in FailurePolicy::ALL {
        let phases = outage_rows.iter().filter(|row| row.policy == policy.name());
        goodput = goodput.bars(
            policy.name(),
            phases.clone().map(|row| (row.phase, row.goodput)),
        );
        abuse = abuse.bars(
            policy.name(),
            phases.map(|row| (row.phase, row.abuse_admitted as f64)),
        );
    }
    goodput.show();
    abuse.show();
    Table::from_rows(&outage_rows)?.evcxr_display();

    // cell
    let prediction: Option<_> = None; // abusive requests admitted during the outage
    let mut senders = vec![20.0];
    senders.extend([1.0; 20]);
    let twelve = GatewaySetup::new(12, LimiterMode::CentralAtomic)?
        .quota(100, secs(60))?
        .clients(&senders)?
        .duration(secs(180))?
        .on_failure(FailurePolicy::LocalShare, ms(50))?
        .outage(secs(60), secs(120))?
        .run(1)?;
    let (mut abusive_admitted, mut polite_refused) = (0, 0);
    for outcome in &twelve.outcomes {
        if outcome.arrived >= secs(60) && outcome.arrived < secs(120) {
            abusive_admitted += usize::from(outcome.client == 0 && outcome.admitted);
            polite_refused += usize::from(outcome.client != 0 && !outcome.admitted);
        }
    }
    let why = format!(
        "Each gateway allows floor(100 / 12) = 8, and the abuser reaches all twelve: 12 × 8 = \
         96. The smaller budgets also refused {polite_refused} well-behaved requests, which 4 \
         gateways all admitted."
    );
    println!("{}", check_prediction(prediction, abusive_admitted, why));

    // cell
    let prediction: Option<_> = None; // within 10% of min(offered, B + R·t)?
    let capacity = 20;
    let per_second = 5;
    let poisson = trace_set[2].1.clone();
    let mut yours = TokenBucket::new(capacity, Rate::per_second(per_second)?)?;
    let admitted = replay(&mut yours, &poisson).len() as u64;
    let envelope = capacity + per_second * 60;
    assert!(admitted <= envelope, "never more than B + R·t = {envelope}");
    let expected = envelope.min(poisson.len() as u64);
    let within_ten_percent = (expected - admitted) * 10 <= expected;
    println!(
        "{}",
        check_prediction(
            prediction,
            within_ten_percent,
            format!(
                "Admitted {admitted} of min(offered, B + R·t) = {expected}. A bucket keeps at most \
                 B = {capacity} tokens through a quiet spell: a large one absorbs the bunches of a \
                 Poisson stream, a tiny one refuses part of each bunch unless R is far above the rate."
            )
        )
    );

    // end of cells
    // The live figure, at its starting values and at the prose's other setting.
    let live_start = compare_algorithms(10, secs(2), &bursty)?;
    assert_eq!(live_start[0].admitted.len(), 90); // token bucket, B = 10, R = 5/s
    let burst_sized = compare_algorithms(60, secs(10), &bursty)?;
    let live_admitted: Vec<usize> = burst_sized.iter().map(|run| run.admitted.len()).collect();
    assert_eq!(live_admitted, [360, 360, 360, 360, 198]); // the sliding counter last
    assert!(trace_figure("bursty", &bursty, &burst_sized, 60, secs(10), duration).is_ok());
    // The gateway try-it with a prediction set, and the variation its prose suggests.
    assert!(check_prediction(Some(99), shared.admitted, "").starts_with("Right"));
    let six = GatewaySetup::new(6, LimiterMode::LocalShare)?
        .run(1)?
        .summary();
    assert_eq!(six.admitted, 96);
    let tier_counts: Vec<(u64, u64, u64)> = tiers
        .iter()
        .map(|row| (row.offered, row.admitted, row.envelope))
        .collect();
    assert_eq!(
        tier_counts,
        [
            (5979, 299, 300),
            (6132, 2999, 3000),
            (5885, 5885, 30000),
            (6028, 1198, 1200)
        ]
    );
    assert_eq!(burst, [true, true, true, true, true, false, false]);
    let row_of = |trace: &str, algorithm: &str| -> [String; 2] {
        let row = summary
            .rows()
            .iter()
            .find(|row| row[0] == trace && row[2] == algorithm)
            .unwrap();
        [row[3].clone(), row[4].clone()]
    };
    assert_eq!(row_of("steady", "token bucket"), ["309", "16"]);
    assert_eq!(row_of("steady", "fixed window"), ["300", "10"]);
    assert_eq!(row_of("steady", "sliding counter"), ["271", "10"]);
    assert_eq!(row_of("bursty", "token bucket"), ["90", "15"]);
    assert_eq!(row_of("bursty", "sliding log"), ["60", "10"]);
    assert_eq!(row_of("Poisson", "fixed window"), ["294", "18"]);
    assert_eq!(row_of("Poisson", "sliding log"), ["265", "10"]);
    let rejected = |capacity: u64, per_second: u64| {
        let cell = grid
            .iter()
            .find(|cell| cell.capacity == capacity && cell.per_second == per_second)
            .unwrap();
        (cell.rejected_fraction * 100.0).round()
    };
    assert_eq!(
        (rejected(10, 6), rejected(60, 6), rejected(60, 1)),
        (72.0, 0.0, 69.0)
    );
    assert_eq!(leaky_dropped, 60);
    assert_eq!(format!("{:.1}", percentile(&token_delays, 100.0)?), "5.1");
    assert_eq!(format!("{:.1}", percentile(&leaky_delays, 100.0)?), "5.0");
    let at_boundary: Vec<usize> = sweep
        .iter()
        .filter(|row| row.offset_s == 0.0)
        .map(|row| row.max_in_any_window)
        .collect();
    assert_eq!(at_boundary, [103, 104, 200, 100, 101]);
    assert!(memory.iter().all(|&(_, stored)| stored <= 100.0));
    let ratio_at = |position: f64| {
        let row = trials.iter().find(|row| row.position == position).unwrap();
        (row.counter_worst_ratio, row.log_worst_ratio)
    };
    assert_eq!(ratio_at(0.5), (1.49, 1.0));
    assert_eq!(ratio_at(0.95), (1.94, 1.0));
    assert_eq!((trials[0].counter_early, trials[0].log_early), (49, 100));
    assert_eq!(admitted, 317);
    assert!(check_prediction(Some(true), within_ten_percent, "").starts_with("Right"));
    // The variations the try-it prose suggests, with the prediction that holds for each.
    for (capacity, per_second, admitted_then, within_ten_percent) in [
        (20, 8, 461, true),
        (2, 8, 346, false),
        (2, 12, 393, false),
        (5, 8, 421, true),
    ] {
        let mut bucket = TokenBucket::new(capacity, Rate::per_second(per_second)?)?;
        let admitted = replay(&mut bucket, &poisson).len() as u64;
        let expected = (capacity + per_second * 60).min(poisson.len() as u64);
        assert_eq!(admitted, admitted_then);
        assert_eq!((expected - admitted) * 10 <= expected, within_ten_percent);
    }
    let at_k = |mode: LimiterMode, gateways: usize| {
        let row = gateway_rows
            .iter()
            .find(|row| row.mode == mode.name() && row.gateways == gateways)
            .unwrap();
        (row.admitted, row.mean_extra_latency_ms)
    };
    assert_eq!(at_k(LimiterMode::LocalFull, 12), (1_200, 0.0));
    assert_eq!(at_k(LimiterMode::LocalFull, 4), (400, 0.0));
    assert_eq!(at_k(LimiterMode::LocalShare, 12), (96, 0.0));
    assert_eq!(at_k(LimiterMode::LocalShare, 4), (100, 0.0));
    assert_eq!(at_k(LimiterMode::LocalShare, 8), (96, 0.0));
    assert_eq!(at_k(LimiterMode::LocalShare, 16), (96, 0.0));
    assert_eq!(at_k(LimiterMode::CentralAtomic, 12), (100, 0.75));
    assert_eq!(at_k(LimiterMode::CentralReadThenWrite, 12).0, 100);
    let synced = |gateways: usize, interval: Time| {
        let mode = LimiterMode::LocalSync { interval }.name();
        let row = sync_rows
            .iter()
            .find(|row| row.mode == mode && row.gateways == gateways)
            .unwrap();
        row.admitted
    };
    assert_eq!(
        [ms(10), ms(100), secs(1), secs(10)].map(|s| synced(12, s)),
        [100, 106, 136, 456]
    );
    assert_eq!((synced(4, ms(10)), synced(4, secs(10))), (100, 387));
    let reads: Vec<(u64, bool)> = race_in_miniature
        .check_and_sets
        .iter()
        .map(|check| (check.count_read, check.increment_step.is_some()))
        .collect();
    assert_eq!(
        reads,
        [
            (0, true),
            (1, true),
            (2, true),
            (2, true),
            (4, false),
            (4, false)
        ]
    );
    let race: Vec<(u64, u64, u64)> = race_rows
        .iter()
        .map(|row| (row.admitted, row.exact_admits, row.overlapping_admissions))
        .collect();
    assert_eq!(race, [(200, 200, 25), (201, 200, 91), (212, 200, 207)]);
    let at_load = |index: usize| -> Vec<String> {
        share_admitted
            .iter()
            .map(|(_, points)| format!("{:.2}", points[index].1))
            .collect()
    };
    assert_eq!(at_load(2), ["0.98", "0.89", "0.09"]);
    assert_eq!(at_load(0)[1], "1.00");
    assert_eq!(at_load(6), ["0.96", "0.96", "0.08"]);
    let units: Vec<(u64, u64)> = costs
        .iter()
        .map(|row| (row.admitted, row.admitted_units))
        .collect();
    assert_eq!(
        units,
        [
            (199, 199),
            (199, 995),
            (198, 9_900),
            (199, 199),
            (39, 195),
            (3, 150)
        ]
    );
    let attack: Vec<(f64, f64)> = at_500
        .iter()
        .map(|row| (row.attacker_per_second, row.legit_goodput))
        .collect();
    assert_eq!(attack, [(200.0, 1.0), (86.4, 0.261), (9.9, 1.0)]);
    assert_eq!(rotation_rows[0].attacker_admitted, 26);
    assert!(
        rotation_rows
            .iter()
            .filter(|row| row.layering == "key only")
            .all(|row| (row.keys >= 100) == (row.attacker_admitted == 2_000))
    );
    let during: Vec<(f64, u64, f64)> = outage_rows
        .iter()
        .filter(|row| row.phase == "during")
        .map(|row| (row.goodput, row.abuse_admitted, row.mean_latency_ms))
        .collect();
    assert_eq!(during, [(1.0, 1_089, 50.0), (0.0, 0, 50.0), (1.0, 0, 50.0)]);
    assert!(
        outage_rows
            .iter()
            .filter(|row| row.phase != "during")
            .all(|row| row.goodput == 1.0 && row.abuse_admitted == 0)
    );
    // The small-bucket try-it, and the variation its hint suggests.
    for (capacity, per_second, expected) in [(3, 10, 3), (10, 1, 7)] {
        let mut small = TokenBucket::new(capacity, Rate::per_second(per_second)?)?;
        let passed = (0..7)
            .filter(|_| small.try_acquire(ms(0)).is_admitted())
            .count();
        assert_eq!(passed, expected);
        assert!(check_prediction(Some(expected), passed, "").starts_with("Right"));
    }
    // The section try-its with the prediction that holds, and the variation their prose suggests.
    let right = |message: String| message.starts_with("Right");
    assert!(right(check_prediction(Some(0), dropped_now, "")));
    assert_eq!(format!("{longest_wait:.1}"), "6.2");
    assert!(right(check_prediction(Some(true), fixed_most == 200, "")));
    assert_eq!(most_admitted(&slower, Algorithm::TokenBucket), 149);
    let fifty_seconds = boundary_sweep(100, secs(60), secs(50), &offsets)?;
    assert_eq!(most_admitted(&fifty_seconds, Algorithm::FixedWindow), 200);
    assert!(right(check_prediction(Some(1_000), most_stored, "")));
    assert!(right(check_prediction(Some(19), worst_count, "")));
    assert!(right(check_prediction(Some(25), sticky_four.admitted, "")));
    assert_eq!(sticky_four.exact_admits, 91);
    assert!(right(check_prediction(Some(5), exports, "")));
    assert!(right(check_prediction(
        Some(false),
        many_keys.attacker_per_second > 10.0,
        ""
    )));
    assert_eq!(many_keys.attacker_admitted, 99);
    assert!(right(check_prediction(Some(96), abusive_admitted, "")));
    assert_eq!(polite_refused, 14);
    Ok(())
}
