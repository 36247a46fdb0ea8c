//! Streams: OpenAI chat completion chunks ⇄ Anthropic message events.
//!
//! Each translator is a small state machine fed one upstream event at a
//! time; it answers with the events the client should get now. `finish`
//! ends the stream cleanly (upstream `[DONE]`, or the end of the body);
//! `abort` ends it with an error event when the upstream connection broke.

use super::{
    SseEvent, anthropic_error_kind, anthropic_tool_id, finish_reason_for, stop_reason_for,
    unix_now, upstream_error, usage_to_chat, usage_to_messages,
};
use serde_json::{Value, json};
use std::collections::HashMap;

/// The content block a [`ChatStreamToMessages`] has open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum OpenBlock {
    Text { index: usize },
    Tool { index: usize, call: u64 },
}

/// OpenAI `chat.completion.chunk`s in, Anthropic events out:
/// `message_start`, then for each text run or tool call a
/// `content_block_start`, its deltas (`text_delta`, `input_json_delta`)
/// and a `content_block_stop`, then `message_delta` (stop reason and
/// usage) and `message_stop`.
///
/// Anthropic blocks cannot interleave, so tool calls are expected one after
/// another, as every known server sends them: a delta for a call that was
/// already closed ends the stream with an error event rather than being
/// lost.
#[derive(Debug)]
pub struct ChatStreamToMessages {
    model: String,
    id: String,
    started: bool,
    done: bool,
    next_index: usize,
    open: Option<OpenBlock>,
    /// OpenAI tool-call indexes already given a block, with their ids.
    calls_seen: Vec<(u64, Option<String>)>,
    finish_reason: Option<String>,
    usage: Option<Value>,
    reasoning_chunks: u64,
}

/// One `ping` per this many reasoning chunks (the first included).
const PING_EVERY: u64 = 32;

impl ChatStreamToMessages {
    /// A translator whose events name `model` (the model the client asked
    /// for).
    pub fn new(model: &str) -> ChatStreamToMessages {
        ChatStreamToMessages {
            model: model.to_string(),
            id: String::new(),
            started: false,
            done: false,
            next_index: 0,
            open: None,
            calls_seen: Vec::new(),
            finish_reason: None,
            usage: None,
            reasoning_chunks: 0,
        }
    }

    /// One upstream chunk (the JSON of one `data:` line).
    pub fn push(&mut self, chunk: &Value) -> Vec<SseEvent> {
        let mut out = Vec::new();
        if self.done {
            return out;
        }
        if let Some((kind, message)) = upstream_error(chunk) {
            let kind = kind
                .filter(|k| super::ANTHROPIC_ERROR_TYPES.contains(&k.as_str()))
                .unwrap_or_else(|| anthropic_error_kind(500).to_string());
            out.push(anthropic_error(&kind, &message));
            self.done = true;
            return out;
        }
        self.start(chunk, &mut out);
        if let Some(usage) = chunk.get("usage").filter(|u| u.is_object()) {
            self.usage = Some(usage.clone());
        }
        let Some(choice) = chunk
            .get("choices")
            .and_then(Value::as_array)
            .and_then(|c| c.first())
        else {
            return out;
        };
        let delta = choice.get("delta").unwrap_or(&Value::Null);
        // Reasoning text is not passed on (see the translation docs), but a
        // model can reason for minutes: a `ping` now and then tells the
        // client the stream is alive.
        let reasoning = ["reasoning_content", "reasoning"].iter().any(|k| {
            delta
                .get(*k)
                .and_then(Value::as_str)
                .is_some_and(|t| !t.is_empty())
        });
        if reasoning {
            if self.reasoning_chunks.is_multiple_of(PING_EVERY) {
                out.push(SseEvent::named("ping", &json!({"type": "ping"})));
            }
            self.reasoning_chunks += 1;
        }
        if let Some(text) = delta.get("content").and_then(Value::as_str)
            && !text.is_empty()
        {
            self.text(text, &mut out);
        }
        if let Some(refusal) = delta.get("refusal").and_then(Value::as_str)
            && !refusal.is_empty()
        {
            self.text(refusal, &mut out);
        }
        if let Some(calls) = delta.get("tool_calls").and_then(Value::as_array) {
            for call in calls {
                if !self.tool_call(call, &mut out) {
                    return out;
                }
            }
        }
        if let Some(reason) = choice.get("finish_reason").and_then(Value::as_str) {
            self.finish_reason = Some(reason.to_string());
            self.close(&mut out);
        }
        out
    }

    /// The upstream stream ended (`[DONE]` or end of body): close the open
    /// block, then `message_delta` and `message_stop`.
    pub fn finish(&mut self) -> Vec<SseEvent> {
        let mut out = Vec::new();
        if self.done {
            return out;
        }
        self.start(&Value::Null, &mut out);
        self.close(&mut out);
        let stop_reason =
            stop_reason_for(self.finish_reason.as_deref(), !self.calls_seen.is_empty());
        out.push(SseEvent::named(
            "message_delta",
            &json!({
                "type": "message_delta",
                "delta": {"stop_reason": stop_reason, "stop_sequence": null},
                "usage": usage_to_messages(self.usage.as_ref()),
            }),
        ));
        out.push(SseEvent::named(
            "message_stop",
            &json!({"type": "message_stop"}),
        ));
        self.done = true;
        out
    }

    /// The upstream connection broke mid-stream: an `error` event with this
    /// message, and nothing after it.
    pub fn abort(&mut self, message: &str) -> Vec<SseEvent> {
        if self.done {
            return Vec::new();
        }
        self.done = true;
        vec![anthropic_error("api_error", message)]
    }

    fn start(&mut self, chunk: &Value, out: &mut Vec<SseEvent>) {
        if self.started {
            return;
        }
        self.started = true;
        let upstream = chunk.get("id").and_then(Value::as_str).unwrap_or("");
        let upstream = upstream.strip_prefix("chatcmpl-").unwrap_or(upstream);
        self.id = if upstream.is_empty() {
            "msg_agentc".to_string()
        } else {
            format!("msg_{}", anthropic_tool_id(upstream))
        };
        out.push(SseEvent::named(
            "message_start",
            &json!({
                "type": "message_start",
                "message": {
                    "id": self.id,
                    "type": "message",
                    "role": "assistant",
                    "model": self.model,
                    "content": [],
                    "stop_reason": null,
                    "stop_sequence": null,
                    "usage": {"input_tokens": 0, "output_tokens": 0},
                },
            }),
        ));
    }

    fn text(&mut self, text: &str, out: &mut Vec<SseEvent>) {
        let index = match self.open {
            Some(OpenBlock::Text { index }) => index,
            _ => {
                self.close(out);
                let index = self.open_block(OpenBlockKind::Text);
                out.push(SseEvent::named(
                    "content_block_start",
                    &json!({
                        "type": "content_block_start",
                        "index": index,
                        "content_block": {"type": "text", "text": ""},
                    }),
                ));
                index
            }
        };
        out.push(delta(index, json!({"type": "text_delta", "text": text})));
    }

    /// One entry of a delta's `tool_calls`; false when the stream had to
    /// end (an interleaved call).
    fn tool_call(&mut self, call: &Value, out: &mut Vec<SseEvent>) -> bool {
        let function = call.get("function").unwrap_or(&Value::Null);
        let id = call
            .get("id")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty());
        let name = function
            .get("name")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty());
        let arguments = function
            .get("arguments")
            .and_then(Value::as_str)
            .unwrap_or("");
        // Servers that leave out `index` send each call whole, or continue
        // the open one.
        let mut call_index = match call.get("index").and_then(Value::as_u64) {
            Some(i) => i,
            None => match self.open {
                Some(OpenBlock::Tool { call, .. }) if id.is_none() && name.is_none() => call,
                _ => self.calls_seen.len() as u64,
            },
        };
        // A known id is its call; a new id under a known index is another
        // call: some servers number every parallel call 0.
        if let Some(id) = id {
            if let Some((i, _)) = self
                .calls_seen
                .iter()
                .find(|(_, seen)| seen.as_deref() == Some(id))
            {
                call_index = *i;
            } else if self
                .calls_seen
                .iter()
                .any(|(i, seen)| *i == call_index && seen.is_some())
            {
                call_index = u64::MAX - self.calls_seen.len() as u64;
            }
        }
        let index = match self.open {
            Some(OpenBlock::Tool { index, call }) if call == call_index => index,
            _ if self.calls_seen.iter().any(|(i, _)| *i == call_index) => {
                self.close(out);
                out.push(anthropic_error(
                    "api_error",
                    &format!("the upstream interleaved the arguments of tool call {call_index} with a later call"),
                ));
                self.done = true;
                return false;
            }
            _ => {
                self.close(out);
                let index = self.open_block(OpenBlockKind::Tool(call_index));
                self.calls_seen.push((call_index, id.map(str::to_string)));
                let id = match id {
                    Some(id) => anthropic_tool_id(id),
                    None => format!("toolu_{}_{call_index}", self.id.trim_start_matches("msg_")),
                };
                out.push(SseEvent::named(
                    "content_block_start",
                    &json!({
                        "type": "content_block_start",
                        "index": index,
                        "content_block": {"type": "tool_use", "id": id, "name": name.unwrap_or(""), "input": {}},
                    }),
                ));
                index
            }
        };
        if !arguments.is_empty() {
            out.push(delta(
                index,
                json!({"type": "input_json_delta", "partial_json": arguments}),
            ));
        }
        true
    }

    fn open_block(&mut self, kind: OpenBlockKind) -> usize {
        let index = self.next_index;
        self.next_index += 1;
        self.open = Some(match kind {
            OpenBlockKind::Text => OpenBlock::Text { index },
            OpenBlockKind::Tool(call) => OpenBlock::Tool { index, call },
        });
        index
    }

    fn close(&mut self, out: &mut Vec<SseEvent>) {
        let index = match self.open.take() {
            Some(OpenBlock::Text { index }) | Some(OpenBlock::Tool { index, .. }) => index,
            None => return,
        };
        out.push(SseEvent::named(
            "content_block_stop",
            &json!({"type": "content_block_stop", "index": index}),
        ));
    }
}

enum OpenBlockKind {
    Text,
    Tool(u64),
}

fn delta(index: usize, delta: Value) -> SseEvent {
    SseEvent::named(
        "content_block_delta",
        &json!({"type": "content_block_delta", "index": index, "delta": delta}),
    )
}

fn anthropic_error(kind: &str, message: &str) -> SseEvent {
    SseEvent::named(
        "error",
        &json!({"type": "error", "error": {"type": kind, "message": message}}),
    )
}

/// Anthropic events in, OpenAI `chat.completion.chunk`s out: a first chunk
/// with the role, content and tool-call deltas (a tool call's first chunk
/// carries its id and name), a chunk with `finish_reason`, a usage chunk
/// with empty `choices` (as OpenAI sends with `stream_options.include_usage`;
/// see [`MessagesStreamToChat::include_usage`]) and `data: [DONE]`.
#[derive(Debug)]
pub struct MessagesStreamToChat {
    model: String,
    created: u64,
    include_usage: bool,
    id: String,
    started: bool,
    stopped: bool,
    done: bool,
    /// Anthropic block index → OpenAI tool-call index.
    tool_calls: HashMap<u64, usize>,
    text_blocks: usize,
    stop_reason: Option<String>,
    usage: serde_json::Map<String, Value>,
}

impl MessagesStreamToChat {
    /// A translator whose chunks name `model` (the model the client asked
    /// for), created now.
    pub fn new(model: &str) -> MessagesStreamToChat {
        MessagesStreamToChat {
            model: model.to_string(),
            created: unix_now(),
            include_usage: true,
            id: "chatcmpl-agentc".to_string(),
            started: false,
            stopped: false,
            done: false,
            tool_calls: HashMap::new(),
            text_blocks: 0,
            stop_reason: None,
            usage: serde_json::Map::new(),
        }
    }

    /// Fixes the chunks' `created` timestamp (reproducible output).
    pub fn with_created(mut self, created: u64) -> MessagesStreamToChat {
        self.created = created;
        self
    }

    /// Whether to send the final usage chunk (`choices: []`), as OpenAI does
    /// only when the request set `stream_options.include_usage`. On by
    /// default.
    pub fn include_usage(mut self, on: bool) -> MessagesStreamToChat {
        self.include_usage = on;
        self
    }

    /// One upstream event: its `event:` name (may be empty: the data's
    /// `type` is used then) and its JSON data.
    pub fn push(&mut self, event: &str, data: &Value) -> Vec<SseEvent> {
        let mut out = Vec::new();
        if self.done {
            return out;
        }
        let kind = if event.is_empty() {
            data.get("type").and_then(Value::as_str).unwrap_or("")
        } else {
            event
        };
        match kind {
            "message_start" => {
                let message = data.get("message").unwrap_or(&Value::Null);
                if let Some(id) = message.get("id").and_then(Value::as_str) {
                    self.id = format!("chatcmpl-{id}");
                }
                self.merge_usage(message.get("usage"));
                self.start(&mut out);
            }
            "content_block_start" => {
                self.start(&mut out);
                let index = data.get("index").and_then(Value::as_u64).unwrap_or(0);
                let block = data.get("content_block").unwrap_or(&Value::Null);
                match block.get("type").and_then(Value::as_str) {
                    Some("text") => {
                        self.text_blocks += 1;
                        let text = block.get("text").and_then(Value::as_str).unwrap_or("");
                        if self.text_blocks > 1 {
                            out.push(self.chunk(json!({"content": "\n\n"}), None));
                        }
                        if !text.is_empty() {
                            out.push(self.chunk(json!({"content": text}), None));
                        }
                    }
                    Some("tool_use") => {
                        let call = self.tool_calls.len();
                        self.tool_calls.insert(index, call);
                        let name = block.get("name").and_then(Value::as_str).unwrap_or("");
                        let id = block.get("id").and_then(Value::as_str).unwrap_or("");
                        out.push(self.chunk(
                            json!({"tool_calls": [{
                                "index": call,
                                "id": id,
                                "type": "function",
                                "function": {"name": name, "arguments": ""},
                            }]}),
                            None,
                        ));
                    }
                    _ => {}
                }
            }
            "content_block_delta" => {
                self.start(&mut out);
                let index = data.get("index").and_then(Value::as_u64).unwrap_or(0);
                let delta = data.get("delta").unwrap_or(&Value::Null);
                let field = |key: &str| delta.get(key).and_then(Value::as_str).unwrap_or("");
                match delta.get("type").and_then(Value::as_str).unwrap_or("") {
                    "text_delta" if !field("text").is_empty() => {
                        out.push(self.chunk(json!({"content": field("text")}), None));
                    }
                    "input_json_delta" if !field("partial_json").is_empty() => {
                        if let Some(call) = self.tool_calls.get(&index) {
                            out.push(self.chunk(
                                json!({"tool_calls": [{
                                    "index": call,
                                    "function": {"arguments": field("partial_json")},
                                }]}),
                                None,
                            ));
                        }
                    }
                    "thinking_delta" if !field("thinking").is_empty() => {
                        out.push(self.chunk(json!({"reasoning_content": field("thinking")}), None));
                    }
                    _ => {}
                }
            }
            "message_delta" => {
                if let Some(reason) = data
                    .get("delta")
                    .and_then(|d| d.get("stop_reason"))
                    .and_then(Value::as_str)
                {
                    self.stop_reason = Some(reason.to_string());
                }
                self.merge_usage(data.get("usage"));
            }
            "message_stop" => self.stop(&mut out),
            "error" => {
                let (kind, message) = upstream_error(data)
                    .unwrap_or_else(|| (None, "the upstream stream failed".to_string()));
                out.push(openai_error(
                    kind.as_deref().unwrap_or("api_error"),
                    &message,
                ));
                self.done = true;
            }
            // ping, content_block_stop and event types added later carry
            // nothing an OpenAI client needs.
            _ => {}
        }
        out
    }

    /// The upstream stream ended: the finish and usage chunks if
    /// `message_stop` did not send them yet, then `data: [DONE]`.
    pub fn finish(&mut self) -> Vec<SseEvent> {
        let mut out = Vec::new();
        if self.done {
            return out;
        }
        self.start(&mut out);
        self.stop(&mut out);
        out.push(SseEvent::done());
        self.done = true;
        out
    }

    /// The upstream connection broke mid-stream: an error chunk (what
    /// OpenAI sends mid-stream) with this message, and no `[DONE]`.
    pub fn abort(&mut self, message: &str) -> Vec<SseEvent> {
        if self.done {
            return Vec::new();
        }
        self.done = true;
        vec![openai_error("api_error", message)]
    }

    fn start(&mut self, out: &mut Vec<SseEvent>) {
        if self.started {
            return;
        }
        self.started = true;
        out.push(self.chunk(json!({"role": "assistant", "content": ""}), None));
    }

    fn stop(&mut self, out: &mut Vec<SseEvent>) {
        if self.stopped {
            return;
        }
        self.stopped = true;
        let finish = finish_reason_for(self.stop_reason.as_deref());
        out.push(self.chunk(json!({}), Some(finish)));
        if self.include_usage {
            let usage = usage_to_chat(Some(&Value::Object(self.usage.clone())));
            out.push(SseEvent::data(&json!({
                "id": self.id,
                "object": "chat.completion.chunk",
                "created": self.created,
                "model": self.model,
                "choices": [],
                "usage": usage,
            })));
        }
    }

    /// Anthropic reports input tokens in `message_start` and the final
    /// counts in `message_delta`; later non-null values win.
    fn merge_usage(&mut self, usage: Option<&Value>) {
        if let Some(usage) = usage.and_then(Value::as_object) {
            for (key, value) in usage {
                if value.is_u64() {
                    self.usage.insert(key.clone(), value.clone());
                }
            }
        }
    }

    fn chunk(&self, delta: Value, finish_reason: Option<&str>) -> SseEvent {
        SseEvent::data(&json!({
            "id": self.id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": self.model,
            "choices": [{
                "index": 0,
                "delta": delta,
                "logprobs": null,
                "finish_reason": finish_reason,
            }],
        }))
    }
}

fn openai_error(kind: &str, message: &str) -> SseEvent {
    SseEvent::data(&json!({
        "error": {"message": message, "type": super::openai_error_kind(kind, 500), "param": null, "code": kind},
    }))
}
