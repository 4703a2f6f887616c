//! The Rust code of `notebooks/12-messaging-and-streams.ipynb`, cell by cell, as one program.
//!
//! Each `// cell` line starts the code of the next notebook code cell (after the `:dep` cell); a
//! cell whose last line is a bare variable shows that value, which here is spelled
//! `variable.evcxr_display();`. `tests/messaging_notebook.rs` checks that the two stay
//! identical, runs this program, and the assertions at the end pin the numbers the notebook's
//! prose quotes and run every variation the "try it" cells suggest.
//!
//! Run it with `cargo run -p lessons --example messaging_and_streams`.

use std::error::Error;

pub fn main() -> Result<(), Box<dyn Error>> {
    // cell
    use lessons::display::RichDisplay;
    use lessons::messaging::*;
    use lessons::sim::*;
    use lessons::table::Table;
    use lessons::try_it::check_prediction;
    use lessons::viz::Figure;
    use lessons::widgets::{Control, Values, interact};

    // cell
    let losses = [0.0, 0.05, 0.1, 0.2, 0.3];
    let delivery_rows = delivery_experiment(&losses, 0.0, 0.05, 10_000, 1)?;
    delivery_figure(&delivery_rows, 0.1).show();
    delivery_loss_figure(&delivery_rows).show();
    let at_ten: Vec<DeliveryRow> = delivery_rows
        .iter()
        .filter(|row| row.loss == 0.1)
        .cloned()
        .collect();
    let delivery_table = Table::from_rows(&at_ten)?;
    delivery_table.evcxr_display();

    // cell
    /// A fault at `fault` the first time it comes up, and nowhere else.
    fn once_at(fault: FaultPoint) -> impl FnMut(FaultPoint) -> bool {
        let mut first = true;
        move |point| {
            let hit = point == fault && first;
            if point == fault {
                first = false;
            }
            hit
        }
    }
    fn crash_before_ack(strategy: Strategy) -> Delivery {
        deliver(strategy, once_at(FaultPoint::ReceiverCrashAfterEffect))
    }
    let marked_then_crashed = deliver(
        Strategy::MarkBeforeSend,
        once_at(FaultPoint::SenderCrashBeforeSend),
    );
    println!(
        "SETNX, then a crash before sending: effects applied = {} after {} attempts",
        marked_then_crashed.effects, marked_then_crashed.attempts
    );
    for strategy in Strategy::ALL {
        let outcome = crash_before_ack(strategy);
        println!(
            "{strategy}, receiver crash before its ack: effects applied = {}",
            outcome.effects
        );
    }

    // cell
    let duplicate = 0.0; // try 0.02
    let prediction: Option<bool> = None; // Some(true): SETNX still never applies a message twice
    let rows = delivery_experiment(&[0.1], duplicate, 0.05, 10_000, 1)?;
    let setnx = rows
        .iter()
        .find(|row| row.strategy == Strategy::MarkBeforeSend.to_string())
        .cloned()
        .ok_or("no SETNX row")?;
    let at_most_once = setnx.duplicated == 0;
    let why = format!(
        "the mark stops the sender's retries, not the network's copies: {} messages applied twice",
        setnx.duplicated
    );
    println!("{}", check_prediction(prediction, at_most_once, why));

    // cell
    let mut keys = IdempotencyStore::new(secs(60))?;
    let body = "charge 10 EUR";
    println!(
        "0 s, first request:   {:?}",
        keys.begin("key-1", body, secs(0))
    );
    println!(
        "0.2 s, a retry:       {:?}",
        keys.begin("key-1", body, ms(200))
    );
    keys.finish("key-1", "charged ch_1");
    println!(
        "30 s, a retry:        {:?}",
        keys.begin("key-1", body, secs(30))
    );
    println!(
        "31 s, another body:   {:?}",
        keys.begin("key-1", "charge 99 EUR", secs(31))
    );
    println!(
        "61 s, a late retry:   {:?}",
        keys.begin("key-1", body, secs(61))
    );

    // cell
    let race_rows = race_exploration()?;
    let race_table = Table::from_rows(&race_rows)?;
    race_table.show();
    let racy = PaymentRace {
        check: KeyCheck::CheckThenInsert,
        propagate_key: true,
    };
    let exploration = lessons::check::explore(&racy, lessons::check::Bounds::depth(20)?);
    let shortest = exploration.violation.ok_or("no race found")?.run;
    print!("{}", racy.describe(&shortest));

    // cell
    let load = PaymentLoad::new(
        Latency::log_normal(secs(1), 1.5),
        Latency::log_normal(ms(300), 0.5),
        0.01,
    )?;
    let day = secs(86_400);
    let mut racy_server = PaymentVariant::careful(day);
    racy_server.check = KeyCheck::CheckThenInsert;
    let mut new_keys = PaymentVariant::careful(day);
    new_keys.new_key_per_retry = true;
    let mut key_kept = PaymentVariant::careful(day);
    key_kept.propagate_key = false;
    let variants = [
        racy_server,
        new_keys,
        key_kept,
        PaymentVariant::careful(day),
    ];
    let retry_rates = [0.01, 0.02, 0.05, 0.1];
    let payment_rows = payment_experiment(&variants, &retry_rates, &load, 100_000, 1)?;
    payment_figure(&payment_rows).show();
    let at_one_percent: Vec<PaymentRow> = payment_rows
        .iter()
        .filter(|row| row.retry_rate == 0.01)
        .cloned()
        .collect();
    let payment_table = Table::from_rows(&at_one_percent)?;
    payment_table.evcxr_display();

    // cell
    let ttls = [1, 10, 60, 600, 3_600, 86_400].map(|s| PaymentVariant::careful(secs(s)));
    let ttl_rows = payment_experiment(&ttls, &[0.01, 0.05], &load, 100_000, 1)?;
    ttl_figure(&ttl_rows).show();
    let ttl_table = Table::from_rows(&ttl_rows[..6])?;
    ttl_table.evcxr_display();

    // cell
    let retry_median = secs(1); // try secs(30)
    let prediction: Option<bool> = None; // Some(true): a 60 s key still gives fewer than 5 per 10,000
    let slow_clients = PaymentLoad::new(
        Latency::log_normal(retry_median, 1.5),
        Latency::log_normal(ms(300), 0.5),
        0.0,
    )?;
    let minute = [PaymentVariant::careful(secs(60))];
    let rows = payment_experiment(&minute, &[0.01], &slow_clients, 100_000, 1)?;
    let few = rows[0].per_10k < 5.0;
    let why = format!(
        "{:.1} duplicate charges per 10,000: every retry later than the TTL is a new payment",
        rows[0].per_10k
    );
    println!("{}", check_prediction(prediction, few, why));

    // cell
    let dual_rows = dual_write_experiment(100_000, 0.01, 0.01, 1)?;
    dual_write_figure(&dual_rows).show();
    let dual_table = Table::from_rows(&dual_rows)?;
    dual_table.evcxr_display();

    // cell
    let base = RelaySetup::new(2_000, ms(1_000))?;
    let intervals = [10, 50, 100, 500, 1_000, 5_000].map(ms);
    let poll_rows = poll_interval_experiment(&base, &intervals, 1)?;
    relay_latency_figure(&poll_rows).show();
    let poll_table = Table::from_rows(&poll_rows)?;
    poll_table.evcxr_display();

    // cell
    let crashing = RelaySetup::new(2_000, ms(1_000))?.crash(0.2);
    let crash_run = relay_run(&crashing, 1)?;
    let crash_row = relay_row(&crashing, &crash_run)?;
    println!(
        "{} relay crashes: {} rows published before a crash, {} duplicates on the broker",
        crash_row.crashes, crash_run.published_before_crash, crash_row.duplicates
    );
    println!(
        "read out of commit order: {} across partitions, {} within a key, {} within a key after dedupe",
        crash_row.globally_reordered,
        crash_row.per_key_reordered,
        crash_row.per_key_reordered_after_dedupe
    );

    // cell
    let partitions = 3; // try 1
    let prediction: Option<bool> = None; // Some(true): the consumer reads every event in commit order
    let mut setup = RelaySetup::new(2_000, ms(1_000))?;
    setup.partitions = partitions;
    let row = relay_row(&setup, &relay_run(&setup, 1)?)?;
    let in_order = row.globally_reordered == 0;
    let why = format!(
        "{} events read after a later one: order holds only inside one partition",
        row.globally_reordered
    );
    println!("{}", check_prediction(prediction, in_order, why));

    // cell
    let producer_rows = producer_experiment(&[0.0, 0.01, 0.05, 0.1, 0.2], 10_000, 3, 1)?;
    producer_figure(&producer_rows).show();
    let producer_table = Table::from_rows(&producer_rows)?;
    producer_table.evcxr_display();

    // cell
    let crash_rates = [0.0, 0.01, 0.02, 0.05, 0.1];
    let transform_rows = transform_experiment(&crash_rates, 10_000, 1)?;
    transform_figure(&transform_rows).show();
    let at_five: Vec<TransformRow> = transform_rows
        .iter()
        .filter(|row| row.crash == 0.05)
        .cloned()
        .collect();
    let transform_table = Table::from_rows(&at_five)?;
    transform_table.evcxr_display();

    // cell
    let read_committed = true; // try false
    let prediction: Option<bool> = None; // Some(true): no input shows up twice
    let output = transform_run(OffsetCommit::Atomic, 10_000, |input, attempt| {
        Rng::derive(1, &[input as u64, u64::from(attempt)]).chance(0.05)
    });
    let mut seen = std::collections::BTreeSet::new();
    let twice = output
        .visible(read_committed)
        .into_iter()
        .filter(|&input| !seen.insert(input))
        .count();
    let why = format!("{twice} outputs seen again: aborted transactions stay in the log");
    println!("{}", check_prediction(prediction, twice == 0, why));
    // cell
    let lengths = [1_000, 10_000, 100_000, 300_000];
    let intervals = [None, Some(1_000), Some(10_000)];
    let replay_rows = replay_experiment(&lengths, &intervals, 1)?;
    replay_figure(&replay_rows).show();
    let replay_table = Table::from_rows(&replay_rows)?;
    replay_table.evcxr_display();

    // cell
    let events = account_history(10_000, 2)?;
    let whole = Account::default().fold(&events);
    // A consumer restarted from an old offset sees events 4,001 to 6,000 twice.
    let redelivered: Vec<AccountEvent> = events[..6_000]
        .iter()
        .chain(&events[4_000..])
        .copied()
        .collect();
    let deduplicated = Account::default().fold(&redelivered);
    let naive_balance: i64 = redelivered.iter().map(|event| event.amount).sum();
    println!(
        "balance from the log: {}; from the redelivered stream, by id: {}; adding every copy: {}",
        whole.balance, deduplicated.balance, naive_balance
    );
    let earlier = state_at(&events, secs(500));
    println!(
        "at 500 s: balance {} after event {}",
        earlier.balance, earlier.last_event
    );

    // cell
    let burst = [(secs(20), secs(40), 600.0)];
    let projection_rows = projection_run(100.0, &burst, 300.0, secs(90))?;
    projection_figure(&projection_rows).show();
    let worst = projection_rows
        .iter()
        .max_by_key(|row| row.lag)
        .cloned()
        .ok_or("no rows")?;
    let caught_up = projection_rows
        .iter()
        .find(|row| row.time_s > 40.0 && row.lag == 0)
        .map_or(f64::NAN, |row| row.time_s);
    println!(
        "worst lag {} events at {} s ({} s stale); caught up at {} s",
        worst.lag, worst.time_s, worst.staleness_s, caught_up
    );

    // cell
    let settings = [
        Durability::FsyncBeforeAck,
        Durability::AckThenFsyncEvery(10),
        Durability::AckThenFsyncEvery(100),
    ];
    let wal_rows = wal_experiment(&settings, &[0.001, 0.01], 10_000, 1)?;
    let wal_table = Table::from_rows(&wal_rows)?;
    wal_table.evcxr_display();

    // cell
    let durability = Durability::AckThenFsyncEvery(100); // try Durability::FsyncBeforeAck
    let prediction: Option<bool> = None; // Some(true): some acknowledged write is lost
    let (acknowledged, lost) = wal_run(durability, 10_000, 0.01, 1)?;
    let why = format!(
        "{lost} of {acknowledged} acknowledged writes lost: only an fsync before the ack makes the ack a promise"
    );
    println!("{}", check_prediction(prediction, lost > 0, why));

    // cell
    println!(
        "murmur2(\"21\") = {} (Kafka's own test expects -973932308)",
        murmur2(b"21")
    );
    let moves = [(6, 6), (6, 7), (6, 8), (6, 12), (12, 24)]
        .into_iter()
        .map(|(from, to)| moved_keys(10_000, from, to))
        .collect::<Result<Vec<MovedKeys>, SimError>>()?;
    let moves_table = Table::from_rows(&moves)?;
    moves_table.evcxr_display();

    // cell
    let keeps_up = group_run(&GroupSetup::new(6, 3, 1_000.0, 400.0, secs(60))?, 1)?;
    let falls_behind = group_run(&GroupSetup::new(6, 2, 1_000.0, 400.0, secs(60))?, 1)?;
    let scaled = GroupSetup::new(6, 2, 1_000.0, 400.0, secs(60))?.consumers_at(secs(30), 4);
    let scaled_run = group_run(&scaled, 1)?;
    lag_figure(&[
        ("3 consumers (1,200/s)", &keeps_up),
        ("2 consumers (800/s)", &falls_behind),
        ("2, then 4 from 30 s", &scaled_run),
    ])
    .show();
    fn lag_at(run: &GroupRun, second: usize) -> usize {
        run.samples[second - 1].lag
    }
    let growth = (lag_at(&falls_behind, 30) - lag_at(&falls_behind, 10)) as f64 / 20.0;
    println!("2 consumers: lag grows {growth} records/s; 1,000 produced - 2 × 400 consumed = 200");
    println!(
        "2, then 4: lag {} at 30 s, {} at 33 s after the rebalance pause, {} at 60 s",
        lag_at(&scaled_run, 30),
        lag_at(&scaled_run, 33),
        lag_at(&scaled_run, 60)
    );

    // cell
    let group_sizes = [1, 2, 3, 4, 5, 6, 8, 10, 12];
    let throughput_rows = throughput_experiment(6, &group_sizes, 10_000.0, 500.0, secs(20), 1)?;
    throughput_figure(&throughput_rows, 6).show();
    let throughput_table = Table::from_rows(&throughput_rows)?;
    throughput_table.evcxr_display();

    // cell
    fn group_view(values: &Values) -> Result<Figure, SimError> {
        let partitions = values.int("partitions") as usize;
        let consumers = values.int("consumers") as usize;
        let rate = values.int("records/s per consumer") as f64;
        let run = group_run(
            &GroupSetup::new(partitions, consumers, 1_000.0, rate, secs(60))?,
            1,
        )?;
        let lag = run.samples.last().map_or(0, |sample| sample.lag);
        let label = format!("{consumers} consumers, {partitions} partitions: lag {lag} at 60 s");
        Ok(lag_figure(&[(&label, &run)]))
    }
    interact(
        vec![
            Control::int("partitions", 1..=12, 6)?,
            Control::int("consumers", 1..=12, 2)?,
            Control::int("records/s per consumer", 50..=1_000, 400)?,
        ],
        group_view,
    )?;

    // cell
    let grown = GroupSetup::new(6, 2, 1_000.0, 400.0, secs(60))?.repartition_at(secs(30), 8);
    let grown_run = group_run(&grown, 1)?;
    println!(
        "2 consumers, stable map: {} of {} records read after a later record of their key",
        falls_behind.out_of_order, falls_behind.consumed
    );
    println!(
        "2 consumers, 6 -> 8 partitions at 30 s: {} of {} records read after a later record of their key",
        grown_run.out_of_order, grown_run.consumed
    );

    // cell
    let consumers = 6; // try 12
    let prediction: Option<bool> = None; // Some(true): more consumers than partitions read faster
    let rows = throughput_experiment(6, &[6, consumers], 10_000.0, 500.0, secs(20), 1)?;
    let faster = rows[1].throughput > rows[0].throughput;
    let why = format!(
        "{} consumers read {} records/s with {} idle: each partition has one reader in a group",
        consumers, rows[1].throughput, rows[1].idle_consumers
    );
    println!("{}", check_prediction(prediction, faster, why));
    // cell
    let delay = Latency::log_normal(ms(200), 1.0).with_spikes(0.01, secs(5));
    let latenesses = [0, 250, 500, 1_000, 2_000, 5_000, 10_000].map(ms);
    let lateness_rows = lateness_experiment(&latenesses, secs(1), &delay, 1)?;
    lateness_figure(&lateness_rows).show();
    let lateness_table = Table::from_rows(&lateness_rows)?;
    lateness_table.evcxr_display();

    // cell
    fn watermark_view(values: &Values) -> Result<Figure, SimError> {
        let delay = Latency::log_normal(ms(values.int("median delay (ms)")), 1.0)
            .with_spikes(values.float("straggler share"), secs(5));
        let lateness = ms(values.int("allowed lateness (ms)"));
        let events = event_stream(3_000, 100.0, &delay, 1)?;
        let truth = true_counts(&events, secs(1))?;
        let by_event_time = event_time_windows(&events, secs(1), lateness)?;
        let by_arrival = processing_time_windows(&events, secs(1))?;
        let line = |counts: &std::collections::BTreeMap<Time, u64>| -> Vec<(f64, f64)> {
            let count = |start| counts.get(start).map_or(0.0, |&n| n as f64);
            truth.keys().map(|s| (s.as_secs_f64(), count(s))).collect()
        };
        let dropped = by_event_time.dropped;
        let title = format!("Views per second: {dropped} of 3,000 dropped as late");
        let event_time = format!("event time, L = {lateness}");
        Ok(Figure::new(title)
            .x_label("window (event time, s)")
            .y_label("views counted")
            .line("true count", line(&truth))
            .line(event_time, line(&by_event_time.counts))
            .line("processing time", line(&by_arrival)))
    }
    interact(
        vec![
            Control::int("allowed lateness (ms)", 0..=10_000, 1_000)?,
            Control::int("median delay (ms)", 10..=2_000, 200)?,
            Control::float("straggler share", 0.0, 0.1, 0.01, 0.01)?,
        ],
        watermark_view,
    )?;

    // cell
    let events = event_stream(2_000, 100.0, &delay, 3)?;
    let admit_all = secs(3_600);
    let by_arrival = event_time_windows(&events, secs(1), admit_all)?;
    let mut shuffled = events.clone();
    Rng::new(4).shuffle(&mut shuffled);
    let shuffled_windows = event_time_windows(&shuffled, secs(1), admit_all)?;
    let same = by_arrival.counts == shuffled_windows.counts;
    println!("event time, all admitted, arrival order against a shuffle: same counts = {same}");
    // The same events (same timestamps) over a network that delays them differently.
    let other_network = event_stream(2_000, 100.0, &delay, 5)?;
    let event_time_same = true_counts(&events, secs(1))? == true_counts(&other_network, secs(1))?;
    let first = processing_time_windows(&events, secs(1))?;
    let second = processing_time_windows(&other_network, secs(1))?;
    let differing = first
        .iter()
        .filter(|&(start, count)| second.get(start) != Some(count))
        .count();
    println!(
        "another network: event-time counts equal = {event_time_same}; processing-time windows that differ: {differing} of {}",
        first.len()
    );

    // cell
    let lateness = ms(500); // try secs(5)
    let prediction: Option<bool> = None; // Some(true): fewer than 1% of events are dropped
    let rows = lateness_experiment(&[lateness], secs(1), &delay, 1)?;
    let few = rows[0].dropped < 200;
    let why = format!(
        "{} of 20,000 dropped, results {} ms after the window ends (median)",
        rows[0].dropped, rows[0].p50_result_delay_ms
    );
    println!("{}", check_prediction(prediction, few, why));
    // cell
    let word_count = BatchJob {
        stages: 2,
        ..BatchJob::default()
    };
    let calm = run_batch(&word_count, &[], 1)?;
    let worker_zero = [WorkerFailure {
        at_secs: 25,
        worker: 0,
    }];
    let hit = run_batch(&word_count, &worker_zero, 1)?;
    println!(
        "no failure: done at {:?} s; worker 0 dies at 25 s: done at {:?} s",
        calm.completion_secs, hit.completion_secs
    );
    println!("map launches    {:?}", hit.launches[0]);
    println!("reduce launches {:?}", hit.launches[1]);
    println!(
        "same output: {} ({} distinct words, {} in all)",
        hit.output == calm.output,
        calm.output.len(),
        calm.output.values().sum::<u64>()
    );

    // cell
    let job = BatchJob::default();
    let intervals = [None, Some(1), Some(2), Some(5)];
    let rates = [0.0, 5.0, 10.0, 15.0, 20.0, 25.0, 30.0];
    let batch_rows = batch_experiment(&job, &intervals, &rates, 10, 1)?;
    batch_figure(&batch_rows).show();
    let batch_table = Table::from_rows(&batch_rows)?;
    batch_table.evcxr_display();

    // cell
    let rate = 5.0; // try 30.0
    let prediction: Option<bool> = None; // Some(true): lineage alone finishes sooner than a checkpoint every stage
    let batch_try = batch_experiment(&job, &[None, Some(1)], &[rate], 10, 1)?;
    let lineage_sooner = batch_try[0].mean_completion_secs < batch_try[1].mean_completion_secs;
    let why = format!(
        "at {rate} failures per worker-hour: lineage only {} s, every stage {} s, on average",
        batch_try[0].mean_completion_secs, batch_try[1].mean_completion_secs
    );
    println!("{}", check_prediction(prediction, lineage_sooner, why));

    // end of cells
    // The live figures at their starting values and at each value the prose suggests.
    let group_at = |partitions: i64, consumers: i64, rate: i64| -> Result<usize, Box<dyn Error>> {
        group_view(&Values::of(&[
            Control::int("partitions", 1..=12, partitions)?,
            Control::int("consumers", 1..=12, consumers)?,
            Control::int("records/s per consumer", 50..=1_000, rate)?,
        ]))?;
        let setup = GroupSetup::new(
            partitions as usize,
            consumers as usize,
            1_000.0,
            rate as f64,
            secs(60),
        )?;
        Ok(group_run(&setup, 1)?
            .samples
            .last()
            .map_or(0, |sample| sample.lag))
    };
    assert_eq!(group_at(6, 2, 400)?, 12_000);
    assert_eq!(group_at(6, 3, 400)?, 2);
    assert_eq!(group_at(6, 4, 250)?, 10_270);
    assert_eq!(group_at(6, 12, 100)?, 24_000);
    assert_eq!(group_at(12, 12, 100)?, 14);
    let dropped_at = |lateness: i64, median: i64, share: f64| -> Result<String, Box<dyn Error>> {
        let figure = watermark_view(&Values::of(&[
            Control::int("allowed lateness (ms)", 0..=10_000, lateness)?,
            Control::int("median delay (ms)", 10..=2_000, median)?,
            Control::float("straggler share", 0.0, 0.1, 0.01, share)?,
        ]))?;
        Ok(figure.title().to_string())
    };
    let dropped = |count: usize| format!("Views per second: {count} of 3,000 dropped as late");
    assert_eq!(dropped_at(1_000, 200, 0.01)?, dropped(159));
    assert_eq!(dropped_at(0, 200, 0.01)?, dropped(2_339));
    assert_eq!(dropped_at(5_000, 200, 0.01)?, dropped(16));
    assert_eq!(dropped_at(1_000, 20, 0.0)?, dropped(0));
    let right = |verdict: String| verdict.starts_with("Right");
    let outcome = |rows: &[DeliveryRow], strategy: Strategy| {
        let row = rows
            .iter()
            .find(|row| row.strategy == strategy.to_string())
            .cloned()
            .unwrap();
        (row.lost, row.exactly_once, row.duplicated)
    };

    // 1. Delivery semantics at 10% loss and 5% crashes, and C18's two runs.
    assert_eq!(outcome(&at_ten, Strategy::NoRetry), (1_688, 8_312, 0));
    assert_eq!(
        outcome(&at_ten, Strategy::RetryWithoutDedupe),
        (0, 8_841, 1_159)
    );
    assert_eq!(outcome(&at_ten, Strategy::RetryWithDedupe), (0, 10_000, 0));
    assert_eq!(
        outcome(&at_ten, Strategy::MarkBeforeSend),
        (1_688, 8_312, 0)
    );
    assert_eq!(at_ten[1].mean_attempts, 1.3578);
    assert_eq!(at_ten[2].mean_attempts, 1.3578);
    assert!(
        delivery_rows
            .iter()
            .filter(|row| row.strategy == Strategy::RetryWithDedupe.to_string())
            .all(|row| row.exactly_once == row.messages)
    );
    assert_eq!(
        (marked_then_crashed.effects, marked_then_crashed.attempts),
        (0, 2)
    );
    let after_crash: Vec<u32> = Strategy::ALL
        .iter()
        .map(|&strategy| crash_before_ack(strategy).effects)
        .collect();
    assert_eq!(after_crash, [1, 2, 1, 1]);
    for (duplicate, at_most_once) in [(0.0, true), (0.02, false)] {
        let rows = delivery_experiment(&[0.1], duplicate, 0.05, 10_000, 1)?;
        let (_, _, twice) = outcome(&rows, Strategy::MarkBeforeSend);
        assert!(right(check_prediction(Some(at_most_once), twice == 0, "")));
    }

    // 2. Idempotency keys.
    let mut keys = IdempotencyStore::new(secs(60))?;
    assert_eq!(keys.begin("key-1", body, secs(0)), Begin::Fresh);
    assert_eq!(keys.begin("key-1", body, ms(200)), Begin::InProgress);
    keys.finish("key-1", "charged ch_1");
    assert_eq!(
        keys.begin("key-1", body, secs(30)),
        Begin::Replay("charged ch_1".into())
    );
    assert_eq!(
        keys.begin("key-1", "charge 99 EUR", secs(31)),
        Begin::DifferentBody
    );
    assert_eq!(keys.begin("key-1", body, secs(61)), Begin::Fresh);
    let races: Vec<(bool, bool, usize, usize)> = race_rows
        .iter()
        .map(|row| (row.holds, row.exhausted, row.states, row.shortest_violation))
        .collect();
    assert_eq!(
        races,
        [
            (false, false, 8, 3),
            (false, false, 16, 4),
            (false, false, 9, 3),
            (true, true, 16, 0)
        ]
    );
    assert_eq!(shortest.len(), 4);
    let per_10k: Vec<f64> = at_one_percent.iter().map(|row| row.per_10k).collect();
    assert_eq!(per_10k, [24.0, 101.2, 97.1, 0.0]);
    let careful_everywhere = payment_rows
        .iter()
        .filter(|row| row.variant == PaymentVariant::careful(day).to_string())
        .all(|row| row.duplicate_charges == 0);
    assert!(careful_everywhere);
    let by_ttl: Vec<f64> = ttl_rows[..6].iter().map(|row| row.per_10k).collect();
    assert_eq!(by_ttl, [49.4, 6.0, 0.1, 0.0, 0.0, 0.0]);
    for (median, few) in [(secs(1), true), (secs(30), false)] {
        let clients = PaymentLoad::new(
            Latency::log_normal(median, 1.5),
            Latency::log_normal(ms(300), 0.5),
            0.0,
        )?;
        let rows = payment_experiment(&minute, &[0.01], &clients, 100_000, 1)?;
        assert!(right(check_prediction(
            Some(few),
            rows[0].per_10k < 5.0,
            ""
        )));
    }

    // 3. Dual writes and the outbox, and C17.
    let divergence: Vec<(usize, usize, usize, usize)> = dual_rows
        .iter()
        .map(|row| {
            (
                row.committed,
                row.rows_without_event,
                row.events_without_row,
                row.duplicate_events,
            )
        })
        .collect();
    assert_eq!(
        divergence,
        [
            (98_988, 953, 0, 0),
            (98_035, 0, 1_965, 0),
            (98_988, 0, 0, 953)
        ]
    );
    let latency: Vec<(f64, f64)> = poll_rows
        .iter()
        .map(|row| (row.mean_latency_ms, row.p99_latency_ms))
        .collect();
    assert_eq!(
        latency,
        [
            (6.3, 10.9),
            (27.7, 50.7),
            (53.1, 100.2),
            (263.2, 497.3),
            (526.9, 993.8),
            (2_649.0, 4_962.5)
        ]
    );
    assert!(poll_rows.iter().all(|row| row.duplicates == 0));
    assert!(poll_rows[0].polls_per_second > 99.9);
    assert_eq!(
        (
            crash_row.crashes,
            crash_run.published_before_crash,
            crash_row.duplicates
        ),
        (7, 274, 274)
    );
    assert_eq!(
        (
            crash_row.globally_reordered,
            crash_row.per_key_reordered,
            crash_row.per_key_reordered_after_dedupe
        ),
        (1_239, 274, 0)
    );
    for (partitions, in_order) in [(3, false), (1, true)] {
        let mut setup = RelaySetup::new(2_000, ms(1_000))?;
        setup.partitions = partitions;
        let row = relay_row(&setup, &relay_run(&setup, 1)?)?;
        assert!(right(check_prediction(
            Some(in_order),
            row.globally_reordered == 0,
            ""
        )));
    }

    // 4. The idempotent producer and transactional offsets.
    let copies: Vec<(bool, f64, usize, usize)> = producer_rows
        .iter()
        .map(|row| (row.idempotent, row.loss, row.duplicates, row.requests))
        .collect();
    assert_eq!(copies[6], (false, 0.1, 1_099, 12_366));
    assert_eq!(copies[7], (true, 0.1, 0, 12_366));
    assert!(
        producer_rows
            .iter()
            .filter(|row| row.idempotent)
            .all(|row| row.duplicates == 0)
    );
    let modes: Vec<(usize, usize, usize, usize)> = at_five
        .iter()
        .map(|row| {
            (
                row.missing,
                row.exactly_once,
                row.duplicated,
                row.duplicated_read_uncommitted,
            )
        })
        .collect();
    assert_eq!(
        modes,
        [
            (499, 9_501, 0, 0),
            (0, 9_501, 499, 499),
            (0, 10_000, 0, 499)
        ]
    );
    for (read_committed, none_twice) in [(true, true), (false, false)] {
        let mut seen = std::collections::BTreeSet::new();
        let twice = output
            .visible(read_committed)
            .into_iter()
            .filter(|&input| !seen.insert(input))
            .count();
        assert!(right(check_prediction(Some(none_twice), twice == 0, "")));
    }

    // 5. Event sourcing, projections and the WAL.
    let replayed: Vec<(usize, usize)> = replay_rows
        .iter()
        .map(|row| (row.log_length, row.events_replayed))
        .collect();
    assert_eq!(replayed[3], (300_000, 300_000));
    assert_eq!(
        replayed[4..8],
        [(1_933, 933), (10_984, 984), (100_363, 363), (300_067, 67)]
    );
    assert!(replay_rows.iter().all(|row| row.same_state));
    assert!(
        replay_rows[4..]
            .iter()
            .all(|row| row.events_replayed < row.snapshot_every)
    );
    assert_eq!(
        (whole.balance, deduplicated.balance, naive_balance),
        (-489_420, -489_420, -753_959)
    );
    assert_eq!((earlier.balance, earlier.last_event), (-579_779, 5_000));
    assert_eq!(
        (worst.lag, worst.time_s, worst.staleness_s),
        (6_000, 40.0, 20.0)
    );
    assert_eq!(caught_up, 70.0);
    let lost: Vec<usize> = wal_rows.iter().map(|row| row.lost).collect();
    assert_eq!(lost, [0, 0, 32, 397, 412, 3_350]);
    for (durability, loses) in [
        (Durability::AckThenFsyncEvery(100), true),
        (Durability::FsyncBeforeAck, false),
    ] {
        let (_, lost) = wal_run(durability, 10_000, 0.01, 1)?;
        assert!(right(check_prediction(Some(loses), lost > 0, "")));
    }

    // 6. Partitions and consumer groups.
    assert_eq!(murmur2(b"21"), -973_932_308);
    let moved: Vec<usize> = moves.iter().map(|row| row.moved).collect();
    assert_eq!(moved, [0, 8_595, 7_615, 5_017, 5_092]);
    assert!(keeps_up.samples.iter().all(|sample| sample.lag < 100));
    assert_eq!(growth, 200.0);
    assert_eq!(
        (
            lag_at(&scaled_run, 30),
            lag_at(&scaled_run, 33),
            lag_at(&scaled_run, 60)
        ),
        (6_000, 9_000, 2_016)
    );
    let plateau: Vec<f64> = throughput_rows.iter().map(|row| row.throughput).collect();
    assert_eq!(
        plateau,
        [
            500.0, 1_000.0, 1_500.0, 2_000.0, 2_500.0, 3_000.0, 3_000.0, 3_000.0, 3_000.0
        ]
    );
    assert_eq!(throughput_rows[8].idle_consumers, 6);
    assert_eq!(
        (falls_behind.out_of_order, grown_run.out_of_order),
        (0, 3_063)
    );
    for (consumers, faster) in [(6, false), (12, false), (3, false)] {
        let rows = throughput_experiment(6, &[6, consumers], 10_000.0, 500.0, secs(20), 1)?;
        let measured = rows[1].throughput > rows[0].throughput;
        assert!(right(check_prediction(Some(faster), measured, "")));
    }

    // 7. Event time, windows and late data.
    let windows: Vec<(usize, usize, f64)> = lateness_rows
        .iter()
        .map(|row| (row.dropped, row.wrong_windows, row.p50_result_delay_ms))
        .collect();
    assert_eq!(
        windows,
        [
            (15_666, 190, 76.5),
            (6_096, 190, 333.1),
            (2_948, 190, 581.7),
            (1_084, 190, 1_077.5),
            (409, 166, 2_076.5),
            (168, 112, 5_076.5),
            (1, 1, 10_076.6),
            (0, 175, 0.0)
        ]
    );
    assert!(same && event_time_same);
    assert_eq!((differing, first.len()), (23, 26));
    for (lateness, few) in [(ms(500), false), (secs(5), true)] {
        let rows = lateness_experiment(&[lateness], secs(1), &delay, 1)?;
        assert!(right(check_prediction(
            Some(few),
            rows[0].dropped < 200,
            ""
        )));
    }

    // 8. Batch jobs on failing workers.
    assert_eq!(
        (calm.completion_secs, hit.completion_secs),
        (Some(50), Some(75))
    );
    assert_eq!(
        hit.launches,
        [[2, 1, 1, 1, 2, 1, 1, 1], [2, 1, 1, 1, 1, 1, 1, 1]]
    );
    assert_eq!(hit.output, calm.output);
    assert_eq!(
        (calm.output.len(), calm.output.values().sum::<u64>()),
        (993, 8_000)
    );
    let mean_secs = |interval: &str| -> Vec<f64> {
        batch_rows
            .iter()
            .filter(|row| row.checkpoint.starts_with(interval))
            .map(|row| row.mean_completion_secs)
            .collect()
    };
    assert_eq!(
        mean_secs("never"),
        [210.0, 296.1, 335.0, 484.5, 841.3, 1633.9, 3567.5]
    );
    assert_eq!(
        mean_secs("every stage"),
        [300.0, 312.7, 312.0, 332.7, 338.4, 357.4, 361.4]
    );
    assert_eq!(
        mean_secs("every 2"),
        [250.0, 277.4, 283.8, 312.8, 332.0, 383.5, 395.5]
    );
    assert_eq!(
        mean_secs("every 5"),
        [220.0, 270.8, 277.8, 360.4, 428.3, 596.3, 612.0]
    );
    assert!(batch_rows.iter().all(|row| row.wrong_outputs == 0));
    assert_eq!(batch_rows.len() * 10, 280);
    assert!(right(check_prediction(Some(true), lineage_sooner, "")));
    let at_thirty = batch_experiment(&job, &[None, Some(1)], &[30.0], 10, 1)?;
    assert!(at_thirty[0].mean_completion_secs > at_thirty[1].mean_completion_secs);
    Ok(())
}
