//! The wire format: ZeroMQ frames to typed messages and back, signed with HMAC-SHA256.
//!
//! A Jupyter message on the wire is `[identities..., "<IDS|MSG>", signature, header,
//! parent_header, metadata, content, buffers...]`. The signature is the hex HMAC of the four
//! JSON parts only (not the buffers), exactly as `jupyter_client.session.Session.sign` computes
//! it. A message whose signature is missing, wrong or already seen is rejected.

use std::collections::{HashSet, VecDeque};
use std::sync::Mutex;

use bytes::Bytes;
use hmac::{Hmac, Mac};
use jupyter_protocol::{Header, JupyterMessage, JupyterMessageContent};
use serde_json::Value;
use sha2::Sha256;

const DELIMITER: &[u8] = b"<IDS|MSG>";
/// How many signatures we remember to reject replays (jupyter_client keeps 2^16).
const REPLAY_MEMORY: usize = 1 << 16;

/// The runtime every ZeroMQ socket of ours runs on (the kernel's, and the `notes` client's):
/// one thread. On tokio's multi-threaded runtime zeromq 0.6 never delivered a message of 2 MB
/// or more (its receive loop spun without reading the socket). Nothing on it blocks: cells run
/// on the executor's own thread.
pub fn socket_runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
}

/// Why an incoming multipart message was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    #[error("no <IDS|MSG> delimiter among {0} frames")]
    NoDelimiter(usize),
    #[error("expected a signature and 4 JSON parts after the delimiter, found {0} frames")]
    TooFewFrames(usize),
    #[error("signature does not match")]
    BadSignature,
    #[error("signature was already used by an earlier message (replay)")]
    Replayed,
    #[error("{part} is not valid JSON for a Jupyter message: {error}")]
    BadJson {
        part: &'static str,
        error: serde_json::Error,
    },
    #[error("content of a {msg_type} message does not match the spec: {error}")]
    BadContent {
        /// The header, so the sender can still get an error reply.
        header: Box<Header>,
        identities: Vec<Bytes>,
        msg_type: String,
        error: serde_json::Error,
    },
}

/// Signs outgoing messages and checks incoming ones for one kernel session.
pub struct Codec {
    mac: Option<Hmac<Sha256>>,
    seen: Mutex<SeenSignatures>,
}

#[derive(Default)]
struct SeenSignatures {
    set: HashSet<Vec<u8>>,
    order: VecDeque<Vec<u8>>,
}

impl SeenSignatures {
    /// Remembers `signature`; false when it was seen before.
    fn insert(&mut self, signature: &[u8]) -> bool {
        if !self.set.insert(signature.to_vec()) {
            return false;
        }
        self.order.push_back(signature.to_vec());
        if self.order.len() > REPLAY_MEMORY
            && let Some(oldest) = self.order.pop_front()
        {
            self.set.remove(&oldest);
        }
        true
    }
}

impl Codec {
    /// A codec for `key` under `scheme` (only `hmac-sha256` exists in Jupyter today). An empty
    /// key turns signing off, as in jupyter_client.
    pub fn new(scheme: &str, key: &str) -> anyhow::Result<Codec> {
        let mac = if key.is_empty() {
            None
        } else {
            anyhow::ensure!(
                scheme == "hmac-sha256",
                "signature scheme {scheme:?} is not supported; only \"hmac-sha256\" is"
            );
            Some(Hmac::<Sha256>::new_from_slice(key.as_bytes())?)
        };
        Ok(Codec {
            mac,
            seen: Mutex::new(SeenSignatures::default()),
        })
    }

    fn signature(&self, parts: &[&[u8]]) -> String {
        match &self.mac {
            None => String::new(),
            Some(mac) => {
                let mut mac = mac.clone();
                for part in parts {
                    mac.update(part);
                }
                hex::encode(mac.finalize().into_bytes())
            }
        }
    }

    fn verify(&self, signature: &[u8], parts: &[&[u8]]) -> Result<(), WireError> {
        let Some(mac) = &self.mac else {
            return Ok(());
        };
        let expected = hex::decode(signature).map_err(|_| WireError::BadSignature)?;
        let mut mac = mac.clone();
        for part in parts {
            mac.update(part);
        }
        // `verify_slice` compares in constant time.
        mac.verify_slice(&expected)
            .map_err(|_| WireError::BadSignature)?;
        if !self.seen.lock().unwrap().insert(signature) {
            return Err(WireError::Replayed);
        }
        Ok(())
    }

    /// Turns a message into frames, signing it. `identities` go before the delimiter (routing
    /// ids on ROUTER sockets, a topic on iopub).
    pub fn encode(&self, message: &JupyterMessage) -> anyhow::Result<Vec<Bytes>> {
        let header = serde_json::to_vec(&message.header)?;
        let parent = match &message.parent_header {
            Some(parent) => serde_json::to_vec(parent)?,
            None => b"{}".to_vec(),
        };
        let metadata = serde_json::to_vec(&message.metadata)?;
        let content = serde_json::to_vec(&message.content)?;
        let signature = self.signature(&[&header, &parent, &metadata, &content]);
        let mut frames = message.zmq_identities.clone();
        frames.push(Bytes::from_static(DELIMITER));
        frames.push(Bytes::from(signature));
        frames.extend([header, parent, metadata, content].map(Bytes::from));
        frames.extend(message.buffers.iter().cloned());
        Ok(frames)
    }

    /// Checks and parses the frames of one incoming message.
    pub fn decode(&self, frames: Vec<Bytes>) -> Result<JupyterMessage, WireError> {
        let delimiter = frames
            .iter()
            .position(|frame| frame.as_ref() == DELIMITER)
            .ok_or(WireError::NoDelimiter(frames.len()))?;
        let after = &frames[delimiter + 1..];
        if after.len() < 5 {
            return Err(WireError::TooFewFrames(after.len()));
        }
        let parts: Vec<&[u8]> = after[1..5].iter().map(|frame| frame.as_ref()).collect();
        self.verify(&after[0], &parts)?;
        let json = |part: &'static str, bytes: &[u8]| {
            serde_json::from_slice::<Value>(bytes)
                .map_err(|error| WireError::BadJson { part, error })
        };
        let header: Header =
            serde_json::from_value(json("header", parts[0])?).map_err(|error| {
                WireError::BadJson {
                    part: "header",
                    error,
                }
            })?;
        let parent = json("parent_header", parts[1])?;
        let parent_header = match parent {
            Value::Object(map) if map.is_empty() => None,
            Value::Null => None,
            other => serde_json::from_value(other).ok(),
        };
        let metadata = json("metadata", parts[2])?;
        let identities = frames[..delimiter].to_vec();
        let mut content = json("content", parts[3])?;
        fill_optional_fields(&header.msg_type, &mut content);
        let content = JupyterMessageContent::from_type_and_content(&header.msg_type, content)
            .map_err(|error| WireError::BadContent {
                msg_type: header.msg_type.clone(),
                header: Box::new(header.clone()),
                identities: identities.clone(),
                error,
            })?;
        Ok(JupyterMessage {
            zmq_identities: identities,
            header,
            parent_header,
            metadata,
            content,
            buffers: after[5..].to_vec(),
            channel: None,
        })
    }
}

/// Fills in the fields the spec lets clients leave out, with the spec's defaults, so that a
/// request jupyter_client sends without them still parses (history search without `unique`, an
/// execute request without `store_history`...).
fn fill_optional_fields(msg_type: &str, content: &mut Value) {
    let defaults = match msg_type {
        "execute_request" => serde_json::json!({
            "silent": false, "store_history": true, "user_expressions": {},
            "allow_stdin": false, "stop_on_error": true,
        }),
        "history_request" => serde_json::json!({
            "output": false, "raw": true, "unique": false, "n": 0, "start": 0, "stop": 0,
            "pattern": "*",
        }),
        "inspect_request" => serde_json::json!({ "detail_level": 0 }),
        _ => return,
    };
    if let (Value::Object(fields), Value::Object(defaults)) = (content, defaults) {
        for (name, value) in defaults {
            fields.entry(name).or_insert(value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jupyter_protocol::{ExecuteRequest, KernelInfoRequest};

    fn request() -> JupyterMessage {
        let mut message = JupyterMessage::new(ExecuteRequest::new("1 + 1".into()), None);
        message.zmq_identities = vec![Bytes::from_static(b"client")];
        message
    }

    #[test]
    fn a_signed_message_round_trips() {
        let codec = Codec::new("hmac-sha256", "secret").unwrap();
        let frames = codec.encode(&request()).unwrap();
        let decoded = codec.decode(frames).unwrap();
        assert_eq!(decoded.header.msg_type, "execute_request");
        assert_eq!(decoded.zmq_identities, vec![Bytes::from_static(b"client")]);
        match decoded.content {
            JupyterMessageContent::ExecuteRequest(request) => assert_eq!(request.code, "1 + 1"),
            other => panic!("decoded as {other:?}"),
        }
    }

    #[test]
    fn the_signature_is_the_hmac_of_the_four_json_parts() {
        // The same digest jupyter_client computes: hmac.new(key, digestmod=sha256) fed with
        // header, parent_header, metadata, content.
        let codec = Codec::new("hmac-sha256", "key").unwrap();
        let signature = codec.signature(&[b"{}", b"{}", b"{}", b"{}"]);
        let mut mac = Hmac::<Sha256>::new_from_slice(b"key").unwrap();
        mac.update(b"{}{}{}{}");
        assert_eq!(signature, hex::encode(mac.finalize().into_bytes()));
        assert_eq!(signature.len(), 64);
    }

    #[test]
    fn a_wrong_key_is_rejected() {
        let ours = Codec::new("hmac-sha256", "secret").unwrap();
        let theirs = Codec::new("hmac-sha256", "guess").unwrap();
        let frames = theirs.encode(&request()).unwrap();
        assert!(matches!(ours.decode(frames), Err(WireError::BadSignature)));
    }

    #[test]
    fn a_tampered_content_is_rejected() {
        let codec = Codec::new("hmac-sha256", "secret").unwrap();
        let mut frames = codec.encode(&request()).unwrap();
        let content = frames.len() - 1;
        frames[content] = Bytes::from_static(br#"{"code": "std::fs::remove_dir_all(\"/\")"}"#);
        assert!(matches!(codec.decode(frames), Err(WireError::BadSignature)));
    }

    #[test]
    fn a_missing_signature_is_rejected() {
        let codec = Codec::new("hmac-sha256", "secret").unwrap();
        let mut frames = codec.encode(&request()).unwrap();
        frames[2] = Bytes::new();
        assert!(matches!(codec.decode(frames), Err(WireError::BadSignature)));
    }

    #[test]
    fn a_replayed_message_is_rejected() {
        let codec = Codec::new("hmac-sha256", "secret").unwrap();
        let frames = codec.encode(&request()).unwrap();
        assert!(codec.decode(frames.clone()).is_ok());
        assert!(matches!(codec.decode(frames), Err(WireError::Replayed)));
    }

    #[test]
    fn an_empty_key_turns_signing_off() {
        let codec = Codec::new("hmac-sha256", "").unwrap();
        let frames = codec
            .encode(&JupyterMessage::new(KernelInfoRequest {}, None))
            .unwrap();
        assert_eq!(frames[1], Bytes::new());
        assert!(codec.decode(frames).is_ok());
    }

    #[test]
    fn garbage_frames_are_errors_not_panics() {
        let codec = Codec::new("hmac-sha256", "secret").unwrap();
        let garbage = vec![Bytes::from_static(b"\xff\x00"), Bytes::from_static(b"junk")];
        assert!(matches!(
            codec.decode(garbage),
            Err(WireError::NoDelimiter(2))
        ));
        let short = vec![Bytes::from_static(DELIMITER), Bytes::from_static(b"sig")];
        assert!(matches!(
            codec.decode(short),
            Err(WireError::TooFewFrames(1))
        ));
        let unsigned = Codec::new("hmac-sha256", "").unwrap();
        let not_json = vec![
            Bytes::from_static(DELIMITER),
            Bytes::new(),
            Bytes::from_static(b"{not json"),
            Bytes::from_static(b"{}"),
            Bytes::from_static(b"{}"),
            Bytes::from_static(b"{}"),
        ];
        assert!(matches!(
            unsigned.decode(not_json),
            Err(WireError::BadJson { part: "header", .. })
        ));
    }

    #[test]
    fn optional_fields_get_the_spec_defaults() {
        let mut search = serde_json::json!({"hist_access_type": "search", "pattern": "a*"});
        fill_optional_fields("history_request", &mut search);
        let parsed = JupyterMessageContent::from_type_and_content("history_request", search);
        assert!(matches!(
            parsed,
            Ok(JupyterMessageContent::HistoryRequest(
                jupyter_protocol::HistoryRequest::Search {
                    unique: false,
                    n: 0,
                    ..
                }
            ))
        ));
        let mut execute = serde_json::json!({"code": "1", "silent": true});
        fill_optional_fields("execute_request", &mut execute);
        assert_eq!(execute["silent"], true, "given fields are kept");
        assert_eq!(execute["store_history"], true);
    }

    #[test]
    fn an_unknown_scheme_is_an_error() {
        assert!(Codec::new("hmac-md5", "secret").is_err());
    }
}
