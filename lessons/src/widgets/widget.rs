//! One widget: a standard ipywidgets 8 model whose state is kept in step with the browser.

use std::collections::BTreeMap;
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
    /// The state's binary values (an image's bytes), sent as message buffers.
    binary: Mutex<BTreeMap<String, Vec<u8>>>,
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
        full.extend(model_state(module, name));
        Widget::open(full, BTreeMap::new())
    }

    /// Opens the widget's comm with `state` and the binary values `binary`.
    pub(super) fn open(state: Map<String, Value>, binary: BTreeMap<String, Vec<u8>>) -> Widget {
        let (buffer_paths, buffers) = buffers_of(&binary);
        let shared = Arc::new(Shared {
            id: unique_id(),
            state: Mutex::new(state.clone()),
            binary: Mutex::new(binary),
            on_change: Mutex::default(),
            on_click: Mutex::default(),
            comm: Mutex::default(),
        });
        // The browser may send messages for as long as the page lives, so the handler keeps
        // the widget alive in the cell process.
        let listening = Widget {
            shared: Arc::clone(&shared),
        };
        let data = json!({"state": Value::Object(state), "buffer_paths": buffer_paths});
        let buffers: Vec<&[u8]> = buffers.iter().map(Vec::as_slice).collect();
        let comm = Comm::open_as(
            &shared.id,
            "jupyter.widget",
            data,
            &buffers,
            move |message| listening.receive(message),
        );
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
        if let Ok(mut binary) = self.shared.binary.lock() {
            binary.remove(key);
        }
        if let Ok(mut state) = self.shared.state.lock() {
            state.insert(key.to_string(), value.clone());
        }
        self.send(
            json!({"method": "update", "state": {key: value}, "buffer_paths": []}),
            &[],
        );
    }

    /// A binary value of the state (an image's bytes), as the browser last saw it.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::widgets::Widget;
    ///
    /// let image = Widget::image(b"<svg/>", "svg+xml");
    /// assert_eq!(image.bytes("value").as_deref(), Some(&b"<svg/>"[..]));
    /// image.set_bytes("value", b"<svg></svg>");
    /// assert_eq!(image.bytes("value").unwrap().len(), 11);
    /// assert_eq!(image.bytes("format"), None); // a JSON value, not a binary one
    /// ```
    pub fn bytes(&self, key: &str) -> Option<Vec<u8>> {
        self.shared.binary.lock().ok()?.get(key).cloned()
    }

    /// Sets a binary value here and in the browser; it travels as a message buffer, not as
    /// JSON.
    pub fn set_bytes(&self, key: &str, bytes: &[u8]) {
        if let Ok(mut state) = self.shared.state.lock() {
            state.remove(key);
        }
        if let Ok(mut binary) = self.shared.binary.lock() {
            binary.insert(key.to_string(), bytes.to_vec());
        }
        let update = json!({"method": "update", "state": {}, "buffer_paths": [[key]]});
        self.send(update, &[bytes]);
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

    fn send(&self, data: Value, buffers: &[&[u8]]) {
        if let Some(comm) = self.shared.comm.lock().ok().and_then(|comm| comm.clone()) {
            comm.send_with_buffers(data, buffers);
        }
    }

    /// A message from the browser: an update, a request for the whole state, or a click.
    fn receive(&self, message: &Value) {
        match message["method"].as_str() {
            Some("update") => {
                let Some(changes) = message["state"].as_object() else {
                    return;
                };
                let binary_keys = binary_keys(message);
                let mut changed = Vec::new();
                if let (Ok(mut state), Ok(mut binary)) =
                    (self.shared.state.lock(), self.shared.binary.lock())
                {
                    for (key, value) in changes {
                        let bytes = binary_keys.contains(key).then(|| byte_values(value));
                        let differs = match bytes.flatten() {
                            Some(bytes) => binary.insert(key.clone(), bytes.clone()) != Some(bytes),
                            None => {
                                binary.remove(key);
                                state.insert(key.clone(), value.clone()) != Some(value.clone())
                            }
                        };
                        if differs {
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
                let (Ok(state), Ok(binary)) = (self.shared.state.lock(), self.shared.binary.lock())
                else {
                    return;
                };
                let (buffer_paths, buffers) = buffers_of(&binary);
                let update = json!({"method": "update", "state": state.clone(), "buffer_paths": buffer_paths});
                drop((state, binary));
                let buffers: Vec<&[u8]> = buffers.iter().map(Vec::as_slice).collect();
                self.send(update, &buffers);
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

/// The keys that name the model and view of `module`'s `name`Model and `name`View.
pub(super) fn model_state(module: &str, name: &str) -> Map<String, Value> {
    let version = if module == "@jupyter-widgets/output" {
        "1.0.0"
    } else {
        "2.0.0"
    };
    [
        ("_model_module", json!(module)),
        ("_model_module_version", json!(version)),
        ("_model_name", json!(format!("{name}Model"))),
        ("_view_module", json!(module)),
        ("_view_module_version", json!(version)),
        ("_view_name", json!(format!("{name}View"))),
    ]
    .into_iter()
    .map(|(key, value)| (key.to_string(), value))
    .collect()
}

/// The paths and buffers of a state's binary values, as the widgets protocol sends them.
fn buffers_of(binary: &BTreeMap<String, Vec<u8>>) -> (Vec<Value>, Vec<Vec<u8>>) {
    binary
        .iter()
        .map(|(key, bytes)| (json!([key]), bytes.clone()))
        .unzip()
}

/// The top-level keys a message's buffers filled.
fn binary_keys(message: &Value) -> Vec<String> {
    let paths = message["buffer_paths"].as_array().into_iter().flatten();
    paths
        .filter_map(|path| match path.as_array()?.as_slice() {
            [Value::String(key)] => Some(key.clone()),
            _ => None,
        })
        .collect()
}

/// Bytes from an array of byte values (how a buffer reaches a handler).
fn byte_values(value: &Value) -> Option<Vec<u8>> {
    value
        .as_array()?
        .iter()
        .map(|byte| u8::try_from(byte.as_u64()?).ok())
        .collect()
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
