//! One widget: a standard ipywidgets 8 model whose state is kept in step with the browser.

use std::fmt;
use std::sync::{Arc, Mutex};

use serde_json::{Map, Value, json};

use super::comm::{Comm, unique_id};
use crate::display::{MimeBundle, RichDisplay, show};

/// What a widget's listeners are called with: the names of the state keys that changed.
type Listener = Box<dyn Fn(&Widget, &[String]) + Send + Sync>;
/// What a button's listeners are called with.
type ClickListener = Box<dyn Fn(&Widget) + Send + Sync>;

/// The state shared by a widget's handle(s) and its comm handler.
struct Shared {
    id: String,
    state: Mutex<Map<String, Value>>,
    on_change: Mutex<Vec<Listener>>,
    on_click: Mutex<Vec<ClickListener>>,
    comm: Mutex<Option<Comm>>,
}

/// A Jupyter widget: its model state here, in step with the browser's when the kernel speaks
/// comms. A change in the browser updates [`Widget::get`] and calls the
/// [`Widget::on_change`] listeners; [`Widget::set`] updates the browser.
///
/// Without comms (plain evcxr, tests) a widget still holds its state, so code that reads and
/// sets it runs the same; it is simply not drawn.
///
/// # Examples
///
/// ```
/// use lessons::widgets::Widget;
///
/// let slider = Widget::int_slider("replicas", 1..=9, 3)?;
/// assert_eq!(slider.get("value"), 3);
/// slider.set("value", 5);
/// assert_eq!(slider.get("value"), 5);
/// assert!(!slider.is_live());
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Clone)]
pub struct Widget {
    shared: Arc<Shared>,
}

impl fmt::Debug for Widget {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("Widget")
            .field("id", &self.shared.id)
            .field("model", &self.get("_model_name"))
            .finish()
    }
}

impl Widget {
    /// A widget of `module`'s model `name`Model drawn by its `name`View, with `state` on top of
    /// the model's defaults: the way to any standard widget this module has no constructor for.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::widgets::Widget;
    ///
    /// let label = Widget::model("@jupyter-widgets/controls", "Label", serde_json::json!({"value": "hi"}));
    /// assert_eq!(label.get("_model_name"), "LabelModel");
    /// ```
    pub fn model(module: &str, name: &str, state: Value) -> Widget {
        let mut full = match state {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        let version = if module == "@jupyter-widgets/output" {
            "1.0.0"
        } else {
            "2.0.0"
        };
        for (key, value) in [
            ("_model_module", json!(module)),
            ("_model_module_version", json!(version)),
            ("_model_name", json!(format!("{name}Model"))),
            ("_view_module", json!(module)),
            ("_view_module_version", json!(version)),
            ("_view_name", json!(format!("{name}View"))),
        ] {
            full.insert(key.to_string(), value);
        }
        Widget::open(full)
    }

    fn open(state: Map<String, Value>) -> Widget {
        let shared = Arc::new(Shared {
            id: unique_id(),
            state: Mutex::new(state.clone()),
            on_change: Mutex::default(),
            on_click: Mutex::default(),
            comm: Mutex::default(),
        });
        // The browser may send messages for as long as the page lives, so the handler keeps
        // the widget alive in the cell process.
        let listening = Widget {
            shared: Arc::clone(&shared),
        };
        let data = json!({"state": Value::Object(state), "buffer_paths": []});
        let comm = Comm::open_as(&shared.id, "jupyter.widget", data, move |message| {
            listening.receive(message)
        });
        if let Ok(mut slot) = shared.comm.lock() {
            *slot = comm;
        }
        Widget { shared }
    }

    /// The model id (the comm id) the browser knows this widget by.
    pub fn id(&self) -> &str {
        &self.shared.id
    }

    /// True when the widget lives in a browser (the kernel speaks comms).
    pub fn is_live(&self) -> bool {
        self.shared
            .comm
            .lock()
            .map(|comm| comm.is_some())
            .unwrap_or(false)
    }

    /// One key of the state (`value`, `description`, `index`, ...); `null` when absent.
    pub fn get(&self, key: &str) -> Value {
        self.shared
            .state
            .lock()
            .ok()
            .and_then(|state| state.get(key).cloned())
            .unwrap_or(Value::Null)
    }

    /// Sets one key of the state here and in the browser.
    pub fn set(&self, key: &str, value: impl Into<Value>) {
        let value = value.into();
        if let Ok(mut state) = self.shared.state.lock() {
            state.insert(key.to_string(), value.clone());
        }
        self.send(json!({"method": "update", "state": {key: value}, "buffer_paths": []}));
    }

    /// Calls `listener` after every change the browser makes, with the changed keys.
    pub fn on_change(&self, listener: impl Fn(&Widget, &[String]) + Send + Sync + 'static) {
        if let Ok(mut listeners) = self.shared.on_change.lock() {
            listeners.push(Box::new(listener));
        }
    }

    /// Calls `listener` on every click of a button.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::widgets::Widget;
    ///
    /// let button = Widget::button("run again");
    /// button.on_click(|_| println!("clicked"));
    /// ```
    pub fn on_click(&self, listener: impl Fn(&Widget) + Send + Sync + 'static) {
        if let Ok(mut listeners) = self.shared.on_click.lock() {
            listeners.push(Box::new(listener));
        }
    }

    /// Shows the widget as an output of the running cell.
    pub fn show(&self) {
        show(self);
    }

    fn send(&self, data: Value) {
        if let Some(comm) = self.shared.comm.lock().ok().and_then(|comm| comm.clone()) {
            comm.send(data);
        }
    }

    /// A message from the browser: an update, a request for the whole state, or a click.
    fn receive(&self, message: &Value) {
        match message["method"].as_str() {
            Some("update") => {
                let Some(changes) = message["state"].as_object() else {
                    return;
                };
                let mut changed = Vec::new();
                if let Ok(mut state) = self.shared.state.lock() {
                    for (key, value) in changes {
                        if state.get(key) != Some(value) {
                            state.insert(key.clone(), value.clone());
                            changed.push(key.clone());
                        }
                    }
                }
                if changed.is_empty() {
                    return;
                }
                if let Ok(listeners) = self.shared.on_change.lock() {
                    for listener in listeners.iter() {
                        listener(self, &changed);
                    }
                }
            }
            Some("request_state") => {
                let state = self.shared.state.lock().map(|state| state.clone());
                if let Ok(state) = state {
                    self.send(json!({"method": "update", "state": state, "buffer_paths": []}));
                }
            }
            Some("custom") if message["content"]["event"] == "click" => {
                if let Ok(listeners) = self.shared.on_click.lock() {
                    for listener in listeners.iter() {
                        listener(self);
                    }
                }
            }
            _ => {}
        }
    }
}

/// The widget view; a text line for frontends without a widget manager.
impl RichDisplay for Widget {
    fn mime_bundle(&self) -> MimeBundle {
        let view = json!({"model_id": self.id(), "version_major": 2, "version_minor": 0});
        let description = self.get("description");
        let model = self.get("_model_name");
        let model = model.as_str().unwrap_or_default().trim_end_matches("Model");
        let text = match (
            description.as_str(),
            self.get("value"),
            self.get("children"),
        ) {
            (_, _, Value::Array(children)) if children.len() == 1 => format!("{model} of 1 widget"),
            (_, _, Value::Array(children)) => format!("{model} of {} widgets", children.len()),
            (Some(name), Value::Null, _) => format!("[{name}]"),
            (Some(name), value, _) => format!("{name}: {value}"),
            (None, _, _) => model.to_string(),
        };
        MimeBundle::new()
            .with("application/vnd.jupyter.widget-view+json", view.to_string())
            .with("text/plain", text)
    }
}
