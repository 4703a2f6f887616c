//! The kernel's end of the output pipe: a thread that reads frames from the user-code process
//! and hands them to the [`OutputRouter`], and a way to wait until everything is handed over.

use std::fs::File;
use std::io::{ErrorKind, Read};
use std::os::fd::OwnedFd;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rustix::event::{PollFd, PollFlags, poll};

use crate::output::output_frames::FrameDecoder;
use crate::output::output_router::OutputRouter;

/// How long output may wait to be joined with the output written right after it.
const GATHER: Duration = Duration::from_millis(5);

/// The reading side of the output pipe.
pub struct OutputPipeReader {
    file: File,
    /// Held while bytes taken from the pipe are being decoded and routed.
    decoder: Mutex<FrameDecoder>,
    router: Arc<OutputRouter>,
}

impl OutputPipeReader {
    /// Starts the reading thread.
    pub fn spawn(reader: OwnedFd, router: Arc<OutputRouter>) -> Arc<OutputPipeReader> {
        let pipe = Arc::new(OutputPipeReader {
            file: File::from(reader),
            decoder: Mutex::new(FrameDecoder::default()),
            router,
        });
        let reading = Arc::clone(&pipe);
        std::thread::Builder::new()
            .name("output-pipe".into())
            .spawn(move || reading.run())
            .expect("the output pipe thread starts");
        pipe
    }

    fn run(&self) {
        let mut buffer = vec![0u8; 64 * 1024];
        // While text is held back, wait a little for more before publishing it.
        let gather = rustix::event::Timespec {
            tv_sec: 0,
            tv_nsec: GATHER.as_nanos() as _,
        };
        loop {
            let mut fds = [PollFd::new(&self.file, PollFlags::IN)];
            let timeout = self.router.has_pending_text().then_some(&gather);
            match poll(&mut fds, timeout) {
                Ok(0) => {
                    let _decoding = self.decoder.lock().unwrap();
                    self.router.flush();
                    continue;
                }
                Ok(_) => {}
                Err(_) => continue,
            }
            let mut decoder = self.decoder.lock().unwrap();
            loop {
                match (&self.file).read(&mut buffer) {
                    Ok(0) => return,
                    Ok(read) => decoder.push(&buffer[..read]),
                    Err(error) if error.kind() == ErrorKind::WouldBlock => break,
                    Err(error) if error.kind() == ErrorKind::Interrupted => {}
                    Err(error) => {
                        log::error!("output pipe failed: {error}");
                        return;
                    }
                }
                while let Some(frame) = decoder.next_frame() {
                    self.router.handle_frame(frame);
                }
            }
        }
    }

    /// Waits until every byte already in the pipe has been routed (at most `limit`). When evcxr
    /// returns from a cell, the user-code process has written all of the cell's output, so
    /// after this the cell's output is on iopub.
    pub fn drain(&self, limit: Duration) {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            {
                let decoder = self.decoder.lock().unwrap();
                let waiting = rustix::io::ioctl_fionread(&self.file).unwrap_or(0);
                if waiting == 0 && decoder.is_empty() {
                    self.router.flush();
                    return;
                }
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        log::warn!("output pipe not drained within {limit:?}");
    }
}
