//! What each harness loads is the judge of its dialect: OpenCode's tools
//! maps and permission rules, Claude Code's current tool names, Copilot
//! handoffs, Agent Skills, and export never widening what an agent may do.

#![allow(clippy::unwrap_used)]

mod support;

use support::{TempProject, agentc};

#[test]
fn real_files_get_only_true_findings() {
    let p = TempProject::with(&[
        (
            ".agents/skills/foo/SKILL.md",
            "---\nname: foo\ndescription: a skill\n---\nB\n",
        ),
        (".opencode/tool/deploy.ts", "export default {}\n"),
        (
            ".opencode/agent/build.md",
            "---\nmode: primary\nmodel: opencode/grok-code\ntools:\n  deploy: true\n  bash: false\n---\nB\n",
        ),
        (
            ".claude/agents/rev.md",
            "---\nname: rev\ndescription: d\nmode: subagent\ntools: Read, LS\n---\nB\n",
        ),
        (
            ".github/agents/doc.agent.md",
            "---\ndescription: d\nhandoffs:\n  - label: Go\n    agent: nope\n  - label: Ask\n    agent: ask\n  - label: Rev\n    agent: rev\n---\nB\n",
        ),
    ]);
    agentc(&p)
        .args(["--no-user", "check", "--format", "short"])
        .assert()
        .code(1)
        .stdout(
            ".claude/agents/rev.md:4:1: warning[foreign-field] `mode` is an OpenCode field; Claude Code does not read it\n\
             .claude/agents/rev.md:5:14: warning[unknown-tool] Claude Code no longer has a `LS` tool; it drops it from the agent's tools\n\
             .github/agents/doc.agent.md:5:12: error[unknown-agent] handoff to `nope`, which no agent file defines\n\
             .opencode/agent/build.md:3:8: warning[unknown-provider] OpenCode provider `opencode` is not a provider agentc knows; the plan keeps the model without a route\n",
        );
}

#[test]
fn export_refuses_to_widen_permissions() {
    let p = TempProject::with(&[(
        ".agents/ro.md",
        "---\ndescription: d\nx-opencode-permission:\n  edit: deny\n  bash: deny\n---\nB\n",
    )]);
    agentc(&p)
        .args(["--no-user", "-q", "export", "--to", "claude"])
        .assert()
        .code(1)
        .stderr(".agents/ro.md: not exported: `ro`: `x-opencode-permission` restricts what the agent may do and Claude Code cannot say it; without a `tools:` list the agent would get every tool there (list its tools to export it)\n");
    assert!(!p.root().join(".claude/agents/ro.md").exists());
    // Codex cannot say it either; two such fields are named together.
    p.write(
        ".agents/ro.md",
        "---\ndescription: d\nx-opencode-permission:\n  edit: deny\nx-claude-disallowedTools: [Bash]\n---\nB\n",
    );
    agentc(&p)
        .args(["--no-user", "-q", "export", "--to", "codex"])
        .assert()
        .code(1)
        .stderr(".agents/ro.md: not exported: `ro`: `x-opencode-permission`, `x-claude-disallowedTools` restrict what the agent may do and Codex cannot say it; without a `tools:` list the agent would get every tool there (list its tools to export it)\n");
    assert!(!p.root().join(".codex/agents/ro.toml").exists());
    // OpenCode grants edit and write together: one of them alone cannot go.
    p.write(
        ".agents/ro.md",
        "---\ndescription: d\ntools: [read, write]\n---\nB\n",
    );
    agentc(&p)
        .args(["--no-user", "-q", "export", "--to", "opencode"])
        .assert()
        .code(1);
    // A restricted list is written with `"*": false` first.
    p.write(
        ".agents/ro.md",
        "---\ndescription: d\nmodel: lm-studio/qwen-2.5-7b\ntools: [read, grep]\n---\nB\n",
    );
    agentc(&p)
        .args(["--no-user", "-q", "export", "--to", "opencode"])
        .assert()
        .success();
    let text = std::fs::read_to_string(p.root().join(".opencode/agent/ro.md")).unwrap();
    assert!(
        text.contains(
            "tools:\n  \"*\": false\n  read: true\n  grep: true\nmodel: lmstudio/qwen-2.5-7b\n"
        ),
        "{text}"
    );
}
