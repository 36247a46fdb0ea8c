//! The real binary on temporary projects: exit codes, every output format,
//! paths relative to the working directory, monorepos, `.gitignore`, the
//! user scope, and the plan, route, ls and rule commands.

#![allow(clippy::unwrap_used)]

mod support;

use assert_cmd::Command;
use serde_json::Value;
use support::TempProject;

fn agentc(p: &TempProject) -> Command {
    let mut c = support::agentc(p);
    c.env("PATH", std::env::var("PATH").unwrap_or_default());
    c
}

fn json(out: &[u8]) -> Value {
    serde_json::from_slice(out)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(out)))
}

const EXPLORE: &str = "---\nname: explore\ndescription: Explores code.\nprovider: lm-studoi\nmodel: qwen-2.5-7b\ntools: [read, gerp]\n---\nBody.\n";
const CLEAN: &str =
    "---\ndescription: Reviews code.\nprovider: lm-studio\nmodel: qwen-2.5-7b\n---\nBody.\n";

#[test]
fn check_json_is_exactly_the_documented_shape() {
    let p = TempProject::with(&[(".agents/explore.md", EXPLORE)]);
    let out = agentc(&p)
        .args(["check", "--format", "json"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v = json(&out);
    assert_eq!(
        v,
        serde_json::json!({
            "version": 1,
            "diagnostics": [
                {"code": "unknown-provider", "severity": "error", "message": "unknown provider `lm-studoi`",
                 "path": ".agents/explore.md", "line": 4, "column": 11, "end_line": 4, "end_column": 20,
                 "help": "did you mean `lm-studio`?", "labels": [], "fix": null},
                {"code": "unknown-tool", "severity": "warning", "message": "unknown tool `gerp`",
                 "path": ".agents/explore.md", "line": 6, "column": 15, "end_line": 6, "end_column": 19,
                 "help": "did you mean `grep`?", "labels": [], "fix": null}
            ],
            "summary": {"files": 1, "agents": 0, "errors": 1, "warnings": 1}
        })
    );
}

#[test]
fn short_github_and_sarif_formats() {
    let p = TempProject::with(&[(".agents/explore.md", EXPLORE)]);
    let short = agentc(&p)
        .args(["check", "--format", "short"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    assert_eq!(
        String::from_utf8(short).unwrap(),
        ".agents/explore.md:4:11: error[unknown-provider] unknown provider `lm-studoi`\n\
         .agents/explore.md:6:15: warning[unknown-tool] unknown tool `gerp`\n"
    );
    let gh = agentc(&p)
        .args(["check", "--format", "github"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let gh = String::from_utf8(gh).unwrap();
    assert!(gh.starts_with(
        "::error file=.agents/explore.md,line=4,col=11,endLine=4,endColumn=20,title=agentc(unknown-provider)::unknown provider `lm-studoi`%0Ahelp: did you mean `lm-studio`?\n"
    ), "{gh}");
    let sarif = json(
        &agentc(&p)
            .args(["check", "--format", "sarif"])
            .assert()
            .code(1)
            .get_output()
            .stdout
            .clone(),
    );
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "agentc");
    assert_eq!(
        run["tool"]["driver"]["rules"].as_array().unwrap().len(),
        agentc::Rule::ALL.len()
    );
    assert_eq!(run["results"][1]["level"], "warning");
    assert_eq!(run["results"][0]["ruleId"], "unknown-provider");
    assert_eq!(
        run["results"][0]["locations"][0]["physicalLocation"]["region"]["startColumn"],
        11
    );
}

#[test]
fn human_format_shows_the_snippet_and_help_without_colour() {
    let p = TempProject::with(&[(".agents/explore.md", EXPLORE)]);
    let out = agentc(&p)
        .arg("check")
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    assert!(
        out.contains("unknown-provider: unknown provider `lm-studoi`"),
        "{out}"
    );
    assert!(out.contains("[.agents/explore.md:4:11]"), "{out}");
    assert!(out.contains("help: did you mean `lm-studio`?"), "{out}");
    assert!(!out.contains('\u{1b}'), "colour without a terminal: {out}");
    assert!(
        out.ends_with("Found 1 error and 1 warning: 1 file checked, 0 agents compiled.\n"),
        "{out}"
    );
}

#[test]
fn exit_codes() {
    let p = TempProject::with(&[(".agents/review.md", CLEAN)]);
    agentc(&p).arg("check").assert().code(0);
    p.write(
        ".agents/odd.md",
        "---\ndescription: x\nmodel: inherit\ncolour: red\n---\nB\n",
    );
    agentc(&p).arg("check").assert().code(0);
    agentc(&p)
        .args(["check", "--deny-warnings"])
        .assert()
        .code(1);
    agentc(&p)
        .args(["check", "--format", "yaml"])
        .assert()
        .code(2);
    agentc(&p).args(["check", "no/such/path"]).assert().code(2);
    agentc(&p).args(["frobnicate"]).assert().code(2);
    agentc(&p).args(["--help"]).assert().code(0);
    p.write(".agents/agentc.toml", "[lint]\ndeny_warnings = true\n");
    agentc(&p).arg("check").assert().code(1);
}

#[test]
fn paths_are_relative_to_the_working_directory() {
    let p = TempProject::with(&[(".agents/explore.md", EXPLORE)]);
    std::fs::create_dir_all(p.root().join("src/deep")).unwrap();
    let out = agentc(&p)
        .current_dir(p.root().join("src/deep"))
        .args(["check", "--format", "short"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    // Outside the working directory: absolute, with `/`.
    let want = format!("{}/.agents/explore.md:4:11:", p.root().display());
    assert!(String::from_utf8(out).unwrap().starts_with(&want));
}

#[test]
fn monorepo_folders_are_separate_projects_and_gitignore_is_honoured() {
    let p = TempProject::with(&[
        ("packages/a/.agents/explore.md", CLEAN),
        ("packages/b/.agents/explore.md", CLEAN),
        (
            "packages/b/.agents/agentc.toml",
            "[tools]\nextra = [\"deploy\"]\n",
        ),
        (
            "packages/a/.agents/ops.md",
            "---\ndescription: x\nmodel: inherit\ntools: [deploy]\n---\nB\n",
        ),
        ("vendor/.agents/broken.md", "no frontmatter\n"),
        ("nested/.gitignore", "generated/\n"),
        ("nested/generated/.agents/broken.md", "no frontmatter\n"),
        (".gitignore", "vendor/\n"),
    ]);
    let v = json(
        &agentc(&p)
            .args(["check", "--format", "json", "."])
            .assert()
            .code(0)
            .get_output()
            .stdout
            .clone(),
    );
    let codes: Vec<(&str, &str)> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["code"].as_str().unwrap(), d["path"].as_str().unwrap()))
        .collect();
    // `deploy` is an extra tool of package b only; no duplicate-name across packages.
    assert_eq!(codes, vec![("unknown-tool", "packages/a/.agents/ops.md")]);
    assert_eq!(v["summary"]["files"], 3);
}

#[test]
fn dialect_folders_and_explicit_dialects() {
    let p = TempProject::with(&[
        (
            ".claude/agents/review.md",
            "---\nname: review\ndescription: Reviews.\ntools: Read, Grep\nmodel: sonnet\ncolor: blue\n---\nBody.\n",
        ),
        (
            ".opencode/agent/build.md",
            "---\ndescription: Builds.\nmode: subagent\ntools:\n  bash: true\n  write: false\n---\nBody.\n",
        ),
        (
            ".github/agents/docs.agent.md",
            "---\nname: Docs Writer\ndescription: Writes docs.\ntools: ['codebase', 'edit/editFiles']\nmodel: [GPT-5, Claude Sonnet 4.5]\n---\nBody.\n",
        ),
    ]);
    let plan = json(
        &agentc(&p)
            .args(["plan", "--format", "json", "--no-user"])
            .assert()
            .code(0)
            .get_output()
            .stdout
            .clone(),
    );
    let agents: Vec<&str> = plan["agents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(agents, vec!["build", "docs", "review"]);
    let review = &plan["agents"][2];
    assert_eq!(review["route"]["provider"], "anthropic");
    assert_eq!(review["route"]["model"], "sonnet");
    assert_eq!(review["tools"], serde_json::json!(["grep", "read"]));
    assert_eq!(review["dialect"], "claude");
    // OpenCode's map: `bash: true` restricts nothing, `write: false`
    // takes away the `edit` permission (edit and write).
    assert_eq!(
        plan["agents"][0]["tools"],
        serde_json::json!([
            "agent",
            "bash",
            "glob",
            "grep",
            "read",
            "skill",
            "todo",
            "web_fetch",
            "web_search"
        ])
    );
    let docs = &plan["agents"][1];
    assert_eq!(docs["route"]["model"], "GPT-5");
    assert_eq!(docs["route"]["provider"], Value::Null);
    assert_eq!(
        docs["fallbacks"],
        serde_json::json!([{"provider": null, "model": "Claude Sonnet 4.5"}])
    );

    // A collection read as Claude files.
    p.write(
        "plugins/x/agents/a.md",
        "---\nname: a\ndescription: Use when: needed\n---\nBody.\n",
    );
    let v = json(
        &agentc(&p)
            .args([
                "check",
                "--format",
                "json",
                "--dialect",
                "claude",
                "plugins",
            ])
            .assert()
            .code(0)
            .get_output()
            .stdout
            .clone(),
    );
    assert_eq!(v["diagnostics"][0]["code"], "unquoted-colon");
    agentc(&p)
        .args(["check", "--dialect", "klingon", "plugins"])
        .assert()
        .code(2);
}

#[test]
fn user_scope_shadowing_and_no_user() {
    let p = TempProject::with(&[
        (".agents/review.md", CLEAN),
        (
            "user/agents/review.md",
            "---\ndescription: Mine.\nprovider: ollama\nmodel: llama3.1:8b\n---\nBody.\n",
        ),
        (
            "user/agents/summarise.md",
            "---\ndescription: Mine.\nprovider: ollama\nmodel: llama3.1:8b\n---\nBody.\n",
        ),
    ]);
    let plan = json(
        &agentc(&p)
            .args(["plan", "--format", "json"])
            .assert()
            .code(0)
            .get_output()
            .stdout
            .clone(),
    );
    assert_eq!(
        plan["agents"][0]["shadows"],
        serde_json::json!([{"scope": "user", "path": "$AGENTC_USER_DIR/agents/review.md"}])
    );
    assert_eq!(
        plan["agents"][1]["path"],
        "$AGENTC_USER_DIR/agents/summarise.md"
    );
    let plan = json(
        &agentc(&p)
            .args(["plan", "--format", "json", "--no-user"])
            .assert()
            .code(0)
            .get_output()
            .stdout
            .clone(),
    );
    assert_eq!(plan["agents"].as_array().unwrap().len(), 1);
    let ls = String::from_utf8(
        agentc(&p)
            .arg("ls")
            .assert()
            .code(0)
            .get_output()
            .stdout
            .clone(),
    )
    .unwrap();
    assert!(ls.contains("shadowed by .agents/review.md"), "{ls}");
    assert!(
        ls.contains("shadows $AGENTC_USER_DIR/agents/review.md"),
        "{ls}"
    );
}

#[test]
fn a_broken_project_agent_does_not_fall_back_to_the_user_one() {
    let p = TempProject::with(&[
        (
            ".agents/review.md",
            "---\ndescription: x\nprovider: lm-studoi\nmodel: m\n---\nB\n",
        ),
        ("user/agents/review.md", CLEAN),
    ]);
    let plan = json(
        &agentc(&p)
            .args(["plan", "--format", "json"])
            .assert()
            .code(1)
            .get_output()
            .stdout
            .clone(),
    );
    assert_eq!(plan["agents"], serde_json::json!([]));
    assert_eq!(plan["summary"]["errors"], 1);
}

#[test]
fn plan_table_out_and_check() {
    let p = TempProject::with(&[
        (".agents/review.md", CLEAN),
        (
            ".agents/agentc.toml",
            "[models]\nsmart = \"deepseek/deepseek-reasoner\"\n",
        ),
    ]);
    let table = String::from_utf8(
        agentc(&p)
            .args(["plan", "--no-user"])
            .assert()
            .code(0)
            .get_output()
            .stdout
            .clone(),
    )
    .unwrap();
    assert!(table.starts_with("AGENT   ROLE  PROVIDER   MODEL        CHOSEN BY  FALLBACKS  TOOLS\nreview  -     lm-studio  qwen-2.5-7b  agent      -          (parent)\n"), "{table}");
    agentc(&p)
        .args(["plan", "--no-user", "--out", "routing.json"])
        .assert()
        .code(0);
    let written = std::fs::read_to_string(p.root().join("routing.json")).unwrap();
    let printed = agentc(&p)
        .args(["plan", "--no-user", "--format", "json"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    assert_eq!(written.as_bytes(), &printed[..]);
    agentc(&p)
        .args(["plan", "--check", "routing.json"])
        .assert()
        .code(0);
    p.write(
        ".agents/review.md",
        &CLEAN.replace("provider: lm-studio\nmodel: qwen-2.5-7b", "model: smart"),
    );
    let diff = agentc(&p)
        .args(["plan", "--check", "routing.json"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let diff = String::from_utf8(diff).unwrap();
    assert!(diff.contains("~ agent `review` changed:"), "{diff}");
    assert!(
        diff.contains("route.model: \"qwen-2.5-7b\" → \"deepseek-reasoner\""),
        "{diff}"
    );
    assert!(
        diff.contains("route.provider: \"lm-studio\" → \"deepseek\""),
        "{diff}"
    );
    agentc(&p)
        .args(["plan", "--check", "missing.json"])
        .assert()
        .code(2);
}

#[test]
fn route_text_and_json() {
    let p = TempProject::with(&[
        (".agents/review.md", CLEAN),
        (
            ".agents/agentc.toml",
            "[models]\nsmart = \"deepseek/deepseek-reasoner\"\n[policy]\nallowed_models = [\"smart\"]\n",
        ),
    ]);
    let v = json(
        &agentc(&p)
            .args([
                "route",
                "review",
                "--format",
                "json",
                "--call-model",
                "smart",
            ])
            .assert()
            .code(0)
            .get_output()
            .stdout
            .clone(),
    );
    assert_eq!(v["route"]["provider"], "deepseek");
    assert_eq!(
        v["route"]["model_source"],
        serde_json::json!({"layer": "call", "path": null, "line": null})
    );
    assert_eq!(
        v["layers"][0],
        serde_json::json!({"layer": "agent", "provider": "lm-studio", "model": "qwen-2.5-7b", "path": ".agents/review.md", "line": 4})
    );
    let v = json(
        &agentc(&p)
            .args([
                "route",
                "review",
                "--format",
                "json",
                "--task-model",
                "ollama/x",
            ])
            .assert()
            .code(1)
            .get_output()
            .stdout
            .clone(),
    );
    assert_eq!(v["diagnostics"][0]["code"], "override-not-allowed");
    assert_eq!(v["diagnostics"][0]["path"], Value::Null);
    let text = String::from_utf8(
        agentc(&p)
            .args(["route", "review"])
            .assert()
            .code(0)
            .get_output()
            .stdout
            .clone(),
    )
    .unwrap();
    assert!(
        text.starts_with("review: lm-studio / qwen-2.5-7b\n"),
        "{text}"
    );
    let err = agentc(&p)
        .args(["route", "reveiw"])
        .assert()
        .code(1)
        .get_output()
        .stderr
        .clone();
    assert!(
        String::from_utf8(err)
            .unwrap()
            .contains("did you mean `review`?")
    );
}

#[test]
fn rule_prints_its_documentation() {
    let p = TempProject::new();
    let out = String::from_utf8(
        agentc(&p)
            .args(["rule", "unknown-tool"])
            .assert()
            .code(0)
            .get_output()
            .stdout
            .clone(),
    )
    .unwrap();
    assert!(out.starts_with("## `unknown-tool`\n"), "{out}");
    assert_eq!(out.trim_end(), agentc::Rule::UnknownTool.docs().unwrap());
    let err = agentc(&p)
        .args(["rule", "unknwon-tool"])
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    assert!(
        String::from_utf8(err)
            .unwrap()
            .contains("did you mean `unknown-tool`?")
    );
    let list = String::from_utf8(
        agentc(&p)
            .arg("rule")
            .assert()
            .code(0)
            .get_output()
            .stdout
            .clone(),
    )
    .unwrap();
    assert_eq!(list.lines().count(), agentc::Rule::ALL.len());
}

#[test]
fn output_is_deterministic() {
    let p = TempProject::with(&[
        (".agents/a.md", EXPLORE),
        (".agents/b/c.md", CLEAN),
        (
            ".claude/agents/d.md",
            "---\nname: d\ndescription: Use when: x\n---\nB\n",
        ),
    ]);
    let first = agentc(&p)
        .args(["check", "--format", "json"])
        .output()
        .unwrap()
        .stdout;
    for _ in 0..3 {
        assert_eq!(
            agentc(&p)
                .args(["check", "--format", "json"])
                .output()
                .unwrap()
                .stdout,
            first
        );
    }
    let plan = agentc(&p)
        .args(["plan", "--format", "json"])
        .output()
        .unwrap()
        .stdout;
    assert_eq!(
        agentc(&p)
            .args(["plan", "--format", "json"])
            .output()
            .unwrap()
            .stdout,
        plan
    );
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let p = TempProject::new();
    for i in 0..300 {
        p.write(&format!(".agents/a{i}.md"), EXPLORE);
    }
    let bin = assert_cmd::cargo::cargo_bin("agentc");
    let mut child = std::process::Command::new(bin)
        .args(["check", "--format", "short"])
        .current_dir(p.root())
        .env("AGENTC_USER_DIR", p.user())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    // Findings (1), not a failure (2) or a signal.
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_repository_catalogue_and_own_agents_check_clean() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut c = Command::cargo_bin("agentc").unwrap();
    let out = c
        .current_dir(root)
        .env("AGENTC_USER_DIR", root.join("target/no-user-scope"))
        .args(["check", "--format", "json", "--no-user"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let v = json(&out);
    assert_eq!(v["diagnostics"], serde_json::json!([]));
    assert_eq!(v["summary"]["agents"], 4);
    let mut files: Vec<String> = std::fs::read_dir(root.join("agents"))
        .unwrap()
        .map(|e| e.unwrap().path().display().to_string())
        .collect();
    files.sort();
    let mut c = Command::cargo_bin("agentc").unwrap();
    let out = c
        .current_dir(root)
        .args(["check", "--format", "json", "--no-user"])
        .args(&files)
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let v = json(&out);
    assert_eq!(
        v["diagnostics"],
        serde_json::json!([]),
        "the catalogue must check clean"
    );
    assert_eq!(v["summary"]["agents"], 5);
}
