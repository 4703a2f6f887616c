//! Comm messages from the frontend into the cell process, where widgets and their compiled
//! callbacks live.
//!
//! Cell code sends comm messages out the way it sends displays: a `LESSONS_KERNEL_MESSAGE`
//! line on stdout. The way in is a pipe of its own, the *events pipe*: the kernel writes each
//! `comm_msg` or `comm_close` addressed to a comm that cell code opened, and a thread in the
//! cell process hands it to the handler registered for that comm, then prints a
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
/// (version 2 added `stop_flag`).
pub const ABI_VERSION: u32 = 2;

/// Called with a comm event as UTF-8 JSON: `{"msg_type": "comm_msg" | "comm_close",
/// "comm_id": ..., "data": {...}, "msg_id": ...}`. It runs on the events thread; it must not
/// unwind.
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
}

static ABI: CommAbi = CommAbi {
    version: ABI_VERSION,
    register: register_handler,
    unregister: unregister_handler,
    stop_flag,
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

fn handlers() -> &'static Mutex<HashMap<String, Registered>> {
    static HANDLERS: OnceLock<Mutex<HashMap<String, Registered>>> = OnceLock::new();
    HANDLERS.get_or_init(Mutex::default)
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
    let id = unsafe { std::slice::from_raw_parts(comm_id, comm_id_len) };
    let id = String::from_utf8_lossy(id).into_owned();
    let registered = Registered {
        handler,
        context: context as usize,
    };
    if let Ok(mut table) = handlers().lock() {
        table.insert(id, registered);
    }
}

/// # Safety
/// `comm_id` points at `comm_id_len` bytes.
unsafe extern "C" fn unregister_handler(comm_id: *const u8, comm_id_len: usize) {
    // SAFETY: the caller passes a valid byte range.
    let id = unsafe { std::slice::from_raw_parts(comm_id, comm_id_len) };
    if let Ok(mut table) = handlers().lock() {
        table.remove(String::from_utf8_lossy(id).as_ref());
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
        let registered = handlers()
            .lock()
            .ok()
            .and_then(|table| table.get(&head.comm_id).copied());
        if let Some(Registered { handler, context }) = registered {
            // SAFETY: the library registered this handler and context for this comm and
            // promised that the handler does not unwind.
            unsafe { handler(context as *mut c_void, event.as_ptr(), event.len()) };
        }
        if head.msg_type == "comm_close"
            && let Ok(mut table) = handlers().lock()
        {
            table.remove(&head.comm_id);
        }
        let done = json!({"msg_type": "comm_handled", "content": {"msg_id": head.msg_id}});
        let mut stdout = std::io::stdout().lock();
        let _ = stdout.flush();
        let _ = stdout.write_all(MESSAGE_PREFIX);
        let _ = writeln!(stdout, "{done}");
        let _ = stdout.flush();
    }
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
