//! Comm messages from the frontend into the cell process, where widgets and their compiled
//! callbacks live.
//!
//! Cell code sends comm messages out the way it sends displays: a `LESSONS_KERNEL_MESSAGE`
//! line on stdout. The way in is a pipe of its own, the *events pipe*: the kernel writes each
//! `comm_msg` or `comm_close` addressed to an open comm, and each `comm_open` from the
//! frontend; a thread in the cell process hands it to the handler registered for that comm (or,
//! for an open, for its target; with none, it closes the comm again), then prints a
//! `comm_handled` line so that the kernel knows the handler's output is all out.
//!
//! Every cell is its own crate with its own copy of its dependencies' statics, so a handler
//! table inside a library would be a different table in every cell. The table lives here, in
//! the binary that runs the cell process, and cell code reaches it through a small C ABI
//! ([`CommAbi`]) whose address is in the `LESSONS_KERNEL_COMMS` variable as `pid:address`
//! (a process started by a cell inherits the variable but not the address space, hence the
//! pid). Without our kernel the variable is absent and libraries fall back to static output.
//!
//! The same pipe carries interrupts: an `interrupt` event sets the *stop flag*, which the ABI
//! hands out, so that long loops in library code (the `lessons` simulator, its explorer) can
//! stop cooperatively and the cell process, with every variable, survives the interrupt. The
//! flag is cleared when the cell ends.

use std::collections::HashMap;
use std::ffi::c_void;
use std::fs::File;
use std::io::{ErrorKind, Read, Write};
use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};

use serde::Deserialize;
use serde_json::json;

use crate::execution::runtime_child::MESSAGE_PREFIX;

/// Names the inherited file descriptor of the events pipe's reading end.
pub const EVENTS_FD_VAR: &str = "LESSONS_KERNEL_EVENTS_FD";
/// Holds `pid:address` of this process's [`CommAbi`].
pub const ABI_VAR: &str = "LESSONS_KERNEL_COMMS";
/// The version of [`CommAbi`] this kernel offers; a library checks it before any call
/// (version 2 added `stop_flag`, version 3 `register_target`).
pub const ABI_VERSION: u32 = 3;

/// Called with a comm event as UTF-8 JSON: `{"msg_type": "comm_open" | "comm_msg" |
/// "comm_close", "comm_id": ..., "data": {...}, "msg_id": ...}`, with `"target_name"` for an
/// open and `"buffers"` (arrays of byte values) when the message has any. It runs on the events
/// thread; it must not unwind.
pub type CommHandler = unsafe extern "C" fn(context: *mut c_void, event: *const u8, len: usize);

/// What cell code may call: register a handler for a comm it opened, or remove it.
#[repr(C)]
pub struct CommAbi {
    pub version: u32,
    pub register: unsafe extern "C" fn(
        comm_id: *const u8,
        comm_id_len: usize,
        handler: CommHandler,
        context: *mut c_void,
    ),
    pub unregister: unsafe extern "C" fn(comm_id: *const u8, comm_id_len: usize),
    /// The stop flag: set by an interrupt while a cell runs, cleared when the cell ends.
    pub stop_flag: extern "C" fn() -> *const AtomicBool,
    /// Registers the handler of the comms the frontend opens to a target (replacing an
    /// earlier one): it gets each such `comm_open`.
    pub register_target: unsafe extern "C" fn(
        target_name: *const u8,
        target_name_len: usize,
        handler: CommHandler,
        context: *mut c_void,
    ),
}

static ABI: CommAbi = CommAbi {
    version: ABI_VERSION,
    register: register_handler,
    unregister: unregister_handler,
    stop_flag,
    register_target,
};

/// Set when the kernel asks the running cell to stop.
static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn stop_flag() -> *const AtomicBool {
    &STOP
}

/// The cell is over: an interrupt that arrived for it must not stop the next one.
pub fn cell_ended() {
    STOP.store(false, Ordering::SeqCst);
}

/// A handler and the context it was registered with (owned by the library that registered it).
#[derive(Clone, Copy)]
struct Registered {
    handler: CommHandler,
    context: usize,
}

/// Handlers by comm id.
fn handlers() -> &'static Mutex<HashMap<String, Registered>> {
    static HANDLERS: OnceLock<Mutex<HashMap<String, Registered>>> = OnceLock::new();
    HANDLERS.get_or_init(Mutex::default)
}

/// Handlers of frontend-opened comms, by target name.
fn targets() -> &'static Mutex<HashMap<String, Registered>> {
    static TARGETS: OnceLock<Mutex<HashMap<String, Registered>>> = OnceLock::new();
    TARGETS.get_or_init(Mutex::default)
}

/// # Safety
/// `bytes` points at `len` readable bytes.
unsafe fn text(bytes: *const u8, len: usize) -> String {
    // SAFETY: the caller's contract.
    let bytes = unsafe { std::slice::from_raw_parts(bytes, len) };
    String::from_utf8_lossy(bytes).into_owned()
}

/// # Safety
/// `comm_id` points at `comm_id_len` bytes of UTF-8; `handler` may be called with `context`
/// from another thread until it is unregistered.
unsafe extern "C" fn register_handler(
    comm_id: *const u8,
    comm_id_len: usize,
    handler: CommHandler,
    context: *mut c_void,
) {
    // SAFETY: the caller passes a valid byte range.
    let id = unsafe { text(comm_id, comm_id_len) };
    let registered = Registered {
        handler,
        context: context as usize,
    };
    if let Ok(mut table) = handlers().lock() {
        table.insert(id, registered);
    }
}

/// # Safety
/// `target_name` points at `target_name_len` bytes of UTF-8; `handler` may be called with
/// `context` from another thread for as long as the process lives.
unsafe extern "C" fn register_target(
    target_name: *const u8,
    target_name_len: usize,
    handler: CommHandler,
    context: *mut c_void,
) {
    // SAFETY: the caller passes a valid byte range.
    let name = unsafe { text(target_name, target_name_len) };
    let registered = Registered {
        handler,
        context: context as usize,
    };
    if let Ok(mut table) = targets().lock() {
        table.insert(name, registered);
    }
}

/// # Safety
/// `comm_id` points at `comm_id_len` bytes.
unsafe extern "C" fn unregister_handler(comm_id: *const u8, comm_id_len: usize) {
    // SAFETY: the caller passes a valid byte range.
    let id = unsafe { text(comm_id, comm_id_len) };
    if let Ok(mut table) = handlers().lock() {
        table.remove(&id);
    }
}

/// The part of an event the dispatcher needs.
#[derive(Deserialize)]
struct EventHead {
    #[serde(default)]
    comm_id: String,
    #[serde(default)]
    msg_id: String,
    msg_type: String,
    #[serde(default)]
    target_name: String,
}

/// In the cell process: publishes the ABI's address and starts the events thread, when the
/// kernel handed us an events pipe. Call while the process has one thread.
pub fn start_if_given() {
    let Some(fd) = std::env::var(EVENTS_FD_VAR)
        .ok()
        .and_then(|text| text.parse::<i32>().ok())
    else {
        return;
    };
    // SAFETY: the kernel created this pipe end without close-on-exec and named it in
    // EVENTS_FD_VAR for exactly this process; nothing else in this process owns it.
    let events = File::from(unsafe { OwnedFd::from_raw_fd(fd) });
    // Processes a cell starts must not hold the events pipe open.
    let _ = rustix::io::fcntl_setfd(&events, rustix::io::FdFlags::CLOEXEC);
    let address = &ABI as *const CommAbi as usize;
    // SAFETY: no other thread exists yet (the caller's contract).
    unsafe { std::env::set_var(ABI_VAR, format!("{}:{address}", std::process::id())) };
    let started = std::thread::Builder::new()
        .name("comm-events".into())
        .spawn(move || dispatch_events(events));
    if let Err(error) = started {
        eprintln!("lessons-kernel: widgets will not respond: {error}");
    }
}

fn dispatch_events(mut events: File) {
    loop {
        let mut length = [0u8; 4];
        if read_exactly(&mut events, &mut length).is_err() {
            return;
        }
        let mut event = vec![0u8; u32::from_le_bytes(length) as usize];
        if read_exactly(&mut events, &mut event).is_err() {
            return;
        }
        let Ok(head) = serde_json::from_slice::<EventHead>(&event) else {
            continue;
        };
        if head.msg_type == "interrupt" {
            STOP.store(true, Ordering::SeqCst);
            continue;
        }
        let registered = if head.msg_type == "comm_open" {
            targets()
                .lock()
                .ok()
                .and_then(|table| table.get(&head.target_name).copied())
        } else {
            handlers()
                .lock()
                .ok()
                .and_then(|table| table.get(&head.comm_id).copied())
        };
        match registered {
            // SAFETY: the library registered this handler and context for this comm (or its
            // target) and promised that the handler does not unwind.
            Some(Registered { handler, context }) => unsafe {
                handler(context as *mut c_void, event.as_ptr(), event.len())
            },
            None if head.msg_type == "comm_open" => {
                let close = json!({"comm_id": head.comm_id, "data": {}});
                print_message(&json!({"msg_type": "comm_close", "content": close}));
            }
            None => {}
        }
        if head.msg_type == "comm_close"
            && let Ok(mut table) = handlers().lock()
        {
            table.remove(&head.comm_id);
        }
        print_message(&json!({"msg_type": "comm_handled", "content": {"msg_id": head.msg_id}}));
    }
}

/// Prints a kernel message line, after whatever the handler printed.
fn print_message(message: &serde_json::Value) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.flush();
    let _ = stdout.write_all(MESSAGE_PREFIX);
    let _ = writeln!(stdout, "{message}");
    let _ = stdout.flush();
}

fn read_exactly(file: &mut File, buffer: &mut [u8]) -> std::io::Result<()> {
    let mut filled = 0;
    while filled < buffer.len() {
        match file.read(&mut buffer[filled..]) {
            Ok(0) => return Err(ErrorKind::UnexpectedEof.into()),
            Ok(read) => filled += read,
            Err(error) if error.kind() == ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    Ok(())
}

/// The kernel's end of the events pipe.
pub struct EventsPipe {
    writer: Mutex<File>,
    /// Kept open (and inheritable) for as long as the kernel may start user-code processes.
    reader: OwnedFd,
}

impl EventsPipe {
    pub fn create() -> std::io::Result<EventsPipe> {
        let (reader, writer) = rustix::pipe::pipe()?;
        rustix::io::fcntl_setfd(&writer, rustix::io::FdFlags::CLOEXEC)?;
        // A cell process that stopped reading must not stall the kernel: a full pipe drops.
        rustix::fs::fcntl_setfl(&writer, rustix::fs::OFlags::NONBLOCK)?;
        Ok(EventsPipe {
            writer: Mutex::new(File::from(writer)),
            reader,
        })
    }

    /// The environment variable that hands the reading end to the user-code process.
    pub fn child_environment(&self) -> (String, String) {
        (
            EVENTS_FD_VAR.to_string(),
            self.reader.as_fd().as_raw_fd().to_string(),
        )
    }

    /// Sends one event; false when the cell process is not reading (the pipe is full).
    pub fn send(&self, event: &serde_json::Value) -> bool {
        let body = event.to_string().into_bytes();
        let Ok(length) = u32::try_from(body.len()) else {
            return false;
        };
        let mut frame = length.to_le_bytes().to_vec();
        frame.extend(body);
        let Ok(mut writer) = self.writer.lock() else {
            return false;
        };
        match writer.write_all(&frame) {
            Ok(()) => true,
            Err(error) => {
                log::warn!("comm event not delivered to the cell process: {error}");
                false
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    static CALLS: AtomicUsize = AtomicUsize::new(0);

    unsafe extern "C" fn count(context: *mut c_void, event: *const u8, len: usize) {
        // SAFETY: the dispatcher passes the event it read.
        let event = unsafe { std::slice::from_raw_parts(event, len) };
        assert!(
            std::str::from_utf8(event)
                .unwrap()
                .contains("comm-under-test")
        );
        CALLS.fetch_add(context as usize, Ordering::SeqCst);
    }

    #[test]
    fn events_reach_the_handler_registered_for_their_comm() {
        let pipe = EventsPipe::create().unwrap();
        let reader = File::from(pipe.reader.try_clone().unwrap());
        let id = "comm-under-test";
        // SAFETY: a valid id and a handler that does not unwind.
        unsafe { (ABI.register)(id.as_ptr(), id.len(), count, 5 as *mut c_void) };
        let event = json!({"msg_type": "comm_msg", "comm_id": id, "msg_id": "m1", "data": {}});
        let other = json!({"msg_type": "comm_msg", "comm_id": "other", "msg_id": "m2"});
        assert!(pipe.send(&event));
        assert!(pipe.send(&other));
        assert!(pipe.send(&json!({"msg_type": "comm_close", "comm_id": id, "msg_id": "m3"})));
        assert!(pipe.send(&event));
        drop(pipe);
        dispatch_events(reader);
        // Delivered once before the close (5), once with the close (5), not after it.
        assert_eq!(CALLS.load(Ordering::SeqCst), 10);
        assert!(!handlers().lock().unwrap().contains_key(id));
    }

    static OPENED: AtomicUsize = AtomicUsize::new(0);

    unsafe extern "C" fn count_opens(_: *mut c_void, event: *const u8, len: usize) {
        // SAFETY: the dispatcher passes the event it read.
        let event = unsafe { std::slice::from_raw_parts(event, len) };
        let event: serde_json::Value = serde_json::from_slice(event).unwrap();
        assert_eq!(event["target_name"], "target-under-test");
        assert_eq!(event["buffers"], json!([[7, 8]]));
        OPENED.fetch_add(1, Ordering::SeqCst);
    }

    #[test]
    fn a_frontend_open_reaches_the_handler_of_its_target() {
        let pipe = EventsPipe::create().unwrap();
        let reader = File::from(pipe.reader.try_clone().unwrap());
        let name = "target-under-test";
        // SAFETY: a valid name and a handler that does not unwind.
        unsafe {
            (ABI.register_target)(name.as_ptr(), name.len(), count_opens, std::ptr::null_mut())
        };
        let open = json!({"msg_type": "comm_open", "comm_id": "c1", "target_name": name,
            "msg_id": "m1", "data": {}, "buffers": [[7, 8]]});
        assert!(pipe.send(&open));
        // No handler for this target: the dispatcher closes the comm instead.
        let unknown = json!({"msg_type": "comm_open", "comm_id": "c2", "target_name": "nobody",
            "msg_id": "m2", "data": {}});
        assert!(pipe.send(&unknown));
        drop(pipe);
        dispatch_events(reader);
        assert_eq!(OPENED.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn an_interrupt_sets_the_stop_flag_until_the_cell_ends() {
        let pipe = EventsPipe::create().unwrap();
        let reader = File::from(pipe.reader.try_clone().unwrap());
        assert!(pipe.send(&json!({"msg_type": "interrupt"})));
        drop(pipe);
        dispatch_events(reader);
        // SAFETY: the flag is a static.
        let flag = unsafe { &*(ABI.stop_flag)() };
        assert!(flag.load(Ordering::SeqCst));
        cell_ended();
        assert!(!flag.load(Ordering::SeqCst));
    }
}
