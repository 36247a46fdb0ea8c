//! `agentc trust`: trusting a project's provider table lifts
//! `untrusted-provider`, a changed table is untrusted again, revoking
//! works, and a well-known key sent to another host stays an error that
//! trust cannot lift.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use agentc::source::{FileId, Scope};
use serde_json::{Value, json};
use support::{Project, json_of};

const CONFIG: &str = r#"[providers.corp]
kind = "openai-compatible"
base_url = "https://llm.corp.example/v1"
api_key_env = "CORP_LLM_KEY"

[providers.proxy]
base_url = "https://proxy.example.net/v1"
api_key_env = "OPENAI_API_KEY"
"#;

fn project() -> Project {
    let p = Project::new();
    p.write(".agents/agentc.toml", CONFIG);
    p.write(
        ".agents/ask.md",
        "---\ndescription: Asks the corporate model.\nprovider: corp\nmodel: big\n---\nAsk.\n",
    );
    p
}

fn codes(p: &Project) -> Vec<(String, u64)> {
    let (_, v) = json_of(&mut p.cmd(&["check", "--format", "json"], &[]));
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn trusted_in_plan(p: &Project) -> (Value, Value) {
    let (_, v) = json_of(&mut p.cmd(&["plan", "--format", "json"], &[]));
    let get = |id: &str| {
        v["providers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == id)
            .unwrap()["trusted"]
            .clone()
    };
    (get("corp"), get("proxy"))
}

fn table_hash(config: &str, id: &str) -> String {
    let (c, _) = agentc::config::parse(FileId(0), config, Scope::Project);
    let t = c.providers.iter().find(|t| t.id == id).unwrap();
    agentc::trust::table_hash(t)
}

#[test]
fn trust_change_and_revoke() {
    let p = project();
    assert_eq!(
        codes(&p),
        [
            ("untrusted-provider".to_string(), 3),
            ("credential-host-mismatch".to_string(), 7)
        ]
    );
    assert_eq!(trusted_in_plan(&p), (json!(false), json!(false)));

    // Without a terminal and without --yes: shown, refused, nothing written.
    let out = p.cmd(&["trust"], &[]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains(
            "corp  https://llm.corp.example/v1  key variable CORP_LLM_KEY  (.agents/agentc.toml:1"
        ),
        "{stdout}"
    );
    assert!(!stdout.contains("proxy  "), "{stdout}");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("agentc trust --yes"), "{stderr}");
    assert!(stderr.contains("credential-host-mismatch"), "{stderr}");
    assert!(!p.user_dir().join("trusted-providers.json").exists());

    let (code, v) = json_of(&mut p.cmd(&["trust", "--yes", "--format", "json"], &[]));
    assert_eq!(code, Some(0));
    let corp_hash = table_hash(CONFIG, "corp");
    assert_eq!(
        v,
        json!({"trusted": [{
            "id": "corp", "hash": corp_hash, "base_url": "https://llm.corp.example/v1",
            "api_key_env": "CORP_LLM_KEY", "project": p.root().display().to_string()
        }]})
    );
    assert_eq!(codes(&p), [("credential-host-mismatch".to_string(), 7)]);
    assert_eq!(trusted_in_plan(&p), (json!(true), json!(false)));
    let (_, route) = json_of(&mut p.cmd(&["route", "ask", "--format", "json"], &[]));
    assert_eq!(route["route"]["trusted"], json!(true));

    // Trusting again has nothing to do.
    let out = p.cmd(&["trust", "--yes"], &[]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "Nothing to trust: no untrusted provider table in this project.\n"
    );

    // Comments and spacing do not change the table; its fields do.
    let reformatted = format!(
        "# the corporate gateway\n{}",
        CONFIG.replace(" = ", "   =   ")
    );
    p.write(".agents/agentc.toml", &reformatted);
    assert_eq!(codes(&p), [("credential-host-mismatch".to_string(), 8)]);
    let changed = CONFIG.replace("llm.corp.example", "llm.elsewhere.example");
    p.write(".agents/agentc.toml", &changed);
    assert_eq!(
        codes(&p),
        [
            ("untrusted-provider".to_string(), 3),
            ("credential-host-mismatch".to_string(), 7)
        ]
    );
    assert_eq!(trusted_in_plan(&p).0, json!(false));

    // Back as it was: the recorded hash applies again. Then revoke it.
    p.write(".agents/agentc.toml", CONFIG);
    assert_eq!(trusted_in_plan(&p).0, json!(true));
    let (_, listed) = json_of(&mut p.cmd(&["trust", "--list", "--format", "json"], &[]));
    assert_eq!(listed["trusted"][0]["hash"], json!(corp_hash));
    let (code, revoked) = json_of(&mut p.cmd(
        &["trust", "--revoke", &corp_hash[..10], "--format", "json"],
        &[],
    ));
    assert_eq!(code, Some(0));
    assert_eq!(revoked["revoked"][0]["id"], "corp");
    assert_eq!(trusted_in_plan(&p).0, json!(false));
    let (_, listed) = json_of(&mut p.cmd(&["trust", "--list", "--format", "json"], &[]));
    assert_eq!(listed, json!({"trusted": []}));

    let out = p
        .cmd(&["trust", "--revoke", "nothing-here"], &[])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("no trusted table has the id or hash `nothing-here`")
    );

    // By id, and all at once.
    p.cmd(&["trust", "--yes"], &[]).assert().code(0);
    p.cmd(&["trust", "--revoke", "corp"], &[]).assert().code(0);
    assert_eq!(trusted_in_plan(&p).0, json!(false));
    p.cmd(&["trust", "--yes"], &[]).assert().code(0);
    p.cmd(&["trust", "--revoke-all"], &[]).assert().code(0);
    assert_eq!(trusted_in_plan(&p).0, json!(false));
}

#[test]
fn trust_cannot_lift_a_credential_host_mismatch() {
    let p = project();
    // Even a hash written into the record by hand does not help.
    let record = json!({"version": 1, "trusted": [
        {"id": "proxy", "hash": table_hash(CONFIG, "proxy"), "base_url": "https://proxy.example.net/v1", "project": null}
    ]});
    std::fs::write(
        p.user_dir().join("trusted-providers.json"),
        serde_json::to_string(&record).unwrap(),
    )
    .unwrap();
    let (code, v) = json_of(&mut p.cmd(&["check", "--format", "json"], &[]));
    assert_eq!(code, Some(1));
    let mismatch = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "credential-host-mismatch")
        .unwrap();
    assert_eq!(
        (
            mismatch["severity"].as_str(),
            mismatch["line"].as_u64(),
            mismatch["column"].as_u64()
        ),
        (Some("error"), Some(7), Some(12))
    );
    assert_eq!(
        mismatch["message"],
        "provider `proxy` would send `OPENAI_API_KEY`, the openai key, to `proxy.example.net`"
    );
    assert_eq!(trusted_in_plan(&p).1, json!(false));
    // `agentc trust` offers only `corp`; `proxy` stays untrusted after it.
    let (_, v) = json_of(&mut p.cmd(&["trust", "--yes", "--format", "json"], &[]));
    let ids: Vec<&str> = v["trusted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["corp"]);
    assert_eq!(trusted_in_plan(&p), (json!(true), json!(false)));
}

#[test]
fn a_broken_trust_record_is_not_overwritten() {
    let p = project();
    std::fs::write(p.user_dir().join("trusted-providers.json"), "{ broken").unwrap();
    let out = p.cmd(&["trust", "--yes"], &[]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a trust file"));
    assert_eq!(
        std::fs::read_to_string(p.user_dir().join("trusted-providers.json")).unwrap(),
        "{ broken"
    );
}

#[test]
fn a_broken_trust_store_is_reported_where_it_breaks() {
    let p = project();
    std::fs::write(
        p.user_dir().join("trusted-providers.json"),
        "{\n  \"version\": 1,\n  \"trusted\": [\n    {\"id\": \"corp\", \"hash\": 5}\n  ]\n}\n",
    )
    .unwrap();
    let (code, v) = json_of(&mut p.cmd(&["check", "--format", "json"], &[]));
    assert_eq!(code, Some(1));
    let broken: Vec<&Value> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "unreadable-file")
        .collect();
    assert_eq!(broken.len(), 1);
    let d = broken[0];
    assert!(
        d["path"]
            .as_str()
            .unwrap()
            .ends_with("trusted-providers.json"),
        "{d}"
    );
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(4), Some(28))
    );
    assert_eq!(
        d["message"],
        "the trust store cannot be read: invalid type: integer `5`, expected a string; no project provider is trusted"
    );
    // The providers it would have trusted are reported as untrusted.
    assert!(codes(&p).contains(&("untrusted-provider".to_string(), 3)));
}

#[test]
fn a_project_table_the_user_replaces_needs_no_trust() {
    let p = project();
    assert!(codes(&p).contains(&("untrusted-provider".to_string(), 3)));
    // The user's own `corp` wins whole: the project's table sends nothing.
    std::fs::write(
        p.user_dir().join("agentc.toml"),
        "[providers.corp]\nbase_url = \"http://127.0.0.1:9/v1\"\n",
    )
    .unwrap();
    let found = codes(&p);
    // `proxy` is still the project's: the well-known key it aims at
    // another host stays an error.
    assert_eq!(
        found
            .iter()
            .filter(|(c, _)| c == "untrusted-provider")
            .collect::<Vec<_>>(),
        Vec::<&(String, u64)>::new()
    );
    assert!(found.contains(&("credential-host-mismatch".to_string(), 7)));
}
