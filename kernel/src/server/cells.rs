//! Running a cell: evcxr, `?name` help pages, outputs, errors with their source span, and
//! aborting cells queued behind a failure.

use std::collections::HashMap;
use std::sync::Arc;

use jupyter_protocol::{
    CommClose, CommId, DisplayData, ErrorOutput, ExecuteInput, ExecuteReply, ExecuteRequest,
    ExecuteResult, ExecutionCount, JupyterMessage, Payload, ReplyStatus, Status, StreamContent,
    Transient,
};

use super::introspection::documentation;
use super::{Replier, Shared, media};
use crate::execution::executor::{CodeQuery, ExecuteOutcome, Interruption};
use crate::execution::stdin::StdinBridge;
use crate::output::cell_errors;
use crate::output::output_router::PanicReport;
use crate::output::panic_location::{self, CellSpan};
use crate::server::help::help_target;

/// An execute reply and the metadata of its message: where the cell's time went, phase by
/// phase, as `{"lessons_kernel": {"phases": [[name, milliseconds], ...]}}` (clients ignore
/// metadata they do not know; `bench/run` reads it).
pub(super) struct Executed {
    pub reply: ExecuteReply,
    pub metadata: serde_json::Value,
}

impl Executed {
    fn without_phases(reply: ExecuteReply) -> Executed {
        Executed {
            reply,
            metadata: serde_json::json!({}),
        }
    }
}

impl Shared {
    /// Runs one cell and publishes its outputs; the reply is the caller's to send.
    pub(super) async fn execute(
        &self,
        request: &JupyterMessage,
        execute: &ExecuteRequest,
        next_count: &mut usize,
    ) -> Executed {
        let store = execute.store_history && !execute.silent;
        let count = *next_count;
        if store {
            *next_count += 1;
            self.history.lock().record(count, &execute.code);
        }
        if !execute.silent {
            self.publish(
                request,
                ExecuteInput {
                    code: execute.code.clone(),
                    execution_count: ExecutionCount::new(count),
                },
            );
        }
        if let Some(target) = help_target(&execute.code) {
            return Executed::without_phases(self.page_help(request, target, count).await);
        }
        self.router.begin_cell(request, execute.silent);
        let stdin = execute.allow_stdin.then(|| StdinBridge {
            questions: self.stdin_questions.clone(),
            parent: Arc::new(request.clone()),
        });
        let outcome = self.executor.execute(execute.code.clone(), stdin).await;
        let interrupted = self.interrupter.take_request();
        let mut phases = Vec::new();
        let error = match outcome {
            // The cell stopped when asked (a panic, an error or an early return of its own):
            // whatever it printed stays, and the interrupt is what the reply reports.
            outcome if interrupted == Some(Interruption::Stopped) => {
                Some(cell_errors::stopped(&stop_reason(&outcome)))
            }
            ExecuteOutcome::Finished(outputs, report) => match report.panic {
                Some(panic) => {
                    let span = self.panic_span(&panic, count, &execute.code);
                    Some(cell_errors::panic(&panic, span.as_ref()))
                }
                None => {
                    self.show_result(request, execute, &outputs, count, store);
                    phases = cell_phases(&outputs);
                    None
                }
            },
            ExecuteOutcome::Failed(_) if interrupted.is_some() => Some(cell_errors::interrupted()),
            ExecuteOutcome::Failed(evcxr::Error::CompilationErrors(errors)) => {
                Some(cell_errors::compile_errors(&errors, &execute.code, count))
            }
            ExecuteOutcome::Failed(evcxr::Error::SubprocessTerminated(message)) => {
                Some(cell_errors::process_ended(&message))
            }
            ExecuteOutcome::Failed(error) => {
                Some(cell_errors::other("EvcxrError", &error.to_string()))
            }
            ExecuteOutcome::KernelFault(message) => {
                Some(cell_errors::other("KernelError", &message))
            }
        };
        let process_ended = interrupted == Some(Interruption::ProcessEnded)
            || error
                .as_ref()
                .is_some_and(|error| error.ename == cell_errors::PROCESS_ENDED);
        if process_ended {
            self.close_dead_comms(request);
        }
        let reply = match error {
            None => ExecuteReply {
                status: ReplyStatus::Ok,
                execution_count: ExecutionCount::new(count),
                user_expressions: Some(HashMap::new()),
                ..Default::default()
            },
            Some(error) => {
                if !execute.silent {
                    self.publish(
                        request,
                        ErrorOutput {
                            ename: error.ename.clone(),
                            evalue: error.evalue.clone(),
                            traceback: error.traceback.clone(),
                        },
                    );
                }
                ExecuteReply {
                    status: ReplyStatus::Error,
                    execution_count: ExecutionCount::new(count),
                    error: Some(Box::new(error)),
                    ..Default::default()
                }
            }
        };
        Executed {
            reply,
            metadata: serde_json::json!({"lessons_kernel": {"phases": phases}}),
        }
    }

    /// Answers `?name` with the documentation of `name` in the pager.
    pub(super) async fn page_help(
        &self,
        request: &JupyterMessage,
        target: &str,
        count: usize,
    ) -> ExecuteReply {
        let query = CodeQuery {
            code: target.to_string(),
            cursor: target.len(),
        };
        let payload = match self.executor.hover(query).await {
            Ok((plain, html)) => documentation(plain, html)
                .map(|data| Payload::Page { data, start: 0 })
                .into_iter()
                .collect(),
            Err(_) => Vec::new(),
        };
        if payload.is_empty() {
            let text = format!("No documentation found for `{target}`.\n");
            self.publish(request, StreamContent::stdout(&text));
        }
        ExecuteReply {
            status: ReplyStatus::Ok,
            execution_count: ExecutionCount::new(count),
            payload,
            user_expressions: Some(HashMap::new()),
            error: None,
        }
    }

    /// The cell line that panicked: in this cell, or in the earlier cell that defined the
    /// function it called.
    pub(super) fn panic_span(
        &self,
        panic: &PanicReport,
        count: usize,
        code: &str,
    ) -> Option<CellSpan> {
        let line = panic.generated_line.as_ref()?;
        panic_location::find_in_cell(line, count, code).or_else(|| {
            self.history
                .lock()
                .latest(|cell, earlier| panic_location::find_in_cell(line, cell, earlier))
        })
    }

    /// Answers an execute request that was queued behind a failed cell without running it.
    pub(super) async fn abort(
        &self,
        replier: &Replier,
        request: &JupyterMessage,
        next_count: usize,
    ) {
        self.status(request, Status::busy());
        let reply = ExecuteReply {
            status: ReplyStatus::Aborted,
            execution_count: ExecutionCount::new(next_count),
            ..Default::default()
        };
        replier
            .send(&self.codec, self.session.child(request, reply))
            .await;
        self.status(request, Status::idle());
    }

    /// The cell's final value, as evcxr displayed it, becomes the execute_result.
    pub(super) fn show_result(
        &self,
        request: &JupyterMessage,
        execute: &ExecuteRequest,
        outputs: &evcxr::EvalOutputs,
        count: usize,
        store: bool,
    ) {
        if let Some(timing) = outputs.timing {
            let text = timing_line(timing, &cell_phases(outputs));
            self.publish(
                request,
                DisplayData::new(media(&[("text/plain".into(), text)])),
            );
        }
        // A cell ending in a loop or a call returning `()` has no result, as None has none in
        // IPython.
        let unit =
            outputs.content_by_mime_type.len() == 1 && outputs.get("text/plain") == Some("()");
        if outputs.content_by_mime_type.is_empty() || unit || execute.silent {
            return;
        }
        let bundle: Vec<(String, String)> =
            outputs.content_by_mime_type.clone().into_iter().collect();
        if store && let Some(text) = outputs.get("text/plain") {
            self.history.lock().record_output(count, text);
        }
        let result = ExecuteResult {
            // jupyter_client's schema wants an object here, never null.
            transient: Some(Transient::default()),
            ..ExecuteResult::new(ExecutionCount::new(count), media(&bundle))
        };
        self.publish(request, result);
    }
}

/// Where a cell's time went, in evcxr's phases (analysis, code generation, writing the crate,
/// cargo, rustc, execution), each with its milliseconds to a tenth.
fn cell_phases(outputs: &evcxr::EvalOutputs) -> Vec<(String, f64)> {
    outputs
        .phases
        .iter()
        .map(|phase| {
            let millis = phase.duration.as_secs_f64() * 1000.0;
            (phase.name.clone(), (millis * 10.0).round() / 10.0)
        })
        .collect()
}

/// What `:timing` shows: the cell's total and its phases.
fn timing_line(total: std::time::Duration, phases: &[(String, f64)]) -> String {
    let parts: Vec<String> = phases
        .iter()
        .map(|(name, millis)| format!("{} {millis:.0} ms", name.to_lowercase()))
        .collect();
    if parts.is_empty() {
        format!("Took {} ms", total.as_millis())
    } else {
        format!("Took {} ms ({})", total.as_millis(), parts.join(", "))
    }
}

impl Shared {
    /// The cell process is gone, and with it every comm handler: the frontend is told that
    /// those comms are closed, so its widgets stop sending to nobody.
    fn close_dead_comms(&self, request: &JupyterMessage) {
        for comm_id in self.router.comms().close_all() {
            let close = CommClose {
                comm_id: CommId(comm_id),
                data: Default::default(),
            };
            self.publish(request, close);
        }
    }
}

/// What the library said when it stopped: its panic message or error, if any.
fn stop_reason(outcome: &ExecuteOutcome) -> String {
    match outcome {
        ExecuteOutcome::Finished(_, report) => match &report.panic {
            Some(panic) => panic.message.clone(),
            None => report.last_stderr_line.clone().unwrap_or_default(),
        },
        ExecuteOutcome::Failed(error) => error.to_string(),
        ExecuteOutcome::KernelFault(message) => message.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timing_names_every_phase_with_its_milliseconds() {
        let phases = vec![("Analysis".to_string(), 81.4), ("Rustc".to_string(), 150.5)];
        assert_eq!(
            timing_line(std::time::Duration::from_millis(312), &phases),
            "Took 312 ms (analysis 81 ms, rustc 150 ms)"
        );
        assert_eq!(
            timing_line(std::time::Duration::from_millis(7), &[]),
            "Took 7 ms"
        );
    }
}
