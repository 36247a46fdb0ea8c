//! The committed JSON Schemas are current, and what agentc writes validates
//! against them: the plan and diagnostics JSON of every conformance case, the
//! frontmatter of the catalogue agents and this repository's agentc.toml.

#![allow(clippy::unwrap_used)]

mod support;

use agentc::schema::{KINDS, schema_json};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn validator(kind: &str) -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(&schema_json(kind).unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

fn assert_valid(v: &jsonschema::Validator, doc: &Value, what: &str) {
    let errors: Vec<String> = v
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what}: {errors:#?}");
}

#[test]
fn committed_schemas_are_current() {
    for kind in KINDS {
        let path = root().join(format!("docs/schema/{kind}.schema.json"));
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert_eq!(
            committed,
            schema_json(kind).unwrap(),
            "docs/schema/{kind}.schema.json is stale: run `cargo run -- schema {kind} > docs/schema/{kind}.schema.json`"
        );
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let t = to.join(e.file_name());
        let ft = e.file_type().unwrap();
        if ft.is_dir() {
            copy_dir(&e.path(), &t);
        } else if ft.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(e.path()).unwrap(), &t).unwrap();
        } else {
            std::fs::copy(e.path(), &t).unwrap();
        }
    }
}

#[test]
fn conformance_outputs_validate() {
    let Some(shared) = support::shared_dir() else {
        eprintln!("../shared is absent: skipped");
        return;
    };
    let plan = validator("plan");
    let diags = validator("diagnostics");
    let cases = shared.join("conformance/cases");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&cases)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    let mut checked = 0;
    for case in names {
        let tmp = tempfile::tempdir().unwrap();
        let project = tmp.path().join("project");
        let user = tmp.path().join("user");
        if case.join("project").is_dir() {
            copy_dir(&case.join("project"), &project);
        } else {
            std::fs::create_dir_all(&project).unwrap();
        }
        if case.join("user").is_dir() {
            copy_dir(&case.join("user"), &user);
        } else {
            std::fs::create_dir_all(&user).unwrap();
        }
        for (args, validator) in [
            (["check", "--format", "json"], &diags),
            (["plan", "--format", "json"], &plan),
        ] {
            let out = assert_cmd::Command::cargo_bin("agentc")
                .unwrap()
                .current_dir(&project)
                .env("AGENTC_USER_DIR", &user)
                .args(args)
                .output()
                .unwrap();
            let doc: Value = serde_json::from_slice(&out.stdout)
                .unwrap_or_else(|e| panic!("{}: {} is not JSON: {e}", case.display(), args[0]));
            assert_valid(validator, &doc, &format!("{} {}", case.display(), args[0]));
            checked += 1;
        }
    }
    assert!(checked >= 90, "only {checked} outputs checked");
}

#[test]
fn route_errors_validate_as_diagnostics() {
    let p = support::TempProject::with(&[(
        ".agents/a.md",
        "---\ndescription: x\nmodel: inherit\n---\nB\n",
    )]);
    let out = assert_cmd::Command::cargo_bin("agentc")
        .unwrap()
        .current_dir(p.root())
        .env("AGENTC_USER_DIR", p.user())
        .args(["route", "b", "--format", "json"])
        .output()
        .unwrap();
    assert_valid(
        &validator("diagnostics"),
        &serde_json::from_slice(&out.stdout).unwrap(),
        "route",
    );
}

#[test]
fn catalogue_frontmatter_and_repository_config_validate() {
    let fm = validator("frontmatter");
    for entry in std::fs::read_dir(root().join("agents")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let split = agentc::source::split::split(&text).unwrap();
        let yaml =
            agentc::syntax::yaml::parse(&text[split.yaml.clone()], 0, Default::default()).unwrap();
        assert_valid(&fm, &yaml.root.to_json(), &path.display().to_string());
    }
    let bad =
        serde_json::json!({"description": "x", "temperature": 3, "tools": "all", "colour": "red"});
    assert!(
        fm.iter_errors(&bad).count() >= 3,
        "the frontmatter schema must reject bad values"
    );
    let config = validator("config");
    let text = std::fs::read_to_string(root().join(".agents/agentc.toml")).unwrap();
    let toml = agentc::syntax::toml::parse(&text).unwrap();
    assert_valid(&config, &toml.to_json(), ".agents/agentc.toml");
    let bad = serde_json::json!({"polcy": {}, "providers": {"x": {"api_key": "k"}}});
    assert!(config.iter_errors(&bad).count() >= 2);
}
