//! The MCP server's tools as a library (no client needed), against a
//! loopback OpenAI-compatible server; every result checked against its
//! tool's output schema; and the binary spoken to over stdio with raw
//! JSON-RPC lines.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod support;

use agentc::discover::Env;
use agentc::mcp::tools::{CheckArgs, DelegateArgs, RouteArgs};
use agentc::mcp::{ToolOutput, ToolSettings, Tools, resources, schema};
use agentc::watch::{Layout, LivePlan, LiveProject, LiveSettings};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use support::openai::{Project, Reply, Server};

fn live(p: &Project) -> Arc<LivePlan> {
    let env = Env {
        cwd: p.path().to_path_buf(),
        user_dir: None,
        ollama_host: None,
    };
    let settings = LiveSettings {
        layout: Layout {
            root: p.path().to_path_buf(),
            user_dir: None,
            read_user: false,
        },
        parent: None,
    };
    LiveProject::load(settings, env).1
}

fn tools(p: &Project, max_output: usize) -> (Tools, tokio::sync::watch::Sender<Arc<LivePlan>>) {
    let (tx, rx) = tokio::sync::watch::channel(live(p));
    let settings = ToolSettings {
        project_root: p.path().to_path_buf(),
        user_dir: None,
        parent: None,
        jobs: 4,
        max_output,
        env: Env {
            cwd: p.path().to_path_buf(),
            user_dir: None,
            ollama_host: None,
        },
    };
    (Tools::new(rx, settings), tx)
}

fn project(server: &Server) -> Project {
    let p = Project::new(
        server,
        "[models]\nfast = \"spare/model-a\"\n\n[policy]\nallowed_models = [\"fast\", \"spare/*\"]\n",
    );
    p.agent(
        "writer",
        "model: spare/primary\nfallback: [spare/backup]\n",
        "You are writer.\n",
    );
    p.agent("keyed", "model: local/m1\n", "You need a key.\n");
    p
}

/// The result satisfies the tool's output schema, as clients check it.
fn assert_valid(tool: &str, out: &ToolOutput, live: &LivePlan) {
    let def = schema::tool_def(tool, live).unwrap();
    let schema = Value::Object(def.output_schema);
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&out.value)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{tool}: {errors:?}\n{:#}", out.value);
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn list_agents_shows_each_route_and_the_layer_that_chose_it() {
    let server = Server::start();
    let p = project(&server);
    let (t, _tx) = tools(&p, 1000);
    let out = t.list_agents();
    assert!(!out.is_error);
    assert_valid("list_agents", &out, &t.current());
    let writer = &out.value["agents"][1];
    assert_eq!(writer["name"], "writer");
    assert_eq!(
        writer["route"],
        json!({"provider": "spare", "model": "primary", "inherit": false, "trusted": true,
            "provider_source": {"layer": "agent", "path": ".agents/writer.md", "line": 3},
            "model_source": {"layer": "agent", "path": ".agents/writer.md", "line": 3}})
    );
    assert_eq!(
        writer["fallbacks"],
        json!([{"provider": "spare", "model": "backup"}])
    );
    assert_eq!(writer["tools"], Value::Null);
    assert_eq!(writer["stale"], false);
    assert_eq!(
        out.value["summary"],
        json!({"agents": 2, "errors": 0, "warnings": 0})
    );
}

#[test]
fn route_takes_call_and_task_layers_and_refuses_what_policy_forbids() {
    let server = Server::start();
    let p = project(&server);
    let (t, _tx) = tools(&p, 1000);
    let args = RouteArgs {
        agent: "writer".into(),
        model: Some("fast".into()),
        task_model: Some("spare/model-b".into()),
        ..RouteArgs::default()
    };
    let out = t.route(&args);
    assert_valid("route", &out, &t.current());
    assert_eq!(out.value["route"]["model"], "model-b");
    assert_eq!(
        out.value["decided_by"],
        json!({"provider": "task", "model": "task"})
    );
    assert_eq!(
        out.value["layers"],
        json!([
            {"layer": "agent", "provider": "spare", "model": "primary", "path": ".agents/writer.md", "line": 3},
            {"layer": "call", "provider": null, "model": "fast", "path": null, "line": null},
            {"layer": "task", "provider": null, "model": "spare/model-b", "path": null, "line": null},
        ])
    );

    let refused = t.route(&RouteArgs {
        agent: "writer".into(),
        model: Some("openai/gpt-5".into()),
        ..RouteArgs::default()
    });
    assert!(refused.is_error);
    assert_valid("route", &refused, &t.current());
    assert_eq!(refused.value["error"]["code"], "override-not-allowed");
}

#[test]
fn delegate_falls_back_on_503_and_shows_every_attempt() {
    let server = Server::start();
    server.reply("primary", Reply::Status(503));
    server.reply("backup", Reply::answer("from the backup"));
    let p = project(&server);
    let (t, _tx) = tools(&p, 1000);
    let lines = Lines::default();
    let out = runtime().block_on(t.delegate(
        DelegateArgs {
            agent: "writer".into(),
            prompt: "hi".into(),
            ..DelegateArgs::default()
        },
        &lines,
        std::future::pending(),
    ));
    assert!(!out.is_error, "{:#}", out.value);
    assert_valid("delegate", &out, &t.current());
    let v = &out.value;
    assert_eq!(v["output"], "from the backup");
    assert_eq!(v["route"], json!({"provider": "spare", "model": "backup"}));
    let attempts: Vec<(String, Value)> = v["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["model"].as_str().unwrap().to_string(),
                a["http_status"].clone(),
            )
        })
        .collect();
    assert_eq!(
        attempts,
        [
            ("primary".to_string(), json!(503)),
            ("backup".to_string(), json!(200))
        ]
    );
    let lines = lines.0.lock().unwrap().clone();
    assert_eq!(lines.first().unwrap(), "writer: sending to spare/primary");
    assert!(
        lines[1].starts_with("writer: spare/primary failed ("),
        "{lines:?}"
    );
    assert!(
        lines[1].ends_with("; falling back to spare/backup"),
        "{lines:?}"
    );
    assert_eq!(lines.last().unwrap(), "writer: answered by spare/backup");
}

#[test]
fn an_unset_key_is_a_tool_error_that_names_the_variable() {
    let server = Server::start();
    let p = project(&server);
    let (t, _tx) = tools(&p, 1000);
    let out = runtime().block_on(t.delegate(
        DelegateArgs {
            agent: "keyed".into(),
            prompt: "hi".into(),
            ..DelegateArgs::default()
        },
        &(),
        std::future::pending(),
    ));
    assert!(out.is_error);
    assert_valid("delegate", &out, &t.current());
    assert_eq!(out.value["error"]["code"], "missing-credential");
    assert_eq!(
        out.value["error"]["message"],
        "`AGENTC_TEST_KEY` is not set: provider `local` needs its API key"
    );
    assert!(server.requests().is_empty());
}

#[test]
fn delegate_batch_gives_one_result_per_task_in_order() {
    let server = Server::start();
    server.reply("model-a", Reply::answer("A"));
    server.reply("model-b", Reply::answer("B"));
    let p = project(&server);
    let (t, _tx) = tools(&p, 1000);
    let args = json!({"tasks": [
        {"agent": "writer", "prompt": "same", "model": "spare/model-a"},
        {"agent": "writer", "prompt": "same", "model": "spare/model-b"},
        {"agent": "writer", "prompt": "same", "model": "openai/gpt-5"},
        {"agent": "writer"},
    ]});
    let out = runtime().block_on(t.delegate_batch(
        args.as_object().unwrap(),
        &(),
        std::future::pending(),
    ));
    assert_valid("delegate_batch", &out, &t.current());
    let results = out.value["results"].as_array().unwrap();
    let summary: Vec<(Value, Value, Value)> = results
        .iter()
        .map(|r| {
            (
                r["index"].clone(),
                r["output"].clone(),
                r["error"]["code"].clone(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (json!(0), json!("A"), Value::Null),
            (json!(1), json!("B"), Value::Null),
            (json!(2), Value::Null, json!("override-not-allowed")),
            (json!(3), Value::Null, json!("invalid-task")),
        ]
    );
    assert_eq!(
        out.value["summary"],
        json!({"ok": 2, "failed": 2, "cancelled": 0})
    );

    let bad = runtime().block_on(t.delegate_batch(
        json!({"task": []}).as_object().unwrap(),
        &(),
        std::future::pending(),
    ));
    assert!(bad.is_error);
    assert_valid("delegate_batch", &bad, &t.current());
    assert_eq!(bad.value["error"]["code"], "invalid-batch");
}

#[test]
fn a_long_answer_is_cut_at_a_character_boundary_with_a_marker() {
    let (text, cut, bytes) = agentc::mcp::tools::cap(Some("héllo wörld"), 2);
    assert_eq!(
        text.unwrap(),
        "h\n\n[agentc: answer cut at 1 of 13 bytes (agentc mcp --max-output)]"
    );
    assert!(cut);
    assert_eq!(bytes, 13);
    assert_eq!(
        agentc::mcp::tools::cap(Some("short"), 100),
        (Some("short".to_string()), false, 5)
    );
}

#[test]
fn check_reports_the_live_findings_and_given_paths() {
    let server = Server::start();
    let p = project(&server);
    p.file(
        ".agents/broken.md",
        "---\ndescription: x\nmodle: y\n---\nBody.\n",
    );
    let (t, _tx) = tools(&p, 1000);
    let out = t.check(&CheckArgs::default());
    assert_valid("check", &out, &t.current());
    let codes: Vec<&str> = out.value["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["unknown-field"]);
    let given = t.check(&CheckArgs {
        paths: Some(vec![".agents/broken.md".into()]),
    });
    assert_eq!(given.value["diagnostics"][0]["path"], ".agents/broken.md");
    assert_eq!(given.value["diagnostics"][0]["line"], 3);
    assert_eq!(given.value["summary"]["files"], 1);
}

#[test]
fn a_new_generation_changes_the_next_call_and_says_what_changed() {
    let server = Server::start();
    let p = project(&server);
    let (t, tx) = tools(&p, 1000);
    let before = t.current();
    p.agent("critic", "model: spare/model-b\n", "Review.\n");
    let after = live(&p);
    tx.send(after.clone()).unwrap();
    let names: Vec<Value> = t.list_agents().value["agents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].clone())
        .collect();
    assert_eq!(names, [json!("critic"), json!("keyed"), json!("writer")]);
    let c = resources::changes(&before, &after);
    assert!(c.list_changed);
    assert_eq!(
        c.updated.into_iter().collect::<Vec<_>>(),
        ["agentc://agents/critic", "agentc://plan"]
    );
    assert!(resources::changes(&after, &after).is_empty());
}

#[derive(Default)]
struct Lines(Mutex<Vec<String>>);

impl agentc::mcp::tools::Progress for Lines {
    fn message(&self, text: String) {
        self.0.lock().unwrap().push(text);
    }
}

/// The binary over stdio, as a harness starts it: the handshake, the tool
/// list with schemas, and a call, one JSON-RPC message per line.
#[test]
fn the_binary_speaks_mcp_on_stdio() {
    let server = Server::start();
    let p = project(&server);
    let mut child = Command::new(env!("CARGO_BIN_EXE_agentc"))
        .args(["--no-user", "mcp"])
        .current_dir(p.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut send = |v: Value| {
        writeln!(stdin, "{v}").unwrap();
        stdin.flush().unwrap();
    };
    let mut recv = || {
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        serde_json::from_str::<Value>(&line).unwrap()
    };
    send(
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {},
        "clientInfo": {"name": "test", "version": "0"}}}),
    );
    let init = recv();
    assert_eq!(init["result"]["protocolVersion"], "2025-11-25");
    assert_eq!(init["result"]["serverInfo"]["name"], "agentc");
    assert_eq!(
        init["result"]["capabilities"]["resources"],
        json!({"listChanged": true, "subscribe": true})
    );
    send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
    send(json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}));
    let list = recv();
    let names: Vec<&str> = list["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, schema::TOOL_NAMES);
    send(
        json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {
        "name": "route", "arguments": {"agent": "writer"}}}),
    );
    let call = recv();
    assert_eq!(call["result"]["isError"], false);
    assert_eq!(
        call["result"]["structuredContent"]["route"]["model"],
        "primary"
    );
    // The client closes stdin: the session ends and the server exits 0.
    drop(stdin);
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
}
