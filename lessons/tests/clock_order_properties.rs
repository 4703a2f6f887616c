//! The clocks against the ground truth: in random message-passing runs, with clocks that are
//! offset, drift and step, every pair of events is checked against the happened-before relation
//! computed from the message graph.
//!
//! * Lamport: `a → b ⇒ L(a) < L(b)` (the clock condition), times increase along each process,
//!   a receipt is later than its send, and `(L, node)` is a total order extending `→`.
//! * Vector: `a → b ⇔ V(a) < V(b)`, and concurrent events have incomparable vectors.
//! * Hybrid: `a → b ⇒ hlc(a) < hlc(b)`, and `0 ≤ l − pt ≤` the largest skew between two clocks.

use lessons::clocks::{
    Causality, Chat, HappenedBefore, LamportTimestamp, Readings, RunParameters,
    hlc_counter_experiment, random_run,
};
use lessons::sim::{EventKind, Latency, PhysicalClock, Simulation, Time, ms, us};
use proptest::prelude::*;

/// A random run with its ground truth (the happened-before relation from the message graph)
/// and every clock's readings.
struct Checked {
    run: Simulation<Chat>,
    order: HappenedBefore,
    readings: Readings,
}

impl Checked {
    fn new(parameters: &RunParameters, seed: u64) -> Checked {
        let run = random_run(parameters, seed).unwrap();
        let order = HappenedBefore::of(run.trace());
        let readings = Readings::of(run.trace());
        Checked {
            run,
            order,
            readings,
        }
    }

    /// Every ordered pair of counted events, each event paired with itself too.
    fn pairs(&self) -> Vec<(usize, usize)> {
        let events: Vec<usize> = self.readings.events().collect();
        events
            .iter()
            .flat_map(|&a| events.iter().map(move |&b| (a, b)))
            .collect()
    }
}

/// Runs of 2 to 6 processes, up to 12 events each, any mix of sends, some links reordering.
fn parameters() -> impl Strategy<Value = RunParameters> {
    (2usize..=6, 0u32..=12, 0.0f64..=1.0, 1i64..=20, 0i64..=40).prop_map(
        |(processes, events_per_process, send_probability, gap_ms, jitter_ms)| RunParameters {
            processes,
            events_per_process,
            send_probability,
            mean_gap: ms(gap_ms),
            latency: Latency::uniform(ms(1), ms(1 + jitter_ms)),
            clocks: Vec::new(),
        },
    )
}

/// Offsets within ±50 ms, drifts within ±1000 ppm, and sometimes a step back or forward.
fn clocks(processes: usize) -> impl Strategy<Value = Vec<PhysicalClock>> {
    prop::collection::vec(
        (
            -50i64..=50,
            -1_000i64..=1_000,
            prop::option::of((0i64..=100, -40i64..=40)),
        ),
        processes,
    )
    .prop_map(|settings| {
        settings
            .into_iter()
            .map(|(offset, drift, step)| {
                let clock = PhysicalClock::new().offset(ms(offset)).drift_ppm(drift);
                match step {
                    Some((at, by)) => clock.step_at(ms(at), ms(by)),
                    None => clock,
                }
            })
            .collect()
    })
}

fn skewed_parameters() -> impl Strategy<Value = RunParameters> {
    parameters().prop_flat_map(|parameters| {
        let processes = parameters.processes;
        clocks(processes).prop_map(move |clocks| RunParameters {
            clocks,
            ..parameters.clone()
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn happened_before_implies_a_smaller_lamport_time(parameters in parameters(), seed: u64) {
        let checked = Checked::new(&parameters, seed);
        let readings = &checked.readings;
        for (a, b) in checked.pairs() {
            if checked.order.holds(a, b) {
                prop_assert!(readings.lamport(a) < readings.lamport(b), "{} → {}", a, b);
            }
        }
    }

    #[test]
    fn lamport_times_increase_along_each_process_and_past_each_send(
        parameters in parameters(),
        seed: u64,
    ) {
        let run = random_run(&parameters, seed).unwrap();
        let trace = run.trace();
        let readings = Readings::of(trace);
        let mut latest = vec![0; parameters.processes];
        let mut stamps = vec![0; trace.messages().len()];
        for index in readings.events() {
            let event = &trace.events()[index];
            let time = readings.lamport(index).unwrap();
            prop_assert!(time > latest[event.node]);
            latest[event.node] = time;
            match event.kind {
                EventKind::Send { message, .. } => stamps[message] = time,
                EventKind::Deliver { message, .. } => prop_assert!(time > stamps[message]),
                _ => {}
            }
        }
    }

    #[test]
    fn lamport_time_with_node_id_is_a_total_order_extending_happened_before(
        parameters in parameters(),
        seed: u64,
    ) {
        let checked = Checked::new(&parameters, seed);
        let stamp = |index: usize| LamportTimestamp {
            time: checked.readings.lamport(index).unwrap(),
            node: checked.run.trace().events()[index].node,
        };
        for (a, b) in checked.pairs() {
            if a != b {
                prop_assert_ne!(stamp(a), stamp(b), "two events share a timestamp");
            }
            if checked.order.holds(a, b) {
                prop_assert!(stamp(a) < stamp(b));
            }
        }
    }

    #[test]
    fn vector_order_is_exactly_happened_before(parameters in parameters(), seed: u64) {
        let checked = Checked::new(&parameters, seed);
        let (order, readings) = (&checked.order, &checked.readings);
        for (a, b) in checked.pairs() {
            let expected = if a == b {
                Causality::Equal
            } else if order.holds(a, b) {
                Causality::Before
            } else if order.holds(b, a) {
                Causality::After
            } else {
                Causality::Concurrent
            };
            let (x, y) = (readings.vector(a).unwrap(), readings.vector(b).unwrap());
            prop_assert_eq!(x.compare(y), expected, "events {} and {}", a, b);
        }
    }

    #[test]
    fn hybrid_time_respects_happened_before_under_any_clocks(
        parameters in skewed_parameters(),
        seed: u64,
    ) {
        let checked = Checked::new(&parameters, seed);
        let readings = &checked.readings;
        for (a, b) in checked.pairs() {
            if checked.order.holds(a, b) {
                prop_assert!(readings.hybrid(a) < readings.hybrid(b), "{} → {}", a, b);
            }
        }
    }

    #[test]
    fn hybrid_wall_time_stays_within_the_skew_of_the_physical_clock(
        parameters in parameters(),
        offsets in prop::collection::vec(-50_000i64..=50_000, 6),
        seed: u64,
    ) {
        // Clocks offset only, so the skew between two clocks is at most max − min offset.
        let offsets = &offsets[..parameters.processes];
        let parameters = RunParameters {
            clocks: offsets.iter().map(|&o| PhysicalClock::new().offset(us(o))).collect(),
            ..parameters
        };
        let skew = us(offsets.iter().max().unwrap() - offsets.iter().min().unwrap());
        let run = random_run(&parameters, seed).unwrap();
        let readings = Readings::of(run.trace());
        for index in readings.events() {
            let physical = readings.wall(index).unwrap();
            let ahead = readings.hybrid(index).unwrap().wall - physical;
            prop_assert!(ahead >= Time::ZERO);
            prop_assert!(ahead <= skew, "l − pt = {} > skew {}", ahead, skew);
        }
    }
}

/// The two ends of the causal chain in a run, and a concurrent pair HLC still orders: the
/// converse fails for HLC as it does for Lamport.
#[test]
fn hybrid_time_orders_concurrent_events_too() {
    let run = random_run(&RunParameters::default(), 1).unwrap();
    let order = HappenedBefore::of(run.trace());
    let readings = Readings::of(run.trace());
    let events: Vec<usize> = readings.events().collect();
    let concurrent_but_ordered = events
        .iter()
        .flat_map(|&a| events.iter().map(move |&b| (a, b)))
        .filter(|&(a, b)| order.concurrent(a, b) && readings.hybrid(a) < readings.hybrid(b))
        .count();
    assert!(concurrent_but_ordered > 0);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    /// With synchronised clocks and messages that take time, the HLC's counter never leaves 0,
    /// at any rate; with skew it stays below the events of a run.
    #[test]
    fn the_hlc_counter_stays_0_without_skew_and_is_bounded_with_it(
        gap_us in 100i64..=100_000,
        skew_ms in 1i64..=100,
        seed in any::<u64>(),
    ) {
        let rows = hlc_counter_experiment(&[ms(0), ms(skew_ms)], &[us(gap_us)], seed).unwrap();
        prop_assert_eq!(rows[0].max_counter, 0);
        prop_assert!(rows[1].max_counter < 4 * 400 * 2);
        prop_assert!(rows[1].mean_counter <= f64::from(rows[1].max_counter));
    }
}
