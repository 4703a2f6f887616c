//! The Rust code of `notebooks/11-transactions.ipynb`, cell by cell, as one program.
//!
//! Each `// cell` line starts the code of the next notebook code cell (after the `:dep` cell); a
//! cell whose last line is a bare variable shows that value, which here is spelled
//! `variable.evcxr_display();`. `tests/transactions_notebook.rs` checks that the two stay
//! identical, runs this program, and the assertions at the end pin the numbers the notebook's
//! prose quotes.
//!
//! Run it with `cargo run -p lessons --example transactions`.

use std::error::Error;

pub fn main() -> Result<(), Box<dyn Error>> {
    // cell
    use lessons::check::*;
    use lessons::display::RichDisplay;
    use lessons::table::Table;
    use lessons::transactions::*;
    use lessons::try_it::check_prediction;
    use lessons::viz::DependencyGraph;
    use lessons::widgets::{Control, Values, interact};

    // cell
    let increment = Program::new("T").read("x").write_read_plus("x", 1);
    println!("{increment}");
    let lost = run_in_order(
        Isolation::ReadCommitted,
        &[("x", 0)],
        &[increment.clone(), increment.clone()],
        &[0, 1, 0, 0, 1, 1],
    )?;
    let lost_report = lost.check();
    println!(
        "committed: {}, x = {:?}, anomaly: {:?}, cycle: {}",
        lost.counters().committed,
        lost.value("x"),
        lost_report.anomaly.map(|a| a.to_string()),
        lost_report.cycle_text()
    );
    lost_report
        .figure("Two increments under read committed")
        .show();

    // cell
    let mut by_method = Vec::new();
    for method in IncrementMethod::ALL {
        by_method.push(increment_interleavings(method)?);
    }
    let interleavings_table = Table::from_rows(&by_method)?;
    interleavings_table.evcxr_display();

    // cell
    let mut locking = Database::new(Isolation::TwoPhaseLocking, &[("x", 0)]);
    let upgrade = IncrementMethod::SharedThenUpgrade.program();
    let (t1, t2) = (locking.begin(upgrade.clone()), locking.begin(upgrade));
    let steps = [
        (t1, locking.step(t1)?),
        (t2, locking.step(t2)?),
        (t1, locking.step(t1)?),
        (t2, locking.step(t2)?),
    ];
    let mut wait_for = DependencyGraph::new("Wait-for graph: both hold S on x, both want X");
    for (txn, step) in &steps {
        println!("T{txn}: {step:?}");
        if let Step::Waiting(holders) = step {
            for holder in holders {
                wait_for =
                    wait_for.edge(format!("T{txn}"), format!("T{holder}"), "waits for", true);
            }
        }
    }
    wait_for = wait_for
        .edge("T2", "T1", "waits for", true)
        .caption("T2 asks for X: the cycle closes, T2 is the victim");
    wait_for.show();
    println!(
        "after the victim's abort T1 goes on: {:?}",
        locking.step(t1)?
    );

    // cell
    let concurrency = [1, 2, 4, 8, 16];
    let increments = lost_update_experiment(&IncrementMethod::ALL, &concurrency, 200, 1)?;
    lost_updates_figure(&increments).show();
    deadlocks_figure(&increments).show();
    let at_eight: Vec<IncrementRow> = increments
        .iter()
        .filter(|row| row.concurrency == 8)
        .cloned()
        .collect();
    let at_eight_table = Table::from_rows(&at_eight)?;
    at_eight_table.evcxr_display();

    // cell
    fn lost_update_view(values: &Values) -> Result<Table, Box<dyn std::error::Error>> {
        let method = IncrementMethod::ALL
            .into_iter()
            .find(|method| method.to_string() == values.choice("method"))
            .ok_or("pick a method from the list")?;
        let concurrency = values.int("concurrent increments") as usize;
        let rows = lost_update_experiment(&[method], &[concurrency], 200, 1)?;
        Ok(Table::from_rows(&rows)?)
    }
    let methods = IncrementMethod::ALL.map(|method| method.to_string());
    interact(
        vec![
            Control::choice("method", &methods.each_ref().map(String::as_str), 0)?,
            Control::int("concurrent increments", 1..=16, 8)?,
        ],
        lost_update_view,
    )?;

    // cell
    let prediction: Option<_> = None; // lost updates in 200 runs of 12 SELECT FOR UPDATE increments
    let method = IncrementMethod::ForUpdate;
    let twelve = lost_update_experiment(&[method], &[12], 200, 2)?;
    println!(
        "{}",
        check_prediction(
            prediction,
            twelve[0].lost_updates,
            format!(
                "{method}: the exclusive lock is taken before the read, so the second reader \
                 waits until the first has committed and reads its value. {} commits, {} waits.",
                twelve[0].totals.committed, twelve[0].totals.waits
            )
        )
    );

    // cell
    let mut store = Database::new(Isolation::Snapshot, &[("x", 100)]);
    let reader = store.begin(Program::new("reader").read("x").read("x"));
    store.step(reader)?;
    for value in [110, 120] {
        let writer = store.begin(Program::new("writer").write("x", value));
        store.step(writer)?;
        store.step(writer)?;
    }
    store.step(reader)?;
    let chain = Table::from_rows(store.versions("x"))?;
    chain.show();
    println!(
        "the reader's snapshot is {:?}: it read x = {:?} twice; a transaction starting now \
         would read {:?}",
        store.snapshot(reader),
        store.value_read(reader, "x"),
        store.version_at("x", store.clock()).map(|v| v.value)
    );

    // cell
    let held: Vec<usize> = (0..=50).step_by(5).collect();
    let chains = long_reader_experiment(&held)?;
    chain_figure(&chains).show();
    println!(
        "longest chain with the reader open through 50 updates: {}; after it commits: {}",
        chains[10].longest_chain, chains[10].chain_after
    );

    // cell
    let prediction: Option<_> = None; // versions of x kept while the reader outlives 80 updates
    let eighty = long_reader_experiment(&[80])?;
    println!(
        "{}",
        check_prediction(
            prediction,
            eighty[0].longest_chain,
            "The collector knows only the oldest open snapshot: it keeps the version that \
             snapshot sees (the initial one) and every newer one, 1 + 80 = 81, although the \
             reader will read none of the 80."
        )
    );

    // cell
    let off_call: Vec<Program> = on_call_workload(2)?.1;
    for program in &off_call {
        println!("{program}");
    }
    let skewed = run_in_order(
        Isolation::Snapshot,
        &[("alice", 1), ("bob", 1)],
        &off_call,
        &[0, 1, 0, 1, 0, 1, 0, 1],
    )?;
    println!(
        "alice = {:?}, bob = {:?}",
        skewed.value("alice"),
        skewed.value("bob")
    );
    let skew_report = skewed.check();
    skew_report
        .figure("Both doctors go off call under snapshot isolation")
        .show();

    // cell
    let mut on_call_rows = Vec::new();
    for isolation in Isolation::ALL {
        on_call_rows.push(on_call_interleavings(isolation, 2)?);
    }
    let on_call_table = Table::from_rows(&on_call_rows)?;
    on_call_table.evcxr_display();

    // cell
    let levels = [Isolation::Snapshot, Isolation::SerializableSnapshot];
    let crowd = on_call_experiment(&levels, &[2, 3, 4, 5, 6], 200, 1)?;
    on_call_figure(&crowd).show();
    let crowd_table = Table::from_rows(&crowd)?;
    crowd_table.evcxr_display();

    // cell
    let prediction: Option<_> = None; // runs (of 200) with nobody on call: 4 doctors, SSI
    let four = on_call_experiment(&[Isolation::SerializableSnapshot], &[4], 200, 2)?;
    println!(
        "{}",
        check_prediction(
            prediction,
            four[0].nobody_on_call,
            format!(
                "SSI aborted {} transactions and made none wait ({} waits): any two doctors \
                 that overlap form rw edges both ways, so the second to commit is refused.",
                four[0].totals.aborted, four[0].totals.waits
            )
        )
    );

    // cell
    let keys = [2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096];
    let both = [Isolation::TwoPhaseLocking, Isolation::Optimistic];
    let scarce = ContentionParameters::default();
    let contention = contention_experiment(&both, &keys, scarce, 1)?;
    contention_figure(&contention).show();
    let occ_tail: Vec<ContentionRow> = contention
        .iter()
        .filter(|row| row.isolation.starts_with("optimistic") && [2, 16, 128].contains(&row.keys))
        .cloned()
        .collect();
    retry_tail_figure(&occ_tail).show();
    let contention_table = Table::from_rows(&contention)?;
    contention_table.evcxr_display();

    // cell
    let plenty = ContentionParameters {
        capacity: 8,
        ..scarce
    };
    let unlimited = contention_experiment(&both, &keys, plenty, 1)?;
    contention_figure(&unlimited).show();
    fn ratio(rows: &[ContentionRow], keys: usize) -> f64 {
        let at = |name: &str| {
            rows.iter()
                .find(|r| r.keys == keys && r.isolation.starts_with(name))
                .map_or(0.0, |r| r.commits_per_100_ticks)
        };
        at("optimistic") / at("two-phase")
    }
    println!(
        "OCC / 2PL throughput at 2 keys: scarce {:.2}, plentiful {:.2}",
        ratio(&contention, 2),
        ratio(&unlimited, 2)
    );

    // cell
    fn contention_view(values: &Values) -> Result<Table, Box<dyn std::error::Error>> {
        let parameters = ContentionParameters {
            capacity: values.int("capacity") as usize,
            lock_cost: values.int("lock cost (ticks)") as u64,
            ..ContentionParameters::default()
        };
        let keys = [values.choice("keys").parse::<usize>()?];
        let both = [Isolation::TwoPhaseLocking, Isolation::Optimistic];
        let mut table = Table::new(["isolation", "commits per 100 ticks", "aborts per commit"]);
        for row in contention_experiment(&both, &keys, parameters, 1)? {
            let commits = format!("{:.2}", row.commits_per_100_ticks);
            table.push_row([
                row.isolation,
                commits,
                format!("{:.2}", row.aborts_per_commit),
            ])?;
        }
        Ok(table)
    }
    interact(
        vec![
            Control::choice("keys", &["2", "16", "128", "1024"], 0)?,
            Control::int("capacity", 1..=8, 4)?,
            Control::int("lock cost (ticks)", 0..=6, 2)?,
        ],
        contention_view,
    )?;

    // cell
    let starvation = vec![
        starvation_run(None, 50)?,
        starvation_run(Some(3), 50)?,
        starvation_run(Some(10), 50)?,
    ];
    let starvation_table = Table::from_rows(&starvation)?;
    starvation_table.evcxr_display();

    // cell
    let checkouts = [
        Checkout::ReplicaRead { lag_ms: 20 },
        Checkout::ReplicaRead { lag_ms: 100 },
        Checkout::ConditionalDecrement,
    ];
    let buyers = [1, 2, 5, 10, 20, 50, 100];
    let oversold = oversell_experiment(&checkouts, 1, &buyers, 1_000, 1)?;
    oversell_figure(&oversold).show();
    let ten_buyers: Vec<OversellRow> = oversold
        .iter()
        .filter(|row| row.buyers == 10)
        .cloned()
        .collect();
    let ten_buyers_table = Table::from_rows(&ten_buyers)?;
    ten_buyers_table.evcxr_display();

    // cell
    let ttls = [2, 5, 10, 15, 20, 30, 60];
    let reservations = reservation_experiment(20, &ttls, 200, 0.3, 1)?;
    reservation_figure(&reservations).show();
    let reservations_table = Table::from_rows(&reservations)?;
    reservations_table.evcxr_display();

    // cell
    let prediction: Option<_> = None; // units oversold in 1,000 trials: 10 buyers, replica 0 ms behind
    let fresh = oversell_experiment(&[Checkout::ReplicaRead { lag_ms: 0 }], 1, &[10], 1_000, 1)?;
    println!(
        "{}",
        check_prediction(
            prediction,
            fresh[0].oversold,
            "With no lag every read sees every earlier write, and buyers here arrive one at a \
             time, so the read-then-write never races. A real store has lag, and two requests \
             in flight at once race even on the primary: that is what the conditional \
             decrement closes."
        )
    );

    // cell
    let crashes = crash_at_every_step(3, 1_000)?;
    let crash_table = Table::from_rows(&crashes)?;
    crash_table.evcxr_display();

    // cell
    let downtimes: Vec<u64> = (0..=10).map(|k| k * 100).collect();
    lock_hold_figure(&downtimes)?.show();
    hot_row_figure(&[4, 10, 40, 100, 400, 1_004]).show();

    // cell
    for partitioned in [false, true] {
        println!(
            "3PC, PRE-COMMIT reached only P1, coordinator gone, partitioned: {partitioned}: {:?}",
            three_phase_commit_split(partitioned)
        );
    }

    // cell
    let prediction: Option<_> = None; // longest lock hold (ms), 5 participants, 2,000 ms down
    let one_commit_sent = two_phase_commit(5, CrashPoint::AfterCommits(1), 2_000, false)?;
    println!(
        "{}",
        check_prediction(
            prediction,
            one_commit_sent.longest_lock_hold_ms,
            format!(
                "The decision was logged, so it is commit; P1 got it at 5 ms, the other {} \
                 wait for the coordinator: locked from 1 ms until 4 + 2,000 + 1 ms. Outcome: {}.",
                one_commit_sent.blocked, one_commit_sent.outcome
            )
        )
    );

    // cell
    let mut big = Vec::new();
    for k in 0..12 {
        let key = ["a", "b", "c", "d"][k % 4];
        let other = ["b", "c", "d", "a"][k % 4];
        big.push(
            Program::new("T")
                .read(key)
                .read(other)
                .write_read_plus(other, 1),
        );
    }
    let mut verdicts = Table::new(["isolation", "committed", "aborted", "waits", "anomaly"]);
    for isolation in Isolation::ALL {
        let run = run_random(
            isolation,
            &[("a", 0), ("b", 0), ("c", 0), ("d", 0)],
            &big,
            3,
        )?;
        let found = run.check().anomaly;
        verdicts.push_row([
            isolation.to_string(),
            run.counters().committed.to_string(),
            run.counters().aborted.to_string(),
            run.counters().waits.to_string(),
            found.map_or("none".to_string(), |a| a.to_string()),
        ])?;
    }
    verdicts.evcxr_display();

    // cell
    let answered = SagaFault::Delivered;
    let silent = SagaFault::ReplyLost;
    let schedules = [
        ("nothing fails", vec![]),
        ("card declined", vec![answered, SagaFault::Refused]),
        ("every reply lost", vec![answered, silent, silent, silent]),
    ];
    let mut one_saga = Table::new(["schedule", "outcome", "effects, in time order"]);
    for (name, faults) in schedules {
        let schedule = SagaSchedule {
            faults,
            crashes: vec![],
        };
        let run = run_saga(SagaConfig::default(), &schedule)?;
        let effects: Vec<String> = run.effects.iter().map(|e| e.to_string()).collect();
        one_saga.push_row([
            name.to_string(),
            run.outcome.to_string(),
            effects.join(", "),
        ])?;
    }
    one_saga.evcxr_display();

    // cell
    let careful = SagaConfig::default();
    let styles = [careful, careful.choreographed()];
    let failures = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5];
    let saga_rows = saga_experiment(&styles, &failures, 0.05, 0.01, 2_000, 1)?;
    saga_outcome_figure(&saga_rows).show();
    let saga_table = Table::from_rows(&saga_rows)?;
    saga_table.evcxr_display();

    // cell
    let without = [
        careful,
        SagaConfig {
            idempotency_keys: false,
            ..careful
        },
        SagaConfig {
            compensate_in_reverse: false,
            ..careful
        },
        SagaConfig {
            pivot_late: false,
            ..careful
        },
        SagaConfig {
            durable_log: false,
            ..careful
        },
    ];
    let safeguard_rows = saga_experiment(&without, &[0.2], 0.05, 0.01, 2_000, 1)?;
    let safeguard_table = Table::from_rows(&safeguard_rows)?;
    safeguard_table.evcxr_display();

    // cell
    let read_rows = saga_read_experiment(&failures, 0.05, 2_000, 10, 1)?;
    saga_read_figure(&read_rows).show();
    let read_table = Table::from_rows(&read_rows)?;
    read_table.evcxr_display();

    // cell
    let attempts = 3; // try 10
    let prediction: Option<bool> = None; // Some(true): some of the 4,000 sagas still get stuck
    let patient = SagaConfig {
        attempts,
        ..careful
    };
    let saga_try = saga_experiment(
        &[patient, patient.choreographed()],
        &[0.3],
        0.05,
        0.01,
        2_000,
        1,
    )?;
    let any_stuck = saga_try.iter().any(|row| row.stuck > 0);
    let why = format!(
        "With {attempts} attempts per request at 30% loss, stuck: {} orchestrated and {} \
         choreographed of 2,000 each. A request fails every attempt with probability \
         0.3^{attempts}, and a saga makes four to six requests.",
        saga_try[0].stuck, saga_try[1].stuck
    );
    println!("{}", check_prediction(prediction, any_stuck, why));

    // cell
    let prediction: Option<_> = None; // does 2PL still beat OCC at 2 keys with free locks?
    let free_locks = ContentionParameters {
        lock_cost: 0,
        ..scarce
    };
    let free = contention_experiment(&both, &[2], free_locks, 1)?;
    println!(
        "{}",
        check_prediction(
            prediction,
            free[0].commits_per_100_ticks > free[1].commits_per_100_ticks,
            format!(
                "2PL {:.1} against OCC {:.1} commits per 100 ticks: at two keys nearly every \
                 pair of transactions conflicts, and OCC spends the shared capacity on work it \
                 throws away ({:.2} aborts per commit); the lock's price only matters when \
                 conflicts are rare.",
                free[0].commits_per_100_ticks,
                free[1].commits_per_100_ticks,
                free[1].aborts_per_commit
            )
        )
    );
    // end of cells
    // The live tables at their starting values and at each value the prose suggests.
    let lost_at = |method: usize, increments: i64| -> Result<Vec<String>, Box<dyn Error>> {
        let methods = IncrementMethod::ALL.map(|method| method.to_string());
        let table = lost_update_view(&Values::of(&[
            Control::choice("method", &methods.each_ref().map(String::as_str), method)?,
            Control::int("concurrent increments", 1..=16, increments)?,
        ]))?;
        // committed, deadlocks, lost updates, runs losing updates
        Ok([3, 5, 7, 8].map(|i| table.rows()[0][i].clone()).to_vec())
    };
    assert_eq!(lost_at(0, 8)?, ["1600", "0", "1315", "200"]);
    assert_eq!(lost_at(0, 2)?, ["400", "0", "154", "154"]);
    assert_eq!(lost_at(1, 16)?, ["223", "2977", "0", "0"]);
    assert_eq!(lost_at(2, 16)?, ["3200", "0", "0", "0"]);
    let contention_at =
        |keys: usize, capacity: i64, cost: i64| -> Result<Vec<String>, Box<dyn Error>> {
            let table = contention_view(&Values::of(&[
                Control::choice("keys", &["2", "16", "128", "1024"], keys)?,
                Control::int("capacity", 1..=8, capacity)?,
                Control::int("lock cost (ticks)", 0..=6, cost)?,
            ]))?;
            Ok(table.rows().iter().map(|row| row[1].clone()).collect())
        };
    // commits per 100 ticks: 2PL, then OCC
    assert_eq!(contention_at(0, 4, 2)?, ["16.00", "13.56"]);
    assert_eq!(contention_at(0, 8, 2)?, ["16.00", "20.00"]);
    assert_eq!(contention_at(0, 4, 0)?, ["24.19", "13.56"]);
    assert_eq!(contention_at(0, 1, 2)?, ["13.69", "4.00"]);
    assert_eq!(contention_at(3, 4, 2)?, ["75.75", "77.81"]);

    let right = |message: String| message.starts_with("Right");

    // Section 1: the lost update and its fixes.
    assert_eq!((lost.counters().committed, lost.value("x")), (2, Some(1)));
    assert_eq!(lost_report.anomaly, Some(Anomaly::GSingle));
    assert_eq!(lost_report.cycle_text(), "T2 -rw(x)-> T1 -ww(x)-> T2");
    let summary: Vec<(usize, usize, usize, usize)> = by_method
        .iter()
        .map(|row| {
            let totals = row.totals;
            (
                totals.runs,
                row.runs_losing_updates,
                totals.deadlocks,
                totals.aborted,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (14, 12, 0, 0),
            (8, 0, 4, 4),
            (6, 0, 0, 0),
            (4, 0, 0, 0),
            (20, 0, 0, 18)
        ]
    );
    assert_eq!(locking.counters().deadlocks, 1);
    let eight: Vec<(usize, usize, usize)> = at_eight
        .iter()
        .map(|row| (row.totals.committed, row.totals.aborted, row.lost_updates))
        .collect();
    assert_eq!(
        eight,
        [
            (1600, 0, 1308),
            (256, 1344, 0),
            (1600, 0, 0),
            (1600, 0, 0),
            (478, 1122, 0)
        ]
    );
    assert_eq!(at_eight[0].runs_losing_updates, 200);
    assert_eq!(at_eight[1].totals.deadlocks, 1344);

    // Section 2: versions and garbage collection.
    assert_eq!(store.versions("x").len(), 3);
    assert_eq!(store.snapshot(reader), Some(0));
    assert_eq!(store.value_read(reader, "x"), Some(100));
    assert_eq!(store.value("x"), Some(120));
    assert!(
        chains
            .iter()
            .all(|row| row.longest_chain == row.updates_during_read + 1 && row.chain_after == 1)
    );
    assert_eq!(chains[10].longest_chain, 51);
    assert!(right(check_prediction(
        Some(81),
        eighty[0].longest_chain,
        ""
    )));

    // Section 3: write skew.
    assert_eq!(
        (skewed.value("alice"), skewed.value("bob")),
        (Some(0), Some(0))
    );
    assert_eq!(skew_report.anomaly, Some(Anomaly::G2Item));
    let on_call: Vec<(usize, usize, usize, usize, usize)> = on_call_rows
        .iter()
        .map(|row| {
            let totals = row.totals;
            (
                totals.runs,
                row.nobody_on_call,
                totals.aborted,
                totals.deadlocks,
                totals.waits,
            )
        })
        .collect();
    assert_eq!(
        on_call,
        [
            (252, 245, 0, 0, 0),
            (77, 0, 64, 64, 134),
            (252, 0, 245, 0, 0),
            (252, 250, 0, 0, 0),
            (252, 0, 250, 0, 0)
        ]
    );
    let si: Vec<(usize, usize)> = crowd[..5]
        .iter()
        .map(|row| (row.nobody_on_call, row.write_skew))
        .collect();
    assert_eq!(
        si,
        [(192, 192), (198, 200), (200, 200), (200, 200), (200, 200)]
    );
    let ssi_aborts: Vec<usize> = crowd[5..].iter().map(|row| row.totals.aborted).collect();
    assert_eq!(ssi_aborts, [189, 388, 581, 786, 990]);
    assert!(
        crowd[5..]
            .iter()
            .all(|row| row.nobody_on_call == 0 && row.totals.waits == 0)
    );

    // Section 4: optimistic against locking.
    let at = |rows: &[ContentionRow], name: &str, k: usize| {
        rows.iter()
            .find(|r| r.keys == k && r.isolation.starts_with(name))
            .map(|r| {
                (
                    r.commits_per_100_ticks,
                    r.aborts_per_commit,
                    r.worst_retries,
                )
            })
            .ok_or("row")
    };
    assert_eq!(at(&contention, "two-phase", 2)?, (16.0, 0.0, 0));
    assert_eq!(at(&contention, "optimistic", 2)?, (13.56, 4.85, 37));
    assert_eq!(at(&contention, "two-phase", 256)?.0, 75.38);
    assert_eq!(at(&contention, "optimistic", 256)?.0, 74.13);
    assert_eq!(at(&contention, "two-phase", 512)?.0, 75.63);
    assert_eq!(at(&contention, "optimistic", 512)?.0, 76.63);
    // The crossover: 2PL ahead up to 256 keys, OCC from 512 on.
    for &k in &keys {
        let ahead = at(&contention, "two-phase", k)?.0 > at(&contention, "optimistic", k)?.0;
        assert_eq!(ahead, k <= 256, "{k} keys");
        assert!(at(&unlimited, "optimistic", k)?.0 > at(&unlimited, "two-phase", k)?.0);
    }
    assert_eq!(at(&unlimited, "optimistic", 2)?.0, 20.0);
    assert_eq!(format!("{:.2}", ratio(&contention, 2)), "0.85");
    assert_eq!(format!("{:.2}", ratio(&unlimited, 2)), "1.25");
    let starved: Vec<(usize, bool, usize)> = starvation
        .iter()
        .map(|row| (row.attempts, row.committed, row.writers_committed))
        .collect();
    assert_eq!(starved, [(50, false, 50), (4, true, 3), (11, true, 10)]);

    let tail = |row: &ContentionRow, r: usize| {
        row.retries.iter().filter(|&&n| n >= r).count() as f64 / row.retries.len() as f64
    };
    let shares = [
        tail(&occ_tail[0], 5),
        tail(&occ_tail[0], 10),
        tail(&occ_tail[1], 5),
        tail(&occ_tail[1], 10),
        tail(&occ_tail[2], 5),
    ];
    let shares: Vec<String> = shares.iter().map(|share| format!("{share:.3}")).collect();
    assert_eq!(shares, ["0.290", "0.111", "0.034", "0.002", "0.000"]);

    // Section 5: the last item.
    let ten: Vec<(usize, usize)> = ten_buyers
        .iter()
        .map(|row| (row.sold, row.oversold))
        .collect();
    assert_eq!(ten, [(1174, 174), (1917, 917), (1000, 0)]);
    let at_hundred: Vec<usize> = oversold
        .iter()
        .filter(|row| row.buyers == 100)
        .map(|row| row.oversold)
        .collect();
    assert_eq!(at_hundred, [1774, 9048, 0]);
    let reserved: Vec<(u64, usize, usize, usize, u64)> = reservations
        .iter()
        .map(|row| {
            (
                row.ttl_minutes,
                row.sold,
                row.expired,
                row.late_payments,
                row.unit_minutes_stuck,
            )
        })
        .collect();
    assert_eq!(
        reserved,
        [
            (2, 7, 193, 132, 386),
            (5, 20, 71, 46, 355),
            (10, 20, 25, 9, 250),
            (15, 20, 12, 0, 180),
            (20, 20, 13, 0, 260),
            (30, 20, 13, 0, 390),
            (60, 20, 13, 0, 780)
        ]
    );
    assert!(right(check_prediction(Some(0), fresh[0].oversold, "")));

    // Section 6: atomic commit.
    let crash_summary: Vec<(&str, u64, usize)> = crashes
        .iter()
        .map(|row| (row.outcome.as_str(), row.longest_lock_hold_ms, row.blocked))
        .collect();
    assert_eq!(
        crash_summary,
        [
            ("committed", 4, 0),
            ("aborted", 0, 0),
            ("aborted", 1_000, 1),
            ("aborted", 1_000, 2),
            ("aborted", 1_000, 3),
            ("aborted", 1_003, 3),
            ("committed", 1_004, 3),
            ("committed", 1_004, 2),
            ("committed", 1_004, 1),
        ]
    );
    assert!(crashes.iter().all(|row| row.atomic));
    assert_eq!(
        three_phase_commit_split(true),
        [Outcome::Committed, Outcome::Aborted, Outcome::Aborted]
    );
    assert!(right(check_prediction(
        Some(2_004),
        one_commit_sent.longest_lock_hold_ms,
        ""
    )));
    assert_eq!(one_commit_sent.blocked, 4);

    // Section 7: every history through the checker.
    let expected = [
        ("read committed", 12, 0, Some(Anomaly::GSingle)),
        ("two-phase locking", 4, 8, None),
        ("optimistic (OCC)", 4, 8, None),
        ("snapshot isolation", 6, 6, Some(Anomaly::G2Item)),
        ("serializable snapshot (SSI)", 3, 9, None),
    ];
    for (isolation, (name, committed, aborted, anomaly)) in Isolation::ALL.into_iter().zip(expected)
    {
        let run = run_random(
            isolation,
            &[("a", 0), ("b", 0), ("c", 0), ("d", 0)],
            &big,
            3,
        )?;
        assert_eq!(isolation.to_string(), name);
        assert_eq!(
            (run.counters().committed, run.counters().aborted),
            (committed, aborted)
        );
        assert_eq!(run.check().anomaly, anomaly, "{name}");
    }

    // Section 8: sagas.
    let lost_replies = SagaSchedule {
        faults: vec![
            SagaFault::Delivered,
            SagaFault::ReplyLost,
            SagaFault::ReplyLost,
            SagaFault::ReplyLost,
        ],
        crashes: vec![],
    };
    let undone = run_saga(careful, &lost_replies)?;
    let effects: Vec<String> = undone.effects.iter().map(|e| e.to_string()).collect();
    assert_eq!(
        effects,
        [
            "reserve at 5 ms",
            "charge at 15 ms",
            "undo charge at 315 ms",
            "undo reserve at 325 ms"
        ]
    );
    let outcomes = |rows: &[SagaRow]| -> Vec<(usize, usize, usize)> {
        rows.iter()
            .map(|row| (row.completed, row.compensated, row.stuck))
            .collect()
    };
    assert_eq!(
        outcomes(&saga_rows),
        [
            (1792, 208, 0),
            (1800, 187, 13),
            (1749, 209, 42),
            (1640, 237, 123),
            (1383, 346, 271),
            (1072, 477, 451),
            (1791, 209, 0),
            (1799, 183, 18),
            (1748, 169, 83),
            (1639, 150, 211),
            (1387, 133, 480),
            (1081, 126, 793),
        ]
    );
    assert!(saga_rows.iter().all(|row| row.double_effects == 0
        && row.charged_without_reservation == 0
        && row.undone_after_pivot == 0));
    assert_eq!(saga_rows[0].crashes, 85);
    let harm: Vec<(usize, usize, usize, usize)> = safeguard_rows
        .iter()
        .map(|row| {
            (
                row.stuck,
                row.double_effects,
                row.charged_without_reservation,
                row.shipped_unpaid,
            )
        })
        .collect();
    assert_eq!(
        harm,
        [
            (42, 0, 0, 0),
            (52, 975, 11, 0),
            (42, 0, 20, 0),
            (133, 0, 0, 97),
            (116, 0, 0, 0)
        ]
    );
    assert_eq!(safeguard_rows[3].compensated, 110);
    let reads: Vec<(usize, usize)> = read_rows
        .iter()
        .map(|row| (row.intermediate, row.later_undone))
        .collect();
    assert_eq!(
        reads,
        [
            (16352, 630),
            (16360, 585),
            (16421, 878),
            (15915, 1148),
            (15290, 2201),
            (14355, 3286)
        ]
    );
    assert!(read_rows.iter().all(|row| row.reads == 20_000));
    assert!(right(check_prediction(Some(true), any_stuck, "")));
    assert_eq!((saga_try[0].stuck, saga_try[1].stuck), (123, 211));
    let ten = SagaConfig {
        attempts: 10,
        ..careful
    };
    let ten_attempts = saga_experiment(&[ten, ten.choreographed()], &[0.3], 0.05, 0.01, 2_000, 1)?;
    assert!(ten_attempts.iter().all(|row| row.stuck == 0));

    // The try-it cells with a prediction set, and the variations their prose suggests.
    assert!(right(check_prediction(Some(0), twelve[0].lost_updates, "")));
    assert_eq!(twelve[0].totals.committed, 2400);
    assert!(right(check_prediction(Some(0), four[0].nobody_on_call, "")));
    assert_eq!(four[0].totals.waits, 0);
    assert!(right(check_prediction(
        Some(true),
        free[0].commits_per_100_ticks > free[1].commits_per_100_ticks,
        ""
    )));
    let free_and_plenty = ContentionParameters {
        lock_cost: 0,
        capacity: 8,
        ..scarce
    };
    let roomy = contention_experiment(&both, &[2], free_and_plenty, 1)?;
    // Free locks and plentiful capacity: with two keys, waiting still beats redoing.
    assert_eq!(roomy[0].commits_per_100_ticks, 24.19);
    assert_eq!(roomy[1].commits_per_100_ticks, 20.0);
    Ok(())
}
