//! Claude Code uses `agentc mcp` end to end: `claude -p --mcp-config FILE`
//! with a fresh HOME, its parent model a scripted Anthropic-shaped server on
//! loopback that calls the `delegate` tool; the delegated request reaches
//! the loopback OpenAI-compatible provider, and the sub-agent's answer
//! arrives back at the parent in its next request.
//!
//! Needs `claude` on PATH (`.ci/clients`); run by `.ci/run`.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod support;

use serde_json::{Value, json};
use std::io::{BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Command;
use std::sync::{Arc, Mutex};
use support::openai::{Project, Reply, Server};

/// The tool as Claude Code names it: `mcp__<server>__<tool>`.
const DELEGATE: &str = "mcp__agentc__delegate";
const ANSWER: &str = "The plan routes helper to spare/m1.";

/// A scripted parent model speaking the Anthropic Messages API (streamed):
/// asked with the `delegate` tool available, it calls it once; given the
/// tool's result, it ends the turn quoting it. Any other request (the
/// session title) gets a short text.
struct Parent {
    port: u16,
    requests: Arc<Mutex<Vec<Value>>>,
}

impl Parent {
    fn start() -> Parent {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let log = requests.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let log = log.clone();
                std::thread::spawn(move || serve(stream, &log));
            }
        });
        Parent { port, requests }
    }

    fn messages_requests(&self) -> Vec<Value> {
        self.requests.lock().unwrap().clone()
    }
}

fn serve(stream: TcpStream, log: &Mutex<Vec<Value>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut stream = stream;
    loop {
        let Some(wire) = support::http::read_request(&mut reader) else {
            return;
        };
        let method = wire.method.as_str();
        let (ctype, payload) = if method == "POST" && wire.path.starts_with("/v1/messages") {
            let request = wire.json();
            log.lock().unwrap().push(request.clone());
            ("text/event-stream", events(&request))
        } else {
            ("application/json", "{}".to_string())
        };
        let head = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: {ctype}\r\ncontent-length: {}\r\nrequest-id: req_1\r\n\r\n",
            payload.len()
        );
        if stream.write_all(head.as_bytes()).is_err()
            || (method != "HEAD" && stream.write_all(payload.as_bytes()).is_err())
        {
            return;
        }
        let _ = stream.flush();
    }
}

/// The tool results in the last user message of a request.
fn tool_results(request: &Value) -> Vec<Value> {
    let last = request["messages"]
        .as_array()
        .and_then(|m| m.last())
        .cloned()
        .unwrap_or(Value::Null);
    last["content"]
        .as_array()
        .map(|c| {
            c.iter()
                .filter(|b| b["type"] == "tool_result")
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

/// A tool result's text: Claude Code sends a tool's structured content as
/// one string, other content as text blocks.
fn result_text(result: &Value) -> String {
    match &result["content"] {
        Value::String(s) => s.clone(),
        Value::Array(blocks) => blocks.iter().filter_map(|b| b["text"].as_str()).collect(),
        _ => String::new(),
    }
}

fn has_delegate(request: &Value) -> bool {
    request["tools"]
        .as_array()
        .is_some_and(|t| t.iter().any(|t| t["name"] == DELEGATE))
}

/// The scripted turn, as server-sent events of the Messages API.
fn events(request: &Value) -> String {
    let results = tool_results(request);
    let (block, stop) = if has_delegate(request) && results.is_empty() {
        (
            json!({"type": "tool_use", "id": "toolu_01", "name": DELEGATE, "input": {
                "agent": "helper", "prompt": "Where does helper run?"}}),
            "tool_use",
        )
    } else if let Some(r) = results.first() {
        let delegated: Value = serde_json::from_str(&result_text(r)).unwrap_or(Value::Null);
        let quote = delegated["output"].as_str().unwrap_or("no answer");
        (
            json!({"type": "text", "text": format!("The sub-agent said: {quote}")}),
            "end_turn",
        )
    } else {
        (
            json!({"type": "text", "text": "MCP delegation"}),
            "end_turn",
        )
    };
    let model = request["model"].as_str().unwrap_or("claude");
    let mut ev = vec![(
        "message_start",
        json!({"type": "message_start", "message": {"id": "msg_1", "type": "message",
                "role": "assistant", "model": model, "content": [], "stop_reason": null,
                "stop_sequence": null, "usage": {"input_tokens": 10, "output_tokens": 1}}}),
    )];
    if block["type"] == "tool_use" {
        ev.push((
            "content_block_start",
            json!({"type": "content_block_start", "index": 0, "content_block": {
                "type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}}),
        ));
        ev.push((
            "content_block_delta",
            json!({"type": "content_block_delta", "index": 0, "delta": {
                "type": "input_json_delta", "partial_json": block["input"].to_string()}}),
        ));
    } else {
        ev.push((
            "content_block_start",
            json!({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
        ));
        ev.push((
            "content_block_delta",
            json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": block["text"]}}),
        ));
    }
    ev.push((
        "content_block_stop",
        json!({"type": "content_block_stop", "index": 0}),
    ));
    ev.push((
        "message_delta",
        json!({"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": null},
            "usage": {"output_tokens": 5}}),
    ));
    ev.push(("message_stop", json!({"type": "message_stop"})));
    ev.iter()
        .map(|(e, d)| format!("event: {e}\ndata: {d}\n\n"))
        .collect()
}

#[test]
#[ignore = "needs claude; run by .ci/run"]
fn claude_code_delegates_through_agentc_mcp_and_gets_the_answer_back() {
    let claude = support::harness::installed("claude");
    let provider = Server::start();
    provider.reply("m1", Reply::answer(ANSWER));
    let project = Project::new(&provider, "");
    project.agent(
        "helper",
        "model: spare/m1\n",
        "You are helper. Answer in one line.\n",
    );
    let parent = Parent::start();
    let home = tempfile::tempdir().unwrap();
    let config = project.file(
        "mcp.json",
        &json!({"mcpServers": {"agentc": {
            "command": env!("CARGO_BIN_EXE_agentc"),
            "args": ["--project", project.path(), "--no-user", "mcp"],
        }}})
        .to_string(),
    );
    let out = Command::new(claude)
        .args(["-p", "Ask the helper agent where it runs."])
        .arg("--mcp-config")
        .arg(&config)
        .args(["--strict-mcp-config", "--allowedTools", DELEGATE])
        .args(["--output-format", "json"])
        .current_dir(project.path())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("ANTHROPIC_API_KEY", "sk-ant-dummy")
        .env(
            "ANTHROPIC_BASE_URL",
            format!("http://127.0.0.1:{}", parent.port),
        )
        .env("DISABLE_TELEMETRY", "1")
        .env("DISABLE_AUTOUPDATER", "1")
        .env("AGENTC_USER_DIR", home.path().join("agentc"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "claude failed: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // The delegated request reached the loopback provider, on the agent's
    // route, with its system prompt.
    let sent = provider.requests();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].model(), "m1");
    assert_eq!(
        sent[0].body["messages"],
        json!([
            {"role": "system", "content": "You are helper. Answer in one line."},
            {"role": "user", "content": "Where does helper run?"},
        ])
    );

    // The answer reached the parent in its next request, as the tool result.
    let requests = parent.messages_requests();
    let with_result: Vec<&Value> = requests
        .iter()
        .filter(|r| !tool_results(r).is_empty())
        .collect();
    assert_eq!(with_result.len(), 1, "{requests:#?}");
    let result = &tool_results(with_result[0])[0];
    assert_eq!(result["tool_use_id"], "toolu_01");
    assert_ne!(result["is_error"], true);
    // Claude Code hands the parent the tool's structured content as JSON.
    let delegated: Value = serde_json::from_str(&result_text(result)).unwrap();
    assert_eq!(delegated["output"], ANSWER);
    assert_eq!(
        delegated["route"],
        json!({"provider": "spare", "model": "m1"})
    );
    assert_eq!(delegated["attempts"].as_array().unwrap().len(), 1);

    // And the parent ended its turn with it.
    let summary: Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(summary["result"], format!("The sub-agent said: {ANSWER}"));
}
