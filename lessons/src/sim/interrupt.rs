//! Stopping when the learner presses Interrupt.
//!
//! Under the lessons kernel an interrupt first asks the running cell to stop, and only ends
//! the cell's process (losing every variable) if it has not stopped after a short grace
//! period. Long loops of this crate ask [`stop_requested`] as they go: the simulator's run
//! loop returns [`SimError::Interrupted`] saying where it stopped, and the explorer returns
//! what it had explored. Loops of your own can do the same with [`check_interrupt`].
//! Outside the kernel nothing ever asks to stop.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use super::error::SimError;
use crate::kernel_bridge::bridge;

/// The kernel's stop flag, looked up once per cell.
fn stop_flag() -> Option<&'static AtomicBool> {
    static FLAG: OnceLock<Option<usize>> = OnceLock::new();
    let address = *FLAG.get_or_init(|| {
        let bridge = bridge().filter(|bridge| bridge.version >= 2)?;
        Some((bridge.stop_flag)() as usize)
    });
    // SAFETY: the kernel's flag is a static of the process, valid for its whole life.
    address.map(|address| unsafe { &*(address as *const AtomicBool) })
}

/// Whether the learner asked the running cell to stop (always false outside the kernel).
///
/// # Examples
///
/// ```
/// assert!(!lessons::sim::stop_requested());
/// ```
pub fn stop_requested() -> bool {
    stop_flag().is_some_and(|flag| flag.load(Ordering::Relaxed))
}

/// `Err(SimError::Interrupted)` saying `where_` when the learner asked the cell to stop;
/// call it once per iteration of a long loop and pass the error up with `?`.
///
/// # Examples
///
/// ```
/// use lessons::sim::check_interrupt;
///
/// let mut total = 0u64;
/// for seed in 0..1_000 {
///     check_interrupt(|| format!("after {seed} of 1000 seeds"))?;
///     total += seed;
/// }
/// assert_eq!(total, 499_500);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
pub fn check_interrupt(where_: impl FnOnce() -> String) -> Result<(), SimError> {
    if stop_requested() {
        Err(SimError::Interrupted { at: where_() })
    } else {
        Ok(())
    }
}
