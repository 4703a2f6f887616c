//! A discrete-event scheduler: what happens next, and when.
//!
//! A discrete-event simulation never waits. It keeps a queue of future events, each with the
//! virtual time it is due, takes the earliest, jumps the clock to that time, and handles it;
//! handling may schedule more events. Nothing happens between two events, so a simulated hour of
//! a quiet system costs a handful of steps.
//!
//! Two events due at the same nanosecond are taken in the order they were scheduled. That tie
//! rule is what makes a run repeatable: the queue is ordered by `(time, insertion number)`, a
//! total order with no room for chance.
//!
//! Time never goes backwards. An event scheduled for a moment already past is due *now*, and
//! [`Scheduler::now`] only ever grows.
//!
//! # Examples
//!
//! ```
//! use lessons::sim::{Scheduler, ms};
//!
//! let mut scheduler = Scheduler::new();
//! scheduler.schedule(ms(20), "second");
//! scheduler.schedule(ms(10), "first");
//! scheduler.schedule(ms(20), "third: same time as second, scheduled later");
//! let order: Vec<&str> = std::iter::from_fn(|| scheduler.pop().map(|(_, event)| event)).collect();
//! assert_eq!(order, ["first", "second", "third: same time as second, scheduled later"]);
//! assert_eq!(scheduler.now(), ms(20));
//! ```

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::time::Time;

/// A queue of events of type `E`, taken in order of `(time, insertion order)`.
///
/// # Examples
///
/// ```
/// use lessons::sim::{Scheduler, ms};
///
/// let mut scheduler = Scheduler::new();
/// scheduler.schedule_after(ms(5), 'a');
/// assert_eq!(scheduler.pop(), Some((ms(5), 'a')));
/// assert_eq!(scheduler.pop(), None);
/// ```
#[derive(Debug, Clone)]
pub struct Scheduler<E> {
    queue: BinaryHeap<Entry<E>>,
    next_number: u64,
    now: Time,
}

#[derive(Debug, Clone)]
struct Entry<E> {
    time: Time,
    number: u64,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        (self.time, self.number) == (other.time, other.number)
    }
}

impl<E> Eq for Entry<E> {}

impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Reversed, because `BinaryHeap` pops the largest entry and we want the earliest.
impl<E> Ord for Entry<E> {
    fn cmp(&self, other: &Self) -> Ordering {
        (other.time, other.number).cmp(&(self.time, self.number))
    }
}

impl<E> Default for Scheduler<E> {
    fn default() -> Self {
        Scheduler {
            queue: BinaryHeap::new(),
            next_number: 0,
            now: Time::ZERO,
        }
    }
}

impl<E> Scheduler<E> {
    /// An empty scheduler at time zero.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{Scheduler, Time};
    ///
    /// let scheduler: Scheduler<()> = Scheduler::new();
    /// assert_eq!(scheduler.now(), Time::ZERO);
    /// assert!(scheduler.is_empty());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// The time of the event taken last (or set by [`advance_to`](Self::advance_to)).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{Scheduler, ms};
    ///
    /// let mut scheduler = Scheduler::new();
    /// scheduler.schedule(ms(3), ());
    /// scheduler.pop();
    /// assert_eq!(scheduler.now(), ms(3));
    /// ```
    pub fn now(&self) -> Time {
        self.now
    }

    /// Adds `event`, due at `at`; a time already past means now.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{Scheduler, ms};
    ///
    /// let mut scheduler = Scheduler::new();
    /// scheduler.schedule(ms(10), "late");
    /// scheduler.pop();
    /// scheduler.schedule(ms(2), "in the past: due now");
    /// assert_eq!(scheduler.pop(), Some((ms(10), "in the past: due now")));
    /// ```
    pub fn schedule(&mut self, at: Time, event: E) {
        let entry = Entry {
            time: at.max(self.now),
            number: self.next_number,
            event,
        };
        self.next_number += 1;
        self.queue.push(entry);
    }

    /// Adds `event`, due `delay` after now; a negative delay means now.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{Scheduler, ms};
    ///
    /// let mut scheduler = Scheduler::new();
    /// scheduler.schedule_after(ms(-5), "now");
    /// assert_eq!(scheduler.pop(), Some((ms(0), "now")));
    /// ```
    pub fn schedule_after(&mut self, delay: Time, event: E) {
        self.schedule(self.now + delay, event);
    }

    /// The time of the next event, without taking it.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{Scheduler, ms};
    ///
    /// let mut scheduler = Scheduler::new();
    /// assert_eq!(scheduler.next_time(), None);
    /// scheduler.schedule(ms(8), ());
    /// assert_eq!(scheduler.next_time(), Some(ms(8)));
    /// ```
    pub fn next_time(&self) -> Option<Time> {
        self.queue.peek().map(|entry| entry.time.max(self.now))
    }

    /// Takes the next event and moves the clock to its time.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{Scheduler, ms};
    ///
    /// let mut scheduler = Scheduler::new();
    /// scheduler.schedule(ms(1), "tick");
    /// assert_eq!(scheduler.pop(), Some((ms(1), "tick")));
    /// ```
    pub fn pop(&mut self) -> Option<(Time, E)> {
        let entry = self.queue.pop()?;
        self.now = self.now.max(entry.time);
        Some((self.now, entry.event))
    }

    /// Takes the next event only if it is due at or before `limit`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{Scheduler, ms};
    ///
    /// let mut scheduler = Scheduler::new();
    /// scheduler.schedule(ms(50), "later");
    /// assert_eq!(scheduler.pop_until(ms(10)), None);
    /// assert_eq!(scheduler.pop_until(ms(50)), Some((ms(50), "later")));
    /// ```
    pub fn pop_until(&mut self, limit: Time) -> Option<(Time, E)> {
        if self.next_time()? > limit {
            return None;
        }
        self.pop()
    }

    /// Moves the clock forward to `time` without taking events; earlier times change nothing.
    ///
    /// Events due before `time` stay queued, in their order, and become due at once.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{Scheduler, ms};
    ///
    /// let mut scheduler: Scheduler<()> = Scheduler::new();
    /// scheduler.advance_to(ms(100));
    /// scheduler.advance_to(ms(40));
    /// assert_eq!(scheduler.now(), ms(100));
    /// ```
    pub fn advance_to(&mut self, time: Time) {
        self.now = self.now.max(time);
    }

    /// How many events are waiting.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::sim::{Scheduler, ms};
    ///
    /// let mut scheduler = Scheduler::new();
    /// scheduler.schedule(ms(1), ());
    /// scheduler.schedule(ms(1), ());
    /// assert_eq!(scheduler.len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        self.queue.len()
    }

    /// Whether no event is waiting.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(lessons::sim::Scheduler::<u8>::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }
}
