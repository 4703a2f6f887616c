//! `interact`: controls above a closure's output, the output redrawn on every change.

use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use super::comm::{Comm, comms_available, unique_id};
use super::control::{Control, Values, controls_model};
use crate::display::{DisplayHandle, MimeBundle, RichDisplay, show, show_with_id};
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
/// # Ok::<(), lessons::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interactive {
    live: bool,
}

impl Interactive {
    /// True when the controls are in the browser and moving them reruns the closure.
    pub fn is_live(&self) -> bool {
        self.live
    }
}

/// The closure and the controls it reads, shared by every control's handler.
struct Session<F> {
    controls: Vec<Control>,
    draw: F,
    /// The closure's output, shown below the controls.
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
    if !comms_available() {
        show(&first);
        return Ok(Interactive { live: false });
    }
    let states: Vec<Value> = controls.iter().map(Control::widget_state).collect();
    let session = Arc::new(Mutex::new(Session {
        controls,
        draw,
        output: None,
    }));
    let mut children = Vec::new();
    for (index, state) in states.into_iter().enumerate() {
        let listening = Arc::clone(&session);
        let full_state = state.clone();
        let reply_to = Arc::new(Mutex::new(None::<Comm>));
        let replying = Arc::clone(&reply_to);
        let comm = Comm::open(
            "jupyter.widget",
            json!({"state": state, "buffer_paths": []}),
            move |message| match message["method"].as_str() {
                Some("update") => redraw(&listening, index, &message["state"]),
                Some("request_state") => {
                    if let Some(comm) = replying.lock().ok().and_then(|comm| comm.clone()) {
                        let state = current_state(&listening, index, &full_state);
                        comm.send(json!({"method": "update", "state": state, "buffer_paths": []}));
                    }
                }
                _ => {}
            },
        );
        let Some(comm) = comm else {
            show(&first);
            return Ok(Interactive { live: false });
        };
        children.push(format!("IPY_MODEL_{}", comm.id()));
        if let Ok(mut slot) = reply_to.lock() {
            *slot = Some(comm);
        }
    }
    let layout = controls_model("VBox", json!({"children": children}));
    let Some(vbox) = Comm::open(
        "jupyter.widget",
        json!({"state": layout, "buffer_paths": []}),
        |_| {},
    ) else {
        show(&first);
        return Ok(Interactive { live: false });
    };
    show(&widget_view(vbox.id(), &children));
    if let Ok(mut session) = session.lock() {
        session.output = Some(show_with_id(&first, unique_id()));
    }
    Ok(Interactive { live: true })
}

/// Applies the browser's change to control `index` and, if its value changed, draws again.
fn redraw<F, R>(session: &Mutex<Session<F>>, index: usize, update: &Value)
where
    F: FnMut(&Values) -> R,
    R: RichDisplay,
{
    let Ok(mut session) = session.lock() else {
        return;
    };
    if !session.controls[index].apply(update) {
        return;
    }
    let values = Values::of(&session.controls);
    let drawn = (session.draw)(&values);
    if let Some(output) = &session.output {
        output.update(&drawn);
    }
}

/// Control `index`'s whole state with its current value.
fn current_state<F>(session: &Mutex<Session<F>>, index: usize, initial: &Value) -> Value {
    match session.lock() {
        Ok(session) => session.controls[index].widget_state(),
        Err(_) => initial.clone(),
    }
}

/// The display that draws the widget `model_id`, with a text form for other frontends.
fn widget_view(model_id: &str, children: &[String]) -> MimeBundle {
    let view = json!({"model_id": model_id, "version_major": 2, "version_minor": 0});
    MimeBundle::new()
        .with("application/vnd.jupyter.widget-view+json", view.to_string())
        .with(
            "text/plain",
            format!(
                "controls ({} widgets; open in JupyterLab to use them)",
                children.len()
            ),
        )
}
