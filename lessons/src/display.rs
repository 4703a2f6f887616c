//! How values of this crate show themselves in a notebook.
//!
//! Jupyter displays a *mime bundle*: the same value in several formats at once, keyed by MIME
//! type (`text/plain`, `text/html`, `image/svg+xml`, ...). The front end picks the richest format
//! it can render, so a figure is a picture in a browser and a one-line summary in a terminal.
//! [`MimeBundle`] is that value, and [`RichDisplay`] is the trait of everything that can produce
//! one.
//!
//! # Two ways out of the user's process
//!
//! A notebook cell runs in a separate process whose stdout the kernel reads. What we print
//! depends on which kernel is listening:
//!
//! * **The lessons kernel** sets the environment variable [`PROTOCOL_ENV_VAR`] to `1`. Each
//!   display is then one line, `LESSONS_KERNEL_MESSAGE <json>`, which the kernel turns into a
//!   Jupyter message the moment it reads it. That gives several outputs per cell, outputs that
//!   are later replaced in place ([`DisplayHandle::update`]) and [`clear_output`].
//! * **Plain evcxr** (the variable is unset) collects blocks of the form
//!   `EVCXR_BEGIN_CONTENT <mime>` ... `EVCXR_END_CONTENT` and shows them when the cell ends.
//!   Later blocks of the same MIME type replace earlier ones, so only the last display of a
//!   cell survives; an update is shown as a fresh display and [`clear_output`] does nothing.
//!
//! The value a cell ends with goes through `evcxr_display` (see [`evcxr_display`]), which always
//! prints the evcxr blocks: both kernels turn those into the cell's result.
//!
//! The formatting lives in pure functions, [`kernel_message_line`] and [`evcxr_content_blocks`],
//! so it is tested without capturing stdout.
//!
//! # Examples
//!
//! ```
//! use lessons::display::{MimeBundle, RichDisplay};
//!
//! let bundle = MimeBundle::new()
//!     .with("text/html", "<b>quorum reached</b>")
//!     .with("text/plain", "quorum reached");
//! bundle.show();
//! ```

use std::io::Write;

use serde::Serialize;
use serde::ser::SerializeMap;

/// The environment variable the lessons kernel sets to `1` for user code.
///
/// # Examples
///
/// ```
/// assert_eq!(lessons::display::PROTOCOL_ENV_VAR, "LESSONS_KERNEL_PROTOCOL");
/// ```
pub const PROTOCOL_ENV_VAR: &str = "LESSONS_KERNEL_PROTOCOL";

/// The word that starts every protocol line, followed by one space and the JSON message.
///
/// # Examples
///
/// ```
/// use lessons::display::{KernelMessage, MESSAGE_PREFIX, kernel_message_line};
///
/// let line = kernel_message_line(&KernelMessage::ClearOutput { wait: false });
/// assert!(line.starts_with(&format!("{MESSAGE_PREFIX} {{")));
/// ```
pub const MESSAGE_PREFIX: &str = "LESSONS_KERNEL_MESSAGE";

/// One value in several formats, keyed by MIME type, in insertion order.
///
/// Contents are text. A binary format (such as `image/png`) must be base64-encoded by the caller,
/// as Jupyter expects. MIME types must not contain spaces or newlines.
///
/// # Examples
///
/// ```
/// use lessons::display::MimeBundle;
///
/// let bundle = MimeBundle::new()
///     .with("text/plain", "3 replicas")
///     .with("text/html", "<i>3 replicas</i>");
/// assert_eq!(bundle.get("text/plain"), Some("3 replicas"));
/// assert_eq!(bundle.len(), 2);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MimeBundle {
    entries: Vec<(String, String)>,
}

impl MimeBundle {
    /// An empty bundle.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(lessons::display::MimeBundle::new().is_empty());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// The bundle with `content` added under `mime_type` (replacing any earlier content for that
    /// type, in its original position).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::display::MimeBundle;
    ///
    /// let bundle = MimeBundle::new().with("text/plain", "old").with("text/plain", "new");
    /// assert_eq!(bundle.get("text/plain"), Some("new"));
    /// assert_eq!(bundle.len(), 1);
    /// ```
    pub fn with(mut self, mime_type: impl Into<String>, content: impl Into<String>) -> Self {
        self.insert(mime_type, content);
        self
    }

    /// Adds `content` under `mime_type`, replacing any earlier content for that type in place.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::display::MimeBundle;
    ///
    /// let mut bundle = MimeBundle::new();
    /// bundle.insert("text/plain", "leader: node 2");
    /// assert_eq!(bundle.get("text/plain"), Some("leader: node 2"));
    /// ```
    pub fn insert(&mut self, mime_type: impl Into<String>, content: impl Into<String>) {
        let mime_type = mime_type.into();
        let content = content.into();
        match self
            .entries
            .iter_mut()
            .find(|(known, _)| *known == mime_type)
        {
            Some(entry) => entry.1 = content,
            None => self.entries.push((mime_type, content)),
        }
    }

    /// The content stored under `mime_type`, if any.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::display::MimeBundle;
    ///
    /// let bundle = MimeBundle::new().with("text/plain", "ok");
    /// assert_eq!(bundle.get("text/html"), None);
    /// ```
    pub fn get(&self, mime_type: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(known, _)| known == mime_type)
            .map(|(_, content)| content.as_str())
    }

    /// The `(mime type, content)` pairs in insertion order.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::display::MimeBundle;
    ///
    /// let bundle = MimeBundle::new().with("text/html", "<p>x</p>").with("text/plain", "x");
    /// let types: Vec<&str> = bundle.iter().map(|(mime, _)| mime).collect();
    /// assert_eq!(types, ["text/html", "text/plain"]);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries
            .iter()
            .map(|(mime, content)| (mime.as_str(), content.as_str()))
    }

    /// How many MIME types the bundle holds.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(lessons::display::MimeBundle::new().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the bundle holds no MIME type at all.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::display::MimeBundle;
    ///
    /// assert!(!MimeBundle::new().with("text/plain", "").is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Displays the bundle as a cell's result; evcxr calls this on a cell's last expression.
    ///
    /// # Examples
    ///
    /// ```
    /// lessons::display::MimeBundle::new().with("text/plain", "done").evcxr_display();
    /// ```
    pub fn evcxr_display(&self) {
        evcxr_display(self);
    }
}

/// Serializes as a JSON object whose keys keep insertion order. Content of a JSON MIME type
/// (`application/json`, `...+json`) goes out as JSON, as the Jupyter protocol requires.
impl Serialize for MimeBundle {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.entries.len()))?;
        for (mime_type, content) in &self.entries {
            let parsed = mime_type
                .ends_with("json")
                .then(|| serde_json::from_str::<serde_json::Value>(content).ok())
                .flatten();
            match parsed {
                Some(json) => map.serialize_entry(mime_type, &json)?,
                None => map.serialize_entry(mime_type, content)?,
            }
        }
        map.end()
    }
}

/// Something that can show itself in a notebook.
///
/// Implement [`mime_bundle`](RichDisplay::mime_bundle); [`show`](RichDisplay::show) comes for
/// free. Types meant to be a cell's last expression also get an inherent `evcxr_display` method
/// that calls [`evcxr_display`], because evcxr looks that method up by name.
///
/// # Examples
///
/// ```
/// use lessons::display::{MimeBundle, RichDisplay};
///
/// struct Leader(u32);
///
/// impl RichDisplay for Leader {
///     fn mime_bundle(&self) -> MimeBundle {
///         MimeBundle::new().with("text/plain", format!("leader: node {}", self.0))
///     }
/// }
///
/// assert_eq!(Leader(2).mime_bundle().get("text/plain"), Some("leader: node 2"));
/// Leader(2).show();
/// ```
pub trait RichDisplay {
    /// The value in every format it can offer.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::display::{MimeBundle, RichDisplay};
    ///
    /// let bundle = MimeBundle::new().with("text/plain", "x");
    /// assert_eq!(bundle.mime_bundle(), bundle);
    /// ```
    fn mime_bundle(&self) -> MimeBundle;

    /// Displays the value now, as its own output; a cell may show any number of values.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::display::{MimeBundle, RichDisplay};
    ///
    /// MimeBundle::new().with("text/plain", "first").show();
    /// MimeBundle::new().with("text/plain", "second").show();
    /// ```
    fn show(&self) {
        show(self);
    }
}

/// A bundle displays as itself.
impl RichDisplay for MimeBundle {
    fn mime_bundle(&self) -> MimeBundle {
        self.clone()
    }
}

/// A result displays as its value, or as its error's text: a closure given to
/// [`crate::widgets::interact`] can return what an experiment returns, and a learner who
/// moves a control to an invalid setting reads what is allowed instead of a broken output.
///
/// # Examples
///
/// ```
/// use lessons::display::{MimeBundle, RichDisplay};
///
/// let shown: Result<MimeBundle, String> = Ok(MimeBundle::new().with("text/plain", "3 nodes"));
/// assert_eq!(shown.mime_bundle().get("text/plain"), Some("3 nodes"));
/// let refused: Result<MimeBundle, String> = Err("W must be at most N".into());
/// assert_eq!(refused.mime_bundle().get("text/plain"), Some("error: W must be at most N"));
/// ```
impl<T: RichDisplay, E: std::fmt::Display> RichDisplay for Result<T, E> {
    fn mime_bundle(&self) -> MimeBundle {
        match self {
            Ok(value) => value.mime_bundle(),
            Err(error) => {
                let text = format!("error: {error}");
                MimeBundle::new()
                    .with(
                        "text/html",
                        format!("<pre class=\"error\">{}</pre>", escape(&text)),
                    )
                    .with("text/plain", text)
            }
        }
    }
}

/// One message of the lessons kernel's display protocol.
///
/// # Examples
///
/// ```
/// use lessons::display::{KernelMessage, MimeBundle};
///
/// let bundle = MimeBundle::new().with("text/plain", "hi");
/// let message = KernelMessage::DisplayData { bundle: &bundle, display_id: None };
/// assert!(matches!(message, KernelMessage::DisplayData { .. }));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KernelMessage<'a> {
    /// Show a new output; with a display id it can be updated later.
    DisplayData {
        /// What to show.
        bundle: &'a MimeBundle,
        /// The id later updates refer to.
        display_id: Option<&'a str>,
    },
    /// Replace every output shown under `display_id` with `bundle`.
    UpdateDisplayData {
        /// The new content.
        bundle: &'a MimeBundle,
        /// Which outputs to replace.
        display_id: &'a str,
    },
    /// Clear the cell's outputs; with `wait`, only when the next output arrives (no flicker).
    ClearOutput {
        /// Whether to wait for the next output before clearing.
        wait: bool,
    },
}

/// The JSON shape the kernel reads: `{"msg_type": ..., "content": {...}}`.
#[derive(Serialize)]
#[serde(tag = "msg_type", content = "content", rename_all = "snake_case")]
enum WireMessage<'a> {
    DisplayData(DisplayContent<'a>),
    UpdateDisplayData(DisplayContent<'a>),
    ClearOutput { wait: bool },
}

#[derive(Serialize)]
struct DisplayContent<'a> {
    data: &'a MimeBundle,
    metadata: EmptyObject,
    #[serde(skip_serializing_if = "Option::is_none")]
    transient: Option<Transient<'a>>,
}

#[derive(Serialize)]
struct EmptyObject {}

#[derive(Serialize)]
struct Transient<'a> {
    display_id: &'a str,
}

/// The protocol line for `message`: the prefix, one space, single-line JSON and a final `\n`.
///
/// JSON escapes newlines inside strings, so an SVG spanning many lines still makes one line.
///
/// # Examples
///
/// ```
/// use lessons::display::{KernelMessage, MimeBundle, kernel_message_line};
///
/// let bundle = MimeBundle::new().with("text/plain", "two\nlines");
/// let line = kernel_message_line(&KernelMessage::UpdateDisplayData {
///     bundle: &bundle,
///     display_id: "clocks",
/// });
/// assert_eq!(
///     line,
///     "LESSONS_KERNEL_MESSAGE {\"msg_type\":\"update_display_data\",\"content\":\
///      {\"data\":{\"text/plain\":\"two\\nlines\"},\"metadata\":{},\
///      \"transient\":{\"display_id\":\"clocks\"}}}\n"
/// );
/// ```
pub fn kernel_message_line(message: &KernelMessage<'_>) -> String {
    let wire = match *message {
        KernelMessage::DisplayData { bundle, display_id } => {
            WireMessage::DisplayData(DisplayContent {
                data: bundle,
                metadata: EmptyObject {},
                transient: display_id.map(|display_id| Transient { display_id }),
            })
        }
        KernelMessage::UpdateDisplayData { bundle, display_id } => {
            WireMessage::UpdateDisplayData(DisplayContent {
                data: bundle,
                metadata: EmptyObject {},
                transient: Some(Transient { display_id }),
            })
        }
        KernelMessage::ClearOutput { wait } => WireMessage::ClearOutput { wait },
    };
    let json = serde_json::to_string(&wire)
        .expect("a message made of strings and booleans always serializes to JSON");
    format!("{MESSAGE_PREFIX} {json}\n")
}

/// The evcxr blocks for `bundle`: per MIME type, a line `EVCXR_BEGIN_CONTENT <mime>`, the
/// content, and a line `EVCXR_END_CONTENT`.
///
/// # Examples
///
/// ```
/// use lessons::display::{MimeBundle, evcxr_content_blocks};
///
/// let bundle = MimeBundle::new().with("text/html", "<b>A</b>").with("text/plain", "A");
/// assert_eq!(
///     evcxr_content_blocks(&bundle),
///     "EVCXR_BEGIN_CONTENT text/html\n<b>A</b>\nEVCXR_END_CONTENT\n\
///      EVCXR_BEGIN_CONTENT text/plain\nA\nEVCXR_END_CONTENT\n"
/// );
/// ```
pub fn evcxr_content_blocks(bundle: &MimeBundle) -> String {
    bundle
        .iter()
        .map(|(mime_type, content)| {
            format!("EVCXR_BEGIN_CONTENT {mime_type}\n{content}\nEVCXR_END_CONTENT\n")
        })
        .collect()
}

/// Whether the lessons kernel is listening, i.e. [`PROTOCOL_ENV_VAR`] is set to `1`.
///
/// # Examples
///
/// ```
/// // Under `cargo test` no kernel is listening.
/// assert!(!lessons::display::kernel_protocol_active());
/// ```
pub fn kernel_protocol_active() -> bool {
    std::env::var_os(PROTOCOL_ENV_VAR).is_some_and(|value| value == "1")
}

/// Displays `item` now, as a new output of the running cell.
///
/// # Examples
///
/// ```
/// use lessons::display::{MimeBundle, show};
///
/// show(&MimeBundle::new().with("text/plain", "hello"));
/// ```
pub fn show<T: RichDisplay + ?Sized>(item: &T) {
    let bundle = item.mime_bundle();
    if kernel_protocol_active() {
        emit(&kernel_message_line(&KernelMessage::DisplayData {
            bundle: &bundle,
            display_id: None,
        }));
    } else {
        emit(&evcxr_content_blocks(&bundle));
    }
}

/// Displays `item` under `display_id` and returns a handle that replaces it later.
///
/// Pick ids that are unique in the notebook: an update replaces every output shown with that id.
///
/// # Examples
///
/// ```
/// use lessons::display::{MimeBundle, show_with_id};
///
/// let progress = show_with_id(&MimeBundle::new().with("text/plain", "step 1"), "progress");
/// progress.update(&MimeBundle::new().with("text/plain", "step 2"));
/// assert_eq!(progress.display_id(), "progress");
/// ```
pub fn show_with_id<T: RichDisplay + ?Sized>(
    item: &T,
    display_id: impl Into<String>,
) -> DisplayHandle {
    let handle = DisplayHandle {
        display_id: display_id.into(),
    };
    let bundle = item.mime_bundle();
    if kernel_protocol_active() {
        emit(&kernel_message_line(&KernelMessage::DisplayData {
            bundle: &bundle,
            display_id: Some(&handle.display_id),
        }));
    } else {
        emit(&evcxr_content_blocks(&bundle));
    }
    handle
}

/// Clears the running cell's outputs; with `wait`, only once the next output arrives.
///
/// Under plain evcxr this does nothing.
///
/// # Examples
///
/// ```
/// lessons::display::clear_output(true);
/// ```
pub fn clear_output(wait: bool) {
    if kernel_protocol_active() {
        emit(&kernel_message_line(&KernelMessage::ClearOutput { wait }));
    }
}

/// Prints `item` as evcxr blocks, which both kernels turn into the cell's result.
///
/// Every displayable type's inherent `evcxr_display` method calls this.
///
/// # Examples
///
/// ```
/// use lessons::display::{MimeBundle, evcxr_display};
///
/// evcxr_display(&MimeBundle::new().with("text/plain", "result"));
/// ```
pub fn evcxr_display<T: RichDisplay + ?Sized>(item: &T) {
    emit(&evcxr_content_blocks(&item.mime_bundle()));
}

/// An output shown under a display id, which can be replaced in place.
///
/// # Examples
///
/// ```
/// use lessons::display::{MimeBundle, show_with_id};
///
/// let status = show_with_id(&MimeBundle::new().with("text/plain", "waiting"), "status");
/// for round in 1..=3 {
///     status.update(&MimeBundle::new().with("text/plain", format!("round {round}")));
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayHandle {
    display_id: String,
}

impl DisplayHandle {
    /// The id this handle updates.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::display::{MimeBundle, show_with_id};
    ///
    /// let handle = show_with_id(&MimeBundle::new().with("text/plain", "x"), "x-view");
    /// assert_eq!(handle.display_id(), "x-view");
    /// ```
    pub fn display_id(&self) -> &str {
        &self.display_id
    }

    /// Replaces the output shown under this handle's id with `item`.
    ///
    /// Under plain evcxr there is nothing to replace, so `item` is shown again instead.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::display::{MimeBundle, show_with_id};
    ///
    /// let handle = show_with_id(&MimeBundle::new().with("text/plain", "0 acks"), "acks");
    /// handle.update(&MimeBundle::new().with("text/plain", "2 acks"));
    /// ```
    pub fn update<T: RichDisplay + ?Sized>(&self, item: &T) {
        let bundle = item.mime_bundle();
        if kernel_protocol_active() {
            emit(&kernel_message_line(&KernelMessage::UpdateDisplayData {
                bundle: &bundle,
                display_id: &self.display_id,
            }));
        } else {
            emit(&evcxr_content_blocks(&bundle));
        }
    }
}

/// Escapes the characters that HTML and SVG text and attribute values treat specially, so a
/// label such as `a<b` shows as written.
pub(crate) fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    escaped
}

/// Writes `text` in one call, so other output cannot land inside a message, then flushes so the
/// kernel sees it at once.
fn emit(text: &str) {
    print!("{text}");
    // A failed flush means nobody is reading our stdout; there is no one to report it to.
    let _ = std::io::stdout().flush();
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn parse(line: &str) -> Value {
        let json = line
            .strip_prefix("LESSONS_KERNEL_MESSAGE ")
            .expect("line starts with the prefix and one space")
            .strip_suffix('\n')
            .expect("line ends with a newline");
        serde_json::from_str(json).expect("the rest of the line is JSON")
    }

    fn svg_bundle() -> MimeBundle {
        MimeBundle::new()
            .with(
                "image/svg+xml",
                "<svg>\n<text>a \"quoted\" title</text>\n</svg>\n",
            )
            .with("text/plain", "Figure: clocks (1 series)")
    }

    #[test]
    fn display_data_without_id_has_no_transient() {
        let bundle = svg_bundle();
        let line = kernel_message_line(&KernelMessage::DisplayData {
            bundle: &bundle,
            display_id: None,
        });
        assert_eq!(
            parse(&line),
            json!({
                "msg_type": "display_data",
                "content": {
                    "data": {
                        "image/svg+xml": "<svg>\n<text>a \"quoted\" title</text>\n</svg>\n",
                        "text/plain": "Figure: clocks (1 series)",
                    },
                    "metadata": {},
                }
            })
        );
    }

    #[test]
    fn display_data_with_id_carries_it_in_transient() {
        let bundle = svg_bundle();
        let line = kernel_message_line(&KernelMessage::DisplayData {
            bundle: &bundle,
            display_id: Some("fig-1"),
        });
        assert_eq!(
            parse(&line)["content"]["transient"],
            json!({"display_id": "fig-1"})
        );
    }

    #[test]
    fn update_display_data_always_has_display_id() {
        let bundle = svg_bundle();
        let line = kernel_message_line(&KernelMessage::UpdateDisplayData {
            bundle: &bundle,
            display_id: "fig-1",
        });
        let message = parse(&line);
        assert_eq!(message["msg_type"], "update_display_data");
        assert_eq!(message["content"]["transient"]["display_id"], "fig-1");
        assert_eq!(
            message["content"]["data"]["text/plain"],
            "Figure: clocks (1 series)"
        );
    }

    #[test]
    fn clear_output_is_exact() {
        assert_eq!(
            kernel_message_line(&KernelMessage::ClearOutput { wait: true }),
            "LESSONS_KERNEL_MESSAGE {\"msg_type\":\"clear_output\",\"content\":{\"wait\":true}}\n"
        );
        assert_eq!(
            parse(&kernel_message_line(&KernelMessage::ClearOutput {
                wait: false
            })),
            json!({"msg_type": "clear_output", "content": {"wait": false}})
        );
    }

    #[test]
    fn multi_line_content_makes_exactly_one_line() {
        let bundle = svg_bundle();
        let line = kernel_message_line(&KernelMessage::DisplayData {
            bundle: &bundle,
            display_id: None,
        });
        assert_eq!(line.matches('\n').count(), 1);
        assert!(line.ends_with('\n'));
    }

    #[test]
    fn data_keys_keep_insertion_order() {
        let bundle = MimeBundle::new()
            .with("text/plain", "p")
            .with("text/html", "h");
        let line = kernel_message_line(&KernelMessage::DisplayData {
            bundle: &bundle,
            display_id: None,
        });
        assert!(line.contains(r#""data":{"text/plain":"p","text/html":"h"}"#));
    }

    #[test]
    fn evcxr_blocks_round_trip_multi_line_content() {
        let bundle = svg_bundle();
        assert_eq!(
            evcxr_content_blocks(&bundle),
            "EVCXR_BEGIN_CONTENT image/svg+xml\n\
             <svg>\n<text>a \"quoted\" title</text>\n</svg>\n\n\
             EVCXR_END_CONTENT\n\
             EVCXR_BEGIN_CONTENT text/plain\n\
             Figure: clocks (1 series)\n\
             EVCXR_END_CONTENT\n"
        );
    }

    #[test]
    fn empty_bundle_has_no_evcxr_blocks() {
        assert_eq!(evcxr_content_blocks(&MimeBundle::new()), "");
    }

    #[test]
    fn insert_replaces_in_place() {
        let bundle = MimeBundle::new()
            .with("text/html", "old")
            .with("text/plain", "p")
            .with("text/html", "new");
        let pairs: Vec<(&str, &str)> = bundle.iter().collect();
        assert_eq!(pairs, [("text/html", "new"), ("text/plain", "p")]);
    }
}
