//! Streams: OpenAI chunks in, Anthropic events out, and back; every event
//! asserted exactly.

use agentc::gateway::translate::*;
use serde_json::{Value, json};

/// Events as `(name, data)` pairs, data parsed (or the raw string for
/// `[DONE]`).
fn parsed(events: Vec<SseEvent>) -> Vec<(Option<String>, Value)> {
    events
        .into_iter()
        .map(|e| {
            let data = serde_json::from_str(&e.data).unwrap_or(Value::String(e.data.clone()));
            (e.event, data)
        })
        .collect()
}

fn feed_chat(chunks: &[Value]) -> Vec<(Option<String>, Value)> {
    let mut t = ChatStreamToMessages::new("agentc/explore");
    let mut out = Vec::new();
    for chunk in chunks {
        out.extend(t.push(chunk));
    }
    out.extend(t.finish());
    assert!(t.finish().is_empty(), "finish is idempotent");
    parsed(out)
}

fn chunk(delta: Value, finish: Option<&str>) -> Value {
    json!({
        "id": "chatcmpl-9",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "qwen",
        "choices": [{"index": 0, "delta": delta, "logprobs": null, "finish_reason": finish}]
    })
}

fn usage_chunk(prompt: u64, completion: u64) -> Value {
    json!({
        "id": "chatcmpl-9", "object": "chat.completion.chunk", "created": 1, "model": "qwen",
        "choices": [],
        "usage": {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}
    })
}

fn ev(name: &str, data: Value) -> (Option<String>, Value) {
    (Some(name.to_string()), data)
}

fn message_start() -> (Option<String>, Value) {
    ev(
        "message_start",
        json!({"type": "message_start", "message": {
            "id": "msg_9", "type": "message", "role": "assistant", "model": "agentc/explore",
            "content": [], "stop_reason": null, "stop_sequence": null,
            "usage": {"input_tokens": 0, "output_tokens": 0}
        }}),
    )
}

fn block_start(index: usize, block: Value) -> (Option<String>, Value) {
    ev(
        "content_block_start",
        json!({"type": "content_block_start", "index": index, "content_block": block}),
    )
}

fn text_delta(index: usize, text: &str) -> (Option<String>, Value) {
    ev(
        "content_block_delta",
        json!({"type": "content_block_delta", "index": index, "delta": {"type": "text_delta", "text": text}}),
    )
}

fn json_delta(index: usize, partial: &str) -> (Option<String>, Value) {
    ev(
        "content_block_delta",
        json!({"type": "content_block_delta", "index": index, "delta": {"type": "input_json_delta", "partial_json": partial}}),
    )
}

fn block_stop(index: usize) -> (Option<String>, Value) {
    ev(
        "content_block_stop",
        json!({"type": "content_block_stop", "index": index}),
    )
}

fn message_end(stop: &str, usage: Value) -> Vec<(Option<String>, Value)> {
    vec![
        ev(
            "message_delta",
            json!({"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": null}, "usage": usage}),
        ),
        ev("message_stop", json!({"type": "message_stop"})),
    ]
}

// ---------------------------------------------------------------------
// OpenAI chunks -> Anthropic events

#[test]
fn text_stream_with_usage_at_the_end() {
    let events = feed_chat(&[
        chunk(json!({"role": "assistant", "content": ""}), None),
        {
            // Some servers add `"error": null` to every chunk.
            let mut c = chunk(json!({"content": "Hel"}), None);
            c["error"] = Value::Null;
            c
        },
        chunk(json!({"content": "lo."}), None),
        chunk(json!({}), Some("stop")),
        usage_chunk(12, 3),
    ]);
    let mut expected = vec![
        message_start(),
        block_start(0, json!({"type": "text", "text": ""})),
        text_delta(0, "Hel"),
        text_delta(0, "lo."),
        block_stop(0),
    ];
    expected.extend(message_end(
        "end_turn",
        json!({"input_tokens": 12, "output_tokens": 3}),
    ));
    assert_eq!(events, expected);
}

#[test]
fn a_tool_call_split_over_many_deltas() {
    let events = feed_chat(&[
        chunk(json!({"role": "assistant", "content": null}), None),
        chunk(json!({"content": "Let me read it."}), None),
        chunk(
            json!({"tool_calls": [{"index": 0, "id": "call_abc", "type": "function", "function": {"name": "Read", "arguments": ""}}]}),
            None,
        ),
        chunk(
            json!({"tool_calls": [{"index": 0, "function": {"arguments": "{\"file_"}}]}),
            None,
        ),
        chunk(
            json!({"tool_calls": [{"index": 0, "function": {"arguments": "path\": \"/tmp/"}}]}),
            None,
        ),
        chunk(
            json!({"tool_calls": [{"index": 0, "function": {"arguments": "note.txt\"}"}}]}),
            None,
        ),
        chunk(json!({}), Some("tool_calls")),
        usage_chunk(200, 25),
    ]);
    let mut expected = vec![
        message_start(),
        block_start(0, json!({"type": "text", "text": ""})),
        text_delta(0, "Let me read it."),
        block_stop(0),
        block_start(
            1,
            json!({"type": "tool_use", "id": "call_abc", "name": "Read", "input": {}}),
        ),
        json_delta(1, "{\"file_"),
        json_delta(1, "path\": \"/tmp/"),
        json_delta(1, "note.txt\"}"),
        block_stop(1),
    ];
    expected.extend(message_end(
        "tool_use",
        json!({"input_tokens": 200, "output_tokens": 25}),
    ));
    assert_eq!(events, expected);
}

#[test]
fn two_parallel_tool_calls() {
    let events = feed_chat(&[
        chunk(
            json!({"role": "assistant", "tool_calls": [{"index": 0, "id": "call_1", "type": "function", "function": {"name": "Read", "arguments": "{\"file_path\":"}}]}),
            None,
        ),
        chunk(
            json!({"tool_calls": [{"index": 0, "function": {"arguments": "\"/a\"}"}}]}),
            None,
        ),
        chunk(
            json!({"tool_calls": [{"index": 1, "id": "call_2", "type": "function", "function": {"name": "Grep", "arguments": ""}}]}),
            None,
        ),
        chunk(
            json!({"tool_calls": [{"index": 1, "function": {"arguments": "{\"pattern\":\"fn\"}"}}]}),
            None,
        ),
        // usage on the finishing chunk, as some servers send it
        {
            let mut c = chunk(json!({}), Some("tool_calls"));
            c["usage"] = json!({"prompt_tokens": 50, "completion_tokens": 9, "total_tokens": 59,
                                "prompt_tokens_details": {"cached_tokens": 32}});
            c
        },
    ]);
    let mut expected = vec![
        message_start(),
        block_start(
            0,
            json!({"type": "tool_use", "id": "call_1", "name": "Read", "input": {}}),
        ),
        json_delta(0, "{\"file_path\":"),
        json_delta(0, "\"/a\"}"),
        block_stop(0),
        block_start(
            1,
            json!({"type": "tool_use", "id": "call_2", "name": "Grep", "input": {}}),
        ),
        json_delta(1, "{\"pattern\":\"fn\"}"),
        block_stop(1),
    ];
    expected.extend(message_end(
        "tool_use",
        json!({"input_tokens": 18, "output_tokens": 9, "cache_read_input_tokens": 32}),
    ));
    assert_eq!(events, expected);
}

#[test]
fn whole_tool_calls_without_index_or_id() {
    // Ollama sends each call whole, without `index`; some servers omit ids.
    let events = feed_chat(&[
        chunk(
            json!({"role": "assistant", "content": "", "tool_calls": [
                {"function": {"name": "ls", "arguments": "{\"path\":\".\"}"}},
                {"id": "c2", "function": {"name": "ls", "arguments": "{\"path\":\"src\"}"}}
            ]}),
            None,
        ),
        chunk(json!({}), Some("stop")),
    ]);
    let mut expected = vec![
        message_start(),
        block_start(
            0,
            json!({"type": "tool_use", "id": "toolu_9_0", "name": "ls", "input": {}}),
        ),
        json_delta(0, "{\"path\":\".\"}"),
        block_stop(0),
        block_start(
            1,
            json!({"type": "tool_use", "id": "c2", "name": "ls", "input": {}}),
        ),
        json_delta(1, "{\"path\":\"src\"}"),
        block_stop(1),
    ];
    expected.extend(message_end(
        "tool_use",
        json!({"input_tokens": 0, "output_tokens": 0}),
    ));
    assert_eq!(events, expected);
}

#[test]
fn parallel_calls_that_all_say_index_0() {
    let events = feed_chat(&[
        chunk(
            json!({"role": "assistant", "tool_calls": [
                {"index": 0, "id": "a", "type": "function", "function": {"name": "ls", "arguments": "{}"}},
                {"index": 0, "id": "b", "type": "function", "function": {"name": "pwd", "arguments": "{}"}}
            ]}),
            None,
        ),
        chunk(
            json!({"tool_calls": [{"index": 0, "id": "b", "function": {"arguments": ""}}]}),
            None,
        ),
        chunk(json!({}), Some("tool_calls")),
    ]);
    let mut expected = vec![
        message_start(),
        block_start(
            0,
            json!({"type": "tool_use", "id": "a", "name": "ls", "input": {}}),
        ),
        json_delta(0, "{}"),
        block_stop(0),
        block_start(
            1,
            json!({"type": "tool_use", "id": "b", "name": "pwd", "input": {}}),
        ),
        json_delta(1, "{}"),
        block_stop(1),
    ];
    expected.extend(message_end(
        "tool_use",
        json!({"input_tokens": 0, "output_tokens": 0}),
    ));
    assert_eq!(events, expected);
}

#[test]
fn length_and_reasoning_and_refusal() {
    let events = feed_chat(&[
        chunk(
            json!({"role": "assistant", "reasoning_content": "thinking..."}),
            None,
        ),
        chunk(json!({"reasoning": "more"}), None),
        chunk(json!({"content": "Partial"}), None),
        chunk(json!({"refusal": " no"}), None),
        chunk(json!({}), Some("length")),
    ]);
    let mut expected = vec![
        message_start(),
        ev("ping", json!({"type": "ping"})),
        block_start(0, json!({"type": "text", "text": ""})),
        text_delta(0, "Partial"),
        text_delta(0, " no"),
        block_stop(0),
    ];
    expected.extend(message_end(
        "max_tokens",
        json!({"input_tokens": 0, "output_tokens": 0}),
    ));
    assert_eq!(events, expected);
}

#[test]
fn long_reasoning_keeps_the_stream_alive_with_pings() {
    let mut chunks = vec![chunk(json!({"role": "assistant", "content": ""}), None)];
    for _ in 0..70 {
        chunks.push(chunk(json!({"reasoning_content": "hm "}), None));
    }
    chunks.push(chunk(json!({"content": "Yes."}), Some("stop")));
    let events = feed_chat(&chunks);
    let names: Vec<&str> = events
        .iter()
        .map(|(e, _)| e.as_deref().unwrap_or(""))
        .collect();
    assert_eq!(
        names,
        [
            "message_start",
            "ping",
            "ping",
            "ping",
            "content_block_start",
            "content_block_delta",
            "content_block_stop",
            "message_delta",
            "message_stop"
        ]
    );
}

#[test]
fn an_error_mid_stream_ends_the_stream() {
    let mut t = ChatStreamToMessages::new("agentc/explore");
    let mut events = Vec::new();
    events.extend(t.push(&chunk(json!({"role": "assistant", "content": "Hal"}), None)));
    events.extend(t.push(
        &json!({"error": {"message": "CUDA out of memory", "type": "server_error", "code": 500}}),
    ));
    events.extend(t.push(&chunk(json!({"content": "ignored"}), None)));
    events.extend(t.finish());
    assert_eq!(
        parsed(events),
        vec![
            message_start(),
            block_start(0, json!({"type": "text", "text": ""})),
            text_delta(0, "Hal"),
            ev(
                "error",
                json!({"type": "error", "error": {"type": "api_error", "message": "CUDA out of memory"}})
            ),
        ]
    );
}

#[test]
fn a_broken_upstream_connection_aborts_with_an_error_event() {
    let mut t = ChatStreamToMessages::new("agentc/explore");
    let mut events = t.push(&chunk(json!({"content": "Hi"}), None));
    events.extend(t.abort("upstream closed the connection"));
    events.extend(t.finish());
    events.extend(t.abort("again"));
    assert_eq!(
        parsed(events),
        vec![
            message_start(),
            block_start(0, json!({"type": "text", "text": ""})),
            text_delta(0, "Hi"),
            ev(
                "error",
                json!({"type": "error", "error": {"type": "api_error", "message": "upstream closed the connection"}})
            ),
        ]
    );
}

#[test]
fn an_interleaved_tool_call_is_an_error_not_a_lost_argument() {
    let events = feed_chat(&[
        chunk(
            json!({"tool_calls": [{"index": 0, "id": "a", "function": {"name": "f", "arguments": "{"}}]}),
            None,
        ),
        chunk(
            json!({"tool_calls": [{"index": 1, "id": "b", "function": {"name": "g", "arguments": "{"}}]}),
            None,
        ),
        chunk(
            json!({"tool_calls": [{"index": 0, "function": {"arguments": "}"}}]}),
            None,
        ),
        chunk(json!({}), Some("tool_calls")),
    ]);
    assert_eq!(
        events,
        vec![
            message_start(),
            block_start(
                0,
                json!({"type": "tool_use", "id": "a", "name": "f", "input": {}})
            ),
            json_delta(0, "{"),
            block_stop(0),
            block_start(
                1,
                json!({"type": "tool_use", "id": "b", "name": "g", "input": {}})
            ),
            json_delta(1, "{"),
            block_stop(1),
            ev(
                "error",
                json!({"type": "error", "error": {"type": "api_error",
                "message": "the upstream interleaved the arguments of tool call 0 with a later call"}})
            ),
        ]
    );
}

#[test]
fn an_empty_stream_still_makes_a_whole_message() {
    assert_eq!(feed_chat(&[]), {
        let mut e = vec![message_start()];
        e[0].1["message"]["id"] = json!("msg_agentc");
        e.extend(message_end(
            "end_turn",
            json!({"input_tokens": 0, "output_tokens": 0}),
        ));
        e
    });
}

// ---------------------------------------------------------------------
// Anthropic events -> OpenAI chunks

fn feed_messages(events: &[Value]) -> Vec<(Option<String>, Value)> {
    let mut t = MessagesStreamToChat::new("agentc/plan").with_created(5);
    let mut out = Vec::new();
    for data in events {
        // Half the events come with their name, half with only the data's
        // `type` (as a decoder that keeps data lines passes them).
        let name = data["type"].as_str().unwrap_or("");
        out.extend(t.push(if out.len() % 2 == 0 { name } else { "" }, data));
    }
    out.extend(t.finish());
    assert!(t.finish().is_empty());
    parsed(out)
}

fn a_message_start(input: u64) -> Value {
    json!({"type": "message_start", "message": {
        "id": "msg_01", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
        "content": [], "stop_reason": null, "stop_sequence": null,
        "usage": {"input_tokens": input, "cache_read_input_tokens": 0, "output_tokens": 1}
    }})
}

fn out_chunk(delta: Value, finish: Option<&str>) -> (Option<String>, Value) {
    (
        None,
        json!({
            "id": "chatcmpl-msg_01", "object": "chat.completion.chunk", "created": 5, "model": "agentc/plan",
            "choices": [{"index": 0, "delta": delta, "logprobs": null, "finish_reason": finish}]
        }),
    )
}

fn out_usage(prompt: u64, completion: u64, cached: u64) -> (Option<String>, Value) {
    (
        None,
        json!({
            "id": "chatcmpl-msg_01", "object": "chat.completion.chunk", "created": 5, "model": "agentc/plan",
            "choices": [],
            "usage": {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion,
                      "prompt_tokens_details": {"cached_tokens": cached}}
        }),
    )
}

fn done() -> (Option<String>, Value) {
    (None, json!("[DONE]"))
}

#[test]
fn anthropic_text_stream_to_chunks() {
    let events = feed_messages(&[
        a_message_start(25),
        json!({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
        json!({"type": "ping"}),
        json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hello"}}),
        json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": " there."}}),
        json!({"type": "content_block_stop", "index": 0}),
        json!({"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": null}, "usage": {"output_tokens": 4}}),
        json!({"type": "message_stop"}),
    ]);
    assert_eq!(
        events,
        vec![
            out_chunk(json!({"role": "assistant", "content": ""}), None),
            out_chunk(json!({"content": "Hello"}), None),
            out_chunk(json!({"content": " there."}), None),
            out_chunk(json!({}), Some("stop")),
            out_usage(25, 4, 0),
            done(),
        ]
    );
}

#[test]
fn anthropic_thinking_and_parallel_tool_calls_to_chunks() {
    let events = feed_messages(&[
        a_message_start(10),
        json!({"type": "content_block_start", "index": 0, "content_block": {"type": "thinking", "thinking": "", "signature": ""}}),
        json!({"type": "content_block_delta", "index": 0, "delta": {"type": "thinking_delta", "thinking": "Two reads."}}),
        json!({"type": "content_block_delta", "index": 0, "delta": {"type": "signature_delta", "signature": "EqQB"}}),
        json!({"type": "content_block_stop", "index": 0}),
        json!({"type": "content_block_start", "index": 1, "content_block": {"type": "text", "text": ""}}),
        json!({"type": "content_block_delta", "index": 1, "delta": {"type": "text_delta", "text": "Reading."}}),
        json!({"type": "content_block_stop", "index": 1}),
        json!({"type": "content_block_start", "index": 2, "content_block": {"type": "tool_use", "id": "toolu_a", "name": "read", "input": {}}}),
        json!({"type": "content_block_delta", "index": 2, "delta": {"type": "input_json_delta", "partial_json": ""}}),
        json!({"type": "content_block_delta", "index": 2, "delta": {"type": "input_json_delta", "partial_json": "{\"path\":"}}),
        json!({"type": "content_block_delta", "index": 2, "delta": {"type": "input_json_delta", "partial_json": "\"a\"}"}}),
        json!({"type": "content_block_stop", "index": 2}),
        json!({"type": "content_block_start", "index": 3, "content_block": {"type": "tool_use", "id": "toolu_b", "name": "read", "input": {}}}),
        json!({"type": "content_block_delta", "index": 3, "delta": {"type": "input_json_delta", "partial_json": "{\"path\":\"b\"}"}}),
        json!({"type": "content_block_stop", "index": 3}),
        json!({"type": "message_delta", "delta": {"stop_reason": "tool_use", "stop_sequence": null},
               "usage": {"input_tokens": 10, "cache_read_input_tokens": 90, "output_tokens": 40}}),
        json!({"type": "message_stop"}),
    ]);
    assert_eq!(
        events,
        vec![
            out_chunk(json!({"role": "assistant", "content": ""}), None),
            out_chunk(json!({"reasoning_content": "Two reads."}), None),
            out_chunk(json!({"content": "Reading."}), None),
            out_chunk(
                json!({"tool_calls": [{"index": 0, "id": "toolu_a", "type": "function", "function": {"name": "read", "arguments": ""}}]}),
                None
            ),
            out_chunk(
                json!({"tool_calls": [{"index": 0, "function": {"arguments": "{\"path\":"}}]}),
                None
            ),
            out_chunk(
                json!({"tool_calls": [{"index": 0, "function": {"arguments": "\"a\"}"}}]}),
                None
            ),
            out_chunk(
                json!({"tool_calls": [{"index": 1, "id": "toolu_b", "type": "function", "function": {"name": "read", "arguments": ""}}]}),
                None
            ),
            out_chunk(
                json!({"tool_calls": [{"index": 1, "function": {"arguments": "{\"path\":\"b\"}"}}]}),
                None
            ),
            out_chunk(json!({}), Some("tool_calls")),
            out_usage(100, 40, 90),
            done(),
        ]
    );
}

#[test]
fn two_text_blocks_are_kept_apart() {
    let events = feed_messages(&[
        a_message_start(1),
        json!({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": "A"}}),
        json!({"type": "content_block_stop", "index": 0}),
        json!({"type": "content_block_start", "index": 1, "content_block": {"type": "text", "text": ""}}),
        json!({"type": "content_block_delta", "index": 1, "delta": {"type": "text_delta", "text": "B"}}),
        json!({"type": "message_delta", "delta": {"stop_reason": "max_tokens"}, "usage": {"output_tokens": 2}}),
        json!({"type": "message_stop"}),
    ]);
    assert_eq!(
        events,
        vec![
            out_chunk(json!({"role": "assistant", "content": ""}), None),
            out_chunk(json!({"content": "A"}), None),
            out_chunk(json!({"content": "\n\n"}), None),
            out_chunk(json!({"content": "B"}), None),
            out_chunk(json!({}), Some("length")),
            out_usage(1, 2, 0),
            done(),
        ]
    );
}

#[test]
fn anthropic_error_event_becomes_an_openai_error_chunk() {
    let mut t = MessagesStreamToChat::new("agentc/plan").with_created(5);
    let mut events = t.push("message_start", &a_message_start(3));
    events.extend(t.push(
        "error",
        &json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}),
    ));
    events.extend(t.push("message_stop", &json!({"type": "message_stop"})));
    events.extend(t.finish());
    assert_eq!(
        parsed(events),
        vec![
            out_chunk(json!({"role": "assistant", "content": ""}), None),
            (
                None,
                json!({"error": {"message": "Overloaded", "type": "server_error", "param": null, "code": "overloaded_error"}})
            ),
        ]
    );
    let mut t = MessagesStreamToChat::new("m");
    assert_eq!(
        parsed(t.abort("upstream closed the connection")),
        vec![(
            None,
            json!({"error": {"message": "upstream closed the connection", "type": "server_error", "param": null, "code": "api_error"}})
        )]
    );
    assert!(t.finish().is_empty());
}

#[test]
fn usage_chunk_only_when_asked() {
    let mut t = MessagesStreamToChat::new("agentc/plan")
        .with_created(5)
        .include_usage(false);
    let mut events = t.push("message_start", &a_message_start(3));
    events.extend(t.push("message_stop", &json!({"type": "message_stop"})));
    events.extend(t.finish());
    assert_eq!(
        parsed(events),
        vec![
            out_chunk(json!({"role": "assistant", "content": ""}), None),
            out_chunk(json!({}), Some("stop")),
            done(),
        ]
    );
}

#[test]
fn a_stream_cut_before_message_stop_still_finishes() {
    let mut t = MessagesStreamToChat::new("agentc/plan").with_created(5);
    let mut events = t.push("message_start", &a_message_start(3));
    events.extend(t.push("message_delta", &json!({"type": "message_delta", "delta": {"stop_reason": "tool_use"}, "usage": {"output_tokens": 7}})));
    events.extend(t.finish());
    assert_eq!(
        parsed(events),
        vec![
            out_chunk(json!({"role": "assistant", "content": ""}), None),
            out_chunk(json!({}), Some("tool_calls")),
            out_usage(3, 7, 0),
            done(),
        ]
    );
}

// ---------------------------------------------------------------------
// Bytes on the wire and round trips

#[test]
fn events_as_bytes() {
    let named = SseEvent::named("message_stop", &json!({"type": "message_stop"}));
    assert_eq!(
        named.to_bytes(),
        b"event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"
    );
    assert_eq!(SseEvent::done().to_bytes(), b"data: [DONE]\n\n");
    let multi = SseEvent {
        event: None,
        data: "a\nb\r\nc".to_string(),
    };
    assert_eq!(multi.to_bytes(), b"data: a\ndata: b\ndata: c\n\n");
}

/// What an OpenAI client makes of a chunk stream: text, tool calls by
/// index, finish reason.
fn assemble_chat(chunks: &[Value]) -> (String, Vec<(String, String, String)>, String) {
    let mut text = String::new();
    let mut calls: Vec<(String, String, String)> = Vec::new();
    let mut finish = String::new();
    for c in chunks {
        let Some(choice) = c["choices"].get(0) else {
            continue;
        };
        text.push_str(choice["delta"]["content"].as_str().unwrap_or(""));
        for call in choice["delta"]["tool_calls"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let i = call["index"].as_u64().expect("tool call index") as usize;
            if calls.len() <= i {
                calls.resize(i + 1, Default::default());
            }
            if let Some(id) = call["id"].as_str() {
                calls[i].0 = id.to_string();
            }
            if let Some(name) = call["function"]["name"].as_str() {
                calls[i].1.push_str(name);
            }
            calls[i]
                .2
                .push_str(call["function"]["arguments"].as_str().unwrap_or(""));
        }
        if let Some(f) = choice["finish_reason"].as_str() {
            finish = f.to_string();
        }
    }
    (text, calls, finish)
}

#[test]
fn chat_streams_survive_a_round_trip_through_anthropic_events() {
    let upstream = vec![
        chunk(json!({"role": "assistant", "content": ""}), None),
        chunk(json!({"content": "Checking "}), None),
        chunk(json!({"content": "two files."}), None),
        chunk(
            json!({"tool_calls": [{"index": 0, "id": "call_1", "type": "function", "function": {"name": "read", "arguments": "{\"pa"}}]}),
            None,
        ),
        chunk(
            json!({"tool_calls": [{"index": 0, "function": {"arguments": "th\":\"a\"}"}}]}),
            None,
        ),
        chunk(
            json!({"tool_calls": [{"index": 1, "id": "call_2", "type": "function", "function": {"name": "grep", "arguments": ""}}]}),
            None,
        ),
        chunk(
            json!({"tool_calls": [{"index": 1, "function": {"arguments": "{\"pattern\":\"x\"}"}}]}),
            None,
        ),
        chunk(json!({}), Some("tool_calls")),
        usage_chunk(40, 12),
    ];
    let mut to_messages = ChatStreamToMessages::new("m");
    let mut to_chat = MessagesStreamToChat::new("m").with_created(1);
    let mut back = Vec::new();
    let mut anthropic = Vec::new();
    for c in &upstream {
        anthropic.extend(to_messages.push(c));
    }
    anthropic.extend(to_messages.finish());
    for e in anthropic {
        let data: Value = serde_json::from_str(&e.data).unwrap();
        back.extend(to_chat.push(e.event.as_deref().unwrap_or(""), &data));
    }
    back.extend(to_chat.finish());
    let back: Vec<Value> = back
        .iter()
        .filter(|e| e.data != "[DONE]")
        .map(|e| serde_json::from_str(&e.data).unwrap())
        .collect();
    assert_eq!(assemble_chat(&back), assemble_chat(&upstream));
    assert_eq!(
        back.last().unwrap()["usage"],
        json!({"prompt_tokens": 40, "completion_tokens": 12, "total_tokens": 52})
    );
}
