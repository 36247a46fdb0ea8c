//! `agentc init`, `add` and `new`.

use super::common::{TempProject, output};
use predicates::prelude::*;

const CATALOGUE: &[&str] = &["explore", "format", "general", "planner", "review"];
const TEMPLATES: &[&str] = &["explore", "format", "general", "planner", "review"];

fn check_json(p: &TempProject) -> serde_json::Value {
    let a = p
        .agentc()
        .args(["--no-user", "check", "--format", "json"])
        .assert();
    serde_json::from_str(&output(&a).0).unwrap()
}

#[test]
fn init_writes_the_catalogue_and_a_config_that_check_clean() {
    let p = TempProject::new();
    p.agentc()
        .arg("init")
        .assert()
        .success()
        .stdout(predicate::str::starts_with(
            "Created .agents/ with agentc.toml and 5 agents: explore, format, general, planner, review.\n",
        ));
    for name in CATALOGUE {
        let text = p.read(&format!(".agents/{name}.md"));
        let repo =
            std::fs::read_to_string(format!("{}/agents/{name}.md", env!("CARGO_MANIFEST_DIR")))
                .unwrap();
        assert_eq!(text, repo, "{name}");
    }
    assert!(
        p.read(".agents/agentc.toml")
            .contains("# [providers.deepseek]")
    );
    let v = check_json(&p);
    assert_eq!(v["diagnostics"], serde_json::json!([]));
    assert_eq!(
        v["summary"],
        serde_json::json!({"files": 5, "agents": 5, "errors": 0, "warnings": 0})
    );
}

#[test]
fn init_refuses_to_overwrite_and_writes_nothing() {
    let p = TempProject::new();
    p.write(".agents/review.md", "mine\n");
    p.agentc()
        .arg("init")
        .assert()
        .code(2)
        .stderr("agentc: error: `.agents/review.md` already exists; agentc writes nothing over an existing file\n");
    assert_eq!(p.read(".agents/review.md"), "mine\n");
    assert!(!p.exists(".agents/agentc.toml"));
    assert!(!p.exists(".agents/explore.md"));
}

#[test]
fn add_copies_one_agent_and_suggests_names() {
    let p = TempProject::new();
    p.write(".agents/agentc.toml", "");
    p.agentc()
        .args(["add", "planner"])
        .assert()
        .success()
        .stdout("Created .agents/planner.md\n");
    assert_eq!(
        p.read(".agents/planner.md"),
        include_str!("../../agents/planner.md")
    );
    p.agentc()
        .args(["add", "explre"])
        .assert()
        .code(2)
        .stderr("agentc: error: no agent `explre` in the catalogue; did you mean `explore`? the catalogue has: explore, format, general, planner, review\n");
    // Already there: nothing to do, as `cargo add` of a dependency the
    // manifest has.
    p.agentc()
        .args(["add", "planner"])
        .assert()
        .code(0)
        .stdout("`.agents/planner.md` is already there; nothing to do\n")
        .stderr("");
}

#[test]
fn every_template_checks_clean() {
    let p = TempProject::new();
    for t in TEMPLATES {
        p.agentc()
            .args(["new", &format!("my-{t}"), "--template", t])
            .assert()
            .success()
            .stdout(format!("Created .agents/my-{t}.md\n"));
    }
    let v = check_json(&p);
    assert_eq!(v["diagnostics"], serde_json::json!([]), "{v}");
    assert_eq!(v["summary"]["agents"], 5);
}

#[test]
fn new_writes_the_route_given() {
    let p = TempProject::new();
    p.agentc()
        .args([
            "new",
            "fmt",
            "-t",
            "formatter",
            "--provider",
            "lm-studio",
            "--model",
            "qwen/qwen3-8b",
        ])
        .assert()
        .success();
    let text = p.read(".agents/fmt.md");
    assert!(
        text.starts_with("---\nname: fmt\ndescription: Applies mechanical edits such as formatting, renames and import sorting. Use for cheap, well-specified changes.\nrole: formatter\nprovider: lm-studio\nmodel: qwen/qwen3-8b\ntools: [read, edit, multi_edit, bash]\n"),
        "{text}"
    );
    let plan = p
        .agentc()
        .args(["--no-user", "plan", "--format", "json"])
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_str(&output(&plan).0).unwrap();
    assert_eq!(v["agents"][0]["route"]["provider"], "lm-studio");
    assert_eq!(v["agents"][0]["route"]["model"], "qwen/qwen3-8b");
}

#[test]
fn new_reports_a_bad_route_and_refuses_bad_input() {
    let p = TempProject::new();
    p.agentc()
        .args(["new", "x", "--provider", "lm-studoi", "--model", "m"])
        .assert()
        .code(2)
        .stdout("")
        .stderr("agentc: error: unknown-provider: unknown provider `lm-studoi` (--provider)\n  help: did you mean `lm-studio`?\nnothing was written to `.agents/x.md`\n");
    assert!(!p.exists(".agents/x.md"));
    p.agentc()
        .args(["new", "My Agent"])
        .assert()
        .code(2)
        .stderr("agentc: error: `My Agent` is not a valid agent name: names match `^[a-z0-9][a-z0-9._-]{0,63}$` (try `my-agent`)\n");
    p.agentc()
        .args(["new", "y", "--template", "revewer"])
        .assert()
        .code(2)
        .stderr("agentc: error: no template `revewer`; did you mean `review`? the templates are: explore, format, general, planner, review\n");
    p.write(".agents/x.md", "mine\n");
    p.agentc()
        .args(["new", "x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("`.agents/x.md` already exists"));
    assert!(!p.exists(".agents/y.md"));
}
