//! The Rust code of `notebooks/00-kernel-tour.ipynb`, cell by cell, as one program.
//!
//! Each `// cell` line starts the code of the next notebook code cell (after the `:dep` cell); a
//! cell whose last line is a bare variable shows that value, which here is spelled
//! `variable.evcxr_display();`. `tests/kernel_tour.rs` checks that the two stay identical, runs
//! this program, and the assertions at the end pin the numbers the notebook's prose quotes.
//!
//! Run it with `cargo run -p lessons --example kernel_tour`.

use std::error::Error;

pub fn main() -> Result<(), Box<dyn Error>> {
    // cell
    use lessons::clocks::LamportClock;
    use lessons::display::{RichDisplay, show_with_id};
    use lessons::table::Table;
    use lessons::try_it::check_prediction;
    use lessons::viz::Figure;

    // cell
    const NAMES: [&str; 3] = ["A", "B", "C"];
    let mut clocks = [
        LamportClock::new(),
        LamportClock::new(),
        LamportClock::new(),
    ];
    // history[p] holds the Lamport time of each event on process p, in order.
    let mut history: Vec<Vec<u64>> = vec![Vec::new(), Vec::new(), Vec::new()];
    // Each message as (the timestamp it carries, the Lamport time of its receipt).
    let mut messages: Vec<(u64, u64)> = Vec::new();

    history[0].push(clocks[0].tick()); // A: a local event
    let m1 = clocks[0].send(); // A sends m1 to B
    history[0].push(m1);
    for _ in 0..3 {
        history[1].push(clocks[1].tick()); // B: three local events
    }
    let r1 = clocks[1].receive(m1); // B receives m1
    history[1].push(r1);
    messages.push((m1, r1));
    let m2 = clocks[1].send(); // B sends m2 to C
    history[1].push(m2);

    // cell
    history[2].push(clocks[2].tick()); // C: a local event
    let r2 = clocks[2].receive(m2); // C receives m2
    history[2].push(r2);
    messages.push((m2, r2));
    let m3 = clocks[2].send(); // C sends m3 to A
    history[2].push(m3);
    let r3 = clocks[0].receive(m3); // A receives m3
    history[0].push(r3);
    messages.push((m3, r3));

    for (name, clock) in NAMES.iter().zip(&clocks) {
        println!("{name}: Lamport time {}", clock.time());
    }

    // cell
    let mut final_times = Table::new(["process", "Lamport time", "events"]);
    for ((name, clock), events) in NAMES.iter().zip(&clocks).zip(&history) {
        final_times.push_row([
            name.to_string(),
            clock.time().to_string(),
            events.len().to_string(),
        ])?;
    }
    final_times.evcxr_display();

    // cell
    let mut by_event = Figure::new("Lamport time at each event")
        .x_label("event number on the process")
        .y_label("Lamport time");
    for (name, times) in NAMES.iter().zip(&history) {
        let points = times
            .iter()
            .enumerate()
            .map(|(n, &time)| ((n + 1) as f64, time as f64));
        by_event = by_event.line(*name, points);
    }
    by_event.show();

    let latest = clocks.iter().map(|clock| clock.time()).max().unwrap_or(0) as f64;
    let by_message = Figure::new("Every message is received later than it was sent")
        .x_label("timestamp the message carries")
        .y_label("Lamport time of its receipt")
        .line("receipt = send", [(0.0, 0.0), (latest, latest)])
        .points(
            "messages",
            messages
                .iter()
                .map(|&(sent, received)| (sent as f64, received as f64)),
        );
    by_message.show();

    // cell
    let a_sends_m1 = history[0][1];
    let b_third_event = history[1][2];
    println!("L(A sends m1) = {a_sends_m1}, L(B's third local event) = {b_third_event}");
    println!(
        "B receives m1 only at its fourth event, at time {}.",
        history[1][3]
    );

    // cell
    /// One step of the replay: a local event, or a message that is sent and delivered at once.
    enum Step {
        Local(usize),
        Message { from: usize, to: usize },
    }
    const PAUSE: std::time::Duration = std::time::Duration::from_millis(200);

    let steps = [
        Step::Local(2),
        Step::Local(2),
        Step::Message { from: 0, to: 1 },
        Step::Message { from: 1, to: 2 },
        Step::Message { from: 2, to: 0 },
        Step::Local(1),
        Step::Message { from: 0, to: 1 },
    ];

    // cell
    let mut ring = [
        LamportClock::new(),
        LamportClock::new(),
        LamportClock::new(),
    ];
    let mut log = Table::new(["step", "event", "A", "B", "C"]);
    let view = show_with_id(&log, "ring-replay");
    for (number, step) in steps.iter().enumerate() {
        let event = match *step {
            Step::Local(p) => format!("{} has a local event at {}", NAMES[p], ring[p].tick()),
            Step::Message { from, to } => {
                let stamp = ring[from].send();
                let received = ring[to].receive(stamp);
                format!(
                    "{} sends at {stamp}, {} receives at {received}",
                    NAMES[from], NAMES[to]
                )
            }
        };
        log.push_row([
            (number + 1).to_string(),
            event,
            ring[0].time().to_string(),
            ring[1].time().to_string(),
            ring[2].time().to_string(),
        ])?;
        view.update(&log);
        std::thread::sleep(PAUSE);
    }

    // cell
    let prediction: Option<_> = None; // B's time after the receipt
    let message_time = 9;
    let mut b = LamportClock::new();
    for _ in 0..4 {
        b.tick();
    }
    let after = b.receive(message_time);
    println!(
        "{}",
        check_prediction(
            prediction,
            after,
            format!(
                "B read 4, the message carried {message_time}: receive gives max(4, {message_time}) + 1."
            )
        )
    );

    // end of cells
    assert_eq!(history, [vec![1, 2, 8], vec![1, 2, 3, 4, 5], vec![1, 6, 7]]);
    assert_eq!(messages, [(2, 4), (5, 6), (7, 8)]);
    assert_eq!(
        final_times.to_plain_text(),
        "process  Lamport time  events\n\
         -------  ------------  ------\n\
         A        8             3\n\
         B        5             5\n\
         C        7             3\n"
    );
    assert_eq!((a_sends_m1, b_third_event), (2, 3));
    assert!(by_event.to_svg().is_ok() && by_message.to_svg().is_ok());
    assert_eq!(log.row_count(), steps.len());
    assert_eq!(
        log.rows()[4],
        ["5", "C sends at 5, A receives at 6", "6", "3", "5"]
    );
    assert_eq!(
        ring.iter().map(LamportClock::time).collect::<Vec<_>>(),
        [7, 8, 5]
    );
    // The try-it cell with a prediction set, and the variation its prose suggests.
    assert!(check_prediction(Some(10), after, "").starts_with("Right"));
    let mut b = LamportClock::new();
    for _ in 0..4 {
        b.tick();
    }
    assert_eq!(b.receive(2), 5);
    Ok(())
}
