//! The server: binds the five sockets named in the connection file and answers every request.
//!
//! shell requests are handled one at a time in order; control (interrupt, shutdown,
//! kernel_info) is served by its own task so it is never stuck behind a running cell. Every
//! request, however it ends, gets a reply between a `busy` and an `idle` status.

use std::collections::{HashMap, VecDeque};
use std::os::fd::OwnedFd;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use jupyter_protocol::{
    CommInfoReply, CompleteReply, CompleteRequest, ConnectionInfo, DisplayData, ErrorOutput,
    ExecuteInput, ExecuteReply, ExecuteRequest, ExecuteResult, ExecutionCount, HelpLink,
    HistoryReply, InputReply, InputRequest, InspectReply, InspectRequest, InterruptReply,
    JupyterMessage, JupyterMessageContent, KernelInfoReply, LanguageInfo, Media, Payload,
    ReplyStatus, ShutdownReply, Status, StreamContent, Transient, Transport, UnknownMessage,
};
use serde_json::{Value, json};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use zeromq::{PubSocket, RepSocket, RouterSocket, Socket, SocketRecv, SocketSend, ZmqMessage};

use crate::build_progress::StderrCapture;
use crate::cell_errors;
use crate::executor::{CodeQuery, ExecuteOutcome, Executor, Interrupter};
use crate::help::help_target;
use crate::history::History;
use crate::iopub::Iopub;
use crate::is_complete::is_complete;
use crate::output_pipe::OutputPipeReader;
use crate::output_router::{OutputRouter, PanicReport};
use crate::panic_location::{self, CellSpan};
use crate::session::{PROTOCOL_VERSION, Session};
use crate::stdin::{InputQuestion, StdinBridge};
use crate::wire::{Codec, WireError};

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
    history: Mutex<History>,
    stdin_questions: UnboundedSender<InputQuestion>,
    rust_version: String,
}

/// Sends replies on one ROUTER socket.
struct Replier {
    socket: tokio::sync::Mutex<zeromq::RouterSendHalf>,
    name: &'static str,
}

/// Runs the kernel until a shutdown request.
pub async fn serve(
    connection: ConnectionInfo,
    output_pipe: Option<OwnedFd>,
    rust_version: String,
    stderr: Option<StderrCapture>,
) -> anyhow::Result<()> {
    anyhow::ensure!(
        connection.transport == Transport::TCP,
        "only the tcp transport is supported"
    );
    let codec = Arc::new(Codec::new(&connection.signature_scheme, &connection.key)?);
    let session = Arc::new(Session::new());
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

    let (iopub, iopub_queue) = Iopub::new();
    tokio::spawn(publish_iopub(iopub_socket, iopub_queue, Arc::clone(&codec)));
    tokio::spawn(echo_heartbeats(heartbeat));
    iopub.publish(session.orphan(Status::starting()));

    let router = Arc::new(OutputRouter::new(Arc::clone(&session), iopub.clone()));
    let pipe = output_pipe.map(|reader| OutputPipeReader::spawn(reader, Arc::clone(&router)));
    if let Some(stderr) = stderr {
        stderr.forward(Arc::clone(&router));
    }
    let interrupter = Arc::new(Interrupter::default());
    let executor = Executor::start(Arc::clone(&router), pipe, Arc::clone(&interrupter));
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
        match &request.content {
            JupyterMessageContent::ExecuteRequest(execute) => {
                let reply = shared.execute(&request, execute, &mut next_count).await;
                if reply.status == ReplyStatus::Error && execute.stop_on_error {
                    // Requests sent before this failure are queued already: executes among them
                    // are aborted, as ipykernel does. Requests sent after the reply run.
                    let queued = already_queued(&mut receive, &shared, &replier).await;
                    replier
                        .send(&shared.codec, shared.session.child(&request, reply))
                        .await;
                    shared.status(&request, Status::idle());
                    for queued_request in queued {
                        match queued_request.content {
                            JupyterMessageContent::ExecuteRequest(_) => {
                                shared.abort(&replier, &queued_request, next_count).await
                            }
                            _ => waiting.push_back(queued_request),
                        }
                    }
                    continue;
                }
                replier
                    .send(&shared.codec, shared.session.child(&request, reply))
                    .await;
            }
            JupyterMessageContent::CompleteRequest(complete) => {
                let reply = shared.complete(complete).await;
                replier
                    .send(&shared.codec, shared.session.child(&request, reply))
                    .await;
            }
            JupyterMessageContent::InspectRequest(inspect) => {
                let reply = shared.inspect(inspect).await;
                replier
                    .send(&shared.codec, shared.session.child(&request, reply))
                    .await;
            }
            _ => shared.answer_anywhere(&replier, &request).await,
        }
        shared.status(&request, Status::idle());
    }
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
        shared.status(&request, Status::idle());
    }
}

impl Shared {
    fn status(&self, parent: &JupyterMessage, status: Status) {
        self.iopub.publish(self.session.child(parent, status));
    }

    fn publish(&self, parent: &JupyterMessage, content: impl Into<JupyterMessageContent>) {
        self.iopub.publish(self.session.child(parent, content));
    }

    /// Requests that do not need evcxr, answered the same on shell and control.
    async fn answer_anywhere(&self, replier: &Replier, request: &JupyterMessage) {
        let reply: JupyterMessageContent = match &request.content {
            JupyterMessageContent::KernelInfoRequest(_) => self.kernel_info().into(),
            JupyterMessageContent::IsCompleteRequest(question) => {
                is_complete(&question.code).into()
            }
            JupyterMessageContent::HistoryRequest(question) => {
                HistoryReply::new(self.history.lock().unwrap().answer(question)).into()
            }
            JupyterMessageContent::CommInfoRequest(_) => CommInfoReply::default().into(),
            JupyterMessageContent::ShutdownRequest(shutdown) => {
                let reply = ShutdownReply {
                    restart: shutdown.restart,
                    ..Default::default()
                };
                replier
                    .send(&self.codec, self.session.child(request, reply))
                    .await;
                self.shut_down(request).await;
                return;
            }
            JupyterMessageContent::ExecuteRequest(_)
            | JupyterMessageContent::CompleteRequest(_)
            | JupyterMessageContent::InspectRequest(_) => error_reply(
                &request.header.msg_type,
                "WrongChannel",
                format!("send {} on the shell channel", request.header.msg_type),
            ),
            // Anything else that asks for a reply (debug_request, a newer request type...).
            other if other.message_type().ends_with("_request") => {
                log::info!("no handler for {}", other.message_type());
                error_reply(
                    other.message_type(),
                    "NotImplemented",
                    format!("{} is not supported by this kernel", other.message_type()),
                )
            }
            other => {
                log::debug!("{} needs no reply", other.message_type());
                return;
            }
        };
        replier
            .send(&self.codec, self.session.child(request, reply))
            .await;
    }

    fn kernel_info(&self) -> KernelInfoReply {
        KernelInfoReply {
            status: ReplyStatus::Ok,
            protocol_version: PROTOCOL_VERSION.into(),
            implementation: "lessons-kernel".into(),
            implementation_version: env!("CARGO_PKG_VERSION").into(),
            language_info: LanguageInfo {
                name: "rust".into(),
                version: self.rust_version.clone(),
                mimetype: Some("text/rust".into()),
                file_extension: Some(".rs".into()),
                pygments_lexer: Some("rust".into()),
                codemirror_mode: Some(jupyter_protocol::CodeMirrorMode::Simple("rust".into())),
                nbconvert_exporter: Some("script".into()),
            },
            banner: format!(
                "Rust {} with evcxr: distributed-systems lessons (lessons-kernel {})",
                self.rust_version,
                env!("CARGO_PKG_VERSION")
            ),
            help_links: vec![
                HelpLink {
                    text: "Rust standard library".into(),
                    url: "https://doc.rust-lang.org/std/".into(),
                },
                HelpLink {
                    text: "evcxr commands".into(),
                    url: "https://github.com/evcxr/evcxr/blob/main/COMMON.md".into(),
                },
            ],
            debugger: false,
            error: None,
        }
    }

    /// Runs one cell and publishes its outputs; the reply is the caller's to send.
    async fn execute(
        &self,
        request: &JupyterMessage,
        execute: &ExecuteRequest,
        next_count: &mut usize,
    ) -> ExecuteReply {
        let store = execute.store_history && !execute.silent;
        let count = *next_count;
        if store {
            *next_count += 1;
            self.history.lock().unwrap().record(count, &execute.code);
        }
        if !execute.silent {
            self.publish(
                request,
                ExecuteInput {
                    code: execute.code.clone(),
                    execution_count: ExecutionCount::new(count),
                },
            );
        }
        if let Some(target) = help_target(&execute.code) {
            return self.page_help(request, target, count).await;
        }
        self.router.begin_cell(request, execute.silent);
        let stdin = execute.allow_stdin.then(|| StdinBridge {
            questions: self.stdin_questions.clone(),
            parent: Arc::new(request.clone()),
        });
        let outcome = self.executor.execute(execute.code.clone(), stdin).await;
        let interrupted = self.interrupter.take_request();
        let error = match outcome {
            ExecuteOutcome::Finished(outputs, report) => match report.panic {
                Some(panic) => {
                    let span = self.panic_span(&panic, count, &execute.code);
                    Some(cell_errors::panic(&panic, span.as_ref()))
                }
                None => {
                    self.show_result(request, execute, &outputs, count, store);
                    None
                }
            },
            ExecuteOutcome::Failed(_) if interrupted => Some(cell_errors::interrupted()),
            ExecuteOutcome::Failed(evcxr::Error::CompilationErrors(errors)) => {
                Some(cell_errors::compile_errors(&errors, &execute.code, count))
            }
            ExecuteOutcome::Failed(evcxr::Error::SubprocessTerminated(message)) => {
                Some(cell_errors::process_ended(&message))
            }
            ExecuteOutcome::Failed(error) => {
                Some(cell_errors::other("EvcxrError", &error.to_string()))
            }
            ExecuteOutcome::KernelFault(message) => {
                Some(cell_errors::other("KernelError", &message))
            }
        };
        match error {
            None => ExecuteReply {
                status: ReplyStatus::Ok,
                execution_count: ExecutionCount::new(count),
                user_expressions: Some(HashMap::new()),
                ..Default::default()
            },
            Some(error) => {
                if !execute.silent {
                    self.publish(
                        request,
                        ErrorOutput {
                            ename: error.ename.clone(),
                            evalue: error.evalue.clone(),
                            traceback: error.traceback.clone(),
                        },
                    );
                }
                ExecuteReply {
                    status: ReplyStatus::Error,
                    execution_count: ExecutionCount::new(count),
                    error: Some(Box::new(error)),
                    ..Default::default()
                }
            }
        }
    }

    /// Answers `?name` with the documentation of `name` in the pager.
    async fn page_help(
        &self,
        request: &JupyterMessage,
        target: &str,
        count: usize,
    ) -> ExecuteReply {
        let query = CodeQuery {
            code: target.to_string(),
            cursor: target.len(),
        };
        let payload = match self.executor.hover(query).await {
            Ok((plain, html)) => documentation(plain, html)
                .map(|data| Payload::Page { data, start: 0 })
                .into_iter()
                .collect(),
            Err(_) => Vec::new(),
        };
        if payload.is_empty() {
            let text = format!("No documentation found for `{target}`.\n");
            self.publish(request, StreamContent::stdout(&text));
        }
        ExecuteReply {
            status: ReplyStatus::Ok,
            execution_count: ExecutionCount::new(count),
            payload,
            user_expressions: Some(HashMap::new()),
            error: None,
        }
    }

    /// The cell line that panicked: in this cell, or in the earlier cell that defined the
    /// function it called.
    fn panic_span(&self, panic: &PanicReport, count: usize, code: &str) -> Option<CellSpan> {
        let line = panic.generated_line.as_ref()?;
        panic_location::find_in_cell(line, count, code).or_else(|| {
            self.history
                .lock()
                .unwrap()
                .latest(|cell, earlier| panic_location::find_in_cell(line, cell, earlier))
        })
    }

    /// Answers an execute request that was queued behind a failed cell without running it.
    async fn abort(&self, replier: &Replier, request: &JupyterMessage, next_count: usize) {
        self.status(request, Status::busy());
        let reply = ExecuteReply {
            status: ReplyStatus::Aborted,
            execution_count: ExecutionCount::new(next_count),
            ..Default::default()
        };
        replier
            .send(&self.codec, self.session.child(request, reply))
            .await;
        self.status(request, Status::idle());
    }

    /// The cell's final value, as evcxr displayed it, becomes the execute_result.
    fn show_result(
        &self,
        request: &JupyterMessage,
        execute: &ExecuteRequest,
        outputs: &evcxr::EvalOutputs,
        count: usize,
        store: bool,
    ) {
        if let Some(timing) = outputs.timing {
            let text = format!("Took {} ms", timing.as_millis());
            self.publish(
                request,
                DisplayData::new(media(&[("text/plain".into(), text)])),
            );
        }
        // A cell ending in a loop or a call returning `()` has no result, as None has none in
        // IPython.
        let unit =
            outputs.content_by_mime_type.len() == 1 && outputs.get("text/plain") == Some("()");
        if outputs.content_by_mime_type.is_empty() || unit || execute.silent {
            return;
        }
        let bundle: Vec<(String, String)> =
            outputs.content_by_mime_type.clone().into_iter().collect();
        if store && let Some(text) = outputs.get("text/plain") {
            self.history.lock().unwrap().record_output(count, text);
        }
        let result = ExecuteResult {
            // jupyter_client's schema wants an object here, never null.
            transient: Some(Transient::default()),
            ..ExecuteResult::new(ExecutionCount::new(count), media(&bundle))
        };
        self.publish(request, result);
    }

    async fn complete(&self, request: &CompleteRequest) -> CompleteReply {
        let cursor = byte_offset(&request.code, request.cursor_pos);
        let query = CodeQuery {
            code: request.code.clone(),
            cursor,
        };
        match self.executor.complete(query).await {
            Ok(found) => {
                let start = char_offset(&request.code, found.start_offset);
                let end = char_offset(&request.code, found.end_offset);
                let types: Vec<Value> = found
                    .completions
                    .iter()
                    .map(|completion| {
                        json!({"start": start, "end": end, "text": completion.code, "type": completion.kind, "signature": completion.label})
                    })
                    .collect();
                let mut metadata = serde_json::Map::new();
                metadata.insert("_jupyter_types_experimental".into(), Value::Array(types));
                CompleteReply {
                    matches: found
                        .completions
                        .into_iter()
                        .map(|completion| completion.code)
                        .collect(),
                    cursor_start: start,
                    cursor_end: end,
                    metadata,
                    ..Default::default()
                }
            }
            Err(message) => CompleteReply {
                status: ReplyStatus::Error,
                cursor_start: request.cursor_pos,
                cursor_end: request.cursor_pos,
                error: Some(Box::new(cell_errors::other("CompletionError", &message))),
                ..Default::default()
            },
        }
    }

    async fn inspect(&self, request: &InspectRequest) -> InspectReply {
        let query = CodeQuery {
            code: request.code.clone(),
            cursor: byte_offset(&request.code, request.cursor_pos),
        };
        match self.executor.hover(query).await {
            Ok((plain, html)) => match documentation(plain, html) {
                Some(data) => InspectReply {
                    found: true,
                    data,
                    ..Default::default()
                },
                None => InspectReply::default(),
            },
            Err(message) => InspectReply {
                status: ReplyStatus::Error,
                error: Some(Box::new(cell_errors::other("InspectError", &message))),
                ..Default::default()
            },
        }
    }

    async fn shut_down(&self, request: &JupyterMessage) {
        log::info!("shutting down");
        self.interrupter.interrupt();
        self.executor.shut_down(Duration::from_secs(5)).await;
        self.status(request, Status::idle());
        // Let the iopub task send what is queued.
        tokio::time::sleep(Duration::from_millis(100)).await;
        std::process::exit(0);
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

/// rust-analyzer's hover as a bundle, or None when it found nothing.
fn documentation(plain: String, html: String) -> Option<Media> {
    let found = !plain.trim().is_empty() && plain != "No documentation found";
    found.then(|| media(&[("text/plain".into(), plain), ("text/html".into(), html)]))
}

/// A mime bundle from (mime type, text) pairs; JSON types carry parsed JSON, as the spec says.
fn media(entries: &[(String, String)]) -> Media {
    let bundle: serde_json::Map<String, Value> = entries
        .iter()
        .map(|(mime, text)| {
            let value = if mime.contains("json") {
                serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.clone()))
            } else {
                Value::String(text.clone())
            };
            (mime.clone(), value)
        })
        .collect();
    serde_json::from_value(Value::Object(bundle)).unwrap_or_default()
}

/// Jupyter counts cursor positions in Unicode code points; evcxr wants bytes.
fn byte_offset(code: &str, chars: usize) -> usize {
    code.char_indices()
        .nth(chars)
        .map_or(code.len(), |(byte, _)| byte)
}

fn char_offset(code: &str, bytes: usize) -> usize {
    code[..bytes.min(code.len())].chars().count()
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
    fn cursor_offsets_convert_between_chars_and_bytes() {
        let code = "let é = 1; é";
        assert_eq!(byte_offset(code, 5), 6);
        assert_eq!(char_offset(code, 6), 5);
        assert_eq!(byte_offset(code, 100), code.len());
    }

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
}
