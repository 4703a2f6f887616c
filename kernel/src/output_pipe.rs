//! The kernel's end of the output pipe: a thread that reads frames from the user-code process
//! and hands them to the [`OutputRouter`], and a way to wait until everything is handed over.

use std::fs::File;
use std::io::{ErrorKind, Read};
use std::os::fd::OwnedFd;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rustix::event::{PollFd, PollFlags, poll};

use crate::output_frames::FrameDecoder;
use crate::output_router::OutputRouter;

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
        loop {
            let mut fds = [PollFd::new(&self.file, PollFlags::IN)];
            if poll(&mut fds, None).is_err() {
                continue;
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
                    return;
                }
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        log::warn!("output pipe not drained within {limit:?}");
    }
}
