//! The kernel's own session: the headers of every message the kernel sends.
//!
//! A kernel-originated message carries the kernel's session id (not the client's), a fresh
//! `msg_id`, the current time and the request that caused it as its parent.

use jupyter_protocol::{JupyterMessage, JupyterMessageContent};

/// The messaging protocol version this kernel speaks.
pub const PROTOCOL_VERSION: &str = "5.3";

/// Builds the headers of the messages this kernel process sends.
pub struct Session {
    id: String,
}

impl Session {
    pub fn new() -> Session {
        Session {
            id: uuid::Uuid::new_v4().to_string(),
        }
    }

    /// A message caused by `parent` (a reply on the same socket, or an iopub side effect).
    pub fn child(
        &self,
        parent: &JupyterMessage,
        content: impl Into<JupyterMessageContent>,
    ) -> JupyterMessage {
        self.own(JupyterMessage::new(content, Some(parent)))
    }

    /// A message with no parent, such as the `starting` status.
    pub fn orphan(&self, content: impl Into<JupyterMessageContent>) -> JupyterMessage {
        self.own(JupyterMessage::new(content, None))
    }

    fn own(&self, mut message: JupyterMessage) -> JupyterMessage {
        message.header.session.clone_from(&self.id);
        message.header.username = "kernel".into();
        message.header.version = PROTOCOL_VERSION.into();
        message
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jupyter_protocol::{KernelInfoRequest, Status};

    #[test]
    fn children_carry_the_kernel_session_and_the_parent_header() {
        let session = Session::new();
        let request = JupyterMessage::new(KernelInfoRequest {}, None);
        let busy = session.child(&request, Status::busy());
        assert_eq!(busy.header.session, session.id);
        assert_ne!(busy.header.session, request.header.session);
        assert_eq!(busy.parent_header.unwrap().msg_id, request.header.msg_id);
        assert_eq!(busy.header.version, PROTOCOL_VERSION);
        assert_ne!(busy.header.msg_id, request.header.msg_id);
    }
}
