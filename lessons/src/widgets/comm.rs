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
        Comm::open_as(&unique_id(), target_name, data, &[], on_message)
    }

    /// [`Comm::open`] with the id chosen by the caller, and binary `buffers` whose places
    /// in `data` its `buffer_paths` give.
    pub(super) fn open_as(
        id: &str,
        target_name: &str,
        data: Value,
        buffers: &[&[u8]],
        on_message: impl Fn(&Value) + Send + Sync + 'static,
    ) -> Option<Comm> {
        let comm = Comm { id: id.to_string() };
        if !comm.on_message(on_message) {
            return None;
        }
        let content = json!({"comm_id": comm.id, "target_name": target_name, "data": data});
        emit(
            "comm_open",
            content,
            Some(json!({"version": "2.1.0"})),
            buffers,
        );
        Some(comm)
    }

    /// Lets the browser open comms to `target_name`: `on_open` gets each new comm and the
    /// `data` it was opened with (give it a handler with [`Comm::on_message`]). A page's open
    /// for a target nobody registered is closed again, as in ipykernel. False without a
    /// kernel bridge that supports it.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::widgets::Comm;
    ///
    /// // Outside the lessons kernel nothing can open a comm to us.
    /// assert!(!Comm::register_target("echo", |comm, _| {
    ///     let reply = comm.clone();
    ///     comm.on_message(move |data| reply.send(data.clone()));
    /// }));
    /// ```
    pub fn register_target(
        target_name: &str,
        on_open: impl Fn(&Comm, &Value) + Send + Sync + 'static,
    ) -> bool {
        let Some(bridge) = bridge().filter(|bridge| bridge.version >= 3) else {
            return false;
        };
        let handler: Box<OpenHandler> = Box::new(on_open);
        // Lives as long as the cell process: the kernel may call it whenever a page opens one.
        let context = Box::into_raw(Box::new(handler)) as *mut c_void;
        // SAFETY: a valid name; `deliver_open` matches the context's type and never unwinds.
        unsafe {
            (bridge.register_target)(
                target_name.as_ptr(),
                target_name.len(),
                deliver_open,
                context,
            )
        };
        true
    }

    /// Sends every message the browser sends on this comm to `on_message` (replacing an
    /// earlier handler); binary buffers arrive in place, as arrays of byte values. False
    /// without a kernel bridge.
    pub fn on_message(&self, on_message: impl Fn(&Value) + Send + Sync + 'static) -> bool {
        let Some(bridge) = bridge() else {
            return false;
        };
        let handler: Box<MessageHandler> = Box::new(on_message);
        // Lives as long as the cell process: the kernel may call it until the comm closes.
        let context = Box::into_raw(Box::new(handler)) as *mut c_void;
        // SAFETY: a valid id; `deliver` matches the context's type and never unwinds.
        unsafe { (bridge.register)(self.id.as_ptr(), self.id.len(), deliver, context) };
        true
    }

    /// The comm's id (a widget's model id).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Sends `data` to the browser.
    pub fn send(&self, data: Value) {
        self.send_with_buffers(data, &[]);
    }

    /// Sends `data` with binary `buffers`; `data["buffer_paths"]` says where each belongs
    /// (the Jupyter widgets protocol's way to carry bytes).
    pub fn send_with_buffers(&self, data: Value, buffers: &[&[u8]]) {
        let content = json!({"comm_id": self.id, "data": data});
        emit("comm_msg", content, None, buffers);
    }

    /// Closes the comm: the browser forgets it and its messages stop.
    pub fn close(&self) {
        if let Some(bridge) = bridge() {
            // SAFETY: a valid id.
            unsafe { (bridge.unregister)(self.id.as_ptr(), self.id.len()) };
        }
        emit(
            "comm_close",
            json!({"comm_id": self.id, "data": {}}),
            None,
            &[],
        );
    }
}

type MessageHandler = dyn Fn(&Value) + Send + Sync;
type OpenHandler = dyn Fn(&Comm, &Value) + Send + Sync;

/// The event's `data`, with its binary buffers put in place (as arrays of byte values): the
/// widgets protocol gives each buffer's path inside `data["state"]`.
fn event_data(event: &Value) -> Value {
    let mut data = event["data"].clone();
    let paths = data["buffer_paths"].as_array().cloned().unwrap_or_default();
    let buffers = event["buffers"].as_array().cloned().unwrap_or_default();
    for (path, bytes) in paths.iter().zip(buffers) {
        if let Some(place) = path
            .as_array()
            .and_then(|path| place_at(&mut data["state"], path))
        {
            *place = bytes;
        }
    }
    data
}

/// The place at `path` (keys and indexes) under `value`, made when the last key is missing.
fn place_at<'a>(value: &'a mut Value, path: &[Value]) -> Option<&'a mut Value> {
    let (last, parents) = path.split_last()?;
    let mut place = value;
    for step in parents {
        place = match step {
            Value::String(key) => place.get_mut(key.as_str())?,
            Value::Number(index) => place.get_mut(usize::try_from(index.as_u64()?).ok()?)?,
            _ => return None,
        };
    }
    match last {
        Value::String(key) => Some(
            place
                .as_object_mut()?
                .entry(key.clone())
                .or_insert(Value::Null),
        ),
        Value::Number(index) => place.get_mut(usize::try_from(index.as_u64()?).ok()?),
        _ => None,
    }
}

/// Reads the event the bridge passes; `None` when it is not JSON.
///
/// # Safety
/// `event` points at `len` readable bytes.
unsafe fn read_event(event: *const u8, len: usize) -> Option<Value> {
    // SAFETY: the caller's contract.
    let event = unsafe { std::slice::from_raw_parts(event, len) };
    serde_json::from_slice(event).ok()
}

/// Calls the handler behind `context` with the event's `data`; a panic in it is printed,
/// never carried across the kernel's frame.
unsafe extern "C" fn deliver(context: *mut c_void, event: *const u8, len: usize) {
    // SAFETY: `Comm::on_message` registered this context as a boxed handler it never frees,
    // and the bridge passes the bytes of the event it read.
    let handler = unsafe { &*(context as *const Box<MessageHandler>) };
    let Some(event) = (unsafe { read_event(event, len) }) else {
        return;
    };
    if event["msg_type"] != "comm_msg" {
        return;
    }
    if catch_unwind(AssertUnwindSafe(|| handler(&event_data(&event)))).is_err() {
        eprintln!("a widget's handler panicked; the widget keeps its last output");
    }
}

/// Calls the target handler behind `context` with a comm the browser opened.
unsafe extern "C" fn deliver_open(context: *mut c_void, event: *const u8, len: usize) {
    // SAFETY: `Comm::register_target` registered this context as a boxed handler it never
    // frees, and the bridge passes the bytes of the event it read.
    let handler = unsafe { &*(context as *const Box<OpenHandler>) };
    let Some(event) = (unsafe { read_event(event, len) }) else {
        return;
    };
    let comm = Comm {
        id: event["comm_id"].as_str().unwrap_or_default().to_string(),
    };
    if catch_unwind(AssertUnwindSafe(|| handler(&comm, &event_data(&event)))).is_err() {
        eprintln!("a comm target's handler panicked");
    }
}

fn emit(msg_type: &str, content: Value, metadata: Option<Value>, buffers: &[&[u8]]) {
    let mut message = json!({"msg_type": msg_type, "content": content});
    if let Some(metadata) = metadata {
        message["metadata"] = metadata;
    }
    if !buffers.is_empty() {
        message["buffers"] = json!(buffers);
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
