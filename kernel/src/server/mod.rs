//! The server: binds the five sockets named in the connection file and answers every request.
//!
//! shell requests are handled one at a time in order; control (interrupt, shutdown,
//! kernel_info) is served by its own task so it is never stuck behind a running cell. Every
//! request, however it ends, gets a reply between a `busy` and an `idle` status.

use std::collections::VecDeque;
use std::os::fd::OwnedFd;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use futures::FutureExt;
use jupyter_protocol::{
    ConnectionInfo, InputReply, InputRequest, InterruptReply, JupyterMessage,
    JupyterMessageContent, Media, ReplyStatus, Status, Transport, UnknownMessage,
};
use parking_lot::Mutex;
use serde_json::{Value, json};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use zeromq::{PubSocket, RepSocket, RouterSocket, Socket, SocketRecv, SocketSend, ZmqMessage};

use crate::execution::comm_bridge::EventsPipe;
use crate::execution::executor::{self, Executor, Interrupter};
use crate::execution::stdin::InputQuestion;
use crate::output::build_progress::StderrCapture;
use crate::output::display_blocks;
use crate::output::output_pipe::OutputPipeReader;
use crate::output::output_router::OutputRouter;
use crate::protocol::iopub::Iopub;
use crate::protocol::session::Session;
use crate::protocol::wire::{Codec, WireError};
use crate::server::history::History;

mod answers;
mod cells;
mod comms;
pub mod help;
pub mod history;
mod introspection;
pub mod is_complete;

/// How long to wait for one more already-queued request when looking for them.
const QUEUE_POLL: Duration = Duration::from_millis(1);

/// What both the shell and the control task use.
struct Shared {
    session: Arc<Session>,
    codec: Arc<Codec>,
    iopub: Iopub,
    executor: Executor,
    interrupter: Arc<Interrupter>,
    router: Arc<OutputRouter>,
    /// Carries comm messages to the cell process (none when the pipe could not be made).
    events: Option<Arc<EventsPipe>>,
    history: Mutex<History>,
    stdin_questions: UnboundedSender<InputQuestion>,
    rust_version: String,
}

/// Sends replies on one ROUTER socket.
struct Replier {
    socket: tokio::sync::Mutex<zeromq::RouterSendHalf>,
    name: &'static str,
}

/// The parts of a kernel that need no sockets: evcxr (warming up on its own thread from the
/// moment this exists), the output routing, and the queue of messages for iopub.
pub struct Warm {
    session: Arc<Session>,
    iopub: Iopub,
    iopub_queue: UnboundedReceiver<JupyterMessage>,
    router: Arc<OutputRouter>,
    events: Option<Arc<EventsPipe>>,
    interrupter: Arc<Interrupter>,
    pub executor: Executor,
}

impl Warm {
    /// Starts evcxr and the threads that carry cell output; `on_lessons_loaded` runs once the
    /// warm-up has loaded `lessons`.
    pub fn start(
        output_pipe: Option<OwnedFd>,
        events: Option<Arc<EventsPipe>>,
        stderr: Option<StderrCapture>,
        on_lessons_loaded: Box<dyn FnOnce() + Send>,
    ) -> Warm {
        let session = Arc::new(Session::new());
        let (iopub, iopub_queue) = Iopub::new();
        let router = Arc::new(OutputRouter::new(Arc::clone(&session), iopub.clone()));
        let pipe = output_pipe.map(|reader| OutputPipeReader::spawn(reader, Arc::clone(&router)));
        if let Some(stderr) = stderr {
            stderr.forward(Arc::clone(&router));
        }
        let interrupter = Arc::new(Interrupter::default());
        if let Some(events) = &events {
            interrupter.ask_through(Arc::clone(events));
        }
        let executor = Executor::start(
            Arc::clone(&router),
            pipe,
            Arc::clone(&interrupter),
            on_lessons_loaded,
        );
        Warm {
            session,
            iopub,
            iopub_queue,
            router,
            events,
            interrupter,
            executor,
        }
    }
}

/// Runs the kernel until a shutdown request.
pub async fn serve(
    connection: ConnectionInfo,
    warm: Warm,
    rust_version: String,
) -> anyhow::Result<()> {
    let Warm {
        session,
        iopub,
        iopub_queue,
        router,
        events,
        interrupter,
        executor,
    } = warm;
    anyhow::ensure!(
        connection.transport == Transport::TCP,
        "only the tcp transport is supported"
    );
    let codec = Arc::new(Codec::new(&connection.signature_scheme, &connection.key)?);
    let endpoint = |port: u16| format!("tcp://{}:{}", connection.ip, port);

    let mut shell = RouterSocket::new();
    let mut control = RouterSocket::new();
    let mut stdin = RouterSocket::new();
    let mut iopub_socket = PubSocket::new();
    let mut heartbeat = RepSocket::new();
    for (socket_name, port, bound) in [
        (
            "shell",
            connection.shell_port,
            shell.bind(&endpoint(connection.shell_port)).await,
        ),
        (
            "control",
            connection.control_port,
            control.bind(&endpoint(connection.control_port)).await,
        ),
        (
            "stdin",
            connection.stdin_port,
            stdin.bind(&endpoint(connection.stdin_port)).await,
        ),
        (
            "iopub",
            connection.iopub_port,
            iopub_socket.bind(&endpoint(connection.iopub_port)).await,
        ),
        (
            "heartbeat",
            connection.hb_port,
            heartbeat.bind(&endpoint(connection.hb_port)).await,
        ),
    ] {
        bound.with_context(|| format!("binding {socket_name} to {}:{port}", connection.ip))?;
    }
    log::info!(
        "listening on {} (shell port {})",
        connection.ip,
        connection.shell_port
    );

    tokio::spawn(publish_iopub(iopub_socket, iopub_queue, Arc::clone(&codec)));
    tokio::spawn(echo_heartbeats(heartbeat));
    iopub.publish(session.orphan(Status::starting()));
    let (stdin_questions, questions) = unbounded_channel();
    tokio::spawn(ask_stdin(
        stdin,
        questions,
        Arc::clone(&codec),
        Arc::clone(&session),
    ));

    let shared = Arc::new(Shared {
        session,
        codec,
        iopub,
        executor,
        interrupter,
        router,
        events,
        history: Mutex::new(History::default()),
        stdin_questions,
        rust_version,
    });
    let (control_send, control_receive) = control.split();
    let control_replier = Replier::new(control_send, "control");
    tokio::spawn(serve_control(
        Arc::clone(&shared),
        control_replier,
        control_receive,
    ));
    let (shell_send, shell_receive) = shell.split();
    serve_shell(shared, Replier::new(shell_send, "shell"), shell_receive).await;
    Ok(())
}

impl Replier {
    fn new(socket: zeromq::RouterSendHalf, name: &'static str) -> Replier {
        Replier {
            socket: tokio::sync::Mutex::new(socket),
            name,
        }
    }

    async fn send(&self, codec: &Codec, message: JupyterMessage) {
        let sent = match codec.encode(&message) {
            Ok(frames) => match ZmqMessage::try_from(frames) {
                Ok(zmq_message) => self
                    .socket
                    .lock()
                    .await
                    .send(zmq_message)
                    .await
                    .map_err(anyhow::Error::from),
                Err(error) => Err(anyhow::anyhow!("{error}")),
            },
            Err(error) => Err(error),
        };
        if let Err(error) = sent {
            log::warn!(
                "could not send {} on {}: {error}",
                message.header.msg_type,
                self.name
            );
        }
    }
}

/// Receives the next message that passes the signature check; logs and drops the others.
async fn next_request(
    receive: &mut zeromq::RouterRecvHalf,
    shared: &Shared,
    replier: &Replier,
) -> Option<JupyterMessage> {
    loop {
        let frames = match receive.recv().await {
            Ok(message) => message.into_vec(),
            Err(error) => {
                log::warn!("receiving on {} failed: {error}", replier.name);
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        match shared.codec.decode(frames) {
            Ok(message) => return Some(message),
            Err(WireError::BadContent {
                header,
                identities,
                msg_type,
                error,
            }) => {
                log::warn!(
                    "{} request with invalid content on {}: {error}",
                    msg_type,
                    replier.name
                );
                let request = JupyterMessage {
                    zmq_identities: identities,
                    header: *header,
                    parent_header: None,
                    metadata: json!({}),
                    content: JupyterMessageContent::UnknownMessage(UnknownMessage {
                        msg_type: msg_type.clone(),
                        content: Value::Null,
                    }),
                    buffers: Vec::new(),
                    channel: None,
                };
                shared.status(&request, Status::busy());
                let reply = error_reply(
                    &msg_type,
                    "BadRequest",
                    format!("the content of this {msg_type} does not match the protocol: {error}"),
                );
                if msg_type.ends_with("_request") {
                    replier
                        .send(&shared.codec, shared.session.child(&request, reply))
                        .await;
                }
                shared.status(&request, Status::idle());
            }
            Err(error) => log::warn!("dropped a message on {}: {error}", replier.name),
        }
    }
}

async fn serve_shell(shared: Arc<Shared>, replier: Replier, mut receive: zeromq::RouterRecvHalf) {
    let mut next_count = 1;
    let mut waiting: VecDeque<JupyterMessage> = VecDeque::new();
    loop {
        let request = match waiting.pop_front() {
            Some(request) => request,
            None => match next_request(&mut receive, &shared, &replier).await {
                Some(request) => request,
                None => return,
            },
        };
        shared.status(&request, Status::busy());
        let answered = unpanicked(answer_shell(
            &shared,
            &replier,
            &mut receive,
            &request,
            &mut next_count,
        ))
        .await;
        let queued = match answered {
            Ok(queued) => queued,
            Err(fault) => {
                shared.report_fault(&replier, &request, fault).await;
                Vec::new()
            }
        };
        shared.status(&request, Status::idle());
        for queued_request in queued {
            match queued_request.content {
                JupyterMessageContent::ExecuteRequest(_) => {
                    shared.abort(&replier, &queued_request, next_count).await
                }
                _ => waiting.push_back(queued_request),
            }
        }
    }
}

/// Answers one shell request. A failed execute with `stop_on_error` returns the requests that
/// were queued behind it, to be answered after its idle status (executes among them aborted).
async fn answer_shell(
    shared: &Shared,
    replier: &Replier,
    receive: &mut zeromq::RouterRecvHalf,
    request: &JupyterMessage,
    next_count: &mut usize,
) -> Vec<JupyterMessage> {
    let reply: JupyterMessageContent = match &request.content {
        JupyterMessageContent::ExecuteRequest(execute) => {
            let executed = shared.execute(request, execute, next_count).await;
            let failed = executed.reply.status == ReplyStatus::Error;
            let mut message = shared.session.child(request, executed.reply);
            message.metadata = executed.metadata;
            // Requests sent before a failure are queued already: executes among them are
            // aborted, as ipykernel does. Requests sent after the reply run.
            let queued = if failed && execute.stop_on_error {
                already_queued(receive, shared, replier).await
            } else {
                Vec::new()
            };
            replier.send(&shared.codec, message).await;
            return queued;
        }
        JupyterMessageContent::CompleteRequest(complete) => shared.complete(complete).await.into(),
        JupyterMessageContent::InspectRequest(inspect) => shared.inspect(inspect).await.into(),
        JupyterMessageContent::CommOpen(_)
        | JupyterMessageContent::CommMsg(_)
        | JupyterMessageContent::CommClose(_) => {
            shared.comm_from_frontend(request).await;
            return Vec::new();
        }
        _ => {
            shared.answer_anywhere(replier, request).await;
            return Vec::new();
        }
    };
    replier
        .send(&shared.codec, shared.session.child(request, reply))
        .await;
    Vec::new()
}

/// Runs the handling of one request; a panic in it (a bug of ours) comes back as its message,
/// so that the request gets an error reply and the kernel goes on.
async fn unpanicked<T>(handling: impl Future<Output = T>) -> Result<T, String> {
    AssertUnwindSafe(handling)
        .catch_unwind()
        .await
        .map_err(|panic| executor::panic_text(&panic))
}

/// The requests that have arrived on shell and wait to be read.
async fn already_queued(
    receive: &mut zeromq::RouterRecvHalf,
    shared: &Shared,
    replier: &Replier,
) -> Vec<JupyterMessage> {
    let mut queued = Vec::new();
    while let Ok(Some(request)) =
        tokio::time::timeout(QUEUE_POLL, next_request(receive, shared, replier)).await
    {
        queued.push(request);
    }
    queued
}

async fn serve_control(shared: Arc<Shared>, replier: Replier, mut receive: zeromq::RouterRecvHalf) {
    while let Some(request) = next_request(&mut receive, &shared, &replier).await {
        shared.status(&request, Status::busy());
        let answered = unpanicked(async {
            match &request.content {
                JupyterMessageContent::InterruptRequest(_) => {
                    shared.interrupter.interrupt();
                    replier
                        .send(
                            &shared.codec,
                            shared.session.child(&request, InterruptReply::new()),
                        )
                        .await;
                }
                _ => shared.answer_anywhere(&replier, &request).await,
            }
        })
        .await;
        if let Err(fault) = answered {
            shared.report_fault(&replier, &request, fault).await;
        }
        shared.status(&request, Status::idle());
    }
}

impl Shared {
    /// Answers `request`, whose handling panicked, with an error reply that says so.
    async fn report_fault(&self, replier: &Replier, request: &JupyterMessage, fault: String) {
        log::error!("answering {} failed: {fault}", request.header.msg_type);
        let reply = error_reply(
            &request.header.msg_type,
            "KernelError",
            format!("the kernel failed while answering this request: {fault}"),
        );
        replier
            .send(&self.codec, self.session.child(request, reply))
            .await;
    }
}

/// The `_reply` to a `_request` of type `request_type`, saying it failed and why.
fn error_reply(request_type: &str, ename: &str, evalue: String) -> JupyterMessageContent {
    let request = UnknownMessage {
        msg_type: request_type.to_string(),
        content: Value::Null,
    };
    request.reply(json!({"status": "error", "ename": ename, "evalue": evalue, "traceback": []}))
}

/// A mime bundle from (mime type, text) pairs; JSON types carry parsed JSON, as the spec says.
fn media(entries: &[(String, String)]) -> Media {
    serde_json::from_value(Value::Object(display_blocks::mime_data(entries))).unwrap_or_default()
}

async fn publish_iopub(
    mut socket: PubSocket,
    mut queue: UnboundedReceiver<JupyterMessage>,
    codec: Arc<Codec>,
) {
    while let Some(message) = queue.recv().await {
        let frames = match codec.encode(&message) {
            Ok(frames) => frames,
            Err(error) => {
                log::error!("could not encode {}: {error}", message.header.msg_type);
                continue;
            }
        };
        if let Ok(zmq_message) = ZmqMessage::try_from(frames)
            && let Err(error) = socket.send(zmq_message).await
        {
            log::warn!("iopub send failed: {error}");
        }
    }
}

/// Heartbeat: every ping comes straight back, byte for byte.
async fn echo_heartbeats(mut socket: RepSocket) {
    loop {
        match socket.recv().await {
            Ok(ping) => {
                if let Err(error) = socket.send(ping).await {
                    log::warn!("heartbeat reply failed: {error}");
                }
            }
            Err(error) => {
                log::warn!("heartbeat receive failed: {error}");
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }
}

/// Asks the frontend each question on stdin and hands back its `input_reply`.
async fn ask_stdin(
    socket: RouterSocket,
    mut questions: UnboundedReceiver<InputQuestion>,
    codec: Arc<Codec>,
    session: Arc<Session>,
) {
    let (send, mut receive) = socket.split();
    let replier = Replier::new(send, "stdin");
    while let Some(question) = questions.recv().await {
        let request = InputRequest {
            prompt: question.prompt.clone(),
            password: question.password,
        };
        replier
            .send(&codec, session.child(&question.parent, request))
            .await;
        loop {
            let frames = match receive.recv().await {
                Ok(message) => message.into_vec(),
                Err(error) => {
                    log::warn!("stdin receive failed: {error}");
                    break;
                }
            };
            match codec.decode(frames) {
                Ok(JupyterMessage {
                    content: JupyterMessageContent::InputReply(InputReply { value, .. }),
                    ..
                }) => {
                    let _ = question.answer.send(value);
                    break;
                }
                Ok(other) => log::warn!(
                    "expected input_reply on stdin, got {}",
                    other.header.msg_type
                ),
                Err(error) => log::warn!("dropped a message on stdin: {error}"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_mime_types_carry_json() {
        let bundle = media(&[
            ("application/json".into(), "{\"a\": 1}".into()),
            ("text/plain".into(), "x".into()),
        ]);
        let value = serde_json::to_value(&bundle).unwrap();
        assert_eq!(value["application/json"]["a"], 1);
        assert_eq!(value["text/plain"], "x");
    }

    #[tokio::test]
    async fn a_panic_while_answering_becomes_its_message() {
        assert_eq!(unpanicked(async { 7 }).await, Ok(7));
        let failed: Result<(), String> = unpanicked(async { panic!("history is gone") }).await;
        assert_eq!(failed, Err("history is gone".to_string()));
    }
}
