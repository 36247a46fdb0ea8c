//! Gemini CLI is the judge of the gemini dialect. `agentc export --to
//! gemini` writes a project's agents; Gemini CLI (with a fresh HOME, its
//! model a scripted Gemini-API server on loopback) loads them with no
//! "Agent loading error", lists each one to its model, and, asked to
//! invoke each sub-agent in turn, sends that sub-agent's request with
//! exactly the tools and the model the export promised. Native files
//! imported and exported back load identically.
//!
//! Needs `gemini` on PATH (`.ci/clients`); run by `.ci/run`.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod support;

use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::{BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};
use support::harness::{agentc_in, write_files};

/// What the scripted model saw: for each sub-agent it invoked, the
/// model path and the tools of the sub-agent's first request.
#[derive(Default)]
struct Seen {
    /// The first request of the session (the parent's).
    parent: Option<Value>,
    /// Agents still to invoke.
    queue: Vec<String>,
    current: Option<String>,
    /// agent → (model, sorted tool names without `complete_task`).
    agents: BTreeMap<String, (String, Vec<String>)>,
}

/// A Gemini-API server: the parent's requests (they carry `invoke_agent`)
/// are answered with a call of the next sub-agent, then with text; a
/// sub-agent's request with a `complete_task` call.
fn start(queue: Vec<String>) -> (u16, Arc<Mutex<Seen>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Seen {
        queue,
        ..Default::default()
    }));
    let state = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let state = state.clone();
            std::thread::spawn(move || serve(stream, &state));
        }
    });
    (port, seen)
}

fn serve(stream: TcpStream, state: &Mutex<Seen>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut stream = stream;
    loop {
        let Some(wire) = support::http::read_request(&mut reader) else {
            return;
        };
        let (path, request) = (wire.path.clone(), wire.json());
        let parts = answer(&path, &request, state);
        let reply = json!({"candidates": [{"content": {"role": "model", "parts": parts},
            "finishReason": "STOP", "index": 0}],
            "usageMetadata": {"promptTokenCount": 1, "candidatesTokenCount": 1, "totalTokenCount": 2}});
        let (kind, text) = if path.contains("stream") {
            ("text/event-stream", format!("data: {reply}\r\n\r\n"))
        } else {
            ("application/json", reply.to_string())
        };
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: {kind}\r\nContent-Length: {}\r\n\r\n",
            text.len()
        );
        if stream.write_all(head.as_bytes()).is_err() || stream.write_all(text.as_bytes()).is_err()
        {
            return;
        }
    }
}

fn tool_names(request: &Value) -> Vec<String> {
    let mut names: Vec<String> = request["tools"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|t| {
            t["functionDeclarations"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .filter_map(|f| f["name"].as_str().map(str::to_string))
        .collect();
    names.sort();
    names
}

fn answer(path: &str, request: &Value, state: &Mutex<Seen>) -> Value {
    let names = tool_names(request);
    let mut s = state.lock().unwrap();
    if names.iter().any(|n| n == "invoke_agent") {
        if s.parent.is_none() {
            s.parent = Some(request.clone());
        }
        s.current = None;
        if s.queue.is_empty() {
            return json!([{"text": "done"}]);
        }
        let next = s.queue.remove(0);
        s.current = Some(next.clone());
        return json!([{"functionCall": {"name": "invoke_agent",
            "args": {"agent_name": next, "prompt": "Do the task."}}}]);
    }
    if let Some(agent) = s.current.clone()
        && !s.agents.contains_key(&agent)
    {
        let model = path
            .split("/models/")
            .nth(1)
            .and_then(|m| m.split(':').next())
            .unwrap_or("")
            .to_string();
        let tools = names.into_iter().filter(|n| n != "complete_task").collect();
        s.agents.insert(agent, (model, tools));
    }
    json!([{"functionCall": {"name": "complete_task", "args": {"result": "ok"}}}])
}

/// What one Gemini CLI session made of the agents in `home/.gemini/agents`.
struct Session {
    stderr: String,
    /// The parent's system prompt.
    system: String,
    agents: BTreeMap<String, (String, Vec<String>)>,
}

/// Runs `gemini -p` in `project` with `home` as HOME, invoking `agents`.
fn run_gemini(home: &Path, project: &Path, agents: &[&str]) -> Session {
    let gemini = support::harness::installed("gemini");
    std::fs::create_dir_all(home.join(".gemini")).unwrap();
    std::fs::write(
        home.join(".gemini/settings.json"),
        r#"{"security":{"auth":{"selectedType":"gemini-api-key"}}}"#,
    )
    .unwrap();
    let (port, seen) = start(agents.iter().map(|a| a.to_string()).collect());
    let out = Command::new(gemini)
        .current_dir(project)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("GEMINI_API_KEY", "test-key")
        .env("GOOGLE_GEMINI_BASE_URL", format!("http://127.0.0.1:{port}"))
        .env("GEMINI_CLI_TRUST_WORKSPACE", "true")
        .env("NO_COLOR", "1")
        .args([
            "-m",
            "gemini-2.5-flash",
            "--yolo",
            "-p",
            "Delegate the work.",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "gemini failed: {stderr}");
    let s = seen.lock().unwrap();
    let system = s
        .parent
        .as_ref()
        .map(|p| p["systemInstruction"].to_string())
        .unwrap_or_default();
    Session {
        stderr,
        system,
        agents: s.agents.clone(),
    }
}

fn list(names: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

#[test]
#[ignore = "needs gemini; run by .ci/run"]
fn exported_agents_load_with_their_tools_and_models() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("project");
    let home = dir.path().join("home");
    write_files(
        &project,
        &[
            (
                ".agents/explore.md",
                "---\ndescription: Read-only explorer.\nmodel: gemini/gemini-2.5-pro\ntools: [read, grep, glob, ls]\ntemperature: 0.2\n---\nExplore and report.\n",
            ),
            (
                ".agents/build.md",
                "---\ndescription: Builds and runs the tests.\nmodel: gemini/gemini-2.5-flash-lite\nfallback: [gemini/gemini-2.5-flash]\ntools: [read, write, edit, bash]\ntimeout: 5m\n---\nBuild it.\n",
            ),
            (
                ".agents/local.md",
                "---\ndescription: Cheap local search.\nprovider: lm-studio\nmodel: qwen-2.5-7b\ntools: [read, grep]\n---\nSearch.\n",
            ),
            (
                ".agents/web.md",
                "---\ndescription: Looks things up.\ntools: [web_fetch, web_search, todo, agent]\n---\nLook it up.\n",
            ),
        ],
    );
    let out = home.join(".gemini/agents");
    let (code, report) = agentc_in(
        &project,
        &[
            "--no-user",
            "--format",
            "json",
            "export",
            "--to",
            "gemini",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{report}");
    let notes = |name: &str| -> Vec<(String, String)> {
        let agent = report["agents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == name)
            .unwrap();
        agent["notes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| {
                (
                    n["field"].as_str().unwrap().to_string(),
                    n["kind"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    // What Gemini CLI cannot take is named, field by field.
    assert_eq!(notes("explore"), vec![]);
    assert_eq!(notes("build"), vec![("fallback".into(), "lost".into())]);
    assert_eq!(notes("local"), vec![("model".into(), "lost".into())]);
    assert_eq!(notes("web"), vec![("tools".into(), "lost".into())]);

    // The project's own folder too: Gemini CLI validates project agents
    // as it loads them (it registers them once the user acknowledges them).
    let (code, _) = agentc_in(&project, &["--no-user", "export", "--to", "gemini"]);
    assert_eq!(code, 0);
    assert!(project.join(".gemini/agents/explore.md").is_file());

    // Beside them, a Claude-style file: agentc's errors are Gemini's.
    write_files(
        &home,
        &[(
            ".gemini/agents/broken.md",
            "---\nname: broken\ndescription: Claude-style.\ntools: [Read]\nmcpServers: {}\n---\nB\n",
        )],
    );
    let (_, checked) = agentc_in(&home, &["--no-user", "--format", "json", "check"]);
    let errors: Vec<String> = checked["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] == "error")
        .map(|d| {
            format!(
                "{} {}",
                d["path"].as_str().unwrap(),
                d["code"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        errors,
        vec![
            ".gemini/agents/broken.md unknown-tool",
            ".gemini/agents/broken.md foreign-field"
        ]
    );

    let s = run_gemini(&home, &project, &["explore", "build", "local", "web"]);
    assert_eq!(
        loading_errors(&s.stderr),
        vec!["broken.md".to_string()],
        "{}",
        s.stderr
    );
    for (name, description) in [
        ("explore", "Read-only explorer."),
        ("build", "Builds and runs the tests."),
        ("local", "Cheap local search."),
        ("web", "Looks things up."),
    ] {
        assert!(
            s.system.contains(&format!("- {name} -> {description}")),
            "`{name}` is not offered: {}",
            s.system
        );
    }
    // Each sub-agent gets exactly its tools (`read_many_files`, the other
    // half of `read`, is not registered in this session) and its model; an
    // agent whose model Gemini cannot run inherits the session's.
    let expected = [
        (
            "explore",
            "gemini-2.5-pro",
            list(&["read_file", "grep_search", "glob", "list_directory"]),
        ),
        (
            "build",
            "gemini-2.5-flash-lite",
            list(&["read_file", "write_file", "replace", "run_shell_command"]),
        ),
        (
            "local",
            "gemini-2.5-flash",
            list(&["read_file", "grep_search"]),
        ),
        (
            "web",
            "gemini-2.5-flash",
            list(&["web_fetch", "google_web_search", "write_todos"]),
        ),
    ];
    for (name, model, tools) in expected {
        assert_eq!(
            s.agents.get(name),
            Some(&(model.to_string(), tools)),
            "sub-agent `{name}`; stderr: {}",
            s.stderr
        );
    }
}

#[test]
#[ignore = "needs gemini; run by .ci/run"]
fn native_files_come_back_from_import_and_export_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let native_home = dir.path().join("home-native");
    let project = dir.path().join("project");
    let native = [
        (
            "auditor.md",
            "---\nname: auditor\ndescription: Audits code for security issues.\nkind: local\ntools:\n  - read_file\n  - grep_search\n  - run_shell_command\nmodel: gemini-2.5-pro\ntemperature: 0.1\nmax_turns: 5\ntimeout_mins: 3\n---\nAudit the code.\n",
        ),
        (
            "scribe.md",
            "---\nname: scribe\ndescription: Writes notes.\ntools: [write_file, write_todos]\n---\nWrite notes.\n",
        ),
    ];
    for (name, text) in native {
        write_files(&native_home, &[(&format!(".gemini/agents/{name}"), text)]);
    }
    std::fs::create_dir_all(&project).unwrap();
    let first = run_gemini(&native_home, &project, &["auditor", "scribe"]);
    assert!(
        !first.stderr.contains("Agent loading error"),
        "{}",
        first.stderr
    );
    assert_eq!(first.agents.len(), 2, "{}", first.stderr);

    // agentc reads the native files without a finding.
    let (code, checked) = agentc_in(&native_home, &["--no-user", "--format", "json", "check"]);
    assert_eq!(code, 0, "{checked}");
    assert_eq!(checked["diagnostics"], json!([]));

    let (code, imported) = agentc_in(
        &project,
        &[
            "--no-user",
            "--format",
            "json",
            "import",
            "--from",
            "gemini",
            native_home.join(".gemini/agents").to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{imported}");
    let back_home = dir.path().join("home-back");
    let (code, exported) = agentc_in(
        &project,
        &[
            "--no-user",
            "--format",
            "json",
            "export",
            "--to",
            "gemini",
            "--out",
            back_home.join(".gemini/agents").to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{exported}");
    let second = run_gemini(&back_home, &project, &["auditor", "scribe"]);
    assert!(
        !second.stderr.contains("Agent loading error"),
        "{}",
        second.stderr
    );
    assert_eq!(first.agents, second.agents);
    for line in [
        "- auditor -> Audits code for security issues.",
        "- scribe -> Writes notes.",
    ] {
        assert!(second.system.contains(line), "{line}: {}", second.system);
    }
}

/// The files of Gemini CLI's "Agent loading error" lines, sorted.
fn loading_errors(stderr: &str) -> Vec<String> {
    let mut files: Vec<String> = stderr
        .lines()
        .filter_map(|l| l.strip_prefix("Agent loading error: Failed to load agent from "))
        .filter_map(|rest| rest.split(": ").next())
        .filter_map(|path| Path::new(path).file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .collect();
    files.sort();
    files.dedup();
    files
}
