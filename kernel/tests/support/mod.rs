//! A small Jupyter client for the protocol tests: it starts the built `lessons-kernel` on a
//! fresh connection file and speaks the wire protocol to it over ZeroMQ, signing as
//! jupyter_client does. It shares no code with the kernel, so it checks the wire format rather
//! than agreeing with itself.

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bytes::Bytes;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use zeromq::util::PeerIdentity;
use zeromq::{DealerSocket, Socket, SocketOptions, SocketRecv, SocketSend, SubSocket, ZmqMessage};

pub const KEY: &str = "a-test-key-not-a-secret";

/// One message as a client sees it.
#[derive(Debug, Clone)]
pub struct Message {
    pub msg_type: String,
    pub header: Value,
    pub parent_id: String,
    pub metadata: Value,
    pub content: Value,
}

/// A running kernel process and a client connected to it.
pub struct Kernel {
    process: Child,
    pub shell: DealerSocket,
    pub control: DealerSocket,
    pub stdin: DealerSocket,
    pub iopub: SubSocket,
    session: String,
    pub work_dir: tempfile::TempDir,
    /// The ports of the connection file, for tests that look at the sockets themselves.
    pub ports: Ports,
}

/// The five ports a kernel binds, as named in the connection file.
#[derive(Debug, Clone, Copy)]
pub struct Ports {
    pub shell: u16,
    pub iopub: u16,
    pub stdin: u16,
    pub control: u16,
    pub heartbeat: u16,
}

impl Ports {
    fn free() -> Ports {
        Ports {
            shell: free_port(),
            iopub: free_port(),
            stdin: free_port(),
            control: free_port(),
            heartbeat: free_port(),
        }
    }

    pub fn all(&self) -> [u16; 5] {
        [
            self.shell,
            self.iopub,
            self.stdin,
            self.control,
            self.heartbeat,
        ]
    }
}

/// Where the kernel's stderr, and so its log, goes.
enum Log {
    Inherited,
    /// Into `LOG_FILE` in the work directory.
    File,
}

/// The file in the work directory that holds the log of a kernel started by `start_logging`.
pub const LOG_FILE: &str = "kernel.log";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn sign(key: &str, parts: &[&[u8]]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).unwrap();
    for part in parts {
        mac.update(part);
    }
    hex::encode(mac.finalize().into_bytes())
}

impl Kernel {
    /// Starts a kernel without the `lessons` prelude (these tests do not need it).
    pub async fn start() -> Kernel {
        Kernel::start_with(&[("LESSONS_KERNEL_LESSONS_DIR", "")]).await
    }

    /// Starts the kernel with extra environment variables and waits until it answers
    /// kernel_info and iopub is connected. Build directories live under cargo's test tmpdir.
    pub async fn start_with(env: &[(&str, &str)]) -> Kernel {
        Kernel::launch(env, Log::Inherited).await
    }

    /// Like `start_with`, with the kernel's stderr (its log) written to `LOG_FILE`, read by `log`.
    pub async fn start_logging(env: &[(&str, &str)]) -> Kernel {
        Kernel::launch(env, Log::File).await
    }

    async fn launch(env: &[(&str, &str)], log: Log) -> Kernel {
        let work_dir = tempfile::tempdir().unwrap();
        let ports = Ports::free();
        let connection = json!({
            "ip": "127.0.0.1", "transport": "tcp",
            "shell_port": ports.shell, "iopub_port": ports.iopub, "stdin_port": ports.stdin,
            "control_port": ports.control, "hb_port": ports.heartbeat,
            "key": KEY, "signature_scheme": "hmac-sha256", "kernel_name": "rust-lessons",
        });
        let connection_file = work_dir.path().join("kernel.json");
        std::fs::write(&connection_file, connection.to_string()).unwrap();
        let stderr = match log {
            Log::Inherited => Stdio::inherit(),
            Log::File => {
                Stdio::from(std::fs::File::create(work_dir.path().join(LOG_FILE)).unwrap())
            }
        };
        let process = Command::new(env!("CARGO_BIN_EXE_lessons-kernel"))
            .args(["run", "--connection-file"])
            .arg(&connection_file)
            .current_dir(work_dir.path())
            .env(
                "LESSONS_KERNEL_CACHE_DIR",
                PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("kernel-cache"),
            )
            // Each test starts its kernel from scratch; no spare is left behind.
            .env("LESSONS_KERNEL_SPARE", "0")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stderr(stderr)
            .spawn()
            .unwrap();
        let session = uuid::Uuid::new_v4().to_string();
        let identity = || {
            let mut options = SocketOptions::default();
            options.peer_identity(PeerIdentity::try_from(session.as_bytes().to_vec()).unwrap());
            options
        };
        let endpoint = |port: u16| format!("tcp://127.0.0.1:{port}");
        let mut shell = DealerSocket::with_options(identity());
        let mut control = DealerSocket::with_options(identity());
        let mut stdin = DealerSocket::with_options(identity());
        let mut iopub = SubSocket::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        for (socket, port) in [
            (&mut shell, ports.shell),
            (&mut control, ports.control),
            (&mut stdin, ports.stdin),
        ] {
            connect_retrying(socket, &endpoint(port), deadline).await;
        }
        connect_retrying(&mut iopub, &endpoint(ports.iopub), deadline).await;
        iopub.subscribe("").await.unwrap();
        let mut kernel = Kernel {
            process,
            shell,
            control,
            stdin,
            iopub,
            session,
            work_dir,
            ports,
        };
        kernel.wait_for_ready().await;
        kernel
    }

    async fn wait_for_ready(&mut self) {
        // As jupyter_client does: ask for kernel_info until both a reply and iopub arrive.
        for _ in 0..60 {
            let id = self.send_shell("kernel_info_request", json!({})).await;
            let replied = tokio::time::timeout(Duration::from_secs(1), recv(&mut self.shell)).await;
            if let Ok(reply) = replied {
                assert_eq!(reply.parent_id, id);
                if tokio::time::timeout(Duration::from_millis(500), recv(&mut self.iopub))
                    .await
                    .is_ok()
                {
                    self.drain_iopub(Duration::from_millis(200)).await;
                    return;
                }
            }
        }
        panic!("the kernel never became ready");
    }

    pub fn message(&self, msg_type: &str, content: Value) -> (String, [Vec<u8>; 4]) {
        let id = uuid::Uuid::new_v4().to_string();
        let header = json!({
            "msg_id": id, "session": self.session, "username": "test", "msg_type": msg_type,
            "version": "5.4", "date": chrono::Utc::now().to_rfc3339(),
        });
        let parts =
            [header, json!({}), json!({}), content].map(|part| part.to_string().into_bytes());
        (id, parts)
    }

    /// Frames of a message signed with `key` (the right one, or not).
    pub fn frames(&self, key: &str, parts: &[Vec<u8>; 4]) -> Vec<Bytes> {
        let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
        let mut frames = vec![
            Bytes::from_static(b"<IDS|MSG>"),
            Bytes::from(sign(key, &refs)),
        ];
        frames.extend(parts.iter().cloned().map(Bytes::from));
        frames
    }

    pub async fn send_shell(&mut self, msg_type: &str, content: Value) -> String {
        let (id, parts) = self.message(msg_type, content);
        let frames = self.frames(KEY, &parts);
        send_frames(&mut self.shell, frames).await;
        id
    }

    pub async fn send_control(&mut self, msg_type: &str, content: Value) -> String {
        let (id, parts) = self.message(msg_type, content);
        let frames = self.frames(KEY, &parts);
        send_frames(&mut self.control, frames).await;
        id
    }

    pub async fn shell_reply(&mut self, id: &str, limit: Duration) -> Message {
        reply_to(&mut self.shell, id, limit).await
    }

    pub async fn control_reply(&mut self, id: &str, limit: Duration) -> Message {
        reply_to(&mut self.control, id, limit).await
    }

    /// iopub messages for request `id`, up to and including its `idle` status.
    pub async fn iopub_until_idle(&mut self, id: &str, limit: Duration) -> Vec<Message> {
        let deadline = Instant::now() + limit;
        let mut messages = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let message = tokio::time::timeout(left, recv(&mut self.iopub))
                .await
                .unwrap_or_else(|_| panic!("no idle for {id} within {limit:?}; got {messages:#?}"));
            if message.parent_id != id {
                continue;
            }
            let idle = message.msg_type == "status" && message.content["execution_state"] == "idle";
            messages.push(message);
            if idle {
                return messages;
            }
        }
    }

    /// Runs a cell: its reply and its iopub messages (busy first, idle last).
    pub async fn execute(&mut self, code: &str) -> (Message, Vec<Message>) {
        self.execute_with(code, json!({})).await
    }

    pub async fn execute_with(&mut self, code: &str, extra: Value) -> (Message, Vec<Message>) {
        let mut content = json!({
            "code": code, "silent": false, "store_history": true, "user_expressions": {},
            "allow_stdin": false, "stop_on_error": true,
        });
        content
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let id = self.send_shell("execute_request", content).await;
        let limit = Duration::from_secs(300);
        let reply = self.shell_reply(&id, limit).await;
        let outputs = self.iopub_until_idle(&id, limit).await;
        (reply, outputs)
    }

    pub async fn drain_iopub(&mut self, quiet: Duration) {
        while tokio::time::timeout(quiet, recv(&mut self.iopub))
            .await
            .is_ok()
        {}
    }

    /// True while the kernel process is running.
    pub fn is_alive(&mut self) -> bool {
        self.process.try_wait().unwrap().is_none()
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.work_dir.path().join(name)
    }

    /// What the kernel has logged so far, when it was started by `start_logging`.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.path(LOG_FILE)).unwrap()
    }
}

impl Drop for Kernel {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

async fn connect_retrying(socket: &mut impl Socket, endpoint: &str, deadline: Instant) {
    loop {
        match socket.connect(endpoint).await {
            Ok(()) => return,
            Err(error) if Instant::now() > deadline => panic!("connect {endpoint}: {error}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

pub async fn send_frames(socket: &mut DealerSocket, frames: Vec<Bytes>) {
    socket
        .send(ZmqMessage::try_from(frames).unwrap())
        .await
        .unwrap();
}

pub async fn recv(socket: &mut impl SocketRecv) -> Message {
    let frames = socket.recv().await.unwrap().into_vec();
    let delimiter = frames
        .iter()
        .position(|f| f.as_ref() == b"<IDS|MSG>")
        .unwrap();
    let parts: Vec<&[u8]> = frames[delimiter + 2..delimiter + 6]
        .iter()
        .map(|f| f.as_ref())
        .collect();
    assert_eq!(
        frames[delimiter + 1].as_ref(),
        sign(KEY, &parts).as_bytes(),
        "kernel messages are signed"
    );
    let json = |bytes: &[u8]| serde_json::from_slice::<Value>(bytes).unwrap();
    let header = json(parts[0]);
    let parent = json(parts[1]);
    Message {
        msg_type: header["msg_type"].as_str().unwrap().to_string(),
        parent_id: parent["msg_id"].as_str().unwrap_or_default().to_string(),
        header,
        metadata: json(parts[2]),
        content: json(parts[3]),
    }
}

async fn reply_to(socket: &mut DealerSocket, id: &str, limit: Duration) -> Message {
    let deadline = Instant::now() + limit;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let message = tokio::time::timeout(left, recv(socket))
            .await
            .unwrap_or_else(|_| panic!("no reply to {id} within {limit:?}"));
        if message.parent_id == id {
            return message;
        }
    }
}

/// The text of all stream messages of one name, concatenated.
pub fn stream_text(messages: &[Message], name: &str) -> String {
    messages
        .iter()
        .filter(|m| m.msg_type == "stream" && m.content["name"] == name)
        .map(|m| m.content["text"].as_str().unwrap().to_string())
        .collect()
}

pub fn of_type<'a>(messages: &'a [Message], msg_type: &str) -> Vec<&'a Message> {
    messages.iter().filter(|m| m.msg_type == msg_type).collect()
}

/// The plain-text form of a cell's first `execute_result`.
pub fn plain_result(messages: &[Message]) -> &Value {
    &of_type(messages, "execute_result")[0].content["data"]["text/plain"]
}

/// A crate named `name` in `dir` whose `src/lib.rs` is `source`, with `dependencies`.
pub fn write_crate(dir: &std::path::Path, name: &str, dependencies: &str, source: &str) {
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\n{dependencies}"
        ),
    )
    .unwrap();
    std::fs::write(dir.join("src/lib.rs"), source).unwrap();
}
