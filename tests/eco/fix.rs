//! `agentc check --fix` and `--diff`: each fixture's `.in.md`, placed in a
//! project, becomes its `.out.md` byte for byte.

use super::common::{TempProject, output};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/fix");

/// Fixture name → where it goes in the project.
const CASES: &[(&str, &str)] = &[
    ("claude-colon", ".claude/agents/helper.md"),
    ("agentc-colon", ".agents/notes.md"),
    ("fence-and-key", ".agents/fence-and-key.md"),
    ("tools-comma", ".agents/tools-comma.md"),
    ("unused-suppression", ".agents/unused-suppression.md"),
    ("not-fixable", ".agents/not-fixable.md"),
    // `agent` is not renamed to `agents`: a singular and its plural mean
    // different things unless the value is a list.
    ("copilot-plural", ".github/agents/plural.agent.md"),
];

fn fixture(name: &str, ext: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}/{name}.{ext}.md")).unwrap()
}

fn project() -> TempProject {
    let p = TempProject::new();
    for (name, at) in CASES {
        let path = p.path(at);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, fixture(name, "in")).unwrap();
    }
    p
}

#[test]
fn fix_rewrites_only_what_the_fixes_say() {
    let p = project();
    let a = p
        .agentc()
        .args(["--no-user", "check", "--fix", "--format", "short"])
        .assert()
        .code(1);
    let (out, err) = output(&a);
    assert_eq!(err, "Fixed 8 findings in 6 files.\n");
    assert_eq!(
        out,
        ".agents/not-fixable.md:4:1: warning[unknown-field] unknown field `tool_p` in an agentc agent file\n\
         .agents/not-fixable.md:5:8: error[invalid-type] `tools` must be a list of tool names or \"*\", found a string\n\
         .github/agents/plural.agent.md:3:1: warning[unknown-field] unknown field `agent` in a GitHub Copilot agent file\n"
    );
    for (name, at) in CASES {
        let got = std::fs::read(p.path(at)).unwrap();
        assert!(
            got == fixture(name, "out"),
            "{name}:\n{}",
            String::from_utf8_lossy(&got)
        );
    }
    // A second run has nothing left to fix.
    p.agentc()
        .args(["--no-user", "check", "--fix", "--format", "short"])
        .assert()
        .code(1)
        .stderr("Fixed 0 findings in 0 files.\n");
}

#[test]
fn diff_shows_the_fixes_and_writes_nothing() {
    let p = TempProject::new();
    p.write(
        ".agents/notes.md",
        std::str::from_utf8(&fixture("agentc-colon", "in")).unwrap(),
    );
    p.write(
        ".agents/fence-and-key.md",
        std::str::from_utf8(&fixture("fence-and-key", "in")).unwrap(),
    );
    let a = p
        .agentc()
        .args(["--no-user", "check", "--diff"])
        .assert()
        .code(1);
    let (out, err) = output(&a);
    assert_eq!(
        out,
        "--- a/.agents/fence-and-key.md\n\
         +++ b/.agents/fence-and-key.md\n\
         @@ -1,6 +1,6 @@\n \
         ---\n \
         name: fence-and-key\n \
         description: The closing fence is too long and a key is misspelt.\n\
         -modle: inherit\n\
         ------\n\
         +model: inherit\n\
         +---\n \
         Body.\n\
         --- a/.agents/notes.md\n\
         +++ b/.agents/notes.md\n\
         @@ -1,6 +1,6 @@\n \
         ---\n \
         name: notes\n\
         -description: Summarises: the meeting notes\t\n\
         +description: \"Summarises: the meeting notes\"\t\n \
         model: inherit\n \
         ---\n \
         Summarise.\n"
    );
    assert_eq!(
        err,
        "3 fixes in 2 files; run `agentc check --fix` to apply them.\n"
    );
    assert_eq!(
        p.read(".agents/notes.md").as_bytes(),
        fixture("agentc-colon", "in")
    );
    // Nothing to fix: exit 0, empty diff.
    p.write(
        ".agents/notes.md",
        std::str::from_utf8(&fixture("agentc-colon", "out")).unwrap(),
    );
    p.write(
        ".agents/fence-and-key.md",
        std::str::from_utf8(&fixture("fence-and-key", "out")).unwrap(),
    );
    p.agentc()
        .args(["--no-user", "check", "--diff"])
        .assert()
        .success()
        .stdout("");
}

#[test]
fn statistics_count_findings_per_rule() {
    let p = project();
    let a = p
        .agentc()
        .args(["--no-user", "check", "--statistics"])
        .assert()
        .code(1);
    let (out, _) = output(&a);
    assert_eq!(
        out,
        "    3  unknown-field             warning  (1 fixable)\n    \
         2  invalid-type              error  (1 fixable)\n    \
         2  unused-suppression        warning  (2 fixable)\n    \
         1  unquoted-colon            warning  (1 fixable)\n    \
         1  unterminated-frontmatter  error  (1 fixable)\n    \
         1  yaml-syntax               error  (1 fixable)\n\
         Found 4 errors and 6 warnings: 7 files checked, 3 agents compiled.\n"
    );
    let a = p
        .agentc()
        .args(["--no-user", "check", "--statistics", "--format", "json"])
        .assert()
        .code(1);
    let v: serde_json::Value = serde_json::from_str(&output(&a).0).unwrap();
    assert_eq!(
        v["statistics"][0],
        serde_json::json!({"code": "unknown-field", "count": 3, "fixable": 1, "severity": "warning"})
    );
}
