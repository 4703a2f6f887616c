//! Widgets in the notes: the state of every Jupyter widget a run opened, kept as it changed,
//! saved in the executed notebook as the standard widget-state metadata (what JupyterLab and
//! nbclient write, so `nbconvert --to html` draws the controls), and drawn as static HTML in
//! the notes: each control with its last value, beside the figure it produced.

use jupyter_protocol::{JupyterMessageContent, Media, MediaType};
use nbformat::v4::{Cell, Notebook, Output};
use serde_json::{Value, json};

use super::html::escape;
use crate::output::widget_states::{self, WIDGET_TARGET};

/// The metadata key of the widget state in a notebook.
pub const STATE_KEY: &str = "application/vnd.jupyter.widget-state+json";
/// Where a display names the widget it draws.
const VIEW_MIME: &str = "application/vnd.jupyter.widget-view+json";

/// Widget states by model id, as the kernel sent them during a run.
#[derive(Default)]
pub struct WidgetStates(widget_states::WidgetStates);

impl WidgetStates {
    /// Takes note of a widget opened or updated by the kernel.
    pub fn take(&mut self, content: &JupyterMessageContent) {
        match content {
            JupyterMessageContent::CommOpen(open) if open.target_name == WIDGET_TARGET => {
                self.0.opened(&open.comm_id.0, &open.data, &[])
            }
            JupyterMessageContent::CommMsg(message) => {
                self.0.message(&message.comm_id.0, &message.data, &[])
            }
            _ => {}
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The notebook metadata ipywidgets defines for saved widget state (version 2.0): the
    /// same states a page gets when it asks the kernel for all of them.
    pub fn metadata(&self) -> Value {
        let (update, _) = self.0.update_states();
        json!({ STATE_KEY: {"version_major": 2, "version_minor": 0, "state": update["states"]} })
    }

    /// Saves the states in `notebook` and gives every widget view an HTML form drawn from them.
    pub fn save_in(&self, notebook: &mut Notebook) {
        if self.is_empty() {
            return;
        }
        notebook
            .metadata
            .additional
            .insert("widgets".into(), self.metadata());
        for cell in &mut notebook.cells {
            let Cell::Code { outputs, .. } = cell else {
                continue;
            };
            for output in outputs {
                let media = match output {
                    Output::DisplayData(display) => &mut display.data,
                    Output::ExecuteResult(result) => &mut result.data,
                    _ => continue,
                };
                self.draw_view(media);
            }
        }
    }

    fn draw_view(&self, media: &mut Media) {
        let model_id = media.content.iter().find_map(|kind| match kind {
            MediaType::WidgetView(view) => view.get("model_id")?.as_str().map(str::to_owned),
            _ => None,
        });
        let Some(model_id) = model_id else { return };
        let Some(html) = self.html(&model_id, 0) else {
            return;
        };
        media
            .content
            .retain(|kind| !matches!(kind, MediaType::Html(_)));
        media.content.push(MediaType::Html(format!(
            "<div class=\"widgets\" data-view=\"{VIEW_MIME}\">{html}</div>"
        )));
    }

    /// Static HTML of widget `id` and its children, with the values it had last.
    fn html(&self, id: &str, depth: usize) -> Option<String> {
        let state = self.0.state(id)?;
        let text = |key: &str| escape(state.get(key).and_then(Value::as_str).unwrap_or_default());
        let number = |key: &str| state.get(key).map(Value::to_string).unwrap_or_default();
        let label = text("description");
        let model = state.get("_model_name").and_then(Value::as_str)?;
        Some(match model {
            "VBoxModel" | "HBoxModel" if depth < 8 => {
                let children = state.get("children").and_then(Value::as_array);
                let inner: String = children
                    .into_iter()
                    .flatten()
                    .filter_map(|child| child.as_str()?.strip_prefix("IPY_MODEL_"))
                    .filter_map(|child| self.html(child, depth + 1))
                    .collect();
                let direction = if model == "HBoxModel" {
                    "row"
                } else {
                    "column"
                };
                format!(
                    "<div class=\"widget-box\" style=\"display:flex;flex-direction:{direction};gap:4px\">{inner}</div>"
                )
            }
            "IntSliderModel" | "FloatSliderModel" | "PlayModel" => format!(
                "<label class=\"widget\">{label} <input type=\"range\" disabled min=\"{}\" max=\"{}\" step=\"{}\" value=\"{}\"> <output>{}</output></label>",
                number("min"),
                number("max"),
                number("step"),
                number("value"),
                number("value")
            ),
            "DropdownModel" => {
                let options = state.get("_options_labels").and_then(Value::as_array);
                let index = state.get("index").and_then(Value::as_u64);
                let chosen = options
                    .and_then(|options| options.get(index? as usize))
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                format!(
                    "<label class=\"widget\">{label} <select disabled><option selected>{}</option></select></label>",
                    escape(chosen)
                )
            }
            "CheckboxModel" => {
                let checked = state.get("value") == Some(&Value::Bool(true));
                let checked = if checked { " checked" } else { "" };
                format!(
                    "<label class=\"widget\"><input type=\"checkbox\" disabled{checked}> {label}</label>"
                )
            }
            "ButtonModel" => format!("<button class=\"widget\" disabled>{label}</button>"),
            "TextModel" => format!(
                "<label class=\"widget\">{label} <input type=\"text\" disabled value=\"{}\"></label>",
                text("value")
            ),
            // An HTML widget's value is HTML the lesson wrote.
            "HTMLModel" => state
                .get("value")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            _ => format!("<span class=\"widget\">{label}</span>"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jupyter_protocol::{CommId, CommMsg, CommOpen};

    fn open(id: &str, state: Value) -> JupyterMessageContent {
        JupyterMessageContent::CommOpen(CommOpen {
            comm_id: CommId(id.into()),
            target_name: "jupyter.widget".into(),
            data: json!({"state": state, "buffer_paths": []})
                .as_object()
                .unwrap()
                .clone(),
            target_module: None,
        })
    }

    #[test]
    fn the_last_value_is_saved_and_drawn() {
        let mut states = WidgetStates::default();
        states.take(&open(
            "s",
            json!({"_model_name": "IntSliderModel", "_model_module": "@jupyter-widgets/controls",
                   "_model_module_version": "2.0.0", "description": "n", "min": 1, "max": 9,
                   "step": 1, "value": 3}),
        ));
        states.take(&open(
            "b",
            json!({"_model_name": "VBoxModel", "children": ["IPY_MODEL_s"]}),
        ));
        states.take(&JupyterMessageContent::CommMsg(CommMsg {
            comm_id: CommId("s".into()),
            data: json!({"method": "update", "state": {"value": 7}})
                .as_object()
                .unwrap()
                .clone(),
        }));
        let saved = states.metadata();
        assert_eq!(saved[STATE_KEY]["state"]["s"]["state"]["value"], 7);
        assert_eq!(
            saved[STATE_KEY]["state"]["s"]["model_name"],
            "IntSliderModel"
        );
        let html = states.html("b", 0).unwrap();
        assert!(html.contains(
            "n <input type=\"range\" disabled min=\"1\" max=\"9\" step=\"1\" value=\"7\">"
        ));
        assert!(html.contains("flex-direction:column"));
    }
}
