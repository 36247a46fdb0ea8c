//! Shell completions, the man page, the frontmatter schema and the CI
//! output formats.

use super::common::{TempProject, output};
use predicates::prelude::*;

#[test]
fn completions_cover_every_subcommand() {
    let p = TempProject::new();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let a = p.agentc().args(["completions", shell]).assert().success();
        let (out, _) = output(&a);
        for sub in [
            "check",
            "plan",
            "export",
            "import",
            "init",
            "new",
            "completions",
        ] {
            assert!(out.contains(sub), "{shell} completions lack `{sub}`");
        }
    }
    p.agentc()
        .args(["completions", "tcsh"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("invalid value 'tcsh'"));
}

#[test]
fn man_page_is_roff_with_every_subcommand() {
    let p = TempProject::new();
    let a = p.agentc().arg("man").assert().success();
    let (out, _) = output(&a);
    assert!(out.contains(".TH agentc 1"), "{out}");
    for sub in [
        "agentc\\-check(1)",
        "agentc\\-export(1)",
        "agentc\\-import(1)",
        "agentc\\-man(1)",
    ] {
        assert!(out.contains(sub), "man page lacks {sub}");
    }
}

#[test]
fn frontmatter_schema_is_the_committed_one() {
    let p = TempProject::new();
    p.agentc()
        .args(["schema", "frontmatter"])
        .assert()
        .success()
        .stdout(include_str!("../../docs/schema/frontmatter.schema.json"));
}

#[test]
fn github_actions_get_annotations_and_sarif_on_request() {
    let p = TempProject::new();
    p.write(
        ".agents/a.md",
        "---\ndescription: d\nmodel: inherit\ntools: [gerp]\n---\nB\n",
    );
    p.agentc()
        .args(["--no-user", "check"])
        .env("GITHUB_ACTIONS", "true")
        .assert()
        .success()
        .stdout(predicate::str::starts_with(
            "::warning file=.agents/a.md,line=4,col=9,",
        ));
    let a = p
        .agentc()
        .args(["--no-user", "check", "--format", "sarif"])
        .env("GITHUB_ACTIONS", "true")
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_str(&output(&a).0).unwrap();
    assert_eq!(v["version"], "2.1.0");
    assert_eq!(v["runs"][0]["results"][0]["ruleId"], "unknown-tool");
}

#[test]
fn pre_commit_hooks_run_agentc_once_per_commit() {
    let text = include_str!("../../.pre-commit-hooks.yaml");
    let parsed = agentc::syntax::yaml::parse(text, 0, Default::default()).unwrap();
    let hooks = parsed.root.to_json();
    let ids: Vec<&str> = hooks
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "agentc-check",
            "agentc-fix",
            "agentc-plan-lock",
            "agentc-check-wheel",
            "agentc-fix-wheel",
            "agentc-plan-lock-wheel"
        ]
    );
    for h in hooks.as_array().unwrap() {
        assert!(h["entry"].as_str().unwrap().starts_with("agentc "), "{h}");
        assert_eq!(h["pass_filenames"], false, "{h}");
        // Built from source with cargo, or installed from the prebuilt wheel.
        let language = if h["id"].as_str().unwrap().ends_with("-wheel") {
            "python"
        } else {
            "rust"
        };
        assert_eq!(h["language"], language, "{h}");
    }
}
