//! The controls [`interact`](super::interact) can show, each one standard ipywidgets model,
//! and the values a closure reads from them.

use std::collections::BTreeMap;
use std::ops::RangeInclusive;

use serde_json::{Value, json};

use crate::sim::SimError;

/// One control: a name the closure reads it by, and what kind of value it holds.
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
#[derive(Debug, Clone, PartialEq)]
pub struct Control {
    name: String,
    kind: Kind,
}

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    Int {
        min: i64,
        max: i64,
        value: i64,
    },
    Float {
        min: f64,
        max: f64,
        step: f64,
        value: f64,
    },
    Choice {
        options: Vec<String>,
        index: usize,
    },
    Toggle {
        value: bool,
    },
}

impl Control {
    /// An integer slider over `range`, starting at `value`.
    pub fn int(name: &str, range: RangeInclusive<i64>, value: i64) -> Result<Control, SimError> {
        let (min, max) = range.into_inner();
        if min > max || !(min..=max).contains(&value) {
            return Err(SimError::parameter(
                "control",
                format!("{name}: {value} in {min}..={max}"),
                "a non-empty range that contains the start value",
            ));
        }
        Ok(Control::named(name, Kind::Int { min, max, value }))
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
        let valid = min.is_finite()
            && max.is_finite()
            && min <= max
            && step > 0.0
            && (min..=max).contains(&value);
        if !valid {
            return Err(SimError::parameter(
                "control",
                format!("{name}: {value} in {min}..={max} step {step}"),
                "finite min <= value <= max and a positive step",
            ));
        }
        Ok(Control::named(
            name,
            Kind::Float {
                min,
                max,
                step,
                value,
            },
        ))
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
        if index >= options.len() {
            return Err(SimError::parameter(
                "control",
                format!("{name}: option {index} of {}", options.len()),
                "at least one option and an index below their count",
            ));
        }
        let options = options.iter().map(|option| option.to_string()).collect();
        Ok(Control::named(name, Kind::Choice { options, index }))
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
        Control::named(name, Kind::Toggle { value })
    }

    fn named(name: &str, kind: Kind) -> Control {
        Control {
            name: name.to_string(),
            kind,
        }
    }

    /// The name the closure reads this control's value by.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The control's current value, as [`Values`] holds it.
    pub(super) fn value(&self) -> Value {
        match &self.kind {
            Kind::Int { value, .. } => json!(value),
            Kind::Float { value, .. } => json!(value),
            Kind::Choice { options, index } => json!(options[*index]),
            Kind::Toggle { value } => json!(value),
        }
    }

    /// The model's whole state, as ipywidgets 8 sends it in a `comm_open`.
    pub(super) fn widget_state(&self) -> Value {
        let (model, mut state) = match &self.kind {
            Kind::Int { min, max, value } => (
                "IntSlider",
                json!({"min": min, "max": max, "step": 1, "value": value,
                       "readout_format": "d"}),
            ),
            Kind::Float {
                min,
                max,
                step,
                value,
            } => (
                "FloatSlider",
                json!({"min": min, "max": max, "step": step, "value": value,
                       "readout_format": ".3g"}),
            ),
            Kind::Choice { options, index } => (
                "Dropdown",
                json!({"_options_labels": options, "index": index}),
            ),
            Kind::Toggle { value } => ("Checkbox", json!({"value": value, "indent": false})),
        };
        state["description"] = json!(self.name);
        state["continuous_update"] = json!(true);
        controls_model(model, state)
    }

    /// Takes the browser's `update` of this control; true when its value changed.
    pub(super) fn apply(&mut self, update: &Value) -> bool {
        let before = self.value();
        match &mut self.kind {
            Kind::Int { min, max, value } => {
                if let Some(new) = update["value"].as_i64() {
                    *value = new.clamp(*min, *max);
                }
            }
            Kind::Float {
                min, max, value, ..
            } => {
                if let Some(new) = update["value"].as_f64() {
                    *value = new.clamp(*min, *max);
                }
            }
            Kind::Choice { options, index } => {
                if let Some(new) = update["index"].as_u64() {
                    *index = (new as usize).min(options.len() - 1);
                }
            }
            Kind::Toggle { value } => {
                if let Some(new) = update["value"].as_bool() {
                    *value = new;
                }
            }
        }
        self.value() != before
    }
}

/// A model of `@jupyter-widgets/controls` 2.0.0 named `name` (`IntSlider` gives
/// `IntSliderModel` drawn by `IntSliderView`), with `state` on top of its defaults.
pub(super) fn controls_model(name: &str, mut state: Value) -> Value {
    for (key, value) in [
        ("_model_module", json!("@jupyter-widgets/controls")),
        ("_model_module_version", json!("2.0.0")),
        ("_model_name", json!(format!("{name}Model"))),
        ("_view_module", json!("@jupyter-widgets/controls")),
        ("_view_module_version", json!("2.0.0")),
        ("_view_name", json!(format!("{name}View"))),
    ] {
        state[key] = value;
    }
    state
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
                .map(|control| (control.name.clone(), control.value()))
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
        let state = Control::int("n", 1..=9, 3).unwrap().widget_state();
        assert_eq!(state["_model_name"], "IntSliderModel");
        assert_eq!(state["_view_name"], "IntSliderView");
        assert_eq!(state["_model_module_version"], "2.0.0");
        assert_eq!(state["value"], 3);
        assert_eq!(state["description"], "n");
    }

    #[test]
    fn updates_from_the_browser_are_kept_in_range() {
        let mut control = Control::int("n", 1..=9, 3).unwrap();
        assert!(control.apply(&json!({"value": 12})));
        assert_eq!(control.value(), json!(9));
        assert!(!control.apply(&json!({"description": "x"})));
        let mut choice = Control::choice("c", &["a", "b"], 0).unwrap();
        assert!(choice.apply(&json!({"index": 1})));
        assert_eq!(choice.value(), json!("b"));
    }
}
