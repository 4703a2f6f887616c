//! Laws of the simulation toolkit, checked for arbitrary setups: networks, faults and clocks
//! drawn by proptest, nodes that draw their own behaviour from their random streams.

use lessons::sim::{
    Context, Crash, EventKind, Fault, Latency, Link, Node, NodeId, Pause, PhysicalClock, Scheduler,
    SimError, Simulation, Time, crash, ms, partition, pause, us,
};
use proptest::prelude::*;

/// A node that starts a few conversations at random times and answers some of what it hears,
/// so every run sends a finite, seed-dependent set of messages.
struct Chatter {
    conversations_left: u32,
}

/// The message: how many hops the conversation has had.
type Hops = u32;

const NEXT_CONVERSATION: u64 = 1;

impl Node<Hops> for Chatter {
    fn on_start(&mut self, ctx: &mut Context<'_, Hops>) {
        let restarts: u32 = ctx.disk().read("starts").unwrap_or(0);
        ctx.disk()
            .write("starts", &(restarts + 1))
            .expect("a number is always writable");
        let delay = ctx.rng().between(ms(0), ms(20));
        ctx.set_timer(delay, NEXT_CONVERSATION);
    }

    fn on_message(&mut self, ctx: &mut Context<'_, Hops>, from: NodeId, hops: Hops) {
        ctx.label(format!("hop {hops}"));
        if hops < 3 && ctx.rng().chance(0.6) {
            ctx.send(from, hops + 1);
        }
    }

    fn on_timer(&mut self, ctx: &mut Context<'_, Hops>, _tag: u64) {
        if self.conversations_left == 0 {
            return;
        }
        self.conversations_left -= 1;
        let nodes = ctx.node_count() as u64;
        let peer = ctx.rng().below(nodes) as NodeId;
        ctx.send(peer, 0);
        if ctx.rng().chance(0.2) {
            ctx.note("thinking");
        }
        let delay = ctx.rng().between(ms(1), ms(20));
        let timer = ctx.set_timer(delay, NEXT_CONVERSATION);
        if ctx.rng().chance(0.1) {
            // Cancelled and set again: the conversation goes on, a little later.
            ctx.cancel_timer(timer);
            ctx.set_timer(delay + ms(5), NEXT_CONVERSATION);
        }
    }
}

/// Everything that varies between generated runs.
#[derive(Debug, Clone)]
struct Setup {
    seed: u64,
    nodes: usize,
    link: Link,
    faults: Vec<Fault>,
    clocks: Vec<PhysicalClock>,
}

fn latency() -> impl Strategy<Value = Latency> {
    let base = prop_oneof![
        (0i64..30).prop_map(|n| Latency::constant(ms(n))),
        (0i64..10, 0i64..30).prop_map(|(low, span)| Latency::uniform(ms(low), ms(low + span))),
        (1i64..20).prop_map(|mean| Latency::exponential(ms(mean))),
        (1i64..20, 0.0..1.5f64).prop_map(|(median, sigma)| Latency::log_normal(ms(median), sigma)),
    ];
    (base, prop::option::of((0.0..0.3f64, 0i64..200))).prop_map(|(base, spikes)| match spikes {
        Some((probability, extra)) => base.with_spikes(probability, ms(extra)),
        None => base,
    })
}

fn link(lossy: bool) -> impl Strategy<Value = Link> {
    let loss = if lossy { 0.0..0.4f64 } else { 0.0..0.0001f64 };
    (
        latency(),
        loss,
        prop_oneof![Just(0.0), 0.0..0.5f64],
        any::<bool>(),
    )
        .prop_map(move |(latency, loss, duplicate, fifo)| {
            Link::new()
                .latency(latency)
                .loss(if lossy { loss } else { 0.0 })
                .duplicate(duplicate)
                .fifo(fifo)
        })
}

/// A window inside the first 300 ms, possibly open-ended.
fn window() -> impl Strategy<Value = (Time, Option<Time>)> {
    (0i64..300, prop::option::of(1i64..200))
        .prop_map(|(start, length)| (ms(start), length.map(|length| ms(start + length))))
}

fn fault(nodes: usize, with_pauses: bool) -> impl Strategy<Value = Fault> {
    let split = (
        prop::collection::vec(any::<bool>(), nodes),
        any::<bool>(),
        window(),
    )
        .prop_map(|(sides, one_way, (at, heal_at))| {
            let left: Vec<NodeId> = (0..sides.len()).filter(|&n| sides[n]).collect();
            let right: Vec<NodeId> = (0..sides.len()).filter(|&n| !sides[n]).collect();
            let mut cut = partition(left, right).at(at);
            cut.heal_at = heal_at;
            if one_way {
                cut = cut.one_way();
            }
            Fault::from(cut)
        });
    let crash = (0..nodes, window()).prop_map(|(node, (at, restart_at))| {
        Fault::Crash(Crash {
            restart_at,
            ..crash(node).at(at)
        })
    });
    let pause = (0..nodes, window()).prop_map(|(node, (at, resume_at))| {
        Fault::Pause(Pause {
            resume_at,
            ..pause(node).at(at)
        })
    });
    if with_pauses {
        prop_oneof![split, crash, pause].boxed()
    } else {
        prop_oneof![split, crash].boxed()
    }
}

fn clock() -> impl Strategy<Value = PhysicalClock> {
    (
        -50i64..50,
        -100_000i64..100_000,
        prop::collection::vec((0i64..400, -100i64..100), 0..3),
    )
        .prop_map(|(offset, drift, steps)| {
            steps.into_iter().fold(
                PhysicalClock::new().offset(ms(offset)).drift_ppm(drift),
                |clock, (at, by)| clock.step_at(ms(at), ms(by)),
            )
        })
}

fn setup(lossy: bool, faults: bool, with_pauses: bool) -> impl Strategy<Value = Setup> {
    (1usize..6).prop_flat_map(move |nodes| {
        let faults = if faults {
            prop::collection::vec(fault(nodes, with_pauses), 0..4).boxed()
        } else {
            Just(Vec::new()).boxed()
        };
        (
            any::<u64>(),
            link(lossy),
            faults,
            prop::collection::vec(clock(), nodes),
        )
            .prop_map(move |(seed, link, faults, clocks)| Setup {
                seed,
                nodes,
                link,
                faults,
                clocks,
            })
    })
}

/// The simulation a setup describes; faults the simulation refuses (overlapping windows, a
/// partition with an empty side) are left out, the same way on every build.
fn build(setup: &Setup) -> Simulation<Hops> {
    let mut sim = Simulation::new(setup.seed);
    for node in 0..setup.nodes {
        sim.add_node(format!("n{node}"), || Chatter {
            conversations_left: 4,
        });
    }
    sim.set_links(setup.link.clone())
        .expect("generated links are valid");
    for (node, clock) in setup.clocks.iter().enumerate() {
        sim.set_clock(node, clock.clone())
            .expect("generated clocks are valid");
    }
    for fault in &setup.faults {
        let _refused_or_added = sim.add_fault(fault.clone());
    }
    sim
}

/// Whether the partitions of `faults` block `from -> to` at `time`.
fn blocked(faults: &[Fault], from: NodeId, to: NodeId, time: Time) -> bool {
    faults.iter().any(|fault| match fault {
        Fault::Partition(cut) => {
            cut.at <= time
                && cut.heal_at.is_none_or(|heal| time < heal)
                && cut.blocked_links().contains(&(from, to))
        }
        _ => false,
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn the_same_seed_gives_an_identical_trace(setup in setup(true, true, true)) {
        let mut first = build(&setup);
        let mut second = build(&setup);
        first.run_until(ms(600)).unwrap();
        second.run_until(ms(600)).unwrap();
        prop_assert_eq!(first.trace(), second.trace());
        let rows = |sim: &Simulation<Hops>| serde_json::to_string(&sim.trace().rows()).unwrap();
        prop_assert_eq!(rows(&first), rows(&second));
    }

    #[test]
    fn recorded_time_never_goes_backwards(setup in setup(true, true, true)) {
        let mut sim = build(&setup);
        sim.run_until(ms(300)).unwrap();
        sim.run_until(ms(600)).unwrap();
        let events = sim.trace().events();
        prop_assert!(events.windows(2).all(|pair| pair[0].time <= pair[1].time));
        prop_assert!(events.iter().enumerate().all(|(index, event)| event.index == index));
        prop_assert!(events.iter().all(|event| event.time <= sim.now()));
    }

    /// Pauses are left out: a message that reached a paused node before a partition began is
    /// handed over when the node resumes, possibly while the partition is up, without crossing
    /// it.
    #[test]
    fn nothing_crosses_a_partition_while_it_is_up(setup in setup(true, true, false)) {
        let mut sim = build(&setup);
        sim.run_until(ms(600)).unwrap();
        let trace = sim.trace();
        for (event, message) in trace.deliveries() {
            prop_assert!(
                !blocked(trace.faults(), message.from, message.to, message.sent_at),
                "message {} was sent on a blocked link at {}", message.id, message.sent_at
            );
            prop_assert!(
                !blocked(trace.faults(), message.from, message.to, event.time),
                "message {} arrived over a blocked link at {}", message.id, event.time
            );
        }
    }

    #[test]
    fn without_loss_or_faults_every_copy_is_delivered_exactly_once(
        setup in setup(false, false, false),
    ) {
        let mut sim = build(&setup);
        sim.run().unwrap();
        let trace = sim.trace();
        let mut deliveries = vec![0u32; trace.messages().len()];
        for (_, message) in trace.deliveries() {
            deliveries[message.id] += 1;
        }
        prop_assert_eq!(trace.drops().count(), 0);
        for message in trace.messages() {
            prop_assert_eq!(deliveries[message.id], message.copies);
            if setup.link.duplicate == 0.0 {
                prop_assert_eq!(message.copies, 1);
            }
        }
    }

    #[test]
    fn events_carry_the_clock_reading_of_their_node(setup in setup(true, true, true)) {
        let mut sim = build(&setup);
        sim.run_until(ms(600)).unwrap();
        for event in sim.trace().events() {
            prop_assert_eq!(event.clock, setup.clocks[event.node].reading(event.time));
        }
        for (node, clock) in setup.clocks.iter().enumerate() {
            let recorded: Vec<(Time, Time)> = sim.trace().events().iter()
                .filter(|event| event.node == node)
                .filter_map(|event| match event.kind {
                    EventKind::ClockStep { by } => Some((event.time, by)),
                    _ => None,
                })
                .collect();
            let mut scheduled: Vec<(Time, Time)> =
                clock.steps.iter().map(|step| (step.at, step.by)).collect();
            scheduled.sort_by_key(|&(at, _)| at);
            prop_assert_eq!(recorded, scheduled);
        }
    }

    #[test]
    fn clock_readings_follow_offset_drift_and_steps_exactly(
        offset in -1_000_000_000_000i64..1_000_000_000_000,
        drift in -PhysicalClock::MAX_DRIFT_PPM..=PhysicalClock::MAX_DRIFT_PPM,
        steps in prop::collection::vec((0i64..1_000_000_000_000, -1_000_000_000i64..1_000_000_000), 0..4),
        true_time in 0i64..1_000_000_000_000_000,
    ) {
        let clock = steps.iter().fold(
            PhysicalClock::new().offset(Time::from_nanos(offset)).drift_ppm(drift),
            |clock, &(at, by)| clock.step_at(Time::from_nanos(at), Time::from_nanos(by)),
        );
        let t = i128::from(true_time);
        let stepped: i128 = steps.iter().filter(|&&(at, _)| at <= true_time).map(|&(_, by)| i128::from(by)).sum();
        let expected = t + (t * i128::from(drift)).div_euclid(1_000_000) + i128::from(offset) + stepped;
        prop_assert_eq!(i128::from(clock.reading(Time::from_nanos(true_time)).as_nanos()), expected);
        // Between steps, a clock that is not standing still never goes backwards.
        if drift > -PhysicalClock::MAX_DRIFT_PPM {
            let later = Time::from_nanos(true_time) + us(1);
            let no_step_between = steps.iter().all(|&(at, _)| at <= true_time || at > later.as_nanos());
            if no_step_between {
                prop_assert!(clock.reading(later) >= clock.reading(Time::from_nanos(true_time)));
            }
        }
    }

    #[test]
    fn the_scheduler_takes_events_in_time_then_insertion_order(
        operations in prop::collection::vec(prop::option::of(-50i64..200), 1..200),
    ) {
        let mut scheduler = Scheduler::new();
        let mut scheduled = 0u32;
        let mut taken: Vec<(Time, u32)> = Vec::new();
        for operation in operations {
            match operation {
                Some(at) => {
                    scheduler.schedule(ms(at), scheduled);
                    scheduled += 1;
                }
                None => {
                    let before = scheduler.now();
                    if let Some(event) = scheduler.pop() {
                        prop_assert!(event.0 >= before);
                        prop_assert_eq!(scheduler.now(), event.0);
                        taken.push(event);
                    }
                }
            }
        }
        while let Some(event) = scheduler.pop() {
            taken.push(event);
        }
        prop_assert_eq!(taken.len() as u32, scheduled);
        for pair in taken.windows(2) {
            prop_assert!(pair[0].0 <= pair[1].0, "time went back from {} to {}", pair[0].0, pair[1].0);
        }
    }

    #[test]
    fn draining_a_scheduler_orders_by_time_then_insertion(
        times in prop::collection::vec(0i64..20, 1..100),
    ) {
        let mut scheduler = Scheduler::new();
        for (number, &at) in times.iter().enumerate() {
            scheduler.schedule(ms(at), number);
        }
        let taken: Vec<(Time, usize)> = std::iter::from_fn(|| scheduler.pop()).collect();
        let mut expected: Vec<(Time, usize)> =
            times.iter().enumerate().map(|(number, &at)| (ms(at), number)).collect();
        expected.sort();
        prop_assert_eq!(taken, expected);
    }

    #[test]
    fn adding_a_node_does_not_change_what_the_others_draw(seed in any::<u64>(), nodes in 1usize..5) {
        let notes = |count: usize| {
            let mut sim = Simulation::new(seed);
            for node in 0..count {
                sim.add_node(format!("n{node}"), || Loner);
            }
            sim.run_until(ms(100)).unwrap();
            sim.trace().events().iter()
                .filter(|event| event.kind == EventKind::Note)
                .map(|event| (event.node, event.time, event.label.clone()))
                .filter(|&(node, _, _)| node < nodes)
                .collect::<Vec<_>>()
        };
        let mut without = notes(nodes);
        let mut with = notes(nodes + 1);
        without.sort();
        with.sort();
        prop_assert_eq!(without, with);
    }

    /// The same for links: the first `nodes` call each other over lossy, duplicating, slow
    /// links, a newcomer calls them all and they answer it, and still every message between
    /// the first `nodes` is sent, delivered, duplicated or lost exactly as without the newcomer.
    #[test]
    fn adding_a_node_does_not_change_the_fate_of_messages_between_the_others(
        seed in any::<u64>(),
        nodes in 1usize..5,
        link in link(true),
    ) {
        let fates = |count: usize| {
            let mut sim = Simulation::new(seed);
            for node in 0..count {
                // The first `nodes` call among themselves; a newcomer calls everyone.
                let circle = if node < nodes { nodes } else { count };
                sim.add_node(format!("n{node}"), move || Caller { circle, calls_left: 4 });
            }
            sim.set_links(link.clone()).unwrap();
            sim.run().unwrap();
            fates_between_the_first(&sim, nodes)
        };
        let without = fates(nodes);
        prop_assert!(without.iter().any(|fate| fate.kind == "send"));
        prop_assert_eq!(without, fates(nodes + 1));
    }

    #[test]
    fn bad_parameters_are_errors_never_panics(
        seed in any::<u64>(),
        probability in prop_oneof![Just(f64::NAN), Just(f64::INFINITY), -2.0..2.0f64],
        sigma in prop_oneof![Just(f64::NAN), -5.0..20.0f64],
        nanos in prop_oneof![Just(i64::MIN), Just(i64::MAX), -1_000_000_000i64..1_000_000_000],
        node in 0usize..6,
        drift in prop_oneof![Just(i64::MIN), Just(i64::MAX), -3_000_000i64..3_000_000],
        fault in fault(6, true),
    ) {
        let time = Time::from_nanos(nanos);
        let mut sim = Simulation::new(seed);
        for name in ["A", "B", "C"] {
            sim.add_node(name, || Chatter { conversations_left: 2 });
        }
        let attempts: Vec<Result<(), SimError>> = vec![
            sim.set_links(Link::new().loss(probability)),
            sim.set_links(Link::new().duplicate(probability)),
            sim.set_links(Link::new().latency(Latency::log_normal(time, sigma))),
            sim.set_links(Link::new().latency(Latency::uniform(time, ms(3)))),
            sim.set_links(Link::new().latency(Latency::constant(time).with_spikes(probability, time))),
            sim.set_link(node, 0, Link::new()),
            sim.set_clock(node, PhysicalClock::new().drift_ppm(drift).offset(time)),
            sim.set_clock(0, PhysicalClock::new().step_at(time, time)),
            sim.add_fault(fault),
            sim.add_fault(crash(node).at(time)),
            sim.add_fault(partition(0, node).at(ms(10)).heal_at(time)),
        ];
        for attempt in attempts {
            if let Err(error) = attempt {
                prop_assert!(!error.to_string().is_empty());
            }
        }
        sim.run_until(ms(200)).unwrap();
    }
}

/// A node that sends nothing and notes numbers from its own stream, at start and on timers.
struct Loner;

impl Node<()> for Loner {
    fn on_start(&mut self, ctx: &mut Context<'_, ()>) {
        let draw = ctx.rng().below(1_000_000);
        ctx.note(draw.to_string());
        let delay = ctx.rng().between(ms(1), ms(30));
        ctx.set_timer(delay, 0);
    }

    fn on_message(&mut self, _: &mut Context<'_, ()>, _: NodeId, _: ()) {}

    fn on_timer(&mut self, ctx: &mut Context<'_, ()>, _: u64) {
        let draw = ctx.rng().below(1_000_000);
        ctx.note(draw.to_string());
        let delay = ctx.rng().between(ms(1), ms(30));
        ctx.set_timer(delay, 0);
    }
}

/// A node that calls `calls_left` peers picked at random among nodes `0..circle`, at random
/// times, and answers every call it gets without drawing anything.
struct Caller {
    circle: usize,
    calls_left: u32,
}

impl Node<Hops> for Caller {
    fn on_start(&mut self, ctx: &mut Context<'_, Hops>) {
        let delay = ctx.rng().between(ms(0), ms(20));
        ctx.set_timer(delay, NEXT_CONVERSATION);
    }

    fn on_message(&mut self, ctx: &mut Context<'_, Hops>, from: NodeId, hops: Hops) {
        if hops == 0 {
            ctx.send(from, 1);
        }
    }

    fn on_timer(&mut self, ctx: &mut Context<'_, Hops>, _tag: u64) {
        if self.calls_left == 0 {
            return;
        }
        self.calls_left -= 1;
        let peer = ctx.rng().below(self.circle as u64) as NodeId;
        ctx.send(peer, 0);
        let delay = ctx.rng().between(ms(1), ms(20));
        ctx.set_timer(delay, NEXT_CONVERSATION);
    }
}

/// One send, delivery or drop on a link, without the ids that depend on other links' traffic.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct LinkFate {
    time: Time,
    node: NodeId,
    peer: NodeId,
    kind: &'static str,
    sent_at: Time,
    detail: String,
}

/// The fates on the links among nodes `0..nodes`, sorted (events at equal times may be handled
/// in another order when other nodes' events are interleaved).
fn fates_between_the_first(sim: &Simulation<Hops>, nodes: usize) -> Vec<LinkFate> {
    let trace = sim.trace();
    let mut fates: Vec<LinkFate> = trace
        .rows()
        .into_iter()
        .filter_map(|row| {
            let peer = row.peer.filter(|&peer| row.node < nodes && peer < nodes)?;
            let message = trace.message(row.message?)?;
            Some(LinkFate {
                time: row.time,
                node: row.node,
                peer,
                kind: row.kind,
                sent_at: message.sent_at,
                detail: row.detail,
            })
        })
        .collect();
    fates.sort();
    fates
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// A one-way cut for the whole run leaves every round trip unanswered, in both directions,
    /// while the far side still hears every ping sent its way; without it, every ping sent a
    /// full interval before the end is answered.
    #[test]
    fn a_one_way_cut_breaks_round_trips_both_ways(seed in any::<u64>(), nodes in 2usize..=4) {
        for cut in [false, true] {
            let mut sim = lessons::sim::Simulation::new(seed);
            for k in 0..nodes {
                sim.add_node(format!("n{k}"), || lessons::sim::Pinger::every(ms(100)));
            }
            sim.set_links(lessons::sim::Link::new().latency(lessons::sim::Latency::uniform(ms(1), ms(40)))).unwrap();
            if cut {
                sim.add_fault(lessons::sim::partition(0, 1).one_way()).unwrap();
            }
            sim.run_until(ms(1_000)).unwrap();
            let trace = sim.trace();
            for operation in trace.operations() {
                let across = (operation.client == 0 && operation.operation == "ping node 1")
                    || (operation.client == 1 && operation.operation == "ping node 0");
                if cut && across {
                    prop_assert!(operation.result.is_none());
                } else if operation.invoked_at <= ms(900) {
                    prop_assert_eq!(operation.result.as_deref(), Some("pong"));
                }
            }
            let heard_by_0 = sim.node::<lessons::sim::Pinger>(0).unwrap().pings_from(1);
            prop_assert!(heard_by_0 >= 9);
        }
    }
}
