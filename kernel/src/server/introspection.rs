//! Completion (Tab) and inspection (Shift-Tab), answered by evcxr's rust-analyzer, with
//! cursor positions converted between Jupyter's code points and evcxr's bytes.

use jupyter_protocol::{
    CompleteReply, CompleteRequest, InspectReply, InspectRequest, Media, ReplyStatus,
};
use serde_json::{Value, json};

use super::{Shared, media};
use crate::execution::executor::CodeQuery;
use crate::output::cell_errors;

/// The largest cell completion and inspection look at. rust-analyzer's time grows faster than
/// the cell (measured on a pasted data literal: 12 KB 0.4 s, 24 KB 1.2 s, 48 KB 3.7 s; 2 MB kept
/// the kernel busy for more than five minutes) and cells queue behind it, so past this size both
/// give up at once with an empty reply, as ipykernel's do when Jedi finds nothing.
pub(super) const INTROSPECTION_BUDGET_BYTES: usize = 32 * 1024;

fn over_budget(kind: &str, code: &str) -> bool {
    let over = code.len() > INTROSPECTION_BUDGET_BYTES;
    if over {
        log::info!(
            "{kind}: the cell has {} bytes, over the {INTROSPECTION_BUDGET_BYTES}-byte budget; empty reply",
            code.len()
        );
    }
    over
}

impl Shared {
    pub(super) async fn complete(&self, request: &CompleteRequest) -> CompleteReply {
        if over_budget("completion", &request.code) {
            return CompleteReply {
                cursor_start: request.cursor_pos,
                cursor_end: request.cursor_pos,
                ..Default::default()
            };
        }
        let cursor = byte_offset(&request.code, request.cursor_pos);
        let query = CodeQuery {
            code: request.code.clone(),
            cursor,
        };
        match self.executor.complete(query).await {
            Ok(found) => {
                let start = char_offset(&request.code, found.start_offset);
                let end = char_offset(&request.code, found.end_offset);
                let types: Vec<Value> = found
                    .completions
                    .iter()
                    .map(|completion| {
                        json!({"start": start, "end": end, "text": completion.code, "type": completion.kind, "signature": completion.label})
                    })
                    .collect();
                let mut metadata = serde_json::Map::new();
                metadata.insert("_jupyter_types_experimental".into(), Value::Array(types));
                CompleteReply {
                    matches: found
                        .completions
                        .into_iter()
                        .map(|completion| completion.code)
                        .collect(),
                    cursor_start: start,
                    cursor_end: end,
                    metadata,
                    ..Default::default()
                }
            }
            Err(message) => CompleteReply {
                status: ReplyStatus::Error,
                cursor_start: request.cursor_pos,
                cursor_end: request.cursor_pos,
                error: Some(Box::new(cell_errors::other("CompletionError", &message))),
                ..Default::default()
            },
        }
    }

    pub(super) async fn inspect(&self, request: &InspectRequest) -> InspectReply {
        if over_budget("inspection", &request.code) {
            return InspectReply::default();
        }
        let query = CodeQuery {
            code: request.code.clone(),
            cursor: byte_offset(&request.code, request.cursor_pos),
        };
        match self.executor.hover(query).await {
            Ok((plain, html)) => match documentation(plain, html) {
                Some(data) => InspectReply {
                    found: true,
                    data,
                    ..Default::default()
                },
                None => InspectReply::default(),
            },
            Err(message) => InspectReply {
                status: ReplyStatus::Error,
                error: Some(Box::new(cell_errors::other("InspectError", &message))),
                ..Default::default()
            },
        }
    }
}

/// rust-analyzer's hover as a bundle, or None when it found nothing.
pub(super) fn documentation(plain: String, html: String) -> Option<Media> {
    let found = !plain.trim().is_empty() && plain != "No documentation found";
    found.then(|| media(&[("text/plain".into(), plain), ("text/html".into(), html)]))
}

/// Jupyter counts cursor positions in Unicode code points; evcxr wants bytes.
pub(super) fn byte_offset(code: &str, chars: usize) -> usize {
    code.char_indices()
        .nth(chars)
        .map_or(code.len(), |(byte, _)| byte)
}

pub(super) fn char_offset(code: &str, bytes: usize) -> usize {
    code.char_indices()
        .take_while(|(start, _)| *start < bytes)
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_offsets_convert_between_chars_and_bytes() {
        let code = "let é = 1; é";
        assert_eq!(byte_offset(code, 5), 6);
        assert_eq!(char_offset(code, 6), 5);
        assert_eq!(byte_offset(code, 100), code.len());
        assert_eq!(
            char_offset(code, 5),
            5,
            "inside a character: the character counts"
        );
        assert_eq!(char_offset(code, 100), 12);
    }
}
