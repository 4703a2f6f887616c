//! The Rust code of `notebooks/13-overload-and-resilience.ipynb`, cell by cell, as one program.
//!
//! Each `// cell` line starts the code of the next notebook code cell (after the `:dep` cell); a
//! cell whose last line is a bare variable shows that value, which here is spelled
//! `variable.evcxr_display();`. `tests/overload_and_resilience_notebook.rs` checks that the two
//! stay identical, runs this program, and the assertions at the end pin the numbers the
//! notebook's prose quotes; the try-it variations run here with their predictions set.
//!
//! Run it with `cargo run --release -p lessons --example overload_and_resilience`.

use std::error::Error;

pub fn main() -> Result<(), Box<dyn Error>> {
    // cell
    use lessons::display::RichDisplay;
    use lessons::resilience::*;
    use lessons::sim::*;
    use lessons::table::Table;
    use lessons::try_it::check_prediction;

    // cell
    let model = QueueModel::new(90.0, Latency::exponential(ms(10)), 1)?;
    let run = model.run(secs(600), 1)?;
    let formula_ms = mmc_mean_response_ms(90.0, ms(10), 1)?;
    println!(
        "rho = {:.2}: mean response {:.1} ms (formula {formula_ms:.1} ms), p99 {:.0} ms",
        utilization(90.0, ms(10), 1)?,
        run.mean_response_ms,
        run.p99_response_ms
    );
    println!(
        "Little: L = {:.4}, lambda W = {:.4}; the two areas in request-ns are equal: {}",
        run.mean_in_system,
        run.throughput * run.mean_response_ms / 1000.0,
        run.customer_nanos == run.response_nanos
    );

    // cell
    let levels = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98];
    let mut sweep = utilization_sweep(1, ms(10), &levels, secs(600), 2)?;
    sweep.extend(utilization_sweep(4, ms(10), &levels, secs(600), 2)?);
    hockey_stick_figure(&sweep).show();
    let sweep_table = utilization_table(&sweep)?;
    sweep_table.evcxr_display();

    // cell
    let mut multiples = Vec::new();
    for rho in [0.5, 0.7, 0.9] {
        let multiple = mmc_mean_response_ms(rho * 100.0, ms(10), 1)? / 10.0;
        println!("M/M/1 at rho = {rho}: mean response = {multiple:.1} x service time");
        multiples.push(multiple);
    }
    let doubled = utilization(2.0 * 70.0, ms(10), 1)?;
    println!("a 2x peak on a server at 70%: rho = {doubled:.1}, no steady state");
    let headroom = 0.5 * 2.0;
    println!("the largest load that survives a 2x peak: 50% (2 x 50% = {headroom})");

    // cell
    let overloaded = QueueModel::new(120.0, Latency::exponential(ms(10)), 1)?;
    let mut growth = Table::new([
        "arrivals for",
        "waiting when arrivals stop",
        "(lambda - mu) T",
    ]);
    for seconds in [30, 60, 120] {
        let run = overloaded.run(secs(seconds), 3)?;
        growth.push_row([
            format!("{seconds} s"),
            run.queue_when_arrivals_stop.to_string(),
            format!("{}", 20 * seconds),
        ])?;
    }
    growth.evcxr_display();

    // cell
    let prediction: Option<_> = None; // is M/M/4 at rho = 0.9 faster on average than M/M/1?
    let one = mmc_mean_response_ms(90.0, ms(10), 1)?;
    let four = mmc_mean_response_ms(360.0, ms(10), 4)?;
    let four_simulated =
        QueueModel::new(360.0, Latency::exponential(ms(10)), 4)?.run(secs(300), 4)?;
    println!(
        "{}",
        check_prediction(
            prediction,
            four < one,
            format!(
                "At the same utilization, one line feeding 4 servers waits far less: {four:.1} ms \
                 (simulated {:.1} ms) against {one:.1} ms. A request waits only when all four \
                 are busy, which Erlang C puts at {:.2} here.",
                four_simulated.mean_response_ms,
                erlang_c(4, 3.6)?
            )
        )
    );

    // cell
    use lessons::widgets::{Control, Values, interact};

    fn queue_view(values: &Values) -> Result<Table, Box<dyn std::error::Error>> {
        let rho = values.float("utilization");
        let mut table = Table::new(["servers", "P(wait)", "formula", "simulated", "p99"]);
        for servers in [1, values.int("servers") as usize] {
            let rate = rho * servers as f64 * 100.0;
            let model = QueueModel::new(rate, Latency::exponential(ms(10)), servers)?;
            let run = model.run(secs(60), 1)?;
            table.push_row([
                servers.to_string(),
                format!("{:.3}", erlang_c(servers, rate / 100.0)?),
                format!("{:.1} ms", mmc_mean_response_ms(rate, ms(10), servers)?),
                format!("{:.1} ms", run.mean_response_ms),
                format!("{:.0} ms", run.p99_response_ms),
            ])?;
        }
        Ok(table)
    }
    interact(
        vec![
            Control::float("utilization", 0.1, 0.98, 0.01, 0.9)?,
            Control::int("servers", 2..=8, 4)?,
        ],
        queue_view,
    )?;

    // cell
    let loads = [0.25, 0.5, 0.75, 0.9, 1.0, 1.1, 1.25, 1.5, 2.0];
    let mut goodput = goodput_sweep(1, ms(10), ms(200), &loads, None, secs(120), 5)?;
    goodput.extend(goodput_sweep(
        1,
        ms(10),
        ms(200),
        &loads,
        Some(10),
        secs(120),
        5,
    )?);
    goodput_figure(&goodput).show();
    let shedding = goodput_table(&goodput)?;
    shedding.evcxr_display();

    // cell
    let flood = OverloadScenario::new(1.5, 0.3, ms(10), ms(200), secs(60))?;
    let admissions = [
        Admission::Unbounded,
        Admission::Reject(10),
        Admission::Block(10),
        Admission::ShedLowPriority(10),
    ];
    let admission_runs = admission_experiment(&flood, &admissions, 5)?;
    line_figure(&admission_runs).show();
    admitted_p99_figure(&admission_runs).show();
    let admission_rows = admission_table(&admission_runs)?;
    admission_rows.evcxr_display();

    // cell
    let prediction: Option<_> = None; // with room for 100, does goodput at 1.5x stay above 90%?
    let room = 100;
    let long_line = goodput_sweep(1, ms(10), ms(200), &[1.5], Some(room), secs(120), 5)?;
    println!(
        "{}",
        check_prediction(
            prediction,
            long_line[0].goodput_share > 0.9,
            format!(
                "Goodput at 1.5x with a line of {room}: {:.0}% of capacity, p99 {:.0} ms. A full \
                 line of {room} takes {room} x 10 ms = {} ms to drain; a bound only protects \
                 goodput if a full line drains within the deadline (200 ms).",
                100.0 * long_line[0].goodput_share,
                long_line[0].p99_ms,
                room * 10
            )
        )
    );

    // cell
    let prediction: Option<_> = None; // with 80% high priority, are >99% of them on time?
    let mostly_high = OverloadScenario::new(1.5, 0.8, ms(10), ms(200), secs(60))?;
    let shed = admission_experiment(&mostly_high, &[Admission::ShedLowPriority(10)], 5)?;
    println!(
        "{}",
        check_prediction(
            prediction,
            shed[0].high_success > 0.99,
            format!(
                "High priority on time: {:.1}%, turned away: {:.1}% of all requests. The high \
                 class alone now offers 1.2x capacity: once no low-priority request is left to \
                 push out, high-priority requests are turned away like any others.",
                100.0 * shed[0].high_success,
                100.0 * shed[0].rejected as f64 / shed[0].produced as f64
            )
        )
    );

    // cell
    let jitters = [
        Jitter::None,
        Jitter::Full,
        Jitter::Equal,
        Jitter::Decorrelated,
    ];
    let mut delays = Table::new(["policy", "delays before retries 1..6 (ms)"]);
    for jitter in jitters {
        let backoff = Backoff::new(ms(100), secs(10), jitter)?;
        let shown: Vec<String> = backoff
            .delays(6, 1)
            .iter()
            .map(|delay| format!("{:.0}", delay.as_millis_f64()))
            .collect();
        delays.push_row([jitter.to_string(), shown.join(", ")])?;
    }
    delays.evcxr_display();

    // cell
    let storm = Storm::new(1_000, 50, ms(10), ms(5), 12)?;
    let mut runs = vec![retry_storm(storm, None, 1)?];
    for jitter in jitters {
        runs.push(retry_storm(
            storm,
            Some(Backoff::new(ms(10), secs(5), jitter)?),
            1,
        )?);
    }
    storm_figure(&runs, 50, 400.0).show();
    let mut storm_table = Table::new([
        "policy",
        "peak retry load",
        "requests sent",
        "gave up",
        "last served (ms)",
        "retry instants",
    ]);
    for run in &runs {
        storm_table.push_row([
            run.policy.clone(),
            run.peak_retry_load.to_string(),
            run.attempts.to_string(),
            run.gave_up.to_string(),
            format!("{:.0}", run.last_served_ms),
            run.distinct_retry_instants.to_string(),
        ])?;
    }
    storm_table.evcxr_display();

    // cell
    let mut chains = Vec::new();
    for layers in 1..=5 {
        chains.push(amplification_experiment(layers, 3, None, 1_000)?);
        chains.push(amplification_experiment(layers, 3, Some(0.2), 1_000)?);
    }
    amplification_figure(&chains).show();
    println!(
        "one layer, 1 try + 3 retries, 100 clients: {} requests; 3 layers x 3 tries: {}x",
        100 * amplification(4, 1)?,
        amplification(3, 3)?
    );
    let three_layers = chains[5].clone();
    println!(
        "with a 20% budget per layer: {:.3} calls per request at 3 layers (bound 1.2^3 = {:.3})",
        three_layers.bottom_calls_per_request,
        1.2f64.powi(3)
    );

    // cell
    let prediction: Option<_> = None; // calls reaching the bottom per request, rounded
    let half_budget = amplification_experiment(3, 3, Some(0.5), 1_000)?;
    println!(
        "{}",
        check_prediction(
            prediction,
            half_budget.bottom_calls_per_request.round() as u64,
            format!(
                "{:.3} calls per request: each layer sends at most 1.5 calls per call it \
                 receives, so three layers allow 1.5^3 = 3.375; without the budget, 27.",
                half_budget.bottom_calls_per_request
            )
        )
    );

    // cell
    let thresholds_20 = false_trip_experiment(20, &[2, 3, 10], 0.02, 200_000, 6)?;
    let thresholds_100 = false_trip_experiment(100, &[5, 6, 10], 0.02, 200_000, 6)?;
    let mut trips = Table::new([
        "window",
        "failures to open",
        "exact P(trip)",
        "measured",
        "windows per false trip",
    ]);
    for row in thresholds_20.iter().chain(&thresholds_100) {
        trips.push_row([
            row.window.to_string(),
            row.failures_to_open.to_string(),
            format!("{:.3e}", row.exact),
            format!("{:.3e}", row.measured),
            format!("{:.0}", 1.0 / row.exact),
        ])?;
    }
    trips.evcxr_display();

    // cell
    let small = false_trip_probability(20, 2, 0.02)?;
    let large = false_trip_probability(100, 10, 0.02)?;
    println!(
        "C23: >= 2 of 20 at a 2% baseline trips {:.2}% of windows",
        100.0 * small
    );
    println!(
        "     at 100 calls/s that is one false trip every {:.0} s",
        0.2 / small
    );
    println!(
        "     >= 10 of 100 trips {large:.2e} of windows: one per {:.1} hours at 100 calls/s",
        1.0 / large / 3600.0
    );
    let bug = false_trip_probability(20, 10, 0.10)?;
    println!("a bug failing 10% of calls against '50% of 20': opens {bug:.1e} of windows");
    false_trip_figure(&[20, 100], &[0.01, 0.02, 0.05])?.show();

    // cell
    let mut breaker = CircuitBreaker::new(20, 10, secs(5), 1)?;
    let mut now = Time::ZERO;
    while now < secs(16) {
        let down = now >= secs(2) && now < secs(9);
        if breaker.allow(now) {
            breaker.record(now, !down);
        }
        now += ms(100);
    }
    let mut history = Table::new(["at", "from", "to"]);
    for transition in breaker.transitions() {
        history.push_row([
            transition.at.to_string(),
            transition.from.to_string(),
            transition.to.to_string(),
        ])?;
    }
    history.evcxr_display();

    // cell
    let outage = Outage::new(secs(10), secs(43), 0.02)?;
    let open_durations: Vec<Time> = [1, 2, 5, 10, 20, 30].into_iter().map(secs).collect();
    let recovery = recovery_experiment(
        outage,
        20,
        10,
        &open_durations,
        &[1, 5],
        ms(10),
        secs(200),
        7,
    )?;
    recovery_figure(&recovery).show();
    let recovery_rows = recovery_table(&recovery)?;
    recovery_rows.evcxr_display();

    // cell
    let prediction: Option<_> = None; // does a 5% baseline trip ">= 10 of 100" in over 1% of windows?
    let noisier = false_trip_probability(100, 10, 0.05)?;
    let measured = false_trip_experiment(100, &[10], 0.05, 50_000, 8)?;
    println!(
        "{}",
        check_prediction(
            prediction,
            noisier > 0.01,
            format!(
                "P(>= 10 of 100) at 5%: {:.2}% exact, {:.2}% measured. Twice the baseline is \
                 not enough margin even at 100 calls; the threshold has to sit where the \
                 binomial tail is small, not at a fixed multiple.",
                100.0 * noisier,
                100.0 * measured[0].measured
            )
        )
    );

    // cell
    let scenario = PoolScenario::new(200, 400.0, 0.5, secs(40))?.dependency(
        Latency::exponential(ms(10)),
        Latency::constant(secs(8)),
        secs(10),
    )?;
    let protections = [
        Protection::default(),
        Protection {
            timeout: Some(secs(1)),
            bulkhead: None,
        },
        Protection {
            timeout: Some(ms(200)),
            bulkhead: None,
        },
        Protection {
            timeout: None,
            bulkhead: Some(50),
        },
    ];
    let mut pool_runs = Vec::new();
    for protection in protections {
        pool_runs.push(pool_experiment(&scenario, protection, 10)?);
    }
    pool_figure(&pool_runs).show();

    // cell
    let mut pool_table = Table::new([
        "protection",
        "others served after the slowdown",
        "dependency successes per s",
        "most threads in dependency calls",
    ]);
    for run in &pool_runs {
        pool_table.push_row([
            run.protection.clone(),
            format!("{:.1}%", 100.0 * run.others_success_after),
            format!("{:.1}", run.dependency_throughput_after),
            run.most_dependency_threads.to_string(),
        ])?;
    }
    pool_table.evcxr_display();

    // cell
    let sizes = [1, 2, 3, 5, 10, 50, 150, 195, 199, 200];
    let bulkheads = bulkhead_sweep(&scenario, None, &sizes, 10)?;
    bulkhead_figure(&bulkheads).show();
    let mut bulkhead_table = Table::new([
        "bulkhead",
        "others served after the slowdown",
        "healthy calls turned away",
    ]);
    for row in &bulkheads {
        bulkhead_table.push_row([
            row.bulkhead.to_string(),
            format!("{:.1}%", 100.0 * row.others_success_after),
            row.rejected_while_healthy.to_string(),
        ])?;
    }
    bulkhead_table.evcxr_display();

    // cell
    let prediction: Option<_> = None; // does a 2 s timeout alone keep the others above 90%?
    let two_seconds = Protection {
        timeout: Some(secs(2)),
        bulkhead: None,
    };
    let timed = pool_experiment(&scenario, two_seconds, 10)?;
    println!(
        "{}",
        check_prediction(
            prediction,
            timed.others_success_after > 0.9,
            format!(
                "Others served: {:.1}%. Slow calls now hold a thread for 2 s, and 200 of them \
                 arrive per second: they would need 200 x 2 = 400 threads, twice the pool. A \
                 timeout protects the pool only while arrival rate x timeout stays below the \
                 pool size (at 1 s it is exactly 200: the pool is just full).",
                100.0 * timed.others_success_after
            )
        )
    );

    // cell
    let one_second = Protection {
        timeout: Some(secs(1)),
        bulkhead: None,
    };
    let breaker = CircuitBreaker::new(20, 10, secs(5), 1)?;
    let guarded_runs = vec![
        pool_experiment(&scenario, one_second, 10)?,
        guarded_pool_experiment(&scenario, one_second, breaker.clone(), 10)?,
    ];
    pool_figure(&guarded_runs).show();
    for run in &guarded_runs {
        let worst = run
            .seconds
            .iter()
            .map(|s| s.others_success)
            .fold(1.0, f64::min);
        println!(
            "{}: others served after the slowdown {:.2}%, worst second {:.1}%",
            run.protection,
            100.0 * run.others_success_after,
            100.0 * worst
        );
    }

    // cell
    let prediction: Option<_> = None; // with a breaker, does the 2 s timeout keep the others above 90%?
    let guarded_two = guarded_pool_experiment(&scenario, two_seconds, breaker, 10)?;
    println!(
        "{}",
        check_prediction(
            prediction,
            guarded_two.others_success_after > 0.9,
            format!(
                "Others served: {:.1}%. Until the first calls time out, 2 s after the \
                 slowdown, the slow calls fill the pool as before; then ten timeouts open \
                 the breaker, which keeps the dependency's calls off the pool except for \
                 one probe every 5 s.",
                100.0 * guarded_two.others_success_after
            )
        )
    );

    // cell
    let mut all_runs = pool_runs.clone();
    all_runs.push(guarded_runs[1].clone());
    pool_figure(&all_runs).show();
    pool_p99_figure(&all_runs).show();
    let mut latency_table = Table::new([
        "protection",
        "p99 before (ms)",
        "p99 after (ms)",
        "p99 of the median second after (ms)",
        "seconds after with p99 = 8 s",
    ]);
    for run in &all_runs {
        let after: Vec<f64> = run.seconds[10..].iter().map(|s| s.p99_ms).collect();
        let at_slow_latency = after.iter().filter(|&&p99| p99 >= 8_000.0).count();
        latency_table.push_row([
            run.protection.clone(),
            format!("{:.0}", run.p99_before_ms),
            format!("{:.0}", run.p99_after_ms),
            format!("{:.0}", percentile(&after, 50.0)?),
            at_slow_latency.to_string(),
        ])?;
    }
    latency_table.evcxr_display();

    // cell
    let policies = [
        Policy::RoundRobin,
        Policy::WeightedRoundRobin(vec![1, 10, 10, 10, 10, 10, 10, 10, 10, 10]),
        Policy::Random,
        Policy::LeastConnections,
        Policy::PowerOfTwoChoices,
    ];
    let balancing = balancing_experiment(&policies, 10, 10.0, ms(10), 0.6, secs(60), 11)?;
    balancing_figure(&balancing).show();
    let mut balancing_table = Table::new([
        "policy",
        "median (ms)",
        "p99 (ms)",
        "sent to the slow server",
    ]);
    for row in &balancing {
        balancing_table.push_row([
            row.policy.clone(),
            format!("{:.1}", row.p50_ms),
            format!("{:.0}", row.p99_ms),
            format!("{:.2}%", 100.0 * row.slow_share),
        ])?;
    }
    balancing_table.evcxr_display();

    // cell
    let balls = balls_into_bins(&[10, 100, 1_000, 10_000, 100_000], 20, 12)?;
    balls_figure(&balls).show();
    let mut balls_table = Table::new([
        "n",
        "1 choice",
        "ln n / ln ln n",
        "2 choices",
        "ln ln n / ln 2",
    ]);
    for pair in balls.chunks(2) {
        let n = pair[0].bins as f64;
        balls_table.push_row([
            pair[0].bins.to_string(),
            format!("{:.2}", pair[0].mean_max_load),
            format!("{:.2}", n.ln() / n.ln().ln()),
            format!("{:.2}", pair[1].mean_max_load),
            format!("{:.2}", n.ln().ln() / 2f64.ln()),
        ])?;
    }
    balls_table.evcxr_display();

    // cell
    let prediction: Option<_> = None; // with a 3x (not 10x) slow server, does round robin's p99 stay under 100 ms?
    let three_times = balancing_experiment(
        &[Policy::RoundRobin, Policy::PowerOfTwoChoices],
        10,
        3.0,
        ms(10),
        0.6,
        secs(60),
        11,
    )?;
    println!(
        "{}",
        check_prediction(
            prediction,
            three_times[0].p99_ms < 100.0,
            format!(
                "Round robin p99: {:.0} ms (power of two choices: {:.0} ms). The slow server \
                 still gets 10% of the requests, which at 3x its service time is more than \
                 its capacity: its queue grows for the whole run.",
                three_times[0].p99_ms, three_times[1].p99_ms
            )
        )
    );

    // cell
    let cold_policies = [
        Policy::RoundRobin,
        Policy::LeastConnections,
        Policy::LeastResponseTime,
        Policy::SlowStart(secs(60)),
    ];
    let cold = cold_start_experiment(&cold_policies, 10, 10.0, secs(30), ms(10), 0.6, 13)?;
    response_bars("A server joining 10x slower, warm after 30 s", &cold).show();
    let cold_table = policy_table(&cold)?;
    cold_table.evcxr_display();

    // cell
    let nat_policies = [Policy::RoundRobin, Policy::LeastConnections, Policy::IpHash];
    let nat = nat_experiment(&nat_policies, 10, 0.3, ms(10), 0.6, secs(60), 14)?;
    response_bars("One address sends 30% of the requests", &nat).show();
    let nat_table = policy_table(&nat)?;
    nat_table.evcxr_display();

    // cell
    let prediction: Option<_> = None; // slow start over exactly the warm-up: p99 under 1 s?
    let window = secs(30);
    let short_ramp = cold_start_experiment(
        &[Policy::SlowStart(window)],
        10,
        10.0,
        secs(30),
        ms(10),
        0.6,
        13,
    )?;
    println!(
        "{}",
        check_prediction(
            prediction,
            short_ramp[0].p99_ms < 1_000.0,
            format!(
                "p99 {:.0} ms. A linear ramp over the warm-up gives the server half its share \
                 at 15 s, when it is still 5.5x slow: it is asked for 0.3 of a warm server's \
                 work and can do 0.18. The weight must grow no faster than the speed.",
                short_ramp[0].p99_ms
            )
        )
    );

    // cell
    fn balancing_view(values: &Values) -> Result<Table, Box<dyn std::error::Error>> {
        let slow = values.float("slow server factor");
        let load = values.float("utilization");
        let policies = [
            Policy::RoundRobin,
            Policy::Random,
            Policy::LeastConnections,
            Policy::PowerOfTwoChoices,
        ];
        let rows = balancing_experiment(&policies, 10, slow, ms(10), load, secs(20), 11)?;
        Ok(policy_table(&rows)?)
    }
    interact(
        vec![
            Control::float("slow server factor", 1.0, 20.0, 0.5, 10.0)?,
            Control::float("utilization", 0.1, 0.8, 0.05, 0.6)?,
        ],
        balancing_view,
    )?;

    // cell
    let mut targets = Table::new(["availability", "downtime per year", "per 30 days"]);
    for (name, target) in [
        ("99%", 0.99),
        ("99.9%", 0.999),
        ("99.95%", 0.9995),
        ("99.99%", 0.9999),
        ("99.999%", 0.99999),
    ] {
        let minutes = downtime_minutes_per_year(target)?;
        targets.push_row([
            name.to_string(),
            format!("{minutes:.1} min"),
            format!("{:.2} min", minutes * 30.0 / 365.25),
        ])?;
    }
    targets.evcxr_display();

    // cell
    let hour = 3_600;
    let serial_lengths = [1, 2, 5, 10, 20];
    let mut chains_up =
        availability_experiment(&serial_lengths, 1, secs(999 * hour), secs(hour), 2_000, 9)?;
    chains_up.extend(availability_experiment(
        &serial_lengths,
        2,
        secs(999 * hour),
        secs(hour),
        2_000,
        9,
    )?);
    availability_figure(&chains_up).show();
    let chains_table = availability_table(&chains_up)?;
    chains_table.evcxr_display();

    // cell
    let day = 86_400;
    let incidents = [
        Incident::new(secs(3 * day + 10 * 3_600), secs(20 * 60), 1.0)?,
        Incident::new(secs(12 * day + 14 * 3_600), secs(2 * 3_600), 0.1)?,
        Incident::new(secs(19 * day), secs(3 * day), 0.002)?,
        Incident::new(secs(27 * day), secs(5 * 60), 1.0)?,
    ];
    let month = error_budget(0.999, 30, &incidents)?;
    budget_figure(&month).show();
    let mut alert_table = Table::new(["alert", "burn rate above", "from", "to"]);
    for alert in &month.alerts {
        let at = |minute: usize| {
            format!(
                "day {} {:02}:{:02}",
                minute / 1_440,
                minute % 1_440 / 60,
                minute % 60
            )
        };
        alert_table.push_row([
            alert.severity.to_string(),
            alert.burn_rate.to_string(),
            at(alert.from_minute),
            at(alert.to_minute),
        ])?;
    }
    alert_table.evcxr_display();

    // cell
    let prediction: Option<_> = None; // 3 hours down on day 365: does the year meet 99.9%?
    let three_hours = [Incident::new(secs(364 * day), secs(3 * 3_600), 1.0)?];
    let year = error_budget(0.999, 365, &three_hours)?;
    let last_month = [Incident::new(secs(29 * day), secs(3 * 3_600), 1.0)?];
    let window = error_budget(0.999, 30, &last_month)?;
    println!(
        "{}",
        check_prediction(
            prediction,
            year.availability >= 0.999,
            format!(
                "Over the year: {:.3}% (a budget of {:.0} minutes, {:.0} spent). Over the \
                 30 days that hold the outage: {:.3}%, {:.1}x the budget. The same hours meet \
                 a yearly target and miss a monthly one by far.",
                100.0 * year.availability,
                year.budget_minutes,
                year.spent_minutes,
                100.0 * window.availability,
                window.spent_minutes / window.budget_minutes
            )
        )
    );

    // cell
    let prediction: Option<_> = None; // can an app at 99.99% depending on a 99.95% store meet 99.99%?
    let app_alone = 0.9999;
    let with_store = serial_availability(&[app_alone, 0.9995])?;
    let with_two_stores = serial_availability(&[app_alone, parallel_availability(0.9995, 2)?])?;
    println!(
        "{}",
        check_prediction(
            prediction,
            with_store >= 0.9999,
            format!(
                "In series: {:.3}% ({:.0} min/year). Two independent copies of the store: \
                 {:.4}%, still below 99.99% because the app itself spends the whole budget; \
                 a fallback that works without the store is what protects the target.",
                100.0 * with_store,
                downtime_minutes_per_year(with_store)?,
                100.0 * with_two_stores
            )
        )
    );
    // end of cells
    let column = |table: &Table, index: usize| -> Vec<String> {
        table.rows().iter().map(|row| row[index].clone()).collect()
    };
    let right = |message: String| message.starts_with("Right");

    // Section 1: one run, the sweep, the 70% claim, growth above rho = 1.
    assert_eq!(format!("{:.1}", run.mean_response_ms), "107.2");
    assert_eq!(format!("{:.0}", run.p99_response_ms), "514");
    assert_eq!(run.customer_nanos, run.response_nanos);
    assert_eq!(column(&sweep_table, 2)[10], "538.9");
    assert_eq!(column(&sweep_table, 3)[10], "500.0");
    assert_eq!(
        (
            column(&sweep_table, 2)[19].as_str(),
            column(&sweep_table, 3)[19].as_str()
        ),
        ("29.6", "29.7")
    );
    assert_eq!(column(&sweep_table, 5), column(&sweep_table, 6)); // L = lambda W in every row
    assert_eq!(format!("{:.1}", multiples[1]), "3.3");
    assert_eq!(column(&growth, 1), ["553", "1187", "2539"]);
    assert!(right(check_prediction(Some(true), four < one, "")));

    // Section 2: goodput.
    assert_eq!(column(&shedding, 2)[4], "9.6%");
    assert_eq!(column(&shedding, 2)[7], "0.5%");
    assert_eq!(column(&shedding, 2)[16], "98.5%");
    assert_eq!(column(&shedding, 3)[16], "33.8%");
    assert_eq!(column(&shedding, 4)[16], "188");
    assert_eq!(column(&shedding, 4)[7], "60425");
    assert!(right(check_prediction(
        Some(false),
        long_line[0].goodput_share > 0.9,
        ""
    )));

    // Section 2: four admission policies.
    assert_eq!(
        column(&admission_rows, 0)[1..],
        [
            "reject, line of 10",
            "block the producer, line of 10",
            "shed low priority, line of 10"
        ]
    );
    assert_eq!(
        column(&admission_rows, 1),
        ["99.9%", "99.9%", "65.8%", "99.9%"]
    );
    assert_eq!(
        column(&admission_rows, 2),
        ["0.0%", "34.2%", "0.0%", "34.2%"]
    );
    assert_eq!(
        column(&admission_rows, 3),
        ["1.0%", "97.7%", "97.5%", "87.5%"]
    );
    assert_eq!(column(&admission_rows, 4), ["30403", "197", "205", "340"]);
    assert_eq!(
        column(&admission_rows, 5),
        ["0.6%", "65.4%", "99.1%", "100.0%"]
    );
    assert_eq!(
        column(&admission_rows, 6),
        ["0.7%", "65.1%", "98.7%", "40.6%"]
    );
    assert_eq!(column(&admission_rows, 7), ["3062", "10", "10", "10"]);
    assert!(right(check_prediction(
        Some(false),
        shed[0].high_success > 0.99,
        ""
    )));

    // Section 3: the storm and amplification.
    let storm_numbers: Vec<(u64, u64, u64, String, usize)> = runs
        .iter()
        .map(|run| {
            let last = format!("{:.0}", run.last_served_ms);
            (
                run.peak_retry_load,
                run.attempts,
                run.gave_up,
                last,
                run.distinct_retry_instants,
            )
        })
        .collect();
    assert_eq!(storm_numbers[0], (1_850, 10_200, 700, "50".to_string(), 11));
    assert_eq!(storm_numbers[1], (950, 8_700, 400, "15165".to_string(), 11));
    assert_eq!(
        (storm_numbers[2].2, storm_numbers[2].3.as_str()),
        (0, "717")
    );
    assert_eq!(storm_numbers[3].0, 950);
    assert_eq!(
        (storm_numbers[4].1, storm_numbers[4].3.as_str()),
        (3_497, "359")
    );
    assert_eq!(chains[4].bottom_calls_per_request, 27.0);
    assert_eq!(chains[8].bottom_calls_per_request, 243.0);
    assert_eq!(
        format!("{:.3}", three_layers.bottom_calls_per_request),
        "1.728"
    );
    assert!(right(check_prediction(
        Some(3),
        half_budget.bottom_calls_per_request.round() as u64,
        ""
    )));

    // Section 4: false trips (C23), the breaker's cycle, recovery.
    assert_eq!(column(&trips, 2)[0], "5.990e-2");
    assert_eq!(column(&trips, 3)[0], "5.899e-2");
    assert_eq!(column(&trips, 2)[5], "3.442e-5");
    assert_eq!(column(&trips, 3)[5], "3.500e-5"); // 7 of 200,000 windows
    assert_eq!(format!("{:.0}", 0.2 / small), "3");
    assert_eq!(format!("{:.1}", 1.0 / large / 3600.0), "8.1");
    assert_eq!(format!("{bug:.1e}"), "7.2e-6");
    assert_eq!(
        column(&history, 0),
        ["2.9s", "7.9s", "7.9s", "12.9s", "12.9s"]
    );
    assert_eq!(
        column(&recovery_rows, 5)[..6],
        ["0.09", "1.09", "2.09", "7.09", "7.09", "27.09"]
    );
    assert_eq!(column(&recovery_rows, 5)[11], "27.13");
    assert_eq!(column(&recovery_rows, 3)[0], "42");
    assert_eq!(column(&recovery_rows, 3)[5], "11");
    assert!(right(check_prediction(Some(true), noisier > 0.01, "")));

    // Section 5: the pool and the bulkhead.
    assert_eq!(format!("{:.1}", 100.0 * timed.others_success_after), "47.8");
    assert_eq!(
        column(&pool_table, 1),
        ["12.8%", "92.3%", "100.0%", "100.0%"]
    );
    assert_eq!(column(&pool_table, 2), ["26.7", "0.0", "0.0", "6.7"]);
    assert_eq!(column(&pool_table, 3), ["200", "200", "65", "50"]);
    assert_eq!(column(&bulkhead_table, 1)[7..], ["97.0%", "41.2%", "12.8%"]);
    assert_eq!(
        column(&bulkhead_table, 2)[..5],
        ["1303", "807", "424", "88", "0"]
    );
    assert!(right(check_prediction(
        Some(false),
        timed.others_success_after > 0.9,
        ""
    )));

    // Section 5: a breaker behind the timeout.
    let worst = |run: &PoolRun| {
        let lowest = run
            .seconds
            .iter()
            .map(|s| s.others_success)
            .fold(1.0, f64::min);
        format!("{:.1}", 100.0 * lowest)
    };
    assert_eq!(
        format!("{:.2}", 100.0 * guarded_runs[1].others_success_after),
        "99.98"
    );
    assert_eq!(
        (
            worst(&guarded_runs[0]).as_str(),
            worst(&guarded_runs[1]).as_str()
        ),
        ("82.4", "99.5")
    );
    assert_eq!(
        format!("{:.1}", 100.0 * guarded_two.others_success_after),
        "96.4"
    );
    assert!(right(check_prediction(
        Some(true),
        guarded_two.others_success_after > 0.9,
        ""
    )));

    // Section 5: what the callers wait.
    assert_eq!(column(&latency_table, 1), ["44"; 5]);
    assert_eq!(
        column(&latency_table, 2),
        ["8000", "1000", "200", "8000", "1000"]
    );
    assert_eq!(column(&latency_table, 3), ["0", "1000", "200", "39", "39"]);
    assert_eq!(column(&latency_table, 4), ["7", "0", "0", "4", "0"]);
    let seconds_at = |run: &PoolRun, p99_ms: f64| -> Vec<usize> {
        let after = run.seconds.iter().enumerate().skip(10);
        after
            .filter(|(_, s)| s.p99_ms == p99_ms)
            .map(|(second, _)| second)
            .collect()
    };
    assert_eq!(
        seconds_at(&all_runs[0], 8_000.0),
        [10, 18, 19, 26, 27, 34, 35]
    );
    assert_eq!(seconds_at(&all_runs[0], 0.0).len(), 23);
    assert_eq!(seconds_at(&all_runs[1], 1_000.0).len(), 30);
    assert_eq!(seconds_at(&all_runs[2], 200.0).len(), 30);
    assert_eq!(seconds_at(&all_runs[3], 8_000.0), [10, 18, 26, 34]);
    assert_eq!(seconds_at(&all_runs[4], 1_000.0), [10, 11]);
    assert!(all_runs[4].seconds[12..].iter().all(|s| s.p99_ms < 100.0));

    // Section 6: balancing.
    assert_eq!(
        column(&balancing_table, 3),
        ["10.00%", "1.10%", "10.16%", "1.73%", "1.78%"]
    );
    assert_eq!(
        column(&balancing_table, 2),
        ["245931", "90", "252229", "81", "203"]
    );
    assert_eq!(column(&balls_table, 1)[0], "3.05");
    assert_eq!(column(&balls_table, 1)[4], "7.85");
    assert_eq!(column(&balls_table, 3)[0], "2.10");
    assert_eq!(column(&balls_table, 3)[4], "3.35");
    assert!(right(check_prediction(
        Some(false),
        three_times[0].p99_ms < 100.0,
        ""
    )));

    // Section 6: a cold server, a NAT.
    assert_eq!(column(&cold_table, 2), ["67300", "59", "57", "140"]);
    assert_eq!(
        column(&cold_table, 3),
        ["10.00%", "6.87%", "0.04%", "5.16%"]
    );
    assert_eq!(column(&nat_table, 2), ["69", "48", "69704"]);
    assert_eq!(column(&nat_table, 4)[2], "36.9%");
    assert!(right(check_prediction(
        Some(false),
        short_ramp[0].p99_ms < 1_000.0,
        ""
    )));

    // Section 7: availability.
    assert_eq!(column(&targets, 1)[3], "52.6 min");
    assert_eq!(column(&targets, 2)[3], "4.32 min");
    assert_eq!(column(&chains_table, 2)[3], "99.00449%");
    assert_eq!(column(&chains_table, 3)[3], "99.00424%");
    assert_eq!(column(&chains_table, 3)[8], "99.99894%");
    assert_eq!(format!("{:.2}", 100.0 * with_store), "99.94");
    assert!(with_two_stores < 0.9999);
    assert_eq!(format!("{:.2}", month.spent_minutes), "45.64");
    assert_eq!(format!("{:.3}", 100.0 * month.availability), "99.894");
    assert_eq!(
        format!("{:.3}", month.hours[4 * 24 - 1].budget_left),
        "0.537"
    );
    assert_eq!(
        format!("{:.3}", month.hours[13 * 24 - 1].budget_left),
        "0.259"
    );
    assert_eq!(
        format!("{:.3}", month.hours[22 * 24 - 1].budget_left),
        "0.059"
    );
    assert_eq!(column(&alert_table, 0)[8], "ticket");
    assert_eq!(column(&alert_table, 2)[8], "day 20 12:00");
    assert_eq!(format!("{:.3}", 100.0 * year.availability), "99.966");
    assert_eq!(format!("{:.3}", 100.0 * window.availability), "99.583");
    assert_eq!(
        format!("{:.1}", window.spent_minutes / window.budget_minutes),
        "4.2"
    );
    assert!(right(check_prediction(
        Some(true),
        year.availability >= 0.999,
        ""
    )));
    assert!(right(check_prediction(
        Some(false),
        with_store >= 0.9999,
        ""
    )));

    // The live views at their starting values and at each value the prose suggests.
    let queue_at = |rho: f64, servers: i64| -> Result<Vec<Vec<String>>, Box<dyn Error>> {
        let table = queue_view(&Values::of(&[
            Control::float("utilization", 0.1, 0.98, 0.01, rho)?,
            Control::int("servers", 2..=8, servers)?,
        ]))?;
        Ok(table.rows().to_vec())
    };
    let start = queue_at(0.9, 4)?;
    assert_eq!([&start[0][2], &start[1][2]], ["100.0 ms", "29.7 ms"]);
    assert_eq!([&start[0][3], &start[0][4]], ["140.5 ms", "644 ms"]);
    let eight = queue_at(0.95, 8)?;
    assert_eq!([&eight[0][2], &eight[1][2]], ["200.0 ms", "31.1 ms"]);
    let balancing_at = |slow: f64, load: f64| -> Result<Vec<String>, Box<dyn Error>> {
        let table = balancing_view(&Values::of(&[
            Control::float("slow server factor", 1.0, 20.0, 0.5, slow)?,
            Control::float("utilization", 0.1, 0.8, 0.05, load)?,
        ]))?;
        // The p99 column, one row per policy.
        Ok(table.rows().iter().map(|row| row[2].clone()).collect())
    };
    assert_eq!(balancing_at(10.0, 0.6)?, ["81370", "81242", "77", "193"]);
    assert_eq!(balancing_at(3.0, 0.6)?[..3], ["12529", "12594", "61"]);
    assert_eq!(balancing_at(2.0, 0.6)?[..3], ["2849", "2773", "56"]);
    assert_eq!(balancing_at(1.0, 0.6)?[..3], ["72", "115", "47"]);
    assert_eq!(balancing_at(10.0, 0.3)?[..3], ["31741", "32345", "129"]);

    Ok(())
}
