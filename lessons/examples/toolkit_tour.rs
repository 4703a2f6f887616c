//! The Rust code of `notebooks/00-toolkit.ipynb`, cell by cell, as one program.
//!
//! Each `// cell` line starts the code of the next notebook code cell (after the `:dep` cell); a
//! cell whose last line is a bare variable shows that value, which here is spelled
//! `variable.evcxr_display();`. `tests/toolkit_tour.rs` checks that the two stay identical, runs
//! this program, and the assertions at the end pin the numbers the notebook's prose quotes.
//!
//! Run it with `cargo run -p lessons --example toolkit_tour`.

use std::error::Error;

pub fn main() -> Result<(), Box<dyn Error>> {
    // cell
    use lessons::display::RichDisplay;
    use lessons::sim::*;
    use lessons::table::Table;
    use lessons::try_it::check_prediction;
    use lessons::viz::{Corner, Figure};

    // cell
    /// Three nodes, A, B and C, that beat every 100 ms over links taking 10 to 40 ms.
    fn three_heartbeats(seed: u64) -> Result<Simulation<Beat>, SimError> {
        let mut sim = Simulation::new(seed);
        for name in ["A", "B", "C"] {
            sim.add_node(name, || Heartbeat::every(ms(100)));
        }
        sim.set_links(Link::new().latency(Latency::uniform(ms(10), ms(40))))?;
        Ok(sim)
    }

    let mut calm = three_heartbeats(42)?;
    calm.run_until(ms(500))?;
    let calm_diagram = calm.trace().diagram().title("A calm network");
    calm_diagram.evcxr_display();

    // cell
    /// The same three nodes, with A cut off from 150 to 350 ms and C's clock fast.
    fn storm(seed: u64) -> Result<Simulation<Beat>, SimError> {
        let mut sim = three_heartbeats(seed)?;
        sim.add_fault(partition(0, [1, 2]).at(ms(150)).heal_at(ms(350)))?;
        sim.set_clock(2, PhysicalClock::new().offset(ms(30)).drift_ppm(20_000))?;
        sim.run_until(ms(500))?;
        Ok(sim)
    }

    let stormy = storm(42)?;
    let storm_diagram = stormy
        .trace()
        .diagram()
        .title("A partitioned, C's clock fast (labels: each node's clock, in ms)")
        .label_events(|event| format!("{:.0}", event.clock.as_millis_f64()));
    storm_diagram.evcxr_display();

    // cell
    let prediction: Option<_> = None; // C's reading at true 500 ms, in ms
    let faster = PhysicalClock::new().offset(ms(30)).drift_ppm(100_000);
    let read_at_500 = faster.reading(ms(500)).as_millis_f64().round() as u64;
    println!(
        "{}",
        check_prediction(
            prediction,
            read_at_500,
            "500 ms of true time, plus the 30 ms it started ahead, plus 10% of 500 ms gained \
             on the way: 500 + 30 + 50."
        )
    );

    // cell
    let skew = Figure::new("How far ahead is C's clock?")
        .x_label("true time (ms)")
        .y_label("C's clock minus another clock (ms)")
        .line("C − true time", stormy.trace().clock_offsets(2))
        .points("beats into C", stormy.trace().apparent_skew_into(2))
        .points("beats from C", stormy.trace().apparent_skew_out_of(2))
        .legend_at(Corner::LowerRight);
    skew.evcxr_display();

    // cell
    let first = storm(42)?.trace().diagram().to_svg()?;
    let again = storm(42)?.trace().diagram().to_svg()?;
    let other = storm(43)?.trace().diagram().to_svg()?;
    println!("seed 42 twice, same picture: {}", first == again);
    println!("seed 43, same picture as seed 42: {}", first == other);

    // cell
    let prediction: Option<_> = None; // do A's beats to B take other times with D added?
    let mut with_d = three_heartbeats(42)?;
    with_d.add_node("D", || Heartbeat::every(ms(100)));
    with_d.run_until(ms(500))?;
    fn delays_a_to_b(sim: &Simulation<Beat>) -> Vec<Time> {
        sim.trace()
            .deliveries()
            .filter(|(_, beat)| beat.from == 0 && beat.to == 1)
            .map(|(arrival, beat)| arrival.time - beat.sent_at)
            .collect()
    }
    println!(
        "{}",
        check_prediction(
            prediction,
            delays_a_to_b(&with_d) != delays_a_to_b(&calm),
            format!(
                "A → B took {:?} without D, {:?} with it. Each directed link draws from its \
                 own stream, derived from the seed and the link: a new node adds streams and \
                 shifts none.",
                delays_a_to_b(&calm),
                delays_a_to_b(&with_d)
            )
        )
    );

    // cell
    let mut rough = three_heartbeats(7)?;
    rough.set_links(
        Link::new()
            .latency(Latency::log_normal(ms(20), 0.6))
            .loss(0.2)
            .duplicate(0.1),
    )?;
    rough.add_fault(crash(2).at(ms(120)).restart_at(ms(330)))?;
    rough.add_fault(pause(1).at(ms(180)).resume_at(ms(260)))?;
    rough.run_until(ms(500))?;
    rough
        .trace()
        .diagram()
        .title("Lossy, duplicating links; C crashes, B pauses")
        .show();

    // cell
    let fates = {
        let trace = rough.trace();
        let dropped = |reason| trace.drops().filter(|drop| drop.2 == reason).count();
        let duplicated = trace.messages().iter().filter(|m| m.copies == 2).count();
        let mut table = Table::new(["what happened", "count"]);
        table.push_row(["messages sent", &trace.messages().len().to_string()])?;
        table.push_row(["duplicated by the network", &duplicated.to_string()])?;
        table.push_row(["copies delivered", &trace.deliveries().count().to_string()])?;
        table.push_row(["copies lost", &dropped(DropReason::Loss).to_string()])?;
        table.push_row([
            "copies for a crashed node",
            &dropped(DropReason::NodeDown).to_string(),
        ])?;
        table
    };
    fates.evcxr_display();

    // cell
    let prediction: Option<_> = None; // copies dropped for a node that is down
    let mut frozen = three_heartbeats(7)?;
    frozen.set_links(
        Link::new()
            .latency(Latency::log_normal(ms(20), 0.6))
            .loss(0.2)
            .duplicate(0.1),
    )?;
    frozen.add_fault(pause(2).at(ms(120)).resume_at(ms(330)))?;
    frozen.add_fault(pause(1).at(ms(180)).resume_at(ms(260)))?;
    frozen.run_until(ms(500))?;
    let dropped_for_down = frozen
        .trace()
        .drops()
        .filter(|drop| drop.2 == DropReason::NodeDown)
        .count();
    println!(
        "{}",
        check_prediction(
            prediction,
            dropped_for_down,
            "A paused node is not down: what reaches it waits and is handled when it wakes. \
             From outside, the two look alike while they last; only a crash forgets."
        )
    );

    // cell
    let mut long = three_heartbeats(1)?;
    long.set_links(
        Link::new().latency(Latency::log_normal(ms(20), 0.5).with_spikes(0.02, ms(200))),
    )?;
    long.run_until(secs(20))?;
    let delays: Vec<f64> = long
        .trace()
        .deliveries()
        .map(|(arrival, beat)| (arrival.time - beat.sent_at).as_millis_f64())
        .collect();
    let marks = percentiles(&delays, &[50.0, 90.0, 99.0, 99.9])?;
    println!(
        "{} messages; p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, p99.9 {:.1} ms",
        delays.len(),
        marks[0],
        marks[1],
        marks[2],
        marks[3]
    );

    // cell
    Figure::new("Message delays: log-normal with 2% spikes of +200 ms")
        .x_label("delay (ms)")
        .y_label("messages")
        .histogram("delays", delays.iter().copied(), 60)
        .legend_at(Corner::UpperRight)
        .show();
    Figure::new("The same delays as a CDF")
        .x_label("delay (ms)")
        .y_label("fraction of messages at or below")
        .step("empirical CDF", Cdf::new(delays.iter().copied())?.points())
        .legend_at(Corner::LowerRight)
        .show();

    // cell
    let prediction: Option<_> = None; // is the p99 still above 200 ms?
    let mut rarer = three_heartbeats(1)?;
    rarer.set_links(
        Link::new().latency(Latency::log_normal(ms(20), 0.5).with_spikes(0.005, ms(200))),
    )?;
    rarer.run_until(secs(20))?;
    let rarer_delays: Vec<f64> = rarer
        .trace()
        .deliveries()
        .map(|(arrival, beat)| (arrival.time - beat.sent_at).as_millis_f64())
        .collect();
    let tail = percentiles(&rarer_delays, &[99.0, 99.9])?;
    println!(
        "{}",
        check_prediction(
            prediction,
            tail[0] > 200.0,
            format!(
                "p99 {:.1} ms, p99.9 {:.1} ms. A spike sets the p99 only when more than 1 message \
                 in 100 has one.",
                tail[0], tail[1]
            )
        )
    );

    // cell
    let mut one_way = Simulation::new(42);
    for name in ["A", "B"] {
        one_way.add_node(name, || Pinger::every(ms(100)));
    }
    one_way.set_links(Link::new().latency(Latency::uniform(ms(10), ms(40))))?;
    one_way.add_fault(partition(0, 1).one_way().at(ms(150)).heal_at(ms(350)))?;
    one_way.run_until(ms(500))?;
    one_way
        .trace()
        .diagram()
        .title("A → B cut from 150 to 350 ms; B → A open")
        .show();
    let pings_heard = [(0, 1), (1, 0)].map(|(node, peer)| {
        one_way
            .node::<Pinger>(node)
            .map_or(0, |pinger| pinger.pings_from(peer))
    });
    println!(
        "A heard {} pings from B; B heard {} from A",
        pings_heard[0], pings_heard[1]
    );
    let history = one_way.trace().operations_table();
    history.evcxr_display();

    // cell
    let prediction: Option<_> = None; // B's pings that A hears
    let mut reverse = Simulation::new(42);
    for name in ["A", "B"] {
        reverse.add_node(name, || Pinger::every(ms(100)));
    }
    reverse.set_links(Link::new().latency(Latency::uniform(ms(10), ms(40))))?;
    reverse.add_fault(partition(1, 0).one_way().at(ms(150)).heal_at(ms(350)))?;
    reverse.run_until(ms(500))?;
    let heard_by = [(0, 1), (1, 0)].map(|(node, peer)| {
        reverse
            .node::<Pinger>(node)
            .map_or(0, |pinger| pinger.pings_from(peer))
    });
    println!(
        "{}",
        check_prediction(
            prediction,
            heard_by[0],
            format!(
                "A hears {} of B's pings, B hears {} of A's: the roles have swapped. Now A sees \
                 B go silent, and B sees A alive but not answering.",
                heard_by[0], heard_by[1]
            )
        )
    );

    // cell
    let prediction: Option<_> = None; // beats dropped
    let heal_at = ms(450);
    let mut check = three_heartbeats(42)?;
    check.add_fault(partition(0, [1, 2]).at(ms(150)).heal_at(heal_at))?;
    check.run_until(ms(600))?;
    let dropped = check.trace().drops().count();
    println!(
        "{}",
        check_prediction(
            prediction,
            dropped,
            "Every 100 ms, A sends 2 beats into the partition and B and C send 1 each to A: \
             4 per round that starts while the partition is up."
        )
    );

    // end of cells
    assert_eq!(calm.trace().drops().count(), 0);
    assert_eq!(calm.trace().deliveries().count(), 24);
    assert_eq!(stormy.trace().drops().count(), 8);
    let c_ahead = stormy.trace().clock_offsets(2);
    assert_eq!(c_ahead.first(), Some(&(0.0, 30.0)));
    assert_eq!(c_ahead.last(), Some(&(500.0, 40.0)));
    assert!(first == again && first != other);
    assert_eq!(
        fates
            .rows()
            .iter()
            .map(|row| row[1].as_str())
            .collect::<Vec<_>>(),
        ["22", "1", "14", "5", "3"]
    );
    let copies: u32 = rough.trace().messages().iter().map(|m| m.copies).sum();
    assert_eq!(copies, 23);
    let arrived_or_dropped = rough.trace().deliveries().count() + rough.trace().drops().count();
    assert_eq!(copies as usize - arrived_or_dropped, 1); // still in flight at 500 ms
    assert_eq!(delays.len(), 1194);
    assert_eq!(
        marks
            .iter()
            .map(|mark| format!("{mark:.1}"))
            .collect::<Vec<_>>(),
        ["19.7", "42.0", "230.6", "238.8"]
    );
    assert_eq!(dropped, 12);
    assert_eq!(pings_heard, [4, 2]);
    let answers: Vec<&str> = history.rows().iter().map(|row| row[4].as_str()).collect();
    assert_eq!(answers.len(), 10);
    assert_eq!(
        answers
            .iter()
            .filter(|&&answer| answer == "no answer")
            .count(),
        7
    );
    let unanswered_at: Vec<&str> = history
        .rows()
        .iter()
        .filter(|row| row[4] == "no answer")
        .map(|row| row[3].as_str())
        .collect();
    assert_eq!(
        unanswered_at,
        [
            "100ms", "200ms", "200ms", "300ms", "300ms", "500ms", "500ms"
        ]
    );
    // The try-it cell with a prediction set, and the variations its prose suggests.
    assert!(check_prediction(Some(12), dropped, "").starts_with("Right"));
    for (heal_at, expected) in [(ms(350), 8), (ms(151), 0)] {
        let mut variation = three_heartbeats(42)?;
        variation.add_fault(partition(0, [1, 2]).at(ms(150)).heal_at(heal_at))?;
        variation.run_until(ms(600))?;
        let dropped = variation.trace().drops().count();
        println!("try it: heal at {heal_at}: {dropped} dropped");
        assert_eq!(dropped, expected, "heal at {heal_at}");
    }
    // The section try-its with the prediction that holds.
    let right = |message: String| message.starts_with("Right");
    assert!(right(check_prediction(Some(580), read_at_500, "")));
    assert!(right(check_prediction(
        Some(false),
        delays_a_to_b(&with_d) != delays_a_to_b(&calm),
        ""
    )));
    assert_eq!(delays_a_to_b(&calm).len(), 4);
    assert!(right(check_prediction(Some(0), dropped_for_down, "")));
    assert!(right(check_prediction(Some(false), tail[0] > 200.0, "")));
    assert_eq!(format!("{:.1}", tail[0]), "106.8");
    assert!(right(check_prediction(Some(2), heard_by[0], "")));
    assert_eq!(heard_by[1], 4);
    Ok(())
}
