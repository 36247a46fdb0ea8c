//! `agentc gateway` end to end: the real binary on a free loopback port,
//! in front of OpenAI-shaped servers on loopback started by the test.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod support;

use serde_json::{Value, json};
use support::gateway::Gateway;
use support::openai::{KEY, KEY_VAR, Project, Reply, Server};

const BODY: &str = "You explore the code base and report what you find, quoting file names and lines exactly as they are.";

fn chat(model: &str, system: Option<&str>) -> Value {
    let mut messages = Vec::new();
    if let Some(s) = system {
        messages.push(json!({"role": "system", "content": s}));
    }
    messages.push(json!({"role": "user", "content": "Where is the config loaded?"}));
    json!({"model": model, "messages": messages})
}

fn start(p: &Project) -> Gateway {
    Gateway::start(p.path(), None, &[(KEY_VAR, KEY)], &[])
}

#[test]
fn an_agent_is_recognised_by_its_body_and_runs_on_its_route() {
    let server = Server::start();
    server.reply("qwen", Reply::answer("found it"));
    let p = Project::new(&server, "");
    p.agent(
        "explore",
        "provider: spare\nmodel: qwen\ntemperature: 0.2\n",
        BODY,
    );
    let g = start(&p);
    // Wrapped the way harnesses wrap an agent's prompt.
    let system = format!("Intro line.\n{BODY}\n\nNotes: use absolute paths.");
    let r = g.post("/v1/chat/completions", &[], &chat("gpt-4o", Some(&system)));
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("x-agentc-agent"), "explore");
    assert_eq!(r.header("x-agentc-route"), "spare/qwen");
    assert_eq!(r.json()["choices"][0]["message"]["content"], "found it");
    let sent = &server.requests()[0];
    assert_eq!(sent.path, "/v1/chat/completions");
    assert_eq!(sent.body["model"], "qwen");
    // The plan's parameters win; the client's messages pass through.
    assert_eq!(sent.body["temperature"], 0.2);
    assert_eq!(sent.body["messages"][0]["content"], system);
    let e = g.next_event("request");
    assert_eq!(e["agent"], "explore");
    assert_eq!(e["matched"], "system-prompt");
    assert_eq!(e["ignored_model"], "gpt-4o");
    assert_eq!(e["planned"], json!({"provider": "spare", "model": "qwen"}));
    assert_eq!(e["route"], json!({"provider": "spare", "model": "qwen"}));
    assert_eq!(e["status"], 200);
    assert_eq!(
        e["usage"]["total_tokens"],
        json!(
            e["usage"]["prompt_tokens"].as_u64().unwrap()
                + e["usage"]["completion_tokens"].as_u64().unwrap()
        )
    );
}

#[test]
fn agentc_model_names_pick_the_agent_and_models_lists_them() {
    let server = Server::start();
    server.reply("qwen", Reply::answer("hello there"));
    let p = Project::new(&server, "");
    p.agent("explore", "provider: spare\nmodel: qwen\n", "Short body.");
    let g = start(&p);
    // The reachability check clients make at start; not an event.
    let health = g.get("/");
    assert_eq!(
        (health.status, health.text().as_str()),
        (200, "agentc gateway\n")
    );
    let listing = g.get("/v1/models").json();
    assert_eq!(listing["object"], "list");
    assert_eq!(listing["data"][0]["id"], "agentc/explore");
    let mut body = chat("agentc/explore", None);
    body["stream"] = json!(true);
    let r = g.post("/v1/chat/completions", &[], &body);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), "text/event-stream");
    assert_eq!(r.header("x-agentc-route"), "spare/qwen");
    let data = r.sse_data();
    assert_eq!(data.last().unwrap(), "[DONE]");
    let text: String = data
        .iter()
        .filter_map(|d| serde_json::from_str::<Value>(d).ok())
        .filter_map(|v| {
            v["choices"][0]["delta"]["content"]
                .as_str()
                .map(str::to_string)
        })
        .collect();
    assert_eq!(text, "hello there");
    let e = g.next_event("request");
    assert_eq!(
        (e["method"].as_str(), e["path"].as_str()),
        (Some("GET"), Some("/v1/models"))
    );
    assert_eq!(e["matched"], Value::Null);
    let e = g.next_event("request");
    assert_eq!(e["matched"], "model");
    assert_eq!(e["ignored_model"], Value::Null);
    assert_eq!(e["stream"], true);
    // An unknown agent is a 404 naming the known ones.
    let r = g.post("/v1/chat/completions", &[], &chat("agentc/explor", None));
    assert_eq!(r.status, 404);
    assert_eq!(
        r.json()["error"]["message"],
        "agentc gateway: unknown agent `explor`; known agents: agentc/explore [unknown-agent]"
    );
}

/// Saves an agent file as editors do: written aside, then renamed over
/// it, so the watcher sees one whole change.
fn save(p: &Project, name: &str, frontmatter: &str) {
    let aside = p.path().join(format!("{name}.saving"));
    std::fs::write(
        &aside,
        format!("---\ndescription: The {name} agent.\n{frontmatter}---\n{BODY}"),
    )
    .unwrap();
    std::fs::rename(&aside, p.path().join(format!(".agents/{name}.md"))).unwrap();
}

#[test]
fn an_edit_reroutes_the_next_request() {
    let server = Server::start();
    server.reply("one", Reply::answer("from one"));
    server.reply("two", Reply::answer("from two"));
    let p = Project::new(&server, "");
    p.agent("explore", "provider: spare\nmodel: one\n", BODY);
    let g = start(&p);
    let r = g.post("/v1/chat/completions", &[], &chat("agentc/explore", None));
    assert_eq!(r.header("x-agentc-route"), "spare/one");
    save(&p, "explore", "provider: spare\nmodel: two\n");
    let reload = g.next_event("reload");
    assert_eq!(reload["errors"], 0);
    let r = g.post("/v1/chat/completions", &[], &chat("agentc/explore", None));
    assert_eq!(r.header("x-agentc-route"), "spare/two");
    assert_eq!(r.json()["choices"][0]["message"]["content"], "from two");
    // A broken edit keeps the last good route.
    save(&p, "explore", "provider: [unclosed\n");
    let reload = g.next_event("reload");
    assert_eq!(reload["stale"], json!(["explore"]));
    let r = g.post("/v1/chat/completions", &[], &chat("agentc/explore", None));
    assert_eq!(r.header("x-agentc-route"), "spare/two");
    assert_eq!(server.models_requested(), ["one", "two", "two"]);
}

#[test]
fn a_503_primary_is_served_by_the_fallback() {
    let server = Server::start();
    server.reply("down", Reply::Status(503));
    server.reply("up", Reply::answer("fallback answer"));
    let p = Project::new(&server, "");
    p.agent(
        "explore",
        "provider: spare\nmodel: down\nfallback: [local/up]\n",
        BODY,
    );
    let g = start(&p);
    for stream in [false, true] {
        let mut body = chat("agentc/explore", None);
        body["stream"] = json!(stream);
        let r = g.post("/v1/chat/completions", &[], &body);
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.header("x-agentc-route"), "local/up");
        // One clean answer: nothing of the failed attempt reaches the client.
        assert!(!r.text().contains("503"), "{}", r.text());
        assert!(r.text().contains("fallback"), "{}", r.text());
        let e = g.next_event("request");
        assert_eq!(e["planned"], json!({"provider": "spare", "model": "down"}));
        assert_eq!(e["route"], json!({"provider": "local", "model": "up"}));
        let attempts = e["attempts"].as_array().unwrap();
        assert_eq!(attempts.len(), 2);
        assert_eq!(attempts[0]["http_status"], 503);
        assert_eq!(attempts[0]["status"], "error");
        assert_eq!(attempts[1]["status"], "ok");
    }
    assert_eq!(server.models_requested(), ["down", "up", "down", "up"]);
}

#[test]
fn an_untrusted_provider_is_refused_in_the_doors_format() {
    let server = Server::start();
    let p = Project::new(
        &server,
        "[providers.corp]\nkind = \"openai-compatible\"\nbase_url = \"https://llm.example.com/v1\"\napi_key_env = \"CORP_KEY\"\n",
    );
    p.agent(
        "explore",
        "provider: corp\nmodel: big\nfallback: [spare/qwen]\n",
        BODY,
    );
    let g = Gateway::start(
        p.path(),
        None,
        &[(KEY_VAR, KEY), ("CORP_KEY", "corp-secret")],
        &[],
    );
    let r = g.post("/v1/chat/completions", &[], &chat("agentc/explore", None));
    assert_eq!(r.status, 403);
    assert_eq!(r.header("x-agentc-agent"), "explore");
    assert_eq!(r.header("x-agentc-route"), "corp/big");
    let err = r.json();
    assert_eq!(err["error"]["type"], "permission_error");
    let message = err["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("provider `corp` (https://llm.example.com/v1) is not trusted"),
        "{message}"
    );
    assert!(message.ends_with("[untrusted-provider]"), "{message}");
    // Never silently rerouted to the fallback.
    assert!(server.requests().is_empty());
    let e = g.next_event("request");
    assert_eq!(e["error"]["code"], "untrusted-provider");
    // The Anthropic door answers in its own format.
    let r = g.post(
        "/v1/messages",
        &[],
        &json!({"model": "agentc/explore", "max_tokens": 10, "messages": [{"role": "user", "content": "hi"}]}),
    );
    assert_eq!(r.status, 403);
    assert_eq!(r.json()["type"], "error");
    assert_eq!(r.json()["error"]["type"], "permission_error");
}

#[test]
fn a_client_key_never_reaches_a_routed_provider() {
    let server = Server::start();
    server.reply("qwen", Reply::answer("ok"));
    server.reply("parent-model", Reply::answer("parent ok"));
    let other = format!(
        "[providers.other]\nkind = \"openai-compatible\"\nbase_url = \"{}\"\n\n[gateway]\nparent = \"spare\"\n",
        server.base_url()
    );
    let p = Project::new(&server, &other);
    p.agent("keyed", "provider: local\nmodel: qwen\n", BODY);
    p.agent("open", "provider: other\nmodel: qwen\n", "Another agent.");
    p.agent(
        "beside",
        "provider: spare\nmodel: qwen\n",
        "An agent on the parent's provider.",
    );
    let g = start(&p);
    let client = [
        ("authorization", "Bearer client-secret"),
        ("x-api-key", "client-secret"),
    ];
    for model in [
        "agentc/keyed",
        "agentc/open",
        "parent-model",
        "agentc/beside",
    ] {
        assert_eq!(
            g.post("/v1/chat/completions", &client, &chat(model, None))
                .status,
            200
        );
    }
    let sent = server.requests();
    assert_eq!(sent.len(), 4);
    // Routed providers get their own key, or none.
    assert_eq!(
        sent[0].headers.get("authorization").map(String::as_str),
        Some("Bearer test-key-1234")
    );
    assert_eq!(sent[1].headers.get("authorization"), None);
    for s in &sent[..2] {
        assert_eq!(s.headers.get("x-api-key"), None);
        assert!(!format!("{:?}", s.headers).contains("client-secret"));
    }
    // The parent's provider is the host the client's credentials are for,
    // whichever request goes there.
    for s in &sent[2..] {
        assert_eq!(
            s.headers.get("authorization").map(String::as_str),
            Some("Bearer client-secret")
        );
    }
}

#[test]
fn allowed_models_refuses_a_call_override() {
    let server = Server::start();
    server.reply("qwen", Reply::answer("planned"));
    server.reply("other", Reply::answer("overridden"));
    let p = Project::new(&server, "[policy]\nallowed_models = [\"spare/*\"]\n");
    p.agent("explore", "provider: spare\nmodel: qwen\n", BODY);
    let g = start(&p);
    // An agentc model reference is the `call` layer...
    let r = g.post(
        "/v1/chat/completions",
        &[],
        &chat("spare/other", Some(BODY)),
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.header("x-agentc-route"), "spare/other");
    // ...checked by `[policy] allowed_models`.
    let r = g.post(
        "/v1/chat/completions",
        &[],
        &chat("local/other", Some(BODY)),
    );
    assert_eq!(r.status, 403);
    let message = r.json()["error"]["message"].as_str().unwrap().to_string();
    assert!(message.ends_with("[override-not-allowed]"), "{message}");
    assert!(message.contains("local/other"), "{message}");
    assert_eq!(server.models_requested(), ["other"]);
}

#[test]
fn the_openai_door_without_a_parent_names_the_agents() {
    let server = Server::start();
    let p = Project::new(&server, "");
    p.agent("explore", "provider: spare\nmodel: qwen\n", "Short.");
    let g = start(&p);
    let r = g.post(
        "/v1/chat/completions",
        &[],
        &chat("gpt-4o", Some("You are helpful.")),
    );
    assert_eq!(r.status, 400);
    assert_eq!(r.header("x-agentc-agent"), "(parent)");
    assert_eq!(r.header("x-agentc-route"), "-");
    assert_eq!(
        r.json()["error"]["message"],
        "agentc gateway: this request matches no agent, and `[gateway] parent` is not set: set it in agentc.toml, or ask for an agent by model (known agents: agentc/explore) [no-parent]"
    );
}

#[test]
fn a_provider_cap_holds_across_clients() {
    let server = Server::start();
    server.reply(
        "qwen",
        Reply::slow("capped", std::time::Duration::from_millis(50)),
    );
    let p = Project::new(&server, "");
    std::fs::write(
        p.path().join(".agents/agentc.toml"),
        format!("[providers.spare]\nkind = \"openai-compatible\"\nbase_url = \"{}\"\nmax_concurrency = 2\n", server.base_url()),
    )
    .unwrap();
    p.agent("explore", "provider: spare\nmodel: qwen\n", BODY);
    let g = start(&p);
    let url = g.url.clone();
    let clients: Vec<_> = (0..8)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || {
                support::gateway::request(
                    &url,
                    "POST",
                    "/v1/chat/completions",
                    &[],
                    Some(&chat("agentc/explore", None)),
                )
                .status
            })
        })
        .collect();
    for c in clients {
        assert_eq!(c.join().unwrap(), 200);
    }
    assert_eq!(server.requests().len(), 8);
    assert!(server.peak() <= 2, "peak {}", server.peak());
}

#[test]
fn a_public_listen_address_needs_a_key() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_agentc"))
        .current_dir(dir.path())
        .args(["gateway", "--no-user", "--listen", "0.0.0.0:0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("--listen 0.0.0.0:0 is reachable from other machines: add --key-env VAR")
    );
}

#[test]
fn with_a_gateway_key_clients_must_present_it() {
    let server = Server::start();
    server.reply("qwen", Reply::answer("ok"));
    let p = Project::new(&server, "");
    p.agent("explore", "provider: spare\nmodel: qwen\n", BODY);
    let g = Gateway::start(
        p.path(),
        None,
        &[("GW_KEY", "gw-secret")],
        &["--key-env", "GW_KEY"],
    );
    let r = g.post("/v1/chat/completions", &[], &chat("agentc/explore", None));
    assert_eq!(r.status, 401);
    assert_eq!(g.get("/v1/models").status, 401);
    let r = g.post(
        "/v1/chat/completions",
        &[("authorization", "Bearer gw-secret")],
        &chat("agentc/explore", None),
    );
    assert_eq!(r.status, 200);
    assert_eq!(server.requests().len(), 1);
    assert!(!format!("{:?}", server.requests()[0].headers).contains("gw-secret"));
}

#[test]
fn ctrl_c_lets_requests_in_flight_finish_and_exits_0() {
    let server = Server::start();
    server.reply(
        "qwen",
        Reply::slow("late answer", std::time::Duration::from_millis(400)),
    );
    let p = Project::new(&server, "");
    p.agent("explore", "provider: spare\nmodel: qwen\n", BODY);
    let mut g = start(&p);
    let url = g.url.clone();
    let client = std::thread::spawn(move || {
        support::gateway::request(
            &url,
            "POST",
            "/v1/chat/completions",
            &[],
            Some(&chat("agentc/explore", None)),
        )
    });
    assert!(server.wait_in_flight(1, support::gateway::WAIT));
    let sent = std::process::Command::new("kill")
        .args(["-INT", &g.pid().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let r = client.join().unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["choices"][0]["message"]["content"], "late answer");
    let status = g
        .wait_exit(support::gateway::WAIT)
        .expect("the gateway exits");
    assert_eq!(status.code(), Some(0));
}

#[test]
fn a_full_queue_is_refused_with_529_or_503() {
    let server = Server::start();
    server.reply("qwen", Reply::Hang);
    let p = Project::new(&server, "");
    std::fs::write(
        p.path().join(".agents/agentc.toml"),
        format!(
            "[providers.spare]\nkind = \"openai-compatible\"\nbase_url = \"{}\"\nmax_concurrency = 1\n",
            server.base_url()
        ),
    )
    .unwrap();
    p.agent("explore", "provider: spare\nmodel: qwen\n", BODY);
    // No room to wait: with one request in flight (hanging), the next is
    // refused at once.
    let g = Gateway::start(p.path(), None, &[], &["--max-queue", "0"]);
    let url = g.url.clone();
    let _held = std::thread::spawn(move || {
        support::gateway::request(
            &url,
            "POST",
            "/v1/chat/completions",
            &[],
            Some(&chat("agentc/explore", None)),
        )
    });
    assert!(server.wait_in_flight(1, support::gateway::WAIT));
    let r = g.post("/v1/chat/completions", &[], &chat("agentc/explore", None));
    assert_eq!(r.status, 503, "{}", r.text());
    assert_eq!(
        r.json()["error"]["message"],
        "agentc gateway: provider `spare` is at its max_concurrency (1) with 0 requests waiting [queue-full]"
    );
    let r = g.post(
        "/v1/messages",
        &[],
        &json!({"model": "agentc/explore", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]}),
    );
    assert_eq!(r.status, 529);
    assert_eq!(r.json()["error"]["type"], "overloaded_error");
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn count_tokens_on_an_openai_route_is_an_estimate() {
    let server = Server::start();
    let p = Project::new(&server, "");
    p.agent("explore", "provider: spare\nmodel: qwen\n", BODY);
    let g = start(&p);
    let body = json!({"model": "agentc/explore", "messages": [{"role": "user", "content": "x".repeat(400)}]});
    let r = g.post("/v1/messages/count_tokens", &[], &body);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("x-agentc-route"), "spare/qwen");
    let n = r.json()["input_tokens"].as_u64().unwrap();
    assert!((100..=140).contains(&n), "{n}");
    assert!(server.requests().is_empty());
}

#[test]
fn the_anthropic_door_sends_the_parent_to_anthropic_with_the_clients_key() {
    use support::scripted::{Scripted, anthropic_answer};
    let parent = Scripted::start(|req, _| {
        anthropic_answer(
            req,
            vec![json!({"type": "text", "text": "parent answer"})],
            "end_turn",
        )
    });
    let server = Server::start();
    server.reply("qwen", Reply::answer("agent answer"));
    let p = Project::new(&server, "");
    p.agent("explore", "provider: spare\nmodel: qwen\n", BODY);
    // A Claude Code agent left on Claude: `sonnet` is Claude Code's own
    // shorthand, and the id it resolved it to is what goes upstream.
    std::fs::create_dir_all(p.path().join(".claude/agents")).unwrap();
    let claude_body = "You review diffs for correctness and style, citing the file and the line of every finding you report.";
    std::fs::write(
        p.path().join(".claude/agents/review.md"),
        format!(
            "---\nname: review\ndescription: Reviews diffs.\nmodel: sonnet\n---\n{claude_body}\n"
        ),
    )
    .unwrap();
    // Pointing a preset's key at another host is the user's call, not a
    // repository's: the parent's table is in the user config.
    let user = tempfile::tempdir().unwrap();
    std::fs::write(
        user.path().join("agentc.toml"),
        format!(
            "[providers.anthropic]\nbase_url = \"{}\"\n",
            parent.base_url()
        ),
    )
    .unwrap();
    let g = Gateway::start(p.path(), Some(user.path()), &[], &[]);
    let client = [
        ("x-api-key", "sk-ant-client"),
        ("anthropic-version", "2023-06-01"),
        ("anthropic-beta", "tools-2024"),
    ];
    let ask = |system: &str, stream: bool| {
        json!({"model": "claude-sonnet-5", "max_tokens": 100, "stream": stream,
            "system": [{"type": "text", "text": system}],
            "messages": [{"role": "user", "content": "hello"}]})
    };
    // The parent, streamed, passes through with the client's key.
    let r = g.post(
        "/v1/messages?beta=true",
        &client,
        &ask("You are Claude Code.", true),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("x-agentc-agent"), "(parent)");
    assert_eq!(r.header("x-agentc-route"), "anthropic/claude-sonnet-5");
    assert!(r.text().contains("parent answer"));
    let seen = parent.requests();
    assert_eq!(seen[0].path, "/v1/messages?beta=true");
    assert_eq!(seen[0].header("x-api-key"), Some("sk-ant-client"));
    assert_eq!(seen[0].header("anthropic-beta"), Some("tools-2024"));
    assert_eq!(seen[0].body["model"], "claude-sonnet-5");
    let e = g.next_event("request");
    assert_eq!(e["matched"], "parent");
    assert_eq!(e["usage"], json!({"input_tokens": 11, "output_tokens": 7}));
    // The agent, recognised by its body, is translated for its OpenAI route.
    let r = g.post(
        "/v1/messages",
        &client,
        &ask(&format!("{BODY}\n\nNotes."), false),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("x-agentc-route"), "spare/qwen");
    let answer = r.json();
    assert_eq!(answer["type"], "message");
    assert_eq!(answer["content"][0]["text"], "agent answer");
    let sent = &server.requests()[0];
    assert_eq!(sent.body["model"], "qwen");
    assert_eq!(sent.body["messages"][0]["role"], "system");
    assert_eq!(sent.headers.get("x-api-key"), None);
    assert_eq!(sent.headers.get("authorization"), None);
    assert_eq!(parent.requests().len(), 1);
    let r = g.post("/v1/messages", &client, &ask(claude_body, false));
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("x-agentc-agent"), "review");
    assert_eq!(r.header("x-agentc-route"), "anthropic/claude-sonnet-5");
    let seen = parent.requests();
    assert_eq!(seen[1].body["model"], "claude-sonnet-5");
    assert_eq!(seen[1].header("x-api-key"), Some("sk-ant-client"));
}

#[test]
fn a_claude_agent_file_is_rerouted_by_the_users_config() {
    let server = Server::start();
    server.reply("qwen-local", Reply::answer("from lm"));
    let p = Project::new(&server, "");
    std::fs::create_dir_all(p.path().join(".claude/agents")).unwrap();
    std::fs::write(
        p.path().join(".claude/agents/reviewer.md"),
        format!("---\nname: reviewer\ndescription: Reviews diffs.\ntools: Read, Grep\nmodel: sonnet\n---\n{BODY}\n"),
    )
    .unwrap();
    let user = tempfile::tempdir().unwrap();
    std::fs::write(
        user.path().join("agentc.toml"),
        "[agents.reviewer]\nprovider = \"spare\"\nmodel = \"qwen-local\"\n",
    )
    .unwrap();
    let g = Gateway::start(p.path(), Some(user.path()), &[], &[]);
    let r = g.post(
        "/v1/chat/completions",
        &[],
        &chat(
            "claude-sonnet-5",
            Some(&format!("{BODY}\n\nNotes: absolute paths.")),
        ),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("x-agentc-agent"), "reviewer");
    assert_eq!(r.header("x-agentc-route"), "spare/qwen-local");
}

#[test]
fn a_dead_provider_holds_up_only_its_own_agents() {
    let server = Server::start();
    server.reply("stuck", Reply::Hang);
    server.reply("quick", Reply::answer("quick answer"));
    let p = Project::new(&server, "");
    p.agent("slow", "provider: spare\nmodel: stuck\n", "The slow one.");
    p.agent("fast", "provider: local\nmodel: quick\n", "The fast one.");
    let g = start(&p);
    let url = g.url.clone();
    let _stuck: Vec<_> = (0..4)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || {
                support::gateway::request(
                    &url,
                    "POST",
                    "/v1/chat/completions",
                    &[],
                    Some(&chat("agentc/slow", None)),
                )
            })
        })
        .collect();
    assert!(server.wait_in_flight(4, support::gateway::WAIT));
    let r = g.post("/v1/chat/completions", &[], &chat("agentc/fast", None));
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["choices"][0]["message"]["content"], "quick answer");
}

#[test]
fn a_body_over_the_limit_is_refused_with_413() {
    let server = Server::start();
    let p = Project::new(&server, "");
    p.agent("explore", "provider: spare\nmodel: qwen\n", BODY);
    let g = Gateway::start(p.path(), None, &[], &["--max-body", "1000"]);
    let big = chat("agentc/explore", Some(&"x".repeat(2000)));
    let r = g.post("/v1/chat/completions", &[], &big);
    assert_eq!(r.status, 413);
    assert_eq!(
        r.json()["error"]["message"],
        "agentc gateway: the request body is larger than the gateway's limit of 1000 bytes [body-too-large]"
    );
    assert!(server.requests().is_empty());
}

#[test]
fn a_stream_that_breaks_before_its_first_byte_falls_back() {
    use support::scripted::{Answer, Scripted};
    let broken = Scripted::start(|_, _| Answer {
        cut: true,
        ..Answer::sse(&[(None, "{}".into())])
    });
    let server = Server::start();
    server.reply("up", Reply::answer("whole answer"));
    let p = Project::new(&server, "");
    let toml = std::fs::read_to_string(p.path().join(".agents/agentc.toml")).unwrap();
    std::fs::write(
        p.path().join(".agents/agentc.toml"),
        format!(
            "{toml}\n[providers.broken]\nkind = \"openai-compatible\"\nbase_url = \"{}\"\n",
            broken.base_url()
        ),
    )
    .unwrap();
    p.agent(
        "explore",
        "provider: broken\nmodel: m\nfallback: [spare/up]\n",
        BODY,
    );
    let g = start(&p);
    let mut body = chat("agentc/explore", None);
    body["stream"] = json!(true);
    let r = g.post("/v1/chat/completions", &[], &body);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("x-agentc-route"), "spare/up");
    assert_eq!(r.sse_data().last().unwrap(), "[DONE]");
    let e = g.next_event("request");
    let attempts = e["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 2, "{e}");
    assert_eq!(attempts[0]["status"], "error");
    assert_eq!(attempts[0]["http_status"], Value::Null);
    assert_eq!(attempts[1]["status"], "ok");
    assert_eq!(e["error"], Value::Null);
}

#[test]
fn a_stream_broken_after_its_first_byte_ends_with_an_error_and_no_fallback() {
    let server = Server::start();
    server.reply(
        "cut",
        Reply::CloseMidStream {
            text: "partial answer here".into(),
        },
    );
    server.reply("up", Reply::answer("never"));
    let p = Project::new(&server, "");
    p.agent(
        "explore",
        "provider: spare\nmodel: cut\nfallback: [spare/up]\n",
        BODY,
    );
    let g = start(&p);
    let mut body = chat("agentc/explore", None);
    body["stream"] = json!(true);
    let r = g.post("/v1/chat/completions", &[], &body);
    assert_eq!(r.status, 200);
    let data = r.sse_data();
    assert_ne!(data.last().unwrap(), "[DONE]");
    let last: Value = serde_json::from_str(data.last().unwrap()).unwrap();
    assert!(
        last["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("the answer broke off"),
        "{last}"
    );
    let e = g.next_event("request");
    assert_eq!(e["error"]["code"], "interrupted");
    assert_eq!(e["attempts"].as_array().unwrap().len(), 1);
    assert_eq!(server.models_requested(), ["cut"]);
}

#[test]
fn a_rate_limited_last_route_is_passed_on_with_its_retry_after() {
    use support::scripted::{Answer, Scripted};
    let limited = Scripted::start(|_, _| Answer {
        headers: vec![("retry-after".into(), "7".into())],
        ..Answer::json(
            429,
            &json!({"error": {"message": "slow down", "type": "rate_limit_exceeded"}}),
        )
    });
    let server = Server::start();
    let p = Project::new(&server, "");
    let toml = std::fs::read_to_string(p.path().join(".agents/agentc.toml")).unwrap();
    std::fs::write(
        p.path().join(".agents/agentc.toml"),
        format!(
            "{toml}\n[providers.limited]\nkind = \"openai-compatible\"\nbase_url = \"{}\"\n",
            limited.base_url()
        ),
    )
    .unwrap();
    p.agent("explore", "provider: limited\nmodel: m\n", BODY);
    let g = start(&p);
    let r = g.post("/v1/chat/completions", &[], &chat("agentc/explore", None));
    assert_eq!(r.status, 429);
    assert_eq!(r.header("retry-after"), "7");
    assert_eq!(
        r.json(),
        json!({"error": {"message": "slow down", "type": "rate_limit_exceeded"}})
    );
    // Through the Anthropic door, in Anthropic's format.
    let r = g.post(
        "/v1/messages",
        &[],
        &json!({"model": "agentc/explore", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]}),
    );
    assert_eq!(r.status, 429);
    assert_eq!(r.header("retry-after"), "7");
    assert_eq!(r.json()["error"]["type"], "rate_limit_error");
    assert_eq!(r.json()["error"]["message"], "slow down");
    let e = g.next_event("request");
    assert_eq!(e["error"]["code"], "upstream-error");
    assert_eq!(e["attempts"][0]["http_status"], 429);
}

#[test]
fn an_unset_key_is_refused_and_never_rerouted() {
    let server = Server::start();
    server.reply("qwen", Reply::answer("should not be asked"));
    let p = Project::new(&server, "");
    p.agent(
        "explore",
        "provider: local\nmodel: qwen\nfallback: [spare/qwen]\n",
        BODY,
    );
    // No AGENTC_TEST_KEY in the gateway's environment.
    let g = Gateway::start(p.path(), None, &[], &[]);
    let r = g.post(
        "/v1/chat/completions",
        &[("authorization", "Bearer client-secret")],
        &chat("agentc/explore", None),
    );
    assert_eq!(r.status, 401);
    assert_eq!(
        r.json()["error"]["message"],
        format!(
            "agentc gateway: `{KEY_VAR}` is not set: provider `local` needs its API key (export {KEY_VAR}=… where the gateway runs) [missing-credential]"
        )
    );
    assert!(server.requests().is_empty());
}

#[test]
fn a_client_that_goes_away_is_still_one_event() {
    use std::io::Write;
    let server = Server::start();
    server.reply("qwen", Reply::Hang);
    let p = Project::new(&server, "");
    p.agent("explore", "provider: spare\nmodel: qwen\n", BODY);
    let g = start(&p);
    let body = chat("agentc/explore", None).to_string();
    let mut s = std::net::TcpStream::connect(g.url.trim_start_matches("http://")).unwrap();
    write!(
        s,
        "POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    assert!(server.wait_in_flight(1, support::gateway::WAIT));
    drop(s);
    let e = g.next_event("request");
    assert_eq!(e["status"], 499);
    assert_eq!(e["error"]["code"], "client-closed");
    assert_eq!(e["agent"], "explore");
}

#[test]
fn a_stream_whose_client_goes_away_is_cancelled_upstream() {
    use std::io::{BufRead, BufReader, Read, Write};
    // An upstream that sends one event, then holds the stream open until
    // the gateway hangs up; it reports when that happens.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let (hung_up, seen) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let (conn, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(conn.try_clone().unwrap());
        let mut len = 0;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                len = v.trim().parse().unwrap();
            }
            if line == "\r\n" {
                break;
            }
        }
        let mut body = vec![0; len];
        reader.read_exact(&mut body).unwrap();
        let mut out = conn;
        let event = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}\n\n";
        write!(out, "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n{:x}\r\n{event}\r\n", event.len()).unwrap();
        out.flush().unwrap();
        let mut rest = [0u8; 64];
        // 0 bytes read: the gateway closed the connection.
        while reader.read(&mut rest).unwrap_or(0) > 0 {}
        let _ = hung_up.send(());
    });
    let server = Server::start();
    let p = Project::new(
        &server,
        &format!(
            "[providers.held]\nkind = \"openai-compatible\"\nbase_url = \"http://{addr}/v1\"\n"
        ),
    );
    p.agent("explore", "provider: held\nmodel: m\n", BODY);
    let g = start(&p);
    let mut body = chat("agentc/explore", None);
    body["stream"] = json!(true);
    let body = body.to_string();
    let mut s = std::net::TcpStream::connect(g.url.trim_start_matches("http://")).unwrap();
    write!(s, "POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}", body.len()).unwrap();
    let mut first = [0u8; 16];
    assert!(s.read(&mut first).unwrap() > 0);
    drop(s);
    seen.recv_timeout(support::gateway::WAIT)
        .expect("the gateway hung up on the upstream");
    let e = g.next_event("request");
    assert_eq!(e["error"]["code"], "client-closed");
}

#[test]
fn a_provider_that_ignores_stream_still_gives_the_client_a_stream() {
    use support::scripted::{Answer, Scripted};
    let whole = Scripted::start(|req, _| {
        Answer::json(
            200,
            &json!({"id": "c1", "object": "chat.completion", "created": 1, "model": req.body["model"],
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "in one piece"}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}}),
        )
    });
    let server = Server::start();
    let p = Project::new(
        &server,
        &format!(
            "[providers.whole]\nkind = \"openai-compatible\"\nbase_url = \"{}\"\n",
            whole.base_url()
        ),
    );
    p.agent("explore", "provider: whole\nmodel: m\n", BODY);
    let g = start(&p);
    let mut body = chat("agentc/explore", None);
    body["stream"] = json!(true);
    let r = g.post("/v1/chat/completions", &[], &body);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), "text/event-stream");
    let data = r.sse_data();
    assert_eq!(data.last().unwrap(), "[DONE]");
    let first: Value = serde_json::from_str(&data[0]).unwrap();
    assert_eq!(first["object"], "chat.completion.chunk");
    assert_eq!(first["choices"][0]["delta"]["content"], "in one piece");
    let r = g.post(
        "/v1/messages",
        &[],
        &json!({"model": "agentc/explore", "max_tokens": 50, "stream": true, "messages": [{"role": "user", "content": "hi"}]}),
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), "text/event-stream");
    let events: Vec<Value> = r
        .sse_data()
        .iter()
        .map(|d| serde_json::from_str(d).unwrap())
        .collect();
    let kinds: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "message_start",
            "content_block_start",
            "content_block_delta",
            "content_block_stop",
            "message_delta",
            "message_stop"
        ]
    );
    assert_eq!(events[2]["delta"]["text"], "in one piece");
    assert_eq!(events[4]["delta"]["stop_reason"], "end_turn");
}

#[test]
fn on_unavailable_fallback_tries_the_parent_route_last() {
    let server = Server::start();
    server.reply("down", Reply::Status(503));
    server.reply("parent-model", Reply::answer("the parent's model answered"));
    let p = Project::new(
        &server,
        "[policy]\non_unavailable = \"fallback\"\n\n[gateway]\nparent = \"spare/parent-model\"\n",
    );
    p.agent("explore", "provider: spare\nmodel: down\n", BODY);
    let g = start(&p);
    let r = g.post("/v1/chat/completions", &[], &chat("agentc/explore", None));
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("x-agentc-route"), "spare/parent-model");
    let e = g.next_event("request");
    assert_eq!(e["attempts"].as_array().unwrap().len(), 2);
    assert_eq!(server.models_requested(), ["down", "parent-model"]);
}
