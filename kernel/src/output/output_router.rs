//! Where a running cell's output goes: stream, display and clear messages on iopub, parented
//! to the request that is running, published the moment they arrive.

use std::sync::Arc;

use std::time::Instant;

use bytes::Bytes;

use jupyter_protocol::{
    DisplayData, JupyterMessage, JupyterMessageContent, Stdio, StreamContent, Transient,
    UpdateDisplayData,
};
use parking_lot::Mutex;
use serde::Deserialize;

use crate::output::open_comms::OpenComms;
use crate::output::output_frames::Frame;
use crate::output::panic_location::GeneratedLine;
use crate::output::widget_states::WIDGET_TARGET;
use crate::protocol::iopub::Iopub;
use crate::protocol::session::Session;

/// What the kernel learnt about a cell from its output, once the cell is over.
#[derive(Debug, Default)]
pub struct CellReport {
    /// The panic message and location, when the cell panicked.
    pub panic: Option<PanicReport>,
    /// The last line the cell wrote to stderr (where evcxr prints an error a cell's `?`
    /// returned).
    pub last_stderr_line: Option<String>,
}

/// A panic in a cell, as the panic hook printed it on stderr.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PanicReport {
    pub message: String,
    pub location: String,
    /// The panicking line of evcxr's generated crate, when the panic happened there.
    pub generated_line: Option<GeneratedLine>,
}

/// Routes the output of the user-code process to iopub.
pub struct OutputRouter {
    session: Arc<Session>,
    iopub: Iopub,
    cell: Mutex<CellState>,
    comms: Arc<OpenComms>,
}

#[derive(Default)]
struct CellState {
    /// The request whose output this is; output after a cell ends goes to the last one.
    parent: Option<JupyterMessage>,
    silent: bool,
    panicked: bool,
    stderr_text: String,
    stdout_bytes: Utf8Joiner,
    stderr_bytes: Utf8Joiner,
    /// Stream text not yet published: bursts of small writes leave as one message.
    pending: Option<(Stdio, String)>,
    /// Dependencies compiled while this cell waited, and since when.
    compiled: Vec<String>,
    build_started: Option<Instant>,
}

/// The stderr text we keep per cell to read a panic message from.
const STDERR_KEPT: usize = 64 * 1024;

/// The display id of a cell's build progress starts with this (the rest is the request's id),
/// so that exports can leave these machine-specific lines out.
pub const BUILD_DISPLAY_PREFIX: &str = "lessons-kernel-build-";

#[derive(Deserialize)]
struct KernelMessage {
    msg_type: String,
    content: serde_json::Value,
    /// Message-level metadata (ipywidgets puts its protocol version in a `comm_open`'s).
    #[serde(default)]
    metadata: Option<serde_json::Value>,
    /// Binary buffers (a widget's bytes), each as an array of byte values.
    #[serde(default)]
    buffers: Vec<Vec<u8>>,
}

/// What a `LESSONS_KERNEL_MESSAGE` line asks of the kernel.
#[derive(Debug)]
enum Request {
    /// Publish this on iopub, with this metadata and these buffers.
    Publish(JupyterMessageContent, Option<serde_json::Value>, Vec<Bytes>),
    /// The cell process finished handling the comm event with this message id.
    CommHandled(String),
}

impl OutputRouter {
    pub fn new(session: Arc<Session>, iopub: Iopub) -> OutputRouter {
        OutputRouter {
            session,
            iopub,
            cell: Mutex::new(CellState::default()),
            comms: Arc::default(),
        }
    }

    /// The comms cell code has opened.
    pub fn comms(&self) -> &Arc<OpenComms> {
        &self.comms
    }

    /// Output from now on belongs to `parent`.
    pub fn begin_cell(&self, parent: &JupyterMessage, silent: bool) {
        let mut cell = self.cell.lock();
        self.publish_pending(&mut cell);
        *cell = CellState {
            parent: Some(parent.clone()),
            silent,
            ..CellState::default()
        };
    }

    /// Ends the cell: what it revealed about itself.
    pub fn finish_cell(&self) -> CellReport {
        let mut cell = self.cell.lock();
        self.publish_pending(&mut cell);
        if let Some(started) = cell.build_started {
            let text = format!(
                "Compiled {} crates in {:.1} s: {}",
                cell.compiled.len(),
                started.elapsed().as_secs_f64(),
                cell.compiled.join(", ")
            );
            self.show_build(&cell, text, true);
        }
        CellReport {
            last_stderr_line: cell
                .stderr_text
                .lines()
                .rev()
                .find(|line| !line.trim().is_empty())
                .map(str::to_string),
            panic: cell.panicked.then(|| {
                read_panic(&cell.stderr_text).unwrap_or_else(|| PanicReport {
                    message: "the cell panicked (no message reached stderr)".into(),
                    location: String::new(),
                    generated_line: None,
                })
            }),
        }
    }

    /// Routes one frame. Stream text is held back until [`OutputRouter::flush`] or any other
    /// output, so that many tiny writes (a backtrace, a progress bar) leave as one message.
    pub fn handle_frame(&self, frame: Frame) {
        match frame {
            Frame::Stdout(bytes) => self.stream_bytes(Stdio::Stdout, &bytes),
            Frame::Stderr(bytes) => self.stream_bytes(Stdio::Stderr, &bytes),
            Frame::KernelMessage(json) => self.kernel_message(&json),
            Frame::Panic => {
                let mut cell = self.cell.lock();
                self.publish_pending(&mut cell);
                cell.panicked = true;
            }
            Frame::CellEnd => self.flush(),
        }
    }

    /// Shows that `krate` is being compiled for the running cell, in one display that updates.
    pub fn build_progress(&self, krate: &str) {
        let mut cell = self.cell.lock();
        self.publish_pending(&mut cell);
        cell.compiled.push(krate.to_string());
        let update = cell.build_started.is_some();
        cell.build_started.get_or_insert_with(Instant::now);
        let text = format!(
            "Compiling {krate} (crate {} of this build)",
            cell.compiled.len()
        );
        self.show_build(&cell, text, update);
    }

    fn show_build(&self, cell: &CellState, text: String, update: bool) {
        let Some(parent) = &cell.parent else { return };
        let display_id = format!("{BUILD_DISPLAY_PREFIX}{}", parent.header.msg_id);
        let data =
            serde_json::from_value(serde_json::json!({ "text/plain": text })).unwrap_or_default();
        let content: JupyterMessageContent = if update {
            UpdateDisplayData::new(data, &display_id).into()
        } else {
            DisplayData {
                transient: Some(Transient {
                    display_id: Some(display_id),
                }),
                ..DisplayData::new(data)
            }
            .into()
        };
        self.publish(cell, content);
    }

    /// True while stream text waits to be published.
    pub fn has_pending_text(&self) -> bool {
        self.cell.lock().pending.is_some()
    }

    /// Publishes the stream text held back so far.
    pub fn flush(&self) {
        let mut cell = self.cell.lock();
        self.publish_pending(&mut cell);
    }

    /// Publishes text that reached us as whole lines (evcxr's own channels).
    pub fn stream_text(&self, name: Stdio, text: &str) {
        let mut cell = self.cell.lock();
        self.publish_pending(&mut cell);
        self.publish_stream(&mut cell, name, text.to_string());
    }

    fn stream_bytes(&self, name: Stdio, bytes: &[u8]) {
        let mut cell = self.cell.lock();
        let text = match name {
            Stdio::Stdout => cell.stdout_bytes.join(bytes),
            Stdio::Stderr => cell.stderr_bytes.join(bytes),
        };
        if text.is_empty() {
            return;
        }
        match &mut cell.pending {
            Some((pending_name, pending_text)) if same_stream(pending_name, &name) => {
                pending_text.push_str(&text)
            }
            _ => {
                self.publish_pending(&mut cell);
                cell.pending = Some((name, text));
            }
        }
    }

    fn publish_pending(&self, cell: &mut CellState) {
        if let Some((name, text)) = cell.pending.take() {
            self.publish_stream(cell, name, text);
        }
    }

    fn publish_stream(&self, cell: &mut CellState, name: Stdio, text: String) {
        if matches!(name, Stdio::Stderr) {
            cell.stderr_text.push_str(&text);
            if cell.stderr_text.len() > STDERR_KEPT {
                let mut cut = cell.stderr_text.len() - STDERR_KEPT;
                while !cell.stderr_text.is_char_boundary(cut) {
                    cut += 1;
                }
                cell.stderr_text.drain(..cut);
            }
        }
        self.publish(cell, StreamContent { name, text }.into());
    }

    fn kernel_message(&self, json: &[u8]) {
        let mut cell = self.cell.lock();
        self.publish_pending(&mut cell);
        match parse_kernel_message(json) {
            Ok(Request::Publish(content, metadata, buffers)) => {
                let is_comm = self.note_comm(&content, &buffers);
                let outgoing = Outgoing {
                    metadata,
                    buffers,
                    always: is_comm,
                };
                self.publish_with(&cell, content, outgoing)
            }
            Ok(Request::CommHandled(msg_id)) => self.comms.handled(&msg_id),
            Err(problem) => {
                let text = format!("lessons-kernel: ignored a display message: {problem}\n");
                self.publish_stream(&mut cell, Stdio::Stderr, text);
            }
        }
    }

    /// Keeps the list of open comms and their widgets' states up to date; true for a comm
    /// message.
    fn note_comm(&self, content: &JupyterMessageContent, buffers: &[Bytes]) -> bool {
        match content {
            JupyterMessageContent::CommOpen(open) => {
                self.comms.opened(&open.comm_id.0, &open.target_name);
                if open.target_name == WIDGET_TARGET {
                    self.comms
                        .widgets()
                        .opened(&open.comm_id.0, &open.data, buffers);
                }
            }
            JupyterMessageContent::CommClose(close) => self.comms.closed(&close.comm_id.0),
            JupyterMessageContent::CommMsg(message) => {
                self.comms
                    .widgets()
                    .message(&message.comm_id.0, &message.data, buffers)
            }
            _ => return false,
        }
        true
    }

    fn publish(&self, cell: &CellState, content: JupyterMessageContent) {
        self.publish_with(cell, content, Outgoing::default())
    }

    /// Publishes `content` parented to the running request. Comm messages go out even from a
    /// silent request or outside any, as ipykernel's do: a widget must hear about its comm.
    fn publish_with(&self, cell: &CellState, content: JupyterMessageContent, outgoing: Outgoing) {
        let Outgoing {
            metadata,
            buffers,
            always,
        } = outgoing;
        let mut message = match &cell.parent {
            Some(parent) if !cell.silent || always => self.session.child(parent, content),
            None if always => self.session.orphan(content),
            Some(_) => return,
            None => {
                log::debug!("output outside any request: {content:?}");
                return;
            }
        };
        if let Some(metadata) = metadata {
            message.metadata = metadata;
        }
        message.buffers = buffers;
        self.iopub.publish(message);
    }
}

/// What goes with a message's content.
#[derive(Default)]
struct Outgoing {
    metadata: Option<serde_json::Value>,
    buffers: Vec<Bytes>,
    /// Published even from a silent request or outside any (comm messages).
    always: bool,
}

fn same_stream(a: &Stdio, b: &Stdio) -> bool {
    matches!(
        (a, b),
        (Stdio::Stdout, Stdio::Stdout) | (Stdio::Stderr, Stdio::Stderr)
    )
}

/// The message types cell code may ask the kernel to publish.
const PUBLISHED: [&str; 6] = [
    "display_data",
    "update_display_data",
    "clear_output",
    "comm_open",
    "comm_msg",
    "comm_close",
];

fn parse_kernel_message(json: &[u8]) -> Result<Request, String> {
    let message: KernelMessage = serde_json::from_slice(json).map_err(|error| error.to_string())?;
    if message.msg_type == "comm_handled" {
        let msg_id = message.content["msg_id"].as_str().unwrap_or_default();
        return Ok(Request::CommHandled(msg_id.to_string()));
    }
    if !PUBLISHED.contains(&message.msg_type.as_str()) {
        return Err(format!(
            "msg_type {:?} is not one of {}",
            message.msg_type,
            PUBLISHED.join(", ")
        ));
    }
    let content = JupyterMessageContent::from_type_and_content(&message.msg_type, message.content)
        .map_err(|error| format!("{} content: {error}", message.msg_type))?;
    let buffers = message.buffers.into_iter().map(Bytes::from).collect();
    Ok(Request::Publish(content, message.metadata, buffers))
}

/// Reads the message and location out of what Rust's default panic hook printed:
/// `thread 'main' panicked at src/lib.rs:3:5:` followed by the message lines.
fn read_panic(stderr: &str) -> Option<PanicReport> {
    let start = stderr.rfind("panicked at ")?;
    let after = &stderr[start + "panicked at ".len()..];
    let (location_line, rest) = after.split_once('\n').unwrap_or((after, ""));
    let message: Vec<&str> = rest
        .lines()
        .take_while(|line| !line.starts_with("note: ") && !line.starts_with("stack backtrace:"))
        .collect();
    Some(PanicReport {
        message: message.join("\n"),
        location: location_line.trim_end_matches(':').to_string(),
        generated_line: None,
    })
}

/// Turns byte chunks into text without splitting a UTF-8 character between two messages.
#[derive(Default)]
struct Utf8Joiner {
    partial: Vec<u8>,
}

impl Utf8Joiner {
    fn join(&mut self, bytes: &[u8]) -> String {
        self.partial.extend_from_slice(bytes);
        let complete = match std::str::from_utf8(&self.partial) {
            Ok(_) => self.partial.len(),
            // An incomplete character at the end waits for the next chunk.
            Err(error) if error.error_len().is_none() => error.valid_up_to(),
            Err(_) => self.partial.len(),
        };
        let rest = self.partial.split_off(complete);
        let text = String::from_utf8_lossy(&self.partial).into_owned();
        self.partial = rest;
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_character_split_between_chunks_arrives_whole() {
        let mut joiner = Utf8Joiner::default();
        let bytes = "é!".as_bytes();
        assert_eq!(joiner.join(&bytes[..1]), "");
        assert_eq!(joiner.join(&bytes[1..]), "é!");
    }

    #[test]
    fn invalid_bytes_are_replaced_not_held() {
        let mut joiner = Utf8Joiner::default();
        assert_eq!(joiner.join(b"a\xffb"), "a\u{fffd}b");
    }

    #[test]
    fn a_panic_message_is_read_from_stderr() {
        let stderr = "noise\nthread '<unnamed>' panicked at src/lib.rs:12:5:\nboom\nagain\nnote: run with `RUST_BACKTRACE=1`\n";
        assert_eq!(
            read_panic(stderr),
            Some(PanicReport {
                message: "boom\nagain".into(),
                location: "src/lib.rs:12:5".into(),
                generated_line: None,
            })
        );
        assert_eq!(read_panic("no panic here"), None);
    }

    #[test]
    fn only_display_messages_are_accepted() {
        let display = br#"{"msg_type":"display_data","content":{"data":{"text/plain":"x"},"metadata":{},"transient":{"display_id":"a"}}}"#;
        assert!(matches!(
            parse_kernel_message(display),
            Ok(Request::Publish(
                JupyterMessageContent::DisplayData(_),
                None,
                _
            ))
        ));
        let clear = br#"{"msg_type":"clear_output","content":{"wait":true}}"#;
        assert!(matches!(
            parse_kernel_message(clear),
            Ok(Request::Publish(
                JupyterMessageContent::ClearOutput(_),
                None,
                _
            ))
        ));
        let open = br#"{"msg_type":"comm_open","content":{"comm_id":"c","target_name":"jupyter.widget","data":{}},"metadata":{"version":"2.1.0"}}"#;
        assert!(matches!(
            parse_kernel_message(open),
            Ok(Request::Publish(
                JupyterMessageContent::CommOpen(_),
                Some(_),
                _
            ))
        ));
        let binary = br#"{"msg_type":"comm_msg","content":{"comm_id":"c","data":{"method":"update","state":{},"buffer_paths":[["value"]]}},"buffers":[[1,2,255]]}"#;
        match parse_kernel_message(binary) {
            Ok(Request::Publish(JupyterMessageContent::CommMsg(_), None, buffers)) => {
                assert_eq!(buffers, vec![Bytes::from_static(&[1, 2, 255])])
            }
            other => panic!("{other:?}"),
        }
        let handled = br#"{"msg_type":"comm_handled","content":{"msg_id":"m"}}"#;
        assert!(matches!(
            parse_kernel_message(handled),
            Ok(Request::CommHandled(id)) if id == "m"
        ));
        let sneaky = br#"{"msg_type":"execute_request","content":{"code":"x"}}"#;
        assert!(
            parse_kernel_message(sneaky)
                .unwrap_err()
                .contains("not one of")
        );
        assert!(parse_kernel_message(b"{oops").is_err());
    }
}
