//! The probe against real HTTP servers on loopback that answer as LM
//! Studio, Ollama, llama.cpp and vLLM document; a refused port and a socket
//! that never answers. Then `agentc providers` and `agentc doctor` on a
//! project routed to them.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use agentc::config::ProviderKind;
use agentc::providers::{self, ApiKey, ProbeOptions, ProbeTarget};
use serde_json::{Value, json};
use support::{Project, Server, json_of};

fn target(id: &str, kind: ProviderKind, base_url: String) -> ProbeTarget {
    ProbeTarget {
        id: id.into(),
        kind,
        base_url: agentc::config::BaseUrl::parse(&base_url).expect("a test URL"),
        api_key: None,
    }
}

fn provider<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["providers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id)
        .unwrap_or_else(|| panic!("no provider `{id}` in {report}"))
}

#[test]
fn probe_reads_each_server_and_survives_dead_ones() {
    let lm = support::lm_studio();
    let ollama = support::ollama();
    let llama = support::llama_cpp();
    let vllm = support::vllm();
    let hang = Server::hanging();
    let refused = support::refused_port();
    let targets = vec![
        target("lm-studio", ProviderKind::LmStudio, lm.base_url()),
        target("ollama", ProviderKind::Ollama, ollama.base_url()),
        // Configured as the wrong kind: the answers decide.
        target(
            "llama-cpp",
            ProviderKind::OpenaiCompatible,
            llama.base_url(),
        ),
        target("vllm", ProviderKind::Vllm, vllm.base_url()),
        target("hanging", ProviderKind::Vllm, hang.base_url()),
        target(
            "refused",
            ProviderKind::LmStudio,
            format!("http://127.0.0.1:{refused}/v1"),
        ),
    ];
    let report = providers::probe(targets, &ProbeOptions::default()).unwrap();
    let v: Value = serde_json::from_str(&report.to_json()).unwrap();
    let ids: Vec<&str> = v["providers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "hanging",
            "llama-cpp",
            "lm-studio",
            "ollama",
            "refused",
            "vllm"
        ]
    );

    assert_eq!(
        provider(&v, "lm-studio"),
        &json!({
            "id": "lm-studio", "base_url": lm.base_url(), "reachable": true,
            "server": "lm-studio", "error": null,
            "models": [
                {"id": "qwen-2.5-7b", "loaded": true, "context_length": 32768, "vision": false, "tools": true},
                {"id": "qwen2-vl-7b-instruct", "loaded": false, "context_length": 32768, "vision": true, "tools": null},
                {"id": "text-embedding-nomic-embed-text-v1.5", "loaded": false, "context_length": 2048, "vision": false, "tools": null}
            ]
        })
    );
    assert_eq!(
        provider(&v, "ollama"),
        &json!({
            "id": "ollama", "base_url": ollama.base_url(), "reachable": true,
            "server": "ollama", "error": null,
            "models": [
                {"id": "llava:latest", "loaded": false, "context_length": 4096, "vision": true, "tools": false},
                {"id": "qwen2.5-coder:7b", "loaded": true, "context_length": 32768, "vision": false, "tools": true}
            ]
        })
    );
    // The `/api/show` requests carried the model's name.
    let shown: Vec<String> = ollama
        .requests()
        .iter()
        .filter(|r| r.path == "/api/show")
        .map(|r| {
            serde_json::from_str::<Value>(&r.body).unwrap()["model"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(shown, ["llava:latest", "qwen2.5-coder:7b"]);
    assert_eq!(
        provider(&v, "llama-cpp"),
        &json!({
            "id": "llama-cpp", "base_url": llama.base_url(), "reachable": true,
            "server": "llama-cpp", "error": null,
            "models": [
                {"id": "gemma-3-4b-it", "loaded": true, "context_length": 8192, "vision": true, "tools": false}
            ]
        })
    );
    assert_eq!(
        provider(&v, "vllm"),
        &json!({
            "id": "vllm", "base_url": vllm.base_url(), "reachable": true,
            "server": "vllm", "error": null,
            "models": [
                {"id": "Qwen/Qwen2.5-7B-Instruct", "loaded": true, "context_length": 32768, "vision": null, "tools": null}
            ]
        })
    );
    assert_eq!(
        provider(&v, "refused"),
        &json!({
            "id": "refused", "base_url": format!("http://127.0.0.1:{refused}/v1"),
            "reachable": false, "server": null, "models": null, "error": "connection refused"
        })
    );
    assert_eq!(
        provider(&v, "hanging"),
        &json!({
            "id": "hanging", "base_url": hang.base_url(),
            "reachable": false, "server": null, "models": null, "error": "timed out"
        })
    );
}

#[test]
fn old_lm_studio_falls_back_to_the_openai_listing() {
    let lm = support::lm_studio_v1_only();
    let report = providers::probe(
        vec![target("lm-studio", ProviderKind::LmStudio, lm.base_url())],
        &ProbeOptions::default(),
    )
    .unwrap();
    let v: Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(
        provider(&v, "lm-studio"),
        &json!({
            "id": "lm-studio", "base_url": lm.base_url(), "reachable": true,
            "server": "openai-compatible", "error": null,
            "models": [{"id": "qwen-2.5-7b", "loaded": null, "context_length": null, "vision": null, "tools": null}]
        })
    );
}

#[test]
fn a_server_without_a_listing_is_reachable_with_the_reason() {
    let s = Server::start(|r| {
        (r.path == "/v1/models").then(|| (401, r#"{"error":"invalid api key"}"#.into()))
    });
    let report = providers::probe(
        vec![target("box", ProviderKind::OpenaiCompatible, s.base_url())],
        &ProbeOptions::default(),
    )
    .unwrap();
    let p = &report.providers[0];
    assert!(p.reachable);
    assert_eq!(p.server, None);
    assert_eq!(p.models, None);
    assert_eq!(
        p.error.as_deref(),
        Some(format!("no model listing: HTTP 401 from {}/models", s.base_url()).as_str())
    );
}

#[test]
fn the_key_goes_in_a_header_and_only_when_given() {
    let s = support::vllm();
    let mut with_key = target("vllm", ProviderKind::Vllm, s.base_url());
    with_key.api_key = Some(ApiKey::new("probe-key-4411".into()));
    assert_eq!(
        format!("{:?}", with_key.api_key),
        "Some(ApiKey(<redacted>))"
    );
    providers::probe(vec![with_key], &ProbeOptions::default()).unwrap();
    let auth: Vec<Option<String>> = s
        .requests()
        .iter()
        .filter(|r| r.path == "/v1/models")
        .map(|r| r.header("authorization").map(str::to_string))
        .collect();
    assert_eq!(auth, [Some("Bearer probe-key-4411".to_string())]);
}

const AGENTS_CONFIG: &str = r#"
[providers.lm-studio]
base_url = "LM"

[providers.ollama]
base_url = "OLLAMA"

[providers.vllm]
base_url = "HANG"
max_concurrency = 4

[providers.llama-cpp]
base_url = "REFUSED"

[providers.deepseek]
api_key_env = "DEEPSEEK_API_KEY"
"#;

/// A project routed to the test servers: `explore` on LM Studio (served),
/// `vision` on Ollama (no vision), `typo` to a model Ollama does not serve,
/// `slow` on the hanging vLLM, `planner` on DeepSeek (a cloud provider).
fn routed_project(lm: &Server, ollama: &Server, vllm_url: &str, refused: u16) -> Project {
    let p = Project::new();
    let config = AGENTS_CONFIG
        .replace("LM", &lm.base_url())
        .replace("OLLAMA", &ollama.base_url())
        .replace("HANG", vllm_url)
        .replace("REFUSED", &format!("http://127.0.0.1:{refused}/v1"));
    p.write(".agents/agentc.toml", &config);
    p.write(
        ".agents/explore.md",
        "---\ndescription: Explores.\nprovider: lm-studio\nmodel: qwen2-vl-7b-instruct\nrequires: [vision]\nfallback: [ollama/llava]\n---\nExplore.\n",
    );
    p.write(
        ".agents/vision.md",
        "---\ndescription: Looks at screenshots.\nprovider: ollama\nmodel: qwen2.5-coder:7b\nrequires: [vision, tools]\n---\nLook.\n",
    );
    p.write(
        ".agents/typo.md",
        "---\ndescription: Misspelt model.\nprovider: ollama\nmodel: qwen2.5-codr:7b\n---\nType.\n",
    );
    p.write(
        ".agents/slow.md",
        "---\ndescription: On a hanging server.\nmodel: vllm/Qwen/Qwen2.5-7B-Instruct\n---\nWait.\n",
    );
    p.write(
        ".agents/planner.md",
        "---\ndescription: Plans.\nprovider: deepseek\nmodel: deepseek-reasoner\n---\nPlan.\n",
    );
    p
}

fn diagnostics(v: &Value) -> Vec<(String, String, String, u64, u64)> {
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["severity"].as_str().unwrap().to_string(),
                d["path"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn doctor_reports_live_findings_with_locations() {
    let lm = support::lm_studio();
    let ollama = support::ollama();
    let hang = Server::hanging();
    let refused = support::refused_port();
    let p = routed_project(&lm, &ollama, &hang.base_url(), refused);
    let (code, v) = json_of(&mut p.cmd(&["doctor", "--format", "json"], &[]));
    assert_eq!(code, Some(1));
    let d = diagnostics(&v);
    let row = |code: &str, sev: &str, path: &str, line, col| {
        (
            code.to_string(),
            sev.to_string(),
            path.to_string(),
            line,
            col,
        )
    };
    assert_eq!(
        d,
        sorted(vec![
            // vllm's table: the hanging server did not answer in time.
            row(
                "provider-unreachable",
                "warning",
                ".agents/agentc.toml",
                8,
                12
            ),
            // deepseek's key variable is unset.
            row("missing-credential", "error", ".agents/agentc.toml", 16, 15),
            // explore: the LM Studio model and the Ollama fallback are
            // downloaded but not loaded.
            row("model-not-loaded", "info", ".agents/explore.md", 4, 8),
            row("model-not-loaded", "info", ".agents/explore.md", 6, 12),
            row("model-not-found", "error", ".agents/typo.md", 4, 8),
            row("capability-mismatch", "error", ".agents/vision.md", 5, 12),
        ])
    );
    let by_code = |c: &str| {
        v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["code"] == c)
            .unwrap()
            .clone()
    };
    assert_eq!(
        by_code("model-not-found")["help"],
        "did you mean `qwen2.5-coder:7b`?"
    );
    assert_eq!(
        by_code("model-not-found")["message"],
        "`ollama` does not serve `qwen2.5-codr:7b`"
    );
    assert_eq!(
        by_code("capability-mismatch")["message"],
        "`vision` requires `vision`, but `ollama/qwen2.5-coder:7b` does not have it, says the server"
    );
    assert_eq!(
        by_code("missing-credential")["message"],
        "provider `deepseek` needs the key in `DEEPSEEK_API_KEY`, which is not set"
    );
    assert_eq!(
        by_code("provider-unreachable")["message"],
        format!(
            "provider `vllm` at `{}` did not answer: timed out",
            hang.base_url()
        )
    );
    // The refused llama-cpp is not routed to: not probed, no finding.
    // `agents` counts what compiled, as `check` does.
    assert_eq!(
        v["summary"],
        json!({"files": 5, "agents": 5, "errors": 3, "warnings": 1})
    );
}

fn sorted(
    mut v: Vec<(String, String, String, u64, u64)>,
) -> Vec<(String, String, String, u64, u64)> {
    // The report's order: path, line, column, code.
    v.sort_by(|a, b| (&a.2, a.3, a.4, &a.0).cmp(&(&b.2, b.3, b.4, &b.0)));
    v
}

#[test]
fn doctor_with_the_key_set_and_every_format() {
    let lm = support::lm_studio();
    let ollama = support::ollama();
    // vLLM refuses here, so that six runs take no time waiting.
    let vllm_url = format!("http://127.0.0.1:{}/v1", support::refused_port());
    let p = routed_project(&lm, &ollama, &vllm_url, support::refused_port());
    let key = [("DEEPSEEK_API_KEY", "set-but-not-shown")];
    let (_, v) = json_of(&mut p.cmd(&["doctor", "--format", "json"], &key));
    assert!(
        !diagnostics(&v).iter().any(|d| d.0 == "missing-credential"),
        "{v}"
    );
    let empty = [("DEEPSEEK_API_KEY", "")];
    let (_, v) = json_of(&mut p.cmd(&["doctor", "--format", "json"], &empty));
    let m = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "missing-credential")
        .unwrap();
    assert_eq!(
        m["message"],
        "provider `deepseek` needs the key in `DEEPSEEK_API_KEY`, which is empty"
    );
    let out = p
        .cmd(&["doctor", "--format", "short"], &key)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(
            ".agents/typo.md:4:8: error[model-not-found] `ollama` does not serve `qwen2.5-codr:7b`"
        ),
        "{text}"
    );
    let out = p
        .cmd(&["doctor", "--format", "sarif"], &key)
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let levels: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["ruleId"] == "model-not-loaded")
        .map(|r| r["level"].as_str().unwrap())
        .collect();
    assert_eq!(levels, ["note", "note"]);
    let out = p
        .cmd(&["doctor", "--format", "github"], &key)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("::error file=.agents/typo.md,line=4,col=8"),
        "{text}"
    );
    let out = p.cmd(&["doctor"], &key).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("× model-not-found"), "{text}");
    assert!(
        text.contains("vllm unreachable (connection refused)"),
        "{text}"
    );
}

#[test]
fn doctor_lint_levels_apply_to_live_rules() {
    let lm = support::lm_studio();
    let ollama = support::ollama();
    let vllm_url = format!("http://127.0.0.1:{}/v1", support::refused_port());
    let p = routed_project(&lm, &ollama, &vllm_url, support::refused_port());
    let config = std::fs::read_to_string(p.root().join(".agents/agentc.toml")).unwrap();
    p.write(
        ".agents/agentc.toml",
        &format!("{config}\n[lint]\nrules = {{ provider-unreachable = \"off\", model-not-found = \"warning\" }}\n"),
    );
    let (_, v) = json_of(&mut p.cmd(
        &["doctor", "--format", "json"],
        &[("DEEPSEEK_API_KEY", "x")],
    ));
    let d = diagnostics(&v);
    assert!(!d.iter().any(|d| d.0 == "provider-unreachable"), "{d:?}");
    assert!(d.contains(&(
        "model-not-found".into(),
        "warning".into(),
        ".agents/typo.md".into(),
        4,
        8
    )));
}

#[test]
fn providers_lists_and_probes() {
    let lm = support::lm_studio();
    let ollama = support::ollama();
    let hang = Server::hanging();
    let refused = support::refused_port();
    let p = routed_project(&lm, &ollama, &hang.base_url(), refused);
    let (code, v) = json_of(&mut p.cmd(&["providers", "--format", "json"], &[]));
    assert_eq!(code, Some(0));
    assert_eq!(
        provider(&v, "vllm"),
        &json!({
            "id": "vllm", "scope": "project", "kind": "vllm", "base_url": hang.base_url(),
            "api_key_env": null, "api_key_set": null, "trusted": true, "default_model": null,
            "max_concurrency": 4, "models": null, "local": true
        })
    );
    assert_eq!(
        provider(&v, "deepseek"),
        &json!({
            "id": "deepseek", "scope": "project", "kind": "openai-compatible",
            "base_url": "https://api.deepseek.com/v1", "api_key_env": "DEEPSEEK_API_KEY",
            "api_key_set": false, "trusted": true, "default_model": null,
            "max_concurrency": null, "models": null, "local": false
        })
    );
    assert_eq!(provider(&v, "openai")["scope"], "builtin");
    assert_eq!(v["providers"].as_array().unwrap().len(), 9);

    let (code, v) = json_of(&mut p.cmd(&["providers", "--probe", "--format", "json"], &[]));
    assert_eq!(code, Some(0));
    let ids: Vec<&str> = v["providers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    // The local ones only; the cloud presets are not probed without --all.
    assert_eq!(ids, ["llama-cpp", "lm-studio", "ollama", "vllm"]);
    assert_eq!(provider(&v, "llama-cpp")["error"], "connection refused");
    assert_eq!(provider(&v, "vllm")["error"], "timed out");
    assert_eq!(provider(&v, "lm-studio")["server"], "lm-studio");
    assert_eq!(
        provider(&v, "ollama")["models"][1]["id"],
        "qwen2.5-coder:7b"
    );

    let out = p
        .cmd(&["providers", "--probe", "lm-studio"], &[])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with(&format!(
            "lm-studio  {}  (lm-studio, reachable)\n",
            lm.base_url()
        )),
        "{text}"
    );
    assert!(text.contains("qwen-2.5-7b"), "{text}");

    let out = p.cmd(&["providers", "--probe"], &[]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.ends_with("5 cloud providers not probed (use --all)\n"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "vllm  {}  (unreachable)\n  timed out\n",
            hang.base_url()
        )),
        "{text}"
    );

    let out = p.cmd(&["providers", "lm-studoi"], &[]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean `lm-studio`?"));
}

#[test]
fn declared_capabilities_are_checked_offline() {
    let p = Project::new();
    p.write(
        ".agents/agentc.toml",
        "[providers.ollama.capabilities]\n\"qwen2.5-coder:7b\" = [\"tools\"]\n\"llava\" = [\"vision\"]\n",
    );
    p.write(
        ".agents/look.md",
        "---\ndescription: Looks.\nmodel: ollama/qwen2.5-coder:7b\nrequires: [tools, vision]\nfallback: [ollama/llava, ollama/other]\n---\nLook.\n",
    );
    let (code, v) = json_of(&mut p.cmd(&["check", "--format", "json"], &[]));
    assert_eq!(code, Some(1));
    let d: Vec<(String, String, u64, u64)> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().into(),
                d["message"].as_str().unwrap().into(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        d,
        [
            (
                "capability-mismatch".to_string(),
                "`look` requires `tools`, but `ollama/llava` is declared without it".to_string(),
                4,
                12
            ),
            (
                "capability-mismatch".to_string(),
                "`look` requires `vision`, but `ollama/qwen2.5-coder:7b` is declared without it"
                    .to_string(),
                4,
                19
            ),
        ]
    );
    // `ollama/other` declares nothing: not judged.
}
