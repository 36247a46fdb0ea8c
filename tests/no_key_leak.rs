//! No key value ever appears in agentc's output: the key variables are set
//! to recognisable values, every command that touches providers runs in
//! every output format, and nothing it prints (or writes) contains them.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use support::Project;

const MARK: &str = "KEYVALUE-7f3a9c";

fn keys() -> Vec<(&'static str, String)> {
    [
        "BOX_KEY",
        "DEEPSEEK_API_KEY",
        "CORP_LLM_KEY",
        "OPENAI_API_KEY",
        "ANTHROPIC_API_KEY",
    ]
    .into_iter()
    .map(|k| (k, format!("{MARK}-{}", k.to_lowercase())))
    .collect()
}

#[test]
fn no_output_format_shows_a_key() {
    let vllm = support::vllm();
    let p = Project::new();
    p.write(
        ".agents/agentc.toml",
        &format!(
            "[providers.box]\nkind = \"vllm\"\nbase_url = \"{}\"\napi_key_env = \"BOX_KEY\"\n\n[providers.corp]\nbase_url = \"https://llm.corp.example/v1\"\napi_key_env = \"CORP_LLM_KEY\"\n",
            vllm.base_url()
        ),
    );
    p.write(
        ".agents/local.md",
        "---\ndescription: On the box.\nprovider: box\nmodel: Qwen/Qwen2.5-7B-Instruct\nfallback: [deepseek/deepseek-chat]\n---\nLocal.\n",
    );
    p.write(
        ".agents/corp.md",
        "---\ndescription: On the corporate gateway.\nprovider: corp\nmodel: big\n---\nCorp.\n",
    );
    p.write(
        ".agents/typo.md",
        "---\ndescription: Misspelt.\nprovider: deepseek\nmodel: anthropic/claude-x\n---\nTypo.\n",
    );
    let keys = keys();
    let vars: Vec<(&str, &str)> = keys.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let lock = p.dir.path().join("lock.json");
    let lock_arg = lock.display().to_string();
    let findings = ["human", "short", "json", "sarif", "github"];
    let mut runs: Vec<Vec<String>> = Vec::new();
    for f in findings {
        runs.push(vec!["check".into(), "--format".into(), f.into()]);
        runs.push(vec!["doctor".into(), "--format".into(), f.into()]);
        runs.push(vec![
            "doctor".into(),
            "--format".into(),
            f.into(),
            "-v".into(),
        ]);
    }
    for f in ["table", "json"] {
        runs.push(vec!["plan".into(), "--format".into(), f.into()]);
    }
    runs.push(vec!["plan".into(), "--out".into(), lock_arg.clone()]);
    for f in ["text", "json"] {
        for agent in ["local", "corp", "typo", "nobody"] {
            runs.push(vec![
                "route".into(),
                agent.into(),
                "--format".into(),
                f.into(),
            ]);
        }
        runs.push(vec![
            "route".into(),
            "local".into(),
            "--call-model".into(),
            "openai/gpt-x".into(),
            "--format".into(),
            f.into(),
        ]);
        runs.push(vec!["providers".into(), "--format".into(), f.into()]);
        runs.push(vec![
            "providers".into(),
            "--probe".into(),
            "--format".into(),
            f.into(),
        ]);
        runs.push(vec![
            "providers".into(),
            "--probe".into(),
            "--all".into(),
            "box".into(),
            "--format".into(),
            f.into(),
        ]);
        runs.push(vec!["trust".into(), "--format".into(), f.into()]);
        runs.push(vec![
            "trust".into(),
            "--list".into(),
            "--format".into(),
            f.into(),
        ]);
        runs.push(vec!["ls".into(), "--format".into(), f.into()]);
    }
    runs.push(vec!["trust".into(), "--yes".into()]);
    runs.push(vec!["doctor".into()]);
    for args in &runs {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = p.cmd(&args, &vars).output().unwrap();
        for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            let text = String::from_utf8_lossy(bytes);
            assert!(
                !text.contains(MARK),
                "`agentc {}` printed a key on {stream}:\n{text}",
                args.join(" ")
            );
        }
    }
    let written = std::fs::read_to_string(&lock).unwrap();
    assert!(written.contains("\"box\"") && !written.contains(MARK));
    let record = std::fs::read_to_string(p.user_dir().join("trusted-providers.json")).unwrap();
    assert!(record.contains("CORP_LLM_KEY") && !record.contains(MARK));

    // The key was really there to leak: the trusted loopback provider got it,
    // in a header.
    let sent: Vec<String> = vllm
        .requests()
        .iter()
        .filter_map(|r| r.header("authorization").map(str::to_string))
        .collect();
    assert!(!sent.is_empty());
    assert!(
        sent.iter().all(|h| h == &format!("Bearer {MARK}-box_key")),
        "{sent:?}"
    );
}

#[test]
fn an_untrusted_provider_is_probed_without_the_key() {
    // A project table that sends a key off the machine is untrusted until
    // `agentc trust`; the probe target built for it carries no key.
    let (config, _) = agentc::config::parse(
        agentc::source::FileId(0),
        "[providers.gpu]\nkind = \"vllm\"\nbase_url = \"http://gpu-box.example:8000/v1\"\napi_key_env = \"GPU_KEY\"\n",
        agentc::source::Scope::Project,
    );
    let merged = agentc::config::Config::merge(
        config,
        agentc::config::ScopeConfig::empty(agentc::source::Scope::User),
        &agentc::config::NoTrust,
        None,
        &mut Vec::new(),
    );
    let gpu = merged.provider("gpu").unwrap();
    assert!(!gpu.trusted);
    let env = |name: &str| (name == "GPU_KEY").then(|| format!("{MARK}-gpu"));
    assert!(
        agentc::providers::ProbeTarget::new(gpu, &env)
            .expect("a usable URL")
            .api_key
            .is_none()
    );
    let trusted = agentc::config::Provider {
        trusted: true,
        ..gpu.clone()
    };
    let target = agentc::providers::ProbeTarget::new(&trusted, &env).expect("a usable URL");
    assert!(target.api_key.is_some());
    assert!(!format!("{target:?}").contains(MARK));
}
