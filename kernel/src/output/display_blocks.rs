//! evcxr's own display blocks, shown one by one.
//!
//! Crates written for evcxr (plotters' `evcxr_figure`, evcxr_image, anything with an
//! `evcxr_display` method) print `EVCXR_BEGIN_CONTENT <mime>` ... `EVCXR_END_CONTENT` blocks.
//! evcxr gathers every block of a cell into one bundle shown when the cell ends, and a later
//! block replaces an earlier one of the same MIME type: two plots in one cell show as one. In
//! the user-code process we gather blocks into bundles ourselves instead, as ipykernel shows one
//! output per `display()` call. The blocks carry no call boundaries, so a bundle is taken to be
//! one picture or page with its plain-text alternative: a block starts a new bundle when it
//! repeats one of the bundle's MIME types, or when the bundle and the block would both be
//! something other than `text/plain` (an HTML table, then an SVG plot: two displays). A bundle
//! is also finished when anything else is printed, or when nothing follows it for a moment; a
//! finished bundle goes to the kernel at once as a `display_data`.
//!
//! The cell's value is marked: evcxr's generated code prints `EVCXR_VALUE_FOLLOWS` right before
//! displaying it, and every block after that forms one bundle that goes to evcxr as before, the
//! cell's `execute_result`. A cell without a value (it ends with `;`) has no `execute_result`.

/// The MIME types and contents of one display, in the order they were printed.
pub type Bundle = Vec<(String, String)>;

/// Starts a display block; the MIME type follows after a space.
pub const BEGIN_CONTENT: &str = "EVCXR_BEGIN_CONTENT";
/// Ends a display block.
pub const END_CONTENT: &str = "EVCXR_END_CONTENT";

/// Display blocks read so far from the user-code process's stdout.
#[derive(Default)]
pub struct DisplayBlocks {
    /// The bundle being gathered.
    bundle: Bundle,
    /// The block being read: its MIME type and its lines so far.
    open: Option<(String, Vec<String>)>,
    /// The blocks being read are the cell's value: every block joins one bundle, as evcxr
    /// gathers it, and it waits for the cell's end however long that takes.
    value: bool,
}

impl DisplayBlocks {
    /// Takes `line` if it belongs to a display block. A block that repeats a MIME type of the
    /// bundle being gathered finishes that bundle: it is returned, to be shown first.
    pub fn take_line(&mut self, line: &str) -> Taken {
        if let Some((mime, lines)) = &mut self.open {
            if line == END_CONTENT {
                let content = lines.join("\n");
                let mime = std::mem::take(mime);
                self.open = None;
                self.bundle.push((mime, content));
            } else {
                lines.push(line.to_string());
            }
            return Taken::Kept;
        }
        let Some(mime) = line
            .strip_prefix(BEGIN_CONTENT)
            .and_then(|rest| rest.strip_prefix(' '))
        else {
            return Taken::NotABlock;
        };
        let finished = if !self.value && self.starts_a_new_display(mime) {
            Some(std::mem::take(&mut self.bundle))
        } else {
            None
        };
        self.open = Some((mime.to_string(), Vec::new()));
        match finished {
            Some(bundle) => Taken::Finished(bundle),
            None => Taken::Kept,
        }
    }

    /// Whether a block of `mime` is another display rather than another format of this one.
    fn starts_a_new_display(&self, mime: &str) -> bool {
        let rich = |mime: &str| mime != "text/plain";
        self.bundle
            .iter()
            .any(|(seen, _)| seen == mime || (rich(seen) && rich(mime)))
    }

    /// What follows is the cell's value (`VALUE_FOLLOWS`): its blocks are one bundle, whatever
    /// their types, until [`DisplayBlocks::end_value`].
    pub fn start_value(&mut self) {
        self.value = true;
    }

    /// The cell is over: later blocks are displays again.
    pub fn end_value(&mut self) {
        self.value = false;
    }

    /// Whether the blocks being gathered are the cell's value.
    pub fn holds_value(&self) -> bool {
        self.value
    }

    /// Whether whole blocks wait to be shown once nothing follows them (no block is half read,
    /// and they are not the value, which waits for the cell's end).
    pub fn is_holding(&self) -> bool {
        self.open.is_none() && !self.bundle.is_empty() && !self.value
    }

    /// The bundle gathered so far, finished now (a half-read block is dropped).
    pub fn take(&mut self) -> Bundle {
        self.open = None;
        std::mem::take(&mut self.bundle)
    }
}

/// What became of a line offered to [`DisplayBlocks::take_line`].
#[derive(Debug, PartialEq, Eq)]
pub enum Taken {
    /// The line is not part of a display block.
    NotABlock,
    /// The line is part of a block, kept until its bundle is finished.
    Kept,
    /// The line starts a new bundle; this one is finished.
    Finished(Bundle),
}

/// The bundle as the kernel's display message (`display_data`), as JSON.
pub fn display_data_json(bundle: &Bundle) -> Vec<u8> {
    serde_json::json!({
        "msg_type": "display_data",
        "content": { "data": mime_data(bundle), "metadata": {} },
    })
    .to_string()
    .into_bytes()
}

/// The `data` of a display: each MIME type with its content, JSON types as JSON (as Jupyter
/// expects), everything else as text.
pub fn mime_data(bundle: &[(String, String)]) -> serde_json::Map<String, serde_json::Value> {
    bundle
        .iter()
        .map(|(mime, content)| {
            let is_json = mime == "application/json" || mime.ends_with("+json");
            let value = is_json
                .then(|| serde_json::from_str(content).ok())
                .flatten()
                .unwrap_or_else(|| serde_json::Value::String(content.clone()));
            (mime.clone(), value)
        })
        .collect()
}

/// The bundle as evcxr reads it: one block per MIME type, each line ending in a newline.
pub fn evcxr_lines(bundle: &Bundle) -> Vec<u8> {
    bundle
        .iter()
        .map(|(mime, content)| format!("{BEGIN_CONTENT} {mime}\n{content}\n{END_CONTENT}\n"))
        .collect::<String>()
        .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(blocks: &mut DisplayBlocks, text: &str) -> Vec<Bundle> {
        let mut finished = Vec::new();
        for line in text.lines() {
            match blocks.take_line(line) {
                Taken::Finished(bundle) => finished.push(bundle),
                Taken::Kept => {}
                Taken::NotABlock => panic!("{line:?} is part of a block"),
            }
        }
        finished
    }

    fn bundle(pairs: &[(&str, &str)]) -> Bundle {
        pairs
            .iter()
            .map(|(mime, content)| (mime.to_string(), content.to_string()))
            .collect()
    }

    #[test]
    fn a_repeated_mime_type_finishes_the_bundle_before_it() {
        let mut blocks = DisplayBlocks::default();
        let finished = feed(
            &mut blocks,
            "EVCXR_BEGIN_CONTENT text/html\n<b>one</b>\nEVCXR_END_CONTENT\n\
             EVCXR_BEGIN_CONTENT text/plain\none\nEVCXR_END_CONTENT\n\
             EVCXR_BEGIN_CONTENT text/html\n<b>two</b>\nline 2\nEVCXR_END_CONTENT\n",
        );
        assert_eq!(
            finished,
            vec![bundle(&[
                ("text/html", "<b>one</b>"),
                ("text/plain", "one")
            ])]
        );
        assert!(blocks.is_holding());
        assert_eq!(
            blocks.take(),
            bundle(&[("text/html", "<b>two</b>\nline 2")])
        );
        assert!(!blocks.is_holding());
    }

    #[test]
    fn two_rich_formats_are_two_displays_and_plain_text_joins_either() {
        let mut blocks = DisplayBlocks::default();
        let finished = feed(
            &mut blocks,
            "EVCXR_BEGIN_CONTENT text/html\n<b>h</b>\nEVCXR_END_CONTENT\n\
             EVCXR_BEGIN_CONTENT image/svg+xml\n<svg/>\nEVCXR_END_CONTENT\n\
             EVCXR_BEGIN_CONTENT text/plain\nplot\nEVCXR_END_CONTENT\n",
        );
        assert_eq!(finished, vec![bundle(&[("text/html", "<b>h</b>")])]);
        assert_eq!(
            blocks.take(),
            bundle(&[("image/svg+xml", "<svg/>"), ("text/plain", "plot")])
        );

        blocks.start_value();
        let finished = feed(
            &mut blocks,
            "EVCXR_BEGIN_CONTENT text/html\n<b>h</b>\nEVCXR_END_CONTENT\n\
             EVCXR_BEGIN_CONTENT image/svg+xml\n<svg/>\nEVCXR_END_CONTENT\n",
        );
        assert!(finished.is_empty(), "a value's blocks are one bundle");
        assert!(
            blocks.holds_value() && !blocks.is_holding(),
            "the value waits for the end"
        );
        assert_eq!(blocks.take().len(), 2);
    }

    #[test]
    fn other_lines_are_not_taken_and_a_half_read_block_is_not_held() {
        let mut blocks = DisplayBlocks::default();
        assert_eq!(
            blocks.take_line("EVCXR_EXECUTION_COMPLETE"),
            Taken::NotABlock
        );
        assert_eq!(
            blocks.take_line("EVCXR_BEGIN_CONTENT image/svg+xml"),
            Taken::Kept
        );
        assert_eq!(blocks.take_line("EVCXR_EXECUTION_COMPLETE"), Taken::Kept);
        assert!(!blocks.is_holding(), "the block is not finished");
        assert_eq!(blocks.take(), Bundle::new(), "a half-read block is dropped");
    }

    #[test]
    fn a_bundle_becomes_display_data_or_evcxr_blocks_again() {
        let shown = bundle(&[("text/plain", "7"), ("application/json", "{\"n\": 7}")]);
        let message: serde_json::Value =
            serde_json::from_slice(&display_data_json(&shown)).unwrap();
        assert_eq!(
            message,
            serde_json::json!({
                "msg_type": "display_data",
                "content": {
                    "data": { "text/plain": "7", "application/json": { "n": 7 } },
                    "metadata": {},
                },
            })
        );
        assert_eq!(
            String::from_utf8(evcxr_lines(&shown)).unwrap(),
            "EVCXR_BEGIN_CONTENT text/plain\n7\nEVCXR_END_CONTENT\n\
             EVCXR_BEGIN_CONTENT application/json\n{\"n\": 7}\nEVCXR_END_CONTENT\n"
        );
    }
}
