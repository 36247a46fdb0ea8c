//! `agentc run` end to end: the real binary against an OpenAI-compatible
//! server on loopback started by the test.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod support;

use assert_cmd::Command;
use serde_json::{Value, json};
use std::time::Duration;
use support::openai::{KEY, KEY_VAR, Project, Reply, Server};

fn agentc(project: &Project) -> Command {
    let mut cmd = Command::cargo_bin("agentc").unwrap();
    cmd.current_dir(project.path())
        .arg("--no-user")
        .env(KEY_VAR, KEY)
        .env_remove("NO_COLOR");
    cmd
}

fn json_of(out: &[u8]) -> Value {
    serde_json::from_slice(out).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(out)))
}

fn lines_of(out: &[u8]) -> Vec<Value> {
    String::from_utf8(out.to_vec())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[test]
fn streams_the_answer_with_the_system_prompt_params_and_key() {
    let server = Server::start();
    server.reply("m1", Reply::answer("Hello from m1."));
    let p = Project::new(&server, "");
    p.agent(
        "explore",
        "provider: local\nmodel: m1\ntemperature: 0.2\ntop_p: 0.9\nmax_tokens: 128\nreasoning_effort: low\n",
        "\r\nYou explore code.\r\nBe brief.\r\n\r\n",
    );
    let out = agentc(&p)
        .args(["run", "explore", "Where is main?"])
        .assert()
        .success();
    assert_eq!(
        String::from_utf8_lossy(&out.get_output().stdout),
        "Hello from m1."
    );
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("POST", "/v1/chat/completions")
    );
    assert_eq!(r.headers["authorization"], format!("Bearer {KEY}"));
    assert_eq!(
        r.body,
        json!({
            "model": "m1",
            "stream": true,
            "messages": [
                {"role": "system", "content": "You explore code.\nBe brief."},
                {"role": "user", "content": "Where is main?"}
            ],
            "temperature": 0.2, "top_p": 0.9, "max_tokens": 128, "reasoning_effort": "low"
        })
    );
    // The key is sent, never shown.
    let stderr = String::from_utf8_lossy(&out.get_output().stderr);
    assert!(!stderr.contains(KEY));
}

#[test]
fn json_reports_planned_route_attempts_output_and_usage() {
    let server = Server::start();
    server.reply("m1", Reply::answer("Done."));
    let p = Project::new(&server, "");
    p.agent("explore", "provider: local\nmodel: m1\n", "Explore.\n");
    let out = agentc(&p)
        .args(["run", "explore", "go", "--format", "json"])
        .assert()
        .success();
    assert_eq!(
        json_of(&out.get_output().stdout),
        json!({
            "agent": "explore",
            "status": "ok",
            "planned": {"provider": "local", "model": "m1"},
            "route": {"provider": "local", "model": "m1"},
            "attempts": [{"provider": "local", "model": "m1", "status": "ok", "http_status": 200, "error": null}],
            "output": "Done.",
            "usage": {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10},
            "error": null
        })
    );
    // Not streamed: one JSON answer.
    assert_eq!(server.requests()[0].body["stream"], json!(false));
}

#[test]
fn falls_back_in_order_on_5xx_and_429_and_says_so() {
    let server = Server::start();
    server.reply("m1", Reply::Status(500));
    server.reply("m2", Reply::Status(429));
    server.reply("m3", Reply::answer("third time"));
    let p = Project::new(&server, "");
    p.agent(
        "explore",
        "provider: local\nmodel: m1\nfallback: [spare/m2, local/m3]\n",
        "Explore.\n",
    );
    let out = agentc(&p)
        .args(["run", "explore", "go", "--format", "json"])
        .assert()
        .success();
    let v = json_of(&out.get_output().stdout);
    assert_eq!(v["planned"], json!({"provider": "local", "model": "m1"}));
    assert_eq!(v["route"], json!({"provider": "local", "model": "m3"}));
    assert_eq!(
        v["attempts"],
        json!([
            {"provider": "local", "model": "m1", "status": "error", "http_status": 500, "error": "HTTP 500: status 500 for `m1`"},
            {"provider": "spare", "model": "m2", "status": "error", "http_status": 429, "error": "HTTP 429: status 429 for `m2`"},
            {"provider": "local", "model": "m3", "status": "ok", "http_status": 200, "error": null}
        ])
    );
    assert_eq!(v["output"], "third time");
    assert_eq!(server.models_requested(), ["m1", "m2", "m3"]);
    // The key goes to `local` only: `spare` names no key variable.
    let auth: Vec<Option<String>> = server
        .requests()
        .iter()
        .map(|r| r.headers.get("authorization").cloned())
        .collect();
    assert_eq!(
        auth,
        [
            Some(format!("Bearer {KEY}")),
            None,
            Some(format!("Bearer {KEY}"))
        ]
    );
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert_eq!(
        stderr,
        "agentc: explore: local/m1 failed (HTTP 500: status 500 for `m1`); falling back to spare/m2\n\
         agentc: explore: spare/m2 failed (HTTP 429: status 429 for `m2`); falling back to local/m3\n"
    );
}

#[test]
fn a_400_is_never_retried_on_a_fallback() {
    let server = Server::start();
    server.reply("m1", Reply::Status(400));
    server.reply("m2", Reply::answer("should not be asked"));
    let p = Project::new(&server, "");
    p.agent(
        "explore",
        "provider: local\nmodel: m1\nfallback: [spare/m2]\n",
        "Explore.\n",
    );
    let out = agentc(&p)
        .args(["run", "explore", "go", "--format", "json"])
        .assert()
        .code(1);
    let v = json_of(&out.get_output().stdout);
    assert_eq!(v["status"], "error");
    assert_eq!(v["error"]["code"], "request-rejected");
    assert_eq!(v["route"], json!({"provider": "local", "model": "m1"}));
    assert_eq!(v["attempts"].as_array().unwrap().len(), 1);
    assert_eq!(v["attempts"][0]["http_status"], 400);
    assert_eq!(server.models_requested(), ["m1"]);
}

#[test]
fn a_timeout_falls_back_and_an_exhausted_chain_fails() {
    let server = Server::start();
    server.reply("m1", Reply::Hang);
    server.reply("m2", Reply::answer("spare answer"));
    let p = Project::new(&server, "");
    p.agent(
        "explore",
        "provider: local\nmodel: m1\nfallback: [spare/m2]\ntimeout: 300ms\n",
        "Explore.\n",
    );
    let out = agentc(&p).args(["run", "explore", "go"]).assert().success();
    assert_eq!(
        String::from_utf8_lossy(&out.get_output().stdout),
        "spare answer"
    );
    assert_eq!(
        String::from_utf8_lossy(&out.get_output().stderr),
        "agentc: explore: local/m1 failed (timed out after 300ms); falling back to spare/m2\n"
    );

    server.reply("m2", Reply::Status(503));
    let out = agentc(&p)
        .args(["run", "explore", "go", "--format", "json"])
        .assert()
        .code(1);
    let v = json_of(&out.get_output().stdout);
    assert_eq!(v["error"]["code"], "unavailable");
    assert_eq!(v["route"], json!({"provider": "spare", "model": "m2"}));
    assert_eq!(
        v["attempts"],
        json!([
            {"provider": "local", "model": "m1", "status": "error", "http_status": null, "error": "timed out after 300ms"},
            {"provider": "spare", "model": "m2", "status": "error", "http_status": 503, "error": "HTTP 503: status 503 for `m2`"}
        ])
    );
}

#[test]
fn an_answer_that_breaks_off_is_not_retried_elsewhere() {
    let server = Server::start();
    server.reply(
        "m1",
        Reply::CloseMidStream {
            text: "partial answer here".into(),
        },
    );
    server.reply("m2", Reply::answer("should not be asked"));
    let p = Project::new(&server, "");
    p.agent(
        "explore",
        "provider: local\nmodel: m1\nfallback: [spare/m2]\n",
        "Explore.\n",
    );
    let out = agentc(&p).args(["run", "explore", "go"]).assert().code(1);
    assert_eq!(
        String::from_utf8_lossy(&out.get_output().stdout),
        "partial "
    );
    let stderr = String::from_utf8_lossy(&out.get_output().stderr);
    assert!(
        stderr.starts_with("agentc: error[interrupted]: the answer from local/m1 broke off"),
        "{stderr}"
    );
    assert_eq!(server.models_requested(), ["m1"]);
}

#[test]
fn a_missing_key_is_missing_credential_naming_the_variable() {
    let server = Server::start();
    let p = Project::new(&server, "");
    p.agent("explore", "provider: local\nmodel: m1\n", "Explore.\n");
    let out = agentc(&p)
        .env_remove(KEY_VAR)
        .args(["run", "explore", "go"])
        .assert()
        .code(1);
    assert_eq!(
        String::from_utf8_lossy(&out.get_output().stderr),
        format!(
            "agentc: error[missing-credential]: `{KEY_VAR}` is not set: provider `local` needs its API key\n  \
             help: export {KEY_VAR}=… in the environment; a key never goes in agentc.toml or an agent file\n"
        )
    );
    assert!(server.requests().is_empty());
}

#[test]
fn an_untrusted_provider_is_refused_before_anything_is_sent() {
    let server = Server::start();
    let p = Project::new(
        &server,
        "[providers.corp]\nkind = \"openai-compatible\"\nbase_url = \"https://llm.corp.invalid/v1\"\napi_key_env = \"CORP_KEY\"\n",
    );
    p.agent("explore", "provider: corp\nmodel: big\n", "Explore.\n");
    let out = agentc(&p)
        .env("CORP_KEY", "secret-corp-key")
        .args(["run", "explore", "go", "--format", "json"])
        .assert()
        .code(1);
    let v = json_of(&out.get_output().stdout);
    assert_eq!(v["error"]["code"], "untrusted-provider");
    assert_eq!(
        v["error"]["message"],
        "provider `corp` (https://llm.corp.invalid/v1) is not trusted: the project's config would send `CORP_KEY` to a host outside this machine"
    );
    assert_eq!(v["attempts"], json!([]));
    let all = String::from_utf8_lossy(&out.get_output().stdout).into_owned()
        + &String::from_utf8_lossy(&out.get_output().stderr);
    assert!(!all.contains("secret-corp-key"));
}

#[test]
fn call_overrides_route_the_run_and_bad_ones_are_diagnosed() {
    let server = Server::start();
    server.reply("m9", Reply::answer("from m9"));
    let p = Project::new(&server, "[policy]\nallowed_models = [\"spare/*\"]\n");
    p.agent("explore", "provider: local\nmodel: m1\n", "Explore.\n");
    let out = agentc(&p)
        .args([
            "run",
            "explore",
            "go",
            "--call-provider",
            "spare",
            "--call-model",
            "m9",
            "--format",
            "json",
        ])
        .assert()
        .success();
    let v = json_of(&out.get_output().stdout);
    assert_eq!(v["planned"], json!({"provider": "spare", "model": "m9"}));
    assert_eq!(v["output"], "from m9");

    let out = agentc(&p)
        .args([
            "run",
            "explore",
            "go",
            "--call-model",
            "local/m2",
            "--format",
            "json",
        ])
        .assert()
        .code(1);
    let v = json_of(&out.get_output().stdout);
    assert_eq!(v["error"]["code"], "override-not-allowed");
    assert_eq!(v["error"]["diagnostics"][0]["code"], "override-not-allowed");
    assert_eq!(v["planned"], Value::Null);

    let out = agentc(&p).args(["run", "explor", "go"]).assert().code(1);
    assert_eq!(
        String::from_utf8_lossy(&out.get_output().stderr),
        "agentc: error[unknown-agent]: unknown agent `explor`\n  help: did you mean `explore`?\n"
    );
    assert_eq!(server.models_requested(), ["m9"]);
}

#[test]
fn an_inheriting_agent_runs_on_the_parent_route() {
    let server = Server::start();
    server.reply("p1", Reply::answer("parent's model"));
    let p = Project::new(&server, "");
    p.agent("helper", "", "Help.\n");
    let out = agentc(&p).args(["run", "helper", "go"]).assert().code(1);
    assert!(
        String::from_utf8_lossy(&out.get_output().stderr).starts_with("agentc: error[no-route]: `helper` inherits the parent session's route, and none was given\n")
    );
    agentc(&p)
        .args(["run", "helper", "go", "--parent", "spare/p1"])
        .assert()
        .success()
        .stdout("parent's model");
}

#[test]
fn the_prompt_can_come_from_stdin() {
    let server = Server::start();
    server.reply("m1", Reply::answer("ok"));
    let p = Project::new(&server, "");
    p.agent("explore", "provider: spare\nmodel: m1\n", "Explore.\n");
    agentc(&p)
        .args(["run", "explore", "-"])
        .write_stdin("a long prompt\nwith lines\n")
        .assert()
        .success();
    assert_eq!(
        server.requests()[0].body["messages"][1]["content"],
        "a long prompt\nwith lines\n"
    );
}

#[test]
fn usage_errors_exit_2() {
    let server = Server::start();
    let p = Project::new(&server, "");
    p.agent("explore", "provider: spare\nmodel: m1\n", "Explore.\n");
    agentc(&p).args(["run", "explore"]).assert().code(2);
    agentc(&p)
        .args(["run", "explore", "go", "--batch", "b.json"])
        .assert()
        .code(2);
    agentc(&p)
        .args(["run", "explore", "go", "--format", "sarif"])
        .assert()
        .code(2);
    agentc(&p)
        .args(["run", "--batch", "missing.json"])
        .assert()
        .code(2);
    p.file("bad.json", "{\"tasks\": [");
    agentc(&p)
        .args(["run", "--batch", "bad.json"])
        .assert()
        .code(2);
    p.file("shape.json", "{\"jobs\": []}");
    let out = agentc(&p)
        .args(["run", "--batch", "shape.json"])
        .assert()
        .code(2);
    assert!(String::from_utf8_lossy(&out.get_output().stderr).contains("unknown key `jobs`"));
    agentc(&p)
        .args(["run", "--batch", "shape.json", "--jobs", "0"])
        .assert()
        .code(2);
    assert!(server.requests().is_empty());
}

#[test]
fn a_batch_routes_each_task_and_prints_one_line_per_task() {
    let server = Server::start();
    for m in ["m1", "m2", "m3"] {
        server.reply(m, Reply::answer(&format!("answer of {m}")));
    }
    let p = Project::new(&server, "");
    p.agent("explore", "provider: local\nmodel: m1\n", "Explore.\n");
    p.agent("review", "provider: local\nmodel: m1\n", "Review.\n");
    p.file(
        "batch.json",
        r#"{"provider": "spare", "model": "m2", "tasks": [
            {"agent": "explore", "prompt": "a"},
            {"agent": "review", "prompt": "b", "model": "local/m3"},
            {"agent": "review", "prompt": "c", "provider": "local", "model": "m1"}
        ]}"#,
    );
    let out = agentc(&p)
        .args(["run", "--batch", "batch.json"])
        .assert()
        .success();
    let mut lines = lines_of(&out.get_output().stdout);
    lines.sort_by_key(|l| l["index"].as_u64());
    let routes: Vec<(u64, Value, Value)> = lines
        .iter()
        .map(|l| {
            (
                l["index"].as_u64().unwrap(),
                l["route"].clone(),
                l["output"].clone(),
            )
        })
        .collect();
    assert_eq!(
        routes,
        [
            (
                0,
                json!({"provider": "spare", "model": "m2"}),
                json!("answer of m2")
            ),
            (
                1,
                json!({"provider": "local", "model": "m3"}),
                json!("answer of m3")
            ),
            (
                2,
                json!({"provider": "local", "model": "m1"}),
                json!("answer of m1")
            ),
        ]
    );
    assert_eq!(lines[1]["agent"], "review");
    assert_eq!(
        String::from_utf8_lossy(&out.get_output().stderr),
        "agentc: 3 tasks: 3 ok, 0 failed, 0 cancelled\n"
    );
}

#[test]
fn no_line_is_lost_when_tasks_fail_or_time_out() {
    let server = Server::start();
    server.reply("ok", Reply::answer("fine"));
    server.reply("boom", Reply::Status(500));
    server.reply("bad", Reply::Status(400));
    server.reply("hang", Reply::Hang);
    let p = Project::new(&server, "");
    p.agent(
        "explore",
        "provider: spare\nmodel: ok\ntimeout: 300ms\n",
        "Explore.\n",
    );
    p.file(
        "batch.json",
        r#"{"tasks": [
            {"agent": "explore", "prompt": "0"},
            {"agent": "explore", "prompt": "1", "model": "spare/boom"},
            {"agent": "explore", "prompt": "2", "model": "spare/bad"},
            {"agent": "explore", "prompt": "3", "model": "spare/hang"},
            {"agent": "nobody", "prompt": "4"},
            {"agent": "explore"},
            {"agent": "explore", "prompt": "6", "provider": "nowhere"},
            {"agent": "explore", "prompt": "7", "model": "local/ok"}
        ]}"#,
    );
    let out = agentc(&p)
        .env_remove(KEY_VAR)
        .args(["run", "--batch", "batch.json", "--jobs", "3"])
        .assert()
        .code(1);
    let mut lines = lines_of(&out.get_output().stdout);
    lines.sort_by_key(|l| l["index"].as_u64());
    let got: Vec<(u64, String, String)> = lines
        .iter()
        .map(|l| {
            (
                l["index"].as_u64().unwrap(),
                l["status"].as_str().unwrap().to_string(),
                l["error"]["code"].as_str().unwrap_or("-").to_string(),
            )
        })
        .collect();
    let want: Vec<(u64, String, String)> = [
        (0, "ok", "-"),
        (1, "error", "unavailable"),
        (2, "error", "request-rejected"),
        (3, "error", "unavailable"),
        (4, "error", "unknown-agent"),
        (5, "error", "invalid-task"),
        (6, "error", "unknown-provider"),
        (7, "error", "missing-credential"),
    ]
    .into_iter()
    .map(|(i, s, c)| (i, s.to_string(), c.to_string()))
    .collect();
    assert_eq!(got, want);
    assert_eq!(lines[3]["attempts"][0]["error"], "timed out after 300ms");
    assert_eq!(lines[5]["error"]["message"], "task 5: `prompt` is missing");
    let stderr = String::from_utf8_lossy(&out.get_output().stderr);
    assert!(
        stderr.ends_with("agentc: 8 tasks: 1 ok, 7 failed, 0 cancelled\n"),
        "{stderr}"
    );
    assert!(
        stderr.contains("agentc: task 4 (nobody): error[unknown-agent]: unknown agent `nobody`\n")
    );
}

#[test]
fn a_batch_keeps_to_the_providers_cap_and_to_jobs() {
    let server = Server::start();
    server.reply("slow", Reply::slow("done", Duration::from_millis(150)));
    server.hold_until_peak(2);
    let p = Project::with_spare(&server, "max_concurrency = 2\n", "");
    p.agent("explore", "provider: spare\nmodel: slow\n", "Explore.\n");
    let tasks: Vec<Value> = (0..8)
        .map(|i| json!({"agent": "explore", "prompt": i.to_string()}))
        .collect();
    p.file("batch.json", &json!({"tasks": tasks}).to_string());
    let out = agentc(&p)
        .args(["run", "--batch", "batch.json", "--jobs", "6"])
        .assert()
        .success();
    assert_eq!(lines_of(&out.get_output().stdout).len(), 8);
    assert_eq!(server.peak(), 2);

    // `local` has no cap of its own: `--jobs` holds.
    let server = Server::start();
    server.reply("slow", Reply::slow("done", Duration::from_millis(150)));
    server.hold_until_peak(3);
    let p = Project::new(&server, "");
    p.agent("explore", "provider: local\nmodel: slow\n", "Explore.\n");
    p.file("batch.json", &json!({"tasks": tasks}).to_string());
    agentc(&p)
        .args(["run", "--batch", "batch.json", "--jobs", "3"])
        .assert()
        .success();
    assert_eq!(server.peak(), 3);
    // Connections are reused: fewer than one per request (a connection
    // goes back to the pool a moment after its answer is read, so a task
    // started at that moment may open one more than `--jobs`).
    assert!(
        server.connections() < tasks.len(),
        "{} connections",
        server.connections()
    );
}

#[cfg(unix)]
#[test]
fn ctrl_c_reports_every_unfinished_task_as_cancelled() {
    use std::io::Read;
    let server = Server::start();
    server.reply("hang", Reply::Hang);
    server.reply("ok", Reply::answer("quick"));
    let p = Project::new(&server, "");
    p.agent("explore", "provider: spare\nmodel: hang\n", "Explore.\n");
    p.file(
        "batch.json",
        r#"{"tasks": [
            {"agent": "explore", "prompt": "0", "model": "spare/ok"},
            {"agent": "explore", "prompt": "1"},
            {"agent": "explore", "prompt": "2"},
            {"agent": "explore", "prompt": "3"}
        ]}"#,
    );
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("agentc"))
        .current_dir(p.path())
        .args(["--no-user", "run", "--batch", "batch.json", "--jobs", "2"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Task 0 has finished once a third request arrives (two slots), and
    // two hanging tasks hold both slots; one waits.
    assert!(
        server.wait_until(Duration::from_secs(20), |seen, in_flight| seen == 3
            && in_flight == 2)
    );
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let code = child.wait().unwrap();
    let mut stdout = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    assert_eq!(code.code(), Some(1));
    let mut lines = lines_of(stdout.as_bytes());
    lines.sort_by_key(|l| l["index"].as_u64());
    let statuses: Vec<&str> = lines
        .iter()
        .map(|l| l["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["ok", "cancelled", "cancelled", "cancelled"]);
    let messages: Vec<&str> = lines[1..]
        .iter()
        .map(|l| l["error"]["message"].as_str().unwrap())
        .collect();
    let mut sorted = messages.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        [
            "cancelled before it started",
            "cancelled while running",
            "cancelled while running"
        ]
    );
    for l in &lines[1..] {
        if l["error"]["message"] == "cancelled while running" {
            assert_eq!(
                l["attempts"],
                json!([{"provider": "spare", "model": "hang", "status": "error", "http_status": null, "error": "cancelled"}])
            );
        }
    }
}
