//! The comms that cell code has opened and not closed, as `comm_info_request` reports them,
//! their widgets' states, and the wait for a comm handler in the cell process to finish.

use std::collections::BTreeMap;

use parking_lot::Mutex;
use tokio::sync::oneshot;

use crate::output::widget_states::WidgetStates;

/// Open comms by id, with their target names.
#[derive(Default)]
pub struct OpenComms {
    open: Mutex<BTreeMap<String, String>>,
    /// The event whose handler is running, and who waits for it.
    waiting: Mutex<Option<(String, oneshot::Sender<()>)>>,
    widgets: WidgetStates,
}

impl OpenComms {
    pub fn opened(&self, comm_id: &str, target_name: &str) {
        self.open
            .lock()
            .insert(comm_id.to_string(), target_name.to_string());
    }

    pub fn closed(&self, comm_id: &str) {
        self.open.lock().remove(comm_id);
        self.widgets.closed(comm_id);
    }

    /// The states of the widgets among them.
    pub fn widgets(&self) -> &WidgetStates {
        &self.widgets
    }

    /// Forgets every open comm (their handlers died with the cell process); returns their ids.
    pub fn close_all(&self) -> Vec<String> {
        self.widgets.clear();
        std::mem::take(&mut *self.open.lock()).into_keys().collect()
    }

    /// The target of an open comm.
    pub fn target(&self, comm_id: &str) -> Option<String> {
        self.open.lock().get(comm_id).cloned()
    }

    /// Open comms (id, target), only those of `target_name` when one is given.
    pub fn list(&self, target_name: Option<&str>) -> Vec<(String, String)> {
        self.open
            .lock()
            .iter()
            .filter(|(_, target)| target_name.is_none_or(|wanted| wanted == target.as_str()))
            .map(|(id, target)| (id.clone(), target.clone()))
            .collect()
    }

    /// Resolves when the cell process reports that it handled the event `msg_id`.
    pub fn expect_handled(&self, msg_id: &str) -> oneshot::Receiver<()> {
        let (done, waiting) = oneshot::channel();
        *self.waiting.lock() = Some((msg_id.to_string(), done));
        waiting
    }

    /// The cell process handled the event `msg_id`.
    pub fn handled(&self, msg_id: &str) {
        let mut waiting = self.waiting.lock();
        if waiting.as_ref().is_some_and(|(id, _)| id == msg_id)
            && let Some((_, done)) = waiting.take()
        {
            let _ = done.send(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comms_are_listed_by_target_until_closed() {
        let comms = OpenComms::default();
        comms.opened("a", "jupyter.widget");
        comms.opened("b", "other");
        assert_eq!(comms.list(None).len(), 2);
        assert_eq!(
            comms.list(Some("jupyter.widget")),
            vec![("a".to_string(), "jupyter.widget".to_string())]
        );
        comms.closed("a");
        assert_eq!(comms.target("a"), None);
        assert_eq!(comms.target("b").as_deref(), Some("other"));
        assert_eq!(comms.close_all(), vec!["b".to_string()]);
        assert!(comms.list(None).is_empty());
    }

    #[test]
    fn only_the_awaited_event_ends_the_wait() {
        let comms = OpenComms::default();
        let mut waiting = comms.expect_handled("m1");
        comms.handled("m0");
        assert!(waiting.try_recv().is_err());
        comms.handled("m1");
        assert!(waiting.try_recv().is_ok());
    }
}
