//! The Gemini CLI, Codex and Cursor dialects: what `check` reports is what
//! the harness rejects or misreads, `import` reads what the harness reads,
//! and `export` writes what it loads, never giving an agent more than its
//! source allows. (The binaries judge the same in `harness_gemini.rs` and
//! `harness_codex.rs`.)

#![allow(clippy::unwrap_used)]

mod support;

use support::{TempProject, agentc};

fn read(p: &TempProject, path: &str) -> String {
    std::fs::read_to_string(p.root().join(path)).unwrap()
}

#[test]
fn check_reports_what_each_harness_rejects() {
    let p = TempProject::with(&[
        (
            ".gemini/agents/auditor.md",
            "---\nname: Auditor\ndescription: Audits code.\ntools: [read_file, Read, mcp_github_list_issues]\nmcpServers: {}\nkind: remot\nmax_turns: 0\ncolor: blue\n---\nAudit.\n",
        ),
        // Gemini CLI skips `_*.md`.
        (".gemini/agents/_draft.md", "not an agent\n"),
        (
            ".codex/agents/review.toml",
            "name = \"review\"\ndescription = \"Reviews.\"\nsandbox_mode = \"readonly\"\ntools = [\"read\"]\nprompt = \"x\"\ndeveloper_instructions = \"\"\"\nReview.\n\"\"\"\n",
        ),
        (
            ".codex/agents/empty.toml",
            "description = \"No name, no prompt.\"\ndeveloper_instructions = \"\"\n",
        ),
        (
            ".cursor/agents/fix.md",
            "---\nname: fix\ndescription: Fixes.\nreadonly: yes please\nis_background: true\ntools: Read\n---\nFix.\n",
        ),
    ]);
    agentc(&p)
        .args(["--no-user", "check", "--format", "short"])
        .assert()
        .code(1)
        .stdout(
            ".codex/agents/empty.toml:1:1: error[missing-field] missing required field `name`; Codex skips the role without it\n\
             .codex/agents/empty.toml:2:26: error[missing-field] `developer_instructions` is blank; Codex skips the role\n\
             .codex/agents/review.toml:3:16: error[invalid-value] `sandbox_mode` must be one of read-only, workspace-write, danger-full-access, found `readonly`; Codex skips the role\n\
             .codex/agents/review.toml:4:9: error[invalid-type] `tools` must be a table, found an array; Codex skips the role\n\
             .codex/agents/review.toml:5:1: warning[foreign-field] `prompt` is an OpenCode field; Codex does not read it\n\
             .cursor/agents/fix.md:4:11: error[invalid-type] `readonly` must be `true` or `false`, found a string\n\
             .cursor/agents/fix.md:6:1: warning[foreign-field] `tools` is an agentc and Claude Code and OpenCode and GitHub Copilot and Gemini CLI field; Cursor does not read it\n\
             .gemini/agents/auditor.md:2:7: error[invalid-name] `Auditor` is not a valid agent name: Gemini CLI names are lower-case letters, digits, `-` and `_`, and it fails the file\n\
             .gemini/agents/auditor.md:4:20: error[unknown-tool] unknown tool `Read`\n\
             .gemini/agents/auditor.md:5:1: error[foreign-field] `mcpServers` is a Claude Code field; Gemini CLI fails a file that has it\n\
             .gemini/agents/auditor.md:6:7: error[invalid-value] `kind` must be `local` or `remote`, found `remot`\n\
             .gemini/agents/auditor.md:7:12: error[invalid-value] `max_turns` must be greater than 0, found 0\n\
             .gemini/agents/auditor.md:8:1: error[foreign-field] `color` is a Claude Code and OpenCode field; Gemini CLI fails a file that has it\n",
        );
    // The help says what Gemini CLI wants instead.
    let out = agentc(&p)
        .args(["--no-user", "check", "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let helps: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["path"] == ".gemini/agents/auditor.md")
        .filter_map(|d| d["help"].as_str())
        .collect();
    assert!(helps.contains(&"did you mean `read_file`?"), "{helps:?}");
    assert!(helps.contains(&"did you mean `mcp_servers`?"), "{helps:?}");
}

#[test]
fn the_plan_reads_models_and_read_only_agents() {
    let p = TempProject::with(&[
        (
            ".gemini/agents/g.md",
            "---\nname: g\ndescription: d\nmodel: gemini-2.5-pro\ntools: [read_file, grep_search]\n---\nB\n",
        ),
        (
            ".codex/agents/c.toml",
            "name = \"c\"\ndescription = \"d\"\nmodel = \"qwen3-coder\"\nmodel_provider = \"lmstudio\"\nsandbox_mode = \"read-only\"\nweb_search = \"disabled\"\ndeveloper_instructions = \"B\"\n",
        ),
        (
            ".cursor/agents/u.md",
            "---\nname: u\ndescription: d\nmodel: gpt-5\nreadonly: true\n---\nB\n",
        ),
    ]);
    let out = agentc(&p)
        .args(["--no-user", "--format", "json", "plan"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let agent = |n: &str| {
        plan["agents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == n)
            .unwrap()
            .clone()
    };
    let route = |n: &str| {
        let a = agent(n);
        (
            a["route"]["provider"].as_str().unwrap_or("").to_string(),
            a["route"]["model"].as_str().unwrap_or("").to_string(),
        )
    };
    assert_eq!(route("g"), ("gemini".into(), "gemini-2.5-pro".into()));
    assert_eq!(route("c"), ("lm-studio".into(), "qwen3-coder".into()));
    assert_eq!(route("u"), ("openai".into(), "gpt-5".into()));
    assert_eq!(agent("g")["tools"], serde_json::json!(["grep", "read"]));
    assert_eq!(
        agent("c")["tools"],
        serde_json::json!(["glob", "grep", "ls", "read"])
    );
    assert_eq!(
        agent("u")["tools"],
        serde_json::json!(["glob", "grep", "ls", "read"])
    );
}

#[test]
fn import_reads_what_each_harness_reads() {
    let p = TempProject::with(&[
        (
            "in/g/auditor.md",
            "---\nname: auditor\ndescription: Audits code.\nkind: local\ntools: [read_file, grep_search, run_shell_command, mcp_github_list_issues]\nmodel: gemini-2.5-pro\ntemperature: 0.1\nmax_turns: 5\ntimeout_mins: 3\n---\nAudit.\n",
        ),
        (
            "in/c/reviewer.toml",
            "name = \"reviewer\"\ndescription = \"Reviews.\"\nmodel = \"qwen3-coder\"\nmodel_provider = \"ollama\"\nmodel_reasoning_effort = \"xhigh\"\nsandbox_mode = \"read-only\"\nweb_search = \"disabled\"\nnickname_candidates = [\"Atlas\"]\ndeveloper_instructions = \"\"\"\nReview.\n\"\"\"\n",
        ),
        (
            "in/u/fixer.md",
            "---\nname: fixer\ndescription: Fixes.\nmodel: claude-4.5-sonnet\nreadonly: true\nis_background: true\n---\nFix.\n",
        ),
    ]);
    for (from, dir) in [("gemini", "in/g"), ("codex", "in/c"), ("cursor", "in/u")] {
        agentc(&p)
            .args(["--no-user", "import", "--from", from, dir])
            .assert()
            .success();
    }
    assert_eq!(
        read(&p, ".agents/auditor.md"),
        "---\nname: auditor\ndescription: Audits code.\nmodel: gemini/gemini-2.5-pro\ntools: [read, grep, bash, mcp__github__list_issues]\ntemperature: 0.1\ntimeout: \"3m\"\nx-gemini-max_turns: 5\n---\nAudit.\n"
    );
    assert_eq!(
        read(&p, ".agents/reviewer.md"),
        "---\nname: reviewer\ndescription: Reviews.\nmodel: ollama/qwen3-coder\ntools: [read, grep, glob, ls]\nx-codex-model_reasoning_effort: xhigh\nx-codex-nickname_candidates:\n  - Atlas\n---\nReview.\n"
    );
    assert_eq!(
        read(&p, ".agents/fixer.md"),
        "---\nname: fixer\ndescription: Fixes.\nmodel: anthropic/claude-4.5-sonnet\ntools: [read, grep, glob, ls]\nx-cursor-is_background: true\n---\nFix.\n"
    );
    // And back: each harness gets its own keys as they were.
    for to in ["gemini", "codex", "cursor"] {
        agentc(&p)
            .args(["--no-user", "export", "--to", to])
            .assert()
            .success();
    }
    assert_eq!(
        read(&p, ".codex/agents/reviewer.toml"),
        "# Generated by agentc export from .agents/reviewer.md; edit that file, then run `agentc export --to codex`.\nname = \"reviewer\"\ndescription = \"Reviews.\"\nmodel = \"qwen3-coder\"\nmodel_provider = \"ollama\"\nsandbox_mode = \"read-only\"\nweb_search = \"disabled\"\nmodel_reasoning_effort = \"xhigh\"\nnickname_candidates = [\"Atlas\"]\ndeveloper_instructions = '''\nReview.\n'''\n"
    );
    assert_eq!(
        read(&p, ".cursor/agents/fixer.md"),
        "---\n# Generated by agentc export from .agents/fixer.md; edit that file, then run `agentc export --to cursor`.\nname: fixer\ndescription: Fixes.\nreadonly: true\nmodel: claude-4.5-sonnet\nis_background: true\n---\nFix.\n"
    );
    assert_eq!(
        read(&p, ".gemini/agents/auditor.md"),
        "---\n# Generated by agentc export from .agents/auditor.md; edit that file, then run `agentc export --to gemini`.\nname: auditor\ndescription: Audits code.\ntools: [read_file, read_many_files, grep_search, run_shell_command, mcp_github_list_issues]\nmodel: gemini-2.5-pro\ntemperature: 0.1\ntimeout_mins: 3\nmax_turns: 5\n---\nAudit.\n"
    );
    // The exported files are clean in their own dialects.
    agentc(&p)
        .args(["--no-user", "check", "--format", "short"])
        .assert()
        .success()
        .stdout("");
}

#[test]
fn export_never_widens_where_there_is_no_tool_list() {
    let p = TempProject::with(&[
        (
            ".agents/edit.md",
            "---\ndescription: Edits without a shell.\ntools: [read, edit]\n---\nB\n",
        ),
        (
            ".agents/ro.md",
            "---\ndescription: d\nx-opencode-permission:\n  edit: deny\n  bash: deny\n---\nB\n",
        ),
        (
            ".agents/look.md",
            "---\ndescription: Reads.\ntools: [read, grep]\n---\nB\n",
        ),
        (
            ".agents/Dotted.Name.md",
            "---\nname: dotted.name\ndescription: d\n---\nB\n",
        ),
    ]);
    for (to, refused) in [
        ("codex", vec!["edit", "ro"]),
        ("cursor", vec!["edit", "ro"]),
        ("gemini", vec!["dotted.name", "ro"]),
    ] {
        let out = agentc(&p)
            .args(["--no-user", "--format", "json", "export", "--to", to])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{to}");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let mut names: Vec<&str> = v["not_exported"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["name"].as_str().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, refused, "{to}: {v}");
    }
    assert!(
        read(&p, ".codex/agents/look.toml")
            .contains("\nsandbox_mode = \"read-only\"\nweb_search = \"disabled\"\n")
    );
    assert!(read(&p, ".cursor/agents/look.md").contains("\nreadonly: true\n"));
    assert!(
        read(&p, ".gemini/agents/look.md")
            .contains("\ntools: [read_file, read_many_files, grep_search]\n")
    );
}

#[test]
fn one_folder_linked_for_two_harnesses_is_read_for_each() {
    // Real repositories share one folder between harnesses; Gemini CLI
    // fails the Claude-style tool names that Claude Code reads fine. The
    // rest of `.codex` (skills, prompts) is not agentc's to read.
    let p = TempProject::with(&[(
        "shared/agents/find.md",
        "---\nname: find\ndescription: Finds.\ntools:\n  - Read\n---\nB\n",
    )]);
    let root = p.root();
    std::fs::create_dir_all(root.join(".claude")).unwrap();
    std::fs::create_dir_all(root.join(".gemini")).unwrap();
    std::fs::create_dir_all(root.join(".codex")).unwrap();
    std::os::unix::fs::symlink("../shared/agents", root.join(".claude/agents")).unwrap();
    std::os::unix::fs::symlink("../shared/agents", root.join(".gemini/agents")).unwrap();
    std::os::unix::fs::symlink("../nowhere", root.join(".codex/skills")).unwrap();
    agentc(&p)
        .args(["--no-user", "check", "--format", "short", "."])
        .assert()
        .code(1)
        .stdout(".gemini/agents/find.md:5:5: error[unknown-tool] unknown tool `Read`\n");
}

#[test]
fn gemini_star_and_remote_agent_lists() {
    let p = TempProject::with(&[
        (
            ".gemini/agents/all.md",
            "---\nname: all\ndescription: d\ntools: [\"*\"]\n---\nB\n",
        ),
        // Gemini CLI wants a list even for `*`.
        (
            ".gemini/agents/str.md",
            "---\nname: str\ndescription: d\ntools: \"*\"\n---\nB\n",
        ),
        // A list of remote agents is a Gemini CLI file with no local agent.
        (
            ".gemini/agents/remote.md",
            "---\n- name: r\n  agent_card_url: https://agents.example/card.json\n---\n",
        ),
    ]);
    agentc(&p)
        .args(["--no-user", "check", "--format", "short"])
        .assert()
        .code(1)
        .stdout(".gemini/agents/str.md:4:8: error[invalid-type] `tools` must be a list of tool names, found a string\n");
}
