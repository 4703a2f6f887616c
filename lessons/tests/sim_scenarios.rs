//! Exact runs of the simulation toolkit, each with the numbers it must produce written down.

use lessons::sim::{
    Context, DropReason, EventKind, Heartbeat, Latency, Link, Node, NodeId, PhysicalClock,
    SimError, Simulation, Time, TimerId, crash, ms, partition, pause, secs,
};

/// Three heartbeat nodes A, B, C beating every 100 ms over the default 1 ms links.
fn three_heartbeats(seed: u64) -> Simulation<lessons::sim::Beat> {
    let mut sim = Simulation::new(seed);
    for name in ["A", "B", "C"] {
        sim.add_node(name, || Heartbeat::every(ms(100)));
    }
    sim
}

/// FNV-1a, to pin a whole trace in one number.
fn fingerprint(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The trace of this run is pinned: if it changes, every notebook built on the toolkit shows
/// different numbers, and that must be a deliberate decision.
#[test]
fn a_seeded_run_reproduces_its_pinned_trace() {
    let mut sim = three_heartbeats(42);
    sim.set_links(
        Link::new()
            .latency(Latency::log_normal(ms(10), 0.5).with_spikes(0.05, ms(100)))
            .loss(0.1)
            .duplicate(0.05),
    )
    .unwrap();
    sim.add_fault(partition(0, [1, 2]).at(ms(250)).heal_at(ms(450)))
        .unwrap();
    sim.set_clock(2, PhysicalClock::new().offset(ms(7)).drift_ppm(300))
        .unwrap();
    sim.run_until(secs(1)).unwrap();
    let rows = serde_json::to_string(&sim.trace().rows()).unwrap();
    assert_eq!(sim.trace().events().len(), 147);
    assert_eq!(fingerprint(&rows), 10_908_573_852_969_548_594);
}

#[test]
fn a_partition_drops_both_ways_and_heals() {
    let mut sim = three_heartbeats(1);
    sim.add_fault(partition(0, [1, 2]).at(ms(150)).heal_at(ms(350)))
        .unwrap();
    sim.run_until(ms(450)).unwrap();
    let trace = sim.trace();
    let dropped: Vec<(NodeId, NodeId, Time, DropReason)> = trace
        .drops()
        .map(|(_, message, reason)| (message.from, message.to, message.sent_at, reason))
        .collect();
    // Beats at 200 and 300 ms between A and the others: 2 beats x 4 directed links.
    assert_eq!(dropped.len(), 8);
    assert!(dropped.iter().all(|&(from, to, sent_at, reason)| {
        (from == 0) != (to == 0)
            && [ms(200), ms(300)].contains(&sent_at)
            && reason == DropReason::Partition
    }));
    // B and C keep talking through the partition; everyone talks again after it heals.
    let delivered_at_400 = trace
        .deliveries()
        .filter(|(_, message)| message.sent_at == ms(400))
        .count();
    assert_eq!(delivered_at_400, 6);
}

#[test]
fn a_one_way_partition_blocks_one_direction_only() {
    let mut sim = three_heartbeats(1);
    sim.add_fault(partition(0, 1).one_way()).unwrap();
    sim.run_until(ms(150)).unwrap();
    let b = sim.node::<Heartbeat>(1).unwrap();
    let a = sim.node::<Heartbeat>(0).unwrap();
    assert_eq!(b.last_heard_from(0), None);
    assert_eq!(a.last_heard_from(1), Some(ms(101)));
}

#[test]
fn a_message_in_flight_when_a_partition_begins_is_dropped_on_arrival() {
    let mut sim = three_heartbeats(1);
    sim.set_links(Link::new().latency(Latency::constant(ms(50))))
        .unwrap();
    sim.add_fault(partition(0, 1).at(ms(120))).unwrap();
    sim.run_until(ms(160)).unwrap();
    let drops: Vec<(Time, Time)> = sim
        .trace()
        .drops()
        .map(|(event, message, _)| (message.sent_at, event.time))
        .collect();
    // A's and B's beats of 100 ms were sent before the partition and arrive at 150 ms.
    assert_eq!(drops, [(ms(100), ms(150)), (ms(100), ms(150))]);
}

/// A node that counts in memory and on disk.
#[derive(Default)]
struct Counter {
    in_memory: u64,
}

impl Node<()> for Counter {
    fn on_start(&mut self, ctx: &mut Context<'_, ()>) {
        ctx.set_timer(ms(10), 0);
    }

    fn on_message(&mut self, _: &mut Context<'_, ()>, _: NodeId, _: ()) {}

    fn on_timer(&mut self, ctx: &mut Context<'_, ()>, _: u64) {
        self.in_memory += 1;
        let on_disk: u64 = ctx.disk().read("count").unwrap_or(0);
        ctx.disk().write("count", &(on_disk + 1)).unwrap();
        ctx.label(format!("{} / {}", self.in_memory, on_disk + 1));
        ctx.set_timer(ms(10), 0);
    }
}

#[test]
fn a_crash_loses_memory_keeps_the_disk_and_kills_old_timers() {
    let mut sim = Simulation::new(3);
    sim.add_node("counter", Counter::default);
    sim.add_fault(crash(0).at(ms(35)).restart_at(ms(100)))
        .unwrap();
    sim.run_until(ms(125)).unwrap();
    let labels: Vec<(Time, String)> = sim
        .trace()
        .events()
        .iter()
        .filter_map(|event| Some((event.time, event.label.clone()?)))
        .collect();
    assert_eq!(
        labels,
        [
            (ms(10), "1 / 1".to_string()),
            (ms(20), "2 / 2".to_string()),
            (ms(30), "3 / 3".to_string()),
            // No timer at 40 ms: it belonged to the crashed incarnation.
            (ms(110), "1 / 4".to_string()),
            (ms(120), "2 / 5".to_string()),
        ]
    );
    let kinds: Vec<&str> = sim
        .trace()
        .events()
        .iter()
        .map(|event| event.kind.name())
        .collect();
    assert_eq!(
        kinds,
        [
            "start", "timer", "timer", "timer", "crash", "restart", "timer", "timer"
        ]
    );
    assert_eq!(sim.node::<Counter>(0).unwrap().in_memory, 2);
}

#[test]
fn messages_to_a_crashed_node_are_dropped_as_node_down() {
    let mut sim = three_heartbeats(1);
    sim.add_fault(crash(2).at(ms(50))).unwrap();
    sim.run_until(ms(150)).unwrap();
    let reasons: Vec<(NodeId, DropReason)> = sim
        .trace()
        .drops()
        .map(|(_, message, reason)| (message.to, reason))
        .collect();
    assert_eq!(
        reasons,
        [(2, DropReason::NodeDown), (2, DropReason::NodeDown)]
    );
    assert!(sim.node::<Heartbeat>(2).is_none());
}

#[test]
fn a_paused_node_handles_what_fell_due_when_it_resumes_with_its_clock_run_on() {
    let mut sim = three_heartbeats(1);
    sim.set_clock(1, PhysicalClock::new().offset(ms(5)))
        .unwrap();
    sim.add_fault(pause(1).at(ms(90)).resume_at(ms(160)))
        .unwrap();
    sim.run_until(ms(170)).unwrap();
    let on_b: Vec<(Time, Time, &str)> = sim
        .trace()
        .events()
        .iter()
        .filter(|event| event.node == 1)
        .map(|event| (event.time, event.clock, event.kind.name()))
        .collect();
    assert_eq!(
        on_b,
        [
            (ms(0), ms(5), "start"),
            (ms(90), ms(95), "pause"),
            (ms(160), ms(165), "resume"),
            // What fell due during the pause, in order: B's own timer (100 ms), whose
            // handler sends two beats, then the beats from A and C (101 ms).
            (ms(160), ms(165), "timer"),
            (ms(160), ms(165), "send"),
            (ms(160), ms(165), "send"),
            (ms(160), ms(165), "deliver"),
            (ms(160), ms(165), "deliver"),
        ]
    );
    let b = sim.node::<Heartbeat>(1).unwrap();
    assert_eq!(b.last_heard_from(0), Some(ms(165)));
}

#[test]
fn fifo_links_keep_order_and_others_reorder() {
    /// Sends ten numbered messages to node 1 at start.
    struct Burst;
    impl Node<u32> for Burst {
        fn on_start(&mut self, ctx: &mut Context<'_, u32>) {
            if ctx.me() == 0 {
                (0..10).for_each(|n| ctx.send(1, n));
            }
        }
        fn on_message(&mut self, ctx: &mut Context<'_, u32>, _: NodeId, n: u32) {
            ctx.label(n.to_string());
        }
    }
    let order = |fifo: bool| {
        let mut sim = Simulation::new(5);
        sim.add_node("sender", || Burst);
        sim.add_node("receiver", || Burst);
        sim.set_links(
            Link::new()
                .latency(Latency::uniform(ms(1), ms(50)))
                .fifo(fifo),
        )
        .unwrap();
        sim.run().unwrap();
        sim.trace()
            .deliveries()
            .map(|(_, message)| message.payload)
            .collect::<Vec<u32>>()
    };
    assert_eq!(order(true), (0..10).collect::<Vec<_>>());
    let reordered = order(false);
    assert_ne!(reordered, (0..10).collect::<Vec<_>>());
    let mut sorted = reordered.clone();
    sorted.sort();
    assert_eq!(sorted, (0..10).collect::<Vec<_>>());
}

#[test]
fn clock_steps_are_recorded_when_they_happen() {
    let mut sim = three_heartbeats(1);
    sim.set_clock(
        0,
        PhysicalClock::new()
            .drift_ppm(1_000)
            .step_at(ms(250), ms(-80)),
    )
    .unwrap();
    sim.run_until(ms(300)).unwrap();
    let step = sim
        .trace()
        .events()
        .iter()
        .find(|event| matches!(event.kind, EventKind::ClockStep { .. }))
        .unwrap();
    assert_eq!((step.node, step.time), (0, ms(250)));
    assert_eq!(step.clock, ms(250) + Time::from_nanos(250_000) - ms(80));
    let beats_from_a: Vec<Time> = sim
        .trace()
        .messages()
        .iter()
        .filter(|message| message.from == 0 && message.to == 1)
        .map(|message| message.payload.clock)
        .collect();
    // 1000 ppm: 0.1 ms fast per 100 ms; then 80 ms back at 250 ms.
    assert_eq!(
        beats_from_a,
        [
            ms(100) + Time::from_nanos(100_000),
            ms(200) + Time::from_nanos(200_000),
            ms(220) + Time::from_nanos(300_000),
        ]
    );
}

#[test]
fn client_operations_are_recorded_with_invoke_and_response_times() {
    /// Asks node 1 for a value at 10 ms and records the answer.
    struct Client {
        pending: Option<usize>,
    }
    impl Node<u64> for Client {
        fn on_start(&mut self, ctx: &mut Context<'_, u64>) {
            if ctx.me() == 0 {
                ctx.set_timer(ms(10), 0);
            }
        }
        fn on_timer(&mut self, ctx: &mut Context<'_, u64>, _: u64) {
            self.pending = Some(ctx.invoke("read x"));
            ctx.send(1, 0);
        }
        fn on_message(&mut self, ctx: &mut Context<'_, u64>, from: NodeId, value: u64) {
            match self.pending.take() {
                Some(read) => ctx.respond(read, format!("x={value}")),
                None => ctx.send(from, 7),
            }
        }
    }
    let mut sim = Simulation::new(1);
    sim.add_node("client", || Client { pending: None });
    sim.add_node("server", || Client { pending: None });
    sim.run().unwrap();
    let history = sim.trace().operations();
    assert_eq!(history.len(), 1);
    let read = &history[0];
    assert_eq!(
        (read.client, read.operation.as_str(), read.invoked_at),
        (0, "read x", ms(10))
    );
    assert_eq!(
        (read.result.as_deref(), read.responded_at),
        (Some("x=7"), Some(ms(12)))
    );
}

#[test]
fn cancelled_timers_never_fire() {
    struct Forgetful {
        timer: Option<TimerId>,
    }
    impl Node<()> for Forgetful {
        fn on_start(&mut self, ctx: &mut Context<'_, ()>) {
            self.timer = Some(ctx.set_timer(ms(10), 1));
            ctx.set_timer(ms(5), 2);
        }
        fn on_message(&mut self, _: &mut Context<'_, ()>, _: NodeId, _: ()) {}
        fn on_timer(&mut self, ctx: &mut Context<'_, ()>, tag: u64) {
            ctx.note(format!("timer {tag}"));
            if let Some(timer) = self.timer.take() {
                ctx.cancel_timer(timer);
            }
        }
    }
    let mut sim = Simulation::new(1);
    sim.add_node("n", || Forgetful { timer: None });
    sim.run().unwrap();
    let fired: Vec<u64> = sim
        .trace()
        .events()
        .iter()
        .filter_map(|event| match event.kind {
            EventKind::Timer { tag } => Some(tag),
            _ => None,
        })
        .collect();
    assert_eq!(fired, [2]);
}

#[test]
fn sending_to_a_node_that_does_not_exist_is_a_recorded_drop() {
    struct Lost;
    impl Node<()> for Lost {
        fn on_start(&mut self, ctx: &mut Context<'_, ()>) {
            ctx.send(9, ());
        }
        fn on_message(&mut self, _: &mut Context<'_, ()>, _: NodeId, _: ()) {}
    }
    let mut sim = Simulation::new(1);
    sim.add_node("n", || Lost);
    sim.run().unwrap();
    let reasons: Vec<DropReason> = sim.trace().drops().map(|(_, _, reason)| reason).collect();
    assert_eq!(reasons, [DropReason::NoSuchNode]);
    assert!(sim.trace().diagram().to_svg().is_ok());
}

#[test]
fn setup_errors_say_what_is_allowed() {
    let mut sim = three_heartbeats(1);
    let cases: Vec<(Result<(), SimError>, &str)> = vec![
        (
            sim.set_links(Link::new().loss(1.5)),
            "loss probability 1.5 is not in [0, 1]",
        ),
        (
            sim.add_fault(partition(0, 3)),
            "node 3 does not exist; nodes are numbered 0 to 2",
        ),
        (
            sim.add_fault(partition(0, 1).at(ms(400)).heal_at(ms(100))),
            "the partition would end at 100ms, which is not after it starts at 400ms; the end \
             must be later than the start",
        ),
        (
            sim.set_clock(1, PhysicalClock::new().drift_ppm(-2_000_000)),
            "clock drift -2000000 ppm is not allowed; drift must be between -1000000 and \
             1000000 ppm",
        ),
    ];
    for (result, message) in cases {
        assert_eq!(result.unwrap_err().to_string(), message);
    }
    sim.add_fault(pause(1).at(ms(100)).resume_at(ms(200)))
        .unwrap();
    assert_eq!(
        sim.add_fault(crash(1).at(ms(150))).unwrap_err().to_string(),
        "node 1 is already crashed or paused from 100ms until 200ms; crash and pause windows \
         of one node must not overlap"
    );
    sim.run_until(ms(300)).unwrap();
    assert_eq!(
        sim.add_fault(crash(0).at(ms(250))).unwrap_err().to_string(),
        "the crash at 250ms is in the past: the simulation is already at 300ms; schedule it at \
         300ms or later"
    );
}

#[test]
fn a_runaway_node_stops_at_the_event_limit() {
    struct Runaway;
    impl Node<()> for Runaway {
        fn on_start(&mut self, ctx: &mut Context<'_, ()>) {
            ctx.set_timer(ms(0), 0);
        }
        fn on_message(&mut self, _: &mut Context<'_, ()>, _: NodeId, _: ()) {}
        fn on_timer(&mut self, ctx: &mut Context<'_, ()>, _: u64) {
            ctx.set_timer(ms(0), 0);
        }
    }
    let mut sim = Simulation::new(1);
    sim.add_node("loop", || Runaway);
    sim.set_event_limit(1_000);
    let error = sim.run_until(ms(1)).unwrap_err();
    assert_eq!(
        error,
        SimError::EventLimit {
            limit: 1_000,
            now: ms(0)
        }
    );
    assert!(error.to_string().contains("zero-delay timers"));
}

#[test]
fn lamport_times_from_the_trace_respect_happens_before() {
    let mut sim = three_heartbeats(9);
    sim.set_links(Link::new().latency(Latency::exponential(ms(30))))
        .unwrap();
    sim.run_until(ms(500)).unwrap();
    let trace = sim.trace();
    let lamport = trace.lamport_times();
    let send_of = |id| {
        trace
            .events()
            .iter()
            .find(|event| matches!(event.kind, EventKind::Send { message, .. } if message == id))
            .unwrap()
    };
    for (delivery, message) in trace.deliveries() {
        assert!(lamport[send_of(message.id).index] < lamport[delivery.index]);
    }
    for node in 0..3 {
        let along: Vec<u64> = trace
            .events()
            .iter()
            .filter(|event| event.node == node)
            .map(|event| lamport[event.index])
            .collect();
        assert!(along.windows(2).all(|pair| pair[0] < pair[1]));
    }
}

/// C's clock, 30 ms ahead and 2% fast, read off the trace three ways: against the truth, and
/// against A and B as their beats show it (1 ms links: the skew plus or minus 1 ms of travel).
#[test]
fn clock_offsets_and_apparent_skew_read_a_fast_clock_off_the_trace() {
    let mut sim = three_heartbeats(1);
    sim.set_clock(2, PhysicalClock::new().offset(ms(30)).drift_ppm(20_000))
        .unwrap();
    sim.run_until(ms(150)).unwrap();
    let trace = sim.trace();
    // C's start, its timer and two sends at 100 ms, two deliveries at 101 ms.
    assert_eq!(
        trace.clock_offsets(2),
        [
            (0.0, 30.0),
            (100.0, 32.0),
            (100.0, 32.0),
            (100.0, 32.0),
            (101.0, 32.02),
            (101.0, 32.02)
        ]
    );
    // C reads 133.02 ms when A's and B's beats, stamped 100 ms, arrive.
    assert_eq!(
        trace.apparent_skew_into(2),
        [(101.0, 33.02), (101.0, 33.02)]
    );
    // C's beats, stamped 132 ms, arrive when A and B read 101 ms.
    assert_eq!(
        trace.apparent_skew_out_of(2),
        [(101.0, 31.0), (101.0, 31.0)]
    );
}
