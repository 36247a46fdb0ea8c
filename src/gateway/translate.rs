//! Translation between the Anthropic Messages and OpenAI Chat Completions
//! formats (requests, responses, streams, errors). Interface only until
//! the translation lands: every conversion reports that it is unavailable.

use serde_json::{Value, json};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wire {
    Anthropic,
    OpenAi,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TranslateError {
    pub message: String,
}

fn unavailable() -> TranslateError {
    TranslateError {
        message: "translation between the two formats is not available in this build".into(),
    }
}

pub fn messages_to_chat(_req: &Value) -> Result<Value, TranslateError> {
    Err(unavailable())
}

pub fn chat_to_messages(_req: &Value) -> Result<Value, TranslateError> {
    Err(unavailable())
}

pub fn chat_response_to_messages(_resp: &Value, _model: &str) -> Result<Value, TranslateError> {
    Err(unavailable())
}

pub fn messages_response_to_chat(_resp: &Value, _model: &str) -> Result<Value, TranslateError> {
    Err(unavailable())
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SseEvent {
    pub event: Option<String>,
    pub data: String,
}

impl SseEvent {
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = String::new();
        if let Some(e) = &self.event {
            out.push_str("event: ");
            out.push_str(e);
            out.push('\n');
        }
        out.push_str("data: ");
        out.push_str(&self.data);
        out.push_str("\n\n");
        out.into_bytes()
    }
}

pub struct ChatStreamToMessages;

impl ChatStreamToMessages {
    pub fn new(_model: &str) -> ChatStreamToMessages {
        ChatStreamToMessages
    }
    pub fn push(&mut self, _chunk: &Value) -> Vec<SseEvent> {
        Vec::new()
    }
    pub fn finish(&mut self) -> Vec<SseEvent> {
        Vec::new()
    }
}

pub struct MessagesStreamToChat;

impl MessagesStreamToChat {
    pub fn new(_model: &str) -> MessagesStreamToChat {
        MessagesStreamToChat
    }
    pub fn push(&mut self, _event: &str, _data: &Value) -> Vec<SseEvent> {
        Vec::new()
    }
    pub fn finish(&mut self) -> Vec<SseEvent> {
        Vec::new()
    }
}

pub fn error_body(wire: Wire, _status: u16, kind: &str, message: &str) -> Value {
    match wire {
        Wire::Anthropic => {
            json!({"type": "error", "error": {"type": kind, "message": message}})
        }
        Wire::OpenAi => json!({"error": {"message": message, "type": kind, "code": null}}),
    }
}
