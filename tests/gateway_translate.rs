//! Translation between Anthropic Messages and OpenAI Chat Completions:
//! requests, whole responses and error bodies, exact JSON in and out.
//! Streams are in `gateway_translate_stream.rs`.

use agentc::gateway::translate::*;
use serde_json::{Value, json};

fn to_chat(req: Value) -> Value {
    messages_to_chat(&req).expect("translates")
}

fn to_messages(req: Value) -> Value {
    chat_to_messages(&req).expect("translates")
}

// ---------------------------------------------------------------------
// Anthropic request -> OpenAI request

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
        to_chat(req),
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
fn system_blocks_join_and_drop_cache_control_and_the_billing_marker() {
    let req = json!({
        "model": "m",
        "system": [
            {"type": "text", "text": "x-anthropic-billing-header: cc_version=2.1.197.c7a; cc_entrypoint=cli;"},
            {"type": "text", "text": "You are a Claude agent.", "cache_control": {"type": "ephemeral"}},
            {"type": "text", "text": "Explore the code."}
        ],
        "messages": [
            {"role": "user", "content": [
                {"type": "text", "text": "<system-reminder>date</system-reminder>"},
                {"type": "text", "text": "Go", "cache_control": {"type": "ephemeral"}}
            ]},
            {"role": "system", "content": "Available agent types: explore"},
            {"role": "system", "content": [{"type": "text", "text": "Block form"}]}
        ]
    });
    assert_eq!(
        to_chat(req),
        json!({
            "model": "m",
            "messages": [
                {"role": "system", "content": "You are a Claude agent.\n\nExplore the code."},
                {"role": "user", "content": "<system-reminder>date</system-reminder>\n\nGo"},
                {"role": "system", "content": "Available agent types: explore"},
                {"role": "system", "content": "Block form"}
            ]
        })
    );
}

#[test]
fn parameters_anthropic_to_openai() {
    let req = json!({
        "model": "m",
        "max_tokens": 2000,
        "temperature": 0.3,
        "top_p": 0.9,
        "top_k": 40,
        "stop_sequences": ["END", "###"],
        "stream": true,
        "metadata": {"user_id": "{\"device_id\":\"abc\",\"session_id\":\"s\"}"},
        "thinking": {"type": "adaptive"},
        "output_config": {"effort": "high"},
        "context_management": {"edits": [{"type": "clear_thinking_20251015", "keep": "all"}]},
        "service_tier": "auto",
        "messages": [{"role": "user", "content": "Hi"}]
    });
    assert_eq!(
        to_chat(req),
        json!({
            "model": "m",
            "max_tokens": 2000,
            "temperature": 0.3,
            "top_p": 0.9,
            "stop": ["END", "###"],
            "stream": true,
            "stream_options": {"include_usage": true},
            "messages": [{"role": "user", "content": "Hi"}]
        })
    );
}

#[test]
fn a_ceiling_above_the_forwarded_limit_is_left_to_the_upstream() {
    for (max, kept) in [(8192, true), (8193, false), (64000, false), (1, true)] {
        let out =
            to_chat(json!({"model": "m", "max_tokens": max, "stream": false, "messages": []}));
        assert_eq!(out.get("max_tokens").is_some(), kept, "max_tokens {max}");
        assert_eq!(out["stream"], json!(false));
        assert!(out.get("stream_options").is_none());
    }
    assert_eq!(FORWARDED_MAX_TOKENS, 8192);
}

#[test]
fn structured_output_becomes_response_format() {
    let schema = json!({"type": "object", "properties": {"title": {"type": "string"}}, "required": ["title"]});
    let out = to_chat(json!({
        "model": "m",
        "output_config": {"effort": "low", "format": {"type": "json_schema", "schema": schema}},
        "messages": [{"role": "user", "content": "Name it"}]
    }));
    assert_eq!(
        out["response_format"],
        json!({"type": "json_schema", "json_schema": {"name": "output", "schema": schema}})
    );
}

#[test]
fn tools_and_tool_choice_anthropic_to_openai() {
    let tools = json!([
        {
            "name": "Read",
            "description": "Reads a file.",
            "input_schema": {
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "type": "object",
                "properties": {"file_path": {"type": "string"}},
                "required": ["file_path"],
                "additionalProperties": false
            },
            "cache_control": {"type": "ephemeral"}
        },
        {"name": "Now", "input_schema": {"type": "object", "properties": {}}}
    ]);
    let expected_tools = json!([
        {"type": "function", "function": {
            "name": "Read",
            "description": "Reads a file.",
            "parameters": {
                "type": "object",
                "properties": {"file_path": {"type": "string"}},
                "required": ["file_path"],
                "additionalProperties": false
            }
        }},
        {"type": "function", "function": {"name": "Now", "parameters": {"type": "object", "properties": {}}}}
    ]);
    let cases = [
        (json!(null), None, None),
        (json!({"type": "auto"}), Some(json!("auto")), None),
        (json!({"type": "any"}), Some(json!("required")), None),
        (json!({"type": "none"}), Some(json!("none")), None),
        (
            json!({"type": "tool", "name": "Read"}),
            Some(json!({"type": "function", "function": {"name": "Read"}})),
            None,
        ),
        (
            json!({"type": "auto", "disable_parallel_tool_use": true}),
            Some(json!("auto")),
            Some(json!(false)),
        ),
    ];
    for (choice, expected_choice, parallel) in cases {
        let mut req =
            json!({"model": "m", "tools": tools, "messages": [{"role": "user", "content": "Hi"}]});
        if !choice.is_null() {
            req["tool_choice"] = choice.clone();
        }
        let out = to_chat(req);
        assert_eq!(out["tools"], expected_tools);
        assert_eq!(out.get("tool_choice"), expected_choice.as_ref(), "{choice}");
        assert_eq!(
            out.get("parallel_tool_calls"),
            parallel.as_ref(),
            "{choice}"
        );
    }
    // tool_choice without tools is refused by OpenAI: left out.
    let out =
        to_chat(json!({"model": "m", "tools": [], "tool_choice": {"type": "any"}, "messages": []}));
    assert_eq!(out, json!({"model": "m", "messages": []}));
}

#[test]
fn server_tools_cannot_run_on_an_openai_upstream() {
    let err = messages_to_chat(&json!({
        "model": "m",
        "tools": [{"type": "web_search_20250305", "name": "web_search", "max_uses": 5}],
        "messages": [{"role": "user", "content": "news?"}]
    }))
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "tool `web_search` is an Anthropic server tool (`web_search_20250305`) that an OpenAI-compatible provider cannot run"
    );
}

#[test]
fn tool_search_falls_back_to_every_tool() {
    let out = to_chat(json!({
        "model": "m",
        "tools": [
            {"type": "tool_search_tool_regex_20251119", "name": "tool_search_tool_regex"},
            {"name": "mcp__jira__search", "description": "Search issues", "defer_loading": true,
             "input_schema": {"type": "object", "properties": {"q": {"type": "string"}}}}
        ],
        "messages": [
            {"role": "user", "content": "Find the bug"},
            {"role": "assistant", "content": [
                {"type": "server_tool_use", "id": "srvtoolu_1", "name": "tool_search_tool_regex", "input": {"query": "jira"}},
                {"type": "tool_search_tool_result", "tool_use_id": "srvtoolu_1", "content": {"type": "tool_search_tool_search_result", "tool_references": [{"type": "tool_reference", "tool_name": "mcp__jira__search"}]}},
                {"type": "text", "text": "Searching Jira."}
            ]}
        ]
    }));
    assert_eq!(
        out,
        json!({
            "model": "m",
            "tools": [{"type": "function", "function": {"name": "mcp__jira__search", "description": "Search issues",
                "parameters": {"type": "object", "properties": {"q": {"type": "string"}}}}}],
            "messages": [
                {"role": "user", "content": "Find the bug"},
                {"role": "assistant", "content": "Searching Jira."}
            ]
        })
    );
}

#[test]
fn parallel_tool_calls_and_results_anthropic_to_openai() {
    let req = json!({
        "model": "m",
        "messages": [
            {"role": "user", "content": "Read both"},
            {"role": "assistant", "content": [
                {"type": "thinking", "thinking": "Two reads.", "signature": "EqQBCkYIBxgCKkA..."},
                {"type": "redacted_thinking", "data": "EmwKAhgBEgy..."},
                {"type": "text", "text": "Reading both."},
                {"type": "tool_use", "id": "toolu_01", "name": "Read", "input": {"file_path": "/a.txt"}},
                {"type": "tool_use", "id": "toolu_02", "name": "Read", "input": {"file_path": "/b.txt", "limit": 5}}
            ]},
            {"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": "toolu_01", "content": "1\tA"},
                {"type": "tool_result", "tool_use_id": "toolu_02", "content": [
                    {"type": "text", "text": "1\tB"},
                    {"type": "text", "text": "2\tB2"}
                ], "cache_control": {"type": "ephemeral"}},
                {"type": "text", "text": "Now summarise."}
            ]},
            {"role": "assistant", "content": [
                {"type": "tool_use", "id": "toolu_03", "name": "Bash", "input": {"command": "false"}}
            ]},
            {"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": "toolu_03", "is_error": true, "content": "Exit code 1"}
            ]},
            {"role": "assistant", "content": [
                {"type": "tool_use", "id": "toolu_04", "name": "Now", "input": {}}
            ]},
            {"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": "toolu_04", "is_error": true}
            ]}
        ]
    });
    assert_eq!(
        to_chat(req)["messages"],
        json!([
            {"role": "user", "content": "Read both"},
            {"role": "assistant", "content": "Reading both.", "tool_calls": [
                {"id": "toolu_01", "type": "function", "function": {"name": "Read", "arguments": "{\"file_path\":\"/a.txt\"}"}},
                {"id": "toolu_02", "type": "function", "function": {"name": "Read", "arguments": "{\"file_path\":\"/b.txt\",\"limit\":5}"}}
            ]},
            {"role": "tool", "tool_call_id": "toolu_01", "content": "1\tA"},
            {"role": "tool", "tool_call_id": "toolu_02", "content": "1\tB\n\n2\tB2"},
            {"role": "user", "content": "Now summarise."},
            {"role": "assistant", "content": null, "tool_calls": [
                {"id": "toolu_03", "type": "function", "function": {"name": "Bash", "arguments": "{\"command\":\"false\"}"}}
            ]},
            {"role": "tool", "tool_call_id": "toolu_03", "content": "Error: Exit code 1"},
            {"role": "assistant", "content": null, "tool_calls": [
                {"id": "toolu_04", "type": "function", "function": {"name": "Now", "arguments": "{}"}}
            ]},
            {"role": "tool", "tool_call_id": "toolu_04", "content": "Error"}
        ])
    );
}

#[test]
fn an_assistant_turn_of_thinking_only_stays_a_turn() {
    let out = to_chat(json!({"model": "m", "messages": [
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": [{"type": "thinking", "thinking": "hm", "signature": "sig"}]},
        {"role": "user", "content": "Well?"}
    ]}));
    assert_eq!(
        out["messages"],
        json!([
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": ""},
            {"role": "user", "content": "Well?"}
        ])
    );
}

#[test]
fn images_anthropic_to_openai() {
    let req = json!({"model": "m", "messages": [
        {"role": "user", "content": [
            {"type": "text", "text": "What is this?"},
            {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}},
            {"type": "image", "source": {"type": "url", "url": "https://example.com/cat.jpg"}}
        ]}
    ]});
    assert_eq!(
        to_chat(req)["messages"],
        json!([{"role": "user", "content": [
            {"type": "text", "text": "What is this?"},
            {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}},
            {"type": "image_url", "image_url": {"url": "https://example.com/cat.jpg"}}
        ]}])
    );
}

#[test]
fn images_in_tool_results_move_to_the_next_user_message() {
    let req = json!({"model": "m", "messages": [
        {"role": "assistant", "content": [
            {"type": "tool_use", "id": "toolu_1", "name": "Read", "input": {"file_path": "/dot.png"}}
        ]},
        {"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": "toolu_1", "content": [
                {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "AAAA"}}
            ]},
            {"type": "text", "text": "Describe it."}
        ]}
    ]});
    assert_eq!(
        to_chat(req)["messages"],
        json!([
            {"role": "assistant", "content": null, "tool_calls": [
                {"id": "toolu_1", "type": "function", "function": {"name": "Read", "arguments": "{\"file_path\":\"/dot.png\"}"}}
            ]},
            {"role": "tool", "tool_call_id": "toolu_1", "content": "[image: attached to the next user message]"},
            {"role": "user", "content": [
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}},
                {"type": "text", "text": "Describe it."}
            ]}
        ])
    );
}

#[test]
fn documents_anthropic_to_openai() {
    let req = json!({"model": "m", "messages": [{"role": "user", "content": [
        {"type": "document", "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBERi0="}, "title": "spec.pdf"},
        {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "plain notes"}}
    ]}]});
    assert_eq!(
        to_chat(req)["messages"],
        json!([{"role": "user", "content": [
            {"type": "file", "file": {"filename": "spec.pdf", "file_data": "data:application/pdf;base64,JVBERi0="}},
            {"type": "text", "text": "plain notes"}
        ]}])
    );
}

#[test]
fn untranslatable_anthropic_requests_name_the_place() {
    let cases = [
        (json!([]), "the request body must be a JSON object"),
        (json!({"messages": []}), "`model` is required"),
        (json!({"model": "m"}), "`messages` must be an array"),
        (
            json!({"model": "m", "messages": [{"role": "user", "content": "a"}, {"role": "user", "content": [{"type": "image", "source": {"type": "file", "file_id": "f"}}]}]}),
            "messages[1]: image source `file` has no OpenAI equivalent",
        ),
        (
            json!({"model": "m", "messages": [{"role": "user", "content": [{"type": "hologram"}]}]}),
            "messages[0]: content block type `hologram` has no OpenAI equivalent",
        ),
        (
            json!({"model": "m", "messages": [{"role": "tool", "content": "x"}]}),
            "messages[0]: role must be `user`, `assistant` or `system`, not `tool`",
        ),
        (
            json!({"model": "m", "system": [{"type": "image"}], "messages": []}),
            "system blocks must be text, not `image`",
        ),
    ];
    for (req, message) in cases {
        assert_eq!(
            messages_to_chat(&req).unwrap_err().message,
            message,
            "{req}"
        );
    }
}

// ---------------------------------------------------------------------
// OpenAI request -> Anthropic request

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
        to_messages(req),
        json!({
            "model": "claude-sonnet-4-5",
            "max_tokens": 4096,
            "system": "You are terse.",
            "messages": [{"role": "user", "content": "Hi"}]
        })
    );
    assert_eq!(DEFAULT_MAX_TOKENS, 4096);
}

#[test]
fn system_and_developer_messages_become_system_blocks() {
    let req = json!({"model": "m", "messages": [
        {"role": "developer", "content": [{"type": "text", "text": "Be careful."}]},
        {"role": "system", "content": "Explore."},
        {"role": "user", "content": "Hi"},
        {"role": "system", "content": ""}
    ]});
    assert_eq!(
        to_messages(req),
        json!({
            "model": "m",
            "max_tokens": 4096,
            "system": [{"type": "text", "text": "Be careful."}, {"type": "text", "text": "Explore."}],
            "messages": [{"role": "user", "content": "Hi"}]
        })
    );
}

#[test]
fn parameters_openai_to_anthropic() {
    let req = json!({
        "model": "m",
        "max_tokens": 100,
        "max_completion_tokens": 300,
        "temperature": 1.6,
        "top_p": 0.8,
        "stop": "END",
        "stream": true,
        "stream_options": {"include_usage": true},
        "user": "user-42",
        "seed": 7,
        "presence_penalty": 0.5,
        "frequency_penalty": 0.5,
        "n": 1,
        "response_format": {"type": "json_object"},
        "messages": [{"role": "user", "content": "Hi"}]
    });
    assert_eq!(
        to_messages(req),
        json!({
            "model": "m",
            "max_tokens": 300,
            "temperature": 1.0,
            "stop_sequences": ["END"],
            "stream": true,
            "metadata": {"user_id": "user-42"},
            "messages": [{"role": "user", "content": "Hi"}]
        })
    );
    let out = to_messages(
        json!({"model": "m", "max_tokens": 100, "stop": ["a", "b"], "top_k": 20, "top_p": 0.8, "messages": []}),
    );
    assert_eq!(
        out,
        json!({"model": "m", "max_tokens": 100, "stop_sequences": ["a", "b"], "top_k": 20, "top_p": 0.8, "messages": []})
    );
}

#[test]
fn reasoning_effort_becomes_a_thinking_budget() {
    let req = |effort: &str| {
        json!({"model": "m", "max_tokens": 2000, "temperature": 0.2, "top_p": 0.5, "top_k": 5,
               "reasoning_effort": effort, "messages": [{"role": "user", "content": "Hi"}]})
    };
    // Thinking wants max_tokens above its budget and no sampling changes.
    assert_eq!(
        to_messages(req("low")),
        json!({"model": "m", "max_tokens": 2000, "thinking": {"type": "enabled", "budget_tokens": 1024},
               "messages": [{"role": "user", "content": "Hi"}]})
    );
    let out = to_messages(req("medium"));
    assert_eq!(
        out["thinking"],
        json!({"type": "enabled", "budget_tokens": 4096})
    );
    assert_eq!(out["max_tokens"], json!(6096));
    let out = to_messages(req("high"));
    assert_eq!(
        out["thinking"],
        json!({"type": "enabled", "budget_tokens": 16384})
    );
    assert_eq!(out["max_tokens"], json!(18384));
    for effort in ["minimal", "none"] {
        let out = to_messages(req(effort));
        assert!(out.get("thinking").is_none());
        assert_eq!(out["temperature"], json!(0.2));
    }
    let out = to_messages(
        json!({"model": "m", "top_p": 0.96, "reasoning_effort": "low", "messages": []}),
    );
    assert_eq!(out["top_p"], json!(0.96));
}

#[test]
fn structured_output_openai_to_anthropic() {
    let schema = json!({"type": "object", "properties": {"ok": {"type": "boolean"}}});
    let out = to_messages(json!({"model": "m", "messages": [],
        "response_format": {"type": "json_schema", "json_schema": {"name": "verdict", "strict": true, "schema": schema}}}));
    assert_eq!(
        out["output_config"],
        json!({"format": {"type": "json_schema", "schema": schema}})
    );
}

#[test]
fn tools_and_tool_choice_openai_to_anthropic() {
    let tools = json!([
        {"type": "function", "function": {"name": "read", "description": "Read a file", "strict": true,
            "parameters": {"type": "object", "properties": {"path": {"type": "string"}}, "required": ["path"]}}},
        {"type": "function", "function": {"name": "now"}}
    ]);
    let expected = json!([
        {"name": "read", "description": "Read a file",
            "input_schema": {"type": "object", "properties": {"path": {"type": "string"}}, "required": ["path"]}},
        {"name": "now", "input_schema": {"type": "object", "properties": {}}}
    ]);
    let cases = [
        (None, None, None),
        (Some(json!("auto")), None, Some(json!({"type": "auto"}))),
        (Some(json!("required")), None, Some(json!({"type": "any"}))),
        (Some(json!("none")), None, Some(json!({"type": "none"}))),
        (
            Some(json!({"type": "function", "function": {"name": "read"}})),
            None,
            Some(json!({"type": "tool", "name": "read"})),
        ),
        (
            None,
            Some(false),
            Some(json!({"type": "auto", "disable_parallel_tool_use": true})),
        ),
        (
            Some(json!("required")),
            Some(false),
            Some(json!({"type": "any", "disable_parallel_tool_use": true})),
        ),
        (
            Some(json!("none")),
            Some(false),
            Some(json!({"type": "none"})),
        ),
        (
            Some(json!("auto")),
            Some(true),
            Some(json!({"type": "auto"})),
        ),
    ];
    for (choice, parallel, expected_choice) in cases {
        let mut req =
            json!({"model": "m", "tools": tools, "messages": [{"role": "user", "content": "Hi"}]});
        if let Some(choice) = &choice {
            req["tool_choice"] = choice.clone();
        }
        if let Some(parallel) = parallel {
            req["parallel_tool_calls"] = parallel.into();
        }
        let out = to_messages(req);
        assert_eq!(out["tools"], expected);
        assert_eq!(
            out.get("tool_choice"),
            expected_choice.as_ref(),
            "{choice:?} {parallel:?}"
        );
    }
}

#[test]
fn tool_calls_and_tool_messages_openai_to_anthropic() {
    let req = json!({"model": "m", "messages": [
        {"role": "user", "content": "Read both"},
        {"role": "assistant", "content": "Reading both.", "tool_calls": [
            {"id": "call_1", "type": "function", "function": {"name": "read", "arguments": "{\"path\":\"a\"}"}},
            {"id": "functions.read:1", "type": "function", "function": {"name": "read", "arguments": "{\"path\":\"b\"}"}}
        ]},
        {"role": "tool", "tool_call_id": "call_1", "content": "A"},
        {"role": "tool", "tool_call_id": "functions.read:1", "content": [{"type": "text", "text": "B"}]},
        {"role": "user", "content": "Summarise"},
        {"role": "assistant", "content": null, "reasoning_content": "thinking...", "tool_calls": [
            {"id": "call_3", "type": "function", "function": {"name": "now", "arguments": ""}}
        ]},
        {"role": "tool", "tool_call_id": "call_3", "content": null},
        {"role": "assistant", "content": ""},
        {"role": "assistant", "content": [{"type": "text", "text": "Done"}, {"type": "refusal", "refusal": "but no more"}]}
    ]});
    assert_eq!(
        to_messages(req)["messages"],
        json!([
            {"role": "user", "content": "Read both"},
            {"role": "assistant", "content": [
                {"type": "text", "text": "Reading both."},
                {"type": "tool_use", "id": "call_1", "name": "read", "input": {"path": "a"}},
                {"type": "tool_use", "id": "functions_read_1", "name": "read", "input": {"path": "b"}}
            ]},
            {"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": "call_1", "content": "A"},
                {"type": "tool_result", "tool_use_id": "functions_read_1", "content": [{"type": "text", "text": "B"}]},
                {"type": "text", "text": "Summarise"}
            ]},
            {"role": "assistant", "content": [
                {"type": "tool_use", "id": "call_3", "name": "now", "input": {}}
            ]},
            {"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": "call_3"}
            ]},
            {"role": "assistant", "content": [
                {"type": "text", "text": "Done"},
                {"type": "text", "text": "but no more"}
            ]}
        ])
    );
}

#[test]
fn tool_results_lead_their_user_turn() {
    // A client that put its text before the tool messages: Anthropic wants
    // the results first.
    let req = json!({"model": "m", "messages": [
        {"role": "assistant", "content": null, "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}},
            {"id": "c2", "type": "function", "function": {"name": "f", "arguments": "{}"}}
        ]},
        {"role": "user", "content": "Note: be quick"},
        {"role": "tool", "tool_call_id": "c1", "content": "one"},
        {"role": "tool", "tool_call_id": "c2", "content": [{"type": "text", "text": ""}]}
    ]});
    assert_eq!(
        to_messages(req)["messages"][1],
        json!({"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": "c1", "content": "one"},
            {"type": "tool_result", "tool_use_id": "c2"},
            {"type": "text", "text": "Note: be quick"}
        ]})
    );
}

#[test]
fn cache_marks_on_openai_parts_reach_anthropic() {
    let req = json!({"model": "m", "messages": [
        {"role": "user", "content": [
            {"type": "text", "text": "Long context", "cache_control": {"type": "ephemeral"}}
        ]},
        {"role": "assistant", "content": "ok"},
        {"role": "user", "content": [{"type": "text", "text": "Question"}]}
    ]});
    assert_eq!(
        to_messages(req)["messages"],
        json!([
            {"role": "user", "content": [{"type": "text", "text": "Long context", "cache_control": {"type": "ephemeral"}}]},
            {"role": "assistant", "content": "ok"},
            {"role": "user", "content": "Question"}
        ])
    );
}

#[test]
fn images_and_files_openai_to_anthropic() {
    let req = json!({"model": "m", "messages": [{"role": "user", "content": [
        {"type": "text", "text": "Compare"},
        {"type": "image_url", "image_url": {"url": "data:image/jpeg;base64,/9j/4AAQ", "detail": "high"}},
        {"type": "image_url", "image_url": {"url": "https://example.com/b.png"}},
        {"type": "file", "file": {"filename": "spec.pdf", "file_data": "data:application/pdf;base64,JVBERi0="}},
        {"type": "text", "text": ""}
    ]}]});
    assert_eq!(
        to_messages(req)["messages"],
        json!([{"role": "user", "content": [
            {"type": "text", "text": "Compare"},
            {"type": "image", "source": {"type": "base64", "media_type": "image/jpeg", "data": "/9j/4AAQ"}},
            {"type": "image", "source": {"type": "url", "url": "https://example.com/b.png"}},
            {"type": "document", "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBERi0="}, "title": "spec.pdf"}
        ]}])
    );
}

#[test]
fn untranslatable_openai_requests_name_the_place() {
    let cases = [
        (
            json!({"model": "m", "n": 2, "messages": []}),
            "`n` other than 1 has no Anthropic equivalent",
        ),
        (
            json!({"model": "m", "messages": [{"role": "function", "name": "f", "content": "x"}]}),
            "messages[0]: legacy `function` messages are not supported; use `tools` and `tool` messages",
        ),
        (
            json!({"model": "m", "messages": [{"role": "user", "content": [{"type": "input_audio", "input_audio": {}}]}]}),
            "messages[0]: `input_audio` content parts have no Anthropic equivalent",
        ),
        (
            json!({"model": "m", "messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "data:image/png,raw"}}]}]}),
            "messages[0]: an image data URL must be base64 (`data:TYPE;base64,...`)",
        ),
        (
            json!({"model": "m", "messages": [{"role": "tool", "content": "x"}]}),
            "messages[0]: a tool message needs `tool_call_id`",
        ),
        (
            json!({"model": "m", "messages": [{"role": "critic", "content": "x"}]}),
            "messages[0]: unknown role `critic`",
        ),
        (
            json!({"model": "m", "messages": [], "tools": [{"type": "custom", "custom": {"name": "x"}}]}),
            "`custom` tools have no Anthropic equivalent",
        ),
    ];
    for (req, message) in cases {
        assert_eq!(
            chat_to_messages(&req).unwrap_err().message,
            message,
            "{req}"
        );
    }
}

// ---------------------------------------------------------------------
// Round trips

#[test]
fn anthropic_requests_survive_a_round_trip() {
    // The shapes both formats share come back unchanged.
    let req = json!({
        "model": "m",
        "max_tokens": 1024,
        "system": "Explore.",
        "temperature": 0.5,
        "stop_sequences": ["END"],
        "stream": true,
        "tools": [{"name": "read", "description": "Read a file",
            "input_schema": {"type": "object", "properties": {"path": {"type": "string"}}}}],
        "tool_choice": {"type": "any", "disable_parallel_tool_use": true},
        "messages": [
            {"role": "user", "content": "Read a and b"},
            {"role": "assistant", "content": [
                {"type": "text", "text": "Reading."},
                {"type": "tool_use", "id": "toolu_1", "name": "read", "input": {"path": "a"}},
                {"type": "tool_use", "id": "toolu_2", "name": "read", "input": {"path": "b"}}
            ]},
            {"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": "toolu_1", "content": "A"},
                {"type": "tool_result", "tool_use_id": "toolu_2", "content": "B"},
                {"type": "text", "text": "And?"},
                {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "AAAA"}}
            ]},
            {"role": "assistant", "content": "Both say hi."}
        ]
    });
    assert_eq!(to_messages(to_chat(req.clone())), req);
}

#[test]
fn openai_requests_survive_a_round_trip() {
    let req = json!({
        "model": "m",
        "max_tokens": 1024,
        "temperature": 0.5,
        "stop": ["END"],
        "stream": false,
        "tools": [{"type": "function", "function": {"name": "read", "description": "Read",
            "parameters": {"type": "object", "properties": {"path": {"type": "string"}}}}}],
        "tool_choice": "required",
        "messages": [
            {"role": "system", "content": "Explore."},
            {"role": "user", "content": "Read a"},
            {"role": "assistant", "content": null, "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": "read", "arguments": "{\"path\":\"a\"}"}}
            ]},
            {"role": "tool", "tool_call_id": "call_1", "content": "A"},
            {"role": "user", "content": [
                {"type": "text", "text": "Look"},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}
            ]},
            {"role": "assistant", "content": "It is a dot."}
        ]
    });
    assert_eq!(to_chat(to_messages(req.clone())), req);
}

// ---------------------------------------------------------------------
// Whole responses

fn chat_completion(message: Value, finish_reason: &str, usage: Value) -> Value {
    json!({
        "id": "chatcmpl-abc",
        "object": "chat.completion",
        "created": 1700000000,
        "model": "qwen2.5-7b-instruct",
        "choices": [{"index": 0, "message": message, "logprobs": null, "finish_reason": finish_reason}],
        "usage": usage,
        "system_fingerprint": "fp"
    })
}

#[test]
fn text_response_both_ways() {
    let chat = chat_completion(
        json!({"role": "assistant", "content": "Hello."}),
        "stop",
        json!({"prompt_tokens": 10, "completion_tokens": 2, "total_tokens": 12}),
    );
    let message = chat_response_to_messages(&chat, "agentc/explore").unwrap();
    assert_eq!(
        message,
        json!({
            "id": "msg_abc",
            "type": "message",
            "role": "assistant",
            "model": "agentc/explore",
            "content": [{"type": "text", "text": "Hello."}],
            "stop_reason": "end_turn",
            "stop_sequence": null,
            "usage": {"input_tokens": 10, "output_tokens": 2}
        })
    );
    assert_eq!(
        messages_response_to_chat_at(&message, "agentc/explore", 7).unwrap(),
        json!({
            "id": "chatcmpl-msg_abc",
            "object": "chat.completion",
            "created": 7,
            "model": "agentc/explore",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello."}, "logprobs": null, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 2, "total_tokens": 12}
        })
    );
    let created = messages_response_to_chat(&message, "m").unwrap()["created"]
        .as_u64()
        .unwrap();
    assert!(created > 1_700_000_000);
}

#[test]
fn tool_call_response_openai_to_anthropic() {
    let chat = chat_completion(
        json!({"role": "assistant", "content": null, "reasoning_content": "I should read.", "tool_calls": [
            {"id": "call_1", "type": "function", "function": {"name": "Read", "arguments": "{\"file_path\":\"/a\"}"}},
            {"id": "", "type": "function", "function": {"name": "Read", "arguments": "{\"file_path\":"}}
        ]}),
        "tool_calls",
        json!({"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120,
               "prompt_tokens_details": {"cached_tokens": 60}}),
    );
    assert_eq!(
        chat_response_to_messages(&chat, "m").unwrap(),
        json!({
            "id": "msg_abc",
            "type": "message",
            "role": "assistant",
            "model": "m",
            "content": [
                {"type": "tool_use", "id": "call_1", "name": "Read", "input": {"file_path": "/a"}},
                {"type": "tool_use", "id": "toolu_abc_1", "name": "Read", "input": {}}
            ],
            "stop_reason": "tool_use",
            "stop_sequence": null,
            "usage": {"input_tokens": 40, "output_tokens": 20, "cache_read_input_tokens": 60}
        })
    );
}

#[test]
fn finish_reasons_become_stop_reasons() {
    let text = json!({"role": "assistant", "content": "x"});
    let call = json!({"role": "assistant", "content": "", "tool_calls": [
        {"id": "c", "type": "function", "function": {"name": "f", "arguments": "{}"}}]});
    let cases = [
        (&text, json!("stop"), "end_turn"),
        (&text, json!("length"), "max_tokens"),
        (&text, json!("content_filter"), "refusal"),
        (&text, json!(null), "end_turn"),
        (&call, json!("tool_calls"), "tool_use"),
        // Some local servers say `stop` after a tool call.
        (&call, json!("stop"), "tool_use"),
    ];
    for (message, finish, stop) in cases {
        let mut chat = chat_completion(message.clone(), "stop", json!(null));
        chat["choices"][0]["finish_reason"] = finish.clone();
        let out = chat_response_to_messages(&chat, "m").unwrap();
        assert_eq!(out["stop_reason"], json!(stop), "{finish}");
        assert_eq!(out["usage"], json!({"input_tokens": 0, "output_tokens": 0}));
    }
}

#[test]
fn a_response_without_choices_is_an_error() {
    let err = chat_response_to_messages(&json!({"id": "x", "choices": []}), "m").unwrap_err();
    assert_eq!(err.message, "the upstream answer has no `choices`");
    let err = messages_response_to_chat(&json!({"type": "message"}), "m").unwrap_err();
    assert_eq!(err.message, "the upstream answer has no `content`");
}

#[test]
fn tool_use_response_anthropic_to_openai() {
    let message = json!({
        "id": "msg_01",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-5",
        "content": [
            {"type": "thinking", "thinking": "Two files.", "signature": "sig"},
            {"type": "redacted_thinking", "data": "xx"},
            {"type": "text", "text": "Reading both."},
            {"type": "tool_use", "id": "toolu_1", "name": "read", "input": {"path": "a"}},
            {"type": "tool_use", "id": "toolu_2", "name": "read", "input": {}}
        ],
        "stop_reason": "tool_use",
        "stop_sequence": null,
        "usage": {"input_tokens": 5, "output_tokens": 30, "cache_read_input_tokens": 100, "cache_creation_input_tokens": 20}
    });
    assert_eq!(
        messages_response_to_chat_at(&message, "agentc/plan", 9).unwrap(),
        json!({
            "id": "chatcmpl-msg_01",
            "object": "chat.completion",
            "created": 9,
            "model": "agentc/plan",
            "choices": [{
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": "Reading both.",
                    "reasoning_content": "Two files.",
                    "tool_calls": [
                        {"id": "toolu_1", "type": "function", "function": {"name": "read", "arguments": "{\"path\":\"a\"}"}},
                        {"id": "toolu_2", "type": "function", "function": {"name": "read", "arguments": "{}"}}
                    ]
                },
                "logprobs": null,
                "finish_reason": "tool_calls"
            }],
            "usage": {"prompt_tokens": 125, "completion_tokens": 30, "total_tokens": 155,
                      "prompt_tokens_details": {"cached_tokens": 100}}
        })
    );
}

#[test]
fn stop_reasons_become_finish_reasons() {
    let cases = [
        ("end_turn", "stop"),
        ("stop_sequence", "stop"),
        ("pause_turn", "stop"),
        ("max_tokens", "length"),
        ("model_context_window_exceeded", "length"),
        ("tool_use", "tool_calls"),
        ("refusal", "content_filter"),
    ];
    for (stop, finish) in cases {
        let message = json!({"id": "msg_1", "content": [], "stop_reason": stop, "usage": {"input_tokens": 1, "output_tokens": 1}});
        let out = messages_response_to_chat_at(&message, "m", 0).unwrap();
        assert_eq!(out["choices"][0]["finish_reason"], json!(finish), "{stop}");
        assert_eq!(
            out["choices"][0]["message"],
            json!({"role": "assistant", "content": ""})
        );
    }
}

#[test]
fn tool_call_responses_survive_a_round_trip() {
    let chat = chat_completion(
        json!({"role": "assistant", "content": "Checking.", "tool_calls": [
            {"id": "call_1", "type": "function", "function": {"name": "grep", "arguments": "{\"pattern\":\"fn main\"}"}},
            {"id": "call_2", "type": "function", "function": {"name": "glob", "arguments": "{\"pattern\":\"*.rs\"}"}}
        ]}),
        "tool_calls",
        json!({"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}),
    );
    let back =
        messages_response_to_chat_at(&chat_response_to_messages(&chat, "m").unwrap(), "m", 0)
            .unwrap();
    assert_eq!(back["choices"][0]["message"], chat["choices"][0]["message"]);
    assert_eq!(back["choices"][0]["finish_reason"], json!("tool_calls"));
    assert_eq!(back["usage"], chat["usage"]);
}

// ---------------------------------------------------------------------
// Error bodies

#[test]
fn error_bodies_in_each_format() {
    assert_eq!(
        error_body(
            Wire::Anthropic,
            503,
            "overloaded_error",
            "lm-studio is at its cap"
        ),
        json!({"type": "error", "error": {"type": "overloaded_error", "message": "lm-studio is at its cap"}})
    );
    let cases = [
        (400, "invalid_request_error", "invalid_request_error"),
        (413, "request_too_large", "invalid_request_error"),
        (404, "not_found_error", "invalid_request_error"),
        (401, "authentication_error", "authentication_error"),
        (403, "permission_error", "permission_error"),
        (429, "rate_limit_error", "rate_limit_error"),
        (500, "api_error", "server_error"),
        (529, "overloaded_error", "server_error"),
        (504, "timeout_error", "server_error"),
        (403, "something_new", "permission_error"),
        (422, "something_new", "invalid_request_error"),
        (502, "something_new", "server_error"),
    ];
    for (status, kind, openai_type) in cases {
        assert_eq!(
            error_body(Wire::OpenAi, status, kind, "m"),
            json!({"error": {"message": "m", "type": openai_type, "param": null, "code": kind}}),
            "{kind}"
        );
    }
}

#[test]
fn upstream_error_bodies_are_rewritten_for_the_client() {
    let openai = json!({"error": {"message": "model not loaded", "type": "invalid_request_error", "code": null}});
    assert_eq!(
        translate_error_body(Wire::Anthropic, 400, &openai),
        json!({"type": "error", "error": {"type": "invalid_request_error", "message": "model not loaded"}})
    );
    let openai = json!({"error": {"message": "busy", "type": "server_error"}});
    assert_eq!(
        translate_error_body(Wire::Anthropic, 503, &openai),
        json!({"type": "error", "error": {"type": "overloaded_error", "message": "busy"}})
    );
    let anthropic =
        json!({"type": "error", "error": {"type": "rate_limit_error", "message": "slow down"}});
    assert_eq!(
        translate_error_body(Wire::OpenAi, 429, &anthropic),
        json!({"error": {"message": "slow down", "type": "rate_limit_error", "param": null, "code": "rate_limit_error"}})
    );
    // Ollama and llama.cpp answer `{"error": "text"}`.
    assert_eq!(
        translate_error_body(
            Wire::Anthropic,
            404,
            &json!({"error": "model 'x' not found"})
        ),
        json!({"type": "error", "error": {"type": "not_found_error", "message": "model 'x' not found"}})
    );
    assert_eq!(
        translate_error_body(Wire::OpenAi, 502, &json!("Bad Gateway")),
        json!({"error": {"message": "upstream answered HTTP 502", "type": "server_error", "param": null, "code": "api_error"}})
    );
    assert_eq!(anthropic_error_kind(529), "overloaded_error");
    assert_eq!(anthropic_error_kind(418), "api_error");
}

#[test]
fn translate_errors_display_their_message() {
    let err = messages_to_chat(&json!(1)).unwrap_err();
    assert_eq!(err.to_string(), "the request body must be a JSON object");
    let _: &dyn std::error::Error = &err;
}

// ---------------------------------------------------------------------
// Real requests: Claude Code 2.1.197, captured on a loopback server while
// its parent session ran a custom `explorer` agent that read a text file
// and a PNG in parallel (long prose trimmed, ids zeroed).

fn fixture(name: &str) -> Value {
    let text = match name {
        "parent-first" => include_str!("fixtures/gateway/claude-code-2.1.197-parent-first.json"),
        "subagent-tool-results" => {
            include_str!("fixtures/gateway/claude-code-2.1.197-subagent-tool-results.json")
        }
        "parent-agent-result" => {
            include_str!("fixtures/gateway/claude-code-2.1.197-parent-agent-result.json")
        }
        "opencode-tool-results" => {
            include_str!("fixtures/gateway/opencode-1.18.33-tool-results.json")
        }
        "copilot-tool-results" => {
            include_str!("fixtures/gateway/copilot-1.0.102-tool-results.json")
        }
        other => panic!("no fixture {other}"),
    };
    serde_json::from_str(text).expect("fixture is JSON")
}

#[test]
fn claude_code_subagent_request_to_openai() {
    let req = fixture("subagent-tool-results");
    let out = to_chat(req.clone());
    let system: Vec<&str> = req["system"]
        .as_array()
        .expect("system blocks")
        .iter()
        .skip(1)
        .map(|b| b["text"].as_str().expect("text"))
        .collect();
    assert!(system[1].starts_with("MARKER-EXPLORER You are a read-only explorer."));
    assert_eq!(
        out["messages"],
        json!([
            {"role": "system", "content": system.join("\n\n")},
            {"role": "user", "content": "<system-reminder>\nAs you answer the user's questions, you can use the following context:\n# currentDate\nToday's date is 2026-12-06.\n\n      IMPORTANT: this context may or may not be relevant to your tasks. You should not respond to this context unless it is highly relevant to your task.\n</system-reminder>\n\n\n\nRead the note file and say what it says."},
            {"role": "assistant", "content": "Reading both.", "tool_calls": [
                {"id": "toolu_2_1", "type": "function", "function": {"name": "Read", "arguments": "{\"file_path\":\"/home/user/project/note.txt\"}"}},
                {"id": "toolu_2_2", "type": "function", "function": {"name": "Read", "arguments": "{\"file_path\":\"/home/user/project/dot.png\"}"}}
            ]},
            {"role": "tool", "tool_call_id": "toolu_2_1", "content": "1\thello from the note\n2\t"},
            {"role": "tool", "tool_call_id": "toolu_2_2", "content": "[image: attached to the next user message]"},
            {"role": "user", "content": [{"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="}}]}
        ])
    );
    let mut keys: Vec<&String> = out.as_object().expect("object").keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        ["messages", "model", "stream", "stream_options", "tools"]
    );
    assert_eq!(out["model"], json!("claude-opus-4-8"));
    let tools = out["tools"].as_array().expect("tools");
    let names: Vec<&str> = tools
        .iter()
        .map(|t| t["function"]["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["Read", "Grep", "Glob"]);
    for (tool, original) in tools.iter().zip(req["tools"].as_array().expect("tools")) {
        let mut schema = original["input_schema"].clone();
        schema.as_object_mut().expect("schema").remove("$schema");
        assert_eq!(tool["function"]["parameters"], schema);
        assert_eq!(tool["function"]["description"], original["description"]);
    }
}

/// Every tool message answers a call of the assistant message before it,
/// and nothing Anthropic-only is left.
fn assert_valid_chat_request(out: &Value) {
    let text = out.to_string();
    for anthropic_only in [
        "\"cache_control\"",
        "x-anthropic-billing-header",
        "\"thinking\"",
        "\"input_schema\"",
        "\"type\":\"tool_use\"",
        "\"type\":\"tool_result\"",
        "\"type\":\"image\"",
    ] {
        assert!(
            !text.contains(anthropic_only),
            "{anthropic_only} left in the request"
        );
    }
    let mut open_calls: Vec<String> = Vec::new();
    for m in out["messages"].as_array().expect("messages") {
        match m["role"].as_str().expect("role") {
            "assistant" => {
                open_calls = m["tool_calls"]
                    .as_array()
                    .map(|c| {
                        c.iter()
                            .map(|c| c["id"].as_str().expect("id").to_string())
                            .collect()
                    })
                    .unwrap_or_default();
            }
            "tool" => {
                let id = m["tool_call_id"].as_str().expect("id").to_string();
                assert!(open_calls.contains(&id), "tool result {id} answers no call");
            }
            "user" | "system" => open_calls.clear(),
            other => panic!("role {other}"),
        }
    }
}

#[test]
fn claude_code_parent_requests_to_openai() {
    for name in [
        "parent-first",
        "parent-agent-result",
        "subagent-tool-results",
    ] {
        let req = fixture(name);
        let out = to_chat(req.clone());
        assert_valid_chat_request(&out);
        assert_eq!(
            out["tools"].as_array().map(Vec::len),
            req["tools"].as_array().map(Vec::len),
            "{name}"
        );
        // Claude Code's mid-conversation system message stays in place.
        if name.starts_with("parent") {
            assert_eq!(out["messages"][2]["role"], json!("system"), "{name}");
            assert!(
                out["messages"][2]["content"]
                    .as_str()
                    .expect("text")
                    .starts_with("Available agent types")
            );
        }
        // Back to Anthropic, for a parent on an Anthropic route.
        let back = to_messages(out);
        assert_eq!(back["model"], req["model"]);
    }
    let out = to_chat(fixture("parent-agent-result"));
    let messages = out["messages"].as_array().expect("messages");
    assert_eq!(
        messages[messages.len() - 1],
        json!({"role": "tool", "tool_call_id": "toolu_1_0", "content": "The note says hello.\n\nagentId: ab2ef1e91d1e13343 (use SendMessage with to: 'ab2ef1e91d1e13343', summary: '<5-10 word recap>' to continue this agent)\n<usage>subagent_tokens: 110\ntool_uses: 2\nduration_ms: 200</usage>"})
    );
}

// OpenCode 1.18.33 with an `@ai-sdk/openai-compatible` provider, after its
// model read a text file and a PNG in parallel (the model had no vision,
// so OpenCode says so in a user message).

#[test]
fn opencode_request_to_anthropic() {
    let req = fixture("opencode-tool-results");
    let out = to_messages(req.clone());
    assert_eq!(out["system"], req["messages"][0]["content"]);
    assert_eq!(out["max_tokens"], json!(32000));
    assert_eq!(out["stream"], json!(true));
    assert_eq!(out["tool_choice"], json!({"type": "auto"}));
    assert_eq!(
        out["messages"],
        json!([
            {"role": "user", "content": "\"Read note.txt and dot.png\""},
            {"role": "assistant", "content": [
                {"type": "text", "text": "Reading both."},
                {"type": "tool_use", "id": "call_a", "name": "read", "input": {"filePath": "/home/user/project/note.txt"}},
                {"type": "tool_use", "id": "call_b", "name": "read", "input": {"filePath": "/home/user/project/dot.png"}}
            ]},
            {"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": "call_a", "content": "<path>/home/user/project/note.txt</path>\n<type>file</type>\n<content>\n1: hello from the note\n\n(End of file - total 1 lines)\n</content>"},
                {"type": "tool_result", "tool_use_id": "call_b", "content": "Image read successfully"},
                {"type": "text", "text": "Attached media from tool result:"},
                {"type": "text", "text": "ERROR: Cannot read image (this model does not support image input). Inform the user."}
            ]}
        ])
    );
    let tools = out["tools"].as_array().expect("tools");
    assert_eq!(tools.len(), 10);
    for (tool, original) in tools.iter().zip(req["tools"].as_array().expect("tools")) {
        assert_eq!(
            tool,
            &json!({
                "name": original["function"]["name"],
                "description": original["function"]["description"],
                "input_schema": original["function"]["parameters"],
            })
        );
    }
    let mut keys: Vec<&String> = out.as_object().expect("object").keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "max_tokens",
            "messages",
            "model",
            "stream",
            "system",
            "tool_choice",
            "tools"
        ]
    );
}

#[test]
fn a_plan_reasoning_effort_on_either_upstream() {
    let mut body = json!({"model": "m", "messages": []});
    apply_reasoning_effort(Wire::OpenAi, &mut body, "high");
    assert_eq!(
        body,
        json!({"model": "m", "messages": [], "reasoning_effort": "high"})
    );

    // Claude Code's adaptive thinking takes the effort as it is.
    let claude = json!({"model": "m", "max_tokens": 64000, "thinking": {"type": "adaptive"},
                        "output_config": {"effort": "high"}, "messages": []});
    let mut body = claude.clone();
    apply_reasoning_effort(Wire::Anthropic, &mut body, "minimal");
    assert_eq!(body["output_config"], json!({"effort": "low"}));
    assert_eq!(body["thinking"], json!({"type": "adaptive"}));
    let mut body = claude.clone();
    apply_reasoning_effort(Wire::Anthropic, &mut body, "none");
    assert_eq!(body["thinking"], json!({"type": "disabled"}));
    assert_eq!(body["output_config"], json!({}));

    // Anything else gets a thinking budget.
    let mut body = json!({"model": "m", "max_tokens": 8000, "temperature": 0.3, "top_p": 0.99, "messages": []});
    apply_reasoning_effort(Wire::Anthropic, &mut body, "medium");
    assert_eq!(
        body,
        json!({"model": "m", "max_tokens": 8000, "top_p": 0.99,
               "thinking": {"type": "enabled", "budget_tokens": 4096}, "messages": []})
    );
    let mut body = json!({"model": "m", "max_tokens": 8000, "thinking": {"type": "enabled", "budget_tokens": 2000}, "messages": []});
    apply_reasoning_effort(Wire::Anthropic, &mut body, "minimal");
    assert_eq!(
        body,
        json!({"model": "m", "max_tokens": 8000, "messages": []})
    );
}

// Copilot CLI 1.0.102 (`COPILOT_OFFLINE=true`, `COPILOT_PROVIDER_BASE_URL`)
// after its model viewed a text file and a PNG in parallel.

#[test]
fn copilot_request_to_anthropic() {
    let req = fixture("copilot-tool-results");
    assert_eq!(req["temperature"], json!(0));
    assert_eq!(req["top_p"], json!(0.95));
    let out = to_messages(req.clone());
    assert_eq!(out["system"], req["messages"][0]["content"]);
    // Copilot sends temperature and top_p together; recent Claude models
    // take one of them.
    assert_eq!(out["temperature"], json!(0.0));
    assert!(out.get("top_p").is_none());
    assert_eq!(out["max_tokens"], json!(DEFAULT_MAX_TOKENS));
    assert_eq!(
        out["messages"],
        json!([
            {"role": "user", "content": req["messages"][1]["content"]},
            {"role": "assistant", "content": [
                {"type": "text", "text": "Reading both."},
                {"type": "tool_use", "id": "call_a", "name": "view", "input": {"path": "/home/user/project/note.txt"}},
                {"type": "tool_use", "id": "call_b", "name": "view", "input": {"path": "/home/user/project/dot.png"}}
            ]},
            {"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": "call_a", "content": "hello from the note\n"},
                {"type": "tool_result", "tool_use_id": "call_b", "content": "Viewed image file successfully."}
            ]}
        ])
    );
    assert_eq!(out["tools"].as_array().map(Vec::len), Some(17));
    let mut keys: Vec<&String> = out.as_object().expect("object").keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "max_tokens",
            "messages",
            "model",
            "stream",
            "system",
            "temperature",
            "tools"
        ]
    );
}
