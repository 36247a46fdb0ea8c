//! Property tests for the gateway's translation: conversations in the
//! shapes both formats share survive a round trip, and a streamed answer,
//! however the upstream splits it, reaches the client as the same message
//! as the whole answer would.

#![allow(clippy::unwrap_used)]

use agentc::gateway::translate::*;
use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// Non-empty text without the blank-line separator the translation joins
/// blocks with.
fn text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 .,:;!?é→\n\t\"{}]{1,24}".prop_filter("no blank line", |s| !s.contains("\n\n"))
}

fn input() -> impl Strategy<Value = Value> {
    prop::collection::btree_map(
        "[a-z_]{1,8}",
        prop_oneof![
            text().prop_map(Value::from),
            any::<i32>().prop_map(Value::from),
            any::<bool>().prop_map(Value::from),
        ],
        0..4,
    )
    .prop_map(|m| Value::Object(m.into_iter().collect::<Map<String, Value>>()))
}

/// One assistant turn: optional text, then 0..3 tool calls.
fn assistant_turn() -> impl Strategy<Value = (Option<String>, Vec<(String, Value)>)> {
    (
        prop::option::of(text()),
        prop::collection::vec(("[a-z]{1,8}", input()), 0..3),
    )
        .prop_filter("not empty", |(t, calls)| t.is_some() || !calls.is_empty())
}

/// A conversation in canonical Anthropic form: strings for single text,
/// tool results first in the user turn after the calls, one text block per
/// turn at most.
fn conversation() -> impl Strategy<Value = Value> {
    (
        prop::option::of(text()),
        text(),
        prop::collection::vec((assistant_turn(), prop::collection::vec(text(), 3), prop::option::of(text())), 0..4),
    )
        .prop_map(|(system, first, turns)| {
            let mut messages = vec![json!({"role": "user", "content": first})];
            let mut id = 0;
            for ((assistant_text, calls), results, user_text) in turns {
                let mut blocks = Vec::new();
                if let Some(t) = &assistant_text {
                    blocks.push(json!({"type": "text", "text": t}));
                }
                let mut ids = Vec::new();
                for (name, input) in &calls {
                    id += 1;
                    ids.push(format!("toolu_{id}"));
                    blocks.push(json!({"type": "tool_use", "id": format!("toolu_{id}"), "name": name, "input": input}));
                }
                let content = if calls.is_empty() {
                    json!(assistant_text.unwrap())
                } else {
                    json!(blocks)
                };
                messages.push(json!({"role": "assistant", "content": content}));
                let mut user = Vec::new();
                for (i, call) in ids.iter().enumerate() {
                    user.push(json!({"type": "tool_result", "tool_use_id": call, "content": results[i % 3]}));
                }
                let user_text = if ids.is_empty() { Some(user_text.unwrap_or_else(|| "next".into())) } else { user_text };
                if let Some(t) = user_text {
                    user.push(json!({"type": "text", "text": t}));
                }
                let content = if user.len() == 1 && user[0]["type"] == "text" { user[0]["text"].clone() } else { json!(user) };
                messages.push(json!({"role": "user", "content": content}));
            }
            let mut req = json!({"model": "m", "max_tokens": 512, "messages": messages});
            if let Some(s) = system {
                req["system"] = s.into();
            }
            req
        })
}

/// What an Anthropic client makes of an event stream (the SDKs'
/// accumulation): the final message.
fn accumulate(events: &[SseEvent]) -> Value {
    let mut message = Value::Null;
    let mut partial: Vec<String> = Vec::new();
    for e in events {
        let data: Value = serde_json::from_str(&e.data).unwrap();
        match data["type"].as_str().unwrap() {
            "message_start" => message = data["message"].clone(),
            "content_block_start" => {
                message["content"]
                    .as_array_mut()
                    .unwrap()
                    .push(data["content_block"].clone());
                partial.push(String::new());
            }
            "content_block_delta" => {
                let i = data["index"].as_u64().unwrap() as usize;
                let block = &mut message["content"][i];
                match data["delta"]["type"].as_str().unwrap() {
                    "text_delta" => {
                        let t = format!(
                            "{}{}",
                            block["text"].as_str().unwrap(),
                            data["delta"]["text"].as_str().unwrap()
                        );
                        block["text"] = t.into();
                    }
                    "input_json_delta" => {
                        partial[i].push_str(data["delta"]["partial_json"].as_str().unwrap())
                    }
                    other => panic!("delta {other}"),
                }
            }
            "content_block_stop" => {
                let i = data["index"].as_u64().unwrap() as usize;
                if message["content"][i]["type"] == "tool_use" {
                    let input = if partial[i].is_empty() {
                        json!({})
                    } else {
                        serde_json::from_str(&partial[i]).unwrap()
                    };
                    message["content"][i]["input"] = input;
                }
            }
            "message_delta" => {
                message["stop_reason"] = data["delta"]["stop_reason"].clone();
                message["stop_sequence"] = data["delta"]["stop_sequence"].clone();
                message["usage"] = data["usage"].clone();
            }
            "message_stop" | "ping" => {}
            other => panic!("event {other}"),
        }
    }
    message
}

/// Splits `s` at the given fractions into pieces (no empty ones).
fn pieces(s: &str, cuts: &[usize]) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    let mut at: Vec<usize> = cuts.iter().map(|c| c % (chars.len() + 1)).collect();
    at.push(0);
    at.push(chars.len());
    at.sort_unstable();
    at.dedup();
    at.windows(2)
        .map(|w| chars[w[0]..w[1]].iter().collect())
        .filter(|p: &String| !p.is_empty())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn anthropic_conversations_round_trip(req in conversation()) {
        let chat = messages_to_chat(&req).unwrap();
        prop_assert_eq!(chat_to_messages(&chat).unwrap(), req);
    }

    #[test]
    fn openai_conversations_round_trip(req in conversation()) {
        // The OpenAI form of a canonical conversation is itself canonical.
        let chat = messages_to_chat(&req).unwrap();
        prop_assert_eq!(messages_to_chat(&chat_to_messages(&chat).unwrap()).unwrap(), chat);
    }

    #[test]
    fn a_streamed_answer_is_the_whole_answer(
        content in prop::option::of(text()),
        calls in prop::collection::vec(("[a-z]{1,8}", input()), 0..3),
        cuts in prop::collection::vec(0usize..64, 0..6),
        usage in (0u64..5000, 0u64..500),
    ) {
        let tool_calls: Vec<Value> = calls.iter().enumerate().map(|(i, (name, input))| json!({
            "id": format!("call_{i}"), "type": "function",
            "function": {"name": name, "arguments": input.to_string()},
        })).collect();
        let mut message = json!({"role": "assistant", "content": content});
        if !tool_calls.is_empty() {
            message["tool_calls"] = json!(tool_calls);
        }
        let finish = if tool_calls.is_empty() { "stop" } else { "tool_calls" };
        let usage = json!({"prompt_tokens": usage.0, "completion_tokens": usage.1, "total_tokens": usage.0 + usage.1});
        let whole = json!({"id": "chatcmpl-7", "choices": [{"index": 0, "message": message, "finish_reason": finish}], "usage": usage});

        let chunk = |delta: Value, finish: Value| json!({"id": "chatcmpl-7", "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]});
        let mut chunks = vec![chunk(json!({"role": "assistant", "content": ""}), Value::Null)];
        if let Some(t) = &content {
            for p in pieces(t, &cuts) {
                chunks.push(chunk(json!({"content": p}), Value::Null));
            }
        }
        for (i, call) in tool_calls.iter().enumerate() {
            chunks.push(chunk(json!({"tool_calls": [{"index": i, "id": call["id"], "type": "function",
                "function": {"name": call["function"]["name"], "arguments": ""}}]}), Value::Null));
            for p in pieces(call["function"]["arguments"].as_str().unwrap(), &cuts) {
                chunks.push(chunk(json!({"tool_calls": [{"index": i, "function": {"arguments": p}}]}), Value::Null));
            }
        }
        chunks.push(chunk(json!({}), json!(finish)));
        chunks.push(json!({"id": "chatcmpl-7", "choices": [], "usage": usage}));

        let mut t = ChatStreamToMessages::new("agentc/x");
        let mut events = Vec::new();
        for c in &chunks {
            events.extend(t.push(c));
        }
        events.extend(t.finish());
        prop_assert_eq!(accumulate(&events), chat_response_to_messages(&whole, "agentc/x").unwrap());
    }
}
