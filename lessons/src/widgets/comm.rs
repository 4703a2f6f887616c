//! One comm: a channel to the browser, opened by printing a kernel message line and answered
//! through the kernel's comm bridge.

use std::ffi::c_void;
use std::io::Write;
use std::panic::{AssertUnwindSafe, catch_unwind};

use serde_json::{Value, json};

use crate::display::MESSAGE_PREFIX;
use crate::kernel_bridge::{BRIDGE_ENV_VAR, bridge};

/// The variable in which the lessons kernel names its comm bridge, as `pid:address`.
///
/// # Examples
///
/// ```
/// assert_eq!(lessons::widgets::COMMS_ENV_VAR, "LESSONS_KERNEL_COMMS");
/// ```
pub const COMMS_ENV_VAR: &str = BRIDGE_ENV_VAR;

/// Whether comms reach a browser from here: true in a cell of the lessons kernel.
///
/// # Examples
///
/// ```
/// // Under `cargo test` no kernel is listening.
/// assert!(!lessons::widgets::comms_available());
/// ```
pub fn comms_available() -> bool {
    bridge().is_some()
}

/// A comm opened from the kernel side; messages from the browser go to its handler.
///
/// # Examples
///
/// ```
/// use lessons::widgets::Comm;
///
/// // Without a kernel there is no comm to open.
/// assert!(Comm::open("jupyter.widget", serde_json::json!({}), |_| {}).is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comm {
    id: String,
}

impl Comm {
    /// Opens a comm to `target_name` with `data`; `on_message` gets the `data` of each
    /// `comm_msg` the browser sends. `None` when no kernel bridge is there.
    pub fn open(
        target_name: &str,
        data: Value,
        on_message: impl Fn(&Value) + Send + Sync + 'static,
    ) -> Option<Comm> {
        Comm::open_as(&unique_id(), target_name, data, on_message)
    }

    /// [`Comm::open`] with the id chosen by the caller.
    pub(super) fn open_as(
        id: &str,
        target_name: &str,
        data: Value,
        on_message: impl Fn(&Value) + Send + Sync + 'static,
    ) -> Option<Comm> {
        let bridge = bridge()?;
        let comm = Comm { id: id.to_string() };
        let handler: Box<dyn Fn(&Value) + Send + Sync> = Box::new(on_message);
        // Lives as long as the cell process: the kernel may call it until the comm closes.
        let context = Box::into_raw(Box::new(handler)) as *mut c_void;
        // SAFETY: a valid id; `deliver` matches the context's type and never unwinds.
        unsafe { (bridge.register)(comm.id.as_ptr(), comm.id.len(), deliver, context) };
        let content = json!({"comm_id": comm.id, "target_name": target_name, "data": data});
        emit("comm_open", content, Some(json!({"version": "2.1.0"})));
        Some(comm)
    }

    /// The comm's id (a widget's model id).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Sends `data` to the browser.
    pub fn send(&self, data: Value) {
        emit("comm_msg", json!({"comm_id": self.id, "data": data}), None);
    }
}

/// Calls the handler behind `context` with the event's `data`; a panic in it is printed,
/// never carried across the kernel's frame.
unsafe extern "C" fn deliver(context: *mut c_void, event: *const u8, len: usize) {
    // SAFETY: `Comm::open` registered this context as a boxed handler it never frees, and
    // the bridge passes the bytes of the event it read.
    let handler = unsafe { &*(context as *const Box<dyn Fn(&Value) + Send + Sync>) };
    let event = unsafe { std::slice::from_raw_parts(event, len) };
    let Ok(event) = serde_json::from_slice::<Value>(event) else {
        return;
    };
    if event["msg_type"] != "comm_msg" {
        return;
    }
    if catch_unwind(AssertUnwindSafe(|| handler(&event["data"]))).is_err() {
        eprintln!("a widget's handler panicked; the widget keeps its last output");
    }
}

fn emit(msg_type: &str, content: Value, metadata: Option<Value>) {
    let mut message = json!({"msg_type": msg_type, "content": content});
    if let Some(metadata) = metadata {
        message["metadata"] = metadata;
    }
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{MESSAGE_PREFIX} {message}");
    let _ = stdout.flush();
}

/// An id unique in the notebook: every cell has its own copy of this crate's statics, so
/// the process id and the time keep ids of different cells apart.
pub(super) fn unique_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_nanos())
        .unwrap_or_default();
    let count = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("lessons-{}-{nanos:x}-{count}", std::process::id())
}
