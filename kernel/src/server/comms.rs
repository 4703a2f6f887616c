//! Comms, as ipykernel's comm manager answers them: `comm_info_request` lists the comms cell
//! code has opened (filtered by target); `comm_msg` and `comm_close` for one of them go to the
//! cell process, whose handler's output is parented to the message; a `comm_open` from the
//! frontend for a target no one registered is closed again; messages for unknown comms are
//! logged and dropped.

use std::time::Duration;

use jupyter_protocol::{
    CommClose, CommId, CommInfo, CommInfoReply, CommInfoRequest, JupyterMessage,
    JupyterMessageContent,
};
use serde_json::json;

use super::Shared;

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
        let (comm_id, msg_type, data) = match &request.content {
            JupyterMessageContent::CommOpen(open) => {
                // No target can be registered from cell code yet, so every open is refused
                // the way ipykernel refuses an unknown target: by closing the comm.
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
        if self.router.comms().target(&comm_id.0).is_none() {
            log::info!("{msg_type} for unknown comm {}", comm_id.0);
            return;
        }
        if msg_type == "comm_close" {
            self.router.comms().closed(&comm_id.0);
        }
        let Some(events) = &self.events else {
            return;
        };
        let msg_id = request.header.msg_id.clone();
        let event = json!({
            "msg_type": msg_type,
            "comm_id": comm_id.0,
            "msg_id": msg_id,
            "data": data,
        });
        self.router.begin_cell(request, false);
        let handled = self.router.comms().expect_handled(&msg_id);
        if events.send(&event) && tokio::time::timeout(HANDLER_LIMIT, handled).await.is_err() {
            log::warn!("the handler of comm {} is still running", comm_id.0);
        }
        self.router.finish_cell();
    }
}
