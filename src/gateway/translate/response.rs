//! Whole (non-streamed) responses: OpenAI chat completions ⇄ Anthropic
//! messages.

use super::request::parse_arguments;
use super::{
    TranslateError, anthropic_tool_id, finish_reason_for, stop_reason_for, unix_now, usage_to_chat,
    usage_to_messages,
};
use serde_json::{Value, json};

/// An OpenAI chat completion as an Anthropic message, named `model` (the
/// model the client asked for). Reasoning text some servers add
/// (`reasoning_content`) is left out: see `docs/gateway-translation.md`.
pub fn chat_response_to_messages(resp: &Value, model: &str) -> Result<Value, TranslateError> {
    let choice = resp
        .get("choices")
        .and_then(Value::as_array)
        .and_then(|c| c.first())
        .ok_or_else(|| TranslateError::new("the upstream answer has no `choices`"))?;
    let message = choice.get("message").unwrap_or(&Value::Null);
    let mut content = Vec::new();
    match message.get("content") {
        Some(Value::String(text)) if !text.is_empty() => {
            content.push(json!({"type": "text", "text": text}));
        }
        Some(Value::Array(parts)) => {
            for part in parts {
                if let Some(text) = part.get("text").and_then(Value::as_str) {
                    content.push(json!({"type": "text", "text": text}));
                }
            }
        }
        _ => {}
    }
    if let Some(refusal) = message.get("refusal").and_then(Value::as_str)
        && !refusal.is_empty()
    {
        content.push(json!({"type": "text", "text": refusal}));
    }
    let calls = message
        .get("tool_calls")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    for (i, call) in calls.iter().enumerate() {
        let function = call.get("function").unwrap_or(&Value::Null);
        let id = match call.get("id").and_then(Value::as_str) {
            Some(id) if !id.is_empty() => anthropic_tool_id(id),
            _ => format!("toolu_{}_{i}", message_id(resp)),
        };
        content.push(json!({
            "type": "tool_use",
            "id": id,
            "name": function.get("name").and_then(Value::as_str).unwrap_or(""),
            "input": parse_arguments(function.get("arguments").and_then(Value::as_str).unwrap_or("")),
        }));
    }
    let finish = choice.get("finish_reason").and_then(Value::as_str);
    Ok(json!({
        "id": format!("msg_{}", message_id(resp)),
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": stop_reason_for(finish, !calls.is_empty()),
        "stop_sequence": null,
        "usage": usage_to_messages(resp.get("usage")),
    }))
}

/// The upstream's id without OpenAI's `chatcmpl-` prefix, for `msg_<id>`.
fn message_id(resp: &Value) -> String {
    let id = resp.get("id").and_then(Value::as_str).unwrap_or("");
    let id = id.strip_prefix("chatcmpl-").unwrap_or(id);
    if id.is_empty() {
        "agentc".to_string()
    } else {
        anthropic_tool_id(id)
    }
}

/// An Anthropic message as an OpenAI chat completion named `model`, created
/// now.
pub fn messages_response_to_chat(resp: &Value, model: &str) -> Result<Value, TranslateError> {
    messages_response_to_chat_at(resp, model, unix_now())
}

/// [`messages_response_to_chat`] with a fixed `created` timestamp
/// (reproducible output).
pub fn messages_response_to_chat_at(
    resp: &Value,
    model: &str,
    created: u64,
) -> Result<Value, TranslateError> {
    let blocks = resp
        .get("content")
        .and_then(Value::as_array)
        .ok_or_else(|| TranslateError::new("the upstream answer has no `content`"))?;
    let mut texts = Vec::new();
    let mut reasoning = Vec::new();
    let mut calls = Vec::new();
    for block in blocks {
        match block.get("type").and_then(Value::as_str).unwrap_or("") {
            "text" => texts.push(block.get("text").and_then(Value::as_str).unwrap_or("")),
            "thinking" => reasoning.push(block.get("thinking").and_then(Value::as_str).unwrap_or("")),
            "tool_use" => calls.push(json!({
                "id": block.get("id").and_then(Value::as_str).unwrap_or(""),
                "type": "function",
                "function": {
                    "name": block.get("name").and_then(Value::as_str).unwrap_or(""),
                    "arguments": block.get("input").cloned().unwrap_or_else(|| json!({})).to_string(),
                },
            })),
            // Redacted thinking and server-side tool blocks have nothing an
            // OpenAI client could show or send back.
            _ => {}
        }
    }
    let mut message = json!({"role": "assistant"});
    message["content"] = if texts.is_empty() && !calls.is_empty() {
        Value::Null
    } else {
        texts.join("\n\n").into()
    };
    if !reasoning.is_empty() {
        message["reasoning_content"] = reasoning.join("\n\n").into();
    }
    if !calls.is_empty() {
        message["tool_calls"] = calls.into();
    }
    let id = resp.get("id").and_then(Value::as_str).unwrap_or("agentc");
    Ok(json!({
        "id": format!("chatcmpl-{id}"),
        "object": "chat.completion",
        "created": created,
        "model": model,
        "choices": [{
            "index": 0,
            "message": message,
            "logprobs": null,
            "finish_reason": finish_reason_for(resp.get("stop_reason").and_then(Value::as_str)),
        }],
        "usage": usage_to_chat(resp.get("usage")),
    }))
}
