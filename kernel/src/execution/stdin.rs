//! The stdin channel: how a running cell asks the frontend for a line of input.

use std::sync::{Arc, mpsc};
use std::time::Duration;

use jupyter_protocol::JupyterMessage;
use tokio::sync::mpsc::UnboundedSender;

use crate::execution::executor::Interrupter;

/// One question for the frontend, and where its answer goes.
pub struct InputQuestion {
    pub prompt: String,
    pub password: bool,
    /// The execute request that is asking; its sender answers on stdin.
    pub parent: Arc<JupyterMessage>,
    pub answer: mpsc::Sender<String>,
}

/// Lets the executor thread ask the stdin task a question and wait for the answer.
#[derive(Clone)]
pub struct StdinBridge {
    pub questions: UnboundedSender<InputQuestion>,
    pub parent: Arc<JupyterMessage>,
}

impl StdinBridge {
    /// The frontend's answer, or None if the cell was interrupted while waiting.
    pub fn ask(&self, prompt: &str, password: bool, interrupter: &Interrupter) -> Option<String> {
        let (answer, answers) = mpsc::channel();
        let question = InputQuestion {
            prompt: prompt.to_string(),
            password,
            parent: self.parent.clone(),
            answer,
        };
        self.questions.send(question).ok()?;
        loop {
            match answers.recv_timeout(Duration::from_millis(100)) {
                Ok(value) => return Some(value),
                Err(mpsc::RecvTimeoutError::Timeout) if !interrupter.is_requested() => {}
                Err(_) => return None,
            }
        }
    }
}
