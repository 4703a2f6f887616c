//! Requests answered the same on shell and control (kernel info, history, is-complete,
//! shutdown), and the busy/idle status around every request.

use std::time::Duration;

use jupyter_protocol::{
    HelpLink, HistoryReply, JupyterMessage, JupyterMessageContent, KernelInfoReply, LanguageInfo,
    ReplyStatus, ShutdownReply, Status,
};

use super::{Replier, Shared, error_reply};
use crate::protocol::session::PROTOCOL_VERSION;
use crate::server::is_complete::is_complete;

impl Shared {
    pub(super) fn status(&self, parent: &JupyterMessage, status: Status) {
        self.iopub.publish(self.session.child(parent, status));
    }

    pub(super) fn publish(
        &self,
        parent: &JupyterMessage,
        content: impl Into<JupyterMessageContent>,
    ) {
        self.iopub.publish(self.session.child(parent, content));
    }

    /// Requests that do not need evcxr, answered the same on shell and control.
    pub(super) async fn answer_anywhere(&self, replier: &Replier, request: &JupyterMessage) {
        let reply: JupyterMessageContent = match &request.content {
            JupyterMessageContent::KernelInfoRequest(_) => self.kernel_info().into(),
            JupyterMessageContent::IsCompleteRequest(question) => {
                is_complete(&question.code).into()
            }
            JupyterMessageContent::HistoryRequest(question) => {
                HistoryReply::new(self.history.lock().answer(question)).into()
            }
            JupyterMessageContent::CommInfoRequest(question) => self.comm_info(question).into(),
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

    pub(super) fn kernel_info(&self) -> KernelInfoReply {
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

    pub(super) async fn shut_down(&self, request: &JupyterMessage) {
        log::info!("shutting down");
        self.interrupter.interrupt();
        self.executor.shut_down(Duration::from_secs(5)).await;
        self.status(request, Status::idle());
        // Let the iopub task send what is queued.
        tokio::time::sleep(Duration::from_millis(100)).await;
        std::process::exit(0);
    }
}
