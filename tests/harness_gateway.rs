//! Claude Code through `agentc gateway`: its parent session is served by a
//! scripted Anthropic-shaped server, and the project agent it opens with
//! its Agent tool runs on an OpenAI-shaped `lm-studio`, tool calls
//! included. Needs `claude` (Claude Code) on PATH; run by `.ci/run`.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod support;

use serde_json::{Value, json};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::gateway::Gateway;
use support::scripted::{Scripted, Seen, anthropic_answer, openai_answer};

const BODY: &str = "You are a careful read-only explorer. Read exactly the files you are asked about and report what they contain, quoting the important lines verbatim.";

/// The texts of the tool results in an Anthropic request's last message.
fn tool_results(req: &Seen) -> Option<String> {
    let last = req.body["messages"].as_array()?.last()?;
    let blocks = last["content"].as_array()?;
    let texts: Vec<String> = blocks
        .iter()
        .filter(|b| b["type"] == "tool_result")
        .map(|b| match &b["content"] {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect();
    (!texts.is_empty()).then(|| texts.join("\n"))
}

fn has_tool(req: &Seen, name: &str) -> bool {
    req.body["tools"]
        .as_array()
        .is_some_and(|t| t.iter().any(|t| t["name"] == name))
}

fn claude() -> Command {
    let probe = Command::new("claude").arg("--version").output();
    match probe {
        Ok(o) if o.status.success() => {}
        _ => panic!("Claude Code (`claude`) is not on PATH: install it with .ci/clients"),
    }
    Command::new("claude")
}

#[test]
#[ignore = "needs claude; run by .ci/run"]
fn claude_code_sub_agent_runs_on_lm_studio_through_the_gateway() {
    let project = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let user = tempfile::tempdir().unwrap();
    let root = project.path();
    std::fs::create_dir_all(root.join(".claude/agents")).unwrap();
    std::fs::write(
        root.join(".claude/agents/explore.md"),
        format!("---\nname: explore\ndescription: Read-only explorer. Use it to read files and report.\ntools: Read, Grep\nmodel: sonnet\n---\n{BODY}\n"),
    )
    .unwrap();
    let notes = root.join("notes.txt");
    std::fs::write(&notes, "the secret word is PINEAPPLE\n").unwrap();
    let notes_path = notes.to_string_lossy().into_owned();

    // The parent: asks for the explore agent, then reports what it said.
    let parent = Scripted::start(|req, _| {
        if let Some(result) = tool_results(req) {
            return anthropic_answer(
                req,
                vec![json!({"type": "text", "text": format!("Parent heard: {result}")})],
                "end_turn",
            );
        }
        if has_tool(req, "Agent") {
            return anthropic_answer(
                req,
                vec![
                    json!({"type": "tool_use", "id": "toolu_parent_1", "name": "Agent",
                    "input": {"description": "Read the notes", "prompt": "Read notes.txt and tell me the secret word.", "subagent_type": "explore"}}),
                ],
                "tool_use",
            );
        }
        // Side requests (the session title): a plain answer.
        anthropic_answer(
            req,
            vec![json!({"type": "text", "text": "{\"title\": \"Read the notes\"}"})],
            "end_turn",
        )
    });
    // lm-studio: reads the file with Claude Code's Read tool, then answers
    // with what the tool returned.
    let path = notes_path.clone();
    let lm = Scripted::start(move |req, _| {
        let messages = req.body["messages"].as_array().cloned().unwrap_or_default();
        match messages.iter().rev().find(|m| m["role"] == "tool") {
            Some(tool) => {
                let content = tool["content"].to_string();
                let word = if content.contains("PINEAPPLE") {
                    "PINEAPPLE"
                } else {
                    "nothing"
                };
                openai_answer(req, Some(&format!("Sub-agent saw: {word}")), &[])
            }
            None => openai_answer(
                req,
                None,
                &[("call_read_1", "Read", json!({"file_path": path}))],
            ),
        }
    });
    let anthropic = parent.base_url();
    std::fs::write(
        user.path().join("agentc.toml"),
        format!(
            "[providers.anthropic]\nbase_url = \"{anthropic}\"\n\n[providers.lm-studio]\nbase_url = \"{}\"\n\n\
             [agents.explore]\nprovider = \"lm-studio\"\nmodel = \"qwen-test\"\n\n[gateway]\nparent = \"anthropic\"\n",
            lm.base_url()
        ),
    )
    .unwrap();
    let g = Gateway::start(root, Some(user.path()), &[], &[]);

    let mut child = claude()
        .current_dir(root)
        .args([
            "-p",
            "Use the explore agent to read notes.txt",
            "--output-format",
            "stream-json",
            "--verbose",
            "--allowedTools",
            "Read,Agent",
        ])
        .env("HOME", home.path())
        .env("ANTHROPIC_BASE_URL", &g.url)
        .env("ANTHROPIC_API_KEY", "sk-ant-test-client-key")
        .env_remove("ANTHROPIC_AUTH_TOKEN")
        .env("DISABLE_AUTOUPDATER", "1")
        .env("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("claude did not finish within 120 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "claude failed: {}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );

    // The sub-agent's requests reached lm-studio, with the agent's body and
    // its tools as functions.
    let lm_seen = lm.requests();
    assert_eq!(lm_seen.len(), 2, "{lm_seen:#?}");
    let first = &lm_seen[0].body;
    assert_eq!(lm_seen[0].path, "/v1/chat/completions");
    assert_eq!(first["model"], "qwen-test");
    let system: String = first["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["role"] == "system")
        .map(|m| m["content"].to_string())
        .collect();
    assert!(system.contains(&BODY.replace('"', "\\\"")), "{system}");
    let tools: Vec<&str> = first["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            assert_eq!(t["type"], "function");
            t["function"]["name"].as_str().unwrap()
        })
        .collect();
    assert!(tools.contains(&"Read"), "{tools:?}");
    // No client credential went to lm-studio.
    for r in &lm_seen {
        assert_eq!(r.header("x-api-key"), None);
        assert_eq!(r.header("authorization"), None);
    }
    // Claude Code ran the Read call and sent its result back.
    let second = &lm_seen[1].body;
    let tool_msg = second["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["role"] == "tool")
        .expect("a tool message in the sub-agent's second request");
    assert_eq!(tool_msg["tool_call_id"], "call_read_1");
    assert!(
        tool_msg["content"]
            .to_string()
            .contains("the secret word is PINEAPPLE"),
        "{tool_msg}"
    );

    // The answer reached the parent, and the parent's answer reached the user.
    let parent_seen = parent.requests();
    let last = parent_seen
        .iter()
        .rev()
        .find(|r| tool_results(r).is_some())
        .expect("the parent got the agent's answer");
    assert!(
        tool_results(last)
            .unwrap()
            .contains("Sub-agent saw: PINEAPPLE")
    );
    for r in &parent_seen {
        assert_eq!(r.header("x-api-key"), Some("sk-ant-test-client-key"));
    }
    let result: Value = stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|v| v["type"] == "result")
        .expect("a result line");
    assert!(
        result["result"]
            .as_str()
            .unwrap()
            .contains("Sub-agent saw: PINEAPPLE"),
        "{result}"
    );

    // The gateway's events say what it did.
    let mut explore_events = 0;
    for _ in 0..(parent_seen.len() + lm_seen.len()) {
        let e = g.next_event("request");
        if e["agent"] == "explore" {
            explore_events += 1;
            assert_eq!(e["matched"], "system-prompt");
            assert_eq!(
                e["route"],
                json!({"provider": "lm-studio", "model": "qwen-test"})
            );
            assert_eq!(e["status"], 200);
        } else {
            assert_eq!(e["matched"], "parent", "{e}");
            assert_eq!(e["route"]["provider"], "anthropic");
        }
    }
    assert_eq!(explore_events, 2);
}

#[test]
#[ignore = "needs copilot; run by .ci/run"]
fn copilot_cli_custom_agent_runs_on_its_plan_route_through_the_openai_door() {
    let probe = Command::new("copilot").arg("--version").output();
    if !matches!(probe, Ok(ref o) if o.status.success()) {
        panic!("Copilot CLI (`copilot`) is not on PATH: install it with .ci/clients");
    }
    let project = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let root = project.path();
    std::fs::create_dir_all(root.join(".github/agents")).unwrap();
    std::fs::create_dir_all(root.join(".agents")).unwrap();
    std::fs::write(
        root.join(".github/agents/explore.agent.md"),
        format!("---\nname: explore\ndescription: Read-only explorer for this repository.\ntools: [\"read\"]\n---\n{BODY}\n"),
    )
    .unwrap();
    let lm = Scripted::start(|req, _| {
        openai_answer(req, Some("Explorer here: nothing to change."), &[])
    });
    std::fs::write(
        root.join(".agents/agentc.toml"),
        format!(
            "[providers.lm-studio]\nbase_url = \"{}\"\n\n[defaults]\nprovider = \"lm-studio\"\nmodel = \"qwen-test\"\n\n[gateway]\nparent = \"lm-studio/parent-model\"\n",
            lm.base_url()
        ),
    )
    .unwrap();
    let g = Gateway::start(root, None, &[], &[]);
    let out = Command::new("copilot")
        .current_dir(root)
        .args([
            "-p",
            "Look around and report.",
            "--agent",
            "explore",
            "--allow-all-tools",
            "--no-auto-update",
        ])
        .env("HOME", home.path())
        .env("COPILOT_OFFLINE", "true")
        .env("COPILOT_PROVIDER_BASE_URL", format!("{}/v1", g.url))
        .env("COPILOT_MODEL", "gpt-4.1")
        .env_remove("COPILOT_GITHUB_TOKEN")
        .env_remove("GH_TOKEN")
        .env_remove("GITHUB_TOKEN")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "copilot failed: {}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("Explorer here: nothing to change."),
        "{stdout}"
    );
    let seen = lm.requests();
    assert!(!seen.is_empty());
    let agent_requests: Vec<&Seen> = seen
        .iter()
        .filter(|r| r.body.to_string().contains("careful read-only explorer"))
        .collect();
    assert!(!agent_requests.is_empty(), "{seen:#?}");
    for r in &agent_requests {
        assert_eq!(r.path, "/v1/chat/completions");
        // The plan's route, not the harness's model name.
        assert_eq!(r.body["model"], "qwen-test");
    }
    let e = g.next_event("request");
    assert_eq!(e["door"], "openai");
    assert_eq!(e["agent"], "explore");
    assert_eq!(e["matched"], "system-prompt");
    assert_eq!(e["ignored_model"], "gpt-4.1");
    assert_eq!(
        e["route"],
        json!({"provider": "lm-studio", "model": "qwen-test"})
    );
}
