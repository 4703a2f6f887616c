//! Comms, as ipykernel's comm manager answers them: `comm_info_request` lists the open comms
//! (filtered by target); a `comm_open` from the frontend goes to the cell process, which runs
//! the handler cell code registered for its target or closes the comm again; `comm_msg` and
//! `comm_close` for an open comm go there too, the handler's output parented to the message.
//! Messages for unknown comms are logged and dropped. The kernel itself answers the
//! `jupyter.widget.control` comm (every widget's state at once) and echoes a page's widget
//! updates to every page, as ipywidgets 8 does.

use std::time::Duration;

use bytes::Bytes;
use jupyter_protocol::{
    CommClose, CommId, CommInfo, CommInfoReply, CommInfoRequest, CommMsg, JupyterMessage,
    JupyterMessageContent,
};
use serde_json::{Map, Value, json};

use super::Shared;
use crate::output::widget_states::{CONTROL_TARGET, WIDGET_TARGET};

/// How long a comm handler in the cell process may run before the kernel goes idle anyway
/// (its output still arrives, parented to the same message).
const HANDLER_LIMIT: Duration = Duration::from_secs(60);

impl Shared {
    pub(super) fn comm_info(&self, request: &CommInfoRequest) -> CommInfoReply {
        let comms = self
            .router
            .comms()
            .list(request.target_name.as_deref())
            .into_iter()
            .map(|(id, target_name)| (CommId(id), CommInfo { target_name }))
            .collect();
        CommInfoReply {
            comms,
            ..CommInfoReply::default()
        }
    }

    /// Handles a comm message from the frontend (no reply is sent for these).
    pub(super) async fn comm_from_frontend(&self, request: &JupyterMessage) {
        let comms = self.router.comms();
        let (comm_id, msg_type, data) = match &request.content {
            JupyterMessageContent::CommOpen(open) if open.target_name == CONTROL_TARGET => {
                comms.opened(&open.comm_id.0, CONTROL_TARGET);
                return;
            }
            JupyterMessageContent::CommOpen(open) if self.events.is_some() => {
                // The cell process runs the target's handler, or closes the comm when cell
                // code registered no such target (as ipykernel does).
                comms.opened(&open.comm_id.0, &open.target_name);
                (&open.comm_id, "comm_open", &open.data)
            }
            JupyterMessageContent::CommOpen(open) => {
                log::warn!("no comm target {:?}; closing the comm", open.target_name);
                let close = CommClose {
                    comm_id: open.comm_id.clone(),
                    data: Default::default(),
                };
                self.publish(request, close);
                return;
            }
            JupyterMessageContent::CommMsg(message) => {
                (&message.comm_id, "comm_msg", &message.data)
            }
            JupyterMessageContent::CommClose(close) => (&close.comm_id, "comm_close", &close.data),
            _ => return,
        };
        let Some(target) = comms.target(&comm_id.0) else {
            log::info!("{msg_type} for unknown comm {}", comm_id.0);
            return;
        };
        if msg_type == "comm_close" {
            comms.closed(&comm_id.0);
        }
        if target == CONTROL_TARGET {
            self.control_message(request, comm_id, data);
            return;
        }
        if target == WIDGET_TARGET && msg_type == "comm_msg" {
            comms.widgets().message(&comm_id.0, data, &request.buffers);
            self.echo_update(request, comm_id, data);
        }
        let Some(events) = &self.events else {
            return;
        };
        let msg_id = request.header.msg_id.clone();
        let mut event = json!({
            "msg_type": msg_type,
            "comm_id": comm_id.0,
            "msg_id": msg_id,
            "data": data,
        });
        if let JupyterMessageContent::CommOpen(open) = &request.content {
            event["target_name"] = json!(open.target_name);
        }
        if !request.buffers.is_empty() {
            let buffers: Vec<&[u8]> = request.buffers.iter().map(|bytes| &bytes[..]).collect();
            event["buffers"] = json!(buffers);
        }
        self.router.begin_cell(request, false);
        let handled = comms.expect_handled(&msg_id);
        if events.send(&event) && tokio::time::timeout(HANDLER_LIMIT, handled).await.is_err() {
            log::warn!("the handler of comm {} is still running", comm_id.0);
        }
        self.router.finish_cell();
    }

    /// The `jupyter.widget.control` comm: a page that loads asks for every widget's state
    /// at once (`request_states`) and gets them in one `update_states`.
    fn control_message(
        &self,
        request: &JupyterMessage,
        comm_id: &CommId,
        data: &Map<String, Value>,
    ) {
        match data.get("method").and_then(Value::as_str) {
            Some("request_states") => {
                let (states, buffers) = self.router.comms().widgets().update_states();
                self.publish_comm_msg(request, comm_id, states, buffers);
            }
            Some(other) => log::warn!("unknown method {other:?} on the widget control comm"),
            None => {}
        }
    }

    /// Repeats a page's `update` to every page as an `echo_update` (ipywidgets 8), so that
    /// other pages on this kernel follow; the sender recognises its own by the parent header.
    /// `JUPYTER_WIDGETS_ECHO=0` turns it off, as it does for ipywidgets.
    fn echo_update(&self, request: &JupyterMessage, comm_id: &CommId, data: &Map<String, Value>) {
        if data.get("method").and_then(Value::as_str) != Some("update")
            || std::env::var("JUPYTER_WIDGETS_ECHO").is_ok_and(|echo| echo == "0")
        {
            return;
        }
        let mut echo = data.clone();
        echo.insert("method".into(), json!("echo_update"));
        self.publish_comm_msg(request, comm_id, echo, request.buffers.clone());
    }

    fn publish_comm_msg(
        &self,
        request: &JupyterMessage,
        comm_id: &CommId,
        data: Map<String, Value>,
        buffers: Vec<Bytes>,
    ) {
        let content = CommMsg {
            comm_id: comm_id.clone(),
            data,
        };
        let mut message = self.session.child(request, content);
        message.buffers = buffers;
        self.iopub.publish(message);
    }
}
