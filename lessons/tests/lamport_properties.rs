//! Laws of the Lamport clock, checked for arbitrary sequences of events.

use lessons::clocks::LamportClock;
use proptest::prelude::*;

/// One event on a process: local work, sending, or receiving a message with this timestamp.
#[derive(Debug, Clone)]
enum Event {
    Tick,
    Send,
    Receive(u64),
}

/// Timestamps stay far below `u64::MAX`, where the clock saturates and the laws stop.
fn event() -> impl Strategy<Value = Event> {
    prop_oneof![
        Just(Event::Tick),
        Just(Event::Send),
        (0..u64::MAX / 2).prop_map(Event::Receive),
        (0u64..64).prop_map(Event::Receive),
    ]
}

fn apply(clock: &mut LamportClock, event: &Event) -> u64 {
    match *event {
        Event::Tick => clock.tick(),
        Event::Send => clock.send(),
        Event::Receive(message_time) => clock.receive(message_time),
    }
}

proptest! {
    #[test]
    fn receive_is_later_than_both_the_local_time_and_the_message(
        history in prop::collection::vec(event(), 0..32),
        message_time in 0..u64::MAX / 2,
    ) {
        let mut clock = LamportClock::new();
        for event in &history {
            apply(&mut clock, event);
        }
        let before = clock.time();
        let after = clock.receive(message_time);
        prop_assert!(after > before);
        prop_assert!(after > message_time);
        prop_assert_eq!(after, before.max(message_time) + 1);
        prop_assert_eq!(clock.time(), after);
    }

    #[test]
    fn times_strictly_increase_along_one_process(
        events in prop::collection::vec(event(), 1..64),
    ) {
        let mut clock = LamportClock::new();
        let mut previous = clock.time();
        for event in &events {
            let now = apply(&mut clock, event);
            prop_assert!(now > previous, "{:?} moved the clock from {} to {}", event, previous, now);
            prop_assert_eq!(clock.time(), now);
            previous = now;
        }
    }

    #[test]
    fn a_message_chain_orders_its_send_and_receive(
        sender_history in prop::collection::vec(event(), 0..16),
        receiver_history in prop::collection::vec(event(), 0..16),
    ) {
        let mut sender = LamportClock::new();
        let mut receiver = LamportClock::new();
        for event in &sender_history {
            apply(&mut sender, event);
        }
        for event in &receiver_history {
            apply(&mut receiver, event);
        }
        let sent = sender.send();
        let received = receiver.receive(sent);
        prop_assert!(sent < received);
    }
}
