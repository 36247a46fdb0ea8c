//! Translation between Anthropic Messages and OpenAI Chat Completions:
//! exact JSON in, exact JSON out.

use agentc::gateway::translate::*;
use serde_json::{Value, json};

#[test]
fn text_request_anthropic_to_openai() {
    let req = json!({
        "model": "qwen-2.5-7b",
        "max_tokens": 1024,
        "system": "You are terse.",
        "messages": [
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": [{"type": "text", "text": "Hello."}]},
            {"role": "user", "content": [{"type": "text", "text": "Bye"}]}
        ]
    });
    assert_eq!(
        messages_to_chat(&req).unwrap(),
        json!({
            "model": "qwen-2.5-7b",
            "max_tokens": 1024,
            "messages": [
                {"role": "system", "content": "You are terse."},
                {"role": "user", "content": "Hi"},
                {"role": "assistant", "content": "Hello."},
                {"role": "user", "content": "Bye"}
            ]
        })
    );
}

#[test]
fn text_request_openai_to_anthropic() {
    let req = json!({
        "model": "claude-sonnet-4-5",
        "messages": [
            {"role": "system", "content": "You are terse."},
            {"role": "user", "content": "Hi"}
        ]
    });
    assert_eq!(
        chat_to_messages(&req).unwrap(),
        json!({
            "model": "claude-sonnet-4-5",
            "max_tokens": 4096,
            "system": "You are terse.",
            "messages": [{"role": "user", "content": "Hi"}]
        })
    );
}

#[test]
fn text_response_both_ways() {
    let chat = json!({
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1,
        "model": "qwen",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello."}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 2, "total_tokens": 12}
    });
    assert_eq!(
        chat_response_to_messages(&chat, "agentc/explore").unwrap(),
        json!({
            "id": "msg_1",
            "type": "message",
            "role": "assistant",
            "model": "agentc/explore",
            "content": [{"type": "text", "text": "Hello."}],
            "stop_reason": "end_turn",
            "stop_sequence": null,
            "usage": {"input_tokens": 10, "output_tokens": 2}
        })
    );
    let message: Value = chat_response_to_messages(&chat, "m").unwrap();
    assert_eq!(
        messages_response_to_chat_at(&message, "m", 7).unwrap(),
        json!({
            "id": "chatcmpl-msg_1",
            "object": "chat.completion",
            "created": 7,
            "model": "m",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello."}, "logprobs": null, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 2, "total_tokens": 12}
        })
    );
}
