//! Live controls: Jupyter widgets driven from Rust, so a learner moves a slider instead of
//! editing a cell and waiting for it to compile.
//!
//! [`interact`] shows a set of [`Control`]s above the output of a closure, and every change
//! of a control runs the closure again with the new values and replaces the output in place.
//! The closure was compiled with the cell, so a change costs the closure's run time, not a
//! compile. [`Widget`] is the general form: integer and float sliders, dropdown, checkbox,
//! button, play, text, HTML, boxes and an output area, each with state read by
//! [`Widget::get`], set by [`Widget::set`] (the browser follows) and watched by
//! [`Widget::on_change`] (the browser's changes arrive there).
//!
//! # How it works
//!
//! Jupyter widgets are pairs of *models*, one in the kernel and one in the browser, kept in
//! step over *comms* (the Jupyter messages `comm_open`, `comm_msg` and `comm_close`). Each
//! control here is one model of the standard set of ipywidgets 8
//! (`@jupyter-widgets/controls` 2.0.0: `IntSliderModel`, `FloatSliderModel`,
//! `DropdownModel`, `CheckboxModel`, ..., laid out by a `VBoxModel`; the output area is
//! `@jupyter-widgets/output` 1.0.0), so JupyterLab draws it with its stock widget manager
//! (the `jupyterlab_widgets` package).
//!
//! Under the lessons kernel, [`Comm`] opens a comm by printing a kernel message line (as
//! [`crate::display`] prints displays) and receives the browser's messages through the
//! kernel's comm bridge: a handler table in the cell process, reached through a small C ABI
//! whose address the kernel puts in [`COMMS_ENV_VAR`]. Under any other kernel (plain
//! evcxr_jupyter, which ignores comms) or outside Jupyter, [`interact`] shows the output for
//! the controls' initial values, so a notebook runs unchanged.
//!
//! # Examples
//!
//! ```
//! use lessons::display::MimeBundle;
//! use lessons::widgets::{Control, interact};
//!
//! let view = interact(
//!     vec![Control::int("replicas", 1..=9, 3)?, Control::toggle("sloppy", false)],
//!     |values| {
//!         let replicas = values.int("replicas");
//!         MimeBundle::new().with("text/plain", format!("majority = {}", replicas / 2 + 1))
//!     },
//! )?;
//! assert!(!view.is_live()); // no kernel here: the output for the initial values was shown
//! # Ok::<(), lessons::sim::SimError>(())
//! ```

mod comm;
mod control;
mod interact;
mod kinds;
mod widget;

pub use comm::{COMMS_ENV_VAR, Comm, comms_available};
pub use control::{Control, Values};
pub use interact::{Interactive, interact};
pub use widget::Widget;
