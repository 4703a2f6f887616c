//! `interact`: controls above a closure's output, the output redrawn on every change.

use std::sync::{Arc, Mutex};

use super::control::{Control, Values};
use super::widget::Widget;
use crate::display::{DisplayHandle, RichDisplay, show, show_with_id};
use crate::sim::SimError;

/// What [`interact`] left in the notebook: live controls, or (without a kernel that speaks
/// comms) the output for the initial values alone.
///
/// # Examples
///
/// ```
/// use lessons::display::MimeBundle;
/// use lessons::widgets::{Control, interact};
///
/// let view = interact(vec![Control::toggle("on", true)], |values| {
///     MimeBundle::new().with("text/plain", format!("on = {}", values.toggle("on")))
/// })?;
/// assert!(!view.is_live());
/// assert_eq!(view.controls().len(), 1);
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Interactive {
    live: bool,
    controls: Vec<Control>,
}

impl Interactive {
    /// True when the controls are in the browser and moving them reruns the closure.
    pub fn is_live(&self) -> bool {
        self.live
    }

    /// The controls, whose values a later cell can read ([`Values::of`]).
    pub fn controls(&self) -> &[Control] {
        &self.controls
    }
}

/// The closure and where its output goes.
struct Drawing<F> {
    draw: F,
    output: Option<DisplayHandle>,
}

/// Shows `controls` above what `draw` returns for their values; each change of a control
/// calls `draw` again and replaces the output in place. Control names must be distinct.
///
/// Under a kernel without comms (plain evcxr_jupyter) or outside Jupyter, shows the output
/// for the initial values only.
pub fn interact<F, R>(controls: Vec<Control>, mut draw: F) -> Result<Interactive, SimError>
where
    F: FnMut(&Values) -> R + Send + 'static,
    R: RichDisplay,
{
    for (index, control) in controls.iter().enumerate() {
        if controls[..index]
            .iter()
            .any(|earlier| earlier.name() == control.name())
        {
            return Err(SimError::parameter(
                "controls",
                format!("{} twice", control.name()),
                "controls with distinct names",
            ));
        }
    }
    let first = draw(&Values::of(&controls));
    let live = controls.iter().all(|control| control.widget().is_live());
    if !live {
        show(&first);
        return Ok(Interactive { live, controls });
    }
    let drawing = Arc::new(Mutex::new(Drawing { draw, output: None }));
    for control in &controls {
        let drawing = Arc::clone(&drawing);
        let all = controls.clone();
        control.widget().on_change(move |_, _| {
            let Ok(mut drawing) = drawing.lock() else {
                return;
            };
            let drawn = (drawing.draw)(&Values::of(&all));
            if let Some(output) = &drawing.output {
                output.update(&drawn);
            }
        });
    }
    let widgets: Vec<&Widget> = controls.iter().map(Control::widget).collect();
    Widget::vbox(&widgets).show();
    if let Ok(mut drawing) = drawing.lock() {
        drawing.output = Some(show_with_id(&first, super::comm::unique_id()));
    }
    Ok(Interactive { live, controls })
}
