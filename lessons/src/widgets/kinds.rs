//! The standard widgets by kind: sliders, dropdown, checkbox, button, play, text, HTML,
//! boxes, and an output area whose content is replaced.

use std::ops::RangeInclusive;

use serde_json::{Value, json};

use super::widget::{Widget, model_state};
use crate::display::RichDisplay;
use crate::sim::SimError;

const CONTROLS: &str = "@jupyter-widgets/controls";

impl Widget {
    /// An image of `format` (`png`, `jpeg`, `svg+xml`...) showing `bytes`, which travel to the
    /// browser as a binary buffer; [`Widget::set_bytes`] on `value` replaces the picture.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::widgets::Widget;
    ///
    /// let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>"#;
    /// let image = Widget::image(svg.as_bytes(), "svg+xml");
    /// assert_eq!(image.get("_model_name"), "ImageModel");
    /// assert_eq!(image.get("format"), "svg+xml");
    /// ```
    pub fn image(bytes: &[u8], format: &str) -> Widget {
        let mut state = model_state(CONTROLS, "Image");
        for (key, value) in [
            ("format", json!(format)),
            ("width", json!("")),
            ("height", json!("")),
        ] {
            state.insert(key.to_string(), value);
        }
        let binary = [("value".to_string(), bytes.to_vec())]
            .into_iter()
            .collect();
        Widget::open(state, binary)
    }

    /// An integer slider over `range`, starting at `value`.
    pub fn int_slider(
        description: &str,
        range: RangeInclusive<i64>,
        value: i64,
    ) -> Result<Widget, SimError> {
        let (min, max) = range.into_inner();
        if min > max || !(min..=max).contains(&value) {
            return Err(SimError::parameter(
                "int slider",
                format!("{description}: {value} in {min}..={max}"),
                "a non-empty range that contains the start value",
            ));
        }
        let state = json!({"description": description, "min": min, "max": max, "step": 1,
                           "value": value, "continuous_update": true, "readout_format": "d"});
        Ok(Widget::model(CONTROLS, "IntSlider", state))
    }

    /// A float slider from `min` to `max` in steps of `step`, starting at `value`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::widgets::Widget;
    ///
    /// assert_eq!(Widget::float_slider("p", 0.0, 1.0, 0.1, 0.5)?.get("value"), 0.5);
    /// assert!(Widget::float_slider("p", 0.0, 1.0, 0.0, 0.5).is_err()); // a step must be positive
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn float_slider(
        description: &str,
        min: f64,
        max: f64,
        step: f64,
        value: f64,
    ) -> Result<Widget, SimError> {
        let valid = min.is_finite()
            && max.is_finite()
            && min <= max
            && step > 0.0
            && (min..=max).contains(&value);
        if !valid {
            return Err(SimError::parameter(
                "float slider",
                format!("{description}: {value} in {min}..={max} step {step}"),
                "finite min <= value <= max and a positive step",
            ));
        }
        let state = json!({"description": description, "min": min, "max": max, "step": step,
                           "value": value, "continuous_update": true, "readout_format": ".3g"});
        Ok(Widget::model(CONTROLS, "FloatSlider", state))
    }

    /// A dropdown over `options`, starting at `options[index]`; its `index` is the choice.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::widgets::Widget;
    ///
    /// assert_eq!(Widget::dropdown("policy", &["lru", "lfu"], 1)?.get("index"), 1);
    /// assert!(Widget::dropdown("policy", &[], 0).is_err());
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn dropdown(description: &str, options: &[&str], index: usize) -> Result<Widget, SimError> {
        if index >= options.len() {
            return Err(SimError::parameter(
                "dropdown",
                format!("{description}: option {index} of {}", options.len()),
                "at least one option and an index below their count",
            ));
        }
        let state = json!({"description": description, "_options_labels": options,
                           "index": index});
        Ok(Widget::model(CONTROLS, "Dropdown", state))
    }

    /// A checkbox, starting at `value`.
    pub fn checkbox(description: &str, value: bool) -> Widget {
        let state = json!({"description": description, "value": value, "indent": false});
        Widget::model(CONTROLS, "Checkbox", state)
    }

    /// A button; [`Widget::on_click`] listens to it.
    pub fn button(description: &str) -> Widget {
        Widget::model(CONTROLS, "Button", json!({"description": description}))
    }

    /// A play button that steps `value` through `range`, one step every `interval_ms`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::widgets::Widget;
    ///
    /// let clock = Widget::play(0..=100, 200)?;
    /// assert_eq!((clock.get("value"), clock.get("interval")), (0.into(), 200.into()));
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn play(range: RangeInclusive<i64>, interval_ms: u64) -> Result<Widget, SimError> {
        let (min, max) = range.into_inner();
        if min > max || interval_ms == 0 {
            return Err(SimError::parameter(
                "play",
                format!("{min}..={max} every {interval_ms} ms"),
                "a non-empty range and an interval of at least 1 ms",
            ));
        }
        let state = json!({"min": min, "max": max, "step": 1, "value": min,
                           "interval": interval_ms, "repeat": false, "playing": false});
        Ok(Widget::model(CONTROLS, "Play", state))
    }

    /// A one-line text field.
    pub fn text(description: &str, value: &str) -> Widget {
        let state = json!({"description": description, "value": value,
                           "continuous_update": false});
        Widget::model(CONTROLS, "Text", state)
    }

    /// A piece of HTML; [`Widget::set`] of `value` replaces it.
    pub fn html(value: &str) -> Widget {
        Widget::model(CONTROLS, "HTML", json!({"value": value}))
    }

    /// Widgets side by side.
    pub fn hbox(children: &[&Widget]) -> Widget {
        Widget::model(CONTROLS, "HBox", json!({"children": references(children)}))
    }

    /// Widgets one above the other.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::widgets::Widget;
    ///
    /// let run = Widget::button("run");
    /// let column = Widget::vbox(&[&run]);
    /// assert_eq!(column.get("children")[0], format!("IPY_MODEL_{}", run.id()));
    /// // Frontends without widgets show a line of text instead.
    /// use lessons::display::RichDisplay;
    /// assert_eq!(column.mime_bundle().get("text/plain"), Some("VBox of 1 widget"));
    /// assert_eq!(run.mime_bundle().get("text/plain"), Some("[run]"));
    /// ```
    pub fn vbox(children: &[&Widget]) -> Widget {
        Widget::model(CONTROLS, "VBox", json!({"children": references(children)}))
    }

    /// An output area; [`Widget::replace_output`] puts a figure, table or bundle in it.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::display::MimeBundle;
    /// use lessons::widgets::Widget;
    ///
    /// let area = Widget::output();
    /// area.replace_output(&MimeBundle::new().with("text/plain", "3 replicas"));
    /// assert_eq!(area.get("outputs")[0]["data"]["text/plain"], "3 replicas");
    /// ```
    pub fn output() -> Widget {
        Widget::model("@jupyter-widgets/output", "Output", json!({"outputs": []}))
    }

    /// Replaces what an output area shows with `item`.
    pub fn replace_output<T: RichDisplay + ?Sized>(&self, item: &T) {
        let data: Value = serde_json::to_value(item.mime_bundle()).unwrap_or_default();
        let output = json!({"output_type": "display_data", "data": data, "metadata": {}});
        self.set("outputs", json!([output]));
    }
}

/// How a box names its children: `IPY_MODEL_` and the model id.
fn references(children: &[&Widget]) -> Vec<String> {
    children
        .iter()
        .map(|child| format!("IPY_MODEL_{}", child.id()))
        .collect()
}
