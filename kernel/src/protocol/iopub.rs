//! The iopub channel: one queue that every part of the kernel publishes into, so side effects
//! leave in the order they were produced.

use jupyter_protocol::JupyterMessage;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

/// A cloneable handle that publishes messages on iopub, from async code or plain threads.
#[derive(Clone)]
pub struct Iopub {
    queue: UnboundedSender<JupyterMessage>,
}

impl Iopub {
    pub fn new() -> (Iopub, UnboundedReceiver<JupyterMessage>) {
        let (queue, receiver) = unbounded_channel();
        (Iopub { queue }, receiver)
    }

    /// Queues `message`, tagging it with the topic ipykernel uses (`kernel.<session>.<type>`).
    pub fn publish(&self, mut message: JupyterMessage) {
        let topic = format!(
            "kernel.{}.{}",
            message.header.session, message.header.msg_type
        );
        message.zmq_identities = vec![topic.into()];
        if self.queue.send(message).is_err() {
            log::debug!("iopub is closed; dropping a message");
        }
    }
}
