//! Translation between Anthropic Messages and OpenAI Chat Completions.
//!
//! Pure functions over [`serde_json::Value`]: a request, a response or a
//! stream in one format comes out in the other, with no I/O. Requests:
//! [`messages_to_chat`] and [`chat_to_messages`]; whole responses:
//! [`chat_response_to_messages`] and [`messages_response_to_chat`];
//! streams: [`ChatStreamToMessages`] and [`MessagesStreamToChat`], which
//! turn upstream chunks into the client's server-sent events one at a
//! time; errors: [`error_body`].
//!
//! Where a feature has no equivalent on the other side, the choice that
//! keeps a multi-turn coding session working is made here and written
//! down in `docs/gateway-translation.md`.

mod request;
mod response;
mod stream;

pub use request::{
    DEFAULT_MAX_TOKENS, FORWARDED_MAX_TOKENS, apply_reasoning_effort, chat_to_messages,
    messages_to_chat,
};
pub use response::{
    chat_response_to_messages, messages_response_to_chat, messages_response_to_chat_at,
};
pub use stream::{ChatStreamToMessages, MessagesStreamToChat};

use serde_json::{Value, json};
use std::fmt;

/// The two wire formats the gateway speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Wire {
    /// Anthropic Messages (`/v1/messages`).
    Anthropic,
    /// OpenAI Chat Completions (`/v1/chat/completions`).
    OpenAi,
}

/// A request or response that cannot be translated: the client should get
/// a 400-class error in its own format with this message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TranslateError {
    pub message: String,
}

impl TranslateError {
    pub(crate) fn new(message: impl Into<String>) -> TranslateError {
        TranslateError {
            message: message.into(),
        }
    }
}

impl fmt::Display for TranslateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for TranslateError {}

/// One server-sent event: `event: NAME` (Anthropic names every event;
/// OpenAI streams carry `data:` lines only) and its data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SseEvent {
    pub event: Option<String>,
    pub data: String,
}

impl SseEvent {
    /// A named event whose data is this JSON value (Anthropic streams).
    pub fn named(event: &str, data: &Value) -> SseEvent {
        SseEvent {
            event: Some(event.to_string()),
            data: data.to_string(),
        }
    }

    /// An unnamed event whose data is this JSON value (OpenAI streams).
    pub fn data(data: &Value) -> SseEvent {
        SseEvent {
            event: None,
            data: data.to_string(),
        }
    }

    /// The OpenAI end-of-stream marker, `data: [DONE]`.
    pub fn done() -> SseEvent {
        SseEvent {
            event: None,
            data: "[DONE]".to_string(),
        }
    }

    /// The bytes on the wire: `event: x\ndata: y\n\n`. A data string with
    /// line breaks becomes one `data:` line per line, as the SSE format
    /// requires.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = String::with_capacity(self.data.len() + 32);
        if let Some(event) = &self.event {
            out.push_str("event: ");
            out.push_str(event);
            out.push('\n');
        }
        for line in self.data.split('\n') {
            out.push_str("data: ");
            out.push_str(line.strip_suffix('\r').unwrap_or(line));
            out.push('\n');
        }
        out.push('\n');
        out.into_bytes()
    }
}

/// An error body in the client's format, for an error of Anthropic type
/// `kind` (`invalid_request_error`, `overloaded_error`, …). Anthropic:
/// `{"type":"error","error":{"type":KIND,"message":MESSAGE}}`; OpenAI:
/// `{"error":{"message":MESSAGE,"type":TYPE,"param":null,"code":KIND}}`,
/// where TYPE is OpenAI's coarser type for the kind (or the status) and the
/// code keeps the precise kind.
pub fn error_body(wire: Wire, status: u16, kind: &str, message: &str) -> Value {
    match wire {
        Wire::Anthropic => json!({
            "type": "error",
            "error": {"type": kind, "message": message},
        }),
        Wire::OpenAi => json!({
            "error": {
                "message": message,
                "type": openai_error_kind(kind, status),
                "param": null,
                "code": kind,
            }
        }),
    }
}

/// The Anthropic error type for an HTTP status, for errors that have no
/// type of their own (an upstream's plain-text 502, an OpenAI error whose
/// type is not one of Anthropic's).
pub fn anthropic_error_kind(status: u16) -> &'static str {
    match status {
        400 | 413 | 422 => "invalid_request_error",
        401 => "authentication_error",
        403 => "permission_error",
        404 => "not_found_error",
        429 => "rate_limit_error",
        503 | 529 => "overloaded_error",
        _ => "api_error",
    }
}

/// The message and type of an upstream error body in either format
/// (`{"error":{"message":..,"type":..}}`, Anthropic's `{"type":"error",..}`
/// and the bare `{"error":"text"}` some servers send); `None` when the body
/// holds no error.
pub fn upstream_error(body: &Value) -> Option<(Option<String>, String)> {
    let error = body.get("error").filter(|e| !e.is_null())?;
    if let Some(text) = error.as_str() {
        return Some((None, text.to_string()));
    }
    let message = error
        .get("message")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| error.to_string());
    let kind = error
        .get("type")
        .and_then(Value::as_str)
        .map(str::to_string);
    Some((kind, message))
}

/// An upstream error body re-written in the client's format, keeping its
/// message; the type is kept when the client's format knows it, else it
/// is derived from the status.
pub fn translate_error_body(wire: Wire, status: u16, upstream: &Value) -> Value {
    let (kind, message) = upstream_error(upstream)
        .unwrap_or_else(|| (None, format!("upstream answered HTTP {status}")));
    let kind = match kind {
        Some(kind) if ANTHROPIC_ERROR_TYPES.contains(&kind.as_str()) => kind,
        _ => anthropic_error_kind(status).to_string(),
    };
    error_body(wire, status, &kind, &message)
}

const ANTHROPIC_ERROR_TYPES: &[&str] = &[
    "invalid_request_error",
    "authentication_error",
    "billing_error",
    "permission_error",
    "not_found_error",
    "request_too_large",
    "rate_limit_error",
    "timeout_error",
    "api_error",
    "overloaded_error",
];

/// OpenAI's error type for an Anthropic one (or a status when the type is
/// not known): OpenAI names fewer kinds.
fn openai_error_kind(kind: &str, status: u16) -> &str {
    match kind {
        "invalid_request_error" | "request_too_large" | "not_found_error" => {
            "invalid_request_error"
        }
        "authentication_error" => "authentication_error",
        "permission_error" | "billing_error" => "permission_error",
        "rate_limit_error" => "rate_limit_error",
        "api_error" | "overloaded_error" | "timeout_error" => "server_error",
        _ => match status {
            401 => "authentication_error",
            403 => "permission_error",
            429 => "rate_limit_error",
            400..=499 => "invalid_request_error",
            _ => "server_error",
        },
    }
}

/// Anthropic `stop_reason` for an OpenAI `finish_reason`. Some local
/// servers answer tool calls with `stop`; the presence of tool calls wins.
fn stop_reason_for(finish_reason: Option<&str>, has_tool_calls: bool) -> &'static str {
    if has_tool_calls {
        return "tool_use";
    }
    match finish_reason {
        Some("length") => "max_tokens",
        Some("tool_calls") | Some("function_call") => "tool_use",
        Some("content_filter") => "refusal",
        _ => "end_turn",
    }
}

/// OpenAI `finish_reason` for an Anthropic `stop_reason`.
fn finish_reason_for(stop_reason: Option<&str>) -> &'static str {
    match stop_reason {
        Some("max_tokens") | Some("model_context_window_exceeded") => "length",
        Some("tool_use") => "tool_calls",
        Some("refusal") => "content_filter",
        _ => "stop",
    }
}

/// Anthropic usage for OpenAI usage. Anthropic's `input_tokens` excludes
/// cache reads, so cached prompt tokens move to `cache_read_input_tokens`.
fn usage_to_messages(usage: Option<&Value>) -> Value {
    let n = |v: Option<&Value>| v.and_then(Value::as_u64).unwrap_or(0);
    let Some(usage) = usage.filter(|u| u.is_object()) else {
        return json!({"input_tokens": 0, "output_tokens": 0});
    };
    let prompt = n(usage.get("prompt_tokens"));
    let completion = n(usage.get("completion_tokens"));
    let cached = usage
        .get("prompt_tokens_details")
        .and_then(|d| d.get("cached_tokens"))
        .and_then(Value::as_u64);
    match cached {
        Some(cached) => json!({
            "input_tokens": prompt.saturating_sub(cached),
            "output_tokens": completion,
            "cache_read_input_tokens": cached,
        }),
        None => json!({"input_tokens": prompt, "output_tokens": completion}),
    }
}

/// OpenAI usage for Anthropic usage: the prompt counts every input token,
/// cached or not.
fn usage_to_chat(usage: Option<&Value>) -> Value {
    let n = |key: &str| {
        usage
            .and_then(|u| u.get(key))
            .and_then(Value::as_u64)
            .unwrap_or(0)
    };
    let cache_read = n("cache_read_input_tokens");
    let prompt = n("input_tokens") + cache_read + n("cache_creation_input_tokens");
    let completion = n("output_tokens");
    let mut out = json!({
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    });
    if usage.is_some_and(|u| u.get("cache_read_input_tokens").is_some()) {
        out["prompt_tokens_details"] = json!({"cached_tokens": cache_read});
    }
    out
}

/// Tool-call ids from OpenAI-compatible servers may hold characters
/// Anthropic refuses in `tool_use.id` (`^[a-zA-Z0-9_-]+$`), e.g.
/// `functions.read:0`; they are mapped the same way everywhere so that a
/// call and its result still match.
fn anthropic_tool_id(id: &str) -> String {
    if id.is_empty() {
        return "toolu_".to_string();
    }
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Seconds since the Unix epoch, for OpenAI's `created`.
fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}
