//! Runs a notebook's code cells in order through a [`KernelClient`] and records their outputs
//! in the notebook, as nbclient does: consecutive stream text joined, displays with an id
//! updated in place, `clear_output` (with `wait`) honoured, the kernel's build progress left
//! out. Execution stops at the first cell
//! that fails, which is reported with its position, its source and the error.

use std::collections::HashMap;
use std::time::Duration;

use jupyter_protocol::{JupyterMessageContent, ReplyStatus};
use nbformat::v4::{
    Cell, DisplayData, ErrorOutput, ExecuteResult, MultilineString, Notebook, Output,
};

use super::client::{Event, KernelClient};
use super::notebook::source;
use super::widgets::WidgetStates;

/// A cell that did not run to completion.
#[derive(Debug, Clone)]
pub struct Failure {
    /// Position of the cell in the notebook, counting every cell from 1 (as JupyterLab's
    /// status bar does).
    pub cell: usize,
    /// The cell's source.
    pub source: String,
    /// The error's name (`E0308`, `Panic`, `Timeout`...), value and traceback, without colours.
    pub ename: String,
    pub evalue: String,
    pub traceback: Vec<String>,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let first_line = self.source.lines().next().unwrap_or("");
        writeln!(
            f,
            "cell {} (`{first_line}`) failed: {}: {}",
            self.cell, self.ename, self.evalue
        )?;
        for line in &self.traceback {
            writeln!(f, "    {}", line.replace('\n', "\n    "))?;
        }
        Ok(())
    }
}

/// Removes ANSI colour sequences (tracebacks are coloured for terminals).
pub fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' && chars.peek() == Some(&'[') {
            chars.next();
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The kernel's "Compiling..." lines: how long this machine took to build, not part of a lesson.
fn is_build_progress(display_id: &str) -> bool {
    display_id.starts_with(crate::output::output_router::BUILD_DISPLAY_PREFIX)
}

/// Where displays with an id were shown: (cell index, output index) for each id.
#[derive(Default)]
struct Displays(HashMap<String, Vec<(usize, usize)>>);

/// Collects the outputs of one cell as messages arrive.
#[derive(Default)]
struct CellOutputs {
    outputs: Vec<Output>,
    clear_on_next: bool,
    execution_count: Option<i32>,
    status: Option<ReplyStatus>,
    reply_error: Option<(String, String, Vec<String>)>,
    /// Display ids shown in this cell, with their output index.
    shown: Vec<(String, usize)>,
    /// `update_display_data` for displays of earlier cells: (id, data, metadata).
    updates: Vec<(String, Output)>,
    /// Comm messages (widgets opened or updated), in order.
    comms: Vec<JupyterMessageContent>,
}

impl CellOutputs {
    fn push(&mut self, output: Output) {
        if std::mem::take(&mut self.clear_on_next) {
            self.outputs.clear();
            self.shown.clear();
        }
        if let Output::Stream { name, text } = &output
            && let Some(Output::Stream {
                name: last_name,
                text: last,
            }) = self.outputs.last_mut()
            && last_name == name
        {
            last.0.push_str(&text.0);
            return;
        }
        self.outputs.push(output);
    }

    fn take(&mut self, event: Event) {
        match event {
            Event::Reply(JupyterMessageContent::ExecuteReply(reply)) => {
                self.status = Some(reply.status);
                self.execution_count = i32::try_from(reply.execution_count.value()).ok();
                if let Some(error) = reply.error {
                    self.reply_error = Some((error.ename, error.evalue, error.traceback));
                }
            }
            Event::Reply(_) => {}
            Event::Iopub(content) => match content {
                JupyterMessageContent::StreamContent(stream) => self.push(Output::Stream {
                    name: match stream.name {
                        jupyter_protocol::Stdio::Stdout => "stdout".into(),
                        jupyter_protocol::Stdio::Stderr => "stderr".into(),
                    },
                    text: MultilineString(stream.text),
                }),
                JupyterMessageContent::DisplayData(display) => {
                    let id = display.transient.and_then(|t| t.display_id);
                    if id.as_deref().is_some_and(is_build_progress) {
                        return;
                    }
                    self.push(Output::DisplayData(DisplayData {
                        data: display.data,
                        metadata: display.metadata,
                    }));
                    if let Some(id) = id {
                        self.shown.push((id, self.outputs.len() - 1));
                    }
                }
                JupyterMessageContent::UpdateDisplayData(update) => {
                    let Some(id) = update.transient.display_id else {
                        return;
                    };
                    if is_build_progress(&id) {
                        return;
                    }
                    let output = Output::DisplayData(DisplayData {
                        data: update.data,
                        metadata: update.metadata,
                    });
                    for (_, index) in self.shown.iter().filter(|(shown, _)| *shown == id) {
                        self.outputs[*index] = output.clone();
                    }
                    self.updates.push((id, output));
                }
                JupyterMessageContent::ExecuteResult(result) => {
                    self.push(Output::ExecuteResult(ExecuteResult {
                        execution_count: result.execution_count,
                        data: result.data,
                        metadata: result.metadata,
                    }))
                }
                JupyterMessageContent::ErrorOutput(error) => {
                    self.push(Output::Error(ErrorOutput {
                        ename: error.ename,
                        evalue: error.evalue,
                        traceback: error.traceback,
                    }))
                }
                JupyterMessageContent::CommOpen(_) | JupyterMessageContent::CommMsg(_) => {
                    self.comms.push(content)
                }
                JupyterMessageContent::ClearOutput(clear) => {
                    if clear.wait {
                        self.clear_on_next = true;
                    } else {
                        self.outputs.clear();
                        self.shown.clear();
                    }
                }
                _ => {}
            },
        }
    }

    /// The failure this cell ended with, if it did.
    fn failure(&self, cell: usize, code: &str) -> Option<Failure> {
        if self.status == Some(ReplyStatus::Ok) {
            return None;
        }
        let from_output = self.outputs.iter().rev().find_map(|output| match output {
            Output::Error(error) => Some((
                error.ename.clone(),
                error.evalue.clone(),
                error.traceback.clone(),
            )),
            _ => None,
        });
        let (ename, evalue, traceback) = from_output
            .or_else(|| self.reply_error.clone())
            .unwrap_or_else(|| ("Error".into(), format!("{:?}", self.status), Vec::new()));
        Some(Failure {
            cell,
            source: code.to_owned(),
            ename: strip_ansi(&ename),
            evalue: strip_ansi(&evalue),
            traceback: traceback.iter().map(|line| strip_ansi(line)).collect(),
        })
    }
}

/// What the runner reports as it goes: called before each code cell with the number of code
/// cells done so far and the cell's source.
pub trait Progress {
    fn cell(&self, done: usize, source: &str);
}

/// Runs every code cell of `notebook` in order, replacing its outputs and execution counts;
/// stops at the first cell that fails. Each cell may take up to `limit`.
pub async fn run(
    notebook: &mut Notebook,
    client: &mut KernelClient,
    limit: Duration,
    progress: &impl Progress,
) -> Result<(), Failure> {
    let mut displays = Displays::default();
    let mut widgets = WidgetStates::default();
    let mut done = 0;
    for index in 0..notebook.cells.len() {
        let code = source(&notebook.cells[index]);
        if !matches!(notebook.cells[index], Cell::Code { .. }) {
            continue;
        }
        progress.cell(done, &code);
        let mut collected = CellOutputs::default();
        let ran = client
            .execute(&code, limit, |event| collected.take(event))
            .await;
        for comm in std::mem::take(&mut collected.comms) {
            widgets.take(&comm);
        }
        // Updates of displays shown by earlier cells reach those cells too.
        for (id, output) in std::mem::take(&mut collected.updates) {
            for (cell, position) in displays.0.get(&id).into_iter().flatten() {
                if let Some(Cell::Code { outputs, .. }) = notebook.cells.get_mut(*cell)
                    && let Some(slot) = outputs.get_mut(*position)
                {
                    *slot = output.clone();
                }
            }
        }
        for (id, position) in &collected.shown {
            displays
                .0
                .entry(id.clone())
                .or_default()
                .push((index, *position));
        }
        let failure = match ran {
            Ok(()) => collected.failure(index + 1, &code),
            Err(error) => Some(Failure {
                cell: index + 1,
                source: code.clone(),
                ename: "KernelError".into(),
                evalue: format!("{error:#}"),
                traceback: Vec::new(),
            }),
        };
        if let Cell::Code {
            outputs,
            execution_count,
            ..
        } = &mut notebook.cells[index]
        {
            *outputs = collected.outputs;
            *execution_count = collected.execution_count;
        }
        if let Some(failure) = failure {
            return Err(failure);
        }
        done += 1;
    }
    widgets.save_in(notebook);
    progress.cell(done, "");
    Ok(())
}

/// Number of code cells in `notebook`.
pub fn code_cells(notebook: &Notebook) -> usize {
    notebook
        .cells
        .iter()
        .filter(|cell| matches!(cell, Cell::Code { .. }))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jupyter_protocol::{
        ClearOutput, Media, MediaType, StreamContent, Transient, UpdateDisplayData,
    };

    fn stream(text: &str) -> Event {
        Event::Iopub(JupyterMessageContent::StreamContent(StreamContent {
            name: jupyter_protocol::Stdio::Stdout,
            text: text.into(),
        }))
    }

    fn display(text: &str, id: Option<&str>) -> Event {
        Event::Iopub(JupyterMessageContent::DisplayData(
            jupyter_protocol::DisplayData {
                data: Media::new(vec![MediaType::Plain(text.into())]),
                metadata: Default::default(),
                transient: id.map(|id| Transient {
                    display_id: Some(id.into()),
                }),
            },
        ))
    }

    fn plain(output: &Output) -> String {
        match output {
            Output::Stream { text, .. } => text.0.clone(),
            Output::DisplayData(display) => match &display.data.content[0] {
                MediaType::Plain(text) => text.clone(),
                _ => unreachable!(),
            },
            _ => unreachable!(),
        }
    }

    #[test]
    fn streams_join_and_displays_update_in_place() {
        let mut cell = CellOutputs::default();
        cell.take(stream("a"));
        cell.take(stream("b\n"));
        cell.take(display("frame 1", Some("anim")));
        cell.take(Event::Iopub(JupyterMessageContent::UpdateDisplayData(
            UpdateDisplayData {
                data: Media::new(vec![MediaType::Plain("frame 2".into())]),
                metadata: Default::default(),
                transient: Transient {
                    display_id: Some("anim".into()),
                },
            },
        )));
        let texts: Vec<String> = cell.outputs.iter().map(plain).collect();
        assert_eq!(texts, ["ab\n", "frame 2"]);
    }

    #[test]
    fn clear_output_with_wait_clears_when_the_next_output_arrives() {
        let mut cell = CellOutputs::default();
        cell.take(display("one", None));
        cell.take(Event::Iopub(JupyterMessageContent::ClearOutput(
            ClearOutput { wait: true },
        )));
        assert_eq!(cell.outputs.len(), 1);
        cell.take(display("two", None));
        let texts: Vec<String> = cell.outputs.iter().map(plain).collect();
        assert_eq!(texts, ["two"]);
    }

    #[test]
    fn colours_are_stripped() {
        assert_eq!(strip_ansi("\u{1b}[31merror\u{1b}[0m: x"), "error: x");
    }
}
