//! Logical clocks: ordering events without trusting physical time.
//!
//! Machines' clocks drift and jump, so "which happened first?" cannot be answered by comparing
//! wall-clock readings taken on different machines. Lamport's answer is to order events by what
//! could have influenced what. Event `a` *happened before* event `b` (written `a → b`) when
//!
//! 1. `a` and `b` are on the same process and `a` comes first, or
//! 2. `a` is the sending of a message and `b` is its receipt, or
//! 3. there is an event `c` with `a → c` and `c → b`.
//!
//! Two events where neither happened before the other are *concurrent*: no message chain links
//! them, so neither could have influenced the other.
//!
//! A logical clock gives every event a number that respects this order. [`LamportClock`] is the
//! simplest: one counter per process, which guarantees `a → b ⇒ L(a) < L(b)`. The converse does
//! not hold: `L(a) < L(b)` does not tell you that `a` happened before `b`, because concurrent
//! events get numbers too, and those numbers can come in either order.
//!
//! # References
//!
//! * Leslie Lamport, "Time, Clocks, and the Ordering of Events in a Distributed System",
//!   Communications of the ACM 21(7), 1978: section 2 (the partial order) and section 3
//!   (the clock condition and implementation rules IR1 and IR2).
//!
//! # Examples
//!
//! ```
//! use lessons::clocks::LamportClock;
//!
//! let mut a = LamportClock::new();
//! let mut b = LamportClock::new();
//! let sent = a.send();
//! let received = b.receive(sent);
//! assert!(sent < received);
//! ```

mod lamport;

pub use lamport::LamportClock;
