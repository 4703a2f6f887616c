//! A Jupyter client for our own kernel: it starts this very binary as a kernel (`run` on a
//! fresh connection file, in the notebook's directory, as Jupyter would) and speaks the wire
//! protocol to it over ZeroMQ with the kernel's own [`Codec`], so no Jupyter is needed.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use jupyter_protocol::{
    ExecuteRequest, JupyterMessage, JupyterMessageContent, KernelInfoRequest, ShutdownRequest,
};
use zeromq::util::PeerIdentity;
use zeromq::{DealerSocket, Socket, SocketOptions, SocketRecv, SocketSend, SubSocket, ZmqMessage};

use crate::protocol::wire::Codec;

/// A kernel process started by us, and the sockets connected to it.
pub struct KernelClient {
    process: Child,
    codec: Codec,
    session: String,
    shell: DealerSocket,
    control: DealerSocket,
    iopub: SubSocket,
}

/// What one execute request produced: the iopub messages it caused, in order, then its reply.
pub enum Event {
    /// An iopub message whose parent is the request (outputs, status...).
    Iopub(JupyterMessageContent),
    /// The execute reply on the shell socket.
    Reply(JupyterMessageContent),
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

impl KernelClient {
    /// Starts the kernel in `work_dir` (relative `:dep` paths resolve from there), its log
    /// going to `log`, and waits until it answers `kernel_info` and iopub is connected.
    pub async fn start(work_dir: &Path, log: std::fs::File) -> anyhow::Result<KernelClient> {
        let key = uuid::Uuid::new_v4().to_string();
        let ports = (0..5)
            .map(|_| free_port())
            .collect::<anyhow::Result<Vec<_>>>()?;
        let connection = serde_json::json!({
            "ip": "127.0.0.1", "transport": "tcp",
            "shell_port": ports[0], "iopub_port": ports[1], "stdin_port": ports[2],
            "control_port": ports[3], "hb_port": ports[4],
            "key": key, "signature_scheme": "hmac-sha256", "kernel_name": "rust-lessons",
        });
        let connection_dir = std::env::temp_dir();
        let connection_file =
            connection_dir.join(format!("lessons-notes-{}.json", uuid::Uuid::new_v4()));
        write_private(&connection_file, &connection.to_string())?;
        let exe = std::env::current_exe().context("finding this executable")?;
        let process = Command::new(exe)
            .args(["run", "--connection-file"])
            .arg(&connection_file)
            .current_dir(work_dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .context("starting the kernel")?;
        let session = uuid::Uuid::new_v4().to_string();
        let identity = || {
            let mut options = SocketOptions::default();
            if let Ok(id) = PeerIdentity::try_from(session.as_bytes().to_vec()) {
                options.peer_identity(id);
            }
            options
        };
        let mut client = KernelClient {
            process,
            codec: Codec::new("hmac-sha256", &key)?,
            session: session.clone(),
            shell: DealerSocket::with_options(identity()),
            control: DealerSocket::with_options(identity()),
            iopub: SubSocket::new(),
        };
        let started = client.connect(&ports).await;
        let _ = std::fs::remove_file(&connection_file);
        started?;
        Ok(client)
    }

    async fn connect(&mut self, ports: &[u16]) -> anyhow::Result<()> {
        let deadline = Instant::now() + Duration::from_secs(60);
        let endpoint = |port: u16| format!("tcp://127.0.0.1:{port}");
        connect_retrying(
            &mut self.shell,
            &endpoint(ports[0]),
            deadline,
            &mut self.process,
        )
        .await?;
        connect_retrying(
            &mut self.control,
            &endpoint(ports[3]),
            deadline,
            &mut self.process,
        )
        .await?;
        connect_retrying(
            &mut self.iopub,
            &endpoint(ports[1]),
            deadline,
            &mut self.process,
        )
        .await?;
        self.iopub.subscribe("").await?;
        // As jupyter_client does: ask for kernel_info until a reply and some iopub arrive.
        while Instant::now() < deadline {
            self.check_alive()?;
            let request = self.send_shell(KernelInfoRequest {}).await?;
            let replied =
                tokio::time::timeout(Duration::from_secs(1), self.recv_reply(&request)).await;
            if replied.is_ok()
                && tokio::time::timeout(Duration::from_millis(500), self.iopub.recv())
                    .await
                    .is_ok()
            {
                // Let the rest of the start-up chatter pass.
                while tokio::time::timeout(Duration::from_millis(200), self.iopub.recv())
                    .await
                    .is_ok()
                {}
                return Ok(());
            }
        }
        bail!("the kernel did not answer within a minute")
    }

    fn check_alive(&mut self) -> anyhow::Result<()> {
        if let Some(status) = self.process.try_wait()? {
            bail!("the kernel exited ({status})");
        }
        Ok(())
    }

    fn message(&self, content: impl Into<JupyterMessageContent>) -> JupyterMessage {
        let mut message = JupyterMessage::new(content, None);
        message.header.session.clone_from(&self.session);
        message.header.username = "lessons-notes".into();
        message
    }

    async fn send_shell(
        &mut self,
        content: impl Into<JupyterMessageContent>,
    ) -> anyhow::Result<String> {
        let message = self.message(content);
        let frames = self.codec.encode(&message)?;
        self.shell
            .send(ZmqMessage::try_from(frames).map_err(anyhow::Error::msg)?)
            .await?;
        Ok(message.header.msg_id)
    }

    /// The next shell message that answers `request`.
    async fn recv_reply(&mut self, request: &str) -> anyhow::Result<JupyterMessage> {
        loop {
            let frames = self.shell.recv().await?.into_vec();
            let message = self.codec.decode(frames)?;
            if message
                .parent_header
                .as_ref()
                .is_some_and(|p| p.msg_id == request)
            {
                return Ok(message);
            }
        }
    }

    /// Runs `code` as a cell, handing each output to `on_event` as it arrives, until the reply
    /// and the `idle` status for it are both in; `Err` when that takes longer than `limit` or
    /// the kernel dies.
    pub async fn execute(
        &mut self,
        code: &str,
        limit: Duration,
        mut on_event: impl FnMut(Event),
    ) -> anyhow::Result<()> {
        let request = ExecuteRequest {
            code: code.to_owned(),
            silent: false,
            store_history: true,
            user_expressions: None,
            allow_stdin: false,
            stop_on_error: true,
        };
        let id = self.send_shell(request).await?;
        let deadline = tokio::time::Instant::now() + limit;
        let (mut replied, mut idle) = (false, false);
        while !(replied && idle) {
            let step = tokio::time::timeout_at(deadline, async {
                tokio::select! {
                    frames = self.iopub.recv() => Ok::<_, anyhow::Error>((false, frames?.into_vec())),
                    frames = self.shell.recv(), if !replied => Ok((true, frames?.into_vec())),
                    _ = tokio::time::sleep(Duration::from_secs(1)) => Ok((false, Vec::new())),
                }
            })
            .await
            .map_err(|_| anyhow::anyhow!("the cell did not finish within {} s", limit.as_secs()))??;
            let (from_shell, frames) = step;
            if frames.is_empty() {
                self.check_alive()?;
                continue;
            }
            let message = match self.codec.decode(frames) {
                Ok(message) => message,
                Err(error) => {
                    log::warn!("dropped a message from the kernel: {error}");
                    continue;
                }
            };
            if message
                .parent_header
                .as_ref()
                .is_none_or(|p| p.msg_id != id)
            {
                continue;
            }
            if from_shell {
                replied = true;
                on_event(Event::Reply(message.content));
            } else {
                if let JupyterMessageContent::Status(status) = &message.content {
                    idle |= status.execution_state == jupyter_protocol::ExecutionState::Idle;
                }
                on_event(Event::Iopub(message.content));
            }
        }
        Ok(())
    }

    /// Asks the kernel to shut down, and ends it if it has not within a few seconds.
    pub async fn shutdown(mut self) {
        let message = self.message(ShutdownRequest { restart: false });
        if let Ok(frames) = self.codec.encode(&message)
            && let Ok(frames) = ZmqMessage::try_from(frames)
        {
            let _ = self.control.send(frames).await;
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.process.try_wait() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

impl Drop for KernelClient {
    fn drop(&mut self) {
        if let Ok(None) = self.process.try_wait() {
            let _ = self.process.kill();
            let _ = self.process.wait();
        }
    }
}

async fn connect_retrying(
    socket: &mut impl Socket,
    endpoint: &str,
    deadline: Instant,
    process: &mut Child,
) -> anyhow::Result<()> {
    loop {
        match socket.connect(endpoint).await {
            Ok(()) => return Ok(()),
            Err(error) if Instant::now() > deadline => {
                bail!("connecting to the kernel at {endpoint}: {error}")
            }
            Err(_) => {
                if let Some(status) = process.try_wait()? {
                    bail!("the kernel exited ({status})");
                }
                tokio::time::sleep(Duration::from_millis(50)).await
            }
        }
    }
}

/// Writes the connection file readable by its owner only: it holds the signing key.
fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("writing {}", path.display()))?;
    file.write_all(text.as_bytes())?;
    Ok(())
}
