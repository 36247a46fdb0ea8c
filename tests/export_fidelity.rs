//! What the real harnesses showed (tests/harness_export.rs), kept as
//! offline checks of `agentc export` and `agentc import`: each case is a
//! difference between what a file says and what the harness runs, which
//! the report must name, or a spelling the round trip must keep.

#![allow(clippy::unwrap_used)]

mod support;

use serde_json::Value;
use support::{TempProject, agentc};

/// A note of the export report: `(field, kind, message)`.
type ReportNote = (String, String, String);

/// `agentc export --to TO --format json`: each agent's notes, by agent.
fn export_notes(p: &TempProject, to: &str) -> Vec<(String, Vec<ReportNote>)> {
    let out = agentc(p)
        .args(["--no-user", "--format", "json", "export", "--to", to])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["agents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let notes = a["notes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| {
                    (
                        n["field"].as_str().unwrap().to_string(),
                        n["kind"].as_str().unwrap().to_string(),
                        n["message"].as_str().unwrap().to_string(),
                    )
                })
                .collect();
            (a["name"].as_str().unwrap().to_string(), notes)
        })
        .collect()
}

fn note(field: &str, kind: &str, message: &str) -> ReportNote {
    (field.into(), kind.into(), message.into())
}

#[test]
fn a_retired_opus_id_is_named_because_claude_code_runs_its_current_opus() {
    let p = TempProject::with(&[
        (
            ".agents/old.md",
            "---\ndescription: d\nmodel: anthropic/claude-opus-4-1\ntools: [read]\n---\nB\n",
        ),
        (
            ".agents/dated.md",
            "---\ndescription: d\nmodel: anthropic/claude-opus-4-20250514\ntools: [read]\n---\nB\n",
        ),
        (
            ".agents/current.md",
            "---\ndescription: d\nmodel: anthropic/claude-opus-4-5\ntools: [read]\n---\nB\n",
        ),
    ]);
    let notes = export_notes(&p, "claude");
    let retired = |id: &str| {
        vec![note(
            "model",
            "approximated",
            &format!(
                "`{id}`: Claude Code runs this retired Opus id on its current Opus model; name a current model to run it"
            ),
        )]
    };
    assert_eq!(
        notes,
        vec![
            ("current".to_string(), vec![]),
            ("dated".to_string(), retired("claude-opus-4-20250514")),
            ("old".to_string(), retired("claude-opus-4-1")),
        ]
    );
    // Written as it is all the same: it is what the file asks for.
    let text = std::fs::read_to_string(p.root().join(".claude/agents/old.md")).unwrap();
    assert!(text.contains("\nmodel: claude-opus-4-1\n"), "{text}");
}

#[test]
fn an_agent_named_like_a_built_in_one_is_named_for_opencode_and_copilot() {
    let p = TempProject::with(&[
        (
            ".agents/explore.md",
            "---\ndescription: d\nmodel: openai/gpt-4.1\ntools: [read, grep, glob]\n---\nB\n",
        ),
        (
            ".agents/plan.md",
            "---\ndescription: d\nmodel: openai/gpt-4.1\ntools: [read]\n---\nB\n",
        ),
    ]);
    assert_eq!(
        export_notes(&p, "copilot"),
        vec![
            (
                "explore".to_string(),
                vec![note(
                    "name",
                    "approximated",
                    "`explore` is a built-in GitHub Copilot agent: opened as a sub-agent (its `task` tool), `explore` runs the built-in, not this file; rename the agent to reach it"
                ),]
            ),
            ("plan".to_string(), vec![]),
        ]
    );
    let merged = |name: &str| {
        note(
            "name",
            "approximated",
            &format!(
                "`{name}` is a built-in OpenCode agent: OpenCode merges this file into it, keeping the built-in's `mode` and its permission rules before this file's"
            ),
        )
    };
    assert_eq!(
        export_notes(&p, "opencode"),
        vec![
            ("explore".to_string(), vec![merged("explore")]),
            ("plan".to_string(), vec![merged("plan")]),
        ]
    );
    // Claude Code's built-ins are `Explore` and `Plan`: no clash.
    let claude = export_notes(&p, "claude");
    assert!(
        claude
            .iter()
            .all(|(_, notes)| notes.iter().all(|(field, _, _)| field != "name")),
        "{claude:?}"
    );
}

#[test]
fn an_opencode_map_that_turns_tools_off_goes_back_as_it_was() {
    let p = TempProject::with(&[(
        "native/docs.md",
        "---\ndescription: Writes docs\nmode: subagent\nmodel: lmstudio/qwen-2.5-7b\ntools:\n  bash: false\n---\nB\n",
    )]);
    agentc(&p)
        .args([
            "--no-user",
            "-q",
            "import",
            "--from",
            "opencode",
            "native/docs.md",
        ])
        .assert()
        .success();
    let imported = std::fs::read_to_string(p.root().join(".agents/docs.md")).unwrap();
    assert_eq!(
        imported,
        "---\nname: docs\ndescription: Writes docs\nmodel: lm-studio/qwen-2.5-7b\ntools: [read, write, edit, grep, glob, web_fetch, web_search, agent, todo, skill]\nx-opencode-mode: subagent\nx-opencode-tools:\n  bash: false\n---\nB\n"
    );
    std::fs::write(
        p.root().join(".agents/agentc.toml"),
        "[tools]\nextra = [\"skill\"]\n",
    )
    .unwrap();
    agentc(&p)
        .args(["--no-user", "-q", "export", "--to", "opencode"])
        .assert()
        .success();
    // Not an allow-list: OpenCode keeps the tools added later on.
    assert_eq!(
        std::fs::read_to_string(p.root().join(".opencode/agent/docs.md")).unwrap(),
        "---\n# Generated by agentc export from .agents/docs.md; edit that file, then run `agentc export --to opencode`.\ndescription: Writes docs\nmodel: lmstudio/qwen-2.5-7b\nmode: subagent\ntools:\n  bash: false\n---\nB\n"
    );
    // Edited so that the two disagree: refused, not widened.
    let edited = imported.replace("tools: [read, write,", "tools: [read, bash, write,");
    std::fs::write(p.root().join(".agents/docs.md"), edited).unwrap();
    agentc(&p)
        .args(["--no-user", "-q", "export", "--to", "opencode"])
        .assert()
        .code(1)
        .stderr(".agents/docs.md: not exported: `docs`: `x-opencode-tools` leaves the agent [agent, edit, glob, grep, read, skill, todo, web_fetch, web_search, write] in OpenCode, but its `tools` say [agent, bash, edit, glob, grep, read, skill, todo, web_fetch, web_search, write]; make them agree\n\
                 .opencode/agent/docs.md: left as an earlier export wrote it; the harness still loads it, though it may not match the definition now (fix the definition, or remove the file)\n");
}

#[test]
fn a_copilot_model_name_goes_back_as_it_was_written() {
    let p = TempProject::with(&[(
        "native/impl.agent.md",
        "---\nname: Implementer\ndescription: d\ntools: ['read', 'edit']\nmodel: [GPT-4.1, Claude Sonnet 4.5]\n---\nB\n",
    )]);
    agentc(&p)
        .args([
            "--no-user",
            "-q",
            "import",
            "--from",
            "copilot",
            "native/impl.agent.md",
        ])
        .assert()
        .success();
    let imported = std::fs::read_to_string(p.root().join(".agents/impl.md")).unwrap();
    assert!(
        imported.contains("model: openai/gpt-4.1\nfallback: [anthropic/claude-sonnet-4-5]\n"),
        "{imported}"
    );
    agentc(&p)
        .args(["--no-user", "-q", "export", "--to", "copilot"])
        .assert()
        .success();
    let back = std::fs::read_to_string(p.root().join(".github/agents/impl.agent.md")).unwrap();
    // Copilot CLI sends this string to a BYOK provider as it is.
    assert!(
        back.contains("\nmodel:\n  - GPT-4.1\n  - Claude Sonnet 4.5\n"),
        "{back}"
    );
    // Once the definition names other models, the spelling cannot stand.
    std::fs::write(
        p.root().join(".agents/impl.md"),
        imported.replace("model: openai/gpt-4.1", "model: openai/gpt-5"),
    )
    .unwrap();
    let notes = export_notes(&p, "copilot");
    assert_eq!(
        notes[0].1,
        vec![note(
            "x-copilot-model",
            "lost",
            "`x-copilot-model` would set `model`, which the definition sets already"
        )]
    );
    let back = std::fs::read_to_string(p.root().join(".github/agents/impl.agent.md")).unwrap();
    assert!(
        back.contains("\nmodel: [gpt-5, claude-sonnet-4-5]\n"),
        "{back}"
    );
}

#[test]
fn copilot_gets_grep_or_glob_alone_where_the_search_alias_would_give_both() {
    let p = TempProject::with(&[
        (
            ".agents/g.md",
            "---\ndescription: d\ntools: [read, grep]\n---\nB\n",
        ),
        (
            ".agents/f.md",
            "---\ndescription: d\ntools: [read, glob]\n---\nB\n",
        ),
        (
            ".agents/both.md",
            "---\ndescription: d\ntools: [read, grep, glob]\n---\nB\n",
        ),
    ]);
    agentc(&p)
        .args(["--no-user", "-q", "export", "--to", "copilot"])
        .assert()
        .success();
    let tools = |name: &str| {
        let text =
            std::fs::read_to_string(p.root().join(format!(".github/agents/{name}.agent.md")))
                .unwrap();
        text.lines()
            .find(|l| l.starts_with("tools: "))
            .unwrap()
            .to_string()
    };
    assert_eq!(tools("g"), "tools: [read, grep]");
    assert_eq!(tools("f"), "tools: [read, glob]");
    assert_eq!(tools("both"), "tools: [read, search]");
}
