//! How a failed cell is reported: one `error` output whose traceback shows the cell's own
//! source with the offending span marked, as rustc would, for every error in the cell.

use evcxr::{CompilationError, Theme};
use jupyter_protocol::ReplyError;

use crate::output::output_router::PanicReport;
use crate::output::panic_location::CellSpan;

/// Why a cell failed, in the words of the error output and the error reply.
pub fn compile_errors(
    errors: &[CompilationError],
    code: &str,
    execution_count: usize,
) -> ReplyError {
    let from_user: Vec<&CompilationError> =
        errors.iter().filter(|e| e.is_from_user_code()).collect();
    // Errors in evcxr's generated code only matter when the cell itself has none.
    let shown: Vec<&CompilationError> = if from_user.is_empty() {
        errors.iter().collect()
    } else {
        from_user
    };
    let file_name = format!("cell[{execution_count}]");
    let mut traceback = Vec::new();
    for error in &shown {
        traceback.extend(render(error, &file_name, code));
    }
    let evalue = match shown.as_slice() {
        [only] => only.message(),
        [first, ..] => format!("{} errors; the first: {}", shown.len(), first.message()),
        [] => "the cell did not compile".to_string(),
    };
    ReplyError {
        ename: "CompileError".into(),
        evalue,
        traceback,
    }
}

fn render(error: &CompilationError, file_name: &str, code: &str) -> Vec<String> {
    if error.is_from_user_code()
        && let Some(report) =
            error.build_report(file_name.to_string(), code.to_string(), Theme::Light)
    {
        let mut text = Vec::new();
        if report
            .write(ariadne::sources([(file_name.to_string(), code)]), &mut text)
            .is_ok()
        {
            // ariadne colours every character on its own; plain text reads the same in the
            // notebook and stays readable in exported notes.
            return without_ansi_codes(&String::from_utf8_lossy(&text))
                .lines()
                .map(str::to_string)
                .collect();
        }
    }
    render_with_carets(error)
}

/// Removes terminal colour codes (`ESC [ ... letter`).
fn without_ansi_codes(text: &str) -> String {
    let mut plain = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for code in chars.by_ref() {
                if code.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            plain.push(c);
        }
    }
    plain
}

/// The plain rendering, for sources ariadne will not take (evcxr builds no report for
/// non-ASCII cells): each source line followed by carets under the span.
fn render_with_carets(error: &CompilationError) -> Vec<String> {
    let mut lines = vec![match error.code() {
        Some(code) => format!("error[{code}]: {}", error.message()),
        None => format!("error: {}", error.message()),
    }];
    for spanned in error.spanned_messages() {
        lines.extend(spanned.lines.iter().cloned());
        match &spanned.span {
            Some(span) if span.end_column > span.start_column => lines.push(format!(
                "{}{} {}",
                " ".repeat(span.start_column.saturating_sub(1)),
                "^".repeat(span.end_column - span.start_column),
                spanned.label
            )),
            _ if !spanned.label.is_empty() => lines.push(spanned.label.clone()),
            _ => {}
        }
    }
    lines.extend(error.help().into_iter().map(|help| format!("help: {help}")));
    lines
}

/// A panic in the cell: the message, where it happened (drawn on the cell when the panicking
/// line is the cell's own), and what survived.
pub fn panic(report: &PanicReport, span: Option<&CellSpan>) -> ReplyError {
    let message = report.message.clone();
    let mut traceback = vec![format!("panic: {message}")];
    match span {
        Some(span) => {
            let number = span.line.to_string();
            let gutter = " ".repeat(number.len());
            traceback.push(format!(
                "{gutter}--> cell[{}]:{}:{}",
                span.cell, span.line, span.column
            ));
            traceback.push(format!("{gutter} |"));
            traceback.push(format!("{number} | {}", span.text));
            traceback.push(format!("{gutter} | {}^", " ".repeat(span.column - 1)));
        }
        None if !report.location.is_empty() => {
            traceback.push(format!("  at {}", report.location));
        }
        None => {}
    }
    traceback.push(SURVIVORS_AFTER_PANIC.into());
    ReplyError {
        ename: "Panic".into(),
        evalue: message,
        traceback,
    }
}

const SURVIVORS_AFTER_PANIC: &str =
    "Variables from earlier cells are kept; variables this cell defined are dropped.";

/// What an interrupt keeps and what it loses, said in the error output and the README.
pub const SURVIVORS_AFTER_INTERRUPT: &str = "The cell was interrupted by stopping the process \
that runs cells. Lost: all variables. Kept: functions, types, `use` items and `:dep` \
dependencies, which are available to the next cell.";

/// The `ename` of [`process_ended`].
pub const PROCESS_ENDED: &str = "ProcessEnded";

/// The process that runs cells ended on its own (a crash, an abort, `std::process::exit`).
pub fn process_ended(message: &str) -> ReplyError {
    let mut traceback: Vec<String> = message.lines().map(str::to_string).collect();
    traceback.push(
        "The process that runs cells ended and was restarted. Lost: all variables. Kept: \
functions, types, `use` items and `:dep` dependencies."
            .into(),
    );
    ReplyError {
        ename: PROCESS_ENDED.into(),
        evalue: message
            .lines()
            .last()
            .unwrap_or("the process that runs cells ended")
            .into(),
        traceback,
    }
}

/// The cell was stopped by an interrupt request.
pub fn interrupted() -> ReplyError {
    ReplyError {
        ename: "Interrupted".into(),
        evalue: "the cell was interrupted".into(),
        traceback: vec![SURVIVORS_AFTER_INTERRUPT.into()],
    }
}

/// A cell that stopped when asked to: its process, and every variable, are still there.
pub fn stopped(reason: &str) -> ReplyError {
    let reason = reason.trim();
    let evalue = if reason.is_empty() {
        "the cell stopped when interrupted".to_string()
    } else {
        format!("the cell stopped when interrupted: {reason}")
    };
    ReplyError {
        ename: "Interrupted".into(),
        evalue: evalue.clone(),
        traceback: vec![evalue, STATE_KEPT_AFTER_STOP.into()],
    }
}

const STATE_KEPT_AFTER_STOP: &str =
    "It stopped by itself, so every variable, function and dependency is still there.";

/// Any other failure, from evcxr or from the kernel itself.
pub fn other(ename: &str, message: &str) -> ReplyError {
    ReplyError {
        ename: ename.into(),
        evalue: message.into(),
        traceback: message.lines().map(str::to_string).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_is_drawn_on_the_cell_line() {
        let report = PanicReport {
            message: "boom".into(),
            location: "src/lib.rs:9:5".into(),
            generated_line: None,
        };
        let span = CellSpan {
            cell: 7,
            line: 2,
            column: 5,
            text: "    panic!(\"boom\");".into(),
        };
        assert_eq!(
            panic(&report, Some(&span)).traceback,
            [
                "panic: boom",
                " --> cell[7]:2:5",
                "  |",
                "2 |     panic!(\"boom\");",
                "  |     ^",
                SURVIVORS_AFTER_PANIC,
            ]
        );
    }

    #[test]
    fn colour_codes_are_removed_and_text_kept() {
        let coloured = "\u{1b}[31m[E0308] Error:\u{1b}[0m mismatched \u{1b}[38;5;249ml\u{1b}[0m";
        assert_eq!(without_ansi_codes(coloured), "[E0308] Error: mismatched l");
    }
}
