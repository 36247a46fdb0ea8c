//! Codex is the judge of the codex dialect. `agentc export --to codex`
//! writes a project's agents as `.codex/agents/*.toml`; Codex (a fresh
//! CODEX_HOME that trusts the project) lists every role in the prompt it
//! would send its model (`codex debug prompt-input`, offline) with the
//! model and reasoning effort the export promised, and leaves out a file it
//! ignores as malformed ("Ignoring malformed agent role definition", from
//! `codex exec --json`), exactly where `agentc check` reports an error. Native role files imported and exported back list identically.
//!
//! Needs `codex` on PATH (`.ci/clients`); run by `.ci/run`.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod support;

use serde_json::Value;
use std::path::Path;
use std::process::Command;
use support::harness::{agentc_in, write_files};

/// The "Available roles" section of the prompt Codex would send for a
/// session in `project`: one entry per role, as Codex describes it.
fn roles(project: &Path, codex_home: &Path) -> String {
    let codex = support::harness::installed("codex");
    std::fs::create_dir_all(codex_home).unwrap();
    let real = project.canonicalize().unwrap();
    std::fs::write(
        codex_home.join("config.toml"),
        format!(
            "[projects.{:?}]\ntrust_level = \"trusted\"\n",
            real.to_str().unwrap()
        ),
    )
    .unwrap();
    let home = codex_home.join("home");
    std::fs::create_dir_all(&home).unwrap();
    let out = Command::new(codex)
        .current_dir(project)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", &home)
        .env("CODEX_HOME", codex_home)
        .args(["debug", "prompt-input", "Say hi."])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "codex failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let start = text
        .find("Available roles:")
        .expect("no role list in the prompt");
    let rest = &text[start..];
    // The section is one JSON string; it ends where the built-in `default`
    // role begins.
    let end = rest.find("default: {").unwrap_or(rest.len());
    rest[..end].replace("\\n", "\n")
}

/// The files Codex reports as "Ignoring malformed agent role definition"
/// when a session starts (`codex exec --json`), sorted. Its model is a
/// loopback server that refuses every request, so the session ends at
/// once.
fn malformed(project: &Path, codex_home: &Path) -> Vec<String> {
    use std::io::{BufRead, BufReader, Read, Write};
    let codex = support::harness::installed("codex");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut stream = stream;
                loop {
                    let mut length = 0usize;
                    let mut first = true;
                    loop {
                        let mut h = String::new();
                        if reader.read_line(&mut h).unwrap_or(0) == 0 {
                            return;
                        }
                        let h = h.trim_end();
                        if h.is_empty() && !first {
                            break;
                        }
                        first = false;
                        if let Some((k, v)) = h.split_once(':')
                            && k.eq_ignore_ascii_case("content-length")
                        {
                            length = v.trim().parse().unwrap_or(0);
                        }
                    }
                    let mut body = vec![0u8; length];
                    if reader.read_exact(&mut body).is_err() {
                        return;
                    }
                    let text = r#"{"error":{"message":"refused by the test","type":"invalid_request_error"}}"#;
                    let reply = format!(
                        "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{text}",
                        text.len()
                    );
                    if stream.write_all(reply.as_bytes()).is_err() {
                        return;
                    }
                }
            });
        }
    });
    let out = Command::new(codex)
        .current_dir(project)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", codex_home.join("home"))
        .env("CODEX_HOME", codex_home)
        .env("OPENAI_API_KEY", "test-key")
        .args([
            "exec",
            "--json",
            "--skip-git-repo-check",
            "-c",
            "model_provider=\"loopback\"",
            "-c",
            "model_providers.loopback.name=\"loopback\"",
            "-c",
            &format!("model_providers.loopback.base_url=\"http://127.0.0.1:{port}/v1\""),
            "-c",
            "model_providers.loopback.wire_api=\"responses\"",
            "-c",
            "model_providers.loopback.env_key=\"OPENAI_API_KEY\"",
            "Say hi.",
        ])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("\"turn.started\""),
        "the Codex session did not start: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut files: Vec<String> = stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter_map(|v| v["item"]["message"].as_str().map(str::to_string))
        .filter(|m| m.starts_with("Ignoring malformed agent role definition"))
        .filter_map(|m| {
            m.split("/.codex/agents/")
                .nth(1)
                .and_then(|rest| rest.split([' ', ':']).next())
                .map(str::to_string)
        })
        .collect();
    files.sort();
    files.dedup();
    files
}

#[test]
#[ignore = "needs codex; run by .ci/run"]
fn exported_roles_load_with_their_models() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("project");
    write_files(
        &project,
        &[
            (
                ".agents/explore.md",
                "---\ndescription: Read-only explorer.\nmodel: openai/gpt-5.4-mini\nreasoning_effort: low\ntools: [read, grep, glob, ls]\n---\nExplore and report.\n",
            ),
            (
                ".agents/build.md",
                "---\ndescription: Builds and runs the tests.\nmodel: ollama/qwen3-coder\nfallback: [openai/gpt-5.4]\ntools: [read, write, edit, bash, web_search]\n---\nBuild it.\n",
            ),
            (
                ".agents/plan.md",
                "---\ndescription: Plans the work.\nmodel: anthropic/claude-sonnet-4-5\n---\nPlan it.\n",
            ),
            (
                ".agents/edit.md",
                "---\ndescription: Edits without a shell.\nmodel: openai/gpt-5.4\ntools: [read, edit]\n---\nEdit.\n",
            ),
        ],
    );
    let (code, report) = agentc_in(
        &project,
        &["--no-user", "--format", "json", "export", "--to", "codex"],
    );
    // `edit` would get Codex's shell: refused, and the exit status says so.
    assert_eq!(code, 1, "{report}");
    let refused: Vec<&str> = report["not_exported"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(refused, vec!["edit"]);
    let fields = |name: &str| -> Vec<String> {
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
                format!(
                    "{} {}",
                    n["kind"].as_str().unwrap(),
                    n["field"].as_str().unwrap()
                )
            })
            .collect()
    };
    assert_eq!(fields("explore"), Vec::<String>::new());
    assert_eq!(fields("build"), vec!["lost fallback", "approximated tools"]);
    assert_eq!(fields("plan"), vec!["lost model"]);
    let explore = std::fs::read_to_string(project.join(".codex/agents/explore.toml")).unwrap();
    assert!(
        explore.contains("sandbox_mode = \"read-only\"\n"),
        "{explore}"
    );

    // A role Codex would ignore, which agentc also rejects.
    write_files(
        &project,
        &[(
            ".codex/agents/broken.toml",
            "name = \"broken\"\ndescription = \"No instructions.\"\nsandbox_mode = \"readonly\"\n",
        )],
    );
    let (_, checked) = agentc_in(&project, &["--no-user", "--format", "json", "check"]);
    let errors: Vec<(String, String)> = checked["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] == "error")
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_string(),
                d["code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        errors,
        vec![
            (".codex/agents/broken.toml".into(), "missing-field".into()),
            (".codex/agents/broken.toml".into(), "invalid-value".into()),
        ]
    );

    let listed = roles(&project, &dir.path().join("codex"));
    // Codex says why it leaves the broken role out, and only that one.
    assert_eq!(
        malformed(&project, &dir.path().join("codex")),
        vec!["broken.toml".to_string()]
    );
    let expected = "Available roles:\n\
        build: {\nBuilds and runs the tests.\n- This role's model is set to `qwen3-coder` and cannot be changed.\n}\n\
        explore: {\nRead-only explorer.\n- This role's model is set to `gpt-5.4-mini` and its reasoning effort is set to `low`. These settings cannot be changed.\n}\n\
        plan: {\nPlans the work.\n}\n";
    assert_eq!(listed, expected);
}

#[test]
#[ignore = "needs codex; run by .ci/run"]
fn native_roles_come_back_from_import_and_export_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let native = dir.path().join("native");
    write_files(
        &native,
        &[
            (
                ".codex/agents/reviewer.toml",
                "name = \"reviewer\"\ndescription = \"Reviews diffs for correctness.\"\nmodel = \"gpt-5.4\"\nmodel_reasoning_effort = \"high\"\nsandbox_mode = \"read-only\"\nnickname_candidates = [\"Atlas\", \"Delta\"]\ndeveloper_instructions = \"\"\"\nReview the diff. Report bugs with file and line.\n\"\"\"\n",
            ),
            (
                ".codex/agents/local.toml",
                "name = \"local\"\ndescription = \"Runs on a local model.\"\nmodel_provider = \"ollama\"\nmodel = \"qwen3-coder\"\nmodel_reasoning_effort = \"xhigh\"\ndeveloper_instructions = \"Work locally.\"\n",
            ),
        ],
    );
    let (code, checked) = agentc_in(&native, &["--no-user", "--format", "json", "check"]);
    assert_eq!(code, 0, "{checked}");
    assert_eq!(checked["diagnostics"], serde_json::json!([]));
    let first = roles(&native, &dir.path().join("codex-native"));
    assert!(first.contains("reviewer: {"), "{first}");
    assert!(first.contains("local: {"), "{first}");

    let project = dir.path().join("project");
    std::fs::create_dir_all(&project).unwrap();
    let (code, imported) = agentc_in(
        &project,
        &[
            "--no-user",
            "--format",
            "json",
            "import",
            "--from",
            "codex",
            native.join(".codex/agents").to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{imported}");
    let (code, exported) = agentc_in(
        &project,
        &["--no-user", "--format", "json", "export", "--to", "codex"],
    );
    assert_eq!(code, 0, "{exported}");
    let second = roles(&project, &dir.path().join("codex-back"));
    assert_eq!(first, second);
    assert_eq!(
        malformed(&project, &dir.path().join("codex-back")),
        Vec::<String>::new()
    );
}
