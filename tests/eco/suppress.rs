//! Suppression comments and `[lint] per_file`, seen alike by `check` and
//! `plan`.

use super::common::{TempProject, output};

fn short(p: &TempProject, code: i32) -> String {
    let a = p
        .agentc()
        .args(["--no-user", "check", "--format", "short"])
        .assert()
        .code(code);
    output(&a).0
}

#[test]
fn comments_suppress_their_line_or_their_file() {
    let p = TempProject::new();
    p.write(
        ".agents/explore.md",
        "---\n# agentc: ignore-file[name-mismatch] the loader prefixes names\nname: acme-explore\ndescription: Explores.\ncolour: blue  # agentc: ignore[unknown-field] read by our launcher\n# agentc: ignore[unknown-tool] a tool of our harness\ntools: [read, deploy]\nmodel: inherit\n---\nBody.\n",
    );
    assert_eq!(short(&p, 0), "");
}

#[test]
fn bad_and_unused_suppressions_are_reported() {
    let p = TempProject::new();
    p.write(
        ".agents/a.md",
        "---\nname: a\ndescription: d\nmodel: inherit\ncolour: x # agentc: ignore[unknown-field]\ntools: [read] # agentc: ignore[unknown-tool] not any more\ntoken: hunter2 # agentc: ignore[secret-in-definition, unknwn-field] test\n---\nB\n",
    );
    assert_eq!(
        short(&p, 1),
        ".agents/a.md:5:11: warning[invalid-suppression] this suppression gives no reason\n\
         .agents/a.md:6:15: warning[unused-suppression] unused suppression: nothing on this line reports `unknown-tool`\n\
         .agents/a.md:7:1: warning[unknown-field] unknown field `token` in an agentc agent file\n\
         .agents/a.md:7:8: error[secret-in-definition] `token` holds a literal secret; keep secrets out of definitions\n\
         .agents/a.md:7:33: warning[invalid-suppression] `secret-in-definition` has a fixed severity and cannot be suppressed\n\
         .agents/a.md:7:55: warning[invalid-suppression] unknown rule `unknwn-field` in a suppression\n"
    );
}

#[test]
fn per_file_globs_ignore_rules_in_matching_files() {
    let p = TempProject::new();
    p.write(
        ".agents/agentc.toml",
        "[lint]\nper_file = { \".agents/legacy/*.md\" = [\"name-mismatch\", \"unknown-field\"], \".agents/*.md\" = [\"config-syntax\", \"nme-mismatch\"] }\n",
    );
    let def =
        |name: &str| format!("---\nname: {name}\ndescription: d\nmodel: inherit\nodd: 1\n---\nB\n");
    p.write(".agents/legacy/old.md", &def("renamed"));
    p.write(".agents/new.md", &def("renamed-too"));
    assert_eq!(
        short(&p, 1),
        ".agents/agentc.toml:2:92: error[config-invalid] `config-syntax` has a fixed severity and cannot be ignored\n\
         .agents/agentc.toml:2:109: error[config-invalid] unknown rule `nme-mismatch`\n\
         .agents/new.md:2:7: warning[name-mismatch] name `renamed-too` differs from the file name `new`; the agent is opened as `renamed-too`\n\
         .agents/new.md:5:1: warning[unknown-field] unknown field `odd` in an agentc agent file\n"
    );
}

#[test]
fn a_suppressed_error_lets_the_agent_into_the_plan() {
    let p = TempProject::new();
    p.write(
        ".agents/hot.md",
        "---\ndescription: d\nmodel: lm-studio/m\ntemperature: 5  # agentc: ignore[invalid-value] our harness clamps it\n---\nB\n",
    );
    assert_eq!(short(&p, 0), "");
    let a = p
        .agentc()
        .args(["--no-user", "plan", "--format", "json"])
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_str(&output(&a).0).unwrap();
    assert_eq!(v["agents"][0]["name"], "hot");
    assert_eq!(v["agents"][0]["params"], serde_json::json!({}));
    assert_eq!(v["summary"]["errors"], 0);
}
