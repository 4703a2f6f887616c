//! The controls [`interact`](super::interact) shows: widgets with a value a closure reads by
//! name, and the values it sees.

use std::collections::BTreeMap;
use std::ops::RangeInclusive;

use serde_json::Value;

use super::widget::Widget;
use crate::sim::SimError;

/// A widget with a value, named by its description: a slider, dropdown or checkbox.
///
/// # Examples
///
/// ```
/// use lessons::widgets::Control;
///
/// let n = Control::int("n", 1..=5, 3)?;
/// assert_eq!(n.name(), "n");
/// assert!(Control::int("n", 1..=5, 9).is_err()); // the start value must be in range
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Control {
    widget: Widget,
}

impl Control {
    /// An integer slider over `range`, starting at `value`.
    pub fn int(name: &str, range: RangeInclusive<i64>, value: i64) -> Result<Control, SimError> {
        Widget::int_slider(name, range, value).map(Control::from)
    }

    /// A float slider from `min` to `max` in steps of `step`, starting at `value`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::widgets::Control;
    ///
    /// assert!(Control::float("p", 0.0, 1.0, 0.05, 0.5).is_ok());
    /// assert!(Control::float("p", 0.0, 1.0, 0.0, 0.5).is_err()); // a step must be positive
    /// ```
    pub fn float(
        name: &str,
        min: f64,
        max: f64,
        step: f64,
        value: f64,
    ) -> Result<Control, SimError> {
        Widget::float_slider(name, min, max, step, value).map(Control::from)
    }

    /// A dropdown over `options`, starting at `options[index]`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::widgets::Control;
    ///
    /// assert!(Control::choice("policy", &["lru", "lfu"], 1).is_ok());
    /// assert!(Control::choice("policy", &[], 0).is_err());
    /// ```
    pub fn choice(name: &str, options: &[&str], index: usize) -> Result<Control, SimError> {
        Widget::dropdown(name, options, index).map(Control::from)
    }

    /// A checkbox, starting at `value`.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::widgets::Control;
    ///
    /// assert_eq!(Control::toggle("jitter", true).name(), "jitter");
    /// ```
    pub fn toggle(name: &str, value: bool) -> Control {
        Control::from(Widget::checkbox(name, value))
    }

    /// The name the closure reads this control's value by.
    pub fn name(&self) -> String {
        self.widget
            .get("description")
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// The widget behind the control.
    pub fn widget(&self) -> &Widget {
        &self.widget
    }

    /// The value the closure sees: a dropdown's chosen option, otherwise the widget's value.
    fn value(&self) -> Value {
        let index = self.widget.get("index");
        match (self.widget.get("_options_labels"), index.as_u64()) {
            (Value::Array(options), Some(index)) => {
                options.get(index as usize).cloned().unwrap_or(Value::Null)
            }
            _ => self.widget.get("value"),
        }
    }
}

impl From<Widget> for Control {
    fn from(widget: Widget) -> Control {
        Control { widget }
    }
}

/// The controls' values by name, as the closure of [`interact`](super::interact) sees them.
///
/// # Examples
///
/// ```
/// use lessons::widgets::{Control, Values};
///
/// let values = Values::of(&[Control::int("n", 1..=5, 3)?, Control::toggle("on", true)]);
/// assert_eq!(values.int("n"), 3);
/// assert!(values.toggle("on"));
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Values {
    by_name: BTreeMap<String, Value>,
}

impl Values {
    /// The current values of `controls`.
    pub fn of(controls: &[Control]) -> Values {
        Values {
            by_name: controls
                .iter()
                .map(|control| (control.name(), control.value()))
                .collect(),
        }
    }

    /// An integer slider's value (0 if there is no integer control of that name).
    pub fn int(&self, name: &str) -> i64 {
        self.by_name
            .get(name)
            .and_then(Value::as_i64)
            .unwrap_or_default()
    }

    /// A float slider's value (0.0 if there is no numeric control of that name).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::widgets::{Control, Values};
    ///
    /// let values = Values::of(&[Control::float("p", 0.0, 1.0, 0.1, 0.3)?]);
    /// assert_eq!(values.float("p"), 0.3);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn float(&self, name: &str) -> f64 {
        self.by_name
            .get(name)
            .and_then(Value::as_f64)
            .unwrap_or_default()
    }

    /// A dropdown's chosen option ("" if there is no dropdown of that name).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::widgets::{Control, Values};
    ///
    /// let values = Values::of(&[Control::choice("policy", &["lru", "lfu"], 1)?]);
    /// assert_eq!(values.choice("policy"), "lfu");
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn choice(&self, name: &str) -> &str {
        self.by_name
            .get(name)
            .and_then(Value::as_str)
            .unwrap_or_default()
    }

    /// A checkbox's value (false if there is no checkbox of that name).
    pub fn toggle(&self, name: &str) -> bool {
        self.by_name
            .get(name)
            .and_then(Value::as_bool)
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slider_is_a_standard_int_slider_model() {
        let slider = Control::int("n", 1..=9, 3).unwrap();
        let widget = slider.widget();
        assert_eq!(widget.get("_model_name"), "IntSliderModel");
        assert_eq!(widget.get("_view_name"), "IntSliderView");
        assert_eq!(widget.get("_model_module_version"), "2.0.0");
        assert_eq!(widget.get("value"), 3);
        assert_eq!(slider.name(), "n");
    }

    #[test]
    fn a_dropdown_is_read_as_its_chosen_option() {
        let choice = Control::choice("c", &["a", "b"], 0).unwrap();
        choice.widget().set("index", 1);
        assert_eq!(Values::of(&[choice]).choice("c"), "b");
    }
}
