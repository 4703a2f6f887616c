//! The kernel's copy of every widget's state, kept from the comm messages that pass through it
//! (a widget's `comm_open`, then `update`s from cell code and from the browser), so that the
//! `jupyter.widget.control` comm can answer a reloaded page with every state in one message,
//! as ipywidgets' `request_states` does.
//!
//! Binary values travel beside the JSON, as the message's buffers: `buffer_paths[i]` says where
//! in the state `buffers[i]` belongs. They are kept here the same way.

use std::collections::BTreeMap;

use bytes::Bytes;
use parking_lot::Mutex;
use serde_json::{Map, Value, json};

/// The comm target of ipywidgets' models.
pub const WIDGET_TARGET: &str = "jupyter.widget";
/// The comm target through which a page asks for every widget's state at once.
pub const CONTROL_TARGET: &str = "jupyter.widget.control";

/// One widget: its JSON state and its binary values by path.
#[derive(Default, Clone)]
struct WidgetState {
    state: Map<String, Value>,
    /// (path in the state, bytes), one per path.
    binary: Vec<(Vec<Value>, Bytes)>,
}

/// Every open widget's state, by model (comm) id.
#[derive(Default)]
pub struct WidgetStates {
    widgets: Mutex<BTreeMap<String, WidgetState>>,
}

impl WidgetStates {
    /// A widget's `comm_open`: its whole state.
    pub fn opened(&self, id: &str, data: &Map<String, Value>, buffers: &[Bytes]) {
        let mut widget = WidgetState::default();
        merge(&mut widget, data, buffers);
        self.widgets.lock().insert(id.to_string(), widget);
    }

    /// A `comm_msg` to or from a widget; only `update`s change the state.
    pub fn message(&self, id: &str, data: &Map<String, Value>, buffers: &[Bytes]) {
        if data.get("method").and_then(Value::as_str) != Some("update") {
            return;
        }
        if let Some(widget) = self.widgets.lock().get_mut(id) {
            merge(widget, data, buffers);
        }
    }

    /// One widget's JSON state.
    pub fn state(&self, id: &str) -> Option<Map<String, Value>> {
        Some(self.widgets.lock().get(id)?.state.clone())
    }

    pub fn is_empty(&self) -> bool {
        self.widgets.lock().is_empty()
    }

    pub fn closed(&self, id: &str) {
        self.widgets.lock().remove(id);
    }

    pub fn clear(&self) {
        self.widgets.lock().clear();
    }

    /// The `update_states` answer to `request_states`, with its buffers: every state under its
    /// model id, each binary value's path starting with that id and `state`.
    pub fn update_states(&self) -> (Map<String, Value>, Vec<Bytes>) {
        let widgets = self.widgets.lock();
        let mut states = Map::new();
        let mut buffer_paths = Vec::new();
        let mut buffers = Vec::new();
        for (id, widget) in widgets.iter() {
            let field = |name: &str| widget.state.get(name).cloned().unwrap_or(Value::Null);
            states.insert(
                id.clone(),
                json!({
                    "model_name": field("_model_name"),
                    "model_module": field("_model_module"),
                    "model_module_version": field("_model_module_version"),
                    "state": widget.state,
                }),
            );
            for (path, bytes) in &widget.binary {
                let mut full = vec![json!(id), json!("state")];
                full.extend(path.iter().cloned());
                buffer_paths.push(Value::Array(full));
                buffers.push(bytes.clone());
            }
        }
        let mut data = Map::new();
        data.insert("method".into(), json!("update_states"));
        data.insert("states".into(), Value::Object(states));
        data.insert("buffer_paths".into(), Value::Array(buffer_paths));
        (data, buffers)
    }
}

/// Applies `data`'s `state` and its buffers to `widget`: a key set in the JSON replaces a binary
/// value kept under it, and a buffer replaces the JSON value at its path.
fn merge(widget: &mut WidgetState, data: &Map<String, Value>, buffers: &[Bytes]) {
    if let Some(Value::Object(changes)) = data.get("state") {
        for (key, value) in changes {
            widget
                .binary
                .retain(|(path, _)| path.first() != Some(&json!(key)));
            widget.state.insert(key.clone(), value.clone());
        }
    }
    let paths = data.get("buffer_paths").and_then(Value::as_array);
    for (path, bytes) in paths.into_iter().flatten().zip(buffers) {
        let Some(path) = path.as_array().filter(|path| !path.is_empty()) else {
            continue;
        };
        // A top-level binary value has no JSON form: the page gets it from the buffer.
        if let [Value::String(key)] = path.as_slice() {
            widget.state.remove(key);
        }
        widget.binary.retain(|(kept, _)| kept != path);
        widget.binary.push((path.clone(), bytes.clone()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn updates_from_either_side_are_merged_into_the_opened_state() {
        let states = WidgetStates::default();
        let open = json!({"state": {"_model_name": "IntSliderModel", "_model_module": "@jupyter-widgets/controls",
            "_model_module_version": "2.0.0", "value": 3, "min": 1}, "buffer_paths": []});
        states.opened("w", &map(open), &[]);
        states.message(
            "w",
            &map(json!({"method": "update", "state": {"value": 5}})),
            &[],
        );
        states.message("w", &map(json!({"method": "custom", "content": {}})), &[]);
        states.message(
            "unknown",
            &map(json!({"method": "update", "state": {"value": 9}})),
            &[],
        );
        let (data, buffers) = states.update_states();
        assert!(buffers.is_empty());
        assert_eq!(data["method"], "update_states");
        assert_eq!(data["states"]["w"]["model_name"], "IntSliderModel");
        assert_eq!(data["states"]["w"]["model_module_version"], "2.0.0");
        assert_eq!(data["states"]["w"]["state"]["value"], 5);
        assert_eq!(data["states"]["w"]["state"]["min"], 1);
        assert_eq!(data["states"].as_object().unwrap().len(), 1);
        states.closed("w");
        assert!(
            states.update_states().0["states"]
                .as_object()
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn binary_values_keep_their_paths_under_the_widget_id() {
        let states = WidgetStates::default();
        let open = json!({"state": {"_model_name": "ImageModel", "format": "png"}, "buffer_paths": [["value"]]});
        states.opened("img", &map(open), &[Bytes::from_static(b"one")]);
        let update = json!({"method": "update", "state": {}, "buffer_paths": [["value"]]});
        states.message("img", &map(update), &[Bytes::from_static(b"two")]);
        let (data, buffers) = states.update_states();
        assert_eq!(data["buffer_paths"], json!([["img", "state", "value"]]));
        assert_eq!(buffers, vec![Bytes::from_static(b"two")]);
        assert!(data["states"]["img"]["state"].get("value").is_none());
        // A JSON value for the same key replaces the binary one.
        let cleared = json!({"method": "update", "state": {"value": null}});
        states.message("img", &map(cleared), &[]);
        let (data, buffers) = states.update_states();
        assert!(buffers.is_empty());
        assert_eq!(data["states"]["img"]["state"]["value"], Value::Null);
    }
}
