//! The frames the user-code process sends the kernel on its output pipe.
//!
//! evcxr reads the user-code process's stdout line by line and keeps it for its own control
//! lines, so output would only arrive in whole lines and a panic would be invisible. We give the
//! process a second pipe instead: everything the user's code writes travels there as frames, as
//! soon as it is written. A frame is one kind byte, a little-endian `u32` length and the payload.

/// One unit of output from the user-code process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// Bytes the cell wrote to stdout (any chunk, not necessarily whole lines).
    Stdout(Vec<u8>),
    /// Bytes the cell wrote to stderr.
    Stderr(Vec<u8>),
    /// One `LESSONS_KERNEL_MESSAGE` line's JSON: a display, an update or a clear.
    KernelMessage(Vec<u8>),
    /// The cell panicked (evcxr caught it and kept the variables of earlier cells).
    Panic,
    /// The cell finished; everything it wrote was sent before this frame.
    CellEnd,
}

const STDOUT: u8 = 1;
const STDERR: u8 = 2;
const KERNEL_MESSAGE: u8 = 3;
const PANIC: u8 = 4;
const CELL_END: u8 = 5;
const HEADER_LEN: usize = 5;

impl Frame {
    pub fn encode(&self) -> Vec<u8> {
        let (kind, payload): (u8, &[u8]) = match self {
            Frame::Stdout(bytes) => (STDOUT, bytes),
            Frame::Stderr(bytes) => (STDERR, bytes),
            Frame::KernelMessage(bytes) => (KERNEL_MESSAGE, bytes),
            Frame::Panic => (PANIC, &[]),
            Frame::CellEnd => (CELL_END, &[]),
        };
        let length = u32::try_from(payload.len()).expect("an output frame is under 4 GiB");
        let mut encoded = Vec::with_capacity(HEADER_LEN + payload.len());
        encoded.push(kind);
        encoded.extend_from_slice(&length.to_le_bytes());
        encoded.extend_from_slice(payload);
        encoded
    }
}

/// Reassembles frames from pipe reads of any size.
#[derive(Default)]
pub struct FrameDecoder {
    buffer: Vec<u8>,
}

impl FrameDecoder {
    pub fn push(&mut self, bytes: &[u8]) {
        self.buffer.extend_from_slice(bytes);
    }

    /// True when no partial frame is waiting for more bytes.
    pub fn is_empty(&self) -> bool {
        self.buffer.is_empty()
    }

    /// The next complete frame, if one has arrived. Unknown kinds are skipped with a log line.
    pub fn next_frame(&mut self) -> Option<Frame> {
        loop {
            if self.buffer.len() < HEADER_LEN {
                return None;
            }
            let length = u32::from_le_bytes(self.buffer[1..HEADER_LEN].try_into().unwrap());
            let end = HEADER_LEN + length as usize;
            if self.buffer.len() < end {
                return None;
            }
            let kind = self.buffer[0];
            let payload = self.buffer[HEADER_LEN..end].to_vec();
            self.buffer.drain(..end);
            match kind {
                STDOUT => return Some(Frame::Stdout(payload)),
                STDERR => return Some(Frame::Stderr(payload)),
                KERNEL_MESSAGE => return Some(Frame::KernelMessage(payload)),
                PANIC => return Some(Frame::Panic),
                CELL_END => return Some(Frame::CellEnd),
                unknown => log::warn!("skipping an output frame of unknown kind {unknown}"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_survive_being_split_at_every_byte() {
        let frames = vec![
            Frame::Stdout(b"hello".to_vec()),
            Frame::Stderr(Vec::new()),
            Frame::KernelMessage(br#"{"msg_type":"clear_output"}"#.to_vec()),
            Frame::Panic,
            Frame::CellEnd,
        ];
        let bytes: Vec<u8> = frames.iter().flat_map(Frame::encode).collect();
        let mut decoder = FrameDecoder::default();
        let mut decoded = Vec::new();
        for byte in bytes {
            decoder.push(&[byte]);
            while let Some(frame) = decoder.next_frame() {
                decoded.push(frame);
            }
        }
        assert_eq!(decoded, frames);
        assert!(decoder.is_empty());
    }

    #[test]
    fn an_unknown_kind_is_skipped() {
        let mut bytes = vec![99, 2, 0, 0, 0, b'?', b'?'];
        bytes.extend(Frame::CellEnd.encode());
        let mut decoder = FrameDecoder::default();
        decoder.push(&bytes);
        assert_eq!(decoder.next_frame(), Some(Frame::CellEnd));
    }
}
