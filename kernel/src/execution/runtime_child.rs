//! The user-code process's side of the output pipe.
//!
//! evcxr runs cells in a child process started from this same binary. Before evcxr's runtime
//! loop starts, we point the child's stdout and stderr at pipes of our own and read them on a
//! thread: lines evcxr needs (`EVCXR_...` control lines and display blocks) go on to evcxr's
//! stdout unchanged; everything else goes to the kernel's output pipe as frames, at once, with
//! partial lines included. That is how output streams while a cell runs and how the kernel learns
//! that a cell panicked.

use std::fs::File;
use std::io::{ErrorKind, Read, Write};
use std::os::fd::{AsFd, FromRawFd, OwnedFd};

use rustix::event::{PollFd, PollFlags, Timespec, poll};

use crate::execution::comm_bridge;
use crate::output::display_blocks::{self, DisplayBlocks, Taken};
use crate::output::output_frames::Frame;

/// Names the inherited file descriptor of the kernel's output pipe.
pub const OUTPUT_FD_VAR: &str = "LESSONS_KERNEL_OUTPUT_FD";
/// Carries the user's own `RUST_BACKTRACE` (evcxr forces it to 1 for the child).
pub const BACKTRACE_VAR: &str = "LESSONS_KERNEL_RUST_BACKTRACE";
/// Lines starting with this carry a display message as JSON.
pub const MESSAGE_PREFIX: &[u8] = b"LESSONS_KERNEL_MESSAGE ";

const EVCXR_PREFIX: &[u8] = b"EVCXR_";
const EXECUTION_COMPLETE: &[u8] = b"EVCXR_EXECUTION_COMPLETE";
const PANIC_NOTIFICATION: &[u8] = b"EVCXR_PANIC_NOTIFICATION";
const INPUT_REQUEST: &[u8] = b"EVCXR_INPUT_REQUEST";
const VALUE_FOLLOWS: &[u8] = evcxr::VALUE_FOLLOWS.as_bytes();
/// Written by a cell's generated code where its output stops: a line it left open ends there.
const END_OF_OUTPUT: u8 = 0;
const BEGIN_CONTENT: &[u8] = display_blocks::BEGIN_CONTENT.as_bytes();
const END_CONTENT: &[u8] = display_blocks::END_CONTENT.as_bytes();
/// A display bundle followed by nothing for this long is shown: it was not the cell's value
/// (evcxr prints that right before the cell completes).
const DISPLAY_QUIET: Timespec = Timespec {
    tv_sec: 0,
    tv_nsec: 50_000_000,
};

/// If this process is evcxr's user-code runtime started by our kernel, redirects its output
/// into the kernel's pipe. Call before `evcxr::runtime_hook`, while the process has one thread.
pub fn redirect_output_if_runtime() {
    if std::env::var_os("EVCXR_IS_RUNTIME").is_none() {
        return;
    }
    restore_user_backtrace_setting();
    comm_bridge::start_if_given();
    let Some(fd) = std::env::var(OUTPUT_FD_VAR)
        .ok()
        .and_then(|text| text.parse::<i32>().ok())
    else {
        return;
    };
    // SAFETY: the kernel created this pipe end without close-on-exec and named it in
    // OUTPUT_FD_VAR for exactly this process; nothing else in this process owns it.
    let kernel_pipe = File::from(unsafe { OwnedFd::from_raw_fd(fd) });
    match start_splitter(kernel_pipe) {
        // SAFETY: the splitter's thread never reads the environment, and no other thread exists.
        Ok(()) => unsafe { std::env::set_var(evcxr::OUTPUT_MARKS_VAR, "1") },
        Err(error) => eprintln!("lessons-kernel: output stays line-buffered: {error}"),
    }
}

fn restore_user_backtrace_setting() {
    // SAFETY: called at the start of main, before any other thread exists.
    unsafe {
        match std::env::var_os(BACKTRACE_VAR) {
            Some(value) => std::env::set_var("RUST_BACKTRACE", value),
            None => std::env::remove_var("RUST_BACKTRACE"),
        }
    }
}

fn start_splitter(kernel_pipe: File) -> std::io::Result<()> {
    let evcxr_stdout = File::from(rustix::io::dup(rustix::stdio::stdout())?);
    let (stdout_reader, stdout_writer) = rustix::pipe::pipe()?;
    let (stderr_reader, stderr_writer) = rustix::pipe::pipe()?;
    rustix::stdio::dup2_stdout(&stdout_writer)?;
    rustix::stdio::dup2_stderr(&stderr_writer)?;
    let no_inherit = rustix::io::FdFlags::CLOEXEC;
    for fd in [&stdout_reader, &stderr_reader] {
        rustix::io::fcntl_setfd(fd, no_inherit)?;
    }
    rustix::fs::fcntl_setfl(&stderr_reader, rustix::fs::OFlags::NONBLOCK)?;
    let mut splitter = Splitter {
        stdout: File::from(stdout_reader),
        stderr: File::from(stderr_reader),
        evcxr_stdout,
        kernel_pipe,
        lines: LineSorter::default(),
        displays: DisplayBlocks::default(),
    };
    std::thread::Builder::new()
        .name("output-splitter".into())
        .spawn(move || splitter.run())?;
    Ok(())
}

struct Splitter {
    stdout: File,
    stderr: File,
    evcxr_stdout: File,
    kernel_pipe: File,
    lines: LineSorter,
    displays: DisplayBlocks,
}

impl Splitter {
    fn run(&mut self) {
        let mut buffer = vec![0u8; 64 * 1024];
        loop {
            let mut fds = [
                PollFd::new(&self.stdout, PollFlags::IN),
                PollFd::new(&self.stderr, PollFlags::IN),
            ];
            let quiet = self.displays.is_holding().then_some(&DISPLAY_QUIET);
            let Ok(ready) = poll(&mut fds, quiet) else {
                continue;
            };
            if ready == 0 {
                self.show_displays();
                continue;
            }
            let stdout_ready = !fds[0].revents().is_empty();
            let stderr_ready = !fds[1].revents().is_empty();
            if stderr_ready && !self.forward_stderr(&mut buffer) {
                return;
            }
            if stdout_ready {
                match self.stdout.read(&mut buffer) {
                    Ok(0) | Err(_) => return,
                    Ok(read) => {
                        let pieces = self.lines.sort(&buffer[..read]);
                        for piece in pieces {
                            self.deliver(piece, &mut buffer);
                        }
                    }
                }
            }
        }
    }

    /// Sends whatever stderr holds now; false once stderr is closed.
    fn forward_stderr(&mut self, buffer: &mut [u8]) -> bool {
        loop {
            match self.stderr.read(buffer) {
                Ok(0) => return false,
                Ok(read) => self.send(Frame::Stderr(buffer[..read].to_vec())),
                Err(error) if error.kind() == ErrorKind::WouldBlock => return true,
                Err(error) if error.kind() == ErrorKind::Interrupted => {}
                Err(_) => return false,
            }
        }
    }

    fn deliver(&mut self, piece: Piece, buffer: &mut [u8]) {
        match piece {
            Piece::Output(bytes) => {
                self.show_displays();
                self.send(Frame::Stdout(bytes));
            }
            Piece::KernelMessage(json) => {
                self.show_displays();
                self.send(Frame::KernelMessage(json));
            }
            Piece::Control(line) => {
                // Whatever the cell wrote to stderr before this line belongs before it.
                self.forward_stderr(buffer);
                match self.displays.take_line(&String::from_utf8_lossy(&line)) {
                    Taken::Kept => return,
                    Taken::Finished(bundle) => {
                        self.show(&bundle);
                        return;
                    }
                    Taken::NotABlock => {}
                }
                if line == VALUE_FOLLOWS {
                    // Displays printed before the value are displays of their own.
                    self.show_displays();
                    self.displays.start_value();
                    return;
                }
                if line == EXECUTION_COMPLETE || line == PANIC_NOTIFICATION {
                    // Before evcxr hears of the end, so the next cell starts unstopped.
                    comm_bridge::cell_ended();
                }
                if line == EXECUTION_COMPLETE {
                    if self.displays.holds_value() {
                        // evcxr makes the value's blocks the cell's result.
                        let value = self.displays.take();
                        let _ = self
                            .evcxr_stdout
                            .write_all(&display_blocks::evcxr_lines(&value));
                    } else {
                        self.show_displays();
                    }
                    self.displays.end_value();
                    self.send(Frame::CellEnd);
                } else if line == PANIC_NOTIFICATION {
                    self.show_displays();
                    self.displays.end_value();
                    self.send(Frame::Panic);
                } else if line.starts_with(INPUT_REQUEST) {
                    self.show_displays();
                }
                let mut with_newline = line;
                with_newline.push(b'\n');
                let _ = self.evcxr_stdout.write_all(&with_newline);
            }
        }
    }

    /// Shows the display bundle gathered so far, if any, as a display of its own.
    fn show_displays(&mut self) {
        let bundle = self.displays.take();
        if !bundle.is_empty() {
            self.show(&bundle);
        }
    }

    /// Sends `bundle` to the kernel as a `display_data`.
    fn show(&mut self, bundle: &display_blocks::Bundle) {
        self.send(Frame::KernelMessage(display_blocks::display_data_json(
            bundle,
        )));
    }

    fn send(&mut self, frame: Frame) {
        let _ = self.kernel_pipe.write_all(&frame.encode());
    }
}

/// What one piece of the user-code process's stdout is for.
#[derive(Debug, PartialEq, Eq)]
enum Piece {
    /// Text for the notebook (possibly part of a line).
    Output(Vec<u8>),
    /// A whole line for evcxr, without its newline.
    Control(Vec<u8>),
    /// The JSON of a `LESSONS_KERNEL_MESSAGE` line.
    KernelMessage(Vec<u8>),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum LineKind {
    Output,
    Control,
    KernelMessage,
}

/// Sorts a byte stream into pieces, deciding each line's kind from its first bytes, and passing
/// output on before its line is complete.
#[derive(Default)]
struct LineSorter {
    /// The start of the current line while its kind is undecided, or the whole line so far for
    /// control and message lines.
    pending: Vec<u8>,
    /// The current line's kind, once known.
    kind: Option<LineKind>,
    /// Inside an evcxr display block every line belongs to evcxr.
    in_content_block: bool,
}

impl LineSorter {
    fn sort(&mut self, mut data: &[u8]) -> Vec<Piece> {
        let mut pieces = Vec::new();
        while !data.is_empty() {
            let stop = data
                .iter()
                .position(|&byte| byte == b'\n' || byte == END_OF_OUTPUT);
            let (segment, ends_line) = match stop {
                Some(end) if data[end] == END_OF_OUTPUT => {
                    let segment = &data[..end];
                    data = &data[end + 1..];
                    if !segment.is_empty() {
                        self.sort_segment(segment, false, &mut pieces);
                    }
                    self.end_open_line(&mut pieces);
                    continue;
                }
                Some(newline) => (&data[..=newline], true),
                None => (data, false),
            };
            data = &data[segment.len()..];
            self.sort_segment(segment, ends_line, &mut pieces);
        }
        pieces
    }

    /// Ends the current line where the cell's output stopped without a newline: what it holds
    /// is output (a control line always ends with a newline), and the next byte starts a line.
    fn end_open_line(&mut self, pieces: &mut Vec<Piece>) {
        let open = std::mem::take(&mut self.pending);
        if !open.is_empty() {
            pieces.push(Piece::Output(open));
        }
        self.kind = None;
    }

    fn sort_segment(&mut self, segment: &[u8], ends_line: bool, pieces: &mut Vec<Piece>) {
        if self.kind == Some(LineKind::Output) {
            pieces.push(Piece::Output(segment.to_vec()));
        } else {
            self.pending.extend_from_slice(segment);
            if self.kind.is_none() {
                self.kind = self.classify(ends_line);
                if self.kind == Some(LineKind::Output) {
                    pieces.push(Piece::Output(std::mem::take(&mut self.pending)));
                }
            }
        }
        if !ends_line {
            return;
        }
        let mut line = std::mem::take(&mut self.pending);
        line.pop();
        match self.kind.take() {
            Some(LineKind::Control) => {
                if line.starts_with(BEGIN_CONTENT) {
                    self.in_content_block = true;
                } else if line == END_CONTENT {
                    self.in_content_block = false;
                }
                pieces.push(Piece::Control(line));
            }
            Some(LineKind::KernelMessage) => {
                pieces.push(Piece::KernelMessage(line[MESSAGE_PREFIX.len()..].to_vec()));
            }
            Some(LineKind::Output) | None => {}
        }
    }

    /// The kind of the pending line, or None while its first bytes could still start either.
    fn classify(&self, ends_line: bool) -> Option<LineKind> {
        if self.in_content_block {
            return Some(LineKind::Control);
        }
        let start = self.pending.strip_suffix(b"\n").unwrap_or(&self.pending);
        for (prefix, kind) in [
            (EVCXR_PREFIX, LineKind::Control),
            (MESSAGE_PREFIX, LineKind::KernelMessage),
        ] {
            if start.starts_with(prefix) {
                return Some(kind);
            }
            if !ends_line && prefix.starts_with(start) {
                return None;
            }
        }
        Some(LineKind::Output)
    }
}

/// The kernel's end of the pipe, and the environment that hands its other end to the child.
pub struct OutputPipe {
    pub reader: OwnedFd,
    /// Kept open (and inheritable) for as long as the kernel may start user-code processes.
    pub writer: OwnedFd,
}

impl OutputPipe {
    pub fn create() -> std::io::Result<OutputPipe> {
        let (reader, writer) = rustix::pipe::pipe()?;
        rustix::io::fcntl_setfd(&reader, rustix::io::FdFlags::CLOEXEC)?;
        rustix::fs::fcntl_setfl(&reader, rustix::fs::OFlags::NONBLOCK)?;
        Ok(OutputPipe { reader, writer })
    }

    /// The environment variables the user-code process needs to find the pipe.
    pub fn child_environment(&self) -> Vec<(String, String)> {
        use std::os::fd::AsRawFd;
        let mut variables = vec![(
            OUTPUT_FD_VAR.to_string(),
            self.writer.as_fd().as_raw_fd().to_string(),
        )];
        if let Some(backtrace) = std::env::var_os("RUST_BACKTRACE") {
            variables.push((
                BACKTRACE_VAR.to_string(),
                backtrace.to_string_lossy().into_owned(),
            ));
        }
        variables
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sort_all(chunks: &[&[u8]]) -> Vec<Piece> {
        let mut sorter = LineSorter::default();
        chunks.iter().flat_map(|chunk| sorter.sort(chunk)).collect()
    }

    #[test]
    fn plain_output_passes_at_once_even_without_a_newline() {
        assert_eq!(
            sort_all(&[b"progress: 10%"]),
            vec![Piece::Output(b"progress: 10%".to_vec())]
        );
    }

    #[test]
    fn control_lines_go_to_evcxr_whole() {
        assert_eq!(
            sort_all(&[b"hi\nEVCXR_EXEC", b"UTION_COMPLETE\n"]),
            vec![
                Piece::Output(b"hi\n".to_vec()),
                Piece::Control(EXECUTION_COMPLETE.to_vec())
            ]
        );
    }

    #[test]
    fn a_line_that_only_starts_like_a_prefix_is_output() {
        assert_eq!(
            sort_all(&[b"EV", b"ENT 1\n"]),
            vec![Piece::Output(b"EVENT 1\n".to_vec())]
        );
        assert_eq!(sort_all(&[b"EV\n"]), vec![Piece::Output(b"EV\n".to_vec())]);
    }

    #[test]
    fn display_blocks_belong_to_evcxr_line_by_line() {
        let pieces = sort_all(&[
            b"EVCXR_BEGIN_CONTENT text/plain\nEVCXR lookalike\nEVCXR_END_CONTENT\nafter\n",
        ]);
        assert_eq!(
            pieces,
            vec![
                Piece::Control(b"EVCXR_BEGIN_CONTENT text/plain".to_vec()),
                Piece::Control(b"EVCXR lookalike".to_vec()),
                Piece::Control(END_CONTENT.to_vec()),
                Piece::Output(b"after\n".to_vec()),
            ]
        );
    }

    #[test]
    fn the_end_of_a_cell_s_output_ends_its_open_line() {
        assert_eq!(
            sort_all(&[b"no newline\0EVCXR_EXECUTION_COMPLETE\n"]),
            vec![
                Piece::Output(b"no newline".to_vec()),
                Piece::Control(EXECUTION_COMPLETE.to_vec())
            ]
        );
        assert_eq!(
            sort_all(&[b"EV", b"\0", b"EVCXR_VALUE_FOLLOWS\n"]),
            vec![
                Piece::Output(b"EV".to_vec()),
                Piece::Control(VALUE_FOLLOWS.to_vec())
            ]
        );
        assert_eq!(
            sort_all(&[b"done\n\0EVCXR_EXECUTION_COMPLETE\n"]),
            vec![
                Piece::Output(b"done\n".to_vec()),
                Piece::Control(EXECUTION_COMPLETE.to_vec())
            ],
            "a cell that ended its line gets no extra output"
        );
    }

    #[test]
    fn kernel_messages_are_cut_out_of_the_output() {
        let pieces = sort_all(&[b"a\nLESSONS_KERNEL_MESSAGE {\"x\":", b"1}\nb"]);
        assert_eq!(
            pieces,
            vec![
                Piece::Output(b"a\n".to_vec()),
                Piece::KernelMessage(b"{\"x\":1}".to_vec()),
                Piece::Output(b"b".to_vec()),
            ]
        );
    }
}
