//! The lessons kernel's bridge into the cell process: a small C ABI whose address the kernel
//! puts in `LESSONS_KERNEL_COMMS` as `pid:address`. Every notebook cell is its own crate with
//! its own copy of this crate's statics, so anything that must be one per process (the table
//! of comm handlers, the interrupt's stop flag) lives in the kernel's binary, reached here.

use std::ffi::c_void;
use std::sync::atomic::AtomicBool;

use crate::display::kernel_protocol_active;

/// The variable in which the kernel names its bridge.
pub(crate) const BRIDGE_ENV_VAR: &str = "LESSONS_KERNEL_COMMS";

/// Called with one comm event as UTF-8 JSON; must not unwind.
pub(crate) type Handler = unsafe extern "C" fn(context: *mut c_void, event: *const u8, len: usize);

/// The kernel's `comm_bridge::CommAbi`, field for field.
#[repr(C)]
pub(crate) struct Bridge {
    pub version: u32,
    pub register: unsafe extern "C" fn(*const u8, usize, Handler, *mut c_void),
    pub unregister: unsafe extern "C" fn(*const u8, usize),
    /// Only from version 2 on.
    pub stop_flag: extern "C" fn() -> *const AtomicBool,
    /// Only from version 3 on.
    pub register_target: unsafe extern "C" fn(*const u8, usize, Handler, *mut c_void),
}

/// The kernel's bridge, when this process is a cell process of the lessons kernel.
pub(crate) fn bridge() -> Option<&'static Bridge> {
    if !kernel_protocol_active() {
        return None;
    }
    let named = std::env::var(BRIDGE_ENV_VAR).ok()?;
    let (pid, address) = named.split_once(':')?;
    // A process started by a cell inherits the variable, not the address space.
    if pid.parse::<u32>().ok()? != std::process::id() {
        return None;
    }
    let address = address.parse::<usize>().ok()?;
    // SAFETY: the kernel wrote this process's own address of its static `CommAbi` (the same
    // layout as `Bridge`) into the variable before any cell ran; the pid check rules out an
    // inherited value, and `version` is read before any field a version lacks.
    let bridge = unsafe { &*(address as *const Bridge) };
    (bridge.version >= 1).then_some(bridge)
}
