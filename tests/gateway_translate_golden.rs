//! The translation's output for realistic inputs, kept as files under
//! `tests/fixtures/gateway/golden/` that `tests/clients/test_translation_shapes.py`
//! checks against the official `anthropic` and `openai` Python SDKs' types
//! and stream accumulators. This test keeps the files equal to what the code
//! produces; `AGENTC_BLESS=1 cargo test --test gateway_translate_golden`
//! rewrites them after a deliberate change.

use agentc::gateway::translate::*;
use serde_json::{Value, json};
use std::path::PathBuf;

fn check(name: &str, value: Value) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/gateway/golden")
        .join(format!("{name}.json"));
    let text = serde_json::to_string_pretty(&value).expect("serialises") + "\n";
    if std::env::var_os("AGENTC_BLESS").is_some() {
        std::fs::write(&path, &text).expect("writes the golden file");
        return;
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == text,
        "{} differs from the translation's output; if the change is deliberate, run AGENTC_BLESS=1 cargo test --test gateway_translate_golden\n{text}",
        path.display()
    );
}

fn fixture(text: &str) -> Value {
    serde_json::from_str(text).expect("fixture is JSON")
}

fn events(list: Vec<SseEvent>) -> Value {
    list.into_iter()
        .map(|e| {
            let data: Value =
                serde_json::from_str(&e.data).unwrap_or(Value::String(e.data.clone()));
            json!({"event": e.event, "data": data})
        })
        .collect()
}

#[test]
fn requests() {
    check(
        "openai-request-from-claude-code",
        messages_to_chat(&fixture(include_str!(
            "fixtures/gateway/claude-code-2.1.197-subagent-tool-results.json"
        )))
        .expect("translates"),
    );
    check(
        "anthropic-request-from-opencode",
        chat_to_messages(&fixture(include_str!(
            "fixtures/gateway/opencode-1.18.33-tool-results.json"
        )))
        .expect("translates"),
    );
}

#[test]
fn responses() {
    let chat = json!({
        "id": "chatcmpl-42", "object": "chat.completion", "created": 1700000000, "model": "qwen",
        "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {
            "role": "assistant", "content": "Reading both.",
            "tool_calls": [
                {"id": "call_a", "type": "function", "function": {"name": "Read", "arguments": "{\"file_path\":\"/a\"}"}},
                {"id": "call_b", "type": "function", "function": {"name": "Read", "arguments": "{\"file_path\":\"/b\"}"}}
            ]}}],
        "usage": {"prompt_tokens": 900, "completion_tokens": 40, "total_tokens": 940, "prompt_tokens_details": {"cached_tokens": 512}}
    });
    let message = chat_response_to_messages(&chat, "agentc/explore").expect("translates");
    check("anthropic-message", message.clone());
    let thinking = json!({
        "id": "msg_01", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
        "content": [
            {"type": "thinking", "thinking": "Two files.", "signature": "EqQB"},
            {"type": "text", "text": "Reading both."},
            {"type": "tool_use", "id": "toolu_a", "name": "read", "input": {"path": "a"}},
            {"type": "tool_use", "id": "toolu_b", "name": "read", "input": {"path": "b"}}
        ],
        "stop_reason": "tool_use", "stop_sequence": null,
        "usage": {"input_tokens": 12, "output_tokens": 60, "cache_read_input_tokens": 800, "cache_creation_input_tokens": 0}
    });
    check(
        "openai-completion",
        messages_response_to_chat_at(&thinking, "agentc/plan", 1700000000).expect("translates"),
    );
    check(
        "anthropic-error",
        error_body(
            Wire::Anthropic,
            529,
            "overloaded_error",
            "lm-studio is busy",
        ),
    );
    check(
        "openai-error",
        error_body(
            Wire::OpenAi,
            429,
            "rate_limit_error",
            "deepseek is rate limited",
        ),
    );
}

#[test]
fn streams() {
    let chunk = |delta: Value, finish: Value| {
        json!({"id": "chatcmpl-7", "object": "chat.completion.chunk", "created": 1, "model": "qwen",
               "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})
    };
    let chunks = [
        chunk(json!({"role": "assistant", "content": ""}), Value::Null),
        chunk(json!({"reasoning_content": "Let me think."}), Value::Null),
        chunk(json!({"content": "Reading "}), Value::Null),
        chunk(json!({"content": "both."}), Value::Null),
        chunk(
            json!({"tool_calls": [{"index": 0, "id": "call_a", "type": "function", "function": {"name": "Read", "arguments": ""}}]}),
            Value::Null,
        ),
        chunk(
            json!({"tool_calls": [{"index": 0, "function": {"arguments": "{\"file_path\""}}]}),
            Value::Null,
        ),
        chunk(
            json!({"tool_calls": [{"index": 0, "function": {"arguments": ":\"/a\"}"}}]}),
            Value::Null,
        ),
        chunk(
            json!({"tool_calls": [{"index": 1, "id": "call_b", "type": "function", "function": {"name": "Grep", "arguments": "{\"pattern\":"}}]}),
            Value::Null,
        ),
        chunk(
            json!({"tool_calls": [{"index": 1, "function": {"arguments": "\"fn main\"}"}}]}),
            Value::Null,
        ),
        chunk(json!({}), json!("tool_calls")),
        json!({"id": "chatcmpl-7", "object": "chat.completion.chunk", "created": 1, "model": "qwen", "choices": [],
               "usage": {"prompt_tokens": 300, "completion_tokens": 25, "total_tokens": 325}}),
    ];
    let mut to_messages = ChatStreamToMessages::new("agentc/explore");
    let mut anthropic = Vec::new();
    for c in &chunks {
        anthropic.extend(to_messages.push(c));
    }
    anthropic.extend(to_messages.finish());

    let upstream = [
        json!({"type": "message_start", "message": {"id": "msg_01", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
               "content": [], "stop_reason": null, "stop_sequence": null, "usage": {"input_tokens": 20, "output_tokens": 1}}}),
        json!({"type": "content_block_start", "index": 0, "content_block": {"type": "thinking", "thinking": "", "signature": ""}}),
        json!({"type": "content_block_delta", "index": 0, "delta": {"type": "thinking_delta", "thinking": "Two files."}}),
        json!({"type": "content_block_delta", "index": 0, "delta": {"type": "signature_delta", "signature": "EqQB"}}),
        json!({"type": "content_block_stop", "index": 0}),
        json!({"type": "content_block_start", "index": 1, "content_block": {"type": "text", "text": ""}}),
        json!({"type": "content_block_delta", "index": 1, "delta": {"type": "text_delta", "text": "Reading both."}}),
        json!({"type": "content_block_stop", "index": 1}),
        json!({"type": "content_block_start", "index": 2, "content_block": {"type": "tool_use", "id": "toolu_a", "name": "read", "input": {}}}),
        json!({"type": "content_block_delta", "index": 2, "delta": {"type": "input_json_delta", "partial_json": "{\"path\":"}}),
        json!({"type": "content_block_delta", "index": 2, "delta": {"type": "input_json_delta", "partial_json": "\"a\"}"}}),
        json!({"type": "content_block_stop", "index": 2}),
        json!({"type": "content_block_start", "index": 3, "content_block": {"type": "tool_use", "id": "toolu_b", "name": "read", "input": {}}}),
        json!({"type": "content_block_delta", "index": 3, "delta": {"type": "input_json_delta", "partial_json": "{\"path\":\"b\"}"}}),
        json!({"type": "content_block_stop", "index": 3}),
        json!({"type": "message_delta", "delta": {"stop_reason": "tool_use", "stop_sequence": null}, "usage": {"output_tokens": 60}}),
        json!({"type": "message_stop"}),
    ];
    let mut to_chat = MessagesStreamToChat::new("agentc/plan").with_created(1700000000);
    let mut openai = Vec::new();
    for e in &upstream {
        openai.extend(to_chat.push(e["type"].as_str().unwrap_or(""), e));
    }
    openai.extend(to_chat.finish());
    check("anthropic-stream", events(anthropic));
    check("openai-stream", events(openai));
}
