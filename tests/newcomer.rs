//! What a newcomer meets first, run through the real binary: a dialect
//! folder given directly, a path where nothing is found, `init` then `add`,
//! `new` with a mistyped provider, and the help that points at the cause.

#![allow(clippy::unwrap_used)]

mod support;

use assert_cmd::Command;
use support::TempProject;

fn agentc(p: &TempProject) -> Command {
    let mut c = support::agentc(p);
    c.env("PATH", std::env::var("PATH").unwrap_or_default());
    c
}

/// Runs agentc and returns (exit code, stdout, stderr).
fn run(p: &TempProject, args: &[&str]) -> (i32, String, String) {
    let out = agentc(p).args(args).output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

const CLAUDE: &str =
    "---\nname: review\ndescription: Reviews code.\ntools: Read, Grepp\n---\nBody.\n";
const OPENCODE: &str = "---\ndescription: Builds.\nmode: subagent\ncolour: red\n---\nBody.\n";
const COPILOT: &str = "---\ndescription: Docs.\nmodle: GPT-5\n---\nBody.\n";

#[test]
fn a_dialect_folder_given_directly_is_read_in_its_dialect() {
    let p = TempProject::with(&[
        (".claude/agents/review.md", CLAUDE),
        (".opencode/agent/build.md", OPENCODE),
        (".opencode/agents/ship.md", OPENCODE),
        (".github/agents/docs.agent.md", COPILOT),
        (".github/agents/notes.md", "not an agent\n"),
        (
            ".agents/review/code.md",
            "---\ndescription: x\nmodel: inherit\ntools: [gerp]\n---\nB\n",
        ),
    ]);
    let claude = ".claude/agents/review.md:4:14: warning[unknown-tool] unknown tool `Grepp`\n";
    let build = ".opencode/agent/build.md:4:1: warning[unknown-field] unknown field `colour` in an OpenCode agent file\n";
    let ship = ".opencode/agents/ship.md:4:1: warning[unknown-field] unknown field `colour` in an OpenCode agent file\n";
    let copilot = ".github/agents/docs.agent.md:3:1: warning[unknown-field] unknown field `modle` in a GitHub Copilot agent file\n";
    let agentc_own = ".agents/review/code.md:4:9: warning[unknown-tool] unknown tool `gerp`\n";
    for (path, want) in [
        (".claude/agents", claude.to_string()),
        (".claude", claude.to_string()),
        (".opencode/agent", build.to_string()),
        (".opencode", format!("{build}{ship}")),
        (".github/agents", copilot.to_string()),
        (".github", copilot.to_string()),
        (".agents", agentc_own.to_string()),
        (".agents/review", agentc_own.to_string()),
    ] {
        let (code, stdout, stderr) = run(&p, &["check", "--format", "short", path]);
        assert_eq!(
            (code, stdout.as_str(), stderr.as_str()),
            (0, want.as_str(), ""),
            "{path}"
        );
    }
    // The human summary counts the files of the folder given.
    let (code, stdout, _) = run(&p, &["check", "--format", "json", ".claude/agents"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        v["summary"],
        serde_json::json!({"agents": 1, "errors": 0, "files": 1, "warnings": 1})
    );
}

#[test]
fn harness_user_folders_are_read_in_their_dialect() {
    let p = TempProject::with(&[
        ("home/.config/opencode/agent/build.md", OPENCODE),
        ("home/.copilot/agents/docs.agent.md", COPILOT),
        ("home/.claude/agents/review.md", CLAUDE),
        (
            "user/agents/mine.md",
            "---\ndescription: Mine.\nmodel: inherit\ncolour: red\n---\nB\n",
        ),
        (
            "user/agentc.toml",
            "[lint]\nrules = { unknown-field = \"error\" }\n",
        ),
    ]);
    let (code, stdout, _) = run(
        &p,
        &["check", "--format", "short", "home/.config/opencode/agent"],
    );
    assert_eq!(
        (code, stdout.as_str()),
        (
            0,
            "home/.config/opencode/agent/build.md:4:1: warning[unknown-field] unknown field `colour` in an OpenCode agent file\n"
        )
    );
    let (code, stdout, _) = run(&p, &["check", "--format", "short", "home/.copilot/agents"]);
    assert_eq!(
        (code, stdout.as_str()),
        (
            0,
            "home/.copilot/agents/docs.agent.md:3:1: warning[unknown-field] unknown field `modle` in a GitHub Copilot agent file\n"
        )
    );
    let (code, stdout, _) = run(&p, &["check", "--format", "short", "home/.claude/agents"]);
    assert_eq!(
        (code, stdout.as_str()),
        (
            0,
            "home/.claude/agents/review.md:4:14: warning[unknown-tool] unknown tool `Grepp`\n"
        )
    );
    // agentc's own user scope, with its own config.
    let user = p.user().join("agents");
    let (code, stdout, _) = run(&p, &["check", "--format", "short", user.to_str().unwrap()]);
    let want = format!(
        "{}/agents/mine.md:4:1: error[unknown-field] unknown field `colour` in an agentc agent file\n",
        p.user().display()
    );
    assert_eq!((code, stdout.as_str()), (1, want.as_str()));
}

#[test]
fn a_folder_where_nothing_is_found_is_an_error_that_says_so() {
    let p = TempProject::with(&[
        ("notes/a.md", "# a\n"),
        ("notes/sub/b.md", "# b\n"),
        ("one/a.md", "# a\n"),
        (
            ".agents/skills/pdf/SKILL.md",
            "---\nname: pdf\ndescription: x\n---\nB\n",
        ),
        (
            "config-only/.agents/agentc.toml",
            "[defaults]\nmodel = \"inherit\"\n",
        ),
    ]);
    std::fs::create_dir_all(p.root().join("empty")).unwrap();
    let (code, stdout, stderr) = run(&p, &["check", "empty"]);
    assert_eq!(
        (code, stdout.as_str(), stderr.as_str()),
        (
            2,
            "",
            "agentc: error: no agent files found in `empty`\n  help: agentc reads `.agents/` and the agent folders of other harnesses (`.claude/agents/`, `.opencode/agent/`, `.github/agents/`, ...) below a folder\n"
        )
    );
    let (code, stdout, stderr) = run(&p, &["check", "notes"]);
    assert_eq!(
        (code, stdout.as_str(), stderr.as_str()),
        (
            2,
            "",
            "agentc: error: no agent files found in `notes`\n  help: 2 markdown files below it are in no agent folder; to read them as agent files, add `--dialect agentc|claude|opencode|copilot|gemini|cursor`\n"
        )
    );
    let (code, _, stderr) = run(&p, &["check", "one"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("\n  help: 1 markdown file below it is in no agent folder; to read it as agent files, add `--dialect "), "{stderr}");
    let (code, _, stderr) = run(&p, &["check", "--dialect", "claude", "empty"]);
    assert_eq!(
        (code, stderr.as_str()),
        (
            2,
            "agentc: error: no agent files found in `empty`: no `*.md` file below it to read as claude files\n"
        )
    );
    // Agent Skills are not agents: a skills folder holds none.
    let (code, _, stderr) = run(&p, &["check", ".agents/skills"]);
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with("agentc: error: no agent files found in `.agents/skills`\n"),
        "{stderr}"
    );
    // A project with only a config is something to check.
    let (code, stdout, _) = run(&p, &["check", "config-only"]);
    assert_eq!(
        (code, stdout.as_str()),
        (
            0,
            "All checks passed: 0 files checked, 0 agents compiled.\n"
        )
    );
    // Agents kept in OpenCode's config file are not read: the note says so.
    p.write(
        "oc/opencode.json",
        "{\"agent\": {\"review\": {\"mode\": \"subagent\"}}}\n",
    );
    let (code, _, stderr) = run(&p, &["check", "oc"]);
    assert_eq!(
        (code, stderr.as_str()),
        (
            2,
            "agentc: error: no agent files found in `oc`\n  help: agentc reads `.agents/` and the agent folders of other harnesses (`.claude/agents/`, `.opencode/agent/`, `.github/agents/`, ...) below a folder\n  note: agents defined in `opencode.json` are not read; agentc reads OpenCode agents from `.opencode/agent/*.md`\n"
        )
    );
    // With no path, an empty project is clean, with a note on stderr.
    let empty = TempProject::new();
    let (code, stdout, stderr) = run(&empty, &["check"]);
    assert_eq!(
        (code, stdout.as_str(), stderr.as_str()),
        (
            0,
            "All checks passed: 0 files checked, 0 agents compiled.\n",
            "note: no agent files found here; agentc reads `.agents/` (and `.claude/agents/`, `.opencode/agent/`, `.github/agents/`) from the project root and your user scope; `agentc init` starts one\n"
        )
    );
    // With --dialect, loose files are read.
    let (code, _, _) = run(&p, &["check", "--dialect", "claude", "notes"]);
    assert_eq!(code, 1);
}

#[test]
fn the_readme_init_then_add_works() {
    let p = TempProject::new();
    let (code, _, stderr) = run(&p, &["init"]);
    assert_eq!((code, stderr.as_str()), (0, ""));
    let (code, stdout, stderr) = run(&p, &["add", "planner"]);
    assert_eq!(
        (code, stdout.as_str(), stderr.as_str()),
        (
            0,
            "`.agents/planner.md` is already there; nothing to do\n",
            ""
        )
    );
    // An edited copy is kept; the others of the same call are added.
    p.write(
        ".agents/review.md",
        "---\ndescription: Mine.\nmodel: inherit\n---\nB\n",
    );
    std::fs::remove_file(p.root().join(".agents/explore.md")).unwrap();
    let (code, stdout, stderr) = run(&p, &["add", "review", "explore"]);
    assert_eq!(
        (code, stdout.as_str(), stderr.as_str()),
        (
            0,
            "`.agents/review.md` is already there and differs from the catalogue's `review`; left as it is\nCreated .agents/explore.md\n",
            ""
        )
    );
    assert_eq!(
        std::fs::read_to_string(p.root().join(".agents/review.md")).unwrap(),
        "---\ndescription: Mine.\nmodel: inherit\n---\nB\n"
    );
}

#[test]
fn new_and_add_share_names_and_role_names_still_lead_there() {
    let p = TempProject::new();
    // `new` takes the catalogue's names, and the role names as aliases.
    for (i, t) in [
        "explore",
        "explorer",
        "format",
        "formatter",
        "review",
        "reviewer",
    ]
    .iter()
    .enumerate()
    {
        let name = format!("a{i}");
        let (code, stdout, stderr) = run(&p, &["new", &name, "--template", t]);
        assert_eq!(
            (code, stdout, stderr),
            (0, format!("Created .agents/{name}.md\n"), String::new()),
            "{t}"
        );
    }
    assert_eq!(
        std::fs::read_to_string(p.root().join(".agents/a0.md")).unwrap(),
        std::fs::read_to_string(p.root().join(".agents/a1.md"))
            .unwrap()
            .replace("name: a1", "name: a0")
    );
    // `add` names files after the agent: a role name is an error with the
    // name it stands for.
    let (code, stdout, stderr) = run(&p, &["add", "reviewer"]);
    assert_eq!(
        (code, stdout.as_str(), stderr.as_str()),
        (
            2,
            "",
            "agentc: error: no agent `reviewer` in the catalogue; did you mean `review`? the catalogue has: explore, format, general, planner, review\n"
        )
    );
    let (code, _, stderr) = run(&p, &["new", "b", "--template", "formater"]);
    assert_eq!(
        (code, stderr.as_str()),
        (
            2,
            "agentc: error: no template `formater`; did you mean `format`? the templates are: explore, format, general, planner, review\n"
        )
    );
}

#[test]
fn new_validates_before_writing() {
    let p = TempProject::with(&[(
        ".agents/agentc.toml",
        "[models]\nfast = \"lm-studio/qwen-2.5-7b\"\n",
    )]);
    let (code, stdout, stderr) = run(&p, &["new", "y", "--provider", "lm-studoi"]);
    assert_eq!(
        (code, stdout.as_str(), stderr.as_str()),
        (
            2,
            "",
            "agentc: error: unknown-provider: unknown provider `lm-studoi` (--provider)\n  help: did you mean `lm-studio`?\nnothing was written to `.agents/y.md`\n"
        )
    );
    let (code, _, stderr) = run(&p, &["new", "y", "--provider", "lm-studio"]);
    assert_eq!(
        (code, stderr.as_str()),
        (
            2,
            "agentc: error: missing-model: `provider: lm-studio` is set without a model, and `lm-studio` has no `default_model` (--provider)\n  help: add `--model MODEL`\nnothing was written to `.agents/y.md`\n"
        )
    );
    let (code, _, stderr) = run(&p, &["new", "y", "--model", "lm-studoi/qwen"]);
    assert_eq!(
        (code, stderr.as_str()),
        (
            2,
            "agentc: error: unknown-provider: unknown provider `lm-studoi` in `lm-studoi/qwen` (--model)\n  help: did you mean `lm-studio`?\nnothing was written to `.agents/y.md`\n"
        )
    );
    assert!(!p.root().join(".agents/y.md").exists());
    // The project's aliases count.
    let (code, stdout, _) = run(&p, &["new", "y", "--model", "fast"]);
    assert_eq!((code, stdout.as_str()), (0, "Created .agents/y.md\n"));
}

/// `doctor` on a project whose agents reach Ollama through `OLLAMA_HOST`,
/// pointed at a port nothing listens on.
fn doctor_short(p: &TempProject) -> (i32, String) {
    let port = support::refused_port();
    let out = agentc(p)
        .env("OLLAMA_HOST", format!("127.0.0.1:{port}"))
        .args(["doctor", "--format", "short"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    (
        out.status.code().unwrap(),
        stdout.replace(&port.to_string(), "PORT"),
    )
}

#[test]
fn doctor_points_an_unreachable_provider_at_the_line_that_routes_there() {
    let p = TempProject::with(&[
        (
            ".agents/local.md",
            "---\ndescription: Local.\nprovider: ollama\nmodel: qwen2.5-coder:7b\n---\nB\n",
        ),
        (
            ".agents/other.md",
            "---\ndescription: Other.\nmodel: ollama/qwen2.5-coder:7b\n---\nB\n",
        ),
    ]);
    let (code, out) = doctor_short(&p);
    assert_eq!(
        (code, out.as_str()),
        (
            0,
            ".agents/local.md:3:11: warning[provider-unreachable] provider `ollama` at `http://127.0.0.1:PORT/v1` did not answer: connection refused\n"
        )
    );
    // A qualified model names the provider too.
    std::fs::remove_file(p.root().join(".agents/local.md")).unwrap();
    let (_, out) = doctor_short(&p);
    assert!(
        out.starts_with(".agents/other.md:3:8: warning[provider-unreachable] "),
        "{out}"
    );
    // Routed by the config: its line.
    std::fs::remove_file(p.root().join(".agents/other.md")).unwrap();
    p.write(".agents/plain.md", "---\ndescription: Plain.\n---\nB\n");
    p.write(
        ".agents/agentc.toml",
        "[defaults]\nprovider = \"ollama\"\nmodel = \"qwen2.5-coder:7b\"\n",
    );
    let (_, out) = doctor_short(&p);
    assert!(
        out.starts_with(".agents/agentc.toml:2:12: warning[provider-unreachable] "),
        "{out}"
    );
}

#[test]
fn an_unclosed_bracket_is_named_where_it_opens() {
    let p = TempProject::with(&[(
        ".agents/a.md",
        "---\ndescription: x\ntools: [read, grep\nmodel: inherit\n---\nB\n",
    )]);
    let (code, stdout, _) = run(&p, &["check", "--format", "json"]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        v["diagnostics"],
        serde_json::json!([{
            "code": "yaml-syntax", "severity": "error",
            "message": "illegal placement of ':' indicator",
            "path": ".agents/a.md", "line": 4, "column": 6, "end_line": 4, "end_column": 7,
            "help": "unclosed flow sequence started at 3:8; close it with `]`",
            "labels": [{"path": ".agents/a.md", "line": 3, "column": 8, "end_line": 3,
                        "end_column": 9, "message": "this `[` is never closed"}],
            "fix": null
        }])
    );
    // A flow mapping, after a multi-byte character: columns count characters.
    p.write(
        ".agents/a.md",
        "---\ndescription: é\nx-é: {a: 1\nmodel: inherit\n---\nB\n",
    );
    let (_, stdout, _) = run(&p, &["check", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        v["diagnostics"][0]["help"],
        "unclosed flow mapping started at 3:6; close it with `}`"
    );
    assert_eq!(v["diagnostics"][0]["labels"][0]["column"], 6);
    // Brackets inside a plain value are text, not a flow collection.
    p.write(
        ".agents/a.md",
        "---\ndescription: see [docs\nmodel: inherit\n  bad: x\n---\nB\n",
    );
    let (_, stdout, _) = run(&p, &["check", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["diagnostics"][0]["code"], "yaml-syntax");
    assert_eq!(v["diagnostics"][0]["labels"], serde_json::json!([]));
}

#[test]
fn the_plan_table_says_parent_for_a_provider_left_to_the_parent() {
    let p = TempProject::with(&[
        (".agents/a.md", "---\ndescription: x\nmodel: qwen\n---\nB\n"),
        (".agents/b.md", "---\ndescription: x\n---\nB\n"),
    ]);
    let (code, stdout, _) = run(&p, &["plan", "--no-user"]);
    assert_eq!(
        (code, stdout.as_str()),
        (
            0,
            "AGENT  ROLE  PROVIDER  MODEL     CHOSEN BY       FALLBACKS  TOOLS\n\
             a      -     (parent)  qwen      parent + agent  -          (parent)\n\
             b      -     (parent)  (parent)  inherit         -          (parent)\n\
             \n\
             2 agents planned from 2 files; 0 errors, 0 warnings.\n"
        )
    );
}
